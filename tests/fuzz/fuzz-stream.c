/* fuzz-stream.c - libFuzzer target: arbitrary segment sequences through TCP reassembly.
 *
 * Input: one config byte, then 7-byte records, one TCP packet each:
 *   [0] bit 7 direction, bits 0-5 TCP flags (FIN SYN RST PSH ACK URG)
 *   [1..2] signed 16-bit seq delta from where this direction's last segment ended
 *   [3..4] signed 16-bit ack delta from where the other direction's last segment ended
 *   [5] payload length
 *   [6] payload selector: 0 = the bytes every other segment has at those
 *       sequence numbers (so overlaps agree), else those bytes xor it
 * Config byte bits: 0 small caps (memcap, flow memcap, segments), 1 small
 * depth, 2 small app buffer, 3 small overlap window, 4-5 consumer mode
 * (all, lines, none until EOF, one byte), 6 ISNs near 2^32, 7 end the flow
 * half way. Checks: memory never exceeds stream.memcap, deliveries stay in
 * bounds, everything is returned when the flow ends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "stream.h"

#define FUZZ_REC 7
#define FUZZ_MEMCAP_SMALL 16384

struct fuzz_consumer {
    int mode;
    uint64_t total;
};

static size_t fuzz_deliver(void *arg, struct flow *f, struct packet *p, int dir, const uint8_t *data,
                           size_t len, unsigned flags)
{
    struct fuzz_consumer *c = arg;
    (void)p;
    if (dir < 0 || dir > 1 || !f)
        abort();
    unsigned sum = 0;
    for (size_t i = 0; i < len; i++) /* every byte must be readable (ASan) */
        sum += data[i];
    c->total += len + (sum & 1);
    if (flags & STREAM_EOF)
        return len;
    switch (c->mode) {
    case 1: {
        size_t used = 0;
        for (size_t i = 0; i < len; i++)
            if (data[i] == '\n')
                used = i + 1;
        return used;
    }
    case 2: return 0;
    case 3: return len ? 1 : 0;
    default: return len;
    }
}

/* The byte every honest segment carries at sequence number s. */
static uint8_t fuzz_byte(uint32_t s)
{
    return (s % 7 == 0) ? '\n' : (uint8_t)('a' + s % 23);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t cb = data[0];
    struct config *cfg = config_new();
    if (!cfg)
        return 0;
    uint64_t memcap = 64ull << 20;
    if (cb & 1) {
        config_set(cfg, "stream.memcap=16384");
        config_set(cfg, "stream.flow-memcap=2048");
        config_set(cfg, "stream.max-segments=8");
        memcap = FUZZ_MEMCAP_SMALL;
    }
    if (cb & 2)
        config_set(cfg, "stream.depth=600");
    if (cb & 4)
        config_set(cfg, "stream.app-buffer=64");
    if (cb & 8)
        config_set(cfg, "stream.overlap-window=32");
    struct fuzz_consumer cons = {.mode = (cb >> 4) & 3};
    struct stats st;
    memset(&st, 0, sizeof st);
    struct stream_ctx *s = stream_new(cfg, &st, fuzz_deliver, &cons);
    if (!s) {
        config_free(cfg);
        return 0;
    }
    struct flow f;
    memset(&f, 0, sizeof f);
    f.proto = IPPROTO_NUM_TCP;
    uint32_t end[2] = {1000, 50000};
    if (cb & 0x40) {
        end[0] = 0xFFFFFF00u;
        end[1] = 0xFFFFFFF0u;
    }
    static uint8_t payload[256];
    size_t nrec = (size - 1) / FUZZ_REC;
    for (size_t r = 0; r < nrec; r++) {
        const uint8_t *rec = data + 1 + r * FUZZ_REC;
        int dir = rec[0] >> 7;
        int16_t sd = (int16_t)(uint16_t)((rec[1] << 8) | rec[2]);
        int16_t ad = (int16_t)(uint16_t)((rec[3] << 8) | rec[4]);
        uint8_t len = rec[5], sel = rec[6];
        struct packet p;
        memset(&p, 0, sizeof p);
        p.num = r + 1;
        p.l4_proto = IPPROTO_NUM_TCP;
        p.flow = &f;
        p.dir = (uint8_t)dir;
        p.tcp_flags = rec[0] & 0x3F;
        p.tcp_seq = end[dir] + (uint32_t)(int32_t)sd;
        p.tcp_ack = end[dir ^ 1] + (uint32_t)(int32_t)ad;
        uint32_t first = p.tcp_seq + ((p.tcp_flags & TCP_SYN) ? 1u : 0u);
        for (unsigned i = 0; i < len; i++)
            payload[i] = fuzz_byte(first + i) ^ sel;
        p.payload = len ? payload : NULL;
        p.payload_len = len;
        f.pkts[dir]++;
        stream_process(s, &f, &p);
        end[dir] = first + len;
        if (stream_memuse(s) > memcap)
            abort();
        if (p.n_events > PACKET_MAX_EVENTS)
            abort();
        if ((cb & 0x80) && r == nrec / 2)
            stream_flow_end(s, &f);
    }
    stream_flow_end(s, &f);
    if (stream_memuse(s) != 0 || f.stream)
        abort();
    stream_free(s);
    config_free(cfg);
    return 0;
}
