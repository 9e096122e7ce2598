/*
 * Person names and street addresses in running text (names.c,
 * addresses.c): a pass of the text layer over the same bytes as the
 * trigger scan, driven by capitalised words and digit runs instead of the
 * trigger bytes. Words are looked up by hash in the person-name dictionary
 * (detectors/data/names.tsv, made into a table at build time); no PCRE2.
 */
#ifndef VEIL_DETECTORS_NAMES_H
#define VEIL_DETECTORS_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"

/* Where the pass reports: the text layer, or a dry run that only asks
   whether there is anything to report. */
typedef struct veil__nview {
    const unsigned char *b;
    size_t n;             /* bytes in b */
    int final;            /* no more bytes will come after b[n - 1] */
    int names, addresses; /* which detectors are on */
    struct veil__text *t; /* NULL: a dry run */
    int found;            /* a dry run found something */
    /* A dry run's spans of b where no name or address starts (ascending;
       the text layer's are t's), and the first not yet behind. */
    const uint64_t (*skip)[2];
    size_t nskip, skip_at;
} veil__nview_t;

/* The pass from <from> on: returns where it stopped (a word that needs
   bytes not yet in the view, or n). */
size_t veil__names_pass(veil__nview_t *v, size_t from);
/* Runs the pass over the text layer's buffer from t->npos on. */
void veil__names_run(struct veil__text *t, int final);
/* 1 when the pass would report something in the value <v> alone: values
   of a structured body that the trigger bytes would skip are given to the
   text layer when they may hold a name or an address. */
int veil__names_may_hold(const veil_engine_t *e, const char *v, size_t len);
/* The same for a text of values where no name or address starts in the
   <nskip> spans <skip> (offsets in <v>, ascending): a message head's field
   names and dates (veil_redactor_options_t.no_names). */
int veil__names_may_hold_skip(const veil_engine_t *e, const char *v, size_t len,
                              const uint64_t (*skip)[2], size_t nskip);
/* 1 when the whole value of an address-like field reads as a postal
   address (letters and a house number, no '@', not an IP address): the
   "address" key names IP and e-mail addresses too. */
int veil__address_like(const char *v, size_t len);

/* ---- shared by names.c and addresses.c ---- */

/* A word of running text: letters, with apostrophes and hyphens inside. */
typedef struct veil__word {
    size_t s, e;    /* its bytes */
    unsigned flags; /* VEIL__NAME_* from the dictionary (capitalised
                         words only), 0 when none */
    uint32_t h;     /* veil__fold_hash() of f, high half (never 0) */
    uint8_t cap;    /* capitalised: a capital, then a small letter */
    uint8_t len;    /* folded length (0: not folded: too long, all
                         capitals, or unfoldable) */
    char f[40];     /* folded: lower case, no accents */
} veil__word_t;

#define VEIL__NWORD_DEFER 2
/* Reads the word at <i>: 1 with *w filled, 0 when no word starts there,
   VEIL__NWORD_DEFER when it may go on past the view's end. */
int veil__nword(const veil__nview_t *v, size_t i, veil__word_t *w);
/* 1 when a word may start at <i> (the byte before is no letter or digit,
   nor the 'n' of an escaped "\n", nor the end of a %XX escape). */
int veil__nword_start(const unsigned char *b, size_t i);
/* Letter bytes at <i>: 1 or 2, 0 for none (-1: cut by the view's end). */
int veil__nletter(const veil__nview_t *v, size_t i);
/* Reports [s, e) as <det>. */
void veil__nreport(veil__nview_t *v, size_t s, size_t e, int det);

/* addresses.c: a street address starting at the word <w> (read at <i>)
   or, with <w> NULL, at the number at <i>; returns its end (0: none) and
   sets *start (an address may begin a little before <i>). */
size_t veil__address_at(const veil__nview_t *v, size_t i, const veil__word_t *w, size_t *start);
/* Builds addresses.c's word table (names.c calls it once). */
void veil__addresses_init(void);

#endif
