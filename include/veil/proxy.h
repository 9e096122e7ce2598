/*
 * The proxy: a strict, streaming HTTP/1.1 reverse proxy.
 *
 * veil_proxy_run() starts N worker threads, each with its own libuv loop
 * and an SO_REUSEPORT listener per configured address, routes every
 * request to the upstream of its route, forwards it (observed, or
 * redacted, tokenized or blocked where its policy says so; framing
 * regenerated, hop-by-hop headers removed, forwarding headers added) and
 * writes one redacted JSON line per exchange to the access log.
 */
#ifndef VEIL_PROXY_H
#define VEIL_PROXY_H

#include <stddef.h>
#include <stdint.h>

#include "veil/scan.h"

#define VEIL_MAX_LISTENERS 8

/*
 * What veil_proxy_run() needs besides the configuration: the holder of the
 * current configuration (everything the proxy serves with: listeners,
 * upstreams, routes, policies, and the settings of include/veil/
 * settings.h, read through the holder, per exchange where they may change
 * by a reload), where it is reloaded from, and the caller's counters and
 * drain hook.
 */
typedef struct veil_proxy_config {
    /* The current configuration; required. Each exchange takes it when
       its request head has arrived and keeps it to its end; connections
       read their limits and timeouts from the current one. */
    struct veil_config_holder *holder;
    const char *config_path; /* reloaded on SIGHUP and on change;
                                      NULL: the embedded default */
    /* The command line's overrides, re-applied at every reload. */
    const struct veil_setting_override *overrides;
    size_t noverrides;
    /* Counters (include/veil/stats.h), or NULL. Created by the caller
       with at least as many shards as server.workers gives workers;
       worker i updates shard i once per exchange and per refused
       request. */
    struct veil_stats *stats;
    /* Called on the main thread when SIGTERM starts the drain (readiness
       probes go to 503), or NULL. */
    void (*on_drain)(void *ud);
    void *drain_ud;
} veil_proxy_config_t;

/* The number of worker threads server.workers gives (0: one per core). */
unsigned veil_proxy_workers(unsigned configured);


/*
 * veil_proxy_run(): runs the proxy until SIGTERM (graceful drain), SIGINT
 * (fast stop) or a fatal start-up error. SIGUSR1 reopens the access log.
 * Returns 0 after a clean stop, or a negative errno with a reason (never
 * request content) written to stderr.
 */
int veil_proxy_run(const veil_proxy_config_t *cfg);

#endif
