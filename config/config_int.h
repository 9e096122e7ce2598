/*
 * Internals of veil_config, shared by its files: the YAML node tree with
 * positions, the arena every config string lives in, diagnostics, and the
 * config struct itself.
 */
#ifndef VEIL_CONFIG_INT_H
#define VEIL_CONFIG_INT_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>

#include "veil/config.h"

/* ---- arena: everything of one config, freed (and wiped) at once ---- */
typedef struct veil__arena_block veil__arena_block_t;
typedef struct {
    veil__arena_block_t *head;
} veil__arena_t;

void *veil__arena_alloc(veil__arena_t *a, size_t size); /* zeroed */
char *veil__arena_strndup(veil__arena_t *a, const char *s, size_t len);
void veil__arena_free(veil__arena_t *a);

/* ---- the YAML tree ---- */
typedef enum {
    VEIL__N_SCALAR,
    VEIL__N_MAP,
    VEIL__N_SEQ
} veil__node_kind_t;

typedef struct veil__node veil__node_t;
struct veil__node {
    veil__node_kind_t kind;
    unsigned line, col; /* 1-based */
    /* Scalars: the value after ${VAR} substitution. */
    char *str;
    size_t len;
    int plain;     /* unquoted: may be null/true/false */
    char *env_ref; /* the original text when ${VAR} was used */
    /* Maps: keys[i] -> items[i]; sequences: items[i]. */
    veil__node_t **keys;
    veil__node_t **items;
    size_t count;
};

/* ---- diagnostics ---- */
typedef struct veil__diag_msg veil__diag_msg_t;
typedef struct {
    const char *file;
    veil_diag_cb cb;
    void *ud;
    unsigned errors, warnings;
    /* Kept until veil__diag_flush() so they come out in file order, not
       in the order the sections are checked. */
    veil__diag_msg_t *msgs;
    size_t nmsgs, capmsgs;
    /* Values that came from ${VAR} are masked in messages. */
    const struct veil_config *cfg;
} veil__diag_t;

void veil__diag_flush(veil__diag_t *d);

