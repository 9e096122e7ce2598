/*
 * An incremental XML walker (XML 1.0, SOAP included). Element and
 * attribute names are the keys: the local name (the part after the
 * namespace prefix) is judged by the key rules, so <password> text and a
 * password="..." attribute are redacted whole whatever they hold. Text
 * and attribute values are decoded before detection: the five predefined
 * entities and character references (&#64; &#x40;, to UTF-8); CDATA
 * sections are taken as they are. Findings map back to the raw bytes, an
 * entity included whole.
 *
 * Not done, on purpose: no DTD is processed, no entity declared in one is
 * expanded (a reference to any other name is left as it is: input stays
 * linear), nothing external is fetched. Comments, processing instructions
 * and the DOCTYPE are scanned as text with no key (they can hold PII).
 *
 * Malformed input never stops inspection: what cannot be markup is read
 * as text ("a < b", a stray '&'), a broken tag ends where it can, an end
 * tag closes the innermost element of its name. Past VEIL__XML_DEPTH open
 * elements the rest of the body is scanned as text.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "scanner.h"

#define VEIL__XML_DEPTH 1000
#define XNAME 63 /* bytes kept of a local name */

/* One open element, or the name being read. End tags are matched by the
   qualified name's length and hash; keys and paths use the local name. */
typedef struct {
    uint32_t full_len; /* the qualified name's length */
    uint32_t hash;     /* FNV-1a of the qualified name */
    int8_t cls;        /* key class of the local name */
    int8_t thing;      /* veil__thing_key() of it, -1: not asked yet */
    uint8_t len;       /* bytes kept of the local name (XNAME + 1: cut) */
    uint8_t xmlns;     /* "xmlns" or "xmlns:p": declares a namespace */
    uint8_t odd;       /* a digit or a byte no name has: may hold PII */
    char local[XNAME + 1];
} xname_t;

enum {
    X_CONTENT, /* text between tags */
    X_LT,      /* after '<' */
    X_NAME,    /* a start tag's name */
    X_TAG,     /* between a start tag's attributes */
    X_SLASH,   /* '/' in a start tag */
    X_ATTR_NAME,
    X_ATTR_EQ,    /* after an attribute's name */
    X_ATTR_START, /* after '=' */
    X_ATTR_VALUE, /* a quoted value */
    X_ATTR_BARE,  /* an unquoted value (lenient) */
    X_END_NAME,   /* an end tag's name */
    X_END_REST,   /* after it, up to '>' */
    X_BANG,       /* after "<!" */
    X_COMMENT,
    X_PI,
    X_CDATA,
    X_DOCTYPE,
    X_DECL, /* another "<!...>": text up to '>' */
    X_TEXT, /* given up: the rest is text */
};

struct veil__xml {
    int state;
    int ent_ret; /* state an entity reference is read in, or -1 */
    xname_t *stack;
    unsigned depth, cap, used;
    xname_t name; /* element or end-tag name being read */
    xname_t attr; /* attribute being read */
    char quote;
    int content_open;     /* a text value is open */
    uint64_t content_end; /* raw end of its last byte that is no space */
    uint64_t lt_raw;      /* the '<' read last */
    char ent[12];         /* an entity reference after its '&' */
    uint8_t ent_len;
    uint64_t ent_raw;
    uint8_t brackets; /* ']' read at the end of a CDATA section */
    uint64_t bracket_raw;
    uint8_t dashes; /* '-' (or '?') ending a comment (PI) so far */
    char bang[7];   /* bytes after "<!" */
    uint8_t bang_len;
    /* DOCTYPE: quote, internal subset, a comment in it, "<!--" matched */
    char dt_quote;
    uint8_t dt_sub, dt_comment, dt_open;
};

