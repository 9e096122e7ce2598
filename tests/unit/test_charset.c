/*
 * Charsets (detectors/charset.c): the charset parameter of Content-Type,
 * the UTF-16/32 decoder and its encoder back. Vectors from RFC 2781
 * section 3.3 (U+12345 "=Ra"), the Unicode Standard chapter 3 (the
 * <004D 0430 4E8C 10302> example of D90-D92, Table 3-8 for U+FFFD
 * substitution), RFC 4627 section 3 (the NUL pattern). Every decoding is
 * run whole, byte by byte and in random splits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "veil/charset.h"

typedef struct {
    unsigned char data[8192];
    size_t len;
    int fail_after; /* make the writer fail after this many calls, or 0 */
    int calls;
} sink_t;

static int sink_write(void *ud, const char *data, size_t len)
{
    sink_t *s = ud;
    s->calls++;
    if (s->fail_after && s->calls > s->fail_after) {
        return 7;
    }
    if (s->len + len > sizeof(s->data)) {
        return 9;
    }
    memcpy(s->data + s->len, data, len);
    s->len += len;
    return 0;
}

static uint64_t rng = 88172645463325252ull;

static size_t next_rand(size_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (size_t)(rng % n);
}

/* Decodes <in> with pieces of at most <piece> bytes (0: random pieces);
   returns the decode's result, the output in <out>. */
static int decode_in(veil_charset_t declared, const unsigned char *in, size_t len, size_t piece,
                     sink_t *out, veil_charset_decoder_t *dec)
{
    memset(dec, 0, sizeof(*dec));
    dec->declared = (uint8_t)declared;
    memset(out, 0, sizeof(*out));
    size_t i = 0;
    while (i < len) {
        size_t n = piece ? piece : 1 + next_rand(5);
        if (n > len - i) {
            n = len - i;
        }
        int rc = veil_charset_decode(dec, in + i, n, sink_write, out);
        if (rc != 0) {
            return rc;
        }
        i += n;
    }
    return veil_charset_decode_finish(dec, sink_write, out);
}

/* The same output whatever the split; then the way back. */
static void check_decode(veil_charset_t declared, const char *in, size_t len, const char *want,
                         size_t want_len, int want_form, int round_trip)
{
    sink_t out, back;
    veil_charset_decoder_t dec;
    size_t pieces[] = {len ? len : 1, 1, 2, 3, 0, 0, 0, 0, 0, 0};

    for (size_t k = 0; k < sizeof(pieces) / sizeof(pieces[0]); k++) {
        int rc = decode_in(declared, (const unsigned char *)in, len, pieces[k], &out, &dec);
        CHECK_EQ(rc, 0);
        CHECK_EQ(out.len, want_len);
        CHECK(out.len == want_len && memcmp(out.data, want, want_len) == 0);
        CHECK_EQ(dec.form, want_form);
    }
    if (!round_trip) {
        return;
    }
    /* Well-formed input comes back byte for byte, in any split. */
    for (size_t piece = 1; piece <= out.len + 1; piece += out.len ? out.len : 1) {
        veil_charset_encoder_t enc;
        veil_charset_encoder_init(&enc, &dec);
        memset(&back, 0, sizeof(back));
        for (size_t i = 0; i < out.len; i += piece) {
            size_t n = out.len - i < piece ? out.len - i : piece;
            CHECK_EQ(veil_charset_encode(&enc, out.data + i, n, sink_write, &back), 0);
        }
        CHECK_EQ(veil_charset_encode_finish(&enc, sink_write, &back), 0);
        CHECK_EQ(back.len, len);
        CHECK(back.len == len && memcmp(back.data, in, len) == 0);
    }
}

#define S(x) x, sizeof(x) - 1

/* "*=Ra", * being U+12345: RFC 2781 section 3.3. */
static const char ra_utf8[] = "\xf0\x92\x8d\x85=Ra";

