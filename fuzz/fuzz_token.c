/*
 * Fuzz target for tokens as they are read back: the tagged-token grammar
 * and stream on arbitrary text, genuine tokens with bytes changed, and
 * FPE tokens on arbitrary values. The first byte picks the case.
 *
 * Invariants:
 *   - text goes through the detokenize stream byte for byte, in any
 *     chunking, and nothing is restored: no input the fuzzer can make
 *     without the key is accepted as a token (a forged token);
 *   - whatever the single-value opener accepts is exactly the token the
 *     key makes for the value it returns (no second spelling);
 *   - a genuine token opens to its value; with one byte changed it opens
 *     to nothing, or it is the same token;
 *   - an FPE card, IBAN or e-mail token that opens makes the same token
 *     again from its value (the mapping is a bijection on what it takes).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "veil/tokens.h"
#include "veil/veil.h"

#define FUZZ_ASSERT(cond)                                                                \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                     \
        }                                                                                \
    } while (0)

/* Three rings with the same ids and slots and other bytes. <ring> makes
   the tokens of the single-value cases (seeds may hold its tokens);
   <blind> never makes a token, so nothing the fuzzer writes can open
   under it; <rt> makes tokens only inside roundtrip_case(), never kept
   in an input. */
static veil_token_ring_t *ring, *blind, *rt;
static veil_tokens_t tokens, blind_tokens, rt_tokens;

static veil_token_ring_t *make_ring(unsigned char fill)
{
    static veil_hash_key_t k[3];
    const veil_hash_key_t *kp[3] = {&k[0], &k[1], &k[2]};
    static const char *const ids[3] = {"k1", "k2", "old"};
    char err[128];

    for (int i = 0; i < 3; i++) {
        k[i].id = ids[i];
        k[i].slot = i + 1;
        k[i].state = i == 0 ? VEIL_KEY_ACTIVE : i == 1 ? VEIL_KEY_DECRYPT_ONLY : VEIL_KEY_RETIRED;
        k[i].len = VEIL_TOKEN_KEY_BYTES;
        memset(k[i].bytes, fill * (i + 1), VEIL_TOKEN_KEY_BYTES);
    }
    veil_token_ring_t *r = veil_token_ring_new(kp, 3, err, sizeof(err));
    FUZZ_ASSERT(r != NULL);
    return r;
}

static void init(void)
{
    ring = make_ring(0x11);
    blind = make_ring(0x23);
    tokens.ring = ring;
    tokens.issue = 0;
    tokens.rewrap_from = -1;
    blind_tokens = tokens;
    blind_tokens.ring = blind;
    rt = make_ring(0x37);
    rt_tokens = tokens;
    rt_tokens.ring = rt;
}

typedef struct {
    unsigned char *p;
    size_t len, cap;
} sink_t;

static int sink_write(void *ud, const char *data, size_t len)
{
    sink_t *s = ud;
    if (len == 0) {
        return 0;
    }
    if (s->len + len > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        while (cap < s->len + len) {
            cap *= 2;
        }
        unsigned char *p = realloc(s->p, cap);
        FUZZ_ASSERT(p != NULL);
        s->p = p;
        s->cap = cap;
    }
    memcpy(s->p + s->len, data, len);
    s->len += len;
    return 0;
}

/* Arbitrary text through the stream in chunks the input chooses. */
static void stream_case(const uint8_t *data, size_t size)
{
    static veil_token_stats_t stats;
    veil_token_stats_t *st = &stats;
    sink_t out = {0};
    size_t step = size ? 1 + data[0] % 17 : 1;
    veil_token_stream_t *s =
        veil_token_stream_new(&blind_tokens, VEIL_TOKEN_OP_DETOKENIZE, st, sink_write, &out);
    FUZZ_ASSERT(st != NULL && s != NULL);
    for (size_t off = 0; off < size; off += step) {
        size_t n = size - off < step ? size - off : step;
        FUZZ_ASSERT(veil_token_stream_feed(s, data + off, n) == 0);
    }
    FUZZ_ASSERT(veil_token_stream_finish(s) == 0);
    FUZZ_ASSERT(out.len == size && (size == 0 || memcmp(out.p, data, size) == 0));
    for (unsigned t = 0; t < VEIL_TOKEN_STAT_TYPES; t++) {
        for (int k = 0; k <= VEIL_TOKEN_SLOTS; k++) {
            FUZZ_ASSERT(st->reversed[t][k][VEIL_TOKEN_RESTORED] == 0);
        }
    }
    veil_token_stream_free(s);
    free(out.p);
    for (unsigned t = 0; t < VEIL_TOKEN_STAT_TYPES; t++) {
        memset(st->reversed[t], 0, sizeof(st->reversed[t]));
    }
}

