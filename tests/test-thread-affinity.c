/* test-thread-affinity.c - the engine thread's own CPU: the split pins the
 * caller to one CPU and hands the rest to helpers, the store's writer moves
 * onto them, restore undoes it, and one CPU means no split at all. */
#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#include "store.h"
#include "test.h"
#include "thread-affinity.h"

static cpu_set_t mask_of(pthread_t th)
{
    cpu_set_t s;
    CPU_ZERO(&s);
    pthread_getaffinity_np(th, sizeof s, &s);
    return s;
}

static bool have_two_cpus(void)
{
    cpu_set_t s = mask_of(pthread_self());
    if (CPU_COUNT(&s) >= 2)
        return true;
    fprintf(stderr, "  (this process may use one CPU only: the split cases are not run)\n");
    return false;
}

/* The CPUs allowed to the thread of this process named name, from
 * /proc/self/task/TID/status; false when there is no such thread. */
static bool task_mask(const char *name, cpu_set_t *out)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return false;
    struct dirent *de;
    bool found = false;
    while (!found && (de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char path[300], comm[64] = "";
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", de->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        if (!fgets(comm, sizeof comm, f))
            comm[0] = '\0';
        fclose(f);
        comm[strcspn(comm, "\n")] = '\0';
        if (strcmp(comm, name) != 0)
            continue;
        pid_t tid = (pid_t)atoi(de->d_name);
        CPU_ZERO(out);
        found = sched_getaffinity(tid, sizeof *out, out) == 0;
    }
    closedir(d);
    return found;
}

TEST(split_pins_caller_and_gives_the_rest_to_helpers)
{
    if (!have_two_cpus())
        return;
    cpu_set_t before = mask_of(pthread_self());
    struct thread_affinity a;
    CHECK(thread_affinity_split(&a));
    CHECK(a.active);
    cpu_set_t mine = mask_of(pthread_self());
    CHECK_EQ_U(CPU_COUNT(&mine), 1);
    CHECK(CPU_EQUAL(&a.saved, &before));
    CHECK_EQ_U(CPU_COUNT(&a.helpers), CPU_COUNT(&before) - 1);
    cpu_set_t both;
    CPU_AND(&both, &mine, &a.helpers);
    CHECK_EQ_U(CPU_COUNT(&both), 0);
    CPU_OR(&both, &mine, &a.helpers);
    CHECK(CPU_EQUAL(&both, &before));
    thread_affinity_restore(&a);
    CHECK(!a.active);
    cpu_set_t after = mask_of(pthread_self());
    CHECK(CPU_EQUAL(&after, &before));
}

static void *idle_thread(void *arg)
{
    (void)arg;
    usleep(1000);
    return NULL;
}

TEST(helper_thread_moves_onto_the_helpers)
{
    if (!have_two_cpus())
        return;
    struct thread_affinity a;
    CHECK(thread_affinity_split(&a));
    pthread_t th;
    CHECK(pthread_create(&th, NULL, idle_thread, NULL) == 0);
    CHECK(thread_affinity_helper(&a, th));
    cpu_set_t hm = mask_of(th);
    CHECK(CPU_EQUAL(&hm, &a.helpers));
    pthread_join(th, NULL);
    thread_affinity_restore(&a);
}

TEST(one_cpu_no_split)
{
    cpu_set_t before = mask_of(pthread_self()), one;
    int cpu = sched_getcpu();
    if (cpu < 0 || !CPU_ISSET(cpu, &before))
        for (cpu = 0; !CPU_ISSET(cpu, &before); cpu++)
            ;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    CHECK(pthread_setaffinity_np(pthread_self(), sizeof one, &one) == 0);
    struct thread_affinity a;
    CHECK(!thread_affinity_split(&a));
    CHECK(!a.active);
    cpu_set_t now = mask_of(pthread_self());
    CHECK(CPU_EQUAL(&now, &one));
    /* without a split, helpers stay where they are and restore does nothing */
    CHECK(thread_affinity_helper(&a, pthread_self()));
    thread_affinity_restore(&a);
    now = mask_of(pthread_self());
    CHECK(CPU_EQUAL(&now, &one));
    pthread_setaffinity_np(pthread_self(), sizeof before, &before);
}

TEST(store_writer_moves_onto_the_helpers)
{
    if (!have_two_cpus())
        return;
    char dir[] = "/tmp/tg-affinity-XXXXXX", path[64], err[256];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/t.db", dir);
    struct store *s = store_open(path, err, sizeof err);
    CHECK(s != NULL);
    if (!s)
        return;
    struct thread_affinity a;
    CHECK(thread_affinity_split(&a));
    CHECK(store_pin_writer(s, &a));
    cpu_set_t w;
    /* the writer names itself when it starts: wait for it */
    bool found = false;
    for (int i = 0; i < 200 && !(found = task_mask("tg-store", &w)); i++)
        usleep(5000);
    CHECK(found);
    if (found)
        CHECK(CPU_EQUAL(&w, &a.helpers));
    store_close(s);
    thread_affinity_restore(&a);
    unlink(path);
    char side[80];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    CHECK(rmdir(dir) == 0);
}

TEST_MAIN(T(split_pins_caller_and_gives_the_rest_to_helpers), T(helper_thread_moves_onto_the_helpers),
          T(one_cpu_no_split), T(store_writer_moves_onto_the_helpers))
