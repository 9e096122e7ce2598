/*
 * An incremental JSON walker. It keeps the key path (the key each value
 * sits under; array items inherit their array's key), decodes string
 * escapes (\uXXXX with surrogate pairs, \/ and the rest) before detection,
 * and hands each value to value.c. Any chunking gives the same result: the
 * state between calls is all in the scanner. A sequence of documents
 * (JSON Lines) is accepted. Input that stops being JSON is scanned as text
 * from there on, so nothing escapes inspection.
 */
#include <stdio.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "names.h"
#include "scanner.h"
#include "simd.h"
#include "slot_hash.h"
#include "triggers.h"
#include "validators.h"

static int is_ws(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static veil__frame_t *top(struct veil_scanner *s)
{
    return s->depth ? &s->stack[s->depth - 1] : NULL;
}

static void to_text(struct veil_scanner *s)
{
    veil__scan_end(s);
    s->state = J_TEXT;
    s->hold = UINT64_MAX;
    veil__scan_begin(s, NULL, 0);
}

static int push(struct veil_scanner *s, int is_array)
{
    if (s->depth == VEIL__DEPTH_MAX) {
        return -1;
    }
    veil__frame_t *parent = top(s), *f = &s->stack[s->depth++];
    if (s->depth > s->depth_max) {
        s->depth_max = s->depth;
    }
    f->is_array = (uint8_t)is_array;
    f->key_len = 0;
    f->sibling_len = 0;
    f->key_class = -1;
    f->nitems = 0;
    if (is_array && parent) {
        memcpy(f->key, parent->key, parent->key_len);
        f->key_len = parent->key_len;
        f->key_class = parent->key_class;
    }
    return 0;
}

/*
 * open_value(): a value under the current key, with that key and the
 * object's last short string value as context ("number" next to
 * "type": "ca_sin"); "name" inside a product or company is no person's.
 */
size_t veil__path_step(const char *key, size_t len, char *out, size_t room)
{
    int plain = len > 0;
    size_t n = 0;

    if (len >= VEIL__KEY_MAX) {
        return 0; /* keys are kept to their first 64 bytes only */
    }
    for (size_t k = 0; k < len; k++) {
        char c = key[k];
        if (c == '\'') {
            return 0;
        }
        if (c == '.' || c == '[' || c == ']' || c == '*') {
            plain = 0;
        }
    }
    if (len + 4 > room) {
        return 0;
    }
    if (plain) {
        out[n++] = '.';
    } else {
        out[n++] = '[';
        out[n++] = '\'';
    }
    memcpy(out + n, key, len);
    n += len;
    if (!plain) {
        out[n++] = '\'';
        out[n++] = ']';
    }
    return n;
}

int veil__json_rule(struct veil_scanner *s)
{
    char path[VEIL__PATH_MAX];
    size_t n = 0;

    path[n++] = '$';
    if (s->root_key != NULL) {
        size_t w = veil__path_step(s->root_key, s->root_key_len, path + n, sizeof(path) - n);
        if (w == 0) {
            return -1;
        }
        n += w;
    }
    for (unsigned d = 0; d < s->depth; d++) {
        const veil__frame_t *f = &s->stack[d];
        if (f->is_array) {
            int w = snprintf(path + n, sizeof(path) - n, "[%u]", f->nitems ? f->nitems - 1 : 0);
            if (w < 0 || (size_t)w >= sizeof(path) - n) {
                return -1;
            }
            n += (size_t)w;
        } else {
            size_t w = veil__path_step(f->key, f->key_len, path + n, sizeof(path) - n);
            if (w == 0) {
                return -1;
            }
            n += w;
        }
    }
    return s->field_cb(s->field_ud, VEIL_PLACE_JSON, path, n);
}

static void open_value(struct veil_scanner *s, uint64_t raw)
{
    veil__frame_t *f = top(s);
    int thing = 0;

    if (s->field_cb != NULL) {
        int action = veil__json_rule(s);
        if (action >= 0) {
            veil__value_open_rule(s, action, raw);
            return;
        }
    }

    if (f == NULL) {
        /* A document's root value; in a multipart part, the part's name
           is its context. */
        veil__value_open_class(s, -1, s->root_key, s->root_key ? s->root_key_len : 0, NULL, 0, 0,
                               raw);
        return;
    }
    if (f->key_class == VEIL_D_PERSON_NAME && s->depth >= 2 && f->key_len == 4 &&
        (f->key[0] | 0x20) == 'n' && (f->key[1] | 0x20) == 'a' && (f->key[2] | 0x20) == 'm' &&
        (f->key[3] | 0x20) == 'e') {
        const veil__frame_t *parent = &s->stack[s->depth - 2];
        thing = veil__thing_key(parent->key, parent->key_len);
    }
    veil__value_open_class(s, f->key_class, f->key, f->key_len, f->sibling, f->sibling_len, thing,
                           raw);
}

/* Remembers a short scanned string value as context for its siblings.
   Called after the value closed: until then the old sibling is the
   value's own context. <scanned>: the value was scanned or held lazily
   (a sensitive field's value is no context for anything). */
static void keep_sibling(struct veil_scanner *s, int scanned)
{
    veil__frame_t *f = top(s);
    if (f && !f->is_array && scanned && s->value_dlen > 0 && s->value_dlen <= sizeof(f->sibling)) {
        memcpy(f->sibling, s->head, (size_t)s->value_dlen);
        f->sibling_len = (uint8_t)s->value_dlen;
    }
}

static void string_open(struct veil_scanner *s, uint64_t content_raw, int is_key)
{
    s->in_key = is_key;
    s->uhigh = 0;
    s->state = J_STRING;
    if (is_key) {
        s->key_len = 0;
        veil__value_open_key(s, content_raw);
        return;
    }
    open_value(s, content_raw);
}

static void string_bytes(struct veil_scanner *s, const char *dec, size_t len, uint64_t raw)
{
    if (s->in_key) {
        size_t room = sizeof(s->key) - s->key_len;
        memcpy(s->key + s->key_len, dec, len < room ? len : room);
        s->key_len += len < room ? len : room;
    }
    veil__value_bytes(s, dec, len, raw);
}

static void string_escape(struct veil_scanner *s, const char *dec, size_t dlen, uint64_t raw,
                          uint32_t rlen)
{
    if (s->in_key) {
        size_t room = sizeof(s->key) - s->key_len;
        memcpy(s->key + s->key_len, dec, dlen < room ? dlen : room);
        s->key_len += dlen < room ? dlen : room;
    }
    veil__value_escape(s, dec, dlen, raw, rlen);
}

static const char replacement[3] = {(char)0xef, (char)0xbf, (char)0xbd};

/* The byte a one-character escape stands for: \" \\ \/ \b \f \n \r \t, and
   an unknown one the character itself (never \u). */
static char escaped_char(int c)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *hit = c ? strchr(from, c) : NULL;
    return hit ? to[hit - from] : (char)c;
}

/* A high surrogate not followed by a low one decodes to U+FFFD. */
static void flush_high(struct veil_scanner *s)
{
    if (s->uhigh) {
        string_escape(s, replacement, 3, s->uhigh_start, 6);
        s->uhigh = 0;
    }
}

#ifdef __SSE2__
/* 32 bytes of 0xFF then 32 of 0: loaded from 32 - n, the mask of a key's
   first n bytes. */
static const unsigned char key_prefix[64] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
#endif

#ifndef __SSE2__
/* The first 32 bytes of the key in a frame's key buffer (64 bytes: the
   loads stay in it), zero past its length (<= 32): compared and hashed a
   word at a time (kcache_entry() keeps them in vector registers where
   there are vectors). */
static inline void key_words(const char *key, size_t len, uint64_t w[4])
{
    memcpy(w, key, 32);
    for (size_t k = 0; k < 4; k++) {
        size_t have = len > 8 * k ? len - 8 * k : 0;
        w[k] &= have >= 8 ? ~0ull : (1ull << (8 * have)) - 1;
    }
}