void veil__diag(veil__diag_t *d, veil_diag_level_t level, unsigned line, unsigned col,
                const char *key, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
#define veil__err_at(d, node, key, ...) \
    veil__diag((d), VEIL_DIAG_ERROR, (node)->line, (node)->col, (key), __VA_ARGS__)

/* veil__yaml_parse(): <text> into a tree in <a>; NULL after an error. */
veil__node_t *veil__yaml_parse(veil__arena_t *a, const char *text, size_t len, veil__diag_t *d);
const veil__node_t *veil__map_get(const veil__node_t *map, const char *key);

/* veil__suggest(): the candidate closest to <word> by Levenshtein
   distance when close enough to be a typo, else NULL. */
const char *veil__suggest(const char *word, const char *const *candidates, size_t n);
size_t veil__levenshtein(const char *a, const char *b);

/* ---- the config ---- */
typedef struct veil__test_expect_finding {
    const char *detector;
    unsigned count;
} veil__test_expect_finding_t;

typedef struct veil__test_case {
    const char *name;
    unsigned line;
    const veil_policy_t *policy; /* resolved: policy, route or request */
    const char *via;             /* "policy NAME" / "route NAME" */
    veil_direction_t direction;
    veil_body_type_t type; /* format, and a multipart boundary */
    const char *body;
    size_t body_len;
    int gpc, dnt;
    const char *expect_output; /* NULL: not checked */
    size_t expect_output_len;
    veil__test_expect_finding_t *findings;
    size_t nfindings;
    int check_findings;
    int expect_blocked; /* -1: not checked */
    /* The listener its request came on, and why that listener's TLS
       handshake refuses it (NULL: it does not; then policy is set). */
    const char *listener;
    const char *refused;
    int expect_refused; /* expect.handshake: -1 not checked, 0 ok, 1 refused */
} veil__test_case_t;

/* A string that came from the environment, for the dump. */
typedef struct veil__secret_ref {
    const char *value;
    const char *ref;
} veil__secret_ref_t;

typedef struct veil__key_def {
    const char *id;
    const char *file, *env;
    int slot;  /* 1-9: a token key slot; 0: hash only */
    int state; /* veil_key_state_t of a slot */
    veil_hash_key_t *key;
    const veil__node_t *at;
} veil__key_def_t;

typedef struct veil__custom_def {
    veil_custom_detector_t det;
    int enabled; /* detectors.enable/disable */
    const veil__node_t *pattern_at;
} veil__custom_def_t;

/* A policy direction as the file gives it, over the "global" detector
   space: the built-in catalog, then every custom detector. */
typedef struct veil__dir_src {
    uint8_t *enabled;
    uint8_t *blocks;
    uint8_t *actions;
    uint8_t *formats; /* veil_token_format_t per detector */
    const char *key_id;
    const char *token_key_id; /* token_key: NULL for the active slot */
    const veil__node_t *at;   /* for errors found while compiling */
} veil__dir_src_t;

struct veil_config {
    atomic_int refs;
    veil__arena_t arena;
    const char *source;

    veil_listener_t *listeners;
    size_t nlisteners;
    veil_upstream_t *upstreams;
    size_t nupstreams;
    veil_route_t *routes;
    size_t nroutes;
    veil_route_t default_route;
    veil_policy_t *policies;
    size_t npolicies;
    veil__dir_src_t (*policy_src)[VEIL_DIR__COUNT];
    veil_server_settings_t server;
    veil_access_log_settings_t access_log;
    veil_admin_settings_t admin;
    veil_detokenize_settings_t *detokenize; /* NULL: no detokenize: section */
    /* Command-line overrides, applied after the file (the caller's
       array; only read while loading). */
    const struct veil_setting_override *overrides;
    size_t noverrides;

    /* Detectors. */
    uint8_t builtin_enabled[VEIL_CATALOG_MAX];
    veil__custom_def_t *custom;
    size_t ncustom;
    const char *const *allow_values;
    size_t nallow_values;
    const char *const *allow_patterns;
    size_t nallow_patterns;
    veil__key_def_t *keys;
    size_t nkeys;
    struct veil_token_ring *token_ring; /* the key slots, or NULL; owned */

    veil_engine_t **engines; /* distinct engines, owned */
    uint8_t **engine_sigs;   /* what each was built from */
    size_t nengines;

    veil__test_case_t *tests;
    size_t ntests;

    veil__secret_ref_t *secrets;
    size_t nsecrets, capsecrets;

    /* Compiled field-rule patterns, freed with the config. */
    struct veil__re_list {
        void *re;
        struct veil__re_list *next;
    } * res;
};

/* engine_cache.c: an engine compiled from <o>, shared with every config
   that asks for the same one (a reference taken), or NULL with <err>;
   veil__engine_put() gives the reference back. */
veil_engine_t *veil__engine_get(const veil_engine_options_t *o, char *err, size_t errlen);
void veil__engine_put(veil_engine_t *e);

/* schema.c: the tree into <cfg> (<flags>: VEIL_CONFIG_*); compile.c:
   engines, keys, regexes. */
int veil__schema_load(veil_config_t *cfg, const veil__node_t *root, unsigned flags,
                      veil__diag_t *d);
int veil__compile(veil_config_t *cfg, unsigned flags, veil__diag_t *d);
void veil__compiled_free(veil_config_t *cfg);
const char *veil__secret_ref(const veil_config_t *cfg, const char *value);
void veil__route_init_default(veil_config_t *cfg);
void veil__route_free_re(veil_route_t *route);

/* client_cert.c, for veil test. veil__client_cert_read(): the PEM
   certificates of <path>, the leaf and the chain after it (the caller
   frees both: X509_free, sk_X509_pop_free); 0, or -1 with the reason in
   <err>. veil__client_cert_verify(): whether a listener whose
   client_ca_file is <ca_file> verifies that chain in its handshake: 1
   yes, 0 no (OpenSSL's reason in <why>), -1 the CA file does not load
   (the reason in <why>). */
struct x509_st;
struct stack_st_X509;
int veil__client_cert_read(const char *path, struct x509_st **leaf, struct stack_st_X509 **chain,
                           char *err, size_t len);
int veil__client_cert_verify(const char *ca_file, struct x509_st *leaf, struct stack_st_X509 *chain,
                             char *why, size_t len);

#endif
