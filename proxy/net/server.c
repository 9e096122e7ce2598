/*
 * The server: N worker threads, each with its own loop and its own
 * SO_REUSEPORT listener (the kernel spreads connections over them), and
 * the main thread, which only handles signals:
 *   SIGTERM  drain: stop accepting, let in-flight exchanges finish within
 *            drain_timeout_ms, then stop;
 *   SIGINT   stop now (in-flight exchanges are cut and logged as such);
 *   SIGUSR1  reopen the access log (after rotation);
 *   SIGHUP   reload the configuration file (veil run -c; else ignored):
 *            parsed and validated on the thread pool, then its upstreams
 *            are set up (new names resolved) on the thread pool too, and
 *            only then is it swapped in for new exchanges, so no exchange sees
 *            a config whose upstreams are not ready; a bad file, or an
 *            upstream name that does not resolve, is reported and the old
 *            config stays. Upstreams gone or changed are retired: the
 *            workers close their idle connections.
 *
 * Listeners with `tls:` get their certificates (tls_ctx.c) at start, at
 * every reload (built with the upstreams, on the thread pool: a file that
 * does not load rejects the reload) and whenever one of their files
 * changes (checked every second: a renewed certificate is taken without
 * a reload; one that does not load is reported, the old one stays).
 * Connections keep the contexts they began with.
 */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_watch.h"
#include "proxy_int.h"
#include "veil/notify.h"
#include "veil/detokenize.h"
#include "veil/stats.h"
#include "veil/tokens.h"

typedef struct server {
    const veil_proxy_config_t *cfg;
    veil__worker_t *workers;
    unsigned n;
    uv_loop_t loop;
    uv_signal_t sig_term, sig_int, sig_usr1, sig_hup;
    uv_async_t done_async;
    uv_timer_t drain_timer;
    uv_timer_t log_timer; /* log rotation by time, retention */
    _Atomic unsigned done;
    _Atomic unsigned conn_count;
    _Atomic unsigned conn_peak; /* since the last memory trim */
    int trim_stage;             /* 1: caches shrunk, trim on next tick */
    int retrim_ticks;           /* ticks until the follow-up trim, or 0 */
    unsigned settle_ticks;      /* ticks into the steady period */
    unsigned idle_ticks;        /* seconds without a connection */
    veil_log_t *log;
    int draining;
    veil_config_reloader_t *reloader; /* veil run -c */
    /* The reloader loads into this holder; reload_done() moves a config
       on to cfg->holder (the workers') once its upstreams are ready. */
    veil_config_holder_t *staging;
    uint64_t ups_rejected;   /* reloads refused for their upstreams */
    uv_work_t ups_work;      /* a reload's upstreams, being set up */
    veil_config_t *ups_conf; /* the config they are for */
    veil__upset_t *ups_set;  /* the result (NULL: rejected) */
    int ups_busy, ups_again, stopping;
    veil__upstreams_t ups; /* the upstreams (upstream_set.c) */
    veil_config_t *conf0;  /* the configuration at start */
    /* The listeners' TLS contexts, the stamp of their files, and a
       reload's new ones (built with its upstreams). */
    veil__tls_listeners_t tls;
    uint64_t tls_stamp[VEIL_MAX_LISTENERS];
    veil__tls_srv_t *tls_new[VEIL_MAX_LISTENERS];
    uint64_t tls_new_stamp[VEIL_MAX_LISTENERS];
    int tls_new_failed;
    /* POST /detokenize (detokenize:), or NULL. */
    veil_detok_api_t *detok;
} server_t;


unsigned veil_proxy_workers(unsigned configured)
{
    long n;

    if (configured != 0) {
        return configured;
    }
    n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}


/* The engine of <c>'s default route: what inspects what has no exchange. */
static const veil_engine_t *default_engine(const veil_config_t *c)
{
    veil_route_request_t q = {"GET", 3, "", 0, "/", 1, NULL, 0, NULL, 0, NULL, NULL, 0};

    return veil_config_route_match(c, &q)->policy->dir[VEIL_DIR_REQUEST].engine;
}


const veil_config_t *veil__worker_conf(veil__worker_t *w)
{
    uint64_t gen = veil_config_holder_generation(w->cfg->holder);

    if (w->conf == NULL || gen != w->conf_gen) {
        /* Read before the swap it may race with: at worst the next call
           takes the same config again. */
        veil_config_t *c = veil_config_holder_get(w->cfg->holder);

        veil_config_release(w->conf);
        w->conf = c;
        w->conf_gen = gen;
        w->engine = w->inspect ? default_engine(c) : NULL;
    }
    return w->conf;
}


uint64_t veil__rand64(veil__worker_t *w)
{
    /* xorshift128+: request ids need uniqueness, not secrecy. */
    uint64_t s1 = w->rng[0];
    const uint64_t s0 = w->rng[1];

    w->rng[0] = s0;
    s1 ^= s1 << 23;
    w->rng[1] = s1 ^ s0 ^ (s1 >> 17) ^ (s0 >> 26);
    return w->rng[1] + s0;
}


