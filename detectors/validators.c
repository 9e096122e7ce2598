/*
 * Checksum and structure validators (see validators.h for the contract).
 *
 * Every validator reads the candidate exactly as matched, accepts the
 * separators its format really uses (and only in the places that format puts
 * them), and returns 1 or 0. Nothing here allocates; the few copies are into
 * small stack buffers whose size is checked before writing.
 */
#include "validators.h"

#include "shapes.h"

#include <stdint.h>
#include <string.h>


/* ---- character helpers ------------------------------------------------ */

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}
static int is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}
static int is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}
static int is_alnum(char c)
{
    return is_digit(c) || is_upper(c) || is_lower(c);
}

static int hex_value(char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The value of <n> decimal digits at <s> (the caller checked they are
   digits). */
static unsigned num(const char *s, size_t n)
{
    unsigned v = 0;

    for (size_t i = 0; i < n; i++)
        v = v * 10 + (unsigned)(s[i] - '0');
    return v;
}

/* All characters the same: 000000000, 111.111.111-11 and the like pass
   several mod-11 schemes by arithmetic accident but are never issued. */
static int all_same(const char *s, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (s[i] != s[0])
            return 0;
    return 1;
}


/* ---- shapes ----------------------------------------------------------- */

/*
 * match_shape(): 1 when <s> has exactly the layout <shape>, where 'd' stands
 * for a decimal digit, 'A' for an upper-case letter, 'x' for a hex digit and
 * any other character for itself. The characters standing for 'd', 'A' and
 * 'x' are copied to <out> (NUL-terminated; <out> must hold strlen(shape) + 1).
 * Fixed layouts are how separators are allowed in the right places only.
 * Inlined and unrolled over the literal <shape> (as validators_ids.c's
 * fit()), so that its every test is decided when compiling.
 */
static inline __attribute__((always_inline)) int match_shape(const char *s, size_t len,
                                                             const char *shape, char *out)
{
    size_t n = 0;
    const size_t shape_len = strlen(shape);

    if (shape_len != len)
        return 0;
#pragma GCC unroll 16
    for (size_t i = 0; i < shape_len; i++) {
        char k = shape[i], c = s[i];
        int ok;

        if (k == 'd')
            ok = is_digit(c);
        else if (k == 'A')
            ok = is_upper(c);
        else if (k == 'x')
            ok = hex_value(c) >= 0;
        else {
            if (c != k)
                return 0;
            continue;
        }
        if (!ok)
            return 0;
        out[n++] = c;
    }
    out[n] = '\0';
    return 1;
}

/* The first of the <count> shapes at <shapes> that <s> matches. */
static inline __attribute__((always_inline)) int
match_n(const char *s, size_t len, const char *const *shapes, size_t count, char *out)
{
#pragma GCC unroll 8
    for (size_t k = 0; k < count; k++)
        if (match_shape(s, len, shapes[k], out))
            return 1;
    return 0;
}

/* The first shape of the static, NULL-terminated list <shapes> that <s>
   matches (its length taken when compiling, so that the loop unrolls
   into one match_shape() per literal). */
#define match_shapes(s, len, shapes, out) match_n((s), (len), (shapes), SHAPES_COUNT(shapes), (out))

/*
 * digit_run(): copies the digits of <s> to <out> (capacity <cap>) when <s> is
 * digits with single separators from <seps> between them: no separator first
 * or last, none doubled. With <consistent>, every separator must be the same
 * character. Returns the number of digits, 0 when malformed or too long.
 */
static size_t digit_run(const char *s, size_t len, const char *seps, int consistent, char *out,
                        size_t cap)
{
    size_t n = 0;
    char sep = 0;

    for (size_t i = 0; i < len; i++) {
        char c = s[i];

        if (is_digit(c)) {
            if (n == cap)
                return 0;
            out[n++] = c;
            continue;
        }
        if (c == '\0' || strchr(seps, c) == NULL)
            return 0;
        if (i == 0 || i + 1 == len || !is_digit(s[i - 1]))
            return 0;
        if (consistent && sep != 0 && c != sep)
            return 0;
        sep = c;
    }
    return n;
}


/* ---- Luhn and payment cards ------------------------------------------- */

static int luhn_ok(const char *d, size_t n)
{
    /* A doubled digit's digit sum, by table: no branch per digit. */
    static const uint8_t doubled[10] = {0, 2, 4, 6, 8, 1, 3, 5, 7, 9};
    unsigned sum = 0;
    size_t i = n;

    /* Double every second digit counting from the check digit (rightmost):
       a pair a step, the check digit's side first. */
    for (; i >= 2; i -= 2) {
        sum += (unsigned)(d[i - 1] - '0') + doubled[(unsigned char)(d[i - 2] - '0')];
    }
    if (i == 1) {
        sum += (unsigned)(d[0] - '0');
    }
    return sum % 10 == 0;
}

int veil__valid_luhn(const char *s, size_t len)
{
    char d[64];
    size_t k = 0;
    while (k < len && is_digit(s[k])) {
        k++;
    }
    if (k == len) {
        return len >= 2 && len <= sizeof(d) && luhn_ok(s, len); /* (no separator to drop) */
    }
    size_t n = digit_run(s, len, " -", 0, d, sizeof(d));

    /* A single digit is its own check digit only when it is 0: meaningless. */
    return n >= 2 && luhn_ok(d, n);
}

/* An issuer range: card numbers whose first <plen> digits lie in [lo, hi]
   may have any length whose bit is set in <lengths>. */
struct card_range {
    unsigned lo, hi;
    unsigned char plen;
    uint32_t lengths;
};

#define LEN(n) (UINT32_C(1) << (n))
#define LENS(a, b) ((LEN((b) + 1) - 1) & ~(LEN(a) - 1)) /* a..b inclusive */

/* clang-format off */
static const struct card_range card_ranges[] = {
    { 4, 4, 1, LEN(13) | LEN(16) | LEN(19) },          /* Visa */
    { 51, 55, 2, LEN(16) },                            /* Mastercard */
    { 2221, 2720, 4, LEN(16) },                        /* Mastercard 2-series */
    { 2200, 2204, 4, LENS(16, 19) },                   /* Mir (NSPK) */
    { 34, 34, 2, LEN(15) },                            /* Amex */
    { 37, 37, 2, LEN(15) },
    { 6011, 6011, 4, LENS(16, 19) },                   /* Discover */
    { 644, 649, 3, LENS(16, 19) },
    { 65, 65, 2, LENS(16, 19) },
    { 622126, 622925, 6, LENS(16, 19) },               /* Discover/UnionPay co-brand */
    { 3528, 3589, 4, LENS(16, 19) },                   /* JCB */
    { 300, 305, 3, LENS(14, 19) },                     /* Diners Club */
    { 36, 36, 2, LENS(14, 19) },
    { 38, 39, 2, LENS(14, 19) },
    { 62, 62, 2, LENS(16, 19) },                       /* UnionPay */
    { 5018, 5018, 4, LENS(12, 19) },                   /* Maestro */
    { 5020, 5020, 4, LENS(12, 19) },
    { 5038, 5038, 4, LENS(12, 19) },
    { 5893, 5893, 4, LENS(12, 19) },
    { 6304, 6304, 4, LENS(12, 19) },
    { 6759, 6759, 4, LENS(12, 19) },
    { 6761, 6763, 4, LENS(12, 19) },
};
/* clang-format on */

static int card_issuer_ok(const char *d, size_t n)
{
    for (size_t i = 0; i < sizeof(card_ranges) / sizeof(card_ranges[0]); i++) {
        const struct card_range *r = &card_ranges[i];
        unsigned p = num(d, r->plen);

        if (p >= r->lo && p <= r->hi && (r->lengths & LEN(n)))
            return 1;
    }
    return 0;
}

int veil__valid_card(const char *s, size_t len)
{
    char d[20];
    /* Digits alone (a JSON value, a bare run): no separator to drop, so
       no copy (the walk and the shortcuts ask about such runs). */
    size_t k = 0;
    while (k < len && is_digit(s[k])) {
        k++;
    }
    if (k == len) {
        return len >= 12 && len <= 19 && luhn_ok(s, len) && card_issuer_ok(s, len);
    }
    /* Printed cards group with spaces, web forms with dashes, some people
       with dots; a mix of them is more likely two numbers that happen to
       touch. */
    size_t n = digit_run(s, len, " -.", 1, d, sizeof(d));

    /* Luhn first: it is cheaper than the issuer table and rules out nine
       numbers in ten. */
    return n >= 12 && n <= 19 && luhn_ok(d, n) && card_issuer_ok(d, n);
}


/* ---- IBAN ------------------------------------------------------------- */

/* SWIFT IBAN registry: country code and total IBAN length. Territories
   that use another country's code (GF, JE, AX, ...) are not listed: their
   IBANs start with FR, GB, FI. */
/* clang-format off */
static const struct { char cc[3]; unsigned char len; } iban_countries[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20},
    {"BE", 16}, {"BG", 22}, {"BH", 22}, {"BI", 27}, {"BR", 29}, {"BY", 28},
    {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24}, {"DE", 22}, {"DJ", 27},
    {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18},
    {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23},
    {"GL", 18}, {"GR", 27}, {"GT", 28}, {"HN", 28}, {"HR", 21}, {"HU", 28},
    {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27}, {"JO", 30},
    {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20},
    {"LU", 20}, {"LV", 21}, {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22},
    {"MK", 19}, {"MN", 20}, {"MR", 27}, {"MT", 31}, {"MU", 30}, {"NI", 28},
    {"NL", 18}, {"NO", 15}, {"OM", 23}, {"PK", 24}, {"PL", 28}, {"PS", 29},
    {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"RU", 33}, {"SA", 24},
    {"SC", 31}, {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27},
    {"SO", 23}, {"ST", 25}, {"SV", 28}, {"TL", 23}, {"TN", 24}, {"TR", 26},
    {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20}, {"YE", 30},
};
/* clang-format on */

