/*
 * routes: match conditions (the path regex compiled with JIT here), then
 * an upstream and a policy by name, and whether tokens are turned back
 * into values in transit (detokenize: only where every listener the route
 * serves is on loopback or requires client certificates).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>


/* match.listener: names of listeners of this file. 0, or -1 after an
   error. */
static int parse_listeners(veil__schema_t *s, const veil__node_t *mm, const char *mp,
                           veil_route_t *r)
{
    const veil_config_t *c = s->cfg;
    const veil__node_t **nodes = NULL;
    char pk[PATH];
    int rc = 0;

    if (veil__sc_get_list(s, mm, "listener", mp, &r->listeners, &r->nlisteners, &nodes)) {
        return -1;
    }
    for (size_t k = 0; k < r->nlisteners; k++) {
        size_t j;

        for (j = 0; j < c->nlisteners && strcmp(c->listeners[j].name, r->listeners[k]) != 0; j++) {
        }
        if (j == c->nlisteners) {
            const char **names = malloc((c->nlisteners + 1) * sizeof(*names));
            const char *sugg;

            for (j = 0; names && j < c->nlisteners; j++) {
                names[j] = c->listeners[j].name;
            }
            sugg = names ? veil__suggest(r->listeners[k], names, c->nlisteners) : NULL;
            veil__sc_join(pk, mp, "listener");
            veil__err_at(s->d, nodes[k], pk, "no listener '%s'%s%s%s", r->listeners[k],
                         sugg ? " (did you mean '" : "", sugg ? sugg : "", sugg ? "'?)" : "");
            free(names);
            rc = -1;
        }
    }
    return rc;
}


int veil__sc_has_token_slots(const veil_config_t *c)
{
    for (size_t k = 0; k < c->nkeys; k++) {
        if (c->keys[k].slot > 0) {
            return 1;
        }
    }
    return 0;
}


int veil__sc_token_type_known(veil__schema_t *s, const char *type)
{
    if (strcmp(type, "field") == 0) {
        return 1;
    }
    for (size_t g = 0; g < s->ng; g++) {
        if (strcmp(veil__sc_global_id(s, g), type) == 0) {
            return 1;
        }
    }
    return 0;
}


/* Whether some listener asks for client certificates and verifies them. */
static int some_listener_verifies(const veil_config_t *c)
{
    for (size_t k = 0; k < c->nlisteners; k++) {
        const veil_listener_tls_t *lt = c->listeners[k].tls;

        if (lt != NULL && lt->client_auth != VEIL_CLIENT_AUTH_NONE) {
            return 1;
        }
    }
    return 0;
}


/*
 * detokenize: request | response | both, or {direction: ..., types:
 * [...]}. Turning tokens back is reversing the protection: it is allowed
 * only where the peer that sends the tokens is authenticated or local, so
 * every listener the route serves must be on loopback or require client
 * certificates. 0, or -1 after an error.
 */
