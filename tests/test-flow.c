/* test-flow.c - unit tests for the flow table (sensor/flow.c). */
#include "../sensor/config.h"
#include "../sensor/flow.h"
#include "test.h"

#define SEC TG_NS_PER_SEC

/* Every ended flow, in end order. */
struct ended {
    uint64_t id[64];
    uint8_t reason[64];
    uint8_t state[64];
    uint64_t pkts0[64], pkts1[64];
    uint16_t port0[64];
    unsigned n;
};

static void on_end(struct flow *f, void *arg)
{
    struct ended *e = arg;
    if (e->n < 64) {
        e->id[e->n] = f->id;
        e->reason[e->n] = f->end_reason;
        e->state[e->n] = f->state;
        e->pkts0[e->n] = f->pkts[0];
        e->pkts1[e->n] = f->pkts[1];
        e->port0[e->n] = f->port[0];
    }
    e->n++;
}

static void set_ip4(struct ip_addr *a, uint8_t last)
{
    memset(a, 0, sizeof *a);
    a->family = 4;
    a->b[0] = 198;
    a->b[1] = 18;
    a->b[2] = 0;
    a->b[3] = last;
}

/* A TCP/UDP packet from 198.18.0.s:sp to 198.18.0.d:dp at t seconds. */
static struct packet pkt(uint8_t proto, uint8_t s, uint16_t sp, uint8_t d, uint16_t dp, uint64_t t_ns)
{
    struct packet p;
    memset(&p, 0, sizeof p);
    set_ip4(&p.src, s);
    set_ip4(&p.dst, d);
    p.ip_version = 4;
    p.l4_proto = proto;
    p.sport = sp;
    p.dport = dp;
    p.ts_ns = t_ns;
    p.wirelen = 100;
    p.flags = PKT_HAS_L4;
    return p;
}

static struct flow_table *table(struct config **cfg, struct stats *st, struct ended *e, const char *const *sets)
{
    *cfg = config_new();
    config_set(*cfg, "flow.hash-seed=12345");
    for (; sets && *sets; sets++)
        config_set(*cfg, *sets);
    memset(st, 0, sizeof *st);
    memset(e, 0, sizeof *e);
    return flow_table_new(*cfg, st, on_end, e);
}

TEST(both_directions_one_flow)
{
    struct config *cfg;
    struct stats st;
    struct ended e;
    struct flow_table *ft = table(&cfg, &st, &e, NULL);
    struct packet a = pkt(IPPROTO_NUM_UDP, 1, 5060, 2, 5070, 1 * SEC);
    struct packet b = pkt(IPPROTO_NUM_UDP, 2, 5070, 1, 5060, 2 * SEC);
    struct packet c = pkt(IPPROTO_NUM_UDP, 1, 5060, 2, 5071, 3 * SEC); /* other port: other flow */
    struct flow *fa = flow_lookup(ft, &a);
    struct flow *fb = flow_lookup(ft, &b);
    struct flow *fc = flow_lookup(ft, &c);
    CHECK(fa && fa == fb);
    CHECK(fc && fc != fa);
    CHECK_EQ_U(a.dir, DIR_TO_SERVER);
    CHECK_EQ_U(b.dir, DIR_TO_CLIENT);
    CHECK_EQ_U(fa->pkts[0], 1);
    CHECK_EQ_U(fa->pkts[1], 1);
    CHECK_EQ_U(fa->bytes[1], 100);
    CHECK_EQ_U(fa->port[0], 5060);
    CHECK_EQ_U(fa->state, FLOW_STATE_ESTABLISHED);
    CHECK_EQ_U(fc->state, FLOW_STATE_NEW);
    CHECK_EQ_U(fa->start_ns, 1 * SEC);
    CHECK_EQ_U(fa->last_ns, 2 * SEC);
    CHECK_EQ_U(flow_table_count(ft), 2);
    CHECK_EQ_U(st.c[STAT_FLOW_ACTIVE], 2);
    CHECK_EQ_U(st.c[STAT_FLOW_UDP], 2);
    CHECK_EQ_U(st.c[STAT_FLOW_MEMUSE], 2 * sizeof(struct flow));
    CHECK(fa->id != fc->id && fa->id != 0 && fc->id != 0);
    /* Same tuple on another VLAN is another flow. */
    struct packet v = pkt(IPPROTO_NUM_UDP, 1, 5060, 2, 5070, 4 * SEC);
    v.vlan[0] = 10;
    v.vlan_count = 1;
    struct flow *fv = flow_lookup(ft, &v);
    CHECK(fv && fv != fa);
    CHECK_EQ_U(fv->vlan, 10);
    /* No L4: no flow. */
    struct packet n = pkt(IPPROTO_NUM_UDP, 1, 1, 2, 2, 5 * SEC);
    n.flags = 0;
    CHECK(flow_lookup(ft, &n) == NULL);
    flow_table_free(ft);
    CHECK_EQ_U(e.n, 3);
    CHECK_EQ_U(e.reason[0], FLOW_END_SHUTDOWN);
    CHECK_EQ_U(st.c[STAT_FLOW_ACTIVE], 0);
    CHECK_EQ_U(st.c[STAT_FLOW_MEMUSE], 0);
    config_free(cfg);
}

