/*
 * upstreams:, listeners:, server: and access_log:, with the defaults of
 * veil run when a section is absent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"


static int parse_hostport(const char *s, const char **host, int *port, veil__arena_t *a,
                          int default_port)
{
    const char *colon, *h = s;
    size_t hl;
    if (s[0] == '[') {
        const char *rb = strchr(s, ']');
        if (rb == NULL || (rb[1] != ':' && rb[1] != '\0')) {
            return -1;
        }
        h = s + 1;
        hl = (size_t)(rb - s - 1);
        colon = rb[1] == ':' ? rb + 1 : NULL;
    } else {
        colon = strrchr(s, ':');
        hl = colon ? (size_t)(colon - s) : strlen(s);
        if (colon && strchr(s, ':') != colon) {
            return -1; /* an IPv6 literal needs brackets */
        }
    }
    if (hl == 0 || hl > 253) {
        return -1;
    }
    for (size_t i = 0; i < hl; i++) {
        char c = h[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == ':' || c == '_')) {
            return -1;
        }
    }
    long p = default_port;
    if (colon) {
        char *end;
        p = strtol(colon + 1, &end, 10);
        if (*end != '\0' || end == colon + 1 || p <= 0 || p > 65535) {
            return -1;
        }
    }
    if (p <= 0) {
        return -1;
    }
    *host = veil__arena_strndup(a, h, hl);
    *port = (int)p;
    return *host ? 0 : -1;
}


