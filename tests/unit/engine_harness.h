/*
 * The scan/redact harness shared by the engine's unit tests: runs a case
 * whole, byte by byte and in random pieces (fixed seeds), checks the
 * streaming contracts (the safe offset never moves back, no finding starts
 * before an offset already declared safe, findings sorted and never
 * overlapping, the redactor's offset monotonic and complete), and compares
 * the findings and redacted bytes of every cut. Every case also runs on
 * every SIMD level of the engine (detectors/simd.h), the reference (no
 * shortcuts) included: each cut on a level of its own, and whole on each
 * level; all must agree. Include after test.h.
 */
#ifndef VEIL_TEST_ENGINE_HARNESS_H
#define VEIL_TEST_ENGINE_HARNESS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simd.h"
#include "veil/scan.h"
#include "veil/transform.h"

#define MAXF 512

/* 1: also check the safe-offset contract (findings never start before an
   offset already declared safe, and the safe offset never moves back). */
static int check_safe = 1;

/* When set, scanners and redactors are made for this body type (a
   multipart boundary) instead of the format alone. */
static const veil_body_type_t *harness_type;

typedef struct {
    veil_finding_t f[MAXF];
    size_t n;
    uint64_t floor; /* no finding may start before this (safe offset) */
    int bad;
} flist_t;

static void collect(void *ud, const veil_finding_t *f)
{
    flist_t *l = ud;
    if (check_safe && f->offset < l->floor) {
        l->bad = 1; /* started before a promised safe offset */
    }
    if (l->n > 0 && f->offset < l->f[l->n - 1].offset + l->f[l->n - 1].length) {
        l->bad = 2; /* out of order or overlapping */
    }
    if (l->n < MAXF) {
        l->f[l->n++] = *f;
    }
}

static uint32_t rng_state = 1;
static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

/* How an input is cut: whole, one byte at a time, or random pieces of
   1..17 bytes from a fixed seed. */
enum {
    CUT_WHOLE,
    CUT_BYTES,
    CUT_RANDOM1,
    CUT_RANDOM2,
    CUT__COUNT
};
static const char *const cut_names[CUT__COUNT] = {"whole", "bytes", "random1", "random2"};

static size_t cut_next(int how, size_t left)
{
    size_t k;
    switch (how) {
    case CUT_WHOLE:
        return left;
    case CUT_BYTES:
        return 1;
    default:
        k = 1 + rng() % 17;
        return k < left ? k : left;
    }
}

static void cut_seed(int how)
{
    rng_state = how == CUT_RANDOM1 ? 12345u : 987654321u;
}

/* The runs of one case: each cut on a SIMD level of its own (a random cut
   on AVX-512 too), then whole on every level. Run k selects its level and
   returns its cut. */
static const int run_levels[] = {
    VEIL_SIMD_REFERENCE, VEIL_SIMD_SCALAR, VEIL_SIMD_SSE, VEIL_SIMD_AVX2, VEIL_SIMD_AVX512,
    VEIL_SIMD_REFERENCE, VEIL_SIMD_SCALAR, VEIL_SIMD_SSE, VEIL_SIMD_AVX2, VEIL_SIMD_AVX512};
static const int run_cuts[] = {CUT_WHOLE, CUT_BYTES, CUT_RANDOM1, CUT_RANDOM2, CUT_RANDOM1,
                               CUT_WHOLE, CUT_WHOLE, CUT_WHOLE,   CUT_WHOLE,   CUT_WHOLE};
#define RUNS ((int)(sizeof(run_levels) / sizeof(run_levels[0])))

static int run_select(int k)
{
    veil__simd_select(run_levels[k]);
    return run_cuts[k];
}

static const char *run_name(int k)
{
    static char name[64];
    snprintf(name, sizeof(name), "%s on %s", cut_names[run_cuts[k]],
             veil__simd_name(run_levels[k]));
    return name;
}

static char conf_letter(int c)
{
    return c == VEIL_CONF_HIGH ? 'H' : c == VEIL_CONF_MEDIUM ? 'M' : c == VEIL_CONF_LOW ? 'L' : '?';
}

/* "email@8+25H" per finding, space-separated; F = whole field, B = bare
   JSON token. */
