/* stream.h - TCP session tracking and reassembly per direction.
 *
 * Tracks the handshake (or picks a session up mid-stream), buffers
 * out-of-order segments, drops retransmissions, detects overlaps whose bytes
 * differ from what was already accepted, and hands each direction's bytes in
 * order to a deliver callback. The callback may consume only part of what it
 * is given (framing); the rest is kept and offered again with the next data.
 *
 * Overlap policy: first wins. Bytes once accepted (delivered or queued) are
 * never replaced; a later segment covering them with other bytes raises
 * STREAM_OVERLAP_DIFF_DATA. */
#ifndef TG_STREAM_H
#define TG_STREAM_H

#include "flow.h"

struct config;
struct stream_ctx;

/* deliver() flags */
#define STREAM_GAP 0x01   /* bytes are missing before this data */
#define STREAM_EOF 0x02   /* the direction closed (FIN/RST/flow end); len may be 0 */

/* Returns how many of len bytes the consumer took (0..len). */
typedef size_t (*stream_deliver_fn)(void *arg, struct flow *f, struct packet *p, int dir,
                                    const uint8_t *data, size_t len, unsigned flags);

/* Keys: stream.memcap (all flows), stream.flow-memcap (one flow, buffered
 * bytes), stream.depth (0 = unlimited), stream.max-segments. */
struct stream_ctx *stream_new(const struct config *cfg, struct stats *st,
                              stream_deliver_fn deliver, void *arg);
void stream_free(struct stream_ctx *s);

/* Process one TCP packet of flow f (p->flow == f, p->dir set). */
void stream_process(struct stream_ctx *s, struct flow *f, struct packet *p);

/* The flow ends: deliver what is left (with STREAM_EOF) and free its state. */
void stream_flow_end(struct stream_ctx *s, struct flow *f);

size_t stream_memuse(const struct stream_ctx *s);

#endif
