/* defrag.c - IPv4/IPv6 fragment reassembly: trackers, first-wins overlaps, caps and events.
 *
 * Why it looks like this:
 * - A datagram's data is held as non-overlapping pieces sorted by offset.
 *   A new fragment is cut against what is held: the parts that fall in
 *   holes become new pieces, the parts that overlap are only compared (the
 *   "first" policy). So the reassembled bytes never depend on later
 *   fragments, and each overlap is seen exactly once, when it arrives.
 * - The pieces are a linked list: max-frags bounds it (a fragment filling k
 *   holes adds k pieces and leaves at most 2 - k more holes, so a datagram
 *   never has more than 2 * max-frags + 1 pieces) and real traffic has a
 *   handful of fragments per datagram.
 * - Trackers are hashed with SipHash under a per-run random key, so an
 *   attacker cannot aim fragments at one chain. They are also kept on one
 *   list in creation order: the timeout runs from the first fragment (as a
 *   host's reassembly timer does), so the oldest tracker is always at the
 *   head and expiry never scans the table.
 * - Every byte a tracker holds is counted in d->used before it is taken,
 *   so defrag.memcap is checked before anything is allocated. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include "config.h"
#include "cursor.h"
#include "defrag.h"

#define DEFRAG_IP_MAXPACKET 65535u   /* RFC 791 total length / RFC 8200 payload length */
#define DEFRAG_IPV4_MIN_HLEN 20u
#define DEFRAG_IPV6_HLEN 40u
#define DEFRAG_IPV6_FRAG_HLEN 8u
#define DEFRAG_IPV6_NH_FRAGMENT 44u
#define DEFRAG_IPV6_NH_AH 51u
#define DEFRAG_IPPROTO_SCTP 132u

#define DEFRAG_DEFAULT_MEMCAP (32ull * 1024 * 1024)
#define DEFRAG_DEFAULT_TIMEOUT_NS (60ull * TG_NS_PER_SEC)
#define DEFRAG_DEFAULT_TRACKERS 65535u
#define DEFRAG_DEFAULT_MAX_FRAGS 256u
#define DEFRAG_DEFAULT_TINY_SIZE 64u
#define DEFRAG_MAX_BUCKETS (1u << 20)

/* A run of held datagram bytes [off, off + len) of the fragmentable part. */
struct defrag_piece {
    struct defrag_piece *next; /* sorted by off, never overlapping */
    uint32_t off;
    uint32_t len;
    uint8_t data[];
};

struct defrag_key {
    struct ip_addr src, dst;
    uint32_t id;
    uint8_t version;
    uint8_t proto; /* IPv4 only; 0 for IPv6 */
    uint8_t vlan_count;
    uint16_t vlan[PACKET_MAX_VLAN];
};

struct defrag_tracker {
    struct defrag_tracker *hnext;  /* hash chain */
    struct defrag_tracker *older;  /* creation-order list */
    struct defrag_tracker *newer;
    struct defrag_key key;
    uint32_t hash;
    uint64_t created_ns;
    uint32_t nfrags;   /* fragments accepted, duplicates included */
    uint32_t end;      /* length of the fragmentable part, valid with have_end */
    uint32_t high;     /* end of the highest byte held */
    bool have_end;     /* an MF=0 fragment fixed the end */
    uint8_t nexthdr;   /* IPv6: next header from the first fragment's fragment header */
    uint32_t nh_pos;   /* IPv6: where in unfrag the next header naming the fragment header is */
    uint8_t *unfrag;   /* unfragmentable part copied from the offset-0 fragment */
    uint32_t unfrag_len;
    struct defrag_piece *pieces;
    size_t mem;        /* bytes this tracker holds, included in d->used */
};

struct defrag {
    struct stats *stats;
    struct defrag_tracker **buckets;
    size_t nbuckets; /* power of two */
    size_t count;
    size_t used;     /* bytes held by trackers, checked against memcap */
    uint64_t memcap;
    uint64_t timeout_ns;
    uint64_t max_trackers;
    uint32_t max_frags;
    uint32_t tiny_size;
    uint64_t seed[2];
    struct defrag_tracker *oldest, *newest;
    uint64_t now_ns; /* latest capture time seen; keeps the list in order */
};

