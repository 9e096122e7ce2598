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
        CHECK_EQ(k->level, got == VEIL_SIMD_REFERENCE ? VEIL_SIMD_SCALAR : got);
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
    /* digits and ":=@ABJ%-_" */
    CHECK_EQ(triggers, 19);
}

int main(void)
{
    RUN(select_clamps_to_the_cpu);
    RUN(every_level_has_its_kernels);
    RUN(levels_agree_on_trigger_bytes);
    TEST_MAIN_END;
}
