/*
 * Which kernels the engine runs: the best the CPU has, chosen once, or a
 * lower level named by VEIL_SIMD (see simd.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "simd.h"

static const char *const names[] = {"scalar", "sse", "avx2", "avx512", "reference"};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int best = VEIL_SIMD_SCALAR;
static int chosen = VEIL_SIMD_SCALAR;

static const veil__kernels_t *table(int level)
{
    switch (level) {
#if defined(__x86_64__)
    case VEIL_SIMD_AVX512:
        return &veil__kernels_avx512;
    case VEIL_SIMD_AVX2:
        return &veil__kernels_avx2;
    case VEIL_SIMD_SSE:
        return &veil__kernels_sse;
#endif
    default:
        return &veil__kernels_scalar;
    }
}

static int cpu_best(void)
{
#if defined(__x86_64__)
    __builtin_cpu_init();
    int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
               __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("popcnt");
    if (avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl")) {
        return VEIL_SIMD_AVX512;
    }
    if (avx2) {
        return VEIL_SIMD_AVX2;
    }
    if (__builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("ssse3") &&
        __builtin_cpu_supports("popcnt")) {
        return VEIL_SIMD_SSE;
    }
#endif
    return VEIL_SIMD_SCALAR;
}

/* A level no higher than the CPU's best; the reference is always there. */
static int clamp(int level)
{
    if (level == VEIL_SIMD_REFERENCE) {
        return level;
    }
    return level < VEIL_SIMD_SCALAR ? VEIL_SIMD_SCALAR : level > best ? best : level;
}

static void init(void)
{
    const char *v = getenv("VEIL_SIMD");

    best = cpu_best();
    chosen = best;
    for (int k = 0; v != NULL && k <= VEIL_SIMD_REFERENCE; k++) {
        if (strcmp(v, names[k]) == 0) {
            chosen = clamp(k);
        }
    }
}

int veil__simd_best(void)
{
    pthread_once(&once, init);
    return best;
}

int veil__simd_level(void)
{
    pthread_once(&once, init);
    return chosen;
}

int veil__simd_select(int level)
{
    pthread_once(&once, init);
    chosen = clamp(level);
    return chosen;
}

const veil__kernels_t *veil__simd_kernels(int *reference)
{
    int level = veil__simd_level();
    *reference = level == VEIL_SIMD_REFERENCE;
    /* The reference differs by its logic, not its instructions: it runs
       on the best level's kernels (their masks agree on every byte). */
    return table(*reference ? best : level);
}

const char *veil__simd_name(int level)
{
    return level >= 0 && level <= VEIL_SIMD_REFERENCE ? names[level] : "unknown";
}
