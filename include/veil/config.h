/*
 * The configuration: one YAML file (or the embedded default) loaded into an
 * immutable, reference-counted tree of listeners, upstreams, routes and
 * policies, with every pattern already compiled into detection engines.
 *
 * Loading reports each problem as "file:line:column: key: reason" through
 * a callback, never a configured secret. A config that loaded is valid:
 * the proxy only looks things up in it. To reload, load the new file off
 * the request path and swap it into a veil_config_holder_t; requests that
 * hold the old config keep it until they release it.
 */
#ifndef VEIL_CONFIG_H
#define VEIL_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "veil/scan.h"
#include "veil/transform.h"

typedef enum veil_direction {
    VEIL_DIR_REQUEST,
    VEIL_DIR_RESPONSE,
    VEIL_DIR__COUNT
} veil_direction_t;

/* What a policy does with the bytes in transit (the schema's `mode`, in
   this order). */
typedef enum veil_mode {
    VEIL_MODE_OBSERVE,  /* forward unchanged, log redacted */
    VEIL_MODE_BLOCK,    /* refuse when a blocking detector finds something */
    VEIL_MODE_REDACT,   /* forward the body with findings transformed by
                           the policy's actions */
    VEIL_MODE_TOKENIZE, /* forward the body with each finding replaced by
                           its keyed token (the hash action) */
} veil_mode_t;

typedef enum veil_body_log {
    VEIL_BODY_LOG_NONE,
    VEIL_BODY_LOG_REDACTED,
    VEIL_BODY_LOG_ALLOWLIST, /* only the listed fields, redacted */
} veil_body_log_t;

/* Where a field rule looks. */
typedef enum veil_field_where {
    VEIL_FIELD_JSON,   /* a JSON path: $.user.card, $.items[*].iban */
    VEIL_FIELD_KEY,    /* a PCRE2 pattern on JSON keys and form field names */
    VEIL_FIELD_FORM,   /* a form field name */
    VEIL_FIELD_HEADER, /* a header name, case-insensitive */
    VEIL_FIELD_QUERY,  /* a query parameter name */
} veil_field_where_t;

typedef struct veil_field_rule {
    veil_field_where_t where;
    const char *name; /* the path, pattern or name */
    veil_action_t action;
    const void *re; /* VEIL_FIELD_KEY: the compiled pattern */
    int keep;       /* VEIL_FIELD_HEADER only, action keep: the
                                value is logged as the engine redacts it
                                even when it looks like a credential
                                (veil_value_looks_secret); <action> unused */
} veil_field_rule_t;

/* One direction of a policy, compiled. */
typedef struct veil_policy_dir {
    veil_mode_t mode;
    const veil_engine_t *engine; /* shared with identical directions */
    /* Per engine detector (veil_engine_detector_count() entries): the
       action for the log, and whether a finding blocks (mode block). */
    const uint8_t *actions;
    const uint8_t *blocks;
    veil_confidence_t min_confidence;
    const veil_field_rule_t *fields;
    size_t nfields;
    veil_body_log_t body_log;
    const char *const *body_fields; /* VEIL_BODY_LOG_ALLOWLIST */
    size_t nbody_fields;
    int uninspectable_block;    /* a body veil cannot inspect is refused */
    unsigned block_status;      /* HTTP status of a refusal (403) */
    const veil_hash_key_t *key; /* for VEIL_ACT_HASH, or NULL */
    /* For VEIL_ACT_TOKENIZE (veil/tokens.h): the config's key slots, the
       key tokens are made with, and per engine detector tagged or fpe;
       NULL when the config has no key slot. */
    const struct veil_tokens *tokens;
} veil_policy_dir_t;

typedef struct veil_policy {
    const char *name;
    veil_policy_dir_t dir[VEIL_DIR__COUNT];
    /* Consent: requests with Sec-GPC: 1 / DNT: 1 use these instead. */
    const struct veil_policy *on_gpc, *on_dnt;
} veil_policy_t;

