/* fuzz-iplist.c - address extraction from arbitrary text, then lookups of
 * every 16-byte window as an address. */
#include <string.h>
#include "../../rules/iplist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct iplist *l = iplist_new();
    if (!l)
        return 0;
    iplist_extract(l, (const char *)data, size);
    struct ip_addr a = {.family = 6};
    for (size_t i = 0; i + 16 <= size && i < 256; i += 16) {
        memcpy(a.b, data + i, 16);
        (void)iplist_contains(l, &a);
    }
    iplist_free(l);
    return 0;
}
