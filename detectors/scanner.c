/*
 * veil_scanner_*: one stream of one format. Text goes straight to the text
 * layer. JSON and form bodies go through a walker that decodes values and
 * feeds them to the text layer; this file maps the decoded offsets of the
 * text layer's findings back to raw offsets, so redaction covers exactly
 * the raw bytes (escapes included) that spelled the value.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "scanner.h"

static int ascii_ieq(const char *a, size_t alen, const char *b)
{
    size_t bl = strlen(b);
    if (alen < bl) {
        return 0;
    }
    for (size_t k = 0; k < bl; k++) {
        char c = a[k];
        if (c >= 'A' && c <= 'Z') {
            c = (char)(c | 0x20);
        }
        if (c != b[k]) {
            return 0;
        }
    }
    return 1;
}

veil_format_t veil_format_from_content_type(const char *ct, size_t len)
{
    size_t end = 0;
    while (end < len && ct[end] != ';') {
        end++;
    }
    while (end > 0 && (ct[end - 1] == ' ' || ct[end - 1] == '\t')) {
        end--;
    }
    if (ascii_ieq(ct, end, "application/x-www-form-urlencoded")) {
        return VEIL_FMT_FORM;
    }
    if (ascii_ieq(ct, end, "application/json") ||
        (end >= 5 && ascii_ieq(ct + end - 5, 5, "+json")) ||
        ascii_ieq(ct, end, "application/x-ndjson") || ascii_ieq(ct, end, "text/json")) {
        return VEIL_FMT_JSON;
    }
    if (ascii_ieq(ct, end, "application/xml") || ascii_ieq(ct, end, "text/xml") ||
        (end >= 4 && ascii_ieq(ct + end - 4, 4, "+xml"))) {
        return VEIL_FMT_XML;
    }
    return VEIL_FMT_TEXT;
}

/* The value of parameter <name> in the parameters <p> of a media type
   (after the first ';'): a token or a quoted-string, unquoted into <out>.
   Returns its length, or -1 when absent or longer than <cap>. */
static int media_param(const char *p, size_t len, const char *name, char *out, size_t cap)
{
    size_t i = 0, nl = strlen(name);

    while (i < len && p[i] != ';') {
        i++;
    }
    while (i < len) {
        i++; /* the ';' */
        while (i < len && (p[i] == ' ' || p[i] == '\t')) {
            i++;
        }
        size_t ns = i;
        while (i < len && p[i] != '=' && p[i] != ';') {
            i++;
        }
        size_t ne = i;
        while (ne > ns && (p[ne - 1] == ' ' || p[ne - 1] == '\t')) {
            ne--;
        }
        if (i == len || p[i] == ';') {
            continue;
        }
        i++; /* the '=' */
        while (i < len && (p[i] == ' ' || p[i] == '\t')) {
            i++;
        }
        int match = ne - ns == nl && ascii_ieq(p + ns, nl, name);
        size_t n = 0;
        int bad = 0;
        if (i < len && p[i] == '"') {
            for (i++; i < len && p[i] != '"'; i++) {
                if (p[i] == '\\' && i + 1 < len) {
                    i++;
                }
                if (n < cap) {
                    out[n] = p[i];
                }
                n++;
            }
            bad = i == len; /* no closing quote */
            i += i < len;
            while (i < len && p[i] != ';') {
                i++;
            }
        } else {
            size_t vs = i;
            while (i < len && p[i] != ';') {
                i++;
            }
            size_t ve = i;
            while (ve > vs && (p[ve - 1] == ' ' || p[ve - 1] == '\t')) {
                ve--;
            }
            for (size_t k = vs; k < ve; k++) {
                if (n < cap) {
                    out[n] = p[k];
                }
                n++;
            }
        }
        if (match) {
            return bad || n > cap ? -1 : (int)n;
        }
    }
    return -1;
}

