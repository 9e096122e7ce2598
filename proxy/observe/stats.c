/*
 * Redaction statistics: per-worker shards of counters, summed on read.
 *
 * Each shard is one flat array of 64-bit counters with a layout computed
 * once (offsets below). The owner thread updates a counter with a relaxed
 * load and a relaxed store: on x86-64 and arm64 that is a plain load, add
 * and store, with no lock prefix, yet it is not a data race in C11 terms,
 * so ThreadSanitizer stays quiet and readers never see a torn value.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>

#include "veil/stats.h"
#include "stats_tokens.h"

const double veil_stats_bucket_le[VEIL_STATS_BUCKETS] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
};

/* The same bounds in nanoseconds, for the hot path. */
static const uint64_t bucket_ns[VEIL_STATS_BUCKETS] = {
    500000ull,     1000000ull,     2500000ull,     5000000ull,     10000000ull,   25000000ull,
    50000000ull,   100000000ull,   250000000ull,   500000000ull,   1000000000ull, 2500000000ull,
    5000000000ull, 10000000000ull, 30000000000ull, 60000000000ull,
};

static const char *const method_names[VEIL_STATS_M__COUNT] = {
    "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE", "OTHER",
};
static const char *const code_names[VEIL_STATS_CODE__COUNT] = {
    "none", "1xx", "2xx", "3xx", "4xx", "5xx",
};
static const char *const dir_names[VEIL_STATS_DIR__COUNT] = {
    "request",
    "response",
};
static const char *const loc_names[VEIL_STATS_LOC__COUNT] = {
    "path", "query", "headers", "body", "headers", "body",
};
static const char *const act_names[VEIL_STATS_ACT__COUNT] = {
    "observe", "mask", "label", "hash", "tokenize", "drop", "block", "placeholder",
};
static const char *const lat_names[VEIL_STATS_LAT__COUNT] = {
    "total",
    "upstream",
    "added",
};
static const char *const reload_names[VEIL_STATS_RELOAD__COUNT] = {
    "ok",
    "failed",
};
static const char *const logdrop_names[VEIL_STATS_LOGDROP__COUNT] = {
    "too_large",
    "buffer_full",
    "unavailable",
    "write_error",
};

/* Requests refused before or during their exchange: every request-side
   rule of http_validate.c, then the proxy's own limits and timeouts. */
/* clang-format off */
static const char *const reject_names[] = {
    "bad_header_name", "bad_header_value", "bad_method", "bad_request_line",
    "bad_target", "leading_whitespace", "obs_fold",
    "bad_target_form", "bad_version", "bare_cr", "bare_lf", "cl_duplicate",
    "cl_list", "cl_malformed", "cl_overflow", "cl_te_conflict",
    "connect_with_body", "connection_framing", "connection_malformed",
    "empty_header_name", "header_too_large",
    "host_duplicate", "host_malformed", "host_missing", "http09",
    "incomplete_head", "missing_colon", "nul", "space_before_colon",
    "te_duplicate", "te_http10", "te_malformed", "te_unknown",
    "too_many_headers", "unsupported_version",
    "header_timeout", "body_timeout", "max_connections", "body_too_large",
    "request_head_too_large", "expectation_failed", "connect_not_allowed",
    "bad_chunked", "bad_request", "bad_head", "parser_rejected",
    "parser_rejected_body", "parser_disagrees", "other",
};
/* clang-format on */
/* Bodies not inspected (inspect.c). */
static const char *const skip_names[] = {
    "over_limit", "encoding",       "binary",    "decode_error", "incomplete", "engine_error",
    "no_engine",  "inspection_off", "no_memory", "tunnel",       "charset",    "other",
};
/* Upstream failures (upstream.c, response.c), then every rule of the
   header validator, since a response head can break most of them
   ("cl_te_conflict" from an upstream is an upstream error, with 502). */
