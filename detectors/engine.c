/*
 * Compiling an engine: the enabled detectors' core patterns (PCRE2 with
 * JIT), the minimum confidence and the allowlist. The result is immutable
 * and shared by every scanner and thread.
 */
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "veil/veil.h"

const char *veil_strerror(int status)
{
    switch (status) {
    case VEIL_OK:
        return "ok";
    case VEIL_ELIMIT:
        return "limit exceeded";
    case VEIL_ESYNTAX:
        return "malformed input";
    case VEIL_EPATTERN:
        return "pattern failed to compile";
    case VEIL_ESTATE:
        return "call not allowed in this state";
    case VEIL_EWRITE:
        return "output failed";
    default:
        return status < 0 && status > -4096 ? strerror(-status) : "unknown error";
    }
}

static pcre2_code *compile(const char *pattern, uint32_t flags, char *err, size_t errlen,
                           const char *what)
{
    int code;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, flags, &code,
                                   &off, NULL);
    if (re == NULL) {
        char msg[160];
        pcre2_get_error_message(code, (PCRE2_UCHAR *)msg, sizeof(msg));
        snprintf(err, errlen, "%s: pattern error at offset %zu: %s", what, (size_t)off, msg);
        return NULL;
    }
    /* JIT is what makes candidate confirmation cheap; without it (a CPU
       PCRE2 has no JIT for) the interpreter still gives the same answers. */
    (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    return re;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

veil_engine_t *veil_engine_new(const veil_engine_options_t *opts, char *err, size_t errlen)
{
    static const veil_engine_options_t defaults;
    veil_engine_t *e = calloc(1, sizeof(*e));
    char dummy[8];

    if (err == NULL || errlen == 0) {
        err = dummy;
        errlen = sizeof(dummy);
    }
    err[0] = '\0';
    if (e == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (opts == NULL) {
        opts = &defaults;
    }
    veil__keys_init();
    e->min_confidence = opts->min_confidence ? (uint8_t)opts->min_confidence : VEIL_CONF_MEDIUM;
    e->jit = 1;
    for (int d = 0; d < VEIL_D__COUNT; d++) {
        for (const char *w = veil__catalog[d].context; w && *w && e->ncontext[d] < 32;) {
            const char *comma = strchr(w, ',');
            size_t len = comma ? (size_t)(comma - w) : strlen(w);
            e->context[d][e->ncontext[d]].word = w;
            e->context[d][e->ncontext[d]].len = (uint8_t)len;
            e->context_first[(unsigned char)w[0]] |= 1ull << d;
            e->ncontext[d]++;
            w += len + (comma != NULL);
        }
        e->enabled[d] = opts->enabled ? opts->enabled[d] != 0 : 1;
        if (!e->enabled[d] || veil__catalog[d].pattern == NULL) {
            continue;
        }
        e->re[d] = compile(veil__catalog[d].pattern, PCRE2_ANCHORED, err, errlen,
                           veil__catalog[d].id);
        if (e->re[d] == NULL) {
            goto fail;
        }
        size_t jit_size = 0;
        if (pcre2_pattern_info(e->re[d], PCRE2_INFO_JITSIZE, &jit_size) != 0 || jit_size == 0) {
            e->jit = 0;
        }
        /* Addresses found as a delimited region must match all of it. */
        if (d == VEIL_D_IPV6 || d == VEIL_D_MAC_ADDRESS) {
            e->re_whole[d] = compile(veil__catalog[d].pattern,
                                     PCRE2_ANCHORED | PCRE2_ENDANCHORED, err, errlen,
                                     veil__catalog[d].id);
            if (e->re_whole[d] == NULL) {
                goto fail;
            }
        }
    }
    /* Index the context words by first byte (a counting sort). */
    {
        uint16_t count[256] = {0};
        size_t total = 0;
        for (int d = 0; d < VEIL_D__COUNT; d++) {
            for (size_t k = 0; k < e->ncontext[d]; k++) {
                count[(unsigned char)e->context[d][k].word[0]]++;
            }
        }
        for (int c = 0; c < 256; c++) {
            e->ctx_index[c] = (uint16_t)total;
            total += count[c];
        }
        e->ctx_index[256] = (uint16_t)total;
        memset(count, 0, sizeof(count));
        for (int d = 0; d < VEIL_D__COUNT; d++) {
            for (size_t k = 0; k < e->ncontext[d]; k++) {
                unsigned char c = (unsigned char)e->context[d][k].word[0];
                size_t at = e->ctx_index[c] + count[c]++;
                if (at < sizeof(e->ctx_words) / sizeof(e->ctx_words[0])) {
                    e->ctx_words[at].word = e->context[d][k].word;
                    e->ctx_words[at].len = e->context[d][k].len;
                    e->ctx_words[at].detector = (uint8_t)d;
                }
            }
        }
    }
    if (opts->allow_values_count) {
        e->allow_values = calloc(opts->allow_values_count, sizeof(char *));
        if (e->allow_values == NULL) {
            goto nomem;
        }
        for (size_t k = 0; k < opts->allow_values_count; k++) {
            if ((e->allow_values[k] = strdup(opts->allow_values[k])) == NULL) {
                goto nomem;
            }
            e->allow_values_count++;
        }
        qsort(e->allow_values, e->allow_values_count, sizeof(char *), cmp_str);
    }
    if (opts->allow_patterns_count) {
        e->allow_re = calloc(opts->allow_patterns_count, sizeof(pcre2_code *));
        if (e->allow_re == NULL) {
            goto nomem;
        }
        for (size_t k = 0; k < opts->allow_patterns_count; k++) {
            /* Allowlist patterns judge the whole value. */
            e->allow_re[k] = compile(opts->allow_patterns[k], PCRE2_ANCHORED | PCRE2_ENDANCHORED,
                                     err, errlen, "allowlist");
            if (e->allow_re[k] == NULL) {
                goto fail;
            }
            e->allow_re_count++;
        }
    }
    return e;

nomem:
    snprintf(err, errlen, "out of memory");
fail:
    veil_engine_free(e);
    return NULL;
}

void veil_engine_free(veil_engine_t *e)
{
    if (e == NULL) {
        return;
    }
    for (int d = 0; d < VEIL_D__COUNT; d++) {
        pcre2_code_free(e->re[d]);
        pcre2_code_free(e->re_whole[d]);
    }
    for (size_t k = 0; k < e->allow_values_count; k++) {
        free(e->allow_values[k]);
    }
    free(e->allow_values);
    for (size_t k = 0; k < e->allow_re_count; k++) {
        pcre2_code_free(e->allow_re[k]);
    }
    free(e->allow_re);
    free(e);
}

int veil__engine_allowed(const veil_engine_t *e, pcre2_match_data *md, const char *s,
                         size_t len)
{
    size_t lo = 0, hi = e->allow_values_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const char *v = e->allow_values[mid];
        size_t vl = strlen(v);
        int c = memcmp(s, v, len < vl ? len : vl);
        if (c == 0) {
            c = len < vl ? -1 : len > vl ? 1 : 0;
        }
        if (c == 0) {
            return 1;
        }
        if (c < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    for (size_t k = 0; k < e->allow_re_count; k++) {
        if (pcre2_match(e->allow_re[k], (PCRE2_SPTR)s, len, 0, 0, md, NULL) >= 0) {
            return 1;
        }
    }
    return 0;
}
