/* test-defrag.c - unit tests of IPv4/IPv6 reassembly: orders, overlaps, caps, timeouts, exact bytes. */
#include <pcap/dlt.h>
#include "config.h"
#include "decode.h"
#include "defrag.h"
#include "test.h"

#define NS TG_NS_PER_SEC

struct env {
    struct config *cfg;
    struct stats st;
    struct decode_ctx dc;
    struct defrag *d;
    size_t base_mem; /* memuse with no tracker */
};

static void env_init(struct env *e, const char *const *sets)
{
    memset(e, 0, sizeof *e);
    e->cfg = config_new();
    for (; sets && *sets; sets++)
        config_set(e->cfg, *sets);
    decode_ctx_init(&e->dc, e->cfg, &e->st);
    e->d = defrag_new(e->cfg, &e->st);
    e->base_mem = defrag_memuse(e->d);
}

static void env_done(struct env *e)
{
    defrag_free(e->d);
    config_free(e->cfg);
}

static void put16(uint8_t *b, unsigned v)
{
    b[0] = (uint8_t)(v >> 8);
    b[1] = (uint8_t)v;
}

static uint16_t ip_csum(const uint8_t *h, size_t len)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < len; i += 2)
        s += (uint32_t)(h[i] << 8 | h[i + 1]);
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

/* An IPv4 packet 198.18.0.1 -> 198.18.0.2 carrying data at byte offset off;
 * off == 0 and !mf gives the unfragmented datagram. */
static size_t mk_v4(uint8_t *b, uint16_t id, uint8_t proto, unsigned off, bool mf, const uint8_t *opt,
                    size_t optlen, const uint8_t *data, size_t len)
{
    size_t hl = 20 + optlen;
    memset(b, 0, hl);
    b[0] = (uint8_t)(0x40 | (hl / 4));
    put16(b + 2, (unsigned)(hl + len));
    put16(b + 4, id);
    put16(b + 6, (mf ? 0x2000u : 0) | (off / 8));
    b[8] = 64;
    b[9] = proto;
    const uint8_t src[4] = {198, 18, 0, 1}, dst[4] = {198, 18, 0, 2};
    memcpy(b + 12, src, 4);
    memcpy(b + 16, dst, 4);
    if (optlen)
        memcpy(b + 20, opt, optlen);
    put16(b + 10, ip_csum(b, hl));
    memcpy(b + hl, data, len);
    return hl + len;
}

/* An IPv6 packet fd00:198:18::1 -> ::2 with the extension headers ext
 * (their next-header chain already set) after the base header. With frag
 * the fragment header (next header nh) follows ext and the chain's last
 * next-header must be 44; without frag this is the unfragmented datagram. */
static size_t mk_v6(uint8_t *b, uint8_t first_nh, const uint8_t *ext, size_t extlen, bool frag, uint32_t id,
                    uint8_t nh, unsigned off, bool more, const uint8_t *data, size_t len)
{
    memset(b, 0, 40);
    b[0] = 0x60;
    size_t fl = frag ? 8 : 0;
    put16(b + 4, (unsigned)(extlen + fl + len));
    b[6] = first_nh;
    b[7] = 64;
    b[8] = 0xfd;
    b[10] = 0x01;
    b[11] = 0x98;
    b[13] = 0x18;
    memcpy(b + 24, b + 8, 16);
    b[23] = 1;
    b[39] = 2;
    if (extlen)
        memcpy(b + 40, ext, extlen);
    size_t at = 40 + extlen;
    if (frag) {
        b[at] = nh;
        b[at + 1] = 0;
        put16(b + at + 2, (off & 0xfff8u) | (more ? 1u : 0));
        b[at + 4] = (uint8_t)(id >> 24);
        b[at + 5] = (uint8_t)(id >> 16);
        b[at + 6] = (uint8_t)(id >> 8);
        b[at + 7] = (uint8_t)id;
        at += 8;
    }
    memcpy(b + at, data, len);
    return at + len;
}

/* A UDP datagram (header + patterned payload) of total length n. */
static void mk_udp(uint8_t *b, size_t n, uint8_t salt)
{
    put16(b, 5060);
    put16(b + 2, 5060);
    put16(b + 4, (unsigned)n);
    b[6] = b[7] = 0; /* no checksum: the bytes are what is checked */
    for (size_t i = 8; i < n; i++)
        b[i] = (uint8_t)('a' + (i * 7 + salt) % 26);
}

/* Fill in the UDP checksum of a datagram sent fd00:198:18::1 -> ::2
 * (mandatory over IPv6, RFC 8200 section 8.1). */
static void udp_csum_v6(uint8_t *u, size_t n)
{
    uint8_t a[16] = {0xfd, 0, 0x01, 0x98, 0, 0x18}, b[16];
    memcpy(b, a, 16);
    a[15] = 1;
    b[15] = 2;
    uint32_t sum = 0;
    for (int i = 0; i < 16; i += 2)
        sum += (uint32_t)(a[i] << 8 | a[i + 1]) + (uint32_t)(b[i] << 8 | b[i + 1]);
    sum += (uint32_t)n + IPPROTO_NUM_UDP;
    u[6] = u[7] = 0;
    for (size_t i = 0; i < n; i += 2)
        sum += (uint32_t)(u[i] << 8 | (i + 1 < n ? u[i + 1] : 0));
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    uint16_t c = (uint16_t)~sum;
    put16(u + 6, c ? c : 0xffff);
}

static struct packet pkt;

/* Decode buf as a raw IP packet at time ts and hand it to defrag. */
static int feed(struct env *e, const uint8_t *buf, size_t len, uint64_t ts, uint8_t **out, uint32_t *olen)
{
    memset(&pkt, 0, sizeof pkt);
    pkt.data = buf;
    pkt.caplen = pkt.wirelen = (uint32_t)len;
    pkt.datalink = DLT_RAW;
    pkt.ts_ns = ts;
    decode_packet(&e->dc, &pkt);
    CHECK(pkt.flags & PKT_IS_FRAGMENT);
    if (!(pkt.flags & PKT_IS_FRAGMENT))
        return TG_ERROR;
    return defrag_add(e->d, &pkt, out, olen);
}

