/*
 * The detection engine: a catalog of built-in detectors, a compiled engine
 * (immutable, shared by every thread) and streaming scanners (one per body).
 *
 * A scanner takes the bytes of one stream in any chunking and reports the
 * same findings, in offset order, as it would for the whole stream at once.
 * Findings carry positions and the detector, never the matched value.
 */
#ifndef VEIL_SCAN_H
#define VEIL_SCAN_H

#include <stddef.h>
#include <stdint.h>

typedef enum veil_category {
    VEIL_CAT_CONTACT,
    VEIL_CAT_FINANCIAL,
    VEIL_CAT_GOVERNMENT_ID,
    VEIL_CAT_HEALTH,
    VEIL_CAT_CREDENTIALS,
    VEIL_CAT_NETWORK,
    VEIL_CAT_DEMOGRAPHIC,
    VEIL_CAT__COUNT
} veil_category_t;

/* Regulations, as a bit set. */
enum {
    VEIL_REG_GDPR = 1u << 0,
    VEIL_REG_CCPA = 1u << 1,
    VEIL_REG_PCI_DSS = 1u << 2,
    VEIL_REG_HIPAA = 1u << 3,
    VEIL_REG_GLBA = 1u << 4,
};

typedef enum veil_confidence {
    VEIL_CONF_LOW = 1,
    VEIL_CONF_MEDIUM = 2,
    VEIL_CONF_HIGH = 3,
} veil_confidence_t;

typedef enum veil_format {
    VEIL_FMT_TEXT,
    VEIL_FMT_JSON,
    VEIL_FMT_FORM,      /* application/x-www-form-urlencoded and query strings */
    VEIL_FMT_MULTIPART, /* multipart/form-data and the other multipart types:
                           needs its boundary (veil_body_type_t) */
    VEIL_FMT_XML,       /* application/xml, text/xml, +xml (SOAP included) */
} veil_format_t;

/* The longest multipart boundary (RFC 2046 section 5.1.1). */
#define VEIL_BOUNDARY_MAX 70

/*
 * A body's type as its Content-Type gives it: the format and, for
 * multipart, the boundary. boundary_len 0 for VEIL_FMT_MULTIPART means
 * "take the boundary from the body's first line" (a body that starts
 * with "--boundary"; otherwise it is scanned as text): for files and
 * tests, never for HTTP bodies, whose boundary is the Content-Type's.
 */
typedef struct veil_body_type {
    veil_format_t format;
    uint8_t boundary_len;
    char boundary[VEIL_BOUNDARY_MAX];
} veil_body_type_t;

/* One built-in detector, as `veil detectors` prints it. */
typedef struct veil_detector_info {
    const char *id;    /* "credit_card" */
    const char *label; /* "CREDIT_CARD", used by the label transform */
    veil_category_t category;
    unsigned regulations;   /* VEIL_REG_* bits */
    const char *validator;  /* "luhn+issuer", or NULL */
    const char *pattern;    /* the core PCRE2 pattern, Hyperscan-compatible */
    const char *context;    /* context words, comma-separated, or NULL */
    const char *example;    /* a synthetic example value */
    const char *confidence; /* how confidence is assigned, one sentence */
} veil_detector_info_t;

/* Where a finding sits. */
enum {
    VEIL_FIND_FIELD = 1u << 0,     /* the whole value of a sensitive field */
    VEIL_FIND_JSON_BARE = 1u << 1, /* a bare JSON token (number, literal):
                                      a replacement must be quoted */
    VEIL_FIND_RULE = 1u << 2,      /* the whole value at a place a field rule
                                      names (veil_redactor_options_t
                                      field_action): <detector> holds the
                                      rule's veil_action_t, not a detector */
    VEIL_FIND_SKIP = 1u << 3,      /* the content of a multipart part that
                                      was not inspected: <detector> holds
                                      its veil_skip_reason_t. Reported to a
                                      redactor only, which writes a marker
                                      in its place (one per part: pieces
                                      before the last carry VEIL_FIND_MORE) */
    VEIL_FIND_MORE = 1u << 4,      /* more of the same skipped part follows */
};

