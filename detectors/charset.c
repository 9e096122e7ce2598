/*
 * Charsets of bodies (include/veil/charset.h): the charset parameter of a
 * Content-Type, and a streaming UTF-16/UTF-32 to UTF-8 decoder with its
 * encoder back. The decoder holds at most four leading bytes (to read a
 * byte order mark or the NUL pattern), three bytes of an incomplete code
 * unit and one high surrogate between feeds, so any split of the input
 * gives the same output. No allocation.
 *
 * References: RFC 2781 (UTF-16), RFC 4627 section 3 (the NUL pattern of
 * the first four bytes), the Unicode Standard 15.0 chapter 3 (D91 UTF-16,
 * D90 UTF-32, D98-D101 the encoding schemes and their byte order marks,
 * Table 3-7 well-formed UTF-8, section 3.9 U+FFFD substitution of maximal
 * subparts), and the WHATWG Encoding Standard's list of labels for which
 * encodings keep every ASCII character as its own byte.
 */
#include <string.h>

#include "veil/charset.h"

/* ---- charset names ---- */

/* Lower case, and "_" read as "-" (iso_8859-1 is iso-8859-1). */
static int name_is(const char *s, size_t n, const char *lc)
{
    size_t k = strlen(lc);
    if (k != n) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        c = c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c == '_' ? '-' : c;
        if (c != (unsigned char)lc[i]) {
            return 0;
        }
    }
    return 1;
}

/*
 * Encodings in which every ASCII character is its own byte, so that the
 * engine reads a value written in ASCII (an e-mail address, a card number)
 * as it is: the WHATWG Encoding Standard's encodings other than UTF-16BE,
 * UTF-16LE, ISO-2022-JP and replacement, with their common labels, and the
 * DOS code pages. In the double-byte ones (Shift_JIS, Big5, GBK) a trail
 * byte may look like ASCII, which can only add a finding, never hide a
 * value written in ASCII. Not here, so not decodable: UTF-7 (ASCII letters
 * spell other characters), ISO-2022-*, HZ, and the EBCDIC code pages
 * (IBM037, IBM500, cp1026, ...).
 */
/* clang-format off */
static const char *const ascii_names[] = {
    "utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "x-unicode20utf8",
    "us-ascii", "ascii", "ansi-x3.4-1968", "iso-ir-6", "us", "cp367", "ibm367", "iso646-us",
    "csascii", "iso-8859-1", "iso8859-1", "iso88591", "iso-8859-1:1987", "latin1", "l1",
    "cp819", "ibm819", "csisolatin1", "iso-ir-100", "iso-8859-2", "iso8859-2", "iso88592",
    "latin2", "l2", "csisolatin2", "iso-8859-3", "iso8859-3", "latin3", "l3", "iso-8859-4",
    "iso8859-4", "latin4", "l4", "iso-8859-5", "iso8859-5", "cyrillic", "csisolatincyrillic",
    "iso-8859-6", "iso8859-6", "arabic", "iso-8859-6-i", "iso-8859-6-e", "iso-8859-7",
    "iso8859-7", "greek", "greek8", "iso-8859-8", "iso8859-8", "hebrew", "iso-8859-8-i",
    "iso-8859-8-e", "visual", "logical", "iso-8859-9", "iso8859-9", "latin5", "l5",
    "iso-8859-10", "iso8859-10", "latin6", "l6", "iso-8859-11", "iso8859-11", "tis-620",
    "iso-8859-13", "iso8859-13", "latin7", "iso-8859-14", "iso8859-14", "latin8",
    "iso-8859-15", "iso8859-15", "latin9", "latin-9", "l9", "iso-8859-16", "latin10",
    "windows-874", "dos-874", "windows-1250", "windows-1251", "windows-1252", "windows-1253",
    "windows-1254", "windows-1255", "windows-1256", "windows-1257", "windows-1258",
    "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258",
    "x-cp1250", "x-cp1251", "x-cp1252", "x-cp1253", "x-cp1254", "x-cp1255", "x-cp1256",
    "x-cp1257", "x-cp1258", "koi8-r", "koi8-u", "koi8-ru", "koi8", "koi", "cskoi8r",
    "macintosh", "mac", "x-mac-roman", "csmacintosh", "x-mac-cyrillic", "x-mac-ukrainian",
    "ibm866", "866", "cp866", "csibm866", "cp437", "ibm437", "437", "cp850", "ibm850", "850",
    "cp852", "ibm852", "cp855", "cp857", "cp860", "cp861", "cp862", "cp863", "cp864",
    "cp865", "cp869", "gbk", "gb2312", "gb-2312", "gb-2312-80", "gb18030", "x-gbk",
    "chinese", "csgb2312", "csiso58gb231280", "iso-ir-58", "euc-cn", "big5", "big5-hkscs",
    "cn-big5", "csbig5", "x-x-big5", "euc-jp", "x-euc-jp", "cseucpkdfmtjapanese", "shift-jis",
    "sjis", "x-sjis", "ms932", "ms-kanji", "windows-31j", "csshiftjis", "cp932", "euc-kr",
    "cseuckr", "korean", "ks-c-5601-1987", "ks-c-5601-1989", "ksc5601", "ksc-5601",
    "windows-949", "cp949", "csksc56011987", "iso-ir-149", "x-user-defined",
};
/* clang-format on */

