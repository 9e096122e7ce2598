/*
 * Renderers of a stats snapshot: the /stats JSON document and the
 * /metrics Prometheus text (exposition format 0.0.4).
 *
 * Only non-zero series are written for the large families (findings,
 * requests), so the output grows with what happened, not with the
 * product of every label set. Label values come from bounded tables and
 * configured route names; they are escaped all the same.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "veil/stats.h"
#include "stats_tokens.h"

#define M VEIL_STATS_M__COUNT
#define CODES VEIL_STATS_CODE__COUNT
#define LOCS VEIL_STATS_LOC__COUNT
#define ACTS VEIL_STATS_ACT__COUNT
#define DIRS VEIL_STATS_DIR__COUNT
#define LATS VEIL_STATS_LAT__COUNT
#define NB (VEIL_STATS_BUCKETS + 1)


static int rawf(veil_jbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int rawf(veil_jbuf_t *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        return -EINVAL;
    }
    return veil_jbuf_raw(b, tmp, (size_t)n);
}


static uint64_t total(const uint64_t *a, size_t n)
{
    uint64_t t = 0;

    for (size_t i = 0; i < n; i++) {
        t += a[i];
    }
    return t;
}


/* ---- JSON ---- */

static void jkey_str(veil_jbuf_t *b, const char *k, const char *v)
{
    veil_jbuf_key(b, k);
    veil_jbuf_str(b, v, strlen(v));
}


static void jkey_u64(veil_jbuf_t *b, const char *k, uint64_t v)
{
    veil_jbuf_key(b, k);
    veil_jbuf_u64(b, v);
}


static void jkey_num(veil_jbuf_t *b, const char *k, double v)
{
    veil_jbuf_key(b, k);
    rawf(b, "%.3f", v);
}


/* Starts one object of an array ("[" or "," before it). */
static void jobj(veil_jbuf_t *b)
{
    if (b->len > 0 && b->data[b->len - 1] != '[') {
        veil_jbuf_raw(b, ",", 1);
    }
    veil_jbuf_raw(b, "{", 1);
}


static void json_detectors(const veil_stats_snapshot_t *sn, veil_jbuf_t *b)
{
    veil_jbuf_key(b, "detectors");
    veil_jbuf_raw(b, "[", 1);
    for (size_t d = 0; d < sn->ndet; d++) {
        uint64_t n = 0;
        char regs[64];

        /* Only detectors that found something: the report needs their
           category and regulations, the rest is noise. */
        for (size_t r = 0; r < sn->nroutes; r++) {
            for (size_t l = 0; l < LOCS; l++) {
                n += total(sn->findings + ((r * LOCS + l) * sn->ndet + d) * ACTS, ACTS);
            }
        }
        if (n == 0) {
            continue;
        }
        jobj(b);
        jkey_str(b, "id", sn->det[d].id);
        jkey_str(b, "category", veil_category_name(sn->det[d].category));
        veil_regulations_format(sn->det[d].regulations, regs, sizeof(regs));
        jkey_str(b, "regulations", regs);
        jkey_u64(b, "count", n);
        veil_jbuf_raw(b, "}", 1);
    }
    veil_jbuf_raw(b, "]", 1);
}


