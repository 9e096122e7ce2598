/*
 * Word lists with their lengths, measured by the compiler: a list that
 * is searched per word of the input must not strlen() each entry at each
 * search (e8191e74 measured 2% of a scan in such calls).
 */
#ifndef VEIL_DETECTORS_WORDLIST_H
#define VEIL_DETECTORS_WORDLIST_H

#include <stddef.h>

typedef struct {
    const char *w;
    size_t len;
} veil__word_len_t;

/* An entry of a string literal: VEIL__WL("strasse"). */
#define VEIL__WL(s)      \
    {                    \
        s, sizeof(s) - 1 \
    }

#endif
