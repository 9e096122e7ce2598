/*
 * Redaction statistics: always-on counters of what veil saw, found and
 * did, that never contain a value (no paths, addresses or matched bytes),
 * only bounded label sets: routes, methods, status classes, directions,
 * locations, detectors, categories, actions and reason ids.
 *
 * Threading: the counters live in shards, one per worker thread. Only the
 * shard's owner thread updates it, with a relaxed load and store (a plain
 * increment, no lock, no locked instruction); readers (the admin thread)
 * sum all shards with relaxed loads. A sum is therefore not one instant
 * across shards, but every counter is exact and never goes back.
 * Events of other threads (config reloads, the main thread) go to the
 * extra shard veil_stats_shard(s, VEIL_STATS_SHARD_MAIN) with atomic adds.
 *
 * One call per event: the proxy calls e.g. veil_stats_finding() once per
 * (detector, location) kind of an exchange with its count.
 */
#ifndef VEIL_STATS_H
#define VEIL_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "veil/log.h"
#include "veil/scan.h"

#define VEIL_STATS_MAX_ROUTES 256
/* Distinct custom detector ids over the life of the process. */
#define VEIL_STATS_MAX_CUSTOM 64
/* The shard for threads other than the workers (atomic adds). */
#define VEIL_STATS_SHARD_MAIN (-1)

/* Request methods; anything else is OTHER. */
enum {
    VEIL_STATS_M_GET,
    VEIL_STATS_M_HEAD,
    VEIL_STATS_M_POST,
    VEIL_STATS_M_PUT,
    VEIL_STATS_M_DELETE,
    VEIL_STATS_M_PATCH,
    VEIL_STATS_M_OPTIONS,
    VEIL_STATS_M_CONNECT,
    VEIL_STATS_M_TRACE,
    VEIL_STATS_M_OTHER,
    VEIL_STATS_M__COUNT
};

/* Status classes: "none" when no status was sent (client went away). */
enum {
    VEIL_STATS_CODE__COUNT = 6
}; /* none, 1xx .. 5xx */

enum {
    VEIL_STATS_DIR_REQUEST,
    VEIL_STATS_DIR_RESPONSE,
    VEIL_STATS_DIR__COUNT
};

/* Where a finding was: the same order as the proxy's finding locations. */
enum {
    VEIL_STATS_LOC_REQ_PATH,
    VEIL_STATS_LOC_REQ_QUERY,
    VEIL_STATS_LOC_REQ_HEADERS,
    VEIL_STATS_LOC_REQ_BODY,
    VEIL_STATS_LOC_RSP_HEADERS,
    VEIL_STATS_LOC_RSP_BODY,
    VEIL_STATS_LOC__COUNT
};

/* What was done with a finding. OBSERVE: forwarded unchanged, redacted
   in the log only (observe mode). */
enum {
    VEIL_STATS_ACT_OBSERVE,
    VEIL_STATS_ACT_MASK,
    VEIL_STATS_ACT_LABEL,
    VEIL_STATS_ACT_HASH,
    VEIL_STATS_ACT_TOKENIZE,
    VEIL_STATS_ACT_DROP,
    VEIL_STATS_ACT_BLOCK,
    VEIL_STATS_ACT_PLACEHOLDER,
    VEIL_STATS_ACT__COUNT
};

/* Latency histograms. */
enum {
    VEIL_STATS_LAT_TOTAL,    /* first head byte to last byte sent */
    VEIL_STATS_LAT_UPSTREAM, /* request sent upstream to response ended */
    VEIL_STATS_LAT_ADDED,    /* the time veil itself spent */
    VEIL_STATS_LAT__COUNT
};
/* Upper bounds of the buckets, in seconds (+Inf follows). */
#define VEIL_STATS_BUCKETS 16
extern const double veil_stats_bucket_le[VEIL_STATS_BUCKETS];

enum {
    VEIL_STATS_RELOAD_OK,
    VEIL_STATS_RELOAD_FAILED,
    VEIL_STATS_RELOAD__COUNT
};

/* Access-log records that did not reach the sink whole (log_sink.c). */
enum {
    VEIL_STATS_LOGDROP_TOO_LARGE,   /* over access_log.max_record_size: a
                                       stand-in record went instead */
    VEIL_STATS_LOGDROP_BUFFER_FULL, /* a socket receiver too slow or away
                                       for longer than the buffer lasts */
    VEIL_STATS_LOGDROP_UNAVAILABLE, /* still queued when veil stopped */
    VEIL_STATS_LOGDROP_WRITE_ERROR, /* refused by the file, pipe or socket */
    VEIL_STATS_LOGDROP__COUNT
};

