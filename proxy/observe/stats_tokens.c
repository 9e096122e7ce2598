/*
 * Counters of reversible tokens, placeholders and POST /detokenize, kept
 * like the main ones (stats.c): one flat array per shard, updated by the
 * shard's owner thread with relaxed loads and stores (the main shard with
 * atomic adds), summed when read.
 *
 * The token transforms count into a plain veil_token_stats_t of their
 * caller, by key slot. A worker has one, and after each pass adds what it
 * holds here (veil_stats_tokens()) under the key ids of the ring that
 * pass used, since a reload may give a slot another id; the struct is
 * zeroed again on the way. Ids are registered on first use, like routes.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include "veil/tokens.h"
#include "stats_tokens.h"

#define T VEIL_TOKEN_STAT_TYPES
#define NK (VEIL_STATS_TOKEN_KEYS + 2) /* "none", ids, "other" */
#define NC (VEIL_STATS_CALLERS + 2)    /* "none", names, "other" */
#define KINDS VEIL_TOKEN_KIND__COUNT
#define OUTS VEIL_TOKEN_OUTCOME__COUNT
#define REFS VEIL_FPE_REFUSED__COUNT
#define PH 3 /* issued, restored, not restored */

typedef _Atomic uint64_t ctr_t;

static const char *const status_names[] = {
    "200", "400", "401", "403", "404", "405", "411", "413", "415", "429", "500", "503", "other",
};
#define NS (sizeof(status_names) / sizeof(status_names[0]))

/* Names registered on first use: [0] and [n - 1] are fixed ("none",
   "other"); ids go to 1 .. n - 2, appended under the lock and never
   moved, their count stored with release so lookups need no lock. */
typedef struct names {
    char *name[NK > NC ? NK : NC];
    size_t cap;
    _Atomic size_t n; /* registered, "none" included */
} names_t;

struct veil__stats_tokens {
    unsigned nshards;
    size_t rcap;
    size_t o_issued, o_rev, o_fpe, o_kept, o_ph, o_api, total;
    ctr_t **c; /* nshards + 1 arrays */
    names_t keys, callers;
    pthread_mutex_t lock;
};


static int names_init(names_t *t, size_t cap)
{
    memset(t, 0, sizeof(*t));
    t->cap = cap;
    t->name[0] = strdup("none");
    t->name[cap - 1] = strdup("other");
    atomic_init(&t->n, 1);
    return t->name[0] && t->name[cap - 1] ? 0 : -1;
}


static void names_free(names_t *t)
{
    for (size_t i = 0; i < t->cap; i++) {
        free(t->name[i]);
    }
}


/* The index of <name> (<len> bytes), registered on first use; "other"
   once the table is full or without memory. */
static size_t name_index(veil__stats_tokens_t *s, names_t *t, const char *name, size_t len)
{
    size_t n = atomic_load_explicit(&t->n, memory_order_acquire), i;

    for (i = 1; i < n; i++) {
        if (strlen(t->name[i]) == len && memcmp(t->name[i], name, len) == 0) {
            return i;
        }
    }
    pthread_mutex_lock(&s->lock);
    n = atomic_load_explicit(&t->n, memory_order_relaxed);
    for (i = 1; i < n; i++) {
        if (strlen(t->name[i]) == len && memcmp(t->name[i], name, len) == 0) {
            break;
        }
    }
    if (i == n) {
        i = t->cap - 1;
        if (n < t->cap - 1 && (t->name[n] = strndup(name, len)) != NULL) {
            i = n;
            atomic_store_explicit(&t->n, n + 1, memory_order_release);
        }
    }
    pthread_mutex_unlock(&s->lock);
    return i;
}


