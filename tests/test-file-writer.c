/* test-file-writer.c - eve.json's writer thread: bytes land in order and
 * whole, sync waits for them, a full queue waits instead of dropping,
 * records larger than a buffer, appending to an existing file, and write
 * errors counted (a file on /dev/full). */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file-writer.h"
#include "test.h"

static char path[64];

static void fresh(void)
{
    snprintf(path, sizeof path, "/tmp/tg-test-fw-%d.txt", (int)getpid());
    unlink(path);
}

/* The file's bytes (malloc'd, NUL-terminated) and its length. */
static char *slurp(size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)len + 1);
    if (b && fread(b, 1, (size_t)len, f) != (size_t)len) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b) {
        b[len] = '\0';
        *n = (size_t)len;
    }
    return b;
}

TEST(lines_in_order_after_sync_and_close)
{
    fresh();
    char err[256] = "";
    struct file_writer *w = file_writer_open(path, "tg-test", err, sizeof err);
    CHECK(w != NULL);
    if (!w)
        return;
    /* 100000 lines of varying length: many 64 KB buffers, and more than the
     * queue holds at once (the putter waits for room). */
    size_t want = 0;
    char line[64];
    for (int i = 0; i < 100000; i++) {
        int n = snprintf(line, sizeof line, "{\"n\":%d,\"pad\":\"%.*s\"}\n", i, i % 29, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
        CHECK(file_writer_put(w, line, (size_t)n));
        want += (size_t)n;
    }
    file_writer_sync(w);
    size_t len = 0;
    char *b = slurp(&len);
    CHECK(b != NULL);
    CHECK_EQ_U(len, want); /* sync: everything is in the file */
    /* every line in order */
    int next = 0, bad = 0;
    for (char *p = b; p && *p;) {
        int n = -1;
        if (sscanf(p, "{\"n\":%d,", &n) != 1 || n != next)
            bad++;
        next++;
        char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : NULL;
    }
    CHECK_EQ_U(bad, 0);
    CHECK_EQ_U(next, 100000);
    free(b);
    CHECK_EQ_U(file_writer_errors(w, NULL), 0);
    /* a partial buffer is written by close */
    CHECK(file_writer_put(w, "tail\n", 5));
    file_writer_close(w);
    b = slurp(&len);
    CHECK_EQ_U(len, want + 5);
    CHECK(b && strcmp(b + want, "tail\n") == 0);
    free(b);
    unlink(path);
}

TEST(big_record_and_append)
{
    fresh();
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("before\n", f);
        fclose(f);
    }
    char err[256] = "";
    struct file_writer *w = file_writer_open(path, "tg-test", err, sizeof err);
    CHECK(w != NULL);
    if (!w)
        return;
    /* 200 KB in one put: more than a buffer */
    size_t big = 200u << 10;
    char *r = malloc(big);
    CHECK(r != NULL);
    if (r) {
        for (size_t i = 0; i < big; i++)
            r[i] = (char)('a' + i % 26);
        CHECK(file_writer_put(w, "x", 1));
        CHECK(file_writer_put(w, r, big));
    }
    file_writer_close(w);
    size_t len = 0;
    char *b = slurp(&len);
    CHECK_EQ_U(len, 7 + 1 + big);
    CHECK(b && memcmp(b, "before\nx", 8) == 0 && r && memcmp(b + 8, r, big) == 0);
    free(b);
    free(r);
    unlink(path);
}

TEST(write_errors_counted)
{
    char err[256] = "";
    struct file_writer *w = file_writer_open("/dev/full", "tg-test", err, sizeof err);
    CHECK(w != NULL);
    if (!w)
        return;
    for (int i = 0; i < 3; i++) {
        CHECK(file_writer_put(w, "record\n", 7));
        file_writer_sync(w);
    }
    int e = 0;
    CHECK_EQ_U(file_writer_errors(w, &e), 3);
    CHECK_EQ_U(e, ENOSPC);
    file_writer_close(w);
}

TEST(open_error_names_the_file)
{
    char err[256] = "";
    CHECK(file_writer_open("/nonexistent-dir/eve.json", "tg-test", err, sizeof err) == NULL);
    CHECK(strstr(err, "/nonexistent-dir/eve.json") != NULL);
    CHECK(strstr(err, "No such file") != NULL);
    file_writer_close(NULL); /* a no-op */
}

TEST_MAIN(T(lines_in_order_after_sync_and_close), T(big_record_and_append), T(write_errors_counted),
          T(open_error_names_the_file))
