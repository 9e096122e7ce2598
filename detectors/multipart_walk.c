/*
 * An incremental walker for multipart bodies (RFC 2046 section 5.1,
 * multipart/form-data as RFC 7578 has it). The boundary comes from the
 * Content-Type; each part is read by its own headers:
 *   - Content-Disposition name= (quoted-string or token) and name*=
 *     (RFC 5987/2231 ext-value, percent-decoded) name the part: a part is
 *     judged by every name it carries, so a field rule or a sensitive key
 *     for any of them applies (an upstream may read either);
 *   - the part's Content-Type picks its walker: none or text/ is one value
 *     under the part's name (a "password" part is redacted whole), JSON,
 *     form-urlencoded and XML parts are walked as such (paths under the
 *     part's name: $.meta.email), a part whose name is a sensitive key is
 *     one value whatever its type;
 *   - a part of a binary type (a file) or with a Content-Transfer-Encoding
 *     other than 7bit/8bit/binary (deprecated by RFC 7578 section 4.7) is
 *     not inspected: it is counted (veil_scanner_skipped()) and reported
 *     to a redactor, which writes a marker in its place in a log.
 * The header block of each part, the preamble and the epilogue are scanned
 * as text with no key (a file name can be a person's).
 *
 * A delimiter is "--boundary" at the start of a line (after CRLF, or a
 * bare LF: legitimate content never holds the boundary at a line start,
 * it is chosen so); the line break before it belongs to it. Anything
 * after the boundary on its line is transport padding (scanned as text).
 * The boundary is found with memmem over each chunk; a delimiter cut by a
 * chunk boundary is held (at most its length) until the next chunk says.
 * A part header block longer than VEIL__MP_HDR_MAX is not read: the part
 * is skipped (reason "headers") and its header bytes scanned as text.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scanner.h"

#define VEIL__MP_HDR_MAX 8192
#define SNIFF_MAX 128 /* the first line, when the boundary is taken from it */

enum {
    M_SNIFF,
    M_CONTENT,
    M_AFTER,
    M_DASH,
    M_PAD,
    M_HEADERS,
    M_TEXT
};
/* What the bytes of the current part (or preamble) are. */
enum {
    K_NONE,
    K_VALUE,
    K_JSON,
    K_FORM,
    K_XML,
    K_SKIP
};
/* A part's media type, as far as the walkers go. */
enum {
    T_TEXT,
    T_JSON,
    T_FORM,
    T_XML,
    T_BINARY
};

#define NAMES 3 /* name=, name*= and a later name= that differs */

struct veil__mp {
    int state;
    int kind;
    int aside;                         /* a value of text outside the parts
                                          (preamble, padding, epilogue) */
    uint64_t aside_last;               /* raw end of its last byte */
    uint8_t dlen;                      /* of delim */
    char delim[3 + VEIL_BOUNDARY_MAX]; /* "\n--" boundary */
    /* A delimiter maybe begun at the end of what was read: a CR (cr) and
       the first m bytes of delim (the first of them not in the input at
       the body's start: virt), from raw offset held_raw on. */
    uint8_t cr, m, virt;
    uint64_t held_raw;
    uint64_t skip_from; /* a skipped part: what is not reported yet */
    /* The current part's names: name=, name*=, a later name=. */
    char names[NAMES][VEIL__KEY_MAX];
    uint8_t name_len[NAMES]; /* VEIL__KEY_MAX: maybe cut */
    int type;                /* T_*: the first Content-Type's */
    int binary;              /* some Content-Type is binary */
    int encoded;             /* a Content-Transfer-Encoding */
    /* The header block being read. */
    size_t hlen, line_start;
    uint64_t hdr_raw;
    char hdr[VEIL__MP_HDR_MAX];
};

static int lc_eq(const char *a, size_t n, const char *lc)
{
    return strlen(lc) == n && strncasecmp(a, lc, n) == 0;
}

static int lc_prefix(const char *a, size_t n, const char *lc)
{
    size_t l = strlen(lc);
    return n >= l && strncasecmp(a, lc, l) == 0;
}

static int lc_suffix(const char *a, size_t n, const char *lc)
{
    size_t l = strlen(lc);
    return n >= l && strncasecmp(a + n - l, lc, l) == 0;
}

