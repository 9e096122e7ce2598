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

#if VEIL_K_LEVEL == 0
#if defined(__SSE2__)
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
#if defined(__SSE2__)
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

#endif /* VEIL_K_LEVEL == 0 */

#if VEIL_K_LEVEL >= 1
/*
 * The SSE and AVX2 levels: the bytes one to three before each byte are
 * loaded again from one to three bytes back (unaligned loads are cheap),
 * so every condition is a vector operation and a block needs two
 * movemasks, not ten classes kept as bit masks and shifted: fewer live
 * values than registers, no carry between blocks. A block whose bytes
 * before it lie outside the buffer, or whose end does, is read from a
 * padded copy (nmask_padded()).
 */
#if VEIL_K_LEVEL >= 2
typedef __m256i nmv_t;
#define NMV_BYTES 32
#define nmv_load(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define nmv_eq _mm256_cmpeq_epi8
#define nmv_gt _mm256_cmpgt_epi8
#define nmv_add _mm256_add_epi8
#define nmv_or _mm256_or_si256
#define nmv_and _mm256_and_si256
#define nmv_andnot _mm256_andnot_si256 /* ~a & b */
#define nmv_shuffle _mm256_shuffle_epi8
#define nmv_mask(v) ((uint64_t)(uint32_t)_mm256_movemask_epi8(v))
#define nmv_zero _mm256_setzero_si256
#else
typedef __m128i nmv_t;
#define NMV_BYTES 16
#define nmv_load(p) _mm_loadu_si128((const __m128i *)(const void *)(p))
#define nmv_eq _mm_cmpeq_epi8
#define nmv_gt _mm_cmpgt_epi8
#define nmv_add _mm_add_epi8
#define nmv_or _mm_or_si128
#define nmv_and _mm_and_si128
#define nmv_andnot _mm_andnot_si128
#define nmv_shuffle _mm_shuffle_epi8
#define nmv_mask(v) ((uint64_t)(uint32_t)_mm_movemask_epi8(v))
#define nmv_zero _mm_setzero_si128
#endif

/* The constants, read from memory: GCC otherwise builds each again for
   every block from a general register (three instructions a constant,
   more than the classification itself). nmv_consts() hides the table's
   contents from the optimiser, so they are loaded (or used as memory
   operands) instead. */
#define NM_B8(c) (long long)(0x0101010101010101ull * (unsigned char)(c))
#if VEIL_K_LEVEL >= 2
#define NM_K(c)                                \
    {                                          \
        NM_B8(c), NM_B8(c), NM_B8(c), NM_B8(c) \
    }
#define NM_K2(lo, hi)                                                      \
    {                                                                      \
        (long long)(lo), (long long)(hi), (long long)(lo), (long long)(hi) \
    }
#else
#define NM_K(c)            \
    {                      \
        NM_B8(c), NM_B8(c) \
    }
#define NM_K2(lo, hi)                    \
    {                                    \
        (long long)(lo), (long long)(hi) \
    }
#endif
/* A range [lo, lo + count) as the two constants of one signed compare:
   the bytes moved so the range starts at -128, and its end. */
#define NM_RANGE(lo, count) NM_K(0x80 - (lo)), NM_K(-128 + (count))

typedef struct {
    nmv_t digit[2], upper[2], lead2[2], letter[2], cjk[2];
    nmv_t bit20, pct, bsl, nl, cr, nibble, glue1, glue2;
} nmv_consts_t;

static const nmv_consts_t nmv_table = {
    .digit = {NM_RANGE('0', 10)},
    .upper = {NM_RANGE('A', 26)},
    .lead2 = {NM_RANGE(0xC3, 3)},
    .letter = {NM_RANGE('a', 26)},
    .cjk = {NM_RANGE(0xE3, 7)},
    .bit20 = NM_K(0x20),
    .pct = NM_K('%'),
    .bsl = NM_K('\\'),
    .nl = NM_K('\n'),
    .cr = NM_K('\r'),
    .nibble = NM_K(0x0F),
    /* Glue bytes (: - . / _ = #) by the low nibble: each table holds the
       glue byte with that nibble (two share D and F); a byte is glue when
       it equals its nibble's entry. An entry that is no glue byte holds a
       byte whose nibble is not its own, so never equals. */
    .glue1 = NM_K2(0x23000001, 0x2f2e2d00003a0000ull), /* # : - . / */
    .glue2 = NM_K2(0x1, 0x5f003d0000000000ull),        /* = _ */
};

static inline const nmv_consts_t *nmv_consts(void)
{
    const nmv_consts_t *k = &nmv_table;
    __asm__("" : "+r"(k));
    return k;
}

/* Bytes in the range <r> (NM_RANGE). */
static inline nmv_t nmv_in(nmv_t x, const nmv_t r[2])
{
    return nmv_gt(r[1], nmv_add(x, r[0]));
}

/* A glue byte (: - . / _ = #). */
static inline nmv_t nmv_glue(const nmv_consts_t *k, nmv_t x)
{
    nmv_t lo = nmv_and(x, k->nibble);
    return nmv_or(nmv_eq(nmv_shuffle(k->glue1, lo), x), nmv_eq(nmv_shuffle(k->glue2, lo), x));
}

