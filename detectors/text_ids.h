/*
 * The text layer's candidates for the identifiers, addresses and tokens of
 * validators_ids.c, validators_finance.c and validators_secrets.c. Included
 * by text_handlers.h (once per SIMD level) after its helpers, so that the
 * handlers can hand over a word, a chain of words or a token:
 *
 *   ids_lettered()  a chain word that starts with a letter and has digits
 *                   (try_lettered: NRIC, PAN, DEA, passports, DVLA, UK
 *                   postcodes, BICs with a digit, VINs, IN GSTIN's PAN ...)
 *   ids_mixed()     a word that starts with a digit and has letters
 *                   (try_numeric: MBI, GSTIN, RVNR, HETU, VIN)
 *   ids_numeric()   digits in groups (try_numeric: HETU, personnummer, RRN,
 *                   Steuer-ID, PESEL, TC Kimlik, ABN, TFN, NPI, IMEI ...)
 *   ids_lower()     a word with a lower-case letter, which the numeric
 *                   handler otherwise skips (Ethereum, Bitcoin, Twilio)
 *   ids_token()     a prefixed secret at a '-', '_' or 'A' trigger or in a
 *                   word with digits (OpenAI, Anthropic, Google, GitLab,
 *                   npm, PyPI, SendGrid)
 *
 * Each validates first (the validators are exact and cheap), then looks
 * for a context word only when the answer depends on one, and confirms with
 * the detector's core pattern. Every decision reads bytes inside the chain
 * or token the caller found, plus at most 80 bytes before it.
 */
#ifndef VEIL_TEXT_IDS_H
#define VEIL_TEXT_IDS_H

static int ids_tokchar(int c)
{
    return isaln(c) || c == '-' || c == '_';
}

/* A %XX escape ends right before <p>: percent-encoded text glues a token
   to the escape before it ("%E3%83%BCAIza..."), which is no part of it. */
static int ids_after_escape(const unsigned char *b, size_t p)
{
    return p >= 3 && b[p - 3] == '%' && ishex(b[p - 2]) && ishex(b[p - 1]);
}

/* Reports <det> over s..e after its pattern confirms exactly that span. */
static size_t ids_report(struct veil__text *t, int det, size_t s, size_t e, int conf)
{
    if (!t->eng->enabled[det] || conf < t->eng->min_confidence) {
        return 0;
    }
    if (match(t, det, s, e, 0) != e) {
        return 0;
    }
    veil__text_report(t, s, e, det, conf, 0);
    return e;
}

/* A detector whose validator passed: medium (or <base>) raised by a
   context word; with <need_ctx>, nothing without one. */
static size_t ids_judge(struct veil__text *t, int det, size_t s, size_t e, int base, int need_ctx)
{
    if (!t->eng->enabled[det]) {
        return 0;
    }
    int ctx = has_context(t, s, det);
    if (need_ctx && !ctx) {
        return 0;
    }
    return ids_report(t, det, s, e, need_ctx ? base : conf_ctx(base, ctx));
}

static int ids_valid(veil__validator_fn fn, const unsigned char *b, size_t s, size_t e)
{
    return e > s && fn((const char *)b + s, e - s);
}

/* Counts of word <w>: a letter-digit layout such as "AAdddddd" compared
   with upper or lower case letters alike. */
static int ids_layout(const unsigned char *b, size_t s, size_t e, const char *shape)
{
    size_t n = strlen(shape);
    if (e - s != n) {
        return 0;
    }
    for (size_t k = 0; k < n; k++) {
        int c = b[s + k];
        if (shape[k] == 'd' ? !isdig(c) : shape[k] == 'A' ? !isal(c) : !isaln(c)) {
            return 0;
        }
    }
    return 1;
}

/* The end of word <k>'s chain run of words joined by exactly one
   separator from <seps>, at most <max> words, or w[k].e. */
static size_t ids_joined_end(const unsigned char *b, const chain_t *c, size_t k, size_t max,
                             const char *seps)
{
    size_t j = k;
    while (j + 1 < c->nw && j + 1 - k < max && c->w[j + 1].s == c->w[j].e + 1 &&
           strchr(seps, b[c->w[j].e]) != NULL && b[c->w[j].e] != '\0') {
        j++;
    }
    return c->w[j].e;
}


/* The letters and digits of word <k> and of those ids_joined_end(b, c,
   k, <max>, "- ") joins to it: what veil__valid_us_driver_licence()
   counts in them. */
static size_t ids_joined_chars(const chain_t *c, size_t k, size_t max)
{
    size_t n = c->w[k].e - c->w[k].s;
    for (size_t j = k; j + 1 < c->nw && j + 1 - k < max && c->w[j + 1].s == c->w[j].e + 1; j++) {
        n += c->w[j + 1].e - c->w[j + 1].s;
    }
    return n;
}