/* The walker for a part of media type <v> (parameters and all). */
static int part_type(const char *v, size_t n)
{
    size_t e = 0;
    while (e < n && v[e] != ';') {
        e++;
    }
    while (e > 0 && (v[e - 1] == ' ' || v[e - 1] == '\t')) {
        e--;
    }
    n = e;
    if (n == 0) {
        return T_TEXT; /* RFC 7578 section 4.4: text/plain by default */
    }
    if (lc_eq(v, n, "application/json") || lc_eq(v, n, "text/json") ||
        lc_eq(v, n, "application/x-ndjson") || lc_eq(v, n, "application/jsonl") ||
        lc_suffix(v, n, "+json")) {
        return T_JSON;
    }
    if (lc_eq(v, n, "application/x-www-form-urlencoded")) {
        return T_FORM;
    }
    if (lc_eq(v, n, "application/xml") || lc_eq(v, n, "text/xml") || lc_suffix(v, n, "+xml")) {
        return T_XML;
    }
    /* A multipart part (RFC 7578 section 4.3 forbids them: files under one
       name) is binary here: its own boundary is not followed, and its
       files would be read as text. */
    if (lc_prefix(v, n, "text/") || lc_prefix(v, n, "message/") ||
        lc_eq(v, n, "application/javascript") || lc_eq(v, n, "application/graphql") ||
        lc_eq(v, n, "application/csv") || lc_eq(v, n, "application/yaml") ||
        lc_eq(v, n, "application/x-yaml")) {
        return T_TEXT;
    }
    return T_BINARY;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Keeps a name's first 64 bytes, as the JSON walker keeps keys (a name
   that long is no place a field rule can name). */
static void name_keep(struct veil__mp *mp, int slot, const char *v, size_t n)
{
    size_t keep = n < VEIL__KEY_MAX ? n : VEIL__KEY_MAX;
    memcpy(mp->names[slot], v, keep);
    mp->name_len[slot] = (uint8_t)keep;
}

/* A parameter of Content-Disposition. <v> is unquoted already. */
static void disposition_param(struct veil__mp *mp, const char *pn, size_t pl, char *v, size_t n)
{
    if (lc_eq(pn, pl, "name")) {
        if (mp->name_len[0] == 0) {
            name_keep(mp, 0, v, n);
        } else if (mp->name_len[0] != n || memcmp(mp->names[0], v, n) != 0) {
            name_keep(mp, 2, v, n);
        }
    } else if (lc_eq(pn, pl, "name*")) {
        /* RFC 5987: charset'language'percent-encoded */
        const char *q1 = memchr(v, '\'', n);
        const char *q2 = q1 ? memchr(q1 + 1, '\'', n - (size_t)(q1 + 1 - v)) : NULL;
        size_t at = q2 ? (size_t)(q2 + 1 - v) : 0, o = 0;
        for (size_t k = at; k < n; k++) {
            int h1, h2;
            if (v[k] == '%' && k + 2 < n && (h1 = hexval((unsigned char)v[k + 1])) >= 0 &&
                (h2 = hexval((unsigned char)v[k + 2])) >= 0) {
                v[o++] = (char)(h1 << 4 | h2);
                k += 2;
            } else {
                v[o++] = v[k];
            }
        }
        name_keep(mp, 1, v, o);
    }
}

/* Content-Disposition: form-data; name="x"; filename="y". The value is
   unquoted in place (its bytes were scanned already). */
static void disposition(struct veil__mp *mp, char *v, size_t n)
{
    size_t i = 0;
    while (i < n && v[i] != ';') {
        i++;
    }
    while (i < n) {
        i++; /* the ';' */
        while (i < n && (v[i] == ' ' || v[i] == '\t')) {
            i++;
        }
        size_t ns = i;
        while (i < n && v[i] != '=' && v[i] != ';') {
            i++;
        }
        size_t ne = i;
        while (ne > ns && (v[ne - 1] == ' ' || v[ne - 1] == '\t')) {
            ne--;
        }
        if (i == n || v[i] == ';') {
            continue;
        }
        i++;
        while (i < n && (v[i] == ' ' || v[i] == '\t')) {
            i++;
        }
        size_t vs = i, o = i;
        if (i < n && v[i] == '"') {
            /* quoted-string; a quoted-pair is unescaped */
            for (i++; i < n && v[i] != '"'; i++) {
                if (v[i] == '\\' && i + 1 < n) {
                    i++;
                }
                v[o++] = v[i];
            }
            i += i < n;
            while (i < n && v[i] != ';') {
                i++;
            }
        } else {
            while (i < n && v[i] != ';') {
                i++;
            }
            o = i;
            while (o > vs && (v[o - 1] == ' ' || v[o - 1] == '\t')) {
                o--;
            }
        }
        disposition_param(mp, v + ns, ne - ns, v + vs, o - vs);
    }
}

