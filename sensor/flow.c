/* flow.c - bidirectional flow table (skeleton: chained hash, one timeout). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "flow.h"

struct flow_table {
    struct flow **buckets;
    size_t nbuckets;
    size_t count;
    uint64_t next_id;
    uint64_t timeout_ns;
    uint64_t last_expire_ns;
    struct stats *stats;
    flow_end_fn on_end;
    void *arg;
};

struct flow_table *flow_table_new(const struct config *cfg, struct stats *st, flow_end_fn on_end, void *arg)
{
    struct flow_table *ft = calloc(1, sizeof *ft);
    if (!ft)
        return NULL;
    ft->nbuckets = 65536;
    ft->buckets = calloc(ft->nbuckets, sizeof *ft->buckets);
    if (!ft->buckets) {
        free(ft);
        return NULL;
    }
    ft->timeout_ns = config_get_duration_ns(cfg, "flow.timeout", 120 * TG_NS_PER_SEC);
    ft->stats = st;
    ft->on_end = on_end;
    ft->arg = arg;
    ft->next_id = 1;
    return ft;
}

static uint32_t flow_hash(const struct ip_addr *a, uint16_t pa, const struct ip_addr *b, uint16_t pb,
                          uint8_t proto, uint16_t vlan)
{
    /* Order-independent: both directions hash alike. */
    uint32_t h = 2166136261u;
    uint32_t x = 0, y = 0;
    for (int i = 0; i < 16; i++) {
        x = x * 31 + a->b[i];
        y = y * 31 + b->b[i];
    }
    h ^= (x ^ y) + (uint32_t)(pa ^ pb) + proto * 131u + vlan * 7u;
    h *= 16777619u;
    return h;
}

static void flow_end(struct flow_table *ft, struct flow *f, enum flow_end_reason why)
{
    f->end_reason = (uint8_t)why;
    if (ft->on_end)
        ft->on_end(f, ft->arg);
    free(f);
    ft->count--;
}

struct flow *flow_lookup(struct flow_table *ft, struct packet *p)
{
    if (!(p->flags & PKT_HAS_L4))
        return NULL;
    uint16_t vlan = p->vlan_count ? p->vlan[0] : 0;
    uint16_t sp = p->sport, dp = p->dport;
    uint32_t h = flow_hash(&p->src, sp, &p->dst, dp, p->l4_proto, vlan);
    struct flow **bucket = &ft->buckets[h & (ft->nbuckets - 1)];
    for (struct flow *f = *bucket; f; f = f->hnext) {
        if (f->proto != p->l4_proto || f->vlan != vlan)
            continue;
        int dir = -1;
        if (!ip_addr_cmp(&f->addr[0], &p->src) && !ip_addr_cmp(&f->addr[1], &p->dst) &&
            f->port[0] == sp && f->port[1] == dp)
            dir = DIR_TO_SERVER;
        else if (!ip_addr_cmp(&f->addr[1], &p->src) && !ip_addr_cmp(&f->addr[0], &p->dst) &&
                 f->port[1] == sp && f->port[0] == dp)
            dir = DIR_TO_CLIENT;
        if (dir < 0)
            continue;
        p->flow = f;
        p->dir = (uint8_t)dir;
        f->pkts[dir]++;
        f->bytes[dir] += p->wirelen;
        f->last_ns = p->ts_ns;
        if (dir == DIR_TO_CLIENT)
            f->state = FLOW_STATE_ESTABLISHED;
        return f;
    }
    struct flow *f = calloc(1, sizeof *f);
    if (!f) {
        stats_inc(ft->stats, STAT_FLOW_MEMCAP_HIT);
        return NULL;
    }
    f->id = ft->next_id++;
    f->addr[0] = p->src;
    f->addr[1] = p->dst;
    f->port[0] = sp;
    f->port[1] = dp;
    f->proto = p->l4_proto;
    f->vlan = vlan;
    f->hash = h;
    f->start_ns = f->last_ns = p->ts_ns;
    f->pkts[0] = 1;
    f->bytes[0] = p->wirelen;
    f->hnext = *bucket;
    *bucket = f;
    ft->count++;
    stats_inc(ft->stats, STAT_FLOW_TOTAL);
    switch (f->proto) {
    case IPPROTO_NUM_TCP: stats_inc(ft->stats, STAT_FLOW_TCP); break;
    case IPPROTO_NUM_UDP: stats_inc(ft->stats, STAT_FLOW_UDP); break;
    case IPPROTO_NUM_ICMP: stats_inc(ft->stats, STAT_FLOW_ICMPV4); break;
    case IPPROTO_NUM_ICMPV6: stats_inc(ft->stats, STAT_FLOW_ICMPV6); break;
    default: stats_inc(ft->stats, STAT_FLOW_OTHER); break;
    }
    p->flow = f;
    p->dir = DIR_TO_SERVER;
    return f;
}

static void flow_table_sweep(struct flow_table *ft, uint64_t now_ns, bool all)
{
    for (size_t i = 0; i < ft->nbuckets; i++) {
        struct flow **pp = &ft->buckets[i];
        while (*pp) {
            struct flow *f = *pp;
            if (all || f->last_ns + ft->timeout_ns < now_ns) {
                *pp = f->hnext;
                if (!all)
                    stats_inc(ft->stats, STAT_FLOW_TIMEOUTS);
                flow_end(ft, f, all ? FLOW_END_SHUTDOWN : FLOW_END_TIMEOUT);
            } else {
                pp = &f->hnext;
            }
        }
    }
}

void flow_table_expire(struct flow_table *ft, uint64_t now_ns)
{
    if (now_ns < ft->last_expire_ns + TG_NS_PER_SEC)
        return;
    ft->last_expire_ns = now_ns;
    flow_table_sweep(ft, now_ns, false);
}

void flow_table_flush(struct flow_table *ft)
{
    if (ft)
        flow_table_sweep(ft, 0, true);
}

void flow_table_free(struct flow_table *ft)
{
    if (!ft)
        return;
    flow_table_flush(ft);
    free(ft->buckets);
    free(ft);
}

size_t flow_table_count(const struct flow_table *ft) { return ft->count; }
size_t flow_table_memuse(const struct flow_table *ft) { return ft->count * sizeof(struct flow); }

const char *flow_proto_name(uint8_t proto, char *buf, size_t len)
{
    switch (proto) {
    case IPPROTO_NUM_TCP: return "TCP";
    case IPPROTO_NUM_UDP: return "UDP";
    case IPPROTO_NUM_ICMP: return "ICMP";
    case IPPROTO_NUM_ICMPV6: return "IPv6-ICMP";
    default: snprintf(buf, len, "%u", proto); return buf;
    }
}
