/*
 * Credential names: the one judge of whether a header name, JSON key or
 * form field name names a credential (veil_name_is_credential()). The
 * access log masks such headers whole; the engine treats the value under
 * such a key as one secret_field finding (keys.c).
 *
 * A name is split into words and each word is looked up in one table of
 * words, each with its role:
 *
 *   credential  auth, key, token, secret, password, session, signature,
 *               cookie, ... and their translations;
 *   qualifier   after a credential word, the value only describes the
 *               credential: token_type, key_id, password_expires_at;
 *   cursor      before "token": a page cursor, not a credential
 *               (next_page_token, continuationToken, $skiptoken);
 *   data key    before "key": a key into data, not a secret (primary_key,
 *               sort_key, Idempotency-Key, Sec-WebSocket-Key);
 *   modifier    glued before a credential word in compounds: (api)key,
 *               (access)token, (signing)secret.
 *
 * Words written together are taken apart only as far as the table knows
 * them, so "monkey", "keyboard", "keyword", "compass", "bypass",
 * "passport", "passenger", "author" and "tokenizer" stay words of their
 * own. See docs/detectors.md for the lists and where they come from.
 *
 * Speed: names are judged for every key of every JSON and form body, so
 * a first pass over the name looks for three or four letters that some
 * credential word holds (key, pass, toke, secr, ...) or a non-ASCII byte;
 * most keys ("id", "created_at", "amount") have none and are done there.
 * Lookups hash into a table built once; nothing is allocated.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "engine.h"
#include "veil/credentials.h"

enum {
    W_CRED = 1u << 0,     /* names a credential */
    W_QUAL = 1u << 1,     /* after a credential word: describes it */
    W_MOD = 1u << 2,      /* may be glued before a credential word */
    W_CURSOR = 1u << 3,   /* before a token word: a cursor */
    W_DATAKEY = 1u << 4,  /* before a key word: a key into data */
    W_SUFFIX = 1u << 5,   /* credential word that ends compounds after
                             any letters: clientsecret, mytoken */
    W_PREFIX = 1u << 6,   /* credential word that starts compounds before
                             any letters: passwords, passwortneu */
    W_CONTAINS = 1u << 7, /* written without spaces (Japanese, Chinese,
                             Korean): found anywhere in a word */
    W_AMBIG = 1u << 8,    /* alone in prose, too often something else:
                             "cache key=...", "pass=3 fail=0" */
};

/* Kinds that rules single out. */
enum {
    K_NONE,
    K_TOKEN,   /* cursors come before it */
    K_KEY,     /* data keys come before it */
    K_SESSION, /* with "id" after it, the credential: session_id */
    K_PAROLA,  /* "parola chiave" is Italian for keyword */
    K_ID,      /* the qualifier id/ids */
};

typedef struct {
    const char *w; /* lower case, UTF-8 */
    uint16_t flags;
    uint8_t kind;
} word_t;

#define CRED W_CRED
#define SUF (W_CRED | W_SUFFIX)
#define SUFPRE (W_CRED | W_SUFFIX | W_PREFIX)

