/*
 * National and health identifiers (see validators.h for the contract):
 * US, UK, DE, PL, SE, FI, ES, IT, AU, IN, KR, SG, ZA and TR numbers.
 *
 * Each validator is written from the publication that defines the number,
 * named above it. Where that publication defines no check digit (passports,
 * driving licences), the validator checks the structure only and the
 * catalog asks for a context word. Letters may be typed in lower case; they
 * are compared as upper case. Nothing here allocates.
 */
#include "validators.h"

#include "shapes.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>


/* ---- character helpers ------------------------------------------------ */

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}
static int is_letter(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
static char upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* strchr() finds the terminator too: a NUL in the input is in no set. */
static int in_set(char c, const char *set)
{
    return c != '\0' && strchr(set, c) != NULL;
}

/* The value of <n> decimal digits at <d> (the caller checked they are). */
static unsigned num(const char *d, size_t n)
{
    unsigned v = 0;

    for (size_t i = 0; i < n; i++)
        v = v * 10 + (unsigned)(d[i] - '0');
    return v;
}

static int all_same(const char *s, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (s[i] != s[0])
            return 0;
    return 1;
}

/*
 * fit(): 1 when <s> has exactly the layout <shape>: 'd' a digit, 'A' a
 * letter, 'X' a letter or digit, any other character itself. The characters
 * standing for 'd', 'A' and 'X' are copied to <out>, letters in upper case,
 * NUL-terminated (<out> holds strlen(shape) + 1). Fixed layouts let
 * separators appear only where the format prints them. Inlined at every
 * call, so that strlen() of a literal shape is a constant: a run of ten or
 * thirteen digits (epoch seconds, milliseconds) is tried against a dozen
 * shapes, and the calls to strlen() were a fifth of the validators' work.
 * The loop is unrolled over the literal's length too, so that every test
 * of shape[i] is decided when compiling: a digit's place costs a compare
 * and a store, not a read of the shape and three tests.
 */
static inline __attribute__((always_inline)) int fit(const char *s, size_t len, const char *shape,
                                                     char *out)
{
    size_t n = 0;
    const size_t shape_len = strlen(shape);

    if (shape_len != len)
        return 0;
#pragma GCC unroll 16
    for (size_t i = 0; i < shape_len; i++) {
        char k = shape[i], c = s[i];

        if (k == 'd'   ? !is_digit(c)
            : k == 'A' ? !is_letter(c)
            : k == 'X' ? !is_digit(c) && !is_letter(c)
                       : c != k)
            return 0;
        if (k == 'd' || k == 'A' || k == 'X')
            out[n++] = upper(c);
    }
    out[n] = '\0';
    return 1;
}

/* The first of the <count> shapes at <shapes> that <s> fits. */
static inline __attribute__((always_inline)) int
fit_n(const char *s, size_t len, const char *const *shapes, size_t count, char *out)
{
    /* (unrolled too: each shape of a static list is then a literal when
       compiling, and fit() folds with it) */
#pragma GCC unroll 8
    for (size_t k = 0; k < count; k++)
        if (fit(s, len, shapes[k], out))
            return 1;
    return 0;
}

/* The first of the shapes of the static, NULL-terminated list <shapes>
   that <s> fits (its length taken when compiling). */
#define fit_any(s, len, shapes, out) fit_n((s), (len), (shapes), SHAPES_COUNT(shapes), (out))

static int leap(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int real_date(unsigned y, unsigned m, unsigned d)
{
    static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (m < 1 || m > 12 || d < 1)
        return 0;
    return d <= days[m - 1] + (unsigned)(m == 2 && leap(y));
}

/* A date whose century is not written: real in either the 1900s or the
   2000s (29 February of a year ending 00 is real in 2000 only). */
static int real_date_yy(unsigned yy, unsigned m, unsigned d)
{
    return real_date(1900 + yy, m, d) || real_date(2000 + yy, m, d);
}

/* Luhn (ISO/IEC 7812-1 annex B) over <n> digits, the last being the check. */
static int luhn_ok(const char *d, size_t n)
{
    unsigned sum = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned v = (unsigned)(d[n - 1 - i] - '0');

        if (i % 2 == 1)
            v = v * 2 > 9 ? v * 2 - 9 : v * 2;
        sum += v;
    }
    return sum % 10 == 0;
}


/* ---- United States ---------------------------------------------------- */

/*
 * US passport book and card numbers (US Department of State, 22 CFR 51.4;
 * the Next Generation Passport from 2021 prints a letter and 8 digits, older
 * books 9 digits, passport cards "C" and 8 digits). No check digit is
 * published, so the structure is all there is.
 */
int veil__valid_us_passport(const char *s, size_t len)
{
    char d[12];

    if (fit(s, len, "ddddddddd", d))
        return !all_same(d, 9) && strcmp(d, "123456789") != 0;
    return fit(s, len, "Adddddddd", d) && !all_same(d + 1, 8);
}

/*
 * Driving licence numbers by state, from the National Traffic Safety
 * Institute's state format table (ntsi.com/drivers-license-format): "1Alpha
 * + 7Numeric" is written "a1n7", "1-8Numeric" "n1-8". Upper-case letters in
 * a format stand for themselves (Missouri's trailing R, Nevada's X,
 * Vermont's A). New York's all-letter format (8 letters) is left out: any
 * eight-letter word would pass it.
 */
/* clang-format off */
static const char *const dl_formats[] = {
    "n1-8",                                    /* AL */
    "n1-7",                                    /* AK, DE */
    "a1n8", "n9",                              /* AZ, HI, MA, KY ... */
    "n4-9",                                    /* AR */
    "a1n7",                                    /* CA, NY */
    "a1n3-6", "a2n2-5",                        /* CO */
    "n7",                                      /* DC, RI, WV */
    "a1n12",                                   /* FL, MD, MN, IL, MI */
    "n7-9",                                    /* GA, TN */
    "a2n6a1",                                  /* ID */
    "a1n11",                                   /* IL */
    "a1n9", "n10",                             /* IN, KY, OK */
    "n3a2n4",                                  /* IA */
    "a1n1a1n1a1",                              /* KS */
    "n7a1", "n8",                              /* ME, NM, PA, NY */
    "a1n10",                                   /* MI */
    "a1n5-9", "a1n6R", "n8a2", "n9a1",         /* MO */
    "n13", "n14",                              /* MT */
    "a1n6-8",                                  /* NE */
    "n12", "Xn8",                              /* NV */
    "n2a3n5",                                  /* NH */
    "a1n14",                                   /* NJ */
    "a1n18", "n16",                            /* NY */
    "n1-12",                                   /* NC */
    "a3n6",                                    /* ND */
    "a1n4-8", "a2n3-7",                        /* OH */
    "n5-11",                                   /* SC */
    "n6-10",                                   /* SD */
    "n4-10",                                   /* UT */
    "n7A",                                     /* VT */
    "a1n8-11",                                 /* VA */
    "a1-2n5-6",                                /* WV */
    "a1n13",                                   /* WI */
    "n9-10",                                   /* WY */
    NULL,
};
/* clang-format on */

/* Reads a count ("7") or range ("5-9") at *f. */
static void dl_count(const char **f, unsigned *lo, unsigned *hi)
{
    unsigned v = 0;

    while (is_digit(**f))
        v = v * 10 + (unsigned)(*(*f)++ - '0');
    *lo = *hi = v;
    if (**f == '-') {
        (*f)++;
        v = 0;
        while (is_digit(**f))
            v = v * 10 + (unsigned)(*(*f)++ - '0');
        *hi = v;
    }
}

/* 1 when the upper-case compact string <s> matches the format <f>; ranges
   are tried longest first, with backtracking (formats have at most three
   terms and strings at most 19 characters). */
static int dl_match(const char *s, size_t n, const char *f)
{
    unsigned lo, hi;
    char cls;

    if (*f == '\0')
        return n == 0;
    cls = *f++;
    if (cls >= 'A' && cls <= 'Z')
        return n > 0 && s[0] == cls && dl_match(s + 1, n - 1, f);
    dl_count(&f, &lo, &hi);
    for (unsigned k = 0; k < lo; k++)
        if (k >= n || (cls == 'n' ? !is_digit(s[k]) : !is_letter(s[k])))
            return 0;
    for (unsigned k = lo; k <= hi && k <= n; k++) {
        if (dl_match(s + k, n - k, f))
            return 1;
        if (k == n || (cls == 'n' ? !is_digit(s[k]) : !is_letter(s[k])))
            break;
    }
    return 0;
}

/* Washington: until 2018 twelve characters, the surname padded with '*'
   (five letters, initials, three digits, two check characters); since then
   "WDL" and nine letters or digits. */
static int dl_washington(const char *s, size_t n)
{
    if (n != 12 || !is_letter(s[0]))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!is_digit(s[i]) && !is_letter(s[i]) && s[i] != '*')
            return 0;
    return 1;
}

