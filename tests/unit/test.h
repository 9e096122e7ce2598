/*
 * A minimal test harness: TEST(name) defines a case, RUN(name) runs it,
 * CHECK()/CHECK_EQ()/CHECK_STR() record failures without stopping, and
 * TEST_MAIN_END prints "N passed, N failed" and returns the exit status.
 */
#ifndef VEIL_TEST_H
#define VEIL_TEST_H

#include <stdio.h>
#include <string.h>

static int test_failed_checks;
static int test_passed, test_failed;

#define TEST(name) static void test_##name(void)

#define RUN(name)                                \
    do {                                         \
        int before_ = test_failed_checks;        \
        test_##name();                           \
        if (test_failed_checks == before_) {     \
            test_passed++;                       \
        } else {                                 \
            test_failed++;                       \
            fprintf(stderr, "FAIL %s\n", #name); \
        }                                        \
    } while (0)

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            test_failed_checks++;                                                    \
        }                                                                            \
    } while (0)

#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (a_ != b_) {                                                                            \
            fprintf(stderr, "%s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a, a_, b_); \
            test_failed_checks++;                                                                  \
        }                                                                                          \
    } while (0)

#define CHECK_STR(a, b)                                                              \
    do {                                                                             \
        const char *a_ = (a), *b_ = (b);                                             \
        if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) {                       \
            fprintf(stderr,                                                          \
                    "%s:%d: %s\n  got:      \"%s\"\n"                                \
                    "  expected: \"%s\"\n",                                          \
                    __FILE__, __LINE__, #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
            test_failed_checks++;                                                    \
        }                                                                            \
    } while (0)

#define TEST_MAIN_END                                               \
    do {                                                            \
        printf("%d passed, %d failed\n", test_passed, test_failed); \
        return test_failed ? 1 : 0;                                 \
    } while (0)

#endif
