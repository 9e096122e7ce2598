/*
 * HTTP/1.1 head validation (see http_validate.h for the contract).
 *
 * Each rule rejects with its own reason id. Decisions where RFC 9112 leaves
 * a choice, all taken in favour of the strictest safe reading:
 * - NUL, a CR not followed by LF and an LF not preceded by CR anywhere in
 *   the head: "nul", "bare_cr", "bare_lf".
 * - A line starting with SP/HTAB: "leading_whitespace" right after the start
 *   line (RFC 9112 2.2), "obs_fold" after a field line (RFC 9112 5.2).
 * - Field names must be 1*tchar directly followed by ':': "empty_header_name",
 *   "bad_header_name", "space_before_colon", "missing_colon". Field values may
 *   hold HTAB, SP, VCHAR and obs-text only: "bad_header_value".
 * - HTAB is whitespace like SP around and inside the lists of field values
 *   (RFC 9110 5.6.3), Content-Length and Transfer-Encoding included: such
 *   heads are accepted. llhttp 8.1.0 reads a trailing HTAB in them
 *   differently ("chunked\t" is not chunked to it), so the caller hands
 *   llhttp a copy passed through veil_h1_normalize_ows() first.
 * - Content-Length: 1*DIGIT <= INT64_MAX, exactly one field line. A list,
 *   even of identical values ("5, 5"), is "cl_list"; a second line, even
 *   identical, is "cl_duplicate" (RFC 9112 6.3 lets us reject both).
 * - Transfer-Encoding: only the single coding "chunked" (any case), in one
 *   field line. Two lines: "te_duplicate" (400). Empty list elements,
 *   parameters or non-tokens: "te_malformed" (400). A list naming only
 *   chunked more than once ("chunked, chunked"): "te_malformed" (400). Any
 *   other coding, alone or in a list ("gzip", "gzip, chunked"): "te_unknown"
 *   (501), because veil does not implement them for requests.
 *   Content-Length with Transfer-Encoding: "cl_te_conflict" (checked before
 *   the Transfer-Encoding value). Transfer-Encoding in HTTP/1.0: "te_http10".
 * - Host (requests): HTTP/1.1 needs exactly one ("host_missing",
 *   "host_duplicate"), also with an absolute-form target. Its value (also
 *   checked in HTTP/1.0) must be uri-host [":" port]: an IP-literal, or a
 *   reg-name of unreserved characters and pct-encoded octets; sub-delims
 *   (',', ';', '=', ...) and userinfo are rejected because no DNS name
 *   holds them and some intermediaries split on them; the port, when the
 *   ':' is there, is 1 to 5 digits <= 65535; an empty Host is rejected too
 *   (a reverse proxy never serves a URI without authority): "host_malformed".
 * - Request line: method = token ("bad_method"), exactly one SP between the
 *   parts ("bad_request_line"), no version ("http09"), version exactly
 *   "HTTP/1.0" or "HTTP/1.1" ("bad_version" 400, or "unsupported_version"
 *   505 for a well-formed HTTP/d.d), request-target of VCHAR without '#'
 *   ("bad_target"), its form allowed for the method ("bad_target_form"):
 *   origin-form; absolute-form with scheme http or https and an authority
 *   without userinfo; authority-form (host:port) with CONNECT only, and
 *   CONNECT with nothing else; "*" with OPTIONS only.
 * - CONNECT with Content-Length or Transfer-Encoding: "connect_with_body"
 *   (a CONNECT request has no content; bytes after it are the tunnel).
 * - Connection: a list of tokens ("connection_malformed"); naming
 *   Content-Length, Transfer-Encoding or Host is "connection_framing".
 * - Limits: the whole head over max_header_bytes is "header_too_large",
 *   more field lines than max_headers is "too_many_headers" (431).
 * - Responses: "HTTP/1.x" SP 3DIGIT (100..599) [SP reason-phrase]
 *   ("bad_status_line", "bad_status_code", "bad_reason_phrase"), the same
 *   field and framing rules, plus Transfer-Encoding in a 1xx or 204
 *   ("te_bodiless_status", RFC 9112 6.1); every rejection is 502.
 */
#include "http_validate.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define INT64_MAX_U ((uint64_t)INT64_MAX)

/* tchar (RFC 9110 5.6.2): ALPHA DIGIT and !#$%&'*+-.^_`|~, as a bitmap. */
static const uint32_t tchar_map[8] = {
    0x00000000, 0x03ff6cfa, 0xc7fffffe, 0x57ffffff, 0, 0, 0, 0,
};

