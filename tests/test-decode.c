/* test-decode.c - packet decode from every link type to L4 on hand-built
 * packets: encapsulations, tunnels, IPv4 options, IPv6 extension chains,
 * checksums (and the auto mode), and truncation at every layer. */
#include <arpa/inet.h>
#include "config.h"
#include "decode.h"
#include "engine.h"
#include "test.h"

/* ---- packet builder: headers are prepended to what is already there ---- */

struct pkt {
    uint8_t b[4096];
    size_t n;
};

static uint8_t *pre(struct pkt *k, size_t n)
{
    memmove(k->b + n, k->b, k->n);
    k->n += n;
    memset(k->b, 0, n);
    return k->b;
}

static void put16(uint8_t *d, uint16_t v) { d[0] = (uint8_t)(v >> 8); d[1] = (uint8_t)v; }
static void put32(uint8_t *d, uint32_t v) { put16(d, (uint16_t)(v >> 16)); put16(d + 2, (uint16_t)v); }

static void prebytes(struct pkt *k, const void *d, size_t n)
{
    if (n)
        memcpy(pre(k, n), d, n);
}

static void a4(uint8_t *d, const char *s) { CHECK(inet_pton(AF_INET, s, d) == 1); }
static void a6(uint8_t *d, const char *s) { CHECK(inet_pton(AF_INET6, s, d) == 1); }

/* Independent RFC 1071 sum for building packets (not the decoder's). */
static uint32_t sum16(uint32_t s, const uint8_t *d, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(d[i] << 8 | d[i + 1]);
    if (n & 1)
        s += (uint32_t)d[n - 1] << 8;
    return s;
}

static uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static void payload(struct pkt *k, const char *s) { prebytes(k, s, strlen(s)); }

static void udp_hdr(struct pkt *k, uint16_t sp, uint16_t dp)
{
    size_t len = k->n + 8;
    uint8_t *h = pre(k, 8);
    put16(h, sp);
    put16(h + 2, dp);
    put16(h + 4, (uint16_t)len);
}

static void tcp_hdr(struct pkt *k, uint16_t sp, uint16_t dp, uint8_t flags, const uint8_t *opt, size_t optlen)
{
    prebytes(k, opt, optlen);
    uint8_t *h = pre(k, 20);
    put16(h, sp);
    put16(h + 2, dp);
    put32(h + 4, 1000);
    put32(h + 8, 2000);
    h[12] = (uint8_t)(((20 + optlen) / 4) << 4);
    h[13] = flags;
    put16(h + 14, 8192);
}

static void icmp_hdr(struct pkt *k, uint8_t type, uint8_t code)
{
    uint8_t *h = pre(k, 8);
    h[0] = type;
    h[1] = code;
    put16(h + 4, 0x1234);
    put16(h + 6, 1);
}

/* Checksum offset inside an L4 header of proto, or -1. */
static int csum_off(uint8_t proto)
{
    switch (proto) {
    case 6: return 16;
    case 17: return 6;
    case 1:
    case 58: return 2;
    default: return -1;
    }
}

/* Fill the L4 checksum of the segment at seg (len bytes). */
static void l4_csum(uint8_t *seg, size_t len, uint8_t proto, const uint8_t *src, const uint8_t *dst, size_t alen)
{
    int off = csum_off(proto);
    if (off < 0 || (size_t)off + 2 > len)
        return;
    put16(seg + off, 0);
    uint32_t s = 0;
    if (proto != 1) {
        s = sum16(s, src, alen);
        s = sum16(s, dst, alen);
        s += proto + (uint32_t)(len & 0xffff) + (uint32_t)(len >> 16);
    }
    uint16_t c = fold(sum16(s, seg, len));
    if (proto == 17 && c == 0)
        c = 0xffff;
    put16(seg + off, c);
}

/* IPv4 header (+options) in front; fills the L4 checksum (not for
 * fragments) and the header checksum. */
static void ip4_hdr_opt(struct pkt *k, const char *src, const char *dst, uint8_t proto, uint16_t frag,
                        const uint8_t *opt, size_t optlen)
{
    size_t seglen = k->n;
    prebytes(k, opt, optlen);
    uint8_t *h = pre(k, 20);
    size_t hlen = 20 + optlen;
    h[0] = (uint8_t)(0x40 | hlen / 4);
    put16(h + 2, (uint16_t)(hlen + seglen));
    put16(h + 4, 7);
    put16(h + 6, frag);
    h[8] = 64;
    h[9] = proto;
    a4(h + 12, src);
    a4(h + 16, dst);
    if (!frag)
        l4_csum(h + hlen, seglen, proto, h + 12, h + 16, 4);
    put16(h + 10, fold(sum16(0, h, hlen)));
}

static void ip4_hdr(struct pkt *k, const char *src, const char *dst, uint8_t proto)
{
    ip4_hdr_opt(k, src, dst, proto, 0, NULL, 0);
}

/* IPv6 header; ext bytes of extension headers are already in front of the
 * L4 segment of proto; the pseudo-header uses csrc/cdst when given. */
static void ip6_hdr_x(struct pkt *k, const char *src, const char *dst, uint8_t nh, size_t ext, uint8_t proto,
                      const char *csrc, const char *cdst)
{
    size_t plen = k->n;
    uint8_t *h = pre(k, 40);
    h[0] = 0x60;
    put16(h + 4, (uint16_t)plen);
    h[6] = nh;
    h[7] = 64;
    a6(h + 8, src);
    a6(h + 24, dst);
    uint8_t cs[16], cd[16];
    a6(cs, csrc ? csrc : src);
    a6(cd, cdst ? cdst : dst);
    l4_csum(h + 40 + ext, plen - ext, proto, cs, cd, 16);
}

static void ip6_hdr(struct pkt *k, const char *src, const char *dst, uint8_t proto)
{
    ip6_hdr_x(k, src, dst, proto, 0, proto, NULL, NULL);
}

