/*
 * The text layer's scan: the trigger prefilter and the candidate handlers.
 * This file is compiled once per SIMD level (simd.h): kernels_scalar.c,
 * kernels_sse.c and kernels_avx2.c each define VEIL_K_LEVEL and the name
 * of their kernel table, then include it. Code under VEIL_K_LEVEL >= 1 uses
 * SSSE3/SSE4.2 intrinsics, under VEIL_K_LEVEL >= 2 AVX2 ones; every level
 * computes the same thing.
 *
 * A prefilter finds trigger bytes (digits, '@', '%', ':', '=', '-', '_',
 * 'A', 'B', 'J') with a nibble-table shuffle, the way Hyperscan's "shufti"
 * does. Each trigger goes to a handler that looks at the bounded region
 * around it (a chain of digit groups, an e-mail address, a run of hex and
 * colons, a token after a known prefix) and decides which detectors can
 * possibly match it. Only those run their PCRE2 JIT pattern, anchored at
 * the candidate, then their validator. Most bytes are never looked at
 * twice, and most triggers are rejected before PCRE2 is called.
 *
 * Streaming: a handler that reaches the end of the buffer before its region
 * ends asks for more data (DEFER); the scan stops there and resumes at the
 * same trigger when more bytes come. Every handler's decision depends only
 * on the bytes within its bounded region plus VEIL__LOOKBEHIND bytes before
 * it, so any chunking gives the same findings as the whole input.
 */
#if !defined(VEIL_K_LEVEL) || !defined(VEIL_K_TABLE)
#error "text_handlers.h is included by kernels_<level>.c only"
#endif
#if VEIL_K_LEVEL >= 1 && !defined(__SSE4_2__)
#error "the SSE level needs -msse4.2"
#endif
#if VEIL_K_LEVEL >= 2 && !(defined(__AVX2__) && defined(__BMI2__))
#error "the AVX2 level needs -mavx2 -mbmi -mbmi2"
#endif
#if VEIL_K_LEVEL >= 3 && !(defined(__AVX512BW__) && defined(__AVX512VL__))
#error "the AVX-512 level needs -mavx512f -mavx512bw -mavx512vl"
#endif

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#if VEIL_K_LEVEL >= 1
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h> /* (SSE2 is x86-64's baseline: names_mask.h's scalar level) */
#endif

#include "chartab.h"
#include "engine.h"
#include "names.h"
#include "nibble_tables.h"
#include "simd.h"
#if VEIL_K_LEVEL >= 3
#include "classes512.h"
#endif
#include "triggers.h"
#include "validators.h"
#include "wordlist.h"

#define DEFER ((size_t)-1)
#define CHAIN_MAX 64    /* longest chain of digit groups considered */
#define BACK_MAX 96     /* how far a handler may look back from a trigger */
#define CTX_WINDOW 48   /* context words are looked for this far back */
#define TOKEN_SKIP 4096 /* long alphanumeric runs are skipped in steps */
#define FIELD_MAX 4096  /* longest value of a key=value field in text */
#define PEM_MAX 16384   /* longest PEM private key block */
#define JWT_MAX 8192
#define DOB_AFTER 10 /* bytes after a date dob_after() reads */

#define CT(c) veil__chartab[(unsigned char)(c)]
/* (always inline: one load and a test, which GCC otherwise calls out of
   line from the large inlined handlers, digit_fast() in the judge) */
static inline __attribute__((always_inline)) int isdig(int c)
{
    return (CT(c) & VEIL_C_DIGIT) != 0;
}
static inline __attribute__((always_inline)) int isup(int c)
{
    return (CT(c) & VEIL_C_UPPER) != 0;
}
static inline __attribute__((always_inline)) int islo(int c)
{
    return (CT(c) & VEIL_C_LOWER) != 0;
}
static inline __attribute__((always_inline)) int isal(int c)
{
    return (CT(c) & (VEIL_C_UPPER | VEIL_C_LOWER)) != 0;
}
static inline __attribute__((always_inline)) int isaln(int c)
{
    return (CT(c) & (VEIL_C_DIGIT | VEIL_C_UPPER | VEIL_C_LOWER)) != 0;
}
static inline __attribute__((always_inline)) int ishex(int c)
{
    return (CT(c) & VEIL_C_HEX) != 0;
}
static inline __attribute__((always_inline)) int issep(int c)
{
    return (CT(c) & VEIL_C_SEP) != 0;
}
static inline __attribute__((always_inline)) int lower(int c)
{
    return isup(c) ? c | 0x20 : c;
}

static inline int is_trigger(unsigned char c)
{
    return (CT(c) & VEIL_C_TRIGGER) != 0;
}

/*
 * next_trigger(): the first trigger byte at or after <i>, by the nibble
 * tables TRIG_LO and TRIG_HI (nibble_tables.h).
 */
static size_t next_trigger(const unsigned char *b, size_t i, size_t n)
{
#if VEIL_K_LEVEL >= 1
    const __m128i lo_t = _mm_setr_epi8(TRIG_LO), hi_t = _mm_setr_epi8(TRIG_HI);
    const __m128i nib = _mm_set1_epi8(0x0f);
    const __m128i zero = _mm_setzero_si128();

    while (i + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
        __m128i lo = _mm_and_si128(v, nib);
        __m128i hi = _mm_and_si128(_mm_srli_epi16(v, 4), nib);
        __m128i m = _mm_and_si128(_mm_shuffle_epi8(lo_t, lo), _mm_shuffle_epi8(hi_t, hi));
        unsigned bits = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(m, zero)) ^ 0xffffu;
        if (bits != 0) {
            return i + (size_t)__builtin_ctz(bits);
        }
        i += 16;
    }
#endif
    for (; i < n; i++) {
        if (is_trigger(b[i])) {
            return i;
        }
    }
    return n;
}

/*
 * alnum_end(): the end of the run of [0-9A-Za-z] starting at <i>, looking
 * at most up to <lim>; sets *lower when the run has a lower-case letter.
 * Hex hashes, ids and base64 make long runs: sixteen bytes at a time.
 */
static size_t alnum_end(const unsigned char *b, size_t i, size_t lim, int *lower)
{
    int low = 0;
#if VEIL_K_LEVEL >= 1
    /* Nibble tables: bit 1 digits (hi 3, lo 0-9); bit 2 @A-O / `a-o less
       the first (hi 4/6, lo 1-f); bit 4 P-Z / p-z (hi 5/7, lo 0-a). */
    const __m128i lo_t =
        _mm_setr_epi8(1 | 4, 1 | 2 | 4, 1 | 2 | 4, 1 | 2 | 4, 1 | 2 | 4, 1 | 2 | 4, 1 | 2 | 4,
                      1 | 2 | 4, 1 | 2 | 4, 1 | 2 | 4, 2 | 4, 2, 2, 2, 2, 2);
    const __m128i hi_t = _mm_setr_epi8(0, 0, 0, 1, 2, 4, 2, 4, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m128i nib = _mm_set1_epi8(0x0f);
    const __m128i zero = _mm_setzero_si128();
    const __m128i a1 = _mm_set1_epi8('a' - 1), z1 = _mm_set1_epi8('z' + 1);

    while (i + 16 <= lim) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
        __m128i cls =
            _mm_and_si128(_mm_shuffle_epi8(lo_t, _mm_and_si128(v, nib)),
                          _mm_shuffle_epi8(hi_t, _mm_and_si128(_mm_srli_epi16(v, 4), nib)));
        unsigned non = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(cls, zero));
        unsigned lowm = (unsigned)_mm_movemask_epi8(
            _mm_and_si128(_mm_cmpgt_epi8(v, a1), _mm_cmplt_epi8(v, z1)));
        if (non != 0) {
            unsigned upto = (1u << __builtin_ctz(non)) - 1;
            low |= (lowm & upto) != 0;
            *lower = low;
            return i + (size_t)__builtin_ctz(non);
        }
        low |= lowm != 0;
        i += 16;
    }
#endif
    while (i < lim && isaln(b[i])) {
        low |= islo(b[i]);
        i++;
    }
    *lower = low;
    return i;
}

/*
 * trigger_mask64(): bit k set when b[k] is a trigger, for the 64 bytes at
 * <b>, with next_trigger()'s tables. The scan loop takes triggers from this
 * mask one after another instead of classifying the bytes again after each
 * handler returns (there is a trigger every 11 to 15 bytes of API traffic).
 */
static inline uint64_t trigger_mask64(const unsigned char *b)
{
#if VEIL_K_LEVEL >= 3
    return trigger_mask512(b);
#elif VEIL_K_LEVEL >= 2
    const __m256i lo_t = _mm256_setr_epi8(TRIG_LO, TRIG_LO);
    const __m256i hi_t = _mm256_setr_epi8(TRIG_HI, TRIG_HI);
    const __m256i nib = _mm256_set1_epi8(0x0f);
    const __m256i zero = _mm256_setzero_si256();
    uint64_t bits = 0;

    for (int k = 0; k < 2; k++) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(b + 32 * k));
        __m256i lo = _mm256_and_si256(v, nib);
        __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), nib);
        __m256i m = _mm256_and_si256(_mm256_shuffle_epi8(lo_t, lo), _mm256_shuffle_epi8(hi_t, hi));
        uint64_t none = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(m, zero));
        bits |= (none ^ 0xffffffffu) << (32 * k);
    }
    return bits;
#elif VEIL_K_LEVEL >= 1
    const __m128i lo_t = _mm_setr_epi8(TRIG_LO), hi_t = _mm_setr_epi8(TRIG_HI);
    const __m128i nib = _mm_set1_epi8(0x0f);
    const __m128i zero = _mm_setzero_si128();
    uint64_t bits = 0;

    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + 16 * k));
        __m128i lo = _mm_and_si128(v, nib);
        __m128i hi = _mm_and_si128(_mm_srli_epi16(v, 4), nib);
        __m128i m = _mm_and_si128(_mm_shuffle_epi8(lo_t, lo), _mm_shuffle_epi8(hi_t, hi));
        uint64_t none = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(m, zero));
        bits |= (none ^ 0xffffu) << (16 * k);
    }
    return bits;
#else
    /* Table bits shifted into place, no comparison per byte (which a
       fuzzing build would trace one by one). */
    uint64_t bits = 0;
    for (unsigned k = 0; k < 64; k++) {
        bits |= (uint64_t)(CT(b[k]) >> 6 & 1) << k;
    }
    return bits;
#endif
}

#if VEIL_K_LEVEL >= 1
/* Bit k set when b[k] is a digit / a separator " -./()", for 32 bytes. */
static inline uint32_t digit_mask32(const unsigned char *b)
{
    const __m128i lo = _mm_set1_epi8('0' - 1), hi = _mm_set1_epi8('9' + 1);
    __m128i v0 = _mm_loadu_si128((const __m128i *)(const void *)b);
    __m128i v1 = _mm_loadu_si128((const __m128i *)(const void *)(b + 16));
    unsigned m0 =
        (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpgt_epi8(v0, lo), _mm_cmplt_epi8(v0, hi)));
    unsigned m1 =
        (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpgt_epi8(v1, lo), _mm_cmplt_epi8(v1, hi)));
    return m0 | m1 << 16;
}

/* The digits of 64 bytes, for the scan loop's test of each trigger. */
static inline uint64_t digit_mask64(const unsigned char *b)
{
#if VEIL_K_LEVEL >= 3
    __m512i v = _mm512_loadu_si512((const void *)b);
    return (uint64_t)_mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, _mm512_set1_epi8('0')),
                                            _mm512_set1_epi8(10));
#else
    return (uint64_t)digit_mask32(b) | (uint64_t)digit_mask32(b + 32) << 32;
#endif
}

static inline uint32_t sep_mask32(const unsigned char *b)
{
    /* ' ', '(' ')', '-' '.' '/': 0x20, 0x28-0x29, 0x2d-0x2f. */
    const __m128i sp = _mm_set1_epi8(' '), p0 = _mm_set1_epi8('(' - 1), p1 = _mm_set1_epi8(')' + 1),
                  d0 = _mm_set1_epi8('-' - 1), d1 = _mm_set1_epi8('/' + 1);
    uint32_t m = 0;
    for (int k = 0; k < 2; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + 16 * k));
        __m128i r =
            _mm_or_si128(_mm_cmpeq_epi8(v, sp),
                         _mm_or_si128(_mm_and_si128(_mm_cmpgt_epi8(v, p0), _mm_cmplt_epi8(v, p1)),
                                      _mm_and_si128(_mm_cmpgt_epi8(v, d0), _mm_cmplt_epi8(v, d1))));
        m |= (uint32_t)_mm_movemask_epi8(r) << (16 * k);
    }
    return m;
}
#endif

static int has_trigger(const void *s, size_t len)
{
    return next_trigger(s, 0, len) < len;
}

/* ---- blank lines, for the CSV reader (csv_columns.c) ---- */

/* Does a blank line follow the newline at b[p] ("\n\n" or "\n\r\n",
   whole in b[0..n))? */
static inline int blank_after(const unsigned char *b, size_t p, size_t n)
{
    return p + 1 < n && (b[p + 1] == '\n' || (b[p + 1] == '\r' && p + 2 < n && b[p + 2] == '\n'));
}

/* The first newline at or after <p> that a blank line follows; n when
   there is none. The newlines of 64 bytes are found as one mask, and a
   blank line is a newline whose next byte or next but one is a newline
   too (the second read again for its '\r'); only the last two bytes'
   newlines look past the block. A line of text every 40 to 100 bytes
   made a test per newline cost as much as the search. */
static size_t next_blank(const unsigned char *b, size_t p, size_t n)
{
#if VEIL_K_LEVEL >= 1
    for (; p + 64 <= n; p += 64) {
#if VEIL_K_LEVEL >= 2
        const __m256i lf = _mm256_set1_epi8('\n');
        __m256i x0 = _mm256_loadu_si256((const __m256i *)(const void *)(b + p));
        __m256i x1 = _mm256_loadu_si256((const __m256i *)(const void *)(b + p + 32));
        uint64_t m = (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x0, lf)) |
                     (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x1, lf)) << 32;
#else
        const __m128i lf = _mm_set1_epi8('\n');
        uint64_t m = 0;
        for (unsigned h = 0; h < 64; h += 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(b + p + h));
            m |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, lf)) << h;
        }
#endif
        uint64_t maybe = m & (m >> 1 | m >> 2 | 3ull << 62);
        for (; maybe != 0; maybe &= maybe - 1) {
            size_t q = p + (size_t)__builtin_ctzll(maybe);
            if (blank_after(b, q, n)) {
                return q;
            }
        }
    }
#endif
    for (; p + 1 < n; p++) {
        if (b[p] == '\n' && blank_after(b, p, n)) {
            return p;
        }
    }
    return n;
}

/* ---- the look-alike normaliser's plain bytes (text_scan.c) ---- */

/* The bytes a replacement may start on: '%', '+', C2, E2, EF. */
static const uint8_t plain_special[256] = {
    ['%'] = 1, ['+'] = 1, [0xC2] = 1, [0xE2] = 1, [0xEF] = 1};

#if VEIL_K_LEVEL >= 1
static inline unsigned plain_special16(__m128i v)
{
    __m128i m = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('%')), _mm_cmpeq_epi8(v, _mm_set1_epi8('+'))),
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xC2)),
                                  _mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xE2))),
                     _mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xEF))));
    return (unsigned)_mm_movemask_epi8(m);
}
#endif

/* Copies p[0..n) to dst up to the first byte a replacement may start on
   and returns how many bytes came before it (n when none). Whole vectors
   are stored, never past dst[n - 1]: bytes stored after the returned
   count are the input's own and are written again or wiped. */
static size_t plain_copy(unsigned char *dst, const unsigned char *p, size_t n)
{
    size_t i = 0;
#if VEIL_K_LEVEL >= 2
    const __m256i pct = _mm256_set1_epi8('%'), plus = _mm256_set1_epi8('+');
    const __m256i c2 = _mm256_set1_epi8((char)0xC2), e2 = _mm256_set1_epi8((char)0xE2);
    const __m256i ef = _mm256_set1_epi8((char)0xEF);
    for (; i + 32 <= n; i += 32) {
        /* The first read of each input byte: from memory for a large body
           (or a bench corpus) that has left the caches. The hardware's
           prefetcher alone left this loop waiting on its loads (three
           quarters of its samples on the first use of a load); 2 KiB
           ahead, it runs 1.5 to 2% faster on the whole API text scan. A
           prefetch past the input's end is harmless (it never faults).
           Not for short runs (a JSON body's values, copied one by one),
           where it only fetched the same lines again and again. */
        if (n >= 8192) {
            _mm_prefetch((const char *)p + i + 2048, _MM_HINT_T0);
        }
        __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(p + i));
        _mm256_storeu_si256((__m256i *)(void *)(dst + i), v);
        __m256i m = _mm256_or_si256(
            _mm256_or_si256(_mm256_cmpeq_epi8(v, pct), _mm256_cmpeq_epi8(v, plus)),
            _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(v, c2), _mm256_cmpeq_epi8(v, e2)),
                            _mm256_cmpeq_epi8(v, ef)));
        unsigned bits = (unsigned)_mm256_movemask_epi8(m);
        if (bits != 0) {
            return i + (size_t)__builtin_ctz(bits);
        }
    }
#endif
#if VEIL_K_LEVEL >= 1
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        _mm_storeu_si128((__m128i *)(void *)(dst + i), v);
        unsigned bits = plain_special16(v);
        if (bits != 0) {
            return i + (size_t)__builtin_ctz(bits);
        }
    }
#endif
    while (i < n && !plain_special[p[i]]) {
        dst[i] = p[i];
        i++;
    }
    return i;
}


/* ---- context words ---- */

/* The context window: up to CTX_WINDOW bytes before <s>, lower-cased, not
   reaching back past a line break (a log line's context is its own). A
   '+' is read as the space it stands for in a form body (HTML's
   application/x-www-form-urlencoded), so that words of more than one
   ("reach+me+at") are found there too. */
static size_t context_window(const struct veil__text *t, size_t s, char *win)
{
    size_t from = s > CTX_WINDOW ? s - CTX_WINDOW : 0, wl = 0;
#if VEIL_K_LEVEL >= 1 && CTX_WINDOW == 48
    /* A full window: the last line break and the lower-casing, sixteen
       bytes at a time. */
    if (s >= CTX_WINDOW) {
        const __m128i nl = _mm_set1_epi8('\n'), dl = _mm_set1_epi8((char)VEIL__DELIM);
        const __m128i a1 = _mm_set1_epi8('A' - 1), z1 = _mm_set1_epi8('Z' + 1);
        const __m128i bit = _mm_set1_epi8(0x20), plus = _mm_set1_epi8('+');
        const __m128i plus_to_space = _mm_set1_epi8('+' ^ ' ');
        char low[CTX_WINDOW];
        uint64_t brk = 0;
        for (int k = 0; k < 3; k++) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(t->buf + from + 16 * k));
            __m128i up = _mm_and_si128(_mm_cmpgt_epi8(v, a1), _mm_cmplt_epi8(v, z1));
            __m128i pl = _mm_and_si128(_mm_cmpeq_epi8(v, plus), plus_to_space);
            _mm_storeu_si128((__m128i *)(void *)(low + 16 * k),
                             _mm_xor_si128(_mm_or_si128(v, _mm_and_si128(up, bit)), pl));
            brk |= (uint64_t)(unsigned)_mm_movemask_epi8(
                       _mm_or_si128(_mm_cmpeq_epi8(v, nl), _mm_cmpeq_epi8(v, dl)))
                   << (16 * k);
        }
        size_t skip = brk ? (size_t)(64 - __builtin_clzll(brk)) : 0;
        memcpy(win, low + skip, CTX_WINDOW - skip);
        return CTX_WINDOW - skip;
    }
#endif
    for (size_t k = s; k > from; k--) {
        if (t->buf[k - 1] == '\n' || t->buf[k - 1] == VEIL__DELIM) {
            from = k;
            break;
        }
    }
    for (size_t k = from; k < s; k++) {
        win[wl++] = t->buf[k] == '+' ? ' ' : (char)lower(t->buf[k]);
    }
    return wl;
}

/*
 * context_mask(): which of the detectors in <want> have a context word in
 * <hay>, through the words indexed by first byte. Short words must start
 * and end at a word boundary; longer ones must start at one in running
 * text and may sit anywhere in a key ("routingNumber").
 */
#if VEIL_K_LEVEL >= 1
/* Bit k set when byte k of the 16 at <v> is in <set> (see context_sets). */
static inline unsigned set_member16(__m128i v, __m128i lo_set, __m128i hi_set)
{
    const __m128i nib = _mm_set1_epi8(0x0f), zero = _mm_setzero_si128();
    const __m128i bits =
        _mm_setr_epi8(1, 2, 4, 8, 16, 32, 64, (char)128, 1, 2, 4, 8, 16, 32, 64, (char)128);
    __m128i lo = _mm_and_si128(v, nib);
    __m128i hi = _mm_and_si128(_mm_srli_epi16(v, 4), nib);
    __m128i high = _mm_cmplt_epi8(v, zero);
    __m128i row = _mm_or_si128(_mm_and_si128(high, _mm_shuffle_epi8(hi_set, lo)),
                               _mm_andnot_si128(high, _mm_shuffle_epi8(lo_set, lo)));
    __m128i hit = _mm_and_si128(row, _mm_shuffle_epi8(bits, hi));
    return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(hit, zero)) ^ 0xffffu;
}
#endif