veil__stats_tokens_t *veil__stats_tokens_new(unsigned nshards, size_t rcap)
{
    veil__stats_tokens_t *s = calloc(1, sizeof(*s));
    size_t off = 0;

    if (s == NULL) {
        return NULL;
    }
    s->nshards = nshards;
    s->rcap = rcap;
    s->o_issued = off;
    off += (size_t)T * NK * KINDS;
    s->o_rev = off;
    off += (size_t)T * NK * OUTS;
    s->o_fpe = off;
    off += (size_t)T * REFS;
    s->o_kept = off;
    off += 1;
    s->o_ph = off;
    off += rcap * PH;
    s->o_api = off;
    off += (size_t)NC * NS;
    s->total = off;
    pthread_mutex_init(&s->lock, NULL);
    s->c = calloc(nshards + 1, sizeof(*s->c));
    if (s->c == NULL || names_init(&s->keys, NK) != 0 || names_init(&s->callers, NC) != 0) {
        veil__stats_tokens_free(s);
        return NULL;
    }
    for (unsigned i = 0; i <= nshards; i++) {
        /* Whole cache lines: no false sharing between workers. */
        s->c[i] = aligned_alloc(64, (off * sizeof(ctr_t) + 63) / 64 * 64);
        if (s->c[i] == NULL) {
            veil__stats_tokens_free(s);
            return NULL;
        }
        for (size_t k = 0; k < off; k++) {
            atomic_init(&s->c[i][k], 0);
        }
    }
    return s;
}


void veil__stats_tokens_free(veil__stats_tokens_t *s)
{
    if (s == NULL) {
        return;
    }
    for (unsigned i = 0; s->c != NULL && i <= s->nshards; i++) {
        free(s->c[i]);
    }
    free(s->c);
    names_free(&s->keys);
    names_free(&s->callers);
    pthread_mutex_destroy(&s->lock);
    free(s);
}


static inline void add(ctr_t *c, int shared, size_t k, uint64_t n)
{
    if (shared) {
        atomic_fetch_add_explicit(&c[k], n, memory_order_relaxed);
    } else {
        uint64_t v = atomic_load_explicit(&c[k], memory_order_relaxed);

        atomic_store_explicit(&c[k], v + n, memory_order_relaxed);
    }
}


/* The counter index of key slot <slot> of <ring>: its id's, registered
   on first use; 0 ("none") for slot 0 or a slot the ring lacks. */
static size_t key_index(veil__stats_tokens_t *s, const veil_token_ring_t *ring, int slot)
{
    size_t n = ring ? veil_token_ring_count(ring) : 0;

    for (size_t i = 0; slot > 0 && i < n; i++) {
        if (veil_token_ring_slot(ring, i) == slot) {
            const char *id = veil_token_ring_id(ring, i);

            return name_index(s, &s->keys, id, strlen(id));
        }
    }
    return 0;
}


void veil_stats_tokens(veil_stats_shard_t *sh, const veil_token_ring_t *ring,
                       veil_token_stats_t *st)
{
    unsigned idx = 0;
    int shared = 0;
    veil__stats_tokens_t *s = sh ? veil__stats_tokens_of(sh, &idx, &shared) : NULL;
    size_t key[VEIL_TOKEN_SLOTS + 1] = {0};
    int known[VEIL_TOKEN_SLOTS + 1] = {0};
    ctr_t *c;

    if (s == NULL || st == NULL) {
        return;
    }
    c = s->c[idx];
    for (unsigned t = 0; t < T; t++) {
        for (int sl = 0; sl <= VEIL_TOKEN_SLOTS; sl++) {
            uint64_t *iss = st->issued[t][sl], *rev = st->reversed[t][sl];
            int any = 0;

            for (int k = 0; k < KINDS; k++) {
                any |= iss[k] != 0;
            }
            for (int o = 0; o < OUTS; o++) {
                any |= rev[o] != 0;
            }
            if (!any) {
                continue;
            }
            if (!known[sl]) {
                key[sl] = key_index(s, ring, sl);
                known[sl] = 1;
            }
            for (int k = 0; k < KINDS; k++) {
                if (iss[k]) {
                    add(c, shared, s->o_issued + ((size_t)t * NK + key[sl]) * KINDS + (size_t)k,
                        iss[k]);
                    iss[k] = 0;
                }
            }
            for (int o = 0; o < OUTS; o++) {
                if (rev[o]) {
                    add(c, shared, s->o_rev + ((size_t)t * NK + key[sl]) * OUTS + (size_t)o,
                        rev[o]);
                    rev[o] = 0;
                }
            }
        }
        for (int r = 0; r < REFS; r++) {
            if (st->fpe_refused[t][r]) {
                add(c, shared, s->o_fpe + (size_t)t * REFS + (size_t)r, st->fpe_refused[t][r]);
                st->fpe_refused[t][r] = 0;
            }
        }
    }
    if (st->kept) {
        add(c, shared, s->o_kept, st->kept);
        st->kept = 0;
    }
}


