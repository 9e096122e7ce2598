/*
 * veil_engine_text_clear(): whether a text stream certainly holds no
 * finding, from a dry scan instead of a scanner. A proxy inspects every
 * request and response head, and the values of most heads (a content
 * type, a length, a server's name, a user agent) hold nothing: a
 * scanner's set-up, its pass and its wiping cost far more than the few
 * hundred bytes' triggers, each of which the text layer's shortcuts rule
 * out (text_handlers.h, padded_needs_scan()) or the names probe clears
 * (names.c).
 */
#include <stdint.h>
#include <string.h>

#include "engine.h"
#include "names.h"
#include "simd.h"
#include "slot_hash.h"
#include "veil/scan.h"

/* The longest text judged: a head's values, on the stack. */
#define CLEAR_MAX 4096

/*
 * The texts found clear before, per thread: a proxy's responses from one
 * upstream repeat their heads (the server's name, the content type; the
 * dates are left out by the caller), and the names pass over a head costs
 * more than the dry scan. A text is kept with its spans and the engine's
 * switches the answer depends on (date_of_birth, person_name, address,
 * the confidence floor: the rest of the dry run reads built-in tables
 * only), compared whole, so no collision answers for another. Only clear
 * texts are kept: nothing veil would not write unredacted into its log.
 */
#define CLEAR_SLOTS 32
#define CLEAR_KEY 448
typedef struct {
    uint16_t len; /* 0: empty */
    unsigned char k[CLEAR_KEY];
} clear_entry_t;
static _Thread_local clear_entry_t clear_cache[CLEAR_SLOTS];

/* The cache key of a text in <key>: its length, or 0 when it is too long
   for one. */
static size_t clear_key(unsigned char key[CLEAR_KEY], const veil_engine_t *e, const void *text,
                        size_t len, const uint64_t (*spans)[2], size_t nspans)
{
    size_t n = 2 + 4 * nspans + len;
    if (n > CLEAR_KEY || nspans > 255) {
        return 0;
    }
    key[0] = (unsigned char)(e->enabled[VEIL_D_DATE_OF_BIRTH] |
                             e->enabled[VEIL_D_PERSON_NAME] << 1 | e->enabled[VEIL_D_ADDRESS] << 2 |
                             (e->min_confidence > VEIL_CONF_MEDIUM) << 3);
    key[1] = (unsigned char)nspans;
    for (size_t i = 0; i < nspans; i++) {
        /* (offsets within the text: below CLEAR_KEY) */
        key[2 + 4 * i] = (unsigned char)spans[i][0];
        key[3 + 4 * i] = (unsigned char)(spans[i][0] >> 8);
        key[4 + 4 * i] = (unsigned char)spans[i][1];
        key[5 + 4 * i] = (unsigned char)(spans[i][1] >> 8);
    }
    memcpy(key + 2 + 4 * nspans, text, len);
    return n;
}

static size_t clear_slot(const unsigned char *k, size_t n)
{
    return (size_t)(veil__slot_hash(k, n) >> 56) % CLEAR_SLOTS;
}

int veil_engine_text_clear(const veil_engine_t *e, const void *text, size_t len,
                           const uint64_t (*no_names)[2], size_t n_no_names)
{
    unsigned char w[64 + CLEAR_MAX + 128];
    int reference;
    const veil__kernels_t *k = veil__simd_kernels(&reference);

    /* Custom patterns match what they match; the reference mode takes no
       shortcut (the tests compare it with the others). */
    if (e == NULL || e->custom_re != NULL || reference || len > CLEAR_MAX) {
        return 0;
    }
    if (len == 0) {
        return 1;
    }
    unsigned char key[CLEAR_KEY];
    size_t kn = clear_key(key, e, text, len, no_names, n_no_names);
    clear_entry_t *c = kn ? &clear_cache[clear_slot(key, kn)] : NULL;
    if (c != NULL && c->len == kn && memcmp(c->k, key, kn) == 0) {
        explicit_bzero(key, kn);
        return 1;
    }
    /* The text as the text layer sees a stream: nothing before its first
       byte and after its last, which the dry scan reads as zero bytes. */
    memset(w, 0, 64);
    memcpy(w + 64, text, len);
    memset(w + 64 + len, 0, 128);
    int clear = !k->padded_needs_scan(w, 64, 64 + len, e->enabled[VEIL_D_DATE_OF_BIRTH]) &&
                !veil__names_may_hold_skip(e, (const char *)text, len, no_names, n_no_names);
    if (clear && c != NULL) {
        c->len = (uint16_t)kn;
        memcpy(c->k, key, kn);
    }
    /* (the copies held the request's bytes) */
    explicit_bzero(w + 64, len);
    if (kn) {
        explicit_bzero(key, kn);
    }
    return clear;
}
