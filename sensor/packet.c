/* packet.c - small helpers on packets and addresses. */
#include <arpa/inet.h>
#include <string.h>
#include "packet.h"

const char *ip_addr_str(const struct ip_addr *a, char *buf, size_t len)
{
    if (a->family == 4 && len >= 16) {
        /* Dotted quad by hand, as inet_ntop writes it: every flow record
         * prints two addresses and inet_ntop went through sprintf. */
        char *o = buf;
        for (int i = 0; i < 4; i++) {
            unsigned v = a->b[i];
            if (v >= 100)
                *o++ = (char)('0' + v / 100);
            if (v >= 10)
                *o++ = (char)('0' + v / 10 % 10);
            *o++ = (char)('0' + v % 10);
            *o++ = i < 3 ? '.' : '\0';
        }
    } else if (a->family == 4) {
        if (!inet_ntop(AF_INET, a->b, buf, (socklen_t)len))
            buf[0] = '\0';
    } else if (a->family == 6) {
        if (!inet_ntop(AF_INET6, a->b, buf, (socklen_t)len))
            buf[0] = '\0';
    } else if (len) {
        buf[0] = '\0';
    }
    return buf;
}

int ip_addr_cmp(const struct ip_addr *a, const struct ip_addr *b)
{
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    /* memcmp order, in two 8-byte words: called several times per packet
     * (flow key order and match), where the libc call cost more than the
     * compare. */
    for (int i = 0; i < 16; i += 8) {
        uint64_t x, y;
        memcpy(&x, a->b + i, 8);
        memcpy(&y, b->b + i, 8);
        if (x != y) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            x = __builtin_bswap64(x);
            y = __builtin_bswap64(y);
#endif
            return x < y ? -1 : 1;
        }
    }
    return 0;
}