void veil_stats_placeholders(veil_stats_shard_t *sh, unsigned route, uint64_t issued,
                             uint64_t restored, uint64_t not_restored)
{
    unsigned idx = 0;
    int shared = 0;
    veil__stats_tokens_t *s = sh ? veil__stats_tokens_of(sh, &idx, &shared) : NULL;
    const uint64_t v[PH] = {issued, restored, not_restored};

    if (s == NULL || route >= s->rcap) {
        return;
    }
    for (size_t k = 0; k < PH; k++) {
        if (v[k]) {
            add(s->c[idx], shared, s->o_ph + (size_t)route * PH + k, v[k]);
        }
    }
}


size_t veil_stats_api_status_count(void)
{
    return NS;
}


const char *veil_stats_api_status_name(size_t i)
{
    return i < NS ? status_names[i] : NULL;
}


void veil_stats_detokenize_request(veil_stats_shard_t *sh, const char *caller, int status)
{
    unsigned idx = 0;
    int shared = 0;
    veil__stats_tokens_t *s = sh ? veil__stats_tokens_of(sh, &idx, &shared) : NULL;
    char code[16];
    size_t who = 0, st = NS - 1;

    if (s == NULL) {
        return;
    }
    if (caller != NULL) {
        who = name_index(s, &s->callers, caller, strlen(caller));
    }
    snprintf(code, sizeof(code), "%d", status);
    for (size_t i = 0; i + 1 < NS; i++) {
        if (strcmp(status_names[i], code) == 0) {
            st = i;
        }
    }
    add(s->c[idx], shared, s->o_api + who * NS + st, 1);
}


/* ---- reading ---- */

static uint64_t *sum(const veil__stats_tokens_t *s, size_t off, size_t n)
{
    uint64_t *dst = calloc(n ? n : 1, sizeof(uint64_t));

    for (unsigned i = 0; dst != NULL && i <= s->nshards; i++) {
        const ctr_t *c = s->c[i] + off;

        for (size_t k = 0; k < n; k++) {
            dst[k] += atomic_load_explicit(&c[k], memory_order_relaxed);
        }
    }
    return dst;
}


/* A snapshot with its own copy of the name tables. */
typedef struct {
    veil_stats_tokens_snapshot_t pub;
    const char *keys[NK];
    const char *callers[NC];
} snap_t;


/* The names registered so far (the others NULL: no series). Names are
   never moved or freed before the counters are: a snapshot may point at
   them. */
static void names_copy(const names_t *t, const char **out)
{
    size_t n = atomic_load_explicit(&t->n, memory_order_acquire);

    for (size_t i = 0; i < t->cap; i++) {
        out[i] = i < n || i == t->cap - 1 ? t->name[i] : NULL;
    }
}


veil_stats_tokens_snapshot_t *veil__stats_tokens_snapshot(veil__stats_tokens_t *s, size_t nroutes)
{
    snap_t *sp = calloc(1, sizeof(*sp));
    veil_stats_tokens_snapshot_t *ts = sp ? &sp->pub : NULL;
    uint64_t *kept;

    if (ts == NULL) {
        return NULL;
    }
    if (nroutes > s->rcap) {
        nroutes = s->rcap;
    }
    /* The names first: a count read after them whose name is not there
       yet is left out of this reading, never shown under another. */
    names_copy(&s->keys, sp->keys);
    names_copy(&s->callers, sp->callers);
    ts->keys = sp->keys;
    ts->callers = sp->callers;
    ts->nkeys = NK;
    ts->ncallers = NC;
    ts->nstatus = NS;
    ts->nroutes = nroutes;
    ts->issued = sum(s, s->o_issued, (size_t)T * NK * KINDS);
    ts->reversed = sum(s, s->o_rev, (size_t)T * NK * OUTS);
    ts->fpe_refused = sum(s, s->o_fpe, (size_t)T * REFS);
    ts->placeholders = sum(s, s->o_ph, s->rcap * PH);
    ts->api = sum(s, s->o_api, (size_t)NC * NS);
    kept = sum(s, s->o_kept, 1);
    if (!ts->issued || !ts->reversed || !ts->fpe_refused || !ts->placeholders || !ts->api ||
        !kept) {
        free(kept);
        veil__stats_tokens_snapshot_free(ts);
        return NULL;
    }
    ts->kept = kept[0];
    free(kept);
    return ts;
}


