/*
 * Street addresses in running text, by their structure in the postal
 * formats of the US, UK, DE, FR, ES, IT and NL:
 *
 *   number first   "1600 Pennsylvania Avenue NW", "221B Baker Street",
 *                  "12 rue de la Paix", "Flat 3, 10 High Street":
 *                  a house number, capitalised words and a street-type
 *                  word (USPS Publication 28's street suffixes, the
 *                  French voie types);
 *   type first     "Calle Mayor, 12", "Via Roma 1", "Piazza del Duomo 3",
 *                  "Im Winkel 4": a street-type word, words, a number;
 *   suffix         "Hauptstraße 5", "Lindenallee 19", "Kalverstraat 92",
 *                  "Eduard-Spranger-Str. 169": a word ending in a
 *                  street type, then a number;
 *
 * then, when present, a unit ("Apt 4", "Suite 217", "#11"), a Spanish
 * floor ("3º izda."), and the postcode and town in the country's order
 * ("10115 Berlin", "1012 AB Amsterdam", "Denver, CO 80202",
 * "London SW1A 1AA", "Bari (BA)"). Spaces may be written as '+' or %20 and
 * commas as %2C, as in form bodies and URLs.
 */
#include <string.h>

#include "names.h"
#include "names_fold.h"
#include "wordlist.h"

static inline int is_digit(unsigned c)
{
    return c - '0' < 10u;
}
static inline int is_upper(unsigned c)
{
    return c - 'A' < 26u;
}
static inline int is_alpha(unsigned c)
{
    return (c | 0x20) - 'a' < 26u;
}

enum {
    A_SUFFIX = 1, /* street suffix, last word: Street, Ave, Road, Close */
    A_LEAD = 2,   /* number, then this type first: rue, avenue, chemin */
    A_TYPE = 4,   /* type first, number after: Calle, Via, Piazza, Im */
    A_UNIT = 8,   /* Apt, Suite, Unit, Flat */
    A_DIR = 16,   /* N, S, NE, North */
    A_LINK = 32,  /* small words inside a street or town name */
};

typedef struct {
    const char *w;
    uint8_t cls;
} aword_t;

