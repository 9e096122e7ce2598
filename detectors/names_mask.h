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
 * skips what the mask leaves out (test_names_mask compares them), but the
 * AVX-512 level, whose 64-byte registers make two more rules cheap: it
 * also leaves out what names.c's next_candidate() would pass over at once
 * (four fifths of the candidates of API pages and logs):
 *   - a capital followed by a capital or a digit (an id, a code, an
 *     acronym: no name or street starts there), but in a block's last
 *     byte;
 *   - a digit whose run does not reach, within five digits, a space, a
 *     '+' or a '%' (after a letter, a comma, or both: a looser form of
 *     names.c's number_then_word(), so no house number starts there),
 *     but only in a block's first 56 bytes (the test reads seven bytes
 *     after the digit), at least 17 bytes before the end (the pass waits
 *     for more bytes on a digit nearer), and not where an escape ends one
 *     or two bytes after it ("%4", "%20", "\\n"): a digit that follows
 *     there inside the same run is passed over by the pass only when it
 *     has read this one (names.c's <run>), which it must then still do.
 * The other levels pay for those rules more than the pass saves (a
 * vector compare and a movemask for each class they read).
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
    __m128i digit = in_range16(x, '0', 10);
    __m128i upper = in_range16(x, 'A', 26);
    __m128i letter = in_range16(_mm_or_si128(x, _mm_set1_epi8(0x20)), 'a', 26);
    __m128i glue = _mm_or_si128(_mm_or_si128(_mm_or_si128(nm_eq16(x, ':'), nm_eq16(x, '=')),
                                             _mm_or_si128(nm_eq16(x, '_'), nm_eq16(x, '#'))),
                                in_range16(x, '-', 3));
    o->head |= nm_bits16(_mm_or_si128(upper, in_range16(x, 0xC3, 3))) << at;
    o->digit |= nm_bits16(digit) << at;
    o->word |= nm_bits16(_mm_or_si128(letter, digit)) << at;
    o->high |= nm_bits16(x) << at;
    o->pct |= nm_bits16(nm_eq16(x, '%')) << at;
    o->bsl |= nm_bits16(nm_eq16(x, '\\')) << at;
    o->glue |= nm_bits16(glue) << at;
    o->cjk |= nm_bits16(in_range16(x, 0xE3, 7)) << at;
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
 * so every condition is a vector operation and a block needs one or three
 * movemasks, not ten classes kept as bit masks and shifted: fewer live
 * values than registers, no carry between blocks. A block whose bytes
 * before it lie outside the buffer, or whose end does, is read from a
 * padded copy (nmask_padded()).
 *
 * The byte and the byte before are each classified by a pair of nibble
 * tables, in the manner of simdjson's stage 1: a byte is in a class when
 * the entries of its low and of its high nibble share the class's bit
 * (six instructions for eight classes, where a compare per range took
 * two or three for one).
 */
#if VEIL_K_LEVEL >= 3
typedef __m512i nmv_t;
#define NMV_BYTES 64
#define nmv_load(p) _mm512_loadu_si512((const void *)(p))
#define nmv_and _mm512_and_si512
#define nmv_shuffle _mm512_shuffle_epi8
#define nmv_srl4(v) _mm512_srli_epi16((v), 4)
#elif VEIL_K_LEVEL >= 2
typedef __m256i nmv_t;
#define NMV_BYTES 32
#define nmv_load(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define nmv_eq _mm256_cmpeq_epi8
#define nmv_gt _mm256_cmpgt_epi8
#define nmv_or _mm256_or_si256
#define nmv_and _mm256_and_si256
#define nmv_andnot _mm256_andnot_si256 /* ~a & b */
#define nmv_shuffle _mm256_shuffle_epi8
#define nmv_srl4(v) _mm256_srli_epi16((v), 4)
#define nmv_mask(v) ((uint64_t)(uint32_t)_mm256_movemask_epi8(v))
#define nmv_zero _mm256_setzero_si256
#else
typedef __m128i nmv_t;
#define NMV_BYTES 16
#define nmv_load(p) _mm_loadu_si128((const __m128i *)(const void *)(p))
#define nmv_eq _mm_cmpeq_epi8
#define nmv_gt _mm_cmpgt_epi8
#define nmv_or _mm_or_si128
#define nmv_and _mm_and_si128
#define nmv_andnot _mm_andnot_si128
#define nmv_shuffle _mm_shuffle_epi8
#define nmv_srl4(v) _mm_srli_epi16((v), 4)
#define nmv_mask(v) ((uint64_t)(uint32_t)_mm_movemask_epi8(v))
#define nmv_zero _mm_setzero_si128
#endif

/* The byte's classes: capitals A-O and P-Z (two bits: their low nibbles
   differ), a two-byte Latin letter's lead C3..C5, a digit, small letters
   a-o and p-z and a comma (for the AVX-512 level's rules), and in bit 7
   (which a movemask reads alone) a kanji or kana lead E3..E9. */
enum {
    NC_UP1 = 1,
    NC_UP2 = 2,
    NC_LEAD2 = 4,
    NC_DIGIT = 8,
    NC_LOW1 = 0x10,
    NC_LOW2 = 0x20,
    NC_COMMA = 0x40,
    NC_CJK = 0x80
};
/* The classes of the byte before: letters (high nibble 4 or 6 with low
   1-F, 5 or 7 with low 0-A), digits, bytes >= 0x80 (every low nibble has
   the bit), the glue bytes : - . / _ = # (by high nibble: 2, 3, 5), and in
   bit 7 a line break. */
enum {
    NP_A1 = 1,
    NP_A2 = 2,
    NP_DIGIT = 4,
    NP_HIGH = 8,
    NP_G2 = 0x10,
    NP_G3 = 0x20,
    NP_G5 = 0x40,
    NP_BRK = 0x80,
};

/* The tables and masks, 64 bytes each (SSE reads the first 16), read
   from memory: GCC otherwise builds each again for every block from a
   general register (three instructions a constant, more than the
   classification itself). nmv_consts() hides the table's contents from
   the optimiser, so they are loaded (or used as memory operands). */
enum {
    NT_CUR_LO,
    NT_CUR_HI,
    NT_PREV_LO,
    NT_PREV_HI,
    NT_NIBBLE,
    NT_PCT,
    NT_BSL,
    NT_NL,
    NT_UL,
    NT_DIGIT,
    NT_WORD,
    NT_GLUE,
    NT_UP,
    NT_UD,
    NT_LET,
    NT_COMMA,
    NT_SPACE,
    NT_PLUS,
    NT_COUNT
};
#define NM_X4(...)                                         \
    {                                                      \
        __VA_ARGS__, __VA_ARGS__, __VA_ARGS__, __VA_ARGS__ \
    }
#define NM_ALL(c) NM_X4(c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c)
#define U12 (NC_UP1 | NC_UP2)
#define L1 (NC_UP1 | NC_LOW1)
#define L12 (NC_UP1 | NC_UP2 | NC_LOW1 | NC_LOW2)
#define AD (NP_A1 | NP_A2 | NP_DIGIT | NP_HIGH)
#define AA (NP_A1 | NP_A2 | NP_HIGH)
static const unsigned char nmv_table[NT_COUNT][64] __attribute__((aligned(64))) = {
    [NT_CUR_LO] =
        NM_X4(NC_UP2 | NC_LOW2 | NC_DIGIT, L12 | NC_DIGIT, L12 | NC_DIGIT,
              L12 | NC_LEAD2 | NC_DIGIT | NC_CJK, L12 | NC_LEAD2 | NC_DIGIT | NC_CJK,
              L12 | NC_LEAD2 | NC_DIGIT | NC_CJK, L12 | NC_DIGIT | NC_CJK, L12 | NC_DIGIT | NC_CJK,
              L12 | NC_DIGIT | NC_CJK, L12 | NC_DIGIT | NC_CJK, L12, L1, L1 | NC_COMMA, L1, L1, L1),
    [NT_CUR_HI] = NM_X4(0, 0, NC_COMMA, NC_DIGIT, NC_UP1, NC_UP2, NC_LOW1, NC_LOW2, 0, 0, 0, 0,
                        NC_LEAD2, 0, NC_CJK, 0),
    [NT_PREV_LO] = NM_X4(NP_A2 | NP_DIGIT | NP_HIGH, AD, AD, AD | NP_G2, AD, AD, AD, AD, AD, AD,
                         AA | NP_G3 | NP_BRK, NP_A1 | NP_HIGH, NP_A1 | NP_HIGH,
                         NP_A1 | NP_HIGH | NP_G2 | NP_G3 | NP_BRK, NP_A1 | NP_HIGH | NP_G2,
                         NP_A1 | NP_HIGH | NP_G2 | NP_G5),
    [NT_PREV_HI] = NM_X4(NP_BRK, 0, NP_G2, NP_DIGIT | NP_G3, NP_A1, NP_A2 | NP_G5, NP_A1, NP_A2,
                         NP_HIGH, NP_HIGH, NP_HIGH, NP_HIGH, NP_HIGH, NP_HIGH, NP_HIGH, NP_HIGH),
    [NT_NIBBLE] = NM_ALL(0x0F),
    [NT_PCT] = NM_ALL('%'),
    [NT_BSL] = NM_ALL('\\'),
    [NT_NL] = NM_ALL('\n'),
    [NT_UL] = NM_ALL(U12 | NC_LEAD2),
    [NT_DIGIT] = NM_ALL(NC_DIGIT),
    [NT_WORD] = NM_ALL(NP_A1 | NP_A2 | NP_DIGIT | NP_HIGH),
    [NT_GLUE] = NM_ALL(NP_G2 | NP_G3 | NP_G5),
    [NT_UP] = NM_ALL(U12),
    [NT_UD] = NM_ALL(U12 | NC_DIGIT),
    [NT_LET] = NM_ALL(L12),
    [NT_COMMA] = NM_ALL(NC_COMMA),
    [NT_SPACE] = NM_ALL(' '),
    [NT_PLUS] = NM_ALL('+'),
};
#undef U12
#undef L1
#undef L12
#undef AD
#undef AA

typedef const unsigned char (*nmv_consts_t)[64];

static inline nmv_consts_t nmv_consts(void)
{
    nmv_consts_t tab = nmv_table;
    __asm__("" : "+r"(tab));
    return tab;
}

/* Constant <j> of the table (a load, or a memory operand). */
#define NMV_K(k, j) nmv_load((k)[j])

/* The classes of the bytes <x> by the tables <lo> and <hi>. */
static inline nmv_t nmv_classify(nmv_consts_t k, nmv_t x, int lo, int hi)
{
    nmv_t l = nmv_and(x, NMV_K(k, NT_NIBBLE)), h = nmv_and(nmv_srl4(x), NMV_K(k, NT_NIBBLE));
    return nmv_and(nmv_shuffle(NMV_K(k, lo), l), nmv_shuffle(NMV_K(k, hi), h));
}

#if VEIL_K_LEVEL >= 3
/* The bytes of <x> equal to constant <j>, and those whose classes <t>
   share a bit with it: one instruction each, into a mask register. */
#define NM_EQ(x, j) ((uint64_t)_mm512_cmpeq_epi8_mask((x), NMV_K(k, (j))))
#define NM_TEST(t, j) ((uint64_t)_mm512_test_epi8_mask((t), NMV_K(k, (j))))
#define NM_TOP(x) ((uint64_t)_mm512_movepi8_mask(x))

/* The digits of a block whose run does not reach, within five digits,
   the space, '+' or '%' (after a letter, a comma, or both) a house
   number needs: <reach> marks the bytes after which that holds, then the
   digits before them, one digit further each step. */
static inline uint64_t nm512_no_number(uint64_t dig, uint64_t let, uint64_t comma, uint64_t sp)
{
    uint64_t reach = (sp | ((let | comma) & sp >> 1) | (let & comma >> 1 & sp >> 2)) & ~dig;
    /* (one digit, then two and two: five, in three steps) */
    const uint64_t dig2 = dig & dig >> 1;
    reach |= dig & reach >> 1;
    reach |= dig2 & reach >> 2;
    reach |= dig2 & reach >> 2;
    return dig & ~reach;
}

/* Are the three bytes before <p> neither '%' nor '\\'? */
static inline int nm512_plain3(const unsigned char *p)
{
    unsigned a = p[-1], b = p[-2], c = p[-3];
    return a != '%' && a != '\\' && b != '%' && b != '\\' && c != '%' && c != '\\';
}

/* The candidates of the 64 bytes at <p> (bit k for p[k]) and their
   newlines in *nl (with <lines>); p[-3..-1] are readable. <keep>: the
   bits of the bytes before the end; <late>: of those 17 bytes or more
   before it, where a digit may be left out. */
static inline uint64_t nmv_block(nmv_consts_t k, const unsigned char *p, int lines, uint64_t keep,
                                 uint64_t late, uint64_t *nl)
{
    nmv_t x = nmv_load(p), x1 = nmv_load(p - 1);
    nmv_t cur = nmv_classify(k, x, NT_CUR_LO, NT_CUR_HI);
    nmv_t prev = nmv_classify(k, x1, NT_PREV_LO, NT_PREV_HI);
    uint64_t dig = NM_TEST(cur, NT_DIGIT), pct = NM_EQ(x, NT_PCT);
    uint64_t head = NM_TEST(cur, NT_UL) | (dig & ~NM_TEST(prev, NT_GLUE));
    uint64_t start = (head | pct) & ~NM_TEST(prev, NT_WORD);
    /* The escapes ('%' three back, '\\' two back; and those the digit
       rule below passes over): five compares into mask registers, which
       run on one port only, the block's narrowest. Most blocks have no
       '%' or '\\' in them or the three bytes before, and need none. */
    uint64_t esc = NM_TOP(x1), escaped = 0;
    if (__builtin_expect((pct | NM_EQ(x, NT_BSL)) != 0 || !nm512_plain3(p), 0)) {
        nmv_t x2 = nmv_load(p - 2), x3 = nmv_load(p - 3);
        esc |= NM_EQ(x2, NT_BSL) | NM_EQ(x3, NT_PCT);
        escaped = NM_EQ(x1, NT_PCT) | NM_EQ(x2, NT_PCT) | NM_EQ(x1, NT_BSL);
    }
    /* (bit 7 of <cur>: a kanji or kana lead) */
    uint64_t m = start | (head & esc) | NM_TOP(cur);
    if (lines) {
        *nl = NM_EQ(x, NT_NL);
        m |= *nl & NM_TOP(prev); /* (bit 7 of <prev>: a line break) */
    } else {
        *nl = 0;
    }
    /* A capital that a capital or a digit follows. */
    m &= ~(NM_TEST(cur, NT_UP) & (NM_TEST(cur, NT_UD) & keep) >> 1);
    /* A digit that starts no house number, where the test may say so. */
    uint64_t sp = NM_EQ(x, NT_SPACE) | NM_EQ(x, NT_PLUS) | pct;
    uint64_t drop = nm512_no_number(dig, NM_TEST(cur, NT_LET), NM_TEST(cur, NT_COMMA), sp);
    m &= ~(drop & ~escaped & late & 0x00FFFFFFFFFFFFFFull);
    return m;
}
#undef NM_EQ
#undef NM_TEST
#undef NM_TOP

/* The bits of the bytes of the block at <at> that lie at least 17 bytes
   before <n>. */
static inline uint64_t nmask_late(size_t at, size_t n)
{
    size_t count = n >= at + 17 ? n - 16 - at : 0;
    return count >= 64 ? ~0ull : (1ull << count) - 1;
}
#else
/* The candidates of the NMV_BYTES bytes at <p> (bit k for p[k]) and
   their newlines in *nl (with <lines>); p[-3..-1] are readable. */
static inline uint64_t nmv_block(nmv_consts_t k, const unsigned char *p, int lines, uint64_t *nl)
{
    const nmv_t zero = nmv_zero();
    nmv_t x = nmv_load(p), x1 = nmv_load(p - 1);
    nmv_t cur = nmv_classify(k, x, NT_CUR_LO, NT_CUR_HI);
    nmv_t prev = nmv_classify(k, x1, NT_PREV_LO, NT_PREV_HI);
    /* All ones where the byte before is no letter, digit or byte >= 0x80;
       no glue byte; the byte no capital or lead; no digit. */
    nmv_t no_word1 = nmv_eq(nmv_and(prev, NMV_K(k, NT_WORD)), zero);
    nmv_t no_glue1 = nmv_eq(nmv_and(prev, NMV_K(k, NT_GLUE)), zero);
    nmv_t no_ul = nmv_eq(nmv_and(cur, NMV_K(k, NT_UL)), zero);
    nmv_t no_digit = nmv_eq(nmv_and(cur, NMV_K(k, NT_DIGIT)), zero);
    /* head: a capital, a lead or a digit after no glue byte */
    nmv_t no_head = nmv_andnot(nmv_andnot(no_digit, no_glue1), no_ul);
    nmv_t no_start = nmv_andnot(nmv_eq(x, NMV_K(k, NT_PCT)), no_head);
    nmv_t start = nmv_andnot(no_start, no_word1);
    nmv_t esc = nmv_or(nmv_or(nmv_eq(nmv_load(p - 2), NMV_K(k, NT_BSL)),
                              nmv_eq(nmv_load(p - 3), NMV_K(k, NT_PCT))),
                       nmv_gt(zero, x1));
    /* (bit 7 of <cur>: a kanji or kana lead) */
    uint64_t m = nmv_mask(nmv_or(nmv_or(start, nmv_andnot(no_head, esc)), cur));
    if (lines) {
        nmv_t n = nmv_eq(x, NMV_K(k, NT_NL));
        *nl = nmv_mask(n);
        m |= nmv_mask(nmv_and(n, prev)); /* (bit 7 of <prev>: a line break) */
    } else {
        *nl = 0;
    }
    return m;
}

#endif

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
    nmv_consts_t k = nmv_consts();
    uint64_t m = 0, l = 0;
    uint64_t keep = len == 64 ? ~0ull : (1ull << len) - 1;
#if VEIL_K_LEVEL >= 3
    m = nmv_block(k, pad + 3, lines, keep, nmask_late(at, n), &l);
#else
    for (unsigned h = 0; h < upto; h += NMV_BYTES) {
        uint64_t one;
        m |= nmv_block(k, pad + 3 + h, lines, &one) << h;
        l |= one << h;
    }
#endif
    *nl = l & keep;
    return m & keep;
}
#endif

