/*
 * veil__slot_hash(): the hash of the small per-thread caches of values
 * judged before (names.c's probe, text_clear.c's cleared texts): eight
 * bytes a step, a multiply and a shift each (a user agent of 120 bytes
 * costs about 90 cycles). Not for untrusted keys of a table that grows:
 * these tables are direct-mapped and a collision costs only a miss.
 */
#ifndef VEIL_DETECTORS_SLOT_HASH_H
#define VEIL_DETECTORS_SLOT_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t veil__slot_hash(const unsigned char *s, size_t len)
{
    uint64_t h = len * 0x9e3779b97f4a7c15ull;
    size_t k = 0;
    for (; k + 8 <= len; k += 8) {
        uint64_t w;
        memcpy(&w, s + k, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 29;
    }
    if (k < len) {
        uint64_t w = 0;
        memcpy(&w, s + k, len - k);
        h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    }
    return h;
}

#endif