void veil_body_type_from_content_type(const char *ct, size_t len, veil_body_type_t *out)
{
    memset(out, 0, sizeof(*out));
    out->format = veil_format_from_content_type(ct, len);
    if (len < 10 || !ascii_ieq(ct, len, "multipart/")) {
        return;
    }
    int n = media_param(ct, len, "boundary", out->boundary, sizeof(out->boundary));
    if (n <= 0) {
        return;
    }
    for (int k = 0; k < n; k++) {
        unsigned char c = (unsigned char)out->boundary[k];
        if (c < 0x20 || c == 0x7f) {
            memset(out->boundary, 0, sizeof(out->boundary));
            return;
        }
    }
    out->format = VEIL_FMT_MULTIPART;
    out->boundary_len = (uint8_t)n;
}

const char *veil_skip_reason_name(veil_skip_reason_t reason)
{
    switch (reason) {
    case VEIL_SKIP_BINARY:
        return "binary";
    case VEIL_SKIP_ENCODED:
        return "encoded";
    case VEIL_SKIP_HEADERS:
        return "headers";
    default:
        return "unknown";
    }
}


/* ---- decoded to raw ---- */

/*
 * seg_find(): the segment that holds decoded offset <d>, or NULL. Segments
 * are in order and apart; up to a few hundred are kept, and a finding is
 * nearly always in the last few (the text layer reports on what was just
 * fed): searched from the end, the window doubled until its first segment
 * starts at or before <d>, then halved, so a lookup costs the logarithm
 * of its distance from the end. A binary search over them all took
 * three mispredicted steps of nine per lookup, three lookups a finding:
 * a tenth of the time of PII-dense JSON.
 */
static const veil__seg_t *seg_find(const struct veil_scanner *s, uint64_t d)
{
    size_t hi = s->nsegs, step = 1, lo;

    if (hi == 0) {
        return NULL;
    }
    /* segs[lo] starts at or before d; segs[hi], if there, after it */
    for (;;) {
        size_t probe = hi > step ? hi - step : 0;
        if (s->segs[probe].dec <= d) {
            lo = probe;
            break;
        }
        if (probe == 0) {
            return NULL;
        }
        hi = probe;
        step *= 2;
    }
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->segs[mid].dec <= d) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    const veil__seg_t *g = &s->segs[lo];
    return d - g->dec < g->dlen ? g : NULL;
}

/* seg_find() for a finding's offsets, which come in order (a start at or
   after the last end, its end after it): from the segment the last one
   was in, a few steps forward; else the search from the end. */
static const veil__seg_t *seg_find_next(struct veil_scanner *s, uint64_t d)
{
    size_t k = s->seg_hint, n = s->nsegs;

    if (k < n && s->segs[k].dec <= d) {
        for (unsigned walk = 0; walk < 8; walk++) {
            if (k + 1 == n || s->segs[k + 1].dec > d) {
                /* segs[k] is the last that starts at or before d */
                const veil__seg_t *g = &s->segs[k];
                s->seg_hint = k;
                return d - g->dec < g->dlen ? g : NULL;
            }
            k++;
        }
    }
    const veil__seg_t *g = seg_find(s, d);
    if (g != NULL) {
        s->seg_hint = (size_t)(g - s->segs);
    }
    return g;
}

/* The raw offset of decoded offset <d>, in segment <g> (seg_find()'s). */
static uint64_t map_start_in(const struct veil_scanner *s, uint64_t d, const veil__seg_t *g)
{
    if (g == NULL) {
        return s->nsegs && d < s->segs[0].dec ? s->segs[0].raw : s->raw_pos;
    }
    /* A bare JSON token is one unit: a finding in it takes all of it, so
       nothing in it is decided before all of it is. */
    if (g->step) {
        return g->raw + g->step * (d - g->dec);
    }
    return g->dlen == g->rlen && !g->bare ? g->raw + (d - g->dec) : g->raw;
}

