/*
 * Format-preserving tokens: FF1-AES-256 (NIST SP 800-38G) over the
 * characters of a value that carry information, everything else (spaces,
 * dashes, escapes such as %20 or \u0020) left where it was, so the token
 * has the value's shape byte for byte and turns back into exactly the
 * bytes it came from.
 *
 *   card    first digit and last four kept; digits 2..n-5 encrypted; the
 *           digit before the last four is the adjust digit: it makes the
 *           Luhn sum equal to the key's slot (1-9), so a token never
 *           passes Luhn (PCI DSS: distinguishable from a card) and names
 *           its key. The original's Luhn validity gives that digit back.
 *   iban    country and bank code kept; the rest encrypted, digits as
 *           digits (radix 10), letters as letters (radix 26); the check
 *           digits make the mod-97 remainder 1 + slot (2..10), never 1.
 *   email   the local part's letters and digits encrypted (radix 62, the
 *           domain as tweak), the domain kept, "+vt<slot>" added before
 *           the @ ("%2Bvt<slot>" in a form, where + is a space).
 *   us_ssn  nine digits, cycle-walked to stay a well-formed SSN.
 *   phone   the last seven digits at least (all but the first four of a
 *           long number) encrypted; leading digits kept.
 * SSN and phone tokens carry no slot: they are opened with the key the
 * caller names, and nothing tells them from a real value (docs/tokens.md).
 */
#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "tokens_crypto.h"
#include "tokens_int.h"
#include "veil/veil.h"

#define MAXC 64 /* characters FPE works on: a card has 19, an IBAN 34 */

