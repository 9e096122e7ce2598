/*
 * The schema: walks the YAML tree into the typed config, with a default
 * for every key, and reports what is wrong as file:line:column: key:
 * reason. Unknown keys are errors with the closest known key suggested.
 * Checks that need the detection engine (patterns, keys) are in compile.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "config_int.h"
#include "validators.h"

#define NB ((size_t)veil_catalog_count())
#define PATH 256

/* Key paths are cut at PATH bytes in messages; that is intended. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

typedef struct {
    veil_config_t *cfg;
    veil__diag_t *d;
    size_t ng;                 /* global detector space: built-ins + custom */
} S;

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const regulation_names[] = {"gdpr", "ccpa", "pci_dss", "hipaa", "glba"};
static const char *const confidence_names[] = {"low", "medium", "high"};

static void join(char *out, const char *path, const char *key)
{
    snprintf(out, PATH, "%s%s%s", path, *path ? "." : "", key);
}

static void join_index(char *out, const char *path, size_t i)
{
    snprintf(out, PATH, "%s[%zu]", path, i);
}

static const char *save_str(S *s, const veil__node_t *n)
{
    char *v = veil__arena_strndup(&s->cfg->arena, n->str, n->len);
    veil_config_t *c = s->cfg;
    if (v && n->env_ref) {
        if (c->nsecrets == c->capsecrets) {
            size_t cap = c->capsecrets ? c->capsecrets * 2 : 8;
            veil__secret_ref_t *ns = veil__arena_alloc(&c->arena, cap * sizeof(*ns));
            if (ns == NULL) {
                return v;
            }
            if (c->nsecrets) {
                memcpy(ns, c->secrets, c->nsecrets * sizeof(*ns));
            }
            c->secrets = ns;
            c->capsecrets = cap;
        }
        c->secrets[c->nsecrets].value = v;
        c->secrets[c->nsecrets].ref = n->env_ref;
        c->nsecrets++;
    }
    return v;
}

const char *veil__secret_ref(const veil_config_t *cfg, const char *value)
{
    for (size_t i = 0; i < cfg->nsecrets; i++) {
        if (cfg->secrets[i].value == value) {
            return cfg->secrets[i].ref;
        }
    }
    return NULL;
}

/* Unknown keys: every key of <map> must be in <allowed>. */
static int check_keys(S *s, const veil__node_t *map, const char *path,
                      const char *const *allowed, size_t n)
{
    int rc = 0;
    for (size_t i = 0; i < map->count; i++) {
        const veil__node_t *k = map->keys[i];
        size_t j;
        for (j = 0; j < n && strcmp(allowed[j], k->str) != 0; j++) {
        }
        if (j < n) {
            continue;
        }
        char p[PATH];
        join(p, path, k->str);
        const char *sugg = veil__suggest(k->str, allowed, n);
        if (sugg) {
            veil__err_at(s->d, k, p, "unknown key (did you mean '%s'?)", sugg);
        } else {
            veil__err_at(s->d, k, p, "unknown key");
        }
        rc = -1;
    }
    return rc;
}

static int want_kind(S *s, const veil__node_t *n, veil__node_kind_t kind, const char *path)
{
    static const char *const what[] = {"a value", "a map (key: value)", "a list"};
    if (n->kind != kind) {
        veil__err_at(s->d, n, path, "expected %s", what[kind]);
        return -1;
    }
    return 0;
}

/* A key's value and its path; NULL when absent. */
static const veil__node_t *field(const veil__node_t *map, const char *key, const char *path,
                                 char *out)
{
    join(out, path, key);
    return veil__map_get(map, key);
}

static int get_str(S *s, const veil__node_t *map, const char *key, const char *path,
                   const char **out)
{
    char p[PATH];
    const veil__node_t *n = field(map, key, path, p);
    if (n == NULL) {
        return 0;
    }
    if (want_kind(s, n, VEIL__N_SCALAR, p) != 0) {
        return -1;
    }
    if (n->len == 0) {
        veil__err_at(s->d, n, p, "must not be empty");
        return -1;
    }
    if (strlen(n->str) != n->len) {
        veil__err_at(s->d, n, p, "must not contain NUL");
        return -1;
    }
    *out = save_str(s, n);
    return *out ? 0 : -1;
}

static int get_enum(S *s, const veil__node_t *map, const char *key, const char *path,
                    const char *const *names, size_t n, int *out)
{
    char p[PATH];
    const veil__node_t *v = field(map, key, path, p);
    if (v == NULL) {
        return 0;
    }
    if (want_kind(s, v, VEIL__N_SCALAR, p) != 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v->str, names[i]) == 0) {
            *out = (int)i;
            return 0;
        }
    }
    char list[256] = "";
    for (size_t i = 0; i < n; i++) {
        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
                 names[i]);
    }
    const char *sugg = veil__suggest(v->str, names, n);
    if (sugg) {
        veil__err_at(s->d, v, p, "expected one of %s (did you mean '%s'?)", list, sugg);
    } else {
        veil__err_at(s->d, v, p, "expected one of %s", list);
    }
    return -1;
}

static int get_bool(S *s, const veil__node_t *map, const char *key, const char *path, int *out)
{
    static const char *const names[] = {"false", "true"};
    return get_enum(s, map, key, path, names, 2, out);
}

static int get_number(S *s, const veil__node_t *map, const char *key, const char *path,
                      int kind, uint64_t min, uint64_t max, uint64_t *out)
{
    char p[PATH];
    const veil__node_t *v = field(map, key, path, p);
    if (v == NULL) {
        return 0;
    }
    if (want_kind(s, v, VEIL__N_SCALAR, p) != 0) {
        return -1;
    }
    const char *str = v->str;
    char *end;
    /* Plain digits (a fraction only for durations: 1.5s); strtod alone
       would take 1e9, 0x10 and numbers too large for any field. */
    size_t nd = strspn(str, "0123456789");
    if (kind == 2 && str[nd] == '.' && str[nd + 1] >= '0' && str[nd + 1] <= '9') {
        nd += 1 + strspn(str + nd + 1, "0123456789");
    }
    double num = nd > 0 && nd <= 18 ? strtod(str, &end) : 0;
    int ok = nd > 0 && nd <= 18;
    end = (char *)str + nd;
    uint64_t mult = 1;
    if (ok && kind == 0) { /* count */
        ok = *end == '\0';
    } else if (ok && kind == 1) { /* size: 64k, 1m, 1g */
        if (*end == 'k' || *end == 'K') {
            mult = 1024, end++;
        } else if (*end == 'm' || *end == 'M') {
            mult = 1024 * 1024, end++;
        } else if (*end == 'g' || *end == 'G') {
            mult = 1024 * 1024 * 1024, end++;
        }
        ok = *end == '\0';
    } else if (ok) { /* duration in ms: 500ms, 5s, 2m, 1h */
        if (strcmp(end, "ms") == 0) {
            mult = 1;
        } else if (strcmp(end, "s") == 0) {
            mult = 1000;
        } else if (strcmp(end, "m") == 0) {
            mult = 60000;
        } else if (strcmp(end, "h") == 0) {
            mult = 3600000;
        } else {
            ok = 0;
        }
    }
    if (!ok || num * (double)mult > 1e18) {
        static const char *const what[] = {"a whole number", "a size (64k, 1m)",
                                           "a duration (500ms, 5s, 2m)"};
        veil__err_at(s->d, v, p, "expected %s", what[kind]);
        return -1;
    }
    uint64_t val = (uint64_t)(num * (double)mult);
    if (val < min || val > max) {
        veil__err_at(s->d, v, p, "out of range (%llu to %llu%s)", (unsigned long long)min,
                     (unsigned long long)max, kind == 2 ? " ms" : "");
        return -1;
    }
    *out = val;
    return 0;
}

