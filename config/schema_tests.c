/*
 * tests: the cases veil test runs, resolved to a policy here (by name,
 * through a route, or by matching a request) so a typo fails veil check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "veil/client_cert.h"


/*
 * The listener a case's request comes on: the one request.listener
 * names (<name>, at <node>, checked against the file's listeners), or
 * the first listener when it names none, as every request a running
 * veil routes came on one (and a route's match.listener is judged
 * against it). NULL after an error.
 */
static const veil_listener_t *test_listener(veil__schema_t *s, const veil__node_t *node,
                                            const char *path, const char *name)
{
    static const veil_listener_t none = {"", NULL, 0, NULL};
    const veil_config_t *c = s->cfg;
    const char **names;
    const char *sugg;
    size_t j;

    if (name == NULL) {
        return c->nlisteners > 0 ? &c->listeners[0] : &none;
    }
    for (j = 0; j < c->nlisteners; j++) {
        if (strcmp(c->listeners[j].name, name) == 0) {
            return &c->listeners[j];
        }
    }
    names = malloc((c->nlisteners + 1) * sizeof(*names));
    for (j = 0; names && j < c->nlisteners; j++) {
        names[j] = c->listeners[j].name;
    }
    sugg = names ? veil__suggest(name, names, c->nlisteners) : NULL;
    veil__err_at(s->d, node, path, "no listener '%s'%s%s%s", name, sugg ? " (did you mean '" : "",
                 sugg ? sugg : "", sugg ? "'?)" : "");
    free(names);
    return NULL;
}


/*
 * A case's request (<rq> at <rp>, NULL: none given): matched against the
 * routes as veil run matches a request that came on its listener with
 * its client certificate, unless a request is given and that listener's
 * handshake refuses it (t->refused, not routed). 0, or -1 after errors.
 */
static int route_request(veil__schema_t *s, const veil__node_t *rq, const char *rp, const char *ct,
                         veil__test_case_t *t)
{
    static const char *const rkeys[] = {
        "method", "host", "path", "listener", "client_subject", "client_sans", "client_cert_file"};
    veil_config_t *c = s->cfg;
    veil_route_request_t req = {"GET", 3, "",   0,    "/", 1, ct, ct ? strlen(ct) : 0,
                                NULL,  0, NULL, NULL, 0};
    const char *method = NULL, *host = NULL, *path = NULL, *listener = NULL;
    const veil_listener_t *l;
    veil_client_cert_t cc;
    char lp[PATH];

    if (rq &&
        (veil__sc_want_kind(s, rq, VEIL__N_MAP, rp) ||
         veil__sc_check_keys(s, rq, rp, rkeys, COUNT(rkeys)) ||
         veil__sc_get_str(s, rq, "method", rp, &method) ||
         veil__sc_get_str(s, rq, "host", rp, &host) || veil__sc_get_str(s, rq, "path", rp, &path) ||
         veil__sc_get_str(s, rq, "listener", rp, &listener))) {
        return -1;
    }
    veil__sc_join(lp, rp, "listener");
    l = test_listener(s, rq ? veil__map_get(rq, "listener") : NULL, lp, listener);
    if (l == NULL) {
        return -1;
    }
    t->listener = l->name;
    /* A case without a request takes the default route's policy as it
       always did: only a request goes through a handshake. */
    memset(&cc, 0, sizeof(cc));
    if (rq != NULL && veil__sc_test_client(s, rq, rp, l, &cc, &t->refused) != 0) {
        return -1;
    }
    if (t->refused != NULL) {
        return 0;
    }
    req.listener = l->name;
    veil_client_cert_route(&cc, &req);
    if (method) {
        req.method = method, req.method_len = strlen(method);
    }
    if (host) {
        req.host = host, req.host_len = strlen(host);
    }
    if (path) {
        req.path = path, req.path_len = strcspn(path, "?");
    }
    veil__route_init_default(c);
    const veil_route_t *r = veil_config_route_match(c, &req);
    t->policy = r->policy;
    t->via = r->name;
    return 0;
}


/* Whether case <m> expects its handshake refused (then it needs no
   body): a peek before expect: is checked. */
static int expects_refusal(const veil__node_t *m)
{
    const veil__node_t *em = veil__map_get(m, "expect");
    const veil__node_t *hs = em && em->kind == VEIL__N_MAP ? veil__map_get(em, "handshake") : NULL;

    return hs != NULL && hs->kind == VEIL__N_SCALAR && strcmp(hs->str, "refused") == 0;
}


