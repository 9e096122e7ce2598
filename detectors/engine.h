/*
 * Internal interfaces of the detection engine, shared by its files.
 *
 * Layers, bottom up:
 *   text_scan.c  the prefilter and candidate handlers over decoded text
 *                (struct veil__text), streaming with a hold-back window;
 *   json_walk.c, form_walk.c
 *                structure walkers that decode values and feed them to the
 *                text layer with their key as context;
 *   scanner.c    the public veil_scanner_*: picks a walker, maps decoded
 *                offsets back to raw bytes, reports veil_finding_t.
 */
#ifndef VEIL_DETECTORS_ENGINE_H
#define VEIL_DETECTORS_ENGINE_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdint.h>

#include "catalog.h"
#include "validators.h"
#include "veil/scan.h"

#define VEIL__CONTEXT_MAX 56 /* context words of one detector */
#define VEIL__CSV_COLS 32    /* columns of a CSV table with a key each */
/* What csv_columns.c has made of a text stream: not decided yet, a
   walker's values (no table), plain text outside a table, in a table. */
enum {
    VEIL__CSV_UNDECIDED = 0,
    VEIL__CSV_OFF,
    VEIL__CSV_IDLE,
    VEIL__CSV_ON
};

struct veil_engine {
    uint8_t enabled[VEIL_D__COUNT];
    uint8_t min_confidence;
    uint8_t jit; /* every core pattern JIT-compiled */
    /* Core patterns, JIT-compiled. Anchoring is compiled in: the JIT
       matcher ignores PCRE2_ANCHORED passed at match time. */
    pcre2_code *re[VEIL_D__COUNT];       /* anchored at the start offset */
    pcre2_code *re_whole[VEIL_D__COUNT]; /* and at the subject's end */
    /* Each detector's context words, split once. */
    struct {
        const char *word;
        uint8_t len;
    } context[VEIL_D__COUNT][VEIL__CONTEXT_MAX];
    uint8_t ncontext[VEIL_D__COUNT];
    uint64_t context_first[256];  /* bit d: a word of detector d starts so */
    uint64_t context_second[256]; /* ... has this second byte (or is one
                                     byte long): with context_first, most
                                     bytes of a window are ruled out */
    /* The same per detector as 256-bit sets for a nibble-table lookup:
       [d][0] first bytes, [d][1] second bytes; byte c is bit (c >> 4) & 7
       of entry (c & 15) + 16 * (c >> 7). */
    uint8_t context_sets[VEIL_D__COUNT][2][32];
    /* Every context word by its first byte: entries ctx_index[c] to
       ctx_index[c + 1] of ctx_words. */
    uint16_t ctx_index[257];
    struct {
        const char *word;
        uint8_t len, detector;
    } ctx_words[512];
    /* Within a first byte's entries the words are in detector order: one
       run per detector. Detector d's run among first byte c's is run
       ctx_run_index[c] + (the detectors below d in context_first[c]), its
       words ctx_run_start[run] to ctx_run_start[run + 1]. */
    uint16_t ctx_run_index[257];
    uint16_t ctx_run_start[513];
    uint8_t ctx_runs_ok; /* 0: the runs do not match context_first (words
                            past ctx_words' room), look through all */
    /* Custom detectors: their catalog entries (owned copies), validators,
       context words, and one alternation of all their patterns whose
       (*MARK) names the detector that matched. */
    veil_detector_info_t *custom;
    size_t ncustom;
    veil__validator_fn *custom_validator;
    uint8_t *custom_confidence;
    uint8_t *custom_context_required;
    pcre2_code *custom_re;
    char **allow_values; /* sorted, for bsearch */
    size_t allow_values_count;
    pcre2_code **allow_re;
    size_t allow_re_count;
};

/* veil__engine_allowed(): 1 when <s> is on the allowlist. */
int veil__engine_allowed(const veil_engine_t *e, pcre2_match_data *md, const char *s, size_t len);

/* Builds the key tables; veil_engine_new() calls it (once per process). */
void veil__keys_init(void);
/* Sensitive key classes: which detector a field's whole value belongs to,
   or -1. <key> is the raw key (any case, separators). */
int veil__key_class(const char *key, size_t len);
/* veil__key_class() of a key with 24 bytes readable from its start
   (in the text layer's buffer: VEIL__TEXT_AFTER bytes of room). */
int veil__key_class_at(const char *key, size_t len);
/* The same for key=value and "key: value" in prose and log lines, where a
   key that is one ambiguous word alone ("key", "pass", "auth") is not
   taken for a credential ("cache set key=...", "pass=3 fail=0"). */