/* A list of non-empty strings; a single string is a list of one. */
static int get_list(S *s, const veil__node_t *map, const char *key, const char *path,
                    const char *const **out, size_t *count, const veil__node_t ***nodes)
{
    char p[PATH];
    const veil__node_t *v = field(map, key, path, p);
    if (v == NULL) {
        return 0;
    }
    const veil__node_t *const *items = (const veil__node_t *const *)&v;
    size_t n = 1;
    if (v->kind == VEIL__N_SEQ) {
        items = (const veil__node_t *const *)v->items;
        n = v->count;
    } else if (want_kind(s, v, VEIL__N_SCALAR, p) != 0) {
        return -1;
    }
    const char **arr = veil__arena_alloc(&s->cfg->arena, (n + 1) * sizeof(*arr));
    if (nodes) {
        *nodes = veil__arena_alloc(&s->cfg->arena, (n + 1) * sizeof(**nodes));
    }
    if (arr == NULL || (nodes && *nodes == NULL)) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        char pi[PATH];
        join_index(pi, p, i);
        if (want_kind(s, items[i], VEIL__N_SCALAR, pi) != 0) {
            return -1;
        }
        if (items[i]->len == 0 || strlen(items[i]->str) != items[i]->len) {
            veil__err_at(s->d, items[i], pi, "must be a non-empty string");
            return -1;
        }
        arr[i] = save_str(s, items[i]);
        if (nodes) {
            (*nodes)[i] = items[i];
        }
    }
    *out = arr;
    *count = n;
    return 0;
}

/* ---- detectors, selectors ---- */

static const char *global_id(S *s, size_t g)
{
    return g < NB ? veil_catalog_get(g)->id : s->cfg->custom[g - NB].det.id;
}

static veil_category_t global_category(S *s, size_t g)
{
    return g < NB ? veil_catalog_get(g)->category : s->cfg->custom[g - NB].det.category;
}

static unsigned global_regulations(S *s, size_t g)
{
    return g < NB ? veil_catalog_get(g)->regulations : s->cfg->custom[g - NB].det.regulations;
}

static int category_parse(const char *name)
{
    for (int c = 0; c < VEIL_CAT__COUNT; c++) {
        if (strcmp(veil_category_name((veil_category_t)c), name) == 0) {
            return c;
        }
    }
    return -1;
}

static int regulation_parse(const char *name)
{
    for (size_t r = 0; r < COUNT(regulation_names); r++) {
        if (strcmp(regulation_names[r], name) == 0) {
            return (int)r;
        }
    }
    return -1;
}

/* Selector kinds, from the most to the least specific. */
enum { SEL_ID, SEL_CATEGORY, SEL_REGULATION, SEL_ALL, SEL_BAD };

/* sel_match(): marks in <mask> the detectors that <name> selects. */
static int sel_match(S *s, const char *name, uint8_t *mask, uint8_t value)
{
    int kind = SEL_BAD;
    int cat = category_parse(name), reg = regulation_parse(name);
    for (size_t g = 0; g < s->ng; g++) {
        int hit = 0;
        if (strcmp(name, "all") == 0) {
            hit = 1, kind = SEL_ALL;
        } else if (strcmp(name, global_id(s, g)) == 0) {
            hit = 1, kind = SEL_ID;
        } else if (cat >= 0) {
            hit = global_category(s, g) == (veil_category_t)cat, kind = SEL_CATEGORY;
        } else if (reg >= 0) {
            hit = (global_regulations(s, g) >> reg) & 1, kind = SEL_REGULATION;
        }
        if (hit && mask) {
            mask[g] = value;
        }
    }
    if (kind == SEL_BAD && (cat >= 0 || reg >= 0)) {
        kind = cat >= 0 ? SEL_CATEGORY : SEL_REGULATION;
    }
    return kind;
}

static void sel_error(S *s, const veil__node_t *at, const char *path, const char *name)
{
    size_t n = s->ng + VEIL_CAT__COUNT + COUNT(regulation_names) + 1, k = 0;
    const char **names = malloc(n * sizeof(*names));
    const char *sugg = NULL;
    if (names) {
        for (size_t g = 0; g < s->ng; g++) {
            names[k++] = global_id(s, g);
        }
        for (int c = 0; c < VEIL_CAT__COUNT; c++) {
            names[k++] = veil_category_name((veil_category_t)c);
        }
        for (size_t r = 0; r < COUNT(regulation_names); r++) {
            names[k++] = regulation_names[r];
        }
        names[k++] = "all";
        sugg = veil__suggest(name, names, k);
    }
    if (sugg) {
        veil__err_at(s->d, at, path,
                     "'%s' is no detector id, category or regulation (did you mean '%s'?)", name,
                     sugg);
    } else {
        veil__err_at(s->d, at, path,
                     "'%s' is no detector id, category or regulation (see 'veil detectors')",
                     name);
    }
    free(names);
}

/* Applies a list of selectors to <mask>; errors for unknown names. */
static int apply_selectors(S *s, const veil__node_t *map, const char *key, const char *path,
                           uint8_t *mask, uint8_t value, int *given)
{
    const char *const *names;
    const veil__node_t **nodes;
    size_t n = 0;
    char p[PATH];
    join(p, path, key);
    if (veil__map_get(map, key) == NULL) {
        return 0;
    }
    if (get_list(s, map, key, path, &names, &n, &nodes) != 0) {
        return -1;
    }
    if (given) {
        *given = 1;
    }
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (sel_match(s, names[i], mask, value) == SEL_BAD) {
            char pi[PATH];
            snprintf(pi, sizeof(pi), "%s[%zu]", p, i);
            sel_error(s, nodes[i], nodes == NULL || n == 1 ? p : pi, names[i]);
            rc = -1;
        }
    }
    return rc;
}

