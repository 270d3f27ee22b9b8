/* baseline.h - learn what clean SIP traffic of one site looks like and write
 * it as a rules file (tollgate baseline learn).
 *
 * The learner consumes parsed messages (struct sip_msg, as the engine's
 * observer hands them over) and keeps, per request method and for responses,
 * per rule buffer (sip.from, sip.via, ...): a sample count, the longest value,
 * a fixed-size histogram of lengths (p99), the set of bytes seen, and for
 * small-valued fields (methods, user agents, content types) the distinct
 * values. It also counts, per header name, in how many messages the header
 * appears and whether it ever appears twice. Memory is bounded: classes and
 * header names have caps, value sets stop at a fixed size, histograms have a
 * fixed number of buckets. baseline_write() turns that into commented
 * bsize / pcre / sip.header_count rules an admin can read, tune and load. */
#ifndef TG_BASELINE_H
#define TG_BASELINE_H

#include <stdio.h>
#include "../sensor/common.h"

struct sip_msg;
struct config;

/* Histogram of lengths: exact below 256, 16-byte buckets up to 4351, then
 * one bucket for everything longer. */
#define BASELINE_HIST_EXACT 256
#define BASELINE_HIST_WIDE 256
#define BASELINE_HIST_STEP 16
#define BASELINE_HIST_BUCKETS (BASELINE_HIST_EXACT + BASELINE_HIST_WIDE + 1)

struct baseline_hist {
    uint64_t n;
    uint32_t max;
    uint32_t bucket[BASELINE_HIST_BUCKETS];
};

/* Count one length. */
void baseline_hist_add(struct baseline_hist *h, uint32_t len);
/* The smallest length L such that at least pct percent of the samples are
 * <= L, rounded up to the bucket's upper edge and never above the maximum;
 * 0 without samples. pct is 1..100. */
uint32_t baseline_hist_percentile(const struct baseline_hist *h, unsigned pct);

/* The bytes a field was seen with (a 256-bit set). */
struct baseline_charset {
    uint8_t bits[32];
};

void baseline_charset_add(struct baseline_charset *c, const uint8_t *p, size_t len);
/* Write into dst (cap bytes, NUL-terminated) the PCRE negative character
 * class of the bytes OUTSIDE the generalised set: a digit seen allows 0-9, a
 * lower-case letter a-z, an upper-case letter A-Z; every other byte is
 * allowed only if it was seen itself. Bytes other than letters and digits
 * are written as \xHH so the class is safe inside a rule's quoted pcre.
 * Returns the length, 0 when the generalised set holds all 256 bytes (no
 * rule possible) or when cap is too small. */
size_t baseline_charset_pcre_class(const struct baseline_charset *c, char *dst, size_t cap);
/* Human-readable summary of the generalised set ("0-9 A-Z a-z and -.:;<=>@_"
 * with non-printables as \xHH) into dst; returns the length. */
size_t baseline_charset_describe(const struct baseline_charset *c, char *dst, size_t cap);

/* Distinct values of a field, kept only while they are few and short. */
#define BASELINE_VSET_MAX 16
#define BASELINE_VALUE_MAX 128

struct baseline_vset {
    uint32_t n;          /* distinct values kept */
    bool overflow;       /* more distinct values than BASELINE_VSET_MAX, or one too long */
    uint64_t seen[BASELINE_VSET_MAX];
    uint16_t len[BASELINE_VSET_MAX];
    uint8_t val[BASELINE_VSET_MAX][BASELINE_VALUE_MAX];
};

/* Count one value (exact bytes). */
void baseline_vset_add(struct baseline_vset *v, const uint8_t *p, size_t len);
/* Small and stable: no overflow, at most max_values distinct values, and
 * each of them seen at least BASELINE_VSET_MIN_SEEN times (a value seen
 * once or twice means the set has a long tail the capture did not cover). */
#define BASELINE_VSET_MIN_SEEN 3
bool baseline_vset_stable(const struct baseline_vset *v, uint32_t max_values);

struct baseline_opts {
    uint32_t margin_pct;   /* bsize limit = max + margin (default 25) */
    uint32_t min_samples;  /* fields with fewer samples get no rule (default 20) */
    uint32_t sid_base;     /* first sid (default 9200000) */
    uint32_t max_values;   /* largest value set turned into a rule (default 8) */
    uint32_t max_classes;  /* request methods learned separately (baseline.max-methods, 32) */
    uint32_t max_headers;  /* header names tracked per class (baseline.max-header-names, 64) */
};

#define BASELINE_SID_BASE 9200000u
#define BASELINE_SID_RANGE 100000u /* 9200000-9299999 is reserved for baseline rules */

/* Defaults, with the caps read from cfg (may be NULL). */
void baseline_opts_default(struct baseline_opts *o, const struct config *cfg);

struct baseline;

/* A learner with options o (copied). NULL when out of memory. */
struct baseline *baseline_new(const struct baseline_opts *o);
void baseline_free(struct baseline *b);

/* Learn one parsed message (request or response; others are ignored). */
void baseline_learn(struct baseline *b, const struct sip_msg *m);

/* Messages learned so far (requests + responses). */
uint64_t baseline_messages(const struct baseline *b);

/* Write the rules file to f. sources[i] (nsrc of them) and their message
 * counts msgs[i] (may be NULL) go into the header comment with date (any
 * text; one line). TG_OK, or TG_ERROR on a write error or when the sids
 * would leave the reserved range (err says which). */
int baseline_write(const struct baseline *b, FILE *f, const char *const *sources, const uint64_t *msgs,
                   size_t nsrc, const char *date, char *err, size_t errlen);

/* "tollgate baseline ...": argv[0] is "baseline". Returns the exit status
 * (0 ok, 1 runtime error, 2 usage). */
int baseline_cli_main(int argc, char **argv);

#endif
