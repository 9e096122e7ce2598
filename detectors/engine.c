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
    case VEIL_ETOKEN_KEY:
        return "token under an unknown key";
    case VEIL_ETOKEN_RETIRED:
        return "token under a retired key";
    case VEIL_ETOKEN_AUTH:
        return "token failed authentication (altered, moved or another key)";
    case VEIL_ETOKEN_DOMAIN:
        return "value too short for format-preserving encryption";
    case VEIL_ETOKEN_FORMAT:
        return "value format-preserving encryption cannot take";
    default:
        return status < 0 && status > -4096 ? strerror(-status) : "unknown error";
    }
}

static pcre2_code *compile(const char *pattern, uint32_t flags, char *err, size_t errlen,
                           const char *what)
{
    int code;
    PCRE2_SIZE off;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, flags, &code, &off, NULL);
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

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static char *upper_label(const char *id)
{
    char *l = strdup(id);
    for (char *p = l; p && *p; p++) {
        if (*p >= 'a' && *p <= 'z') {
            *p = (char)(*p - 32);
        } else if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))) {
            *p = '_';
        }
    }
    return l;
}

/*
 * compile_custom(): checks each custom pattern alone (it must compile, must
 * not match the empty string, must not use backreferences, whose numbers
 * would shift once the patterns are joined), then joins them as
 * (*MARK:i)pattern_i alternatives into one pattern, JIT-compiled with
 * partial matching so a match cut by a chunk boundary is held back.
 */
static int compile_custom(veil_engine_t *e, const veil_engine_options_t *opts, char *err,
                          size_t errlen)
{
    size_t n = opts->custom_count, total = 64;
    pcre2_match_data *md = NULL;

    e->custom = calloc(n, sizeof(*e->custom));
    e->custom_validator = calloc(n, sizeof(*e->custom_validator));
    e->custom_confidence = calloc(n, 1);
    e->custom_context_required = calloc(n, 1);
    if (!e->custom || !e->custom_validator || !e->custom_confidence ||
        !e->custom_context_required) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    for (size_t k = 0; k < n; k++) {
        const veil_custom_detector_t *c = &opts->custom[k];
        veil_detector_info_t *info = &e->custom[e->ncustom];
        if (c->id == NULL || c->pattern == NULL) {
            snprintf(err, errlen, "custom detector %zu: id and pattern are required", k);
            return -EINVAL;
        }
        if (veil_catalog_find(c->id) >= 0) {
            snprintf(err, errlen, "%s: a built-in detector has this id", c->id);
            return -EINVAL;
        }
        for (size_t j = 0; j < e->ncustom; j++) {
            if (strcmp(e->custom[j].id, c->id) == 0) {
                snprintf(err, errlen, "%s: defined twice", c->id);
                return -EINVAL;
            }
        }
        info->id = strdup(c->id);
        info->label = upper_label(c->id);
        info->category = c->category;
        info->regulations = c->regulations;
        info->validator = dup_or_null(c->validator);
        info->pattern = strdup(c->pattern);
        info->context = dup_or_null(c->context);
        info->example = NULL;
        info->confidence = "custom: the configured confidence, raised one level by a context word";
        e->ncustom++;
        if (!info->id || !info->label || !info->pattern) {
            snprintf(err, errlen, "out of memory");
            return -ENOMEM;
        }
        if (c->validator && (e->custom_validator[k] = veil__validator_find(c->validator)) == NULL) {
            snprintf(err, errlen, "%s: unknown validator '%s'", c->id, c->validator);
            return -EINVAL;
        }
        e->custom_confidence[k] = (uint8_t)(c->confidence ? c->confidence : VEIL_CONF_MEDIUM);
        e->custom_context_required[k] = c->context_required != 0;

        pcre2_code *alone = compile(c->pattern, 0, err, errlen, c->id);
        if (alone == NULL) {
            return VEIL_EPATTERN;
        }
        uint32_t backrefs = 0, lookbehind = 0;
        pcre2_pattern_info(alone, PCRE2_INFO_BACKREFMAX, &backrefs);
        pcre2_pattern_info(alone, PCRE2_INFO_MAXLOOKBEHIND, &lookbehind);
        md = pcre2_match_data_create_from_pattern(alone, NULL);
        int empty = md && pcre2_match(alone, (PCRE2_SPTR) "", 0, 0, 0, md, NULL) >= 0;
        pcre2_match_data_free(md);
        md = NULL;
        pcre2_code_free(alone);
        if (empty) {
            snprintf(err, errlen, "%s: pattern matches the empty string", c->id);
            return VEIL_EPATTERN;
        }
        if (backrefs) {
            snprintf(err, errlen, "%s: backreferences are not supported in detector patterns",
                     c->id);
            return VEIL_EPATTERN;
        }
        if (lookbehind > 64) {
            snprintf(err, errlen, "%s: lookbehind longer than 64 characters", c->id);
            return VEIL_EPATTERN;
        }
        total += strlen(c->pattern) + 32;
    }
    char *joined = malloc(total), *p = joined;
    if (joined == NULL) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    for (size_t k = 0; k < n; k++) {
        p += snprintf(p, total - (size_t)(p - joined), "%s(?:(*MARK:%zu)(?:%s))", k ? "|" : "", k,
                      opts->custom[k].pattern);
    }
    int code;
    PCRE2_SIZE off;
    e->custom_re =
        pcre2_compile((PCRE2_SPTR)joined, PCRE2_ZERO_TERMINATED, PCRE2_DUPNAMES, &code, &off, NULL);
    free(joined);
    if (e->custom_re == NULL) {
        char msg[160];
        pcre2_get_error_message(code, (PCRE2_UCHAR *)msg, sizeof(msg));
        snprintf(err, errlen, "custom detectors: %s", msg);
        return VEIL_EPATTERN;
    }
    (void)pcre2_jit_compile(e->custom_re, PCRE2_JIT_COMPLETE | PCRE2_JIT_PARTIAL_HARD);
    return 0;
}