static int is_tchar(unsigned char c)
{
    return (tchar_map[c >> 5] >> (c & 31)) & 1;
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int is_hex(unsigned char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_ows(unsigned char c)
{
    return c == ' ' || c == '\t';
}

static unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* Field value octets: HTAB, SP, VCHAR, obs-text (RFC 9110 5.5). */
static int is_field_vchar(unsigned char c)
{
    return c == '\t' || c == ' ' || (c >= 0x21 && c != 0x7f);
}

static size_t limit_bytes(const veil_h1_limits_t *lim)
{
    return (lim != NULL && lim->max_header_bytes != 0) ? lim->max_header_bytes
                                                       : VEIL_H1_DEFAULT_MAX_HEADER_BYTES;
}

static size_t limit_headers(const veil_h1_limits_t *lim)
{
    return (lim != NULL && lim->max_headers != 0) ? lim->max_headers : VEIL_H1_DEFAULT_MAX_HEADERS;
}

static void rebase(veil_h1_span_t *sp, const char *from, const char *to)
{
    if (sp->ptr != NULL) {
        sp->ptr = to + (sp->ptr - from);
    }
}

void veil_h1_head_rebase(veil_h1_head_t *h, const char *from, const char *to)
{
    rebase(&h->method, from, to);
    rebase(&h->target, from, to);
    rebase(&h->authority, from, to);
    rebase(&h->path, from, to);
    rebase(&h->host, from, to);
    rebase(&h->reason_phrase, from, to);
    rebase(&h->upgrade, from, to);
    rebase(&h->content_type, from, to);
    rebase(&h->content_encoding, from, to);
    rebase(&h->request_id, from, to);
    rebase(&h->sec_gpc, from, to);
    rebase(&h->dnt, from, to);
}

int veil_h1_span_eq_n(veil_h1_span_t s, const char *lc, size_t n)
{
    if (s.len != n) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (lower((unsigned char)s.ptr[i]) != (unsigned char)lc[i]) {
            return 0;
        }
    }
    return 1;
}

/* <p> (<n> bytes) is the lower-case literal <lc>, case aside. A macro:
   the literal's length is the compiler's, and a name of another length
   (most of the dozens compared per head) costs one comparison. */
#define mem_eq_lc(p, n, lc) \
    ((n) == sizeof(lc) - 1 && veil_h1_span_eq_n((veil_h1_span_t){(p), (n)}, (lc), sizeof(lc) - 1))


/* Head scanning: line structure and limits only. */

/*
 * Returns the index of the first NUL, CR or LF in buf[i..stop), or stop.
 * SSE2 takes 16 bytes at a time but never reads at or past stop, so a
 * buffer that ends right before an unmapped page is safe.
 */
static size_t skip_ordinary(const char *buf, size_t i, size_t stop)
{
#ifdef __SSE2__
    const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
    const __m128i nul = _mm_setzero_si128();
    while (stop - i >= 16) {
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(buf + i));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(b, cr), _mm_cmpeq_epi8(b, lf)),
                                   _mm_cmpeq_epi8(b, nul));
        unsigned mask = (unsigned)_mm_movemask_epi8(hit);
        if (mask != 0) {
            return i + (size_t)__builtin_ctz(mask);
        }
        i += 16;
    }
#endif
    while (i < stop && buf[i] != '\r' && buf[i] != '\n' && buf[i] != '\0') {
        i++;
    }
    return i;
}

static long scan_fail(veil_h1_scan_t *st, veil_h1_verdict_t *v, int status, const char *reason)
{
    if (v != NULL) {
        v->status = st->is_response ? 502 : status;
        v->reason = reason;
    }
    return -1;
}

