/*
 * bench_scan: veil's detection engine against Hyperscan and PCRE2 JIT on
 * the same buffer, the same core patterns and the same pinned core.
 *
 * Usage: bench_scan [--mb N] [--corpus FILE] [--cpu N] [--runs N]
 *                   [--chunk KIB] [--seed N] [--pii-every BYTES]
 *                   [--only veil,hs,pcre2] [--dump FILE]
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

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TARGET_RATIO_HS 3.0
#define TARGET_RATIO_PCRE2 10.0
#define TARGET_MBPS 500.0

enum { RUN_VEIL = 1, RUN_HS = 2, RUN_PCRE2 = 4 };

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
            "(default 5)\n"
            "  --chunk KIB       veil feed size in KiB (default 64)\n"
            "  --seed N          corpus PRNG seed (default 1)\n"
            "  --pii-every B     mean bytes between planted PII values "
            "(default 3072)\n"
            "  --only LIST       engines to run: veil,hs,pcre2 (default all)\n");
}

static int parse_only(const char *s, unsigned *out)
{
    unsigned m = 0;
    char tmp[64];
    snprintf(tmp, sizeof(tmp), "%s", s);
    for (char *save = NULL, *t = strtok_r(tmp, ",", &save); t;
         t = strtok_r(NULL, ",", &save)) {
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

static int parse_args(int argc, char **argv, options_t *o)
{
    *o = (options_t){.mb = 32, .cpu = 0, .runs = 5, .chunk = 64 * 1024,
                     .seed = 1, .pii_every = 3072,
                     .only = RUN_VEIL | RUN_HS | RUN_PCRE2};
    const char *a = "";
    for (int i = 1; i < argc; i++) {
        a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            exit(0);
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
        } else if (strcmp(a, "--only") == 0) {
            if (parse_only(v, &o->only))
                goto bad;
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

/* A warm-up slower than this gets at most 3 timed runs. */
#define SLOW_RUN_SEC 2.0

static int runs_for(const options_t *o, double warmup_sec)
{
    return warmup_sec > SLOW_RUN_SEC && o->runs > 3 ? 3 : o->runs;
}

/* ---- veil ---- */

typedef struct veil_count {
    uint64_t n;
    uint64_t hash;       /* FNV-1a over every finding, to compare runs */
    uint64_t last_offset;
    int disorder;        /* a finding came before the previous one */
    uint64_t *per_det;   /* [det_count + 1]: the last slot is "unknown" */
    size_t det_count;
} veil_count_t;

static void fnv(uint64_t *h, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        *h ^= (v >> (8 * i)) & 0xff;
        *h *= 0x100000001b3ull;
    }
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

/* veil_run(): one scanner over the whole corpus, fed <chunk> bytes at a
   time. Returns seconds, or -1 if the engine failed. */
