/* stats.c - names for the statistics counters and events, and the final print. */
#include <inttypes.h>
#include "stats.h"

static const char *const stat_paths[STAT_MAX] = {
#define STAT(id, path) [STAT_##id] = path,
#include "stats-list.h"
#undef STAT
};

static const struct {
    const char *name;
    uint32_t sid;
} event_info[EV_MAX] = {
#define EVENT(id, n, s) [EV_##id] = {n, s},
#include "event-list.h"
#undef EVENT
};

const char *stats_path(enum stat_id id)
{
    return (unsigned)id < STAT_MAX ? stat_paths[id] : "?";
}

const char *event_name(enum event_id id)
{
    return (unsigned)id < EV_MAX ? event_info[id].name : "?";
}

uint32_t event_sid(enum event_id id)
{
    return (unsigned)id < EV_MAX ? event_info[id].sid : 0;
}

void stats_print(const struct stats *s, FILE *f)
{
    for (int i = 0; i < STAT_MAX; i++)
        if (s->c[i])
            fprintf(f, "%-36s %" PRIu64 "\n", stat_paths[i], s->c[i]);
    for (int i = 0; i < EV_MAX; i++)
        if (s->events[i])
            fprintf(f, "event %-30s %" PRIu64 "\n", event_info[i].name, s->events[i]);
}