long veil_h1_head_scan(veil_h1_scan_t *st, const char *buf, size_t len, const veil_h1_limits_t *lim,
                       veil_h1_verdict_t *v)
{
    size_t maxb = limit_bytes(lim);
    size_t maxh = limit_headers(lim);
    size_t stop = len < maxb ? len : maxb;
    /* Locals, not st->: stores through st could alias buf (char). */
    size_t i = st->pos, line_start = st->line_start, lines = st->lines;
    /* Only requests may be preceded by empty lines (RFC 9112 2.2). */
    int started = st->started || st->is_response;
    long end = 0;

    for (;;) {
        if (started) {
            /* Skip ordinary bytes; only NUL, CR and LF need a look. */
            i = skip_ordinary(buf, i, stop);
        }
        if (i >= len) {
            break;
        }
        if (i >= maxb) {
            return scan_fail(st, v, 431, "header_too_large");
        }
        unsigned char c = (unsigned char)buf[i];
        if (c == '\0') {
            return scan_fail(st, v, 400, "nul");
        }
        if (c == '\r') {
            if (i + 1 >= len) {
                break; /* decide once the next byte is there */
            }
            if (buf[i + 1] != '\n') {
                return scan_fail(st, v, 400, "bare_cr");
            }
            i++;
            continue;
        }
        if (c != '\n') {
            started = 1; /* the first byte of the start line */
            i++;
            continue;
        }
        if (i == 0 || buf[i - 1] != '\r') {
            return scan_fail(st, v, 400, "bare_lf");
        }
        i++;
        if (!started) {
            line_start = i; /* a skipped empty line before the request */
            continue;
        }
        if (i - 2 == line_start) {
            end = (long)i;
            break;
        }
        if (++lines > maxh + 1) {
            return scan_fail(st, v, 431, "too_many_headers");
        }
        line_start = i;
    }
    st->pos = i;
    st->line_start = line_start;
    st->lines = lines;
    st->started = started;
    return end;
}

long veil_h1_head_end(const char *buf, size_t len, const veil_h1_limits_t *lim)
{
    veil_h1_scan_t st;
    memset(&st, 0, sizeof(st));
    return veil_h1_head_scan(&st, buf, len, lim, NULL);
}


/* Authority syntax shared by Host and the request-target forms. */

static int valid_port(const char *p, size_t n)
{
    if (n == 0 || n > 5) {
        return 0;
    }
    unsigned long port = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit((unsigned char)p[i])) {
            return 0;
        }
        port = port * 10 + (unsigned long)(p[i] - '0');
    }
    return port <= 65535;
}

/* uri-host [":" port]; port_required for CONNECT's authority-form. */
static int valid_authority(const char *p, size_t n, int port_required)
{
    size_t i = 0;
    if (n == 0) {
        return 0;
    }
    if (p[0] == '[') {
        /* IP-literal: hex digits, ':' and '.' (an embedded IPv4), no zone. */
        int colons = 0;
        for (i = 1; i < n && p[i] != ']'; i++) {
            unsigned char c = (unsigned char)p[i];
            if (c == ':') {
                colons++;
            } else if (!is_hex(c) && c != '.') {
                return 0;
            }
        }
        if (i >= n || colons < 2 || i == 1) {
            return 0;
        }
        i++;
    } else {
        for (; i < n && p[i] != ':'; i++) {
            unsigned char c = (unsigned char)p[i];
            if (c == '%') {
                if (i + 2 >= n || !is_hex((unsigned char)p[i + 1]) ||
                    !is_hex((unsigned char)p[i + 2])) {
                    return 0;
                }
                i += 2;
            } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
                         c == '-' || c == '.' || c == '_' || c == '~')) {
                return 0;
            }
        }
        if (i == 0) {
            return 0;
        }
    }
    if (i == n) {
        return !port_required;
    }
    if (p[i] != ':') {
        return 0;
    }
    return valid_port(p + i + 1, n - i - 1);
}


/* Full head validation. */

typedef struct ctx {
    int resp;
    veil_h1_verdict_t *v;
} ctx_t;

static int reject(ctx_t *cx, int status, const char *reason)
{
    cx->v->status = cx->resp ? 502 : status;
    cx->v->reason = reason;
    return cx->v->status;
}

/* Request-target characters: VCHAR except '#' (fragments are never sent). */
static int is_target_char(unsigned char c)
{
    return c >= 0x21 && c <= 0x7e && c != '#';
}

