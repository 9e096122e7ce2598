/*
 * Financial and device identifiers (see validators.h for the contract):
 * SWIFT/BIC codes, Bitcoin addresses (Base58Check, Bech32, Bech32m),
 * Ethereum addresses (EIP-55), IMEI and VIN. Nothing here allocates.
 */
#include "validators.h"

#include <stdint.h>
#include <string.h>

#include "hashes.h"


static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}
static int is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}
static int is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}
static char upper(char c)
{
    return is_lower(c) ? (char)(c - 'a' + 'A') : c;
}
static char lower(char c)
{
    return is_upper(c) ? (char)(c - 'A' + 'a') : c;
}

/* strchr() finds the terminator too: a NUL in the input is in no set. */
static int in_set(char c, const char *set)
{
    return c != '\0' && strchr(set, c) != NULL;
}

static int hex_value(char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Luhn (ISO/IEC 7812-1 annex B) over <n> digits, the last being the check. */
static int luhn_ok(const char *d, size_t n)
{
    unsigned sum = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned v = (unsigned)(d[n - 1 - i] - '0');

        if (i % 2 == 1)
            v = v * 2 > 9 ? v * 2 - 9 : v * 2;
        sum += v;
    }
    return sum % 10 == 0;
}


/* ---- SWIFT / BIC ------------------------------------------------------ */

/* ISO 3166-1 alpha-2 codes, and XK, which SWIFT assigns to Kosovo. */
static const char countries[] =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI "
    "BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN "
    "CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK "
    "FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM "
    "HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN "
    "KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK "
    "ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP "
    "NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW "
    "SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF "
    "TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI "
    "VN VU WF WS XK YE YT ZA ZM ZW ";

static int country_known(const char *cc)
{
    for (const char *p = countries; *p != '\0'; p += 3)
        if (p[0] == cc[0] && p[1] == cc[1])
            return 1;
    return 0;
}

/*
 * ISO 9362 business identifier code: institution (4 letters), country (an
 * ISO 3166-1 code), location (2 letters or digits; the second is never the
 * letter O, which would read as the 0 that marks a test BIC) and an
 * optional branch (3 letters or digits; one starting with X is XXX, the
 * head office). Upper case only, as SWIFT prints them.
 */
int veil__valid_bic(const char *s, size_t len)
{
    if (len != 8 && len != 11)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (i < 6 ? !is_upper(s[i]) : !is_upper(s[i]) && !is_digit(s[i]))
            return 0;
    }
    if (!country_known(s + 4) || s[7] == 'O')
        return 0;
    if (len == 11 && s[8] == 'X' && (s[9] != 'X' || s[10] != 'X'))
        return 0;
    return 1;
}


/* ---- Bitcoin: Base58Check --------------------------------------------- */

static int base58_value(char c)
{
    static const char alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    const char *p = c == '\0' ? NULL : strchr(alphabet, c);

    return p == NULL ? -1 : (int)(p - alphabet);
}

/*
 * Legacy addresses (Bitcoin Core's base58.cpp and the Bitcoin wiki's
 * "Technical background of version 1 Bitcoin addresses"): Base58 of a
 * version byte, a 20-byte hash and the first four bytes of SHA-256(SHA-256)
 * of those 21, each leading zero byte written as '1'. Versions: 0x00 P2PKH
 * and 0x05 P2SH on the main network, 0x6F and 0xC4 on testnet.
 */
static int base58check_address(const char *s, size_t len)
{
    uint8_t raw[25], h[32];
    size_t ones = 0, zeros = 0;
    /* The number, in 32-bit limbs from the least significant: 35 base58
       digits are less than 2^206, so seven limbs never overflow, and the
       test for more than 25 bytes is made once at the end (the number
       only grows). A byte at a time, a hex hash of 32 characters with no
       '0' (one in eight of them) cost 6,800 instructions. */
    uint32_t limb[7] = {0, 0, 0, 0, 0, 0, 0};

    if (len < 26 || len > 35)
        return 0;
    for (size_t i = 0; i < len; i++) {
        int v = base58_value(s[i]);
        uint64_t carry;

        if (v < 0)
            return 0;
        carry = (uint64_t)v;
        for (int j = 0; j < 7; j++) {
            carry += 58u * (uint64_t)limb[j];
            limb[j] = (uint32_t)carry;
            carry >>= 32;
        }
    }
    if (limb[6] >> 8 != 0)
        return 0; /* more than 25 bytes */
    for (int j = 0; j < 25; j++)
        raw[24 - j] = (uint8_t)(limb[j / 4] >> (8 * (j % 4)));
    while (ones < len && s[ones] == '1')
        ones++;
    while (zeros < 25 && raw[zeros] == 0)
        zeros++;
    if (ones != zeros)
        return 0; /* not the canonical encoding */
    if (raw[0] != 0x00 && raw[0] != 0x05 && raw[0] != 0x6F && raw[0] != 0xC4)
        return 0;
    veil__sha256(raw, 21, h);
    veil__sha256(h, 32, h);
    return memcmp(h, raw + 21, 4) == 0;
}


