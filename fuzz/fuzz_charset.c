/*
 * Fuzz target: the charset decoder and encoder (detectors/charset.c) and
 * the Content-Type charset parameter.
 *
 * Input: byte 0 picks the declared charset (veil_charset_t, modulo its
 * count), byte 1 seeds the split points, the rest is the body.
 * Invariants:
 *   - any split of the input gives the same result and the same output;
 *   - the output of a decoding (UTF-16/32) is well-formed UTF-8; a body
 *     passed through comes out as it went in;
 *   - encoding the output back and decoding it again gives the same
 *     output (declared as the byte order found);
 *   - the encoder gives the same bytes in any split, and well-formed UTF-8
 *     comes back unchanged through encoder and decoder;
 *   - the Content-Type parser returns a known value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "veil/charset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    uint8_t *p;
    size_t len, cap;
} buf_t;

static int buf_write(void *ud, const char *d, size_t n)
{
    buf_t *b = ud;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n) {
            cap *= 2;
        }
        uint8_t *p = realloc(b->p, cap);
        if (p == NULL) {
            abort();
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, d, n);
    b->len += n;
    return 0;
}

static uint32_t next(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Decodes <in> in pieces (seed 0: whole); returns the result code. */
static int decode(int declared, const uint8_t *in, size_t n, uint32_t seed, buf_t *out,
                  veil_charset_decoder_t *d)
{
    memset(d, 0, sizeof(*d));
    d->declared = (uint8_t)declared;
    size_t i = 0;
    while (i < n) {
        size_t k = seed ? 1 + next(&seed) % 7 : n;
        if (k > n - i) {
            k = n - i;
        }
        int rc = veil_charset_decode(d, in + i, k, buf_write, out);
        if (rc != 0) {
            return rc;
        }
        i += k;
    }
    return veil_charset_decode_finish(d, buf_write, out);
}

static void encode(const veil_charset_decoder_t *d, const uint8_t *in, size_t n, uint32_t seed,
                   buf_t *out)
{
    veil_charset_encoder_t e;
    veil_charset_encoder_init(&e, d);
    size_t i = 0;
    while (i < n) {
        size_t k = seed ? 1 + next(&seed) % 5 : n;
        if (k > n - i) {
            k = n - i;
        }
        if (veil_charset_encode(&e, in + i, k, buf_write, out) != 0) {
            abort();
        }
        i += k;
    }
    if (veil_charset_encode_finish(&e, buf_write, out) != 0) {
        abort();
    }
}

/* Well-formed UTF-8 (the Unicode Standard, Table 3-7), written apart from
   the library's decoder. */
static int utf8_ok(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        size_t len;
        uint8_t lo = 0x80, hi = 0xbf;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xc2 && c <= 0xdf) {
            len = 2;
        } else if (c >= 0xe0 && c <= 0xef) {
            len = 3;
            lo = c == 0xe0 ? 0xa0 : 0x80;
            hi = c == 0xed ? 0x9f : 0xbf;
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
            lo = c == 0xf0 ? 0x90 : 0x80;
            hi = c == 0xf4 ? 0x8f : 0xbf;
        } else {
            return 0;
        }
        if (n - i < len || s[i + 1] < lo || s[i + 1] > hi) {
            return 0;
        }
        for (size_t k = 2; k < len; k++) {
            if (s[i + k] < 0x80 || s[i + k] > 0xbf) {
                return 0;
            }
        }
        i += len;
    }
    return 1;
}

static int starts_with_bom(const uint8_t *p, size_t n)
{
    return (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) ||
           (n >= 2 && p[0] == 0xff && p[1] == 0xfe) || (n >= 2 && p[0] == 0xfe && p[1] == 0xff) ||
           (n >= 4 && p[0] == 0 && p[1] == 0 && p[2] == 0xfe && p[3] == 0xff);
}

static void same(const buf_t *a, const buf_t *b)
{
    if (a->len != b->len || (a->len && memcmp(a->p, b->p, a->len) != 0)) {
        abort();
    }
}

