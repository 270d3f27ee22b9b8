/* fuzz-sip-call.c - libFuzzer target: the call tracker and media expectations fed a sequence of arbitrary SIP messages and media flows. */
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "flow.h"
#include "sip-call.h"

/* Input: records of [len_hi, len_lo, ctl] + len bytes. ctl bit 0: sent by
 * host A (else B); bit 1: the record is a media flow whose endpoint is
 * taken from the first 6 bytes (IPv4 + port) instead of a message; bits 2-7:
 * capture time step in seconds (large steps exercise the timeouts). */

static struct sip_header fuzz_hdrs[64];

static void fuzz_sink(void *arg, const struct sip_call *c)
{
    (void)arg;
    (void)c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct config *cfg;
    if (!cfg) {
        sip_osip_init();
        cfg = config_new();
        config_set(cfg, "sip.max-calls=4");
        config_set(cfg, "sip.max-expectations=8");
    }
    struct sip_call_table *t = sip_call_table_new(cfg, NULL, NULL, NULL);
    if (!t)
        return 0;
    sip_call_set_sink(t, fuzz_sink, NULL);
    struct ip_addr a = {.family = 4, .b = {198, 18, 0, 1}}, b = {.family = 4, .b = {198, 18, 0, 2}};
    struct flow flows[4];
    memset(flows, 0, sizeof flows);
    unsigned nflows = 0;
    uint64_t now = 1700000000ull * TG_NS_PER_SEC;
    size_t off = 0;
    while (off + 3 <= size) {
        size_t len = (size_t)data[off] << 8 | data[off + 1];
        uint8_t ctl = data[off + 2];
        off += 3;
        if (len > size - off)
            len = size - off;
        const uint8_t *p = data + off;
        off += len;
        now += (uint64_t)(ctl >> 2) * (ctl & 0x80 ? 600 : 1) * TG_NS_PER_SEC;
        sip_call_expire(t, now);
        if (ctl & 2) {
            if (len < 6)
                continue;
            struct flow *f = &flows[nflows % 4];
            if (nflows >= 4)
                sip_call_flow_end(t, f); /* the slot's flow ends before reuse */
            memset(f, 0, sizeof *f);
            f->id = ++nflows;
            f->proto = IPPROTO_NUM_UDP;
            f->addr[0] = a;
            f->port[0] = 40000;
            f->addr[1].family = 4;
            memcpy(f->addr[1].b, p, 4);
            f->port[1] = (uint16_t)(p[4] << 8 | p[5]);
            f->pkts[0] = 1;
            f->last_ns = now;
            sip_call_flow_new(t, f);
            continue;
        }
        struct sip_msg m;
        sip_msg_init(&m, fuzz_hdrs, 64);
        if (sip_parse_message(p, len, SIP_DATAGRAM, &m) <= 0)
            continue;
        if (ctl & 1)
            sip_call_message_ep(t, &m, &a, 5060, &b, 5060, "udp", now);
        else
            sip_call_message_ep(t, &m, &b, 5060, &a, 5060, "tcp", now);
    }
    /* flows still live end after the table (as at engine shutdown the table goes first) */
    sip_call_table_free(t);
    return 0;
}