static uint64_t map_start(const struct veil_scanner *s, uint64_t d)
{
    return map_start_in(s, d, seg_find(s, d));
}

static uint64_t map_end(struct veil_scanner *s, uint64_t d)
{
    const veil__seg_t *g = d ? seg_find_next(s, d - 1) : NULL;
    if (g == NULL) {
        return s->raw_pos;
    }
    if (g->step) {
        return g->raw + g->step * (d - g->dec);
    }
    return g->dlen == g->rlen ? g->raw + (d - g->dec) : g->raw + g->rlen;
}

static void deliver(struct veil_scanner *s, uint64_t start, uint64_t end, int det, int conf,
                    unsigned flags)
{
    veil_finding_t f;
    f.offset = start;
    f.length = (uint32_t)(end - start);
    f.detector = (uint16_t)det;
    f.confidence = (uint8_t)conf;
    f.flags = (uint8_t)flags;
    if (s->cb) {
        s->cb(s->ud, &f);
    }
}

static void on_text_finding(void *ud, uint64_t start, uint64_t end, int det, int conf,
                            unsigned flags)
{
    struct veil_scanner *s = ud;
    if (flags & VEIL__FIND_RAW) {
        deliver(s, start, end, det, conf, flags & ~VEIL__FIND_RAW);
        return;
    }
    if (s->format == VEIL_FMT_TEXT) {
        deliver(s, start, end, det, conf, flags);
        return;
    }
    const veil__seg_t *g = seg_find_next(s, start);
    uint64_t rs = map_start_in(s, start, g), re = map_end(s, end);
    /* A finding in a bare JSON token (a number) takes the whole token, and
       its replacement must be quoted: -4111... is one value. */
    if (g && g->bare) {
        rs = g->raw;
        re = g->raw + g->rlen;
        flags |= VEIL_FIND_JSON_BARE;
        /* Two findings in one token are one finding of the token. */
        if (rs == s->last_bare) {
            return;
        }
        s->last_bare = rs;
    }
    deliver(s, rs, re, det, conf, flags);
}

static int seg_push(struct veil_scanner *s, uint64_t dec, uint64_t raw, uint32_t dlen,
                    uint32_t rlen)
{
    if (s->nsegs) {
        veil__seg_t *last = &s->segs[s->nsegs - 1];
        if (last->dlen == last->rlen && dlen == rlen && last->dec + last->dlen == dec &&
            last->raw + last->rlen == raw && (uint64_t)last->dlen + dlen < UINT32_MAX &&
            !last->bare && s->bare_start == UINT64_MAX) {
            last->dlen += dlen;
            last->rlen += rlen;
            return 0;
        }
        /* Like escapes in a row, each one decoded byte (a string of
           backslashes), share one segment: a feed's segments stay as few
           as its values, however it is escaped. */
        if (dlen == 1 && rlen > 1 && rlen < 8 && last->dec + last->dlen == dec &&
            last->raw + last->rlen == raw && last->rlen == rlen * last->dlen &&
            (last->step == rlen || (last->dlen == 1 && !last->bare)) &&
            (uint64_t)last->rlen + rlen < UINT32_MAX && s->bare_start == UINT64_MAX) {
            last->step = (uint16_t)rlen;
            last->dlen += 1;
            last->rlen += rlen;
            return 0;
        }
    }
    if (s->nsegs == s->capsegs) {
        /* Drop what the text layer can no longer report on first. */
        uint64_t safe = veil__text_safe(&s->text);
        size_t k = 0;
        while (k + 1 < s->nsegs && s->segs[k].dec + s->segs[k].dlen <= safe) {
            k++;
        }
        if (k > 0) {
            memmove(s->segs, s->segs + k, (s->nsegs - k) * sizeof(*s->segs));
            s->nsegs -= k;
            s->seg_hint = s->seg_hint >= k ? s->seg_hint - k : 0;
        }
    }
    if (s->nsegs == s->capsegs) {
        size_t cap = s->capsegs ? s->capsegs * 2 : 512;
        veil__seg_t *n = realloc(s->segs, cap * sizeof(*n));
        if (n == NULL) {
            s->error = -ENOMEM;
            return s->error;
        }
        s->segs = n;
        s->capsegs = cap;
    }
    s->segs[s->nsegs++] = (veil__seg_t){dec, raw, dlen, rlen, s->bare_start == raw, 0};
    return 0;
}