/* clang-format off */
static const aword_t words[] = {
    /* USPS Publication 28, appendix C1: common street suffixes and their
       standard abbreviations; and the British ones. */
    {"street", A_SUFFIX}, {"st", A_SUFFIX}, {"avenue", A_SUFFIX | A_LEAD}, {"ave", A_SUFFIX},
    {"av", A_SUFFIX | A_LEAD | A_TYPE}, {"road", A_SUFFIX}, {"rd", A_SUFFIX}, {"drive", A_SUFFIX},
    {"dr", A_SUFFIX}, {"lane", A_SUFFIX}, {"ln", A_SUFFIX}, {"boulevard", A_SUFFIX | A_LEAD},
    {"blvd", A_SUFFIX}, {"court", A_SUFFIX}, {"ct", A_SUFFIX}, {"place", A_SUFFIX | A_LEAD},
    {"pl", A_SUFFIX}, {"way", A_SUFFIX}, {"circle", A_SUFFIX}, {"cir", A_SUFFIX},
    {"parkway", A_SUFFIX}, {"pkwy", A_SUFFIX}, {"highway", A_SUFFIX}, {"hwy", A_SUFFIX},
    {"terrace", A_SUFFIX}, {"ter", A_SUFFIX}, {"trail", A_SUFFIX}, {"trl", A_SUFFIX},
    {"square", A_SUFFIX | A_LEAD}, {"sq", A_SUFFIX}, {"close", A_SUFFIX}, {"crescent", A_SUFFIX},
    {"cres", A_SUFFIX}, {"grove", A_SUFFIX}, {"gardens", A_SUFFIX}, {"gdns", A_SUFFIX},
    {"mews", A_SUFFIX}, {"row", A_SUFFIX}, {"hill", A_SUFFIX}, {"park", A_SUFFIX},
    {"walk", A_SUFFIX}, {"green", A_SUFFIX}, {"view", A_SUFFIX}, {"ridge", A_SUFFIX},
    {"loop", A_SUFFIX}, {"run", A_SUFFIX}, {"pass", A_SUFFIX}, {"path", A_SUFFIX},
    {"pike", A_SUFFIX}, {"alley", A_SUFFIX}, {"aly", A_SUFFIX}, {"crossing", A_SUFFIX},
    {"xing", A_SUFFIX}, {"point", A_SUFFIX}, {"plaza", A_SUFFIX | A_TYPE}, {"plz", A_SUFFIX},
    {"expressway", A_SUFFIX}, {"expy", A_SUFFIX}, {"freeway", A_SUFFIX}, {"fwy", A_SUFFIX},
    {"turnpike", A_SUFFIX}, {"tpke", A_SUFFIX}, {"junction", A_SUFFIX}, {"center", A_SUFFIX},
    {"ctr", A_SUFFIX}, {"mill", A_SUFFIX}, {"mills", A_SUFFIX}, {"key", A_SUFFIX},
    {"keys", A_SUFFIX}, {"underpass", A_SUFFIX}, {"upas", A_SUFFIX}, {"overpass", A_SUFFIX},
    {"heights", A_SUFFIX}, {"hts", A_SUFFIX}, {"hollow", A_SUFFIX}, {"landing", A_SUFFIX},
    {"meadow", A_SUFFIX}, {"meadows", A_SUFFIX}, {"orchard", A_SUFFIX}, {"pines", A_SUFFIX},
    {"port", A_SUFFIX}, {"shore", A_SUFFIX}, {"shores", A_SUFFIX}, {"spring", A_SUFFIX},
    {"springs", A_SUFFIX}, {"station", A_SUFFIX}, {"summit", A_SUFFIX}, {"valley", A_SUFFIX},
    {"village", A_SUFFIX}, {"ville", A_SUFFIX}, {"vista", A_SUFFIX}, {"estates", A_SUFFIX},
    {"extension", A_SUFFIX}, {"falls", A_SUFFIX}, {"ferry", A_SUFFIX}, {"field", A_SUFFIX},
    {"fields", A_SUFFIX}, {"forest", A_SUFFIX}, {"fork", A_SUFFIX}, {"forks", A_SUFFIX},
    {"harbor", A_SUFFIX}, {"haven", A_SUFFIX}, {"island", A_SUFFIX}, {"isle", A_SUFFIX},
    {"lake", A_SUFFIX}, {"lakes", A_SUFFIX}, {"manor", A_SUFFIX}, {"mount", A_SUFFIX},
    {"mountain", A_SUFFIX}, {"oval", A_SUFFIX}, {"ramp", A_SUFFIX}, {"ranch", A_SUFFIX},
    {"rapids", A_SUFFIX}, {"route", A_SUFFIX | A_LEAD}, {"rte", A_SUFFIX}, {"skyway", A_SUFFIX},
    {"stream", A_SUFFIX}, {"trace", A_SUFFIX}, {"track", A_SUFFIX}, {"tunnel", A_SUFFIX},
    {"wall", A_SUFFIX}, {"wells", A_SUFFIX}, {"cove", A_SUFFIX}, {"creek", A_SUFFIX},
    {"bend", A_SUFFIX}, {"bluff", A_SUFFIX}, {"bluffs", A_SUFFIX}, {"branch", A_SUFFIX},
    {"bridge", A_SUFFIX}, {"brook", A_SUFFIX}, {"brooks", A_SUFFIX}, {"burg", A_SUFFIX},
    {"bypass", A_SUFFIX}, {"camp", A_SUFFIX}, {"canyon", A_SUFFIX}, {"cape", A_SUFFIX},
    {"causeway", A_SUFFIX}, {"cliff", A_SUFFIX}, {"cliffs", A_SUFFIX}, {"club", A_SUFFIX},
    {"common", A_SUFFIX}, {"corner", A_SUFFIX}, {"corners", A_SUFFIX}, {"course", A_SUFFIX},
    {"courts", A_SUFFIX}, {"cove", A_SUFFIX}, {"crest", A_SUFFIX}, {"dale", A_SUFFIX},
    {"dam", A_SUFFIX}, {"divide", A_SUFFIX}, {"estate", A_SUFFIX}, {"flat", A_SUFFIX},
    {"flats", A_SUFFIX}, {"ford", A_SUFFIX}, {"forge", A_SUFFIX}, {"garden", A_SUFFIX},
    {"gateway", A_SUFFIX}, {"glen", A_SUFFIX}, {"glens", A_SUFFIX}, {"greens", A_SUFFIX},
    {"harbors", A_SUFFIX}, {"inlet", A_SUFFIX}, {"knoll", A_SUFFIX}, {"knolls", A_SUFFIX},
    {"light", A_SUFFIX}, {"lights", A_SUFFIX}, {"lock", A_SUFFIX}, {"locks", A_SUFFIX},
    {"lodge", A_SUFFIX}, {"motorway", A_SUFFIX}, {"neck", A_SUFFIX}, {"plain", A_SUFFIX},
    {"plains", A_SUFFIX}, {"prairie", A_SUFFIX}, {"radial", A_SUFFIX}, {"ridges", A_SUFFIX},
    {"shoal", A_SUFFIX}, {"shoals", A_SUFFIX}, {"spur", A_SUFFIX}, {"squares", A_SUFFIX},
    {"stravenue", A_SUFFIX}, {"streets", A_SUFFIX}, {"summit", A_SUFFIX}, {"trafficway", A_SUFFIX},
    {"viaduct", A_SUFFIX}, {"views", A_SUFFIX}, {"villages", A_SUFFIX}, {"ways", A_SUFFIX},
    {"parade", A_SUFFIX}, {"quay", A_SUFFIX}, {"rise", A_SUFFIX}, {"approach", A_SUFFIX},
    {"broadway", A_SUFFIX}, {"esplanade", A_SUFFIX | A_LEAD}, {"wharf", A_SUFFIX},
    {"chase", A_SUFFIX}, {"drove", A_SUFFIX}, {"gate", A_SUFFIX}, {"yard", A_SUFFIX},
    {"embankment", A_SUFFIX}, {"side", A_SUFFIX}, {"end", A_SUFFIX}, {"wynd", A_SUFFIX},
    {"vale", A_SUFFIX}, {"fold", A_SUFFIX}, {"croft", A_SUFFIX}, {"lawn", A_SUFFIX},
    {"passage", A_SUFFIX | A_LEAD},
    /* French voie types (number first): 12 rue de la Paix */
    {"rue", A_LEAD | A_TYPE}, {"bd", A_LEAD}, {"chemin", A_LEAD}, {"allee", A_LEAD},
    {"impasse", A_LEAD}, {"quai", A_LEAD}, {"cours", A_LEAD}, {"voie", A_LEAD},
    {"sentier", A_LEAD}, {"rond-point", A_LEAD}, {"faubourg", A_LEAD}, {"promenade", A_LEAD},
    {"parvis", A_LEAD}, {"villa", A_LEAD}, {"cite", A_LEAD}, {"residence", A_LEAD},
    {"hameau", A_LEAD}, {"lieu-dit", A_LEAD}, {"montee", A_LEAD}, {"traverse", A_LEAD},
    {"ruelle", A_LEAD}, {"avenida", A_TYPE}, {"high", 0},
    /* Type first (ES, IT, PT, and German prepositions) */
    {"calle", A_TYPE}, {"c", A_TYPE}, {"avda", A_TYPE}, {"paseo", A_TYPE}, {"pza", A_TYPE},
    {"pasaje", A_TYPE}, {"camino", A_TYPE}, {"ronda", A_TYPE}, {"travesia", A_TYPE},
    {"carrera", A_TYPE}, {"carrer", A_TYPE}, {"glorieta", A_TYPE}, {"urbanizacion", A_TYPE},
    {"callejon", A_TYPE}, {"cuesta", A_TYPE}, {"rambla", A_TYPE}, {"via", A_TYPE},
    {"viale", A_TYPE}, {"piazza", A_TYPE}, {"piazzale", A_TYPE}, {"corso", A_TYPE},
    {"largo", A_TYPE}, {"vicolo", A_TYPE}, {"contrada", A_TYPE}, {"strada", A_TYPE},
    {"borgo", A_TYPE}, {"incrocio", A_TYPE}, {"lungomare", A_TYPE}, {"vico", A_TYPE},
    {"salita", A_TYPE}, {"rotonda", A_TYPE}, {"traversa", A_TYPE}, {"rua", A_TYPE},
    {"travessa", A_TYPE}, {"praca", A_TYPE}, {"estrada", A_TYPE}, {"alameda", A_TYPE},
    {"im", A_TYPE}, {"am", A_TYPE}, {"an", A_TYPE}, {"auf", A_TYPE}, {"zum", A_TYPE},
    {"zur", A_TYPE}, {"unter", A_TYPE}, {"hinter", A_TYPE},
    /* units */
    {"apt", A_UNIT}, {"apartment", A_UNIT}, {"suite", A_UNIT}, {"ste", A_UNIT},
    {"unit", A_UNIT}, {"fl", A_UNIT}, {"floor", A_UNIT}, {"rm", A_UNIT}, {"room", A_UNIT},
    {"bldg", A_UNIT}, {"building", A_UNIT}, {"dept", A_UNIT},
    /* directions */
    {"n", A_DIR}, {"s", A_DIR}, {"e", A_DIR | A_LINK}, {"w", A_DIR}, {"ne", A_DIR},
    {"nw", A_DIR}, {"se", A_DIR}, {"sw", A_DIR}, {"north", A_DIR}, {"south", A_DIR},
    {"east", A_DIR}, {"west", A_DIR},
    /* small words inside names of streets and towns */
    {"de", A_LINK}, {"del", A_LINK}, {"della", A_LINK}, {"delle", A_LINK}, {"dei", A_LINK},
    {"degli", A_LINK}, {"dello", A_LINK}, {"di", A_LINK}, {"da", A_LINK}, {"do", A_LINK},
    {"dos", A_LINK}, {"das", A_LINK}, {"des", A_LINK}, {"du", A_LINK}, {"la", A_LINK},
    {"le", A_LINK}, {"les", A_LINK}, {"los", A_LINK}, {"las", A_LINK}, {"el", A_LINK},
    {"van", A_LINK}, {"der", A_LINK}, {"den", A_LINK}, {"het", A_LINK}, {"y", A_LINK},
    {"sur", A_LINK}, {"en", A_LINK}, {"sous", A_LINK}, {"aan", A_LINK}, {"upon", A_LINK},
    {"on", A_LINK}, {"the", A_LINK}, {"of", A_LINK}, {"dem", A_LINK}, {"zu", A_LINK},
    {"i", A_LINK}, {"d", A_LINK}, {"l", A_LINK}, {"al", A_LINK}, {"alla", A_LINK},
    {"ai", A_LINK}, {"agli", A_LINK}, {"il", A_LINK}, {"lo", A_LINK}, {"von", A_LINK},
    {"im", A_LINK}, {"am", A_LINK}, {"an", A_LINK}, {"ob", A_LINK}, {"bei", A_LINK},
    {"op", A_LINK}, {"aan", A_LINK}, {"a", A_LINK},
    /* More thoroughfare words: Royal Mail's (Lea, Mead, Grange) and the
       INE's Spanish tipos de vía (Barrio, Ramal, Subida, ...). */
    {"lea", A_SUFFIX}, {"mead", A_SUFFIX}, {"grange", A_SUFFIX}, {"gran", A_TYPE},
    {"barrio", A_TYPE}, {"bloque", A_TYPE}, {"calleja", A_TYPE}, {"jardines", A_TYPE},
    {"puente", A_TYPE}, {"ramal", A_TYPE}, {"senda", A_TYPE}, {"subida", A_TYPE},
    {"carretera", A_TYPE}, {"poligono", A_TYPE}, {"prolongacion", A_TYPE},
    {"partida", A_TYPE}, {"lugar", A_TYPE}, {"grupo", A_TYPE}, {"sector", A_TYPE},
    {"costa", A_TYPE}, {"parque", A_TYPE}, {"in", A_TYPE},
};
/* clang-format on */