/*
 * Any state's format, after dropping the single spaces or dashes some
 * states print between groups (FL "S123-456-78-901-0"). Five characters at
 * least: shorter numbers (AL, AK, DE, LA, NC, OR allow them) cannot be told
 * from any small count, context or not.
 */
int veil__valid_us_driver_licence(const char *s, size_t len)
{
    char c[20];
    size_t n = 0;

    for (size_t i = 0; i < len; i++) {
        char ch = s[i];

        if (ch == ' ' || ch == '-') {
            if (i == 0 || i + 1 == len || s[i - 1] == ' ' || s[i - 1] == '-')
                return 0;
            continue;
        }
        if (!is_digit(ch) && !is_letter(ch) && ch != '*')
            return 0;
        if (n == sizeof(c) - 1)
            return 0;
        c[n++] = upper(ch);
    }
    c[n] = '\0';
    if (n < 5 || all_same(c, n))
        return 0;
    if (dl_washington(c, n))
        return 1;
    if (memchr(c, '*', n) != NULL)
        return 0;
    for (const char *const *f = dl_formats; *f != NULL; f++)
        if (dl_match(c, n, *f))
            return 1;
    return 0;
}

/* dl_fits[l] bit d: some format takes l letters (its 'a' terms and
   upper-case letters) and d digits ('n' terms), l + d <= 19; read once
   from dl_formats. */
static uint32_t dl_fits[20];
static pthread_once_t dl_fits_once = PTHREAD_ONCE_INIT;

