/*
 * The proxy's side of the statistics: turns one finished exchange (or one
 * refused request) into counter updates on the worker's shard. Called
 * from the access-log functions, after the record is built, because the
 * findings in the path, query and headers are only known then.
 */
#include <string.h>

#include <uv.h>

#include "veil/config.h"
#include "veil/stats.h"
#include "proxy_int.h"

/* Declared here rather than in proxy_int.h so that header stays as the
   proxy's owner wrote it; access_log.c declares them the same way. */
void veil__stats_exchange(veil_stats_shard_t *sh, unsigned route, const veil__xchg_t *x);
void veil__stats_rejected(veil_stats_shard_t *sh, const char *reason);


static void body(veil_stats_shard_t *sh, unsigned route, int dir, const veil__inspect_t *in)
{
    if (in->decoded > 0) {
        veil_stats_inspected(sh, route, dir, in->decoded);
    }
    /* The same cases the access log marks "omitted". */
    if (in->state == VEIL__INS_SKIPPED || (in->state == VEIL__INS_DONE && in->skip != NULL) ||
        in->state == VEIL__INS_ON) {
        veil_stats_not_inspected(sh, route, dir, in->skip ? in->skip : "incomplete");
    }
}


void veil__stats_exchange(veil_stats_shard_t *sh, unsigned route, const veil__xchg_t *x)
{
    uint64_t end = uv_hrtime(), total, up = UINT64_MAX, added = UINT64_MAX;
    int method = VEIL_STATS_M_OTHER;

    if (sh == NULL) {
        return;
    }
    if (x->route != NULL) {
        /* veil run -c: the route's own series, by name (no lock once
           the name is known; a reload keeps the same series). */
        int r = veil_stats_route(veil_stats_of(sh), x->route->name);

        if (r < 0) {
            return; /* more route names than the counters were sized for */
        }
        route = (unsigned)r;
    }
    if (x->half[0].h.method.ptr != NULL) {
        method = veil_stats_method(x->half[0].h.method.ptr, x->half[0].h.method.len);
    }
    total = end > x->t_start_ns ? end - x->t_start_ns : 0;
    if (x->t_up_start_ns != 0) {
        uint64_t ue = x->t_up_end_ns ? x->t_up_end_ns : end;

        up = ue > x->t_up_start_ns ? ue - x->t_up_start_ns : 0;
        /* What veil added: everything outside the upstream's own time
           (parsing, inspection, logging, and waiting on the client). */
        added = total > up ? total - up : 0;
    }
    veil_stats_request(sh, route, method, x->status, total, up, added);

    for (unsigned i = 0; i < x->findings.n; i++) {
        unsigned d = x->findings.kind[i].detector;
        int loc = x->findings.kind[i].loc;
        int dir = veil_stats_loc_dir(loc);
        const uint8_t *actions;
        const veil_engine_t *eng = veil__xchg_engine(x->c->w, x, dir, &actions);
        int slot;

        /* Built-ins keep their index in every engine; a custom detector
           of a policy's engine is counted under its id, whichever engine
           (or reload) it came from. */
        slot = veil_stats_detector(
            veil_stats_of(sh), d,
            eng && d < veil_engine_detector_count(eng) ? veil_engine_detector(eng, d) : NULL);
        if (slot < 0) {
            continue;
        }
        /* What happened to the bytes in transit: unchanged in observe
           mode (the policy's transform applies to the log only), the
           policy's transform in redact mode, a token in tokenize mode,
           a refusal for a blocking detector in block mode. The proxy's
           locations have the same order as the stats' ones. */
        veil_stats_finding(sh, route, loc, (unsigned)slot,
                           veil__transit_action(x, loc, d, x->findings.kind[i].kept),
                           x->findings.kind[i].count);
    }
    if (x->ph != NULL) {
        /* The round trip, as the record has it (never the values). */
        veil_stats_placeholders(sh, route, veil__ph_count(x->ph), x->restore.restored,
                                x->restore.unknown);
    }
    if (x->tunnel) {
        veil_stats_not_inspected(sh, route, VEIL_STATS_DIR_REQUEST, "tunnel");
        veil_stats_not_inspected(sh, route, VEIL_STATS_DIR_RESPONSE, "tunnel");
    } else {
        body(sh, route, VEIL_STATS_DIR_REQUEST, &x->half[0].ins);
        body(sh, route, VEIL_STATS_DIR_RESPONSE, &x->half[1].ins);
    }
    /* A request or response refused by its policy's mode block: counted
       once for each category that blocked it. */
    if (x->error != NULL && strcmp(x->error, "blocked_by_policy") == 0 && x->policy != NULL) {
        unsigned seen = 0, i;
        for (i = 0; i < x->findings.n; i++) {
            int loc = x->findings.kind[i].loc;
            const veil_policy_dir_t *pd = &x->policy->dir[veil__loc_dir(loc)];
            const veil_detector_info_t *d;
            if (x->findings.kind[i].kept || pd->blocks == NULL ||
                !pd->blocks[x->findings.kind[i].detector] ||
                (d = veil_engine_detector(pd->engine, x->findings.kind[i].detector)) == NULL ||
                (seen & (1u << d->category))) {
                continue;
            }
            seen |= 1u << d->category;
            veil_stats_blocked(sh, route, d->category);
        }
    }
    if (x->error != NULL) {
        size_t nup = veil_stats_table_count(VEIL_STATS_T_UPSTREAM);
        size_t nrej = veil_stats_table_count(VEIL_STATS_T_REJECT);
        size_t u = veil_stats_table_index(VEIL_STATS_T_UPSTREAM, x->error);

        /* An exchange that failed: the upstream's fault (the proxy's
           upstream_* ids, or a validator rule broken by the response
           head, which is always a 502), or a request refused mid-way
           (body timeout, bad chunk); anything else (the client went
           away) is neither. */
        if (u + 1 < nup &&
            (strncmp(x->error, "upstream_", 9) == 0 || x->status == 502 || x->status == 504 ||
             veil_stats_table_index(VEIL_STATS_T_REJECT, x->error) + 1 == nrej)) {
            veil_stats_upstream_error(sh, route, x->error);
        } else if (veil_stats_table_index(VEIL_STATS_T_REJECT, x->error) + 1 < nrej) {
            veil_stats_rejected(sh, x->error);
        }
    }
}


void veil__stats_rejected(veil_stats_shard_t *sh, const char *reason)
{
    veil_stats_rejected(sh, reason);
}
