/*
 * Unit tests for proxy/http/http_validate.c: one case per rule, each a raw head
 * with the exact status and reason id expected, plus the valid variants.
 * Every head is scanned in one call and one byte at a time, and placed
 * right before a PROT_NONE page so a read past the end crashes.
 */
#include "../../proxy/http/http_validate.c"

#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "test.h"

#include "guard.h"

/*
 * Scans raw in one call and byte by byte (both must agree), then validates
 * the head the scan found; returns the final verdict.
 */
static veil_h1_verdict_t run_head(int resp, const char *raw, size_t len,
                                  const veil_h1_limits_t *lim, veil_h1_head_t *info)
{
    veil_h1_verdict_t v = {-1, "unset"}, v1 = {-1, "unset"};
    guard_t g;
    char *p = guard_place(&g, raw, len);
    veil_h1_scan_t st;
    memset(&st, 0, sizeof(st));
    st.is_response = resp;
    long r = veil_h1_head_scan(&st, p, len, lim, &v);

    /* Byte by byte: each prefix ends at the guard page. */
    long r1 = 0;
    veil_h1_scan_t st1;
    memset(&st1, 0, sizeof(st1));
    st1.is_response = resp;
    for (size_t n = 1; n <= len && r1 == 0; n++) {
        guard_t gp;
        char *q = guard_place(&gp, raw, n);
        r1 = veil_h1_head_scan(&st1, q, n, lim, &v1);
        guard_free(&gp);
    }
    CHECK_EQ(r1, r);
    if (r < 0) {
        CHECK_EQ(v1.status, v.status);
        CHECK_STR(v1.reason, v.reason);
    }
    guard_free(&g);
    if (r < 0) {
        return v;
    }
    if (r == 0) {
        v.status = -2;
        v.reason = "incomplete";
        return v;
    }
    p = guard_place(&g, raw, (size_t)r);
    if (resp) {
        veil_h1_parse_response(p, (size_t)r, lim, info, &v);
    } else {
        veil_h1_parse_request(p, (size_t)r, lim, info, &v);
    }
    guard_free(&g);
    return v;
}

static void expect_head(int resp, const char *raw, size_t len, int status, const char *reason)
{
    veil_h1_head_t info;
    veil_h1_verdict_t v = run_head(resp, raw, len, NULL, &info);
    CHECK_EQ(v.status, status);
    CHECK_STR(v.reason, reason);
}

#define H "GET / HTTP/1.1\r\nHost: example.com\r\n"
#define P "POST /u HTTP/1.1\r\nHost: example.com\r\n"

