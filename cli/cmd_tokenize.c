/*
 * veil tokenize, veil detokenize, veil tokens rewrap: reversible tokens
 * offline, as veil scan works: files (or stdin) in, exactly one output
 * line per input line out.
 *
 *   tokenize     every finding of the engine becomes its token (tagged,
 *                or format-preserving where the policy says fpe);
 *   detokenize   every token the keys can open becomes its value again;
 *                one audit line per run (time, user, reason, counts per
 *                type and key: never a value or a token);
 *   rewrap       tokens under one key are made again under another.
 *
 * The pipeline: the redactor (engine findings: tokens made, or FPE tokens
 * at their places opened) writes into the tagged-token stream (tokens
 * found by their grammar and opened), which writes to stdout.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "veil/config.h"
#include "veil/scan.h"
#include "veil/tokens.h"
#include "veil/transform.h"
#include "veil/veil.h"

typedef struct {
    const char *cmd; /* "tokenize", "detokenize", "tokens rewrap" */
    veil_token_op_t op;
    const char *format; /* text, json, form or auto */
    const char *key_file, *key_id;
    const char *config_path, *policy, *direction;
    const char *reason, *audit_path;
    const char *from, *to;
    int stats;
} tok_opts_t;

typedef struct {
    veil_token_stream_t *stream; /* NULL for tokenize */
    int failed;
} pipe_t;

static void usage(FILE *out, veil_token_op_t op)
{
    if (op == VEIL_TOKEN_OP_TOKENIZE) {
        fprintf(out, "usage: veil tokenize (--key-file F | -c FILE) [options] [FILE...]\n\n"
                     "Reads FILEs (or stdin) and writes them to stdout, line for line, with\n"
                     "every finding replaced by a reversible token (docs/tokens.md).\n\n");
    } else if (op == VEIL_TOKEN_OP_DETOKENIZE) {
        fprintf(
            out,
            "usage: veil detokenize (--key-file F | -c FILE) --reason TEXT [options] [FILE...]\n\n"
            "Reads FILEs (or stdin) and writes them to stdout, line for line, with\n"
            "every token the keys can open turned back into its value. Everything\n"
            "else, and every token they cannot open, is left byte for byte. Writes\n"
            "one audit line per run (time, user, reason, counts per type and key).\n\n");
    } else {
        fprintf(out, "usage: veil tokens rewrap --from ID --to ID -c FILE [options] [FILE...]\n\n"
                     "Reads FILEs (or stdin) and writes them to stdout, line for line, with\n"
                     "every token under key ID (--from) made again under key ID (--to):\n"
                     "the rotation step between a new active key and retiring the old one.\n\n");
    }
    fprintf(out, "  --key-file F        a 32-byte key file (mode 0600 or 0400) as slot 1:\n"
                 "                      the built-in detectors, tagged tokens for every type,\n"
                 "                      format-preserving ones for cards and IBANs in fields\n"
                 "  --key-id ID         the key's id in tokens with --key-file (default k1)\n"
                 "  -c FILE             keys:, detectors and token formats from FILE's policy\n"
                 "  --policy NAME       with -c: the policy (default)\n"
                 "  --direction D       with -c: request (default) or response\n"
                 "  --format F          text, json, form, or auto (default: .json/.jsonl/\n"
                 "                      .ndjson are json)\n"
                 "  --stats             print the token counters (JSON) to stderr\n");
    if (op == VEIL_TOKEN_OP_DETOKENIZE) {
        fprintf(out, "  --reason TEXT       why the values are needed (required; audited)\n"
                     "  --audit FILE        append the audit line to FILE (default: stderr)\n");
    }
    if (op == VEIL_TOKEN_OP_REWRAP) {
        fprintf(out, "  --from ID           the key whose tokens are made again\n"
                     "  --to ID             the key they are made with (active)\n");
    }
    fprintf(out,
            "\nExit status: 0, or 1 when a file could not be read or written%s, 2 for\n"
            "a usage or key error.\n",
            op == VEIL_TOKEN_OP_TOKENIZE ? "" : " or a token was refused");
}

static int write_stdout(void *ud, const char *data, size_t len)
{
    (void)ud;
    return fwrite(data, 1, len, stdout) == len ? 0 : -1;
}

