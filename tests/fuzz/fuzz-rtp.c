/* fuzz-rtp.c - libFuzzer target: RTP/RTCP parsing, the probe and stream statistics over a datagram sequence.
 *
 * Input: records of [len:1][arrival delta ms:1][datagram:len]; every
 * datagram goes to rtp_parse, rtcp_parse (strict and not) and the probe;
 * valid RTP feeds one rtp_stream per SSRC slot. */
#include <stdlib.h>
#include <string.h>
#include "rtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rtp_probe pr;
    memset(&pr, 0, sizeof pr);
    struct rtp_stream streams[4];
    bool used[4] = {false, false, false, false};
    uint64_t now = 0;
    size_t off = 0;
    while (off + 2 <= size) {
        size_t len = data[off];
        now += (uint64_t)data[off + 1] * 1000000u;
        off += 2;
        if (len > size - off)
            len = size - off;
        uint8_t *dg = malloc(len ? len : 1); /* exact size: ASan catches over-reads */
        if (!dg)
            return 0;
        memcpy(dg, data + off, len);
        off += len;
        struct rtcp_info info;
        (void)rtcp_parse(dg, len, true, &info);
        (void)rtcp_parse(dg, len, false, &info);
        (void)rtp_is_rtcp(dg, len);
        (void)rtp_probe_step(&pr, dg, len, now);
        struct rtp_header h;
        if (rtp_parse(dg, len, &h) == RTP_OK) {
            if (h.payload_off + h.payload_len + h.pad_len != len)
                abort(); /* header, payload and padding must tile the datagram */
            unsigned slot = h.ssrc & 3;
            if (!used[slot]) {
                rtp_stream_init(&streams[slot], &h, now, 0);
                used[slot] = true;
            } else {
                rtp_stream_update(&streams[slot], &h, now);
            }
            (void)rtp_stream_lost(&streams[slot]);
            (void)rtp_stream_mean_jitter(&streams[slot]);
        }
        free(dg);
    }
    struct rtp_header h;
    uint64_t ts;
    (void)rtp_probe_header(&pr, &h, &ts);
    return 0;
}
