/*
 * What every part of the schema uses: key paths, typed getters that report
 * file:line:column: key: reason, unknown-key checks with suggestions, and
 * detector selectors (an id, a category, a regulation or all).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

const char *const veil__sc_regulation_names[5] = {"gdpr", "ccpa", "pci_dss", "hipaa", "glba"};
const char *const veil__sc_confidence_names[3] = {"low", "medium", "high"};
const char *const veil__sc_action_names[6] = {"mask", "label",    "hash",
                                              "drop", "tokenize", "placeholder"};


void veil__sc_join(char *out, const char *path, const char *key)
{
    snprintf(out, PATH, "%s%s%s", path, *path ? "." : "", key);
}


void veil__sc_join_index(char *out, const char *path, size_t i)
{
    snprintf(out, PATH, "%s[%zu]", path, i);
}


const char *veil__sc_save_str(veil__schema_t *s, const veil__node_t *n)
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
int veil__sc_check_keys(veil__schema_t *s, const veil__node_t *map, const char *path,
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
        veil__sc_join(p, path, k->str);
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


int veil__sc_want_kind(veil__schema_t *s, const veil__node_t *n, veil__node_kind_t kind,
                       const char *path)
{
    static const char *const what[] = {"a value", "a map (key: value)", "a list"};
    if (n->kind != kind) {
        veil__err_at(s->d, n, path, "expected %s", what[kind]);
        return -1;
    }
    return 0;
}


/* A key's value and its path; NULL when absent. */
const veil__node_t *veil__sc_field(const veil__node_t *map, const char *key, const char *path,
                                   char *out)
{
    veil__sc_join(out, path, key);
    return veil__map_get(map, key);
}


int veil__sc_get_str(veil__schema_t *s, const veil__node_t *map, const char *key, const char *path,
                     const char **out)
{
    char p[PATH];
    const veil__node_t *n = veil__sc_field(map, key, path, p);
    if (n == NULL) {
        return 0;
    }
    if (veil__sc_want_kind(s, n, VEIL__N_SCALAR, p) != 0) {
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
    *out = veil__sc_save_str(s, n);
    return *out ? 0 : -1;
}


int veil__sc_get_enum(veil__schema_t *s, const veil__node_t *map, const char *key, const char *path,
                      const char *const *names, size_t n, int *out)
{
    char p[PATH];
    const veil__node_t *v = veil__sc_field(map, key, path, p);
    if (v == NULL) {
        return 0;
    }
    if (veil__sc_want_kind(s, v, VEIL__N_SCALAR, p) != 0) {
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
        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "", names[i]);
    }
    const char *sugg = veil__suggest(v->str, names, n);
    if (sugg) {
        veil__err_at(s->d, v, p, "expected one of %s (did you mean '%s'?)", list, sugg);
    } else {
        veil__err_at(s->d, v, p, "expected one of %s", list);
    }
    return -1;
}


int veil__sc_get_bool(veil__schema_t *s, const veil__node_t *map, const char *key, const char *path,
                      int *out)
{
    static const char *const names[] = {"false", "true"};
    return veil__sc_get_enum(s, map, key, path, names, 2, out);
}