TEST(tcp_synack_first_swaps)
{
    struct config *cfg;
    struct stats st;
    struct ended e;
    struct flow_table *ft = table(&cfg, &st, &e, NULL);
    struct packet sa = pkt(IPPROTO_NUM_TCP, 2, 80, 1, 40000, 1 * SEC);
    sa.tcp_flags = TCP_SYN | TCP_ACK;
    struct flow *f = flow_lookup(ft, &sa);
    CHECK(f != NULL);
    CHECK_EQ_U(sa.dir, DIR_TO_CLIENT);
    CHECK_EQ_U(f->addr[0].b[3], 1);
    CHECK_EQ_U(f->port[0], 40000);
    CHECK_EQ_U(f->port[1], 80);
    CHECK_EQ_U(f->pkts[1], 1);
    struct packet ack = pkt(IPPROTO_NUM_TCP, 1, 40000, 2, 80, 2 * SEC);
    ack.tcp_flags = TCP_ACK;
    CHECK(flow_lookup(ft, &ack) == f);
    CHECK_EQ_U(ack.dir, DIR_TO_SERVER);
    CHECK_EQ_U(f->state, FLOW_STATE_ESTABLISHED);
    flow_table_free(ft);
    config_free(cfg);
}

TEST(timeouts_per_state)
{
    static const char *const sets[] = {"flow.timeout.udp.new=5s", "flow.timeout.udp.established=20s",
                                       "flow.timeout.tcp.closed=2s", "flow.timeout.tcp.established=100s",
                                       NULL};
    struct config *cfg;
    struct stats st;
    struct ended e;
    struct flow_table *ft = table(&cfg, &st, &e, sets);
    struct packet u1 = pkt(IPPROTO_NUM_UDP, 1, 1000, 2, 2000, 10 * SEC); /* stays new */
    struct packet u2 = pkt(IPPROTO_NUM_UDP, 3, 1000, 4, 2000, 10 * SEC); /* becomes established */
    struct packet u2r = pkt(IPPROTO_NUM_UDP, 4, 2000, 3, 1000, 10 * SEC);
    struct packet t = pkt(IPPROTO_NUM_TCP, 5, 1000, 6, 80, 10 * SEC);
    struct packet tr = pkt(IPPROTO_NUM_TCP, 6, 80, 5, 1000, 10 * SEC);
    struct flow *f1 = flow_lookup(ft, &u1);
    struct flow *f2 = flow_lookup(ft, &u2);
    flow_lookup(ft, &u2r);
    struct flow *ft3 = flow_lookup(ft, &t);
    flow_lookup(ft, &tr);
    ft3->state = FLOW_STATE_CLOSED; /* as the stream module does after FIN/RST */
    uint64_t id1 = f1->id, id2 = f2->id, id3 = ft3->id;
    flow_table_expire(ft, 12 * SEC); /* closed TCP: 2s passed, not more */
    CHECK_EQ_U(e.n, 0);
    flow_table_expire(ft, 12 * SEC + 1);
    CHECK_EQ_U(e.n, 1);
    CHECK_EQ_U(e.id[0], id3);
    CHECK_EQ_U(e.reason[0], FLOW_END_TIMEOUT);
    CHECK_EQ_U(e.state[0], FLOW_STATE_CLOSED);
    flow_table_expire(ft, 15 * SEC);
    CHECK_EQ_U(e.n, 1);
    flow_table_expire(ft, 15 * SEC + 1); /* new UDP after 5s */
    CHECK_EQ_U(e.n, 2);
    CHECK_EQ_U(e.id[1], id1);
    flow_table_expire(ft, 30 * SEC);
    CHECK_EQ_U(e.n, 2);
    flow_table_expire(ft, 31 * SEC); /* established UDP after 20s */
    CHECK_EQ_U(e.n, 3);
    CHECK_EQ_U(e.id[2], id2);
    CHECK_EQ_U(st.c[STAT_FLOW_TIMEOUTS], 3);
    CHECK_EQ_U(flow_table_count(ft), 0);
    flow_table_free(ft);
    CHECK_EQ_U(e.n, 3);
    config_free(cfg);
}