/* Reads the header block in mp->hdr (scanned as text already; folded
   lines are unfolded in place). */
static void parse_headers(struct veil__mp *mp)
{
    char *h = mp->hdr;
    size_t n = mp->hlen;

    /* Folding is not allowed in multipart (RFC 7578 section 4.8) but is
       read as HTTP/1.0 did: a line that begins with space goes on the
       previous one. */
    for (size_t k = 0; k + 1 < n; k++) {
        if (h[k] == '\n' && (h[k + 1] == ' ' || h[k + 1] == '\t')) {
            h[k] = ' ';
            if (k > 0 && h[k - 1] == '\r') {
                h[k - 1] = ' ';
            }
        }
    }
    for (size_t ls = 0; ls < n;) {
        const char *nl = memchr(h + ls, '\n', n - ls);
        size_t le = nl ? (size_t)(nl - h) : n, next = nl ? le + 1 : n;
        while (le > ls && (h[le - 1] == '\r' || h[le - 1] == ' ' || h[le - 1] == '\t')) {
            le--;
        }
        const char *colon = memchr(h + ls, ':', le - ls);
        if (colon != NULL) {
            size_t ne = (size_t)(colon - h), vs = ne + 1;
            while (ne > ls && (h[ne - 1] == ' ' || h[ne - 1] == '\t')) {
                ne--;
            }
            while (vs < le && (h[vs] == ' ' || h[vs] == '\t')) {
                vs++;
            }
            const char *name = h + ls, *val = h + vs;
            size_t nl_ = ne - ls, vl = le - vs;
            if (lc_eq(name, nl_, "content-disposition")) {
                disposition(mp, h + vs, vl);
            } else if (lc_eq(name, nl_, "content-type")) {
                int t = part_type(val, vl);
                if (t == T_BINARY) {
                    mp->binary = 1;
                } else if (mp->type < 0) {
                    mp->type = t;
                }
            } else if (lc_eq(name, nl_, "content-transfer-encoding")) {
                if (!lc_eq(val, vl, "7bit") && !lc_eq(val, vl, "8bit") &&
                    !lc_eq(val, vl, "binary") && vl > 0) {
                    mp->encoded = 1;
                }
            }
        }
        ls = next;
    }
}

/* ---- parts ---- */

/* Header blocks are text under no key. */
static void text_begin(struct veil_scanner *s)
{
    veil__scan_begin(s, NULL, 0);
}

/* Text outside the parts (preamble, transport padding, epilogue, a body
   that is no multipart): a value at the root's place, opened with its
   first byte (veil__value_open_aside: a body allowlist drops it). */
static void aside_bytes(struct veil_scanner *s, const char *d, size_t n, uint64_t raw)
{
    if (n == 0) {
        return;
    }
    if (!s->mp->aside) {
        s->mp->aside = 1;
        veil__value_open_aside(s, raw);
    }
    veil__value_bytes(s, d, n, raw);
    s->mp->aside_last = raw + n;
}

/* The value ends with its last byte (not with the line break of a
   boundary's line). */
static void aside_end(struct veil_scanner *s)
{
    if (s->mp->aside) {
        s->mp->aside = 0;
        veil__value_close(s, s->mp->aside_last, 0);
    }
}

static void skip_part(struct veil_scanner *s, int reason, uint64_t raw)
{
    struct veil__mp *mp = s->mp;
    mp->kind = K_SKIP;
    mp->skip_from = raw;
    s->skip_reason = reason;
    if (s->skipped[reason] < UINT32_MAX) {
        s->skipped[reason]++;
    }
}

static int is_plain_name(const char *k, size_t n)
{
    return n == 4 && (k[0] | 0x20) == 'n' && (k[1] | 0x20) == 'a' && (k[2] | 0x20) == 'm' &&
           (k[3] | 0x20) == 'e';
}

