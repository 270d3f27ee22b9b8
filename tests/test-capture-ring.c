/* test-capture-ring.c - the packet ring between the capture thread and the
 * engine thread: order, no loss, waiting on full and empty, close, and the
 * consumed position the capture thread releases pages by. */
#include <pthread.h>
#include <unistd.h>

#include "capture-ring.h"
#include "test.h"

struct ring_run {
    struct capture_ring *r;
    uint64_t n;
    unsigned slow_every; /* producer pauses every this many packets (0: never) */
};

static void *ring_producer(void *arg)
{
    struct ring_run *rr = arg;
    for (uint64_t i = 1; i <= rr->n; i++) {
        struct packet *p = capture_ring_slot(rr->r);
        memset(p, 0, sizeof *p);
        p->num = i;
        p->wirelen = (uint32_t)(i * 7);
        capture_ring_push(rr->r, i * 100);
        if (rr->slow_every && i % rr->slow_every == 0)
            usleep(200); /* let the consumer run dry and sleep */
    }
    capture_ring_close(rr->r);
    return NULL;
}

/* Consume everything; count order errors. slow: pause per packet so the
 * producer fills the ring and has to wait. */
static uint64_t ring_consume(struct capture_ring *r, uint64_t n, bool slow, unsigned *bad)
{
    struct packet *p;
    uint64_t pos, got = 0;
    while ((p = capture_ring_peek(r, &pos))) {
        got++;
        if (p->num != got || p->wirelen != got * 7 || pos != got * 100)
            (*bad)++;
        const struct packet *a = capture_ring_ahead(r, 1);
        if (a && a->num != got + 1)
            (*bad)++;
        capture_ring_done(r);
        if (slow && got % 64 == 0)
            usleep(100);
    }
    TG_UNUSED(n);
    return got;
}

static void ring_case(unsigned slots, uint64_t n, unsigned slow_every, bool slow_consumer)
{
    struct ring_run rr = {capture_ring_new(slots), n, slow_every};
    CHECK(rr.r != NULL);
    if (!rr.r)
        return;
    pthread_t th;
    CHECK(pthread_create(&th, NULL, ring_producer, &rr) == 0);
    unsigned bad = 0;
    CHECK_EQ_U(ring_consume(rr.r, n, slow_consumer, &bad), n);
    CHECK_EQ_U(bad, 0);
    pthread_join(th, NULL);
    /* everything was consumed: the last position pushed is the consumed one
     * once the last batch was handed back (peek returned NULL after it) */
    CHECK_EQ_U(capture_ring_consumed_pos(rr.r), n * 100);
    capture_ring_free(rr.r);
}

TEST(ring_order_no_loss)
{
    ring_case(1024, 200000, 0, false);
}

TEST(ring_tiny_ring_waits_both_ways)
{
    /* two slots: the producer waits for room almost every packet */
    ring_case(2, 20000, 0, false);
    /* a slow consumer: the producer sleeps on a full ring */
    ring_case(64, 5000, 0, true);
    /* a slow producer: the consumer runs dry and sleeps */
    ring_case(64, 5000, 100, false);
}

TEST(ring_empty_close)
{
    struct capture_ring *r = capture_ring_new(8);
    CHECK(r != NULL);
    capture_ring_close(r);
    uint64_t pos = 1;
    CHECK(capture_ring_peek(r, &pos) == NULL);
    CHECK_EQ_U(capture_ring_consumed_pos(r), 0);
    capture_ring_free(r);
}

TEST(ring_single_thread_fill_then_drain)
{
    /* within capacity, one thread can push then pop: nothing waits */
    struct capture_ring *r = capture_ring_new(100); /* rounded up to 128 */
    for (uint64_t i = 1; i <= 128; i++) {
        struct packet *p = capture_ring_slot(r);
        p->num = i;
        capture_ring_push(r, i);
    }
    capture_ring_close(r);
    struct packet *p;
    uint64_t pos, want = 1;
    while ((p = capture_ring_peek(r, &pos))) {
        CHECK_EQ_U(p->num, want);
        CHECK_EQ_U(pos, want);
        want++;
        capture_ring_done(r);
    }
    CHECK_EQ_U(want, 129);
    capture_ring_free(r);
}

TEST_MAIN(T(ring_order_no_loss), T(ring_tiny_ring_waits_both_ways), T(ring_empty_close),
          T(ring_single_thread_fill_then_drain))