void veil__stats_tokens_snapshot_free(veil_stats_tokens_snapshot_t *ts)
{
    if (ts == NULL) {
        return;
    }
    free(ts->issued);
    free(ts->reversed);
    free(ts->fpe_refused);
    free(ts->placeholders);
    free(ts->api);
    free((snap_t *)ts); /* pub is its first member */
}


/* ---- rendering ---- */

static void rawf(veil_jbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void rawf(veil_jbuf_t *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n > 0 && (size_t)n < sizeof(tmp)) {
        veil_jbuf_raw(b, tmp, (size_t)n);
    }
}


static const char *kind_name(int k)
{
    return k == VEIL_TOKEN_KIND_FPE ? "fpe" : "tagged";
}


/* A key's label: unregistered slots have no name and no counts. */
static const char *key_name(const veil_stats_tokens_snapshot_t *ts, size_t k)
{
    return ts->keys[k];
}


/* JSON: one object per series that is not zero. */
static void jsep(veil_jbuf_t *b)
{
    if (b->len > 0 && b->data[b->len - 1] != '[') {
        veil_jbuf_raw(b, ",", 1);
    }
}


static void jstr(veil_jbuf_t *b, const char *k, const char *v)
{
    veil_jbuf_key(b, k);
    veil_jbuf_str(b, v, strlen(v));
}


static void jcount(veil_jbuf_t *b, uint64_t n)
{
    veil_jbuf_key(b, "count");
    veil_jbuf_u64(b, n);
    veil_jbuf_raw(b, "}", 1);
}


