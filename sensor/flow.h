/* flow.h - the bidirectional flow table.
 *
 * A flow is keyed by (addresses, ports, protocol, vlan ids) in both
 * directions; ICMP query/reply pairs (echo, timestamp, ...) are keyed by their
 * identifier so a request and its reply are one flow, other ICMP messages by
 * type and code. The table is a SipHash-1-3 keyed hash with a per-run random
 * seed (flow.hash-seed fixes it) so an attacker cannot aim collisions, keeps
 * recency lists per timeout class so expiry never scans the table, applies
 * per-protocol and per-state timeouts in capture time, and has a memory cap
 * with emergency eviction of the least recently seen flows (counted). */
#ifndef TG_FLOW_H
#define TG_FLOW_H

#include "packet.h"

/* Bytes of per-direction scratch a stateful datagram probe may keep in a
 * flow while the protocol is still unknown (app-layer.h, probe_datagram). */
#define APP_PROBE_MEMO_SIZE 24

struct config;
struct flow_table;

enum flow_state { FLOW_STATE_NEW = 0, FLOW_STATE_ESTABLISHED, FLOW_STATE_CLOSED };

/* Why a flow ended. REUSED: a TCP SYN arrived on a CLOSED flow with the same
 * tuple (port reuse) and started a new flow. */
enum flow_end_reason { FLOW_END_TIMEOUT = 0, FLOW_END_EVICTED, FLOW_END_SHUTDOWN, FLOW_END_REUSED };

/* EVE names: "new", "established", "closed" and "timeout", "evicted",
 * "shutdown", "reuse"; "unknown" for values out of range. */
const char *flow_state_name(unsigned state);
const char *flow_end_reason_name(unsigned reason);

/* Both directions; index 0 is to_server (from the initiator). Laid out by
 * use: a lookup reads and writes only the first two cache lines (the engine
 * prefetches them a few packets ahead), the third holds what the stream and
 * app layers reach for next. */
struct flow {
    /* table links and key, owned by flow.c */
    struct flow *hnext;
    uint32_t hash;
    uint8_t proto;             /* IPPROTO_NUM_* */
    uint8_t lru_class;         /* which recency list holds the flow */
    uint16_t vlan;             /* outer VLAN id, 0 when untagged */
    uint16_t vlan_inner;       /* inner (QinQ) VLAN id, 0 when none */
    uint16_t port[2];          /* ICMP: both hold the key (query id, or type<<8|code) */
    struct ip_addr addr[2];    /* [0] client, [1] server */
    uint8_t state;             /* enum flow_state; flow.c sets ESTABLISHED when both
                                * directions were seen, stream.c sets CLOSED after
                                * FIN/RST (the table picks a state change up at the
                                * next lookup or expire call) */
    struct flow *lru_prev, *lru_next;
    uint64_t lru_ns;           /* table clock at the last packet (monotonic) */
    uint64_t pkts[2], bytes[2];
    uint64_t last_ns;

    /* app layer state, owned by app-layer.c, and TCP stream state, owned
     * by stream.c */
    void *app_state;
    struct stream_flow *stream;
    uint16_t app_proto;        /* 0 unknown */
    uint8_t app_probe_done[2]; /* direction gave up probing */
    uint8_t app_probe_memo[2][APP_PROBE_MEMO_SIZE]; /* probe_datagram scratch, zero at start */

    uint64_t id;               /* unique per run, EVE flow_id */
    uint64_t start_ns;
    uint8_t icmp_type, icmp_code; /* ICMP: of the packet that created the flow */
    uint8_t end_reason;        /* enum flow_end_reason, set when it ends */
    bool alerted;              /* an alert was raised on it (EVE flow.alerted) */

    /* TCP: the initiator's SYN sequence number, so a retransmitted SYN
     * after a refusal (RST) is not taken for port reuse */
    uint32_t syn_seq;
    bool syn_seen;

    /* detection state (flowbits), owned by rules/detect.c */
    struct flowbits *flowbits;
};

/* Called for every flow the table ends (timeout, eviction, shutdown, port
 * reuse), before it is freed: outputs and modules release their state here.
 * It must not call back into the table. */