static int parse_target(ctx_t *cx, veil_h1_head_t *h)
{
    const char *t = h->target.ptr;
    size_t n = h->target.len;
    /* Methods are case-sensitive: "connect" is not CONNECT. */
    int is_connect = h->method.len == 7 && memcmp(h->method.ptr, "CONNECT", 7) == 0;

    for (size_t i = 0; i < n; i++) {
        if (!is_target_char((unsigned char)t[i])) {
            return reject(cx, 400, "bad_target");
        }
    }
    if (is_connect) {
        if (!valid_authority(t, n, 1)) {
            return reject(cx, 400, "bad_target_form");
        }
        h->target_form = VEIL_H1_TARGET_AUTHORITY;
        h->authority = h->target;
        return 0;
    }
    if (t[0] == '/') {
        h->target_form = VEIL_H1_TARGET_ORIGIN;
        h->path = h->target;
        return 0;
    }
    if (n == 1 && t[0] == '*') {
        if (h->method.len != 7 || memcmp(h->method.ptr, "OPTIONS", 7) != 0) {
            return reject(cx, 400, "bad_target_form");
        }
        h->target_form = VEIL_H1_TARGET_ASTERISK;
        return 0;
    }
    /* absolute-form: http or https "://" authority path-abempty [? query] */
    size_t s = 0;
    while (s < n && t[s] != ':') {
        s++;
    }
    if (s < n && n - s >= 3 && t[s + 1] == '/' && t[s + 2] == '/') {
        if (!mem_eq_lc(t, s, "http") && !mem_eq_lc(t, s, "https")) {
            return reject(cx, 400, "bad_target");
        }
        size_t a = s + 3, e = a;
        while (e < n && t[e] != '/' && t[e] != '?') {
            e++;
        }
        if (!valid_authority(t + a, e - a, 0)) {
            return reject(cx, 400, "bad_target");
        }
        h->target_form = VEIL_H1_TARGET_ABSOLUTE;
        h->authority.ptr = t + a;
        h->authority.len = e - a;
        h->path.ptr = t + e;
        h->path.len = n - e;
        return 0;
    }
    if (valid_authority(t, n, 1)) {
        return reject(cx, 400, "bad_target_form"); /* authority-form without CONNECT */
    }
    return reject(cx, 400, "bad_target");
}

/* "HTTP/1.0" or "HTTP/1.1" in p[0..n); sets *minor. */
static int parse_version(ctx_t *cx, const char *p, size_t n, int *minor)
{
    if (n == 8 && memcmp(p, "HTTP/1.", 7) == 0 && (p[7] == '0' || p[7] == '1')) {
        *minor = p[7] - '0';
        return 0;
    }
    if (n == 8 && memcmp(p, "HTTP/", 5) == 0 && is_digit((unsigned char)p[5]) && p[6] == '.' &&
        is_digit((unsigned char)p[7])) {
        return reject(cx, 505, "unsupported_version");
    }
    return reject(cx, 400, "bad_version");
}

static int parse_request_line(ctx_t *cx, const char *p, size_t n, veil_h1_head_t *h)
{
    size_t i = 0;
    while (i < n && is_tchar((unsigned char)p[i])) {
        i++;
    }
    if (i == 0 || i == n || p[i] != ' ') {
        return reject(cx, 400, i == n && i > 0 ? "bad_request_line" : "bad_method");
    }
    h->method.ptr = p;
    h->method.len = i;
    i++;
    size_t t = i;
    while (i < n && p[i] != ' ') {
        i++;
    }
    if (i == t) {
        return reject(cx, 400, "bad_request_line");
    }
    h->target.ptr = p + t;
    h->target.len = i - t;
    if (i == n) {
        /* "GET /path" with no version: HTTP/0.9, unless the target is junk. */
        for (size_t k = t; k < n; k++) {
            if (!is_target_char((unsigned char)p[k])) {
                return reject(cx, 400, "bad_target");
            }
        }
        return reject(cx, 400, "http09");
    }
    i++; /* the SP */
    if (i < n && p[i] == ' ') {
        return reject(cx, 400, "bad_request_line");
    }
    size_t vs = i;
    while (i < n && p[i] != ' ') {
        i++;
    }
    if (i != n) {
        return reject(cx, 400, "bad_request_line");
    }
    if (parse_version(cx, p + vs, n - vs, &h->version_minor) != 0) {
        return cx->v->status;
    }
    return parse_target(cx, h);
}

static int parse_status_line(ctx_t *cx, const char *p, size_t n, veil_h1_head_t *h)
{
    if (n < 12 || p[8] != ' ') {
        if (n >= 8 && parse_version(cx, p, 8, &h->version_minor) != 0) {
            return cx->v->status;
        }
        return reject(cx, 502, "bad_status_line");
    }
    if (parse_version(cx, p, 8, &h->version_minor) != 0) {
        return cx->v->status;
    }
    if (!is_digit((unsigned char)p[9]) || !is_digit((unsigned char)p[10]) ||
        !is_digit((unsigned char)p[11]) || (n > 12 && is_digit((unsigned char)p[12]))) {
        return reject(cx, 502, "bad_status_code");
    }
    int code = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
    if (code < 100 || code > 599) {
        return reject(cx, 502, "bad_status_code");
    }
    h->status_code = code;
    if (n == 12) {
        return 0; /* no SP and no reason-phrase: tolerated, ignored anyway */
    }
    if (p[12] != ' ') {
        return reject(cx, 502, "bad_status_line");
    }
    for (size_t i = 13; i < n; i++) {
        if (!is_field_vchar((unsigned char)p[i])) {
            return reject(cx, 502, "bad_reason_phrase");
        }
    }
    h->reason_phrase.ptr = p + 13;
    h->reason_phrase.len = n - 13;
    return 0;
}

