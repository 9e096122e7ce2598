/*
 * veil scan: redacts files (or stdin) offline with the detection engine.
 * The output has exactly one line per input line, in order; findings go
 * to --findings as JSON lines with positions, never values.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "veil/config.h"
#include "veil/scan.h"
#include "veil/transform.h"
#include "veil/veil.h"

#define MAX_LIST 256

typedef struct {
    const char *format; /* text, json, form, multipart, xml or auto */
    veil_action_t action;
    veil_confidence_t min_confidence;
    const char *findings_path;
    const char *key_file, *key_env;
    const char *allow_values[MAX_LIST];
    size_t nallow_values;
    const char *allow_patterns[MAX_LIST];
    size_t nallow_patterns;
    uint8_t enabled[VEIL_CATALOG_MAX];
    /* -c FILE: the policy direction's engine, actions and key. */
    const char *config_path, *policy, *direction;
    const uint8_t *actions;
    int action_given, engine_flags;
} scan_opts_t;

/* Turns raw offsets into line numbers while the redactor streams: the
   offsets of the newlines not yet passed, consumed in order. */
typedef struct {
    uint64_t *nl;
    size_t head, count, cap;
    uint64_t line, line_start;
} lines_t;

typedef struct {
    const char *name;
    size_t name_len;
    const veil_engine_t *engine;
    FILE *findings;
    lines_t lines;
    const scan_opts_t *opts;
    unsigned long count;
    char *out; /* findings' JSON lines not yet written (on_finding()) */
    size_t out_len, out_cap;
} scan_ctx_t;

static void usage(FILE *out)
{
    fprintf(out, "usage: veil scan [options] [FILE...]\n\n"
                 "Reads FILEs (or stdin) and writes them redacted to stdout, line for line.\n\n"
                 "  --format F          text, json (JSON or JSON Lines), form (urlencoded),\n"
                 "                      multipart (the boundary from the first line; file\n"
                 "                      parts replaced by a marker), xml, or auto (default:\n"
                 "                      .json/.jsonl/.ndjson are json, .xml is xml)\n"
                 "  --action A          mask (default), label, hash or drop\n"
                 "  --min-confidence C  low, medium (default) or high\n"
                 "  --findings PATH     write findings as JSON lines (- for stderr)\n"
                 "  --allow VALUE       never flag this exact value (repeatable)\n"
                 "  --allow-pattern RE  never flag values matching this PCRE2 pattern\n"
                 "  --disable IDS       comma-separated detector ids to turn off\n"
                 "  --only IDS          run only these detector ids\n"
                 "  --hash-key-file F   HMAC key for --action hash (mode 0600)\n"
                 "  --hash-key-env VAR  HMAC key from an environment variable\n"
                 "  -c FILE             use FILE's detectors, allowlists and actions\n"
                 "                      (not with --only, --disable, --allow*, --min-confidence)\n"
                 "  --policy NAME       with -c: the policy (default)\n"
                 "  --direction D       with -c: request (default) or response\n\n"
                 "'veil detectors' lists the detector ids.\n");
}

static int lines_add(lines_t *l, const char *p, size_t n, uint64_t off)
{
    for (const char *q = p; (q = memchr(q, '\n', n - (size_t)(q - p))) != NULL; q++) {
        if (l->count == l->cap) {
            if (l->head > 0) {
                memmove(l->nl, l->nl + l->head, (l->count - l->head) * sizeof(*l->nl));
                l->count -= l->head;
                l->head = 0;
            }
            if (l->count == l->cap) {
                size_t cap = l->cap ? l->cap * 2 : 1024;
                uint64_t *nl = realloc(l->nl, cap * sizeof(*nl));
                if (nl == NULL) {
                    return -ENOMEM;
                }
                l->nl = nl;
                l->cap = cap;
            }
        }
        l->nl[l->count++] = off + (uint64_t)(q - p);
        if ((size_t)(q - p) + 1 >= n) {
            break;
        }
    }
    return 0;
}

static void lines_advance(lines_t *l, uint64_t upto)
{
    while (l->head < l->count && l->nl[l->head] < upto) {
        l->line++;
        l->line_start = l->nl[l->head] + 1;
        l->head++;
    }
}

