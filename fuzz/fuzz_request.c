/*
 * Fuzz target: veil's HTTP/1.1 head validator and chunked validator against
 * raw request bytes, cross-checked with llhttp 8.1.0 (strict mode).
 *
 * Input: byte 0 picks the mode, the rest is the message.
 *   bit 7 set:  the rest is a chunked body (after a fixed chunked POST head).
 *   bit 7 clear: the rest is a head (+ body bytes).
 *   bits 0-6:   the slice size for incremental feeding (1..128).
 *
 * Invariants (abort on violation):
 * - the head scanner gives the same result fed whole and in slices, and
 *   veil_h1_head_end() agrees; a found end is right after "\r\n\r\n";
 * - an accepted head has a consistent summary (no Content-Length with
 *   chunked, Host present in HTTP/1.1, ...), and veil_h1_next_header()
 *   visits exactly header_count well-formed fields;
 * - when llhttp also accepts an accepted head, it agrees on the framing
 *   (chunked flag and Content-Length);
 * - the chunked validator gives the same result, end offset and reason
 *   fed whole, in slices and byte by byte;
 * - when the chunked validator finds the end of the message and llhttp
 *   parses the same bytes without error, llhttp ends the message at the
 *   very same byte (no framing disagreement = no smuggling); likewise
 *   for Content-Length bodies and bodiless messages.
 *
 * fuzz_response.c includes this file with VEIL_FUZZ_HTTP_NO_MAIN.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llhttp.h"

/*
 * The validators are compiled into the target itself rather than taken
 * from veil_proxy: the build adds libFuzzer's coverage instrumentation to
 * this file only, and a blind fuzzer would not find much. (Helper names
 * in the two files are distinct so that they fit in one unit.)
 */
#include "http_chunked.c"
#include "http_validate.c"

#define FUZZ_ASSERT(cond)                                                                \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                     \
        }                                                                                \
    } while (0)

static const char chunked_req_head[] =
    "POST /upload HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n";