/* ---- words that start with a letter ------------------------------------ */

static size_t ids_lettered(struct veil__text *t, const chain_t *c, size_t k)
{
    const unsigned char *b = t->buf;
    const word_t *w = &c->w[k];
    size_t s = w->s, e = w->e, len = e - s, r;

    /* Singapore NRIC/FIN: S1234567D. */
    if (len == 9 && strchr("STFGMstfgm", b[s]) && ids_layout(b, s, e, "AdddddddA") &&
        ids_valid(veil__valid_sg_nric, b, s, e) &&
        (r = ids_judge(t, VEIL_D_SG_NRIC, s, e, VEIL_CONF_MEDIUM, 0)) != 0) {
        return r;
    }
    /* PAN: AAAPL1234C. */
    if (len == 10 && ids_layout(b, s, e, "AAAAAddddA") && ids_valid(veil__valid_in_pan, b, s, e) &&
        (r = ids_judge(t, VEIL_D_IN_PAN, s, e, VEIL_CONF_MEDIUM, 0)) != 0) {
        return r;
    }
    /* Two letters and seven digits: a DEA number or an Italian passport. */
    if (len == 9 && ids_layout(b, s, e, "AXddddddd")) {
        if (ids_valid(veil__valid_us_dea, b, s, e)) {
            int ctx = has_context(t, s, VEIL_D_US_DEA);
            if ((r = ids_report(t, VEIL_D_US_DEA, s, e, ctx ? VEIL_CONF_HIGH : VEIL_CONF_LOW)) !=
                0) {
                return r;
            }
        }
        if (ids_valid(veil__valid_it_passport, b, s, e) &&
            (r = ids_judge(t, VEIL_D_IT_PASSPORT, s, e, VEIL_CONF_MEDIUM, 1)) != 0) {
            return r;
        }
    }
    /* A letter and eight digits: a US passport. */
    if (len == 9 && ids_valid(veil__valid_us_passport, b, s, e) &&
        (r = ids_judge(t, VEIL_D_US_PASSPORT, s, e, VEIL_CONF_MEDIUM, 1)) != 0) {
        return r;
    }
    /* Spanish passport: two or three letters and six digits. */
    if ((len == 8 || len == 9) && ids_valid(veil__valid_es_passport, b, s, e) &&
        (r = ids_judge(t, VEIL_D_ES_PASSPORT, s, e, VEIL_CONF_MEDIUM, 1)) != 0) {
        return r;
    }
    /* German ID card or passport number with its check digit. */
    if (len == 10 && ids_valid(veil__valid_de_id_document, b, s, e) &&
        (r = ids_judge(t, VEIL_D_DE_ID_DOCUMENT, s, e, VEIL_CONF_HIGH, 1)) != 0) {
        return r;
    }
    /* DVLA licence number, one run. */
    if (len == 16 && ids_valid(veil__valid_uk_driving_licence, b, s, e) &&
        (r = ids_judge(t, VEIL_D_UK_DRIVING_LICENCE, s, e, VEIL_CONF_MEDIUM, 0)) != 0) {
        return r;
    }
    /* VIN: the check digit, or the shape next to a context word. */
    if (len == 17) {
        if (ids_valid(veil__valid_vin, b, s, e) &&
            (r = ids_report(t, VEIL_D_VIN, s, e, VEIL_CONF_HIGH)) != 0) {
            return r;
        }
        if (ids_valid(veil__valid_vin_shape, b, s, e) &&
            (r = ids_judge(t, VEIL_D_VIN, s, e, VEIL_CONF_MEDIUM, 1)) != 0) {
            return r;
        }
    }
    /* A segwit address in capitals (BC1Q...). */
    if (len >= 14 && (b[s] == 'B' || b[s] == 'T') && b[s + 2] == '1' &&
        ids_valid(veil__valid_btc_address, b, s, e) &&
        (r = ids_report(t, VEIL_D_BITCOIN_ADDRESS, s, e, VEIL_CONF_HIGH)) != 0) {
        return r;
    }
    /* BIC with a digit in its location or branch. */
    if ((len == 8 || len == 11) && ids_valid(veil__valid_bic, b, s, e) &&
        (r = ids_judge(t, VEIL_D_SWIFT_BIC, s, e, VEIL_CONF_HIGH, 1)) != 0) {
        return r;
    }
    /* UK postcode: an outward code and the inward code after one space,
       or the two written together. */
    if (len >= 2 && len <= 7) {
        size_t pe = e;
        if (len <= 4 && k + 1 < c->nw && c->w[k + 1].s == e + 1 && b[e] == ' ' &&
            c->w[k + 1].e - c->w[k + 1].s == 3) {
            pe = c->w[k + 1].e;
        }
        if (pe - s >= 5 && ids_valid(veil__valid_uk_postcode, b, s, pe) &&
            (r = ids_judge(t, VEIL_D_UK_POSTCODE, s, pe, VEIL_CONF_MEDIUM, 1)) != 0) {
            return r;
        }
    }
    /* A US driver's licence: the word, or the word and the groups joined
       to it by dashes or spaces (FL S123-456-78-901-0). */
    /* The state formats cover most short words: the context word first,
       but not for fewer than five letters and digits, which no format
       has ("v1", "x64": an API path's and a user agent's commonest words,
       where the context test cost more than the rest), nor for counts of
       letters and digits that fit no format (a Slack id, a SKU's part). */
    if (t->eng->enabled[VEIL_D_US_DRIVERS_LICENSE] && len <= 19 &&
        (len >= 5 || ids_joined_chars(c, k, 5) >= 5)) {
        size_t je = ids_joined_end(b, c, k, 5, "- ");
        int joined = je - s <= 23 && veil__us_driver_licence_may_be((const char *)b + s, je - s);
        int word = je != e && veil__us_driver_licence_may_be((const char *)b + s, e - s);
        if ((joined || word) && has_context(t, s, VEIL_D_US_DRIVERS_LICENSE)) {
            if (joined && ids_valid(veil__valid_us_driver_licence, b, s, je) &&
                (r = ids_judge(t, VEIL_D_US_DRIVERS_LICENSE, s, je, VEIL_CONF_MEDIUM, 1)) != 0) {
                return r;
            }
            if (word && ids_valid(veil__valid_us_driver_licence, b, s, e) &&
                (r = ids_judge(t, VEIL_D_US_DRIVERS_LICENSE, s, e, VEIL_CONF_MEDIUM, 1)) != 0) {
                return r;
            }
        }
    }
    return 0;
}


