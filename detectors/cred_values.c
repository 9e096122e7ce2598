/*
 * Credentials by look: whether a header value holds something that reads
 * as a random secret (an API key, a token, a signature), whatever the
 * header is called. The access log writes such a value as [REDACTED]
 * unless the configuration keeps that header (a field rule with action
 * keep).
 *
 * A value is cut into runs of the characters secrets are written with
 * (base64 and base64url: letters, digits, + / - _, and = as padding at the
 * end); '.' ends a run (JWT parts, host names). A run of 20 or more reads
 * as random when its Shannon entropy is at least 0.8 times the largest an
 * ideal random string of its length and alphabet can have, log2(min(n,
 * A)) (A = 16 for hex, 64 otherwise): on random base64 strings of 20 to 64
 * characters the ratio averages 0.86-0.94 and falls under 0.8 in fewer
 * than one in a thousand (with the rules below, 100000 random base64url
 * strings each: 0.9% are missed at 20 characters, 0.2% at 32, 0.1% at
 * 40, under 0.05% from 44 on; random hex: 0.09% at 36, none from 48);
 * camelCase words, paths and dates come out at 0.60-0.82, and are told
 * apart further by asking for digits among the letters (random base64 of
 * 20 characters has one 97 times in 100; without, mixed case and 0.9 are
 * asked). A run with '/' whose segments each keep to one case is a path,
 * judged segment by segment.
 *
 * Kept as identifiers: hex and '-' only with no group over 32 digits
 * (UUIDs, W3C traceparent, AWS X-Amzn-Trace-Id, nginx $request_id, MD5
 * ETags, 128-bit trace ids: what request ids are, and what access logs are
 * for); hex of 33 digits or more is judged like the rest (SHA-1 and SHA-256
 * sized secrets). The value of a boundary parameter (a MIME multipart
 * boundary, random by design, RFC 2046) is skipped.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "veil/credentials.h"

#define MIN_RUN 20

double veil_shannon_entropy(const char *s, size_t len)
{
    unsigned count[256] = {0};
    double h = 0;

    if (len == 0) {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        count[(unsigned char)s[i]]++;
    }
    for (int c = 0; c < 256; c++) {
        if (count[c]) {
            double p = (double)count[c] / (double)len;
            h -= p * log2(p);
        }
    }
    return h;
}

static int is_run_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/' || c == '-' || c == '_';
}

static int is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}


/* Hex digits and '-' only, no group longer than 32 digits. */
static int hex_identifier(const unsigned char *s, size_t n)
{
    size_t group = 0, digits = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '-') {
            group = 0;
        } else if (is_hex(s[i])) {
            digits++;
            if (++group > 32) {
                return 0;
            }
        } else {
            return 0;
        }
    }
    return digits > 0;
}

/* One piece without inner separators to speak of. */
static int piece_random(const unsigned char *s, size_t n)
{
    unsigned lower = 0, upper = 0, digit = 0;
    double top;

    if (n < MIN_RUN || hex_identifier(s, n)) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        lower += s[i] >= 'a' && s[i] <= 'z';
        upper += s[i] >= 'A' && s[i] <= 'Z';
        digit += s[i] >= '0' && s[i] <= '9';
    }
    int hex = 1;
    for (size_t i = 0; i < n && hex; i++) {
        hex = is_hex(s[i]) || s[i] == '-';
    }
    top = log2((double)(hex ? (n < 16 ? n : 16) : (n < 64 ? n : 64)));
    double h = veil_shannon_entropy((const char *)s, n);
    if (digit > 0 && lower + upper > 0) {
        return h >= 0.8 * top;
    }
    return digit == 0 && lower > 0 && upper > 0 && h >= 0.9 * top;
}

/* A run with '/' whose segments each keep to one case of letters is a
   path (api/v1/orders); base64 mixes cases in nearly every segment of
   eight characters or more. */
static int path_like(const unsigned char *s, size_t n)
{
    unsigned lower = 0, upper = 0, slashes = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '/') {
            if (lower && upper) {
                return 0;
            }
            lower = upper = 0;
            slashes += i < n;
            continue;
        }
        lower |= s[i] >= 'a' && s[i] <= 'z';
        upper |= s[i] >= 'A' && s[i] <= 'Z';
    }
    return slashes > 0;
}

/* A run: judged whole, or segment by segment when it reads as a path.
   '-' and '_' never cut a run: base64url tokens hold them. */
static int run_random(const unsigned char *s, size_t n)
{
    if (n < MIN_RUN || hex_identifier(s, n)) {
        return 0;
    }
    if (!path_like(s, n)) {
        return piece_random(s, n);
    }
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '/') {
            if (piece_random(s + start, i - start)) {
                return 1;
            }
            start = i + 1;
        }
    }
    return 0;
}

static int lc_at(const unsigned char *s, size_t n, size_t i, const char *lc)
{
    size_t k = strlen(lc);
    if (n - i < k) {
        return 0;
    }
    for (size_t j = 0; j < k; j++) {
        unsigned char c = s[i + j];
        if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != (unsigned char)lc[j]) {
            return 0;
        }
    }
    return 1;
}

/* The end of a boundary parameter's value at <i> (after "boundary="):
   a quoted string or a token. */
static size_t skip_param_value(const unsigned char *s, size_t n, size_t i)
{
    if (i < n && s[i] == '"') {
        for (i++; i < n && s[i] != '"'; i++) {
            if (s[i] == '\\') {
                i++;
            }
        }
        return i < n ? i + 1 : n;
    }
    while (i < n && s[i] != ';' && s[i] != ',' && s[i] != ' ' && s[i] != '\t') {
        i++;
    }
    return i;
}

int veil_value_looks_secret(const char *v, size_t len)
{
    const unsigned char *s = (const unsigned char *)v;
    size_t i = 0;

    if (len < MIN_RUN) {
        return 0; /* most header values: no run can be long enough */
    }
    while (i < len) {
        if ((s[i] | 0x20) == 'b' && lc_at(s, len, i, "boundary=") &&
            (i == 0 || s[i - 1] == ';' || s[i - 1] == ' ' || s[i - 1] == '\t')) {
            i = skip_param_value(s, len, i + 9);
            continue;
        }
        if (!is_run_char(s[i])) {
            i++;
            continue;
        }
        size_t start = i;
        while (i < len && is_run_char(s[i])) {
            i++;
        }
        /* '=' belongs to the run only as padding at its end. */
        size_t end = i;
        while (end < len && s[end] == '=') {
            end++;
        }
        if (end > i && (end == len || !is_run_char(s[end]))) {
            i = end;
        }
        if (run_random(s + start, i - start)) {
            return 1;
        }
    }
    return 0;
}
