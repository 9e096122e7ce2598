/*
 * Chunked framing validator (see http_chunked.h for the grammar and the
 * contract). A byte-at-a-time state machine, so any split of the input
 * gives the same result; chunk-data is skipped in bulk.
 */
#include "http_chunked.h"

#include <string.h>

enum {
    S_SIZE = 0,       /* first chunk-size digit (zero state) */
    S_SIZE_DIGITS,    /* more digits, or ';', BWS or CR */
    S_EXT_BWS,        /* BWS after the size or a value: only ';' may follow */
    S_EXT_NAME_BWS,   /* after ';': BWS, then the first name char */
    S_EXT_NAME,       /* in a chunk-ext-name */
    S_EXT_NAME_END,   /* BWS after a name: '=' or ';' */
    S_EXT_VAL_BWS,    /* after '=': BWS, then token or '"' */
    S_EXT_VAL,        /* in a token value */
    S_EXT_QUOTED,     /* in a quoted-string */
    S_EXT_QUOTED_ESC, /* after '\' */
    S_EXT_QUOTED_END, /* after the closing '"': ';', BWS or CR */
    S_SIZE_LF,        /* CR seen at the end of a chunk line */
    S_DATA,           /* chunk-data */
    S_DATA_CR,        /* CR after the data */
    S_DATA_LF,        /* LF after the data */
    S_TRAILER_START,  /* start of a trailer line or the final CRLF */
    S_TRAILER_NAME,
    S_TRAILER_VALUE,
    S_TRAILER_LF,
    S_FINAL_LF,
    S_DONE,
    S_ERROR
};

static int ck_is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        return 1;
    }
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int ck_hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

static int ck_is_ws(unsigned char c)
{
    return c == ' ' || c == '\t';
}

static int ck_fail(veil_chunked_t *c, veil_h1_verdict_t *v, size_t at, size_t *consumed,
                   const char *reason)
{
    c->state = S_ERROR;
    c->error = reason;
    *consumed = at;
    if (v != NULL) {
        v->status = c->is_response ? 502 : 400;
        v->reason = reason;
    }
    return VEIL_CHUNKED_ERROR;
}

/* Trailer fields that would change the framing or routing after the fact. */
static int forbidden_trailer(const veil_chunked_t *c)
{
    static const char *const names[] = {"content-length", "transfer-encoding", "host"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        size_t n = strlen(names[i]);
        if (c->name_len == n && memcmp(c->name, names[i], n) == 0) {
            return 1;
        }
    }
    return 0;
}

