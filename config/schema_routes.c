/*
 * routes: match conditions (the path regex compiled with JIT here), then
 * an upstream and a policy by name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>


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
        veil__err_at(s->d, at, pk, "an empty list matches no client: name the subject "
                                   "alternative names, or leave the key out");
        return -1;
    }
    if (at == NULL) {
        at = veil__sc_field(mm, "client_subject", mp, pk);
    }
    if (at != NULL && !some_listener_verifies(s->cfg)) {
        veil__err_at(s->d, at, pk, "no listener verifies client certificates: a client "
                                   "identity needs listeners[].tls.client_auth (optional "
                                   "or required) and client_ca_file");
        return -1;
    }
    return 0;
}


int veil__sc_parse_routes(veil__schema_t *s, const veil__node_t *root)
{
    static const char *const keys[] = {"name", "match", "upstream", "policy", "purpose"};
    static const char *const mkeys[] = {"host", "path_prefix", "path_regex", "methods",
                                        "content_type", "client_sans", "client_subject"};
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
        if (veil__sc_want_kind(s, m, VEIL__N_MAP, p) || veil__sc_check_keys(s, m, p, keys, COUNT(keys)) ||
            veil__sc_get_str(s, m, "name", p, &r->name) || veil__sc_get_str(s, m, "upstream", p, &up) ||
            veil__sc_get_str(s, m, "policy", p, &pol) || veil__sc_get_str(s, m, "purpose", p, &r->purpose)) {
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
                   parse_client_match(s, mm, mp, r))) {
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
                             "'%s' is no HTTP method (upper case: GET, POST, ...)",
                             r->methods[k]);
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
                veil__err_at(s->d, veil__map_get(m, "upstream"), pk, "no upstream '%s'%s%s%s",
                             up, sugg ? " (did you mean '" : "", sugg ? sugg : "",
                             sugg ? "'?)" : "");
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
        c->nroutes++;
    }
    return rc;
}