/* clang-format off */
static const word_t words[] = {
    /* Credential words (English), as HTTP APIs name them: RFC 9110
       Authorization, RFC 6265 Cookie, RFC 6749 access/refresh tokens,
       RFC 9421 Signature, and the API keys, secrets and session ids of
       cloud and SaaS APIs (tests/unit/test_keys.c has the names). */
    {"auth", CRED | W_AMBIG, K_NONE},
    {"authn", CRED, K_NONE},
    {"authz", CRED, K_NONE},
    {"authentication", SUF, K_NONE},
    {"authorization", SUF, K_NONE},
    {"authorisation", SUF, K_NONE},
    {"key", CRED | W_AMBIG, K_KEY},
    {"keys", CRED | W_AMBIG, K_KEY},
    {"apikey", SUF, K_KEY},
    {"apikeys", SUF, K_KEY},
    {"privatekey", SUF, K_KEY},
    {"secretkey", SUF, K_KEY},
    {"accesskey", SUF, K_KEY},
    {"token", SUF, K_TOKEN},
    {"secret", SUF, K_NONE},
    {"secrets", SUF, K_NONE},
    {"pass", CRED | W_AMBIG, K_NONE},
    {"passwd", SUFPRE, K_NONE},
    {"password", SUFPRE, K_NONE},
    {"passphrase", SUFPRE, K_NONE},
    {"passcode", SUFPRE, K_NONE},
    {"pwd", SUFPRE, K_NONE},
    {"cred", CRED | W_AMBIG, K_NONE},
    {"creds", CRED, K_NONE},
    {"credential", SUFPRE, K_NONE},
    {"credentials", SUF, K_NONE},
    /* "session" alone names a visit as often as a login (analytics
       events: {"session": "..."}); the credential is its id, key, token,
       cookie or secret, each named so. */
    {"session", W_MOD, K_SESSION},
    {"sessionid", SUF, K_SESSION},
    {"sessid", SUF, K_SESSION},
    {"jsessionid", CRED, K_SESSION},
    {"signature", SUF, K_NONE},
    {"signatures", SUF, K_NONE},
    {"sig", CRED, K_NONE},
    {"hmac", CRED, K_NONE},
    {"cookie", SUF, K_NONE},
    {"cookies", SUF, K_NONE},
    {"csrf", CRED, K_NONE},
    {"xsrf", CRED, K_NONE},

    /* Translations: the words localised software uses for its password,
       key and token fields (Microsoft and Mozilla localisations; see
       docs/detectors.md). Accented words are also listed without their
       accents, as ASCII-only field names write them. */
    {"passwort", SUFPRE, K_NONE},    /* de */
    {"kennwort", SUFPRE, K_NONE},    /* de */
    {"schl\xc3\xbcssel", CRED, K_KEY}, /* de Schlüssel */
    {"schluessel", CRED, K_KEY},
    {"schlussel", CRED, K_KEY},
    {"motdepasse", SUF, K_NONE},     /* fr mot de passe */
    {"passe", CRED, K_NONE},         /* fr mot de passe, pt palavra-passe */
    {"mdp", CRED, K_NONE},           /* fr, short for mot de passe */
    {"jeton", CRED, K_TOKEN},        /* fr token */
    {"cl\xc3\xa9", CRED, K_KEY},     /* fr clé */
    {"cle", CRED, K_KEY},
    {"contrase\xc3\xb1" "a", SUF, K_NONE}, /* es contraseña */
    {"contrasena", SUF, K_NONE},
    {"clave", CRED, K_KEY},          /* es */
    {"senha", SUF, K_NONE},          /* pt */
    {"palavrapasse", SUF, K_NONE},   /* pt-PT palavra-passe */
    {"chave", CRED, K_KEY},          /* pt */
    {"wachtwoord", SUFPRE, K_NONE},  /* nl */
    {"sleutel", CRED, K_KEY},        /* nl */
    {"parola", CRED | W_DATAKEY, K_PAROLA}, /* tr; it parola d'ordine */
    {"chiave", CRED, K_KEY},         /* it */
    {"\xd0\xbf\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c", SUF, K_NONE}, /* ru, uk пароль */
    {"has\xc5\x82o", SUF, K_NONE},   /* pl hasło */
    {"haslo", SUF, K_NONE},
    {"\xc5\x9fifre", SUF, K_NONE},   /* tr şifre */
    {"sifre", SUF, K_NONE},
    {"l\xc3\xb6senord", SUF, K_NONE}, /* sv lösenord */
    {"losenord", SUF, K_NONE},
    {"salasana", SUF, K_NONE},       /* fi */
    {"passord", SUF, K_NONE},        /* nb, nn */
    {"adgangskode", SUF, K_NONE},    /* da */
    {"heslo", SUF, K_NONE},          /* cs, sk */
    {"jelsz\xc3\xb3", SUF, K_NONE}, /* hu jelszó */
    {"jelszo", SUF, K_NONE},
    {"lozinka", SUF, K_NONE},        /* hr, sr, bs */
    {"parool", SUF, K_NONE},         /* et */
    {"\xe3\x83\x91\xe3\x82\xb9\xe3\x83\xaf\xe3\x83\xbc\xe3\x83\x89", W_CRED | W_CONTAINS,
     K_NONE}, /* ja パスワード */
    {"\xe6\x9a\x97\xe8\xa8\xbc\xe7\x95\xaa\xe5\x8f\xb7", W_CRED | W_CONTAINS,
     K_NONE}, /* ja 暗証番号 (PIN) */
    {"\xe5\xaf\x86\xe7\xa0\x81", W_CRED | W_CONTAINS, K_NONE}, /* zh-Hans 密码 */
    {"\xe5\xaf\x86\xe7\xa2\xbc", W_CRED | W_CONTAINS, K_NONE}, /* zh-Hant 密碼 */
    {"\xeb\xb9\x84\xeb\xb0\x80\xeb\xb2\x88\xed\x98\xb8", W_CRED | W_CONTAINS,
     K_NONE}, /* ko 비밀번호 */

    /* Qualifiers: after a credential word, the value is about the
       credential (its kind, where it is sent, when it ends), not it. */
    {"type", W_QUAL, 0}, {"types", W_QUAL, 0}, {"kind", W_QUAL, 0},
    {"method", W_QUAL, 0}, {"methods", W_QUAL, 0}, {"scheme", W_QUAL, 0},
    {"schemes", W_QUAL, 0}, {"endpoint", W_QUAL, 0}, {"endpoints", W_QUAL, 0},
    {"url", W_QUAL, 0}, {"urls", W_QUAL, 0}, {"uri", W_QUAL, 0}, {"uris", W_QUAL, 0},
    {"path", W_QUAL, 0}, {"host", W_QUAL | W_MOD, 0}, {"domain", W_QUAL, 0},
    {"provider", W_QUAL, 0}, {"providers", W_QUAL, 0}, {"server", W_QUAL, 0},
    {"servers", W_QUAL, 0}, {"required", W_QUAL, 0}, {"enabled", W_QUAL, 0},
    {"disabled", W_QUAL, 0}, {"enable", W_QUAL, 0}, {"disable", W_QUAL, 0},
    {"status", W_QUAL, 0}, {"mode", W_QUAL, 0}, {"expires", W_QUAL, 0},
    {"expiry", W_QUAL, 0}, {"expiration", W_QUAL, 0}, {"expired", W_QUAL, 0},
    {"exp", W_QUAL, 0}, {"ttl", W_QUAL, 0}, {"lifetime", W_QUAL, 0},
    {"timeout", W_QUAL, 0}, {"age", W_QUAL, 0}, {"length", W_QUAL, 0},
    {"len", W_QUAL, 0}, {"size", W_QUAL, 0}, {"count", W_QUAL, 0},
    {"hint", W_QUAL, 0}, {"policy", W_QUAL, 0}, {"strength", W_QUAL, 0},
    {"format", W_QUAL, 0}, {"version", W_QUAL, 0}, {"name", W_QUAL, 0},
    {"names", W_QUAL, 0}, {"id", W_QUAL, K_ID}, {"ids", W_QUAL, K_ID},
    {"arn", W_QUAL, 0}, {"label", W_QUAL, 0}, {"field", W_QUAL, 0},
    {"prefix", W_QUAL, 0}, {"algorithm", W_QUAL, 0}, {"alg", W_QUAL, 0},
    {"input", W_QUAL, 0}, {"less", W_QUAL, 0}, {"changed", W_QUAL, 0},
    {"updated", W_QUAL, 0}, {"created", W_QUAL, 0}, {"rotated", W_QUAL, 0},
    {"date", W_QUAL, 0}, {"time", W_QUAL, 0}, {"timestamp", W_QUAL, 0},
    {"error", W_QUAL, 0}, {"errors", W_QUAL, 0}, {"valid", W_QUAL, 0},
    {"validity", W_QUAL, 0}, {"consent", W_QUAL, 0}, {"banner", W_QUAL, 0},
    {"location", W_QUAL, 0}, {"rate", W_QUAL, 0}, {"limit", W_QUAL, 0},
    {"usage", W_QUAL, 0}, {"scope", W_QUAL, 0}, {"scopes", W_QUAL, 0},
    {"min", W_QUAL, 0}, {"max", W_QUAL, 0},

    /* Modifiers: known words glued before a credential word. */
    {"api", W_MOD, 0}, {"access", W_MOD, 0}, {"refresh", W_MOD, 0},
    {"client", W_MOD, 0}, {"user", W_MOD, 0}, {"new", W_MOD, 0}, {"old", W_MOD, 0},
    {"current", W_MOD, 0}, {"confirm", W_MOD, 0}, {"confirmation", W_MOD, 0},
    {"private", W_MOD, 0}, {"master", W_MOD, 0}, {"admin", W_MOD, 0},
    {"root", W_MOD, 0}, {"app", W_MOD, 0}, {"db", W_MOD, 0}, {"login", W_MOD, 0},
    {"signing", W_MOD, 0}, {"encryption", W_MOD, 0}, {"subscription", W_MOD, 0},
    {"function", W_MOD, 0}, {"functions", W_MOD, 0}, {"account", W_MOD, 0},
    {"service", W_MOD, 0}, {"web", W_MOD, 0}, {"webhook", W_MOD, 0},
    {"hook", W_MOD, 0}, {"consumer", W_MOD, 0}, {"device", W_MOD, 0},
    {"push", W_MOD, 0}, {"registration", W_MOD, 0}, {"verification", W_MOD, 0},
    {"reset", W_MOD, 0}, {"temp", W_MOD, 0}, {"personal", W_MOD, 0},
    {"bot", W_MOD, 0}, {"oauth", W_MOD, 0}, {"bearer", W_MOD, 0}, {"x", W_MOD, 0},
    {"shared", W_MOD, 0}, {"security", W_MOD, 0}, {"sas", W_MOD, 0},
    {"license", W_MOD, 0}, {"pair", W_MOD, 0}, {"code", W_MOD, 0},
    {"data", W_MOD, 0}, {"secure", W_MOD, 0}, {"sso", W_MOD, 0},

    /* Cursors (before a token word) and data keys (before a key word).
       Cursor words also make a key a cursor: ExclusiveStartKey,
       LastEvaluatedKey (DynamoDB). */
    {"page", W_CURSOR | W_DATAKEY, 0}, {"next", W_CURSOR | W_DATAKEY, 0},
    {"prev", W_CURSOR | W_DATAKEY, 0}, {"previous", W_CURSOR | W_DATAKEY, 0},
    {"continuation", W_CURSOR | W_DATAKEY, 0}, {"continue", W_CURSOR | W_DATAKEY, 0},
    {"sync", W_CURSOR | W_DATAKEY, 0}, {"cursor", W_CURSOR | W_DATAKEY, 0},
    {"skip", W_CURSOR | W_DATAKEY, 0}, {"delta", W_CURSOR | W_DATAKEY, 0},
    {"resume", W_CURSOR | W_DATAKEY, 0}, {"start", W_CURSOR | W_DATAKEY, 0},
    {"starting", W_CURSOR | W_DATAKEY, 0}, {"after", W_CURSOR | W_DATAKEY, 0},
    {"before", W_CURSOR | W_DATAKEY, 0}, {"pagination", W_CURSOR | W_DATAKEY, 0},
    {"more", W_CURSOR | W_DATAKEY, 0}, {"evaluated", W_CURSOR | W_DATAKEY, 0},
    {"primary", W_DATAKEY, 0}, {"foreign", W_DATAKEY, 0}, {"sort", W_DATAKEY, 0},
    {"partition", W_DATAKEY, 0}, {"range", W_DATAKEY, 0}, {"cache", W_DATAKEY, 0},
    {"idempotency", W_DATAKEY, 0}, {"dedup", W_DATAKEY, 0},
    {"dedupe", W_DATAKEY, 0}, {"deduplication", W_DATAKEY, 0},
    {"lookup", W_DATAKEY, 0}, {"object", W_DATAKEY, 0}, {"row", W_DATAKEY, 0},
    {"routing", W_DATAKEY, 0}, {"unique", W_DATAKEY, 0}, {"composite", W_DATAKEY, 0},
    {"natural", W_DATAKEY, 0}, {"surrogate", W_DATAKEY, 0}, {"public", W_DATAKEY, 0},
    {"publishable", W_DATAKEY, 0}, {"websocket", W_DATAKEY, 0}, {"socket", W_DATAKEY, 0},
    {"translation", W_DATAKEY, 0},
    /* "keyword" in fr, es, pt (mot-clé, palabra clave, palavra-chave). */
    {"mot", W_DATAKEY, 0}, {"palabra", W_DATAKEY, 0}, {"palavra", W_DATAKEY, 0},
};
/* clang-format on */

