/*
 * The upstreams of the running proxy, like nginx's upstream blocks or
 * Envoy's clusters: one veil__upstream_t per entry of the config's
 * `upstreams:` (or the one --upstream without -c), each with its own
 * settings, its own address table and resolver, and its own pool on
 * every worker (upstream.c).
 *
 * An exchange finds its upstream through the config it took, right after
 * taking it when its head arrived, and keeps a reference to the end: the
 * table keeps the set of upstreams of the current config and of the one
 * before it (each set holding its config, so a config's address is never
 * reused while a set names it), in the config's order, so a route's
 * upstream pointer maps to its upstream by index. A reload builds the new
 * config's set before the workers can see the config (server.c swaps it
 * in afterwards): an exchange never finds a config without its
 * upstreams, and a config older than the kept sets (two reloads between
 * taking it and the look-up) gives no upstream (502), never another one.
 *
 * Across a reload an upstream whose name, address and settings did not
 * change is the same object: its pools and addresses carry over. One
 * that changed or went away is retired: its resolver stops, the workers
 * close its idle connections and stop pooling it, and exchanges that
 * hold it finish on it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy_int.h"

struct veil__upset {
    veil_config_t *conf;         /* a reference; NULL: --upstream */
    unsigned n;
    veil__upstream_t *up[];      /* references, in the config's order */
};

veil__upstream_t *veil__upstream_ref(veil__upstream_t *u)
{
    atomic_fetch_add(&u->refs, 1);
    return u;
}


void veil__upstream_unref(veil__upstream_t *u)
{
    if (u == NULL || atomic_fetch_sub(&u->refs, 1) != 1) {
        return;
    }
    /* The resolver was stopped when the upstream was retired (or at the
       end): nothing writes <addrs> any more. */
    veil__upaddrs_dispose(&u->addrs);
    veil__tls_ctx_free(u->tls_ctx);
    free(u);
}


/* <out>: <base> with the settings of <cu> (NULL: --upstream, <base> as
   it is). The first upstream of a config keeps what flags overrode. */
static int upstream_cfg(const veil_proxy_config_t *base,
                        const veil_upstream_t *cu, int first,
                        veil_proxy_config_t *out)
{
    *out = *base;
    (void)first; /* the loader applied the command line to the first */
    if (cu == NULL) {
        return 0;
    }
    {
        if (strlen(cu->host) >= sizeof(out->upstream_host)) {
            fprintf(stderr, "veil: upstream %s: host name too long\n",
                    cu->name);
            return -1;
        }
        strcpy(out->upstream_host, cu->host);
        out->upstream_port = cu->port;
        out->upstream_tls = cu->tls;
        out->upstream_tls_verify = cu->tls_verify;
        out->upstream_tls_ca_file[0] = '\0';
        out->upstream_tls_server_name[0] = '\0';
        if ((cu->tls_ca_file != NULL &&
             strlen(cu->tls_ca_file) >= sizeof(out->upstream_tls_ca_file)) ||
            (cu->tls_server_name != NULL &&
             strlen(cu->tls_server_name) >=
                 sizeof(out->upstream_tls_server_name))) {
            fprintf(stderr, "veil: upstream %s: tls name too long\n",
                    cu->name);
            return -1;
        }
        if (cu->tls_ca_file != NULL) {
            strcpy(out->upstream_tls_ca_file, cu->tls_ca_file);
        }
        if (cu->tls_server_name != NULL) {
            strcpy(out->upstream_tls_server_name, cu->tls_server_name);
        }
        snprintf(out->upstream_authority, sizeof(out->upstream_authority),
                 strchr(cu->host, ':') ? "[%s]:%d" : "%s:%d", cu->host,
                 cu->port);
    }
    out->connect_timeout_ms = cu->connect_timeout_ms;
    out->upstream_timeout_ms = cu->response_timeout_ms;
    out->upstream_resolve_interval_ms = cu->resolve_interval_ms;
    out->upstream_keepalive_ms = cu->idle_timeout_ms;
    out->upstream_idle_max = cu->pool_size;
    return 0;
}


