/*
 * The AVX-512 level's classifications of 64 bytes in one register:
 * trigger bytes (text_handlers.h's trigger_mask64()), the text layer's
 * byte classes (classify64()) and the JSON index's raw masks
 * (json_index.h's json_masks()). The tables are every level's
 * (nibble_tables.h), each repeated in the register's four lanes (a byte
 * shuffle looks up within its lane); a class is a compare or a test into
 * a mask register, which is the bit mask itself: no movemask, no shifts
 * of class bits into the top bit, and one register where AVX2 needs two
 * halves. Every level gives the same bits (test_simd compares them).
 *
 * Included by text_handlers.h on the AVX-512 level only.
 */
#ifndef VEIL_DETECTORS_CLASSES512_H
#define VEIL_DETECTORS_CLASSES512_H

#if VEIL_K_LEVEL < 3
#error "classes512.h is the AVX-512 level's"
#endif

#include <immintrin.h>
#include <stdint.h>

#include "nibble_tables.h"

enum {
    C5_NIBBLE,
    C5_TRIG_LO,
    C5_TRIG_HI,
    C5_CLS_LO,
    C5_CLS_HI,
    C5_GP,
    C5_QUOTE,
    C5_BSL,
    C5_SPACE,
    C5_TAB,
    C5_NL,
    C5_CR,
    C5_PLUS,
    C5_PCT,
    C5_CTL,
    C5_CTL_END,
    C5_C1,
    C5_DIG,
    C5_ALN,
    C5_LOW,
    C5_SEP,
    C5_JOIN,
    C5_COUNT
};
#define C5_X4(...)                                         \
    {                                                      \
        __VA_ARGS__, __VA_ARGS__, __VA_ARGS__, __VA_ARGS__ \
    }
#define C5_ALL(c) C5_X4(c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c)
static const unsigned char c5_table[C5_COUNT][64] __attribute__((aligned(64))) = {
    [C5_NIBBLE] = C5_ALL(0x0f),
    [C5_TRIG_LO] = C5_X4(TRIG_LO),
    [C5_TRIG_HI] = C5_X4(TRIG_HI),
    [C5_CLS_LO] = C5_X4(CLS_LO),
    [C5_CLS_HI] = C5_X4(CLS_HI),
    [C5_GP] = C5_X4(GAP_PUNCT),
    [C5_QUOTE] = C5_ALL('"'),
    [C5_BSL] = C5_ALL('\\'),
    [C5_SPACE] = C5_ALL(' '),
    [C5_TAB] = C5_ALL('\t'),
    [C5_NL] = C5_ALL('\n'),
    [C5_CR] = C5_ALL('\r'),
    [C5_PLUS] = C5_ALL('+'),
    [C5_PCT] = C5_ALL('%'),
    [C5_CTL] = C5_ALL(0x80 - '\t'),
    [C5_CTL_END] = C5_ALL(0x85), /* -123 */
    [C5_C1] = C5_ALL(0xC1),
    /* classify64()'s class bits */
    [C5_DIG] = C5_ALL(0x01),
    [C5_ALN] = C5_ALL(0x1f),
    [C5_LOW] = C5_ALL(0x18),
    [C5_SEP] = C5_ALL(0x20),
    [C5_JOIN] = C5_ALL(0xc0),
};
#undef C5_X4
#undef C5_ALL

/* The table, hidden from the optimiser: GCC otherwise builds each
   constant again from a general register at every use (names_mask.h). */
typedef const unsigned char (*c5_consts_t)[64];
static inline c5_consts_t c5_consts(void)
{
    c5_consts_t tab = c5_table;
    __asm__("" : "+r"(tab));
    return tab;
}
#define C5(k, j) _mm512_load_si512((const void *)(k)[j])