static size_t iban_length_for(const char *cc)
{
    for (size_t i = 0; i < sizeof(iban_countries) / sizeof(iban_countries[0]); i++)
        if (iban_countries[i].cc[0] == cc[0] && iban_countries[i].cc[1] == cc[1])
            return iban_countries[i].len;
    return 0;
}

/* Copies the IBAN to <out> without its spaces. Either no space at all, or
   the paper format: one space after every group of four. */
/* The IBAN's characters, upper case: the electronic format, or groups of
   four (ISO 13616-1 5.3's paper format) split by spaces or, as people
   also write them, dashes, one kind throughout; letters in one case (a
   lower-case IBAN is typed, a mixed one is no IBAN). */
static size_t iban_compact(const char *s, size_t len, char *out, size_t cap)
{
    char sep = len > 4 && (s[4] == ' ' || s[4] == '-') ? s[4] : 0;
    size_t n = 0;
    int upper = 0, lower = 0;

    if (sep && len % 5 == 0)
        return 0; /* trailing separator */
    for (size_t i = 0; i < len; i++) {
        int want_sep = sep && i % 5 == 4;

        if (want_sep != (s[i] == sep && sep))
            return 0;
        if (want_sep)
            continue;
        if (s[i] >= 'a' && s[i] <= 'z') {
            lower = 1;
        } else if (is_upper(s[i])) {
            upper = 1;
        } else if (!is_digit(s[i])) {
            return 0;
        }
        if (n == cap)
            return 0;
        out[n++] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
    }
    return upper && lower ? 0 : n;
}