int veil__sc_parse_upstreams(veil__schema_t *s, const veil__node_t *root)
{
    static const char *const keys[] = {"name", "url", "connect_timeout", "response_timeout",
                                       "idle_timeout", "pool_size", "resolve_interval", "tls"};
    static const char *const tkeys[] = {"verify", "ca_file", "server_name"};
    const veil__node_t *seq = veil__map_get(root, "upstreams");
    veil_config_t *c = s->cfg;
    int rc = 0;
    size_t n = seq ? seq->count : 0;

    if (seq && veil__sc_want_kind(s, seq, VEIL__N_SEQ, "upstreams")) {
        rc = -1;
        n = 0;
    }
    c->upstreams = veil__arena_alloc(&c->arena, (n + 1) * sizeof(*c->upstreams));
    if (c->upstreams == NULL) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const veil__node_t *m = seq->items[i];
        veil_upstream_t *u = &c->upstreams[c->nupstreams];
        memset(u, 0, sizeof(*u)); /* a slot left by a rejected entry is reused */
        char p[PATH], pk[PATH];
        uint64_t ct = 5000, rt = 60000, it = 60000, pool = 64, ri = 30000;
        veil__sc_join_index(p, "upstreams", i);
        if (veil__sc_want_kind(s, m, VEIL__N_MAP, p) || veil__sc_check_keys(s, m, p, keys, COUNT(keys)) ||
            veil__sc_get_str(s, m, "name", p, &u->name) || veil__sc_get_str(s, m, "url", p, &u->url) ||
            veil__sc_get_number(s, m, "connect_timeout", p, 2, 1, 3600000, &ct) ||
            veil__sc_get_number(s, m, "response_timeout", p, 2, 1, 86400000, &rt) ||
            veil__sc_get_number(s, m, "idle_timeout", p, 2, 1, 86400000, &it) ||
            veil__sc_get_number(s, m, "pool_size", p, 0, 0, 100000, &pool) ||
            veil__sc_get_number(s, m, "resolve_interval", p, 2, 0, 86400000, &ri)) {
            rc = -1;
            continue;
        }
        if (u->name == NULL || u->url == NULL) {
            veil__err_at(s->d, m, p, "an upstream needs a name and a url");
            rc = -1;
            continue;
        }
        for (size_t j = 0; j < c->nupstreams; j++) {
            if (strcmp(c->upstreams[j].name, u->name) == 0) {
                veil__sc_field(m, "name", p, pk);
                veil__err_at(s->d, veil__map_get(m, "name"), pk, "'%s' is defined twice",
                             u->name);
                rc = -1;
            }
        }
        const char *rest = NULL;
        if (strncmp(u->url, "http://", 7) == 0) {
            rest = u->url + 7;
        } else if (strncmp(u->url, "https://", 8) == 0) {
            rest = u->url + 8;
            u->tls = 1;
        }
        char hp[300] = "";
        if (rest) {
            size_t hl = strcspn(rest, "/");
            if (hl < sizeof(hp) && (rest[hl] == '\0' || strcmp(rest + hl, "/") == 0)) {
                memcpy(hp, rest, hl);
                hp[hl] = '\0';
            } else {
                rest = NULL;
            }
        }
        if (rest == NULL ||
            parse_hostport(hp, &u->host, &u->port, &c->arena, u->tls ? 443 : 80) != 0) {
            veil__sc_field(m, "url", p, pk);
            veil__err_at(s->d, veil__map_get(m, "url"), pk,
                         "expected http://HOST[:PORT] or https://HOST[:PORT] (no path)");
            rc = -1;
            continue;
        }
        u->tls_verify = 1;
        const veil__node_t *tm = veil__sc_field(m, "tls", p, pk);
        if (tm != NULL) {
            char tp[PATH];
            snprintf(tp, sizeof(tp), "%s", pk);
            if (!u->tls) {
                veil__err_at(s->d, tm, tp, "tls settings need an https:// url");
                rc = -1;
                continue;
            }
            if (veil__sc_want_kind(s, tm, VEIL__N_MAP, tp) ||
                veil__sc_check_keys(s, tm, tp, tkeys, COUNT(tkeys)) ||
                veil__sc_get_bool(s, tm, "verify", tp, &u->tls_verify) ||
                veil__sc_get_str(s, tm, "ca_file", tp, &u->tls_ca_file) ||
                veil__sc_get_str(s, tm, "server_name", tp, &u->tls_server_name)) {
                rc = -1;
                continue;
            }
        }
        u->connect_timeout_ms = ct;
        u->response_timeout_ms = rt;
        u->idle_timeout_ms = it;
        u->pool_size = (unsigned)pool;
        u->resolve_interval_ms = ri;
        c->nupstreams++;
    }
    if (c->nupstreams == 0) {
        veil_upstream_t *u = &c->upstreams[0];
        u->name = "default";
        u->url = "http://127.0.0.1:8080";
        u->host = "127.0.0.1";
        u->port = 8080;
        u->connect_timeout_ms = 5000;
        u->response_timeout_ms = 60000;
        u->idle_timeout_ms = 60000;
        u->pool_size = 64;
        u->resolve_interval_ms = 30000;
        c->nupstreams = 1;
    }
    return rc;
}


int veil__sc_parse_listeners(veil__schema_t *s, const veil__node_t *root)
{
    static const char *const keys[] = {"name", "address"};
    const veil__node_t *seq = veil__map_get(root, "listeners");
    veil_config_t *c = s->cfg;
    size_t n = seq ? seq->count : 0;
    int rc = 0;

    if (seq && veil__sc_want_kind(s, seq, VEIL__N_SEQ, "listeners")) {
        rc = -1;
        n = 0;
    }
    c->listeners = veil__arena_alloc(&c->arena, (n + 1) * sizeof(*c->listeners));
    if (c->listeners == NULL) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const veil__node_t *m = seq->items[i];
        veil_listener_t *l = &c->listeners[c->nlisteners];
        memset(l, 0, sizeof(*l)); /* a slot left by a rejected entry is reused */
        const char *addr = NULL;
        char p[PATH], pk[PATH];
        veil__sc_join_index(p, "listeners", i);
        if (veil__sc_want_kind(s, m, VEIL__N_MAP, p) || veil__sc_check_keys(s, m, p, keys, COUNT(keys)) ||
            veil__sc_get_str(s, m, "name", p, &l->name) || veil__sc_get_str(s, m, "address", p, &addr)) {
            rc = -1;
            continue;
        }
        if (addr == NULL) {
            veil__err_at(s->d, m, p, "a listener needs an address (HOST:PORT)");
            rc = -1;
            continue;
        }
        if (parse_hostport(addr, &l->host, &l->port, &c->arena, 0) != 0) {
            veil__sc_field(m, "address", p, pk);
            veil__err_at(s->d, veil__map_get(m, "address"), pk, "expected HOST:PORT");
            rc = -1;
            continue;
        }
        if (l->name == NULL) {
            l->name = i == 0 ? "main" : veil__arena_strndup(&c->arena, p, strlen(p));
        }
        c->nlisteners++;
    }
    if (c->nlisteners == 0) {
        c->listeners[0].name = "main";
        c->listeners[0].host = "127.0.0.1";
        c->listeners[0].port = 8000;
        c->nlisteners = 1;
    }
    return rc;
}