/* Text, a genuine token, text: the stream gives the value back in
   place, whatever the chunking. */
static void roundtrip_case(const uint8_t *data, size_t size)
{
    static char tok[VEIL_TOKEN_MAX_LEN + 8];
    sink_t out = {0}, want = {0};
    if (size < 4) {
        return;
    }
    size_t step = 1 + data[0] % 13, a = data[1] % (size - 3 + 1), b = data[2] % (size - 3 + 1);
    const char *p = (const char *)data + 3;
    size_t lo = a < b ? a : b, hi = a < b ? b : a;
    /* prefix = p[0, lo), value = p[lo, hi), suffix = p[hi, size - 3) */
    long n = veil_token_tagged_make(rt, 0, "email", 0, p + lo, hi - lo, tok, sizeof(tok));
    FUZZ_ASSERT(n > 0);
    veil_token_stream_t *s =
        veil_token_stream_new(&rt_tokens, VEIL_TOKEN_OP_DETOKENIZE, NULL, sink_write, &out);
    FUZZ_ASSERT(s != NULL);
    sink_write(&want, p, lo);
    sink_write(&want, " ", 1);
    sink_write(&want, tok, (size_t)n);
    sink_write(&want, " ", 1);
    sink_write(&want, p + hi, size - 3 - hi);
    for (size_t off = 0; off < want.len; off += step) {
        size_t m = want.len - off < step ? want.len - off : step;
        FUZZ_ASSERT(veil_token_stream_feed(s, want.p + off, m) == 0);
    }
    FUZZ_ASSERT(veil_token_stream_finish(s) == 0);
    want.len = 0;
    sink_write(&want, p, lo);
    sink_write(&want, " ", 1);
    sink_write(&want, p + lo, hi - lo);
    sink_write(&want, " ", 1);
    sink_write(&want, p + hi, size - 3 - hi);
    FUZZ_ASSERT(out.len == want.len && memcmp(out.p, want.p, want.len) == 0);
    veil_token_stream_free(s);
    free(out.p);
    free(want.p);
}

/* Whatever opens is exactly what the key makes for its value. */
static void open_case(const uint8_t *data, size_t size)
{
    static char val[VEIL_TOKEN_OUT_CAP(VEIL_TOKEN_VALUE_MAX)], again[VEIL_TOKEN_MAX_LEN + 8];
    veil_token_parts_t parts;
    int key = -1, bare = 0;
    long n = veil_token_tagged_open(ring, (const char *)data, size, val, sizeof(val), &key, &bare);
    if (!veil_token_parse((const char *)data, size, &parts)) {
        FUZZ_ASSERT(n == VEIL_ESYNTAX);
        return;
    }
    if (n >= 0) {
        char type[VEIL_TOKEN_TYPE_MAX + 1];
        memcpy(type, parts.type, parts.type_len);
        type[parts.type_len] = '\0';
        long m =
            veil_token_tagged_make(ring, key, type, bare, val, (size_t)n, again, sizeof(again));
        FUZZ_ASSERT(m == (long)size && memcmp(again, data, size) == 0);
    } else {
        FUZZ_ASSERT(n == VEIL_ESYNTAX || n == VEIL_ETOKEN_KEY || n == VEIL_ETOKEN_RETIRED ||
                    n == VEIL_ETOKEN_AUTH);
    }
}

