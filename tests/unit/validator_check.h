/*
 * Shared harness for the validator tests: every input is copied so that it
 * ends right before a PROT_NONE page (a validator that reads one byte past
 * <len> crashes the test), and every check is counted so that a test run
 * reports how many it made.
 */
#ifndef VEIL_TEST_VALIDATOR_CHECK_H
#define VEIL_TEST_VALIDATOR_CHECK_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "test.h"
#include "validators.h"

static int checks;
static char *guard; /* first byte of the PROT_NONE page */
static size_t page;

static void guard_init(void)
{
    char *p;

    page = (size_t)sysconf(_SC_PAGESIZE);
    p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED || mprotect(p + page, page, PROT_NONE) != 0) {
        perror("guard page");
        exit(2);
    }
    guard = p + page;
}

/* Runs <fn> on the first <n> bytes of <s>, placed flush against the guard. */
static int guarded_n(veil__validator_fn fn, const char *s, size_t n)
{
    char *p = guard - n;

    if (n > page) {
        fprintf(stderr, "input too long for the guard page\n");
        exit(2);
    }
    memcpy(p, s, n);
    return fn(p, n);
}

static void expect_at(veil__validator_fn fn, const char *fname, const char *s, size_t n, int want,
                      const char *file, int line)
{
    int got = guarded_n(fn, s, n);

    checks++;
    if (got != want) {
        /* Test inputs are synthetic, so printing them leaks nothing. */
        fprintf(stderr, "%s:%d: %s(\"%.*s\") == %d, expected %d\n", file, line, fname, (int)n, s,
                got, want);
        test_failed_checks++;
    }
}

#define expect_n(fn, fname, s, n, want, line) expect_at(fn, fname, s, n, want, __FILE__, line)
#define VALID(fn, s) expect_n(veil__valid_##fn, #fn, (s), strlen(s), 1, __LINE__)
#define INVALID(fn, s) expect_n(veil__valid_##fn, #fn, (s), strlen(s), 0, __LINE__)
#define CHK(c)    \
    do {          \
        checks++; \
        CHECK(c); \
    } while (0)

/*
 * Every string made from <s> by replacing one digit, at a position whose
 * bit is set in <mask> (bit i for s[i]; all digits when 0), with another
 * digit fails <fn>. Checksums that catch every single substitution (Luhn,
 * ISO 7064, weights prime to the modulus) must pass this.
 */
static inline void substitutions_fail(veil__validator_fn fn, const char *fname, const char *s,
                                      unsigned long long mask, const char *file, int line)
{
    char buf[128];
    size_t n = strlen(s);

    if (n >= sizeof(buf))
        abort();
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || (mask && !(mask >> i & 1)))
            continue;
        for (char c = '0'; c <= '9'; c++) {
            if (c == s[i])
                continue;
            memcpy(buf, s, n + 1);
            buf[i] = c;
            expect_at(fn, fname, buf, n, 0, file, line);
        }
    }
}

#define SUBSTITUTIONS_FAIL(fn, s) \
    substitutions_fail(veil__valid_##fn, #fn, (s), 0, __FILE__, __LINE__)
#define SUBSTITUTIONS_FAIL_AT(fn, s, mask) \
    substitutions_fail(veil__valid_##fn, #fn, (s), (mask), __FILE__, __LINE__)

/* Every proper prefix of <s>, and <s> with one more character, fail. */
static inline void truncations_fail(veil__validator_fn fn, const char *fname, const char *s,
                                    const char *file, int line)
{
    char buf[256];
    size_t n = strlen(s);

    if (n + 2 > sizeof(buf))
        abort();
    for (size_t k = 0; k < n; k++)
        expect_at(fn, fname, s, k, 0, file, line);
    memcpy(buf, s, n);
    buf[n] = s[n - 1];
    expect_at(fn, fname, buf, n + 1, 0, file, line);
}

#define TRUNCATIONS_FAIL(fn, s) truncations_fail(veil__valid_##fn, #fn, (s), __FILE__, __LINE__)

#endif
