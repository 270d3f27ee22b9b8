/* capture-ring.c - the single-producer, single-consumer packet ring between
 * the capture thread (read, decode, defragment) and the engine thread.
 *
 * Each side keeps its own index and publishes it to the other only every
 * RING_BATCH packets (and whenever it is about to wait, or the producer
 * closes), so the shared cache lines move between cores once per batch
 * rather than once per packet. A side with nothing to do spins briefly,
 * then sleeps on a condition variable after saying how far the other side
 * must get (`prod_want`, `cons_want`); the other side signals only once it
 * got there. A full producer waits for half the ring, so the sides do not
 * wake each other for every batch. The want and the index are stored and
 * loaded sequentially consistent, so either the sleeper sees the new index
 * or the publisher sees the want. */
#include "capture-ring.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Packets per publication of an index. */
#define RING_BATCH 16u
/* Polls before a waiting side goes to sleep (about ten microseconds). */
#define RING_SPIN 200
#define RING_LINE 64

/* A packet and its position, on cache lines of its own: the two sides
 * work on different slots, which must not share a line. */
struct ring_slot {
    _Alignas(RING_LINE) struct packet pkt;
    uint64_t pos;
};

struct capture_ring {
    struct ring_slot *slot;
    uint64_t mask;
    /* shared, one cache line each */
    _Alignas(RING_LINE) _Atomic uint64_t head; /* slots before it were pushed */
    _Alignas(RING_LINE) _Atomic uint64_t tail; /* slots before it were consumed */
    _Alignas(RING_LINE) atomic_bool closed;
    /* A side that sleeps says how far the other side's index must get
     * before it is worth waking it (0: not sleeping). */
    _Atomic uint64_t prod_want, cons_want;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* the producer's own */
    _Alignas(RING_LINE) uint64_t p_head; /* pushed, published or not */
    uint64_t p_pub;                      /* last published head */
    uint64_t p_tail;                     /* tail as last seen */
    /* the consumer's own */
    _Alignas(RING_LINE) uint64_t c_tail; /* consumed, published or not */
    uint64_t c_pub;                      /* last published tail */
    uint64_t c_head;                     /* head as last seen */
};

static inline void ring_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

struct capture_ring *capture_ring_new(unsigned slots)
{
    uint64_t n = 2;
    while (n < slots && n < (1u << 20))
        n <<= 1;
    size_t sz = (sizeof(struct capture_ring) + RING_LINE - 1) / RING_LINE * RING_LINE;
    struct capture_ring *r = aligned_alloc(RING_LINE, sz);
    if (!r)
        return NULL;
    memset(r, 0, sizeof *r);
    r->slot = aligned_alloc(RING_LINE, n * sizeof *r->slot);
    if (!r->slot) {
        free(r);
        return NULL;
    }
    memset(r->slot, 0, n * sizeof *r->slot);
    r->mask = n - 1;
    atomic_init(&r->head, 0);
    atomic_init(&r->tail, 0);
    atomic_init(&r->closed, false);
    atomic_init(&r->prod_want, 0);
    atomic_init(&r->cons_want, 0);
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    return r;
}

void capture_ring_free(struct capture_ring *r)
{
    if (!r)
        return;
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    free(r->slot);
    free(r);
}

static void ring_wake(struct capture_ring *r)
{
    pthread_mutex_lock(&r->mu);
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

/* Wait until *v reaches want, or (when stop_on_close) the ring is closed.
 * *my_want tells the other side what this side waits for. */
static void ring_wait(struct capture_ring *r, _Atomic uint64_t *v, uint64_t want, _Atomic uint64_t *my_want,
                      bool stop_on_close)
{
    for (int i = 0; i < RING_SPIN; i++) {
        if (atomic_load_explicit(v, memory_order_acquire) >= want ||
            (stop_on_close && atomic_load_explicit(&r->closed, memory_order_acquire)))
            return;
        ring_relax();
    }
    atomic_store(my_want, want);
    pthread_mutex_lock(&r->mu);
    while (atomic_load(v) < want && !(stop_on_close && atomic_load(&r->closed)))
        pthread_cond_wait(&r->cv, &r->mu);
    pthread_mutex_unlock(&r->mu);
    atomic_store(my_want, 0);
}

static void ring_publish_head(struct capture_ring *r)
{
    if (r->p_pub == r->p_head)
        return;
    atomic_store(&r->head, r->p_head);
    r->p_pub = r->p_head;
    uint64_t w = atomic_load(&r->cons_want);
    if (w && r->p_head >= w)
        ring_wake(r);
}

static void ring_publish_tail(struct capture_ring *r)
{
    if (r->c_pub == r->c_tail)
        return;
    atomic_store(&r->tail, r->c_tail);
    r->c_pub = r->c_tail;
    uint64_t w = atomic_load(&r->prod_want);
    if (w && r->c_tail >= w)
        ring_wake(r);
}

struct packet *capture_ring_slot(struct capture_ring *r)
{
    while (r->p_head - r->p_tail > r->mask) {
        r->p_tail = atomic_load_explicit(&r->tail, memory_order_acquire);
        if (r->p_head - r->p_tail <= r->mask)
            break;
        /* Full: let the consumer see everything first, then wait until
         * half the ring is free, so the two sides do not wake each other
         * for every batch. */
        ring_publish_head(r);
        ring_wait(r, &r->tail, r->p_head - (r->mask + 1) / 2, &r->prod_want, false);
    }
    return &r->slot[r->p_head & r->mask].pkt;
}

void capture_ring_push(struct capture_ring *r, uint64_t pos)
{
    r->slot[r->p_head & r->mask].pos = pos;
    r->p_head++;
    if (r->p_head - r->p_pub >= RING_BATCH)
        ring_publish_head(r);
}

void capture_ring_close(struct capture_ring *r)
{
    ring_publish_head(r);
    atomic_store(&r->closed, true);
    pthread_mutex_lock(&r->mu);
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

struct packet *capture_ring_peek(struct capture_ring *r, uint64_t *pos)
{
    while (r->c_tail == r->c_head) {
        r->c_head = atomic_load_explicit(&r->head, memory_order_acquire);
        if (r->c_tail != r->c_head)
            break;
        if (atomic_load(&r->closed)) {
            /* head was published before closed was set */
            r->c_head = atomic_load(&r->head);
            if (r->c_tail == r->c_head) {
                ring_publish_tail(r);
                return NULL;
            }
            break;
        }
        /* Empty: hand back every slot first, then wait for packets. */
        ring_publish_tail(r);
        ring_wait(r, &r->head, r->c_tail + 1, &r->cons_want, true);
    }
    *pos = r->slot[r->c_tail & r->mask].pos;
    return &r->slot[r->c_tail & r->mask].pkt;
}

const struct packet *capture_ring_ahead(const struct capture_ring *r, unsigned k)
{
    return r->c_tail + k < r->c_head ? &r->slot[(r->c_tail + k) & r->mask].pkt : NULL;
}

uint64_t capture_ring_consumed_pos(const struct capture_ring *r)
{
    uint64_t t = atomic_load_explicit(&r->tail, memory_order_acquire);
    return t ? r->slot[(t - 1) & r->mask].pos : 0;
}

void capture_ring_done(struct capture_ring *r)
{
    r->c_tail++;
    if (r->c_tail - r->c_pub >= RING_BATCH)
        ring_publish_tail(r);
}
