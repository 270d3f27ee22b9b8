/* decode-checksum.c - Internet checksums (RFC 1071) of IPv4 headers and of
 * TCP, UDP, ICMP and ICMPv6 segments, and how a bad one is recorded. */
#include "decode-internal.h"

uint32_t decode_csum_add(uint32_t sum, const uint8_t *b, uint32_t len)
{
    /* The one hot loop of decode: the range is checked once through the
     * cursor, then summed without a check per word. */
    struct cursor c;
    cursor_init(&c, b, len);
    if (!cursor_has(&c, len))
        return sum;
    const uint8_t *d = cursor_ptr(&c);
    uint64_t s = sum;
    uint32_t i = 0;
    /* 32-bit big-endian words fold to the same 16-bit one's complement sum
     * (2^16 = 1 modulo 0xffff) in half the steps. */
    for (; i + 3 < len; i += 4)
        s += (uint32_t)d[i] << 24 | (uint32_t)d[i + 1] << 16 | (uint32_t)d[i + 2] << 8 | d[i + 3];
    for (; i + 1 < len; i += 2)
        s += (uint32_t)(d[i] << 8 | d[i + 1]);
    if (i < len)
        s += (uint32_t)d[i] << 8;
    while (s >> 32)
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