static uint64_t context_mask(const veil_engine_t *e, const char *hay, size_t hl, int in_key,
                             uint64_t want)
{
    uint64_t found = 0;
#if VEIL_K_LEVEL >= 1
    /* A word can only start on one of the wanted detectors' first bytes,
       before one of their second bytes, and in running text (the window,
       CTX_WINDOW bytes) at a word boundary: the positions where these
       hold are found sixteen at a time, and only they are looked at below
       (a superset of those the loop would not skip). A key (a field's,
       62 bytes of room) is read the same way where it is no longer than
       the window, without the boundary. */
    uint64_t cands = ~0ull;
    if (hl <= CTX_WINDOW && CTX_WINDOW == 48) {
        __m128i f_lo = _mm_setzero_si128(), f_hi = f_lo, s_lo = f_lo, s_hi = f_lo;
        for (uint64_t w = want; w; w &= w - 1) {
            const uint8_t(*set)[32] = e->context_sets[__builtin_ctzll(w)];
            f_lo = _mm_or_si128(f_lo, _mm_loadu_si128((const __m128i *)(const void *)set[0]));
            f_hi =
                _mm_or_si128(f_hi, _mm_loadu_si128((const __m128i *)(const void *)(set[0] + 16)));
            s_lo = _mm_or_si128(s_lo, _mm_loadu_si128((const __m128i *)(const void *)set[1]));
            s_hi =
                _mm_or_si128(s_hi, _mm_loadu_si128((const __m128i *)(const void *)(set[1] + 16)));
        }
        const __m128i a1 = _mm_set1_epi8('A' - 1), z1 = _mm_set1_epi8('Z' + 1),
                      la1 = _mm_set1_epi8('a' - 1), lz1 = _mm_set1_epi8('z' + 1);
        uint64_t first = 0, second = 0, alpha = 0;
        for (int k = 0; k < 3; k++) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(hay + 16 * k));
            __m128i al =
                _mm_or_si128(_mm_and_si128(_mm_cmpgt_epi8(v, a1), _mm_cmplt_epi8(v, z1)),
                             _mm_and_si128(_mm_cmpgt_epi8(v, la1), _mm_cmplt_epi8(v, lz1)));
            first |= (uint64_t)set_member16(v, f_lo, f_hi) << (16 * k);
            second |= (uint64_t)set_member16(v, s_lo, s_hi) << (16 * k);
            alpha |= (uint64_t)(unsigned)_mm_movemask_epi8(al) << (16 * k);
        }
        uint64_t in = hl ? ~0ull >> (64 - hl) : 0;
        /* The last byte has no second byte after it: the loop keeps it. */
        uint64_t last = hl ? 1ull << (hl - 1) : 0;
        cands = first & ((second >> 1) | last) & (in_key ? ~0ull : ~(alpha << 1)) & in;
    }
    for (uint64_t m = cands; m; m &= m - 1) {
        size_t k = (size_t)__builtin_ctzll(m);
        if (k >= hl) {
            break;
        }
#else
    for (size_t k = 0; k < hl; k++) {
#endif
        unsigned char c = (unsigned char)hay[k];
        uint64_t cand = e->context_first[c] & want & ~found;
        /* A word longer than one byte also needs its second byte here. */
        if (cand && k + 1 < hl) {
            cand &= e->context_second[(unsigned char)hay[k + 1]];
        }
        if (!cand) {
            continue;
        }
        int bounded = k == 0 || !isal((unsigned char)hay[k - 1]);
        if (!bounded && !in_key) {
            continue;
        }
        if (e->ctx_runs_ok) {
            /* Only the words of the detectors still in <cand>: each one's
               run among the words of this first byte. */
            for (uint64_t dm = cand; dm; dm &= dm - 1) {
                unsigned d = (unsigned)__builtin_ctzll(dm);
                size_t r = e->ctx_run_index[c] +
                           (size_t)__builtin_popcountll(e->context_first[c] & ((1ull << d) - 1));
                for (size_t j = e->ctx_run_start[r]; j < e->ctx_run_start[r + 1]; j++) {
                    size_t len = e->ctx_words[j].len;
                    const char *w = e->ctx_words[j].word;
                    if (k + len > hl || (len > 1 && hay[k + 1] != w[1]) ||
                        (len > 2 && memcmp(hay + k + 2, w + 2, len - 2) != 0)) {
                        continue;
                    }
                    if (len <= 3 ? bounded && (k + len == hl || !isal((unsigned char)hay[k + len]))
                                 : 1) {
                        found |= 1ull << d;
                        break;
                    }
                }
            }
            continue;
        }
        for (size_t j = e->ctx_index[c]; j < e->ctx_index[c + 1]; j++) {
            size_t len = e->ctx_words[j].len;
            uint64_t bit = 1ull << e->ctx_words[j].detector;
            const char *w = e->ctx_words[j].word;
            if (!(want & bit) || (found & bit) || k + len > hl || (len > 1 && hay[k + 1] != w[1]) ||
                (len > 2 && memcmp(hay + k + 2, w + 2, len - 2) != 0)) {
                continue;
            }
            if (len <= 3 ? bounded && (k + len == hl || !isal((unsigned char)hay[k + len])) : 1) {
                found |= bit;
            }
        }
    }
    return found;
}

/*
 * has_context(): 1 when one of <det>'s context words is in the CTX_WINDOW
 * bytes before <s> (on the same line) or in the current field's key.
 * Answers are cached per candidate start and detector.
 */
/* The key of the value the byte at <s> belongs to, or NULL. */
static struct veil__field *field_at(struct veil__text *t, size_t s)
{
    uint64_t at = t->base + s;
    size_t lo = 0, hi = t->nfields;
    /* Look-ups move forward through the values: try the last answer's
       field and the next one before searching. */
    for (size_t h = t->field_hint; h < t->field_hint + 2 && h < t->nfields; h++) {
        if (t->fields[h].start <= at && (h + 1 == t->nfields || t->fields[h + 1].start > at)) {
            t->field_hint = h;
            return t->fields[h].len ? &t->fields[h] : NULL;
        }
    }
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->fields[mid].start <= at) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo > 0) {
        t->field_hint = lo - 1;
    }
    return lo > 0 && t->fields[lo - 1].len ? &t->fields[lo - 1] : NULL;
}

static uint64_t context_bits(struct veil__text *t, size_t s, uint64_t want)
{
    if (t->ctx_pos != s) {
        t->ctx_pos = s;
        t->ctx_done = 0;
        t->ctx_mask = 0;
        t->ctx_wl = SIZE_MAX; /* the window: read when asked */
    }
    /* The key is looked at lazily too: most values never ask. */
    struct veil__field *f = field_at(t, s);
    uint64_t fmask = 0;
    if (f) {
        uint64_t ftodo = want & ~f->done;
        if (ftodo) {
            f->mask |= context_mask(t->eng, f->key, f->len, 1, ftodo);
            f->done |= ftodo;
        }
        fmask = f->mask;
    }
    uint64_t todo = want & ~t->ctx_done & ~fmask;
    if (todo) {
        if (t->ctx_wl == SIZE_MAX) {
            t->ctx_wl = context_window(t, s, t->ctx_win);
        }
        t->ctx_mask |= context_mask(t->eng, t->ctx_win, t->ctx_wl, 0, todo);
        t->ctx_done |= todo;
    }
    return (t->ctx_mask | fmask) & want;
}

static int has_context(struct veil__text *t, size_t s, int det)
{
    return context_bits(t, s, 1ull << det) != 0;
}

/* near_version_word(): a word that says version (version, build,
   firmware, release) in the 24 bytes before <s> on its line, or in the
   key of its value. */
static int near_version_word(struct veil__text *t, size_t s)
{
    static const struct {
        const char *w;
        size_t n;
    } words[] = {{"version", 7}, {"build", 5}, {"firmware", 8}, {"release", 7}};
    char win[CTX_WINDOW];
    size_t wl = context_window(t, s, win);
    size_t from = wl > 24 ? wl - 24 : 0;
    const struct veil__field *f = field_at(t, s);
    for (size_t j = 0; j < sizeof(words) / sizeof(words[0]); j++) {
        const char *w = words[j].w;
        size_t len = words[j].n;
        for (size_t k = from; k + len <= wl; k++) {
            if (win[k] == w[0] && memcmp(win + k, w, len) == 0) {
                return 1;
            }
        }
        if (f && f->len >= len && memmem(f->key, f->len, w, len) != NULL) {
            return 1;
        }
    }
    return 0;
}

/* context_word(): a word (not one of a detector's) in the window or key. */
static int context_word(struct veil__text *t, size_t s, const char *word)
{
    char win[CTX_WINDOW];
    size_t wl = context_window(t, s, win), len = strlen(word);
    for (size_t k = 0; k + len <= wl; k++) {
        if (win[k] == word[0] && memcmp(win + k, word, len) == 0) {
            return 1;
        }
    }
    const struct veil__field *f = field_at(t, s);
    return f && f->len >= len && memmem(f->key, f->len, word, len) != NULL;
}


/* ---- pattern confirmation ---- */

/*
 * match(): runs <det>'s core pattern anchored at <s> on the subject
 * buf[0..lim) (the bytes before <s> stay visible for \b). Returns the end
 * of the match, or 0.
 */
static size_t match(struct veil__text *t, int det, size_t s, size_t lim, int whole)
{
    const pcre2_code *re = whole ? t->eng->re_whole[det] : t->eng->re[det];
    if (re == NULL || s >= lim) {
        return 0;
    }
    /* A word that starts after a %XX escape (h_numeric) starts the
       subject: the escape's hex digits are no part of it, not even for a
       \b. */
    size_t from = t->match_from <= s ? t->match_from : 0;
    /* pcre2_jit_match() skips pcre2_match()'s option checks: a candidate
       costs a few hundred instructions less. */
    int rc = t->eng->jit ? pcre2_jit_match(re, t->buf + from, lim - from, s - from, 0, t->md, NULL)
                         : pcre2_match(re, t->buf + from, lim - from, s - from, 0, t->md, NULL);
    if (rc < 0) {
        return 0;
    }
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(t->md);
    return ov[1] > ov[0] ? (size_t)ov[1] + from : 0;
}

static int valid(veil__validator_fn fn, const unsigned char *b, size_t s, size_t e)
{
    return fn((const char *)b + s, e - s);
}


/* ---- handlers ---- */

/* Skips an alphanumeric run from <i> in steps of TOKEN_SKIP. */
static size_t skip_alnum(const struct veil__text *t, size_t i, int final)
{
    size_t q = i;
    while (q < t->len && q - i < TOKEN_SKIP && isaln(t->buf[q])) {
        q++;
    }
    if (q == t->len && q - i < TOKEN_SKIP && !final) {
        return DEFER;
    }
    return q > i ? q : i + 1;
}

/*
 * skip_joined(): from the end <q> of a word, skips the words joined to it
 * by '-', '.', '_' or '/' (a UUID, a host name, a path): a token that had a
 * lower-case word is one token, and its other parts are not candidates
 * ("6b0dd717-8630-1586-9989-..." holds no Aadhaar number).
 */
static size_t skip_joined(const struct veil__text *t, size_t q, int final)
{
    const unsigned char *b = t->buf;
    size_t n = t->len, start = q;
    while (q - start < TOKEN_SKIP) {
        if (q + 1 >= n) {
            return final || q - start >= TOKEN_SKIP ? n : DEFER;
        }
        if (!(b[q] == '-' || b[q] == '.' || b[q] == '_' || b[q] == '/') || !isaln(b[q + 1])) {
            return q;
        }
        q++;
        while (q < n && isaln(b[q])) {
            q++;
        }
    }
    return q;
}

typedef struct {
    size_t s, e;
    unsigned digits, letters, upper;
} word_t;

static int chain_word_ok(const unsigned char *b, size_t s, size_t e)
{
    size_t len = e - s;
    int hex = 1, up = 1;
    for (size_t k = s; k < e; k++) {
        if (isdig(b[k])) {
            return 1;
        }
        hex &= ishex(b[k]);
        up &= isup(b[k]);
    }
    return len <= 4 && (hex || up);
}

/*
 * The numeric-chain handler. A chain is a run of alphanumeric words joined
 * by at most three separator characters (" -./()"), where every word after
 * the first has a digit or is short hex or upper case (IBAN groups "WEST",
 * a NINO suffix "C"). Candidates start at each word of the chain.
 */
typedef struct {
    word_t w[16];
    size_t nw, cs, ce;
} chain_t;

/* A word of a chain as build_chain() reads it: the run of [0-9A-Za-z]
   at <q> up to <lim>; its end, its digits and capitals, and whether it is
   all hex digits, all capitals. */
typedef struct {
    unsigned digits, upper;
    int hex, up;
} chain_run_t;

#if defined(__SSE2__)
/* Bytes of <x> in [lo, lo + count) (also names_mask.h's). */
static inline __m128i in_range16(__m128i x, unsigned char lo, unsigned char count)
{
    return _mm_cmpgt_epi8(_mm_set1_epi8((char)(-128 + count)),
                          _mm_add_epi8(x, _mm_set1_epi8((char)(0x80 - lo))));
}
#endif

/* (Sixteen bytes at a time where they are there to read: a chain is read
   at every digit run of the text, a word of it byte by byte cost the
   handler a fifth of its time.) */
static inline size_t chain_run(const unsigned char *b, size_t q, size_t lim, chain_run_t *o)
{
    unsigned nd = 0, nu = 0;
    int hex = 1, up = 1;
#if VEIL_K_LEVEL >= 1
    while (q + 16 <= lim) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + q));
        __m128i low = _mm_or_si128(v, _mm_set1_epi8(0x20));
        __m128i d = in_range16(v, '0', 10), u = in_range16(v, 'A', 26);
        unsigned dm = (unsigned)_mm_movemask_epi8(d), um = (unsigned)_mm_movemask_epi8(u);
        unsigned am = dm | (unsigned)_mm_movemask_epi8(in_range16(low, 'a', 26));
        unsigned hm = dm | (unsigned)_mm_movemask_epi8(in_range16(low, 'a', 6));
        unsigned keep = 0xFFFFu;
        if (am != 0xFFFFu) {
            keep = (1u << __builtin_ctz(~am)) - 1;
        }
        nd += (unsigned)__builtin_popcount(dm & keep);
        nu += (unsigned)__builtin_popcount(um & keep);
        hex &= (hm & keep) == keep;
        up &= (um & keep) == keep;
        if (keep != 0xFFFFu) {
            o->digits = nd;
            o->upper = nu;
            o->hex = hex;
            o->up = up;
            return q + (size_t)__builtin_popcount(keep);
        }
        q += 16;
    }
#endif
    while (q < lim && isaln(b[q])) {
        nd += isdig(b[q]);
        nu += isup(b[q]);
        hex &= ishex(b[q]);
        up &= isup(b[q]);
        q++;
    }
    o->digits = nd;
    o->upper = nu;
    o->hex = hex;
    o->up = up;
    return q;
}

static size_t build_chain(struct veil__text *t, size_t ws, size_t cs, int final, chain_t *c)
{
    const unsigned char *b = t->buf;
    size_t n = t->len, p = ws, q = ws;
    /* (no word reads past n, nor past CHAIN_MAX bytes of the chain) */
    const size_t lim = cs + CHAIN_MAX + 1 < n ? cs + CHAIN_MAX + 1 : n;
    chain_run_t run;

    c->nw = 0;
    c->cs = cs;
    q = chain_run(b, q, lim, &run);
    unsigned digits = run.digits, upper = run.upper;
    if (q == n && !final && q - cs <= CHAIN_MAX) {
        return DEFER;
    }
    if (q - cs > CHAIN_MAX) {
        return 0; /* a single token too long to be PII */
    }
    for (;;) {
        word_t *w = &c->w[c->nw];
        w->s = p;
        w->e = q;
        w->digits = digits;
        w->upper = upper;
        w->letters = (unsigned)(q - p) - digits;
        c->nw++;
        if (c->nw == sizeof(c->w) / sizeof(c->w[0])) {
            break;
        }
        size_t s = q;
        while (s < n && s - q < 3 && issep(b[s])) {
            s++;
        }
        if (s == n && !final && s - cs <= CHAIN_MAX) {
            return DEFER;
        }
        if (s == q || s >= n || !isaln(b[s])) {
            break;
        }
        /* The next word, read once: whether it may join (chain_word_ok())
           and, if it does, its counts. */
        size_t r = s < lim ? chain_run(b, s, lim, &run) : s;
        if (r == n && !final && r - cs <= CHAIN_MAX) {
            return DEFER;
        }
        if (r == s) {
            break; /* (s past lim: more than CHAIN_MAX bytes) */
        }
        if (r - cs > CHAIN_MAX || !(run.digits > 0 || (r - s <= 4 && (run.hex || run.up)))) {
            break;
        }
        p = s;
        q = r;
        digits = run.digits;
        upper = run.upper;
    }
    c->ce = c->w[c->nw - 1].e;
    return c->ce;
}

/* Statistics of the all-digit words from word <k> on. */
typedef struct {
    unsigned digits, groups, g[8];
    unsigned seps; /* bit per separator kind: 1 space, 2 '-', 4 '.', 8 '/', 16 paren */
    size_t end;
    unsigned ten; /* ten bare digits: ten_digit_checks() (try_numeric()); else 7 */
} numspan_t;

static void numeric_span(const struct veil__text *t, const chain_t *c, size_t k, numspan_t *ns)
{
    const unsigned char *b = t->buf;
    /* g[] is written up to groups, and read only below it. */
    ns->digits = ns->groups = ns->seps = 0;
    ns->end = 0;
    for (size_t j = k; j < c->nw; j++) {
        const word_t *w = &c->w[j];
        if (w->letters) {
            break;
        }
        ns->digits += w->digits;
        if (ns->groups < 8) {
            ns->g[ns->groups] = w->digits;
        }
        ns->groups++;
        ns->end = w->e;
        if (j + 1 < c->nw && c->w[j + 1].letters == 0) {
            for (size_t x = w->e; x < c->w[j + 1].s; x++) {
                ns->seps |= b[x] == ' '   ? 1u
                            : b[x] == '-' ? 2u
                            : b[x] == '.' ? 4u
                            : b[x] == '/' ? 8u
                                          : 16u;
            }
        }
    }
}

/*
 * try_shrinking(): matches <det> at <s>, validating with <fn>; when the
 * match fails validation, retries with the subject cut at the previous word
 * end ("4111 1111 1111 1111 2024": a card followed by a year).
 */
static size_t try_shrinking(struct veil__text *t, const chain_t *c, int det, size_t s, size_t lim,
                            veil__validator_fn fn, int may_shrink)
{
    for (int tries = 0; tries < (may_shrink ? 4 : 1); tries++) {
        size_t e = match(t, det, s, lim, 0);
        if (e == 0) {
            return 0;
        }
        if (fn == NULL || valid(fn, t->buf, s, e)) {
            return e;
        }
        size_t prev = 0;
        for (size_t j = 0; j < c->nw; j++) {
            if (c->w[j].e < e && c->w[j].e > s) {
                prev = c->w[j].e;
            }
        }
        if (prev == 0) {
            return 0;
        }
        lim = prev;
    }
    return 0;
}

static int conf_ctx(int base, int ctx)
{
    return ctx && base < VEIL_CONF_HIGH ? base + 1 : base;
}

/* A MAC address written with dashes (00-1a-2b-3c-4d-5e) or dots
   (001a.2b3c.4d5e); colon forms go to the colon handler. */
static size_t try_mac_at(struct veil__text *t, const chain_t *c, size_t k)
{
    const unsigned char *b = t->buf;
    const word_t *w = &c->w[k];
    size_t e;

    for (size_t x = w->s; x < w->e; x++) {
        if (!ishex(b[x])) {
            return 0;
        }
    }
    /* The address stands alone: a group joined before or after it by the
       same separator makes a longer number ("4808.1262.1213.5197" is a
       card, not a MAC and a tail). */
    unsigned char sep = b[w->e]; /* the address's own separator */
    if (w->s >= 2 && b[w->s - 1] == sep && isaln(b[w->s - 2])) {
        return 0;
    }
    if ((e = match(t, VEIL_D_MAC_ADDRESS, w->s, c->ce, 0)) != 0 &&
        !(e + 1 < t->len && b[e] == sep && isaln(b[e + 1])) && valid(veil__valid_mac, b, w->s, e)) {
        veil__text_report(t, w->s, e, VEIL_D_MAC_ADDRESS,
                          conf_ctx(VEIL_CONF_MEDIUM, has_context(t, w->s, VEIL_D_MAC_ADDRESS)), 0);
        return e;
    }
    return 0;
}

static inline size_t try_mac(struct veil__text *t, const chain_t *c, size_t k)
{
    const word_t *w = &c->w[k];
    size_t len = w->e - w->s;
    /* The pattern's two forms: 2 hex digits then ':' or '-' (17 bytes in
       all), or 4 then '.' (14 bytes); ':' never reaches a chain. */
    if (w->e >= c->ce || !((len == 2 && t->buf[w->e] == '-' && c->ce - w->s >= 17) ||
                           (len == 4 && t->buf[w->e] == '.' && c->ce - w->s >= 14))) {
        return 0;
    }
    return try_mac_at(t, c, k);
}

/*
 * ten_digit_checks(): for ten bare digits at <p> (epoch seconds, ids: the
 * commonest long number of API traffic), the check each of three
 * validators makes of them, in one pass: bit 0 the NHS number's mod 11
 * (veil__valid_uk_nhs()), bit 1 the NPI's Luhn over 80840 and the digits
 * (whose five digits add 24), bit 2 the ICAO 9303 check digit of a German
 * ID document (weights 7 3 1). A number failing one is refused by that
 * validator, which is then not called; one passing is still judged by it
 * whole.
 */
static inline unsigned ten_digit_checks(const unsigned char *p)
{
    static const unsigned char w731[9] = {7, 3, 1, 7, 3, 1, 7, 3, 1};
    unsigned nhs = 0, luhn = 24, icao = 0;
    for (unsigned k = 0; k < 9; k++) {
        unsigned d = p[k] - (unsigned)'0';
        nhs += (10 - k) * d;
        icao += w731[k] * d;
        /* (the check digit is the Luhn position 0: p[k] is 9 - k, doubled
           when odd) */
        unsigned l = (k & 1) == 0 ? 2 * d : d;
        luhn += l > 9 ? l - 9 : l;
    }
    unsigned last = p[9] - (unsigned)'0', check = 11 - nhs % 11;
    check = check == 11 ? 0 : check;
    return (unsigned)(check == last) | (unsigned)((luhn + last) % 10 == 0) << 1 |
           (unsigned)(icao % 10 == last) << 2;
}

#include "text_ids.h"

/* Candidates starting at a word made of letters then digits. */
static size_t try_lettered(struct veil__text *t, const chain_t *c, size_t k)
{
    const unsigned char *b = t->buf;
    const word_t *w = &c->w[k];
    size_t s = w->s, len = w->e - w->s, e;

    if ((e = try_mac(t, c, k)) != 0) {
        return e;
    }
    if (len >= 4 && isup(b[s]) && isup(b[s + 1]) && isdig(b[s + 2]) && isdig(b[s + 3]) &&
        (e = try_shrinking(t, c, VEIL_D_IBAN, s, c->ce, veil__valid_iban, 1)) != 0) {
        veil__text_report(t, s, e, VEIL_D_IBAN, VEIL_CONF_HIGH, 0);
        return e;
    }
    if (len == 16 && isup(b[s]) && (e = match(t, VEIL_D_IT_FISCAL_CODE, s, w->e, 0)) != 0 &&
        valid(veil__valid_it_fiscal, b, s, e)) {
        veil__text_report(t, s, e, VEIL_D_IT_FISCAL_CODE, VEIL_CONF_HIGH, 0);
        return e;
    }
    if ((b[s] == 'X' || b[s] == 'Y' || b[s] == 'Z') && c->ce - s >= 9 &&
        (e = match(t, VEIL_D_ES_NIE, s, c->ce, 0)) != 0 && valid(veil__valid_es_nie, b, s, e)) {
        veil__text_report(t, s, e, VEIL_D_ES_NIE, VEIL_CONF_HIGH, 0);
        return e;
    }
    if (len >= 2 && isup(b[s]) && isup(b[s + 1]) && c->ce - s >= 9 &&
        (isdig(b[s + 2]) || (b[s + 2] == ' ' && isdig(b[s + 3]))) &&
        (e = match(t, VEIL_D_UK_NINO, s, c->ce, 0)) != 0 && valid(veil__valid_uk_nino, b, s, e)) {
        veil__text_report(t, s, e, VEIL_D_UK_NINO,
                          conf_ctx(VEIL_CONF_MEDIUM, has_context(t, s, VEIL_D_UK_NINO)), 0);
        return e;
    }
    return ids_lettered(t, c, k);
}

/* Nine bare or grouped digits: several national numbers share this shape,
   so a context word decides which one it is. */