/* Feed the IPv4 fragments [offs[i], offs[i+1]) of data in the given order;
 * returns the result of the last one. */
static int feed_v4_order(struct env *e, uint16_t id, const uint8_t *data, const unsigned *offs, size_t nfr,
                         const size_t *order, uint8_t **out, uint32_t *olen)
{
    uint8_t buf[2048];
    int rc = TG_ERROR;
    for (size_t k = 0; k < nfr; k++) {
        size_t i = order[k];
        size_t n = mk_v4(buf, id, IPPROTO_NUM_UDP, offs[i], i + 1 < nfr, NULL, 0, data + offs[i],
                         offs[i + 1] - offs[i]);
        rc = feed(e, buf, n, (uint64_t)k * 1000, out, olen);
        if (k + 1 < nfr)
            CHECK_EQ_U(rc, TG_AGAIN);
    }
    return rc;
}

static uint8_t udpdata[4096];
static uint8_t want[8192];

static void check_v4_result(struct env *e, uint8_t *out, uint32_t olen, uint16_t id, size_t dlen)
{
    size_t wn = mk_v4(want, id, IPPROTO_NUM_UDP, 0, false, NULL, 0, udpdata, dlen);
    CHECK(out != NULL);
    CHECK_EQ_U(olen, wn);
    CHECK(out && olen == wn && memcmp(out, want, wn) == 0);
    /* The engine re-decodes what defrag returns: it must be a whole UDP datagram. */
    if (out) {
        decode_ip_datagram(&e->dc, &pkt, out, olen);
        CHECK(!(pkt.flags & PKT_IS_FRAGMENT));
        CHECK(pkt.flags & PKT_HAS_L4);
        CHECK_EQ_U(pkt.payload_len, dlen - 8);
    }
}

TEST(v4_in_order)
{
    struct env e;
    env_init(&e, NULL);
    mk_udp(udpdata, 3008, 1);
    const unsigned offs[] = {0, 1480, 2960, 3008};
    const size_t order[] = {0, 1, 2};
    uint8_t *out;
    uint32_t olen;
    CHECK_EQ_U(feed_v4_order(&e, 77, udpdata, offs, 3, order, &out, &olen), TG_OK);
    check_v4_result(&e, out, olen, 77, 3008);
    CHECK_EQ_U(e.st.c[STAT_DEFRAG_IPV4_FRAGMENTS], 3);
    CHECK_EQ_U(e.st.c[STAT_DEFRAG_IPV4_REASSEMBLED], 1);
    CHECK_EQ_U(e.st.c[STAT_EVENTS_TOTAL], 0);
    CHECK_EQ_U(defrag_trackers(e.d), 0);
    CHECK_EQ_U(defrag_memuse(e.d), e.base_mem);
    free(out);
    env_done(&e);
}

TEST(v4_reverse_order)
{
    struct env e;
    env_init(&e, NULL);
    mk_udp(udpdata, 3008, 2);
    const unsigned offs[] = {0, 1480, 2960, 3008};
    const size_t order[] = {2, 1, 0};
    uint8_t *out;
    uint32_t olen;
    CHECK_EQ_U(feed_v4_order(&e, 78, udpdata, offs, 3, order, &out, &olen), TG_OK);
    check_v4_result(&e, out, olen, 78, 3008);
    CHECK_EQ_U(e.st.c[STAT_EVENTS_TOTAL], 0);
    CHECK_EQ_U(defrag_memuse(e.d), e.base_mem);
    free(out);
    env_done(&e);
}