int veil_stats_json(const veil_stats_snapshot_t *sn, veil_jbuf_t *b)
{
    size_t R = sn->nroutes, D = sn->ndet;
    size_t nskip = veil_stats_table_count(VEIL_STATS_T_SKIP);
    size_t nrej = veil_stats_table_count(VEIL_STATS_T_REJECT);
    size_t nup = veil_stats_table_count(VEIL_STATS_T_UPSTREAM);

    veil_jbuf_raw(b, "{", 1);
    jkey_u64(b, "format", 1);
    jkey_str(b, "veil_version", "0.1.0");
    jkey_num(b, "start_time", sn->start_time);
    jkey_num(b, "now", sn->now);
    veil_jbuf_key(b, "config");
    veil_jbuf_raw(b, "{", 1);
    jkey_str(b, "id", sn->config_id);
    jkey_num(b, "loaded_at", sn->config_time);
    veil_jbuf_raw(b, "}", 1);

    veil_jbuf_key(b, "routes");
    veil_jbuf_raw(b, "[", 1);
    for (size_t r = 0; r < R; r++) {
        if (r > 0) {
            veil_jbuf_raw(b, ",", 1);
        }
        veil_jbuf_str(b, sn->routes[r], strlen(sn->routes[r]));
    }
    veil_jbuf_raw(b, "]", 1);

    veil_jbuf_key(b, "totals");
    veil_jbuf_raw(b, "{", 1);
    jkey_u64(b, "requests", total(sn->requests, R * M * CODES));
    jkey_u64(b, "findings", total(sn->findings, R * LOCS * D * ACTS));
    jkey_u64(b, "inspected_bytes", total(sn->inspected, R * DIRS));
    jkey_u64(b, "not_inspected", total(sn->skipped, R * DIRS * nskip));
    jkey_u64(b, "rejected", total(sn->rejected, nrej));
    jkey_u64(b, "blocked", total(sn->blocked, R * VEIL_CAT__COUNT));
    jkey_u64(b, "upstream_errors", total(sn->upstream, R * nup));
    veil_jbuf_raw(b, "}", 1);

    veil_jbuf_key(b, "requests");
    veil_jbuf_raw(b, "[", 1);
    for (size_t r = 0; r < R; r++) {
        for (int m = 0; m < M; m++) {
            for (int c = 0; c < CODES; c++) {
                uint64_t n = sn->requests[(r * M + (size_t)m) * CODES + (size_t)c];

                if (n == 0) {
                    continue;
                }
                jobj(b);
                jkey_str(b, "route", sn->routes[r]);
                jkey_str(b, "method", veil_stats_method_name(m));
                jkey_str(b, "code", veil_stats_code_name(c));
                jkey_u64(b, "count", n);
                veil_jbuf_raw(b, "}", 1);
            }
        }
    }
    veil_jbuf_raw(b, "]", 1);

    veil_jbuf_key(b, "findings");
    veil_jbuf_raw(b, "[", 1);
    for (size_t r = 0; r < R; r++) {
        for (int l = 0; l < LOCS; l++) {
            for (size_t d = 0; d < D; d++) {
                for (int a = 0; a < ACTS; a++) {
                    uint64_t n = sn->findings[((r * LOCS + (size_t)l) * D + d) * ACTS + (size_t)a];

                    if (n == 0) {
                        continue;
                    }
                    jobj(b);
                    jkey_str(b, "route", sn->routes[r]);
                    jkey_str(b, "direction", veil_stats_dir_name(veil_stats_loc_dir(l)));
                    jkey_str(b, "location", veil_stats_loc_name(l));
                    jkey_str(b, "detector", sn->det[d].id);
                    jkey_str(b, "category", veil_category_name(sn->det[d].category));
                    jkey_str(b, "action", veil_stats_action_name(a));
                    jkey_u64(b, "count", n);
                    veil_jbuf_raw(b, "}", 1);
                }
            }
        }
    }
    veil_jbuf_raw(b, "]", 1);
    json_detectors(sn, b);

    veil_jbuf_key(b, "inspected_bytes");
    veil_jbuf_raw(b, "[", 1);
    for (size_t r = 0; r < R; r++) {
        for (int d = 0; d < DIRS; d++) {
            jobj(b);
            jkey_str(b, "route", sn->routes[r]);
            jkey_str(b, "direction", veil_stats_dir_name(d));
            jkey_u64(b, "bytes", sn->inspected[r * DIRS + (size_t)d]);
            veil_jbuf_raw(b, "}", 1);
        }
    }
    veil_jbuf_raw(b, "]", 1);

    veil_jbuf_key(b, "not_inspected");
    veil_jbuf_raw(b, "[", 1);
    for (size_t r = 0; r < R; r++) {
        for (int d = 0; d < DIRS; d++) {
            for (size_t k = 0; k < nskip; k++) {
                uint64_t n = sn->skipped[(r * DIRS + (size_t)d) * nskip + k];

                if (n == 0) {
                    continue;
                }
                jobj(b);
                jkey_str(b, "route", sn->routes[r]);
                jkey_str(b, "direction", veil_stats_dir_name(d));
                jkey_str(b, "reason", veil_stats_table_name(VEIL_STATS_T_SKIP, k));
                jkey_u64(b, "count", n);
                veil_jbuf_raw(b, "}", 1);
            }
        }
    }
    veil_jbuf_raw(b, "]", 1);

    veil_jbuf_key(b, "rejected");
    veil_jbuf_raw(b, "[", 1);
    for (size_t k = 0; k < nrej; k++) {
        if (sn->rejected[k] == 0) {
            continue;
        }
        jobj(b);
        jkey_str(b, "reason", veil_stats_table_name(VEIL_STATS_T_REJECT, k));
        jkey_u64(b, "count", sn->rejected[k]);
        veil_jbuf_raw(b, "}", 1);
    }
    veil_jbuf_raw(b, "]", 1);

    veil_jbuf_key(b, "blocked");
    veil_jbuf_raw(b, "[", 1);
    for (size_t r = 0; r < R; r++) {
        for (int c = 0; c < VEIL_CAT__COUNT; c++) {
            uint64_t n = sn->blocked[r * VEIL_CAT__COUNT + (size_t)c];

            if (n == 0) {
                continue;
            }
            jobj(b);
            jkey_str(b, "route", sn->routes[r]);
            jkey_str(b, "category", veil_category_name((veil_category_t)c));
            jkey_u64(b, "count", n);
            veil_jbuf_raw(b, "}", 1);
        }
    }
    veil_jbuf_raw(b, "]", 1);

    veil_jbuf_key(b, "upstream_errors");
    veil_jbuf_raw(b, "[", 1);
    for (size_t r = 0; r < R; r++) {
        for (size_t k = 0; k < nup; k++) {
            uint64_t n = sn->upstream[r * nup + k];

            if (n == 0) {
                continue;
            }
            jobj(b);
            jkey_str(b, "route", sn->routes[r]);
            jkey_str(b, "kind", veil_stats_table_name(VEIL_STATS_T_UPSTREAM, k));
            jkey_u64(b, "count", n);
            veil_jbuf_raw(b, "}", 1);
        }
    }
    veil_jbuf_raw(b, "]", 1);

    veil_stats_tls_json(sn, b);

    veil_jbuf_key(b, "reloads");
    veil_jbuf_raw(b, "{", 1);
    for (int k = 0; k < VEIL_STATS_RELOAD__COUNT; k++) {
        jkey_u64(b, veil_stats_reload_name(k), sn->reloads[k]);
    }
    veil_jbuf_raw(b, "}", 1);

    veil_jbuf_key(b, "access_log_dropped");
    veil_jbuf_raw(b, "{", 1);
    for (int k = 0; k < VEIL_STATS_LOGDROP__COUNT; k++) {
        jkey_u64(b, veil_stats_logdrop_name(k), sn->log_dropped[k]);
    }
    veil_jbuf_raw(b, "}", 1);

    veil_jbuf_key(b, "latency");
    veil_jbuf_raw(b, "[", 1);
    for (size_t r = 0; r < R; r++) {
        for (int k = 0; k < LATS; k++) {
            size_t h = r * LATS + (size_t)k;
            uint64_t cum = 0;

            if (sn->lat_count[h] == 0) {
                continue;
            }
            jobj(b);
            jkey_str(b, "route", sn->routes[r]);
            jkey_str(b, "kind", veil_stats_lat_name(k));
            jkey_u64(b, "count", sn->lat_count[h]);
            veil_jbuf_key(b, "sum_seconds");
            rawf(b, "%.9f", (double)sn->lat_sum_ns[h] / 1e9);
            veil_jbuf_key(b, "le");
            veil_jbuf_raw(b, "[", 1);
            for (int i = 0; i < VEIL_STATS_BUCKETS; i++) {
                rawf(b, "%s%g", i ? "," : "", veil_stats_bucket_le[i]);
            }
            veil_jbuf_raw(b, "]", 1);
            /* Cumulative, as Prometheus has them; the last is +Inf. */
            veil_jbuf_key(b, "cumulative");
            veil_jbuf_raw(b, "[", 1);
            for (int i = 0; i < NB; i++) {
                cum += sn->lat[h * NB + (size_t)i];
                rawf(b, "%s%llu", i ? "," : "", (unsigned long long)cum);
            }
            veil_jbuf_raw(b, "]}", 2);
        }
    }
    veil_jbuf_raw(b, "]", 1);
    veil__stats_tokens_json(sn, b);
    veil_jbuf_raw(b, "}\n", 2);
    return b->overflow ? -ENOMEM : 0;
}