/* German street words written apart ("Greifswalder Str.", "Alte Landstr."
   has a compound): after one or two capitalised words. */
static const veil__word_len_t apart[] = {
    VEIL__WL("str"),    VEIL__WL("strasse"),  VEIL__WL("weg"),   VEIL__WL("allee"),
    VEIL__WL("platz"),  VEIL__WL("gasse"),    VEIL__WL("ring"),  VEIL__WL("damm"),
    VEIL__WL("ufer"),   VEIL__WL("chaussee"), VEIL__WL("steig"), VEIL__WL("pfad"),
    VEIL__WL("graben"), VEIL__WL("markt"),    VEIL__WL("berg"),  VEIL__WL("hof"),
    VEIL__WL("straat"), VEIL__WL("laan"),     VEIL__WL("weg"),   VEIL__WL("plein"),
    VEIL__WL("kade"),
};

/* Word endings of German and Dutch street names (Lindenallee, Kalverstraat). */
static const veil__word_len_t suffixes[] = {
    VEIL__WL("strasse"), VEIL__WL("str"),       VEIL__WL("weg"),    VEIL__WL("allee"),
    VEIL__WL("platz"),   VEIL__WL("gasse"),     VEIL__WL("ring"),   VEIL__WL("damm"),
    VEIL__WL("ufer"),    VEIL__WL("chaussee"),  VEIL__WL("steig"),  VEIL__WL("pfad"),
    VEIL__WL("graben"),  VEIL__WL("markt"),     VEIL__WL("straat"), VEIL__WL("laan"),
    VEIL__WL("gracht"),  VEIL__WL("plein"),     VEIL__WL("dijk"),   VEIL__WL("kade"),
    VEIL__WL("singel"),  VEIL__WL("steeg"),     VEIL__WL("dreef"),  VEIL__WL("baan"),
    VEIL__WL("wal"),     VEIL__WL("plantsoen"), VEIL__WL("hof"),    VEIL__WL("park"),
    VEIL__WL("pad"),     VEIL__WL("kamp"),      VEIL__WL("hoven"),  VEIL__WL("berg"),
    VEIL__WL("stieg"),   VEIL__WL("zeile"),
};

