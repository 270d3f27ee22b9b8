/* app-layer.h - application protocol registry, detection and dispatch.
 *
 * A decoder registers a description: a probe that looks at the first bytes
 * of a direction and says whether they are its protocol (content decides;
 * ports are only a hint that orders the probes), and a parser that receives
 * in-order bytes (TCP, reassembled) or whole datagrams (UDP). Flows remember
 * the protocol once detected. */
#ifndef TG_APP_LAYER_H
#define TG_APP_LAYER_H

#include "flow.h"

struct app_layer;

enum app_probe_result {
    APP_PROBE_NO = 0,   /* not this protocol */
    APP_PROBE_YES = 1,  /* this protocol */
    APP_PROBE_MORE = 2  /* cannot tell yet, offer more bytes */
};

#define APP_IPPROTO_TCP 0x01
#define APP_IPPROTO_UDP 0x02

/* parse() flags */
#define APP_DATAGRAM 0x01 /* data is one UDP payload */
#define APP_GAP 0x02      /* TCP bytes were lost before data */
#define APP_EOF 0x04      /* direction closed; data may be empty */

/* What a parser is told about the data it gets. */
struct app_parse {
    struct flow *flow;
    struct packet *p;  /* the packet that brought the data; NULL at flow end */
    int dir;           /* enum packet_dir */
    unsigned flags;
    void *user;        /* the value given to app_layer_new() */
};

struct app_proto_desc {
    const char *name;  /* EVE app_proto, e.g. "sip" */
    uint8_t ipprotos;  /* APP_IPPROTO_* */
    uint16_t ports[4]; /* hint: probe this decoder first on these ports */
    /* Decide from the first bytes of a direction. */
    enum app_probe_result (*probe)(const uint8_t *data, size_t len, int dir);
    /* Optional, UDP only: a probe that needs several datagrams to decide
     * (RTP wants two packets with the same SSRC and close sequence
     * numbers). memo is APP_PROBE_MEMO_SIZE bytes per flow direction, zero
     * when the flow starts, and belongs to the one protocol that registers
     * a probe_datagram (registering a second one fails). On UDP flows it is
     * used instead of probe. The parser may read the memo of its flow on
     * its first call (e.g. to count the datagram that gave MORE). */
    enum app_probe_result (*probe_datagram)(uint8_t *memo, const struct packet *p, const uint8_t *data,
                                            size_t len, int dir);
    /* Per-flow state; NULL means out of memory (the flow is then left unparsed). */
    void *(*state_new)(struct flow *f, void *user);
    void (*state_free)(void *state, void *user);
    /* Returns the number of bytes consumed; for datagrams the return is ignored. */
    size_t (*parse)(void *state, struct app_parse *ap, const uint8_t *data, size_t len);
};

/* user is handed to every state_new/state_free/parse (engine context). */
struct app_layer *app_layer_new(struct stats *st, void *user);
void app_layer_free(struct app_layer *al);

/* Register a protocol; returns its id (1..) or TG_ERROR when the table is
 * full or a second protocol brings a probe_datagram. */
int app_layer_register(struct app_layer *al, const struct app_proto_desc *desc);

/* Feed data of one direction. Detects the protocol on first data, then
 * parses. Returns bytes consumed (TCP framing); datagrams are always whole. */
size_t app_layer_handle(struct app_layer *al, struct flow *f, struct packet *p, int dir,
                        const uint8_t *data, size_t len, unsigned flags);

/* Set a flow's protocol without probing (the call tracker knows from SDP
 * that a new UDP flow carries RTP): creates the protocol's state as
 * detection would. TG_OK, TG_DECLINED when the flow already has a
 * protocol or id is not registered, TG_ERROR when the state could not be
 * made (the flow stays unknown and may still be probed). */
int app_layer_set_proto(struct app_layer *al, struct flow *f, uint16_t id);

/* Release a flow's app state (call when the flow ends). */
void app_layer_flow_end(struct app_layer *al, struct flow *f);

/* Name of a protocol id; "unknown" for 0, "failed" when probing gave up. */
const char *app_layer_name(const struct app_layer *al, uint16_t id);
/* Id of a protocol by name; 0 when not registered. */
int app_layer_id(const struct app_layer *al, const char *name);

#endif
