/*
 * Custom detectors from the configuration: one alternation, streamed with
 * partial matching, validators by name, context words, and the checks that
 * refuse a bad pattern.
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "veil/scan.h"
#include "veil/transform.h"

typedef struct {
    veil_finding_t f[32];
    size_t n;
} found_t;

static void collect(void *ud, const veil_finding_t *f)
{
    found_t *c = ud;
    if (c->n < 32) {
        c->f[c->n++] = *f;
    }
}

static const veil_custom_detector_t employee = {
    "employee_id", VEIL_CAT_GOVERNMENT_ID, VEIL_REG_GDPR, "\\bEMP-\\d{6}\\b", NULL, NULL, 0,
    VEIL_CONF_HIGH};
static const veil_custom_detector_t member = {
    "member_card",   VEIL_CAT_FINANCIAL, 0, "(?<=\\bMC)\\d{16}\\b", "luhn", NULL, 0,
    VEIL_CONF_MEDIUM};
static const veil_custom_detector_t policy = {"policy_number",
                                              VEIL_CAT_HEALTH,
                                              VEIL_REG_HIPAA,
                                              "\\b[A-Z]{3}\\d{7}\\b",
                                              NULL,
                                              "policy,insurance",
                                              1,
                                              VEIL_CONF_MEDIUM};

static veil_engine_t *engine_with(const veil_custom_detector_t *c, size_t n, char *err)
{
    veil_engine_options_t o = {0};
    o.custom = c;
    o.custom_count = n;
    return veil_engine_new(&o, err, 256);
}

/* A validator judges the whole match: a prefix that is not part of the
   value goes in a lookbehind. */

/* Feeds <text> in pieces of <step> bytes (0: whole). */
static void scan(const veil_engine_t *e, const char *text, size_t step, found_t *out)
{
    memset(out, 0, sizeof(*out));
    veil_scanner_t *s = veil_scanner_new(e, VEIL_FMT_TEXT, collect, out);
    size_t len = strlen(text);
    if (step == 0) {
        step = len;
    }
    for (size_t k = 0; k < len; k += step) {
        veil_scanner_feed(s, text + k, len - k < step ? len - k : step);
    }
    veil_scanner_finish(s);
    veil_scanner_free(s);
}

TEST(custom_ids_follow_builtins)
{
    veil_custom_detector_t both[2] = {employee, member};
    char err[256];
    veil_engine_t *e = engine_with(both, 2, err);
    CHECK(e != NULL);
    CHECK_EQ(veil_engine_detector_count(e), veil_catalog_count() + 2);
    CHECK_EQ(veil_engine_find(e, "member_card"), (long long)veil_catalog_count() + 1);
    CHECK_STR(veil_engine_detector(e, veil_catalog_count())->label, "EMPLOYEE_ID");
    CHECK_EQ(veil_engine_find(e, "email"), veil_catalog_find("email"));
    veil_engine_free(e);
}

TEST(custom_match_any_split)
{
    veil_custom_detector_t both[2] = {employee, member};
    char err[256];
    veil_engine_t *e = engine_with(both, 2, err);
    /* MC4111111111111111 passes Luhn; MC4111111111111112 does not. */
    const char *text = "badge EMP-004211 card MC4111111111111111 bad MC4111111111111112 "
                       "mail jo@example.com EMP-1234567";
    found_t whole, split;
    scan(e, text, 0, &whole);
    CHECK_EQ(whole.n, 3);
    CHECK_EQ(whole.f[0].offset, 6);
    CHECK_EQ(whole.f[0].length, 10);
    CHECK_EQ(whole.f[0].detector, veil_engine_find(e, "employee_id"));
    CHECK_EQ(whole.f[0].confidence, VEIL_CONF_HIGH);
    CHECK_EQ(whole.f[1].offset, 24);
    CHECK_EQ(whole.f[1].detector, veil_engine_find(e, "member_card"));
    CHECK_EQ(whole.f[2].detector, veil_engine_find(e, "email"));
    for (size_t step = 1; step < 12; step++) {
        scan(e, text, step, &split);
        CHECK_EQ(split.n, whole.n);
        for (size_t k = 0; k < whole.n && k < split.n; k++) {
            CHECK_EQ(split.f[k].offset, whole.f[k].offset);
            CHECK_EQ(split.f[k].length, whole.f[k].length);
            CHECK_EQ(split.f[k].detector, whole.f[k].detector);
        }
    }
    veil_engine_free(e);
}

TEST(custom_context_required)
{
    char err[256];
    veil_engine_t *e = engine_with(&policy, 1, err);
    found_t out;
    scan(e, "order ABC1234567 shipped", 0, &out);
    CHECK_EQ(out.n, 0);
    scan(e, "your insurance policy ABC1234567 renews", 0, &out);
    CHECK_EQ(out.n, 1);
    CHECK_EQ(out.f[0].offset, 22);
    CHECK_EQ(out.f[0].confidence, VEIL_CONF_HIGH);
    veil_engine_free(e);
}

static int write_buf(void *ud, const char *p, size_t n)
{
    char *out = ud;
    strncat(out, p, n);
    return 0;
}