/* The part whose headers were just read begins at raw offset <raw>. */
static void part_begin(struct veil_scanner *s, uint64_t raw)
{
    struct veil__mp *mp = s->mp;
    int slot = 0, cls = -1;

    if (mp->encoded) {
        skip_part(s, VEIL_SKIP_ENCODED, raw);
        return;
    }
    if (mp->binary) {
        skip_part(s, VEIL_SKIP_BINARY, raw);
        return;
    }
    /* The key: name=, else name*=, else the later name=. */
    while (slot < NAMES - 1 && mp->name_len[slot] == 0) {
        slot++;
    }
    const char *key = mp->names[slot];
    size_t key_len = mp->name_len[slot];
    /* A rule for any of the part's names takes the part whole. */
    if (s->field_cb != NULL) {
        for (int k = 0; k < NAMES; k++) {
            size_t n = mp->name_len[k];
            int action = n > 0 && n < VEIL__KEY_MAX
                             ? s->field_cb(s->field_ud, VEIL_PLACE_FORM, mp->names[k], n)
                             : -1;
            if (action >= 0) {
                mp->kind = K_VALUE;
                veil__value_open_rule(s, action, raw);
                return;
            }
        }
    }
    for (int k = 0; k < NAMES && cls < 0; k++) {
        if (mp->name_len[k] > 0) {
            cls = veil__key_class_cached(s, mp->names[k], mp->name_len[k]);
        }
    }
    int sensitive = cls >= 0 && !(cls == VEIL_D_PERSON_NAME && is_plain_name(key, key_len));
    int type = mp->type < 0 ? T_TEXT : mp->type;
    if (type == T_TEXT || sensitive) {
        mp->kind = K_VALUE;
        veil__value_open_class(s, cls, key, key_len, NULL, 0, 0, raw);
        return;
    }
    /* A structured part: its values under their own keys, paths under
       the part's name. */
    s->root_key = key_len > 0 ? key : NULL;
    s->root_key_len = key_len;
    if (type == T_JSON) {
        mp->kind = K_JSON;
        veil__json_begin(s);
    } else if (type == T_FORM) {
        mp->kind = K_FORM;
        s->root_key = NULL;
        veil__form_begin(s);
    } else {
        mp->kind = K_XML;
        if (veil__xml_begin(s) != 0) {
            s->error = -ENOMEM;
        }
    }
}

/* Skipped bytes are reported in pieces, so a large file does not pin the
   caller's buffer; the last piece (at the part's end) ends the marker. */
static void skip_split(struct veil_scanner *s, uint64_t raw_now)
{
    struct veil__mp *mp = s->mp;
    while (raw_now - mp->skip_from > VEIL__FIELD_SPLIT) {
        uint64_t cut = mp->skip_from + VEIL__FIELD_SPLIT;
        veil__scan_field(s, mp->skip_from, cut, VEIL__DET_SKIP, VEIL_FIND_MORE);
        mp->skip_from = cut;
    }
}

/* <n> bytes of the current part's content (or of the preamble) from raw
   offset <raw>. */
static void content(struct veil_scanner *s, const char *d, size_t n, uint64_t raw)
{
    struct veil__mp *mp = s->mp;
    if (n == 0) {
        return;
    }
    switch (mp->kind) {
    case K_NONE:
        aside_bytes(s, d, n, raw);
        break;
    case K_VALUE:
        veil__value_bytes(s, d, n, raw);
        break;
    case K_JSON:
        s->raw_pos = raw;
        veil__json_feed(s, (const unsigned char *)d, n);
        break;
    case K_FORM:
        s->raw_pos = raw;
        veil__form_feed(s, (const unsigned char *)d, n);
        break;
    case K_XML:
        s->raw_pos = raw;
        veil__xml_feed(s, (const unsigned char *)d, n);
        break;
    default: /* K_SKIP */
        if (s->report_skips) {
            skip_split(s, raw + n);
        }
        break;
    }
}

/* The current part (or the preamble) ends at raw offset <end>. */
static void part_end(struct veil_scanner *s, uint64_t end)
{
    struct veil__mp *mp = s->mp;
    switch (mp->kind) {
    case K_NONE:
        aside_end(s);
        break;
    case K_VALUE:
        veil__value_close(s, end, 0);
        break;
    case K_JSON:
        s->raw_pos = end;
        veil__json_finish(s);
        veil__scan_end(s); /* JSON that turned to text */
        veil__json_begin(s);
        break;
    case K_FORM:
        s->raw_pos = end;
        veil__form_finish(s);
        veil__form_begin(s);
        break;
    case K_XML:
        s->raw_pos = end;
        veil__xml_finish(s);
        break;
    default:
        if (s->report_skips && end > mp->skip_from) {
            veil__scan_field(s, mp->skip_from, end, VEIL__DET_SKIP, 0);
        }
        break;
    }
    s->root_key = NULL;
    s->root_key_len = 0;
    mp->kind = K_NONE;
}