/*
 * TLS handshakes on the listeners (stats_tls.c): how each one ended. OK is
 * a completed handshake; every other value is a failure reason, decided by
 * veil from OpenSSL's error and the alert sent or received, never from
 * anything the client wrote. A connection that closes before sending a
 * byte is no handshake and is not counted.
 */
enum {
    VEIL_STATS_TLS_OK,
    VEIL_STATS_TLS_PROTOCOL_VERSION,        /* below min_version (TLS 1.1) */
    VEIL_STATS_TLS_NO_SHARED_CIPHER,        /* no cipher suite or group in common */
    VEIL_STATS_TLS_NO_APPLICATION_PROTOCOL, /* ALPN offered, http/1.1 not in it */
    VEIL_STATS_TLS_SNI,                     /* a malformed server_name */
    VEIL_STATS_TLS_CLIENT_CERT_REQUIRED,    /* client_auth required, none given */
    VEIL_STATS_TLS_CLIENT_CERT_INVALID,     /* unknown CA, expired, SAN not allowed */
    VEIL_STATS_TLS_SERVER_CERT_REJECTED,    /* the client refused veil's certificate */
    VEIL_STATS_TLS_NOT_TLS,                 /* plain HTTP or other bytes */
    VEIL_STATS_TLS_TIMEOUT,                 /* unfinished at server.header_timeout */
    VEIL_STATS_TLS_CLIENT_CLOSED,           /* the client left in the middle */
    VEIL_STATS_TLS_OTHER,
    VEIL_STATS_TLS__COUNT
};
/* "ok", "protocol_version", ...; "other" out of range. */
const char *veil_stats_tls_name(int r);

/* Names of the enumerations above, for labels ("GET", "2xx", "request",
   "body", "observe", "total", "ok"). */
const char *veil_stats_method_name(int m);
const char *veil_stats_code_name(int c);
const char *veil_stats_dir_name(int d);
/* The location without its direction: "path", "query", "headers", "body". */
const char *veil_stats_loc_name(int loc);
int veil_stats_loc_dir(int loc);
const char *veil_stats_action_name(int a);
const char *veil_stats_lat_name(int k);
const char *veil_stats_reload_name(int r);
const char *veil_stats_logdrop_name(int r); /* "too_large", ... */

/*
 * Reason tables. Reasons are passed as the proxy's stable snake_case ids;
 * an id not in the table is counted as "other", so label sets stay
 * bounded whatever the caller passes. Each table's last entry is "other".
 */
typedef enum veil_stats_table {
    VEIL_STATS_T_REJECT,   /* requests refused before an exchange */
    VEIL_STATS_T_SKIP,     /* bodies not inspected */
    VEIL_STATS_T_UPSTREAM, /* upstream errors */
    VEIL_STATS_T__COUNT
} veil_stats_table_t;
size_t veil_stats_table_count(veil_stats_table_t t);
const char *veil_stats_table_name(veil_stats_table_t t, size_t i);
/* veil_stats_table_index(): the index of <reason>; "other" when unknown
   or NULL. */
size_t veil_stats_table_index(veil_stats_table_t t, const char *reason);

typedef struct veil_stats veil_stats_t;
typedef struct veil_stats_shard veil_stats_shard_t;

/*
 * veil_stats_new(): counters for <nshards> worker threads and up to
 * <max_routes> route names (1 .. VEIL_STATS_MAX_ROUTES; size it for the
 * routes of every config the process may load). The built-in detectors
 * are known from the start; custom ones are added by
 * veil_stats_map_engine(). Records the process start time. Returns NULL
 * on allocation failure or bad counts.
 */
veil_stats_t *veil_stats_new(unsigned nshards, size_t max_routes);
void veil_stats_free(veil_stats_t *s);

/*
 * veil_stats_route(): the index of the route named <name> (copied),
 * registering it on first use. Once <max_routes> names are registered,
 * any other name is counted under one more route named "other", so
 * nothing is lost and the label set stays bounded. -ENOMEM when a name
 * cannot be copied. Indexes never change, so a reload keeps
 * its routes' counters. Any thread; a registered name is found without a
 * lock (a scan of the names), so it may be called per exchange.
 */
