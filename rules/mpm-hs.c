/* mpm-hs.c - multi-pattern prefilter on Hyperscan's literal matcher (x86-64, SSSE3).
 *
 * Patterns are compiled with hs_compile_lit_multi, so their bytes (NUL
 * included) are taken as they are, never as regex syntax. HS_FLAG_CASELESS
 * matches the prefilter's ASCII case-insensitivity and HS_FLAG_SINGLEMATCH
 * reports an id at most once per scan: a rule only needs to become a
 * candidate once per buffer. One scratch space per matcher, allocated at
 * build, keeps the scan free of allocation. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mpm-hs.h"

#ifdef TG_HAVE_HYPERSCAN
#include <hs.h>

struct mpm_hs {
    hs_database_t *db;
    hs_scratch_t *scratch;
    size_t maxlen; /* longest pattern, for the overlap of chunked scans */
};

bool mpm_hs_usable(void)
{
    return hs_valid_platform() == HS_SUCCESS;
}

struct mpm_hs *mpm_hs_build(const uint8_t *const *pats, const size_t *lens, const uint32_t *ids, size_t n,
                            char *why, size_t whylen)
{
    if (!mpm_hs_usable()) {
        snprintf(why, whylen, "Hyperscan does not run on this CPU (needs SSSE3)");
        return NULL;
    }
    if (n == 0 || n > UINT_MAX) {
        snprintf(why, whylen, "no patterns");
        return NULL;
    }
    struct mpm_hs *h = calloc(1, sizeof *h);
    unsigned *flags = malloc(n * sizeof *flags);
    unsigned *uids = malloc(n * sizeof *uids);
    if (!h || !flags || !uids) {
        snprintf(why, whylen, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        flags[i] = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH;
        uids[i] = ids[i];
        if (lens[i] > h->maxlen)
            h->maxlen = lens[i];
    }
    hs_compile_error_t *cerr = NULL;
    if (hs_compile_lit_multi((const char *const *)pats, flags, uids, lens, (unsigned)n, HS_MODE_BLOCK, NULL,
                             &h->db, &cerr) != HS_SUCCESS) {
        snprintf(why, whylen, "hs_compile_lit_multi: %s (pattern %d)", cerr ? cerr->message : "failed",
                 cerr ? cerr->expression : -1);
        hs_free_compile_error(cerr);
        goto fail;
    }
    if (hs_alloc_scratch(h->db, &h->scratch) != HS_SUCCESS) {
        snprintf(why, whylen, "hs_alloc_scratch failed");
        goto fail;
    }
    free(flags);
    free(uids);
    return h;
fail:
    free(flags);
    free(uids);
    mpm_hs_free(h);
    return NULL;
}

void mpm_hs_free(struct mpm_hs *h)
{
    if (!h)
        return;
    hs_free_scratch(h->scratch);
    hs_free_database(h->db);
    free(h);
}

struct mpm_hs_ctx {
    mpm_hit_fn hit;
    void *arg;
    size_t hits;
};

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *arg)
{
    (void)from;
    (void)to;
    (void)flags;
    struct mpm_hs_ctx *c = arg;
    c->hit(c->arg, id);
    c->hits++;
    return 0; /* keep scanning */
}

size_t mpm_hs_scan(const struct mpm_hs *h, const uint8_t *data, size_t len, mpm_hit_fn hit, void *arg)
{
    struct mpm_hs_ctx c = {.hit = hit, .arg = arg};
    /* hs_scan takes an unsigned length. A longer buffer is scanned in
     * chunks that overlap by the longest pattern less one byte, so no
     * occurrence is cut; an id may then be reported once per chunk. */
    size_t off = 0;
    do {
        size_t n = len - off > UINT_MAX ? UINT_MAX : len - off;
        hs_scan(h->db, (const char *)data + off, (unsigned)n, 0, h->scratch, on_match, &c);
        if (off + n >= len)
            break;
        off += n - (h->maxlen - 1);
    } while (off < len);
    return c.hits;
}

size_t mpm_hs_memuse(const struct mpm_hs *h)
{
    size_t db = 0, sc = 0;
    hs_database_size(h->db, &db);
    hs_scratch_size(h->scratch, &sc);
    return db + sc;
}

#else /* !TG_HAVE_HYPERSCAN */

bool mpm_hs_usable(void)
{
    return false;
}

struct mpm_hs *mpm_hs_build(const uint8_t *const *pats, const size_t *lens, const uint32_t *ids, size_t n,
                            char *why, size_t whylen)
{
    (void)pats;
    (void)lens;
    (void)ids;
    (void)n;
    snprintf(why, whylen, "built without Hyperscan");
    return NULL;
}

void mpm_hs_free(struct mpm_hs *h)
{
    (void)h;
}

size_t mpm_hs_scan(const struct mpm_hs *h, const uint8_t *data, size_t len, mpm_hit_fn hit, void *arg)
{
    (void)h;
    (void)data;
    (void)len;
    (void)hit;
    (void)arg;
    return 0;
}

size_t mpm_hs_memuse(const struct mpm_hs *h)
{
    (void)h;
    return 0;
}

#endif
