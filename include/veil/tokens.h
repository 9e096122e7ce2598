/*
 * Reversible tokens without a vault (docs/tokens.md).
 *
 * Tagged tokens: tok-<key id>-<type>-<payload>, the payload the lower-case
 * base32 (RFC 4648, no padding) of AES-256-SIV over a form byte and the
 * value as written, with "veil-tok-1", the key id and the type as the
 * associated data, under a 64-byte subkey that HKDF-SHA256 derives from
 * the key slot. Deterministic, authenticated, one word of [a-z0-9_-].
 *
 * Format-preserving tokens (FF1 over AES-256, NIST SP 800-38G) where a
 * validator downstream needs the shape: cards (first digit and last four
 * kept, the Luhn sum equal to the key's slot, so never a valid card),
 * IBANs (country and bank kept, mod-97 equal to 1 + slot), e-mail
 * addresses (the local part's letters and digits encrypted, the domain
 * kept, "+vt<slot>" added), SSNs and phone numbers. Only where they can be
 * recognised again: e-mail addresses anywhere, the others only as the
 * value of a field whose name says what it holds (card_number, iban,
 * ssn, phone, ...); elsewhere, and whenever FPE cannot take a value, the
 * token is a tagged one.
 *
 * Keys are slots of the configuration's `keys:` (veil_hash_key_t with a
 * slot): id, slot 1-9, 32 bytes from a file no one else may read, state
 * active (makes and opens tokens), decrypt_only (opens them) or retired
 * (opens nothing; its tokens are refused by name).
 *
 * Placeholders ([EMAIL_1], restored in a response) are not here: they
 * need a per-exchange map, which will be passed beside veil_tokens_t
 * (a veil_token_op_t of their own and a map argument), never inside this
 * immutable, shared struct.
 */
#ifndef VEIL_TOKENS_H
#define VEIL_TOKENS_H

#include <stddef.h>
#include <stdint.h>

#include "veil/scan.h"
#include "veil/transform.h"

#define VEIL_TOKEN_KEY_BYTES 32   /* a slot's key file holds exactly this */
#define VEIL_TOKEN_SLOTS 9        /* slots 1..9 */
#define VEIL_TOKEN_KEY_ID_MAX 24  /* a slot key's id: [a-z0-9_]{1,24} */
#define VEIL_TOKEN_TYPE_MAX 64    /* a type: a detector id, [a-z0-9_]{1,64} */
#define VEIL_TOKEN_VALUE_MAX 8192 /* longer values are refused (fail closed) */
/* The longest tagged token: "tok-" key "-" type "-" base32(16 + 1 + value). */
#define VEIL_TOKEN_MAX_LEN                                     \
    (4 + VEIL_TOKEN_KEY_ID_MAX + 1 + VEIL_TOKEN_TYPE_MAX + 1 + \
     ((16 + 1 + VEIL_TOKEN_VALUE_MAX) * 8 + 4) / 5)
/* Room a token transform may need for a value of <len> bytes. */
#define VEIL_TOKEN_OUT_CAP(len) (160 + 3 * (size_t)(len))

typedef enum veil_key_state {
    VEIL_KEY_ACTIVE,       /* makes and opens tokens */
    VEIL_KEY_DECRYPT_ONLY, /* opens tokens (rotation: rewrap, then retire) */
    VEIL_KEY_RETIRED,      /* opens nothing; its tokens are refused by name */
} veil_key_state_t;

const char *veil_key_state_name(veil_key_state_t state);
/* veil_key_state_parse(): the state named <name>, or -1. */
int veil_key_state_parse(const char *name);
/* veil_token_key_id_valid(): 1 when <id> may name a slot key. */
int veil_token_key_id_valid(const char *id);

/*
 * veil_token_key_load(): reads a slot key from <path> into <key> (id,
 * slot and state are the caller's to set): exactly 32 bytes, refused
 * unless the file's mode lets no group or other user read or write it
 * (0600 or 0400). Returns 0, or -errno with a reason in <err> that names
 * the file, never a byte of it.
 */
