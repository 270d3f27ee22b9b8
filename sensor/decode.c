/* decode.c - link layer to L4 decode of one captured packet.
 *
 * Reads every byte through a cursor. Layers hand over to each other by
 * ethertype / IP protocol; tunnels recurse into decode_ip() with a depth cap. */
#include <pcap/dlt.h>
#include <string.h>
#include "config.h"
#include "cursor.h"
#include "decode.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8

void decode_ctx_init(struct decode_ctx *ctx, const struct config *cfg, struct stats *st)
{
    ctx->stats = st;
    ctx->check_checksums = config_get_bool(cfg, "decode.checksum-validation", true);
}

static void decode_ip(const struct decode_ctx *ctx, struct packet *p, const uint8_t *buf, uint32_t len);

static void decode_invalid(const struct decode_ctx *ctx, struct packet *p, enum event_id ev)
{
    p->flags |= PKT_INVALID;
    stats_inc(ctx->stats, STAT_DECODE_INVALID);
    packet_set_event(p, ctx->stats, ev);
}

static void decode_tcp(const struct decode_ctx *ctx, struct packet *p, const uint8_t *b, uint32_t len)
{
    struct cursor c;
    cursor_init(&c, b, len);
    stats_inc(ctx->stats, STAT_DECODE_TCP);
    if (len < 20) {
        decode_invalid(ctx, p, EV_DECODE_TCP_PKT_TOO_SMALL);
        return;
    }
    p->sport = cursor_be16(&c);
    p->dport = cursor_be16(&c);
    p->tcp_seq = cursor_be32(&c);
    p->tcp_ack = cursor_be32(&c);
    uint8_t off = cursor_u8(&c) >> 4;
    p->tcp_flags = cursor_u8(&c);
    p->tcp_win = cursor_be16(&c);
    uint32_t hlen = (uint32_t)off * 4;
    if (hlen < 20 || hlen > len) {
        decode_invalid(ctx, p, EV_DECODE_TCP_HLEN_TOO_SMALL);
        return;
    }
    p->l4 = b;
    p->l4_len = len;
    p->payload = b + hlen;
    p->payload_len = len - hlen;
    p->flags |= PKT_HAS_L4;
}

static void decode_udp(const struct decode_ctx *ctx, struct packet *p, const uint8_t *b, uint32_t len)
{
    struct cursor c;
    cursor_init(&c, b, len);
    stats_inc(ctx->stats, STAT_DECODE_UDP);
    if (len < 8) {
        decode_invalid(ctx, p, EV_DECODE_UDP_PKT_TOO_SMALL);
        return;
    }
    p->sport = cursor_be16(&c);
    p->dport = cursor_be16(&c);
    uint16_t ulen = cursor_be16(&c);
    if (ulen < 8 || ulen > len) {
        decode_invalid(ctx, p, EV_DECODE_UDP_HLEN_INVALID);
        return;
    }
    p->l4 = b;
    p->l4_len = ulen;
    p->payload = b + 8;
    p->payload_len = ulen - 8u;
    p->flags |= PKT_HAS_L4;
}

static void decode_icmp(const struct decode_ctx *ctx, struct packet *p, const uint8_t *b, uint32_t len, bool v6)
{
    stats_inc(ctx->stats, v6 ? STAT_DECODE_ICMPV6 : STAT_DECODE_ICMPV4);
    if (len < 4) {
        decode_invalid(ctx, p, v6 ? EV_DECODE_ICMPV6_PKT_TOO_SMALL : EV_DECODE_ICMPV4_PKT_TOO_SMALL);
        return;
    }
    p->icmp_type = b[0];
    p->icmp_code = b[1];
    p->l4 = b;
    p->l4_len = len;
    p->payload = b + TG_MIN(len, 8u);
    p->payload_len = len - TG_MIN(len, 8u);
    p->flags |= PKT_HAS_L4;
}