static void eth_hdr(struct pkt *k, uint16_t et)
{
    uint8_t *h = pre(k, 14);
    memcpy(h, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
    put16(h + 12, et);
}

static void vlan_tag(struct pkt *k, uint16_t tpid_of_next, uint16_t vid)
{
    /* inserted right after the MACs of an Ethernet header already there */
    uint8_t *h = pre(k, 4);
    memmove(h, h + 4, 12);
    uint16_t et = (uint16_t)(h[16] << 8 | h[17]);
    put16(h + 12, tpid_of_next);
    put16(h + 14, vid);
    put16(h + 16, et);
}

/* A generic extension header (hdr ext len counts 8-byte units) in front. */
static void ext_hdr(struct pkt *k, uint8_t next, const uint8_t *body, size_t bodylen)
{
    size_t len = 2 + bodylen;
    CHECK(len % 8 == 0);
    prebytes(k, body, bodylen);
    uint8_t *h = pre(k, 2);
    h[0] = next;
    h[1] = (uint8_t)(len / 8 - 1);
}

/* ---- decoding harness ---- */

static struct stats st;
static struct decode_ctx ctx;
static struct packet p;

static void setup(const char *kv)
{
    memset(&st, 0, sizeof st);
    struct config *cfg = config_new();
    if (kv)
        CHECK(config_set(cfg, kv) == TG_OK);
    decode_ctx_init(&ctx, cfg, &st);
    config_free(cfg);
}

static void run(int dlt, const struct pkt *k, uint32_t wirelen)
{
    memset(&p, 0, sizeof p);
    p.data = k->b;
    p.caplen = (uint32_t)k->n;
    p.wirelen = wirelen ? wirelen : (uint32_t)k->n;
    p.datalink = dlt;
    decode_packet(&ctx, &p);
}

static const char *src_str(void)
{
    static char buf[64];
    return ip_addr_str(&p.src, buf, sizeof buf);
}

static const char *dst_str(void)
{
    static char buf[64];
    return ip_addr_str(&p.dst, buf, sizeof buf);
}

static bool clean(void) { return p.n_events == 0 && !(p.flags & PKT_INVALID); }

#define DLT_EN10MB_ 1
#define DLT_RAW_ 12

static void udp4(struct pkt *k)
{
    memset(k, 0, sizeof *k);
    payload(k, "hello");
    udp_hdr(k, 5060, 5061);
    ip4_hdr(k, "198.18.0.1", "198.18.0.2", 17);
}

static void udp6(struct pkt *k)
{
    memset(k, 0, sizeof *k);
    payload(k, "hello6");
    udp_hdr(k, 5060, 5061);
    ip6_hdr(k, "fd00:198:18::1", "fd00:198:18::2", 17);
}

static void check_udp4(void)
{
    CHECK(p.flags & PKT_HAS_L4);
    CHECK_EQ_U(p.ip_version, 4);
    CHECK_STR(src_str(), "198.18.0.1");
    CHECK_STR(dst_str(), "198.18.0.2");
    CHECK_EQ_U(p.sport, 5060);
    CHECK_EQ_U(p.dport, 5061);
    CHECK_EQ_U(p.payload_len, 5);
    CHECK(p.payload && memcmp(p.payload, "hello", 5) == 0);
}

/* ---- link layers ---- */

TEST(ethernet_udp4)
{
    setup(NULL);
    struct pkt k;
    udp4(&k);
    eth_hdr(&k, 0x0800);
    run(DLT_EN10MB_, &k, 0);
    check_udp4();
    CHECK(clean());
    CHECK_EQ_U(st.c[STAT_DECODE_ETHERNET], 1);
    CHECK_EQ_U(st.c[STAT_DECODE_CSUM_CHECKED], 1);
    CHECK_EQ_U(st.c[STAT_DECODE_CSUM_BAD_PACKETS], 0);
    /* Ethernet padding after the datagram is ignored */
    memset(k.b + k.n, 0xee, 10);
    k.n += 10;
    run(DLT_EN10MB_, &k, 0);
    check_udp4();
    CHECK(clean());
}

TEST(vlan_qinq)
{
    setup(NULL);
    struct pkt k;
    udp4(&k);
    eth_hdr(&k, 0x0800);
    vlan_tag(&k, 0x8100, 0x2064); /* prio 1, vid 100 */
    run(DLT_EN10MB_, &k, 0);
    CHECK_EQ_U(p.vlan_count, 1);
    CHECK_EQ_U(p.vlan[0], 100);
    check_udp4();
    vlan_tag(&k, 0x88a8, 10); /* outer 802.1ad S-tag */
    run(DLT_EN10MB_, &k, 0);
    CHECK_EQ_U(p.vlan_count, 2);
    CHECK_EQ_U(p.vlan[0], 10);
    CHECK_EQ_U(p.vlan[1], 100);
    check_udp4();
    vlan_tag(&k, 0x9100, 7);
    run(DLT_EN10MB_, &k, 0);
    CHECK_EQ_U(p.vlan_count, 3);
    CHECK_EQ_U(p.vlan[0], 7);
    check_udp4();
    CHECK(clean());
    CHECK_EQ_U(st.c[STAT_DECODE_VLAN_QINQ], 3);
    vlan_tag(&k, 0x8100, 8); /* a fourth tag is over the cap */
    run(DLT_EN10MB_, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_VLAN_TOO_MANY_LAYERS));
    CHECK(p.flags & PKT_INVALID);
    CHECK(!(p.flags & PKT_HAS_L4));
    CHECK_EQ_U(st.c[STAT_DECODE_VLAN_CAP_HIT], 1);
}

static void pppoe(struct pkt *k, uint16_t proto, uint8_t vt)
{
    uint16_t plen = (uint16_t)(k->n + 2);
    uint8_t *h = pre(k, 8);
    h[0] = vt;
    h[1] = 0;
    put16(h + 2, 0x0042);
    put16(h + 4, plen);
    put16(h + 6, proto);
    eth_hdr(k, 0x8864);
}

TEST(pppoe_session)
{
    setup(NULL);
    struct pkt k;
    udp4(&k);
    pppoe(&k, 0x0021, 0x11);
    run(DLT_EN10MB_, &k, 0);
    check_udp4();
    CHECK(clean());
    CHECK_EQ_U(st.c[STAT_DECODE_PPPOE], 1);
    udp6(&k);
    pppoe(&k, 0x0057, 0x11);
    run(DLT_EN10MB_, &k, 0);
    CHECK_EQ_U(p.ip_version, 6);
    CHECK_EQ_U(p.payload_len, 6);
    CHECK(clean());
    /* LCP is not IP: nothing decoded, nothing wrong */
    memset(&k, 0, sizeof k);
    payload(&k, "\x01\x01\x00\x04");
    pppoe(&k, 0xc021, 0x11);
    run(DLT_EN10MB_, &k, 0);
    CHECK(clean());
    CHECK(!(p.flags & PKT_HAS_L4));
    CHECK_EQ_U(st.c[STAT_DECODE_NON_IP], 1);
    /* wrong version/type */
    udp4(&k);
    pppoe(&k, 0x0021, 0x21);
    run(DLT_EN10MB_, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_PPPOE_MALFORMED));
    CHECK(p.flags & PKT_INVALID);
    /* PPPoE length past the frame */
    udp4(&k);
    pppoe(&k, 0x0021, 0x11);
    put16(k.b + 14 + 4, 400);
    run(DLT_EN10MB_, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_PPPOE_MALFORMED));
    CHECK(!(p.flags & PKT_HAS_L4));
}

TEST(sll_sll2)
{
    setup(NULL);
    struct pkt k;
    udp4(&k);
    uint8_t *h = pre(&k, 16);
    put16(h, 0);      /* to us */
    put16(h + 2, 1);  /* ARPHRD_ETHER */
    put16(h + 4, 6);
    memcpy(h + 6, "\x02\0\0\0\0\x01", 6);
    put16(h + 14, 0x0800);
    run(113, &k, 0);
    check_udp4();
    CHECK(clean());
    CHECK_EQ_U(st.c[STAT_DECODE_SLL], 1);

    udp6(&k);
    h = pre(&k, 20);
    put16(h, 0x86dd);
    put32(h + 4, 3);  /* ifindex */
    put16(h + 8, 1);
    h[10] = 4;        /* outgoing */
    h[11] = 6;
    run(276, &k, 0);
    CHECK_EQ_U(p.ip_version, 6);
    CHECK_STR(src_str(), "fd00:198:18::1");
    CHECK(p.flags & PKT_HAS_L4);
    CHECK(clean());
    CHECK_EQ_U(st.c[STAT_DECODE_SLL2], 1);
    /* SLL2 with a VLAN-tagged protocol */
    udp4(&k);
    h = pre(&k, 24);
    put16(h, 0x8100);
    put16(h + 20, 55);
    put16(h + 22, 0x0800);
    run(276, &k, 0);
    check_udp4();
    CHECK_EQ_U(p.vlan[0], 55);
}

TEST(raw_linktypes)
{
    setup(NULL);
    struct pkt k4, k6;
    udp4(&k4);
    udp6(&k6);
    static const int raw[] = {12, 14, 101};
    for (size_t i = 0; i < 3; i++) {
        run(raw[i], &k4, 0);
        check_udp4();
        CHECK(clean());
        run(raw[i], &k6, 0);
        CHECK_EQ_U(p.ip_version, 6);
        CHECK(clean());
    }
    run(228, &k4, 0);
    check_udp4();
    run(229, &k6, 0);
    CHECK(p.flags & PKT_HAS_L4);
    CHECK(clean());
    /* DLT_IPV4 promises IPv4 */
    run(228, &k6, 0);
    CHECK(packet_has_event(&p, EV_DECODE_IPV4_WRONG_IP_VER));
    run(229, &k4, 0);
    CHECK(packet_has_event(&p, EV_DECODE_IPV6_WRONG_IP_VER));
    /* neither 4 nor 6 */
    k4.b[0] = 0x55;
    run(101, &k4, 0);
    CHECK(packet_has_event(&p, EV_DECODE_IPV4_WRONG_IP_VER));
    CHECK(p.flags & PKT_INVALID);
    CHECK_EQ_U(st.c[STAT_DECODE_RAW], 11);
}

static void null_hdr(struct pkt *k, uint32_t af, bool big)
{
    uint8_t *h = pre(k, 4);
    if (big) {
        put32(h, af);
    } else {
        h[0] = (uint8_t)af;
        h[1] = (uint8_t)(af >> 8);
        h[2] = (uint8_t)(af >> 16);
        h[3] = (uint8_t)(af >> 24);
    }
}

TEST(null_loop)
{
    setup(NULL);
    struct pkt k;
    udp4(&k);
    null_hdr(&k, 2, false);
    run(0, &k, 0);
    check_udp4();
    CHECK(clean());
    udp4(&k);
    null_hdr(&k, 2, true); /* written by a big-endian host */
    run(0, &k, 0);
    check_udp4();
    static const uint32_t af6[] = {24, 28, 30};
    for (size_t i = 0; i < 3; i++) {
        udp6(&k);
        null_hdr(&k, af6[i], i == 1);
        run(0, &k, 0);
        CHECK_EQ_U(p.ip_version, 6);
        CHECK(p.flags & PKT_HAS_L4);
        CHECK(clean());
        udp6(&k);
        null_hdr(&k, af6[i], true);
        run(108, &k, 0); /* DLT_LOOP: network order always */
        CHECK_EQ_U(p.ip_version, 6);
        CHECK(p.flags & PKT_HAS_L4);
    }
    CHECK_EQ_U(st.c[STAT_DECODE_NULL], 5);
    CHECK_EQ_U(st.c[STAT_DECODE_LOOP], 3);
    udp4(&k);
    null_hdr(&k, 7, false);
    run(0, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_NULL_UNKNOWN_AF));
    CHECK(!(p.flags & PKT_HAS_L4));
}