int veil_stats_route(veil_stats_t *s, const char *name);

/*
 * veil_stats_detector(): the counter slot of detector <index> of an
 * engine, <info> = veil_engine_detector(engine, index). Built-ins keep
 * their index; a custom id is found without a lock once registered, and
 * registered (under the lock) the first time. -1 when the custom ids are
 * exhausted or <info> is NULL for a custom index. Any thread.
 */
int veil_stats_detector(veil_stats_t *s, unsigned index, const veil_detector_info_t *info);
/* veil_stats_of(): the counters a shard belongs to. */
veil_stats_t *veil_stats_of(veil_stats_shard_t *sh);

/*
 * veil_stats_map_engine(): fills <map>[i] (<n> entries) with the counter
 * slot of detector i of <engine>, to pass to veil_stats_finding(). Built-in
 * detectors keep their catalog index; custom ones are registered by id
 * (category and regulations copied), so the same id keeps its counters
 * across engines and reloads. Entries past the engine's detectors, and
 * custom detectors beyond VEIL_STATS_MAX_CUSTOM ids, get UINT16_MAX (not
 * counted). Returns how many of the engine's detectors were left out.
 */
size_t veil_stats_map_engine(veil_stats_t *s, const veil_engine_t *engine, uint16_t *map, size_t n);

/* veil_stats_shard(): worker <i>'s shard, or the main shard for
   VEIL_STATS_SHARD_MAIN. */
veil_stats_shard_t *veil_stats_shard(veil_stats_t *s, int i);

/* veil_stats_method(): the VEIL_STATS_M_* of a method token. */
int veil_stats_method(const char *m, size_t len);

/*
 * The events. Out-of-range indexes are ignored (never a crash, never an
 * unbounded label). Call only from the shard's owner thread (any thread
 * for the main shard).
 *
 * veil_stats_request(): one exchange ended with <status> (0: none sent).
 * The durations are in nanoseconds; UINT64_MAX leaves that histogram
 * unobserved (no upstream phase, for example).
 */
void veil_stats_request(veil_stats_shard_t *sh, unsigned route, int method, int status,
                        uint64_t total_ns, uint64_t upstream_ns, uint64_t added_ns);
/* <count> findings by <detector> (a slot from veil_stats_map_engine();
   a built-in detector's slot is its catalog index) at <loc>, handled
   with <action>. Their category comes from the detector. */
void veil_stats_finding(veil_stats_shard_t *sh, unsigned route, int loc, unsigned detector,
                        int action, uint64_t count);
/* <bytes> of a body (decoded) were fed to the engine. */
void veil_stats_inspected(veil_stats_shard_t *sh, unsigned route, int dir, uint64_t bytes);
void veil_stats_not_inspected(veil_stats_shard_t *sh, unsigned route, int dir, const char *reason);
void veil_stats_rejected(veil_stats_shard_t *sh, const char *reason);
void veil_stats_blocked(veil_stats_shard_t *sh, unsigned route, veil_category_t category);
void veil_stats_upstream_error(veil_stats_shard_t *sh, unsigned route, const char *kind);
void veil_stats_reload(veil_stats_shard_t *sh, int result);
/* <n> access-log records lost for <reason> (VEIL_STATS_LOGDROP_*); any
   thread, on the main shard. */
void veil_stats_log_dropped(veil_stats_shard_t *sh, int reason, uint64_t n);
/* A TLS handshake on a listener ended with <result> (VEIL_STATS_TLS_*). */
void veil_stats_tls_handshake(veil_stats_shard_t *sh, int result);

/*
 * veil_stats_set_config(): a config was loaded at <when> (Unix seconds)
 * with the identifier <id> (a digest or version, at most 64 bytes; never
 * a secret). Any thread.
 */
void veil_stats_set_config(veil_stats_t *s, const char *id, double when);

/*
 * veil_stats_config_id(): sets the config id to "sha256:" and the first
 * 12 hex digits of the digest of the effective config as <config_json>
 * writes it (secrets removed), loaded now.
 */
void veil_stats_config_id(veil_stats_t *s, int (*config_json)(void *ud, veil_jbuf_t *out),
                          void *ud);
/* veil_stats_config_digest(): the same for a loaded configuration file:
   the digest of its dump (veil_config_dump(), secrets as references). */
struct veil_config;
void veil_stats_config_digest(veil_stats_t *s, const struct veil_config *c);

