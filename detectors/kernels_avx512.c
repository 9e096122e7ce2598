/*
 * The avx512 kernels (simd.h): text_handlers.h compiled with AVX-512 F,
 * BW and VL besides AVX2, BMI1, BMI2 and POPCNT (detectors/CMakeLists.txt
 * sets the flags for this file). The names pass's mask (names_mask.h),
 * the trigger bytes, the text layer's byte classes and the JSON index's
 * raw masks (classes512.h) classify 64 bytes a register; every other
 * kernel is AVX2's code.
 */
#if defined(__x86_64__)
#define VEIL_K_LEVEL 3
#define VEIL_K_TABLE veil__kernels_avx512
#include "text_handlers.h"
#endif