int veil_token_key_load(veil_hash_key_t *key, const char *path, char *err, size_t errlen);

typedef struct veil_token_ring veil_token_ring_t;

/*
 * veil_token_ring_new(): the key slots for tokens: each of <keys> (<n>)
 * has an id, a slot 1-9 and a state; the bytes of every key that is not
 * retired are turned into subkeys (HKDF) and the ring keeps only those.
 * Ids and slots must be unique. Returns NULL with a reason in <err>.
 * The ring is immutable and may be shared by any number of threads.
 */
veil_token_ring_t *veil_token_ring_new(const veil_hash_key_t *const *keys, size_t n, char *err,
                                       size_t errlen);
/* veil_token_ring_free(): wipes the subkeys and frees. NULL-safe. */
void veil_token_ring_free(veil_token_ring_t *ring);
/* The ring's keys: count, and id / slot / state of the i-th. */
size_t veil_token_ring_count(const veil_token_ring_t *ring);
const char *veil_token_ring_id(const veil_token_ring_t *ring, size_t i);
int veil_token_ring_slot(const veil_token_ring_t *ring, size_t i);
veil_key_state_t veil_token_ring_state(const veil_token_ring_t *ring, size_t i);
/* veil_token_ring_find(): the index of key <id>, or -1. */
int veil_token_ring_find(const veil_token_ring_t *ring, const char *id, size_t len);
/* veil_token_ring_active(): the index of the only active key, or -1
   when there is none or more than one. */
int veil_token_ring_active(const veil_token_ring_t *ring);

typedef enum veil_token_format {
    VEIL_TOKEN_TAGGED, /* tok-<key>-<type>-<payload> */
    VEIL_TOKEN_FPE,    /* format-preserving where the type and place allow */
} veil_token_format_t;

/* What the token transforms need; immutable, shared by threads. */
typedef struct veil_tokens {
    const veil_token_ring_t *ring;
    int issue;              /* ring index of the key new tokens are made
                                  with (active); -1: none (detokenize only) */
    const uint8_t *formats; /* per engine detector: veil_token_format_t;
                                  NULL: tagged for every detector */
    size_t nformats;
    int rewrap_from; /* VEIL_TOKEN_OP_REWRAP: ring index of the key
                                  whose tokens are made again with <issue> */
    /* Optional, for DETOKENIZE: whether tokens of type <type> (<len>
       bytes, a detector id such as "credit_card") may be turned back;
       NULL: every type. A token of a type it refuses stays as it is and
       is counted as VEIL_TOKEN_NOT_ALLOWED (a caller or a route that may
       see card numbers only). */
    int (*type_allowed)(void *ud, const char *type, size_t len);
    void *type_ud;
} veil_tokens_t;

typedef enum veil_token_op {
    VEIL_TOKEN_OP_TOKENIZE,   /* a finding becomes its token */
    VEIL_TOKEN_OP_DETOKENIZE, /* a token becomes its value again */
    VEIL_TOKEN_OP_REWRAP,     /* a token under rewrap_from becomes one under issue */
} veil_token_op_t;

/* ---- counters ---------------------------------------------------------- */

/* Types are counted by catalog index; custom detectors and field rules
   share the last row. Keys by slot (1-9); row 0: no key known. */
#define VEIL_TOKEN_STAT_TYPES 64
#define VEIL_TOKEN_STAT_OTHER (VEIL_TOKEN_STAT_TYPES - 1)

typedef enum veil_token_kind {
    VEIL_TOKEN_KIND_TAGGED,
    VEIL_TOKEN_KIND_FPE,
    VEIL_TOKEN_KIND__COUNT
} veil_token_kind_t;

typedef enum veil_token_outcome {
    VEIL_TOKEN_RESTORED,    /* turned back into its value */
    VEIL_TOKEN_REWRAPPED,   /* made again under another key */
    VEIL_TOKEN_UNKNOWN_KEY, /* no key of that id or slot */
    VEIL_TOKEN_RETIRED,     /* its key is retired */
    VEIL_TOKEN_FORGED,      /* failed authentication: altered, moved to
                               another type, or another key's bytes */
    VEIL_TOKEN_NOT_ALLOWED, /* its type is not one the caller may see
                               (veil_tokens_t.type_allowed): left as is */
    VEIL_TOKEN_OUTCOME__COUNT
} veil_token_outcome_t;

