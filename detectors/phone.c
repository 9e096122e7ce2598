/*
 * Phone numbers: the core pattern finds digit groups that could be one;
 * this decides, from the groups, whether they are written the way a phone
 * number is in E.164 or in one of the national formats veil knows (US/CA,
 * GB, DE, FR, ES, IT, NL, PT, IN, BR, AU, JP, MX), so that dates, order
 * numbers, prices and timestamps are left alone.
 */
#include <string.h>

#include "engine.h"

typedef struct {
    unsigned groups, g[16], digits;
    char ds[24];
    int plus, paren_first, dot;
} phone_t;

static int parse(const char *s, size_t len, phone_t *p)
{
    int open = 0;
    size_t k = 0;

    memset(p, 0, sizeof(*p));
    if (len && s[0] == '+') {
        p->plus = 1;
        k = 1;
    } else if (len > 2 && s[0] == '0' && s[1] == '0' && s[2] >= '1' && s[2] <= '9') {
        /* 00, the international prefix of ITU-T E.164's Annex and most
           countries, dialled where '+' is written: 0033 6 12 34 56 78. */
        p->plus = 1;
        k = 2;
    } else if (len > 3 && s[0] == '(' && s[1] == '0' && s[2] == '0' && s[3] >= '1' && s[3] <= '9') {
        /* The same in parentheses before the national number, as the
           area code is written (E.123): (0034) 739 533 984. */
        p->plus = 1;
        k = 3;
    }
    for (; k < len; k++) {
        char c = s[k];
        if (c >= '0' && c <= '9') {
            if (!open) {
                if (p->groups == 16) {
                    return 0;
                }
                p->g[p->groups++] = 0;
                open = 1;
            }
            p->g[p->groups - 1]++;
            if (p->digits < sizeof(p->ds) - 1) {
                p->ds[p->digits] = c;
            }
            p->digits++;
            continue;
        }
        open = 0;
        /* "+44 (0)20 ...": the trunk zero in parentheses is not dialled. */
        if (p->plus && c == '(' && k + 2 < len && s[k + 1] == '0' && s[k + 2] == ')') {
            k += 2;
            continue;
        }
        if (c == '(' && p->groups == 0) {
            p->paren_first = 1;
        } else if (c == '.') {
            p->dot = 1;
        } else if (c != ' ' && c != '-' && c != '/' && c != '(' && c != ')') {
            return 0;
        }
    }
    p->ds[p->digits < sizeof(p->ds) ? p->digits : sizeof(p->ds) - 1] = '\0';
    return p->digits >= 7 && p->digits <= 15;
}


static int groups_are(const phone_t *p, const unsigned *want, unsigned n)
{
    if (p->groups != n) {
        return 0;
    }
    for (unsigned k = 0; k < n; k++) {
        if (p->g[k] != want[k]) {
            return 0;
        }
    }
    return 1;
}

#define GROUPS(p, ...)                               \
    groups_are((p), (const unsigned[]){__VA_ARGS__}, \
               sizeof((const unsigned[]){__VA_ARGS__}) / sizeof(unsigned))

/* E.164: a country code, then a national number of that country's length. */
static int international(const phone_t *p)
{
    static const struct {
        const char *cc;
        unsigned min, max;
    } known[] = {
        {"1", 10, 10},  {"7", 10, 10},  {"44", 9, 10},   {"49", 6, 12},  {"33", 9, 9},
        {"34", 9, 9},   {"39", 6, 11},  {"31", 9, 9},    {"91", 10, 10}, {"55", 10, 11},
        {"61", 9, 9},   {"81", 9, 10},  {"52", 10, 11},  {"32", 8, 9},   {"41", 9, 9},
        {"43", 4, 13},  {"45", 8, 8},   {"46", 7, 9},    {"47", 8, 8},   {"48", 9, 9},
        {"353", 7, 9},  {"351", 9, 9},  {"30", 10, 10},  {"86", 11, 11}, {"82", 9, 10},
        {"65", 8, 8},   {"27", 9, 9},   {"64", 8, 10},   {"54", 10, 10}, {"57", 10, 10},
        {"56", 9, 9},   {"971", 8, 9},  {"972", 8, 9},   {"90", 10, 10}, {"20", 10, 10},
        {"234", 8, 10}, {"62", 9, 12},  {"63", 10, 10},  {"66", 8, 9},   {"84", 9, 10},
        {"60", 8, 10},  {"92", 10, 10}, {"880", 10, 10}, {"358", 6, 10}, {"36", 8, 9},
        {"40", 9, 9},   {"420", 9, 9},  {"380", 9, 9},
    };
    for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
        size_t cl = strlen(known[k].cc);
        if (strncmp(p->ds, known[k].cc, cl) != 0) {
            continue;
        }
        unsigned nsn = p->digits - (unsigned)cl;
        if (nsn >= known[k].min && nsn <= known[k].max) {
            return VEIL_CONF_HIGH;
        }
        /* A known code with the wrong length is not a number of that
           country; no other code starts with the same digits. */
        return 0;
    }
    return p->digits >= 8 ? VEIL_CONF_MEDIUM : 0;
}