typedef void (*flow_end_fn)(struct flow *f, void *arg);

/* Keys (README "Flows"): flow.memcap (128m, flow records only),
 * flow.hash-size (65536 buckets, rounded up to a power of two),
 * flow.hash-seed (random per run from getrandom(); set it for reproducible
 * hashes and flow ids), flow.timeout.{tcp,udp,icmp,other}.{new,established,closed}
 * (tcp 30s/300s/10s, udp 30s/120s/30s, icmp and other 30s each).
 * NULL on out of memory. */
struct flow_table *flow_table_new(const struct config *cfg, struct stats *st,
                                  flow_end_fn on_end, void *arg);
/* Ends every flow (reason SHUTDOWN) and frees the table. */
void flow_table_free(struct flow_table *ft);

/* Find or create the flow of p and set p->flow and p->dir. Updates packet
 * and byte counters and last_ns. When the flow found has timed out (expiry
 * had not run yet) or is a CLOSED TCP flow and p is a SYN, that flow ends
 * (TIMEOUT or REUSED) and p starts a new one. Creating a flow beyond
 * flow.memcap first evicts the least recently seen flows. NULL when p has no
 * L4 or when no flow could be made even after eviction (counted). */
struct flow *flow_lookup(struct flow_table *ft, struct packet *p);

/* End every flow now (reason SHUTDOWN); the table stays usable. */
void flow_table_flush(struct flow_table *ft);

/* End flows whose timeout passed at now_ns (capture time): a flow ends when
 * now_ns - (time of its last packet) > timeout of its protocol and state.
 * Cheap to call per packet: it looks only at the oldest flow of each
 * recency list, so the cost is O(number of flows that expire). */
void flow_table_expire(struct flow_table *ft, uint64_t now_ns);

/* Call fn for every live flow, least recently seen first within each
 * timeout class. fn must not end or create flows. */
void flow_table_foreach(struct flow_table *ft, void (*fn)(struct flow *f, void *arg), void *arg);

/* The seed in use (the configured one, or the random one of this run). */
uint64_t flow_table_seed(const struct flow_table *ft);

/* SipHash-2-4 of in under the key (k0, k1), as in the reference code
 * (exposed so tests can check it against the published vectors). */
uint64_t flow_siphash24(uint64_t k0, uint64_t k1, const uint8_t *in, size_t len);
/* SipHash-1-3, the same with one compression and three finalisation rounds:
 * the flow table's hash. */
uint64_t flow_siphash13(uint64_t k0, uint64_t k1, const uint8_t *in, size_t len);

/* The table's keyed-hash key. Another thread hashes packets with its own
 * copy (flow_table_hash_key), so it never reads the table's cache lines
 * while the table's thread writes them. */
struct flow_hash_key {
    uint64_t k0, k1;
};
void flow_table_hash_key(const struct flow_table *ft, struct flow_hash_key *hk);
/* Hash the packet's flow key with hk (the table's, see above) into
 * p->flow_hash and set PKT_FLOW_HASHED, so flow_lookup() need not. Does
 * nothing for a packet without L4 or a fragment. */
void flow_packet_hash(const struct flow_hash_key *hk, struct packet *p);
/* Cache hints for a hashed packet, a few packets ahead of its lookup:
 * start loading its bucket, and later the first flow that bucket holds. */
void flow_prefetch_bucket(const struct flow_table *ft, const struct packet *p);
void flow_prefetch(const struct flow_table *ft, const struct packet *p);

/* Bucket of a flow key, exposed for tests of the keyed hash. */
uint32_t flow_table_hash_packet(const struct flow_table *ft, const struct packet *p);

/* Count of live flows and bytes they use (flow records only; the bucket
 * array is fixed at creation and not part of flow.memcap). */
size_t flow_table_count(const struct flow_table *ft);
size_t flow_table_memuse(const struct flow_table *ft);

/* Protocol name for EVE ("TCP", "UDP", "ICMP", "IPv6-ICMP", or the number). */
const char *flow_proto_name(uint8_t proto, char *buf, size_t len);

#endif
