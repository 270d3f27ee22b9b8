/* decode-ethernet.c - Ethernet II, 802.1Q/802.1ad VLAN tags and PPPoE
 * session frames, and the ethertype dispatch other link layers (SLL, GRE)
 * share. */
#include "decode-internal.h"

#define ETH_HDR_LEN 14
#define VLAN_TAG_LEN 4
#define PPPOE_HDR_LEN 6
#define PPPOE_VER_TYPE 0x11   /* version 1, type 1 (RFC 2516) */
#define PPPOE_CODE_SESSION 0x00

void decode_ethernet(struct decode_run *r, const uint8_t *b, uint32_t len)
{
    struct cursor c;
    cursor_init(&c, b, len);
    stats_inc(r->st, STAT_DECODE_ETHERNET);
    cursor_skip(&c, 12); /* destination and source MAC */
    uint16_t et = cursor_be16(&c);
    if (c.err) {
        decode_truncated(r, EV_DECODE_TRUNCATED_LINK);
        return;
    }
    decode_ethertype(r, et, cursor_ptr(&c), (uint32_t)cursor_left(&c));
}

/* PPPoE session stage (RFC 2516): 6-byte header, then a PPP protocol field.
 * The PPPoE length bounds the PPP frame; Ethernet padding follows it. */
static void decode_pppoe_session(struct decode_run *r, const uint8_t *b, uint32_t len)
{
    struct cursor c;
    cursor_init(&c, b, len);
    stats_inc(r->st, STAT_DECODE_PPPOE);
    uint8_t vt = cursor_u8(&c);
    uint8_t code = cursor_u8(&c);
    cursor_skip(&c, 2); /* session id */
    uint16_t plen = cursor_be16(&c);
    if (c.err) {
        decode_truncated(r, EV_DECODE_PPPOE_MALFORMED);
        return;
    }
    if (vt != PPPOE_VER_TYPE || code != PPPOE_CODE_SESSION || plen < 2 ||
        plen > cursor_left(&c) + r->snapped) {
        decode_invalid(r, EV_DECODE_PPPOE_MALFORMED);
        return;
    }
    c.len = TG_MIN(c.len, c.pos + plen);
    /* Protocol field compression (RFC 1661 6.5): a one-byte protocol has
     * its low bit set. PPPoE forbids it (RFC 2516 7) but peers send it. */
    uint16_t proto = cursor_u8(&c);
    if (!(proto & 1))
        proto = (uint16_t)(proto << 8 | cursor_u8(&c));
    if (c.err) {
        decode_invalid(r, EV_DECODE_PPPOE_MALFORMED);
        return;
    }
    switch (proto) {
    case PPP_PROTO_IPV4: decode_ipv4(r, cursor_ptr(&c), (uint32_t)cursor_left(&c)); break;
    case PPP_PROTO_IPV6: decode_ipv6(r, cursor_ptr(&c), (uint32_t)cursor_left(&c)); break;
    default: stats_inc(r->st, STAT_DECODE_NON_IP); break; /* LCP, IPCP, CHAP... */
    }
}

void decode_ethertype(struct decode_run *r, uint16_t et, const uint8_t *b, uint32_t len)
{
    struct packet *p = r->p;
    struct cursor c;
    cursor_init(&c, b, len);
    while (et == ETHERTYPE_VLAN || et == ETHERTYPE_QINQ || et == ETHERTYPE_QINQ_OLD) {
        if (p->vlan_count >= PACKET_MAX_VLAN) {
            stats_inc(r->st, STAT_DECODE_VLAN_CAP_HIT);
            decode_invalid(r, EV_DECODE_VLAN_TOO_MANY_LAYERS);
            return;
        }
        uint16_t tci = cursor_be16(&c);
        et = cursor_be16(&c);
        if (c.err) {
            decode_truncated(r, EV_DECODE_TRUNCATED_LINK);
            return;
        }
        stats_inc(r->st, p->vlan_count ? STAT_DECODE_VLAN_QINQ : STAT_DECODE_VLAN);
        p->vlan[p->vlan_count++] = tci & 0x0fff;
    }
    const uint8_t *rest = cursor_ptr(&c);
    uint32_t left = (uint32_t)cursor_left(&c);
    switch (et) {
    case ETHERTYPE_IPV4: decode_ipv4(r, rest, left); break;
    case ETHERTYPE_IPV6: decode_ipv6(r, rest, left); break;
    case ETHERTYPE_PPPOE_SESS: decode_pppoe_session(r, rest, left); break;
    case ETHERTYPE_MPLS:
    case ETHERTYPE_MPLS_MCAST: decode_mpls(r, rest, left); break;
    case ETHERTYPE_PPPOE_DISC: stats_inc(r->st, STAT_DECODE_PPPOE); stats_inc(r->st, STAT_DECODE_NON_IP); break;
    case ETHERTYPE_ARP: stats_inc(r->st, STAT_DECODE_NON_IP); break;
    default:
        /* 802.3 length field (LLC: STP, CDP...) or an ethertype we do not
         * decode: not IP, nothing for the engine. */
        stats_inc(r->st, et <= ETHERTYPE_MAX_LEN ? STAT_DECODE_NON_IP : STAT_DECODE_UNKNOWN_ETHERTYPE);
        break;
    }
}