static int parse_custom(S *s, const veil__node_t *seq, const char *path)
{
    static const char *const keys[] = {"id", "category", "regulations", "pattern", "validator",
                                       "context", "context_required", "confidence",
                                       "description"};
    static const char *const cats[] = {"contact", "financial", "government_id", "health",
                                       "credentials", "network", "demographic"};
    veil_config_t *c = s->cfg;
    int rc = 0;

    if (want_kind(s, seq, VEIL__N_SEQ, path) != 0) {
        return -1;
    }
    c->custom = veil__arena_alloc(&c->arena, (seq->count + 1) * sizeof(*c->custom));
    if (c->custom == NULL) {
        return -1;
    }
    for (size_t i = 0; i < seq->count; i++) {
        const veil__node_t *m = seq->items[i];
        veil__custom_def_t *def = &c->custom[c->ncustom];
        memset(def, 0, sizeof(*def)); /* a slot left by a rejected entry is reused */
        veil_custom_detector_t *det = &def->det;
        char p[PATH], pk[PATH];
        join_index(p, path, i);
        if (want_kind(s, m, VEIL__N_MAP, p) != 0 || check_keys(s, m, p, keys, COUNT(keys))) {
            rc = -1;
            continue;
        }
        int cat = VEIL_CAT_CONTACT, conf = 1, creq = 0;
        const char *const *regs = NULL, *const *ctx = NULL;
        size_t nregs = 0, nctx = 0;
        const veil__node_t **rnodes = NULL;
        if (get_str(s, m, "id", p, &det->id) || get_str(s, m, "pattern", p, &det->pattern) ||
            get_str(s, m, "validator", p, &det->validator) ||
            get_enum(s, m, "category", p, cats, COUNT(cats), &cat) ||
            get_enum(s, m, "confidence", p, confidence_names, 3, &conf) ||
            get_bool(s, m, "context_required", p, &creq) ||
            get_list(s, m, "regulations", p, &regs, &nregs, &rnodes) ||
            get_list(s, m, "context", p, &ctx, &nctx, NULL)) {
            rc = -1;
            continue;
        }
        if (det->id == NULL || det->pattern == NULL) {
            veil__err_at(s->d, m, p, "a custom detector needs an id and a pattern");
            rc = -1;
            continue;
        }
        const veil__node_t *idn = field(m, "id", p, pk);
        int valid = 1;
        for (const char *q = det->id; *q; q++) {
            valid &= (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '_';
        }
        if (!valid || strlen(det->id) > 64) {
            veil__err_at(s->d, idn, pk, "an id is lower-case letters, digits and _ (at most 64)");
            rc = -1;
            continue;
        }
        if (veil_catalog_find(det->id) >= 0) {
            veil__err_at(s->d, idn, pk, "'%s' is a built-in detector id", det->id);
            rc = -1;
            continue;
        }
        if (category_parse(det->id) >= 0 || regulation_parse(det->id) >= 0 ||
            strcmp(det->id, "all") == 0 || strcmp(det->id, "default") == 0) {
            veil__err_at(s->d, idn, pk, "'%s' is a category, regulation or keyword", det->id);
            rc = -1;
            continue;
        }
        for (size_t j = 0; j < c->ncustom; j++) {
            if (strcmp(c->custom[j].det.id, det->id) == 0) {
                veil__err_at(s->d, idn, pk, "'%s' is defined twice", det->id);
                rc = -1;
            }
        }
        if (det->validator) {
            const char *const *names = veil__validator_names();
            size_t nn = 0;
            int found = 0;
            for (; names[nn]; nn++) {
                found |= strcmp(names[nn], det->validator) == 0;
            }
            if (!found) {
                const char *sugg = veil__suggest(det->validator, names, nn);
                field(m, "validator", p, pk);
                veil__err_at(s->d, veil__map_get(m, "validator"), pk,
                             "unknown validator '%s'%s%s%s", det->validator,
                             sugg ? " (did you mean '" : "", sugg ? sugg : "", sugg ? "'?)" : "");
                rc = -1;
                continue;
            }
        }
        for (size_t r = 0; r < nregs; r++) {
            int reg = regulation_parse(regs[r]);
            if (reg < 0) {
                const char *sugg = veil__suggest(regs[r], regulation_names,
                                                 COUNT(regulation_names));
                field(m, "regulations", p, pk);
                veil__err_at(s->d, rnodes[r], pk, "unknown regulation '%s'%s%s%s", regs[r],
                             sugg ? " (did you mean '" : "", sugg ? sugg : "",
                             sugg ? "'?)" : "");
                rc = -1;
                continue;
            }
            det->regulations |= 1u << reg;
        }
        if (nctx) {
            size_t total = 1;
            for (size_t k = 0; k < nctx; k++) {
                total += strlen(ctx[k]) + 1;
            }
            char *joined = veil__arena_alloc(&c->arena, total);
            for (size_t k = 0; joined && k < nctx; k++) {
                if (strchr(ctx[k], ',')) {
                    field(m, "context", p, pk);
                    veil__err_at(s->d, veil__map_get(m, "context"), pk,
                                 "a context word must not contain a comma");
                    rc = -1;
                }
                strcat(joined, k ? "," : "");
                strcat(joined, ctx[k]);
            }
            det->context = joined;
        }
        if (creq && nctx == 0) {
            field(m, "context_required", p, pk);
            veil__err_at(s->d, veil__map_get(m, "context_required"), pk,
                         "context_required needs context words");
            rc = -1;
        }
        det->category = (veil_category_t)cat;
        det->confidence = (veil_confidence_t)(conf + 1);
        det->context_required = creq;
        def->pattern_at = veil__map_get(m, "pattern");
        c->ncustom++;
    }
    return rc;
}

static int parse_detectors(S *s, const veil__node_t *root)
{
    static const char *const keys[] = {"enable", "disable", "custom"};
    const veil__node_t *m = veil__map_get(root, "detectors");
    veil_config_t *c = s->cfg;
    int rc = 0;

    memset(c->builtin_enabled, 1, sizeof(c->builtin_enabled));
    s->ng = NB;
    if (m == NULL) {
        return 0;
    }
    if (want_kind(s, m, VEIL__N_MAP, "detectors") || check_keys(s, m, "detectors", keys, 3)) {
        return -1;
    }
    const veil__node_t *custom = veil__map_get(m, "custom");
    if (custom && parse_custom(s, custom, "detectors.custom") != 0) {
        rc = -1;
    }
    s->ng = NB + c->ncustom;
    /* enable (default all) then disable, over built-ins and customs. */
    uint8_t *mask = calloc(s->ng + 1, 1);
    int given = 0;
    if (mask == NULL) {
        return -1;
    }
    if (apply_selectors(s, m, "enable", "detectors", mask, 1, &given) != 0) {
        rc = -1;
    }
    if (!given) {
        memset(mask, 1, s->ng);
    }
    if (apply_selectors(s, m, "disable", "detectors", mask, 0, NULL) != 0) {
        rc = -1;
    }
    for (size_t g = 0; g < NB; g++) {
        c->builtin_enabled[g] = mask[g];
    }
    for (size_t k = 0; k < c->ncustom; k++) {
        /* A custom detector disabled globally is left out of engines. */
        c->custom[k].enabled = mask[NB + k];
    }
    free(mask);
    return rc;
}

static int compile_check(S *s, const veil__node_t *at, const char *path, const char *re)
{
    int code;
    PCRE2_SIZE off;
    pcre2_code *p = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, 0, &code, &off, NULL);
    if (p == NULL) {
        char msg[160];
        pcre2_get_error_message(code, (PCRE2_UCHAR *)msg, sizeof(msg));
        veil__err_at(s->d, at, path, "bad pattern at offset %zu: %s", (size_t)off, msg);
        return -1;
    }
    pcre2_code_free(p);
    return 0;
}

static int parse_allowlists(S *s, const veil__node_t *root)
{
    static const char *const keys[] = {"values", "patterns"};
    const veil__node_t *m = veil__map_get(root, "allowlists");
    const veil__node_t **nodes;
    int rc = 0;
    if (m == NULL) {
        return 0;
    }
    if (want_kind(s, m, VEIL__N_MAP, "allowlists") || check_keys(s, m, "allowlists", keys, 2) ||
        get_list(s, m, "values", "allowlists", &s->cfg->allow_values, &s->cfg->nallow_values,
                 NULL) ||
        get_list(s, m, "patterns", "allowlists", &s->cfg->allow_patterns,
                 &s->cfg->nallow_patterns, &nodes)) {
        return -1;
    }
    for (size_t i = 0; i < s->cfg->nallow_patterns; i++) {
        char p[PATH];
        snprintf(p, sizeof(p), "allowlists.patterns[%zu]", i);
        rc |= compile_check(s, nodes[i], p, s->cfg->allow_patterns[i]);
    }
    return rc;
}

static int parse_keys(S *s, const veil__node_t *root)
{
    static const char *const keys[] = {"file", "env"};
    const veil__node_t *m = veil__map_get(root, "keys");
    veil_config_t *c = s->cfg;
    int rc = 0;
    if (m == NULL) {
        return 0;
    }
    if (want_kind(s, m, VEIL__N_MAP, "keys")) {
        return -1;
    }
    c->keys = veil__arena_alloc(&c->arena, (m->count + 1) * sizeof(*c->keys));
    if (c->keys == NULL) {
        return -1;
    }
    for (size_t i = 0; i < m->count; i++) {
        veil__key_def_t *k = &c->keys[c->nkeys];
        memset(k, 0, sizeof(*k)); /* a slot left by a rejected entry is reused */
        char p[PATH];
        join(p, "keys", m->keys[i]->str);
        if (want_kind(s, m->items[i], VEIL__N_MAP, p) || check_keys(s, m->items[i], p, keys, 2) ||
            get_str(s, m->items[i], "file", p, &k->file) ||
            get_str(s, m->items[i], "env", p, &k->env)) {
            rc = -1;
            continue;
        }
        if ((k->file == NULL) == (k->env == NULL)) {
            veil__err_at(s->d, m->items[i], p, "a key needs exactly one of file or env");
            rc = -1;
            continue;
        }
        k->id = save_str(s, m->keys[i]);
        k->at = m->items[i];
        c->nkeys++;
    }
    return rc;
}

