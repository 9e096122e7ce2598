/*
 * Word lists with their lengths, measured by the compiler: a list that
 * is searched per word of the input must not strlen() each entry at each
 * search (e8191e74 measured 2% of a scan in such calls).
 */
#ifndef VEIL_DETECTORS_WORDLIST_H
#define VEIL_DETECTORS_WORDLIST_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *w;
    size_t len;
} veil__word_len_t;

/* An entry of a string literal: VEIL__WL("strasse"). */
#define VEIL__WL(s)      \
    {                    \
        s, sizeof(s) - 1 \
    }

/*
 * The first slot of a word's 32-bit hash (the high half of
 * veil__fold_hash()) in an open-addressing table of 2^bits slots, by
 * Fibonacci hashing, which spreads whatever bits of the hash vary: with
 * the FNV-1a hash used before, bits 32..39 barely saw a word's last
 * letter, and tables indexed by them had runs of eight probes a lookup.
 */
static inline size_t veil__wl_slot(uint32_t h, unsigned bits)
{
    return (size_t)((h * 0x9E3779B1u) >> (32 - bits));
}

#endif