#define ABITS 10
#define ASLOTS (1u << ABITS)
static struct {
    uint32_t h;
    uint8_t cls;
} atab[ASLOTS];

static uint32_t ah(const char *s, size_t n)
{
    uint32_t h = (uint32_t)(veil__fold_hash(s, n) >> 32);
    return h ? h : 1;
}

static void atab_build(void)
{
    for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
        uint32_t h = ah(words[k].w, strlen(words[k].w));
        size_t slot = veil__wl_slot(h, ABITS);
        while (atab[slot].h != 0 && atab[slot].h != h) {
            slot = (slot + 1) & (ASLOTS - 1);
        }
        atab[slot].h = h;
        atab[slot].cls |= words[k].cls;
    }
}

void veil__addresses_init(void)
{
    atab_build();
}

static unsigned aclass(const veil__word_t *w)
{
    if (w->len == 0) {
        return 0;
    }
    uint32_t h = w->h;
    for (size_t slot = veil__wl_slot(h, ABITS); atab[slot].h != 0;
         slot = (slot + 1) & (ASLOTS - 1)) {
        if (atab[slot].h == h) {
            return atab[slot].cls;
        }
    }
    return 0;
}

/* A capitalised word, or d'/l' before one (d'Abbeville). */
static int name_word(const veil__word_t *w)
{
    if (w->cap) {
        return 1;
    }
    return w->len > 3 && (w->f[0] == 'd' || w->f[0] == 'l') && w->f[1] == '\'';
}

/* A German or Dutch street word: a compound ending in a street type. */
static int suffix_word(const veil__word_t *w)
{
    if (!w->cap || w->len < 4) {
        return 0;
    }
    if (w->len == 5 && memcmp(w->f, "markt", 5) == 0) {
        return 1;
    }
    for (size_t k = 0; k < sizeof(suffixes) / sizeof(suffixes[0]); k++) {
        size_t sl = suffixes[k].len;
        if (w->len >= sl + 3 && memcmp(w->f + w->len - sl, suffixes[k].w, sl) == 0) {
            return 1;
        }
    }
    return 0;
}

static int apart_word(const veil__word_t *w)
{
    if (!w->cap) {
        return 0;
    }
    for (size_t k = 0; k < sizeof(apart) / sizeof(apart[0]); k++) {
        if (apart[k].len == w->len && memcmp(w->f, apart[k].w, w->len) == 0) {
            return 1;
        }
    }
    return 0;
}

/* ---- separators ---- */

#define NEED SIZE_MAX /* the view ends before the answer */

/* After one space (' ', '+', %20, no-break space) at <p>; 0 when none. */
static size_t space(const veil__nview_t *v, size_t p)
{
    const unsigned char *b = v->b;
    if (p >= v->n) {
        return v->final ? 0 : NEED;
    }
    if (b[p] == ' ' || b[p] == '+') {
        return p + 1;
    }
    if (b[p] == 0xC2 && p + 1 < v->n && b[p + 1] == 0xA0) {
        return p + 2;
    }
    if (b[p] == '%' && p + 2 < v->n && b[p + 1] == '2' && b[p + 2] == '0') {
        return p + 3;
    }
    return 0;
}