typedef struct veil_upstream {
    const char *name;
    const char *url;
    const char *host;
    int port;
    int tls; /* https:// */
    /* tls: (https only). verify 0 turns peer verification off (unsafe:
       anyone on the path can read and change the traffic); ca_file
       replaces the system CA store; server_name replaces the URL's host
       for SNI and the certificate check. NULL: not given. */
    int tls_verify;
    const char *tls_ca_file;
    const char *tls_server_name;
    /* mTLS: the client certificate chain and its key (PEM) presented to
       the upstream; NULL: none. */
    const char *tls_cert_file;
    const char *tls_key_file;
    uint64_t connect_timeout_ms;
    uint64_t response_timeout_ms;
    uint64_t idle_timeout_ms;     /* pooled idle connections */
    unsigned pool_size;           /* idle connections kept per worker */
    uint64_t resolve_interval_ms; /* re-resolve a host name; 0: at start only */
} veil_upstream_t;

/* One certificate of a TLS listener: a PEM chain (leaf first), its key,
   and optionally a DER OCSP response stapled to handshakes. */
typedef struct veil_tls_certificate {
    const char *cert_file;
    const char *key_file;
    const char *ocsp_file; /* NULL: no stapling */
} veil_tls_certificate_t;

/* listeners[].tls.client_auth */
typedef enum veil_client_auth {
    VEIL_CLIENT_AUTH_NONE,     /* no certificate asked for */
    VEIL_CLIENT_AUTH_OPTIONAL, /* asked for; one given must verify */
    VEIL_CLIENT_AUTH_REQUIRED, /* a verified certificate or no handshake */
} veil_client_auth_t;

/*
 * listeners[].tls: TLS termination. The first certificate is presented
 * when the client's SNI matches none of the certificates (by their SAN
 * DNS names, wildcards included); TLS 1.2 or 1.3 at least; ALPN offers
 * http/1.1 only; session tickets under a key rotated by veil. With
 * client_auth, client certificates are verified against client_ca_file
 * and, when client_sans is not empty, must carry one of those subject
 * alternative names (DNS, email, URI or IP).
 */
typedef struct veil_listener_tls {
    const veil_tls_certificate_t *certificates;
    size_t ncertificates; /* at least 1 */
    int min_version;      /* 12 (TLS 1.2, the default) or 13 */
    veil_client_auth_t client_auth;
    const char *client_ca_file; /* required with client_auth */
    const char *const *client_sans;
    size_t nclient_sans;
} veil_listener_tls_t;

typedef struct veil_listener {
    const char *name;
    const char *host;
    int port;
    const veil_listener_tls_t *tls; /* NULL: plain TCP */
} veil_listener_t;

typedef struct veil_route {
    const char *name;
    /* Match (NULL / 0: any). All given conditions must hold. */
    const char *host; /* exact, or *.example.com; port ignored */
    const char *path_prefix;
    const char *path_regex;
    const char *const *methods;
    size_t nmethods;
    const char *content_type; /* media type, or type/ * ; parameters ignored */
    /* Who the client is: a certificate verified by a TLS listener with
       client_auth carrying one of these subject alternative names (exact;
       DNS names case-insensitively), and/or with this subject DN (RFC
       2253, exact, as the access log's tls.client.subject). A request
       without a verified certificate never matches a route that has
       either. */
    const char *const *client_sans;
    size_t nclient_sans;
    const char *client_subject;
    /* Then. */
    const veil_upstream_t *upstream;
    const veil_policy_t *policy;
    const char *purpose; /* logged with each exchange */
    const void *re;      /* the compiled path_regex */
    /* match.listener: the names of the listeners it serves (NULL / 0:
       any). */
    const char *const *listeners;
    size_t nlisteners;
    /* detokenize: tokens turned back into their values in transit
       (docs/tokens.md), on the directions of this bit set (1u <<
       VEIL_DIR_REQUEST, 1u << VEIL_DIR_RESPONSE); 0: never. Only the
       types listed (detector ids) when <ndetokenize_types> > 0. The
       loader allows it only where every listener the route serves is on
       loopback or requires client certificates. */
    unsigned detokenize;
    const char *const *detokenize_types;
    size_t ndetokenize_types;
} veil_route_t;

/* The scalar sections; every field is declared in include/veil/settings.h's
   table (config/settings.c), which holds its default and documentation. */
