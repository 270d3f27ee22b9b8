/* decode-tcp.c - the TCP header (RFC 9293), its options and checksum.
 *
 * A bad option length raises an event but does not stop decode: hosts parse
 * options up to the bad one and accept the segment (Linux does), so the
 * segment must still reach the stream engine. */
#include "decode-internal.h"

#define TCP_HDR_MIN 20
#define TCP_OPT_EOL 0
#define TCP_OPT_NOP 1
#define TCP_OPT_MSS 2
#define TCP_OPT_WSCALE 3
#define TCP_OPT_SACKOK 4
#define TCP_OPT_SACK 5
#define TCP_OPT_TS 8
#define TCP_OPT_MD5 19
#define TCP_OPT_TFO 34
#define TCP_OPT_MSS_LEN 4
#define TCP_OPT_WSCALE_LEN 3
#define TCP_OPT_SACKOK_LEN 2
#define TCP_OPT_TS_LEN 10
#define TCP_OPT_MD5_LEN 18
#define TCP_OPT_SACK_MIN 10     /* 2 + one 8-byte block */
#define TCP_OPT_TFO_MAX 18      /* 2 + cookie of at most 16 */
#define TCP_WSCALE_MAX 14       /* RFC 7323 2.3 */

/* Parse the options; false at the first one whose length is wrong. */
static bool tcp_options_parse(struct packet *p, const uint8_t *b, uint32_t len)
{
    struct cursor c;
    cursor_init(&c, b, len);
    while (cursor_left(&c) > 0) {
        uint8_t kind = cursor_u8(&c);
        if (kind == TCP_OPT_EOL)
            return true;
        if (kind == TCP_OPT_NOP)
            continue;
        uint8_t olen = cursor_u8(&c);
        if (c.err || olen < 2 || olen - 2u > cursor_left(&c))
            return false;
        struct cursor o;
        cursor_init(&o, cursor_ptr(&c), olen - 2u);
        switch (kind) {
        case TCP_OPT_MSS:
            if (olen != TCP_OPT_MSS_LEN)
                return false;
            p->tcp_mss = cursor_be16(&o);
            p->tcp_opts |= TCP_OPT_SEEN_MSS;
            break;
        case TCP_OPT_WSCALE: {
            if (olen != TCP_OPT_WSCALE_LEN)
                return false;
            uint8_t ws = cursor_u8(&o);
            p->tcp_wscale = TG_MIN(ws, (uint8_t)TCP_WSCALE_MAX);
            p->tcp_opts |= TCP_OPT_SEEN_WSCALE;
            break;
        }
        case TCP_OPT_SACKOK:
            if (olen != TCP_OPT_SACKOK_LEN)
                return false;
            p->tcp_opts |= TCP_OPT_SEEN_SACKOK;
            break;
        case TCP_OPT_SACK:
            if (olen < TCP_OPT_SACK_MIN || (olen - 2) % 8 != 0)
                return false;
            p->tcp_opts |= TCP_OPT_SEEN_SACK;
            break;
        case TCP_OPT_TS:
            if (olen != TCP_OPT_TS_LEN)
                return false;
            p->tcp_tsval = cursor_be32(&o);
            p->tcp_tsecr = cursor_be32(&o);
            p->tcp_opts |= TCP_OPT_SEEN_TS;
            break;
        case TCP_OPT_MD5:
            if (olen != TCP_OPT_MD5_LEN)
                return false;
            break;
        case TCP_OPT_TFO:
            if (olen > TCP_OPT_TFO_MAX)
                return false;
            break;
        default: break;
        }
        cursor_skip(&c, olen - 2u);
    }
    return true;
}

void decode_tcp(struct decode_run *r, const uint8_t *b, uint32_t len)
{
    struct packet *p = r->p;
    struct cursor c;
    cursor_init(&c, b, len);
    stats_inc(r->st, STAT_DECODE_TCP);
    if (len < TCP_HDR_MIN) {
        decode_truncated(r, EV_DECODE_TCP_PKT_TOO_SMALL);
        return;
    }
    uint16_t sport = cursor_be16(&c);
    uint16_t dport = cursor_be16(&c);
    uint32_t seq = cursor_be32(&c);
    uint32_t ack = cursor_be32(&c);
    uint32_t hlen = (uint32_t)(cursor_u8(&c) >> 4) * 4;
    uint8_t flags = cursor_u8(&c);
    uint16_t win = cursor_be16(&c);
    if (hlen < TCP_HDR_MIN) {
        decode_invalid(r, EV_DECODE_TCP_HLEN_TOO_SMALL);
        return;
    }
    if (hlen > len && !r->clipped) {
        decode_invalid(r, EV_DECODE_TCP_PKT_TOO_SMALL);
        return;
    }
    uint32_t have = TG_MIN(hlen, len); /* the snap length may cut options */
    p->sport = sport;
    p->dport = dport;
    p->tcp_seq = seq;
    p->tcp_ack = ack;
    p->tcp_flags = flags;
    p->tcp_win = win;
    p->tcp_opts = 0;
    if (have > TCP_HDR_MIN && !tcp_options_parse(p, b + TCP_HDR_MIN, have - TCP_HDR_MIN) && have == hlen)
        decode_event(r, EV_DECODE_TCP_INVALID_OPTLEN);
    p->l4 = b;
    p->l4_len = len;
    p->payload = b + have;
    p->payload_len = len - have;
    p->flags |= PKT_HAS_L4;
    if (decode_csum_wanted(r)) {
        uint32_t sum = decode_csum_add(decode_csum_pseudo(p, IPPROTO_NUM_TCP, len), b, len);
        decode_csum_result(r, decode_csum_fold(sum) == 0, STAT_DECODE_CSUM_TCP_BAD, EV_DECODE_TCP_CSUM_BAD);
    }
}