int veil__key_class_prose(const char *key, size_t len);
/* veil__token_kind(): the credential detector whose format the whole of
   <v> has (a GitHub, Slack or Stripe token, an AWS key id, a JWT; a PEM
   private key by its first line), or -1. A value under a credential key is
   reported as that kind rather than as a secret field: the same span, a
   more telling finding. */
int veil__token_kind(const veil_engine_t *e, pcre2_match_data *md, const char *v, size_t len);
/* veil__value_is_mask(): 1 when <v>, the value of a sensitive field, is
   already a redaction placeholder or a masked value ([REDACTED], ****,
   <hidden>, **** **** **** 1111, null): not a finding. With <pct>, %XX
   escapes and '+' are decoded first (value.c). */
int veil__value_is_mask(const char *v, size_t len, int pct);
/* veil__auth_scheme_len(): the length of an auth scheme and the spaces
   after it at the start of <v> ("Bearer ", "Basic ", RFC 9110 section
   11.4) when a credential follows; 0 otherwise. */
size_t veil__auth_scheme_len(const char *v, size_t len);
/* veil_name_is_credential() (veil/credentials.h), with <prose> as above. */
int veil__credential_name(const char *name, size_t len, int prose);

/*
 * The same in two steps, for the hot path (keys.c: every key of every
 * body). veil__cred_may_hold() is the first pass, inline: 0 when the name
 * holds no probe of a credential word (most keys), so cannot name one;
 * veil__credential_judge() then splits the name into words and decides.
 * Both need veil__cred_names_init() (veil__keys_init() calls it).
 * Only the last VEIL__CRED_MAX_NAME bytes of a name are judged.
 */
#define VEIL__CRED_MAX_NAME 128
extern uint8_t veil__cred_letter[256];
extern uint16_t veil__cred_ac[];
void veil__cred_names_init(void);
int veil__credential_judge(const char *name, size_t len, int prose);

static inline int veil__cred_may_hold(const char *name, size_t len)
{
    const unsigned char *s = (const unsigned char *)name;
    unsigned off = 0; /* the root; the absorbing state AC_HIT is at 32 */
    size_t i = 0;

    if (len > VEIL__CRED_MAX_NAME) {
        s += len - VEIL__CRED_MAX_NAME;
        len = VEIL__CRED_MAX_NAME;
    }
    for (; i + 4 <= len; i += 4) {
        off = veil__cred_ac[off + veil__cred_letter[s[i]]];
        off = veil__cred_ac[off + veil__cred_letter[s[i + 1]]];
        off = veil__cred_ac[off + veil__cred_letter[s[i + 2]]];
        off = veil__cred_ac[off + veil__cred_letter[s[i + 3]]];
    }
    for (; i < len; i++) {
        off = veil__cred_ac[off + veil__cred_letter[s[i]]];
    }
    return off == 32;
}
/* veil__name_like(): 1 when <s> looks like a person's name (2-4 words,
   letters, capitalised): used for the ambiguous key "name". */
int veil__name_like(const char *s, size_t len);
/* veil__thing_key(): 1 for keys of objects whose "name" is not a person's
   (product, company, city, ...). */
int veil__thing_key(const char *key, size_t len);

/* Phone numbers: returns the confidence (0 when not a phone number) of the
   candidate <s> given whether a context word is near. */
int veil__phone_confidence(const char *s, size_t len, int has_context);
/* Both at once (one parse): conf[0] without a context word, conf[1] with. */
void veil__phone_confidences(const char *s, size_t len, int conf[2]);
/* Whether nine bare digits from <d> can be a national number (phone.c). */
int veil__phone_nine_ok(const char *d);

/* ---- the text layer ---- */

struct veil__kernels;

/* Findings in decoded-stream offsets, reported in order, never overlapping. */
typedef void (*veil__emit_fn)(void *ud, uint64_t start, uint64_t end, int detector, int confidence,
                              unsigned flags);

#define VEIL__LOOKBEHIND 160 /* bytes kept before the scan position */
#define VEIL__EMIT_LAG 112   /* a later finding starts at most this far back */

/* The text layer's buffer has this many zero bytes before it, and this
   many readable bytes after its capacity (text_scan.c's grow()). */
#define VEIL__TEXT_BEFORE 16
#define VEIL__TEXT_AFTER 64
#define VEIL__FIELD_KEY 62 /* bytes of a field's context kept (key, sibling) */

