/*
 * bench_scan: veil's detection engine against Hyperscan and PCRE2 JIT on
 * the same buffer, the same core patterns and the same pinned core.
 *
 * Usage: bench_scan [--mb N] [--corpus FILE] [--cpu N] [--runs N]
 *                   [--chunk KIB] [--seed N] [--pii-every BYTES]
 *                   [--only veil,hs,pcre2] [--format text|json|form]
 *                   [--records json,access,app,api,dense] [--dump FILE]
 *                   [--pathological KIND] [--redact]
 *
 * Prints MB/s (1 MB = 10^6 bytes) for each engine, best of --runs after a
 * warm-up run, the ratios against the targets, and a last line
 * starting with "RESULT " for scripts. Timing never changes the exit code;
 * it is 1 only when something could not be set up, or when veil's findings
 * differ between chunked and one-feed scanning (a streaming bug).
 */
#include "baselines.h"
#include "corpus.h"

#include <veil/scan.h>
#include <veil/transform.h>

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TARGET_RATIO_HS 3.0
#define TARGET_RATIO_PCRE2 10.0
#define TARGET_MBPS 500.0

enum {
    RUN_VEIL = 1,
    RUN_HS = 2,
    RUN_PCRE2 = 4
};

typedef struct options {
    double mb;
    const char *corpus_path;
    const char *dump_path;
    int cpu;
    int runs;
    size_t chunk;
    uint64_t seed;
    size_t pii_every;
    unsigned only;
    veil_format_t format;
    unsigned records;
    int runs_given;           /* --runs was given: every engine gets them all */
    const char *pathological; /* --pathological KIND, or NULL */
    int redact;               /* --redact: veil redacts (label), not only scans */
    const char *disable;      /* --disable IDS: detectors turned off, or NULL */
} options_t;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: bench_scan [options]\n"
            "  --mb N            corpus size in MiB (default 32)\n"
            "  --corpus FILE     scan FILE instead of the generated corpus\n"
            "  --dump FILE       write the generated corpus to FILE\n"
            "  --cpu N           pin to CPU N (default 0; -1: do not pin)\n"
            "  --runs N          timed runs per engine, best is kept "
            "(default 5, 3 for an engine slower than 2 s a run)\n"
            "  --chunk KIB       veil feed size in KiB (default 64)\n"
            "  --seed N          corpus PRNG seed (default 1)\n"
            "  --pii-every B     mean bytes between planted PII values "
            "(default 3072)\n"
            "  --only LIST       engines to run: veil,hs,pcre2 (default all)\n"
            "  --format F        veil's input format: text, json or form "
            "(default text)\n"
            "  --records LIST    corpus records: json,access,app (default "
            "all of these three), api (JSON API pages, mostly words), dense "
            "(PII-dense profiles and log lines)\n"
            "  --pathological K  a pathological input instead: %s\n"
            "  --redact          veil redacts (label action, output "
            "discarded) instead of only scanning\n"
            "  --disable IDS     veil with these detector ids turned off "
            "(comma-separated, as veil scan takes them): a detector's "
            "share of the time, in one process\n",
            corpus_pathological_kinds);
}