/* A finding's JSON line is built in a buffer, and the lines are written
   together: the fprintf() per finding this replaces cost about 2,800
   instructions a finding, a third of a whole `veil scan` of PII-dense
   bodies. */
static char *put(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

#define PUT_LIT(p, lit) put((p), (lit), sizeof(lit) - 1)

static char *put_u64(char *p, unsigned long long v)
{
    /* two digits a division */
    static const char pairs[] = "00010203040506070809101112131415161718192021222324"
                                "25262728293031323334353637383940414243444546474849"
                                "50515253545556575859606162636465666768697071727374"
                                "75767778798081828384858687888990919293949596979899";
    char digits[20], *q = digits + sizeof(digits);
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        q -= 2;
        memcpy(q, pairs + 2 * r, 2);
    }
    if (v >= 10) {
        q -= 2;
        memcpy(q, pairs + 2 * v, 2);
    } else {
        *--q = (char)('0' + v);
    }
    size_t n = (size_t)(digits + sizeof(digits) - q);
    memcpy(p, q, n);
    return p + n;
}

/* Writes the findings' lines held so far. */
static void findings_flush(scan_ctx_t *c)
{
    if (c->out_len > 0) {
        fwrite(c->out, 1, c->out_len, c->findings);
        c->out_len = 0;
    }
}

static void on_finding(void *ud, const veil_finding_t *f)
{
    scan_ctx_t *c = ud;
    const veil_detector_info_t *d = veil_engine_detector(c->engine, f->detector);
    static const char *const conf[] = {"none", "low", "medium", "high"};

    c->count++;
    if (c->findings == NULL) {
        return;
    }
    lines_advance(&c->lines, f->offset);
    const char *action = veil_action_name(c->opts->actions && !c->opts->action_given
                                              ? (veil_action_t)c->opts->actions[f->detector]
                                              : c->opts->action);
    const char *category = veil_category_name(d->category), *confidence = conf[f->confidence & 3];
    size_t id_len = strlen(d->id), cat_len = strlen(category), act_len = strlen(action);
    /* the names, five numbers of 20 digits at most, the keys and quotes;
       lines are held up to 64 KiB and written together */
    size_t need = c->name_len + id_len + cat_len + act_len + 256;
    if (c->out_len + need > c->out_cap) {
        findings_flush(c);
        if (need > c->out_cap) {
            size_t cap = need > 65536 ? need : 65536;
            char *grown = realloc(c->out, cap);
            if (grown == NULL) {
                fprintf(stderr, "veil scan: out of memory\n");
                return;
            }
            c->out = grown;
            c->out_cap = cap;
        }
    }
    char *start = c->out + c->out_len;
    char *p = PUT_LIT(start, "{\"file\":\"");
    p = put(p, c->name, c->name_len);
    p = PUT_LIT(p, "\",\"detector\":\"");
    p = put(p, d->id, id_len);
    p = PUT_LIT(p, "\",\"category\":\"");
    p = put(p, category, cat_len);
    p = PUT_LIT(p, "\",\"confidence\":\"");
    p = put(p, confidence, strlen(confidence));
    p = PUT_LIT(p, "\",\"line\":");
    p = put_u64(p, (unsigned long long)c->lines.line + 1);
    p = PUT_LIT(p, ",\"column\":");
    p = put_u64(p, (unsigned long long)(f->offset - c->lines.line_start));
    p = PUT_LIT(p, ",\"offset\":");
    p = put_u64(p, (unsigned long long)f->offset);
    p = PUT_LIT(p, ",\"length\":");
    p = put_u64(p, f->length);
    p = PUT_LIT(p, ",\"action\":\"");
    p = put(p, action, act_len);
    p = PUT_LIT(p, "\"}\n");
    c->out_len += (size_t)(p - start);
}

/* The redacted output, gathered into 64 KiB writes: the redactor hands
   over each untouched run and each replacement apart (two pieces a
   finding), and an fwrite() a piece cost more than masking the value on
   PII-dense input. */
typedef struct {
    char buf[1 << 16];
    size_t len;
    int failed;
} out_buf_t;

static int out_flush(out_buf_t *o)
{
    if (o->len > 0 && fwrite(o->buf, 1, o->len, stdout) != o->len) {
        o->failed = 1;
    }
    o->len = 0;
    return o->failed ? -1 : 0;
}

