/*
 * The transparency report: a /stats document turned into HTML (inline CSS
 * and SVG, nothing external, no scripts), Markdown or a JSON summary.
 *
 * The document is first reduced to tallies (label -> count, sorted), one
 * per question security asks: what was found (category, detector,
 * regulation), where (route and direction, location), what was done
 * (actions), what was not inspected and why, what was refused. Each
 * output format renders the same tallies, so they always agree.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "veil/stats.h"
#include "report_json.h"

#define MAX_ROWS 256

typedef struct row {
    char label[160];
    double count;
} row_t;

typedef struct tally {
    const char *id; /* JSON key and HTML anchor */
    const char *title;
    const char *note; /* one sentence under the title */
    row_t rows[MAX_ROWS];
    size_t n;
} tally_t;

enum {
    T_CATEGORY,
    T_DETECTOR,
    T_REGULATION,
    T_ROUTE_DIR,
    T_LOCATION,
    T_ACTION,
    T_SKIPPED,
    T_REJECTED,
    T_BLOCKED,
    T_UPSTREAM,
    T__COUNT
};

static const char *const reg_ids[] = {"gdpr", "ccpa", "pci_dss", "hipaa", "glba"};
static const char *const reg_names[] = {"GDPR", "CCPA", "PCI DSS", "HIPAA", "GLBA"};
#define NREGS 5

typedef struct report {
    tally_t t[T__COUNT];
    /* category x regulation: findings of detectors of that category that
       a regulation covers. */
    double cat_reg[VEIL_CAT__COUNT][NREGS];
    double cat_total[VEIL_CAT__COUNT];
    /* Detectors with findings, per regulation, as "id (n)" lists. */
    char reg_detectors[NREGS][1024];
    double requests, findings, inspected, skipped, rejected, blocked, uperr;
    double start, now, config_time;
    char config_id[80];
    char version[32];
    struct {
        double count, sum, p50, p95, p99;
    } lat[3];
} report_t;


static void tally_add(tally_t *t, const char *label, double n)
{
    size_t i;

    if (n <= 0) {
        return;
    }
    for (i = 0; i < t->n; i++) {
        if (strcmp(t->rows[i].label, label) == 0) {
            t->rows[i].count += n;
            return;
        }
    }
    if (t->n == MAX_ROWS) {
        t->rows[MAX_ROWS - 1].count += n;
        snprintf(t->rows[MAX_ROWS - 1].label, sizeof(t->rows[0].label), "other");
        return;
    }
    /* A longer label is cut: it is a display name. */
    if (snprintf(t->rows[t->n].label, sizeof(t->rows[0].label), "%s", label) < 0) {
        t->rows[t->n].label[0] = '\0';
    }
    t->rows[t->n].count = n;
    t->n++;
}


static int row_cmp(const void *a, const void *b)
{
    const row_t *x = a, *y = b;

    if (x->count != y->count) {
        return x->count < y->count ? 1 : -1;
    }
    return strcmp(x->label, y->label);
}


static int category_index(const char *name)
{
    for (int c = 0; c < VEIL_CAT__COUNT; c++) {
        if (strcmp(veil_category_name((veil_category_t)c), name) == 0) {
            return c;
        }
    }
    return -1;
}


/* Quantile from cumulative bucket counts (linear inside a bucket). */
static double quantile(const veil__jv_t *le, const veil__jv_t *cum, double q)
{
    double total, target, prev_le = 0, prev_c = 0;

    if (le == NULL || cum == NULL || cum->n == 0 || le->n + 1 != cum->n) {
        return NAN;
    }
    total = cum->items[cum->n - 1].num;
    if (total <= 0) {
        return NAN;
    }
    target = q * total;
    for (size_t i = 0; i < le->n; i++) {
        double c = cum->items[i].num, l = le->items[i].num;

        if (c >= target) {
            if (c == prev_c) {
                return l;
            }
            return prev_le + (l - prev_le) * (target - prev_c) / (c - prev_c);
        }
        prev_le = l;
        prev_c = c;
    }
    return INFINITY; /* in the +Inf bucket */
}


static const veil__jv_t *arr(const veil__jv_t *doc, const char *key)
{
    const veil__jv_t *v = veil__json_get(doc, key);

    return v && v->type == VEIL__J_ARR ? v : NULL;
}


