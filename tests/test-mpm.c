/* test-mpm.c - the prefilter's backends (Aho-Corasick, Hyperscan) against a naive search. */
#include "../rules/mpm.h"
#include "../sensor/config.h"
#include "test.h"

#define MAXID 512

struct hits {
    uint32_t seen[MAXID];
    size_t calls;
};

static void on_hit(void *arg, uint32_t id)
{
    struct hits *h = arg;
    h->calls++;
    if (id < MAXID)
        h->seen[id]++;
}

/* Every backend this build and CPU can run: AC always, HS when usable. */
static size_t backends(enum mpm_backend out[2])
{
    size_t n = 0;
    out[n++] = MPM_BACKEND_AC;
    if (mpm_hs_usable())
        out[n++] = MPM_BACKEND_HS;
    return n;
}

static const char *bname(enum mpm_backend b)
{
    return b == MPM_BACKEND_HS ? "hs" : "ac";
}

static uint8_t lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

static size_t naive_count(const uint8_t *hay, size_t hl, const uint8_t *needle, size_t nl)
{
    size_t n = 0;
    for (size_t i = 0; i + nl <= hl; i++) {
        size_t k = 0;
        while (k < nl && lower(hay[i + k]) == lower(needle[k]))
            k++;
        n += k == nl;
    }
    return n;
}

static struct mpm *build(enum mpm_backend b, const uint8_t *const *pats, const size_t *lens, size_t n)
{
    struct mpm *m = mpm_new_backend(b);
    CHECK(m != NULL);
    for (uint32_t i = 0; i < n; i++)
        CHECK(mpm_add(m, pats[i], lens[i], i) == TG_OK);
    CHECK(mpm_build(m) == TG_OK);
    CHECK_STR(mpm_backend_name(m), bname(b));
    CHECK_EQ_U(mpm_pattern_count(m), n);
    return m;
}

/* The set of ids m reports on hay equals the set of patterns a naive search finds. */
static void check_against_naive(const struct mpm *m, const uint8_t *const *pats, const size_t *lens, size_t n,
                                const uint8_t *hay, size_t hl)
{
    struct hits h;
    memset(&h, 0, sizeof h);
    size_t ret = mpm_scan(m, hay, hl, on_hit, &h);
    CHECK_EQ_U(ret, h.calls);
    int bad = 0;
    for (uint32_t i = 0; i < n; i++) {
        size_t want = naive_count(hay, hl, pats[i], lens[i]);
        if ((h.seen[i] > 0) != (want > 0) || (h.seen[i] > want)) {
            if (bad++ < 5)
                fprintf(stderr, "  %s: pattern %u (len %zu): reported %u times, occurs %zu times\n",
                        mpm_backend_name(m), i, lens[i], h.seen[i], want);
        }
    }
    CHECK_EQ_U(bad, 0);
}

TEST(finds_overlapping_and_nested_patterns)
{
    static const char *text[] = {"he", "she", "his", "hers", "INVITE", "sip:", "s", "REGISTER sip", "zzz"};
    const uint8_t *pats[TG_ARRAY_LEN(text)];
    size_t lens[TG_ARRAY_LEN(text)];
    for (size_t i = 0; i < TG_ARRAY_LEN(text); i++) {
        pats[i] = (const uint8_t *)text[i];
        lens[i] = strlen(text[i]);
    }
    const char *hay = "ushers invite SIP:bob register sip:x hisshe";
    enum mpm_backend bs[2];
    for (size_t b = 0, nb = backends(bs); b < nb; b++) {
        struct mpm *m = build(bs[b], pats, lens, TG_ARRAY_LEN(text));
        struct hits h;
        memset(&h, 0, sizeof h);
        mpm_scan(m, (const uint8_t *)hay, strlen(hay), on_hit, &h);
        for (uint32_t i = 0; i < TG_ARRAY_LEN(text); i++) {
            size_t want = naive_count((const uint8_t *)hay, strlen(hay), pats[i], lens[i]);
            /* AC reports every occurrence, Hyperscan each id once */
            CHECK_EQ_U(h.seen[i], bs[b] == MPM_BACKEND_AC ? want : want > 0);
        }
        CHECK_EQ_U(h.seen[8], 0);
        mpm_free(m);
    }
}

