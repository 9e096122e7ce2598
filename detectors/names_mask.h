/*
 * The names pass's candidate bytes (names.c), 64 at a time, one copy per
 * SIMD level (included by text_handlers.h, so compiled by kernels_<level>.c
 * with that level's flags).
 *
 * A byte is a candidate when it is a newline (CSV lines, when asked), the
 * lead byte of a kanji or kana (E3..E9), or a "head" where a word may start:
 * a capital, a two-byte Latin letter's lead (C3..C5) or a digit that no
 * glue byte (: - . / _ = #) precedes, or a '%', when the byte before is no
 * letter, digit or non-ASCII byte; a head also after a non-ASCII byte, an
 * escape's backslash two back or an escape's '%' three back. names.c checks
 * every candidate again (veil__nword_start()), so the mask only has to
 * keep the pass off the capitals and digits inside ids, hashes and
 * camelCase words; but every level must give the same bits, since the pass
 * skips what the mask leaves out (test_names_mask compares them).
 *
 * Each byte is classified once, in vector registers, into nine 64-bit masks
 * (a bit per byte); the conditions on the one to three bytes before are the
 * same masks shifted by one to three, with the bytes before the block
 * classified alone (in the manner of simdjson's stage 1: classes are bit
 * sets, neighbours are shifts). The SSE2 copy of this pass compared every
 * byte's three predecessors again, about three times the work.
 */
#ifndef VEIL_DETECTORS_NAMES_MASK_H
#define VEIL_DETECTORS_NAMES_MASK_H

#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* The classes of 64 bytes, bit k for byte k. */
typedef struct {
    uint64_t head;  /* A-Z, C3..C5 */
    uint64_t digit; /* 0-9 */
    uint64_t word;  /* A-Z, a-z, 0-9 (non-ASCII: see high) */
    uint64_t high;  /* >= 0x80 */
    uint64_t pct;   /* '%' */
    uint64_t bsl;   /* '\\' */
    uint64_t glue;  /* : - . / _ = # */
    uint64_t cjk;   /* E3..E9 */
    uint64_t nl;    /* '\n' */
    uint64_t cr;    /* '\r' */
} nmask_cls_t;

static inline int nmask_glue(unsigned c)
{
    return c == ':' || c == '-' || c == '.' || c == '/' || c == '_' || c == '=' || c == '#';
}

/* One byte's classes as bit 0 of each mask (the bytes before a block). */
static inline void nmask_byte(unsigned c, nmask_cls_t *o)
{
    o->head = c - 'A' < 26u || c - 0xC3u < 3u;
    o->digit = c - '0' < 10u;
    o->word = (c | 0x20u) - 'a' < 26u || c - '0' < 10u;
    o->high = c >= 0x80;
    o->pct = c == '%';
    o->bsl = c == '\\';
    o->glue = nmask_glue(c);
    o->cjk = c - 0xE3u < 7u;
    o->nl = c == '\n';
    o->cr = c == '\r';
}

#if VEIL_K_LEVEL >= 2
/* Bytes of <x> in [lo, lo + count): moved so the range starts at -128,
   then one signed compare. */
static inline __m256i nm_range32(__m256i x, unsigned char lo, unsigned char count)
{
    __m256i y = _mm256_add_epi8(x, _mm256_set1_epi8((char)(0x80 - lo)));
    return _mm256_cmpgt_epi8(_mm256_set1_epi8((char)(-128 + count)), y);
}

static inline __m256i nm_eq32(__m256i x, char c)
{
    return _mm256_cmpeq_epi8(x, _mm256_set1_epi8(c));
}

static inline uint64_t nm_bits32(__m256i m)
{
    return (uint32_t)_mm256_movemask_epi8(m);
}