TEST(timeout_seen_at_lookup)
{
    /* The engine expires after each packet; a packet that arrives after
     * its flow's timeout but before a sweep must still start a new flow. */
    struct config *cfg;
    struct stats st;
    struct ended e;
    struct flow_table *ft = table(&cfg, &st, &e, NULL);
    struct packet a = pkt(IPPROTO_NUM_UDP, 1, 40001, 3, 4000, 3 * SEC);
    struct packet b = pkt(IPPROTO_NUM_UDP, 1, 40001, 3, 4000, 43 * SEC); /* udp.new is 30 s */
    struct flow *f = flow_lookup(ft, &a);
    uint64_t first = f->id;
    struct flow *g = flow_lookup(ft, &b);
    CHECK(g != NULL);
    CHECK_EQ_U(e.n, 1);
    CHECK_EQ_U(e.id[0], first);
    CHECK_EQ_U(e.reason[0], FLOW_END_TIMEOUT);
    CHECK(g->id != first);
    CHECK_EQ_U(g->pkts[0], 1);
    CHECK_EQ_U(g->start_ns, 43 * SEC);
    CHECK_EQ_U(st.c[STAT_FLOW_TIMEOUTS], 1);
    CHECK_EQ_U(st.c[STAT_FLOW_UDP], 2);
    flow_table_free(ft);
    config_free(cfg);
}

TEST(lru_expiry_order)
{
    static const char *const sets[] = {"flow.timeout.udp.new=10s", NULL};
    struct config *cfg;
    struct stats st;
    struct ended e;
    struct flow_table *ft = table(&cfg, &st, &e, sets);
    /* Flows created at 1,2,3,4 s; flow of port 1 is touched again at 5 s. */
    for (uint16_t i = 1; i <= 4; i++) {
        struct packet p = pkt(IPPROTO_NUM_UDP, 1, i, 2, 53, i * SEC);
        flow_lookup(ft, &p);
    }
    struct packet again = pkt(IPPROTO_NUM_UDP, 1, 1, 2, 53, 5 * SEC);
    flow_lookup(ft, &again);
    /* A packet with an older timestamp must not make its flow look older. */
    struct packet late = pkt(IPPROTO_NUM_UDP, 1, 4, 2, 53, 1 * SEC);
    flow_lookup(ft, &late);
    flow_table_expire(ft, 14 * SEC); /* 2 and 3 are more than 10 s old */
    CHECK_EQ_U(e.n, 2);
    CHECK_EQ_U(e.port0[0], 2);
    CHECK_EQ_U(e.port0[1], 3);
    flow_table_expire(ft, 100 * SEC);
    CHECK_EQ_U(e.n, 4);
    CHECK_EQ_U(e.port0[2], 1);
    CHECK_EQ_U(e.port0[3], 4);
    CHECK_EQ_U(e.pkts0[2], 2);
    flow_table_free(ft);
    config_free(cfg);
}

