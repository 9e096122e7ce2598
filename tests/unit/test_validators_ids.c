/*
 * National and health identifier validators (validators_ids.c): the
 * examples each issuing authority publishes, values completed here with
 * check-digit code written from the same publications (not from the
 * validators), and near misses: every single-digit substitution where the
 * check catches them all, wrong lengths, wrong separators, impossible
 * dates, and PII-free look-alikes.
 */
#include <stdint.h>
#include <string.h>

#include "validator_check.h"


/* ---- test-side check digits, from the publications -------------------- */

/* Luhn: appends the check digit to the digit string <d>. */
static void luhn_complete(char *d)
{
    size_t n = strlen(d);
    unsigned sum = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned v = (unsigned)(d[n - 1 - i] - '0');

        if (i % 2 == 0) /* doubled once the check digit is added */
            v = v * 2 > 9 ? v * 2 - 9 : v * 2;
        sum += v;
    }
    d[n] = (char)('0' + (10 - sum % 10) % 10);
    d[n + 1] = '\0';
}

/* PESEL: appends Q so that the 1 3 7 9 1 3 7 9 1 3 1 weighted sum ends in 0. */
static void pesel_complete(char *d)
{
    static const int w[10] = {1, 3, 7, 9, 1, 3, 7, 9, 1, 3};
    int sum = 0;

    for (int i = 0; i < 10; i++)
        sum += (d[i] - '0') * w[i];
    d[10] = (char)('0' + (10 - sum % 10) % 10);
    d[11] = '\0';
}

/* Finnish HETU: appends the mod-31 check character. */
static void hetu_complete(char *h)
{
    static const char t[] = "0123456789ABCDEFHJKLMNPRSTUVWXY";
    unsigned long v = 0;

    for (int i = 0; i < 10; i++)
        if (i != 6)
            v = v * 10 + (unsigned long)(h[i] - '0');
    h[10] = t[v % 31];
    h[11] = '\0';
}

/* Korean RRN: appends (11 - weighted sum mod 11) mod 10. */
static void rrn_complete(char *r)
{
    static const int w[12] = {2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5};
    int sum = 0;

    for (int i = 0; i < 12; i++)
        sum += (r[i] - '0') * w[i];
    r[12] = (char)('0' + (11 - sum % 11) % 10);
    r[13] = '\0';
}

/* Singapore NRIC/FIN check letter for <prefix> and seven digits. */
static char nric_letter(char prefix, const char *digits)
{
    static const int w[7] = {2, 7, 6, 5, 4, 3, 2};
    int sum = prefix == 'T' || prefix == 'G' ? 4 : prefix == 'M' ? 3 : 0;

    for (int i = 0; i < 7; i++)
        sum += (digits[i] - '0') * w[i];
    if (prefix == 'S' || prefix == 'T')
        return "JZIHGFEDCBA"[sum % 11];
    return (prefix == 'M' ? "XWUTRQPNJLK" : "XWUTRQPNMLK")[sum % 11];
}

/* ICAO 9303 7-3-1 check digit of a document number. */
static char icao_digit(const char *s)
{
    static const int w[3] = {7, 3, 1};
    int sum = 0;

    for (int i = 0; s[i]; i++) {
        int v = s[i] >= 'A' ? s[i] - 'A' + 10 : s[i] - '0';

        sum += v * w[i % 3];
    }
    return (char)('0' + sum % 10);
}


/* ---- United States ---------------------------------------------------- */

TEST(us_passport)
{
    VALID(us_passport, "340020013");
    VALID(us_passport, "A12345678"); /* Next Generation book */
    VALID(us_passport, "C03005988"); /* passport card */
    VALID(us_passport, "a12345678");
    INVALID(us_passport, "000000000");
    INVALID(us_passport, "123456789");
    INVALID(us_passport, "A00000000");
    INVALID(us_passport, "34002001");
    INVALID(us_passport, "3400200134");
    INVALID(us_passport, "AB1234567");
    INVALID(us_passport, "340 020 013");
}