static void dl_fits_build(void)
{
    for (size_t k = 0; dl_formats[k] != NULL; k++) {
        const char *f = dl_formats[k];
        unsigned lmin = 0, lmax = 0, dmin = 0, dmax = 0, lo, hi;
        while (*f != '\0') {
            char cls = *f++;
            if (cls >= 'A' && cls <= 'Z') {
                lmin++;
                lmax++;
                continue;
            }
            dl_count(&f, &lo, &hi);
            if (cls == 'n') {
                dmin += lo;
                dmax += hi;
            } else {
                lmin += lo;
                lmax += hi;
            }
        }
        for (unsigned l = lmin; l <= lmax && l < 20; l++) {
            for (unsigned d = dmin; d <= dmax && d < 20; d++) {
                dl_fits[l] |= 1u << d;
            }
        }
    }
}

int veil__us_driver_licence_may_be(const char *s, size_t len)
{
    unsigned letters = 0, digits = 0;
    int first_letter = -1;

    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (ch == ' ' || ch == '-') {
            continue;
        }
        if (is_digit(ch)) {
            digits++;
        } else if (is_letter(ch)) {
            letters++;
        } else {
            return 1; /* ('*' and the rest: the validator judges) */
        }
        if (first_letter < 0) {
            first_letter = is_letter(ch);
        }
    }
    return veil__us_driver_licence_counts_fit(letters, digits, first_letter == 1);
}

int veil__us_driver_licence_counts_fit(unsigned letters, unsigned digits, int letter_first)
{
    unsigned n = letters + digits;

    if (n < 5 || n > 19) {
        return 0;
    }
    if (n == 12 && letter_first) {
        return 1; /* Washington's formats take any such string */
    }
    pthread_once(&dl_fits_once, dl_fits_build);
    return (int)(dl_fits[letters] >> digits & 1);
}

/*
 * National Provider Identifier (CMS, "Requirements for National Provider
 * Identifier (NPI) and NPI Enumerator Check Digit Algorithm", 45 CFR
 * 162.406): ten digits, the first 1 or 2, the last a Luhn check digit
 * computed over the nine others prefixed with 80840 (the ISO 7812 issuer
 * prefix of the card the NPI may appear on). The prefix adds a constant 24
 * to the Luhn sum.
 */
int veil__valid_us_npi(const char *s, size_t len)
{
    char d[16], full[16];

    if (!fit(s, len, "dddddddddd", d) || (d[0] != '1' && d[0] != '2'))
        return 0;
    memcpy(full, "80840", 5);
    memcpy(full + 5, d, 10);
    return luhn_ok(full, 15);
}

/*
 * DEA registration number (21 CFR 1301; check digit as the DEA Diversion
 * Control Division describes it): two letters and seven digits. The first
 * letter is the registrant type (A B F G: practitioners and hospitals before
 * 1985 and after; M mid-level practitioners; P R manufacturers, distributors;
 * X the DATA-waiver prescribers; C D E H J K L S T U the other business
 * activities); the second is the initial of the registrant's surname, or 9
 * for a business. Check digit: the last digit of (d1 + d3 + d5) + 2 * (d2 +
 * d4 + d6).
 */
int veil__valid_us_dea(const char *s, size_t len)
{
    char d[12];
    unsigned sum;

    if (!fit(s, len, "AXddddddd", d))
        return 0;
    if (!in_set(d[0], "ABCDEFGHJKLMPRSTUX"))
        return 0;
    if (!is_letter(d[1]) && d[1] != '9')
        return 0;
    sum = (unsigned)(d[2] - '0') + (unsigned)(d[4] - '0') + (unsigned)(d[6] - '0') +
          2 * ((unsigned)(d[3] - '0') + (unsigned)(d[5] - '0') + (unsigned)(d[7] - '0'));
    return (unsigned)(d[8] - '0') == sum % 10;
}

/*
 * Medicare Beneficiary Identifier (CMS, "Understanding the Medicare
 * Beneficiary Identifier (MBI) Format"): 11 characters, C A AN N A AN N A A
 * N N, where C is 1-9, N 0-9, A a letter other than S L O I B Z and AN
 * either. Printed without dashes, or as 4-3-4 with dashes.
 */
static int mbi_letter(char c)
{
    return is_letter(c) && !in_set(c, "SLOIBZ");
}

int veil__valid_us_mbi(const char *s, size_t len)
{
    static const char *const shapes[] = {"XXXXXXXXXXX", "XXXX-XXX-XXXX", NULL};
    static const char roles[] = "CAXNAXNAANN";
    char d[16];

    if (!fit_any(s, len, shapes, d))
        return 0;
    for (int i = 0; i < 11; i++) {
        char c = d[i];
        int ok;

        switch (roles[i]) {
        case 'C':
            ok = c >= '1' && c <= '9';
            break;
        case 'N':
            ok = is_digit(c);
            break;
        case 'A':
            ok = mbi_letter(c);
            break;
        default:
            ok = is_digit(c) || mbi_letter(c);
            break;
        }
        if (!ok)
            return 0;
    }
    return 1;
}

/*
 * Employer Identification Number (IRS, "How EINs are assigned and valid EIN
 * prefixes"): XX-XXXXXXX, the prefix naming the campus (or the Internet or
 * SBA) that assigned it. The union of the prefixes the IRS lists (it moved
 * some between campuses over time) leaves 17 never assigned.
 */
int veil__valid_us_ein(const char *s, size_t len)
{
    static const char *const shapes[] = {"dd-ddddddd", "ddddddddd", NULL};
    static const unsigned char never[] = {0,  7,  8,  9,  17, 18, 19, 28, 29,
                                          49, 69, 70, 78, 79, 89, 96, 97};
    char d[12];
    unsigned prefix;

    if (!fit_any(s, len, shapes, d))
        return 0;
    prefix = num(d, 2);
    for (size_t i = 0; i < sizeof(never); i++)
        if (prefix == never[i])
            return 0;
    return memcmp(d + 2, "0000000", 7) != 0;
}


