/* defrag.c - IPv4/IPv6 reassembly (skeleton: fragments are counted only). */
#include <stdlib.h>
#include "config.h"
#include "defrag.h"

struct defrag {
    struct stats *stats;
};

struct defrag *defrag_new(const struct config *cfg, struct stats *st)
{
    TG_UNUSED(cfg);
    struct defrag *d = calloc(1, sizeof *d);
    if (d)
        d->stats = st;
    return d;
}

void defrag_free(struct defrag *d) { free(d); }

int defrag_add(struct defrag *d, struct packet *p, uint8_t **out, uint32_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    stats_inc(d->stats, p->ip_version == 4 ? STAT_DEFRAG_IPV4_FRAGMENTS : STAT_DEFRAG_IPV6_FRAGMENTS);
    return TG_DECLINED;
}

void defrag_expire(struct defrag *d, uint64_t now_ns) { TG_UNUSED(d); TG_UNUSED(now_ns); }
size_t defrag_memuse(const struct defrag *d) { TG_UNUSED(d); return 0; }