static size_t try_nine(struct veil__text *t, const chain_t *c, size_t s, const numspan_t *ns)
{
    static const struct {
        int det;
        veil__validator_fn fn;
    } kinds[] = {
        /* Those with a check digit first: when the words around name
           two ("tax_id" and "burgerservicenummer"), the number that
           passes a checksum is more likely the one it is. */
        {VEIL_D_US_BANK_ROUTING, veil__valid_aba}, {VEIL_D_CA_SIN, veil__valid_ca_sin},
        {VEIL_D_NL_BSN, veil__valid_nl_bsn},       {VEIL_D_US_SSN, veil__valid_us_ssn},
        {VEIL_D_US_ITIN, veil__valid_us_itin},
    };
    const unsigned char *b = t->buf;
    int formatted_ssn = ns->groups == 3 && ns->g[0] == 3 && ns->g[1] == 2 && ns->g[2] == 4 &&
                        (ns->seps == 1 || ns->seps == 2);
    size_t e;

    /* AAA-GG-SSSS is an SSN or an ITIN by its shape alone. */
    if (formatted_ssn) {
        int itin = b[s] == '9';
        int det = itin ? VEIL_D_US_ITIN : VEIL_D_US_SSN;
        if ((e = match(t, det, s, ns->end, 0)) != 0 &&
            valid(itin ? veil__valid_us_itin : veil__valid_us_ssn, b, s, e)) {
            veil__text_report(t, s, e, det, conf_ctx(VEIL_CONF_MEDIUM, has_context(t, s, det)), 0);
            return e;
        }
        return 0;
    }
    uint64_t want = 0;
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        want |= 1ull << kinds[k].det;
    }
    /* One look at the window for all five. */
    uint64_t ctx = context_bits(t, s, want);
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]) && ctx; k++) {
        int det = kinds[k].det;
        if (!t->eng->enabled[det] || !(ctx & (1ull << det))) {
            continue;
        }
        if ((e = match(t, det, s, ns->end, 0)) != 0 && valid(kinds[k].fn, b, s, e)) {
            int conf =
                det == VEIL_D_US_SSN || det == VEIL_D_US_ITIN ? VEIL_CONF_MEDIUM : VEIL_CONF_HIGH;
            veil__text_report(t, s, e, det, conf, 0);
            return e;
        }
    }
    /* Without context only a low-confidence routing number remains. */
    if (ns->groups == 1 && t->eng->min_confidence <= VEIL_CONF_LOW &&
        (e = match(t, VEIL_D_US_BANK_ROUTING, s, ns->end, 0)) != 0 &&
        valid(veil__valid_aba, b, s, e)) {
        veil__text_report(t, s, e, VEIL_D_US_BANK_ROUTING, VEIL_CONF_LOW, 0);
        return e;
    }
    return 0;
}

/* Whether a key names an address: its letters end in ip, ips, ipv4,
   addr, address, host, peer or gateway (ip, client_ip, remoteAddr,
   ip_address, upstream_host). */