/* Why a part of a multipart body was not inspected. */
typedef enum veil_skip_reason {
    VEIL_SKIP_BINARY,  /* a binary media type (image/png, application/pdf, ...) */
    VEIL_SKIP_ENCODED, /* a Content-Transfer-Encoding (base64, quoted-printable) */
    VEIL_SKIP_HEADERS, /* its header block was longer than 8 KiB */
    VEIL_SKIP__COUNT
} veil_skip_reason_t;

/* veil_skip_reason_name(): "binary", "encoded", "headers". */
const char *veil_skip_reason_name(veil_skip_reason_t reason);

typedef struct veil_finding {
    uint64_t offset;    /* raw byte offset from the start of the stream */
    uint32_t length;    /* raw byte length */
    uint16_t detector;  /* index into the catalog */
    uint8_t confidence; /* veil_confidence_t */
    uint8_t flags;      /* VEIL_FIND_* */
} veil_finding_t;

/* The catalog of built-in detectors, in a stable order. There are at most
   VEIL_CATALOG_MAX of them: callers may size per-detector arrays by it. */
#define VEIL_CATALOG_MAX 128
size_t veil_catalog_count(void);
const veil_detector_info_t *veil_catalog_get(size_t index);
/* veil_catalog_find(): the index of detector <id>, or -1. */
int veil_catalog_find(const char *id);
const char *veil_category_name(veil_category_t category);
/* veil_regulations_format(): writes "gdpr,ccpa" into <buf>; returns <buf>. */
char *veil_regulations_format(unsigned regulations, char *buf, size_t size);

/*
 * A detector defined in the configuration: a PCRE2 pattern, optionally a
 * built-in validator by name ("luhn", "iban", ...: veil__validator_names()),
 * context words and a base confidence. All custom patterns run together as
 * one alternation over the decoded text, in the same pass as the built-in
 * handlers; a match may be at most VEIL_CUSTOM_MAX_MATCH bytes long.
 */
#define VEIL_CUSTOM_MAX_MATCH 4096

typedef struct veil_custom_detector {
    const char *id; /* unique, not a built-in id */
    veil_category_t category;
    unsigned regulations;
    const char *pattern;
    const char *validator;        /* NULL: none */
    const char *context;          /* comma-separated words, or NULL */
    int context_required;         /* without a context word, no finding */
    veil_confidence_t confidence; /* base; a context word raises it one level */
} veil_custom_detector_t;

typedef struct veil_engine_options {
    /* Detectors to run, by catalog index: enabled[i] != 0. NULL: all. */
    const uint8_t *enabled;
    /* Findings below this confidence are not reported. 0: medium. */
    veil_confidence_t min_confidence;
    /* Values never flagged: exact strings and PCRE2 patterns (matched
       against the whole value). Copied; the caller keeps ownership. */
    const char *const *allow_values;
    size_t allow_values_count;
    const char *const *allow_patterns;
    size_t allow_patterns_count;
    /* Detectors from the configuration; they get indexes after the
       built-ins (veil_catalog_count() + i). Copied. */
    const veil_custom_detector_t *custom;
    size_t custom_count;
} veil_engine_options_t;

typedef struct veil_engine veil_engine_t;

/*
 * veil_engine_new(): compiles an engine. <opts> may be NULL for defaults.
 * On failure returns NULL and writes a reason into <err> (<errlen> bytes).
 * The engine is immutable and may be shared by any number of threads.
 */
veil_engine_t *veil_engine_new(const veil_engine_options_t *opts, char *err, size_t errlen);
void veil_engine_free(veil_engine_t *engine);