/* ---- Bitcoin: Bech32 and Bech32m (BIP 173, BIP 350) ------------------- */

static const char bech32_charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint32_t bech32_polymod_step(uint32_t chk, unsigned v)
{
    static const uint32_t gen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    uint32_t top = chk >> 25;

    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (int i = 0; i < 5; i++)
        if ((top >> i) & 1)
            chk ^= gen[i];
    return chk;
}

/*
 * bech32_decode(): checks the string rules of BIP 173 (at most 90
 * characters, printable US-ASCII, one case, a non-empty human-readable part
 * before the last '1', at least six data characters from the charset) and
 * the checksum. Returns 1 for Bech32, 2 for Bech32m, 0 otherwise; on
 * success <hrp_len> and <data> (values 0-31, checksum excluded, at most 90)
 * and <data_len> are set.
 */
static int bech32_decode(const char *s, size_t len, size_t *hrp_len, uint8_t *data,
                         size_t *data_len)
{
    int has_lower = 0, has_upper = 0;
    size_t sep = len;
    uint32_t chk = 1;

    if (len < 8 || len > 90)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c < 33 || c > 126)
            return 0;
        has_lower |= is_lower((char)c);
        has_upper |= is_upper((char)c);
        if (c == '1')
            sep = i;
    }
    if ((has_lower && has_upper) || sep == len || sep < 1 || len - sep - 1 < 6)
        return 0;
    for (size_t i = 0; i < sep; i++)
        chk = bech32_polymod_step(chk, (unsigned)lower(s[i]) >> 5);
    chk = bech32_polymod_step(chk, 0);
    for (size_t i = 0; i < sep; i++)
        chk = bech32_polymod_step(chk, (unsigned)lower(s[i]) & 31);
    *data_len = 0;
    for (size_t i = sep + 1; i < len; i++) {
        char c = lower(s[i]);
        const char *p = c == '\0' ? NULL : strchr(bech32_charset, c);

        if (p == NULL)
            return 0;
        chk = bech32_polymod_step(chk, (unsigned)(p - bech32_charset));
        if (i + 6 < len)
            data[(*data_len)++] = (uint8_t)(p - bech32_charset);
    }
    *hrp_len = sep;
    if (chk == 1)
        return 1;
    return chk == 0x2bc830a3 ? 2 : 0;
}

int veil__bech32_kind(const char *s, size_t len)
{
    uint8_t data[90];
    size_t hrp_len, data_len;

    return bech32_decode(s, len, &hrp_len, data, &data_len);
}

/*
 * Segregated witness addresses (BIP 173 "Segwit address format", BIP 350):
 * human-readable part bc (testnet tb), a witness version 0-16, then the
 * witness program regrouped from 5-bit to 8-bit values with at most 4 bits
 * of zero padding; the program is 2-40 bytes, 20 or 32 for version 0.
 * Version 0 uses the Bech32 checksum, later versions Bech32m.
 */
static int segwit_address(const char *s, size_t len)
{
    uint8_t data[90];
    size_t hrp_len, data_len, prog_len = 0;
    uint32_t acc = 0;
    unsigned bits = 0;
    int kind = bech32_decode(s, len, &hrp_len, data, &data_len);

    if (kind == 0 || hrp_len != 2 || data_len < 1)
        return 0;
    if (!((lower(s[0]) == 'b' && lower(s[1]) == 'c') || (lower(s[0]) == 't' && lower(s[1]) == 'b')))
        return 0;
    if (data[0] > 16 || kind != (data[0] == 0 ? 1 : 2))
        return 0;
    for (size_t i = 1; i < data_len; i++) {
        acc = ((acc << 5) | data[i]) & 0xfff;
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            prog_len++;
        }
    }
    if (bits >= 5 || ((acc << (8 - bits)) & 0xff) != 0)
        return 0;
    if (prog_len < 2 || prog_len > 40)
        return 0;
    return data[0] != 0 || prog_len == 20 || prog_len == 32;
}

int veil__valid_btc_address(const char *s, size_t len)
{
    /* Base58 never starts with "bc1" or "tb1": its versions give 1, 3, m,
       n or 2. */
    if (len >= 3 && s[2] == '1' &&
        ((lower(s[0]) == 'b' && lower(s[1]) == 'c') || (lower(s[0]) == 't' && lower(s[1]) == 'b')))
        return segwit_address(s, len);
    return base58check_address(s, len);
}


/* ---- Ethereum (EIP-55) ------------------------------------------------ */

/* "0x" and 40 hex digits; not the all-zero address, which burns, not
   belongs. Sets the case flags. */
