/*
 * Internal types of the proxy, shared by the C files that make up
 * `veil run`: workers (server.c), write queues (outq.c), client
 * connections (client.c), upstream connections and the pool (upstream.c),
 * the response path (response.c), head rewriting (heads.c), body
 * inspection (inspect.c) and the access log record (access_log.c).
 *
 * Threading: every object below belongs to one worker and is touched only
 * from that worker's loop thread. The config and the engine are shared
 * read-only; the access-log descriptor is shared and written whole lines
 * at a time; the upstreams (upstream_set.c) are shared and
 * reference-counted, each address table (resolve.c) under its mutex and
 * copied by each worker when its generation changes.
 */
#ifndef VEIL_PROXY_INT_H
#define VEIL_PROXY_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <llhttp.h>
#include <uv.h>
#include <zlib.h>

#include "veil/charset.h"
#include "veil/client_cert.h"
#include "veil/log.h"
#include "veil/config.h"
#include "veil/proxy.h"
#include "veil/transform.h"
#include "http_chunked.h"
#include "http_validate.h"
#include "placeholders.h"
#include "transport.h"

/* Read buffer of each side: a whole head must fit (limit + slack). */
#define VEIL__IO_BUF (64 * 1024)
/* Write-queue water marks: reading from the other side stops above the
   high mark and resumes at or below the low mark. */
#define VEIL__HWM (256 * 1024)
#define VEIL__LWM (64 * 1024)
/* Free read buffers kept per worker while busy, and after a burst of
   connections is over (server.c gives the rest back to the system). */
#define VEIL__BUF_CACHE 64
#define VEIL__BUF_KEEP 8

typedef struct veil__worker veil__worker_t;
typedef struct veil__outq veil__outq_t;
typedef struct veil__client veil__client_t;
typedef struct veil__upconn veil__upconn_t;
typedef struct veil__xchg veil__xchg_t;
typedef struct veil__pool veil__pool_t;
typedef struct veil__tls_srv veil__tls_srv_t;
typedef struct veil__tls_upctx veil__tls_upctx_t;


/* ---- write queue (outq.c) ---- */

/*
 * Writes to one stream in order. Small writes are gathered in a pending
 * buffer and sent together once per loop iteration (a uv_check handle of
 * the worker flushes them), so a response head, its body and the final
 * chunk usually leave in one system call. A write that would not fit
 * sends what is pending and itself at once. Sending first tries
 * uv_try_write(); only the bytes the kernel did not take are copied and
 * queued. <on_written> runs after each queued write completes (status < 0
 * on error), from the loop.
 */
struct veil__outq {
    uv_stream_t *stream;
    size_t queued; /* bytes handed to uv_write, not yet written */
    int error;
    void (*on_written)(void *owner, int status);
    void *owner;
    veil__worker_t *w;
    char *pend; /* pending small writes (a worker buffer) */
    size_t pend_len;
    int dirty; /* in the worker's list of queues to flush */
    veil__outq_t *next_dirty;
    /* The connection's transport (transport.h): every write goes through
       it (TCP: as it is; TLS: encrypted, the records sent raw). */
    veil__transport_t *tr;
    /* Bytes given to the queue, and bytes the kernel took, since the
       queue began (plain queues): an exchange knows what of its own
       bytes actually left (the log reports that, never what was read
       from the other side). */
    uint64_t accepted;
    uint64_t sent;
    /* The owner's on_written(owner, 0) also runs after the worker's
       flush of the pending bytes (client queues: a finished exchange
       waits for its bytes to leave). */
    int notify_flush;
    /* An error found while writing synchronously: the owner hears of it
       (on_written with the error) from the worker's check callback, not
       from inside the write that failed. */
    int error_pending;
};

/* Pending bytes are sent at once above this. */
#define VEIL__CORK_MAX (16 * 1024)

void veil__outq_init(veil__outq_t *q, uv_stream_t *s, veil__worker_t *w,
                     void (*on_written)(void *, int), void *owner);
/* Returns 0, or a negative libuv error (the queue is then failed). */
int veil__outq_writev(veil__outq_t *q, const uv_buf_t *bufs, unsigned n);
int veil__outq_write(veil__outq_t *q, const void *data, size_t len);
/* Sends the pending bytes now. */
void veil__outq_flush(veil__outq_t *q);
/* Bytes not yet written: pending and queued. */
size_t veil__outq_size(const veil__outq_t *q);
/* Drops what is pending and leaves the flush list (the stream is gone). */
void veil__outq_dispose(veil__outq_t *q);
/* The worker's check callback: flushes every queue written to. */
void veil__outq_flush_all(veil__worker_t *w);
/* Sends <bufs> as they are on the socket (the transports' own path). */
int veil__outq_send_raw(veil__outq_t *q, const uv_buf_t *bufs, unsigned n);


/* ---- findings of one exchange ---- */

enum veil__loc {
    VEIL__LOC_URL_PATH,
    VEIL__LOC_URL_QUERY,
    VEIL__LOC_REQ_HEADERS,
    VEIL__LOC_REQ_BODY,
    VEIL__LOC_RSP_HEADERS,
    VEIL__LOC_RSP_BODY,
    VEIL__LOC__COUNT
};

/* Or'ed into a location given to veil__findings_add(): the value goes on
   as it came whatever the mode (a credential, a routing field), so its
   findings' transit action is observe (head_inspect.c). */
#define VEIL__LOC_KEPT 0x80
/* Or'ed into a location given to veil__redact_lines(): the value's grammar
   leaves no room for a person's name or a street address (a field name,
   an HTTP date), so those two detectors do not look in it; the others
   do. */
#define VEIL__LOC_NO_NAMES 0x40
/* Or'ed into a location given to veil__redact_lines(): the value's grammar
   admits no finding, in any context (an HTTP date; veil's own request id,
   random hex), so it is not scanned and comes back as it came. */
#define VEIL__LOC_INERT 0x20

