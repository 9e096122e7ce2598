/*
 * The access-log record: one JSON line per exchange, ECS-style names.
 *
 * Everything that came from the wire and may carry personal data (path,
 * query, header values, bodies, the request id) is written only after the
 * engine redacted it; when it could not be redacted it is left out and the
 * record says so. Findings are written as counts, never values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "proxy_int.h"
#include "veil/credentials.h"
#include "veil/stats.h"

/* The counters' side of a record (proxy/net/stats_hook.c). */
void veil__stats_exchange(veil_stats_shard_t *sh, unsigned route,
                          const veil__xchg_t *x);
void veil__stats_rejected(veil_stats_shard_t *sh, const char *reason);

#define MAX_LOG_HEADERS 128

static const char *const loc_names[VEIL__LOC__COUNT] = {
    "url.path", "url.query", "request.headers", "request.body",
    "response.headers", "response.body",
};


/* ISO 8601 in UTC with milliseconds. The part up to the seconds is
   formatted once per second per thread: gmtime_r and snprintf for every
   record showed in the proxy's profile. */
static void timestamp(veil_jbuf_t *b, int64_t ms)
{
    static _Thread_local int64_t cached_sec = -1;
    static _Thread_local char cached[48];
    int64_t sec = ms / 1000;
    unsigned frac = (unsigned)(ms % 1000);
    char buf[32];

    if (sec != cached_sec) {
        time_t s = (time_t)sec;
        struct tm tm;

        gmtime_r(&s, &tm);
        snprintf(cached, sizeof(cached), "\"%04d-%02d-%02dT%02d:%02d:%02d.",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                 tm.tm_min, tm.tm_sec);
        cached_sec = sec;
    }
    size_t n = strlen(cached);
    memcpy(buf, cached, n);
    buf[n++] = (char)('0' + frac / 100);
    buf[n++] = (char)('0' + frac / 10 % 10);
    buf[n++] = (char)('0' + frac % 10);
    buf[n++] = 'Z';
    buf[n++] = '"';
    veil_jbuf_raw(b, buf, n);
}


static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}


static void key_u64(veil_jbuf_t *b, const char *k, uint64_t v)
{
    veil_jbuf_key(b, k);
    veil_jbuf_u64(b, v);
}


static void key_str(veil_jbuf_t *b, const char *k, const char *s, size_t n)
{
    veil_jbuf_key(b, k);
    veil_jbuf_str(b, s, n);
}


static void key_cstr(veil_jbuf_t *b, const char *k, const char *s)
{
    key_str(b, k, s, strlen(s));
}


static void finish_line(veil__worker_t *w)
{
    veil_jbuf_t *b = &w->logbuf;

    veil_jbuf_raw(b, "}\n", 2);
    if (b->overflow) {
        /* Never write a partial record: write a minimal one instead. */
        veil_jbuf_reset(b);
        veil_jbuf_cstr(b, "{\"error.type\":\"log_record_too_large\"}\n");
    }
    if (veil_log_write_batched(w->log, b->data, b->len) != 0) {
        /* Nothing sensible to do per line; the sink reports on reopen. */
    }
    veil_jbuf_reset(b);
}


void veil__log_rejected(veil__worker_t *w, const veil__client_t *c,
                        int status, const char *reason, uint64_t t0_ns,
                        uint64_t bytes_in, uint64_t bytes_out)
{
    veil_jbuf_t *b = &w->logbuf;
    char id[40];

    snprintf(id, sizeof(id), "%016llx%016llx",
             (unsigned long long)veil__rand64(w),
             (unsigned long long)veil__rand64(w));
    veil_jbuf_reset(b);
    veil_jbuf_raw(b, "{", 1);
    veil_jbuf_key(b, "@timestamp");
    timestamp(b, now_ms());
    key_cstr(b, "http.request.id", id);
    key_cstr(b, "client.address", c->addr);
    key_u64(b, "http.response.status_code", (uint64_t)status);
    key_u64(b, "event.duration", t0_ns ? uv_hrtime() - t0_ns : 0);
    key_u64(b, "http.request.bytes", bytes_in);
    key_u64(b, "http.response.bytes", bytes_out);
    key_cstr(b, "event.outcome", "failure");
    key_cstr(b, "error.type", reason);
    veil_jbuf_key(b, "veil.findings");
    veil_jbuf_raw(b, "[]", 2);
    finish_line(w);
    if (w->shard != NULL) {
        veil__stats_rejected(w->shard, reason);
    }
}


