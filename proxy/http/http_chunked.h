/*
 * Chunked transfer-coding framing validator (RFC 9112 7.1), incremental.
 *
 * veil checks chunked framing itself rather than trusting llhttp 8.1.0:
 * the body bytes of a chunked message are fed here first, in slices of any
 * size, and only the bytes this validator accepted are passed on (to llhttp
 * and to the other side). It does not decode: the bytes are left as they
 * are, and veil_chunked_feed() tells the caller where the message ends, so
 * bytes after it (a pipelined request) are never treated as body.
 *
 * Grammar enforced (strict):
 *   chunk       = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 *   chunk-size  = 1*16HEXDIG, value <= INT64_MAX
 *   chunk-ext   = *( BWS ";" BWS token [ BWS "=" BWS ( token / quoted-string ) ] )
 *                 at most max_ext_bytes per chunk line; whitespace is only
 *                 allowed where BWS is ("5 \r\n" is rejected)
 *   last-chunk  = 1*16"0" [ chunk-ext ] CRLF, then the trailer section:
 *                 field lines with header syntax (token name, no whitespace
 *                 before ':', no obs-fold, no controls in values), at most
 *                 max_trailer_bytes and max_trailers, no Content-Length,
 *                 Transfer-Encoding or Host; then the final CRLF.
 *   Everywhere: NUL, bare LF and CR not followed by LF are rejected.
 */
#ifndef VEIL_PROXY_HTTP_CHUNKED_H
#define VEIL_PROXY_HTTP_CHUNKED_H

#include <stddef.h>
#include <stdint.h>

#include "http_validate.h"

#define VEIL_CHUNKED_DEFAULT_MAX_EXT_BYTES 256
#define VEIL_CHUNKED_DEFAULT_MAX_TRAILER_BYTES (8 * 1024)
#define VEIL_CHUNKED_DEFAULT_MAX_TRAILERS 32

/* Zero fields mean the defaults above. */
typedef struct veil_chunked_limits {
    size_t max_ext_bytes;     /* chunk-ext bytes per chunk line */
    size_t max_trailer_bytes; /* whole trailer section incl. final CRLF */
    size_t max_trailers;      /* trailer field lines */
} veil_chunked_limits_t;

/*
 * Decoder state: valid when zero-filled (set is_response and limits after
 * zeroing if needed). One per chunked message; zero it again for the next.
 */
typedef struct veil_chunked {
    int is_response;              /* in: errors are 400 (0) or 502 (1) */
    veil_chunked_limits_t limits; /* in: zero = defaults */
    /* internal */
    int state;
    uint64_t size; /* chunk-size being read / data left */
    unsigned digits;
    size_t ext_bytes;
    size_t trailer_bytes;
    size_t trailers;
    size_t name_len;     /* trailer field name length so far */
    char name[20];       /* lower-cased start of the trailer name */
    int done;            /* the message has ended */
    const char *error;   /* reason id once failed (sticky) */
    uint64_t data_bytes; /* total chunk-data bytes seen (stats) */
} veil_chunked_t;

/* veil_chunked_feed() results. */
#define VEIL_CHUNKED_ERROR (-1)
#define VEIL_CHUNKED_AGAIN 0
#define VEIL_CHUNKED_DONE 1

/*
 * Validates buf[0..len), the next body bytes of the message.
 * *consumed is set to how many of these bytes belong to the body.
 * Returns VEIL_CHUNKED_AGAIN (all len bytes consumed, the message goes on),
 * VEIL_CHUNKED_DONE (the message ended after *consumed bytes, the rest of
 * buf belongs to the next message; later calls return DONE and consume 0),
 * or VEIL_CHUNKED_ERROR with v filled (400 requests / 502 responses;
 * *consumed = offset of the offending byte). After an error every later
 * call fails again with the same verdict. v may be NULL.
 */
int veil_chunked_feed(veil_chunked_t *c, const char *buf, size_t len, size_t *consumed,
                      veil_h1_verdict_t *v);

#endif