static int parse_only(const char *s, unsigned *out)
{
    unsigned m = 0;
    char tmp[64];
    snprintf(tmp, sizeof(tmp), "%s", s);
    for (char *save = NULL, *t = strtok_r(tmp, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (strcmp(t, "veil") == 0)
            m |= RUN_VEIL;
        else if (strcmp(t, "hs") == 0 || strcmp(t, "hyperscan") == 0)
            m |= RUN_HS;
        else if (strcmp(t, "pcre2") == 0)
            m |= RUN_PCRE2;
        else
            return -1;
    }
    *out = m;
    return m ? 0 : -1;
}

static int parse_records(const char *s, unsigned *out)
{
    unsigned m = 0;
    char tmp[64];
    snprintf(tmp, sizeof(tmp), "%s", s);
    for (char *save = NULL, *t = strtok_r(tmp, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (strcmp(t, "json") == 0)
            m |= CORPUS_JSON;
        else if (strcmp(t, "access") == 0)
            m |= CORPUS_ACCESS;
        else if (strcmp(t, "app") == 0)
            m |= CORPUS_APP;
        else if (strcmp(t, "api") == 0)
            m |= CORPUS_API;
        else if (strcmp(t, "dense") == 0)
            m |= CORPUS_DENSE;
        else
            return -1;
    }
    *out = m;
    return m ? 0 : -1;
}

static int parse_args(int argc, char **argv, options_t *o)
{
    *o = (options_t){.mb = 32,
                     .cpu = 0,
                     .runs = 5,
                     .chunk = 64 * 1024,
                     .seed = 1,
                     .pii_every = 3072,
                     .only = RUN_VEIL | RUN_HS | RUN_PCRE2,
                     .format = VEIL_FMT_TEXT};
    const char *a = "";
    for (int i = 1; i < argc; i++) {
        a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            exit(0);
        }
        if (strcmp(a, "--redact") == 0) {
            o->redact = 1;
            continue;
        }
        if (!v)
            goto bad;
        char *end = NULL;
        if (strcmp(a, "--mb") == 0) {
            o->mb = strtod(v, &end);
            if (*end || o->mb <= 0 || o->mb > 2048)
                goto bad;
        } else if (strcmp(a, "--corpus") == 0) {
            o->corpus_path = v;
        } else if (strcmp(a, "--dump") == 0) {
            o->dump_path = v;
        } else if (strcmp(a, "--cpu") == 0) {
            o->cpu = (int)strtol(v, &end, 10);
            if (*end || o->cpu < -1)
                goto bad;
        } else if (strcmp(a, "--runs") == 0) {
            o->runs = (int)strtol(v, &end, 10);
            if (*end || o->runs < 1 || o->runs > 100)
                goto bad;
            o->runs_given = 1;
        } else if (strcmp(a, "--chunk") == 0) {
            long k = strtol(v, &end, 10);
            if (*end || k < 1 || k > 1024 * 1024)
                goto bad;
            o->chunk = (size_t)k * 1024;
        } else if (strcmp(a, "--seed") == 0) {
            o->seed = strtoull(v, &end, 0);
            if (*end)
                goto bad;
        } else if (strcmp(a, "--pii-every") == 0) {
            long n = strtol(v, &end, 10);
            if (*end || n < 64)
                goto bad;
            o->pii_every = (size_t)n;
        } else if (strcmp(a, "--format") == 0) {
            if (strcmp(v, "text") == 0)
                o->format = VEIL_FMT_TEXT;
            else if (strcmp(v, "json") == 0)
                o->format = VEIL_FMT_JSON;
            else if (strcmp(v, "form") == 0)
                o->format = VEIL_FMT_FORM;
            else
                goto bad;
        } else if (strcmp(a, "--records") == 0) {
            if (parse_records(v, &o->records))
                goto bad;
        } else if (strcmp(a, "--pathological") == 0) {
            o->pathological = v;
        } else if (strcmp(a, "--only") == 0) {
            if (parse_only(v, &o->only))
                goto bad;
        } else if (strcmp(a, "--disable") == 0) {
            o->disable = v;
        } else {
            goto bad;
        }
        i++;
    }
    return 0;
bad:
    fprintf(stderr, "bench_scan: bad or incomplete option '%s'\n", a);
    usage(stderr);
    return -1;
}

static void pin_cpu(int cpu)
{
    if (cpu < 0) {
        printf("cpu:      not pinned\n");
        return;
    }
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof(set), &set) != 0)
        printf("cpu:      could not pin to CPU %d (%s)\n", cpu, strerror(errno));
    else
        printf("cpu:      pinned to CPU %d\n", cpu);
}

static void print_cpu_model(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[256];
    if (!f)
        return;
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "model name", 10) == 0) {
            char *p = strchr(line, ':');
            if (p) {
                p += 1 + (p[1] == ' ');
                p[strcspn(p, "\n")] = '\0';
                printf("model:    %s\n", p);
            }
            break;
        }
    }
    fclose(f);
}