static int is_ws(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_name_start(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || c >= 0x80;
}

/* Bytes that end a name in a tag (lenient: anything else is a name), and
   bytes a name may hold no finding for (letters, '.', '-', '_', ':' and
   the non-ASCII NameChars): a table, since names are read byte by byte. */
enum {
    C_END = 1,
    C_PLAIN = 2
};
/* clang-format off */
static const uint8_t name_class[256] = {
    ['\t'] = C_END, ['\n'] = C_END, ['\r'] = C_END, [' '] = C_END, ['/'] = C_END,
    ['>'] = C_END, ['<'] = C_END, ['='] = C_END, ['"'] = C_END, ['\''] = C_END,
    ['.'] = C_PLAIN, ['-'] = C_PLAIN, ['_'] = C_PLAIN, [':'] = C_PLAIN,
    ['a'] = C_PLAIN, ['b'] = C_PLAIN, ['c'] = C_PLAIN, ['d'] = C_PLAIN, ['e'] = C_PLAIN,
    ['f'] = C_PLAIN, ['g'] = C_PLAIN, ['h'] = C_PLAIN, ['i'] = C_PLAIN, ['j'] = C_PLAIN,
    ['k'] = C_PLAIN, ['l'] = C_PLAIN, ['m'] = C_PLAIN, ['n'] = C_PLAIN, ['o'] = C_PLAIN,
    ['p'] = C_PLAIN, ['q'] = C_PLAIN, ['r'] = C_PLAIN, ['s'] = C_PLAIN, ['t'] = C_PLAIN,
    ['u'] = C_PLAIN, ['v'] = C_PLAIN, ['w'] = C_PLAIN, ['x'] = C_PLAIN, ['y'] = C_PLAIN,
    ['z'] = C_PLAIN, ['A'] = C_PLAIN, ['B'] = C_PLAIN, ['C'] = C_PLAIN, ['D'] = C_PLAIN,
    ['E'] = C_PLAIN, ['F'] = C_PLAIN, ['G'] = C_PLAIN, ['H'] = C_PLAIN, ['I'] = C_PLAIN,
    ['J'] = C_PLAIN, ['K'] = C_PLAIN, ['L'] = C_PLAIN, ['M'] = C_PLAIN, ['N'] = C_PLAIN,
    ['O'] = C_PLAIN, ['P'] = C_PLAIN, ['Q'] = C_PLAIN, ['R'] = C_PLAIN, ['S'] = C_PLAIN,
    ['T'] = C_PLAIN, ['U'] = C_PLAIN, ['V'] = C_PLAIN, ['W'] = C_PLAIN, ['X'] = C_PLAIN,
    ['Y'] = C_PLAIN, ['Z'] = C_PLAIN,
};
/* clang-format on */


static void name_reset(xname_t *n)
{
    n->full_len = 0;
    n->hash = 2166136261u;
    n->len = 0;
    n->cls = -1;
    n->thing = -1;
    n->xmlns = 0;
    n->odd = 0;
}

static int is_xmlns(const xname_t *n, uint32_t at)
{
    return at == 5 && n->len == 5 && memcmp(n->local, "xmlns", 5) == 0;
}

/* Reads name bytes from p[i] up to the first byte that ends a name;
   returns where it stopped. */
static size_t name_scan(xname_t *n, const unsigned char *p, size_t i, size_t len)
{
    uint32_t h = n->hash, at = n->full_len;
    uint8_t odd = 0, kept = n->len;
    size_t k = i;
    for (; k < len; k++) {
        unsigned c = p[k], cl = name_class[c];
        if (cl == C_END) {
            break;
        }
        h = (h ^ c) * 16777619u;
        odd |= (uint8_t)(c < 0x80 && cl != C_PLAIN);
        if (c == ':') {
            n->len = kept;
            n->xmlns |= (uint8_t)is_xmlns(n, at + (uint32_t)(k - i));
            kept = 0; /* a prefix: the local name starts after it */
        } else if (kept <= XNAME) {
            if (kept < XNAME) {
                n->local[kept] = (char)c;
            }
            kept++;
        }
    }
    n->len = kept;
    n->hash = h;
    n->odd |= odd;
    n->full_len = at + (uint32_t)(k - i);
    return k;
}

/* The local name's key class (a cut name has none). */
static void name_done(struct veil_scanner *s, xname_t *n)
{
    n->xmlns |= (uint8_t)is_xmlns(n, n->full_len);
    n->cls =
        n->len > 0 && n->len <= XNAME ? (int8_t)veil__key_class_cached(s, n->local, n->len) : -1;
}

static size_t name_len(const xname_t *n)
{
    return n->len <= XNAME ? n->len : XNAME;
}

static xname_t *top(struct veil__xml *x)
{
    return x->depth ? &x->stack[x->depth - 1] : NULL;
}

/* The path of a value for field rules: $, the part's name in a multipart
   body, the open elements' local names, then <last> (an attribute).
   -1 when a name cannot be written; else the rule's action or -1. */
static int rule_for(struct veil_scanner *s, const xname_t *last)
{
    struct veil__xml *x = s->xml;
    char path[VEIL__PATH_MAX];
    size_t n = 0, w;

    path[n++] = '$';
    if (s->root_key != NULL) {
        if ((w = veil__path_step(s->root_key, s->root_key_len, path + n, sizeof(path) - n)) == 0) {
            return -1;
        }
        n += w;
    }
    for (unsigned d = 0; d <= x->depth; d++) {
        const xname_t *f = d < x->depth ? &x->stack[d] : last;
        if (f == NULL) {
            break;
        }
        if (f->len > XNAME ||
            (w = veil__path_step(f->local, f->len, path + n, sizeof(path) - n)) == 0) {
            return -1;
        }
        n += w;
    }
    return s->field_cb(s->field_ud, VEIL_PLACE_JSON, path, n);
}

static int is_plain_name(const xname_t *n)
{
    return n->len == 4 && (n->local[0] | 0x20) == 'n' && (n->local[1] | 0x20) == 'a' &&
           (n->local[2] | 0x20) == 'm' && (n->local[3] | 0x20) == 'e';
}

/* ---- values ---- */

/* A value under <key> (an element or attribute; NULL: none) beginning at
   raw offset <raw>. <owner>: the element whose "name" it is, to tell a
   person from a product. */
static void value_open(struct veil_scanner *s, const xname_t *key, const xname_t *owner,
                       uint64_t raw)
{
    if (s->field_cb != NULL) {
        int action = rule_for(s, key == top(s->xml) ? NULL : key);
        if (action >= 0) {
            veil__value_open_rule(s, action, raw);
            return;
        }
    }
    if (key == NULL) {
        veil__value_open_class(s, -1, NULL, 0, NULL, 0, 0, raw);
        return;
    }
    int thing = 0;
    if (key->cls == VEIL_D_PERSON_NAME && is_plain_name(key) && owner != NULL &&
        owner->len <= XNAME) {
        /* Asked once per element, however many "name"s it has. */
        if (owner->thing < 0) {
            ((xname_t *)owner)->thing = (int8_t)veil__thing_key(owner->local, owner->len);
        }
        thing = owner->thing;
    }
    veil__value_open_class(s, key->cls, key->local, name_len(key), NULL, 0, thing, raw);
}

static void content_open(struct veil_scanner *s, uint64_t raw)
{
    struct veil__xml *x = s->xml;
    xname_t *t = top(x);
    x->content_open = 1;
    value_open(s, t, x->depth >= 2 ? &x->stack[x->depth - 2] : NULL, raw);
}

/* Text content: a value per run of text (or CDATA section) between
   markup, under the innermost element; space before it is no part of it,
   and a run of nothing but space is ignored. */
static void content_bytes(struct veil_scanner *s, const char *d, size_t n, uint64_t raw)
{
    struct veil__xml *x = s->xml;
    if (!x->content_open) {
        while (n > 0 && is_ws((unsigned char)*d)) {
            d++;
            n--;
            raw++;
        }
        if (n == 0) {
            return;
        }
        content_open(s, raw);
    }
    veil__value_bytes(s, d, n, raw);
    size_t e = n;
    while (e > 0 && is_ws((unsigned char)d[e - 1])) {
        e--;
    }
    if (e > 0) {
        x->content_end = raw + e;
    }
}

static void content_escape(struct veil_scanner *s, const char *d, size_t dlen, uint64_t raw,
                           uint32_t rlen)
{
    struct veil__xml *x = s->xml;
    if (!x->content_open) {
        content_open(s, raw);
    }
    veil__value_escape(s, d, dlen, raw, rlen);
    x->content_end = raw + rlen;
}

static void content_close(struct veil_scanner *s)
{
    struct veil__xml *x = s->xml;
    if (x->content_open) {
        veil__value_close(s, x->content_end, 0);
        x->content_open = 0;
    }
}

/* Decoded bytes of the value being read (text or an attribute's). */
static void value_plain(struct veil_scanner *s, int in_attr, const char *d, size_t n, uint64_t raw)
{
    if (n == 0) {
        return;
    }
    if (in_attr) {
        veil__value_bytes(s, d, n, raw);
    } else {
        content_bytes(s, d, n, raw);
    }
}

/* ---- entity references ---- */

static size_t utf8_put(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* What the reference <e> (between '&' and ';') stands for; 0 when it is
   none veil decodes (an entity of a DTD, a character XML forbids). */
static size_t entity_decode(const char *e, size_t n, char *out)
{
    static const struct {
        const char *name;
        char c;
    } predefined[] = {{"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"apos", '\''}, {"quot", '"'}};

    if (n >= 2 && e[0] == '#') {
        uint32_t cp = 0;
        size_t k = 1;
        int hex = e[1] == 'x';
        k += (size_t)hex;
        if (k == n) {
            return 0;
        }
        for (; k < n; k++) {
            int c = (unsigned char)e[k], v;
            if (c >= '0' && c <= '9') {
                v = c - '0';
            } else if (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
                v = (c | 0x20) - 'a' + 10;
            } else {
                return 0;
            }
            cp = cp * (hex ? 16u : 10u) + (uint32_t)v;
            if (cp > 0x10ffff) {
                return 0;
            }
        }
        /* Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | ... */
        if ((cp < 0x20 && cp != 0x9 && cp != 0xa && cp != 0xd) || (cp >= 0xd800 && cp <= 0xdfff) ||
            cp == 0xfffe || cp == 0xffff) {
            return 0;
        }
        return utf8_put(cp, out);
    }
    for (size_t k = 0; k < sizeof(predefined) / sizeof(predefined[0]); k++) {
        if (strlen(predefined[k].name) == n && memcmp(predefined[k].name, e, n) == 0) {
            out[0] = predefined[k].c;
            return 1;
        }
    }
    return 0;
}

static int in_attr_state(int st)
{
    return st == X_ATTR_VALUE || st == X_ATTR_BARE;
}

/* The reference read so far is no reference: its bytes are text. */
static void entity_abandon(struct veil_scanner *s)
{
    struct veil__xml *x = s->xml;
    char raw[sizeof(x->ent) + 1];
    raw[0] = '&';
    memcpy(raw + 1, x->ent, x->ent_len);
    value_plain(s, in_attr_state(x->ent_ret), raw, (size_t)x->ent_len + 1, x->ent_raw);
    x->ent_ret = -1;
}

/* ';' ends the reference in x->ent. */
static void entity_end(struct veil_scanner *s)
{
    struct veil__xml *x = s->xml;
    int in_attr = in_attr_state(x->ent_ret);
    char out[4];
    size_t n = entity_decode(x->ent, x->ent_len, out);
    if (n == 0) {
        /* An entity veil does not expand stays as it is, ';' included. */
        if (x->ent_len < sizeof(x->ent)) {
            x->ent[x->ent_len++] = ';';
            entity_abandon(s);
            return;
        }
        entity_abandon(s);
        value_plain(s, in_attr, ";", 1, x->ent_raw + 1 + sizeof(x->ent));
        return;
    }
    uint32_t rlen = (uint32_t)x->ent_len + 2;
    if (in_attr) {
        veil__value_escape(s, out, n, x->ent_raw, rlen);
    } else {
        content_escape(s, out, n, x->ent_raw, rlen);
    }
    x->ent_ret = -1;
}

static int is_ent_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '#' ||
           c == '_' || c == '-' || c == '.' || c == ':' || c >= 0x80;
}

/* ---- scanning runs ---- */

/* The first of <a>, <b> at or after <i> in <p>, or <len>; sixteen bytes at
   a time where SSE2 is there. */
static size_t find2(const unsigned char *p, size_t i, size_t len, unsigned char a, unsigned char b)
{
#ifdef __SSE2__
    const __m128i va = _mm_set1_epi8((char)a), vb = _mm_set1_epi8((char)b);
    while (i + 16 <= len) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        unsigned m =
            (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb)));
        if (m != 0) {
            return i + (size_t)__builtin_ctz(m);
        }
        i += 16;
    }
#endif
    while (i < len && p[i] != a && p[i] != b) {
        i++;
    }
    return i;
}

