/*
 * The scanner object shared by scanner.c (public API, offset mapping) and
 * the structure walkers json_walk.c and form_walk.c.
 */
#ifndef VEIL_DETECTORS_SCANNER_H
#define VEIL_DETECTORS_SCANNER_H

#include "engine.h"
#include "veil/transform.h"

/* Decoded bytes [dec, dec + dlen) came from raw bytes [raw, raw + rlen):
   one-to-one when dlen == rlen; with step, a run of escapes of step raw
   bytes each decoding to one byte (a string of backslashes, %41%41, or
   \\u0041\\u0041); else one escape sequence. */
typedef struct {
    uint64_t dec, raw;
    uint32_t dlen, rlen;
    uint16_t bare; /* a bare JSON token, whole */
    uint16_t step; /* 0, or the raw bytes of each escape of a run */
} veil__seg_t;

#define VEIL__KEY_MAX 64
#define VEIL__DEPTH_MAX 64
#define VEIL__FIELD_SPLIT 65536 /* a sensitive value is reported in pieces of this */
#define VEIL__NAME_MAX 96       /* "name" values are judged whole up to this */
#define VEIL__PATH_MAX 256      /* concrete paths handed to field rules */
#define VEIL__DET_RULE (-2)     /* field_det of a value a field rule takes */
#define VEIL__DET_SKIP (-3)     /* veil__scan_field(): a skipped part's bytes */

typedef struct {
    char key[VEIL__KEY_MAX];
    uint8_t key_len;
    uint8_t is_array;
    /* The last short string value in this object, as context for its
       siblings: {"type": "us_ssn", "number": "..."}. */
    char sibling[24];
    uint8_t sibling_len;
    int8_t key_class; /* veil__key_class() of key, computed once */
    uint32_t nitems;  /* values begun in this array so far */
} veil__frame_t;

enum veil__jstate {
    J_VALUE,
    J_KEY_OR_END,
    J_COLON,
    J_AFTER,
    J_STRING,
    J_ESCAPE,
    J_UNICODE,
    J_NUMBER,
    J_LITERAL,
    J_TEXT /* not JSON after all: the rest is text */
};

enum veil__value_mode {
    V_SCAN,  /* decoded and scanned as text with its key as context */
    V_FIELD, /* a sensitive field: the whole value is one finding */
    V_NAME,  /* under "name": held until we know whether it reads as a name */
    V_LAZY,  /* held while short: a value with no trigger byte cannot hold a
                 finding, and is never handed to the text layer at all */
};

/* Keys repeat (an array of objects spells the same keys again and again):
   each distinct key of a stream is classified once, then found in a
   direct-mapped cache by a hash of its bytes, or without the hash as the
   key that followed the last one the time before. A slot is in use when its
   bit in kcache_used is set, so a new stream clears 16 bytes, not the
   cache. */
#define VEIL__KCACHE_SLOTS 128
#define VEIL__KCACHE_KEY 32
typedef struct {
    uint64_t w[VEIL__KCACHE_KEY / 8]; /* the key, zero-padded */
    uint8_t len;
    int8_t cls;
    /* Whether the JSON walk's fast loop hands the key to the text layer
       (its trigger bytes and names probe, json_walk.c): 0 not known yet,
       1 no, 2 yes. A function of the key's bytes and the engine. */
    uint8_t to_text;
    /* The slot + 1 of the key that followed this one last, 0 none: the
       walk tries it before hashing (a record spells its keys in order). */
    uint8_t next;
} veil__kcache_t;

/* The context words a value's field context holds, for the walk's
   values judged by context alone (json_walk.c context_cleared()): the
   context (key, sibling) repeats from record to record, and
   context_mask() cost about 700 instructions a value. Direct-mapped by a
   hash of the raw context (at most VEIL__FIELD_KEY bytes, as the text
   layer keeps it), holding the detectors asked; a slot is in use when its
   bit in ccache_used is set. It holds sibling values, so it is wiped
   with the other buffers. */
