/*
 * Policy compilation: hash keys loaded (key files refused unless 0600),
 * every custom pattern compiled alone with JIT so a bad one is reported
 * at its own line, then one engine per distinct policy direction
 * (identical directions share an engine) and the per-detector action and
 * block tables in that engine's index space.
 *
 * The lint (veil check) runs each custom pattern without a validator or a
 * required context over samples of common identifiers and warns with the
 * kind of sample it matched, never the sample or the pattern's match.
 */
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "config_int.h"
#include "veil/tokens.h"

#define NB ((size_t)veil_catalog_count())

/* Identifiers that a loose custom pattern tends to flag. */
static const struct {
    const char *kind;
    const char *text;
} samples[] = {
    {"ISO 8601 timestamp", "2024-03-15T10:22:31Z"},
    {"ISO 8601 timestamp", "2024-03-15T10:22:31.123+02:00"},
    {"date", "2024-03-15"},
    {"UUID", "550e8400-e29b-41d4-a716-446655440000"},
    {"UUID", "123E4567-E89B-12D3-A456-426614174000"},
    {"order number", "ORD-2024-000123"},
    {"order number", "order #100234"},
    {"order number", "PO-88231-A"},
    {"epoch milliseconds", "1711987200123"},
    {"epoch seconds", "1711987200"},
    {"version", "1.2.3"},
    {"version", "v2.14.0-rc.1"},
    {"version", "10.0.19045.3803"},
    {"hex digest", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
    {"request id", "req_8f14e45fceea167a"},
    {"HTTP status and size", "200 5123"},
};

static void count_cb(void *ud, const veil_finding_t *f)
{
    (void)f;
    (*(unsigned *)ud)++;
}

static unsigned scan_count(const veil_engine_t *e, const char *text)
{
    unsigned n = 0;
    veil_scanner_t *s = veil_scanner_new(e, VEIL_FMT_TEXT, count_cb, &n);
    if (s == NULL) {
        return 0;
    }
    veil_scanner_feed(s, text, strlen(text));
    veil_scanner_finish(s);
    veil_scanner_free(s);
    return n;
}

/* Hash keys, and token key slots (exactly 32 bytes from a file no one
   else may read; a retired slot's file is never read). The slots make
   the config's token ring. */
static int load_keys(veil_config_t *c, veil__diag_t *d)
{
    const veil_hash_key_t *slots[VEIL_TOKEN_SLOTS];
    size_t nslots = 0;
    int rc = 0;
    for (size_t i = 0; i < c->nkeys; i++) {
        veil__key_def_t *k = &c->keys[i];
        char err[256], path[160];
        k->key = veil__arena_alloc(&c->arena, sizeof(*k->key));
        if (k->key == NULL) {
            return -1;
        }
        snprintf(path, sizeof(path), "keys.%s", k->id);
        if (k->slot && k->state == VEIL_KEY_RETIRED) {
            /* Its bytes are never read: it opens nothing. */
        } else if (k->slot ? veil_token_key_load(k->key, k->file, err, sizeof(err)) != 0
                           : veil_hash_key_load(k->key, k->file, k->env, err, sizeof(err)) != 0) {
            veil__err_at(d, k->at, path, "%s", err);
            rc = -1;
            continue;
        }
        k->key->id = k->id;
        k->key->slot = k->slot;
        k->key->state = k->state;
        if (k->slot && nslots < VEIL_TOKEN_SLOTS) {
            slots[nslots++] = k->key;
        }
    }
    if (rc == 0 && nslots) {
        char err[256];
        c->token_ring = veil_token_ring_new(slots, nslots, err, sizeof(err));
        if (c->token_ring == NULL) {
            static const veil__node_t top = {.line = 1, .col = 1};
            veil__err_at(d, &top, "keys", "%s", err);
            rc = -1;
        }
    }
    return rc;
}

/* The engine's message starts with the detector id; the position and key
   already say which detector. */
static const char *strip_id(const char *msg, const char *id)
{
    size_t n = strlen(id);
    if (strncmp(msg, id, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ') {
        return msg + n + 2;
    }
    return msg;
}

static int check_custom(veil_config_t *c, unsigned flags, veil__diag_t *d)
{
    uint8_t *none = calloc(NB + 1, 1); /* no built-in: the custom one alone */
    int rc = 0;
    if (none == NULL) {
        return -1;
    }
    for (size_t k = 0; k < c->ncustom; k++) {
        veil__custom_def_t *def = &c->custom[k];
        veil_engine_options_t o = {0};
        char err[256], path[64];
        o.enabled = none;
        o.min_confidence = VEIL_CONF_LOW;
        o.custom = &def->det;
        o.custom_count = 1;
        snprintf(path, sizeof(path), "detectors.custom[%zu].pattern", k);
        veil_engine_t *e = veil__engine_get(&o, err, sizeof(err));
        if (e == NULL) {
            veil__err_at(d, def->pattern_at, path, "%s", strip_id(err, def->det.id));
            rc = -1;
            continue;
        }
        if ((flags & VEIL_CONFIG_LINT) && def->det.validator == NULL &&
            !def->det.context_required) {
            const char *hit = NULL;
            for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]) && !hit; i++) {
                if (scan_count(e, samples[i].text) > 0) {
                    hit = samples[i].kind;
                }
            }
            if (hit) {
                veil__diag(d, VEIL_DIAG_WARNING, def->pattern_at->line, def->pattern_at->col, path,
                           "'%s' flags a common identifier (%s) and has no validator or "
                           "required context; expect false positives",
                           def->det.id, hit);
            }
        }
        veil__engine_put(e);
    }
    free(none);
    return rc;
}

