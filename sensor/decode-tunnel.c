/* decode-tunnel.c - tunnels: GRE (RFC 2784/2890, RFC 1701 routing, PPTP's
 * version 1 of RFC 2637), ERSPAN types I, II and III carried in GRE, IP-in-IP
 * (protocol 4) and IPv6-in-IP (protocol 41, over IPv4 or IPv6).
 *
 * The packet keeps the innermost addresses (what flows are keyed on); the
 * outermost IP header's addresses are kept in p->tunnel_src/dst. Depth is
 * capped by decode.max-tunnel-depth (PACKET_MAX_TUNNEL_DEPTH at most). */
#include "decode-internal.h"

#define GRE_HDR_LEN 4
#define GRE_FLAG_C 0x8000       /* checksum (and offset) present */
#define GRE_FLAG_R 0x4000       /* RFC 1701 routing present */
#define GRE_FLAG_K 0x2000       /* key present */
#define GRE_FLAG_S 0x1000       /* sequence number present */
#define GRE_FLAG_A 0x0080       /* version 1: acknowledgment present */
#define GRE_VERSION_MASK 0x0007
#define GRE_SRE_MAX 16          /* routing entries walked before giving up */
#define ERSPAN_2_HDR_LEN 8
#define ERSPAN_3_HDR_LEN 12
#define ERSPAN_3_SUBHDR_LEN 8
#define ERSPAN_VER_2 1          /* the version field of a type II header */
#define ERSPAN_VER_3 2          /* ... of a type III header */
#define ERSPAN_3_FT_ETHERNET 0
#define ERSPAN_3_FT_IP 2
#define PPP_ADDRESS 0xff        /* HDLC address/control in PPTP's PPP frames */
#define PPP_CONTROL 0x03

bool decode_tunnel_enter(struct decode_run *r)
{
    struct packet *p = r->p;
    if (p->tunnel_depth >= r->ctx->max_tunnel_depth) {
        stats_inc(r->st, STAT_DECODE_TUNNEL_DEPTH_HIT);
        decode_invalid(r, EV_DECODE_TUNNEL_TOO_DEEP);
        return false;
    }
    if (p->tunnel_depth == 0) {
        p->tunnel_src = p->src;
        p->tunnel_dst = p->dst;
    }
    p->tunnel_depth++;
    return true;
}

void decode_ip_in_ip(struct decode_run *r, const uint8_t *b, uint32_t len)
{
    bool v6 = r->p->l4_proto == IPPROTO_NUM_IPV6;
    if (v6)
        stats_inc(r->st, r->p->ip_version == 4 ? STAT_DECODE_IPV6_IN_IPV4 : STAT_DECODE_IPV6_IN_IPV6);
    else
        stats_inc(r->st, STAT_DECODE_IPIP);
    if (!decode_tunnel_enter(r))
        return;
    if (v6)
        decode_ipv6(r, b, len);
    else
        decode_ipv4(r, b, len);
}

/* ERSPAN type II: 8-byte header (version 1), then the mirrored frame. */
static void decode_erspan2(struct decode_run *r, const uint8_t *b, uint32_t len)
{
    struct cursor c;
    cursor_init(&c, b, len);
    stats_inc(r->st, STAT_DECODE_ERSPAN);
    uint8_t ver = cursor_u8(&c) >> 4;
    cursor_skip(&c, ERSPAN_2_HDR_LEN - 1);
    if (c.err) {
        decode_truncated(r, EV_DECODE_ERSPAN_MALFORMED);
        return;
    }
    if (ver != ERSPAN_VER_2) {
        decode_invalid(r, EV_DECODE_ERSPAN_MALFORMED);
        return;
    }
    decode_ethernet(r, cursor_ptr(&c), (uint32_t)cursor_left(&c));
}

/* ERSPAN type III: 12-byte header (version 2), an 8-byte platform
 * subheader when the O bit (last bit of the header) is set, then the frame
 * as its frame type says. */
static void decode_erspan3(struct decode_run *r, const uint8_t *b, uint32_t len)
{
    struct cursor c;
    cursor_init(&c, b, len);
    stats_inc(r->st, STAT_DECODE_ERSPAN);
    uint8_t ver = cursor_u8(&c) >> 4;
    cursor_skip(&c, 9); /* vlan, cos, session, timestamp, security group tag */
    uint16_t w = cursor_be16(&c); /* P, FT(5), HW id(6), D, Gra(2), O */
    bool sub = (w & 0x0001) != 0;
    uint8_t ft = (uint8_t)((w >> 10) & 0x1f);
    if (sub)
        cursor_skip(&c, ERSPAN_3_SUBHDR_LEN);
    if (c.err) {
        decode_truncated(r, EV_DECODE_ERSPAN_MALFORMED);
        return;
    }
    if (ver != ERSPAN_VER_3) {
        decode_invalid(r, EV_DECODE_ERSPAN_MALFORMED);
        return;
    }
    if (ft == ERSPAN_3_FT_ETHERNET)
        decode_ethernet(r, cursor_ptr(&c), (uint32_t)cursor_left(&c));
    else if (ft == ERSPAN_3_FT_IP)
        decode_ip(r, cursor_ptr(&c), (uint32_t)cursor_left(&c));
    else
        stats_inc(r->st, STAT_DECODE_NON_IP);
}

