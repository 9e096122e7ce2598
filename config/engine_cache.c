/*
 * Compiled engines shared across configurations. Compiling an engine is
 * most of the cost of loading a config (PCRE2's JIT over every pattern:
 * 88% of the instructions of a load); a reload that leaves the detectors
 * as they were, or a policy whose detectors another config already had,
 * takes the engine compiled before. Engines are immutable, so sharing
 * them across configs is as safe as sharing them across workers.
 *
 * An engine is found by everything it was built from (the options,
 * serialised). Each config holds a reference per distinct engine; an
 * engine no config holds stays for the next load, up to IDLE_MAX of them,
 * the least recently released leaving first.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

#define IDLE_MAX 8

typedef struct cached {
    struct cached *next;
    unsigned char *key;
    size_t keylen;
    veil_engine_t *engine;
    unsigned refs;
    uint64_t released; /* when refs last fell to 0 (a counter) */
} cached_t;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static cached_t *entries;
static uint64_t clock_;

typedef struct keybuf {
    unsigned char *p;
    size_t len, cap;
    int bad;
} keybuf_t;

static void put(keybuf_t *k, const void *data, size_t n)
{
    if (k->bad) {
        return;
    }
    if (k->len + n > k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 256;
        while (cap < k->len + n) {
            cap *= 2;
        }
        unsigned char *p = realloc(k->p, cap);
        if (p == NULL) {
            k->bad = 1;
            return;
        }
        k->p = p;
        k->cap = cap;
    }
    memcpy(k->p + k->len, data, n);
    k->len += n;
}

static void put_u64(keybuf_t *k, uint64_t v)
{
    put(k, &v, sizeof(v));
}

/* A string with its length, NULL told apart from "". */
static void put_str(keybuf_t *k, const char *s)
{
    put_u64(k, s ? strlen(s) + 1 : 0);
    if (s) {
        put(k, s, strlen(s));
    }
}

/* Everything veil_engine_new() reads from <o>, as bytes. */
static int make_key(const veil_engine_options_t *o, size_t nbuiltin, keybuf_t *k)
{
    memset(k, 0, sizeof(*k));
    put_u64(k, o->enabled != NULL);
    if (o->enabled) {
        put(k, o->enabled, nbuiltin);
    }
    put_u64(k, (uint64_t)o->min_confidence);
    put_u64(k, o->allow_values_count);
    for (size_t i = 0; i < o->allow_values_count; i++) {
        put_str(k, o->allow_values[i]);
    }
    put_u64(k, o->allow_patterns_count);
    for (size_t i = 0; i < o->allow_patterns_count; i++) {
        put_str(k, o->allow_patterns[i]);
    }
    put_u64(k, o->custom_count);
    for (size_t i = 0; i < o->custom_count; i++) {
        const veil_custom_detector_t *d = &o->custom[i];
        put_str(k, d->id);
        put_u64(k, (uint64_t)d->category);
        put_u64(k, d->regulations);
        put_str(k, d->pattern);
        put_str(k, d->validator);
        put_str(k, d->context);
        put_u64(k, (uint64_t)d->context_required);
        put_u64(k, (uint64_t)d->confidence);
    }
    if (k->bad) {
        free(k->p);
        return -1;
    }
    return 0;
}

/* Drops idle engines beyond IDLE_MAX, the longest idle first. Called
   with the lock held. */
static void trim_idle(void)
{
    for (;;) {
        size_t idle = 0;
        cached_t **oldest = NULL;
        for (cached_t **pp = &entries; *pp; pp = &(*pp)->next) {
            if ((*pp)->refs == 0) {
                idle++;
                if (oldest == NULL || (*pp)->released < (*oldest)->released) {
                    oldest = pp;
                }
            }
        }
        if (idle <= IDLE_MAX) {
            return;
        }
        cached_t *e = *oldest;
        *oldest = e->next;
        veil_engine_free(e->engine);
        free(e->key);
        free(e);
    }
}

veil_engine_t *veil__engine_get(const veil_engine_options_t *o, char *err, size_t errlen)
{
    keybuf_t k;
    veil_engine_t *e;

    if (make_key(o, veil_catalog_count(), &k) != 0) {
        return veil_engine_new(o, err, errlen); /* uncached, still correct */
    }
    pthread_mutex_lock(&lock);
    for (cached_t *c = entries; c; c = c->next) {
        if (c->keylen == k.len && memcmp(c->key, k.p, k.len) == 0) {
            c->refs++;
            pthread_mutex_unlock(&lock);
            free(k.p);
            return c->engine;
        }
    }
    pthread_mutex_unlock(&lock);
    /* Compiled outside the lock (a reload on the thread pool must not
       wait for another): two loads may compile the same engine at once;
       both are kept, and the first found serves later loads. */
    e = veil_engine_new(o, err, errlen);
    if (e == NULL) {
        free(k.p);
        return NULL;
    }
    cached_t *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        free(k.p);
        veil_engine_free(e);
        if (errlen) {
            snprintf(err, errlen, "no memory");
        }
        return NULL;
    }
    c->key = k.p;
    c->keylen = k.len;
    c->engine = e;
    c->refs = 1;
    pthread_mutex_lock(&lock);
    c->next = entries;
    entries = c;
    pthread_mutex_unlock(&lock);
    return e;
}

void veil__engine_put(veil_engine_t *e)
{
    if (e == NULL) {
        return;
    }
    pthread_mutex_lock(&lock);
    for (cached_t *c = entries; c; c = c->next) {
        if (c->engine == e) {
            if (--c->refs == 0) {
                c->released = ++clock_;
                trim_idle();
            }
            pthread_mutex_unlock(&lock);
            return;
        }
    }
    pthread_mutex_unlock(&lock);
    veil_engine_free(e); /* never cached */
}