/* Comments, PIs, the DOCTYPE and what cannot be markup are text under no
   key, at the root's place for field rules (veil__value_open_aside). */
static void aside_begin(struct veil_scanner *s, uint64_t raw)
{
    veil__value_open_aside(s, raw);
}

static void to_text(struct veil_scanner *s, uint64_t raw)
{
    struct veil__xml *x = s->xml;
    content_close(s);
    x->state = X_TEXT;
    aside_begin(s, raw);
}

static int push(struct veil_scanner *s)
{
    struct veil__xml *x = s->xml;
    if (x->depth == VEIL__XML_DEPTH) {
        return -1;
    }
    if (x->depth == x->cap) {
        unsigned cap = x->cap ? x->cap * 2 : 16;
        if (cap > VEIL__XML_DEPTH) {
            cap = VEIL__XML_DEPTH;
        }
        xname_t *n = malloc((size_t)cap * sizeof(*n));
        if (n == NULL) {
            s->error = -ENOMEM;
            return -1;
        }
        if (x->stack != NULL) {
            memcpy(n, x->stack, (size_t)x->used * sizeof(*n));
            explicit_bzero(x->stack, (size_t)x->cap * sizeof(*n));
            free(x->stack);
        }
        x->stack = n;
        x->cap = cap;
    }
    x->stack[x->depth++] = x->name;
    if (x->depth > x->used) {
        x->used = x->depth;
    }
    return 0;
}

