/*
 * HKDF-SHA256, AES-SIV and FF1 for reversible tokens (tokens_crypto.h).
 *
 * FF1 follows NIST SP 800-38G Algorithms 7 and 8 step by step. Its big
 * numbers never need a general division: NUM_radix(B) is built by
 * multiply-and-add into b bytes, and (NUM_radix(A) + y) mod radix^m only
 * needs the lowest m base-radix digits of y, which repeated division by
 * the (small) radix gives; the sum is then done numeral by numeral.
 */
#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <pthread.h>
#include <string.h>

#include "tokens_crypto.h"

/* ---- HKDF ----------------------------------------------------------- */

int veil__hkdf_sha256(const unsigned char *ikm, size_t ikmlen, const unsigned char *salt,
                      size_t saltlen, const unsigned char *info, size_t infolen, unsigned char *out,
                      size_t outlen)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM params[5], *p = params;
    int rc = -EINVAL;

    if (ctx == NULL || outlen == 0 || outlen > 255 * 32) {
        goto out;
    }
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikmlen);
    if (saltlen) {
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, saltlen);
    }
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, infolen);
    *p = OSSL_PARAM_construct_end();
    if (EVP_KDF_derive(ctx, out, outlen, params) == 1) {
        rc = 0;
    } else {
        OPENSSL_cleanse(out, outlen);
    }
out:
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return rc;
}

/* ---- AES-SIV ---------------------------------------------------------- */

/* Fetched once: a fetch walks the provider tables, and every token needs
   one of these. EVP_CIPHER objects are safe to share between threads. */
static EVP_CIPHER *siv_ciphers[2];
static pthread_once_t siv_once = PTHREAD_ONCE_INIT;

static void siv_fetch(void)
{
    siv_ciphers[0] = EVP_CIPHER_fetch(NULL, "AES-128-SIV", NULL);
    siv_ciphers[1] = EVP_CIPHER_fetch(NULL, "AES-256-SIV", NULL);
}

static const EVP_CIPHER *siv_cipher(size_t keylen)
{
    pthread_once(&siv_once, siv_fetch);
    return keylen == 32 ? siv_ciphers[0] : keylen == 64 ? siv_ciphers[1] : NULL;
}

int veil__siv_encrypt(const unsigned char *key, size_t keylen, const veil__siv_ad_t *ad, size_t nad,
                      const unsigned char *pt, size_t len, unsigned char *out)
{
    const EVP_CIPHER *c = siv_cipher(keylen);
    EVP_CIPHER_CTX *ctx;
    int outl = 0, rc = -EINVAL;

    if (c == NULL || len > (size_t)INT32_MAX || (ctx = EVP_CIPHER_CTX_new()) == NULL) {
        return -EINVAL;
    }
    if (EVP_EncryptInit_ex2(ctx, c, key, NULL, NULL) != 1) {
        goto out;
    }
    /* Each update without an output buffer is one S2V component. */
    for (size_t i = 0; i < nad; i++) {
        if (EVP_EncryptUpdate(ctx, NULL, &outl, ad[i].p, (int)ad[i].len) != 1) {
            goto out;
        }
    }
    if (EVP_EncryptUpdate(ctx, out + VEIL__SIV_TAG, &outl, pt, (int)len) != 1 ||
        EVP_EncryptFinal_ex(ctx, out + VEIL__SIV_TAG + outl, &outl) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, VEIL__SIV_TAG, out) != 1) {
        goto out;
    }
    rc = 0;
out:
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

