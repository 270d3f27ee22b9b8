/* mpm.h - multi-pattern matcher (Aho-Corasick) for the rule prefilter.
 *
 * One pass over a buffer reports every pattern that occurs in it. Matching
 * is case-insensitive (ASCII) for every pattern: the prefilter only selects
 * candidate rules, and the full match that follows checks case exactly where
 * the rule asks for it. Patterns carry a caller id (the rule index). */
#ifndef TG_MPM_H
#define TG_MPM_H

#include "../sensor/common.h"

struct mpm;

/* Empty matcher; NULL on no memory. */
struct mpm *mpm_new(void);
void mpm_free(struct mpm *m);

/* Add a pattern before mpm_build(); TG_ERROR on no memory or len 0. */
int mpm_add(struct mpm *m, const uint8_t *pat, size_t len, uint32_t id);
/* Build the automaton; TG_ERROR on no memory. No adds after this. */
int mpm_build(struct mpm *m);

/* Called for each pattern id found (an id may be reported more than once). */
typedef void (*mpm_hit_fn)(void *arg, uint32_t id);
/* Scan data; returns the number of hits reported. */
size_t mpm_scan(const struct mpm *m, const uint8_t *data, size_t len, mpm_hit_fn hit, void *arg);

size_t mpm_pattern_count(const struct mpm *m);
size_t mpm_memuse(const struct mpm *m);

#endif
