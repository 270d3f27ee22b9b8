/* file-writer.c - an append-only file written on a thread of its own.
 *
 * Why: eve.json gets about 10 MB per 300 MB of VoIP capture, and every
 * write() of it made the engine thread pay for the kernel's copy into the
 * page cache (4% of its time in `make bench`). Now the engine only copies
 * records into a 64 KB buffer; full buffers are queued, in order, for a
 * writer thread that calls write(). The queue is bounded (FW_QUEUE_MAX
 * buffers): when it is full the engine waits for room, so nothing is
 * dropped and memory stays capped. A failed write() is counted and its
 * bytes are lost, as they were with stdio; the caller reports the count.
 * A record that fits in a buffer is never split over two write() calls,
 * so a reader tailing the file sees whole lines whenever the writes are
 * whole. */
#include "file-writer.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "thread-affinity.h"

#define FW_BUF_BYTES (64u << 10)
/* Buffers queued at most (4 MB), and empty ones kept for reuse. */
#define FW_QUEUE_MAX 64u
#define FW_SPARE_MAX 4u

struct fw_buf {
    struct fw_buf *next;
    size_t len;
    unsigned char data[FW_BUF_BYTES];
};

struct file_writer {
    int fd;
    char name[16];          /* the thread's */
    struct fw_buf *cur;     /* the putting thread's: filling */

    /* shared, under lock */
    pthread_mutex_t lock;
    pthread_cond_t work;    /* writer: buffers queued, or stop */
    pthread_cond_t room;    /* putter: buffers written */
    struct fw_buf *head, *tail, *spare;
    unsigned queued, nspare;
    uint64_t handed, written; /* buffers handed over, and written (or failed) */
    bool stop;
    pthread_t th;

    /* the writer thread's, read by anyone */
    _Atomic uint64_t errors;
    _Atomic int first_errno;
};

/* Write all of b; false (errno set) when the kernel refuses. */
static bool fw_write_all(int fd, const unsigned char *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        if (k == 0) {
            errno = EIO;
            return false;
        }
        p += k;
        n -= (size_t)k;
    }
    return true;
}

static void *fw_thread(void *arg)
{
    struct file_writer *w = arg;
    pthread_setname_np(pthread_self(), w->name); /* for top -H and perf */
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->head && !w->stop)
            pthread_cond_wait(&w->work, &w->lock);
        if (!w->head)
            break; /* stop, and everything written */
        struct fw_buf *list = w->head;
        w->head = w->tail = NULL;
        pthread_mutex_unlock(&w->lock);

        unsigned n = 0;
        for (struct fw_buf *b = list; b; b = b->next, n++) {
            if (!fw_write_all(w->fd, b->data, b->len)) {
                int zero = 0;
                atomic_compare_exchange_strong(&w->first_errno, &zero, errno ? errno : EIO);
                atomic_fetch_add(&w->errors, 1);
            }
            /* A thread waiting for this CPU gets it between buffers (the
             * capture thread shares it in `analyze`; see store.c). */
            sched_yield();
        }

        pthread_mutex_lock(&w->lock);
        while (list) {
            struct fw_buf *b = list;
            list = b->next;
            if (w->nspare < FW_SPARE_MAX) {
                b->next = w->spare;
                w->spare = b;
                w->nspare++;
            } else {
                free(b);
            }
        }
        w->queued -= n;
        w->written += n;
        pthread_cond_broadcast(&w->room);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

struct file_writer *file_writer_open(const char *path, const char *thread_name, char *err, size_t errlen)
{
    struct file_writer *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    snprintf(w->name, sizeof w->name, "%s", thread_name);
    w->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666); /* as fopen "a", under the umask */
    if (w->fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        free(w);
        return NULL;
    }
    atomic_init(&w->errors, 0);
    atomic_init(&w->first_errno, 0);
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->work, NULL);
    pthread_cond_init(&w->room, NULL);
    /* Created with every signal blocked, so SIGINT, SIGTERM and SIGHUP
     * keep going to the engine thread. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&w->th, NULL, fw_thread, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        snprintf(err, errlen, "%s: cannot start the writer thread: %s", path, strerror(rc));
        pthread_cond_destroy(&w->work);
        pthread_cond_destroy(&w->room);
        pthread_mutex_destroy(&w->lock);
        close(w->fd);
        free(w);
        return NULL;
    }
    return w;
}

/* An empty buffer: a spare one, or a new one. */
static struct fw_buf *fw_get(struct file_writer *w)
{
    struct fw_buf *b = NULL;
    pthread_mutex_lock(&w->lock);
    if (w->spare) {
        b = w->spare;
        w->spare = b->next;
        w->nspare--;
    }
    pthread_mutex_unlock(&w->lock);
    if (!b && !(b = malloc(sizeof *b)))
        return NULL;
    b->next = NULL;
    b->len = 0;
    return b;
}

/* Queue the current buffer, waiting while the queue is full. */
static void fw_handover(struct file_writer *w)
{
    struct fw_buf *b = w->cur;
    w->cur = NULL;
    pthread_mutex_lock(&w->lock);
    while (w->queued >= FW_QUEUE_MAX)
        pthread_cond_wait(&w->room, &w->lock);
    if (w->tail)
        w->tail->next = b;
    else
        w->head = b;
    w->tail = b;
    w->queued++;
    w->handed++;
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->lock);
}

bool file_writer_put(struct file_writer *w, const void *p, size_t n)
{
    const unsigned char *s = p;
    /* A record that does not fit behind what the buffer holds starts a
     * new buffer, so it goes out in one write() (if it fits in one). */
    if (w->cur && w->cur->len && n > FW_BUF_BYTES - w->cur->len)
        fw_handover(w);
    while (n) {
        if (!w->cur && !(w->cur = fw_get(w)))
            return false;
        size_t k = FW_BUF_BYTES - w->cur->len;
        if (k > n)
            k = n;
        memcpy(w->cur->data + w->cur->len, s, k);
        w->cur->len += k;
        s += k;
        n -= k;
        if (w->cur->len == FW_BUF_BYTES)
            fw_handover(w);
    }
    return true;
}

void file_writer_flush(struct file_writer *w)
{
    if (w && w->cur && w->cur->len)
        fw_handover(w);
}

void file_writer_sync(struct file_writer *w)
{
    if (!w)
        return;
    file_writer_flush(w);
    pthread_mutex_lock(&w->lock);
    while (w->written < w->handed)
        pthread_cond_wait(&w->room, &w->lock);
    pthread_mutex_unlock(&w->lock);
}

uint64_t file_writer_errors(struct file_writer *w, int *first_errno)
{
    if (first_errno)
        *first_errno = atomic_load(&w->first_errno);
    return atomic_load(&w->errors);
}

void file_writer_pin(struct file_writer *w, const struct thread_affinity *a)
{
    if (w)
        thread_affinity_helper(a, w->th);
}

void file_writer_close(struct file_writer *w)
{
    if (!w)
        return;
    file_writer_flush(w);
    free(w->cur); /* an empty one, or none */
    pthread_mutex_lock(&w->lock);
    w->stop = true;
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->th, NULL);
    while (w->spare) {
        struct fw_buf *b = w->spare;
        w->spare = b->next;
        free(b);
    }
    pthread_cond_destroy(&w->work);
    pthread_cond_destroy(&w->room);
    pthread_mutex_destroy(&w->lock);
    close(w->fd);
    free(w);
}