TEST(unknown_linktype)
{
    setup(NULL);
    struct pkt k;
    udp4(&k);
    run(147, &k, 0); /* DLT_USER0 */
    CHECK(clean());
    CHECK(!(p.flags & PKT_HAS_L4));
    CHECK_EQ_U(st.c[STAT_DECODE_UNKNOWN_LINKTYPE], 1);
    eth_hdr(&k, 0x88cc); /* LLDP */
    run(DLT_EN10MB_, &k, 0);
    CHECK(clean());
    CHECK_EQ_U(st.c[STAT_DECODE_UNKNOWN_ETHERTYPE], 1);
}

/* ---- tunnels ---- */

static void gre_hdr(struct pkt *k, uint16_t flags, uint16_t proto)
{
    size_t n = 4 + ((flags & 0x8000) ? 4 : 0) + ((flags & 0x2000) ? 4 : 0) + ((flags & 0x1000) ? 4 : 0);
    uint8_t *h = pre(k, n);
    put16(h, flags);
    put16(h + 2, proto);
    for (size_t i = 4; i < n; i++)
        h[i] = (uint8_t)(0xa0 + i);
}

static void outer4(struct pkt *k, uint8_t proto)
{
    ip4_hdr(k, "198.19.0.1", "198.19.0.2", proto);
    eth_hdr(k, 0x0800);
}

static void check_tunnel(unsigned depth)
{
    char a[64], b[64];
    CHECK_EQ_U(p.tunnel_depth, depth);
    CHECK_STR(ip_addr_str(&p.tunnel_src, a, sizeof a), "198.19.0.1");
    CHECK_STR(ip_addr_str(&p.tunnel_dst, b, sizeof b), "198.19.0.2");
}

TEST(gre)
{
    setup(NULL);
    struct pkt k;
    udp4(&k);
    gre_hdr(&k, 0, 0x0800);
    outer4(&k, 47);
    run(DLT_EN10MB_, &k, 0);
    check_udp4();
    check_tunnel(1);
    CHECK(clean());
    /* checksum, key and sequence present */
    udp6(&k);
    gre_hdr(&k, 0xb000, 0x86dd);
    outer4(&k, 47);
    run(DLT_EN10MB_, &k, 0);
    CHECK_EQ_U(p.ip_version, 6);
    CHECK_EQ_U(p.payload_len, 6);
    check_tunnel(1);
    CHECK(clean());
    /* transparent Ethernet bridging with a VLAN inside */
    udp4(&k);
    eth_hdr(&k, 0x0800);
    vlan_tag(&k, 0x8100, 300);
    gre_hdr(&k, 0x2000, 0x6558);
    outer4(&k, 47);
    run(DLT_EN10MB_, &k, 0);
    check_udp4();
    CHECK_EQ_U(p.vlan[0], 300);
    CHECK(clean());
    CHECK_EQ_U(st.c[STAT_DECODE_TEB], 1);
    /* PPTP enhanced GRE (version 1) with PPP inside */
    udp4(&k);
    size_t inner = k.n;
    prebytes(&k, "\xff\x03\x00\x21", 4);
    uint8_t *h = pre(&k, 16);
    put16(h, 0x3081); /* K, S, A, version 1 */
    put16(h + 2, 0x880b);
    put16(h + 4, (uint16_t)(inner + 4));
    put16(h + 6, 9);
    outer4(&k, 47);
    run(DLT_EN10MB_, &k, 0);
    check_udp4();
    CHECK(clean());
    CHECK_EQ_U(st.c[STAT_DECODE_PPTP], 1);
    /* unsupported version */
    udp4(&k);
    gre_hdr(&k, 0x0002, 0x0800);
    outer4(&k, 47);
    run(DLT_EN10MB_, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_GRE_VERSION_UNSUPPORTED));
    /* truncated GRE options */
    memset(&k, 0, sizeof k);
    prebytes(&k, "\xb0\x00\x08\x00\x00\x00", 6);
    outer4(&k, 47);
    run(DLT_EN10MB_, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_GRE_MALFORMED));
    CHECK(p.flags & PKT_INVALID);
    CHECK_EQ_U(st.c[STAT_DECODE_GRE], 6);
}

TEST(erspan)
{
    setup(NULL);
    struct pkt k;
    /* type II: GRE with sequence, 8-byte header (version 1) */
    udp4(&k);
    eth_hdr(&k, 0x0800);
    uint8_t *h = pre(&k, 8);
    put16(h, 0x1000 | 12);
    put16(h + 2, 0x0001);
    gre_hdr(&k, 0x1000, 0x88be);
    outer4(&k, 47);
    run(DLT_EN10MB_, &k, 0);
    check_udp4();
    check_tunnel(1);
    CHECK(clean());
    /* type I: no sequence, no header */
    udp4(&k);
    eth_hdr(&k, 0x0800);
    gre_hdr(&k, 0, 0x88be);
    outer4(&k, 47);
    run(DLT_EN10MB_, &k, 0);
    check_udp4();
    CHECK(clean());
    /* type III without and with the optional subheader */
    for (int o = 0; o < 2; o++) {
        udp4(&k);
        eth_hdr(&k, 0x0800);
        if (o)
            memset(pre(&k, 8), 0x5a, 8);
        h = pre(&k, 12);
        put16(h, 0x2000 | 12);
        put16(h + 2, 0x0002);
        put32(h + 4, 0xdeadbeef);
        put16(h + 10, (uint16_t)(0x00a0 | o)); /* FT 0 (Ethernet), hw id, O */
        gre_hdr(&k, 0x1000, 0x22eb);
        outer4(&k, 47);
        run(DLT_EN10MB_, &k, 0);
        check_udp4();
        CHECK(clean());
    }
    CHECK_EQ_U(st.c[STAT_DECODE_ERSPAN], 4);
    /* wrong version in a type II header */
    udp4(&k);
    eth_hdr(&k, 0x0800);
    h = pre(&k, 8);
    put16(h, 0x3000);
    gre_hdr(&k, 0x1000, 0x88be);
    outer4(&k, 47);
    run(DLT_EN10MB_, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_ERSPAN_MALFORMED));
    /* truncated type III */
    memset(&k, 0, sizeof k);
    prebytes(&k, "\x20\x0c\x00\x02\x00", 5);
    gre_hdr(&k, 0x1000, 0x22eb);
    outer4(&k, 47);
    run(DLT_EN10MB_, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_ERSPAN_MALFORMED));
    CHECK(!(p.flags & PKT_HAS_L4));
}

TEST(ip_in_ip)
{
    setup(NULL);
    struct pkt k;
    udp4(&k);
    outer4(&k, 4);
    run(DLT_EN10MB_, &k, 0);
    check_udp4();
    check_tunnel(1);
    CHECK(clean());
    udp6(&k);
    outer4(&k, 41); /* 6in4 */
    run(DLT_EN10MB_, &k, 0);
    CHECK_EQ_U(p.ip_version, 6);
    CHECK(p.flags & PKT_HAS_L4);
    check_tunnel(1);
    udp6(&k);
    ip6_hdr(&k, "fd00:198:18::a", "fd00:198:18::b", 41); /* 6in6 */
    eth_hdr(&k, 0x86dd);
    run(DLT_EN10MB_, &k, 0);
    CHECK_STR(src_str(), "fd00:198:18::1");
    CHECK(p.flags & PKT_HAS_L4);
    CHECK(clean());
    CHECK_EQ_U(st.c[STAT_DECODE_IPIP], 1);
    CHECK_EQ_U(st.c[STAT_DECODE_IPV6_IN_IPV4], 1);
    CHECK_EQ_U(st.c[STAT_DECODE_IPV6_IN_IPV6], 1);
    /* a chain of tunnels deeper than the cap */
    udp4(&k);
    for (int i = 0; i < PACKET_MAX_TUNNEL_DEPTH + 1; i++)
        ip4_hdr(&k, "198.19.0.1", "198.19.0.2", 4);
    run(DLT_RAW_, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_TUNNEL_TOO_DEEP));
    CHECK(!(p.flags & PKT_HAS_L4));
    CHECK_EQ_U(p.tunnel_depth, PACKET_MAX_TUNNEL_DEPTH);
    CHECK_EQ_U(st.c[STAT_DECODE_TUNNEL_DEPTH_HIT], 1);
    /* the configured cap */
    setup("decode.max-tunnel-depth=1");
    udp4(&k);
    ip4_hdr(&k, "198.19.0.1", "198.19.0.2", 4);
    run(DLT_RAW_, &k, 0);
    check_udp4();
    ip4_hdr(&k, "198.19.0.1", "198.19.0.2", 4);
    run(DLT_RAW_, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_TUNNEL_TOO_DEEP));
}

