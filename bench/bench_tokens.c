/*
 * bench_tokens: reversible tokens against the plain engine scan of the
 * same bytes, in the same process: tokenize (every finding becomes its
 * token: tagged, format-preserving for cards and IBANs in fields, as
 * `veil tokenize --key-file` does) and detokenize (the tokenized corpus
 * turned back: the redactor with the token op DETOKENIZE, then the
 * tagged-token stream, as `veil detokenize` does).
 *
 * Usage: bench_tokens [--mb N] [--runs N] [--chunk KIB] [--seed N]
 *                     [--format text|json] [--cpu N]
 *
 * Prints MB/s (1 MB = 10^6 bytes of the corpus, the same bytes for the
 * three) for each, best of --runs after a warm-up round, the ratios to
 * the scan, and a last line starting with "RESULT " for scripts. The
 * rounds interleave the three, so load from elsewhere slows them alike.
 * The round trip is checked once: detokenize must give the corpus back
 * byte for byte ("round trip: identical"); the exit status is 1 when it
 * does not, or when something could not be set up. Timing never changes
 * the exit status.
 */
#include "baselines.h"
#include "corpus.h"

#include <veil/scan.h>
#include <veil/tokens.h>
#include <veil/transform.h>

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct options {
    double mb;
    int runs;
    size_t chunk;
    uint64_t seed;
    veil_format_t format;
    int cpu;
} options_t;

/* A growing output buffer (the tokenized corpus, or the round trip). */
typedef struct sink {
    char *data;
    size_t len, cap;
    int keep; /* 0: count only */
} sink_t;

typedef struct bench {
    options_t o;
    corpus_t c;
    veil_engine_t *engine;
    veil_token_ring_t *ring;
    uint8_t *formats, *actions;
    veil_tokens_t tokens;
    sink_t tok; /* the tokenized corpus, detokenize's input */
    uint64_t findings;
    double best[3]; /* scan, tokenize, detokenize */
} bench_t;

static void usage(FILE *f)
{
    fprintf(f, "usage: bench_tokens [options]\n"
               "  --mb N            corpus size in MiB (default 16)\n"
               "  --runs N          timed rounds, best is kept (default 5)\n"
               "  --chunk KIB       feed size (default 64)\n"
               "  --seed N          corpus seed (default 1)\n"
               "  --format F        text or json: how the engine reads it (default text)\n"
               "  --cpu N           pin to CPU N (default -1: not pinned)\n");
}

static int parse(options_t *o, int argc, char **argv)
{
    o->mb = 16;
    o->runs = 5;
    o->chunk = 64 * 1024;
    o->seed = 1;
    o->format = VEIL_FMT_TEXT;
    o->cpu = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0) {
            usage(stdout);
            exit(0);
        }
        if (v == NULL) {
            fprintf(stderr, "bench_tokens: %s needs a value\n", a);
            return -1;
        }
        i++;
        if (strcmp(a, "--mb") == 0) {
            o->mb = atof(v);
        } else if (strcmp(a, "--runs") == 0) {
            o->runs = atoi(v);
        } else if (strcmp(a, "--chunk") == 0) {
            o->chunk = (size_t)atol(v) * 1024;
        } else if (strcmp(a, "--seed") == 0) {
            o->seed = strtoull(v, NULL, 10);
        } else if (strcmp(a, "--cpu") == 0) {
            o->cpu = atoi(v);
        } else if (strcmp(a, "--format") == 0 && strcmp(v, "text") == 0) {
            o->format = VEIL_FMT_TEXT;
        } else if (strcmp(a, "--format") == 0 && strcmp(v, "json") == 0) {
            o->format = VEIL_FMT_JSON;
        } else {
            fprintf(stderr, "bench_tokens: bad option '%s'\n", a);
            usage(stderr);
            return -1;
        }
    }
    if (o->mb <= 0 || o->runs < 1 || o->chunk == 0) {
        fprintf(stderr, "bench_tokens: --mb, --runs and --chunk must be positive\n");
        return -1;
    }
    return 0;
}

