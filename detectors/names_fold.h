/*
 * Folding of a word for the person-name dictionary: lower case, accents
 * dropped (Latin-1 Supplement and Latin Extended-A), the typographic
 * apostrophe as the ASCII one. The build's table generator
 * (detectors/data/gen_names.c) and the scan (names.c) use this one
 * function, so a word and its dictionary entry fold alike.
 */
#ifndef VEIL_DETECTORS_NAMES_FOLD_H
#define VEIL_DETECTORS_NAMES_FOLD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wordlist.h"

/* Base letters of U+00C0..U+00FF; '*' for the two that are no letters,
   '1', '2' and '4' for the ones that fold to two letters (see below). */
static const char veil__fold_c3[65] = "aaaaaa1ceeeeiiiidnooooo*ouuuuy24"
                                      "aaaaaa1ceeeeiiiidnooooo*ouuuuy2y";
/* Base letters of U+0100..U+017F ('3' for the ligature OE). */
static const char veil__fold_c45[129] =
    "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiiijjkkkllllllllllnnnnnnnnnoooooo33rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";

/* The base letter(s) of the two-byte letter <b0 b1>: writes them to <out>
   and returns their count, or 0 when it is no letter the table knows. */
static inline size_t veil__fold2(unsigned char b0, unsigned char b1, char out[2])
{
    char c;
    if ((b1 & 0xC0) != 0x80) {
        return 0;
    }
    if (b0 == 0xC3) {
        c = veil__fold_c3[b1 & 0x3F];
    } else if (b0 == 0xC4 || b0 == 0xC5) {
        c = veil__fold_c45[((b0 & 1) << 6) | (b1 & 0x3F)];
    } else {
        return 0;
    }
    switch (c) {
    case '*':
        return 0;
    case '1':
        out[0] = 'a';
        out[1] = 'e';
        return 2;
    case '2':
        out[0] = 't';
        out[1] = 'h';
        return 2;
    case '4':
        out[0] = 's';
        out[1] = 's';
        return 2;
    case '3':
        out[0] = 'o';
        out[1] = 'e';
        return 2;
    default:
        out[0] = c;
        return 1;
    }
}

/* 1 when the two-byte letter <b0 b1> is a capital (U+00C0..U+00DE but
   U+00D7; the capitals of Latin Extended-A). */
static inline int veil__fold_upper2(unsigned char b0, unsigned char b1)
{
    unsigned cp = ((unsigned)(b0 & 0x1F) << 6) | (b1 & 0x3Fu);
    if (b0 == 0xC3) {
        return cp >= 0xC0 && cp <= 0xDE && cp != 0xD7;
    }
    if (b0 != 0xC4 && b0 != 0xC5) {
        return 0;
    }
    if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E)) {
        return cp & 1;
    }
    if (cp == 0x138 || cp == 0x149 || cp == 0x17F) {
        return 0;
    }
    return cp == 0x178 || (cp & 1) == 0;
}

/*
 * veil__fold_word(): folds the word <s, n> (letters, apostrophes and
 * hyphens) into <out> (at most <cap> bytes). Returns the folded length, or
 * 0 when the word has a byte that is none of those or does not fit.
 */
static inline size_t veil__fold_word(const unsigned char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        char two[2];
        size_t k;
        if ((c >= 'a' && c <= 'z') || c == '\'' || c == '-') {
            k = 1;
            two[0] = (char)c;
            i++;
        } else if (c >= 'A' && c <= 'Z') {
            k = 1;
            two[0] = (char)(c | 0x20);
            i++;
        } else if (c == 0xE2 && i + 2 < n && s[i + 1] == 0x80 && s[i + 2] == 0x99) {
            k = 1;
            two[0] = '\'';
            i += 3;
        } else if (i + 1 < n && (k = veil__fold2(c, s[i + 1], two)) != 0) {
            i += 2;
        } else {
            return 0;
        }
        if (o + k > cap) {
            return 0;
        }
        for (size_t j = 0; j < k; j++) {
            out[o++] = two[j];
        }
    }
    return o;
}

/*
 * The dictionary's hash of a folded word, eight bytes at a time: a word of
 * up to eight bytes is one product and a shift (FNV-1a, a product per
 * byte one after another, put 4 cycles a letter on the path of every
 * word the names pass looks up). Its low bits pick a table's slot, its
 * high 28 the fingerprint, its high half the words' 32-bit hash.
 */
static inline uint64_t veil__fold_hash(const char *s, size_t n)
{
    uint64_t h = (uint64_t)n * 0x9E3779B97F4A7C15ull;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        x = __builtin_bswap64(x);
#endif
        h = (h ^ x) * 0xBF58476D1CE4E5B9ull;
        h ^= h >> 31;
    }
    if (i < n) {
        h = (h ^ veil__load_tail(s, n, n - i)) * 0x94D049BB133111EBull;
    }
    return h ^ h >> 29;
}

/* The table: 2^VEIL__NAMES_BITS entries of (fingerprint << 4 | flags),
   slot from the hash's low bits, fingerprint from its high 28 (never 0),
   linear probing. */
#define VEIL__NAMES_BITS 18
#define VEIL__NAME_GIVEN 1u
#define VEIL__NAME_SURNAME 2u
#define VEIL__NAME_ANY 4u
#define VEIL__NAME_WORD 8u

static inline uint32_t veil__fold_fp(uint64_t h)
{
    uint32_t fp = (uint32_t)(h >> 36);
    return fp ? fp : 1;
}

#endif