/* ---- timing bookkeeping ---- */

typedef struct timing {
    double best, worst;
    int runs;
} timing_t;

static void timing_add(timing_t *t, double sec)
{
    if (t->runs == 0 || sec < t->best)
        t->best = sec;
    if (t->runs == 0 || sec > t->worst)
        t->worst = sec;
    t->runs++;
}

static double mbps(size_t bytes, double sec)
{
    return sec > 0 ? (double)bytes / 1e6 / sec : 0;
}

/* Without --runs, a warm-up slower than this gets at most 3 timed runs. */
#define SLOW_RUN_SEC 2.0

static int runs_for(const options_t *o, double warmup_sec)
{
    if (o->runs_given)
        return o->runs;
    return warmup_sec > SLOW_RUN_SEC && o->runs > 3 ? 3 : o->runs;
}

/* ---- veil ---- */

typedef struct veil_count {
    uint64_t n;
    uint64_t hash; /* FNV-1a over every finding, to compare runs */
    uint64_t last_offset;
    int disorder;      /* a finding came before the previous one */
    uint64_t *per_det; /* [det_count + 1]: the last slot is "unknown" */
    size_t det_count;
} veil_count_t;

/* The findings' hash, a word at a time: the byte-wise FNV-1a it replaces
   took sixteen dependent multiplications a finding, 4% of the
   instructions and about 3% of the time on PII-dense bodies, which is
   the harness's cost, not the engine's. */
static void fnv(uint64_t *h, uint64_t v)
{
    *h = (*h ^ v) * 0x9e3779b97f4a7c15ull;
    *h ^= *h >> 29;
}

static void on_finding(void *ud, const veil_finding_t *f)
{
    veil_count_t *c = ud;
    if (c->n && f->offset < c->last_offset)
        c->disorder = 1;
    c->last_offset = f->offset;
    c->n++;
    c->per_det[f->detector < c->det_count ? f->detector : c->det_count]++;
    fnv(&c->hash, f->offset);
    fnv(&c->hash, (uint64_t)f->length << 32 | (uint64_t)f->detector << 16 |
                      (uint64_t)f->confidence << 8 | f->flags);
}

static void veil_count_reset(veil_count_t *c)
{
    c->n = 0;
    c->hash = 0xcbf29ce484222325ull;
    c->last_offset = 0;
    c->disorder = 0;
    memset(c->per_det, 0, (c->det_count + 1) * sizeof(*c->per_det));
}

static int discard(void *ud, const char *data, size_t len)
{
    (void)ud;
    (void)data;
    (void)len;
    return 0;
}

/* The same through a redactor (label action, output discarded): the
   proxy's mode redact. */
static double veil_run_redact(const veil_engine_t *engine, veil_format_t format, const corpus_t *c,
                              size_t chunk, veil_count_t *cnt)
{
    veil_count_reset(cnt);
    double t0 = bench_now();
    veil_redactor_options_t o;
    memset(&o, 0, sizeof(o));
    o.format = format;
    o.action = VEIL_ACT_LABEL;
    o.write = discard;
    o.on_finding = on_finding;
    o.finding_ud = cnt;
    veil_redactor_t *r = veil_redactor_new(engine, &o);
    if (!r)
        return -1;
    int rc = 0;
    for (size_t off = 0; off < c->len && rc == 0; off += chunk) {
        size_t n = c->len - off < chunk ? c->len - off : chunk;
        rc = veil_redactor_feed(r, c->data + off, n);
    }
    if (rc == 0)
        rc = veil_redactor_finish(r);
    double t1 = bench_now();
    veil_redactor_free(r);
    return rc == 0 ? t1 - t0 : -1;
}

static int redact_mode;

/* veil_run(): one scanner over the whole corpus, fed <chunk> bytes at a
   time. Returns seconds, or -1 if the engine failed. */
