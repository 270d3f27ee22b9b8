/* table-mem.c - zeroed arrays for large hash tables, on huge pages where
 * the kernel has them.
 *
 * The flow, call and media tables are arrays of bucket heads sized for
 * their caps (megabytes) and touched at random: with 4 KB pages every
 * first touch is a page fault, hundreds of them early in a run, each a
 * few microseconds under virtualisation. Mapped on their own, aligned and
 * marked MADV_HUGEPAGE, they fault once per 2 MB. Where transparent huge
 * pages are off, the array behaves as calloc's would. */
#include "table-mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define TABLE_MEM_HUGE (2u << 20)
#define TABLE_MEM_HUGE_MIN (1u << 20)

static size_t table_mem_len(size_t bytes)
{
    return (bytes + TABLE_MEM_HUGE - 1) & ~(size_t)(TABLE_MEM_HUGE - 1);
}

void *table_mem_calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    size_t bytes = n * size;
    if (bytes < TABLE_MEM_HUGE_MIN || bytes > SIZE_MAX - 2 * TABLE_MEM_HUGE)
        return calloc(n, size);
    size_t len = table_mem_len(bytes);
    /* Map a huge page more than needed and trim both ends to alignment. */
    uint8_t *m = mmap(NULL, len + TABLE_MEM_HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    uint8_t *p = (uint8_t *)(((uintptr_t)m + TABLE_MEM_HUGE - 1) & ~(uintptr_t)(TABLE_MEM_HUGE - 1));
    if (p > m)
        munmap(m, (size_t)(p - m));
    if (m + len + TABLE_MEM_HUGE > p + len)
        munmap(p + len, (size_t)(m + len + TABLE_MEM_HUGE - (p + len)));
    (void)madvise(p, len, MADV_HUGEPAGE); /* a hint: without it, 4 KB pages */
    return p; /* anonymous memory is zero */
}

void table_mem_free(void *p, size_t n, size_t size)
{
    if (!p)
        return;
    size_t bytes = n * size;
    if (bytes < TABLE_MEM_HUGE_MIN || bytes > SIZE_MAX - 2 * TABLE_MEM_HUGE)
        free(p);
    else
        munmap(p, table_mem_len(bytes));
}
