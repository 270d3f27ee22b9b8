/* sip-media.h - media expectations from SDP and flow attachments for the call tracker.
 *
 * An expectation says "RTP or RTCP for call X will use address:port": the
 * call tracker records one per m= line (and its RTCP port) of every SDP
 * offer and answer. When a new UDP flow has an endpoint that matches, the
 * flow is attached to the call, whatever hosts signalled. Attachments map
 * a flow id back to its call so the flow-end path finds the call in O(1).
 *
 * Both live in one keyed hash (SipHash, random seed per table) so an
 * attacker cannot aim collisions. Expectations live as long as their call
 * (whose setup and call timeouts bound them) and are removed with it;
 * sip.max-expectations caps the entries (expectations and attachments
 * together), and an entry refused at the cap is counted by the caller. */
#ifndef TG_SIP_MEDIA_H
#define TG_SIP_MEDIA_H

#include "common.h"
#include "packet.h"

#define SIP_MEDIA_DEFAULT_MAX 200000

struct sip_media_table;

/* One entry; owners keep the entries they created on their own list
 * (olist) so they can drop them all at once. */
struct sip_media_entry {
    bool is_flow;             /* attachment (flow_id) rather than expectation */
    struct ip_addr addr;      /* expectation key */
    uint16_t port;
    uint64_t flow_id;         /* attachment key */
    void *owner;
    uint32_t tag;             /* the owner's meaning (side, media index, direction) */
    struct sip_media_entry *hnext;
    struct sip_media_entry *onext; /* owner's list */
};

/* A table of at most max entries (0 means SIP_MEDIA_DEFAULT_MAX). NULL on
 * out of memory. */
struct sip_media_table *sip_media_new(uint32_t max);
/* Free the table and every entry (owners' lists become dangling: call this
 * after the owners are gone). */
void sip_media_free(struct sip_media_table *t);

/* Expect media at addr:port for owner, linking the entry on *olist. An
 * existing expectation of the same owner and endpoint is kept (TG_OK, tag
 * updated); one of another owner is replaced by the new one (the latest
 * offer wins, as a SIP UA re-using a port would). TG_DECLINED at the cap,
 * TG_ERROR out of memory. */
int sip_media_expect(struct sip_media_table *t, const struct ip_addr *addr, uint16_t port, void *owner,
                     uint32_t tag, struct sip_media_entry **olist);
/* The owner expecting addr:port (and its tag) or NULL. */
void *sip_media_lookup(const struct sip_media_table *t, const struct ip_addr *addr, uint16_t port,
                       uint32_t *tag);

/* Attach flow_id to owner (on *olist). TG_OK, TG_DECLINED at the cap,
 * TG_ERROR out of memory. */
int sip_media_attach(struct sip_media_table *t, uint64_t flow_id, void *owner, uint32_t tag,
                     struct sip_media_entry **olist);
/* The owner of an attached flow (and its tag) or NULL. */
void *sip_media_attached(const struct sip_media_table *t, uint64_t flow_id, uint32_t *tag);
/* Remove one entry of *olist (an attachment or expectation) and free it. */
void sip_media_remove(struct sip_media_table *t, struct sip_media_entry *e, struct sip_media_entry **olist);
/* Remove and free every entry on *olist; *olist becomes NULL. */
void sip_media_forget(struct sip_media_table *t, struct sip_media_entry **olist);

/* Entries in use. */
size_t sip_media_count(const struct sip_media_table *t);

#endif
