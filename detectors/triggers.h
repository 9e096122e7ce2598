/*
 * The text handlers' triggers that look only at the bytes right around
 * them ('_', '-', 'A', 'B', 'J', '%'), as one exact test shared by the text
 * layer's dry scan (text_handlers.h, value_needs_scan) and the value layer
 * (value.c), which asks it about a value before copying anything.
 */
#ifndef VEIL_DETECTORS_TRIGGERS_H
#define VEIL_DETECTORS_TRIGGERS_H

#include <stddef.h>
#include <string.h>

#include "chartab.h"

/* Byte <at> of the value <v> (<len> bytes), NUL outside it: the text layer
   puts a NUL delimiter around every value, and no handler reads past it.
   (Always inline: GCC called it out of line from the judge's inlined
   digit_fast().) */
static inline __attribute__((always_inline)) unsigned veil__vbyte(const unsigned char *v,
                                                                  size_t len, ptrdiff_t at)
{
    return at >= 0 && (size_t)at < len ? v[at] : 0;
}

static inline int veil__vboundary(const unsigned char *v, size_t len, ptrdiff_t at)
{
    unsigned c = veil__vbyte(v, len, at - 1);
    return !((veil__chartab[c] & (VEIL_C_DIGIT | VEIL_C_UPPER | VEIL_C_LOWER)) || c == '_');
}

/* Whether <v> holds <lit> (<n> bytes) at <at>. */
static inline int veil__vhas(const unsigned char *v, size_t len, ptrdiff_t at, const char *lit,
                             size_t n)
{
    return at >= 0 && (size_t)at + n <= len && memcmp(v + at, lit, n) == 0;
}

/*
 * veil__near_token_prefix(): whether the '-' or '_' at <p> may be inside a
 * token that ids_token_start() (text_ids.h) would look at: the same
 * back-scan over token characters and dots, the same two places (the
 * token's start, or after a %XX escape there) and the same prefixes.
 */
static inline int veil__near_token_prefix(const unsigned char *v, size_t len, ptrdiff_t p)
{
    ptrdiff_t s = p;
    while (s > 0 && p - s < 80) {
        unsigned c = v[s - 1];
        if (!((veil__chartab[c] & (VEIL_C_DIGIT | VEIL_C_UPPER | VEIL_C_LOWER)) || c == '-' ||
              c == '_' || c == '.')) {
            break;
        }
        s--;
    }
    for (int k = 0; k < 2; k++) {
        ptrdiff_t q = s + 2 * k;
        if (k == 1 &&
            !(s > 0 && v[s - 1] == '%' && (veil__chartab[veil__vbyte(v, len, s)] & VEIL_C_HEX) &&
              (veil__chartab[veil__vbyte(v, len, s + 1)] & VEIL_C_HEX))) {
            break;
        }
        /* (by the first byte: one comparison at most, not six) */
        switch (q >= 0 && (size_t)q < len ? v[q] : 0) {
        case 's':
            if (veil__vhas(v, len, q, "sk-", 3)) {
                return 1;
            }
            break;
        case 'g':
            if (veil__vhas(v, len, q, "gl", 2)) {
                return 1;
            }
            break;
        case 'p':
            if (veil__vhas(v, len, q, "pypi-", 5)) {
                return 1;
            }
            break;
        case 'n':
            if (veil__vhas(v, len, q, "npm_", 4)) {
                return 1;
            }
            break;
        case 'A':
            if (veil__vhas(v, len, q, "AIza", 4)) {
                return 1;
            }
            break;
        case 'S':
            if (veil__vhas(v, len, q, "SG.", 3)) {
                return 1;
            }
            break;
        default:
            break;
        }
    }
    return 0;
}

/*
 * veil__near_trigger_acts(): for the trigger v[i], one of "_-ABJ%" or 0xEF: 0 when
 * its handler reports nothing, the bytes around it ruling out every case
 * it looks for (a ghX_, github_ or [sr]k_ prefix, -----BEGIN or xox?-, an
 * AWS key id's prefix, "Bearer ", "eyJ", "%40"); 1 when it might. Other
 * bytes: 1. Each test is the handler's own (h_underscore, h_dash,
 * h_upper_a, h_upper_b, h_upper_j, handle), or wider.
 */