static int sink_write(void *ud, const char *data, size_t len)
{
    sink_t *s = ud;

    if (!s->keep) {
        s->len += len;
        return 0;
    }
    if (s->len + len > s->cap) {
        size_t cap = s->cap ? s->cap : 1 << 20;
        char *n;
        while (cap < s->len + len) {
            cap *= 2;
        }
        if ((n = realloc(s->data, cap)) == NULL) {
            return -1;
        }
        s->data = n;
        s->cap = cap;
    }
    memcpy(s->data + s->len, data, len);
    s->len += len;
    return 0;
}

static void on_finding(void *ud, const veil_finding_t *f)
{
    (void)f;
    ++*(uint64_t *)ud;
}

/* The plain engine over the corpus: seconds, or -1. */
static double run_scan(bench_t *b)
{
    uint64_t n = 0;
    double t0 = bench_now();
    veil_scanner_t *s = veil_scanner_new(b->engine, b->o.format, on_finding, &n);
    int rc = s ? 0 : -1;

    for (size_t off = 0; off < b->c.len && rc == 0; off += b->o.chunk) {
        size_t len = b->c.len - off < b->o.chunk ? b->c.len - off : b->o.chunk;
        rc = veil_scanner_feed(s, b->c.data + off, len);
    }
    if (rc == 0) {
        rc = veil_scanner_finish(s);
    }
    double t1 = bench_now();
    veil_scanner_free(s);
    b->findings = n;
    return rc == 0 ? t1 - t0 : -1;
}

/* Every finding becomes its token; the output is kept in b->tok. */
static double run_tokenize(bench_t *b, veil_token_stats_t *st)
{
    veil_redactor_options_t ro;
    int rc;

    b->tok.len = 0;
    b->tok.keep = 1;
    memset(&ro, 0, sizeof(ro));
    ro.format = b->o.format;
    ro.action = VEIL_ACT_TOKENIZE;
    ro.action_by_detector = b->actions;
    ro.tokens = &b->tokens;
    ro.token_stats = st;
    ro.token_op = VEIL_TOKEN_OP_TOKENIZE;
    ro.write = sink_write;
    ro.write_ud = &b->tok;
    double t0 = bench_now();
    veil_redactor_t *r = veil_redactor_new(b->engine, &ro);
    rc = r ? 0 : -1;
    for (size_t off = 0; off < b->c.len && rc == 0; off += b->o.chunk) {
        size_t len = b->c.len - off < b->o.chunk ? b->c.len - off : b->o.chunk;
        rc = veil_redactor_feed(r, b->c.data + off, len);
    }
    if (rc == 0) {
        rc = veil_redactor_finish(r);
    }
    double t1 = bench_now();
    veil_redactor_free(r);
    return rc == 0 ? t1 - t0 : -1;
}

static int stream_write(void *ud, const char *data, size_t len)
{
    return veil_token_stream_feed(ud, data, len) == 0 ? 0 : -1;
}

/* The tokenized corpus turned back into <out>. */
static double run_detokenize(bench_t *b, sink_t *out, veil_token_stats_t *st)
{
    veil_redactor_options_t ro;
    veil_token_stream_t *ts;
    veil_redactor_t *r;
    int rc;

    double t0 = bench_now();
    ts = veil_token_stream_new(&b->tokens, VEIL_TOKEN_OP_DETOKENIZE, st, sink_write, out);
    memset(&ro, 0, sizeof(ro));
    ro.format = b->o.format;
    ro.action = VEIL_ACT_TOKENIZE;
    ro.tokens = &b->tokens;
    ro.token_stats = st;
    ro.token_op = VEIL_TOKEN_OP_DETOKENIZE;
    ro.write = stream_write;
    ro.write_ud = ts;
    r = ts ? veil_redactor_new(b->engine, &ro) : NULL;
    rc = r ? 0 : -1;
    for (size_t off = 0; off < b->tok.len && rc == 0; off += b->o.chunk) {
        size_t len = b->tok.len - off < b->o.chunk ? b->tok.len - off : b->o.chunk;
        rc = veil_redactor_feed(r, b->tok.data + off, len);
    }
    if (rc == 0) {
        rc = veil_redactor_finish(r);
    }
    if (rc == 0) {
        rc = veil_token_stream_finish(ts);
    }
    double t1 = bench_now();
    veil_redactor_free(r);
    veil_token_stream_free(ts);
    return rc == 0 ? t1 - t0 : -1;
}

/* A fixed key (the benchmark's bytes are no secret), slot 1, as
   `veil tokenize --key-file` sets it up: cards and IBANs format-
   preserving in fields, tagged tokens for every other type. */