TEST(rfc2781_examples)
{
    check_decode(VEIL_CS_UTF16BE, S("\xd8\x08\xdf\x45\x00\x3d\x00\x52\x00\x61"), S(ra_utf8),
                 VEIL_FORM_UTF16BE, 1);
    check_decode(VEIL_CS_UTF16, S("\xfe\xff\xd8\x08\xdf\x45\x00\x3d\x00\x52\x00\x61"), S(ra_utf8),
                 VEIL_FORM_UTF16BE, 1);
    check_decode(VEIL_CS_UTF16, S("\xff\xfe\x08\xd8\x45\xdf\x3d\x00\x52\x00\x61\x00"), S(ra_utf8),
                 VEIL_FORM_UTF16LE, 1);
    /* utf-16 without a BOM, first byte not NUL: big endian (4.3). */
    check_decode(VEIL_CS_UTF16, S("\xd8\x08\xdf\x45\x00\x3d\x00\x52\x00\x61"), S(ra_utf8),
                 VEIL_FORM_UTF16BE, 1);
    /* Nothing declared: the BOM says which. */
    check_decode(VEIL_CS_NONE, S("\xff\xfe\x08\xd8\x45\xdf\x3d\x00\x52\x00\x61\x00"), S(ra_utf8),
                 VEIL_FORM_UTF16LE, 1);
    check_decode(VEIL_CS_NONE, S("\xfe\xff\xd8\x08\xdf\x45\x00\x3d\x00\x52\x00\x61"), S(ra_utf8),
                 VEIL_FORM_UTF16BE, 1);
    /* Declared UTF-16LE with its own BOM: dropped, and written back. */
    check_decode(VEIL_CS_UTF16LE, S("\xff\xfe\x08\xd8\x45\xdf\x3d\x00\x52\x00\x61\x00"), S(ra_utf8),
                 VEIL_FORM_UTF16LE, 1);
}

/* <U+004D U+0430 U+4E8C U+10302>: the Unicode Standard, chapter 3. */
static const char unicode_utf8[] = "\x4d\xd0\xb0\xe4\xba\x8c\xf0\x90\x8c\x82";

TEST(unicode_examples)
{
    check_decode(VEIL_CS_UTF32BE,
                 S("\x00\x00\x00\x4d\x00\x00\x04\x30\x00\x00\x4e\x8c\x00\x01\x03\x02"),
                 S(unicode_utf8), VEIL_FORM_UTF32BE, 1);
    check_decode(VEIL_CS_UTF32LE,
                 S("\x4d\x00\x00\x00\x30\x04\x00\x00\x8c\x4e\x00\x00\x02\x03\x01\x00"),
                 S(unicode_utf8), VEIL_FORM_UTF32LE, 1);
    check_decode(VEIL_CS_UTF32,
                 S("\xff\xfe\x00\x00\x4d\x00\x00\x00\x30\x04\x00\x00\x8c\x4e\x00\x00\x02\x03"
                   "\x01\x00"),
                 S(unicode_utf8), VEIL_FORM_UTF32LE, 1);
    check_decode(VEIL_CS_UTF32,
                 S("\x00\x00\x00\x4d\x00\x00\x04\x30\x00\x00\x4e\x8c\x00\x01\x03\x02"),
                 S(unicode_utf8), VEIL_FORM_UTF32BE, 1);
    check_decode(VEIL_CS_NONE,
                 S("\x00\x00\xfe\xff\x00\x00\x00\x4d\x00\x00\x04\x30\x00\x00\x4e\x8c\x00\x01"
                   "\x03\x02"),
                 S(unicode_utf8), VEIL_FORM_UTF32BE, 1);
    check_decode(VEIL_CS_UTF16BE, S("\x00\x4d\x04\x30\x4e\x8c\xd8\x00\xdf\x02"), S(unicode_utf8),
                 VEIL_FORM_UTF16BE, 1);
    check_decode(VEIL_CS_UTF16LE, S("\x4d\x00\x30\x04\x8c\x4e\x00\xd8\x02\xdf"), S(unicode_utf8),
                 VEIL_FORM_UTF16LE, 1);
}

/* RFC 4627 section 3: with nothing declared and no BOM, the NUL pattern of
   the first four bytes of JSON text says which encoding. */