#define VEIL__MAX_FINDING_KINDS 32

typedef struct veil__findings {
    struct {
        uint16_t detector;
        uint8_t loc;  /* enum veil__loc */
        uint8_t kept; /* found in a value that went on as it came */
        uint32_t count;
    } kind[VEIL__MAX_FINDING_KINDS];
    unsigned n;
    uint32_t dropped; /* kinds beyond the table, still counted here */
} veil__findings_t;

void veil__findings_add(veil__findings_t *f, uint16_t detector, int loc);

/* The direction of a location (VEIL_DIR_*) and whether it is a body. */
static inline int veil__loc_dir(int loc)
{
    return loc == VEIL__LOC_RSP_HEADERS || loc == VEIL__LOC_RSP_BODY;
}

static inline int veil__loc_body(int loc)
{
    return loc == VEIL__LOC_REQ_BODY || loc == VEIL__LOC_RSP_BODY;
}


/* ---- body inspection (inspect.c) ---- */

enum veil__ins_state {
    VEIL__INS_NONE = 0, /* no body */
    VEIL__INS_ON,       /* being inspected */
    VEIL__INS_DONE,     /* inspected whole: findings and log copy valid */
    VEIL__INS_SKIPPED,  /* not inspected: <skip> says why; not logged */
};

typedef struct veil__inspect {
    int state;
    veil_format_t format;      /* from the content type */
    veil_body_type_t type;     /* the same, with a multipart boundary */
    uint32_t parts_skipped;    /* multipart parts not inspected (files) */
    const char *skip;          /* "over_limit", "encoding", "binary", "charset", ... */
    veil_charset_decoder_t cs; /* UTF-16/32 to UTF-8, after gzip/deflate */
    veil_redactor_t *red;
    int zmode; /* 0: identity, 1: inflating */
    int zinit;
    int zraw_tried;
    z_stream z;
    uint64_t raw_bytes; /* body bytes as framed (encoded) */
    uint64_t decoded;   /* bytes fed to the engine */
    size_t limit;       /* inspection limit (decoded bytes) */
    veil_jbuf_t log;    /* redacted copy, up to the log limit */
    int log_on;         /* text-like: keep a redacted copy */
    int truncated;
    veil__findings_t *findings;
    int loc;
} veil__inspect_t;

/*
 * veil__inspect_begin(): prepares the inspection of one body with content
 * type <ct> and content encoding <ce> (spans of the head; ptr NULL when
 * absent).
 */
void veil__inspect_begin(veil__inspect_t *in, const veil__xchg_t *x, int dir, veil_h1_span_t ct,
                         veil_h1_span_t ce, veil__findings_t *findings, int loc);
void veil__inspect_feed(veil__inspect_t *in, const char *data, size_t len);
/* The body ended (<complete> = 1) or was cut short (0). */
void veil__inspect_end(veil__inspect_t *in, int complete);
/* Marks the body as not inspected for <reason>. */
void veil__inspect_skip(veil__inspect_t *in, const char *reason);
void veil__inspect_dispose(veil__inspect_t *in);

/*
 * veil__redact_lines(): redacts <n> values (none may contain '\n') in one
 * engine pass of <fmt>. The redacted text is appended to <out>; red[i]
 * points into it at the redacted value i (valid until <out> changes), or
 * at vals[i] for a value marked VEIL__LOC_INERT or in a text the engine
 * clears without a pass (veil_engine_text_clear()).
 * <loc_of> maps the index of a value to its finding location. Returns 0,
 * or -1 when the values could not be redacted (the caller must then omit
 * them: fail closed). <ph_x>: the exchange whose map the placeholder
 * action writes to, or NULL (the label then).
 */
int veil__redact_lines(const veil_engine_t *engine, const uint8_t *actions,
                       const struct veil_policy_dir *pd, veil_format_t fmt,
                       const veil_h1_span_t *vals, size_t n, veil_jbuf_t *out, veil_h1_span_t *red,
                       const int *loc_of, veil__findings_t *findings, veil_field_action_cb rules,
                       void *rules_ud, struct veil__xchg *ph_x);
/* The same, the tokens it writes counted in <tst> (NULL: not counted). */
struct veil_token_stats;
int veil__redact_lines_counted(const veil_engine_t *engine, const uint8_t *actions,
                               const struct veil_policy_dir *pd, veil_format_t fmt,
                               const veil_h1_span_t *vals, size_t n, veil_jbuf_t *out,
                               veil_h1_span_t *red, const int *loc_of, veil__findings_t *findings,
                               veil_field_action_cb rules, void *rules_ud, struct veil__xchg *ph_x,
                               struct veil_token_stats *tst);
/* Field rules of a policy direction, as the engine asks for them: for the
   log (rules, then body_log allow: a value not allowed is dropped), in
   transit (rules only), for a query string (its parameters' rules). The
   user data is the const veil_policy_dir_t *. */
int veil__log_rules(void *pd, int place, const char *path, size_t len);
int veil__transit_rules(void *pd, int place, const char *path, size_t len);
int veil__query_rules(void *pd, int place, const char *path, size_t len);


/*
 * An upstream's settings, copied from its config entry (the command
 * line's overrides of the first one already applied by the loader) when
 * the upstream is set up: what heads.c, resolve.c, tls_ctx.c and the
 * timers of its connections read.
 */
typedef struct veil__upsettings {
    char host[256]; /* a name or an IP literal */
    int port;
    char authority[300];       /* host:port, the Host of HTTP/1.0 requests */
    int tls;                   /* https:// */
    int tls_verify;            /* 0 only with tls: {verify: false} */
    char tls_ca_file[1024];    /* "": the system store */
    char tls_server_name[256]; /* "": the host */
    char tls_cert_file[1024];  /* mTLS: "" none */
    char tls_key_file[1024];
    uint64_t connect_timeout_ms;
    uint64_t response_timeout_ms; /* first response byte, idle gaps */
    uint64_t idle_timeout_ms;     /* pooled idle connections */
    uint64_t resolve_interval_ms; /* 0: resolved at start only */
    unsigned pool_size;           /* idle connections kept per worker */
} veil__upsettings_t;


