/* thread-affinity.c - pin the engine thread to its CPU, helpers to the rest
 * (see thread-affinity.h for why). */
#include "thread-affinity.h"

#include <string.h>

bool thread_affinity_split(struct thread_affinity *a)
{
    memset(a, 0, sizeof *a);
    if (pthread_getaffinity_np(pthread_self(), sizeof a->saved, &a->saved) != 0 || CPU_COUNT(&a->saved) < 2)
        return false;
    /* Stay where we are: our caches and pages are there. */
    int me = sched_getcpu();
    if (me < 0 || me >= CPU_SETSIZE || !CPU_ISSET(me, &a->saved))
        for (me = 0; !CPU_ISSET(me, &a->saved); me++)
            ;
    cpu_set_t mine;
    CPU_ZERO(&mine);
    CPU_SET(me, &mine);
    if (pthread_setaffinity_np(pthread_self(), sizeof mine, &mine) != 0)
        return false;
    a->helpers = a->saved;
    CPU_CLR(me, &a->helpers);
    a->active = true;
    return true;
}

bool thread_affinity_helper(const struct thread_affinity *a, pthread_t th)
{
    if (!a || !a->active)
        return true;
    return pthread_setaffinity_np(th, sizeof a->helpers, &a->helpers) == 0;
}

void thread_affinity_restore(struct thread_affinity *a)
{
    if (!a->active)
        return;
    pthread_setaffinity_np(pthread_self(), sizeof a->saved, &a->saved);
    a->active = false;
}