static void build(report_t *r, const veil__jv_t *doc)
{
    static const struct {
        int id;
        const char *title, *note;
    } meta[T__COUNT] = {
        {T_CATEGORY, "Findings by category",
         "Kinds of personal data found in requests and responses."},
        {T_DETECTOR, "Findings by detector", "Which detectors matched, most frequent first."},
        {T_REGULATION, "Findings by regulation",
         "Findings whose detector is relevant to each regulation (one "
         "finding can count for several)."},
        {T_ROUTE_DIR, "Findings by route and direction",
         "Where the data travelled: client to service (request) or back "
         "(response)."},
        {T_LOCATION, "Findings by location",
         "The part of the message: URL path, query string, headers or body."},
        {T_ACTION, "Actions taken",
         "observe: forwarded unchanged and redacted in the log; mask, label, "
         "hash, tokenize, drop: rewritten in transit; block: refused."},
        {T_SKIPPED, "Bodies not inspected",
         "Bodies veil could not read (too large, unknown encoding, binary, "
         "...). They are never logged."},
        {T_REJECTED, "Requests rejected",
         "Requests refused by the HTTP validator, limits or timeouts, by "
         "reason."},
        {T_BLOCKED, "Requests blocked",
         "Requests or responses refused by a policy, by data category."},
        {T_UPSTREAM, "Upstream errors", "Failures of the service behind veil, by kind."},
    };
    static const char *const tid[T__COUNT] = {
        "by_category", "by_detector",     "by_regulation", "by_route_direction",
        "by_location", "actions",         "not_inspected", "rejected",
        "blocked",     "upstream_errors",
    };
    const veil__jv_t *a, *totals = veil__json_get(doc, "totals");
    const veil__jv_t *cfg = veil__json_get(doc, "config");
    char label[200];

    for (int i = 0; i < T__COUNT; i++) {
        r->t[meta[i].id].id = tid[i];
        r->t[meta[i].id].title = meta[i].title;
        r->t[meta[i].id].note = meta[i].note;
    }
    r->start = veil__json_num(doc, "start_time", 0);
    r->now = veil__json_num(doc, "now", 0);
    r->config_time = veil__json_num(cfg, "loaded_at", 0);
    snprintf(r->config_id, sizeof(r->config_id), "%s", veil__json_str(cfg, "id", ""));
    snprintf(r->version, sizeof(r->version), "%s", veil__json_str(doc, "veil_version", "?"));
    r->requests = veil__json_num(totals, "requests", 0);
    r->findings = veil__json_num(totals, "findings", 0);
    r->inspected = veil__json_num(totals, "inspected_bytes", 0);
    r->skipped = veil__json_num(totals, "not_inspected", 0);
    r->rejected = veil__json_num(totals, "rejected", 0);
    r->blocked = veil__json_num(totals, "blocked", 0);
    r->uperr = veil__json_num(totals, "upstream_errors", 0);

    if ((a = arr(doc, "findings")) != NULL) {
        for (size_t i = 0; i < a->n; i++) {
            const veil__jv_t *f = &a->items[i];
            double n = veil__json_num(f, "count", 0);
            const char *dir = veil__json_str(f, "direction", "?");

            tally_add(&r->t[T_CATEGORY], veil__json_str(f, "category", "?"), n);
            tally_add(&r->t[T_DETECTOR], veil__json_str(f, "detector", "?"), n);
            tally_add(&r->t[T_ACTION], veil__json_str(f, "action", "?"), n);
            snprintf(label, sizeof(label), "%s \xc2\xb7 %s", veil__json_str(f, "route", "?"), dir);
            tally_add(&r->t[T_ROUTE_DIR], label, n);
            snprintf(label, sizeof(label), "%s %s", dir, veil__json_str(f, "location", "?"));
            tally_add(&r->t[T_LOCATION], label, n);
        }
    }
    if ((a = arr(doc, "detectors")) != NULL) {
        for (size_t i = 0; i < a->n; i++) {
            const veil__jv_t *d = &a->items[i];
            double n = veil__json_num(d, "count", 0);
            const char *regs = veil__json_str(d, "regulations", "");
            int c = category_index(veil__json_str(d, "category", ""));

            if (c >= 0) {
                r->cat_total[c] += n;
            }
            for (int g = 0; g < NREGS; g++) {
                const char *p = strstr(regs, reg_ids[g]);
                size_t l = strlen(reg_ids[g]);

                /* A whole item of the comma list, not a prefix. */
                if (p == NULL || (p != regs && p[-1] != ',') || (p[l] != '\0' && p[l] != ',')) {
                    continue;
                }
                tally_add(&r->t[T_REGULATION], reg_names[g], n);
                if (c >= 0) {
                    r->cat_reg[c][g] += n;
                }
                snprintf(label, sizeof(label), "%s%s (%.0f)", r->reg_detectors[g][0] ? ", " : "",
                         veil__json_str(d, "id", "?"), n);
                if (strlen(r->reg_detectors[g]) + strlen(label) < sizeof(r->reg_detectors[g])) {
                    strcat(r->reg_detectors[g], label);
                }
            }
        }
    }
    if ((a = arr(doc, "not_inspected")) != NULL) {
        for (size_t i = 0; i < a->n; i++) {
            snprintf(label, sizeof(label), "%s (%s)", veil__json_str(&a->items[i], "reason", "?"),
                     veil__json_str(&a->items[i], "direction", "?"));
            tally_add(&r->t[T_SKIPPED], label, veil__json_num(&a->items[i], "count", 0));
        }
    }
    if ((a = arr(doc, "rejected")) != NULL) {
        for (size_t i = 0; i < a->n; i++) {
            tally_add(&r->t[T_REJECTED], veil__json_str(&a->items[i], "reason", "?"),
                      veil__json_num(&a->items[i], "count", 0));
        }
    }
    if ((a = arr(doc, "blocked")) != NULL) {
        for (size_t i = 0; i < a->n; i++) {
            snprintf(label, sizeof(label), "%s \xc2\xb7 %s",
                     veil__json_str(&a->items[i], "route", "?"),
                     veil__json_str(&a->items[i], "category", "?"));
            tally_add(&r->t[T_BLOCKED], label, veil__json_num(&a->items[i], "count", 0));
        }
    }
    if ((a = arr(doc, "upstream_errors")) != NULL) {
        for (size_t i = 0; i < a->n; i++) {
            tally_add(&r->t[T_UPSTREAM], veil__json_str(&a->items[i], "kind", "?"),
                      veil__json_num(&a->items[i], "count", 0));
        }
    }
    if ((a = arr(doc, "latency")) != NULL) {
        /* Latency is summed over routes: bucket bounds are the same. */
        for (int k = 0; k < 3; k++) {
            static const char *const kinds[] = {"total", "upstream", "added"};
            double cum[64] = {0};
            const veil__jv_t *le = NULL;
            size_t nb = 0;

            for (size_t i = 0; i < a->n; i++) {
                const veil__jv_t *h = &a->items[i], *c;

                if (strcmp(veil__json_str(h, "kind", ""), kinds[k]) != 0) {
                    continue;
                }
                r->lat[k].count += veil__json_num(h, "count", 0);
                r->lat[k].sum += veil__json_num(h, "sum_seconds", 0);
                le = veil__json_get(h, "le");
                c = veil__json_get(h, "cumulative");
                if (c != NULL && c->type == VEIL__J_ARR && c->n <= 64) {
                    nb = c->n;
                    for (size_t b = 0; b < c->n; b++) {
                        cum[b] += c->items[b].num;
                    }
                }
            }
            if (le != NULL && le->type == VEIL__J_ARR && nb == le->n + 1) {
                veil__jv_t cv = {.type = VEIL__J_ARR, .n = nb};
                veil__jv_t items[64];

                memset(items, 0, sizeof(items));
                for (size_t b = 0; b < nb; b++) {
                    items[b].type = VEIL__J_NUM;
                    items[b].num = cum[b];
                }
                cv.items = items;
                r->lat[k].p50 = quantile(le, &cv, 0.5);
                r->lat[k].p95 = quantile(le, &cv, 0.95);
                r->lat[k].p99 = quantile(le, &cv, 0.99);
            }
        }
    }
    for (int i = 0; i < T__COUNT; i++) {
        qsort(r->t[i].rows, r->t[i].n, sizeof(row_t), row_cmp);
    }
}


