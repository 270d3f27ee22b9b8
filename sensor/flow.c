/* flow.c - bidirectional flow table: keyed hash, recency lists, timeouts, memcap.
 *
 * Why it looks like this:
 *  - The bucket index comes from SipHash-2-4 under a 128-bit key derived from
 *    a per-run seed (getrandom()), so an attacker who can choose addresses
 *    and ports cannot predict which tuples collide and turn lookups into a
 *    linear scan. flow.hash-seed fixes the seed for reproducible runs.
 *  - The hash is computed over the two endpoints in a canonical order, so
 *    both directions of a conversation land in the same bucket without a
 *    second lookup.
 *  - Expiry must be cheap enough to run after every packet. Each flow sits
 *    on one recency list per timeout class (protocol group x state). Every
 *    flow of a list has the same timeout and the list is ordered by the time
 *    of its last packet, so only list heads are ever looked at: the cost of
 *    an expiry pass is O(classes + flows that end).
 *  - Times on the lists come from a table clock that never goes backwards
 *    (the newest capture time seen), so a capture with slightly unordered
 *    timestamps keeps the lists sorted.
 *  - Emergency eviction takes the least recently seen flow over all lists
 *    (the oldest of the list heads) when a new flow would pass flow.memcap.
 *  - Flow ids are a keyed permutation of a per-run counter inside 52 bits:
 *    unique by construction, deterministic for a given seed, not guessable
 *    across runs, and exact in JSON consumers that read numbers as doubles. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include "config.h"
#include "cursor.h"
#include "flow.h"
#include "table-mem.h"

#define FLOW_HASH_SIZE_DEFAULT 65536u
#define FLOW_HASH_SIZE_MIN 16u
#define FLOW_HASH_SIZE_MAX (1u << 24)
#define FLOW_MEMCAP_DEFAULT (128ull << 20)
#define FLOW_ID_BITS 52 /* ids stay exact as IEEE doubles (53-bit mantissa) */
#define FLOW_ID_MASK ((1ull << FLOW_ID_BITS) - 1)

/* Protocol groups for timeouts. */
enum flow_group { FLOW_GROUP_TCP = 0, FLOW_GROUP_UDP, FLOW_GROUP_ICMP, FLOW_GROUP_OTHER, FLOW_GROUPS };
#define FLOW_STATES 3
#define FLOW_CLASSES (FLOW_GROUPS * FLOW_STATES)

/* ICMP key marker: the second key word of a query/reply pair carries this bit
 * plus the request type, so a query id never equals a type<<8|code key. */
#define FLOW_ICMP_QUERY 0x8000u

struct flow_list {
    struct flow *head, *tail; /* head = least recently seen */
};

struct flow_table {
    struct flow **buckets;
    size_t mask;
    size_t count;
    size_t memuse;
    uint64_t memcap;
    uint64_t seed;
    struct flow_hash_key key;   /* SipHash key */
    uint64_t id_k0, id_k1;      /* flow id permutation key */
    uint64_t id_counter;
    uint64_t clock_ns;          /* newest capture time seen */
    uint64_t next_expiry_ns;    /* no flow times out while clock_ns <= this */
    uint64_t timeout_ns[FLOW_CLASSES];
    struct flow_list lru[FLOW_CLASSES];
    struct flow *last_flow;     /* flow of the last packet, its state may change after lookup */
    struct stats *stats;
    flow_end_fn on_end;
    void *arg;
};

static const char *const flow_group_names[FLOW_GROUPS] = {"tcp", "udp", "icmp", "other"};
static const char *const flow_state_names[FLOW_STATES] = {"new", "established", "closed"};

/* Defaults in seconds, [group][state]. TCP and every "new" value are
 * Suricata's built-in defaults (src/flow-private.h); established UDP and
 * ICMP are shorter than its 300 s (README "Flows" says why). */