struct veil__text {
    const veil_engine_t *eng;
    const struct veil__kernels *k; /* this stream's SIMD level (simd.h) */
    int reference;                 /* every shortcut off (VEIL_SIMD=reference) */
    pcre2_match_data *md;
    pcre2_match_data *cmd; /* for the custom patterns */
    unsigned char *buf;
    size_t len, cap, pos;
    size_t used;                    /* bytes of buf written since the last wipe */
    size_t cpos;                    /* custom patterns have run up to here */
    size_t npos;                    /* the names and addresses pass (names.c) has
                                  run up to here */
    const uint64_t (*nonames)[2];   /* input spans where that pass starts
                                  nothing (veil__scanner_no_names()) */
    size_t nnonames, nonames_at;    /* how many; the first not yet behind */
    struct veil__csv {              /* names.c: the columns of a CSV table whose
                                  header row names them */
        uint64_t name, plain, addr; /* bit k: column k holds names ("name"
                                  alone: plain), addresses */
        uint64_t row_end;           /* stream offset: newlines before it are
                                  inside a row already judged */
        uint8_t on, sep, begun;
    } csv;
    /* csv_columns.c: a CSV table's header, whose names become the keys
       of its cells. Offsets are of the stream. */
    uint8_t walked;  /* a walker's values (JSON, form, XML, multipart),
                       not plain text: no CSV table (set by scanner.c) */
    uint64_t sealed; /* no finding still to come starts before this
                        (text_scan.c's veil__text_run()) */
    struct veil__csvcols {
        uint64_t at;         /* the bytes before it are read */
        uint64_t line_start; /* outside a table: where the line starts */
        uint64_t row_start;  /* where the current row starts */
        uint64_t cell_start; /* where the current cell starts */
        unsigned col;        /* the current cell's column */
        uint8_t state, sep, quoted, ncols, candidate;
        uint8_t hmax; /* the columns head[] was ever written for (a wipe) */
        uint8_t hlen[VEIL__CSV_COLS];
        uint8_t whole[VEIL__CSV_COLS]; /* a cell is a finding whole (cell_end()) */
        char head[VEIL__CSV_COLS][24];
    } csvcols;
    size_t match_from;         /* core patterns see the buffer from here
                                  (text_handlers.h, match()) */
    uint64_t pem_at, pem_seen; /* a held-back PEM block: where it starts and
                                  how far its footer has been looked for */
    uint64_t base;             /* stream offset of buf[0] */
    /* Keys of the values in the buffer: from offset start on, text is the
       value of key (lower-cased). A JSON body's values are appended one
       after another, each ended by a NUL delimiter, and scanned in one go. */
    struct veil__field {
        uint64_t start;
        uint64_t mask, done; /* detectors with a context word in key */
        uint8_t len;
        uint8_t csv; /* a CSV column's header (csv_columns.c), no value
                        judged whole */
        char key[VEIL__FIELD_KEY];
    } * fields;
    size_t nfields, capfields;
    size_t fields_used; /* entries written since the last wipe */
    size_t field_hint;  /* where field_at() found the last key */
    uint64_t ctx_mask;  /* ... in the window before ctx_pos */
    uint64_t ctx_done;  /* detectors ctx_mask has been computed for */
    char ctx_win[48];   /* the window before ctx_pos, lower-cased */
    size_t ctx_wl;
    size_t ctx_pos; /* SIZE_MAX: ctx_mask not computed */
    /* Whole-field findings of a structured body, in order: each holds a
       delimiter byte at <dec> in the text, so it is emitted in its place
       among the text findings, with its raw span. */
    struct veil__inject {
        uint64_t dec, raw_start, raw_end;
        uint16_t detector;
        uint8_t confidence, flags;
    } * inj;
    size_t inj_head, ninj, capinj;
    /* Findings not emitted yet, in offset order. A batch of values is
       scanned before anything is emitted, so this holds up to one input
       chunk's findings. */
    veil_finding_t *pend;
    uint32_t *pend_w; /* length of the longest finding merged in */
    size_t npend, cappend;
    veil__emit_fn emit;
    void *ud;
    int error;
    /* Look-alikes (text_scan.c, normalise()): buf holds the input with a
       no-break or thin space written as ' ', a full-width digit as its
       digit, %3A between hex digits as ':', ... A replacement shorter
       than what it replaced is recorded in shr, so that findings, the
       safe offset and veil__text_fed() are in the input's offsets:
       shr[k].dropped input bytes were dropped before buffer offset
       shr[k].at (stream offsets), shr_base before shr[0]. */
    struct veil__shrink {
        uint64_t at, dropped;
    } * shr;
    size_t nshr, capshr;
    uint64_t shr_base;
    uint8_t npart; /* input bytes held: a replacement they may
                                  start has not come whole */
    unsigned char part[15];
    uint64_t *plus; /* stream offsets of '+' written as ' ' */
    size_t nplus, capplus;
};