TEST(memcap_emergency_eviction)
{
    char memcap[64];
    snprintf(memcap, sizeof memcap, "flow.memcap=%zu", 3 * sizeof(struct flow));
    const char *sets[] = {memcap, NULL};
    struct config *cfg;
    struct stats st;
    struct ended e;
    struct flow_table *ft = table(&cfg, &st, &e, sets);
    for (uint16_t i = 1; i <= 3; i++) {
        struct packet p = pkt(IPPROTO_NUM_UDP, 1, i, 2, 53, i * SEC);
        CHECK(flow_lookup(ft, &p) != NULL);
    }
    struct packet t1 = pkt(IPPROTO_NUM_UDP, 1, 1, 2, 53, 4 * SEC); /* port 1 is now the newest */
    flow_lookup(ft, &t1);
    CHECK_EQ_U(e.n, 0);
    struct packet p4 = pkt(IPPROTO_NUM_UDP, 1, 4, 2, 53, 5 * SEC);
    CHECK(flow_lookup(ft, &p4) != NULL);
    CHECK_EQ_U(e.n, 1);
    CHECK_EQ_U(e.port0[0], 2); /* least recently seen */
    CHECK_EQ_U(e.reason[0], FLOW_END_EVICTED);
    CHECK_EQ_U(st.c[STAT_FLOW_EMERG_EVICTED], 1);
    CHECK_EQ_U(st.c[STAT_FLOW_MEMCAP_HIT], 0);
    CHECK_EQ_U(flow_table_count(ft), 3);
    CHECK(flow_table_memuse(ft) <= 3 * sizeof(struct flow));
    flow_table_free(ft);
    config_free(cfg);

    /* A memcap below one flow record: nothing can be made, counted, no crash. */
    static const char *const tiny[] = {"flow.memcap=16", NULL};
    ft = table(&cfg, &st, &e, tiny);
    struct packet p = pkt(IPPROTO_NUM_UDP, 1, 1, 2, 53, SEC);
    CHECK(flow_lookup(ft, &p) == NULL);
    CHECK(p.flow == NULL);
    CHECK_EQ_U(st.c[STAT_FLOW_MEMCAP_HIT], 1);
    CHECK_EQ_U(st.c[STAT_FLOW_EMERG_EVICTED], 0);
    flow_table_free(ft);
    config_free(cfg);
}

static void collect_ids(struct flow *f, void *arg)
{
    uint64_t *sum = arg;
    sum[0] ^= f->id * 31 + f->hash;
    sum[1]++;
}

TEST(seeded_hash_determinism)
{
    uint64_t sums[3][2] = {{0}};
    uint32_t buckets[3][8];
    const char *seeds[3] = {"flow.hash-seed=7", "flow.hash-seed=7", "flow.hash-seed=8"};
    for (int r = 0; r < 3; r++) {
        struct config *cfg = config_new();
        struct stats st = {0};
        config_set(cfg, seeds[r]);
        struct flow_table *ft = flow_table_new(cfg, &st, NULL, NULL);
        CHECK_EQ_U(flow_table_seed(ft), r == 2 ? 8 : 7);
        for (uint16_t i = 0; i < 100; i++) {
            struct packet p = pkt(IPPROTO_NUM_TCP, 1, (uint16_t)(1000 + i), 2, 80, SEC);
            flow_lookup(ft, &p);
            if (i < 8) {
                buckets[r][i] = flow_table_hash_packet(ft, &p);
                /* Both directions of a tuple hash alike. */
                struct packet rv = pkt(IPPROTO_NUM_TCP, 2, 80, 1, (uint16_t)(1000 + i), SEC);
                CHECK_EQ_U(flow_table_hash_packet(ft, &rv), buckets[r][i]);
            }
        }
        flow_table_foreach(ft, collect_ids, sums[r]);
        CHECK_EQ_U(sums[r][1], 100);
        flow_table_free(ft);
        config_free(cfg);
    }
    CHECK_EQ_U(sums[0][0], sums[1][0]);
    CHECK(sums[0][0] != sums[2][0]);
    CHECK(memcmp(buckets[0], buckets[1], sizeof buckets[0]) == 0);
    CHECK(memcmp(buckets[0], buckets[2], sizeof buckets[0]) != 0);
    /* Without a configured seed, two tables get different seeds. */
    struct stats st = {0};
    struct flow_table *a = flow_table_new(NULL, &st, NULL, NULL);
    struct flow_table *b = flow_table_new(NULL, &st, NULL, NULL);
    CHECK(flow_table_seed(a) != flow_table_seed(b));
    flow_table_free(a);
    flow_table_free(b);
}

