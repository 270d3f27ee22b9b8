/* packet.h - one captured packet as it travels through the engine.
 *
 * A packet holds pointers into the captured bytes (never copies), the fields
 * decoded from L2 to L4, the events raised on it, and the link to its flow.
 * When defragmentation produces a datagram, `owned` holds that buffer and the
 * L3/L4 pointers point into it; the engine frees it when the packet is done. */
#ifndef TG_PACKET_H
#define TG_PACKET_H

#include <string.h>

#include "common.h"
#include "stats.h"

#define PACKET_MAX_VLAN 3
#define PACKET_MAX_EVENTS 8
#define PACKET_MAX_TUNNEL_DEPTH 4

/* IP protocol numbers used across modules. */
#define IPPROTO_NUM_ICMP 1
#define IPPROTO_NUM_IPIP 4
#define IPPROTO_NUM_TCP 6
#define IPPROTO_NUM_UDP 17
#define IPPROTO_NUM_IPV6 41
#define IPPROTO_NUM_GRE 47
#define IPPROTO_NUM_ICMPV6 58

/* TCP flag bits. */
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20

/* An IPv4 or IPv6 address; IPv4 lives in the first four bytes, the rest zero. */
struct ip_addr {
    uint8_t family; /* 4 or 6; 0 when unset */
    uint8_t b[16];
};

enum packet_dir { DIR_TO_SERVER = 0, DIR_TO_CLIENT = 1 };

enum packet_verdict { VERDICT_ACCEPT = 0, VERDICT_DROP, VERDICT_REJECT };

/* packet.flags */
#define PKT_IS_FRAGMENT 0x0001  /* L3 says fragment; L4 not decoded yet */
#define PKT_REASSEMBLED 0x0002  /* L3/L4 point into a defragmented datagram */
#define PKT_CSUM_BAD 0x0004     /* some checksum was checked and wrong */
#define PKT_INVALID 0x0008      /* decode stopped on malformed data */
#define PKT_HAS_L4 0x0010       /* sport/dport (or ICMP type) are valid */
#define PKT_SNAPPED 0x0020      /* snap length cut the IP datagram short; l3/l4 lengths clipped */
#define PKT_IPV6_HAO 0x0040     /* src is the Mobile IPv6 Home Address option, not the header's */
#define PKT_IPV6_RH_DST 0x0080  /* dst is the final one of a routing header (type 0, 2) */
#define PKT_ICMP_ERROR 0x0100   /* ICMP error; icmp_emb is the offending IP header */
#define PKT_FLOW_HASHED 0x0200  /* flow_hash holds the flow table's hash of the packet's key */

/* packet.tcp_opts: TCP options seen on the packet. */
#define TCP_OPT_SEEN_MSS 0x01
#define TCP_OPT_SEEN_WSCALE 0x02
#define TCP_OPT_SEEN_SACKOK 0x04
#define TCP_OPT_SEEN_SACK 0x08
#define TCP_OPT_SEEN_TS 0x10

struct flow;

struct packet {
    uint64_t num;      /* packet number in its capture file, from 1 */
    uint64_t ts_ns;    /* capture time, ns since the epoch */
    const uint8_t *data;
    uint32_t caplen;
    uint32_t wirelen;
    int datalink;      /* pcap DLT_* */

    /* link layer */
    uint16_t vlan[PACKET_MAX_VLAN];
    uint8_t vlan_count;
    uint8_t tunnel_depth;
    struct ip_addr tunnel_src, tunnel_dst; /* outermost IP header when tunnel_depth > 0 */