static double veil_run(const veil_engine_t *engine, const corpus_t *c,
                       size_t chunk, veil_count_t *cnt)
{
    veil_count_reset(cnt);
    double t0 = bench_now();
    veil_scanner_t *s = veil_scanner_new(engine, VEIL_FMT_TEXT, on_finding, cnt);
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

typedef struct veil_result {
    timing_t chunked, whole;
    veil_count_t cnt;
    uint64_t whole_n, whole_hash;
    int ok;
} veil_result_t;

static int bench_veil(const options_t *o, const corpus_t *c, size_t det_count,
                      veil_result_t *r)
{
    char err[256] = "";
    veil_engine_t *engine = veil_engine_new(NULL, err, sizeof(err));
    if (!engine) {
        printf("veil:     veil_engine_new failed: %s\n", err);
        return -1;
    }
    r->cnt.det_count = det_count;
    r->cnt.per_det = calloc(det_count + 1, sizeof(uint64_t));
    veil_count_t scratch = {.det_count = det_count,
                            .per_det = calloc(det_count + 1, sizeof(uint64_t))};
    if (!r->cnt.per_det || !scratch.per_det) {
        free(scratch.per_det);
        veil_engine_free(engine);
        return -1;
    }
    int rc = -1;
    /* The warm-up run's counts are the reported ones: every run is equal. */
    double warm = veil_run(engine, c, o->chunk, &r->cnt);
    if (warm < 0) {
        printf("veil:     scanning failed\n");
        goto out;
    }
    int runs = runs_for(o, warm);
    for (int i = 0; i < runs; i++) {
        double t = veil_run(engine, c, o->chunk, &scratch);
        if (t < 0)
            goto out;
        timing_add(&r->chunked, t);
    }
    for (int i = 0; i < runs; i++) {
        double t = veil_run(engine, c, c->len ? c->len : 1, &scratch);
        if (t < 0)
            goto out;
        timing_add(&r->whole, t);
    }
    r->whole_n = scratch.n;
    r->whole_hash = scratch.hash;
    r->ok = 1;
    rc = 0;
out:
    free(scratch.per_det);
    veil_engine_free(engine);
    return rc;
}

/* ---- the shared pattern set ---- */

typedef struct patset {
    size_t n;                 /* patterns used by both baselines */
    const char **pattern;
    unsigned *det;            /* catalog index of each */
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

/* ---- Hyperscan ---- */

/* bench_hs(): warm-up (its counts are kept) and timed runs. 0 or -1. */
static int bench_hs(const options_t *o, const corpus_t *c, const patset_t *ps,
                    size_t det_count, int som, timing_t *t, uint64_t *raw,
                    uint64_t *per_id)
{
    char err[256];
    hsb_t *h = hsb_new(ps->pattern, ps->det, ps->n, det_count, som, err,
                       sizeof(err));
    if (!h) {
        printf("hyperscan%s: %s\n", som ? "" : " (no SOM)", err);
        return -1;
    }
    double warm = hsb_run(h, c->data, c->len, raw, per_id);
    uint64_t raw2;
    uint64_t *tmp = calloc(det_count + 1, sizeof(uint64_t));
    int runs = runs_for(o, warm);
    for (int i = 0; warm >= 0 && tmp && i < runs; i++) {
        double sec = hsb_run(h, c->data, c->len, &raw2, tmp);
        if (sec >= 0)
            timing_add(t, sec);
    }
    free(tmp);
    hsb_free(h);
    if (warm < 0 || t->runs == 0) {
        printf("hyperscan%s: hs_scan failed\n", som ? "" : " (no SOM)");
        return -1;
    }
    return 0;
}

/* ---- PCRE2 ---- */

typedef struct pcre2_result {
    uint64_t *per;       /* [ps.n] matches per pattern */
    double *best;        /* [ps.n] best seconds per pattern */
    uint64_t total;
} pcre2_result_t;

static int bench_pcre2(const options_t *o, const corpus_t *c,
                       const patset_t *ps, timing_t *t, pcre2_result_t *r)
{
    char err[256];
    int rc = -1;
    double *sec = calloc(ps->n, sizeof(double));
    int *st = calloc(ps->n, sizeof(int));
    r->per = calloc(ps->n, sizeof(uint64_t));
    r->best = calloc(ps->n, sizeof(double));
    pcb_t *p = pcb_new(ps->pattern, ps->n, err, sizeof(err));
    if (!p) {
        printf("pcre2: %s\n", err);
        goto out;
    }
    if (!sec || !st || !r->per || !r->best)
        goto out;
    double warm = pcb_run(p, c->data, c->len, r->per, r->best, st);
    int runs = runs_for(o, warm);
    for (int i = 0; i < runs; i++) {
        timing_add(t, pcb_run(p, c->data, c->len, r->per, sec, st));
        for (size_t k = 0; k < ps->n; k++)
            if (sec[k] < r->best[k])
                r->best[k] = sec[k];
    }
    r->total = 0;
    for (size_t k = 0; k < ps->n; k++) {
        r->total += r->per[k];
        if (st[k])
            printf("pcre2: %s stopped early: %s\n",
                   veil_catalog_get(ps->det[k])->id, pcb_strerror(st[k]));
    }
    rc = 0;
out:
    pcb_free(p);
    free(sec);
    free(st);
    return rc;
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

int main(int argc, char **argv)
{
    options_t o;
    if (parse_args(argc, argv, &o))
        return 2;
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("bench_scan: veil vs Hyperscan vs PCRE2 JIT\n");
    print_cpu_model();
    pin_cpu(o.cpu);

    corpus_t c;
    int rc;
    if (o.corpus_path) {
        rc = corpus_load(&c, o.corpus_path);
        if (rc) {
            fprintf(stderr, "bench_scan: %s: %s\n", o.corpus_path, strerror(-rc));
            return 1;
        }
        printf("corpus:   %s, %zu bytes\n", o.corpus_path, c.len);
    } else {
        corpus_options_t co = {(size_t)(o.mb * 1024 * 1024), o.seed,
                               o.pii_every};
        if (corpus_build(&c, &co)) {
            fprintf(stderr, "bench_scan: out of memory building the corpus\n");
            return 1;
        }
        printf("corpus:   generated, %zu bytes (%.1f MiB), seed %llu, %zu "
               "records, %zu planted PII values (one per %.0f bytes)\n",
               c.len, (double)c.len / 1048576, (unsigned long long)o.seed,
               c.records, c.pii_total,
               c.pii_total ? (double)c.len / (double)c.pii_total : 0.0);
    }
    if (o.dump_path) {
        FILE *f = fopen(o.dump_path, "wb");
        if (!f || fwrite(c.data, 1, c.len, f) != c.len || fclose(f) != 0) {
            fprintf(stderr, "bench_scan: cannot write %s\n", o.dump_path);
            return 1;
        }
        printf("corpus:   written to %s\n", o.dump_path);
    }
    printf("versions: hyperscan %s, pcre2 %s\n", hsb_version(), pcb_version());

    size_t det_count = veil_catalog_count();
    patset_t ps = {0};
    if (build_patset(&ps, det_count, o.only)) {
        fprintf(stderr, "bench_scan: out of memory\n");
        return 1;
    }
    printf("patterns: %zu detectors in the catalog, %zu core patterns used by "
           "the baselines, %zu excluded\n",
           det_count, ps.n, ps.excluded);
    printf("veil:     all %zu detectors, text format, %zu KiB feeds\n\n",
           det_count, o.chunk / 1024);

    int status = 0;
    veil_result_t vr = {0};
    if ((o.only & RUN_VEIL) && bench_veil(&o, &c, det_count, &vr))
        status = 1;

    /* Hyperscan: the baseline with SOM, then without for information */
    timing_t ht = {0}, ht_nosom = {0};
    uint64_t hs_raw = 0, hs_raw_nosom = 0, hs_starts = 0;
    uint64_t *hs_per = calloc(det_count + 1, sizeof(uint64_t));
    uint64_t *hs_tmp = calloc(det_count + 1, sizeof(uint64_t));
    if ((o.only & RUN_HS) && ps.n && hs_per && hs_tmp) {
        if (bench_hs(&o, &c, &ps, det_count, 1, &ht, &hs_raw, hs_per))
            status = 1;
        for (size_t i = 0; i < det_count; i++)
            hs_starts += hs_per[i];
        bench_hs(&o, &c, &ps, det_count, 0, &ht_nosom, &hs_raw_nosom, hs_tmp);
    }

    /* PCRE2, pattern by pattern */
    timing_t pt = {0};
    pcre2_result_t pr = {0};
    if ((o.only & RUN_PCRE2) && ps.n && bench_pcre2(&o, &c, &ps, &pt, &pr))
        status = 1;

    /* The table */
    double v_mbps = vr.ok ? mbps(c.len, vr.chunked.best) : 0;
    double vw_mbps = vr.ok ? mbps(c.len, vr.whole.best) : 0;
    double h_mbps = ht.runs ? mbps(c.len, ht.best) : 0;
    double p_mbps = pt.runs ? mbps(c.len, pt.best) : 0;
    printf("%-34s %9s %9s %9s %5s  %s\n", "engine", "MB/s", "best ms",
           "worst ms", "runs", "matches");
    if (vr.ok) {
        char label[64];
        snprintf(label, sizeof(label), "veil (%zu KiB feeds)", o.chunk / 1024);
        printf("%-34s %9.1f %9.2f %9.2f %5d  %llu findings\n", label, v_mbps,
               vr.chunked.best * 1e3, vr.chunked.worst * 1e3, vr.chunked.runs,
               (unsigned long long)vr.cnt.n);
        printf("%-34s %9.1f %9.2f %9.2f %5d  %llu findings\n",
               "veil (one feed)", vw_mbps, vr.whole.best * 1e3,
               vr.whole.worst * 1e3, vr.whole.runs,
               (unsigned long long)vr.whole_n);
    }
    if (ht.runs)
        printf("%-34s %9.1f %9.2f %9.2f %5d  %llu raw, %llu distinct starts\n",
               "hyperscan (block, SOM leftmost)", h_mbps, ht.best * 1e3,
               ht.worst * 1e3, ht.runs, (unsigned long long)hs_raw,
               (unsigned long long)hs_starts);
    if (ht_nosom.runs)
        printf("%-34s %9.1f %9.2f %9.2f %5d  %llu raw (end offsets only)\n",
               "hyperscan (no SOM, for info)", mbps(c.len, ht_nosom.best),
               ht_nosom.best * 1e3, ht_nosom.worst * 1e3, ht_nosom.runs,
               (unsigned long long)hs_raw_nosom);
    if (pt.runs)
        printf("%-34s %9.1f %9.2f %9.2f %5d  %llu matches\n",
               "pcre2 jit (pattern by pattern)", p_mbps, pt.best * 1e3,
               pt.worst * 1e3, pt.runs, (unsigned long long)pr.total);

    if (vr.ok) {
        int same = vr.whole_n == vr.cnt.n && vr.whole_hash == vr.cnt.hash;
        printf("\nstreaming: %s findings for %zu KiB feeds and one feed%s\n",
               same ? "the same" : "DIFFERENT", o.chunk / 1024,
               vr.cnt.disorder ? "; findings NOT in offset order" : "");
        if (!same || vr.cnt.disorder)
            status = 1;
    }

    double ratio_hs = h_mbps > 0 ? v_mbps / h_mbps : 0;
    double ratio_pc = p_mbps > 0 ? v_mbps / p_mbps : 0;
    printf("\ntargets (issue 2):\n");
    if (vr.ok && h_mbps > 0)
        printf("  veil / hyperscan  %6.2fx   target >= %.0fx   %s\n", ratio_hs,
               TARGET_RATIO_HS, met(ratio_hs >= TARGET_RATIO_HS));
    if (vr.ok && p_mbps > 0)
        printf("  veil / pcre2      %6.2fx   target >= %.0fx  %s\n", ratio_pc,
               TARGET_RATIO_PCRE2, met(ratio_pc >= TARGET_RATIO_PCRE2));
    if (vr.ok)
        printf("  veil throughput   %6.0f MB/s target >= %.0f %s\n", v_mbps,
               TARGET_MBPS, met(v_mbps >= TARGET_MBPS));

    /* Per detector: planted values, validated findings, raw matches. */
    printf("\n%-20s %8s %8s %10s %10s %9s\n", "detector", "planted",
           "veil", "hs starts", "pcre2", "pcre2 ms");
    for (size_t i = 0; i < det_count; i++) {
        const veil_detector_info_t *d = veil_catalog_get(i);
        int k = planted_index(d->id);
        long long pk = -1;
        for (size_t j = 0; j < ps.n; j++)
            if (ps.det[j] == i)
                pk = (long long)j;
        char planted[24] = "-", vv[24] = "-", hv[24] = "-", pv[24] = "-",
             pm[24] = "-";
        if (k >= 0 && !o.corpus_path)
            snprintf(planted, sizeof(planted), "%zu", c.pii[k]);
        if (vr.ok)
            snprintf(vv, sizeof(vv), "%llu",
                     (unsigned long long)vr.cnt.per_det[i]);
        if (ht.runs && pk >= 0)
            snprintf(hv, sizeof(hv), "%llu", (unsigned long long)hs_per[i]);
        if (pt.runs && pk >= 0) {
            snprintf(pv, sizeof(pv), "%llu", (unsigned long long)pr.per[pk]);
            snprintf(pm, sizeof(pm), "%.1f", pr.best[pk] * 1e3);
        }
        printf("%-20s %8s %8s %10s %10s %9s\n", d->id, planted, vv, hv, pv, pm);
    }
    if (vr.ok && vr.cnt.per_det[det_count])
        printf("%-20s %8s %8llu\n", "(unknown detector)", "-",
               (unsigned long long)vr.cnt.per_det[det_count]);
    printf("(veil counts validated findings; Hyperscan and PCRE2 count raw "
           "pattern matches, so they differ by design)\n\n");

    printf("RESULT veil_mbps=%.1f veil_whole_mbps=%.1f hs_mbps=%.1f "
           "hs_nosom_mbps=%.1f "
           "pcre2_mbps=%.1f ratio_hs=%.2f ratio_pcre2=%.2f corpus_bytes=%zu "
           "veil_findings=%llu hs_matches=%llu pcre2_matches=%llu "
           "patterns=%zu excluded=%zu\n",
           v_mbps, vw_mbps, h_mbps,
           ht_nosom.runs ? mbps(c.len, ht_nosom.best) : 0.0, p_mbps, ratio_hs,
           ratio_pc, c.len,
           (unsigned long long)vr.cnt.n, (unsigned long long)hs_raw,
           (unsigned long long)pr.total, ps.n, ps.excluded);

    free(vr.cnt.per_det);
    free(hs_per);
    free(hs_tmp);
    free(pr.per);
    free(pr.best);
    free(ps.pattern);
    free(ps.det);
    corpus_free(&c);
    return status;
}