/* The characters of a value FPE looks at, and where they are. */
typedef struct {
    size_t pos[MAXC];
    char ch[MAXC];
    size_t n;
} chars_t;

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_alnum(int c)
{
    return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* Collects the characters <want> accepts; any other byte must be one of
   <seps> or an escape. Returns 0, or -1 for a byte that is neither. */
static int collect(const char *raw, size_t len, int (*want)(int), const char *seps, chars_t *c)
{
    c->n = 0;
    for (size_t k = 0; k < len;) {
        unsigned char b = (unsigned char)raw[k];
        size_t esc = veil__escape_len(raw, len, k);
        if (esc) {
            k += esc;
            continue;
        }
        if (want(b)) {
            if (c->n == MAXC) {
                return -1;
            }
            c->pos[c->n] = k;
            c->ch[c->n++] = (char)b;
        } else if (b == 0 || strchr(seps, b) == NULL) {
            return -1;
        }
        k++;
    }
    return 0;
}

/* The value with the collected characters replaced by <c>'s. */
static long emit(const char *raw, size_t len, const chars_t *c, char *out, size_t cap)
{
    if (len > cap) {
        return -ENOSPC;
    }
    memcpy(out, raw, len);
    for (size_t i = 0; i < c->n; i++) {
        out[c->pos[i]] = c->ch[i];
    }
    return (long)len;
}

static int ff1(const veil_token_ring_t *ring, int key, int enc, unsigned radix, const char *tweak,
               size_t tlen, uint16_t *x, size_t n)
{
    const unsigned char *k = ring->keys[key].ff1;
    const unsigned char *t = (const unsigned char *)tweak;
    return enc ? veil__ff1_encrypt(k, 32, radix, t, tlen, x, x, n)
               : veil__ff1_decrypt(k, 32, radix, t, tlen, x, x, n);
}

/* Usable to make tokens: a key that is there and not retired. */
static int key_ok(const veil_token_ring_t *ring, int key)
{
    return ring && key >= 0 && (size_t)key < ring->n && ring->keys[key].state != VEIL_KEY_RETIRED;
}

/* ---- cards ------------------------------------------------------------- */

static const char card_seps[] = " -.";

/* The Luhn sum mod 10 of the digits in <c>. */
static unsigned luhn_sum(const chars_t *c)
{
    unsigned sum = 0;
    for (size_t i = 0; i < c->n; i++) {
        unsigned d = (unsigned)(c->ch[c->n - 1 - i] - '0');
        if (i % 2) {
            d *= 2;
            d = d > 9 ? d - 9 : d;
        }
        sum += d;
    }
    return sum % 10;
}

static size_t card_tweak(const chars_t *c, char *t)
{
    return (size_t)snprintf(t, 32, "card%zu:%c:%c%c%c%c", c->n, c->ch[0], c->ch[c->n - 4],
                            c->ch[c->n - 3], c->ch[c->n - 2], c->ch[c->n - 1]);
}

/* Encrypts (or decrypts) digits 1..n-6 and sets the adjust digit n-5 so
   that the Luhn sum is <target>. The adjust digit sits fifth from the
   right, a place Luhn does not double, so it moves the sum one for one. */
static int card_crypt(const veil_token_ring_t *ring, int key, int enc, chars_t *c, unsigned target)
{
    uint16_t x[MAXC];
    char tweak[32];
    size_t m = c->n - 6, tl = card_tweak(c, tweak);
    int rc;

    for (size_t i = 0; i < m; i++) {
        x[i] = (uint16_t)(c->ch[1 + i] - '0');
    }
    rc = ff1(ring, key, enc, 10, tweak, tl, x, m);
    for (size_t i = 0; i < m; i++) {
        c->ch[1 + i] = (char)('0' + x[i]);
    }
    OPENSSL_cleanse(x, sizeof(x));
    if (rc != 0) {
        return rc;
    }
    c->ch[c->n - 5] = '0';
    c->ch[c->n - 5] = (char)('0' + (target + 10 - luhn_sum(c)) % 10);
    return 0;
}

static long card_make(const veil_token_ring_t *ring, int key, const char *raw, size_t len,
                      char *out, size_t cap)
{
    chars_t c;
    long rc;
    if (collect(raw, len, is_digit, card_seps, &c) != 0 || c.n < 13 || c.n > 19 ||
        luhn_sum(&c) != 0) {
        return VEIL_ETOKEN_FORMAT;
    }
    rc = card_crypt(ring, key, 1, &c, (unsigned)ring->keys[key].slot);
    rc = rc == 0 ? emit(raw, len, &c, out, cap) : -EINVAL;
    OPENSSL_cleanse(&c, sizeof(c));
    return rc;
}

static long card_open(const veil_token_ring_t *ring, const char *raw, size_t len, char *out,
                      size_t cap, int *used)
{
    chars_t c;
    unsigned slot;
    long rc;
    int key;
    if (collect(raw, len, is_digit, card_seps, &c) != 0 || c.n < 13 || c.n > 19 ||
        (slot = luhn_sum(&c)) == 0) {
        return VEIL_ESYNTAX;
    }
    key = veil__ring_open_slot(ring, (int)slot);
    *used = key >= 0 ? key : (ring && ring->by_slot[slot] >= 0 ? ring->by_slot[slot] : -1);
    if (key < 0) {
        return key;
    }
    rc = card_crypt(ring, key, 0, &c, 0);
    rc = rc == 0 ? emit(raw, len, &c, out, cap) : -EINVAL;
    OPENSSL_cleanse(&c, sizeof(c));
    return rc;
}

/* ---- IBANs --------------------------------------------------------------- */

/* SWIFT IBAN registry: length and the length of the bank identifier at
   the start of the BBAN (for Italy and San Marino the CIN letter before
   the ABI bank code is kept with it). */
static const struct {
    char cc[3];
    unsigned char len, bank;
} iban_countries[] = {
    {"AD", 24, 4}, {"AE", 23, 3}, {"AL", 28, 3}, {"AT", 20, 5}, {"AZ", 28, 4}, {"BA", 20, 3},
    {"BE", 16, 3}, {"BG", 22, 4}, {"BH", 22, 4}, {"BI", 27, 5}, {"BR", 29, 8}, {"BY", 28, 4},
    {"CH", 21, 5}, {"CR", 22, 4}, {"CY", 28, 3}, {"CZ", 24, 4}, {"DE", 22, 8}, {"DJ", 27, 5},
    {"DK", 18, 4}, {"DO", 28, 4}, {"EE", 20, 2}, {"EG", 29, 4}, {"ES", 24, 4}, {"FI", 18, 3},
    {"FK", 18, 2}, {"FO", 18, 4}, {"FR", 27, 5}, {"GB", 22, 4}, {"GE", 22, 2}, {"GI", 23, 4},
    {"GL", 18, 4}, {"GR", 27, 3}, {"GT", 28, 4}, {"HN", 28, 4}, {"HR", 21, 7}, {"HU", 28, 3},
    {"IE", 22, 4}, {"IL", 23, 3}, {"IQ", 23, 4}, {"IS", 26, 4}, {"IT", 27, 6}, {"JO", 30, 4},
    {"KW", 30, 4}, {"KZ", 20, 3}, {"LB", 28, 4}, {"LC", 32, 4}, {"LI", 21, 5}, {"LT", 20, 5},
    {"LU", 20, 3}, {"LV", 21, 4}, {"LY", 25, 3}, {"MC", 27, 5}, {"MD", 24, 2}, {"ME", 22, 3},
    {"MK", 19, 3}, {"MN", 20, 4}, {"MR", 27, 5}, {"MT", 31, 4}, {"MU", 30, 6}, {"NI", 28, 4},
    {"NL", 18, 4}, {"NO", 15, 4}, {"OM", 23, 3}, {"PK", 24, 4}, {"PL", 28, 8}, {"PS", 29, 4},
    {"PT", 25, 4}, {"QA", 29, 4}, {"RO", 24, 4}, {"RS", 22, 3}, {"RU", 33, 9}, {"SA", 24, 2},
    {"SC", 31, 6}, {"SD", 18, 2}, {"SE", 24, 3}, {"SI", 19, 5}, {"SK", 24, 4}, {"SM", 27, 6},
    {"SO", 23, 4}, {"ST", 25, 4}, {"SV", 28, 4}, {"TL", 23, 3}, {"TN", 24, 2}, {"TR", 26, 5},
    {"UA", 29, 6}, {"VA", 22, 3}, {"VG", 24, 4}, {"XK", 20, 4}, {"YE", 30, 4},
};

static const char iban_seps[] = " +-";

static int is_iban_char(int c)
{
    return is_digit(c) || (c >= 'A' && c <= 'Z');
}

/* ISO 7064 MOD 97-10 over the IBAN rearranged (country and check digits
   at the end, letters as 10..35). */
static unsigned iban_mod97(const chars_t *c)
{
    unsigned rem = 0;
    for (size_t k = 0; k < c->n; k++) {
        char ch = c->ch[(k + 4) % c->n];
        rem = is_digit(ch) ? (rem * 10 + (unsigned)(ch - '0')) % 97
                           : (rem * 100 + (unsigned)(ch - 'A' + 10)) % 97;
    }
    return rem;
}

/* Check digits that make the remainder <target>: the remainder with "00"
   plus the check digits, kept in 02..98 as real IBANs have them. */
static void iban_set_check(chars_t *c, unsigned target)
{
    unsigned r, kk;
    c->ch[2] = c->ch[3] = '0';
    r = iban_mod97(c);
    kk = (target + 97 - r) % 97;
    if (kk < 2) {
        kk += 97;
    }
    c->ch[2] = (char)('0' + kk / 10);
    c->ch[3] = (char)('0' + kk % 10);
}

/* The country's bank length, or -1 when the shape is no IBAN we know. */
static int iban_shape(const chars_t *c)
{
    if (c->n < 5 || !(c->ch[0] >= 'A' && c->ch[0] <= 'Z') ||
        !(c->ch[1] >= 'A' && c->ch[1] <= 'Z') || !is_digit(c->ch[2]) || !is_digit(c->ch[3])) {
        return -1;
    }
    for (size_t i = 0; i < sizeof(iban_countries) / sizeof(iban_countries[0]); i++) {
        if (iban_countries[i].cc[0] == c->ch[0] && iban_countries[i].cc[1] == c->ch[1]) {
            return iban_countries[i].len == c->n ? iban_countries[i].bank : -1;
        }
    }
    return -1;
}

/* Encrypts or decrypts the BBAN after the bank code: its digits as one
   radix-10 string, its letters as one radix-26 string. */
static int iban_crypt(const veil_token_ring_t *ring, int key, int enc, chars_t *c, size_t bank)
{
    uint16_t dx[MAXC], lx[MAXC];
    size_t nd = 0, nl = 0, from = 4 + bank;
    char tweak[64];
    size_t tl;
    int rc = 0;

    for (size_t i = from; i < c->n; i++) {
        if (is_digit(c->ch[i])) {
            dx[nd++] = (uint16_t)(c->ch[i] - '0');
        } else {
            lx[nl++] = (uint16_t)(c->ch[i] - 'A');
        }
    }
    if ((nd == 0 && nl == 0) || (nd && !veil__ff1_domain_ok(10, nd)) ||
        (nl && !veil__ff1_domain_ok(26, nl))) {
        return VEIL_ETOKEN_DOMAIN;
    }
    tl = (size_t)snprintf(tweak, sizeof(tweak), "iban%c%c:%.*s:%zu:%zu", c->ch[0], c->ch[1],
                          (int)bank, c->ch + 4, nd, nl);
    if (nd) {
        rc = ff1(ring, key, enc, 10, tweak, tl, dx, nd);
    }
    if (rc == 0 && nl) {
        rc = ff1(ring, key, enc, 26, tweak, tl, lx, nl);
    }
    nd = nl = 0;
    for (size_t i = from; i < c->n && rc == 0; i++) {
        c->ch[i] = is_digit(c->ch[i]) ? (char)('0' + dx[nd++]) : (char)('A' + lx[nl++]);
    }
    OPENSSL_cleanse(dx, sizeof(dx));
    OPENSSL_cleanse(lx, sizeof(lx));
    return rc == 0 ? 0 : -EINVAL;
}

static long iban_make(const veil_token_ring_t *ring, int key, const char *raw, size_t len,
                      char *out, size_t cap)
{
    chars_t c;
    int bank;
    long rc;
    if (collect(raw, len, is_iban_char, iban_seps, &c) != 0 || (bank = iban_shape(&c)) < 0 ||
        iban_mod97(&c) != 1) {
        return VEIL_ETOKEN_FORMAT;
    }
    rc = iban_crypt(ring, key, 1, &c, (size_t)bank);
    if (rc == 0) {
        iban_set_check(&c, 1 + (unsigned)ring->keys[key].slot);
        rc = emit(raw, len, &c, out, cap);
    }
    OPENSSL_cleanse(&c, sizeof(c));
    return rc;
}

static long iban_open(const veil_token_ring_t *ring, const char *raw, size_t len, char *out,
                      size_t cap, int *used)
{
    chars_t c;
    int bank, key;
    unsigned r;
    long rc;
    if (collect(raw, len, is_iban_char, iban_seps, &c) != 0 || (bank = iban_shape(&c)) < 0 ||
        (r = iban_mod97(&c)) < 2 || r > 1 + VEIL_TOKEN_SLOTS) {
        return VEIL_ESYNTAX;
    }
    /* Tokens have check digits 02..98, as IBANs do: 00, 01 and 99 would
       be a second spelling of the same token. */
    if ((c.ch[2] == '0' && c.ch[3] < '2') || (c.ch[2] == '9' && c.ch[3] == '9')) {
        return VEIL_ESYNTAX;
    }
    key = veil__ring_open_slot(ring, (int)r - 1);
    *used = key >= 0 ? key : (ring && ring->by_slot[r - 1] >= 0 ? ring->by_slot[r - 1] : -1);
    if (key < 0) {
        return key;
    }
    rc = iban_crypt(ring, key, 0, &c, (size_t)bank);
    if (rc == 0) {
        iban_set_check(&c, 1);
        rc = emit(raw, len, &c, out, cap);
    }
    OPENSSL_cleanse(&c, sizeof(c));
    return rc;
}

/* ---- e-mail addresses ------------------------------------------------- */

static const char radix62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static int r62(int c)
{
    const char *p = c ? strchr(radix62, c) : NULL;
    return p ? (int)(p - radix62) : -1;
}

/* Where the @ is (written as it is, or as %40 or \u0040), and its length. */
static size_t find_at(const char *raw, size_t len, size_t *at_len)
{
    for (size_t k = len; k-- > 0;) {
        if (raw[k] == '@') {
            *at_len = 1;
            return k;
        }
        if (raw[k] == '%' && k + 3 <= len && raw[k + 1] == '4' && raw[k + 2] == '0') {
            *at_len = 3;
            return k;
        }
        if (raw[k] == '\\' && k + 6 <= len && memcmp(raw + k + 1, "u0040", 5) == 0) {
            *at_len = 6;
            return k;
        }
    }
    return len;
}

/* The tweak: "email:" and the domain in lower case (a domain's case
   carries no meaning and may change on the way). */
static size_t email_tweak(const char *dom, size_t n, char *t, size_t cap)
{
    size_t k = 0;
    memcpy(t, "email:", 6);
    for (k = 0; k < n && 6 + k < cap; k++) {
        char ch = dom[k];
        t[6 + k] = (ch >= 'A' && ch <= 'Z') ? (char)(ch | 0x20) : ch;
    }
    return 6 + k;
}

static int email_crypt(const veil_token_ring_t *ring, int key, int enc, chars_t *c, const char *dom,
                       size_t dom_len)
{
    uint16_t x[MAXC];
    char tweak[VEIL__FF1_MAX_TWEAK];
    size_t tl = email_tweak(dom, dom_len, tweak, sizeof(tweak));
    int rc;
    if (!veil__ff1_domain_ok(62, c->n)) {
        return VEIL_ETOKEN_DOMAIN;
    }
    for (size_t i = 0; i < c->n; i++) {
        x[i] = (uint16_t)r62((unsigned char)c->ch[i]);
    }
    rc = ff1(ring, key, enc, 62, tweak, tl, x, c->n);
    for (size_t i = 0; i < c->n; i++) {
        c->ch[i] = radix62[x[i]];
    }
    OPENSSL_cleanse(x, sizeof(x));
    return rc == 0 ? 0 : -EINVAL;
}

static const char local_seps[] = ".!#$&'*+/=?^_`{|}~-";

/* The "+vt<slot>" tag at the end of a local part of <n> bytes: its
   length, with the slot in <slot>; 0 when there is none. */
static size_t email_tag(const char *local, size_t n, int *slot)
{
    if (n >= 4 && local[n - 4] == '+' && local[n - 3] == 'v' && local[n - 2] == 't' &&
        local[n - 1] >= '1' && local[n - 1] <= '9') {
        *slot = local[n - 1] - '0';
        return 4;
    }
    if (n >= 6 && local[n - 6] == '%' && local[n - 5] == '2' && (local[n - 4] | 0x20) == 'b' &&
        local[n - 3] == 'v' && local[n - 2] == 't' && local[n - 1] >= '1' && local[n - 1] <= '9') {
        *slot = local[n - 1] - '0';
        return 6;
    }
    return 0;
}

static long email_make(const veil_token_ring_t *ring, int key, veil_format_t format,
                       const char *raw, size_t len, char *out, size_t cap)
{
    size_t at_len, at = find_at(raw, len, &at_len);
    const char *tag = format == VEIL_FMT_FORM ? "%2Bvt" : "+vt";
    size_t tag_len = strlen(tag) + 1;
    chars_t c;
    long rc;

    if (at == len || at == 0 || at + at_len == len) {
        return VEIL_ETOKEN_FORMAT;
    }
    if (collect(raw, at, is_alnum, local_seps, &c) != 0) {
        return VEIL_ETOKEN_FORMAT;
    }
    if (len + tag_len > cap) {
        return -ENOSPC;
    }
    rc = email_crypt(ring, key, 1, &c, raw + at + at_len, len - at - at_len);
    if (rc == 0) {
        emit(raw, at, &c, out, cap);
        memcpy(out + at, tag, tag_len - 1);
        out[at + tag_len - 1] = (char)('0' + ring->keys[key].slot);
        memcpy(out + at + tag_len, raw + at, len - at);
        rc = (long)(len + tag_len);
    }
    OPENSSL_cleanse(&c, sizeof(c));
    return rc;
}

static long email_open(const veil_token_ring_t *ring, const char *raw, size_t len, char *out,
                       size_t cap, int *used)
{
    size_t at_len, at = find_at(raw, len, &at_len), tag_len;
    chars_t c;
    int slot = 0, key;
    long rc;

    if (at == len || at + at_len == len || (tag_len = email_tag(raw, at, &slot)) == 0 ||
        collect(raw, at - tag_len, is_alnum, local_seps, &c) != 0 ||
        !veil__ff1_domain_ok(62, c.n)) {
        return VEIL_ESYNTAX;
    }
    key = veil__ring_open_slot(ring, slot);
    *used = key >= 0 ? key : (ring && ring->by_slot[slot] >= 0 ? ring->by_slot[slot] : -1);
    if (key < 0) {
        return key;
    }
    if (len - tag_len > cap) {
        return -ENOSPC;
    }
    rc = email_crypt(ring, key, 0, &c, raw + at + at_len, len - at - at_len);
    if (rc == 0) {
        emit(raw, at - tag_len, &c, out, cap);
        memcpy(out + at - tag_len, raw + at, len - at);
        rc = (long)(len - tag_len);
    }
    OPENSSL_cleanse(&c, sizeof(c));
    return rc;
}

/* ---- SSNs and phone numbers ------------------------------------------- */

static int ssn_valid(const uint16_t *d)
{
    unsigned area = d[0] * 100u + d[1] * 10u + d[2];
    return area != 0 && area != 666 && area < 900 && (d[3] | d[4]) != 0 &&
           (d[5] | d[6] | d[7] | d[8]) != 0;
}

/* Cycle walking (FF1 again until the result is a well-formed SSN) keeps
   the token in the set of SSNs, as a validator downstream expects; the
   way back walks the other direction. A bound ends the walk on a value
   that is not well-formed (then no token is made). */
static long ssn_crypt(const veil_token_ring_t *ring, int key, int enc, const char *raw, size_t len,
                      char *out, size_t cap)
{
    chars_t c;
    uint16_t x[9];
    int rc = 0, walks = 0;

    if (collect(raw, len, is_digit, " -.", &c) != 0 || c.n != 9) {
        return enc ? VEIL_ETOKEN_FORMAT : VEIL_ESYNTAX;
    }
    for (size_t i = 0; i < 9; i++) {
        x[i] = (uint16_t)(c.ch[i] - '0');
    }
    if (!ssn_valid(x)) {
        OPENSSL_cleanse(&c, sizeof(c));
        return enc ? VEIL_ETOKEN_FORMAT : VEIL_ESYNTAX;
    }
    do {
        rc = ff1(ring, key, enc, 10, "us_ssn", 6, x, 9);
    } while (rc == 0 && !ssn_valid(x) && ++walks < 1000);
    if (rc == 0 && ssn_valid(x)) {
        for (size_t i = 0; i < 9; i++) {
            c.ch[i] = (char)('0' + x[i]);
        }
        rc = (int)emit(raw, len, &c, out, cap);
    } else {
        rc = rc ? -EINVAL : VEIL_ETOKEN_FORMAT;
    }
    OPENSSL_cleanse(&c, sizeof(c));
    OPENSSL_cleanse(x, sizeof(x));
    return rc;
}

static long phone_crypt(const veil_token_ring_t *ring, int key, int enc, const char *raw,
                        size_t len, char *out, size_t cap)
{
    chars_t c;
    uint16_t x[MAXC];
    char tweak[40];
    size_t kept, m, tl;
    long rc;

    if (collect(raw, len, is_digit, " -.()+/", &c) != 0 || c.n == 0) {
        return enc ? VEIL_ETOKEN_FORMAT : VEIL_ESYNTAX;
    }
    if (c.n < 7) {
        return enc ? VEIL_ETOKEN_DOMAIN : VEIL_ESYNTAX;
    }
    m = c.n - 4 > 7 ? c.n - 4 : 7;
    kept = c.n - m;
    tl = (size_t)snprintf(tweak, sizeof(tweak), "phone%zu:%.*s", c.n, (int)kept, c.ch);
    for (size_t i = 0; i < m; i++) {
        x[i] = (uint16_t)(c.ch[kept + i] - '0');
    }
    rc = ff1(ring, key, enc, 10, tweak, tl, x, m);
    for (size_t i = 0; i < m && rc == 0; i++) {
        c.ch[kept + i] = (char)('0' + x[i]);
    }
    rc = rc == 0 ? emit(raw, len, &c, out, cap) : -EINVAL;
    OPENSSL_cleanse(&c, sizeof(c));
    OPENSSL_cleanse(x, sizeof(x));
    return rc;
}

/* ---- by type ------------------------------------------------------------ */

long veil_token_fpe_make(const veil_token_ring_t *ring, int key, const char *id,
                         veil_format_t format, const char *raw, size_t len, char *out, size_t cap)
{
    if (!key_ok(ring, key)) {
        return -EINVAL;
    }
    switch (veil__fpe_kind(id)) {
    case VEIL__FPE_CARD:
        return card_make(ring, key, raw, len, out, cap);
    case VEIL__FPE_IBAN:
        return iban_make(ring, key, raw, len, out, cap);
    case VEIL__FPE_EMAIL:
        return email_make(ring, key, format, raw, len, out, cap);
    case VEIL__FPE_SSN:
        return ssn_crypt(ring, key, 1, raw, len, out, cap);
    case VEIL__FPE_PHONE:
        return phone_crypt(ring, key, 1, raw, len, out, cap);
    default:
        return -EINVAL;
    }
}

long veil_token_fpe_open(const veil_token_ring_t *ring, int key, const char *id,
                         veil_format_t format, const char *raw, size_t len, char *out, size_t cap,
                         int *used)
{
    int dummy;
    (void)format;
    if (used == NULL) {
        used = &dummy;
    }
    *used = -1;
    if (ring == NULL) {
        return VEIL_ETOKEN_KEY;
    }
    switch (veil__fpe_kind(id)) {
    case VEIL__FPE_CARD:
        return card_open(ring, raw, len, out, cap, used);
    case VEIL__FPE_IBAN:
        return iban_open(ring, raw, len, out, cap, used);
    case VEIL__FPE_EMAIL:
        return email_open(ring, raw, len, out, cap, used);
    case VEIL__FPE_SSN:
    case VEIL__FPE_PHONE:
        *used = key;
        if (key < 0 || (size_t)key >= ring->n) {
            return VEIL_ETOKEN_KEY;
        }
        if (ring->keys[key].state == VEIL_KEY_RETIRED) {
            return VEIL_ETOKEN_RETIRED;
        }
        return veil__fpe_kind(id) == VEIL__FPE_SSN ? ssn_crypt(ring, key, 0, raw, len, out, cap)
                                                   : phone_crypt(ring, key, 0, raw, len, out, cap);
    default:
        return -EINVAL;
    }
}
