/*
 * Fuzz target: every checksum and structure validator (detectors/
 * validators*.c), on untrusted candidate text.
 *
 * Input: byte 0 picks the validator (index into veil__validator_names(),
 * modulo their count), the rest is the candidate, copied to a buffer of
 * exactly its size so that a read past <len> is an ASan report.
 * Invariants:
 *   - a validator returns 0 or 1, and the same answer twice;
 *   - implications between validators hold: an EIP-55 checksummed address
 *     is an address, a VIN with its check digit has the VIN shape, a card
 *     number passes Luhn.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "validators.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond)
{
    if (!cond)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *const *names = veil__validator_names();
    size_t count = 0, len;
    veil__validator_fn fn;
    char *s;
    int r;

    if (size < 1)
        return 0;
    while (names[count] != NULL)
        count++;
    fn = veil__validator_find(names[data[0] % count]);
    require(fn != NULL);
    len = size - 1;
    s = malloc(len ? len : 1);
    require(s != NULL);
    memcpy(s, data + 1, len);
    r = fn(s, len);
    require(r == 0 || r == 1);
    require(fn(s, len) == r);
    if (veil__valid_eth_checksum(s, len))
        require(veil__valid_eth_address(s, len));
    if (veil__valid_vin(s, len))
        require(veil__valid_vin_shape(s, len));
    (void)veil__bech32_kind(s, len);
    free(s);
    return 0;
}