static const unsigned flow_timeout_default[FLOW_GROUPS][FLOW_STATES] = {
    {30, 300, 10},
    {30, 120, 30},
    {30, 30, 30},
    {30, 30, 30},
};

const char *flow_state_name(unsigned state)
{
    return state < FLOW_STATES ? flow_state_names[state] : "unknown";
}

const char *flow_end_reason_name(unsigned reason)
{
    static const char *const names[] = {"timeout", "evicted", "shutdown", "reuse"};
    return reason < TG_ARRAY_LEN(names) ? names[reason] : "unknown";
}

/* --- SipHash-2-4 and SipHash-1-3 (Aumasson, Bernstein), reference algorithm --- */

#define ROTL64(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                       \
    do {                                                               \
        v0 += v1; v1 = ROTL64(v1, 13); v1 ^= v0; v0 = ROTL64(v0, 32); \
        v2 += v3; v3 = ROTL64(v3, 16); v3 ^= v2;                      \
        v0 += v3; v3 = ROTL64(v3, 21); v3 ^= v0;                      \
        v2 += v1; v1 = ROTL64(v1, 17); v1 ^= v2; v2 = ROTL64(v2, 32); \
    } while (0)

/* SipHash-c-d: c rounds per 8-byte word, d to finish. Called with
 * constants, so the round loops unroll. */
static inline uint64_t flow_siphash(uint64_t k0, uint64_t k1, const uint8_t *in, size_t len, int c, int d)
{
    uint64_t v0 = 0x736f6d6570736575ull ^ k0;
    uint64_t v1 = 0x646f72616e646f6dull ^ k1;
    uint64_t v2 = 0x6c7967656e657261ull ^ k0;
    uint64_t v3 = 0x7465646279746573ull ^ k1;
    uint64_t b = (uint64_t)len << 56;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        /* little-endian words, one load each on a little-endian host */
        uint64_t m;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        memcpy(&m, in + i, 8);
#else
        m = (uint64_t)in[i] | (uint64_t)in[i + 1] << 8 | (uint64_t)in[i + 2] << 16 | (uint64_t)in[i + 3] << 24 |
            (uint64_t)in[i + 4] << 32 | (uint64_t)in[i + 5] << 40 | (uint64_t)in[i + 6] << 48 |
            (uint64_t)in[i + 7] << 56;
#endif
        v3 ^= m;
        for (int r = 0; r < c; r++)
            SIPROUND;
        v0 ^= m;
    }
    for (int k = 0; i + (size_t)k < len; k++)
        b |= (uint64_t)in[i + k] << (8 * k);
    v3 ^= b;
    for (int r = 0; r < c; r++)
        SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    for (int r = 0; r < d; r++)
        SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t flow_siphash24(uint64_t k0, uint64_t k1, const uint8_t *in, size_t len)
{
    return flow_siphash(k0, k1, in, len, 2, 4);
}

uint64_t flow_siphash13(uint64_t k0, uint64_t k1, const uint8_t *in, size_t len)
{
    /* One round per word and three to finish instead of two and four:
     * the variant Rust's HashMap and CPython's str hash use against hash
     * flooding, for the one hash every packet pays (on the capture thread
     * when there is one). */
    return flow_siphash(k0, k1, in, len, 1, 3);
}

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A random seed for this run. getrandom() can only fail on very old kernels
 * or when interrupted; the fallback is weaker but never predictable offline. */
static uint64_t flow_random_seed(void)
{
    uint64_t s;
    if (getrandom(&s, sizeof s, 0) == (ssize_t)sizeof s)
        return s;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    s = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ ((uint64_t)getpid() << 16);
    return splitmix64(&s);
}

/* Keyed bijection on 52 bits: xor, odd multiply and xorshift are each
 * invertible modulo 2^52, so distinct counters give distinct ids. */