/* Content-Length value: 1*DIGIT, <= INT64_MAX, no list. */
static int parse_content_length(ctx_t *cx, const char *p, size_t n, uint64_t *out)
{
    if (memchr(p, ',', n) != NULL) {
        return reject(cx, 400, "cl_list");
    }
    if (n == 0) {
        return reject(cx, 400, "cl_malformed");
    }
    uint64_t val = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit((unsigned char)p[i])) {
            return reject(cx, 400, "cl_malformed");
        }
        uint64_t d = (uint64_t)(p[i] - '0');
        if (val > (INT64_MAX_U - d) / 10) {
            return reject(cx, 400, "cl_overflow");
        }
        val = val * 10 + d;
    }
    *out = val;
    return 0;
}

/*
 * Calls fn on each non-empty element of a comma-separated list (OWS
 * trimmed). Returns 0, or the first non-zero fn result, or -1 when an
 * element is not a token (empty elements are skipped, RFC 9110 5.6.1).
 */
static int each_token(const char *p, size_t n, int (*fn)(void *, const char *, size_t), void *arg)
{
    size_t i = 0;
    while (i <= n) {
        size_t s = i;
        while (i < n && p[i] != ',') {
            i++;
        }
        size_t a = s, e = i;
        while (a < e && is_ows((unsigned char)p[a])) {
            a++;
        }
        while (e > a && is_ows((unsigned char)p[e - 1])) {
            e--;
        }
        if (e > a) {
            for (size_t k = a; k < e; k++) {
                if (!is_tchar((unsigned char)p[k])) {
                    return -1;
                }
            }
            int r = fn(arg, p + a, e - a);
            if (r != 0) {
                return r;
            }
        }
        i++;
    }
    return 0;
}

static int connection_token(void *arg, const char *p, size_t n)
{
    unsigned *flags = arg;
    if (mem_eq_lc(p, n, "content-length") || mem_eq_lc(p, n, "transfer-encoding") ||
        mem_eq_lc(p, n, "host")) {
        return 1;
    }
    if (mem_eq_lc(p, n, "close")) {
        *flags |= VEIL_H1_CONN_CLOSE;
    } else if (mem_eq_lc(p, n, "keep-alive")) {
        *flags |= VEIL_H1_CONN_KEEP_ALIVE;
    } else if (mem_eq_lc(p, n, "upgrade")) {
        *flags |= VEIL_H1_CONN_UPGRADE;
    } else {
        *flags |= VEIL_H1_CONN_OTHER;
    }
    return 0;
}

/* Transfer-Encoding value: 0 for exactly one "chunked", else rejects. */
static int check_te(ctx_t *cx, const char *p, size_t n)
{
    size_t chunked = 0, unknown = 0, empty = 0;
    size_t i = 0;
    while (i <= n) {
        size_t s = i;
        while (i < n && p[i] != ',') {
            i++;
        }
        size_t a = s, e = i;
        while (a < e && is_ows((unsigned char)p[a])) {
            a++;
        }
        while (e > a && is_ows((unsigned char)p[e - 1])) {
            e--;
        }
        if (a == e) {
            empty++;
        }
        for (size_t k = a; k < e; k++) {
            if (!is_tchar((unsigned char)p[k])) {
                return reject(cx, 400, "te_malformed");
            }
        }
        if (a < e) {
            if (mem_eq_lc(p + a, e - a, "chunked")) {
                chunked++;
            } else {
                unknown++;
            }
        }
        i++;
    }
    if (empty) {
        return reject(cx, 400, "te_malformed");
    }
    if (unknown) {
        return reject(cx, 501, "te_unknown");
    }
    if (chunked != 1) {
        return reject(cx, 400, "te_malformed");
    }
    return 0;
}