/* ---- the upstreams' addresses (resolve.c) ---- */

/* Addresses kept from one answer (the first ones, in resolver order). */
#define VEIL__MAX_UPADDRS 8

/* The current answer for one upstream, shared by the workers: written
   under <lock> by the main thread, <gen> bumped after each change. */
typedef struct veil__upaddrs {
    pthread_mutex_t lock;
    _Atomic unsigned gen;
    struct sockaddr_storage addr[VEIL__MAX_UPADDRS];
    unsigned n;
} veil__upaddrs_t;

typedef struct veil__resolver veil__resolver_t;

void veil__upaddrs_init(veil__upaddrs_t *t);
void veil__upaddrs_dispose(veil__upaddrs_t *t);
/* The first lookup of cfg->upstream_host, blocking (before the workers
   start, or on the main thread when a reload adds an upstream): 0, or
   -EINVAL with a reason naming the upstream <name> on stderr. */
int veil__resolve_start_up(const veil__upsettings_t *set, const char *name, veil__upaddrs_t *t);
/* Looks the name up again every set->resolve_interval_ms on <loop>;
   NULL when there is nothing to do (interval 0, a literal). Warnings
   name the upstream <name>, never its host. */
veil__resolver_t *veil__resolver_start(uv_loop_t *loop, const veil__upsettings_t *set,
                                       const char *name, veil__upaddrs_t *shared,
                                       struct veil_stats *stats);
/* Stops and frees (after a lookup in flight returns; <shared> is not
   written after this call); NULL is fine. */
void veil__resolver_stop(veil__resolver_t *r);


/* ---- the upstreams of the running proxy (upstream_set.c) ---- */


/*
 * One upstream: a config's `upstreams:` entry. Shared by the workers and
 * reference-counted: the table's set of each config, every worker's pool
 * of it and every exchange using it hold a reference. Immutable but for
 * <addrs> (resolve.c) and <retired>.
 */
typedef struct veil__upstream {
    _Atomic unsigned refs;
    /* No longer in the current config: its resolver is stopped and the
       workers close its pooled connections (in-flight exchanges finish). */
    _Atomic int retired;
    char name[128];
    veil__upsettings_t set;
    veil__upaddrs_t addrs;
    veil__resolver_t *resolver;      /* main thread only; NULL: none */
    struct veil__tls_upctx *tls_ctx; /* https: its TLS context; NULL: plain */
} veil__upstream_t;

/* Configs whose upstreams stay known (sets kept, each holding its
   config): the current one, and the one before it for an exchange that
   took the config just before a reload swapped it and looks its
   upstream up right after (veil__upstream_pick). */
#define VEIL__UPSETS_KEPT 2

typedef struct veil__upset veil__upset_t;

/* The table: a set of upstreams per recent config, newest first. */
typedef struct veil__upstreams {
    pthread_mutex_t lock;
    veil__upset_t *sets[VEIL__UPSETS_KEPT];
    unsigned nsets;
    uv_loop_t *loop;          /* where the resolvers run (main) */
    struct veil_stats *stats; /* their failures are counted; or NULL */
} veil__upstreams_t;

/*
 * veil__upstreams_init(): the table for <conf>'s upstreams, in order.
 * Every name is resolved once, blocking. 0, or -EINVAL with the reason on
 * stderr.
 */
int veil__upstreams_init(veil__upstreams_t *t, veil_config_t *conf);
/* Starts the periodic lookups on <loop> (the main thread's). */
void veil__upstreams_start(veil__upstreams_t *t, uv_loop_t *loop);
/*
 * A reload, in two steps. veil__upstreams_prepare() (any thread; the
 * server runs it on the thread pool, since it may wait on DNS): the set
 * for <conf>, where upstreams equal in name, address and settings to one
 * of the current set are kept (with their pools and addresses) and others
 * are created and resolved (blocking); NULL after a message when a name
 * does not resolve (nothing changed: the caller keeps the old config).
 * veil__upstreams_commit() (main thread, no prepare in progress): makes
 * <s> current and retires the upstreams of the old current set that it
 * does not keep. veil__upstreams_discard() frees a set not committed.
 */
veil__upset_t *veil__upstreams_prepare(veil__upstreams_t *t, veil_config_t *conf);
void veil__upstreams_commit(veil__upstreams_t *t, veil__upset_t *s);
void veil__upstreams_discard(veil__upset_t *s);
/* Stops the lookups (main thread, at the end). */
void veil__upstreams_stop(veil__upstreams_t *t);
void veil__upstreams_dispose(veil__upstreams_t *t);
/*
 * veil__upstreams_find(): a new reference to the upstream <u> of <conf>,
 * or NULL when <conf> is older than the kept sets (the caller refuses with
 * 502: never another upstream). Any thread.
 */
veil__upstream_t *veil__upstreams_find(veil__upstreams_t *t, const veil_config_t *conf,
                                       const veil_upstream_t *u);
veil__upstream_t *veil__upstream_ref(veil__upstream_t *u);
/* NULL-safe; the last reference frees. */
void veil__upstream_unref(veil__upstream_t *u);


/* ---- workers (server.c) ---- */