/* Does slot <c> hold the key <w> of <len> bytes? */
static inline int kcache_holds(const veil__kcache_t *c, const uint64_t w[4], size_t len)
{
    return c->len == len &&
           ((c->w[0] ^ w[0]) | (c->w[1] ^ w[1]) | (c->w[2] ^ w[2]) | (c->w[3] ^ w[3])) == 0;
}
#endif

/* kcache_entry()'s miss: the key <key> of <len> bytes (32 readable) takes
   the first of the two slots at <slot>, whose key moves to the second,
   and is classified. */
static __attribute__((noinline)) veil__kcache_t *kcache_fill(struct veil_scanner *s, unsigned slot,
                                                             const char *key, size_t len)
{
    veil__kcache_t *c = &s->kcache[slot];
    uint64_t *used = &s->kcache_used[slot / 64];
    const uint64_t first = 1ull << (slot % 64), second = first << 1;
    unsigned char w[32];

    if (*used & first) {
        c[1] = c[0];
        *used |= second;
    }
    *used |= first;
    memcpy(w, key, sizeof(w));
    memset(w + len, 0, sizeof(w) - len); /* as the hit path's masked words */
    memcpy(c[0].w, w, sizeof(w));
    c[0].len = (uint8_t)len;
    c[0].cls = (int8_t)veil__key_class(key, len);
    c[0].to_text = 0;
    c[0].next = 0;
    return &c[0];
}

/* The entry at <slot> found for the key after the one found last: the
   last one learns it as its successor. */
static inline veil__kcache_t *kcache_found(struct veil_scanner *s, veil__kcache_t *c, unsigned slot)
{
    if (s->kcache_last != 0) {
        s->kcache[s->kcache_last - 1].next = (uint8_t)(slot + 1);
    }
    s->kcache_last = (uint8_t)(slot + 1);
    return c;
}

/* The scanner's cache entry of the stream's key <key> of 1 to
   VEIL__KCACHE_KEY bytes (VEIL__KCACHE_KEY of them readable): two slots
   per hash, the key found last in the first; a new key is classified
   (veil__key_class()). The entry stays valid until the next call. Inline:
   the walk asks at every key, and finds nearly all. */
static inline __attribute__((always_inline)) veil__kcache_t *
kcache_entry(struct veil_scanner *s, const char *key, size_t len)
{
#ifdef __SSE2__
    /* (in vector registers from load to compare: the found key's path
       stores and reloads nothing) */
    const unsigned char *m = key_prefix + 32 - len;
    __m128i lo = _mm_and_si128(_mm_loadu_si128((const __m128i *)(const void *)key),
                               _mm_loadu_si128((const __m128i *)(const void *)m));
    __m128i hi = _mm_and_si128(_mm_loadu_si128((const __m128i *)(const void *)(key + 16)),
                               _mm_loadu_si128((const __m128i *)(const void *)(m + 16)));
#define KC_HOLDS(e)                                                                            \
    ((e)->len == len &&                                                                        \
     _mm_movemask_epi8(_mm_and_si128(                                                          \
         _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(e)->w), lo),           \
         _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)((e)->w + 2)), hi))) == \
         0xFFFF)
#else
    uint64_t w[4];
    key_words(key, len, w);
#define KC_HOLDS(e) kcache_holds((e), w, len)
#endif
    /* The key that followed the last one last time, if it is this one:
       no hash. (An entry moved or replaced since fails the comparison.) */
    if (s->kcache_last != 0) {
        const unsigned g = s->kcache[s->kcache_last - 1].next;
        if (g != 0 && (s->kcache_used[(g - 1) / 64] >> ((g - 1) % 64) & 1) &&
            KC_HOLDS(&s->kcache[g - 1])) {
            s->kcache_last = (uint8_t)g;
            return &s->kcache[g - 1];
        }
    }
#ifdef __SSE2__
    __m128i x = _mm_xor_si128(lo, _mm_srli_epi64(hi, 13));
    const uint64_t h = ((uint64_t)_mm_cvtsi128_si64(x) ^
                        ((uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(x, x)) >> 7) ^ len) *
                       0x9e3779b97f4a7c15ull;
#else
    const uint64_t h =
        (w[0] ^ (w[1] >> 7) ^ (w[2] >> 13) ^ (w[3] >> 19) ^ len) * 0x9e3779b97f4a7c15ull;
#endif
    unsigned slot = (unsigned)(h >> 57) % VEIL__KCACHE_SLOTS & ~1u;
    veil__kcache_t *c = &s->kcache[slot];
    uint64_t *used = &s->kcache_used[slot / 64];
    const uint64_t first = 1ull << (slot % 64), second = first << 1;
    if ((*used & first) && KC_HOLDS(&c[0])) {
        return kcache_found(s, &c[0], slot);
    }
    if ((*used & second) && KC_HOLDS(&c[1])) {
        return kcache_found(s, &c[1], slot + 1);
    }
#undef KC_HOLDS
    return kcache_found(s, kcache_fill(s, slot, key, len), slot);
}

/* veil__key_class() through the scanner's cache of the stream's keys. */
static int key_class_cached(struct veil_scanner *s, const char key[VEIL__KEY_MAX], size_t len)
{
    if (len == 0) {
        return -1;
    }
    if (len > VEIL__KCACHE_KEY) {
        return veil__key_class(key, len);
    }
    return kcache_entry(s, key, len)->cls;
}

/* The same for a key in a buffer of any size (the XML and multipart
   walkers' names): copied into one of the frame keys' size first. */
int veil__key_class_cached(struct veil_scanner *s, const char *key, size_t len)
{
    char buf[VEIL__KEY_MAX];
    if (len == 0 || len > VEIL__KCACHE_KEY) {
        return len == 0 ? -1 : veil__key_class(key, len);
    }
    memset(buf, 0, sizeof(buf));
    memcpy(buf, key, len);
    return key_class_cached(s, buf, len);
}

/* The key's bytes into frame <f> (at most its size; <room>: the bytes
   readable at <key>), and its length. */
static inline void key_copy(veil__frame_t *f, const char *key, size_t len, size_t room)
{
    size_t n = len < sizeof(f->key) ? len : sizeof(f->key);
    if (room >= sizeof(f->key)) {
        memcpy(f->key, key, sizeof(f->key)); /* one fixed copy */
    } else {
        memcpy(f->key, key, n);
    }
    f->key_len = (uint8_t)n;
}

/* A key was read whole (its first bytes <key>, <len> of them, with at
   least <room> bytes readable there): it names the values to come. */
static void key_done(struct veil_scanner *s, const char *key, size_t len, size_t room)
{
    veil__frame_t *f = top(s);
    if (f) {
        key_copy(f, key, len, room);
        f->key_class = (int8_t)key_class_cached(s, f->key, f->key_len);
    }
    s->in_key = 0;
    s->state = J_COLON;
}

static void string_close(struct veil_scanner *s, uint64_t raw_quote)
{
    flush_high(s);
    if (s->in_key) {
        veil__value_close(s, raw_quote, 0);
        key_done(s, s->key, s->key_len, sizeof(s->key));
        return;
    }
    int scanned = s->mode == V_SCAN || s->mode == V_LAZY;
    veil__value_close(s, raw_quote, 0);
    keep_sibling(s, scanned);
    s->state = J_AFTER;
}

static size_t utf8_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