/* Appends decoded bytes to the text layer; a NUL in a value becomes 0x01,
   since NUL is the delimiter between values. */
static int append(struct veil_scanner *s, const char *dec, size_t len)
{
    const char *nul;
    s->open_text |= len > 0;
    while (len > 0 && (nul = memchr(dec, VEIL__DELIM, len)) != NULL) {
        size_t k = (size_t)(nul - dec);
        if (veil__text_append(&s->text, dec, k) != 0 ||
            veil__text_append(&s->text, "\x01", 1) != 0) {
            return s->text.error;
        }
        dec += k + 1;
        len -= k + 1;
    }
    return veil__text_append(&s->text, dec, len);
}

int veil__scan_plain(struct veil_scanner *s, const char *dec, size_t len, uint64_t raw)
{
    if (len == 0) {
        return 0;
    }
    if (seg_push(s, veil__text_fed(&s->text), raw, (uint32_t)len, (uint32_t)len) != 0) {
        return s->error;
    }
    return append(s, dec, len);
}

int veil__scan_escape(struct veil_scanner *s, const char *dec, size_t dlen, uint64_t raw,
                      uint32_t rlen)
{
    /* Escapes always differ in length from what they decode to, so their
       segment never merges with a neighbour and a finding that starts or
       ends inside one covers the whole escape. */
    if (seg_push(s, veil__text_fed(&s->text), raw, (uint32_t)dlen, rlen) != 0) {
        return s->error;
    }
    return append(s, dec, dlen);
}

int veil__scan_escapes(struct veil_scanner *s, const char *dec, size_t n, uint64_t raw,
                       uint32_t step)
{
    /* One segment with a step (seg_push() would merge them one by one). */
    if (n == 0 || seg_push(s, veil__text_fed(&s->text), raw, 1, step) != 0) {
        return s->error;
    }
    if (n > 1) {
        veil__seg_t *g = &s->segs[s->nsegs - 1];
        g->step = (uint16_t)step;
        g->dlen += (uint32_t)(n - 1);
        g->rlen += (uint32_t)((n - 1) * step);
    }
    return append(s, dec, n);
}

void veil__scan_begin(struct veil_scanner *s, const char *key, size_t key_len)
{
    veil__text_set_field(&s->text, key, key_len);
}

void veil__scan_end(struct veil_scanner *s)
{
    /* The delimiter decodes from no raw byte: it sits where the value's
       last byte ended. Nothing appended, nothing to end (a delimiter at an
       unrelated raw offset would let the safe offset run ahead). */
    if (!s->open_text || s->nsegs == 0) {
        return;
    }
    s->open_text = 0;
    uint64_t raw = s->segs[s->nsegs - 1].raw + s->segs[s->nsegs - 1].rlen;
    static const char delim = VEIL__DELIM;
    if (seg_push(s, veil__text_fed(&s->text), raw, 1, 0) == 0) {
        veil__text_append(&s->text, &delim, 1);
    }
}