/* Headers of one head, for the log. */
typedef struct hdrs {
    veil_h1_span_t name[MAX_LOG_HEADERS];
    veil_h1_span_t value[MAX_LOG_HEADERS];
    int sensitive[MAX_LOG_HEADERS];
    int rule[MAX_LOG_HEADERS];       /* a field rule's action, or -1 */
    int keep[MAX_LOG_HEADERS];       /* a rule with action keep names it */
    const veil_hash_key_t *key;      /* for a rule's hash action */
    int scan_index[MAX_LOG_HEADERS]; /* index among the scanned values */
    int name_index[MAX_LOG_HEADERS]; /* index of the scanned name */
    size_t n;
} hdrs_t;


/* The headers of a head, with the header rules of policy direction <pd>
   (NULL: none): a value a rule names is transformed whole, not scanned. */
static void collect(hdrs_t *h, const char *head, size_t len, const veil_policy_dir_t *pd)
{
    veil_h1_span_t name, value;
    size_t pos = 0;

    h->n = 0;
    h->key = pd ? pd->key : NULL;
    while (h->n < MAX_LOG_HEADERS &&
           veil_h1_next_header(head, len, &pos, &name, &value)) {
        const veil_field_rule_t *r =
            pd && pd->nfields ? veil_policy_field_rule(pd, VEIL_FIELD_HEADER, name.ptr, name.len)
                              : NULL;
        h->name[h->n] = name;
        h->value[h->n] = value;
        h->sensitive[h->n] = veil__sensitive_header(name);
        h->keep[h->n] = r != NULL && r->keep;
        h->rule[h->n] = r && !r->keep ? (int)r->action : -1;
        h->n++;
    }
}


/* A header value a rule names, transformed whole (as a finding of no
   detector: [PII] for label). */
static void write_rule_value(veil_jbuf_t *b, const hdrs_t *h, size_t j)
{
    char buf[512];
    const veil_h1_span_t *v = &h->value[j];
    long n;

    if (v->len * 2 + 64 > sizeof(buf)) {
        veil_jbuf_cstr(b, "[REDACTED]");
        return;
    }
    n = veil_transform_apply_info((veil_action_t)h->rule[j], NULL, UINT16_MAX, 0, v->ptr,
                                  v->len, h->key, buf, sizeof(buf));
    if (n < 0) {
        veil_jbuf_cstr(b, "[REDACTED]");
    } else {
        veil_jbuf_esc(b, buf, (size_t)n);
    }
    explicit_bzero(buf, sizeof(buf)); /* a mask keeps separators only */
}


static int same_name(veil_h1_span_t a, veil_h1_span_t b)
{
    return a.len == b.len && strncasecmp(a.ptr, b.ptr, a.len) == 0;
}


/* Writes {"name":"redacted value",...}; duplicate names are joined. */
static void write_headers(veil_jbuf_t *b, const hdrs_t *h,
                          const veil_h1_span_t *red)
{
    const veil_h1_span_t *nm;
    size_t i, j, k;
    char lc[256];

    veil_jbuf_raw(b, "{", 1);
    for (i = 0; i < h->n; i++) {
        int first = 1;

        for (j = 0; j < i; j++) {
            if (same_name(h->name[i], h->name[j])) {
                break;
            }
        }
        nm = &red[h->name_index[i]];
        if (j < i || nm->len >= sizeof(lc)) {
            continue;
        }
        /* The name as redacted: a token can still carry a number. */
        for (k = 0; k < nm->len; k++) {
            char ch = nm->ptr[k];

            lc[k] = (ch >= 'A' && ch <= 'Z') ? (char)(ch + 32) : ch;
        }
        lc[k] = '\0';
        veil_jbuf_key(b, lc);
        veil_jbuf_raw(b, "\"", 1);
        for (j = i; j < h->n; j++) {
            if (!same_name(h->name[i], h->name[j])) {
                continue;
            }
            if (!first) {
                veil_jbuf_raw(b, ", ", 2);
            }
            first = 0;
            if (h->rule[j] >= 0 && !h->sensitive[j]) {
                write_rule_value(b, h, j);
            } else if (h->sensitive[j] ||
                       (!h->keep[j] && veil_value_looks_secret(h->value[j].ptr, h->value[j].len))) {
                /* A credential by its name, or by its look whatever the
                   name (an API key in X-Custom-Thing), unless a rule
                   keeps this header. */
                veil_jbuf_cstr(b, "[REDACTED]");
            } else {
                const veil_h1_span_t *v = &red[h->scan_index[j]];

                veil_jbuf_esc(b, v->ptr, v->len);
            }
        }
        veil_jbuf_raw(b, "\"", 1);
    }
    veil_jbuf_raw(b, "}", 1);
}


