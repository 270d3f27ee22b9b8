/* fuzz-mpm.c - the prefilter backends (Aho-Corasick, Hyperscan) against each other and a naive search.
 *
 * Input layout: byte 0 = number of patterns (mod 64, at least 1); then per
 * pattern a length byte (1 + b % 24) and that many pattern bytes; the rest
 * is the buffer to scan. Both backends must report exactly the set of
 * patterns the naive search finds (an id may repeat under AC). A mismatch
 * aborts with the pattern at fault. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../rules/mpm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MPM_MAXPATS 64

struct seen {
    uint32_t n[FUZZ_MPM_MAXPATS];
};

static void on_hit(void *arg, uint32_t id)
{
    struct seen *s = arg;
    if (id >= FUZZ_MPM_MAXPATS)
        abort(); /* an id nobody added */
    s->n[id]++;
}

static uint8_t lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

static bool occurs(const uint8_t *hay, size_t hl, const uint8_t *p, size_t pl)
{
    for (size_t i = 0; i + pl <= hl; i++) {
        size_t k = 0;
        while (k < pl && lower(hay[i + k]) == lower(p[k]))
            k++;
        if (k == pl)
            return true;
    }
    return false;
}

static void scan_check(enum mpm_backend b, const uint8_t *const *pats, const size_t *lens, size_t n,
                       const uint8_t *hay, size_t hl)
{
    struct mpm *m = mpm_new_backend(b);
    if (!m)
        return;
    for (size_t i = 0; i < n; i++)
        if (mpm_add(m, pats[i], lens[i], (uint32_t)i) != TG_OK)
            abort();
    if (mpm_build(m) != TG_OK) {
        mpm_free(m);
        return; /* out of memory is not a finding */
    }
    struct seen s;
    memset(&s, 0, sizeof s);
    mpm_scan(m, hay, hl, on_hit, &s);
    for (size_t i = 0; i < n; i++) {
        bool want = occurs(hay, hl, pats[i], lens[i]);
        if ((s.n[i] > 0) != want) {
            fprintf(stderr, "fuzz-mpm: %s reports pattern %zu (len %zu) %u times; naive: %s\n",
                    mpm_backend_name(m), i, lens[i], s.n[i], want ? "present" : "absent");
            abort();
        }
    }
    mpm_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t n = 1 + data[0] % FUZZ_MPM_MAXPATS, off = 1, np = 0;
    const uint8_t *pats[FUZZ_MPM_MAXPATS];
    size_t lens[FUZZ_MPM_MAXPATS];
    while (np < n && off < size) {
        size_t len = 1 + data[off++] % 24;
        if (len > size - off)
            break;
        pats[np] = data + off;
        lens[np++] = len;
        off += len;
    }
    const uint8_t *hay = data + off;
    size_t hl = size - off;
    scan_check(MPM_BACKEND_AC, pats, lens, np, hay, hl);
    if (mpm_hs_usable())
        scan_check(MPM_BACKEND_HS, pats, lens, np, hay, hl);
    return 0;
}