/* PPTP's enhanced GRE carries PPP frames (RFC 2637 4.1). */
static void decode_gre_ppp(struct decode_run *r, const uint8_t *b, uint32_t len)
{
    struct cursor c;
    cursor_init(&c, b, len);
    stats_inc(r->st, STAT_DECODE_PPTP);
    if (cursor_has(&c, 2) && cursor_peek_u8(&c, 0) == PPP_ADDRESS && cursor_peek_u8(&c, 1) == PPP_CONTROL)
        cursor_skip(&c, 2);
    uint16_t proto = cursor_u8(&c);
    if (!(proto & 1)) /* protocol field compression: odd = one byte */
        proto = (uint16_t)(proto << 8 | cursor_u8(&c));
    if (c.err) {
        decode_truncated(r, EV_DECODE_GRE_MALFORMED);
        return;
    }
    switch (proto) {
    case PPP_PROTO_IPV4: decode_ipv4(r, cursor_ptr(&c), (uint32_t)cursor_left(&c)); break;
    case PPP_PROTO_IPV6: decode_ipv6(r, cursor_ptr(&c), (uint32_t)cursor_left(&c)); break;
    default: stats_inc(r->st, STAT_DECODE_NON_IP); break; /* LCP, CCP, compressed... */
    }
}

void decode_gre(struct decode_run *r, const uint8_t *b, uint32_t len)
{
    struct cursor c;
    cursor_init(&c, b, len);
    stats_inc(r->st, STAT_DECODE_GRE);
    uint16_t flags = cursor_be16(&c);
    uint16_t proto = cursor_be16(&c);
    if (c.err) {
        decode_truncated(r, EV_DECODE_GRE_MALFORMED);
        return;
    }
    uint8_t version = flags & GRE_VERSION_MASK;
    if (version == 0) {
        if (flags & (GRE_FLAG_C | GRE_FLAG_R))
            cursor_skip(&c, 4); /* checksum, offset */
        if (flags & GRE_FLAG_K)
            cursor_skip(&c, 4);
        if (flags & GRE_FLAG_S)
            cursor_skip(&c, 4);
        if (flags & GRE_FLAG_R) {
            /* RFC 1701 source route entries, ended by one of length 0. */
            unsigned n = 0;
            for (;;) {
                cursor_skip(&c, 3); /* address family, SRE offset */
                uint8_t sre_len = cursor_u8(&c);
                if (c.err || sre_len == 0)
                    break;
                if (++n > GRE_SRE_MAX) {
                    decode_invalid(r, EV_DECODE_GRE_MALFORMED);
                    return;
                }
                if (!cursor_skip(&c, sre_len))
                    break;
            }
        }
    } else if (version == 1) {
        /* Key (payload length, call id) is mandatory, no checksum/routing. */
        if (!(flags & GRE_FLAG_K) || (flags & (GRE_FLAG_C | GRE_FLAG_R)) || proto != ETHERTYPE_PPP) {
            decode_invalid(r, EV_DECODE_GRE_MALFORMED);
            return;
        }
        uint16_t plen = cursor_be16(&c);
        cursor_skip(&c, 2); /* call id */
        if (flags & GRE_FLAG_S)
            cursor_skip(&c, 4);
        if (flags & GRE_FLAG_A)
            cursor_skip(&c, 4);
        if (c.err) {
            decode_truncated(r, EV_DECODE_GRE_MALFORMED);
            return;
        }
        if (plen == 0) /* an acknowledgment only */
            return;
        if (!decode_tunnel_enter(r))
            return;
        decode_gre_ppp(r, cursor_ptr(&c), TG_MIN((uint32_t)plen, (uint32_t)cursor_left(&c)));
        return;
    } else {
        decode_invalid(r, EV_DECODE_GRE_VERSION_UNSUPPORTED);
        return;
    }
    if (c.err) {
        decode_truncated(r, EV_DECODE_GRE_MALFORMED);
        return;
    }
    if (!decode_tunnel_enter(r))
        return;
    const uint8_t *rest = cursor_ptr(&c);
    uint32_t left = (uint32_t)cursor_left(&c);
    switch (proto) {
    case ETHERTYPE_TEB:
        stats_inc(r->st, STAT_DECODE_TEB);
        decode_ethernet(r, rest, left);
        break;
    case ETHERTYPE_ERSPAN_2:
        /* Type I has no ERSPAN header and no GRE sequence number. */
        if (flags & GRE_FLAG_S) {
            decode_erspan2(r, rest, left);
        } else {
            stats_inc(r->st, STAT_DECODE_ERSPAN);
            decode_ethernet(r, rest, left);
        }
        break;
    case ETHERTYPE_ERSPAN_3: decode_erspan3(r, rest, left); break;
    default: decode_ethertype(r, proto, rest, left); break;
    }
}
