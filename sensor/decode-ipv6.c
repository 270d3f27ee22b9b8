/* decode-ipv6.c - the IPv6 header (RFC 8200) and its extension header chain:
 * hop-by-hop, routing (type 0 flagged, type 2 Mobile IPv6), fragment,
 * destination options (with the Mobile IPv6 Home Address option), AH, ESP.
 *
 * Mobile IPv6 (RFC 6275): a packet from a mobile node carries its care-of
 * address as source and its home address in a Home Address option; one to it
 * carries the care-of address as destination and the home address in a type
 * 2 routing header. Upper layers (checksums, the host's sockets) see the home
 * addresses, so decode puts them in p->src / p->dst (PKT_IPV6_HAO,
 * PKT_IPV6_RH_DST): both directions then land in one flow. The on-wire
 * addresses stay readable in the header at p->l3. */
#include "decode-internal.h"

#define IPV6_HDR_LEN 40
#define IPV6_FRAG_HDR_LEN 8
#define IPV6_OPT_PAD1 0x00
#define IPV6_OPT_HAO 0xc9       /* Home Address option (RFC 6275 6.3) */
#define IPV6_OPT_HAO_LEN 16
#define IPV6_RH_TYPE_0 0        /* deprecated source routing (RFC 5095) */
#define IPV6_RH_TYPE_2 2        /* Mobile IPv6 (RFC 6275 6.4) */
#define IPPROTO_NUM_MH 135      /* Mobility header: an upper layer here */
#define IPPROTO_NUM_HIP 139
#define IPPROTO_NUM_SHIM6 140
#define IPPROTO_NUM_EXP1 253    /* RFC 3692 experimental, extension-header format */
#define IPPROTO_NUM_EXP2 254
/* IANA protocol numbers 146-252 are unassigned and 255 reserved. */
#define IPPROTO_NUM_UNASSIGNED_FIRST 146
#define IPPROTO_NUM_UNASSIGNED_LAST 252
#define IPPROTO_NUM_RESERVED 255

/* What the chain walk has seen so far (duplicate and order checks). */
struct ipv6_chain {
    unsigned count;
    bool hbh, rh, fh, ah;
    unsigned dstopts;       /* destination options headers seen */
    bool rh_after_dstopts;  /* a routing header followed the first dstopts */
};

/* Option TLVs of a hop-by-hop or destination options header (RFC 8200
 * 4.2). A Home Address option sets *hao. False when an option runs past the
 * header or the HAO has the wrong length. */
static bool ipv6_options_parse(const uint8_t *b, uint32_t len, bool dstopts, struct ip_addr *hao)
{
    struct cursor c;
    cursor_init(&c, b, len);
    while (cursor_left(&c) > 0) {
        uint8_t type = cursor_u8(&c);
        if (type == IPV6_OPT_PAD1)
            continue;
        uint8_t olen = cursor_u8(&c);
        if (c.err || olen > cursor_left(&c))
            return false;
        if (dstopts && type == IPV6_OPT_HAO) {
            if (olen != IPV6_OPT_HAO_LEN)
                return false;
            struct cursor o = c;
            hao->family = 6;
            cursor_copy(&o, hao->b, sizeof hao->b);
        }
        cursor_skip(&c, olen);
    }
    return true;
}

/* Whether nh is an extension header we walk; *generic when its length is
 * (hdr ext len + 1) * 8 bytes (RFC 8200 4, RFC 7045), not AH's or the
 * fragment header's own rule. */
static bool ipv6_exthdr_kind(uint8_t nh, bool *generic)
{
    switch (nh) {
    case IPPROTO_NUM_HOPOPTS:
    case IPPROTO_NUM_ROUTING:
    case IPPROTO_NUM_DSTOPTS:
    case IPPROTO_NUM_HIP:
    case IPPROTO_NUM_SHIM6:
    case IPPROTO_NUM_EXP1:
    case IPPROTO_NUM_EXP2: *generic = true; return true;
    case IPPROTO_NUM_FRAGMENT:
    case IPPROTO_NUM_AH: *generic = false; return true;
    default: return false;
    }
}

static bool ipv6_nh_unknown(uint8_t nh)
{
    return (nh >= IPPROTO_NUM_UNASSIGNED_FIRST && nh <= IPPROTO_NUM_UNASSIGNED_LAST) ||
           nh == IPPROTO_NUM_RESERVED;
}