/* ---- United Kingdom --------------------------------------------------- */

/* UK passport (HM Passport Office): nine digits, no published check digit
   outside the machine-readable zone. */
int veil__valid_uk_passport(const char *s, size_t len)
{
    char d[12];

    return fit(s, len, "ddddddddd", d) && !all_same(d, 9) && strcmp(d, "123456789") != 0;
}

/*
 * DVLA driving licence number (DVLA, "Your driving licence number",
 * INF1D): 16 characters. 1-5 the first five letters of the surname padded
 * with 9s; 6 the decade of birth; 7-8 the month of birth, plus 50 for women;
 * 9-10 the day; 11 the year digit; 12-13 the initials, 9 when there is no
 * second; 14 an arbitrary digit (usually 9); 15-16 two computer check
 * characters. Printed as one run or with spaces after the surname and the
 * date (MORGA 753116 SM9IJ).
 */
int veil__valid_uk_driving_licence(const char *s, size_t len)
{
    static const char *const shapes[] = {"XXXXXddddddXXdXX", "XXXXX dddddd XXdXX", NULL};
    char d[20];
    unsigned month, day;
    size_t i = 0;

    if (!fit_any(s, len, shapes, d))
        return 0;
    /* Surname: at least one letter, then letters, then only 9s. */
    if (!is_letter(d[0]))
        return 0;
    while (i < 5 && is_letter(d[i]))
        i++;
    while (i < 5 && d[i] == '9')
        i++;
    if (i != 5)
        return 0;
    month = num(d + 6, 2);
    if (month > 50)
        month -= 50;
    day = num(d + 8, 2);
    if (!real_date_yy(num(d + 5, 1) * 10 + num(d + 10, 1), month, day))
        return 0;
    /* Initials: a letter, then a letter or the 9 filler. */
    return is_letter(d[11]) && (is_letter(d[12]) || d[12] == '9');
}

/*
 * UK postcode (BS 7666-2006 and Royal Mail's Programmers' Guide to the PAF):
 * outward code A9, A99, AA9, AA99, A9A or AA9A, a space (often left out),
 * inward code 9AA. The letters each position may hold are restricted, and
 * the area (the leading letters) must be one of the 121 Royal Mail postcode
 * areas or a Crown dependency (GY, JE, IM). GIR 0AA is the one exception.
 * Either all upper or all lower case.
 */
static const char postcode_areas[] =
    " AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD"
    " DE DG DH DL DN DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS"
    " HU HX IG IM IP IV JE KA KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE"
    " NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN"
    " SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS"
    " WV YO ZE ";

static int postcode_area_known(const char *a, size_t n)
{
    char key[5] = {' ', a[0], n == 2 ? a[1] : ' ', n == 2 ? ' ' : '\0', '\0'};

    return strstr(postcode_areas, key) != NULL;
}

int veil__valid_uk_postcode(const char *s, size_t len)
{
    char c[8];
    size_t n = 0, out_len, area = 0;
    int lower = 0, upper_seen = 0;

    if (len < 5 || len > 8)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == ' ') {
            if (i != len - 4)
                return 0;
            continue;
        }
        if (s[i] >= 'a' && s[i] <= 'z')
            lower = 1;
        else if (s[i] >= 'A' && s[i] <= 'Z')
            upper_seen = 1;
        else if (!is_digit(s[i]))
            return 0;
        if (n == sizeof(c))
            return 0;
        c[n++] = upper(s[i]);
    }
    if ((lower && upper_seen) || n < 5 || n > 7)
        return 0;
    if (n == 6 && memcmp(c, "GIR0AA", 6) == 0)
        return 1;
    /* Inward code: a digit and two letters other than C I K M O V. */
    out_len = n - 3;
    if (!is_digit(c[out_len]))
        return 0;
    for (size_t i = out_len + 1; i < n; i++)
        if (!is_letter(c[i]) || in_set(c[i], "CIKMOV"))
            return 0;
    /* Outward code. */
    while (area < out_len && is_letter(c[area]))
        area++;
    if (area < 1 || area > 2 || area == out_len || !is_digit(c[area]))
        return 0;
    if (in_set(c[0], "QVX") || (area == 2 && in_set(c[1], "IJZ")))
        return 0;
    if (!postcode_area_known(c, area))
        return 0;
    switch (out_len - area) {
    case 1: /* A9, AA9 */
        return 1;
    case 2:
        if (is_digit(c[area + 1])) /* A99, AA99 */
            return 1;
        /* A9A takes ABCDEFGHJKPSTUW, AA9A ABEHMNPRVWXY. */
        return in_set(c[area + 1], area == 1 ? "ABCDEFGHJKPSTUW" : "ABEHMNPRVWXY");
    default:
        return 0;
    }
}


/* ---- Germany ---------------------------------------------------------- */

/*
 * ISO 7064 MOD 11,10 (a hybrid system): running product p starts at 10;
 * for each digit, s = (p + digit) mod 10, with 10 for 0, and p = 2s mod 11;
 * the check digit is 11 - p, with 0 for 10.
 */