    /* network layer (innermost IP header). For Mobile IPv6, src/dst are the
     * home addresses that upper layers see (RFC 6275 6.3, 6.4): the Home
     * Address option replaces src (PKT_IPV6_HAO); a routing header with
     * segments left (type 2's home address, type 0's last hop) replaces dst
     * (PKT_IPV6_RH_DST), as the upper-layer checksum does (RFC 8200 8.1).
     * The header at l3 keeps the addresses on the wire (care-of ones). */
    uint8_t ip_version; /* 0 when not IP */
    uint8_t ttl;
    uint8_t l4_proto;   /* IPPROTO_NUM_* after extension headers */
    struct ip_addr src, dst;
    const uint8_t *l3;  /* start of the innermost IP header */
    uint32_t l3_len;    /* IP header + payload, as the IP length says (clipped) */
    uint32_t l3_hlen;   /* IPv4 header or IPv6 header + extension headers */

    /* fragment info, valid with PKT_IS_FRAGMENT */
    uint32_t frag_id;       /* IPv4 id or IPv6 fragment identification */
    uint32_t frag_offset;   /* in bytes */
    bool frag_more;
    uint32_t frag_hdr_off;  /* IPv6: offset of the fragment header from l3 */
    uint8_t frag_nexthdr;   /* IPv6: next header after the fragment header */

    /* transport layer */
    uint16_t sport, dport;
    uint8_t tcp_flags;
    uint32_t tcp_seq, tcp_ack;
    uint16_t tcp_win;
    uint8_t tcp_opts;       /* TCP_OPT_SEEN_* */
    uint8_t tcp_wscale;
    uint16_t tcp_mss;
    uint32_t tcp_tsval, tcp_tsecr;
    uint8_t icmp_type, icmp_code;
    const uint8_t *icmp_emb; /* ICMP error: the embedded IP header and what follows */
    uint32_t icmp_emb_len;
    const uint8_t *l4;
    uint32_t l4_len;
    const uint8_t *payload;
    uint32_t payload_len;

    uint32_t flags; /* PKT_* */

    /* engine */
    uint64_t flow_hash; /* with PKT_FLOW_HASHED, see flow_packet_hash() */
    struct flow *flow;
    uint8_t dir;        /* enum packet_dir relative to the flow */
    uint8_t verdict;    /* enum packet_verdict */
    uint8_t n_events;
    uint16_t events[PACKET_MAX_EVENTS];
    uint8_t *owned;     /* defragmented datagram, freed with the packet */
};

/* A fresh packet for captured bytes: everything else zero. */
static inline void packet_init_captured(struct packet *p, uint64_t num, uint64_t ts_ns, const uint8_t *data,
                                        uint32_t caplen, uint32_t wirelen, int datalink)
{
    memset(p, 0, sizeof *p);
    p->num = num;
    p->ts_ns = ts_ns;
    p->data = data;
    p->caplen = caplen;
    p->wirelen = wirelen;
    p->datalink = datalink;
}

/* Record an anomaly on the packet; beyond PACKET_MAX_EVENTS extra ones are
 * still counted by the engine through `stats` but not kept on the packet. */
static inline void packet_set_event(struct packet *p, struct stats *st, enum event_id ev)
{
    st->events[ev]++;
    st->c[STAT_EVENTS_TOTAL]++;
    if (p->n_events < PACKET_MAX_EVENTS)
        p->events[p->n_events++] = (uint16_t)ev;
}

static inline bool packet_has_event(const struct packet *p, enum event_id ev)
{
    for (unsigned i = 0; i < p->n_events; i++)
        if (p->events[i] == ev)
            return true;
    return false;
}

/* Format an address as text (inet_ntop); buf needs 46 bytes. */
const char *ip_addr_str(const struct ip_addr *a, char *buf, size_t len);
/* Compare two addresses: <0, 0, >0. */
int ip_addr_cmp(const struct ip_addr *a, const struct ip_addr *b);

/* a == b; inline because the flow table asks it several times a packet. */
static inline bool ip_addr_eq(const struct ip_addr *a, const struct ip_addr *b)
{
    uint64_t a0, a1, b0, b1;
    memcpy(&a0, a->b, 8);
    memcpy(&a1, a->b + 8, 8);
    memcpy(&b0, b->b, 8);
    memcpy(&b1, b->b + 8, 8);
    return a->family == b->family && ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

#endif
