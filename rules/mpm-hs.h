/* mpm-hs.h - the Hyperscan backend of the multi-pattern matcher (internal to rules/mpm.c).
 *
 * Built without Hyperscan (no TG_HAVE_HYPERSCAN), mpm_hs_usable() is false
 * and mpm_hs_build() always fails, so the dispatcher falls back to
 * Aho-Corasick. */
#ifndef TG_MPM_HS_H
#define TG_MPM_HS_H

#include "mpm.h"

struct mpm_hs;

/* Pattern i is pats[i] (lens[i] bytes, > 0) with id ids[i]. Compiled as
 * caseless literals reported once per scan. NULL when Hyperscan is not
 * usable, n is 0, or compiling or allocating failed (*why says which:
 * a static string or Hyperscan's message copied into why[0..whylen)). */
struct mpm_hs *mpm_hs_build(const uint8_t *const *pats, const size_t *lens, const uint32_t *ids, size_t n,
                            char *why, size_t whylen);
/* Free the database and scratch; NULL is a no-op. */
void mpm_hs_free(struct mpm_hs *h);
/* Scan data, calling hit once per id found; returns the number of calls. */
size_t mpm_hs_scan(const struct mpm_hs *h, const uint8_t *data, size_t len, mpm_hit_fn hit, void *arg);
/* Bytes of database plus scratch. */
size_t mpm_hs_memuse(const struct mpm_hs *h);

#endif
