/*
 * Head inspection: the path, the query string and the field lines of a
 * head are read by the engine when the head arrives, before the policy
 * decides and long before the access-log record is written. The result
 * (veil__headscan_t) serves three readers:
 *
 *  - the policy: in mode block a finding by a blocking detector refuses
 *    the message, as a finding in its body does;
 *  - the head sent on: in modes redact and tokenize the path, the query
 *    and field values go on with their findings transformed (heads.c);
 *  - the access log, which writes the redacted copies (access_log.c).
 *
 * What goes on as it came, whatever the mode: credentials (a field named
 * like one, or a value that looks like one unless a rule keeps it: the
 * upstream needs them, the log masks them), and the fields that describe
 * the way the request travelled (Host, X-Forwarded-For, Forwarded,
 * X-Real-IP, Via), whose addresses are PII but which the upstream needs
 * to route and to audit. Their findings are logged and counted with the
 * action "observe" (VEIL__LOC_KEPT). A field whose name holds a finding
 * is dropped in transit: a name cannot carry a label and stay a token.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proxy_int.h"
#include "veil/config.h"
#include "veil/credentials.h"
#include "veil/tokens.h"


/* ---- the path, read through two levels of percent-encoding ---- */

static int hexv(int c)
{
    return c >= '0' && c <= '9'                     ? c - '0'
           : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10
                                                    : -1;
}

/* %XX decoded once ('+' is no space in a path); returns the length. */
static size_t pct_decode(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int h, l;
        if (s[i] == '%' && i + 2 < n && (h = hexv((unsigned char)s[i + 1])) >= 0 &&
            (l = hexv((unsigned char)s[i + 2])) >= 0) {
            out[o++] = (char)(h << 4 | l);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    return o;
}

/* A redacted segment written back into a path: what would change the
   path's structure or read as an escape ('/', '?', '#', '%', spaces,
   controls, non-ASCII) is percent-encoded. */
static void path_segment_escape(veil_jbuf_t *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f || c == '/' || c == '?' || c == '#' || c == '%' || c == '"' ||
            c == '\\') {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            veil_jbuf_raw(b, e, 3);
        } else {
            veil_jbuf_raw(b, (const char *)&c, 1);
        }
    }
}

/* veil_jbuf_raw() of nothing on an empty buffer would pass memcpy a null
   pointer. */
static void append(veil_jbuf_t *b, const char *s, size_t n)
{
    if (n > 0) {
        veil_jbuf_raw(b, s, n);
    }
}


/* The next '/'-separated segment of <s> from *pos; 0 at the end. */
static int next_segment(veil_h1_span_t s, size_t *pos, veil_h1_span_t *seg)
{
    if (*pos > s.len) {
        return 0;
    }
    const char *slash = memchr(s.ptr + *pos, '/', s.len - *pos);
    size_t end = slash ? (size_t)(slash - s.ptr) : s.len;
    seg->ptr = s.ptr + *pos;
    seg->len = end - *pos;
    *pos = end + 1;
    return 1;
}

/*
 * The path when it holds '%': each segment with an escape is also read
 * decoded, up to two levels (%2540 is '@': a client or a filter that
 * encoded an encoded path), and scanned. A segment whose decoded form
 * holds a finding is written as its decoded form redacted (re-escaped
 * where it would change the path), whole: mapping spans back through two
 * levels of decoding to the raw bytes is not attempted. Every other
 * segment is written as the engine redacted the raw path. Findings of a
 * decoded segment count (into <findings>, when given) unless the raw pass
 * changed that segment (then they were counted there). Returns 0, or -1
 * (engine error: omit the path). <red> is the raw path as redacted.
 */
