/*
 * veil run -c: each exchange takes the current config from the holder
 * when its request head has arrived, matches its route, applies consent
 * (Sec-GPC: 1, DNT: 1), and keeps that config until the exchange ends, so
 * a reload never changes an exchange in flight.
 */
#include <stdlib.h>
#include <string.h>

#include "proxy_int.h"
#include "veil/config.h"

static veil_h1_span_t header(const veil__xchg_t *x, const char *lc)
{
    veil_h1_span_t name, value, none = {NULL, 0};
    size_t pos = 0;

    while (veil_h1_next_header(x->req_head, x->req_head_len, &pos, &name,
                               &value)) {
        if (veil_h1_span_eq(name, lc)) {
            return value;
        }
    }
    return none;
}


static int is_one(veil_h1_span_t v)
{
    return v.len == 1 && v.ptr[0] == '1';
}


void veil__xchg_policy(veil__xchg_t *x, const veil_proxy_config_t *cfg)
{
    veil_route_request_t q;
    veil_h1_span_t path, host, ct;
    size_t i;

    if (cfg->holder == NULL) {
        return;
    }
    x->conf = veil_config_holder_get(cfg->holder);
    path = x->rq.target_form == VEIL_H1_TARGET_ABSOLUTE ? x->rq.path
                                                        : x->rq.target;
    for (i = 0; i < path.len && path.ptr[i] != '?'; i++) {
    }
    host = x->rq.host.len ? x->rq.host : x->rq.authority;
    ct = header(x, "content-type");
    memset(&q, 0, sizeof(q));
    q.method = x->rq.method.ptr;
    q.method_len = x->rq.method.len;
    q.host = host.ptr;
    q.host_len = host.len;
    q.path = path.ptr;
    q.path_len = i;
    q.content_type = ct.ptr;
    q.content_type_len = ct.len;
    x->route = veil_config_route_match(x->conf, &q);
    x->policy = veil_policy_for_consent(x->route->policy,
                                        is_one(header(x, "sec-gpc")),
                                        is_one(header(x, "dnt")));
    /* uninspectable: block needs the verdict before anything is sent
       too (a body may turn out over the limit only at its end). */
    x->hold = (x->policy->dir[VEIL_DIR_REQUEST].mode == VEIL_MODE_BLOCK ||
               x->policy->dir[VEIL_DIR_REQUEST].uninspectable_block) &&
              x->req_body != VEIL_H1_BODY_NONE && cfg->engine != NULL;
}


const veil_engine_t *veil__xchg_engine(const veil_proxy_config_t *cfg,
                                       const veil__xchg_t *x, int dir,
                                       const uint8_t **actions)
{
    if (x == NULL || x->policy == NULL) {
        *actions = NULL;
        return cfg->engine;
    }
    /* --inspect off still wins: no engine, metadata-only records. */
    if (cfg->engine == NULL) {
        *actions = NULL;
        return NULL;
    }
    *actions = x->policy->dir[dir].actions;
    return x->policy->dir[dir].engine;
}


int veil__xchg_hold(veil__xchg_t *x, const char *data, size_t len,
                    size_t limit)
{
    if (x->held_len + len > limit) {
        return -1;
    }
    if (x->held_len + len > x->held_cap) {
        size_t cap = x->held_cap ? x->held_cap : 16384;
        char *n;

        while (cap < x->held_len + len) {
            cap *= 2;
        }
        n = malloc(cap);
        if (n == NULL) {
            return -1;
        }
        if (x->held_len) {
            memcpy(n, x->held, x->held_len);
            explicit_bzero(x->held, x->held_cap);
        }
        free(x->held);
        x->held = n;
        x->held_cap = cap;
    }
    memcpy(x->held + x->held_len, data, len);
    x->held_len += len;
    return 0;
}


const char *veil__xchg_block_reason(const veil__xchg_t *x)
{
    const veil_policy_dir_t *pd = &x->policy->dir[VEIL_DIR_REQUEST];
    unsigned i;

    if (x->ins_req.state != VEIL__INS_DONE || x->ins_req.skip != NULL) {
        return pd->uninspectable_block ? "blocked_uninspectable" : NULL;
    }
    /* A finding kind that did not fit the table could be a blocking
       one: fail closed. */
    if (x->findings.dropped > 0) {
        return "blocked_by_policy";
    }
    for (i = 0; i < x->findings.n; i++) {
        if (x->findings.kind[i].loc == VEIL__LOC_REQ_BODY &&
            pd->blocks[x->findings.kind[i].detector]) {
            return "blocked_by_policy";
        }
    }
    return NULL;
}


void veil__xchg_policy_release(veil__xchg_t *x)
{
    if (x->held != NULL) {
        explicit_bzero(x->held, x->held_cap);
        free(x->held);
        x->held = NULL;
    }
    veil_config_release(x->conf);
    x->conf = NULL;
    x->route = NULL;
    x->policy = NULL;
}
