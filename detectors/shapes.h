/*
 * The validators' lists of layouts ("dddddd-ddddddd"): their length, taken
 * when compiling, so that a loop over a list unrolls into one test per
 * literal (validators.c's match_shapes(), validators_ids.c's fit_any()).
 */
#ifndef VEIL_DETECTORS_SHAPES_H
#define VEIL_DETECTORS_SHAPES_H

/* The number of shapes of the NULL-terminated static array <a>; a pointer
   does not compile (its sizeof would count no shape). */
#define SHAPES_COUNT(a)                                                                    \
    (sizeof(a) / sizeof((a)[0]) - 1 +                                                      \
     0 * sizeof(struct {                                                                   \
         _Static_assert(!__builtin_types_compatible_p(__typeof__(a), __typeof__(&(a)[0])), \
                        "a list of shapes is an array");                                   \
         char c;                                                                           \
     }))

#endif