/* One fragment as seen by the reassembler, all bounds checked. */
struct defrag_frag {
    bool v6;
    uint32_t offset;
    bool more;
    const uint8_t *data;
    uint32_t len;
    const uint8_t *unfrag;  /* IPv4 header with options / IPv6 header + ext headers */
    uint32_t unfrag_len;
    uint32_t nh_pos;        /* IPv6, first fragment only */
    uint8_t l4_proto;       /* IPv4 protocol / IPv6 fragment header next header */
};

/* ---- keyed hash (SipHash-2-4) ---- */

#define DEFRAG_ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define DEFRAG_SIPROUND                                                          \
    do {                                                                         \
        v0 += v1; v1 = DEFRAG_ROTL(v1, 13); v1 ^= v0; v0 = DEFRAG_ROTL(v0, 32);   \
        v2 += v3; v3 = DEFRAG_ROTL(v3, 16); v3 ^= v2;                            \
        v0 += v3; v3 = DEFRAG_ROTL(v3, 21); v3 ^= v0;                            \
        v2 += v1; v1 = DEFRAG_ROTL(v1, 17); v1 ^= v2; v2 = DEFRAG_ROTL(v2, 32);   \
    } while (0)

static uint64_t defrag_siphash(const uint64_t k[2], const uint8_t *in, size_t len)
{
    uint64_t v0 = 0x736f6d6570736575ULL ^ k[0], v1 = 0x646f72616e646f6dULL ^ k[1];
    uint64_t v2 = 0x6c7967656e657261ULL ^ k[0], v3 = 0x7465646279746573ULL ^ k[1];
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t m = 0;
        for (int j = 7; j >= 0; j--)
            m = (m << 8) | in[i + (size_t)j];
        v3 ^= m;
        DEFRAG_SIPROUND;
        DEFRAG_SIPROUND;
        v0 ^= m;
    }
    uint64_t b = (uint64_t)len << 56;
    for (size_t j = 0; i + j < len; j++)
        b |= (uint64_t)in[i + j] << (8 * j);
    v3 ^= b;
    DEFRAG_SIPROUND;
    DEFRAG_SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    DEFRAG_SIPROUND;
    DEFRAG_SIPROUND;
    DEFRAG_SIPROUND;
    DEFRAG_SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

static uint32_t defrag_hash(const struct defrag *d, const struct defrag_key *k)
{
    /* Serialise the key so padding never reaches the hash. */
    uint8_t buf[16 + 16 + 4 + 3 + 2 * PACKET_MAX_VLAN];
    size_t n = 0;
    memcpy(buf + n, k->src.b, 16), n += 16;
    memcpy(buf + n, k->dst.b, 16), n += 16;
    buf[n++] = (uint8_t)(k->id >> 24);
    buf[n++] = (uint8_t)(k->id >> 16);
    buf[n++] = (uint8_t)(k->id >> 8);
    buf[n++] = (uint8_t)k->id;
    buf[n++] = k->version;
    buf[n++] = k->proto;
    buf[n++] = k->vlan_count;
    for (int i = 0; i < PACKET_MAX_VLAN; i++) {
        buf[n++] = (uint8_t)(k->vlan[i] >> 8);
        buf[n++] = (uint8_t)k->vlan[i];
    }
    assert(n == sizeof buf);
    return (uint32_t)defrag_siphash(d->seed, buf, n);
}

static bool defrag_key_eq(const struct defrag_key *a, const struct defrag_key *b)
{
    if (a->id != b->id || a->version != b->version || a->proto != b->proto || a->vlan_count != b->vlan_count)
        return false;
    for (int i = 0; i < PACKET_MAX_VLAN; i++)
        if (a->vlan[i] != b->vlan[i])
            return false;
    return ip_addr_cmp(&a->src, &b->src) == 0 && ip_addr_cmp(&a->dst, &b->dst) == 0;
}