static int redact_path_decoded(const veil_engine_t *eng, const uint8_t *actions,
                               const veil_policy_dir_t *pd, veil__xchg_t *ph_x,
                               veil_token_stats_t *tst, veil_h1_span_t path, veil_h1_span_t red,
                               veil__findings_t *findings, veil_jbuf_t *out)
{
    veil_h1_span_t seg, rseg, dspan, rd;
    size_t pos = 0, rpos = 0, nraw = 0, nred = 0;
    veil_jbuf_t tmp;
    char *dec = malloc(path.len ? path.len : 1), *dec2 = malloc(path.len ? path.len : 1);
    int rc = 0, hits = 0, loc = VEIL__LOC_URL_PATH;

    if (dec == NULL || dec2 == NULL) {
        free(dec);
        free(dec2);
        return -1;
    }
    while (next_segment(path, &pos, &seg)) {
        nraw++;
    }
    while (next_segment(red, &rpos, &rseg)) {
        nred++;
    }
    int aligned = nraw == nred;
    veil_jbuf_init(&tmp, 64 * 1024);
    pos = rpos = 0;
    int first = 1;
    while (rc == 0 && next_segment(path, &pos, &seg)) {
        if (aligned) {
            next_segment(red, &rpos, &rseg);
        }
        if (!first) {
            veil_jbuf_raw(out, "/", 1);
        }
        first = 0;
        size_t n1 = memchr(seg.ptr, '%', seg.len) ? pct_decode(seg.ptr, seg.len, dec) : seg.len;
        if (n1 == seg.len) {
            if (aligned) {
                append(out, rseg.ptr, rseg.len);
            }
            continue;
        }
        /* The second level. */
        dspan.ptr = dec2;
        dspan.len = pct_decode(dec, n1, dec2);
        veil__findings_t f;
        memset(&f, 0, sizeof(f));
        veil_jbuf_reset(&tmp);
        if (veil__redact_lines_counted(eng, actions, pd, VEIL_FMT_TEXT, &dspan, 1, &tmp, &rd, &loc,
                                       &f, NULL, NULL, ph_x, tst) != 0) {
            rc = -1;
            break;
        }
        int found = rd.len != dspan.len || memcmp(rd.ptr, dspan.ptr, dspan.len) != 0;
        if (!found) {
            if (aligned) {
                append(out, rseg.ptr, rseg.len);
            }
            continue;
        }
        hits++;
        path_segment_escape(out, rd.ptr, rd.len);
        if (findings != NULL &&
            (!aligned || (rseg.len == seg.len && memcmp(rseg.ptr, seg.ptr, seg.len) == 0))) {
            for (unsigned k = 0; k < f.n; k++) {
                for (uint32_t c = 0; c < f.kind[k].count; c++) {
                    veil__findings_add(findings, f.kind[k].detector, loc);
                }
            }
        }
    }
    if (rc == 0 && !aligned) {
        /* A finding of the raw pass crossed a '/': its segments cannot be
           told apart. Without a finding in a decoded segment the raw
           redaction stands; with one, nothing of the path is written. */
        veil_jbuf_reset(out);
        if (hits) {
            veil_jbuf_cstr(out, "[REDACTED]");
        } else {
            append(out, red.ptr, red.len);
        }
    }
    veil_jbuf_dispose(&tmp);
    explicit_bzero(dec, path.len);
    explicit_bzero(dec2, path.len);
    free(dec);
    free(dec2);
    return rc != 0 || out->overflow ? -1 : 0;
}


/* ---- one pass of the engine over a head ---- */

/* Fields that say how the request travelled: forwarded as they came. */
static int route_field(veil_h1_span_t name)
{
    static const char *const names[] = {
        "host", "x-forwarded-for", "forwarded", "x-real-ip", "via",
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (veil_h1_span_eq(name, names[i])) {
            return 1;
        }
    }
    return 0;
}


/* An IMF-fixdate (RFC 9110 section 5.6.7), as servers write Date,
   Last-Modified and Expires: "Sun, 06 Nov 1994 08:49:37 GMT". Checked
   whole, so a value that only starts like one is read as any other. */
static int http_date(veil_h1_span_t v)
{
    static const char days[] = "MonTueWedThuFriSatSun";
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    static const char shape[] = "www, 00 mmm 0000 00:00:00 GMT";
    const char *s = v.ptr;
    int day = 0, month = 0;

    if (v.len != sizeof(shape) - 1) {
        return 0;
    }
    for (size_t i = 0; i < v.len; i++) {
        char c = shape[i];
        if (c == '0' ? !(s[i] >= '0' && s[i] <= '9') : c != 'w' && c != 'm' && s[i] != c) {
            return 0;
        }
    }
    for (size_t k = 0; k + 3 <= sizeof(days) - 1; k += 3) {
        day |= memcmp(s, days + k, 3) == 0;
    }
    for (size_t k = 0; k + 3 <= sizeof(months) - 1; k += 3) {
        month |= memcmp(s + 8, months + k, 3) == 0;
    }
    return day && month;
}


