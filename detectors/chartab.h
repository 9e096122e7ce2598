/*
 * Byte classes for the scanner's inner loops (generated): one table load
 * instead of several range compares per byte.
 */
#ifndef VEIL_DETECTORS_CHARTAB_H
#define VEIL_DETECTORS_CHARTAB_H

#include <stdint.h>

enum {
    VEIL_C_DIGIT = 1,
    VEIL_C_UPPER = 2,
    VEIL_C_LOWER = 4,
    VEIL_C_HEX = 8,
    VEIL_C_SEP = 16,     /* " -./()": separators inside numbers */
    VEIL_C_LOCAL = 32,   /* characters of an e-mail local part: letters,
                            digits and ! # % & ' + - . _ ~ of RFC 5322's
                            atext (not = / ? | { } * ` ^ $, which delimit
                            keys, paths, logs and masks far more often) */
    VEIL_C_TRIGGER = 64, /* a byte the text layer's handlers start on:
                            digits and ":=@ABJ%-_", and 0xEF (full-width
                            digits, text_scan.c) */
    VEIL_C_KEY = 128,    /* characters of a key in key=value: [0-9A-Za-z_.[\]-] */
};

/* clang-format off */
static const uint8_t veil__chartab[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    16, 32, 0, 32, 0, 96, 32, 32, 16, 16, 0, 32, 0, 240, 176, 16,
    233, 233, 233, 233, 233, 233, 233, 233, 233, 233, 64, 0, 0, 64, 0, 0,
    64, 234, 234, 170, 170, 170, 170, 162, 162, 162, 226, 162, 162, 162, 162, 162,
    162, 162, 162, 162, 162, 162, 162, 162, 162, 162, 162, 128, 0, 128, 0, 224,
    0, 172, 172, 172, 172, 172, 172, 164, 164, 164, 164, 164, 164, 164, 164, 164,
    164, 164, 164, 164, 164, 164, 164, 164, 164, 164, 164, 0, 0, 0, 32, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 64,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};
/* clang-format on */

#endif
