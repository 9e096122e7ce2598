/*
 * The two baselines veil is measured against, on the catalog's own core
 * patterns: Hyperscan (one block-mode database, start of match on) and
 * PCRE2 JIT run pattern by pattern over the whole buffer.
 */
#ifndef VEIL_BENCH_BASELINES_H
#define VEIL_BENCH_BASELINES_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- Hyperscan ---- */

typedef struct hsb hsb_t;

/*
 * hsb_check(): compiles <pattern> alone as the benchmark would. Returns 0,
 * or -1 with the reason in <why>; <no_som> then says whether the pattern
 * compiles without HS_FLAG_SOM_LEFTMOST (a hint for the pattern's author).
 */
int hsb_check(const char *pattern, char *why, size_t whylen, int *no_som);
/*
 * hsb_new(): one database of the <n> patterns, pattern i reported as
 * ids[i]; ids are below <id_count>. <som>: with HS_FLAG_SOM_LEFTMOST (the
 * benchmark's baseline); without, matches report end offsets only (an
 * informational run). NULL on failure, reason in <err>.
 */
hsb_t *hsb_new(const char *const *patterns, const unsigned *ids, size_t n, size_t id_count, int som,
               char *err, size_t errlen);
/*
 * hsb_run(): one hs_scan over <data>; returns the seconds it took, or -1.
 * <raw> counts every match callback; per_id[id] counts distinct start
 * offsets (Hyperscan reports each end offset of a match separately;
 * without SOM every start is 0, so per_id is meaningless there).
 */
double hsb_run(hsb_t *h, const char *data, size_t len, uint64_t *raw, uint64_t *per_id);
void hsb_free(hsb_t *h);
const char *hsb_version(void);

/* ---- PCRE2 JIT, pattern by pattern ---- */

typedef struct pcb pcb_t;

/* pcb_check(): compiles and JIT-compiles <pattern>. 0, or -1 and <why>. */
int pcb_check(const char *pattern, char *why, size_t whylen);
pcb_t *pcb_new(const char *const *patterns, size_t n, char *err, size_t errlen);
/*
 * pcb_run(): every pattern in turn over the whole of <data>, each match
 * skipped past. Returns the total seconds. per_pattern[i] gets pattern i's
 * match count, sec[i] its seconds, status[i] 0 or the PCRE2 error that
 * ended its pass early (a match limit).
 */
double pcb_run(pcb_t *p, const char *data, size_t len, uint64_t *per_pattern, double *sec,
               int *status);
/* pcb_strerror(): PCRE2's text for <status> (a static buffer). */
const char *pcb_strerror(int status);
void pcb_free(pcb_t *p);
const char *pcb_version(void);

#endif