TEST(us_driver_licence)
{
    VALID(us_driver_licence, "D1234567");          /* CA 1 alpha + 7 */
    VALID(us_driver_licence, "S123456789012");     /* FL 1 alpha + 12 */
    VALID(us_driver_licence, "S123-456-78-901-0"); /* FL as printed */
    VALID(us_driver_licence, "12345678");          /* TX, PA 8 digits */
    VALID(us_driver_licence, "12ABC34567");        /* NH 2-3-5 */
    VALID(us_driver_licence, "123AB4567");         /* IA 3-2-4 */
    VALID(us_driver_licence, "K1K1K");             /* KS a-n-a-n-a */
    VALID(us_driver_licence, "A123456R");          /* MO trailing R */
    VALID(us_driver_licence, "X12345678");         /* NV X + 8 */
    VALID(us_driver_licence, "1234567A");          /* VT 7 + A */
    VALID(us_driver_licence, "SMITH**JA123");      /* WA before 2018 */
    VALID(us_driver_licence, "WDLABCD1234E");      /* WA since 2018 */
    VALID(us_driver_licence, "AB123456C");         /* ID 2-6-1 */
    VALID(us_driver_licence, "A12345678901234");   /* NJ 1 alpha + 14 */
    VALID(us_driver_licence, "d1234567");
    INVALID(us_driver_licence, "1234");     /* too short to tell */
    INVALID(us_driver_licence, "11111111"); /* all the same */
    INVALID(us_driver_licence, "ABCDEFGH"); /* NY 8 letters: left out */
    INVALID(us_driver_licence, "AB12");
    INVALID(us_driver_licence, "ABCD12345");            /* 4 letters + 5: no state */
    INVALID(us_driver_licence, "A1234567890123456789"); /* too long */
    INVALID(us_driver_licence, "A123*4567");            /* '*' outside WA */
    INVALID(us_driver_licence, "D12--34567");
    INVALID(us_driver_licence, "-D1234567");
    INVALID(us_driver_licence, "D1234567-");
    INVALID(us_driver_licence, "D123.4567");
}

TEST(us_npi)
{
    /* CMS check digit publication: 123456789 gets the check digit 3. */
    VALID(us_npi, "1234567893");
    SUBSTITUTIONS_FAIL_AT(us_npi, "1234567893", 0x3FE);
    TRUNCATIONS_FAIL(us_npi, "1234567893");
    INVALID(us_npi, "1234567894");
    INVALID(us_npi, "3234567893"); /* first digit 1 or 2 */
    INVALID(us_npi, "123456789");
    INVALID(us_npi, "123-456-7893");
    {
        /* Built here: 80840 + 2000000001 minus its check, then Luhn. */
        char d[32] = "80840200000000";

        luhn_complete(d);
        VALID(us_npi, d + 5);
    }
}

TEST(us_dea)
{
    /* The DEA's worked example shape: 1+3+5 + 2*(2+4+6) = 33, check 3. */
    VALID(us_dea, "AB1234563");
    VALID(us_dea, "BB1388568");
    VALID(us_dea, "M91234563"); /* business: 9 for the initial */
    VALID(us_dea, "ab1234563");
    INVALID(us_dea, "AB1234564");
    INVALID(us_dea, "AB1234536"); /* last two swapped */
    INVALID(us_dea, "IB1234563"); /* I is no registrant type */
    INVALID(us_dea, "AB123456");
    INVALID(us_dea, "A11234563"); /* second is a letter or 9 */
    INVALID(us_dea, "AB-1234563");
}

TEST(us_mbi)
{
    /* CMS's MBI format specification example. */
    VALID(us_mbi, "1EG4TE5MK73");
    VALID(us_mbi, "1EG4-TE5-MK73");
    VALID(us_mbi, "1eg4-te5-mk73");
    VALID(us_mbi, "9AA0AA0AA99");
    INVALID(us_mbi, "0EG4TE5MK73"); /* first 1-9 */
    INVALID(us_mbi, "1SG4TE5MK73"); /* S excluded */
    INVALID(us_mbi, "1EL4TE5MK73"); /* L excluded, also in AN places */
    INVALID(us_mbi, "1EGATE5MK73"); /* fourth numeric */
    INVALID(us_mbi, "1EG4TE5M173"); /* ninth alphabetic */
    INVALID(us_mbi, "1EG4TE5MK7");
    INVALID(us_mbi, "1EG-4TE5-MK73");
    INVALID(us_mbi, "1EG4-TE5MK73");
}

