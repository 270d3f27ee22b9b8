/* stats.h - the engine's statistics counters (one array, indexed by enum). */
#ifndef TG_STATS_H
#define TG_STATS_H

#include <stdio.h>
#include "common.h"

enum stat_id {
#define STAT(id, path) STAT_##id,
#include "stats-list.h"
#undef STAT
    STAT_MAX
};

enum event_id {
#define EVENT(id, name, sid) EV_##id,
#include "event-list.h"
#undef EVENT
    EV_MAX
};

struct stats {
    uint64_t c[STAT_MAX];
    uint64_t events[EV_MAX];
};

static inline void stats_inc(struct stats *s, enum stat_id id) { s->c[id]++; }
static inline void stats_add(struct stats *s, enum stat_id id, uint64_t n) { s->c[id] += n; }
static inline void stats_set(struct stats *s, enum stat_id id, uint64_t v) { s->c[id] = v; }

/* Dotted path of a counter ("decoder.ipv4"); never NULL for a valid id. */
const char *stats_path(enum stat_id id);
/* Name and sid of an event; never NULL for a valid id. */
const char *event_name(enum event_id id);
uint32_t event_sid(enum event_id id);

/* Print every non-zero counter and event, one per line, to f. */
void stats_print(const struct stats *s, FILE *f);

#endif
