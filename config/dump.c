/*
 * veil check --dump: the effective config as YAML, defaults included.
 * A value that came from ${VAR} is written as its reference, a key as its
 * file or variable name, so the dump can be shared without secrets.
 */
#include <string.h>

#include "config_int.h"
#include "veil/tokens.h"
#include "veil/settings.h"

#define NB ((size_t)veil_catalog_count())

static void q(FILE *o, const veil_config_t *c, const char *s)
{
    const char *ref = veil__secret_ref(c, s);
    if (ref) {
        s = ref;
    }
    fputc('"', o);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            fprintf(o, "\\%c", ch);
        } else if (ch < 0x20 || ch == 0x7f) {
            fprintf(o, "\\x%02x", ch);
        } else {
            fputc(ch, o);
        }
    }
    fputc('"', o);
}

/* The scalar settings of <sec> at <base>, from the settings table; string
   values quoted (a ${VAR} one as its reference). */
static void settings(FILE *o, const veil_config_t *c, veil_setting_section_t sec, const void *base,
                     const char *indent)
{
    for (size_t i = 0; i < veil_settings_count(); i++) {
        const veil_setting_t *st = veil_setting_at(i);
        char buf[64];

        if (st->section != sec || st->type == VEIL_SET_URL) {
            continue;
        }
        fprintf(o, "%s%s: ", indent, st->name);
        if (st->type == VEIL_SET_STRING || st->type == VEIL_SET_ADDRESS) {
            const char *v;
            memcpy(&v, (const char *)base + st->offset, sizeof(v));
            q(o, c, v ? v : "");
        } else {
            fputs(veil_setting_format(st, (const char *)base + st->offset, buf, sizeof(buf)), o);
        }
        fputc('\n', o);
    }
}

static const char *gid(const veil_config_t *c, size_t g)
{
    return g < NB ? veil_catalog_get(g)->id : c->custom[g - NB].det.id;
}

static int genabled(const veil_config_t *c, size_t g)
{
    return g < NB ? c->builtin_enabled[g] : c->custom[g - NB].enabled;
}

/* A set over the global detector space: [all] or the ids. */
static void idset(FILE *o, const veil_config_t *c, const uint8_t *set, int and_global)
{
    size_t ng = NB + c->ncustom, all = 1;
    for (size_t g = 0; g < ng; g++) {
        int on = set[g] && (!and_global || genabled(c, g));
        all &= on || (and_global && !genabled(c, g));
    }
    if (all) {
        fprintf(o, "[all]\n");
        return;
    }
    fputc('[', o);
    for (size_t g = 0, k = 0; g < ng; g++) {
        if (set[g] && (!and_global || genabled(c, g))) {
            fprintf(o, "%s%s", k++ ? ", " : "", gid(c, g));
        }
    }
    fprintf(o, "]\n");
}

static void dump_dir(FILE *o, const veil_config_t *c, const veil_policy_dir_t *pd,
                     const veil__dir_src_t *src, const char *name)
{
    static const char *const conf[] = {"", "low", "medium", "high"};
    static const char *const where[] = {"json", "key", "form", "header", "query"};
    size_t ng = NB + c->ncustom;

    fprintf(o, "    %s:\n", name);
    static const char *const modes[] = {"observe", "block", "redact", "tokenize"};
    fprintf(o, "      mode: %s\n", modes[pd->mode]);
    fprintf(o, "      detectors: ");
    idset(o, c, src->enabled, 1);
    fprintf(o, "      min_confidence: %s\n", conf[pd->min_confidence & 3]);
    /* The action most detectors have is written as the default, the
       others as exceptions (a tie goes to mask, the schema's default). */
    unsigned votes[8] = {0};
    uint8_t dflt = VEIL_ACT_MASK;
    for (size_t g = 0; g < ng; g++) {
        if (src->enabled[g] && genabled(c, g) && src->actions[g] < 8) {
            votes[src->actions[g]]++;
        }
    }
    for (uint8_t a = 0; a < 8; a++) {
        if (votes[a] > votes[dflt]) {
            dflt = a;
        }
    }
    fprintf(o, "      actions:\n        default: %s\n", veil_action_name((veil_action_t)dflt));
    for (size_t g = 0; g < ng; g++) {
        if (src->enabled[g] && genabled(c, g) && src->formats[g] == VEIL_TOKEN_FPE) {
            fprintf(o, "        %s: {action: tokenize, format: fpe}\n", gid(c, g));
        } else if (src->enabled[g] && genabled(c, g) && src->actions[g] != dflt) {
            fprintf(o, "        %s: %s\n", gid(c, g),
                    veil_action_name((veil_action_t)src->actions[g]));
        }
    }
    if (pd->mode == VEIL_MODE_BLOCK) {
        fprintf(o, "      block: ");
        idset(o, c, src->blocks, 1);
        fprintf(o, "      block_status: %u\n", pd->block_status);
    }
    if (pd->nfields) {
        fprintf(o, "      fields:\n");
        for (size_t i = 0; i < pd->nfields; i++) {
            fprintf(o, "        - %s: ", where[pd->fields[i].where]);
            q(o, c, pd->fields[i].name);
            fprintf(o, "\n          action: %s\n",
                    pd->fields[i].keep ? "keep" : veil_action_name(pd->fields[i].action));
        }
    }
    if (pd->body_log == VEIL_BODY_LOG_ALLOWLIST) {
        fprintf(o, "      body_log:\n        allow: [");
        for (size_t i = 0; i < pd->nbody_fields; i++) {
            fprintf(o, "%s", i ? ", " : "");
            q(o, c, pd->body_fields[i]);
        }
        fprintf(o, "]\n");
    } else {
        fprintf(o, "      body_log: %s\n",
                pd->body_log == VEIL_BODY_LOG_NONE ? "none" : "redacted");
    }
    fprintf(o, "      uninspectable: %s\n", pd->uninspectable_block ? "block" : "pass");
    if (pd->key) {
        fprintf(o, "      hash_key: ");
        q(o, c, pd->key->id);
        fputc('\n', o);
    }
    if (src->token_key_id) {
        fprintf(o, "      token_key: ");
        q(o, c, src->token_key_id);
        fputc('\n', o);
    }
}