static int setup(bench_t *b)
{
    veil_hash_key_t key;
    const veil_hash_key_t *kp = &key;
    char err[256];
    size_t n;

    memset(&key, 0, sizeof(key));
    key.id = "k1";
    key.slot = 1;
    key.state = VEIL_KEY_ACTIVE;
    key.len = VEIL_TOKEN_KEY_BYTES;
    for (size_t i = 0; i < VEIL_TOKEN_KEY_BYTES; i++) {
        key.bytes[i] = (unsigned char)(0x5a ^ (i * 37));
    }
    b->ring = veil_token_ring_new(&kp, 1, err, sizeof(err));
    if (b->ring == NULL) {
        fprintf(stderr, "bench_tokens: %s\n", err);
        return -1;
    }
    b->engine = veil_engine_new(NULL, err, sizeof(err));
    if (b->engine == NULL) {
        fprintf(stderr, "bench_tokens: %s\n", err);
        return -1;
    }
    n = veil_engine_detector_count(b->engine);
    b->formats = calloc(n + 1, 1);
    b->actions = malloc(n + 1);
    if (b->formats == NULL || b->actions == NULL) {
        return -1;
    }
    for (size_t d = 0; d < n; d++) {
        const char *id = veil_engine_detector(b->engine, d)->id;
        b->formats[d] = (uint8_t)(strcmp(id, "credit_card") == 0 || strcmp(id, "iban") == 0
                                      ? VEIL_TOKEN_FPE
                                      : VEIL_TOKEN_TAGGED);
    }
    memset(b->actions, VEIL_ACT_TOKENIZE, n + 1);
    b->tokens.ring = b->ring;
    b->tokens.issue = 0;
    b->tokens.formats = b->formats;
    b->tokens.nformats = n;
    b->tokens.rewrap_from = -1;
    corpus_options_t co = {(size_t)(b->o.mb * 1024 * 1024), b->o.seed, 0, 0};
    if (corpus_build(&b->c, &co) != 0) {
        fprintf(stderr, "bench_tokens: out of memory building the corpus\n");
        return -1;
    }
    return 0;
}

static void teardown(bench_t *b)
{
    veil_engine_free(b->engine);
    veil_token_ring_free(b->ring);
    free(b->formats);
    free(b->actions);
    free(b->tok.data);
    corpus_free(&b->c);
}

static double mbps(size_t bytes, double sec)
{
    return sec > 0 ? (double)bytes / 1e6 / sec : 0;
}

static uint64_t sum_issued(const veil_token_stats_t *st, int kind)
{
    uint64_t n = 0;
    for (unsigned t = 0; t < VEIL_TOKEN_STAT_TYPES; t++) {
        for (int s = 0; s <= VEIL_TOKEN_SLOTS; s++) {
            n += st->issued[t][s][kind];
        }
    }
    return n;
}

static uint64_t sum_outcome(const veil_token_stats_t *st, int outcome)
{
    uint64_t n = 0;
    for (unsigned t = 0; t < VEIL_TOKEN_STAT_TYPES; t++) {
        for (int s = 0; s <= VEIL_TOKEN_SLOTS; s++) {
            n += st->reversed[t][s][outcome];
        }
    }
    return n;
}

