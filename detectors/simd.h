/*
 * Runtime dispatch of the engine's vector kernels.
 *
 * The byte-classifying loops (the text layer's scan and handlers, the JSON
 * walker's structure index) are compiled once per instruction set level
 * from the same source (text_handlers.h, json_index.h), each copy in a file
 * of its own with its own compiler flags: kernels_avx512.c (-mavx512bw:
 * the names pass's mask in 64-byte registers, the rest as on AVX2),
 * kernels_avx2.c (-mavx2), kernels_sse.c (-msse4.2) and kernels_scalar.c
 * (no vector instructions at all). The best level the CPU has is chosen
 * once, at the first engine; the environment variable
 * VEIL_SIMD=scalar|sse|avx2|avx512 asks for a lower one
 * (a level the CPU lacks is never chosen), and VEIL_SIMD=reference turns
 * every shortcut off (on the best level's kernels): the text layer's
 * digit_fast, the JSON walker's index and its values judged in place; the
 * engine then walks as it did before them. Every level and the reference
 * give the same findings and the same output byte for byte; the tests and
 * fuzz targets compare them.
 */
#ifndef VEIL_DETECTORS_SIMD_H
#define VEIL_DETECTORS_SIMD_H

#include <stddef.h>
#include <stdint.h>

enum {
    VEIL_SIMD_SCALAR = 0,
    VEIL_SIMD_SSE = 1,    /* SSE4.2 with SSSE3 and POPCNT */
    VEIL_SIMD_AVX2 = 2,   /* AVX2 with BMI1/BMI2 */
    VEIL_SIMD_AVX512 = 3, /* AVX-512 F, BW and VL, with AVX2's */
    VEIL_SIMD__LEVELS = 4,
    VEIL_SIMD_REFERENCE = 4, /* for veil__simd_select(): no shortcuts */
};

struct veil__text;
struct veil_scanner;
struct veil_engine;

/*
 * The JSON structure index of one 64-byte block (json_index.h), bit k for
 * byte k, in the manner of simdjson's stage 1 (Langdale and Lemire, 2019).
 */
typedef struct veil__jblock {
    uint64_t quote; /* '"' not escaped by a backslash */
    uint64_t bs;    /* '\\' */
    uint64_t instr; /* inside a string: from an opening quote (included)
                        to its closing quote (excluded) */
    uint64_t ws;    /* ' ', '\t', '\n', '\r' */
    uint64_t nsp;   /* a byte every name or address has before or in it
                        (names.c, HOLD_SPACE): ' ', '+', '%', '\\', '\t'..'\r',
                        C2..FF */
    uint64_t head;  /* A-Z, 0-9, '%' and bytes >= 0x80: where a names
                        candidate may start, or what the text layer reads
                        otherwise than the raw value (names.c, HOLD_HEAD
                        and HOLD_RAW) */
    uint64_t trig;  /* a byte some text handler starts on (has_trigger()) */
    /* The text layer's classes (text_handlers.h, cls64_t): digits,
       alphanumerics, lower case, number separators, token joiners. */
    uint64_t dig, aln, low, sep, join;
} veil__jblock_t;

/* What one block hands the next: whether its first byte is escaped (an
   odd run of backslashes ended the block before) and whether it starts
   inside a string (all ones) or not (0). A walker that starts a feed
   seeds these from its own state, so the index carries across feeds. */
typedef struct veil__jcarry {
    uint64_t escaped;
    uint64_t instr;
} veil__jcarry_t;

/* What the names pass's mask of one 64-byte block hands the next
   (names_mask.h): the classes of its last bytes, for the block at
   <next>. */
#define VEIL__NMASK_BLOCKS 8
typedef struct veil__ncarry {
    size_t next; /* SIZE_MAX: none */
    uint64_t word1, glue1, high1, bsl2, pct3, brk1;
} veil__ncarry_t;

