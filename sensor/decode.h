/* decode.h - packet decode from the link layer to L4.
 *
 * decode_packet() fills a struct packet from captured bytes. It never fails:
 * malformed input sets PKT_INVALID, raises an event and counts it. A
 * fragment stops at L3 with PKT_IS_FRAGMENT; once the defragmenter returns
 * the whole datagram, decode_ip_datagram() decodes it from L3 on. */
#ifndef TG_DECODE_H
#define TG_DECODE_H

#include "packet.h"

struct config;

/* decode.checksum-validation: yes, no, or auto (the default): like
 * Suricata's auto, validate, and after the first decode.checksum-auto-sample
 * (1000) packets with a checksum verified switch off flagging when more than
 * 10% of them were bad (offloaded checksums); counters keep counting. */
enum decode_csum_mode { DECODE_CSUM_NO = 0, DECODE_CSUM_YES, DECODE_CSUM_AUTO };

/* Default caps: IPv6 extension headers in one chain, MPLS labels in one stack. */
#define DECODE_IPV6_MAX_EXTHDRS 16
#define DECODE_MPLS_MAX_LABELS 16

struct decode_ctx {
    struct stats *stats;
    bool check_checksums;       /* checksums are verified (mode is not "no") */
    uint8_t csum_mode;          /* enum decode_csum_mode */
    uint64_t csum_auto_sample;  /* decode.checksum-auto-sample */
    uint8_t max_tunnel_depth;   /* decode.max-tunnel-depth, <= PACKET_MAX_TUNNEL_DEPTH */
    uint16_t ipv6_max_exthdrs;  /* decode.ipv6.max-exthdrs */
    uint16_t mpls_max_labels;   /* decode.mpls.max-labels */
};

/* Read the decode.* keys of cfg; counters go to st (also the auto-mode
 * state, see decoder.checksum.auto_disabled). Cannot fail. */
void decode_ctx_init(struct decode_ctx *ctx, const struct config *cfg, struct stats *st);

/* Decode p->data/p->caplen for link type p->datalink (pcap DLT_*). When
 * caplen < wirelen (snap length) lengths are clipped to what was captured,
 * PKT_SNAPPED is set and no L4 checksum is verified. */
void decode_packet(const struct decode_ctx *ctx, struct packet *p);

/* Decode an IP datagram (v4 or v6 by its first nibble) that lives in buf,
 * e.g. a defragmented one; resets L3/L4 fields of p first. */
void decode_ip_datagram(const struct decode_ctx *ctx, struct packet *p,
                        const uint8_t *buf, uint32_t len);

#endif
