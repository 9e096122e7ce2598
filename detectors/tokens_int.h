/*
 * Internals shared by the tokens_*.c files: the key ring's layout and the
 * helpers for values as written (escapes kept in place).
 */
#ifndef VEIL_DETECTORS_TOKENS_INT_H
#define VEIL_DETECTORS_TOKENS_INT_H

#include "veil/tokens.h"

/* One key slot: only subkeys are kept, never the slot's own bytes. */
typedef struct {
    char id[VEIL_TOKEN_KEY_ID_MAX + 1];
    size_t id_len;
    int slot;
    veil_key_state_t state;
    unsigned char siv[64]; /* AES-256-SIV, tagged tokens */
    unsigned char ff1[32]; /* FF1-AES-256, format-preserving tokens */
} veil__ring_key_t;

struct veil_token_ring {
    size_t n;
    veil__ring_key_t keys[VEIL_TOKEN_SLOTS];
    int by_slot[VEIL_TOKEN_SLOTS + 1]; /* slot -> index, or -1 */
};

/* The key of slot <slot> that may open tokens: its index, or
   VEIL_ETOKEN_KEY / VEIL_ETOKEN_RETIRED. */
int veil__ring_open_slot(const veil_token_ring_t *ring, int slot);

/* veil__escape_len(): the length of an escape at raw[k] (\uXXXX in JSON,
   %XX in a form), or 0. Escapes stay in place in FPE tokens. */
size_t veil__escape_len(const char *raw, size_t len, size_t k);

/* The FPE kinds, by detector id. */
typedef enum {
    VEIL__FPE_NONE,
    VEIL__FPE_CARD,
    VEIL__FPE_IBAN,
    VEIL__FPE_EMAIL,
    VEIL__FPE_SSN,
    VEIL__FPE_PHONE,
} veil__fpe_kind_t;

veil__fpe_kind_t veil__fpe_kind(const char *id);

#endif
