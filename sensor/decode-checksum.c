/* decode-checksum.c - Internet checksums (RFC 1071) of IPv4 headers and of
 * TCP, UDP, ICMP and ICMPv6 segments, and how a bad one is recorded. */
#include "decode-internal.h"

uint32_t decode_csum_add(uint32_t sum, const uint8_t *b, uint32_t len)
{
    struct cursor c;
    cursor_init(&c, b, len);
    uint64_t s = sum;
    while (cursor_left(&c) >= 2)
        s += cursor_be16(&c);
    if (cursor_left(&c))
        s += (uint32_t)cursor_u8(&c) << 8;
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
