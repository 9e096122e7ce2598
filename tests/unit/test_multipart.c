/*
 * Unit tests for the multipart walker (RFC 2046 section 5.1, RFC 7578
 * multipart/form-data): each part read by its own headers, a "password"
 * part redacted whole by its name, JSON, form and XML parts walked as
 * such, files of binary types skipped (counted, a marker in the log's
 * copy, kept in transit), delimiters cut by any chunking, lines that only
 * look like a delimiter, CRLF and bare LF, preamble and epilogue, name*=,
 * folded and oversized headers, and the boundary taken from the
 * Content-Type. Every case is scanned whole, byte by byte and in random
 * pieces; all cuts must agree. The bodies follow the RFCs' examples.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "veil/scan.h"
#include "veil/transform.h"

#include "engine_harness.h"

static veil_engine_t *E;

/* Bodies that start with their delimiter: the boundary is taken from the
   first line (VEIL_FMT_MULTIPART without a type). */
#define MS(lit, exp) SCAN_E(E, VEIL_FMT_MULTIPART, lit, exp)
#define MLABEL(lit, exp) REDACT_E(E, VEIL_FMT_MULTIPART, VEIL_ACT_LABEL, lit, exp)
#define MMASK(lit, exp) REDACT_E(E, VEIL_FMT_MULTIPART, VEIL_ACT_MASK, lit, exp)

/* A body type from a Content-Type value. */
static veil_body_type_t ct_type(const char *ct)
{
    veil_body_type_t t;
    veil_body_type_from_content_type(ct, strlen(ct), &t);
    return t;
}

/* Parts skipped for <reason> (VEIL_SKIP__COUNT: all), <in> fed whole. */
static uint32_t skipped(const veil_body_type_t *type, const char *in, size_t len, int reason)
{
    veil_scanner_t *s = veil_scanner_new_typed(E, type, NULL, NULL);
    uint32_t n;
    veil_scanner_feed(s, in, len);
    veil_scanner_finish(s);
    n = veil_scanner_skipped(s, (veil_skip_reason_t)reason);
    veil_scanner_free(s);
    return n;
}

#define B1                                                  \
    "--XyZ\r\n"                                             \
    "Content-Disposition: form-data; name=\"username\"\r\n" \
    "\r\n"                                                  \
    "jdoe\r\n"                                              \
    "--XyZ\r\n"                                             \
    "Content-Disposition: form-data; name=\"password\"\r\n" \
    "\r\n"                                                  \
    "hunter2\r\n"                                           \
    "--XyZ--\r\n"

#define B1_LF                                             \
    "--XyZ\n"                                             \
    "Content-Disposition: form-data; name=\"username\"\n" \
    "\n"                                                  \
    "jdoe\n"                                              \
    "--XyZ\n"                                             \
    "Content-Disposition: form-data; name=\"password\"\n" \
    "\n"                                                  \
    "hunter2\n"                                           \
    "--XyZ--\n"

TEST(password_part)
{
    /* The part's name is the key: its whole content is the secret. */
    MS(B1, "secret_field@122+7HF");
    MLABEL(B1, "--XyZ\r\n"
               "Content-Disposition: form-data; name=\"username\"\r\n"
               "\r\n"
               "jdoe\r\n"
               "--XyZ\r\n"
               "Content-Disposition: form-data; name=\"password\"\r\n"
               "\r\n"
               "[SECRET]\r\n"
               "--XyZ--\r\n");
    /* Bare LF line ends are read the same. */
    MS(B1_LF, "secret_field@115+7HF");
    /* The boundary from the Content-Type, as the proxy gives it. */
    veil_body_type_t t = ct_type("multipart/form-data; boundary=XyZ");
    CHECK_EQ(t.format, VEIL_FMT_MULTIPART);
    harness_type = &t;
    MS(B1, "secret_field@122+7HF");
    harness_type = NULL;
    /* Another boundary than the body's: no delimiter, all preamble. */
    t = ct_type("multipart/form-data; boundary=Other");
    harness_type = &t;
    MS(B1, "");
    harness_type = NULL;
}

