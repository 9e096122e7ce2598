/*
 * HTTP/1.1 head validation: veil's own strictness layer in front of llhttp.
 *
 * Debian's llhttp 8.1.0 lacks later upstream request-smuggling fixes, so
 * every request and response head is checked here, in full, BEFORE any byte
 * of it reaches llhttp or the other side. The functions are pure: no
 * allocation, no I/O, no global state; every span they return points into
 * the caller's buffer.
 *
 * Typical use by the connection code (requests; responses alike with
 * veil_h1_parse_response and is_response = 1):
 *
 *     veil_h1_scan_t scan = {0};        // once per message head
 *     ...on every read:
 *     long end = veil_h1_head_scan(&scan, buf, len, &limits, &verdict);
 *     if (end < 0)  -> answer verdict.status, Connection: close, forward nothing
 *     if (end == 0) -> read more (the scan resumes where it stopped)
 *     else          -> veil_h1_parse_request(buf, end, &limits, &head, &verdict)
 *                      and on 0 use head.* for framing; body bytes start at
 *                      buf + end (chunked: see http_chunked.h).
 *
 * Verdict reasons are stable snake_case ids meant for stats and logs; they
 * never contain message bytes, so they are safe to log (no PII).
 */
#ifndef VEIL_PROXY_HTTP_VALIDATE_H
#define VEIL_PROXY_HTTP_VALIDATE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define VEIL_H1_DEFAULT_MAX_HEADER_BYTES (16 * 1024)
#define VEIL_H1_DEFAULT_MAX_HEADERS 100

/* A zero field (or a NULL pointer to the struct) means the default. */
typedef struct veil_h1_limits {
    size_t max_header_bytes; /* whole head incl. start line and final CRLF -> 431 */
    size_t max_headers;      /* header field lines -> 431 */
} veil_h1_limits_t;

/*
 * status: 0 = acceptable. Requests: 400, 431 (limits), 501 (unknown
 * transfer coding) or 505 (a well-formed HTTP version other than 1.0/1.1).
 * Responses: always 502 when not acceptable (the upstream connection must
 * then be dropped). reason: a static string, never NULL once a function
 * has filled the verdict ("ok" when status is 0).
 */
typedef struct veil_h1_verdict {
    int status;
    const char *reason;
} veil_h1_verdict_t;

/* A slice of the caller's buffer; ptr is NULL and len 0 when absent. */
typedef struct veil_h1_span {
    const char *ptr;
    size_t len;
} veil_h1_span_t;

enum veil_h1_target_form {
    VEIL_H1_TARGET_NONE = 0,  /* responses */
    VEIL_H1_TARGET_ORIGIN,    /* "/path?query" */
    VEIL_H1_TARGET_ABSOLUTE,  /* "http://authority/path?query" (http/https only) */
    VEIL_H1_TARGET_AUTHORITY, /* "host:port", CONNECT only */
    VEIL_H1_TARGET_ASTERISK   /* "*", OPTIONS only */
};

/* veil_h1_head_t.connection: tokens seen in all Connection fields. */
#define VEIL_H1_CONN_CLOSE 0x1u
#define VEIL_H1_CONN_KEEP_ALIVE 0x2u
#define VEIL_H1_CONN_UPGRADE 0x4u
#define VEIL_H1_CONN_OTHER 0x8u /* other names: strip those headers too */

/* Body framing of an accepted head (see veil_h1_response_body()). */
enum veil_h1_body {
    VEIL_H1_BODY_NONE = 0,    /* no body bytes follow the head */
    VEIL_H1_BODY_LENGTH,      /* exactly head.content_length bytes */
    VEIL_H1_BODY_CHUNKED,     /* chunked: feed bytes to veil_chunked_feed() */
    VEIL_H1_BODY_UNTIL_CLOSE, /* responses only: body ends when upstream closes */
    VEIL_H1_BODY_TUNNEL       /* 101 to an Upgrade, 2xx to CONNECT: raw bytes */
};

/*
 * What veil_h1_parse_request/response learn about an ACCEPTED head. Spans
 * point into the head buffer passed to the parse call and are valid only as
 * long as that buffer is. Only meaningful when the parse returned 0.
 */
typedef struct veil_h1_head {
    int version_minor; /* 0 or 1: HTTP/1.0 or HTTP/1.1 */
    size_t start;      /* offset of the start line (requests may be
                                   preceded by empty lines, RFC 9112 2.2) */
    /* requests */
    veil_h1_span_t method;    /* a token, case-sensitive */
    veil_h1_span_t target;    /* request-target as received */
    int target_form;          /* enum veil_h1_target_form */
    veil_h1_span_t authority; /* absolute-form / authority-form authority */
    veil_h1_span_t path;      /* origin-form: == target; absolute-form: the
                                   path-abempty + query (may be empty) */
    veil_h1_span_t host;      /* Host value, OWS trimmed (absent: NULL/0) */
    int expect_continue;      /* "Expect: 100-continue" (case-insensitive) */
    int expect_other;         /* an Expect value other than 100-continue
                                   (the core may answer 417) */
    /* responses */
    int status_code; /* 100..599 */
    veil_h1_span_t reason_phrase;
    /* both */
    int has_content_length;
    uint64_t content_length; /* <= INT64_MAX */
    int chunked;             /* Transfer-Encoding: chunked */
    unsigned connection;     /* VEIL_H1_CONN_* */
    veil_h1_span_t upgrade;  /* Upgrade value, OWS trimmed */
    int keep_alive;          /* 1.1 without close, or 1.0 with keep-alive */
    size_t header_count;     /* field lines */
    /* Fields the proxy reads on every exchange, taken while the head is
       validated (the first of each name, OWS trimmed; absent: NULL/0),
       so no later step walks the head again to find them. */
    veil_h1_span_t content_type;
    veil_h1_span_t content_encoding;
    veil_h1_span_t request_id; /* X-Request-Id */
    veil_h1_span_t sec_gpc;    /* Sec-GPC (Global Privacy Control) */
    veil_h1_span_t dnt;
} veil_h1_head_t;

