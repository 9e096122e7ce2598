/*
 * Transforms: what is written in place of a finding, and the streaming
 * redactor that applies them to a body as it passes.
 */
#ifndef VEIL_TRANSFORM_H
#define VEIL_TRANSFORM_H

#include <stddef.h>
#include <stdint.h>

#include "veil/scan.h"

typedef enum veil_action {
    VEIL_ACT_MASK,        /* same length, separators kept; cards keep the last 4 */
    VEIL_ACT_LABEL,       /* [EMAIL] */
    VEIL_ACT_HASH,        /* [EMAIL:1f2e3d4c5b6a7988]: HMAC-SHA256, truncated */
    VEIL_ACT_DROP,        /* nothing */
    VEIL_ACT_TOKENIZE,    /* a reversible token (veil/tokens.h); without a
                          tokens context (veil_redactor_options_t.tokens)
                          the label, never the value */
    VEIL_ACT_PLACEHOLDER, /* [EMAIL_1], numbered per exchange and restored
                             in its response (the proxy's round trip,
                             veil_redactor_options_t.placeholder); without
                             one the label */
    VEIL_ACT__COUNT
} veil_action_t;

const char *veil_action_name(veil_action_t action);
/* veil_action_parse(): the action named <name>, or -1. */
int veil_action_parse(const char *name);

/* A key: for the hash transform, and with a slot for tokens
   (veil/tokens.h: veil_token_key_load(), veil_token_ring_new()). */
typedef struct veil_hash_key {
    const char *id; /* the keys: entry; tokens name it */
    unsigned char bytes[64];
    size_t len;
    int slot;  /* 1-9: a token key slot; 0: a hash key only */
    int state; /* a slot's veil_key_state_t */
} veil_hash_key_t;

/*
 * veil_hash_key_load(): reads a key from the file <path> (refused unless
 * its mode is 0600 or stricter) or, when <path> is NULL, from the
 * environment variable <env>. Returns 0, or -errno with a reason in <err>.
 */
int veil_hash_key_load(veil_hash_key_t *key, const char *path, const char *env, char *err,
                       size_t errlen);

/*
 * veil_transform_apply(): writes the replacement for the raw bytes <raw>
 * (<len> bytes) of a finding by detector <detector> into <out> (<cap>
 * bytes; 64 + 2 * <len> is always enough). <flags> are the finding's
 * VEIL_FIND_* flags. <key> is needed only for VEIL_ACT_HASH. Returns the
 * number of bytes written, or -ENOSPC / -EINVAL. VEIL_ACT_TOKENIZE needs
 * the tokens context of veil_tokens_transform() (veil/tokens.h); here it
 * writes the label.
 */
long veil_transform_apply(veil_action_t action, uint16_t detector, unsigned flags, const char *raw,
                          size_t len, const veil_hash_key_t *key, char *out, size_t cap);
/* veil_transform_apply_info(): the same for any detector of an engine,
   custom ones included (<info> from veil_engine_detector()). */
long veil_transform_apply_info(veil_action_t action, const veil_detector_info_t *info,
                               uint16_t detector, unsigned flags, const char *raw, size_t len,
                               const veil_hash_key_t *key, char *out, size_t cap);

typedef struct veil_redactor veil_redactor_t;

/* The redactor's output; return non-zero to stop (the feed then fails
   with VEIL_EWRITE). */
typedef int (*veil_write_cb)(void *ud, const char *data, size_t len);

/*
 * Field rules: asked for each scalar value of a structured body, with its
 * place: for VEIL_PLACE_JSON the concrete path ($.items[2].iban, a key
 * that is not a plain name as $['a.b']), for VEIL_PLACE_FORM the decoded
 * field name. Returns the veil_action_t to apply to the whole value, or -1
 * for none (the value is then scanned as usual). A value a rule takes is
 * not scanned and not told to on_finding: it is the policy's, not a
 * detection.
 *
 * Multipart and XML bodies use the same two places. A part is asked for
 * as a form field by its name (each name it carries: name= and name*=);
 * the values inside a JSON or XML part as JSON paths under the part's
 * name ($.meta.user.email). XML values are JSON paths of local names,
 * the root element first: the text of <s:Envelope><s:Body><login>
 * <password> is $.Envelope.Body.login.password, an attribute is a step
 * of its own ($.login.password for <login password="...">); no indexes.
 */