/* clang-format off */
static const char *const upstream_names[] = {
    "upstream_unavailable", "upstream_connect_timeout", "upstream_timeout",
    "upstream_resolve_failed", "upstream_tls_failed",
    "upstream_body_timeout", "upstream_send_timeout", "upstream_truncated",
    "upstream_truncated_head", "bad_response_head", "bad_chunked_response",
    "parser_rejected_response", "response_head_too_large",
    "interim_head_too_large", "unexpected_upgrade", "unexpected_tunnel",
    "bad_status_line", "bad_status_code", "bad_reason_phrase",
    "te_bodiless_status",
    "bad_header_name", "bad_header_value", "leading_whitespace", "obs_fold",
    "bare_cr", "bare_lf", "nul", "cl_duplicate", "cl_list", "cl_malformed",
    "cl_overflow", "cl_te_conflict", "connection_framing",
    "connection_malformed", "empty_header_name",
    "header_too_large", "too_many_headers", "incomplete_head",
    "missing_colon", "space_before_colon", "te_duplicate", "te_http10",
    "te_malformed", "te_unknown", "unsupported_version", "bad_version",
    "other",
};
/* clang-format on */

#define NTAB(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
    const char *const *names;
    size_t n;
} tables[VEIL_STATS_T__COUNT] = {
    {reject_names, NTAB(reject_names)},
    {skip_names, NTAB(skip_names)},
    {upstream_names, NTAB(upstream_names)},
};

#define NREJ NTAB(reject_names)
#define NSKIP NTAB(skip_names)
#define NUP NTAB(upstream_names)
#define NB (VEIL_STATS_BUCKETS + 1)

typedef _Atomic uint64_t ctr_t;

struct veil_stats_shard {
    ctr_t *c;
    const veil_stats_t *s;
    int shared; /* the main shard: atomic adds */
};

struct veil_stats {
    unsigned nshards;
    /* Capacities (the counter layout) and what is registered so far.
       Names are appended under meta_lock and never move or change, so a
       snapshot may point at them. */
    size_t rcap, dcap;
    /* Registered counts: stored with release after the entry is
       written, so lookups can scan without the lock. */
    _Atomic size_t nroutes, ndet;
    size_t ncatalog;
    char **routes;
    veil_detector_info_t *det;
    /* Offsets of each counter family in a shard's array. */
    size_t o_tls; /* TLS handshakes by result: VEIL_STATS_TLS__COUNT */
    size_t o_req, o_find, o_insp, o_skip, o_rej, o_block, o_up;
    size_t o_lat, o_lsum, o_lcnt, o_reload, o_logdrop, total;
    veil_stats_shard_t *shards; /* nshards + 1 (the main shard last) */
    double start_time;
    pthread_mutex_t meta_lock; /* names, config id and time */
    char config_id[72];
    double config_time;
    /* Reversible tokens, placeholders, POST /detokenize (stats_tokens.c):
       arrays of their own, one per shard as well. */
    veil__stats_tokens_t *tokens;
};


const char *veil_stats_method_name(int m)
{
    return m >= 0 && m < VEIL_STATS_M__COUNT ? method_names[m] : "OTHER";
}

const char *veil_stats_code_name(int c)
{
    return c >= 0 && c < VEIL_STATS_CODE__COUNT ? code_names[c] : "none";
}

const char *veil_stats_dir_name(int d)
{
    return d >= 0 && d < VEIL_STATS_DIR__COUNT ? dir_names[d] : "request";
}

const char *veil_stats_loc_name(int loc)
{
    return loc >= 0 && loc < VEIL_STATS_LOC__COUNT ? loc_names[loc] : "body";
}

int veil_stats_loc_dir(int loc)
{
    return loc >= VEIL_STATS_LOC_RSP_HEADERS ? VEIL_STATS_DIR_RESPONSE : VEIL_STATS_DIR_REQUEST;
}

const char *veil_stats_action_name(int a)
{
    return a >= 0 && a < VEIL_STATS_ACT__COUNT ? act_names[a] : "observe";
}

const char *veil_stats_lat_name(int k)
{
    return k >= 0 && k < VEIL_STATS_LAT__COUNT ? lat_names[k] : "total";
}

const char *veil_stats_reload_name(int r)
{
    return r >= 0 && r < VEIL_STATS_RELOAD__COUNT ? reload_names[r] : "ok";
}