#define B2                                                                                     \
    "--b\r\n"                                                                                  \
    "Content-Disposition: form-data; name=\"meta\"\r\n"                                        \
    "Content-Type: application/json\r\n"                                                       \
    "\r\n"                                                                                     \
    "{\"contact\":{\"email\":\"jane.doe@example.com\"},\"note\":\"call +1 415-555-2671\"}\r\n" \
    "--b--\r\n"

TEST(json_part)
{
    /* The JSON walker reads the part: "email" is a key of its own. */
    MS(B2, "email@105+20HF phone@141+15H");
    MLABEL(B2, "--b\r\n"
               "Content-Disposition: form-data; name=\"meta\"\r\n"
               "Content-Type: application/json\r\n"
               "\r\n"
               "{\"contact\":{\"email\":\"[EMAIL]\"},\"note\":\"call [PHONE]\"}\r\n"
               "--b--\r\n");
}

#define PNG "\x89PNG\r\n\x1a\n\x01\x02\x03\rIHDR jane@example.com \r\n-b-"
#define B3                                                                     \
    "--b\r\n"                                                                  \
    "Content-Disposition: form-data; name=\"avatar\"; filename=\"me.png\"\r\n" \
    "Content-Type: image/png\r\n"                                              \
    "\r\n" PNG "\r\n"                                                          \
    "--b\r\n"                                                                  \
    "Content-Disposition: form-data; name=\"email\"\r\n"                       \
    "\r\n"                                                                     \
    "jane@example.com\r\n"                                                     \
    "--b--\r\n"

TEST(file_part_skipped)
{
    veil_body_type_t t = ct_type("multipart/form-data; boundary=b");
    veil_redactor_options_t o = {0};

    /* The image is not read (the address in it is not found); the part
       after it is. */
    MS(B3, "email@192+16HF");
    CHECK_EQ(skipped(&t, B3, sizeof(B3) - 1, VEIL_SKIP_BINARY), 1);
    CHECK_EQ(skipped(&t, B3, sizeof(B3) - 1, VEIL_SKIP_ENCODED), 0);
    CHECK_EQ(skipped(&t, B3, sizeof(B3) - 1, VEIL_SKIP__COUNT), 1);
    /* A log's copy: a marker in place of the file's 39 bytes, and its
       three line breaks (every action keeps the number of lines). */
    MLABEL(B3, "--b\r\n"
               "Content-Disposition: form-data; name=\"avatar\"; filename=\"me.png\"\r\n"
               "Content-Type: image/png\r\n"
               "\r\n[SKIPPED binary part, 39 bytes]\n\n\n\r\n"
               "--b\r\n"
               "Content-Disposition: form-data; name=\"email\"\r\n"
               "\r\n"
               "[EMAIL]\r\n"
               "--b--\r\n");
    /* In transit: the file's bytes go as they are. */
    o.action = VEIL_ACT_LABEL;
    o.type = &t;
    o.keep_skipped = 1;
    CHECK_STR(redact_opts_str(__LINE__, E, &o, B3, sizeof(B3) - 1),
              "--b\r\n"
              "Content-Disposition: form-data; name=\"avatar\"; filename=\"me.png\"\r\n"
              "Content-Type: image/png\r\n"
              "\r\n" PNG "\r\n"
              "--b\r\n"
              "Content-Disposition: form-data; name=\"email\"\r\n"
              "\r\n"
              "[EMAIL]\r\n"
              "--b--\r\n");
}

/* A file larger than one reported piece (64 KiB): one marker, the whole
   length, every cut alike. */