/* The engine's detectors: the built-in catalog, then its custom ones. */
size_t veil_engine_detector_count(const veil_engine_t *engine);
const veil_detector_info_t *veil_engine_detector(const veil_engine_t *engine, size_t index);
/* veil_engine_find(): the index of detector <id>, or -1. */
int veil_engine_find(const veil_engine_t *engine, const char *id);

/*
 * veil_engine_text_clear(): 1 when <text> (<len> bytes), scanned by
 * <engine> as one VEIL_FMT_TEXT stream, certainly yields no finding: each
 * of its trigger bytes is one the engine's shortcuts rule out, and the
 * names pass finds nothing in it outside the <n_no_names> spans
 * <no_names> (as veil_redactor_options_t.no_names: offsets, ascending,
 * where no name or address starts). 0 when it may yield one, or when this
 * cannot be told cheaply (custom patterns, more than 4 KiB,
 * VEIL_SIMD=reference): then scan it. A dry run at a fraction of a
 * scanner's cost, for a caller that would scan a short text only to learn
 * it holds nothing (a proxy's head values).
 */
int veil_engine_text_clear(const veil_engine_t *engine, const void *text, size_t len,
                           const uint64_t (*no_names)[2], size_t n_no_names);

typedef struct veil_scanner veil_scanner_t;

/* Called once per finding, in increasing offset order. */
typedef void (*veil_finding_cb)(void *ud, const veil_finding_t *finding);

/*
 * veil_scanner_new(): a scanner for one stream of <format>. <cb> receives
 * the findings. The engine must outlive the scanner.
 */
veil_scanner_t *veil_scanner_new(const veil_engine_t *engine, veil_format_t format,
                                 veil_finding_cb cb, void *ud);
/* veil_scanner_new_typed(): the same for a body type (a multipart body
   with its boundary). <type> is copied. */
veil_scanner_t *veil_scanner_new_typed(const veil_engine_t *engine, const veil_body_type_t *type,
                                       veil_finding_cb cb, void *ud);
/*
 * veil_scanner_feed(): scans the next <len> bytes. Any chunking gives the
 * same findings. Returns 0 or -ENOMEM. The scanner keeps a bounded copy of
 * the bytes it could not decide yet (the hold-back window).
 */
int veil_scanner_feed(veil_scanner_t *s, const void *data, size_t len);
/* veil_scanner_finish(): the stream ended; reports what was held back. */
int veil_scanner_finish(veil_scanner_t *s);
/*
 * veil_scanner_safe_offset(): every finding that starts before this raw
 * offset has been reported, and no later finding will start before it.
 * Bytes before it may be released (forwarded, written) by the caller.
 */
uint64_t veil_scanner_safe_offset(const veil_scanner_t *s);
/* veil_scanner_free(): wipes the held-back bytes and frees. NULL-safe. */
void veil_scanner_free(veil_scanner_t *s);
/*
 * veil_scanner_skipped(): parts of a multipart body (nested ones
 * included) left uninspected so far for <reason>. Their bytes are never
 * findings: a redactor replaces them in its output by a marker, or copies
 * them (veil_redactor_options_t keep_skipped). VEIL_SKIP__COUNT: all
 * reasons summed.
 */
uint32_t veil_scanner_skipped(const veil_scanner_t *s, veil_skip_reason_t reason);

/* veil_format_from_content_type(): JSON for application/json and +json,
   FORM for x-www-form-urlencoded, XML for application/xml, text/xml and
   +xml, TEXT otherwise (multipart too: without its boundary a multipart
   body cannot be read; veil_body_type_from_content_type() gives both). */
veil_format_t veil_format_from_content_type(const char *ct, size_t len);
/*
 * veil_body_type_from_content_type(): the body type of the Content-Type
 * value <ct>: the format as veil_format_from_content_type() gives it, and
 * for a multipart/ type its boundary parameter (quoted or not, 1 to 70
 * bytes, none of them a control byte). A multipart type without a usable
 * boundary is TEXT.
 */
void veil_body_type_from_content_type(const char *ct, size_t len, veil_body_type_t *out);

#endif
