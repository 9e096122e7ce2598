/*
 * An upstream's addresses: looked up once at start-up (veil does not
 * start without one) or when a reload adds the upstream, then again every
 * upstream_resolve_interval_ms on the main thread's loop, one resolver
 * per upstream (upstream_set.c). uv_getaddrinfo() runs the lookup on libuv's
 * thread pool, so neither the main loop nor any worker waits on DNS.
 *
 * A new answer is published in one shared table under a mutex and a
 * generation number is bumped; a worker compares the generation (one
 * atomic load) when it opens a new upstream connection and copies the
 * table only when it changed. Pooled connections keep the address they
 * were opened to until they close. A failed lookup keeps the last good
 * table, is counted (veil_upstream_errors_total, kind
 * upstream_resolve_failed) and warned about once per run of failures;
 * the warning names neither the host nor an address.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy_int.h"
#include "veil/stats.h"

struct veil__resolver {
    uv_loop_t *loop;
    uv_timer_t timer;
    uv_getaddrinfo_t req;
    int busy; /* a lookup is in flight */
    int stopping;
    int timer_open;
    int failing; /* the last lookup failed (warned) */
    char host[256];
    char port[16];
    char who[160]; /* "upstream NAME: " */
    veil__upaddrs_t *shared;
    struct veil_stats *stats;
};


/* Fills <out> with the stream addresses of <res>, in the resolver's
   order (RFC 6724), without duplicates; returns how many. */
static unsigned collect(const struct addrinfo *res, struct sockaddr_storage *out, unsigned cap)
{
    unsigned n = 0, i;

    for (; res != NULL && n < cap; res = res->ai_next) {
        int dup = 0;

        if ((res->ai_family != AF_INET && res->ai_family != AF_INET6) ||
            res->ai_addrlen > sizeof(out[0])) {
            continue;
        }
        for (i = 0; i < n && !dup; i++) {
            dup = memcmp(&out[i], res->ai_addr, res->ai_addrlen) == 0;
        }
        if (dup) {
            continue;
        }
        memset(&out[n], 0, sizeof(out[n]));
        memcpy(&out[n], res->ai_addr, res->ai_addrlen);
        n++;
    }
    return n;
}


void veil__upaddrs_init(veil__upaddrs_t *t)
{
    memset(t, 0, sizeof(*t));
    pthread_mutex_init(&t->lock, NULL);
}


void veil__upaddrs_dispose(veil__upaddrs_t *t)
{
    pthread_mutex_destroy(&t->lock);
}


/* Publishes <n> addresses; a table equal to the current one changes
   nothing (the workers keep their preferred address). */
static void publish(veil__upaddrs_t *t, const struct sockaddr_storage *a, unsigned n)
{
    pthread_mutex_lock(&t->lock);
    if (n != t->n || memcmp(a, t->addr, n * sizeof(a[0])) != 0) {
        memcpy(t->addr, a, n * sizeof(a[0]));
        t->n = n;
        atomic_fetch_add(&t->gen, 1);
    }
    pthread_mutex_unlock(&t->lock);
}


int veil__resolve_start_up(const veil__upsettings_t *set, const char *name, veil__upaddrs_t *t)
{
    struct addrinfo hints, *res = NULL;
    struct sockaddr_storage a[VEIL__MAX_UPADDRS];
    char port[16];
    unsigned n;
    int rc;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    snprintf(port, sizeof(port), "%d", set->port);
    rc = getaddrinfo(set->host, port, &hints, &res);
    if (rc != 0 || res == NULL) {
        fprintf(stderr, "veil: cannot resolve the host of upstream %s: %s\n", name,
                gai_strerror(rc));
        return -EINVAL;
    }
    n = collect(res, a, VEIL__MAX_UPADDRS);
    freeaddrinfo(res);
    if (n == 0) {
        fprintf(stderr,
                "veil: the host of upstream %s has no IPv4 or IPv6 "
                "address\n",
                name);
        return -EINVAL;
    }
    publish(t, a, n);
    return 0;
}


