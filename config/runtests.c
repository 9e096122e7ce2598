/*
 * veil test: runs each case of the file's `tests:` section through the
 * policy it names (directly, through a route, or by matching a request),
 * with the engine and actions the proxy would use, and compares the
 * redacted output, the findings per detector and the block decision.
 */
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

typedef struct {
    char *buf;
    size_t len, cap;
    int oom;
    const veil_policy_dir_t *pd;
    unsigned *counts;
    int blocked;
} run_t;

static int out_cb(void *ud, const char *data, size_t len)
{
    run_t *r = ud;
    if (r->len + len + 1 > r->cap) {
        size_t cap = (r->len + len + 1) * 2;
        char *nb = realloc(r->buf, cap);
        if (nb == NULL) {
            r->oom = 1;
            return -1;
        }
        r->buf = nb;
        r->cap = cap;
    }
    memcpy(r->buf + r->len, data, len);
    r->len += len;
    return 0;
}

static void finding_cb(void *ud, const veil_finding_t *f)
{
    run_t *r = ud;
    r->counts[f->detector]++;
    if (r->pd->blocks[f->detector]) {
        r->blocked = 1;
    }
}

/* The policy's field rules, as the proxy applies them to bodies. */
static int field_rules(void *ud, int place, const char *path, size_t len)
{
    const veil_field_rule_t *rule = veil_policy_field_rule(
        ud, place == VEIL_PLACE_JSON ? VEIL_FIELD_JSON : VEIL_FIELD_FORM, path, len);
    return rule ? (int)rule->action : -1;
}

/* A case whose request the listener's handshake refuses: nothing to
   run, only whether the case expected that. */
static int refused_case(const veil__test_case_t *t, FILE *out, size_t num)
{
    if (t->expect_refused == 1) {
        fprintf(out, "ok   %zu %s (refused at the TLS handshake on listener %s)\n", num, t->name,
                t->listener);
        return 1;
    }
    fprintf(out, "FAIL %zu %s (listener %s; line %u): refused at the TLS handshake: %s\n", num,
            t->name, t->listener, t->line, t->refused);
    return 0;
}


static int run_case(const veil_config_t *c, const veil__test_case_t *t, FILE *out, int show,
                    size_t num)
{
    const veil_policy_t *pol = veil_policy_for_consent(t->policy, t->gpc, t->dnt);
    const veil_policy_dir_t *pd = &pol->dir[t->direction];
    size_t nd = veil_engine_detector_count(pd->engine);
    run_t r = {0};
    int ok = 1;
    char why[512] = "";

    (void)c;
    r.pd = pd;
    r.counts = calloc(nd + 1, sizeof(*r.counts));
    veil_redactor_options_t ro = {0};
    ro.type = &t->type;
    ro.action = VEIL_ACT_MASK;
    ro.action_by_detector = pd->actions;
    ro.key = pd->key;
    ro.tokens = pd->tokens; /* the tokenize action: real tokens */
    ro.write = out_cb;
    ro.write_ud = &r;
    ro.on_finding = finding_cb;
    ro.finding_ud = &r;
    if (pd->nfields > 0) {
        ro.field_action = field_rules;
        ro.field_ud = (void *)pd;
    }
    veil_redactor_t *red = r.counts ? veil_redactor_new(pd->engine, &ro) : NULL;
    /* An empty body is fed as no bytes at all: the redactor's buffer
       is not allocated yet (feeding 0 bytes to it was found by fuzzing). */
    if (red == NULL || (t->body_len && veil_redactor_feed(red, t->body, t->body_len) != 0) ||
        veil_redactor_finish(red) != 0 || r.oom) {
        snprintf(why, sizeof(why), "the redactor failed");
        ok = 0;
    }
    veil_redactor_free(red);

    if (ok && t->expect_output) {
        size_t n = r.len < t->expect_output_len ? r.len : t->expect_output_len, at = 0;
        while (at < n && r.buf[at] == t->expect_output[at]) {
            at++;
        }
        if (r.len != t->expect_output_len || at < n) {
            snprintf(why, sizeof(why), "output differs at byte %zu (expected %zu bytes, got %zu)",
                     at, t->expect_output_len, r.len);
            ok = 0;
        }
    }
    if (ok && t->check_findings) {
        /* Listed detectors must have their count, the others none. */
        for (size_t d = 0; d < nd && ok; d++) {
            const char *id = veil_engine_detector(pd->engine, d)->id;
            unsigned want = 0;
            for (size_t k = 0; k < t->nfindings; k++) {
                if (strcmp(t->findings[k].detector, id) == 0) {
                    want = t->findings[k].count;
                }
            }
            if (r.counts[d] != want) {
                snprintf(why, sizeof(why), "findings: %s expected %u, got %u", id, want,
                         r.counts[d]);
                ok = 0;
            }
        }
        for (size_t k = 0; k < t->nfindings && ok; k++) {
            if (t->findings[k].count && veil_engine_find(pd->engine, t->findings[k].detector) < 0) {
                snprintf(why, sizeof(why),
                         "findings: %s expected %u, but the policy does not "
                         "run it",
                         t->findings[k].detector, t->findings[k].count);
                ok = 0;
            }
        }
    }
    if (ok && t->expect_refused == 1) {
        snprintf(why, sizeof(why), "handshake: expected refused, got ok");
        ok = 0;
    }
    if (ok && t->expect_blocked >= 0 && r.blocked != t->expect_blocked) {
        snprintf(why, sizeof(why), "blocked: expected %s, got %s",
                 t->expect_blocked ? "true" : "false", r.blocked ? "true" : "false");
        ok = 0;
    }
    const char *dir = t->direction == VEIL_DIR_REQUEST ? "request" : "response";
    if (ok) {
        fprintf(out, "ok   %zu %s (%s, %s, policy %s)\n", num, t->name, t->via, dir, pol->name);
    } else {
        fprintf(out, "FAIL %zu %s (%s, %s, policy %s; line %u): %s\n", num, t->name, t->via, dir,
                pol->name, t->line, why);
        if (show && r.buf) {
            fprintf(out, "     got: %.*s\n", (int)r.len, r.buf);
        }
    }
    if (r.buf) {
        memset(r.buf, 0, r.cap);
    }
    free(r.buf);
    free(r.counts);
    return ok;
}

unsigned veil_config_run_tests(const veil_config_t *c, FILE *out, int show, unsigned *passed)
{
    unsigned ok = 0, bad = 0;
    for (size_t i = 0; i < c->ntests; i++) {
        const veil__test_case_t *t = &c->tests[i];

        if (t->refused != NULL ? refused_case(t, out, i + 1) : run_case(c, t, out, show, i + 1)) {
            ok++;
        } else {
            bad++;
        }
    }
    fprintf(out, "%u passed, %u failed\n", ok, bad);
    if (passed) {
        *passed = ok;
    }
    return bad;
}