static uint64_t flow_id_permute(const struct flow_table *ft, uint64_t x)
{
    x = (x ^ ft->id_k0) & FLOW_ID_MASK;
    x = (x * 0x9e3779b97f4a7c15ull) & FLOW_ID_MASK;
    x ^= x >> 26;
    x = (x * 0xbf58476d1ce4e5b9ull) & FLOW_ID_MASK;
    x ^= x >> 23;
    x = (x + ft->id_k1) & FLOW_ID_MASK;
    return x;
}

static uint64_t flow_next_id(struct flow_table *ft)
{
    for (;;) {
        uint64_t id = flow_id_permute(ft, ft->id_counter++);
        if (id) /* 0 means "no flow" in EVE consumers; one counter maps to it */
            return id;
    }
}

/* --- keys --- */

static enum flow_group flow_group_of(uint8_t proto)
{
    switch (proto) {
    case IPPROTO_NUM_TCP: return FLOW_GROUP_TCP;
    case IPPROTO_NUM_UDP: return FLOW_GROUP_UDP;
    case IPPROTO_NUM_ICMP:
    case IPPROTO_NUM_ICMPV6: return FLOW_GROUP_ICMP;
    default: return FLOW_GROUP_OTHER;
    }
}

static bool flow_is_icmp(uint8_t proto)
{
    return proto == IPPROTO_NUM_ICMP || proto == IPPROTO_NUM_ICMPV6;
}

/* For ICMP query/reply types, the request type of the pair and whether
 * this one is the reply; -1 for messages that are not part of a pair. */
static int icmp_query_type(uint8_t proto, uint8_t type, bool *is_reply)
{
    *is_reply = false;
    if (proto == IPPROTO_NUM_ICMP) {
        switch (type) {
        case 8: case 13: case 15: case 17: return type;    /* echo, timestamp, info, mask */
        case 0: *is_reply = true; return 8;
        case 14: case 16: case 18: *is_reply = true; return type - 1;
        default: return -1;
        }
    }
    switch (type) {
    case 128: return 128;                                  /* echo request (RFC 4443) */
    case 129: *is_reply = true; return 128;
    default: return -1;
    }
}

/* The lookup key of a packet in its own direction. */
struct flow_pkey {
    const struct ip_addr *src, *dst;
    uint16_t sport, dport;
    uint16_t vlan, vlan_inner;
    uint8_t proto;
    bool reply_first; /* the packet answers someone else: make dst the client */
};

static void flow_packet_key(const struct packet *p, struct flow_pkey *k)
{
    k->src = &p->src;
    k->dst = &p->dst;
    k->proto = p->l4_proto;
    k->vlan = p->vlan_count > 0 ? p->vlan[0] & 0x0fff : 0;
    k->vlan_inner = p->vlan_count > 1 ? p->vlan[1] & 0x0fff : 0;
    k->reply_first = false;
    if (flow_is_icmp(p->l4_proto)) {
        bool reply;
        int q = icmp_query_type(p->l4_proto, p->icmp_type, &reply);
        if (q >= 0) {
            /* Query messages carry an identifier after type, code and checksum. */
            struct cursor c;
            cursor_init(&c, p->l4, p->l4_len);
            cursor_skip(&c, 4);
            k->sport = cursor_be16(&c);
            k->dport = (uint16_t)(FLOW_ICMP_QUERY | (unsigned)q);
            k->reply_first = reply;
        } else {
            k->sport = (uint16_t)((p->icmp_type << 8) | p->icmp_code);
            k->dport = 0;
        }
    } else {
        k->sport = p->sport;
        k->dport = p->dport;
        if (p->l4_proto == IPPROTO_NUM_TCP && (p->tcp_flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK))
            k->reply_first = true;
    }
}

/* Hash over the endpoints in canonical order so both directions agree. ICMP
 * keys have no per-direction port, so only the addresses are ordered. IPv4
 * addresses go in as 4 bytes: a shorter input is fewer SipHash rounds. */