typedef enum veil_fpe_refusal {
    VEIL_FPE_REFUSED_DOMAIN, /* too few characters: radix^len < 1,000,000 */
    VEIL_FPE_REFUSED_FORMAT, /* not a value FPE can take (an invalid card,
                                an unknown IBAN country, ...) */
    VEIL_FPE_REFUSED__COUNT
} veil_fpe_refusal_t;

/* Counters of one caller (a CLI run, a proxy worker): not shared between
   threads; add them up with veil_token_stats_add(). Zero-filled is empty. */
typedef struct veil_token_stats {
    uint64_t issued[VEIL_TOKEN_STAT_TYPES][VEIL_TOKEN_SLOTS + 1][VEIL_TOKEN_KIND__COUNT];
    uint64_t reversed[VEIL_TOKEN_STAT_TYPES][VEIL_TOKEN_SLOTS + 1][VEIL_TOKEN_OUTCOME__COUNT];
    uint64_t fpe_refused[VEIL_TOKEN_STAT_TYPES][VEIL_FPE_REFUSED__COUNT];
    uint64_t kept; /* tokens met while tokenizing, left as they were */
} veil_token_stats_t;

void veil_token_stats_add(veil_token_stats_t *into, const veil_token_stats_t *from);
const char *veil_token_outcome_name(veil_token_outcome_t outcome);
const char *veil_fpe_refusal_name(veil_fpe_refusal_t reason);
/* veil_token_stat_type(): the counter row of detector <id> ("email"). */
unsigned veil_token_stat_type(const char *id);
/* veil_token_stat_type_name(): the detector id of row <row> ("other"). */
const char *veil_token_stat_type_name(unsigned row);

/* ---- single values ------------------------------------------------------ */

/* The parts of a tagged token, pointing into the text. */
typedef struct veil_token_parts {
    const char *key, *type, *payload;
    size_t key_len, type_len, payload_len;
} veil_token_parts_t;

/*
 * veil_token_parse(): 1 when the <len> bytes at <p> are exactly one
 * tagged token by the grammar (docs/tokens.md), with <parts> filled;
 * else 0. Syntax only: nothing is authenticated.
 */
int veil_token_parse(const char *p, size_t len, veil_token_parts_t *parts);

/*
 * veil_token_scan(): whether a tagged token starts at <p> (<len> bytes
 * there): its length, with <parts> filled, when one does and ends where
 * a token may end (at the end of the bytes, before a byte that ends a
 * word of [A-Za-z0-9_-], or before a '-', which a payload never holds:
 * "tok-k1-email-<payload>-9f2c" holds a token); 0 when none does; -1
 * when <more> bytes may follow and the bytes so far cannot tell (at
 * most VEIL_TOKEN_MAX_LEN of them: a longer run is no token). Syntax
 * only: nothing is authenticated.
 */
long veil_token_scan(const char *p, size_t len, int more, veil_token_parts_t *parts);

/*
 * veil_token_tagged_make(): the tagged token of value <raw> (<len> bytes,
 * as written) of type <type> under ring key <key> into <out>; <bare>: the
 * value was a bare JSON token (the token is written quoted and the quotes
 * go again when it is opened). Returns the token's length, or -ENOSPC,
 * -EINVAL, VEIL_ELIMIT (value too long).
 */
long veil_token_tagged_make(const veil_token_ring_t *ring, int key, const char *type, int bare,
                            const char *raw, size_t len, char *out, size_t cap);