TEST(siphash_reference_vectors)
{
    /* Aumasson and Bernstein, "SipHash: a fast short-input PRF", appendix A
     * and the reference vectors.h: key 00..0f, message 00..(len-1). */
    uint8_t msg[16];
    for (int i = 0; i < 16; i++)
        msg[i] = (uint8_t)i;
    uint64_t k0 = 0x0706050403020100ull, k1 = 0x0f0e0d0c0b0a0908ull;
    CHECK_EQ_U(flow_siphash24(k0, k1, msg, 0), 0x726fdb47dd0e0e31ull);
    CHECK_EQ_U(flow_siphash24(k0, k1, msg, 15), 0xa129ca6149be45e5ull);
}

TEST(siphash13_reference_vectors)
{
    /* The Linux kernel's hsiphash on 64-bit hosts is SipHash-1-3 cut to its
     * low 32 bits; lib/siphash_kunit.c lists it for the same key and
     * messages (lengths 0, 7, 8, 15, 18: a tail only, a full word, a word
     * and a tail, the IPv4 flow key's length). */
    uint8_t msg[32];
    for (int i = 0; i < 32; i++)
        msg[i] = (uint8_t)i;
    uint64_t k0 = 0x0706050403020100ull, k1 = 0x0f0e0d0c0b0a0908ull;
    CHECK_EQ_U(flow_siphash13(k0, k1, msg, 0) & 0xffffffffu, 0x050fc4dcu);
    CHECK_EQ_U(flow_siphash13(k0, k1, msg, 7) & 0xffffffffu, 0x9bb11140u);
    CHECK_EQ_U(flow_siphash13(k0, k1, msg, 8) & 0xffffffffu, 0x8d299a8eu);
    CHECK_EQ_U(flow_siphash13(k0, k1, msg, 15) & 0xffffffffu, 0x2a519956u);
    CHECK_EQ_U(flow_siphash13(k0, k1, msg, 18) & 0xffffffffu, 0xb473e63eu);
}

/* The flow key's bytes as the hash reads them (flow.c, flow_key_hash):
 * family, protocol, both VLAN ids and both ports big-endian, then both
 * addresses, the lower endpoint first. */
static uint64_t key_hash_ref(const struct flow_hash_key *hk, const struct packet *p, bool lower_first)
{
    uint8_t buf[10 + 32];
    const struct ip_addr *a = lower_first ? &p->src : &p->dst, *b = lower_first ? &p->dst : &p->src;
    uint16_t pa = lower_first ? p->sport : p->dport, pb = lower_first ? p->dport : p->sport;
    uint16_t v0 = p->vlan_count > 0 ? p->vlan[0] & 0x0fff : 0, v1 = p->vlan_count > 1 ? p->vlan[1] & 0x0fff : 0;
    size_t alen = a->family == 4 ? 4 : 16;
    uint8_t h[10] = {a->family, p->l4_proto, (uint8_t)(v0 >> 8), (uint8_t)v0, (uint8_t)(v1 >> 8), (uint8_t)v1,
                     (uint8_t)(pa >> 8), (uint8_t)pa, (uint8_t)(pb >> 8), (uint8_t)pb};
    memcpy(buf, h, 10);
    memcpy(buf + 10, a->b, alen);
    memcpy(buf + 10 + alen, b->b, alen);
    return flow_siphash13(hk->k0, hk->k1, buf, 10 + 2 * alen);
}