/* ISO 7064 MOD 97-10 over the IBAN rearranged (country and check digits
   moved to the end, letters as 10..35), computed digit by digit. */
static unsigned iban_mod97(const char *d, size_t n)
{
    unsigned rem = 0;

    for (size_t k = 0; k < n; k++) {
        char c = d[(k + 4) % n];

        if (is_digit(c))
            rem = (rem * 10 + (unsigned)(c - '0')) % 97;
        else
            rem = (rem * 100 + (unsigned)(c - 'A' + 10)) % 97;
    }
    return rem;
}

int veil__valid_iban(const char *s, size_t len)
{
    char d[34];
    size_t n = iban_compact(s, len, d, sizeof(d));
    unsigned check;

    if (n < 5 || !is_upper(d[0]) || !is_upper(d[1]) || !is_digit(d[2]) || !is_digit(d[3]))
        return 0;
    if (iban_length_for(d) != n)
        return 0;
    /* 98 - r yields 02..98 only; 00, 01 and 99 are congruent variants that
       the mod-97 test alone would let through. */
    check = num(d + 2, 2);
    if (check < 2 || check > 98)
        return 0;
    return iban_mod97(d, n) == 1;
}


/* ---- US ---------------------------------------------------------------- */

int veil__valid_aba(const char *s, size_t len)
{
    static const unsigned w[9] = {3, 7, 1, 3, 7, 1, 3, 7, 1};
    char d[10];
    unsigned p, sum = 0;

    if (!match_shape(s, len, "ddddddddd", d))
        return 0;
    /* Federal Reserve routing symbols: 01-12 banks, 21-32 thrifts, 61-72
       electronic, 80 traveller's cheques. 00 (US Treasury and agencies) is
       rejected on purpose: it identifies no person's bank, and zero-padded
       order or invoice numbers would pass one time in ten. */
    p = num(d, 2);
    if (!((p >= 1 && p <= 12) || (p >= 21 && p <= 32) || (p >= 61 && p <= 72) || p == 80))
        return 0;
    for (int i = 0; i < 9; i++)
        sum += w[i] * (unsigned)(d[i] - '0');
    return sum % 10 == 0;
}

/* Nine digits as AAA-GG-SSSS, AAA GG SSSS or bare; the same separator in
   both places. */
static int us_nine(const char *s, size_t len, char *d)
{
    static const char *const shapes[] = {"ddddddddd", "ddd-dd-dddd", "ddd dd dddd", NULL};

    return match_shapes(s, len, shapes, d);
}

int veil__valid_us_ssn(const char *s, size_t len)
{
    char d[12];
    unsigned area;

    if (!us_nine(s, len, d))
        return 0;
    area = num(d, 3);
    /* SSA never issues area 000 or 666, and 900-999 are ITINs. */
    if (area == 0 || area == 666 || area >= 900)
        return 0;
    return num(d + 3, 2) != 0 && num(d + 5, 4) != 0;
}

int veil__valid_us_itin(const char *s, size_t len)
{
    char d[12];
    unsigned g;

    if (!us_nine(s, len, d) || d[0] != '9')
        return 0;
    /* IRS group ranges; 89 and 93 are not assigned. */
    g = num(d + 3, 2);
    return (g >= 50 && g <= 65) || (g >= 70 && g <= 88) || (g >= 90 && g <= 92) ||
           (g >= 94 && g <= 99);
}


/* ---- UK ---------------------------------------------------------------- */

int veil__valid_uk_nino(const char *s, size_t len)
{
    /* The suffix is required: without it, two letters and six digits are
       too common (part numbers, postcodes with a house number). */
    static const char *const shapes[] = {"AAddddddA", "AA dd dd dd A", "AA dddddd A", NULL};
    static const char *const bad_prefix[] = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ", NULL};
    char d[16];

    if (!match_shapes(s, len, shapes, d))
        return 0;
    if (strchr("DFIQUV", d[0]) != NULL || strchr("DFIOQUV", d[1]) != NULL)
        return 0;
    for (const char *const *p = bad_prefix; *p != NULL; p++)
        if (d[0] == (*p)[0] && d[1] == (*p)[1])
            return 0;
    return d[8] >= 'A' && d[8] <= 'D';
}

int veil__valid_uk_nhs(const char *s, size_t len)
{
    static const char *const shapes[] = {"dddddddddd", "ddd ddd dddd", "ddd-ddd-dddd", NULL};
    char d[16];
    unsigned sum = 0, check;

    if (!match_shapes(s, len, shapes, d) || all_same(d, 10))
        return 0;
    for (int i = 0; i < 9; i++)
        sum += (unsigned)(10 - i) * (unsigned)(d[i] - '0');
    check = 11 - sum % 11;
    if (check == 11)
        check = 0;
    /* A check value of 10 means the number was never issued. */
    return check != 10 && check == (unsigned)(d[9] - '0');
}


/* ---- Canada ------------------------------------------------------------ */

int veil__valid_ca_sin(const char *s, size_t len)
{
    static const char *const shapes[] = {"ddddddddd", "ddd ddd ddd", "ddd-ddd-ddd", NULL};
    char d[12];

    if (!match_shapes(s, len, shapes, d))
        return 0;
    /* 0 is unused and 8 is for business numbers, not people. */
    return d[0] != '0' && d[0] != '8' && luhn_ok(d, 9);
}


/* ---- Spain ------------------------------------------------------------- */