static double veil_run(const veil_engine_t *engine, veil_format_t format, const corpus_t *c,
                       size_t chunk, veil_count_t *cnt)
{
    if (redact_mode)
        return veil_run_redact(engine, format, c, chunk, cnt);
    veil_count_reset(cnt);
    double t0 = bench_now();
    veil_scanner_t *s = veil_scanner_new(engine, format, on_finding, cnt);
    if (!s)
        return -1;
    int rc = 0;
    for (size_t off = 0; off < c->len && rc == 0; off += chunk) {
        size_t n = c->len - off < chunk ? c->len - off : chunk;
        rc = veil_scanner_feed(s, c->data + off, n);
    }
    if (rc == 0)
        rc = veil_scanner_finish(s);
    double t1 = bench_now();
    veil_scanner_free(s);
    return rc == 0 ? t1 - t0 : -1;
}

/* ---- the shared pattern set ---- */

typedef struct patset {
    size_t n; /* patterns used by both baselines */
    const char **pattern;
    unsigned *det; /* catalog index of each */
    size_t excluded;
} patset_t;

static int build_patset(patset_t *ps, size_t det_count, unsigned only)
{
    ps->pattern = calloc(det_count ? det_count : 1, sizeof(*ps->pattern));
    ps->det = calloc(det_count ? det_count : 1, sizeof(*ps->det));
    if (!ps->pattern || !ps->det)
        return -1;
    for (size_t i = 0; i < det_count; i++) {
        const veil_detector_info_t *d = veil_catalog_get(i);
        if (!d || !d->pattern || !*d->pattern)
            continue;
        char why[256];
        int no_som = 0;
        if ((only & RUN_HS) && hsb_check(d->pattern, why, sizeof(why), &no_som)) {
            printf("EXCLUDED  %-20s Hyperscan rejects it: %s%s\n", d->id, why,
                   no_som ? " (it compiles without SOM_LEFTMOST)" : "");
            ps->excluded++;
            continue;
        }
        if ((only & RUN_PCRE2) && pcb_check(d->pattern, why, sizeof(why))) {
            printf("EXCLUDED  %-20s PCRE2 rejects it: %s\n", d->id, why);
            ps->excluded++;
            continue;
        }
        ps->pattern[ps->n] = d->pattern;
        ps->det[ps->n] = (unsigned)i;
        ps->n++;
    }
    return 0;
}

/* ---- the whole benchmark's state ---- */

typedef struct bench {
    options_t o;
    corpus_t c;
    size_t det_count;
    patset_t ps;

    veil_engine_t *engine;
    veil_count_t vcnt;     /* the warm-up's findings (every run is equal) */
    veil_count_t vscratch; /* the timed runs' */
    timing_t v_chunked, v_whole;
    uint64_t whole_n, whole_hash;
    int v_runs, v_failed, whole_differs;

    hsb_t *hs, *hs_nosom;
    timing_t h, h_nosom;
    uint64_t hs_raw, hs_raw_nosom, hs_starts;
    uint64_t *hs_per, *hs_tmp; /* [det_count + 1] */
    int h_runs, h_nosom_runs;

    pcb_t *pc;
    timing_t p;
    uint64_t *pc_per, pc_total;
    double *pc_sec, *pc_best;
    int *pc_status;
    int p_runs;
} bench_t;