/* One direction into an engine (shared when an identical one exists). */
static int compile_dir(veil_config_t *c, veil_policy_dir_t *pd, const veil__dir_src_t *src,
                       const char *where, veil__diag_t *d)
{
    size_t ng = NB + c->ncustom, siglen = ng + 1;
    uint8_t *sig = calloc(siglen, 1);
    veil_custom_detector_t *custom = calloc(c->ncustom + 1, sizeof(*custom));
    size_t *gmap = calloc(ng + 1, sizeof(*gmap)); /* engine index -> global */
    size_t ncustom = 0;
    int rc = -1;

    if (!sig || !custom || !gmap) {
        goto out;
    }
    for (size_t g = 0; g < ng; g++) {
        int global = g < NB ? c->builtin_enabled[g] : c->custom[g - NB].enabled;
        sig[g] = (uint8_t)(global && src->enabled[g]);
    }
    sig[ng] = (uint8_t)pd->min_confidence;
    for (size_t g = 0; g < NB; g++) {
        gmap[g] = g;
    }
    for (size_t k = 0; k < c->ncustom; k++) {
        if (sig[NB + k]) {
            gmap[NB + ncustom] = NB + k;
            custom[ncustom++] = c->custom[k].det;
        }
    }
    veil_engine_t *e = NULL;
    for (size_t i = 0; i < c->nengines && e == NULL; i++) {
        if (memcmp(c->engine_sigs[i], sig, siglen) == 0) {
            e = c->engines[i];
        }
    }
    if (e == NULL) {
        veil_engine_options_t o = {0};
        char err[256];
        o.enabled = sig;
        o.min_confidence = pd->min_confidence;
        o.allow_values = c->allow_values;
        o.allow_values_count = c->nallow_values;
        o.allow_patterns = c->allow_patterns;
        o.allow_patterns_count = c->nallow_patterns;
        o.custom = custom;
        o.custom_count = ncustom;
        e = veil__engine_get(&o, err, sizeof(err));
        if (e == NULL) {
            veil__err_at(d, src->at, where, "%s", err);
            goto out;
        }
        veil_engine_t **ne = realloc(c->engines, (c->nengines + 1) * sizeof(*ne));
        uint8_t **ns = realloc(c->engine_sigs, (c->nengines + 1) * sizeof(*ns));
        if (ne) {
            c->engines = ne;
        }
        if (ns) {
            c->engine_sigs = ns;
        }
        if (!ne || !ns) {
            veil__engine_put(e);
            goto out;
        }
        c->engines[c->nengines] = e;
        c->engine_sigs[c->nengines] = sig;
        c->nengines++;
        sig = NULL;
    }
    size_t ne = veil_engine_detector_count(e);
    uint8_t *actions = veil__arena_alloc(&c->arena, ne + 1);
    uint8_t *blocks = veil__arena_alloc(&c->arena, ne + 1);
    if (!actions || !blocks) {
        goto out;
    }
    for (size_t i = 0; i < ne; i++) {
        size_t g = gmap[i];
        actions[i] = src->actions[g];
        blocks[i] = (uint8_t)(pd->mode == VEIL_MODE_BLOCK && src->blocks[g]);
    }
    pd->engine = e;
    pd->actions = actions;
    pd->blocks = blocks;
    pd->key = NULL;
    for (size_t k = 0; src->key_id && k < c->nkeys; k++) {
        if (strcmp(c->keys[k].id, src->key_id) == 0) {
            pd->key = c->keys[k].key;
        }
    }
    pd->tokens = NULL;
    if (c->token_ring) {
        /* Tokens: the ring, the key they are made with (token_key, or the
           only active slot), tagged or fpe per engine detector. */
        veil_tokens_t *t = veil__arena_alloc(&c->arena, sizeof(*t));
        uint8_t *formats = veil__arena_alloc(&c->arena, ne + 1);
        if (!t || !formats) {
            goto out;
        }
        for (size_t i = 0; i < ne; i++) {
            formats[i] = src->formats[gmap[i]];
        }
        t->ring = c->token_ring;
        t->issue = src->token_key_id ? veil_token_ring_find(c->token_ring, src->token_key_id,
                                                            strlen(src->token_key_id))
                                     : veil_token_ring_active(c->token_ring);
        t->formats = formats;
        t->nformats = ne;
        t->rewrap_from = -1;
        pd->tokens = t;
    }
    rc = 0;
out:
    free(sig);
    free(custom);
    free(gmap);
    return rc;
}