struct veil__worker {
    unsigned id;
    /* The current configuration as this worker last saw it (refreshed by
       veil__worker_conf() when the holder's generation moved), and what
       follows from it: the engine of its default route for what has no
       exchange (refused requests), NULL when inspection is off. */
    veil_config_t *conf;
    uint64_t conf_gen;
    const veil_engine_t *engine;
    int inspect; /* server.inspect, read at start */
    uv_loop_t loop;
    uv_tcp_t listeners[VEIL_MAX_LISTENERS]; /* one per address, each SO_REUSEPORT */
    unsigned nlisteners;
    int listener_open;
    uv_async_t async;
    uv_thread_t thread;
    const veil_proxy_config_t *cfg;
    veil_log_t *log;
    veil_jbuf_t logbuf;     /* one record at a time */
    veil__upstreams_t *ups; /* the process's upstreams */
    veil__pool_t *pools;    /* one per upstream used on this worker */
    _Atomic int cmd;        /* VEIL__CMD_* from the main thread */
    _Atomic int prune;      /* a reload retired upstreams */
    _Atomic int trim;       /* a burst is over: shrink the caches */
    _Atomic int settle;     /* a period is over: free the buffers it
                                    did not use (server.c, memory_tick) */
    int draining;
    int stopping;
    unsigned nclients;
    veil__client_t *clients; /* all client connections */
    unsigned nupconns;       /* all upstream connections */
    uint64_t rng[2];
    _Atomic unsigned *conn_count; /* process-wide connection count */
    _Atomic unsigned *conn_peak;  /* its highest value since the last
                                     memory trim (server.c) */
    char *bufs[VEIL__BUF_CACHE];  /* free read buffers */
    unsigned nbufs;
    unsigned bufs_low;              /* the fewest cached since the period began:
                                     that many sat unused all along */
    struct veil_stats_shard *shard; /* counters, or NULL */
    /* Token counters of this worker's passes (tokens_transit.c), added to
       <shard> after each pass; NULL when nothing is counted. */
    struct veil_token_stats *tok;
    /* Per listener (the running ones, from the configuration at start):
       on loopback or requiring client certificates, so a detokenize
       route may serve it. */
    uint8_t listener_trusted[VEIL_MAX_LISTENERS];
    uv_check_t check;                /* flushes gathered writes */
    veil__outq_t *dirty;             /* queues with pending bytes */
    struct veil__tls_listeners *tls; /* the listeners' TLS contexts */
};

enum {
    VEIL__CMD_NONE,
    VEIL__CMD_DRAIN,
    VEIL__CMD_STOP
};

/*
 * veil__worker_conf(): the current configuration, for what a connection
 * reads outside an exchange (header and keep-alive timeouts, head limits,
 * max_connections); an exchange reads its own, x->conf. Takes the new one
 * when a reload swapped it (one atomic load otherwise).
 */
const veil_config_t *veil__worker_conf(veil__worker_t *w);
#define veil__srv(w) veil_config_server(veil__worker_conf(w))

/*
 * Read buffers (VEIL__IO_BUF bytes) come from a small per-worker cache and
 * are held only while a connection has unprocessed input, so an idle
 * keep-alive connection costs no buffer. veil__buf_put() wipes the first
 * <used> bytes (they may hold personal data) before caching or freeing.
 */
char *veil__buf_get(veil__worker_t *w);
void veil__buf_put(veil__worker_t *w, char *buf, size_t used);

/* Takes the pool's upstream's shared address table when it changed
   (resolve.c). */
void veil__upaddrs_refresh(veil__pool_t *p);

/* Called when a worker may have nothing left to do while draining. */
void veil__worker_check_idle(veil__worker_t *w);
uint64_t veil__rand64(veil__worker_t *w);
/* A new request id: 32 hex digits and a NUL. */
void veil__request_id(veil__worker_t *w, char out[33]);


/* ---- client connections (client.c) ---- */

enum veil__cstate {
    VEIL__C_HEAD,   /* waiting for (more of) a request head */
    VEIL__C_BODY,   /* streaming the request body upstream */
    VEIL__C_WAIT,   /* request done, response in progress */
    VEIL__C_TUNNEL, /* after a 101: raw bytes both ways */
    VEIL__C_CLOSED,
};

struct veil__client {
    uv_tcp_t tcp;
    uv_timer_t timer;
    veil__worker_t *w;
    veil__client_t *next, *prev;
    int state;
    int pending_close; /* handles not yet closed */
    int closing;
    int close_after_flush;
    int lingering; /* our FIN is sent (or on its way) */
    int reading;
    int eof;
    int in_process;
    int process_again;
    int served; /* exchanges completed on this connection */
    int timer_kind;
    char addr[INET6_ADDRSTRLEN];
    char *in; /* NULL while idle */
    size_t in_len;
    size_t in_used; /* high-water mark of in_len, for wiping */
    veil_h1_scan_t scan;
    veil__outq_t out;
    veil__xchg_t *x;
    /* An exchange that has ended but whose response bytes are still in
       the queue: its record waits until they are written (or the
       connection fails), and the next request waits with it. */
    veil__xchg_t *done_x;
    uint64_t head_start; /* when the current head began (ns) */
    /* The transport: the embedded plain one, or a TLS session in the
       server role (a listener with tls:), with a handle that hands on
       plaintext the session holds once there is room for it. */
    veil__transport_t *tr;
    veil__transport_t tcp_tr;
    uv_idle_t tls_idle;
    unsigned listener; /* index of the listener that accepted it */
};

/* Accepts a connection on listener <k> of <w>; <tls>: the listener's TLS
   contexts (NULL: plain TCP). */
int veil__client_accept(veil__worker_t *w, uv_stream_t *listener, unsigned k, veil__tls_srv_t *tls);
/* Runs the client's state machine over its buffered input. */
void veil__client_process(veil__client_t *c);
/* Closes now; an exchange in progress is logged as aborted. */
void veil__client_close(veil__client_t *c);
/* Closes once queued writes are flushed. */
void veil__client_close_after_flush(veil__client_t *c);
/* Drain: closes the connection if it is idle between requests. */
void veil__client_drain(veil__client_t *c);
void veil__client_update_reading(veil__client_t *c);
/* Response bytes were queued for the client: arm the send timer, so a
   client that stops reading cannot hold the connection forever. */
void veil__client_touch(veil__client_t *c);
/* The request body moved on towards the upstream: restart the body timer. */
void veil__client_progress(veil__client_t *c);


/* ---- upstream connections (upstream.c) ---- */

