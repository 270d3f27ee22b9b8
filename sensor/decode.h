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

struct decode_ctx {
    struct stats *stats;
    bool check_checksums; /* decode.checksum-validation (default yes) */
};

void decode_ctx_init(struct decode_ctx *ctx, const struct config *cfg, struct stats *st);

/* Decode p->data/p->caplen for link type p->datalink (pcap DLT_*). */
void decode_packet(const struct decode_ctx *ctx, struct packet *p);

/* Decode an IP datagram (v4 or v6 by its first nibble) that lives in buf,
 * e.g. a defragmented one; resets L3/L4 fields of p first. */
void decode_ip_datagram(const struct decode_ctx *ctx, struct packet *p,
                        const uint8_t *buf, uint32_t len);

#endif