TEST(large_file_part)
{
    static const char head[] = "--b\r\nContent-Disposition: form-data; name=\"f\"; "
                               "filename=\"x.bin\"\r\nContent-Type: application/octet-stream"
                               "\r\n\r\n";
    static const char tail[] = "\r\n--b\r\nContent-Disposition: form-data; name=\"pin\"\r\n\r\n"
                               "1234\r\n--b--";
    size_t n = 150000, hl = sizeof(head) - 1, tl = sizeof(tail) - 1;
    char *in = malloc(hl + n + tl), expect[512];
    memcpy(in, head, hl);
    for (size_t k = 0; k < n; k++) {
        in[hl + k] = (char)('A' + k % 26);
    }
    memcpy(in + hl + n, tail, tl);
    snprintf(expect, sizeof(expect),
             "%s[SKIPPED binary part, 150000 bytes]\r\n--b\r\nContent-Disposition: form-data; "
             "name=\"pin\"\r\n\r\n[SECRET]\r\n--b--",
             head);
    CHECK_STR(redact_str(__LINE__, E, VEIL_FMT_MULTIPART, VEIL_ACT_LABEL, NULL, in, hl + n + tl),
              expect);
    free(in);
}

#define B5                                              \
    "--frontier\r\n"                                    \
    "Content-Disposition: form-data; name=\"note\"\r\n" \
    "\r\n"                                              \
    "--frontie\r\n"                                     \
    "--FRONTIER\r\n"                                    \
    "- --frontier\r\n"                                  \
    "x--frontier\r\n"                                   \
    "mail jane@example.com\r\n"                         \
    "--frontier--\r\n"

TEST(boundary_like_lines)
{
    /* None of these lines is the delimiter (a prefix of the boundary, its
       case changed, not at a line's start): the note goes on, and the
       address in it is found. */
    MS(B5, "email@114+16H");
    MLABEL(B5, "--frontier\r\n"
               "Content-Disposition: form-data; name=\"note\"\r\n"
               "\r\n"
               "--frontie\r\n"
               "--FRONTIER\r\n"
               "- --frontier\r\n"
               "x--frontier\r\n"
               "mail [EMAIL]\r\n"
               "--frontier--\r\n");
    /* A CR alone or a CR and LF in the content are content. */
    MS("--b\r\nContent-Disposition: form-data; name=\"pin\"\r\n\r\n1\r2\r\n3\n\r\n--b--",
       "secret_field@51+7HF");
    /* The boundary is whole after its line break: "--b" then transport
       padding (scanned as text), then the next part's headers. */
    MS("--b\r\nContent-Disposition: form-data; name=\"pin\"\r\n\r\n1234\r\n--b  x@y.io\r\n"
       "Content-Disposition: form-data; name=\"cvv\"\r\n\r\n999\r\n--b--",
       "secret_field@51+4HF email@62+6H secret_field@116+3HF");
}

/* A long boundary (70 bytes, the most RFC 2046 allows): the random cuts
   split it everywhere. */
#define BND "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-."
TEST(long_boundary)
{
    veil_body_type_t t = ct_type("multipart/form-data; boundary=\"" BND "\"");
    CHECK_EQ(t.format, VEIL_FMT_MULTIPART);
    CHECK_EQ(t.boundary_len, 70);
    harness_type = &t;
    MS("--" BND "\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\n"
       "se--" BND " cret\r\n--" BND "\r\n"
       "Content-Disposition: form-data; name=\"note\"\r\n\r\njane@example.com\r\n--" BND "--",
       "secret_field@125+79HF email@327+16H");
    /* An empty part: its delimiter right after the header block. */
    MS("--" BND "\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\n"
       "--" BND "\r\nContent-Disposition: form-data; name=\"pin\"\r\n\r\n1\r\n--" BND "--",
       "secret_field@245+1HF");
    harness_type = NULL;
}

#define B7                                                    \
    "This is the preamble, write to jane@example.com.\r\n"    \
    "\r\n"                                                    \
    "--simple boundary\r\n"                                   \
    "\r\n"                                                    \
    "This is implicitly typed plain US-ASCII text.\r\n"       \
    "It does NOT end with a linebreak.\r\n"                   \
    "--simple boundary\r\n"                                   \
    "Content-type: text/plain; charset=us-ascii\r\n"          \
    "\r\n"                                                    \
    "This is explicitly typed plain US-ASCII text.\r\n"       \
    "It DOES end with a linebreak, call +1 415-555-2671.\r\n" \
    "\r\n"                                                    \
    "--simple boundary--\r\n"                                 \
    "\r\n"                                                    \
    "This is the epilogue, from john@example.org.\r\n"