static void mpls_label(struct pkt *k, uint32_t label, bool bottom)
{
    put32(pre(k, 4), label << 12 | (bottom ? 0x100u : 0) | 64);
}

TEST(mpls)
{
    setup(NULL);
    struct pkt k;
    udp4(&k);
    mpls_label(&k, 1000, true);
    mpls_label(&k, 2000, false);
    eth_hdr(&k, 0x8847);
    run(DLT_EN10MB_, &k, 0);
    check_udp4();
    CHECK(clean());
    /* IPv6 explicit null */
    udp6(&k);
    mpls_label(&k, 2, true);
    eth_hdr(&k, 0x8847);
    run(DLT_EN10MB_, &k, 0);
    CHECK_EQ_U(p.ip_version, 6);
    CHECK(p.flags & PKT_HAS_L4);
    /* Ethernet pseudowire with its control word */
    udp4(&k);
    eth_hdr(&k, 0x0800);
    put32(pre(&k, 4), 0);
    mpls_label(&k, 3000, true);
    eth_hdr(&k, 0x8847);
    run(DLT_EN10MB_, &k, 0);
    check_udp4();
    CHECK(clean());
    /* MPLS in GRE */
    udp4(&k);
    mpls_label(&k, 17, true);
    gre_hdr(&k, 0, 0x8847);
    outer4(&k, 47);
    run(DLT_EN10MB_, &k, 0);
    check_udp4();
    check_tunnel(1);
    CHECK_EQ_U(st.c[STAT_DECODE_MPLS], 4);
    /* no bottom of stack before the end */
    memset(&k, 0, sizeof k);
    mpls_label(&k, 5, false);
    mpls_label(&k, 6, false);
    eth_hdr(&k, 0x8847);
    run(DLT_EN10MB_, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_MPLS_MALFORMED));
    CHECK(p.flags & PKT_INVALID);
    /* more labels than the cap */
    setup("decode.mpls.max-labels=3");
    udp4(&k);
    mpls_label(&k, 1, true);
    for (int i = 0; i < 3; i++)
        mpls_label(&k, 100u + (uint32_t)i, false);
    eth_hdr(&k, 0x8847);
    run(DLT_EN10MB_, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_MPLS_MALFORMED));
    CHECK_EQ_U(st.c[STAT_DECODE_MPLS_CAP_HIT], 1);
    CHECK(!(p.flags & PKT_HAS_L4));
}

/* GRE with RFC 1701 routing: source route entries up to a null one. */
TEST(gre_routing)
{
    setup(NULL);
    struct pkt k;
    udp4(&k);
    prebytes(&k, "\x00\x00\x00\x00", 4);                       /* null SRE */
    prebytes(&k, "\x08\x00\x00\x08\xc6\x12\x00\x09\xc6\x12\x00\x0a", 12); /* IPv4 SRE */
    uint8_t *h = pre(&k, 8);
    put16(h, 0x4000); /* R: checksum and offset fields present */
    put16(h + 2, 0x0800);
    outer4(&k, 47);
    run(DLT_EN10MB_, &k, 0);
    check_udp4();
    CHECK(clean());
    /* an endless list of entries */
    memset(&k, 0, sizeof k);
    for (int i = 0; i < 20; i++)
        prebytes(&k, "\x08\x00\x00\x04\xc6\x12\x00\x09", 8);
    h = pre(&k, 8);
    put16(h, 0x4000);
    put16(h + 2, 0x0800);
    outer4(&k, 47);
    run(DLT_EN10MB_, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_GRE_MALFORMED));
}

/* IP length 0: segmentation offload on the capturing host, jumbograms. */
TEST(ipv4_zero_length)
{
    setup(NULL);
    struct pkt k;
    memset(&k, 0, sizeof k);
    payload(&k, "a large offloaded segment");
    tcp_hdr(&k, 40000, 7060, 0x18, NULL, 0);
    ip4_hdr(&k, "198.18.0.1", "198.18.0.2", 6);
    put16(k.b + 2, 0);
    put16(k.b + 10, 0);
    uint32_t s = 0;
    for (int i = 0; i < 20; i += 2)
        s += (uint32_t)(k.b[i] << 8 | k.b[i + 1]);
    put16(k.b + 10, fold(s));
    k.b[k.n - 1] ^= 1; /* the L4 checksum is left to the NIC */
    run(DLT_RAW_, &k, 0);
    CHECK(clean());
    CHECK(p.flags & PKT_HAS_L4);
    CHECK_EQ_U(p.payload_len, 25);
    CHECK_EQ_U(st.c[STAT_DECODE_IP_ZERO_LEN], 1);
    /* IPv6 payload length 0 (BIG TCP, jumbogram) likewise */
    memset(&k, 0, sizeof k);
    payload(&k, "big");
    tcp_hdr(&k, 40000, 7060, 0x18, NULL, 0);
    ip6_hdr(&k, "fd00:198:18::1", "fd00:198:18::2", 6);
    put16(k.b + 4, 0);
    k.b[k.n - 1] ^= 1;
    run(DLT_RAW_, &k, 0);
    CHECK(clean());
    CHECK(p.flags & PKT_HAS_L4);
    CHECK_EQ_U(p.payload_len, 3);
    CHECK_EQ_U(st.c[STAT_DECODE_IP_ZERO_LEN], 2);
    /* an empty IPv6 datagram is just that */
    memset(&k, 0, sizeof k);
    ip6_hdr(&k, "fd00:198:18::1", "fd00:198:18::2", 59);
    run(DLT_RAW_, &k, 0);
    CHECK(clean());
    CHECK_EQ_U(st.c[STAT_DECODE_IP_ZERO_LEN], 2);
}

/* ---- IPv4 options ---- */

static void ip4_opts_run(const uint8_t *opt, size_t n)
{
    static struct pkt k; /* p points into it after return */
    memset(&k, 0, sizeof k);
    payload(&k, "hello");
    udp_hdr(&k, 5060, 5061);
    ip4_hdr_opt(&k, "198.18.0.1", "198.18.0.2", 17, 0, opt, n);
    run(DLT_RAW_, &k, 0);
}