/* ---- Prometheus ---- */

/* A label value: backslash, double quote and line feed escaped. */
static void plabel(veil_jbuf_t *b, const char *name, const char *v, int first)
{
    veil_jbuf_raw(b, first ? "" : ",", first ? 0 : 1);
    veil_jbuf_cstr(b, name);
    veil_jbuf_raw(b, "=\"", 2);
    for (const char *p = v; *p; p++) {
        if (*p == '\\') {
            veil_jbuf_raw(b, "\\\\", 2);
        } else if (*p == '"') {
            veil_jbuf_raw(b, "\\\"", 2);
        } else if (*p == '\n') {
            veil_jbuf_raw(b, "\\n", 2);
        } else {
            veil_jbuf_raw(b, p, 1);
        }
    }
    veil_jbuf_raw(b, "\"", 1);
}


static void phead(veil_jbuf_t *b, const char *name, const char *type, const char *help)
{
    rawf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}


static void pval(veil_jbuf_t *b, uint64_t v)
{
    rawf(b, "} %llu\n", (unsigned long long)v);
}


static void phist(veil_jbuf_t *b, const veil_stats_snapshot_t *sn, int kind, const char *name,
                  const char *help)
{
    phead(b, name, "histogram", help);
    for (size_t r = 0; r < sn->nroutes; r++) {
        size_t h = r * LATS + (size_t)kind;
        uint64_t cum = 0;

        for (int i = 0; i < NB; i++) {
            char le[32];

            cum += sn->lat[h * NB + (size_t)i];
            if (i < VEIL_STATS_BUCKETS) {
                snprintf(le, sizeof(le), "%g", veil_stats_bucket_le[i]);
            } else {
                snprintf(le, sizeof(le), "+Inf");
            }
            rawf(b, "%s_bucket{", name);
            plabel(b, "route", sn->routes[r], 1);
            plabel(b, "le", le, 0);
            pval(b, cum);
        }
        rawf(b, "%s_sum{", name);
        plabel(b, "route", sn->routes[r], 1);
        rawf(b, "} %.9f\n", (double)sn->lat_sum_ns[h] / 1e9);
        rawf(b, "%s_count{", name);
        plabel(b, "route", sn->routes[r], 1);
        pval(b, sn->lat_count[h]);
    }
}