TEST(key_hash_is_siphash13_of_the_key_bytes)
{
    /* flow_packet_hash assembles the key in 64-bit words; it must hash
     * exactly the bytes above, for IPv4, IPv6 and VLAN-tagged packets. */
    struct config *cfg = config_new();
    struct stats st = {0};
    config_set(cfg, "flow.hash-seed=99");
    struct flow_table *ft = flow_table_new(cfg, &st, NULL, NULL);
    struct flow_hash_key hk;
    flow_table_hash_key(ft, &hk);
    struct packet p = pkt(IPPROTO_NUM_UDP, 1, 40000, 2, 5060, SEC);
    flow_packet_hash(&hk, &p);
    CHECK(p.flags & PKT_FLOW_HASHED);
    CHECK_EQ_U(p.flow_hash, key_hash_ref(&hk, &p, true));
    struct packet r = pkt(IPPROTO_NUM_UDP, 9, 5060, 2, 40000, SEC); /* the higher address sends */
    r.vlan_count = 2;
    r.vlan[0] = 0x2123; /* priority bits are not part of the key */
    r.vlan[1] = 0x0456;
    flow_packet_hash(&hk, &r);
    CHECK_EQ_U(r.flow_hash, key_hash_ref(&hk, &r, false));
    struct packet q = pkt(IPPROTO_NUM_TCP, 1, 443, 2, 50000, SEC);
    q.src.family = q.dst.family = 6;
    for (int i = 0; i < 16; i++) {
        q.src.b[i] = (uint8_t)(0xfd + i * 7);
        q.dst.b[i] = (uint8_t)(0xfd + i * 7 + (i == 15));
    }
    flow_packet_hash(&hk, &q);
    CHECK_EQ_U(q.flow_hash, key_hash_ref(&hk, &q, true));
    flow_table_free(ft);
    config_free(cfg);
}

TEST(flow_ids_unique)
{
    struct config *cfg;
    struct stats st;
    struct ended e;
    struct flow_table *ft = table(&cfg, &st, &e, NULL);
    enum { N = 2000 };
    static uint64_t ids[N];
    for (unsigned i = 0; i < N; i++) {
        struct packet p = pkt(IPPROTO_NUM_UDP, (uint8_t)(i / 60000 + 1), (uint16_t)(i + 1), 2, 53, SEC);
        struct flow *f = flow_lookup(ft, &p);
        ids[i] = f ? f->id : 0;
        CHECK(ids[i] != 0 && ids[i] < (1ull << 53));
    }
    unsigned dup = 0;
    for (unsigned i = 0; i < N; i++)
        for (unsigned j = i + 1; j < N; j++)
            dup += ids[i] == ids[j];
    CHECK_EQ_U(dup, 0);
    flow_table_free(ft);
    config_free(cfg);
}

/* ICMP echo: type, code, checksum, identifier, sequence. */
static struct packet icmp(uint8_t s, uint8_t d, uint8_t type, uint16_t id, uint8_t *buf, uint64_t t)
{
    struct packet p = pkt(IPPROTO_NUM_ICMP, s, 0, d, 0, t);
    memset(buf, 0, 8);
    buf[0] = type;
    buf[4] = (uint8_t)(id >> 8);
    buf[5] = (uint8_t)id;
    p.icmp_type = type;
    p.l4 = buf;
    p.l4_len = 8;
    return p;
}

TEST(icmp_echo_pairing)
{
    struct config *cfg;
    struct stats st;
    struct ended e;
    struct flow_table *ft = table(&cfg, &st, &e, NULL);
    uint8_t b1[8], b2[8], b3[8], b4[8], b5[8], b6[8];
    struct packet req = icmp(1, 2, 8, 0x1234, b1, SEC);
    struct packet rep = icmp(2, 1, 0, 0x1234, b2, 2 * SEC);
    struct packet other = icmp(1, 2, 8, 0x9999, b3, 3 * SEC);
    struct packet unreach = icmp(2, 1, 3, 0, b4, 4 * SEC);
    struct packet unreach2 = icmp(1, 2, 3, 0, b5, 5 * SEC);
    struct flow *f = flow_lookup(ft, &req);
    CHECK(f != NULL);
    CHECK(flow_lookup(ft, &rep) == f);
    CHECK_EQ_U(rep.dir, DIR_TO_CLIENT);
    CHECK_EQ_U(f->pkts[0], 1);
    CHECK_EQ_U(f->pkts[1], 1);
    CHECK_EQ_U(f->state, FLOW_STATE_ESTABLISHED);
    CHECK_EQ_U(f->icmp_type, 8);
    struct flow *fo = flow_lookup(ft, &other);
    CHECK(fo && fo != f);
    struct flow *fu = flow_lookup(ft, &unreach);
    CHECK(fu && fu != f && fu != fo);
    CHECK(flow_lookup(ft, &unreach2) == fu);
    CHECK_EQ_U(st.c[STAT_FLOW_ICMPV4], 3);
    /* A reply seen first: the requester is still the client. */
    struct packet lone = icmp(4, 3, 0, 0x0101, b6, 6 * SEC);
    struct flow *fl = flow_lookup(ft, &lone);
    CHECK(fl != NULL);
    CHECK_EQ_U(lone.dir, DIR_TO_CLIENT);
    CHECK_EQ_U(fl->addr[0].b[3], 3);
    flow_table_free(ft);
    config_free(cfg);
}