typedef struct veil_server_settings {
    unsigned workers; /* 0: number of cores */
    unsigned max_connections;
    size_t max_header_bytes;
    unsigned max_headers;
    size_t inspect_limit;
    uint64_t max_body_size; /* request body bytes; more is 413; 0: no limit */
    uint64_t header_timeout_ms;
    uint64_t body_timeout_ms;
    uint64_t keepalive_timeout_ms;
    uint64_t drain_timeout_ms;
    int inspect;                 /* 0: no detection engine at all */
    int pass_underscore_headers; /* forward fields named with '_' */
    const char *probe_listen;    /* /live and /ready only: HOST:PORT, or "off" */
    const char *metrics_listen;  /* /metrics only: HOST:PORT, or "off" */
} veil_server_settings_t;

typedef struct veil_access_log_settings {
    const char *path;       /* "-": stdout */
    size_t body_limit;      /* redacted body bytes logged per body */
    uint64_t max_size;      /* rotate above this; 0: never */
    uint64_t rotate_ms;     /* rotate at these UTC boundaries; 0: never */
    uint64_t retention_ms;  /* delete rotated files older; 0: keep */
    size_t max_record_size; /* socket sinks: longer records are replaced */
} veil_access_log_settings_t;

typedef struct veil_admin_settings {
    const char *listen;     /* HOST:PORT, or "off" */
    const char *token_file; /* NULL: no token */
    int insecure;           /* allow a non-loopback listen without one */
} veil_admin_settings_t;

/*
 * detokenize: POST /detokenize (docs/tokens.md), on a listener of its
 * own: a loopback HOST:PORT and/or a Unix socket. Each caller has a
 * bearer token (read from its file when the config loads: mode 0600 or
 * 0400), the types it may see, and a rate (a token bucket: <rate>
 * requests per second, <burst> at once).
 */
typedef struct veil_detokenize_caller {
    const char *name;
    const char *token_file;
    const char *token; /* the file's token, wiped with the config */
    size_t token_len;
    const char *const *types; /* detector ids it may see turned back */
    size_t ntypes;
    double rate; /* requests per second */
    unsigned burst;
} veil_detokenize_caller_t;

typedef struct veil_detokenize_settings {
    const char *listen;   /* loopback HOST:PORT, or NULL */
    const char *socket;   /* a Unix socket path, or NULL */
    const char *policy;   /* whose request side opens tokens */
    size_t max_body_size; /* a larger body is refused (413) */
    int audit_stderr;     /* audit lines to stderr, not the access log */
    const veil_detokenize_caller_t *callers;
    size_t ncallers;
} veil_detokenize_settings_t;

typedef struct veil_config veil_config_t;

/* Diagnostics: <msg> is "file:line:column: key: reason", without newline. */
typedef enum {
    VEIL_DIAG_ERROR,
    VEIL_DIAG_WARNING
} veil_diag_level_t;
typedef void (*veil_diag_cb)(void *ud, veil_diag_level_t level, const char *msg);

enum {
    /* Also test each custom pattern without a validator or a required
       context against common identifiers, and warn (veil check). */
    VEIL_CONFIG_LINT = 1u << 0,
    /* Also read the files the tests: section names (a case's client
       certificate), for veil test. Without it they are named but not
       opened, so veil run and veil check do not need a config's test
       fixtures where it is deployed. */
    VEIL_CONFIG_TEST_FILES = 1u << 1,
};

/*
 * veil_config_load_file(): reads and validates <path>. Returns a config
 * with one reference, or NULL after reporting every error through <cb>
 * (which may be NULL). ${VAR} and ${VAR:-default} are replaced in values.
 */
veil_config_t *veil_config_load_file(const char *path, unsigned flags, veil_diag_cb cb, void *ud);
/* veil_config_load_string(): the same for <len> bytes of YAML named <name>. */
veil_config_t *veil_config_load_string(const char *name, const char *text, size_t len,
                                       unsigned flags, veil_diag_cb cb, void *ud);