static int write_out(void *ud, const char *data, size_t len)
{
    out_buf_t *o = ud;
    if (o->len + len > sizeof(o->buf) && out_flush(o) != 0) {
        return -1;
    }
    if (len >= sizeof(o->buf)) {
        return fwrite(data, 1, len, stdout) == len ? 0 : -1;
    }
    memcpy(o->buf + o->len, data, len);
    o->len += len;
    return o->failed ? -1 : 0;
}

static veil_format_t pick_format(const char *format, const char *name)
{
    if (strcmp(format, "json") == 0) {
        return VEIL_FMT_JSON;
    }
    if (strcmp(format, "form") == 0) {
        return VEIL_FMT_FORM;
    }
    if (strcmp(format, "multipart") == 0) {
        return VEIL_FMT_MULTIPART;
    }
    if (strcmp(format, "xml") == 0) {
        return VEIL_FMT_XML;
    }
    if (strcmp(format, "auto") == 0) {
        const char *dot = strrchr(name, '.');
        if (dot && (strcmp(dot, ".json") == 0 || strcmp(dot, ".jsonl") == 0 ||
                    strcmp(dot, ".ndjson") == 0)) {
            return VEIL_FMT_JSON;
        }
        if (dot && strcmp(dot, ".xml") == 0) {
            return VEIL_FMT_XML;
        }
    }
    return VEIL_FMT_TEXT;
}

/* The name as it goes into the findings: a JSON string without quoting
   trouble (paths with quotes or control characters are replaced). */
static const char *safe_name(const char *path)
{
    for (const char *p = path; *p; p++) {
        if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20) {
            return "(unprintable path)";
        }
    }
    return path;
}

static int scan_stream(const veil_engine_t *engine, const scan_opts_t *o,
                       const veil_hash_key_t *key, FILE *in, const char *name, FILE *findings)
{
    scan_ctx_t ctx = {safe_name(name), 0, engine, findings, {0}, o, 0, NULL, 0, 0};
    ctx.name_len = strlen(ctx.name);
    veil_redactor_options_t ro = {0};
    static char buf[1 << 16];
    static out_buf_t out;
    uint64_t off = 0;
    int rc = 0;

    out.len = 0;
    out.failed = 0;

    ro.format = pick_format(o->format, name);
    ro.action = o->action;
    ro.action_by_detector = o->action_given ? NULL : o->actions;
    ro.key = key;
    ro.write = write_out;
    ro.write_ud = &out;
    ro.on_finding = on_finding;
    ro.finding_ud = &ctx;
    veil_redactor_t *r = veil_redactor_new(engine, &ro);
    if (r == NULL) {
        fprintf(stderr, "veil scan: out of memory\n");
        return 1;
    }
    for (;;) {
        size_t n = fread(buf, 1, sizeof(buf), in);
        if (n == 0) {
            break;
        }
        if (lines_add(&ctx.lines, buf, n, off) != 0) {
            rc = -ENOMEM;
            break;
        }
        off += n;
        if ((rc = veil_redactor_feed(r, buf, n)) != 0) {
            break;
        }
        /* Newlines before what was written can no longer matter. */
        lines_advance(&ctx.lines, veil_redactor_offset(r));
    }
    if (rc == 0 && ferror(in)) {
        findings_flush(&ctx);
        fprintf(stderr, "veil scan: %s: read error\n", ctx.name);
        rc = -EIO;
    }
    if (rc == 0) {
        rc = veil_redactor_finish(r);
    }
    findings_flush(&ctx);
    if (out_flush(&out) != 0 && rc == 0) {
        fprintf(stderr, "veil scan: %s: write error\n", ctx.name);
        rc = -EIO;
    }
    if (rc != 0 && rc != -EIO) {
        fprintf(stderr, "veil scan: %s: %s\n", ctx.name, veil_strerror(rc));
    }
    veil_redactor_free(r);
    free(ctx.lines.nl);
    free(ctx.out);
    memset(buf, 0, sizeof(buf));
    memset(out.buf, 0, sizeof(out.buf));
    return rc == 0 ? 0 : 1;
}

static void print_diag(void *ud, veil_diag_level_t level, const char *msg)
{
    (void)ud;
    fprintf(stderr, "%s: %s\n", level == VEIL_DIAG_ERROR ? "error" : "warning", msg);
}

