/* capture-ring.h - a bounded single-producer, single-consumer queue of
 * decoded packets between the capture thread and the engine thread. */
#ifndef TG_CAPTURE_RING_H
#define TG_CAPTURE_RING_H

#include "packet.h"

struct capture_ring;

/* A ring of `slots` packets (rounded up to a power of two, at least 2).
 * NULL on out of memory. */
struct capture_ring *capture_ring_new(unsigned slots);
void capture_ring_free(struct capture_ring *r);

/* Producer: the next free slot, waiting while the ring is full. The slot's
 * contents are whatever its last packet left: the producer fills it. */
struct packet *capture_ring_slot(struct capture_ring *r);
/* Producer: hand the slot from capture_ring_slot() over, with a position
 * the consumer gets back with it (the reader's file offset after it). */
void capture_ring_push(struct capture_ring *r, uint64_t pos);
/* Producer: no more packets. Publishes what was pushed. */
void capture_ring_close(struct capture_ring *r);

/* Consumer: the oldest packet not yet taken and its position, waiting
 * while the ring is empty; NULL once it is closed and drained. */
struct packet *capture_ring_peek(struct capture_ring *r, uint64_t *pos);
/* Consumer: done with the packet from capture_ring_peek(); its slot may be
 * reused. */
void capture_ring_done(struct capture_ring *r);
/* Consumer: the packet k places after the one capture_ring_peek() returned,
 * if it is already known to be there (for cache hints), else NULL. */
const struct packet *capture_ring_ahead(const struct capture_ring *r, unsigned k);

/* Producer: the position pushed with the newest packet the consumer is
 * done with (0 before the first): every byte before it may be released. */
uint64_t capture_ring_consumed_pos(const struct capture_ring *r);

#endif