/* After a comma (',' or %2C) and one space at <p>; 0 when none. */
static size_t comma(const veil__nview_t *v, size_t p)
{
    const unsigned char *b = v->b;
    size_t q = 0;
    if (p < v->n && b[p] == ',') {
        q = p + 1;
    } else if (p + 2 < v->n && b[p] == '%' && b[p + 1] == '2' && (b[p + 2] | 0x20) == 'c') {
        q = p + 3;
    } else {
        return 0;
    }
    size_t r = space(v, q);
    return r == NEED ? 0 : r;
}

/* After a comma and space, or a space; 0 when neither. */
static size_t sep(const veil__nview_t *v, size_t p)
{
    size_t q = comma(v, p);
    if (q) {
        return q;
    }
    q = space(v, p);
    return q == NEED ? 0 : q;
}

static int boundary(const veil__nview_t *v, size_t p)
{
    return p >= v->n || !(is_alpha(v->b[p]) || is_digit(v->b[p]) || v->b[p] >= 0x80);
}

/* A house number at <p> (12, 12a, 87A, 12-14, 7/9): its end, or 0. */
static size_t house_number(const veil__nview_t *v, size_t p)
{
    const unsigned char *b = v->b;
    size_t q = p;
    while (q < v->n && q - p < 6 && is_digit(b[q])) {
        q++;
    }
    if (q == p || q - p > 5 || b[p] == '0') {
        return 0;
    }
    if ((q < v->n && b[q] == '-') || (q < v->n && b[q] == '/')) {
        size_t r = q + 1;
        while (r < v->n && r - q < 5 && is_digit(b[r])) {
            r++;
        }
        if (r > q + 1 && boundary(v, r)) {
            return r;
        }
        /* 28/A */
        if (r == q + 1 && b[q] == '/' && r < v->n && is_upper(b[r]) && boundary(v, r + 1)) {
            return r + 1;
        }
    }
    if (q < v->n && is_alpha(b[q]) && boundary(v, q + 1)) {
        return q + 1;
    }
    if (!boundary(v, q)) {
        return 0;
    }
    /* 12 bis, 19 ter (French) */
    if (q + 4 < v->n && (b[q] == ' ' || b[q] == '+') &&
        ((memcmp(b + q + 1, "bis", 3) == 0 && boundary(v, q + 4)) ||
         (memcmp(b + q + 1, "ter", 3) == 0 && boundary(v, q + 4)))) {
        return q + 4;
    }
    return q;
}

/* Reads the word at <p> into *w: 1, or 0 when no word starts there. */
static int word(const veil__nview_t *v, size_t p, veil__word_t *w)
{
    if (p >= v->n) {
        return 0;
    }
    return veil__nword(v, p, w) == 1;
}

/* A word followed by '.', when the word (or its last hyphenated part) is
   an abbreviation of four letters or fewer: St., Ave., Str., Eduard-Str. */
static size_t abbr_end(const veil__nview_t *v, const veil__word_t *w)
{
    if (w->e >= v->n || v->b[w->e] != '.') {
        return w->e;
    }
    size_t s = w->e;
    while (s > w->s && v->b[s - 1] != '-') {
        s--;
    }
    return w->e - s <= 4 ? w->e + 1 : w->e;
}

/* ---- postcode and town ---- */

static int upper_run(const veil__nview_t *v, size_t p, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (p + k >= v->n || !is_upper(v->b[p + k])) {
            return 0;
        }
    }
    return 1;
}

/* A UK postcode at <p> (SW1A 1AA, B29 6UN): its end, or 0. */
static size_t uk_postcode(const veil__nview_t *v, size_t p)
{
    const unsigned char *b = v->b;
    size_t q = p, k = 0;
    while (q < v->n && k < 2 && is_upper(b[q])) {
        q++, k++;
    }
    if (k == 0 || q >= v->n || !is_digit(b[q])) {
        return 0;
    }
    q++;
    if (q < v->n && (is_digit(b[q]) || is_upper(b[q]))) {
        q++;
    }
    size_t r = space(v, q);
    if (r == 0 || r == NEED) {
        r = q;
    }
    if (r + 3 <= v->n && is_digit(b[r]) && upper_run(v, r + 1, 2) && boundary(v, r + 3)) {
        return r + 3;
    }
    return 0;
}

/* A town: capitalised words with the small words of place names between
   (Freiburg im Breisgau, Den Haag, Aix-en-Provence). Its end, or 0. */
static size_t town(const veil__nview_t *v, size_t p)
{
    veil__word_t w;
    size_t end = 0, q = p;
    for (int k = 0; k < 4; k++) {
        if (!word(v, q, &w)) {
            break;
        }
        if (w.cap) {
            end = w.e;
        } else if (!(aclass(&w) & A_LINK)) {
            break;
        }
        size_t r = space(v, w.e);
        if (r == 0 || r == NEED) {
            break;
        }
        q = r;
    }
    return end;
}