size_t veil_engine_detector_count(const veil_engine_t *e)
{
    return VEIL_D__COUNT + (e ? e->ncustom : 0);
}

const veil_detector_info_t *veil_engine_detector(const veil_engine_t *e, size_t index)
{
    if (index < VEIL_D__COUNT) {
        return &veil__catalog[index];
    }
    index -= VEIL_D__COUNT;
    return e && index < e->ncustom ? &e->custom[index] : NULL;
}

int veil_engine_find(const veil_engine_t *e, const char *id)
{
    int d = veil_catalog_find(id);
    if (d >= 0 || e == NULL) {
        return d;
    }
    for (size_t k = 0; k < e->ncustom; k++) {
        if (strcmp(e->custom[k].id, id) == 0) {
            return (int)(VEIL_D__COUNT + k);
        }
    }
    return -1;
}

/* Adds byte c to a 256-bit set laid out for a nibble-table lookup. */
static void set_add(uint8_t set[32], unsigned char c)
{
    set[(c & 15) + 16 * (c >> 7)] |= (uint8_t)(1u << ((c >> 4) & 7));
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
        /* Context lookups are 64-bit masks by detector: the catalog gives
           detectors from index 64 on no context words (catalog.h). */
        for (const char *w = d < 64 ? veil__catalog[d].context : NULL;
             w && *w && e->ncontext[d] < VEIL__CONTEXT_MAX;) {
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
        e->re[d] =
            compile(veil__catalog[d].pattern, PCRE2_ANCHORED, err, errlen, veil__catalog[d].id);
        if (e->re[d] == NULL) {
            goto fail;
        }
        size_t jit_size = 0;
        if (pcre2_pattern_info(e->re[d], PCRE2_INFO_JITSIZE, &jit_size) != 0 || jit_size == 0) {
            e->jit = 0;
        }
        /* Addresses found as a delimited region must match all of it. */
        if (d == VEIL_D_IPV6 || d == VEIL_D_MAC_ADDRESS) {
            e->re_whole[d] = compile(veil__catalog[d].pattern, PCRE2_ANCHORED | PCRE2_ENDANCHORED,
                                     err, errlen, veil__catalog[d].id);
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
                    const char *w = e->context[d][k].word;
                    if (e->context[d][k].len > 1) {
                        e->context_second[(unsigned char)w[1]] |= 1ull << d;
                        set_add(e->context_sets[d][1], (unsigned char)w[1]);
                    } else {
                        for (int x = 0; x < 256; x++) {
                            e->context_second[x] |= 1ull << d;
                            set_add(e->context_sets[d][1], (unsigned char)x);
                        }
                    }
                    set_add(e->context_sets[d][0], c);
                }
            }
        }
        /* The runs of one detector's words within each first byte's. */
        size_t nrun = 0, end = total < 512 ? total : 512;
        for (int c = 0; c < 256; c++) {
            e->ctx_run_index[c] = (uint16_t)nrun;
            for (size_t j = e->ctx_index[c]; j < e->ctx_index[c + 1] && j < end; j++) {
                if (j == e->ctx_index[c] ||
                    e->ctx_words[j].detector != e->ctx_words[j - 1].detector) {
                    e->ctx_run_start[nrun++] = (uint16_t)j;
                }
            }
        }
        e->ctx_run_index[256] = (uint16_t)nrun;
        e->ctx_run_start[nrun] = (uint16_t)end;
        e->ctx_runs_ok = total <= 512;
        for (int c = 0; c < 256; c++) {
            if (e->ctx_run_index[c + 1] - e->ctx_run_index[c] !=
                __builtin_popcountll(e->context_first[c])) {
                e->ctx_runs_ok = 0;
            }
        }
    }
    if (opts->custom_count && compile_custom(e, opts, err, errlen) != 0) {
        goto fail;
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
    for (size_t k = 0; k < e->ncustom; k++) {
        free((char *)e->custom[k].id);
        free((char *)e->custom[k].label);
        free((char *)e->custom[k].validator);
        free((char *)e->custom[k].pattern);
        free((char *)e->custom[k].context);
    }
    free(e->custom);
    free(e->custom_validator);
    free(e->custom_confidence);
    free(e->custom_context_required);
    pcre2_code_free(e->custom_re);
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

int veil__engine_allowed(const veil_engine_t *e, pcre2_match_data *md, const char *s, size_t len)
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