/* Whether <u> can stand for the upstream <name> with settings <c>. */
static int same(const veil__upstream_t *u, const char *name,
                const veil_proxy_config_t *c)
{
    const veil_proxy_config_t *a = &u->cfg;

    return strcmp(u->name, name) == 0 &&
           strcmp(a->upstream_host, c->upstream_host) == 0 &&
           a->upstream_port == c->upstream_port &&
           a->upstream_tls == c->upstream_tls &&
           a->upstream_tls_verify == c->upstream_tls_verify &&
           strcmp(a->upstream_tls_ca_file, c->upstream_tls_ca_file) == 0 &&
           strcmp(a->upstream_tls_server_name,
                  c->upstream_tls_server_name) == 0 &&
           strcmp(a->upstream_authority, c->upstream_authority) == 0 &&
           a->connect_timeout_ms == c->connect_timeout_ms &&
           a->upstream_timeout_ms == c->upstream_timeout_ms &&
           a->upstream_keepalive_ms == c->upstream_keepalive_ms &&
           a->upstream_idle_max == c->upstream_idle_max &&
           a->upstream_resolve_interval_ms == c->upstream_resolve_interval_ms;
}


/* A new upstream, resolved (blocking); NULL after a message. */
static veil__upstream_t *upstream_new(const char *name,
                                      const veil_proxy_config_t *c)
{
    veil__upstream_t *u = calloc(1, sizeof(*u));

    if (u == NULL) {
        fprintf(stderr, "veil: upstream %s: out of memory\n", name);
        return NULL;
    }
    atomic_init(&u->refs, 1);
    atomic_init(&u->retired, 0);
    snprintf(u->name, sizeof(u->name), "%s", name);
    u->cfg = *c;
    if (c->upstream_tls &&
        (u->tls_ctx = veil__tls_ctx_new(&u->cfg, u->name)) == NULL) {
        free(u);
        return NULL;
    }
    veil__upaddrs_init(&u->addrs);
    if (veil__resolve_start_up(&u->cfg, u->name, &u->addrs) != 0) {
        veil__upaddrs_dispose(&u->addrs);
        veil__tls_ctx_free(u->tls_ctx);
        free(u);
        return NULL;
    }
    return u;
}


static void set_free(veil__upset_t *s)
{
    if (s == NULL) {
        return;
    }
    for (unsigned i = 0; i < s->n; i++) {
        veil__upstream_unref(s->up[i]);
    }
    veil_config_release(s->conf);
    free(s);
}


static int in_set(const veil__upset_t *s, const veil__upstream_t *u)
{
    for (unsigned i = 0; s != NULL && i < s->n; i++) {
        if (s->up[i] == u) {
            return 1;
        }
    }
    return 0;
}


/* The set of <conf>: upstreams of <cur> that did not change are shared,
   others are created. NULL after a message. */
static veil__upset_t *set_build(const veil_proxy_config_t *base,
                                veil_config_t *conf, const veil__upset_t *cur)
{
    size_t n = conf != NULL ? veil_config_upstream_count(conf) : 1;
    veil__upset_t *s = calloc(1, sizeof(*s) + n * sizeof(s->up[0]));
    veil_proxy_config_t *c = malloc(sizeof(*c));

    if (s == NULL || c == NULL) {
        fprintf(stderr, "veil: upstreams: out of memory\n");
        free(s);
        free(c);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const veil_upstream_t *cu =
            conf != NULL ? veil_config_upstream(conf, i) : NULL;
        const char *name = cu != NULL ? cu->name : "default";
        veil__upstream_t *u = NULL;

        if (upstream_cfg(base, cu, i == 0, c) != 0) {
            goto fail;
        }
        for (unsigned j = 0; cur != NULL && j < cur->n && u == NULL; j++) {
            if (same(cur->up[j], name, c)) {
                u = veil__upstream_ref(cur->up[j]);
            }
        }
        if (u == NULL && (u = upstream_new(name, c)) == NULL) {
            goto fail;
        }
        s->up[s->n++] = u;
    }
    s->conf = conf != NULL ? veil_config_acquire(conf) : NULL;
    free(c);
    return s;
fail:
    free(c);
    set_free(s);
    return NULL;
}


