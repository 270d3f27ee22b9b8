/* decode-ipv4.c - the IPv4 header (RFC 791) with option validation, its
 * checksum, fragments, and the hand-over to transport and tunnel decoders. */
#include "decode-internal.h"

#define IPV4_HDR_MIN 20

/* Option types (IANA "IP Option Numbers") and their length rules. */
#define IPV4_OPT_EOL 0
#define IPV4_OPT_NOP 1
#define IPV4_OPT_RR 7
#define IPV4_OPT_QS 25
#define IPV4_OPT_TS 68
#define IPV4_OPT_SEC 130
#define IPV4_OPT_LSRR 131
#define IPV4_OPT_ESEC 133
#define IPV4_OPT_CIPSO 134
#define IPV4_OPT_SID 136
#define IPV4_OPT_SSRR 137
#define IPV4_OPT_RTRALT 148
#define IPV4_OPT_ROUTE_MIN 3   /* type, len, pointer */
#define IPV4_OPT_TS_MIN 5      /* type, len, pointer, overflow/flag, one slot start */
#define IPV4_OPT_SEC_MIN 3
#define IPV4_OPT_CIPSO_MIN 10
#define IPV4_OPT_SID_LEN 4
#define IPV4_OPT_RTRALT_LEN 4
#define IPV4_OPT_QS_LEN 8

/* Route recording options (RR, LSRR, SSRR): the pointer is 1-based, starts
 * at 4 and moves by whole addresses; it may point just past the end (full). */
static bool ipv4_opt_route_ok(uint8_t olen, uint8_t ptr)
{
    return olen >= IPV4_OPT_ROUTE_MIN && (olen - 3) % 4 == 0 && ptr >= 4 && ptr % 4 == 0 && ptr <= olen + 1;
}

/* Timestamp (RFC 791): flag 0 records timestamps only (4-byte slots),
 * flags 1 and 3 address+timestamp pairs (8-byte slots). */
static bool ipv4_opt_ts_ok(uint8_t olen, uint8_t ptr, uint8_t oflag)
{
    uint8_t flag = oflag & 0x0f;
    if (olen < IPV4_OPT_TS_MIN || ptr < 5 || (flag != 0 && flag != 1 && flag != 3))
        return false;
    unsigned slot = (flag == 1 || flag == 3) ? 8 : 4;
    return (ptr - 5) % slot == 0 && ptr <= olen + 1 && (olen - 4) % slot == 0;
}

/* Walk the options; false on the first malformed one. */
static bool ipv4_options_valid(const uint8_t *b, uint32_t len)
{
    struct cursor c;
    cursor_init(&c, b, len);
    while (cursor_left(&c) > 0) {
        uint8_t type = cursor_u8(&c);
        if (type == IPV4_OPT_EOL)
            return true; /* the rest is padding */
        if (type == IPV4_OPT_NOP)
            continue;
        uint8_t olen = cursor_u8(&c);
        if (c.err || olen < 2 || olen - 2u > cursor_left(&c))
            return false;
        struct cursor o;
        cursor_init(&o, cursor_ptr(&c), olen - 2u);
        uint8_t d0 = cursor_u8(&o), d1 = cursor_u8(&o); /* zero when absent */
        bool ok = true;
        switch (type) {
        case IPV4_OPT_RR:
        case IPV4_OPT_LSRR:
        case IPV4_OPT_SSRR: ok = ipv4_opt_route_ok(olen, d0); break;
        case IPV4_OPT_TS: ok = ipv4_opt_ts_ok(olen, d0, d1); break;
        case IPV4_OPT_SEC:
        case IPV4_OPT_ESEC: ok = olen >= IPV4_OPT_SEC_MIN; break;
        case IPV4_OPT_CIPSO: ok = olen >= IPV4_OPT_CIPSO_MIN; break;
        case IPV4_OPT_SID: ok = olen == IPV4_OPT_SID_LEN; break;
        case IPV4_OPT_RTRALT: ok = olen == IPV4_OPT_RTRALT_LEN; break;
        case IPV4_OPT_QS: ok = olen == IPV4_OPT_QS_LEN; break;
        default: break; /* unknown types only need a sane length */
        }
        if (!ok)
            return false;
        cursor_skip(&c, olen - 2u);
    }
    return true;
}

void decode_ip(struct decode_run *r, const uint8_t *b, uint32_t len)
{
    struct cursor c;
    cursor_init(&c, b, len);
    uint8_t version = cursor_u8(&c) >> 4;
    if (c.err) {
        decode_truncated(r, EV_DECODE_IPV4_PKT_TOO_SMALL);
        return;
    }
    switch (version) {
    case 4: decode_ipv4(r, b, len); break;
    case 6: decode_ipv6(r, b, len); break;
    default: decode_invalid(r, EV_DECODE_IPV4_WRONG_IP_VER); break;
    }
}