/* The redactor's output goes through the tagged-token stream, if any. */
static int write_pipe(void *ud, const char *data, size_t len)
{
    pipe_t *p = ud;
    if (p->stream) {
        return veil_token_stream_feed(p->stream, data, len) == 0 ? 0 : -1;
    }
    return write_stdout(NULL, data, len);
}

static veil_format_t pick_format(const char *format, const char *name)
{
    const char *dot = strrchr(name, '.');
    if (strcmp(format, "json") == 0) {
        return VEIL_FMT_JSON;
    }
    if (strcmp(format, "form") == 0) {
        return VEIL_FMT_FORM;
    }
    if (strcmp(format, "auto") == 0 && dot &&
        (strcmp(dot, ".json") == 0 || strcmp(dot, ".jsonl") == 0 || strcmp(dot, ".ndjson") == 0)) {
        return VEIL_FMT_JSON;
    }
    return VEIL_FMT_TEXT;
}

static const char *safe_name(const char *path)
{
    for (const char *p = path; *p; p++) {
        if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20) {
            return "(unprintable path)";
        }
    }
    return path;
}

static int run_stream(const tok_opts_t *o, const veil_engine_t *engine, const uint8_t *actions,
                      const veil_tokens_t *tokens, veil_token_stats_t *st, FILE *in,
                      const char *name)
{
    static char buf[1 << 16];
    veil_redactor_options_t ro = {0};
    pipe_t p = {NULL, 0};
    veil_redactor_t *r;
    int rc = 0;

    if (o->op != VEIL_TOKEN_OP_TOKENIZE) {
        p.stream = veil_token_stream_new(tokens, o->op, st, write_stdout, NULL);
        if (p.stream == NULL) {
            fprintf(stderr, "veil %s: out of memory\n", o->cmd);
            return 1;
        }
    }
    ro.format = pick_format(o->format, name);
    ro.action = VEIL_ACT_TOKENIZE;
    ro.action_by_detector = actions;
    ro.write = write_pipe;
    ro.write_ud = &p;
    ro.tokens = tokens;
    ro.token_stats = st;
    ro.token_op = (int)o->op;
    r = veil_redactor_new(engine, &ro);
    if (r == NULL) {
        veil_token_stream_free(p.stream);
        fprintf(stderr, "veil %s: out of memory\n", o->cmd);
        return 1;
    }
    for (;;) {
        size_t n = fread(buf, 1, sizeof(buf), in);
        if (n == 0) {
            break;
        }
        if ((rc = veil_redactor_feed(r, buf, n)) != 0) {
            break;
        }
    }
    if (rc == 0 && ferror(in)) {
        fprintf(stderr, "veil %s: %s: read error\n", o->cmd, safe_name(name));
        rc = -EIO;
    }
    if (rc == 0) {
        rc = veil_redactor_finish(r);
    }
    if (rc == 0 && p.stream) {
        rc = veil_token_stream_finish(p.stream);
    }
    if (rc != 0 && rc != -EIO) {
        fprintf(stderr, "veil %s: %s: %s\n", o->cmd, safe_name(name), veil_strerror(rc));
    }
    veil_redactor_free(r);
    veil_token_stream_free(p.stream);
    memset(buf, 0, sizeof(buf));
    return rc == 0 ? 0 : 1;
}

static void json_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            fprintf(out, "\\%c", c);
        } else if (c < 0x20 || c == 0x7f) {
            fprintf(out, "\\u%04x", c);
        } else {
            fputc(c, out);
        }
    }
    fputc('"', out);
}

static const char *slot_key(const veil_token_ring_t *ring, int slot)
{
    for (size_t i = 0; i < veil_token_ring_count(ring); i++) {
        if (veil_token_ring_slot(ring, i) == slot) {
            return veil_token_ring_id(ring, i);
        }
    }
    return "unknown";
}