/* ---- text helpers ---- */

static void out_f(veil_jbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out_f(veil_jbuf_t *b, const char *fmt, ...)
{
    char tmp[2048];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n > 0) {
        veil_jbuf_raw(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
    }
}


/* HTML/XML text: & < > " ' escaped. */
static void out_x(veil_jbuf_t *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            veil_jbuf_cstr(b, "&amp;");
            break;
        case '<':
            veil_jbuf_cstr(b, "&lt;");
            break;
        case '>':
            veil_jbuf_cstr(b, "&gt;");
            break;
        case '"':
            veil_jbuf_cstr(b, "&quot;");
            break;
        case '\'':
            veil_jbuf_cstr(b, "&#39;");
            break;
        default:
            veil_jbuf_raw(b, s, 1);
        }
    }
}


/* Markdown table cell: | and newlines would break the table. */
static void out_md(veil_jbuf_t *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '|') {
            veil_jbuf_cstr(b, "\\|");
        } else if (*s == '\n' || *s == '\r') {
            veil_jbuf_raw(b, " ", 1);
        } else if (*s == '<') {
            veil_jbuf_cstr(b, "&lt;");
        } else {
            veil_jbuf_raw(b, s, 1);
        }
    }
}


static void fmt_time(double t, char *buf, size_t cap)
{
    time_t s = (time_t)t;
    struct tm tm;

    if (t <= 0) {
        snprintf(buf, cap, "unknown");
        return;
    }
    gmtime_r(&s, &tm);
    strftime(buf, cap, "%Y-%m-%d %H:%M:%S UTC", &tm);
}