static void write_body(veil_jbuf_t *b, int response,
                       const veil__inspect_t *in, uint64_t bytes,
                       const veil__xchg_t *x)
{
    static const char *const keys[2][5] = {
        {"http.request.body.bytes", "http.request.body.content",
         "veil.request.body.truncated", "veil.request.body.omitted",
         "veil.request.body.parts_skipped"},
        {"http.response.body.bytes", "http.response.body.content",
         "veil.response.body.truncated", "veil.response.body.omitted",
         "veil.response.body.parts_skipped"},
    };
    const char *const *k = keys[response ? 1 : 0];

    key_u64(b, k[0], bytes);
    /* body_log none keeps the body out; so does allow for a body without
       fields (text): only JSON and form bodies have the places it names
       (their other values were emptied by the engine, veil__log_rules). */
    if (x->policy != NULL) {
        veil_body_log_t bl = x->policy->dir[response ? 1 : 0].body_log;
        if (bl == VEIL_BODY_LOG_NONE ||
            (bl == VEIL_BODY_LOG_ALLOWLIST && in->format == VEIL_FMT_TEXT)) {
            key_cstr(b, k[3], "policy");
            return;
        }
    }
    if (in->state == VEIL__INS_DONE && in->skip == NULL) {
        key_str(b, k[1], in->log.data ? in->log.data : "", in->log.len);
        if (in->truncated) {
            veil_jbuf_key(b, k[2]);
            veil_jbuf_cstr(b, "true");
        }
        if (in->parts_skipped > 0) {
            /* Multipart parts not inspected: a marker in the content. */
            key_u64(b, k[4], in->parts_skipped);
        }
    } else if (in->state == VEIL__INS_SKIPPED ||
               (in->state == VEIL__INS_DONE && in->skip != NULL) ||
               in->state == VEIL__INS_ON) {
        key_cstr(b, k[3], in->skip ? in->skip : "incomplete");
    }
}


static void write_findings(veil_jbuf_t *b, const veil__xchg_t *x, const veil__findings_t *f,
                           const veil_engine_t *eng)
{
    unsigned i;

    veil_jbuf_key(b, "veil.findings");
    veil_jbuf_raw(b, "[", 1);
    for (i = 0; i < f->n; i++) {
        /* Custom detectors of a config follow the built-ins. */
        const veil_detector_info_t *d =
            eng ? veil_engine_detector(eng, f->kind[i].detector)
                : veil_catalog_get(f->kind[i].detector);

        if (i > 0) {
            veil_jbuf_raw(b, ",", 1);
        }
        veil_jbuf_raw(b, "{", 1);
        key_cstr(b, "detector", d ? d->id : "unknown");
        key_cstr(b, "category", d ? veil_category_name(d->category) : "unknown");
        key_cstr(b, "location", loc_names[f->kind[i].loc]);
        key_cstr(b, "action",
                 veil_stats_action_name(veil__transit_action(x, f->kind[i].loc,
                                                             f->kind[i].detector)));
        key_u64(b, "count", f->kind[i].count);
        veil_jbuf_raw(b, "}", 1);
    }
    veil_jbuf_raw(b, "]", 1);
    if (f->dropped > 0) {
        /* More (detector, location) kinds than the table holds. */
        key_u64(b, "veil.findings_not_listed", f->dropped);
    }
}


/* ---- the path, read through two levels of percent-encoding ---- */

static int hexv(int c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
}