/* One "name: value" field line p[0..n) (no CRLF). */
static int parse_field(ctx_t *cx, const char *p, size_t n, veil_h1_head_t *h, veil_h1_span_t *te,
                       veil_h1_span_t *host, int *host_count)
{
    size_t i = 0;
    while (i < n && is_tchar((unsigned char)p[i])) {
        i++;
    }
    if (i == n) {
        return reject(cx, 400, "missing_colon");
    }
    if (p[i] != ':') {
        if (i == 0) {
            return reject(cx, 400, "bad_header_name");
        }
        if (is_ows((unsigned char)p[i])) {
            size_t k = i;
            while (k < n && is_ows((unsigned char)p[k])) {
                k++;
            }
            if (k < n && p[k] == ':') {
                return reject(cx, 400, "space_before_colon");
            }
        }
        return reject(cx, 400, "bad_header_name");
    }
    if (i == 0) {
        return reject(cx, 400, "empty_header_name");
    }
    size_t nl = i;
    size_t a = i + 1, e = n;
    for (size_t k = a; k < e; k++) {
        if (!is_field_vchar((unsigned char)p[k])) {
            return reject(cx, 400, "bad_header_value");
        }
    }
    while (a < e && is_ows((unsigned char)p[a])) {
        a++;
    }
    while (e > a && is_ows((unsigned char)p[e - 1])) {
        e--;
    }
    const char *val = p + a;
    size_t vl = e - a;

    if (mem_eq_lc(p, nl, "content-length")) {
        uint64_t cl = 0;
        if (parse_content_length(cx, val, vl, &cl) != 0) {
            return cx->v->status;
        }
        if (h->has_content_length) {
            return reject(cx, 400, "cl_duplicate");
        }
        h->has_content_length = 1;
        h->content_length = cl;
    } else if (mem_eq_lc(p, nl, "transfer-encoding")) {
        if (te->ptr != NULL) {
            return reject(cx, 400, "te_duplicate");
        }
        te->ptr = val; /* judged once the whole head is known */
        te->len = vl;
    } else if (mem_eq_lc(p, nl, "host")) {
        if (++*host_count == 1) {
            host->ptr = val;
            host->len = vl;
        }
    } else if (mem_eq_lc(p, nl, "connection")) {
        int r = each_token(val, vl, connection_token, &h->connection);
        if (r < 0) {
            return reject(cx, 400, "connection_malformed");
        }
        if (r > 0) {
            return reject(cx, 400, "connection_framing");
        }
    } else if (mem_eq_lc(p, nl, "upgrade")) {
        if (h->upgrade.ptr == NULL) {
            h->upgrade.ptr = val;
            h->upgrade.len = vl;
        }
    } else if (mem_eq_lc(p, nl, "expect")) {
        if (mem_eq_lc(val, vl, "100-continue")) {
            h->expect_continue = 1;
        } else {
            h->expect_other = 1;
        }
    } else {
        veil_h1_span_t *known = NULL;
        if (mem_eq_lc(p, nl, "content-type")) {
            known = &h->content_type;
        } else if (mem_eq_lc(p, nl, "content-encoding")) {
            known = &h->content_encoding;
        } else if (mem_eq_lc(p, nl, "x-request-id")) {
            known = &h->request_id;
        } else if (mem_eq_lc(p, nl, "sec-gpc")) {
            known = &h->sec_gpc;
        } else if (mem_eq_lc(p, nl, "dnt")) {
            known = &h->dnt;
        }
        if (known != NULL && known->ptr == NULL) {
            known->ptr = val;
            known->len = vl;
        }
    }
    return 0;
}