/* Transport layer or tunnel after the IP header(s). */
static void decode_l4(const struct decode_ctx *ctx, struct packet *p, const uint8_t *b, uint32_t len)
{
    switch (p->l4_proto) {
    case IPPROTO_NUM_TCP: decode_tcp(ctx, p, b, len); break;
    case IPPROTO_NUM_UDP: decode_udp(ctx, p, b, len); break;
    case IPPROTO_NUM_ICMP: decode_icmp(ctx, p, b, len, false); break;
    case IPPROTO_NUM_ICMPV6: decode_icmp(ctx, p, b, len, true); break;
    case IPPROTO_NUM_IPIP:
    case IPPROTO_NUM_IPV6:
        if (p->tunnel_depth >= PACKET_MAX_TUNNEL_DEPTH) {
            decode_invalid(ctx, p, EV_DECODE_TUNNEL_TOO_DEEP);
            return;
        }
        stats_inc(ctx->stats, p->l4_proto == IPPROTO_NUM_IPIP ? STAT_DECODE_IPIP : STAT_DECODE_IPV6_IN_IPV4);
        p->tunnel_depth++;
        decode_ip(ctx, p, b, len);
        break;
    default: stats_inc(ctx->stats, STAT_DECODE_OTHER_IPPROTO); break;
    }
}

static void decode_ipv4(const struct decode_ctx *ctx, struct packet *p, const uint8_t *b, uint32_t len)
{
    struct cursor c;
    cursor_init(&c, b, len);
    stats_inc(ctx->stats, STAT_DECODE_IPV4);
    if (len < 20) {
        decode_invalid(ctx, p, EV_DECODE_IPV4_PKT_TOO_SMALL);
        return;
    }
    uint8_t vh = cursor_u8(&c);
    uint32_t hlen = (uint32_t)(vh & 0x0f) * 4;
    if (hlen < 20) {
        decode_invalid(ctx, p, EV_DECODE_IPV4_HLEN_TOO_SMALL);
        return;
    }
    cursor_skip(&c, 1);
    uint16_t tot = cursor_be16(&c);
    uint16_t id = cursor_be16(&c);
    uint16_t fo = cursor_be16(&c);
    p->ttl = cursor_u8(&c);
    p->l4_proto = cursor_u8(&c);
    cursor_skip(&c, 2);
    memset(&p->src, 0, sizeof p->src);
    memset(&p->dst, 0, sizeof p->dst);
    p->src.family = p->dst.family = 4;
    cursor_copy(&c, p->src.b, 4);
    cursor_copy(&c, p->dst.b, 4);
    if (tot < hlen) {
        decode_invalid(ctx, p, EV_DECODE_IPV4_IPLEN_SMALLER_THAN_HLEN);
        return;
    }
    if (tot > len || hlen > len) {
        decode_invalid(ctx, p, EV_DECODE_IPV4_TRUNC_PKT);
        return;
    }
    p->ip_version = 4;
    p->l3 = b;
    p->l3_len = tot;
    p->l3_hlen = hlen;
    if ((fo & 0x3fff) != 0) {
        p->flags |= PKT_IS_FRAGMENT;
        p->frag_id = id;
        p->frag_offset = (uint32_t)(fo & 0x1fff) * 8;
        p->frag_more = (fo & 0x2000) != 0;
        return;
    }
    decode_l4(ctx, p, b + hlen, tot - hlen);
}

static void decode_ipv6(const struct decode_ctx *ctx, struct packet *p, const uint8_t *b, uint32_t len)
{
    struct cursor c;
    cursor_init(&c, b, len);
    stats_inc(ctx->stats, STAT_DECODE_IPV6);
    if (len < 40) {
        decode_invalid(ctx, p, EV_DECODE_IPV6_PKT_TOO_SMALL);
        return;
    }
    cursor_skip(&c, 4);
    uint16_t plen = cursor_be16(&c);
    uint8_t nh = cursor_u8(&c);
    p->ttl = cursor_u8(&c);
    p->src.family = p->dst.family = 6;
    cursor_copy(&c, p->src.b, 16);
    cursor_copy(&c, p->dst.b, 16);
    if (40u + plen > len) {
        decode_invalid(ctx, p, EV_DECODE_IPV6_TRUNC_PKT);
        return;
    }
    p->ip_version = 6;
    p->l3 = b;
    p->l3_len = 40u + plen;
    c.len = p->l3_len;
    /* Extension headers: hop-by-hop 0, routing 43, fragment 44, dstopts 60. */
    for (;;) {
        if (nh == 0 || nh == 43 || nh == 60) {
            size_t at = c.pos;
            uint8_t next = cursor_u8(&c);
            uint8_t hl = cursor_u8(&c);
            if (!cursor_skip(&c, (size_t)hl * 8 + 6)) {
                decode_invalid(ctx, p, EV_DECODE_IPV6_TRUNC_EXTHDR);
                return;
            }
            TG_UNUSED(at);
            nh = next;
        } else if (nh == 44) {
            size_t at = c.pos;
            uint8_t next = cursor_u8(&c);
            cursor_skip(&c, 1);
            uint16_t off = cursor_be16(&c);
            uint32_t id = cursor_be32(&c);
            if (c.err) {
                decode_invalid(ctx, p, EV_DECODE_IPV6_TRUNC_EXTHDR);
                return;
            }
            if ((off & 0xfff9) != 0) {
                p->flags |= PKT_IS_FRAGMENT;
                p->frag_id = id;
                p->frag_offset = (uint32_t)(off & 0xfff8);
                p->frag_more = (off & 1) != 0;
                p->frag_hdr_off = (uint32_t)at;
                p->frag_nexthdr = next;
                p->l3_hlen = (uint32_t)c.pos;
                p->l4_proto = next;
                return;
            }
            nh = next; /* atomic fragment */
        } else {
            break;
        }
    }
    p->l3_hlen = (uint32_t)c.pos;
    p->l4_proto = nh;
    decode_l4(ctx, p, b + c.pos, p->l3_len - (uint32_t)c.pos);
}

