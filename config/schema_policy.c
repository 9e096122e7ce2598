/*
 * policies: each direction's mode, detectors, actions (the most specific
 * selector wins), block list, field rules, body logging and key, and the
 * consent links between policies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "veil/tokens.h"


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


/*
 * An action: a name (mask, label, hash, drop, tokenize), or for tokenize a
 * map {action: tokenize, format: tagged | fpe}. <fmt> gets the format
 * (tagged when none is given).
 */
static int parse_action_entry(veil__schema_t *s, const veil__node_t *n, const char *path,
                              uint8_t *act, uint8_t *fmt)
{
    static const char *const keys[] = {"action", "format"};
    static const char *const formats[] = {"tagged", "fpe"};
    const veil__node_t *an;
    char pk[PATH];
    int f = 0;

    *fmt = VEIL_TOKEN_TAGGED;
    if (n->kind != VEIL__N_MAP) {
        return veil__sc_parse_action(s, n, path, act);
    }
    if (veil__sc_check_keys(s, n, path, keys, 2) != 0 ||
        veil__sc_get_enum(s, n, "format", path, formats, 2, &f) != 0) {
        return -1;
    }
    an = veil__sc_field(n, "action", path, pk);
    if (an == NULL) {
        veil__err_at(s->d, n, path, "expected action: (and format: for tokenize)");
        return -1;
    }
    if (veil__sc_parse_action(s, an, pk, act) != 0) {
        return -1;
    }
    if (veil__map_get(n, "format") && *act != VEIL_ACT_TOKENIZE) {
        veil__sc_field(n, "format", path, pk);
        veil__err_at(s->d, veil__map_get(n, "format"), pk, "format is for action: tokenize");
        return -1;
    }
    *fmt = (uint8_t)f;
    return 0;
}

