/*
 * detectors:, allowlists: and keys: (keys are only described here; they
 * are loaded in compile.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "veil/tokens.h"
#include "validators.h"


static int parse_custom(veil__schema_t *s, const veil__node_t *seq, const char *path)
{
    static const char *const keys[] = {"id",         "category", "regulations",      "pattern",
                                       "validator",  "context",  "context_required", "confidence",
                                       "description"};
    static const char *const cats[] = {"contact",     "financial", "government_id", "health",
                                       "credentials", "network",   "demographic"};
    veil_config_t *c = s->cfg;
    int rc = 0;

    if (veil__sc_want_kind(s, seq, VEIL__N_SEQ, path) != 0) {
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
        veil__sc_join_index(p, path, i);
        if (veil__sc_want_kind(s, m, VEIL__N_MAP, p) != 0 ||
            veil__sc_check_keys(s, m, p, keys, COUNT(keys))) {
            rc = -1;
            continue;
        }
        int cat = VEIL_CAT_CONTACT, conf = 1, creq = 0;
        const char *const *regs = NULL, *const *ctx = NULL;
        size_t nregs = 0, nctx = 0;
        const veil__node_t **rnodes = NULL;
        if (veil__sc_get_str(s, m, "id", p, &det->id) ||
            veil__sc_get_str(s, m, "pattern", p, &det->pattern) ||
            veil__sc_get_str(s, m, "validator", p, &det->validator) ||
            veil__sc_get_enum(s, m, "category", p, cats, COUNT(cats), &cat) ||
            veil__sc_get_enum(s, m, "confidence", p, veil__sc_confidence_names, 3, &conf) ||
            veil__sc_get_bool(s, m, "context_required", p, &creq) ||
            veil__sc_get_list(s, m, "regulations", p, &regs, &nregs, &rnodes) ||
            veil__sc_get_list(s, m, "context", p, &ctx, &nctx, NULL)) {
            rc = -1;
            continue;
        }
        if (det->id == NULL || det->pattern == NULL) {
            veil__err_at(s->d, m, p, "a custom detector needs an id and a pattern");
            rc = -1;
            continue;
        }
        const veil__node_t *idn = veil__sc_field(m, "id", p, pk);
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
        if (veil__sc_category_parse(det->id) >= 0 || veil__sc_regulation_parse(det->id) >= 0 ||
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
                veil__sc_field(m, "validator", p, pk);
                veil__err_at(s->d, veil__map_get(m, "validator"), pk,
                             "unknown validator '%s'%s%s%s", det->validator,
                             sugg ? " (did you mean '" : "", sugg ? sugg : "", sugg ? "'?)" : "");
                rc = -1;
                continue;
            }
        }
        for (size_t r = 0; r < nregs; r++) {
            int reg = veil__sc_regulation_parse(regs[r]);
            if (reg < 0) {
                const char *sugg = veil__suggest(regs[r], veil__sc_regulation_names,
                                                 COUNT(veil__sc_regulation_names));
                veil__sc_field(m, "regulations", p, pk);
                veil__err_at(s->d, rnodes[r], pk, "unknown regulation '%s'%s%s%s", regs[r],
                             sugg ? " (did you mean '" : "", sugg ? sugg : "", sugg ? "'?)" : "");
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
                    veil__sc_field(m, "context", p, pk);
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
            veil__sc_field(m, "context_required", p, pk);
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


int veil__sc_parse_detectors(veil__schema_t *s, const veil__node_t *root)
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
    if (veil__sc_want_kind(s, m, VEIL__N_MAP, "detectors") ||
        veil__sc_check_keys(s, m, "detectors", keys, 3)) {
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
    if (veil__sc_apply_selectors(s, m, "enable", "detectors", mask, 1, &given) != 0) {
        rc = -1;
    }
    if (!given) {
        memset(mask, 1, s->ng);
    }
    if (veil__sc_apply_selectors(s, m, "disable", "detectors", mask, 0, NULL) != 0) {
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


int veil__sc_parse_allowlists(veil__schema_t *s, const veil__node_t *root)
{
    static const char *const keys[] = {"values", "patterns"};
    const veil__node_t *m = veil__map_get(root, "allowlists");
    const veil__node_t **nodes;
    int rc = 0;
    if (m == NULL) {
        return 0;
    }
    if (veil__sc_want_kind(s, m, VEIL__N_MAP, "allowlists") ||
        veil__sc_check_keys(s, m, "allowlists", keys, 2) ||
        veil__sc_get_list(s, m, "values", "allowlists", &s->cfg->allow_values,
                          &s->cfg->nallow_values, NULL) ||
        veil__sc_get_list(s, m, "patterns", "allowlists", &s->cfg->allow_patterns,
                          &s->cfg->nallow_patterns, &nodes)) {
        return -1;
    }
    for (size_t i = 0; i < s->cfg->nallow_patterns; i++) {
        char p[PATH];
        snprintf(p, sizeof(p), "allowlists.patterns[%zu]", i);
        rc |= veil__sc_compile_check(s, nodes[i], p, s->cfg->allow_patterns[i]);
    }
    return rc;
}


int veil__sc_parse_keys(veil__schema_t *s, const veil__node_t *root)
{
    static const char *const keys[] = {"file", "env", "slot", "state"};
    static const char *const states[] = {"active", "decrypt_only", "retired"};
    const veil__node_t *m = veil__map_get(root, "keys");
    veil_config_t *c = s->cfg;
    int rc = 0;
    if (m == NULL) {
        return 0;
    }
    if (veil__sc_want_kind(s, m, VEIL__N_MAP, "keys")) {
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
        veil__sc_join(p, "keys", m->keys[i]->str);
        uint64_t slot = 0;
        int state = 0;
        if (veil__sc_want_kind(s, m->items[i], VEIL__N_MAP, p) ||
            veil__sc_check_keys(s, m->items[i], p, keys, 4) ||
            veil__sc_get_str(s, m->items[i], "file", p, &k->file) ||
            veil__sc_get_str(s, m->items[i], "env", p, &k->env) ||
            veil__sc_get_number(s, m->items[i], "slot", p, 0, 1, 9, &slot) ||
            veil__sc_get_enum(s, m->items[i], "state", p, states, 3, &state)) {
            rc = -1;
            continue;
        }
        k->slot = (int)slot;
        k->state = state;
        if (k->slot == 0 && veil__map_get(m->items[i], "state")) {
            veil__err_at(s->d, m->items[i], p, "state is for token key slots: give slot: 1-9");
            rc = -1;
            continue;
        }
        if (k->slot && (k->env != NULL || (k->file == NULL && k->state != 2))) {
            /* A slot's 32 random bytes live in a file of their own; a
               retired slot needs none (it opens nothing). */
            veil__err_at(s->d, m->items[i], p,
                         "a token key slot needs file (32 random bytes, "
                         "mode 0600 or 0400), not env");
            rc = -1;
            continue;
        }
        if (k->slot && !veil_token_key_id_valid(m->keys[i]->str)) {
            veil__err_at(s->d, m->keys[i], p,
                         "a token key's id is 1 to %d of a-z, 0-9 and _ "
                         "(it is written in every token)",
                         VEIL_TOKEN_KEY_ID_MAX);
            rc = -1;
            continue;
        }
        size_t taken = c->nkeys;
        for (size_t j = 0; k->slot && j < c->nkeys && taken == c->nkeys; j++) {
            taken = c->keys[j].slot == k->slot ? j : taken;
        }
        if (taken < c->nkeys) {
            veil__err_at(s->d, m->items[i], p, "slot %d is taken by key '%s'", k->slot,
                         c->keys[taken].id);
            rc = -1;
            continue;
        }
        if (!k->slot && (k->file == NULL) == (k->env == NULL)) {
            veil__err_at(s->d, m->items[i], p, "a key needs exactly one of file or env");
            rc = -1;
            continue;
        }
        k->id = veil__sc_save_str(s, m->keys[i]);
        k->at = m->items[i];
        c->nkeys++;
    }
    return rc;
}
