/* test.h - the minimal unit-test harness every tests/test-*.c uses.
 *
 * TEST(name) defines a case; CHECK(cond) records a failure with file and
 * line and carries on; the runner prints one line per case and the totals as
 * "N passed, N failed" so CI can read the result. */
#ifndef TG_TEST_H
#define TG_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct test_case {
    const char *name;
    void (*fn)(void);
};

extern int test_failures;

#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "  %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            test_failures++;                                                        \
        }                                                                           \
    } while (0)

#define CHECK_EQ_U(a, b)                                                            \
    do {                                                                            \
        unsigned long long va_ = (unsigned long long)(a), vb_ = (unsigned long long)(b); \
        if (va_ != vb_) {                                                           \
            fprintf(stderr, "  %s:%d: %s == %s: %llu != %llu\n", __FILE__, __LINE__, #a, #b, va_, vb_); \
            test_failures++;                                                        \
        }                                                                           \
    } while (0)

#define CHECK_STR(a, b)                                                             \
    do {                                                                            \
        const char *sa_ = (a), *sb_ = (b);                                          \
        if (!sa_ || !sb_ || strcmp(sa_, sb_) != 0) {                                \
            fprintf(stderr, "  %s:%d: %s == %s: \"%s\" != \"%s\"\n", __FILE__, __LINE__, #a, #b, \
                    sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)");                    \
            test_failures++;                                                        \
        }                                                                           \
    } while (0)

#define TEST(name) static void name(void)

/* TEST_MAIN({"name", fn}, ...) runs every case and prints the totals. */
#define TEST_MAIN(...)                                                              \
    int test_failures;                                                              \
    int main(void)                                                                  \
    {                                                                               \
        static const struct test_case cases[] = {__VA_ARGS__};                      \
        int passed = 0, failed = 0;                                                 \
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {               \
            int before = test_failures;                                             \
            cases[i].fn();                                                          \
            if (test_failures == before) {                                          \
                passed++;                                                           \
                printf("ok   %s\n", cases[i].name);                                 \
            } else {                                                                \
                failed++;                                                           \
                printf("FAIL %s\n", cases[i].name);                                 \
            }                                                                       \
        }                                                                           \
        printf("%d passed, %d failed\n", passed, failed);                           \
        return failed ? 1 : 0;                                                      \
    }

#define T(fn) {#fn, fn}

#endif