TEST(preamble_epilogue)
{
    /* RFC 2046's example (multipart/mixed, a boundary with a space):
       preamble and epilogue are scanned as text too. */
    veil_body_type_t t = ct_type("multipart/mixed; boundary=\"simple boundary\"");
    CHECK_EQ(t.format, VEIL_FMT_MULTIPART);
    CHECK_EQ(t.boundary_len, 15);
    harness_type = &t;
    MS(B7, "email@31+16H phone@302+15H email@372+16H");
    harness_type = NULL;
    /* Without the Content-Type, a body that does not start with a
       delimiter is text. */
    MS(B7, "email@31+16H phone@302+15H email@372+16H");
}

#define B8                                                                           \
    "--b\r\n"                                                                        \
    "Content-Disposition: form-data; name=\"field1\"; name*=UTF-8''%70assw%6Frd\r\n" \
    "\r\n"                                                                           \
    "s3cr3t\r\n"                                                                     \
    "--b\r\n"                                                                        \
    "Content-Disposition: form-data; name=\"a\"; name=\"pin\"\r\n"                   \
    "\r\n"                                                                           \
    "1234\r\n"                                                                       \
    "--b\r\n"                                                                        \
    "Content-Disposition: form-data; name=pwd\r\n"                                   \
    "\r\n"                                                                           \
    "x y\r\n"                                                                        \
    "--b\r\n"                                                                        \
    "Content-Disposition: form-data;\r\n"                                            \
    " name=\"token\"\r\n"                                                            \
    "\r\n"                                                                           \
    "abc\r\n"                                                                        \
    "--b--\r\n"

TEST(part_names)
{
    /* Every name a part carries counts: name*= (RFC 5987, percent-encoded),
       a repeated name=, a token, a folded header line. */
    MS(B8, "secret_field@81+6HF secret_field@150+4HF secret_field@205+3HF "
           "secret_field@265+3HF");
    /* A quoted-pair in a quoted name. */
    MS("--b\r\nContent-Disposition: form-data; name=\"pass\\word\"\r\n\r\nx\r\n--b--",
       "secret_field@57+1HF");
}

#define B9                                                \
    "--AaB03x\r\n"                                        \
    "content-disposition: form-data; name=\"field1\"\r\n" \
    "content-type: text/plain;charset=UTF-8\r\n"          \
    "content-transfer-encoding: quoted-printable\r\n"     \
    "\r\n"                                                \
    "Joe owes =E2=82=AC100, jane=40example.com\r\n"       \
    "--AaB03x\r\n"                                        \
    "content-disposition: form-data; name=\"field2\"\r\n" \
    "content-transfer-encoding: base64\r\n"               \
    "\r\n"                                                \
    "amFuZUBleGFtcGxlLmNvbQ==\r\n"                        \
    "--AaB03x\r\n"                                        \
    "content-disposition: form-data; name=\"field3\"\r\n" \
    "content-transfer-encoding: 8bit\r\n"                 \
    "\r\n"                                                \
    "jane@example.com\r\n"                                \
    "--AaB03x--\r\n"