/* ---- upstreams, listeners, server, access log ---- */

static int parse_hostport(const char *s, const char **host, int *port, veil__arena_t *a,
                          int default_port)
{
    const char *colon, *h = s;
    size_t hl;
    if (s[0] == '[') {
        const char *rb = strchr(s, ']');
        if (rb == NULL || (rb[1] != ':' && rb[1] != '\0')) {
            return -1;
        }
        h = s + 1;
        hl = (size_t)(rb - s - 1);
        colon = rb[1] == ':' ? rb + 1 : NULL;
    } else {
        colon = strrchr(s, ':');
        hl = colon ? (size_t)(colon - s) : strlen(s);
        if (colon && strchr(s, ':') != colon) {
            return -1; /* an IPv6 literal needs brackets */
        }
    }
    if (hl == 0 || hl > 253) {
        return -1;
    }
    for (size_t i = 0; i < hl; i++) {
        char c = h[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == ':' || c == '_')) {
            return -1;
        }
    }
    long p = default_port;
    if (colon) {
        char *end;
        p = strtol(colon + 1, &end, 10);
        if (*end != '\0' || end == colon + 1 || p <= 0 || p > 65535) {
            return -1;
        }
    }
    if (p <= 0) {
        return -1;
    }
    *host = veil__arena_strndup(a, h, hl);
    *port = (int)p;
    return *host ? 0 : -1;
}

static int parse_upstreams(S *s, const veil__node_t *root)
{
    static const char *const keys[] = {"name", "url", "connect_timeout", "response_timeout",
                                       "idle_timeout", "pool_size"};
    const veil__node_t *seq = veil__map_get(root, "upstreams");
    veil_config_t *c = s->cfg;
    int rc = 0;
    size_t n = seq ? seq->count : 0;

    if (seq && want_kind(s, seq, VEIL__N_SEQ, "upstreams")) {
        rc = -1;
        n = 0;
    }
    c->upstreams = veil__arena_alloc(&c->arena, (n + 1) * sizeof(*c->upstreams));
    if (c->upstreams == NULL) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const veil__node_t *m = seq->items[i];
        veil_upstream_t *u = &c->upstreams[c->nupstreams];
        memset(u, 0, sizeof(*u)); /* a slot left by a rejected entry is reused */
        char p[PATH], pk[PATH];
        uint64_t ct = 5000, rt = 60000, it = 60000, pool = 64;
        join_index(p, "upstreams", i);
        if (want_kind(s, m, VEIL__N_MAP, p) || check_keys(s, m, p, keys, COUNT(keys)) ||
            get_str(s, m, "name", p, &u->name) || get_str(s, m, "url", p, &u->url) ||
            get_number(s, m, "connect_timeout", p, 2, 1, 3600000, &ct) ||
            get_number(s, m, "response_timeout", p, 2, 1, 86400000, &rt) ||
            get_number(s, m, "idle_timeout", p, 2, 1, 86400000, &it) ||
            get_number(s, m, "pool_size", p, 0, 0, 100000, &pool)) {
            rc = -1;
            continue;
        }
        if (u->name == NULL || u->url == NULL) {
            veil__err_at(s->d, m, p, "an upstream needs a name and a url");
            rc = -1;
            continue;
        }
        for (size_t j = 0; j < c->nupstreams; j++) {
            if (strcmp(c->upstreams[j].name, u->name) == 0) {
                field(m, "name", p, pk);
                veil__err_at(s->d, veil__map_get(m, "name"), pk, "'%s' is defined twice",
                             u->name);
                rc = -1;
            }
        }
        const char *rest = NULL;
        if (strncmp(u->url, "http://", 7) == 0) {
            rest = u->url + 7;
        } else if (strncmp(u->url, "https://", 8) == 0) {
            rest = u->url + 8;
            u->tls = 1;
        }
        char hp[300] = "";
        if (rest) {
            size_t hl = strcspn(rest, "/");
            if (hl < sizeof(hp) && (rest[hl] == '\0' || strcmp(rest + hl, "/") == 0)) {
                memcpy(hp, rest, hl);
                hp[hl] = '\0';
            } else {
                rest = NULL;
            }
        }
        if (rest == NULL ||
            parse_hostport(hp, &u->host, &u->port, &c->arena, u->tls ? 443 : 80) != 0) {
            field(m, "url", p, pk);
            veil__err_at(s->d, veil__map_get(m, "url"), pk,
                         "expected http://HOST[:PORT] or https://HOST[:PORT] (no path)");
            rc = -1;
            continue;
        }
        u->connect_timeout_ms = ct;
        u->response_timeout_ms = rt;
        u->idle_timeout_ms = it;
        u->pool_size = (unsigned)pool;
        c->nupstreams++;
    }
    if (c->nupstreams == 0) {
        veil_upstream_t *u = &c->upstreams[0];
        u->name = "default";
        u->url = "http://127.0.0.1:8080";
        u->host = "127.0.0.1";
        u->port = 8080;
        u->connect_timeout_ms = 5000;
        u->response_timeout_ms = 60000;
        u->idle_timeout_ms = 60000;
        u->pool_size = 64;
        c->nupstreams = 1;
    }
    return rc;
}

static int parse_listeners(S *s, const veil__node_t *root)
{
    static const char *const keys[] = {"name", "address"};
    const veil__node_t *seq = veil__map_get(root, "listeners");
    veil_config_t *c = s->cfg;
    size_t n = seq ? seq->count : 0;
    int rc = 0;

    if (seq && want_kind(s, seq, VEIL__N_SEQ, "listeners")) {
        rc = -1;
        n = 0;
    }
    c->listeners = veil__arena_alloc(&c->arena, (n + 1) * sizeof(*c->listeners));
    if (c->listeners == NULL) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const veil__node_t *m = seq->items[i];
        veil_listener_t *l = &c->listeners[c->nlisteners];
        memset(l, 0, sizeof(*l)); /* a slot left by a rejected entry is reused */
        const char *addr = NULL;
        char p[PATH], pk[PATH];
        join_index(p, "listeners", i);
        if (want_kind(s, m, VEIL__N_MAP, p) || check_keys(s, m, p, keys, COUNT(keys)) ||
            get_str(s, m, "name", p, &l->name) || get_str(s, m, "address", p, &addr)) {
            rc = -1;
            continue;
        }
        if (addr == NULL) {
            veil__err_at(s->d, m, p, "a listener needs an address (HOST:PORT)");
            rc = -1;
            continue;
        }
        if (parse_hostport(addr, &l->host, &l->port, &c->arena, 0) != 0) {
            field(m, "address", p, pk);
            veil__err_at(s->d, veil__map_get(m, "address"), pk, "expected HOST:PORT");
            rc = -1;
            continue;
        }
        if (l->name == NULL) {
            l->name = i == 0 ? "main" : veil__arena_strndup(&c->arena, p, strlen(p));
        }
        c->nlisteners++;
    }
    if (c->nlisteners == 0) {
        c->listeners[0].name = "main";
        c->listeners[0].host = "127.0.0.1";
        c->listeners[0].port = 8000;
        c->nlisteners = 1;
    }
    return rc;
}

