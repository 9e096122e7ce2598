/*
 * Tagged tokens: tok-<key id>-<type>-<payload>.
 *
 *   key id   [a-z0-9_]{1,24}   the slot key's id
 *   type     [a-z0-9_]{1,64}   the detector id
 *   payload  [a-z2-7]{28,}     base32 (RFC 4648, lower case, no padding)
 *                              of V || C = AES-256-SIV(form || value),
 *                              canonical: unused trailing bits are zero
 *
 * '-' appears only as the separator, so the parts split without doubt,
 * and the token is one word of [A-Za-z0-9_-] (found again in free text
 * as a word, the end of one, or glued to a '-' that follows it: the
 * payload cannot hold one, so "tok-k1-email-<payload>-9f2c" in a URL
 * slug ends where the payload does). The form byte says how the value was written: 0 as
 * is, 1 a bare JSON token (the token was quoted). The associated data
 * are "veil-tok-1", the key id and the type: a token moved to another
 * type or key fails authentication.
 */
#include <errno.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "tokens_crypto.h"
#include "tokens_int.h"
#include "veil/veil.h"

static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
static const char ad_label[] = "veil-tok-1";

#define PAYLOAD_MIN_BYTES (VEIL__SIV_TAG + 1)
#define PAYLOAD_MAX_BYTES (VEIL__SIV_TAG + 1 + VEIL_TOKEN_VALUE_MAX)

static int b32_value(int c)
{
    if (c >= 'a' && c <= 'z') {
        return c - 'a';
    }
    if (c >= '2' && c <= '7') {
        return c - '2' + 26;
    }
    return -1;
}

static size_t b32_len(size_t bytes)
{
    return (bytes * 8 + 4) / 5;
}

static size_t b32_encode(const unsigned char *in, size_t n, char *out)
{
    size_t o = 0;
    unsigned acc = 0, bits = 0;
    for (size_t k = 0; k < n; k++) {
        acc = (acc << 8) | in[k];
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out[o++] = b32[(acc >> bits) & 31];
        }
    }
    if (bits) {
        out[o++] = b32[(acc << (5 - bits)) & 31];
    }
    return o;
}

/* Decodes <len> characters into <out>; -1 unless canonical (a length a
   whole number of bytes gives, unused trailing bits zero). */
