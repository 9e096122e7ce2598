/*
 * Token key slots: loading a slot's 32-byte file (refused when anyone but
 * its owner may read it), the ring of subkeys derived with HKDF-SHA256
 * (one per purpose, so a key never serves two algorithms), and the names
 * and counters the rest of the token code shares.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog.h"
#include "tokens_crypto.h"
#include "tokens_int.h"
#include "veil/secret_file.h"
#include "veil/veil.h"

static const char *const state_names[] = {"active", "decrypt_only", "retired"};

const char *veil_key_state_name(veil_key_state_t state)
{
    return (unsigned)state < 3 ? state_names[state] : "unknown";
}

int veil_key_state_parse(const char *name)
{
    for (int i = 0; i < 3; i++) {
        if (strcmp(name, state_names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

int veil_token_key_id_valid(const char *id)
{
    size_t n = 0;
    for (; id[n]; n++) {
        char c = id[n];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
            return 0;
        }
    }
    return n >= 1 && n <= VEIL_TOKEN_KEY_ID_MAX;
}

int veil_token_key_load(veil_hash_key_t *key, const char *path, char *err, size_t errlen)
{
    unsigned char buf[VEIL_TOKEN_KEY_BYTES + 1];
    size_t n = 0;
    int rc;

    memset(key->bytes, 0, sizeof(key->bytes));
    key->len = 0;
    /* Owned by veil's user and 0600 or 0400, or owned by root and 0640 or
       0440 (a Kubernetes Secret volume): nobody else may read it, or
       write it (a key someone else can replace makes tokens they can
       open). include/veil/secret_file.h. */
    rc = veil_secret_read(path, buf, sizeof(buf), &n, err, errlen);
    if ((rc == 0 && n != VEIL_TOKEN_KEY_BYTES) || rc == -EFBIG) {
        OPENSSL_cleanse(buf, sizeof(buf));
        snprintf(err, errlen,
                 "%s: a token key file holds exactly %d random bytes "
                 "(head -c 32 /dev/urandom)",
                 path, VEIL_TOKEN_KEY_BYTES);
        return -EINVAL;
    }
    if (rc != 0) {
        OPENSSL_cleanse(buf, sizeof(buf));
        return rc;
    }
    memcpy(key->bytes, buf, VEIL_TOKEN_KEY_BYTES);
    key->len = VEIL_TOKEN_KEY_BYTES;
    OPENSSL_cleanse(buf, sizeof(buf));
    return 0;
}

/* The subkeys' HKDF labels: a new token format takes new labels. */
static const char hkdf_salt[] = "veil-tokens";
static const char info_siv[] = "veil-tok-1 aes-256-siv";
static const char info_ff1[] = "veil-fpe-1 ff1-aes-256";

veil_token_ring_t *veil_token_ring_new(const veil_hash_key_t *const *keys, size_t n, char *err,
                                       size_t errlen)
{
    veil_token_ring_t *ring;

    if (n > VEIL_TOKEN_SLOTS) {
        snprintf(err, errlen, "at most %d token key slots", VEIL_TOKEN_SLOTS);
        return NULL;
    }
    ring = calloc(1, sizeof(*ring));
    if (ring == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (int s = 0; s <= VEIL_TOKEN_SLOTS; s++) {
        ring->by_slot[s] = -1;
    }
    for (size_t i = 0; i < n; i++) {
        const veil_hash_key_t *k = keys[i];
        veil__ring_key_t *rk = &ring->keys[i];
        if (k->id == NULL || !veil_token_key_id_valid(k->id)) {
            snprintf(err, errlen, "key '%s': a token key id is 1 to %d of a-z, 0-9 and _",
                     k->id ? k->id : "", VEIL_TOKEN_KEY_ID_MAX);
            goto fail;
        }
        if (k->slot < 1 || k->slot > VEIL_TOKEN_SLOTS) {
            snprintf(err, errlen, "key '%s': slot must be 1 to %d", k->id, VEIL_TOKEN_SLOTS);
            goto fail;
        }
        if (ring->by_slot[k->slot] >= 0) {
            snprintf(err, errlen, "key '%s': slot %d is taken by key '%s'", k->id, k->slot,
                     ring->keys[ring->by_slot[k->slot]].id);
            goto fail;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(ring->keys[j].id, k->id) == 0) {
                snprintf(err, errlen, "key '%s' is given twice", k->id);
                goto fail;
            }
        }
        if (k->state < VEIL_KEY_ACTIVE || k->state > VEIL_KEY_RETIRED) {
            snprintf(err, errlen, "key '%s': unknown state", k->id);
            goto fail;
        }
        rk->id_len = strlen(k->id);
        memcpy(rk->id, k->id, rk->id_len + 1);
        rk->slot = k->slot;
        rk->state = (veil_key_state_t)k->state;
        ring->by_slot[k->slot] = (int)i;
        ring->n = i + 1;
        if (rk->state == VEIL_KEY_RETIRED) {
            continue; /* its bytes are never needed, and may be gone */
        }
        if (k->len != VEIL_TOKEN_KEY_BYTES) {
            snprintf(err, errlen, "key '%s': a token key is exactly %d bytes", k->id,
                     VEIL_TOKEN_KEY_BYTES);
            goto fail;
        }
        if (veil__hkdf_sha256(k->bytes, k->len, (const unsigned char *)hkdf_salt,
                              sizeof(hkdf_salt) - 1, (const unsigned char *)info_siv,
                              sizeof(info_siv) - 1, rk->siv, sizeof(rk->siv)) != 0 ||
            veil__hkdf_sha256(k->bytes, k->len, (const unsigned char *)hkdf_salt,
                              sizeof(hkdf_salt) - 1, (const unsigned char *)info_ff1,
                              sizeof(info_ff1) - 1, rk->ff1, sizeof(rk->ff1)) != 0) {
            snprintf(err, errlen, "key '%s': key derivation failed", k->id);
            goto fail;
        }
    }
    return ring;
fail:
    veil_token_ring_free(ring);
    return NULL;
}

