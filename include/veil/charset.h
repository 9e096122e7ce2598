/*
 * Character encodings of bodies: which charset a Content-Type declares,
 * and a streaming transcoder from UTF-16 and UTF-32 (either byte order) to
 * UTF-8 for inspection, with its way back for bodies rewritten in transit.
 *
 * The detection engine reads bytes as UTF-8 (or any encoding in which an
 * ASCII character is its own byte). A body in UTF-16 puts a NUL between
 * the letters of "jane@example.com" and hides it; such a body is decoded
 * to UTF-8 before the engine reads it. Encodings whose ASCII characters
 * are their own bytes pass through untouched.
 *
 * Which encoding (docs/operations.md, "Character encodings"):
 *   - a declared charset decides; a byte order mark that says otherwise
 *     (a UTF-16 BOM under charset=utf-8, a big-endian BOM under
 *     charset=utf-16le) makes the body undecodable: a receiver may follow
 *     either, so veil cannot know what it reads (fail closed), even when
 *     those bytes would be text in the declared encoding (U+FFFE; U+BBEF
 *     and U+xxBF in UTF-16LE spell the UTF-8 BOM);
 *   - utf-16 and utf-32 without a byte order: the BOM, else the NUL
 *     pattern of the first four bytes (RFC 4627 section 3), else big
 *     endian (RFC 2781 section 4.3; Unicode 15, section 3.10 D98-D101);
 *   - nothing declared: a BOM (UTF-32 before UTF-16: FF FE 00 00 is
 *     UTF-32LE), else the RFC 4627 NUL pattern, else the bytes pass
 *     through as they are (UTF-8 and the like).
 * A BOM that decided or matched the encoding is not passed on (and is
 * written back by the encoder). Ill-formed input (an odd byte at the end,
 * an unpaired surrogate, a UTF-32 value above U+10FFFF or a surrogate)
 * decodes to U+FFFD.
 */
#ifndef VEIL_CHARSET_H
#define VEIL_CHARSET_H

#include <stddef.h>
#include <stdint.h>

typedef enum veil_charset {
    VEIL_CS_NONE = 0, /* no charset declared */
    VEIL_CS_ASCII,    /* declared; every ASCII character is its own
                              byte (UTF-8, US-ASCII, ISO-8859-*, windows-125x,
                              ...): passed through */
    VEIL_CS_UTF16,    /* utf-16, no byte order given */
    VEIL_CS_UTF16LE,
    VEIL_CS_UTF16BE,
    VEIL_CS_UTF32, /* utf-32, no byte order given */
    VEIL_CS_UTF32LE,
    VEIL_CS_UTF32BE,
    VEIL_CS_UNKNOWN, /* declared, and veil cannot decode it (UTF-7,
                              EBCDIC, ISO-2022-*, an unknown name, two
                              different charset parameters) */
} veil_charset_t;

/*
 * veil_charset_lookup(): the charset named <name> (<len> bytes, any case):
 * one of the UTF-16/32 forms, VEIL_CS_ASCII for the encodings in which an
 * ASCII character is its own byte, VEIL_CS_UNKNOWN for anything else.
 */
veil_charset_t veil_charset_lookup(const char *name, size_t len);

/*
 * veil_charset_from_content_type(): the charset parameter of the
 * Content-Type value <ct> (RFC 9110 5.6.6: parameter names any case,
 * values a token or a quoted-string, whitespace around ';' and '='),
 * looked up as above; VEIL_CS_NONE without one. <ct> may be NULL.
 */
veil_charset_t veil_charset_from_content_type(const char *ct, size_t len);

/* What a decoder found the bytes to be. */
typedef enum veil_charset_form {
    VEIL_FORM_UNDECIDED = 0,
    VEIL_FORM_PASS, /* passed through as they are */
    VEIL_FORM_UTF16LE,
    VEIL_FORM_UTF16BE,
    VEIL_FORM_UTF32LE,
    VEIL_FORM_UTF32BE,
    VEIL_FORM_CONFLICT, /* a BOM contradicts the declared charset */
} veil_charset_form_t;

/* Where output goes; non-zero stops the call (it returns that value). */
typedef int (*veil_charset_write_cb)(void *ud, const char *data, size_t len);

/*
 * A streaming decoder. Zero-filled it is a decoder for a body with no
 * declared charset; set <declared> before the first feed otherwise. Any
 * split of the input gives the same output bytes.
 */
typedef struct veil_charset_decoder {
    uint8_t declared; /* veil_charset_t */
    uint8_t form;     /* veil_charset_form_t, decided by the first
                              bytes (at most four are held for it) */
    uint8_t bom;      /* a BOM was read and not passed on */
    uint8_t nhead;    /* first bytes held until the form is known */
    uint8_t head[4];
    uint8_t npend; /* bytes of the code unit being read */
    uint8_t pend[4];
    uint16_t high; /* a high surrogate awaiting its low one, or 0 */
} veil_charset_decoder_t;

/*
 * veil_charset_decode(): decodes the next <len> bytes, writing UTF-8 (or
 * the bytes themselves, VEIL_FORM_PASS) through <write>. Returns 0, the
 * callback's non-zero value, or VEIL_CHARSET_CONFLICT when the form is
 * VEIL_FORM_CONFLICT (nothing is written then, now or later).
 * veil_charset_decode_finish(): the input ended: decides the form if it
 * is not yet known, and writes U+FFFD for an incomplete last unit.
 */
#define VEIL_CHARSET_CONFLICT (-2)
int veil_charset_decode(veil_charset_decoder_t *d, const void *in, size_t len,
                        veil_charset_write_cb write, void *ud);
int veil_charset_decode_finish(veil_charset_decoder_t *d, veil_charset_write_cb write, void *ud);

/* veil_charset_transcodes(): 1 when the decoder's output differs from its
   input (UTF-16 or UTF-32 was decoded). */
int veil_charset_transcodes(const veil_charset_decoder_t *d);

/*
 * The way back: UTF-8 to the form a decoder found, with the BOM it read.
 * Zero-filled it passes bytes through; veil_charset_encoder_init() sets it
 * from a decoder. Ill-formed UTF-8 becomes U+FFFD, one per maximal
 * subpart (Unicode 15, section 3.9 U+FFFD substitution). Any split of the
 * input gives the same output.
 */
typedef struct veil_charset_encoder {
    uint8_t form;  /* veil_charset_form_t */
    uint8_t bom;   /* write a BOM before the first output */
    uint8_t npend; /* bytes of an incomplete UTF-8 sequence */
    uint8_t pend[4];
} veil_charset_encoder_t;

void veil_charset_encoder_init(veil_charset_encoder_t *e, const veil_charset_decoder_t *d);
int veil_charset_encode(veil_charset_encoder_t *e, const void *utf8, size_t len,
                        veil_charset_write_cb write, void *ud);
int veil_charset_encode_finish(veil_charset_encoder_t *e, veil_charset_write_cb write, void *ud);

#endif