static long b32_decode(const char *in, size_t len, unsigned char *out)
{
    static const unsigned char rem_ok[8] = {1, 0, 1, 0, 1, 1, 0, 1};
    unsigned acc = 0, bits = 0;
    size_t o = 0;

    if (!rem_ok[len % 8]) {
        return -1;
    }
    for (size_t k = 0; k < len; k++) {
        int v = b32_value((unsigned char)in[k]);
        if (v < 0) {
            return -1;
        }
        acc = (acc << 5) | (unsigned)v;
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    if (bits && (acc & ((1u << bits) - 1)) != 0) {
        return -1;
    }
    return (long)o;
}

static int name_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

int veil_token_parse(const char *p, size_t len, veil_token_parts_t *parts)
{
    size_t k = 4, start;

    if (len < 4 + 1 + 1 + 1 + 1 + b32_len(PAYLOAD_MIN_BYTES) || memcmp(p, "tok-", 4) != 0) {
        return 0;
    }
    start = k;
    while (k < len && name_char((unsigned char)p[k])) {
        k++;
    }
    if (k == start || k - start > VEIL_TOKEN_KEY_ID_MAX || k == len || p[k] != '-') {
        return 0;
    }
    parts->key = p + start;
    parts->key_len = k - start;
    start = ++k;
    while (k < len && name_char((unsigned char)p[k])) {
        k++;
    }
    if (k == start || k - start > VEIL_TOKEN_TYPE_MAX || k == len || p[k] != '-') {
        return 0;
    }
    parts->type = p + start;
    parts->type_len = k - start;
    start = ++k;
    while (k < len && b32_value((unsigned char)p[k]) >= 0) {
        k++;
    }
    if (k != len || k - start < b32_len(PAYLOAD_MIN_BYTES) ||
        k - start > b32_len(PAYLOAD_MAX_BYTES)) {
        return 0;
    }
    parts->payload = p + start;
    parts->payload_len = k - start;
    /* Canonical length: one a whole number of bytes gives. */
    {
        static const unsigned char rem_ok[8] = {1, 0, 1, 0, 1, 1, 0, 1};
        return rem_ok[parts->payload_len % 8];
    }
}


/* A byte that continues a word of text: what may not follow a token
   (but '-'). */
static int word_byte(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}


/* The end of a run of bytes <ok> accepts at p[k..len), at most <max>
   long: the index of the first byte it does not accept, or <len>. */
static size_t run_end(const char *p, size_t len, size_t k, size_t max, int (*ok)(int))
{
    size_t start = k;

    while (k < len && k - start <= max && ok((unsigned char)p[k])) {
        k++;
    }
    return k;
}


static int b32_char(int c)
{
    return b32_value(c) >= 0;
}


long veil_token_scan(const char *p, size_t len, int more, veil_token_parts_t *parts)
{
    size_t k, start;

    if (len < 4) {
        /* A "tok-" cut by the end of the bytes so far. */
        return more && memcmp(p, "tok-", len) == 0 ? -1 : 0;
    }
    if (memcmp(p, "tok-", 4) != 0) {
        return 0;
    }
    /* Key and type: a name, then '-'. */
    k = 4;
    for (int part = 0; part < 2; part++) {
        size_t max = part == 0 ? VEIL_TOKEN_KEY_ID_MAX : VEIL_TOKEN_TYPE_MAX;

        start = k;
        k = run_end(p, len, k, max, name_char);
        if (k == len && k - start <= max) {
            return more ? -1 : 0;
        }
        if (k == start || k - start > max || p[k] != '-') {
            return 0;
        }
        k++;
    }
    /* The payload runs to the first byte base32 has not. */
    start = k;
    k = run_end(p, len, k, b32_len(PAYLOAD_MAX_BYTES), b32_char);
    if (k - start > b32_len(PAYLOAD_MAX_BYTES)) {
        return 0;
    }
    if (k == len && more) {
        return -1;
    }
    if (k < len && p[k] != '-' && word_byte((unsigned char)p[k])) {
        return 0; /* the word goes on: the token would be part of it */
    }
    return veil_token_parse(p, k, parts) ? (long)k : 0;
}

static void set_ad(veil__siv_ad_t ad[3], const char *key, size_t key_len, const char *type,
                   size_t type_len)
{
    ad[0].p = ad_label;
    ad[0].len = sizeof(ad_label) - 1;
    ad[1].p = key;
    ad[1].len = key_len;
    ad[2].p = type;
    ad[2].len = type_len;
}

long veil_token_tagged_make(const veil_token_ring_t *ring, int key, const char *type, int bare,
                            const char *raw, size_t len, char *out, size_t cap)
{
    const veil__ring_key_t *k;
    unsigned char *buf;
    veil__siv_ad_t ad[3];
    size_t tlen = strlen(type), n = 0;
    long rc;

    if (ring == NULL || key < 0 || (size_t)key >= ring->n) {
        return -EINVAL;
    }
    k = &ring->keys[key];
    if (k->state == VEIL_KEY_RETIRED || tlen == 0 || tlen > VEIL_TOKEN_TYPE_MAX) {
        return -EINVAL;
    }
    for (size_t i = 0; i < tlen; i++) {
        if (!name_char((unsigned char)type[i])) {
            return -EINVAL;
        }
    }
    if (len > VEIL_TOKEN_VALUE_MAX) {
        return VEIL_ELIMIT;
    }
    if (cap < 4 + k->id_len + 1 + tlen + 1 + b32_len(PAYLOAD_MIN_BYTES + len)) {
        return -ENOSPC;
    }
    /* The plaintext (form byte and value) and then V || C, in one buffer
       wiped after use: on the stack for the short values most are. */
    unsigned char small[512];
    buf = 2 * (PAYLOAD_MIN_BYTES + len) <= sizeof(small) ? small
                                                         : malloc(2 * (PAYLOAD_MIN_BYTES + len));
    if (buf == NULL) {
        return -ENOMEM;
    }
    buf[0] = bare ? 1 : 0;
    if (len) {
        memcpy(buf + 1, raw, len);
    }
    set_ad(ad, k->id, k->id_len, type, tlen);
    rc = veil__siv_encrypt(k->siv, sizeof(k->siv), ad, 3, buf, 1 + len,
                           buf + PAYLOAD_MIN_BYTES + len);
    if (rc == 0) {
        memcpy(out, "tok-", 4);
        n = 4;
        memcpy(out + n, k->id, k->id_len);
        n += k->id_len;
        out[n++] = '-';
        memcpy(out + n, type, tlen);
        n += tlen;
        out[n++] = '-';
        n += b32_encode(buf + PAYLOAD_MIN_BYTES + len, PAYLOAD_MIN_BYTES + len, out + n);
        rc = (long)n;
    }
    OPENSSL_cleanse(buf, 2 * (PAYLOAD_MIN_BYTES + len));
    if (buf != small) {
        free(buf);
    }
    return rc;
}

long veil_token_tagged_open(const veil_token_ring_t *ring, const char *tok, size_t len, char *out,
                            size_t cap, int *key, int *bare)
{
    veil_token_parts_t parts;
    const veil__ring_key_t *k;
    unsigned char *buf;
    veil__siv_ad_t ad[3];
    long n, rc;
    int i;

    if (key) {
        *key = -1;
    }
    if (!veil_token_parse(tok, len, &parts)) {
        return VEIL_ESYNTAX;
    }
    i = veil_token_ring_find(ring, parts.key, parts.key_len);
    if (key) {
        *key = i;
    }
    if (i < 0) {
        return VEIL_ETOKEN_KEY;
    }
    k = &ring->keys[i];
    if (k->state == VEIL_KEY_RETIRED) {
        return VEIL_ETOKEN_RETIRED;
    }
    /* V || C, then the plaintext: sized by the payload, on the stack for
       the short tokens most are. */
    unsigned char small[512];
    size_t half = parts.payload_len * 5 / 8 + 1;
    buf = 2 * half <= sizeof(small) ? small : malloc(2 * half);
    if (buf == NULL) {
        return -ENOMEM;
    }
    n = b32_decode(parts.payload, parts.payload_len, buf);
    if (n < PAYLOAD_MIN_BYTES) {
        rc = VEIL_ESYNTAX;
        goto out;
    }
    set_ad(ad, k->id, k->id_len, parts.type, parts.type_len);
    if (veil__siv_decrypt(k->siv, sizeof(k->siv), ad, 3, buf, (size_t)n, buf + half) != 0) {
        rc = VEIL_ETOKEN_AUTH;
        goto out;
    }
    /* Authentic, so written by a holder of the key; a form byte this
       version does not know is still refused rather than guessed. */
    if (buf[half] > 1) {
        rc = VEIL_ETOKEN_AUTH;
        goto out;
    }
    if ((size_t)n - PAYLOAD_MIN_BYTES > cap) {
        rc = -ENOSPC;
        goto out;
    }
    if (bare) {
        *bare = buf[half];
    }
    rc = n - PAYLOAD_MIN_BYTES;
    memcpy(out, buf + half + 1, (size_t)rc);
out:
    OPENSSL_cleanse(buf, 2 * half);
    if (buf != small) {
        free(buf);
    }
    return rc;
}