void veil__request_id(veil__worker_t *w, char out[33])
{
    /* Two draws as 32 hex digits (an snprintf() cost as much as the rest
       of the request's start). */
    static const char hex[] = "0123456789abcdef";
    for (int half = 0; half < 2; half++) {
        uint64_t v = veil__rand64(w);
        for (int k = 15; k >= 0; k--) {
            out[16 * half + k] = hex[v & 15];
            v >>= 4;
        }
    }
    out[32] = '\0';
}


char *veil__buf_get(veil__worker_t *w)
{
    if (w->nbufs > 0) {
        char *b = w->bufs[--w->nbufs];

        if (w->nbufs < w->bufs_low) {
            w->bufs_low = w->nbufs;
        }
        return b;
    }
    return malloc(VEIL__IO_BUF);
}


void veil__buf_put(veil__worker_t *w, char *buf, size_t used)
{
    if (buf == NULL) {
        return;
    }
    if (used > 0) {
        explicit_bzero(buf, used < VEIL__IO_BUF ? used : VEIL__IO_BUF);
    }
    if (w->nbufs < VEIL__BUF_CACHE) {
        w->bufs[w->nbufs++] = buf;
    } else {
        free(buf);
    }
}


static void free_bufs(veil__worker_t *w)
{
    while (w->nbufs > 0) {
        free(w->bufs[--w->nbufs]);
    }
}


/* A burst is over: the cache keeps a few buffers, the rest go back. */
static void shrink_bufs(veil__worker_t *w)
{
    while (w->nbufs > VEIL__BUF_KEEP) {
        free(w->bufs[--w->nbufs]);
    }
    w->bufs_low = w->nbufs;
}


/*
 * A steady load's period is over: the buffers that stayed in the cache
 * the whole period (the lowest count it fell to) were not needed, so they
 * go back. Without this the cache keeps what the load's highest moment
 * needed, and the pages each buffer ever had written stay resident: a
 * steady hour of 16 connections on a busy machine crept from 7.5 to 9.6
 * MB of anonymous memory that way.
 */
static void settle_bufs(veil__worker_t *w)
{
    unsigned unused = w->bufs_low < w->nbufs ? w->bufs_low : w->nbufs;

    while (unused-- > 0) {
        free(w->bufs[--w->nbufs]);
    }
    w->bufs_low = w->nbufs;
}


static void close_walk_cb(uv_handle_t *h, void *arg)
{
    if (!uv_is_closing(h)) {
        uv_close(h, NULL);
    }
}


static void close_listeners(veil__worker_t *w)
{
    if (w->listener_open) {
        w->listener_open = 0;
        for (unsigned k = 0; k < w->nlisteners; k++) {
            uv_close((uv_handle_t *)&w->listeners[k], NULL);
        }
    }
}


void veil__worker_check_idle(veil__worker_t *w)
{
    if (!(w->draining || w->stopping) || w->nclients > 0) {
        return;
    }
    veil__upstream_close_idle(w);
    if (w->nupconns > 0) {
        return;
    }
    if (!uv_is_closing((uv_handle_t *)&w->async)) {
        uv_close((uv_handle_t *)&w->async, NULL);
        uv_close((uv_handle_t *)&w->check, NULL);
    }
    close_listeners(w);
}


static void worker_async_cb(uv_async_t *a)
{
    veil__worker_t *w = a->data;
    int cmd = atomic_load(&w->cmd);
    veil__client_t *c, *next;

    if (atomic_exchange(&w->prune, 0) && !w->stopping) {
        veil__upstream_prune(w);
    }
    if (atomic_exchange(&w->trim, 0)) {
        shrink_bufs(w);
        veil_redactor_settle(1); /* remade on demand, cheaply */
    }
    if (atomic_exchange(&w->settle, 0)) {
        settle_bufs(w);
        /* The redactors kept for reuse, like the buffers: those the period
           never took go back. They live on this thread (redactor.c). */
        veil_redactor_settle(0);
    }
    if (cmd == VEIL__CMD_NONE || w->stopping) {
        return;
    }
    close_listeners(w);
    if (cmd == VEIL__CMD_STOP) {
        w->stopping = 1;
        w->draining = 1;
        for (c = w->clients; c != NULL; c = next) {
            next = c->next;
            veil__client_close(c);
        }
    } else if (!w->draining) {
        w->draining = 1;
        for (c = w->clients; c != NULL; c = next) {
            next = c->next;
            veil__client_drain(c);
        }
    }
    veil__upstream_close_idle(w);
    veil__worker_check_idle(w);
}


static void check_cb(uv_check_t *h)
{
    veil__outq_flush_all(h->data);
}