static int ip_key(const unsigned char *k, size_t n)
{
    static const char *const ends[] = {"ip",      "ips",  "ipv4", "addr",
                                       "address", "host", "peer", "gateway"};
    char f[16];
    size_t m = 0, j = n;
    /* The letters of the key's end, lower case, separators dropped; a
       trailing 4 (ipv4) is read as part of it. */
    if (j > 0 && k[j - 1] == '4') {
        f[sizeof(f) - 1 - m++] = '4';
        j--;
    }
    for (; j > 0 && m < sizeof(f); j--) {
        if (isal(k[j - 1])) {
            f[sizeof(f) - 1 - m++] = (char)lower(k[j - 1]);
        } else if (!(k[j - 1] == '_' || k[j - 1] == '-' || k[j - 1] == '.')) {
            break;
        }
    }
    const char *w = f + sizeof(f) - m;
    for (size_t x = 0; x < sizeof(ends) / sizeof(ends[0]); x++) {
        size_t l = strlen(ends[x]);
        if (m >= l && memcmp(w + m - l, ends[x], l) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Whether the value at <s> sits under a key that names an address: its
   JSON or form key, or key= / "key": right before it in text. */
static int under_ip_key(struct veil__text *t, size_t s)
{
    const unsigned char *b = t->buf;
    size_t p = s;
    while (p > 0 && s - p < 4 && (b[p - 1] == '"' || b[p - 1] == '\'' || b[p - 1] == ' ')) {
        p--;
    }
    if (p > 0 && (b[p - 1] == '=' || b[p - 1] == ':')) {
        p--;
        while (p > 0 && s - p < 8 && (b[p - 1] == '"' || b[p - 1] == ' ')) {
            p--;
        }
        size_t ke = p;
        while (p > 0 && ke - p < 32 &&
               (isaln(b[p - 1]) || b[p - 1] == '_' || b[p - 1] == '-' || b[p - 1] == '.')) {
            p--;
        }
        if (ke > p) {
            return ip_key(b + p, ke - p);
        }
    }
    const struct veil__field *f = field_at(t, s);
    if (f != NULL) {
        /* The key, without the sibling value after it. */
        const char *sp = memchr(f->key, ' ', f->len);
        return ip_key((const unsigned char *)f->key, sp ? (size_t)(sp - f->key) : f->len);
    }
    return 0;
}

/*
 * looks_like_version(): whether the dotted quad at <s> is a version, not
 * an IPv4 address. RFC 3986 (section 3.2.2) reads any four dec-octets as
 * an address, and RFC 6943 (section 3.1.1) warns that dotted forms are
 * ambiguous: only the context tells. A product token (Chrome/124.0.0.0), a
 * 'v' (v1.2.3.4) or a word or key such as version, build, firmware or
 * release says version; a key that names an address (ip, client_ip,
 * remote_addr) says address, whatever words come before it.
 */
static int looks_like_version(struct veil__text *t, size_t s)
{
    const unsigned char *b = t->buf;
    /* Chrome/124.0.0.0 is a version; http://203.0.113.9/ is a host. So
       in percent-encoded text: Chrome%2F124.0.0.0, http%3A%2F%2F... */
    if (s > 0 && b[s - 1] == '/') {
        return !(s > 1 && b[s - 2] == '/');
    }
    if (s >= 3 && b[s - 3] == '%' && b[s - 2] == '2' && lower(b[s - 1]) == 'f') {
        return !(s >= 6 && b[s - 6] == '%' && b[s - 5] == '2' && lower(b[s - 4]) == 'f');
    }
    if (s > 0 && (b[s - 1] == 'v' || b[s - 1] == 'V' || b[s - 1] == '.' || b[s - 1] == '-' ||
                  b[s - 1] == '_')) {
        return 1;
    }
    if (under_ip_key(t, s)) {
        return 0;
    }
    /* The word right before it ("version 4.1.0.2", "build=10.0.1.1"), or
       the key: "Version/17.4 Mobile/15E148 Safari/604.1" earlier on a log
       line says nothing of the address after it. */
    return near_version_word(t, s);
}

/* A country code in parentheses before a national number, "(+34) 98 147
   78 80" or "(+34)754-572-241": the finding starts at the '(' so that the
   code is masked with the rest. At most seven bytes before <s>. */
static size_t phone_cc_prefix(const unsigned char *b, size_t s)
{
    size_t q = s, r;
    if (q > 0 && (b[q - 1] == ' ' || b[q - 1] == '-' || b[q - 1] == '.')) {
        q--;
    }
    if (q < 4 || b[q - 1] != ')') {
        return s;
    }
    r = q - 1;
    while (r > 0 && q - 1 - r < 3 && isdig(b[r - 1])) {
        r--;
    }
    if (r == q - 1 || r < 2 || b[r - 1] != '+' || b[r - 2] != '(' || b[r] == '0') {
        return s;
    }
    return r - 2;
}

static size_t dob_after(const struct veil__text *t, size_t e, int final);

/* A "(0)" in the <n> bytes at <p>: the trunk zero some countries write in
   parentheses. (memmem()'s set-up costs more than these short runs.) */
static int trunk_zero(const unsigned char *p, size_t n)
{
    const unsigned char *q = memchr(p, '(', n);
    while (q != NULL && (size_t)(q - p) + 3 <= n) {
        if (q[1] == '0' && q[2] == ')') {
            return 1;
        }
        q = memchr(q + 1, '(', n - (size_t)(q + 1 - p));
    }
    return 0;
}

/* Whether the digits s..e, with the '+' at <s0> before them, are an
   international number of a country veil knows with that country's
   length. ITU-T E.164 writes an international number as '+', a country
   code and at most fifteen digits; no card number is written with a '+'.
   "+4915179357947" is a German mobile number (+49 and eleven digits)
   that happens to pass Luhn as a 13-digit Visa card. */
static int e164_written(const unsigned char *b, size_t s0, size_t s, size_t e)
{
    int conf[2];
    if (s0 + 1 != s || b[s0] != '+' || e - s0 > 24) {
        return 0;
    }
    veil__phone_confidences((const char *)b + s0, e - s0, conf);
    return conf[0] == VEIL_CONF_HIGH;
}

/* Candidates starting at digit word <k> (with <s0> a '+' or '(' before it). */
static size_t try_numeric(struct veil__text *t, const chain_t *c, size_t k, size_t s0, int final)
{
    const unsigned char *b = t->buf;
    const veil_engine_t *eng = t->eng;
    const word_t *w = &c->w[k];
    size_t s = w->s, e;
    numspan_t ns;

    numeric_span(t, c, k, &ns);
    /* (made once, for try_numeric()'s NHS test and ids_numeric()'s) */
    ns.ten = ns.digits == 10 && ns.groups == 1 ? ten_digit_checks(b + s) : 7;

    if ((e = try_mac(t, c, k)) != 0) {
        return e;
    }
    /* A word of digits with a trailing letter: DNI, or a CN id ending in X. */
    if (w->letters == 1 && isal(b[w->e - 1])) {
        if (w->digits == 17 && (e = match(t, VEIL_D_CN_RESIDENT_ID, s, w->e, 0)) != 0 &&
            valid(veil__valid_cn_id, b, s, e)) {
            veil__text_report(t, s, e, VEIL_D_CN_RESIDENT_ID, VEIL_CONF_HIGH, 0);
            return e;
        }
        if (w->digits == 8 && (e = match(t, VEIL_D_ES_DNI, s, w->e, 0)) != 0 &&
            valid(veil__valid_es_dni, b, s, e)) {
            veil__text_report(t, s, e, VEIL_D_ES_DNI, VEIL_CONF_HIGH, 0);
            return e;
        }
        return 0;
    }
    if (w->letters) {
        return ids_mixed(t, c, k);
    }
    /* DNI written 12345678-Z. */
    if (w->digits == 8 && k + 1 < c->nw && c->w[k + 1].e - c->w[k + 1].s == 1 &&
        isup(b[c->w[k + 1].s]) && (e = match(t, VEIL_D_ES_DNI, s, c->ce, 0)) != 0 &&
        valid(veil__valid_es_dni, b, s, e)) {
        veil__text_report(t, s, e, VEIL_D_ES_DNI, VEIL_CONF_HIGH, 0);
        return e;
    }
    if (ns.digits >= 12 && b[s] >= '2' && b[s] <= '6' && ((ns.seps & ~3u) == 0 || ns.seps == 4) &&
        eng->enabled[VEIL_D_CREDIT_CARD] && !e164_written(b, s0, s, ns.end) &&
        /* 12 to 19 bare digits: the pattern can only match them all, so
           the checksum decides first (an order number is not a card). */
        (ns.groups > 1 || ns.digits > 19 || valid(veil__valid_card, b, s, ns.end)) &&
        /* Only a run longer than any card is cut down to one: a 16-digit
           number that fails Luhn is not a 12-digit Maestro number. */
        (e = try_shrinking(t, c, VEIL_D_CREDIT_CARD, s, ns.end, veil__valid_card,
                           ns.digits > 19)) != 0) {
        veil__text_report(t, s, e, VEIL_D_CREDIT_CARD, VEIL_CONF_HIGH, 0);
        return e;
    }
    if (w->digits == 18 && (e = match(t, VEIL_D_CN_RESIDENT_ID, s, w->e, 0)) != 0 &&
        valid(veil__valid_cn_id, b, s, e)) {
        veil__text_report(t, s, e, VEIL_D_CN_RESIDENT_ID, VEIL_CONF_HIGH, 0);
        return e;
    }
    /* A NIR is 13 digits and a 2-digit key (Corsica's 2A/2B aside). */
    if ((ns.digits == 15 || (ns.digits >= 5 && ns.end < c->ce && (b[ns.end + 1] == '2'))) &&
        (ns.seps & ~1u) == 0 &&
        (b[s] == '1' || b[s] == '2' || b[s] == '3' || b[s] == '7' || b[s] == '8') &&
        /* Fifteen bare digits match whole or not at all: key first. */
        (ns.groups > 1 || ns.digits != 15 || valid(veil__valid_fr_nir, b, s, ns.end)) &&
        (e = match(t, VEIL_D_FR_NIR, s, c->ce, 0)) != 0 && valid(veil__valid_fr_nir, b, s, e)) {
        /* Fifteen bare digits pass the key one time in 97: an order number
           is a NIR only next to a word saying so. */
        int grouped = ns.groups > 1, ctx = has_context(t, s, VEIL_D_FR_NIR);
        if (grouped || ctx) {
            veil__text_report(t, s, e, VEIL_D_FR_NIR,
                              grouped && ctx ? VEIL_CONF_HIGH : VEIL_CONF_MEDIUM, 0);
            return e;
        }
    }
    if (w->digits <= 3 && w->e < c->ce && b[w->e] == '.' && ns.groups >= 4 &&
        eng->enabled[VEIL_D_IPV4] && !looks_like_version(t, s) &&
        (e = match(t, VEIL_D_IPV4, s, ns.end, 0)) != 0 &&
        !(e < c->ce && b[e] == '.' && isdig(b[e + 1]))) {
        veil__text_report(t, s, e, VEIL_D_IPV4,
                          conf_ctx(VEIL_CONF_MEDIUM, has_context(t, s, VEIL_D_IPV4)), 0);
        return e;
    }

    if (ns.digits == 12 && b[s] >= '2' &&
        (ns.groups == 1 || (ns.groups == 3 && ns.g[0] == 4 && ns.g[1] == 4 && ns.g[2] == 4))) {
        /* Checksums are cheaper than context: context is looked up last. */
        int ctx;
        if ((e = match(t, VEIL_D_IN_AADHAAR, s, ns.end, 0)) != 0 &&
            valid(veil__valid_verhoeff, b, s, e) &&
            ((ctx = has_context(t, s, VEIL_D_IN_AADHAAR)) || ns.groups == 3)) {
            veil__text_report(t, s, e, VEIL_D_IN_AADHAAR, ctx ? VEIL_CONF_HIGH : VEIL_CONF_MEDIUM,
                              0);
            return e;
        }
    }
    if (ns.digits == 11 && (ns.groups == 1 || ns.seps == 6 || ns.seps == 4 ||
                            (ns.groups == 2 && ns.g[0] == 9 && ns.seps == 2))) {
        /* 000.000.000-00, and 000000000-00 next to a context word. */
        int formatted = ns.groups == 4 && ns.g[0] == 3 && ns.g[3] == 2;
        if ((ns.groups > 1 || valid(veil__valid_br_cpf, b, s, ns.end)) &&
            (e = match(t, VEIL_D_BR_CPF, s, ns.end, 0)) != 0 &&
            valid(veil__valid_br_cpf, b, s, e) && (formatted || has_context(t, s, VEIL_D_BR_CPF))) {
            veil__text_report(t, s, e, VEIL_D_BR_CPF, VEIL_CONF_HIGH, 0);
            return e;
        }
    }
    /* Ten digits, bare or 3-3-4: a match covers them all, so the mod-11
       check runs before the pattern (most such numbers fail it). */
    if (ns.digits == 10 && (ns.groups == 1 || (ns.groups == 3 && ns.g[0] == 3 && ns.g[1] == 3)) &&
        (ns.ten & 1) && valid(veil__valid_uk_nhs, b, s, ns.end) &&
        (e = match(t, VEIL_D_UK_NHS, s, ns.end, 0)) != 0 && valid(veil__valid_uk_nhs, b, s, e) &&
        has_context(t, s, VEIL_D_UK_NHS)) {
        veil__text_report(t, s, e, VEIL_D_UK_NHS, VEIL_CONF_HIGH, 0);
        return e;
    }
    /* AAA-GG-SSSS is written for SSNs and ITINs and nothing else. */
    if (ns.digits == 9 && ns.groups == 3 && ns.g[0] == 3 && ns.g[1] == 2 && ns.g[2] == 4 &&
        (ns.seps == 1 || ns.seps == 2)) {
        return try_nine(t, c, s, &ns);
    }
    /* Nine digits bare or in three groups; "200 168910" (a status and a
       size in an access log) is none of them. */
    if (ns.digits == 9 && (ns.groups == 1 || ns.groups == 3) &&
        eng->enabled[VEIL_D_US_SSN] + eng->enabled[VEIL_D_US_ITIN] +
            eng->enabled[VEIL_D_US_BANK_ROUTING] + eng->enabled[VEIL_D_CA_SIN] +
            eng->enabled[VEIL_D_NL_BSN]) {
        if ((e = try_nine(t, c, s, &ns)) != 0) {
            return e;
        }
    }
    if (ns.digits >= 6 && ns.digits <= 8 && ns.groups == 3 && (ns.seps & ~14u) == 0 &&
        eng->enabled[VEIL_D_DATE_OF_BIRTH] &&
        /* Every form starts with a 1-2 digit day or month or a 19xx/20xx
           year ("605.1.15" is a version). */
        (ns.g[0] <= 2 || (ns.g[0] == 4 && ((b[s] == '1' && b[s + 1] == '9') ||
                                           (b[s] == '2' && b[s + 1] == '0')))) &&
        (e = match(t, VEIL_D_DATE_OF_BIRTH, s, ns.end, 0)) != 0 &&
        valid(veil__valid_date, b, s, e) &&
        /* (h_numeric() waited for the bytes dob_after() reads) */
        (has_context(t, s, VEIL_D_DATE_OF_BIRTH) || dob_after(t, e, final) == 1)) {
        veil__text_report(t, s, e, VEIL_D_DATE_OF_BIRTH, VEIL_CONF_MEDIUM, 0);
        return e;
    }
    if ((e = ids_numeric(t, c, k, &ns)) != 0) {
        return e;
    }
    /* SKU-0973-08253, INV_2024_000123: a number glued to a word by '-' or
       '_' is part of an identifier, not a phone number. */
    int glued = c->cs > 1 && (b[c->cs - 1] == '-' || b[c->cs - 1] == '_') && isaln(b[c->cs - 2]);
    /* "+49 (0)30 ..." and "0049-(0)159-...": the trunk zero in parentheses
       is not dialled, and not counted. */
    unsigned dialled =
        ns.digits - (ns.digits > 7 && ns.end - s >= 3 && trunk_zero(b + s, ns.end - s));
    /* Eight digits or fewer, the first no 0 and no '+' before them (an
       ISO date, a status and a size, a short id): no national format
       veil__phone_confidences() knows has so few but after a trunk 0, and
       only an international number (its '+', 00) may; neither the match
       nor the confidences are asked. */
    int too_short = ns.digits <= 8 && b[s] != '0' && b[s0] != '+';
    if (dialled >= 7 && dialled <= 15 && eng->enabled[VEIL_D_PHONE] && !glued && !too_short) {
        int ctx = -1;
        /* A bare run of digits is a phone number only with a context word
           (epoch seconds are ten digits too, and no national number of
           ten digits starts with a 1), and never after a '#' (an order or
           ticket number: "order #5416225711"). */
        if (ns.groups == 1 && s0 == s &&
            ((ns.digits < 10 && !(ns.digits == 9 && veil__phone_nine_ok((const char *)b + s))) ||
             ns.digits > (b[s] == '0' ? 12u : 11u) || (ns.digits == 10 && b[s] == '1') ||
             (s > 0 && b[s - 1] == '#') || !(ctx = has_context(t, s, VEIL_D_PHONE)))) {
            goto nhs;
        }
        /* A date after a '+' that is a space ("geb.+26.07.1992" in a form
           body) is no international number. */
        if (s0 < s && ns.groups == 3 && ns.g[0] <= 2 && ns.g[1] <= 2 && ns.g[2] == 4 &&
            (ns.seps == 4 || ns.seps == 8) && valid(veil__valid_date, b, s, ns.end)) {
            goto nhs;
        }
        if ((e = match(t, VEIL_D_PHONE, s0, ns.end, 0)) != 0 &&
            /* A match cut short inside a number whose groups go on with
               the same '-' or '.' ("4213-4850-9183-7", a gift card code)
               is part of a longer number, not a phone number. */
            !(e < ns.end && (b[e] == '-' || b[e] == '.') && isdig(b[e + 1]) &&
              memchr(b + s0, b[e], e - s0) != NULL)) {
            /* Judge the shape first; a context word is looked for only
               when it could change the answer. */
            const char *ph = (const char *)b + s0;
            int both[2], conf;
            veil__phone_confidences(ph, e - s0, both);
            conf = ctx > 0 ? both[1] : 0;
            if (ctx < 0 && both[1] > 0) {
                ctx = has_context(t, s0, VEIL_D_PHONE);
                conf = both[ctx != 0];
            }
            if (conf > 0) {
                veil__text_report(t, phone_cc_prefix(b, s0), e, VEIL_D_PHONE, conf, 0);
                return e;
            }
        }
    }
nhs:
    if (ns.digits == 10 && ns.groups == 3 && ns.g[0] == 3 && ns.g[1] == 3 &&
        valid(veil__valid_uk_nhs, b, s, ns.end) &&
        (e = match(t, VEIL_D_UK_NHS, s, ns.end, 0)) != 0 && valid(veil__valid_uk_nhs, b, s, e)) {
        veil__text_report(t, s, e, VEIL_D_UK_NHS, VEIL_CONF_MEDIUM, 0);
        return e;
    }
    return 0;
}

static int same_sep(const unsigned char *b, const chain_t *c, size_t j, size_t k)
{
    size_t lj = c->w[j].s - c->w[j - 1].e, lk = c->w[k].s - c->w[k - 1].e;
    return lj == lk && memcmp(b + c->w[j - 1].e, b + c->w[k - 1].e, lj) == 0;
}

/*
 * sub_start_ok(): may a candidate start at word <k> of the chain, inside
 * it? Only where a new number plausibly begins: after or before a long
 * group ("4111111111111111 5555555555554444"), or where the separator
 * changes ("2024-05-01 415-555-2671"). A run of like groups is one number:
 * "5455 7141 8657 2271" failed as a card and its tail is no Aadhaar.
 */
static inline int eng_enabled(const struct veil__text *t, int det)
{
    return t->eng->enabled[det];
}

static int sub_start_ok(const unsigned char *b, const chain_t *c, size_t k)
{
    if (c->w[k - 1].digits >= 7 || c->w[k].digits >= 7) {
        return 1;
    }
    if (k >= 2) {
        return !same_sep(b, c, k - 1, k);
    }
    return k + 1 < c->nw && !same_sep(b, c, k, k + 1);
}

/* The month names of the languages veil's phone formats cover, as their
   calendars write them (en, de, fr, es, it, nl, pt), and the usual
   abbreviations; compared without regard to ASCII case. */
static const veil__word_len_t month_names[] = {
    VEIL__WL("january"), VEIL__WL("february"), VEIL__WL("march"), VEIL__WL("april"),
    VEIL__WL("may"), VEIL__WL("june"), VEIL__WL("july"), VEIL__WL("august"), VEIL__WL("september"),
    VEIL__WL("october"), VEIL__WL("november"), VEIL__WL("december"), VEIL__WL("jan"),
    VEIL__WL("feb"), VEIL__WL("mar"), VEIL__WL("apr"), VEIL__WL("jun"), VEIL__WL("jul"),
    VEIL__WL("aug"), VEIL__WL("sep"), VEIL__WL("sept"), VEIL__WL("oct"), VEIL__WL("nov"),
    VEIL__WL("dec"),
    /* de */
    VEIL__WL("januar"), VEIL__WL("jänner"), VEIL__WL("februar"), VEIL__WL("märz"), VEIL__WL("mai"),
    VEIL__WL("juni"), VEIL__WL("juli"), VEIL__WL("oktober"), VEIL__WL("dezember"), VEIL__WL("okt"),
    VEIL__WL("dez"),
    /* fr */
    VEIL__WL("janvier"), VEIL__WL("février"), VEIL__WL("mars"), VEIL__WL("avril"), VEIL__WL("juin"),
    VEIL__WL("juillet"), VEIL__WL("août"), VEIL__WL("septembre"), VEIL__WL("octobre"),
    VEIL__WL("novembre"), VEIL__WL("décembre"),
    /* es */
    VEIL__WL("enero"), VEIL__WL("febrero"), VEIL__WL("marzo"), VEIL__WL("abril"), VEIL__WL("mayo"),
    VEIL__WL("junio"), VEIL__WL("julio"), VEIL__WL("agosto"), VEIL__WL("septiembre"),
    VEIL__WL("setiembre"), VEIL__WL("octubre"), VEIL__WL("noviembre"), VEIL__WL("diciembre"),
    /* it */
    VEIL__WL("gennaio"), VEIL__WL("febbraio"), VEIL__WL("aprile"), VEIL__WL("maggio"),
    VEIL__WL("giugno"), VEIL__WL("luglio"), VEIL__WL("settembre"), VEIL__WL("ottobre"),
    VEIL__WL("dicembre"),
    /* nl */
    VEIL__WL("januari"), VEIL__WL("februari"), VEIL__WL("maart"), VEIL__WL("mei"),
    VEIL__WL("augustus"),
    /* pt */
    VEIL__WL("janeiro"), VEIL__WL("fevereiro"), VEIL__WL("março"), VEIL__WL("maio"),
    VEIL__WL("junho"), VEIL__WL("julho"), VEIL__WL("setembro"), VEIL__WL("outubro"),
    VEIL__WL("novembro"), VEIL__WL("dezembro")};

/* The first letters of month_names by length: bit c - 'a' of
   month_first[len] for every name of <len> bytes that starts with c. */
static uint32_t month_first[11];
static pthread_once_t month_first_once = PTHREAD_ONCE_INIT;

static void month_first_build(void)
{
    for (size_t k = 0; k < sizeof(month_names) / sizeof(month_names[0]); k++) {
        month_first[month_names[k].len] |= 1u << (month_names[k].w[0] - 'a');
    }
}

/* Whether b[w..we) is a month's name. */
static int is_month(const unsigned char *b, size_t w, size_t we)
{
    size_t len = we - w;
    if (len < 3 || len > 10) {
        return 0;
    }
    /* (dates with a month's name are looked for at every number before
       or after a word: most words are ruled out by their length and
       first letter, before the list is read) */
    unsigned first = b[w] | 0x20u;
    pthread_once(&month_first_once, month_first_build);
    if (first - 'a' >= 26u || !(month_first[len] >> (first - 'a') & 1)) {
        return 0;
    }
    for (size_t k = 0; k < sizeof(month_names) / sizeof(month_names[0]); k++) {
        if (month_names[k].len == len && (unsigned char)month_names[k].w[0] == first &&
            strncasecmp((const char *)b + w, month_names[k].w, len) == 0) {
            return 1;
        }
    }
    return 0;
}

static inline int is_word_byte(unsigned c)
{
    return isal((int)c) || c >= 0x80;
}

/* "de " (es, pt: "16 de fevereiro de 1947") at <q>: its length, or 0. */
static size_t de_at(const unsigned char *b, size_t q, size_t n)
{
    return q + 3 <= n && (b[q] | 0x20) == 'd' && b[q + 1] == 'e' && b[q + 2] == ' ' ? 3 : 0;
}

/* A year of four digits, 19xx or 20xx, at <y> and nothing joined after
   it. Returns its end, 0, or DEFER when the bytes have not arrived. */
static size_t year_at(const unsigned char *b, size_t y, size_t n, int final)
{
    if (y + 5 > n && !(final && y + 4 == n)) {
        return final ? 0 : DEFER;
    }
    if (!(((b[y] == '1' && b[y + 1] == '9') || (b[y] == '2' && b[y + 1] == '0')) &&
          isdig(b[y + 2]) && isdig(b[y + 3])) ||
        (y + 4 < n && isaln(b[y + 4]))) {
        return 0;
    }
    return y + 4;
}

/*
 * month_date(): a date written with the month's name around the digits
 * at <ws>: "January 3, 1959", "Dec 17 1991" (the name before), "3 January
 * 1959", "16. Dezember 1942", "16 de fevereiro de 1947" (after). Returns
 * its end and sets *start, or 0; DEFER when the bytes after it have not
 * arrived.
 */
static size_t month_date(struct veil__text *t, size_t ws, int final, size_t *start)
{
    const unsigned char *b = t->buf;
    size_t n = t->len, q = ws;

    while (q < n && q - ws < 2 && isdig(b[q])) {
        q++;
    }
    if (q == n) {
        return final ? 0 : DEFER;
    }
    if (isdig(b[q]) || q == ws) {
        return 0;
    }
    /* "Month D, YYYY" and "Month D YYYY": a month name and one space
       before the day. */
    if (ws >= 4 && b[ws - 1] == ' ' && is_word_byte(b[ws - 2])) {
        size_t w = ws - 1;
        while (w > 0 && ws - 1 - w < 10 && is_word_byte(b[w - 1])) {
            w--;
        }
        if ((w == 0 || !is_word_byte(b[w - 1])) && is_month(b, w, ws - 1)) {
            size_t y = q;
            if (b[y] == ',') {
                y++;
            }
            if (y + 1 >= n) {
                return final ? 0 : DEFER;
            }
            if (b[y] != ' ') {
                return 0;
            }
            size_t e = year_at(b, y + 1, n, final);
            if (e == 0 || e == DEFER) {
                return e;
            }
            *start = w;
            return e;
        }
    }
    /* "D Month YYYY", "D. Month YYYY", "D de Month de YYYY". */
    if (b[q] == '.') {
        q++;
    }
    if (q + 1 >= n) {
        return final ? 0 : DEFER;
    }
    if (b[q] != ' ') {
        return 0;
    }
    size_t w = q + 1, de = de_at(b, w, n);
    w += de;
    size_t we = w;
    while (we < n && we - w < 11 && is_word_byte(b[we])) {
        we++;
    }
    if (we + 2 > n) {
        return final ? 0 : DEFER;
    }
    if (!is_month(b, w, we)) {
        return 0;
    }
    size_t y = we;
    if (b[y] == '.' || b[y] == ',') {
        y++;
    }
    if (y + 4 > n) {
        return final ? 0 : DEFER;
    }
    if (b[y] != ' ') {
        return 0;
    }
    y++;
    y += de ? de_at(b, y, n) : 0;
    size_t e = year_at(b, y, n, final);
    if (e == 0 || e == DEFER) {
        return e;
    }
    *start = ws;
    return e;
}

/*
 * kanji_date(): "1980年6月26日" from the year's digits at <ws>. Returns
 * its end, 0, or DEFER.
 */
static size_t kanji_date(struct veil__text *t, size_t ws, int final)
{
    static const unsigned char nen[] = {0xE5, 0xB9, 0xB4}, getsu[] = {0xE6, 0x9C, 0x88},
                               nichi[] = {0xE6, 0x97, 0xA5};
    const unsigned char *b = t->buf;
    size_t n = t->len;
    size_t q = year_at(b, ws, n, final);

    /* year_at() wants no letter after the year: 年 is no ASCII letter. */
    if (q == 0 || q == DEFER) {
        return q;
    }
    const unsigned char *parts[2] = {nen, getsu};
    for (int p = 0; p < 3; p++) {
        const unsigned char *k = p < 2 ? parts[p] : nichi;
        if (q + 3 > n) {
            return final ? 0 : DEFER;
        }
        if (memcmp(b + q, k, 3) != 0) {
            return 0;
        }
        q += 3;
        if (p == 2) {
            break;
        }
        size_t d = q;
        while (q < n && q - d < 2 && isdig(b[q])) {
            q++;
        }
        if (q == n && !final) {
            return DEFER;
        }
        if (q == d || (q < n && isdig(b[q]))) {
            return 0;
        }
    }
    return q;
}

/*
 * dob_after(): 1 when a word saying "born" follows the date that ends at
 * <e>, where the language puts it after ("Ich bin am 3. Juli 1940
 * geboren", "1944/10/12生まれ"), 0 when not, DEFER when its bytes have
 * not arrived. At most DOB_AFTER bytes.
 */
static size_t dob_after(const struct veil__text *t, size_t e, int final)
{
    static const struct {
        const char *w;
        size_t len;
    } words[] = {{"geboren", 7}, {"\xe7\x94\x9f\xe3\x81\xbe\xe3\x82\x8c", 9}};
    const unsigned char *b = t->buf;
    size_t n = t->len, q = e;

    if (e + DOB_AFTER > n && !final) {
        return DEFER;
    }
    if (q < n && b[q] == ' ') {
        q++;
    }
    for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
        size_t len = words[k].len;
        /* A Latin word ends at a non-letter ("geborene" is another
           word); Japanese has no spaces, so 生まれ may be followed by
           anything (and the boundary byte would lie past DOB_AFTER). */
        int latin = isal((unsigned char)words[k].w[len - 1]);
        if (q + len <= n && strncasecmp((const char *)b + q, words[k].w, len) == 0 &&
            (!latin || q + len == n || !isal(b[q + len]))) {
            return 1;
        }
    }
    return 0;
}

/* IBAN_LOWER(): whether the word ws..we, with a lower-case letter, has
   the shape of an IBAN typed in lower case: two letters, two digits, 15
   to 34 characters (the SWIFT IBAN registry's lengths). */
#define IBAN_LOWER(ws, we, at)                                                       \
    ((we) - (ws) >= 15 && (we) - (ws) <= 34 && isal(at(ws)) && isal(at((ws) + 1)) && \
     isdig(at((ws) + 2)) && isdig(at((ws) + 3)))

/* An IBAN in lower case ("nl73snsb9921624444"): the check digits and the
   country's length decide; a word of hex letters and digits alone (a
   hash's look) needs a context word too. */
static size_t try_iban_lower(struct veil__text *t, size_t ws, size_t we)
{
    const unsigned char *b = t->buf;
    int hex = 1;
#define AT(x) b[x]
    if (!IBAN_LOWER(ws, we, AT) || !t->eng->enabled[VEIL_D_IBAN]) {
        return 0;
    }
#undef AT
    for (size_t k = ws; k < we; k++) {
        if (isup(b[k])) {
            return 0;
        }
        hex &= ishex(b[k]);
    }
    size_t e;
    if (!valid(veil__valid_iban, b, ws, we) || (e = match(t, VEIL_D_IBAN, ws, we, 0)) != we ||
        (hex && !has_context(t, ws, VEIL_D_IBAN))) {
        return 0;
    }
    veil__text_report(t, ws, we, VEIL_D_IBAN, VEIL_CONF_HIGH, 0);
    return we;
}

/* Whether b[s..] is a UUID in its text form, 8-4-4-4-12 hex digits with
   nothing alphanumeric after it. */
static int is_uuid(const unsigned char *b, size_t s, size_t n)
{
    static const unsigned char dash[] = {8, 13, 18, 23};
    if (n - s < 36 || (n - s > 36 && isaln(b[s + 36]))) {
        return 0;
    }
    for (size_t k = 0, d = 0; k < 36; k++) {
        if (d < 4 && k == dash[d]) {
            if (b[s + k] != '-') {
                return 0;
            }
            d++;
        } else if (!ishex(b[s + k])) {
            return 0;
        }
    }
    return 1;
}

static size_t written_from(const struct veil__text *t, size_t i);

static size_t h_numeric(struct veil__text *t, size_t i, int final)
{
    const unsigned char *b = t->buf;
    size_t ws = i, cs;
    chain_t c;

    while (ws > 0 && i - ws < BACK_MAX && isaln(b[ws - 1])) {
        ws--;
    }
    if (ws > 0 && isaln(b[ws - 1])) {
        return skip_alnum(t, i, final);
    }
    /* In percent-encoded text the two hex digits of an escape are no part
       of the word after it: "%2006-49543137" is a space, then 06-49543137. */
    if (ws > 0 && b[ws - 1] == '%') {
        if (ws + 1 >= t->len) {
            return final ? t->len : DEFER;
        }
        if (ishex(b[ws]) && ishex(b[ws + 1])) {
            if (i < ws + 2) {
                return ws + 2;
            }
            ws += 2;
            t->match_from = ws;
        }
    }
    /* Set when the word from ws is all digits and no separator follows:
       its chain is that one word. */
    size_t one_word = 0;
    /* Fast paths. A word with a lower-case letter (a hex hash, a UUID part,
       an id like usr_Qx3b) is no numeric detector's value, except a MAC
       address group (4e-d1-...) and a CN id's final x. */
    {
        size_t lim = ws + CHAIN_MAX + 1 < t->len ? ws + CHAIN_MAX + 1 : t->len;
        int lower_seen;
        size_t we = alnum_end(b, i, lim, &lower_seen);
        if (we == t->len && !final && we - ws <= CHAIN_MAX) {
            return DEFER;
        }
        /* A CN id's check character may be a lower-case x. */
        if (lower_seen && we - ws == 18 && b[we - 1] == 'x') {
            lower_seen = 0;
            for (size_t k = ws; k + 1 < we; k++) {
                lower_seen |= islo(b[k]);
            }
        }
        /* An IBAN typed in lower case (its lower-case letters may all be
           before the trigger, in the country code). */
        size_t ib;
        if (i == ws + 2 && islo(b[ws]) && (ib = try_iban_lower(t, ws, we)) != 0) {
            return ib;
        }
        if (lower_seen &&
            !((we - ws == 2 || we - ws == 4) && we < t->len && (b[we] == '-' || b[we] == '.'))) {
            /* Addresses and prefixed secrets are words with lower case. */
            size_t r = ids_lower(t, ws, we, final), ts;
            if (r == 0 && (ts = ids_token_start(t, ws)) != SIZE_MAX) {
                r = ids_token(t, ts, final);
            }
            return r ? r : skip_joined(t, we, final);
        }
        /* An ISO 8601 date-time (2026-11-29T00:01:47.630Z, or with a space
           for the T as RFC 3339 section 5.6 allows and SQL writes it) is
           the most common number in API traffic and never PII by itself (a
           birth date under a dob key is a field finding; in prose it has
           no time of day). It is judged from its first 14 bytes, so a
           value that ends after the hour's colon (a JSON string cut
           there) is one too, as the shortcut reading the raw bytes past
           the value's end says (digit_fast). */
        if (ws == i && we - ws == 4 && i + 14 <= t->len) {
            const unsigned char *p = b + i;
            if (p[4] == '-' && isdig(p[5]) && isdig(p[6]) && p[7] == '-' && isdig(p[8]) &&
                isdig(p[9]) && (p[10] == 'T' || p[10] == ' ') && isdig(p[11]) && isdig(p[12]) &&
                p[13] == ':') {
                size_t q = i + 14;
                /* ("::" is in no date-time: what follows is read apart; an
                   offset's sign follows a digit (RFC 3339 section 5.6), so
                   "+00:-----BEGIN" ends before the dashes) */
                while (q < t->len && q - i < 40 &&
                       (isdig(b[q]) || (b[q] == ':' && b[q - 1] != ':') || b[q] == '.' ||
                        b[q] == 'Z' || ((b[q] == '+' || b[q] == '-') && isdig(b[q - 1])))) {
                    q++;
                }
                if (b[q - 1] == ':' && q < t->len && b[q] == ':') {
                    q--;
                }
                if (q == t->len && !final && q - i < 40) {
                    return DEFER;
                }
                return q;
            }
        } else if (ws == i && we - ws == 4 && !final && i + 14 > t->len) {
            return DEFER;
        }
        /* The digits and separators of the 32 bytes from a word's start. */
        int simd = 0;
        uint32_t d = 0, sep = 0;
#if VEIL_K_LEVEL >= 1
        if (ws == i && i + 32 <= t->len) {
            simd = 1;
            d = digit_mask32(b + i);
            sep = sep_mask32(b + i);
            if (we - i < 32) {
                uint32_t word = (1u << (we - i)) - 1;
                if ((d & word) == word && !((sep >> (we - i)) & 1)) {
                    one_word = we;
                }
            }
        }
#endif
        /* A short number standing alone ("amount":1938, 285.67, an 8-digit
           id) has too few digits for any detector: the shortest values are
           IPv4 addresses (four groups), dates (six digits in three groups)
           and bare national numbers (nine digits). */
        if (ws == i && (ws == 0 || (b[ws - 1] != '+' && b[ws - 1] != '('))) {
            size_t q = i;
            unsigned digits = 0, groups = 1;
            if (simd) {
                /* The walk below on the masks: a digit, or a separator
                   with a digit after it, continues the number. */
                uint32_t go = (d | (sep & (d >> 1))) & 0xffffffu;
                unsigned stop = (unsigned)__builtin_ctz(~go);
                uint32_t in = (1u << stop) - 1;
                q = i + stop;
                digits = (unsigned)__builtin_popcount(d & in);
                groups += (unsigned)__builtin_popcount(sep & go & in);
            }
            while (!simd && q < t->len && q - i < 24) {
                if (isdig(b[q])) {
                    digits++;
                } else if (issep(b[q]) && q + 1 < t->len && isdig(b[q + 1])) {
                    groups++;
                } else {
                    break;
                }
                q++;
            }
            if (q + 1 >= t->len && !final) {
                return DEFER;
            }
            /* A birth date written with the month's name: the day is a
               short number too. */
            if (((digits <= 2 && groups == 1) || (groups == 2 && digits >= 5 && digits <= 6)) &&
                eng_enabled(t, VEIL_D_DATE_OF_BIRTH)) {
                size_t ds = 0, de = month_date(t, ws, final, &ds), after = 0;
                if (de == DEFER) {
                    return DEFER;
                }
                if (de != 0 && !has_context(t, ds, VEIL_D_DATE_OF_BIRTH) &&
                    (after = dob_after(t, de, final)) == DEFER) {
                    return DEFER;
                }
                if (de != 0 && (after == 1 || has_context(t, ds, VEIL_D_DATE_OF_BIRTH))) {
                    veil__text_report(t, ds, de, VEIL_D_DATE_OF_BIRTH, VEIL_CONF_MEDIUM, 0);
                    return de;
                }
            }
            /* "1980年6月26日": the year, then the kanji of year, month and
               day. */
            if (digits == 4 && groups == 1 && q < t->len && b[q] == 0xE5 &&
                eng_enabled(t, VEIL_D_DATE_OF_BIRTH)) {
                size_t de = kanji_date(t, ws, final), after = 0;
                if (de == DEFER) {
                    return DEFER;
                }
                if (de != 0 && !has_context(t, ws, VEIL_D_DATE_OF_BIRTH) &&
                    (after = dob_after(t, de, final)) == DEFER) {
                    return DEFER;
                }
                if (de != 0 && (after == 1 || has_context(t, ws, VEIL_D_DATE_OF_BIRTH))) {
                    veil__text_report(t, ws, de, VEIL_D_DATE_OF_BIRTH, VEIL_CONF_MEDIUM, 0);
                    return de;
                }
            }
            /* (A separator then '(' may go on to a trunk "(0)": 0049 (0)30.) */
            if (((digits < 6 && groups < 4) || (groups == 1 && digits < 9)) &&
                (q >= t->len || (!isal(b[q]) && !(issep(b[q]) && q + 1 < t->len &&
                                                  (isaln(b[q + 1]) || b[q + 1] == '('))))) {
                return q;
            }
            /* The same number before a word that cannot join its chain
               ("skipped=20 in", "rt=1.203 uct"): build_chain() ends the
               chain at q as well, and no candidate in it has more digits.
               (A MAC's first groups may lie before a '-': not here.) */
            if (((digits < 6 && groups < 4) || (groups == 1 && digits < 9)) && q - i < 24 &&
                q + 1 < t->len && issep(b[q]) && isal(b[q + 1]) && (ws == 0 || b[ws - 1] != '-')) {
                size_t r = q + 1;
                while (r < t->len && r - ws <= CHAIN_MAX && isaln(b[r])) {
                    r++;
                }
                if (!(r == t->len && !final && r - ws <= CHAIN_MAX) &&
                    (r - ws > CHAIN_MAX || !chain_word_ok(b, q + 1, r))) {
                    return q;
                }
            }
        }
    }
    /* A MAC address whose first groups have no digit (ab-fe-72-...): it
       starts up to five groups before the word this digit is in. */
    size_t ms = ws;
    while (ms >= 3 && ws - ms < 15 && b[ms - 1] == '-' && ishex(b[ms - 2]) && ishex(b[ms - 3]) &&
           (ms == 3 || !isaln(b[ms - 4]))) {
        ms -= 3;
    }
    if (ms < ws && eng_enabled(t, VEIL_D_MAC_ADDRESS)) {
        size_t e;
        if (ms + 18 > t->len && !final) {
            return DEFER;
        }
        if ((e = match(t, VEIL_D_MAC_ADDRESS, ms, t->len < ms + 18 ? t->len : ms + 18, 0)) != 0 &&
            valid(veil__valid_mac, b, ms, e)) {
            veil__text_report(t, ms, e, VEIL_D_MAC_ADDRESS,
                              conf_ctx(VEIL_CONF_MEDIUM, has_context(t, ms, VEIL_D_MAC_ADDRESS)),
                              0);
            return e;
        }
    }
    /* One word of at most six digits with nothing joined to it, after a
       '+' or '(' too ("+0000]"): no candidate has so few digits, and the
       chain path would end there. */
    if (one_word && one_word - ws <= 6) {
        return one_word;
    }
    cs = ws;
    /* A '+' glued to a word before it ("ISBN+978...", "Windows+10.0") is a
       space in percent-encoded text, not a phone number's prefix; one that
       came as %2B is a plus sign (normalise() judged what is before it:
       "%E3%81%AF%2B81-..."). No country code starts with 0 (ITU-T E.164):
       a '+' before 00 ("Tel.+0049+159+...") is a form body's space, and
       the 00 the international prefix. */
    if (cs > 0 &&
        ((b[cs - 1] == '+' && (!(cs > 1 && isaln(b[cs - 2])) || written_from(t, cs - 1) == 3) &&
          !(b[ws] == '0' && ws + 1 < t->len && b[ws + 1] == '0')) ||
         b[cs - 1] == '(')) {
        cs--;
    }
    size_t r;
    if (one_word && cs == ws) {
        /* What build_chain() finds for it, without reading it again. */
        c.nw = 1;
        c.cs = cs;
        c.w[0].s = ws;
        c.w[0].e = c.ce = r = one_word;
        c.w[0].digits = (unsigned)(one_word - ws);
        c.w[0].letters = c.w[0].upper = 0;
    } else {
        r = build_chain(t, ws, cs, final, &c);
    }
    if (r == DEFER) {
        return DEFER;
    }
    if (r == 0) {
        return skip_alnum(t, ws, final);
    }

    /* A UUID (RFC 9562: 8-4-4-4-12 hex digits) holds no number of anyone's:
       "90240768-6993-4c4d-..." is no personnummer, phone or date. */
    if (is_uuid(b, ws, t->len)) {
        return ws + 36;
    }
    size_t done = 0, e;
    /* A date in three groups may have "geboren" or 生まれ after it
       (dob_after()): those bytes first. */
    if (!final && c.ce + DOB_AFTER > t->len && c.nw >= 3 && eng_enabled(t, VEIL_D_DATE_OF_BIRTH)) {
        return DEFER;
    }
    /* A NIE written "X-1234567-L" or "X 1234567 L" starts at the letter
       before. */
    if (ws >= 2 && (b[ws - 1] == '-' || b[ws - 1] == ' ') &&
        (b[ws - 2] == 'X' || b[ws - 2] == 'Y' || b[ws - 2] == 'Z') &&
        (ws == 2 || !isaln(b[ws - 3])) && eng_enabled(t, VEIL_D_ES_NIE) &&
        (e = match(t, VEIL_D_ES_NIE, ws - 2, c.ce, 0)) != 0 &&
        valid(veil__valid_es_nie, b, ws - 2, e)) {
        veil__text_report(t, ws - 2, e, VEIL_D_ES_NIE, VEIL_CONF_HIGH, 0);
        done = e;
    }
    /* A NINO written "AB 12 34 56 C" starts at the letters before. */
    if (ws >= 3 && b[ws - 1] == ' ' && isup(b[ws - 2]) && isup(b[ws - 3]) &&
        (ws == 3 || !isaln(b[ws - 4])) && (e = match(t, VEIL_D_UK_NINO, ws - 3, c.ce, 0)) != 0 &&
        valid(veil__valid_uk_nino, b, ws - 3, e)) {
        veil__text_report(t, ws - 3, e, VEIL_D_UK_NINO,
                          conf_ctx(VEIL_CONF_MEDIUM, has_context(t, ws - 3, VEIL_D_UK_NINO)), 0);
        done = e;
    }
    for (size_t k = 0; k < c.nw; k++) {
        const word_t *w = &c.w[k];
        if (w->s < done) {
            continue;
        }
        if (k > 0 && done < c.w[k - 1].e && !isal(b[w->s]) && !sub_start_ok(b, &c, k)) {
            continue;
        }
        if (isal(b[w->s])) {
            e = w->digits ? try_lettered(t, &c, k) : 0;
        } else {
            size_t s0 = k == 0 ? cs : (b[w->s - 1] == '(' ? w->s - 1 : w->s);
            e = try_numeric(t, &c, k, s0, final);
        }
        if (e) {
            done = e;
        }
    }
    return c.ce > i ? c.ce : i + 1;
}

static int is_local_char(int c)
{
    return (CT(c) & VEIL_C_LOCAL) != 0;
}

/* url_credentials: scheme://user:password@ ending at <at>. */
static int url_credentials(struct veil__text *t, size_t at)
{
    const unsigned char *b = t->buf;
    size_t x = at;
    int colon = 0;
    while (x > 0 && at - x < BACK_MAX - 8) {
        unsigned char ch = b[x - 1];
        if (ch == '/' || ch == '@' || ch == ' ' || ch == '"' || ch == '\'' || ch == '<' ||
            ch == '>' || ch == '\t' || ch == '\n' || ch == '\r' || ch == VEIL__DELIM) {
            break;
        }
        colon |= ch == ':';
        x--;
    }
    if (!colon || x < 3 || x == at || b[x - 1] != '/' || b[x - 2] != '/' || b[x - 3] != ':') {
        return 0;
    }
    /* The scheme: letters before "://". */
    size_t sch = x - 3;
    while (sch > 0 && x - sch < 24 &&
           (isaln(b[sch - 1]) || b[sch - 1] == '+' || b[sch - 1] == '.' || b[sch - 1] == '-')) {
        sch--;
    }
    if (sch == x - 3 || !isal(b[sch])) {
        return 0;
    }
    if (match(t, VEIL_D_URL_CREDENTIALS, sch, at + 1, 0) != at + 1) {
        return 0;
    }
    veil__text_report(t, x, at, VEIL_D_URL_CREDENTIALS, VEIL_CONF_HIGH, 0);
    return 1;
}

/* logo@2x.png is an image: no top-level domain is a file extension. */
static int file_extension_tld(const unsigned char *b, size_t dom, size_t e)
{
    static const char *const ext[] = {"png", "jpg",  "jpeg", "gif", "webp", "svg",  "ico",
                                      "bmp", "avif", "css",  "js",  "map",  "woff", "woff2"};
    size_t dot = e;
    while (dot > dom && b[dot - 1] != '.') {
        dot--;
    }
    for (size_t k = 0; k < sizeof(ext) / sizeof(ext[0]); k++) {
        size_t len = strlen(ext[k]);
        if (e - dot == len && strncasecmp((const char *)b + dot, ext[k], len) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The same in percent-encoded text, ending at the "%40" at <at>:
   scheme%3A%2F%2Fuser%3Apassword%40 (a connection string in a form body or
   a query). The user and password may hold escapes other than %2F and
   %40; '+' is a space there and ends them. */
static int url_credentials_pct(struct veil__text *t, size_t at)
{
    const unsigned char *b = t->buf;
    size_t x = at;
    int colon = 0;
    while (x > 0 && at - x < BACK_MAX - 24) {
        if (x >= 3 && b[x - 3] == '%' && ishex(b[x - 2]) && ishex(b[x - 1])) {
            unsigned hi = b[x - 2], lo = (unsigned)lower(b[x - 1]);
            if ((hi == '2' && lo == 'f') || (hi == '4' && lo == '0') || hi < '2' ||
                (hi == '2' && lo == '0')) {
                break; /* '/', '@', a control byte or a space */
            }
            colon |= hi == '3' && lo == 'a';
            x -= 3;
        } else if (isaln(b[x - 1]) || b[x - 1] == '.' || b[x - 1] == '-' || b[x - 1] == '_' ||
                   b[x - 1] == '~' || b[x - 1] == '!' || b[x - 1] == '*' || b[x - 1] == ':') {
            /* (':' is an escape text_scan.c decoded next to a hex digit) */
            colon |= b[x - 1] == ':';
            x--;
        } else {
            break;
        }
    }
    /* The userinfo must follow "%3A%2F%2F" and a scheme. */
    if (!colon || x == at || x < 10 || b[x - 9] != '%' || b[x - 8] != '3' ||
        lower(b[x - 7]) != 'a' || b[x - 6] != '%' || b[x - 5] != '2' || lower(b[x - 4]) != 'f' ||
        b[x - 3] != '%' || b[x - 2] != '2' || lower(b[x - 1]) != 'f') {
        return 0;
    }
    size_t sch = x - 9;
    while (sch > 0 && x - 9 - sch < 24 &&
           (isaln(b[sch - 1]) || b[sch - 1] == '.' || b[sch - 1] == '-') &&
           !(sch >= 3 && b[sch - 3] == '%' && ishex(b[sch - 2]) && ishex(b[sch - 1]))) {
        sch--;
    }
    if (sch == x - 9 || !isal(b[sch])) {
        return 0;
    }
    veil__text_report(t, x, at, VEIL_D_URL_CREDENTIALS, VEIL_CONF_HIGH, 0);
    return 1;
}

/* The input bytes the buffer byte at <i> was written from: 1, or more
   for a look-alike text_scan.c replaced (9 for %EF%BC%A0). */
static size_t written_from(const struct veil__text *t, size_t i)
{
    uint64_t at = t->base + i + 1;
    size_t lo = 0, hi = t->nshr;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->shr[mid].at < at) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == t->nshr || t->shr[lo].at != at) {
        return 1;
    }
    return 1 + (size_t)(t->shr[lo].dropped - (lo ? t->shr[lo - 1].dropped : t->shr_base));
}

static size_t h_email(struct veil__text *t, size_t i, size_t seplen, int final)
{
    const unsigned char *b = t->buf;
    size_t n = t->len, ls = i, q;

    /* A full-width '@' that came percent-encoded (%EF%BC%A0): the text
       is percent-encoded, and its local part is read so. */
    int pct = seplen == 3 || (seplen == 1 && t->nshr && written_from(t, i) == 9);

    if (b[i] == '@' && url_credentials(t, i)) {
        return i + 1;
    }
    if (seplen == 3 && url_credentials_pct(t, i)) {
        return i + 3;
    }
    if (pct) {
        /* "%40": percent-encoded text, where '+' is a space and an escape
           other than %2B (a plus) is no part of the address: "my+new+
           email+is+jo%2Btag%40example.com" has the local part jo%2Btag. */
        while (ls > 0 && i - ls < 64) {
            if (ls >= 3 && b[ls - 3] == '%' && ishex(b[ls - 2]) && ishex(b[ls - 1])) {
                /* An escape of an atext character of RFC 5322 (! # $ % & '
                   * + ^ ` { | } ~; not / = ?, which delimit a URL's query
                   far more often) or a byte of a UTF-8 one (RFC 6531) is
                   part of it; of anything else, not. */
                unsigned v =
                    (unsigned)((b[ls - 2] <= '9' ? b[ls - 2] - '0' : (b[ls - 2] | 0x20) - 'a' + 10)
                                   << 4 |
                               (b[ls - 1] <= '9' ? b[ls - 1] - '0'
                                                 : (b[ls - 1] | 0x20) - 'a' + 10));
                if (!(v >= 0x80 ||
                      (v < 0x80 && strchr("!#$%&'*+^`{|}~", (int)v) != NULL && v != 0))) {
                    break;
                }
                /* A UTF-8 character whole: a Latin letter (two bytes) is
                   part of it, one of three or four bytes (kana, kanji,
                   the ideographic space and comma of Japanese text glued
                   before it) is not, as in text not percent-encoded. */
                if (v >= 0x80 && v < 0xc0) {
                    size_t c = ls - 3;
                    while (c >= 3 && ls - c < 12 && b[c - 3] == '%' && ishex(b[c - 2]) &&
                           ishex(b[c - 1]) &&
                           (b[c - 2] == '8' || b[c - 2] == '9' || (b[c - 2] | 0x20) == 'a' ||
                            (b[c - 2] | 0x20) == 'b')) {
                        c -= 3;
                    }
                    if (c < 3 || b[c - 3] != '%' || ls - c != 3 ||
                        !((b[c - 2] | 0x20) == 'c' || (b[c - 2] | 0x20) == 'd')) {
                        break;
                    }
                    ls = c - 3;
                    continue;
                }
                ls -= 3;
            } else if (isaln(b[ls - 1]) || b[ls - 1] == '.' || b[ls - 1] == '-' ||
                       b[ls - 1] == '_' || b[ls - 1] == '~') {
                ls--;
            } else {
                break;
            }
        }
        /* Escaped UTF-8 before the address is the text's, not its. */
        while (ls + 3 <= i && b[ls] == '%') {
            ls += 3;
        }
    } else if (i > 0 && b[i - 1] == '"') {
        /* A quoted local part (RFC 5322 3.4.1): "jane doe"@example.com. */
        size_t o = i - 1;
        while (o > 0 && i - o < 66 && b[o - 1] != '"' && b[o - 1] != '\n' && b[o - 1] != '\r' &&
               b[o - 1] != VEIL__DELIM) {
            o--;
        }
        if (o == 0 || b[o - 1] != '"' || o + 1 >= i) {
            return i + seplen;
        }
        ls = o - 1;
    } else {
        /* Letters of Latin scripts (two-byte UTF-8, RFC 6531) are part
           of it; three-byte ones (CJK text glued before it) are not. */
        while (ls > 0 && i - ls < 64) {
            if (is_local_char(b[ls - 1])) {
                ls--;
            } else if (b[ls - 1] >= 0x80 && b[ls - 1] <= 0xbf && ls >= 2 && b[ls - 2] >= 0xc3 &&
                       b[ls - 2] <= 0xdf && i - ls < 63) {
                ls -= 2;
            } else {
                break;
            }
        }
    }
    /* A local part is at most 64 bytes (RFC 5321): the end of a longer
       run, such as a token in a URL's userinfo, is no address. */
    if (i - ls == 64 && ls > 0 && is_local_char(b[ls - 1])) {
        return i + seplen;
    }
    /* It starts at a letter, a digit, a quote or an underscore ("_ops@"),
       not at the punctuation before it ("#jane@", "'jane@"). */
    while (ls < i && b[ls] < 0x80 && b[ls] != '"' && b[ls] != '_' && !isaln(b[ls])) {
        ls++;
    }
    if (ls == i) {
        return i + seplen;
    }
    q = i + seplen;
    /* Internationalised domain names (U-labels, RFC 5890) too. */
    while (q < n && q - i < 256 && (isaln(b[q]) || b[q] == '.' || b[q] == '-' || b[q] >= 0x80)) {
        q++;
    }
    if (q == n && q - i < 256 && !final) {
        return DEFER;
    }
    size_t e = match(t, VEIL_D_EMAIL, ls, q, 0);
    if (e > i + seplen && !file_extension_tld(b, i + seplen, e)) {
        veil__text_report(t, ls, e, VEIL_D_EMAIL, VEIL_CONF_HIGH, 0);
        return e;
    }
    return i + seplen;
}

/* The value of a sensitive field inside text: "key": "value" or key=value. */
static size_t field_value(struct veil__text *t, size_t v, int cls, int final, int json, size_t *vs,
                          size_t *ve)
{
    const unsigned char *b = t->buf;
    size_t n = t->len, q;

    if (json) {
        while (v < n && v - *vs < 16 && (b[v] == ' ' || b[v] == '\t')) {
            v++;
        }
        if (v == n) {
            return final ? n : DEFER;
        }
        if (b[v] == '"') {
            q = v + 1;
            /* (A backslash escapes the byte after it, but never the
               delimiter that ends a value: stepping over it ran the value
               into the next one when the delimiter was there, and not
               when the feed ended at the backslash; fuzz_scan.) */
            while (q < n && q - v < FIELD_MAX && b[q] != '"' && b[q] != VEIL__DELIM) {
                q += b[q] == '\\' && q + 1 < n && b[q + 1] != VEIL__DELIM ? 2 : 1;
            }
            if (q >= n && !final && q - v < FIELD_MAX) {
                return DEFER;
            }
            if (q > n) {
                q = n;
            }
            *vs = v + 1;
            *ve = q;
            return q < n ? q + 1 : q;
        }
        if (isdig(b[v]) || b[v] == '-') {
            q = v;
            while (q < n && q - v < 64 &&
                   (isdig(b[q]) || b[q] == '-' || b[q] == '.' || b[q] == '+' || b[q] == 'e' ||
                    b[q] == 'E')) {
                q++;
            }
            if (q == n && !final && q - v < 64) {
                return DEFER;
            }
            *vs = v;
            *ve = q;
            return q;
        }
        *vs = *ve = v;
        return v;
    }
    (void)cls;
    /* A placeholder with spaces in it ("ssn=[PII REMOVED]") is read to its
       closing bracket, on the same line; it is no finding. */
    if (v < n && (b[v] == '[' || b[v] == '<' || b[v] == '(' || b[v] == '{')) {
        unsigned char close = b[v] == '[' ? ']' : b[v] == '<' ? '>' : b[v] == '(' ? ')' : '}';
        q = v + 1;
        while (q < n && q - v < 64 && b[q] != close && b[q] != '\n' && b[q] != '\r' &&
               b[q] != VEIL__DELIM) {
            q++;
        }
        if (q == n && !final && q - v < 64) {
            return DEFER;
        }
        if (q < n && b[q] == close && veil__value_is_mask((const char *)b + v, q + 1 - v, 1)) {
            *vs = *ve = q + 1;
            return q + 1;
        }
    }
    q = v;
    /* (A space that was a form body's '+', an escaped no-break space or
       another look-alike is inside the value.) */
    while (q < n && q - v < FIELD_MAX && b[q] != '&' &&
           (b[q] != ' ' || (t->nplus && veil__text_was_plus(t, q)) ||
            (t->nshr && written_from(t, q) > 1)) &&
           b[q] != '"' && b[q] != '\'' && b[q] != ';' && b[q] != ',' && b[q] != '<' &&
           b[q] != '>' && b[q] != '\t' && b[q] != '\r' && b[q] != '\n' && b[q] != '#' &&
           b[q] != VEIL__DELIM) {
        q++;
    }
    if (q == n && !final && q - v < FIELD_MAX) {
        return DEFER;
    }
    *vs = v;
    *ve = q;
    return q;
}

static int field_confidence(int cls)
{
    return cls == VEIL_D_PERSON_NAME || cls == VEIL_D_ADDRESS ? VEIL_CONF_MEDIUM : VEIL_CONF_HIGH;
}

static size_t report_field(struct veil__text *t, int cls, size_t vs, size_t ve, size_t next,
                           unsigned flags, const unsigned char *key, size_t kl, int pct)
{
    /* A value that is already a placeholder or a mask is no finding. */
    if (ve > vs && !veil__value_is_mask((const char *)t->buf + vs, ve - vs, pct)) {
        int is_name_key = kl == 4 && lower(key[0]) == 'n' && lower(key[1]) == 'a' &&
                          lower(key[2]) == 'm' && lower(key[3]) == 'e';
        if (cls == VEIL_D_SECRET_FIELD) {
            /* The shell's working directory (sudo's "PWD=/srv") is no
               password; an auth scheme ("Bearer ") is no secret. */
            if (kl == 3 && lower(key[0]) == 'p' && lower(key[1]) == 'w' && lower(key[2]) == 'd' &&
                t->buf[vs] == '/') {
                return next;
            }
            vs += veil__auth_scheme_len((const char *)t->buf + vs, ve - vs);
            int k = veil__token_kind(t->eng, t->md, (const char *)t->buf + vs, ve - vs);
            cls = k >= 0 ? k : cls;
        }
        if (cls == VEIL_D_ADDRESS) {
            /* "address" names IP and e-mail addresses too (names.c). */
            if (veil__address_like((const char *)t->buf + vs, ve - vs)) {
                veil__text_report(t, vs, ve, cls, field_confidence(cls), VEIL_FIND_FIELD | flags);
            }
        } else if (!is_name_key || veil__name_like((const char *)t->buf + vs, ve - vs)) {
            veil__text_report(t, vs, ve, cls, field_confidence(cls), VEIL_FIND_FIELD | flags);
        }
    }
    return next;
}

/* "key": value, with the key in quotes before the colon at <i>. */
static size_t h_json_key(struct veil__text *t, size_t i, int final)
{
    const unsigned char *b = t->buf;
    size_t ks = i - 1;
#if VEIL_K_LEVEL >= 1
    if (i >= 65) {
        /* The loop below, sixteen bytes at a time: the last quote or
           delimiter in b[i-64 .. i-2], else ks stops at i - 64. */
        const __m128i quote = _mm_set1_epi8('"'), delim = _mm_set1_epi8((char)VEIL__DELIM);
        ks = i - 64;
        for (size_t from = i - 17;; from -= 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + from));
            unsigned m = (unsigned)_mm_movemask_epi8(
                _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, delim)));
            if (from == i - 65) {
                m &= ~1u; /* b[i-65] is not looked at by the loop */
            }
            if (m != 0) {
                ks = from + (size_t)(31 - __builtin_clz(m)) + 1;
                break;
            }
            if (from == i - 65) {
                break;
            }
        }
    } else