void veil__stats_tokens_json(const veil_stats_snapshot_t *sn, veil_jbuf_t *b)
{
    const veil_stats_tokens_snapshot_t *ts = sn->tokens;

    if (ts == NULL) {
        return;
    }
    veil_jbuf_key(b, "tokens");
    veil_jbuf_raw(b, "{", 1);
    veil_jbuf_key(b, "issued");
    veil_jbuf_raw(b, "[", 1);
    for (size_t t = 0; t < T; t++) {
        for (size_t k = 0; k < ts->nkeys; k++) {
            for (int i = 0; i < KINDS; i++) {
                uint64_t n = ts->issued[(t * ts->nkeys + k) * KINDS + (size_t)i];

                if (n == 0 || key_name(ts, k) == NULL) {
                    continue;
                }
                jsep(b);
                veil_jbuf_raw(b, "{", 1);
                jstr(b, "type", veil_token_stat_type_name((unsigned)t));
                jstr(b, "key", key_name(ts, k));
                jstr(b, "kind", kind_name(i));
                jcount(b, n);
            }
        }
    }
    veil_jbuf_raw(b, "]", 1);
    veil_jbuf_key(b, "detokenized");
    veil_jbuf_raw(b, "[", 1);
    for (size_t t = 0; t < T; t++) {
        for (size_t k = 0; k < ts->nkeys; k++) {
            for (int o = 0; o < OUTS; o++) {
                uint64_t n = ts->reversed[(t * ts->nkeys + k) * OUTS + (size_t)o];

                if (n == 0 || key_name(ts, k) == NULL) {
                    continue;
                }
                jsep(b);
                veil_jbuf_raw(b, "{", 1);
                jstr(b, "type", veil_token_stat_type_name((unsigned)t));
                jstr(b, "key", key_name(ts, k));
                jstr(b, "outcome", veil_token_outcome_name((veil_token_outcome_t)o));
                jcount(b, n);
            }
        }
    }
    veil_jbuf_raw(b, "]", 1);
    veil_jbuf_key(b, "fpe_refused");
    veil_jbuf_raw(b, "[", 1);
    for (size_t t = 0; t < T; t++) {
        for (int r = 0; r < REFS; r++) {
            uint64_t n = ts->fpe_refused[t * REFS + (size_t)r];

            if (n == 0) {
                continue;
            }
            jsep(b);
            veil_jbuf_raw(b, "{", 1);
            jstr(b, "type", veil_token_stat_type_name((unsigned)t));
            jstr(b, "reason", veil_fpe_refusal_name((veil_fpe_refusal_t)r));
            jcount(b, n);
        }
    }
    veil_jbuf_raw(b, "]", 1);
    veil_jbuf_key(b, "kept");
    veil_jbuf_u64(b, ts->kept);
    veil_jbuf_raw(b, "}", 1);

    veil_jbuf_key(b, "placeholders");
    veil_jbuf_raw(b, "[", 1);
    for (size_t r = 0; r < sn->nroutes && r < ts->nroutes; r++) {
        const uint64_t *p = ts->placeholders + r * PH;

        if (p[0] == 0 && p[1] == 0 && p[2] == 0) {
            continue;
        }
        jsep(b);
        veil_jbuf_raw(b, "{", 1);
        jstr(b, "route", sn->routes[r]);
        veil_jbuf_key(b, "issued");
        veil_jbuf_u64(b, p[0]);
        veil_jbuf_key(b, "restored");
        veil_jbuf_u64(b, p[1]);
        veil_jbuf_key(b, "not_restored");
        veil_jbuf_u64(b, p[2]);
        veil_jbuf_raw(b, "}", 1);
    }
    veil_jbuf_raw(b, "]", 1);

    veil_jbuf_key(b, "detokenize_requests");
    veil_jbuf_raw(b, "[", 1);
    for (size_t c = 0; c < ts->ncallers; c++) {
        for (size_t s = 0; s < ts->nstatus; s++) {
            uint64_t n = ts->api[c * ts->nstatus + s];

            if (n == 0 || ts->callers[c] == NULL) {
                continue;
            }
            jsep(b);
            veil_jbuf_raw(b, "{", 1);
            jstr(b, "caller", ts->callers[c]);
            jstr(b, "status", veil_stats_api_status_name(s));
            jcount(b, n);
        }
    }
    veil_jbuf_raw(b, "]", 1);
}


/* Prometheus: a label value with backslash, quote and line feed escaped. */
static void plabel(veil_jbuf_t *b, const char *name, const char *v, int first)
{
    if (!first) {
        veil_jbuf_raw(b, ",", 1);
    }
    veil_jbuf_cstr(b, name);
    veil_jbuf_raw(b, "=\"", 2);
    for (const char *p = v; *p; p++) {
        if (*p == '\\' || *p == '"') {
            veil_jbuf_raw(b, "\\", 1);
            veil_jbuf_raw(b, p, 1);
        } else if (*p == '\n') {
            veil_jbuf_raw(b, "\\n", 2);
        } else {
            veil_jbuf_raw(b, p, 1);
        }
    }
    veil_jbuf_raw(b, "\"", 1);
}


static void phead(veil_jbuf_t *b, const char *name, const char *help)
{
    rawf(b, "# HELP %s %s\n# TYPE %s counter\n", name, help, name);
}


static void pval(veil_jbuf_t *b, uint64_t v)
{
    rawf(b, "} %llu\n", (unsigned long long)v);
}