TEST(us_ein)
{
    VALID(us_ein, "12-3456789");
    VALID(us_ein, "01-0000001");
    VALID(us_ein, "99-1234567");
    VALID(us_ein, "943456789");
    {
        /* The 17 prefixes the IRS never lists. */
        static const char *const never[] = {"00", "07", "08", "09", "17", "18", "19", "28", "29",
                                            "49", "69", "70", "78", "79", "89", "96", "97"};
        char v[16];

        for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++) {
            snprintf(v, sizeof(v), "%s-1234567", never[i]);
            INVALID(us_ein, v);
        }
    }
    INVALID(us_ein, "12-0000000");
    INVALID(us_ein, "123-456789");
    INVALID(us_ein, "12 3456789");
    INVALID(us_ein, "12-345678");
}


/* ---- United Kingdom --------------------------------------------------- */

TEST(uk_passport)
{
    VALID(uk_passport, "925076473");
    INVALID(uk_passport, "92507647");
    INVALID(uk_passport, "999999999");
    INVALID(uk_passport, "GB9250764");
}

TEST(uk_driving_licence)
{
    /* DVLA's example on gov.uk: Morgan, female, born 11 March 1976. */
    VALID(uk_driving_licence, "MORGA753116SM9IJ");
    VALID(uk_driving_licence, "MORGA 753116 SM9IJ");
    VALID(uk_driving_licence, "morga753116sm9ij");
    VALID(uk_driving_licence, "JONES710238J99AB");   /* one initial, 9 filler */
    VALID(uk_driving_licence, "OX999801010A99AB");   /* short surname */
    INVALID(uk_driving_licence, "MORGA713116SM9IJ"); /* month 13 */
    INVALID(uk_driving_licence, "MORGA763116SM9IJ"); /* month 63 */
    INVALID(uk_driving_licence, "MORGA753326SM9IJ"); /* 32 March */
    INVALID(uk_driving_licence, "MORGA702306SM9IJ"); /* 30 February */
    INVALID(uk_driving_licence, "MO9GA753116SM9IJ"); /* letters after a 9 */
    INVALID(uk_driving_licence, "9ORGA753116SM9IJ");
    INVALID(uk_driving_licence, "MORGA7531169M9IJ"); /* first initial a 9 */
    INVALID(uk_driving_licence, "MORGA753116SMAIJ"); /* 14th a digit */
    INVALID(uk_driving_licence, "MORGA753116SM9I");
    INVALID(uk_driving_licence, "MORGA 753116SM9IJ");
}

TEST(uk_postcode)
{
    /* One of each outward form (Royal Mail PAF guide), and GIR 0AA. */
    VALID(uk_postcode, "M1 1AE");   /* A9 */
    VALID(uk_postcode, "B33 8TH");  /* A99 */
    VALID(uk_postcode, "CR2 6XH");  /* AA9 */
    VALID(uk_postcode, "DN55 1PT"); /* AA99 */
    VALID(uk_postcode, "W1A 0AX");  /* A9A */
    VALID(uk_postcode, "EC1A 1BB"); /* AA9A */
    VALID(uk_postcode, "SW1A1AA");
    VALID(uk_postcode, "sw1a 1aa");
    VALID(uk_postcode, "GIR 0AA");
    VALID(uk_postcode, "JE2 3AB");    /* Crown dependency */
    INVALID(uk_postcode, "Sw1A 1aa"); /* mixed case */
    INVALID(uk_postcode, "QA1 1AA");  /* Q never first */
    INVALID(uk_postcode, "AZ1 1AA");  /* Z never second */
    INVALID(uk_postcode, "XX1 1AA");
    INVALID(uk_postcode, "ZZ1 1AA"); /* no such area */
    INVALID(uk_postcode, "KK1 1AA");
    INVALID(uk_postcode, "M1 1AC"); /* C never in the inward code */
    INVALID(uk_postcode, "M1 1IA");
    INVALID(uk_postcode, "W1I 0AX");  /* I not a 3rd-position letter */
    INVALID(uk_postcode, "EC1C 1BB"); /* C not a 4th-position letter */
    INVALID(uk_postcode, "M1  1AE");
    INVALID(uk_postcode, "M 11AE");
    INVALID(uk_postcode, "M1-1AE");
    INVALID(uk_postcode, "DN555 1PT");
    INVALID(uk_postcode, "1M1 1AE");
    INVALID(uk_postcode, "M1 AAE");
    /* Look-alikes: references and a time. */
    INVALID(uk_postcode, "AB1 2CD"); /* C is never in the inward code */
    INVALID(uk_postcode, "ORD 123");
    INVALID(uk_postcode, "12 30PM");
}


