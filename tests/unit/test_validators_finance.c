/*
 * Financial and device validators (validators_finance.c) and the hashes
 * they use (hashes.c): the test vectors of FIPS 180-2, of the Keccak team,
 * of BIP 173 and BIP 350 and of EIP-55, 3GPP TS 23.003's IMEI example,
 * and cross-checks of SHA-256 and of the Keccak permutation (through
 * SHA3-256, the same permutation with another padding) against OpenSSL.
 */
#include <openssl/evp.h>

#include "hashes.h"
#include "validator_check.h"


static void hex(const uint8_t *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

#define HASH_IS(fn, msg, want)      \
    do {                            \
        uint8_t h_[32];             \
        char x_[65];                \
        fn((msg), strlen(msg), h_); \
        hex(h_, 32, x_);            \
        checks++;                   \
        CHECK_STR(x_, (want));      \
    } while (0)


/* ---- hashes ----------------------------------------------------------- */

TEST(sha256_vectors)
{
    /* FIPS 180-2 appendix B.1 and B.2 (one and two blocks), and the empty
       message. */
    HASH_IS(veil__sha256, "abc",
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    HASH_IS(veil__sha256, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    HASH_IS(veil__sha256, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(keccak256_vectors)
{
    /* Keccak-256 (the submission's padding, as Ethereum uses it). */
    HASH_IS(veil__keccak256, "",
            "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    HASH_IS(veil__keccak256, "abc",
            "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
    HASH_IS(veil__keccak256, "The quick brown fox jumps over the lazy dog",
            "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15");
}

/* OpenSSL's digest of <msg> with <md>. */
static void openssl_digest(const EVP_MD *md, const uint8_t *msg, size_t n, uint8_t out[32])
{
    unsigned int len = 0;

    if (EVP_Digest(msg, n, out, &len, md, NULL) != 1 || len != 32)
        abort();
}

TEST(hashes_match_openssl)
{
    /* Every length from 0 to 400 bytes: across the 64-byte SHA-256 blocks
       (and the 55/56-byte padding edge) and the 136-byte Keccak rate. The
       Keccak sponge with SHA-3's padding byte must give OpenSSL's
       SHA3-256, which checks the permutation on multi-block input. */
    uint8_t msg[400], a[32], b[32];

    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)(i * 131 + 7);
    for (size_t n = 0; n <= sizeof(msg); n++) {
        veil__sha256(msg, n, a);
        openssl_digest(EVP_sha256(), msg, n, b);
        CHK(memcmp(a, b, 32) == 0);
        veil__keccak_sponge(msg, n, 136, 0x06, a, 32);
        openssl_digest(EVP_sha3_256(), msg, n, b);
        CHK(memcmp(a, b, 32) == 0);
    }
}


/* ---- BIC -------------------------------------------------------------- */

TEST(bic)
{
    /* ISO 9362's examples and well-known head offices. */
    VALID(bic, "DEUTDEFF");
    VALID(bic, "DEUTDEFF500");
    VALID(bic, "NEDSZAJJXXX");
    VALID(bic, "UBSWCHZH80A");
    VALID(bic, "BOFAUS3N");
    VALID(bic, "DEUTDEF0");      /* a test BIC */
    VALID(bic, "BKKOXKPR");      /* Kosovo: XK */
    INVALID(bic, "DEUTXXFF");    /* no country XX */
    INVALID(bic, "DEUTDEFO");    /* O never second in the location */
    INVALID(bic, "DEUTDEFFXYZ"); /* an X branch is XXX */
    INVALID(bic, "deutdeff");
    INVALID(bic, "DEU1DEFF");
    INVALID(bic, "DEUTDEF");
    INVALID(bic, "DEUTDEFF5");
    INVALID(bic, "DEUTDEFF50");
    INVALID(bic, "DEUTDEFF5000");
    INVALID(bic, "DEUT DEFF");
    /* The validator alone cannot tell an upper-case word from a BIC whose
       country code happens to fit ("NE" is Niger): the catalog asks for a
       context word. */
    VALID(bic, "BUSINESS");
    INVALID(bic, "PASSWORD"); /* no country SW */
}


/* ---- Bitcoin ---------------------------------------------------------- */

/* Base58Check-encodes version <v> and the 20-byte <hash> (test side: with
   OpenSSL's SHA-256 and a plain long division). */
static void base58check(char *out, uint8_t v, const uint8_t hash[20])
{
    static const char a[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    uint8_t raw[25], h[32];
    char tmp[40];
    size_t n = 0, o = 0, zeros = 0;

    raw[0] = v;
    memcpy(raw + 1, hash, 20);
    openssl_digest(EVP_sha256(), raw, 21, h);
    openssl_digest(EVP_sha256(), h, 32, h);
    memcpy(raw + 21, h, 4);
    while (zeros < 25 && raw[zeros] == 0)
        zeros++;
    for (;;) {
        unsigned rem = 0;
        int nonzero = 0;

        for (size_t i = 0; i < 25; i++) {
            unsigned cur = rem * 256 + raw[i];

            raw[i] = (uint8_t)(cur / 58);
            rem = cur % 58;
            nonzero |= raw[i] != 0;
        }
        tmp[n++] = a[rem];
        if (!nonzero)
            break;
    }
    for (size_t i = 0; i < zeros; i++)
        out[o++] = '1';
    while (n > 0)
        out[o++] = tmp[--n];
    out[o] = '\0';
}

TEST(btc_base58)
{
    /* The Bitcoin wiki's P2PKH and P2SH examples, and the genesis block's
       coinbase address. */
    VALID(btc_address, "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2");
    VALID(btc_address, "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy");
    VALID(btc_address, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");
    INVALID(btc_address, "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3");
    INVALID(btc_address, "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN");
    INVALID(btc_address, "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN22");
    INVALID(btc_address, "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN0"); /* 0 */
    INVALID(btc_address, "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVNl"); /* l */
    INVALID(btc_address, "11BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2");
    /* the largest 35 digits: more than 25 bytes (about 2^205) */
    INVALID(btc_address, "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz");
    /* a 32-character hex hash with no '0': every digit base58 */
    INVALID(btc_address, "b7aac866b4925be4ed3215894a7b64ef");
    {
        uint8_t hash[20];
        char addr[40];

        for (int i = 0; i < 20; i++)
            hash[i] = (uint8_t)(i * 37 + 1);
        base58check(addr, 0x00, hash);
        VALID(btc_address, addr);
        base58check(addr, 0x6F, hash); /* testnet P2PKH */
        VALID(btc_address, addr);
        base58check(addr, 0xC4, hash); /* testnet P2SH */
        VALID(btc_address, addr);
        base58check(addr, 0x30, hash); /* Litecoin's version: not ours */
        INVALID(btc_address, addr);
        memset(hash, 0, sizeof(hash)); /* many leading '1's */
        base58check(addr, 0x00, hash);
        VALID(btc_address, addr);
    }
}

#define BECH32_IS(s, kind)                                   \
    do {                                                     \
        checks++;                                            \
        CHECK_EQ(veil__bech32_kind((s), strlen(s)), (kind)); \
    } while (0)

TEST(bech32_strings)
{
    /* BIP 173: valid Bech32 strings. */
    BECH32_IS("A12UEL5L", 1);
    BECH32_IS("a12uel5l", 1);
    BECH32_IS(
        "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
        1);
    BECH32_IS("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", 1);
    BECH32_IS(
        "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
        1);
    BECH32_IS("split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w", 1);
    BECH32_IS("?1ezyfcl", 1);
    /* BIP 173: invalid. */
    BECH32_IS("\x20"
              "1nwldj5",
              0);
    BECH32_IS("\x7f"
              "1axkwrx",
              0);
    BECH32_IS("\x80"
              "1eym55h",
              0);
    BECH32_IS(
        "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",
        0);
    BECH32_IS("pzry9x0s0muk", 0);
    BECH32_IS("1pzry9x0s0muk", 0);
    BECH32_IS("x1b4n0q5v", 0);
    BECH32_IS("li1dgmt3", 0);
    BECH32_IS("de1lg7wt\xff", 0);
    BECH32_IS("A1G7SGD8", 0);
    BECH32_IS("10a06t8", 0);
    BECH32_IS("1qzzfhee", 0);
    /* BIP 350: valid Bech32m strings (so invalid as Bech32). */
    BECH32_IS("A1LQFN3A", 2);
    BECH32_IS("a1lqfn3a", 2);
    BECH32_IS(
        "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
        2);
    BECH32_IS("abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx", 2);
    BECH32_IS(
        "11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8",
        2);
    BECH32_IS("split1checkupstagehandshakeupstreamerranterredcaperredlc445v", 2);
    BECH32_IS("?1v759aa", 2);
    /* BIP 350: invalid. */
    BECH32_IS("\x20"
              "1xj0phk",
              0);
    BECH32_IS("\x7f"
              "1g6xzxy",
              0);
    BECH32_IS("\x80"
              "1vctc34",
              0);
    BECH32_IS(
        "an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts4",
        0);
    BECH32_IS("qyrz8wqd2c9m", 0);
    BECH32_IS("1qyrz8wqd2c9m", 0);
    BECH32_IS("y1b0jsk6g", 0);
    BECH32_IS("lt1igcx5c0", 0);
    BECH32_IS("in1muywd", 0);
    BECH32_IS("mm1crxm3i", 0);
    BECH32_IS("au1s5cgom", 0);
    BECH32_IS("M1VUXWEZ", 0);
    BECH32_IS("16plkw9", 0);
    BECH32_IS("1p2gdwpf", 0);
}

TEST(btc_segwit)
{
    /* BIP 350's valid segwit addresses (v0 Bech32, v1+ Bech32m). */
    VALID(btc_address, "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4");
    VALID(btc_address, "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7");
    VALID(btc_address,
          "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y");
    VALID(btc_address, "BC1SW50QGDZ25J");
    VALID(btc_address, "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs");
    VALID(btc_address, "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy");
    VALID(btc_address, "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c");
    VALID(btc_address, "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0");
    /* BIP 350's invalid segwit addresses. */
    INVALID(btc_address, "tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut");
    INVALID(btc_address, "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd");
    INVALID(btc_address, "tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf");
    INVALID(btc_address, "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL");
    INVALID(btc_address, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh");
    INVALID(btc_address, "tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47");
    INVALID(btc_address, "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4");
    INVALID(btc_address, "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R");
    INVALID(btc_address, "bc1pw5dgrnzv");
    INVALID(btc_address,
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav");
    INVALID(btc_address, "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P");
    INVALID(btc_address, "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq");
    INVALID(btc_address, "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf");
    INVALID(btc_address, "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j");
    INVALID(btc_address, "bc1gmk9yu");
    /* BIP 173's invalid addresses, and its v1+ examples, which BIP 350
       made invalid (they carry a Bech32 checksum). */
    INVALID(btc_address, "tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty");
    INVALID(btc_address, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5");
    INVALID(btc_address, "BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2");
    INVALID(btc_address, "bc1rw5uspcuh");
    INVALID(btc_address,
            "bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90");
    INVALID(btc_address, "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7");
    INVALID(btc_address, "bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du");
    INVALID(btc_address, "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv");
    INVALID(btc_address,
            "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx");
    INVALID(btc_address, "BC1SW50QA3JX3S");
    INVALID(btc_address, "bc1zw508d6qejxtdg4y5r3zarvaryvg6kdaj");
}

/* BIP 173's reference checksum, written out on the test side: the string
   "<hrp>1" + data (5-bit values) + the checksum for constant <k> (1 for
   Bech32, 0x2bc830a3 for Bech32m). */
static void bech32_encode(char *out, const char *hrp, const uint8_t *data, size_t n, uint32_t k)
{
    static const char cs[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    static const uint32_t gen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    uint8_t v[200];
    size_t m = 0, h = strlen(hrp), o = 0;
    uint32_t chk = 1;

    for (size_t i = 0; i < h; i++)
        v[m++] = (uint8_t)(hrp[i] >> 5);
    v[m++] = 0;
    for (size_t i = 0; i < h; i++)
        v[m++] = (uint8_t)(hrp[i] & 31);
    memcpy(v + m, data, n);
    m += n;
    memset(v + m, 0, 6);
    m += 6;
    for (size_t i = 0; i < m; i++) {
        uint32_t b = chk >> 25;

        chk = ((chk & 0x1ffffff) << 5) ^ v[i];
        for (int j = 0; j < 5; j++)
            chk ^= (b >> j & 1) ? gen[j] : 0;
    }
    chk ^= k;
    o = (size_t)sprintf(out, "%s1", hrp);
    for (size_t i = 0; i < n; i++)
        out[o++] = cs[data[i]];
    for (int i = 0; i < 6; i++)
        out[o++] = cs[(chk >> (5 * (5 - i))) & 31];
    out[o] = '\0';
}

TEST(btc_segwit_padding)
{
    /* Built here from BIP 173's rules. After the version, 49 five-bit
       groups are 30 bytes and 5 bits of padding (more than the 4 allowed);
       48 groups are 30 bytes exactly; 52 groups are 32 bytes and 4 bits,
       which must be zero. */
    uint8_t data[60];
    char addr[120];

    data[0] = 1;
    for (int i = 1; i < 60; i++)
        data[i] = (uint8_t)(i * 7 % 32);
    data[49] = 0;
    bech32_encode(addr, "bc", data, 50, 0x2bc830a3);
    INVALID(btc_address, addr);
    bech32_encode(addr, "bc", data, 49, 0x2bc830a3);
    VALID(btc_address, addr);
    data[52] = 16; /* one data bit, zero padding */
    bech32_encode(addr, "bc", data, 53, 0x2bc830a3);
    VALID(btc_address, addr);
    data[52] = 17; /* a padding bit set */
    bech32_encode(addr, "bc", data, 53, 0x2bc830a3);
    INVALID(btc_address, addr);
    /* Version 0 (20-byte program: 32 groups) with each checksum. */
    data[0] = 0;
    bech32_encode(addr, "bc", data, 33, 1);
    VALID(btc_address, addr);
    bech32_encode(addr, "bc", data, 33, 0x2bc830a3);
    INVALID(btc_address, addr);
    bech32_encode(addr, "ltc", data, 33, 1); /* another coin's prefix */
    INVALID(btc_address, addr);
}


/* ---- Ethereum --------------------------------------------------------- */

TEST(eth)
{
    /* EIP-55's four test addresses. */
    static const char *const eip55[] = {
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    };
    char v[64];

    for (int k = 0; k < 4; k++) {
        VALID(eth_address, eip55[k]);
        VALID(eth_checksum, eip55[k]);
        /* One letter's case flipped, at every letter: never valid. */
        for (int i = 2; i < 42; i++) {
            char c = eip55[k][i];

            if (c >= '0' && c <= '9')
                continue;
            strcpy(v, eip55[k]);
            v[i] = (char)(c ^ 0x20);
            INVALID(eth_address, v);
            INVALID(eth_checksum, v);
        }
        /* All lower and all upper case: an address, with no checksum. */
        strcpy(v, eip55[k]);
        for (int i = 2; i < 42; i++)
            v[i] = (char)(v[i] >= 'A' && v[i] <= 'F' ? v[i] + 32 : v[i]);
        VALID(eth_address, v);
        INVALID(eth_checksum, v);
        for (int i = 2; i < 42; i++)
            v[i] = (char)(v[i] >= 'a' && v[i] <= 'f' ? v[i] - 32 : v[i]);
        VALID(eth_address, v);
        INVALID(eth_checksum, v);
    }
    INVALID(eth_address, "0x0000000000000000000000000000000000000000");
    INVALID(eth_address, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe");
    INVALID(eth_address, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedd");
    INVALID(eth_address, "0X5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
    INVALID(eth_address, "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed00");
    INVALID(eth_address, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg");
    /* A SHA-1 commit hash with 0x in front is shaped like an address;
       only the mixed-case checksum tells them apart. */
    VALID(eth_address, "0xfe02c2e4d1f5a0b3c6e7d8a9b0c1d2e3f4a5b6c7");
    INVALID(eth_checksum, "0xfe02c2e4d1f5a0b3c6e7d8a9b0c1d2e3f4a5b6c7");
}


/* ---- IMEI and VIN ----------------------------------------------------- */

TEST(imei)
{
    /* 3GPP TS 23.003 annex B: IMEI 49015420323751 has check digit 8. */
    VALID(imei, "490154203237518");
    VALID(imei, "49-015420-323751-8");
    VALID(imei, "49 015420 323751 8");
    VALID(imei, "49015420-323751-8");
    VALID(imei, "490154-20-323751-8");
    SUBSTITUTIONS_FAIL(imei, "490154203237518");
    TRUNCATIONS_FAIL(imei, "490154203237518");
    INVALID(imei, "490154203237517");
    INVALID(imei, "49-015420 323751-8"); /* mixed separators */
    INVALID(imei, "4901542032375180");   /* IMEISV: no check digit */
    INVALID(imei, "000000000000000");
    INVALID(imei, "49-015420-3237518");
}

TEST(vin)
{
    /* 49 CFR 565.15's worked check digit (X) and a Honda VIN. */
    VALID(vin, "1M8GDM9AXKP042788");
    VALID(vin, "1HGCM82633A004352");
    VALID(vin, "1hgcm82633a004352");
    SUBSTITUTIONS_FAIL(vin, "1HGCM82633A004352");
    TRUNCATIONS_FAIL(vin, "1HGCM82633A004352");
    INVALID(vin, "1M8GDM9A1KP042788"); /* check digit */
    INVALID(vin, "1M8GDM9AXKP04278O"); /* O never appears */
    INVALID(vin, "1HGCM82633U004352"); /* model year U */
    INVALID(vin, "11111111111111111"); /* a placeholder, no letters */
    /* Shape only (European VINs need not carry the check digit). */
    VALID(vin_shape, "WVWZZZ1JZXW000001");
    VALID(vin_shape, "1M8GDM9A1KP042788");
    INVALID(vin_shape, "WVWZZZ1JZXW00000I");
    INVALID(vin_shape, "WVWZZZ1JZ0W000001");
    INVALID(vin_shape, "WVWZZZ1JZXW00001");
    /* Look-alikes: a 17-character order number and a hex digest prefix. */
    INVALID(vin, "ORD20240315000123");
    INVALID(vin_shape, "ORDER-2024-031500");
}

int main(void)
{
    guard_init();
    RUN(sha256_vectors);
    RUN(keccak256_vectors);
    RUN(hashes_match_openssl);
    RUN(bic);
    RUN(btc_base58);
    RUN(bech32_strings);
    RUN(btc_segwit);
    RUN(btc_segwit_padding);
    RUN(eth);
    RUN(imei);
    RUN(vin);
    printf("%d checks\n", checks);
    TEST_MAIN_END;
}
