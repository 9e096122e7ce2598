/*
 * Keccak-f[1600] and SHA-256 (see hashes.h). Both follow their
 * specifications step by step rather than for speed: the inputs are
 * addresses of 25 to 40 bytes.
 */
#include "hashes.h"

#include <string.h>


/* ---- Keccak (FIPS 202, section 3; the Keccak reference, version 3) ---- */

static uint64_t rotl64(uint64_t x, unsigned n)
{
    return n == 0 ? x : (x << n) | (x >> (64 - n));
}

/* Keccak-f[1600]: 24 rounds of theta, rho, pi, chi and iota on 25 lanes,
   lane (x, y) at index x + 5y. */
static void keccak_f1600(uint64_t a[25])
{
    static const uint64_t rc[24] = {
        0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808AULL, 0x8000000080008000ULL,
        0x000000000000808BULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
        0x000000000000008AULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000AULL,
        0x000000008000808BULL, 0x800000000000008BULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
        0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800AULL, 0x800000008000000AULL,
        0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
    };
    /* rho offsets r[x][y], indexed x + 5y (FIPS 202 table 2). */
    static const unsigned rho[25] = {
        0,  1,  62, 28, 27, 36, 44, 6,  55, 20, 3,  10, 43,
        25, 39, 41, 45, 15, 21, 8,  18, 2,  61, 56, 14,
    };
    uint64_t b[25], c[5], d[5];

    for (int round = 0; round < 24; round++) {
        /* theta */
        for (int x = 0; x < 5; x++)
            c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        for (int x = 0; x < 5; x++)
            d[x] = c[(x + 4) % 5] ^ rotl64(c[(x + 1) % 5], 1);
        for (int i = 0; i < 25; i++)
            a[i] ^= d[i % 5];
        /* rho and pi: B[y, 2x + 3y] = rot(A[x, y], r[x, y]) */
        for (int x = 0; x < 5; x++)
            for (int y = 0; y < 5; y++)
                b[y + 5 * ((2 * x + 3 * y) % 5)] = rotl64(a[x + 5 * y], rho[x + 5 * y]);
        /* chi */
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 5; x++)
                a[x + 5 * y] = b[x + 5 * y] ^ (~b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]);
        /* iota */
        a[0] ^= rc[round];
    }
}

/* Lanes hold bytes little-endian (FIPS 202, appendix B.1). */
static void lane_xor_byte(uint64_t a[25], size_t i, uint8_t v)
{
    a[i / 8] ^= (uint64_t)v << (8 * (i % 8));
}

void veil__keccak_sponge(const void *in, size_t len, size_t rate, uint8_t pad, uint8_t *out,
                         size_t out_len)
{
    const uint8_t *p = in;
    uint64_t a[25];

    memset(a, 0, sizeof(a));
    while (len >= rate) {
        for (size_t i = 0; i < rate; i++)
            lane_xor_byte(a, i, p[i]);
        keccak_f1600(a);
        p += rate;
        len -= rate;
    }
    for (size_t i = 0; i < len; i++)
        lane_xor_byte(a, i, p[i]);
    /* pad10*1: the domain bits and the first 1, then the last 1. */
    lane_xor_byte(a, len, pad);
    lane_xor_byte(a, rate - 1, 0x80);
    keccak_f1600(a);
    for (size_t i = 0; i < out_len && i < rate; i++)
        out[i] = (uint8_t)(a[i / 8] >> (8 * (i % 8)));
}

void veil__keccak256(const void *in, size_t len, uint8_t out[32])
{
    veil__keccak_sponge(in, len, 136, 0x01, out, 32);
}


/* ---- SHA-256 (FIPS 180-4, sections 4.1.2, 5.1.1, 6.2) ----------------- */

static uint32_t rotr32(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32 - n));
}

static void sha256_block(uint32_t h[8], const uint8_t *blk)
{
    static const uint32_t k[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    };
    uint32_t w[64], v[8];

    for (int t = 0; t < 16; t++)
        w[t] = (uint32_t)blk[4 * t] << 24 | (uint32_t)blk[4 * t + 1] << 16 |
               (uint32_t)blk[4 * t + 2] << 8 | blk[4 * t + 3];
    for (int t = 16; t < 64; t++) {
        uint32_t s0 = rotr32(w[t - 15], 7) ^ rotr32(w[t - 15], 18) ^ (w[t - 15] >> 3);
        uint32_t s1 = rotr32(w[t - 2], 17) ^ rotr32(w[t - 2], 19) ^ (w[t - 2] >> 10);

        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    memcpy(v, h, sizeof(v));
    for (int t = 0; t < 64; t++) {
        uint32_t e = v[4], a = v[0];
        uint32_t t1 = v[7] + (rotr32(e, 6) ^ rotr32(e, 11) ^ rotr32(e, 25)) +
                      ((e & v[5]) ^ (~e & v[6])) + k[t] + w[t];
        uint32_t t2 = (rotr32(a, 2) ^ rotr32(a, 13) ^ rotr32(a, 22)) +
                      ((a & v[1]) ^ (a & v[2]) ^ (v[1] & v[2]));

        memmove(v + 1, v, 7 * sizeof(v[0]));
        v[4] += t1;
        v[0] = t1 + t2;
    }
    for (int i = 0; i < 8; i++)
        h[i] += v[i];
}

void veil__sha256(const void *in, size_t len, uint8_t out[32])
{
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    const uint8_t *p = in;
    uint8_t last[128];
    size_t rest, tail;
    uint64_t bits = (uint64_t)len * 8;

    while (len >= 64) {
        sha256_block(h, p);
        p += 64;
        len -= 64;
    }
    /* The message, a 1 bit, zeros, and the length in bits, big-endian. */
    rest = len;
    tail = rest < 56 ? 64 : 128;
    memset(last, 0, sizeof(last));
    memcpy(last, p, rest);
    last[rest] = 0x80;
    for (int i = 0; i < 8; i++)
        last[tail - 1 - i] = (uint8_t)(bits >> (8 * i));
    sha256_block(h, last);
    if (tail == 128)
        sha256_block(h, last + 64);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(h[i] >> 8);
        out[4 * i + 3] = (uint8_t)h[i];
    }
}