/* ---- Germany ---------------------------------------------------------- */

TEST(de_steuer_id)
{
    /* Example numbers in circulation (the BZSt publishes none of its
       own), one doubled digit or one tripled; each was checked against
       the published rule apart from the validator. */
    VALID(de_steuer_id, "86095742719");
    VALID(de_steuer_id, "47036892816");
    VALID(de_steuer_id, "65929970489"); /* 9 three times, not adjacent */
    VALID(de_steuer_id, "57549285017");
    VALID(de_steuer_id, "25768131411");
    VALID(de_steuer_id, "86 095 742 719");
    SUBSTITUTIONS_FAIL(de_steuer_id, "86095742719");
    SUBSTITUTIONS_FAIL(de_steuer_id, "65929970489");
    TRUNCATIONS_FAIL(de_steuer_id, "86095742719");
    INVALID(de_steuer_id, "06095742719"); /* leading 0 */
    /* The check digit fits each of these; the repetition rule does not. */
    INVALID(de_steuer_id, "12345678903"); /* no repeated digit */
    INVALID(de_steuer_id, "11123456786"); /* three adjacent */
    INVALID(de_steuer_id, "11223456785"); /* two repeated digits */
    VALID(de_steuer_id, "11234567890");   /* two adjacent are allowed */
    INVALID(de_steuer_id, "86  095742719");
    INVALID(de_steuer_id, " 86095742719");
    INVALID(de_steuer_id, "86-095-742-719");
}

TEST(de_id_document)
{
    /* Specimen documents of the Bundesministerium des Innern: ID card 2010
       (T22000129, check 3), ID card 2021 (LZ6311T47, check 5), passport
       (C01X00T47, check 8). */
    VALID(de_id_document, "T220001293");
    VALID(de_id_document, "LZ6311T475");
    VALID(de_id_document, "C01X00T478");
    VALID(de_id_document, "lz6311t475");
    SUBSTITUTIONS_FAIL(de_id_document, "T220001293");
    SUBSTITUTIONS_FAIL(de_id_document, "C01X00T478");
    INVALID(de_id_document, "T22000129");
    INVALID(de_id_document, "T2200012930");
    INVALID(de_id_document, "A220001293"); /* A is not in the alphabet */
    INVALID(de_id_document, "LZ6311T47<5");
    {
        char v[16] = "CFGHJ1234";

        v[9] = icao_digit(v);
        v[10] = '\0';
        VALID(de_id_document, v);
    }
    /* ICAO 9303 part 3's specimen number and its check digit 6 (its
       letters are in the German alphabet too). */
    VALID(de_id_document, "L898902C36");
}

TEST(de_rvnr)
{
    /* The layout example in German references on the number (born 6 July
       1949, surname C, serial 10). */
    VALID(de_rvnr, "15070649C103");
    VALID(de_rvnr, "15 070649 C 103");
    VALID(de_rvnr, "15 070649 C103");
    VALID(de_rvnr, "65170839J003");
    VALID(de_rvnr, "15070649c103");
    INVALID(de_rvnr, "15070649C104");
    INVALID(de_rvnr, "15070649D103");
    INVALID(de_rvnr, "15073249C103"); /* 32 July */
    INVALID(de_rvnr, "15071349C103"); /* month 13 */
    INVALID(de_rvnr, "01070649C103"); /* no area 01 */
    INVALID(de_rvnr, "150706491103");
    INVALID(de_rvnr, "15070649C10");
    INVALID(de_rvnr, "15-070649-C-103");
}