void veil__stats_tokens_prometheus(const veil_stats_snapshot_t *sn, veil_jbuf_t *b)
{
    const veil_stats_tokens_snapshot_t *ts = sn->tokens;

    if (ts == NULL) {
        return;
    }
    phead(b, "veil_tokens_issued_total",
          "Reversible tokens written in transit, by type, key and kind (tagged or fpe).");
    for (size_t t = 0; t < T; t++) {
        for (size_t k = 0; k < ts->nkeys; k++) {
            for (int i = 0; i < KINDS; i++) {
                uint64_t n = ts->issued[(t * ts->nkeys + k) * KINDS + (size_t)i];

                if (n == 0 || key_name(ts, k) == NULL) {
                    continue;
                }
                veil_jbuf_cstr(b, "veil_tokens_issued_total{");
                plabel(b, "type", veil_token_stat_type_name((unsigned)t), 1);
                plabel(b, "key", key_name(ts, k), 0);
                plabel(b, "kind", kind_name(i), 0);
                pval(b, n);
            }
        }
    }
    phead(b, "veil_detokenizations_total",
          "Tokens met where they are turned back (detokenize routes, POST /detokenize), "
          "by type, key and outcome.");
    for (size_t t = 0; t < T; t++) {
        for (size_t k = 0; k < ts->nkeys; k++) {
            for (int o = 0; o < OUTS; o++) {
                uint64_t n = ts->reversed[(t * ts->nkeys + k) * OUTS + (size_t)o];

                if (n == 0 || key_name(ts, k) == NULL) {
                    continue;
                }
                veil_jbuf_cstr(b, "veil_detokenizations_total{");
                plabel(b, "type", veil_token_stat_type_name((unsigned)t), 1);
                plabel(b, "key", key_name(ts, k), 0);
                plabel(b, "outcome", veil_token_outcome_name((veil_token_outcome_t)o), 0);
                pval(b, n);
            }
        }
    }
    phead(b, "veil_fpe_refused_total",
          "Values a format-preserving token could not take (a tagged token went instead), "
          "by type and reason.");
    for (size_t t = 0; t < T; t++) {
        for (int r = 0; r < REFS; r++) {
            uint64_t n = ts->fpe_refused[t * REFS + (size_t)r];

            if (n == 0) {
                continue;
            }
            veil_jbuf_cstr(b, "veil_fpe_refused_total{");
            plabel(b, "type", veil_token_stat_type_name((unsigned)t), 1);
            plabel(b, "reason", veil_fpe_refusal_name((veil_fpe_refusal_t)r), 0);
            pval(b, n);
        }
    }
    phead(b, "veil_tokens_kept_total",
          "Tokens met while tokenizing and left as they were (already tokens of the ring).");
    rawf(b, "veil_tokens_kept_total %llu\n", (unsigned long long)ts->kept);

    static const char *const ph_names[PH] = {"veil_placeholders_issued_total",
                                             "veil_placeholders_restored_total",
                                             "veil_placeholders_not_restored_total"};
    static const char *const ph_help[PH] = {
        "Placeholders sent instead of values (distinct values per exchange), by route.",
        "Placeholders of a response turned back into their values, by route.",
        "Placeholder-shaped strings of a response left as they were (never issued in "
        "that exchange), by route."};
    for (size_t k = 0; k < PH; k++) {
        phead(b, ph_names[k], ph_help[k]);
        for (size_t r = 0; r < sn->nroutes && r < ts->nroutes; r++) {
            uint64_t n = ts->placeholders[r * PH + k];

            if (n == 0) {
                continue;
            }
            veil_jbuf_cstr(b, ph_names[k]);
            veil_jbuf_raw(b, "{", 1);
            plabel(b, "route", sn->routes[r], 1);
            pval(b, n);
        }
    }
    phead(b, "veil_detokenize_requests_total",
          "Requests to POST /detokenize, by caller and status.");
    for (size_t c = 0; c < ts->ncallers; c++) {
        for (size_t s = 0; s < ts->nstatus; s++) {
            uint64_t n = ts->api[c * ts->nstatus + s];

            if (n == 0 || ts->callers[c] == NULL) {
                continue;
            }
            veil_jbuf_cstr(b, "veil_detokenize_requests_total{");
            plabel(b, "caller", ts->callers[c], 1);
            plabel(b, "status", veil_stats_api_status_name(s), 0);
            pval(b, n);
        }
    }
}
