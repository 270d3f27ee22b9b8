/* defrag.h - IPv4 and IPv6 fragment reassembly.
 *
 * Trackers are keyed by (src, dst, id, protocol, vlan). Each has a timeout,
 * a cap on fragments, and all trackers together a memory cap; hitting any of
 * them is counted. Overlaps are resolved by a documented policy and raise an
 * event when the overlapping bytes differ (the classic IDS evasion). */
#ifndef TG_DEFRAG_H
#define TG_DEFRAG_H

#include "packet.h"

struct config;
struct defrag;

/* Keys: defrag.memcap (bytes), defrag.timeout (duration),
 * defrag.max-frags (per datagram), defrag.trackers (max datagrams). */
struct defrag *defrag_new(const struct config *cfg, struct stats *st);
void defrag_free(struct defrag *d);

/* Add the fragment p (decoded to L3, PKT_IS_FRAGMENT set). When this
 * completes a datagram returns TG_OK with *out a malloc'd IP datagram of
 * *out_len bytes (header rewritten as unfragmented) that the caller owns;
 * TG_AGAIN while incomplete; TG_DECLINED when the fragment was dropped
 * (cap hit, invalid). Events are raised on p. */
int defrag_add(struct defrag *d, struct packet *p, uint8_t **out, uint32_t *out_len);

/* Expire trackers idle since before now_ns - timeout. */
void defrag_expire(struct defrag *d, uint64_t now_ns);

/* Bytes held right now. */
size_t defrag_memuse(const struct defrag *d);

#endif