void veil__upaddrs_refresh(veil__pool_t *p)
{
    veil__upaddrs_t *t = &p->up->addrs;
    unsigned gen = atomic_load(&t->gen);

    if (gen == p->gen && p->n > 0) {
        return;
    }
    pthread_mutex_lock(&t->lock);
    memcpy(p->addr, t->addr, t->n * sizeof(t->addr[0]));
    p->n = t->n;
    p->gen = atomic_load(&t->gen);
    pthread_mutex_unlock(&t->lock);
    p->pref = 0;
}


static void resolver_free(veil__resolver_t *r)
{
    if (!r->busy && !r->timer_open) {
        free(r);
    }
}


static void timer_close_cb(uv_handle_t *h)
{
    veil__resolver_t *r = h->data;

    r->timer_open = 0;
    resolver_free(r);
}


static void lookup_cb(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    veil__resolver_t *r = req->data;
    struct sockaddr_storage a[VEIL__MAX_UPADDRS];
    unsigned n = 0;

    r->busy = 0;
    if (status == 0 && res != NULL) {
        n = collect(res, a, VEIL__MAX_UPADDRS);
    }
    uv_freeaddrinfo(res);
    if (r->stopping) {
        resolver_free(r);
        return;
    }
    if (n == 0) {
        if (r->stats != NULL) {
            veil_stats_upstream_error(veil_stats_shard(r->stats, VEIL_STATS_SHARD_MAIN), 0,
                                      "upstream_resolve_failed");
        }
        if (!r->failing) {
            /* Once per run of failures: a DNS outage must not flood
               stderr. */
            fprintf(stderr,
                    "veil: warning: %sthe upstream name could not "
                    "be resolved again (%s); keeping the last good "
                    "addresses\n",
                    r->who, status < 0 ? uv_strerror(status) : "no address");
            r->failing = 1;
        }
        return;
    }
    if (r->failing) {
        fprintf(stderr, "veil: %sthe upstream name resolves again\n", r->who);
        r->failing = 0;
    }
    publish(r->shared, a, n);
}


static void tick_cb(uv_timer_t *t)
{
    veil__resolver_t *r = t->data;
    struct addrinfo hints;

    if (r->busy || r->stopping) {
        return; /* a slow resolver: one lookup at a time */
    }
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    r->req.data = r;
    if (uv_getaddrinfo(r->loop, &r->req, lookup_cb, r->host, r->port, &hints) == 0) {
        r->busy = 1;
    }
}


veil__resolver_t *veil__resolver_start(uv_loop_t *loop, const veil__upsettings_t *set,
                                       const char *name, veil__upaddrs_t *shared,
                                       struct veil_stats *stats)
{
    veil__resolver_t *r;
    struct in6_addr a6;

    if (set->resolve_interval_ms == 0 || strlen(set->host) >= sizeof(r->host) ||
        uv_inet_pton(AF_INET, set->host, &a6) == 0 || uv_inet_pton(AF_INET6, set->host, &a6) == 0) {
        return NULL; /* off, or a literal address: nothing to look up */
    }
    r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return NULL;
    }
    r->loop = loop;
    r->shared = shared;
    r->stats = stats;
    strcpy(r->host, set->host);
    /* Names come from the config (bounded, not personal data); the host
       is never printed. */
    snprintf(r->who, sizeof(r->who), "upstream %.120s: ", name);
    snprintf(r->port, sizeof(r->port), "%d", set->port);
    uv_timer_init(loop, &r->timer);
    r->timer.data = r;
    r->timer_open = 1;
    uv_timer_start(&r->timer, tick_cb, set->resolve_interval_ms, set->resolve_interval_ms);
    return r;
}


void veil__resolver_stop(veil__resolver_t *r)
{
    if (r == NULL || r->stopping) {
        return;
    }
    r->stopping = 1;
    if (r->busy) {
        /* Not started yet: cancelled; running: lookup_cb frees. */
        uv_cancel((uv_req_t *)&r->req);
    }
    uv_close((uv_handle_t *)&r->timer, timer_close_cb);
}
