/* fuzz-flow.c - libFuzzer target: drive the flow table with packet sequences
 * and check its bookkeeping after every step.
 *
 * Input: 12-byte records {proto, src, dst, sport16, dport16, tcp flags,
 * icmp type, seconds forward, state to force, vlan}. A tiny memcap, hash
 * and timeouts make eviction, collisions, expiry and port reuse common. */
#include <stdlib.h>
#include <string.h>
#include "../../sensor/config.h"
#include "../../sensor/flow.h"

struct fuzz_ends {
    uint64_t n;
};

static void on_end(struct flow *f, void *arg)
{
    struct fuzz_ends *e = arg;
    if (f->pkts[0] + f->pkts[1] == 0)
        abort(); /* every flow was made by a packet */
    e->n++;
}

static void count_one(struct flow *f, void *arg)
{
    (void)f;
    (*(size_t *)arg)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t protos[4] = {IPPROTO_NUM_TCP, IPPROTO_NUM_UDP, IPPROTO_NUM_ICMP, IPPROTO_NUM_ICMPV6};
    struct config *cfg = config_new();
    char memcap[64];
    snprintf(memcap, sizeof memcap, "flow.memcap=%zu", 8 * sizeof(struct flow));
    config_set(cfg, memcap);
    config_set(cfg, "flow.hash-size=16");
    config_set(cfg, "flow.hash-seed=1");
    config_set(cfg, "flow.timeout.tcp.new=5");
    config_set(cfg, "flow.timeout.tcp.closed=1");
    config_set(cfg, "flow.timeout.udp.new=3");
    struct stats st;
    memset(&st, 0, sizeof st);
    struct fuzz_ends ends = {0};
    struct flow_table *ft = flow_table_new(cfg, &st, on_end, &ends);
    if (!ft)
        abort();
    uint64_t now = 1000 * TG_NS_PER_SEC;
    uint8_t l4[8];
    for (size_t off = 0; off + 12 <= size; off += 12) {
        const uint8_t *r = data + off;
        struct packet p;
        memset(&p, 0, sizeof p);
        p.l4_proto = protos[r[0] & 3];
        p.src.family = p.dst.family = 4;
        p.src.b[0] = p.dst.b[0] = 198;
        p.src.b[1] = p.dst.b[1] = 18;
        p.src.b[3] = r[1] & 7;
        p.dst.b[3] = r[2] & 7;
        p.sport = (uint16_t)((r[3] << 8 | r[4]) & 0x0f);
        p.dport = (uint16_t)((r[5] << 8 | r[6]) & 0x0f);
        p.tcp_flags = r[7];
        p.icmp_type = r[8];
        memset(l4, 0, sizeof l4);
        l4[0] = r[8];
        l4[5] = r[4];
        p.l4 = l4;
        p.l4_len = (r[0] & 0x80) ? 8 : 3; /* sometimes too short for the id */
        now += (uint64_t)(r[9] & 0x0f) * TG_NS_PER_SEC / 2;
        p.ts_ns = (r[9] & 0x80) ? now - TG_NS_PER_SEC : now; /* some out of order */
        p.wirelen = 60;
        p.flags = PKT_HAS_L4;
        if (r[11] & 1) {
            p.vlan[0] = r[11];
            p.vlan_count = 1;
        }
        struct flow *f = flow_lookup(ft, &p);
        if (f) {
            if (p.flow != f || p.dir > 1)
                abort();
            if (r[10] < 3)
                f->state = r[10];
        }
        flow_table_expire(ft, now);
        size_t n = 0;
        flow_table_foreach(ft, count_one, &n);
        if (n != flow_table_count(ft) || flow_table_memuse(ft) != n * sizeof(struct flow) ||
            flow_table_memuse(ft) > 8 * sizeof(struct flow) || st.c[STAT_FLOW_ACTIVE] != n ||
            st.c[STAT_FLOW_TOTAL] != ends.n + n)
            abort();
    }
    flow_table_free(ft);
    if (ends.n != st.c[STAT_FLOW_TOTAL] || st.c[STAT_FLOW_ACTIVE] != 0)
        abort();
    config_free(cfg);
    return 0;
}