/* A letter, a digit or a byte >= 0x80 (a word goes on through it). */
static inline nmv_t nmv_word(const nmv_consts_t *k, nmv_t x)
{
    return nmv_or(nmv_or(nmv_in(nmv_or(x, k->bit20), k->letter), nmv_in(x, k->digit)),
                  nmv_gt(nmv_zero(), x));
}

/* The candidates of the NMV_BYTES bytes at <p> (bit k for p[k]) and
   their newlines in *nl (with <lines>); p[-3..-1] are readable. */
static inline uint64_t nmv_block(const nmv_consts_t *k, const unsigned char *p, int lines,
                                 uint64_t *nl)
{
    nmv_t x = nmv_load(p), x1 = nmv_load(p - 1);
    nmv_t x2 = nmv_load(p - 2), x3 = nmv_load(p - 3);
    nmv_t digit = nmv_in(x, k->digit);
    nmv_t head = nmv_or(nmv_or(nmv_in(x, k->upper), nmv_in(x, k->lead2)),
                        nmv_andnot(nmv_glue(k, x1), digit));
    nmv_t start = nmv_andnot(nmv_word(k, x1), nmv_or(head, nmv_eq(x, k->pct)));
    nmv_t esc = nmv_or(nmv_or(nmv_eq(x2, k->bsl), nmv_eq(x3, k->pct)), nmv_gt(nmv_zero(), x1));
    nmv_t cand = nmv_or(nmv_or(start, nmv_and(head, esc)), nmv_in(x, k->cjk));
    uint64_t m = nmv_mask(cand);
    if (lines) {
        nmv_t n = nmv_eq(x, k->nl);
        nmv_t brk1 = nmv_or(nmv_eq(x1, k->nl), nmv_eq(x1, k->cr));
        *nl = nmv_mask(n);
        m |= nmv_mask(nmv_and(n, brk1));
    } else {
        *nl = 0;
    }
    return m;
}

/* The 64 bytes at b[at] (at + 64 may pass n), read from a copy with the
   three bytes before them: NULs before the buffer, and the byte just
   before b[0] a line break (no class but that). Only the vector groups
   that hold bytes are read (most texts here are a short value or a
   head). */
static __attribute__((noinline)) uint64_t nmask_padded(const unsigned char *b, size_t at, size_t n,
                                                       int lines, uint64_t *nl)
{
    unsigned char pad[3 + 64] __attribute__((aligned(16)));
    size_t len = n - at < 64 ? n - at : 64;
    size_t upto = (len + NMV_BYTES - 1) / NMV_BYTES * NMV_BYTES;
    for (size_t k = 1; k <= 3; k++) {
        pad[3 - k] = at >= k ? b[at - k] : at + 1 == k ? '\n' : 0;
    }
    memcpy(pad + 3, b + at, len);
    memset(pad + 3 + len, 0, upto - len);
    const nmv_consts_t *k = nmv_consts();
    uint64_t m = 0, l = 0;
    for (unsigned h = 0; h < upto; h += NMV_BYTES) {
        uint64_t one;
        m |= nmv_block(k, pad + 3 + h, lines, &one) << h;
        l |= one << h;
    }
    uint64_t keep = len == 64 ? ~0ull : (1ull << len) - 1;
    *nl = l & keep;
    return m & keep;
}
#endif

/*
 * names_mask(): the candidates among the bytes [base, base + 256) of
 * b[0..n) (base < n), in out[j] for the 64 bytes at base + 64 j, bit k
 * for byte base + 64 j + k; bytes past n give no bit. With <lines>, every
 * newline also in nl[j] (out[j] has only those after a line break: a CSV
 * row's newlines are asked for apart, names.c). Bytes before b[0] count
 * as NULs (no class, as a value's start) and as a line break. Four blocks
 * a call, so the constants stay in registers across them. On the scalar
 * level, <carry> holds what the block before hands on (its last bytes'
 * classes); when it is not of the block just before <base>, those bytes
 * are read again. The vector levels read them again always.
 */
static void names_mask(const unsigned char *b, size_t base, size_t n, int lines, int room,
                       veil__ncarry_t *carry, uint64_t out[VEIL__NMASK_BLOCKS],
                       uint64_t nl[VEIL__NMASK_BLOCKS])
{
#if VEIL_K_LEVEL >= 1
    const nmv_consts_t *k = nmv_consts();
    (void)carry;
    for (unsigned j = 0; j < VEIL__NMASK_BLOCKS; j++) {
        size_t at = base + 64 * (size_t)j;
        if (at < n && (room || (at >= 3 && at + 64 <= n))) {
            uint64_t m = 0, l = 0;
            for (unsigned h = 0; h < 64; h += NMV_BYTES) {
                uint64_t one;
                m |= nmv_block(k, b + at + h, lines, &one) << h;
                l |= one << h;
            }
            if (__builtin_expect(at == 0 || n - at < 64, 0)) {
                /* the byte before b[0] counts as a line break; no byte
                   past n gives a bit */
                m |= at == 0 ? l & 1 : 0;
                uint64_t keep = n - at >= 64 ? ~0ull : (1ull << (n - at)) - 1;
                m &= keep;
                l &= keep;
            }
            out[j] = m;
            nl[j] = l;
        } else if (at < n) {
            out[j] = nmask_padded(b, at, n, lines, &nl[j]);
        } else {
            out[j] = nl[j] = 0;
        }
    }
#else
    (void)room;
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
#endif
}

#endif