/* Flag values: bytes with k/m/g suffixes, seconds with s/m/h/d; 0 is
   allowed. Return 0 or -1. */
int veil_stats_parse_bytes(const char *s, uint64_t *out);
int veil_stats_parse_secs(const char *s, uint64_t *out);

/* ---- reading ---- */

/*
 * A consistent-per-counter copy of every sum, in plain arrays. Indexes:
 * requests[(route * M + method) * CODE + code],
 * findings[((route * LOC + loc) * ndet + det) * ACT + act],
 * inspected[route * DIR + dir], skipped[(route * DIR + dir) * nskip + r],
 * rejected[r], blocked[route * CAT + cat], upstream[route * nup + k],
 * lat[(route * LAT + k) * (BUCKETS + 1) + b] (not cumulative; the last is
 * +Inf), lat_sum_ns / lat_count[route * LAT + k], reloads[r],
 * log_dropped[VEIL_STATS_LOGDROP_*]; routes and
 * detectors are those registered when the snapshot was taken.
 */
typedef struct veil_stats_snapshot {
    /* tls_handshakes[VEIL_STATS_TLS_*]: listener handshakes by how they
       ended. */
    uint64_t *tls_handshakes;
    size_t nroutes, ndet;
    const char *const *routes;
    const veil_detector_info_t *det; /* ndet entries, ids copied */
    double start_time, now, config_time;
    char config_id[72];
    uint64_t *requests, *findings, *inspected, *skipped, *rejected;
    uint64_t *blocked, *upstream, *lat, *lat_sum_ns, *lat_count, *reloads;
    uint64_t *log_dropped;
    /* Reversible tokens, placeholders and POST /detokenize
       (stats_tokens.c). */
    struct veil_stats_tokens_snapshot *tokens;
} veil_stats_snapshot_t;

/* veil_stats_snapshot(): fills <snap> (arrays allocated; release them
   with veil_stats_snapshot_dispose()). The names point into <s>, which
   must outlive the snapshot. Returns 0 or -ENOMEM. Any thread. */
int veil_stats_snapshot(veil_stats_t *s, veil_stats_snapshot_t *snap);
void veil_stats_snapshot_dispose(veil_stats_snapshot_t *snap);

/* veil_stats_json(): the /stats document (see docs/statistics.md).
   Returns 0 or -ENOMEM. */
int veil_stats_json(const veil_stats_snapshot_t *snap, veil_jbuf_t *out);
/* veil_stats_prometheus(): the /metrics text (exposition format 0.0.4). */
int veil_stats_prometheus(const veil_stats_snapshot_t *snap, veil_jbuf_t *out);
/* The TLS handshake families of both (stats_tls.c): the /stats member
   "tls_handshakes" (a key and its object, after a comma) and the
   veil_tls_handshakes_total and veil_tls_handshake_failures_total
   families. */
void veil_stats_tls_json(const veil_stats_snapshot_t *snap, veil_jbuf_t *out);
void veil_stats_tls_prometheus(const veil_stats_snapshot_t *snap, veil_jbuf_t *out);

/* ---- reversible tokens and placeholders (stats_tokens.c) ---- */

/*
 * Token counters have the labels of veil_token_stats_t (include/veil/
 * tokens.h): the type (a catalog row; custom detectors and field rules
 * share "other"), the key and the kind, outcome or reason. Keys are
 * counted by id, registered on first use like routes: the first
 * VEIL_STATS_TOKEN_KEYS ids each have their own series, later ones share
 * "other"; "none" is a token that named no key of the ring.
 * POST /detokenize answers are counted by caller (the first
 * VEIL_STATS_CALLERS names, then "other"; "none" before a caller is
 * known) and status.
 */
#define VEIL_STATS_TOKEN_KEYS 16
#define VEIL_STATS_CALLERS 16

struct veil_token_ring;
struct veil_token_stats;

/*
 * veil_stats_tokens(): adds what <st> counted (one worker's own
 * veil_token_stats_t, its keys by the slots of <ring>) to shard <sh>
 * under the key ids of <ring>, and zeroes <st> for the next pass. Call
 * it after each pass of a token transform with the ring that pass used
 * (a reload may give a slot another id). Owner thread of <sh>.
 */
void veil_stats_tokens(veil_stats_shard_t *sh, const struct veil_token_ring *ring,
                       struct veil_token_stats *st);
/* One exchange's round trip on <route>: placeholders issued (distinct
   values), restored in its response, and placeholder-shaped strings of
   the response left as they were (never issued in this exchange). */
