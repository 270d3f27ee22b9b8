/* decode-internal.h - what the per-layer decoders (decode-*.c) share.
 *
 * decode.c owns the entry points; each layer file decodes one header and
 * hands the rest to the next layer through the functions below. Every layer
 * reads bytes only through a cursor. Not for use outside sensor/decode-*.c. */
#ifndef TG_DECODE_INTERNAL_H
#define TG_DECODE_INTERNAL_H

#include "cursor.h"
#include "decode.h"

/* Ethertypes (IEEE registry) and PPP protocol numbers (RFC 1661/5072). */
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_PPPOE_DISC 0x8863
#define ETHERTYPE_PPPOE_SESS 0x8864
#define ETHERTYPE_QINQ 0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100   /* pre-802.1ad vendor QinQ tag */
#define ETHERTYPE_TEB 0x6558        /* GRE transparent Ethernet bridging */
#define ETHERTYPE_ERSPAN_2 0x88be   /* ERSPAN type I/II */
#define ETHERTYPE_ERSPAN_3 0x22eb   /* ERSPAN type III */
#define ETHERTYPE_PPP 0x880b        /* GRE version 1 (PPTP) payload */
#define ETHERTYPE_MPLS 0x8847
#define ETHERTYPE_MPLS_MCAST 0x8848
#define ETHERTYPE_MAX_LEN 1500      /* values up to this are 802.3 lengths */
#define PPP_PROTO_IPV4 0x0021
#define PPP_PROTO_IPV6 0x0057

/* IPv6 extension headers and protocol numbers not in packet.h. */
#define IPPROTO_NUM_HOPOPTS 0
#define IPPROTO_NUM_ROUTING 43
#define IPPROTO_NUM_FRAGMENT 44
#define IPPROTO_NUM_ESP 50
#define IPPROTO_NUM_AH 51
#define IPPROTO_NUM_NONE 59
#define IPPROTO_NUM_DSTOPTS 60

/* One decode_packet()/decode_ip_datagram() call. */
struct decode_run {
    const struct decode_ctx *ctx;
    struct stats *st;
    struct packet *p;
    /* Bytes the capture cut off the end of the frame (wirelen - caplen);
     * a header whose length runs at most this far past the captured bytes
     * was snapped, not malformed, and its length is clipped. */
    uint32_t snapped;
    bool clipped;      /* the innermost IP datagram was clipped that way */
    bool csum;         /* verify checksums on this packet (mode is not "no") */
    bool csum_enforce; /* bad ones flag the packet (not switched off by auto) */
    bool csum_checked; /* some checksum was verified on this packet */
    bool csum_bad;     /* ... and one was wrong */
    bool skip_ipv4_csum; /* outer header rewritten by defrag: checked per fragment */
};

/* Raise ev, set PKT_INVALID and count the packet as invalid (decode stops). */
void decode_invalid(struct decode_run *r, enum event_id ev);
/* A header ran past the captured bytes: when the snap length cut the frame
 * there (before any IP header: caplen < wirelen; inside an IP datagram: the
 * datagram was clipped) that is counted in decoder.snapped and sets
 * PKT_SNAPPED, not malformed; otherwise it is decode_invalid(). */
void decode_truncated(struct decode_run *r, enum event_id ev);
/* Raise ev on the packet without stopping decode. */
void decode_event(struct decode_run *r, enum event_id ev);

/* Link layers (decode-ethernet.c, decode-link.c). */
void decode_ethernet(struct decode_run *r, const uint8_t *b, uint32_t len);
/* Continue after a link header whose protocol field is the ethertype et. */
void decode_ethertype(struct decode_run *r, uint16_t et, const uint8_t *b, uint32_t len);
void decode_sll(struct decode_run *r, const uint8_t *b, uint32_t len);
void decode_sll2(struct decode_run *r, const uint8_t *b, uint32_t len);
/* BSD loopback: net_order selects DLT_LOOP (network order) over DLT_NULL. */
void decode_null(struct decode_run *r, const uint8_t *b, uint32_t len, bool net_order);
/* An MPLS label stack and what is below it (decode-mpls.c). */
void decode_mpls(struct decode_run *r, const uint8_t *b, uint32_t len);
/* Raw IP; version 0 = any (by the first nibble), else 4 or 6 only. */
void decode_raw(struct decode_run *r, const uint8_t *b, uint32_t len, int version);

/* Network layer (decode-ipv4.c, decode-ipv6.c). */
void decode_ip(struct decode_run *r, const uint8_t *b, uint32_t len);
void decode_ipv4(struct decode_run *r, const uint8_t *b, uint32_t len);
void decode_ipv6(struct decode_run *r, const uint8_t *b, uint32_t len);
/* Dispatch the payload after the innermost IP header by p->l4_proto. */
void decode_l4(struct decode_run *r, const uint8_t *b, uint32_t len);

/* Transport layer (decode-tcp.c, decode-udp.c, decode-icmp.c). */
void decode_tcp(struct decode_run *r, const uint8_t *b, uint32_t len);
void decode_udp(struct decode_run *r, const uint8_t *b, uint32_t len);
void decode_icmpv4(struct decode_run *r, const uint8_t *b, uint32_t len);
void decode_icmpv6(struct decode_run *r, const uint8_t *b, uint32_t len);

/* Tunnels (decode-tunnel.c). */
void decode_gre(struct decode_run *r, const uint8_t *b, uint32_t len);
/* IP-in-IP (proto 4) and IPv6-in-IP (proto 41). */
void decode_ip_in_ip(struct decode_run *r, const uint8_t *b, uint32_t len);
/* Enter one more tunnel level: false (event raised) when the cap is hit.
 * The first time, the outer addresses are kept in p->tunnel_src/dst. */
bool decode_tunnel_enter(struct decode_run *r);

/* Checksums (decode-checksum.c). Sum of data as big-endian 16-bit words,
 * not folded; odd trailing byte padded with zero (RFC 1071). */
uint32_t decode_csum_add(uint32_t sum, const uint8_t *b, uint32_t len);
/* Fold and complement; 0 means the data including its checksum is good. */
uint16_t decode_csum_fold(uint32_t sum);
/* Pseudo-header sum for the upper layer of the innermost IP header
 * (p->src, p->dst, which already reflect Mobile IPv6 addresses). */
uint32_t decode_csum_pseudo(const struct packet *p, uint8_t proto, uint32_t len);
/* Whether the L4 segment may be checksummed: validation on, the datagram
 * was captured whole (not clipped), the packet is no fragment. */
bool decode_csum_wanted(const struct decode_run *r);
/* Record one verified checksum: bad ones count stat_bad, raise ev, set
 * PKT_CSUM_BAD unless auto mode switched validation off. */
void decode_csum_result(struct decode_run *r, bool good, enum stat_id stat_bad, enum event_id ev);
/* Called once per packet after decode: feeds the auto-mode decision. */
void decode_csum_packet_done(struct decode_run *r);

#endif
