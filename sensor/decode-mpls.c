/* decode-mpls.c - MPLS label stacks (RFC 3032) on Ethernet or in GRE, with
 * IPv4, IPv6 or an Ethernet pseudowire (RFC 4448, with control word) below. */
#include "decode-internal.h"

#define MPLS_LABEL_LEN 4
#define MPLS_BOTTOM 0x00000100u          /* S bit of a label stack entry */
#define MPLS_LABEL_IPV4_NULL 0           /* explicit null labels (RFC 3032 2.1) */
#define MPLS_LABEL_IPV6_NULL 2
#define MPLS_PW_CONTROL_WORD_LEN 4

void decode_mpls(struct decode_run *r, const uint8_t *b, uint32_t len)
{
    struct cursor c;
    cursor_init(&c, b, len);
    stats_inc(r->st, STAT_DECODE_MPLS);
    uint32_t entry, label;
    unsigned n = 0;
    do {
        entry = cursor_be32(&c);
        if (c.err) {
            decode_truncated(r, EV_DECODE_MPLS_MALFORMED);
            return;
        }
        if (++n > r->ctx->mpls_max_labels) {
            stats_inc(r->st, STAT_DECODE_MPLS_CAP_HIT);
            decode_invalid(r, EV_DECODE_MPLS_MALFORMED);
            return;
        }
        label = entry >> 12;
    } while (!(entry & MPLS_BOTTOM));
    const uint8_t *rest = cursor_ptr(&c);
    uint32_t left = (uint32_t)cursor_left(&c);
    uint8_t first = cursor_peek_u8(&c, c.pos);
    if (c.err) {
        decode_truncated(r, EV_DECODE_MPLS_MALFORMED);
        return;
    }
    /* Nothing says what is below the stack: the explicit null labels do,
     * otherwise the first nibble (as Suricata and Wireshark guess). */
    unsigned nibble = label == MPLS_LABEL_IPV4_NULL ? 4 : label == MPLS_LABEL_IPV6_NULL ? 6 : first >> 4;
    switch (nibble) {
    case 4: decode_ipv4(r, rest, left); break;
    case 6: decode_ipv6(r, rest, left); break;
    case 0: /* pseudowire control word, then an Ethernet frame */
        if (left < MPLS_PW_CONTROL_WORD_LEN) {
            decode_truncated(r, EV_DECODE_MPLS_MALFORMED);
            return;
        }
        decode_ethernet(r, rest + MPLS_PW_CONTROL_WORD_LEN, left - MPLS_PW_CONTROL_WORD_LEN);
        break;
    default: decode_invalid(r, EV_DECODE_MPLS_MALFORMED); break;
    }
}