static int same_span(veil_h1_span_t a, veil_h1_span_t b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}


/* A copy of one pass: the redacted texts and where each value lies. */
typedef veil__headpass_t pass_t;


static void pass_init(pass_t *p, veil_h1_span_t *red)
{
    memset(p, 0, sizeof(*p));
    veil_jbuf_init(&p->lines, 1024 * 1024);
    veil_jbuf_init(&p->query, 64 * 1024);
    veil_jbuf_init(&p->path, 64 * 1024);
    p->red = red;
}


static void pass_dispose(pass_t *p)
{
    veil_jbuf_dispose(&p->lines);
    veil_jbuf_dispose(&p->query);
    veil_jbuf_dispose(&p->path);
}


/*
 * Runs the engine over the values of <hs> with <actions>: the lines
 * (path, request id, names and values), the query (form syntax) and the
 * decoded path segments. Findings go to <findings> (NULL: not counted),
 * the tokens written to <tst> (NULL: not counted).
 */
static void run_pass(veil__headscan_t *hs, const veil_engine_t *eng, const uint8_t *actions,
                     const veil_policy_dir_t *pd, veil__xchg_t *ph_x, const veil_h1_span_t *vals,
                     const int *locs, size_t nv, veil__findings_t *findings,
                     veil_token_stats_t *tst, pass_t *p)
{
    veil__findings_t scratch;
    veil__findings_t *f = findings;

    if (f == NULL) {
        memset(&scratch, 0, sizeof(scratch));
        f = &scratch;
    }
    p->ok = veil__redact_lines_counted(eng, actions, pd, VEIL_FMT_TEXT, vals, nv, &p->lines, p->red,
                                       locs, f, NULL, NULL, ph_x, tst) == 0;
    p->path_ok = p->query_ok = 1; /* a response has neither */
    if (!hs->request) {
        return;
    }
    p->path_ok = p->ok;
    p->pred = p->ok ? p->red[0] : hs->path;
    if (p->ok && memchr(hs->path.ptr, '%', hs->path.len) != NULL) {
        p->path_ok =
            redact_path_decoded(eng, actions, pd, ph_x, tst, hs->path, p->red[0], f, &p->path) == 0;
        p->pred.ptr = p->path.data ? p->path.data : "";
        p->pred.len = p->path.len;
    }
    p->query_ok = 1;
    if (hs->has_query) {
        int ql = VEIL__LOC_URL_QUERY;

        p->query_ok = veil__redact_lines_counted(eng, actions, pd, VEIL_FMT_FORM, &hs->query, 1,
                                                 &p->query, &p->qred, &ql, f,
                                                 pd && pd->nfields ? veil__query_rules : NULL,
                                                 (void *)pd, ph_x, tst) == 0;
    }
}


/* A path or query redacted for the log, made a valid request-target
   part: what a URI does not allow there (labels' brackets, spaces) is
   percent-encoded; a '%' that starts no escape is too. */
static int target_escape(veil_jbuf_t *b, veil_h1_span_t s)
{
    static const char hex[] = "0123456789ABCDEF";
    static const char ok[] = "-._~!$&'()*+,;=:@/?";
    int rc = 0;

    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    (c != 0 && strchr(ok, c) != NULL) ||
                    (c == '%' && i + 2 < s.len && hexv((unsigned char)s.ptr[i + 1]) >= 0 &&
                     hexv((unsigned char)s.ptr[i + 2]) >= 0);
        if (plain) {
            rc |= veil_jbuf_raw(b, (const char *)&c, 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            rc |= veil_jbuf_raw(b, e, 3);
        }
    }
    return rc;
}


/* Mode tokenize's actions: a token for every detector (the keyed hash
   where the config has no key slot). malloc'd. */
