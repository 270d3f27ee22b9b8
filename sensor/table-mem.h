/* table-mem.h - zeroed arrays for large hash tables (bucket heads). */
#ifndef TG_TABLE_MEM_H
#define TG_TABLE_MEM_H
#include <stddef.h>

/* Like calloc(n, size). An array of TABLE_MEM_HUGE_MIN bytes or more is
 * mapped on its own, aligned to a huge page and marked for transparent
 * huge pages, so the first touches of a hash table spread over megabytes
 * cost a fault per 2 MB instead of one per 4 KB page. NULL on overflow or
 * out of memory. */
void *table_mem_calloc(size_t n, size_t size);
/* Free what table_mem_calloc(n, size) returned (same n and size). */
void table_mem_free(void *p, size_t n, size_t size);

#endif