static void unicode_done(struct veil_scanner *s)
{
    uint32_t cp = s->ucode;
    char out[4];

    if (cp >= 0xd800 && cp <= 0xdbff) {
        flush_high(s);
        s->uhigh = cp;
        s->uhigh_start = s->esc_start;
        return;
    }
    if (cp >= 0xdc00 && cp <= 0xdfff) {
        if (s->uhigh) {
            cp = 0x10000 + ((s->uhigh - 0xd800) << 10) + (cp - 0xdc00);
            s->uhigh = 0;
            string_escape(s, out, utf8_encode(cp, out), s->uhigh_start,
                          (uint32_t)(s->esc_start + 6 - s->uhigh_start));
            return;
        }
        string_escape(s, replacement, 3, s->esc_start, 6);
        return;
    }
    flush_high(s);
    string_escape(s, out, utf8_encode(cp, out), s->esc_start, 6);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The length of the longest prefix of <t> made of whole literals. Each
   literal has its own first letter, so there is one way to read it. */
static size_t literals_prefix(const char *t, size_t n)
{
    size_t at = 0;
    for (;;) {
        const char *lit = n - at < 4     ? NULL
                          : t[at] == 't' ? "true"
                          : t[at] == 'n' ? "null"
                          : t[at] == 'f' ? "false"
                                         : NULL;
        size_t l = lit != NULL ? strlen(lit) : 0;
        if (lit == NULL || n - at < l || memcmp(t + at, lit, l) != 0) {
            return at;
        }
        at += l;
    }
}

/* Appends a literal's letters to the token. A run of literals with no
   separator ("truenull": two values, as a JSON sequence parser reads
   them) can be longer than the token: its whole literals at the front
   are dropped, so the token keeps the bytes a text scan would need if
   the run turns out not to be JSON. Anything else is cut at the token's
   size (it is not JSON either way). */
static void literal_append(struct veil_scanner *s, const unsigned char *p, size_t n)
{
    while (n > 0) {
        size_t room = sizeof(s->tok) - s->tok_len;
        if (room == 0) {
            size_t whole = literals_prefix(s->tok, s->tok_len);
            if (whole == 0) {
                return;
            }
            memmove(s->tok, s->tok + whole, s->tok_len - whole);
            s->tok_len -= whole;
            s->value_raw += whole;
            continue;
        }
        size_t take = n < room ? n : room;
        memcpy(s->tok + s->tok_len, p, take);
        s->tok_len += take;
        p += take;
        n -= take;
    }
}

static void token_end(struct veil_scanner *s, uint64_t raw_end)
{
    if (s->state == J_LITERAL) {
        /* Between documents a run of them is a sequence; inside one,
           only a single literal is JSON. */
        size_t whole = literals_prefix(s->tok, s->tok_len);
        int ok = whole == s->tok_len && (s->depth == 0 || (whole == (s->tok[0] == 'f' ? 5u : 4u) &&
                                                           raw_end - s->value_raw == whole));
        s->hold = UINT64_MAX;
        s->state = J_AFTER;
        if (!ok) {
            /* Not JSON: scan the token and what follows as text. */
            uint64_t start = s->value_raw;
            to_text(s);
            veil__scan_plain(s, s->tok, s->tok_len, start);
        }
        return;
    }
    open_value(s, s->value_raw);
    s->bare_start = s->value_raw;
    s->bare_end = raw_end;
    if (s->text.reference) {
        veil__value_bytes(s, s->tok, s->tok_len, s->value_raw);
        veil__value_close(s, raw_end, VEIL_FIND_JSON_BARE);
    } else {
        /* A number starts with a digit or '-': a trigger byte. */
        veil__value_whole(s, s->tok, s->tok_len, s->value_raw, raw_end, VEIL_FIND_JSON_BARE, ~0ull,
                          -1);
    }
    s->bare_start = s->bare_end = UINT64_MAX;
    s->state = J_AFTER;
}

/* The first byte of a value; returns -1 when it cannot start one. */
static int value_start(struct veil_scanner *s, int c, uint64_t raw)
{
    veil__frame_t *parent = top(s);

    if (parent != NULL && parent->is_array) {
        parent->nitems++; /* the index field rules see */
    }
    switch (c) {
    case '"':
        string_open(s, raw + 1, 0);
        return 0;
    case '{':
        if (push(s, 0) != 0) {
            return -1;
        }
        s->state = J_KEY_OR_END;
        return 0;
    case '[':
        if (push(s, 1) != 0) {
            return -1;
        }
        s->state = J_VALUE;
        return 0;
    default:
        break;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        s->state = J_NUMBER;
    } else if (c == 't' || c == 'f' || c == 'n') {
        s->state = J_LITERAL;
    } else {
        return -1;
    }
    s->tok[0] = (char)c;
    s->tok_len = 1;
    s->value_raw = raw;
    s->hold = raw;
    return 0;
}

/* string_run(): the first '"' or '\\' at or after <i>, or <len>;
   sixteen bytes at a time. */
static size_t string_run(const unsigned char *p, size_t i, size_t len)
{
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
    while (i + 16 <= len) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)));
        if (m != 0) {
            return i + (size_t)__builtin_ctz(m);
        }
        i += 16;
    }
#endif
    while (i < len && p[i] != '"' && p[i] != '\\') {
        i++;
    }
    return i;
}

/* ---- the structure index (stage 1, json_index.h) ---- */

/*
 * The index of the feed being walked, one 64-byte block at a time. Where
 * the walker is, its state is the truth: a block is computed from the
 * walker's state at the byte the walker needs (in a string? about to read
 * an escaped byte?), and the blocks after it from the carry of the block
 * before, for as long as the walker reads JSON. When it stops (a line
 * that is not JSON), the index is dropped and seeded again after.
 */
#define JX_RING 4 /* blocks kept: the current one and three before it */

typedef struct {
    const veil__kernels_t *k;
    const unsigned char *p;
    size_t len;
    size_t base;  /* the current block's offset; SIZE_MAX: none */
    unsigned cur; /* its slot in ring */
    veil__jblock_t ring[JX_RING];
    size_t rbase[JX_RING]; /* each slot's offset; SIZE_MAX: none */
    veil__jcarry_t next;   /* the carry into the block after it */
    /* The opening quote of the value fast_walk() left at because it needs
       the text layer (jx_judge() gave 1, a verdict on its bytes alone):
       fast_string() takes the verdict rather than judging again. */
    size_t judged_open;
} jindex_t;

#define JB(x) (&(x)->ring[(x)->cur])

static void jx_init(jindex_t *x, const veil__kernels_t *k, const unsigned char *p, size_t len)
{
    x->k = k;
    x->p = p;
    x->len = len;
    x->base = SIZE_MAX;
    x->cur = 0;
    x->judged_open = SIZE_MAX;
    for (unsigned j = 0; j < JX_RING; j++) {
        x->rbase[j] = SIZE_MAX;
    }
}

/* Drops every block (the walker stopped reading JSON). */
static void jx_drop(jindex_t *x)
{
    jx_init(x, x->k, x->p, x->len);
}

/* The feed's last bytes (fewer than 64) indexed as the current block:
   spaces after them set no bit that matters (the walker never looks past
   the feed). */
static __attribute__((noinline)) void jx_compute_tail(jindex_t *x)
{
    unsigned char pad[64];
    memset(pad, ' ', sizeof(pad));
    memcpy(pad, x->p + x->base, x->len - x->base);
    x->k->json_block(pad, &x->next, JB(x));
}

/* Indexes the block at <at> from <carry>: the one after the current block,
   or, <fresh>, the first of a new sequence. (The feed's tail, which needs
   a copy on the stack, apart: this path ends in a tail call.) */
static __attribute__((noinline)) void jx_compute(jindex_t *x, size_t at, veil__jcarry_t carry,
                                                 int fresh)
{
    if (fresh) {
        jx_drop(x);
    } else {
        x->cur = (x->cur + 1) % JX_RING;
    }
    x->base = at;
    x->rbase[x->cur] = at;
    x->next = carry;
    if (x->len - at < 64) {
        jx_compute_tail(x);
        return;
    }
    x->k->json_block(x->p + at, &x->next, JB(x));
}

/* Makes the current block hold byte <i>. */
static inline void jx_at(jindex_t *x, const struct veil_scanner *s, size_t i)
{
    if (x->base != SIZE_MAX && i - x->base < 64) {
        return;
    }
    if (x->base != SIZE_MAX && i - x->base < 128) {
        jx_compute(x, x->base + 64, x->next, 0);
        return;
    }
    veil__jcarry_t c;
    c.instr = s->state == J_STRING || s->state == J_ESCAPE || s->state == J_UNICODE ? ~0ull : 0;
    c.escaped = s->state == J_ESCAPE;
    jx_compute(x, i, c, 1);
}

/* The value at [a, e) (e in the current block), judged in place from the
   blocks that hold it: 0 or 1 as value_needs_scan_at(); -1 when they are
   no longer kept. */
