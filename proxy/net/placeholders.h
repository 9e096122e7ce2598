/*
 * Placeholders for the round trip (action placeholder): a request going
 * to a service that echoes data back (an LLM API, a CRM) carries
 * [EMAIL_1], [CARD_2], ... instead of the values, numbered per exchange
 * (the same value under the same label, the same placeholder); the
 * response has them restored from that exchange's map as it streams. The
 * map lives and dies with the exchange, its values wiped; it is never
 * logged.
 *
 * No libuv here: the map and the restorer are plain code, tested alone
 * (tests/unit/test_placeholders.c).
 */
#ifndef VEIL_PLACEHOLDERS_H
#define VEIL_PLACEHOLDERS_H

#include <stddef.h>
#include <stdint.h>

/* The longest placeholder: '[', a label of up to 64, '_', 6 digits, ']'. */
#define VEIL__PH_MAX 73
/* Values one exchange may hold; more findings get the plain label. */
#define VEIL__PH_MAX_ENTRIES 4096

typedef struct veil__phmap veil__phmap_t;

veil__phmap_t *veil__ph_new(void);
/* Frees the map; its values are wiped first. NULL is fine. */
void veil__ph_free(veil__phmap_t *m);

/*
 * veil__ph_issue(): writes the placeholder of <raw> (<len> bytes) under
 * <label> (upper case, digits and '_', at most 64) into <out>: the same
 * number as before for the same label and value, else the label's next
 * one. Returns the length written, or -1 (the label is not valid, <cap>
 * too small, the map full, no memory): the caller then writes the plain
 * label, never the value.
 */
long veil__ph_issue(veil__phmap_t *m, const char *label, const char *raw, size_t len, char *out,
                    size_t cap);
/* Placeholders issued so far (distinct values). */
size_t veil__ph_count(const veil__phmap_t *m);

/* What a restorer hands on: 0 to go on, -1 to stop. */
typedef int (*veil__ph_emit_fn)(void *ud, const char *data, size_t len);

/* A restorer for one stream: feed it in pieces of any size; a placeholder
   split across pieces is held back (at most VEIL__PH_MAX - 1 bytes). */
typedef struct veil__ph_restorer {
    const veil__phmap_t *m;
    char pend[VEIL__PH_MAX];
    size_t npend;
    uint64_t restored; /* placeholders replaced by their value */
    uint64_t unknown;  /* placeholder-shaped, not in the map */
} veil__ph_restorer_t;

void veil__ph_restorer_init(veil__ph_restorer_t *r, const veil__phmap_t *m);
int veil__ph_restore(veil__ph_restorer_t *r, const char *data, size_t len, veil__ph_emit_fn emit,
                     void *ud);
/* The end of the stream: bytes held back go out as they are. */
int veil__ph_restore_finish(veil__ph_restorer_t *r, veil__ph_emit_fn emit, void *ud);

#endif