static void on_connection(uv_stream_t *l, int status)
{
    veil__worker_t *w = l->data;
    unsigned k = (unsigned)((uv_tcp_t *)l - w->listeners);
    veil__tls_srv_t *tls;

    if (status < 0 || w->draining) {
        return;
    }
    tls = veil__tls_listeners_get(w->tls, k);
    veil__client_accept(w, l, k, tls);
    veil__tls_srv_unref(tls);
}


/* What identifies the current version of listener <lt>'s files: their
   device, inode, size and change time, mixed (FNV-1a). A file that is
   missing mixes in its absence. */
static uint64_t tls_files_stamp(const veil_listener_tls_t *lt)
{
    uint64_t h = 1469598103934665603ull;
    const char *files[3];

    for (size_t i = 0; i <= lt->ncertificates; i++) {
        size_t nf = 0;

        if (i < lt->ncertificates) {
            files[nf++] = lt->certificates[i].cert_file;
            files[nf++] = lt->certificates[i].key_file;
            files[nf++] = lt->certificates[i].ocsp_file;
        } else {
            files[nf++] = lt->client_ca_file;
        }
        for (size_t f = 0; f < nf; f++) {
            struct stat st;
            uint64_t v[5] = {0};

            if (files[f] == NULL) {
                continue;
            }
            if (stat(files[f], &st) == 0) {
                v[0] = (uint64_t)st.st_dev;
                v[1] = (uint64_t)st.st_ino;
                v[2] = (uint64_t)st.st_size;
                v[3] = (uint64_t)st.st_mtim.tv_sec;
                v[4] = (uint64_t)st.st_mtim.tv_nsec;
            }
            for (size_t b = 0; b < sizeof(v); b++) {
                h = (h ^ ((const unsigned char *)v)[b]) * 1099511628211ull;
            }
        }
    }
    return h;
}


/* Builds the TLS contexts of <c>'s listeners into <out> (NULL for plain
   ones) with their files' stamps. 0, or -1 after a message naming the
   listener, the file and OpenSSL's reason (<out> then holds nothing). */
static int tls_build(const veil_config_t *c, veil__tls_srv_t **out, uint64_t *stamps,
                     const char *prefix)
{
    size_t n = veil_config_listener_count(c);

    for (size_t k = 0; k < VEIL_MAX_LISTENERS; k++) {
        out[k] = NULL;
    }
    for (size_t k = 0; k < n && k < VEIL_MAX_LISTENERS; k++) {
        const veil_listener_tls_t *lt = veil_config_listener(c, k)->tls;
        char err[1200];

        if (lt == NULL) {
            continue;
        }
        stamps[k] = tls_files_stamp(lt);
        out[k] = veil__tls_srv_new(lt, err, sizeof(err));
        if (out[k] == NULL) {
            fprintf(stderr, "veil: %slisteners[%zu].tls: %s\n", prefix, k, err);
            for (size_t j = 0; j < k; j++) {
                veil__tls_srv_unref(out[j]);
                out[j] = NULL;
            }
            return -1;
        }
    }
    return 0;
}


/* Every second: a listener whose certificate, key, OCSP response or
   client CA file changed gets new contexts; when they do not load, the
   old ones stay (reported once per change). */
static void tls_watch(server_t *s)
{
    veil_config_t *c;
    size_t n;

    if (s->ups_busy || s->draining) {
        return; /* a reload is building them anyway */
    }
    c = veil_config_holder_get(s->cfg->holder);
    n = veil_config_listener_count(c);
    for (size_t k = 0; k < n && k < VEIL_MAX_LISTENERS; k++) {
        const veil_listener_tls_t *lt = veil_config_listener(c, k)->tls;
        veil__tls_srv_t *srv;
        uint64_t st;
        char err[1200];

        if (lt == NULL || (st = tls_files_stamp(lt)) == s->tls_stamp[k]) {
            continue;
        }
        s->tls_stamp[k] = st;
        srv = veil__tls_srv_new(lt, err, sizeof(err));
        if (srv == NULL) {
            fprintf(stderr, "veil: listeners[%zu].tls: %s; the certificates in use stay\n", k, err);
            continue;
        }
        veil__tls_listeners_set(&s->tls, (unsigned)k, srv);
        fprintf(stderr, "veil: listeners[%zu].tls: certificates reloaded\n", k);
    }
    veil_config_release(c);
}


static void worker_main(void *arg)
{
    veil__worker_t *w = arg;

    uv_run(&w->loop, UV_RUN_DEFAULT);
}


static int parse_addr(const char *host, int port, struct sockaddr_storage *ss)
{
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

    memset(ss, 0, sizeof(*ss));
    if (uv_ip4_addr(host, port, a4) == 0) {
        return 0;
    }
    if (uv_ip6_addr(host, port, a6) == 0) {
        return 0;
    }
    return -EINVAL;
}


/* The addresses to serve: the configuration's listeners (the first one
   --listen's), at most VEIL_MAX_LISTENERS. */
