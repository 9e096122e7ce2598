/*
 * Unit tests for the token cryptography (detectors/tokens_crypto.c)
 * against published vectors, copied as data:
 *   - FF1: the nine samples of NIST's "FF1samples.pdf" (CSRC, Cryptographic
 *     Standards and Guidelines, examples for SP 800-38G): AES-128/192/256,
 *     radix 10 and 36, with and without a tweak;
 *   - AES-SIV: RFC 5297 Appendix A.1 and A.2 (256-bit keys, OpenSSL's
 *     "AES-128-SIV"), and for 512-bit keys ("AES-256-SIV", what tokens
 *     use) the two "NIST SIV test vectors (256-bit subkeys)" of the
 *     miscreant project's vectors/aes_siv.tjson;
 *   - HKDF-SHA256: RFC 5869 Appendix A.1 (test case 1).
 * Then properties: FF1 round trips over radix 2..62 and many lengths, the
 * domain rule, and SIV refusing a changed tag, ciphertext or AD.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "tokens_crypto.h"

static size_t unhex(const char *h, unsigned char *out)
{
    size_t n = 0;
    for (; h[0] && h[1]; h += 2) {
        unsigned v;
        sscanf(h, "%2x", &v);
        out[n++] = (unsigned char)v;
    }
    return n;
}

static void tohex(const unsigned char *p, size_t n, char *out)
{
    for (size_t k = 0; k < n; k++) {
        sprintf(out + 2 * k, "%02x", p[k]);
    }
    out[2 * n] = '\0';
}

static const char digits36[] = "0123456789abcdefghijklmnopqrstuvwxyz";

static void to_numerals(const char *s, uint16_t *out)
{
    for (size_t k = 0; s[k]; k++) {
        out[k] = (uint16_t)(strchr(digits36, s[k]) - digits36);
    }
}

static void from_numerals(const uint16_t *in, size_t n, char *out)
{
    for (size_t k = 0; k < n; k++) {
        out[k] = digits36[in[k]];
    }
    out[n] = '\0';
}

/* NIST FF1samples.pdf, samples 1-9. */
static const struct {
    const char *key, *tweak;
    unsigned radix;
    const char *pt, *ct;
} ff1_samples[] = {
    {"2B7E151628AED2A6ABF7158809CF4F3C", "", 10, "0123456789", "2433477484"},
    {"2B7E151628AED2A6ABF7158809CF4F3C", "39383736353433323130", 10, "0123456789", "6124200773"},
    {"2B7E151628AED2A6ABF7158809CF4F3C", "3737373770717273373737", 36, "0123456789abcdefghi",
     "a9tv40mll9kdu509eum"},
    {"2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F", "", 10, "0123456789", "2830668132"},
    {"2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F", "39383736353433323130", 10, "0123456789",
     "2496655549"},
    {"2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F", "3737373770717273373737", 36,
     "0123456789abcdefghi", "xbj3kv35jrawxv32ysr"},
    {"2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F7F036D6F04FC6A94", "", 10, "0123456789",
     "6657667009"},
    {"2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F7F036D6F04FC6A94", "39383736353433323130", 10,
     "0123456789", "1001623463"},
    {"2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F7F036D6F04FC6A94", "3737373770717273373737",
     36, "0123456789abcdefghi", "xs8a0azh2avyalyzuwd"},
};

TEST(ff1_nist_samples)
{
    for (size_t i = 0; i < sizeof(ff1_samples) / sizeof(ff1_samples[0]); i++) {
        unsigned char key[32], tweak[16];
        uint16_t in[32], out[32], back[32];
        char got[40];
        size_t kl = unhex(ff1_samples[i].key, key), tl = unhex(ff1_samples[i].tweak, tweak);
        size_t n = strlen(ff1_samples[i].pt);

        to_numerals(ff1_samples[i].pt, in);
        CHECK_EQ(veil__ff1_encrypt(key, kl, ff1_samples[i].radix, tweak, tl, in, out, n), 0);
        from_numerals(out, n, got);
        CHECK_STR(got, ff1_samples[i].ct);
        CHECK_EQ(veil__ff1_decrypt(key, kl, ff1_samples[i].radix, tweak, tl, out, back, n), 0);
        from_numerals(back, n, got);
        CHECK_STR(got, ff1_samples[i].pt);
    }
}