#endif
        while (ks > 0 && i - ks < 64 && b[ks - 1] != '"' && b[ks - 1] != VEIL__DELIM) {
            ks--;
        }
    if (ks == 0 || b[ks - 1] != '"' || ks == i - 1) {
        return 0;
    }
    int cls = veil__key_class_at((const char *)b + ks, i - 1 - ks);
    if (cls < 0) {
        return 0;
    }
    size_t vs = i + 1, ve = i + 1;
    size_t next = field_value(t, i + 1, cls, final, 1, &vs, &ve);
    if (next == DEFER) {
        return DEFER;
    }
    if (ve == vs) {
        return i + 1;
    }
    unsigned flags = b[vs - 1] == '"' ? 0 : VEIL_FIND_JSON_BARE;
    return report_field(t, cls, vs, ve, next, flags, b + ks, i - 1 - ks, 0);
}

static int is_key_char(int c)
{
    return (CT(c) & VEIL_C_KEY) != 0;
}

/* A credential key of a form body or query string ("&pass=", "?pwd="):
   after '&' or '?', a key that alone is ambiguous in prose ("pass=3
   fail=0") names a secret, when its value has a letter (h_equals()). */
static int form_secret_key(const unsigned char *b, size_t ks, size_t i)
{
    return ks > 0 && (b[ks - 1] == '&' || b[ks - 1] == '?') &&
           veil__key_class((const char *)b + ks, i - ks) == VEIL_D_SECRET_FIELD;
}

/* key=value in query strings and form bodies inside text. */
static size_t h_equals(struct veil__text *t, size_t i, int final)
{
    const unsigned char *b = t->buf;
    size_t ks = i;
    while (ks > 0 && i - ks < 48 && is_key_char(b[ks - 1])) {
        ks--;
    }
    if (ks == i || (ks > 0 && is_key_char(b[ks - 1]))) {
        return i + 1;
    }
    int cls = veil__key_class_prose((const char *)b + ks, i - ks), form = 0;
    if (cls < 0 && form_secret_key(b, ks, i)) {
        cls = VEIL_D_SECRET_FIELD;
        form = 1;
    }
    if (cls < 0) {
        return i + 1;
    }
    size_t vs = i + 1, ve = i + 1;
    size_t next = field_value(t, i + 1, cls, final, 0, &vs, &ve);
    if (next == DEFER) {
        return DEFER;
    }
    if (form) {
        int letter = 0;
        for (size_t k = vs; k < ve && !letter; k++) {
            letter = isal(b[k]);
        }
        if (!letter) {
            return next > i + 1 ? next : i + 1;
        }
    }
    return report_field(t, cls, vs, ve, next > i + 1 ? next : i + 1, 0, b + ks, i - ks, 1);
}

/* "password: value" in prose and headers. Only secrets: a plain key such
   as "email:" is followed by something the other detectors judge. */