/* ---- words that start with a digit and have letters --------------------- */

static size_t ids_mixed(struct veil__text *t, const chain_t *c, size_t k)
{
    const unsigned char *b = t->buf;
    const word_t *w = &c->w[k];
    size_t s = w->s, e = w->e, len = e - s, r;

    /* GSTIN: 27AAPFU0939F1ZV. */
    if (len == 15 && ids_valid(veil__valid_in_gstin, b, s, e) &&
        (r = ids_report(t, VEIL_D_IN_GSTIN, s, e, VEIL_CONF_HIGH)) != 0) {
        return r;
    }
    /* MBI: 1EG4TE5MK73, or 1EG4-TE5-MK73 over three words. */
    if (len == 11 && ids_valid(veil__valid_us_mbi, b, s, e) &&
        (r = ids_judge(t, VEIL_D_US_MBI, s, e, VEIL_CONF_MEDIUM, 0)) != 0) {
        return r;
    }
    if (len == 4 && k + 2 < c->nw) {
        size_t me = c->w[k + 2].e;
        if (me - s == 13 && ids_valid(veil__valid_us_mbi, b, s, me) &&
            (r = ids_judge(t, VEIL_D_US_MBI, s, me, VEIL_CONF_MEDIUM, 0)) != 0) {
            return r;
        }
    }
    /* Rentenversicherungsnummer in one run: 15070649C103. */
    if (len == 12 && ids_valid(veil__valid_de_rvnr, b, s, e) &&
        (r = ids_judge(t, VEIL_D_DE_RVNR, s, e, VEIL_CONF_MEDIUM, 0)) != 0) {
        return r;
    }
    /* HETU with a letter as the century sign: 010594A902X. */
    if (len == 11 && ids_valid(veil__valid_fi_hetu, b, s, e) &&
        (r = ids_judge(t, VEIL_D_FI_HETU, s, e, VEIL_CONF_MEDIUM, 0)) != 0) {
        return r;
    }
    /* VIN starting with a digit (North America, Oceania). */
    if (len == 17) {
        if (ids_valid(veil__valid_vin, b, s, e) &&
            (r = ids_report(t, VEIL_D_VIN, s, e, VEIL_CONF_HIGH)) != 0) {
            return r;
        }
        if (ids_valid(veil__valid_vin_shape, b, s, e) &&
            (r = ids_judge(t, VEIL_D_VIN, s, e, VEIL_CONF_MEDIUM, 1)) != 0) {
            return r;
        }
    }
    return 0;
}


/* ---- digits in groups ---------------------------------------------------- */

/* The separator between words <j> and <j> + 1, or 0 when not one byte. */
static int ids_sep(const unsigned char *b, const chain_t *c, size_t j)
{
    return j + 1 < c->nw && c->w[j + 1].s == c->w[j].e + 1 ? b[c->w[j].e] : 0;
}