#define VEIL__CCACHE_BITS 6 /* 64 slots, 4.5 KiB: 256 took 0.6% more off */
#define VEIL__CCACHE_SLOTS (1u << VEIL__CCACHE_BITS)
typedef struct {
    uint64_t want; /* the detectors asked */
    uint8_t len;
    uint8_t clear; /* none of them has a context word in it */
    char ctx[62];  /* (VEIL__FIELD_KEY) */
} veil__ccache_t;

struct veil_scanner {
    const veil_engine_t *eng;
    veil_format_t format;
    veil_finding_cb cb;
    void *ud;
    struct veil__text text;
    int text_active;
    int open_text;    /* bytes appended since the last delimiter */
    uint64_t raw_pos; /* raw bytes consumed */
    uint64_t hold;    /* raw offset not to be released yet */
    veil__seg_t *segs;
    size_t nsegs, capsegs;
    size_t seg_hint; /* the segment a finding was last found in */
    int error;

    /* Walker state (JSON and form). */
    int state;
    int in_key;             /* the string being read is a key */
    int mode;               /* enum veil__value_mode */
    int field_det;          /* detector of a V_FIELD/V_NAME value */
    uint64_t value_raw;     /* raw start of the current value */
    uint64_t token_raw_end; /* raw end of the last bare token */
    uint64_t bare_start, bare_end;
    uint64_t last_bare; /* raw start of the last bare token reported */
    unsigned depth;
    unsigned depth_max; /* frames ever used: what to wipe */
    size_t key_len;
    size_t tok_len;
    uint64_t uhigh_start;  /* raw start of a pending high surrogate */
    uint32_t ucode, uhigh; /* \u escape and a pending high surrogate */
    int uhex;
    uint64_t esc_start; /* raw offset of the escape's backslash */
    size_t head_len;
    uint64_t value_dlen;             /* decoded length of the current value */
    const char *ctx_key, *ctx_sib;   /* the current value's context: its key */
    size_t ctx_key_len, ctx_sib_len; /* and the object's last short value */
    size_t name_len;
    size_t name_nseg;
    int name_overflow;
    int pct; /* form: hex digits of a %XX read so far */
    int form_started;
    unsigned char pct_val;
    /* form: a '%' that came from %25 and the (decoded) characters after
       it, held until they show whether it starts a second level of
       percent-encoding (%2540 is '@'): form_walk.c */
    int pct2;            /* 0, or 1 + characters held */
    uint64_t pct2_start; /* raw offset of the %25 */
    struct {
        char c;
        uint32_t rlen;
        uint64_t raw;
    } pct2_held[2];
    veil_field_action_cb field_cb; /* field rules (redactor), or NULL */
    void *field_ud;
    int rule_action; /* of a VEIL__DET_RULE value */
    /* A walker nested in a multipart part: the part's name is the root
       value's context (JSON) and the first step of the paths field rules
       see ($.name.inner). NULL outside a part. */
    const char *root_key;
    size_t root_key_len;
    /* Multipart and XML state, allocated for those formats only and kept
       across veil__scanner_reset(). */
    struct veil__mp *mp;
    struct veil__xml *xml;
    int report_skips; /* skipped parts are reported (redactor) */
    int skip_reason;  /* of the skipped part being reported */
    uint32_t skipped[VEIL_SKIP__COUNT];
    uint64_t kcache_used[VEIL__KCACHE_SLOTS / 64];
    uint8_t kcache_last; /* the slot + 1 of the last key found, 0 none */
    uint64_t ccache_used[VEIL__CCACHE_SLOTS / 64];

    /* Buffers from here on are never read before they are written, so a
       new scanner zeroes only what comes before them (veil_scanner_new). */
    char key[VEIL__KEY_MAX];
    char tok[72];   /* a number or literal being read */
    char head[128]; /* first decoded bytes of the value (a
                                     token as long as a GitHub fine-grained
                                     one fits: value.c token_kind) */
    char name[VEIL__NAME_MAX];
    struct { /* where the held name's bytes came from */
        uint64_t raw;
        uint32_t rlen;
        uint32_t dlen; /* == rlen: plain bytes; else one escape */
    } name_seg[24];
    veil__kcache_t kcache[VEIL__KCACHE_SLOTS]; /* wiped slot by slot */
    veil__ccache_t ccache[VEIL__CCACHE_SLOTS]; /* the same */
    veil__frame_t stack[VEIL__DEPTH_MAX];      /* last: wiped up to depth_max */
};