#define NWORDS (sizeof(words) / sizeof(words[0]))
#define SLOTS 1024
/* A judged name has at most 128 bytes, so at most 64 words, each at most
   three parts (x|api|key). */
#define MAX_PARTS 192

typedef struct {
    uint32_t hash;
    uint16_t word; /* index + 1, 0 = empty */
} slot_t;

static slot_t table[SLOTS];
static uint8_t word_len[NWORDS];
/* Bit L set: some word of that kind is L bytes long (L < 32). */
static uint32_t suffix_lengths, cred_lengths, any_lengths;
/* Letters a-z (either case) as 1-26, bytes >= 0x80 as 31, others 0. */
uint8_t veil__cred_letter[256];
/* The first pass: an automaton over letters (Aho-Corasick, transitions
   complete) that reaches the absorbing state AC_HIT once the name has held
   a probe: every three-letter credential word, and for each longer one that
   holds none of them, four of its letters. A separator goes back to the
   root; a byte >= 0x80 goes to AC_HIT. About four instructions a byte. */
#define AC_MAX 160
#define AC_ROOT 0
#define AC_HIT 1 /* at offset 32 in veil__cred_ac: veil__cred_may_hold() */
static uint8_t ac[AC_MAX][32];
/* The same transitions as offsets (state * 32), for the first pass
   (veil__cred_may_hold(), inline in engine.h). */
