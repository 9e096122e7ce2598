/*
 * Unit tests for the streaming redactor: the same output for every
 * chunking, an offset that never moves back, findings told in order and
 * identical to the scanner's, per-detector actions, write errors, and
 * memory bounded by the hold-back window on long streams.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "veil/scan.h"
#include "veil/transform.h"
#include "veil/veil.h"

/* ---- shared scan/redact harness (the same block heads each engine test
   file; kept per file since tests/unit has no shared helper yet) ---- */

#define MAXF 512

/* 1: also check the safe-offset contract (findings never start before an
   offset already declared safe, and the safe offset never moves back). */
static int check_safe = 1;

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
enum { CUT_WHOLE, CUT_BYTES, CUT_RANDOM1, CUT_RANDOM2, CUT__COUNT };
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

static void scan_cut(const veil_engine_t *e, veil_format_t fmt, const char *in, size_t len,
                     int how, flist_t *l)
{
    memset(l, 0, sizeof(*l));
    veil_scanner_t *s = veil_scanner_new(e, fmt, collect, l);
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
    for (int how = 0; how < CUT__COUNT; how++) {
        scan_cut(e, fmt, in, len, how, &l);
        if (l.bad) {
            fprintf(stderr, "line %d: cut %s: invariant %d broken\n", line, cut_names[how],
                    l.bad);
            test_failed_checks++;
        }
        flist_format(e, &l, how ? other : first, sizeof(first));
        if (how && strcmp(first, other) != 0) {
            fprintf(stderr, "line %d: cut %s differs:\n  whole: %s\n  cut:   %s\n", line,
                    cut_names[how], first, other);
            test_failed_checks++;
        }
    }
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
static char *redact_cut(const veil_engine_t *e, const veil_redactor_options_t *base,
                        const char *in, size_t len, int how, size_t *outlen, int *bad)
{
    sink_t k = {0};
    order_t o = {0};
    veil_redactor_options_t opts = *base;
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
static const char *redact_str(int line, const veil_engine_t *e, veil_format_t fmt,
                              veil_action_t act, const veil_hash_key_t *key, const char *in,
                              size_t len)
{
    static char *first;
    veil_redactor_options_t opts = {0};
    opts.format = fmt;
    opts.action = act;
    opts.key = key;
    free(first);
    first = NULL;
    size_t flen = 0;
    for (int how = 0; how < CUT__COUNT; how++) {
        int bad = 0;
        size_t olen;
        char *o = redact_cut(e, &opts, in, len, how, &olen, &bad);
        if (bad) {
            fprintf(stderr, "line %d: redact cut %s: invariant %d broken\n", line,
                    cut_names[how], bad);
            test_failed_checks++;
        }
        if (how == 0) {
            first = o;
            flen = olen;
            continue;
        }
        if (olen != flen || memcmp(o, first, olen) != 0) {
            fprintf(stderr, "line %d: redact cut %s differs:\n  whole: %s\n  cut:   %s\n", line,
                    cut_names[how], first, o);
            test_failed_checks++;
        }
        free(o);
    }
    return first;
}

#define REDACT_E(e, fmt, act, lit, expected) \
    CHECK_STR(redact_str(__LINE__, (e), (fmt), (act), NULL, (lit), sizeof(lit) - 1), (expected))

/* ---- end of the shared harness ---- */

static veil_engine_t *E;

static const char json_doc[] =
    "{\"id\":\"3d496fa0-87f8-4c15-97be-414c7cd754db\",\"user\":{\"name\":\"Jane Doe\","
    "\"email\":\"jane.doe@example.com\",\"phone\":\"+1 415-555-2671\",\"ssn\":536228901},"
    "\"payment\":{\"card\":\"4111 1111 1111 1111\",\"iban\":\"DE89370400440532013000\"},"
    "\"note\":\"call me at +44 20 7946 0958, ip 203.0.113.42\",\"password\":\"p\\\"w\"}\n";

TEST(every_cut)
{
    REDACT_E(E, VEIL_FMT_JSON, VEIL_ACT_MASK, json_doc,
             "{\"id\":\"3d496fa0-87f8-4c15-97be-414c7cd754db\",\"user\":{\"name\":\"**** ***\",\"email\":\"****.***@*******.***\",\"phone\":\"+* ***-***-****\",\"ssn\":\"*********\"},\"payment\":{\"card\":\"**** **** **** 1111\",\"iban\":\"**********************\"},\"note\":\"call me at +** ** **** ****, ip ***.*.***.**\",\"password\":\"****\"}\n");
    REDACT_E(E, VEIL_FMT_JSON, VEIL_ACT_LABEL, json_doc,
             "{\"id\":\"3d496fa0-87f8-4c15-97be-414c7cd754db\",\"user\":{\"name\":\"[PERSON_NAME]\",\"email\":\"[EMAIL]\",\"phone\":\"[PHONE]\",\"ssn\":\"[US_SSN]\"},\"payment\":{\"card\":\"[CREDIT_CARD]\",\"iban\":\"[IBAN]\"},\"note\":\"call me at [PHONE], ip [IPV4]\",\"password\":\"[SECRET]\"}\n");
    REDACT_E(E, VEIL_FMT_JSON, VEIL_ACT_DROP, json_doc,
             "{\"id\":\"3d496fa0-87f8-4c15-97be-414c7cd754db\",\"user\":{\"name\":\"\",\"email\":\"\",\"phone\":\"\",\"ssn\":\"\"},\"payment\":{\"card\":\"\",\"iban\":\"\"},\"note\":\"call me at , ip \",\"password\":\"\"}\n");
    REDACT_E(E, VEIL_FMT_TEXT, VEIL_ACT_LABEL, json_doc,
             "{\"id\":\"3d496fa0-87f8-4c15-97be-414c7cd754db\",\"user\":{\"name\":\"[PERSON_NAME]\",\"email\":\"[EMAIL]\",\"phone\":\"[PHONE]\",\"ssn\":\"[US_SSN]\"},\"payment\":{\"card\":\"[CREDIT_CARD]\",\"iban\":\"[IBAN]\"},\"note\":\"call me at [PHONE], ip [IPV4]\",\"password\":\"[SECRET]\"}\n");
    REDACT_E(E, VEIL_FMT_FORM, VEIL_ACT_LABEL,
             "email=jane%40example.com&card=4111+1111+1111+1111&name=Jane+Doe&q=x", "email=[EMAIL]&card=[CREDIT_CARD]&name=[PERSON_NAME]&q=x");
}

/* The redactor tells the same findings as a bare scanner, in order. */
static void collect_plain(void *ud, const veil_finding_t *f)
{
    flist_t *l = ud;
    if (l->n < MAXF) {
        l->f[l->n++] = *f;
    }
}

TEST(findings_match_scanner)
{
    static flist_t a, b;
    char fa[4096], fb[4096];
    scan_cut(E, VEIL_FMT_JSON, json_doc, sizeof(json_doc) - 1, CUT_WHOLE, &a);
    memset(&b, 0, sizeof(b));
    sink_t k = {0};
    veil_redactor_options_t o = {0};
    o.format = VEIL_FMT_JSON;
    o.action = VEIL_ACT_MASK;
    o.write = sink_write;
    o.write_ud = &k;
    o.on_finding = collect_plain;
    o.finding_ud = &b;
    veil_redactor_t *r = veil_redactor_new(E, &o);
    for (size_t i = 0; i < sizeof(json_doc) - 1; i += 7) {
        size_t n = sizeof(json_doc) - 1 - i < 7 ? sizeof(json_doc) - 1 - i : 7;
        CHECK_EQ(veil_redactor_feed(r, json_doc + i, n), 0);
    }
    CHECK_EQ(veil_redactor_finish(r), 0);
    veil_redactor_free(r);
    free(k.buf);
    flist_format(E, &a, fa, sizeof(fa));
    flist_format(E, &b, fb, sizeof(fb));
    CHECK_STR(fb, fa);
    CHECK_STR(fa,
              "person_name@61+8MF email@80+20HF phone@111+15HF us_ssn@134+9HFB credit_card@164+19H iban@193+22HF phone@237+16H ipv4@258+12H secret_field@284+4HF");
}

static int fail_write(void *ud, const char *data, size_t len)
{
    int *calls = ud;
    (void)data;
    (void)len;
    return ++*calls >= 2;
}

TEST(write_error)
{
    int calls = 0;
    veil_redactor_options_t o = {0};
    o.format = VEIL_FMT_TEXT;
    o.action = VEIL_ACT_MASK;
    o.write = fail_write;
    o.write_ud = &calls;
    veil_redactor_t *r = veil_redactor_new(E, &o);
    char line[1000];
    memset(line, 'x', sizeof(line));
    int rc = 0;
    for (int k = 0; k < 10 && rc == 0; k++) {
        rc = veil_redactor_feed(r, line, sizeof(line));
    }
    CHECK_EQ(rc, VEIL_EWRITE);
    CHECK_EQ(veil_redactor_feed(r, "x", 1), VEIL_EWRITE);
    CHECK_EQ(veil_redactor_finish(r), VEIL_EWRITE);
    CHECK_EQ(calls, 2);
    veil_redactor_free(r);
    veil_redactor_free(NULL);
}

TEST(per_detector_actions)
{
    uint8_t acts[64];
    veil_hash_key_t key;
    char err[128];
    setenv("VEIL_TEST_RKEY", "0123456789abcdef0123", 1);
    CHECK_EQ(veil_hash_key_load(&key, NULL, "VEIL_TEST_RKEY", err, sizeof(err)), 0);
    memset(acts, VEIL_ACT_MASK, sizeof(acts));
    acts[veil_catalog_find("email")] = VEIL_ACT_LABEL;
    acts[veil_catalog_find("us_ssn")] = VEIL_ACT_DROP;
    acts[veil_catalog_find("credit_card")] = VEIL_ACT_HASH;
    sink_t k = {0};
    veil_redactor_options_t o = {0};
    o.format = VEIL_FMT_TEXT;
    o.action_by_detector = acts;
    o.key = &key;
    o.write = sink_write;
    o.write_ud = &k;
    veil_redactor_t *r = veil_redactor_new(E, &o);
    static const char in[] =
        "jane@example.com SSN 536-22-8901 card 4111 1111 1111 1111 ip 203.0.113.42\n";
    CHECK_EQ(veil_redactor_feed(r, in, sizeof(in) - 1), 0);
    CHECK_EQ(veil_redactor_finish(r), 0);
    CHECK_STR(k.buf, "[EMAIL] SSN  card [CREDIT_CARD:fd7d567acc8853a8] ip ***.*.***.**\n");
    veil_redactor_free(r);
    free(k.buf);
}

/* Long streams: output follows input closely (bounded hold-back), and a
   line without PII comes out unchanged. */
TEST(bounded)
{
    size_t total = 4u << 20, chunk = 4096, fed = 0;
    char *in = malloc(total);
    for (size_t i = 0; i < total; i++) {
        in[i] = "abcdefghij klmnop.qrstuvwxyz"[i % 28];
    }
    /* sparse PII */
    for (size_t at = 5000; at + 40 < total; at += 100003) {
        memcpy(in + at, " jane@example.com ", 18);
    }
    sink_t k = {0};
    veil_redactor_options_t o = {0};
    o.format = VEIL_FMT_TEXT;
    o.action = VEIL_ACT_MASK;
    o.write = sink_write;
    o.write_ud = &k;
    veil_redactor_t *r = veil_redactor_new(E, &o);
    uint64_t max_lag = 0;
    while (fed < total) {
        CHECK_EQ(veil_redactor_feed(r, in + fed, chunk), 0);
        fed += chunk;
        uint64_t lag = fed - veil_redactor_offset(r);
        max_lag = lag > max_lag ? lag : max_lag;
        CHECK_EQ(k.len, veil_redactor_offset(r)); /* mask keeps the length */
    }
    CHECK_EQ(veil_redactor_finish(r), 0);
    CHECK_EQ(k.len, total);
    CHECK(max_lag <= 1024);
    /* everything but the e-mails is unchanged */
    size_t diff = 0;
    for (size_t i = 0; i < total; i++) {
        diff += k.buf[i] != in[i];
    }
    CHECK_EQ(diff, 42 * 14);
    veil_redactor_free(r);
    free(k.buf);
    free(in);
}

TEST(empty)
{
    SCAN_E(E, VEIL_FMT_TEXT, "", "");
    REDACT_E(E, VEIL_FMT_TEXT, VEIL_ACT_MASK, "", "");
    REDACT_E(E, VEIL_FMT_JSON, VEIL_ACT_MASK, "", "");
    REDACT_E(E, VEIL_FMT_FORM, VEIL_ACT_MASK, "", "");
    REDACT_E(E, VEIL_FMT_TEXT, VEIL_ACT_MASK, "\n\n", "\n\n");
}

int main(void)
{
    char err[256];
    E = veil_engine_new(NULL, err, sizeof(err));
    if (E == NULL) {
        fprintf(stderr, "engine: %s\n", err);
        return 1;
    }
    RUN(every_cut);
    RUN(findings_match_scanner);
    RUN(write_error);
    RUN(per_detector_actions);
    RUN(bounded);
    RUN(empty);
    veil_engine_free(E);
    TEST_MAIN_END;
}