static int eth_shape(const char *s, size_t len, int *has_lower, int *has_upper)
{
    int nonzero = 0;

    *has_lower = *has_upper = 0;
    if (len != 42 || s[0] != '0' || s[1] != 'x')
        return 0;
    for (size_t i = 2; i < 42; i++) {
        int v = hex_value(s[i]);

        if (v < 0)
            return 0;
        nonzero |= v;
        *has_lower |= is_lower(s[i]);
        *has_upper |= is_upper(s[i]);
    }
    return nonzero != 0;
}

/* EIP-55: the hex digit at i is upper case when nibble i of the Keccak-256
   of the lower-case hex (as ASCII) is 8 or more. */
static int eip55_ok(const char *s)
{
    char hex[40];
    uint8_t h[32];

    for (int i = 0; i < 40; i++)
        hex[i] = lower(s[2 + i]);
    veil__keccak256(hex, 40, h);
    for (int i = 0; i < 40; i++) {
        unsigned nibble = i % 2 == 0 ? h[i / 2] >> 4 : h[i / 2] & 15;
        char c = s[2 + i];

        if (is_digit(c))
            continue;
        if ((nibble >= 8) != is_upper(c))
            return 0;
    }
    return 1;
}

int veil__valid_eth_address(const char *s, size_t len)
{
    int lo, up;

    if (!eth_shape(s, len, &lo, &up))
        return 0;
    return !(lo && up) || eip55_ok(s);
}

int veil__valid_eth_checksum(const char *s, size_t len)
{
    int lo, up;

    return eth_shape(s, len, &lo, &up) && lo && up && eip55_ok(s);
}


/* ---- IMEI (3GPP TS 23.003, section 6.2.1 and annex B) ----------------- */

/*
 * 15 digits: the type allocation code (8), the serial number (6) and the
 * Luhn check digit. Printed as one run, or grouped TAC-SNR-CD or in the
 * older 2-6-6-1 (reporting body, type, serial, check), with dashes, spaces
 * or slashes used alike. The 16-digit IMEISV carries no check digit and is
 * not accepted.
 */
int veil__valid_imei(const char *s, size_t len)
{
    static const size_t groups[][4] = {{15, 0, 0, 0}, {8, 6, 1, 0}, {2, 6, 6, 1}, {6, 2, 6, 1}};
    char d[16];

    for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
        size_t i = 0, n = 0;
        char sep = 0;
        int ok = 1;

        for (int k = 0; k < 4 && groups[g][k] != 0 && ok; k++) {
            if (k > 0) {
                if (i >= len || !in_set(s[i], "- /") || (sep && s[i] != sep))
                    ok = 0;
                else
                    sep = s[i++];
            }
            for (size_t j = 0; j < groups[g][k] && ok; j++, i++)
                if (i >= len || !is_digit(s[i]))
                    ok = 0;
                else
                    d[n++] = s[i];
        }
        if (!ok || i != len || n != 15)
            continue;
        if (memcmp(d, "00000000", 8) == 0)
            return 0; /* no type allocation code */
        return luhn_ok(d, 15);
    }
    return 0;
}


/* ---- VIN (ISO 3779, 49 CFR 565.15) ------------------------------------ */

static int vin_value(char c)
{
    /* 49 CFR 565.15(c) table I: letters transliterated to 1-9. */
    static const char map[27] = "12345678-12345-7-923456789";

    if (is_digit(c))
        return c - '0';
    if (!is_upper(c) || map[c - 'A'] == '-')
        return -1; /* I, O and Q never appear */
    return map[c - 'A'] - '0';
}

/* 17 characters without I O Q; the tenth, the model year, is never U, Z or
   0 (49 CFR 565.15(b), table V). Letters may be lower case. */
static int vin_shape(const char *s, size_t len, char *v)
{
    int letters = 0, digits = 0;

    if (len != 17)
        return 0;
    for (int i = 0; i < 17; i++) {
        v[i] = upper(s[i]);
        if (vin_value(v[i]) < 0)
            return 0;
        letters += is_upper(v[i]);
        digits += is_digit(v[i]);
    }
    return letters > 0 && digits > 0 && !in_set(v[9], "UZ0");
}

int veil__valid_vin_shape(const char *s, size_t len)
{
    char v[17];

    return vin_shape(s, len, v);
}

/* The ninth character is the check digit: the sum of the values weighted 8
   7 6 5 4 3 2 10 0 9 8 7 6 5 4 3 2, mod 11, with X for 10 (49 CFR 565.15,
   table IV). North American VINs must carry it; others may. */
int veil__valid_vin(const char *s, size_t len)
{
    static const int w[17] = {8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2};
    char v[17];
    int sum = 0, check;

    if (!vin_shape(s, len, v))
        return 0;
    for (int i = 0; i < 17; i++)
        sum += vin_value(v[i]) * w[i];
    check = sum % 11;
    return v[8] == (check == 10 ? 'X' : (char)('0' + check));
}