uint16_t veil__cred_ac[AC_MAX * 32];
static uint16_t contains[16];
static size_t ncontains;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int built;

static uint32_t fnv1a(const unsigned char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t k = 0; k < n; k++) {
        h = (h ^ s[k]) * 16777619u;
    }
    return h;
}

static int lookup(const unsigned char *s, size_t n)
{
    if (n == 0 || n >= 32 || !(any_lengths & (1u << n))) {
        return -1;
    }
    uint32_t h = fnv1a(s, n);
    for (size_t slot = h % SLOTS; table[slot].word != 0; slot = (slot + 1) % SLOTS) {
        size_t w = table[slot].word - 1u;
        if (table[slot].hash == h && word_len[w] == n && memcmp(words[w].w, s, n) == 0) {
            return (int)w;
        }
    }
    return -1;
}

static int ascii_letters(const unsigned char *w, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (veil__cred_letter[w[k]] == 0 || veil__cred_letter[w[k]] == 31) {
            return 0;
        }
    }
    return 1;
}

/* The four letters a word is probed by, when its first four are common
   in other keys ("lose" in closed_at, "cont" in content). */
static const char *probe_of(const char *w)
{
    static const char *const other[][2] = {{"losenord", "seno"}, {"contrasena", "sena"}};
    for (size_t k = 0; k < sizeof(other) / sizeof(other[0]); k++) {
        if (strcmp(w, other[k][0]) == 0) {
            return other[k][1];
        }
    }
    return w;
}