/* The classes of the 32 bytes at <p>, into bits <at>..<at> + 31. */
static inline void nmask_classify32(const unsigned char *p, unsigned at, nmask_cls_t *o)
{
    __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)p);
    __m256i digit = nm_range32(x, '0', 10);
    __m256i upper = nm_range32(x, 'A', 26);
    __m256i letter = nm_range32(_mm256_or_si256(x, _mm256_set1_epi8(0x20)), 'a', 26);
    __m256i glue =
        _mm256_or_si256(_mm256_or_si256(_mm256_or_si256(nm_eq32(x, ':'), nm_eq32(x, '=')),
                                        _mm256_or_si256(nm_eq32(x, '_'), nm_eq32(x, '#'))),
                        nm_range32(x, '-', 3)); /* - . / */
    o->head |= nm_bits32(_mm256_or_si256(upper, nm_range32(x, 0xC3, 3))) << at;
    o->digit |= nm_bits32(digit) << at;
    o->word |= nm_bits32(_mm256_or_si256(letter, digit)) << at;
    o->high |= nm_bits32(x) << at;
    o->pct |= nm_bits32(nm_eq32(x, '%')) << at;
    o->bsl |= nm_bits32(nm_eq32(x, '\\')) << at;
    o->glue |= nm_bits32(glue) << at;
    o->cjk |= nm_bits32(nm_range32(x, 0xE3, 7)) << at;
    o->nl |= nm_bits32(nm_eq32(x, '\n')) << at;
    o->cr |= nm_bits32(nm_eq32(x, '\r')) << at;
}
#elif defined(__SSE2__)
static inline __m128i nm_range16(__m128i x, unsigned char lo, unsigned char count)
{
    __m128i y = _mm_add_epi8(x, _mm_set1_epi8((char)(0x80 - lo)));
    return _mm_cmpgt_epi8(_mm_set1_epi8((char)(-128 + count)), y);
}

static inline __m128i nm_eq16(__m128i x, char c)
{
    return _mm_cmpeq_epi8(x, _mm_set1_epi8(c));
}

static inline uint64_t nm_bits16(__m128i m)
{
    return (uint32_t)_mm_movemask_epi8(m);
}

/* The classes of the 16 bytes at <p>, into bits <at>..<at> + 15. */
static inline void nmask_classify16(const unsigned char *p, unsigned at, nmask_cls_t *o)
{
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i digit = nm_range16(x, '0', 10);
    __m128i upper = nm_range16(x, 'A', 26);
    __m128i letter = nm_range16(_mm_or_si128(x, _mm_set1_epi8(0x20)), 'a', 26);
    __m128i glue = _mm_or_si128(_mm_or_si128(_mm_or_si128(nm_eq16(x, ':'), nm_eq16(x, '=')),
                                             _mm_or_si128(nm_eq16(x, '_'), nm_eq16(x, '#'))),
                                nm_range16(x, '-', 3));
    o->head |= nm_bits16(_mm_or_si128(upper, nm_range16(x, 0xC3, 3))) << at;
    o->digit |= nm_bits16(digit) << at;
    o->word |= nm_bits16(_mm_or_si128(letter, digit)) << at;
    o->high |= nm_bits16(x) << at;
    o->pct |= nm_bits16(nm_eq16(x, '%')) << at;
    o->bsl |= nm_bits16(nm_eq16(x, '\\')) << at;
    o->glue |= nm_bits16(glue) << at;
    o->cjk |= nm_bits16(nm_range16(x, 0xE3, 7)) << at;
    o->nl |= nm_bits16(nm_eq16(x, '\n')) << at;
    o->cr |= nm_bits16(nm_eq16(x, '\r')) << at;
}
#endif

/* The classes of the 64 bytes at <p> (all readable). */
static inline void nmask_classify64(const unsigned char *p, nmask_cls_t *o)
{
    memset(o, 0, sizeof(*o)); /* (registers: the compiler folds it in) */
#if VEIL_K_LEVEL >= 2
    nmask_classify32(p, 0, o);
    nmask_classify32(p + 32, 32, o);
#elif defined(__SSE2__)
    for (unsigned g = 0; g < 4; g++) {
        nmask_classify16(p + 16 * g, 16 * g, o);
    }
#else
    for (unsigned k = 0; k < 64; k++) {
        nmask_cls_t one;
        nmask_byte(p[k], &one);
        o->head |= one.head << k;
        o->digit |= one.digit << k;
        o->word |= one.word << k;
        o->high |= one.high << k;
        o->pct |= one.pct << k;
        o->bsl |= one.bsl << k;
        o->glue |= one.glue << k;
        o->cjk |= one.cjk << k;
        o->nl |= one.nl << k;
        o->cr |= one.cr << k;
    }
#endif
}

/* A block at the end of the bytes: classified from a copy padded with
   NULs (kept out of names_mask() so its frame needs no buffer). */