/* After a town: an Italian province, "(BA)" or "BA". */
static size_t province(const veil__nview_t *v, size_t p)
{
    const unsigned char *b = v->b;
    size_t q = space(v, p);
    if (q == 0 || q == NEED) {
        return p;
    }
    if (q + 4 <= v->n && b[q] == '(' && upper_run(v, q + 1, 2) && b[q + 3] == ')') {
        return q + 4;
    }
    if (q + 6 <= v->n && b[q] == '%' && b[q + 1] == '2' && b[q + 2] == '8' &&
        upper_run(v, q + 3, 2) && b[q + 5] == '%') {
        return q + 8 <= v->n && b[q + 6] == '2' && b[q + 7] == '9' ? q + 8 : p;
    }
    if (upper_run(v, q, 2) && boundary(v, q + 2)) {
        return q + 2;
    }
    return p;
}

/*
 * tail(): the postcode and town after a street that ends at <p>, in any
 * of the formats; returns the new end (<p> when there is none).
 */
static size_t tail(const veil__nview_t *v, size_t p)
{
    const unsigned char *b = v->b;
    size_t q = sep(v, p), r, e;
    if (q == 0) {
        return p;
    }
    /* 5-digit postcode and town (DE, FR, ES, IT; the US in some forms). */
    r = q;
    while (r < v->n && r - q < 6 && is_digit(b[r])) {
        r++;
    }
    if (r - q == 5 && (e = space(v, r)) != 0 && e != NEED && (e = town(v, e)) != 0) {
        return province(v, e);
    }
    /* NL: 1234 AB town, 1234AB town. */
    if (r - q == 4) {
        size_t s = space(v, r);
        s = s == 0 || s == NEED ? r : s;
        if (upper_run(v, s, 2) && (e = space(v, s + 2)) != 0 && e != NEED &&
            (e = town(v, e)) != 0) {
            return e;
        }
    }
    /* A town, then a US state and ZIP code, or a UK postcode. */
    if ((e = town(v, q)) != 0) {
        size_t s = comma(v, e);
        if (s == 0) {
            s = space(v, e);
            s = s == NEED ? 0 : s;
        }
        if (s != 0) {
            if (upper_run(v, s, 2) && (r = space(v, s + 2)) != 0 && r != NEED) {
                size_t z = r;
                while (z < v->n && z - r < 6 && is_digit(b[z])) {
                    z++;
                }
                if (z - r == 5) {
                    /* ZIP+4: four digits after the dash, every one (the
                       two in between were not read: "53059-0\n1"
                       took a line break and the next value's digit) */
                    if (z + 5 <= v->n && b[z] == '-' && is_digit(b[z + 1]) && is_digit(b[z + 2]) &&
                        is_digit(b[z + 3]) && is_digit(b[z + 4])) {
                        z += 5;
                    }
                    return z;
                }
            }
            if ((r = uk_postcode(v, s)) != 0) {
                return r;
            }
            /* A town and its 5-digit postcode after it is no format here. */
        }
    }
    if ((r = uk_postcode(v, q)) != 0) {
        return r;
    }
    return p;
}

/* A Spanish floor after the number: ", 3º izda.", ", 1º B". */
static size_t floor_es(const veil__nview_t *v, size_t p)
{
    const unsigned char *b = v->b;
    size_t q = comma(v, p), r;
    if (q == 0 || q >= v->n || !is_digit(b[q])) {
        return p;
    }
    r = q + 1;
    if (r < v->n && is_digit(b[r])) {
        r++;
    }
    /* º U+00BA, ª U+00AA, ° U+00B0 */
    if (r + 1 < v->n && b[r] == 0xC2 &&
        (b[r + 1] == 0xBA || b[r + 1] == 0xAA || b[r + 1] == 0xB0)) {
        r += 2;
    } else {
        return p;
    }
    size_t s = space(v, r);
    veil__word_t w;
    if (s != 0 && s != NEED && word(v, s, &w) && w.e - w.s <= 6) {
        size_t e = abbr_end(v, &w);
        if (boundary(v, e) && !(e < v->n && v->b[e] == ' ' && w.cap && w.len > 1)) {
            return e;
        }
    }
    return r;
}

/* A unit after a US or UK street: "Apt 4", "Suite 217", "#11". */
static size_t unit(const veil__nview_t *v, size_t p)
{
    const unsigned char *b = v->b;
    size_t q = sep(v, p);
    veil__word_t w;
    if (q == 0) {
        return p;
    }
    if (q < v->n && b[q] == '#') {
        size_t r = q + 1;
        while (r < v->n && r - q < 7 && (is_digit(b[r]) || is_alpha(b[r]))) {
            r++;
        }
        return r > q + 1 && boundary(v, r) ? r : p;
    }
    if (word(v, q, &w) && (aclass(&w) & A_UNIT)) {
        size_t r = space(v, abbr_end(v, &w));
        if (r != 0 && r != NEED) {
            size_t s = r + (r < v->n && b[r] == '#');
            size_t e = s;
            while (e < v->n && e - s < 6 && (is_digit(b[e]) || is_upper(b[e]))) {
                e++;
            }
            if (e > s && boundary(v, e)) {
                return e;
            }
        }
    }
    return p;
}

/* ---- the three forms ---- */