static int parse_server(S *s, const veil__node_t *root)
{
    static const char *const keys[] = {"workers", "max_connections", "max_header_bytes",
                                       "max_headers", "inspect_limit", "header_timeout",
                                       "body_timeout", "keepalive_timeout", "drain_timeout"};
    static const char *const lkeys[] = {"path", "body_limit"};
    veil_server_settings_t *sv = &s->cfg->server;
    veil_access_log_settings_t *al = &s->cfg->access_log;
    uint64_t w = 0, mc = 10000, mhb = 16384, mh = 100, il = 1 << 20, ht = 60000, bt = 60000,
             kt = 75000, dt = 30000, bl = 65536;
    const veil__node_t *m = veil__map_get(root, "server");
    int rc = 0;

    if (m && (want_kind(s, m, VEIL__N_MAP, "server") ||
              check_keys(s, m, "server", keys, COUNT(keys)) ||
              get_number(s, m, "workers", "server", 0, 0, 1024, &w) ||
              get_number(s, m, "max_connections", "server", 0, 1, 10000000, &mc) ||
              get_number(s, m, "max_header_bytes", "server", 1, 1024, 1 << 20, &mhb) ||
              get_number(s, m, "max_headers", "server", 0, 1, 10000, &mh) ||
              get_number(s, m, "inspect_limit", "server", 1, 1, 1ull << 32, &il) ||
              get_number(s, m, "header_timeout", "server", 2, 1, 86400000, &ht) ||
              get_number(s, m, "body_timeout", "server", 2, 1, 86400000, &bt) ||
              get_number(s, m, "keepalive_timeout", "server", 2, 1, 86400000, &kt) ||
              get_number(s, m, "drain_timeout", "server", 2, 1, 86400000, &dt))) {
        rc = -1;
    }
    sv->workers = (unsigned)w;
    sv->max_connections = (unsigned)mc;
    sv->max_header_bytes = (size_t)mhb;
    sv->max_headers = (unsigned)mh;
    sv->inspect_limit = (size_t)il;
    sv->header_timeout_ms = ht;
    sv->body_timeout_ms = bt;
    sv->keepalive_timeout_ms = kt;
    sv->drain_timeout_ms = dt;

    al->path = "-";
    m = veil__map_get(root, "access_log");
    if (m && (want_kind(s, m, VEIL__N_MAP, "access_log") ||
              check_keys(s, m, "access_log", lkeys, COUNT(lkeys)) ||
              get_str(s, m, "path", "access_log", &al->path) ||
              get_number(s, m, "body_limit", "access_log", 1, 0, 1ull << 30, &bl))) {
        rc = -1;
    }
    al->body_limit = (size_t)bl;
    return rc;
}

/* ---- policies ---- */

static int valid_json_path(const char *p)
{
    if (*p++ != '$' || *p == '\0') {
        return 0;
    }
    while (*p) {
        if (*p == '.') {
            p++;
            size_t n = strcspn(p, ".[");
            if (n == 0) {
                return 0;
            }
            p += n;
        } else if (*p == '[') {
            p++;
            if (*p == '*') {
                p++;
            } else if (*p == '\'') {
                const char *q = strchr(p + 1, '\'');
                if (q == NULL || q == p + 1) {
                    return 0;
                }
                p = q + 1;
            } else {
                size_t n = strspn(p, "0123456789");
                if (n == 0) {
                    return 0;
                }
                p += n;
            }
            if (*p++ != ']') {
                return 0;
            }
        } else {
            return 0;
        }
    }
    return 1;
}

static const char *const action_names[] = {"mask", "label", "hash", "drop"};

static int parse_action(S *s, const veil__node_t *n, const char *path, uint8_t *out)
{
    if (want_kind(s, n, VEIL__N_SCALAR, path) != 0) {
        return -1;
    }
    int a = veil_action_parse(n->str);
    if (a < 0) {
        const char *sugg = veil__suggest(n->str, action_names, COUNT(action_names));
        veil__err_at(s->d, n, path, "expected one of mask, label, hash, drop%s%s%s",
                     sugg ? " (did you mean '" : "", sugg ? sugg : "", sugg ? "'?)" : "");
        return -1;
    }
    *out = (uint8_t)a;
    return 0;
}

static int parse_fields(S *s, const veil__node_t *seq, const char *path, veil_policy_dir_t *pd,
                        int *uses_hash)
{
    static const char *const keys[] = {"json", "key", "form", "header", "query", "action"};
    veil_field_rule_t *rules;
    int rc = 0;
    if (want_kind(s, seq, VEIL__N_SEQ, path) != 0) {
        return -1;
    }
    rules = veil__arena_alloc(&s->cfg->arena, (seq->count + 1) * sizeof(*rules));
    if (rules == NULL) {
        return -1;
    }
    for (size_t i = 0; i < seq->count; i++) {
        const veil__node_t *m = seq->items[i];
        veil_field_rule_t *r = &rules[pd->nfields];
        memset(r, 0, sizeof(*r)); /* a slot left by a rejected entry is reused */
        char p[PATH], pk[PATH];
        join_index(p, path, i);
        if (want_kind(s, m, VEIL__N_MAP, p) || check_keys(s, m, p, keys, COUNT(keys))) {
            rc = -1;
            continue;
        }
        int where = -1, many = 0;
        for (int k = 0; k < 5; k++) {
            if (veil__map_get(m, keys[k])) {
                many += where >= 0;
                where = k;
            }
        }
        if (where < 0 || many) {
            veil__err_at(s->d, m, p,
                         "a field rule needs exactly one of json, key, form, header, query");
            rc = -1;
            continue;
        }
        if (get_str(s, m, keys[where], p, &r->name) != 0) {
            rc = -1;
            continue;
        }
        const veil__node_t *at = field(m, keys[where], p, pk);
        if (where == VEIL_FIELD_JSON && !valid_json_path(r->name)) {
            veil__err_at(s->d, at, pk, "expected a JSON path such as $.user.card or "
                                       "$.items[*].iban");
            rc = -1;
            continue;
        }
        if (where == VEIL_FIELD_KEY && compile_check(s, at, pk, r->name) != 0) {
            rc = -1;
            continue;
        }
        uint8_t act = VEIL_ACT_MASK;
        const veil__node_t *an = field(m, "action", p, pk);
        if (an && parse_action(s, an, pk, &act) != 0) {
            rc = -1;
            continue;
        }
        *uses_hash |= act == VEIL_ACT_HASH;
        r->where = (veil_field_where_t)where;
        r->action = (veil_action_t)act;
        pd->nfields++;
    }
    pd->fields = rules;
    return rc;
}