static int parse_listen(const veil_config_t *c, struct sockaddr_storage *las, unsigned *n)
{
    size_t k, nl = veil_config_listener_count(c);

    if (nl > VEIL_MAX_LISTENERS) {
        fprintf(stderr, "veil: at most %d listeners\n", VEIL_MAX_LISTENERS);
        return -EINVAL;
    }
    *n = 0;
    for (k = 0; k < nl; k++) {
        const veil_listener_t *l = veil_config_listener(c, k);

        if (parse_addr(l->host, l->port, &las[(*n)++]) != 0) {
            fprintf(stderr, "veil: listeners[%zu]: not an IP address and port\n", k);
            return -EINVAL;
        }
    }
    return 0;
}


/* "host:port" of listener <k> for messages. */
static void listen_name(const veil_config_t *c, unsigned k, char *out, size_t cap)
{
    const veil_listener_t *l = veil_config_listener(c, k);

    snprintf(out, cap, strchr(l->host, ':') ? "[%s]:%d" : "%s:%d", l->host, l->port);
}


static int make_listener(const struct sockaddr_storage *ss, int *fdp)
{
    socklen_t len =
        ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
    int fd, one = 1, e;

    fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -errno;
    }
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0 ||
        bind(fd, (const struct sockaddr *)ss, len) != 0 || listen(fd, 511) != 0) {
        e = errno;
        close(fd);
        return -e;
    }
    *fdp = fd;
    return 0;
}


static void broadcast(server_t *s, int cmd)
{
    unsigned i;

    for (i = 0; i < s->n; i++) {
        atomic_store(&s->workers[i].cmd, cmd);
        uv_async_send(&s->workers[i].async);
    }
}


/* Connections a burst must reach before its memory is worth a trim. */
#define TRIM_MIN_PEAK 256
/* Ticks (seconds) between a trim and its follow-up. */
#define RETRIM_AFTER_TICKS 4
/* Ticks (seconds) of a steady period, after which the buffers no moment
   of it needed are freed and trimmed. */
#define SETTLE_TICKS 30

/*
 * Gives memory back after a burst. Each connection holds buffers while it
 * has work (reads, gathered writes, an upstream's input: 64 KiB each);
 * once they are freed, the allocator keeps the pages for reuse, so a
 * burst of 5,000 connections left some 300 MB resident for good. When the
 * connections fall to a quarter of their peak (or to none after a busy
 * while), the workers shrink their buffer caches, and on the next tick
 * malloc_trim() returns the free pages of every arena to the system. A
 * second trim follows a few ticks later: the log writer and the resolver
 * threads may free their share of the burst (a long batch of records)
 * after the first. A steady load never triggers it: the peak is then near
 * the current count.
 */
static void memory_tick(server_t *s)
{
    unsigned now = atomic_load(&s->conn_count);
    unsigned peak = atomic_load(&s->conn_peak);
    unsigned i;

    if (s->draining) {
        return; /* the workers' handles may be closing */
    }
    if (s->trim_stage) {
        s->trim_stage = 0;
        s->retrim_ticks = RETRIM_AFTER_TICKS;
        malloc_trim(0);
        atomic_store(&s->conn_peak, now);
        return;
    }
    if (s->retrim_ticks > 0 && --s->retrim_ticks == 0) {
        malloc_trim(0);
    }
    if (++s->settle_ticks >= SETTLE_TICKS) {
        s->settle_ticks = 0;
        for (i = 0; i < s->n; i++) {
            atomic_store(&s->workers[i].settle, 1);
            uv_async_send(&s->workers[i].async);
        }
        if (s->retrim_ticks == 0) {
            s->retrim_ticks = 2; /* after the workers have freed them */
        }
    }
    s->idle_ticks = now == 0 ? s->idle_ticks + 1 : 0;
    if ((peak >= TRIM_MIN_PEAK && now <= peak / 4) || (peak > 0 && s->idle_ticks >= 10)) {
        for (i = 0; i < s->n; i++) {
            atomic_store(&s->workers[i].trim, 1);
            uv_async_send(&s->workers[i].async);
        }
        s->trim_stage = 1;
        s->idle_ticks = 0;
    }
}


static void log_tick_cb(uv_timer_t *t)
{
    server_t *s = t->data;

    veil_log_tick(s->log);
    memory_tick(s);
    tls_watch(s);
}


static void drain_timeout_cb(uv_timer_t *t)
{
    server_t *s = t->data;

    fprintf(stderr, "veil: drain timeout reached, stopping\n");
    broadcast(s, VEIL__CMD_STOP);
}