/* ---- Poland, Sweden, Finland ------------------------------------------ */

TEST(pl_pesel)
{
    /* The usual example: born 14 May 1944, male. */
    VALID(pl_pesel, "44051401359");
    VALID(pl_pesel, "02070803628");
    SUBSTITUTIONS_FAIL(pl_pesel, "44051401359");
    TRUNCATIONS_FAIL(pl_pesel, "44051401359");
    {
        /* Centuries by month offset: 2005-03-01 (+20), 1899-12-31 (+80),
           2100-01-01 (+40). */
        static const char *const bodies[] = {"0523010123", "9992310123", "0041010123"};
        char v[16];

        for (int i = 0; i < 3; i++) {
            strcpy(v, bodies[i]);
            pesel_complete(v);
            VALID(pl_pesel, v);
        }
        strcpy(v, "0013010123"); /* month 13 */
        pesel_complete(v);
        INVALID(pl_pesel, v);
        strcpy(v, "0122290123"); /* 29 February 2001 */
        pesel_complete(v);
        INVALID(pl_pesel, v);
        strcpy(v, "0042290123"); /* 29 February 2100 */
        pesel_complete(v);
        INVALID(pl_pesel, v);
        strcpy(v, "0002290123"); /* 29 February 1900 */
        pesel_complete(v);
        INVALID(pl_pesel, v);
        strcpy(v, "0022290123"); /* 29 February 2000: real */
        pesel_complete(v);
        VALID(pl_pesel, v);
    }
    INVALID(pl_pesel, "00000000000");
    INVALID(pl_pesel, "4405140135-9");
}

TEST(se_personnummer)
{
    /* Skatteverket's example in SKV 704. */
    VALID(se_personnummer, "811218-9876");
    VALID(se_personnummer, "8112189876");
    VALID(se_personnummer, "19811218-9876");
    VALID(se_personnummer, "198112189876");
    VALID(se_personnummer, "811218+9876"); /* aged 100 or more */
    SUBSTITUTIONS_FAIL(se_personnummer, "811218-9876");
    INVALID(se_personnummer, "811218-9875");
    INVALID(se_personnummer, "811318-9876"); /* month 13 */
    INVALID(se_personnummer, "811218 9876");
    INVALID(se_personnummer, "1981121-89876");
    INVALID(se_personnummer, "17811218-9876"); /* year 1781 */
    {
        /* A samordningsnummer: day 18 + 60 = 78. */
        char d[16] = "811278987";

        luhn_complete(d);
        VALID(se_personnummer, d);
        strcpy(d, "811292987"); /* day 92: 32 + 60 */
        luhn_complete(d);
        INVALID(se_personnummer, d);
    }
}

TEST(fi_hetu)
{
    /* The example of the Digital and Population Data Services Agency. */
    VALID(fi_hetu, "131052-308T");
    SUBSTITUTIONS_FAIL(fi_hetu, "131052-308T");
    TRUNCATIONS_FAIL(fi_hetu, "131052-308T");
    INVALID(fi_hetu, "131052-308A");
    INVALID(fi_hetu, "131052G308T"); /* no century sign G */
    INVALID(fi_hetu, "131052 308T");
    INVALID(fi_hetu, "131052-001");
    {
        /* Every century sign, with a built check character. */
        static const char signs[] = "+-YXWVUABCDEF";
        char h[16];

        for (size_t i = 0; i < sizeof(signs) - 1; i++) {
            snprintf(h, sizeof(h), "010594%c902", signs[i]);
            hetu_complete(h);
            VALID(fi_hetu, h);
        }
        strcpy(h, "290201A002"); /* 29 February 2001 */
        hetu_complete(h);
        INVALID(fi_hetu, h);
        strcpy(h, "290200A002"); /* 29 February 2000 */
        hetu_complete(h);
        VALID(fi_hetu, h);
        strcpy(h, "290200-002"); /* 29 February 1900 */
        hetu_complete(h);
        INVALID(fi_hetu, h);
        strcpy(h, "131052-001"); /* individual number 001 */
        hetu_complete(h);
        INVALID(fi_hetu, h);
    }
}