int veil__siv_decrypt(const unsigned char *key, size_t keylen, const veil__siv_ad_t *ad, size_t nad,
                      const unsigned char *in, size_t inlen, unsigned char *pt)
{
    const EVP_CIPHER *c = siv_cipher(keylen);
    EVP_CIPHER_CTX *ctx;
    unsigned char tag[VEIL__SIV_TAG];
    int outl = 0, fin = 0, rc = -EINVAL;
    size_t len;

    if (c == NULL || inlen < VEIL__SIV_TAG || inlen - VEIL__SIV_TAG > (size_t)INT32_MAX ||
        (ctx = EVP_CIPHER_CTX_new()) == NULL) {
        return -EINVAL;
    }
    len = inlen - VEIL__SIV_TAG;
    memcpy(tag, in, sizeof(tag));
    if (EVP_DecryptInit_ex2(ctx, c, key, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, VEIL__SIV_TAG, tag) != 1) {
        goto out;
    }
    for (size_t i = 0; i < nad; i++) {
        if (EVP_DecryptUpdate(ctx, NULL, &outl, ad[i].p, (int)ad[i].len) != 1) {
            goto out;
        }
    }
    /* SIV checks the tag as it decrypts: a failed update or final means
       the bytes are not authentic, and what was written is wiped. */
    rc = -EBADMSG;
    if (EVP_DecryptUpdate(ctx, pt, &outl, in + VEIL__SIV_TAG, (int)len) != 1 ||
        EVP_DecryptFinal_ex(ctx, pt + outl, &fin) != 1) {
        OPENSSL_cleanse(pt, len);
        goto out;
    }
    rc = 0;
out:
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

/* ---- FF1 ---------------------------------------------------------------- */

#define NUMBYTES 264 /* b <= ceil(128 numerals * 16 bits / 8) = 256, d = b + 4..8 */
#define LIMBS ((NUMBYTES + 16 + 3) / 4 + 1)

/*
 * Big numbers as big-endian arrays of 32-bit limbs. Numerals move in
 * groups of k, radix^k the largest power that fits 32 bits, so a string
 * costs one limb pass per k numerals rather than one byte pass per
 * numeral.
 */
typedef struct {
    unsigned k;   /* numerals per group */
    uint64_t pow; /* radix^k <= 2^32 */
} group_t;

static group_t group_of(unsigned radix)
{
    group_t g = {0, 1};
    while (g.pow * radix <= ((uint64_t)1 << 32)) {
        g.pow *= radix;
        g.k++;
    }
    return g;
}

/* x = x * mul + add over <n> limbs (mul <= 2^32, add < mul): each step
   is below (2^32 - 1) * 2^32 + 2^32, so 64 bits hold it. */
static void limbs_mul_add(uint32_t *x, size_t n, uint64_t mul, uint64_t add)
{
    uint64_t carry = add;
    for (size_t i = n; i-- > 0;) {
        uint64_t v = (uint64_t)x[i] * mul + carry;
        x[i] = (uint32_t)v;
        carry = v >> 32;
    }
}

/* x = x / div over <n> limbs (div <= 2^32); returns the remainder. The
   remainder is below div, so (rem << 32 | limb) fits 64 bits. */
static uint64_t limbs_div(uint32_t *x, size_t n, uint64_t div)
{
    uint64_t rem = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t v = (rem << 32) | x[i];
        x[i] = (uint32_t)(v / div);
        rem = v % div;
    }
    return rem;
}

/* [NUM_radix(X)]^b: the <len> numerals as a <b>-byte big-endian number. */
static void num_to_bytes(const uint16_t *x, size_t len, unsigned radix, group_t g,
                         unsigned char *out, size_t b)
{
    uint32_t w[LIMBS];
    size_t n = (b + 3) / 4, k = 0;

    memset(w, 0, n * sizeof(*w));
    while (k < len) {
        uint64_t acc = 0, mul = 1;
        for (size_t j = 0; j < g.k && k < len; j++, k++) {
            acc = acc * radix + x[k];
            mul *= radix;
        }
        limbs_mul_add(w, n, mul, acc);
    }
    for (size_t i = 0; i < b; i++) {
        size_t bit = 8 * (b - 1 - i);
        out[i] = (unsigned char)(w[n - 1 - bit / 32] >> (bit % 32));
    }
    OPENSSL_cleanse(w, sizeof(w));
}

/* The lowest <m> base-radix numerals of the <len>-byte number <s>, most
   significant first: NUM(S) mod radix^m as a string. */