static int has3(const char *w)
{
    size_t n = strlen(w);
    for (size_t k = 0; k < NWORDS; k++) {
        if ((words[k].flags & W_CRED) && word_len[k] == 3 &&
            ascii_letters((const unsigned char *)words[k].w, 3)) {
            for (size_t i = 0; i + 3 <= n; i++) {
                if (memcmp(w + i, words[k].w, 3) == 0) {
                    return 1;
                }
            }
        }
    }
    return 0;
}

/* Builds the automaton of the probes: a trie whose last letters lead to
   AC_HIT, completed with Aho-Corasick failure links (breadth first). */
static void build_probes(void)
{
    const char *probes[NWORDS];
    size_t np = 0, nstates = 2;
    uint8_t child[AC_MAX][27];
    uint8_t fail[AC_MAX], queue[AC_MAX];
    size_t head = 0, tail = 0;

    memset(child, 0, sizeof(child));
    for (size_t k = 0; k < NWORDS; k++) {
        const unsigned char *w = (const unsigned char *)words[k].w;
        if (!(words[k].flags & W_CRED) || (words[k].flags & W_CONTAINS) ||
            !ascii_letters(w, word_len[k]) || word_len[k] < 3) {
            continue;
        }
        if (word_len[k] == 3) {
            probes[np++] = words[k].w;
        } else if (!has3(words[k].w)) {
            probes[np++] = probe_of(words[k].w);
        }
    }
    for (size_t p = 0; p < np; p++) {
        size_t n = strlen(probes[p]) > 3 ? 4 : 3;
        uint8_t st = AC_ROOT;
        for (size_t i = 0; i < n && st != AC_HIT; i++) {
            unsigned c = veil__cred_letter[(unsigned char)probes[p][i]];
            if (i + 1 == n) {
                child[st][c] = AC_HIT;
            } else {
                if (child[st][c] == 0) {
                    if (nstates == AC_MAX) {
                        /* Never (AC_MAX has room to spare); were it so,
                           every name would be judged in full. */
                        memset(ac, AC_HIT, sizeof(ac));
                        goto offsets;
                    }
                    child[st][c] = (uint8_t)nstates++;
                }
                st = child[st][c];
            }
        }
    }
    for (unsigned c = 0; c < 32; c++) {
        ac[AC_HIT][c] = AC_HIT;
    }
    fail[AC_ROOT] = AC_ROOT;
    for (unsigned c = 1; c <= 26; c++) {
        ac[AC_ROOT][c] = child[AC_ROOT][c];
        if (child[AC_ROOT][c] > AC_HIT) {
            fail[child[AC_ROOT][c]] = AC_ROOT;
            queue[tail++] = child[AC_ROOT][c];
        }
    }
    ac[AC_ROOT][31] = AC_HIT;
    while (head < tail) {
        uint8_t u = queue[head++];
        ac[u][31] = AC_HIT;
        for (unsigned c = 1; c <= 26; c++) {
            uint8_t v = child[u][c], via = ac[fail[u]][c];
            if (v == 0) {
                ac[u][c] = via;
            } else if (v == AC_HIT || via == AC_HIT) {
                /* A probe ends here, on this path or on a suffix of it. */
                ac[u][c] = AC_HIT;
            } else {
                ac[u][c] = v;
                fail[v] = via;
                queue[tail++] = v;
            }
        }
    }
offsets:
    for (size_t st = 0; st < AC_MAX; st++) {
        for (unsigned c = 0; c < 32; c++) {
            veil__cred_ac[st * 32 + c] = (uint16_t)(ac[st][c] * 32u);
        }
    }
}