TEST(binary_patterns_and_empty)
{
    const uint8_t p0[] = {0x00, 0xff, 0x00};
    const uint8_t p1[] = {0xe3};
    const uint8_t p2[] = {0x00};
    const uint8_t p3[] = {0xc1, 0x41}; /* no case folding outside ASCII */
    const uint8_t *pats[] = {p0, p1, p2, p3};
    const size_t lens[] = {sizeof p0, sizeof p1, sizeof p2, sizeof p3};
    const uint8_t data[] = {0xe3, 0x00, 0xff, 0x00, 0xff, 0x00, 0x41, 0xe1, 0x61};
    enum mpm_backend bs[2];
    for (size_t b = 0, nb = backends(bs); b < nb; b++) {
        struct mpm *m = mpm_new_backend(bs[b]);
        CHECK(mpm_add(m, p0, 0, 9) == TG_ERROR);
        mpm_free(m);
        m = build(bs[b], pats, lens, TG_ARRAY_LEN(pats));
        CHECK(mpm_add(m, p1, 1, 7) == TG_ERROR); /* no adds after build */
        CHECK(mpm_build(m) == TG_ERROR);          /* built once */
        struct hits h;
        memset(&h, 0, sizeof h);
        mpm_scan(m, data, sizeof data, on_hit, &h);
        CHECK_EQ_U(h.seen[0], bs[b] == MPM_BACKEND_AC ? 2 : 1);
        CHECK_EQ_U(h.seen[1], 1);
        CHECK_EQ_U(h.seen[2], bs[b] == MPM_BACKEND_AC ? 3 : 1);
        CHECK_EQ_U(h.seen[3], 0);
        check_against_naive(m, pats, lens, TG_ARRAY_LEN(pats), data, sizeof data);
        struct hits none;
        memset(&none, 0, sizeof none);
        CHECK_EQ_U(mpm_scan(m, data, 0, on_hit, &none), 0);
        CHECK(mpm_memuse(m) > 0);
        mpm_free(m);
        /* an empty set builds and finds nothing */
        m = mpm_new_backend(bs[b]);
        CHECK(mpm_build(m) == TG_OK);
        CHECK_EQ_U(mpm_scan(m, data, sizeof data, on_hit, &none), 0);
        mpm_free(m);
    }
}

