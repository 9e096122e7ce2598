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
 *   whole and in pieces, keeps the number of lines and valid JSON.
 *
 * fuzz_json.c and fuzz_form.c include this file with VEIL_FUZZ_FORMAT set.
 */
#include "fuzz_common.h"

#define MAX_FINDINGS 8192

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
    veil_scanner_t *s = veil_scanner_new(e, fmt, on_finding, l);
    FUZZ_ASSERT(s != NULL);
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

static int use_rules;

static void redact(const veil_engine_t *e, veil_format_t fmt, veil_action_t act,
                   const uint8_t *d, size_t len, int split, sink_t *out, size_t *nfound)
{
    order_t o = {0, 0};
    veil_redactor_options_t opts;
    memset(&opts, 0, sizeof(opts));
    if (use_rules) {
        opts.field_action = fuzz_rules;
    }
    opts.format = fmt;
    opts.action = act;
    opts.key = &fuzz_hash_key;
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
static void rebuild(const findings_t *l, veil_action_t act, const uint8_t *d, size_t len,
                    sink_t *exp)
{
    int card = veil_catalog_find("credit_card");
    uint64_t at = 0;
    exp->len = 0;
    for (size_t k = 0; k < l->n; k++) {
        const veil_finding_t *f = &l->f[k];
        const uint8_t *raw = d + f->offset;
        int bare = (f->flags & VEIL_FIND_JSON_BARE) != 0;
        sink_write(exp, (const char *)d + at, (size_t)(f->offset - at));
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

/* Whether <v> is on the fuzz engine's allowlist (the pattern checked by
   hand). */
static int allowed(const uint8_t *v, size_t n)
{
    for (size_t k = 0; k < sizeof(fuzz_allow_values) / sizeof(fuzz_allow_values[0]); k++) {
        if (strlen(fuzz_allow_values[k]) == n && memcmp(fuzz_allow_values[k], v, n) == 0) {
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
    static findings_t whole, cut;
    static sink_t o1, o2, exp;
    fuzz_case_t fc;

    if (whole.f == NULL) {
        whole.f = calloc(MAX_FINDINGS, sizeof(veil_finding_t));
        cut.f = calloc(MAX_FINDINGS, sizeof(veil_finding_t));
        FUZZ_ASSERT(whole.f != NULL && cut.f != NULL);
    }
    if (fuzz_case(data, size, fixed_format, &fc) != 0) {
        return 0;
    }
    veil_format_t fmt = fc.format;
    int allow = fc.allow;
    const veil_engine_t *e = fc.engine;
    veil_action_t third = fc.third;
    uint32_t seed = fc.seed;
    const uint8_t *d = fc.body;
    size_t len = fc.len;

    rebuild_engine = e;

    /* Findings: whole and cut. */
    scan(e, fmt, d, len, 0, &whole);
    rng_state = seed | 1;
    scan(e, fmt, d, len, 1, &cut);
    FUZZ_ASSERT(whole.n == cut.n);
    for (size_t k = 0; k < whole.n; k++) {
        const veil_finding_t *a = &whole.f[k], *b = &cut.f[k];
        FUZZ_ASSERT(a->offset == b->offset && a->length == b->length);
        FUZZ_ASSERT(a->detector == b->detector && a->confidence == b->confidence);
        FUZZ_ASSERT(a->flags == b->flags);
        FUZZ_ASSERT(a->offset + a->length <= len);
        FUZZ_ASSERT(a->detector < veil_engine_detector_count(e));
        FUZZ_ASSERT(a->confidence >= VEIL_CONF_LOW && a->confidence <= VEIL_CONF_HIGH);
    }

    for (size_t k = 0; allow && fmt == VEIL_FMT_TEXT && k < whole.n; k++) {
        FUZZ_ASSERT(!allowed(d + whole.f[k].offset, whole.f[k].length));
    }

    /* Redaction: mask, label and one more action, whole and cut. */
    veil_action_t acts[3] = {VEIL_ACT_MASK, VEIL_ACT_LABEL, third};
    int was_json = fmt == VEIL_FMT_JSON && json_seq(d, len);
    size_t lines = count_lines(d, len);
    for (int a = 0; a < 3; a++) {
        size_t n1 = 0, n2 = 0;
        redact(e, fmt, acts[a], d, len, 0, &o1, &n1);
        rng_state = (seed + 7u * (uint32_t)a) | 1;
        redact(e, fmt, acts[a], d, len, 1, &o2, &n2);
        FUZZ_ASSERT(n1 == whole.n && n2 == whole.n);
        FUZZ_ASSERT(o1.len == o2.len && (o1.len == 0 || memcmp(o1.buf, o2.buf, o1.len) == 0));
        FUZZ_ASSERT(count_lines(o1.buf, o1.len) == lines);
        /* valid JSON (Lines) stays valid */
        FUZZ_ASSERT(!was_json || json_seq(o1.buf, o1.len));
        if (acts[a] == VEIL_ACT_MASK || acts[a] == VEIL_ACT_LABEL) {
            rebuild(&whole, acts[a], d, len, &exp);
            FUZZ_ASSERT(exp.len == o1.len && (o1.len == 0 || memcmp(exp.buf, o1.buf, o1.len) == 0));
        }
        if (acts[a] == VEIL_ACT_MASK) {
            /* No value of 8+ bytes survives at its place (the rebuilt
               output says what is there; this states the goal). */
            uint64_t shift = 0;
            for (size_t k = 0; k < whole.n; k++) {
                const veil_finding_t *f = &whole.f[k];
                int bare = (f->flags & VEIL_FIND_JSON_BARE) != 0;
                if (f->length >= 8) {
                    int only_kept = 1;
                    /* a value of separators and '*' masks to itself */
                    for (size_t j = 0; j < f->length; j++) {
                        only_kept &= is_mask_sep(d[f->offset + j]) || d[f->offset + j] == '*';
                    }
                    if (!only_kept) {
                        FUZZ_ASSERT(memcmp(o1.buf + f->offset + shift + (size_t)bare,
                                           d + f->offset, f->length) != 0);
                    }
                }
                shift += bare ? 2 : 0;
            }
        }
    }

    /* Field rules: the same bytes whole and cut, lines and JSON kept.
       (Rule values are not findings: the count is not compared.) */
    if (fc.rules) {
        size_t n1 = 0, n2 = 0;
        use_rules = 1;
        redact(e, fmt, VEIL_ACT_LABEL, d, len, 0, &o1, &n1);
        rng_state = (seed + 31u) | 1;
        redact(e, fmt, VEIL_ACT_LABEL, d, len, 1, &o2, &n2);
        use_rules = 0;
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