enum veil__ustate {
    VEIL__U_CONNECTING,
    VEIL__U_ACTIVE,
    VEIL__U_IDLE
};

/*
 * A worker's pool for one upstream: its idle connections (reused only
 * for exchanges to the same upstream) and the worker's copy of its
 * addresses, taken when a new connection is opened and the shared table
 * changed; <pref> is the one the last successful connect used. Freed
 * once its upstream is retired and no connection of it is left.
 */
struct veil__pool {
    veil__pool_t *next;
    veil__upstream_t *up; /* a reference */
    veil__upconn_t *idle;
    unsigned nidle;
    unsigned nconns; /* open connections, idle or not */
    struct sockaddr_storage addr[VEIL__MAX_UPADDRS];
    unsigned n, gen, pref;
};

struct veil__upconn {
    uv_tcp_t tcp;
    uv_connect_t creq;
    uv_timer_t timer;
    veil__worker_t *w;
    veil__pool_t *pool;   /* its upstream's pool on this worker */
    veil__upconn_t *next; /* in the idle list */
    veil__xchg_t *x;
    int state;
    int pending_close;
    int closing;
    int reading;
    int eof;
    int close_after_flush;
    int reused;      /* served an exchange before this one */
    int reusable;    /* cleared on any anomaly */
    unsigned addr_i; /* index in the worker's address copy */
    unsigned tries;  /* addresses tried before this one */
    char *in;        /* NULL while idle */
    size_t in_len;
    size_t in_used;
    veil__outq_t out;
    /* The transport: the embedded plain one, or a TLS session to an
       https upstream (tls.c), and a handle that hands on plaintext the
       session still holds once there is room for it. */
    veil__transport_t *tr;
    veil__transport_t tcp_tr;
    uv_idle_t tls_idle;
};

/* ---- TLS (tls_ctx.c: contexts; tls.c: the transport) ---- */

typedef struct ssl_ctx_st veil__ssl_ctx_t;
typedef struct x509_st veil__x509_t;

/* The context of an https upstream with settings <c> (CA, mTLS
   certificate, resumption); NULL after a message naming <name>. */
veil__tls_upctx_t *veil__tls_upctx_new(const veil__upsettings_t *c, const char *name);
void veil__tls_upctx_free(veil__tls_upctx_t *u);
veil__ssl_ctx_t *veil__tls_upctx_ssl_ctx(veil__tls_upctx_t *u);
/* The newest session to resume with (a reference), or NULL. */
struct ssl_session_st *veil__tls_upctx_session(veil__tls_upctx_t *u);

/* The contexts of a listener's `tls:` (one per certificate), or NULL with
   "path: OpenSSL's reason" in <err>. Reference-counted: sessions hold
   one. Any thread. */
veil__tls_srv_t *veil__tls_srv_new(const veil_listener_tls_t *lt, char *err, size_t errlen);
veil__tls_srv_t *veil__tls_srv_ref(veil__tls_srv_t *s);
void veil__tls_srv_unref(veil__tls_srv_t *s);
veil__ssl_ctx_t *veil__tls_srv_ssl_ctx(veil__tls_srv_t *s);
/* Whether <x> carries one of the listener's client_sans (1 when none is
   configured); the one it matched is copied to <out>. */
int veil__tls_srv_san_match(const veil__tls_srv_t *s, veil__x509_t *x, char *out, size_t len);
/*
 * The TLS contexts of each listener, swapped by the main thread when a
 * reload or a changed file gives new ones, read by the workers when they
 * accept a connection.
 */
typedef struct veil__tls_listeners {
    pthread_mutex_t lock;
    veil__tls_srv_t *srv[VEIL_MAX_LISTENERS]; /* NULL: plain TCP */
} veil__tls_listeners_t;

void veil__tls_listeners_init(veil__tls_listeners_t *t);
void veil__tls_listeners_dispose(veil__tls_listeners_t *t);
/* A reference to listener <k>'s contexts, or NULL (plain). */
veil__tls_srv_t *veil__tls_listeners_get(veil__tls_listeners_t *t, unsigned k);
/* Puts <s> (the caller's reference) in place of listener <k>'s. */
void veil__tls_listeners_set(veil__tls_listeners_t *t, unsigned k, veil__tls_srv_t *s);

/* A new ticket key now (tests; the keys otherwise rotate every 12 h). */
void veil__tls_tickets_rotate_now(void);
/* OpenSSL's reason for its last error, or <dflt>. */
const char *veil__tls_reason(const char *dflt);

/* A TLS transport in the client role to the upstream of <c>, named
   <name> in messages; NULL: no memory. */
veil__transport_t *veil__tls_client_new(veil__tls_upctx_t *ctx, const veil__upsettings_t *c,
                                        const char *name, veil__outq_t *q);
/* A TLS transport in the server role on a listener's contexts; how its
   handshake ends is counted in <shard> (NULL: not counted). */
struct veil_stats_shard;
veil__transport_t *veil__tls_server_new(veil__tls_srv_t *srv, veil__outq_t *q,
                                        struct veil_stats_shard *shard);

/* What a server-role session knows once its handshake is done: for the
   access log (tls.*) and policies. The client certificate is described
   by its names only, and only when it was verified. */
typedef struct veil__tls_info {
    const char *version; /* "TLSv1.3" */
    const char *cipher;
    char alpn[32];             /* the protocol ALPN chose, "" when none */
    int resumed;               /* a session ticket was taken */
    char server_name[256];     /* SNI, "" when none */
    veil_client_cert_t client; /* .verified: a client certificate was */
} veil__tls_info_t;

/* NULL for TCP, for the client role and before the handshake ends. */
const veil__tls_info_t *veil__tls_info(const veil__transport_t *t);
/* 1 when the session was resumed. */
int veil__tls_resumed(const veil__transport_t *t);
/* Writes the tls.* fields of a record for an exchange on <c> (nothing on
   plain TCP): version, cipher, ALPN, resumption, and, as the engine
   redacts them (left out when it cannot: fail closed), the SNI name and
   a verified client certificate's subject, issuer and matched SAN. */
