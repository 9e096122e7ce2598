/*
 * Inputs built to make the engine's cost or memory grow faster than their
 * size (the bench's --pathological kinds, smaller): runs of escapes, deep
 * nesting, long digit runs, many keys, invalid UTF-8, NUL bytes. Each must
 * give the right findings on every level and cut (engine_harness.h), and
 * the scanner's state must stay bounded however the input is fed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "veil/scan.h"
#include "veil/transform.h"

#include "engine_harness.h"
#include "scanner.h"

static veil_engine_t *E;

/* Runs of one-byte escapes share a segment: a finding spelled with them
   still maps to exactly its raw bytes. */
TEST(escape_runs)
{
    REDACT_E(E, VEIL_FMT_JSON, VEIL_ACT_LABEL,
             "{\"note\":\"mail \\u006a\\u0061\\u006e\\u0065@example.com now\"}",
             "{\"note\":\"mail [EMAIL] now\"}");
    REDACT_E(E, VEIL_FMT_JSON, VEIL_ACT_MASK,
             "{\"n\":\"\\\\\\\\\\\\ jane@example.com \\\"\\\"\\\" \\n\\n\\n\"}",
             "{\"n\":\"\\\\\\\\\\\\ ****@*******.*** \\\"\\\"\\\" \\n\\n\\n\"}");
    REDACT_E(E, VEIL_FMT_FORM, VEIL_ACT_LABEL, "q=%6a%61%6e%65%40example.com&x=1", "q=[EMAIL]&x=1");
}

/* A string of backslashes is one segment per feed, not one per escape:
   fed whole or in pieces, the scanner holds a handful; and a feed of a
   MiB is taken in 64 KiB pieces, so its text buffer stays that size. */
TEST(backslash_string_is_bounded)
{
    size_t n = 1 << 20;
    char *in = malloc(n + 16);
    memcpy(in, "{\"s\":\"", 6);
    memset(in + 6, '\\', n);
    memcpy(in + 6 + n, "\"}\n", 3);
    for (int whole = 0; whole < 2; whole++) {
        flist_t l = {0};
        veil_scanner_t *s = veil_scanner_new(E, VEIL_FMT_JSON, collect, &l);
        size_t most = 0, text = 0;
        for (size_t at = 0; at < n + 9;) {
            size_t k = whole ? n + 9 : 4096;
            k = k < n + 9 - at ? k : n + 9 - at;
            CHECK_EQ(veil_scanner_feed(s, in + at, k), 0);
            at += k;
            most = s->capsegs > most ? s->capsegs : most;
            text = s->text.cap > text ? s->text.cap : text;
        }
        CHECK_EQ(veil_scanner_finish(s), 0);
        CHECK_EQ(l.n, 0);
        CHECK(most <= 512); /* the first allocation: never grown */
        CHECK(text <= 128 * 1024);
        veil_scanner_free(s);
    }
    free(in);
}

/* 100,000 levels: the walker keeps 64 frames and reads the rest as text. */
TEST(deep_nesting)
{
    size_t depth = 100000, n = 0;
    char *in = malloc(2 * depth + 64);
    for (size_t k = 0; k < depth; k++) {
        in[n++] = '[';
    }
    n += (size_t)sprintf(in + n, "\"jane@example.com\"");
    for (size_t k = 0; k < depth; k++) {
        in[n++] = ']';
    }
    const char *got = scan_str(__LINE__, E, VEIL_FMT_JSON, in, n);
    char want[64];
    snprintf(want, sizeof(want), "email@%zu+16H", depth + 1);
    CHECK_STR(got, want);
    free(in);
}

/* A digit run longer than any token the walker keeps, as a number and as a
   string, and in text: no finding, and a card after it is found. */
TEST(long_digit_runs)
{
    size_t run = 200000, n = 0;
    char *in = malloc(2 * run + 128);
    n += (size_t)sprintf(in, "{\"n\":");
    for (size_t k = 0; k < run; k++) {
        in[n++] = (char)('0' + k % 10);
    }
    n += (size_t)sprintf(in + n, ",\"s\":\"");
    for (size_t k = 0; k < run; k++) {
        in[n++] = (char)('1' + k % 9);
    }
    n += (size_t)sprintf(in + n, " card 4111111111111111\"}");
    const char *got = scan_str(__LINE__, E, VEIL_FMT_JSON, in, n);
    char want[64];
    snprintf(want, sizeof(want), "credit_card@%zu+16H", n - 18);
    CHECK_STR(got, want);
    CHECK_STR(scan_str(__LINE__, E, VEIL_FMT_TEXT, in, n), want);
    free(in);
}

/* Many distinct keys: classified once each, no finding among neutral ones,
   the sensitive one at the end still a field. */
TEST(many_keys)
{
    size_t keys = 20000, n = 1;
    char *in = malloc(keys * 24 + 64);
    in[0] = '{';
    for (size_t k = 0; k < keys; k++) {
        n += (size_t)sprintf(in + n, "\"item_%zu\":%zu,", k, k % 97);
    }
    n += (size_t)sprintf(in + n, "\"password\":\"hunter2\"}");
    const char *got = scan_str(__LINE__, E, VEIL_FMT_JSON, in, n);
    char want[64];
    snprintf(want, sizeof(want), "secret_field@%zu+7HF", n - 9);
    CHECK_STR(got, want);
    free(in);
}

/* Invalid UTF-8 and NUL bytes around and inside values. */
TEST(bad_bytes)
{
    SCAN_E(E, VEIL_FMT_JSON, "{\"\xff\xfe\":\"\x80\xc3 jane@example.com \xed\xa0\x80\"}",
           "email@10+16H");
    SCAN_E(E, VEIL_FMT_TEXT, "\xc0\xaf jane@example.com \xf0\x9f\x98", "email@3+16H");
    static const char nul[] = "{\"a\0b\":\"x\0 jane@example.com\0\",\"n\":12\0"
                              "34}";
    CHECK_STR(scan_str(__LINE__, E, VEIL_FMT_JSON, nul, sizeof(nul) - 1), "email@11+16H");
    static const char tnul[] = "\0\0jane@example.com\0@\0:\0=";
    CHECK_STR(scan_str(__LINE__, E, VEIL_FMT_TEXT, tnul, sizeof(tnul) - 1), "email@2+16H");
}

int main(void)
{
    char err[256];
    E = veil_engine_new(NULL, err, sizeof(err));
    if (E == NULL) {
        fprintf(stderr, "engine: %s\n", err);
        return 1;
    }
    RUN(escape_runs);
    RUN(backslash_string_is_bounded);
    RUN(deep_nesting);
    RUN(long_digit_runs);
    RUN(many_keys);
    RUN(bad_bytes);
    veil_engine_free(E);
    TEST_MAIN_END;
}
