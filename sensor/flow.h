/* flow.h - the bidirectional flow table.
 *
 * A flow is keyed by (addresses, ports, protocol, vlan) in both directions.
 * The table is a hash with a per-run random seed so an attacker cannot aim
 * collisions, per-protocol and per-state timeouts, and a memory cap with
 * emergency eviction of the least recently seen flows (counted). */
#ifndef TG_FLOW_H
#define TG_FLOW_H

#include "packet.h"

/* Bytes of per-direction scratch a stateful datagram probe may keep in a
 * flow while the protocol is still unknown (app-layer.h, probe_datagram). */
#define APP_PROBE_MEMO_SIZE 24

struct config;
struct flow_table;

enum flow_state { FLOW_STATE_NEW = 0, FLOW_STATE_ESTABLISHED, FLOW_STATE_CLOSED };

enum flow_end_reason { FLOW_END_TIMEOUT = 0, FLOW_END_EVICTED, FLOW_END_SHUTDOWN };

/* Both directions; index 0 is to_server (from the initiator). */
struct flow {
    uint64_t id;               /* unique per run, EVE flow_id */
    struct ip_addr addr[2];    /* [0] client, [1] server */
    uint16_t port[2];
    uint8_t proto;             /* IPPROTO_NUM_* */
    uint16_t vlan;
    uint8_t state;             /* enum flow_state */
    uint8_t end_reason;        /* enum flow_end_reason, set when it ends */
    uint64_t start_ns, last_ns;
    uint64_t pkts[2], bytes[2];
    uint32_t hash;

    /* app layer, owned by app-layer.c */
    uint16_t app_proto;        /* 0 unknown */
    uint8_t app_probe_done[2]; /* direction gave up probing */
    uint8_t app_probe_memo[2][APP_PROBE_MEMO_SIZE]; /* probe_datagram scratch, zero at start */
    void *app_state;

    /* TCP stream state, owned by stream.c */
    struct stream_flow *stream;

    /* table links, owned by flow.c */
    struct flow *hnext;
    struct flow *lru_prev, *lru_next;
};

/* Called for every flow the table ends (timeout, eviction, shutdown),
 * before it is freed: outputs and modules release their state here. */
typedef void (*flow_end_fn)(struct flow *f, void *arg);

/* Keys: flow.memcap, flow.hash-size, flow.timeout.{tcp,udp,icmp,other}.{new,established,closed}.
 * NULL on out of memory. */
struct flow_table *flow_table_new(const struct config *cfg, struct stats *st,
                                  flow_end_fn on_end, void *arg);
/* Ends every flow (reason SHUTDOWN) and frees the table. */
void flow_table_free(struct flow_table *ft);

/* Find or create the flow of p and set p->flow and p->dir. Updates packet
 * and byte counters and last_ns. NULL when p has no L4 or when no flow could
 * be made even after emergency eviction (counted). */
struct flow *flow_lookup(struct flow_table *ft, struct packet *p);

/* End every flow now (reason SHUTDOWN); the table stays usable. */
void flow_table_flush(struct flow_table *ft);

/* End flows whose timeout passed at now_ns. Cheap to call per packet: it
 * does work at most once per second of capture time. */
void flow_table_expire(struct flow_table *ft, uint64_t now_ns);

/* Count of live flows and bytes they use (flow records only). */
size_t flow_table_count(const struct flow_table *ft);
size_t flow_table_memuse(const struct flow_table *ft);

/* Protocol name for EVE ("TCP", "UDP", "ICMP", "IPv6-ICMP", or the number). */
const char *flow_proto_name(uint8_t proto, char *buf, size_t len);

#endif