static void low_numerals(const unsigned char *s, size_t len, unsigned radix, group_t g,
                         uint16_t *out, size_t m)
{
    uint32_t w[LIMBS];
    size_t n = (len + 3) / 4, pad = 4 * n - len, got = 0;

    memset(w, 0, n * sizeof(*w));
    for (size_t i = 0; i < len; i++) {
        size_t at = pad + i;
        w[at / 4] |= (uint32_t)s[i] << (8 * (3 - at % 4));
    }
    while (got < m) {
        uint64_t r = limbs_div(w, n, g.pow);
        for (unsigned j = 0; j < g.k && got < m; j++, got++) {
            out[m - 1 - got] = (uint16_t)(r % radix);
            r /= radix;
        }
    }
    OPENSSL_cleanse(w, sizeof(w));
}

int veil__ff1_domain_ok(unsigned radix, size_t len)
{
    unsigned long long dom = 1;
    if (radix < 2 || radix > VEIL__FF1_MAX_RADIX || len < 2 || len > VEIL__FF1_MAX_LEN) {
        return 0;
    }
    for (size_t k = 0; k < len && dom < VEIL__FF1_MIN_DOMAIN; k++) {
        dom *= radix;
    }
    return dom >= VEIL__FF1_MIN_DOMAIN;
}

/* b = ceil(ceil(v * log2(radix)) / 8): the bytes of radix^v - 1, found
   exactly rather than through a floating-point logarithm. */
static size_t ff1_b(unsigned radix, size_t v, group_t g)
{
    uint32_t w[LIMBS];
    size_t n = LIMBS, k, bits;

    memset(w, 0, sizeof(w));
    w[n - 1] = 1;
    for (k = 0; k + g.k <= v; k += g.k) {
        limbs_mul_add(w, n, g.pow, 0);
    }
    for (; k < v; k++) {
        limbs_mul_add(w, n, radix, 0);
    }
    /* minus one */
    for (k = n; k-- > 0;) {
        if (w[k]--) {
            break;
        }
    }
    for (k = 0; k < n && w[k] == 0; k++) {
    }
    if (k == n) {
        return 0;
    }
    bits = 32 * (n - 1 - k) + (32 - (size_t)__builtin_clz(w[k]));
    return (bits + 7) / 8;
}

typedef struct {
    EVP_CIPHER_CTX *ctx;
    group_t g;
    unsigned radix;
    size_t n, u, v, b, d;
    unsigned char p[16];
    const unsigned char *tweak;
    size_t tlen;
} ff1_t;

/* Fetched once, as the SIV ciphers are: an implicit fetch per call
   costs more than the ten rounds of FF1 themselves. */
static EVP_CIPHER *ecb_ciphers[3];
static pthread_once_t ecb_once = PTHREAD_ONCE_INIT;

static void ecb_fetch(void)
{
    ecb_ciphers[0] = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
    ecb_ciphers[1] = EVP_CIPHER_fetch(NULL, "AES-192-ECB", NULL);
    ecb_ciphers[2] = EVP_CIPHER_fetch(NULL, "AES-256-ECB", NULL);
}

static const EVP_CIPHER *aes_ecb(size_t keylen)
{
    pthread_once(&ecb_once, ecb_fetch);
    return keylen == 16   ? ecb_ciphers[0]
           : keylen == 24 ? ecb_ciphers[1]
           : keylen == 32 ? ecb_ciphers[2]
                          : NULL;
}

static int ciph(ff1_t *f, unsigned char blk[16])
{
    int outl = 0;
    return EVP_EncryptUpdate(f->ctx, blk, &outl, blk, 16) == 1 && outl == 16 ? 0 : -EINVAL;
}