veil_charset_t veil_charset_lookup(const char *name, size_t len)
{
    static const struct {
        const char *name;
        veil_charset_t cs;
    } unicode[] = {
        {"utf-16", VEIL_CS_UTF16},        {"utf16", VEIL_CS_UTF16},
        {"ucs-2", VEIL_CS_UTF16},         {"iso-10646-ucs-2", VEIL_CS_UTF16},
        {"csunicode", VEIL_CS_UTF16},     {"unicode", VEIL_CS_UTF16},
        {"utf-16le", VEIL_CS_UTF16LE},    {"utf16le", VEIL_CS_UTF16LE},
        {"unicodefeff", VEIL_CS_UTF16LE}, {"utf-16be", VEIL_CS_UTF16BE},
        {"utf16be", VEIL_CS_UTF16BE},     {"unicodefffe", VEIL_CS_UTF16BE},
        {"utf-32", VEIL_CS_UTF32},        {"utf32", VEIL_CS_UTF32},
        {"ucs-4", VEIL_CS_UTF32},         {"iso-10646-ucs-4", VEIL_CS_UTF32},
        {"csucs4", VEIL_CS_UTF32},        {"utf-32le", VEIL_CS_UTF32LE},
        {"utf32le", VEIL_CS_UTF32LE},     {"utf-32be", VEIL_CS_UTF32BE},
        {"utf32be", VEIL_CS_UTF32BE},
    };
    for (size_t k = 0; k < sizeof(unicode) / sizeof(unicode[0]); k++) {
        if (name_is(name, len, unicode[k].name)) {
            return unicode[k].cs;
        }
    }
    for (size_t k = 0; k < sizeof(ascii_names) / sizeof(ascii_names[0]); k++) {
        if (name_is(name, len, ascii_names[k])) {
            return VEIL_CS_ASCII;
        }
    }
    return VEIL_CS_UNKNOWN;
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* tchar of RFC 9110 5.6.2. */
static int is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

veil_charset_t veil_charset_from_content_type(const char *ct, size_t len)
{
    veil_charset_t found = VEIL_CS_NONE;
    size_t i = 0;
    char value[64];

    if (ct == NULL) {
        return VEIL_CS_NONE;
    }
    /* The media type: up to the first ';' (a quoted string cannot appear
       before it). */
    while (i < len && ct[i] != ';') {
        i++;
    }
    while (i < len) {
        /* *( OWS ";" OWS [ parameter ] ) */
        while (i < len && (ct[i] == ';' || is_ows(ct[i]))) {
            i++;
        }
        size_t ns = i;
        while (i < len && is_tchar((unsigned char)ct[i])) {
            i++;
        }
        size_t nl = i - ns;
        while (i < len && is_ows(ct[i])) {
            i++;
        }
        if (i >= len || ct[i] != '=') {
            /* Not a parameter: skip to the next ';'. */
            while (i < len && ct[i] != ';') {
                i++;
            }
            continue;
        }
        i++;
        while (i < len && is_ows(ct[i])) {
            i++;
        }
        size_t vl = 0;
        int over = 0;
        if (i < len && ct[i] == '"') {
            for (i++; i < len && ct[i] != '"'; i++) {
                if (ct[i] == '\\' && i + 1 < len) {
                    i++; /* quoted-pair */
                }
                if (vl < sizeof(value)) {
                    value[vl++] = ct[i];
                } else {
                    over = 1;
                }
            }
            i += i < len; /* the closing quote */
        } else {
            while (i < len && is_tchar((unsigned char)ct[i])) {
                if (vl < sizeof(value)) {
                    value[vl++] = ct[i];
                } else {
                    over = 1;
                }
                i++;
            }
        }
        while (i < len && is_ows(ct[i])) {
            i++;
        }
        if (i < len && ct[i] != ';') {
            /* Junk after the value: skip it; the parameter still counts. */
            while (i < len && ct[i] != ';') {
                i++;
            }
        }
        if (!name_is(ct + ns, nl, "charset")) {
            continue;
        }
        veil_charset_t cs = over ? VEIL_CS_UNKNOWN : veil_charset_lookup(value, vl);
        /* Two charsets that disagree: which would a receiver take? */
        found = found == VEIL_CS_NONE || found == cs ? cs : VEIL_CS_UNKNOWN;
    }
    return found;
}

/* ---- output ---- */

typedef struct {
    char buf[1024];
    size_t len;
    veil_charset_write_cb write;
    void *ud;
    int rc;
} out_t;

static void flush(out_t *o)
{
    if (o->len > 0 && o->rc == 0) {
        o->rc = o->write(o->ud, o->buf, o->len);
    }
    o->len = 0;
}

static void put_utf8(out_t *o, uint32_t cp)
{
    if (o->len + 4 > sizeof(o->buf)) {
        flush(o);
    }
    char *p = o->buf + o->len;
    if (cp < 0x80) {
        p[0] = (char)cp;
        o->len += 1;
    } else if (cp < 0x800) {
        p[0] = (char)(0xc0 | (cp >> 6));
        p[1] = (char)(0x80 | (cp & 0x3f));
        o->len += 2;
    } else if (cp < 0x10000) {
        p[0] = (char)(0xe0 | (cp >> 12));
        p[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        p[2] = (char)(0x80 | (cp & 0x3f));
        o->len += 3;
    } else {
        p[0] = (char)(0xf0 | (cp >> 18));
        p[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        p[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        p[3] = (char)(0x80 | (cp & 0x3f));
        o->len += 4;
    }
}

#define REPLACEMENT 0xfffdu

/* ---- decoding ---- */

enum {
    BOM_NONE,
    BOM_U8,
    BOM_U16LE,
    BOM_U16BE,
    BOM_U32LE,
    BOM_U32BE
};

/* The byte order mark <h> starts with (longest first: FF FE 00 00 is
   UTF-32LE), reading only its <n> bytes. */
static int bom_of(const uint8_t *h, size_t n)
{
    if (n >= 4 && h[0] == 0xff && h[1] == 0xfe && h[2] == 0 && h[3] == 0) {
        return BOM_U32LE;
    }
    if (n >= 4 && h[0] == 0 && h[1] == 0 && h[2] == 0xfe && h[3] == 0xff) {
        return BOM_U32BE;
    }
    if (n >= 3 && h[0] == 0xef && h[1] == 0xbb && h[2] == 0xbf) {
        return BOM_U8;
    }
    if (n >= 2 && h[0] == 0xff && h[1] == 0xfe) {
        return BOM_U16LE;
    }
    if (n >= 2 && h[0] == 0xfe && h[1] == 0xff) {
        return BOM_U16BE;
    }
    return BOM_NONE;
}

/* RFC 4627 section 3: the NUL pattern of the first four bytes. */
static int nul_pattern(const uint8_t *h, size_t n)
{
    if (n < 4) {
        return VEIL_FORM_UNDECIDED;
    }
    if (!h[0] && !h[1] && !h[2] && h[3]) {
        return VEIL_FORM_UTF32BE;
    }
    if (h[0] && !h[1] && !h[2] && !h[3]) {
        return VEIL_FORM_UTF32LE;
    }
    if (!h[0] && h[1] && !h[2] && h[3]) {
        return VEIL_FORM_UTF16BE;
    }
    if (h[0] && !h[1] && h[2] && !h[3]) {
        return VEIL_FORM_UTF16LE;
    }
    return VEIL_FORM_UNDECIDED;
}

/* The form of the input from its first <n> bytes and the declared
   charset; *drop: how many leading bytes are a BOM not passed on. */
static int decide(const veil_charset_decoder_t *d, size_t *drop)
{
    const uint8_t *h = d->head;
    size_t n = d->nhead;
    int bom = bom_of(h, n), sniff = nul_pattern(h, n);

    *drop = 0;
    switch (d->declared) {
    case VEIL_CS_NONE:
        switch (bom) {
        case BOM_U32LE:
            *drop = 4;
            return VEIL_FORM_UTF32LE;
        case BOM_U32BE:
            *drop = 4;
            return VEIL_FORM_UTF32BE;
        case BOM_U16LE:
            *drop = 2;
            return VEIL_FORM_UTF16LE;
        case BOM_U16BE:
            *drop = 2;
            return VEIL_FORM_UTF16BE;
        case BOM_U8:
            return VEIL_FORM_PASS; /* passed on as before */
        default:
            return sniff ? sniff : VEIL_FORM_PASS;
        }
    case VEIL_CS_ASCII:
        return bom == BOM_NONE || bom == BOM_U8 ? VEIL_FORM_PASS : VEIL_FORM_CONFLICT;
    case VEIL_CS_UTF16:
        if (bom == BOM_U16LE || bom == BOM_U32LE) { /* FF FE, then U+0000 */
            *drop = 2;
            return VEIL_FORM_UTF16LE;
        }
        if (bom == BOM_U16BE) {
            *drop = 2;
            return VEIL_FORM_UTF16BE;
        }
        if (bom != BOM_NONE) {
            return VEIL_FORM_CONFLICT;
        }
        if (n >= 2 && h[0] && !h[1]) {
            return VEIL_FORM_UTF16LE;
        }
        return VEIL_FORM_UTF16BE;
    case VEIL_CS_UTF16LE:
        if (bom == BOM_U16LE || bom == BOM_U32LE) {
            *drop = 2;
            return VEIL_FORM_UTF16LE;
        }
        return bom == BOM_NONE ? VEIL_FORM_UTF16LE : VEIL_FORM_CONFLICT;
    case VEIL_CS_UTF16BE:
        if (bom == BOM_U16BE) {
            *drop = 2;
            return VEIL_FORM_UTF16BE;
        }
        return bom == BOM_NONE ? VEIL_FORM_UTF16BE : VEIL_FORM_CONFLICT;
    case VEIL_CS_UTF32:
        if (bom == BOM_U32LE) {
            *drop = 4;
            return VEIL_FORM_UTF32LE;
        }
        if (bom == BOM_U32BE) {
            *drop = 4;
            return VEIL_FORM_UTF32BE;
        }
        if (bom != BOM_NONE) {
            return VEIL_FORM_CONFLICT;
        }
        return sniff == VEIL_FORM_UTF32LE ? VEIL_FORM_UTF32LE : VEIL_FORM_UTF32BE;
    case VEIL_CS_UTF32LE:
        if (bom == BOM_U32LE) {
            *drop = 4;
            return VEIL_FORM_UTF32LE;
        }
        return bom == BOM_NONE ? VEIL_FORM_UTF32LE : VEIL_FORM_CONFLICT;
    case VEIL_CS_UTF32BE:
        if (bom == BOM_U32BE) {
            *drop = 4;
            return VEIL_FORM_UTF32BE;
        }
        return bom == BOM_NONE ? VEIL_FORM_UTF32BE : VEIL_FORM_CONFLICT;
    default:
        return VEIL_FORM_CONFLICT;
    }
}

static void unit16(veil_charset_decoder_t *d, out_t *o, uint32_t u)
{
    if (d->high) {
        if (u >= 0xdc00 && u <= 0xdfff) {
            put_utf8(o, 0x10000 + ((uint32_t)(d->high - 0xd800) << 10) + (u - 0xdc00));
            d->high = 0;
            return;
        }
        put_utf8(o, REPLACEMENT); /* a high surrogate without its low one */
        d->high = 0;
    }
    if (u >= 0xd800 && u <= 0xdbff) {
        d->high = (uint16_t)u;
    } else if (u >= 0xdc00 && u <= 0xdfff) {
        put_utf8(o, REPLACEMENT); /* a low surrogate alone */
    } else {
        put_utf8(o, u);
    }
}

static void unit32(out_t *o, uint32_t v)
{
    put_utf8(o, v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff) ? REPLACEMENT : v);
}

/* Decodes bytes of a decided UTF-16/32 form. */
static void decode_units(veil_charset_decoder_t *d, out_t *o, const uint8_t *p, size_t n)
{
    int wide = d->form == VEIL_FORM_UTF32LE || d->form == VEIL_FORM_UTF32BE;
    int le = d->form == VEIL_FORM_UTF16LE || d->form == VEIL_FORM_UTF32LE;
    size_t size = wide ? 4 : 2;
    uint8_t u[4];

    for (size_t i = 0; i < n; i++) {
        d->pend[d->npend++] = p[i];
        if (d->npend < size) {
            continue;
        }
        memcpy(u, d->pend, size);
        d->npend = 0;
        if (wide) {
            unit32(o, le ? (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 |
                               (uint32_t)u[3] << 24
                         : (uint32_t)u[3] | (uint32_t)u[2] << 8 | (uint32_t)u[1] << 16 |
                               (uint32_t)u[0] << 24);
        } else {
            unit16(d, o,
                   le ? (uint32_t)u[0] | (uint32_t)u[1] << 8
                      : (uint32_t)u[1] | (uint32_t)u[0] << 8);
        }
        if (o->rc) {
            return;
        }
    }
}

/* Decides the form from the held head, then passes the head on. */
static void settle(veil_charset_decoder_t *d, out_t *o)
{
    size_t drop;
    d->form = (uint8_t)decide(d, &drop);
    d->bom = drop > 0;
    if (d->form == VEIL_FORM_CONFLICT) {
        return;
    }
    if (d->form == VEIL_FORM_PASS) {
        if (d->nhead > 0) {
            memcpy(o->buf + o->len, d->head, d->nhead);
            o->len += d->nhead;
        }
    } else {
        decode_units(d, o, d->head + drop, d->nhead - drop);
    }
    d->nhead = 0;
}

int veil_charset_decode(veil_charset_decoder_t *d, const void *in, size_t len,
                        veil_charset_write_cb write, void *ud)
{
    const uint8_t *p = in;
    out_t o;

    o.len = 0;
    o.write = write;
    o.ud = ud;
    o.rc = 0;
    if (d->form == VEIL_FORM_UNDECIDED) {
        while (len > 0 && d->nhead < sizeof(d->head)) {
            d->head[d->nhead++] = *p++;
            len--;
        }
        if (d->nhead < sizeof(d->head)) {
            return 0; /* the form needs four bytes, or the end */
        }
        settle(d, &o);
    }
    if (d->form == VEIL_FORM_CONFLICT) {
        return VEIL_CHARSET_CONFLICT;
    }
    if (d->form == VEIL_FORM_PASS) {
        flush(&o);
        if (o.rc == 0 && len > 0) {
            o.rc = write(ud, (const char *)p, len);
        }
        return o.rc;
    }
    decode_units(d, &o, p, len);
    flush(&o);
    return o.rc;
}

int veil_charset_decode_finish(veil_charset_decoder_t *d, veil_charset_write_cb write, void *ud)
{
    out_t o;

    o.len = 0;
    o.write = write;
    o.ud = ud;
    o.rc = 0;
    if (d->form == VEIL_FORM_UNDECIDED) {
        settle(d, &o);
    }
    if (d->form == VEIL_FORM_CONFLICT) {
        return VEIL_CHARSET_CONFLICT;
    }
    if (d->form != VEIL_FORM_PASS) {
        if (d->high) {
            put_utf8(&o, REPLACEMENT);
            d->high = 0;
        }
        if (d->npend) {
            put_utf8(&o, REPLACEMENT); /* an incomplete last code unit */
            d->npend = 0;
        }
    }
    flush(&o);
    return o.rc;
}

int veil_charset_transcodes(const veil_charset_decoder_t *d)
{
    return d->form >= VEIL_FORM_UTF16LE && d->form <= VEIL_FORM_UTF32BE;
}

/* ---- encoding back ---- */

void veil_charset_encoder_init(veil_charset_encoder_t *e, const veil_charset_decoder_t *d)
{
    memset(e, 0, sizeof(*e));
    e->form = veil_charset_transcodes(d) ? d->form : VEIL_FORM_PASS;
    e->bom = veil_charset_transcodes(d) && d->bom;
}

static void put_form(out_t *o, int form, uint32_t cp)
{
    uint8_t b[8];
    size_t n;

    if (o->len + 8 > sizeof(o->buf)) {
        flush(o);
    }
    if (form == VEIL_FORM_UTF32LE || form == VEIL_FORM_UTF32BE) {
        uint8_t x[4] = {(uint8_t)cp, (uint8_t)(cp >> 8), (uint8_t)(cp >> 16), (uint8_t)(cp >> 24)};
        for (int k = 0; k < 4; k++) {
            b[k] = form == VEIL_FORM_UTF32LE ? x[k] : x[3 - k];
        }
        n = 4;
    } else {
        uint32_t u[2];
        size_t nu = 1;
        if (cp >= 0x10000) {
            u[0] = 0xd800 + ((cp - 0x10000) >> 10);
            u[1] = 0xdc00 + ((cp - 0x10000) & 0x3ff);
            nu = 2;
        } else {
            u[0] = cp;
        }
        for (size_t k = 0; k < nu; k++) {
            b[2 * k] = (uint8_t)(form == VEIL_FORM_UTF16LE ? u[k] : u[k] >> 8);
            b[2 * k + 1] = (uint8_t)(form == VEIL_FORM_UTF16LE ? u[k] >> 8 : u[k]);
        }
        n = 2 * nu;
    }
    memcpy(o->buf + o->len, b, n);
    o->len += n;
}

/* How long a UTF-8 sequence its lead byte starts (0: no lead byte), and
   the range of its second byte (Unicode 15, Table 3-7). */
static size_t lead_len(uint8_t c, uint8_t *lo, uint8_t *hi)
{
    *lo = 0x80;
    *hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
        return 2;
    }
    if (c >= 0xe0 && c <= 0xef) {
        *lo = c == 0xe0 ? 0xa0 : 0x80;
        *hi = c == 0xed ? 0x9f : 0xbf;
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        *lo = c == 0xf0 ? 0x90 : 0x80;
        *hi = c == 0xf4 ? 0x8f : 0xbf;
        return 4;
    }
    return 0;
}

static uint32_t sequence_value(const uint8_t *s, size_t n)
{
    uint32_t cp = s[0] & (n == 2 ? 0x1f : n == 3 ? 0x0f : 0x07);
    for (size_t k = 1; k < n; k++) {
        cp = cp << 6 | (s[k] & 0x3f);
    }
    return cp;
}

int veil_charset_encode(veil_charset_encoder_t *e, const void *utf8, size_t len,
                        veil_charset_write_cb write, void *ud)
{
    const uint8_t *p = utf8;
    out_t o;

    if (e->form == VEIL_FORM_PASS || e->form == VEIL_FORM_UNDECIDED) {
        return len ? write(ud, utf8, len) : 0;
    }
    o.len = 0;
    o.write = write;
    o.ud = ud;
    o.rc = 0;
    if (e->bom) {
        put_form(&o, e->form, 0xfeff);
        e->bom = 0;
    }
    size_t i = 0;
    while (i < len && o.rc == 0) {
        uint8_t c = p[i], lo, hi;
        if (e->npend == 0) {
            size_t need = lead_len(c, &lo, &hi);
            if (c < 0x80) {
                put_form(&o, e->form, c);
            } else if (need == 0) {
                put_form(&o, e->form, REPLACEMENT);
            } else {
                e->pend[e->npend++] = c;
            }
            i++;
            continue;
        }
        size_t need = lead_len(e->pend[0], &lo, &hi);
        if (e->npend > 1) {
            lo = 0x80;
            hi = 0xbf;
        }
        if (c < lo || c > hi) {
            /* The sequence so far is a maximal subpart: one U+FFFD, and
               this byte starts afresh (not consumed here). */
            put_form(&o, e->form, REPLACEMENT);
            e->npend = 0;
            continue;
        }
        e->pend[e->npend++] = c;
        if (e->npend == need) {
            put_form(&o, e->form, sequence_value(e->pend, need));
            e->npend = 0;
        }
        i++;
    }
    flush(&o);
    return o.rc;
}

int veil_charset_encode_finish(veil_charset_encoder_t *e, veil_charset_write_cb write, void *ud)
{
    out_t o;

    if (e->form == VEIL_FORM_PASS || e->form == VEIL_FORM_UNDECIDED) {
        return 0;
    }
    o.len = 0;
    o.write = write;
    o.ud = ud;
    o.rc = 0;
    if (e->bom) {
        put_form(&o, e->form, 0xfeff); /* an empty body keeps its BOM */
        e->bom = 0;
    }
    if (e->npend) {
        put_form(&o, e->form, REPLACEMENT);
        e->npend = 0;
    }
    flush(&o);
    return o.rc;
}