/* The bytes held as a maybe-delimiter are content after all. */
static void release_held(struct veil_scanner *s)
{
    struct veil__mp *mp = s->mp;
    char b[1 + sizeof(mp->delim)];
    size_t n = 0;
    if (mp->cr) {
        b[n++] = '\r';
    }
    if (mp->m > mp->virt) {
        memcpy(b + n, mp->delim + mp->virt, (size_t)(mp->m - mp->virt));
        n += (size_t)(mp->m - mp->virt);
    }
    mp->cr = mp->m = mp->virt = 0;
    content(s, b, n, mp->held_raw);
}

/* Content begins at <raw>: a delimiter right there (an empty part) needs
   no line break before it, as at the body's start. */
static void content_start(struct veil__mp *mp, uint64_t raw)
{
    mp->state = M_CONTENT;
    mp->cr = 0;
    mp->m = 1;
    mp->virt = 1;
    mp->held_raw = raw;
}

static void headers_begin(struct veil__mp *mp, uint64_t raw)
{
    mp->state = M_HEADERS;
    mp->hlen = mp->line_start = 0;
    mp->hdr_raw = raw;
}

/* Content (of the preamble or a part) from p[i] on, looking for the
   delimiter; returns where it stopped (after a delimiter, or <len>). */
static size_t content_run(struct veil_scanner *s, const unsigned char *p, size_t i, size_t len,
                          uint64_t base)
{
    struct veil__mp *mp = s->mp;

    while (i < len) {
        if (mp->cr || mp->m) {
            /* A delimiter maybe begun before this chunk. */
            if (mp->m == 0) {
                if (p[i] == '\n') {
                    mp->m = 1;
                    i++;
                } else {
                    release_held(s);
                }
                continue;
            }
            size_t want = (size_t)(mp->dlen - mp->m), k = 0;
            while (k < want && i + k < len && p[i + k] == (unsigned char)mp->delim[mp->m + k]) {
                k++;
            }
            i += k;
            if (k == want) {
                uint64_t end = mp->held_raw;
                mp->cr = mp->m = mp->virt = 0;
                part_end(s, end);
                mp->state = M_AFTER;
                return i;
            }
            mp->m = (uint8_t)(mp->m + k);
            if (i < len) {
                release_held(s); /* p[i] is read again */
            }
            continue;
        }
        const unsigned char *hit = memmem(p + i, len - i, mp->delim, mp->dlen);
        if (hit != NULL) {
            size_t j = (size_t)(hit - p), c = j;
            if (c > i && p[c - 1] == '\r') {
                c--;
            }
            content(s, (const char *)p + i, c - i, base + i);
            part_end(s, base + c);
            mp->state = M_AFTER;
            return j + mp->dlen;
        }
        /* No whole delimiter: hold what may begin one at the end. */
        size_t from = len - i > (size_t)mp->dlen - 1 ? len - ((size_t)mp->dlen - 1) : i, t = len;
        const unsigned char *nl = memrchr(p + from, '\n', len - from);
        if (nl != NULL && memcmp(nl, mp->delim, len - (size_t)(nl - p)) == 0) {
            t = (size_t)(nl - p);
            mp->m = (uint8_t)(len - t);
            if (t > i && p[t - 1] == '\r') {
                t--;
                mp->cr = 1;
            }
        } else if (p[len - 1] == '\r') {
            t = len - 1;
            mp->cr = 1;
        }
        content(s, (const char *)p + i, t - i, base + i);
        mp->held_raw = base + t;
        return len;
    }
    return i;
}

/* The first line gives the boundary (no Content-Type): "--boundary". */
static int sniff_boundary(struct veil__mp *mp)
{
    size_t n = mp->hlen;
    while (n > 0 && (mp->hdr[n - 1] == '\n' || mp->hdr[n - 1] == '\r' || mp->hdr[n - 1] == ' ' ||
                     mp->hdr[n - 1] == '\t')) {
        n--;
    }
    if (n < 3 || n - 2 > VEIL_BOUNDARY_MAX || mp->hdr[0] != '-' || mp->hdr[1] != '-') {
        return -1;
    }
    for (size_t k = 2; k < n; k++) {
        unsigned char c = (unsigned char)mp->hdr[k];
        if (c < 0x20 || c == 0x7f) {
            return -1;
        }
    }
    memcpy(mp->delim + 3, mp->hdr + 2, n - 2);
    mp->dlen = (uint8_t)(3 + n - 2);
    return 0;
}

