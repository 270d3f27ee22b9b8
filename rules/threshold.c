/* threshold.c - per-host match counters for thresholds and rate filters. */
#include <stdlib.h>
#include <string.h>
#include "../sensor/config.h"
#include "threshold.h"

#define THRESHOLD_BUCKETS 16384

struct threshold_entry {
    struct hostkey key;
    uint32_t gid, sid;
    uint64_t window_start_ns;
    uint64_t last_ns;
    uint64_t action_until_ns; /* rate_filter: new action active until */
    uint32_t count;
    bool fired;               /* "both": alerted in this window */
    struct threshold_entry *next;
};

struct threshold_table {
    struct threshold_entry *buckets[THRESHOLD_BUCKETS];
    size_t count, max;
    uint64_t seed;
    struct stats *stats;
};

struct threshold_table *threshold_new(const struct config *cfg, struct stats *st)
{
    struct threshold_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->max = config_get_u64(cfg, "detect.threshold.max-entries", 65536);
    t->seed = config_get_u64(cfg, "detect.threshold.seed", (uint64_t)(uintptr_t)t ^ 0x9e3779b97f4a7c15ULL);
    t->stats = st;
    return t;
}

void threshold_free(struct threshold_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < THRESHOLD_BUCKETS; i++) {
        struct threshold_entry *e = t->buckets[i];
        while (e) {
            struct threshold_entry *n = e->next;
            free(e);
            e = n;
        }
    }
    free(t);
}

size_t threshold_count(const struct threshold_table *t) { return t->count; }

/* An entry is dead when its window and any rate_filter action have passed. */
static bool entry_dead(const struct threshold_entry *e, uint64_t now_ns, uint64_t window_ns)
{
    return now_ns >= e->window_start_ns + window_ns && now_ns >= e->action_until_ns;
}

/* Drop dead entries of one bucket; returns how many went. Entries carry no
 * spec, so a generous horizon (one hour idle) defines dead here. */
static size_t bucket_reclaim(struct threshold_table *t, size_t b, uint64_t now_ns)
{
    size_t n = 0;
    struct threshold_entry **pp = &t->buckets[b];
    while (*pp) {
        struct threshold_entry *e = *pp;
        if (e->last_ns + 3600 * TG_NS_PER_SEC <= now_ns && now_ns >= e->action_until_ns) {
            *pp = e->next;
            free(e);
            t->count--;
            n++;
        } else {
            pp = &e->next;
        }
    }
    return n;
}

enum threshold_verdict threshold_check(struct threshold_table *t, uint32_t gid, uint32_t sid,
                                       const struct threshold_spec *spec, const struct ip_addr *src,
                                       const struct ip_addr *dst, uint64_t now_ns)
{
    struct hostkey k;
    hostkey_make(&k, (enum track_by)spec->track, src, dst);
    size_t b = hostkey_hash(&k, ((uint64_t)gid << 32) | sid, t->seed) % THRESHOLD_BUCKETS;
    uint64_t window_ns = (uint64_t)spec->seconds * TG_NS_PER_SEC;
    struct threshold_entry *e;
    for (e = t->buckets[b]; e; e = e->next)
        if (e->gid == gid && e->sid == sid && memcmp(&e->key, &k, sizeof k) == 0)
            break;
    if (!e) {
        if (t->count >= t->max && bucket_reclaim(t, b, now_ns) == 0) {
            stats_inc(t->stats, STAT_DETECT_THRESHOLD_CAP_HIT);
            return THRESHOLD_ALERT;
        }
        e = calloc(1, sizeof *e);
        if (!e) {
            stats_inc(t->stats, STAT_DETECT_THRESHOLD_CAP_HIT);
            return THRESHOLD_ALERT;
        }
        e->key = k;
        e->gid = gid;
        e->sid = sid;
        e->window_start_ns = now_ns;
        e->next = t->buckets[b];
        t->buckets[b] = e;
        t->count++;
    } else if (entry_dead(e, now_ns, window_ns) || now_ns >= e->window_start_ns + window_ns) {
        /* A new window. */
        e->window_start_ns = now_ns;
        e->count = 0;
        e->fired = false;
    }
    if (e->action_until_ns && now_ns >= e->action_until_ns) {
        /* A rate_filter's new action ran out: count afresh. */
        e->action_until_ns = 0;
        e->window_start_ns = now_ns;
        e->count = 0;
    }
    e->last_ns = now_ns;
    e->count++;
    switch ((enum threshold_type)spec->type) {
    case THRESHOLD_LIMIT:
        return e->count <= spec->count ? THRESHOLD_ALERT : THRESHOLD_SUPPRESS;
    case THRESHOLD_THRESHOLD:
        /* Like Suricata: the counter restarts, the window does not. */
        if (e->count >= spec->count) {
            e->count = 0;
            return THRESHOLD_ALERT;
        }
        return THRESHOLD_SUPPRESS;
    case THRESHOLD_BOTH:
        if (e->count >= spec->count && !e->fired) {
            e->fired = true;
            return THRESHOLD_ALERT;
        }
        return THRESHOLD_SUPPRESS;
    case THRESHOLD_DETECTION_FILTER:
        return e->count > spec->count ? THRESHOLD_ALERT : THRESHOLD_SUPPRESS;
    case THRESHOLD_RATE_FILTER:
        if (now_ns < e->action_until_ns)
            return THRESHOLD_NEW_ACTION;
        if (e->count > spec->count) {
            e->action_until_ns = now_ns + (uint64_t)spec->timeout * TG_NS_PER_SEC;
            return THRESHOLD_NEW_ACTION;
        }
        return THRESHOLD_ALERT;
    }
    return THRESHOLD_ALERT;
}