/* The detectors of --disable off in <enabled> (all on otherwise). */
static int disable_detectors(const char *ids, uint8_t enabled[VEIL_CATALOG_MAX])
{
    char tmp[1024];
    memset(enabled, 1, VEIL_CATALOG_MAX);
    snprintf(tmp, sizeof(tmp), "%s", ids);
    for (char *save = NULL, *t = strtok_r(tmp, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int d = veil_catalog_find(t);
        if (d < 0) {
            printf("veil:     unknown detector '%s'\n", t);
            return -1;
        }
        enabled[d] = 0;
    }
    return 0;
}

static int setup_veil(bench_t *b)
{
    char err[256] = "";
    uint8_t enabled[VEIL_CATALOG_MAX];
    veil_engine_options_t eo = {0};
    if (b->o.disable != NULL) {
        if (disable_detectors(b->o.disable, enabled) != 0)
            return -1;
        eo.enabled = enabled;
        printf("veil:     detectors off: %s\n", b->o.disable);
    }
    b->engine = veil_engine_new(b->o.disable != NULL ? &eo : NULL, err, sizeof(err));
    if (!b->engine) {
        printf("veil:     veil_engine_new failed: %s\n", err);
        return -1;
    }
    b->vcnt.det_count = b->vscratch.det_count = b->det_count;
    b->vcnt.per_det = calloc(b->det_count + 1, sizeof(uint64_t));
    b->vscratch.per_det = calloc(b->det_count + 1, sizeof(uint64_t));
    if (!b->vcnt.per_det || !b->vscratch.per_det)
        return -1;
    double warm = veil_run(b->engine, b->o.format, &b->c, b->o.chunk, &b->vcnt);
    if (warm < 0) {
        printf("veil:     scanning failed\n");
        return -1;
    }
    b->v_runs = runs_for(&b->o, warm);
    return 0;
}

static int setup_hs(bench_t *b)
{
    char err[256];
    b->hs_per = calloc(b->det_count + 1, sizeof(uint64_t));
    b->hs_tmp = calloc(b->det_count + 1, sizeof(uint64_t));
    if (!b->hs_per || !b->hs_tmp)
        return -1;
    b->hs = hsb_new(b->ps.pattern, b->ps.det, b->ps.n, b->det_count, 1, err, sizeof(err));
    if (!b->hs) {
        printf("hyperscan: %s\n", err);
        return -1;
    }
    double warm = hsb_run(b->hs, b->c.data, b->c.len, &b->hs_raw, b->hs_per);
    if (warm < 0) {
        printf("hyperscan: hs_scan failed\n");
        return -1;
    }
    b->h_runs = runs_for(&b->o, warm);
    for (size_t i = 0; i < b->det_count; i++)
        b->hs_starts += b->hs_per[i];
    /* Informational: the same database without start of match. */
    b->hs_nosom = hsb_new(b->ps.pattern, b->ps.det, b->ps.n, b->det_count, 0, err, sizeof(err));
    if (b->hs_nosom) {
        warm = hsb_run(b->hs_nosom, b->c.data, b->c.len, &b->hs_raw_nosom, b->hs_tmp);
        b->h_nosom_runs = warm < 0 ? 0 : runs_for(&b->o, warm);
    }
    return 0;
}

static int setup_pcre2(bench_t *b)
{
    char err[256];
    size_t n = b->ps.n;
    b->pc_per = calloc(n, sizeof(uint64_t));
    b->pc_sec = calloc(n, sizeof(double));
    b->pc_best = calloc(n, sizeof(double));
    b->pc_status = calloc(n, sizeof(int));
    if (!b->pc_per || !b->pc_sec || !b->pc_best || !b->pc_status)
        return -1;
    b->pc = pcb_new(b->ps.pattern, n, err, sizeof(err));
    if (!b->pc) {
        printf("pcre2: %s\n", err);
        return -1;
    }
    double warm = pcb_run(b->pc, b->c.data, b->c.len, b->pc_per, b->pc_best, b->pc_status);
    b->p_runs = runs_for(&b->o, warm);
    for (size_t k = 0; k < n; k++) {
        b->pc_total += b->pc_per[k];
        if (b->pc_status[k])
            printf("pcre2: %s stopped early: %s\n", veil_catalog_get(b->ps.det[k])->id,
                   pcb_strerror(b->pc_status[k]));
    }
    return 0;
}

/*
 * One round times every engine once. The rounds interleave the engines,
 * so that a burst of load from elsewhere on a shared machine slows all of
 * them alike instead of one engine's block of runs.
 */
static void round_once(bench_t *b, int r)
{
    const corpus_t *c = &b->c;
    if (b->engine && r < b->v_runs) {
        double t = veil_run(b->engine, b->o.format, c, b->o.chunk, &b->vscratch);
        if (t < 0)
            b->v_failed = 1;
        else
            timing_add(&b->v_chunked, t);
        t = veil_run(b->engine, b->o.format, c, c->len ? c->len : 1, &b->vscratch);
        if (t < 0)
            b->v_failed = 1;
        else
            timing_add(&b->v_whole, t);
        if (b->vscratch.n != b->vcnt.n || b->vscratch.hash != b->vcnt.hash || b->vscratch.disorder)
            b->whole_differs = 1;
    }
    if (b->hs && r < b->h_runs) {
        uint64_t raw;
        double t = hsb_run(b->hs, c->data, c->len, &raw, b->hs_tmp);
        if (t >= 0)
            timing_add(&b->h, t);
    }
    if (b->hs_nosom && r < b->h_nosom_runs) {
        uint64_t raw;
        double t = hsb_run(b->hs_nosom, c->data, c->len, &raw, b->hs_tmp);
        if (t >= 0)
            timing_add(&b->h_nosom, t);
    }
    if (b->pc && r < b->p_runs) {
        timing_add(&b->p, pcb_run(b->pc, c->data, c->len, b->pc_per, b->pc_sec, b->pc_status));
        for (size_t k = 0; k < b->ps.n; k++)
            if (b->pc_sec[k] < b->pc_best[k])
                b->pc_best[k] = b->pc_sec[k];
    }
}

static void teardown(bench_t *b)
{
    veil_engine_free(b->engine);
    free(b->vcnt.per_det);
    free(b->vscratch.per_det);
    hsb_free(b->hs);
    hsb_free(b->hs_nosom);
    free(b->hs_per);
    free(b->hs_tmp);
    pcb_free(b->pc);
    free(b->pc_per);
    free(b->pc_sec);
    free(b->pc_best);
    free(b->pc_status);
    free(b->ps.pattern);
    free(b->ps.det);
    corpus_free(&b->c);
}

/* ---- report ---- */

static const char *met(int ok)
{
    return ok ? "met" : "NOT met";
}

static int planted_index(const char *id)
{
    for (int k = 0; k < CORPUS_PII__COUNT; k++)
        if (strcmp(corpus_pii_name(k), id) == 0)
            return k;
    return -1;
}

static void print_row(const char *label, size_t bytes, const timing_t *t, const char *what)
{
    printf("%-34s %9.1f %9.2f %9.2f %5d  %s\n", label, mbps(bytes, t->best), t->best * 1e3,
           t->worst * 1e3, t->runs, what);
}

static void print_detectors(const bench_t *b)
{
    printf("\n%-20s %8s %8s %10s %10s %9s\n", "detector", "planted", "veil", "hs starts", "pcre2",
           "pcre2 ms");
    for (size_t i = 0; i < b->det_count; i++) {
        const veil_detector_info_t *d = veil_catalog_get(i);
        int k = planted_index(d->id);
        long long pk = -1;
        for (size_t j = 0; j < b->ps.n; j++)
            if (b->ps.det[j] == i)
                pk = (long long)j;
        char planted[24] = "-", vv[24] = "-", hv[24] = "-", pv[24] = "-", pm[24] = "-";
        if (k >= 0 && !b->o.corpus_path)
            snprintf(planted, sizeof(planted), "%zu", b->c.pii[k]);
        if (b->v_chunked.runs)
            snprintf(vv, sizeof(vv), "%llu", (unsigned long long)b->vcnt.per_det[i]);
        if (b->h.runs && pk >= 0)
            snprintf(hv, sizeof(hv), "%llu", (unsigned long long)b->hs_per[i]);
        if (b->p.runs && pk >= 0) {
            snprintf(pv, sizeof(pv), "%llu", (unsigned long long)b->pc_per[pk]);
            snprintf(pm, sizeof(pm), "%.1f", b->pc_best[pk] * 1e3);
        }
        printf("%-20s %8s %8s %10s %10s %9s\n", d->id, planted, vv, hv, pv, pm);
    }
    if (b->v_chunked.runs && b->vcnt.per_det[b->det_count])
        printf("%-20s %8s %8llu\n", "(unknown detector)", "-",
               (unsigned long long)b->vcnt.per_det[b->det_count]);
    printf("(veil counts validated findings; Hyperscan and PCRE2 count raw "
           "pattern matches, so they differ by design)\n\n");
}

/* report(): everything after the runs; returns the exit status. */
static int report(const bench_t *b)
{
    int status = 0;
    size_t len = b->c.len;
    double v = b->v_chunked.runs ? mbps(len, b->v_chunked.best) : 0;
    double vw = b->v_whole.runs ? mbps(len, b->v_whole.best) : 0;
    double h = b->h.runs ? mbps(len, b->h.best) : 0;
    double hn = b->h_nosom.runs ? mbps(len, b->h_nosom.best) : 0;
    double p = b->p.runs ? mbps(len, b->p.best) : 0;
    char what[96];

    printf("\n%-34s %9s %9s %9s %5s  %s\n", "engine", "MB/s", "best ms", "worst ms", "runs",
           "matches");
    if (b->v_chunked.runs) {
        char label[64];
        snprintf(label, sizeof(label), "veil (%zu KiB feeds)", b->o.chunk / 1024);
        snprintf(what, sizeof(what), "%llu findings", (unsigned long long)b->vcnt.n);
        print_row(label, len, &b->v_chunked, what);
        print_row("veil (one feed)", len, &b->v_whole, what);
    }
    if (b->h.runs) {
        snprintf(what, sizeof(what), "%llu raw, %llu distinct starts",
                 (unsigned long long)b->hs_raw, (unsigned long long)b->hs_starts);
        print_row("hyperscan (block, SOM leftmost)", len, &b->h, what);
    }
    if (b->h_nosom.runs) {
        snprintf(what, sizeof(what), "%llu raw (end offsets only)",
                 (unsigned long long)b->hs_raw_nosom);
        print_row("hyperscan (no SOM, for info)", len, &b->h_nosom, what);
    }
    if (b->p.runs) {
        snprintf(what, sizeof(what), "%llu matches", (unsigned long long)b->pc_total);
        print_row("pcre2 jit (pattern by pattern)", len, &b->p, what);
    }

    if (b->engine) {
        int bad = b->v_failed || b->whole_differs || b->vcnt.disorder;
        printf("\nstreaming: %s\n", b->v_failed ? "a veil run FAILED"
                                    : b->whole_differs || b->vcnt.disorder
                                        ? "findings DIFFERENT between runs or NOT in offset order"
                                        : "the same findings for every feed size and run, in "
                                          "offset order");
        if (bad)
            status = 1;
    }

    double ratio_hs = h > 0 ? v / h : 0, ratio_pc = p > 0 ? v / p : 0;
    printf("\ntargets (issue 2):\n");
    if (v > 0 && h > 0)
        printf("  veil / hyperscan  %6.2fx   target >= %.0fx   %s\n", ratio_hs, TARGET_RATIO_HS,
               met(ratio_hs >= TARGET_RATIO_HS));
    if (v > 0 && p > 0)
        printf("  veil / pcre2      %6.2fx   target >= %.0fx  %s\n", ratio_pc, TARGET_RATIO_PCRE2,
               met(ratio_pc >= TARGET_RATIO_PCRE2));
    if (v > 0)
        printf("  veil throughput   %6.0f MB/s target >= %.0f %s\n", v, TARGET_MBPS,
               met(v >= TARGET_MBPS));

    print_detectors(b);

    printf("RESULT veil_mbps=%.1f veil_whole_mbps=%.1f hs_mbps=%.1f "
           "hs_nosom_mbps=%.1f pcre2_mbps=%.1f ratio_hs=%.2f ratio_pcre2=%.2f "
           "corpus_bytes=%zu veil_findings=%llu veil_hash=%016llx hs_matches=%llu "
           "pcre2_matches=%llu patterns=%zu excluded=%zu\n",
           v, vw, h, hn, p, ratio_hs, ratio_pc, len, (unsigned long long)b->vcnt.n,
           (unsigned long long)b->vcnt.hash, (unsigned long long)b->hs_raw,
           (unsigned long long)b->pc_total, b->ps.n, b->ps.excluded);
    return status;
}

static int load_corpus(bench_t *b)
{
    const options_t *o = &b->o;
    if (o->pathological) {
        int rc =
            corpus_pathological(&b->c, o->pathological, (size_t)(o->mb * 1024 * 1024), o->seed);
        if (rc) {
            fprintf(stderr, "bench_scan: --pathological %s: %s\n", o->pathological,
                    rc == -EINVAL ? "unknown kind" : strerror(-rc));
            return -1;
        }
        printf("corpus:   pathological %s, %zu bytes\n", o->pathological, b->c.len);
    } else if (o->corpus_path) {
        int rc = corpus_load(&b->c, o->corpus_path);
        if (rc) {
            fprintf(stderr, "bench_scan: %s: %s\n", o->corpus_path, strerror(-rc));
            return -1;
        }
        printf("corpus:   %s, %zu bytes\n", o->corpus_path, b->c.len);
    } else {
        corpus_options_t co = {(size_t)(o->mb * 1024 * 1024), o->seed, o->pii_every, o->records};
        if (corpus_build(&b->c, &co)) {
            fprintf(stderr, "bench_scan: out of memory building the corpus\n");
            return -1;
        }
        printf("corpus:   generated, %zu bytes (%.1f MiB), seed %llu, %zu "
               "records, %zu planted PII values (one per %.0f bytes)\n",
               b->c.len, (double)b->c.len / 1048576, (unsigned long long)o->seed, b->c.records,
               b->c.pii_total, b->c.pii_total ? (double)b->c.len / (double)b->c.pii_total : 0.0);
    }
    if (o->dump_path) {
        FILE *f = fopen(o->dump_path, "wb");
        int ok = f && fwrite(b->c.data, 1, b->c.len, f) == b->c.len;
        if (f && fclose(f) != 0)
            ok = 0;
        if (!ok) {
            fprintf(stderr, "bench_scan: cannot write %s\n", o->dump_path);
            return -1;
        }
        printf("corpus:   written to %s\n", o->dump_path);
    }
    return 0;
}

int main(int argc, char **argv)
{
    static bench_t b; /* zeroed */
    if (parse_args(argc, argv, &b.o))
        return 2;
    redact_mode = b.o.redact;
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("bench_scan: veil vs Hyperscan vs PCRE2 JIT\n");
    print_cpu_model();
    pin_cpu(b.o.cpu);
    if (load_corpus(&b)) {
        teardown(&b);
        return 1;
    }
    printf("versions: hyperscan %s, pcre2 %s\n", hsb_version(), pcb_version());

    b.det_count = veil_catalog_count();
    if (build_patset(&b.ps, b.det_count, b.o.only)) {
        fprintf(stderr, "bench_scan: out of memory\n");
        teardown(&b);
        return 1;
    }
    printf("patterns: %zu detectors in the catalog, %zu core patterns used by "
           "the baselines, %zu excluded\n",
           b.det_count, b.ps.n, b.ps.excluded);
    static const char *const fmt[] = {"text", "json", "form"};
    printf("veil:     all %zu detectors, %s format, %zu KiB feeds and one "
           "feed%s\n",
           b.det_count, fmt[b.o.format], b.o.chunk / 1024, b.o.redact ? ", redacting (label)" : "");

    /* Set up and warm up every engine, then interleave the timed runs. */
    int status = 0;
    if ((b.o.only & RUN_VEIL) && setup_veil(&b))
        status = 1;
    if ((b.o.only & RUN_HS) && b.ps.n && setup_hs(&b))
        status = 1;
    if ((b.o.only & RUN_PCRE2) && b.ps.n && setup_pcre2(&b))
        status = 1;
    for (int r = 0; r < b.o.runs; r++)
        round_once(&b, r);

    if (report(&b))
        status = 1;
    teardown(&b);
    return status;
}