int veil__compile(veil_config_t *c, unsigned flags, veil__diag_t *d)
{
    int rc = load_keys(c, d);
    rc |= check_custom(c, flags, d);
    if (rc != 0) {
        return -1;
    }
    for (size_t i = 0; i < c->npolicies; i++) {
        for (int dir = 0; dir < VEIL_DIR__COUNT; dir++) {
            char where[160];
            snprintf(where, sizeof(where), "policies.%s.%s", c->policies[i].name,
                     dir == VEIL_DIR_REQUEST ? "request" : "response");
            if (c->policy_src[i][dir].at == NULL) {
                /* Not in the file: report at its top. */
                static const veil__node_t top = {.line = 1, .col = 1};
                c->policy_src[i][dir].at = &top;
            }
            if (compile_dir(c, &c->policies[i].dir[dir], &c->policy_src[i][dir], where, d)) {
                return -1;
            }
        }
    }
    return 0;
}

void veil__compiled_free(veil_config_t *c)
{
    for (size_t i = 0; i < c->nengines; i++) {
        veil__engine_put(c->engines[i]);
        free(c->engine_sigs[i]);
    }
    free(c->engines);
    free(c->engine_sigs);
    for (size_t i = 0; i < c->nroutes; i++) {
        veil__route_free_re(&c->routes[i]);
    }
    for (struct veil__re_list *r = c->res; r; r = r->next) {
        pcre2_code_free(r->re);
    }
    veil_token_ring_free(c->token_ring);
    c->token_ring = NULL;
    for (size_t i = 0; i < c->nkeys; i++) {
        if (c->keys[i].key) {
            volatile unsigned char *p = c->keys[i].key->bytes;
            for (size_t k = 0; k < sizeof(c->keys[i].key->bytes); k++) {
                p[k] = 0;
            }
        }
    }
}