const char *veil_stats_logdrop_name(int r)
{
    return r >= 0 && r < VEIL_STATS_LOGDROP__COUNT ? logdrop_names[r] : "write_error";
}


size_t veil_stats_table_count(veil_stats_table_t t)
{
    return (unsigned)t < VEIL_STATS_T__COUNT ? tables[t].n : 0;
}


const char *veil_stats_table_name(veil_stats_table_t t, size_t i)
{
    if ((unsigned)t >= VEIL_STATS_T__COUNT || i >= tables[t].n) {
        return "other";
    }
    return tables[t].names[i];
}


size_t veil_stats_table_index(veil_stats_table_t t, const char *reason)
{
    size_t i, n;

    if ((unsigned)t >= VEIL_STATS_T__COUNT) {
        return 0;
    }
    n = tables[t].n;
    if (reason != NULL) {
        /* Rejections and errors are rare: a linear scan is enough. */
        for (i = 0; i + 1 < n; i++) {
            if (strcmp(reason, tables[t].names[i]) == 0) {
                return i;
            }
        }
    }
    return n - 1;
}


int veil_stats_method(const char *m, size_t len)
{
    for (int i = 0; i < VEIL_STATS_M_OTHER; i++) {
        if (strlen(method_names[i]) == len && memcmp(method_names[i], m, len) == 0) {
            return i;
        }
    }
    return VEIL_STATS_M_OTHER;
}


static double wall_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}


static void free_names(veil_stats_t *s)
{
    if (s->routes != NULL) {
        for (size_t i = 0; i < atomic_load(&s->nroutes); i++) {
            free(s->routes[i]);
        }
        free(s->routes);
    }
    if (s->det != NULL) {
        for (size_t i = 0; i < atomic_load(&s->ndet); i++) {
            free((char *)s->det[i].id);
        }
        free(s->det);
    }
}


veil_stats_t *veil_stats_new(unsigned nshards, size_t max_routes)
{
    veil_stats_t *s;
    size_t R = max_routes + 1, off = 0; /* + the overflow route */

    if (nshards == 0 || nshards > 1024 || max_routes == 0 || max_routes > VEIL_STATS_MAX_ROUTES) {
        return NULL;
    }
    s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return NULL;
    }
    s->nshards = nshards;
    /* One more than asked: the overflow route "other", so a config with
       more routes than expected is still counted in full. */
    s->rcap = max_routes + 1;
    s->ncatalog = veil_catalog_count();
    s->dcap = s->ncatalog + VEIL_STATS_MAX_CUSTOM;
    s->routes = calloc(s->rcap, sizeof(char *));
    s->det = calloc(s->dcap, sizeof(*s->det));
    if (s->routes == NULL || s->det == NULL) {
        goto err;
    }
    /* The built-in detectors have the same index in every engine. */
    for (size_t i = 0; i < s->ncatalog; i++) {
        const veil_detector_info_t *d = veil_catalog_get(i);

        s->det[i].category = d->category;
        s->det[i].regulations = d->regulations;
        s->det[i].id = strdup(d->id);
        if (s->det[i].id == NULL) {
            goto err;
        }
        atomic_store(&s->ndet, i + 1);
    }

    s->o_tls = off;
    off += VEIL_STATS_TLS__COUNT;
    s->o_req = off;
    off += R * VEIL_STATS_M__COUNT * VEIL_STATS_CODE__COUNT;
    s->o_find = off;
    off += R * VEIL_STATS_LOC__COUNT * s->dcap * VEIL_STATS_ACT__COUNT;
    s->o_insp = off;
    off += R * VEIL_STATS_DIR__COUNT;
    s->o_skip = off;
    off += R * VEIL_STATS_DIR__COUNT * NSKIP;
    s->o_rej = off;
    off += NREJ;
    s->o_block = off;
    off += R * VEIL_CAT__COUNT;
    s->o_up = off;
    off += R * NUP;
    s->o_lat = off;
    off += R * VEIL_STATS_LAT__COUNT * NB;
    s->o_lsum = off;
    off += R * VEIL_STATS_LAT__COUNT;
    s->o_lcnt = off;
    off += R * VEIL_STATS_LAT__COUNT;
    s->o_reload = off;
    off += VEIL_STATS_RELOAD__COUNT;
    s->o_logdrop = off;
    off += VEIL_STATS_LOGDROP__COUNT;
    s->total = off;

    s->shards = calloc(nshards + 1, sizeof(*s->shards));
    if (s->shards == NULL) {
        goto err;
    }
    for (unsigned i = 0; i <= nshards; i++) {
        /* Whole cache lines per shard: no false sharing between workers. */
        size_t bytes = (off * sizeof(ctr_t) + 63) / 64 * 64;

        s->shards[i].c = aligned_alloc(64, bytes);
        if (s->shards[i].c == NULL) {
            goto err;
        }
        for (size_t k = 0; k < off; k++) {
            atomic_init(&s->shards[i].c[k], 0);
        }
        s->shards[i].s = s;
        s->shards[i].shared = i == nshards;
    }
    pthread_mutex_init(&s->meta_lock, NULL);
    s->start_time = wall_now();
    s->tokens = veil__stats_tokens_new(nshards, s->rcap);
    if (s->tokens == NULL) {
        veil_stats_free(s);
        return NULL;
    }
    return s;

