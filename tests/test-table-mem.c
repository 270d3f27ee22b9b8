/* test-table-mem.c - zeroed hash-table arrays: small ones from calloc,
 * large ones mapped on their own and aligned for huge pages; both zeroed,
 * writable end to end, freed, and overflow refused. */
#include <stdbool.h>
#include <stdint.h>

#include "table-mem.h"
#include "test.h"

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

TEST(small_array_is_zeroed)
{
    size_t n = 1000;
    uint64_t *a = table_mem_calloc(n, sizeof *a);
    CHECK(a != NULL);
    if (!a)
        return;
    CHECK(all_zero((const uint8_t *)a, n * sizeof *a));
    a[0] = 1;
    a[n - 1] = 2;
    table_mem_free(a, n, sizeof *a);
}

TEST(large_array_is_zeroed_aligned_and_writable)
{
    /* 3 MB: more than one huge page, not a multiple of one */
    size_t n = (3u << 20) / sizeof(void *);
    void **a = table_mem_calloc(n, sizeof *a);
    CHECK(a != NULL);
    if (!a)
        return;
    CHECK_EQ_U((uintptr_t)a % (2u << 20), 0);
    CHECK(all_zero((const uint8_t *)a, n * sizeof *a));
    for (size_t i = 0; i < n; i += 4096 / sizeof *a)
        a[i] = &a[i];
    a[n - 1] = a;
    CHECK(a[n - 1] == a);
    table_mem_free(a, n, sizeof *a);
    /* a second one reuses the address space cleanly */
    a = table_mem_calloc(n, sizeof *a);
    CHECK(a != NULL && all_zero((const uint8_t *)a, n * sizeof *a));
    table_mem_free(a, n, sizeof *a);
}

TEST(overflow_and_null)
{
    CHECK(table_mem_calloc(SIZE_MAX / 4, 8) == NULL);
    table_mem_free(NULL, 10, 8); /* nothing to do */
}

TEST_MAIN(T(small_array_is_zeroed), T(large_array_is_zeroed_aligned_and_writable), T(overflow_and_null))
