/* pcaploop.c - the bench reference: a bare libpcap read loop over a file.
 *
 *   pcaploop FILE...   prints "packets bytes sum" after reading every record
 *                      (sum: of the first byte of each packet)
 *
 * It does what any reader must (pcap_next_ex, look at each header and the
 * first byte of each packet) and nothing else, so tollgate's throughput can
 * be given as a ratio against it on the same machine and file. */
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    unsigned long long packets = 0, bytes = 0, check = 0;
    for (int i = 1; i < argc; i++) {
        char err[PCAP_ERRBUF_SIZE];
        pcap_t *pc = pcap_open_offline_with_tstamp_precision(argv[i], PCAP_TSTAMP_PRECISION_NANO, err);
        if (!pc) {
            fprintf(stderr, "pcaploop: %s: %s\n", argv[i], err);
            return 1;
        }
        struct pcap_pkthdr *h;
        const u_char *data;
        int r;
        while ((r = pcap_next_ex(pc, &h, &data)) == 1) {
            packets++;
            bytes += h->caplen;
            if (h->caplen)
                check += data[0];
        }
        if (r == PCAP_ERROR)
            fprintf(stderr, "pcaploop: %s: packet %llu: %s\n", argv[i], packets + 1, pcap_geterr(pc));
        pcap_close(pc);
        if (r == PCAP_ERROR)
            return 1;
    }
    /* Printing check keeps the loads of data[0] from being optimised away. */
    printf("%llu %llu %llu\n", packets, bytes, check);
    return 0;
}