/* ---- Spain, Italy ----------------------------------------------------- */

TEST(es_it_passports)
{
    VALID(es_passport, "PAA123456");
    VALID(es_passport, "AB123456");
    INVALID(es_passport, "PAA12345");
    INVALID(es_passport, "PAA000000");
    INVALID(es_passport, "P1A123456");
    INVALID(es_passport, "PAAA123456");
    VALID(it_passport, "YA1234567");
    VALID(it_passport, "ya1234567");
    INVALID(it_passport, "Y11234567");
    INVALID(it_passport, "YA123456");
    INVALID(it_passport, "YA0000000");
}

TEST(it_partita_iva)
{
    /* The Agenzia delle Entrate's own VAT number, as printed on its
       publications. */
    VALID(it_partita_iva, "06363391001");
    VALID(it_partita_iva, "00743110157");
    SUBSTITUTIONS_FAIL(it_partita_iva, "06363391001");
    TRUNCATIONS_FAIL(it_partita_iva, "06363391001");
    {
        /* Office codes: 100 and 121 exist, 101 and 000 do not. */
        static const char *const bodies[] = {"1234567100", "1234567121", "1234567888", "1234567999",
                                             "1234567101", "1234567000", "1234567500"};
        static const int ok[] = {1, 1, 1, 1, 0, 0, 0};
        char v[16];

        for (int i = 0; i < 7; i++) {
            strcpy(v, bodies[i]);
            luhn_complete(v);
            expect_n(veil__valid_it_partita_iva, "it_partita_iva", v, strlen(v), ok[i], __LINE__);
        }
    }
    INVALID(it_partita_iva, "00000000000");
}


/* ---- Australia -------------------------------------------------------- */

TEST(au_tfn)
{
    /* The example TFN used in tax software documentation (123 456 782). */
    VALID(au_tfn, "123456782");
    VALID(au_tfn, "123 456 782");
    VALID(au_tfn, "123-456-782");
    VALID(au_tfn, "876543210");
    SUBSTITUTIONS_FAIL(au_tfn, "123456782");
    INVALID(au_tfn, "123 456-782");
    INVALID(au_tfn, "12345678");
    INVALID(au_tfn, "000000000");
}

TEST(au_abn)
{
    /* The Australian Business Register's worked example. */
    VALID(au_abn, "51824753556");
    VALID(au_abn, "51 824 753 556");
    VALID(au_abn, "53004085616");
    SUBSTITUTIONS_FAIL(au_abn, "51824753556");
    TRUNCATIONS_FAIL(au_abn, "51824753556");
    INVALID(au_abn, "51 824 753556");
    INVALID(au_abn, "01824753556");
}

TEST(au_medicare)
{
    VALID(au_medicare, "2123456701");
    VALID(au_medicare, "2123 45670 1");
    VALID(au_medicare, "21234567011"); /* with the IRN */
    VALID(au_medicare, "2123 45670 1-1");
    VALID(au_medicare, "2428778132");
    SUBSTITUTIONS_FAIL_AT(au_medicare, "2123456701", 0x1FF);
    INVALID(au_medicare, "1123456701"); /* first digit 2-6 */
    INVALID(au_medicare, "7123456701");
    INVALID(au_medicare, "21234567010"); /* IRN 0 */
    INVALID(au_medicare, "2123-45670-1");
}


/* ---- India ------------------------------------------------------------ */

TEST(in_pan)
{
    /* The Income Tax Department's format illustration: AAAPL1234C. */
    VALID(in_pan, "AAAPL1234C");
    VALID(in_pan, "ABCCD1234E"); /* a company */
    VALID(in_pan, "aaapl1234c");
    INVALID(in_pan, "AAAXL1234C"); /* X is no holder status */
    INVALID(in_pan, "AAAPL12345");
    INVALID(in_pan, "AAAP1234C");
    INVALID(in_pan, "AAAPL0000C");
    INVALID(in_pan, "AAA PL1234C");
}