TEST(ipv4_options)
{
    setup(NULL);
    static const struct {
        const char *name;
        uint8_t opt[40];
        size_t n;
        bool ok;
    } cases[] = {
        {"nop eol", {1, 1, 1, 0}, 4, true},
        {"rr empty", {7, 7, 4, 0, 0, 0, 0, 0}, 8, true},
        {"rr full", {7, 7, 8, 198, 18, 0, 9, 0}, 8, true},
        {"lsrr", {1, 131, 11, 4, 198, 18, 0, 9, 198, 18, 0, 10}, 12, true},
        {"ssrr", {1, 137, 7, 4, 198, 18, 0, 9}, 8, true},
        {"ts flag0", {68, 12, 5, 0, 0, 0, 0, 1, 0, 0, 0, 0}, 12, true},
        {"ts flag1", {68, 12, 5, 1, 0, 0, 0, 0, 0, 0, 0, 0}, 12, true},
        {"router alert", {148, 4, 0, 0}, 4, true},
        {"unknown sane", {30, 4, 1, 2}, 4, true},
        {"rr ptr 3", {7, 7, 3, 0, 0, 0, 0, 0}, 8, false},
        {"rr ptr odd", {7, 7, 5, 0, 0, 0, 0, 0}, 8, false},
        {"rr ptr past", {7, 7, 12, 0, 0, 0, 0, 0}, 8, false},
        {"rr len 2", {7, 2, 1, 0}, 4, false},
        {"ts len", {68, 4, 5, 0}, 4, false},
        {"ts ptr", {68, 12, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 12, false},
        {"ts bad flag", {68, 12, 5, 2, 0, 0, 0, 0, 0, 0, 0, 0}, 12, false},
        {"len 1", {30, 1, 0, 0}, 4, false},
        {"len 0", {30, 0, 0, 0}, 4, false},
        {"len past", {30, 9, 0, 0}, 4, false},
        {"no len byte", {1, 1, 1, 30}, 4, false},
        {"router alert len", {148, 6, 0, 0, 0, 0, 0, 0}, 8, false},
    };
    for (size_t i = 0; i < TG_ARRAY_LEN(cases); i++) {
        ip4_opts_run(cases[i].opt, cases[i].n);
        bool ev = packet_has_event(&p, EV_DECODE_IPV4_OPT_INVALID);
        if (ev == cases[i].ok)
            fprintf(stderr, "  ipv4 option case \"%s\": event %d\n", cases[i].name, ev);
        CHECK(ev != cases[i].ok);
        /* the options sit inside a valid header: L4 is still decoded */
        check_udp4();
        CHECK_EQ_U(p.l3_hlen, 20 + cases[i].n);
    }
}

/* ---- IPv6 extension headers ---- */

#define MN_COA "fd00:198:18::c0a"
#define MN_HOME "fd00:198:18:1::1"
#define CN "fd00:198:18::99"

TEST(ipv6_ext_chain_mobile)
{
    setup(NULL);
    struct pkt k;
    memset(&k, 0, sizeof k);
    /* HBH, RH type 2 (home address), dstopts with HAO, atomic fragment, TCP */
    payload(&k, "mip6");
    tcp_hdr(&k, 40000, 5060, 0x18, NULL, 0);
    size_t l4 = k.n;
    uint8_t fh[6] = {0, 0, 0, 0, 0, 1}; /* offset 0, M 0: atomic */
    prebytes(&k, fh, 6);
    uint8_t *h = pre(&k, 2);
    h[0] = 6;
    uint8_t hao[22] = {1, 2, 0, 0, 0xc9, 16};
    a6(hao + 6, MN_HOME);
    ext_hdr(&k, 44, hao, 22);
    uint8_t rh[22] = {2, 1, 0, 0, 0, 0};
    a6(rh + 6, MN_HOME);
    ext_hdr(&k, 60, rh, 22);
    uint8_t hbh[6] = {5, 2, 0, 0, 1, 0}; /* router alert, PadN */
    ext_hdr(&k, 43, hbh, 6);
    size_t ext = k.n - l4;
    /* both home addresses are what the checksum covers (RFC 6275) */
    ip6_hdr_x(&k, MN_COA, CN, 0, ext, 6, MN_HOME, MN_HOME);
    eth_hdr(&k, 0x86dd);
    run(DLT_EN10MB_, &k, 0);
    CHECK(clean());
    CHECK(p.flags & PKT_HAS_L4);
    CHECK(p.flags & PKT_IPV6_HAO);
    CHECK(p.flags & PKT_IPV6_RH_DST);
    CHECK_STR(src_str(), MN_HOME);
    CHECK_STR(dst_str(), MN_HOME);
    CHECK_EQ_U(p.l4_proto, 6);
    CHECK_EQ_U(p.l3_hlen, 40 + ext);
    CHECK_EQ_U(p.sport, 40000);
    CHECK_EQ_U(p.payload_len, 4);
    CHECK_EQ_U(st.c[STAT_DECODE_IPV6_EXTHDRS], 4);
    CHECK_EQ_U(st.c[STAT_DECODE_CSUM_CHECKED], 1);
    CHECK_EQ_U(st.c[STAT_DECODE_CSUM_TCP_BAD], 0);
    CHECK_EQ_U(st.c[STAT_DECODE_IPV6_HAO], 1);
}

TEST(ipv6_fragment)
{
    setup(NULL);
    struct pkt k;
    memset(&k, 0, sizeof k);
    payload(&k, "12345678");
    uint8_t fh[6] = {0x00, 0x09, 0, 0, 0xab, 0xcd}; /* offset 8, M */
    prebytes(&k, fh, 6);
    uint8_t *h = pre(&k, 2);
    h[0] = 17;
    uint8_t d[6] = {1, 4, 0, 0, 0, 0};
    ext_hdr(&k, 44, d, 6);
    ip6_hdr_x(&k, "fd00:198:18::1", "fd00:198:18::2", 60, 0, 0, NULL, NULL);
    run(DLT_RAW_, &k, 0);
    CHECK(clean());
    CHECK(p.flags & PKT_IS_FRAGMENT);
    CHECK(!(p.flags & PKT_HAS_L4));
    CHECK_EQ_U(p.frag_offset, 8);
    CHECK(p.frag_more);
    CHECK_EQ_U(p.frag_id, 0xabcd);
    CHECK_EQ_U(p.frag_hdr_off, 48);
    CHECK_EQ_U(p.frag_nexthdr, 17);
    CHECK_EQ_U(p.l3_hlen, 56);
    CHECK_EQ_U(p.l4_proto, 17);
    CHECK_EQ_U(st.c[STAT_DECODE_CSUM_CHECKED], 0);
}

TEST(ipv6_ext_anomalies)
{
    setup(NULL);
    struct pkt k;
    uint8_t pad[6] = {1, 4, 0, 0, 0, 0};
    /* unknown next header: stop, event, no L4 */
    memset(&k, 0, sizeof k);
    payload(&k, "????????");
    ext_hdr(&k, 200, pad, 6);
    ip6_hdr_x(&k, "fd00:198:18::1", "fd00:198:18::2", 60, 0, 0, NULL, NULL);
    run(DLT_RAW_, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_IPV6_EXTHDR_UNKNOWN));
    CHECK(!(p.flags & PKT_HAS_L4));
    CHECK_EQ_U(p.l4_proto, 200);
    CHECK_EQ_U(st.c[STAT_DECODE_IPV6_UNKNOWN_NH], 1);
    /* truncated: hdr ext len says 16 bytes, 8 present */
    memset(&k, 0, sizeof k);
    uint8_t big[6] = {1, 4, 0, 0, 0, 0};
    ext_hdr(&k, 17, big, 6);
    k.b[1] = 1;
    ip6_hdr_x(&k, "fd00:198:18::1", "fd00:198:18::2", 0, 0, 0, NULL, NULL);
    run(DLT_RAW_, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_IPV6_TRUNC_EXTHDR));
    CHECK(p.flags & PKT_INVALID);
    /* hop-by-hop after another header; routing type 0; two routing headers */
    memset(&k, 0, sizeof k);
    payload(&k, "x");
    udp_hdr(&k, 1, 2);
    ext_hdr(&k, 17, pad, 6);              /* HBH, not first */
    uint8_t rh0[22] = {0, 1, 0, 0, 0, 0}; /* type 0, one address, segments left 1 */
    a6(rh0 + 6, "fd00:198:18::77");
    ext_hdr(&k, 0, rh0, 22);
    uint8_t rh2[6] = {2, 0, 0, 0, 0, 0};  /* type 2 without address: bad, no segments left */
    ext_hdr(&k, 43, rh2, 6);
    size_t ext = k.n - 9;
    ip6_hdr_x(&k, "fd00:198:18::1", "fd00:198:18::2", 43, ext, 17, NULL, "fd00:198:18::77");
    run(DLT_RAW_, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_IPV6_HOPOPTS_NOT_FIRST));
    CHECK(packet_has_event(&p, EV_DECODE_IPV6_RH_TYPE_0));
    CHECK(packet_has_event(&p, EV_DECODE_IPV6_EXTHDR_DUPL_RH));
    CHECK(!(p.flags & PKT_INVALID));
    CHECK(p.flags & PKT_HAS_L4); /* still decoded: hosts may accept it */
    CHECK_STR(dst_str(), "fd00:198:18::77");
    CHECK(!(p.flags & PKT_CSUM_BAD));
    /* duplicate hop-by-hop, destination options twice without routing, two fragment headers, two AH */
    memset(&k, 0, sizeof k);
    payload(&k, "x");
    udp_hdr(&k, 1, 2);
    uint8_t ah[14] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    prebytes(&k, ah, 10);
    uint8_t *h = pre(&k, 2);
    h[0] = 17;
    h[1] = 1; /* (1 + 2) * 4 = 12 bytes */
    prebytes(&k, ah, 10);
    h = pre(&k, 2);
    h[0] = 51;
    h[1] = 1;
    uint8_t fh[6] = {0, 0, 0, 0, 0, 2};
    prebytes(&k, fh, 6);
    h = pre(&k, 2);
    h[0] = 51;
    prebytes(&k, fh, 6);
    h = pre(&k, 2);
    h[0] = 44;
    ext_hdr(&k, 44, pad, 6);
    ext_hdr(&k, 60, pad, 6);
    ext_hdr(&k, 60, pad, 6);
    ext_hdr(&k, 0, pad, 6);
    ip6_hdr_x(&k, "fd00:198:18::1", "fd00:198:18::2", 0, 0, 0, NULL, NULL);
    run(DLT_RAW_, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_IPV6_EXTHDR_DUPL_HH));
    CHECK(packet_has_event(&p, EV_DECODE_IPV6_EXTHDR_DUPL_DH));
    CHECK(packet_has_event(&p, EV_DECODE_IPV6_EXTHDR_DUPL_FH));
    CHECK(packet_has_event(&p, EV_DECODE_IPV6_EXTHDR_DUPL_AH));
    CHECK(p.flags & PKT_HAS_L4);
    CHECK_EQ_U(p.sport, 1);
    /* an option running past its header, and a HAO of the wrong length */
    memset(&k, 0, sizeof k);
    payload(&k, "x");
    udp_hdr(&k, 1, 2);
    uint8_t badopt[6] = {1, 9, 0, 0, 0, 0};
    ext_hdr(&k, 17, badopt, 6);
    ip6_hdr_x(&k, "fd00:198:18::1", "fd00:198:18::2", 0, 8, 17, NULL, NULL);
    run(DLT_RAW_, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_IPV6_EXTHDR_INVALID_OPTLEN));
    memset(&k, 0, sizeof k);
    payload(&k, "x");
    udp_hdr(&k, 1, 2);
    uint8_t badhao[6] = {0xc9, 4, 0, 0, 0, 0};
    ext_hdr(&k, 17, badhao, 6);
    ip6_hdr_x(&k, "fd00:198:18::1", "fd00:198:18::2", 60, 8, 17, NULL, NULL);
    run(DLT_RAW_, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_IPV6_EXTHDR_INVALID_OPTLEN));
    CHECK(!(p.flags & PKT_IPV6_HAO));
    CHECK_STR(src_str(), "fd00:198:18::1");
}