static void signal_cb(uv_signal_t *h, int signum)
{
    server_t *s = h->data;
    int rc;

    switch (signum) {
    case SIGTERM:
        if (s->draining) {
            return;
        }
        s->draining = 1;
        fprintf(stderr, "veil: SIGTERM, draining\n");
        veil_notify(VEIL_NOTIFY_STOPPING, "draining");
        if (s->cfg->on_drain != NULL) {
            s->cfg->on_drain(s->cfg->drain_ud);
        }
        broadcast(s, VEIL__CMD_DRAIN);
        {
            veil_config_t *c = veil_config_holder_get(s->cfg->holder);
            uint64_t ms = veil_config_server(c)->drain_timeout_ms;

            veil_config_release(c);
            uv_timer_start(&s->drain_timer, drain_timeout_cb, ms, 0);
        }
        break;
    case SIGINT:
        fprintf(stderr, "veil: SIGINT, stopping\n");
        veil_notify(VEIL_NOTIFY_STOPPING, "stopping");
        broadcast(s, VEIL__CMD_STOP);
        break;
    case SIGHUP:
        if (s->reloader != NULL) {
            veil_notify(VEIL_NOTIFY_RELOADING, "reloading the configuration");
            veil_config_reloader_trigger(s->reloader);
            break;
        }
        /* Without -c a HUP (a closed terminal, a habit) must not kill
           the proxy. */
        fprintf(stderr, "veil: SIGHUP: no configuration file (-c); ignored\n");
        break;
    case SIGUSR1:
        rc = veil_log_reopen(s->log);
        if (rc != 0) {
            fprintf(stderr, "veil: cannot reopen the access log: %s\n", strerror(-rc));
        }
        break;
    default:
        break;
    }
}


/* Reload messages are file:line:column: key: reason, never a value. */
static void reload_diag(void *ud, veil_diag_level_t level, const char *msg)
{
    (void)ud;
    fprintf(stderr, "veil: reload: %s: %s\n", level == VEIL_DIAG_ERROR ? "error" : "warning", msg);
}


/* A reload retired upstreams: the workers close their idle connections. */
static void broadcast_prune(server_t *s)
{
    unsigned i;

    if (s->draining) {
        return; /* the workers are closing everything anyway */
    }
    for (i = 0; i < s->n; i++) {
        atomic_store(&s->workers[i].prune, 1);
        uv_async_send(&s->workers[i].async);
    }
}


static void reload_report(server_t *s, int ok)
{
    uint64_t n_ok, n_failed;

    veil_config_holder_counts(s->staging, &n_ok, &n_failed);
    n_ok -= s->ups_rejected;
    n_failed += s->ups_rejected;
    veil_notify(VEIL_NOTIFY_READY,
                ok ? "configuration reloaded" : "configuration rejected, the running one stays");
    if (s->cfg->stats != NULL) {
        veil_stats_reload(veil_stats_shard(s->cfg->stats, VEIL_STATS_SHARD_MAIN),
                          ok ? VEIL_STATS_RELOAD_OK : VEIL_STATS_RELOAD_FAILED);
        if (ok) {
            veil_config_t *c = veil_config_holder_get(s->cfg->holder);

            veil_stats_config_digest(s->cfg->stats, c);
            veil_config_release(c);
        }
    }
    if (ok) {
        fprintf(stderr,
                "veil: configuration reloaded (%llu reloads, %llu "
                "rejected)\n",
                (unsigned long long)n_ok, (unsigned long long)n_failed);
    } else {
        fprintf(stderr,
                "veil: configuration rejected, the running one stays "
                "(%llu rejected)\n",
                (unsigned long long)n_failed);
    }
}


static void ups_start(server_t *s);


/* On the thread pool: new upstream names may take a DNS round trip (or
   its timeouts); neither the workers nor the signals wait for it. */
static void ups_work_cb(uv_work_t *req)
{
    server_t *s = req->data;

    s->ups_set = veil__upstreams_prepare(&s->ups, s->ups_conf);
    s->tls_new_failed =
        s->ups_set != NULL && tls_build(s->ups_conf, s->tls_new, s->tls_new_stamp, "reload: ") != 0;
}


static void ups_after_cb(uv_work_t *req, int status)
{
    server_t *s = req->data;
    veil_config_t *c = s->ups_conf;
    int ok = status == 0 && s->ups_set != NULL && !s->tls_new_failed;

    s->ups_busy = 0;
    s->ups_conf = NULL;
    if (s->stopping || !ok) {
        for (unsigned k = 0; k < VEIL_MAX_LISTENERS; k++) {
            veil__tls_srv_unref(s->tls_new[k]);
            s->tls_new[k] = NULL;
        }
    }
    if (s->stopping) {
        veil__upstreams_discard(s->ups_set);
        s->ups_set = NULL;
        veil_config_release(c);
        return;
    }
    if (ok) {
        /* The upstreams are ready: only now may an exchange see the
           config. (What it changes that is read once at start, the
           reloader has warned about: veil_config_needs_restart().) */
        veil__upstreams_commit(&s->ups, s->ups_set);
        for (unsigned k = 0; k < VEIL_MAX_LISTENERS; k++) {
            veil__tls_listeners_set(&s->tls, k, s->tls_new[k]);
            s->tls_new[k] = NULL;
            s->tls_stamp[k] = s->tls_new_stamp[k];
        }
        veil_config_holder_swap(s->cfg->holder, c);
        broadcast_prune(s);
    } else {
        veil__upstreams_discard(s->ups_set);
        veil_config_release(c);
        s->ups_rejected++;
    }
    s->ups_set = NULL;
    reload_report(s, ok);
    if (s->ups_again) {
        s->ups_again = 0;
        ups_start(s);
    }
}