TEST(custom_label_in_redaction)
{
    char err[256], out[256] = "";
    veil_engine_t *e = engine_with(&employee, 1, err);
    veil_redactor_options_t ro = {0};
    ro.format = VEIL_FMT_JSON;
    ro.action = VEIL_ACT_LABEL;
    ro.write = write_buf;
    ro.write_ud = out;
    veil_redactor_t *r = veil_redactor_new(e, &ro);
    const char *in = "{\"note\":\"badge EMP-004211\"}";
    veil_redactor_feed(r, in, strlen(in));
    veil_redactor_finish(r);
    CHECK_STR(out, "{\"note\":\"badge [EMPLOYEE_ID]\"}");
    veil_redactor_free(r);
    veil_engine_free(e);
}

TEST(custom_refused)
{
    static const struct {
        veil_custom_detector_t d;
        const char *why;
    } bad[] = {
        {{"x", VEIL_CAT_CONTACT, 0, "a*", NULL, NULL, 0, 0}, "matches the empty string"},
        {{"x", VEIL_CAT_CONTACT, 0, "(a)\\1", NULL, NULL, 0, 0}, "backreferences"},
        {{"x", VEIL_CAT_CONTACT, 0, "(unclosed", NULL, NULL, 0, 0}, "pattern error"},
        {{"email", VEIL_CAT_CONTACT, 0, "abc", NULL, NULL, 0, 0}, "built-in"},
        {{"x", VEIL_CAT_CONTACT, 0, "abc", "nope", NULL, 0, 0}, "unknown validator"},
    };
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        char err[256] = "";
        veil_engine_t *e = engine_with(&bad[k].d, 1, err);
        CHECK(e == NULL);
        CHECK(strstr(err, bad[k].why) != NULL);
        veil_engine_free(e);
    }
}

TEST(custom_json_hold_back_bounded)
{
    /* A JSON body with a custom finding early, then values without
       built-in triggers: with custom patterns configured, every value
       goes to the text layer, whose frontier moves with the body, so the
       safe offset follows the bytes fed; every split reports the same
       finding. */
    veil_custom_detector_t one[1] = {employee};
    char err[256];
    veil_engine_t *e = engine_with(one, 1, err);
    CHECK(e != NULL);
    size_t cap = 1 << 19, len = 0;
    char *in = malloc(cap);
    len += (size_t)snprintf(in + len, cap - len,
                            "[{\"badge\":\"EMP-004211\",\"note\":\"Shipped by Anna\"}");
    for (int k = 0; len + 100 < cap && k < 4000; k++) {
        len += (size_t)snprintf(in + len, cap - len,
                                ",{\"id\":%d,\"sku\":\"SKU-%06d\",\"note\":\"order shipped\"}",
                                100000 + k, k);
    }
    len += (size_t)snprintf(in + len, cap - len, "]");
    for (size_t step = 4096; step >= 1024; step /= 2) {
        found_t got;
        memset(&got, 0, sizeof(got));
        veil_scanner_t *s = veil_scanner_new(e, VEIL_FMT_JSON, collect, &got);
        size_t worst = 0;
        for (size_t off = 0; off < len; off += step) {
            size_t n = len - off < step ? len - off : step;
            veil_scanner_feed(s, in + off, n);
            uint64_t safe = veil_scanner_safe_offset(s);
            if (off + n > 8192 && off + n - (size_t)safe > worst) {
                worst = off + n - (size_t)safe;
            }
        }
        veil_scanner_finish(s);
        veil_scanner_free(s);
        CHECK(worst < 1024);
        CHECK_EQ(got.n, 1);
        CHECK_EQ(got.f[0].offset, 11);
        CHECK_EQ(got.f[0].detector, veil_engine_find(e, "employee_id"));
    }
    free(in);
    veil_engine_free(e);
}

/* A "name" value that reads as no person's name and has no byte a
   built-in detector starts on is not scanned without custom patterns;
   with them it is, as every value is (a custom pattern may match
   anything). */
TEST(custom_under_name_key)
{
    static const veil_custom_detector_t codename = {
        "codename", VEIL_CAT_GOVERNMENT_ID, 0, "\\bbluebird\\b", NULL, NULL, 0, VEIL_CONF_HIGH};
    static const char body[] = "{\"reactions\":[{\"name\":\"bluebird\",\"count\":2}],"
                               "\"user\":{\"name\":\"bluebird\"}}";
    char err[256];
    veil_engine_t *e = engine_with(&codename, 1, err);
    CHECK(e != NULL);
    for (size_t step = 1; step <= sizeof(body); step += step < 8 ? 1 : 16) {
        found_t got;
        memset(&got, 0, sizeof(got));
        veil_scanner_t *s = veil_scanner_new(e, VEIL_FMT_JSON, collect, &got);
        for (size_t k = 0; k < sizeof(body) - 1; k += step) {
            veil_scanner_feed(s, body + k,
                              sizeof(body) - 1 - k < step ? sizeof(body) - 1 - k : step);
        }
        veil_scanner_finish(s);
        veil_scanner_free(s);
        CHECK_EQ(got.n, 2);
        CHECK_EQ(got.f[0].offset, 23);
        CHECK_EQ(got.f[1].offset, 61);
        CHECK_EQ(got.f[0].detector, veil_engine_find(e, "codename"));
    }
    veil_engine_free(e);
}

int main(void)
{
    RUN(custom_ids_follow_builtins);
    RUN(custom_match_any_split);
    RUN(custom_context_required);
    RUN(custom_label_in_redaction);
    RUN(custom_refused);
    RUN(custom_json_hold_back_bounded);
    RUN(custom_under_name_key);
    TEST_MAIN_END;
}