static void build(void)
{
    for (int c = 0; c < 256; c++) {
        veil__cred_letter[c] = (c >= 'a' && c <= 'z')   ? (uint8_t)(c - 'a' + 1)
                               : (c >= 'A' && c <= 'Z') ? (uint8_t)(c - 'A' + 1)
                               : c >= 0x80              ? 31
                                                        : 0;
    }
    for (size_t k = 0; k < NWORDS; k++) {
        const unsigned char *w = (const unsigned char *)words[k].w;
        size_t n = strlen(words[k].w);
        word_len[k] = (uint8_t)n;
        if (words[k].flags & W_CONTAINS) {
            if (ncontains < sizeof(contains) / sizeof(contains[0])) {
                contains[ncontains++] = (uint16_t)k;
            }
            continue;
        }
        if (n < 32) {
            any_lengths |= 1u << n;
            if (words[k].flags & W_CRED) {
                cred_lengths |= 1u << n;
            }
            if (words[k].flags & W_SUFFIX) {
                suffix_lengths |= 1u << n;
            }
        }
        uint32_t h = fnv1a(w, n);
        size_t slot = h % SLOTS;
        while (table[slot].word != 0) {
            slot = (slot + 1) % SLOTS;
        }
        table[slot].hash = h;
        table[slot].word = (uint16_t)(k + 1);
    }
    build_probes();
    __atomic_store_n(&built, 1, __ATOMIC_RELEASE);
}

/*
 * Lower case for the scripts of the listed words: ASCII, Latin-1
 * (Ü, Ö, Ñ, É), Latin Extended-A (Ł, Ş, and the Turkish dotted İ to i)
 * and Cyrillic (П). Other bytes are kept. Writes at most <n> bytes.
 */
static size_t fold(const unsigned char *s, size_t n, unsigned char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned c = s[i];
        if (c >= 'A' && c <= 'Z') {
            out[o++] = (unsigned char)(c | 0x20);
            continue;
        }
        if (c < 0x80 || i + 1 >= n || (s[i + 1] & 0xc0) != 0x80) {
            out[o++] = (unsigned char)c;
            continue;
        }
        unsigned d = s[i + 1], cp = ((c & 0x1f) << 6) | (d & 0x3f);
        if (c == 0xc3 && d >= 0x80 && d <= 0x9e && d != 0x97) {
            cp += 0x20;
        } else if (c == 0xc4 || c == 0xc5) {
            if (cp == 0x130) {
                out[o++] = 'i';
                i++;
                continue;
            }
            if (((cp <= 0x137 || (cp >= 0x14a && cp <= 0x177)) && cp % 2 == 0) ||
                (((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17e)) && cp % 2 == 1)) {
                cp++;
            }
        } else if (c == 0xd0 && d <= 0xaf) {
            cp += d >= 0x90 ? 0x20 : 0x50;
        } else {
            out[o++] = (unsigned char)c;
            out[o++] = (unsigned char)d;
            i++;
            continue;
        }
        out[o++] = (unsigned char)(0xc0 | (cp >> 6));
        out[o++] = (unsigned char)(0x80 | (cp & 0x3f));
        i++;
    }
    return o;
}