static int jx_judge(const jindex_t *x, const struct veil_scanner *s, size_t a, size_t e)
{
    const veil__jblock_t *blk[JX_RING];
    if (a >= x->base && x->rbase[x->cur] == x->base) {
        /* (most values: in the current block) */
        blk[0] = JB(x);
        return x->k->value_needs_scan_at(&s->text, x->p, a, e, blk, 1, x->base);
    }
    size_t first = a >= x->base ? x->base : x->base - (x->base - a + 63) / 64 * 64;
    unsigned n = (unsigned)((x->base - first) / 64) + 1;

    if (n > JX_RING) {
        return -1;
    }
    for (unsigned j = 0; j < n; j++) {
        unsigned slot = (x->cur + JX_RING - (n - 1 - j)) % JX_RING;
        if (x->rbase[slot] != first + 64 * (size_t)j) {
            return -1;
        }
        blk[j] = &x->ring[slot];
    }
    return x->k->value_needs_scan_at(&s->text, x->p, a, e, blk, n, first);
}

/* 1 when [a, e) holds both a byte every name and address has before or
   in it (the index's nsp: names.c's HOLD_SPACE) and one a names candidate
   starts on or that the text layer reads otherwise (head: HOLD_HEAD,
   HOLD_RAW); 0 when it lacks either, -1 when the blocks are no longer in
   the ring. The names probe is asked only for 1 and -1: most values (ids,
   numbers, e-mail addresses, codes, lower-case prose) lack one, and are
   ruled out here without reading them, as the probe would rule them out
   (veil__names_may_hold()). <e> lies in the current block, as after
   jx_string(). */
static int jx_spaced_slow(const jindex_t *x, size_t a, size_t e);

static inline int jx_spaced(const jindex_t *x, size_t a, size_t e)
{
    if (e <= a) {
        return 0;
    }
    if (a >= x->base && x->rbase[x->cur] == x->base) {
        /* The common case: the value lies in the current block. */
        const veil__jblock_t *b = &x->ring[x->cur];
        size_t hi = e - x->base;
        uint64_t range = (hi >= 64 ? ~0ull : (1ull << hi) - 1) & (~0ull << (a - x->base));
        return (b->nsp & range) != 0 && (b->head & range) != 0;
    }
    return jx_spaced_slow(x, a, e);
}

static int jx_spaced_slow(const jindex_t *x, size_t a, size_t e)
{
    size_t first = a >= x->base ? x->base : x->base - (x->base - a + 63) / 64 * 64;
    unsigned n = (unsigned)((x->base - first) / 64) + 1;
    if (n > JX_RING) {
        return -1;
    }
    if (n == 2) {
        /* (most of the others: a value across the start of the current
           block, from the block before) */
        const unsigned prev = (x->cur + JX_RING - 1) % JX_RING;
        if (x->rbase[prev] != first || x->rbase[x->cur] != x->base) {
            return -1;
        }
        const veil__jblock_t *b0 = &x->ring[prev], *b1 = &x->ring[x->cur];
        size_t hi = e - x->base;
        uint64_t r0 = ~0ull << (a - first), r1 = hi >= 64 ? ~0ull : (1ull << hi) - 1;
        return ((b0->nsp & r0) | (b1->nsp & r1)) != 0 && ((b0->head & r0) | (b1->head & r1)) != 0;
    }
    uint64_t space = 0, head = 0;
    for (unsigned j = 0; j < n; j++) {
        unsigned slot = (x->cur + JX_RING - (n - 1 - j)) % JX_RING;
        size_t at = first + 64 * (size_t)j;
        if (x->rbase[slot] != at) {
            return -1;
        }
        size_t lo = a > at ? a - at : 0, hi = e - at < 64 ? e - at : 64;
        uint64_t range = (hi == 64 ? ~0ull : (1ull << hi) - 1) & (~0ull << lo);
        space |= x->ring[slot].nsp & range;
        head |= x->ring[slot].head & range;
    }
    return space != 0 && head != 0;
}

/* The first byte at or after <i> that is a quote or a backslash (in a
   string), or any byte but whitespace (outside strings); <len> if none. */
static __attribute__((noinline)) size_t jx_find_slow(jindex_t *x, const struct veil_scanner *s,
                                                     size_t i, int in_string)
{
    while (i < x->len) {
        jx_at(x, s, i);
        uint64_t m = (in_string ? JB(x)->quote | JB(x)->bs : ~JB(x)->ws) >> (i - x->base);
        if (m != 0) {
            i += (size_t)__builtin_ctzll(m);
            return i < x->len ? i : x->len;
        }
        i = x->base + 64;
    }
    return x->len;
}

/* jx_find(): jx_find_slow() where the current block has the byte sought
   after <i>, inline (the run of whitespace before most tokens is short). */
static inline __attribute__((always_inline)) size_t
jx_find(jindex_t *x, const struct veil_scanner *s, size_t i, int in_string)
{
    if (x->base != SIZE_MAX && i - x->base < 64) {
        uint64_t m = (in_string ? JB(x)->quote | JB(x)->bs : ~JB(x)->ws) >> (i - x->base);
        if (m != 0) {
            i += (size_t)__builtin_ctzll(m);
            return i < x->len ? i : x->len;
        }
    }
    return jx_find_slow(x, s, i, in_string);
}

/* The string opening at <o>, from the index: 1 with its closing quote in
   *close when it ends in this feed with no backslash in it. *trigger: the
   trigger bytes of its content, bit k for content byte k, when the content
   is shorter than 64 bytes; otherwise all ones when it holds any, 0 when
   none. */
static __attribute__((noinline)) int jx_string_long(jindex_t *x, const struct veil_scanner *s,
                                                    size_t o, size_t *close, uint64_t *trigger)
{
    uint64_t trig = 0; /* content bit k: byte o + 1 + k */
    int far = 0;       /* a trigger 64 bytes or more into the content */
    size_t i = o + 1;

    jx_at(x, s, o);
    while (i < x->len) {
        jx_at(x, s, i);
        size_t at = i - x->base, into = i - (o + 1);
        uint64_t from = ~0ull << at;
        uint64_t q = JB(x)->quote & from, bs = JB(x)->bs & from;
        uint64_t upto = q != 0 ? (q & (0 - q)) - 1 : ~0ull;
        uint64_t t = JB(x)->trig & from & upto;
        if (bs & upto) {
            return 0;
        }
        if (t != 0) {
            if (into < 64) {
                trig |= (t >> at) << into;
                far |= into != 0 && (t >> at) >> (64 - into) != 0;
            } else {
                far = 1;
            }
        }
        if (q != 0) {
            *close = x->base + (size_t)__builtin_ctzll(q);
            *trigger = far ? ~0ull : trig;
            return *close < x->len;
        }
        i = x->base + 64;
    }
    return 0;
}

/* jx_string() for the common string, that ends in the block it opens in;
   the others go to jx_string_long(). */
static __attribute__((noinline)) int jx_string_slow(jindex_t *x, const struct veil_scanner *s,
                                                    size_t o, size_t *close, uint64_t *trigger)
{
    uint64_t first = 0; /* the content's trigger bits in the first block */
    size_t into = 0;    /* its bytes there */

    jx_at(x, s, o);
    size_t at = o + 1 - x->base;
    if (at < 64) {
        uint64_t from = ~0ull << at, q = JB(x)->quote & from;
        uint64_t upto = q != 0 ? (q & (0 - q)) - 1 : ~0ull;
        if (JB(x)->bs & from & upto) {
            return 0;
        }
        uint64_t t = JB(x)->trig & from & upto;
        if (q != 0) {
            *close = x->base + (size_t)__builtin_ctzll(q);
            *trigger = t >> at;
            return *close < x->len;
        }
        first = t >> at;
        into = 64 - at;
    }
    /* It ends in the next block, or is longer. */
    if (x->base + 64 >= x->len) {
        return 0;
    }
    jx_at(x, s, x->base + 64);
    uint64_t q = JB(x)->quote;
    if (q == 0) {
        return jx_string_long(x, s, o, close, trigger);
    }
    uint64_t upto = (q & (0 - q)) - 1;
    if (JB(x)->bs & upto) {
        return 0;
    }
    uint64_t t = JB(x)->trig & upto;
    *close = x->base + (size_t)__builtin_ctzll(q);
    if (into == 0) {
        *trigger = t;
    } else if (t >> (64 - into) != 0) {
        *trigger = ~0ull; /* a trigger 64 bytes or more into the content */
    } else {
        *trigger = first | t << into;
    }
    return *close < x->len;
}

