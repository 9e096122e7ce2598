/*
 * Unit tests for proxy/http/http_chunked.c. Every case runs three ways: in one
 * call, one byte per call, and split at every offset into two calls; each
 * slice is placed right before a PROT_NONE page, and all ways must report
 * the same result, the same end offset and the same reason.
 */
#include "../../proxy/http/http_chunked.c"

#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "test.h"

#include "guard.h"

typedef struct outcome {
    int rc;
    size_t end; /* body bytes (DONE/AGAIN) or offset of the bad byte */
    const char *reason;
    int status;
} outcome_t;

/* Feeds raw[0..len) in slices of at most `step` bytes (0 = one call). */
static outcome_t feed_split(const char *raw, size_t len, size_t step, size_t first,
                            const veil_chunked_limits_t *lim, int resp)
{
    veil_chunked_t c;
    memset(&c, 0, sizeof(c));
    c.is_response = resp;
    if (lim != NULL) {
        c.limits = *lim;
    }
    outcome_t o = {VEIL_CHUNKED_AGAIN, 0, "ok", 0};
    size_t off = 0;
    while (off < len || len == 0) {
        size_t n = len - off;
        if (first != 0 && off == 0) {
            n = first < n ? first : n;
        } else if (step != 0 && n > step) {
            n = step;
        }
        guard_t g;
        char *p = guard_place(&g, raw + off, n);
        size_t used = 12345;
        veil_h1_verdict_t v = {0, "ok"};
        o.rc = veil_chunked_feed(&c, p, n, &used, &v);
        guard_free(&g);
        if (o.rc == VEIL_CHUNKED_ERROR) {
            o.end = off + used;
            o.reason = v.reason;
            o.status = v.status;
            /* The error is sticky. */
            size_t again = 1;
            CHECK_EQ(veil_chunked_feed(&c, "0", 1, &again, &v), VEIL_CHUNKED_ERROR);
            CHECK_STR(v.reason, o.reason);
            return o;
        }
        if (o.rc == VEIL_CHUNKED_DONE) {
            o.end = off + used;
            size_t again = 1;
            CHECK_EQ(veil_chunked_feed(&c, "0", 1, &again, &v), VEIL_CHUNKED_DONE);
            CHECK_EQ(again, 0);
            return o;
        }
        CHECK_EQ(used, n);
        off += n;
        if (len == 0) {
            break;
        }
    }
    o.end = off;
    return o;
}

static void expect_chunked_lim(const char *raw, size_t len, int rc, size_t end, const char *reason,
                               const veil_chunked_limits_t *lim)
{
    outcome_t one = feed_split(raw, len, 0, 0, lim, 0);
    CHECK_EQ(one.rc, rc);
    CHECK_EQ(one.end, end);
    CHECK_STR(one.reason, reason);
    if (rc == VEIL_CHUNKED_ERROR) {
        CHECK_EQ(one.status, 400);
        outcome_t r = feed_split(raw, len, 0, 0, lim, 1);
        CHECK_EQ(r.status, 502);
    }
    outcome_t per_byte = feed_split(raw, len, 1, 0, lim, 0);
    CHECK_EQ(per_byte.rc, rc);
    CHECK_EQ(per_byte.end, end);
    CHECK_STR(per_byte.reason, reason);
    for (size_t first = 1; first < len; first++) {
        outcome_t two = feed_split(raw, len, 0, first, lim, 0);
        if (two.rc != rc || two.end != end || strcmp(two.reason, reason) != 0) {
            fprintf(stderr, "split at %zu differs\n", first);
            CHECK(0);
            break;
        }
    }
}

static void expect_chunked(const char *raw, size_t len, int rc, size_t end, const char *reason)
{
    expect_chunked_lim(raw, len, rc, end, reason, NULL);
}

#define DONE VEIL_CHUNKED_DONE
#define AGAIN VEIL_CHUNKED_AGAIN
#define ERR VEIL_CHUNKED_ERROR
#define ALL ((size_t)-1) /* the whole input */