/* The bytes of <v> classified by the nibble tables <lo> and <hi>. */
static inline __m512i c5_classify(c5_consts_t k, __m512i v, int lo, int hi)
{
    __m512i l = _mm512_and_si512(v, C5(k, C5_NIBBLE));
    __m512i h = _mm512_and_si512(_mm512_srli_epi16(v, 4), C5(k, C5_NIBBLE));
    return _mm512_and_si512(_mm512_shuffle_epi8(C5(k, lo), l), _mm512_shuffle_epi8(C5(k, hi), h));
}

/* trigger_mask64() of the 64 bytes at <b>. */
static inline uint64_t trigger_mask512(const unsigned char *b)
{
    c5_consts_t k = c5_consts();
    __m512i m = c5_classify(k, _mm512_loadu_si512((const void *)b), C5_TRIG_LO, C5_TRIG_HI);
    return (uint64_t)_mm512_test_epi8_mask(m, m);
}

/* classify64()'s five classes of the 64 bytes at <b>: class bit 0 digits,
   bits 0-4 alphanumerics, 3-4 lower case, 5 separators, 6-7 joiners. */
static inline void classify512(const unsigned char *b, uint64_t *dig, uint64_t *aln, uint64_t *low,
                               uint64_t *sep, uint64_t *join)
{
    c5_consts_t k = c5_consts();
    __m512i cl = c5_classify(k, _mm512_loadu_si512((const void *)b), C5_CLS_LO, C5_CLS_HI);
    *dig = (uint64_t)_mm512_test_epi8_mask(cl, C5(k, C5_DIG));
    *aln = (uint64_t)_mm512_test_epi8_mask(cl, C5(k, C5_ALN));
    *low = (uint64_t)_mm512_test_epi8_mask(cl, C5(k, C5_LOW));
    *sep = (uint64_t)_mm512_test_epi8_mask(cl, C5(k, C5_SEP));
    *join = (uint64_t)_mm512_test_epi8_mask(cl, C5(k, C5_JOIN));
}

/* json_masks() of the 64 bytes at <p>. */
static inline void json_masks512(const unsigned char *p, uint64_t *qt, uint64_t *bs, uint64_t *ws,
                                 uint64_t *nsp, uint64_t *raw, uint64_t *gp)
{
    c5_consts_t k = c5_consts();
    __m512i v = _mm512_loadu_si512((const void *)p);
    __m512i lo = _mm512_and_si512(v, C5(k, C5_NIBBLE));
    uint64_t sp = _mm512_cmpeq_epi8_mask(v, C5(k, C5_SPACE));
    uint64_t pct = _mm512_cmpeq_epi8_mask(v, C5(k, C5_PCT));
    uint64_t b = _mm512_cmpeq_epi8_mask(v, C5(k, C5_BSL));
    /* \t..\r moved to -128..-124 (signed), below -123 */
    uint64_t ctl = _mm512_cmpgt_epi8_mask(C5(k, C5_CTL_END), _mm512_add_epi8(v, C5(k, C5_CTL)));
    uint64_t all_high = _mm512_movepi8_mask(v);
    /* above C1 signed: 0..7F and C2..FF; with the top bit, C2..FF */
    uint64_t high = all_high & _mm512_cmpgt_epi8_mask(v, C5(k, C5_C1));
    *qt = _mm512_cmpeq_epi8_mask(v, C5(k, C5_QUOTE));
    *bs = b;
    *ws = sp | _mm512_cmpeq_epi8_mask(v, C5(k, C5_TAB)) | _mm512_cmpeq_epi8_mask(v, C5(k, C5_NL)) |
          _mm512_cmpeq_epi8_mask(v, C5(k, C5_CR));
    *nsp = sp | ctl | _mm512_cmpeq_epi8_mask(v, C5(k, C5_PLUS)) | pct | high | b;
    *raw = all_high | pct;
    *gp = _mm512_cmpeq_epi8_mask(_mm512_shuffle_epi8(C5(k, C5_GP), lo), v);
}

#undef C5

#endif