static int ff1_setup(ff1_t *f, const unsigned char *key, size_t keylen, unsigned radix,
                     const unsigned char *tweak, size_t tlen, const uint16_t *in, size_t n)
{
    const EVP_CIPHER *c = aes_ecb(keylen);

    memset(f, 0, sizeof(*f));
    if (c == NULL || !veil__ff1_domain_ok(radix, n) || tlen > VEIL__FF1_MAX_TWEAK) {
        return -EINVAL;
    }
    for (size_t k = 0; k < n; k++) {
        if (in[k] >= radix) {
            return -EINVAL;
        }
    }
    f->radix = radix;
    f->n = n;
    f->u = n / 2;
    f->v = n - f->u;
    f->g = group_of(radix);
    f->b = ff1_b(radix, f->v, f->g);
    f->d = 4 * ((f->b + 3) / 4) + 4;
    f->tweak = tweak;
    f->tlen = tlen;
    /* P = [1]^1 || [2]^1 || [1]^1 || [radix]^3 || [10]^1 || [u mod 256]^1
           || [n]^4 || [t]^4 */
    f->p[0] = 1;
    f->p[1] = 2;
    f->p[2] = 1;
    f->p[3] = (unsigned char)(radix >> 16);
    f->p[4] = (unsigned char)(radix >> 8);
    f->p[5] = (unsigned char)radix;
    f->p[6] = 10;
    f->p[7] = (unsigned char)(f->u & 0xff);
    for (int k = 0; k < 4; k++) {
        f->p[8 + k] = (unsigned char)(n >> (24 - 8 * k));
        f->p[12 + k] = (unsigned char)(tlen >> (24 - 8 * k));
    }
    f->ctx = EVP_CIPHER_CTX_new();
    if (f->ctx == NULL || EVP_EncryptInit_ex2(f->ctx, c, key, NULL, NULL) != 1) {
        EVP_CIPHER_CTX_free(f->ctx);
        f->ctx = NULL;
        return -EINVAL;
    }
    EVP_CIPHER_CTX_set_padding(f->ctx, 0);
    return 0;
}

/*
 * One round's y, as its lowest <m> base-radix digits in <ydig>: Q = T ||
 * [0]^((-t-b-1) mod 16) || [i]^1 || [NUM_radix(X)]^b, R = PRF(P || Q),
 * S = the first d bytes of R || CIPH(R xor [1]) || CIPH(R xor [2]) ...
 */
static int ff1_round(ff1_t *f, unsigned i, const uint16_t *x, size_t xlen, uint16_t *ydig, size_t m)
{
    unsigned char q[VEIL__FF1_MAX_TWEAK + 16 + 1 + NUMBYTES];
    unsigned char r[16], s[NUMBYTES + 16], blk[16];
    size_t pad = (16 - ((f->tlen + f->b + 1) % 16)) % 16, qlen = 0, k;
    int rc = -EINVAL;

    if (f->tlen) {
        memcpy(q, f->tweak, f->tlen);
    }
    qlen = f->tlen;
    memset(q + qlen, 0, pad);
    qlen += pad;
    q[qlen++] = (unsigned char)i;
    num_to_bytes(x, xlen, f->radix, f->g, q + qlen, f->b);
    qlen += f->b;

    /* PRF: CBC-MAC with a zero IV over P || Q (a whole number of blocks). */
    memcpy(r, f->p, 16);
    if (ciph(f, r) != 0) {
        goto out;
    }
    for (k = 0; k < qlen; k += 16) {
        for (int j = 0; j < 16; j++) {
            r[j] ^= q[k + j];
        }
        if (ciph(f, r) != 0) {
            goto out;
        }
    }
    memcpy(s, r, 16);
    for (size_t j = 1; 16 * j < f->d; j++) {
        memcpy(blk, r, 16);
        /* [j]^16: j as a 16-byte big-endian number */
        blk[15] ^= (unsigned char)j;
        blk[14] ^= (unsigned char)(j >> 8);
        if (ciph(f, blk) != 0) {
            goto out;
        }
        memcpy(s + 16 * j, blk, 16);
    }
    /* y = NUM(S[1..d]); only y mod radix^m matters. */
    low_numerals(s, f->d, f->radix, f->g, ydig, m);
    rc = 0;
out:
    OPENSSL_cleanse(q, sizeof(q));
    OPENSSL_cleanse(s, sizeof(s));
    OPENSSL_cleanse(r, sizeof(r));
    OPENSSL_cleanse(blk, sizeof(blk));
    return rc;
}