static int es_letter_ok(const char *digits8, char letter)
{
    static const char table[] = "TRWAGMYFPDXBNJZSQVHLCKE";

    return letter == table[num(digits8, 8) % 23];
}

int veil__valid_es_dni(const char *s, size_t len)
{
    static const char *const shapes[] = {"ddddddddA", "dddddddd-A", "dddddddd A", NULL};
    char d[12];

    return match_shapes(s, len, shapes, d) && es_letter_ok(d, d[8]);
}

int veil__valid_es_nie(const char *s, size_t len)
{
    static const char *const shapes[] = {"AdddddddA",   "Addddddd-A",  "Addddddd A",
                                         "A-ddddddd-A", "A ddddddd A", NULL};
    char d[12];

    if (!match_shapes(s, len, shapes, d))
        return 0;
    /* The NIE letter stands for a leading digit: X=0, Y=1, Z=2; the rest is
       a DNI computation. */
    if (d[0] < 'X' || d[0] > 'Z')
        return 0;
    d[0] = (char)('0' + (d[0] - 'X'));
    return es_letter_ok(d, d[8]);
}


/* ---- Italy ------------------------------------------------------------- */

/* Omocodia: when two people would get the same code, digits in the numeric
   positions are replaced by these letters, L for 0 through V for 9. */
static int cf_digit(char c)
{
    static const char omocodia[] = "LMNPQRSTUV";
    const char *p;

    if (is_digit(c))
        return c - '0';
    p = is_upper(c) ? strchr(omocodia, c) : NULL;
    return p != NULL ? (int)(p - omocodia) : -1;
}

/* Check character: characters in odd positions (1st, 3rd, ...) are worth
   the value in this irregular table, the others their plain rank. */
static char cf_check(const char *s)
{
    static const unsigned char odd[26] = {
        1,  0,  5, 7, 9, 13, 15, 17, 19, 21, 2,  4,  18,
        20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
    };
    unsigned sum = 0;

    for (int i = 0; i < 15; i++) {
        unsigned rank = is_digit(s[i]) ? (unsigned)(s[i] - '0') : (unsigned)(s[i] - 'A');

        sum += i % 2 == 0 ? odd[rank] : rank;
    }
    return (char)('A' + sum % 26);
}

int veil__valid_it_fiscal(const char *s, size_t len)
{
    /* Layout: surname(3) name(3) year(2) month(1) day(2) place(4) check(1);
       the place is a letter and three digits. Digits may be omocodia letters. */
    static const int numeric[] = {6, 7, 9, 10, 12, 13, 14};
    int day;

    if (len != 16)
        return 0;
    for (int i = 0; i < 16; i++)
        if (!is_digit(s[i]) && !is_upper(s[i]))
            return 0;
    for (int i = 0; i < 6; i++)
        if (!is_upper(s[i]))
            return 0;
    for (size_t i = 0; i < sizeof(numeric) / sizeof(numeric[0]); i++)
        if (cf_digit(s[numeric[i]]) < 0)
            return 0;
    if (!is_upper(s[8]) || strchr("ABCDEHLMPRST", s[8]) == NULL || !is_upper(s[11]) ||
        !is_upper(s[15]))
        return 0;
    /* Women have 40 added to the day of birth. */
    day = cf_digit(s[9]) * 10 + cf_digit(s[10]);
    if (!((day >= 1 && day <= 31) || (day >= 41 && day <= 71)))
        return 0;
    return cf_check(s) == s[15];
}


/* ---- France ------------------------------------------------------------ */

/* Copies the NIR to <out> (15 characters) without spaces. Its printed
   groups are S AA MM DD CCC NNN KK; a single space is allowed at each group
   boundary and nowhere else. The department may be 2A or 2B (Corsica). */
static int nir_compact(const char *s, size_t len, char *out)
{
    /* boundary[k]: a space may follow the k-th compact character */
    static const char boundary[15] = {1, 0, 1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0};
    size_t n = 0;

    for (size_t i = 0; i < len; i++) {
        char c = s[i];

        if (c == ' ') {
            if (n == 0 || n >= 15 || !boundary[n - 1] || s[i - 1] == ' ')
                return 0;
            continue;
        }
        if (n == 15)
            return 0;
        if (!is_digit(c) && !(n == 6 && (c == 'A' || c == 'B') && out[5] == '2'))
            return 0;
        out[n++] = c;
    }
    return n == 15 && s[len - 1] != ' ';
}

int veil__valid_fr_nir(const char *s, size_t len)
{
    char d[16];
    unsigned month, rem = 0;

    if (!nir_compact(s, len, d))
        return 0;
    /* 1/2: men/women born in France or abroad; 3: born abroad, registered
       before the birth was; 7/8: temporary numbers. */
    if (strchr("12378", d[0]) == NULL)
        return 0;
    /* INSEE also uses 20-42 and 50-99 for unknown or fictitious months; we
       accept 01-12 and all of 20-99 rather than chase the exact list. */
    month = num(d + 3, 2);
    if (month == 0 || (month > 12 && month < 20))
        return 0;
    /* The key is computed over a number, so Corsica's letters must become
       digits: INSEE's rule is 2A -> 19 and 2B -> 18, which keeps keys
       issued before the 1976 split of department 20 valid. */
    if (d[6] == 'A' || d[6] == 'B') {
        d[5] = '1';
        d[6] = d[6] == 'A' ? '9' : '8';
    }
    for (int i = 0; i < 13; i++)
        rem = (rem * 10 + (unsigned)(d[i] - '0')) % 97;
    return num(d + 13, 2) == 97 - rem;
}


/* ---- Netherlands ------------------------------------------------------- */