static uint8_t *token_actions(const veil_policy_dir_t *pd)
{
    size_t n = veil_engine_detector_count(pd->engine);
    uint8_t *acts = malloc(n ? n : 1);
    uint8_t a = (uint8_t)(pd->tokens != NULL ? VEIL_ACT_TOKENIZE : VEIL_ACT_HASH);

    for (size_t d = 0; acts != NULL && d < n; d++) {
        acts[d] = a;
    }
    return acts;
}


/* Builds the head that goes on (modes redact and tokenize) from the pass
   <p> made with the transit actions. 0, or -1 (it cannot be built). */
static int build_forward(veil__headscan_t *hs, const veil_policy_dir_t *pd, const pass_t *p)
{
    veil_jbuf_t *b = &hs->fwd;
    size_t i;
    int rc = 0;
    struct {
        size_t off, len;
    } path = {0, 0}, query = {0, 0};

    if (!p->ok || !p->path_ok || !p->query_ok) {
        return -1;
    }
    veil_jbuf_init(b, 1024 * 1024);
    if (hs->request) {
        hs->fwd_path_changed = !same_span(p->pred, hs->path);
        if (hs->fwd_path_changed) {
            path.off = b->len;
            rc |= target_escape(b, p->pred);
            path.len = b->len - path.off;
        }
        hs->fwd_query_changed = hs->has_query && !same_span(p->qred, hs->query);
        if (hs->fwd_query_changed) {
            query.off = b->len;
            rc |= target_escape(b, p->qred);
            query.len = b->len - query.off;
        }
    }
    for (i = 0; i < hs->n; i++) {
        veil__hfield_t *f = &hs->f[i];

        f->fwd_state = VEIL__FWD_ASIS;
        if (!same_span(p->red[f->red_name], f->name)) {
            f->fwd_state = VEIL__FWD_DROP;
            continue;
        }
        /* A rule is the operator's word: it applies to credentials and
           routing fields too (drop Authorization towards a third party). */
        if (f->rule >= 0) {
            char buf[512];
            long n;

            if (f->rule == VEIL_ACT_DROP) {
                f->fwd_state = VEIL__FWD_DROP;
                continue;
            }
            n = f->value.len * 2 + 64 <= sizeof(buf)
                    ? veil_transform_apply_info((veil_action_t)f->rule, NULL, UINT16_MAX, 0,
                                                f->value.ptr, f->value.len, pd->key, buf,
                                                sizeof(buf))
                    : -1;
            f->fwd_state = VEIL__FWD_NEW;
            f->fwd_off = b->len;
            if (n < 0) {
                rc |= veil_jbuf_cstr(b, "[REDACTED]");
            } else {
                rc |= veil_jbuf_raw(b, buf, (size_t)n);
            }
            f->fwd_len = b->len - f->fwd_off;
            explicit_bzero(buf, sizeof(buf));
            continue;
        }
        if (f->kept_asis) {
            continue;
        }
        if (f->red_value >= 0 && !same_span(p->red[f->red_value], f->value)) {
            veil_h1_span_t v = p->red[f->red_value];

            f->fwd_state = VEIL__FWD_NEW;
            f->fwd_off = b->len;
            if (v.len > 0) {
                rc |= veil_jbuf_raw(b, v.ptr, v.len);
            }
            f->fwd_len = b->len - f->fwd_off;
        }
    }
    if (rc != 0 || b->overflow) {
        return -1;
    }
    /* No more writes to <b>: its spans are stable now. */
    hs->fwd_path.ptr = b->data + path.off;
    hs->fwd_path.len = path.len;
    hs->fwd_query.ptr = b->data + query.off;
    hs->fwd_query.len = query.len;
    hs->rewrite = 1;
    return 0;
}


static void headscan_free(veil__headscan_t *hs)
{
    if (hs == NULL) {
        return;
    }
    pass_dispose(&hs->log);
    veil_jbuf_dispose(&hs->fwd);
    free(hs); /* with its arrays: one block (veil__head_inspect()) */
}


void veil__headscan_free(veil__headscan_t *hs)
{
    headscan_free(hs);
}


