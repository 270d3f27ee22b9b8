/* defrag-dump.c - print every datagram tollgate's defragmenter rebuilds from a capture, for cross-checks.
 *
 * Usage: defrag-dump [--set K=V]... PCAP
 * One line per reassembled datagram: the frame number that completed it,
 * the IP version, the length of the data after the IP header(s) and that
 * data in hex, which is what tshark prints as ip.reassembled.data /
 * ipv6.reassembled.data; then a last line "fragments N reassembled M".
 * tests/scripts/defrag-tshark.sh compares the two. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "decode.h"
#include "defrag.h"

int main(int argc, char **argv)
{
    struct config *cfg = config_new();
    if (!cfg)
        return 1;
    int i = 1;
    for (; i + 1 < argc && strcmp(argv[i], "--set") == 0; i += 2)
        if (config_set(cfg, argv[i + 1]) != TG_OK) {
            fprintf(stderr, "defrag-dump: --set %s: expected KEY=VALUE\n", argv[i + 1]);
            return 2;
        }
    if (i + 1 != argc) {
        fprintf(stderr, "usage: defrag-dump [--set K=V]... PCAP\n");
        return 2;
    }
    char perr[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pc = pcap_open_offline_with_tstamp_precision(argv[i], PCAP_TSTAMP_PRECISION_NANO, perr);
    if (!pc) {
        fprintf(stderr, "defrag-dump: %s: %s\n", argv[i], perr);
        return 1;
    }
    static struct stats st;
    struct decode_ctx dc;
    decode_ctx_init(&dc, cfg, &st);
    struct defrag *d = defrag_new(cfg, &st);
    if (!d) {
        fprintf(stderr, "defrag-dump: out of memory\n");
        return 1;
    }
    int dlt = pcap_datalink(pc);
    struct pcap_pkthdr *h;
    const u_char *data;
    uint64_t num = 0, frags = 0, done = 0;
    while (pcap_next_ex(pc, &h, &data) == 1) {
        struct packet p;
        memset(&p, 0, sizeof p);
        p.num = ++num;
        p.ts_ns = (uint64_t)h->ts.tv_sec * TG_NS_PER_SEC + (uint64_t)h->ts.tv_usec;
        p.data = data;
        p.caplen = h->caplen;
        p.wirelen = h->len;
        p.datalink = dlt;
        decode_packet(&dc, &p);
        /* As the engine does: a datagram may hold a tunnelled fragment. */
        uint8_t *held = NULL;
        for (int round = 0; (p.flags & PKT_IS_FRAGMENT) && round <= PACKET_MAX_TUNNEL_DEPTH; round++) {
            frags++;
            uint8_t *out;
            uint32_t olen;
            if (defrag_add(d, &p, &out, &olen) != TG_OK)
                break;
            done++;
            free(held);
            held = out;
            decode_ip_datagram(&dc, &p, out, olen);
            /* Data after this datagram's own IP header(s): when it is a
             * tunnel, decode points l3 at the inner header, right there. */
            uint32_t hl = p.l3 == out ? p.l3_hlen : (uint32_t)(p.l3 - out);
            hl = TG_MIN(hl, olen);
            printf("frame %llu ipv%u len %u ", (unsigned long long)p.num, p.ip_version, olen - hl);
            for (uint32_t k = hl; k < olen; k++)
                printf("%02x", out[k]);
            printf("\n");
        }
        free(held);
        defrag_expire(d, p.ts_ns);
    }
    printf("fragments %llu reassembled %llu\n", (unsigned long long)frags, (unsigned long long)done);
    pcap_close(pc);
    defrag_free(d);
    config_free(cfg);
    return 0;
}
