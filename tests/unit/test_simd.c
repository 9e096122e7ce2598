/*
 * The SIMD dispatch (detectors/simd.h): levels are lowered to what the CPU
 * has, the reference is always there, every level has its kernels, and
 * the levels agree on the trigger bytes of every byte value. (Every engine
 * test runs its cases on every level through engine_harness.h.)
 */
#include "test.h"

#include <stdlib.h>

#include "simd.h"

TEST(select_clamps_to_the_cpu)
{
    int best = veil__simd_best();
    CHECK(best >= VEIL_SIMD_SCALAR && best <= VEIL_SIMD_AVX2);
    CHECK_EQ(veil__simd_select(VEIL_SIMD_SCALAR), VEIL_SIMD_SCALAR);
    CHECK_EQ(veil__simd_level(), VEIL_SIMD_SCALAR);
    CHECK_EQ(veil__simd_select(VEIL_SIMD_REFERENCE), VEIL_SIMD_REFERENCE);
    CHECK_EQ(veil__simd_select(VEIL_SIMD_AVX2), best);
    CHECK_EQ(veil__simd_select(-7), VEIL_SIMD_SCALAR);
    CHECK_EQ(veil__simd_select(99), best);
    veil__simd_select(best);
}

TEST(every_level_has_its_kernels)
{
    int reference = -1;
    for (int level = VEIL_SIMD_SCALAR; level <= VEIL_SIMD_REFERENCE; level++) {
        int got = veil__simd_select(level);
        const veil__kernels_t *k = veil__simd_kernels(&reference);
        CHECK(k != NULL && k->text_scan != NULL && k->has_trigger != NULL);
        CHECK_EQ(reference, level == VEIL_SIMD_REFERENCE);
        CHECK_EQ(k->level, got == VEIL_SIMD_REFERENCE ? veil__simd_best() : got);
    }
    CHECK_STR(veil__simd_name(VEIL_SIMD_SCALAR), "scalar");
    CHECK_STR(veil__simd_name(VEIL_SIMD_SSE), "sse");
    CHECK_STR(veil__simd_name(VEIL_SIMD_AVX2), "avx2");
    CHECK_STR(veil__simd_name(VEIL_SIMD_REFERENCE), "reference");
    veil__simd_select(veil__simd_best());
}

/* Each byte value alone, and at every position of a 100-byte buffer (the
   vector loops' blocks and tails): every level says the same. */
TEST(levels_agree_on_trigger_bytes)
{
    const veil__kernels_t *levels[3] = {&veil__kernels_scalar, NULL, NULL};
#if defined(__x86_64__)
    if (veil__simd_best() >= VEIL_SIMD_SSE) {
        levels[1] = &veil__kernels_sse;
    }
    if (veil__simd_best() >= VEIL_SIMD_AVX2) {
        levels[2] = &veil__kernels_avx2;
    }
#endif
    unsigned char buf[100];
    int triggers = 0;
    for (int c = 0; c < 256; c++) {
        for (size_t at = 0; at < sizeof(buf); at += 33) {
            memset(buf, 'x', sizeof(buf));
            buf[at] = (unsigned char)c;
            int want = levels[0]->has_trigger(buf, sizeof(buf));
            triggers += want && at == 0;
            for (int l = 1; l < 3; l++) {
                if (levels[l] != NULL) {
                    CHECK_EQ(levels[l]->has_trigger(buf, sizeof(buf)), want);
                }
            }
        }
    }
    /* digits and ":=@ABJ%-_", and 0xEF (full-width digits) */
    CHECK_EQ(triggers, 20);
}

/* The JSON index of a buffer, block by block from a clean start, against
   a byte-by-byte walk of the same rules: a quote toggles the string state
   unless escaped; inside a string a backslash escapes the next byte. (The
   index also escapes after backslashes outside strings, where the walker
   never asks: the reference does too.) */
static void index_reference(const unsigned char *p, size_t n, uint64_t *quote, uint64_t *instr)
{
    int in = 0, esc = 0;
    for (size_t k = 0; k < n; k++) {
        uint64_t bit = 1ull << (k % 64);
        if (k % 64 == 0) {
            quote[k / 64] = instr[k / 64] = 0;
        }
        if (esc) {
            esc = 0;
        } else if (p[k] == '\\') {
            esc = 1;
        } else if (p[k] == '"') {
            in = !in;
            quote[k / 64] |= bit;
        }
        /* from an opening quote (included) to its closing one (excluded) */
        if (in) {
            instr[k / 64] |= bit;
        }
    }
}

TEST(json_index_matches_a_byte_walk)
{
    static const char alphabet[] = "\"\\\\a :{}x";
    const veil__kernels_t *levels[3] = {&veil__kernels_scalar, NULL, NULL};
#if defined(__x86_64__)
    if (veil__simd_best() >= VEIL_SIMD_SSE) {
        levels[1] = &veil__kernels_sse;
    }
    if (veil__simd_best() >= VEIL_SIMD_AVX2) {
        levels[2] = &veil__kernels_avx2;
    }
#endif
    uint32_t r = 12345;
    unsigned char buf[64 * 6];
    for (int round = 0; round < 3000; round++) {
        /* mostly runs of one byte: long backslash runs across blocks */
        for (size_t k = 0; k < sizeof(buf);) {
            r = r * 1103515245u + 12345u;
            unsigned char c = (unsigned char)alphabet[(r >> 16) % (sizeof(alphabet) - 1)];
            size_t run = 1 + ((r >> 8) % (round % 3 == 0 ? 70 : 3));
            for (size_t j = 0; j < run && k < sizeof(buf); j++) {
                buf[k++] = c;
            }
        }
        uint64_t q[6], in[6];
        index_reference(buf, sizeof(buf), q, in);
        for (int l = 0; l < 3; l++) {
            if (levels[l] == NULL) {
                continue;
            }
            veil__jcarry_t c = {0, 0};
            for (int b = 0; b < 6; b++) {
                veil__jblock_t out;
                levels[l]->json_block(buf + 64 * b, &c, &out);
                CHECK_EQ(out.quote, q[b]);
                CHECK_EQ(out.instr, in[b]);
            }
        }
    }
}

int main(void)
{
    RUN(select_clamps_to_the_cpu);
    RUN(every_level_has_its_kernels);
    RUN(levels_agree_on_trigger_bytes);
    RUN(json_index_matches_a_byte_walk);
    TEST_MAIN_END;
}