/* A listener's tls: every key, defaults included. */
static void listener_tls(FILE *o, const veil_config_t *c, const veil_listener_tls_t *lt)
{
    static const char *const auth[] = {"none", "optional", "required"};

    fprintf(o, "    tls:\n      certificates:\n");
    for (size_t i = 0; i < lt->ncertificates; i++) {
        const veil_tls_certificate_t *tc = &lt->certificates[i];
        fprintf(o, "        - cert_file: ");
        q(o, c, tc->cert_file);
        fprintf(o, "\n          key_file: ");
        q(o, c, tc->key_file);
        fputc('\n', o);
        if (tc->ocsp_file != NULL) {
            fprintf(o, "          ocsp_file: ");
            q(o, c, tc->ocsp_file);
            fputc('\n', o);
        }
    }
    fprintf(o, "      min_version: \"1.%d\"\n      client_auth: %s\n", lt->min_version - 10,
            auth[lt->client_auth]);
    if (lt->client_ca_file != NULL) {
        fprintf(o, "      client_ca_file: ");
        q(o, c, lt->client_ca_file);
        fputc('\n', o);
    }
    if (lt->nclient_sans > 0) {
        fprintf(o, "      client_sans: [");
        for (size_t i = 0; i < lt->nclient_sans; i++) {
            fprintf(o, "%s", i ? ", " : "");
            q(o, c, lt->client_sans[i]);
        }
        fprintf(o, "]\n");
    }
}