/* A genuine token of the input, then with one byte changed. */
static void mutate_case(const uint8_t *data, size_t size)
{
    static char tok[VEIL_TOKEN_MAX_LEN + 8], val[VEIL_TOKEN_OUT_CAP(VEIL_TOKEN_VALUE_MAX)];
    static const char *const types[] = {"email", "credit_card", "us_ssn", "x"};
    if (size < 3) {
        return;
    }
    int key = data[0] & 1, bare = (data[0] >> 1) & 1;
    size_t pos = data[1];
    unsigned char to = data[2];
    const char *type = types[(data[0] >> 2) & 3];
    const char *value = (const char *)data + 3;
    size_t vlen = size - 3;
    if (vlen > VEIL_TOKEN_VALUE_MAX) {
        return;
    }
    long n = veil_token_tagged_make(ring, key, type, bare, value, vlen, tok, sizeof(tok));
    if (key == 1) {
        /* k2 is decrypt_only: it still makes tokens for rewrap. */
        FUZZ_ASSERT(n > 0);
    }
    FUZZ_ASSERT(n > 0);
    int k = -1, b = -1;
    long m = veil_token_tagged_open(ring, tok, (size_t)n, val, sizeof(val), &k, &b);
    FUZZ_ASSERT(m == (long)vlen && k == key && b == bare && memcmp(val, value, vlen) == 0);
    pos %= (size_t)n;
    if ((unsigned char)tok[pos] == to) {
        return;
    }
    tok[pos] = (char)to;
    m = veil_token_tagged_open(ring, tok, (size_t)n, val, sizeof(val), &k, &b);
    FUZZ_ASSERT(m < 0);
}

/* FPE tokens: what opens makes the same token again. */
static void fpe_case(const uint8_t *data, size_t size)
{
    static const char *const types[] = {"credit_card", "iban", "email"};
    char out[512], again[512];
    if (size < 1 || size > 200) {
        return;
    }
    const char *type = types[data[0] % 3];
    veil_format_t fmt = (veil_format_t)((data[0] / 3) % 3);
    int used = -1;
    long n = veil_token_fpe_open(ring, -1, type, fmt, (const char *)data + 1, size - 1, out,
                                 sizeof(out), &used);
    if (n < 0) {
        return;
    }
    FUZZ_ASSERT(used >= 0);
    long m = veil_token_fpe_make(ring, used, type, fmt, out, (size_t)n, again, sizeof(again));
    int same = m == (long)size - 1 && memcmp(again, data + 1, size - 1) == 0;
    /* An e-mail token's tag is "%2Bvt<slot>" in a form and "+vt<slot>"
       elsewhere; both open, each is made in its own format (and "%2b"
       opens too: the same escape in lower case). */
    if (!same && data[0] % 3 == 2) {
        char in[512];
        memcpy(in, data + 1, size - 1);
        /* Only the tag: "%2bvt" and a digit right before the last @ (as
           it is, %40 or \u0040), the one the opener takes. */
        size_t len = size - 1, at = len;
        for (size_t k = len; k-- > 0 && at == len;) {
            if (in[k] == '@' || (k + 3 <= len && memcmp(in + k, "%40", 3) == 0) ||
                (k + 6 <= len && memcmp(in + k, "\\u0040", 6) == 0)) {
                at = k;
            }
        }
        if (at >= 6 && at < len && memcmp(in + at - 6, "%2bvt", 5) == 0) {
            in[at - 4] = 'B';
        }
        for (int f = 0; f < 3 && !same; f++) {
            m = veil_token_fpe_make(ring, used, type, (veil_format_t)f, out, (size_t)n, again,
                                    sizeof(again));
            same = m == (long)size - 1 && memcmp(again, in, size - 1) == 0;
        }
    }
    FUZZ_ASSERT(same);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (ring == NULL) {
        init();
    }
    if (size == 0) {
        return 0;
    }
    switch (data[0] % 5) {
    case 4:
        roundtrip_case(data + 1, size - 1);
        break;
    case 0:
        stream_case(data + 1, size - 1);
        break;
    case 1:
        open_case(data + 1, size - 1);
        break;
    case 2:
        mutate_case(data + 1, size - 1);
        break;
    default:
        fpe_case(data + 1, size - 1);
        break;
    }
    return 0;
}