/* Sets up the upstreams of the config the reloader just loaded. */
static void ups_start(server_t *s)
{
    if (s->ups_busy) {
        /* One at a time; the latest file is taken once this one ends. */
        s->ups_again = 1;
        return;
    }
    s->ups_conf = veil_config_holder_get(s->staging);
    s->ups_set = NULL;
    s->ups_work.data = s;
    if (uv_queue_work(&s->loop, &s->ups_work, ups_work_cb, ups_after_cb) != 0) {
        veil_config_release(s->ups_conf);
        s->ups_conf = NULL;
        s->ups_rejected++;
        reload_report(s, 0);
        return;
    }
    s->ups_busy = 1;
}


static void reload_done(void *ud, int ok)
{
    server_t *s = ud;

    if (!ok) {
        reload_report(s, 0);
        return;
    }
    ups_start(s);
}


/* Closes the main loop's handles: uv_run() then returns. */
static void main_loop_stop(server_t *s)
{
    s->stopping = 1;
    veil_config_reloader_stop(s->reloader);
    s->reloader = NULL;
    veil__upstreams_stop(&s->ups);
    uv_walk(&s->loop, close_walk_cb, NULL);
}


static void done_cb(uv_async_t *a)
{
    server_t *s = a->data;

    if (atomic_load(&s->done) == s->n) {
        main_loop_stop(s);
    }
}


typedef struct thread_arg {
    veil__worker_t *w;
    server_t *s;
} thread_arg_t;


static void thread_main(void *arg)
{
    thread_arg_t *ta = arg;

    worker_main(ta->w);
    atomic_fetch_add(&ta->s->done, 1);
    uv_async_send(&ta->s->done_async);
}


/* What the server holds before any worker: the upstreams, the TLS
   listeners' certificates and the access log, from the configuration at
   start. 0, or a negative errno (nothing is left open). */
static int server_open(server_t *s)
{
    veil_config_t *conf0 = s->conf0;
    const veil_access_log_settings_t *al = veil_config_access_log(conf0);
    veil__tls_srv_t *srv[VEIL_MAX_LISTENERS];
    char err[256];
    int rc;

    if (veil__upstreams_init(&s->ups, conf0) != 0) {
        return -EINVAL;
    }
    veil__tls_listeners_init(&s->tls);
    if (tls_build(conf0, srv, s->tls_stamp, "") != 0) {
        rc = -EINVAL;
        goto fail;
    }
    for (unsigned k = 0; k < VEIL_MAX_LISTENERS; k++) {
        veil__tls_listeners_set(&s->tls, k, srv[k]);
    }
    s->ups.stats = s->cfg->stats;
    rc = veil_log_open_with(&s->log,
                            &(veil_log_options_t){al->path, al->max_record_size, s->cfg->stats},
                            err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "veil: %s\n", err);
        goto fail;
    }
    rc = veil_log_set_rotation(s->log, al->max_size, al->rotate_ms / 1000, al->retention_ms / 1000);
    if (rc != 0) {
        fprintf(stderr, "veil: cannot open the access log: %s\n", strerror(-rc));
        veil_log_close(s->log);
        s->log = NULL;
        goto fail;
    }
    return 0;
fail:
    veil__tls_listeners_dispose(&s->tls);
    veil__upstreams_dispose(&s->ups);
    return rc;
}


/* Worker <i>: its loop, its listeners (one SO_REUSEPORT socket per
   configured address), its handles. 0, or a negative errno (the worker
   is then left with cfg NULL: nothing of it to dispose). */