int veil__valid_nl_bsn(const char *s, size_t len)
{
    static const char *const shapes[] = {"ddddddddd", "dddd.dd.ddd", "ddd ddd ddd", "ddd-ddd-ddd",
                                         NULL};
    char d[12];
    int sum = 0;

    if (match_shape(s, len, "dddddddd", d + 1))
        d[0] = '0'; /* old numbers lost their leading 0 */
    else if (!match_shapes(s, len, shapes, d))
        return 0;
    if (all_same(d, 9) && d[0] == '0')
        return 0;
    /* The "11-test": weights 9..2, and -1 for the last digit. */
    for (int i = 0; i < 8; i++)
        sum += (9 - i) * (d[i] - '0');
    sum -= d[8] - '0';
    return sum % 11 == 0;
}


/* ---- Brazil ------------------------------------------------------------ */

/* A CPF check digit over the first <n> digits, weights n+1 down to 2. */
static int cpf_digit(const char *d, int n)
{
    int sum = 0, r;

    for (int i = 0; i < n; i++)
        sum += (n + 1 - i) * (d[i] - '0');
    r = sum % 11;
    return r < 2 ? 0 : 11 - r;
}

int veil__valid_br_cpf(const char *s, size_t len)
{
    /* Bare, formatted, and with only the check digits set apart. */
    static const char *const shapes[] = {"ddddddddddd", "ddd.ddd.ddd-dd", "ddddddddd-dd", NULL};
    char d[16];

    if (!match_shapes(s, len, shapes, d) || all_same(d, 11))
        return 0;
    return cpf_digit(d, 9) == d[9] - '0' && cpf_digit(d, 10) == d[10] - '0';
}


/* ---- India (Aadhaar, Verhoeff) ----------------------------------------- */

static int verhoeff_ok(const char *d, size_t n)
{
    /* d: multiplication in the dihedral group D5; p: the position
       permutation, which is what catches adjacent transpositions. */
    static const unsigned char mul[10][10] = {
        {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5},
        {2, 3, 4, 0, 1, 7, 8, 9, 5, 6}, {3, 4, 0, 1, 2, 8, 9, 5, 6, 7},
        {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
        {6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3},
        {8, 7, 6, 5, 9, 3, 2, 1, 0, 4}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
    };
    static const unsigned char perm[8][10] = {
        {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4},
        {5, 8, 0, 3, 7, 9, 6, 1, 4, 2}, {8, 9, 1, 6, 0, 4, 3, 5, 2, 7},
        {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
        {2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8},
    };
    unsigned c = 0;

    for (size_t i = 0; i < n; i++)
        c = mul[c][perm[i % 8][d[n - 1 - i] - '0']];
    return c == 0;
}

int veil__valid_verhoeff(const char *s, size_t len)
{
    static const char *const shapes[] = {"dddddddddddd", "dddd dddd dddd", "dddd-dddd-dddd", NULL};
    char d[16];

    /* UIDAI never issues Aadhaar numbers starting with 0 or 1. */
    return match_shapes(s, len, shapes, d) && d[0] >= '2' && verhoeff_ok(d, 12);
}


/* ---- dates (shared by cn_id and date) ---------------------------------- */

static int days_in_month(unsigned y, unsigned m)
{
    static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return days[m - 1];
}

static int real_date(unsigned y, unsigned m, unsigned d)
{
    return m >= 1 && m <= 12 && d >= 1 && d <= (unsigned)days_in_month(y, m);
}


/* ---- China ------------------------------------------------------------- */

int veil__valid_cn_id(const char *s, size_t len)
{
    /* ISO 7064 MOD 11-2: weight of position i is 2^(17-i) mod 11, and the
       remainder maps to the check character through this table. */
    static const unsigned char w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char checks[] = "10X98765432";
    unsigned sum = 0, year;
    char last;

    if (len != 18)
        return 0;
    for (int i = 0; i < 17; i++)
        if (!is_digit(s[i]))
            return 0;
    /* Region codes start with 1-8 (GB/T 2260). */
    if (s[0] < '1' || s[0] > '8')
        return 0;
    year = num(s + 6, 4);
    if (year < 1900 || year > 2099 || !real_date(year, num(s + 10, 2), num(s + 12, 2)))
        return 0;
    for (int i = 0; i < 17; i++)
        sum += w[i] * (unsigned)(s[i] - '0');
    last = s[17] == 'x' ? 'X' : s[17];
    return last == checks[sum % 11];
}


/* ---- GitHub tokens ----------------------------------------------------- */

/* CRC-32 (IEEE, reflected polynomial 0xEDB88320) four bits at a time: a
   16-entry table is small enough to read and the input is 30 bytes. */
static uint32_t crc32_ieee(const char *p, size_t n)
{
    static const uint32_t t[16] = {
        0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC, 0x76DC4190, 0x6B6B51F4,
        0x4DB26158, 0x5005713C, 0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C,
        0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C,
    };
    uint32_t crc = 0xFFFFFFFFu;

    for (size_t i = 0; i < n; i++) {
        crc ^= (unsigned char)p[i];
        crc = (crc >> 4) ^ t[crc & 15];
        crc = (crc >> 4) ^ t[crc & 15];
    }
    return crc ^ 0xFFFFFFFFu;
}

static int base62_value(char c)
{
    if (is_digit(c))
        return c - '0';
    if (is_upper(c))
        return c - 'A' + 10;
    if (is_lower(c))
        return c - 'a' + 36;
    return -1;
}

static int all_alnum(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_alnum(s[i]))
            return 0;
    return 1;
}

/* Fine-grained PATs carry no public checksum: github_pat_ + 22 + _ + 59. */
static int github_pat_ok(const char *s, size_t len)
{
    return len == 93 && memcmp(s, "github_pat_", 11) == 0 && all_alnum(s + 11, 22) &&
           s[33] == '_' && all_alnum(s + 34, 59);
}

int veil__valid_github_token(const char *s, size_t len)
{
    uint64_t encoded = 0;

    if (len >= 11 && memcmp(s, "github_pat_", 11) == 0)
        return github_pat_ok(s, len);
    /* Classic tokens: gh[pousr]_ + 30 random + 6 base62 digits of their
       CRC-32, most significant first. */
    if (len != 40 || s[0] != 'g' || s[1] != 'h' || s[3] != '_' || s[2] == '\0' ||
        strchr("pousr", s[2]) == NULL)
        return 0;
    if (!all_alnum(s + 4, 36))
        return 0;
    for (int i = 34; i < 40; i++)
        encoded = encoded * 62 + (uint64_t)base62_value(s[i]);
    return encoded == crc32_ieee(s + 4, 30);
}


/* ---- JWT --------------------------------------------------------------- */

/* base64 orders its alphabet A-Z a-z 0-9, unlike base62 above. */
static int b64url_value(char c)
{
    if (is_upper(c))
        return c - 'A';
    if (is_lower(c))
        return c - 'a' + 26;
    if (is_digit(c))
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

/* A segment of unpadded base64url: alphabet only, and a length that is not
   1 mod 4 (one leftover character cannot encode a byte). */
static int b64url_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (b64url_value(s[i]) < 0)
            return 0;
    return n % 4 != 1;
}

/* Decodes the unpadded base64url <s> (checked by b64url_ok) into <out>,
   stopping after <cap> bytes. Returns the number of bytes written. */
static size_t b64url_decode(const char *s, size_t n, unsigned char *out, size_t cap)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;

    for (size_t i = 0; i < n && o < cap; i++) {
        acc = (acc << 6) | (uint32_t)b64url_value(s[i]);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
            acc &= (UINT32_C(1) << bits) - 1;
        }
    }
    return o;
}

