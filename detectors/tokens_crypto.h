/*
 * The cryptographic building blocks of reversible tokens, each checked
 * against published test vectors (tests/unit/test_tokens_crypto.c):
 *   - HKDF-SHA256 (RFC 5869) for per-purpose subkeys of a key slot;
 *   - AES-SIV (RFC 5297) through OpenSSL 3's EVP ("AES-128-SIV" takes a
 *     256-bit key, "AES-256-SIV" a 512-bit one: the name is the strength
 *     of each half);
 *   - FF1 (NIST SP 800-38G) over AES, written here: OpenSSL has no FPE,
 *     only the AES-ECB block the PRF is built from.
 * Nothing here allocates on the heap except OpenSSL's contexts; every
 * buffer that held key material or plaintext is wiped before return.
 */
#ifndef VEIL_DETECTORS_TOKENS_CRYPTO_H
#define VEIL_DETECTORS_TOKENS_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

/* veil__hkdf_sha256(): RFC 5869 extract-and-expand into <out> (<outlen>
   bytes, at most 255 * 32). Returns 0 or -EINVAL. */
int veil__hkdf_sha256(const unsigned char *ikm, size_t ikmlen, const unsigned char *salt,
                      size_t saltlen, const unsigned char *info, size_t infolen, unsigned char *out,
                      size_t outlen);

/* One associated-data component of S2V (RFC 5297 section 2.4). */
typedef struct {
    const void *p;
    size_t len;
} veil__siv_ad_t;

#define VEIL__SIV_TAG 16

/*
 * veil__siv_encrypt(): AES-SIV with a <keylen>-byte key (32: AES-128-SIV,
 * 64: AES-256-SIV) over <nad> associated-data components and the <len>
 * bytes of <pt>; writes V || C (16 + <len> bytes) into <out>.
 * veil__siv_decrypt(): the reverse for <inlen> >= 16 bytes of V || C into
 * <pt> (<inlen> - 16 bytes). Returns 0, or -EBADMSG when the tag does not
 * authenticate (nothing usable is left in <pt>), or -EINVAL.
 */
int veil__siv_encrypt(const unsigned char *key, size_t keylen, const veil__siv_ad_t *ad, size_t nad,
                      const unsigned char *pt, size_t len, unsigned char *out);
int veil__siv_decrypt(const unsigned char *key, size_t keylen, const veil__siv_ad_t *ad, size_t nad,
                      const unsigned char *in, size_t inlen, unsigned char *pt);

/* FF1 limits of this implementation: radix 2..VEIL__FF1_MAX_RADIX, at
   most VEIL__FF1_MAX_LEN numerals, a tweak of at most
   VEIL__FF1_MAX_TWEAK bytes. */
#define VEIL__FF1_MAX_RADIX 65536u
#define VEIL__FF1_MAX_LEN 256u
#define VEIL__FF1_MAX_TWEAK 256u
/* The domain rule of SP 800-38G Rev. 1: radix^len >= 1,000,000. */
#define VEIL__FF1_MIN_DOMAIN 1000000u

/* veil__ff1_domain_ok(): 1 when <radix>^<len> >= 1,000,000 and the
   other limits above hold, else 0. */
int veil__ff1_domain_ok(unsigned radix, size_t len);

/*
 * veil__ff1_encrypt() / veil__ff1_decrypt(): FF1 with AES under the
 * <keylen>-byte key (16, 24 or 32), tweak <tweak> (<tlen> bytes), over
 * <n> numerals (values 0..radix-1) from <in> into <out> (may be <in>).
 * Returns 0, or -EINVAL (a numeral out of range, a limit or the domain
 * rule broken: radix^n < 1,000,000 is refused, not weakly encrypted).
 */
int veil__ff1_encrypt(const unsigned char *key, size_t keylen, unsigned radix,
                      const unsigned char *tweak, size_t tlen, const uint16_t *in, uint16_t *out,
                      size_t n);
int veil__ff1_decrypt(const unsigned char *key, size_t keylen, unsigned radix,
                      const unsigned char *tweak, size_t tlen, const uint16_t *in, uint16_t *out,
                      size_t n);

#endif
