/*
 * pgo_train: the training run of a profile-guided build (tools/pgo.sh,
 * VEIL_PGO=generate). It runs the detection engine the way veil runs it,
 * scanning and redacting in 64 KiB feeds, over corpora of every record
 * kind, as text and as JSON, so that the compiler learns which branches
 * the engine takes and which code is hot.
 *
 * The corpora come from bench/corpus.c with seed 2: the benchmarks and the
 * figures in BENCHMARKS.md use seed 1 (bench_scan's default), so the
 * profile is not taken on the bytes it is then timed on.
 *
 *   pgo_train [MiB per corpus, default 4]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include <veil/scan.h>
#include <veil/transform.h>

#define FEED (64 * 1024)
#define TRAIN_SEED 2

static void count(void *ud, const veil_finding_t *f)
{
    (void)f;
    (*(size_t *)ud)++;
}

static int discard(void *ud, const char *data, size_t len)
{
    (void)ud;
    (void)data;
    (void)len;
    return 0;
}

static int scan(const veil_engine_t *e, veil_format_t fmt, const corpus_t *c, size_t *found)
{
    veil_scanner_t *s = veil_scanner_new(e, fmt, count, found);
    if (s == NULL) {
        return -1;
    }
    int rc = 0;
    for (size_t off = 0; off < c->len && rc == 0; off += FEED) {
        rc = veil_scanner_feed(s, c->data + off, c->len - off < FEED ? c->len - off : FEED);
    }
    if (rc == 0) {
        rc = veil_scanner_finish(s);
    }
    veil_scanner_free(s);
    return rc;
}

/* The proxy's body log and mode redact: a redactor writing labels. */
static int redact(const veil_engine_t *e, veil_format_t fmt, const corpus_t *c, size_t *found)
{
    veil_redactor_options_t o;
    memset(&o, 0, sizeof(o));
    o.format = fmt;
    o.action = VEIL_ACT_LABEL;
    o.write = discard;
    o.on_finding = count;
    o.finding_ud = found;
    veil_redactor_t *r = veil_redactor_new(e, &o);
    if (r == NULL) {
        return -1;
    }
    int rc = 0;
    for (size_t off = 0; off < c->len && rc == 0; off += FEED) {
        rc = veil_redactor_feed(r, c->data + off, c->len - off < FEED ? c->len - off : FEED);
    }
    if (rc == 0) {
        rc = veil_redactor_finish(r);
    }
    veil_redactor_free(r);
    return rc;
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        unsigned records;
        veil_format_t format;
    } runs[] = {
        {"mixed records, text", 0, VEIL_FMT_TEXT},
        {"API pages, text", CORPUS_API, VEIL_FMT_TEXT},
        {"API pages, json", CORPUS_API, VEIL_FMT_JSON},
        {"JSON records, json", CORPUS_JSON, VEIL_FMT_JSON},
        {"PII-dense records, json", CORPUS_DENSE, VEIL_FMT_JSON},
        {"PII-dense records, text", CORPUS_DENSE, VEIL_FMT_TEXT},
    };
    double mib = argc > 1 ? atof(argv[1]) : 4;
    char err[256] = "";

    if (mib <= 0 || mib > 1024) {
        fprintf(stderr, "usage: pgo_train [MiB per corpus, 0-1024]\n");
        return 2;
    }
    veil_engine_t *e = veil_engine_new(NULL, err, sizeof(err));
    if (e == NULL) {
        fprintf(stderr, "pgo_train: engine: %s\n", err);
        return 1;
    }
    for (size_t k = 0; k < sizeof(runs) / sizeof(runs[0]); k++) {
        corpus_t c;
        corpus_options_t o = {.bytes = (size_t)(mib * 1024 * 1024),
                              .seed = TRAIN_SEED,
                              .pii_every = 3072,
                              .records = runs[k].records};
        if (corpus_build(&c, &o) != 0) {
            fprintf(stderr, "pgo_train: out of memory\n");
            veil_engine_free(e);
            return 1;
        }
        size_t scanned = 0, redacted = 0;
        if (scan(e, runs[k].format, &c, &scanned) != 0 ||
            redact(e, runs[k].format, &c, &redacted) != 0) {
            fprintf(stderr, "pgo_train: the engine failed on %s\n", runs[k].name);
            corpus_free(&c);
            veil_engine_free(e);
            return 1;
        }
        printf("pgo_train: %-26s %8zu bytes, %zu findings\n", runs[k].name, c.len, scanned);
        corpus_free(&c);
    }
    veil_engine_free(e);
    return 0;
}