void veil__log_tls(veil_jbuf_t *b, const veil__client_t *c, const veil_engine_t *engine,
                   const uint8_t *actions, const struct veil_policy_dir *pd);

/* Takes the upstream of <x>'s route (x->up) through the config it took
   (policy.c); called right after, so that the table still knows that
   config. NULL stays NULL when it does not (acquire then answers 502). */
void veil__upstream_pick(veil__xchg_t *x);
/* Gives <x> an upstream connection; calls veil__xchg_upstream_ready() or
   veil__xchg_upstream_failed() (possibly before returning). */
void veil__upstream_acquire(veil__xchg_t *x);
/* The exchange is done with <u>: pooled if still reusable, else closed. */
void veil__upstream_release(veil__upconn_t *u);
void veil__upstream_close(veil__upconn_t *u);
/* Closes once the bytes queued to the upstream are written (tunnels). */
void veil__upstream_close_after_flush(veil__upconn_t *u);
void veil__upstream_update_reading(veil__upconn_t *u);
/* (Re)arms the response timer: the connection's upstream's response
   timeout. */
void veil__upstream_timer(veil__upconn_t *u);
/* Closes the idle connections of every pool. */
void veil__upstream_close_idle(veil__worker_t *w);
/* A reload retired upstreams: their idle connections are closed, their
   pools freed once empty. */
void veil__upstream_prune(veil__worker_t *w);
/* At the worker's end: frees the (empty) pools. */
void veil__upstream_pools_free(veil__worker_t *w);


/* ---- one exchange (client.c, response.c) ---- */

/* A body held back until it is judged (policy.c). */
typedef struct veil__held {
    char *data;
    size_t len, cap;
} veil__held_t;

enum veil__rstate {
    VEIL__R_HEAD,
    VEIL__R_BODY,
    VEIL__R_DONE
};

/*
 * One direction of an exchange: a message head and its body, as the body
 * stage (body.c) carries it for both directions alike: framing read
 * (Content-Length, chunked, until close), parsed again by llhttp,
 * inspected, held or forwarded with framing veil writes itself.
 */
/* ---- heads inspected when they arrive (head_inspect.c) ---- */

enum veil__fwd {
    VEIL__FWD_ASIS = 0, /* the field goes on as it came */
    VEIL__FWD_NEW,      /* with the value at fwd_off/fwd_len */
    VEIL__FWD_DROP,     /* not at all */
};

typedef struct veil__hfield {
    veil_h1_span_t name, value; /* in the head */
    int red_name;               /* index of the redacted name in red[] */
    int red_value;              /* the value's, or -1: not scanned */
    int8_t rule;                /* a field rule's action, or -1 */
    uint8_t sensitive;          /* a credential by its name */
    uint8_t keep;               /* a rule with action keep names it */
    uint8_t kept_asis;          /* goes on as it came whatever the mode */
    uint8_t looks_secret;       /* its value reads as a credential (and no
                                   rule keeps it): veil_value_looks_secret() */
    uint8_t fwd_state;          /* enum veil__fwd */
    size_t fwd_off, fwd_len;    /* the value in transit, in fwd */
} veil__hfield_t;

/* The redacted copies of one pass of the engine over a head. */
typedef struct veil__headpass {
    int ok, path_ok, query_ok; /* the engine read them whole */
    veil_jbuf_t lines, query, path;
    veil_h1_span_t *red;       /* per scanned value, into <lines> */
    veil_h1_span_t qred, pred; /* the query and the path as redacted */
} veil__headpass_t;

typedef struct veil__headscan {
    int request;         /* a request head: it has a target */
    int ok;              /* the fields were read (else: omitted) */
    const char *omitted; /* why not: engine_error, inspection_off */
    size_t n;
    veil__hfield_t *f;
    veil_h1_span_t *red;
    veil__headpass_t log; /* as the access log writes them */
    /* Request heads: the target split. */
    veil_h1_span_t path, query;
    int has_query;
    /* Modes redact and tokenize: the head goes on rewritten. */
    int rewrite;
    int fwd_path_changed, fwd_query_changed;
    veil_h1_span_t fwd_path, fwd_query;
    veil_jbuf_t fwd;
} veil__headscan_t;

/* Inspects the head of half <dir> (its findings join the exchange's);
   NULL, or the reason the policy refuses the message. */
const char *veil__head_inspect(struct veil__xchg *x, int dir);
void veil__headscan_free(veil__headscan_t *hs);


typedef struct veil__half {
    char *head; /* own copy of the head, wiped when freed */
    size_t head_len;
    veil_h1_head_t h; /* spans into head */
    int body;         /* VEIL_H1_BODY_* */
    uint64_t left;    /* LENGTH: bytes still to come */
    veil_chunked_t chunk;
    llhttp_t p;
    int msg_done; /* set by llhttp's on_message_complete */
    int done;     /* the whole body was read */
    /* Modes block, redact and tokenize (policy.c): the body is held, not
       forwarded, until it has been inspected; then refused, or sent on
       (rewritten in redact and tokenize modes), with a length of its own.
       A held response's head waits for the verdict too. */
    int hold;
    veil__held_t held;
    int rewritten;   /* <held> is the rewritten body: new length */
    int over_limit;  /* the held body crossed the inspection limit */
    int chunked_out; /* veil frames the body it forwards as chunked */
    veil__inspect_t ins;
    struct veil__headscan *hs; /* the head as inspected (head_inspect.c) */
} veil__half_t;

struct veil__xchg {
    veil__client_t *c;
    /* The config taken when the head arrived (policy.c), released when
       the exchange ends; its route and policy. */
    struct veil_config *conf;
    const struct veil_route *route;
    const struct veil_policy *policy;
    /* The request (VEIL_DIR_REQUEST) and the response (VEIL_DIR_RESPONSE). */
    veil__half_t half[2];
    int held_flush; /* send the held request once the upstream is ready */
    /* The upstream of its route, a reference taken with the config when
       the head arrived and kept to the end, retries included
       (upstream.c). */
    veil__upstream_t *up;
    veil__upconn_t *u;
    int up_ready; /* the request head is queued upstream */
    int up_failed;