static int set_detectors(uint8_t *enabled, const char *ids, int value)
{
    char copy[1024];
    snprintf(copy, sizeof(copy), "%s", ids);
    for (char *save = NULL, *id = strtok_r(copy, ",", &save); id; id = strtok_r(NULL, ",", &save)) {
        int d = veil_catalog_find(id);
        if (d < 0) {
            fprintf(stderr, "veil scan: unknown detector '%s' (see 'veil detectors')\n", id);
            return -1;
        }
        enabled[d] = (uint8_t)value;
    }
    return 0;
}

int veil_cmd_scan(int argc, char **argv)
{
    scan_opts_t o;
    int i, rc = 0;
    char err[256];

    memset(&o, 0, sizeof(o));
    o.format = "auto";
    o.action = VEIL_ACT_MASK;
    o.min_confidence = VEIL_CONF_MEDIUM;
    memset(o.enabled, 1, sizeof(o.enabled));

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (a[0] != '-' || strcmp(a, "-") == 0) {
            break;
        }
        if (v == NULL) {
            static const char *const known[] = {"-c",
                                                "--config",
                                                "--policy",
                                                "--direction",
                                                "--format",
                                                "--action",
                                                "--min-confidence",
                                                "--findings",
                                                "--allow",
                                                "--allow-pattern",
                                                "--disable",
                                                "--only",
                                                "--hash-key-file",
                                                "--hash-key-env"};
            int is_known = 0;
            for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
                is_known |= strcmp(a, known[k]) == 0;
            }
            if (!is_known) {
                fprintf(stderr, "veil scan: unknown option '%s'\n", a);
                usage(stderr);
                return 2;
            }
            fprintf(stderr, "veil scan: %s needs a value\n", a);
            return 2;
        }
        i++;
        if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
            o.config_path = v;
        } else if (strcmp(a, "--policy") == 0) {
            o.policy = v;
        } else if (strcmp(a, "--direction") == 0) {
            if (strcmp(v, "request") && strcmp(v, "response")) {
                fprintf(stderr, "veil scan: --direction: request or response\n");
                return 2;
            }
            o.direction = v;
        } else if (strcmp(a, "--format") == 0) {
            if (strcmp(v, "text") && strcmp(v, "json") && strcmp(v, "form") &&
                strcmp(v, "multipart") && strcmp(v, "xml") && strcmp(v, "auto")) {
                fprintf(stderr, "veil scan: unknown format '%s'\n", v);
                return 2;
            }
            o.format = v;
        } else if (strcmp(a, "--action") == 0) {
            int act = veil_action_parse(v);
            if (act < 0) {
                fprintf(stderr, "veil scan: unknown action '%s'\n", v);
                return 2;
            }
            o.action = (veil_action_t)act;
            o.action_given = 1;
        } else if (strcmp(a, "--min-confidence") == 0) {
            o.engine_flags = 1;
            o.min_confidence = strcmp(v, "low") == 0      ? VEIL_CONF_LOW
                               : strcmp(v, "medium") == 0 ? VEIL_CONF_MEDIUM
                               : strcmp(v, "high") == 0   ? VEIL_CONF_HIGH
                                                          : 0;
            if (o.min_confidence == 0) {
                fprintf(stderr, "veil scan: unknown confidence '%s'\n", v);
                return 2;
            }
        } else if (strcmp(a, "--findings") == 0) {
            o.findings_path = v;
        } else if (strcmp(a, "--allow") == 0 && o.nallow_values < MAX_LIST) {
            o.allow_values[o.nallow_values++] = v;
            o.engine_flags = 1;
        } else if (strcmp(a, "--allow-pattern") == 0 && o.nallow_patterns < MAX_LIST) {
            o.allow_patterns[o.nallow_patterns++] = v;
            o.engine_flags = 1;
        } else if (strcmp(a, "--disable") == 0) {
            o.engine_flags = 1;
            if (set_detectors(o.enabled, v, 0) != 0) {
                return 2;
            }
        } else if (strcmp(a, "--only") == 0) {
            o.engine_flags = 1;
            memset(o.enabled, 0, sizeof(o.enabled));
            if (set_detectors(o.enabled, v, 1) != 0) {
                return 2;
            }
        } else if (strcmp(a, "--hash-key-file") == 0) {
            o.key_file = v;
        } else if (strcmp(a, "--hash-key-env") == 0) {
            o.key_env = v;
        } else {
            fprintf(stderr, "veil scan: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }

    veil_hash_key_t key;
    int have_key = 0;
    veil_config_t *cfg = NULL;
    const veil_policy_dir_t *pd = NULL;
    if (o.config_path == NULL && (o.policy || o.direction)) {
        fprintf(stderr, "veil scan: --policy and --direction need -c FILE\n");
        return 2;
    }
    if (o.config_path) {
        if (o.engine_flags) {
            fprintf(stderr, "veil scan: with -c, detectors, allowlists and the minimum "
                            "confidence come from the file\n");
            return 2;
        }
        cfg = veil_config_load_file(o.config_path, 0, print_diag, NULL);
        if (cfg == NULL) {
            return 2;
        }
        const veil_policy_t *pol = veil_config_policy(cfg, o.policy ? o.policy : "default");
        if (pol == NULL) {
            fprintf(stderr, "veil scan: %s: no policy '%s'\n", o.config_path, o.policy);
            veil_config_release(cfg);
            return 2;
        }
        pd = &pol->dir[o.direction && strcmp(o.direction, "response") == 0 ? VEIL_DIR_RESPONSE
                                                                           : VEIL_DIR_REQUEST];
        o.actions = pd->actions;
    }
    int needs_key = o.action == VEIL_ACT_HASH && (o.action_given || pd == NULL);
    if (pd && !o.action_given && pd->key && o.key_file == NULL && o.key_env == NULL) {
        key = *pd->key;
        have_key = 1;
    } else if (needs_key || (pd && !o.action_given && (o.key_file || o.key_env))) {
        if (o.key_file == NULL && o.key_env == NULL) {
            fprintf(stderr, "veil scan: --action hash needs --hash-key-file or --hash-key-env\n");
            veil_config_release(cfg);
            return 2;
        }
        if (veil_hash_key_load(&key, o.key_file, o.key_env, err, sizeof(err)) != 0) {
            fprintf(stderr, "veil scan: %s\n", err);
            veil_config_release(cfg);
            return 2;
        }
        have_key = 1;
    }

    veil_engine_t *own_engine = NULL;
    const veil_engine_t *engine = pd ? pd->engine : NULL;
    if (engine == NULL) {
        veil_engine_options_t eo = {0};
        eo.enabled = o.enabled;
        eo.min_confidence = o.min_confidence;
        eo.allow_values = o.allow_values;
        eo.allow_values_count = o.nallow_values;
        eo.allow_patterns = o.allow_patterns;
        eo.allow_patterns_count = o.nallow_patterns;
        engine = own_engine = veil_engine_new(&eo, err, sizeof(err));
        if (engine == NULL) {
            fprintf(stderr, "veil scan: %s\n", err);
            return 2;
        }
    }

    FILE *findings = NULL;
    if (o.findings_path) {
        findings = strcmp(o.findings_path, "-") == 0 ? stderr : fopen(o.findings_path, "w");
        if (findings == NULL) {
            fprintf(stderr, "veil scan: cannot open %s: %s\n", o.findings_path, strerror(errno));
            veil_engine_free(own_engine);
            veil_config_release(cfg);
            return 2;
        }
    }

    if (i >= argc) {
        rc |= scan_stream(engine, &o, have_key ? &key : NULL, stdin, "-", findings);
    }
    for (; i < argc; i++) {
        if (strcmp(argv[i], "-") == 0) {
            rc |= scan_stream(engine, &o, have_key ? &key : NULL, stdin, "-", findings);
            continue;
        }
        FILE *in = fopen(argv[i], "rb");
        if (in == NULL) {
            fprintf(stderr, "veil scan: cannot open %s: %s\n", safe_name(argv[i]), strerror(errno));
            rc = 1;
            continue;
        }
        rc |= scan_stream(engine, &o, have_key ? &key : NULL, in, argv[i], findings);
        fclose(in);
    }
    if (fflush(stdout) != 0) {
        rc = 1;
    }
    if (findings && findings != stderr) {
        fclose(findings);
    }
    veil_engine_free(own_engine);
    veil_config_release(cfg);
    memset(&key, 0, sizeof(key));
    return rc;
}