static inline int veil__near_trigger_acts(const unsigned char *v, size_t len, size_t i)
{
    const ptrdiff_t p = (ptrdiff_t)i;
#define VB(d) veil__vbyte(v, len, p + (d))
    switch (v[i]) {
    case '_':
        /* strchr() finds NUL in "pousr" too */
        return (veil__vhas(v, len, p - 3, "npm", 3) && veil__vboundary(v, len, p - 3)) ||
               veil__near_token_prefix(v, len, p) ||
               (VB(-3) == 'g' && VB(-2) == 'h' &&
                (VB(-1) == 0 || strchr("pousr", (int)VB(-1)) != NULL) &&
                veil__vboundary(v, len, p - 3)) ||
               (veil__vhas(v, len, p - 6, "github", 6) && veil__vboundary(v, len, p - 6)) ||
               ((VB(-2) == 's' || VB(-2) == 'r') && VB(-1) == 'k' &&
                veil__vboundary(v, len, p - 2));
    case '-':
        return veil__near_token_prefix(v, len, p) || veil__vhas(v, len, p, "-----BEGIN ", 11) ||
               (VB(-4) == 'x' && VB(-3) == 'o' && VB(-2) == 'x' &&
                (VB(-1) == 0 || strchr("abposre", (int)VB(-1)) != NULL) &&
                veil__vboundary(v, len, p - 4));
    case 'A':
        /* AKIA, ASIA, ABIA, ACCA, AGPA, AIDA, AIPA, ANPA, ANVA, APKA, AROA,
           ASCA: a capital B-S, a capital, then 'A' */
        return veil__vhas(v, len, p, "AIza", 4) ||
               (veil__vboundary(v, len, p) && VB(1) >= 'B' && VB(1) <= 'S' &&
                (veil__chartab[VB(2)] & VEIL_C_UPPER) && VB(3) == 'A');
    case 'B':
        return veil__vboundary(v, len, p) && veil__vhas(v, len, p, "Bearer ", 7);
    case 'J':
        return VB(-1) == 'y' && VB(-2) == 'e';
    case '%':
        /* %40; the escapes text_scan.c rewrites as a separator, a
           digit's look-alike or ':' (%20 %28 %29 %2B %2D %2E %3A, and
           the UTF-8 lead bytes %C2 %E2 %EF). */
        switch (VB(1) << 8 | (VB(2) | 0x20)) {
        case '4' << 8 | '0':
        case '2' << 8 | '0':
        case '2' << 8 | '8':
        case '2' << 8 | '9':
        case '2' << 8 | 'b':
        case '2' << 8 | 'd':
        case '2' << 8 | 'e':
        case '3' << 8 | 'a':
            return 1;
        default:
            return ((VB(1) | 0x20) == 'c' && VB(2) == '2') ||
                   ((VB(1) | 0x20) == 'e' && (VB(2) == '2' || (VB(2) | 0x20) == 'f'));
        }
    case 0xef:
        /* A full-width digit or '@', which text_scan.c writes as ASCII:
           EF BC 90-99 and EF BC A0 (and the forms it maps with them). */
        return VB(1) == 0xbc && VB(2) >= 0x88 && VB(2) <= 0xa0;
    default:
        return 1;
    }
#undef VB
}

/*
 * veil__triggers_matter(): 0 when the trigger bytes of <v> (bit k of
 * <tmask> for byte k; all ones: not known, so 1) are all of the kind above
 * and their neighbours rule each out; 1 when any might matter.
 */
static inline int veil__near_kind(unsigned c)
{
    return c == '_' || c == '-' || c == 'A' || c == 'B' || c == 'J' || c == '%' || c == 0xef;
}

static inline int veil__triggers_matter(const unsigned char *v, size_t len, uint64_t tmask)
{
    if (tmask == ~0ull) {
        return 1;
    }
    /* A trigger of another kind (a digit, '@', ':') matters whatever is
       around it: looked for first, before the neighbours of any. */
    for (uint64_t m = tmask; m != 0; m &= m - 1) {
        if (!veil__near_kind(v[__builtin_ctzll(m)])) {
            return 1;
        }
    }
    for (uint64_t m = tmask; m != 0; m &= m - 1) {
        if (veil__near_trigger_acts(v, len, (size_t)__builtin_ctzll(m))) {
            return 1;
        }
    }
    return 0;
}

#endif