/* expect.handshake (ok or refused) into t->expect_refused (-1 when not
   given); a case without a request (<norequest>: policy, route, or the
   default route) has no handshake to expect anything of. 0, or -1 after
   an error. */
static int parse_handshake(veil__schema_t *s, const veil__node_t *em, const char *ep, int norequest,
                           veil__test_case_t *t)
{
    static const char *const outcomes[] = {"ok", "refused"};
    int hs = -1;
    char hp[PATH];

    t->expect_refused = -1;
    if (veil__sc_get_enum(s, em, "handshake", ep, outcomes, COUNT(outcomes), &hs) != 0) {
        return -1;
    }
    if (hs >= 0 && norequest) {
        veil__err_at(s->d, veil__sc_field(em, "handshake", ep, hp), hp,
                     "only a case with a request has a handshake");
        return -1;
    }
    t->expect_refused = hs;
    return 0;
}


int veil__sc_parse_tests(veil__schema_t *s, const veil__node_t *root)
{
    static const char *const keys[] = {"name",         "policy", "route", "request", "direction",
                                       "content_type", "format", "body",  "consent", "expect"};
    static const char *const ekeys[] = {"output", "findings", "blocked", "handshake"};
    static const char *const dirs[] = {"request", "response"};
    static const char *const fmts[] = {"text", "json", "form", "multipart", "xml"};
    static const char *const consents[] = {"none", "gpc", "dnt"};
    const veil__node_t *seq = veil__map_get(root, "tests");
    veil_config_t *c = s->cfg;
    int rc = 0;

    if (seq == NULL) {
        return 0;
    }
    if (veil__sc_want_kind(s, seq, VEIL__N_SEQ, "tests")) {
        return -1;
    }
    c->tests = veil__arena_alloc(&c->arena, (seq->count + 1) * sizeof(*c->tests));
    if (c->tests == NULL) {
        return -1;
    }
    for (size_t i = 0; i < seq->count; i++) {
        const veil__node_t *m = seq->items[i];
        veil__test_case_t *t = &c->tests[c->ntests];
        memset(t, 0, sizeof(*t)); /* a slot left by a rejected entry is reused */
        const char *pol = NULL, *route = NULL, *ct = NULL;
        int dir = 0, fmt = -1, consent = 0;
        char p[PATH], pk[PATH];
        veil__sc_join_index(p, "tests", i);
        if (veil__sc_want_kind(s, m, VEIL__N_MAP, p) ||
            veil__sc_check_keys(s, m, p, keys, COUNT(keys)) ||
            veil__sc_get_str(s, m, "name", p, &t->name) ||
            veil__sc_get_str(s, m, "policy", p, &pol) ||
            veil__sc_get_str(s, m, "route", p, &route) ||
            veil__sc_get_enum(s, m, "direction", p, dirs, 2, &dir) ||
            veil__sc_get_enum(s, m, "format", p, fmts, 5, &fmt) ||
            veil__sc_get_enum(s, m, "consent", p, consents, 3, &consent) ||
            veil__sc_get_str(s, m, "content_type", p, &ct)) {
            rc = -1;
            continue;
        }
        t->line = m->line;
        if (t->name == NULL) {
            t->name = veil__arena_strndup(&c->arena, p, strlen(p));
        }
        const veil__node_t *body = veil__sc_field(m, "body", p, pk);
        if (body == NULL && expects_refusal(m)) {
            t->body = ""; /* never read: nothing gets past the handshake */
        } else if (body == NULL || veil__sc_want_kind(s, body, VEIL__N_SCALAR, pk) != 0) {
            if (body == NULL) {
                veil__err_at(s->d, m, p, "a test needs a body");
            }
            rc = -1;
            continue;
        } else {
            t->body = veil__sc_save_str(s, body);
            t->body_len = body->len;
        }
        int ways = (pol != NULL) + (route != NULL) + (veil__map_get(m, "request") != NULL);
        if (ways > 1) {
            veil__err_at(s->d, m, p, "give one of policy, route or request");
            rc = -1;
            continue;
        }
        if (pol) {
            veil__sc_field(m, "policy", p, pk);
            t->policy = veil__sc_find_policy(s, veil__map_get(m, "policy"), pk, pol);
            t->via = pol;
        } else if (route) {
            size_t k;
            for (k = 0; k < c->nroutes && strcmp(c->routes[k].name, route) != 0; k++) {
            }
            if (k == c->nroutes) {
                veil__sc_field(m, "route", p, pk);
                veil__err_at(s->d, veil__map_get(m, "route"), pk, "no route '%s'", route);
            } else {
                t->policy = c->routes[k].policy;
                t->via = c->routes[k].name;
            }
        } else {
            const veil__node_t *rq = veil__sc_field(m, "request", p, pk);
            char rp[PATH];
            snprintf(rp, sizeof(rp), "%s", pk);
            if (route_request(s, rq, rp, ct, t) != 0) {
                rc = -1;
                continue;
            }
        }
        if (t->policy == NULL && t->refused == NULL) {
            rc = -1;
            continue;
        }
        t->direction = (veil_direction_t)dir;
        t->gpc = consent == 1;
        t->dnt = consent == 2;
        /* The content type gives the format and a multipart boundary; a
           format named alone (multipart: the boundary from the body's
           first line) wins over it. */
        memset(&t->type, 0, sizeof(t->type));
        if (ct != NULL) {
            veil_body_type_from_content_type(ct, strlen(ct), &t->type);
        }
        if (fmt >= 0 && (veil_format_t)fmt != t->type.format) {
            memset(&t->type, 0, sizeof(t->type));
            t->type.format = (veil_format_t)fmt;
        }
        t->expect_blocked = -1;
        const veil__node_t *em = veil__sc_field(m, "expect", p, pk);
        char ep[PATH];
        snprintf(ep, sizeof(ep), "%s", pk);
        if (em == NULL) {
            veil__err_at(s->d, m, p,
                         "a test needs expect: (output, findings, blocked and/or handshake)");
            rc = -1;
            continue;
        }
        int blocked = 0;
        if (veil__sc_want_kind(s, em, VEIL__N_MAP, ep) ||
            veil__sc_check_keys(s, em, ep, ekeys, COUNT(ekeys)) ||
            veil__sc_get_bool(s, em, "blocked", ep, &blocked) ||
            parse_handshake(s, em, ep, veil__map_get(m, "request") == NULL, t)) {
            rc = -1;
            continue;
        }
        if (veil__map_get(em, "blocked")) {
            t->expect_blocked = blocked;
        }
        const veil__node_t *on = veil__sc_field(em, "output", ep, pk);
        if (on) {
            if (veil__sc_want_kind(s, on, VEIL__N_SCALAR, pk) != 0) {
                rc = -1;
                continue;
            }
            t->expect_output = veil__sc_save_str(s, on);
            t->expect_output_len = on->len;
        }
        const veil__node_t *fm = veil__sc_field(em, "findings", ep, pk);
        if (fm) {
            char fp[PATH];
            snprintf(fp, sizeof(fp), "%s", pk);
            if (veil__sc_want_kind(s, fm, VEIL__N_MAP, fp) != 0) {
                rc = -1;
                continue;
            }
            t->check_findings = 1;
            t->findings = veil__arena_alloc(&c->arena, (fm->count + 1) * sizeof(*t->findings));
            for (size_t k = 0; t->findings && k < fm->count; k++) {
                const char *id = fm->keys[k]->str;
                uint64_t cnt = 0;
                int known = 0;
                for (size_t g = 0; g < s->ng; g++) {
                    known |= strcmp(veil__sc_global_id(s, g), id) == 0;
                }
                veil__sc_join(pk, fp, id);
                if (!known) {
                    const char **names = malloc(s->ng * sizeof(*names));
                    for (size_t g = 0; names && g < s->ng; g++) {
                        names[g] = veil__sc_global_id(s, g);
                    }
                    const char *sugg = names ? veil__suggest(id, names, s->ng) : NULL;
                    veil__err_at(s->d, fm->keys[k], pk, "no detector '%s'%s%s%s", id,
                                 sugg ? " (did you mean '" : "", sugg ? sugg : "",
                                 sugg ? "'?)" : "");
                    free(names);
                    rc = -1;
                    continue;
                }
                if (veil__sc_get_number(s, fm, id, fp, 0, 0, 1000000, &cnt) != 0) {
                    rc = -1;
                    continue;
                }
                t->findings[t->nfindings].detector = veil__sc_save_str(s, fm->keys[k]);
                t->findings[t->nfindings].count = (unsigned)cnt;
                t->nfindings++;
            }
        }
        if (!on && !fm && t->expect_blocked < 0 && t->expect_refused < 0) {
            veil__err_at(s->d, em, ep, "expect needs output, findings, blocked or handshake");
            rc = -1;
            continue;
        }
        if (t->expect_refused == 1 && (on || fm || t->expect_blocked >= 0)) {
            veil__err_at(s->d, em, ep,
                         "a refused handshake has no output, findings or blocked to "
                         "check");
            rc = -1;
            continue;
        }
        c->ntests++;
    }
    return rc;
}