void decode_ipv4(struct decode_run *r, const uint8_t *b, uint32_t len)
{
    struct packet *p = r->p;
    struct cursor c;
    cursor_init(&c, b, len);
    stats_inc(r->st, STAT_DECODE_IPV4);
    uint8_t vh = cursor_u8(&c);
    if (len >= 1 && vh >> 4 != 4) {
        decode_invalid(r, EV_DECODE_IPV4_WRONG_IP_VER);
        return;
    }
    if (len < IPV4_HDR_MIN) {
        decode_truncated(r, EV_DECODE_IPV4_PKT_TOO_SMALL);
        return;
    }
    uint32_t hlen = (uint32_t)(vh & 0x0f) * 4;
    if (hlen < IPV4_HDR_MIN) {
        decode_invalid(r, EV_DECODE_IPV4_HLEN_TOO_SMALL);
        return;
    }
    cursor_skip(&c, 1); /* DSCP/ECN */
    uint16_t tot = cursor_be16(&c);
    uint16_t id = cursor_be16(&c);
    uint16_t fo = cursor_be16(&c);
    uint8_t ttl = cursor_u8(&c);
    uint8_t proto = cursor_u8(&c);
    cursor_skip(&c, 2); /* checksum, verified over the whole header below */
    struct ip_addr src = {.family = 4}, dst = {.family = 4};
    cursor_copy(&c, src.b, 4);
    cursor_copy(&c, dst.b, 4);
    if (hlen > len) {
        decode_truncated(r, EV_DECODE_IPV4_PKT_TOO_SMALL);
        return;
    }
    /* A total length past the captured bytes is a truncated datagram unless
     * the capture's snap length explains it; then work on what is there.
     * A total length of 0 is what TCP segmentation offload leaves in
     * captures taken on the sending host (and Linux BIG TCP): use the
     * captured length, like Wireshark, and check no L4 checksum. */
    uint32_t l3_len = tot;
    r->clipped = false;
    if (tot == 0 && len >= hlen) {
        stats_inc(r->st, STAT_DECODE_IP_ZERO_LEN);
        l3_len = len;
        r->clipped = true;
    } else if (tot < hlen) {
        decode_invalid(r, EV_DECODE_IPV4_IPLEN_SMALLER_THAN_HLEN);
        return;
    } else if (tot > len) {
        if (tot - len > r->snapped) {
            decode_invalid(r, EV_DECODE_IPV4_TRUNC_PKT);
            return;
        }
        l3_len = len;
        r->clipped = true;
        p->flags |= PKT_SNAPPED;
        stats_inc(r->st, STAT_DECODE_SNAPPED);
    }
    p->ip_version = 4;
    p->ttl = ttl;
    p->l4_proto = proto;
    p->src = src;
    p->dst = dst;
    p->flags &= ~(uint32_t)(PKT_IPV6_HAO | PKT_IPV6_RH_DST);
    p->l3 = b;
    p->l3_len = l3_len;
    p->l3_hlen = hlen;
    if (hlen > IPV4_HDR_MIN && !ipv4_options_valid(b + IPV4_HDR_MIN, hlen - IPV4_HDR_MIN))
        decode_event(r, EV_DECODE_IPV4_OPT_INVALID);
    if (r->skip_ipv4_csum) {
        r->skip_ipv4_csum = false;
    } else if (r->csum) {
        bool good = decode_csum_fold(decode_csum_add(0, b, hlen)) == 0;
        decode_csum_result(r, good, STAT_DECODE_CSUM_IPV4_BAD, EV_DECODE_IPV4_CSUM_BAD);
    }
    if ((fo & 0x3fff) != 0) { /* MF or an offset: a fragment */
        p->flags |= PKT_IS_FRAGMENT;
        p->frag_id = id;
        p->frag_offset = (uint32_t)(fo & 0x1fff) * 8;
        p->frag_more = (fo & 0x2000) != 0;
        return;
    }
    decode_l4(r, b + hlen, l3_len - hlen);
}

void decode_l4(struct decode_run *r, const uint8_t *b, uint32_t len)
{
    switch (r->p->l4_proto) {
    case IPPROTO_NUM_TCP: decode_tcp(r, b, len); break;
    case IPPROTO_NUM_UDP: decode_udp(r, b, len); break;
    /* ICMP of the other IP version has no meaning there (and no checksum
     * rule): left undecoded like any other protocol. */
    case IPPROTO_NUM_ICMP:
        if (r->p->ip_version == 4)
            decode_icmpv4(r, b, len);
        else
            stats_inc(r->st, STAT_DECODE_OTHER_IPPROTO);
        break;
    case IPPROTO_NUM_ICMPV6:
        if (r->p->ip_version == 6)
            decode_icmpv6(r, b, len);
        else
            stats_inc(r->st, STAT_DECODE_OTHER_IPPROTO);
        break;
    case IPPROTO_NUM_IPIP:
    case IPPROTO_NUM_IPV6: decode_ip_in_ip(r, b, len); break;
    case IPPROTO_NUM_GRE: decode_gre(r, b, len); break;
    default: stats_inc(r->st, STAT_DECODE_OTHER_IPPROTO); break;
    }
}