    /* request */
    uint64_t req_body_seen; /* decoded body bytes so far */
    int req_over_max;       /* the body crossed max_body_size */
    int is_head;
    int upgrade;   /* the client asked for an upgrade */
    int keepalive; /* the client connection may continue */
    char reqid[40];
    int reqid_generated;

    /* response */
    int rstate;
    veil_h1_scan_t rscan;
    int rsp_head_sent; /* the final head went to the client */
    int tunnel;
    int status; /* status sent (or to log) */

    /* accounting */
    uint64_t t_start_ns; /* monotonic */
    int64_t t_wall_ms;   /* @timestamp */
    uint64_t t_up_start_ns;
    uint64_t t_up_end_ns;
    uint64_t bytes_in;
    uint64_t bytes_out;      /* response bytes given to the client's
                                queue; what was actually written when
                                the record is made */
    uint64_t out_mark;       /* c->out.accepted before its first byte */
    uint64_t head_bytes_out; /* of bytes_out: response heads (1xx too) */
    int then_next;           /* once logged: serve the next request */
    const char *error;       /* reason id when something went wrong */
    veil__findings_t findings;
    /* The round trip (action placeholder, placeholders.h): the values the
       request's placeholders stand for, and the response's restorer. */
    veil__phmap_t *ph;
    int restoring; /* the response body is restored as it goes */
    veil__ph_restorer_t restore;
    /* A detokenize route: the request head went upstream with its tokens
       counted once (a retry on another connection counts nothing). */
    int detok_head_counted;
};

/* The placeholder writer for the redactors of <x>'s request in mode
   redact (veil_redactor_options_t.placeholder; ud is the exchange). */
long veil__xchg_placeholder(void *x, const char *label, const char *raw, size_t len, char *out,
                            size_t cap);
/* Whether the redactors of <dir> issue placeholders. */
int veil__xchg_issues_placeholders(const veil__xchg_t *x, int dir);

/* ---- the body stage, both directions (body.c) ---- */

/* The response of an exchange whose request carried placeholders: its
   body is restored as it goes (unless <content_encoding> hides it). */
void veil__body_restore_begin(veil__xchg_t *x, veil_h1_span_t content_encoding);
/* A held response body restored whole (its length is then known). 0, or
   -1 (no memory). */
int veil__body_restore_held(veil__xchg_t *x);

/* Sets up the llhttp parser of half <dir> of <x> with the body stage's
   callbacks. */
void veil__body_parser_init(veil__xchg_t *x, int dir);
/* The body of <dir> was read whole: veil's last chunk goes out (when it
   was forwarded chunked), the inspection ends, the half is done. */
void veil__body_complete(veil__xchg_t *x, int dir);
/* A held body judged clean (rewritten where the policy says) goes on with
   its half's framing: one chunk and the last chunk, or as it is. */
void veil__body_send_held(veil__xchg_t *x, int dir);

/* Upstream side events, from upstream.c. */
void veil__xchg_upstream_ready(veil__xchg_t *x);
void veil__xchg_upstream_failed(veil__xchg_t *x, int status, const char *reason);
/* Bytes arrived in x->u->in, or the upstream ended (<eof>). */
void veil__xchg_upstream_data(veil__xchg_t *x, int eof);
/* The upstream timer fired while <x> was waiting on it. */
void veil__xchg_upstream_timeout(veil__xchg_t *x);
/* Both halves are done: log, release, continue or close. */
void veil__xchg_maybe_finish(veil__xchg_t *x);
/*
 * veil__xchg_error(): ends the exchange because of <reason>. If no final
 * head has reached the client yet, answers <status> with a JSON error
 * body and Connection: close; otherwise cuts the client connection.
 */
void veil__xchg_error(veil__xchg_t *x, int status, const char *reason);
void veil__xchg_free(veil__xchg_t *x);
/* The head c->in[0..head_len) is complete: 0 when an exchange started,
   -1 when the request was refused (the connection is closing). */
int veil__xchg_start(veil__client_t *c, size_t head_len);
/* Request body bytes: how many belong to this request, or -1 when the
   exchange ended with an error. */
long veil__xchg_request_body(veil__xchg_t *x, const char *data, size_t len);
/* The client connection goes away under the exchange. */
void veil__xchg_abort(veil__xchg_t *x, const char *reason);
/*
 * veil__xchg_settle(): the client's queue moved (or the connection is
 * closing: <closing>). Logs and frees c->done_x once its bytes are all
 * written or can no longer be, then serves the next request or closes
 * as the exchange decided. 1 when the client connection went on to its
 * next request or is closing; 0 when nothing changed.
 */
int veil__xchg_settle(veil__client_t *c, int closing);
void veil__xchg_tunnel_from_client(veil__xchg_t *x);
void veil__xchg_tunnel_end(veil__xchg_t *x);
/* The connection waits for the next request head. */
void veil__client_next(veil__client_t *c);
/* The client's queue drained: resume reading the upstream. */
void veil__xchg_client_drained(veil__xchg_t *x);


/* ---- reversible tokens in transit (tokens_transit.c) ---- */

/* The counters the token transforms of <x> count into (its worker's
   own), or NULL when nothing is counted. */
struct veil_token_stats *veil__xchg_token_stats(const veil__xchg_t *x);
/* After a pass that counted into veil__xchg_token_stats(x): its counts go
   to the worker's shard, keys named by <t>'s ring (NULL: none). */
struct veil_tokens;
void veil__xchg_tokens_counted(const veil__xchg_t *x, const struct veil_tokens *t);
/* Whether a pass of policy direction <pd> writes tokens in the bytes that
   go on: mode tokenize with key slots, or mode redact with a tokenize
   action or field rule. */