TEST(nul_pattern)
{
    check_decode(VEIL_CS_NONE, S("\x7b\x00\x22\x00\x61\x00\x22\x00\x7d\x00"), S("{\"a\"}"),
                 VEIL_FORM_UTF16LE, 1);
    check_decode(VEIL_CS_NONE, S("\x00\x7b\x00\x22\x00\x61\x00\x22\x00\x7d"), S("{\"a\"}"),
                 VEIL_FORM_UTF16BE, 1);
    check_decode(VEIL_CS_NONE, S("\x7b\x00\x00\x00\x7d\x00\x00\x00"), S("{}"), VEIL_FORM_UTF32LE,
                 1);
    check_decode(VEIL_CS_NONE, S("\x00\x00\x00\x7b\x00\x00\x00\x7d"), S("{}"), VEIL_FORM_UTF32BE,
                 1);
    /* No pattern: the bytes pass as they are (UTF-8, a UTF-8 BOM kept). */
    check_decode(VEIL_CS_NONE, S("{\"a\":1}"), S("{\"a\":1}"), VEIL_FORM_PASS, 1);
    check_decode(VEIL_CS_NONE, S("\xef\xbb\xbf{}"), S("\xef\xbb\xbf{}"), VEIL_FORM_PASS, 1);
    check_decode(VEIL_CS_NONE, S("ab"), S("ab"), VEIL_FORM_PASS, 1);
    check_decode(VEIL_CS_NONE, S(""), S(""), VEIL_FORM_PASS, 1);
    /* Declared ASCII-compatible: passed on, NULs and all. */
    check_decode(VEIL_CS_ASCII, S("\x7b\x00\x22\x00\xff"), S("\x7b\x00\x22\x00\xff"),
                 VEIL_FORM_PASS, 1);
    /* A body that is only a BOM. */
    check_decode(VEIL_CS_NONE, S("\xff\xfe"), S(""), VEIL_FORM_UTF16LE, 1);
}

#define FFFD "\xef\xbf\xbd"

/* Ill-formed input: U+FFFD, and never a surrogate or a value above
   U+10FFFF in the output. */
TEST(ill_formed)
{
    /* A high surrogate, then a letter: FFFD a. */
    check_decode(VEIL_CS_UTF16BE, S("\xd8\x00\x00\x61"), S(FFFD "a"), VEIL_FORM_UTF16BE, 0);
    /* A low surrogate alone. */
    check_decode(VEIL_CS_UTF16BE, S("\x00\x61\xdc\x00\x00\x62"), S("a" FFFD "b"), VEIL_FORM_UTF16BE,
                 0);
    /* Two high surrogates then a low one: FFFD and the pair. */
    check_decode(VEIL_CS_UTF16LE, S("\x00\xd8\x00\xd8\x00\xdc"), S(FFFD "\xf0\x90\x80\x80"),
                 VEIL_FORM_UTF16LE, 0);
    /* A high surrogate at the end, and an odd last byte. */
    check_decode(VEIL_CS_UTF16BE, S("\x00\x61\xd8\x00"), S("a" FFFD), VEIL_FORM_UTF16BE, 0);
    check_decode(VEIL_CS_UTF16BE, S("\x00\x61\x00"), S("a" FFFD), VEIL_FORM_UTF16BE, 0);
    check_decode(VEIL_CS_UTF16BE, S("\x00\x61\xd8\x00\x00"), S("a" FFFD FFFD), VEIL_FORM_UTF16BE,
                 0);
    /* UTF-32 above U+10FFFF, a surrogate, three bytes left at the end. */
    check_decode(VEIL_CS_UTF32BE, S("\x00\x11\x00\x00\x00\x00\xd8\x00\x00\x00\x00\x61\x00\x00"),
                 S(FFFD FFFD "a" FFFD), VEIL_FORM_UTF32BE, 0);
    /* A lone byte declared UTF-16. */
    check_decode(VEIL_CS_UTF16, S("\x61"), S(FFFD), VEIL_FORM_UTF16BE, 0);
}