/* jx_string(): jx_string_slow()'s first case, inline: the string opens
   and closes in the current block with no backslash in it (most keys and
   values). Anything else, the call. */
static inline __attribute__((always_inline)) int
jx_string(jindex_t *x, const struct veil_scanner *s, size_t o, size_t *close, uint64_t *trigger)
{
    if (x->base != SIZE_MAX && o - x->base < 63) {
        const veil__jblock_t *b = JB(x);
        size_t at = o + 1 - x->base;
        uint64_t from = ~0ull << at, q = b->quote & from;
        uint64_t upto = (q & (0 - q)) - 1;
        if (q != 0 && (b->bs & from & upto) == 0) {
            *close = x->base + (size_t)__builtin_ctzll(q);
            *trigger = (b->trig & from & upto) >> at;
            return *close < x->len;
        }
    }
    return jx_string_slow(x, s, o, close, trigger);
}

/*
 * fast_string(): a string read whole at its opening quote <o>, when the
 * index shows its closing quote in this feed and no escape in it: its
 * bytes go to the value layer in one piece (a held value is judged there
 * without being held). Returns the offset after the closing quote, or 0
 * for the byte-by-byte walk.
 */
static size_t fast_string(struct veil_scanner *s, jindex_t *x, const unsigned char *p,
                          uint64_t base, size_t o, int is_key)
{
    size_t close;
    uint64_t trigger;

    if (!jx_string(x, s, o, &close, &trigger)) {
        return 0;
    }
    size_t a = o + 1, len = close - a;
    const char *v = (const char *)p + a;
    if (!is_key) {
        veil__frame_t *parent = top(s);
        if (parent != NULL && parent->is_array) {
            parent->nitems++; /* as value_start() counts */
        }
    }
    string_open(s, base + a, is_key);
    int scanned = s->mode == V_SCAN || s->mode == V_LAZY, need = -1;
    if (s->mode == V_LAZY) {
        /* Judged where it lies: no trigger, triggers that need neighbours
           it lacks, or the text layer's shortcuts on the index's classes. */
        need = o == x->judged_open ? 1
               : trigger == 0 || !veil__triggers_matter((const unsigned char *)v, len, trigger)
                   ? 0
                   : jx_judge(x, s, a, close);
        if (need == 0 && !veil__value_names_judged(s, v, len) && jx_spaced(x, a, close) != 0 &&
            veil__names_may_hold(s->eng, v, len)) {
            need = 1; /* a name or an address (names.c) */
        }
    }
    veil__value_whole(s, v, len, base + a, base + close, 0, trigger, need);
    if (is_key) {
        key_done(s, v, len, x->len - a);
        return close + 1;
    }
    keep_sibling(s, scanned);
    s->state = J_AFTER;
    return close + 1;
}

/*
 * escape_run(): one-character escapes one after another from the
 * backslash at <q> (no \u among them), each decoding to one byte, as one
 * run: a string of backslashes costs a run per 4096 bytes, not the value
 * layer's work per escape. Stops before a backslash whose escaped byte is
 * not in this feed. Returns the offset after the run.
 */
static size_t escape_run(struct veil_scanner *s, const unsigned char *p, size_t q, size_t len,
                         uint64_t base)
{
    char dec[4096];
    size_t n = 0, k = q;
    while (n < sizeof(dec) && k + 1 < len && p[k] == '\\' && p[k + 1] != 'u') {
        dec[n++] = escaped_char(p[k + 1]);
        k += 2;
    }
    flush_high(s);
    if (s->in_key) {
        size_t room = sizeof(s->key) - s->key_len;
        memcpy(s->key + s->key_len, dec, n < room ? n : room);
        s->key_len += n < room ? n : room;
    }
    veil__value_escapes(s, dec, n, base + q, 2);
    return k;
}

static int is_number_char(int c)
{
    return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
}

/* The end of the run of number bytes from p[i] (at most <len>): sixteen
   bytes classified at a time where the feed holds them (ids, prices and
   timestamps are most of a record's numbers). */
static inline size_t number_run(const unsigned char *p, size_t i, size_t len)
{
    size_t q = i;
#ifdef __SSE2__
    while (len - q >= 16) {
        const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + q));
        const __m128i dig = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                          _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
        /* ('e' and 'E' differ in 0x20 alone; '+', '-' and '.') */
        const __m128i other =
            _mm_or_si128(_mm_cmpeq_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)), _mm_set1_epi8('e')),
                         _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('+')),
                                                   _mm_cmpeq_epi8(v, _mm_set1_epi8('-'))),
                                      _mm_cmpeq_epi8(v, _mm_set1_epi8('.'))));
        const unsigned num = (unsigned)_mm_movemask_epi8(_mm_or_si128(dig, other));
        if (num != 0xffff) {
            return q + (unsigned)__builtin_ctz(~num);
        }
        q += 16;
    }
#endif
    while (q < len && is_number_char(p[q])) {
        q++;
    }
    return q;
}

/* A JSON number of 72 bytes or fewer that a held value would not scan
   (value.c: fewer than nine digits, no byte a number lacks). */