int veil__dir_tokenizes(const struct veil_policy_dir *pd);
/* Whether <x>'s route turns tokens back in direction <dir> (and the
   listener the request came on may have it). */
int veil__xchg_detokenizes(const veil__xchg_t *x, int dir);
/* The tokens to open them with: the policy direction's ring and formats,
   only the route's types. */
void veil__xchg_detok_tokens(const veil__xchg_t *x, int dir, struct veil_tokens *out);
/*
 * veil__detok_put(): appends the value <p> (<len> bytes) of a head of
 * direction <dir> to <b> with its tokens turned back as in a body: the
 * format-preserving ones at their places (the policy's engine reads the
 * value in <fmt>: VEIL_FMT_FORM for a query string, VEIL_FMT_TEXT for a
 * path or a field value), then the tagged ones. In the request target
 * (<target> 1) the bytes of a tagged token's value that a URI does not
 * allow are percent-encoded; in a field value a tagged token whose value
 * holds a control character (a line break) stays a token. Counted when
 * <count>. 0, or -1 (<b> full, or the engine failed: the caller fails
 * the head).
 */
int veil__detok_put(const veil__xchg_t *x, int dir, veil_jbuf_t *b, const char *p, size_t len,
                    int target, int count, veil_format_t fmt);
/* veil__body_detokenize_held(): the held body of <dir> with its tokens
   turned back (body.c); 0 with *rewritten set when it changed, 0 when it
   goes as it is (binary, encoded), -1 on failure (it goes as it is). */
int veil__body_detokenize_held(veil__xchg_t *x, int dir, int *rewritten);


/* ---- heads (heads.c) ---- */

/* Builds the request head sent upstream into <b>. */
int veil__head_request(const veil__xchg_t *x, const veil__upsettings_t *us, veil_jbuf_t *b);
/* Builds the head sent to the client for the response <x->half[1].h> (or an
   interim 1xx when <interim>), choosing the client framing. */
int veil__head_response(veil__xchg_t *x, const char *head, size_t len, const veil_h1_head_t *rs,
                        int interim, veil_jbuf_t *b);
/* A complete error response: status line, JSON body, Connection: close. */
size_t veil__error_response(int status, const char *reason, char *buf, size_t cap);
/* 1 for a hop-by-hop field of <head> that must not be forwarded. */
int veil__hop_by_hop(const char *head, size_t len, veil_h1_span_t name);
/* 1 for a field whose value is always masked in the log. */
int veil__sensitive_header(veil_h1_span_t name);


/* ---- access log (access_log.c) ---- */

/* Writes the record of <x>. */
void veil__log_exchange(veil__worker_t *w, veil__xchg_t *x);
/* Writes the record of a request refused before an exchange began. */
void veil__log_rejected(veil__worker_t *w, const veil__client_t *c, int status, const char *reason,
                        uint64_t t0_ns, uint64_t bytes_in, uint64_t bytes_out);

/* ---- config and policy per exchange (policy.c) ---- */

/* Matches the route in the exchange's config (x->conf), applies consent. */
void veil__xchg_policy(veil__xchg_t *x);
/* The engine and per-detector actions for direction <dir> (0 request,
   1 response) of <x> (may be NULL): the policy's, else the worker's
   default (w->engine); NULL when inspection is off. */
const veil_engine_t *veil__xchg_engine(veil__worker_t *w, const veil__xchg_t *x, int dir,
                                       const uint8_t **actions);
void veil__xchg_policy_release(veil__xchg_t *x);
/* Whether direction <dir> of <x>'s policy holds the body back until it
   is judged (modes block, redact, tokenize; uninspectable: block). */
int veil__xchg_holds(const veil__xchg_t *x, int dir);
/* Keeps <len> more body bytes; -1 when the body goes over <limit> (the
   caller refuses: a body that cannot be judged is not sent on). */
int veil__held_add(veil__held_t *h, const char *data, size_t len, size_t limit);
/* Wipes and frees. */
void veil__held_free(veil__held_t *h);
/* A held body of direction <dir> is complete and inspected: the refusal
   reason, or NULL to send it on. In modes redact and tokenize the held
   bytes are rewritten first (*rewritten set); a body that can be read
   but not rewritten (content-encoded) is refused. */
const char *veil__xchg_verdict(veil__xchg_t *x, int dir, int *rewritten);
/* What was done in transit with findings of <detector> at <loc> (<kept>:
   in a value that went on as it came): a VEIL_STATS_ACT_* (observe, the
   redact transform, tokenize, block). */
int veil__transit_action(const veil__xchg_t *x, int loc, unsigned detector, int kept);
struct veil_policy_dir;
/* veil__rewrite_body(): <h> transformed with <actions> (per detector) by
   a redactor for body type <type> (multipart parts it does not inspect
   are kept as they are); the old bytes wiped; the tokens it writes
   counted in <tst> (may be NULL). 0, or -1 (no memory, an engine error)
   with <h> unchanged. */
int veil__rewrite_body(const veil_engine_t *engine, const uint8_t *actions,
                       const veil_hash_key_t *key, const veil_body_type_t *type,
                       const struct veil_policy_dir *rules, veil__held_t *h,
                       struct veil__xchg *ph_x, struct veil_token_stats *tst);
/* A body the inspection decoded from UTF-16/32 (veil_charset_transcodes(&
   in->cs)), as the engine reads it: veil__charset_decode_held() decodes
   <h> the same way into <out> (UTF-8); veil__charset_encode_held() puts
   UTF-8 back in the body's encoding, BOM included. 0, or -1 (no memory, a
   byte order mark that contradicts the charset). */
int veil__charset_decode_held(const veil__inspect_t *in, const veil__held_t *h, veil__held_t *out);
int veil__charset_encode_held(const veil__inspect_t *in, const char *utf8, size_t len,
                              veil__held_t *out);

#endif