enum {
    VEIL_PLACE_JSON,
    VEIL_PLACE_FORM
};
typedef int (*veil_field_action_cb)(void *ud, int place, const char *path, size_t len);

typedef struct veil_redactor_options {
    veil_format_t format;
    veil_action_t action;              /* for every detector, unless below */
    const uint8_t *action_by_detector; /* detector index -> action, or NULL;
                                          veil_engine_detector_count() entries */
    const veil_hash_key_t *key;        /* required when any action is HASH */
    veil_write_cb write;
    void *write_ud;
    veil_finding_cb on_finding; /* optional: also told each finding */
    void *finding_ud;
    veil_field_action_cb field_action; /* optional: field rules */
    void *field_ud;
    /* The body's type with its multipart boundary; NULL: <format> alone
       (a multipart body then takes its boundary from its first line). */
    const veil_body_type_t *type;
    /* Multipart parts that are not inspected (files of binary types, ...):
       0 writes "[SKIPPED <reason> part, N bytes]" and the content's line
       breaks in place of their content (for logs: fail closed), 1 copies
       their bytes unchanged (for bodies in transit). */
    int keep_skipped;
    /* Optional: spans of the input, offsets [start, end) in order and
       apart, where no person's name or street address starts, so those
       two detectors do not look there (every other detector reads them as
       usual): what the input's structure says holds no free text, such as
       a message head's field names and HTTP dates. The array must stay
       valid until the redactor is freed. */
    const uint64_t (*no_names)[2];
    size_t n_no_names;
    /* 1: the input's lines are values of their own (a message head's
       fields joined by newlines), never a CSV table whose header names
       its columns. */
    int no_tables;
    /* Optional: tokens (veil/tokens.h) for VEIL_ACT_TOKENIZE; with
       token_op DETOKENIZE or REWRAP every finding goes to
       veil_tokens_transform() whatever its action. Counts go to
       token_stats (may be NULL). */
    const struct veil_tokens *tokens;
    struct veil_token_stats *token_stats;
    int token_op; /* veil_token_op_t */
    /* Optional: VEIL_ACT_PLACEHOLDER's writer: the placeholder of <raw>
       under <label> into <out>; its length, or -1 (the label is written
       instead, never the value). */
    long (*placeholder)(void *ud, const char *label, const char *raw, size_t len, char *out,
                        size_t cap);
    void *placeholder_ud;
} veil_redactor_options_t;

/*
 * veil_redactor_new(): a redactor for one stream. Output is written as
 * soon as the scanner has decided it, so memory stays bounded by the
 * scanner's hold-back window.
 */
veil_redactor_t *veil_redactor_new(const veil_engine_t *engine,
                                   const veil_redactor_options_t *opts);
int veil_redactor_feed(veil_redactor_t *r, const void *data, size_t len);
int veil_redactor_finish(veil_redactor_t *r);
/* veil_redactor_offset(): raw bytes of input written out so far; later
   findings never start before it. */
uint64_t veil_redactor_offset(const veil_redactor_t *r);
/* veil_redactor_skipped(): parts not inspected so far for <reason>
   (veil_scanner_skipped()); all reasons summed for VEIL_SKIP__COUNT. */
uint32_t veil_redactor_skipped(const veil_redactor_t *r, veil_skip_reason_t reason);
/* veil_redactor_free(): wipes held bytes and frees. NULL-safe. A few
   freed redactors per thread are kept (wiped) for the next
   veil_redactor_new() on that thread, and freed when the thread exits. */
void veil_redactor_free(veil_redactor_t *r);
/*
 * veil_redactor_settle(): frees the calling thread's kept redactors that
 * no veil_redactor_new() on this thread took since the previous call (the
 * period), or all of them when <all> is set; the next period starts now.
 * Returns how many it freed. For a long-lived thread to call now and then
 * (the proxy's workers every 30 s), so the memory kept follows the load
 * rather than its peak.
 */
unsigned veil_redactor_settle(int all);

#endif
