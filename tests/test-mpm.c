/* test-mpm.c - Aho-Corasick prefilter against a naive search. */
#include <ctype.h>
#include "../rules/mpm.h"
#include "test.h"

struct hits {
    uint32_t seen[64];
};

static void on_hit(void *arg, uint32_t id)
{
    struct hits *h = arg;
    if (id < 64)
        h->seen[id]++;
}

static size_t naive_count(const char *hay, const char *needle)
{
    size_t n = 0, hl = strlen(hay), nl = strlen(needle);
    for (size_t i = 0; i + nl <= hl; i++)
        if (strncasecmp(hay + i, needle, nl) == 0)
            n++;
    return n;
}

TEST(finds_overlapping_and_nested_patterns)
{
    static const char *pats[] = {"he", "she", "his", "hers", "INVITE", "sip:", "s", "REGISTER sip"};
    struct mpm *m = mpm_new();
    for (uint32_t i = 0; i < TG_ARRAY_LEN(pats); i++)
        CHECK(mpm_add(m, (const uint8_t *)pats[i], strlen(pats[i]), i) == TG_OK);
    CHECK(mpm_build(m) == TG_OK);
    const char *hay = "ushers invite SIP:bob register sip:x hisshe";
    struct hits h = {{0}};
    mpm_scan(m, (const uint8_t *)hay, strlen(hay), on_hit, &h);
    for (uint32_t i = 0; i < TG_ARRAY_LEN(pats); i++)
        CHECK_EQ_U(h.seen[i], naive_count(hay, pats[i]));
    mpm_free(m);
}

TEST(binary_patterns_and_empty)
{
    const uint8_t p0[] = {0x00, 0xff, 0x00};
    const uint8_t p1[] = {0xe3};
    struct mpm *m = mpm_new();
    CHECK(mpm_add(m, p0, 0, 9) == TG_ERROR);
    CHECK(mpm_add(m, p0, sizeof p0, 0) == TG_OK);
    CHECK(mpm_add(m, p1, sizeof p1, 1) == TG_OK);
    CHECK(mpm_build(m) == TG_OK);
    const uint8_t data[] = {0xe3, 0x00, 0xff, 0x00, 0xff, 0x00, 0x41};
    struct hits h = {{0}};
    CHECK_EQ_U(mpm_scan(m, data, sizeof data, on_hit, &h), 3);
    CHECK_EQ_U(h.seen[0], 2);
    CHECK_EQ_U(h.seen[1], 1);
    struct hits none = {{0}};
    CHECK_EQ_U(mpm_scan(m, data, 0, on_hit, &none), 0);
    mpm_free(m);
}

TEST(random_against_naive)
{
    struct mpm *m = mpm_new();
    char pats[20][6];
    unsigned seed = 12345;
    for (uint32_t i = 0; i < 20; i++) {
        size_t len = 1 + (seed = seed * 1103515245 + 12345) % 4;
        for (size_t k = 0; k < len; k++)
            pats[i][k] = (char)('a' + (seed = seed * 1103515245 + 12345) % 3);
        pats[i][len] = '\0';
        mpm_add(m, (const uint8_t *)pats[i], len, i);
    }
    CHECK(mpm_build(m) == TG_OK);
    char hay[400];
    for (size_t k = 0; k < sizeof hay - 1; k++)
        hay[k] = (char)('a' + (seed = seed * 1103515245 + 12345) % 3);
    hay[sizeof hay - 1] = '\0';
    struct hits h = {{0}};
    mpm_scan(m, (const uint8_t *)hay, strlen(hay), on_hit, &h);
    /* the same pattern text may be added twice; each id counts its own */
    for (uint32_t i = 0; i < 20; i++)
        CHECK_EQ_U(h.seen[i], naive_count(hay, pats[i]));
    mpm_free(m);
}

TEST_MAIN(T(finds_overlapping_and_nested_patterns), T(binary_patterns_and_empty), T(random_against_naive))