static size_t h_plain_key(struct veil__text *t, size_t i, int final)
{
    const unsigned char *b = t->buf;
    size_t n = t->len, ks = i;
    while (ks > 0 && i - ks < 32 && (isal(b[ks - 1]) || b[ks - 1] == '_' || b[ks - 1] == '-')) {
        ks--;
    }
    if (ks == i || (ks > 0 && isaln(b[ks - 1]))) {
        return 0;
    }
    if (veil__key_class_prose((const char *)b + ks, i - ks) != VEIL_D_SECRET_FIELD) {
        return 0;
    }
    size_t v = i + 1;
    while (v < n && v - i < 8 && (b[v] == ' ' || b[v] == '\t')) {
        v++;
    }
    if (v == n) {
        return final ? n : DEFER;
    }
    /* A bearer token is reported as such by its own handler. */
    if (n - v >= 7 && memcmp(b + v, "Bearer ", 7) == 0) {
        return v;
    }
    int whole_line = i - ks >= 13 && (lower(b[ks]) == 'a' || lower(b[ks]) == 'p');
    size_t q = v;
    if (b[v] == '"' || b[v] == '\'') {
        /* A quoted value (GraphQL arguments, YAML, config lines): up to
           its closing quote, escapes included; the quotes stay. */
        unsigned char qc = b[v];
        q = ++v;
        while (q < n && q - v < FIELD_MAX && b[q] != qc && b[q] != '\r' && b[q] != '\n' &&
               b[q] != VEIL__DELIM) {
            q += b[q] == '\\' && q + 1 < n ? 2 : 1;
        }
        if (q > n) {
            q = n;
        }
    } else {
        while (q < n && q - v < FIELD_MAX && b[q] != '\r' && b[q] != '\n' && b[q] != '"' &&
               b[q] != VEIL__DELIM &&
               (whole_line || (b[q] != ' ' && b[q] != ',' && b[q] != ';' && b[q] != '\t'))) {
            q++;
        }
    }
    if (q == n && !final && q - v < FIELD_MAX) {
        return DEFER;
    }
    if (q > v && !veil__value_is_mask((const char *)b + v, q - v, 0)) {
        veil__text_report(t, v, q, VEIL_D_SECRET_FIELD, VEIL_CONF_HIGH, VEIL_FIND_FIELD);
    }
    return q > i ? q : i + 1;
}

static size_t h_colon(struct veil__text *t, size_t i, int final)
{
    const unsigned char *b = t->buf;
    size_t n = t->len, r;

    if (i >= 5 && b[i - 1] == 's' && (r = ids_slack_webhook(t, i, final)) != 0) {
        return r;
    }

    if (i > 0 && b[i - 1] == '"') {
        r = h_json_key(t, i, final);
        return r ? r : i + 1;
    }
    if (i > 0 && isal(b[i - 1]) && (r = h_plain_key(t, i, final)) != 0) {
        return r;
    }
    if (i + 1 >= n && !final) {
        return DEFER;
    }
    int before = i > 0 && (ishex(b[i - 1]) || b[i - 1] == ':');
    int after = i + 1 < n && (ishex(b[i + 1]) || b[i + 1] == ':');
    if (!before && !after) {
        return i + 1;
    }
    size_t rs = i, re = i;
    while (rs > 0 && i - rs < 48 && (ishex(b[rs - 1]) || b[rs - 1] == ':' || b[rs - 1] == '.')) {
        rs--;
    }
    /* The hex digits of an escape before it are no part of it
       ("%5Bfe80::1%5D", "%E3%81%AF::ffff:10.1.2.3"). */
    if (rs > 0 && b[rs - 1] == '%' && rs + 2 <= i && ishex(b[rs]) && ishex(b[rs + 1])) {
        rs += 2;
    }
    while (re < n && re - rs < 72 && (ishex(b[re]) || b[re] == ':' || b[re] == '.')) {
        re++;
    }
    /* A zone id (fe80::1%eth0, RFC 4007); "%2C" and the like after an
       address in percent-encoded text are escapes, not zones. */
    if (re < n && b[re] == '%' && re - rs < 72) {
        if (re + 2 >= n && !final) {
            return DEFER;
        }
        if (!(re + 2 < n && (b[re + 1] == '2' || b[re + 1] == '3') && ishex(b[re + 2]) &&
              !isdig(b[re + 2]))) {
            re++;
            while (re < n && re - rs < 72 &&
                   (isaln(b[re]) || b[re] == '.' || b[re] == '_' || b[re] == '-')) {
                re++;
            }
        }
    }
    /* A run cut at the end of the bytes, or at its cap there: the byte
       after it decides (a letter or a digit joins it), so wait for it. */
    if (re == n && !final && re - rs <= 72) {
        return DEFER;
    }
    size_t next = re;
    if ((rs > 0 && (isaln(b[rs - 1]) || b[rs - 1] == ':' || b[rs - 1] == '.') &&
         !(rs >= 3 && b[rs - 3] == '%' && ishex(b[rs - 2]) && ishex(b[rs - 1]))) ||
        (re < n && (isaln(b[re]) || b[re] == ':'))) {
        return next;
    }
    while (re > rs && (b[re - 1] == '.' || (b[re - 1] == ':' && re - rs > 2 && b[re - 2] != ':'))) {
        re--;
    }
    size_t e;
    /* The validators are exact and cheap; the patterns then confirm. */
    if (re - rs == 17 && valid(veil__valid_mac, b, rs, re) &&
        (e = match(t, VEIL_D_MAC_ADDRESS, rs, re, 1)) != 0) {
        veil__text_report(t, rs, e, VEIL_D_MAC_ADDRESS,
                          conf_ctx(VEIL_CONF_MEDIUM, has_context(t, rs, VEIL_D_MAC_ADDRESS)), 0);
        return next;
    }
    /* An address has a group with a digit: "::" alone (a listener on every
       address: "listening on :: port 22") and scope tokens of hex letters
       (Abc::Def, dead::beef) are none. */
    int digit = 0;
    for (size_t k = rs; k < re && !digit; k++) {
        digit = isdig(b[k]);
    }
    if (re - rs >= 3 && digit && valid(veil__valid_ipv6, b, rs, re) &&
        (e = match(t, VEIL_D_IPV6, rs, re, 1)) != 0) {
        veil__text_report(t, rs, e, VEIL_D_IPV6,
                          conf_ctx(VEIL_CONF_MEDIUM, has_context(t, rs, VEIL_D_IPV6)), 0);
    }
    return next;
}

/* A token after a known prefix: scan its characters, then confirm. */
static size_t token_end(const struct veil__text *t, size_t from, size_t max, int extra1, int extra2,
                        int final)
{
    const unsigned char *b = t->buf;
    size_t n = t->len, q = from;
    while (q < n && q - from < max && (isaln(b[q]) || b[q] == extra1 || b[q] == extra2)) {
        q++;
    }
    if (q == n && q - from < max && !final) {
        return DEFER;
    }
    return q;
}

static int boundary_before(const unsigned char *b, size_t s)
{
    return s == 0 || !(isaln(b[s - 1]) || b[s - 1] == '_');
}

static size_t confirm_token(struct veil__text *t, int det, size_t s, size_t q,
                            veil__validator_fn fn, size_t resume)
{
    size_t e = match(t, det, s, q, 0);
    if (e && (fn == NULL || valid(fn, t->buf, s, e))) {
        veil__text_report(t, s, e, det, VEIL_CONF_HIGH, 0);
        return e;
    }
    return resume;
}

static size_t h_underscore(struct veil__text *t, size_t i, int final)
{
    const unsigned char *b = t->buf;
    size_t q, ts;

    if ((ts = ids_token_start(t, i)) != SIZE_MAX && (q = ids_token(t, ts, final)) != 0) {
        return q;
    }

    if (i >= 3 && b[i - 3] == 'g' && b[i - 2] == 'h' && strchr("pousr", b[i - 1]) &&
        boundary_before(b, i - 3)) {
        if ((q = token_end(t, i + 1, 48, 0, 0, final)) == DEFER) {
            return DEFER;
        }
        return confirm_token(t, VEIL_D_GITHUB_TOKEN, i - 3, q, veil__valid_github_token, i + 1);
    }
    if (i >= 6 && memcmp(b + i - 6, "github", 6) == 0 && boundary_before(b, i - 6)) {
        if ((q = token_end(t, i + 1, 100, '_', 0, final)) == DEFER) {
            return DEFER;
        }
        return confirm_token(t, VEIL_D_GITHUB_TOKEN, i - 6, q, veil__valid_github_token, i + 1);
    }
    if (i >= 2 && (b[i - 2] == 's' || b[i - 2] == 'r') && b[i - 1] == 'k' &&
        boundary_before(b, i - 2)) {
        if ((q = token_end(t, i + 1, 260, '_', 0, final)) == DEFER) {
            return DEFER;
        }
        return confirm_token(t, VEIL_D_STRIPE_KEY, i - 2, q, NULL, i + 1);
    }
    return i + 1;
}

static size_t h_pem(struct veil__text *t, size_t i, int final)
{
    const unsigned char *b = t->buf;
    size_t n = t->len, hdr, q;

    if (i + 64 > n && !final) {
        return DEFER;
    }
    if ((hdr = match(t, VEIL_D_PRIVATE_KEY, i, n < i + 64 ? n : i + 64, 0)) == 0) {
        return i + 1;
    }
    /* Find the footer; a block without one is still a secret, up to where
       its base64 body ends. A block held back over several feeds resumes
       the search where it stopped instead of starting again. */
    /* A footer must start within PEM_MAX bytes of the header. */
    size_t from = hdr, lim = n < i + PEM_MAX + 7 ? n : i + PEM_MAX + 7;
    if (t->pem_at == t->base + i && t->pem_seen > t->base + hdr) {
        from = (size_t)(t->pem_seen - t->base);
    }
    const unsigned char *end = from + 8 <= lim ? memmem(b + from, lim - from, "-----END", 8) : NULL;
    if (end != NULL && memchr(b + hdr, VEIL__DELIM, (size_t)(end - b) - hdr) == NULL) {
        q = (size_t)(end - b);
    } else if (end != NULL) {
        q = n; /* the footer is in another value */
    } else if (n < i + PEM_MAX + 7 && !final) {
        t->pem_at = t->base + i;
        t->pem_seen = t->base + (n >= hdr + 7 ? n - 7 : hdr);
        return DEFER;
    } else {
        q = n; /* no footer: the body below decides where the block ends */
    }
    size_t e;
    if (q + 8 <= n && q - i < PEM_MAX) {
        /* The footer: "-----END", its label (RSA PRIVATE KEY) and the
           closing "-----"; wait for the bytes that decide where it ends. */
        e = q + 8;
        while (e < n && e - q < 48 && (isup(b[e]) || isdig(b[e]) || b[e] == ' ')) {
            e++;
        }
        /* A label of the longest length allowed ends where it is, but the
           dashes after it may still be on their way (fuzz_scan found a
           40-letter label whose "-----" was in the finding only when the
           input came whole). */
        if (!final &&
            ((e == n && e - q < 48) || (e + 5 > n && memcmp(b + e, "-----", n - e) == 0))) {
            return DEFER;
        }
        if (e + 5 <= n && memcmp(b + e, "-----", 5) == 0) {
            e += 5;
        }
    } else {
        e = hdr;
        while (e < n && e - i < PEM_MAX &&
               (isaln(b[e]) || b[e] == '+' || b[e] == '/' || b[e] == '=' || b[e] == '\\' ||
                b[e] == '\n' || b[e] == '\r' || b[e] == ' ')) {
            e++;
        }
    }
    veil__text_report(t, i, e, VEIL_D_PRIVATE_KEY, VEIL_CONF_HIGH, 0);
    return e;
}

static size_t h_dash(struct veil__text *t, size_t i, int final)
{
    const unsigned char *b = t->buf;
    size_t n = t->len, q;

    if (i + 5 > n && !final) {
        return DEFER;
    }
    if (i + 11 <= n + 0 && b[i + 1] == '-' && memcmp(b + i, "-----BEGIN ", 11) == 0) {
        return h_pem(t, i, final);
    }
    if (i + 11 > n && b[i + 1] == '-' && !final && n - i >= 5 && memcmp(b + i, "-----", 5) == 0 &&
        memcmp(b + i + 5, "BEGIN ", n - i - 5) == 0) {
        return DEFER;
    }
    size_t ts;
    if ((ts = ids_token_start(t, i)) != SIZE_MAX && (q = ids_token(t, ts, final)) != 0) {
        return q;
    }
    if (i >= 4 && b[i - 4] == 'x' && b[i - 3] == 'o' && b[i - 2] == 'x' &&
        strchr("abposre", b[i - 1]) && boundary_before(b, i - 4)) {
        if ((q = token_end(t, i + 1, 256, '-', 0, final)) == DEFER) {
            return DEFER;
        }
        return confirm_token(t, VEIL_D_SLACK_TOKEN, i - 4, q, NULL, i + 1);
    }
    return i + 1;
}

static size_t h_upper_a(struct veil__text *t, size_t i, int final)
{
    static const char prefixes[][4] = {"AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA",
                                       "AIPA", "ANPA", "ANVA", "APKA", "AROA", "ASCA"};
    const unsigned char *b = t->buf;
    size_t n = t->len;

    if (i + 4 > n && !final && memcmp(b + i, "AIza", n - i) == 0) {
        return DEFER; /* maybe a Google key, glued to what is before it */
    }
    if (i + 4 <= n && b[i + 1] == 'I' && b[i + 2] == 'z' && b[i + 3] == 'a') {
        size_t r = ids_token(t, i, final);
        if (r != 0) {
            return r;
        }
    }
    if (!boundary_before(b, i)) {
        return i + 1;
    }
    if (i + 21 > n && !final) {
        return DEFER;
    }
    if (i + 20 > n) {
        return i + 1;
    }
    for (size_t k = 0; k < sizeof(prefixes) / sizeof(prefixes[0]); k++) {
        if (memcmp(b + i, prefixes[k], 4) == 0) {
            size_t q = token_end(t, i, 24, 0, 0, final);
            if (q == DEFER) {
                return DEFER;
            }
            return confirm_token(t, VEIL_D_AWS_ACCESS_KEY_ID, i, q, NULL, i + 1);
        }
    }
    return i + 1;
}

static size_t h_upper_b(struct veil__text *t, size_t i, int final)
{
    const unsigned char *b = t->buf;
    size_t n = t->len, q;

    if (!boundary_before(b, i)) {
        return i + 1;
    }
    if (i + 7 > n) {
        return final ? i + 1 : DEFER;
    }
    if (memcmp(b + i, "Bearer ", 7) != 0) {
        return i + 1;
    }
    q = i + 7;
    while (q < n && q - i < 4096 && (isaln(b[q]) || strchr("._~+/-=", b[q]))) {
        q++;
    }
    if (q == n && q - i < 4096 && !final) {
        return DEFER;
    }
    size_t e = match(t, VEIL_D_BEARER_TOKEN, i, q, 0);
    if (e > i + 7) {
        veil__text_report(t, i + 7, e, VEIL_D_BEARER_TOKEN, VEIL_CONF_HIGH, 0);
        return e;
    }
    return i + 1;
}

static size_t h_upper_j(struct veil__text *t, size_t i, int final)
{
    const unsigned char *b = t->buf;
    size_t s, q;

    if (i < 2 || b[i - 2] != 'e' || b[i - 1] != 'y') {
        return i + 1;
    }
    s = i - 2;
    if (s > 0 && (isaln(b[s - 1]) || b[s - 1] == '_' || b[s - 1] == '-')) {
        return i + 1;
    }
    if ((q = token_end(t, s, JWT_MAX, '.', '_', final)) == DEFER) {
        return DEFER;
    }
    while (q < t->len && q - s < JWT_MAX && b[q] == '-') {
        q = token_end(t, q + 1, JWT_MAX, '.', '_', final);
        if (q == DEFER) {
            return DEFER;
        }
    }
    return confirm_token(t, VEIL_D_JWT, s, q, veil__valid_jwt, i + 1);
}

static inline __attribute__((always_inline)) size_t handle(struct veil__text *t, size_t i,
                                                           int final)
{
    const unsigned char *b = t->buf;
    unsigned char c = b[i];

    t->match_from = 0;
    if (isdig(c)) {
        return h_numeric(t, i, final);
    }
    switch (c) {
    case '@':
        return h_email(t, i, 1, final);
    case '%':
        if (i + 3 > t->len && !final) {
            return DEFER;
        }
        if (i + 3 <= t->len && b[i + 1] == '4' && b[i + 2] == '0') {
            return h_email(t, i, 3, final);
        }
        return i + 1;
    case ':':
        return h_colon(t, i, final);
    case '=':
        return h_equals(t, i, final);
    case '_':
        return h_underscore(t, i, final);
    case '-':
        return h_dash(t, i, final);
    case 'A':
        return h_upper_a(t, i, final);
    case 'B':
        return h_upper_b(t, i, final);
    case 'J':
        return h_upper_j(t, i, final);
    default:
        return i + 1;
    }
}

/*
 * scan_custom(): the configuration's detectors, all in one alternation run
 * over the same bytes from cpos. A match that the end of the buffer may
 * still extend is held back (partial matching), unless it would be longer
 * than VEIL_CUSTOM_MAX_MATCH, which no match may be, chunked or not.
 */
static void scan_custom(struct veil__text *t, int final)
{
    const veil_engine_t *e = t->eng;
    size_t p = t->cpos;

    while (p < t->len) {
        int rc = pcre2_match(e->custom_re, t->buf, t->len, p, final ? 0 : PCRE2_PARTIAL_HARD,
                             t->cmd, NULL);
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(t->cmd);
        if (rc == PCRE2_ERROR_PARTIAL) {
            if (t->len - ov[0] < VEIL_CUSTOM_MAX_MATCH) {
                p = ov[0];
                break;
            }
            p = ov[0] + 1;
            continue;
        }
        if (rc < 0) {
            /* No match, or a resource limit: nothing more here. */
            p = t->len;
            break;
        }
        size_t s = ov[0], end = ov[1];
        if (end == s || end - s > VEIL_CUSTOM_MAX_MATCH ||
            (t->nfields && memchr(t->buf + s, VEIL__DELIM, end - s) != NULL)) {
            p = s + 1;
            continue;
        }
        p = end;
        PCRE2_SPTR mark = pcre2_get_mark(t->cmd);
        size_t k = mark ? (size_t)strtoul((const char *)mark, NULL, 10) : e->ncustom;
        if (k >= e->ncustom) {
            continue;
        }
        if (e->custom_validator[k] && !e->custom_validator[k]((const char *)t->buf + s, end - s)) {
            continue;
        }
        int ctx = 0;
        const char *w = e->custom[k].context;
        while (w && *w && !ctx) {
            const char *comma = strchr(w, ',');
            size_t len = comma ? (size_t)(comma - w) : strlen(w);
            char word[64];
            if (len > 0 && len < sizeof(word)) {
                memcpy(word, w, len);
                word[len] = '\0';
                for (size_t j = 0; j < len; j++) {
                    word[j] = (char)lower((unsigned char)word[j]);
                }
                ctx = context_word(t, s, word);
            }
            w += len + (comma != NULL);
        }
        if (e->custom_context_required[k] && !ctx) {
            continue;
        }
        veil__text_report(t, s, end, (int)(VEIL_D__COUNT + k),
                          conf_ctx(e->custom_confidence[k], ctx), 0);
    }
    t->cpos = p;
}

/* ---- shortcuts: triggers judged from class bits, without a handler ---- */

/*
 * The class bits of 64 bytes: bit k for byte k. Computed for the blocks a
 * digit trigger sits in, once per block (the scan keeps the last two).
 */
typedef struct {
    size_t base;   /* buffer offset of bit 0; SIZE_MAX: none */
    uint64_t dig;  /* 0-9 */
    uint64_t aln;  /* 0-9 A-Z a-z */
    uint64_t low;  /* a-z */
    uint64_t sep;  /* " -./()": separators inside numbers */
    uint64_t join; /* "-._/": what joins the words of one token */
} cls64_t;

/* One nibble-table lookup (CLS_LO and CLS_HI, nibble_tables.h) gives
   each byte eight class bits. */
static inline void classify64(const unsigned char *b, size_t base, cls64_t *c)
{
    c->base = base;
    b += base;
#if VEIL_K_LEVEL >= 3
    classify512(b, &c->dig, &c->aln, &c->low, &c->sep, &c->join);
#elif VEIL_K_LEVEL >= 2
    const __m256i lo_t = _mm256_setr_epi8(CLS_LO, CLS_LO), hi_t = _mm256_setr_epi8(CLS_HI, CLS_HI);
    const __m256i nib = _mm256_set1_epi8(0x0f), zero = _mm256_setzero_si256();
    uint64_t m[5] = {0, 0, 0, 0, 0};
    for (int k = 0; k < 2; k++) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(b + 32 * k));
        __m256i cl = _mm256_and_si256(
            _mm256_shuffle_epi8(lo_t, _mm256_and_si256(v, nib)),
            _mm256_shuffle_epi8(hi_t, _mm256_and_si256(_mm256_srli_epi16(v, 4), nib)));
        /* Bit k of a byte to its top bit, where movemask reads it. */
        m[0] |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_slli_epi16(cl, 7)) << (32 * k);
        m[1] |= (uint64_t)(uint32_t)~_mm256_movemask_epi8(
                    _mm256_cmpeq_epi8(_mm256_and_si256(cl, _mm256_set1_epi8(0x1f)), zero))
                << (32 * k);
        m[2] |= (uint64_t)(uint32_t)~_mm256_movemask_epi8(
                    _mm256_cmpeq_epi8(_mm256_and_si256(cl, _mm256_set1_epi8(0x18)), zero))
                << (32 * k);
        m[3] |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_slli_epi16(cl, 2)) << (32 * k);
        m[4] |= (uint64_t)(uint32_t)~_mm256_movemask_epi8(
                    _mm256_cmpeq_epi8(_mm256_and_si256(cl, _mm256_set1_epi8((char)0xc0)), zero))
                << (32 * k);
    }
    c->dig = m[0];
    c->aln = m[1];
    c->low = m[2];
    c->sep = m[3];
    c->join = m[4];
#elif VEIL_K_LEVEL >= 1
    const __m128i lo_t = _mm_setr_epi8(CLS_LO), hi_t = _mm_setr_epi8(CLS_HI);
    const __m128i nib = _mm_set1_epi8(0x0f), zero = _mm_setzero_si128();
    uint64_t m[5] = {0, 0, 0, 0, 0};
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + 16 * k));
        __m128i cl =
            _mm_and_si128(_mm_shuffle_epi8(lo_t, _mm_and_si128(v, nib)),
                          _mm_shuffle_epi8(hi_t, _mm_and_si128(_mm_srli_epi16(v, 4), nib)));
        m[0] |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_slli_epi16(cl, 7)) << (16 * k);
        m[1] |= (uint64_t)(~(uint32_t)_mm_movemask_epi8(
                               _mm_cmpeq_epi8(_mm_and_si128(cl, _mm_set1_epi8(0x1f)), zero)) &
                           0xffffu)
                << (16 * k);
        m[2] |= (uint64_t)(~(uint32_t)_mm_movemask_epi8(
                               _mm_cmpeq_epi8(_mm_and_si128(cl, _mm_set1_epi8(0x18)), zero)) &
                           0xffffu)
                << (16 * k);
        m[3] |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_slli_epi16(cl, 2)) << (16 * k);
        m[4] |= (uint64_t)(~(uint32_t)_mm_movemask_epi8(
                               _mm_cmpeq_epi8(_mm_and_si128(cl, _mm_set1_epi8((char)0xc0)), zero)) &
                           0xffffu)
                << (16 * k);
    }
    c->dig = m[0];
    c->aln = m[1];
    c->low = m[2];
    c->sep = m[3];
    c->join = m[4];
