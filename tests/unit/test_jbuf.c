/*
 * The access-log line builder's JSON string escaping (proxy/observe/log_sink.c),
 * against a byte-at-a-time reference written here from RFC 8259 and
 * RFC 3629: every input, whatever its bytes, must come out as the same
 * valid JSON string content. The escaper copies sixteen plain bytes at a
 * time, so inputs are built to put special bytes at every position of a
 * block and across block edges.
 */
#include <stdint.h>
#include <stdlib.h>

#include "veil/log.h"

#include "test.h"

/* The length of the valid UTF-8 sequence at s (RFC 3629), or 0. */
static size_t ref_utf8(const unsigned char *s, size_t len)
{
    uint32_t cp;
    size_t n;

    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        n = 2;
        cp = s[0] & 0x1f;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        n = 3;
        cp = s[0] & 0x0f;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        n = 4;
        cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (len < n) {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if (s[i] < 0x80 || s[i] > 0xbf) {
            return 0;
        }
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }
    return n;
}

static size_t ref_escape(const unsigned char *p, size_t len, char *out)
{
    size_t o = 0;

    for (size_t i = 0; i < len;) {
        unsigned c = p[i];
        size_t n;

        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c == '\n') {
            o += (size_t)sprintf(out + o, "\\n");
        } else if (c == '\r') {
            o += (size_t)sprintf(out + o, "\\r");
        } else if (c == '\t') {
            o += (size_t)sprintf(out + o, "\\t");
        } else if (c < 0x20 || c == 0x7f) {
            o += (size_t)sprintf(out + o, "\\u%04x", c);
        } else if (c < 0x80) {
            out[o++] = (char)c;
        } else if ((n = ref_utf8(p + i, len - i)) == 3 && c == 0xe2 && p[i + 1] == 0x80 &&
                   (p[i + 2] == 0xa8 || p[i + 2] == 0xa9)) {
            /* U+2028, U+2029: line ends to JavaScript and some log tools. */
            o += (size_t)sprintf(out + o, "\\u%04x", p[i + 2] == 0xa8 ? 0x2028 : 0x2029);
            i += 3;
            continue;
        } else if (n > 0) {
            memcpy(out + o, p + i, n);
            o += n;
            i += n;
            continue;
        } else {
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3;
        }
        i++;
    }
    return o;
}

static int same_as_reference(const unsigned char *in, size_t len)
{
    veil_jbuf_t b;
    char *want = malloc(len * 6 + 1);
    size_t wn = ref_escape(in, len, want);
    int ok;

    veil_jbuf_init(&b, 1 << 24);
    ok = veil_jbuf_esc(&b, (const char *)in, len) == 0 && b.len == wn &&
         (wn == 0 || memcmp(b.data, want, wn) == 0);
    if (!ok) {
        fprintf(stderr, "escape differs for an input of %zu bytes\n", len);
    }
    veil_jbuf_dispose(&b);
    free(want);
    return ok;
}

TEST(plain_ascii_passes_through)
{
    const char *s = "{\"items\": [{\"id\": 0, \"email\": \"[EMAIL]\"}]}";
    veil_jbuf_t b;

    veil_jbuf_init(&b, 4096);
    CHECK(veil_jbuf_esc(&b, s, strlen(s)) == 0);
    CHECK_EQ(b.len, strlen(s) + 8);
    CHECK(memcmp(b.data, "{\\\"items\\\": [{\\\"id\\\": 0, \\\"email\\\": \\\"[EMAIL]\\\"}]}",
                 b.len) == 0);
    veil_jbuf_dispose(&b);

    /* 64 bytes with nothing to escape: copied whole. */
    char plain[65];
    for (int i = 0; i < 64; i++) {
        plain[i] = (char)(i % 2 ? 'A' + i % 26 : '0' + i % 10);
    }
    plain[64] = '\0';
    veil_jbuf_init(&b, 4096);
    CHECK(veil_jbuf_esc(&b, plain, 64) == 0);
    CHECK_EQ(b.len, 64);
    CHECK(memcmp(b.data, plain, 64) == 0);
    veil_jbuf_dispose(&b);
}