TEST(in_gstin)
{
    /* The GSTIN most often used to illustrate the format (state 27,
       Maharashtra); its check character was verified apart from the
       validator. */
    VALID(in_gstin, "27AAPFU0939F1ZV");
    VALID(in_gstin, "27aapfu0939f1zv");
    INVALID(in_gstin, "27AAPFU0939F1ZW");
    INVALID(in_gstin, "27AAPFU0939F1Z");
    INVALID(in_gstin, "39AAPFU0939F1ZV"); /* no state 39 */
    INVALID(in_gstin, "00AAPFU0939F1ZV");
    INVALID(in_gstin, "27AAPFU09390FZV"); /* the PAN is broken */
    INVALID(in_gstin, "27AAPFU0939F0ZV"); /* entity number 0 */
    {
        /* Every single substitution of a digit or letter fails. */
        static const char alnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        const char *base = "27AAPFU0939F1ZV";
        char v[16];

        for (int i = 2; i < 15; i++) {
            for (int k = 0; alnum[k]; k++) {
                if (alnum[k] == base[i])
                    continue;
                strcpy(v, base);
                v[i] = alnum[k];
                expect_n(veil__valid_in_gstin, "in_gstin", v, 15, 0, __LINE__);
            }
        }
    }
}


/* ---- Korea, Singapore, South Africa, Turkey --------------------------- */

TEST(kr_rrn)
{
    char r[16];

    strcpy(r, "900101123456");
    rrn_complete(r);
    VALID(kr_rrn, r);
    SUBSTITUTIONS_FAIL_AT(kr_rrn, r, 0x1000); /* the check digit itself */
    {
        char dashed[32];

        snprintf(dashed, sizeof(dashed), "%.6s-%s", r, r + 6);
        VALID(kr_rrn, dashed);
        VALID(kr_rrn_shape, dashed);
    }
    strcpy(r, "050301412345"); /* 2005, sex digit 4 */
    rrn_complete(r);
    VALID(kr_rrn, r);
    strcpy(r, "900101512345"); /* foreigner: not accepted */
    rrn_complete(r);
    INVALID(kr_rrn, r);
    strcpy(r, "900229123456"); /* 29 February 1990 */
    rrn_complete(r);
    INVALID(kr_rrn, r);
    INVALID(kr_rrn_shape, "900229-1234567");
    VALID(kr_rrn_shape, "000229-3234567");  /* 29 February 2000 */
    INVALID(kr_rrn_shape, "9001011234567"); /* no dash: too generic */
    INVALID(kr_rrn_shape, "900101-5234567");
    INVALID(kr_rrn, "900101 1234568");
}

TEST(sg_nric)
{
    /* The worked example usually given with the check-letter rule
       (S1234567D) and the one given with the M series (M1234567K). */
    VALID(sg_nric, "S1234567D");
    VALID(sg_nric, "s1234567d");
    VALID(sg_nric, "M1234567K"); /* the M series example */
    SUBSTITUTIONS_FAIL(sg_nric, "S1234567D");
    INVALID(sg_nric, "S1234567A");
    INVALID(sg_nric, "M1234567L");
    INVALID(sg_nric, "A1234567D");
    INVALID(sg_nric, "S123456D");
    {
        static const char prefixes[] = "STFGM";
        char v[16];

        for (int i = 0; prefixes[i]; i++) {
            snprintf(v, sizeof(v), "%c7654321%c", prefixes[i], nric_letter(prefixes[i], "7654321"));
            VALID(sg_nric, v);
            v[8] = v[8] == 'A' ? 'B' : 'A';
            INVALID(sg_nric, v);
        }
    }
}

TEST(za_id)
{
    VALID(za_id, "8001015009087");
    VALID(za_id, "800101 5009 087");
    SUBSTITUTIONS_FAIL(za_id, "8001015009087");
    TRUNCATIONS_FAIL(za_id, "8001015009087");
    {
        char d[16] = "800101500938"; /* citizenship 3 */

        luhn_complete(d);
        INVALID(za_id, d);
        strcpy(d, "801301500908"); /* month 13 */
        luhn_complete(d);
        INVALID(za_id, d);
        strcpy(d, "000229500918"); /* 29 Feb 2000 */
        luhn_complete(d);
        VALID(za_id, d);
    }
}