/*
 * ids_month_at(): are the third and fourth bytes at <s> digits that make a
 * month, 01 to 12? The national numbers that start with a birth date
 * (YYMMDD) have one there, which their validators check among the rest;
 * tested first where a run of ten or thirteen digits is most often a Unix
 * time (whose month place holds any two digits), because entering a
 * validator's code cost more time than its few instructions say (its
 * lines fetched again for every timestamp; BENCHMARKS.md, the eleventh
 * session). Only where each validator's every layout puts the month
 * there, so no finding changes.
 */
static int ids_month_at(const unsigned char *b, size_t s)
{
    unsigned hi = b[s + 2] - (unsigned)'0', lo = b[s + 3] - (unsigned)'0';
    return hi < 10 && lo < 10 && hi * 10 + lo - 1 < 12;
}

static size_t ids_numeric(struct veil__text *t, const chain_t *c, size_t k, const numspan_t *ns)
{
    const unsigned char *b = t->buf;
    const word_t *w = &c->w[k];
    size_t s = w->s, r, e;
    unsigned g0 = ns->groups ? ns->g[0] : 0;

    /* DDMMYY-ZZZQ (HETU) and YYMMDD-NNNC (personnummer), YYMMDD-SNNNNNC
       (RRN): six digits, one separator, the rest. */
    if (w->digits == 6 && k + 1 < c->nw) {
        const word_t *x = &c->w[k + 1];
        int sep = ids_sep(b, c, k);
        size_t xl = x->e - x->s;
        if (sep == '-' && xl == 4 && ids_valid(veil__valid_fi_hetu, b, s, x->e) &&
            (r = ids_judge(t, VEIL_D_FI_HETU, s, x->e, VEIL_CONF_MEDIUM, 0)) != 0) {
            return r;
        }
        if (sep == '-' && xl == 4 && x->letters == 0 &&
            ids_valid(veil__valid_se_personnummer, b, s, x->e) &&
            (r = ids_judge(t, VEIL_D_SE_PERSONNUMMER, s, x->e, VEIL_CONF_MEDIUM, 0)) != 0) {
            return r;
        }
        if (sep == '-' && xl == 7 && x->letters == 0) {
            if (ids_valid(veil__valid_kr_rrn, b, s, x->e) &&
                (r = ids_judge(t, VEIL_D_KR_RRN, s, x->e, VEIL_CONF_MEDIUM, 0)) != 0) {
                return r;
            }
            if (ids_valid(veil__valid_kr_rrn_shape, b, s, x->e) &&
                (r = ids_judge(t, VEIL_D_KR_RRN, s, x->e, VEIL_CONF_MEDIUM, 1)) != 0) {
                return r;
            }
        }
    }
    /* YYYYMMDD-NNNC. */
    if (w->digits == 8 && k + 1 < c->nw && ids_sep(b, c, k) == '-' &&
        c->w[k + 1].e - c->w[k + 1].s == 4 &&
        ids_valid(veil__valid_se_personnummer, b, s, c->w[k + 1].e) &&
        (r = ids_judge(t, VEIL_D_SE_PERSONNUMMER, s, c->w[k + 1].e, VEIL_CONF_MEDIUM, 0)) != 0) {
        return r;
    }
    /* EIN: XX-XXXXXXX next to a context word. */
    if (ns->groups == 2 && g0 == 2 && ns->g[1] == 7 && ns->seps == 2 &&
        ids_valid(veil__valid_us_ein, b, s, ns->end) &&
        (r = ids_judge(t, VEIL_D_US_EIN, s, ns->end, VEIL_CONF_HIGH, 1)) != 0) {
        return r;
    }
    /* Rentenversicherungsnummer spaced: 15 070649 C 103 (or C103). */
    if (w->digits == 2 && k + 2 < c->nw && c->w[k + 1].digits == 6 && c->w[k + 1].letters == 0 &&
        isal(b[c->w[k + 2].s])) {
        size_t re = c->w[k + 2].e;
        if (re - c->w[k + 2].s == 1 && k + 3 < c->nw) {
            re = c->w[k + 3].e;
        }
        if (ids_valid(veil__valid_de_rvnr, b, s, re) &&
            (r = ids_judge(t, VEIL_D_DE_RVNR, s, re, VEIL_CONF_MEDIUM, 0)) != 0) {
            return r;
        }
    }
    e = ns->end;
    /* Eleven digits: 2-3-3-3 is an ABN's layout (a Steuer-ID's too); bare,
       four national numbers share the length and a context word decides. */
    if (ns->digits == 11) {
        if (ns->groups == 4 && g0 == 2 && ns->seps == 1) {
            if (ids_valid(veil__valid_de_steuer_id, b, s, e) &&
                (r = ids_judge(t, VEIL_D_DE_STEUER_ID, s, e, VEIL_CONF_HIGH, 1)) != 0) {
                return r;
            }
            if (ids_valid(veil__valid_au_abn, b, s, e) &&
                (r = ids_judge(t, VEIL_D_AU_ABN, s, e, VEIL_CONF_MEDIUM, 0)) != 0) {
                return r;
            }
        }
        if (ns->groups == 1) {
            static const struct {
                int det;
                veil__validator_fn fn;
                int low_without;
            } kinds[] = {
                {VEIL_D_PL_PESEL, veil__valid_pl_pesel, 1},
                {VEIL_D_TR_TCKN, veil__valid_tr_tckn, 1},
                {VEIL_D_DE_STEUER_ID, veil__valid_de_steuer_id, 1},
                {VEIL_D_IT_PARTITA_IVA, veil__valid_it_partita_iva, 0},
                {VEIL_D_AU_ABN, veil__valid_au_abn, 0},
                {VEIL_D_AU_MEDICARE, veil__valid_au_medicare, 0},
            };
            uint64_t want = 0;
            for (size_t j = 0; j < sizeof(kinds) / sizeof(kinds[0]); j++) {
                want |= 1ull << kinds[j].det;
            }
            uint64_t ctx = context_bits(t, s, want);
            for (size_t j = 0; j < sizeof(kinds) / sizeof(kinds[0]); j++) {
                int det = kinds[j].det, has = (ctx >> det) & 1;
                if ((has || (kinds[j].low_without && t->eng->min_confidence <= VEIL_CONF_LOW)) &&
                    ids_valid(kinds[j].fn, b, s, e) &&
                    (r = ids_report(t, det, s, e, has ? VEIL_CONF_HIGH : VEIL_CONF_LOW)) != 0) {
                    return r;
                }
            }
        }
    }
    /* Thirteen digits: a South African id (or a Korean RRN written without
       its dash), next to a context word. */
    if (ns->digits == 13 && (ns->groups == 1 || (ns->groups == 3 && g0 == 6 && ns->seps == 1)) &&
        ids_month_at(b, s)) {
        if (ids_valid(veil__valid_za_id, b, s, e)) {
            int ctx = has_context(t, s, VEIL_D_ZA_ID);
            if ((r = ids_report(t, VEIL_D_ZA_ID, s, e, ctx ? VEIL_CONF_HIGH : VEIL_CONF_LOW)) !=
                0) {
                return r;
            }
        }
        if (ns->groups == 1 && ids_valid(veil__valid_kr_rrn, b, s, e) &&
            (r = ids_judge(t, VEIL_D_KR_RRN, s, e, VEIL_CONF_HIGH, 1)) != 0) {
            return r;
        }
    }
    /* Fifteen digits, bare or TAC-SNR-CD: an IMEI, next to a context word. */
    if (ns->digits == 15 && ids_valid(veil__valid_imei, b, s, e) &&
        (r = ids_judge(t, VEIL_D_IMEI, s, e, VEIL_CONF_HIGH, 1)) != 0) {
        return r;
    }
    /* Ten digits: an NPI, a Medicare card (4-5-1), an old ID card number,
       a personnummer without its dash, each next to its context word. */
    if (ns->digits == 10 || (ns->digits == 11 && ns->groups >= 3 && g0 == 4)) {
        /* The first digit of an NPI (1 or 2) and of a Medicare number (2
           to 6), the personnummer's month: their validators' first tests,
           made here (ids_month_at()). */
        const unsigned d0 = b[s] - (unsigned)'0';
        /* (bare: the NPI's and the ID document's check digits first) */
        if (ns->groups == 1 && d0 - 1 < 2u && (ns->ten & 2) &&
            ids_valid(veil__valid_us_npi, b, s, e) &&
            (r = ids_judge(t, VEIL_D_US_NPI, s, e, VEIL_CONF_HIGH, 1)) != 0) {
            return r;
        }
        if ((ns->groups == 1 || g0 == 4) && d0 - 2 < 5u &&
            ids_valid(veil__valid_au_medicare, b, s, e) &&
            (r = ids_judge(t, VEIL_D_AU_MEDICARE, s, e, VEIL_CONF_HIGH, 1)) != 0) {
            return r;
        }
        if (ns->groups == 1 && ids_month_at(b, s) &&
            ids_valid(veil__valid_se_personnummer, b, s, e) &&
            (r = ids_judge(t, VEIL_D_SE_PERSONNUMMER, s, e, VEIL_CONF_HIGH, 1)) != 0) {
            return r;
        }
        if (ns->groups == 1 && (ns->ten & 4) && ids_valid(veil__valid_de_id_document, b, s, e) &&
            (r = ids_judge(t, VEIL_D_DE_ID_DOCUMENT, s, e, VEIL_CONF_HIGH, 1)) != 0) {
            return r;
        }
    }
    /* Nine digits: a TFN, or a US or UK passport, by their context words. */
    if (ns->digits == 9 && (ns->groups == 1 || ns->groups == 3)) {
        if (ids_valid(veil__valid_au_tfn, b, s, e) &&
            (r = ids_judge(t, VEIL_D_AU_TFN, s, e, VEIL_CONF_HIGH, 1)) != 0) {
            return r;
        }
        if (ns->groups == 1 && ids_valid(veil__valid_uk_passport, b, s, e)) {
            /* The two share "passport": the UK's when the text says so. */
            int uk = context_word(t, s, "uk") || context_word(t, s, "british") ||
                     context_word(t, s, "hmpo") || context_word(t, s, "united kingdom");
            int det = uk ? VEIL_D_UK_PASSPORT : VEIL_D_US_PASSPORT;
            if ((r = ids_judge(t, det, s, e, VEIL_CONF_MEDIUM, 1)) != 0) {
                return r;
            }
        }
    }
    return 0;
}