/* Number first: 1600 Pennsylvania Avenue NW; 12 rue de la Paix. */
static size_t number_first(const veil__nview_t *v, size_t i)
{
    size_t p = house_number(v, i), q;
    veil__word_t w;
    if (p == 0) {
        return 0;
    }
    /* "12, rue ..." is French too; one separator then words. */
    q = sep(v, p);
    if (q == 0 || !word(v, q, &w)) {
        return 0;
    }
    unsigned c = aclass(&w);
    size_t end = 0;
    if (c & A_LEAD) {
        /* The type, then the street's name (capitalised, small words). */
        size_t r = space(v, w.e);
        int names = 0;
        for (int k = 0; k < 6 && r != 0 && r != NEED; k++) {
            veil__word_t x;
            if (!word(v, r, &x)) {
                break;
            }
            if (name_word(&x)) {
                names++;
                end = x.e;
            } else if (!(aclass(&x) & A_LINK)) {
                break;
            }
            r = space(v, x.e);
        }
        if (names == 0) {
            return 0;
        }
    } else {
        /* Capitalised words (an ordinal or a direction among them), the
           last a street suffix. */
        int names = 0;
        size_t r = q;
        for (int k = 0; k < 6; k++) {
            veil__word_t x;
            size_t xe;
            if (r < v->n && is_digit(v->b[r])) {
                /* 5th, 42nd */
                size_t d = r;
                while (d < v->n && is_digit(v->b[d])) {
                    d++;
                }
                if (!word(v, d, &x) || x.len != 2 || !boundary(v, x.e)) {
                    break;
                }
                names++;
                xe = x.e;
            } else if (word(v, r, &x) && (x.cap || (aclass(&x) & A_DIR))) {
                unsigned xc = aclass(&x);
                xe = abbr_end(v, &x);
                if ((xc & A_SUFFIX) && names > 0) {
                    end = xe;
                    /* A direction after the suffix: Avenue NW. */
                    size_t s = space(v, xe);
                    veil__word_t d;
                    if (s != 0 && s != NEED && word(v, s, &d) && (aclass(&d) & A_DIR) &&
                        d.e - d.s <= 2 && boundary(v, d.e)) {
                        end = d.e;
                    }
                    break;
                }
                names++;
            } else {
                break;
            }
            size_t s = space(v, xe);
            if (s == 0 || s == NEED) {
                break;
            }
            r = s;
        }
        if (end == 0) {
            return 0;
        }
        end = unit(v, end);
    }
    return tail(v, end);
}

/* Type first: Calle Mayor, 12; Via Roma 1; Im Winkel 4; C/ del Sol 17. */
static size_t type_first(const veil__nview_t *v, const veil__word_t *t)
{
    const unsigned char *b = v->b;
    size_t r = abbr_end(v, t);
    if (t->len == 1 && t->f[0] == 'c') {
        if (r < v->n && b[r] == '/') {
            r++;
        } else if (r + 2 < v->n && b[r] == '%' && b[r + 1] == '2' && (b[r + 2] | 0x20) == 'f') {
            r += 3;
        } else {
            return 0;
        }
    }
    if ((t->len == 2 && (memcmp(t->f, "in", 2) == 0 || memcmp(t->f, "an", 2) == 0)) ||
        (t->len == 3 && memcmp(t->f, "auf", 3) == 0) ||
        (t->len == 5 && memcmp(t->f, "unter", 5) == 0)) {
        /* In der Au 3, An den Eichen 7: the article must follow. */
        veil__word_t a;
        size_t s = space(v, r);
        if (s == 0 || s == NEED || !word(v, s, &a) || a.cap || a.len != 3 ||
            !(memcmp(a.f, "der", 3) == 0 || memcmp(a.f, "den", 3) == 0 ||
              memcmp(a.f, "dem", 3) == 0 || memcmp(a.f, "die", 3) == 0)) {
            return 0;
        }
        r = a.e;
    }
    int names = 0;
    size_t end = 0;
    for (int k = 0; k < 6; k++) {
        size_t s = space(v, r);
        veil__word_t x;
        if (s == 0 || s == NEED) {
            break;
        }
        /* The number: after a space, or a comma and a space. */
        size_t nr = s;
        if (names > 0 && is_digit(b[nr])) {
            end = house_number(v, nr);
            break;
        }
        if (!word(v, s, &x)) {
            break;
        }
        if (name_word(&x)) {
            names++;
            r = x.e;
            size_t c = comma(v, r);
            if (c != 0 && c < v->n && is_digit(b[c])) {
                end = house_number(v, c);
                break;
            }
        } else if (aclass(&x) & A_LINK) {
            r = x.e;
        } else {
            break;
        }
    }
    if (end == 0 || names == 0) {
        return 0;
    }
    end = floor_es(v, end);
    return tail(v, end);
}

/* Suffix: Lindenallee 19; Eduard-Spranger-Str. 169; van der Horstweg 241. */
static size_t suffix_form(const veil__nview_t *v, const veil__word_t *w, size_t *start)
{
    size_t r = space(v, abbr_end(v, w));
    if (r == 0 || r == NEED || r >= v->n || !is_digit(v->b[r])) {
        return 0;
    }
    size_t end = house_number(v, r);
    if (end == 0) {
        return 0;
    }
    /* Dutch names with particles before: "van der Horstweg". */
    size_t s = w->s;
    for (int k = 0; k < 2 && s >= 2 && v->b[s - 1] == ' '; k++) {
        size_t a = s - 1;
        while (a > 0 && s - 1 - a < 4 && is_alpha(v->b[a - 1]) && !is_upper(v->b[a - 1])) {
            a--;
        }
        size_t len = s - 1 - a;
        if ((len == 3 && memcmp(v->b + a, "van", 3) == 0) ||
            (len == 3 && memcmp(v->b + a, "der", 3) == 0) ||
            (len == 2 && memcmp(v->b + a, "de", 2) == 0) ||
            (len == 3 && memcmp(v->b + a, "den", 3) == 0) ||
            (len == 3 && memcmp(v->b + a, "het", 3) == 0)) {
            if (a > 0 && (is_alpha(v->b[a - 1]) || v->b[a - 1] >= 0x80)) {
                break;
            }
            s = a;
        } else {
            break;
        }
    }
    *start = s;
    return tail(v, end);
}