/* Field rules for the values of this stream (veil_redactor_options_t). */
void veil__scanner_set_field_cb(veil_scanner_t *s, veil_field_action_cb cb, void *ud);
/* Skipped parts are reported as VEIL_FIND_SKIP findings (a redactor that
   writes markers for them); off by default. */
void veil__scanner_report_skips(veil_scanner_t *s, int on);
/* The input spans where the names pass starts nothing
   (veil_redactor_options_t.no_names); NULL, 0: none. */
void veil__scanner_no_names(veil_scanner_t *s, const uint64_t (*spans)[2], size_t n);
/* The text's lines are values of their own, never a CSV table
   (veil_redactor_options_t.no_tables); until the next reset. */
void veil__scanner_no_tables(veil_scanner_t *s);
/* A path step for key <key>: .key when it reads as a plain name, ['key']
   otherwise; 0 when it cannot be written (a quote in it, too long, no
   room). */
size_t veil__path_step(const char *key, size_t len, char *out, size_t room);
/* veil__key_class() through the scanner's cache of recent keys. */
int veil__key_class_cached(struct veil_scanner *s, const char *key, size_t len);
/* The rule action for the JSON value about to open (path from the frames)
   or the form field <name>; -1 for none. */
int veil__json_rule(struct veil_scanner *s);

/* Wipes the decoded bytes <s> holds (a finished stream kept for reuse);
   touches no engine. */
void veil__scanner_wipe(veil_scanner_t *s);
/* Makes <s> new for another stream, as veil_scanner_new() would, keeping
   its allocations; what it held is wiped first. On failure <s> can only
   be freed. */
int veil__scanner_reset(veil_scanner_t *s, const veil_engine_t *engine,
                        const veil_body_type_t *type, veil_finding_cb cb, void *ud);

/* Feeds decoded bytes that came one-to-one from raw offset <raw>. */
int veil__scan_plain(struct veil_scanner *s, const char *dec, size_t len, uint64_t raw);
/* Feeds <dlen> decoded bytes that came from one escape of <rlen> raw bytes. */
int veil__scan_escape(struct veil_scanner *s, const char *dec, size_t dlen, uint64_t raw,
                      uint32_t rlen);
/* Feeds <n> decoded bytes from as many escapes of <step> raw bytes each
   (fewer than 4096 of them). */
int veil__scan_escapes(struct veil_scanner *s, const char *dec, size_t n, uint64_t raw,
                       uint32_t step);
/* Starts and ends a scanned value: its bytes are appended to the text
   layer with its key as context, and a delimiter after it. The text layer
   scans what was appended when the walker's input chunk is done. */
void veil__scan_begin(struct veil_scanner *s, const char *key, size_t key_len);
void veil__scan_end(struct veil_scanner *s);
/* Reports a whole-field finding in raw offsets. */
void veil__scan_field(struct veil_scanner *s, uint64_t start, uint64_t end, int det,
                      unsigned flags);

/* A value of a structured body (a JSON string or number, a form value):
   scanned as text with its key as context, or one whole-field finding when
   the key is sensitive. Offsets are raw. */
void veil__value_open(struct veil_scanner *s, const char *key, size_t key_len, int not_a_person,
                      uint64_t raw_start);
/* The same with the key's class already known (-1: none) and a sibling
   value as more context. <key> and <sibling> are not copied: they must
   stay unchanged until the value closes. */
void veil__value_open_class(struct veil_scanner *s, int cls, const char *key, size_t key_len,
                            const char *sibling, size_t sibling_len, int not_a_person,
                            uint64_t raw_start);
/* The context a value is scanned with (its key, then a space and the
   sibling where both fit), in <ctx>; returns its length. */
size_t veil__value_ctx(char ctx[VEIL__KEY_MAX], const char *key, size_t key_len,
                       const char *sibling, size_t sibling_len);
