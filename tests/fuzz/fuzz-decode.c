/* fuzz-decode.c - libFuzzer target for packet decode: the first input byte
 * selects the link type (or decode_ip_datagram), the rest is the frame.
 * Besides sanitizer findings it aborts when a decoded pointer or length
 * leaves the input buffer. */
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "decode.h"

static const int fuzz_dlts[] = {1, 0, 12, 14, 101, 108, 113, 228, 229, 276, -1 /* datagram */};

static void fuzz_check_range(const uint8_t *base, size_t len, const uint8_t *ptr, uint32_t n)
{
    if (!ptr)
        return;
    if (ptr < base || ptr > base + len || n > (size_t)(base + len - ptr))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct stats st;
    static struct decode_ctx ctx;
    static bool ready;
    if (!ready) {
        struct config *cfg = config_new();
        if (!cfg)
            return 0;
        config_set(cfg, "decode.checksum-validation=yes");
        decode_ctx_init(&ctx, cfg, &st);
        config_free(cfg);
        ready = true;
    }
    if (size < 1)
        return 0;
    int dlt = fuzz_dlts[data[0] % (sizeof fuzz_dlts / sizeof fuzz_dlts[0])];
    /* a copy of exactly the frame so ASan sees any read past its end */
    size_t len = size - 1;
    uint8_t *frame = malloc(len ? len : 1);
    if (!frame)
        return 0;
    memcpy(frame, data + 1, len);
    struct packet p;
    memset(&p, 0, sizeof p);
    p.data = frame;
    p.caplen = (uint32_t)len;
    /* odd selector bytes pretend a snap length cut the frame */
    p.wirelen = (uint32_t)len + ((data[0] & 0x80) ? 64u : 0u);
    if (dlt < 0) {
        decode_ip_datagram(&ctx, &p, frame, (uint32_t)len);
    } else {
        p.datalink = dlt;
        decode_packet(&ctx, &p);
    }
    fuzz_check_range(frame, len, p.l3, p.l3_len);
    fuzz_check_range(frame, len, p.l4, p.l4_len);
    fuzz_check_range(frame, len, p.payload, p.payload_len);
    fuzz_check_range(frame, len, p.icmp_emb, p.icmp_emb_len);
    if ((p.flags & PKT_HAS_L4) && (!p.l4 || !p.l3))
        abort();
    if (p.vlan_count > PACKET_MAX_VLAN || p.tunnel_depth > PACKET_MAX_TUNNEL_DEPTH)
        abort();
    free(frame);
    return 0;
}