static unsigned iso7064_11_10(const char *d, size_t n)
{
    unsigned p = 10;

    for (size_t i = 0; i < n; i++) {
        unsigned s = (p + (unsigned)(d[i] - '0')) % 10;

        p = (2 * (s == 0 ? 10 : s)) % 11;
    }
    return p == 1 ? 0 : 11 - p;
}

/*
 * Steuerliche Identifikationsnummer (§ 139b AO; structure and check digit
 * as the Bundeszentralamt für Steuern publishes them): 11 digits, the first
 * not 0. In the first ten, exactly one digit appears twice or three times,
 * every other digit at most once, and a digit appearing three times does
 * not do so in three adjacent places (rule in force since 2016; numbers
 * from before have exactly one doubled digit, which also passes). The
 * eleventh is the ISO 7064 MOD 11,10 check digit. Printed as one run or in
 * groups separated by single spaces ("12 345 678 901").
 */
int veil__valid_de_steuer_id(const char *s, size_t len)
{
    char d[12];
    size_t n = 0;
    unsigned count[10] = {0}, repeated = 0;

    for (size_t i = 0; i < len; i++) {
        if (s[i] == ' ' && i > 0 && i + 1 < len && is_digit(s[i - 1]))
            continue;
        if (!is_digit(s[i]) || n == 11)
            return 0;
        d[n++] = s[i];
    }
    if (n != 11 || d[0] == '0')
        return 0;
    for (size_t i = 0; i < 10; i++)
        count[d[i] - '0']++;
    for (int k = 0; k < 10; k++) {
        if (count[k] > 3)
            return 0;
        if (count[k] > 1)
            repeated++;
    }
    if (repeated != 1)
        return 0;
    for (size_t i = 0; i + 2 < 10; i++)
        if (d[i] == d[i + 1] && d[i] == d[i + 2])
            return 0;
    return iso7064_11_10(d, 10) == (unsigned)(d[10] - '0');
}

/*
 * ICAO Doc 9303 part 3, section 4.9: check digit with weights 7, 3, 1
 * repeating, digits as themselves, letters A-Z as 10-35, '<' as 0.
 */
static int icao_value(char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return c == '<' ? 0 : -1;
}

static int icao_check(const char *d, size_t n)
{
    static const int w[3] = {7, 3, 1};
    int sum = 0;

    for (size_t i = 0; i < n; i++) {
        int v = icao_value(d[i]);

        if (v < 0)
            return -1;
        sum += v * w[i % 3];
    }
    return sum % 10;
}

/*
 * German identity card (Personalausweis) and passport (Reisepass) document
 * numbers (PAuswV and PassV; the serial number alphabet of BSI TR-03127):
 * nine characters from C F G H J K L M N P R T V W X Y Z and the digits,
 * followed by their ICAO 9303 check digit as the machine-readable zone
 * prints it (T220001293, C01X00T478). Cards issued before November 2010 used
 * nine digits, which the same check covers.
 */
int veil__valid_de_id_document(const char *s, size_t len)
{
    char d[12];

    if (!fit(s, len, "XXXXXXXXXd", d))
        return 0;
    for (int i = 0; i < 9; i++)
        if (!is_digit(d[i]) && !in_set(d[i], "CFGHJKLMNPRTVWXYZ"))
            return 0;
    if (all_same(d, 9))
        return 0;
    return icao_check(d, 9) == d[9] - '0';
}

/*
 * Rentenversicherungsnummer (VKVV § 2; check digit as the Deutsche
 * Rentenversicherung specifies it): area number (2 digits), date of birth
 * DDMMYY, the initial of the birth surname, a serial (2 digits, 00-49 men,
 * 50-99 women) and a check digit. The letter becomes its two-digit place in
 * the alphabet (A = 01); the twelve digits are weighted 2 1 2 5 7 1 2 1 2 1
 * 2 1, the digit sums of the products added, and the total mod 10 is the
 * check digit. Printed as one run or "15 070649 C 103".
 */
int veil__valid_de_rvnr(const char *s, size_t len)
{
    static const char *const shapes[] = {"ddddddddAddd", "dd dddddd Addd", "dd dddddd A ddd",
                                         "dd dddddd A dd d", NULL};
    static const unsigned w[12] = {2, 1, 2, 5, 7, 1, 2, 1, 2, 1, 2, 1};
    char d[16], v[12];
    unsigned sum = 0, letter;

    if (!fit_any(s, len, shapes, d))
        return 0;
    if (num(d, 2) < 2) /* area numbers start at 02 */
        return 0;
    if (!real_date_yy(num(d + 6, 2), num(d + 4, 2), num(d + 2, 2)))
        return 0;
    letter = (unsigned)(d[8] - 'A' + 1);
    memcpy(v, d, 8);
    v[8] = (char)('0' + letter / 10);
    v[9] = (char)('0' + letter % 10);
    v[10] = d[9];
    v[11] = d[10];
    for (int i = 0; i < 12; i++) {
        unsigned p = (unsigned)(v[i] - '0') * w[i];

        sum += p / 10 + p % 10;
    }
    return sum % 10 == (unsigned)(d[11] - '0');
}


/* ---- Poland, Sweden, Finland ------------------------------------------ */

/*
 * PESEL (Ustawa o ewidencji ludności, art. 15; the Ministry of Digital
 * Affairs' description at gov.pl): YYMMDDZZZXQ. The month carries the
 * century: +80 for the 1800s, +0 the 1900s, +20 the 2000s, +40 the 2100s, +60
 * the 2200s. Q makes the sum of the digits weighted 1 3 7 9 1 3 7 9 1 3 1 a
 * multiple of 10.
 */