static size_t json_ws(const unsigned char *j, size_t n, size_t i)
{
    while (i < n && (j[i] == ' ' || j[i] == '\t' || j[i] == '\n' || j[i] == '\r'))
        i++;
    return i;
}

/* Skips the JSON string starting at the quote j[i]; returns the index after
   the closing quote, or 0 when it does not close. */
static size_t json_string_end(const unsigned char *j, size_t n, size_t i)
{
    for (i++; i < n; i++) {
        if (j[i] == '\\')
            i++;
        else if (j[i] == '"')
            return i + 1;
        else if (j[i] < 0x20)
            return 0;
    }
    return 0;
}

/* Skips one JSON value at j[i]. Nested containers are skipped by counting
   brackets outside strings, without recursion. Returns the index after the
   value, or 0 when it is cut or malformed. */
static size_t json_value_end(const unsigned char *j, size_t n, size_t i)
{
    size_t depth = 0;

    if (i >= n)
        return 0;
    if (j[i] == '"')
        return json_string_end(j, n, i);
    if (j[i] != '{' && j[i] != '[') {
        size_t start = i;

        /* number, true, false, null: a run of their characters */
        while (i < n && (is_alnum((char)j[i]) || j[i] == '-' || j[i] == '+' || j[i] == '.'))
            i++;
        return i > start ? i : 0;
    }
    while (i < n) {
        if (j[i] == '"') {
            i = json_string_end(j, n, i);
            if (i == 0)
                return 0;
            continue;
        }
        if (j[i] == '{' || j[i] == '[')
            depth++;
        else if (j[i] == '}' || j[i] == ']') {
            if (--depth == 0)
                return i + 1;
        }
        i++;
    }
    return 0;
}

/* 1 when <j> is a JSON object with a top-level "alg" member whose value is
   a string. */
static int json_has_alg(const unsigned char *j, size_t n)
{
    size_t i = json_ws(j, n, 0);

    if (i >= n || j[i] != '{')
        return 0;
    for (i = json_ws(j, n, i + 1); i < n && j[i] == '"';) {
        size_t key = i, key_end = json_string_end(j, n, i);
        int is_alg;

        if (key_end == 0)
            return 0;
        is_alg = key_end - key == 5 && memcmp(j + key, "\"alg\"", 5) == 0;
        i = json_ws(j, n, key_end);
        if (i >= n || j[i] != ':')
            return 0;
        i = json_ws(j, n, i + 1);
        if (is_alg)
            return i < n && j[i] == '"' && json_string_end(j, n, i) != 0;
        i = json_value_end(j, n, i);
        if (i == 0)
            return 0;
        i = json_ws(j, n, i);
        if (i >= n || j[i] != ',')
            return 0;
        i = json_ws(j, n, i + 1);
    }
    return 0;
}

int veil__valid_jwt(const char *s, size_t len)
{
    unsigned char buf[1024];
    const char *dot1 = memchr(s, '.', len), *dot2;
    size_t hlen, plen, slen, n, i;

    if (dot1 == NULL)
        return 0;
    dot2 = memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - s));
    if (dot2 == NULL)
        return 0;
    hlen = (size_t)(dot1 - s);
    plen = (size_t)(dot2 - dot1 - 1);
    slen = len - (size_t)(dot2 + 1 - s);
    /* An empty signature is alg "none": a token, but not a credential. */
    if (hlen == 0 || plen == 0 || slen == 0 || !b64url_ok(s, hlen) || !b64url_ok(dot1 + 1, plen) ||
        !b64url_ok(dot2 + 1, slen))
        return 0;
    /* A header that does not fit in 1 KiB is not one anybody sends. */
    if (hlen * 3 / 4 > sizeof(buf))
        return 0;
    n = b64url_decode(s, hlen, buf, sizeof(buf));
    if (!json_has_alg(buf, n))
        return 0;
    /* The payload only has to look like the start of an object, so its
       first bytes are enough. */
    n = b64url_decode(dot1 + 1, plen, buf, 64);
    i = json_ws(buf, n, 0);
    return i < n && buf[i] == '{';
}