/*
 * names_mask(): the candidates among the bytes [base, base + 512) of
 * b[0..n) (base < n), in out[j] for the 64 bytes at base + 64 j, bit k
 * for byte base + 64 j + k; bytes past n give no bit. With <lines>, every
 * newline also in nl[j] (out[j] has only those after a line break: a CSV
 * row's newlines are asked for apart, names.c). Bytes before b[0] count
 * as NULs (no class, as a value's start) and as a line break. Eight blocks
 * a call, so the constants stay in registers across them. On the scalar
 * level, <carry> holds what the block before hands on (its last bytes'
 * classes); when it is not of the block just before <base>, those bytes
 * are read again. The vector levels read them again always.
 */
#if VEIL_K_LEVEL >= 1
/* The vector levels' names_mask(), compiled once for each value of
   <lines>, a constant in each copy: the copy without lines (JSON and most
   text) has no newline work left in its loop. */
static inline __attribute__((always_inline)) void
names_mask_vec(const unsigned char *b, size_t base, size_t n, const int lines, int room,
               uint64_t out[VEIL__NMASK_BLOCKS], uint64_t nl[VEIL__NMASK_BLOCKS])
{
    nmv_consts_t k = nmv_consts();
    for (unsigned j = 0; j < VEIL__NMASK_BLOCKS; j++) {
        size_t at = base + 64 * (size_t)j;
        if (at < n && (room || (at >= 3 && at + 64 <= n))) {
            uint64_t m = 0, l = 0;
#if VEIL_K_LEVEL >= 3
            m = nmv_block(k, b + at, lines, n - at >= 64 ? ~0ull : (1ull << (n - at)) - 1,
                          nmask_late(at, n), &l);
#else
            for (unsigned h = 0; h < 64; h += NMV_BYTES) {
                uint64_t one;
                m |= nmv_block(k, b + at + h, lines, &one) << h;
                l |= one << h;
            }
#endif
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
            /* past the bytes (a short value's span): none */
            memset(out + j, 0, (VEIL__NMASK_BLOCKS - j) * sizeof(out[0]));
            memset(nl + j, 0, (VEIL__NMASK_BLOCKS - j) * sizeof(nl[0]));
            break;
        }
    }
}
#endif

static void names_mask(const unsigned char *b, size_t base, size_t n, int lines, int room,
                       veil__ncarry_t *carry, uint64_t out[VEIL__NMASK_BLOCKS],
                       uint64_t nl[VEIL__NMASK_BLOCKS])
{
#if VEIL_K_LEVEL >= 1
    (void)carry;
    if (lines) {
        names_mask_vec(b, base, n, 1, room, out, nl);
    } else {
        names_mask_vec(b, base, n, 0, room, out, nl);
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