int veil__ff1_encrypt(const unsigned char *key, size_t keylen, unsigned radix,
                      const unsigned char *tweak, size_t tlen, const uint16_t *in, uint16_t *out,
                      size_t n)
{
    uint16_t a[VEIL__FF1_MAX_LEN], b[VEIL__FF1_MAX_LEN], y[VEIL__FF1_MAX_LEN];
    size_t alen, blen;
    ff1_t f;
    int rc = ff1_setup(&f, key, keylen, radix, tweak, tlen, in, n);

    if (rc != 0) {
        return rc;
    }
    alen = f.u;
    blen = f.v;
    memcpy(a, in, alen * sizeof(*a));
    memcpy(b, in + alen, blen * sizeof(*b));
    for (unsigned i = 0; i < 10 && rc == 0; i++) {
        size_t m = (i % 2 == 0) ? f.u : f.v;
        if ((rc = ff1_round(&f, i, b, blen, y, m)) != 0) {
            break;
        }
        /* C = STR^m_radix((NUM_radix(A) + y) mod radix^m); A = B; B = C.
           A has m numerals here (u on even rounds, v on odd ones). */
        unsigned carry = 0;
        for (size_t k = m; k-- > 0;) {
            unsigned s = (unsigned)a[k] + y[k] + carry;
            carry = s >= radix;
            y[k] = (uint16_t)(carry ? s - radix : s);
        }
        memcpy(a, b, blen * sizeof(*a));
        alen = blen;
        memcpy(b, y, m * sizeof(*b));
        blen = m;
    }
    if (rc == 0) {
        memcpy(out, a, alen * sizeof(*out));
        memcpy(out + alen, b, blen * sizeof(*out));
    }
    EVP_CIPHER_CTX_free(f.ctx);
    OPENSSL_cleanse(a, sizeof(a));
    OPENSSL_cleanse(b, sizeof(b));
    OPENSSL_cleanse(y, sizeof(y));
    return rc;
}

int veil__ff1_decrypt(const unsigned char *key, size_t keylen, unsigned radix,
                      const unsigned char *tweak, size_t tlen, const uint16_t *in, uint16_t *out,
                      size_t n)
{
    uint16_t a[VEIL__FF1_MAX_LEN], b[VEIL__FF1_MAX_LEN], y[VEIL__FF1_MAX_LEN];
    size_t alen, blen;
    ff1_t f;
    int rc = ff1_setup(&f, key, keylen, radix, tweak, tlen, in, n);

    if (rc != 0) {
        return rc;
    }
    alen = f.u;
    blen = f.v;
    memcpy(a, in, alen * sizeof(*a));
    memcpy(b, in + alen, blen * sizeof(*b));
    for (unsigned i = 10; i-- > 0 && rc == 0;) {
        size_t m = (i % 2 == 0) ? f.u : f.v;
        if ((rc = ff1_round(&f, i, a, alen, y, m)) != 0) {
            break;
        }
        /* C = STR^m_radix((NUM_radix(B) - y) mod radix^m); B = A; A = C.
           B has m numerals here. */
        unsigned borrow = 0;
        for (size_t k = m; k-- > 0;) {
            int s = (int)b[k] - (int)y[k] - (int)borrow;
            borrow = s < 0;
            y[k] = (uint16_t)(borrow ? s + (int)radix : s);
        }
        memcpy(b, a, alen * sizeof(*b));
        blen = alen;
        memcpy(a, y, m * sizeof(*a));
        alen = m;
    }
    if (rc == 0) {
        memcpy(out, a, alen * sizeof(*out));
        memcpy(out + alen, b, blen * sizeof(*out));
    }
    EVP_CIPHER_CTX_free(f.ctx);
    OPENSSL_cleanse(a, sizeof(a));
    OPENSSL_cleanse(b, sizeof(b));
    OPENSSL_cleanse(y, sizeof(y));
    return rc;
}
