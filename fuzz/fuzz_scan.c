/*
 * Fuzz target: the detection engine's scanner and streaming redactor.
 *
 * Input: two header bytes, then the body.
 *   byte 0, bits 0-1: format (fuzz_scan only: 0/3 text, 1 JSON, 2 form;
 *                     fuzz_json and fuzz_form fix it)
 *           bit 2:    min_confidence low (else the default, medium)
 *           bits 3-4: the third action run besides mask and label
 *                     (mask, label, hash, drop)
 *           bit 5:    an engine with an allowlist (overrides bit 2)
 *           bit 6:    an engine with custom detectors (overrides 2, 5)
 *           bit 7:    also redact with field rules (JSON and form)
 *   byte 1:          seed of the random cut
 *
 * Invariants (abort on violation):
 * - the scanner reports the same findings (offset, length, detector,
 *   confidence, flags) fed whole and fed in random pieces;
 * - findings are sorted, non-overlapping, non-empty and inside the input;
 *   the safe offset never moves back, never passes the bytes fed, and no
 *   finding starts before an offset already declared safe;
 * - the redactor writes the same bytes fed whole and in pieces, its
 *   offset never moves back, it tells findings in order, and it ends
 *   having written every input byte;
 * - mask: every byte of a finding is '*' except separators (and a card's
 *   last four digits), a bare JSON token's replacement is quoted, and every
 *   byte outside findings is copied: the output is rebuilt independently
 *   and compared byte for byte; no finding's value of 8+ bytes appears at
 *   its place;
 * - label: the output is rebuilt as the input with each finding replaced
 *   by [LABEL] (quoted for bare JSON tokens, followed by the finding's
 *   newlines): no original finding byte is left where it was replaced;
 * - every action keeps the number of lines;
 * - allowlist: no finding's raw value is an allowed value or matches the
 *   allowed pattern (text; structured values may be escaped);
 * - JSON: a body that is a sequence of valid JSON values stays one after
 *   every action;
 * - field rules: the engine asks with well-formed places (a JSON path
 *   starting with '$', at most 256 bytes); the output is the same fed
 *   whole and in pieces, keeps the number of lines and valid JSON;
 * - multipart: parts that are not inspected are reported (to the scanner
 *   here, as to a redactor) as pieces in order, the last of a part without
 *   VEIL_FIND_MORE; the redactor writes "[SKIPPED <reason> part, N bytes]"
 *   and the part's line breaks for each part (the rebuilt output says
 *   so, N the part's whole length); with keep_skipped the output is the
 *   input with the findings replaced.
 *
 * fuzz_json.c, fuzz_form.c, fuzz_multipart.c and fuzz_xml.c include this
 * file with VEIL_FUZZ_FORMAT set.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "veil/scan.h"
#include "veil/transform.h"

#define FUZZ_ASSERT(cond)                                                        \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                      \
            abort();                                                             \
        }                                                                        \
    } while (0)

#define MAX_FINDINGS 8192

/* The engine's own switch for skipped parts (detectors/scanner.h): the
   scanner reports them as a redactor's scanner does. */
void veil__scanner_report_skips(veil_scanner_t *s, int on);

/* Set by fuzz_multipart.c: the body type (a boundary), or NULL. */
static const veil_body_type_t *fuzz_type;

typedef struct {
    veil_finding_t *f;
    size_t n;
    uint64_t floor;
} findings_t;