static void defrag_seed(struct defrag *d)
{
    if (getrandom(d->seed, sizeof d->seed, GRND_NONBLOCK) == (ssize_t)sizeof d->seed)
        return;
    /* No entropy yet (early boot): a weaker seed still differs per run. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    d->seed[0] = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^ (uint64_t)(uintptr_t)d;
    d->seed[1] = ((uint64_t)getpid() << 17) ^ (uint64_t)(uintptr_t)&ts ^ 0x9e3779b97f4a7c15ULL;
}

/* ---- table ---- */

void defrag_set_stats(struct defrag *d, struct stats *st)
{
    d->stats = st;
}

struct defrag *defrag_new(const struct config *cfg, struct stats *st)
{
    struct defrag *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->stats = st;
    d->memcap = config_get_u64(cfg, "defrag.memcap", DEFRAG_DEFAULT_MEMCAP);
    d->timeout_ns = config_get_duration_ns(cfg, "defrag.timeout", DEFRAG_DEFAULT_TIMEOUT_NS);
    d->max_trackers = config_get_u64(cfg, "defrag.trackers", DEFRAG_DEFAULT_TRACKERS);
    uint64_t mf = config_get_u64(cfg, "defrag.max-frags", DEFRAG_DEFAULT_MAX_FRAGS);
    d->max_frags = (uint32_t)TG_MIN(mf, (uint64_t)UINT32_MAX);
    uint64_t tiny = config_get_u64(cfg, "defrag.tiny-size", DEFRAG_DEFAULT_TINY_SIZE);
    d->tiny_size = (uint32_t)TG_MIN(tiny, (uint64_t)DEFRAG_IP_MAXPACKET);
    /* About two trackers a chain when full. */
    d->nbuckets = 16;
    while (d->nbuckets < DEFRAG_MAX_BUCKETS && d->nbuckets * 2 < d->max_trackers)
        d->nbuckets *= 2;
    d->buckets = calloc(d->nbuckets, sizeof *d->buckets);
    if (!d->buckets) {
        free(d);
        return NULL;
    }
    defrag_seed(d);
    return d;
}

/* Unlink t from its chain and the age list and free everything it holds. */
static void defrag_tracker_drop(struct defrag *d, struct defrag_tracker *t)
{
    struct defrag_tracker **pp = &d->buckets[t->hash & (d->nbuckets - 1)];
    while (*pp != t) {
        assert(*pp);
        pp = &(*pp)->hnext;
    }
    *pp = t->hnext;
    if (t->older)
        t->older->newer = t->newer;
    else
        d->oldest = t->newer;
    if (t->newer)
        t->newer->older = t->older;
    else
        d->newest = t->older;
    for (struct defrag_piece *q = t->pieces, *next; q; q = next) {
        next = q->next;
        free(q);
    }
    free(t->unfrag);
    assert(d->used >= t->mem);
    d->used -= t->mem;
    d->count--;
    free(t);
    stats_set(d->stats, STAT_DEFRAG_MEMUSE, defrag_memuse(d));
}

void defrag_free(struct defrag *d)
{
    if (!d)
        return;
    while (d->oldest)
        defrag_tracker_drop(d, d->oldest);
    free(d->buckets);
    free(d);
}

static bool defrag_expired(const struct defrag *d, const struct defrag_tracker *t, uint64_t now_ns)
{
    return now_ns > t->created_ns && now_ns - t->created_ns > d->timeout_ns;
}

void defrag_expire(struct defrag *d, uint64_t now_ns)
{
    while (d->oldest && defrag_expired(d, d->oldest, now_ns)) {
        stats_inc(d->stats, STAT_DEFRAG_TIMEOUTS);
        defrag_tracker_drop(d, d->oldest);
    }
}

size_t defrag_memuse(const struct defrag *d)
{
    return sizeof *d + d->nbuckets * sizeof *d->buckets + d->used;
}

size_t defrag_trackers(const struct defrag *d) { return d->count; }

static struct defrag_tracker *defrag_lookup(struct defrag *d, const struct defrag_key *k, uint32_t h)
{
    for (struct defrag_tracker *t = d->buckets[h & (d->nbuckets - 1)]; t; t = t->hnext)
        if (t->hash == h && defrag_key_eq(&t->key, k))
            return t;
    return NULL;
}

static bool defrag_mem_ok(const struct defrag *d, size_t n)
{
    return d->used <= d->memcap && n <= d->memcap - d->used;
}

static void defrag_take(struct defrag *d, struct defrag_tracker *t, size_t n)
{
    t->mem += n;
    d->used += n;
    stats_set(d->stats, STAT_DEFRAG_MEMUSE, defrag_memuse(d));
}

/* ---- fragment parsing ---- */

/* Where the IPv6 header chain names the fragment header at frag_hdr_off:
 * the offset of that next-header byte, or 0 when the chain does not lead
 * there (then the fragment cannot be rebuilt). */
static uint32_t defrag_ipv6_nh_pos(const uint8_t *l3, uint32_t frag_hdr_off)
{
    struct cursor c;
    cursor_init(&c, l3, frag_hdr_off);
    uint32_t nh_pos = 6;
    uint8_t nh = cursor_peek_u8(&c, nh_pos);
    uint32_t off = DEFRAG_IPV6_HLEN;
    while (off < frag_hdr_off && !c.err) {
        uint8_t len = cursor_peek_u8(&c, off + 1);
        nh_pos = off;
        /* AH counts 4-octet units minus 2 (RFC 4302), the others 8-octet units minus 1. */
        uint32_t hl = nh == DEFRAG_IPV6_NH_AH ? ((uint32_t)len + 2) * 4 : ((uint32_t)len + 1) * 8;
        nh = cursor_peek_u8(&c, off);
        off += hl;
    }
    if (c.err || off != frag_hdr_off || nh != DEFRAG_IPV6_NH_FRAGMENT)
        return 0;
    return nh_pos;
}

static int defrag_parse(const struct packet *p, struct defrag_frag *f)
{
    memset(f, 0, sizeof *f);
    if (!p->l3)
        return TG_ERROR;
    f->offset = p->frag_offset;
    f->more = p->frag_more;
    struct cursor c;
    cursor_init(&c, p->l3, p->l3_len);
    if (p->ip_version == 4) {
        uint32_t hlen = (uint32_t)(cursor_peek_u8(&c, 0) & 0x0f) * 4;
        f->l4_proto = cursor_peek_u8(&c, 9);
        if (c.err || hlen < DEFRAG_IPV4_MIN_HLEN || hlen > p->l3_len)
            return TG_ERROR;
        f->unfrag = p->l3;
        f->unfrag_len = hlen;
    } else if (p->ip_version == 6) {
        uint32_t fh = p->frag_hdr_off;
        if (fh < DEFRAG_IPV6_HLEN || p->l3_len < DEFRAG_IPV6_FRAG_HLEN || fh > p->l3_len - DEFRAG_IPV6_FRAG_HLEN)
            return TG_ERROR;
        f->v6 = true;
        f->l4_proto = p->frag_nexthdr;
        f->unfrag = p->l3;
        f->unfrag_len = fh;
        if (f->offset == 0) {
            f->nh_pos = defrag_ipv6_nh_pos(p->l3, fh);
            if (!f->nh_pos)
                return TG_ERROR;
        }
    } else {
        return TG_ERROR;
    }
    /* The data follows the IPv4 header, or the IPv6 fragment header. */
    cursor_init(&c, p->l3, p->l3_len);
    if (!cursor_skip(&c, f->v6 ? f->unfrag_len + DEFRAG_IPV6_FRAG_HLEN : f->unfrag_len))
        return TG_ERROR;
    f->data = cursor_ptr(&c);
    f->len = (uint32_t)cursor_left(&c);
    return TG_OK;
}

/* Would the datagram this fragment belongs to outgrow its length field? */
static bool defrag_too_large(const struct defrag_frag *f)
{
    uint64_t end = (uint64_t)f->offset + f->len;
    if (f->v6) /* payload length counts the extension headers kept before the data */
        return end + (f->unfrag_len - DEFRAG_IPV6_HLEN) > DEFRAG_IP_MAXPACKET;
    return end + f->unfrag_len > DEFRAG_IP_MAXPACKET;
}

static uint32_t defrag_min_first(uint8_t proto)
{
    switch (proto) {
    case IPPROTO_NUM_TCP: return DEFRAG_MIN_FIRST_TCP;
    case IPPROTO_NUM_UDP: return DEFRAG_MIN_FIRST_UDP;
    case IPPROTO_NUM_ICMP:
    case IPPROTO_NUM_ICMPV6: return DEFRAG_MIN_FIRST_ICMP;
    case DEFRAG_IPPROTO_SCTP: return DEFRAG_MIN_FIRST_SCTP;
    default: return 0;
    }
}

static void defrag_key_from(struct defrag_key *k, const struct packet *p, const struct defrag_frag *f)
{
    memset(k, 0, sizeof *k);
    k->src = p->src;
    k->dst = p->dst;
    k->id = p->frag_id;
    k->version = f->v6 ? 6 : 4;
    k->proto = f->v6 ? 0 : f->l4_proto;
    k->vlan_count = TG_MIN(p->vlan_count, (uint8_t)PACKET_MAX_VLAN);
    for (unsigned i = 0; i < k->vlan_count; i++)
        k->vlan[i] = p->vlan[i];
}

/* ---- data ---- */

/* Pass one of an insert: how many bytes new pieces for [off, off+len)
 * need, and whether it overlaps held data and with different bytes. */
static size_t defrag_plan(const struct defrag_tracker *t, uint32_t off, const uint8_t *data, uint32_t len,
                          bool *overlap, bool *diff)
{
    size_t need = 0;
    uint32_t cur = off, end = off + len;
    for (const struct defrag_piece *q = t->pieces; q && cur < end; q = q->next) {
        uint32_t qend = q->off + q->len;
        if (qend <= cur)
            continue;
        if (q->off >= end)
            break;
        if (q->off > cur)
            need += sizeof(struct defrag_piece) + (q->off - cur);
        uint32_t os = TG_MAX(cur, q->off), oe = TG_MIN(end, qend);
        *overlap = true;
        if (memcmp(q->data + (os - q->off), data + (os - off), oe - os) != 0)
            *diff = true;
        cur = oe;
    }
    if (cur < end)
        need += sizeof(struct defrag_piece) + (end - cur);
    return need;
}

static struct defrag_piece *defrag_piece_new(uint32_t off, const uint8_t *data, uint32_t len)
{
    struct defrag_piece *q = malloc(sizeof *q + len);
    if (!q)
        return NULL;
    q->next = NULL;
    q->off = off;
    q->len = len;
    memcpy(q->data, data, len);
    return q;
}

/* Pass two: fill the holes of [off, off+len) with the new bytes. Returns
 * TG_ERROR only when malloc fails; what was inserted stays consistent. */
static int defrag_fill(struct defrag *d, struct defrag_tracker *t, uint32_t off, const uint8_t *data, uint32_t len)
{
    uint32_t cur = off, end = off + len;
    struct defrag_piece **link = &t->pieces;
    while (cur < end) {
        struct defrag_piece *q = *link;
        if (q && q->off + q->len <= cur) {
            link = &q->next;
            continue;
        }
        /* The hole runs from cur to the next piece (or to the end). */
        uint32_t hole_end = q ? TG_MIN(end, q->off) : end;
        if (hole_end > cur) {
            struct defrag_piece *n = defrag_piece_new(cur, data + (cur - off), hole_end - cur);
            if (!n)
                return TG_ERROR;
            n->next = q;
            *link = n;
            link = &n->next;
            defrag_take(d, t, sizeof *n + n->len);
            cur = hole_end;
            continue;
        }
        /* cur lies inside q: held bytes win. */
        cur = TG_MIN(end, q->off + q->len);
        link = &q->next;
    }
    if (end > t->high)
        t->high = end;
    return TG_OK;
}

static bool defrag_complete(const struct defrag_tracker *t)
{
    if (!t->have_end || !t->unfrag)
        return false;
    uint32_t at = 0;
    for (const struct defrag_piece *q = t->pieces; q && at < t->end; q = q->next) {
        if (q->off > at)
            return false;
        at = TG_MAX(at, q->off + q->len);
    }
    return at >= t->end;
}

static uint16_t defrag_ipv4_csum(const uint8_t *h, uint32_t len)
{
    uint32_t s = 0;
    for (uint32_t i = 0; i + 1 < len; i += 2)
        s += (uint32_t)(h[i] << 8 | h[i + 1]);
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static void defrag_put16(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)(v >> 8);
    b[1] = (uint8_t)v;
}

/* Build the unfragmented datagram; NULL when out of memory. */
static uint8_t *defrag_build(const struct defrag_tracker *t, uint32_t *out_len)
{
    uint32_t total = t->unfrag_len + t->end;
    uint8_t *buf = malloc(total ? total : 1);
    if (!buf)
        return NULL;
    memcpy(buf, t->unfrag, t->unfrag_len);
    uint8_t *data = buf + t->unfrag_len;
    for (const struct defrag_piece *q = t->pieces; q && q->off < t->end; q = q->next)
        memcpy(data + q->off, q->data, TG_MIN(q->len, t->end - q->off));
    if (t->key.version == 4) {
        defrag_put16(buf + 2, total);
        /* Keep DF and the reserved bit as the first fragment had them;
         * clear MF and the offset (RFC 791). */
        buf[6] &= 0xc0;
        buf[7] = 0;
        buf[10] = buf[11] = 0;
        defrag_put16(buf + 10, defrag_ipv4_csum(buf, t->unfrag_len));
    } else {
        defrag_put16(buf + 4, total - DEFRAG_IPV6_HLEN);
        buf[t->nh_pos] = t->nexthdr;
    }
    *out_len = total;
    return buf;
}

/* ---- the entry point ---- */

static enum event_id defrag_ev(bool v6, enum event_id v4ev, enum event_id v6ev)
{
    return v6 ? v6ev : v4ev;
}

int defrag_add(struct defrag *d, struct packet *p, uint8_t **out, uint32_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    stats_inc(d->stats, p->ip_version == 6 ? STAT_DEFRAG_IPV6_FRAGMENTS : STAT_DEFRAG_IPV4_FRAGMENTS);
    if (p->ts_ns > d->now_ns)
        d->now_ns = p->ts_ns;
    uint64_t now = d->now_ns;

    struct defrag_frag f;
    if (defrag_parse(p, &f) != TG_OK) {
        packet_set_event(p, d->stats, EV_DEFRAG_FRAG_IGNORED);
        return TG_DECLINED;
    }
    struct defrag_key key;
    defrag_key_from(&key, p, &f);
    uint32_t h = defrag_hash(d, &key);
    struct defrag_tracker *t = defrag_lookup(d, &key, h);
    if (t && defrag_expired(d, t, now)) {
        /* Its time ran out before the engine's expiry pass saw it. */
        stats_inc(d->stats, STAT_DEFRAG_TIMEOUTS);
        defrag_tracker_drop(d, t);
        t = NULL;
    }

    if (defrag_too_large(&f)) {
        packet_set_event(p, d->stats, defrag_ev(f.v6, EV_DEFRAG_IPV4_FRAG_TOO_LARGE, EV_DEFRAG_IPV6_FRAG_TOO_LARGE));
        if (t)
            defrag_tracker_drop(d, t);
        return TG_DECLINED;
    }
    if (f.more && f.len < d->tiny_size)
        packet_set_event(p, d->stats, EV_DEFRAG_FRAG_TINY);
    else if (f.offset == 0 && f.more && f.len < defrag_min_first(f.l4_proto))
        packet_set_event(p, d->stats, EV_DEFRAG_FRAG_TINY);

    bool created = false;
    if (!t) {
        if (d->count >= d->max_trackers)
            defrag_expire(d, now);
        if (d->count >= d->max_trackers) {
            stats_inc(d->stats, STAT_DEFRAG_TRACKERS_HIT);
            return TG_DECLINED;
        }
        if (!defrag_mem_ok(d, sizeof *t)) {
            stats_inc(d->stats, STAT_DEFRAG_MEMCAP_HIT);
            return TG_DECLINED;
        }
        t = calloc(1, sizeof *t);
        if (!t) {
            stats_inc(d->stats, STAT_DEFRAG_MEMCAP_HIT);
            return TG_DECLINED;
        }
        t->key = key;
        t->hash = h;
        t->created_ns = now;
        size_t b = h & (d->nbuckets - 1);
        t->hnext = d->buckets[b];
        d->buckets[b] = t;
        t->older = d->newest;
        if (d->newest)
            d->newest->newer = t;
        else
            d->oldest = t;
        d->newest = t;
        d->count++;
        defrag_take(d, t, sizeof *t);
        created = true;
    }

    if (t->nfrags >= d->max_frags) {
        stats_inc(d->stats, STAT_DEFRAG_MAX_FRAGS_HIT);
        packet_set_event(p, d->stats, EV_DEFRAG_FRAG_TOO_MANY);
        defrag_tracker_drop(d, t);
        return TG_DECLINED;
    }
    t->nfrags++;

    /* The first MF=0 fragment fixes the end; nothing past it is kept. It
     * is only recorded once the fragment is in, so a dropped fragment
     * leaves no trace. */
    uint32_t fend = f.offset + f.len;
    bool sets_end = !f.more && !t->have_end;
    uint32_t end = t->have_end ? t->end : sets_end ? fend : UINT32_MAX;
    if (f.more ? fend > end : t->have_end ? fend != end : t->high > fend)
        packet_set_event(p, d->stats, EV_DEFRAG_FRAG_END_MISMATCH);
    uint32_t len = f.len;
    if (fend > end)
        len = end > f.offset ? end - f.offset : 0;

    bool overlap = false, diff = false;
    bool first = f.offset == 0 && !t->unfrag;
    size_t need = defrag_plan(t, f.offset, f.data, len, &overlap, &diff);
    if (first)
        need += f.unfrag_len;
    if (overlap) {
        stats_inc(d->stats, STAT_DEFRAG_OVERLAPS);
        packet_set_event(p, d->stats, defrag_ev(f.v6, EV_DEFRAG_IPV4_FRAG_OVERLAP, EV_DEFRAG_IPV6_FRAG_OVERLAP));
        if (diff)
            packet_set_event(p, d->stats,
                             defrag_ev(f.v6, EV_DEFRAG_IPV4_FRAG_OVERLAP_DIFF, EV_DEFRAG_IPV6_FRAG_OVERLAP_DIFF));
    }
    if (!defrag_mem_ok(d, need))
        goto memcap;
    if (first) {
        t->unfrag = malloc(f.unfrag_len);
        if (!t->unfrag)
            goto memcap;
        memcpy(t->unfrag, f.unfrag, f.unfrag_len);
        t->unfrag_len = f.unfrag_len;
        t->nh_pos = f.nh_pos;
        t->nexthdr = f.l4_proto;
        defrag_take(d, t, f.unfrag_len);
    }
    if (defrag_fill(d, t, f.offset, f.data, len) != TG_OK)
        goto memcap;
    if (sets_end) {
        t->have_end = true;
        t->end = fend;
    }

    if (!defrag_complete(t)) {
        return TG_AGAIN;
    }
    if ((uint64_t)t->unfrag_len + t->end - (t->key.version == 6 ? DEFRAG_IPV6_HLEN : 0) > DEFRAG_IP_MAXPACKET) {
        /* Only possible when the first fragment's header is longer than the
         * one on the fragment that passed the per-fragment check. */
        packet_set_event(p, d->stats, defrag_ev(f.v6, EV_DEFRAG_IPV4_FRAG_TOO_LARGE, EV_DEFRAG_IPV6_FRAG_TOO_LARGE));
        defrag_tracker_drop(d, t);
        return TG_DECLINED;
    }
    uint8_t *buf = defrag_build(t, out_len);
    defrag_tracker_drop(d, t);
    if (!buf) {
        stats_inc(d->stats, STAT_DEFRAG_MEMCAP_HIT);
        return TG_DECLINED;
    }
    stats_inc(d->stats, f.v6 ? STAT_DEFRAG_IPV6_REASSEMBLED : STAT_DEFRAG_IPV4_REASSEMBLED);
    *out = buf;
    return TG_OK;

memcap:
    stats_inc(d->stats, STAT_DEFRAG_MEMCAP_HIT);
    if (created && !t->pieces && !t->unfrag)
        defrag_tracker_drop(d, t);
    return TG_DECLINED;
}
