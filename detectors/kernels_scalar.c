/*
 * The scalar kernels (simd.h): text_handlers.h compiled with no vector
 * instructions (detectors/CMakeLists.txt turns them off for this file).
 */
#define VEIL_K_LEVEL 0
#define VEIL_K_TABLE veil__kernels_scalar
#include "text_handlers.h"