static void flist_format(const veil_engine_t *e, const flist_t *l, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t k = 0; k < l->n && used < cap; k++) {
        const veil_finding_t *f = &l->f[k];
        const veil_detector_info_t *d = veil_engine_detector(e, f->detector);
        int n = snprintf(out + used, cap - used, "%s%s@%llu+%u%c%s%s", k ? " " : "",
                         d ? d->id : "?", (unsigned long long)f->offset, f->length,
                         conf_letter(f->confidence), (f->flags & VEIL_FIND_FIELD) ? "F" : "",
                         (f->flags & VEIL_FIND_JSON_BARE) ? "B" : "");
        if (n < 0) {
            break;
        }
        used += (size_t)n;
    }
}

static void scan_cut(const veil_engine_t *e, veil_format_t fmt, const char *in, size_t len, int how,
                     flist_t *l)
{
    memset(l, 0, sizeof(*l));
    veil_scanner_t *s = harness_type ? veil_scanner_new_typed(e, harness_type, collect, l)
                                     : veil_scanner_new(e, fmt, collect, l);
    uint64_t last_safe = 0;
    cut_seed(how);
    for (size_t i = 0; i < len;) {
        size_t k = cut_next(how, len - i);
        if (veil_scanner_feed(s, in + i, k) != 0) {
            l->bad = 3;
        }
        i += k;
        uint64_t safe = veil_scanner_safe_offset(s);
        if (check_safe && (safe < last_safe || safe > i)) {
            l->bad = 4; /* the safe offset moved back or past the input */
        }
        last_safe = safe;
        l->floor = safe;
    }
    if (veil_scanner_finish(s) != 0) {
        l->bad = 3;
    }
    veil_scanner_free(s);
}

/* Scans <in> cut every way; every cut must give the same findings.
   Returns them formatted (static buffer). */
static const char *scan_str(int line, const veil_engine_t *e, veil_format_t fmt, const char *in,
                            size_t len)
{
    static char first[8192];
    char other[8192];
    flist_t l;
    for (int k = 0; k < RUNS; k++) {
        int how = run_select(k);
        scan_cut(e, fmt, in, len, how, &l);
        if (l.bad) {
            fprintf(stderr, "line %d: cut %s: invariant %d broken\n", line, run_name(k), l.bad);
            test_failed_checks++;
        }
        flist_format(e, &l, k ? other : first, sizeof(first));
        if (k && strcmp(first, other) != 0) {
            fprintf(stderr, "line %d: cut %s differs:\n  whole: %s\n  cut:   %s\n", line,
                    run_name(k), first, other);
            test_failed_checks++;
        }
    }
    veil__simd_select(veil__simd_best());
    return first;
}

#define SCAN_E(e, fmt, lit, expected) \
    CHECK_STR(scan_str(__LINE__, (e), (fmt), (lit), sizeof(lit) - 1), (expected))

typedef struct {
    char *buf;
    size_t len, cap;
} sink_t;

static int sink_write(void *ud, const char *data, size_t len)
{
    sink_t *k = ud;
    if (k->len + len + 1 > k->cap) {
        size_t cap = k->cap ? k->cap : 256;
        while (cap < k->len + len + 1) {
            cap *= 2;
        }
        k->buf = realloc(k->buf, cap);
        k->cap = cap;
    }
    memcpy(k->buf + k->len, data, len);
    k->len += len;
    k->buf[k->len] = '\0';
    return 0;
}

typedef struct {
    uint64_t last_end;
    int bad;
    size_t n;
} order_t;

static void order_cb(void *ud, const veil_finding_t *f)
{
    order_t *o = ud;
    if (f->offset < o->last_end) {
        o->bad = 1;
    }
    o->last_end = f->offset + f->length;
    o->n++;
}

/* Redacts <in> cut one way; the output is malloc'ed (NUL-terminated). */
static char *redact_cut(const veil_engine_t *e, const veil_redactor_options_t *base, const char *in,
                        size_t len, int how, size_t *outlen, int *bad)
{
    sink_t k = {0};
    order_t o = {0};
    veil_redactor_options_t opts = *base;
    if (harness_type != NULL && opts.type == NULL) {
        opts.type = harness_type;
    }
    opts.write = sink_write;
    opts.write_ud = &k;
    opts.on_finding = order_cb;
    opts.finding_ud = &o;
    sink_write(&k, "", 0);
    veil_redactor_t *r = veil_redactor_new(e, &opts);
    uint64_t last = 0;
    cut_seed(how);
    for (size_t i = 0; i < len;) {
        size_t n = cut_next(how, len - i);
        if (veil_redactor_feed(r, in + i, n) != 0) {
            *bad = 1;
        }
        i += n;
        uint64_t off = veil_redactor_offset(r);
        if (off < last || off > i) {
            *bad = 2; /* the written offset moved back or past the input */
        }
        last = off;
    }
    if (veil_redactor_finish(r) != 0) {
        *bad = 1;
    }
    if (veil_redactor_offset(r) != len) {
        *bad = 3;
    }
    if (o.bad) {
        *bad = 4;
    }
    veil_redactor_free(r);
    *outlen = k.len;
    return k.buf;
}