int veil_chunked_feed(veil_chunked_t *c, const char *buf, size_t len, size_t *consumed,
                      veil_h1_verdict_t *v)
{
    size_t max_ext =
        c->limits.max_ext_bytes ? c->limits.max_ext_bytes : VEIL_CHUNKED_DEFAULT_MAX_EXT_BYTES;
    size_t max_tb = c->limits.max_trailer_bytes ? c->limits.max_trailer_bytes
                                                : VEIL_CHUNKED_DEFAULT_MAX_TRAILER_BYTES;
    size_t max_tn =
        c->limits.max_trailers ? c->limits.max_trailers : VEIL_CHUNKED_DEFAULT_MAX_TRAILERS;
    size_t i = 0;

    if (c->state == S_ERROR) {
        return ck_fail(c, v, 0, consumed, c->error);
    }
    if (c->state == S_DONE) {
        *consumed = 0;
        return VEIL_CHUNKED_DONE;
    }
    while (i < len) {
        if (c->state == S_DATA) {
            size_t n = len - i;
            if ((uint64_t)n > c->size) {
                n = (size_t)c->size;
            }
            c->size -= n;
            c->data_bytes += n;
            i += n;
            if (c->size == 0) {
                c->state = S_DATA_CR;
            }
            continue;
        }
        unsigned char ch = (unsigned char)buf[i];
        if (ch == '\0') {
            return ck_fail(c, v, i, consumed, "nul");
        }
        if (ch == '\n' && c->state != S_SIZE_LF && c->state != S_DATA_LF &&
            c->state != S_TRAILER_LF && c->state != S_FINAL_LF) {
            return ck_fail(c, v, i, consumed, "bare_lf");
        }
        /* Bytes of the chunk line after the size count towards the ext cap. */
        if (c->state >= S_EXT_BWS && c->state <= S_EXT_QUOTED_END) {
            if (ch != '\r' && ++c->ext_bytes > max_ext) {
                return ck_fail(c, v, i, consumed, "chunk_ext_too_long");
            }
        }
        if (c->state >= S_TRAILER_START && c->state <= S_FINAL_LF) {
            if (++c->trailer_bytes > max_tb) {
                return ck_fail(c, v, i, consumed, "trailer_too_large");
            }
        }
        switch (c->state) {
        case S_SIZE: {
            int h = ck_hex_value(ch);
            if (h < 0) {
                return ck_fail(c, v, i, consumed,
                               (ch == '\r' || ch == ';' || ck_is_ws(ch)) ? "chunk_size_missing"
                                                                         : "chunk_size_invalid");
            }
            c->size = (uint64_t)h;
            c->digits = 1;
            c->ext_bytes = 0;
            c->state = S_SIZE_DIGITS;
            break;
        }
        case S_SIZE_DIGITS: {
            int h = ck_hex_value(ch);
            if (h >= 0) {
                if (++c->digits > 16) {
                    return ck_fail(c, v, i, consumed, "chunk_size_overflow");
                }
                c->size = c->size * 16 + (uint64_t)h;
                if (c->size > (uint64_t)INT64_MAX) {
                    return ck_fail(c, v, i, consumed, "chunk_size_overflow");
                }
            } else if (ch == '\r') {
                c->state = S_SIZE_LF;
            } else if (ch == ';') {
                c->ext_bytes = 1;
                c->state = S_EXT_NAME_BWS;
            } else if (ck_is_ws(ch)) {
                c->ext_bytes = 1;
                c->state = S_EXT_BWS;
            } else {
                return ck_fail(c, v, i, consumed, "chunk_size_invalid");
            }
            break;
        }
        case S_EXT_BWS:
            if (ch == ';') {
                c->state = S_EXT_NAME_BWS;
            } else if (!ck_is_ws(ch)) {
                /* "5 \r\n" or "5 x": whitespace is only allowed before ';'. */
                return ck_fail(c, v, i, consumed, "chunk_ext_malformed");
            }
            break;
        case S_EXT_NAME_BWS:
            if (ck_is_tchar(ch)) {
                c->state = S_EXT_NAME;
            } else if (!ck_is_ws(ch)) {
                return ck_fail(c, v, i, consumed, "chunk_ext_malformed");
            }
            break;
        case S_EXT_NAME:
            if (ch == '\r') {
                c->state = S_SIZE_LF;
            } else if (ch == ';') {
                c->state = S_EXT_NAME_BWS;
            } else if (ch == '=') {
                c->state = S_EXT_VAL_BWS;
            } else if (ck_is_ws(ch)) {
                c->state = S_EXT_NAME_END;
            } else if (!ck_is_tchar(ch)) {
                return ck_fail(c, v, i, consumed, "chunk_ext_malformed");
            }
            break;
        case S_EXT_NAME_END:
            if (ch == ';') {
                c->state = S_EXT_NAME_BWS;
            } else if (ch == '=') {
                c->state = S_EXT_VAL_BWS;
            } else if (!ck_is_ws(ch)) {
                return ck_fail(c, v, i, consumed, "chunk_ext_malformed");
            }
            break;
        case S_EXT_VAL_BWS:
            if (ch == '"') {
                c->state = S_EXT_QUOTED;
            } else if (ck_is_tchar(ch)) {
                c->state = S_EXT_VAL;
            } else if (!ck_is_ws(ch)) {
                return ck_fail(c, v, i, consumed, "chunk_ext_malformed");
            }
            break;
        case S_EXT_VAL:
            if (ch == '\r') {
                c->state = S_SIZE_LF;
            } else if (ch == ';') {
                c->state = S_EXT_NAME_BWS;
            } else if (ck_is_ws(ch)) {
                c->state = S_EXT_BWS;
            } else if (!ck_is_tchar(ch)) {
                return ck_fail(c, v, i, consumed, "chunk_ext_malformed");
            }
            break;
        case S_EXT_QUOTED:
            if (ch == '"') {
                c->state = S_EXT_QUOTED_END;
            } else if (ch == '\\') {
                c->state = S_EXT_QUOTED_ESC;
            } else if (!(ck_is_ws(ch) || (ch >= 0x21 && ch != 0x7f))) {
                return ck_fail(c, v, i, consumed, "chunk_ext_malformed");
            }
            break;
        case S_EXT_QUOTED_ESC:
            if (!(ck_is_ws(ch) || (ch >= 0x21 && ch != 0x7f))) {
                return ck_fail(c, v, i, consumed, "chunk_ext_malformed");
            }
            c->state = S_EXT_QUOTED;
            break;
        case S_EXT_QUOTED_END:
            if (ch == '\r') {
                c->state = S_SIZE_LF;
            } else if (ch == ';') {
                c->state = S_EXT_NAME_BWS;
            } else if (ck_is_ws(ch)) {
                c->state = S_EXT_BWS;
            } else {
                return ck_fail(c, v, i, consumed, "chunk_ext_malformed");
            }
            break;
        case S_SIZE_LF:
            if (ch != '\n') {
                return ck_fail(c, v, i, consumed, "bare_cr");
            }
            if (c->size == 0) {
                c->state = S_TRAILER_START;
            } else {
                c->state = S_DATA;
            }
            break;
        case S_DATA_CR:
            if (ch != '\r') {
                return ck_fail(c, v, i, consumed, "chunk_data_crlf");
            }
            c->state = S_DATA_LF;
            break;
        case S_DATA_LF:
            if (ch != '\n') {
                return ck_fail(c, v, i, consumed, "bare_cr");
            }
            c->state = S_SIZE;
            break;
        case S_TRAILER_START:
            if (ch == '\r') {
                c->state = S_FINAL_LF;
            } else if (ck_is_ws(ch)) {
                return ck_fail(c, v, i, consumed, "trailer_obs_fold");
            } else if (ch == ':') {
                return ck_fail(c, v, i, consumed, "trailer_empty_name");
            } else if (!ck_is_tchar(ch)) {
                return ck_fail(c, v, i, consumed, "trailer_bad_name");
            } else {
                if (++c->trailers > max_tn) {
                    return ck_fail(c, v, i, consumed, "too_many_trailers");
                }
                c->name[0] = (char)((ch >= 'A' && ch <= 'Z') ? ch + 32 : ch);
                c->name_len = 1;
                c->state = S_TRAILER_NAME;
            }
            break;
        case S_TRAILER_NAME:
            if (ch == ':') {
                if (forbidden_trailer(c)) {
                    return ck_fail(c, v, i, consumed, "trailer_forbidden_field");
                }
                c->state = S_TRAILER_VALUE;
            } else if (ck_is_tchar(ch)) {
                if (c->name_len < sizeof(c->name)) {
                    c->name[c->name_len] = (char)((ch >= 'A' && ch <= 'Z') ? ch + 32 : ch);
                }
                c->name_len++;
            } else if (ck_is_ws(ch)) {
                return ck_fail(c, v, i, consumed, "trailer_space_before_colon");
            } else if (ch == '\r') {
                return ck_fail(c, v, i, consumed, "trailer_missing_colon");
            } else {
                return ck_fail(c, v, i, consumed, "trailer_bad_name");
            }
            break;
        case S_TRAILER_VALUE:
            if (ch == '\r') {
                c->state = S_TRAILER_LF;
            } else if (!(ck_is_ws(ch) || (ch >= 0x21 && ch != 0x7f))) {
                return ck_fail(c, v, i, consumed, "trailer_bad_value");
            }
            break;
        case S_TRAILER_LF:
            if (ch != '\n') {
                return ck_fail(c, v, i, consumed, "bare_cr");
            }
            c->state = S_TRAILER_START;
            break;
        case S_FINAL_LF:
            if (ch != '\n') {
                return ck_fail(c, v, i, consumed, "bare_cr");
            }
            c->state = S_DONE;
            *consumed = i + 1;
            return VEIL_CHUNKED_DONE;
        default:
            return ck_fail(c, v, i, consumed, "internal");
        }
        i++;
    }
    *consumed = len;
    return VEIL_CHUNKED_AGAIN;
}