/*
 * veil_config_load(): <path>, or the embedded default when NULL, with the
 * command-line overrides of <o> applied after the file (each replaces its
 * key; include/veil/settings.h). The overrides are only read during the
 * call.
 */
struct veil_setting_override;
typedef struct veil_config_load_options {
    unsigned flags; /* VEIL_CONFIG_* */
    const struct veil_setting_override *overrides;
    size_t noverrides;
    veil_diag_cb cb;
    void *ud;
} veil_config_load_options_t;
veil_config_t *veil_config_load(const char *path, const veil_config_load_options_t *o);
/* The embedded config/default.yaml, and the config it gives. */
const char *veil_config_default_yaml(void);
veil_config_t *veil_config_load_default(veil_diag_cb cb, void *ud);

veil_config_t *veil_config_acquire(veil_config_t *cfg);
/* veil_config_release(): drops a reference; the last one frees (engines,
   keys wiped). NULL-safe. */
void veil_config_release(veil_config_t *cfg);

const char *veil_config_source(const veil_config_t *cfg); /* the file name */
size_t veil_config_listener_count(const veil_config_t *cfg);
const veil_listener_t *veil_config_listener(const veil_config_t *cfg, size_t i);
size_t veil_config_upstream_count(const veil_config_t *cfg);
const veil_upstream_t *veil_config_upstream(const veil_config_t *cfg, size_t i);
size_t veil_config_route_count(const veil_config_t *cfg);
const veil_route_t *veil_config_route(const veil_config_t *cfg, size_t i);
size_t veil_config_policy_count(const veil_config_t *cfg);
const veil_policy_t *veil_config_policy_at(const veil_config_t *cfg, size_t i);
const veil_policy_t *veil_config_policy(const veil_config_t *cfg, const char *name);
const veil_server_settings_t *veil_config_server(const veil_config_t *cfg);
const veil_access_log_settings_t *veil_config_access_log(const veil_config_t *cfg);
const veil_admin_settings_t *veil_config_admin(const veil_config_t *cfg);
/* The detokenize: section, or NULL when the file has none (no listener). */
const veil_detokenize_settings_t *veil_config_detokenize(const veil_config_t *cfg);
size_t veil_config_test_count(const veil_config_t *cfg);
size_t veil_config_engine_count(const veil_config_t *cfg);

/* A subject alternative name of a client certificate, as text (an IP
   address in its usual form); <dns>: a DNS name, compared
   case-insensitively. */
typedef struct veil_client_name {
    const char *name;
    int dns;
} veil_client_name_t;

/* What routing looks at; lengths because the proxy's strings are not
   NUL-terminated. content_type may be NULL. The client fields are zero
   unless a TLS listener verified a client certificate. */
typedef struct veil_route_request {
    const char *method;
    size_t method_len;
    const char *host;
    size_t host_len;
    const char *path; /* without the query string */
    size_t path_len;
    const char *content_type;
    size_t content_type_len;
    const char *listener; /* the name of the listener it came on; NULL:
                              not known (match.listener is not checked) */
    int client_verified;
    const char *client_subject; /* NULL: none, or too long to compare */
    const veil_client_name_t *client_sans;
    size_t nclient_sans;
} veil_route_request_t;

/*
 * veil_config_route_match(): the first route whose conditions all hold,
 * else the default route (the first upstream, policy "default"). Never NULL.
 * Thread-safe; allocates nothing on the path-prefix and host paths.
 */
const veil_route_t *veil_config_route_match(const veil_config_t *cfg,
                                            const veil_route_request_t *req);

/* veil_route_detokenizes_type(): whether <r> turns tokens of type <type>
   (<len> bytes) back (its detokenize types, or every type). */
int veil_route_detokenizes_type(const veil_route_t *r, const char *type, size_t len);

/* veil_listener_trusted(): 1 when <l> listens on a loopback address only
   or requires verified client certificates: where a detokenize route or
   the detokenize API may serve. */
int veil_listener_trusted(const veil_listener_t *l);

/* veil_policy_for_consent(): the policy to apply given the consent
   signals (Sec-GPC: 1 wins over DNT: 1); <p> when neither is set. */
const veil_policy_t *veil_policy_for_consent(const veil_policy_t *p, int gpc, int dnt);