void veil_config_dump(const veil_config_t *c, FILE *o)
{
    static const char *const conf[] = {"", "low", "medium", "high"};

    fprintf(o, "# effective configuration of ");
    q(o, c, c->source);
    fprintf(o, " (secrets removed)\nversion: 1\n\nlisteners:\n");
    for (size_t i = 0; i < c->nlisteners; i++) {
        const veil_listener_t *l = &c->listeners[i];
        fprintf(o, "  - name: ");
        q(o, c, l->name);
        fprintf(
            o, strchr(l->host, ':') ? "\n    address: \"[%s]:%d\"\n" : "\n    address: \"%s:%d\"\n",
            l->host, l->port);
        if (l->tls != NULL) {
            listener_tls(o, c, l->tls);
        }
    }
    fprintf(o, "\nupstreams:\n");
    for (size_t i = 0; i < c->nupstreams; i++) {
        const veil_upstream_t *u = &c->upstreams[i];
        fprintf(o, "  - name: ");
        q(o, c, u->name);
        fprintf(o, "\n    url: ");
        q(o, c, u->url);
        fputc('\n', o);
        settings(o, c, VEIL_SEC_UPSTREAM, u, "    ");
        if (u->tls) {
            fprintf(o, "    tls:\n      verify: %s\n", u->tls_verify ? "true" : "false");
            if (u->tls_ca_file != NULL) {
                fprintf(o, "      ca_file: ");
                q(o, c, u->tls_ca_file);
                fprintf(o, "\n");
            }
            if (u->tls_server_name != NULL) {
                fprintf(o, "      server_name: ");
                q(o, c, u->tls_server_name);
                fprintf(o, "\n");
            }
            if (u->tls_cert_file != NULL) {
                fprintf(o, "      cert_file: ");
                q(o, c, u->tls_cert_file);
                fprintf(o, "\n      key_file: ");
                q(o, c, u->tls_key_file);
                fprintf(o, "\n");
            }
        }
    }
    fprintf(o, "\nserver:\n");
    settings(o, c, VEIL_SEC_SERVER, &c->server, "  ");
    fprintf(o, "\naccess_log:\n");
    settings(o, c, VEIL_SEC_ACCESS_LOG, &c->access_log, "  ");
    fprintf(o, "\nadmin:\n");
    settings(o, c, VEIL_SEC_ADMIN, &c->admin, "  ");
    if (c->detokenize != NULL) {
        /* The callers' token files by name, never their tokens. */
        const veil_detokenize_settings_t *d = c->detokenize;
        fprintf(o, "\ndetokenize:\n");
        if (d->listen) {
            fprintf(o, "  listen: ");
            q(o, c, d->listen);
            fputc('\n', o);
        }
        if (d->socket) {
            fprintf(o, "  socket: ");
            q(o, c, d->socket);
            fputc('\n', o);
        }
        fprintf(o, "  policy: ");
        q(o, c, d->policy);
        fprintf(o, "\n  max_body_size: %zu\n  audit: %s\n  callers:\n", d->max_body_size,
                d->audit_stderr ? "stderr" : "access_log");
        for (size_t i = 0; i < d->ncallers; i++) {
            const veil_detokenize_caller_t *dc = &d->callers[i];
            fprintf(o, "    - name: ");
            q(o, c, dc->name);
            fprintf(o, "\n      token_file: ");
            q(o, c, dc->token_file);
            fprintf(o, "\n      types: [");
            for (size_t k = 0; k < dc->ntypes; k++) {
                fprintf(o, "%s%s", k ? ", " : "", dc->types[k]);
            }
            /* As the file can give it again: per second, minute or hour. */
            double per_m = dc->rate * 60.0, per_h = dc->rate * 3600.0;
            if (dc->rate >= 1.0 && (double)(long)(dc->rate + 0.5) == dc->rate) {
                fprintf(o, "]\n      rate: %ld/s", (long)(dc->rate + 0.5));
            } else if (per_m >= 1.0 && (long)(per_m + 0.5) - per_m < 1e-6 &&
                       per_m - (long)(per_m + 0.5) < 1e-6) {
                fprintf(o, "]\n      rate: %ld/m", (long)(per_m + 0.5));
            } else {
                fprintf(o, "]\n      rate: %ld/h", (long)(per_h + 0.5));
            }
            fprintf(o, "\n      burst: %u\n", dc->burst);
        }
    }

    if (c->nkeys) {
        fprintf(o, "\nkeys:\n");
        for (size_t i = 0; i < c->nkeys; i++) {
            const veil__key_def_t *k = &c->keys[i];
            fprintf(o, "  %s:\n", k->id);
            if (k->file || k->env) {
                fprintf(o, "    %s: ", k->file ? "file" : "env");
                q(o, c, k->file ? k->file : k->env);
                fputc('\n', o);
            }
            if (k->slot) {
                fprintf(o, "    slot: %d\n    state: %s\n", k->slot,
                        veil_key_state_name((veil_key_state_t)k->state));
            }
        }
    }

    fprintf(o, "\ndetectors:\n  enable: ");
    {
        uint8_t all[512];
        size_t ng = NB + c->ncustom;
        for (size_t g = 0; g < ng && g < sizeof(all); g++) {
            all[g] = (uint8_t)genabled(c, g);
        }
        idset(o, c, all, 0);
    }
    if (c->ncustom) {
        fprintf(o, "  custom:\n");
        for (size_t k = 0; k < c->ncustom; k++) {
            const veil_custom_detector_t *d = &c->custom[k].det;
            char regs[64];
            fprintf(o, "    - id: %s\n      category: %s\n", d->id,
                    veil_category_name(d->category));
            if (d->regulations) {
                fprintf(o, "      regulations: [%s]\n",
                        veil_regulations_format(d->regulations, regs, sizeof(regs)));
            }
            fprintf(o, "      pattern: ");
            q(o, c, d->pattern);
            fputc('\n', o);
            if (d->validator) {
                fprintf(o, "      validator: %s\n", d->validator);
            }
            if (d->context) {
                fprintf(o, "      context: [");
                for (const char *w = d->context; *w;) {
                    size_t n = strcspn(w, ",");
                    fprintf(o, "%s\"%.*s\"", w == d->context ? "" : ", ", (int)n, w);
                    w += n + (w[n] == ',');
                }
                fprintf(o, "]\n");
            }
            fprintf(o, "      context_required: %s\n      confidence: %s\n",
                    d->context_required ? "true" : "false", conf[d->confidence & 3]);
        }
    }
    if (c->nallow_values || c->nallow_patterns) {
        fprintf(o, "\nallowlists:\n  values: [");
        for (size_t i = 0; i < c->nallow_values; i++) {
            fprintf(o, "%s", i ? ", " : "");
            q(o, c, c->allow_values[i]);
        }
        fprintf(o, "]\n  patterns: [");
        for (size_t i = 0; i < c->nallow_patterns; i++) {
            fprintf(o, "%s", i ? ", " : "");
            q(o, c, c->allow_patterns[i]);
        }
        fprintf(o, "]\n");
    }

    fprintf(o, "\nroutes:%s\n", c->nroutes ? "" : " []");
    for (size_t i = 0; i < c->nroutes; i++) {
        const veil_route_t *r = &c->routes[i];
        fprintf(o, "  - name: ");
        q(o, c, r->name);
        fprintf(o, "\n    match:%s\n",
                r->host || r->path_prefix || r->path_regex || r->nmethods || r->content_type ||
                        r->nlisteners || r->nclient_sans || r->client_subject
                    ? ""
                    : " {}");
        const char *const names[] = {"host", "path_prefix", "path_regex", "content_type",
                                     "client_subject"};
        const char *const vals[] = {r->host, r->path_prefix, r->path_regex, r->content_type,
                                    r->client_subject};
        for (int k = 0; k < 5; k++) {
            if (vals[k]) {
                fprintf(o, "      %s: ", names[k]);
                q(o, c, vals[k]);
                fputc('\n', o);
            }
        }
        if (r->nmethods) {
            fprintf(o, "      methods: [");
            for (size_t k = 0; k < r->nmethods; k++) {
                fprintf(o, "%s%s", k ? ", " : "", r->methods[k]);
            }
            fprintf(o, "]\n");
        }
        if (r->nlisteners) {
            fprintf(o, "      listener: [");
            for (size_t k = 0; k < r->nlisteners; k++) {
                fprintf(o, "%s", k ? ", " : "");
                q(o, c, r->listeners[k]);
            }
            fprintf(o, "]\n");
        }
        if (r->nclient_sans) {
            fprintf(o, "      client_sans: [");
            for (size_t k = 0; k < r->nclient_sans; k++) {
                fprintf(o, "%s", k ? ", " : "");
                q(o, c, r->client_sans[k]);
            }
            fprintf(o, "]\n");
        }
        fprintf(o, "    upstream: ");
        q(o, c, r->upstream->name);
        fprintf(o, "\n    policy: ");
        q(o, c, r->policy->name);
        fputc('\n', o);
        if (r->purpose) {
            fprintf(o, "    purpose: ");
            q(o, c, r->purpose);
            fputc('\n', o);
        }
        if (r->detokenize) {
            unsigned both = (1u << VEIL_DIR_REQUEST) | (1u << VEIL_DIR_RESPONSE);
            fprintf(o, "    detokenize:\n      direction: %s\n",
                    r->detokenize == both                     ? "both"
                    : r->detokenize == 1u << VEIL_DIR_REQUEST ? "request"
                                                              : "response");
            if (r->ndetokenize_types) {
                fprintf(o, "      types: [");
                for (size_t k = 0; k < r->ndetokenize_types; k++) {
                    fprintf(o, "%s%s", k ? ", " : "", r->detokenize_types[k]);
                }
                fprintf(o, "]\n");
            }
        }
    }

    fprintf(o, "\npolicies:\n");
    for (size_t i = 0; i < c->npolicies; i++) {
        const veil_policy_t *p = &c->policies[i];
        fprintf(o, "  ");
        q(o, c, p->name);
        fprintf(o, ":\n");
        dump_dir(o, c, &p->dir[VEIL_DIR_REQUEST], &c->policy_src[i][VEIL_DIR_REQUEST], "request");
        dump_dir(o, c, &p->dir[VEIL_DIR_RESPONSE], &c->policy_src[i][VEIL_DIR_RESPONSE],
                 "response");
        if (p->on_gpc || p->on_dnt) {
            fprintf(o, "    consent:\n");
            if (p->on_gpc) {
                fprintf(o, "      on_gpc: ");
                q(o, c, p->on_gpc->name);
                fputc('\n', o);
            }
            if (p->on_dnt) {
                fprintf(o, "      on_dnt: ");
                q(o, c, p->on_dnt->name);
                fputc('\n', o);
            }
        }
    }
    if (c->ntests) {
        fprintf(o, "\n# tests: %zu case(s), run them with veil test\n", c->ntests);
    }
}
