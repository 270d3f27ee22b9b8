/* fuzz-defrag.c - libFuzzer target: a sequence of fragments through decode and defrag.
 *
 * The input is a list of records, each opening with a kind byte:
 *   0 raw:   len(2) bytes            a raw IP packet, decoded as DLT_RAW
 *   1 v4:    id(1) off(2) flags(1) len(2) bytes
 *                                    an IPv4 fragment built around bytes;
 *                                    off in 8-byte units, flags bit 0 = MF,
 *                                    bit 1 = TCP instead of UDP, bit 2 = a
 *                                    4-byte IP option
 *   2 v6:    id(1) off(2) flags(1) len(2) bytes
 *                                    an IPv6 fragment; flags bit 0 = M,
 *                                    bit 1 = hop-by-hop and destination
 *                                    options before the fragment header
 *   3 time:  secs(1)                 advance capture time, run expiry
 * Templated fragments share addresses and a small id space so they collide
 * into the same trackers; the caps are small so every limit is reached.
 * After the run every tracker is expired and the memory must be back to
 * the empty table. */
#include <pcap/dlt.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "cursor.h"
#include "decode.h"
#include "defrag.h"

static void put16(uint8_t *b, unsigned v)
{
    b[0] = (uint8_t)(v >> 8);
    b[1] = (uint8_t)v;
}

static size_t mk_v4(uint8_t *b, uint8_t id, unsigned off, unsigned flags, const uint8_t *data, size_t len)
{
    size_t hl = flags & 4 ? 24 : 20;
    memset(b, 0, hl);
    b[0] = (uint8_t)(0x40 | (hl / 4));
    put16(b + 2, (unsigned)(hl + len));
    put16(b + 4, id);
    put16(b + 6, (flags & 1 ? 0x2000u : 0) | (off & 0x1fff));
    b[8] = 64;
    b[9] = flags & 2 ? IPPROTO_NUM_TCP : IPPROTO_NUM_UDP;
    b[12] = 198, b[13] = 18, b[15] = 1;
    b[16] = 198, b[17] = 18, b[19] = 2;
    if (hl == 24)
        b[20] = 0x94, b[21] = 4;
    /* A right header checksum, so a validating decoder lets it through. */
    uint32_t sum = 0;
    for (size_t i = 0; i < hl; i += 2)
        sum += (uint32_t)(b[i] << 8 | b[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    put16(b + 10, (uint16_t)~sum);
    memcpy(b + hl, data, len);
    return hl + len;
}

static size_t mk_v6(uint8_t *b, uint8_t id, unsigned off, unsigned flags, const uint8_t *data, size_t len)
{
    static const uint8_t ext[24] = {60, 0, 1, 4, 0, 0, 0, 0, 44, 1, 1, 12};
    size_t el = flags & 2 ? sizeof ext : 0;
    memset(b, 0, 40);
    b[0] = 0x60;
    put16(b + 4, (unsigned)(el + 8 + len));
    b[6] = el ? 0 : 44;
    b[7] = 64;
    b[8] = 0xfd, b[23] = 1;
    b[24] = 0xfd, b[39] = 2;
    if (el)
        memcpy(b + 40, ext, el);
    uint8_t *fh = b + 40 + el;
    fh[0] = IPPROTO_NUM_UDP;
    fh[1] = 0;
    put16(fh + 2, ((off & 0x1fff) << 3) | (flags & 1));
    fh[4] = fh[5] = fh[6] = 0;
    fh[7] = id;
    memcpy(fh + 8, data, len);
    return 40 + el + 8 + len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[65536 + 128];
    struct config *cfg = config_new();
    if (!cfg)
        return 0;
    config_set(cfg, "defrag.memcap=65536");
    config_set(cfg, "defrag.max-frags=16");
    config_set(cfg, "defrag.trackers=8");
    config_set(cfg, "defrag.timeout=2s");
    struct stats st;
    memset(&st, 0, sizeof st);
    struct decode_ctx dc;
    decode_ctx_init(&dc, cfg, &st);
    struct defrag *d = defrag_new(cfg, &st);
    if (!d) {
        config_free(cfg);
        return 0;
    }
    size_t base = defrag_memuse(d);
    uint64_t now = 1700000000ull * TG_NS_PER_SEC;

    struct cursor c;
    cursor_init(&c, data, size);
    while (cursor_left(&c) > 0) {
        uint8_t kind = cursor_u8(&c) & 3;
        size_t n = 0;
        if (kind == 3) {
            now += (uint64_t)cursor_u8(&c) * TG_NS_PER_SEC;
            defrag_expire(d, now);
            continue;
        }
        if (kind == 0) {
            size_t want = cursor_be16(&c); /* TG_MIN evaluates twice */
            size_t len = TG_MIN(want, cursor_left(&c));
            cursor_copy(&c, buf, len);
            n = len;
        } else {
            uint8_t id = cursor_u8(&c) & 3;
            unsigned off = cursor_be16(&c);
            unsigned flags = cursor_u8(&c);
            size_t want = cursor_be16(&c);
            size_t len = TG_MIN(want, cursor_left(&c));
            const uint8_t *p = cursor_ptr(&c);
            cursor_skip(&c, len);
            n = kind == 1 ? mk_v4(buf, id, off, flags, p, len) : mk_v6(buf, id, off, flags, p, len);
        }
        if (c.err)
            break;
        struct packet pkt;
        memset(&pkt, 0, sizeof pkt);
        pkt.data = buf;
        pkt.caplen = pkt.wirelen = (uint32_t)n;
        pkt.datalink = DLT_RAW;
        pkt.ts_ns = now;
        now += 1000;
        decode_packet(&dc, &pkt);
        if (pkt.flags & PKT_IS_FRAGMENT) {
            uint8_t *out = NULL;
            uint32_t olen = 0;
            int rc = defrag_add(d, &pkt, &out, &olen);
            if (rc == TG_OK) {
                if (!out || olen == 0 || olen > 65535u + 40u)
                    abort();
                decode_ip_datagram(&dc, &pkt, out, olen);
                free(out);
            } else if (out) {
                abort();
            }
        }
        defrag_expire(d, now);
    }
    defrag_expire(d, now + 3 * TG_NS_PER_SEC);
    if (defrag_trackers(d) != 0 || defrag_memuse(d) != base)
        abort();
    defrag_free(d);
    config_free(cfg);
    return 0;
}