TEST(ipv6_exthdr_cap)
{
    setup("decode.ipv6.max-exthdrs=3");
    struct pkt k;
    uint8_t pad[6] = {1, 4, 0, 0, 0, 0};
    memset(&k, 0, sizeof k);
    payload(&k, "x");
    udp_hdr(&k, 1, 2);
    ext_hdr(&k, 17, pad, 6);
    ext_hdr(&k, 60, pad, 6);
    ext_hdr(&k, 60, pad, 6);
    ip6_hdr_x(&k, "fd00:198:18::1", "fd00:198:18::2", 60, 24, 17, NULL, NULL);
    run(DLT_RAW_, &k, 0);
    CHECK(p.flags & PKT_HAS_L4);
    CHECK(!packet_has_event(&p, EV_DECODE_IPV6_EXTHDR_TOO_MANY));
    ext_hdr(&k, 60, pad, 6);
    memmove(k.b + 40, k.b, k.n); /* re-wrap: simplest is a fresh header */
    memset(&k, 0, sizeof k);
    payload(&k, "x");
    udp_hdr(&k, 1, 2);
    for (int i = 0; i < 4; i++)
        ext_hdr(&k, i ? 60 : 17, pad, 6);
    ip6_hdr_x(&k, "fd00:198:18::1", "fd00:198:18::2", 60, 32, 17, NULL, NULL);
    run(DLT_RAW_, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_IPV6_EXTHDR_TOO_MANY));
    CHECK(!(p.flags & PKT_HAS_L4));
    CHECK_EQ_U(st.c[STAT_DECODE_IPV6_EXTHDR_CAP_HIT], 1);
}

/* ---- transport ---- */

TEST(tcp_options)
{
    setup(NULL);
    struct pkt k;
    memset(&k, 0, sizeof k);
    static const uint8_t opt[] = {2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0};
    tcp_hdr(&k, 1234, 80, 0x02, opt, sizeof opt);
    ip4_hdr(&k, "198.18.0.1", "198.18.0.2", 6);
    run(DLT_RAW_, &k, 0);
    CHECK(clean());
    CHECK(p.flags & PKT_HAS_L4);
    CHECK_EQ_U(p.tcp_flags, 0x02);
    CHECK_EQ_U(p.tcp_mss, 1460);
    CHECK_EQ_U(p.tcp_wscale, 7);
    CHECK_EQ_U(p.tcp_tsval, 1);
    CHECK_EQ_U(p.tcp_tsecr, 2);
    CHECK_EQ_U(p.tcp_opts, TCP_OPT_SEEN_MSS | TCP_OPT_SEEN_WSCALE | TCP_OPT_SEEN_SACKOK | TCP_OPT_SEEN_TS);
    CHECK_EQ_U(p.tcp_seq, 1000);
    CHECK_EQ_U(p.tcp_ack, 2000);
    CHECK_EQ_U(p.tcp_win, 8192);
    static const uint8_t bad[][8] = {
        {2, 3, 0, 0, 0, 0, 0, 0},    /* MSS of length 3 */
        {1, 1, 30, 9, 0, 0, 0, 0},   /* runs past the header */
        {30, 1, 0, 0, 0, 0, 0, 0},   /* length 1 */
        {8, 8, 0, 0, 0, 0, 0, 0},    /* timestamps of length 8 */
        {1, 1, 1, 5, 6, 0, 0, 0},    /* SACK of 4 bytes of blocks */
    };
    for (size_t i = 0; i < TG_ARRAY_LEN(bad); i++) {
        memset(&k, 0, sizeof k);
        payload(&k, "data");
        tcp_hdr(&k, 1234, 80, 0x18, bad[i], 8);
        ip4_hdr(&k, "198.18.0.1", "198.18.0.2", 6);
        run(DLT_RAW_, &k, 0);
        CHECK(packet_has_event(&p, EV_DECODE_TCP_INVALID_OPTLEN));
        CHECK(p.flags & PKT_HAS_L4); /* the segment still goes to the stream */
        CHECK_EQ_U(p.payload_len, 4);
    }
}

TEST(icmp)
{
    setup(NULL);
    struct pkt k;
    memset(&k, 0, sizeof k);
    payload(&k, "ping");
    icmp_hdr(&k, 8, 0);
    ip4_hdr(&k, "198.18.0.1", "198.18.0.2", 1);
    run(DLT_RAW_, &k, 0);
    CHECK(clean());
    CHECK_EQ_U(p.icmp_type, 8);
    CHECK(p.flags & PKT_HAS_L4);
    CHECK(!(p.flags & PKT_ICMP_ERROR));
    CHECK_EQ_U(st.c[STAT_DECODE_CSUM_CHECKED], 1);
    /* a port unreachable quoting the UDP datagram */
    struct pkt q;
    udp4(&q);
    memset(&k, 0, sizeof k);
    prebytes(&k, q.b, 28);
    icmp_hdr(&k, 3, 3);
    ip4_hdr(&k, "198.18.0.2", "198.18.0.1", 1);
    run(DLT_RAW_, &k, 0);
    CHECK(clean());
    CHECK(p.flags & PKT_ICMP_ERROR);
    CHECK_EQ_U(p.icmp_code, 3);
    CHECK_EQ_U(p.icmp_emb_len, 28);
    CHECK(p.icmp_emb && p.icmp_emb[0] == 0x45);
    CHECK_STR(src_str(), "198.18.0.2"); /* the error's own addresses */
    /* garbage quoted */
    memset(&k, 0, sizeof k);
    payload(&k, "\x99garbage-not-ip");
    icmp_hdr(&k, 11, 0);
    ip4_hdr(&k, "198.18.0.2", "198.18.0.1", 1);
    run(DLT_RAW_, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_ICMPV4_EMB_INVALID));
    CHECK(p.flags & PKT_HAS_L4);
    /* ICMPv6 echo and a packet too big quoting IPv6 */
    memset(&k, 0, sizeof k);
    payload(&k, "ping6");
    icmp_hdr(&k, 128, 0);
    ip6_hdr(&k, "fd00:198:18::1", "fd00:198:18::2", 58);
    run(DLT_RAW_, &k, 0);
    CHECK(clean());
    CHECK_EQ_U(p.icmp_type, 128);
    udp6(&q);
    memset(&k, 0, sizeof k);
    prebytes(&k, q.b, q.n);
    icmp_hdr(&k, 2, 0);
    ip6_hdr(&k, "fd00:198:18::2", "fd00:198:18::1", 58);
    run(DLT_RAW_, &k, 0);
    CHECK(clean());
    CHECK(p.flags & PKT_ICMP_ERROR);
    CHECK_EQ_U(st.c[STAT_DECODE_ICMP_ERRORS], 3);
    /* ICMPv6 inside IPv4 is not decoded as ICMPv6 */
    memset(&k, 0, sizeof k);
    icmp_hdr(&k, 128, 0);
    ip4_hdr(&k, "198.18.0.1", "198.18.0.2", 58);
    run(DLT_RAW_, &k, 0);
    CHECK(!(p.flags & PKT_HAS_L4));
}

