/* defrag.h - IPv4 and IPv6 fragment reassembly.
 *
 * Trackers are keyed by (src, dst, id, protocol, vlan, ip version); IPv6
 * leaves the protocol out, as RFC 8200 keys reassembly on (src, dst, id)
 * only. They live in a hash table with a per-run random seed and on one
 * list in creation order, so expiry looks only at the oldest trackers.
 *
 * Caps, all counted when hit and none of them fatal:
 *   defrag.memcap    bytes held by all trackers (default 32m); a fragment
 *                    that would exceed it is dropped (defrag.memcap_hit)
 *   defrag.trackers  datagrams under reassembly (default 65535); a fragment
 *                    that needs one more is dropped (defrag.max_trackers_hit)
 *   defrag.max-frags fragments per datagram (default 256); one more drops
 *                    the whole datagram (defrag.max_frags_hit, frag_too_many)
 *   defrag.timeout   a datagram is given up this long after its first
 *                    fragment, in capture time (default 60s), as a host's
 *                    own reassembly timer would (defrag.timeouts)
 *   defrag.tiny-size a non-last fragment carrying fewer data bytes than
 *                    this raises defrag.frag_tiny (default 64: only links
 *                    with an MTU under 84 need such fragments, while
 *                    nmap -f and fragroute evasions use 8 to 48 bytes;
 *                    0 turns this check off)
 *
 * Overlap policy "first": bytes already held win; a later fragment only
 * fills the holes it covers. Any overlap raises defrag.ipvN.frag_overlap;
 * overlapping bytes that differ from those held also raise
 * defrag.ipvN.frag_overlap_diff, the classic IDS-evasion signature. The
 * first MF=0 fragment fixes the datagram's end; a later last fragment with
 * another end, or data beyond it, raises defrag.frag_end_mismatch and the
 * bytes past the end are not reassembled.
 *
 * A first fragment (offset 0, more fragments follow) too short to hold the
 * fixed L4 header (TCP 20, UDP 8, ICMP/ICMPv6 8, SCTP 12 bytes) raises
 * defrag.frag_tiny, as does a non-last fragment below defrag.tiny-size.
 * Tiny fragments are still reassembled: the sensor must see what the host
 * sees. A fragment whose end lies past the 65535-byte datagram limit raises
 * defrag.ipvN.frag_pkt_too_large and drops the whole datagram. */
#ifndef TG_DEFRAG_H
#define TG_DEFRAG_H

#include "packet.h"

struct config;
struct defrag;

/* Smallest first-fragment data for these L4 protocols (their fixed
 * headers); smaller ones raise EV_DEFRAG_FRAG_TINY. */
#define DEFRAG_MIN_FIRST_TCP 20
#define DEFRAG_MIN_FIRST_UDP 8
#define DEFRAG_MIN_FIRST_ICMP 8
#define DEFRAG_MIN_FIRST_SCTP 12

/* Keys: defrag.memcap (bytes), defrag.timeout (duration),
 * defrag.max-frags (per datagram), defrag.trackers (max datagrams),
 * defrag.tiny-size (bytes). Returns NULL only when out of memory; the
 * caller owns the result and releases it with defrag_free(). */
struct defrag *defrag_new(const struct config *cfg, struct stats *st);
/* Count into st from now on (the engine's pipelined front keeps its own
 * copy of the counters while it runs on another thread). */
void defrag_set_stats(struct defrag *d, struct stats *st);
/* Release every tracker and the table; NULL is a no-op. */
void defrag_free(struct defrag *d);

/* Add the fragment p (decoded to L3, PKT_IS_FRAGMENT set). When this
 * completes a datagram returns TG_OK with *out a malloc'd IP datagram of
 * *out_len bytes (header rewritten as unfragmented) that the caller owns;
 * TG_AGAIN while incomplete; TG_DECLINED when the fragment was dropped
 * (cap hit, invalid, datagram given up). Events are raised on p. The
 * fragment's bytes are copied, p is not kept. */
int defrag_add(struct defrag *d, struct packet *p, uint8_t **out, uint32_t *out_len);

/* Give up datagrams whose first fragment arrived more than defrag.timeout
 * before now_ns (capture time), counting each in defrag.timeouts. Costs
 * O(number expired). */
void defrag_expire(struct defrag *d, uint64_t now_ns);

/* Bytes held right now: the table itself plus every tracker, its copied
 * header and its fragment data. The datagrams handed out by defrag_add()
 * belong to the caller and are not counted. defrag.memcap limits the part
 * held by trackers, not the fixed table. */
size_t defrag_memuse(const struct defrag *d);

/* Datagrams under reassembly right now. */
size_t defrag_trackers(const struct defrag *d);

#endif