TEST(transfer_encoding_skipped)
{
    /* RFC 7578 section 4.7 deprecates Content-Transfer-Encoding; a part
       that has one is not decoded but skipped (7bit, 8bit, binary are no
       encoding). */
    veil_body_type_t t = ct_type("multipart/form-data; boundary=AaB03x");
    harness_type = &t;
    MS(B9, "email@399+16H");
    MLABEL(B9, "--AaB03x\r\n"
               "content-disposition: form-data; name=\"field1\"\r\n"
               "content-type: text/plain;charset=UTF-8\r\n"
               "content-transfer-encoding: quoted-printable\r\n"
               "\r\n"
               "[SKIPPED encoded part, 41 bytes]\r\n"
               "--AaB03x\r\n"
               "content-disposition: form-data; name=\"field2\"\r\n"
               "content-transfer-encoding: base64\r\n"
               "\r\n"
               "[SKIPPED encoded part, 24 bytes]\r\n"
               "--AaB03x\r\n"
               "content-disposition: form-data; name=\"field3\"\r\n"
               "content-transfer-encoding: 8bit\r\n"
               "\r\n"
               "[EMAIL]\r\n"
               "--AaB03x--\r\n");
    harness_type = NULL;
    CHECK_EQ(skipped(&t, B9, sizeof(B9) - 1, VEIL_SKIP_ENCODED), 2);
}

#define B10                                                                          \
    "--b\r\n"                                                                        \
    "Content-Disposition: form-data; name=\"upload\"; filename=\"contacts.csv\"\r\n" \
    "Content-Type: text/csv\r\n"                                                     \
    "\r\n"                                                                           \
    "name,email\r\nJane,jane@example.com\r\n"                                        \
    "\r\n--b--"

#define B12                                                        \
    "--b\r\n"                                                      \
    "Content-Disposition: form-data; name=\"q\"\r\n"               \
    "Content-Type: application/x-www-form-urlencoded\r\n"          \
    "\r\n"                                                         \
    "a=1&email=jane%40example.com&note=call+%2B1+415-555-2671\r\n" \
    "--b--\r\n"

#define B13                                                                               \
    "--MIME_boundary\r\n"                                                                 \
    "Content-Type: application/soap+xml; charset=UTF-8\r\n"                               \
    "Content-ID: <rootpart@example.org>\r\n"                                              \
    "\r\n"                                                                                \
    "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body>"            \
    "<login user=\"jdoe\"><password>hunter2</password></login></s:Body></s:Envelope>\r\n" \
    "--MIME_boundary--\r\n"

#define B14                                                 \
    "--b\r\n"                                               \
    "Content-Disposition: form-data; name=\"name\"\r\n"     \
    "\r\n"                                                  \
    "Jane Doe\r\n"                                          \
    "--b\r\n"                                               \
    "Content-Disposition: form-data; name=\"name\"\r\n"     \
    "\r\n"                                                  \
    "Widget Pro 2\r\n"                                      \
    "--b\r\n"                                               \
    "Content-Disposition: form-data; name=\"password\"\r\n" \
    "Content-Type: application/json\r\n"                    \
    "\r\n"                                                  \
    "{\"a\": \"b\"}\r\n"                                    \
    "--b--\r\n"

TEST(part_types)
{
    /* A nested multipart/mixed (files under one name, RFC 2388's way) is
       not followed: skipped as binary. */
    MS("--b\r\nContent-Disposition: form-data; name=\"files\"\r\n"
       "Content-Type: multipart/mixed; boundary=c\r\n\r\n"
       "--c\r\nContent-Disposition: file; filename=\"a.txt\"\r\n\r\njane@example.com\r\n--c--"
       "\r\n--b--",
       "");
    /* A text file is read (the part's name, "upload", is no key). */
    MS(B10, "email@120+16H");
    /* A form-urlencoded part: its fields by their own names. */
    MS(B12, "email@108+18HF phone@137+17H");
    /* An XML part (SOAP with attachments): elements are keys; headers are
       scanned as text (the Content-ID reads as an address). */
    MS(B13, "email@81+20H secret_field@205+7HF");
    /* "name": a person's name or not; a sensitive name takes any type. */
    MS(B14, "person_name@52+8MF secret_field@216+10HF");
}