#else
    /* The same tables (the high half of hi_t is zero, so bytes 0x80 and
       up have no class); "any of these bits" by an add that carries into
       bit 5 or 8 rather than a comparison. */
    static const uint8_t lo_t[16] = {CLS_LO}, hi_t[16] = {CLS_HI};
    uint64_t dig = 0, aln = 0, low = 0, sep = 0, join = 0;
    for (unsigned k = 0; k < 64; k++) {
        unsigned cl = lo_t[b[k] & 15] & hi_t[b[k] >> 4];
        dig |= (uint64_t)(cl & 1) << k;
        aln |= (uint64_t)(((cl & 0x1f) + 0x1f) >> 5) << k;
        low |= (uint64_t)(((cl & 0x18) + 0x18) >> 5) << k;
        sep |= (uint64_t)(cl >> 5 & 1) << k;
        join |= (uint64_t)(((cl & 0xc0) + 0xc0) >> 8) << k;
    }
    c->dig = dig;
    c->aln = aln;
    c->low = low;
    c->sep = sep;
    c->join = join;
#endif
}

/* The bits of the 64 bytes from <at> (inside the first of two blocks). */
#define WIN(c, field, k) ((k) ? (c)[0].field >> (k) | (c)[1].field << (64 - (k)) : (c)[0].field)

/* The classes of the blocks at <base> and base + 64 into <c>, reusing
   what is there (the scan moves forward block by block). */
static inline void cls_window(cls64_t c[2], const unsigned char *b, size_t base)
{
    if (c[0].base != base) {
        if (c[1].base == base) {
            c[0] = c[1];
        } else {
            classify64(b, base, &c[0]);
        }
    }
    if (c[1].base != base + 64) {
        classify64(b, base + 64, &c[1]);
    }
}

/* The bytes a word or number "stands alone" between for the shortcuts
   below: before it (a delimiter, a quote, a key's ':' or '=', an
   opening bracket, a line break, a tag's '>') and after it (the same
   closing ones, a query string's '&' or ';', a tag's '<'). None is a
   chain separator, an alphanumeric, or a byte a look-alike or an escape
   starts with, so the chain is the word. */
static inline int alone_before(unsigned c)
{
    return c == 0 || c == '"' || c == '\'' || c == ',' || c == '=' || c == ':' || c == '[' ||
           c == '{' || c == '\t' || c == '\n' || c == '\r' || c == '>';
}

static inline int alone_after(unsigned c)
{
    return c == 0 || c == '"' || c == '\'' || c == ',' || c == '}' || c == ']' || c == '\t' ||
           c == '\n' || c == '\r' || c == '&' || c == ';' || c == '<';
}

/*
 * month_near(): for digit_fast(), whether month_date() could find a month's
 * name next to the number at <ws>: the word before it ("Month D") or
 * after its first one or two digits, past a '.', one space and a "de "
 * ("D Month", "D. Month", "D de Month"), read as month_date() reads them
 * and asked of is_month(). A superset: month_date()'s other conditions
 * (the word's boundary, the year after, where the buffer starts) are
 * left out. "Trail Runner 2 Waterproof" has none, and the number is then
 * what a short number is to the rest of the shortcut. Out of line, as
 * mixed_word_end().
 */
static __attribute__((noinline)) int month_near(const unsigned char *b, size_t lo, size_t hi,
                                                int bounded, size_t ws)
{
#define B(x) (bounded ? veil__vbyte(b + lo, hi - lo, (ptrdiff_t)(x) - (ptrdiff_t)lo) : b[x])
    if (ws >= 2 && B(ws - 1) == ' ' && is_word_byte(B(ws - 2))) {
        size_t w = ws - 1;
        while (w > 0 && ws - 1 - w < 10 && is_word_byte(B(w - 1))) {
            w--;
        }
        if (is_month(b, w, ws - 1)) {
            return 1;
        }
    }
    size_t q = ws;
    while (q - ws < 2 && isdig(B(q))) {
        q++;
    }
    if (B(q) == '.') {
        q++;
    }
    if (B(q) != ' ') {
        return 0;
    }
    size_t w = q + 1;
    if ((B(w) | 0x20) == 'd' && B(w + 1) == 'e' && B(w + 2) == ' ') {
        w += 3;
    }
    size_t we = w;
    while (we - w < 11 && is_word_byte(B(we))) {
        we++;
    }
    return is_month(b, w, we);
#undef B
}

/*
 * iban_lower_word(): for digit_fast()'s cases, whether the word [ws, we)
 * is one try_iban_lower() could take: an IBAN's shape (IBAN_LOWER) and
 * its check digits and country's length (veil__valid_iban()).
 */
static inline int iban_lower_word(const unsigned char *b, size_t lo, size_t hi, int bounded,
                                  size_t ws, size_t we)
{
#define B(x) (bounded ? veil__vbyte(b + lo, hi - lo, (ptrdiff_t)(x) - (ptrdiff_t)lo) : b[x])
    return IBAN_LOWER(ws, we, B) && veil__valid_iban((const char *)b + ws, we - ws);
#undef B
}

/*
 * dash_taken(): for digit_fast()'s cases, whether the '-' before the word
 * at <i> follows what h_numeric() looks back for there: a MAC address's
 * group (two hex digits standing alone, "ab-") or a NIE's letter ("X-").
 */
static inline int dash_taken(const unsigned char *b, size_t lo, size_t hi, int bounded, size_t i)
{
#define B(x) (bounded ? veil__vbyte(b + lo, hi - lo, (ptrdiff_t)(x) - (ptrdiff_t)lo) : b[x])
    return (i >= 3 && ishex(B(i - 2)) && ishex(B(i - 3)) && (i == 3 || !isaln(B(i - 4)))) ||
           (i >= 2 && (B(i - 2) == 'X' || B(i - 2) == 'Y' || B(i - 2) == 'Z') &&
            (i == 2 || !isaln(B(i - 3))));
#undef B
}

/*
 * mixed_word_end(): for digit_fast(), the word [i, we) from a digit with
 * capitals in it ("1ZA8WR3KVELCM8XSPT", a parcel's
 * tracking number), alone or with a short number joined by a '-'
 * ("1EUJ-20196" of SKU-1EUJ-20196): where h_numeric() resumes when it
 * reports nothing, 0 when it may report or the case is another.
 * build_chain() makes these words the chain; try_numeric() hands the
 * first to ids_mixed(), whose checks take 11, 12, 15 and 17 characters
 * (and 4 in a chain of three), and to the DNI and CN id checks when its
 * one letter ends it; the number after it is no candidate's start
 * (sub_start_ok(): both words have fewer than seven digits and no third
 * word follows). Before it: no '+', '(', '%' or space (a phone number's
 * prefix, an escape, a NINO), and a '-' only after no MAC group or NIE
 * letter (h_numeric() looks there). Out of line, asked only where
 * digit_fast() would give up at a letter after the first digits (the scan
 * loop's inlined code stays small).
 */
static __attribute__((noinline)) size_t mixed_word_end(const unsigned char *b, size_t lo, size_t hi,
                                                       int bounded, size_t i, size_t we)
{
#define B(x) (bounded ? veil__vbyte(b + lo, hi - lo, (ptrdiff_t)(x) - (ptrdiff_t)lo) : b[x])
    const size_t run = we - i;
    const unsigned before = i > 0 ? B(i - 1) : 0;
    unsigned digits0 = 0;
    if (run < 2 || run > 40) {
        return 0;
    }
    for (size_t x = i; x < we; x++) {
        digits0 += isdig(B(x));
    }
    const int alone = alone_before(before) || (before == '-' && !dash_taken(b, lo, hi, bounded, i));
    size_t r = 0;
    if (alone && run != 11 && run != 12 && run != 15 && run != 17 &&
        !(run - digits0 == 1 && isal(B(we - 1)))) {
        const unsigned next = B(we);
        if (alone_after(next)) {
            r = we;
        } else if (next == '-' && digits0 < 7 && isdig(B(we + 1))) {
            size_t e1 = we + 1;
            while (e1 - we <= 7 && isdig(B(e1))) {
                e1++;
            }
            if (e1 - we - 1 < 7 && alone_after(B(e1))) {
                r = e1;
            }
        }
    }
    return r;
#undef B
}

/*
 * short_between_words(): for digit_fast(), a number of one to five digits
 * at <i> (ending at <q>, a separator there) after a word and a separator,
 * or after whatever else the short-number shortcut takes ("exp-14-b",
 * "item-7-xl": an experiment's arm, a slug): where h_numeric() resumes
 * when it reports nothing, 0 when it may report or the case is another.
 * build_chain() makes the chain the number and, past one to three
 * separators, a word that joins it (a digit in it, or four bytes or fewer
 * of hex or capitals), and the word after that in the same way. With no
 * digit in those words, try_numeric() has only the number, in which five
 * digits are too few for every candidate (its MAC address needs
 * seventeen bytes of chain after two digits, or four and a '.'; its DNI
 * eight digits, its RVNR a word of six digits after), and a word without
 * a digit is no candidate: the chain ends where the handler resumes.
 * Before the number h_numeric() looks for a MAC address's groups and a
 * NIE's letter ("ab-", "X-") and a NIE's or a NINO's capitals before a
 * space: those are the handler's. Out of line, as mixed_word_end().
 */
static __attribute__((noinline)) size_t
short_between_words(const unsigned char *b, size_t lo, size_t hi, int bounded, size_t i, size_t q)
{
#define B(x) (bounded ? veil__vbyte(b + lo, hi - lo, (ptrdiff_t)(x) - (ptrdiff_t)lo) : b[x])
    const unsigned prev = B(i - 1);
    if (prev == '-' && dash_taken(b, lo, hi, bounded, i)) {
        return 0;
    }
    if ((prev == ' ' && i >= 2 && isup(B(i - 2))) || (q - i == 4 && B(q) == '.')) {
        return 0; /* (and a MAC address's dotted form, "1234.abcd.ef01") */
    }
    /* (the words are read within the 64 bytes the caller's window holds
       past <i>, the handler reading on past them; in a buffer, with
       DOB_AFTER bytes after them: a chain of three words waits for what
       dob_after() reads) */
    size_t end = q, s = q + 1;
    for (int word = 0; word < 2; word++) {
        while (s - end < 3 && issep(B(s))) {
            s++;
        }
        size_t r = s;
        while (r - i < 48 && isaln(B(r))) {
            r++;
        }
        if (r - i >= 48 || (!bounded && r + DOB_AFTER + 4 > hi)) {
            return 0;
        }
        if (r == s || !chain_word_ok(b, s, r)) {
            return end; /* the chain ends before it */
        }
        for (size_t x = s; x < r; x++) {
            if (isdig(B(x))) {
                return 0; /* a word with a digit: a candidate */
            }
        }
        end = r;
        s = r;
        if (!issep(B(s))) {
            return end;
        }
    }
    return 0; /* a third word */
#undef B
}

/*
 * digit_fast(): what h_numeric(t, i, final) returns for the digit at <i>
 * of the buffer <b> (<n> bytes; <dob>: the date_of_birth detector is on)
 * in its commonest cases, from the class bits of the two blocks in <c>
 * (c[0].base <= i < c[0].base + 64, c[0].base + 128 <= n): a word
 * with a lower-case letter after the digit (a hash, a UUID, an id) and
 * the words joined to it; an ISO 8601 date-time; a short number standing
 * alone. In these cases h_numeric reports nothing and touches no state,
 * so returning where it would resume is the same as calling it. Returns 0
 * when the case is another: the handler runs. Each step below follows
 * h_numeric's, in its order; a step that could defer or report is left
 * to the handler.
 */
/* Digit counts of one bare word that try_numeric() looks at (9 bare
   digits, NHS 10, CPF 11, Aadhaar 12, NIR 15, CN 18; text_ids.h adds
   NPI 10, PESEL 11, ZA 13, IMEI 15): those go to the
   handler. */
#define ONE_WORD_CASES \
    ((1u << 9) | (1u << 10) | (1u << 11) | (1u << 12) | (1u << 13) | (1u << 15) | (1u << 18))

/* The digits of "YYYY-MM-DDTHH:" after the year's (bit j: byte j). */
#define ISO_DIGITS ((3u << 5) | (3u << 8) | (3u << 11))

static inline __attribute__((always_inline)) size_t digit_fast(const unsigned char *b, size_t lo,
                                                               size_t hi, int bounded, int dob,
                                                               const cls64_t c[2], size_t i)
{
/* Byte <x>; with <bounded>, NUL outside [lo, hi) (a value judged in place,
   whose delimiters the text layer would see as NUL). */
#define B(x) (bounded ? veil__vbyte(b + lo, hi - lo, (ptrdiff_t)(x) - (ptrdiff_t)lo) : b[x])
    const unsigned k = (unsigned)(i - c[0].base);
    size_t ws = i;

    /* The word's start: within this block from its class bits, else from
       the bytes before the block, as h_numeric() finds it (BACK_MAX bytes
       back at most: a longer word is skip_alnum()'s). Ids and hashes
       cross the blocks' starts: the judge gave a third of the prefixed
       ids up there. */
    if (i > 0 && isaln(B(i - 1))) {
        uint64_t gaps = ~c[0].aln & ((1ull << k) - 1);
        if (gaps != 0) {
            ws = c[0].base + 64 - (size_t)__builtin_clzll(gaps);
        } else {
            ws = c[0].base;
            while (ws > 0 && i - ws < BACK_MAX && isaln(B(ws - 1))) {
                ws--;
            }
            if (ws > 0 && isaln(B(ws - 1))) {
                return 0;
            }
        }
    }
    if (ws > 0 && B(ws - 1) == '%') {
        return 0; /* maybe an escape's hex digits: the handler looks */
    }
    uint64_t aln = WIN(c, aln, k);
    /* the word's end is i + run; 64 when the window is all word and the
       byte after it ends it (a SHA-256 digest from a digit) */
    unsigned run = ~aln != 0 ? (unsigned)__builtin_ctzll(~aln) : isaln(B(i + 64)) ? 65 : 64;
    size_t we = i + run;
    if (run > 64 || we - ws > CHAIN_MAX + 1) {
        return 0; /* alnum_end() stops short of the word's end */
    }
    int lower_seen = (WIN(c, low, k) & (run == 64 ? ~0ull : (1ull << run) - 1)) != 0;
    if (lower_seen) {
        if ((we - ws == 18 && B(we - 1) == 'x') ||
            ((we - ws == 2 || we - ws == 4) && (B(we) == '-' || B(we) == '.'))) {
            return 0; /* a CN id's final x, or a MAC address group */
        }
        if (ids_lower_candidate(b, lo, hi, bounded, ws, we)) {
            return 0; /* an address, a SID or a token part: ids_lower() */
        }
        if (i == ws + 2 && iban_lower_word(b, lo, hi, bounded, ws, we)) {
            /* An IBAN in lower case: try_iban_lower(), which takes no
               word its check digits and country's length refuse (a hex
               id's "ca17f0cf..."), as asked here. */
            return 0;
        }
        /* skip_joined(): words joined by "-._/" to the next alphanumeric. */
        if (run >= 63) {
            /* (the window ends with the word: its first step, from the
               bytes) */
            const unsigned j = B(we);
            return (j == '-' || j == '.' || j == '_' || j == '/') && isaln(B(we + 1)) ? 0 : we;
        }
        uint64_t ja = aln | (WIN(c, join, k) & (aln >> 1));
        uint64_t rest = ~ja >> run;
        if (rest == 0) {
            return 0;
        }
        unsigned end = run + (unsigned)__builtin_ctzll(rest);
        return end < 63 ? i + end : 0;
    }
    if (run == 64) {
        return 0;
    }
    if (ws != i) {
        /* A word that starts with a letter and stands alone, with no
           lower case from its first digit on ("U4YTHBEAL", "CA1ZCUZGE":
           Slack's ids; "v1"). h_numeric() makes it a chain of one word
           and asks try_lettered(), whose checks each take only some
           lengths and layouts: an IBAN (two capitals, two digits), a
           NIE (X, Y or Z), a NINO (two capitals, a digit), nine
           characters with six digits or more (NRIC, DEA, passports), 5
           to 8, 10, 11, 16 and 17 characters (postcodes, BIC, PAN, ID
           documents, DVLA, VIN, fiscal codes), a segwit address, and a
           driver's licence where its counts of letters and digits fit a
           state's format. A word none of these take gives no finding, and the
           handler resumes at its end. Standing alone: no chain separator
           but a path's '/' next to it (and none that joins another word
           to it), no '+', '(', '%' or byte of 0x80 and up (a
           look-alike). An '_' before the word, as in a prefixed id
           ("ord_PBRbVtchRiFXu1"), joins nothing to the chain, which
           starts at the word, and is none of the bytes the handler looks
           back for (a MAC address's '-', a NIE's or NINO's '-' or space,
           a '+' or a '('); the window before the word then holds the
           prefix, a context word for none of the lengths passed here. A
           lower-case letter two before the digit is try_iban_lower()'s
           ("de89370400..."), which takes the word only with an IBAN's
           shape and check digits: other words go on as these do
           ("usr_zU416BRH424NEY"). */
        const size_t len = we - ws;
        const unsigned prev = ws > 0 ? B(ws - 1) : 0, next = B(we);
        const unsigned b0 = B(ws), b1 = B(ws + 1), b2 = B(ws + 2), b3 = B(ws + 3);
        const unsigned k0 = (unsigned)(ws - c[0].base);
        if (len > 40 || !isal(b0) ||
            (i == ws + 2 && islo(b0) && iban_lower_word(b, lo, hi, bounded, ws, we)) ||
            !(alone_before(prev) || prev == '/' || prev == '_')) {
            return 0;
        }
        if (next == '/') {
            /* A path's segment ("/v1/items"): build_chain() joins the word
               after one '/' when it has a digit, or four bytes or fewer
               (hex or capitals); one of five or more letters, or no word,
               ends the chain here. */
            const unsigned k1 = k0 + (unsigned)len + 1;
            if (ws < c[0].base || k1 >= 64 || issep(B(we + 1))) {
                return 0;
            }
            const uint64_t after = WIN(c, aln, k1);
            const unsigned run2 = after == ~0ull ? 64 : (unsigned)__builtin_ctzll(~after);
            if (run2 != 0 &&
                (run2 <= 4 || run2 >= 64 || (WIN(c, dig, k1) & ((1ull << run2) - 1)) != 0)) {
                return 0;
            }
        } else if (!alone_after(next)) {
            return 0;
        }
        unsigned digits = 0;
        if (ws >= c[0].base) {
            digits = (unsigned)__builtin_popcountll(WIN(c, dig, k0) & ((1ull << len) - 1));
        } else {
            /* (a word from the block before: no class bits for it here) */
            for (size_t x = ws; x < we; x++) {
                digits += isdig(B(x));
            }
        }
        /* (alone, an IBAN is the whole word, at least 15 characters with
           two digits after the country; a NINO is nine characters with
           six digits, as the case below) */
        if ((isup(b0) && isup(b1) && isdig(b2) && (len < 4 || (isdig(b3) && len >= 15))) ||
            ((b0 == 'X' || b0 == 'Y' || b0 == 'Z') && len >= 9) ||
            ((b0 == 'B' || b0 == 'T') && b2 == '1' && len >= 14)) {
            return 0; /* an IBAN's, a NINO's, a NIE's or a segwit address's start */
        }
        if ((len >= 5 && len <= 8) || len == 10 || len == 11 || len == 16 || len == 17 ||
            (len == 9 && digits >= 6)) {
            return 0;
        }
        /* (the word is letters and digits only, the first a letter) */
        if (veil__us_driver_licence_counts_fit((unsigned)len - digits, digits, 1)) {
            return 0;
        }
        return we;
    }
    if (run == 4 && B(i + 4) == '-' && (WIN(c, dig, k) & ISO_DIGITS) == ISO_DIGITS &&
        B(i + 7) == '-' && (B(i + 10) == 'T' || B(i + 10) == ' ') && B(i + 13) == ':') {
        /* (bit j: byte i + j is a digit; in a value judged in place, the
           bytes past it are NUL and so are their bits) */
        const uint64_t dig = WIN(c, dig, k);
        /* An ISO 8601 date-time: the handler's loop, never near the end,
           each run of digits stepped over by the class bits. */
        size_t q = i + 14;
        for (;;) {
            unsigned j = (unsigned)(q - i);
            j += (unsigned)__builtin_ctzll(~(dig >> j)); /* (j >= 14: never all ones) */
            if (j >= 40) {
                q = i + 40;
                break;
            }
            q = i + j;
            const unsigned at = B(q);
            if (at == '.' || at == 'Z' || (at == ':' && B(q - 1) != ':')) {
                q++;
                continue;
            }
            if (!((at == '+' || at == '-') && (dig >> (j - 1) & 1))) {
                break;
            }
            if (at == '+' &&
                (isdig(B(q + 1)) || B(q + 1) == '(' || B(q + 1) == '%' || B(q + 1) >= 0x80)) {
                /* Raw bytes (a JSON value judged in place): the text layer
                   may write this '+' as a form body's space (text_scan.c),
                   and the date-time would end there; the handler judges. */
                return 0;
            }
            q++;
        }
        if (B(q - 1) == ':' && B(q) == ':') {
            q--;
        }
        return q;
    }
    /* A short number standing alone. */
    unsigned prev = i > 0 ? B(i - 1) : 0;
    if (i == 0 || prev == '+' || prev == '(' || prev >= 0x80) {
        return 0; /* (>= 0x80: maybe a no-break space text_scan.c rewrites) */
    }
    uint32_t d = (uint32_t)WIN(c, dig, k), sep = (uint32_t)WIN(c, sep, k);
    uint32_t go = (d | (sep & (d >> 1))) & 0xffffffu;
    unsigned stop = (unsigned)__builtin_ctz(~go);
    uint32_t in = (1u << stop) - 1;
    unsigned digits = (unsigned)__builtin_popcount(d & in);
    unsigned groups = 1 + (unsigned)__builtin_popcount(sep & go & in);
    size_t q = i + stop;
    unsigned at_q = B(q);
    if (at_q >= 0x80 || at_q == '+' || at_q == '%') {
        return 0; /* a look-alike may join the next group (text_scan.c) */
    }
    if (dob &&
        ((digits <= 2 && groups == 1 &&
          ((i >= 4 && prev == ' ' && (isal(B(i - 2)) || B(i - 2) >= 0x80)) || at_q == ' ' ||
           at_q == '.')) ||
         /* "Dec 17 1991": the day and the year are two groups */
         (groups == 2 && digits >= 5 && digits <= 6 && i >= 4 && prev == ' ' &&
          (isal(B(i - 2)) || B(i - 2) >= 0x80))) &&
        month_near(b, lo, hi, bounded, i)) {
        return 0; /* maybe a date with the month's name: month_date() */
    }
    if (!((digits < 6 && groups < 4) || (groups == 1 && digits < 9))) {
        /* One word of 9 to 31 digits with nothing joined to it: the
           chain is that word, and try_numeric() has a case for it only
           at some lengths (and for cards, some first digits). */
        if (groups == 1 && digits == run && run < 32 && !issep(B(we)) && prev != '-' &&
            !(i >= 3 && prev == ' ' && isup(B(i - 2)) && isup(B(i - 3))) &&
            (!((1u << (run < 20 ? run : 20)) & ONE_WORD_CASES) ||
             /* Thirteen digits (a time in milliseconds) are a South
                African or Korean id only with a month in their third and
                fourth; ten from a 1 (a Unix time) are no phone number,
                and an NHS, NPI or German ID document number only with
                its check digit, a personnummer with a month
                (try_numeric(), ids_numeric()). */
             (run == 13 && !ids_month_at(b, i)) ||
             (run == 10 && b[i] == '1' && !ids_month_at(b, i) && ten_digit_checks(b + i) == 0)) &&
            /* (a card: 12 to 19 digits that pass Luhn, which
               veil__valid_card() asks first, or more, cut down to one by
               try_shrinking()) */
            !(run >= 12 && b[i] >= '2' && b[i] <= '6' &&
              (run > 19 || veil__valid_luhn((const char *)b + i, run)))) {
            return we;
        }
        /* A Unix time with a fraction, standing alone
           ("1795910400.425688": Slack's message ts, Python's time.time()):
           ten digits from a 1, a '.', six to eight digits. build_chain()
           makes these two words the chain, and try_numeric() has no case
           for either start: from the first, 16 to 18 digits in two groups
           (a card starts with 2 to 6, a phone number has 15 digits at
           most, and the NIR's key test needs a 2 after the chain); from
           the second, six to eight digits alone (a date has three groups,
           and a phone number of so few digits needs a 0 and then stops
           at the bare-digits test). No context word is asked, so none
           changes the answer. Standing alone: no '+', '(', '-', '%' or
           space before it (a phone number's prefix, a MAC's groups, a
           NIE's letter, an escape) and nothing a chain goes on with after
           it. */
        if (groups == 2 && run == 10 && digits >= 16 && digits <= 18 && b[i] == '1' &&
            B(i + 10) == '.' && alone_before(prev) && alone_after(at_q)) {
            return q;
        }
        return isal(at_q) ? mixed_word_end(b, lo, hi, bounded, i, we) : 0;
    }
    if (!isal(at_q) && !(issep(at_q) && (isaln(B(q + 1)) || B(q + 1) == '('))) {
        return q;
    }
    /* The same number before a word that cannot join its chain. */
    if (stop < 24 && issep(at_q) && isal(B(q + 1)) && prev != '-') {
        /* (In a value judged in place the word may end at the value's
           end: a NUL follows it there, not the end of the buffer.) */
        size_t r = q + 1;
        while ((bounded || r < hi) && r - ws <= CHAIN_MAX && isaln(B(r))) {
            r++;
        }
        if ((bounded || r < hi) && (r - ws > CHAIN_MAX || !chain_word_ok(b, q + 1, r))) {
            return q;
        }
    }
    if (groups == 1 && digits <= 5 && issep(at_q)) {
        return short_between_words(b, lo, hi, bounded, i, q);
    }
    return isal(at_q) ? mixed_word_end(b, lo, hi, bounded, i, we) : 0;
}

