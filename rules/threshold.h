/* threshold.h - alert thresholds, detection filters and rate filters
 * (Suricata semantics), tracked per source, destination, pair or rule.
 *
 *  limit      alert on the first `count` matches in each `seconds` window
 *  threshold  alert on every `count`-th match within `seconds`
 *  both       alert once per window, when the `count`-th match arrives
 *  detection_filter  alert on every match after the first `count` within
 *             `seconds` (the rule "fires" only above a rate)
 *  rate_filter  like detection_filter, but switches the rule's action to
 *             `new_action` for `timeout` seconds once the rate is exceeded
 *
 * State lives in one table with a cap (detect.threshold.max-entries);
 * when it is full and nothing can be reclaimed the match is let through
 * (fail open: an alert too many beats a missed attack) and the hit counted. */
#ifndef TG_THRESHOLD_H
#define TG_THRESHOLD_H

#include "hostkey.h"

struct config;
struct threshold_table;

enum threshold_type {
    THRESHOLD_LIMIT = 0,
    THRESHOLD_THRESHOLD,
    THRESHOLD_BOTH,
    THRESHOLD_DETECTION_FILTER,
    THRESHOLD_RATE_FILTER
};

struct threshold_spec {
    uint8_t type;        /* enum threshold_type */
    uint8_t track;       /* enum track_by */
    uint8_t new_action;  /* rate_filter: action while exceeded (caller's enum) */
    uint32_t count;
    uint32_t seconds;
    uint32_t timeout;    /* rate_filter: seconds the new action lasts */
};

enum threshold_verdict {
    THRESHOLD_SUPPRESS = 0, /* do not alert */
    THRESHOLD_ALERT = 1,    /* alert with the rule's action */
    THRESHOLD_NEW_ACTION = 2 /* rate_filter active: use spec->new_action */
};

/* Key: detect.threshold.max-entries (default 65536). NULL on no memory. */
struct threshold_table *threshold_new(const struct config *cfg, struct stats *st);
void threshold_free(struct threshold_table *t);

/* One match of rule gid:sid with spec, at capture time now_ns. */
enum threshold_verdict threshold_check(struct threshold_table *t, uint32_t gid, uint32_t sid,
                                       const struct threshold_spec *spec, const struct ip_addr *src,
                                       const struct ip_addr *dst, uint64_t now_ns);

size_t threshold_count(const struct threshold_table *t);

#endif
