/*
 * The proxy: a strict, streaming HTTP/1.1 reverse proxy in observe mode.
 *
 * veil_proxy_run() starts N worker threads, each with its own libuv loop
 * and its own SO_REUSEPORT listener, routes every request to the upstream
 * of its route (one upstream without a config),
 * forwards the bytes unchanged (framing regenerated, hop-by-hop headers
 * removed, forwarding headers added) and writes one redacted JSON line per
 * exchange to the access log.
 */
#ifndef VEIL_PROXY_H
#define VEIL_PROXY_H

#include <stddef.h>
#include <stdint.h>

#include "veil/scan.h"

#define VEIL_MAX_LISTENERS 8

typedef struct veil_proxy_config {
    /* Where to listen: an IPv4/IPv6 literal and a port. */
    char listen_host[64];
    int listen_port;
    /* More addresses served the same way (a config's listeners after the
       first); --listen replaces the first only. */
    struct {
        char host[64];
        int port;
    } more_listen[VEIL_MAX_LISTENERS - 1];
    unsigned n_more_listen;
    /* The upstream without -c: http://host:port. A name is resolved at
       start-up (veil does not start without an address) and again every
       <upstream_resolve_interval_ms> (0: never), off the workers' loops;
       a failed lookup keeps the last good addresses. With -c every
       upstream of the config gets its own addresses, pool and timeouts
       (the upstream_* fields below are then the defaults the config's
       upstreams replace). */
    char upstream_host[256];
    int upstream_port;
    /* https:// (proxy/net/tls_up.c): peer verification (0 only when a
       config says `tls: {verify: false}`), a CA file instead of the
       system store ("" : none) and a name for SNI and the certificate
       check instead of upstream_host ("": none). */
    int upstream_tls;
    int upstream_tls_verify;
    char upstream_tls_ca_file[1024];
    char upstream_tls_server_name[256];
    /* The Host header sent when the client sent none (HTTP/1.0). */
    char upstream_authority[300];

    /* Access log: a path, or "-" for stdout. */
    char access_log[1024];
    /* Rotation of a file access log (proxy/observe/logfile.h): above this size,
       every this many seconds (UTC boundaries), and deletion of rotated
       files older than the retention; 0 disables each. */
    uint64_t access_log_max_bytes;
    uint64_t access_log_rotate_s;
    uint64_t access_log_retention_s;
    /* unix: and unixgram: access logs: the longest record sent
       (proxy/observe/log_socket.h); 0: 64 KiB. */
    size_t access_log_max_record;
    unsigned workers;              /* 0: number of cores */

    /* Limits. */
    size_t max_header_bytes;       /* 431 above this */
    unsigned max_header_count;     /* 431 above this */
    unsigned max_connections;      /* per process; 503 above it */
    size_t inspect_limit;          /* decoded body bytes fed to the engine */
    uint64_t max_body_size;        /* request body bytes, 413 above; 0: none */
    size_t log_body_limit;         /* redacted body bytes written per body */
    unsigned upstream_idle_max;    /* idle pooled connections per worker */
    /* Request fields whose name holds '_' are dropped before forwarding
       unless this is set (they are never rewritten to '-'). */
    int pass_underscore_headers;

    /* Timeouts, in milliseconds. */
    uint64_t header_timeout_ms;    /* a request head must arrive: 408 */
    uint64_t body_timeout_ms;      /* idle gap in a body: 408 / 504 */
    uint64_t connect_timeout_ms;   /* upstream connect: 502 */
    uint64_t upstream_timeout_ms;  /* first response byte, idle gaps: 504 */
    uint64_t keepalive_timeout_ms; /* idle client keep-alive connection */
    uint64_t upstream_keepalive_ms;/* idle pooled upstream connection */
    uint64_t drain_timeout_ms;     /* SIGTERM: in-flight requests get this */
    uint64_t upstream_resolve_interval_ms; /* 0: resolve at start only */

    /* The engine, shared by all workers; NULL: no inspection. */
    const veil_engine_t *engine;
    /* veil run -c: the current configuration; each exchange takes it at
       its start (route, policy, engines, actions) and keeps it to its
       end. NULL: <engine> for everything. */
    struct veil_config_holder *holder;
    const char *config_path;       /* reloaded on SIGHUP and on change;
                                      NULL: the embedded default */
    /* The command line's overrides, re-applied at every reload. */
    const struct veil_setting_override *overrides;
    size_t noverrides;
    /* Counters (include/veil/stats.h), or NULL. Created by the caller
       with at least <workers> shards (resolve workers = 0 first); worker
       i updates shard i once per exchange and per refused request. */
    struct veil_stats *stats;
    /* Called on the main thread when SIGTERM starts the drain (readiness
       probes go to 503), or NULL. */
    void (*on_drain)(void *ud);
    void *drain_ud;
} veil_proxy_config_t;

/* veil_proxy_config_init(): fills <cfg> with the production defaults. */
void veil_proxy_config_init(veil_proxy_config_t *cfg);

/*
 * veil_proxy_run(): runs the proxy until SIGTERM (graceful drain), SIGINT
 * (fast stop) or a fatal start-up error. SIGUSR1 reopens the access log.
 * Returns 0 after a clean stop, or a negative errno with a reason (never
 * request content) written to stderr.
 */
int veil_proxy_run(const veil_proxy_config_t *cfg);

#endif
