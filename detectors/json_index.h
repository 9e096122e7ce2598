/*
 * The JSON walker's structure index (stage 1), compiled once per SIMD
 * level after text_handlers.h (whose trigger_mask64() and classify64() it
 * uses): for 64 bytes at a time, the quotes, backslashes, whitespace,
 * trigger bytes and the text layer's byte classes as bit masks, which
 * quotes are escaped, and which bytes lie inside a string. The way is that of simdjson's stage 1 (Langdale and Lemire,
 * "Parsing Gigabytes of JSON per Second", 2019); the code is our own.
 *
 * Escapes: a byte is escaped when the run of backslashes before it has an
 * odd length. A run that starts at an even bit ends (the first byte after
 * it) at an odd bit exactly when its length is odd, and the other way
 * round; adding each run's start bit to the backslash mask carries to the
 * run's end, so the escaped bytes are the ends of even-started runs at odd
 * bits and of odd-started runs at even bits. A run still open at bit 63
 * escapes the next block's first byte when it started at an odd bit (the
 * carry out of that sum). Backslashes only escape inside strings; one
 * outside a string is no JSON, and the walker, which then stops reading
 * JSON, stops using the index there.
 *
 * Strings: the unescaped quotes toggle the in-string state, so the prefix
 * XOR of their bits, flipped when the block starts inside a string, marks
 * each string from its opening quote up to (not including) its closing one.
 */
#if !defined(VEIL_K_LEVEL)
#error "json_index.h is included by kernels_<level>.c only"
#endif

#define EVEN_BITS 0x5555555555555555ull

/* Bit k: an odd number of bits of <x> at or below k. */
static inline uint64_t prefix_xor(uint64_t x)
{
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    return x;
}

/* The bytes escaped by the backslashes <bs>, given whether the first byte
   is escaped by the block before (*carry: 0 or 1, updated). */
static inline uint64_t escaped_bytes(uint64_t bs, uint64_t *carry)
{
    uint64_t in = *carry;
    /* An escaped first byte is no run's start, even a backslash. */
    uint64_t runs = bs & ~in;
    uint64_t starts = runs & ~(runs << 1);
    uint64_t even_sum = runs + (starts & EVEN_BITS);
    uint64_t odd_sum;
    uint64_t out = __builtin_add_overflow(runs, starts & ~EVEN_BITS, &odd_sum);
    uint64_t even_ends = even_sum & ~runs & ~EVEN_BITS;
    uint64_t odd_ends = odd_sum & ~runs & EVEN_BITS;
    *carry = out;
    return even_ends | odd_ends | in;
}

/* The raw class masks of 64 bytes: quotes, backslashes, whitespace. */
static inline void json_masks(const unsigned char *p, uint64_t *qt, uint64_t *bs, uint64_t *ws,
                              uint64_t *nsp, uint64_t *raw, uint64_t *gp)
{
#if VEIL_K_LEVEL >= 3
    json_masks512(p, qt, bs, ws, nsp, raw, gp);
#elif VEIL_K_LEVEL >= 2
    const __m256i q = _mm256_set1_epi8('"'), b = _mm256_set1_epi8('\\');
    const __m256i sp = _mm256_set1_epi8(' '), tab = _mm256_set1_epi8('\t');
    const __m256i nl = _mm256_set1_epi8('\n'), cr = _mm256_set1_epi8('\r');
    /* \t..\r moved to -128..-124, and bytes above C1 (signed) */
    const __m256i ctl = _mm256_set1_epi8((char)(0x80 - '\t')), ctl_end = _mm256_set1_epi8(-123);
    const __m256i plus = _mm256_set1_epi8('+'), pct = _mm256_set1_epi8('%');
    const __m256i c1 = _mm256_set1_epi8((char)0xC1);
    /* gap_before()'s punctuation (GAP_PUNCT, nibble_tables.h) */
    const __m256i gp_t = _mm256_setr_epi8(GAP_PUNCT, GAP_PUNCT);
    const __m256i nib = _mm256_set1_epi8(0x0f);
    uint64_t mq = 0, mb = 0, mw = 0, mn = 0, mr = 0, mg = 0;
    for (int k = 0; k < 2; k++) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32 * k));
        __m256i g = _mm256_cmpeq_epi8(_mm256_shuffle_epi8(gp_t, _mm256_and_si256(v, nib)), v);
        mg |= (uint64_t)(uint32_t)_mm256_movemask_epi8(g) << (32 * k);
        __m256i w =
            _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(v, sp), _mm256_cmpeq_epi8(v, tab)),
                            _mm256_or_si256(_mm256_cmpeq_epi8(v, nl), _mm256_cmpeq_epi8(v, cr)));
        __m256i is_pct = _mm256_cmpeq_epi8(v, pct);
        __m256i n =
            _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(v, sp),
                                            _mm256_cmpgt_epi8(ctl_end, _mm256_add_epi8(v, ctl))),
                            _mm256_or_si256(_mm256_cmpeq_epi8(v, plus), is_pct));
        uint64_t all_high = (uint32_t)_mm256_movemask_epi8(v);
        uint64_t high = all_high & (uint32_t)_mm256_movemask_epi8(_mm256_cmpgt_epi8(v, c1));
        mq |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, q)) << (32 * k);
        mb |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, b)) << (32 * k);
        mw |= (uint64_t)(uint32_t)_mm256_movemask_epi8(w) << (32 * k);
        mn |= ((uint64_t)(uint32_t)_mm256_movemask_epi8(n) | high) << (32 * k);
        mr |= (all_high | (uint32_t)_mm256_movemask_epi8(is_pct)) << (32 * k);
    }
    *qt = mq;
    *bs = mb;
    *ws = mw;
    *nsp = mn | mb;
    *raw = mr;
    *gp = mg;