/* The reversal counters as a JSON array of {type, key, outcome, count}. */
static void print_reversed(FILE *out, const veil_token_stats_t *st, const veil_token_ring_t *ring,
                           int only_restored)
{
    int first = 1;
    fputc('[', out);
    for (unsigned t = 0; t < VEIL_TOKEN_STAT_TYPES; t++) {
        for (int s = 0; s <= VEIL_TOKEN_SLOTS; s++) {
            for (int oc = 0; oc < VEIL_TOKEN_OUTCOME__COUNT; oc++) {
                uint64_t n = st->reversed[t][s][oc];
                if (n == 0 ||
                    (only_restored >= 0 &&
                     (oc == VEIL_TOKEN_RESTORED || oc == VEIL_TOKEN_REWRAPPED) != only_restored)) {
                    continue;
                }
                fprintf(out,
                        "%s{\"type\":\"%s\",\"key\":\"%s\",\"outcome\":\"%s\","
                        "\"count\":%llu}",
                        first ? "" : ",", veil_token_stat_type_name(t), slot_key(ring, s),
                        veil_token_outcome_name((veil_token_outcome_t)oc), (unsigned long long)n);
                first = 0;
            }
        }
    }
    fputc(']', out);
}

static void print_stats(FILE *out, const veil_token_stats_t *st, const veil_token_ring_t *ring)
{
    int first = 1;
    fprintf(out, "{\"issued\":[");
    for (unsigned t = 0; t < VEIL_TOKEN_STAT_TYPES; t++) {
        for (int s = 0; s <= VEIL_TOKEN_SLOTS; s++) {
            for (int k = 0; k < VEIL_TOKEN_KIND__COUNT; k++) {
                if (st->issued[t][s][k] == 0) {
                    continue;
                }
                fprintf(out, "%s{\"type\":\"%s\",\"key\":\"%s\",\"format\":\"%s\",\"count\":%llu}",
                        first ? "" : ",", veil_token_stat_type_name(t), slot_key(ring, s),
                        k == VEIL_TOKEN_KIND_FPE ? "fpe" : "tagged",
                        (unsigned long long)st->issued[t][s][k]);
                first = 0;
            }
        }
    }
    fprintf(out, "],\"reversed\":");
    print_reversed(out, st, ring, -1);
    fprintf(out, ",\"fpe_refused\":[");
    first = 1;
    for (unsigned t = 0; t < VEIL_TOKEN_STAT_TYPES; t++) {
        for (int r = 0; r < VEIL_FPE_REFUSED__COUNT; r++) {
            if (st->fpe_refused[t][r] == 0) {
                continue;
            }
            fprintf(out, "%s{\"type\":\"%s\",\"reason\":\"%s\",\"count\":%llu}", first ? "" : ",",
                    veil_token_stat_type_name(t), veil_fpe_refusal_name((veil_fpe_refusal_t)r),
                    (unsigned long long)st->fpe_refused[t][r]);
            first = 0;
        }
    }
    fprintf(out, "],\"kept\":%llu}\n", (unsigned long long)st->kept);
}