/* ---- words with lower-case letters --------------------------------------- */

static int ids_base58(int c)
{
    return isaln(c) && c != '0' && c != 'O' && c != 'I' && c != 'l';
}

/*
 * ids_lower(): the word ws..we (alphanumeric, with a lower-case letter).
 * Returns the end of a finding, 0 when there is none, DEFER when a long
 * address runs to the end of the buffer.
 */
static size_t ids_lower(struct veil__text *t, size_t ws, size_t we, int final)
{
    const unsigned char *b = t->buf;
    size_t n = t->len, len = we - ws;

    if (ws > 0 && (b[ws - 1] == '-' || b[ws - 1] == '_' || b[ws - 1] == '.')) {
        return 0; /* part of a longer token: a host, an id, a prefixed secret */
    }
    /* Ethereum: 0x and 40 hex digits. */
    if (len == 42 && b[ws] == '0' && b[ws + 1] == 'x') {
        if (ids_valid(veil__valid_eth_checksum, b, ws, we)) {
            return ids_report(t, VEIL_D_ETHEREUM_ADDRESS, ws, we, VEIL_CONF_HIGH);
        }
        if (ids_valid(veil__valid_eth_address, b, ws, we)) {
            return ids_judge(t, VEIL_D_ETHEREUM_ADDRESS, ws, we, VEIL_CONF_MEDIUM, 1);
        }
        return 0;
    }
    /* Twilio API key SIDs: SK and 32 lower-case hex digits. */
    if (len == 34 && b[ws] == 'S' && b[ws + 1] == 'K' &&
        ids_valid(veil__valid_twilio_sid, b, ws, we)) {
        return ids_report(t, VEIL_D_TWILIO_API_KEY, ws, we, VEIL_CONF_HIGH);
    }
    /* Bech32 addresses can be longer than the word the caller read. */
    if (len >= 3 && (lower(b[ws]) == 'b' || lower(b[ws]) == 't') && b[ws + 2] == '1') {
        size_t q = we;
        while (q < n && q - ws < 91 && isaln(b[q])) {
            q++;
        }
        if (q == n && !final && q - ws < 91) {
            return DEFER;
        }
        if (ids_valid(veil__valid_btc_address, b, ws, q)) {
            return ids_report(t, VEIL_D_BITCOIN_ADDRESS, ws, q, VEIL_CONF_HIGH);
        }
        return 0;
    }
    /* Base58Check addresses: 26 to 35 characters. */
    if (len >= 26 && len <= 35 && strchr("13mn2", b[ws]) != NULL) {
        for (size_t k = ws; k < we; k++) {
            if (!ids_base58(b[k])) {
                return 0;
            }
        }
        if (ids_valid(veil__valid_btc_address, b, ws, we)) {
            return ids_report(t, VEIL_D_BITCOIN_ADDRESS, ws, we, VEIL_CONF_HIGH);
        }
    }
    return 0;
}


