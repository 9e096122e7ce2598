/*
 * The benchmark corpus generator. See corpus.h.
 *
 * The mix imitates what a PII proxy sees: JSON API bodies (users, orders,
 * payments, analytics events; a quarter of them pretty-printed), nginx
 * access log lines and application log lines. Almost every record is full
 * of values that look like PII to a naive pattern but are not: 16-digit
 * order numbers that fail Luhn, UUIDs, ISO timestamps, epoch seconds and
 * milliseconds, Chrome/124.0.0.0, prices, SKUs, tracking numbers, hex
 * hashes, masked cards. Real PII is planted sparsely: one value about every
 * <pii_every> bytes, each valid for its validator (Luhn, mod-97, ...).
 *
 * Access log lines carry "unix:" as the client address (nginx behind a
 * local load balancer on a unix socket); only planted lines carry an IP.
 * Otherwise every line would hold an IP and the PII would not be sparse.
 */
#include "corpus.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- deterministic PRNG (splitmix64) ---- */

typedef struct rng {
    uint64_t s;
} rng_t;

static uint64_t rnd(rng_t *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* rnd_below(): uniform enough in [0, n) for a corpus; n > 0. */
static uint64_t rnd_below(rng_t *r, uint64_t n)
{
    return rnd(r) % n;
}

static int rnd_range(rng_t *r, int lo, int hi)
{
    return lo + (int)rnd_below(r, (uint64_t)(hi - lo + 1));
}

static int chance(rng_t *r, int percent)
{
    return (int)rnd_below(r, 100) < percent;
}

#define PICK(r, arr) ((arr)[rnd_below((r), sizeof(arr) / sizeof((arr)[0]))])

/* ---- output buffer ---- */

typedef struct buf {
    char *p;
    size_t len, cap;
    int oom;
} buf_t;

static int reserve(buf_t *b, size_t n)
{
    if (b->oom)
        return -1;
    if (b->len + n + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

static void put_mem(buf_t *b, const char *s, size_t n)
{
    if (reserve(b, n))
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void put(buf_t *b, const char *s)
{
    put_mem(b, s, strlen(s));
}

static void put_ch(buf_t *b, char c)
{
    put_mem(b, &c, 1);
}

__attribute__((format(printf, 2, 3))) static void putf(buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static void put_digits(buf_t *b, rng_t *r, int n)
{
    for (int i = 0; i < n; i++)
        put_ch(b, (char)('0' + rnd_below(r, 10)));
}

static void put_charset(buf_t *b, rng_t *r, const char *set, int n)
{
    size_t k = strlen(set);
    for (int i = 0; i < n; i++)
        put_ch(b, set[rnd_below(r, k)]);
}

static const char HEX[] = "0123456789abcdef";
static const char B62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
static const char B64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void put_hex(buf_t *b, rng_t *r, int n)
{
    put_charset(b, r, HEX, n);
}

static void put_uuid(buf_t *b, rng_t *r)
{
    put_hex(b, r, 8);
    put_ch(b, '-');
    put_hex(b, r, 4);
    put(b, "-4");
    put_hex(b, r, 3);
    put_ch(b, '-');
    put_ch(b, "89ab"[rnd_below(r, 4)]);
    put_hex(b, r, 3);
    put_ch(b, '-');
    put_hex(b, r, 12);
}

/* ---- time ---- */

static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

typedef struct civil {
    int y, mo, d, h, mi, s, ms;
} civil_t;

static civil_t civil_from_ms(int64_t ms)
{
    civil_t c;
    int64_t days = ms / 86400000, rem = ms % 86400000;
    c.h = (int)(rem / 3600000);
    c.mi = (int)(rem / 60000 % 60);
    c.s = (int)(rem / 1000 % 60);
    c.ms = (int)(rem % 1000);
    int64_t z = days + 719468, era = z / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    c.d = (int)(doy - (153 * mp + 2) / 5 + 1);
    c.mo = (int)(mp < 10 ? mp + 3 : mp - 9);
    c.y = (int)(yoe + era * 400 + (c.mo <= 2));
    return c;
}

static void put_iso(buf_t *b, int64_t ms)
{
    civil_t c = civil_from_ms(ms);
    putf(b, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", c.y, c.mo, c.d, c.h, c.mi, c.s, c.ms);
}

static void put_date(buf_t *b, int64_t ms)
{
    civil_t c = civil_from_ms(ms);
    putf(b, "%04d-%02d-%02d", c.y, c.mo, c.d);
}

static void put_nginx_time(buf_t *b, int64_t ms)
{
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    civil_t c = civil_from_ms(ms);
    putf(b, "%02d/%s/%04d:%02d:%02d:%02d +0000", c.d, mon[c.mo - 1], c.y, c.h, c.mi, c.s);
}

/* ---- vocabulary ---- */

static const char *const FIRST[] = {"james",   "maria",  "wei",    "fatima", "lukas",  "sofia",
                                    "hiroshi", "amelie", "carlos", "priya",  "olga",   "mohammed",
                                    "emma",    "jan",    "lucia",  "noah",   "aisha",  "mateo",
                                    "yuki",    "lars",   "chloe",  "diego",  "ananya", "pieter"};
static const char *const LAST[] = {"smith",    "garcia",  "muller", "rossi",   "dubois",
                                   "kowalski", "tanaka",  "silva",  "jansen",  "fernandez",
                                   "nguyen",   "schmidt", "kumar",  "brown",   "moreau",
                                   "bianchi",  "lopez",   "sato",   "devries", "okafor"};
static const char *const MAILDOM[] = {"gmail.com", "outlook.com", "yahoo.co.uk", "web.de",
                                      "orange.fr", "icloud.com",  "proton.me",   "example-corp.com",
                                      "mail.ru",   "gmx.net"};
static const char *const STATUS[] = {"active", "pending", "suspended",
                                     "active", "active",  "invited"};
static const char *const PLAN[] = {"free", "pro", "team", "enterprise"};
static const char *const LOCALE[] = {"en-US", "en-GB", "de-DE", "fr-FR", "es-ES",
                                     "it-IT", "nl-NL", "pt-BR", "ja-JP", "hi-IN"};
static const char *const TZ[] = {"Europe/Berlin",    "America/New_York",  "Asia/Tokyo",
                                 "Europe/London",    "America/Sao_Paulo", "Asia/Kolkata",
                                 "Australia/Sydney", "Europe/Madrid"};
static const char *const CUR[] = {"USD", "EUR", "GBP", "JPY", "BRL", "INR"};
static const char *const BRAND[] = {"visa", "mastercard", "amex", "discover"};
static const char *const EVENT[] = {"page_view", "add_to_cart", "checkout_started",
                                    "search",    "signup",      "login",
                                    "click",     "purchase",    "scroll_depth"};
static const char *const PAGE[] = {"/",
                                   "/products",
                                   "/products/sneakers",
                                   "/cart",
                                   "/checkout",
                                   "/account/settings",
                                   "/blog/2026/11/release-notes",
                                   "/search",
                                   "/help/returns",
                                   "/pricing"};
static const char *const METHOD[] = {"GET",  "GET", "GET",    "GET",  "POST",
                                     "POST", "PUT", "DELETE", "PATCH"};
static const char *const API[] = {"/api/v2/orders",
                                  "/api/v2/users",
                                  "/api/v1/products",
                                  "/api/v2/payments",
                                  "/api/v1/events",
                                  "/api/v2/carts",
                                  "/healthz",
                                  "/api/v1/search",
                                  "/static/js/app.3f9c2e1b.js",
                                  "/static/css/main.8a1d.css"};
static const int HTTP_STATUS[] = {200, 200, 200, 200, 200, 201, 204, 301, 304,
                                  400, 401, 403, 404, 422, 429, 500, 502, 503};
static const char *const UA[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
    "like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) "
    "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 "
    "Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, "
    "like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36",
    "okhttp/4.12.0",
    "curl/8.5.0",
    "python-requests/2.31.0",
    "Go-http-client/1.1",
    "PostmanRuntime/7.37.3"};
static const char *const REFERER[] = {
    "-",
    "-",
    "https://www.google.com/",
    "https://shop.example.com/cart",
    "https://shop.example.com/products?category=shoes&sort=price_asc",
    "https://t.co/",
    "android-app://com.google.android.gm/"};
static const char *const LEVEL[] = {"INFO",  "INFO",  "INFO", "INFO",
                                    "DEBUG", "DEBUG", "WARN", "ERROR"};
static const char *const LOGGER[] = {"c.e.orders.OrderService",
                                     "c.e.payments.StripeGateway",
                                     "c.e.users.AccountController",
                                     "c.e.search.QueryPlanner",
                                     "o.h.engine.jdbc.spi.SqlExceptionHelper",
                                     "c.e.events.KafkaPublisher",
                                     "c.e.auth.SessionFilter",
                                     "c.e.inventory.StockSync"};
static const char *const CITY[] = {"Berlin",  "Lyon", "Austin",   "Osaka", "Madrid",
                                   "Utrecht", "Pune", "Curitiba", "Leeds", "Turin"};

/* ---- PII values, each valid for its validator ---- */

static const char *const PII_NAMES[CORPUS_PII__COUNT] = {
    "email",        "phone",      "credit_card",    "iban", "us_ssn",
    "ipv4",         "ipv6",       "mac_address",    "jwt",  "aws_access_key_id",
    "github_token", "stripe_key", "url_credentials"};

/* Relative frequencies of the planted kinds. */
static const int PII_WEIGHT[CORPUS_PII__COUNT] = {22, 12, 10, 6, 6, 14, 6, 3, 6, 4, 3, 3, 5};

const char *corpus_pii_name(int kind)
{
    return kind >= 0 && kind < CORPUS_PII__COUNT ? PII_NAMES[kind] : "?";
}

static int luhn_check_digit(const char *digits, size_t n)
{
    /* The check digit that makes <digits> + check pass Luhn. */
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int d = digits[n - 1 - i] - '0';
        if (i % 2 == 0) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    return (10 - sum % 10) % 10;
}

/* make_card(): a card number of an issuer, valid (Luhn) or not. */
static size_t make_card(rng_t *r, char *out, int valid)
{
    static const struct {
        const char *prefix;
        int len;
    } iss[] = {{"4", 16},  {"4", 16},  {"51", 16},   {"55", 16},  {"2221", 16},
               {"34", 15}, {"37", 15}, {"6011", 16}, {"358", 16}, {"4", 13}};
    int k = (int)rnd_below(r, sizeof(iss) / sizeof(iss[0]));
    size_t n = strlen(iss[k].prefix);
    memcpy(out, iss[k].prefix, n);
    while ((int)n < iss[k].len - 1)
        out[n++] = (char)('0' + rnd_below(r, 10));
    int check = luhn_check_digit(out, n);
    if (!valid)
        check = (check + 1 + (int)rnd_below(r, 9)) % 10;
    out[n++] = (char)('0' + check);
    out[n] = '\0';
    return n;
}

static void put_card(buf_t *b, rng_t *r)
{
    char d[24];
    size_t n = make_card(r, d, 1);
    int style = (int)rnd_below(r, 3);
    if (style == 0 || n != 16) {
        put_mem(b, d, n);
        return;
    }
    for (size_t i = 0; i < n; i += 4) {
        if (i)
            put_ch(b, style == 1 ? ' ' : '-');
        put_mem(b, d + i, 4);
    }
}

/* iban_mod97(): ISO 13616 remainder of a rearranged IBAN. */
static int iban_mod97(const char *s, size_t n)
{
    int rem = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[(i + 4) % n];
        if (ch >= '0' && ch <= '9')
            rem = (rem * 10 + (ch - '0')) % 97;
        else
            rem = (rem * 100 + (ch - 'A' + 10)) % 97;
    }
    return rem;
}

static void put_iban(buf_t *b, rng_t *r, int valid)
{
    static const struct {
        const char *cc, *bban; /* bban: 'n' digit, 'a' letter */
    } fmt[] = {{"DE", "nnnnnnnnnnnnnnnnnn"},      {"GB", "aaaannnnnnnnnnnnnn"},
               {"FR", "nnnnnnnnnnnnnnnnnnnnnnn"}, {"ES", "nnnnnnnnnnnnnnnnnnnn"},
               {"NL", "aaaannnnnnnnnn"},          {"IT", "annnnnnnnnnnnnnnnnnnnnn"}};
    int k = (int)rnd_below(r, sizeof(fmt) / sizeof(fmt[0]));
    char s[40];
    size_t n = 0;
    s[n++] = fmt[k].cc[0];
    s[n++] = fmt[k].cc[1];
    s[n++] = '0';
    s[n++] = '0';
    for (const char *f = fmt[k].bban; *f; f++)
        s[n++] = *f == 'n' ? (char)('0' + rnd_below(r, 10)) : (char)('A' + rnd_below(r, 26));
    int check = 98 - iban_mod97(s, n);
    if (!valid)
        check = check % 97 + 1; /* any other pair of check digits fails */
    s[2] = (char)('0' + check / 10);
    s[3] = (char)('0' + check % 10);
    if (chance(r, 60)) {
        put_mem(b, s, n);
        return;
    }
    for (size_t i = 0; i < n; i += 4) {
        if (i)
            put_ch(b, ' ');
        put_mem(b, s + i, n - i < 4 ? n - i : 4);
    }
}

static void put_ssn(buf_t *b, rng_t *r)
{
    int area;
    do
        area = rnd_range(r, 1, 899);
    while (area == 666);
    putf(b, "%03d-%02d-%04d", area, rnd_range(r, 1, 99), rnd_range(r, 1, 9999));
}

static void put_ipv4(buf_t *b, rng_t *r)
{
    int a;
    do
        a = rnd_range(r, 11, 223);
    while (a == 127 || a == 172 || a == 192);
    putf(b, "%d.%d.%d.%d", a, rnd_range(r, 0, 255), rnd_range(r, 0, 255), rnd_range(r, 1, 254));
}

static void put_ipv6(buf_t *b, rng_t *r)
{
    static const char *const pfx[] = {
        "2001:db8:", "2a02:810d:", "2600:1700:", "2a01:4f8:", "fe80::"};
    const char *p = PICK(r, pfx);
    put(b, p);
    if (p[strlen(p) - 2] == ':') { /* link-local: fe80::1c2b:... */
        putf(b, "%x:%x:%x:%x", (unsigned)rnd_below(r, 0x10000), (unsigned)rnd_below(r, 0x10000),
             (unsigned)rnd_below(r, 0x10000), (unsigned)rnd_below(r, 0x10000));
    } else if (chance(r, 50)) {
        putf(b, "%x::%x:%x", (unsigned)rnd_below(r, 0x10000), (unsigned)rnd_below(r, 0x10000),
             (unsigned)rnd_below(r, 0x10000));
    } else {
        putf(b, "%x:%x:%x:%x:%x:%x", (unsigned)rnd_below(r, 0x10000),
             (unsigned)rnd_below(r, 0x10000), (unsigned)rnd_below(r, 0x10000),
             (unsigned)rnd_below(r, 0x10000), (unsigned)rnd_below(r, 0x10000),
             (unsigned)rnd_below(r, 0x10000));
    }
}

static void put_mac(buf_t *b, rng_t *r)
{
    char sep = chance(r, 70) ? ':' : '-';
    for (int i = 0; i < 6; i++) {
        if (i)
            put_ch(b, sep);
        put_hex(b, r, 2);
    }
}

static void put_b64url(buf_t *b, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)(unsigned char)s[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)(unsigned char)s[i + 1] << 8;
        if (i + 2 < n)
            v |= (unsigned char)s[i + 2];
        put_ch(b, B64URL[v >> 18 & 63]);
        put_ch(b, B64URL[v >> 12 & 63]);
        if (i + 1 < n)
            put_ch(b, B64URL[v >> 6 & 63]);
        if (i + 2 < n)
            put_ch(b, B64URL[v & 63]);
    }
}

static void put_jwt(buf_t *b, rng_t *r, int64_t now_ms)
{
    static const char *const hdr[] = {"{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
                                      "{\"alg\":\"RS256\",\"kid\":\"k1\"}",
                                      "{\"typ\":\"JWT\",\"alg\":\"ES256\"}"};
    char payload[160];
    snprintf(payload, sizeof(payload),
             "{\"sub\":\"%llu\",\"iat\":%lld,\"exp\":%lld,\"scope\":\"read\"}",
             (unsigned long long)rnd_below(r, 100000000), (long long)(now_ms / 1000),
             (long long)(now_ms / 1000 + 3600));
    put_b64url(b, PICK(r, hdr));
    put_ch(b, '.');
    put_b64url(b, payload);
    put_ch(b, '.');
    put_charset(b, r, B64URL, 43);
}

static uint32_t crc32(const char *s, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= (unsigned char)s[i];
        for (int k = 0; k < 8; k++)
            c = c >> 1 ^ (0xedb88320u & (0u - (c & 1)));
    }
    return ~c;
}

/* A GitHub token: prefix, 30 random base62, 6 base62 of the CRC32. */
static void put_github(buf_t *b, rng_t *r)
{
    char body[31];
    for (int i = 0; i < 30; i++)
        body[i] = B62[rnd_below(r, 62)];
    body[30] = '\0';
    uint32_t crc = crc32(body, 30);
    char check[7];
    for (int i = 5; i >= 0; i--) {
        check[i] = B62[crc % 62];
        crc /= 62;
    }
    check[6] = '\0';
    putf(b, "ghp_%s%s", body, check);
}

static void put_phone(buf_t *b, rng_t *r)
{
    switch (rnd_below(r, 8)) {
    case 0:
        putf(b, "+1 %d-555-01%02d", rnd_range(r, 201, 989), rnd_range(r, 0, 99));
        break;
    case 1:
        putf(b, "(%d) 555-01%02d", rnd_range(r, 201, 989), rnd_range(r, 0, 99));
        break;
    case 2:
        putf(b, "+44 20 7946 %04d", rnd_range(r, 0, 9999));
        break;
    case 3:
        putf(b, "+49 30 %d %04d", rnd_range(r, 100, 999), rnd_range(r, 0, 9999));
        break;
    case 4:
        putf(b, "+33 6 %02d %02d %02d %02d", rnd_range(r, 0, 99), rnd_range(r, 0, 99),
             rnd_range(r, 0, 99), rnd_range(r, 0, 99));
        break;
    case 5:
        putf(b, "+91 98%03d %05d", rnd_range(r, 0, 999), rnd_range(r, 0, 99999));
        break;
    case 6:
        putf(b, "+55 11 9%04d-%04d", rnd_range(r, 0, 9999), rnd_range(r, 0, 9999));
        break;
    default:
        putf(b, "+1415555%04d", rnd_range(r, 0, 9999));
        break;
    }
}

static void put_email(buf_t *b, rng_t *r, int percent_encoded)
{
    const char *f = PICK(r, FIRST), *l = PICK(r, LAST);
    switch (rnd_below(r, 4)) {
    case 0:
        putf(b, "%s.%s", f, l);
        break;
    case 1:
        putf(b, "%c%s%d", f[0], l, rnd_range(r, 1, 99));
        break;
    case 2:
        putf(b, "%s_%s+shop", f, l);
        break;
    default:
        putf(b, "%s%s", f, l);
        break;
    }
    put(b, percent_encoded ? "%40" : "@");
    put(b, PICK(r, MAILDOM));
}

/* put_pii(): one planted value of <kind>. */
static void put_pii(buf_t *b, rng_t *r, int kind, int64_t now_ms)
{
    switch (kind) {
    case CORPUS_PII_EMAIL:
        put_email(b, r, 0);
        break;
    case CORPUS_PII_PHONE:
        put_phone(b, r);
        break;
    case CORPUS_PII_CREDIT_CARD:
        put_card(b, r);
        break;
    case CORPUS_PII_IBAN:
        put_iban(b, r, 1);
        break;
    case CORPUS_PII_US_SSN:
        put_ssn(b, r);
        break;
    case CORPUS_PII_IPV4:
        put_ipv4(b, r);
        break;
    case CORPUS_PII_IPV6:
        put_ipv6(b, r);
        break;
    case CORPUS_PII_MAC:
        put_mac(b, r);
        break;
    case CORPUS_PII_JWT:
        put_jwt(b, r, now_ms);
        break;
    case CORPUS_PII_AWS_KEY:
        put(b, "AKIA");
        put_charset(b, r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
        break;
    case CORPUS_PII_GITHUB_TOKEN:
        put_github(b, r);
        break;
    case CORPUS_PII_STRIPE_KEY:
        put(b, "sk_live_");
        put_charset(b, r, B62, 24);
        break;
    case CORPUS_PII_URL_CREDENTIALS:
        putf(b, "postgres://%s:%c%s%d!@db-%d.internal:5432/app", PICK(r, LAST),
             'A' + (char)rnd_below(r, 26), PICK(r, FIRST), rnd_range(r, 10, 99),
             rnd_range(r, 1, 9));
        break;
    }
}

/* The JSON key a kind is stored under. */
static const char *pii_key(int kind)
{
    static const char *const k[CORPUS_PII__COUNT] = {
        "contact",   "mobile",      "pan",        "payout_account", "tax_ref",
        "client_ip", "client_ip",   "device_mac", "id_token",       "access_key",
        "vcs_token", "gateway_key", "dsn"};
    return k[kind];
}

/* ---- hard negatives ---- */

static void put_order_number(buf_t *b, rng_t *r)
{
    char d[24];
    put_mem(b, d, make_card(r, d, 0)); /* card-shaped, fails Luhn */
}

static void put_masked_card(buf_t *b, rng_t *r)
{
    if (chance(r, 50)) {
        put(b, "**** **** **** ");
        put_digits(b, r, 4);
    } else {
        put(b, "411111******");
        put_digits(b, r, 4);
    }
}

static void put_sku(buf_t *b, rng_t *r)
{
    put(b, "SKU-");
    put_charset(b, r, "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", 4);
    putf(b, "-%05d", rnd_range(r, 0, 99999));
}

static void put_price(buf_t *b, rng_t *r)
{
    putf(b, "%d.%02d", rnd_range(r, 1, 499), rnd_range(r, 0, 99));
}

static void put_tracking(buf_t *b, rng_t *r)
{
    if (chance(r, 50)) {
        put(b, "1Z");
        put_charset(b, r, "ABCDEFGHJKLMNPRSTUVWXYZ0123456789", 16);
    } else {
        put(b, "9400");
        put_digits(b, r, 18);
    }
}

static void put_id(buf_t *b, rng_t *r, const char *prefix)
{
    put(b, prefix);
    put_charset(b, r, B62, 14);
}

/* ---- records ---- */

typedef struct gen {
    rng_t r;
    buf_t *b;
    int64_t now_ms;
} gen_t;

/* pii_field(): `"key":"value",` for a planted kind; nothing for -1. */
static void pii_field(gen_t *g, int kind)
{
    if (kind < 0)
        return;
    putf(g->b, "\"%s\":\"", pii_key(kind));
    put_pii(g->b, &g->r, kind, g->now_ms);
    put(g->b, "\",");
}

static void json_user(gen_t *g, int kind)
{
    buf_t *b = g->b;
    rng_t *r = &g->r;
    put(b, "{\"id\":\"");
    put_id(b, r, "usr_");
    put(b, "\",\"uuid\":\"");
    put_uuid(b, r);
    put(b, "\",\"created_at\":\"");
    put_iso(b, g->now_ms - (int64_t)rnd_below(r, 86400000ull * 900));
    putf(b, "\",\"updated_at_ms\":%lld,", (long long)g->now_ms);
    pii_field(g, kind);
    putf(b, "\"status\":\"%s\",\"plan\":\"%s\",\"locale\":\"%s\",", PICK(r, STATUS), PICK(r, PLAN),
         PICK(r, LOCALE));
    putf(b,
         "\"settings\":{\"theme\":\"%s\",\"notifications\":{\"email\":%s,"
         "\"sms\":%s,\"push\":%s},\"timezone\":\"%s\"},",
         chance(r, 50) ? "dark" : "light", chance(r, 70) ? "true" : "false",
         chance(r, 20) ? "true" : "false", chance(r, 50) ? "true" : "false", PICK(r, TZ));
    putf(b, "\"stats\":{\"logins\":%d,\"orders\":%d,\"lifetime_value\":", rnd_range(r, 0, 5000),
         rnd_range(r, 0, 300));
    put_price(b, r);
    put(b, ",\"last_seen\":\"");
    put_iso(b, g->now_ms - (int64_t)rnd_below(r, 86400000ull * 30));
    putf(b, "\"},\"address\":{\"city\":\"%s\",\"geo\":[%d.%06d,%d.%06d]},", PICK(r, CITY),
         rnd_range(r, -60, 70), rnd_range(r, 0, 999999), rnd_range(r, -170, 170),
         rnd_range(r, 0, 999999));
    put(b, "\"avatar\":\"https://cdn.example.com/avatars/");
    put_hex(b, r, 32);
    put(b, ".png\",\"tags\":[\"beta\",\"newsletter\",\"eu\"],\"version\":");
    putf(b, "%d,\"etag\":\"W/\\\"", rnd_range(r, 1, 40));
    put_hex(b, r, 16);
    put(b, "\\\"\"}");
}

static void json_order(gen_t *g, int kind)
{
    buf_t *b = g->b;
    rng_t *r = &g->r;
    put(b, "{\"order_id\":\"");
    put_id(b, r, "ord_");
    put(b, "\",\"number\":\"");
    put_order_number(b, r);
    put(b, "\",\"customer_id\":\"");
    put_id(b, r, "cus_");
    put(b, "\",");
    pii_field(g, kind);
    put(b, "\"items\":[");
    int n = rnd_range(r, 1, 4);
    for (int i = 0; i < n; i++) {
        put(b, i ? ",{\"sku\":\"" : "{\"sku\":\"");
        put_sku(b, r);
        putf(b, "\",\"qty\":%d,\"unit_price\":", rnd_range(r, 1, 5));
        put_price(b, r);
        putf(b, ",\"currency\":\"%s\",\"variant_id\":%llu}", PICK(r, CUR),
             (unsigned long long)(1000000000ull + rnd_below(r, 9000000000ull)));
    }
    put(b, "],\"total\":");
    put_price(b, r);
    put(b, ",\"tax\":");
    put_price(b, r);
    put(b, ",\"shipping\":{\"method\":\"express\",\"tracking\":\"");
    put_tracking(b, r);
    put(b, "\",\"eta\":\"");
    put_date(b, g->now_ms + (int64_t)rnd_below(r, 86400000ull * 7));
    putf(b, "\",\"warehouse\":\"WH-%02d\"},\"created_at\":\"", rnd_range(r, 1, 40));
    put_iso(b, g->now_ms);
    putf(b, "\",\"created_ts\":%lld}", (long long)(g->now_ms / 1000));
}

static void json_payment(gen_t *g, int kind)
{
    buf_t *b = g->b;
    rng_t *r = &g->r;
    put(b, "{\"payment_id\":\"");
    put_id(b, r, "pay_");
    putf(b, "\",\"amount\":%d,\"currency\":\"%s\",", rnd_range(r, 100, 250000), PICK(r, CUR));
    pii_field(g, kind);
    putf(b, "\"card\":{\"brand\":\"%s\",\"masked\":\"", PICK(r, BRAND));
    put_masked_card(b, r);
    putf(b, "\",\"exp_month\":%d,\"exp_year\":%d,\"fingerprint\":\"", rnd_range(r, 1, 12),
         rnd_range(r, 2027, 2032));
    put_hex(b, r, 32);
    put(b, "\"},\"idempotency_key\":\"");
    put_uuid(b, r);
    putf(b, "\",\"created\":%lld,\"status\":\"%s\",\"risk_score\":%d,",
         (long long)(g->now_ms / 1000), chance(r, 90) ? "succeeded" : "failed",
         rnd_range(r, 0, 99));
    if (chance(r, 5)) { /* an IBAN-shaped value whose check digits fail */
        put(b, "\"refund_ref\":\"");
        put_iban(b, r, 0);
        put(b, "\",");
    }
    put(b, "\"receipt_url\":\"https://pay.example.com/receipts/");
    put_hex(b, r, 40);
    put(b, "\",\"metadata\":{\"order_number\":\"");
    put_order_number(b, r);
    put(b, "\",\"cart_hash\":\"");
    put_hex(b, r, 64);
    put(b, "\"}}");
}

static void json_event(gen_t *g, int kind)
{
    buf_t *b = g->b;
    rng_t *r = &g->r;
    putf(b, "{\"event\":\"%s\",\"ts\":%lld,\"session\":\"", PICK(r, EVENT), (long long)g->now_ms);
    put_hex(b, r, 40);
    put(b, "\",\"trace_id\":\"");
    put_hex(b, r, 32);
    put(b, "\",\"span_id\":\"");
    put_hex(b, r, 16);
    put(b, "\",");
    pii_field(g, kind);
    putf(b,
         "\"props\":{\"path\":\"%s\",\"referrer\":\"%s\",\"duration_ms\":%d,"
         "\"viewport\":\"%dx%d\",\"experiment\":\"exp-%d-b\"},",
         PICK(r, PAGE), PICK(r, REFERER), rnd_range(r, 1, 90000), rnd_range(r, 320, 2560),
         rnd_range(r, 480, 1440), rnd_range(r, 1, 99));
    putf(b, "\"sdk\":{\"name\":\"web\",\"version\":\"%d.%d.%d\"},\"ua\":\"%s\"}",
         rnd_range(r, 1, 5), rnd_range(r, 0, 20), rnd_range(r, 0, 30), PICK(r, UA));
}

/* pretty(): re-indents compact JSON in b->p[from..] with two spaces. */
static void pretty(buf_t *b, size_t from)
{
    size_t n = b->len - from;
    char *src = malloc(n);
    if (!src) {
        b->oom = 1;
        return;
    }
    memcpy(src, b->p + from, n);
    b->len = from;
    int depth = 0, in_str = 0;
    for (size_t i = 0; i < n; i++) {
        char c = src[i];
        if (in_str) {
            put_ch(b, c);
            if (c == '\\' && i + 1 < n)
                put_ch(b, src[++i]);
            else if (c == '"')
                in_str = 0;
            continue;
        }
        switch (c) {
        case '"':
            in_str = 1;
            put_ch(b, c);
            break;
        case '{':
        case '[':
            put_ch(b, c);
            putf(b, "\n%*s", 2 * ++depth, "");
            break;
        case '}':
        case ']':
            putf(b, "\n%*s", 2 * --depth, "");
            put_ch(b, c);
            break;
        case ',':
            putf(b, ",\n%*s", 2 * depth, "");
            break;
        case ':':
            put(b, ": ");
            break;
        default:
            put_ch(b, c);
        }
    }
    free(src);
}

static void access_line(gen_t *g, int kind)
{
    buf_t *b = g->b;
    rng_t *r = &g->r;
    if (kind == CORPUS_PII_IPV4 || kind == CORPUS_PII_IPV6)
        put_pii(b, r, kind, g->now_ms);
    else
        put(b, "unix:");
    put(b, " - - [");
    put_nginx_time(b, g->now_ms);
    const char *api = PICK(r, API);
    int query = api[1] == 'a';
    putf(b, "] \"%s %s", PICK(r, METHOD), api);
    if (query) {
        if (chance(r, 50)) {
            put(b, "/");
            put_id(b, r, "ord_");
        }
        putf(b, "?page=%d&per_page=50&sort=-created_at&ts=%lld", rnd_range(r, 1, 40),
             (long long)g->now_ms);
        if (chance(r, 30)) {
            put(b, "&sku=");
            put_sku(b, r);
        }
    }
    if (kind == CORPUS_PII_EMAIL) {
        put(b, query ? "&lookup=1&email=" : "?lookup=1&email=");
        put_email(b, r, 1);
    } else if (kind == CORPUS_PII_JWT) {
        put(b, query ? "&access_token=" : "?access_token=");
        put_jwt(b, r, g->now_ms);
    } else if (kind == CORPUS_PII_PHONE) {
        /* E.164 without spaces: a request line has none */
        putf(b, "%sotp=1&to=+1415555%04d", query ? "&" : "?", rnd_range(r, 0, 9999));
    }
    putf(b, " HTTP/1.1\" %d %d \"", PICK(r, HTTP_STATUS), rnd_range(r, 0, 250000));
    if (kind == CORPUS_PII_URL_CREDENTIALS) {
        put(b, "https://admin:");
        put_charset(b, r, B62, 12);
        put(b, "@shop.example.com/");
    } else {
        put(b, PICK(r, REFERER));
    }
    putf(b, "\" \"%s\" rt=%d.%03d uct=\"0.%03d\" req_id=", PICK(r, UA), rnd_range(r, 0, 2),
         rnd_range(r, 0, 999), rnd_range(r, 0, 999));
    put_hex(b, r, 32);
}

static void app_line(gen_t *g, int kind)
{
    buf_t *b = g->b;
    rng_t *r = &g->r;
    put_iso(b, g->now_ms);
    putf(b, " %-5s [worker-%d] %s - ", PICK(r, LEVEL), rnd_range(r, 1, 16), PICK(r, LOGGER));
    static const char *const pii_fmt[CORPUS_PII__COUNT] = {"login failed for user=",
                                                           "sms sent to=",
                                                           "payment declined card=",
                                                           "payout created iban=",
                                                           "kyc check submitted ssn=",
                                                           "rate limit exceeded client=",
                                                           "rate limit exceeded client=",
                                                           "device registered mac=",
                                                           "auth header=\"Authorization: Bearer ",
                                                           "using credentials access_key_id=",
                                                           "clone with token ",
                                                           "stripe client init key=",
                                                           "connecting to "};
    if (kind >= 0) {
        put(b, pii_fmt[kind]);
        put_pii(b, r, kind, g->now_ms);
        if (kind == CORPUS_PII_JWT)
            put_ch(b, '"');
        put(b, " request_id=");
        put_uuid(b, r);
        return;
    }
    switch (rnd_below(r, 7)) {
    case 0:
        put(b, "order ");
        put_id(b, r, "ord_");
        putf(b, " processed in %dms items=%d total=", rnd_range(r, 1, 900), rnd_range(r, 1, 9));
        put_price(b, r);
        put(b, " request_id=");
        put_uuid(b, r);
        break;
    case 1:
        putf(b, "GET %s took %d.%03ds status=%d bytes=%d", PICK(r, API), rnd_range(r, 0, 3),
             rnd_range(r, 0, 999), PICK(r, HTTP_STATUS), rnd_range(r, 0, 900000));
        break;
    case 2:
        put(b, "cache miss key=product:");
        put_hex(b, r, 24);
        putf(b, " ttl=%d hit_ratio=0.%03d", rnd_range(r, 60, 86400), rnd_range(r, 0, 999));
        break;
    case 3:
        putf(b, "published %d events to topic orders.v3 partition=%d offset=%lld",
             rnd_range(r, 1, 500), rnd_range(r, 0, 63), (long long)rnd_below(r, 90000000000ull));
        break;
    case 4:
        put(b, "SQL Error: 0, SQLState: 40001 deadlock detected tx=");
        put_digits(b, r, 10);
        put(b, " order_number=");
        put_order_number(b, r);
        break;
    case 5:
        put(b, "shipment created tracking=");
        put_tracking(b, r);
        put(b, " sku=");
        put_sku(b, r);
        putf(b, " weight_kg=%d.%02d", rnd_range(r, 0, 30), rnd_range(r, 0, 99));
        break;
    default:
        putf(b, "stock sync done updated=%d skipped=%d in %lldms ts=%lld", rnd_range(r, 0, 5000),
             rnd_range(r, 0, 50), (long long)rnd_below(r, 60000), (long long)(g->now_ms / 1000));
        break;
    }
}

/* ---- a second kind of JSON API traffic (--records api) ----
   Records as SaaS APIs return them, mostly words rather than ids: support
   tickets with a free-text description, catalogue products, chat
   messages, repository events, each list in a pagination envelope. PII
   is planted in the free text ("reach me at ..."), in the same sparse
   way as the other kinds. */

static const char *const WORDS[] = {
    "the",      "order",   "arrived", "late",     "and",       "box",      "was",     "damaged",
    "please",   "refund",  "my",      "account",  "cannot",    "log",      "in",      "after",
    "update",   "thanks",  "for",     "quick",    "reply",     "shipping", "address", "changed",
    "invoice",  "missing", "size",    "too",      "small",     "exchange", "colour",  "different",
    "from",     "photo",   "deploy",  "finished", "dashboard", "looks",    "green",   "again",
    "review",   "branch",  "merge",   "when",     "ready",     "meeting",  "moved",   "to",
    "tomorrow", "morning"};
static const char *const TAGS[] = {"billing", "refund", "shipping", "login",   "bug",
                                   "feature", "urgent", "vip",      "returns", "api"};
static const char *const TITLE[] = {"Trail Runner 2 Waterproof",
                                    "Merino Crew Sock",
                                    "Packable Rain Shell",
                                    "Everyday Canvas Tote",
                                    "Insulated Bottle 750 ml",
                                    "Cotton Oxford Shirt",
                                    "Wool Beanie",
                                    "Leather Card Holder"};
static const char *const COLOUR[] = {"forest green", "slate", "sand",     "navy",
                                     "charcoal",     "rust",  "off white"};
static const char *const CHANNEL[] = {"web", "email", "mobile", "api", "chat"};

/* A sentence of 6 to 18 words, with a planted value in it for kind >= 0. */
static void put_words(gen_t *g, int kind)
{
    int n = rnd_range(&g->r, 6, 18), at = kind >= 0 ? rnd_range(&g->r, 2, n - 1) : -1;
    for (int k = 0; k < n; k++) {
        if (k)
            put_ch(g->b, ' ');
        if (k == at) {
            put(g->b, kind == CORPUS_PII_EMAIL ? "reach me at " : "it is ");
            put_pii(g->b, &g->r, kind, g->now_ms);
            put_ch(g->b, ' ');
        }
        put(g->b, PICK(&g->r, WORDS));
    }
    put_ch(g->b, '.');
}

static void api_ticket(gen_t *g, int kind)
{
    buf_t *b = g->b;
    rng_t *r = &g->r;
    putf(b, "{\"id\":%d,\"type\":\"ticket\",\"attributes\":{\"subject\":\"",
         rnd_range(r, 100000, 999999));
    put_words(g, -1);
    put(b, "\",\"description\":\"");
    put_words(g, kind);
    putf(b, "\",\"status\":\"%s\",\"priority\":\"%s\",\"tags\":[\"%s\",\"%s\"],",
         chance(r, 70) ? "open" : "solved", chance(r, 80) ? "normal" : "high", PICK(r, TAGS),
         PICK(r, TAGS));
    putf(b, "\"requester_id\":%d,\"assignee_id\":%d,\"created_at\":\"",
         rnd_range(r, 1000000, 9999999), rnd_range(r, 1000, 9999));
    put_iso(b, g->now_ms - (int64_t)rnd_below(r, 86400000ull * 30));
    put(b, "\",\"updated_at\":\"");
    put_iso(b, g->now_ms);
    putf(b, "\",\"via\":{\"channel\":\"%s\"},\"satisfaction\":null}}", PICK(r, CHANNEL));
}

static void api_product(gen_t *g, int kind)
{
    buf_t *b = g->b;
    rng_t *r = &g->r;
    put(b, "{\"sku\":\"");
    put_sku(b, r);
    putf(b, "\",\"title\":\"%s\",\"description\":\"", PICK(r, TITLE));
    put_words(g, kind);
    putf(b, "\",\"price\":{\"amount\":%d,\"currency\":\"%s\"},", rnd_range(r, 500, 40000),
         PICK(r, CUR));
    putf(b, "\"inventory\":{\"warehouse\":\"WH-%02d\",\"available\":%d},", rnd_range(r, 1, 12),
         rnd_range(r, 0, 500));
    put(b, "\"images\":[\"https://cdn.example.com/i/");
    put_hex(b, r, 12);
    putf(b,
         ".jpg\"],\"attributes\":{\"colour\":\"%s\",\"size\":\"%d\"},"
         "\"rating\":%d.%d,\"reviews\":%d,\"active\":%s}",
         PICK(r, COLOUR), rnd_range(r, 36, 47), rnd_range(r, 3, 4), rnd_range(r, 0, 9),
         rnd_range(r, 0, 900), chance(r, 90) ? "true" : "false");
}

static void api_message(gen_t *g, int kind)
{
    buf_t *b = g->b;
    rng_t *r = &g->r;
    put(b, "{\"type\":\"message\",\"channel\":\"C");
    put_charset(b, r, "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", 8);
    put(b, "\",\"user\":\"U");
    put_charset(b, r, "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", 8);
    put(b, "\",\"text\":\"");
    put_words(g, kind);
    putf(b,
         "\",\"ts\":\"%lld.%06d\",\"reactions\":[{\"name\":\"%s\",\"count\":%d}],"
         "\"thread\":null}",
         (long long)(g->now_ms / 1000), rnd_range(r, 0, 999999),
         chance(r, 50) ? "thumbsup" : "tada", rnd_range(r, 1, 9));
}

static void api_push(gen_t *g, int kind)
{
    buf_t *b = g->b;
    rng_t *r = &g->r;
    putf(b,
         "{\"id\":\"%d\",\"type\":\"PushEvent\",\"actor\":{\"login\":\"%s-%s\","
         "\"display_login\":\"%s\"},\"repo\":{\"name\":\"acme/%s\"},",
         rnd_range(r, 10000000, 99999999), PICK(r, FIRST), PICK(r, LAST), PICK(r, FIRST),
         PICK(r, WORDS));
    put(b, "\"payload\":{\"ref\":\"refs/heads/main\",\"commits\":[{\"sha\":\"");
    put_hex(b, r, 40);
    put(b, "\",\"message\":\"");
    put_words(g, kind);
    putf(b, "\",\"distinct\":true}]},\"public\":%s,\"created_at\":\"",
         chance(r, 80) ? "true" : "false");
    put_iso(b, g->now_ms);
    put(b, "\"}");
}

/* A page of 2 to 5 records of one kind in a pagination envelope; the
   planted value (if any) goes in one of them. */
static void api_page(gen_t *g, int kind)
{
    buf_t *b = g->b;
    rng_t *r = &g->r;
    int which = (int)rnd_below(r, 4), n = rnd_range(r, 2, 5), at = (int)rnd_below(r, (uint64_t)n);
    put(b, "{\"data\":[");
    for (int k = 0; k < n; k++) {
        if (k)
            put_ch(b, ',');
        int kk = k == at ? kind : -1;
        if (which == 0)
            api_ticket(g, kk);
        else if (which == 1)
            api_product(g, kk);
        else if (which == 2)
            api_message(g, kk);
        else
            api_push(g, kk);
    }
    int page = rnd_range(r, 1, 80);
    putf(b,
         "],\"meta\":{\"page\":%d,\"per_page\":%d,\"total\":%d},\"links\":{\"next\":"
         "\"https://api.example.com/v1/items?page=%d\"}}",
         page, n, rnd_range(r, 100, 9999), page + 1);
}

/* ---- PII-dense records (--records dense) ----
   Customer profiles where every record carries several values, under
   sensitive keys (whole-field findings) and neutral ones (found by the
   text layer), and log lines with two or three values each. */

static void dense_profile(gen_t *g)
{
    buf_t *b = g->b;
    rng_t *r = &g->r;
    put(b, "{\"id\":\"");
    put_id(b, r, "cus_");
    putf(b, "\",\"name\":\"%c%s %c%s\",\"email\":\"", 'A' + (char)rnd_below(r, 26),
         PICK(r, FIRST) + 1, 'A' + (char)rnd_below(r, 26), PICK(r, LAST) + 1);
    put_email(b, r, 0);
    put(b, "\",\"phone\":\"");
    put_phone(b, r);
    putf(b, "\",\"address\":{\"line1\":\"%d %s Street\",\"city\":\"%s\",\"postal_code\":\"%05d\"},",
         rnd_range(r, 1, 300), PICK(r, LAST), PICK(r, CITY), rnd_range(r, 10000, 99999));
    put(b, "\"last_ip\":\"");
    put_ipv4(b, r);
    put(b, "\",\"payment\":{\"card\":\"");
    put_card(b, r);
    put(b, "\",\"iban\":\"");
    put_iban(b, r, 1);
    put(b, "\"},\"note\":\"backup contact ");
    put_email(b, r, 0);
    put(b, " or ");
    put_phone(b, r);
    put(b, "\",\"created_at\":\"");
    put_iso(b, g->now_ms);
    put(b, "\"}");
}

static void dense_line(gen_t *g)
{
    buf_t *b = g->b;
    rng_t *r = &g->r;
    put_iso(b, g->now_ms);
    put(b, " INFO  c.e.crm.ContactSync - synced contact email=");
    put_email(b, r, 0);
    put(b, " phone=");
    put_phone(b, r);
    put(b, " from ");
    put_ipv4(b, r);
    if (chance(r, 50)) {
        put(b, " ssn ");
        put_ssn(b, r);
    }
}

static size_t dense_count(int json)
{
    return json ? 8 : 3; /* planted values per record, about */
}

static int pick_kind(rng_t *r)
{
    int total = 0;
    for (int k = 0; k < CORPUS_PII__COUNT; k++)
        total += PII_WEIGHT[k];
    int x = (int)rnd_below(r, (uint64_t)total);
    for (int k = 0; k < CORPUS_PII__COUNT; k++) {
        if (x < PII_WEIGHT[k])
            return k;
        x -= PII_WEIGHT[k];
    }
    return 0;
}

static int access_can_host(int kind)
{
    return kind == CORPUS_PII_IPV4 || kind == CORPUS_PII_IPV6 || kind == CORPUS_PII_EMAIL ||
           kind == CORPUS_PII_JWT || kind == CORPUS_PII_PHONE || kind == CORPUS_PII_URL_CREDENTIALS;
}

/*
 * allowed_type(): <type> (0-44 JSON, 45-79 access, 80-99 app) if its kind
 * is wanted, else a type of a wanted kind. Access lines cannot carry every
 * PII kind, so a corpus of access lines alone gets fewer planted values.
 */
static int allowed_type(unsigned want, int type, rng_t *r)
{
    unsigned kind = type < 45 ? CORPUS_JSON : type < 80 ? CORPUS_ACCESS : CORPUS_APP;
    if (want == 0 || (want & kind))
        return type;
    if (want & CORPUS_JSON)
        return (int)rnd_below(r, 45);
    if (want & CORPUS_APP)
        return 80 + (int)rnd_below(r, 20);
    return 45 + (int)rnd_below(r, 35);
}

int corpus_build(corpus_t *c, const corpus_options_t *opts)
{
    memset(c, 0, sizeof(*c));
    buf_t b = {0};
    if (reserve(&b, opts->bytes + 16384))
        return -ENOMEM;
    gen_t g = {.r = {opts->seed}, .b = &b, .now_ms = days_from_civil(2026, 11, 29) * 86400000};
    size_t every = opts->pii_every ? opts->pii_every : 3072;
    size_t next_pii = every / 4 + rnd_below(&g.r, every);

    /* API and dense records are their own families; the default mix of
       JSON, access and app records is generated exactly as before. */
    unsigned fam = opts->records & (CORPUS_API | CORPUS_DENSE);
    unsigned old = opts->records & ~(unsigned)(CORPUS_API | CORPUS_DENSE);
    while (fam && b.len < opts->bytes && !b.oom) {
        size_t start = b.len;
        int kind = b.len >= next_pii ? pick_kind(&g.r) : -1;
        unsigned avail[3], na = 0;
        if (old)
            avail[na++] = 0;
        if (fam & CORPUS_DENSE)
            avail[na++] = 1;
        if (fam & CORPUS_API)
            avail[na++] = 2;
        unsigned pick = avail[rnd_below(&g.r, na)];
        if (pick == 0) {
            /* one of the default records (JSON, access or app) */
            int type = allowed_type(old, (int)rnd_below(&g.r, 100), &g.r);
            if (type < 45)
                json_user(&g, -1);
            else if (type < 80)
                access_line(&g, -1);
            else
                app_line(&g, kind);
            if (type < 80)
                kind = -1;
        } else if (pick == 1) {
            int json = chance(&g.r, 70);
            if (json)
                dense_profile(&g);
            else
                dense_line(&g);
            c->pii_total += dense_count(json);
            kind = -1;
        } else {
            api_page(&g, kind);
            if (chance(&g.r, 25))
                pretty(&b, start);
        }
        put_ch(&b, '\n');
        c->records++;
        if (kind >= 0) {
            c->pii[kind]++;
            c->pii_total++;
            next_pii = b.len + every / 4 + rnd_below(&g.r, every);
        }
        g.now_ms += (int64_t)rnd_below(&g.r, 250);
    }
    while (!fam && b.len < opts->bytes && !b.oom) {
        size_t start = b.len;
        int kind = b.len >= next_pii ? pick_kind(&g.r) : -1;
        int type = (int)rnd_below(&g.r, 100);
        if (type >= 45 && type < 80 && kind >= 0 && !access_can_host(kind))
            type = 80; /* an app log line can carry any kind */
        type = allowed_type(old, type, &g.r);
        if (type >= 45 && type < 80 && kind >= 0 && !access_can_host(kind))
            kind = -1; /* only access lines wanted: plant at the next one */
        if (type < 45) {
            int which = (int)rnd_below(&g.r, 4);
            if (which == 0)
                json_user(&g, kind);
            else if (which == 1)
                json_order(&g, kind);
            else if (which == 2)
                json_payment(&g, kind);
            else
                json_event(&g, kind);
            if (chance(&g.r, 25))
                pretty(&b, start);
        } else if (type < 80) {
            access_line(&g, kind);
        } else {
            app_line(&g, kind);
        }
        put_ch(&b, '\n');
        c->records++;
        if (kind >= 0) {
            c->pii[kind]++;
            c->pii_total++;
            /* A value is planted at the first record boundary past
               next_pii, half a record (~500 bytes) late on average:
               uniform in [every/4, 5*every/4) brings the mean back. */
            next_pii = b.len + every / 4 + rnd_below(&g.r, every);
        }
        g.now_ms += (int64_t)rnd_below(&g.r, 250);
    }
    if (b.oom) {
        free(b.p);
        return -ENOMEM;
    }
    c->data = b.p;
    c->len = b.len;
    return 0;
}

/* ---- pathological inputs (--pathological KIND) ---- */

const char corpus_pathological_kinds[] = "backslashes,nesting,digits,keys,utf8,nul";

int corpus_pathological(corpus_t *c, const char *kind, size_t bytes, uint64_t seed)
{
    memset(c, 0, sizeof(*c));
    buf_t b = {0};
    rng_t r = {seed};

    if (strcmp(kind, "backslashes") == 0) {
        /* One JSON string of 10 MB of backslashes (an even number: the
           closing quote is not escaped), then the same as text. */
        size_t n = 10u << 20;
        put(&b, "{\"s\":\"");
        for (size_t k = 0; k < n && !b.oom; k++)
            put_ch(&b, '\\');
        put(&b, "\"}\n");
    } else if (strcmp(kind, "nesting") == 0) {
        /* 100,000 nesting levels, arrays and objects. */
        for (int k = 0; k < 100000; k++)
            put(&b, k % 2 ? "[" : "{\"a\":");
        put(&b, "\"x\"");
        for (int k = 100000 - 1; k >= 0; k--)
            put(&b, k % 2 ? "]" : "}");
        put_ch(&b, '\n');
    } else if (strcmp(kind, "digits") == 0) {
        /* A digit run of 5 MB, as a JSON number and as a string. */
        size_t n = 5u << 20;
        put(&b, "{\"n\":");
        put_digits(&b, &r, (int)n);
        put(&b, ",\"s\":\"");
        put_digits(&b, &r, (int)n);
        put(&b, "\"}\n");
    } else if (strcmp(kind, "keys") == 0) {
        /* 1,000,000 distinct keys in one object, none sensitive ("key"
           alone is a credential word: cred_names.c). */
        put_ch(&b, '{');
        for (int k = 0; k < 1000000 && !b.oom; k++)
            putf(&b, "%s\"item_%d\":%d", k ? "," : "", k, k % 97);
        put(&b, "}\n");
    } else if (strcmp(kind, "utf8") == 0) {
        /* Invalid UTF-8 (lone continuation bytes, truncated and overlong
           sequences, 0xfe/0xff) around words, digits and quotes, in JSON
           strings and keys. */
        static const char *const bad[] = {"\x80",         "\xbf\xbf",     "\xc3",
                                          "\xe2\x82",     "\xf0\x9f\x98", "\xc0\xaf",
                                          "\xed\xa0\x80", "\xfe",         "\xff\xff"};
        while (b.len < bytes && !b.oom) {
            put(&b, "{\"");
            put(&b, PICK(&r, bad));
            put(&b, "k\":\"");
            for (int k = rnd_range(&r, 2, 12); k > 0; k--) {
                put(&b, PICK(&r, bad));
                if (chance(&r, 30))
                    put_digits(&b, &r, rnd_range(&r, 1, 16));
                else
                    put(&b, PICK(&r, WORDS));
            }
            put(&b, "\"}\n");
        }
    } else if (strcmp(kind, "nul") == 0) {
        /* NUL bytes inside strings, keys, numbers and between tokens. */
        static const char head[] = "{\"a\0b\":\"x\0";
        static const char tail[] = "\0\0@\0:\",\0\"n\":12\0"
                                   "34,\"e\":\"jane\0@example.com\"}\n\0";
        while (b.len < bytes && !b.oom) {
            put_mem(&b, head, sizeof(head) - 1);
            put_digits(&b, &r, rnd_range(&r, 1, 20));
            put_mem(&b, tail, sizeof(tail) - 1);
        }
    } else {
        return -EINVAL;
    }
    if (b.oom) {
        free(b.p);
        return -ENOMEM;
    }
    c->data = b.p;
    c->len = b.len;
    c->records = 1;
    return 0;
}

int corpus_load(corpus_t *c, const char *path)
{
    memset(c, 0, sizeof(*c));
    FILE *f = fopen(path, "rb");
    if (!f)
        return -errno;
    buf_t b = {0};
    char tmp[1 << 16];
    size_t n;
    while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
        put_mem(&b, tmp, n);
    int err = ferror(f) ? -EIO : 0;
    fclose(f);
    if (b.oom)
        err = -ENOMEM;
    if (err) {
        free(b.p);
        return err;
    }
    if (!b.p) { /* empty file */
        b.p = calloc(1, 1);
        if (!b.p)
            return -ENOMEM;
    }
    c->data = b.p;
    c->len = b.len;
    return 0;
}

void corpus_free(corpus_t *c)
{
    free(c->data);
    memset(c, 0, sizeof(*c));
}