int veil__text_init(struct veil__text *t, const veil_engine_t *eng, veil__emit_fn emit, void *ud);
void veil__text_dispose(struct veil__text *t);
/* Wipes what <t> held, keeping its allocations and state (a stream that
   is over, or about to be reset); it touches no engine. */
void veil__text_wipe(struct veil__text *t);
/* Makes <t> new for another stream, keeping its allocations; what it held
   is wiped first. */
int veil__text_reset(struct veil__text *t, const veil_engine_t *eng, veil__emit_fn emit, void *ud);
/* Scans <len> more bytes of the current segment. */
int veil__text_feed(struct veil__text *t, const void *data, size_t len);
/* Appends bytes without scanning them yet (veil__text_run() scans). */
int veil__text_append(struct veil__text *t, const void *data, size_t len);
void veil__text_run(struct veil__text *t);
/* Scans and emits everything appended so far; the last byte appended must
   end a value (a delimiter), so nothing can be pending across it. */
void veil__text_flush(struct veil__text *t);
/* Queues a whole-field finding with its raw span, in its place after
   what was appended so far. The emit callback gets it with
   VEIL__FIND_RAW in flags and raw offsets. */
#define VEIL__FIND_RAW 0x80u
int veil__text_inject(struct veil__text *t, uint64_t raw_start, uint64_t raw_end, int detector,
                      int confidence, unsigned flags);
/* Ends the current segment: nothing is held back, no match spans it. */
void veil__text_end(struct veil__text *t);
/* Context for the bytes appended from now on (a JSON key, a form field
   name); NULL for none. */
void veil__text_set_field(struct veil__text *t, const char *key, size_t len);
/* A field's context as the text layer keeps it (lower case, at most
   VEIL__FIELD_KEY bytes): what has_context() reads for its values. */
size_t veil__text_field_key(char dst[VEIL__FIELD_KEY], const char *key, size_t len);
/* The same for the value that starts at stream offset <at> (at or after
   the last key's, within the buffer); <csv>: a CSV column's header. */
void veil__text_field_at(struct veil__text *t, uint64_t at, const char *key, size_t len, int csv);
/* Reads the CSV table the text holds, if it is one, up to the buffer's end
   and gives its cells their columns' keys (csv_columns.c). */
void veil__csv_columns_run(struct veil__text *t, int final);
/* The delimiter between the values of a structured body. No finding spans
   it and no context reaches across it; a decoded NUL inside a value is
   given to the text layer as 0x01. */
#define VEIL__DELIM '\0'
/* veil__has_trigger(): 1 when <s> holds a byte some handler starts on;
   text without one holds no built-in finding. */
int veil__has_trigger(const void *s, size_t len);
/* Queues a finding of the bytes buf[s..e) unless its detector is off, its
   confidence below the minimum or its value allowed (the handlers'
   report). */
void veil__text_report(struct veil__text *t, size_t s, size_t e, int det, int conf, unsigned flags);
/* Decoded offset below which every finding has been emitted. */
uint64_t veil__text_safe(const struct veil__text *t);
/* The input offset of buffer stream offset <x> (normalise() may have
   written fewer bytes than it read). */
uint64_t veil__text_input_offset_slow(const struct veil__text *t, uint64_t x);
static inline uint64_t veil__text_input_offset(const struct veil__text *t, uint64_t x)
{
    /* Most offsets asked about are past the last replacement. */
    if (t->nshr == 0) {
        return x + t->shr_base;
    }
    if (x >= t->shr[t->nshr - 1].at) {
        return x + t->shr[t->nshr - 1].dropped;
    }
    return veil__text_input_offset_slow(t, x);
}
/* Whether buf[i] is a form body's '+' that normalise() wrote as ' '. */
int veil__text_was_plus(const struct veil__text *t, size_t i);
/* Total decoded bytes fed so far. */
static inline uint64_t veil__text_fed(const struct veil__text *t)
{
    /* Every recorded replacement lies before the end of the buffer. */
    return t->base + t->len + t->npart + (t->nshr ? t->shr[t->nshr - 1].dropped : t->shr_base);
}

#endif