/*
 * Incremental head scanner state: zero-fill once per message head, set
 * is_response for upstream responses, then pass the same growing buffer on
 * every call (the scan resumes where it stopped; do not move or edit bytes
 * already passed). Bounded work per byte.
 */
typedef struct veil_h1_scan {
    int is_response;   /* in: 0 request (400/431), 1 response (502) */
    size_t pos;        /* internal: bytes already scanned */
    size_t line_start; /* internal: offset of the current line */
    size_t lines;      /* internal: lines ended so far */
    int started;       /* internal: past leading empty lines */
} veil_h1_scan_t;

/*
 * veil_h1_head_scan(): finds the end of a head in buf[0..len).
 * Returns the offset just past the CRLFCRLF that ends the head, 0 when more
 * bytes are needed, or -1 when the bytes already seen make the head invalid
 * (NUL, bare LF, CR not followed by LF, over max_header_bytes without an
 * end, more lines than max_headers + 1): then v holds the verdict (400 or
 * 431 for requests, 502 for responses). v may be NULL. Leading empty lines
 * (CRLF) before a request line are skipped but count towards the limit.
 * A positive result only means "complete": validate with veil_h1_parse_*().
 */
long veil_h1_head_scan(veil_h1_scan_t *st, const char *buf, size_t len, const veil_h1_limits_t *lim,
                       veil_h1_verdict_t *v);

/* Stateless form of veil_h1_head_scan() for a request (rescans buf). */
long veil_h1_head_end(const char *buf, size_t len, const veil_h1_limits_t *lim);

/*
 * Full validation of one complete request head head[0..len) (len as
 * returned by veil_h1_head_scan, the final CRLFCRLF included). Returns
 * v->status (0 accepted); fills *out (may be NULL) when accepted. v must
 * not be NULL. Every rule of issue 3, each with its own reason id; see
 * http_validate.c for the list and the decisions taken.
 */
int veil_h1_parse_request(const char *head, size_t len, const veil_h1_limits_t *lim,
                          veil_h1_head_t *out, veil_h1_verdict_t *v);

/* The same for an upstream response head; every rejection is 502. */
int veil_h1_parse_response(const char *head, size_t len, const veil_h1_limits_t *lim,
                           veil_h1_head_t *out, veil_h1_verdict_t *v);

/*
 * veil_h1_normalize_ows(): in an ACCEPTED head, rewrites every HTAB in the
 * values of the fields llhttp interprets itself (Content-Length,
 * Transfer-Encoding, Connection, Proxy-Connection, Upgrade) as SP. Both
 * are whitespace to RFC 9110 and to veil's validator; llhttp 8.1.0 reads a
 * trailing HTAB there differently, so it is given the normalised copy and
 * the two parsers agree. The length does not change: spans stay valid.
 */
void veil_h1_normalize_ows(char *head, size_t len);

/* Shorthands of the parse calls without the head info. */
int veil_h1_validate_request(const char *head, size_t len, const veil_h1_limits_t *lim,
                             veil_h1_verdict_t *v);
int veil_h1_validate_response(const char *head, size_t len, const veil_h1_limits_t *lim,
                              veil_h1_verdict_t *v);

/*
 * Body framing of an accepted request: NONE, LENGTH or CHUNKED (a request
 * without Content-Length or Transfer-Encoding has no body, RFC 9112 6.3).
 */
int veil_h1_request_body(const veil_h1_head_t *req);

/*
 * Body framing of an accepted response, given what the request was:
 * HEAD, 1xx, 204 and 304 have no body; 2xx to CONNECT and 101 are tunnels;
 * otherwise chunked, Content-Length, or until the upstream closes.
 */
int veil_h1_response_body(const veil_h1_head_t *resp, int request_was_head,
                          int request_was_connect);

/*
 * Iterates the header fields of a head ACCEPTED by veil_h1_parse_*():
 * start with *pos = 0; each call returns 1 with the next name and value
 * (value OWS trimmed), or 0 after the last field.
 */
int veil_h1_next_header(const char *head, size_t len, size_t *pos, veil_h1_span_t *name,
                        veil_h1_span_t *value);

/* veil_h1_head_rebase(): the spans of <h>, parsed from a head at <from>,
   moved to the same bytes copied to <to>. */
void veil_h1_head_rebase(veil_h1_head_t *h, const char *from, const char *to);

/* 1 when span equals the lower-case literal lc, ignoring ASCII case. */
int veil_h1_span_eq_n(veil_h1_span_t s, const char *lc, size_t n);
/* The length of <lc> is counted where the call is: a literal's at
   compile time (header names are compared this way dozens of times per
   exchange). */
#define veil_h1_span_eq(s, lc) veil_h1_span_eq_n((s), (lc), strlen(lc))

/*
 * 1 when an accepted head's Connection fields list the field name `name`
 * (case-insensitive), so the field is hop-by-hop and must not be forwarded.
 */
int veil_h1_connection_lists(const char *head, size_t len, veil_h1_span_t name);

/* Reason phrase for the statuses veil produces ("Bad Request", ...). */
const char *veil_h1_status_text(int status);

#endif