int veil__sc_parse_server(veil__schema_t *s, const veil__node_t *root)
{
    static const char *const keys[] = {"workers", "max_connections", "max_header_bytes",
                                       "max_headers", "inspect_limit", "max_body_size",
                                       "header_timeout",
                                       "body_timeout", "keepalive_timeout", "drain_timeout"};
    static const char *const lkeys[] = {"path", "body_limit"};
    veil_server_settings_t *sv = &s->cfg->server;
    veil_access_log_settings_t *al = &s->cfg->access_log;
    /* max_body_size: 10m, ten times the inspection limit: API payloads
       fit, while one client cannot stream an unbounded body through (and
       hold an upstream connection for it); 0 lifts the limit. */
    uint64_t w = 0, mc = 10000, mhb = 16384, mh = 100, il = 1 << 20, mbs = 10 << 20,
             ht = 60000, bt = 60000, kt = 75000, dt = 30000, bl = 65536;
    const veil__node_t *m = veil__map_get(root, "server");
    int rc = 0;

    if (m && (veil__sc_want_kind(s, m, VEIL__N_MAP, "server") ||
              veil__sc_check_keys(s, m, "server", keys, COUNT(keys)) ||
              veil__sc_get_number(s, m, "workers", "server", 0, 0, 1024, &w) ||
              veil__sc_get_number(s, m, "max_connections", "server", 0, 1, 10000000, &mc) ||
              veil__sc_get_number(s, m, "max_header_bytes", "server", 1, 1024, 1 << 20, &mhb) ||
              veil__sc_get_number(s, m, "max_headers", "server", 0, 1, 10000, &mh) ||
              veil__sc_get_number(s, m, "inspect_limit", "server", 1, 1, 1ull << 32, &il) ||
              veil__sc_get_number(s, m, "max_body_size", "server", 1, 0, 1ull << 50, &mbs) ||
              veil__sc_get_number(s, m, "header_timeout", "server", 2, 1, 86400000, &ht) ||
              veil__sc_get_number(s, m, "body_timeout", "server", 2, 1, 86400000, &bt) ||
              veil__sc_get_number(s, m, "keepalive_timeout", "server", 2, 1, 86400000, &kt) ||
              veil__sc_get_number(s, m, "drain_timeout", "server", 2, 1, 86400000, &dt))) {
        rc = -1;
    }
    sv->workers = (unsigned)w;
    sv->max_connections = (unsigned)mc;
    sv->max_header_bytes = (size_t)mhb;
    sv->max_headers = (unsigned)mh;
    sv->inspect_limit = (size_t)il;
    sv->max_body_size = mbs;
    sv->header_timeout_ms = ht;
    sv->body_timeout_ms = bt;
    sv->keepalive_timeout_ms = kt;
    sv->drain_timeout_ms = dt;

    al->path = "-";
    m = veil__map_get(root, "access_log");
    if (m && (veil__sc_want_kind(s, m, VEIL__N_MAP, "access_log") ||
              veil__sc_check_keys(s, m, "access_log", lkeys, COUNT(lkeys)) ||
              veil__sc_get_str(s, m, "path", "access_log", &al->path) ||
              veil__sc_get_number(s, m, "body_limit", "access_log", 1, 0, 1ull << 30, &bl))) {
        rc = -1;
    }
    al->body_limit = (size_t)bl;
    return rc;
}