err:
    if (s->shards != NULL) {
        for (unsigned i = 0; i <= nshards; i++) {
            free(s->shards[i].c);
        }
        free(s->shards);
    }
    free_names(s);
    free(s);
    return NULL;
}


void veil_stats_free(veil_stats_t *s)
{
    if (s == NULL) {
        return;
    }
    for (unsigned i = 0; i <= s->nshards; i++) {
        free(s->shards[i].c);
    }
    free(s->shards);
    free_names(s);
    pthread_mutex_destroy(&s->meta_lock);
    veil__stats_tokens_free(s->tokens);
    free(s);
}


veil_stats_shard_t *veil_stats_shard(veil_stats_t *s, int i)
{
    if (i == VEIL_STATS_SHARD_MAIN) {
        return &s->shards[s->nshards];
    }
    if (i < 0 || (unsigned)i >= s->nshards) {
        return NULL;
    }
    return &s->shards[i];
}


/* The index of <name> among the first <n> routes, or -1. */
static int find_route(const veil_stats_t *s, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(s->routes[i], name) == 0) {
            return (int)i;
        }
    }
    return -1;
}


int veil_stats_route(veil_stats_t *s, const char *name)
{
    size_t n = atomic_load_explicit(&s->nroutes, memory_order_acquire);
    int idx = find_route(s, n, name);

    if (idx >= 0) {
        return idx; /* the request path: no lock once registered */
    }
    pthread_mutex_lock(&s->meta_lock);
    n = atomic_load_explicit(&s->nroutes, memory_order_relaxed);
    idx = find_route(s, n, name);
    if (idx < 0 && n + 1 >= s->rcap) {
        /* Full: everything else is counted under "other". */
        name = "other";
        idx = find_route(s, n, name);
    }
    if (idx < 0) {
        s->routes[n] = strdup(name);
        if (s->routes[n] == NULL) {
            idx = -ENOMEM;
        } else {
            atomic_store_explicit(&s->nroutes, n + 1, memory_order_release);
            idx = (int)n;
        }
    }
    pthread_mutex_unlock(&s->meta_lock);
    return idx;
}


/* The slot of custom id <id> among the first <n> detectors, or -1. */
static int find_detector(const veil_stats_t *s, size_t n, const char *id)
{
    for (size_t i = s->ncatalog; i < n; i++) {
        if (strcmp(s->det[i].id, id) == 0) {
            return (int)i;
        }
    }
    return -1;
}


/* The slot of detector <d>, registering a custom one. Under meta_lock. */
static int detector_slot(veil_stats_t *s, const veil_detector_info_t *d)
{
    size_t n = atomic_load_explicit(&s->ndet, memory_order_relaxed);
    int idx = find_detector(s, n, d->id);

    if (idx >= 0) {
        return idx;
    }
    if (n == s->dcap) {
        return -1;
    }
    s->det[n].id = strdup(d->id);
    if (s->det[n].id == NULL) {
        return -1;
    }
    s->det[n].category = d->category;
    s->det[n].regulations = d->regulations;
    atomic_store_explicit(&s->ndet, n + 1, memory_order_release);
    return (int)n;
}