/*
 * ids_lower_candidate(): whether ids_lower() or ids_token() could report
 * something for the lower-case word ws..we of <b> (bytes outside [lo, hi)
 * read as NUL when <bounded>): a superset, for the shortcut in
 * digit_fast(), which must leave such words to the handler.
 */
static int ids_lower_candidate(const unsigned char *b, size_t lo, size_t hi, int bounded, size_t ws,
                               size_t we)
{
#define IB(x) (bounded ? veil__vbyte(b + lo, hi - lo, (ptrdiff_t)(x) - (ptrdiff_t)lo) : b[x])
    size_t len = we - ws, s = ws;
    unsigned prev = ws > 0 ? IB(ws - 1) : 0;

    if (prev != '-' && prev != '_' && prev != '.') {
        if ((len == 42 && IB(ws) == '0' && IB(ws + 1) == 'x') || (len == 34 && IB(ws) == 'S') ||
            (len >= 3 && (lower(IB(ws)) == 'b' || lower(IB(ws)) == 't') && IB(ws + 2) == '1')) {
            return 1;
        }
        if (len >= 26 && len <= 35 && strchr("13mn2", (int)IB(ws)) != NULL && IB(ws) != 0) {
            /* A Base58Check address has no 0, O, I or l (ids_lower()
               looks no further without: most hex ids have a 0). */
            size_t k = ws;
            while (k < we && ids_base58(IB(k))) {
                k++;
            }
            if (k == we) {
                return 1;
            }
        }
    }
    /* ids_token_start(): a prefix at the token's start (up to 80 bytes
       back) or after a %XX escape there. */
    while (s > 0 && ws - s < 80 && (ids_tokchar(IB(s - 1)) || IB(s - 1) == '.')) {
        s--;
    }
    for (int k = 0; k < 2; k++) {
        size_t p = s + 2 * (size_t)k;
        if (k == 1 && !(s > 0 && IB(s - 1) == '%' && ishex(IB(s)) && ishex(IB(s + 1)))) {
            break;
        }
        unsigned c0 = IB(p), c1 = IB(p + 1), c2 = IB(p + 2);
        if ((c0 == 's' && c1 == 'k' && c2 == '-') || (c0 == 'g' && c1 == 'l') ||
            (c0 == 'p' && c1 == 'y') || (c0 == 'n' && c1 == 'p') || (c0 == 'A' && c1 == 'I') ||
            (c0 == 'S' && c1 == 'G' && c2 == '.')) {
            return 1;
        }
    }
    return 0;
#undef IB
}