static int parse_head(ctx_t *cx, const char *head, size_t len, const veil_h1_limits_t *lim,
                      veil_h1_head_t *out)
{
    veil_h1_head_t h;
    memset(&h, 0, sizeof(h));
    cx->v->status = 0;
    cx->v->reason = "ok";

    /* Line structure, NUL/CR/LF and limits: the scanner must end exactly at len. */
    veil_h1_scan_t st;
    memset(&st, 0, sizeof(st));
    st.is_response = cx->resp;
    long end = veil_h1_head_scan(&st, head, len, lim, cx->v);
    if (end < 0) {
        return cx->v->status;
    }
    if (end == 0 || (size_t)end != len) {
        return reject(cx, 400, "incomplete_head");
    }

    size_t pos = 0;
    while (!cx->resp && pos + 1 < len && head[pos] == '\r') {
        pos += 2; /* empty lines before the request line */
    }
    h.start = pos;
    const char *eol = memchr(head + pos, '\r', len - pos);
    size_t ll = (size_t)(eol - (head + pos));
    int r = cx->resp ? parse_status_line(cx, head + pos, ll, &h)
                     : parse_request_line(cx, head + pos, ll, &h);
    if (r != 0) {
        return r;
    }
    pos += ll + 2;

    veil_h1_span_t te = {NULL, 0}, host = {NULL, 0};
    int host_count = 0;
    size_t maxh = limit_headers(lim);
    int first = 1;
    for (;;) {
        eol = memchr(head + pos, '\r', len - pos);
        ll = (size_t)(eol - (head + pos));
        if (ll == 0) {
            break;
        }
        if (is_ows((unsigned char)head[pos])) {
            return reject(cx, 400, first ? "leading_whitespace" : "obs_fold");
        }
        first = 0;
        if (++h.header_count > maxh) {
            return reject(cx, 431, "too_many_headers");
        }
        r = parse_field(cx, head + pos, ll, &h, &te, &host, &host_count);
        if (r != 0) {
            return r;
        }
        pos += ll + 2;
    }

    if (te.ptr != NULL) {
        if (h.has_content_length) {
            return reject(cx, 400, "cl_te_conflict");
        }
        if (h.version_minor == 0) {
            return reject(cx, 400, "te_http10");
        }
        if (check_te(cx, te.ptr, te.len) != 0) {
            return cx->v->status;
        }
        if (cx->resp && (h.status_code < 200 || h.status_code == 204)) {
            return reject(cx, 502, "te_bodiless_status");
        }
        h.chunked = 1;
    }
    if (h.target_form == VEIL_H1_TARGET_AUTHORITY && (te.ptr != NULL || h.has_content_length)) {
        /* CONNECT has no content (RFC 9110 9.3.6): body or tunnel would be ambiguous. */
        return reject(cx, 400, "connect_with_body");
    }
    if (!cx->resp) {
        if (host_count > 1) {
            return reject(cx, 400, "host_duplicate");
        }
        if (host_count == 0 && h.version_minor == 1) {
            return reject(cx, 400, "host_missing");
        }
        if (host_count == 1 && !valid_authority(host.ptr, host.len, 0)) {
            return reject(cx, 400, "host_malformed");
        }
        h.host = host;
    }
    if (h.version_minor == 1) {
        h.keep_alive = !(h.connection & VEIL_H1_CONN_CLOSE);
    } else {
        h.keep_alive =
            (h.connection & VEIL_H1_CONN_KEEP_ALIVE) && !(h.connection & VEIL_H1_CONN_CLOSE);
    }
    if (out != NULL) {
        *out = h;
    }
    return 0;
}

/* The fields llhttp reads for itself: every HTAB in their values is OWS
   (their values are lists of tokens, which never hold one). */
static int llhttp_reads(const char *name, size_t n)
{
    return mem_eq_lc(name, n, "content-length") || mem_eq_lc(name, n, "transfer-encoding") ||
           mem_eq_lc(name, n, "connection") || mem_eq_lc(name, n, "proxy-connection") ||
           mem_eq_lc(name, n, "upgrade");
}


void veil_h1_normalize_ows(char *head, size_t len)
{
    size_t pos = 0;
    char *eol;

    /* Past the start line; then one field line at a time. */
    eol = memchr(head, '\n', len);
    if (eol == NULL) {
        return;
    }
    pos = (size_t)(eol - head) + 1;
    while (pos < len) {
        char *line = head + pos, *colon;
        size_t n;

        eol = memchr(line, '\n', len - pos);
        n = eol ? (size_t)(eol - line) : len - pos;
        colon = memchr(line, ':', n);
        if (colon != NULL && llhttp_reads(line, (size_t)(colon - line))) {
            for (char *c = colon + 1; c < line + n; c++) {
                if (*c == '\t') {
                    *c = ' ';
                }
            }
        }
        pos += n + 1;
    }
}


int veil_h1_parse_request(const char *head, size_t len, const veil_h1_limits_t *lim,
                          veil_h1_head_t *out, veil_h1_verdict_t *v)
{
    ctx_t cx = {0, v};
    return parse_head(&cx, head, len, lim, out);
}

int veil_h1_parse_response(const char *head, size_t len, const veil_h1_limits_t *lim,
                           veil_h1_head_t *out, veil_h1_verdict_t *v)
{
    ctx_t cx = {1, v};
    return parse_head(&cx, head, len, lim, out);
}

int veil_h1_validate_request(const char *head, size_t len, const veil_h1_limits_t *lim,
                             veil_h1_verdict_t *v)
{
    return veil_h1_parse_request(head, len, lim, NULL, v);
}

int veil_h1_validate_response(const char *head, size_t len, const veil_h1_limits_t *lim,
                              veil_h1_verdict_t *v)
{
    return veil_h1_parse_response(head, len, lim, NULL, v);
}

