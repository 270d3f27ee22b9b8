/* decode-checksum.c - Internet checksums (RFC 1071) of IPv4 headers and of
 * TCP, UDP, ICMP and ICMPv6 segments, and how a bad one is recorded. */
#include "decode-internal.h"

#include <string.h>

/* One's complement sum of d[0..len) in the machine's byte order: the sum is
 * independent of byte order up to a final swap (RFC 1071 section 2(B)), so
 * eight bytes at a time are loaded natively (memcpy, no alignment demand),
 * added with end-around carry and folded to 16 bits at the end. */
static uint16_t decode_csum_native(const uint8_t *d, uint32_t len)
{
    /* Two 64-bit sums with end-around carry (add, adc), so two independent
     * chains run side by side. */
    uint64_t s = 0, t = 0, v;
    while (len >= 16) {
        uint64_t a, b;
        memcpy(&a, d, 8);
        memcpy(&b, d + 8, 8);
        s += a;
        s += (s < a);
        t += b;
        t += (t < b);
        d += 16;
        len -= 16;
    }
    s += t;
    s += (s < t);
    if (len >= 8) {
        memcpy(&v, d, 8);
        s += v;
        s += (s < v);
        d += 8;
        len -= 8;
    }
    /* The last 0..7 bytes, in memory order: an odd last byte is the first
     * (high-order in network order) byte of its 16-bit word, zero padded as
     * RFC 1071 pads it; in native order it keeps its place in memory. */
    if (len >= 4) {
        uint32_t w;
        memcpy(&w, d, 4);
        s += w;
        s += (s < w);
        d += 4;
        len -= 4;
    }
    if (len >= 2) {
        uint16_t h;
        memcpy(&h, d, 2);
        s += h;
        s += (s < h);
        d += 2;
        len -= 2;
    }
    if (len) {
        uint8_t pad[2] = {d[0], 0};
        uint16_t h;
        memcpy(&h, pad, 2);
        s += h;
        s += (s < h);
    }
    s = (s & 0xffffffffu) + (s >> 32);
    s = (s & 0xffffffffu) + (s >> 32);
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    return (uint16_t)s;
}

uint32_t decode_csum_add(uint32_t sum, const uint8_t *b, uint32_t len)
{
    /* The one hot loop of decode: the range is checked once through the
     * cursor, then summed without a check per word. */
    if (len == 0)
        return sum;
    struct cursor c;
    cursor_init(&c, b, len);
    if (!cursor_has(&c, len))
        return sum;
    uint16_t n = decode_csum_native(cursor_ptr(&c), len);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    n = (uint16_t)(n >> 8 | n << 8);
#endif
    /* Keep the partial sum unfolded (callers add pseudo-header words), but
     * within 32 bits. */
    uint64_t s = (uint64_t)sum + n;
    s = (s & 0xffffffffu) + (s >> 32);
    return (uint32_t)s;
}

uint16_t decode_csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

uint32_t decode_csum_pseudo(const struct packet *p, uint8_t proto, uint32_t len)
{
    uint32_t sum;
    if (p->ip_version == 4) {
        sum = decode_csum_add(0, p->src.b, 4);
        sum = decode_csum_add(sum, p->dst.b, 4);
        return sum + proto + (len & 0xffff);
    }
    sum = decode_csum_add(0, p->src.b, 16);
    sum = decode_csum_add(sum, p->dst.b, 16);
    return sum + (len >> 16) + (len & 0xffff) + proto;
}

bool decode_csum_wanted(const struct decode_run *r)
{
    return r->csum && !r->clipped && !(r->p->flags & PKT_IS_FRAGMENT);
}

void decode_csum_result(struct decode_run *r, bool good, enum stat_id stat_bad, enum event_id ev)
{
    r->csum_checked = true;
    if (good)
        return;
    r->csum_bad = true;
    stats_inc(r->st, stat_bad);
    if (!r->csum_enforce)
        return;
    r->p->flags |= PKT_CSUM_BAD;
    decode_event(r, ev);
}