int veil__valid_pl_pesel(const char *s, size_t len)
{
    static const unsigned w[10] = {1, 3, 7, 9, 1, 3, 7, 9, 1, 3};
    static const unsigned century[5] = {1900, 2000, 2100, 2200, 1800};
    char d[12];
    unsigned sum = 0, month;

    if (!fit(s, len, "ddddddddddd", d) || all_same(d, 11))
        return 0;
    month = num(d + 2, 2);
    if (!real_date(century[(month / 20) % 5] + num(d, 2), month % 20, num(d + 4, 2)))
        return 0;
    for (int i = 0; i < 10; i++)
        sum += (unsigned)(d[i] - '0') * w[i];
    return (10 - sum % 10) % 10 == (unsigned)(d[10] - '0');
}

/*
 * Swedish personnummer and samordningsnummer (Skatteverket, SKV 704
 * "Personnummer" and SKV 707 "Samordningsnummer"): YYMMDD-NNNC, '+' instead
 * of '-' from the year the holder turns 100, or with a four-digit year and
 * no separator or '-'. A samordningsnummer adds 60 to the day. C is the Luhn
 * check digit of the ten-digit form YYMMDDNNNC.
 */
int veil__valid_se_personnummer(const char *s, size_t len)
{
    static const char *const shapes[] = {"dddddd-dddd",   "dddddd+dddd",  "dddddddddd",
                                         "dddddddd-dddd", "dddddddddddd", NULL};
    char d[16];
    const char *t;
    unsigned day;
    int ok;

    if (!fit_any(s, len, shapes, d))
        return 0;
    t = strlen(d) == 12 ? d + 2 : d;
    day = num(t + 4, 2);
    if (day > 60)
        day -= 60;
    if (strlen(d) == 12) {
        unsigned y = num(d, 4);

        ok = y >= 1800 && real_date(y, num(t + 2, 2), day);
    } else {
        ok = real_date_yy(num(t, 2), num(t + 2, 2), day);
    }
    return ok && luhn_ok(t, 10);
}

/*
 * Finnish henkilötunnus (Väestötietolaki 661/2009 and the Digital and
 * Population Data Services Agency's description; the extra century signs
 * from 2023 per decree 128/2010 as amended): DDMMYYCZZZQ. C is '+' for the
 * 1800s, '-' 'Y' 'X' 'W' 'V' 'U' for the 1900s, 'A' 'B' 'C' 'D' 'E' 'F' for
 * the 2000s; ZZZ 002-899 (900-999 temporary); Q is "0123456789ABCDEFHJKLMNP
 * RSTUVWXY" at DDMMYYZZZ mod 31.
 */
int veil__valid_fi_hetu(const char *s, size_t len)
{
    static const char checks[] = "0123456789ABCDEFHJKLMNPRSTUVWXY";
    char d[12], nine[10];
    unsigned century;
    uint32_t v;

    /* The century sign is not a letter or digit for all its values, so the
       layout is checked by hand: six digits, the sign, three digits, the
       check character. */
    if (len != 11)
        return 0;
    for (size_t i = 0; i < 11; i++) {
        d[i] = upper(s[i]);
        if ((i < 6 || (i > 6 && i < 10)) && !is_digit(d[i]))
            return 0;
    }
    d[11] = '\0';
    if (d[6] == '+')
        century = 1800;
    else if (in_set(d[6], "-YXWVU"))
        century = 1900;
    else if (in_set(d[6], "ABCDEF"))
        century = 2000;
    else
        return 0;
    if (!real_date(century + num(d + 4, 2), num(d + 2, 2), num(d, 2)))
        return 0;
    if (num(d + 7, 3) < 2)
        return 0;
    memcpy(nine, d, 6);
    memcpy(nine + 6, d + 7, 3);
    v = num(nine, 9);
    return checks[v % 31] == d[10];
}


/* ---- Spain and Italy -------------------------------------------------- */

/*
 * Spanish passport (Real Decreto 896/2003; the number printed on the data
 * page): three letters and six digits, or two letters and six digits on
 * older books. No check digit outside the machine-readable zone.
 */
int veil__valid_es_passport(const char *s, size_t len)
{
    char d[12];

    if (fit(s, len, "AAAdddddd", d))
        return !all_same(d + 3, 6);
    return fit(s, len, "AAdddddd", d) && !all_same(d + 2, 6);
}

/* Italian passport (Ministero dell'Interno): two letters and seven digits
   (YA1234567). No check digit outside the machine-readable zone. */
int veil__valid_it_passport(const char *s, size_t len)
{
    char d[12];

    return fit(s, len, "AAddddddd", d) && !all_same(d + 2, 7);
}

/*
 * Partita IVA (DPR 633/1972 art. 35; DM 23 December 1976): 11 digits, the
 * company's number (7), the provincial office code (3: 001-100, or 120, 121,
 * 888, 999) and a Luhn check digit.
 */
int veil__valid_it_partita_iva(const char *s, size_t len)
{
    char d[12];
    unsigned office;

    if (!fit(s, len, "ddddddddddd", d) || all_same(d, 11))
        return 0;
    office = num(d + 7, 3);
    if (!((office >= 1 && office <= 100) || office == 120 || office == 121 || office == 888 ||
          office == 999))
        return 0;
    return luhn_ok(d, 11);
}