TEST(tr_tckn)
{
    /* The test number used with NVİ's identity verification service. */
    VALID(tr_tckn, "10000000146");
    VALID(tr_tckn, "12345678950");
    SUBSTITUTIONS_FAIL(tr_tckn, "10000000146");
    TRUNCATIONS_FAIL(tr_tckn, "10000000146");
    INVALID(tr_tckn, "00000000000");
    INVALID(tr_tckn, "01234567890");
}


/* ---- look-alikes without PII ------------------------------------------ */

TEST(look_alikes)
{
    /* A timestamp, an order number and a version string are not ids. */
    INVALID(pl_pesel, "20240315123");
    INVALID(se_personnummer, "20240315-1230"); /* Luhn fails */
    INVALID(fi_hetu, "2024-03-15T");
    INVALID(in_pan, "ORDER1234X"); /* E is no holder status */
    INVALID(us_mbi, "ORD-123-4567");
    INVALID(de_rvnr, "2024-03-15 12");
    INVALID(uk_driving_licence, "ORDER20240315AB1");
    INVALID(de_id_document, "2024031512"); /* all digits: check fails */
    INVALID(sg_nric, "S2024031A");
}

/* veil__us_driver_licence_may_be() is 0 only where the validator is 0
   (text_ids.h skips the context test then): every valid number above,
   and 300,000 strings of letters, digits, spaces, dashes and '*' of 1 to
   23 bytes (fixed seed). And it does rule out what it is there for. */
TEST(us_driver_licence_may_be)
{
    static const char *const valid[] = {
        "D1234567",     "S123456789012", "S123-456-78-901-0", "12345678",       "12ABC34567",
        "123AB4567",    "K1K1K",         "A123456R",          "X12345678",      "1234567A",
        "SMITH**JA123", "WDLABCD1234E",  "AB123456C",         "A12345678901234"};
    static const char alphabet[] = "ABCRXZ0123456789 -*k";
    uint32_t x = 12345;
    unsigned agree = 0;

    for (size_t k = 0; k < sizeof(valid) / sizeof(valid[0]); k++) {
        CHECK(veil__us_driver_licence_may_be(valid[k], strlen(valid[k])));
    }
    for (int round = 0; round < 300000; round++) {
        char b[24];
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        size_t n = 1 + x % 23;
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            /* mostly letters and digits, as words are */
            b[i] = alphabet[x % 64 < 60 ? x % 16 : 16 + x % 4];
        }
        int valid_now = veil__valid_us_driver_licence(b, n);
        if (valid_now) {
            CHECK(veil__us_driver_licence_may_be(b, n));
        }
        agree += valid_now == veil__us_driver_licence_may_be(b, n);
    }
    CHECK(agree > 150000);                                  /* (a test that rules out much) */
    CHECK(!veil__us_driver_licence_may_be("U4YTHBEAL", 9)); /* Slack user id */
    CHECK(!veil__us_driver_licence_may_be("CA1ZCUZGE", 9)); /* Slack channel id */
    CHECK(!veil__us_driver_licence_may_be("KU27", 4));
    CHECK(veil__us_driver_licence_may_be("ABCDEFGHIJ12", 12)); /* WA's old format's shape */
}

int main(void)
{
    guard_init();
    RUN(us_passport);
    RUN(us_driver_licence);
    RUN(us_driver_licence_may_be);
    RUN(us_npi);
    RUN(us_dea);
    RUN(us_mbi);
    RUN(us_ein);
    RUN(uk_passport);
    RUN(uk_driving_licence);
    RUN(uk_postcode);
    RUN(de_steuer_id);
    RUN(de_id_document);
    RUN(de_rvnr);
    RUN(pl_pesel);
    RUN(se_personnummer);
    RUN(fi_hetu);
    RUN(es_it_passports);
    RUN(it_partita_iva);
    RUN(au_tfn);
    RUN(au_abn);
    RUN(au_medicare);
    RUN(in_pan);
    RUN(in_gstin);
    RUN(kr_rrn);
    RUN(sg_nric);
    RUN(za_id);
    RUN(tr_tckn);
    RUN(look_alikes);
    printf("%d checks\n", checks);
    TEST_MAIN_END;
}