void veil__scan_field(struct veil_scanner *s, uint64_t start, uint64_t end, int det, unsigned flags)
{
    const veil_engine_t *e = s->eng;
    if (det == VEIL__DET_SKIP) {
        /* A skipped part's bytes, for a redactor's marker: the reason
           rides in the detector slot (VEIL_FIND_SKIP). */
        if (end > start && seg_push(s, veil__text_fed(&s->text), start, 1, 0) == 0) {
            veil__text_inject(&s->text, start, end, s->skip_reason, VEIL_CONF_HIGH,
                              VEIL_FIND_SKIP | flags);
            s->open_text = 0;
        }
        return;
    }
    if (det == VEIL__DET_RULE) {
        /* A field rule's value: the rule's action rides in the detector
           slot (VEIL_FIND_RULE), in its place among the findings. */
        if (end > start && seg_push(s, veil__text_fed(&s->text), start, 1, 0) == 0) {
            veil__text_inject(&s->text, start, end, s->rule_action, VEIL_CONF_HIGH,
                              VEIL_FIND_FIELD | VEIL_FIND_RULE | flags);
            s->open_text = 0;
        }
        return;
    }
    int conf =
        det == VEIL_D_PERSON_NAME || det == VEIL_D_ADDRESS ? VEIL_CONF_MEDIUM : VEIL_CONF_HIGH;
    if (end > start && e->enabled[det] && conf >= e->min_confidence) {
        /* The finding takes its place among the text findings: a delimiter
           byte in the text stands for it, and maps to its raw start so no
           byte of the value is released before the finding is. */
        if (s->format == VEIL_FMT_TEXT) {
            deliver(s, start, end, det, conf, VEIL_FIND_FIELD | flags);
            return;
        }
        if (seg_push(s, veil__text_fed(&s->text), start, 1, 0) == 0) {
            veil__text_inject(&s->text, start, end, det, conf, VEIL_FIND_FIELD | flags);
            s->open_text = 0;
        }
    }
}


/* ---- public API ---- */

/* The state every new stream starts from; <s> is zeroed up to its
   buffers. */
static void start_state(struct veil_scanner *s, const veil_engine_t *engine, veil_format_t format,
                        veil_finding_cb cb, void *ud)
{
    s->eng = engine;
    s->format = format <= VEIL_FMT_XML ? format : VEIL_FMT_TEXT;
    s->cb = cb;
    s->ud = ud;
    s->hold = UINT64_MAX;
    s->bare_start = s->bare_end = UINT64_MAX;
    s->last_bare = UINT64_MAX;
    s->text_active = 1;
}

/* Key, name and frame buffers held decoded values; frames past
   depth_max were never written, nor key cache slots not in use. */
static void wipe_buffers(struct veil_scanner *s)
{
    explicit_bzero((char *)s + offsetof(struct veil_scanner, key),
                   offsetof(struct veil_scanner, kcache) - offsetof(struct veil_scanner, key));
    for (size_t w = 0; w < sizeof(s->kcache_used) / sizeof(s->kcache_used[0]); w++) {
        for (uint64_t m = s->kcache_used[w]; m != 0; m &= m - 1) {
            explicit_bzero(&s->kcache[64 * w + (size_t)__builtin_ctzll(m)], sizeof(s->kcache[0]));
        }
        s->kcache_used[w] = 0;
    }
    for (size_t w = 0; w < sizeof(s->ccache_used) / sizeof(s->ccache_used[0]); w++) {
        for (uint64_t m = s->ccache_used[w]; m != 0; m &= m - 1) {
            explicit_bzero(&s->ccache[64 * w + (size_t)__builtin_ctzll(m)], sizeof(s->ccache[0]));
        }
        s->ccache_used[w] = 0;
    }
    explicit_bzero(s->stack, (size_t)s->depth_max * sizeof(s->stack[0]));
}

/* The walker of <s>'s format, made ready for a new stream. */
static int start_walker(struct veil_scanner *s, const veil_body_type_t *type)
{
    static const veil_body_type_t sniff = {VEIL_FMT_MULTIPART, 0, {0}};

    switch (s->format) {
    case VEIL_FMT_MULTIPART:
        return veil__mp_begin(s, type ? type : &sniff);
    case VEIL_FMT_XML:
        return veil__xml_begin(s);
    default:
        return 0;
    }
}