int veil_stats_detector(veil_stats_t *s, unsigned index, const veil_detector_info_t *info)
{
    size_t n;
    int idx;

    if (index < s->ncatalog) {
        return (int)index; /* built-ins: the same index in every engine */
    }
    if (info == NULL) {
        return -1;
    }
    n = atomic_load_explicit(&s->ndet, memory_order_acquire);
    idx = find_detector(s, n, info->id);
    if (idx >= 0) {
        return idx;
    }
    pthread_mutex_lock(&s->meta_lock);
    idx = detector_slot(s, info);
    pthread_mutex_unlock(&s->meta_lock);
    return idx;
}


veil_stats_t *veil_stats_of(veil_stats_shard_t *sh)
{
    return sh ? (veil_stats_t *)sh->s : NULL;
}


size_t veil_stats_map_engine(veil_stats_t *s, const veil_engine_t *engine, uint16_t *map, size_t n)
{
    size_t count = veil_engine_detector_count(engine), unmapped = 0;

    pthread_mutex_lock(&s->meta_lock);
    for (size_t i = 0; i < n; i++) {
        int slot = -1;

        if (i < count) {
            if (i < s->ncatalog) {
                slot = (int)i; /* built-ins keep their catalog index */
            } else {
                slot = detector_slot(s, veil_engine_detector(engine, i));
            }
        }
        map[i] = slot < 0 ? UINT16_MAX : (uint16_t)slot;
        unmapped += i < count && slot < 0;
    }
    pthread_mutex_unlock(&s->meta_lock);
    return unmapped;
}


static inline void add(veil_stats_shard_t *sh, size_t k, uint64_t n)
{
    if (sh->shared) {
        atomic_fetch_add_explicit(&sh->c[k], n, memory_order_relaxed);
    } else {
        uint64_t v = atomic_load_explicit(&sh->c[k], memory_order_relaxed);

        atomic_store_explicit(&sh->c[k], v + n, memory_order_relaxed);
    }
}


static void observe(veil_stats_shard_t *sh, unsigned route, int kind, uint64_t ns)
{
    const veil_stats_t *s = sh->s;
    size_t h = route * VEIL_STATS_LAT__COUNT + (size_t)kind;
    size_t b = 0;

    if (ns == UINT64_MAX) {
        return;
    }
    while (b < VEIL_STATS_BUCKETS && ns > bucket_ns[b]) {
        b++;
    }
    add(sh, s->o_lat + h * NB + b, 1);
    add(sh, s->o_lsum + h, ns);
    add(sh, s->o_lcnt + h, 1);
}


void veil_stats_request(veil_stats_shard_t *sh, unsigned route, int method, int status,
                        uint64_t total_ns, uint64_t upstream_ns, uint64_t added_ns)
{
    int code = status >= 100 && status <= 599 ? status / 100 : 0;

    if (sh == NULL || route >= sh->s->rcap) {
        return;
    }
    if (method < 0 || method >= VEIL_STATS_M__COUNT) {
        method = VEIL_STATS_M_OTHER;
    }
    add(sh,
        sh->s->o_req +
            ((size_t)route * VEIL_STATS_M__COUNT + (size_t)method) * VEIL_STATS_CODE__COUNT +
            (size_t)code,
        1);
    observe(sh, route, VEIL_STATS_LAT_TOTAL, total_ns);
    observe(sh, route, VEIL_STATS_LAT_UPSTREAM, upstream_ns);
    observe(sh, route, VEIL_STATS_LAT_ADDED, added_ns);
}


void veil_stats_finding(veil_stats_shard_t *sh, unsigned route, int loc, unsigned detector,
                        int action, uint64_t count)
{
    const veil_stats_t *s;

    if (sh == NULL) {
        return;
    }
    s = sh->s;
    if (route >= s->rcap || loc < 0 || loc >= VEIL_STATS_LOC__COUNT || detector >= s->dcap ||
        action < 0 || action >= VEIL_STATS_ACT__COUNT) {
        return;
    }
    add(sh,
        s->o_find +
            (((size_t)route * VEIL_STATS_LOC__COUNT + (size_t)loc) * s->dcap + detector) *
                VEIL_STATS_ACT__COUNT +
            (size_t)action,
        count);
}