/* 1 when the open value, <v> (<len> bytes), is under a plain name key
   judged no person's (value.c) and holds no byte that is or may become a
   digit: the names pass, which could only find an address there, is not
   asked about it. */
int veil__value_names_judged(const struct veil_scanner *s, const char *v, size_t len);
void veil__value_open_key(struct veil_scanner *s, uint64_t raw_start);
/* A value a field rule takes whole, with veil_action_t <action>. */
void veil__value_open_rule(struct veil_scanner *s, int action, uint64_t raw_start);
void veil__value_bytes(struct veil_scanner *s, const char *dec, size_t len, uint64_t raw);
void veil__value_escape(struct veil_scanner *s, const char *dec, size_t dlen, uint64_t raw,
                        uint32_t rlen);
/* <n> escapes in a row of <step> raw bytes each, each decoding to one of
   the bytes <dec>. */
void veil__value_escapes(struct veil_scanner *s, const char *dec, size_t n, uint64_t raw,
                         uint32_t step);
void veil__value_close(struct veil_scanner *s, uint64_t raw_end, unsigned flags);
/* veil__value_bytes() and veil__value_close() for a value whose decoded
   bytes <v> came one to one from raw <raw> and are all at hand. <trigger>:
   its trigger bytes from the walker's index, bit k for byte k (len < 64),
   or all ones when it holds some and 0 when none. <need>: whether the
   text layer must see a held value, when the walker judged it (0 or 1);
   -1: judged here. */
void veil__value_whole(struct veil_scanner *s, const char *v, size_t len, uint64_t raw,
                       uint64_t raw_end, unsigned flags, uint64_t trigger, int need);
/* Text of a structured body that is no value of it (an XML comment, a
   multipart preamble): a value under no key at the root's place ("$", or
   the multipart part's "$.name"), which field rules may take whole (body
   allowlists drop it); else scanned as text. */
void veil__value_open_aside(struct veil_scanner *s, uint64_t raw_start);
/* Ends a value held lazily (not handed to the text layer yet) without
   scanning it: 1, or 0 when it was not held so (it must be closed). */
int veil__value_drop_lazy(struct veil_scanner *s);

int veil__json_feed(struct veil_scanner *s, const unsigned char *p, size_t len);
void veil__json_finish(struct veil_scanner *s);
/* Makes the JSON walker start a new document (a multipart part). */
void veil__json_begin(struct veil_scanner *s);
int veil__form_feed(struct veil_scanner *s, const unsigned char *p, size_t len);
void veil__form_finish(struct veil_scanner *s);
void veil__form_begin(struct veil_scanner *s);

/* XML (xml_walk.c). veil__xml_begin() allocates the walker's state on
   first use; 0 or -ENOMEM. */
int veil__xml_begin(struct veil_scanner *s);
int veil__xml_feed(struct veil_scanner *s, const unsigned char *p, size_t len);
void veil__xml_finish(struct veil_scanner *s);
/* The raw offset of the first byte the XML walker holds unread (an
   entity, a '<' not known to open a tag), or UINT64_MAX. */
uint64_t veil__xml_hold(const struct veil_scanner *s);
void veil__xml_wipe(struct veil_scanner *s);
void veil__xml_free(struct veil_scanner *s);

/* Multipart (multipart_walk.c): veil__mp_begin() sets the boundary
   (<type> boundary_len 0: the first line's); 0 or -ENOMEM. */
int veil__mp_begin(struct veil_scanner *s, const veil_body_type_t *type);
int veil__mp_feed(struct veil_scanner *s, const unsigned char *p, size_t len);
void veil__mp_finish(struct veil_scanner *s);
/* The safe offset as far as the multipart walker and the walker of the
   current part know it (<safe>: what the caller knows so far). */
uint64_t veil__mp_safe(const struct veil_scanner *s, uint64_t safe);
void veil__mp_wipe(struct veil_scanner *s);
void veil__mp_free(struct veil_scanner *s);
/* The safe offset of a JSON or form walker's pending escape. */
uint64_t veil__escape_safe(const struct veil_scanner *s, veil_format_t fmt, uint64_t safe);

#endif