/* An end tag closes the innermost open element of its name; one that
   matches none is ignored. */
static void pop_to(struct veil__xml *x, const xname_t *n)
{
    for (unsigned d = x->depth; d > 0; d--) {
        const xname_t *f = &x->stack[d - 1];
        if (f->full_len == n->full_len && f->hash == n->hash) {
            x->depth = d - 1;
            return;
        }
    }
}

static void attr_value_open(struct veil_scanner *s, uint64_t raw)
{
    struct veil__xml *x = s->xml;
    if (x->attr.xmlns) {
        /* A namespace's URI: scanned, under no key (redacting it whole
           would break the document). */
        veil__value_open_class(s, -1, NULL, 0, NULL, 0, 0, raw);
        return;
    }
    value_open(s, &x->attr, top(x), raw);
}

int veil__xml_feed(struct veil_scanner *s, const unsigned char *p, size_t len)
{
    struct veil__xml *x = s->xml;
    const uint64_t base = s->raw_pos;
    size_t i = 0;

    while (i < len && s->error == 0) {
        int c = p[i];
        uint64_t raw = base + i;

        if (x->ent_ret >= 0) {
            /* An entity reference after its '&'. */
            if (c == ';') {
                entity_end(s);
                i++;
            } else if (is_ent_char(c) && x->ent_len < sizeof(x->ent)) {
                x->ent[x->ent_len++] = (char)c;
                i++;
            } else {
                entity_abandon(s); /* this byte is read again */
            }
            continue;
        }
        switch (x->state) {
        case X_CONTENT: {
            size_t q = find2(p, i, len, '<', '&');
            content_bytes(s, (const char *)p + i, q - i, raw);
            if (q < len) {
                if (p[q] == '&') {
                    x->ent_ret = X_CONTENT;
                    x->ent_len = 0;
                    x->ent_raw = base + q;
                } else {
                    x->state = X_LT;
                    x->lt_raw = base + q;
                }
                q++;
            }
            i = q;
            continue;
        }
        case X_LT:
            if (c == '/' || c == '!' || c == '?' || is_name_start(c)) {
                content_close(s);
            }
            if (c == '/') {
                name_reset(&x->name);
                x->state = X_END_NAME;
                i++;
            } else if (c == '!') {
                x->bang_len = 0;
                x->state = X_BANG;
                i++;
            } else if (c == '?') {
                aside_begin(s, raw + 1);
                x->dashes = 0;
                x->state = X_PI;
                i++;
            } else if (is_name_start(c)) {
                name_reset(&x->name);
                veil__value_open_key(s, raw);
                x->state = X_NAME;
            } else {
                /* "a < b": the '<' is text. */
                content_bytes(s, "<", 1, x->lt_raw);
                x->state = X_CONTENT;
            }
            continue;
        case X_NAME:
        case X_ATTR_NAME:
        case X_END_NAME: {
            xname_t *n = x->state == X_ATTR_NAME ? &x->attr : &x->name;
            size_t q = name_scan(n, p, i, len);
            if (x->state != X_END_NAME && q > i) {
                veil__value_bytes(s, (const char *)p + i, q - i, raw);
            }
            i = q;
            if (q == len) {
                continue;
            }
            if (x->state != X_END_NAME) {
                /* A name of letters and name punctuation holds nothing
                   a detector finds: dropped unscanned (names are read
                   as keys in every element and attribute). */
                if (n->odd || !veil__value_drop_lazy(s)) {
                    veil__value_close(s, base + q, 0);
                }
                name_done(s, n);
            }
            if (x->state == X_NAME) {
                if (push(s) != 0) {
                    if (s->error == 0) {
                        to_text(s, base + q);
                    }
                    continue;
                }
                x->state = X_TAG;
            } else if (x->state == X_ATTR_NAME) {
                x->state = X_ATTR_EQ;
            } else {
                x->state = X_END_REST;
            }
            continue;
        }
        case X_TAG:
            if (is_ws(c)) {
                i++;
            } else if (c == '>') {
                x->state = X_CONTENT;
                i++;
            } else if (c == '/') {
                x->state = X_SLASH;
                i++;
            } else if (c == '<') {
                x->state = X_CONTENT; /* a broken tag ends at the next '<' */
            } else if (c == '=' || c == '"' || c == '\'') {
                i++; /* stray: skipped */
            } else {
                name_reset(&x->attr);
                veil__value_open_key(s, raw);
                x->state = X_ATTR_NAME;
            }
            continue;
        case X_SLASH:
            if (c == '>') {
                if (x->depth > 0) {
                    x->depth--;
                }
                x->state = X_CONTENT;
                i++;
            } else {
                x->state = X_TAG;
            }
            continue;
        case X_ATTR_EQ:
            if (is_ws(c)) {
                i++;
            } else if (c == '=') {
                x->state = X_ATTR_START;
                i++;
            } else {
                x->state = X_TAG; /* an attribute without a value */
            }
            continue;
        case X_ATTR_START:
            if (is_ws(c)) {
                i++;
            } else if (c == '"' || c == '\'') {
                x->quote = (char)c;
                attr_value_open(s, raw + 1);
                x->state = X_ATTR_VALUE;
                i++;
            } else if (c == '>' || c == '<' || c == '/') {
                x->state = X_TAG;
            } else {
                attr_value_open(s, raw);
                x->state = X_ATTR_BARE;
            }
            continue;
        case X_ATTR_VALUE: {
            size_t q = find2(p, i, len, (unsigned char)x->quote, '&');
            if (q > i) {
                veil__value_bytes(s, (const char *)p + i, q - i, raw);
            }
            if (q < len) {
                if (p[q] == '&') {
                    x->ent_ret = X_ATTR_VALUE;
                    x->ent_len = 0;
                    x->ent_raw = base + q;
                } else {
                    veil__value_close(s, base + q, 0);
                    x->state = X_TAG;
                }
                q++;
            }
            i = q;
            continue;
        }
        case X_ATTR_BARE: {
            size_t q = i;
            while (q < len && !is_ws(p[q]) && p[q] != '>' && p[q] != '<' && p[q] != '&') {
                q++;
            }
            if (q > i) {
                veil__value_bytes(s, (const char *)p + i, q - i, raw);
            }
            i = q;
            if (q < len) {
                if (p[q] == '&') {
                    x->ent_ret = X_ATTR_BARE;
                    x->ent_len = 0;
                    x->ent_raw = base + q;
                    i++;
                } else {
                    veil__value_close(s, base + q, 0);
                    x->state = X_TAG;
                }
            }
            continue;
        }
        case X_END_REST:
            if (c == '>' || c == '<') {
                pop_to(x, &x->name);
                x->state = X_CONTENT;
                i += c == '>';
            } else {
                i++;
            }
            continue;
        case X_BANG: {
            static const char *const kinds[3] = {"--", "[CDATA[", "DOCTYPE"};
            int maybe = 0, done = -1;
            x->bang[x->bang_len++] = (char)c;
            i++;
            for (int k = 0; k < 3; k++) {
                size_t kl = strlen(kinds[k]);
                if (x->bang_len <= kl && memcmp(kinds[k], x->bang, x->bang_len) == 0) {
                    maybe = 1;
                    if (x->bang_len == kl) {
                        done = k;
                    }
                }
            }
            if (done == 0) {
                aside_begin(s, raw + 1);
                x->dashes = 0;
                x->state = X_COMMENT;
            } else if (done == 1) {
                x->brackets = 0;
                x->state = X_CDATA;
            } else if (done == 2) {
                aside_begin(s, raw + 1);
                x->dt_quote = 0;
                x->dt_sub = x->dt_comment = x->dt_open = 0;
                x->state = X_DOCTYPE;
            } else if (!maybe) {
                /* Some other declaration: text up to its '>'. */
                uint64_t at = raw + 1 - x->bang_len;
                aside_begin(s, at);
                if (x->bang[x->bang_len - 1] == '>') {
                    veil__value_bytes(s, x->bang, (size_t)x->bang_len - 1, at);
                    veil__value_close(s, raw, 0);
                    x->state = X_CONTENT;
                } else {
                    veil__value_bytes(s, x->bang, x->bang_len, at);
                    x->state = X_DECL;
                }
            }
            continue;
        }
        case X_COMMENT:
        case X_PI: {
            /* Text up to "-->" ("?>"); the dashes are fed with it. */
            int want = x->state == X_COMMENT ? 2 : 1;
            unsigned char mark = x->state == X_COMMENT ? '-' : '?';
            const unsigned char *gt = memchr(p + i, '>', len - i);
            size_t q = gt ? (size_t)(gt - p) : len;
            size_t k = q;
            while (k > i && p[k - 1] == mark && q - k < 2) {
                k--;
            }
            unsigned run = (unsigned)(q - k);
            if (k == i) {
                run += x->dashes; /* the marks go on from the last chunk */
            }
            x->dashes = (uint8_t)(run > 2 ? 2 : run);
            if (q > i) {
                veil__value_bytes(s, (const char *)p + i, q - i, raw);
            }
            i = q;
            if (q < len) {
                i++;
                if (x->dashes >= want) {
                    /* The value ends before the "--" ('?') that ends it. */
                    uint64_t end = base + q - (uint64_t)want;
                    veil__value_close(s, end > s->value_raw ? end : s->value_raw, 0);
                    x->state = X_CONTENT;
                } else {
                    veil__value_bytes(s, ">", 1, base + q);
                    x->dashes = 0;
                }
            }
            continue;
        }
        case X_CDATA:
            if (x->brackets) {
                if (c == ']') {
                    if (x->brackets == 2) {
                        content_bytes(s, "]", 1, x->bracket_raw);
                        x->bracket_raw++;
                    } else {
                        x->brackets++;
                    }
                    i++;
                } else if (c == '>' && x->brackets == 2) {
                    x->brackets = 0;
                    content_close(s);
                    x->state = X_CONTENT;
                    i++;
                } else {
                    content_bytes(s, "]]", x->brackets, x->bracket_raw);
                    x->brackets = 0;
                }
                continue;
            } else {
                const unsigned char *b = memchr(p + i, ']', len - i);
                size_t q = b ? (size_t)(b - p) : len;
                content_bytes(s, (const char *)p + i, q - i, raw);
                if (q < len) {
                    x->brackets = 1;
                    x->bracket_raw = base + q;
                    q++;
                }
                i = q;
            }
            continue;
        case X_DOCTYPE: {
            /* Scanned as text; its end is the '>' outside quotes, the
               internal subset and comments. Nothing in it is used. */
            size_t q = i;
            int end = 0;
            for (; q < len && !end; q++) {
                int d = p[q];
                if (x->dt_comment) {
                    if (d == '-') {
                        x->dashes = (uint8_t)(x->dashes < 2 ? x->dashes + 1 : 2);
                    } else {
                        x->dt_comment = !(d == '>' && x->dashes >= 2);
                        x->dashes = 0;
                    }
                    continue;
                }
                if (x->dt_quote) {
                    x->dt_quote = d == x->dt_quote ? 0 : x->dt_quote;
                    continue;
                }
                if (x->dt_sub && d == "<!--"[x->dt_open]) {
                    if (++x->dt_open == 4) {
                        x->dt_comment = 1;
                        x->dt_open = 0;
                        x->dashes = 0;
                    }
                    continue;
                }
                x->dt_open = d == '<';
                if (d == '"' || d == '\'') {
                    x->dt_quote = (char)d;
                } else if (d == '[') {
                    x->dt_sub = 1;
                } else if (d == ']') {
                    x->dt_sub = 0;
                } else if (d == '>' && !x->dt_sub) {
                    end = 1;
                    break;
                }
            }
            if (q > i) {
                veil__value_bytes(s, (const char *)p + i, q - i, raw);
            }
            i = q;
            if (end) {
                veil__value_close(s, base + q, 0);
                x->state = X_CONTENT;
                i++;
            }
            continue;
        }
        case X_DECL: {
            const unsigned char *gt = memchr(p + i, '>', len - i);
            size_t q = gt ? (size_t)(gt - p) : len;
            if (q > i) {
                veil__value_bytes(s, (const char *)p + i, q - i, raw);
            }
            i = q;
            if (q < len) {
                veil__value_close(s, base + q, 0);
                x->state = X_CONTENT;
                i++;
            }
            continue;
        }
        default: /* X_TEXT */
            veil__value_bytes(s, (const char *)p + i, len - i, raw);
            i = len;
            continue;
        }
    }
    s->raw_pos = base + len;
    veil__text_run(&s->text);
    return s->error;
}