static int parse_detokenize(veil__schema_t *s, const veil__node_t *m, const char *p,
                            veil_route_t *r)
{
    static const char *const dkeys[] = {"direction", "types"};
    static const char *const dirs[] = {"request", "response", "both"};
    const veil_config_t *c = s->cfg;
    const veil__node_t *dn, *dir_node, **tnodes = NULL;
    char dp[PATH], pk[PATH];
    int d = 0, rc = 0;

    dn = veil__sc_field(m, "detokenize", p, dp);
    if (dn == NULL) {
        return 0;
    }
    dir_node = dn;
    if (dn->kind == VEIL__N_SCALAR) {
        size_t k;
        for (k = 0; k < COUNT(dirs) && strcmp(dn->str, dirs[k]) != 0; k++) {
        }
        if (k == COUNT(dirs)) {
            veil__err_at(s->d, dn, dp,
                         "expected request, response, both, or {direction, "
                         "types}");
            return -1;
        }
        d = (int)k;
    } else {
        if (veil__sc_want_kind(s, dn, VEIL__N_MAP, dp) ||
            veil__sc_check_keys(s, dn, dp, dkeys, COUNT(dkeys)) ||
            veil__sc_get_enum(s, dn, "direction", dp, dirs, COUNT(dirs), &d) ||
            veil__sc_get_list(s, dn, "types", dp, &r->detokenize_types, &r->ndetokenize_types,
                              &tnodes)) {
            return -1;
        }
    }
    r->detokenize = d == 0   ? 1u << VEIL_DIR_REQUEST
                    : d == 1 ? 1u << VEIL_DIR_RESPONSE
                             : (1u << VEIL_DIR_REQUEST) | (1u << VEIL_DIR_RESPONSE);
    for (size_t k = 0; k < r->ndetokenize_types; k++) {
        if (!veil__sc_token_type_known(s, r->detokenize_types[k])) {
            veil__sc_join(pk, dp, "types");
            veil__err_at(s->d, tnodes[k], pk,
                         "'%s' is no detector id (types name detectors: "
                         "credit_card, iban, email, ...)",
                         r->detokenize_types[k]);
            rc = -1;
        }
    }
    if (!veil__sc_has_token_slots(c)) {
        veil__err_at(s->d, dir_node, dp,
                     "detokenize needs token key slots (keys: ID: {file: F, "
                     "slot: 1})");
        return -1;
    }
    for (size_t j = 0; j < c->nlisteners; j++) {
        const veil_listener_t *l = &c->listeners[j];
        int served = r->nlisteners == 0;

        for (size_t k = 0; k < r->nlisteners; k++) {
            served |= strcmp(r->listeners[k], l->name) == 0;
        }
        if (served && !veil_listener_trusted(l)) {
            veil__err_at(s->d, dir_node, dp,
                         "listener '%s' (%s:%d) is neither on loopback nor requires client "
                         "certificates (tls.client_auth: required): a route that turns tokens "
                         "back may only serve such listeners (match.listener names them)",
                         l->name, l->host, l->port);
            rc = -1;
        }
    }
    return rc;
}


/*
 * match.client_sans and match.client_subject: who the client is, by its
 * verified certificate. Only a listener with tls.client_auth verifies
 * one, so without such a listener the route could never match: that is
 * an error, not a route that silently never applies (listeners are
 * parsed before routes, --tls-cert included).
 */
static int parse_client_match(veil__schema_t *s, const veil__node_t *mm, const char *mp,
                              veil_route_t *r)
{
    const veil__node_t *at;
    char pk[PATH];

    if (veil__sc_get_list(s, mm, "client_sans", mp, &r->client_sans, &r->nclient_sans, NULL) ||
        veil__sc_get_str(s, mm, "client_subject", mp, &r->client_subject)) {
        return -1;
    }
    at = veil__sc_field(mm, "client_sans", mp, pk);
    if (at != NULL && r->nclient_sans == 0) {
        veil__err_at(s->d, at, pk,
                     "an empty list matches no client: name the subject "
                     "alternative names, or leave the key out");
        return -1;
    }
    if (at == NULL) {
        at = veil__sc_field(mm, "client_subject", mp, pk);
    }
    if (at != NULL && !some_listener_verifies(s->cfg)) {
        veil__err_at(s->d, at, pk,
                     "no listener verifies client certificates: a client "
                     "identity needs listeners[].tls.client_auth (optional "
                     "or required) and client_ca_file");
        return -1;
    }
    return 0;
}