#elif VEIL_K_LEVEL >= 1
    const __m128i q = _mm_set1_epi8('"'), b = _mm_set1_epi8('\\');
    const __m128i sp = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t');
    const __m128i nl = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
    const __m128i ctl = _mm_set1_epi8((char)(0x80 - '\t')), ctl_end = _mm_set1_epi8(-123);
    const __m128i plus = _mm_set1_epi8('+'), pct = _mm_set1_epi8('%');
    const __m128i c1 = _mm_set1_epi8((char)0xC1);
    const __m128i gp_t = _mm_setr_epi8(GAP_PUNCT);
    const __m128i nib = _mm_set1_epi8(0x0f);
    uint64_t mq = 0, mb = 0, mw = 0, mn = 0, mr = 0, mg = 0;
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        __m128i g = _mm_cmpeq_epi8(_mm_shuffle_epi8(gp_t, _mm_and_si128(v, nib)), v);
        mg |= (uint64_t)(uint32_t)_mm_movemask_epi8(g) << (16 * k);
        __m128i w = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, sp), _mm_cmpeq_epi8(v, tab)),
                                 _mm_or_si128(_mm_cmpeq_epi8(v, nl), _mm_cmpeq_epi8(v, cr)));
        __m128i is_pct = _mm_cmpeq_epi8(v, pct);
        __m128i n = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, sp), _mm_cmpgt_epi8(ctl_end, _mm_add_epi8(v, ctl))),
            _mm_or_si128(_mm_cmpeq_epi8(v, plus), is_pct));
        uint64_t all_high = (uint32_t)_mm_movemask_epi8(v);
        uint64_t high = all_high & (uint32_t)_mm_movemask_epi8(_mm_cmpgt_epi8(v, c1));
        mq |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, q)) << (16 * k);
        mb |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, b)) << (16 * k);
        mw |= (uint64_t)(uint32_t)_mm_movemask_epi8(w) << (16 * k);
        mn |= ((uint64_t)(uint32_t)_mm_movemask_epi8(n) | high) << (16 * k);
        mr |= (all_high | (uint32_t)_mm_movemask_epi8(is_pct)) << (16 * k);
    }
    *qt = mq;
    *bs = mb;
    *ws = mw;
    *nsp = mn | mb;
    *raw = mr;
    *gp = mg;
#else
    /* A table, no comparison per byte (a fuzzing build traces each). */
    static const uint8_t jt[256] = {
        ['"'] = 1,  ['\\'] = 2 | 8, [' '] = 4 | 8, ['\t'] = 4 | 8, ['\n'] = 4 | 8, ['\r'] = 4 | 8,
        ['\v'] = 8, ['\f'] = 8,     ['+'] = 8,     ['%'] = 8 | 16, [','] = 32,     [':'] = 32,
        ['!'] = 32, ['.'] = 32,     [';'] = 32,    ['-'] = 32};
    uint64_t mq = 0, mb = 0, mw = 0, mn = 0, mr = 0, mg = 0;
    for (unsigned k = 0; k < 64; k++) {
        unsigned c = jt[p[k]];
        mq |= (uint64_t)(c & 1) << k;
        mb |= (uint64_t)(c >> 1 & 1) << k;
        mw |= (uint64_t)(c >> 2 & 1) << k;
        /* bytes C2..FF without a comparison: p + 62 carries into bit 8 */
        mn |= (uint64_t)((c >> 3 & 1) | ((p[k] + 62u) >> 8)) << k;
        mr |= (uint64_t)((c >> 4 & 1) | (p[k] >> 7)) << k;
        mg |= (uint64_t)(c >> 5 & 1) << k;
    }
    *qt = mq;
    *bs = mb;
    *ws = mw;
    *nsp = mn;
    *raw = mr;
    *gp = mg;
#endif
}

static void json_block(const unsigned char *p, veil__jcarry_t *c, veil__jblock_t *out)
{
    /* Every class first, then the stores: a store through <out> or <c>
       may alias the bytes (char), so classes computed after one would
       load the bytes and split their nibbles again. */
    uint64_t qt, bs, ws, nsp, raw, gp;
    json_masks(p, &qt, &bs, &ws, &nsp, &raw, &gp);
    const uint64_t trig = trigger_mask64(p);
    /* The classes the text layer's shortcuts read, for values judged in
       place (value_needs_scan_at()). */
    cls64_t cls;
    classify64(p, 0, &cls);
    out->quote = qt & ~escaped_bytes(bs, &c->escaped);
    out->bs = bs;
    out->ws = ws;
    out->instr = prefix_xor(out->quote) ^ c->instr;
    c->instr = (uint64_t)((int64_t)out->instr >> 63);
    out->trig = trig;
    out->dig = cls.dig;
    out->aln = cls.aln;
    out->low = cls.low;
    out->sep = cls.sep;
    out->join = cls.join;
    out->head = (cls.aln & ~cls.low) | raw;
    /* nsp also marks a capital (or a byte >= 0x80) right after the
       punctuation a context may end with, "Regards,!Jane" (names.c's
       HOLD_SPACE); a block's first byte counts as after one, since the
       byte before is another block's. */
    out->nsp = nsp | (((cls.aln & ~cls.low & ~cls.dig) | raw) & (gp << 1 | 1));
}