static int worker_setup(server_t *s, unsigned i, const struct sockaddr_storage *las, unsigned nla)
{
    veil__worker_t *w = &s->workers[i];
    const veil_config_t *conf0 = s->conf0;
    int fds[VEIL_MAX_LISTENERS];
    unsigned nf = 0, k;
    int rc;

    for (k = 0; k < nla; k++) {
        rc = make_listener(&las[k], &fds[k]);
        if (rc != 0) {
            char name[96];
            listen_name(conf0, k, name, sizeof(name));
            fprintf(stderr, "veil: cannot listen on %s: %s\n", name, strerror(-rc));
            while (nf > 0) {
                close(fds[--nf]);
            }
            return rc;
        }
        nf++;
    }
    w->id = i;
    w->cfg = s->cfg;
    w->inspect = veil_config_server(conf0)->inspect;
    w->log = s->log;
    w->conn_count = &s->conn_count;
    w->conn_peak = &s->conn_peak;
    w->ups = &s->ups;
    w->tls = &s->tls;
    w->shard = s->cfg->stats ? veil_stats_shard(s->cfg->stats, (int)i) : NULL;
    if (w->shard != NULL && (w->tok = calloc(1, sizeof(*w->tok))) == NULL) {
        while (nf > 0) {
            close(fds[--nf]);
        }
        w->cfg = NULL;
        return -ENOMEM;
    }
    for (k = 0; k < nla && k < VEIL_MAX_LISTENERS; k++) {
        w->listener_trusted[k] = (uint8_t)veil_listener_trusted(veil_config_listener(conf0, k));
    }
    veil_jbuf_init(&w->logbuf, 4 * 1024 * 1024 + 8 * veil_config_access_log(conf0)->body_limit);
    if (getrandom(w->rng, sizeof(w->rng), 0) != sizeof(w->rng)) {
        w->rng[0] = (uint64_t)uv_hrtime() ^ ((uint64_t)i << 32);
        w->rng[1] = (uint64_t)getpid() * 0x9e3779b97f4a7c15ull;
    }
    w->rng[0] |= 1;
    uv_loop_init(&w->loop);
    for (k = 0; k < nf; k++) {
        uv_tcp_init(&w->loop, &w->listeners[k]);
        w->listeners[k].data = w;
        rc = uv_tcp_open(&w->listeners[k], fds[k]);
        if (rc != 0) {
            close(fds[k]); /* not adopted by the handle */
        } else {
            rc = uv_listen((uv_stream_t *)&w->listeners[k], 511, on_connection);
        }
        if (rc != 0) {
            fprintf(stderr, "veil: cannot listen: %s\n", uv_strerror(rc));
            for (unsigned j = 0; j <= k; j++) {
                uv_close((uv_handle_t *)&w->listeners[j], NULL);
            }
            for (unsigned j = k + 1; j < nf; j++) {
                close(fds[j]);
            }
            uv_run(&w->loop, UV_RUN_DEFAULT);
            uv_loop_close(&w->loop);
            veil_jbuf_dispose(&w->logbuf);
            free(w->tok);
            w->tok = NULL;
            w->cfg = NULL;
            return -EINVAL;
        }
    }
    w->nlisteners = nf;
    w->listener_open = 1;
    uv_async_init(&w->loop, &w->async, worker_async_cb);
    w->async.data = w;
    uv_check_init(&w->loop, &w->check);
    w->check.data = w;
    uv_check_start(&w->check, check_cb);
    return 0;
}


/* A worker whose thread has ended (or never started): its handles closed,
   its memory freed. */
static void worker_dispose(veil__worker_t *w)
{
    if (w->cfg == NULL) {
        return;
    }
    uv_walk(&w->loop, close_walk_cb, NULL);
    uv_run(&w->loop, UV_RUN_DEFAULT);
    uv_loop_close(&w->loop);
    veil_jbuf_dispose(&w->logbuf);
    free_bufs(w);
    free(w->tok);
    w->tok = NULL;
    veil__upstream_pools_free(w);
    veil_config_release(w->conf);
    w->conf = NULL;
    w->cfg = NULL;
}


/* The main thread's loop: signals, the log and memory timer, the
   resolvers, the config reloader. Its signal handlers are installed
   before any listener exists, so a TERM that comes as soon as veil
   accepts connections drains instead of killing. */
static void main_loop_setup(server_t *s)
{
    const veil_proxy_config_t *cfg = s->cfg;

    uv_loop_init(&s->loop);
    uv_async_init(&s->loop, &s->done_async, done_cb);
    s->done_async.data = s;
    uv_timer_init(&s->loop, &s->drain_timer);
    s->drain_timer.data = s;
    uv_timer_init(&s->loop, &s->log_timer);
    s->log_timer.data = s;
    uv_timer_start(&s->log_timer, log_tick_cb, 1000, 1000);
    uv_signal_init(&s->loop, &s->sig_term);
    uv_signal_init(&s->loop, &s->sig_int);
    uv_signal_init(&s->loop, &s->sig_usr1);
    uv_signal_init(&s->loop, &s->sig_hup);
    s->sig_term.data = s->sig_int.data = s->sig_usr1.data = s;
    s->sig_hup.data = s;
    uv_signal_start(&s->sig_term, signal_cb, SIGTERM);
    uv_signal_start(&s->sig_int, signal_cb, SIGINT);
    uv_signal_start(&s->sig_usr1, signal_cb, SIGUSR1);
    uv_signal_start(&s->sig_hup, signal_cb, SIGHUP);
    veil__upstreams_start(&s->ups, &s->loop);
    if (cfg->holder != NULL && cfg->config_path != NULL) {
        veil_config_reloader_options_t ro = {
            cfg->config_path, NULL,           200, 1, 0, reload_diag, reload_done, s,
            cfg->overrides,   cfg->noverrides};
        int wrc;

        s->staging = veil_config_holder_new(veil_config_holder_get(cfg->holder));
        ro.holder = s->staging;
        s->reloader = veil_config_reloader_start(&s->loop, &ro, &wrc);
        if (s->reloader == NULL) {
            fprintf(stderr,
                    "veil: cannot watch %s (%s); SIGHUP still "
                    "reloads\n",
                    cfg->config_path, uv_strerror(wrc));
            ro.watch_file = 0;
            s->reloader = veil_config_reloader_start(&s->loop, &ro, &wrc);
        }
    }
}


