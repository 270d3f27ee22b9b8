/* thread-affinity.h - a CPU of its own for the engine thread.
 *
 * In `analyze` three threads are busy at once (engine, capture, store
 * writer). Left alone, the scheduler now and then wakes the engine onto the
 * CPU its waker runs on and leaves another CPU idle, and the two then take
 * turns on one core for milliseconds. Pinning the engine thread to one CPU
 * and the helpers to the others keeps the engine, the critical path, on a
 * core of its own (capture.pin-threads). */
#ifndef TG_THREAD_AFFINITY_H
#define TG_THREAD_AFFINITY_H
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>

struct thread_affinity {
    cpu_set_t saved;   /* the engine thread's mask before the split */
    cpu_set_t helpers; /* every CPU it was allowed but its own */
    bool active;       /* the split is in force */
};

/* Pin the calling thread to the CPU it runs on and put every other CPU of
 * its mask in a->helpers. False (nothing changed, a->active false) when the
 * mask holds fewer than two CPUs or the kernel refuses. */
bool thread_affinity_split(struct thread_affinity *a);

/* Move thread th onto a->helpers; nothing when the split is not active.
 * False when the kernel refuses (the thread then runs anywhere, which is
 * only slower). */
bool thread_affinity_helper(const struct thread_affinity *a, pthread_t th);

/* Give the calling thread its saved mask back and end the split. */
void thread_affinity_restore(struct thread_affinity *a);

#endif