int veil_h1_request_body(const veil_h1_head_t *req)
{
    if (req->chunked) {
        return VEIL_H1_BODY_CHUNKED;
    }
    if (req->has_content_length && req->content_length > 0) {
        return VEIL_H1_BODY_LENGTH;
    }
    return VEIL_H1_BODY_NONE;
}

int veil_h1_response_body(const veil_h1_head_t *resp, int request_was_head, int request_was_connect)
{
    int code = resp->status_code;
    if (request_was_connect && code >= 200 && code < 300) {
        return VEIL_H1_BODY_TUNNEL;
    }
    if (code == 101) {
        return VEIL_H1_BODY_TUNNEL;
    }
    if (request_was_head || code < 200 || code == 204 || code == 304) {
        return VEIL_H1_BODY_NONE;
    }
    if (resp->chunked) {
        return VEIL_H1_BODY_CHUNKED;
    }
    if (resp->has_content_length) {
        return resp->content_length > 0 ? VEIL_H1_BODY_LENGTH : VEIL_H1_BODY_NONE;
    }
    return VEIL_H1_BODY_UNTIL_CLOSE;
}

int veil_h1_next_header(const char *head, size_t len, size_t *pos, veil_h1_span_t *name,
                        veil_h1_span_t *value)
{
    size_t p = *pos;
    if (p == 0) {
        while (p + 1 < len && head[p] == '\r') {
            p += 2;
        }
        const char *eol = memchr(head + p, '\r', len - p);
        if (eol == NULL) {
            return 0;
        }
        p = (size_t)(eol - head) + 2;
    }
    if (p >= len) {
        return 0;
    }
    const char *eol = memchr(head + p, '\r', len - p);
    if (eol == NULL || eol == head + p) {
        *pos = len;
        return 0;
    }
    size_t e = (size_t)(eol - head);
    const char *colon = memchr(head + p, ':', e - p);
    if (colon == NULL) {
        *pos = len;
        return 0;
    }
    name->ptr = head + p;
    name->len = (size_t)(colon - (head + p));
    size_t a = (size_t)(colon - head) + 1, b = e;
    while (a < b && is_ows((unsigned char)head[a])) {
        a++;
    }
    while (b > a && is_ows((unsigned char)head[b - 1])) {
        b--;
    }
    value->ptr = head + a;
    value->len = b - a;
    *pos = e + 2;
    return 1;
}

struct lists_arg {
    veil_h1_span_t name;
};

static int lists_token(void *arg, const char *p, size_t n)
{
    struct lists_arg *la = arg;
    if (n != la->name.len) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (lower((unsigned char)p[i]) != lower((unsigned char)la->name.ptr[i])) {
            return 0;
        }
    }
    return 1;
}

int veil_h1_connection_lists(const char *head, size_t len, veil_h1_span_t name)
{
    size_t pos = 0;
    veil_h1_span_t n, val;
    struct lists_arg la = {name};
    while (veil_h1_next_header(head, len, &pos, &n, &val)) {
        if (veil_h1_span_eq(n, "connection") &&
            each_token(val.ptr, val.len, lists_token, &la) > 0) {
            return 1;
        }
    }
    return 0;
}

const char *veil_h1_status_text(int status)
{
    /* RFC 9110 section 15 (and 103 from RFC 8297, 429 from RFC 6585). */
    switch (status) {
    case 100:
        return "Continue";
    case 101:
        return "Switching Protocols";
    case 103:
        return "Early Hints";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 203:
        return "Non-Authoritative Information";
    case 204:
        return "No Content";
    case 205:
        return "Reset Content";
    case 206:
        return "Partial Content";
    case 300:
        return "Multiple Choices";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 303:
        return "See Other";
    case 304:
        return "Not Modified";
    case 305:
        return "Use Proxy";
    case 307:
        return "Temporary Redirect";
    case 308:
        return "Permanent Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 402:
        return "Payment Required";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 407:
        return "Proxy Authentication Required";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 411:
        return "Length Required";
    case 412:
        return "Precondition Failed";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 415:
        return "Unsupported Media Type";
    case 416:
        return "Range Not Satisfiable";
    case 417:
        return "Expectation Failed";
    case 421:
        return "Misdirected Request";
    case 422:
        return "Unprocessable Content";
    case 426:
        return "Upgrade Required";
    case 428:
        return "Precondition Required";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 451:
        return "Unavailable For Legal Reasons";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Unknown";
    }
}
