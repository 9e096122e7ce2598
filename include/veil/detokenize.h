/*
 * POST /detokenize: tokens turned back into their values for an
 * authenticated caller, on a listener of its own (the config's
 * detokenize: section, docs/tokens.md).
 *
 * Body in, body out: every token the caller may see (its types) that the
 * keys open is turned back, every other byte goes as it came; tokens of
 * other types stay and are counted. Each caller has a bearer token and a
 * rate (a token bucket; 429 past it). Every request is audited: one JSON
 * line with its time, the caller, the status and the counts per type,
 * key and outcome; never a value or a token.
 */
#ifndef VEIL_DETOKENIZE_H
#define VEIL_DETOKENIZE_H

#include "veil/log.h"

struct veil_config;
struct veil_config_holder;
struct veil_stats;

typedef struct veil_detok_api_options {
    /* The configuration at start: where to listen (detokenize.listen,
       .socket). Required. */
    const struct veil_config *conf;
    /* The current configuration, read per request: callers, their
       tokens, types and rates, the keys and the policy. Required. */
    struct veil_config_holder *holder;
    /* The audit sink when detokenize.audit is access_log (the access
       log's); NULL: stderr. */
    veil_log_t *log;
    /* Counted on the main shard, or NULL. */
    struct veil_stats *stats;
} veil_detok_api_options_t;

typedef struct veil_detok_api veil_detok_api_t;

/*
 * veil_detok_api_start(): binds the listener(s) of the configuration's
 * detokenize: section and serves them from a thread and libuv loop of
 * their own. *out is NULL (and 0 returned) when the section is absent.
 * A Unix socket is made mode 0660 (a stale socket file at the path is
 * replaced; any other file is refused). Returns 0, or a negative errno
 * with a reason in <err>.
 */
int veil_detok_api_start(veil_detok_api_t **out, const veil_detok_api_options_t *o, char *err,
                         size_t errlen);
/* veil_detok_api_port(): the TCP port listened on, or 0. */
int veil_detok_api_port(const veil_detok_api_t *a);
/* veil_detok_api_stop(): closes every connection, joins the thread,
   removes the socket file, frees. NULL-safe. */
void veil_detok_api_stop(veil_detok_api_t *a);

#endif