int veil_stats_prometheus(const veil_stats_snapshot_t *sn, veil_jbuf_t *b)
{
    size_t R = sn->nroutes, D = sn->ndet;
    size_t nskip = veil_stats_table_count(VEIL_STATS_T_SKIP);
    size_t nrej = veil_stats_table_count(VEIL_STATS_T_REJECT);
    size_t nup = veil_stats_table_count(VEIL_STATS_T_UPSTREAM);

    phead(b, "veil_build_info", "gauge", "Version of veil; always 1.");
    veil_jbuf_cstr(b, "veil_build_info{");
    plabel(b, "version", "0.1.0", 1);
    pval(b, 1);
    phead(b, "veil_start_time_seconds", "gauge", "Start time of the process since the Unix epoch.");
    rawf(b, "veil_start_time_seconds %.3f\n", sn->start_time);
    phead(b, "veil_config_info", "gauge", "Identifier of the loaded configuration; always 1.");
    veil_jbuf_cstr(b, "veil_config_info{");
    plabel(b, "id", sn->config_id, 1);
    pval(b, 1);
    phead(b, "veil_config_load_time_seconds", "gauge",
          "When the configuration in use was loaded, since the Unix epoch.");
    rawf(b, "veil_config_load_time_seconds %.3f\n", sn->config_time);

    phead(b, "veil_requests_total", "counter",
          "Exchanges completed, by route, method and status class.");
    for (size_t r = 0; r < R; r++) {
        for (int m = 0; m < M; m++) {
            for (int c = 0; c < CODES; c++) {
                uint64_t n = sn->requests[(r * M + (size_t)m) * CODES + (size_t)c];

                if (n == 0) {
                    continue;
                }
                veil_jbuf_cstr(b, "veil_requests_total{");
                plabel(b, "route", sn->routes[r], 1);
                plabel(b, "method", veil_stats_method_name(m), 0);
                plabel(b, "code", veil_stats_code_name(c), 0);
                pval(b, n);
            }
        }
    }

    phead(b, "veil_findings_total", "counter",
          "Personal data found, by route, direction, location, detector, "
          "category and action taken. Never a value.");
    for (size_t r = 0; r < R; r++) {
        for (int l = 0; l < LOCS; l++) {
            for (size_t d = 0; d < D; d++) {
                for (int a = 0; a < ACTS; a++) {
                    uint64_t n = sn->findings[((r * LOCS + (size_t)l) * D + d) * ACTS + (size_t)a];

                    if (n == 0) {
                        continue;
                    }
                    veil_jbuf_cstr(b, "veil_findings_total{");
                    plabel(b, "route", sn->routes[r], 1);
                    plabel(b, "direction", veil_stats_dir_name(veil_stats_loc_dir(l)), 0);
                    plabel(b, "location", veil_stats_loc_name(l), 0);
                    plabel(b, "detector", sn->det[d].id, 0);
                    plabel(b, "category", veil_category_name(sn->det[d].category), 0);
                    plabel(b, "action", veil_stats_action_name(a), 0);
                    pval(b, n);
                }
            }
        }
    }

    phead(b, "veil_inspected_bytes_total", "counter",
          "Body bytes (decoded) fed to the detection engine.");
    for (size_t r = 0; r < R; r++) {
        for (int d = 0; d < DIRS; d++) {
            veil_jbuf_cstr(b, "veil_inspected_bytes_total{");
            plabel(b, "route", sn->routes[r], 1);
            plabel(b, "direction", veil_stats_dir_name(d), 0);
            pval(b, sn->inspected[r * DIRS + (size_t)d]);
        }
    }

    phead(b, "veil_bodies_not_inspected_total", "counter",
          "Bodies not inspected (and so never logged), by reason.");
    for (size_t r = 0; r < R; r++) {
        for (int d = 0; d < DIRS; d++) {
            for (size_t k = 0; k < nskip; k++) {
                uint64_t n = sn->skipped[(r * DIRS + (size_t)d) * nskip + k];

                if (n == 0) {
                    continue;
                }
                veil_jbuf_cstr(b, "veil_bodies_not_inspected_total{");
                plabel(b, "route", sn->routes[r], 1);
                plabel(b, "direction", veil_stats_dir_name(d), 0);
                plabel(b, "reason", veil_stats_table_name(VEIL_STATS_T_SKIP, k), 0);
                pval(b, n);
            }
        }
    }

    phead(b, "veil_requests_rejected_total", "counter",
          "Requests refused by the HTTP validator, limits or timeouts, by "
          "reason.");
    for (size_t k = 0; k < nrej; k++) {
        if (sn->rejected[k] == 0) {
            continue;
        }
        veil_jbuf_cstr(b, "veil_requests_rejected_total{");
        plabel(b, "reason", veil_stats_table_name(VEIL_STATS_T_REJECT, k), 1);
        pval(b, sn->rejected[k]);
    }

    phead(b, "veil_requests_blocked_total", "counter",
          "Requests or responses blocked by a policy, by data category.");
    for (size_t r = 0; r < R; r++) {
        for (int c = 0; c < VEIL_CAT__COUNT; c++) {
            uint64_t n = sn->blocked[r * VEIL_CAT__COUNT + (size_t)c];

            if (n == 0) {
                continue;
            }
            veil_jbuf_cstr(b, "veil_requests_blocked_total{");
            plabel(b, "route", sn->routes[r], 1);
            plabel(b, "category", veil_category_name((veil_category_t)c), 0);
            pval(b, n);
        }
    }

    phead(b, "veil_upstream_errors_total", "counter",
          "Failures of the upstream, by route and kind.");
    for (size_t r = 0; r < R; r++) {
        for (size_t k = 0; k < nup; k++) {
            uint64_t n = sn->upstream[r * nup + k];

            if (n == 0) {
                continue;
            }
            veil_jbuf_cstr(b, "veil_upstream_errors_total{");
            plabel(b, "route", sn->routes[r], 1);
            plabel(b, "kind", veil_stats_table_name(VEIL_STATS_T_UPSTREAM, k), 0);
            pval(b, n);
        }
    }

    veil_stats_tls_prometheus(sn, b);

    phead(b, "veil_config_reloads_total", "counter", "Configuration reloads, by result.");
    for (int k = 0; k < VEIL_STATS_RELOAD__COUNT; k++) {
        veil_jbuf_cstr(b, "veil_config_reloads_total{");
        plabel(b, "result", veil_stats_reload_name(k), 1);
        pval(b, sn->reloads[k]);
    }

    phead(b, "veil_access_log_dropped_total", "counter",
          "Access-log records that did not reach the sink whole, by reason.");
    for (int k = 0; k < VEIL_STATS_LOGDROP__COUNT; k++) {
        veil_jbuf_cstr(b, "veil_access_log_dropped_total{");
        plabel(b, "reason", veil_stats_logdrop_name(k), 1);
        pval(b, sn->log_dropped[k]);
    }

    phist(b, sn, VEIL_STATS_LAT_TOTAL, "veil_request_duration_seconds",
          "Time from the first byte of a request head to the last byte "
          "of its response.");
    phist(b, sn, VEIL_STATS_LAT_UPSTREAM, "veil_upstream_duration_seconds",
          "Time from sending a request upstream to the end of its response.");
    phist(b, sn, VEIL_STATS_LAT_ADDED, "veil_added_latency_seconds",
          "Time veil itself added to an exchange.");
    veil__stats_tokens_prometheus(sn, b);
    return b->overflow ? -ENOMEM : 0;
}