TEST(header_block_limit)
{
    /* A header block over 8 KiB: its bytes are scanned as text, the rest
       of the part is skipped, the next part is read. */
    static char in[12000];
    size_t n = 0;
    n += (size_t)snprintf(in + n, sizeof(in) - n,
                          "--b\r\nContent-Disposition: form-data; name=\"x\"\r\nX-Long: ");
    size_t at = n;
    memset(in + n, 'a', 8300);
    n += 8300;
    n += (size_t)snprintf(in + n, sizeof(in) - n,
                          " jane@example.com\r\n\r\nhunter2\r\n--b\r\n"
                          "Content-Disposition: form-data; name=\"otp\"\r\n\r\n4321\r\n--b--");
    char expect[128];
    size_t otp = n - 11;
    (void)at;
    /* The address is past the 8 KiB kept: skipped with the rest. */
    snprintf(expect, sizeof(expect), "secret_field@%zu+4HF", otp);
    CHECK_STR(scan_str(__LINE__, E, VEIL_FMT_MULTIPART, in, n), expect);
    veil_body_type_t t = ct_type("multipart/form-data; boundary=b");
    CHECK_EQ(skipped(&t, in, n, VEIL_SKIP_HEADERS), 1);
}

TEST(truncated_and_odd)
{
    /* No close delimiter: the last part ends with the body. */
    MS("--b\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nhunter",
       "secret_field@56+6HF");
    /* Cut in a part's headers: they are text. */
    MS("--b\r\nContent-Disposition: form-data; name=\"x\"; filename=\"jane@example.com",
       "email@57+16H");
    /* Cut in a delimiter: what was held is content. */
    MS("--b\r\nContent-Disposition: form-data; name=\"pin\"\r\n\r\n12\r\n--",
       "secret_field@51+6HF");
    /* A part with no headers at all is text under no name. */
    MS("--b\r\n\r\njane@example.com\r\n--b--", "email@7+16H");
    /* Empty body, a lone delimiter, junk. */
    MS("", "");
    MS("--b--", "");
    MS("--", "");
    MS("no boundary jane@example.com", "email@12+16H");
}

TEST(content_type_boundary)
{
    veil_body_type_t t;

    t = ct_type("multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW");
    CHECK_EQ(t.format, VEIL_FMT_MULTIPART);
    CHECK_EQ(t.boundary_len, 37);
    CHECK(memcmp(t.boundary, "----WebKitFormBoundary7MA4YWxkTrZu0gW", 37) == 0);
    t = ct_type("Multipart/Form-Data;charset=utf-8;BOUNDARY=\"a b\\\"c\"");
    CHECK_EQ(t.format, VEIL_FMT_MULTIPART);
    CHECK_EQ(t.boundary_len, 5);
    CHECK(memcmp(t.boundary, "a b\"c", 5) == 0);
    /* No usable boundary: text. */
    CHECK_EQ(ct_type("multipart/form-data").format, VEIL_FMT_TEXT);
    CHECK_EQ(ct_type("multipart/form-data; boundary=").format, VEIL_FMT_TEXT);
    CHECK_EQ(ct_type("multipart/form-data; boundary=\"\"").format, VEIL_FMT_TEXT);
    CHECK_EQ(ct_type("multipart/form-data; boundary=\"abc").format, VEIL_FMT_TEXT);
    CHECK_EQ(ct_type("multipart/form-data; boundary=" BND "x").format, VEIL_FMT_TEXT);
    CHECK_EQ(ct_type("multipart/form-data; boundary=\"a\tb\"").format, VEIL_FMT_TEXT);
    CHECK_EQ(ct_type("multipart/form-data; boundary=" BND).boundary_len, 70);
    /* Other types keep their format. */
    CHECK_EQ(ct_type("application/json; boundary=x").format, VEIL_FMT_JSON);
    CHECK_EQ(ct_type("application/soap+xml; charset=utf-8").format, VEIL_FMT_XML);
    CHECK_EQ(ct_type("text/xml").format, VEIL_FMT_XML);
    CHECK_EQ(ct_type("text/plain").format, VEIL_FMT_TEXT);
}

/* Field rules: a part by its name (a form field), values in a JSON or XML
   part by their path under it. */
