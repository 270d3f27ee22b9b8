/* decode-link.c - the non-Ethernet link layers: Linux cooked capture v1 and
 * v2 (SLL, SLL2), raw IP (DLT_RAW, DLT_IPV4, DLT_IPV6) and BSD loopback
 * (DLT_NULL in the capturing host's byte order, DLT_LOOP in network order). */
#include "decode-internal.h"

#define SLL_HDR_LEN 16   /* type, arphrd, addr len, 8 addr bytes, protocol */
#define SLL2_HDR_LEN 20  /* protocol, reserved, ifindex, arphrd, type, addr len, addr */
#define NULL_HDR_LEN 4

/* Address families in the BSD loopback header. IPv6 differs per system:
 * 24 NetBSD/OpenBSD/BSD/OS, 28 FreeBSD/DragonFly, 30 macOS (and 10 Linux). */
#define BSD_AF_INET 2
#define BSD_AF_INET6_BSD 24
#define BSD_AF_INET6_FREEBSD 28
#define BSD_AF_INET6_DARWIN 30
#define BSD_AF_INET6_LINUX 10

void decode_sll(struct decode_run *r, const uint8_t *b, uint32_t len)
{
    struct cursor c;
    cursor_init(&c, b, len);
    stats_inc(r->st, STAT_DECODE_SLL);
    cursor_skip(&c, SLL_HDR_LEN - 2);
    uint16_t proto = cursor_be16(&c);
    if (c.err) {
        decode_truncated(r, EV_DECODE_TRUNCATED_LINK);
        return;
    }
    decode_ethertype(r, proto, cursor_ptr(&c), (uint32_t)cursor_left(&c));
}

void decode_sll2(struct decode_run *r, const uint8_t *b, uint32_t len)
{
    struct cursor c;
    cursor_init(&c, b, len);
    stats_inc(r->st, STAT_DECODE_SLL2);
    uint16_t proto = cursor_be16(&c);
    cursor_skip(&c, SLL2_HDR_LEN - 2);
    if (c.err) {
        decode_truncated(r, EV_DECODE_TRUNCATED_LINK);
        return;
    }
    decode_ethertype(r, proto, cursor_ptr(&c), (uint32_t)cursor_left(&c));
}

void decode_raw(struct decode_run *r, const uint8_t *b, uint32_t len, int version)
{
    stats_inc(r->st, STAT_DECODE_RAW);
    if (version == 4)
        decode_ipv4(r, b, len);
    else if (version == 6)
        decode_ipv6(r, b, len);
    else
        decode_ip(r, b, len);
}

void decode_null(struct decode_run *r, const uint8_t *b, uint32_t len, bool net_order)
{
    struct cursor c;
    cursor_init(&c, b, len);
    stats_inc(r->st, net_order ? STAT_DECODE_LOOP : STAT_DECODE_NULL);
    uint32_t af = net_order ? cursor_be32(&c) : cursor_le32(&c);
    if (c.err) {
        decode_truncated(r, EV_DECODE_TRUNCATED_LINK);
        return;
    }
    /* DLT_NULL is in the byte order of the host that captured, which need
     * not be ours: family values are small, so a value with only high bits
     * set was written big-endian (what libpcap and Wireshark also assume). */
    if (!net_order && (af & 0xffff0000u) && !(af & 0x0000ffffu))
        af = ((af >> 24) & 0xff) | ((af >> 8) & 0xff00);
    const uint8_t *rest = cursor_ptr(&c);
    uint32_t left = (uint32_t)cursor_left(&c);
    switch (af) {
    case BSD_AF_INET: decode_ipv4(r, rest, left); break;
    case BSD_AF_INET6_BSD:
    case BSD_AF_INET6_FREEBSD:
    case BSD_AF_INET6_DARWIN:
    case BSD_AF_INET6_LINUX: decode_ipv6(r, rest, left); break;
    default:
        stats_inc(r->st, STAT_DECODE_UNKNOWN_ETHERTYPE);
        decode_event(r, EV_DECODE_NULL_UNKNOWN_AF);
        break;
    }
}
