/* mpm.h - multi-pattern matcher for the rule prefilter.
 *
 * One pass over a buffer reports every pattern that occurs in it. Matching
 * is case-insensitive (ASCII) for every pattern: the prefilter only selects
 * candidate rules, and the full match that follows checks case exactly where
 * the rule asks for it. Patterns carry a caller id (the rule index).
 *
 * Two backends sit behind this interface: Hyperscan (literal mode, x86-64
 * with SSSE3, when built with it; rules/mpm-hs.c) and a portable
 * Aho-Corasick DFA (rules/mpm.c). Both report the same set of ids for a
 * buffer; only how often an id repeats differs. */
#ifndef TG_MPM_H
#define TG_MPM_H

#include "../sensor/common.h"

struct config;
struct mpm;

/* The config key detect.mpm: auto (the measured winner that is usable here;
 * see mpm_backend_resolve), hs (Hyperscan) or ac (Aho-Corasick). */
enum mpm_backend {
    MPM_BACKEND_AUTO = 0,
    MPM_BACKEND_HS,
    MPM_BACKEND_AC
};

/* "auto", "hs" or "ac" into *out; TG_ERROR for anything else. */
int mpm_backend_parse(const char *s, enum mpm_backend *out);
/* The backend asked for by config key detect.mpm (absent: auto). TG_ERROR
 * with "detect.mpm = 'X' is not auto, hs or ac" in err on a bad value. cfg
 * may be NULL (auto). */
int mpm_backend_from_config(const struct config *cfg, enum mpm_backend *out, char *err, size_t errlen);
/* What a request turns into on this build and CPU: HS only when Hyperscan
 * is built in and the CPU runs it (mpm_hs_usable), else AC. auto picks HS
 * on x86-64, where it was measured (make bench; README "Benchmarks"): on
 * real captures with the shipped plus ET/Snort rules its prefilter is
 * about 1.4-1.9 times as fast as the AC DFA in a fiftieth of the memory
 * (the DFA grows by up to 1 KiB per pattern byte); the whole engine ties.
 * AC only wins on synthetic payloads made of one repeated letter. */
enum mpm_backend mpm_backend_resolve(enum mpm_backend want);
/* True when Hyperscan is built in and hs_valid_platform() accepts this CPU. */
bool mpm_hs_usable(void);

/* Empty matcher that will use backend want (resolved at mpm_build); NULL on no memory. */
struct mpm *mpm_new_backend(enum mpm_backend want);
/* Same as mpm_new_backend(MPM_BACKEND_AUTO). */
struct mpm *mpm_new(void);
/* Free m and everything it owns; NULL is a no-op. */
void mpm_free(struct mpm *m);

/* Add a pattern before mpm_build(); TG_ERROR on no memory or len 0. */
int mpm_add(struct mpm *m, const uint8_t *pat, size_t len, uint32_t id);
/* Build the matcher; TG_ERROR on no memory. No adds after this. When
 * Hyperscan was wanted but cannot compile the set, Aho-Corasick is built. */
int mpm_build(struct mpm *m);

/* Called for each pattern id found. An id may be reported more than once
 * per scan (Aho-Corasick reports every occurrence, Hyperscan one per id). */
typedef void (*mpm_hit_fn)(void *arg, uint32_t id);
/* Scan data; returns the number of hits reported. Not reentrant for one m:
 * the Hyperscan scratch space belongs to the matcher. */
size_t mpm_scan(const struct mpm *m, const uint8_t *data, size_t len, mpm_hit_fn hit, void *arg);

size_t mpm_pattern_count(const struct mpm *m);
size_t mpm_memuse(const struct mpm *m);
/* "hs" or "ac": the backend that scans (after mpm_build; before it, the
 * one the build will try). Static string. */
const char *mpm_backend_name(const struct mpm *m);

#endif