/* "Flat 24, " or "Apartment 3, " before a number-first street (UK). */
static size_t unit_before(const veil__nview_t *v, size_t i)
{
    const unsigned char *b = v->b;
    size_t p = i;
    if (p >= 2 && b[p - 1] == ' ' && b[p - 2] == ',') {
        p -= 2;
    } else {
        return i;
    }
    size_t d = p;
    while (d > 0 && p - d < 4 && (is_digit(b[d - 1]) || is_upper(b[d - 1]))) {
        d--;
    }
    if (d == p || d < 2 || b[d - 1] != ' ') {
        return i;
    }
    size_t ws = d - 1;
    while (ws > 0 && d - 1 - ws < 10 && is_alpha(b[ws - 1])) {
        ws--;
    }
    size_t len = d - 1 - ws;
    if ((len == 4 && memcmp(b + ws, "Flat", 4) == 0) ||
        (len == 9 && memcmp(b + ws, "Apartment", 9) == 0) ||
        (len == 4 && memcmp(b + ws, "Unit", 4) == 0)) {
        return veil__nword_start(b, ws) ? ws : i;
    }
    return i;
}

/* A house number after the word <w> (and its abbreviation's stop): the
   suffix form's cheap first test. */
static int number_follows(const veil__nview_t *v, const veil__word_t *w)
{
    size_t r = space(v, abbr_end(v, w));
    return r != 0 && r != NEED && r < v->n && is_digit(v->b[r]);
}

size_t veil__address_at(const veil__nview_t *v, size_t i, const veil__word_t *w, size_t *start)
{
    size_t e;

    *start = i;
    if (w == NULL) {
        e = number_first(v, i);
        if (e != 0) {
            *start = unit_before(v, i);
        }
        return e;
    }
    if (!w->cap && !(w->len == 1 && w->f[0] == 'c' && v->b[i] == 'C')) {
        return 0;
    }
    /* Every form goes on after the word with a space, a stop (Str.), an
       escape (%20) or, after C only, a slash (C/): not "Mozilla/5.0",
       "Safari/605" (a user agent's every word was read as a street's). */
    if (w->e >= v->n ||
        !(v->b[w->e] == ' ' || v->b[w->e] == '+' || v->b[w->e] == '.' || v->b[w->e] == '%' ||
          v->b[w->e] == 0xC2 || (v->b[w->e] == '/' && w->len == 1))) {
        return 0;
    }
    unsigned c = aclass(w);
    if ((c & A_TYPE) && (e = type_first(v, w)) != 0) {
        return e;
    }
    if (number_follows(v, w)) {
        return suffix_word(w) ? suffix_form(v, w, start) : 0;
    }
    /* An adjective (-e, -er, -en, -es), then a street word apart or a
       compound: Greifswalder Str. 139, Alte Landstr. 12, Kleine
       Rittergasse 3. */
    int adjective =
        w->len >= 3 &&
        (w->f[w->len - 1] == 'e' ||
         (w->f[w->len - 2] == 'e' &&
          (w->f[w->len - 1] == 'r' || w->f[w->len - 1] == 'n' || w->f[w->len - 1] == 's')));
    size_t p = adjective ? space(v, w->e) : 0;
    veil__word_t x;
    if (p != 0 && p != NEED && word(v, p, &x) && x.cap && number_follows(v, &x) &&
        (apart_word(&x) || suffix_word(&x))) {
        size_t sub;
        return suffix_form(v, &x, &sub);
    }
    return 0;
}

int veil__address_like(const char *s, size_t len)
{
    int digit = 0, space_seen = 0, letters = 0, run = 0;
    if (len < 5 || len > 200) {
        return 0;
    }
    for (size_t k = 0; k < len; k++) {
        unsigned char c = (unsigned char)s[k];
        if (c == '@' || c == ':' || c == '=' || c == '{' || c == '<') {
            return 0;
        }
        if (is_digit(c)) {
            /* A number of its own (12, 87A, 28/A, 12-14), not digits
               inside a word (a token, an id). */
            size_t e = k;
            while (e < len && is_digit((unsigned char)s[e])) {
                e++;
            }
            int alone_before = k == 0 || !(is_alpha((unsigned char)s[k - 1]) || s[k - 1] == '-' ||
                                           s[k - 1] == '_');
            size_t f = e < len && is_alpha((unsigned char)s[e]) ? e + 1 : e;
            int alone_after = f == len || !(is_alpha((unsigned char)s[f]) ||
                                            is_digit((unsigned char)s[f]) || s[f] == '_');
            if (alone_before && alone_after && e - k <= 6) {
                digit = 1;
            }
            run = 0;
            k = e - 1;
        } else if (is_alpha(c) || c >= 0x80) {
            if (++run >= 2) {
                letters = 1;
            }
        } else {
            run = 0;
            if (c == ' ' || c == '+' ||
                (c == '%' && k + 2 < len && s[k + 1] == '2' && s[k + 2] == '0')) {
                space_seen = 1;
            }
        }
    }
    return digit && space_seen && letters;
}
