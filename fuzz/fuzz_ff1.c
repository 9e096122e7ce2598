/*
 * Fuzz target for FF1 (detectors/tokens_crypto.c): the input chooses the
 * key size, radix (2..62 and a few larger ones), length, tweak and
 * numerals.
 *
 * Invariants: a string the domain rule allows (radix^n >= 1,000,000)
 * encrypts to numerals of the same radix and decrypts back to itself; a
 * string it does not allow is refused by both directions; encryption is
 * deterministic and the tweak is part of the key schedule (another tweak,
 * another ciphertext, for domains large enough that a collision is
 * negligible).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokens_crypto.h"

#define FUZZ_ASSERT(cond)                                                                \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                     \
        }                                                                                \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned big[] = {100, 256, 1000, 65536};
    static const size_t keylens[] = {16, 24, 32, 32};
    unsigned char key[32];
    uint16_t x[VEIL__FF1_MAX_LEN], y[VEIL__FF1_MAX_LEN], z[VEIL__FF1_MAX_LEN];
    unsigned radix;
    size_t n, tlen, keylen;
    const unsigned char *tweak;

    if (size < 4) {
        return 0;
    }
    keylen = keylens[data[0] & 3];
    radix = (data[0] & 4) ? big[(data[0] >> 3) & 3] : 2u + data[1] % 61u;
    /* Mostly the lengths tokens use; now and then the longest ones and
       just past the limit. */
    n = (data[1] & 0x80) && (data[0] & 0xf8) == 0xf8 ? VEIL__FF1_MAX_LEN - 8 + data[2] % 16
                                                     : data[2] % 72;
    tlen = data[3] % 32;
    data += 4;
    size -= 4;
    if (tlen > size) {
        tlen = size;
    }
    tweak = data;
    data += tlen;
    size -= tlen;
    for (size_t k = 0; k < 32; k++) {
        key[k] = (unsigned char)(k * 37 + 11);
    }
    for (size_t k = 0; k < n && k < VEIL__FF1_MAX_LEN; k++) {
        unsigned v = size ? data[k % size] : (unsigned)k;
        if (radix > 256 && size > 1) {
            v = v << 8 | data[(k + 1) % size];
        }
        x[k] = (uint16_t)(v % radix);
    }
    int ok = veil__ff1_domain_ok(radix, n);
    int rc = veil__ff1_encrypt(key, keylen, radix, tweak, tlen, x, y, n);
    if (!ok) {
        FUZZ_ASSERT(rc != 0);
        FUZZ_ASSERT(veil__ff1_decrypt(key, keylen, radix, tweak, tlen, x, y, n) != 0);
        return 0;
    }
    FUZZ_ASSERT(rc == 0);
    for (size_t k = 0; k < n; k++) {
        FUZZ_ASSERT(y[k] < radix);
    }
    FUZZ_ASSERT(veil__ff1_decrypt(key, keylen, radix, tweak, tlen, y, z, n) == 0);
    FUZZ_ASSERT(memcmp(x, z, n * sizeof(*x)) == 0);
    FUZZ_ASSERT(veil__ff1_encrypt(key, keylen, radix, tweak, tlen, x, z, n) == 0);
    FUZZ_ASSERT(memcmp(y, z, n * sizeof(*y)) == 0);
    /* A domain of at least 2^40: another tweak colliding is negligible. */
    int large = n >= 40 || (radix >= 10 && n >= 13) || (radix >= 62 && n >= 7);
    if (large) {
        unsigned char t2[40];
        memcpy(t2, tweak, tlen);
        t2[tlen] = 0x5a;
        FUZZ_ASSERT(veil__ff1_encrypt(key, keylen, radix, t2, tlen + 1, x, z, n) == 0);
        FUZZ_ASSERT(memcmp(y, z, n * sizeof(*y)) != 0);
    }
    return 0;
}