typedef struct {
    uint16_t flags;
    uint8_t kind;
} part_t;

typedef struct {
    part_t p[MAX_PARTS];
    size_t n;
} parts_t;

static void push(parts_t *ps, uint16_t flags, uint8_t kind)
{
    if (ps->n < MAX_PARTS) {
        ps->p[ps->n].flags = flags;
        ps->p[ps->n].kind = kind;
        ps->n++;
    }
}

static void push_word(parts_t *ps, int w)
{
    if (w < 0) {
        push(ps, 0, K_NONE);
    } else {
        push(ps, words[w].flags, words[w].kind);
    }
}

/* The word ending <s> (<n> bytes) that the table knows, longest first. */
static int last_known(const unsigned char *s, size_t n)
{
    for (size_t l = n - 1; l > 0; l--) {
        int w = lookup(s + n - l, l);
        if (w >= 0) {
            return w;
        }
    }
    return -1;
}

/* <s> is one known word, or two: pushes them. */
static int push_known(parts_t *ps, const unsigned char *s, size_t n)
{
    int w = lookup(s, n);
    if (w >= 0) {
        push_word(ps, w);
        return 1;
    }
    for (size_t l = 1; l < n; l++) {
        int a = lookup(s, l), b;
        if (a >= 0 && (b = lookup(s + l, n - l)) >= 0) {
            push_word(ps, a);
            push_word(ps, b);
            return 1;
        }
    }
    return 0;
}

/* A word the table does not know: a compound of a credential word and
   other letters, pushed as its parts; 0 when it is none. */
static int compound(parts_t *ps, const unsigned char *w, size_t n)
{
    uint32_t lens;
    int e;

    /* A credential word that ends compounds after any letters: the part
       before it counts by its own last known word (nextpage|token). */
    for (lens = suffix_lengths & ((1u << n) - 1) & ~1u; lens;
         lens &= ~(1u << (31 - __builtin_clz(lens)))) {
        size_t l = (size_t)(31 - __builtin_clz(lens));
        if ((e = lookup(w + n - l, l)) >= 0 && (words[e].flags & W_SUFFIX)) {
            int before = lookup(w, n - l);
            push_word(ps, before >= 0 ? before : last_known(w, n - l));
            push_word(ps, e);
            return 1;
        }
    }
    /* Any credential word after known words: api|key, x|api|key. */
    for (lens = cred_lengths & ((1u << n) - 1) & ~1u; lens;
         lens &= ~(1u << (31 - __builtin_clz(lens)))) {
        size_t l = (size_t)(31 - __builtin_clz(lens));
        if ((e = lookup(w + n - l, l)) >= 0 && (words[e].flags & W_CRED)) {
            size_t before = ps->n;
            if (push_known(ps, w, n - l)) {
                push_word(ps, e);
                return 1;
            }
            ps->n = before;
        }
    }
    /* A credential word before a known word (key|id, token|type,
       auth|token), or before any letters when it starts compounds. */
    for (lens = cred_lengths & ((1u << n) - 1) & ~1u; lens;
         lens &= ~(1u << (31 - __builtin_clz(lens)))) {
        size_t l = (size_t)(31 - __builtin_clz(lens));
        if ((e = lookup(w, l)) >= 0 && (words[e].flags & W_CRED)) {
            int r = lookup(w + l, n - l);
            if (r >= 0 || (words[e].flags & W_PREFIX)) {
                push_word(ps, e);
                push_word(ps, r);
                return 1;
            }
        }
    }
    return 0;
}

static void add_word(parts_t *ps, const unsigned char *raw, size_t rn)
{
    unsigned char w[VEIL__CRED_MAX_NAME];
    size_t n = fold(raw, rn, w);
    int e = lookup(w, n), high = 0;

    if (e >= 0) {
        push_word(ps, e);
        return;
    }
    for (size_t k = 0; k < n; k++) {
        high |= w[k] >= 0x80;
    }
    if (high) {
        for (size_t k = 0; k < ncontains; k++) {
            const word_t *c = &words[contains[k]];
            size_t cl = word_len[contains[k]];
            for (size_t i = 0; i + cl <= n; i++) {
                if (memcmp(w + i, c->w, cl) == 0) {
                    push(ps, c->flags, c->kind);
                    return;
                }
            }
        }
    }
    if (n < 32 && compound(ps, w, n)) {
        return;
    }
    push(ps, 0, K_NONE);
}