void veil_stats_inspected(veil_stats_shard_t *sh, unsigned route, int dir, uint64_t bytes)
{
    if (sh == NULL || route >= sh->s->rcap || dir < 0 || dir >= VEIL_STATS_DIR__COUNT) {
        return;
    }
    add(sh, sh->s->o_insp + route * VEIL_STATS_DIR__COUNT + (size_t)dir, bytes);
}


void veil_stats_not_inspected(veil_stats_shard_t *sh, unsigned route, int dir, const char *reason)
{
    size_t r = veil_stats_table_index(VEIL_STATS_T_SKIP, reason);

    if (sh == NULL || route >= sh->s->rcap || dir < 0 || dir >= VEIL_STATS_DIR__COUNT) {
        return;
    }
    add(sh, sh->s->o_skip + (route * VEIL_STATS_DIR__COUNT + (size_t)dir) * NSKIP + r, 1);
}


void veil_stats_rejected(veil_stats_shard_t *sh, const char *reason)
{
    if (sh != NULL) {
        add(sh, sh->s->o_rej + veil_stats_table_index(VEIL_STATS_T_REJECT, reason), 1);
    }
}


void veil_stats_blocked(veil_stats_shard_t *sh, unsigned route, veil_category_t category)
{
    if (sh == NULL || route >= sh->s->rcap || (unsigned)category >= VEIL_CAT__COUNT) {
        return;
    }
    add(sh, sh->s->o_block + route * VEIL_CAT__COUNT + (size_t)category, 1);
}


void veil_stats_upstream_error(veil_stats_shard_t *sh, unsigned route, const char *kind)
{
    if (sh == NULL || route >= sh->s->rcap) {
        return;
    }
    add(sh, sh->s->o_up + route * NUP + veil_stats_table_index(VEIL_STATS_T_UPSTREAM, kind), 1);
}


void veil_stats_tls_handshake(veil_stats_shard_t *sh, int result)
{
    if (sh == NULL) {
        return;
    }
    if (result < 0 || result >= VEIL_STATS_TLS__COUNT) {
        result = VEIL_STATS_TLS_OTHER;
    }
    add(sh, sh->s->o_tls + (size_t)result, 1);
}


void veil_stats_reload(veil_stats_shard_t *sh, int result)
{
    if (sh == NULL || result < 0 || result >= VEIL_STATS_RELOAD__COUNT) {
        return;
    }
    add(sh, sh->s->o_reload + (size_t)result, 1);
}


void veil_stats_log_dropped(veil_stats_shard_t *sh, int reason, uint64_t n)
{
    if (sh == NULL || reason < 0 || reason >= VEIL_STATS_LOGDROP__COUNT) {
        return;
    }
    add(sh, sh->s->o_logdrop + (size_t)reason, n);
}


void veil_stats_set_config(veil_stats_t *s, const char *id, double when)
{
    size_t n = id ? strlen(id) : 0;

    if (n > 64) {
        n = 64;
    }
    pthread_mutex_lock(&s->meta_lock);
    memcpy(s->config_id, id ? id : "", n);
    s->config_id[n] = '\0';
    s->config_time = when;
    pthread_mutex_unlock(&s->meta_lock);
}


/* Sums one family of <n> counters at <off> over all shards into <dst>. */
static uint64_t *sum(veil_stats_t *s, size_t off, size_t n)
{
    uint64_t *dst = calloc(n ? n : 1, sizeof(uint64_t));

    if (dst == NULL) {
        return NULL;
    }
    for (unsigned i = 0; i <= s->nshards; i++) {
        const ctr_t *c = s->shards[i].c + off;

        for (size_t k = 0; k < n; k++) {
            dst[k] += atomic_load_explicit(&c[k], memory_order_relaxed);
        }
    }
    return dst;
}