/* %XX decoded once ('+' is no space in a path); returns the length. */
static size_t pct_decode(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int h, l;
        if (s[i] == '%' && i + 2 < n &&
            (h = hexv((unsigned char)s[i + 1])) >= 0 && (l = hexv((unsigned char)s[i + 2])) >= 0) {
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
        if (c <= 0x20 || c >= 0x7f || c == '/' || c == '?' || c == '#' || c == '%' ||
            c == '"' || c == '\\') {
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
 * The path as logged when it holds '%': each segment with an escape is
 * also read decoded, up to two levels (%2540 is '@': a client or a filter
 * that encoded an encoded path), and scanned. A segment whose decoded form
 * holds a finding is written as its decoded form redacted (re-escaped
 * where it would change the path), whole: mapping spans back through two
 * levels of decoding to the raw bytes is not attempted. Every other
 * segment is written as the engine redacted the raw path. Findings of a
 * decoded segment count unless the raw pass changed that segment (then
 * they were counted there). Returns 0, or -1 (engine error: omit the
 * path). <red> is the raw path as redacted.
 */
static int redact_path_decoded(const veil_engine_t *eng, const uint8_t *actions,
                               const veil_hash_key_t *key, veil_h1_span_t path,
                               veil_h1_span_t red, veil__findings_t *findings, veil_jbuf_t *out)
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
        if (veil__redact_lines(eng, actions, key, VEIL_FMT_TEXT, &dspan, 1, &tmp, &rd, &loc, &f,
                               NULL, NULL) != 0) {
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
        if (!aligned || (rseg.len == seg.len && memcmp(rseg.ptr, seg.ptr, seg.len) == 0)) {
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


/* A request header rule with action keep names <lc>. */
static int header_kept(const veil__xchg_t *x, const char *lc)
{
    const veil_policy_dir_t *pd = x->policy ? &x->policy->dir[0] : NULL;
    const veil_field_rule_t *r =
        pd && pd->nfields ? veil_policy_field_rule(pd, VEIL_FIELD_HEADER, lc, strlen(lc)) : NULL;
    return r != NULL && r->keep;
}


void veil__log_exchange(veil__worker_t *w, veil__xchg_t *x)
{
    const uint8_t *actions;
    const veil_engine_t *eng = veil__xchg_engine(w, x, 0, &actions);
    const veil_hash_key_t *key = x->policy ? x->policy->dir[0].key : NULL;
    veil_jbuf_t *b = &w->logbuf;
    static __thread hdrs_t rqh, rsh;
    static __thread veil_h1_span_t vals[VEIL__MAX_LINES], red[VEIL__MAX_LINES];
    static __thread int locs[VEIL__MAX_LINES];
    veil_h1_span_t path, query = {NULL, 0}, qred;
    veil_jbuf_t out, qout;
    size_t nv = 0, i;
    int rq_ok, rs_ok, q_ok = 1;
    uint64_t end = uv_hrtime();

    /* Path and query from the request target. */
    path = x->half[0].h.target_form == VEIL_H1_TARGET_ABSOLUTE ? x->half[0].h.path
                                                        : x->half[0].h.target;
    for (i = 0; i < path.len; i++) {
        if (path.ptr[i] == '?') {
            query.ptr = path.ptr + i + 1;
            query.len = path.len - i - 1;
            path.len = i;
            break;
        }
    }

    /* Path, request id, header names and values of both heads: one
       engine pass; the query (form syntax) is a second one. */
    collect(&rqh, x->half[0].head, x->half[0].head_len, x->policy ? &x->policy->dir[0] : NULL);
    vals[nv] = path;
    locs[nv++] = VEIL__LOC_URL_PATH;
    vals[nv].ptr = x->reqid;
    vals[nv].len = strlen(x->reqid);
    locs[nv++] = VEIL__LOC_REQ_HEADERS;
    for (i = 0; i < rqh.n; i++) {
        rqh.name_index[i] = (int)nv;
        vals[nv] = rqh.name[i];
        locs[nv++] = VEIL__LOC_REQ_HEADERS;
        if (!rqh.sensitive[i] && rqh.rule[i] < 0) {
            rqh.scan_index[i] = (int)nv;
            vals[nv] = rqh.value[i];
            locs[nv++] = VEIL__LOC_REQ_HEADERS;
        }
    }
    rsh.n = 0;
    if (x->half[1].head != NULL) {
        collect(&rsh, x->half[1].head, x->half[1].head_len, x->policy ? &x->policy->dir[1] : NULL);
        for (i = 0; i < rsh.n; i++) {
            rsh.name_index[i] = (int)nv;
            vals[nv] = rsh.name[i];
            locs[nv++] = VEIL__LOC_RSP_HEADERS;
            if (!rsh.sensitive[i] && rsh.rule[i] < 0) {
                rsh.scan_index[i] = (int)nv;
                vals[nv] = rsh.value[i];
                locs[nv++] = VEIL__LOC_RSP_HEADERS;
            }
        }
    }
    veil_jbuf_init(&out, 1024 * 1024);
    rq_ok = veil__redact_lines(eng, actions, key, VEIL_FMT_TEXT, vals, nv, &out, red, locs,
                               &x->findings, NULL, NULL) == 0;
    rs_ok = rq_ok;
    veil_jbuf_init(&qout, 64 * 1024);
    if (query.ptr != NULL) {
        int ql = VEIL__LOC_URL_QUERY;

        const veil_policy_dir_t *pd = x->policy ? &x->policy->dir[0] : NULL;
        q_ok = veil__redact_lines(eng, actions, key, VEIL_FMT_FORM, &query, 1, &qout, &qred,
                                  &ql, &x->findings, pd && pd->nfields ? veil__query_rules : NULL,
                                  (void *)pd) == 0;
    }

    veil_jbuf_reset(b);
    veil_jbuf_raw(b, "{", 1);
    veil_jbuf_key(b, "@timestamp");
    timestamp(b, x->t_wall_ms);
    if (rq_ok && !x->reqid_generated && veil_value_looks_secret(x->reqid, strlen(x->reqid)) &&
        !header_kept(x, "x-request-id")) {
        /* The client's X-Request-Id reads as a credential: as its header. */
        key_cstr(b, "http.request.id", "[REDACTED]");
    } else if (rq_ok) {
        key_str(b, "http.request.id", red[1].ptr, red[1].len);
    } else if (x->reqid_generated) {
        key_cstr(b, "http.request.id", x->reqid); /* ours: no PII */
    }
    key_cstr(b, "client.address", x->c->addr);
    veil__log_tls(b, x->c, eng, actions, key);
    key_str(b, "http.request.method", x->half[0].h.method.ptr, x->half[0].h.method.len);
    key_cstr(b, "http.version", x->half[0].h.version_minor ? "1.1" : "1.0");
    if (x->route != NULL) {
        /* veil run -c: which route and policy decided (purpose limitation). */
        key_cstr(b, "veil.route", x->route->name);
        if (x->up != NULL) {
            key_cstr(b, "veil.upstream", x->up->name);
        }
        key_cstr(b, "veil.policy", x->policy->name);
        if (x->route->purpose != NULL) {
            key_cstr(b, "veil.purpose", x->route->purpose);
        }
    }
    if (rq_ok && memchr(path.ptr, '%', path.len) != NULL) {
        veil_jbuf_t pbuf;
        veil_jbuf_init(&pbuf, 64 * 1024);
        if (redact_path_decoded(eng, actions, key, path, red[0], &x->findings, &pbuf) == 0) {
            key_str(b, "url.path", pbuf.data ? pbuf.data : "", pbuf.len);
        } else {
            key_cstr(b, "veil.url.omitted", "engine_error");
        }
        veil_jbuf_dispose(&pbuf);
    } else if (rq_ok) {
        key_str(b, "url.path", red[0].ptr, red[0].len);
    } else {
        key_cstr(b, "veil.url.omitted",
                 eng ? "engine_error" : "inspection_off");
    }
    if (query.ptr != NULL) {
        if (q_ok) {
            key_str(b, "url.query", qred.ptr, qred.len);
        } else {
            key_cstr(b, "veil.url.query.omitted",
                     eng ? "engine_error" : "inspection_off");
        }
    }
    if (x->status > 0) {
        key_u64(b, "http.response.status_code", (uint64_t)x->status);
    }
    key_u64(b, "event.duration", end - x->t_start_ns);
    if (x->t_up_start_ns != 0) {
        uint64_t ue = x->t_up_end_ns ? x->t_up_end_ns : end;

        key_u64(b, "veil.upstream.duration", ue - x->t_up_start_ns);
    }
    key_u64(b, "http.request.bytes", x->bytes_in);
    key_u64(b, "http.response.bytes", x->bytes_out);
    key_cstr(b, "event.outcome", x->error ? "failure" : "success");
    if (x->error != NULL) {
        key_cstr(b, "error.type", x->error);
    }
    if (x->tunnel) {
        veil_jbuf_key(b, "veil.upgraded");
        veil_jbuf_cstr(b, "true");
    }
    if (rq_ok) {
        veil_jbuf_key(b, "http.request.headers");
        write_headers(b, &rqh, red);
    } else {
        key_cstr(b, "veil.request.headers.omitted",
                 eng ? "engine_error" : "inspection_off");
    }
    if (x->half[1].head != NULL) {
        if (rs_ok) {
            veil_jbuf_key(b, "http.response.headers");
            write_headers(b, &rsh, red);
        } else {
            key_cstr(b, "veil.response.headers.omitted",
                     eng ? "engine_error" : "inspection_off");
        }
    }
    if (x->half[0].body != VEIL_H1_BODY_NONE) {
        write_body(b, 0, &x->half[0].ins, x->half[0].ins.raw_bytes, x);
    }
    if (x->half[1].head != NULL && x->half[1].body != VEIL_H1_BODY_NONE &&
        !x->tunnel) {
        write_body(b, 1, &x->half[1].ins, x->half[1].ins.raw_bytes, x);
    }
    write_findings(b, x, &x->findings, eng);
    finish_line(w);
    if (w->shard != NULL) {
        /* After the record: findings in the heads are known only now. */
        veil__stats_exchange(w->shard, 0, x);
    }

    veil_jbuf_dispose(&out);
    veil_jbuf_dispose(&qout);
}
