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
void veil__stats_exchange(veil_stats_shard_t *sh, unsigned route, const veil__xchg_t *x);
void veil__stats_rejected(veil_stats_shard_t *sh, const char *reason);

#define MAX_LOG_HEADERS 128

static const char *const loc_names[VEIL__LOC__COUNT] = {
    "url.path", "url.query", "request.headers", "request.body", "response.headers", "response.body",
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
        snprintf(cached, sizeof(cached), "\"%04d-%02d-%02dT%02d:%02d:%02d.", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
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


/* One of the record's own keys (a literal: no escape to look for; a
   record has dozens). The helpers below are inlined so that strlen() of
   a literal key is the compiler's. */
#define KEY(b, lit) veil_jbuf_name((b), (lit), sizeof(lit) - 1)

static inline __attribute__((always_inline)) void key_u64(veil_jbuf_t *b, const char *k, uint64_t v)
{
    veil_jbuf_name(b, k, strlen(k));
    veil_jbuf_u64(b, v);
}


static inline __attribute__((always_inline)) void key_str(veil_jbuf_t *b, const char *k,
                                                          const char *s, size_t n)
{
    veil_jbuf_name(b, k, strlen(k));
    veil_jbuf_str(b, s, n);
}


static inline __attribute__((always_inline)) void key_cstr(veil_jbuf_t *b, const char *k,
                                                           const char *s)
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


void veil__log_rejected(veil__worker_t *w, const veil__client_t *c, int status, const char *reason,
                        uint64_t t0_ns, uint64_t bytes_in, uint64_t bytes_out)
{
    veil_jbuf_t *b = &w->logbuf;
    char id[40];

    veil__request_id(w, id);
    veil_jbuf_reset(b);
    veil_jbuf_raw(b, "{", 1);
    KEY(b, "@timestamp");
    timestamp(b, now_ms());
    key_cstr(b, "http.request.id", id);
    key_cstr(b, "client.address", c->addr);
    key_u64(b, "http.response.status_code", (uint64_t)status);
    key_u64(b, "event.duration", t0_ns ? uv_hrtime() - t0_ns : 0);
    key_u64(b, "http.request.bytes", bytes_in);
    key_u64(b, "http.response.bytes", bytes_out);
    key_cstr(b, "event.outcome", "failure");
    key_cstr(b, "error.type", reason);
    KEY(b, "veil.findings");
    veil_jbuf_raw(b, "[]", 2);
    finish_line(w);
    if (w->shard != NULL) {
        veil__stats_rejected(w->shard, reason);
    }
}


/* A header value a rule names, transformed whole (as a finding of no
   detector: [PII] for label). */
static void write_rule_value(veil_jbuf_t *b, const veil__hfield_t *f, const veil_hash_key_t *key)
{
    char buf[512];
    const veil_h1_span_t *v = &f->value;
    long n;

    if (v->len * 2 + 64 > sizeof(buf)) {
        veil_jbuf_cstr(b, "[REDACTED]");
        return;
    }
    n = veil_transform_apply_info((veil_action_t)f->rule, NULL, UINT16_MAX, 0, v->ptr, v->len, key,
                                  buf, sizeof(buf));
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
static void write_headers(veil_jbuf_t *b, const veil__headscan_t *hs, const veil_hash_key_t *key)
{
    const veil_h1_span_t *red = hs->log.red, *nm;
    size_t i, j, k;
    char lc[256];

    veil_jbuf_raw(b, "{", 1);
    for (i = 0; i < hs->n; i++) {
        const veil__hfield_t *fi = &hs->f[i];
        int first = 1;

        for (j = 0; j < i; j++) {
            if (same_name(fi->name, hs->f[j].name)) {
                break;
            }
        }
        nm = &red[fi->red_name];
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
        for (j = i; j < hs->n; j++) {
            const veil__hfield_t *f = &hs->f[j];

            if (!same_name(fi->name, f->name)) {
                continue;
            }
            if (!first) {
                veil_jbuf_raw(b, ", ", 2);
            }
            first = 0;
            if (f->rule >= 0 && !f->sensitive) {
                write_rule_value(b, f, key);
            } else if (f->sensitive || f->looks_secret) {
                /* A credential by its name, or by its look whatever the
                   name (an API key in X-Custom-Thing), unless a rule
                   keeps this header. */
                veil_jbuf_cstr(b, "[REDACTED]");
            } else {
                const veil_h1_span_t *v = &red[f->red_value];

                veil_jbuf_esc(b, v->ptr, v->len);
            }
        }
        veil_jbuf_raw(b, "\"", 1);
    }
    veil_jbuf_raw(b, "}", 1);
}


static void write_body(veil_jbuf_t *b, int response, const veil__inspect_t *in, uint64_t bytes,
                       const veil__xchg_t *x)
{
    static const char *const keys[2][5] = {
        {"http.request.body.bytes", "http.request.body.content", "veil.request.body.truncated",
         "veil.request.body.omitted", "veil.request.body.parts_skipped"},
        {"http.response.body.bytes", "http.response.body.content", "veil.response.body.truncated",
         "veil.response.body.omitted", "veil.response.body.parts_skipped"},
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
            veil_jbuf_name(b, k[2], strlen(k[2]));
            veil_jbuf_cstr(b, "true");
        }
        if (in->parts_skipped > 0) {
            /* Multipart parts not inspected: a marker in the content. */
            key_u64(b, k[4], in->parts_skipped);
        }
    } else if (in->state == VEIL__INS_SKIPPED ||
               (in->state == VEIL__INS_DONE && in->skip != NULL) || in->state == VEIL__INS_ON) {
        key_cstr(b, k[3], in->skip ? in->skip : "incomplete");
    }
}


static void write_findings(veil_jbuf_t *b, const veil__xchg_t *x, const veil__findings_t *f,
                           const veil_engine_t *eng)
{
    unsigned i;

    KEY(b, "veil.findings");
    veil_jbuf_raw(b, "[", 1);
    for (i = 0; i < f->n; i++) {
        /* Custom detectors of a config follow the built-ins. */
        const veil_detector_info_t *d = eng ? veil_engine_detector(eng, f->kind[i].detector)
                                            : veil_catalog_get(f->kind[i].detector);

        if (i > 0) {
            veil_jbuf_raw(b, ",", 1);
        }
        veil_jbuf_raw(b, "{", 1);
        key_cstr(b, "detector", d ? d->id : "unknown");
        key_cstr(b, "category", d ? veil_category_name(d->category) : "unknown");
        key_cstr(b, "location", loc_names[f->kind[i].loc]);
        key_cstr(b, "action",
                 veil_stats_action_name(veil__transit_action(x, f->kind[i].loc, f->kind[i].detector,
                                                             f->kind[i].kept)));
        key_u64(b, "count", f->kind[i].count);
        veil_jbuf_raw(b, "}", 1);
    }
    veil_jbuf_raw(b, "]", 1);
    if (f->dropped > 0) {
        /* More (detector, location) kinds than the table holds. */
        key_u64(b, "veil.findings_not_listed", f->dropped);
    }
}


/* A request header rule with action keep names <lc>. */
static int header_kept(const veil__xchg_t *x, const char *lc)
{
    const veil_policy_dir_t *pd = x->policy ? &x->policy->dir[0] : NULL;
    const veil_field_rule_t *r =
        pd && pd->nfields ? veil_policy_field_rule(pd, VEIL_FIELD_HEADER, lc, strlen(lc)) : NULL;
    return r != NULL && r->keep;
}


/* A head that was not read: why its parts are missing from the record. */
static const char *omitted(const veil__headscan_t *hs)
{
    return hs != NULL ? hs->omitted : "engine_error";
}


void veil__log_exchange(veil__worker_t *w, veil__xchg_t *x)
{
    const veil__headscan_t *rq = x->half[0].hs, *rs = x->half[1].hs;
    const uint8_t *actions;
    const veil_engine_t *eng = veil__xchg_engine(w, x, 0, &actions);
    veil_jbuf_t *b = &w->logbuf;
    uint64_t end = uv_hrtime();
    int rq_ok = rq != NULL && rq->ok;

    if (w->shard != NULL) {
        /* Heads and bodies were inspected before: the counters are
           complete before the record is written. */
        veil__stats_exchange(w->shard, 0, x);
    }
    veil_jbuf_reset(b);
    veil_jbuf_raw(b, "{", 1);
    KEY(b, "@timestamp");
    timestamp(b, x->t_wall_ms);
    if (rq_ok && !x->reqid_generated && veil_value_looks_secret(x->reqid, strlen(x->reqid)) &&
        !header_kept(x, "x-request-id")) {
        /* The client's X-Request-Id reads as a credential: as its header. */
        key_cstr(b, "http.request.id", "[REDACTED]");
    } else if (rq_ok) {
        key_str(b, "http.request.id", rq->log.red[1].ptr, rq->log.red[1].len);
    } else if (x->reqid_generated) {
        key_cstr(b, "http.request.id", x->reqid); /* ours: no PII */
    }
    key_cstr(b, "client.address", x->c->addr);
    veil__log_tls(b, x->c, eng, actions, x->policy ? &x->policy->dir[0] : NULL);
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
    if (rq_ok && rq->log.path_ok) {
        key_str(b, "url.path", rq->log.pred.ptr, rq->log.pred.len);
    } else {
        key_cstr(b, "veil.url.omitted", omitted(rq));
    }
    if (rq != NULL && rq->has_query) {
        if (rq_ok && rq->log.query_ok) {
            key_str(b, "url.query", rq->log.qred.ptr, rq->log.qred.len);
        } else {
            key_cstr(b, "veil.url.query.omitted", omitted(rq));
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
        KEY(b, "veil.upgraded");
        veil_jbuf_cstr(b, "true");
    }
    if (rq_ok) {
        KEY(b, "http.request.headers");
        write_headers(b, rq, x->policy ? x->policy->dir[0].key : NULL);
    } else {
        key_cstr(b, "veil.request.headers.omitted", omitted(rq));
    }
    if (x->half[1].head != NULL) {
        if (rs != NULL && rs->ok) {
            KEY(b, "http.response.headers");
            write_headers(b, rs, x->policy ? x->policy->dir[1].key : NULL);
        } else {
            key_cstr(b, "veil.response.headers.omitted", omitted(rs));
        }
    }
    if (x->half[0].body != VEIL_H1_BODY_NONE) {
        write_body(b, 0, &x->half[0].ins, x->half[0].ins.raw_bytes, x);
    }
    if (x->half[1].head != NULL && x->half[1].body != VEIL_H1_BODY_NONE && !x->tunnel) {
        write_body(b, 1, &x->half[1].ins, x->half[1].ins.raw_bytes, x);
    }
    if (x->ph != NULL) {
        /* The round trip: how many values went as placeholders, and how
           many came back and were restored (never the values). */
        key_u64(b, "veil.placeholders.issued", veil__ph_count(x->ph));
        key_u64(b, "veil.placeholders.restored", x->restore.restored);
        key_u64(b, "veil.placeholders.unknown", x->restore.unknown);
    }
    write_findings(b, x, &x->findings, eng);
    finish_line(w);
}