void decode_ipv6(struct decode_run *r, const uint8_t *b, uint32_t len)
{
    struct packet *p = r->p;
    struct cursor c;
    cursor_init(&c, b, len);
    stats_inc(r->st, STAT_DECODE_IPV6);
    uint8_t v = cursor_u8(&c);
    if (len >= 1 && v >> 4 != 6) {
        decode_invalid(r, EV_DECODE_IPV6_WRONG_IP_VER);
        return;
    }
    if (len < IPV6_HDR_LEN) {
        decode_truncated(r, EV_DECODE_IPV6_PKT_TOO_SMALL);
        return;
    }
    cursor_skip(&c, 3); /* traffic class, flow label */
    uint16_t plen = cursor_be16(&c);
    uint8_t nh = cursor_u8(&c);
    uint8_t hlim = cursor_u8(&c);
    struct ip_addr src = {.family = 6}, dst = {.family = 6};
    cursor_copy(&c, src.b, 16);
    cursor_copy(&c, dst.b, 16);
    uint32_t l3_len = IPV6_HDR_LEN + (uint32_t)plen;
    bool clipped = l3_len > len; /* by the snap length: running out is no error */
    r->clipped = clipped;
    if (plen == 0 && len > IPV6_HDR_LEN) {
        /* A jumbogram (RFC 2675) or a Linux BIG TCP / segmentation offload
         * packet captured on the sending host: the length is what was
         * captured, and no L4 checksum is judged. */
        stats_inc(r->st, STAT_DECODE_IP_ZERO_LEN);
        l3_len = len;
        clipped = r->clipped = true;
    } else if (clipped) {
        if (l3_len - len > r->snapped) {
            decode_invalid(r, EV_DECODE_IPV6_TRUNC_PKT);
            return;
        }
        l3_len = len;
        p->flags |= PKT_SNAPPED;
        stats_inc(r->st, STAT_DECODE_SNAPPED);
    }
    p->ip_version = 6;
    p->ttl = hlim;
    p->src = src;
    p->dst = dst;
    p->flags &= ~(uint32_t)(PKT_IPV6_HAO | PKT_IPV6_RH_DST);
    p->l3 = b;
    p->l3_len = l3_len;
    c.len = l3_len;

    struct ipv6_chain ch = {0};
    bool generic;
    while (ipv6_exthdr_kind(nh, &generic)) {
        if (++ch.count > r->ctx->ipv6_max_exthdrs) {
            stats_inc(r->st, STAT_DECODE_IPV6_EXTHDR_CAP_HIT);
            decode_invalid(r, EV_DECODE_IPV6_EXTHDR_TOO_MANY);
            return;
        }
        stats_inc(r->st, STAT_DECODE_IPV6_EXTHDRS);
        size_t at = c.pos;
        uint8_t next = cursor_u8(&c);
        uint8_t hl = cursor_u8(&c);
        if (c.err) {
            decode_truncated(r, EV_DECODE_IPV6_TRUNC_EXTHDR);
            return;
        }
        size_t hdr_len = generic ? ((size_t)hl + 1) * 8
                         : nh == IPPROTO_NUM_AH ? ((size_t)hl + 2) * 4 /* RFC 4302 2.2 */
                                                : IPV6_FRAG_HDR_LEN;
        if (hdr_len > c.len - at) {
            decode_truncated(r, EV_DECODE_IPV6_TRUNC_EXTHDR);
            return;
        }
        struct cursor h; /* this header alone */
        cursor_init(&h, b + at, hdr_len);
        cursor_skip(&h, 2);
        switch (nh) {
        case IPPROTO_NUM_HOPOPTS: {
            if (ch.count != 1)
                decode_event(r, EV_DECODE_IPV6_HOPOPTS_NOT_FIRST);
            if (ch.hbh)
                decode_event(r, EV_DECODE_IPV6_EXTHDR_DUPL_HH);
            ch.hbh = true;
            struct ip_addr none = {0};
            if (!ipv6_options_parse(cursor_ptr(&h), (uint32_t)cursor_left(&h), false, &none))
                decode_event(r, EV_DECODE_IPV6_EXTHDR_INVALID_OPTLEN);
            break;
        }
        case IPPROTO_NUM_DSTOPTS: {
            /* At most one before a routing header and one before the upper
             * layer (RFC 8200 4.1). */
            if (ch.dstopts >= 2 || (ch.dstopts == 1 && !ch.rh_after_dstopts))
                decode_event(r, EV_DECODE_IPV6_EXTHDR_DUPL_DH);
            ch.dstopts++;
            struct ip_addr hao = {0};
            if (!ipv6_options_parse(cursor_ptr(&h), (uint32_t)cursor_left(&h), true, &hao))
                decode_event(r, EV_DECODE_IPV6_EXTHDR_INVALID_OPTLEN);
            if (hao.family) {
                p->src = hao;
                p->flags |= PKT_IPV6_HAO;
                stats_inc(r->st, STAT_DECODE_IPV6_HAO);
            }
            break;
        }
        case IPPROTO_NUM_ROUTING: {
            if (ch.rh)
                decode_event(r, EV_DECODE_IPV6_EXTHDR_DUPL_RH);
            ch.rh = true;
            if (ch.dstopts)
                ch.rh_after_dstopts = true;
            uint8_t type = cursor_u8(&h);
            uint8_t segleft = cursor_u8(&h);
            cursor_skip(&h, 4); /* reserved */
            if (type == IPV6_RH_TYPE_0)
                decode_event(r, EV_DECODE_IPV6_RH_TYPE_0);
            /* Types 0 and 2 list addresses; with segments left the last one
             * is the final destination. Type 2 holds exactly one. */
            if ((type == IPV6_RH_TYPE_0 || type == IPV6_RH_TYPE_2) && segleft > 0) {
                size_t naddr = cursor_left(&h) / 16;
                if (naddr == 0 || segleft > naddr || (type == IPV6_RH_TYPE_2 && (naddr != 1 || segleft != 1))) {
                    decode_event(r, EV_DECODE_IPV6_EXTHDR_INVALID_OPTLEN);
                } else {
                    cursor_skip(&h, (naddr - 1) * 16);
                    p->dst.family = 6;
                    cursor_copy(&h, p->dst.b, 16);
                    p->flags |= PKT_IPV6_RH_DST;
                }
            }
            break;
        }
        case IPPROTO_NUM_FRAGMENT: {
            if (ch.fh)
                decode_event(r, EV_DECODE_IPV6_EXTHDR_DUPL_FH);
            ch.fh = true;
            uint16_t off = cursor_be16(&h);
            uint32_t id = cursor_be32(&h);
            /* offset (13 bits) << 3, 2 reserved bits, M. Offset 0 without M
             * is an atomic fragment (RFC 6946): decode on. */
            if ((off & 0xfff9) != 0) {
                p->flags |= PKT_IS_FRAGMENT;
                p->frag_id = id;
                p->frag_offset = (uint32_t)(off & 0xfff8);
                p->frag_more = (off & 1) != 0;
                p->frag_hdr_off = (uint32_t)at;
                p->frag_nexthdr = next;
                p->l3_hlen = (uint32_t)(at + hdr_len);
                p->l4_proto = next;
                return;
            }
            break;
        }
        case IPPROTO_NUM_AH:
            if (ch.ah)
                decode_event(r, EV_DECODE_IPV6_EXTHDR_DUPL_AH);
            ch.ah = true;
            break;
        default: break; /* HIP, shim6, experimental: skipped whole */
        }
        c.pos = at + hdr_len;
        nh = next;
    }
    p->l3_hlen = (uint32_t)c.pos;
    p->l4_proto = nh;
    if (ipv6_nh_unknown(nh)) {
        /* RFC 7045: an unknown value may be an extension header we cannot
         * walk; stop here rather than guess. */
        stats_inc(r->st, STAT_DECODE_IPV6_UNKNOWN_NH);
        decode_event(r, EV_DECODE_IPV6_EXTHDR_UNKNOWN);
        return;
    }
    if (nh == IPPROTO_NUM_NONE || nh == IPPROTO_NUM_ESP || nh == IPPROTO_NUM_MH) {
        stats_inc(r->st, STAT_DECODE_OTHER_IPPROTO); /* nothing we can read after these */
        return;
    }
    decode_l4(r, b + c.pos, p->l3_len - (uint32_t)c.pos);
}
