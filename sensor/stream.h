/* stream.h - TCP session tracking and reassembly per direction.
 *
 * Tracks the handshake (or picks a session up mid-stream), buffers
 * out-of-order segments, drops retransmissions, detects overlaps whose bytes
 * differ from what was already accepted, and hands each direction's bytes in
 * order to a deliver callback. The callback may consume only part of what it
 * is given (framing); the rest is kept and offered again with the next data.
 *
 * Overlap policy: first wins. Bytes once accepted (delivered, or queued out
 * of order) are never replaced; a later segment covering them with other
 * bytes raises STREAM_OVERLAP_DIFF_DATA and is otherwise ignored for those
 * bytes. Why first: what we delivered is what detection already looked at,
 * and for in-order data it is what the receiver already acknowledged, so a
 * later "correction" can only be an evasion attempt (send benign bytes the
 * sensor keeps, then the real ones the host keeps) or noise. Raising the
 * event makes the disagreement visible instead of silently picking a side.
 * Delivered bytes are compared through a bounded window of the most recent
 * ones (stream.overlap-window); older retransmissions cannot be compared and
 * count as plain retransmissions.
 *
 * Gaps: when bytes before queued data are missing and cannot come any more
 * (the peer ACKs past the hole, a memory cap is hit, RST or flow end, or
 * the peer ACKs a FIN that follows a hole), the hole is skipped: the next
 * delivery carries STREAM_GAP, the packet gets STREAM_SEQ_GAP, and any
 * unconsumed bytes from before the hole are dropped (a frame cut by a hole
 * can never complete).
 *
 * Close: FIN (once every byte before it was delivered) and RST (both
 * directions; its sequence number must be near the expected one) deliver
 * STREAM_EOF with whatever is left unconsumed. A direction that never
 * delivered a byte gets no EOF. */
#ifndef TG_STREAM_H
#define TG_STREAM_H

#include "flow.h"

struct config;
struct stream_ctx;

/* deliver() flags */
#define STREAM_GAP 0x01   /* bytes are missing before this data */
#define STREAM_EOF 0x02   /* the direction closed (FIN/RST/flow end); len may be 0 */

/* Returns how many of len bytes the consumer took (0..len). Bytes not taken
 * are offered again, followed by new data, on the next call for that
 * direction (up to stream.app-buffer bytes; past it they are dropped and the
 * next call has STREAM_GAP). p is NULL when called from stream_flow_end(). */
typedef size_t (*stream_deliver_fn)(void *arg, struct flow *f, struct packet *p, int dir,
                                    const uint8_t *data, size_t len, unsigned flags);

/* Serial-number arithmetic on 32-bit sequence numbers (RFC 1982): a is
 * before b when the distance from b to a, read as signed, is negative. */
static inline int32_t stream_seq_diff(uint32_t a, uint32_t b)
{
    uint32_t d = a - b;
    return d < 0x80000000u ? (int32_t)d : -(int32_t)(~d) - 1;
}
static inline bool stream_seq_lt(uint32_t a, uint32_t b) { return stream_seq_diff(a, b) < 0; }
static inline bool stream_seq_leq(uint32_t a, uint32_t b) { return stream_seq_diff(a, b) <= 0; }
static inline bool stream_seq_gt(uint32_t a, uint32_t b) { return stream_seq_diff(a, b) > 0; }
static inline bool stream_seq_geq(uint32_t a, uint32_t b) { return stream_seq_diff(a, b) >= 0; }

/* Keys (sizes take k/m/g):
 *   stream.memcap          all stream memory of all flows (64m)
 *   stream.flow-memcap     out-of-order bytes queued in one flow (1m)
 *   stream.max-segments    out-of-order segments queued in one flow (2048)
 *   stream.depth           bytes delivered per direction, 0 = unlimited (1m)
 *   stream.app-buffer      unconsumed bytes kept per direction (256k)
 *   stream.overlap-window  recently delivered bytes kept per direction to
 *                          check retransmissions against (64k, 0 = off)
 * Returns NULL when out of memory. deliver is called for every in-order run
 * of bytes; arg is handed back to it. */
struct stream_ctx *stream_new(const struct config *cfg, struct stats *st,
                              stream_deliver_fn deliver, void *arg);
/* Frees the context; flows still holding stream state must have been ended. */
void stream_free(struct stream_ctx *s);

/* Process one TCP packet of flow f (p->flow == f, p->dir set). Creates the
 * flow's stream state on first use (f->stream, owned by this module), may
 * call deliver any number of times, raises events on p, and keeps f->state
 * (NEW, ESTABLISHED after the handshake or a mid-stream pick-up, CLOSED after
 * FIN from both sides or RST). */
void stream_process(struct stream_ctx *s, struct flow *f, struct packet *p);

/* The flow ends: deliver what is left (queued data across holes with
 * STREAM_GAP, then STREAM_EOF) and free its state; f->stream becomes NULL. */
void stream_flow_end(struct stream_ctx *s, struct flow *f);

/* Bytes of stream memory in use (flow records, queued segments, unconsumed
 * and overlap-check buffers), the figure stream.memcap limits. */
size_t stream_memuse(const struct stream_ctx *s);

#endif