static int declared_of_form(int form)
{
    switch (form) {
    case VEIL_FORM_UTF16LE:
        return VEIL_CS_UTF16LE;
    case VEIL_FORM_UTF16BE:
        return VEIL_CS_UTF16BE;
    case VEIL_FORM_UTF32LE:
        return VEIL_CS_UTF32LE;
    default:
        return VEIL_CS_UTF32BE;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    buf_t whole = {0}, split = {0}, back = {0}, again = {0}, e1 = {0}, e2 = {0}, rt = {0};
    veil_charset_decoder_t d1, d2, d3;

    if (size < 2) {
        return 0;
    }
    int declared = data[0] % (VEIL_CS_UNKNOWN + 1);
    uint32_t seed = data[1] | 0x100u;
    const uint8_t *in = data + 2;
    size_t n = size - 2;

    int rc1 = decode(declared, in, n, 0, &whole, &d1);
    int rc2 = decode(declared, in, n, seed, &split, &d2);
    if (rc1 != rc2 || d1.form != d2.form) {
        abort();
    }
    same(&whole, &split);
    if (rc1 == VEIL_CHARSET_CONFLICT) {
        if (whole.len != 0 || d1.form != VEIL_FORM_CONFLICT) {
            abort();
        }
    } else if (rc1 != 0) {
        abort();
    } else if (veil_charset_transcodes(&d1)) {
        if (!utf8_ok(whole.p, whole.len)) {
            abort();
        }
        /* Back, and read again as the byte order found. */
        encode(&d1, whole.p, whole.len, 0, &back);
        if (decode(declared_of_form(d1.form), back.p, back.len, 0, &again, &d3) != 0) {
            abort();
        }
        same(&whole, &again);
    } else {
        /* Passed through. */
        if (d1.form != VEIL_FORM_PASS || whole.len != n || (n && memcmp(whole.p, in, n) != 0)) {
            abort();
        }
    }

    /* The encoder on the raw input, as UTF-8, to each form. */
    memset(&d3, 0, sizeof(d3));
    d3.form = (uint8_t)(VEIL_FORM_UTF16LE + data[0] % 4);
    d3.bom = data[1] & 1;
    encode(&d3, in, n, 0, &e1);
    encode(&d3, in, n, seed, &e2);
    same(&e1, &e2);
    /* Read back as utf-16/utf-32 (the BOM says the order) or as the
       order itself. */
    int wide = d3.form == VEIL_FORM_UTF32LE || d3.form == VEIL_FORM_UTF32BE;
    int back_cs = d3.bom ? (wide ? VEIL_CS_UTF32 : VEIL_CS_UTF16) : declared_of_form(d3.form);
    int rc3 = decode(back_cs, e1.p, e1.len, seed, &rt, &d2);
    if (rc3 == VEIL_CHARSET_CONFLICT && starts_with_bom(e1.p, e1.len)) {
        /* Text that starts with U+FFFE, or whose first bytes spell another
           byte order mark (U+BBEF then U+xxBF in UTF-16LE is EF BB BF):
           a receiver that sniffs BOMs would read it otherwise, so it is
           refused, as the decoder says. */
        goto parser;
    }
    if (rc3 != 0) {
        abort();
    }
    if (!utf8_ok(rt.p, rt.len)) {
        abort();
    }
    /* Well-formed UTF-8 comes back as it was (but a leading U+FEFF reads
       as a byte order mark, and is not passed on). */
    if (utf8_ok(in, n) && !(n >= 3 && in[0] == 0xef && in[1] == 0xbb && in[2] == 0xbf)) {
        buf_t orig = {(uint8_t *)in, n, n};
        same(&orig, &rt);
    }

parser:
    /* The Content-Type parser on the same bytes. */
    if (veil_charset_from_content_type((const char *)in, n) > VEIL_CS_UNKNOWN) {
        abort();
    }

    free(whole.p);
    free(split.p);
    free(back.p);
    free(again.p);
    free(e1.p);
    free(e2.p);
    free(rt.p);
    return 0;
}
