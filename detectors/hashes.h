/*
 * The two hash functions the address validators need, written out so that
 * a validator neither allocates nor depends on the OpenSSL build: Keccak-256
 * as Ethereum uses it (the original Keccak padding, which OpenSSL 3.0 does
 * not offer; 3.2 added "KECCAK-256") and SHA-256 for Base58Check.
 */
#ifndef VEIL_DETECTORS_HASHES_H
#define VEIL_DETECTORS_HASHES_H

#include <stddef.h>
#include <stdint.h>

/* veil__keccak_sponge(): the Keccak[c = 1600 - 8 * rate] sponge over <in>,
   with <pad> as the first padding byte (0x01 for Keccak, 0x06 for SHA-3),
   squeezing <out_len> bytes, at most <rate>. <rate> is 1..200 bytes and a
   multiple of 8. */
void veil__keccak_sponge(const void *in, size_t len, size_t rate, uint8_t pad, uint8_t *out,
                         size_t out_len);

/* veil__keccak256(): Keccak-256 (rate 136, pad 0x01). */
void veil__keccak256(const void *in, size_t len, uint8_t out[32]);

/* veil__sha256(): SHA-256 (FIPS 180-4). */
void veil__sha256(const void *in, size_t len, uint8_t out[32]);

#endif