static uint64_t flow_key_hash(const struct flow_hash_key *hk, const struct flow_pkey *k)
{
    const struct ip_addr *a = k->src, *b = k->dst;
    uint16_t pa = k->sport, pb = k->dport;
    int c = ip_addr_cmp(a, b);
    bool swap = flow_is_icmp(k->proto) ? c > 0 : (c > 0 || (c == 0 && pa > pb));
    if (swap) {
        const struct ip_addr *t = a;
        a = b;
        b = t;
        if (!flow_is_icmp(k->proto)) {
            uint16_t tp = pa;
            pa = pb;
            pb = tp;
        }
    }
    size_t alen = a->family == 4 ? 4 : 16;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* The same bytes as below, assembled in registers and stored a word
     * at a time: SipHash loads 8-byte words, and a load from bytes stored
     * one by one cannot be forwarded from the store buffer (it waited for
     * them; a fifth of the capture thread's hashing time). */
    uint64_t w[6];
    uint64_t pbw = __builtin_bswap16(pb);
    w[0] = (uint64_t)a->family | (uint64_t)k->proto << 8 | (uint64_t)__builtin_bswap16(k->vlan) << 16 |
           (uint64_t)__builtin_bswap16(k->vlan_inner) << 32 | (uint64_t)__builtin_bswap16(pa) << 48;
    if (alen == 4) {
        uint32_t a4, b4;
        memcpy(&a4, a->b, 4);
        memcpy(&b4, b->b, 4);
        w[1] = pbw | (uint64_t)a4 << 16 | (uint64_t)b4 << 48;
        w[2] = b4 >> 16;
    } else {
        uint64_t a0, a1, b0, b1;
        memcpy(&a0, a->b, 8);
        memcpy(&a1, a->b + 8, 8);
        memcpy(&b0, b->b, 8);
        memcpy(&b1, b->b + 8, 8);
        w[1] = pbw | a0 << 16;
        w[2] = a0 >> 48 | a1 << 16;
        w[3] = a1 >> 48 | b0 << 16;
        w[4] = b0 >> 48 | b1 << 16;
        w[5] = b1 >> 48;
    }
    return flow_siphash13(hk->k0, hk->k1, (const uint8_t *)w, 10 + 2 * alen);
#else
    uint8_t buf[10 + 2 * 16];
    buf[0] = a->family;
    buf[1] = k->proto;
    buf[2] = (uint8_t)(k->vlan >> 8);
    buf[3] = (uint8_t)k->vlan;
    buf[4] = (uint8_t)(k->vlan_inner >> 8);
    buf[5] = (uint8_t)k->vlan_inner;
    buf[6] = (uint8_t)(pa >> 8);
    buf[7] = (uint8_t)pa;
    buf[8] = (uint8_t)(pb >> 8);
    buf[9] = (uint8_t)pb;
    memcpy(buf + 10, a->b, alen);
    memcpy(buf + 10 + alen, b->b, alen);
    return flow_siphash13(hk->k0, hk->k1, buf, 10 + 2 * alen);
#endif
}

/* Direction of the packet key relative to flow f, or -1 when f is another flow. */
static int flow_match(const struct flow *f, const struct flow_pkey *k)
{
    if (f->proto != k->proto || f->vlan != k->vlan || f->vlan_inner != k->vlan_inner)
        return -1;
    bool fwd = ip_addr_eq(&f->addr[0], k->src) && ip_addr_eq(&f->addr[1], k->dst);
    bool rev = ip_addr_eq(&f->addr[1], k->src) && ip_addr_eq(&f->addr[0], k->dst);
    if (flow_is_icmp(k->proto)) {
        if (f->port[0] != k->sport || f->port[1] != k->dport)
            return -1;
        if (fwd && rev) /* to itself: requests to_server, replies to_client */
            return k->reply_first ? DIR_TO_CLIENT : DIR_TO_SERVER;
        return fwd ? DIR_TO_SERVER : rev ? DIR_TO_CLIENT : -1;
    }
    if (fwd && f->port[0] == k->sport && f->port[1] == k->dport)
        return DIR_TO_SERVER;
    if (rev && f->port[1] == k->sport && f->port[0] == k->dport)
        return DIR_TO_CLIENT;
    return -1;
}

/* --- recency lists --- */

static unsigned flow_class(const struct flow *f)
{
    return (unsigned)flow_group_of(f->proto) * FLOW_STATES + (f->state < FLOW_STATES ? f->state : 0);
}

static void lru_unlink(struct flow_table *ft, struct flow *f)
{
    struct flow_list *l = &ft->lru[f->lru_class];
    if (f->lru_prev)
        f->lru_prev->lru_next = f->lru_next;
    else
        l->head = f->lru_next;
    if (f->lru_next)
        f->lru_next->lru_prev = f->lru_prev;
    else
        l->tail = f->lru_prev;
    f->lru_prev = f->lru_next = NULL;
}

/* Insert keeping the list ordered by lru_ns; flows are nearly always the
 * newest, so the walk from the tail stops at once. */
/* The last time at which a flow last seen at lru_ns is not yet timed out
 * (saturating: a timeout may be configured very long). */
static uint64_t flow_deadline(uint64_t lru_ns, uint64_t timeout_ns)
{
    return lru_ns > UINT64_MAX - timeout_ns ? UINT64_MAX : lru_ns + timeout_ns;
}

static void lru_insert(struct flow_table *ft, struct flow *f)
{
    f->lru_class = (uint8_t)flow_class(f);
    uint64_t deadline = flow_deadline(f->lru_ns, ft->timeout_ns[f->lru_class]);
    if (deadline < ft->next_expiry_ns)
        ft->next_expiry_ns = deadline;
    struct flow_list *l = &ft->lru[f->lru_class];
    struct flow *after = l->tail;
    while (after && after->lru_ns > f->lru_ns)
        after = after->lru_prev;
    f->lru_prev = after;
    f->lru_next = after ? after->lru_next : l->head;
    if (f->lru_next)
        f->lru_next->lru_prev = f;
    else
        l->tail = f;
    if (after)
        after->lru_next = f;
    else
        l->head = f;
}

/* The state of the last packet's flow may have changed after lookup (the
 * stream module sets it); move it to the list of its new timeout class. */
static void flow_requeue_last(struct flow_table *ft)
{
    struct flow *f = ft->last_flow;
    if (f && f->lru_class != flow_class(f)) {
        lru_unlink(ft, f);
        lru_insert(ft, f);
    }
}

/* --- creation and end --- */

static void flow_update_gauges(struct flow_table *ft)
{
    stats_set(ft->stats, STAT_FLOW_ACTIVE, ft->count);
    stats_set(ft->stats, STAT_FLOW_MEMUSE, ft->memuse);
}

static void flow_end(struct flow_table *ft, struct flow *f, enum flow_end_reason why)
{
    struct flow **pp = &ft->buckets[f->hash & ft->mask];
    while (*pp && *pp != f)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = f->hnext;
    lru_unlink(ft, f);
    if (ft->last_flow == f)
        ft->last_flow = NULL;
    f->end_reason = (uint8_t)why;
    if (ft->on_end)
        ft->on_end(f, ft->arg);
    free(f);
    ft->count--;
    ft->memuse -= sizeof(struct flow);
    flow_update_gauges(ft);
}

/* The least recently seen flow over all lists, or NULL when empty. */
static struct flow *flow_oldest(struct flow_table *ft)
{
    struct flow *best = NULL;
    for (unsigned c = 0; c < FLOW_CLASSES; c++) {
        struct flow *h = ft->lru[c].head;
        if (h && (!best || h->lru_ns < best->lru_ns))
            best = h;
    }
    return best;
}

/* Make room for one more flow record under flow.memcap; false when even
 * evicting every flow would not be enough. */
static bool flow_make_room(struct flow_table *ft)
{
    if (ft->memcap < sizeof(struct flow))
        return false;
    while (ft->memuse + sizeof(struct flow) > ft->memcap) {
        struct flow *old = flow_oldest(ft);
        if (!old)
            return false;
        stats_inc(ft->stats, STAT_FLOW_EMERG_EVICTED);
        flow_end(ft, old, FLOW_END_EVICTED);
    }
    return true;
}

static struct flow *flow_create(struct flow_table *ft, struct packet *p, const struct flow_pkey *k,
                                uint64_t h)
{
    if (!flow_make_room(ft)) {
        stats_inc(ft->stats, STAT_FLOW_MEMCAP_HIT);
        return NULL;
    }
    struct flow *f = calloc(1, sizeof *f);
    if (!f) {
        stats_inc(ft->stats, STAT_FLOW_MEMCAP_HIT);
        return NULL;
    }
    /* The initiator is the sender of the first packet, unless that packet
     * is plainly an answer (TCP SYN/ACK, ICMP echo reply): then the peer. */
    int d = k->reply_first ? DIR_TO_CLIENT : DIR_TO_SERVER;
    f->id = flow_next_id(ft);
    f->addr[d] = *k->src;
    f->addr[!d] = *k->dst;
    if (flow_is_icmp(k->proto)) {
        f->port[0] = k->sport;
        f->port[1] = k->dport;
        f->icmp_type = p->icmp_type;
        f->icmp_code = p->icmp_code;
    } else {
        f->port[d] = k->sport;
        f->port[!d] = k->dport;
    }
    f->proto = k->proto;
    f->vlan = k->vlan;
    f->vlan_inner = k->vlan_inner;
    f->hash = (uint32_t)h;
    f->start_ns = f->last_ns = p->ts_ns;
    f->pkts[d] = 1;
    f->bytes[d] = p->wirelen;
    f->lru_ns = ft->clock_ns;
    struct flow **bucket = &ft->buckets[h & ft->mask];
    f->hnext = *bucket;
    *bucket = f;
    lru_insert(ft, f);
    ft->count++;
    ft->memuse += sizeof(struct flow);
    flow_update_gauges(ft);
    stats_inc(ft->stats, STAT_FLOW_TOTAL);
    switch (f->proto) {
    case IPPROTO_NUM_TCP: stats_inc(ft->stats, STAT_FLOW_TCP); break;
    case IPPROTO_NUM_UDP: stats_inc(ft->stats, STAT_FLOW_UDP); break;
    case IPPROTO_NUM_ICMP: stats_inc(ft->stats, STAT_FLOW_ICMPV4); break;
    case IPPROTO_NUM_ICMPV6: stats_inc(ft->stats, STAT_FLOW_ICMPV6); break;
    default: stats_inc(ft->stats, STAT_FLOW_OTHER); break;
    }
    if (f->proto == IPPROTO_NUM_TCP && (p->tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN &&
        !ip_addr_cmp(&f->addr[0], &p->src)) {
        f->syn_seen = true;
        f->syn_seq = p->tcp_seq;
    }
    p->flow = f;
    p->dir = (uint8_t)d;
    ft->last_flow = f;
    return f;
}

/* --- public --- */

struct flow_table *flow_table_new(const struct config *cfg, struct stats *st, flow_end_fn on_end, void *arg)
{
    struct flow_table *ft = calloc(1, sizeof *ft);
    if (ft)
        ft->next_expiry_ns = UINT64_MAX;
    if (!ft)
        return NULL;
    uint64_t want = config_get_u64(cfg, "flow.hash-size", FLOW_HASH_SIZE_DEFAULT);
    size_t n = FLOW_HASH_SIZE_MIN;
    while (n < want && n < FLOW_HASH_SIZE_MAX)
        n <<= 1;
    ft->mask = n - 1;
    ft->buckets = table_mem_calloc(n, sizeof *ft->buckets);
    if (!ft->buckets) {
        free(ft);
        return NULL;
    }
    ft->memcap = config_get_u64(cfg, "flow.memcap", FLOW_MEMCAP_DEFAULT);
    ft->seed = config_get(cfg, "flow.hash-seed") ? config_get_u64(cfg, "flow.hash-seed", 0)
                                                 : flow_random_seed();
    uint64_t x = ft->seed;
    ft->key.k0 = splitmix64(&x);
    ft->key.k1 = splitmix64(&x);
    ft->id_k0 = splitmix64(&x);
    ft->id_k1 = splitmix64(&x);
    for (unsigned g = 0; g < FLOW_GROUPS; g++) {
        for (unsigned s = 0; s < FLOW_STATES; s++) {
            char key[64];
            snprintf(key, sizeof key, "flow.timeout.%s.%s", flow_group_names[g], flow_state_names[s]);
            ft->timeout_ns[g * FLOW_STATES + s] =
                config_get_duration_ns(cfg, key, flow_timeout_default[g][s] * TG_NS_PER_SEC);
        }
    }
    ft->stats = st;
    ft->on_end = on_end;
    ft->arg = arg;
    return ft;
}

uint32_t flow_table_hash_packet(const struct flow_table *ft, const struct packet *p)
{
    struct flow_pkey k;
    flow_packet_key(p, &k);
    return (uint32_t)(flow_key_hash(&ft->key, &k) & ft->mask);
}

void flow_table_hash_key(const struct flow_table *ft, struct flow_hash_key *hk)
{
    *hk = ft->key;
}

void flow_packet_hash(const struct flow_hash_key *hk, struct packet *p)
{
    if (!(p->flags & PKT_HAS_L4) || (p->flags & PKT_IS_FRAGMENT))
        return;
    struct flow_pkey k;
    flow_packet_key(p, &k);
    p->flow_hash = flow_key_hash(hk, &k);
    p->flags |= PKT_FLOW_HASHED;
}

void flow_prefetch_bucket(const struct flow_table *ft, const struct packet *p)
{
    if (p->flags & PKT_FLOW_HASHED)
        __builtin_prefetch(&ft->buckets[p->flow_hash & ft->mask]);
}

void flow_prefetch(const struct flow_table *ft, const struct packet *p)
{
    if (!(p->flags & PKT_FLOW_HASHED))
        return;
    const struct flow *f = ft->buckets[p->flow_hash & ft->mask];
    if (f) {
        /* the key and the counters and links flow_lookup updates, then the
         * stream and app state pointers (struct flow's layout) */
        __builtin_prefetch(f);
        __builtin_prefetch((const char *)f + 64);
        __builtin_prefetch((const char *)f + 128);
    }
}

struct flow *flow_lookup(struct flow_table *ft, struct packet *p)
{
    if (!(p->flags & PKT_HAS_L4))
        return NULL;
    flow_requeue_last(ft);
    if (p->ts_ns > ft->clock_ns)
        ft->clock_ns = p->ts_ns;
    struct flow_pkey k;
    flow_packet_key(p, &k);
    uint64_t h = (p->flags & PKT_FLOW_HASHED) ? p->flow_hash : flow_key_hash(&ft->key, &k);
    for (struct flow *f = ft->buckets[h & ft->mask]; f; f = f->hnext) {
        if (f->hash != (uint32_t)h)
            continue; /* another key in the same bucket: no need to compare */
        int dir = flow_match(f, &k);
        if (dir < 0)
            continue;
        if (ft->clock_ns - f->lru_ns > ft->timeout_ns[flow_class(f)]) {
            /* Timed out but not swept yet (expiry runs after the packet):
             * this packet starts a new flow, as it would have a moment later. */
            stats_inc(ft->stats, STAT_FLOW_TIMEOUTS);
            flow_end(ft, f, FLOW_END_TIMEOUT);
            break;
        }
        bool syn = f->proto == IPPROTO_NUM_TCP && (p->tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN;
        if (syn && f->state == FLOW_STATE_CLOSED &&
            !(f->syn_seen && dir == DIR_TO_SERVER && p->tcp_seq == f->syn_seq)) {
            /* Port reuse: a fresh handshake (a new ISN) on a closed session
             * is a new flow; the same SYN again is a retransmission, as
             * Wireshark also counts it. */
            flow_end(ft, f, FLOW_END_REUSED);
            break;
        }
        if (syn && dir == DIR_TO_SERVER && !f->syn_seen) {
            f->syn_seen = true;
            f->syn_seq = p->tcp_seq;
        }
        p->flow = f;
        p->dir = (uint8_t)dir;
        f->pkts[dir]++;
        f->bytes[dir] += p->wirelen;
        if (p->ts_ns > f->last_ns)
            f->last_ns = p->ts_ns;
        /* Both directions seen: established, unless already closed (the
         * stream module decides TCP states beyond that). */
        if (f->pkts[0] && f->pkts[1] && f->state == FLOW_STATE_NEW)
            f->state = FLOW_STATE_ESTABLISHED;
        if (ft->lru[f->lru_class].tail == f && f->lru_class == flow_class(f)) {
            f->lru_ns = ft->clock_ns; /* already the newest of its list: stays sorted */
        } else {
            lru_unlink(ft, f);
            f->lru_ns = ft->clock_ns;
            lru_insert(ft, f);
        }
        ft->last_flow = f;
        return f;
    }
    return flow_create(ft, p, &k, h);
}

void flow_table_expire(struct flow_table *ft, uint64_t now_ns)
{
    flow_requeue_last(ft);
    if (now_ns > ft->clock_ns)
        ft->clock_ns = now_ns;
    /* Called per packet: most of the time nothing can have timed out yet.
     * next_expiry_ns is the earliest deadline of the list heads, lowered by
     * every insert; removals only make heads later, so it stays safe. */
    if (ft->clock_ns <= ft->next_expiry_ns)
        return;
    uint64_t next = UINT64_MAX;
    for (unsigned c = 0; c < FLOW_CLASSES; c++) {
        struct flow *f;
        while ((f = ft->lru[c].head) && ft->clock_ns - f->lru_ns > ft->timeout_ns[c]) {
            stats_inc(ft->stats, STAT_FLOW_TIMEOUTS);
            flow_end(ft, f, FLOW_END_TIMEOUT);
        }
        if (f && flow_deadline(f->lru_ns, ft->timeout_ns[c]) < next)
            next = flow_deadline(f->lru_ns, ft->timeout_ns[c]);
    }
    ft->next_expiry_ns = next;
}

void flow_table_flush(struct flow_table *ft)
{
    if (!ft)
        return;
    struct flow *f;
    /* Oldest first, so records come out in the order flows went quiet. */
    while ((f = flow_oldest(ft)))
        flow_end(ft, f, FLOW_END_SHUTDOWN);
}

void flow_table_free(struct flow_table *ft)
{
    if (!ft)
        return;
    flow_table_flush(ft);
    table_mem_free(ft->buckets, ft->mask + 1, sizeof *ft->buckets);
    free(ft);
}

void flow_table_foreach(struct flow_table *ft, void (*fn)(struct flow *f, void *arg), void *arg)
{
    for (unsigned c = 0; c < FLOW_CLASSES; c++)
        for (struct flow *f = ft->lru[c].head; f; f = f->lru_next)
            fn(f, arg);
}

uint64_t flow_table_seed(const struct flow_table *ft) { return ft->seed; }
size_t flow_table_count(const struct flow_table *ft) { return ft->count; }
size_t flow_table_memuse(const struct flow_table *ft) { return ft->memuse; }

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
