/* file-writer.h - an append-only file whose write() calls happen on a
 * thread of its own (eve.json).
 *
 * The caller appends bytes into a buffer; full buffers go, in order, to a
 * writer thread through a bounded queue. One thread puts, one writes. */
#ifndef TG_FILE_WRITER_H
#define TG_FILE_WRITER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct file_writer;
struct thread_affinity;

/* Open (create, append to) path and start its writer thread, named
 * thread_name for top -H. NULL with a message naming path in err. */
struct file_writer *file_writer_open(const char *path, const char *thread_name, char *err, size_t errlen);

/* Append n bytes. A full buffer is queued for the thread; when the queue is
 * full this waits for room (nothing is dropped). False only when no buffer
 * could be allocated: then the bytes are not written. */
bool file_writer_put(struct file_writer *w, const void *p, size_t n);

/* Queue what the current buffer holds (the thread writes it soon). */
void file_writer_flush(struct file_writer *w);

/* Queue what the current buffer holds and wait until the thread has
 * written everything queued. */
void file_writer_sync(struct file_writer *w);

/* write() calls that failed so far (their bytes are lost) and the errno of
 * the first of them (0 when none failed). Any thread may ask. */
uint64_t file_writer_errors(struct file_writer *w, int *first_errno);

/* Move the writer thread onto the helper CPUs of a split
 * (thread-affinity.h); nothing without one. */
void file_writer_pin(struct file_writer *w, const struct thread_affinity *a);

/* Write everything, stop the thread, close the file. NULL is a no-op. */
void file_writer_close(struct file_writer *w);

#endif
