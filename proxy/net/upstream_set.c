/*
 * The upstreams of the running proxy, like nginx's upstream blocks or
 * Envoy's clusters: one veil__upstream_t per entry of the config's
 * `upstreams:`, each with its own
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
    veil_config_t *conf; /* a reference */
    unsigned n;
    veil__upstream_t *up[]; /* references, in the config's order */
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
    veil__tls_upctx_free(u->tls_ctx);
    free(u);
}


/* The settings of the config entry <cu>; -1 after a message when a name
   does not fit. */
static int settings_of(const veil_upstream_t *cu, veil__upsettings_t *out)
{
    memset(out, 0, sizeof(*out));
    if (strlen(cu->host) >= sizeof(out->host) ||
        (cu->tls_ca_file != NULL && strlen(cu->tls_ca_file) >= sizeof(out->tls_ca_file)) ||
        (cu->tls_server_name != NULL &&
         strlen(cu->tls_server_name) >= sizeof(out->tls_server_name)) ||
        (cu->tls_cert_file != NULL && strlen(cu->tls_cert_file) >= sizeof(out->tls_cert_file)) ||
        (cu->tls_key_file != NULL && strlen(cu->tls_key_file) >= sizeof(out->tls_key_file))) {
        fprintf(stderr, "veil: upstream %s: a name is too long\n", cu->name);
        return -1;
    }
    strcpy(out->host, cu->host);
    out->port = cu->port;
    snprintf(out->authority, sizeof(out->authority), strchr(cu->host, ':') ? "[%s]:%d" : "%s:%d",
             cu->host, cu->port);
    out->tls = cu->tls;
    out->tls_verify = cu->tls_verify;
    if (cu->tls_ca_file != NULL) {
        strcpy(out->tls_ca_file, cu->tls_ca_file);
    }
    if (cu->tls_server_name != NULL) {
        strcpy(out->tls_server_name, cu->tls_server_name);
    }
    if (cu->tls_cert_file != NULL) {
        strcpy(out->tls_cert_file, cu->tls_cert_file);
        strcpy(out->tls_key_file, cu->tls_key_file);
    }
    out->connect_timeout_ms = cu->connect_timeout_ms;
    out->response_timeout_ms = cu->response_timeout_ms;
    out->idle_timeout_ms = cu->idle_timeout_ms;
    out->resolve_interval_ms = cu->resolve_interval_ms;
    out->pool_size = cu->pool_size;
    return 0;
}


/* Whether <u> can stand for the upstream <name> with settings <c>: the
   whole struct compared (zeroed before being filled, so padding and the
   ends of the strings compare equal too). */
static int same(const veil__upstream_t *u, const char *name, const veil__upsettings_t *c)
{
    return strcmp(u->name, name) == 0 && memcmp(&u->set, c, sizeof(*c)) == 0;
}


/* A new upstream, resolved (blocking); NULL after a message. */
static veil__upstream_t *upstream_new(const char *name, const veil__upsettings_t *c)
{
    veil__upstream_t *u = calloc(1, sizeof(*u));

    if (u == NULL) {
        fprintf(stderr, "veil: upstream %s: out of memory\n", name);
        return NULL;
    }
    atomic_init(&u->refs, 1);
    atomic_init(&u->retired, 0);
    snprintf(u->name, sizeof(u->name), "%s", name);
    u->set = *c;
    if (c->tls && (u->tls_ctx = veil__tls_upctx_new(&u->set, u->name)) == NULL) {
        free(u);
        return NULL;
    }
    veil__upaddrs_init(&u->addrs);
    if (veil__resolve_start_up(&u->set, u->name, &u->addrs) != 0) {
        veil__upaddrs_dispose(&u->addrs);
        veil__tls_upctx_free(u->tls_ctx);
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
static veil__upset_t *set_build(veil_config_t *conf, const veil__upset_t *cur)
{
    size_t n = veil_config_upstream_count(conf);
    veil__upset_t *s = calloc(1, sizeof(*s) + n * sizeof(s->up[0]));
    veil__upsettings_t c;

    if (s == NULL) {
        fprintf(stderr, "veil: upstreams: out of memory\n");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const veil_upstream_t *cu = veil_config_upstream(conf, i);
        veil__upstream_t *u = NULL;

        if (settings_of(cu, &c) != 0) {
            goto fail;
        }
        for (unsigned j = 0; cur != NULL && j < cur->n && u == NULL; j++) {
            if (same(cur->up[j], cu->name, &c)) {
                u = veil__upstream_ref(cur->up[j]);
            }
        }
        if (u == NULL && (u = upstream_new(cu->name, &c)) == NULL) {
            goto fail;
        }
        s->up[s->n++] = u;
    }
    s->conf = veil_config_acquire(conf);
    return s;
fail:
    set_free(s);
    return NULL;
}


int veil__upstreams_init(veil__upstreams_t *t, veil_config_t *conf)
{
    memset(t, 0, sizeof(*t));
    pthread_mutex_init(&t->lock, NULL);
    t->sets[0] = set_build(conf, NULL);
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
            u->resolver = veil__resolver_start(t->loop, &u->set, u->name, &u->addrs, t->stats);
        }
    }
}


void veil__upstreams_start(veil__upstreams_t *t, uv_loop_t *loop)
{
    t->loop = loop;
    start_resolvers(t, t->sets[0]);
}


veil__upset_t *veil__upstreams_prepare(veil__upstreams_t *t, veil_config_t *conf)
{
    veil__upset_t *cur, *s;

    /* sets[0] changes only in veil__upstreams_commit(), which the caller
       does not run meanwhile; the lock orders this read with it. */
    pthread_mutex_lock(&t->lock);
    cur = t->sets[0];
    pthread_mutex_unlock(&t->lock);
    s = set_build(conf, cur);
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


veil__upstream_t *veil__upstreams_find(veil__upstreams_t *t, const veil_config_t *conf,
                                       const veil_upstream_t *u)
{
    veil__upstream_t *found = NULL;

    pthread_mutex_lock(&t->lock);
    for (unsigned i = 0; i < t->nsets && found == NULL; i++) {
        const veil__upset_t *s = t->sets[i];

        if (s->conf != conf) {
            continue;
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