static int number_skipped(const unsigned char *v, size_t len)
{
    size_t digits = 0;
    if (len < 9) {
        return 1;
    }
    for (size_t k = 0; k < len; k++) {
        digits += v[k] >= '0' && v[k] <= '9';
    }
    return len <= sizeof(((struct veil_scanner *)0)->tok) && digits < 9;
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_hex_lower(int c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f');
}

/* Bits a to b - 1 (a <= b <= 64). */
static inline uint64_t bits_between(size_t a, size_t b)
{
    if (a >= b) {
        return 0;
    }
    return (b >= 64 ? ~0ull : (1ull << b) - 1) & ~((1ull << a) - 1);
}

static int hex_id_cleared(const unsigned char *v, size_t n, size_t room);

/* cleared_by_shape()'s short numbers and date-times, from a digit. */
static int number_cleared(const unsigned char *v, size_t n)
{
    if (n > 40 || !is_digit(v[n - 1] == 'Z' ? v[n - 2] : v[n - 1])) {
        return 0;
    }
    if (n <= 8) {
        unsigned digits = 0, groups = 1;
        for (size_t k = 0; k < n; k++) {
            if (is_digit(v[k])) {
                digits++;
            } else if (v[k] == '.' && v[k - 1] != '.') {
                groups++; /* (between two digits: the first and last are) */
            } else {
                return 0;
            }
        }
        return groups == 1 || (digits < 6 && groups < 4);
    }
    if (n < 14 || !is_digit(v[1]) || !is_digit(v[2]) || !is_digit(v[3]) || v[4] != '-' ||
        !is_digit(v[5]) || !is_digit(v[6]) || v[7] != '-' || !is_digit(v[8]) || !is_digit(v[9]) ||
        (v[10] != 'T' && v[10] != ' ') || !is_digit(v[11]) || !is_digit(v[12]) || v[13] != ':') {
        return 0;
    }
    /* The usual rest, "MM:SS", then a fraction, then a 'Z', each maybe
       absent ("...T10:01:07Z", "...T10:01:07.630Z"), checked at fixed
       places: what the loop below takes too, for a tenth of its cost. */
    if (n >= 19 && is_digit(v[14]) && is_digit(v[15]) && v[16] == ':' && is_digit(v[17]) &&
        is_digit(v[18])) {
        size_t k = 19, end = v[n - 1] == 'Z' ? n - 1 : n;
        if (k < end && v[k] == '.') {
            k++;
            while (k < end && is_digit(v[k])) {
                k++;
            }
        }
        if (k == end) {
            return 1;
        }
    }
    for (size_t k = 14; k < n; k++) {
        const int c = v[k];
        if (!(is_digit(c) || c == '.' || c == 'Z' || (c == ':' && v[k - 1] != ':') ||
              (c == '-' && is_digit(v[k - 1])))) {
            return 0;
        }
    }
    return 1;
}

/*
 * cleared_by_shape(): 1 when a string value <v> of <n> bytes (no escape)
 * has a shape the judge always clears, so that value_needs_scan_at()
 * would give 0; its answer without the call, which costs a few hundred
 * instructions a value. Judged alone (NUL before and after it), each is
 * taken whole by digit_fast() from its first digit (before which a hex
 * id's '-' acts on nothing), leaving no trigger after it:
 *
 * - a short number: one to eight digits, or fewer than six digits in at
 *   most three groups joined by single dots ("42", "10.01", "1.2.3"), with
 *   no sign, letter, month's name or separator beside it;
 * - an ISO 8601 date-time of at most forty bytes ("2026-11-29T00:01:47Z",
 *   "2026-11-29 00:01:47.630-05:00"): YYYY-MM-DD, 'T' or a space, HH:, then
 *   digits, '.', 'Z', a colon after no colon and a '-' after a digit,
 *   as digit_fast()'s loop reads them (with no '+', which it may leave to
 *   the handler, nor "::", where it stops);
 * - a lower-case hex id: words of hex digits joined by single '-' (trace
 *   and span ids, hashes, UUIDs), eight to sixty-four bytes with a digit,
 *   where hex_id_cleared() finds none of the judge's exceptions.
 *
 * Prices, quantities, small ids, timestamps and hex ids are most of the
 * values with digits in API bodies. <room>: the bytes readable at <v>;
 * <trigger>: the index's trigger bits of its bytes (bit k for byte k below
 * 64 bytes, else all ones).
 */
static int cleared_by_shape(const unsigned char *v, size_t n, size_t room, uint64_t trigger)
{
    if (n == 0) {
        return 0;
    }
    if (is_digit(v[0]) && number_cleared(v, n)) {
        return 1;
    }
    /* A hex id starts with four hex digits (an IP address does not) and
       has a byte that is no trigger (a hex letter): numbers, cards and
       phone numbers, all triggers, are not read again. */
    return n >= 8 && n <= 64 && is_hex_lower(v[0]) && is_hex_lower(v[1]) && is_hex_lower(v[2]) &&
           is_hex_lower(v[3]) && is_hex_lower(v[n - 1]) &&
           (n == 64 || (trigger & bits_between(0, n)) != bits_between(0, n)) &&
           hex_id_cleared(v, n, room);
}

/*
 * hex_id_cleared(): cleared_by_shape() for words of lower-case hex digits
 * joined by single '-', of eight to sixty-four bytes with a digit (<room>:
 * the bytes readable at <v>). Judged alone, a '-' before the first digit
 * acts on no token prefix (none starts with a hex digit). At the first
 * digit digit_fast() takes the lower-case path when its word has a hex
 * letter after it: then a MAC address's group, ids_lower_candidate() and
 * the lower-case IBAN, then the words joined to it, which run to the
 * value's end; nothing after them is a trigger. So the judge gives 0
 * unless one of these holds, each sending the value to the judge here too:
 * - no hex letter after the first digit in its word ("87926398-10c2-..."
 *   is a number to digit_fast(): the handler reads it);
 * - that word has two or four bytes and a '-' after it (a MAC address's
 *   group: "ab12-...");
 * - the value's first word is a candidate of ids_lower_candidate(): "b?1"
 *   (a segwit address's start), or 26 to 35 bytes from a 1, 2 or 3 with no
 *   0 (a Base58Check address);
 * - the first digit is its word's third byte and the fourth a digit, with
 *   15 to 34 bytes in the word, and the word passes the IBAN's check
 *   digits and country's length (a lower-case IBAN:
 *   "ad5200012030abcdef123456");
 * - the joined words run 63 bytes or more from the first digit with a '-'
 *   among them (digit_fast() gives up).
 * The bytes are classified sixteen at a time: a byte loop cost as much as
 * the judge it saves (measured).
 */
static __attribute__((noinline)) int hex_id_cleared(const unsigned char *v, size_t n, size_t room)
{
    unsigned char pad[64];
    uint64_t dig = 0, hexl = 0, dash = 0, zero = 0;
    if (room < 64) {
        memset(pad, 0, sizeof(pad));
        memcpy(pad, v, n);
        v = pad;
    }
#ifdef __SSE2__
    const __m128i d0 = _mm_set1_epi8('0' - 1), d9 = _mm_set1_epi8('9' + 1);
    const __m128i la = _mm_set1_epi8('a' - 1), lf = _mm_set1_epi8('f' + 1);
    const __m128i minus = _mm_set1_epi8('-'), zch = _mm_set1_epi8('0');
    for (size_t k = 0; k < n; k += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(v + k));
        dig |= (uint64_t)(unsigned)_mm_movemask_epi8(
                   _mm_and_si128(_mm_cmpgt_epi8(x, d0), _mm_cmplt_epi8(x, d9)))
               << k;
        hexl |= (uint64_t)(unsigned)_mm_movemask_epi8(
                    _mm_and_si128(_mm_cmpgt_epi8(x, la), _mm_cmplt_epi8(x, lf)))
                << k;
        dash |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, minus)) << k;
        zero |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, zch)) << k;
    }
#else
    for (size_t k = 0; k < n; k++) {
        dig |= (uint64_t)is_digit(v[k]) << k;
        hexl |= (uint64_t)(v[k] >= 'a' && v[k] <= 'f') << k;
        dash |= (uint64_t)(v[k] == '-') << k;
        zero |= (uint64_t)(v[k] == '0') << k;
    }
#endif
    const uint64_t all = bits_between(0, n);
    dig &= all;
    hexl &= all;
    dash &= all;
    if ((dig | hexl | dash) != all || (dash & (dash >> 1)) != 0 || dig == 0) {
        return 0; /* (the first and last bytes are hex: no '-' at either end) */
    }
    const size_t first = (size_t)__builtin_ctzll(dig);
    if (dash != 0 && n - first >= 63) {
        return 0;
    }
    /* the first digit's word [ws, we) */
    const uint64_t before = dash & bits_between(0, first), after = dash >> first;
    const size_t ws = before ? 64 - (size_t)__builtin_clzll(before) : 0;
    const size_t we = after ? first + (size_t)__builtin_ctzll(after) : n;
    const size_t len = we - ws;
    if ((hexl & bits_between(first + 1, we)) == 0 || ((len == 2 || len == 4) && we < n) ||
        (ws == 0 && len >= 3 && v[0] == 'b' && v[2] == '1') ||
        (ws == 0 && len >= 26 && len <= 35 && v[0] >= '1' && v[0] <= '3' &&
         (zero & bits_between(0, len)) == 0) ||
        (first == ws + 2 && len >= 15 && len <= 34 && (dig >> (ws + 3) & 1) &&
         veil__valid_iban((const char *)v + ws, len))) {
        return 0;
    }
    return 1;
}

_Static_assert(sizeof(((veil__ccache_t *)0)->ctx) == VEIL__FIELD_KEY,
               "the context cache keeps what the text layer keeps");

/* 1 when the value <v> (<n> bytes, a bare number or a string's content)
   under frame <f>, which value_needs_scan() could not clear, is one the
   text layer would find something in only by a context word
   (alone_context(): ten to nineteen digits, a calendar date), and the
   field context it would be scanned with (its key and sibling, as
   value.c and the text layer make it) has none of those. */