/* ---- network ----------------------------------------------------------- */

int veil__valid_ipv4(const char *s, size_t len)
{
    size_t i = 0;

    for (int part = 0; part < 4; part++) {
        size_t start = i;

        if (part > 0) {
            if (i >= len || s[i] != '.')
                return 0;
            start = ++i;
        }
        while (i < len && is_digit(s[i]) && i - start < 3)
            i++;
        if (i == start || (i - start > 1 && s[start] == '0') || num(s + start, i - start) > 255)
            return 0;
    }
    return i == len;
}

/* RFC 6874 zone identifiers: unreserved characters, at least one. */
static int ipv6_zone_ok(const char *z, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_alnum(z[i]) && strchr("-._~", z[i]) == NULL)
            return 0;
    return 1;
}

int veil__valid_ipv6(const char *s, size_t len)
{
    const char *pct = memchr(s, '%', len);
    size_t n = pct != NULL ? (size_t)(pct - s) : len;
    size_t i = 0, groups = 0;
    int compressed = 0;

    if (pct != NULL && !ipv6_zone_ok(pct + 1, len - n - 1))
        return 0;
    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        compressed = 1;
        i = 2;
    } else if (n >= 1 && s[0] == ':') {
        return 0; /* a single leading colon */
    }
    while (i < n) {
        size_t start = i;

        while (i < n && hex_value(s[i]) >= 0 && i - start < 5)
            i++;
        if (i < n && s[i] == '.') {
            /* dotted IPv4 in the last 32 bits: it must end the address */
            if (groups > 6 || !veil__valid_ipv4(s + start, n - start))
                return 0;
            groups += 2;
            i = n;
            break;
        }
        if (i == start || i - start > 4 || ++groups > 8)
            return 0;
        if (i == n)
            break;
        if (s[i++] != ':' || i == n)
            return 0; /* junk, or a single trailing colon */
        if (s[i] == ':') {
            if (compressed)
                return 0; /* a second :: */
            compressed = 1;
            i++;
        }
    }
    /* "::" stands for at least one group of zeros. */
    return compressed ? groups <= 7 : groups == 8;
}

int veil__valid_mac(const char *s, size_t len)
{
    static const char *const shapes[] = {"xx:xx:xx:xx:xx:xx", "xx-xx-xx-xx-xx-xx", "xxxx.xxxx.xxxx",
                                         NULL};
    char d[20];
    int zeros = 1, ones = 1;

    if (!match_shapes(s, len, shapes, d))
        return 0;
    for (int i = 0; i < 12; i++) {
        zeros &= d[i] == '0';
        ones &= d[i] == 'f' || d[i] == 'F';
    }
    /* All zeros and broadcast are placeholders, not a device. */
    return !zeros && !ones;
}


/* ---- calendar dates ---------------------------------------------------- */

static int year_ok(unsigned y)
{
    return y >= 1900 && y <= 2030;
}

/* Reads 1 or 2 digits at s[*i]; returns the value or -1. */
static int day_or_month(const char *s, size_t len, size_t *i)
{
    size_t start = *i;

    while (*i < len && is_digit(s[*i]) && *i - start < 2)
        (*i)++;
    return *i == start ? -1 : (int)num(s + start, *i - start);
}

/* YYYY-MM-DD and YYYY/MM/DD: two-digit month and day, as ISO 8601 has. */
static int date_year_first(const char *s, size_t len)
{
    char d[12];
    unsigned y;

    if (!match_shape(s, len, "dddd-dd-dd", d) && !match_shape(s, len, "dddd/dd/dd", d))
        return 0;
    y = num(d, 4);
    return year_ok(y) && real_date(y, num(d + 4, 2), num(d + 6, 2));
}

/* D/M/YYYY, M/D/YYYY, D.M.YYYY and D-M-YYYY, with one- or two-digit day and
   month. Slashes and dashes are written both ways round (Europe, US), so
   either reading may make it real; dots are day first everywhere. */
static int date_year_last(const char *s, size_t len)
{
    size_t i = 0;
    int a, b;
    char sep;
    unsigned y;

    a = day_or_month(s, len, &i);
    if (a < 0 || i >= len || strchr("/.-", s[i]) == NULL)
        return 0;
    sep = s[i++];
    b = day_or_month(s, len, &i);
    if (b < 0 || i >= len || s[i] != sep || len - i - 1 != 4)
        return 0;
    for (size_t k = i + 1; k < len; k++)
        if (!is_digit(s[k]))
            return 0;
    y = num(s + i + 1, 4);
    if (!year_ok(y))
        return 0;
    if (real_date(y, (unsigned)b, (unsigned)a))
        return 1;
    return sep != '.' && real_date(y, (unsigned)a, (unsigned)b);
}

int veil__valid_date(const char *s, size_t len)
{
    /* The two families cannot both match: one starts with four digits and
       a separator, the other has a separator within its first three. */
    return date_year_first(s, len) || date_year_last(s, len);
}


/* ---- lookup by name ---------------------------------------------------- */

