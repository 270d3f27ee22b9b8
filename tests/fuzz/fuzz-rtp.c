/* fuzz-rtp.c - libFuzzer target: RTP/RTCP parsing, the probe, stream statistics and the rtp app layer.
 *
 * Input: records of [len:1][arrival delta ms:1][datagram:len]; every
 * datagram goes to rtp_parse, rtcp_parse (strict and not) and the probe;
 * valid RTP feeds one rtp_stream per SSRC slot. The same datagrams then go
 * through a real engine with "rtp" registered, as UDP packets of one flow
 * (the low bit of the delta byte picks the direction), so detection, the
 * probe memo replay and the per-flow statistics run too. */
#include <stdlib.h>
#include <string.h>
#include "app-layer-rtp.h"
#include "config.h"
#include "engine.h"
#include "rtp.h"

/* Ethernet + IPv4 + UDP (checksum 0) around payload; returns the frame length. */
static size_t frame(uint8_t *f, int dir, const uint8_t *pl, size_t n)
{
    static const uint8_t hdr[14] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00};
    memcpy(f, hdr, 14);
    size_t tot = 28 + n;
    uint8_t a = dir ? 2 : 1, b = dir ? 1 : 2;
    uint8_t ip[20] = {0x45, 0, (uint8_t)(tot >> 8), (uint8_t)tot, 0, 1, 0, 0, 64, 17, 0, 0,
                      198, 18, 20, a, 198, 18, 20, b};
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    ip[10] = (uint8_t)(~sum >> 8);
    ip[11] = (uint8_t)~sum;
    memcpy(f + 14, ip, 20);
    uint16_t sp = dir ? 6000 : 7000, dp = dir ? 7000 : 6000;
    uint8_t udp[8] = {(uint8_t)(sp >> 8), (uint8_t)sp, (uint8_t)(dp >> 8), (uint8_t)dp,
                      (uint8_t)((8 + n) >> 8), (uint8_t)(8 + n), 0, 0};
    memcpy(f + 34, udp, 8);
    memcpy(f + 42, pl, n);
    return 42 + n;
}

static void fuzz_engine(const uint8_t *data, size_t size)
{
    struct config *cfg = config_new();
    if (!cfg)
        return;
    config_set(cfg, "rtp.max-ssrc=2");
    char err[128];
    struct engine *e = engine_new(cfg, NULL, err, sizeof err);
    if (!e) {
        config_free(cfg);
        return;
    }
    rtp_register(engine_app_layer(e));
    uint64_t now = 1700000000ULL * TG_NS_PER_SEC, num = 0;
    size_t off = 0;
    uint8_t f[42 + 256];
    while (off + 2 <= size) {
        size_t len = data[off];
        int dir = data[off + 1] & 1;
        now += (uint64_t)data[off + 1] * 1000000u;
        off += 2;
        if (len > size - off)
            len = size - off;
        size_t fl = frame(f, dir, data + off, len);
        off += len;
        struct packet p;
        memset(&p, 0, sizeof p);
        p.num = ++num;
        p.ts_ns = now;
        p.data = f;
        p.caplen = p.wirelen = (uint32_t)fl;
        p.datalink = 1;
        engine_process_packet(e, &p);
        const struct rtp_flow_stats *fs = rtp_flow_stats(p.flow);
        if (fs && fs->n_streams > fs->max_streams)
            abort();
        if (fs)
            (void)rtp_flow_codec_name(fs, (unsigned)(num & 0x7f));
    }
    engine_free(e);
    config_free(cfg);
}

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
    fuzz_engine(data, size);
    return 0;
}
