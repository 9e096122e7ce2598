/*
 * Shared by the schema_*.c files: the walk's state, key paths, typed
 * getters and detector selectors. Each getter returns 0 when the key is
 * absent (the output untouched) or valid, -1 after reporting an error.
 */
#ifndef VEIL_CONFIG_SCHEMA_H
#define VEIL_CONFIG_SCHEMA_H

#include "config_int.h"

#define NB ((size_t)veil_catalog_count())
#define PATH 256
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Key paths are cut at PATH bytes in messages; that is intended. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

typedef struct {
    veil_config_t *cfg;
    veil__diag_t *d;
    size_t ng;      /* global detector space: built-ins + custom */
    unsigned flags; /* VEIL_CONFIG_* */
    /* veil test: a listener whose client_ca_file could not be read, told
       once (schema_test_client.c), not at every case that needs it */
    const void *bad_ca_listener;
} veil__schema_t;

extern const char *const veil__sc_regulation_names[5];
extern const char *const veil__sc_confidence_names[3];
extern const char *const veil__sc_action_names[6];

/* Selector kinds, from the most to the least specific. */
enum {
    SEL_ID,
    SEL_CATEGORY,
    SEL_REGULATION,
    SEL_ALL,
    SEL_BAD
};

void veil__sc_join(char *out, const char *path, const char *key);
void veil__sc_join_index(char *out, const char *path, size_t i);
/* A copy in the config's arena; remembers ${VAR} origins for the dump. */
const char *veil__sc_save_str(veil__schema_t *s, const veil__node_t *n);
int veil__sc_check_keys(veil__schema_t *s, const veil__node_t *map, const char *path,
                        const char *const *allowed, size_t n);
int veil__sc_want_kind(veil__schema_t *s, const veil__node_t *n, veil__node_kind_t kind,
                       const char *path);
/* A key's value (NULL when absent) and its path in <out>. */
const veil__node_t *veil__sc_field(const veil__node_t *map, const char *key, const char *path,
                                   char *out);
int veil__sc_get_str(veil__schema_t *s, const veil__node_t *map, const char *key, const char *path,
                     const char **out);
int veil__sc_get_enum(veil__schema_t *s, const veil__node_t *map, const char *key, const char *path,
                      const char *const *names, size_t n, int *out);
int veil__sc_get_bool(veil__schema_t *s, const veil__node_t *map, const char *key, const char *path,
                      int *out);
/* <kind>: 0 a count, 1 a size (64k), 2 a duration in ms (5s). */
int veil__sc_get_number(veil__schema_t *s, const veil__node_t *map, const char *key,
                        const char *path, int kind, uint64_t min, uint64_t max, uint64_t *out);
int veil__sc_get_list(veil__schema_t *s, const veil__node_t *map, const char *key, const char *path,
                      const char *const **out, size_t *count, const veil__node_t ***nodes);
const char *veil__sc_global_id(veil__schema_t *s, size_t g);
int veil__sc_category_parse(const char *name);
int veil__sc_regulation_parse(const char *name);
/* Marks in <mask> (when not NULL) what <name> selects; returns SEL_*. */
int veil__sc_sel_match(veil__schema_t *s, const char *name, uint8_t *mask, uint8_t value);
void veil__sc_sel_error(veil__schema_t *s, const veil__node_t *at, const char *path,
                        const char *name);
int veil__sc_apply_selectors(veil__schema_t *s, const veil__node_t *map, const char *key,
                             const char *path, uint8_t *mask, uint8_t value, int *given);
int veil__sc_compile_check(veil__schema_t *s, const veil__node_t *at, const char *path,
                           const char *re);
/* The same, keeping the JIT-compiled pattern with the config in *out. */
int veil__sc_compile_keep(veil__schema_t *s, const veil__node_t *at, const char *path,
                          const char *re, const void **out);
int veil__sc_parse_action(veil__schema_t *s, const veil__node_t *n, const char *path, uint8_t *out);
const veil_policy_t *veil__sc_find_policy(veil__schema_t *s, const veil__node_t *at,
                                          const char *path, const char *name);

/* Whether the file gives token key slots (keys: with slot:). */
int veil__sc_has_token_slots(const veil_config_t *c);
/* Whether <type> may name the type of a token: a detector id of this file
   (built-in or custom) or "field" (the values of field rules). */
int veil__sc_token_type_known(veil__schema_t *s, const char *type);

/* The sections, in the order veil__schema_load() walks them. */
int veil__sc_parse_keys(veil__schema_t *s, const veil__node_t *root);
int veil__sc_parse_detectors(veil__schema_t *s, const veil__node_t *root);
int veil__sc_parse_allowlists(veil__schema_t *s, const veil__node_t *root);
int veil__sc_parse_upstreams(veil__schema_t *s, const veil__node_t *root);
int veil__sc_parse_listeners(veil__schema_t *s, const veil__node_t *root);
/* The command-line overrides (cfg->overrides), after the sections. */
int veil__sc_apply_overrides(veil__schema_t *s);
int veil__sc_parse_server(veil__schema_t *s, const veil__node_t *root);
int veil__sc_parse_policies(veil__schema_t *s, const veil__node_t *root);
int veil__sc_parse_routes(veil__schema_t *s, const veil__node_t *root);
/* detokenize: (after policies: it names one). */
int veil__sc_parse_detokenize(veil__schema_t *s, const veil__node_t *root);
int veil__sc_parse_tests(veil__schema_t *s, const veil__node_t *root);
/*
 * schema_test_client.c: the client certificate of a case's request <rq>
 * (at <rp>; NULL: none) on listener <l>, into <cc> (zeroed first), and
 * whether <l>'s handshake refuses it: *refused is then the reason, in the
 * config's arena. 0, or -1 after an error.
 */
struct veil_client_cert;
int veil__sc_test_client(veil__schema_t *s, const veil__node_t *rq, const char *rp,
                         const veil_listener_t *l, struct veil_client_cert *cc,
                         const char **refused);

#endif