/* ---- prefixed secrets ---------------------------------------------------- */

/* The end of the run of token characters (and '.' with <dots>) from <q>. */
static size_t ids_token_end(const struct veil__text *t, size_t q, size_t max, int dots, int final)
{
    const unsigned char *b = t->buf;
    size_t n = t->len, from = q;
    while (q < n && q - from < max && (ids_tokchar(b[q]) || (dots && b[q] == '.'))) {
        q++;
    }
    if (q == n && q - from < max && !final) {
        return DEFER;
    }
    return q;
}

/*
 * ids_token(): a secret whose prefix starts at <s> (the caller found it at
 * a trigger: "sk-", "gl...-", "pypi-", "npm_", "AIza", "SG."). Returns the
 * end of the finding, 0 when the token is not one, DEFER.
 */
static size_t ids_token(struct veil__text *t, size_t s, int final)
{
    static const struct {
        const char *prefix;
        int det;
        veil__validator_fn fn;
        size_t max;
        int dots;
    } kinds[] = {
        {"sk-ant-", VEIL_D_ANTHROPIC_API_KEY, veil__valid_anthropic_key, 160, 0},
        {"sk-", VEIL_D_OPENAI_API_KEY, veil__valid_openai_key, 240, 0},
        {"AIza", VEIL_D_GOOGLE_API_KEY, veil__valid_google_api_key, 40, 0},
        {"gl", VEIL_D_GITLAB_TOKEN, veil__valid_gitlab_token, 330, 1},
        {"npm_", VEIL_D_NPM_TOKEN, veil__valid_npm_token, 41, 0},
        {"pypi-", VEIL_D_PYPI_TOKEN, veil__valid_pypi_token, 1010, 0},
        {"SG.", VEIL_D_SENDGRID_API_KEY, veil__valid_sendgrid_key, 70, 1},
    };
    const unsigned char *b = t->buf;

    if (s > 0 && (isaln(b[s - 1]) || b[s - 1] == '_' || b[s - 1] == '-' || b[s - 1] == '.') &&
        !ids_after_escape(b, s)) {
        return 0;
    }
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        size_t pl = strlen(kinds[k].prefix);
        if (s + pl > t->len || memcmp(b + s, kinds[k].prefix, pl) != 0 ||
            !t->eng->enabled[kinds[k].det]) {
            continue;
        }
        size_t q = ids_token_end(t, s, kinds[k].max + 1, kinds[k].dots, final);
        if (q == DEFER) {
            return DEFER;
        }
        if (ids_valid(kinds[k].fn, b, s, q)) {
            return ids_report(t, kinds[k].det, s, q, VEIL_CONF_HIGH);
        }
        return 0;
    }
    return 0;
}

/*
 * ids_slack_webhook(): the ':' at <i> of "https://hooks.slack.com/": the
 * URL up to its last letter, digit or '/'. Returns the end of the finding,
 * 0, or DEFER.
 */