/* Redacts <in> cut every way; every cut must give the same bytes. Returns
   the output (static, NUL-terminated; embedded NULs shown as is). */
static const char *redact_opts_str(int line, const veil_engine_t *e,
                                   const veil_redactor_options_t *base, const char *in, size_t len);

static const char *redact_str(int line, const veil_engine_t *e, veil_format_t fmt,
                              veil_action_t act, const veil_hash_key_t *key, const char *in,
                              size_t len)
{
    veil_redactor_options_t opts = {0};
    opts.format = fmt;
    opts.action = act;
    opts.key = key;
    return redact_opts_str(line, e, &opts, in, len);
}

/* The same with any redactor options (field rules, skipped parts kept). */
static const char *redact_opts_str(int line, const veil_engine_t *e,
                                   const veil_redactor_options_t *base, const char *in, size_t len)
{
    static char *first;
    veil_redactor_options_t opts = *base;
    free(first);
    first = NULL;
    size_t flen = 0;
    for (int k = 0; k < RUNS; k++) {
        int bad = 0, how = run_select(k);
        size_t olen;
        char *o = redact_cut(e, &opts, in, len, how, &olen, &bad);
        if (bad) {
            fprintf(stderr, "line %d: redact cut %s: invariant %d broken\n", line, run_name(k),
                    bad);
            test_failed_checks++;
        }
        if (k == 0) {
            first = o;
            flen = olen;
            continue;
        }
        if (olen != flen || memcmp(o, first, olen) != 0) {
            fprintf(stderr, "line %d: redact cut %s differs:\n  whole: %s\n  cut:   %s\n", line,
                    run_name(k), first, o);
            test_failed_checks++;
        }
        free(o);
    }
    veil__simd_select(veil__simd_best());
    return first;
}

#define REDACT_E(e, fmt, act, lit, expected) \
    CHECK_STR(redact_str(__LINE__, (e), (fmt), (act), NULL, (lit), sizeof(lit) - 1), (expected))

/* Spaces around a case for harness_padded() (a line of them before it). */
#define HARNESS_PAD 100

/* <exp> ("det@off+lenC ...") with every offset moved by <by>. */
static inline const char *harness_shifted(const char *exp, size_t by, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    while (*exp && used + 1 < cap) {
        const char *at = strchr(exp, '@');
        if (at == NULL) {
            break;
        }
        char *end;
        unsigned long long off = strtoull(at + 1, &end, 10);
        const char *next = strchr(end, ' ');
        size_t tail = next ? (size_t)(next - end) : strlen(end);
        int n = snprintf(out + used, cap - used, "%s%.*s@%llu%.*s", used ? " " : "",
                         (int)(at - exp), exp, off + by, (int)tail, end);
        if (n < 0 || (size_t)n >= cap - used) {
            break;
        }
        used += (size_t)n;
        exp = next ? next + 1 : end + tail;
    }
    return out;
}

/* Scans the text <lit> alone and padded (a line of spaces before it, where
   the context window stops, and spaces after); both must give <exp>, the
   offsets of the case alone. */
static inline void harness_padded(int line, const veil_engine_t *e, const char *lit, size_t len,
                                  const char *exp)
{
    char padded[4096], want[8192];
    if (len + 2 * HARNESS_PAD > sizeof(padded)) {
        test_failed_checks++;
        return;
    }
    CHECK_STR(scan_str(line, e, VEIL_FMT_TEXT, lit, len), exp);
    memset(padded, ' ', HARNESS_PAD - 1);
    padded[HARNESS_PAD - 1] = '\n';
    memcpy(padded + HARNESS_PAD, lit, len);
    memset(padded + HARNESS_PAD + len, ' ', HARNESS_PAD);
    const char *got = scan_str(line, e, VEIL_FMT_TEXT, padded, len + 2 * HARNESS_PAD);
    harness_shifted(exp, HARNESS_PAD, want, sizeof(want));
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "line %d: padded\n  got:      \"%s\"\n  expected: \"%s\"\n", line, got,
                want);
        test_failed_checks++;
    }
}

#endif
