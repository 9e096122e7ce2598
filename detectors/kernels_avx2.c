/*
 * The avx2 kernels (simd.h): text_handlers.h compiled with AVX2, BMI1,
 * BMI2 and POPCNT (detectors/CMakeLists.txt sets the flags for this file).
 */
#if defined(__x86_64__)
#define VEIL_K_LEVEL 2
#define VEIL_K_TABLE veil__kernels_avx2
#include "text_handlers.h"
#endif