static int context_cleared(struct veil_scanner *s, const veil__frame_t *f, const unsigned char *v,
                           size_t n)
{
    if (n < 10 || n > 19) {
        return 0;
    }
    uint64_t want = s->text.k->alone_context(s->eng, v, n);
    if (want == 0 || want == ~0ull) {
        return want == 0;
    }
    char ctx[VEIL__KEY_MAX];
    size_t cn = veil__value_ctx(ctx, f->key, f->key_len, f->sibling, f->sibling_len);
    if (cn > VEIL__FIELD_KEY) {
        cn = VEIL__FIELD_KEY; /* (what the text layer keeps of it) */
    }
    if (cn == 0) {
        return 1;
    }
    /* The context words of the context, from the cache: a function of its
       bytes, <want> and the engine (this scanner's). The slot is by the
       context alone, as its values ask about one kind of detector. */
    unsigned slot =
        (unsigned)(veil__slot_hash((const unsigned char *)ctx, cn) >> (64 - VEIL__CCACHE_BITS));
    veil__ccache_t *c = &s->ccache[slot];
    uint64_t *used = &s->ccache_used[slot / 64];
    if (!((*used >> (slot % 64)) & 1) || c->want != want || c->len != cn ||
        memcmp(c->ctx, ctx, cn) != 0) {
        char fkey[VEIL__FIELD_KEY] = {0};
        size_t fn = veil__text_field_key(fkey, ctx, cn);
        c->clear = s->text.k->context_mask(s->eng, fkey, fn, 1, want) == 0;
        c->want = want;
        c->len = (uint8_t)cn;
        memcpy(c->ctx, ctx, cn);
        *used |= 1ull << (slot % 64);
    }
    return c->clear;
}

/* Whether the key between the quotes a and <close> goes to the text
   layer: a trigger byte whose handler may act (<trigger>: the index's
   trigger bits of its bytes), or a name's bytes the names probe may
   take. *known: 0 when the index's blocks had left the ring (the answer
   then holds this time only), else 1: the answer depends on the key's
   bytes and the engine alone. */
static int key_to_text(const jindex_t *x, const struct veil_scanner *s, size_t a, size_t close,
                       uint64_t trigger, int *known)
{
    const unsigned char *k = x->p + a;
    size_t n = close - a;
    int judge = trigger != 0 && veil__triggers_matter(k, n, trigger) ? jx_judge(x, s, a, close) : 0;
    int spaced = jx_spaced(x, a, close);
    *known = judge >= 0 && spaced >= 0;
    return judge != 0 || (spaced != 0 && veil__names_may_hold(s->eng, (const char *)k, n));
}

/*
 * fast_walk(): the walk's common case, token after token from the index,
 * with no more work per token than its outcome needs: a key with no
 * trigger that matters names its frame (copied, classified through the
 * cache) and nothing else; a value under a key of no sensitive class with
 * nothing for the text layer leaves only its sibling context; a short
 * number or a literal only moves the state; brackets push and pop frames.
 * These are what the general walk does for them, step by step, when no
 * value is open (so nothing is held): every other case (an escape, a
 * sensitive key, a value to scan, a token or string the feed cuts, not
 * JSON) stops the loop where it is and the general walk takes that byte.
 * Not used with field rules or custom patterns (every value is theirs),
 * nor at the top level. Returns the offset it stopped at.
 */
static size_t fast_walk(struct veil_scanner *s, jindex_t *x, const unsigned char *p, size_t i,
                        size_t len)
{
    veil__frame_t *f;
    size_t close, a, n;
    uint64_t trigger;
    int st = s->state, c;

    if (s->depth == 0) {
        return i;
    }
    f = &s->stack[s->depth - 1];
    switch (st) {
    case J_KEY_OR_END:
        goto key_or_end;
    case J_COLON:
        goto colon;
    case J_VALUE:
        goto value;
    case J_AFTER:
        goto after;
    default:
        return i;
    }

    /* Each step starts at the next byte that is no whitespace, in state
       <st>; the walk leaves in that state at the feed's end. (Jumps, not
       a switch per token: an object's member is key, colon, value and
       what comes after, one after another.) */
#define NEXT_BYTE(state)                                                     \
    do {                                                                     \
        st = (state);                                                        \
        if (i >= len || (is_ws(p[i]) && (i = jx_find(x, s, i, 0)) >= len)) { \
            goto leave;                                                      \
        }                                                                    \
        c = p[i];                                                            \
    } while (0)

/* Past the ':' or ',' at <i>, and the one space after it: a branch, not
   an add of the comparison, so that the next token's position waits on
   no load (a stream's separators are laid out alike, and predicted; the
   empty asm keeps GCC from making the add again). API pages and the
   proxy's bodies 1.025x and 1.028x timed, compact JSON the same. */
#define STEP_PAST(i)                          \
    do {                                      \
        if (i + 2 < len && p[i + 1] == ' ') { \
            __asm__("" : "+r"(i));            \
            i += 2;                           \
        } else {                              \
            i += 1;                           \
        }                                     \
    } while (0)

key_or_end:
    NEXT_BYTE(J_KEY_OR_END);
    if (c == '}') {
        goto pop;
    }
    if (c != '"' || !jx_string(x, s, i, &close, &trigger)) {
        goto leave;
    }
    a = i + 1;
    n = close - a;
    if (n > 0 && n <= VEIL__KCACHE_KEY) {
        /* A key the stream had before: whether it goes to the text layer,
           and its class, are the cache's (an array of objects spells its
           keys again in every one). */
        /* (the cache reads 32 bytes: a copy near the feed's end; the
           frame's key stays the last one's until this one is walked
           here) */
        char kb[VEIL__KCACHE_KEY];
        const char *kp = (const char *)p + a;
        if (len - a < VEIL__KCACHE_KEY) {
            memset(kb, 0, sizeof(kb));
            memcpy(kb, kp, n);
            kp = kb;
        }
        veil__kcache_t *ke = kcache_entry(s, kp, n);
        if (ke->to_text == 0) {
            int known, to_text = key_to_text(x, s, a, close, trigger, &known);
            if (!known) {
                /* (blocks no longer in the ring: this time only) */
                if (to_text) {
                    goto leave;
                }
            } else {
                ke->to_text = (uint8_t)(1 + to_text);
            }
        }
        if (ke->to_text == 2) {
            goto leave; /* the key goes to the text layer */
        }
        key_copy(f, (const char *)p + a, n, len - a);
        f->key_class = ke->cls;
        s->in_key = 0;
    } else {
        int known;
        if (key_to_text(x, s, a, close, trigger, &known)) {
            goto leave; /* the key goes to the text layer */
        }
        key_done(s, (const char *)p + a, n, len - a);
    }
    i = close + 1;

colon:
    NEXT_BYTE(J_COLON);
    if (c != ':') {
        goto leave;
    }
    /* (the one space of ": ", as pretty printers and Python's json.dumps
       write it, stepped over here rather than through the index) */
    STEP_PAST(i);

value:
    NEXT_BYTE(J_VALUE);
    if (c == ']' && f->is_array) {
        goto pop;
    }
    if (c == '{' || c == '[') {
        if (s->depth == VEIL__DEPTH_MAX) {
            goto leave;
        }
        f->nitems += f->is_array;
        push(s, c == '[');
        f = &s->stack[s->depth - 1];
        i++;
        if (c == '[') {
            goto value;
        }
        goto key_or_end;
    }
    /* A scalar under a key of a sensitive class (or "name") is a field or
       a name: the general walk. */
    if (f->key_class >= 0) {
        goto leave;
    }
    if (c == '"') {
        if (!jx_string(x, s, i, &close, &trigger)) {
            goto leave;
        }
        a = i + 1;
        n = close - a;
        /* (key_to_text()'s test, stopping at the first that holds) */
        if (trigger != 0 && !cleared_by_shape(p + a, n, len - a, trigger) &&
            veil__triggers_matter(p + a, n, trigger)) {
            int judge = jx_judge(x, s, a, close);
            if (judge != 0 && !(judge == 1 && context_cleared(s, f, p + a, n))) {
                x->judged_open = judge == 1 ? i : SIZE_MAX;
                goto leave;
            }
        }
        if (jx_spaced(x, a, close) != 0 && veil__names_may_hold(s->eng, (const char *)p + a, n)) {
            goto leave;
        }
        f->nitems += f->is_array;
        /* keep_sibling(): a short value is context for the next */
        if (!f->is_array && n > 0 && n <= sizeof(f->sibling)) {
            /* (one fixed copy where the feed has the bytes, as
               key_copy(); the frame is wiped with the scanner) */
            if (len - a >= sizeof(f->sibling)) {
                memcpy(f->sibling, p + a, sizeof(f->sibling));
            } else {
                memcpy(f->sibling, p + a, n);
            }
            f->sibling_len = (uint8_t)n;
        }
        i = close + 1;
        goto after;
    }
    size_t q = i + 1;
    if (c == '-' || (c >= '0' && c <= '9')) {
        q = number_run(p, q, len);
        if (q == len || !(number_skipped(p + i, q - i) || context_cleared(s, f, p + i, q - i))) {
            goto leave;
        }
    } else if (c == 't' || c == 'f' || c == 'n') {
        while (q < len && q - i < 6 && p[q] >= 'a' && p[q] <= 'z') {
            q++;
        }
        if (q == len ||
            !((q - i == 4 && (memcmp(p + i, "true", 4) == 0 || memcmp(p + i, "null", 4) == 0)) ||
              (q - i == 5 && memcmp(p + i, "false", 5) == 0))) {
            goto leave;
        }
    } else {
        goto leave;
    }
    f->nitems += f->is_array;
    i = q;

after:
    NEXT_BYTE(J_AFTER);
    if (c == ',') {
        STEP_PAST(i); /* (and of ", ") */
        if (f->is_array) {
            goto value;
        }
        goto key_or_end;
    }
    if ((c == '}' && !f->is_array) || (c == ']' && f->is_array)) {
        goto pop;
    }
    goto leave;

pop:
    /* (the closing bracket of the frame <f>) */
    s->depth--;
    i++;
    st = J_AFTER;
    if (s->depth == 0) {
        goto leave;
    }
    f = &s->stack[s->depth - 1];
    goto after;
#undef NEXT_BYTE
#undef STEP_PAST

leave:
    s->state = st;
    return i;
}