/* A BOM that contradicts the declared charset: not decodable at all. */
TEST(conflicts)
{
    static const struct {
        veil_charset_t declared;
        const char *in;
        size_t len;
    } c[] = {
        {VEIL_CS_ASCII, S("\xff\xfe{\x00}\x00")},
        {VEIL_CS_ASCII, S("\xfe\xff\x00{\x00}")},
        {VEIL_CS_ASCII, S("\x00\x00\xfe\xff")},
        {VEIL_CS_UTF16LE, S("\xfe\xff\x00{")},
        {VEIL_CS_UTF16BE, S("\xff\xfe{\x00")},
        {VEIL_CS_UTF16, S("\xef\xbb\xbf{}")},
        {VEIL_CS_UTF16LE, S("\x00\x00\xfe\xff")},
        {VEIL_CS_UTF32LE, S("\xff\xfe{\x00")},
        {VEIL_CS_UTF32BE, S("\xff\xfe\x00\x00{\x00\x00\x00")},
        {VEIL_CS_UTF32, S("\xfe\xff\x00{")},
        {VEIL_CS_UNKNOWN, S("{}")},
    };
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        for (size_t piece = 1; piece <= 4; piece += 3) {
            sink_t out;
            veil_charset_decoder_t dec;
            int rc = decode_in(c[i].declared, (const unsigned char *)c[i].in, c[i].len, piece, &out,
                               &dec);
            CHECK_EQ(rc, VEIL_CHARSET_CONFLICT);
            CHECK_EQ(out.len, 0);
            CHECK_EQ(dec.form, VEIL_FORM_CONFLICT);
            CHECK_EQ(veil_charset_decode(&dec, "x", 1, sink_write, &out), VEIL_CHARSET_CONFLICT);
        }
    }
    /* FF FE under utf-16 and utf-16le is their own BOM, then U+0000. */
    check_decode(VEIL_CS_UTF16LE, S("\xff\xfe\x00\x00\x61\x00"), S("\0a"), VEIL_FORM_UTF16LE, 1);
}

/* The writer's error stops the decoder and is returned. */
TEST(writer_error)
{
    sink_t out;
    veil_charset_decoder_t dec;
    char big[4000];
    for (size_t i = 0; i < sizeof(big); i += 2) {
        big[i] = 'a';
        big[i + 1] = 0;
    }
    memset(&dec, 0, sizeof(dec));
    dec.declared = VEIL_CS_UTF16LE;
    memset(&out, 0, sizeof(out));
    out.fail_after = 1;
    CHECK_EQ(veil_charset_decode(&dec, big, sizeof(big), sink_write, &out), 7);
    memset(&dec, 0, sizeof(dec));
    memset(&out, 0, sizeof(out));
    out.fail_after = -1 + 1; /* never */
    CHECK_EQ(veil_charset_decode(&dec, "hello", 5, sink_write, &out), 0);
}

/* UTF-8 back to UTF-16: ill-formed UTF-8 becomes one U+FFFD per maximal
   subpart (the Unicode Standard, Table 3-8). */
TEST(encoder_substitution)
{
    static const unsigned char in[] = {0x61, 0xf1, 0x80, 0x80, 0xe1, 0x80, 0xc2,
                                       0x62, 0x80, 0x63, 0x80, 0xbf, 0x64};
    static const char want[] = "\x00\x61\xff\xfd\xff\xfd\xff\xfd\x00\x62\xff\xfd\x00\x63\xff\xfd"
                               "\xff\xfd\x00\x64";
    veil_charset_decoder_t dec;
    memset(&dec, 0, sizeof(dec));
    dec.form = VEIL_FORM_UTF16BE;
    for (size_t piece = 1; piece <= sizeof(in); piece++) {
        veil_charset_encoder_t enc;
        sink_t out;
        veil_charset_encoder_init(&enc, &dec);
        memset(&out, 0, sizeof(out));
        for (size_t i = 0; i < sizeof(in); i += piece) {
            size_t n = sizeof(in) - i < piece ? sizeof(in) - i : piece;
            CHECK_EQ(veil_charset_encode(&enc, in + i, n, sink_write, &out), 0);
        }
        CHECK_EQ(veil_charset_encode_finish(&enc, sink_write, &out), 0);
        CHECK_EQ(out.len, sizeof(want) - 1);
        CHECK(memcmp(out.data, want, sizeof(want) - 1) == 0);
    }
    /* A sequence cut at the end; surrogates and overlongs in UTF-8. */
    veil_charset_encoder_t enc;
    sink_t out;
    dec.form = VEIL_FORM_UTF32LE;
    veil_charset_encoder_init(&enc, &dec);
    memset(&out, 0, sizeof(out));
    CHECK_EQ(veil_charset_encode(&enc, "\xed\xa0\x80\xc0\xaf\xe2\x82", 7, sink_write, &out), 0);
    CHECK_EQ(veil_charset_encode_finish(&enc, sink_write, &out), 0);
    /* ED A0 80: ED then A0 is no second byte for ED: FFFD, A0 FFFD, 80
       FFFD; C0 FFFD, AF FFFD; E2 82 cut: FFFD. */
    CHECK_EQ(out.len, 6 * 4);
    for (size_t i = 0; i + 4 <= out.len; i += 4) {
        CHECK(memcmp(out.data + i, "\xfd\xff\x00\x00", 4) == 0);
    }
    /* Pass-through encoders copy. */
    memset(&enc, 0, sizeof(enc));
    memset(&out, 0, sizeof(out));
    CHECK_EQ(veil_charset_encode(&enc, "\xff\x00z", 3, sink_write, &out), 0);
    CHECK(out.len == 3 && memcmp(out.data, "\xff\x00z", 3) == 0);
}