static int parse_direction(S *s, const veil__node_t *m, const char *path, veil_policy_dir_t *pd,
                           veil__dir_src_t *src)
{
    static const char *const keys[] = {"mode", "detectors", "disable", "min_confidence",
                                       "actions", "block", "block_status", "fields",
                                       "body_log", "uninspectable", "hash_key"};
    static const char *const modes[] = {"observe", "block", "redact", "tokenize"};
    static const char *const unin[] = {"pass", "block"};
    veil_config_t *c = s->cfg;
    int mode = 0, conf = 1, un = 0, rc = 0, given = 0, uses_hash = 0;
    uint64_t status = 403;
    char pk[PATH];

    src->enabled = veil__arena_alloc(&c->arena, s->ng + 1);
    src->blocks = veil__arena_alloc(&c->arena, s->ng + 1);
    src->actions = veil__arena_alloc(&c->arena, s->ng + 1);
    if (!src->enabled || !src->blocks || !src->actions) {
        return -1;
    }
    src->at = m;
    pd->body_log = VEIL_BODY_LOG_REDACTED;
    pd->block_status = 403;
    pd->min_confidence = VEIL_CONF_MEDIUM;
    if (m == NULL) {
        memset(src->enabled, 1, s->ng);
        return 0;
    }
    if (want_kind(s, m, VEIL__N_MAP, path) || check_keys(s, m, path, keys, COUNT(keys)) ||
        get_enum(s, m, "mode", path, modes, COUNT(modes), &mode) ||
        get_enum(s, m, "min_confidence", path, confidence_names, 3, &conf) ||
        get_enum(s, m, "uninspectable", path, unin, 2, &un) ||
        get_number(s, m, "block_status", path, 0, 400, 599, &status) ||
        get_str(s, m, "hash_key", path, &src->key_id)) {
        return -1;
    }
    if (mode >= 2) {
        field(m, "mode", path, pk);
        veil__err_at(s->d, veil__map_get(m, "mode"), pk,
                     "'%s' (rewriting bodies in transit) is not supported yet; use observe or "
                     "block",
                     modes[mode]);
        return -1;
    }
    pd->mode = (veil_mode_t)mode;
    pd->min_confidence = (veil_confidence_t)(conf + 1);
    pd->uninspectable_block = un;
    pd->block_status = (unsigned)status;
    if (apply_selectors(s, m, "detectors", path, src->enabled, 1, &given) != 0) {
        rc = -1;
    }
    if (!given) {
        memset(src->enabled, 1, s->ng);
    }
    if (apply_selectors(s, m, "disable", path, src->enabled, 0, NULL) != 0) {
        rc = -1;
    }
    given = 0;
    if (apply_selectors(s, m, "block", path, src->blocks, 1, &given) != 0) {
        rc = -1;
    }
    if (!given) {
        memset(src->blocks, 1, s->ng);
    } else if (pd->mode != VEIL_MODE_BLOCK) {
        field(m, "block", path, pk);
        veil__err_at(s->d, veil__map_get(m, "block"), pk, "block needs mode: block");
        rc = -1;
    }

    /* actions: default, then regulation, category and detector id, the
       more specific winning whatever the order in the file. */
    const veil__node_t *am = field(m, "actions", path, pk);
    memset(src->actions, VEIL_ACT_MASK, s->ng);
    if (am && want_kind(s, am, VEIL__N_MAP, pk) == 0) {
        char apath[PATH];
        snprintf(apath, sizeof(apath), "%s", pk);
        for (int pass = SEL_ALL; pass >= SEL_ID; pass--) {
            for (size_t i = 0; i < am->count; i++) {
                const char *name = am->keys[i]->str;
                char pi[PATH];
                uint8_t act;
                join(pi, apath, name);
                int kind = strcmp(name, "default") == 0 ? SEL_ALL : sel_match(s, name, NULL, 0);
                if (kind == SEL_BAD) {
                    if (pass == SEL_ALL) {
                        sel_error(s, am->keys[i], pi, name);
                        rc = -1;
                    }
                    continue;
                }
                if (kind != pass) {
                    continue;
                }
                if (parse_action(s, am->items[i], pi, &act) != 0) {
                    rc = -1;
                    continue;
                }
                uint8_t *sel = calloc(s->ng + 1, 1);
                if (sel == NULL) {
                    return -1;
                }
                sel_match(s, kind == SEL_ALL ? "all" : name, sel, 1);
                for (size_t g = 0; g < s->ng; g++) {
                    if (sel[g]) {
                        src->actions[g] = act;
                    }
                }
                free(sel);
            }
        }
    } else if (am) {
        rc = -1;
    }
    for (size_t g = 0; g < s->ng; g++) {
        uses_hash |= src->enabled[g] && src->actions[g] == VEIL_ACT_HASH;
    }

    const veil__node_t *fl = field(m, "fields", path, pk);
    if (fl && parse_fields(s, fl, pk, pd, &uses_hash) != 0) {
        rc = -1;
    }

    const veil__node_t *bl = field(m, "body_log", path, pk);
    if (bl && bl->kind == VEIL__N_SCALAR) {
        static const char *const bnames[] = {"none", "redacted"};
        int b = 1;
        if (get_enum(s, m, "body_log", path, bnames, 2, &b) != 0) {
            rc = -1;
        }
        pd->body_log = (veil_body_log_t)b;
    } else if (bl) {
        static const char *const bkeys[] = {"allow"};
        const char *const *names;
        size_t n = 0;
        if (want_kind(s, bl, VEIL__N_MAP, pk) || check_keys(s, bl, pk, bkeys, 1) ||
            get_list(s, bl, "allow", pk, &names, &n, NULL)) {
            rc = -1;
        } else if (n == 0) {
            veil__err_at(s->d, bl, pk, "expected none, redacted or {allow: [fields]}");
            rc = -1;
        } else {
            pd->body_log = VEIL_BODY_LOG_ALLOWLIST;
            pd->body_fields = names;
            pd->nbody_fields = n;
        }
    }

    if (uses_hash && src->key_id == NULL && c->nkeys != 1) {
        veil__err_at(s->d, m, path, "the hash action needs a key: define keys: and set hash_key");
        rc = -1;
    }
    if (uses_hash && src->key_id == NULL && c->nkeys == 1) {
        src->key_id = c->keys[0].id;
    }
    if (src->key_id) {
        size_t k;
        for (k = 0; k < c->nkeys && strcmp(c->keys[k].id, src->key_id) != 0; k++) {
        }
        if (k == c->nkeys) {
            const veil__node_t *kn = field(m, "hash_key", path, pk);
            veil__err_at(s->d, kn ? kn : m, kn ? pk : path, "no key '%s' under keys:",
                         src->key_id);
            rc = -1;
        }
    }
    return rc;
}

static int parse_policies(S *s, const veil__node_t *root)
{
    static const char *const keys[] = {"description", "request", "response", "consent"};
    static const char *const ckeys[] = {"on_gpc", "on_dnt"};
    const veil__node_t *m = veil__map_get(root, "policies");
    veil_config_t *c = s->cfg;
    size_t n = m ? m->count : 0;
    int rc = 0, have_default = 0;

    if (m && want_kind(s, m, VEIL__N_MAP, "policies")) {
        rc = -1;
        n = 0;
    }
    for (size_t i = 0; i < n; i++) {
        have_default |= strcmp(m->keys[i]->str, "default") == 0;
    }
    c->policies = veil__arena_alloc(&c->arena, (n + 1) * sizeof(*c->policies));
    c->policy_src = veil__arena_alloc(&c->arena, (n + 1) * sizeof(*c->policy_src));
    if (c->policies == NULL || c->policy_src == NULL) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        c->policies[i].name = save_str(s, m->keys[i]);
    }
    c->npolicies = n;
    if (!have_default) {
        c->policies[n].name = "default";
        c->npolicies++;
        for (int d = 0; d < VEIL_DIR__COUNT; d++) {
            rc |= parse_direction(s, NULL, "", &c->policies[n].dir[d], &c->policy_src[n][d]);
        }
    }
    for (size_t i = 0; i < n; i++) {
        const veil__node_t *pm = m->items[i];
        veil_policy_t *pol = &c->policies[i];
        char p[PATH], pk[PATH];
        const char *dummy;
        join(p, "policies", pol->name);
        if (want_kind(s, pm, VEIL__N_MAP, p) || check_keys(s, pm, p, keys, COUNT(keys)) ||
            get_str(s, pm, "description", p, &dummy)) {
            rc = -1;
            continue;
        }
        for (int d = 0; d < VEIL_DIR__COUNT; d++) {
            const char *dn = d == VEIL_DIR_REQUEST ? "request" : "response";
            const veil__node_t *dm = field(pm, dn, p, pk);
            rc |= parse_direction(s, dm, pk, &pol->dir[d], &c->policy_src[i][d]);
        }
        const veil__node_t *cm = field(pm, "consent", p, pk);
        if (cm == NULL) {
            continue;
        }
        char cp[PATH];
        snprintf(cp, sizeof(cp), "%s", pk);
        if (want_kind(s, cm, VEIL__N_MAP, cp) || check_keys(s, cm, cp, ckeys, 2)) {
            rc = -1;
            continue;
        }
        for (int k = 0; k < 2; k++) {
            const char *target = NULL;
            if (get_str(s, cm, ckeys[k], cp, &target) != 0) {
                rc = -1;
                continue;
            }
            if (target == NULL) {
                continue;
            }
            const veil_policy_t *tp = veil_config_policy(c, target);
            if (tp == NULL) {
                const char **names = malloc(c->npolicies * sizeof(*names));
                for (size_t j = 0; names && j < c->npolicies; j++) {
                    names[j] = c->policies[j].name;
                }
                const char *sugg = names ? veil__suggest(target, names, c->npolicies) : NULL;
                field(cm, ckeys[k], cp, pk);
                veil__err_at(s->d, veil__map_get(cm, ckeys[k]), pk, "no policy '%s'%s%s%s",
                             target, sugg ? " (did you mean '" : "", sugg ? sugg : "",
                             sugg ? "'?)" : "");
                free(names);
                rc = -1;
                continue;
            }
            if (k == 0) {
                pol->on_gpc = tp;
            } else {
                pol->on_dnt = tp;
            }
        }
    }
    return rc;
}