static void on_finding(void *ud, const veil_finding_t *f)
{
    findings_t *l = ud;
    FUZZ_ASSERT(f->length > 0);
    FUZZ_ASSERT(f->offset >= l->floor);
    if (l->n > 0) {
        const veil_finding_t *p = &l->f[l->n - 1];
        FUZZ_ASSERT(f->offset >= p->offset + p->length);
        /* The pieces of a skipped part follow each other without a gap. */
        if (p->flags & VEIL_FIND_MORE) {
            FUZZ_ASSERT((f->flags & VEIL_FIND_SKIP) && f->offset == p->offset + p->length &&
                        f->detector == p->detector);
        }
    }
    if (f->flags & VEIL_FIND_SKIP) {
        FUZZ_ASSERT(f->detector < VEIL_SKIP__COUNT);
    } else {
        FUZZ_ASSERT(!(f->flags & VEIL_FIND_MORE));
    }
    FUZZ_ASSERT(l->n < MAX_FINDINGS);
    l->f[l->n++] = *f;
}

static uint32_t rng_state;

static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

/* The cut: piece sizes from 1 byte to a few hundred. */
static size_t cut_next(size_t left)
{
    uint32_t r = rng();
    size_t k;
    switch (r & 3) {
    case 0:
        k = 1;
        break;
    case 1:
        k = 1 + (r >> 8) % 8;
        break;
    case 2:
        k = 1 + (r >> 8) % 64;
        break;
    default:
        k = 1 + (r >> 8) % 512;
        break;
    }
    return k < left ? k : left;
}

static void scan(const veil_engine_t *e, veil_format_t fmt, const uint8_t *d, size_t len,
                 int split, findings_t *l)
{
    l->n = 0;
    l->floor = 0;
    veil_scanner_t *s = fuzz_type ? veil_scanner_new_typed(e, fuzz_type, on_finding, l)
                                  : veil_scanner_new(e, fmt, on_finding, l);
    FUZZ_ASSERT(s != NULL);
    veil__scanner_report_skips(s, 1);
    uint64_t last = 0;
    for (size_t i = 0; i < len;) {
        size_t k = split ? cut_next(len - i) : len;
        FUZZ_ASSERT(veil_scanner_feed(s, d + i, k) == 0);
        i += k;
        uint64_t safe = veil_scanner_safe_offset(s);
        FUZZ_ASSERT(safe >= last && safe <= i);
        last = safe;
        l->floor = safe;
    }
    FUZZ_ASSERT(veil_scanner_finish(s) == 0);
    veil_scanner_free(s);
}

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

typedef struct {
    uint64_t end;
    size_t n;
} order_t;

static void order_cb(void *ud, const veil_finding_t *f)
{
    order_t *o = ud;
    FUZZ_ASSERT(f->offset >= o->end);
    o->end = f->offset + f->length;
    o->n++;
}

static veil_hash_key_t hash_key = {.id = "fuzz", .bytes = "0123456789abcdef0123456789abcdef",
                                    .len = 32};

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
        return path[len - 1] == 'a' ? VEIL_ACT_DROP
               : path[len - 1] == 'b' ? VEIL_ACT_LABEL : -1;
    }
    FUZZ_ASSERT(place == VEIL_PLACE_FORM);
    return path[0] == 'p' ? VEIL_ACT_MASK : -1;
}

static int use_rules, keep_skipped;

static void redact(const veil_engine_t *e, veil_format_t fmt, veil_action_t act,
                   const uint8_t *d, size_t len, int split, sink_t *out, size_t *nfound)
{
    order_t o = {0, 0};
    veil_redactor_options_t opts;
    memset(&opts, 0, sizeof(opts));
    if (use_rules) {
        opts.field_action = fuzz_rules;
    }
    opts.type = fuzz_type;
    opts.keep_skipped = keep_skipped;
    opts.format = fmt;
    opts.action = act;
    opts.key = &hash_key;
    opts.write = sink_write;
    opts.write_ud = out;
    opts.on_finding = order_cb;
    opts.finding_ud = &o;
    out->len = 0;
    veil_redactor_t *r = veil_redactor_new(e, &opts);
    FUZZ_ASSERT(r != NULL);
    uint64_t last = 0;
    for (size_t i = 0; i < len;) {
        size_t k = split ? cut_next(len - i) : len;
        FUZZ_ASSERT(veil_redactor_feed(r, d + i, k) == 0);
        i += k;
        uint64_t off = veil_redactor_offset(r);
        FUZZ_ASSERT(off >= last && off <= i);
        last = off;
    }
    FUZZ_ASSERT(veil_redactor_finish(r) == 0);
    FUZZ_ASSERT(veil_redactor_offset(r) == len);
    veil_redactor_free(r);
    *nfound = o.n;
}