/* ---- Australia -------------------------------------------------------- */

/*
 * Tax File Number (Australian Taxation Office; the check is the one the ATO
 * gives software developers): nine digits, weighted 1 4 3 7 5 8 6 9 10, the
 * sum a multiple of 11. Printed as one run or 3-3-3 with spaces or dashes.
 */
int veil__valid_au_tfn(const char *s, size_t len)
{
    static const char *const shapes[] = {"ddddddddd", "ddd ddd ddd", "ddd-ddd-ddd", NULL};
    static const unsigned w[9] = {1, 4, 3, 7, 5, 8, 6, 9, 10};
    char d[12];
    unsigned sum = 0;

    if (!fit_any(s, len, shapes, d) || all_same(d, 9))
        return 0;
    for (int i = 0; i < 9; i++)
        sum += (unsigned)(d[i] - '0') * w[i];
    return sum % 11 == 0;
}

/*
 * Australian Business Number (Australian Business Register, "Format of the
 * ABN"): 11 digits; subtract 1 from the first, weight them 10 1 3 5 7 9 11
 * 13 15 17 19, and the sum is a multiple of 89. Printed as 2-3-3-3.
 */
int veil__valid_au_abn(const char *s, size_t len)
{
    static const char *const shapes[] = {"ddddddddddd", "dd ddd ddd ddd", NULL};
    static const unsigned w[11] = {10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19};
    char d[16];
    unsigned sum = 0;

    if (!fit_any(s, len, shapes, d) || d[0] == '0')
        return 0;
    for (int i = 0; i < 11; i++)
        sum += ((unsigned)(d[i] - '0') - (i == 0)) * w[i];
    return sum % 89 == 0;
}

/*
 * Medicare card number (Services Australia; the check the Department of
 * Health's PBS and MBS online claiming specifications apply): ten digits,
 * the first 2-6, the ninth the sum of the first eight weighted 1 3 7 9 1 3 7
 * 9 mod 10, the tenth the card's issue number; an eleventh digit, the
 * person's reference number (1-9), may follow. Printed 4-5-1 or 4-5-1-1.
 */
int veil__valid_au_medicare(const char *s, size_t len)
{
    static const char *const shapes[] = {"dddddddddd",     "ddddddddddd",    "dddd ddddd d",
                                         "dddd ddddd d d", "dddd ddddd d-d", NULL};
    static const unsigned w[8] = {1, 3, 7, 9, 1, 3, 7, 9};
    char d[16];
    unsigned sum = 0;

    if (!fit_any(s, len, shapes, d) || d[0] < '2' || d[0] > '6')
        return 0;
    if (strlen(d) == 11 && d[10] == '0')
        return 0;
    for (int i = 0; i < 8; i++)
        sum += (unsigned)(d[i] - '0') * w[i];
    return sum % 10 == (unsigned)(d[8] - '0');
}


/* ---- India ------------------------------------------------------------ */

/* The PAN's fourth character, the holder's status (Income Tax Department):
   Association of persons, Body of individuals, Company, Firm (and LLP),
   Government, HUF, artificial Juridical person, Local authority, Person,
   Trust. */
static int pan_ok(const char *d, int strict_status)
{
    for (int i = 0; i < 5; i++)
        if (!is_letter(d[i]))
            return 0;
    for (int i = 5; i < 9; i++)
        if (!is_digit(d[i]))
            return 0;
    if (!is_letter(d[9]))
        return 0;
    return !strict_status || in_set(d[3], "ABCFGHJLPT");
}

/*
 * Permanent Account Number (Income Tax Act s. 139A; Income Tax Department,
 * "Know your PAN"): five letters, four digits, a letter; the fourth letter
 * is the holder's status and the fifth the initial of the surname or name.
 * Its last letter is a check character whose rule is not published, so
 * this is structure only.
 */
int veil__valid_in_pan(const char *s, size_t len)
{
    char d[12];

    return fit(s, len, "AAAAAddddA", d) && pan_ok(d, 1) && !all_same(d + 5, 4);
}

/*
 * GSTIN (CGST Rules 2017, rule 10 and Form GST REG-06; the check character
 * as GSTN specifies it): state code (01-38, 97 other territory, 99 centre
 * jurisdiction), the holder's PAN, the registration count within the state
 * (1-9, then A-Z), a character that is Z by default, and a check character:
 * the first 14 in base 36 (0-9, A-Z), weighted 1 2 1 2 ..., each product
 * reduced to quotient + remainder by 36, summed; the check is (36 - sum mod
 * 36) mod 36.
 */
static int base36(char c)
{
    return is_digit(c) ? c - '0' : c - 'A' + 10;
}

int veil__valid_in_gstin(const char *s, size_t len)
{
    char d[16];
    unsigned state, sum = 0;

    if (!fit(s, len, "ddXXXXXXXXXXXXX", d))
        return 0;
    state = num(d, 2);
    if (!((state >= 1 && state <= 38) || state == 97 || state == 99))
        return 0;
    if (!pan_ok(d + 2, 0) || d[12] == '0')
        return 0;
    for (int i = 0; i < 14; i++) {
        unsigned p = (unsigned)base36(d[i]) * (unsigned)(i % 2 + 1);

        sum += p / 36 + p % 36;
    }
    return base36(d[14]) == (int)((36 - sum % 36) % 36);
}


