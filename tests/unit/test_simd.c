/*
 * The SIMD dispatch (detectors/simd.h): levels are lowered to what the CPU
 * has, the reference is always there, every level has its kernels, and
 * the levels agree on the trigger bytes of every byte value. (Every engine
 * test runs its cases on every level through engine_harness.h.)
 */
#include "test.h"

#include <stdlib.h>

#include "simd.h"

#define NLEVELS VEIL_SIMD__LEVELS

/* The kernels of every level this CPU has, scalar first; NULL for the
   others. */
static void cpu_levels(const veil__kernels_t *levels[NLEVELS])
{
    levels[0] = &veil__kernels_scalar;
    levels[1] = levels[2] = levels[3] = NULL;
#if defined(__x86_64__)
    if (veil__simd_best() >= VEIL_SIMD_SSE) {
        levels[1] = &veil__kernels_sse;
    }
    if (veil__simd_best() >= VEIL_SIMD_AVX2) {
        levels[2] = &veil__kernels_avx2;
    }
    if (veil__simd_best() >= VEIL_SIMD_AVX512) {
        levels[3] = &veil__kernels_avx512;
    }
#endif
}

/* The index of the 64 bytes at <p> as a stream's first block, on level
   <k>; 0 when the CPU lacks that level. */
static int first_block(const veil__kernels_t *k, const unsigned char *p, veil__jblock_t *out)
{
    veil__jcarry_t carry = {0, 0};
    if (k == NULL) {
        return 0;
    }
    k->json_block(p, &carry, out);
    return 1;
}

TEST(select_clamps_to_the_cpu)
{
    int best = veil__simd_best();
    CHECK(best >= VEIL_SIMD_SCALAR && best <= VEIL_SIMD_AVX512);
    CHECK_EQ(veil__simd_select(VEIL_SIMD_SCALAR), VEIL_SIMD_SCALAR);
    CHECK_EQ(veil__simd_level(), VEIL_SIMD_SCALAR);
    CHECK_EQ(veil__simd_select(VEIL_SIMD_REFERENCE), VEIL_SIMD_REFERENCE);
    CHECK_EQ(veil__simd_select(VEIL_SIMD_AVX512), best);
    CHECK_EQ(veil__simd_select(VEIL_SIMD_AVX2), best < VEIL_SIMD_AVX2 ? best : VEIL_SIMD_AVX2);
    CHECK_EQ(veil__simd_select(-7), VEIL_SIMD_SCALAR);
    CHECK_EQ(veil__simd_select(99), best);
    veil__simd_select(best);
}

TEST(every_level_has_its_kernels)
{
    int reference = -1;
    for (int level = VEIL_SIMD_SCALAR; level <= VEIL_SIMD_REFERENCE; level++) {
        int got = veil__simd_select(level);
        const veil__kernels_t *k = veil__simd_kernels(&reference);
        CHECK(k != NULL && k->text_scan != NULL && k->has_trigger != NULL);
        CHECK_EQ(reference, level == VEIL_SIMD_REFERENCE);
        CHECK_EQ(k->level, got == VEIL_SIMD_REFERENCE ? veil__simd_best() : got);
    }
    CHECK_STR(veil__simd_name(VEIL_SIMD_SCALAR), "scalar");
    CHECK_STR(veil__simd_name(VEIL_SIMD_SSE), "sse");
    CHECK_STR(veil__simd_name(VEIL_SIMD_AVX2), "avx2");
    CHECK_STR(veil__simd_name(VEIL_SIMD_AVX512), "avx512");
    CHECK_STR(veil__simd_name(VEIL_SIMD_REFERENCE), "reference");
    veil__simd_select(veil__simd_best());
}

/* Each byte value alone, and at every position of a 100-byte buffer (the
   vector loops' blocks and tails): every level says the same. */
TEST(levels_agree_on_trigger_bytes)
{
    const veil__kernels_t *levels[NLEVELS];
    cpu_levels(levels);
    unsigned char buf[100];
    int triggers = 0;
    for (int c = 0; c < 256; c++) {
        for (size_t at = 0; at < sizeof(buf); at += 33) {
            memset(buf, 'x', sizeof(buf));
            buf[at] = (unsigned char)c;
            int want = levels[0]->has_trigger(buf, sizeof(buf));
            triggers += want && at == 0;
            for (int l = 1; l < NLEVELS; l++) {
                if (levels[l] != NULL) {
                    CHECK_EQ(levels[l]->has_trigger(buf, sizeof(buf)), want);
                }
            }
        }
    }
    /* digits and ":=@ABJ%-_", and 0xEF (full-width digits) */
    CHECK_EQ(triggers, 20);
}