/* The line operators and tests wait for: where veil listens, the first
   upstream, how many workers run. */
static void say_listening(const server_t *s, unsigned nla, unsigned started)
{
    char names[VEIL_MAX_LISTENERS * 96] = "";
    size_t used = 0;
    const veil_upstream_t *u0 = veil_config_upstream(s->conf0, 0);

    for (unsigned k = 0; k < nla; k++) {
        char name[96];
        listen_name(s->conf0, k, name, sizeof(name));
        int wn = snprintf(names + used, sizeof(names) - used, "%s%s", k ? ", " : "", name);
        if (wn > 0 && (size_t)wn < sizeof(names) - used) {
            used += (size_t)wn;
        }
    }
    fprintf(stderr,
            strchr(u0->host, ':') ? "veil: listening on %s, upstream [%s]:%d, %u workers\n"
                                  : "veil: listening on %s, upstream %s:%d, %u workers\n",
            names, u0->host, u0->port, started);
}


int veil_proxy_run(const veil_proxy_config_t *cfg)
{
    server_t s;
    struct sockaddr_storage las[VEIL_MAX_LISTENERS];
    unsigned nla = 0, i, started = 0;
    thread_arg_t *targs = NULL;
    int rc;

    /* What is read once, at start, comes from the configuration of that
       moment (the listeners, server.workers, server.inspect, the access
       log): a reload that changes it is warned about by the reloader. */
    memset(&s, 0, sizeof(s));
    s.cfg = cfg;
    s.conf0 = veil_config_holder_get(cfg->holder);
    s.n = veil_proxy_workers(veil_config_server(s.conf0)->workers);
    if (parse_listen(s.conf0, las, &nla) != 0) {
        veil_config_release(s.conf0);
        return -EINVAL;
    }
    rc = server_open(&s);
    if (rc != 0) {
        veil_config_release(s.conf0);
        return rc;
    }
    {
        /* Its audit lines go to the access log's sink (or stderr). */
        veil_detok_api_options_t dao = {s.conf0, cfg->holder, s.log, cfg->stats};
        char err[256];

        rc = veil_detok_api_start(&s.detok, &dao, err, sizeof(err));
        if (rc != 0) {
            fprintf(stderr, "veil: %s\n", err);
            veil_log_close(s.log);
            veil__upstreams_dispose(&s.ups);
            veil__tls_listeners_dispose(&s.tls);
            veil_config_release(s.conf0);
            return rc;
        }
        if (s.detok != NULL && veil_detok_api_port(s.detok) > 0) {
            fprintf(stderr, "veil: detokenize listening on port %d\n",
                    veil_detok_api_port(s.detok));
        }
    }
    signal(SIGPIPE, SIG_IGN);
    main_loop_setup(&s);

    s.workers = calloc(s.n, sizeof(*s.workers));
    targs = calloc(s.n, sizeof(*targs));
    rc = s.workers == NULL || targs == NULL ? -ENOMEM : 0;
    for (i = 0; rc == 0 && i < s.n; i++) {
        rc = worker_setup(&s, i, las, nla);
    }
    for (i = 0; rc == 0 && i < s.n; i++) {
        targs[i].w = &s.workers[i];
        targs[i].s = &s;
        if (uv_thread_create(&s.workers[i].thread, thread_main, &targs[i]) != 0) {
            fprintf(stderr, "veil: cannot start worker threads\n");
            break;
        }
        started++;
    }
    if (rc == 0) {
        say_listening(&s, nla, started);
        if (started == s.n) {
            veil_notify(VEIL_NOTIFY_READY, "listening");
        } else {
            broadcast(&s, VEIL__CMD_STOP);
            atomic_fetch_add(&s.done, s.n - started);
        }
    } else {
        /* No worker runs: the main loop closes its handles at once. */
        main_loop_stop(&s);
    }
    uv_run(&s.loop, UV_RUN_DEFAULT);
    /* The signal handles are closed: a late TERM or INT (a supervisor
       repeating itself) must not turn a clean exit into a kill. */
    signal(SIGTERM, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    for (i = 0; i < started; i++) {
        uv_thread_join(&s.workers[i].thread);
    }
    if (rc == 0) {
        rc = started == s.n ? 0 : -EAGAIN;
    }
    for (i = 0; s.workers != NULL && i < s.n; i++) {
        worker_dispose(&s.workers[i]);
    }
    uv_loop_close(&s.loop);
    free(s.workers);
    free(targs);
    veil_detok_api_stop(s.detok);
    veil_log_close(s.log);
    veil_config_holder_free(s.staging);
    veil__upstreams_dispose(&s.ups);
    veil__tls_listeners_dispose(&s.tls);
    veil_config_release(s.conf0);
    return rc;
}
