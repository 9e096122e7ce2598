/*
 * Hyperscan baseline: all core patterns in one block-mode database with
 * HS_FLAG_SOM_LEFTMOST (veil reports where a value starts, so the fair
 * comparison needs start offsets too), byte mode (no HS_FLAG_UTF8).
 */
#include "baselines.h"

#include <hs/hs.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hsb {
    hs_database_t *db;
    hs_scratch_t *scratch;
    size_t id_count;
    unsigned long long *last_from; /* per id: start of the last match */
};

typedef struct hs_ctx {
    uint64_t raw;
    uint64_t *per_id;
    unsigned long long *last_from;
} hs_ctx_t;

/*
 * A leading (?i) becomes HS_FLAG_CASELESS: some Hyperscan versions reject
 * inline flags, and the flag means the same for the whole pattern.
 */
static const char *hs_form(const char *pattern, int som, unsigned *flags)
{
    *flags = som ? HS_FLAG_SOM_LEFTMOST : 0;
    if (strncmp(pattern, "(?i)", 4) == 0) {
        *flags |= HS_FLAG_CASELESS;
        return pattern + 4;
    }
    return pattern;
}

int hsb_check(const char *pattern, char *why, size_t whylen, int *no_som)
{
    unsigned flags;
    const char *expr = hs_form(pattern, 1, &flags);
    hs_database_t *db = NULL;
    hs_compile_error_t *ce = NULL;
    *no_som = 0;
    if (hs_compile(expr, flags, HS_MODE_BLOCK, NULL, &db, &ce) == HS_SUCCESS) {
        hs_free_database(db);
        return 0;
    }
    snprintf(why, whylen, "%s", ce ? ce->message : "unknown error");
    hs_free_compile_error(ce);
    ce = NULL;
    if (hs_compile(expr, flags & ~(unsigned)HS_FLAG_SOM_LEFTMOST, HS_MODE_BLOCK, NULL, &db, &ce) ==
        HS_SUCCESS) {
        *no_som = 1;
        hs_free_database(db);
    }
    hs_free_compile_error(ce);
    return -1;
}

hsb_t *hsb_new(const char *const *patterns, const unsigned *ids, size_t n, size_t id_count, int som,
               char *err, size_t errlen)
{
    hsb_t *h = calloc(1, sizeof(*h));
    const char **exprs = calloc(n ? n : 1, sizeof(*exprs));
    unsigned *flags = calloc(n ? n : 1, sizeof(*flags));
    hs_compile_error_t *ce = NULL;
    if (!h || !exprs || !flags) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < n; i++)
        exprs[i] = hs_form(patterns[i], som, &flags[i]);
    if (hs_compile_multi(exprs, flags, ids, (unsigned)n, HS_MODE_BLOCK, NULL, &h->db, &ce) !=
        HS_SUCCESS) {
        snprintf(err, errlen, "hs_compile_multi: %s (expression %d)", ce ? ce->message : "?",
                 ce ? ce->expression : -1);
        hs_free_compile_error(ce);
        goto fail;
    }
    if (hs_alloc_scratch(h->db, &h->scratch) != HS_SUCCESS) {
        snprintf(err, errlen, "hs_alloc_scratch failed");
        goto fail;
    }
    h->id_count = id_count;
    h->last_from = calloc(id_count ? id_count : 1, sizeof(*h->last_from));
    if (!h->last_from) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    free(exprs);
    free(flags);
    return h;
fail:
    free(exprs);
    free(flags);
    hsb_free(h);
    return NULL;
}

/* Kept as small as a counting callback can be: it runs per match. */
static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned fl,
                    void *ud)
{
    (void)to;
    (void)fl;
    hs_ctx_t *c = ud;
    c->raw++;
    if (c->last_from[id] != from) {
        c->last_from[id] = from;
        c->per_id[id]++;
    }
    return 0;
}

double hsb_run(hsb_t *h, const char *data, size_t len, uint64_t *raw, uint64_t *per_id)
{
    if (len > UINT_MAX)
        return -1;
    for (size_t i = 0; i < h->id_count; i++) {
        h->last_from[i] = ULLONG_MAX;
        per_id[i] = 0;
    }
    hs_ctx_t c = {0, per_id, h->last_from};
    double t0 = bench_now();
    hs_error_t rc = hs_scan(h->db, data, (unsigned)len, 0, h->scratch, on_match, &c);
    double t1 = bench_now();
    *raw = c.raw;
    return rc == HS_SUCCESS ? t1 - t0 : -1;
}

void hsb_free(hsb_t *h)
{
    if (!h)
        return;
    hs_free_scratch(h->scratch);
    hs_free_database(h->db);
    free(h->last_from);
    free(h);
}

const char *hsb_version(void)
{
    return hs_version();
}