/* Not multipart after all: what was held, and the rest, is text. */
static void to_text(struct veil_scanner *s, uint64_t raw)
{
    struct veil__mp *mp = s->mp;
    aside_bytes(s, mp->hdr, mp->hlen, raw);
    explicit_bzero(mp->hdr, mp->hlen);
    mp->hlen = 0;
    mp->state = M_TEXT;
}

/* The header block would pass VEIL__MP_HDR_MAX: its bytes are scanned as
   text, the rest of the part is skipped. */
static void headers_overflow(struct veil_scanner *s)
{
    struct veil__mp *mp = s->mp;
    uint64_t at = mp->hdr_raw + mp->hlen;
    text_begin(s);
    veil__scan_plain(s, mp->hdr, mp->hlen, mp->hdr_raw);
    veil__scan_end(s);
    explicit_bzero(mp->hdr, mp->hlen);
    mp->hlen = 0;
    skip_part(s, VEIL_SKIP_HEADERS, at);
    content_start(mp, at);
}

static void headers_done(struct veil_scanner *s, uint64_t body_raw)
{
    struct veil__mp *mp = s->mp;
    /* The block is scanned as text first (file names are PII too), then
       read (unfolding changes it). */
    text_begin(s);
    veil__scan_plain(s, mp->hdr, mp->hlen, mp->hdr_raw);
    veil__scan_end(s);
    memset(mp->name_len, 0, sizeof(mp->name_len));
    mp->type = -1;
    mp->binary = mp->encoded = 0;
    parse_headers(mp);
    explicit_bzero(mp->hdr, mp->hlen);
    mp->hlen = 0;
    part_begin(s, body_raw);
    content_start(mp, body_raw);
}

int veil__mp_feed(struct veil_scanner *s, const unsigned char *p, size_t len)
{
    struct veil__mp *mp = s->mp;
    const uint64_t base = s->raw_pos;
    size_t i = 0;

    while (i < len && s->error == 0) {
        switch (mp->state) {
        case M_CONTENT:
            i = content_run(s, p, i, len, base);
            break;
        case M_AFTER:
            /* "--" after the boundary closes the body. */
            mp->state = p[i] == '-' ? M_DASH : M_PAD;
            i += p[i] == '-';
            break;
        case M_DASH:
            if (p[i] == '-') {
                i++;
                mp->state = M_TEXT; /* the epilogue */
            } else {
                mp->state = M_PAD;
            }
            break;
        case M_PAD: {
            const unsigned char *nl = memchr(p + i, '\n', len - i);
            size_t q = nl ? (size_t)(nl - p) : len;
            /* Transport padding, or junk: text, its CRs left out (the
               CRLF that ends the line is the delimiter's). */
            while (i < q) {
                const unsigned char *cr = memchr(p + i, '\r', q - i);
                size_t e = cr ? (size_t)(cr - p) : q;
                aside_bytes(s, (const char *)p + i, e - i, base + i);
                i = e + (cr != NULL);
            }
            if (nl) {
                aside_end(s);
                i++;
                headers_begin(mp, base + i);
            }
            break;
        }
        case M_HEADERS: {
            const unsigned char *nl = memchr(p + i, '\n', len - i);
            size_t q = nl ? (size_t)(nl - p) + 1 : len;
            if (mp->hlen + (q - i) > sizeof(mp->hdr)) {
                /* The block is cut at the same byte however it came. */
                size_t room = sizeof(mp->hdr) - mp->hlen;
                memcpy(mp->hdr + mp->hlen, p + i, room);
                mp->hlen += room;
                i += room;
                headers_overflow(s);
                break;
            }
            memcpy(mp->hdr + mp->hlen, p + i, q - i);
            mp->hlen += q - i;
            i = q;
            if (nl) {
                size_t ll = mp->hlen - mp->line_start;
                if (ll == 1 || (ll == 2 && mp->hdr[mp->line_start] == '\r')) {
                    headers_done(s, base + i);
                } else {
                    mp->line_start = mp->hlen;
                }
            }
            break;
        }
        case M_SNIFF: {
            const unsigned char *nl = memchr(p + i, '\n', len - i);
            size_t q = nl ? (size_t)(nl - p) + 1 : len;
            if (mp->hlen + (q - i) > SNIFF_MAX) {
                to_text(s, 0);
                break;
            }
            memcpy(mp->hdr + mp->hlen, p + i, q - i);
            mp->hlen += q - i;
            i = q;
            if (nl) {
                if (sniff_boundary(mp) != 0) {
                    to_text(s, 0);
                } else {
                    explicit_bzero(mp->hdr, mp->hlen);
                    mp->hlen = 0;
                    headers_begin(mp, base + i);
                }
            }
            break;
        }
        default: /* M_TEXT */
            aside_bytes(s, (const char *)p + i, len - i, base + i);
            i = len;
            break;
        }
    }
    s->raw_pos = base + len;
    veil__text_run(&s->text);
    return s->error;
}