/* One line per detokenize run: who, when, why, what was turned back. */
static int write_audit(const tok_opts_t *o, const veil_token_stats_t *st,
                       const veil_token_ring_t *ring, int ninputs, int rc)
{
    FILE *out = stderr;
    struct passwd *pw = getpwuid(getuid());
    char when[32];
    time_t now = time(NULL);
    struct tm tm;

    if (o->audit_path) {
        out = fopen(o->audit_path, "a");
        if (out == NULL) {
            fprintf(stderr, "veil detokenize: cannot open %s: %s\n", safe_name(o->audit_path),
                    strerror(errno));
            return -1;
        }
    }
    gmtime_r(&now, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(out, "{\"@timestamp\":\"%s\",\"event\":\"veil.detokenize\",\"user\":", when);
    json_str(out, pw && pw->pw_name ? pw->pw_name : "unknown");
    fprintf(out, ",\"uid\":%u,\"reason\":", (unsigned)getuid());
    json_str(out, o->reason);
    fprintf(out, ",\"inputs\":%d,\"status\":%d,\"restored\":", ninputs, rc);
    print_reversed(out, st, ring, 1);
    fprintf(out, ",\"refused\":");
    print_reversed(out, st, ring, 0);
    fprintf(out, "}\n");
    if (out != stderr && fclose(out) != 0) {
        return -1;
    }
    return 0;
}

static void print_diag(void *ud, veil_diag_level_t level, const char *msg)
{
    (void)ud;
    fprintf(stderr, "%s: %s\n", level == VEIL_DIAG_ERROR ? "error" : "warning", msg);
}

static int parse_args(tok_opts_t *o, int argc, char **argv, int *first_file)
{
    static const char *const valued[] = {"--key-file", "--key-id",    "-c",       "--config",
                                         "--policy",   "--direction", "--format", "--reason",
                                         "--audit",    "--from",      "--to"};
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int is_valued = 0;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout, o->op);
            return 0;
        }
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (a[0] != '-' || strcmp(a, "-") == 0) {
            break;
        }
        if (strcmp(a, "--stats") == 0) {
            o->stats = 1;
            continue;
        }
        for (size_t k = 0; k < sizeof(valued) / sizeof(valued[0]); k++) {
            is_valued |= strcmp(a, valued[k]) == 0;
        }
        if (!is_valued ||
            (o->op != VEIL_TOKEN_OP_DETOKENIZE &&
             (strcmp(a, "--reason") == 0 || strcmp(a, "--audit") == 0)) ||
            (o->op != VEIL_TOKEN_OP_REWRAP &&
             (strcmp(a, "--from") == 0 || strcmp(a, "--to") == 0))) {
            fprintf(stderr, "veil %s: unknown option '%s'\n", o->cmd, a);
            usage(stderr, o->op);
            return -1;
        }
        if (v == NULL) {
            fprintf(stderr, "veil %s: %s needs a value\n", o->cmd, a);
            return -1;
        }
        i++;
        if (strcmp(a, "--key-file") == 0) {
            o->key_file = v;
        } else if (strcmp(a, "--key-id") == 0) {
            o->key_id = v;
        } else if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
            o->config_path = v;
        } else if (strcmp(a, "--policy") == 0) {
            o->policy = v;
        } else if (strcmp(a, "--direction") == 0) {
            if (strcmp(v, "request") && strcmp(v, "response")) {
                fprintf(stderr, "veil %s: --direction: request or response\n", o->cmd);
                return -1;
            }
            o->direction = v;
        } else if (strcmp(a, "--format") == 0) {
            if (strcmp(v, "text") && strcmp(v, "json") && strcmp(v, "form") && strcmp(v, "auto")) {
                fprintf(stderr, "veil %s: unknown format '%s'\n", o->cmd, v);
                return -1;
            }
            o->format = v;
        } else if (strcmp(a, "--reason") == 0) {
            o->reason = v;
        } else if (strcmp(a, "--audit") == 0) {
            o->audit_path = v;
        } else if (strcmp(a, "--from") == 0) {
            o->from = v;
        } else {
            o->to = v;
        }
    }
    *first_file = i;
    return 1;
}

/* Everything a run needs, from --key-file or from -c FILE. */
typedef struct {
    veil_config_t *cfg;
    veil_engine_t *own_engine;
    veil_token_ring_t *own_ring;
    const veil_engine_t *engine;
    veil_tokens_t tokens;
    uint8_t *formats;
    uint8_t *actions;
} setup_t;

static void setup_free(setup_t *s)
{
    veil_engine_free(s->own_engine);
    veil_token_ring_free(s->own_ring);
    veil_config_release(s->cfg);
    free(s->formats);
    free(s->actions);
}