/*
 * veil_token_tagged_open(): authenticates the tagged token <tok> (<len>
 * bytes) and writes its value into <out>. Returns the value's length, or
 * VEIL_ESYNTAX (not a token), VEIL_ETOKEN_KEY (no such key),
 * VEIL_ETOKEN_RETIRED, VEIL_ETOKEN_AUTH (altered, moved, or another key),
 * -ENOSPC. On any error nothing of a value is left in <out>. <key> gets
 * the ring index (or -1), <bare> the JSON flag; either may be NULL.
 */
long veil_token_tagged_open(const veil_token_ring_t *ring, const char *tok, size_t len, char *out,
                            size_t cap, int *key, int *bare);

/*
 * veil_token_fpe_make(): the format-preserving token of the value <raw>
 * of detector <id> under ring key <key> ("credit_card", "iban", "email",
 * "us_ssn", "phone"), as written in a body of <format> (for the e-mail
 * tag's escaping). Returns its length, VEIL_ETOKEN_DOMAIN or
 * VEIL_ETOKEN_FORMAT when FPE cannot take the value (the caller falls back
 * to a tagged token), -EINVAL for a type without FPE, -ENOSPC.
 * veil_token_fpe_open(): the reverse; for cards, IBANs and e-mail
 * addresses the key comes from the token (its slot; <key> is ignored and
 * may be -1), for SSNs and phone numbers it is <key>. Returns the value's
 * length, VEIL_ESYNTAX when <raw> is no such token, VEIL_ETOKEN_KEY,
 * VEIL_ETOKEN_RETIRED. <used> gets the ring index of the key (or -1).
 */
long veil_token_fpe_make(const veil_token_ring_t *ring, int key, const char *id,
                         veil_format_t format, const char *raw, size_t len, char *out, size_t cap);
long veil_token_fpe_open(const veil_token_ring_t *ring, int key, const char *id,
                         veil_format_t format, const char *raw, size_t len, char *out, size_t cap,
                         int *used);

/* ---- findings ------------------------------------------------------------ */

/*
 * veil_tokens_transform(): what the redactor writes in place of a finding
 * (veil_redactor_options_t.tokens): for VEIL_TOKEN_OP_TOKENIZE its token
 * (FPE when <t> says so for the detector and the place allows, else
 * tagged), or the bytes unchanged when they are already a token of this
 * ring; for DETOKENIZE and REWRAP the value of an FPE token at its place,
 * or the bytes unchanged (tagged tokens are found by their grammar in the
 * stream, veil_token_stream_new()). <info> is the finding's detector
 * and <detector> its engine index (NULL and UINT16_MAX for a field rule),
 * <flags> its VEIL_FIND_* flags, <format> the body's. Counts into <st>
 * (may be NULL). Returns the bytes written into <out> (<cap> >=
 * VEIL_TOKEN_OUT_CAP(<len>)), or a negative error.
 */
long veil_tokens_transform(const veil_tokens_t *t, veil_token_stats_t *st, veil_token_op_t op,
                           veil_format_t format, const veil_detector_info_t *info,
                           uint16_t detector, unsigned flags, const char *raw, size_t len,
                           char *out, size_t cap);

/* ---- streams --------------------------------------------------------------- */

typedef struct veil_token_stream veil_token_stream_t;

/*
 * veil_token_stream_new(): finds tagged tokens in a stream by their
 * grammar, in any chunking, and writes the stream through <write> with
 * each token it can open turned back (DETOKENIZE) or made again under
 * <t>->issue when it is under <t>->rewrap_from (REWRAP); every other
 * byte, and every token it cannot open, passes unchanged. A bare JSON
 * value's quotes and a multi-line value's line breaks come back as they
 * were. Holds at most VEIL_TOKEN_MAX_LEN + 1 bytes.
 */
veil_token_stream_t *veil_token_stream_new(const veil_tokens_t *t, veil_token_op_t op,
                                           veil_token_stats_t *st, veil_write_cb write, void *ud);
int veil_token_stream_feed(veil_token_stream_t *s, const void *data, size_t len);
int veil_token_stream_finish(veil_token_stream_t *s);
/* veil_token_stream_free(): wipes what it held and frees. NULL-safe. */
void veil_token_stream_free(veil_token_stream_t *s);

#endif