/* name, raw body bytes, result, end offset (ALL = whole input), reason */
#define CHUNKED_CASES(X)                                                                         \
    X(ok_simple, "5\r\nhello\r\n0\r\n\r\n", DONE, ALL, "ok")                                     \
    X(ok_two_chunks, "5\r\nhello\r\n1\r\n!\r\n0\r\n\r\n", DONE, ALL, "ok")                       \
    X(ok_pipelined_rest, "5\r\nhello\r\n0\r\n\r\nGET / HTTP/1.1\r\n", DONE, 15, "ok")            \
    X(ok_smuggled_request_after_end, "0\r\n\r\nGET /admin HTTP/1.1\r\nHost: a\r\n\r\n", DONE, 5, \
      "ok")                                                                                      \
    X(ok_upper_hex, "A\r\n0123456789\r\n0\r\n\r\n", DONE, ALL, "ok")                             \
    X(ok_lower_hex, "a\r\n0123456789\r\n0\r\n\r\n", DONE, ALL, "ok")                             \
    X(ok_leading_zeros, "0005\r\nhello\r\n0000\r\n\r\n", DONE, ALL, "ok")                        \
    X(ok_data_with_crlf_inside, "4\r\n\r\n\r\n\r\n0\r\n\r\n", DONE, ALL, "ok")                   \
    X(ok_data_with_nul, "3\r\na\0b\r\n0\r\n\r\n", DONE, ALL, "ok")                               \
    X(ok_extension, "5;a=b\r\nhello\r\n0;last\r\n\r\n", DONE, ALL, "ok")                         \
    X(ok_extension_quoted, "5;a=\"q \\\" s\";b\r\nhello\r\n0\r\n\r\n", DONE, ALL, "ok")          \
    X(ok_extension_bws, "5 ;a = b\t;c\r\nhello\r\n0\r\n\r\n", DONE, ALL, "ok")                   \
    X(ok_extension_lists, "5;a;b=c;d=\"e\" ;f\t=\tg \t;h\r\nhello\r\n0;a=b\r\n\r\n", DONE, ALL,  \
      "ok")                                                                                      \
    X(ok_extension_quoted_pair, "1;a=\"\\\t\\\xff\"\r\nx\r\n0\r\n\r\n", DONE, ALL, "ok")         \
    X(ok_trailers, "0\r\nX-T: 1\r\nY:\r\n\r\n", DONE, ALL, "ok")                                 \
    X(ok_incomplete_data, "5\r\nhel", AGAIN, ALL, "ok")                                          \
    X(ok_incomplete_after_last, "0\r\n", AGAIN, ALL, "ok")                                       \
    X(ok_incomplete_in_trailer, "0\r\nX-T: 1\r\n", AGAIN, ALL, "ok")                             \
    X(ok_max_size, "7fffffffffffffff\r\n", AGAIN, ALL, "ok")                                     \
    X(size_missing, "\r\nhello\r\n", ERR, 0, "chunk_size_missing")                               \
    X(size_missing_before_ext, ";a\r\n", ERR, 0, "chunk_size_missing")                           \
    X(size_leading_space, " 5\r\nhello\r\n", ERR, 0, "chunk_size_missing")                       \
    X(size_not_hex, "g\r\n", ERR, 0, "chunk_size_invalid")                                       \
    X(size_negative, "-1\r\n", ERR, 0, "chunk_size_invalid")                                     \
    X(size_plus, "+5\r\n", ERR, 0, "chunk_size_invalid")                                         \
    X(size_0x_prefix, "0x5\r\nhello\r\n", ERR, 1, "chunk_size_invalid")                          \
    X(size_trailing_junk, "5g\r\nhello\r\n", ERR, 1, "chunk_size_invalid")                       \
    X(size_2_63, "8000000000000000\r\n", ERR, 15, "chunk_size_overflow")                         \
    X(size_2_64_minus_1, "ffffffffffffffff\r\n", ERR, 15, "chunk_size_overflow")                 \
    X(size_17_digits, "00000000000000005\r\nhello\r\n", ERR, 16, "chunk_size_overflow")          \
    X(space_before_crlf, "5 \r\nhello\r\n0\r\n\r\n", ERR, 2, "chunk_ext_malformed")              \
    X(tab_before_crlf, "5\t\r\nhello\r\n0\r\n\r\n", ERR, 2, "chunk_ext_malformed")               \
    X(space_then_junk, "5 x\r\nhello\r\n", ERR, 2, "chunk_ext_malformed")                        \
    X(ext_empty, "5;\r\nhello\r\n", ERR, 2, "chunk_ext_malformed")                               \
    X(ext_empty_name, "5;=b\r\nhello\r\n", ERR, 2, "chunk_ext_malformed")                        \
    X(ext_empty_value, "5;a=\r\nhello\r\n", ERR, 4, "chunk_ext_malformed")                       \
    X(ext_two_words, "5;a b\r\nhello\r\n", ERR, 4, "chunk_ext_malformed")                        \
    X(ext_bad_char, "5;a@b\r\nhello\r\n", ERR, 3, "chunk_ext_malformed")                         \
    X(ext_unterminated_quote, "5;a=\"x\r\nhello\r\n", ERR, 6, "chunk_ext_malformed")             \
    X(ext_after_quote, "5;a=\"x\"y\r\nhello\r\n", ERR, 7, "chunk_ext_malformed")                 \
    X(ext_value_bad_char, "5;a=b@\r\nhello\r\n", ERR, 5, "chunk_ext_malformed")                  \
    X(ext_quoted_ctl, "5;a=\"\x01\"\r\nhello\r\n", ERR, 5, "chunk_ext_malformed")                \
    X(ext_quoted_pair_ctl, "5;a=\"\\\x01\"\r\nhello\r\n", ERR, 6, "chunk_ext_malformed")         \
    X(ext_bws_then_crlf, "5;a \r\nhello\r\n", ERR, 4, "chunk_ext_malformed")                     \
    X(ext_value_bws_then_crlf, "5;a=b \r\nhello\r\n", ERR, 6, "chunk_ext_malformed")             \
    X(ext_bare_lf, "5;a\nhello\r\n", ERR, 3, "bare_lf")                                          \
    X(size_bare_lf, "5\nhello\r\n0\r\n\r\n", ERR, 1, "bare_lf")                                  \
    X(size_bare_cr, "5\rhello\r\n0\r\n\r\n", ERR, 2, "bare_cr")                                  \
    X(size_nul, "5\0\r\nhello\r\n", ERR, 1, "nul")                                               \
    X(data_missing_crlf, "5\r\nhelloX\r\n0\r\n\r\n", ERR, 8, "chunk_data_crlf")                  \
    X(data_too_long, "3\r\nhello\r\n0\r\n\r\n", ERR, 6, "chunk_data_crlf")                       \
    X(data_bare_lf, "5\r\nhello\n0\r\n\r\n", ERR, 8, "bare_lf")                                  \
    X(data_bare_cr, "5\r\nhello\rX", ERR, 9, "bare_cr")                                          \
    X(last_chunk_bare_lf, "0\r\n\n", ERR, 3, "bare_lf")                                          \
    X(last_chunk_bare_cr, "0\r\n\rX", ERR, 4, "bare_cr")                                         \
    X(trailer_obs_fold, "0\r\nX: 1\r\n 2\r\n\r\n", ERR, 9, "trailer_obs_fold")                   \
    X(trailer_leading_space, "0\r\n X: 1\r\n\r\n", ERR, 3, "trailer_obs_fold")                   \
    X(trailer_space_before_colon, "0\r\nX-T : 1\r\n\r\n", ERR, 6, "trailer_space_before_colon")  \
    X(trailer_empty_name, "0\r\n: 1\r\n\r\n", ERR, 3, "trailer_empty_name")                      \
    X(trailer_missing_colon, "0\r\nX\r\n\r\n", ERR, 4, "trailer_missing_colon")                  \
    X(trailer_bad_name, "0\r\nX(: 1\r\n\r\n", ERR, 4, "trailer_bad_name")                        \
    X(trailer_ctl_value, "0\r\nX: a\x01\r\n\r\n", ERR, 7, "trailer_bad_value")                   \
    X(trailer_name_bad_char, "0\r\n(X: 1\r\n\r\n", ERR, 3, "trailer_bad_name")                   \
    X(trailer_value_bare_cr, "0\r\nX: 1\rY\r\n\r\n", ERR, 8, "bare_cr")                          \
    X(trailer_bare_lf, "0\r\nX: 1\n\r\n", ERR, 7, "bare_lf")                                     \
    X(trailer_nul, "0\r\nX: \0\r\n\r\n", ERR, 6, "nul")                                          \
    X(trailer_content_length, "0\r\nContent-Length: 5\r\n\r\n", ERR, 17,                         \
      "trailer_forbidden_field")                                                                 \
    X(trailer_transfer_encoding, "0\r\ntransfer-ENCODING: chunked\r\n\r\n", ERR, 20,             \
      "trailer_forbidden_field")                                                                 \
    X(trailer_host, "0\r\nHost: evil\r\n\r\n", ERR, 7, "trailer_forbidden_field")