/* The entry points of one level's kernels. */
typedef struct veil__kernels {
    int level;
    /* The text layer's scan from t->pos (text_handlers.h). */
    void (*text_scan)(struct veil__text *t, int final);
    /* 1 when <s> holds a byte some text handler starts on. */
    int (*has_trigger)(const void *s, size_t len);
    /* The index of the 64 bytes at <p> (all readable) given <c>; updates
       <c> for the next block. */
    void (*json_block)(const unsigned char *p, veil__jcarry_t *c, veil__jblock_t *out);
    /* 0 when the text layer would find nothing in the value <v> (<len>
       bytes) scanned alone between delimiters, whatever its context;
       1 when it might (or cannot tell). */
    int (*value_needs_scan)(const struct veil__text *t, const unsigned char *v, size_t len);
    /* The same for a text stream's bytes w[start, end) with zero bytes
       before (start >= 64) and 128 after; <dob>: date_of_birth is on. */
    int (*padded_needs_scan)(const unsigned char *w, size_t start, size_t end, int dob);
    /* The same for the value at [a, e) of the buffer <p>, judged in place
       from the index blocks that hold it: blk[j] covers [base + 64 j,
       base + 64 j + 64), j < nblk. */
    int (*value_needs_scan_at)(const struct veil__text *t, const unsigned char *p, size_t a,
                               size_t e, const veil__jblock_t *const *blk, unsigned nblk,
                               size_t base);
    /* For a value value_needs_scan() could not clear, scanned alone: the
       detectors whose context word could make the text layer find
       something in it (0: none; all ones: the handler must judge). */
    uint64_t (*alone_context)(const struct veil_engine *e, const unsigned char *v, size_t n);
    /* Which detectors of <want> have a context word in <hay> (<hl> bytes,
       48 readable); <in_key>: a key's words, as a field's context. */
    uint64_t (*context_mask)(const struct veil_engine *e, const char *hay, size_t hl, int in_key,
                             uint64_t want);
    /* The names pass's candidate bytes among [base, base + 512) of
       b[0..n), out[j] for the 64 bytes at base + 64 j, and with <lines>
       its newlines in nl[j] (names_mask.h): the same bits on every level
       but AVX-512, which leaves out two kinds of candidate more.
       <carry> starts with next = SIZE_MAX. <room>: b[-3..-1] are NULs and
       64 bytes past n are readable (the text layer's buffer). */
    void (*names_mask)(const unsigned char *b, size_t base, size_t n, int lines, int room,
                       veil__ncarry_t *carry, uint64_t out[VEIL__NMASK_BLOCKS],
                       uint64_t nl[VEIL__NMASK_BLOCKS]);
    /* The look-alike normaliser's plain bytes: copies p[0..n) to dst up
       to the first that may start a replacement ('%', '+', C2, E2, EF)
       and returns their count; stores whole vectors within dst[0..n). */
    size_t (*plain_copy)(unsigned char *dst, const unsigned char *p, size_t n);
    /* The first newline at or after <p> that a blank line follows
       ("\n\n" or "\n\r\n", whole in b[0..n)); n when there is none. */
    size_t (*next_blank)(const unsigned char *b, size_t p, size_t n);
} veil__kernels_t;

/* The kernels of each level; NULL for a level this build has none of
   (kernels_sse.c, kernels_avx2.c and kernels_avx512.c are x86-64 only). */
extern const veil__kernels_t veil__kernels_scalar;
extern const veil__kernels_t veil__kernels_sse;
extern const veil__kernels_t veil__kernels_avx2;
extern const veil__kernels_t veil__kernels_avx512;

/* veil__simd_kernels(): the kernels new scanners use; *reference is set
   to 1 when every shortcut is to be off. */
const veil__kernels_t *veil__simd_kernels(int *reference);
/* veil__simd_level(): the level in use (VEIL_SIMD_*), or
   VEIL_SIMD_REFERENCE. */
int veil__simd_level(void);
/* veil__simd_best(): the best level this CPU and build have. */
int veil__simd_best(void);
/*
 * veil__simd_select(): for tests and fuzz targets: scanners made from now
 * on use <level> (VEIL_SIMD_* or VEIL_SIMD_REFERENCE), lowered to what the
 * CPU has. Returns the level now in use. Not thread-safe: call it where no
 * other thread makes scanners.
 */
int veil__simd_select(int level);
/* veil__simd_name(): "scalar", "sse", "avx2", "avx512" or "reference". */
const char *veil__simd_name(int level);

#endif