int veil__sc_get_number(veil__schema_t *s, const veil__node_t *map, const char *key,
                        const char *path, int kind, uint64_t min, uint64_t max, uint64_t *out)
{
    char p[PATH];
    const veil__node_t *v = veil__sc_field(map, key, path, p);
    if (v == NULL) {
        return 0;
    }
    if (veil__sc_want_kind(s, v, VEIL__N_SCALAR, p) != 0) {
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
int veil__sc_get_list(veil__schema_t *s, const veil__node_t *map, const char *key, const char *path,
                      const char *const **out, size_t *count, const veil__node_t ***nodes)
{
    char p[PATH];
    const veil__node_t *v = veil__sc_field(map, key, path, p);
    if (v == NULL) {
        return 0;
    }
    const veil__node_t *const *items = (const veil__node_t *const *)&v;
    size_t n = 1;
    if (v->kind == VEIL__N_SEQ) {
        items = (const veil__node_t *const *)v->items;
        n = v->count;
    } else if (veil__sc_want_kind(s, v, VEIL__N_SCALAR, p) != 0) {
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
        veil__sc_join_index(pi, p, i);
        if (veil__sc_want_kind(s, items[i], VEIL__N_SCALAR, pi) != 0) {
            return -1;
        }
        if (items[i]->len == 0 || strlen(items[i]->str) != items[i]->len) {
            veil__err_at(s->d, items[i], pi, "must be a non-empty string");
            return -1;
        }
        arr[i] = veil__sc_save_str(s, items[i]);
        if (nodes) {
            (*nodes)[i] = items[i];
        }
    }
    *out = arr;
    *count = n;
    return 0;
}


const char *veil__sc_global_id(veil__schema_t *s, size_t g)
{
    return g < NB ? veil_catalog_get(g)->id : s->cfg->custom[g - NB].det.id;
}


static veil_category_t global_category(veil__schema_t *s, size_t g)
{
    return g < NB ? veil_catalog_get(g)->category : s->cfg->custom[g - NB].det.category;
}


static unsigned global_regulations(veil__schema_t *s, size_t g)
{
    return g < NB ? veil_catalog_get(g)->regulations : s->cfg->custom[g - NB].det.regulations;
}


int veil__sc_category_parse(const char *name)
{
    for (int c = 0; c < VEIL_CAT__COUNT; c++) {
        if (strcmp(veil_category_name((veil_category_t)c), name) == 0) {
            return c;
        }
    }
    return -1;
}


int veil__sc_regulation_parse(const char *name)
{
    for (size_t r = 0; r < COUNT(veil__sc_regulation_names); r++) {
        if (strcmp(veil__sc_regulation_names[r], name) == 0) {
            return (int)r;
        }
    }
    return -1;
}


/* veil__sc_sel_match(): marks in <mask> the detectors that <name> selects. */
int veil__sc_sel_match(veil__schema_t *s, const char *name, uint8_t *mask, uint8_t value)
{
    int kind = SEL_BAD;
    int cat = veil__sc_category_parse(name), reg = veil__sc_regulation_parse(name);
    for (size_t g = 0; g < s->ng; g++) {
        int hit = 0;
        if (strcmp(name, "all") == 0) {
            hit = 1, kind = SEL_ALL;
        } else if (strcmp(name, veil__sc_global_id(s, g)) == 0) {
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


void veil__sc_sel_error(veil__schema_t *s, const veil__node_t *at, const char *path,
                        const char *name)
{
    size_t n = s->ng + VEIL_CAT__COUNT + COUNT(veil__sc_regulation_names) + 1, k = 0;
    const char **names = malloc(n * sizeof(*names));
    const char *sugg = NULL;
    if (names) {
        for (size_t g = 0; g < s->ng; g++) {
            names[k++] = veil__sc_global_id(s, g);
        }
        for (int c = 0; c < VEIL_CAT__COUNT; c++) {
            names[k++] = veil_category_name((veil_category_t)c);
        }
        for (size_t r = 0; r < COUNT(veil__sc_regulation_names); r++) {
            names[k++] = veil__sc_regulation_names[r];
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
                     "'%s' is no detector id, category or regulation (see 'veil detectors')", name);
    }
    free(names);
}


/* Applies a list of selectors to <mask>; errors for unknown names. */
int veil__sc_apply_selectors(veil__schema_t *s, const veil__node_t *map, const char *key,
                             const char *path, uint8_t *mask, uint8_t value, int *given)
{
    const char *const *names;
    const veil__node_t **nodes;
    size_t n = 0;
    char p[PATH];
    veil__sc_join(p, path, key);
    if (veil__map_get(map, key) == NULL) {
        return 0;
    }
    if (veil__sc_get_list(s, map, key, path, &names, &n, &nodes) != 0) {
        return -1;
    }
    if (given) {
        *given = 1;
    }
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (veil__sc_sel_match(s, names[i], mask, value) == SEL_BAD) {
            char pi[PATH];
            snprintf(pi, sizeof(pi), "%s[%zu]", p, i);
            veil__sc_sel_error(s, nodes[i], nodes == NULL || n == 1 ? p : pi, names[i]);
            rc = -1;
        }
    }
    return rc;
}


int veil__sc_compile_check(veil__schema_t *s, const veil__node_t *at, const char *path,
                           const char *re)
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


int veil__sc_compile_keep(veil__schema_t *s, const veil__node_t *at, const char *path,
                          const char *re, const void **out)
{
    int code;
    PCRE2_SIZE off;
    struct veil__re_list *node = veil__arena_alloc(&s->cfg->arena, sizeof(*node));
    pcre2_code *p = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, 0, &code, &off, NULL);
    if (p == NULL) {
        char msg[160];
        pcre2_get_error_message(code, (PCRE2_UCHAR *)msg, sizeof(msg));
        veil__err_at(s->d, at, path, "bad pattern at offset %zu: %s", (size_t)off, msg);
        return -1;
    }
    if (node == NULL) {
        pcre2_code_free(p);
        return -1;
    }
    (void)pcre2_jit_compile(p, PCRE2_JIT_COMPLETE);
    node->re = p;
    node->next = s->cfg->res;
    s->cfg->res = node;
    *out = p;
    return 0;
}

int veil__sc_parse_action(veil__schema_t *s, const veil__node_t *n, const char *path, uint8_t *out)
{
    if (veil__sc_want_kind(s, n, VEIL__N_SCALAR, path) != 0) {
        return -1;
    }
    int a = veil_action_parse(n->str);
    if (a < 0) {
        const char *sugg =
            veil__suggest(n->str, veil__sc_action_names, COUNT(veil__sc_action_names));
        veil__err_at(s->d, n, path,
                     "expected one of mask, label, hash, drop, tokenize, placeholder%s%s%s",
                     sugg ? " (did you mean '" : "", sugg ? sugg : "", sugg ? "'?)" : "");
        return -1;
    }
    *out = (uint8_t)a;
    return 0;
}


const veil_policy_t *veil__sc_find_policy(veil__schema_t *s, const veil__node_t *at,
                                          const char *path, const char *name)
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