static const veil_policy_t *find_policy(S *s, const veil__node_t *at, const char *path,
                                        const char *name)
{
    veil_config_t *c = s->cfg;
    const veil_policy_t *p = veil_config_policy(c, name);
    if (p == NULL) {
        const char **names = malloc((c->npolicies + 1) * sizeof(*names));
        for (size_t j = 0; names && j < c->npolicies; j++) {
            names[j] = c->policies[j].name;
        }
        const char *sugg = names ? veil__suggest(name, names, c->npolicies) : NULL;
        veil__err_at(s->d, at, path, "no policy '%s'%s%s%s", name, sugg ? " (did you mean '" : "",
                     sugg ? sugg : "", sugg ? "'?)" : "");
        free(names);
    }
    return p;
}

/* ---- routes ---- */

static int parse_routes(S *s, const veil__node_t *root)
{
    static const char *const keys[] = {"name", "match", "upstream", "policy", "purpose"};
    static const char *const mkeys[] = {"host", "path_prefix", "path_regex", "methods",
                                        "content_type"};
    const veil__node_t *seq = veil__map_get(root, "routes");
    veil_config_t *c = s->cfg;
    size_t n = seq ? seq->count : 0;
    int rc = 0;

    if (seq && want_kind(s, seq, VEIL__N_SEQ, "routes")) {
        rc = -1;
        n = 0;
    }
    c->routes = veil__arena_alloc(&c->arena, (n + 1) * sizeof(*c->routes));
    if (c->routes == NULL) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const veil__node_t *m = seq->items[i];
        veil_route_t *r = &c->routes[c->nroutes];
        memset(r, 0, sizeof(*r)); /* a slot left by a rejected entry is reused */
        const char *up = NULL, *pol = NULL;
        char p[PATH], pk[PATH], mp[PATH];
        join_index(p, "routes", i);
        if (want_kind(s, m, VEIL__N_MAP, p) || check_keys(s, m, p, keys, COUNT(keys)) ||
            get_str(s, m, "name", p, &r->name) || get_str(s, m, "upstream", p, &up) ||
            get_str(s, m, "policy", p, &pol) || get_str(s, m, "purpose", p, &r->purpose)) {
            rc = -1;
            continue;
        }
        if (r->name == NULL) {
            r->name = veil__arena_strndup(&c->arena, p, strlen(p));
        }
        const veil__node_t *mm = field(m, "match", p, mp);
        if (mm && (want_kind(s, mm, VEIL__N_MAP, mp) ||
                   check_keys(s, mm, mp, mkeys, COUNT(mkeys)) ||
                   get_str(s, mm, "host", mp, &r->host) ||
                   get_str(s, mm, "path_prefix", mp, &r->path_prefix) ||
                   get_str(s, mm, "path_regex", mp, &r->path_regex) ||
                   get_list(s, mm, "methods", mp, &r->methods, &r->nmethods, NULL) ||
                   get_str(s, mm, "content_type", mp, &r->content_type))) {
            rc = -1;
            continue;
        }
        if (r->host) {
            char *h = (char *)r->host;
            for (char *q = h; *q; q++) {
                *q = (char)(*q >= 'A' && *q <= 'Z' ? *q + 32 : *q);
            }
        }
        if (r->path_prefix && r->path_prefix[0] != '/') {
            field(mm, "path_prefix", mp, pk);
            veil__err_at(s->d, veil__map_get(mm, "path_prefix"), pk, "must start with /");
            rc = -1;
        }
        for (size_t k = 0; k < r->nmethods; k++) {
            const char *q = r->methods[k];
            int ok = strlen(q) <= 32;
            for (; ok && *q; q++) {
                ok = (*q >= 'A' && *q <= 'Z') || *q == '-' || *q == '_';
            }
            if (!ok) {
                field(mm, "methods", mp, pk);
                veil__err_at(s->d, veil__map_get(mm, "methods"), pk,
                             "'%s' is no HTTP method (upper case: GET, POST, ...)",
                             r->methods[k]);
                rc = -1;
            }
        }
        if (r->path_regex) {
            int code;
            PCRE2_SIZE off;
            pcre2_code *re = pcre2_compile((PCRE2_SPTR)r->path_regex, PCRE2_ZERO_TERMINATED, 0,
                                           &code, &off, NULL);
            field(mm, "path_regex", mp, pk);
            if (re == NULL) {
                char msg[160];
                pcre2_get_error_message(code, (PCRE2_UCHAR *)msg, sizeof(msg));
                veil__err_at(s->d, veil__map_get(mm, "path_regex"), pk,
                             "bad pattern at offset %zu: %s", (size_t)off, msg);
                rc = -1;
            } else {
                (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
                r->re = re;
            }
        }
        r->upstream = &c->upstreams[0];
        if (up) {
            size_t k;
            for (k = 0; k < c->nupstreams && strcmp(c->upstreams[k].name, up) != 0; k++) {
            }
            if (k == c->nupstreams) {
                const char **names = malloc(c->nupstreams * sizeof(*names));
                for (size_t j = 0; names && j < c->nupstreams; j++) {
                    names[j] = c->upstreams[j].name;
                }
                const char *sugg = names ? veil__suggest(up, names, c->nupstreams) : NULL;
                field(m, "upstream", p, pk);
                veil__err_at(s->d, veil__map_get(m, "upstream"), pk, "no upstream '%s'%s%s%s",
                             up, sugg ? " (did you mean '" : "", sugg ? sugg : "",
                             sugg ? "'?)" : "");
                free(names);
                rc = -1;
            } else {
                r->upstream = &c->upstreams[k];
            }
        }
        field(m, "policy", p, pk);
        r->policy = find_policy(s, veil__map_get(m, "policy"), pk, pol ? pol : "default");
        if (r->policy == NULL) {
            rc = -1;
        }
        c->nroutes++;
    }
    return rc;
}

/* ---- tests ---- */