/* Nine bare digits that can be a national number: a mobile or
   non-geographic number of ES, PT or IT (6-9), a PT geographic number (2,
   ANACOM's national numbering plan), an IT geographic number with its
   leading 0 (AGCOM's plan: 0 and a code of one to three more digits). */
int veil__phone_nine_ok(const char *d)
{
    return d[0] >= '6' || d[0] == '2' || (d[0] == '0' && d[1] != '0');
}

static int national(const phone_t *p, int ctx)
{
    const char *d = p->ds;
    unsigned n = p->digits;

    if (p->dot) {
        /* Dots are how US and French numbers are written; anything else
           with dots is an address, a version or a date. */
        if ((n == 10 && GROUPS(p, 3, 3, 4) && d[0] >= '2' && d[3] >= '2') ||
            (n == 10 && d[0] == '0' && GROUPS(p, 2, 2, 2, 2, 2))) {
            return VEIL_CONF_MEDIUM;
        }
        /* NL 06.12345678 and 070.123.4567, ES and PT 6xx.xxx.xxx to
           9xx.xxx.xxx. */
        if ((n == 10 && d[0] == '0' && d[1] == '6' && GROUPS(p, 2, 8)) ||
            (n == 10 && d[0] == '0' && d[1] != '0' && GROUPS(p, 3, 3, 4)) ||
            (n == 9 && d[0] >= '6' && (GROUPS(p, 3, 3, 3) || GROUPS(p, 2, 3, 2, 2)))) {
            return VEIL_CONF_MEDIUM;
        }
        /* A trunk zero and an area or mobile code, then the subscriber
           number whole (five digits or more) or in two groups, the last
           of four or more; nine to twelve digits in all (the lengths of
           the national plans veil knows, with the trunk zero: GB 0xxxx
           xxxxxx, DE 0221 220099 to 0163 79976936, IT 06 6446 8132):
           07974.072830, 0221.220099, 06.6446.8132. No date (dd.mm.yyyy),
           decimal (0.5), version (1.2.3) or CPF (012.345.678-90) is
           written so. */
        if (d[0] == '0' && d[1] != '0' && n >= 9 && n <= 12 && p->g[0] >= 2 && p->g[0] <= 5 &&
            ((p->groups == 2 && p->g[1] >= 5) ||
             (p->groups == 3 && p->g[1] >= 3 && p->g[2] >= 4))) {
            return VEIL_CONF_MEDIUM;
        }
        /* IT mobile numbers start with 3 and have ten digits (AGCOM's
           national numbering plan): 395.050.5642. */
        if (n == 10 && d[0] == '3' && GROUPS(p, 3, 3, 4)) {
            return VEIL_CONF_MEDIUM;
        }
        /* PT geographic numbers start with 2 and have nine digits
           (ANACOM's national numbering plan): 253.424.763; next to a word
           saying phone only, since 3.3.3 with dots is also how a large
           amount is written in PT, ES, IT and DE. */
        if (ctx && n == 9 && d[0] == '2' && GROUPS(p, 3, 3, 3)) {
            return VEIL_CONF_MEDIUM;
        }
        return 0;
    }
    if (p->paren_first) {
        /* (415) 555-2671; (030) 1234567, (0177) 5828309: an area or
           mobile code with its trunk zero, then the subscriber. */
        if (n >= 10 && n <= 11 && p->g[0] >= 2 && p->g[0] <= 5 &&
            (p->groups >= 3 || (p->groups == 2 && d[0] == '0'))) {
            return VEIL_CONF_MEDIUM;
        }
        /* (0159) 29281236: German mobile numbers of the 015x blocks, and
           others, have eleven digits after the trunk zero (the Federal
           Network Agency's plan for 015, 016 and 017 numbers). */
        if (n == 12 && d[0] == '0' && d[1] != '0' && p->g[0] == 4 && p->groups == 2) {
            return VEIL_CONF_MEDIUM;
        }
        return 0;
    }
    if (p->groups == 1) {
        /* Bare digits: ten or eleven, twelve with a trunk zero (a German
           mobile number, 0176 and eight digits), or nine of a mobile or
           non-geographic number of ES, PT or IT (6-9), of a PT geographic
           number (2, ANACOM's plan) or of an IT geographic one with its
           0 (AGCOM's plan: 011 513772), next to a word saying phone. */
        return ctx && ((n >= 10 && n <= 11) || (n == 12 && d[0] == '0') ||
                       (n == 9 && veil__phone_nine_ok(d)))
                   ? VEIL_CONF_MEDIUM
                   : 0;
    }
    if (d[0] == '0') {
        /* Milan (02) and Rome (06) have the only two-digit area codes of
           Italy, and subscriber numbers of four to eight digits (AGCOM's
           national numbering plan): 02 2327 55, 06 4396 92. Eight digits
           2-4-2 or 2-3-3 with another code, or 2-2-4, are a date as often
           (05 03 1990). */
        if (n == 8 && (d[1] == '2' || d[1] == '6') && (GROUPS(p, 2, 4, 2) || GROUPS(p, 2, 3, 3))) {
            return VEIL_CONF_MEDIUM;
        }
        /* 5-4 is a ZIP+4 code (08594-9169). */
        if (n < 9 || n > 12 || p->groups > 5 || p->g[0] > 6 || GROUPS(p, 5, 4)) {
            return 0;
        }
        for (unsigned k = 1; k < p->groups; k++) {
            if (p->g[k] < 2) {
                return 0;
            }
        }
        return VEIL_CONF_MEDIUM;
    }
    /* US/CA: NXX NXX XXXX, with or without a leading 1. */
    if (n == 10 && GROUPS(p, 3, 3, 4) && d[0] >= '2' && d[3] >= '2') {
        return VEIL_CONF_MEDIUM;
    }
    if (n == 11 && GROUPS(p, 1, 3, 3, 4) && d[0] == '1' && d[1] >= '2') {
        return VEIL_CONF_MEDIUM;
    }
    /* ES: 6xx/7xx/8xx/9xx in 3-3-3 or 3-2-2-2. */
    if (n == 9 && d[0] >= '6' &&
        (GROUPS(p, 3, 3, 3) || GROUPS(p, 3, 2, 2, 2) || GROUPS(p, 2, 3, 2, 2))) {
        return VEIL_CONF_MEDIUM;
    }
    /* IT mobile 3xx xxx xxxx / 3xx xxxxxxx / 3xx xxxx xxx. */
    if (n == 10 && d[0] == '3' && (GROUPS(p, 3, 7) || GROUPS(p, 3, 3, 4) || GROUPS(p, 3, 4, 3))) {
        return VEIL_CONF_MEDIUM;
    }
    /* IN mobile: 98765 43210. */
    if (n == 10 && d[0] >= '6' && GROUPS(p, 5, 5)) {
        return VEIL_CONF_MEDIUM;
    }
    /* MX 55 1234 5678, BR 11 91234-5678 / 11 1234-5678. */
    if ((n == 10 && GROUPS(p, 2, 4, 4)) || (n == 11 && GROUPS(p, 2, 5, 4))) {
        return VEIL_CONF_MEDIUM;
    }
    if (ctx && n >= 9 && n <= 12 && p->groups <= 4) {
        return VEIL_CONF_MEDIUM;
    }
    return 0;
}

int veil__phone_confidence(const char *s, size_t len, int has_context)
{
    int conf[2];

    veil__phone_confidences(s, len, conf);
    return conf[has_context != 0];
}

void veil__phone_confidences(const char *s, size_t len, int conf[2])
{
    phone_t p;

    conf[0] = conf[1] = 0;
    if (!parse(s, len, &p)) {
        return;
    }
    for (int ctx = 0; ctx < 2; ctx++) {
        int c = p.plus ? international(&p) : national(&p, ctx);
        if (c && ctx && c < VEIL_CONF_HIGH) {
            c++;
        }
        conf[ctx] = c;
    }
}