uint64_t veil__xml_hold(const struct veil_scanner *s)
{
    const struct veil__xml *x = s->xml;
    if (x == NULL) {
        return UINT64_MAX;
    }
    if (x->ent_ret >= 0) {
        return x->ent_raw;
    }
    switch (x->state) {
    case X_LT:
        return x->lt_raw;
    case X_BANG:
        return x->lt_raw;
    case X_CDATA:
        return x->brackets ? x->bracket_raw : UINT64_MAX;
    default:
        return UINT64_MAX;
    }
}

void veil__xml_finish(struct veil_scanner *s)
{
    struct veil__xml *x = s->xml;
    if (x->ent_ret >= 0) {
        entity_abandon(s);
    }
    switch (x->state) {
    case X_LT:
        content_bytes(s, "<", 1, x->lt_raw);
        break;
    case X_BANG:
        aside_begin(s, x->lt_raw + 2);
        veil__value_bytes(s, x->bang, x->bang_len, x->lt_raw + 2);
        veil__value_close(s, s->raw_pos, 0);
        break;
    case X_NAME:
    case X_ATTR_NAME:
    case X_ATTR_VALUE:
    case X_ATTR_BARE:
        veil__value_close(s, s->raw_pos, 0);
        break;
    case X_CDATA:
        if (x->brackets) {
            content_bytes(s, "]]", x->brackets, x->bracket_raw);
        }
        break;
    case X_COMMENT:
    case X_PI:
    case X_DOCTYPE:
    case X_DECL:
    case X_TEXT:
        veil__value_close(s, s->raw_pos, 0);
        break;
    default:
        break;
    }
    content_close(s);
    x->state = X_CONTENT;
    x->ent_ret = -1;
    x->depth = 0;
}

int veil__xml_begin(struct veil_scanner *s)
{
    struct veil__xml *x = s->xml;
    if (x == NULL) {
        x = calloc(1, sizeof(*x));
        if (x == NULL) {
            return -ENOMEM;
        }
        s->xml = x;
    }
    x->state = X_CONTENT;
    x->ent_ret = -1;
    x->depth = 0;
    x->content_open = 0;
    x->brackets = 0;
    x->bang_len = 0;
    return 0;
}

void veil__xml_wipe(struct veil_scanner *s)
{
    struct veil__xml *x = s->xml;
    if (x == NULL) {
        return;
    }
    if (x->stack != NULL) {
        explicit_bzero(x->stack, (size_t)x->used * sizeof(*x->stack));
    }
    xname_t *stack = x->stack;
    unsigned cap = x->cap;
    explicit_bzero(x, sizeof(*x));
    x->stack = stack;
    x->cap = cap;
    x->ent_ret = -1;
}

void veil__xml_free(struct veil_scanner *s)
{
    if (s->xml == NULL) {
        return;
    }
    veil__xml_wipe(s);
    free(s->xml->stack);
    free(s->xml);
    s->xml = NULL;
}