/* Which detectors format-preserving tokens exist for. */
static int fpe_capable(const char *id)
{
    static const char *const ids[] = {"credit_card", "iban", "email", "us_ssn", "phone"};
    for (size_t i = 0; i < COUNT(ids); i++) {
        if (strcmp(id, ids[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

static int parse_fields(veil__schema_t *s, const veil__node_t *seq, const char *path,
                        veil_policy_dir_t *pd, int *uses_hash)
{
    static const char *const keys[] = {"json", "key", "form", "header", "query", "action"};
    veil_field_rule_t *rules;
    int rc = 0;
    if (veil__sc_want_kind(s, seq, VEIL__N_SEQ, path) != 0) {
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
        veil__sc_join_index(p, path, i);
        if (veil__sc_want_kind(s, m, VEIL__N_MAP, p) ||
            veil__sc_check_keys(s, m, p, keys, COUNT(keys))) {
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
        if (veil__sc_get_str(s, m, keys[where], p, &r->name) != 0) {
            rc = -1;
            continue;
        }
        const veil__node_t *at = veil__sc_field(m, keys[where], p, pk);
        if (where == VEIL_FIELD_JSON && !valid_json_path(r->name)) {
            veil__err_at(s->d, at, pk,
                         "expected a JSON path such as $.user.card or "
                         "$.items[*].iban");
            rc = -1;
            continue;
        }
        if (where == VEIL_FIELD_KEY && veil__sc_compile_keep(s, at, pk, r->name, &r->re) != 0) {
            rc = -1;
            continue;
        }
        uint8_t act = VEIL_ACT_MASK;
        const veil__node_t *an = veil__sc_field(m, "action", p, pk);
        if (an && an->kind == VEIL__N_SCALAR && strcmp(an->str, "keep") == 0) {
            /* Headers only: a value that looks like a credential is
               logged anyway (redacted by the engine as any other). */
            if (where != VEIL_FIELD_HEADER) {
                veil__err_at(s->d, an, pk, "keep applies to header rules only");
                rc = -1;
                continue;
            }
            r->keep = 1;
        } else if (an && veil__sc_parse_action(s, an, pk, &act) != 0) {
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


static int parse_direction(veil__schema_t *s, const veil__node_t *m, const char *path,
                           veil_policy_dir_t *pd, veil__dir_src_t *src)
{
    static const char *const keys[] = {
        "mode",         "detectors", "disable",  "min_confidence", "actions",  "block",
        "block_status", "fields",    "body_log", "uninspectable",  "hash_key", "token_key"};
    static const char *const modes[] = {"observe", "block", "redact", "tokenize"};
    static const char *const unin[] = {"pass", "block"};
    veil_config_t *c = s->cfg;
    int mode = 0, conf = 1, un = 0, rc = 0, given = 0, uses_hash = 0;
    uint64_t status = 403;
    char pk[PATH];

    src->enabled = veil__arena_alloc(&c->arena, s->ng + 1);
    src->blocks = veil__arena_alloc(&c->arena, s->ng + 1);
    src->actions = veil__arena_alloc(&c->arena, s->ng + 1);
    src->formats = veil__arena_alloc(&c->arena, s->ng + 1); /* zero: tagged */
    if (!src->enabled || !src->blocks || !src->actions || !src->formats) {
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
    if (veil__sc_want_kind(s, m, VEIL__N_MAP, path) ||
        veil__sc_check_keys(s, m, path, keys, COUNT(keys)) ||
        veil__sc_get_enum(s, m, "mode", path, modes, COUNT(modes), &mode) ||
        veil__sc_get_enum(s, m, "min_confidence", path, veil__sc_confidence_names, 3, &conf) ||
        veil__sc_get_enum(s, m, "uninspectable", path, unin, 2, &un) ||
        veil__sc_get_number(s, m, "block_status", path, 0, 400, 599, &status) ||
        veil__sc_get_str(s, m, "hash_key", path, &src->key_id) ||
        veil__sc_get_str(s, m, "token_key", path, &src->token_key_id)) {
        return -1;
    }
    /* tokenize replaces each finding in transit by its keyed token. */
    uses_hash |= mode == VEIL_MODE_TOKENIZE;
    pd->mode = (veil_mode_t)mode;
    pd->min_confidence = (veil_confidence_t)(conf + 1);
    pd->uninspectable_block = un;
    pd->block_status = (unsigned)status;
    if (veil__sc_apply_selectors(s, m, "detectors", path, src->enabled, 1, &given) != 0) {
        rc = -1;
    }
    if (!given) {
        memset(src->enabled, 1, s->ng);
    }
    if (veil__sc_apply_selectors(s, m, "disable", path, src->enabled, 0, NULL) != 0) {
        rc = -1;
    }
    given = 0;
    if (veil__sc_apply_selectors(s, m, "block", path, src->blocks, 1, &given) != 0) {
        rc = -1;
    }
    if (!given) {
        memset(src->blocks, 1, s->ng);
    } else if (pd->mode != VEIL_MODE_BLOCK) {
        veil__sc_field(m, "block", path, pk);
        veil__err_at(s->d, veil__map_get(m, "block"), pk, "block needs mode: block");
        rc = -1;
    }

    /* actions: default, then regulation, category and detector id, the
       more specific winning whatever the order in the file. */
    const veil__node_t *am = veil__sc_field(m, "actions", path, pk);
    memset(src->actions, VEIL_ACT_MASK, s->ng);
    if (am && veil__sc_want_kind(s, am, VEIL__N_MAP, pk) == 0) {
        char apath[PATH];
        snprintf(apath, sizeof(apath), "%s", pk);
        for (int pass = SEL_ALL; pass >= SEL_ID; pass--) {
            for (size_t i = 0; i < am->count; i++) {
                const char *name = am->keys[i]->str;
                char pi[PATH];
                uint8_t act;
                veil__sc_join(pi, apath, name);
                int kind =
                    strcmp(name, "default") == 0 ? SEL_ALL : veil__sc_sel_match(s, name, NULL, 0);
                if (kind == SEL_BAD) {
                    if (pass == SEL_ALL) {
                        veil__sc_sel_error(s, am->keys[i], pi, name);
                        rc = -1;
                    }
                    continue;
                }
                if (kind != pass) {
                    continue;
                }
                uint8_t fmt;
                if (parse_action_entry(s, am->items[i], pi, &act, &fmt) != 0) {
                    rc = -1;
                    continue;
                }
                uint8_t *sel = calloc(s->ng + 1, 1);
                if (sel == NULL) {
                    return -1;
                }
                veil__sc_sel_match(s, kind == SEL_ALL ? "all" : name, sel, 1);
                for (size_t g = 0; g < s->ng; g++) {
                    if (sel[g]) {
                        src->actions[g] = act;
                        /* fpe where the type has it; tagged elsewhere (a
                           default or a category may name many types). */
                        src->formats[g] =
                            fmt == VEIL_TOKEN_FPE && fpe_capable(veil__sc_global_id(s, g))
                                ? VEIL_TOKEN_FPE
                                : VEIL_TOKEN_TAGGED;
                    }
                }
                free(sel);
                if (fmt == VEIL_TOKEN_FPE && kind == SEL_ID && !fpe_capable(name)) {
                    veil__err_at(s->d, am->items[i], pi,
                                 "format: fpe is for credit_card, iban, "
                                 "email, us_ssn and phone; '%s' gets tagged tokens",
                                 name);
                    rc = -1;
                }
            }
        }
    } else if (am) {
        rc = -1;
    }
    int uses_tokens = 0;
    for (size_t g = 0; g < s->ng; g++) {
        uses_hash |= src->enabled[g] && src->actions[g] == VEIL_ACT_HASH;
        uses_tokens |= src->enabled[g] && src->actions[g] == VEIL_ACT_TOKENIZE;
    }

    const veil__node_t *fl = veil__sc_field(m, "fields", path, pk);
    if (fl && parse_fields(s, fl, pk, pd, &uses_hash) != 0) {
        rc = -1;
    }
    for (size_t i = 0; i < pd->nfields; i++) {
        uses_tokens |= pd->fields[i].action == VEIL_ACT_TOKENIZE;
    }

    const veil__node_t *bl = veil__sc_field(m, "body_log", path, pk);
    if (bl && bl->kind == VEIL__N_SCALAR) {
        static const char *const bnames[] = {"none", "redacted"};
        int b = 1;
        if (veil__sc_get_enum(s, m, "body_log", path, bnames, 2, &b) != 0) {
            rc = -1;
        }
        pd->body_log = (veil_body_log_t)b;
    } else if (bl) {
        static const char *const bkeys[] = {"allow"};
        const char *const *names;
        size_t n = 0;
        if (veil__sc_want_kind(s, bl, VEIL__N_MAP, pk) ||
            veil__sc_check_keys(s, bl, pk, bkeys, 1) ||
            veil__sc_get_list(s, bl, "allow", pk, &names, &n, NULL)) {
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

    /* tokenize: a key slot to make tokens with, token_key or the only
       active one. */
    size_t nactive = 0, tk = c->nkeys;
    for (size_t k = 0; k < c->nkeys; k++) {
        nactive += c->keys[k].slot && c->keys[k].state == VEIL_KEY_ACTIVE;
        if (src->token_key_id && strcmp(c->keys[k].id, src->token_key_id) == 0) {
            tk = k;
        }
    }
    if (src->token_key_id &&
        (tk == c->nkeys || !c->keys[tk].slot || c->keys[tk].state != VEIL_KEY_ACTIVE)) {
        const veil__node_t *kn = veil__sc_field(m, "token_key", path, pk);
        veil__err_at(s->d, kn, pk, "no active token key slot '%s' under keys:", src->token_key_id);
        rc = -1;
    } else if (uses_tokens && src->token_key_id == NULL && nactive != 1) {
        veil__err_at(s->d, m, path,
                     "the tokenize action needs %s active token key slot "
                     "(keys: ID: {file: F, slot: 1}) or token_key",
                     nactive ? "exactly one" : "an");
        rc = -1;
    }
    if (uses_hash && src->key_id == NULL && c->nkeys != 1) {
        veil__err_at(s->d, m, path, "%s needs a key: define keys: and set hash_key",
                     mode == VEIL_MODE_TOKENIZE ? "mode tokenize" : "the hash action");
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
            const veil__node_t *kn = veil__sc_field(m, "hash_key", path, pk);
            veil__err_at(s->d, kn ? kn : m, kn ? pk : path, "no key '%s' under keys:", src->key_id);
            rc = -1;
        }
    }
    return rc;
}


int veil__sc_parse_policies(veil__schema_t *s, const veil__node_t *root)
{
    static const char *const keys[] = {"description", "request", "response", "consent"};
    static const char *const ckeys[] = {"on_gpc", "on_dnt"};
    const veil__node_t *m = veil__map_get(root, "policies");
    veil_config_t *c = s->cfg;
    size_t n = m ? m->count : 0;
    int rc = 0, have_default = 0;

    if (m && veil__sc_want_kind(s, m, VEIL__N_MAP, "policies")) {
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
        c->policies[i].name = veil__sc_save_str(s, m->keys[i]);
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
        veil__sc_join(p, "policies", pol->name);
        if (veil__sc_want_kind(s, pm, VEIL__N_MAP, p) ||
            veil__sc_check_keys(s, pm, p, keys, COUNT(keys)) ||
            veil__sc_get_str(s, pm, "description", p, &dummy)) {
            rc = -1;
            continue;
        }
        for (int d = 0; d < VEIL_DIR__COUNT; d++) {
            const char *dn = d == VEIL_DIR_REQUEST ? "request" : "response";
            const veil__node_t *dm = veil__sc_field(pm, dn, p, pk);
            rc |= parse_direction(s, dm, pk, &pol->dir[d], &c->policy_src[i][d]);
        }
        const veil__node_t *cm = veil__sc_field(pm, "consent", p, pk);
        if (cm == NULL) {
            continue;
        }
        char cp[PATH];
        snprintf(cp, sizeof(cp), "%s", pk);
        if (veil__sc_want_kind(s, cm, VEIL__N_MAP, cp) ||
            veil__sc_check_keys(s, cm, cp, ckeys, 2)) {
            rc = -1;
            continue;
        }
        for (int k = 0; k < 2; k++) {
            const char *target = NULL;
            if (veil__sc_get_str(s, cm, ckeys[k], cp, &target) != 0) {
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
                veil__sc_field(cm, ckeys[k], cp, pk);
                veil__err_at(s->d, veil__map_get(cm, ckeys[k]), pk, "no policy '%s'%s%s%s", target,
                             sugg ? " (did you mean '" : "", sugg ? sugg : "", sugg ? "'?)" : "");
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