static int is_mask_sep(uint8_t c)
{
    return c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')' || c == '+' ||
           c == ':' || c == '@' || c == '\n' || c == '\r' || c == '\t';
}

static size_t count_lines(const uint8_t *p, size_t n)
{
    size_t c = 0;
    for (size_t k = 0; k < n; k++) {
        c += p[k] == '\n';
    }
    return c;
}

static int hexd(int c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* Where a card's kept last four digits start, or <len>: only a value that
   is nothing but a card number (digits, ' ', '-', '+', '.', and \uXXXX or
   %XX escapes, which never count as digits) of 12+ digits keeps them. */
static size_t card_keep(const uint8_t *raw, size_t len)
{
    size_t at[4], seen = 0;
    for (size_t k = 0; k < len;) {
        if (raw[k] == '\\' && k + 5 < len && raw[k + 1] == 'u' && hexd(raw[k + 2]) &&
            hexd(raw[k + 3]) && hexd(raw[k + 4]) && hexd(raw[k + 5])) {
            k += 6;
            continue;
        }
        if (raw[k] == '%' && k + 2 < len && hexd(raw[k + 1]) && hexd(raw[k + 2])) {
            k += 3;
            continue;
        }
        if (raw[k] >= '0' && raw[k] <= '9') {
            at[seen % 4] = k;
            seen++;
        } else if (raw[k] != ' ' && raw[k] != '-' && raw[k] != '+' && raw[k] != '.') {
            return len;
        }
        k++;
    }
    return seen >= 12 ? at[seen % 4] : len;
}

static const veil_engine_t *rebuild_engine;

/* The expected output of <act> (mask or label), rebuilt from the findings
   without the transform code. */
/* The marker a redactor writes for a skipped part of <n> bytes. */
static size_t skip_marker(const veil_finding_t *f, uint64_t n, char *out, size_t cap)
{
    static const char *const reasons[VEIL_SKIP__COUNT] = {"binary", "encoded", "headers"};
    int w = snprintf(out, cap, "[SKIPPED %s part, %llu bytes]", reasons[f->detector],
                     (unsigned long long)n);
    FUZZ_ASSERT(w > 0 && (size_t)w < cap);
    return (size_t)w;
}

static void rebuild(const findings_t *l, veil_action_t act, const uint8_t *d, size_t len,
                    sink_t *exp)
{
    int card = veil_catalog_find("credit_card");
    uint64_t at = 0, skip_from = UINT64_MAX;
    size_t skip_lines = 0;
    exp->len = 0;
    for (size_t k = 0; k < l->n; k++) {
        const veil_finding_t *f = &l->f[k];
        const uint8_t *raw = d + f->offset;
        int bare = (f->flags & VEIL_FIND_JSON_BARE) != 0;
        sink_write(exp, (const char *)d + at, (size_t)(f->offset - at));
        if (f->flags & VEIL_FIND_SKIP) {
            at = f->offset + f->length;
            if (keep_skipped) {
                sink_write(exp, (const char *)raw, f->length);
                continue;
            }
            if (skip_from == UINT64_MAX) {
                skip_from = f->offset;
            }
            skip_lines += count_lines(raw, f->length);
            if (!(f->flags & VEIL_FIND_MORE)) {
                char m[80];
                sink_write(exp, m, skip_marker(f, at - skip_from, m, sizeof(m)));
                for (; skip_lines > 0; skip_lines--) {
                    sink_write(exp, "\n", 1);
                }
                skip_from = UINT64_MAX;
            }
            continue;
        }
        if (bare) {
            sink_write(exp, "\"", 1);
        }
        if (act == VEIL_ACT_MASK) {
            /* A value that is nothing but a card number keeps its last
               four digits; anything else is masked whole, separators
               aside. */
            size_t keep = f->detector == card ? card_keep(raw, f->length) : f->length;
            for (size_t j = 0; j < f->length; j++) {
                int kept = j >= keep && raw[j] >= '0' && raw[j] <= '9';
                char c = kept || is_mask_sep(raw[j]) ? (char)raw[j] : '*';
                sink_write(exp, &c, 1);
            }
        } else {
            const veil_detector_info_t *info = veil_engine_detector(rebuild_engine, f->detector);
            char lab[80];
            int n = snprintf(lab, sizeof(lab), "[%s]", info->label);
            sink_write(exp, lab, (size_t)n);
        }
        if (bare) {
            sink_write(exp, "\"", 1);
        }
        if (act != VEIL_ACT_MASK) {
            for (size_t j = count_lines(raw, f->length); j > 0; j--) {
                sink_write(exp, "\n", 1);
            }
        }
        at = f->offset + f->length;
    }
    sink_write(exp, (const char *)d + at, len - (size_t)at);
}

/* ---- a strict JSON checker: a body that is a sequence of JSON values
   (JSON Lines) must still be one after redaction ---- */

typedef struct {
    const uint8_t *p;
    size_t n, i;
} jp_t;

static void jp_ws(jp_t *j)
{
    while (j->i < j->n && (j->p[j->i] == ' ' || j->p[j->i] == '\t' || j->p[j->i] == '\n' ||
                           j->p[j->i] == '\r')) {
        j->i++;
    }
}

static int jp_digits(jp_t *j)
{
    size_t s = j->i;
    while (j->i < j->n && j->p[j->i] >= '0' && j->p[j->i] <= '9') {
        j->i++;
    }
    return j->i > s;
}

static int jp_value(jp_t *j, int depth);

static int jp_string(jp_t *j)
{
    j->i++; /* the opening quote */
    while (j->i < j->n) {
        uint8_t c = j->p[j->i++];
        if (c == '"') {
            return 1;
        }
        if (c < 0x20) {
            return 0;
        }
        if (c == '\\') {
            if (j->i >= j->n) {
                return 0;
            }
            c = j->p[j->i++];
            if (c == 'u') {
                for (int k = 0; k < 4; k++) {
                    if (j->i >= j->n || !hexd(j->p[j->i++])) {
                        return 0;
                    }
                }
            } else if (!strchr("\"\\/bfnrt", c) || c == 0) {
                return 0;
            }
        }
    }
    return 0;
}

static int jp_value(jp_t *j, int depth)
{
    if (depth > 200 || j->i >= j->n) {
        return 0;
    }
    uint8_t c = j->p[j->i];
    if (c == '"') {
        return jp_string(j);
    }
    if (c == '{' || c == '[') {
        uint8_t close = c == '{' ? '}' : ']';
        j->i++;
        jp_ws(j);
        if (j->i < j->n && j->p[j->i] == close) {
            j->i++;
            return 1;
        }
        for (;;) {
            if (c == '{') {
                if (j->i >= j->n || j->p[j->i] != '"' || !jp_string(j)) {
                    return 0;
                }
                jp_ws(j);
                if (j->i >= j->n || j->p[j->i++] != ':') {
                    return 0;
                }
                jp_ws(j);
            }
            if (!jp_value(j, depth + 1)) {
                return 0;
            }
            jp_ws(j);
            if (j->i >= j->n) {
                return 0;
            }
            if (j->p[j->i] == close) {
                j->i++;
                return 1;
            }
            if (j->p[j->i++] != ',') {
                return 0;
            }
            jp_ws(j);
        }
    }
    static const char *const lits[] = {"true", "false", "null"};
    for (int k = 0; k < 3; k++) {
        size_t l = strlen(lits[k]);
        if (j->n - j->i >= l && memcmp(j->p + j->i, lits[k], l) == 0) {
            j->i += l;
            return 1;
        }
    }
    if (c == '-') {
        j->i++;
    }
    if (j->i < j->n && j->p[j->i] == '0') {
        j->i++;
    } else if (!jp_digits(j)) {
        return 0;
    }
    if (j->i < j->n && j->p[j->i] == '.') {
        j->i++;
        if (!jp_digits(j)) {
            return 0;
        }
    }
    if (j->i < j->n && (j->p[j->i] == 'e' || j->p[j->i] == 'E')) {
        j->i++;
        if (j->i < j->n && (j->p[j->i] == '+' || j->p[j->i] == '-')) {
            j->i++;
        }
        if (!jp_digits(j)) {
            return 0;
        }
    }
    /* a number must end at a delimiter */
    return j->i == j->n || strchr(" \t\r\n,]}", j->p[j->i]) != NULL;
}

/* 1 when <p> is one or more JSON values separated by whitespace. */
static int json_seq(const uint8_t *p, size_t n)
{
    jp_t j = {p, n, 0};
    int values = 0;
    jp_ws(&j);
    while (j.i < j.n) {
        if (!jp_value(&j, 0)) {
            return 0;
        }
        values++;
        jp_ws(&j);
    }
    return values > 0;
}

/* Custom detectors: short and long matches, a validator, context words
   required or not. */
static const veil_custom_detector_t custom[] = {
    {"order_ref", VEIL_CAT_FINANCIAL, 0, "ORD-[0-9]{6,12}", NULL, "order", 0, VEIL_CONF_MEDIUM},
    {"employee_id", VEIL_CAT_GOVERNMENT_ID, 0, "EMP[0-9]{5}", NULL, "employee", 1,
     VEIL_CONF_MEDIUM},
    {"luhn_ref", VEIL_CAT_FINANCIAL, 0, "\\b8[0-9]{15}\\b", "luhn", NULL, 0, VEIL_CONF_HIGH},
    {"long_token", VEIL_CAT_CREDENTIALS, 0, "TOK_[A-Za-z0-9+/]{8,4000}={0,2}", NULL, NULL, 0,
     VEIL_CONF_HIGH},
    {"ticket", VEIL_CAT_CONTACT, 0, "(?i)ticket #?[0-9]{3,8}", NULL, NULL, 0, VEIL_CONF_LOW},
};

static const char *const allow_values[] = {"jane@example.com", "4111111111111111",
                                           "203.0.113.42"};
static const char *const allow_patterns[] = {"[a-z]+@example\\.org"};

/* Whether <v> is on the fuzz engine's allowlist (the pattern checked by
   hand). */
static int allowed(const uint8_t *v, size_t n)
{
    for (size_t k = 0; k < sizeof(allow_values) / sizeof(allow_values[0]); k++) {
        if (strlen(allow_values[k]) == n && memcmp(allow_values[k], v, n) == 0) {
            return 1;
        }
    }
    size_t at = 0;
    while (at < n && v[at] >= 'a' && v[at] <= 'z') {
        at++;
    }
    return at > 0 && n - at == 12 && memcmp(v + at, "@example.org", 12) == 0;
}

static int fuzz_engine(const uint8_t *data, size_t size, int fixed_format)
{
    static veil_engine_t *engines[4];
    static findings_t whole, cut;
    static sink_t o1, o2, exp;
    char err[256];

    if (engines[0] == NULL) {
        veil_engine_options_t lo;
        memset(&lo, 0, sizeof(lo));
        lo.min_confidence = VEIL_CONF_LOW;
        engines[0] = veil_engine_new(NULL, err, sizeof(err));
        engines[1] = veil_engine_new(&lo, err, sizeof(err));
        lo.allow_values = allow_values;
        lo.allow_values_count = sizeof(allow_values) / sizeof(allow_values[0]);
        lo.allow_patterns = allow_patterns;
        lo.allow_patterns_count = 1;
        engines[2] = veil_engine_new(&lo, err, sizeof(err));
        memset(&lo, 0, sizeof(lo));
        lo.min_confidence = VEIL_CONF_LOW;
        lo.custom = custom;
        lo.custom_count = sizeof(custom) / sizeof(custom[0]);
        engines[3] = veil_engine_new(&lo, err, sizeof(err));
        FUZZ_ASSERT(engines[0] != NULL && engines[1] != NULL && engines[2] != NULL &&
                    engines[3] != NULL);
        whole.f = calloc(MAX_FINDINGS, sizeof(veil_finding_t));
        cut.f = calloc(MAX_FINDINGS, sizeof(veil_finding_t));
        FUZZ_ASSERT(whole.f != NULL && cut.f != NULL);
    }
    if (size < 2) {
        return 0;
    }
    veil_format_t fmt;
    if (fixed_format >= 0) {
        fmt = (veil_format_t)fixed_format;
    } else {
        static const veil_format_t by_bits[4] = {VEIL_FMT_TEXT, VEIL_FMT_JSON, VEIL_FMT_FORM,
                                                 VEIL_FMT_TEXT};
        fmt = by_bits[data[0] & 3];
    }
    int custom_engine = (data[0] >> 6) & 1;
    int allow = (data[0] >> 5) & 1 && !custom_engine;
    const veil_engine_t *e = engines[(data[0] >> 6) & 1 ? 3 : allow ? 2 : (data[0] >> 2) & 1];
    veil_action_t third = (veil_action_t)((data[0] >> 3) & 3);
    uint32_t seed = 0x9e3779b9u ^ ((uint32_t)data[1] * 2654435761u);
    const uint8_t *d = data + 2;
    size_t len = size - 2;

    rebuild_engine = e;

    /* Findings: whole and cut. */
    scan(e, fmt, d, len, 0, &whole);
    rng_state = seed | 1;
    scan(e, fmt, d, len, 1, &cut);
    FUZZ_ASSERT(whole.n == cut.n);
    size_t detections = 0;
    for (size_t k = 0; k < whole.n; k++) {
        const veil_finding_t *a = &whole.f[k], *b = &cut.f[k];
        FUZZ_ASSERT(a->offset == b->offset && a->length == b->length);
        FUZZ_ASSERT(a->detector == b->detector && a->confidence == b->confidence);
        FUZZ_ASSERT(a->flags == b->flags);
        FUZZ_ASSERT(a->offset + a->length <= len);
        FUZZ_ASSERT(a->detector < veil_engine_detector_count(e));
        FUZZ_ASSERT(a->confidence >= VEIL_CONF_LOW && a->confidence <= VEIL_CONF_HIGH);
        if (a->flags & VEIL_FIND_SKIP) {
            FUZZ_ASSERT(fmt == VEIL_FMT_MULTIPART);
        } else {
            detections++;
        }
    }
    FUZZ_ASSERT(whole.n == 0 || !(whole.f[whole.n - 1].flags & VEIL_FIND_MORE));

    for (size_t k = 0; allow && fmt == VEIL_FMT_TEXT && k < whole.n; k++) {
        FUZZ_ASSERT(!allowed(d + whole.f[k].offset, whole.f[k].length));
    }

    /* Redaction: mask, label and one more action, whole and cut. */
    veil_action_t acts[3] = {VEIL_ACT_MASK, VEIL_ACT_LABEL, third};
    int was_json = fmt == VEIL_FMT_JSON && json_seq(d, len);
    size_t lines = count_lines(d, len);
    for (int a = 0; a < 3 + (fmt == VEIL_FMT_MULTIPART); a++) {
        size_t n1 = 0, n2 = 0;
        /* Multipart: a fourth run, label with skipped parts kept. */
        keep_skipped = a == 3;
        veil_action_t act = a == 3 ? VEIL_ACT_LABEL : acts[a];
        redact(e, fmt, act, d, len, 0, &o1, &n1);
        rng_state = (seed + 7u * (uint32_t)a) | 1;
        redact(e, fmt, act, d, len, 1, &o2, &n2);
        FUZZ_ASSERT(n1 == detections && n2 == detections);
        FUZZ_ASSERT(o1.len == o2.len && (o1.len == 0 || memcmp(o1.buf, o2.buf, o1.len) == 0));
        FUZZ_ASSERT(count_lines(o1.buf, o1.len) == lines);
        /* valid JSON (Lines) stays valid */
        FUZZ_ASSERT(!was_json || json_seq(o1.buf, o1.len));
        if (act == VEIL_ACT_MASK || act == VEIL_ACT_LABEL) {
            rebuild(&whole, act, d, len, &exp);
            FUZZ_ASSERT(exp.len == o1.len && (o1.len == 0 || memcmp(exp.buf, o1.buf, o1.len) == 0));
        }
        if (act == VEIL_ACT_MASK) {
            /* No value of 8+ bytes survives at its place (the rebuilt
               output says what is there; this states the goal). */
            int64_t shift = 0;
            uint64_t skip_from = UINT64_MAX;
            for (size_t k = 0; k < whole.n; k++) {
                const veil_finding_t *f = &whole.f[k];
                int bare = (f->flags & VEIL_FIND_JSON_BARE) != 0;
                if (f->flags & VEIL_FIND_SKIP) {
                    /* Its bytes are gone; the marker is in their place. */
                    char m[80];
                    if (skip_from == UINT64_MAX) {
                        skip_from = f->offset;
                    }
                    shift -= (int64_t)f->length;
                    shift += (int64_t)count_lines(d + f->offset, f->length);
                    if (!(f->flags & VEIL_FIND_MORE)) {
                        shift += (int64_t)skip_marker(f, f->offset + f->length - skip_from, m,
                                                      sizeof(m));
                        skip_from = UINT64_MAX;
                    }
                    continue;
                }
                if (f->length >= 8) {
                    int only_kept = 1;
                    /* a value of separators and '*' masks to itself */
                    for (size_t j = 0; j < f->length; j++) {
                        only_kept &= is_mask_sep(d[f->offset + j]) || d[f->offset + j] == '*';
                    }
                    if (!only_kept) {
                        FUZZ_ASSERT(memcmp(o1.buf + (int64_t)f->offset + shift + bare,
                                           d + f->offset, f->length) != 0);
                    }
                }
                shift += bare ? 2 : 0;
            }
        }
    }

    keep_skipped = 0;
    /* Field rules: the same bytes whole and cut, lines and JSON kept.
       (Rule values are not findings: the count is not compared.) */
    if ((data[0] >> 7) & 1 && fmt != VEIL_FMT_TEXT) {
        size_t n1 = 0, n2 = 0;
        use_rules = 1;
        keep_skipped = 1;
        redact(e, fmt, VEIL_ACT_LABEL, d, len, 0, &o1, &n1);
        rng_state = (seed + 31u) | 1;
        redact(e, fmt, VEIL_ACT_LABEL, d, len, 1, &o2, &n2);
        use_rules = 0;
        keep_skipped = 0;
        FUZZ_ASSERT(n1 == n2);
        FUZZ_ASSERT(o1.len == o2.len && (o1.len == 0 || memcmp(o1.buf, o2.buf, o1.len) == 0));
        FUZZ_ASSERT(count_lines(o1.buf, o1.len) == lines);
        FUZZ_ASSERT(!was_json || json_seq(o1.buf, o1.len));
    }
    return 0;
}

#ifndef VEIL_FUZZ_FORMAT
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_engine(data, size, -1);
}
#endif