static int rules(void *ud, int place, const char *path, size_t len)
{
    static const struct {
        int place;
        const char *path;
        int action;
    } r[] = {
        {VEIL_PLACE_FORM, "cvv", VEIL_ACT_DROP},
        {VEIL_PLACE_JSON, "$.meta.contact.phone", VEIL_ACT_LABEL},
        {VEIL_PLACE_JSON, "$.doc.login.user", VEIL_ACT_MASK},
        {VEIL_PLACE_JSON, "$", VEIL_ACT_DROP},
    };
    (void)ud;
    for (size_t k = 0; k < sizeof(r) / sizeof(r[0]); k++) {
        if (r[k].place == place && strlen(r[k].path) == len && memcmp(r[k].path, path, len) == 0) {
            return r[k].action;
        }
    }
    return -1;
}

TEST(field_rules)
{
    veil_redactor_options_t o = {0};
    o.format = VEIL_FMT_MULTIPART;
    o.action = VEIL_ACT_LABEL;
    o.field_action = rules;
    CHECK_STR(
        redact_opts_str(__LINE__, E, &o,
                        "--b\r\nContent-Disposition: form-data; name=\"cvv\"\r\n\r\n123\r\n"
                        "--b\r\nContent-Disposition: form-data; name=\"meta\"\r\n"
                        "Content-Type: application/json\r\n\r\n"
                        "{\"contact\":{\"phone\":\"ask\"}}\r\n"
                        "--b\r\nContent-Disposition: form-data; name=\"doc\"\r\n"
                        "Content-Type: text/xml\r\n\r\n"
                        "<login user=\"jdoe\">x</login>\r\n--b--",
                        sizeof("--b\r\nContent-Disposition: form-data; name=\"cvv\"\r\n\r\n123\r\n"
                               "--b\r\nContent-Disposition: form-data; name=\"meta\"\r\n"
                               "Content-Type: application/json\r\n\r\n"
                               "{\"contact\":{\"phone\":\"ask\"}}\r\n"
                               "--b\r\nContent-Disposition: form-data; name=\"doc\"\r\n"
                               "Content-Type: text/xml\r\n\r\n"
                               "<login user=\"jdoe\">x</login>\r\n--b--") -
                            1),
        "--b\r\nContent-Disposition: form-data; name=\"cvv\"\r\n\r\n\r\n"
        "--b\r\nContent-Disposition: form-data; name=\"meta\"\r\n"
        "Content-Type: application/json\r\n\r\n"
        "{\"contact\":{\"phone\":\"[PII]\"}}\r\n"
        "--b\r\nContent-Disposition: form-data; name=\"doc\"\r\n"
        "Content-Type: text/xml\r\n\r\n"
        "<login user=\"****\">x</login>\r\n--b--");
    /* A rule for $ takes the text outside the parts (a body allowlist
       drops it): preamble, transport padding, epilogue. */
    veil_body_type_t t = ct_type("multipart/form-data; boundary=b");
    o.type = &t;
    CHECK_STR(
        redact_opts_str(__LINE__, E, &o, "pre jdoe\r\n--b pad\r\n\r\nx\r\n--b--\r\nepi jdoe", 39),
        "\r\n--b\r\n\r\nx\r\n--b--\n");
}

int main(void)
{
    char err[256];
    E = veil_engine_new(NULL, err, sizeof(err));
    if (E == NULL) {
        fprintf(stderr, "engine: %s\n", err);
        return 1;
    }
    RUN(password_part);
    RUN(json_part);
    RUN(file_part_skipped);
    RUN(large_file_part);
    RUN(boundary_like_lines);
    RUN(long_boundary);
    RUN(preamble_epilogue);
    RUN(part_names);
    RUN(transfer_encoding_skipped);
    RUN(part_types);
    RUN(header_block_limit);
    RUN(truncated_and_odd);
    RUN(content_type_boundary);
    RUN(field_rules);
    veil_engine_free(E);
    TEST_MAIN_END;
}