#define DEFINE_CHUNKED(name, raw, rc, end, reason)            \
    TEST(chunked_##name)                                      \
    {                                                         \
        size_t e_ = (end) == ALL ? sizeof(raw) - 1 : (end);   \
        expect_chunked(raw, sizeof(raw) - 1, rc, e_, reason); \
    }
CHUNKED_CASES(DEFINE_CHUNKED)

TEST(chunked_ext_cap)
{
    char buf[600];
    /* "5;" then names up to exactly 256 extension bytes: accepted. */
    memset(buf, 'a', sizeof(buf));
    memcpy(buf, "5;", 2);
    size_t ext_end = 1 + VEIL_CHUNKED_DEFAULT_MAX_EXT_BYTES; /* ';' at 1 */
    memcpy(buf + ext_end, "\r\nhello\r\n0\r\n\r\n", 14);
    expect_chunked(buf, ext_end + 14, DONE, ext_end + 14, "ok");
    /* One byte more: rejected at that byte. */
    buf[ext_end] = 'a';
    memcpy(buf + ext_end + 1, "\r\nhello\r\n0\r\n\r\n", 14);
    expect_chunked(buf, ext_end + 15, ERR, ext_end, "chunk_ext_too_long");
    /* A custom cap. */
    veil_chunked_limits_t lim = {4, 0, 0};
    expect_chunked_lim("5;abc\r\nhello\r\n0\r\n\r\n", 19, DONE, 19, "ok", &lim);
    expect_chunked_lim("5;abcd\r\nhello\r\n0\r\n\r\n", 20, ERR, 5, "chunk_ext_too_long", &lim);
}

TEST(chunked_trailer_limits)
{
    veil_chunked_limits_t lim = {0, 12, 0};
    /* "A: 12345\r\n" (10) + "\r\n" (2) = 12 trailer bytes: accepted. */
    expect_chunked_lim("0\r\nA: 12345\r\n\r\n", 15, DONE, 15, "ok", &lim);
    expect_chunked_lim("0\r\nA: 123456\r\n\r\n", 16, ERR, 15, "trailer_too_large", &lim);
    veil_chunked_limits_t lim2 = {0, 0, 2};
    expect_chunked_lim("0\r\nA: 1\r\nB: 2\r\n\r\n", 17, DONE, 17, "ok", &lim2);
    expect_chunked_lim("0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", 23, ERR, 15, "too_many_trailers",
                       &lim2);
}

TEST(chunked_default_trailer_size)
{
    size_t n = VEIL_CHUNKED_DEFAULT_MAX_TRAILER_BYTES + 64;
    char *buf = malloc(n);
    CHECK(buf != NULL);
    if (buf == NULL) {
        return;
    }
    memset(buf, 'v', n);
    memcpy(buf, "0\r\nX: ", 6);
    memcpy(buf + n - 4, "\r\n\r\n", 4);
    /* trailer bytes start at offset 3; the 8193rd is at 3 + 8192 */
    outcome_t o = feed_split(buf, n, 0, 0, NULL, 0);
    CHECK_EQ(o.rc, ERR);
    CHECK_EQ(o.end, 3 + VEIL_CHUNKED_DEFAULT_MAX_TRAILER_BYTES);
    CHECK_STR(o.reason, "trailer_too_large");
    free(buf);
}

/* A big chunk streamed in slices: data is skipped, never inspected. */
TEST(chunked_large_chunk_streamed)
{
    size_t data = 1u << 20;
    size_t n = 8 + data + 7;
    char *buf = malloc(n);
    CHECK(buf != NULL);
    if (buf == NULL) {
        return;
    }
    memcpy(buf, "100000\r\n", 8);
    memset(buf + 8, '\n', data); /* LF bytes inside data are just data */
    memcpy(buf + 8 + data, "\r\n0\r\n\r\n", 7);
    outcome_t o = feed_split(buf, n, 4093, 0, NULL, 0);
    CHECK_EQ(o.rc, DONE);
    CHECK_EQ(o.end, n);
    free(buf);
}

TEST(chunked_empty_feed)
{
    veil_chunked_t c;
    memset(&c, 0, sizeof(c));
    size_t used = 9;
    CHECK_EQ(veil_chunked_feed(&c, NULL, 0, &used, NULL), AGAIN);
    CHECK_EQ(used, 0);
    CHECK_EQ(veil_chunked_feed(&c, "0\r\n\r\n", 5, &used, NULL), DONE);
    CHECK_EQ(used, 5);
    CHECK_EQ(c.data_bytes, 0);
}

int main(void)
{
#define RUN_CHUNKED(name, raw, rc, end, reason) RUN(chunked_##name);
    CHUNKED_CASES(RUN_CHUNKED)
    RUN(chunked_ext_cap);
    RUN(chunked_trailer_limits);
    RUN(chunked_default_trailer_size);
    RUN(chunked_large_chunk_streamed);
    RUN(chunked_empty_feed);
    TEST_MAIN_END;
}