void veil__mp_finish(struct veil_scanner *s)
{
    struct veil__mp *mp = s->mp;
    switch (mp->state) {
    case M_SNIFF:
        to_text(s, 0);
        aside_end(s);
        break;
    case M_HEADERS:
        /* A part cut in its headers: they are text. */
        text_begin(s);
        veil__scan_plain(s, mp->hdr, mp->hlen, mp->hdr_raw);
        veil__scan_end(s);
        break;
    case M_CONTENT:
        if (mp->cr || mp->m) {
            release_held(s);
        }
        part_end(s, s->raw_pos);
        break;
    default:
        aside_end(s);
        break;
    }
    explicit_bzero(mp->hdr, mp->hlen);
    mp->hlen = 0;
    mp->state = M_TEXT;
}

uint64_t veil__mp_safe(const struct veil_scanner *s, uint64_t safe)
{
    const struct veil__mp *mp = s->mp;
    uint64_t h = UINT64_MAX;
    switch (mp->state) {
    case M_SNIFF:
        h = 0;
        break;
    case M_HEADERS:
        h = mp->hdr_raw;
        break;
    case M_CONTENT:
        if (mp->cr || mp->m > mp->virt) {
            h = mp->held_raw;
        }
        if (mp->kind == K_SKIP && s->report_skips && mp->skip_from < h) {
            h = mp->skip_from;
        }
        break;
    default:
        break;
    }
    if (h < safe) {
        safe = h;
    }
    switch (mp->kind) {
    case K_JSON:
        return veil__escape_safe(s, VEIL_FMT_JSON, safe);
    case K_FORM:
        return veil__escape_safe(s, VEIL_FMT_FORM, safe);
    case K_XML:
        return veil__escape_safe(s, VEIL_FMT_XML, safe);
    default:
        return safe;
    }
}

int veil__mp_begin(struct veil_scanner *s, const veil_body_type_t *type)
{
    struct veil__mp *mp = s->mp;
    if (mp == NULL) {
        /* Only the head is zeroed: the header buffer is written before
           it is read. */
        mp = malloc(sizeof(*mp));
        if (mp == NULL) {
            return -ENOMEM;
        }
        memset(mp, 0, offsetof(struct veil__mp, hdr));
        s->mp = mp;
    }
    mp->kind = K_NONE;
    mp->aside = 0;
    mp->cr = mp->m = mp->virt = 0;
    mp->hlen = mp->line_start = 0;
    memcpy(mp->delim, "\n--", 3);
    mp->dlen = 3;
    if (type->boundary_len == 0 || type->boundary_len > VEIL_BOUNDARY_MAX) {
        mp->state = M_SNIFF;
        return 0;
    }
    memcpy(mp->delim + 3, type->boundary, type->boundary_len);
    mp->dlen = (uint8_t)(3 + type->boundary_len);
    /* The first delimiter needs no line break before it: the body starts
       as if after one. */
    content_start(mp, 0);
    return 0;
}

void veil__mp_wipe(struct veil_scanner *s)
{
    struct veil__mp *mp = s->mp;
    if (mp == NULL) {
        return;
    }
    explicit_bzero(mp->hdr, mp->hlen);
    explicit_bzero(mp, offsetof(struct veil__mp, hdr));
}

void veil__mp_free(struct veil_scanner *s)
{
    if (s->mp == NULL) {
        return;
    }
    veil__mp_wipe(s);
    free(s->mp);
    s->mp = NULL;
}