static const struct {
    const char *name;
    veil__validator_fn fn;
} validators[] = {
    {"luhn", veil__valid_luhn},
    {"card", veil__valid_card},
    {"iban", veil__valid_iban},
    {"aba", veil__valid_aba},
    {"us_ssn", veil__valid_us_ssn},
    {"us_itin", veil__valid_us_itin},
    {"uk_nino", veil__valid_uk_nino},
    {"uk_nhs", veil__valid_uk_nhs},
    {"ca_sin", veil__valid_ca_sin},
    {"es_dni", veil__valid_es_dni},
    {"es_nie", veil__valid_es_nie},
    {"it_fiscal", veil__valid_it_fiscal},
    {"fr_nir", veil__valid_fr_nir},
    {"nl_bsn", veil__valid_nl_bsn},
    {"br_cpf", veil__valid_br_cpf},
    {"verhoeff", veil__valid_verhoeff},
    {"cn_id", veil__valid_cn_id},
    {"github_token", veil__valid_github_token},
    {"jwt", veil__valid_jwt},
    {"ipv4", veil__valid_ipv4},
    {"ipv6", veil__valid_ipv6},
    {"mac", veil__valid_mac},
    {"date", veil__valid_date},
    /* validators_ids.c, validators_finance.c, validators_secrets.c */
    {"us_passport", veil__valid_us_passport},
    {"us_driver_licence", veil__valid_us_driver_licence},
    {"us_npi", veil__valid_us_npi},
    {"us_dea", veil__valid_us_dea},
    {"us_mbi", veil__valid_us_mbi},
    {"us_ein", veil__valid_us_ein},
    {"uk_passport", veil__valid_uk_passport},
    {"uk_driving_licence", veil__valid_uk_driving_licence},
    {"uk_postcode", veil__valid_uk_postcode},
    {"de_steuer_id", veil__valid_de_steuer_id},
    {"de_id_document", veil__valid_de_id_document},
    {"de_rvnr", veil__valid_de_rvnr},
    {"pl_pesel", veil__valid_pl_pesel},
    {"se_personnummer", veil__valid_se_personnummer},
    {"fi_hetu", veil__valid_fi_hetu},
    {"es_passport", veil__valid_es_passport},
    {"it_passport", veil__valid_it_passport},
    {"it_partita_iva", veil__valid_it_partita_iva},
    {"au_tfn", veil__valid_au_tfn},
    {"au_abn", veil__valid_au_abn},
    {"au_medicare", veil__valid_au_medicare},
    {"in_pan", veil__valid_in_pan},
    {"in_gstin", veil__valid_in_gstin},
    {"kr_rrn", veil__valid_kr_rrn},
    {"kr_rrn_shape", veil__valid_kr_rrn_shape},
    {"sg_nric", veil__valid_sg_nric},
    {"za_id", veil__valid_za_id},
    {"tr_tckn", veil__valid_tr_tckn},
    {"bic", veil__valid_bic},
    {"btc_address", veil__valid_btc_address},
    {"eth_address", veil__valid_eth_address},
    {"eth_checksum", veil__valid_eth_checksum},
    {"imei", veil__valid_imei},
    {"vin", veil__valid_vin},
    {"vin_shape", veil__valid_vin_shape},
    {"openai_key", veil__valid_openai_key},
    {"anthropic_key", veil__valid_anthropic_key},
    {"google_api_key", veil__valid_google_api_key},
    {"gitlab_token", veil__valid_gitlab_token},
    {"npm_token", veil__valid_npm_token},
    {"pypi_token", veil__valid_pypi_token},
    {"sendgrid_key", veil__valid_sendgrid_key},
    {"twilio_sid", veil__valid_twilio_sid},
    {"slack_webhook", veil__valid_slack_webhook},
    {"azure_account_key", veil__valid_azure_account_key},
    {"gcp_sa_email", veil__valid_gcp_sa_email},
    {"gcp_service_account", veil__valid_gcp_service_account},
};

#define N_VALIDATORS (sizeof(validators) / sizeof(validators[0]))

veil__validator_fn veil__validator_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < N_VALIDATORS; i++)
        if (strcmp(validators[i].name, name) == 0)
            return validators[i].fn;
    return NULL;
}

const char *const *veil__validator_names(void)
{
    /* Kept in step with validators[] by the unit test. */
    static const char *const names[N_VALIDATORS + 1] = {
        "luhn",
        "card",
        "iban",
        "aba",
        "us_ssn",
        "us_itin",
        "uk_nino",
        "uk_nhs",
        "ca_sin",
        "es_dni",
        "es_nie",
        "it_fiscal",
        "fr_nir",
        "nl_bsn",
        "br_cpf",
        "verhoeff",
        "cn_id",
        "github_token",
        "jwt",
        "ipv4",
        "ipv6",
        "mac",
        "date",
        "us_passport",
        "us_driver_licence",
        "us_npi",
        "us_dea",
        "us_mbi",
        "us_ein",
        "uk_passport",
        "uk_driving_licence",
        "uk_postcode",
        "de_steuer_id",
        "de_id_document",
        "de_rvnr",
        "pl_pesel",
        "se_personnummer",
        "fi_hetu",
        "es_passport",
        "it_passport",
        "it_partita_iva",
        "au_tfn",
        "au_abn",
        "au_medicare",
        "in_pan",
        "in_gstin",
        "kr_rrn",
        "kr_rrn_shape",
        "sg_nric",
        "za_id",
        "tr_tckn",
        "bic",
        "btc_address",
        "eth_address",
        "eth_checksum",
        "imei",
        "vin",
        "vin_shape",
        "openai_key",
        "anthropic_key",
        "google_api_key",
        "gitlab_token",
        "npm_token",
        "pypi_token",
        "sendgrid_key",
        "twilio_sid",
        "slack_webhook",
        "azure_account_key",
        "gcp_sa_email",
        "gcp_service_account",
        NULL,
    };

    return names;
}