int veil__json_feed(struct veil_scanner *s, const unsigned char *p, size_t len)
{
    const uint64_t base = s->raw_pos;
    /* The reference (VEIL_SIMD=reference) walks byte by byte, as before
       the index. */
    const int fast = !s->text.reference;
    jindex_t x;
    size_t i = 0;

    jx_init(&x, s->text.k, p, len);
    /* With field rules or custom patterns every value is theirs to see. */
    const int walk = fast && s->field_cb == NULL && s->eng->custom_re == NULL;

    while (i < len && s->error == 0) {
        if (walk && s->depth > 0 &&
            (s->state == J_KEY_OR_END || s->state == J_COLON || s->state == J_VALUE ||
             s->state == J_AFTER)) {
            i = fast_walk(s, &x, p, i, len);
            if (i >= len) {
                break;
            }
        }
        int c = p[i];
        uint64_t raw = base + i;

        switch (s->state) {
        case J_TEXT: {
            /* JSON Lines: a line that is not JSON is text, and the next
               line is read as JSON again. */
            const unsigned char *nl = memchr(p + i, '\n', len - i);
            size_t q = nl ? (size_t)(nl - p) + 1 : len;
            veil__scan_plain(s, (const char *)p + i, q - i, raw);
            if (nl) {
                veil__scan_end(s);
                s->depth = 0;
                s->state = J_AFTER;
            }
            i = q;
            jx_drop(&x); /* the index is seeded again after the text */
            continue;
        }
        case J_STRING: {
            size_t q = fast ? jx_find(&x, s, i, 1) : string_run(p, i, len);
            if (q > i) {
                flush_high(s);
                string_bytes(s, (const char *)p + i, q - i, raw);
            }
            if (q < len) {
                if (p[q] == '"') {
                    string_close(s, base + q);
                } else if (fast && q + 2 < len && p[q + 1] != 'u' && p[q + 2] == '\\') {
                    /* Escapes in a row (a string of backslashes): decoded
                       together, handed on as one run. */
                    i = escape_run(s, p, q, len, base);
                    continue;
                } else {
                    s->state = J_ESCAPE;
                    s->esc_start = base + q;
                }
                q++;
            }
            i = q;
            continue;
        }
        case J_ESCAPE: {
            i++;
            if (c == 'u') {
                s->ucode = 0;
                s->uhex = 0;
                s->state = J_UNICODE;
                continue;
            }
            /* Unknown escapes are kept as the character itself. */
            char ch = escaped_char(c);
            flush_high(s);
            string_escape(s, &ch, 1, s->esc_start, 2);
            s->state = J_STRING;
            continue;
        }
        case J_UNICODE: {
            int h = hexval(c);
            if (h < 0) {
                /* A broken \u escape: what was read decodes to U+FFFD and
                   this byte is read again as string content. */
                flush_high(s);
                string_escape(s, replacement, 3, s->esc_start, (uint32_t)(2 + s->uhex));
                s->state = J_STRING;
                continue;
            }
            s->ucode = (s->ucode << 4) | (uint32_t)h;
            i++;
            if (++s->uhex == 4) {
                s->state = J_STRING;
                unicode_done(s);
            }
            continue;
        }
        case J_NUMBER:
        case J_LITERAL: {
            /* The token's bytes in one go (timestamps and amounts are
               long runs); the byte after it is read again as structure. */
            size_t q = i;
            if (s->state == J_NUMBER) {
                q = number_run(p, q, len);
                size_t room = sizeof(s->tok) - s->tok_len, take = q - i < room ? q - i : room;
                memcpy(s->tok + s->tok_len, p + i, take);
                s->tok_len += take;
            } else {
                while (q < len && p[q] >= 'a' && p[q] <= 'z') {
                    q++;
                }
                literal_append(s, p + i, q - i);
            }
            i = q;
            if (q < len) {
                token_end(s, base + q);
            }
            continue;
        }
        default:
            break;
        }

        if (is_ws(c)) {
            /* Pretty-printed JSON is mostly indentation. */
            if (fast) {
                i = jx_find(&x, s, i, 0);
                continue;
            }
            do {
                i++;
            } while (i < len && is_ws(p[i]));
            continue;
        }
        veil__frame_t *f = top(s);
        size_t r;
        switch (s->state) {
        case J_VALUE:
            if (c == ']' && f && f->is_array) {
                s->depth--;
                s->state = J_AFTER;
            } else if (c == '"' && fast && (r = fast_string(s, &x, p, base, i, 0)) != 0) {
                i = r;
                continue;
            } else if (value_start(s, c, raw) != 0) {
                to_text(s);
                continue;
            }
            break;
        case J_KEY_OR_END:
            if (c == '"' && fast && (r = fast_string(s, &x, p, base, i, 1)) != 0) {
                i = r;
                continue;
            } else if (c == '"') {
                string_open(s, raw + 1, 1);
            } else if (c == '}') {
                s->depth--;
                s->state = J_AFTER;
            } else {
                to_text(s);
                continue;
            }
            break;
        case J_COLON:
            if (c != ':') {
                to_text(s);
                continue;
            }
            s->state = J_VALUE;
            break;
        case J_AFTER:
            if (f == NULL) {
                /* Between documents of a JSON Lines stream. */
                if (c == '"' && fast && (r = fast_string(s, &x, p, base, i, 0)) != 0) {
                    i = r;
                    continue;
                }
                if (value_start(s, c, raw) != 0) {
                    to_text(s);
                    continue;
                }
            } else if (c == ',') {
                s->state = f->is_array ? J_VALUE : J_KEY_OR_END;
            } else if ((c == '}' && !f->is_array) || (c == ']' && f->is_array)) {
                s->depth--;
                s->state = J_AFTER;
            } else {
                to_text(s);
                continue;
            }
            break;
        default:
            break;
        }
        i++;
    }
    s->raw_pos = base + len;
    veil__text_run(&s->text);
    return s->error;
}

void veil__json_finish(struct veil_scanner *s)
{
    switch (s->state) {
    case J_STRING:
    case J_ESCAPE:
    case J_UNICODE:
        /* A truncated document: what was read of the string still counts. */
        if (s->state != J_STRING) {
            s->state = J_STRING;
        }
        string_close(s, s->raw_pos);
        break;
    case J_NUMBER:
    case J_LITERAL:
        token_end(s, s->raw_pos);
        break;
    default:
        break;
    }
}

void veil__json_begin(struct veil_scanner *s)
{
    s->state = J_VALUE;
    s->depth = 0;
    s->in_key = 0;
    s->mode = V_SCAN;
    s->uhigh = 0;
    s->tok_len = 0;
    s->key_len = 0;
    s->bare_start = s->bare_end = UINT64_MAX;
    s->hold = UINT64_MAX;
}