enum {
    C_SEP,
    C_LOWER,
    C_UPPER,
    C_DIGIT
};

static int char_class(unsigned c)
{
    if (c >= 'a' && c <= 'z') {
        return C_LOWER;
    }
    if (c >= 'A' && c <= 'Z') {
        return C_UPPER;
    }
    if (c >= '0' && c <= '9') {
        return C_DIGIT;
    }
    return c >= 0x80 ? C_LOWER : C_SEP; /* other scripts: letters */
}

/*
 * Words: runs between separators, cut between letters and digits, before
 * an upper-case letter that follows an ASCII lower-case one (apiKey; but
 * CONTRASEÑA, whose Ñ is read as a letter without case, is one word) and before
 * the last capital of an acronym of two or more that a lower-case letter
 * follows (APIKey: API|Key; but OAuth stays one word).
 */
static void split(parts_t *ps, const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && char_class(s[i]) == C_SEP) {
            i++;
        }
        size_t start = i;
        while (i < n) {
            int c = char_class(s[i]);
            if (c == C_SEP) {
                break;
            }
            if (i > start) {
                int p = char_class(s[i - 1]);
                if ((p == C_DIGIT) != (c == C_DIGIT)) {
                    break;
                }
                if (c == C_UPPER && p == C_LOWER && s[i - 1] < 0x80) {
                    break;
                }
                if (c == C_UPPER && p == C_UPPER && i + 1 < n && char_class(s[i + 1]) == C_LOWER &&
                    s[i + 1] < 0x80 && i - start >= 2) {
                    break;
                }
            }
            i++;
        }
        if (i > start) {
            add_word(ps, s + start, i - start);
        }
    }
}

/*
 * The verdict on the parts: a run of credential words (a unit such as
 * auth|token) names a credential unless
 *   - it is one word and the part before it makes it a cursor (token) or
 *     a data key (key);
 *   - it is "parola chiave" (keyword);
 *   - a qualifier follows it before the next credential word.
 * A session word followed by "id" is a credential (session_id), and in
 * prose (<prose>: key=value in log lines) a name that is one ambiguous
 * word alone (key, pass, auth) is not.
 */
static int judge(const parts_t *ps, int prose)
{
    size_t i = 0;
    if (prose && ps->n == 1 && (ps->p[0].flags & W_AMBIG)) {
        return 0;
    }
    while (i < ps->n) {
        if (i + 1 < ps->n && ps->p[i].kind == K_SESSION && ps->p[i + 1].kind == K_ID) {
            return 1;
        }
        if (!(ps->p[i].flags & W_CRED)) {
            i++;
            continue;
        }
        size_t u0 = i, u1 = i;
        while (u1 + 1 < ps->n && (ps->p[u1 + 1].flags & W_CRED)) {
            u1++;
        }
        int neutral = 0;
        if (u0 == u1 && u0 > 0) {
            unsigned before = ps->p[u0 - 1].flags, k = ps->p[u0].kind;
            neutral = (k == K_TOKEN && (before & W_CURSOR)) || (k == K_KEY && (before & W_DATAKEY));
        }
        if (u1 == u0 + 1 && ps->p[u0].kind == K_PAROLA && ps->p[u1].kind == K_KEY) {
            neutral = 1;
        }
        for (size_t j = u1 + 1; !neutral && j < ps->n && !(ps->p[j].flags & W_CRED); j++) {
            neutral = (ps->p[j].flags & W_QUAL) != 0;
        }
        if (!neutral) {
            return 1;
        }
        i = u1 + 1;
    }
    return 0;
}

void veil__cred_names_init(void)
{
    pthread_once(&once, build);
}

int veil__credential_judge(const char *name, size_t len, int prose)
{
    parts_t ps;
    if (len > VEIL__CRED_MAX_NAME) {
        name += len - VEIL__CRED_MAX_NAME;
        len = VEIL__CRED_MAX_NAME;
    }
    ps.n = 0;
    split(&ps, (const unsigned char *)name, len);
    return judge(&ps, prose);
}

int veil__credential_name(const char *name, size_t len, int prose)
{
    if (!__atomic_load_n(&built, __ATOMIC_ACQUIRE)) {
        pthread_once(&once, build);
    }
    return veil__cred_may_hold(name, len) && veil__credential_judge(name, len, prose);
}

int veil_name_is_credential(const char *name, size_t len)
{
    return veil__credential_name(name, len, 0);
}