static int setup_key_file(const tok_opts_t *o, setup_t *s)
{
    veil_hash_key_t key;
    const veil_hash_key_t *kp = &key;
    char err[256];
    size_t n;

    memset(&key, 0, sizeof(key));
    key.id = o->key_id ? o->key_id : "k1";
    key.slot = 1;
    key.state = VEIL_KEY_ACTIVE;
    if (!veil_token_key_id_valid(key.id)) {
        fprintf(stderr, "veil %s: --key-id: 1 to %d of a-z, 0-9 and _\n", o->cmd,
                VEIL_TOKEN_KEY_ID_MAX);
        return -1;
    }
    if (veil_token_key_load(&key, o->key_file, err, sizeof(err)) != 0) {
        fprintf(stderr, "veil %s: %s\n", o->cmd, err);
        return -1;
    }
    s->own_ring = veil_token_ring_new(&kp, 1, err, sizeof(err));
    memset(&key, 0, sizeof(key));
    if (s->own_ring == NULL) {
        fprintf(stderr, "veil %s: %s\n", o->cmd, err);
        return -1;
    }
    s->engine = s->own_engine = veil_engine_new(NULL, err, sizeof(err));
    if (s->engine == NULL) {
        fprintf(stderr, "veil %s: %s\n", o->cmd, err);
        return -1;
    }
    /* Cards and IBANs keep their shape (in fields, docs/tokens.md);
       every other type gets tagged tokens. */
    n = veil_engine_detector_count(s->engine);
    s->formats = calloc(n + 1, 1);
    if (s->formats == NULL) {
        return -1;
    }
    for (size_t d = 0; d < n; d++) {
        const char *id = veil_engine_detector(s->engine, d)->id;
        s->formats[d] = (uint8_t)(strcmp(id, "credit_card") == 0 || strcmp(id, "iban") == 0
                                      ? VEIL_TOKEN_FPE
                                      : VEIL_TOKEN_TAGGED);
    }
    s->tokens.ring = s->own_ring;
    s->tokens.issue = 0;
    s->tokens.formats = s->formats;
    s->tokens.nformats = n;
    s->tokens.rewrap_from = -1;
    return 0;
}

static int setup_config(const tok_opts_t *o, setup_t *s)
{
    const veil_policy_t *pol;
    const veil_policy_dir_t *pd;

    s->cfg = veil_config_load_file(o->config_path, 0, print_diag, NULL);
    if (s->cfg == NULL) {
        return -1;
    }
    pol = veil_config_policy(s->cfg, o->policy ? o->policy : "default");
    if (pol == NULL) {
        fprintf(stderr, "veil %s: %s: no policy '%s'\n", o->cmd, safe_name(o->config_path),
                o->policy);
        return -1;
    }
    pd = &pol->dir[o->direction && strcmp(o->direction, "response") == 0 ? VEIL_DIR_RESPONSE
                                                                         : VEIL_DIR_REQUEST];
    if (pd->tokens == NULL || pd->engine == NULL) {
        fprintf(stderr, "veil %s: %s defines no token key slot (keys: ID: {file: F, slot: 1})\n",
                o->cmd, safe_name(o->config_path));
        return -1;
    }
    s->engine = pd->engine;
    s->tokens = *pd->tokens;
    s->tokens.rewrap_from = -1;
    return 0;
}