TEST(ff1_in_place)
{
    unsigned char key[32];
    uint16_t x[10];
    char got[16];
    size_t kl = unhex(ff1_samples[6].key, key);
    to_numerals("0123456789", x);
    CHECK_EQ(veil__ff1_encrypt(key, kl, 10, NULL, 0, x, x, 10), 0);
    from_numerals(x, 10, got);
    CHECK_STR(got, "6657667009");
}

TEST(ff1_domain_rule)
{
    unsigned char key[32] = {1};
    uint16_t x[40] = {0}, y[40];
    /* 10^6 is the smallest allowed domain; 10^5 and 62^3 are refused. */
    CHECK_EQ(veil__ff1_domain_ok(10, 6), 1);
    CHECK_EQ(veil__ff1_domain_ok(10, 5), 0);
    CHECK_EQ(veil__ff1_domain_ok(62, 4), 1);
    CHECK_EQ(veil__ff1_domain_ok(62, 3), 0);
    CHECK_EQ(veil__ff1_domain_ok(2, 20), 1);
    CHECK_EQ(veil__ff1_domain_ok(2, 19), 0);
    CHECK_EQ(veil__ff1_domain_ok(26, 5), 1);
    CHECK_EQ(veil__ff1_domain_ok(26, 4), 0);
    CHECK_EQ(veil__ff1_domain_ok(1, 40), 0);
    CHECK_EQ(veil__ff1_domain_ok(10, VEIL__FF1_MAX_LEN + 1), 0);
    CHECK_EQ(veil__ff1_encrypt(key, 32, 10, NULL, 0, x, y, 5), -EINVAL);
    CHECK_EQ(veil__ff1_decrypt(key, 32, 10, NULL, 0, x, y, 5), -EINVAL);
    CHECK_EQ(veil__ff1_encrypt(key, 32, 10, NULL, 0, x, y, 6), 0);
    /* a numeral out of range, a bad key length */
    x[3] = 10;
    CHECK_EQ(veil__ff1_encrypt(key, 32, 10, NULL, 0, x, y, 8), -EINVAL);
    x[3] = 0;
    CHECK_EQ(veil__ff1_encrypt(key, 20, 10, NULL, 0, x, y, 8), -EINVAL);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

TEST(ff1_round_trips)
{
    unsigned char key[32], tweak[40];
    uint16_t x[VEIL__FF1_MAX_LEN], y[VEIL__FF1_MAX_LEN], z[VEIL__FF1_MAX_LEN];
    unsigned ok = 0, changed = 0;

    for (int k = 0; k < 32; k++) {
        key[k] = (unsigned char)rnd();
    }
    for (unsigned radix = 2; radix <= 62; radix++) {
        for (size_t n = 2; n <= 70; n += 1 + n / 8) {
            if (!veil__ff1_domain_ok(radix, n)) {
                continue;
            }
            size_t tl = rnd() % sizeof(tweak);
            for (size_t k = 0; k < tl; k++) {
                tweak[k] = (unsigned char)rnd();
            }
            for (size_t k = 0; k < n; k++) {
                x[k] = (uint16_t)(rnd() % radix);
            }
            CHECK_EQ(veil__ff1_encrypt(key, 32, radix, tweak, tl, x, y, n), 0);
            for (size_t k = 0; k < n; k++) {
                CHECK(y[k] < radix);
            }
            changed += memcmp(x, y, n * sizeof(*x)) != 0;
            CHECK_EQ(veil__ff1_decrypt(key, 32, radix, tweak, tl, y, z, n), 0);
            CHECK(memcmp(x, z, n * sizeof(*x)) == 0);
            ok++;
        }
    }
    /* The longest strings, and the largest radix NIST allows. */
    for (size_t k = 0; k < VEIL__FF1_MAX_LEN; k++) {
        x[k] = (uint16_t)(rnd() % 65536);
    }
    CHECK_EQ(veil__ff1_encrypt(key, 32, 65536, NULL, 0, x, y, VEIL__FF1_MAX_LEN), 0);
    CHECK_EQ(veil__ff1_decrypt(key, 32, 65536, NULL, 0, y, z, VEIL__FF1_MAX_LEN), 0);
    CHECK(memcmp(x, z, sizeof(x)) == 0);
    CHECK(ok > 1000);
    CHECK(changed == ok);
}

TEST(ff1_tweak_and_key_matter)
{
    unsigned char key[32] = {7}, key2[32] = {8};
    uint16_t x[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6}, a[16], b[16], c[16];
    CHECK_EQ(veil__ff1_encrypt(key, 32, 10, (const unsigned char *)"a", 1, x, a, 16), 0);
    CHECK_EQ(veil__ff1_encrypt(key, 32, 10, (const unsigned char *)"b", 1, x, b, 16), 0);
    CHECK_EQ(veil__ff1_encrypt(key2, 32, 10, (const unsigned char *)"a", 1, x, c, 16), 0);
    CHECK(memcmp(a, b, sizeof(a)) != 0);
    CHECK(memcmp(a, c, sizeof(a)) != 0);
}

/* RFC 5297 A.1 and A.2, then miscreant's 512-bit-key vectors. */
static const struct {
    const char *key;
    const char *ad[3];
    const char *pt, *ct;
} siv_vectors[] = {
    {"fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
     {"101112131415161718191a1b1c1d1e1f2021222324252627"},
     "112233445566778899aabbccddee",
     "85632d07c6e8f37f950acd320a2ecc9340c02b9690c4dc04daef7f6afe5c"},
    {"7f7e7d7c7b7a79787776757473727170404142434445464748494a4b4c4d4e4f",
     {"00112233445566778899aabbccddeeffdeaddadadeaddadaffeeddccbbaa99887766554433221100",
      "102030405060708090a0", "09f911029d74e35bd84156c5635688c0"},
     "7468697320697320736f6d6520706c61696e7465787420746f20656e6372797074207573696e67205349562d"
     "414553",
     "7bdb6e3b432667eb06f4d14bff2fbd0fcb900f2fddbe404326601965c889bf17dba77ceb094fa663b7a3f748"
     "ba8af829ea64ad544a272e9c485b62a3fd5c0d"},
    {"fffefdfcfbfaf9f8f7f6f5f4f3f2f1f06f6e6d6c6b6a69686766656463626160f0f1f2f3f4f5f6f7f8f9fafbfc"
     "fdfeff000102030405060708090a0b0c0d0e0f",
     {"101112131415161718191a1b1c1d1e1f2021222324252627"},
     "112233445566778899aabbccddee",
     "f125274c598065cfc26b0e71575029088b035217e380cac8919ee800c126"},
    {"7f7e7d7c7b7a797877767574737271706f6e6d6c6b6a69686766656463626160404142434445464748494a4b4c"
     "4d4e4f505152535455565758595a5b5b5d5e5f",
     {"00112233445566778899aabbccddeeffdeaddadadeaddadaffeeddccbbaa99887766554433221100",
      "102030405060708090a0", "09f911029d74e35bd84156c5635688c0"},
     "7468697320697320736f6d6520706c61696e7465787420746f20656e6372797074207573696e67205349562d"
     "414553",
     "85b8167310038db7dc4692c0281ca35868181b2762f3c24f2efa5fb80cb143516ce6c434b898a6fd8eb98a41"
     "8842f51f66fc67de43ac185a66dd72475bbb08"},
};

TEST(siv_vectors)
{
    for (size_t i = 0; i < sizeof(siv_vectors) / sizeof(siv_vectors[0]); i++) {
        unsigned char key[64], adb[3][64], pt[64], out[96], back[64];
        char hex[200];
        veil__siv_ad_t ad[3];
        size_t nad = 0, kl = unhex(siv_vectors[i].key, key);
        size_t pl = unhex(siv_vectors[i].pt, pt);
        for (; nad < 3 && siv_vectors[i].ad[nad]; nad++) {
            ad[nad].p = adb[nad];
            ad[nad].len = unhex(siv_vectors[i].ad[nad], adb[nad]);
        }
        CHECK_EQ(veil__siv_encrypt(key, kl, ad, nad, pt, pl, out), 0);
        tohex(out, pl + 16, hex);
        CHECK_STR(hex, siv_vectors[i].ct);
        CHECK_EQ(veil__siv_decrypt(key, kl, ad, nad, out, pl + 16, back), 0);
        CHECK(memcmp(back, pt, pl) == 0);
        /* Any changed bit of tag, ciphertext or AD is refused, and no
           plaintext is left behind. */
        out[0] ^= 1;
        memset(back, 0x55, sizeof(back));
        CHECK_EQ(veil__siv_decrypt(key, kl, ad, nad, out, pl + 16, back), -EBADMSG);
        CHECK(memcmp(back, pt, pl) != 0);
        out[0] ^= 1;
        out[pl + 15] ^= 0x80;
        CHECK_EQ(veil__siv_decrypt(key, kl, ad, nad, out, pl + 16, back), -EBADMSG);
        out[pl + 15] ^= 0x80;
        adb[0][0] ^= 1;
        CHECK_EQ(veil__siv_decrypt(key, kl, ad, nad, out, pl + 16, back), -EBADMSG);
        adb[0][0] ^= 1;
        /* The AD is a list: one component split in two is another list. */
        if (nad == 1 && ad[0].len > 2) {
            veil__siv_ad_t two[2] = {{adb[0], 2}, {adb[0] + 2, ad[0].len - 2}};
            CHECK_EQ(veil__siv_decrypt(key, kl, two, 2, out, pl + 16, back), -EBADMSG);
        }
    }
}

TEST(siv_bad_arguments)
{
    unsigned char key[48] = {0}, out[32], pt[4] = {0};
    CHECK_EQ(veil__siv_encrypt(key, 48, NULL, 0, pt, 4, out), -EINVAL);
    CHECK_EQ(veil__siv_decrypt(key, 32, NULL, 0, out, 15, pt), -EINVAL);
}

TEST(hkdf_rfc5869_case1)
{
    unsigned char ikm[22], salt[13], info[10], okm[42];
    char hex[100];
    memset(ikm, 0x0b, sizeof(ikm));
    unhex("000102030405060708090a0b0c", salt);
    unhex("f0f1f2f3f4f5f6f7f8f9", info);
    CHECK_EQ(veil__hkdf_sha256(ikm, sizeof(ikm), salt, sizeof(salt), info, sizeof(info), okm,
                               sizeof(okm)),
             0);
    tohex(okm, sizeof(okm), hex);
    CHECK_STR(hex, "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b8"
                   "87185865");
    CHECK_EQ(veil__hkdf_sha256(ikm, sizeof(ikm), salt, sizeof(salt), info, sizeof(info), okm, 0),
             -EINVAL);
}

int main(void)
{
    RUN(ff1_nist_samples);
    RUN(ff1_in_place);
    RUN(ff1_domain_rule);
    RUN(ff1_round_trips);
    RUN(ff1_tweak_and_key_matter);
    RUN(siv_vectors);
    RUN(siv_bad_arguments);
    RUN(hkdf_rfc5869_case1);
    TEST_MAIN_END;
}