void veil_stats_placeholders(veil_stats_shard_t *sh, unsigned route, uint64_t issued,
                             uint64_t restored, uint64_t not_restored);
/* One POST /detokenize answered with <status> for <caller> (NULL: none
   authenticated). */
void veil_stats_detokenize_request(veil_stats_shard_t *sh, const char *caller, int status);

/* The /detokenize statuses counted apart; any other is "other". */
size_t veil_stats_api_status_count(void);
const char *veil_stats_api_status_name(size_t i);

/*
 * The sums, indexed as the names say: issued[(type * nkeys + key) *
 * VEIL_TOKEN_KIND__COUNT + kind], reversed[(type * nkeys + key) *
 * VEIL_TOKEN_OUTCOME__COUNT + outcome], fpe_refused[type *
 * VEIL_FPE_REFUSED__COUNT + reason], placeholders[route * 3 + k] (k:
 * issued, restored, not restored; the snapshot's routes),
 * api[caller * nstatus + status].
 */
typedef struct veil_stats_tokens_snapshot {
    size_t nkeys, ncallers, nstatus, nroutes;
    const char *const *keys;    /* [0] "none", then ids, "other" last */
    const char *const *callers; /* [0] "none", then names, "other" last */
    uint64_t *issued, *reversed, *fpe_refused, *placeholders, *api;
    uint64_t kept;
} veil_stats_tokens_snapshot_t;

/* ---- the transparency report (report.c) ---- */

enum {
    VEIL_REPORT_HTML,
    VEIL_REPORT_MD,
    VEIL_REPORT_JSON
};

/*
 * veil_report_render(): turns a /stats document (<json>, <len> bytes) into
 * the transparency report in <format>, appended to <out>: a self-contained
 * HTML page (inline CSS and SVG charts, no scripts, no external resources),
 * Markdown, or a JSON summary. Only counts and names, never a value.
 * Returns 0, or -EINVAL with a reason in <err> when the document is not a
 * /stats document, or -ENOMEM.
 */
int veil_report_render(const char *json, size_t len, int format, veil_jbuf_t *out, char *err,
                       size_t errlen);

/* ---- the admin listener (admin.c) ---- */

typedef struct veil_admin_options {
    const char *host;       /* an IP literal; NULL: 127.0.0.1 */
    int port;               /* 0: 9901 */
    const char *token_file; /* bearer token for all but /live and
                                    /ready; NULL: none */
    veil_stats_t *stats;    /* required */
    /* The data listener, which the admin listener may never share. */
    const char *data_host;
    int data_port;
    /*
     * The effective configuration as a JSON object, secrets removed,
     * appended to <out>; called on the admin thread. NULL: /config
     * answers {}.
     */
    int (*config_json)(void *ud, veil_jbuf_t *out);
    void *config_ud;
    /*
     * What it serves: VEIL_ADMIN_ALL, or one job for an address the
     * network reaches, 404 for every other path:
     *   VEIL_ADMIN_PROBES   /live and /ready, no token (server.probe_listen;
     *                       <stats> and <config_json> are not used)
     *   VEIL_ADMIN_METRICS  /metrics, with the token when <token_file> is
     *                       given (server.metrics_listen)
     * Neither ever serves /config, /stats or /report.
     */
    int only;
} veil_admin_options_t;

enum {
    VEIL_ADMIN_ALL,
    VEIL_ADMIN_PROBES,
    VEIL_ADMIN_METRICS
};

typedef struct veil_admin veil_admin_t;

/*
 * veil_admin_start(): binds the admin listener and serves it from its own
 * thread and libuv loop: GET/HEAD /live (200), /ready (200, or 503 before
 * a config is loaded and while draining), /stats, /metrics, /config and
 * /report (less with <only>). Returns 0, or a negative errno with a
 * reason in <err>.
 */
int veil_admin_start(veil_admin_t **out, const veil_admin_options_t *opts, char *err,
                     size_t errlen);
/* veil_admin_port(): the port listened on. */
int veil_admin_port(const veil_admin_t *a);
/* Readiness inputs; any thread. */
void veil_admin_set_config_loaded(veil_admin_t *a, int loaded);
void veil_admin_set_draining(veil_admin_t *a, int draining);
/* veil_admin_stop(): closes every admin connection, joins the thread,
   frees. NULL-safe. */
void veil_admin_stop(veil_admin_t *a);

#endif