/*
 * Field rules and the body allowlist, for whoever walks a message:
 * veil_policy_field_rule() finds the rule for a header (<where> HEADER,
 * case-insensitive), a query parameter (QUERY), a form field (FORM: form
 * rules, then key patterns) or a JSON value (JSON: <name> is its concrete
 * path such as $.items[2].iban; JSON paths, then key patterns on the last
 * key). NULL when no rule applies. veil_policy_body_field_allowed(): with
 * body_log allow, whether the JSON value at concrete path <path> (or the
 * form field <path>) may be logged: a listed name matches the last key, a
 * listed $-path the whole path.
 */
const veil_field_rule_t *veil_policy_field_rule(const veil_policy_dir_t *pd,
                                                veil_field_where_t where, const char *name,
                                                size_t len);
int veil_policy_body_field_allowed(const veil_policy_dir_t *pd, const char *path, size_t len);
/* veil_json_path_match(): <pattern> ($.a[*].b, $['x y'], .* for any key)
   against the concrete <path>. */
int veil_json_path_match(const char *pattern, const char *path, size_t len);

/*
 * veil_config_dump(): writes the effective config (defaults included) as
 * YAML. Values that came from the environment are written as their
 * ${VAR} reference, keys as their file or variable name: never a secret.
 */
void veil_config_dump(const veil_config_t *cfg, FILE *out);

/*
 * veil_config_run_tests(): runs the file's `tests:` cases, writes one line
 * per case to <out> and the final "N passed, N failed". With <show> the
 * actual output of a failing case is printed too (it may hold the test's
 * own sample values). Returns the number of failed cases.
 */
unsigned veil_config_run_tests(const veil_config_t *cfg, FILE *out, int show, unsigned *passed);

/*
 * A holder: where the proxy keeps the current config for atomic swaps.
 * Workers call veil_config_holder_get() per request (or when
 * veil_config_holder_generation() changed since their last get) and
 * release what they got when the request ends, so in-flight requests
 * finish on the config they started with.
 */
typedef struct veil_config_holder veil_config_holder_t;

/* Takes over the caller's reference to <cfg>. */
veil_config_holder_t *veil_config_holder_new(veil_config_t *cfg);
void veil_config_holder_free(veil_config_holder_t *h);
/* A new reference to the current config. */
veil_config_t *veil_config_holder_get(veil_config_holder_t *h);
uint64_t veil_config_holder_generation(const veil_config_holder_t *h);
/* Swaps in <cfg> (the caller's reference is taken over). */
void veil_config_holder_swap(veil_config_holder_t *h, veil_config_t *cfg);
/*
 * veil_config_holder_reload(): loads <path> (off the request path: call it
 * from a thread-pool job or the signal thread) and swaps it in when valid.
 * A bad file is reported through <cb>, counted, and the old config stays.
 * Returns 0 or -1.
 */
int veil_config_holder_reload(veil_config_holder_t *h, const char *path, veil_diag_cb cb, void *ud);
/* The same with load options (command-line overrides re-applied). */
int veil_config_holder_reload_with(veil_config_holder_t *h, const char *path,
                                   const veil_config_load_options_t *o);
void veil_config_holder_counts(const veil_config_holder_t *h, uint64_t *ok, uint64_t *failed);

/*
 * veil_config_needs_restart(): 1 when going from <old> to <cur> changes
 * what a running proxy cannot change in place (listeners, and the
 * settings the table marks VEIL_SET_START_ONLY: workers, the access log),
 * with the first such key named in <what>; else 0. The reload still
 * applies everything else.
 */
int veil_config_needs_restart(const veil_config_t *old, const veil_config_t *cur, char *what,
                              size_t len);

/* For a debounced file watch: what identifies one version of a file. */
typedef struct veil_config_stamp {
    uint64_t dev, ino, size, mtime_ns;
} veil_config_stamp_t;
/* veil_config_stamp_changed(): refreshes <st> from <path>; 1 if it
   differs from before (or the file appeared or vanished), else 0. */
int veil_config_stamp_changed(veil_config_stamp_t *st, const char *path);

#endif