/* ---- checksums ---- */

static void corrupt_last(struct pkt *k) { k->b[k->n - 1] ^= 0x55; }

TEST(checksums)
{
    setup("decode.checksum-validation=yes");
    struct pkt k;
    /* good ones of every kind */
    udp4(&k);
    run(DLT_RAW_, &k, 0);
    udp6(&k);
    run(DLT_RAW_, &k, 0);
    CHECK(clean());
    CHECK_EQ_U(st.c[STAT_DECODE_CSUM_CHECKED], 2);
    CHECK_EQ_U(st.c[STAT_DECODE_CSUM_BAD_PACKETS], 0);
    /* bad UDP v4 / v6 */
    udp4(&k);
    corrupt_last(&k);
    run(DLT_RAW_, &k, 0);
    CHECK(p.flags & PKT_CSUM_BAD);
    CHECK(packet_has_event(&p, EV_DECODE_UDP_CSUM_BAD));
    CHECK(p.flags & PKT_HAS_L4); /* still goes to flows */
    CHECK(!(p.flags & PKT_INVALID));
    udp6(&k);
    corrupt_last(&k);
    run(DLT_RAW_, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_UDP_CSUM_BAD));
    CHECK_EQ_U(st.c[STAT_DECODE_CSUM_UDP_BAD], 2);
    /* UDP zero checksum: none over IPv4, invalid over IPv6 */
    udp4(&k);
    put16(k.b + 26, 0);
    run(DLT_RAW_, &k, 0);
    CHECK(clean());
    udp6(&k);
    put16(k.b + 46, 0);
    run(DLT_RAW_, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_UDP_CSUM_BAD));
    /* TCP */
    memset(&k, 0, sizeof k);
    payload(&k, "abc");
    tcp_hdr(&k, 1, 2, 0x18, NULL, 0);
    ip4_hdr(&k, "198.18.0.1", "198.18.0.2", 6);
    run(DLT_RAW_, &k, 0);
    CHECK(clean());
    corrupt_last(&k);
    run(DLT_RAW_, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_TCP_CSUM_BAD));
    CHECK_EQ_U(st.c[STAT_DECODE_CSUM_TCP_BAD], 1);
    /* ICMPv4 and ICMPv6 */
    memset(&k, 0, sizeof k);
    payload(&k, "ping");
    icmp_hdr(&k, 8, 0);
    ip4_hdr(&k, "198.18.0.1", "198.18.0.2", 1);
    corrupt_last(&k);
    run(DLT_RAW_, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_ICMPV4_CSUM_BAD));
    memset(&k, 0, sizeof k);
    payload(&k, "ping");
    icmp_hdr(&k, 128, 0);
    ip6_hdr(&k, "fd00:198:18::1", "fd00:198:18::2", 58);
    corrupt_last(&k);
    run(DLT_RAW_, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_ICMPV6_CSUM_BAD));
    CHECK_EQ_U(st.c[STAT_DECODE_CSUM_ICMP_BAD], 1);
    CHECK_EQ_U(st.c[STAT_DECODE_CSUM_ICMPV6_BAD], 1);
    /* IPv4 header */
    udp4(&k);
    k.b[8] = 1; /* TTL changed, checksum not */
    run(DLT_RAW_, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_IPV4_CSUM_BAD));
    CHECK(!packet_has_event(&p, EV_DECODE_UDP_CSUM_BAD));
    CHECK_EQ_U(st.c[STAT_DECODE_CSUM_IPV4_BAD], 1);
    /* offloaded (partial) checksum on a snapped packet: not checked */
    udp4(&k);
    corrupt_last(&k);
    k.n -= 2;
    uint64_t before = st.c[STAT_DECODE_CSUM_CHECKED];
    run(DLT_RAW_, &k, (uint32_t)k.n + 2);
    CHECK(clean());
    CHECK(p.flags & PKT_SNAPPED);
    CHECK(p.flags & PKT_HAS_L4);
    CHECK_EQ_U(p.payload_len, 3);
    CHECK_EQ_U(st.c[STAT_DECODE_CSUM_CHECKED], before + 1); /* the IPv4 header only */
    /* fragments: no L4 checksum */
    memset(&k, 0, sizeof k);
    payload(&k, "12345678");
    ip4_hdr_opt(&k, "198.18.0.1", "198.18.0.2", 17, 0x2000, NULL, 0);
    run(DLT_RAW_, &k, 0);
    CHECK(clean());
    CHECK(p.flags & PKT_IS_FRAGMENT);
    /* validation off */
    setup("decode.checksum-validation=no");
    udp4(&k);
    corrupt_last(&k);
    run(DLT_RAW_, &k, 0);
    CHECK(clean());
    CHECK_EQ_U(st.c[STAT_DECODE_CSUM_CHECKED], 0);
}

TEST(checksum_auto)
{
    /* offloaded capture: every checksum bad -> off after the sample */
    setup(NULL);
    CHECK_EQ_U(ctx.csum_mode, DECODE_CSUM_AUTO);
    struct pkt k;
    memset(&k, 0, sizeof k);
    payload(&k, "abc");
    tcp_hdr(&k, 1, 2, 0x18, NULL, 0);
    ip4_hdr(&k, "198.18.0.1", "198.18.0.2", 6);
    put16(k.b + 36, 0x1c46); /* a partial (pseudo-header only) sum, as NICs leave */
    /* while sampling, bad checksums are counted, not flagged */
    for (int i = 0; i < 1000; i++) {
        run(DLT_RAW_, &k, 0);
        CHECK(!(p.flags & PKT_CSUM_BAD));
    }
    CHECK_EQ_U(st.c[STAT_DECODE_CSUM_AUTO_DISABLED], 1);
    run(DLT_RAW_, &k, 0);
    CHECK(clean());
    CHECK(!(p.flags & PKT_CSUM_BAD));
    CHECK_EQ_U(st.c[STAT_DECODE_CSUM_TCP_BAD], 1001); /* still counted */
    /* a clean capture with a few bad ones stays validated */
    setup("decode.checksum-validation=auto");
    for (int i = 0; i < 1200; i++) {
        udp4(&k);
        if (i % 20 == 0)
            corrupt_last(&k);
        run(DLT_RAW_, &k, 0);
    }
    CHECK_EQ_U(st.c[STAT_DECODE_CSUM_AUTO_DISABLED], 0);
    udp4(&k);
    corrupt_last(&k);
    run(DLT_RAW_, &k, 0);
    CHECK(p.flags & PKT_CSUM_BAD);
    /* a smaller sample from the config */
    setup("decode.checksum-auto-sample=10");
    for (int i = 0; i < 10; i++) {
        udp4(&k);
        if (i < 2)
            corrupt_last(&k);
        run(DLT_RAW_, &k, 0);
    }
    CHECK_EQ_U(st.c[STAT_DECODE_CSUM_AUTO_DISABLED], 1);
}

/* A checksum-bad packet is still tracked by flows (engine level). */
TEST(csum_bad_still_flows)
{
    struct config *cfg = config_new();
    CHECK(config_set(cfg, "decode.checksum-validation=yes") == TG_OK);
    char err[128];
    struct engine *e = engine_new(cfg, NULL, err, sizeof err);
    CHECK(e != NULL);
    if (!e) {
        config_free(cfg);
        return;
    }
    struct pkt k;
    udp4(&k);
    corrupt_last(&k);
    struct packet pk;
    memset(&pk, 0, sizeof pk);
    pk.num = 1;
    pk.ts_ns = TG_NS_PER_SEC;
    pk.data = k.b;
    pk.caplen = pk.wirelen = (uint32_t)k.n;
    pk.datalink = DLT_RAW_;
    engine_process_packet(e, &pk);
    CHECK(pk.flags & PKT_CSUM_BAD);
    CHECK_EQ_U(engine_stats(e)->c[STAT_FLOW_TOTAL], 1);
    engine_free(e);
    config_free(cfg);
}

/* ---- truncation at every layer ---- */

struct trunc_case {
    const char *name;
    int dlt;
    size_t keep;     /* bytes of the frame kept */
    enum event_id ev;
};