TEST(content_type)
{
    static const struct {
        const char *ct;
        veil_charset_t cs;
    } c[] = {
        {"application/json", VEIL_CS_NONE},
        {"application/json; charset=utf-8", VEIL_CS_ASCII},
        {"application/json; charset=utf-16", VEIL_CS_UTF16},
        {"application/json;charset=UTF-16LE", VEIL_CS_UTF16LE},
        {"text/plain; CHARSET=\"utf-16be\"", VEIL_CS_UTF16BE},
        {"text/plain; charset = utf-32", VEIL_CS_UTF32},
        {"text/plain;\tcharset=utf-32le ; format=flowed", VEIL_CS_UTF32LE},
        {"text/plain; format=flowed; charset=UTF-32BE", VEIL_CS_UTF32BE},
        {"text/plain; charset=\"utf\\-8\"", VEIL_CS_ASCII},
        {"text/plain; charset=iso-8859-1", VEIL_CS_ASCII},
        {"text/plain; charset=ISO_8859-15", VEIL_CS_ASCII},
        {"text/plain; charset=windows-1252", VEIL_CS_ASCII},
        {"text/plain; charset=Shift_JIS", VEIL_CS_ASCII},
        {"text/plain; charset=us-ascii", VEIL_CS_ASCII},
        {"text/plain; charset=utf-7", VEIL_CS_UNKNOWN},
        {"text/plain; charset=IBM037", VEIL_CS_UNKNOWN},
        {"text/plain; charset=cp500", VEIL_CS_UNKNOWN},
        {"text/plain; charset=iso-2022-jp", VEIL_CS_UNKNOWN},
        {"text/plain; charset=made-up", VEIL_CS_UNKNOWN},
        {"text/plain; charset=", VEIL_CS_UNKNOWN},
        {"text/plain; charset=\"\"", VEIL_CS_UNKNOWN},
        {"text/plain; charset=utf-8; charset=utf-16", VEIL_CS_UNKNOWN},
        {"text/plain; charset=utf-8; charset=UTF-8", VEIL_CS_ASCII},
        {"text/plain; name=\"a;charset=utf-16\"", VEIL_CS_NONE},
        {"text/plain; name=\"a\\\";charset=utf-16\"; x=1", VEIL_CS_NONE},
        {"text/plain; xcharset=utf-16", VEIL_CS_NONE},
        {"text/plain; charset", VEIL_CS_NONE},
        {"text/plain;;; charset=utf-16le", VEIL_CS_UTF16LE},
        {"text/plain; charset=utf-16le junk", VEIL_CS_UTF16LE},
        {"text/plain; charset=\"utf-16le", VEIL_CS_UTF16LE},
    };
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        veil_charset_t got = veil_charset_from_content_type(c[i].ct, strlen(c[i].ct));
        if (got != c[i].cs) {
            fprintf(stderr, "  %s: got %d\n", c[i].ct, got);
        }
        CHECK_EQ(got, c[i].cs);
    }
    CHECK_EQ(veil_charset_from_content_type(NULL, 0), VEIL_CS_NONE);
    /* A value longer than any name: unknown. */
    char longer[200] = "text/plain; charset=";
    memset(longer + strlen(longer), 'u', 150);
    longer[170] = 0;
    CHECK_EQ(veil_charset_from_content_type(longer, strlen(longer)), VEIL_CS_UNKNOWN);
    /* The length bounds the value: "charset=utf-16" cut to "charset=utf". */
    CHECK_EQ(veil_charset_from_content_type("a/b; charset=utf-16", 16), VEIL_CS_UNKNOWN);
}

int main(void)
{
    RUN(rfc2781_examples);
    RUN(unicode_examples);
    RUN(nul_pattern);
    RUN(ill_formed);
    RUN(conflicts);
    RUN(writer_error);
    RUN(encoder_substitution);
    RUN(content_type);
    TEST_MAIN_END;
}
