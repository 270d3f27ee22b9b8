/* decode-udp.c - the UDP header (RFC 768) and its checksum.
 *
 * The UDP length bounds the payload; bytes after it inside the IP datagram
 * are ignored, as hosts do. Over IPv4 a zero checksum means "none"; over
 * IPv6 it is invalid (RFC 8200 8.1). */
#include "decode-internal.h"

#define UDP_HDR_LEN 8

void decode_udp(struct decode_run *r, const uint8_t *b, uint32_t len)
{
    struct packet *p = r->p;
    struct cursor c;
    cursor_init(&c, b, len);
    stats_inc(r->st, STAT_DECODE_UDP);
    if (len < UDP_HDR_LEN) {
        decode_truncated(r, EV_DECODE_UDP_PKT_TOO_SMALL);
        return;
    }
    uint16_t sport = cursor_be16(&c);
    uint16_t dport = cursor_be16(&c);
    uint16_t ulen = cursor_be16(&c);
    uint16_t csum = cursor_be16(&c);
    if (ulen < UDP_HDR_LEN || (ulen > len && !r->clipped)) {
        decode_invalid(r, EV_DECODE_UDP_HLEN_INVALID);
        return;
    }
    uint32_t have = TG_MIN((uint32_t)ulen, len);
    p->sport = sport;
    p->dport = dport;
    p->l4 = b;
    p->l4_len = have;
    p->payload = b + UDP_HDR_LEN;
    p->payload_len = have - UDP_HDR_LEN;
    p->flags |= PKT_HAS_L4;
    bool none = csum == 0 && p->ip_version == 4;
    if (decode_csum_wanted(r) && !none) {
        bool good = csum != 0 &&
                    decode_csum_fold(decode_csum_add(decode_csum_pseudo(p, IPPROTO_NUM_UDP, ulen), b, ulen)) == 0;
        decode_csum_result(r, good, STAT_DECODE_CSUM_UDP_BAD, EV_DECODE_UDP_CSUM_BAD);
    }
}