static void fmt_duration(double s, char *buf, size_t cap)
{
    long v = s > 0 ? (long)s : 0;

    if (v >= 86400) {
        snprintf(buf, cap, "%ld d %02ld h %02ld min", v / 86400, v % 86400 / 3600, v % 3600 / 60);
    } else if (v >= 3600) {
        snprintf(buf, cap, "%ld h %02ld min", v / 3600, v % 3600 / 60);
    } else if (v >= 60) {
        snprintf(buf, cap, "%ld min %02ld s", v / 60, v % 60);
    } else {
        snprintf(buf, cap, "%ld s", v);
    }
}


static void fmt_count(double n, char *buf, size_t cap)
{
    /* Thin groups of three digits, exact: these are audit numbers. */
    char raw[32];
    size_t len, o = 0;

    snprintf(raw, sizeof(raw), "%.0f", n);
    len = strlen(raw);
    for (size_t i = 0; i < len && o + 4 < cap; i++) {
        if (i > 0 && (len - i) % 3 == 0) {
            buf[o++] = ',';
        }
        buf[o++] = raw[i];
    }
    buf[o] = '\0';
}


static void fmt_bytes(double n, char *buf, size_t cap)
{
    static const char *const u[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int i = 0;

    while (n >= 1024 && i < 4) {
        n /= 1024;
        i++;
    }
    snprintf(buf, cap, i ? "%.1f %s" : "%.0f %s", n, u[i]);
}


static void fmt_secs(double s, char *buf, size_t cap)
{
    if (isnan(s)) {
        snprintf(buf, cap, "-");
    } else if (isinf(s)) {
        snprintf(buf, cap, "> 60 s");
    } else if (s < 1) {
        snprintf(buf, cap, "%.2f ms", s * 1000);
    } else {
        snprintf(buf, cap, "%.2f s", s);
    }
}


/* ---- HTML ---- */

static const char *const palette[] = {
    "#2f6fb0", "#d9822b", "#3f9f6f", "#b5475b", "#7d5ba6", "#2b9aa8", "#a6862b", "#5b6b7d",
};

static const char css[] =
    ":root{--ink:#1d2733;--muted:#5b6b7d;--line:#dde3ea;--bg:#f5f7fa}"
    "*{box-sizing:border-box}"
    "body{margin:0;background:var(--bg);color:var(--ink);"
    "font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',"
    "Arial,sans-serif}"
    "header{background:#1d2733;color:#fff;padding:28px 40px 22px}"
    "header h1{margin:0 0 6px;font-size:24px;font-weight:600}"
    "header p{margin:0;color:#c9d3de}"
    "main{max-width:1100px;margin:0 auto;padding:24px 40px 40px}"
    ".meta{display:grid;grid-template-columns:repeat(4,1fr);gap:12px;"
    "margin-bottom:20px}"
    ".meta div{background:#fff;border:1px solid var(--line);border-radius:6px;"
    "padding:10px 14px}"
    ".meta b{display:block;font-size:11px;text-transform:uppercase;"
    "letter-spacing:.04em;color:var(--muted);font-weight:600}"
    ".tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(120px,1fr));"
    "gap:12px;"
    "margin-bottom:24px}"
    ".tile{background:#fff;border:1px solid var(--line);border-radius:6px;"
    "padding:12px 14px}"
    ".tile .n{font-size:21px;font-weight:600;white-space:nowrap}"
    ".tile .l{font-size:12px;color:var(--muted)}"
    ".grid{display:grid;grid-template-columns:1fr 1fr;gap:16px;"
    "margin-bottom:16px}"
    ".grid section{margin-bottom:0}"
    "section{background:#fff;border:1px solid var(--line);border-radius:6px;"
    "padding:16px 18px;margin-bottom:16px}"
    "section h2{margin:0 0 2px;font-size:16px;font-weight:600}"
    "section p.note{margin:0 0 10px;color:var(--muted);font-size:12.5px}"
    "p.empty{color:var(--muted);font-style:italic;margin:8px 0}"
    "table{border-collapse:collapse;width:100%;font-size:13px}"
    "th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;"
    "vertical-align:top}"
    "th{font-size:11.5px;text-transform:uppercase;letter-spacing:.04em;"
    "color:var(--muted);font-weight:600}"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}"
    "td.yes{color:#2f6f4f;font-weight:600}"
    "td.no{color:#b8c2cc;text-align:right}"
    "svg text{font:12px system-ui,-apple-system,'Segoe UI',Roboto,Arial,"
    "sans-serif;fill:#1d2733}"
    "footer{color:var(--muted);font-size:12px;margin-top:8px}"
    "@media print{body{background:#fff}section,.tile,.meta div{break-inside:avoid}}";