TEST(every_special_byte_at_every_block_position)
{
    /* Each byte value that is not plain ASCII, at each offset 0..47 of a
       48-byte run of 'a', alone and followed by a valid UTF-8 sequence. */
    unsigned char in[64];
    int bad = 0;

    for (unsigned c = 0; c < 256; c++) {
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            continue;
        }
        for (size_t at = 0; at < 48; at++) {
            memset(in, 'a', sizeof(in));
            in[at] = (unsigned char)c;
            bad += !same_as_reference(in, 48);
            memcpy(in + at + 1, "\xc3\xa9\xe2\x82\xac", 5); /* é € */
            bad += !same_as_reference(in, 48);
        }
    }
    CHECK_EQ(bad, 0);
}

TEST(short_strings_of_every_length)
{
    /* Strings under 64 bytes are checked eight bytes at a time, the last
       eight read again: each special byte at each position of each length
       (a word's every lane, the overlapping tail) must still be escaped,
       and the bytes next to the plain range (0x1f, 0x20, 0x7e, 0x7f, 0x80)
       judged right. */
    static const unsigned char special[] = {0x00, 0x01, 0x1f, '"', '\\', 0x7f, 0x80, 0xc3, 0xff};
    static const unsigned char plain[] = {0x20, '!', '#', '[', ']', 0x7e};
    unsigned char in[64];
    int bad = 0;

    for (size_t len = 1; len < 64; len++) {
        for (size_t at = 0; at < len; at++) {
            for (size_t k = 0; k < sizeof(special); k++) {
                memset(in, 'q', sizeof(in));
                in[at] = special[k];
                bad += !same_as_reference(in, len);
            }
            for (size_t k = 0; k < sizeof(plain); k++) {
                memset(in, 'q', sizeof(in));
                in[at] = plain[k];
                bad += !same_as_reference(in, len);
            }
        }
    }
    CHECK_EQ(bad, 0);
}

TEST(random_inputs_match_the_reference)
{
    /* Mixes tuned so that plain runs, escapes, valid and broken UTF-8 and
       quote-dense text all occur, with lengths around the 16-byte block
       size. */
    uint64_t x = 0x9e3779b97f4a7c15ull;
    unsigned char in[300];
    int bad = 0;

    for (int round = 0; round < 20000; round++) {
        size_t len = (size_t)(round % 300);
        int mix = round % 5;

        for (size_t i = 0; i < len; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            unsigned r = (unsigned)(x >> 24);
            if (mix == 0) {
                in[i] = (unsigned char)(0x20 + r % 0x5f);
            } else if (mix == 1) {
                in[i] = (unsigned char)r;
            } else if (mix == 2) {
                in[i] = r % 23 == 0 ? (unsigned char)"\"\\\n\x01\x7f\xc3\xe2\xf0"[r % 8]
                                    : (unsigned char)('a' + r % 26);
            } else if (mix == 4) {
                /* JSON in a JSON string: quotes and backslashes every
                   few bytes, now and then a control or UTF-8 byte. */
                in[i] = r % 3 == 0    ? '"'
                        : r % 7 == 0  ? '\\'
                        : r % 61 == 0 ? (unsigned char)(r % 2 ? '\n' : 0xc3)
                                      : (unsigned char)('a' + r % 26);
            } else {
                static const char *const utf[] = {"\xc3\xa9",         "\xe2\x82\xac",
                                                  "\xf0\x9f\x98\x80", "\xed\xa0\x80",
                                                  "\xc0\xaf",         "\xf4\x90\x80\x80"};
                const char *u = utf[r % 6];
                size_t ul = strlen(u);
                if (r % 3 == 0 && i + ul <= len) {
                    memcpy(in + i, u, ul);
                    i += ul - 1;
                } else {
                    in[i] = (unsigned char)('A' + r % 26);
                }
            }
        }
        bad += !same_as_reference(in, len);
    }
    CHECK_EQ(bad, 0);
}