static int run(tok_opts_t *o, int argc, char **argv)
{
    veil_token_stats_t *st = calloc(1, sizeof(*st));
    setup_t s;
    int first, rc = 0, ninputs = 0;

    memset(&s, 0, sizeof(s));
    if (st == NULL) {
        return 1;
    }
    if ((rc = parse_args(o, argc, argv, &first)) <= 0) {
        free(st);
        return rc == 0 ? 0 : 2;
    }
    rc = 0;
    if ((o->key_file == NULL) == (o->config_path == NULL)) {
        fprintf(stderr, "veil %s: give exactly one of --key-file and -c FILE\n", o->cmd);
        free(st);
        return 2;
    }
    if (o->config_path == NULL && (o->policy || o->direction)) {
        fprintf(stderr, "veil %s: --policy and --direction need -c FILE\n", o->cmd);
        free(st);
        return 2;
    }
    if (o->op == VEIL_TOKEN_OP_DETOKENIZE && (o->reason == NULL || o->reason[0] == '\0')) {
        fprintf(stderr, "veil detokenize: --reason is required (it goes to the audit line)\n");
        free(st);
        return 2;
    }
    if (o->op == VEIL_TOKEN_OP_REWRAP && (o->from == NULL || o->to == NULL || !o->config_path)) {
        fprintf(stderr, "veil tokens rewrap: needs --from ID, --to ID and -c FILE\n");
        free(st);
        return 2;
    }
    if ((o->key_file ? setup_key_file(o, &s) : setup_config(o, &s)) != 0) {
        setup_free(&s);
        free(st);
        return 2;
    }
    if (o->op == VEIL_TOKEN_OP_REWRAP) {
        int from = veil_token_ring_find(s.tokens.ring, o->from, strlen(o->from));
        int to = veil_token_ring_find(s.tokens.ring, o->to, strlen(o->to));
        if (from < 0 || to < 0 || from == to ||
            veil_token_ring_state(s.tokens.ring, (size_t)from) == VEIL_KEY_RETIRED ||
            veil_token_ring_state(s.tokens.ring, (size_t)to) != VEIL_KEY_ACTIVE) {
            fprintf(stderr, "veil tokens rewrap: --from must name a key that is active or "
                            "decrypt_only, --to another, active key\n");
            setup_free(&s);
            free(st);
            return 2;
        }
        s.tokens.rewrap_from = from;
        s.tokens.issue = to;
    }
    if (o->op == VEIL_TOKEN_OP_TOKENIZE) {
        if (s.tokens.issue < 0) {
            fprintf(stderr, "veil tokenize: no active key to make tokens with\n");
            setup_free(&s);
            free(st);
            return 2;
        }
        /* Every finding becomes a token, whatever the policy's actions. */
        s.actions = malloc(veil_engine_detector_count(s.engine) + 1);
        if (s.actions == NULL) {
            setup_free(&s);
            free(st);
            return 1;
        }
        memset(s.actions, VEIL_ACT_TOKENIZE, veil_engine_detector_count(s.engine) + 1);
    }

    if (first >= argc) {
        rc |= run_stream(o, s.engine, s.actions, &s.tokens, st, stdin, "-");
        ninputs++;
    }
    for (int i = first; i < argc; i++) {
        FILE *in = strcmp(argv[i], "-") == 0 ? stdin : fopen(argv[i], "rb");
        if (in == NULL) {
            fprintf(stderr, "veil %s: cannot open %s: %s\n", o->cmd, safe_name(argv[i]),
                    strerror(errno));
            rc = 1;
            continue;
        }
        rc |= run_stream(o, s.engine, s.actions, &s.tokens, st, in, argv[i]);
        ninputs++;
        if (in != stdin) {
            fclose(in);
        }
    }
    if (fflush(stdout) != 0) {
        rc = 1;
    }
    if (o->op != VEIL_TOKEN_OP_TOKENIZE) {
        uint64_t refused = 0;
        for (unsigned t = 0; t < VEIL_TOKEN_STAT_TYPES; t++) {
            for (int sl = 0; sl <= VEIL_TOKEN_SLOTS; sl++) {
                refused += st->reversed[t][sl][VEIL_TOKEN_UNKNOWN_KEY] +
                           st->reversed[t][sl][VEIL_TOKEN_RETIRED] +
                           st->reversed[t][sl][VEIL_TOKEN_FORGED];
            }
        }
        if (refused) {
            fprintf(stderr,
                    "veil %s: %llu token(s) left as they were: unknown or retired key, "
                    "or failed authentication (--stats counts them)\n",
                    o->cmd, (unsigned long long)refused);
            rc = 1;
        }
    }
    if (o->op == VEIL_TOKEN_OP_DETOKENIZE && write_audit(o, st, s.tokens.ring, ninputs, rc) != 0) {
        rc = 1;
    }
    if (o->stats) {
        print_stats(stderr, st, s.tokens.ring);
    }
    setup_free(&s);
    free(st);
    return rc;
}

int veil_cmd_tokenize(int argc, char **argv)
{
    tok_opts_t o = {.cmd = "tokenize", .op = VEIL_TOKEN_OP_TOKENIZE, .format = "auto"};
    return run(&o, argc, argv);
}

int veil_cmd_detokenize(int argc, char **argv)
{
    tok_opts_t o = {.cmd = "detokenize", .op = VEIL_TOKEN_OP_DETOKENIZE, .format = "auto"};
    return run(&o, argc, argv);
}

int veil_cmd_tokens(int argc, char **argv)
{
    tok_opts_t o = {.cmd = "tokens rewrap", .op = VEIL_TOKEN_OP_REWRAP, .format = "auto"};
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fprintf(argc < 2 ? stderr : stdout,
                "usage: veil tokens rewrap --from ID --to ID -c FILE [options] [FILE...]\n\n"
                "'veil tokens rewrap --help' describes it.\n");
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "rewrap") != 0) {
        fprintf(stderr, "veil tokens: unknown command '%s' (rewrap)\n", argv[1]);
        return 2;
    }
    return run(&o, argc - 1, argv + 1);
}