static const char ids_slack_host[] = "://hooks.slack.com/";

static size_t ids_slack_webhook(struct veil__text *t, size_t i, int final)
{
    const unsigned char *b = t->buf;
    size_t n = t->len, hl = sizeof(ids_slack_host) - 1, q;

    if (i < 5 || memcmp(b + i - 5, "https", 5) != 0 || !t->eng->enabled[VEIL_D_SLACK_WEBHOOK]) {
        return 0;
    }
    if (i + hl > n) {
        return final || memcmp(b + i, ids_slack_host, n - i) != 0 ? 0 : DEFER;
    }
    if (memcmp(b + i, ids_slack_host, hl) != 0 || (i > 5 && isaln(b[i - 6]))) {
        return 0;
    }
    q = i + hl;
    while (q < n && q - i < 240 && (isaln(b[q]) || b[q] == '/')) {
        q++;
    }
    if (q == n && q - i < 240 && !final) {
        return DEFER;
    }
    if (!ids_valid(veil__valid_slack_webhook, b, i - 5, q)) {
        return 0;
    }
    /* The ids and the secret go; "https://hooks.slack.com/services/"
       stays, as a bearer token's scheme does. */
    size_t s = i + hl;
    while (s < q && b[s] != '/') {
        s++;
    }
    return ids_report(t, VEIL_D_SLACK_WEBHOOK, s + 1, q, VEIL_CONF_HIGH);
}

/* Whether one of the prefixes ids_token() knows starts at <p>. */
static int ids_prefix_at(const unsigned char *b, size_t n, size_t p)
{
    switch (b[p]) {
    case 's':
        return p + 2 < n && b[p + 1] == 'k' && b[p + 2] == '-';
    case 'g':
        return p + 1 < n && b[p + 1] == 'l';
    case 'p':
        return p + 4 < n && memcmp(b + p, "pypi-", 5) == 0;
    case 'n':
        return p + 3 < n && memcmp(b + p, "npm_", 4) == 0;
    case 'A':
        return p + 3 < n && memcmp(b + p, "AIza", 4) == 0;
    case 'S':
        return p + 2 < n && b[p + 1] == 'G' && b[p + 2] == '.';
    default:
        return 0;
    }
}

/* The start of a prefixed token that the trigger at <i> ('-', '_' or a
   digit) may be inside: the token's first byte, up to 80 bytes back over
   token characters and dots, or the byte after a %XX escape there. Returns
   SIZE_MAX when no known prefix starts at either. */
static size_t ids_token_start(const struct veil__text *t, size_t i)
{
    const unsigned char *b = t->buf;
    size_t s = i;
#if VEIL_K_LEVEL >= 1
    /* Sixteen bytes at a time (it runs at every '-' and '_' of the text,
       and a byte loop over each key and id before them was 3.5% of a
       scan of logs and API records): the last byte before <i> that is no
       token character or dot. The loads reach at most 16 bytes before
       the buffer (the text layer's room there); bytes before it count as
       none, as the loop's s > 0 says. */
    for (;;) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)((b + s) - 16));
        __m128i tok = _mm_or_si128(
            _mm_or_si128(in_range16(x, '0', 10),
                         in_range16(_mm_or_si128(x, _mm_set1_epi8(0x20)), 'a', 26)),
            _mm_or_si128(in_range16(x, '-', 2), _mm_cmpeq_epi8(x, _mm_set1_epi8('_'))));
        unsigned other = ~(unsigned)_mm_movemask_epi8(tok) & 0xFFFFu;
        if (s < 16) {
            other |= (1u << (16 - s)) - 1;
        }
        if (other != 0) {
            s = s + (size_t)(31 - __builtin_clz(other)) + 1 - 16;
            break;
        }
        s -= 16;
        if (i - s >= 80) {
            break;
        }
    }
    if (i - s > 80) {
        s = i - 80;
    }
#else
    while (s > 0 && i - s < 80 && (ids_tokchar(b[s - 1]) || b[s - 1] == '.')) {
        s--;
    }
#endif
    /* (the first letters of ids_prefix_at()'s prefixes, tested here: most
       tokens start with none, and the call cost more than the test) */
    unsigned c = b[s];
    if (s < i && (c == 's' || c == 'g' || c == 'p' || c == 'n' || c == 'A' || c == 'S') &&
        ids_prefix_at(b, t->len, s)) {
        return s;
    }
    if (s > 0 && b[s - 1] == '%' && s + 2 < i && ishex(b[s]) && ishex(b[s + 1]) &&
        ids_prefix_at(b, t->len, s + 2)) {
        return s + 2;
    }
    return SIZE_MAX;
}

#endif