TEST(tcp_port_reuse_after_close)
{
    struct config *cfg;
    struct stats st;
    struct ended e;
    struct flow_table *ft = table(&cfg, &st, &e, NULL);
    struct packet syn = pkt(IPPROTO_NUM_TCP, 1, 40000, 2, 5060, SEC);
    syn.tcp_flags = TCP_SYN;
    struct flow *f = flow_lookup(ft, &syn);
    CHECK(f != NULL);
    uint64_t first = f->id;
    /* Retransmitted SYN on an open flow: same flow. */
    struct packet syn2 = syn;
    syn2.ts_ns = 2 * SEC;
    CHECK(flow_lookup(ft, &syn2) == f);
    f->state = FLOW_STATE_CLOSED; /* stream saw FIN/RST */
    struct packet ack = pkt(IPPROTO_NUM_TCP, 2, 5060, 1, 40000, 3 * SEC);
    ack.tcp_flags = TCP_ACK;
    CHECK(flow_lookup(ft, &ack) == f); /* late ACK of the old session */
    /* The same SYN again after the close (a refused connection retried):
     * a retransmission, still the same flow, as Wireshark counts it. */
    struct packet syn_again = syn;
    syn_again.ts_ns = 3 * SEC + 1;
    CHECK(flow_lookup(ft, &syn_again) == f);
    /* A SYN with a new ISN is a new session on the same ports. */
    struct packet syn3 = syn;
    syn3.ts_ns = 4 * SEC;
    syn3.tcp_seq = syn.tcp_seq + 1000000;
    struct flow *g = flow_lookup(ft, &syn3);
    CHECK(g != NULL);
    CHECK_EQ_U(e.n, 1);
    CHECK_EQ_U(e.id[0], first);
    CHECK_EQ_U(e.reason[0], FLOW_END_REUSED);
    CHECK_EQ_U(e.pkts0[0], 3);
    CHECK_EQ_U(e.pkts1[0], 1);
    CHECK(g->id != first);
    CHECK_EQ_U(g->state, FLOW_STATE_NEW);
    CHECK_EQ_U(g->pkts[0], 1);
    CHECK_EQ_U(st.c[STAT_FLOW_TCP], 2);
    CHECK_EQ_U(flow_table_count(ft), 1);
    flow_table_free(ft);
    config_free(cfg);
}

TEST(names)
{
    CHECK_STR(flow_state_name(FLOW_STATE_CLOSED), "closed");
    CHECK_STR(flow_state_name(99), "unknown");
    CHECK_STR(flow_end_reason_name(FLOW_END_REUSED), "reuse");
    CHECK_STR(flow_end_reason_name(FLOW_END_EVICTED), "evicted");
    char b[16];
    CHECK_STR(flow_proto_name(IPPROTO_NUM_ICMPV6, b, sizeof b), "IPv6-ICMP");
    CHECK_STR(flow_proto_name(132, b, sizeof b), "132");
}

TEST_MAIN(T(both_directions_one_flow), T(tcp_synack_first_swaps), T(timeouts_per_state), T(timeout_seen_at_lookup), T(lru_expiry_order),
          T(memcap_emergency_eviction), T(seeded_hash_determinism), T(siphash_reference_vectors), T(siphash13_reference_vectors), T(key_hash_is_siphash13_of_the_key_bytes), T(flow_ids_unique), T(icmp_echo_pairing),
          T(tcp_port_reuse_after_close), T(names))
