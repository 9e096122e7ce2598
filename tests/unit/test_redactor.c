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

#include "engine_harness.h"

static veil_engine_t *E;

static const char json_doc[] =
    "{\"id\":\"3d496fa0-87f8-4c15-97be-414c7cd754db\",\"user\":{\"name\":\"Jane Doe\","
    "\"email\":\"jane.doe@example.com\",\"phone\":\"+1 415-555-2671\",\"ssn\":536228901},"
    "\"payment\":{\"card\":\"4111 1111 1111 1111\",\"iban\":\"DE89370400440532013000\"},"
    "\"note\":\"call me at +44 20 7946 0958, ip 203.0.113.42\",\"password\":\"p\\\"w\"}\n";

TEST(every_cut)
{
    REDACT_E(
        E, VEIL_FMT_JSON, VEIL_ACT_MASK, json_doc,
        "{\"id\":\"3d496fa0-87f8-4c15-97be-414c7cd754db\",\"user\":{\"name\":\"**** ***\",\"email\":\"****.***@*******.***\",\"phone\":\"+* ***-***-****\",\"ssn\":\"*********\"},\"payment\":{\"card\":\"**** **** **** 1111\",\"iban\":\"**********************\"},\"note\":\"call me at +** ** **** ****, ip ***.*.***.**\",\"password\":\"****\"}\n");
    REDACT_E(
        E, VEIL_FMT_JSON, VEIL_ACT_LABEL, json_doc,
        "{\"id\":\"3d496fa0-87f8-4c15-97be-414c7cd754db\",\"user\":{\"name\":\"[PERSON_NAME]\",\"email\":\"[EMAIL]\",\"phone\":\"[PHONE]\",\"ssn\":\"[US_SSN]\"},\"payment\":{\"card\":\"[CREDIT_CARD]\",\"iban\":\"[IBAN]\"},\"note\":\"call me at [PHONE], ip [IPV4]\",\"password\":\"[SECRET]\"}\n");
    REDACT_E(
        E, VEIL_FMT_JSON, VEIL_ACT_DROP, json_doc,
        "{\"id\":\"3d496fa0-87f8-4c15-97be-414c7cd754db\",\"user\":{\"name\":\"\",\"email\":\"\",\"phone\":\"\",\"ssn\":\"\"},\"payment\":{\"card\":\"\",\"iban\":\"\"},\"note\":\"call me at , ip \",\"password\":\"\"}\n");
    REDACT_E(
        E, VEIL_FMT_TEXT, VEIL_ACT_LABEL, json_doc,
        "{\"id\":\"3d496fa0-87f8-4c15-97be-414c7cd754db\",\"user\":{\"name\":\"[PERSON_NAME]\",\"email\":\"[EMAIL]\",\"phone\":\"[PHONE]\",\"ssn\":\"[US_SSN]\"},\"payment\":{\"card\":\"[CREDIT_CARD]\",\"iban\":\"[IBAN]\"},\"note\":\"call me at [PHONE], ip [IPV4]\",\"password\":\"[SECRET]\"}\n");
    REDACT_E(E, VEIL_FMT_FORM, VEIL_ACT_LABEL,
             "email=jane%40example.com&card=4111+1111+1111+1111&name=Jane+Doe&q=x",
             "email=[EMAIL]&card=[CREDIT_CARD]&name=[PERSON_NAME]&q=x");
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
    CHECK_STR(
        fa,
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

/* Where each write's bytes come from: the caller's buffer or not. */
typedef struct {
    const char *in;
    size_t in_len, from_input, copied, writes;
} origin_t;

static int origin_write(void *ud, const char *data, size_t len)
{
    origin_t *o = ud;
    if (data >= o->in && data + len <= o->in + o->in_len) {
        o->from_input += len;
    } else {
        o->copied += len;
    }
    o->writes++;
    return 0;
}

/* A body with no finding is written straight from the caller's buffer
   (in one write, less the scanner's hold-back tail, which is held and
   written at the end); around a finding, the untouched runs are too. */
TEST(untouched_bytes_are_not_copied)
{
    static char in[20000];
    for (size_t i = 0; i < sizeof(in); i++) {
        in[i] = "plain words and nothing else here. "[i % 35];
    }
    veil_redactor_options_t o = {0};
    origin_t org = {in, sizeof(in), 0, 0, 0};
    o.format = VEIL_FMT_TEXT;
    o.action = VEIL_ACT_LABEL;
    o.write = origin_write;
    o.write_ud = &org;
    veil_redactor_t *r = veil_redactor_new(E, &o);
    CHECK_EQ(veil_redactor_feed(r, in, sizeof(in)), 0);
    CHECK_EQ(org.writes, 1);
    CHECK(org.from_input >= sizeof(in) - 256);
    CHECK_EQ(org.copied, 0);
    CHECK_EQ(veil_redactor_finish(r), 0);
    CHECK_EQ(org.from_input + org.copied, sizeof(in));
    veil_redactor_free(r);

    memcpy(in + 9000, " jane@example.com ", 18);
    org = (origin_t){in, sizeof(in), 0, 0, 0};
    r = veil_redactor_new(E, &o);
    CHECK_EQ(veil_redactor_feed(r, in, sizeof(in)), 0);
    CHECK_EQ(veil_redactor_finish(r), 0);
    /* the label, and the tail held back at the end, are the only copies */
    CHECK_EQ(org.from_input + org.copied, sizeof(in) - 16 + strlen("[EMAIL]"));
    CHECK(org.copied <= strlen("[EMAIL]") + 256);
    veil_redactor_free(r);
}

TEST(per_detector_actions)
{
    uint8_t acts[VEIL_CATALOG_MAX];
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

/* Redacts <in> whole with a new redactor; the output in <out>. */
typedef struct {
    char buf[4097];
    size_t len;
} outbuf_t;

static int to_outbuf(void *ud, const char *data, size_t len)
{
    outbuf_t *o = ud;
    if (o->len + len >= sizeof(o->buf)) {
        return -1;
    }
    memcpy(o->buf + o->len, data, len);
    o->len += len;
    o->buf[o->len] = '\0';
    return 0;
}

/* Redacts <in> into <o> with options <ro> (its writer set here): the
   first <first> bytes in one feed, then the rest in pieces of <step>;
   with <finish> 0 the redactor is freed holding what it held back. */
static void redact_pieces(const veil_engine_t *e, veil_redactor_options_t *ro, const char *in,
                          size_t first, size_t step, outbuf_t *o, int finish)
{
    size_t n = strlen(in), off = first < n ? first : n;
    ro->write = to_outbuf;
    ro->write_ud = o;
    o->len = 0;
    o->buf[0] = '\0';
    veil_redactor_t *r = veil_redactor_new(e, ro);
    CHECK(r != NULL);
    if (r == NULL) {
        return;
    }
    CHECK(veil_redactor_feed(r, in, off) == 0);
    if (finish) {
        while (off < n) {
            size_t k = n - off < step ? n - off : step;
            CHECK(veil_redactor_feed(r, in + off, k) == 0);
            off += k;
        }
        CHECK(veil_redactor_finish(r) == 0);
    }
    veil_redactor_free(r); /* unfinished: freed with bytes held back */
}

/* Options with a format and an action, the rest at their defaults. */
static veil_redactor_options_t options_of(veil_format_t fmt, veil_action_t act)
{
    veil_redactor_options_t ro;
    memset(&ro, 0, sizeof(ro));
    ro.format = fmt;
    ro.action = act;
    return ro;
}

static void redact_with(const veil_engine_t *e, veil_format_t fmt, veil_action_t act,
                        const char *in, size_t cut, outbuf_t *o, int finish)
{
    veil_redactor_options_t ro = options_of(fmt, act);
    redact_pieces(e, &ro, in, cut, SIZE_MAX, o, finish);
}

/* Freed redactors are reused by the next veil_redactor_new() on the
   thread: each must start clean, whatever the last stream's format,
   engine (custom patterns, more detectors) and state (freed mid-stream,
   in a string, deep in a document). Every run is compared with the
   output of the first run of its kind. */
TEST(reused_redactors_start_clean)
{
    static const veil_custom_detector_t emp = {
        "employee_id", VEIL_CAT_GOVERNMENT_ID, 0, "EMP-[0-9]{6}", NULL, NULL, 0, VEIL_CONF_HIGH};
    veil_engine_options_t eo;
    char err[256];
    memset(&eo, 0, sizeof(eo));
    eo.custom = &emp;
    eo.custom_count = 1;
    veil_engine_t *ce = veil_engine_new(&eo, err, sizeof(err));
    CHECK(ce != NULL);
    if (ce == NULL) {
        return;
    }
    static const char deep[] = "{\"a\":[{\"b\":{\"email\":\"x@example.com\",\"c\":[[[\"4111";
    static const char text[] = "badge EMP-123456 mail jane@example.com card 4111 1111 1111 1111\n";
    static const char form[] = "q=EMP-654321&email=a%40b.example&card=4111111111111111";
    outbuf_t first[4], now;
    for (int round = 0; round < 6; round++) {
        outbuf_t junk;
        /* Leave a spare in every state: mid-document, mid-string. */
        redact_with(E, VEIL_FMT_JSON, VEIL_ACT_MASK, deep, sizeof(deep), &junk, 0);
        redact_with(E, VEIL_FMT_FORM, VEIL_ACT_MASK, "email=jane%4", 99, &junk, 0);

        redact_with(ce, VEIL_FMT_TEXT, VEIL_ACT_LABEL, text, (size_t)round * 7, &now, 1);
        if (round == 0) {
            first[0] = now;
            CHECK_STR(now.buf, "badge [EMPLOYEE_ID] mail [EMAIL] card [CREDIT_CARD]\n");
        }
        CHECK(now.len == first[0].len && memcmp(now.buf, first[0].buf, now.len) == 0);

        redact_with(E, VEIL_FMT_TEXT, VEIL_ACT_LABEL, text, (size_t)round * 5, &now, 1);
        if (round == 0) {
            first[1] = now;
            CHECK_STR(now.buf, "badge EMP-123456 mail [EMAIL] card [CREDIT_CARD]\n");
        }
        CHECK(now.len == first[1].len && memcmp(now.buf, first[1].buf, now.len) == 0);

        redact_with(ce, VEIL_FMT_FORM, VEIL_ACT_LABEL, form, (size_t)round * 3, &now, 1);
        if (round == 0) {
            first[2] = now;
            CHECK_STR(now.buf, "q=[EMPLOYEE_ID]&email=[EMAIL]&card=[CREDIT_CARD]");
        }
        CHECK(now.len == first[2].len && memcmp(now.buf, first[2].buf, now.len) == 0);

        redact_with(E, VEIL_FMT_JSON, VEIL_ACT_LABEL, json_doc, (size_t)round * 11, &now, 1);
        if (round == 0) {
            first[3] = now;
        }
        CHECK(now.len == first[3].len && memcmp(now.buf, first[3].buf, now.len) == 0);
    }
    veil_engine_free(ce);
}

/* Field rules: a callback naming places; the test's rules below. */
static int rule_calls;

static int test_rules(void *ud, int place, const char *path, size_t len)
{
    (void)ud;
    rule_calls++;
    struct {
        int place;
        const char *path;
        int action;
    } rules[] = {
        {VEIL_PLACE_JSON, "$.payment.cvv", VEIL_ACT_DROP},
        {VEIL_PLACE_JSON, "$.items[0].iban", VEIL_ACT_LABEL},
        {VEIL_PLACE_JSON, "$.items[1].iban", VEIL_ACT_MASK},
        {VEIL_PLACE_JSON, "$['a.b']", VEIL_ACT_MASK},
        {VEIL_PLACE_JSON, "$.n", VEIL_ACT_LABEL},
        {VEIL_PLACE_JSON, "$.deep[1][0].x", VEIL_ACT_LABEL},
        {VEIL_PLACE_FORM, "cvv", VEIL_ACT_DROP},
    };
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        if (rules[i].place == place && strlen(rules[i].path) == len &&
            memcmp(rules[i].path, path, len) == 0) {
            return rules[i].action;
        }
    }
    return -1;
}

static void count_findings(void *ud, const veil_finding_t *f)
{
    (void)f;
    (*(int *)ud)++;
}

/* Redacts <in> with the test's rules, fed in pieces of <step> bytes. */
static void redact_rules(veil_format_t fmt, const char *in, size_t step, outbuf_t *o, int *told)
{
    veil_redactor_options_t ro = options_of(fmt, VEIL_ACT_LABEL);
    ro.on_finding = count_findings;
    ro.finding_ud = told;
    ro.field_action = test_rules;
    *told = 0;
    redact_pieces(E, &ro, in, step, step, o, 1);
}

/* Values at the places field rules name are transformed whole with the
   rule's action, whatever they hold, with JSON paths built from keys and
   array indexes (keys that are not plain names in brackets); other values
   are scanned as usual; rule values are not findings. Every chunking gives
   the same bytes. */
TEST(field_rules)
{
    static const char doc[] =
        "{\"payment\":{\"cvv\":\"123\",\"card\":\"4111 1111 1111 1111\"},"
        "\"items\":[{\"iban\":\"plain\"},{\"iban\":\"ab-12\"},{\"iban\":\"z\"}],"
        "\"a.b\":\"dot\",\"n\":12345,\"deep\":[[1],[{\"x\":\"\\u0041b\"}]],"
        "\"note\":\"mail jane@example.com\"}";
    static const char want[] =
        "{\"payment\":{\"cvv\":\"\",\"card\":\"[CREDIT_CARD]\"},"
        "\"items\":[{\"iban\":\"[PII]\"},{\"iban\":\"**-**\"},{\"iban\":\"[IBAN]\"}],"
        "\"a.b\":\"***\",\"n\":\"[PII]\",\"deep\":[[1],[{\"x\":\"[PII]\"}]],"
        "\"note\":\"mail [EMAIL]\"}";
    outbuf_t o;
    int told;
    static const size_t steps[] = {1, 2, 3, 7, 64, 4096};
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        rule_calls = 0;
        redact_rules(VEIL_FMT_JSON, doc, steps[i], &o, &told);
        CHECK_STR(o.buf, want);
        /* The card, the third iban (a sensitive key, no rule) and the
           e-mail: detections only. */
        CHECK_EQ(told, 3);
        CHECK(rule_calls >= 10); /* asked for every scalar value */
    }
    redact_rules(VEIL_FMT_FORM, "q=a&cvv=123&card=4111111111111111", 1, &o, &told);
    CHECK_STR(o.buf, "q=a&cvv=&card=[CREDIT_CARD]");
    CHECK_EQ(told, 1);
}

/* Kept redactors that a period never took are freed by the next settle;
   those it took (or that were freed during it) stay one more period. */
TEST(settle_frees_unused_spares)
{
    veil_redactor_options_t ro = {
        .format = VEIL_FMT_TEXT, .action = VEIL_ACT_LABEL, .write = to_outbuf};
    static outbuf_t o;
    veil_redactor_t *r[3];

    ro.write_ud = &o;
    veil_redactor_settle(1); /* what earlier tests left on this thread */
    CHECK_EQ(veil_redactor_settle(1), 0);
    for (int i = 0; i < 3; i++) {
        r[i] = veil_redactor_new(E, &ro);
        CHECK(r[i] != NULL);
    }
    for (int i = 0; i < 3; i++) {
        veil_redactor_free(r[i]);
    }
    /* Freed in this period: kept. */
    CHECK_EQ(veil_redactor_settle(0), 0);
    /* One taken and given back: the other two sat unused all period. */
    r[0] = veil_redactor_new(E, &ro);
    CHECK(r[0] != NULL);
    o.len = 0;
    CHECK_EQ(veil_redactor_feed(r[0], "mail jane@example.com", 21), 0);
    CHECK_EQ(veil_redactor_finish(r[0]), 0);
    CHECK_EQ(o.len, 12);
    CHECK(memcmp(o.buf, "mail [EMAIL]", 12) == 0);
    veil_redactor_free(r[0]);
    CHECK_EQ(veil_redactor_settle(0), 2);
    /* A period without any use frees the last one; then none is left. */
    CHECK_EQ(veil_redactor_settle(0), 1);
    CHECK_EQ(veil_redactor_settle(1), 0);
    /* A redactor made after the spares went works as before. */
    r[0] = veil_redactor_new(E, &ro);
    CHECK(r[0] != NULL);
    o.len = 0;
    CHECK_EQ(veil_redactor_feed(r[0], "mail jane@example.com", 21), 0);
    CHECK_EQ(veil_redactor_finish(r[0]), 0);
    CHECK_EQ(o.len, 12);
    veil_redactor_free(r[0]);
    CHECK_EQ(veil_redactor_settle(1), 1);
}

/* Spans where no name or address starts (the proxy's field names and
   dates): the names pass starts nothing there at any cut of the feeds,
   every other detector reads them, and a redactor reused without spans
   reads names everywhere again. */
TEST(no_names_spans)
{
    static const char in[] = "Dear Maria Garcia, mail maria@example.com\n"
                             "Dear Maria Garcia, mail maria@example.com\n"
                             "Dear Maria Garcia, 12 Baker Street, London\n";
    static const uint64_t spans[2][2] = {{0, 41}, {84, 126}};
    outbuf_t o;
    for (size_t cut = 0; cut < sizeof(in); cut += 5) {
        veil_redactor_options_t ro = options_of(VEIL_FMT_TEXT, VEIL_ACT_LABEL);
        ro.no_names = spans;
        ro.n_no_names = 2;
        redact_pieces(E, &ro, in, cut, 7, &o, 1);
        CHECK_STR(o.buf, "Dear Maria Garcia, mail [EMAIL]\n"
                         "Dear [PERSON_NAME], mail [EMAIL]\n"
                         "Dear Maria Garcia, 12 Baker Street, London\n");
    }
    redact_with(E, VEIL_FMT_TEXT, VEIL_ACT_LABEL, in, 9, &o, 1);
    CHECK_STR(o.buf, "Dear [PERSON_NAME], mail [EMAIL]\n"
                     "Dear [PERSON_NAME], mail [EMAIL]\n"
                     "Dear [PERSON_NAME], [ADDRESS], London\n");
}

/* Lines that are values of their own (a head's fields) are no CSV
   table: a header row names no column, so the cells under it are read
   as any text. */
TEST(no_tables)
{
    static const char in[] = "first_name,last_name\nMaria,Garcia\n";
    outbuf_t o;
    veil_redactor_options_t ro = options_of(VEIL_FMT_TEXT, VEIL_ACT_LABEL);
    redact_pieces(E, &ro, in, 5, 3, &o, 1);
    CHECK_STR(o.buf, "first_name,last_name\n[PERSON_NAME],[PERSON_NAME]\n");
    ro.no_tables = 1;
    redact_pieces(E, &ro, in, 5, 3, &o, 1);
    CHECK_STR(o.buf, in);
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
    RUN(untouched_bytes_are_not_copied);
    RUN(per_detector_actions);
    RUN(bounded);
    RUN(empty);
    RUN(reused_redactors_start_clean);
    RUN(field_rules);
    RUN(settle_frees_unused_spares);
    RUN(no_names_spans);
    RUN(no_tables);
    veil_engine_free(E);
    TEST_MAIN_END;
}