TEST(line_separators_are_escaped)
{
    /* U+2028 and U+2029 (E2 80 A8, E2 80 A9) never reach a record raw;
       their neighbours (U+2027, U+202A) and a cut sequence stay as they
       are or become U+FFFD. */
    const char in[] = "a\xe2\x80\xa8"
                      "b\xe2\x80\xa9"
                      "c\xe2\x80\xa7\xe2\x80\xaa"
                      "0123456789abcdef\xe2\x80\xa8\xe2\x80";
    const char want[] = "a\\u2028"
                        "b\\u2029"
                        "c\xe2\x80\xa7\xe2\x80\xaa"
                        "0123456789abcdef\\u2028\xef\xbf\xbd\xef\xbf\xbd";
    veil_jbuf_t b;

    veil_jbuf_init(&b, 4096);
    CHECK(veil_jbuf_esc(&b, in, sizeof(in) - 1) == 0);
    CHECK(b.len == sizeof(want) - 1 && memcmp(b.data, want, b.len) == 0);
    veil_jbuf_dispose(&b);
}


TEST(keys_and_strings_build_a_record)
{
    veil_jbuf_t b;
    const char *want = "{\"a\":1,\"b\\\"\":\"x\\ny\",\"c\":[\"\",7]}";

    veil_jbuf_init(&b, 4096);
    veil_jbuf_raw(&b, "{", 1);
    veil_jbuf_key(&b, "a");
    veil_jbuf_u64(&b, 1);
    veil_jbuf_key(&b, "b\"");
    veil_jbuf_str(&b, "x\ny", 3);
    veil_jbuf_key(&b, "c");
    veil_jbuf_raw(&b, "[", 1);
    veil_jbuf_str(&b, "", 0);
    veil_jbuf_raw(&b, ",7]}", 4);
    CHECK_EQ(b.len, strlen(want));
    CHECK(b.len == strlen(want) && memcmp(b.data, want, b.len) == 0);
    veil_jbuf_dispose(&b);

    /* A cap: a string that does not fit is refused and flagged. */
    veil_jbuf_init(&b, 16);
    CHECK(veil_jbuf_str(&b, "0123456789", 10) != 0);
    CHECK(b.overflow);
    veil_jbuf_dispose(&b);

    /* The program's own keys, written as they are: the same record. */
    want = "{\"http.request.id\":\"r1\",\"@t\":[{\"k\":2}]}";
    veil_jbuf_init(&b, 4096);
    veil_jbuf_raw(&b, "{", 1);
    CHECK_EQ(veil_jbuf_name(&b, "http.request.id", 15), 0);
    veil_jbuf_str(&b, "r1", 2);
    veil_jbuf_name(&b, "@t", 2);
    veil_jbuf_raw(&b, "[{", 2);
    veil_jbuf_name(&b, "k", 1);
    veil_jbuf_raw(&b, "2}]}", 4);
    CHECK(b.len == strlen(want) && memcmp(b.data, want, b.len) == 0);
    veil_jbuf_dispose(&b);
    veil_jbuf_init(&b, 8);
    CHECK(veil_jbuf_name(&b, "0123456789", 10) != 0);
    CHECK(b.overflow);
    veil_jbuf_dispose(&b);
}

int main(void)
{
    RUN(plain_ascii_passes_through);
    RUN(every_special_byte_at_every_block_position);
    RUN(short_strings_of_every_length);
    RUN(random_inputs_match_the_reference);
    RUN(line_separators_are_escaped);
    RUN(keys_and_strings_build_a_record);
    TEST_MAIN_END;
}