/*
 * trigger_acts(): 0 when the handler for the non-digit trigger at <i>
 * reports nothing: the bytes around it rule out every case it looks for
 * (a ghX_, github_ or sk_ prefix, -----BEGIN or xox?-, an AWS key prefix,
 * "Bearer ", "eyJ", "%40", a sensitive key before '=', a key, quote, hex
 * digit or colon next to ':'; triggers.h has the first six). The keys
 * before '=' and ':' are classified as the handlers do. Reads bytes [lo,
 * hi) only, NUL taken outside.
 */
static int trigger_acts(const unsigned char *b, size_t lo, size_t hi, size_t i)
{
    const int bounded = 1;
    size_t ks = i;
    switch (b[i]) {
    case '=':
        /* h_equals() */
        while (i - ks < 48 && is_key_char(B(ks - 1))) {
            ks--;
        }
        return ks < i && !is_key_char(B(ks - 1)) &&
               (veil__key_class_prose((const char *)b + ks, i - ks) >= 0 ||
                ((B(ks - 1) == '&' || B(ks - 1) == '?') &&
                 veil__key_class((const char *)b + ks, i - ks) == VEIL_D_SECRET_FIELD));
    case ':':
        /* h_colon(): a JSON key, hex and colons, or h_plain_key(). */
        if (B(i - 1) == '"' || B(i - 1) == ':' || ishex(B(i - 1)) || B(i + 1) == ':' ||
            ishex(B(i + 1))) {
            return 1;
        }
        /* ids_slack_webhook() */
        if (B(i - 1) == 's' && B(i + 1) == '/' && B(i + 3) == 'h' && B(i + 4) == 'o') {
            return 1;
        }
        if (!isal(B(i - 1))) {
            return 0;
        }
        while (i - ks < 32 && (isal(B(ks - 1)) || B(ks - 1) == '_' || B(ks - 1) == '-')) {
            ks--;
        }
        return !isaln(B(ks - 1)) &&
               veil__key_class_prose((const char *)b + ks, i - ks) == VEIL_D_SECRET_FIELD;
    default:
        return veil__near_trigger_acts(b + lo, hi - lo, i - lo);
    }
#undef B
}

/*
 * value_needs_scan(): 0 when the text layer would find nothing in the value
 * <v> of <len> bytes, scanned alone between two delimiters (a JSON string
 * or number, a key), whatever its context: every trigger in it is one the
 * shortcuts above answer with "nothing here". The value is copied between
 * zero bytes, which is how the text layer sees it (its delimiter is NUL,
 * and no handler reads past one), and scanned dry: the same trigger
 * masks, digit_fast() and trigger_acts(), stopping at the first trigger a
 * handler would have to judge. Values longer than JUDGE_MAX: 1.
 */
#define JUDGE_MAX 192

/* The dry scan of w[start, end), where w[0, start) (64 bytes or more) and
   w[end, end + 128) are zero bytes. */
static int padded_needs_scan(const unsigned char *w, size_t start, size_t end, int dob)
{
    cls64_t cls[2] = {{SIZE_MAX, 0, 0, 0, 0, 0}, {SIZE_MAX, 0, 0, 0, 0, 0}};
    size_t i = start, mbase = start;
    uint64_t mask = trigger_mask64(w + mbase);
    while (i < end) {
        if (i - mbase >= 64) {
            mbase += (i - mbase) & ~(size_t)63;
            mask = trigger_mask64(w + mbase);
        }
        uint64_t m = mask & (~0ull << (i - mbase));
        if (m == 0) {
            i = mbase + 64;
            continue;
        }
        i = mbase + (size_t)__builtin_ctzll(m);
        if (i >= end) {
            break;
        }
        if (isdig(w[i])) {
            cls_window(cls, w, mbase);
            size_t r = digit_fast(w, start, end, 1, dob, cls, i);
            if (r == 0) {
                return 1;
            }
            i = r;
        } else if (trigger_acts(w, start, end, i)) {
            return 1;
        } else {
            i++;
        }
    }
    return 0;
}

static int value_needs_scan(const struct veil__text *t, const unsigned char *v, size_t len)
{
    unsigned char w[64 + JUDGE_MAX + 128];
    const size_t start = 64, end = 64 + len;

    if (len > JUDGE_MAX) {
        return 1;
    }
    memset(w, 0, start);
    memcpy(w + start, v, len);
    memset(w + end, 0, 128);
    return padded_needs_scan(w, start, end, eng_enabled(t, VEIL_D_DATE_OF_BIRTH));
}

/* The bits of positions [a, e) in the block at <bb>. */
static inline uint64_t range_bits(size_t bb, size_t a, size_t e)
{
    size_t lo = a > bb ? a - bb : 0, hi = e - bb < 64 ? e - bb : 64;
    if (lo >= hi) {
        return 0;
    }
    return (hi == 64 ? ~0ull : (1ull << hi) - 1) & ~((1ull << lo) - 1);
}

static inline void cls_masked(const veil__jblock_t *j, size_t bb, uint64_t range, cls64_t *c)
{
    c->base = bb;
    c->dig = j ? j->dig & range : 0;
    c->aln = j ? j->aln & range : 0;
    c->low = j ? j->low & range : 0;
    c->sep = j ? j->sep & range : 0;
    c->join = j ? j->join & range : 0;
}

/*
 * value_needs_scan_at(): value_needs_scan() for a value that lies in the
 * buffer <p> at [a, e), judged in place from the class bits of the JSON
 * index blocks that hold it (blk[j] covers [base + 64 j, base + 64 j + 64),
 * j < nblk): the same dry scan, every bit and byte outside [a, e) taken as
 * NUL. No copy, no classification: the index has it.
 */
static int value_needs_scan_at(const struct veil__text *t, const unsigned char *p, size_t a,
                               size_t e, const veil__jblock_t *const *blk, unsigned nblk,
                               size_t base)
{
    const int dob = eng_enabled(t, VEIL_D_DATE_OF_BIRTH);
    size_t i = a;

    if (nblk == 1 && a >= base) {
        /* The value in one block (most): its range and class window
           once, then its triggers bit by bit. */
        const uint64_t range = range_bits(base, a, e);
        cls64_t c[2];
        cls_masked(blk[0], base, range, &c[0]);
        cls_masked(NULL, base + 64, 0, &c[1]);
        uint64_t m = blk[0]->trig & range;
        while (m != 0) {
            i = base + (size_t)__builtin_ctzll(m);
            if (isdig(p[i])) {
                size_t r = digit_fast(p, a, e, 1, dob, c, i);
                if (r == 0) {
                    return 1;
                }
                m = r - base >= 64 ? 0 : m & (~0ull << (r - base));
            } else if (trigger_acts(p, a, e, i)) {
                return 1;
            } else {
                m &= m - 1;
            }
        }
        return 0;
    }

    while (i < e) {
        unsigned j = (unsigned)((i - base) / 64);
        size_t bb = base + 64 * (size_t)j;
        if (j >= nblk) {
            return 1;
        }
        uint64_t m = blk[j]->trig & range_bits(bb, a, e) & (~0ull << (i - bb));
        if (m == 0) {
            i = bb + 64;
            continue;
        }
        i = bb + (size_t)__builtin_ctzll(m);
        if (isdig(p[i])) {
            cls64_t c[2];
            cls_masked(blk[j], bb, range_bits(bb, a, e), &c[0]);
            cls_masked(j + 1 < nblk ? blk[j + 1] : NULL, bb + 64, range_bits(bb + 64, a, e), &c[1]);
            size_t r = digit_fast(p, a, e, 1, dob, c, i);
            if (r == 0) {
                return 1;
            }
            i = r;
        } else if (trigger_acts(p, a, e, i)) {
            return 1;
        } else {
            i++;
        }
    }
    return 0;
}

/*
 * alone_context(): for a value value_needs_scan() could not clear, scanned
 * alone: the detectors whose context word could make the text layer find
 * something in it, 0 when nothing could, ALONE_JUDGE when the handler
 * must judge (the answer is not a matter of context words). The value is
 * one chain standing alone, so h_numeric() hands it to try_numeric()
 * whole, and its context window is empty (a delimiter before it): only
 * the words of its field's context count (fast_walk() asks context_mask()
 * with them). Two shapes, with every check try_numeric() and
 * ids_numeric() make on them and the detectors whose context word each
 * needs (every other outcome is no finding):
 *
 * Ten to nineteen digits (a bare JSON number, a string of digits):
 *   10: the NHS number, NPI, Medicare card, personnummer, German ID
 *       document, phone number;
 *   11: CPF, PESEL, TC Kimlik, Steuer-ID, partita IVA, ABN, Medicare,
 *       phone number (PESEL, TC Kimlik and Steuer-ID also at low
 *       confidence without one: the handler judges then);
 *   12: Aadhaar, a phone number from a 0;
 *   13: a South African id (also at low confidence without one: the
 *       handler judges then, when the third and fourth digits make a
 *       month), a Korean RRN;
 *   15: the NIR, an IMEI;
 *   14, 16, 17, 19: nothing.
 *   A card needs no context word: 12 to 19 digits from a 2 to a 6 that
 *   pass Luhn (veil__valid_card()'s first test) go to the handler, as
 *   do 18 digits (a CN resident id).
 * A calendar date alone, YYYY-MM-DD or YYYY/MM/DD: a date of birth
 *   (dob_after() reads the delimiter after it; the sub-starts at the
 *   month and day share its separator, so sub_start_ok() refuses them).
 * A product code (code_context()): a US driver's licence.
 */
#define ALONE_JUDGE (~0ull)

/*
 * code_context(): alone_context() for a product code, "SKU-QC6E-15356":
 * two to eight capitals, '-', a word of two to four capitals and digits
 * from a capital with a digit in it, '-', one to six digits. Its
 * triggers before the middle word's first digit (a '-', an A, B or J)
 * are asked of trigger_acts(); at that digit h_numeric() makes the chain
 * the middle word and the number, whose checks, with what this shape
 * leaves out, find nothing but a driver's licence:
 * - before the chain, a MAC address's groups need two hex digits
 *   standing alone before the '-' (a first word of two, left out), a
 *   NIE's letter one alone (the first word has two or more);
 * - try_lettered(): the chain is eleven bytes at most (a MAC address
 *   has seventeen); an IBAN's two capitals and two digits and a NIE's
 *   X, Y or Z are left out, and a NINO's two capitals take two digits
 *   after them, which a middle word of four bytes without that IBAN
 *   start lacks; ids_lettered()'s identifiers take five bytes or more
 *   (the UK postcode's two words a space between them), but a driver's
 *   licence, which the word and the number joined to it may be
 *   (veil__us_driver_licence_may_be()) next to a context word;
 * - try_numeric() of the number: six digits at most, glued to the word
 *   before by '-' (no phone number): nothing.
 * The scan resumes after the chain, the value's end. The licence's
 * context word is looked for in the field's context and in the window
 * before the middle word, the first word and its '-', which is read
 * here: a word there is the handler's to judge.
 */
static uint64_t code_context(const veil_engine_t *e, const unsigned char *v, size_t n)
{
    size_t w1 = 0, m, k, digit = 0;

    while (w1 < n && w1 < 9 && isup(v[w1])) {
        w1++;
    }
    if (w1 < 2 || w1 > 8 || v[w1] != '-' || (w1 == 2 && ishex(v[0]) && ishex(v[1]))) {
        return ALONE_JUDGE;
    }
    m = w1 + 1;
    for (k = m; k < n && k - m < 5 && (isup(v[k]) || isdig(v[k])); k++) {
        if (digit == 0 && isdig(v[k])) {
            digit = k;
        }
    }
    if (k - m < 2 || k - m > 4 || k >= n || v[k] != '-' || digit == 0 || !isup(v[m]) ||
        v[m] == 'X' || v[m] == 'Y' || v[m] == 'Z' ||
        (k - m == 4 && isup(v[m + 1]) && isdig(v[m + 2]) && isdig(v[m + 3]))) {
        return ALONE_JUDGE;
    }
    if (n - (k + 1) < 1 || n - (k + 1) > 6) {
        return ALONE_JUDGE;
    }
    for (size_t x = k + 1; x < n; x++) {
        if (!isdig(v[x])) {
            return ALONE_JUDGE;
        }
    }
    for (size_t x = 0; x < digit; x++) {
        if (is_trigger(v[x]) && trigger_acts(v, 0, n, x)) {
            return ALONE_JUDGE;
        }
    }
    if (!e->enabled[VEIL_D_US_DRIVERS_LICENSE]) {
        return 0;
    }
    /* The window as context_window() gives it: lower case (in a window's
       room: context_mask() reads CTX_WINDOW bytes, those past it masked
       off). */
    char win[CTX_WINDOW] = {0};
    for (size_t x = 0; x <= w1; x++) {
        win[x] = (char)lower(v[x]);
    }
    const uint64_t dl = 1ull << VEIL_D_US_DRIVERS_LICENSE;
    return context_mask(e, win, w1 + 1, 0, dl) ? ALONE_JUDGE : dl;
}

_Static_assert(VEIL_D_UK_NHS < 64 && VEIL_D_US_NPI < 64 && VEIL_D_AU_MEDICARE < 64 &&
                   VEIL_D_SE_PERSONNUMMER < 64 && VEIL_D_DE_ID_DOCUMENT < 64 && VEIL_D_PHONE < 64 &&
                   VEIL_D_BR_CPF < 64 && VEIL_D_PL_PESEL < 64 && VEIL_D_TR_TCKN < 64 &&
                   VEIL_D_DE_STEUER_ID < 64 && VEIL_D_IT_PARTITA_IVA < 64 && VEIL_D_AU_ABN < 64 &&
                   VEIL_D_IN_AADHAAR < 64 && VEIL_D_ZA_ID < 64 && VEIL_D_KR_RRN < 64 &&
                   VEIL_D_FR_NIR < 64 && VEIL_D_IMEI < 64 && VEIL_D_DATE_OF_BIRTH < 64 &&
                   VEIL_D_US_DRIVERS_LICENSE < 64,
               "context masks are 64 bits");

static uint64_t alone_context(const veil_engine_t *e, const unsigned char *v, size_t n)
{
    const int low = e->min_confidence <= VEIL_CONF_LOW;

    if (n >= 10 && n <= 19 && isup(v[0])) {
        return code_context(e, v, n);
    }

    if (n == 10 && (v[4] == '-' || v[4] == '/') && v[7] == v[4] && isdig(v[0]) && isdig(v[1]) &&
        isdig(v[2]) && isdig(v[3]) && isdig(v[5]) && isdig(v[6]) && isdig(v[8]) && isdig(v[9])) {
        return 1ull << VEIL_D_DATE_OF_BIRTH;
    }
    /* (digit_fast() cleared 14, 16, 17 and 19 digits from a 2 to a 6
       that fail Luhn: those that reach here pass it) */
    if (n < 10 || n > 19 ||
        (n >= 12 && v[0] >= '2' && v[0] <= '6' && !((1u << n) & ONE_WORD_CASES))) {
        return ALONE_JUDGE;
    }
    for (size_t k = 0; k < n; k++) {
        if (!isdig(v[k])) {
            return ALONE_JUDGE;
        }
    }
    if (n >= 12 && v[0] >= '2' && v[0] <= '6' && veil__valid_luhn((const char *)v, n)) {
        return ALONE_JUDGE;
    }
    switch (n) {
    case 10:
        return 1ull << VEIL_D_UK_NHS | 1ull << VEIL_D_US_NPI | 1ull << VEIL_D_AU_MEDICARE |
               1ull << VEIL_D_SE_PERSONNUMMER | 1ull << VEIL_D_DE_ID_DOCUMENT |
               1ull << VEIL_D_PHONE;
    case 11:
        return low ? ALONE_JUDGE
                   : 1ull << VEIL_D_BR_CPF | 1ull << VEIL_D_PL_PESEL | 1ull << VEIL_D_TR_TCKN |
                         1ull << VEIL_D_DE_STEUER_ID | 1ull << VEIL_D_IT_PARTITA_IVA |
                         1ull << VEIL_D_AU_ABN | 1ull << VEIL_D_AU_MEDICARE | 1ull << VEIL_D_PHONE;
    case 12:
        return 1ull << VEIL_D_IN_AADHAAR | 1ull << VEIL_D_PHONE;
    case 13:
        return low && ids_month_at(v, 0) ? ALONE_JUDGE
                                         : 1ull << VEIL_D_ZA_ID | 1ull << VEIL_D_KR_RRN;
    case 15:
        return 1ull << VEIL_D_FR_NIR | 1ull << VEIL_D_IMEI;
    case 18:
        return ALONE_JUDGE;
    default:
        return 0;
    }
}

/*
 * scan(): the triggers from t->pos on, taken from a mask per 64-byte block
 * (blocks on a grid from where the scan started, so the class bits of a
 * block are computed once). Each goes to its handler, unless a shortcut
 * above says what the handler would do (not in the reference mode).
 */
static void scan(struct veil__text *t, int final)
{
    if (t->eng->custom_re) {
        scan_custom(t, final);
    }
    const unsigned char *b = t->buf;
    size_t n = t->len, i = t->pos;
    size_t mbase = i;  /* the block at mbase holds i */
    uint64_t mask = 0; /* its triggers, when have */
#if VEIL_K_LEVEL >= 1
    uint64_t digits = 0; /* and its digits, when have */
#endif
    int have = 0;
    const int dob = eng_enabled(t, VEIL_D_DATE_OF_BIRTH);
    /* (read once: the handlers' stores may alias it for the compiler) */
    const int shortcuts = !t->reference;
    cls64_t cls[2] = {{SIZE_MAX, 0, 0, 0, 0, 0}, {SIZE_MAX, 0, 0, 0, 0, 0}};

    while (i < n) {
        size_t r;
        if (i - mbase >= 64) {
            mbase += (i - mbase) & ~(size_t)63;
            have = 0;
        }
        if (!have && mbase + 64 <= n) {
            mask = trigger_mask64(b + mbase);
#if VEIL_K_LEVEL >= 1
            digits = digit_mask64(b + mbase);
#endif
            have = 1;
        }
        if (have) {
            uint64_t m = mask & (~0ull << (i - mbase));
            if (m == 0) {
                i = mbase + 64;
                continue;
            }
            i = mbase + (size_t)__builtin_ctzll(m);
        } else {
            i = next_trigger(b, i, n);
            if (i >= n) {
                break;
            }
        }
        /* (a digit from the block's mask: a bit test, not a load of the
           byte and of its class after the trigger's position) */
        if (shortcuts && have && mbase + 128 <= n &&
#if VEIL_K_LEVEL >= 1
            (digits >> (i - mbase) & 1)
#else
            isdig(b[i])
#endif
        ) {
            cls_window(cls, b, mbase);
            if ((r = digit_fast(b, 0, n, 0, dob, cls, i)) != 0) {
                i = r;
                continue;
            }
        }
        r = handle(t, i, final);
        if (r == DEFER) {
            t->pos = i;
            return;
        }
        i = r > i ? r : i + 1;
    }
    t->pos = i < n ? n : i;
}

#include "json_index.h"
#include "names_mask.h"

const veil__kernels_t VEIL_K_TABLE = {
    .level = VEIL_K_LEVEL,
    .text_scan = scan,
    .has_trigger = has_trigger,
    .json_block = json_block,
    .value_needs_scan = value_needs_scan,
    .padded_needs_scan = padded_needs_scan,
    .value_needs_scan_at = value_needs_scan_at,
    .alone_context = alone_context,
    .context_mask = context_mask,
    .names_mask = names_mask,
    .plain_copy = plain_copy,
    .next_blank = next_blank,
};