void veil_token_ring_free(veil_token_ring_t *ring)
{
    if (ring == NULL) {
        return;
    }
    OPENSSL_cleanse(ring, sizeof(*ring));
    free(ring);
}

size_t veil_token_ring_count(const veil_token_ring_t *ring)
{
    return ring ? ring->n : 0;
}

const char *veil_token_ring_id(const veil_token_ring_t *ring, size_t i)
{
    return ring && i < ring->n ? ring->keys[i].id : NULL;
}

int veil_token_ring_slot(const veil_token_ring_t *ring, size_t i)
{
    return ring && i < ring->n ? ring->keys[i].slot : 0;
}

veil_key_state_t veil_token_ring_state(const veil_token_ring_t *ring, size_t i)
{
    return ring && i < ring->n ? ring->keys[i].state : VEIL_KEY_RETIRED;
}

int veil_token_ring_find(const veil_token_ring_t *ring, const char *id, size_t len)
{
    for (size_t i = 0; ring && i < ring->n; i++) {
        if (ring->keys[i].id_len == len && memcmp(ring->keys[i].id, id, len) == 0) {
            return (int)i;
        }
    }
    return -1;
}

int veil_token_ring_active(const veil_token_ring_t *ring)
{
    int found = -1;
    for (size_t i = 0; ring && i < ring->n; i++) {
        if (ring->keys[i].state == VEIL_KEY_ACTIVE) {
            if (found >= 0) {
                return -1;
            }
            found = (int)i;
        }
    }
    return found;
}

int veil__ring_open_slot(const veil_token_ring_t *ring, int slot)
{
    int i = ring && slot >= 1 && slot <= VEIL_TOKEN_SLOTS ? ring->by_slot[slot] : -1;
    if (i < 0) {
        return VEIL_ETOKEN_KEY;
    }
    return ring->keys[i].state == VEIL_KEY_RETIRED ? VEIL_ETOKEN_RETIRED : i;
}

size_t veil__escape_len(const char *raw, size_t len, size_t k)
{
#define HEX(c) (((c) >= '0' && (c) <= '9') || (((c) | 0x20) >= 'a' && ((c) | 0x20) <= 'f'))
    if (raw[k] == '\\' && k + 5 < len && raw[k + 1] == 'u' && HEX(raw[k + 2]) && HEX(raw[k + 3]) &&
        HEX(raw[k + 4]) && HEX(raw[k + 5])) {
        return 6;
    }
    if (raw[k] == '%' && k + 2 < len && HEX(raw[k + 1]) && HEX(raw[k + 2])) {
        return 3;
    }
    return 0;
#undef HEX
}

veil__fpe_kind_t veil__fpe_kind(const char *id)
{
    if (id == NULL) {
        return VEIL__FPE_NONE;
    }
    if (strcmp(id, "credit_card") == 0) {
        return VEIL__FPE_CARD;
    }
    if (strcmp(id, "iban") == 0) {
        return VEIL__FPE_IBAN;
    }
    if (strcmp(id, "email") == 0) {
        return VEIL__FPE_EMAIL;
    }
    if (strcmp(id, "us_ssn") == 0) {
        return VEIL__FPE_SSN;
    }
    if (strcmp(id, "phone") == 0) {
        return VEIL__FPE_PHONE;
    }
    return VEIL__FPE_NONE;
}

/* ---- counters ----------------------------------------------------------- */

void veil_token_stats_add(veil_token_stats_t *into, const veil_token_stats_t *from)
{
    const uint64_t *f = (const uint64_t *)from;
    uint64_t *t = (uint64_t *)into;
    /* The struct is nothing but uint64_t counters. */
    for (size_t i = 0; i < sizeof(*into) / sizeof(uint64_t); i++) {
        t[i] += f[i];
    }
}

static const char *const outcome_names[VEIL_TOKEN_OUTCOME__COUNT] = {
    "restored", "rewrapped", "unknown_key", "retired", "forged", "not_allowed"};

const char *veil_token_outcome_name(veil_token_outcome_t outcome)
{
    return (unsigned)outcome < VEIL_TOKEN_OUTCOME__COUNT ? outcome_names[outcome] : "unknown";
}

const char *veil_fpe_refusal_name(veil_fpe_refusal_t reason)
{
    return reason == VEIL_FPE_REFUSED_DOMAIN   ? "domain_too_small"
           : reason == VEIL_FPE_REFUSED_FORMAT ? "format"
                                               : "unknown";
}

unsigned veil_token_stat_type(const char *id)
{
    int d = id ? veil_catalog_find(id) : -1;
    return d >= 0 && d < VEIL_TOKEN_STAT_OTHER ? (unsigned)d : VEIL_TOKEN_STAT_OTHER;
}

const char *veil_token_stat_type_name(unsigned row)
{
    const veil_detector_info_t *d =
        row < VEIL_TOKEN_STAT_OTHER && row < veil_catalog_count() ? veil_catalog_get(row) : NULL;
    return d ? d->id : "other";
}
