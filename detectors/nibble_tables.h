/*
 * The nibble tables of the byte classifications, one definition for every
 * SIMD level (text_handlers.h, json_index.h, classes512.h): a byte is in
 * a class when the entries of its low and of its high nibble share the
 * class's bit. Each macro is sixteen entries, repeated once per 128-bit
 * lane where a wider register shuffles within its lanes.
 */
#ifndef VEIL_DETECTORS_NIBBLE_TABLES_H
#define VEIL_DETECTORS_NIBBLE_TABLES_H

/* The trigger bytes (next_trigger(), trigger_mask64()): digits, ':' and
   '=' share high nibble 3; '@', 'A', 'B', 'J' high nibble 4; '%' and '-'
   high nibble 2; '_' high nibble 5; 0xEF (the lead byte of full-width
   digits, which text_scan.c writes as digits) high nibble E. The
   assignment is exact: no other byte has a bit set in both tables. */
#define TRIG_LO 1 | 2, 1 | 2, 1 | 2, 1, 1, 1 | 4, 1, 1, 1, 1, 1 | 2, 0, 0, 1 | 4, 0, 8
#define TRIG_HI 0, 0, 4, 1, 2, 8, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0

/* The text layer's classes (classify64()): eight class bits, 1 digit,
   2|4 upper (@-O less '@', P-Z), 8|16 lower (`-o less '`', p-z), 32 a
   separator " ()-./", 64 "-./", 128 '_'. Each class is a low-nibble set
   times a high-nibble set, so the lookup is exact. */
#define CLS_LO \
    0x35, 0x1f, 0x1f, 0x1f, 0x1f, 0x1f, 0x1f, 0x1f, 0x3f, 0x3f, 0x1e, 0x0a, 0x0a, 0x6a, 0x6a, 0xea
#define CLS_HI 0x00, 0x00, 0x60, 0x01, 0x02, 0x84, 0x08, 0x10, 0, 0, 0, 0, 0, 0, 0, 0

/* The punctuation names.c's gap_before() reads before a name (, : ! . ;
   -), by low nibble (json_masks()): one byte each, so a byte is one when
   it equals its nibble's entry (entry 0 is 1, which no byte with low
   nibble 0 equals). */
#define GAP_PUNCT 1, '!', 0, 0, 0, 0, 0, 0, 0, 0, ':', ';', ',', '-', '.', 0

#endif
