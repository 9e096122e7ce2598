/*
 * What the engine fuzz targets (fuzz_scan.c, and fuzz_json.c and
 * fuzz_form.c through it) and the findings dump (findings_dump.c) share:
 * the four engines an input can pick, and how the two header bytes of an
 * input pick the engine, the format and the actions. The dump reads the
 * fuzz corpora exactly as the targets do.
 */
#ifndef VEIL_FUZZ_COMMON_H
#define VEIL_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "veil/scan.h"
#include "veil/transform.h"

#define FUZZ_ASSERT(cond)                                                                \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                     \
        }                                                                                \
    } while (0)

/* Custom detectors: short and long matches, a validator, context words
   required or not. */
/* clang-format off */
static const veil_custom_detector_t fuzz_custom[] = {
    {"order_ref", VEIL_CAT_FINANCIAL, 0, "ORD-[0-9]{6,12}", NULL, "order", 0, VEIL_CONF_MEDIUM},
    {"employee_id", VEIL_CAT_GOVERNMENT_ID, 0, "EMP[0-9]{5}", NULL, "employee", 1,
     VEIL_CONF_MEDIUM},
    {"luhn_ref", VEIL_CAT_FINANCIAL, 0, "\\b8[0-9]{15}\\b", "luhn", NULL, 0, VEIL_CONF_HIGH},
    {"long_token", VEIL_CAT_CREDENTIALS, 0, "TOK_[A-Za-z0-9+/]{8,4000}={0,2}", NULL, NULL, 0,
     VEIL_CONF_HIGH},
    {"ticket", VEIL_CAT_CONTACT, 0, "(?i)ticket #?[0-9]{3,8}", NULL, NULL, 0, VEIL_CONF_LOW},
};
/* clang-format on */

static const char *const fuzz_allow_values[] = {"jane@example.com", "4111111111111111",
                                                "203.0.113.42"};
static const char *const fuzz_allow_patterns[] = {"[a-z]+@example\\.org"};

static veil_hash_key_t fuzz_hash_key = {
    .id = "fuzz", .bytes = "0123456789abcdef0123456789abcdef", .len = 32};

/* The engines, made once: [0] defaults, [1] min_confidence low, [2] low
   with the allowlist, [3] low with the custom detectors. */
static const veil_engine_t *const *fuzz_engines(void)
{
    static veil_engine_t *engines[4];
    char err[256];

    if (engines[0] == NULL) {
        veil_engine_options_t lo;
        memset(&lo, 0, sizeof(lo));
        lo.min_confidence = VEIL_CONF_LOW;
        engines[0] = veil_engine_new(NULL, err, sizeof(err));
        engines[1] = veil_engine_new(&lo, err, sizeof(err));
        lo.allow_values = fuzz_allow_values;
        lo.allow_values_count = sizeof(fuzz_allow_values) / sizeof(fuzz_allow_values[0]);
        lo.allow_patterns = fuzz_allow_patterns;
        lo.allow_patterns_count = 1;
        engines[2] = veil_engine_new(&lo, err, sizeof(err));
        memset(&lo, 0, sizeof(lo));
        lo.min_confidence = VEIL_CONF_LOW;
        lo.custom = fuzz_custom;
        lo.custom_count = sizeof(fuzz_custom) / sizeof(fuzz_custom[0]);
        engines[3] = veil_engine_new(&lo, err, sizeof(err));
        FUZZ_ASSERT(engines[0] != NULL && engines[1] != NULL && engines[2] != NULL &&
                    engines[3] != NULL);
    }
    return (const veil_engine_t *const *)engines;
}

/*
 * One input, decoded. Two header bytes, then the body:
 *   byte 0, bits 0-1: format (fuzz_scan only: 0/3 text, 1 JSON, 2 form;
 *                     fuzz_json and fuzz_form fix it)
 *           bit 2:    min_confidence low (else the default, medium)
 *           bits 3-4: the third action run besides mask and label
 *                     (mask, label, hash, drop)
 *           bit 5:    an engine with an allowlist (overrides bit 2)
 *           bit 6:    an engine with custom detectors (overrides 2, 5)
 *           bit 7:    also redact with field rules (JSON and form)
 *   byte 1:          seed of the random cut
 */
typedef struct {
    const veil_engine_t *engine;
    veil_format_t format;
    int allow; /* the allowlist engine */
    int rules; /* field rules too (bit 7) */
    veil_action_t third;
    uint32_t seed;
    const uint8_t *body;
    size_t len;
} fuzz_case_t;

/* fuzz_case(): 0 with <c> filled, -1 for an input too short to have a
   header. <fixed_format> < 0: the header picks it. */
static int fuzz_case(const uint8_t *data, size_t size, int fixed_format, fuzz_case_t *c)
{
    const veil_engine_t *const *engines = fuzz_engines();

    if (size < 2) {
        return -1;
    }
    if (fixed_format >= 0) {
        c->format = (veil_format_t)fixed_format;
    } else {
        static const veil_format_t by_bits[4] = {VEIL_FMT_TEXT, VEIL_FMT_JSON, VEIL_FMT_FORM,
                                                 VEIL_FMT_TEXT};
        c->format = by_bits[data[0] & 3];
    }
    int custom_engine = (data[0] >> 6) & 1;
    c->allow = (data[0] >> 5) & 1 && !custom_engine;
    c->engine = engines[custom_engine ? 3 : c->allow ? 2 : (data[0] >> 2) & 1];
    c->third = (veil_action_t)((data[0] >> 3) & 3);
    c->rules = (data[0] >> 7) & 1 && c->format != VEIL_FMT_TEXT;
    c->seed = 0x9e3779b9u ^ ((uint32_t)data[1] * 2654435761u);
    c->body = data + 2;
    c->len = size - 2;
    return 0;
}

/* Field rules that depend on the place only: JSON values under a key
   ending in 'a' or in the second item of an array are dropped, keys ending
   in 'b' labelled; form fields starting with 'p' masked. */
static int fuzz_rules(void *ud, int place, const char *path, size_t len)
{
    (void)ud;
    FUZZ_ASSERT(len > 0 && len <= 256);
    if (place == VEIL_PLACE_JSON) {
        FUZZ_ASSERT(path[0] == '$');
        if (len >= 3 && memcmp(path + len - 3, "[1]", 3) == 0) {
            return VEIL_ACT_DROP;
        }
        return path[len - 1] == 'a' ? VEIL_ACT_DROP : path[len - 1] == 'b' ? VEIL_ACT_LABEL : -1;
    }
    FUZZ_ASSERT(place == VEIL_PLACE_FORM);
    return path[0] == 'p' ? VEIL_ACT_MASK : -1;
}

/* A growing output buffer for the redactor's write callback. */
typedef struct {
    uint8_t *buf;
    size_t len, cap;
} sink_t;

static int sink_write(void *ud, const char *data, size_t len)
{
    sink_t *k = ud;
    if (len == 0) {
        return 0;
    }
    if (k->len + len > k->cap) {
        size_t cap = k->cap ? k->cap : 1024;
        while (cap < k->len + len) {
            cap *= 2;
        }
        k->buf = realloc(k->buf, cap);
        FUZZ_ASSERT(k->buf != NULL);
        k->cap = cap;
    }
    memcpy(k->buf + k->len, data, len);
    k->len += len;
    return 0;
}

#endif