static __attribute__((noinline)) void nmask_classify_tail(const unsigned char *p, size_t len,
                                                          nmask_cls_t *o)
{
    unsigned char pad[64];
    memset(pad, 0, sizeof(pad));
    memcpy(pad, p, len);
    nmask_classify64(pad, o);
}

/* The candidates of one block from its classes and the classes of the
   bytes before it (<carry>, then updated for the next block); its
   newlines in *nl (with <lines>). */
static inline uint64_t nmask_block(const nmask_cls_t *c, veil__ncarry_t *carry, int lines,
                                   uint64_t *nl)
{
    /* Masks of the byte one, two and three before each byte. */
    uint64_t high1 = c->high << 1 | carry->high1;
    uint64_t word1 = (c->word | c->high) << 1 | carry->word1;
    uint64_t glue1 = c->glue << 1 | carry->glue1;
    uint64_t bsl2 = c->bsl << 2 | carry->bsl2, pct3 = c->pct << 3 | carry->pct3;
    uint64_t brk1 = (c->nl | c->cr) << 1 | carry->brk1;

    carry->word1 = (c->word | c->high) >> 63;
    carry->glue1 = c->glue >> 63;
    carry->high1 = c->high >> 63;
    carry->bsl2 = c->bsl >> 62;
    carry->pct3 = c->pct >> 61;
    carry->brk1 = (c->nl | c->cr) >> 63;

    uint64_t head = c->head | (c->digit & ~glue1);
    uint64_t start = (head | c->pct) & ~word1;
    uint64_t esc = bsl2 | pct3 | high1;
    *nl = lines ? c->nl : 0;
    /* Of the newlines, only those that end a blank line (after '\n' or
       '\r', or at the bytes' start) can start a CSV table; the others
       matter only inside one (names.c asks for them then). */
    return start | (head & esc) | c->cjk | (*nl & brk1);
}

/*
 * names_mask(): the candidates among the bytes [base, base + 256) of
 * b[0..n) (base < n), in out[j] for the 64 bytes at base + 64 j, bit k
 * for byte base + 64 j + k; bytes past n give no bit. With <lines>, every
 * newline also in nl[j] (out[j] has only those after a line break: a CSV
 * row's newlines are asked for apart, names.c). Bytes before b[0] count
 * as NULs (no class, as a value's start) and as a line break. <carry>
 * holds what the block before hands on (its last bytes' classes); when
 * it is not of the block just before <base>, those bytes are read again.
 * Four blocks a call, so the constants and the carry stay in registers
 * across them.
 */
static void names_mask(const unsigned char *b, size_t base, size_t n, int lines,
                       veil__ncarry_t *carry, uint64_t out[VEIL__NMASK_BLOCKS],
                       uint64_t nl[VEIL__NMASK_BLOCKS])
{
    if (carry->next != base || base == 0) {
        unsigned q1 = base >= 1 ? b[base - 1] : 0, q2 = base >= 2 ? b[base - 2] : 0;
        unsigned q3 = base >= 3 ? b[base - 3] : 0;
        carry->word1 = (q1 | 0x20u) - 'a' < 26u || q1 - '0' < 10u || q1 >= 0x80;
        carry->glue1 = nmask_glue(q1);
        carry->high1 = q1 >= 0x80;
        carry->bsl2 = (uint64_t)(q2 == '\\') | (uint64_t)(q1 == '\\') << 1;
        carry->pct3 =
            (uint64_t)(q3 == '%') | (uint64_t)(q2 == '%') << 1 | (uint64_t)(q1 == '%') << 2;
        carry->brk1 = base == 0 || q1 == '\n' || q1 == '\r';
    }
    for (unsigned j = 0; j < VEIL__NMASK_BLOCKS; j++) {
        size_t at = base + 64 * (size_t)j;
        nmask_cls_t c;
        if (at + 64 <= n) {
            nmask_classify64(b + at, &c);
            out[j] = nmask_block(&c, carry, lines, &nl[j]);
        } else if (at < n) {
            uint64_t keep = (1ull << (n - at)) - 1;
            nmask_classify_tail(b + at, n - at, &c);
            out[j] = nmask_block(&c, carry, lines, &nl[j]) & keep;
            nl[j] &= keep;
        } else {
            out[j] = nl[j] = 0;
        }
    }
    carry->next = base + 64 * VEIL__NMASK_BLOCKS;
}

#endif