/* A chart label: at most 24 characters, the rest elided (the bar's
   tooltip has it whole). Cut on a UTF-8 boundary. */
static void out_label(veil_jbuf_t *b, const char *s)
{
    char tmp[96];
    size_t n = strlen(s), chars = 0, i;

    for (i = 0; i < n && chars < 24; i++) {
        chars += ((unsigned char)s[i] & 0xc0) != 0x80;
    }
    while (i < n && ((unsigned char)s[i] & 0xc0) == 0x80) {
        i++;
    }
    if (i >= n || i + 4 > sizeof(tmp)) {
        out_x(b, s);
        return;
    }
    /* Back off one character to make room for the ellipsis. */
    do {
        i--;
    } while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80);
    memcpy(tmp, s, i);
    memcpy(tmp + i, "\xe2\x80\xa6", 4);
    out_x(b, tmp);
}


/* A horizontal bar chart, at most 12 bars (the rest summed as "other"). */
static void svg_bars(veil_jbuf_t *b, const tally_t *t, int colour, int W)
{
    const int LABEL = 170, ROW = 24, MAXB = 12;
    size_t n = t->n > (size_t)MAXB ? (size_t)MAXB : t->n;
    double max = 0, rest = 0;
    int h;

    for (size_t i = 0; i < t->n; i++) {
        if (i < n - (t->n > n ? 1 : 0)) {
            if (t->rows[i].count > max) {
                max = t->rows[i].count;
            }
        } else {
            rest += t->rows[i].count;
        }
    }
    if (rest > max) {
        max = rest;
    }
    h = (int)n * ROW + 8;
    out_f(b,
          "<svg class=\"chart\" id=\"chart-%s\" role=\"img\" "
          "xmlns=\"http://www.w3.org/2000/svg\" width=\"100%%\" "
          "viewBox=\"0 0 %d %d\" preserveAspectRatio=\"xMinYMin meet\">"
          "<title>",
          t->id, W, h);
    out_x(b, t->title);
    veil_jbuf_cstr(b, "</title>");
    for (size_t i = 0; i < n; i++) {
        int last_other = t->n > n && i == n - 1;
        double v = last_other ? rest : t->rows[i].count;
        const char *label = last_other ? "other" : t->rows[i].label;
        double bw = max > 0 ? (W - LABEL - 70) * v / max : 0;
        int y = 4 + (int)i * ROW;
        char num[32];

        if (bw < 2) {
            bw = 2;
        }
        fmt_count(v, num, sizeof(num));
        out_f(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", LABEL - 8, y + 15);
        out_label(b, label);
        out_f(b,
              "</text><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"16\" "
              "rx=\"2\" fill=\"%s\"><title>",
              LABEL, y + 3, bw, palette[colour >= 0 ? (size_t)colour % 8 : i % 8]);
        out_x(b, label);
        out_f(b, ": %s</title></rect><text x=\"%.1f\" y=\"%d\">%s</text>", num, LABEL + bw + 6,
              y + 15, num);
    }
    veil_jbuf_cstr(b, "</svg>");
}


static void html_section(veil_jbuf_t *b, const tally_t *t, int colour, int wide)
{
    out_f(b, "<section id=\"%s\"><h2>", t->id);
    out_x(b, t->title);
    veil_jbuf_cstr(b, "</h2><p class=\"note\">");
    out_x(b, t->note);
    veil_jbuf_cstr(b, "</p>");
    if (t->n == 0) {
        veil_jbuf_cstr(b, "<p class=\"empty\">None recorded in this period.</p>");
    } else {
        svg_bars(b, t, colour, wide ? 960 : 480);
    }
    veil_jbuf_cstr(b, "</section>");
}


static void html_tile(veil_jbuf_t *b, const char *num, const char *label)
{
    veil_jbuf_cstr(b, "<div class=\"tile\"><div class=\"n\">");
    out_x(b, num);
    veil_jbuf_cstr(b, "</div><div class=\"l\">");
    out_x(b, label);
    veil_jbuf_cstr(b, "</div></div>");
}


static void html(const report_t *r, veil_jbuf_t *b)
{
    char t0[64], t1[64], tc[64], dur[64], num[32];

    fmt_time(r->start, t0, sizeof(t0));
    fmt_time(r->now, t1, sizeof(t1));
    fmt_time(r->config_time, tc, sizeof(tc));
    fmt_duration(r->now - r->start, dur, sizeof(dur));

    veil_jbuf_cstr(b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
                      "<meta charset=\"utf-8\">"
                      /* Self-contained by construction: the browser
                         refuses anything external, even when the file is
                         opened from disk. */
                      "<meta http-equiv=\"Content-Security-Policy\" "
                      "content=\"default-src 'none'; style-src "
                      "'unsafe-inline'; img-src data:\">"
                      "<meta name=\"viewport\" content=\"width=device-width,"
                      "initial-scale=1\">"
                      "<title>veil transparency report</title><style>");
    veil_jbuf_cstr(b, css);
    veil_jbuf_cstr(b, "</style></head><body><header>"
                      "<h1>Transparency report</h1><p>What veil found in "
                      "the traffic it protects, where, and what it did. "
                      "Counts only: this report contains no personal data."
                      "</p></header><main>");

    veil_jbuf_cstr(b, "<div class=\"meta\"><div><b>Period</b>");
    out_x(b, t0);
    veil_jbuf_cstr(b, " &ndash; ");
    out_x(b, t1);
    veil_jbuf_cstr(b, "</div><div><b>Duration</b>");
    out_x(b, dur);
    veil_jbuf_cstr(b, "</div><div><b>Configuration</b>");
    out_x(b, r->config_id[0] ? r->config_id : "(built-in defaults)");
    veil_jbuf_cstr(b, "</div><div><b>Configuration loaded</b>");
    out_x(b, tc);
    veil_jbuf_cstr(b, "</div></div>");

    veil_jbuf_cstr(b, "<div class=\"tiles\">");
    fmt_count(r->requests, num, sizeof(num));
    html_tile(b, num, "requests");
    fmt_count(r->findings, num, sizeof(num));
    html_tile(b, num, "findings");
    fmt_bytes(r->inspected, num, sizeof(num));
    html_tile(b, num, "inspected");
    fmt_count(r->skipped, num, sizeof(num));
    html_tile(b, num, "bodies not inspected");
    fmt_count(r->rejected, num, sizeof(num));
    html_tile(b, num, "rejected");
    fmt_count(r->blocked, num, sizeof(num));
    html_tile(b, num, "blocked");
    fmt_count(r->uperr, num, sizeof(num));
    html_tile(b, num, "upstream errors");
    veil_jbuf_cstr(b, "</div>");

    veil_jbuf_cstr(b, "<div class=\"grid\">");
    html_section(b, &r->t[T_CATEGORY], -1, 0);
    html_section(b, &r->t[T_REGULATION], 0, 0);
    veil_jbuf_cstr(b, "</div>");

    /* The regulation table: categories against regulations. */
    veil_jbuf_cstr(b, "<section id=\"regulations\"><h2>Regulations</h2>"
                      "<p class=\"note\">Findings per data category, and the "
                      "regulations under which the detectors that found them "
                      "are relevant.</p><table><thead><tr><th>Category</th>"
                      "<th class=\"num\">Findings</th>");
    for (int g = 0; g < NREGS; g++) {
        out_f(b, "<th class=\"num\">%s</th>", reg_names[g]);
    }
    veil_jbuf_cstr(b, "</tr></thead><tbody>");
    for (int c = 0; c < VEIL_CAT__COUNT; c++) {
        fmt_count(r->cat_total[c], num, sizeof(num));
        out_f(b, "<tr><td>%s</td><td class=\"num\">%s</td>", veil_category_name((veil_category_t)c),
              num);
        for (int g = 0; g < NREGS; g++) {
            if (r->cat_reg[c][g] > 0) {
                fmt_count(r->cat_reg[c][g], num, sizeof(num));
                out_f(b, "<td class=\"num yes\">%s</td>", num);
            } else {
                veil_jbuf_cstr(b, "<td class=\"no\">&ndash;</td>");
            }
        }
        veil_jbuf_cstr(b, "</tr>");
    }
    veil_jbuf_cstr(b, "</tbody></table><table style=\"margin-top:14px\">"
                      "<thead><tr><th>Regulation</th><th>Detectors with "
                      "findings (count)</th></tr></thead><tbody>");
    for (int g = 0; g < NREGS; g++) {
        out_f(b, "<tr><td>%s</td><td>", reg_names[g]);
        out_x(b, r->reg_detectors[g][0] ? r->reg_detectors[g] : "none");
        veil_jbuf_cstr(b, "</td></tr>");
    }
    veil_jbuf_cstr(b, "</tbody></table></section>");

    html_section(b, &r->t[T_DETECTOR], 0, 1);
    veil_jbuf_cstr(b, "<div class=\"grid\">");
    html_section(b, &r->t[T_ROUTE_DIR], 5, 0);
    html_section(b, &r->t[T_LOCATION], 4, 0);
    html_section(b, &r->t[T_ACTION], 2, 0);
    html_section(b, &r->t[T_SKIPPED], 1, 0);
    html_section(b, &r->t[T_REJECTED], 3, 0);
    html_section(b, &r->t[T_BLOCKED], 3, 0);
    veil_jbuf_cstr(b, "</div>");
    html_section(b, &r->t[T_UPSTREAM], 7, 1);

    veil_jbuf_cstr(b, "<section id=\"latency\"><h2>Latency</h2><p class=\"note\">"
                      "Estimated from histogram buckets.</p><table><thead><tr>"
                      "<th></th><th class=\"num\">Exchanges</th>"
                      "<th class=\"num\">Mean</th><th class=\"num\">p50</th>"
                      "<th class=\"num\">p95</th><th class=\"num\">p99</th>"
                      "</tr></thead><tbody>");
    for (int k = 0; k < 3; k++) {
        static const char *const names[] = {
            "Total",
            "Upstream",
            "Added by veil",
        };
        char mean[32], p50[32], p95[32], p99[32];

        fmt_count(r->lat[k].count, num, sizeof(num));
        fmt_secs(r->lat[k].count > 0 ? r->lat[k].sum / r->lat[k].count : NAN, mean, sizeof(mean));
        fmt_secs(r->lat[k].count > 0 ? r->lat[k].p50 : NAN, p50, sizeof(p50));
        fmt_secs(r->lat[k].count > 0 ? r->lat[k].p95 : NAN, p95, sizeof(p95));
        fmt_secs(r->lat[k].count > 0 ? r->lat[k].p99 : NAN, p99, sizeof(p99));
        out_f(b,
              "<tr><td>%s</td><td class=\"num\">%s</td><td class=\"num\">%s"
              "</td><td class=\"num\">%s</td><td class=\"num\">%s</td>"
              "<td class=\"num\">%s</td></tr>",
              names[k], num, mean, p50, p95, p99);
    }
    veil_jbuf_cstr(b, "</tbody></table></section>");

    veil_jbuf_cstr(b, "<footer>Generated by veil ");
    out_x(b, r->version);
    veil_jbuf_cstr(b, " from its statistics (counts of findings by detector, "
                      "category, route, direction, location and action; never "
                      "a matched value). Period start: process start.</footer>"
                      "</main></body></html>\n");
}


/* ---- Markdown ---- */

static void md(const report_t *r, veil_jbuf_t *b)
{
    char t0[64], t1[64], tc[64], dur[64], num[32];

    fmt_time(r->start, t0, sizeof(t0));
    fmt_time(r->now, t1, sizeof(t1));
    fmt_time(r->config_time, tc, sizeof(tc));
    fmt_duration(r->now - r->start, dur, sizeof(dur));
    veil_jbuf_cstr(b, "# veil transparency report\n\n"
                      "Counts only: this report contains no personal data.\n\n");
    out_f(b, "- Period: %s to %s (%s)\n", t0, t1, dur);
    veil_jbuf_cstr(b, "- Configuration: ");
    out_md(b, r->config_id[0] ? r->config_id : "(built-in defaults)");
    out_f(b, ", loaded %s\n", tc);
    fmt_count(r->requests, num, sizeof(num));
    out_f(b, "- Requests: %s\n", num);
    fmt_count(r->findings, num, sizeof(num));
    out_f(b, "- Findings: %s\n", num);
    fmt_bytes(r->inspected, num, sizeof(num));
    out_f(b, "- Inspected: %s\n", num);
    fmt_count(r->skipped, num, sizeof(num));
    out_f(b, "- Bodies not inspected: %s\n", num);
    fmt_count(r->rejected, num, sizeof(num));
    out_f(b, "- Rejected: %s\n", num);
    fmt_count(r->blocked, num, sizeof(num));
    out_f(b, "- Blocked: %s\n", num);
    fmt_count(r->uperr, num, sizeof(num));
    out_f(b, "- Upstream errors: %s\n", num);

    veil_jbuf_cstr(b, "\n## Regulations\n\n| Category | Findings |");
    for (int g = 0; g < NREGS; g++) {
        out_f(b, " %s |", reg_names[g]);
    }
    veil_jbuf_cstr(b, "\n|---|---:|");
    for (int g = 0; g < NREGS; g++) {
        veil_jbuf_cstr(b, "---:|");
    }
    veil_jbuf_cstr(b, "\n");
    for (int c = 0; c < VEIL_CAT__COUNT; c++) {
        out_f(b, "| %s | %.0f |", veil_category_name((veil_category_t)c), r->cat_total[c]);
        for (int g = 0; g < NREGS; g++) {
            if (r->cat_reg[c][g] > 0) {
                out_f(b, " %.0f |", r->cat_reg[c][g]);
            } else {
                veil_jbuf_cstr(b, " - |");
            }
        }
        veil_jbuf_cstr(b, "\n");
    }
    for (int i = 0; i < T__COUNT; i++) {
        const tally_t *t = &r->t[i];

        out_f(b, "\n## %s\n\n%s\n\n", t->title, t->note);
        if (t->n == 0) {
            veil_jbuf_cstr(b, "None recorded in this period.\n");
            continue;
        }
        veil_jbuf_cstr(b, "| | Count |\n|---|---:|\n");
        for (size_t k = 0; k < t->n; k++) {
            veil_jbuf_cstr(b, "| ");
            out_md(b, t->rows[k].label);
            out_f(b, " | %.0f |\n", t->rows[k].count);
        }
    }
}


/* ---- JSON summary ---- */

static void json(const report_t *r, veil_jbuf_t *b)
{
    veil_jbuf_raw(b, "{", 1);
    veil_jbuf_key(b, "period");
    out_f(b, "{\"start\":%.3f,\"end\":%.3f}", r->start, r->now);
    veil_jbuf_key(b, "config");
    veil_jbuf_raw(b, "{", 1);
    veil_jbuf_key(b, "id");
    veil_jbuf_str(b, r->config_id, strlen(r->config_id));
    out_f(b, ",\"loaded_at\":%.3f}", r->config_time);
    veil_jbuf_key(b, "totals");
    out_f(b,
          "{\"requests\":%.0f,\"findings\":%.0f,\"inspected_bytes\":%.0f,"
          "\"not_inspected\":%.0f,\"rejected\":%.0f,\"blocked\":%.0f,"
          "\"upstream_errors\":%.0f}",
          r->requests, r->findings, r->inspected, r->skipped, r->rejected, r->blocked, r->uperr);
    veil_jbuf_key(b, "category_regulations");
    veil_jbuf_raw(b, "{", 1);
    for (int c = 0; c < VEIL_CAT__COUNT; c++) {
        veil_jbuf_key(b, veil_category_name((veil_category_t)c));
        out_f(b, "{\"findings\":%.0f", r->cat_total[c]);
        for (int g = 0; g < NREGS; g++) {
            out_f(b, ",\"%s\":%.0f", reg_ids[g], r->cat_reg[c][g]);
        }
        veil_jbuf_raw(b, "}", 1);
    }
    veil_jbuf_raw(b, "}", 1);
    for (int i = 0; i < T__COUNT; i++) {
        const tally_t *t = &r->t[i];

        veil_jbuf_key(b, t->id);
        veil_jbuf_raw(b, "{", 1);
        for (size_t k = 0; k < t->n; k++) {
            veil_jbuf_key(b, t->rows[k].label);
            out_f(b, "%.0f", t->rows[k].count);
        }
        veil_jbuf_raw(b, "}", 1);
    }
    veil_jbuf_raw(b, "}\n", 2);
}


int veil_report_render(const char *doc_bytes, size_t len, int format, veil_jbuf_t *out, char *err,
                       size_t errlen)
{
    veil__jv_t doc;
    report_t *r;

    if (veil__json_parse(doc_bytes, len, &doc, err, errlen) != 0) {
        return -EINVAL;
    }
    if (doc.type != VEIL__J_OBJ || veil__json_num(&doc, "format", 0) != 1 ||
        veil__json_get(&doc, "totals") == NULL) {
        snprintf(err, errlen, "not a veil /stats document (format 1)");
        veil__json_free(&doc);
        return -EINVAL;
    }
    r = calloc(1, sizeof(*r));
    if (r == NULL) {
        veil__json_free(&doc);
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    build(r, &doc);
    veil__json_free(&doc);
    if (format == VEIL_REPORT_MD) {
        md(r, out);
    } else if (format == VEIL_REPORT_JSON) {
        json(r, out);
    } else {
        html(r, out);
    }
    free(r);
    if (out->overflow) {
        snprintf(err, errlen, "report too large");
        return -ENOMEM;
    }
    return 0;
}