/* The JSON index of a buffer, block by block from a clean start, against
   a byte-by-byte walk of the same rules: a quote toggles the string state
   unless escaped; inside a string a backslash escapes the next byte. (The
   index also escapes after backslashes outside strings, where the walker
   never asks: the reference does too.) */
static void index_reference(const unsigned char *p, size_t n, uint64_t *quote, uint64_t *instr)
{
    int in = 0, esc = 0;
    for (size_t k = 0; k < n; k++) {
        uint64_t bit = 1ull << (k % 64);
        if (k % 64 == 0) {
            quote[k / 64] = instr[k / 64] = 0;
        }
        if (esc) {
            esc = 0;
        } else if (p[k] == '\\') {
            esc = 1;
        } else if (p[k] == '"') {
            in = !in;
            quote[k / 64] |= bit;
        }
        /* from an opening quote (included) to its closing one (excluded) */
        if (in) {
            instr[k / 64] |= bit;
        }
    }
}

/* The index's nsp mask: every byte value, alone at each position of a
   block, is in it exactly when names.c's probe counts it as a space
   (' ', '+', '%', '\\', '\t'..'\r', C2..FF). */
TEST(json_index_names_space_bytes)
{
    const veil__kernels_t *levels[NLEVELS];
    cpu_levels(levels);
    unsigned char buf[64];
    for (int c = 0; c < 256; c++) {
        int want =
            c == ' ' || c == '+' || c == '%' || c == '\\' || (c >= '\t' && c <= '\r') || c >= 0xC2;
        /* a capital or a byte >= 0x80 counts after gap punctuation, and
           a block's first byte as after one */
        int after_gap = (c >= 'A' && c <= 'Z') || c >= 0x80 || c == '%';
        for (size_t at = 0; at < sizeof(buf); at += 21) {
            memset(buf, 'x', sizeof(buf));
            buf[at] = (unsigned char)c;
            for (int l = 0; l < NLEVELS; l++) {
                veil__jblock_t out;
                if (!first_block(levels[l], buf, &out)) {
                    continue;
                }
                CHECK_EQ(out.nsp, want || (at == 0 && after_gap) ? 1ull << at : 0);
                int head =
                    (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '%' || c >= 0x80;
                CHECK_EQ(out.head, head ? 1ull << at : 0);
            }
        }
    }
}

/* Gap punctuation then a capital ("Regards,!Jane"): the capital is in
   nsp on every level, a lower-case letter or a digit is not. */
TEST(json_index_gap_punctuation)
{
    const veil__kernels_t *levels[NLEVELS];
    cpu_levels(levels);
    static const char punct[] = ",:!.;-";
    static const char after[] = "JaZ9\xc3";
    unsigned char buf[64];
    for (const char *p = punct; *p; p++) {
        for (const char *a = after; *a; a++) {
            int want = *a == 'J' || *a == 'Z' || (unsigned char)*a == 0xC3;
            memset(buf, 'x', sizeof(buf));
            buf[30] = (unsigned char)*p;
            buf[31] = (unsigned char)*a;
            for (int l = 0; l < NLEVELS; l++) {
                veil__jblock_t out;
                if (first_block(levels[l], buf, &out)) {
                    CHECK_EQ(out.nsp, (want || (unsigned char)*a >= 0xC2) ? 1ull << 31 : 0);
                }
            }
        }
    }
}

TEST(json_index_matches_a_byte_walk)
{
    static const char alphabet[] = "\"\\\\a :{}x";
    const veil__kernels_t *levels[NLEVELS];
    cpu_levels(levels);
    uint32_t r = 12345;
    unsigned char buf[64 * 6];
    for (int round = 0; round < 3000; round++) {
        /* mostly runs of one byte: long backslash runs across blocks */
        for (size_t k = 0; k < sizeof(buf);) {
            r = r * 1103515245u + 12345u;
            unsigned char c = (unsigned char)alphabet[(r >> 16) % (sizeof(alphabet) - 1)];
            size_t run = 1 + ((r >> 8) % (round % 3 == 0 ? 70 : 3));
            for (size_t j = 0; j < run && k < sizeof(buf); j++) {
                buf[k++] = c;
            }
        }
        uint64_t q[6], in[6];
        index_reference(buf, sizeof(buf), q, in);
        for (int l = 0; l < NLEVELS; l++) {
            if (levels[l] == NULL) {
                continue;
            }
            veil__jcarry_t c = {0, 0};
            for (int b = 0; b < 6; b++) {
                veil__jblock_t out;
                levels[l]->json_block(buf + 64 * b, &c, &out);
                CHECK_EQ(out.quote, q[b]);
                CHECK_EQ(out.instr, in[b]);
            }
        }
    }
}

/* Every field of the JSON index (the quotes and strings, and the class
   masks the walker and the text layer's shortcuts read: whitespace,
   backslashes, triggers, digits, alphanumerics, lower case, separators,
   joiners, nsp, head) is the same on every level as on the scalar one,
   for buffers of every byte value and of JSON's own bytes, block after
   block with the carry handed on. */
TEST(json_index_levels_agree)
{
    static const char alphabet[] = "\"\\\\ \t\r\n:{}[],.-+/_=@%AZaz09!;#()\xc2\xc3\xef\x80\xff";
    const veil__kernels_t *levels[NLEVELS];
    cpu_levels(levels);
    uint32_t r = 4242;
    unsigned char buf[64 * 4];
    for (int round = 0; round < 4000; round++) {
        for (size_t k = 0; k < sizeof(buf); k++) {
            r = r * 1103515245u + 12345u;
            buf[k] = round % 2 == 0 ? (unsigned char)(r >> 16)
                                    : (unsigned char)alphabet[(r >> 16) % (sizeof(alphabet) - 1)];
        }
        veil__jcarry_t c[NLEVELS];
        memset(c, 0, sizeof(c));
        for (int b = 0; b < 4; b++) {
            veil__jblock_t want;
            levels[0]->json_block(buf + 64 * b, &c[0], &want);
            for (int l = 1; l < NLEVELS; l++) {
                if (levels[l] == NULL) {
                    continue;
                }
                veil__jblock_t got;
                levels[l]->json_block(buf + 64 * b, &c[l], &got);
                CHECK_EQ(got.quote, want.quote);
                CHECK_EQ(got.bs, want.bs);
                CHECK_EQ(got.instr, want.instr);
                CHECK_EQ(got.ws, want.ws);
                CHECK_EQ(got.nsp, want.nsp);
                CHECK_EQ(got.head, want.head);
                CHECK_EQ(got.trig, want.trig);
                CHECK_EQ(got.dig, want.dig);
                CHECK_EQ(got.aln, want.aln);
                CHECK_EQ(got.low, want.low);
                CHECK_EQ(got.sep, want.sep);
                CHECK_EQ(got.join, want.join);
                CHECK_EQ(c[l].escaped, c[0].escaped);
                CHECK_EQ(c[l].instr, c[0].instr);
            }
        }
    }
}

/* Does the digit run at b[i] reach, within five digits, a space, a '+'
   or a '%', after a letter, a comma, or both (names_mask.h)? */
static int digits_reach(const unsigned char *b, size_t i, size_t n)
{
    for (size_t e = i + 1; e <= i + 5 && e < n; e++) {
        if (b[e] >= '0' && b[e] <= '9') {
            continue;
        }
        size_t q = e;
        q += q < n && ((b[q] | 0x20) >= 'a' && (b[q] | 0x20) <= 'z');
        q += q < n && b[q] == ',';
        return q < n && (b[q] == ' ' || b[q] == '+' || b[q] == '%');
    }
    return 0;
}

/* The names pass's candidate rule (names_mask.h), byte by byte: a
   newline after a line break (with lines), a kanji or kana lead (E3..E9),
   or a head (A-Z, C3..C5, a digit after no glue byte) or '%' after no
   letter, digit or non-ASCII byte, or a head after a non-ASCII byte, a
   backslash two back or a '%' three back. With <more> (the AVX-512
   level), not a capital that a capital or a digit follows (not in a
   block's last byte), nor a digit in a block's first 56 bytes, 17 bytes
   or more before the end, with no '%' or '\\' right before it and no '%'
   two before, whose run does not reach a space, '+' or '%'. Bytes before
   the buffer count as NULs, and as a line break. */
static int candidate_reference(const unsigned char *b, size_t i, size_t n, int lines, int more)
{
    unsigned c = b[i], p1 = i >= 1 ? b[i - 1] : 0;
    unsigned p2 = i >= 2 ? b[i - 2] : 0, p3 = i >= 3 ? b[i - 3] : 0;
    int glue1 =
        p1 == ':' || p1 == '-' || p1 == '.' || p1 == '/' || p1 == '_' || p1 == '=' || p1 == '#';
    int digit = c >= '0' && c <= '9', upper = c >= 'A' && c <= 'Z';
    int head = upper || (c >= 0xC3 && c <= 0xC5) || (digit && !glue1);
    int word1 = (p1 >= 'A' && p1 <= 'Z') || (p1 >= 'a' && p1 <= 'z') || (p1 >= '0' && p1 <= '9') ||
                p1 >= 0x80;
    if (c == '\n') {
        return lines && (i == 0 || p1 == '\n' || p1 == '\r');
    }
    if (c >= 0xE3 && c <= 0xE9) {
        return 1;
    }
    if (!(((head || c == '%') && !word1) || (head && (p1 >= 0x80 || p2 == '\\' || p3 == '%')))) {
        return 0;
    }
    if (!more) {
        return 1;
    }
    if (upper && i % 64 != 63 && i + 1 < n &&
        ((b[i + 1] >= 'A' && b[i + 1] <= 'Z') || (b[i + 1] >= '0' && b[i + 1] <= '9'))) {
        return 0;
    }
    if (digit && i % 64 < 56 && i + 17 <= n && p1 != '%' && p1 != '\\' && p2 != '%' &&
        !digits_reach(b, i, n)) {
        return 0;
    }
    return 1;
}

/* Every level's mask, on random buffers over the bytes the rule names (and
   others), at every block of buffers whose length is not a multiple of
   64, equals the rule applied byte by byte. */
TEST(names_mask_matches_the_rule)
{
    static const unsigned char alphabet[] =
        "Aa0Z9z%\\\n\n\r:-./_=#@ \xc3\xc4\xc5\xc6\xe3\xe9\xea\x80\xff\x00"
        "0123 45 ,+Bc";
    const veil__kernels_t *levels[NLEVELS];
    cpu_levels(levels);
    uint32_t r = 777;
    unsigned char buf[64 * 9 + 37], room[16 + 64 * 9 + 37 + 64];
    for (int round = 0; round < 4000; round++) {
        for (size_t k = 0; k < sizeof(buf); k++) {
            r = r * 1103515245u + 12345u;
            buf[k] = round % 5 == 0 ? (unsigned char)(r >> 16)
                                    : alphabet[(r >> 16) % (sizeof(alphabet) - 1)];
            if (round % 5 == 1 && (buf[k] == '%' || buf[k] == '\\')) {
                buf[k] = '1'; /* (below: escapes placed one by one) */
            }
        }
        if (round % 5 == 1) {
            /* Most blocks with no '%' or '\\' (the AVX-512 level reads
               the escapes only in a block that has one, or whose three
               bytes before do): one escape in or just before a block's
               start, now and then. */
            r = r * 1103515245u + 12345u;
            size_t at = 64 * (1 + (r >> 16) % 8) - 1 - (r >> 8) % 4;
            buf[at] = (r >> 24) & 1 ? '%' : '\\';
        }
        size_t n = sizeof(buf) - (size_t)(round % 64);
        int lines = round & 1;
        /* zeroed before, stale bytes after n */
        memset(room, 0, 16);
        memcpy(room + 16, buf, sizeof(buf));
        memset(room + 16 + n, 'A', sizeof(room) - 16 - n);
        /* spans in order (the carry handed on) and, every third round,
           each span alone (the bytes before read again) */
        veil__ncarry_t carry[NLEVELS];
        for (int l = 0; l < NLEVELS; l++) {
            carry[l].next = SIZE_MAX;
        }
        const size_t span = 64 * VEIL__NMASK_BLOCKS;
        for (size_t base = round % 7 == 0 ? 64 : 0; base < n; base += span) {
            /* [0]: every level but AVX-512; [1]: AVX-512 */
            uint64_t wants[2][VEIL__NMASK_BLOCKS], want_nl[VEIL__NMASK_BLOCKS];
            for (size_t j = 0; j < VEIL__NMASK_BLOCKS; j++) {
                wants[0][j] = wants[1][j] = want_nl[j] = 0;
                for (size_t k = 0; k < 64 && base + 64 * j + k < n; k++) {
                    size_t at = base + 64 * j + k;
                    wants[0][j] |= (uint64_t)candidate_reference(buf, at, n, lines, 0) << k;
                    wants[1][j] |= (uint64_t)candidate_reference(buf, at, n, lines, 1) << k;
                    want_nl[j] |= (uint64_t)(lines && buf[at] == '\n') << k;
                }
            }
            for (int l = 0; l < NLEVELS; l++) {
                if (levels[l] == NULL) {
                    continue;
                }
                const uint64_t *want = wants[l == VEIL_SIMD_AVX512];
                if (round % 3 == 0) {
                    carry[l].next = SIZE_MAX;
                }
                uint64_t got[VEIL__NMASK_BLOCKS], got_nl[VEIL__NMASK_BLOCKS];
                levels[l]->names_mask(buf, base, n, lines, 0, &carry[l], got, got_nl);
                for (size_t j = 0; j < VEIL__NMASK_BLOCKS; j++) {
                    CHECK_EQ(got[j], want[j]);
                    CHECK_EQ(got_nl[j], want_nl[j]);
                }
                /* The same bytes in a buffer with room around them (the
                   text layer's): read in place, the same bits. */
                veil__ncarry_t fresh = {SIZE_MAX, 0, 0, 0, 0, 0, 0};
                levels[l]->names_mask(room + 16, base, n, lines, 1, &fresh, got, got_nl);
                for (size_t j = 0; j < VEIL__NMASK_BLOCKS; j++) {
                    CHECK_EQ(got[j], want[j]);
                    CHECK_EQ(got_nl[j], want_nl[j]);
                }
            }
        }
    }
}

/* Every level's next_blank() (the CSV reader's blank lines) equals the
   first "\n\n" or "\n\r\n" found byte by byte, from every start. */
TEST(next_blank_matches_a_byte_walk)
{
    static const unsigned char alphabet[] = "\n\n\r\raa ,";
    const veil__kernels_t *levels[NLEVELS];
    cpu_levels(levels);
    uint32_t r = 4242;
    unsigned char buf[150];
    for (int round = 0; round < 3000; round++) {
        size_t n = 1 + (size_t)(round % (int)sizeof(buf));
        for (size_t k = 0; k < n; k++) {
            r = r * 1103515245u + 12345u;
            /* mostly text, newlines now and then */
            buf[k] = (r >> 16) % 4 == 0 ? alphabet[(r >> 20) % (sizeof(alphabet) - 1)] : 'x';
        }
        for (size_t p = 0; p < n; p += 1 + (size_t)(round % 7)) {
            size_t want = n;
            for (size_t q = p; q + 1 < n; q++) {
                if (buf[q] == '\n' && (buf[q + 1] == '\n' ||
                                       (buf[q + 1] == '\r' && q + 2 < n && buf[q + 2] == '\n'))) {
                    want = q;
                    break;
                }
            }
            for (int l = 0; l < NLEVELS; l++) {
                if (levels[l] != NULL) {
                    CHECK_EQ(levels[l]->next_blank(buf, p, n), want);
                }
            }
        }
    }
}

int main(void)
{
    RUN(select_clamps_to_the_cpu);
    RUN(every_level_has_its_kernels);
    RUN(levels_agree_on_trigger_bytes);
    RUN(json_index_matches_a_byte_walk);
    RUN(json_index_names_space_bytes);
    RUN(json_index_gap_punctuation);
    RUN(json_index_levels_agree);
    RUN(names_mask_matches_the_rule);
    RUN(next_blank_matches_a_byte_walk);
    TEST_MAIN_END;
}