/* ---- Korea, Singapore, South Africa, Turkey --------------------------- */

/*
 * Korean resident registration number (Resident Registration Act,
 * enforcement decree art. 7; check digit as the Ministry of the Interior
 * defined it before October 2020): YYMMDD-SBBBBNC. S is the sex and century
 * (1 2 the 1900s, 3 4 the 2000s, 9 0 the 1800s; 5-8 are foreigners' numbers,
 * whose check differs and which are not accepted here). C makes (11 - the
 * sum of the first twelve weighted 2 3 4 5 6 7 8 9 2 3 4 5 mod 11) mod 10.
 * Numbers issued since October 2020 end in random digits instead; the
 * catalog's context rule is what finds those.
 */
int veil__valid_kr_rrn(const char *s, size_t len)
{
    static const char *const shapes[] = {"dddddd-ddddddd", "ddddddddddddd", NULL};
    static const unsigned w[12] = {2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5};
    char d[16];
    unsigned century, sum = 0;

    if (!fit_any(s, len, shapes, d))
        return 0;
    switch (d[6]) {
    case '1':
    case '2':
        century = 1900;
        break;
    case '3':
    case '4':
        century = 2000;
        break;
    case '9':
    case '0':
        century = 1800;
        break;
    default:
        return 0;
    }
    if (!real_date(century + num(d, 2), num(d + 2, 2), num(d + 4, 2)))
        return 0;
    for (int i = 0; i < 12; i++)
        sum += (unsigned)(d[i] - '0') * w[i];
    return (11 - sum % 11) % 10 == (unsigned)(d[12] - '0');
}

/* Shape and date of a Korean RRN without the check digit, for numbers
   issued since October 2020 (the catalog asks for a context word). */
int veil__valid_kr_rrn_shape(const char *s, size_t len)
{
    char d[16];

    if (!fit(s, len, "dddddd-ddddddd", d) || d[6] < '1' || d[6] > '4')
        return 0;
    return real_date((d[6] < '3' ? 1900 : 2000) + num(d, 2), num(d + 2, 2), num(d + 4, 2));
}

/*
 * Singapore NRIC and FIN (Immigration & Checkpoints Authority; the check
 * letter rule as published with the M series in 2022): a prefix S T F G M,
 * seven digits, a check letter. The digits weighted 2 7 6 5 4 3 2 are summed,
 * plus 4 for T and G, plus 3 for M; the remainder mod 11 picks the letter:
 * JZIHGFEDCBA for S T, XWUTRQPNMLK for F G, XWUTRQPNJLK for M.
 */
int veil__valid_sg_nric(const char *s, size_t len)
{
    static const unsigned w[7] = {2, 7, 6, 5, 4, 3, 2};
    char d[12];
    const char *letters;
    unsigned sum = 0;

    if (!fit(s, len, "AdddddddA", d))
        return 0;
    switch (d[0]) {
    case 'S':
        letters = "JZIHGFEDCBA";
        break;
    case 'T':
        letters = "JZIHGFEDCBA";
        sum = 4;
        break;
    case 'F':
        letters = "XWUTRQPNMLK";
        break;
    case 'G':
        letters = "XWUTRQPNMLK";
        sum = 4;
        break;
    case 'M':
        letters = "XWUTRQPNJLK";
        sum = 3;
        break;
    default:
        return 0;
    }
    for (int i = 0; i < 7; i++)
        sum += (unsigned)(d[1 + i] - '0') * w[i];
    return letters[sum % 11] == d[8];
}

/*
 * South African identity number (Identification Act 68 of 1997; the
 * Department of Home Affairs' layout): YYMMDD SSSS C A Z. SSSS 0000-4999
 * women, 5000-9999 men; C 0 citizen, 1 permanent resident, 2 refugee; A
 * formerly race, now 8 or 9; Z the Luhn check digit over all thirteen.
 */
int veil__valid_za_id(const char *s, size_t len)
{
    static const char *const shapes[] = {"ddddddddddddd", "dddddd dddd ddd", "dddddd dddd d d d",
                                         NULL};
    char d[16];

    if (!fit_any(s, len, shapes, d))
        return 0;
    if (!real_date_yy(num(d, 2), num(d + 2, 2), num(d + 4, 2)))
        return 0;
    if (d[10] > '2')
        return 0;
    return luhn_ok(d, 13);
}

/*
 * Turkish identity number, T.C. Kimlik No (Nüfus Hizmetleri Kanunu 5490;
 * the Nüfus ve Vatandaşlık İşleri Genel Müdürlüğü's checks): 11 digits, the
 * first not 0; d10 = ((d1 + d3 + d5 + d7 + d9) * 7 - (d2 + d4 + d6 + d8))
 * mod 10; d11 = (d1 + ... + d10) mod 10.
 */
int veil__valid_tr_tckn(const char *s, size_t len)
{
    char d[12];
    int odd = 0, even = 0, total = 0;

    if (!fit(s, len, "ddddddddddd", d) || d[0] == '0')
        return 0;
    for (int i = 0; i < 9; i++) {
        if (i % 2 == 0)
            odd += d[i] - '0';
        else
            even += d[i] - '0';
    }
    if (((odd * 7 - even) % 10 + 10) % 10 != d[9] - '0')
        return 0;
    for (int i = 0; i < 10; i++)
        total += d[i] - '0';
    return total % 10 == d[10] - '0';
}