static uint32_t rnd(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Many patterns over a small alphabet of letters in both cases and binary
 * bytes (NUL, 0xff, non-ASCII letters), so patterns overlap, nest, repeat
 * and differ only in case; 1-byte patterns and duplicates included. */
TEST(random_against_naive)
{
    static const uint8_t alpha[] = {'a', 'A', 'b', 'B', 'z', 0x00, 0xff, 0xe1, 0xc1, '\n'};
    enum mpm_backend bs[2];
    size_t nb = backends(bs);
    uint32_t seed = 0x12345u;
    for (int round = 0; round < 40; round++) {
        size_t n = 1 + rnd(&seed) % (round < 20 ? 40 : MAXID);
        uint8_t (*store)[12] = malloc(n * sizeof *store);
        const uint8_t **pats = malloc(n * sizeof *pats);
        size_t *lens = malloc(n * sizeof *lens);
        for (size_t i = 0; i < n; i++) {
            lens[i] = 1 + rnd(&seed) % (round % 2 ? 3 : 12);
            for (size_t k = 0; k < lens[i]; k++)
                store[i][k] = alpha[rnd(&seed) % sizeof alpha];
            pats[i] = store[i];
        }
        size_t hl = rnd(&seed) % 3000;
        uint8_t *hay = malloc(hl ? hl : 1);
        for (size_t k = 0; k < hl; k++)
            hay[k] = rnd(&seed) % 8 ? alpha[rnd(&seed) % sizeof alpha] : (uint8_t)rnd(&seed);
        /* plant a few patterns, case flipped, so long ones occur too */
        for (int p = 0; p < 5 && hl > 12; p++) {
            size_t i = rnd(&seed) % n, at = rnd(&seed) % (hl - lens[i]);
            for (size_t k = 0; k < lens[i]; k++) {
                uint8_t c = pats[i][k];
                hay[at + k] = (c >= 'a' && c <= 'z') ? (uint8_t)(c - 32) : (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
            }
        }
        for (size_t b = 0; b < nb; b++) {
            struct mpm *m = build(bs[b], pats, lens, n);
            check_against_naive(m, pats, lens, n, hay, hl);
            mpm_free(m);
        }
        free(hay);
        free(lens);
        free(pats);
        free(store);
    }
}

TEST(backend_selection)
{
    enum mpm_backend b = MPM_BACKEND_HS;
    CHECK(mpm_backend_parse("auto", &b) == TG_OK && b == MPM_BACKEND_AUTO);
    CHECK(mpm_backend_parse("hs", &b) == TG_OK && b == MPM_BACKEND_HS);
    CHECK(mpm_backend_parse("ac", &b) == TG_OK && b == MPM_BACKEND_AC);
    CHECK(mpm_backend_parse("HS", &b) == TG_ERROR);
    CHECK(mpm_backend_parse("", &b) == TG_ERROR);

    struct config *cfg = config_new();
    char err[128] = "";
    CHECK(mpm_backend_from_config(cfg, &b, err, sizeof err) == TG_OK && b == MPM_BACKEND_AUTO);
    CHECK(mpm_backend_from_config(NULL, &b, err, sizeof err) == TG_OK && b == MPM_BACKEND_AUTO);
    config_set(cfg, "detect.mpm=ac");
    CHECK(mpm_backend_from_config(cfg, &b, err, sizeof err) == TG_OK && b == MPM_BACKEND_AC);
    config_set(cfg, "detect.mpm=hyperscan");
    CHECK(mpm_backend_from_config(cfg, &b, err, sizeof err) == TG_ERROR);
    CHECK_STR(err, "detect.mpm = 'hyperscan' is not auto, hs or ac");
    config_free(cfg);

    /* hs only where it runs; auto follows the measured choice */
    CHECK(mpm_backend_resolve(MPM_BACKEND_AC) == MPM_BACKEND_AC);
    CHECK(mpm_backend_resolve(MPM_BACKEND_HS) == (mpm_hs_usable() ? MPM_BACKEND_HS : MPM_BACKEND_AC));
#if defined(__x86_64__)
    CHECK(mpm_backend_resolve(MPM_BACKEND_AUTO) == (mpm_hs_usable() ? MPM_BACKEND_HS : MPM_BACKEND_AC));
#else
    CHECK(mpm_backend_resolve(MPM_BACKEND_AUTO) == MPM_BACKEND_AC);
#endif
    struct mpm *m = mpm_new_backend(MPM_BACKEND_HS);
    CHECK_STR(mpm_backend_name(m), mpm_hs_usable() ? "hs" : "ac");
    mpm_free(m);
#ifdef TG_HAVE_HYPERSCAN
    fprintf(stderr, "  built with Hyperscan; usable on this CPU: %s\n", mpm_hs_usable() ? "yes" : "no");
#else
    CHECK(!mpm_hs_usable());
    fprintf(stderr, "  built without Hyperscan: Aho-Corasick only\n");
#endif
}

TEST_MAIN(T(finds_overlapping_and_nested_patterns), T(binary_patterns_and_empty), T(random_against_naive),
          T(backend_selection))
