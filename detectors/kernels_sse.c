/*
 * The sse kernels (simd.h): text_handlers.h compiled with SSE4.2,
 * SSSE3 and POPCNT (detectors/CMakeLists.txt sets the flags for this file).
 */
#if defined(__x86_64__)
#define VEIL_K_LEVEL 1
#define VEIL_K_TABLE veil__kernels_sse
#include "text_handlers.h"
#endif