/* name, raw request head, expected status, expected reason */
#define REQUEST_CASES(X)                                                                           \
    X(ok_get, H "\r\n", 0, "ok")                                                                   \
    X(ok_keep_alive_10, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 0, "ok")               \
    X(ok_http10_without_host, "GET / HTTP/1.0\r\n\r\n", 0, "ok")                                   \
    X(ok_absolute_form, "GET http://example.com/a?b=1 HTTP/1.1\r\nHost: example.com\r\n\r\n", 0,   \
      "ok")                                                                                        \
    X(ok_absolute_form_https_no_path,                                                              \
      "GET HTTPS://example.com:8443 HTTP/1.1\r\nHost: example.com\r\n\r\n", 0, "ok")               \
    X(ok_options_asterisk, "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", 0, "ok")                       \
    X(ok_connect_authority, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",   \
      0, "ok")                                                                                     \
    X(ok_expect_continue, P "Content-Length: 5\r\nExpect: 100-continue\r\n\r\n", 0, "ok")          \
    X(ok_chunked, P "Transfer-Encoding: chunked\r\n\r\n", 0, "ok")                                 \
    X(ok_chunked_any_case_ows, P "transfer-encoding:  ChUnKeD  \r\n\r\n", 0, "ok")                 \
    X(ok_te_trailing_htab, P "Transfer-Encoding: chunked\t\r\n\r\n", 0, "ok")                      \
    X(ok_te_leading_htab, P "Transfer-Encoding:\tchunked\r\n\r\n", 0, "ok")                        \
    X(ok_cl_trailing_htab, P "Content-Length: 5\t\r\n\r\n", 0, "ok")                               \
    X(cl_inner_htab, P "Content-Length: 5\t5\r\n\r\n", 400, "cl_malformed")                        \
    X(ok_leading_empty_lines, "\r\n\r\n" H "\r\n", 0, "ok")                                        \
    X(ok_ipv6_host, "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", 0, "ok")                         \
    X(ok_pct_host, "GET / HTTP/1.1\r\nHost: ex%41mple.com\r\n\r\n", 0, "ok")                       \
    X(ok_obs_text_value, H "X-Name: caf\xc3\xa9\r\n\r\n", 0, "ok")                                 \
    X(ok_empty_value, H "X-Empty:\r\n\r\n", 0, "ok")                                               \
    X(ok_cl_leading_zeros, P "Content-Length: 007\r\n\r\n", 0, "ok")                               \
    X(ok_cl_max, P "Content-Length: 9223372036854775807\r\n\r\n", 0, "ok")                         \
    X(ok_websocket_upgrade, H "Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n", 0, "ok")        \
    X(ok_connection_te, H "Connection: TE, , close\r\nTE: trailers\r\n\r\n", 0, "ok")              \
    X(ok_tab_in_value, H "X-A: \ta\tb\t\r\n\r\n", 0, "ok")                                         \
    X(nul_in_value, H "X-A: a\0b\r\n\r\n", 400, "nul")                                             \
    X(nul_in_request_line, "GET /\0 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "nul")                      \
    X(bare_cr_in_value, H "X-A: a\rb\r\n\r\n", 400, "bare_cr")                                     \
    X(bare_cr_before_space, H "X-A: a\r \r\n\r\n", 400, "bare_cr")                                 \
    X(bare_lf_in_headers, "GET / HTTP/1.1\r\nHost: a\nX-A: b\r\n\r\n", 400, "bare_lf")             \
    X(bare_lf_request_line, "GET / HTTP/1.1\nHost: a\r\n\r\n", 400, "bare_lf")                     \
    X(bare_lf_final, H "\n", 400, "bare_lf")                                                       \
    X(bare_lf_double, "GET / HTTP/1.1\n\n", 400, "bare_lf")                                        \
    X(obs_fold_space, H "X-A: b\r\n c\r\n\r\n", 400, "obs_fold")                                   \
    X(obs_fold_tab, H "X-A: b\r\n\tc\r\n\r\n", 400, "obs_fold")                                    \
    X(leading_whitespace, "GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400, "leading_whitespace")         \
    X(empty_header_name, H ": x\r\n\r\n", 400, "empty_header_name")                                \
    X(bad_header_name_paren, H "X(y): z\r\n\r\n", 400, "bad_header_name")                          \
    X(bad_header_name_obs_text, H "X\xc3\xa9: z\r\n\r\n", 400, "bad_header_name")                  \
    X(bad_header_name_first_char, H "@X: z\r\n\r\n", 400, "bad_header_name")                       \
    X(bad_header_name_inner_space, H "X y: z\r\n\r\n", 400, "bad_header_name")                     \
    X(space_before_colon, "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, "space_before_colon")         \
    X(tab_before_colon, P "Content-Length\t: 5\r\n\r\n", 400, "space_before_colon")                \
    X(missing_colon, H "X-A\r\n\r\n", 400, "missing_colon")                                        \
    X(ctl_in_value,                                                                                \
      H "X-A: a\x01"                                                                               \
        "b\r\n\r\n",                                                                               \
      400, "bad_header_value")                                                                     \
    X(del_in_value, H "X-A: a\x7f\r\n\r\n", 400, "bad_header_value")                               \
    X(vt_in_value,                                                                                 \
      H "X-A: a\x0b"                                                                               \
        "b\r\n\r\n",                                                                               \
      400, "bad_header_value")                                                                     \
    X(cl_te_conflict, P "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400,            \
      "cl_te_conflict")                                                                            \
    X(te_cl_conflict, P "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400,            \
      "cl_te_conflict")                                                                            \
    X(cl_te_conflict_unknown_te, P "Content-Length: 5\r\nTransfer-Encoding: gzip\r\n\r\n", 400,    \
      "cl_te_conflict")                                                                            \
    X(cl_duplicate_identical, P "Content-Length: 5\r\nContent-Length: 5\r\n\r\n", 400,             \
      "cl_duplicate")                                                                              \
    X(cl_duplicate_differing, P "Content-Length: 5\r\nContent-Length: 6\r\n\r\n", 400,             \
      "cl_duplicate")                                                                              \
    X(cl_list_identical, P "Content-Length: 5, 5\r\n\r\n", 400, "cl_list")                         \
    X(cl_list_differing, P "Content-Length: 5,6\r\n\r\n", 400, "cl_list")                          \
    X(cl_plus_sign, P "Content-Length: +5\r\n\r\n", 400, "cl_malformed")                           \
    X(cl_negative, P "Content-Length: -1\r\n\r\n", 400, "cl_malformed")                            \
    X(cl_inner_space, P "Content-Length: 5 5\r\n\r\n", 400, "cl_malformed")                        \
    X(cl_hex, P "Content-Length: 0x10\r\n\r\n", 400, "cl_malformed")                               \
    X(cl_empty, P "Content-Length: \r\n\r\n", 400, "cl_malformed")                                 \
    X(cl_trailing_junk, P "Content-Length: 5a\r\n\r\n", 400, "cl_malformed")                       \
    X(cl_overflow_2_63, P "Content-Length: 9223372036854775808\r\n\r\n", 400, "cl_overflow")       \
    X(cl_overflow_huge, P "Content-Length: 99999999999999999999999\r\n\r\n", 400, "cl_overflow")   \
    X(te_gzip, P "Transfer-Encoding: gzip\r\n\r\n", 501, "te_unknown")                             \
    X(te_gzip_chunked, P "Transfer-Encoding: gzip, chunked\r\n\r\n", 501, "te_unknown")            \
    X(te_chunked_gzip, P "Transfer-Encoding: chunked, gzip\r\n\r\n", 501, "te_unknown")            \
    X(te_identity, P "Transfer-Encoding: identity\r\n\r\n", 501, "te_unknown")                     \
    X(te_chunked_twice, P "Transfer-Encoding: chunked, chunked\r\n\r\n", 400, "te_malformed")      \
    X(te_empty_element, P "Transfer-Encoding: , chunked\r\n\r\n", 400, "te_malformed")             \
    X(te_parameter, P "Transfer-Encoding: chunked;q=1\r\n\r\n", 400, "te_malformed")               \
    X(te_empty, P "Transfer-Encoding: \r\n\r\n", 400, "te_malformed")                              \
    X(te_quoted, P "Transfer-Encoding: \"chunked\"\r\n\r\n", 400, "te_malformed")                  \
    X(te_vertical_tab, P "Transfer-Encoding: chunked\x0b\r\n\r\n", 400, "bad_header_value")        \
    X(te_two_lines, P "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400,     \
      "te_duplicate")                                                                              \
    X(te_http10, "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "te_http10")        \
    X(host_missing, "GET / HTTP/1.1\r\nX-A: b\r\n\r\n", 400, "host_missing")                       \
    X(host_missing_absolute_form, "GET http://example.com/ HTTP/1.1\r\n\r\n", 400, "host_missing") \
    X(host_duplicate, H "Host: example.com\r\n\r\n", 400, "host_duplicate")                        \
    X(host_duplicate_http10, "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400,                  \
      "host_duplicate")                                                                            \
    X(host_space, "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400, "host_malformed")                    \
    X(host_userinfo, "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", 400, "host_malformed")                 \
    X(host_port_range, "GET / HTTP/1.1\r\nHost: a:65536\r\n\r\n", 400, "host_malformed")           \
    X(host_empty_port, "GET / HTTP/1.1\r\nHost: a:\r\n\r\n", 400, "host_malformed")                \
    X(host_empty, "GET / HTTP/1.1\r\nHost: \r\n\r\n", 400, "host_malformed")                       \
    X(host_comma, "GET / HTTP/1.1\r\nHost: a,b\r\n\r\n", 400, "host_malformed")                    \
    X(host_unclosed_ipv6, "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400, "host_malformed")           \
    X(host_slash, "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, "host_malformed")                    \
    X(host_port_only, "GET / HTTP/1.1\r\nHost: :80\r\n\r\n", 400, "host_malformed")                \
    X(http09, "GET /\r\n\r\n", 400, "http09")                                                      \
    X(http09_junk_target, "GET /\x7f\r\n\r\n", 400, "bad_target")                                  \
    X(no_target_no_version, "GET\r\n\r\n", 400, "bad_request_line")                                \
    X(version_2, "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, "unsupported_version")                  \
    X(version_1_2, "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505, "unsupported_version")                \
    X(version_lower_case, "GET / http/1.1\r\nHost: a\r\n\r\n", 400, "bad_version")                 \
    X(version_short, "GET / HTTP/1\r\nHost: a\r\n\r\n", 400, "bad_version")                        \
    X(version_long, "GET / HTTP/11.1\r\nHost: a\r\n\r\n", 400, "bad_version")                      \
    X(bad_method_char, "G(ET / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_method")                    \
    X(bad_method_leading_space, " GET / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_method")           \
    X(bad_method_tab, "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_method")                     \
    X(double_space_before_target, "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_request_line")   \
    X(double_space_before_version, "GET /  HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_request_line")  \
    X(trailing_space_after_version, "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400, "bad_request_line") \
    X(space_in_target, "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_request_line")            \
    X(ctl_in_target, "GET /a\x01 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_target")                  \
    X(fragment_in_target, "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_target")               \
    X(obs_text_in_target, "GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_target")          \
    X(ftp_absolute_form, "GET ftp://a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_target")            \
    X(userinfo_absolute_form, "GET http://u@a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_target")    \
    X(relative_target, "GET foo HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_target")                   \
    X(asterisk_with_get, "GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_target_form")              \
    X(connect_origin_form, "CONNECT / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_target_form")        \
    X(connect_without_port, "CONNECT a.example HTTP/1.1\r\nHost: a\r\n\r\n", 400,                  \
      "bad_target_form")                                                                           \
    X(authority_form_with_get, "GET a.example:80 HTTP/1.1\r\nHost: a\r\n\r\n", 400,                \
      "bad_target_form")                                                                           \
    X(connect_with_body,                                                                           \
      "CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n"                                  \
      "Content-Length: 0\r\n\r\n",                                                                 \
      400, "connect_with_body")                                                                    \
    X(connection_names_cl, P "Content-Length: 5\r\nConnection: close, Content-Length\r\n\r\n",     \
      400, "connection_framing")                                                                   \
    X(connection_names_te, P "Connection: Transfer-Encoding\r\n\r\n", 400, "connection_framing")   \
    X(connection_names_host, H "Connection: HOST\r\n\r\n", 400, "connection_framing")              \
    X(connection_malformed, H "Connection: close;x\r\n\r\n", 400, "connection_malformed")

#define DEFINE_REQ(name, raw, status, reason)                 \
    TEST(req_##name)                                          \
    {                                                         \
        expect_head(0, raw, sizeof(raw) - 1, status, reason); \
    }
REQUEST_CASES(DEFINE_REQ)

#define R200 "HTTP/1.1 200 OK\r\n"

/* name, raw response head, expected status, expected reason */
#define RESPONSE_CASES(X)                                                                       \
    X(ok_200, R200 "Content-Length: 2\r\n\r\n", 0, "ok")                                        \
    X(ok_no_reason_phrase, "HTTP/1.1 204\r\n\r\n", 0, "ok")                                     \
    X(ok_empty_reason_phrase, "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", 0, "ok")            \
    X(ok_chunked, R200 "Transfer-Encoding: chunked\r\n\r\n", 0, "ok")                           \
    X(ok_http10_until_close, "HTTP/1.0 200 OK\r\n\r\n", 0, "ok")                                \
    X(ok_100_continue, "HTTP/1.1 100 Continue\r\n\r\n", 0, "ok")                                \
    X(ok_101,                                                                                   \
      "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\n"                             \
      "Upgrade: websocket\r\n\r\n",                                                             \
      0, "ok")                                                                                  \
    X(leading_empty_line, "\r\n" R200 "\r\n", 502, "bad_status_line")                           \
    X(status_no_space, "HTTP/1.1 200OK\r\n\r\n", 502, "bad_status_line")                        \
    X(status_two_digits, "HTTP/1.1 20 OK\r\n\r\n", 502, "bad_status_code")                      \
    X(status_four_digits, "HTTP/1.1 2000 OK\r\n\r\n", 502, "bad_status_code")                   \
    X(status_099, "HTTP/1.1 099 X\r\n\r\n", 502, "bad_status_code")                             \
    X(status_600, "HTTP/1.1 600 X\r\n\r\n", 502, "bad_status_code")                             \
    X(status_bad_version, "HTTP/1.x 200 OK\r\n\r\n", 502, "bad_version")                        \
    X(status_icy, "ICY 200 OK\r\n\r\n", 502, "bad_version")                                     \
    X(status_version_2, "HTTP/2.0 200 OK\r\n\r\n", 502, "unsupported_version")                  \
    X(bad_reason_phrase, "HTTP/1.1 200 O\x01K\r\n\r\n", 502, "bad_reason_phrase")               \
    X(cl_te_conflict, R200 "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 502,      \
      "cl_te_conflict")                                                                         \
    X(cl_duplicate, R200 "Content-Length: 3\r\nContent-Length: 4\r\n\r\n", 502, "cl_duplicate") \
    X(cl_list, R200 "Content-Length: 3, 3\r\n\r\n", 502, "cl_list")                             \
    X(te_gzip, R200 "Transfer-Encoding: gzip\r\n\r\n", 502, "te_unknown")                       \
    X(ok_te_trailing_htab, R200 "Transfer-Encoding: chunked\t\r\n\r\n", 0, "ok")                \
    X(te_http10, "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 502, "te_http10")     \
    X(te_in_204, "HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n", 502,          \
      "te_bodiless_status")                                                                     \
    X(te_in_1xx, "HTTP/1.1 103 Early Hints\r\nTransfer-Encoding: chunked\r\n\r\n", 502,         \
      "te_bodiless_status")                                                                     \
    X(bare_lf, "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", 502, "bare_lf")                    \
    X(nul, R200 "X-A: \0\r\n\r\n", 502, "nul")                                                  \
    X(obs_fold, R200 "X-A: b\r\n c\r\n\r\n", 502, "obs_fold")                                   \
    X(space_before_colon, R200 "Content-Length : 0\r\n\r\n", 502, "space_before_colon")         \
    X(connection_framing, R200 "Connection: content-length\r\n\r\n", 502, "connection_framing")

#define DEFINE_RESP(name, raw, status, reason)                \
    TEST(resp_##name)                                         \
    {                                                         \
        expect_head(1, raw, sizeof(raw) - 1, status, reason); \
    }
RESPONSE_CASES(DEFINE_RESP)


/* Scanner behaviour. */

TEST(scan_incomplete_then_complete)
{
    static const char head[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /next";
    size_t full = sizeof("GET / HTTP/1.1\r\nHost: a\r\n\r\n") - 1;
    for (size_t n = 0; n < full; n++) {
        CHECK_EQ(veil_h1_head_end(head, n, NULL), 0);
    }
    CHECK_EQ(veil_h1_head_end(head, full, NULL), (long)full);
    CHECK_EQ(veil_h1_head_end(head, sizeof(head) - 1, NULL), (long)full);
}

TEST(scan_cr_at_end_waits)
{
    veil_h1_scan_t st;
    memset(&st, 0, sizeof(st));
    veil_h1_verdict_t v = {0, NULL};
    static const char head[] = "GET / HTTP/1.1\rX";
    CHECK_EQ(veil_h1_head_scan(&st, head, 15, NULL, &v), 0);
    CHECK_EQ(veil_h1_head_scan(&st, head, 16, NULL, &v), -1);
    CHECK_EQ(v.status, 400);
    CHECK_STR(v.reason, "bare_cr");
}

TEST(scan_response_limit_is_502)
{
    veil_h1_scan_t st;
    memset(&st, 0, sizeof(st));
    st.is_response = 1;
    veil_h1_verdict_t v = {0, NULL};
    veil_h1_limits_t lim = {20, 0};
    static const char head[] = "HTTP/1.1 200 OK\r\nX-Long: yes\r\n\r\n";
    CHECK_EQ(veil_h1_head_scan(&st, head, sizeof(head) - 1, &lim, &v), -1);
    CHECK_EQ(v.status, 502);
    CHECK_STR(v.reason, "header_too_large");
}

/* A head of exactly max_header_bytes passes; one byte more is 431. */
TEST(limit_header_bytes_exact)
{
    static const char head[] = "GET / HTTP/1.1\r\nHost: a\r\nX-A: bb\r\n\r\n";
    size_t n = sizeof(head) - 1;
    veil_h1_limits_t lim = {n, 0};
    veil_h1_verdict_t v = run_head(0, head, n, &lim, NULL);
    CHECK_EQ(v.status, 0);
    lim.max_header_bytes = n - 1;
    v = run_head(0, head, n, &lim, NULL);
    CHECK_EQ(v.status, 431);
    CHECK_STR(v.reason, "header_too_large");
}

TEST(limit_header_bytes_default)
{
    size_t n = VEIL_H1_DEFAULT_MAX_HEADER_BYTES + 100;
    char *buf = malloc(n);
    CHECK(buf != NULL);
    if (buf == NULL) {
        return;
    }
    memset(buf, 'a', n);
    memcpy(buf, "GET / HTTP/1.1\r\nHost: a\r\nX-Big: ", 32);
    memcpy(buf + n - 4, "\r\n\r\n", 4);
    veil_h1_verdict_t v = run_head(0, buf, n, NULL, NULL);
    CHECK_EQ(v.status, 431);
    CHECK_STR(v.reason, "header_too_large");
    free(buf);
}

/* Builds a request with `count` field lines (Host included). */
static size_t build_fields(char *buf, size_t cap, int count)
{
    size_t n = (size_t)snprintf(buf, cap, "GET / HTTP/1.1\r\nHost: a\r\n");
    for (int i = 1; i < count; i++) {
        n += (size_t)snprintf(buf + n, cap - n, "X-%d: v\r\n", i);
    }
    n += (size_t)snprintf(buf + n, cap - n, "\r\n");
    return n;
}

TEST(limit_header_count)
{
    static char buf[8192];
    size_t n = build_fields(buf, sizeof(buf), VEIL_H1_DEFAULT_MAX_HEADERS);
    veil_h1_verdict_t v = run_head(0, buf, n, NULL, NULL);
    CHECK_EQ(v.status, 0);
    n = build_fields(buf, sizeof(buf), VEIL_H1_DEFAULT_MAX_HEADERS + 1);
    v = run_head(0, buf, n, NULL, NULL);
    CHECK_EQ(v.status, 431);
    CHECK_STR(v.reason, "too_many_headers");
    veil_h1_limits_t lim = {0, 3};
    n = build_fields(buf, sizeof(buf), 4);
    v = run_head(0, buf, n, &lim, NULL);
    CHECK_EQ(v.status, 431);
    CHECK_STR(v.reason, "too_many_headers");
}

/* The parse calls re-check what the scanner checks (callers may skip it). */
TEST(parse_rechecks_line_structure)
{
    static const char nul[] = "HTTP/1.1 200 OK\r\nX: \0\r\n\r\n";
    veil_h1_verdict_t v;
    CHECK_EQ(veil_h1_validate_response(nul, sizeof(nul) - 1, NULL, &v), 502);
    CHECK_STR(v.reason, "nul");
    static const char lf[] = "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n";
    CHECK_EQ(veil_h1_validate_request(lf, sizeof(lf) - 1, NULL, &v), 400);
    CHECK_STR(v.reason, "bare_lf");
}

TEST(parse_incomplete_head_is_rejected)
{
    static const char head[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\nX";
    veil_h1_verdict_t v;
    CHECK_EQ(veil_h1_validate_request(head, sizeof(head) - 1, NULL, &v), 400);
    CHECK_STR(v.reason, "incomplete_head");
    CHECK_EQ(veil_h1_validate_request(head, sizeof(head) - 4, NULL, &v), 400);
    CHECK_STR(v.reason, "incomplete_head");
}


/* What an accepted head reports. */

static veil_h1_head_t accept_req(const char *raw)
{
    veil_h1_head_t h;
    memset(&h, 0, sizeof(h));
    veil_h1_verdict_t v;
    CHECK_EQ(veil_h1_parse_request(raw, strlen(raw), NULL, &h, &v), 0);
    return h;
}

static int span_is(veil_h1_span_t s, const char *exact)
{
    return s.len == strlen(exact) && (s.len == 0 || memcmp(s.ptr, exact, s.len) == 0);
}

TEST(info_post_content_length)
{
    const char *raw = "\r\nPOST /a?b HTTP/1.1\r\nHost: Example.com:81 \r\nContent-Length: 12\r\n"
                      "Expect: 100-Continue\r\n\r\n";
    veil_h1_head_t h = accept_req(raw);
    CHECK_EQ(h.start, 2);
    CHECK(span_is(h.method, "POST"));
    CHECK(span_is(h.target, "/a?b"));
    CHECK(span_is(h.path, "/a?b"));
    CHECK(span_is(h.host, "Example.com:81"));
    CHECK_EQ(h.target_form, VEIL_H1_TARGET_ORIGIN);
    CHECK_EQ(h.version_minor, 1);
    CHECK_EQ(h.has_content_length, 1);
    CHECK_EQ(h.content_length, 12);
    CHECK_EQ(h.chunked, 0);
    CHECK_EQ(h.expect_continue, 1);
    CHECK_EQ(h.keep_alive, 1);
    CHECK_EQ(h.header_count, 3);
    CHECK_EQ(veil_h1_request_body(&h), VEIL_H1_BODY_LENGTH);
}

TEST(info_absolute_form)
{
    veil_h1_head_t h = accept_req("GET http://a.example:8080?q=1 HTTP/1.1\r\nHost: b\r\n\r\n");
    CHECK_EQ(h.target_form, VEIL_H1_TARGET_ABSOLUTE);
    CHECK(span_is(h.authority, "a.example:8080"));
    CHECK(span_is(h.path, "?q=1"));
    CHECK(span_is(h.host, "b"));
    CHECK_EQ(veil_h1_request_body(&h), VEIL_H1_BODY_NONE);
}

TEST(info_connect_and_asterisk)
{
    veil_h1_head_t h = accept_req("CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n\r\n");
    CHECK_EQ(h.target_form, VEIL_H1_TARGET_AUTHORITY);
    CHECK(span_is(h.authority, "[::1]:443"));
    h = accept_req("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n");
    CHECK_EQ(h.target_form, VEIL_H1_TARGET_ASTERISK);
}

TEST(info_keep_alive_rules)
{
    veil_h1_head_t h =
        accept_req("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Close\r\n\r\n");
    CHECK_EQ(h.keep_alive, 0);
    CHECK_EQ(h.connection, VEIL_H1_CONN_CLOSE | VEIL_H1_CONN_KEEP_ALIVE);
    h = accept_req("GET / HTTP/1.0\r\n\r\n");
    CHECK_EQ(h.keep_alive, 0);
    CHECK_EQ(h.version_minor, 0);
    h = accept_req("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
    CHECK_EQ(h.keep_alive, 1);
    h = accept_req(
        "GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade, x-foo\r\nUpgrade: websocket\r\n\r\n");
    CHECK_EQ(h.connection, VEIL_H1_CONN_UPGRADE | VEIL_H1_CONN_OTHER);
    CHECK(span_is(h.upgrade, "websocket"));
    CHECK_EQ(h.keep_alive, 1);
}

TEST(info_chunked_and_expect_other)
{
    veil_h1_head_t h = accept_req("PUT / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                                  "Expect: something\r\n\r\n");
    CHECK_EQ(h.chunked, 1);
    CHECK_EQ(h.has_content_length, 0);
    CHECK_EQ(h.expect_continue, 0);
    CHECK_EQ(h.expect_other, 1);
    CHECK_EQ(veil_h1_request_body(&h), VEIL_H1_BODY_CHUNKED);
}

TEST(info_response_body_kinds)
{
    veil_h1_head_t h;
    veil_h1_verdict_t v;
    const char *r1 = "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n";
    CHECK_EQ(veil_h1_parse_response(r1, strlen(r1), NULL, &h, &v), 0);
    CHECK_EQ(h.status_code, 200);
    CHECK(span_is(h.reason_phrase, "OK"));
    CHECK_EQ(veil_h1_response_body(&h, 0, 0), VEIL_H1_BODY_LENGTH);
    CHECK_EQ(veil_h1_response_body(&h, 1, 0), VEIL_H1_BODY_NONE);
    CHECK_EQ(veil_h1_response_body(&h, 0, 1), VEIL_H1_BODY_TUNNEL);
    const char *r2 = "HTTP/1.0 200 OK\r\n\r\n";
    CHECK_EQ(veil_h1_parse_response(r2, strlen(r2), NULL, &h, &v), 0);
    CHECK_EQ(veil_h1_response_body(&h, 0, 0), VEIL_H1_BODY_UNTIL_CLOSE);
    CHECK_EQ(h.keep_alive, 0);
    const char *r3 = "HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n";
    CHECK_EQ(veil_h1_parse_response(r3, strlen(r3), NULL, &h, &v), 0);
    CHECK_EQ(veil_h1_response_body(&h, 0, 0), VEIL_H1_BODY_NONE);
    const char *r4 = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    CHECK_EQ(veil_h1_parse_response(r4, strlen(r4), NULL, &h, &v), 0);
    CHECK_EQ(veil_h1_response_body(&h, 0, 0), VEIL_H1_BODY_CHUNKED);
    const char *r5 = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";
    CHECK_EQ(veil_h1_parse_response(r5, strlen(r5), NULL, &h, &v), 0);
    CHECK_EQ(veil_h1_response_body(&h, 0, 0), VEIL_H1_BODY_TUNNEL);
}

TEST(next_header_iterates_fields)
{
    const char *raw = "\r\nGET / HTTP/1.1\r\nHost:  a \r\nX-Empty:\r\nConnection: close, X-Hop\r\n"
                      "x-hop: 1\r\n\r\n";
    size_t len = strlen(raw);
    size_t pos = 0;
    veil_h1_span_t n, v;
    CHECK_EQ(veil_h1_next_header(raw, len, &pos, &n, &v), 1);
    CHECK(span_is(n, "Host") && span_is(v, "a"));
    CHECK_EQ(veil_h1_next_header(raw, len, &pos, &n, &v), 1);
    CHECK(span_is(n, "X-Empty") && v.len == 0);
    CHECK_EQ(veil_h1_next_header(raw, len, &pos, &n, &v), 1);
    CHECK(span_is(n, "Connection") && span_is(v, "close, X-Hop"));
    CHECK_EQ(veil_h1_next_header(raw, len, &pos, &n, &v), 1);
    CHECK(span_is(n, "x-hop") && span_is(v, "1"));
    CHECK_EQ(veil_h1_next_header(raw, len, &pos, &n, &v), 0);
    CHECK_EQ(veil_h1_next_header(raw, len, &pos, &n, &v), 0);
    veil_h1_span_t hop = {"X-HOP", 5}, other = {"X-Ho", 4};
    CHECK_EQ(veil_h1_connection_lists(raw, len, hop), 1);
    CHECK_EQ(veil_h1_connection_lists(raw, len, other), 0);
}

TEST(known_fields_taken_while_validating)
{
    /* The first field of each name, OWS trimmed, whatever its case;
       absent ones stay empty; a second one does not replace the first. */
    veil_h1_head_t h = accept_req("POST /x HTTP/1.1\r\nHost: a\r\n"
                                  "content-TYPE:\t application/json; charset=utf-8 \r\n"
                                  "Content-Encoding: gzip\r\nX-Request-Id: abc-1\r\n"
                                  "X-Request-Id: second\r\nSec-GPC: 1\r\n"
                                  "Content-Length: 0\r\n\r\n");
    CHECK(span_is(h.content_type, "application/json; charset=utf-8"));
    CHECK(span_is(h.content_encoding, "gzip"));
    CHECK(span_is(h.request_id, "abc-1"));
    CHECK(span_is(h.sec_gpc, "1"));
    CHECK(h.dnt.ptr == NULL && h.dnt.len == 0);
    /* Names that only start like them are other fields. */
    h = accept_req("GET / HTTP/1.1\r\nHost: a\r\nContent-Types: x\r\nDNT: 1\r\n\r\n");
    CHECK(h.content_type.ptr == NULL);
    CHECK(span_is(h.dnt, "1"));
    /* Moved with the head (a response's copy). */
    char copy[128];
    const char *raw = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n";
    veil_h1_verdict_t v;
    memset(&h, 0, sizeof(h));
    CHECK_EQ(veil_h1_parse_response(raw, strlen(raw), NULL, &h, &v), 0);
    memcpy(copy, raw, strlen(raw));
    veil_h1_head_rebase(&h, raw, copy);
    CHECK(h.content_type.ptr == copy + (strstr(raw, "text/plain") - raw));
    CHECK(span_is(h.content_type, "text/plain"));
}

TEST(normalize_ows_only_in_fields_llhttp_reads)
{
    /* HTAB becomes SP in the values of the framing fields (and Connection,
       Upgrade), nowhere else; names, other values and the length stay. */
    char head[] = "POST /a\tb HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\tchunked\t\r\n"
                  "X-Tab: a\tb\t\r\nconnection: keep-alive,\tupgrade\r\n"
                  "Content-Length:\t5\r\nUpgrade:\tws\r\n\r\n";
    const char want[] = "POST /a\tb HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked \r\n"
                        "X-Tab: a\tb\t\r\nconnection: keep-alive, upgrade\r\n"
                        "Content-Length: 5\r\nUpgrade: ws\r\n\r\n";

    veil_h1_normalize_ows(head, sizeof(head) - 1);
    CHECK(memcmp(head, want, sizeof(want)) == 0);
}


TEST(status_text)
{
    CHECK_STR(veil_h1_status_text(400), "Bad Request");
    CHECK_STR(veil_h1_status_text(431), "Request Header Fields Too Large");
    CHECK_STR(veil_h1_status_text(501), "Not Implemented");
    CHECK_STR(veil_h1_status_text(502), "Bad Gateway");
    CHECK_STR(veil_h1_status_text(505), "HTTP Version Not Supported");
    CHECK_STR(veil_h1_status_text(408), "Request Timeout");
    CHECK_STR(veil_h1_status_text(504), "Gateway Timeout");
    CHECK_STR(veil_h1_status_text(204), "No Content");
    CHECK_STR(veil_h1_status_text(304), "Not Modified");
    CHECK_STR(veil_h1_status_text(599), "Unknown");
}

int main(void)
{
#define RUN_REQ(name, raw, status, reason) RUN(req_##name);
#define RUN_RESP(name, raw, status, reason) RUN(resp_##name);
    REQUEST_CASES(RUN_REQ)
    RESPONSE_CASES(RUN_RESP)
    RUN(scan_incomplete_then_complete);
    RUN(scan_cr_at_end_waits);
    RUN(scan_response_limit_is_502);
    RUN(limit_header_bytes_exact);
    RUN(limit_header_bytes_default);
    RUN(limit_header_count);
    RUN(parse_rechecks_line_structure);
    RUN(parse_incomplete_head_is_rejected);
    RUN(info_post_content_length);
    RUN(info_absolute_form);
    RUN(info_connect_and_asterisk);
    RUN(info_keep_alive_rules);
    RUN(info_chunked_and_expect_other);
    RUN(info_response_body_kinds);
    RUN(next_header_iterates_fields);
    RUN(known_fields_taken_while_validating);
    RUN(normalize_ows_only_in_fields_llhttp_reads);
    RUN(status_text);
    TEST_MAIN_END;
}