static const char chunked_resp_head[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

typedef struct chunk_result {
    int rc;
    size_t end;
    const char *reason;
} chunk_result_t;

static chunk_result_t chunked_run(const char *buf, size_t len, size_t step, int resp)
{
    veil_chunked_t c;
    memset(&c, 0, sizeof(c));
    c.is_response = resp;
    chunk_result_t r = {VEIL_CHUNKED_AGAIN, 0, "ok"};
    size_t off = 0;
    do {
        size_t n = len - off;
        if (step != 0 && n > step) {
            n = step;
        }
        size_t used = 0;
        veil_h1_verdict_t v = {0, "ok"};
        r.rc = veil_chunked_feed(&c, buf + off, n, &used, &v);
        FUZZ_ASSERT(used <= n);
        if (r.rc != VEIL_CHUNKED_AGAIN) {
            r.end = off + used;
            r.reason = r.rc == VEIL_CHUNKED_ERROR ? v.reason : "ok";
            if (r.rc == VEIL_CHUNKED_ERROR) {
                FUZZ_ASSERT(v.status == (resp ? 502 : 400));
            }
            return r;
        }
        FUZZ_ASSERT(used == n);
        off += n;
    } while (off < len);
    r.end = len;
    return r;
}

/* Same outcome whatever the slicing. */
static chunk_result_t chunked_check(const char *buf, size_t len, size_t step, int resp)
{
    chunk_result_t whole = chunked_run(buf, len, 0, resp);
    chunk_result_t sliced = chunked_run(buf, len, step, resp);
    chunk_result_t bytes = chunked_run(buf, len, 1, resp);
    FUZZ_ASSERT(whole.rc == sliced.rc && whole.rc == bytes.rc);
    FUZZ_ASSERT(whole.end == sliced.end && whole.end == bytes.end);
    FUZZ_ASSERT(strcmp(whole.reason, sliced.reason) == 0);
    FUZZ_ASSERT(strcmp(whole.reason, bytes.reason) == 0);
    FUZZ_ASSERT(whole.end <= len);
    return whole;
}

/* llhttp run: where the first message completes, framing seen at headers. */
typedef struct ll_state {
    int skip_body; /* in: on_headers_complete returns 1 (no body) */
    int headers_done;
    int chunked;
    int has_cl;
    uint64_t cl;
    int completes;
} ll_state_t;

static int ll_on_headers_complete(llhttp_t *p)
{
    ll_state_t *s = p->data;
    s->headers_done = 1;
    s->chunked = (p->flags & F_CHUNKED) != 0;
    s->has_cl = (p->flags & F_CONTENT_LENGTH) != 0;
    s->cl = p->content_length;
    /* As the proxy core does: llhttp 8.1.0 would read a body after a 304
       (or 204, 1xx) with Content-Length unless told there is none. */
    return s->skip_body ? 1 : 0;
}

static int ll_on_message_complete(llhttp_t *p)
{
    ll_state_t *s = p->data;
    s->completes++;
    return HPE_PAUSED; /* stop right at the end of the first message */
}

/*
 * Runs llhttp over buf[0..len). Returns the llhttp error, and in *done_at
 * the offset just past the first message (when it paused there), else -1.
 */
static llhttp_errno_t ll_run(const char *buf, size_t len, int resp, int skip_body, ll_state_t *s,
                             long *done_at)
{
    llhttp_settings_t set;
    llhttp_settings_init(&set);
    set.on_headers_complete = ll_on_headers_complete;
    set.on_message_complete = ll_on_message_complete;
    llhttp_t p;
    llhttp_init(&p, resp ? HTTP_RESPONSE : HTTP_REQUEST, &set);
    memset(s, 0, sizeof(*s));
    s->skip_body = skip_body;
    p.data = s;
    *done_at = -1;
    llhttp_errno_t e = llhttp_execute(&p, buf, len);
    if (e == HPE_PAUSED && s->completes == 1) {
        *done_at = (long)(llhttp_get_error_pos(&p) - buf);
    }
    return e;
}

static void check_headers(const char *buf, size_t end, const veil_h1_head_t *h)
{
    size_t pos = 0, count = 0;
    veil_h1_span_t name, value;
    while (veil_h1_next_header(buf, end, &pos, &name, &value)) {
        count++;
        FUZZ_ASSERT(name.len > 0);
        FUZZ_ASSERT(memchr(name.ptr, ':', name.len) == NULL);
        FUZZ_ASSERT(value.len == 0 || (memchr(value.ptr, '\r', value.len) == NULL &&
                                       memchr(value.ptr, '\n', value.len) == NULL));
        FUZZ_ASSERT(value.ptr >= buf && value.ptr + value.len <= buf + end);
    }
    FUZZ_ASSERT(count == h->header_count);
}

static int fuzz_http(const uint8_t *data, size_t size, int resp)
{
    if (size < 1) {
        return 0;
    }
    size_t step = (size_t)(data[0] & 0x7f) + 1;
    int body_only = (data[0] & 0x80) != 0;
    const char *buf = (const char *)data + 1;
    size_t len = size - 1;

    if (body_only) {
        chunk_result_t r = chunked_check(buf, len, step, resp);
        const char *head = resp ? chunked_resp_head : chunked_req_head;
        size_t hl = resp ? sizeof(chunked_resp_head) - 1 : sizeof(chunked_req_head) - 1;
        char *msg = malloc(hl + len + 1);
        if (msg == NULL) {
            return 0;
        }
        memcpy(msg, head, hl);
        if (len > 0) {
            memcpy(msg + hl, buf, len);
        }
        ll_state_t s;
        long done_at;
        size_t upto = r.rc == VEIL_CHUNKED_DONE ? r.end : len;
        ll_run(msg, hl + upto, resp, 0, &s, &done_at);
        if (r.rc == VEIL_CHUNKED_DONE && done_at >= 0) {
            /* Both saw an end: it must be the same byte. */
            FUZZ_ASSERT((size_t)done_at == hl + r.end);
        }
        if (r.rc != VEIL_CHUNKED_ERROR && done_at >= 0) {
            /* llhttp never ends the message before veil does. */
            FUZZ_ASSERT(r.rc == VEIL_CHUNKED_DONE);
        }
        free(msg);
        return 0;
    }

    /* Head scan: whole, sliced and stateless must agree. */
    veil_h1_verdict_t v = {0, NULL}, v2 = {0, NULL};
    veil_h1_scan_t st;
    memset(&st, 0, sizeof(st));
    st.is_response = resp;
    long end = veil_h1_head_scan(&st, buf, len, NULL, &v);
    veil_h1_scan_t st2;
    memset(&st2, 0, sizeof(st2));
    st2.is_response = resp;
    long end2 = 0;
    for (size_t n = step < len ? step : len; end2 == 0; n += step) {
        if (n > len) {
            n = len;
        }
        end2 = veil_h1_head_scan(&st2, buf, n, NULL, &v2);
        if (n == len) {
            break;
        }
    }
    FUZZ_ASSERT(end == end2);
    if (end < 0) {
        FUZZ_ASSERT(v.status == v2.status && strcmp(v.reason, v2.reason) == 0);
        FUZZ_ASSERT(resp ? v.status == 502 : (v.status == 400 || v.status == 431));
    }
    if (!resp) {
        FUZZ_ASSERT(veil_h1_head_end(buf, len, NULL) == end);
    }
    if (end <= 0) {
        return 0;
    }
    /* A response head that starts with its empty line is "\r\n" alone
       (only requests may be preceded by empty lines); parse rejects it. */
    FUZZ_ASSERT((end >= 4 && memcmp(buf + end - 4, "\r\n\r\n", 4) == 0) ||
                (resp && end == 2 && memcmp(buf, "\r\n", 2) == 0));

    veil_h1_head_t h;
    int status = resp ? veil_h1_parse_response(buf, (size_t)end, NULL, &h, &v)
                      : veil_h1_parse_request(buf, (size_t)end, NULL, &h, &v);
    FUZZ_ASSERT(v.reason != NULL && v.status == status);
    if (resp) {
        FUZZ_ASSERT(status == 0 || status == 502);
    } else {
        FUZZ_ASSERT(status == 0 || status == 400 || status == 431 || status == 501 ||
                    status == 505);
    }
    if (status != 0) {
        return 0;
    }
    FUZZ_ASSERT(h.version_minor == 0 || h.version_minor == 1);
    FUZZ_ASSERT(!(h.chunked && h.has_content_length));
    FUZZ_ASSERT(!(h.chunked && h.version_minor == 0));
    FUZZ_ASSERT(h.content_length <= (uint64_t)INT64_MAX);
    FUZZ_ASSERT(h.header_count <= VEIL_H1_DEFAULT_MAX_HEADERS);
    if (!resp) {
        FUZZ_ASSERT(h.method.len > 0 && h.target.len > 0);
        FUZZ_ASSERT(h.version_minor == 0 || h.host.ptr != NULL);
        FUZZ_ASSERT(h.target_form != VEIL_H1_TARGET_NONE);
    } else {
        FUZZ_ASSERT(h.status_code >= 100 && h.status_code <= 599);
    }
    check_headers(buf, (size_t)end, &h);

    /* llhttp over the head, as the proxy gives it (HTABs of the fields it
       interprets as SP: veil_h1_normalize_ows): when it accepts too, the
       framing must agree. */
    int kind = resp ? veil_h1_response_body(&h, 0, 0) : veil_h1_request_body(&h);
    int skip = resp && kind == VEIL_H1_BODY_NONE;
    ll_state_t s;
    long done_at;
    char *nb = malloc(len);
    FUZZ_ASSERT(nb != NULL);
    memcpy(nb, buf, len);
    veil_h1_normalize_ows(nb, (size_t)end);
    buf = nb;
    llhttp_errno_t e = ll_run(buf, (size_t)end, resp, skip, &s, &done_at);
    if (s.headers_done && (e == HPE_OK || e == HPE_PAUSED || e == HPE_PAUSED_UPGRADE)) {
        FUZZ_ASSERT(s.chunked == h.chunked);
        FUZZ_ASSERT(s.has_cl == h.has_content_length);
        if (h.has_content_length) {
            FUZZ_ASSERT(s.cl == h.content_length);
        }
    }

    /* The body. */
    const char *body = buf + end;
    size_t blen = len - (size_t)end;
    if (kind == VEIL_H1_BODY_CHUNKED) {
        chunk_result_t r = chunked_check(body, blen, step, resp);
        if (r.rc != VEIL_CHUNKED_ERROR) {
            ll_run(buf, (size_t)end + r.end, resp, skip, &s, &done_at);
            if (r.rc == VEIL_CHUNKED_DONE && done_at >= 0) {
                FUZZ_ASSERT((size_t)done_at == (size_t)end + r.end);
            }
            /* llhttp never ends the message where veil still expects body. */
            FUZZ_ASSERT(r.rc == VEIL_CHUNKED_DONE || done_at < 0);
        }
    } else if (kind == VEIL_H1_BODY_NONE ||
               (kind == VEIL_H1_BODY_LENGTH && h.content_length <= blen)) {
        /* Where veil says the message ends, llhttp must end it too. */
        size_t msg_end = (size_t)end + (kind == VEIL_H1_BODY_LENGTH ? (size_t)h.content_length : 0);
        e = ll_run(buf, msg_end, resp, skip, &s, &done_at);
        if (e == HPE_OK || e == HPE_PAUSED) {
            FUZZ_ASSERT(done_at < 0 || (size_t)done_at == msg_end);
            FUZZ_ASSERT(s.completes == 1);
        }
    }
    free(nb);
    return 0;
}

#ifndef VEIL_FUZZ_HTTP_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_http(data, size, 0);
}
#endif