static void decode_ip(const struct decode_ctx *ctx, struct packet *p, const uint8_t *buf, uint32_t len)
{
    if (len < 1) {
        decode_invalid(ctx, p, EV_DECODE_IPV4_PKT_TOO_SMALL);
        return;
    }
    switch (buf[0] >> 4) {
    case 4: decode_ipv4(ctx, p, buf, len); break;
    case 6: decode_ipv6(ctx, p, buf, len); break;
    default: decode_invalid(ctx, p, EV_DECODE_IPV4_WRONG_IP_VER); break;
    }
}

static void decode_ethertype(const struct decode_ctx *ctx, struct packet *p, uint16_t et,
                             const uint8_t *b, uint32_t len)
{
    struct cursor c;
    cursor_init(&c, b, len);
    while (et == ETHERTYPE_VLAN || et == ETHERTYPE_QINQ) {
        if (p->vlan_count >= PACKET_MAX_VLAN) {
            decode_invalid(ctx, p, EV_DECODE_VLAN_TOO_MANY_LAYERS);
            return;
        }
        stats_inc(ctx->stats, p->vlan_count ? STAT_DECODE_VLAN_QINQ : STAT_DECODE_VLAN);
        p->vlan[p->vlan_count++] = cursor_be16(&c) & 0x0fff;
        et = cursor_be16(&c);
        if (c.err) {
            decode_invalid(ctx, p, EV_DECODE_TRUNCATED_LINK);
            return;
        }
    }
    switch (et) {
    case ETHERTYPE_IPV4:
    case ETHERTYPE_IPV6:
        decode_ip(ctx, p, cursor_ptr(&c), (uint32_t)cursor_left(&c));
        break;
    default: stats_inc(ctx->stats, STAT_DECODE_UNKNOWN_ETHERTYPE); break;
    }
}

void decode_packet(const struct decode_ctx *ctx, struct packet *p)
{
    struct cursor c;
    cursor_init(&c, p->data, p->caplen);
    switch (p->datalink) {
    case DLT_EN10MB: {
        stats_inc(ctx->stats, STAT_DECODE_ETHERNET);
        cursor_skip(&c, 12);
        uint16_t et = cursor_be16(&c);
        if (c.err) {
            decode_invalid(ctx, p, EV_DECODE_TRUNCATED_LINK);
            return;
        }
        decode_ethertype(ctx, p, et, cursor_ptr(&c), (uint32_t)cursor_left(&c));
        break;
    }
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
        stats_inc(ctx->stats, STAT_DECODE_RAW);
        decode_ip(ctx, p, p->data, p->caplen);
        break;
    case DLT_LINUX_SLL: {
        stats_inc(ctx->stats, STAT_DECODE_SLL);
        cursor_skip(&c, 14);
        uint16_t et = cursor_be16(&c);
        if (c.err) {
            decode_invalid(ctx, p, EV_DECODE_TRUNCATED_LINK);
            return;
        }
        decode_ethertype(ctx, p, et, cursor_ptr(&c), (uint32_t)cursor_left(&c));
        break;
    }
    default: stats_inc(ctx->stats, STAT_DECODE_UNKNOWN_LINKTYPE); break;
    }
}

void decode_ip_datagram(const struct decode_ctx *ctx, struct packet *p, const uint8_t *buf, uint32_t len)
{
    p->flags &= ~(uint32_t)(PKT_IS_FRAGMENT | PKT_HAS_L4);
    p->l4 = p->payload = NULL;
    p->l4_len = p->payload_len = 0;
    decode_ip(ctx, p, buf, len);
}