static int parse_tests(S *s, const veil__node_t *root)
{
    static const char *const keys[] = {"name", "policy", "route", "request", "direction",
                                       "content_type", "format", "body", "consent",
                                       "expect"};
    static const char *const rkeys[] = {"method", "host", "path"};
    static const char *const ekeys[] = {"output", "findings", "blocked"};
    static const char *const dirs[] = {"request", "response"};
    static const char *const fmts[] = {"text", "json", "form"};
    static const char *const consents[] = {"none", "gpc", "dnt"};
    const veil__node_t *seq = veil__map_get(root, "tests");
    veil_config_t *c = s->cfg;
    int rc = 0;

    if (seq == NULL) {
        return 0;
    }
    if (want_kind(s, seq, VEIL__N_SEQ, "tests")) {
        return -1;
    }
    c->tests = veil__arena_alloc(&c->arena, (seq->count + 1) * sizeof(*c->tests));
    if (c->tests == NULL) {
        return -1;
    }
    for (size_t i = 0; i < seq->count; i++) {
        const veil__node_t *m = seq->items[i];
        veil__test_case_t *t = &c->tests[c->ntests];
        memset(t, 0, sizeof(*t)); /* a slot left by a rejected entry is reused */
        const char *pol = NULL, *route = NULL, *ct = NULL;
        int dir = 0, fmt = -1, consent = 0;
        char p[PATH], pk[PATH];
        join_index(p, "tests", i);
        if (want_kind(s, m, VEIL__N_MAP, p) || check_keys(s, m, p, keys, COUNT(keys)) ||
            get_str(s, m, "name", p, &t->name) || get_str(s, m, "policy", p, &pol) ||
            get_str(s, m, "route", p, &route) ||
            get_enum(s, m, "direction", p, dirs, 2, &dir) ||
            get_enum(s, m, "format", p, fmts, 3, &fmt) ||
            get_enum(s, m, "consent", p, consents, 3, &consent) ||
            get_str(s, m, "content_type", p, &ct)) {
            rc = -1;
            continue;
        }
        t->line = m->line;
        if (t->name == NULL) {
            t->name = veil__arena_strndup(&c->arena, p, strlen(p));
        }
        const veil__node_t *body = field(m, "body", p, pk);
        if (body == NULL || want_kind(s, body, VEIL__N_SCALAR, pk) != 0) {
            if (body == NULL) {
                veil__err_at(s->d, m, p, "a test needs a body");
            }
            rc = -1;
            continue;
        }
        t->body = save_str(s, body);
        t->body_len = body->len;
        int ways = (pol != NULL) + (route != NULL) + (veil__map_get(m, "request") != NULL);
        if (ways > 1) {
            veil__err_at(s->d, m, p, "give one of policy, route or request");
            rc = -1;
            continue;
        }
        if (pol) {
            field(m, "policy", p, pk);
            t->policy = find_policy(s, veil__map_get(m, "policy"), pk, pol);
            t->via = pol;
        } else if (route) {
            size_t k;
            for (k = 0; k < c->nroutes && strcmp(c->routes[k].name, route) != 0; k++) {
            }
            if (k == c->nroutes) {
                field(m, "route", p, pk);
                veil__err_at(s->d, veil__map_get(m, "route"), pk, "no route '%s'", route);
            } else {
                t->policy = c->routes[k].policy;
                t->via = c->routes[k].name;
            }
        } else {
            const veil__node_t *rq = field(m, "request", p, pk);
            veil_route_request_t req = {"GET", 3, "", 0, "/", 1, ct, ct ? strlen(ct) : 0};
            const char *method = NULL, *host = NULL, *path = NULL;
            char rp[PATH];
            snprintf(rp, sizeof(rp), "%s", pk);
            if (rq && (want_kind(s, rq, VEIL__N_MAP, rp) || check_keys(s, rq, rp, rkeys, 3) ||
                       get_str(s, rq, "method", rp, &method) ||
                       get_str(s, rq, "host", rp, &host) || get_str(s, rq, "path", rp, &path))) {
                rc = -1;
                continue;
            }
            if (method) {
                req.method = method, req.method_len = strlen(method);
            }
            if (host) {
                req.host = host, req.host_len = strlen(host);
            }
            if (path) {
                req.path = path, req.path_len = strcspn(path, "?");
            }
            veil__route_init_default(c);
            const veil_route_t *r = veil_config_route_match(c, &req);
            t->policy = r->policy;
            t->via = r->name;
        }
        if (t->policy == NULL) {
            rc = -1;
            continue;
        }
        t->direction = (veil_direction_t)dir;
        t->gpc = consent == 1;
        t->dnt = consent == 2;
        t->format = fmt >= 0 ? (veil_format_t)fmt
                    : ct     ? veil_format_from_content_type(ct, strlen(ct))
                             : VEIL_FMT_TEXT;
        t->expect_blocked = -1;
        const veil__node_t *em = field(m, "expect", p, pk);
        char ep[PATH];
        snprintf(ep, sizeof(ep), "%s", pk);
        if (em == NULL) {
            veil__err_at(s->d, m, p, "a test needs expect: (output, findings and/or blocked)");
            rc = -1;
            continue;
        }
        int blocked = 0;
        if (want_kind(s, em, VEIL__N_MAP, ep) || check_keys(s, em, ep, ekeys, 3) ||
            get_bool(s, em, "blocked", ep, &blocked)) {
            rc = -1;
            continue;
        }
        if (veil__map_get(em, "blocked")) {
            t->expect_blocked = blocked;
        }
        const veil__node_t *on = field(em, "output", ep, pk);
        if (on) {
            if (want_kind(s, on, VEIL__N_SCALAR, pk) != 0) {
                rc = -1;
                continue;
            }
            t->expect_output = save_str(s, on);
            t->expect_output_len = on->len;
        }
        const veil__node_t *fm = field(em, "findings", ep, pk);
        if (fm) {
            char fp[PATH];
            snprintf(fp, sizeof(fp), "%s", pk);
            if (want_kind(s, fm, VEIL__N_MAP, fp) != 0) {
                rc = -1;
                continue;
            }
            t->check_findings = 1;
            t->findings = veil__arena_alloc(&c->arena, (fm->count + 1) * sizeof(*t->findings));
            for (size_t k = 0; t->findings && k < fm->count; k++) {
                const char *id = fm->keys[k]->str;
                uint64_t cnt = 0;
                int known = 0;
                for (size_t g = 0; g < s->ng; g++) {
                    known |= strcmp(global_id(s, g), id) == 0;
                }
                join(pk, fp, id);
                if (!known) {
                    const char **names = malloc(s->ng * sizeof(*names));
                    for (size_t g = 0; names && g < s->ng; g++) {
                        names[g] = global_id(s, g);
                    }
                    const char *sugg = names ? veil__suggest(id, names, s->ng) : NULL;
                    veil__err_at(s->d, fm->keys[k], pk, "no detector '%s'%s%s%s", id,
                                 sugg ? " (did you mean '" : "", sugg ? sugg : "",
                                 sugg ? "'?)" : "");
                    free(names);
                    rc = -1;
                    continue;
                }
                if (get_number(s, fm, id, fp, 0, 0, 1000000, &cnt) != 0) {
                    rc = -1;
                    continue;
                }
                t->findings[t->nfindings].detector = save_str(s, fm->keys[k]);
                t->findings[t->nfindings].count = (unsigned)cnt;
                t->nfindings++;
            }
        }
        if (!on && !fm && t->expect_blocked < 0) {
            veil__err_at(s->d, em, ep, "expect needs output, findings or blocked");
            rc = -1;
            continue;
        }
        c->ntests++;
    }
    return rc;
}

int veil__schema_load(veil_config_t *cfg, const veil__node_t *root, veil__diag_t *d)
{
    static const char *const keys[] = {"version", "listeners", "upstreams", "routes",
                                       "policies", "detectors", "allowlists", "keys",
                                       "access_log", "server", "tests"};
    S s = {cfg, d, NB};
    int rc = 0;
    uint64_t version = 1;

    if (root->kind != VEIL__N_MAP) {
        veil__err_at(d, root, "(top)", "expected a map of sections (listeners:, routes:, ...)");
        return -1;
    }
    if (check_keys(&s, root, "", keys, COUNT(keys)) != 0) {
        rc = -1;
    }
    if (get_number(&s, root, "version", "", 0, 1, 1, &version) != 0) {
        return -1;
    }
    /* Later sections refer to earlier ones: keys and detectors first. */
    rc |= parse_keys(&s, root);
    rc |= parse_detectors(&s, root);
    rc |= parse_allowlists(&s, root);
    rc |= parse_upstreams(&s, root);
    rc |= parse_listeners(&s, root);
    rc |= parse_server(&s, root);
    /* Every section is checked even after an error, so one run of veil
       check reports all of them; each falls back to defaults for what
       it refers to. */
    rc |= parse_policies(&s, root);
    rc |= parse_routes(&s, root);
    veil__route_init_default(cfg);
    rc |= parse_tests(&s, root);
    return rc;
}
