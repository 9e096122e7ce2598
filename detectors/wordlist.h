/*
 * Word lists with their lengths, measured by the compiler: a list that
 * is searched per word of the input must not strlen() each entry at each
 * search (e8191e74 measured 2% of a scan in such calls).
 */
#ifndef VEIL_DETECTORS_WORDLIST_H
#define VEIL_DETECTORS_WORDLIST_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

/* The last <r> (1-7) of the <n> bytes at <s>, as the low bytes of a
   word (the first of them lowest), read without a byte outside s[0..n):
   one load of eight ending at s + n where there are eight, else two of
   four that overlap, else three bytes. The tail of a key or a word
   hashed or compared eight bytes at a time (keys.c, names_fold.h). */
static inline uint64_t veil__load_tail(const char *s, size_t n, size_t r)
{
    const unsigned char *u = (const unsigned char *)s + n - r;
    if (n >= 8) {
        uint64_t t;
        memcpy(&t, s + n - 8, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        t = __builtin_bswap64(t);
#endif
        return t >> (8 * (8 - r));
    }
    if (r >= 4) {
        /* two loads of four that overlap: the shared bytes are equal */
        uint32_t lo, hi;
        memcpy(&lo, u, 4);
        memcpy(&hi, u + r - 4, 4);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        lo = __builtin_bswap32(lo);
        hi = __builtin_bswap32(hi);
#endif
        return lo | (uint64_t)hi << (8 * (r - 4));
    }
    return u[0] | (uint64_t)u[r / 2] << (8 * (r / 2)) | (uint64_t)u[r - 1] << (8 * (r - 1));
}

#endif