int main(int argc, char **argv)
{
    bench_t b;
    veil_token_stats_t *st = calloc(2, sizeof(*st)); /* [0] tokenize, [1] detokenize */
    sink_t back = {NULL, 0, 0, 1}, count = {NULL, 0, 0, 0};
    int rc = 0, identical;

    memset(&b, 0, sizeof(b));
    if (st == NULL || parse(&b.o, argc, argv) != 0) {
        free(st);
        return 1;
    }
    if (b.o.cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(b.o.cpu, &set);
        if (sched_setaffinity(0, sizeof(set), &set) != 0) {
            printf("cpu:      could not pin to CPU %d (%s)\n", b.o.cpu, strerror(errno));
        } else {
            printf("cpu:      pinned to CPU %d\n", b.o.cpu);
        }
    }
    if (setup(&b) != 0) {
        teardown(&b);
        free(st);
        return 1;
    }
    printf("corpus:   generated, %zu bytes (%.1f MiB), seed %llu, %zu records, %zu PII planted\n",
           b.c.len, (double)b.c.len / (1024.0 * 1024.0), (unsigned long long)b.o.seed, b.c.records,
           b.c.pii_total);
    printf("feeds:    %zu KiB, format %s, key k1 (slot 1): fpe for credit_card and iban in "
           "fields, tagged otherwise\n",
           b.o.chunk / 1024, b.o.format == VEIL_FMT_JSON ? "json" : "text");

    /* The warm-up round is also the one that is checked and counted. */
    if (run_scan(&b) < 0 || run_tokenize(&b, &st[0]) < 0 || run_detokenize(&b, &back, &st[1]) < 0) {
        fprintf(stderr, "bench_tokens: FAILED: a pipeline returned an error\n");
        teardown(&b);
        free(back.data);
        free(st);
        return 1;
    }
    identical = back.len == b.c.len && memcmp(back.data, b.c.data, b.c.len) == 0;
    printf("findings: %llu; tokens: %llu tagged, %llu fpe, %llu kept; restored %llu, "
           "refused %llu\n",
           (unsigned long long)b.findings,
           (unsigned long long)sum_issued(&st[0], VEIL_TOKEN_KIND_TAGGED),
           (unsigned long long)sum_issued(&st[0], VEIL_TOKEN_KIND_FPE),
           (unsigned long long)st[0].kept,
           (unsigned long long)sum_outcome(&st[1], VEIL_TOKEN_RESTORED),
           (unsigned long long)(sum_outcome(&st[1], VEIL_TOKEN_UNKNOWN_KEY) +
                                sum_outcome(&st[1], VEIL_TOKEN_RETIRED) +
                                sum_outcome(&st[1], VEIL_TOKEN_FORGED)));
    printf("tokenized: %zu bytes (%.2fx the corpus)\n", b.tok.len,
           b.c.len ? (double)b.tok.len / (double)b.c.len : 0);
    printf("round trip: %s\n", identical ? "identical" : "DIFFERENT");
    if (!identical) {
        size_t i = 0;
        while (i < back.len && i < b.c.len && back.data[i] == b.c.data[i]) {
            i++;
        }
        printf("round trip: first difference at byte %zu (lengths %zu and %zu)\n", i, back.len,
               b.c.len);
        rc = 1;
    }
    free(back.data);

    b.best[0] = b.best[1] = b.best[2] = 1e300;
    for (int r = 0; r < b.o.runs; r++) {
        double t[3];
        t[0] = run_scan(&b);
        t[1] = run_tokenize(&b, NULL);
        count.len = 0;
        t[2] = run_detokenize(&b, &count, NULL);
        for (int k = 0; k < 3; k++) {
            if (t[k] >= 0 && t[k] < b.best[k]) {
                b.best[k] = t[k];
            }
        }
    }
    double scan = mbps(b.c.len, b.best[0]), tok = mbps(b.c.len, b.best[1]),
           detok = mbps(b.c.len, b.best[2]);
    printf("\n%-34s %9s %9s %9s\n", "pipeline", "MB/s", "best ms", "x scan");
    printf("%-34s %9.1f %9.2f %9.2f\n", "scan (engine only)", scan, b.best[0] * 1e3, 1.0);
    printf("%-34s %9.1f %9.2f %9.2f\n", "tokenize (redactor, tokens)", tok, b.best[1] * 1e3,
           scan > 0 ? tok / scan : 0);
    printf("%-34s %9.1f %9.2f %9.2f\n", "detokenize (redactor + stream)", detok, b.best[2] * 1e3,
           scan > 0 ? detok / scan : 0);
    printf("(MB/s of the corpus's %zu bytes for all three; detokenize reads the %zu "
           "tokenized bytes)\n",
           b.c.len, b.tok.len);
    printf("RESULT scan_mbps=%.1f tokenize_mbps=%.1f detokenize_mbps=%.1f "
           "tokenize_ratio=%.3f detokenize_ratio=%.3f corpus_bytes=%zu tokenized_bytes=%zu "
           "round_trip=%s\n",
           scan, tok, detok, scan > 0 ? tok / scan : 0, scan > 0 ? detok / scan : 0, b.c.len,
           b.tok.len, identical ? "identical" : "different");
    teardown(&b);
    free(st);
    return rc;
}