int veil__upstreams_init(veil__upstreams_t *t, const veil_proxy_config_t *base,
                         veil_config_t *conf)
{
    memset(t, 0, sizeof(*t));
    pthread_mutex_init(&t->lock, NULL);
    t->sets[0] = set_build(base, conf, NULL);
    if (t->sets[0] == NULL) {
        pthread_mutex_destroy(&t->lock);
        return -EINVAL;
    }
    t->nsets = 1;
    return 0;
}


static void start_resolvers(veil__upstreams_t *t, veil__upset_t *s)
{
    for (unsigned i = 0; i < s->n; i++) {
        veil__upstream_t *u = s->up[i];

        if (u->resolver == NULL && !atomic_load(&u->retired)) {
            u->resolver = veil__resolver_start(t->loop, &u->cfg, u->name,
                                               &u->addrs);
        }
    }
}


void veil__upstreams_start(veil__upstreams_t *t, uv_loop_t *loop)
{
    t->loop = loop;
    start_resolvers(t, t->sets[0]);
}


veil__upset_t *veil__upstreams_prepare(veil__upstreams_t *t,
                                       const veil_proxy_config_t *base,
                                       veil_config_t *conf)
{
    veil__upset_t *cur, *s;

    /* sets[0] changes only in veil__upstreams_commit(), which the caller
       does not run meanwhile; the lock orders this read with it. */
    pthread_mutex_lock(&t->lock);
    cur = t->sets[0];
    pthread_mutex_unlock(&t->lock);
    s = set_build(base, conf, cur);
    return s;
}


void veil__upstreams_discard(veil__upset_t *s)
{
    set_free(s);
}


void veil__upstreams_commit(veil__upstreams_t *t, veil__upset_t *s)
{
    veil__upset_t *old = t->sets[0], *dropped = NULL;

    if (t->loop != NULL) {
        start_resolvers(t, s);
    }
    pthread_mutex_lock(&t->lock);
    if (t->nsets == VEIL__UPSETS_KEPT) {
        dropped = t->sets[--t->nsets];
    }
    memmove(&t->sets[1], &t->sets[0], t->nsets * sizeof(t->sets[0]));
    t->sets[0] = s;
    t->nsets++;
    pthread_mutex_unlock(&t->lock);
    for (unsigned i = 0; i < old->n; i++) {
        veil__upstream_t *u = old->up[i];

        if (!in_set(s, u)) {
            atomic_store(&u->retired, 1);
            veil__resolver_stop(u->resolver);
            u->resolver = NULL;
        }
    }
    set_free(dropped);
}


void veil__upstreams_stop(veil__upstreams_t *t)
{
    veil__upset_t *s = t->sets[0];

    for (unsigned i = 0; s != NULL && i < s->n; i++) {
        veil__resolver_stop(s->up[i]->resolver);
        s->up[i]->resolver = NULL;
    }
}


void veil__upstreams_dispose(veil__upstreams_t *t)
{
    veil__upstreams_stop(t);
    for (unsigned i = 0; i < t->nsets; i++) {
        set_free(t->sets[i]);
        t->sets[i] = NULL;
    }
    t->nsets = 0;
    pthread_mutex_destroy(&t->lock);
}


veil__upstream_t *veil__upstreams_find(veil__upstreams_t *t,
                                       const veil_config_t *conf,
                                       const veil_upstream_t *u)
{
    veil__upstream_t *found = NULL;

    pthread_mutex_lock(&t->lock);
    for (unsigned i = 0; i < t->nsets && found == NULL; i++) {
        const veil__upset_t *s = t->sets[i];

        if (s->conf != conf) {
            continue;
        }
        if (conf == NULL) {
            found = s->up[0];
            break;
        }
        for (unsigned j = 0; j < s->n; j++) {
            if (veil_config_upstream(conf, j) == u) {
                found = s->up[j];
                break;
            }
        }
        break;
    }
    if (found != NULL) {
        veil__upstream_ref(found);
    }
    pthread_mutex_unlock(&t->lock);
    return found;
}
