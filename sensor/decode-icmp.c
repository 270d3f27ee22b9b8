/* decode-icmp.c - ICMPv4 (RFC 792) and ICMPv6 (RFC 4443): type, code,
 * checksum, and for error messages a look at the embedded IP header.
 *
 * The embedded header of an error is recorded (p->icmp_emb) and checked for
 * sanity, but never decoded into the packet's own fields: the error belongs
 * to the ICMP flow between the reporting router and the host, not to the
 * flow it quotes. */
#include "decode-internal.h"

#define ICMP_HDR_LEN 8    /* type, code, checksum, 4 bytes of message */
#define ICMPV4_DEST_UNREACH 3
#define ICMPV4_SOURCE_QUENCH 4
#define ICMPV4_REDIRECT 5
#define ICMPV4_TIME_EXCEEDED 11
#define ICMPV4_PARAM_PROBLEM 12
#define ICMPV6_ERROR_MAX 127  /* types 0-127 are errors (RFC 4443 2.1) */
#define IPV4_HDR_MIN 20
#define IPV6_HDR_LEN 40

static bool icmpv4_is_error(uint8_t type)
{
    return type == ICMPV4_DEST_UNREACH || type == ICMPV4_SOURCE_QUENCH || type == ICMPV4_REDIRECT ||
           type == ICMPV4_TIME_EXCEEDED || type == ICMPV4_PARAM_PROBLEM;
}

/* The quoted datagram must start with a whole IP header of the expected
 * version (the rest of it may be cut: only 8 bytes of it are required). */
static bool icmp_emb_ok(const uint8_t *b, uint32_t len, int version)
{
    struct cursor c;
    cursor_init(&c, b, len);
    uint8_t vh = cursor_u8(&c);
    if (c.err || vh >> 4 != version)
        return false;
    if (version == 4)
        return (vh & 0x0f) * 4u >= IPV4_HDR_MIN && (vh & 0x0f) * 4u <= len;
    return len >= IPV6_HDR_LEN;
}

/* Shared part: header fields, payload, and the embedded header of errors. */
static bool icmp_decode(struct decode_run *r, const uint8_t *b, uint32_t len, int version)
{
    struct packet *p = r->p;
    if (len < ICMP_HDR_LEN) {
        decode_truncated(r, version == 4 ? EV_DECODE_ICMPV4_PKT_TOO_SMALL : EV_DECODE_ICMPV6_PKT_TOO_SMALL);
        return false;
    }
    struct cursor c;
    cursor_init(&c, b, len);
    p->icmp_type = cursor_u8(&c);
    p->icmp_code = cursor_u8(&c);
    p->l4 = b;
    p->l4_len = len;
    p->payload = b + ICMP_HDR_LEN;
    p->payload_len = len - ICMP_HDR_LEN;
    p->flags |= PKT_HAS_L4;
    bool error = version == 4 ? icmpv4_is_error(p->icmp_type) : p->icmp_type <= ICMPV6_ERROR_MAX;
    if (error) {
        stats_inc(r->st, STAT_DECODE_ICMP_ERRORS);
        p->flags |= PKT_ICMP_ERROR;
        p->icmp_emb = p->payload;
        p->icmp_emb_len = p->payload_len;
        if (!r->clipped && !icmp_emb_ok(p->payload, p->payload_len, version))
            decode_event(r, version == 4 ? EV_DECODE_ICMPV4_EMB_INVALID : EV_DECODE_ICMPV6_EMB_INVALID);
    }
    return true;
}

void decode_icmpv4(struct decode_run *r, const uint8_t *b, uint32_t len)
{
    stats_inc(r->st, STAT_DECODE_ICMPV4);
    if (!icmp_decode(r, b, len, 4))
        return;
    if (decode_csum_wanted(r)) {
        bool good = decode_csum_fold(decode_csum_add(0, b, len)) == 0;
        decode_csum_result(r, good, STAT_DECODE_CSUM_ICMP_BAD, EV_DECODE_ICMPV4_CSUM_BAD);
    }
}

void decode_icmpv6(struct decode_run *r, const uint8_t *b, uint32_t len)
{
    stats_inc(r->st, STAT_DECODE_ICMPV6);
    if (!icmp_decode(r, b, len, 6))
        return;
    if (decode_csum_wanted(r)) {
        uint32_t sum = decode_csum_add(decode_csum_pseudo(r->p, IPPROTO_NUM_ICMPV6, len), b, len);
        decode_csum_result(r, decode_csum_fold(sum) == 0, STAT_DECODE_CSUM_ICMPV6_BAD, EV_DECODE_ICMPV6_CSUM_BAD);
    }
}