TEST(v4_random_orders)
{
    /* Eight fragments of uneven size, fifty shuffles from a fixed LCG. */
    mk_udp(udpdata, 3000, 3);
    const unsigned offs[] = {0, 400, 408, 1200, 1600, 1608, 2400, 2992, 3000};
    uint32_t rng = 12345;
    for (int round = 0; round < 50; round++) {
        struct env e;
        env_init(&e, NULL);
        size_t order[8];
        for (size_t i = 0; i < 8; i++)
            order[i] = i;
        for (size_t i = 7; i > 0; i--) {
            rng = rng * 1103515245u + 12345u;
            size_t j = (rng >> 16) % (i + 1);
            size_t tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        uint8_t *out;
        uint32_t olen;
        CHECK_EQ_U(feed_v4_order(&e, (uint16_t)(100 + round), udpdata, offs, 8, order, &out, &olen), TG_OK);
        check_v4_result(&e, out, olen, (uint16_t)(100 + round), 3000);
        /* The two 8-byte fragments are tiny; nothing else is odd. */
        CHECK_EQ_U(e.st.events[EV_DEFRAG_FRAG_TINY], 2);
        CHECK_EQ_U(e.st.c[STAT_EVENTS_TOTAL], 2);
        CHECK_EQ_U(defrag_memuse(e.d), e.base_mem);
        free(out);
        env_done(&e);
    }
}

TEST(v4_duplicates)
{
    struct env e;
    env_init(&e, NULL);
    mk_udp(udpdata, 3008, 4);
    const unsigned offs[] = {0, 1480, 2960, 3008};
    /* The middle fragment twice, then the first twice: only OVERLAP. */
    const size_t order[] = {1, 1, 0, 0, 2};
    uint8_t buf[2048], *out = NULL;
    uint32_t olen = 0;
    int rc = TG_ERROR;
    for (size_t k = 0; k < 5; k++) {
        size_t i = order[k];
        size_t n = mk_v4(buf, 9, IPPROTO_NUM_UDP, offs[i], i < 2, NULL, 0, udpdata + offs[i], offs[i + 1] - offs[i]);
        rc = feed(&e, buf, n, k, &out, &olen);
        if (k == 1 || k == 3) {
            CHECK(packet_has_event(&pkt, EV_DEFRAG_IPV4_FRAG_OVERLAP));
            CHECK(!packet_has_event(&pkt, EV_DEFRAG_IPV4_FRAG_OVERLAP_DIFF));
        }
    }
    CHECK_EQ_U(rc, TG_OK);
    check_v4_result(&e, out, olen, 9, 3008);
    CHECK_EQ_U(e.st.events[EV_DEFRAG_IPV4_FRAG_OVERLAP], 2);
    CHECK_EQ_U(e.st.events[EV_DEFRAG_IPV4_FRAG_OVERLAP_DIFF], 0);
    CHECK_EQ_U(e.st.c[STAT_DEFRAG_OVERLAPS], 2);
    free(out);
    env_done(&e);
}

TEST(v4_overlap_same_data)
{
    struct env e;
    env_init(&e, NULL);
    mk_udp(udpdata, 64, 5);
    uint8_t buf[256], *out;
    uint32_t olen;
    size_t n = mk_v4(buf, 10, IPPROTO_NUM_UDP, 0, true, NULL, 0, udpdata, 32);
    CHECK_EQ_U(feed(&e, buf, n, 0, &out, &olen), TG_AGAIN);
    /* [16, 48) overlaps [16, 32) with the same bytes. */
    n = mk_v4(buf, 10, IPPROTO_NUM_UDP, 16, true, NULL, 0, udpdata + 16, 32);
    CHECK_EQ_U(feed(&e, buf, n, 1, &out, &olen), TG_AGAIN);
    CHECK(packet_has_event(&pkt, EV_DEFRAG_IPV4_FRAG_OVERLAP));
    CHECK(!packet_has_event(&pkt, EV_DEFRAG_IPV4_FRAG_OVERLAP_DIFF));
    n = mk_v4(buf, 10, IPPROTO_NUM_UDP, 48, false, NULL, 0, udpdata + 48, 16);
    CHECK_EQ_U(feed(&e, buf, n, 2, &out, &olen), TG_OK);
    CHECK_EQ_U(pkt.n_events, 0);
    check_v4_result(&e, out, olen, 10, 64);
    CHECK_EQ_U(e.st.c[STAT_DEFRAG_OVERLAPS], 1);
    free(out);
    env_done(&e);
}

TEST(v4_overlap_diff_first_wins)
{
    struct env e;
    env_init(&e, NULL);
    mk_udp(udpdata, 64, 6);
    uint8_t evil[64];
    memset(evil, 'X', sizeof evil);
    uint8_t buf[256], *out;
    uint32_t olen;
    /* Held first: [0, 32) genuine. Then [24, 40) conflicting: its first 8
     * bytes lose to the held ones, its last 8 fill the hole. */
    size_t n = mk_v4(buf, 11, IPPROTO_NUM_UDP, 0, true, NULL, 0, udpdata, 32);
    CHECK_EQ_U(feed(&e, buf, n, 0, &out, &olen), TG_AGAIN);
    n = mk_v4(buf, 11, IPPROTO_NUM_UDP, 24, true, NULL, 0, evil, 16);
    CHECK_EQ_U(feed(&e, buf, n, 1, &out, &olen), TG_AGAIN);
    CHECK(packet_has_event(&pkt, EV_DEFRAG_IPV4_FRAG_OVERLAP));
    CHECK(packet_has_event(&pkt, EV_DEFRAG_IPV4_FRAG_OVERLAP_DIFF));
    /* [32, 64) genuine, last: overlaps [32, 40) with different bytes too. */
    n = mk_v4(buf, 11, IPPROTO_NUM_UDP, 32, false, NULL, 0, udpdata + 32, 32);
    CHECK_EQ_U(feed(&e, buf, n, 2, &out, &olen), TG_OK);
    CHECK(packet_has_event(&pkt, EV_DEFRAG_IPV4_FRAG_OVERLAP_DIFF));
    uint8_t expect[64];
    memcpy(expect, udpdata, 64);
    memset(expect + 32, 'X', 8);
    size_t wn = mk_v4(want, 11, IPPROTO_NUM_UDP, 0, false, NULL, 0, expect, 64);
    CHECK_EQ_U(olen, wn);
    CHECK(out && memcmp(out, want, wn) == 0);
    CHECK_EQ_U(e.st.events[EV_DEFRAG_IPV4_FRAG_OVERLAP], 2);
    CHECK_EQ_U(e.st.events[EV_DEFRAG_IPV4_FRAG_OVERLAP_DIFF], 2);
    CHECK_EQ_U(e.st.c[STAT_DEFRAG_OVERLAPS], 2);
    free(out);
    env_done(&e);
}

TEST(v4_overlap_evil_first)
{
    /* The conflicting copy of the whole middle arrives before the genuine
     * one: under "first" the conflicting bytes are what gets reassembled. */
    struct env e;
    env_init(&e, NULL);
    mk_udp(udpdata, 48, 7);
    uint8_t evil[16];
    memset(evil, 'Z', sizeof evil);
    uint8_t buf[256], *out;
    uint32_t olen;
    size_t n = mk_v4(buf, 12, IPPROTO_NUM_UDP, 16, true, NULL, 0, evil, 16);
    CHECK_EQ_U(feed(&e, buf, n, 0, &out, &olen), TG_AGAIN);
    n = mk_v4(buf, 12, IPPROTO_NUM_UDP, 16, true, NULL, 0, udpdata + 16, 16);
    CHECK_EQ_U(feed(&e, buf, n, 1, &out, &olen), TG_AGAIN);
    CHECK(packet_has_event(&pkt, EV_DEFRAG_IPV4_FRAG_OVERLAP_DIFF));
    n = mk_v4(buf, 12, IPPROTO_NUM_UDP, 32, false, NULL, 0, udpdata + 32, 16);
    CHECK_EQ_U(feed(&e, buf, n, 2, &out, &olen), TG_AGAIN);
    n = mk_v4(buf, 12, IPPROTO_NUM_UDP, 0, true, NULL, 0, udpdata, 16);
    CHECK_EQ_U(feed(&e, buf, n, 3, &out, &olen), TG_OK);
    uint8_t expect[48];
    memcpy(expect, udpdata, 48);
    memset(expect + 16, 'Z', 16);
    size_t wn = mk_v4(want, 12, IPPROTO_NUM_UDP, 0, false, NULL, 0, expect, 48);
    CHECK(out && olen == wn && memcmp(out, want, wn) == 0);
    free(out);
    env_done(&e);
}

TEST(v4_tiny)
{
    struct env e;
    env_init(&e, NULL);
    uint8_t zero[128] = {0}, buf[256], *out;
    uint32_t olen;
    /* Default tiny-size 64: a fragroute-style 24-byte middle fragment. */
    size_t n = mk_v4(buf, 13, IPPROTO_NUM_UDP, 24, true, NULL, 0, zero, 24);
    CHECK_EQ_U(feed(&e, buf, n, 0, &out, &olen), TG_AGAIN);
    CHECK(packet_has_event(&pkt, EV_DEFRAG_FRAG_TINY));
    /* 64 bytes is not tiny, and a short last fragment never is. */
    n = mk_v4(buf, 13, IPPROTO_NUM_UDP, 48, true, NULL, 0, zero, 64);
    CHECK_EQ_U(feed(&e, buf, n, 1, &out, &olen), TG_AGAIN);
    CHECK(!packet_has_event(&pkt, EV_DEFRAG_FRAG_TINY));
    n = mk_v4(buf, 13, IPPROTO_NUM_UDP, 112, false, NULL, 0, zero, 3);
    CHECK_EQ_U(feed(&e, buf, n, 2, &out, &olen), TG_AGAIN);
    CHECK(!packet_has_event(&pkt, EV_DEFRAG_FRAG_TINY));
    CHECK_EQ_U(e.st.events[EV_DEFRAG_FRAG_TINY], 1);
    env_done(&e);

    /* With the size rule off, the L4 rule remains: a first TCP fragment of
     * 16 bytes cannot hold the whole TCP header (RFC 1858's tiny fragment). */
    const char *sets[] = {"defrag.tiny-size=0", NULL};
    env_init(&e, sets);
    n = mk_v4(buf, 14, IPPROTO_NUM_TCP, 0, true, NULL, 0, zero, 16);
    CHECK_EQ_U(feed(&e, buf, n, 0, &out, &olen), TG_AGAIN);
    CHECK(packet_has_event(&pkt, EV_DEFRAG_FRAG_TINY));
    n = mk_v4(buf, 15, IPPROTO_NUM_TCP, 0, true, NULL, 0, zero, 24);
    CHECK_EQ_U(feed(&e, buf, n, 0, &out, &olen), TG_AGAIN);
    CHECK(!packet_has_event(&pkt, EV_DEFRAG_FRAG_TINY));
    /* 8 bytes hold a whole UDP header: not tiny. */
    n = mk_v4(buf, 16, IPPROTO_NUM_UDP, 0, true, NULL, 0, zero, 8);
    CHECK_EQ_U(feed(&e, buf, n, 0, &out, &olen), TG_AGAIN);
    CHECK(!packet_has_event(&pkt, EV_DEFRAG_FRAG_TINY));
    /* Tiny fragments are still reassembled. */
    n = mk_v4(buf, 16, IPPROTO_NUM_UDP, 8, false, NULL, 0, zero, 8);
    CHECK_EQ_U(feed(&e, buf, n, 1, &out, &olen), TG_OK);
    free(out);
    CHECK_EQ_U(e.st.events[EV_DEFRAG_FRAG_TINY], 1);
    env_done(&e);
}

TEST(v4_too_large)
{
    struct env e;
    env_init(&e, NULL);
    uint8_t data[64] = {0}, buf[256], *out;
    uint32_t olen;
    size_t n = mk_v4(buf, 16, IPPROTO_NUM_UDP, 0, true, NULL, 0, data, 16);
    CHECK_EQ_U(feed(&e, buf, n, 0, &out, &olen), TG_AGAIN);
    CHECK_EQ_U(defrag_trackers(e.d), 1);
    /* 65528 + 20 + 16 > 65535: the datagram is given up. */
    n = mk_v4(buf, 16, IPPROTO_NUM_UDP, 65528, false, NULL, 0, data, 16);
    CHECK_EQ_U(feed(&e, buf, n, 1, &out, &olen), TG_DECLINED);
    CHECK(packet_has_event(&pkt, EV_DEFRAG_IPV4_FRAG_TOO_LARGE));
    CHECK_EQ_U(defrag_trackers(e.d), 0);
    CHECK_EQ_U(defrag_memuse(e.d), e.base_mem);
    /* The largest legal end still works: 20 + 65512 + 3 = 65535. */
    n = mk_v4(buf, 17, IPPROTO_NUM_UDP, 65512, false, NULL, 0, data, 3);
    CHECK_EQ_U(feed(&e, buf, n, 2, &out, &olen), TG_AGAIN);
    CHECK(!packet_has_event(&pkt, EV_DEFRAG_IPV4_FRAG_TOO_LARGE));
    env_done(&e);
}

TEST(timeout)
{
    const char *sets[] = {"defrag.timeout=5s", NULL};
    struct env e;
    env_init(&e, sets);
    mk_udp(udpdata, 64, 8);
    uint8_t buf[256], *out;
    uint32_t olen;
    uint64_t t0 = 1700000000ull * NS;
    size_t n = mk_v4(buf, 18, IPPROTO_NUM_UDP, 0, true, NULL, 0, udpdata, 32);
    CHECK_EQ_U(feed(&e, buf, n, t0, &out, &olen), TG_AGAIN);
    /* The rest arrives 6s later, before any expiry pass: no reassembly. */
    n = mk_v4(buf, 18, IPPROTO_NUM_UDP, 32, false, NULL, 0, udpdata + 32, 32);
    CHECK_EQ_U(feed(&e, buf, n, t0 + 6 * NS, &out, &olen), TG_AGAIN);
    CHECK(out == NULL);
    CHECK_EQ_U(e.st.c[STAT_DEFRAG_TIMEOUTS], 1);
    CHECK_EQ_U(defrag_trackers(e.d), 1);
    /* The expiry pass: still young at +10.9s (created at +6s), gone at +11.1s. */
    defrag_expire(e.d, t0 + 10 * NS + 900000000ull);
    CHECK_EQ_U(defrag_trackers(e.d), 1);
    defrag_expire(e.d, t0 + 11 * NS + 100000000ull);
    CHECK_EQ_U(defrag_trackers(e.d), 0);
    CHECK_EQ_U(e.st.c[STAT_DEFRAG_TIMEOUTS], 2);
    CHECK_EQ_U(defrag_memuse(e.d), e.base_mem);
    /* Within the timeout it reassembles. */
    n = mk_v4(buf, 19, IPPROTO_NUM_UDP, 0, true, NULL, 0, udpdata, 32);
    CHECK_EQ_U(feed(&e, buf, n, t0 + 20 * NS, &out, &olen), TG_AGAIN);
    n = mk_v4(buf, 19, IPPROTO_NUM_UDP, 32, false, NULL, 0, udpdata + 32, 32);
    CHECK_EQ_U(feed(&e, buf, n, t0 + 24 * NS, &out, &olen), TG_OK);
    check_v4_result(&e, out, olen, 19, 64);
    free(out);
    env_done(&e);
}

TEST(expiry_is_oldest_first)
{
    struct env e;
    env_init(&e, NULL); /* default 60s */
    uint8_t data[16] = {0}, buf[256], *out;
    uint32_t olen;
    for (unsigned i = 0; i < 100; i++) {
        size_t n = mk_v4(buf, (uint16_t)i, IPPROTO_NUM_UDP, 0, true, NULL, 0, data, 16);
        CHECK_EQ_U(feed(&e, buf, n, (uint64_t)i * NS, &out, &olen), TG_AGAIN);
    }
    CHECK_EQ_U(defrag_trackers(e.d), 100);
    defrag_expire(e.d, 60 * NS);
    CHECK_EQ_U(defrag_trackers(e.d), 100);
    defrag_expire(e.d, 90 * NS - 1); /* trackers 0..29 are older than 60s */
    CHECK_EQ_U(defrag_trackers(e.d), 70);
    CHECK_EQ_U(e.st.c[STAT_DEFRAG_TIMEOUTS], 30);
    env_done(&e);
}

TEST(memcap)
{
    const char *sets[] = {"defrag.memcap=2500", NULL};
    struct env e;
    env_init(&e, sets);
    mk_udp(udpdata, 3008, 9);
    uint8_t buf[2048], *out;
    uint32_t olen;
    size_t n = mk_v4(buf, 20, IPPROTO_NUM_UDP, 0, true, NULL, 0, udpdata, 1480);
    CHECK_EQ_U(feed(&e, buf, n, 0, &out, &olen), TG_AGAIN);
    size_t mem = defrag_memuse(e.d);
    CHECK(mem > e.base_mem + 1480);
    CHECK_EQ_U(e.st.c[STAT_DEFRAG_MEMUSE], mem);
    n = mk_v4(buf, 20, IPPROTO_NUM_UDP, 1480, true, NULL, 0, udpdata + 1480, 1480);
    CHECK_EQ_U(feed(&e, buf, n, 1, &out, &olen), TG_DECLINED);
    CHECK_EQ_U(e.st.c[STAT_DEFRAG_MEMCAP_HIT], 1);
    CHECK_EQ_U(defrag_memuse(e.d), mem);
    /* A new datagram whose first fragment does not fit is dropped whole. */
    n = mk_v4(buf, 21, IPPROTO_NUM_UDP, 0, true, NULL, 0, udpdata, 1480);
    CHECK_EQ_U(feed(&e, buf, n, 2, &out, &olen), TG_DECLINED);
    CHECK_EQ_U(e.st.c[STAT_DEFRAG_MEMCAP_HIT], 2);
    CHECK_EQ_U(defrag_trackers(e.d), 1);
    CHECK_EQ_U(defrag_memuse(e.d), mem);
    /* Small ones still fit and complete. */
    mk_udp(udpdata, 32, 9);
    n = mk_v4(buf, 22, IPPROTO_NUM_UDP, 0, true, NULL, 0, udpdata, 16);
    CHECK_EQ_U(feed(&e, buf, n, 3, &out, &olen), TG_AGAIN);
    n = mk_v4(buf, 22, IPPROTO_NUM_UDP, 16, false, NULL, 0, udpdata + 16, 16);
    CHECK_EQ_U(feed(&e, buf, n, 4, &out, &olen), TG_OK);
    check_v4_result(&e, out, olen, 22, 32);
    free(out);
    CHECK_EQ_U(defrag_memuse(e.d), mem);
    /* The last fragment of id 20 was dropped: its end was not recorded, so
     * a shorter last fragment completes the datagram without complaint. */
    mk_udp(udpdata, 1490, 9);
    n = mk_v4(buf, 20, IPPROTO_NUM_UDP, 1480, false, NULL, 0, udpdata + 1480, 10);
    CHECK_EQ_U(feed(&e, buf, n, 5, &out, &olen), TG_OK);
    CHECK(!packet_has_event(&pkt, EV_DEFRAG_FRAG_END_MISMATCH));
    free(out);
    CHECK_EQ_U(defrag_memuse(e.d), e.base_mem);
    CHECK_EQ_U(e.st.c[STAT_DEFRAG_MEMUSE], e.base_mem);
    env_done(&e);
}

TEST(max_frags)
{
    const char *sets[] = {"defrag.max-frags=4", NULL};
    struct env e;
    env_init(&e, sets);
    mk_udp(udpdata, 64, 10);
    uint8_t buf[256], *out;
    uint32_t olen;
    for (unsigned i = 0; i < 4; i++) {
        size_t n = mk_v4(buf, 23, IPPROTO_NUM_UDP, i * 8, true, NULL, 0, udpdata + i * 8, 8);
        CHECK_EQ_U(feed(&e, buf, n, i, &out, &olen), TG_AGAIN);
    }
    size_t n = mk_v4(buf, 23, IPPROTO_NUM_UDP, 32, false, NULL, 0, udpdata + 32, 8);
    CHECK_EQ_U(feed(&e, buf, n, 5, &out, &olen), TG_DECLINED);
    CHECK(packet_has_event(&pkt, EV_DEFRAG_FRAG_TOO_MANY));
    CHECK_EQ_U(e.st.c[STAT_DEFRAG_MAX_FRAGS_HIT], 1);
    CHECK_EQ_U(defrag_trackers(e.d), 0);
    CHECK_EQ_U(defrag_memuse(e.d), e.base_mem);
    /* Exactly four fragments are fine. */
    mk_udp(udpdata, 32, 10);
    for (unsigned i = 0; i < 4; i++) {
        n = mk_v4(buf, 24, IPPROTO_NUM_UDP, i * 8, i < 3, NULL, 0, udpdata + i * 8, 8);
        CHECK_EQ_U(feed(&e, buf, n, 10 + i, &out, &olen), i < 3 ? TG_AGAIN : TG_OK);
    }
    check_v4_result(&e, out, olen, 24, 32);
    free(out);
    env_done(&e);
}

TEST(max_trackers_and_keys)
{
    const char *sets[] = {"defrag.trackers=3", NULL};
    struct env e;
    env_init(&e, sets);
    uint8_t data[16] = {0}, buf[256], *out;
    uint32_t olen;
    /* Same id, other protocol: another datagram. */
    size_t n = mk_v4(buf, 25, IPPROTO_NUM_UDP, 0, true, NULL, 0, data, 16);
    CHECK_EQ_U(feed(&e, buf, n, 0, &out, &olen), TG_AGAIN);
    n = mk_v4(buf, 25, IPPROTO_NUM_TCP, 0, true, NULL, 0, data, 16);
    CHECK_EQ_U(feed(&e, buf, n, 0, &out, &olen), TG_AGAIN);
    CHECK_EQ_U(defrag_trackers(e.d), 2);
    n = mk_v4(buf, 26, IPPROTO_NUM_UDP, 0, true, NULL, 0, data, 16);
    CHECK_EQ_U(feed(&e, buf, n, 0, &out, &olen), TG_AGAIN);
    n = mk_v4(buf, 27, IPPROTO_NUM_UDP, 0, true, NULL, 0, data, 16);
    CHECK_EQ_U(feed(&e, buf, n, 0, &out, &olen), TG_DECLINED);
    CHECK_EQ_U(e.st.c[STAT_DEFRAG_TRACKERS_HIT], 1);
    CHECK_EQ_U(defrag_trackers(e.d), 3);
    /* A fragment of a known datagram still gets in. */
    n = mk_v4(buf, 26, IPPROTO_NUM_UDP, 16, false, NULL, 0, data, 4);
    CHECK_EQ_U(feed(&e, buf, n, 0, &out, &olen), TG_OK);
    free(out);
    CHECK_EQ_U(defrag_trackers(e.d), 2);
    env_done(&e);
}

TEST(vlan_keys)
{
    struct env e;
    env_init(&e, NULL);
    mk_udp(udpdata, 32, 11);
    uint8_t ip[128], frame[256], *out;
    uint32_t olen;
    int rc[2];
    /* The first half on VLAN 10 and the second on VLAN 20 never meet. */
    for (int k = 0; k < 2; k++) {
        size_t n = mk_v4(ip, 28, IPPROTO_NUM_UDP, (unsigned)k * 16, k == 0, NULL, 0, udpdata + k * 16, 16);
        memset(frame, 0, 12);
        frame[0] = 2;
        frame[6] = 2;
        put16(frame + 12, 0x8100);
        put16(frame + 14, k == 0 ? 10 : 20);
        put16(frame + 16, 0x0800);
        memcpy(frame + 18, ip, n);
        memset(&pkt, 0, sizeof pkt);
        pkt.data = frame;
        pkt.caplen = pkt.wirelen = (uint32_t)(n + 18);
        pkt.datalink = DLT_EN10MB;
        decode_packet(&e.dc, &pkt);
        CHECK(pkt.flags & PKT_IS_FRAGMENT);
        CHECK_EQ_U(pkt.vlan_count, 1);
        rc[k] = defrag_add(e.d, &pkt, &out, &olen);
    }
    CHECK_EQ_U(rc[0], TG_AGAIN);
    CHECK_EQ_U(rc[1], TG_AGAIN);
    CHECK_EQ_U(defrag_trackers(e.d), 2);
    env_done(&e);
}

TEST(v4_options_from_first)
{
    struct env e;
    env_init(&e, NULL);
    mk_udp(udpdata, 48, 12);
    /* Router alert (copied flag set) on the first fragment, plus a NOP/EOL
     * pad; the other fragments carry none. */
    const uint8_t opt[8] = {0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00};
    uint8_t buf[256], *out;
    uint32_t olen;
    size_t n = mk_v4(buf, 29, IPPROTO_NUM_UDP, 24, false, NULL, 0, udpdata + 24, 24);
    CHECK_EQ_U(feed(&e, buf, n, 0, &out, &olen), TG_AGAIN);
    n = mk_v4(buf, 29, IPPROTO_NUM_UDP, 0, true, opt, sizeof opt, udpdata, 24);
    CHECK_EQ_U(feed(&e, buf, n, 1, &out, &olen), TG_OK);
    size_t wn = mk_v4(want, 29, IPPROTO_NUM_UDP, 0, false, opt, sizeof opt, udpdata, 48);
    CHECK_EQ_U(olen, wn);
    CHECK(out && olen == wn && memcmp(out, want, wn) == 0);
    CHECK(out && (out[0] & 0x0f) == 7);
    CHECK(out && ip_csum(out, 28) == 0);
    if (out) {
        decode_ip_datagram(&e.dc, &pkt, out, olen);
        CHECK(pkt.flags & PKT_HAS_L4);
        CHECK_EQ_U(pkt.payload_len, 40);
    }
    free(out);
    env_done(&e);
}

TEST(v4_df_kept_mf_cleared)
{
    struct env e;
    env_init(&e, NULL);
    mk_udp(udpdata, 32, 13);
    uint8_t buf[256], *out;
    uint32_t olen;
    size_t n = mk_v4(buf, 30, IPPROTO_NUM_UDP, 0, true, NULL, 0, udpdata, 16);
    buf[6] |= 0x40; /* DF alongside MF: odd but seen */
    put16(buf + 10, 0);
    put16(buf + 10, ip_csum(buf, 20));
    CHECK_EQ_U(feed(&e, buf, n, 0, &out, &olen), TG_AGAIN);
    n = mk_v4(buf, 30, IPPROTO_NUM_UDP, 16, false, NULL, 0, udpdata + 16, 16);
    CHECK_EQ_U(feed(&e, buf, n, 1, &out, &olen), TG_OK);
    CHECK(out && out[6] == 0x40 && out[7] == 0);
    CHECK(out && ip_csum(out, 20) == 0);
    free(out);
    env_done(&e);
}

TEST(v4_end_mismatch)
{
    struct env e;
    env_init(&e, NULL);
    mk_udp(udpdata, 64, 14);
    uint8_t buf[256], *out;
    uint32_t olen;
    size_t n = mk_v4(buf, 31, IPPROTO_NUM_UDP, 32, false, NULL, 0, udpdata + 32, 16);
    CHECK_EQ_U(feed(&e, buf, n, 0, &out, &olen), TG_AGAIN);
    /* Another last fragment ending at 64, not 48: event, first end kept. */
    n = mk_v4(buf, 31, IPPROTO_NUM_UDP, 48, false, NULL, 0, udpdata + 48, 16);
    CHECK_EQ_U(feed(&e, buf, n, 1, &out, &olen), TG_AGAIN);
    CHECK(packet_has_event(&pkt, EV_DEFRAG_FRAG_END_MISMATCH));
    n = mk_v4(buf, 31, IPPROTO_NUM_UDP, 0, true, NULL, 0, udpdata, 32);
    CHECK_EQ_U(feed(&e, buf, n, 2, &out, &olen), TG_OK);
    CHECK(!packet_has_event(&pkt, EV_DEFRAG_FRAG_END_MISMATCH));
    size_t wn = mk_v4(want, 31, IPPROTO_NUM_UDP, 0, false, NULL, 0, udpdata, 48);
    CHECK(out && olen == wn && memcmp(out, want, wn) == 0);
    free(out);
    env_done(&e);
}

/* Hop-by-hop (PadN) then destination options, the chain leading to 44. */
static size_t mk_ext(uint8_t *ext)
{
    const uint8_t hbh[8] = {60, 0, 1, 4, 0, 0, 0, 0};
    const uint8_t dst[16] = {44, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    memcpy(ext, hbh, 8);
    memcpy(ext + 8, dst, 16);
    return 24;
}

TEST(v6_ext_headers)
{
    struct env e;
    env_init(&e, NULL);
    mk_udp(udpdata, 3000, 15);
    udp_csum_v6(udpdata, 3000);
    uint8_t ext[24], buf[2048], *out = NULL;
    uint32_t olen = 0;
    size_t el = mk_ext(ext);
    const unsigned offs[] = {0, 1232, 2464, 3000};
    const size_t order[] = {1, 2, 0};
    int rc = TG_ERROR;
    for (size_t k = 0; k < 3; k++) {
        size_t i = order[k];
        size_t n = mk_v6(buf, 0, ext, el, true, 0xdeadbeef, IPPROTO_NUM_UDP, offs[i], i < 2, udpdata + offs[i],
                         offs[i + 1] - offs[i]);
        rc = feed(&e, buf, n, k, &out, &olen);
        CHECK_EQ_U(pkt.frag_hdr_off, 64);
    }
    CHECK_EQ_U(rc, TG_OK);
    uint8_t plain_ext[24];
    memcpy(plain_ext, ext, el);
    plain_ext[8] = IPPROTO_NUM_UDP; /* dstopts now names UDP */
    size_t wn = mk_v6(want, 0, plain_ext, el, false, 0, 0, 0, false, udpdata, 3000);
    CHECK_EQ_U(olen, wn);
    CHECK(out && olen == wn && memcmp(out, want, wn) == 0);
    CHECK_EQ_U(e.st.c[STAT_DEFRAG_IPV6_FRAGMENTS], 3);
    CHECK_EQ_U(e.st.c[STAT_DEFRAG_IPV6_REASSEMBLED], 1);
    CHECK_EQ_U(e.st.c[STAT_EVENTS_TOTAL], 0);
    if (out) {
        decode_ip_datagram(&e.dc, &pkt, out, olen);
        CHECK(!(pkt.flags & PKT_IS_FRAGMENT));
        CHECK(pkt.flags & PKT_HAS_L4);
        CHECK_EQ_U(pkt.l4_proto, IPPROTO_NUM_UDP);
        CHECK_EQ_U(pkt.payload_len, 2992);
    }
    free(out);
    CHECK_EQ_U(defrag_memuse(e.d), e.base_mem);
    env_done(&e);
}

TEST(v6_plain_and_overlap)
{
    struct env e;
    env_init(&e, NULL);
    mk_udp(udpdata, 64, 16);
    uint8_t evil[32], buf[256], *out;
    uint32_t olen;
    memset(evil, 'Q', sizeof evil);
    size_t n = mk_v6(buf, 44, NULL, 0, true, 7, IPPROTO_NUM_UDP, 0, true, udpdata, 32);
    CHECK_EQ_U(feed(&e, buf, n, 0, &out, &olen), TG_AGAIN);
    n = mk_v6(buf, 44, NULL, 0, true, 7, IPPROTO_NUM_UDP, 16, true, evil, 32);
    CHECK_EQ_U(feed(&e, buf, n, 1, &out, &olen), TG_AGAIN);
    CHECK(packet_has_event(&pkt, EV_DEFRAG_IPV6_FRAG_OVERLAP));
    CHECK(packet_has_event(&pkt, EV_DEFRAG_IPV6_FRAG_OVERLAP_DIFF));
    n = mk_v6(buf, 44, NULL, 0, true, 7, IPPROTO_NUM_UDP, 48, false, udpdata + 48, 16);
    CHECK_EQ_U(feed(&e, buf, n, 2, &out, &olen), TG_OK);
    uint8_t expect[64];
    memcpy(expect, udpdata, 64);
    memset(expect + 32, 'Q', 16);
    size_t wn = mk_v6(want, IPPROTO_NUM_UDP, NULL, 0, false, 0, 0, 0, false, expect, 64);
    CHECK(out && olen == wn && memcmp(out, want, wn) == 0);
    free(out);
    env_done(&e);
}

TEST(v6_too_large)
{
    struct env e;
    env_init(&e, NULL);
    uint8_t data[32] = {0}, buf[256], *out;
    uint32_t olen;
    /* 65528 + 8 > 65535 */
    size_t n = mk_v6(buf, 44, NULL, 0, true, 8, IPPROTO_NUM_UDP, 65528, false, data, 8);
    CHECK_EQ_U(feed(&e, buf, n, 0, &out, &olen), TG_DECLINED);
    CHECK(packet_has_event(&pkt, EV_DEFRAG_IPV6_FRAG_TOO_LARGE));
    CHECK_EQ_U(defrag_trackers(e.d), 0);
    /* 65528 + 7 = 65535 fits without extension headers. */
    n = mk_v6(buf, 44, NULL, 0, true, 9, IPPROTO_NUM_UDP, 65528, false, data, 7);
    CHECK_EQ_U(feed(&e, buf, n, 0, &out, &olen), TG_AGAIN);
    CHECK(!packet_has_event(&pkt, EV_DEFRAG_IPV6_FRAG_TOO_LARGE));
    env_done(&e);
}

TEST(v6_separate_from_v4)
{
    /* The same id in v4 and v6 between unrelated hosts: two trackers. */
    struct env e;
    env_init(&e, NULL);
    uint8_t data[16] = {0}, buf[256], *out;
    uint32_t olen;
    size_t n = mk_v6(buf, 44, NULL, 0, true, 40, IPPROTO_NUM_UDP, 0, true, data, 16);
    CHECK_EQ_U(feed(&e, buf, n, 0, &out, &olen), TG_AGAIN);
    n = mk_v4(buf, 40, IPPROTO_NUM_UDP, 16, false, NULL, 0, data, 4);
    CHECK_EQ_U(feed(&e, buf, n, 0, &out, &olen), TG_AGAIN);
    CHECK_EQ_U(defrag_trackers(e.d), 2);
    env_done(&e);
}

TEST(unusable_fragments_ignored)
{
    /* Packets filled by hand, as a decoder bug might hand them over. */
    struct env e;
    env_init(&e, NULL);
    uint8_t data[64] = {0}, buf[256], *out;
    uint32_t olen;
    size_t n = mk_v6(buf, 0, (const uint8_t[8]){44, 0, 1, 4, 0, 0, 0, 0}, 8, true, 50, IPPROTO_NUM_UDP, 0, true,
                     data, 64);
    memset(&pkt, 0, sizeof pkt);
    pkt.ip_version = 6;
    pkt.flags = PKT_IS_FRAGMENT;
    pkt.l3 = buf;
    pkt.l3_len = (uint32_t)n;
    pkt.frag_more = true;
    pkt.frag_nexthdr = IPPROTO_NUM_UDP;
    pkt.frag_hdr_off = 40; /* the chain says 48 */
    CHECK_EQ_U(defrag_add(e.d, &pkt, &out, &olen), TG_DECLINED);
    CHECK(packet_has_event(&pkt, EV_DEFRAG_FRAG_IGNORED));
    pkt.n_events = 0;
    pkt.frag_hdr_off = (uint32_t)n; /* past the end */
    CHECK_EQ_U(defrag_add(e.d, &pkt, &out, &olen), TG_DECLINED);
    CHECK(packet_has_event(&pkt, EV_DEFRAG_FRAG_IGNORED));
    pkt.n_events = 0;
    pkt.frag_hdr_off = 48; /* right: accepted */
    CHECK_EQ_U(defrag_add(e.d, &pkt, &out, &olen), TG_AGAIN);
    CHECK_EQ_U(pkt.n_events, 0);
    n = mk_v4(buf, 51, IPPROTO_NUM_UDP, 8, true, NULL, 0, data, 16);
    memset(&pkt, 0, sizeof pkt);
    pkt.ip_version = 4;
    pkt.flags = PKT_IS_FRAGMENT;
    pkt.l3 = buf;
    pkt.l3_len = 12; /* shorter than the header */
    CHECK_EQ_U(defrag_add(e.d, &pkt, &out, &olen), TG_DECLINED);
    CHECK(packet_has_event(&pkt, EV_DEFRAG_FRAG_IGNORED));
    CHECK_EQ_U(e.st.events[EV_DEFRAG_FRAG_IGNORED], 3);
    CHECK_EQ_U(defrag_trackers(e.d), 1);
    env_done(&e);
}

TEST_MAIN(T(v4_in_order), T(v4_reverse_order), T(v4_random_orders), T(v4_duplicates), T(v4_overlap_same_data),
          T(v4_overlap_diff_first_wins), T(v4_overlap_evil_first), T(v4_tiny), T(v4_too_large), T(timeout),
          T(expiry_is_oldest_first), T(memcap), T(max_frags), T(max_trackers_and_keys), T(vlan_keys),
          T(v4_options_from_first), T(v4_df_kept_mf_cleared), T(v4_end_mismatch), T(v6_ext_headers),
          T(v6_plain_and_overlap), T(v6_too_large), T(v6_separate_from_v4),
          T(unusable_fragments_ignored))
