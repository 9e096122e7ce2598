/*
 * PCRE2 baseline: the naive way to run a set of patterns, and the one
 * veil's design rules out: each pattern JIT-compiled and run on its own
 * over the whole buffer, advancing past each match.
 */
#include "baselines.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>

struct pcb {
    size_t n;
    pcre2_code **code;
    pcre2_match_data **md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *stack;
};

static pcre2_code *compile(const char *pattern, char *why, size_t whylen)
{
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &ec, &eo, NULL);
    if (!code) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(ec, msg, sizeof(msg));
        snprintf(why, whylen, "offset %zu: %s", (size_t)eo, (char *)msg);
        return NULL;
    }
    int rc = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    if (rc != 0) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(rc, msg, sizeof(msg));
        snprintf(why, whylen, "JIT: %s", (char *)msg);
        pcre2_code_free(code);
        return NULL;
    }
    return code;
}

int pcb_check(const char *pattern, char *why, size_t whylen)
{
    pcre2_code *code = compile(pattern, why, whylen);
    pcre2_code_free(code);
    return code ? 0 : -1;
}

pcb_t *pcb_new(const char *const *patterns, size_t n, char *err, size_t errlen)
{
    pcb_t *p = calloc(1, sizeof(*p));
    if (!p)
        goto oom;
    p->code = calloc(n ? n : 1, sizeof(*p->code));
    p->md = calloc(n ? n : 1, sizeof(*p->md));
    p->mctx = pcre2_match_context_create(NULL);
    /* A generous JIT stack, so no pattern fails on a long candidate. */
    p->stack = pcre2_jit_stack_create(32 * 1024, 4 * 1024 * 1024, NULL);
    if (!p->code || !p->md || !p->mctx || !p->stack)
        goto oom;
    pcre2_jit_stack_assign(p->mctx, NULL, p->stack);
    p->n = n;
    for (size_t i = 0; i < n; i++) {
        p->code[i] = compile(patterns[i], err, errlen);
        if (!p->code[i])
            goto fail;
        p->md[i] = pcre2_match_data_create_from_pattern(p->code[i], NULL);
        if (!p->md[i])
            goto oom;
    }
    return p;
oom:
    snprintf(err, errlen, "out of memory");
fail:
    pcb_free(p);
    return NULL;
}

double pcb_run(pcb_t *p, const char *data, size_t len, uint64_t *per_pattern, double *sec,
               int *status)
{
    double total = 0;
    for (size_t i = 0; i < p->n; i++) {
        uint64_t count = 0;
        size_t off = 0;
        int rc = 0;
        double t0 = bench_now();
        while (off <= len) {
            rc = pcre2_jit_match(p->code[i], (PCRE2_SPTR)data, len, off, 0, p->md[i], p->mctx);
            if (rc < 0)
                break;
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(p->md[i]);
            count++;
            /* An empty match would match again at the same place. */
            off = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
        }
        double t1 = bench_now();
        /* A match error (a limit) ends this pattern's pass; say so. */
        status[i] = rc < 0 && rc != PCRE2_ERROR_NOMATCH ? rc : 0;
        per_pattern[i] = count;
        sec[i] = t1 - t0;
        total += t1 - t0;
    }
    return total;
}

void pcb_free(pcb_t *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        pcre2_match_data_free(p->md[i]);
        pcre2_code_free(p->code[i]);
    }
    free(p->code);
    free(p->md);
    pcre2_match_context_free(p->mctx);
    pcre2_jit_stack_free(p->stack);
    free(p);
}

const char *pcb_version(void)
{
    static char v[48];
    pcre2_config(PCRE2_CONFIG_VERSION, v);
    return v;
}

const char *pcb_strerror(int status)
{
    static char msg[160];
    pcre2_get_error_message(status, (PCRE2_UCHAR *)msg, sizeof(msg));
    return msg;
}