veil_scanner_t *veil_scanner_new_typed(const veil_engine_t *engine, const veil_body_type_t *type,
                                       veil_finding_cb cb, void *ud)
{
    /* Only the state before the buffers is zeroed: a scanner is made per
       body, and zeroing its 8 KiB showed in the proxy's profile. */
    struct veil_scanner *s = malloc(sizeof(*s));
    if (s == NULL) {
        return NULL;
    }
    memset(s, 0, offsetof(struct veil_scanner, key));
    start_state(s, engine, type->format, cb, ud);
    if (veil__text_init(&s->text, engine, on_text_finding, s) != 0) {
        free(s);
        return NULL;
    }
    s->text.walked = s->format != VEIL_FMT_TEXT;
    if (start_walker(s, type) != 0) {
        veil_scanner_free(s);
        return NULL;
    }
    return s;
}

veil_scanner_t *veil_scanner_new(const veil_engine_t *engine, veil_format_t format,
                                 veil_finding_cb cb, void *ud)
{
    veil_body_type_t type;

    memset(&type, 0, sizeof(type));
    type.format = format;
    return veil_scanner_new_typed(engine, &type, cb, ud);
}

void veil__scanner_report_skips(veil_scanner_t *s, int on)
{
    s->report_skips = on;
}

uint32_t veil_scanner_skipped(const veil_scanner_t *s, veil_skip_reason_t reason)
{
    uint32_t n = 0;

    if ((unsigned)reason < VEIL_SKIP__COUNT) {
        return s->skipped[reason];
    }
    for (int k = 0; k < VEIL_SKIP__COUNT; k++) {
        n += s->skipped[k];
    }
    return n;
}

void veil__scanner_no_names(veil_scanner_t *s, const uint64_t (*spans)[2], size_t n)
{
    s->text.nonames = n ? spans : NULL;
    s->text.nnonames = n;
    s->text.nonames_at = 0;
}

void veil__scanner_no_tables(veil_scanner_t *s)
{
    s->text.csvcols.state = VEIL__CSV_OFF;
}

void veil__scanner_set_field_cb(veil_scanner_t *s, veil_field_action_cb cb, void *ud)
{
    s->field_cb = cb;
    s->field_ud = ud;
}

void veil__scanner_wipe(veil_scanner_t *s)
{
    wipe_buffers(s);
    veil__text_wipe(&s->text);
    veil__mp_wipe(s);
    veil__xml_wipe(s);
}

int veil__scanner_reset(veil_scanner_t *s, const veil_engine_t *engine,
                        const veil_body_type_t *type, veil_finding_cb cb, void *ud)
{
    veil__seg_t *segs = s->segs;
    size_t capsegs = s->capsegs;
    struct veil__mp *mp = s->mp;
    struct veil__xml *xml = s->xml;
    const size_t text_end = offsetof(struct veil_scanner, text) + sizeof(s->text);

    wipe_buffers(s);
    veil__mp_wipe(s);
    veil__xml_wipe(s);
    /* All but the text layer, which veil__text_reset() makes new in place
       keeping its allocations. */
    memset(s, 0, offsetof(struct veil_scanner, text));
    memset((char *)s + text_end, 0, offsetof(struct veil_scanner, key) - text_end);
    start_state(s, engine, type->format, cb, ud);
    s->segs = segs;
    s->capsegs = capsegs;
    s->mp = mp;
    s->xml = xml;
    s->error = veil__text_reset(&s->text, engine, on_text_finding, s);
    s->text.walked = s->format != VEIL_FMT_TEXT;
    if (s->error == 0) {
        s->error = start_walker(s, type);
    }
    return s->error;
}

/* The most a scanner takes in one go: a larger feed is taken in pieces
   of this (any chunking gives the same findings), so what it holds for
   one piece (decoded values, their segments and keys, its findings) stays
   bounded whatever size the caller feeds. */
#define FEED_MAX 65536