int veil_stats_snapshot(veil_stats_t *s, veil_stats_snapshot_t *snap)
{
    const size_t L = VEIL_STATS_LOC__COUNT, A = VEIL_STATS_ACT__COUNT;
    uint64_t *find;

    memset(snap, 0, sizeof(*snap));
    snap->routes = (const char *const *)s->routes;
    snap->det = s->det;
    snap->start_time = s->start_time;
    snap->now = wall_now();
    pthread_mutex_lock(&s->meta_lock);
    snap->nroutes = atomic_load(&s->nroutes);
    snap->ndet = atomic_load(&s->ndet);
    memcpy(snap->config_id, s->config_id, sizeof(snap->config_id));
    snap->config_time = s->config_time;
    pthread_mutex_unlock(&s->meta_lock);

    snap->tls_handshakes = sum(s, s->o_tls, VEIL_STATS_TLS__COUNT);
    if (snap->tls_handshakes == NULL) {
        veil_stats_snapshot_dispose(snap);
        return -ENOMEM;
    }

    /* Route-major families keep the capacity layout (only the first
       nroutes are read); findings are packed to the registered
       detectors so their index formula uses ndet. */
    snap->requests = sum(s, s->o_req, s->o_find - s->o_req);
    find = sum(s, s->o_find, s->o_insp - s->o_find);
    snap->findings = calloc(snap->nroutes * L * snap->ndet * A + 1, sizeof(uint64_t));
    if (find != NULL && snap->findings != NULL) {
        for (size_t rl = 0; rl < snap->nroutes * L; rl++) {
            memcpy(snap->findings + rl * snap->ndet * A, find + rl * s->dcap * A,
                   snap->ndet * A * sizeof(uint64_t));
        }
    }
    free(find);
    if (find == NULL) {
        free(snap->findings);
        snap->findings = NULL;
    }
    snap->inspected = sum(s, s->o_insp, s->o_skip - s->o_insp);
    snap->skipped = sum(s, s->o_skip, s->o_rej - s->o_skip);
    snap->rejected = sum(s, s->o_rej, s->o_block - s->o_rej);
    snap->blocked = sum(s, s->o_block, s->o_up - s->o_block);
    snap->upstream = sum(s, s->o_up, s->o_lat - s->o_up);
    snap->lat = sum(s, s->o_lat, s->o_lsum - s->o_lat);
    snap->lat_sum_ns = sum(s, s->o_lsum, s->o_lcnt - s->o_lsum);
    snap->lat_count = sum(s, s->o_lcnt, s->o_reload - s->o_lcnt);
    snap->reloads = sum(s, s->o_reload, s->o_logdrop - s->o_reload);
    snap->log_dropped = sum(s, s->o_logdrop, s->total - s->o_logdrop);
    snap->tokens = veil__stats_tokens_snapshot(s->tokens, snap->nroutes);
    if (!snap->tokens || !snap->requests || !snap->findings || !snap->inspected || !snap->skipped ||
        !snap->rejected || !snap->blocked || !snap->upstream || !snap->lat || !snap->lat_sum_ns ||
        !snap->lat_count || !snap->reloads || !snap->log_dropped) {
        veil_stats_snapshot_dispose(snap);
        return -ENOMEM;
    }
    return 0;
}


void veil_stats_snapshot_dispose(veil_stats_snapshot_t *snap)
{
    free(snap->tls_handshakes);
    free(snap->requests);
    free(snap->findings);
    free(snap->inspected);
    free(snap->skipped);
    free(snap->rejected);
    free(snap->blocked);
    free(snap->upstream);
    free(snap->lat);
    free(snap->lat_sum_ns);
    free(snap->lat_count);
    free(snap->reloads);
    free(snap->log_dropped);
    veil__stats_tokens_snapshot_free(snap->tokens);
    memset(snap, 0, sizeof(*snap));
}


veil__stats_tokens_t *veil__stats_tokens_of(veil_stats_shard_t *sh, unsigned *index, int *shared)
{
    const veil_stats_t *s = sh->s;

    *index = (unsigned)(sh - s->shards);
    *shared = sh->shared;
    return s->tokens;
}