TEST(truncated_everywhere)
{
    setup(NULL);
    struct pkt eth, sll, sll2, nul, ppp, vlan, gre, tcp6, icmp4;
    udp4(&eth);
    eth_hdr(&eth, 0x0800);
    udp4(&vlan);
    eth_hdr(&vlan, 0x0800);
    vlan_tag(&vlan, 0x8100, 5);
    udp4(&ppp);
    pppoe(&ppp, 0x0021, 0x11);
    udp4(&sll);
    put16(pre(&sll, 16) + 14, 0x0800);
    udp4(&sll2);
    put16(pre(&sll2, 20), 0x0800);
    udp4(&nul);
    null_hdr(&nul, 2, false);
    udp4(&gre);
    gre_hdr(&gre, 0x3000, 0x0800);
    outer4(&gre, 47);
    memset(&tcp6, 0, sizeof tcp6);
    tcp_hdr(&tcp6, 1, 2, 2, (const uint8_t *)"\x02\x04\x05\xb4", 4);
    ip6_hdr(&tcp6, "fd00:198:18::1", "fd00:198:18::2", 6);
    memset(&icmp4, 0, sizeof icmp4);
    icmp_hdr(&icmp4, 8, 0);
    ip4_hdr(&icmp4, "198.18.0.1", "198.18.0.2", 1);
    const struct {
        const char *name;
        const struct pkt *k;
        int dlt;
        size_t keep;
        enum event_id ev;
    } cases[] = {
        {"ethernet", &eth, 1, 10, EV_DECODE_TRUNCATED_LINK},
        {"vlan tag", &vlan, 1, 16, EV_DECODE_TRUNCATED_LINK},
        {"pppoe", &ppp, 1, 17, EV_DECODE_PPPOE_MALFORMED},
        {"sll", &sll, 113, 12, EV_DECODE_TRUNCATED_LINK},
        {"sll2", &sll2, 276, 19, EV_DECODE_TRUNCATED_LINK},
        {"null", &nul, 0, 3, EV_DECODE_TRUNCATED_LINK},
        {"ipv4 header", &eth, 1, 14 + 19, EV_DECODE_IPV4_PKT_TOO_SMALL},
        {"ipv4 total length", &eth, 1, 14 + 30, EV_DECODE_IPV4_TRUNC_PKT},
        {"ipv4 empty", &eth, 1, 14, EV_DECODE_IPV4_PKT_TOO_SMALL},
        {"gre", &gre, 1, 14 + 20 + 6, EV_DECODE_IPV4_TRUNC_PKT},
        {"ipv6 header", &tcp6, 12, 39, EV_DECODE_IPV6_PKT_TOO_SMALL},
        {"ipv6 payload", &tcp6, 12, 50, EV_DECODE_IPV6_TRUNC_PKT},
        {"icmp", &icmp4, 12, 24, EV_DECODE_IPV4_TRUNC_PKT},
    };
    for (size_t i = 0; i < TG_ARRAY_LEN(cases); i++) {
        struct pkt k = *cases[i].k;
        k.n = cases[i].keep;
        run(cases[i].dlt, &k, 0);
        if (!packet_has_event(&p, cases[i].ev) || !(p.flags & PKT_INVALID))
            fprintf(stderr, "  truncated case \"%s\"\n", cases[i].name);
        CHECK(packet_has_event(&p, cases[i].ev));
        CHECK(p.flags & PKT_INVALID);
        CHECK(!(p.flags & PKT_HAS_L4));
        /* the same cut made by a snap length is no anomaly */
        run(cases[i].dlt, &k, (uint32_t)cases[i].k->n);
        if (p.n_events)
            fprintf(stderr, "  snapped case \"%s\": event %s\n", cases[i].name, event_name(p.events[0]));
        CHECK(p.n_events == 0);
        CHECK(!(p.flags & PKT_INVALID));
    }
    /* length fields that lie inside a complete datagram */
    struct pkt k;
    udp4(&k);
    put16(k.b + 24, 60); /* UDP length past the datagram */
    run(12, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_UDP_HLEN_INVALID));
    CHECK(p.flags & PKT_INVALID);
    udp4(&k);
    put16(k.b + 24, 4); /* below the header */
    run(12, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_UDP_HLEN_INVALID));
    udp4(&k);
    k.n = 20 + 7; /* 7 bytes of UDP: the IP length agrees */
    put16(k.b + 2, 27);
    run(12, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_UDP_PKT_TOO_SMALL));
    memset(&k, 0, sizeof k);
    tcp_hdr(&k, 1, 2, 2, NULL, 0);
    k.b[12] = 0x40; /* data offset 16 */
    ip4_hdr(&k, "198.18.0.1", "198.18.0.2", 6);
    run(12, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_TCP_HLEN_TOO_SMALL));
    memset(&k, 0, sizeof k);
    tcp_hdr(&k, 1, 2, 2, NULL, 0);
    k.b[12] = 0xf0; /* 60 bytes of header in a 20-byte segment */
    ip4_hdr(&k, "198.18.0.1", "198.18.0.2", 6);
    run(12, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_TCP_PKT_TOO_SMALL));
    memset(&k, 0, sizeof k);
    prebytes(&k, "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a", 10);
    ip4_hdr(&k, "198.18.0.1", "198.18.0.2", 6);
    run(12, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_TCP_PKT_TOO_SMALL));
    memset(&k, 0, sizeof k);
    prebytes(&k, "\x08\x00\x00\x00", 4);
    ip4_hdr(&k, "198.18.0.1", "198.18.0.2", 1);
    run(12, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_ICMPV4_PKT_TOO_SMALL));
    memset(&k, 0, sizeof k);
    prebytes(&k, "\x80\x00\x00\x00", 4);
    ip6_hdr(&k, "fd00:198:18::1", "fd00:198:18::2", 58);
    run(12, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_ICMPV6_PKT_TOO_SMALL));
    udp4(&k);
    k.b[0] = 0x44; /* IHL 4 */
    run(12, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_IPV4_HLEN_TOO_SMALL));
    udp4(&k);
    put16(k.b + 2, 16); /* total length < header */
    run(12, &k, 0);
    CHECK(packet_has_event(&p, EV_DECODE_IPV4_IPLEN_SMALLER_THAN_HLEN));
    CHECK(p.flags & PKT_INVALID);
}

/* A snap length that cuts into TCP options keeps the ports and flags. */
TEST(snapped_tcp)
{
    setup(NULL);
    struct pkt k;
    memset(&k, 0, sizeof k);
    payload(&k, "payload");
    static const uint8_t opt[] = {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2};
    tcp_hdr(&k, 5060, 5060, 0x18, opt, sizeof opt);
    ip4_hdr(&k, "198.18.0.1", "198.18.0.2", 6);
    eth_hdr(&k, 0x0800);
    size_t full = k.n;
    k.n = 14 + 20 + 24;
    run(1, &k, (uint32_t)full);
    CHECK(clean());
    CHECK(p.flags & PKT_HAS_L4);
    CHECK(p.flags & PKT_SNAPPED);
    CHECK_EQ_U(p.sport, 5060);
    CHECK_EQ_U(p.payload_len, 0);
    CHECK_EQ_U(p.l3_len, 44);
    CHECK_EQ_U(st.c[STAT_DECODE_SNAPPED], 1);
}

/* decode_ip_datagram decodes a whole datagram from L3, e.g. a reassembled one. */
TEST(ip_datagram)
{
    setup(NULL);
    struct pkt k;
    udp6(&k);
    memset(&p, 0, sizeof p);
    p.flags = PKT_IS_FRAGMENT;
    p.sport = 9;
    decode_ip_datagram(&ctx, &p, k.b, (uint32_t)k.n);
    CHECK(clean());
    CHECK(!(p.flags & PKT_IS_FRAGMENT));
    CHECK(p.flags & PKT_HAS_L4);
    CHECK_EQ_U(p.sport, 5060);
    CHECK_EQ_U(p.payload_len, 6);
    /* the rewritten outer IPv4 header's checksum is not judged again */
    udp4(&k);
    k.b[10] ^= 0xff;
    memset(&p, 0, sizeof p);
    decode_ip_datagram(&ctx, &p, k.b, (uint32_t)k.n);
    CHECK(clean());
    check_udp4();
}

TEST_MAIN(T(ethernet_udp4), T(vlan_qinq), T(pppoe_session), T(sll_sll2), T(raw_linktypes), T(null_loop),
          T(unknown_linktype), T(gre), T(erspan), T(ip_in_ip), T(mpls), T(gre_routing), T(ipv4_zero_length), T(ipv4_options), T(ipv6_ext_chain_mobile),
          T(ipv6_fragment), T(ipv6_ext_anomalies), T(ipv6_exthdr_cap), T(tcp_options), T(icmp), T(checksums),
          T(checksum_auto), T(csum_bad_still_flows), T(truncated_everywhere), T(snapped_tcp), T(ip_datagram))