int veil_scanner_feed(veil_scanner_t *s, const void *data, size_t len)
{
    int rc;
    if (s->error) {
        return s->error;
    }
    while (len > FEED_MAX) {
        if ((rc = veil_scanner_feed(s, data, FEED_MAX)) != 0) {
            return rc;
        }
        data = (const char *)data + FEED_MAX;
        len -= FEED_MAX;
    }
    switch (s->format) {
    case VEIL_FMT_JSON:
        rc = veil__json_feed(s, data, len);
        break;
    case VEIL_FMT_FORM:
        rc = veil__form_feed(s, data, len);
        break;
    case VEIL_FMT_MULTIPART:
        rc = veil__mp_feed(s, data, len);
        break;
    case VEIL_FMT_XML:
        rc = veil__xml_feed(s, data, len);
        break;
    default:
        rc = veil__text_feed(&s->text, data, len);
        s->raw_pos += len;
        break;
    }
    if (rc == 0 && s->text.error) {
        rc = s->text.error;
    }
    if (rc != 0) {
        s->error = rc;
    }
    return rc;
}

int veil_scanner_finish(veil_scanner_t *s)
{
    if (s->error) {
        return s->error;
    }
    switch (s->format) {
    case VEIL_FMT_JSON:
        veil__json_finish(s);
        break;
    case VEIL_FMT_FORM:
        veil__form_finish(s);
        break;
    case VEIL_FMT_MULTIPART:
        veil__mp_finish(s);
        break;
    case VEIL_FMT_XML:
        veil__xml_finish(s);
        break;
    default:
        break;
    }
    veil__text_end(&s->text);
    s->hold = UINT64_MAX;
    s->nsegs = 0;
    s->seg_hint = 0;
    return s->text.error ? s->text.error : s->error;
}

uint64_t veil_scanner_safe_offset(const veil_scanner_t *s)
{
    if (s->format == VEIL_FMT_TEXT) {
        uint64_t safe = veil__text_safe(&s->text);
        return safe < s->raw_pos ? safe : s->raw_pos;
    }
    uint64_t safe = s->raw_pos;
    if (s->hold < safe) {
        safe = s->hold;
    }
    if (s->format == VEIL_FMT_MULTIPART) {
        safe = veil__mp_safe(s, safe);
    } else {
        safe = veil__escape_safe(s, s->format, safe);
    }
    if (s->format == VEIL_FMT_FORM && s->pct2 && s->pct2_start < safe) {
        safe = s->pct2_start; /* a %25 that may start a second level */
    }
    if (s->text_active) {
        uint64_t t = map_start(s, veil__text_safe(&s->text));
        if (t < safe) {
            safe = t;
        }
    }
    return safe;
}

uint64_t veil__escape_safe(const struct veil_scanner *s, veil_format_t fmt, uint64_t safe)
{
    /* An escape being read (\u00, %4, &#6) has not reached the text layer
       yet: nothing from its first byte on is decided. */
    if (fmt == VEIL_FMT_JSON) {
        if ((s->state == J_ESCAPE || s->state == J_UNICODE) && s->esc_start < safe) {
            safe = s->esc_start;
        }
        if (s->uhigh && s->uhigh_start < safe) {
            safe = s->uhigh_start;
        }
    } else if (fmt == VEIL_FMT_FORM && s->pct && s->esc_start < safe) {
        safe = s->esc_start;
    } else if (fmt == VEIL_FMT_XML) {
        uint64_t h = veil__xml_hold(s);
        if (h < safe) {
            safe = h;
        }
    }
    return safe;
}

void veil_scanner_free(veil_scanner_t *s)
{
    if (s == NULL) {
        return;
    }
    veil__mp_free(s);
    veil__xml_free(s);
    veil__text_dispose(&s->text);
    free(s->segs);
    wipe_buffers(s);
    explicit_bzero(s, offsetof(struct veil_scanner, key));
    free(s);
}