/* Whether a finding in this head refuses it (mode block). */
static int blocks(const veil__xchg_t *x, const veil_policy_dir_t *pd, int dir)
{
    unsigned i;

    if (x->findings.dropped > 0) {
        return 1; /* a kind that did not fit could be a blocking one */
    }
    for (i = 0; i < x->findings.n; i++) {
        int loc = x->findings.kind[i].loc;

        if (!x->findings.kind[i].kept && veil__loc_dir(loc) == dir && !veil__loc_body(loc) &&
            pd->blocks[x->findings.kind[i].detector]) {
            return 1;
        }
    }
    return 0;
}


const char *veil__head_inspect(veil__xchg_t *x, int dir)
{
    veil__half_t *hf = &x->half[dir];
    veil__worker_t *w = x->c->w;
    const veil_policy_dir_t *pd = x->policy ? &x->policy->dir[dir] : NULL;
    const uint8_t *actions;
    const veil_engine_t *eng = veil__xchg_engine(w, x, dir, &actions);
    veil__headscan_t *hs;
    veil_h1_span_t name, value, *vals = NULL;
    int *locs = NULL;
    size_t pos = 0, n = 0, nv = 0;
    int loc = dir == VEIL_DIR_REQUEST ? VEIL__LOC_REQ_HEADERS : VEIL__LOC_RSP_HEADERS;
    int held = pd != NULL && w->inspect && pd->mode != VEIL_MODE_OBSERVE;

    /* The validator counted the field lines of the head it accepted;
       a head with more fields than that is never read in part (below).
       With no engine (inspection off) nothing reads the fields: the log
       says the head was not inspected, and nothing is rewritten. */
    n = eng != NULL ? hf->h.header_count : 0;
    /* One block per head: the scan, its fields, the redacted spans and
       the engine's inputs (every head of every exchange comes here, so
       one allocation rather than five). Spans and fields are 8-aligned,
       the int locations go last. */
    size_t nvals = 2 * n + 2;
    size_t size = sizeof(*hs) + n * sizeof(*hs->f) + nvals * sizeof(*hs->red) +
                  nvals * sizeof(*vals) + nvals * sizeof(*locs);
    headscan_free(hf->hs);
    hf->hs = hs = calloc(1, size);
    if (hs == NULL) {
        return held ? "blocked_uninspectable" : NULL;
    }
    hs->f = (veil__hfield_t *)(hs + 1);
    hs->red = (veil_h1_span_t *)(hs->f + n);
    vals = hs->red + nvals;
    locs = (int *)(vals + nvals);
    hs->request = dir == VEIL_DIR_REQUEST;
    hs->omitted = eng ? "engine_error" : "inspection_off";
    pass_init(&hs->log, hs->red);

    if (hs->request) {
        /* Path and query from the request target. */
        veil_h1_span_t path =
            hf->h.target_form == VEIL_H1_TARGET_ABSOLUTE ? hf->h.path : hf->h.target;
        const char *q = memchr(path.ptr, '?', path.len);

        if (q != NULL) {
            hs->has_query = 1;
            hs->query.ptr = q + 1;
            hs->query.len = path.len - (size_t)(q + 1 - path.ptr);
            path.len = (size_t)(q - path.ptr);
        }
        hs->path = path;
        vals[nv] = path;
        locs[nv++] = VEIL__LOC_URL_PATH;
        vals[nv].ptr = x->reqid;
        vals[nv].len = strlen(x->reqid);
        /* veil's own id (random hex) holds nothing; a client's is read like
           a value */
        locs[nv++] = x->reqid_generated ? loc | VEIL__LOC_INERT : loc;
    }
    pos = 0;
    while (hs->n < n && veil_h1_next_header(hf->head, hf->head_len, &pos, &name, &value)) {
        veil__hfield_t *f = &hs->f[hs->n++];
        const veil_field_rule_t *r =
            pd && pd->nfields ? veil_policy_field_rule(pd, VEIL_FIELD_HEADER, name.ptr, name.len)
                              : NULL;

        f->name = name;
        f->value = value;
        f->sensitive = (uint8_t)veil__sensitive_header(name);
        f->keep = r != NULL && r->keep;
        f->rule = (int8_t)(r && !r->keep ? (int)r->action : -1);
        /* (asked once: the log record asks again for its [REDACTED]) */
        f->looks_secret =
            !f->sensitive && !f->keep && veil_value_looks_secret(value.ptr, value.len);
        f->kept_asis = f->sensitive || route_field(name) || f->looks_secret;
        /* A field name is a token (RFC 9110 section 5.1): no name or
           street address is written in one, and the names pass would
           read every capitalised name of every head as a word that may
           start a name. */
        f->red_name = (int)nv;
        vals[nv] = name;
        locs[nv++] = loc | VEIL__LOC_NO_NAMES;
        f->red_value = -1;
        if (!f->sensitive && f->rule < 0) {
            f->red_value = (int)nv;
            vals[nv] = value;
            /* Findings in a value that goes on as it came are counted
               apart: their transit action is observe. */
            /* An HTTP date (Date, Last-Modified, Expires: in every
               response) is inert: a day, a month, a year and a time alone
               on their line, where no date of birth has its context. */
            locs[nv++] = (f->kept_asis ? loc | VEIL__LOC_KEPT : loc) |
                         (http_date(value) ? VEIL__LOC_INERT : 0);
        }
    }

    const char *verdict = NULL;
    if (eng != NULL) {
        run_pass(hs, eng, actions, pd, veil__xchg_issues_placeholders(x, dir) ? x : NULL, vals,
                 locs, nv, &x->findings, NULL, &hs->log);
    }
    if (eng != NULL && veil_h1_next_header(hf->head, hf->head_len, &pos, &name, &value)) {
        hs->log.ok = 0; /* fields beyond the count: not read whole */
    }
    hs->ok = hs->log.ok;
    if (held && !(hs->log.ok && hs->log.path_ok && hs->log.query_ok)) {
        /* Not read whole: it cannot be judged, nor rewritten. */
        verdict = "blocked_uninspectable";
    } else if (held && pd->mode == VEIL_MODE_BLOCK) {
        verdict = blocks(x, pd, dir) ? "blocked_by_policy" : NULL;
    } else if (held && (pd->mode == VEIL_MODE_REDACT || pd->mode == VEIL_MODE_TOKENIZE)) {
        if (pd->mode == VEIL_MODE_REDACT && !veil__dir_tokenizes(pd)) {
            /* The log's copy was made with the very actions of transit. */
            verdict = build_forward(hs, pd, &hs->log) ? "blocked_unrewritable" : NULL;
        } else {
            /* A pass of its own for what goes on: mode tokenize's actions,
               or mode redact's when they write tokens, which are counted
               here (the log's pass also writes tokens for the values that
               go on as they came, and for the request id). */
            uint8_t *acts = pd->mode == VEIL_MODE_TOKENIZE ? token_actions(pd) : NULL;
            veil_h1_span_t *red = calloc(nv ? nv : 1, sizeof(*red));
            veil_h1_span_t *tv = malloc((nv ? nv : 1) * sizeof(*tv));
            pass_t tp;

            pass_init(&tp, red);
            if ((acts != NULL || pd->mode == VEIL_MODE_REDACT) && red != NULL && tv != NULL) {
                for (size_t i = 0; i < nv; i++) {
                    /* Kept values (and veil's own request id) are no part
                       of what goes on rewritten: not read, not counted. */
                    tv[i] = (locs[i] & VEIL__LOC_KEPT) || (hs->request && i == 1)
                                ? (veil_h1_span_t){"", 0}
                                : vals[i];
                }
                run_pass(hs, pd->engine, acts ? acts : pd->actions, pd,
                         pd->mode == VEIL_MODE_REDACT && veil__xchg_issues_placeholders(x, dir)
                             ? x
                             : NULL,
                         tv, locs, nv, NULL, pd->tokens ? veil__xchg_token_stats(x) : NULL, &tp);
                if (pd->tokens != NULL) {
                    veil__xchg_tokens_counted(x, pd->tokens);
                }
            }
            verdict = (acts == NULL && pd->mode == VEIL_MODE_TOKENIZE) || red == NULL ||
                              tv == NULL || build_forward(hs, pd, &tp)
                          ? "blocked_unrewritable"
                          : NULL;
            pass_dispose(&tp);
            free(tv);
            free(red);
            free(acts);
        }
    }
    return verdict;
}