int veil__sc_parse_routes(veil__schema_t *s, const veil__node_t *root)
{
    static const char *const keys[] = {"name",   "match",   "upstream",
                                       "policy", "purpose", "detokenize"};
    static const char *const mkeys[] = {"host",        "path_prefix",   "path_regex",
                                        "methods",     "content_type",  "listener",
                                        "client_sans", "client_subject"};
    const veil__node_t *seq = veil__map_get(root, "routes");
    veil_config_t *c = s->cfg;
    size_t n = seq ? seq->count : 0;
    int rc = 0;

    if (seq && veil__sc_want_kind(s, seq, VEIL__N_SEQ, "routes")) {
        rc = -1;
        n = 0;
    }
    c->routes = veil__arena_alloc(&c->arena, (n + 1) * sizeof(*c->routes));
    if (c->routes == NULL) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const veil__node_t *m = seq->items[i];
        veil_route_t *r = &c->routes[c->nroutes];
        memset(r, 0, sizeof(*r)); /* a slot left by a rejected entry is reused */
        const char *up = NULL, *pol = NULL;
        char p[PATH], pk[PATH], mp[PATH];
        veil__sc_join_index(p, "routes", i);
        if (veil__sc_want_kind(s, m, VEIL__N_MAP, p) ||
            veil__sc_check_keys(s, m, p, keys, COUNT(keys)) ||
            veil__sc_get_str(s, m, "name", p, &r->name) ||
            veil__sc_get_str(s, m, "upstream", p, &up) ||
            veil__sc_get_str(s, m, "policy", p, &pol) ||
            veil__sc_get_str(s, m, "purpose", p, &r->purpose)) {
            rc = -1;
            continue;
        }
        if (r->name == NULL) {
            r->name = veil__arena_strndup(&c->arena, p, strlen(p));
        }
        const veil__node_t *mm = veil__sc_field(m, "match", p, mp);
        if (mm && (veil__sc_want_kind(s, mm, VEIL__N_MAP, mp) ||
                   veil__sc_check_keys(s, mm, mp, mkeys, COUNT(mkeys)) ||
                   veil__sc_get_str(s, mm, "host", mp, &r->host) ||
                   veil__sc_get_str(s, mm, "path_prefix", mp, &r->path_prefix) ||
                   veil__sc_get_str(s, mm, "path_regex", mp, &r->path_regex) ||
                   veil__sc_get_list(s, mm, "methods", mp, &r->methods, &r->nmethods, NULL) ||
                   veil__sc_get_str(s, mm, "content_type", mp, &r->content_type) ||
                   parse_listeners(s, mm, mp, r) || parse_client_match(s, mm, mp, r))) {
            rc = -1;
            continue;
        }
        if (r->host) {
            char *h = (char *)r->host;
            for (char *q = h; *q; q++) {
                *q = (char)(*q >= 'A' && *q <= 'Z' ? *q + 32 : *q);
            }
        }
        if (r->path_prefix && r->path_prefix[0] != '/') {
            veil__sc_field(mm, "path_prefix", mp, pk);
            veil__err_at(s->d, veil__map_get(mm, "path_prefix"), pk, "must start with /");
            rc = -1;
        }
        for (size_t k = 0; k < r->nmethods; k++) {
            const char *q = r->methods[k];
            int ok = strlen(q) <= 32;
            for (; ok && *q; q++) {
                ok = (*q >= 'A' && *q <= 'Z') || *q == '-' || *q == '_';
            }
            if (!ok) {
                veil__sc_field(mm, "methods", mp, pk);
                veil__err_at(s->d, veil__map_get(mm, "methods"), pk,
                             "'%s' is no HTTP method (upper case: GET, POST, ...)", r->methods[k]);
                rc = -1;
            }
        }
        if (r->path_regex) {
            int code;
            PCRE2_SIZE off;
            pcre2_code *re = pcre2_compile((PCRE2_SPTR)r->path_regex, PCRE2_ZERO_TERMINATED, 0,
                                           &code, &off, NULL);
            veil__sc_field(mm, "path_regex", mp, pk);
            if (re == NULL) {
                char msg[160];
                pcre2_get_error_message(code, (PCRE2_UCHAR *)msg, sizeof(msg));
                veil__err_at(s->d, veil__map_get(mm, "path_regex"), pk,
                             "bad pattern at offset %zu: %s", (size_t)off, msg);
                rc = -1;
            } else {
                (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
                r->re = re;
            }
        }
        r->upstream = &c->upstreams[0];
        if (up) {
            size_t k;
            for (k = 0; k < c->nupstreams && strcmp(c->upstreams[k].name, up) != 0; k++) {
            }
            if (k == c->nupstreams) {
                const char **names = malloc(c->nupstreams * sizeof(*names));
                for (size_t j = 0; names && j < c->nupstreams; j++) {
                    names[j] = c->upstreams[j].name;
                }
                const char *sugg = names ? veil__suggest(up, names, c->nupstreams) : NULL;
                veil__sc_field(m, "upstream", p, pk);
                veil__err_at(s->d, veil__map_get(m, "upstream"), pk, "no upstream '%s'%s%s%s", up,
                             sugg ? " (did you mean '" : "", sugg ? sugg : "", sugg ? "'?)" : "");
                free(names);
                rc = -1;
            } else {
                r->upstream = &c->upstreams[k];
            }
        }
        veil__sc_field(m, "policy", p, pk);
        r->policy = veil__sc_find_policy(s, veil__map_get(m, "policy"), pk, pol ? pol : "default");
        if (r->policy == NULL) {
            rc = -1;
        }
        if (parse_detokenize(s, m, p, r) != 0) {
            rc = -1;
        }
        c->nroutes++;
    }
    return rc;
}
