/* capture-live.c - live sniffing on an interface with libpcap.
 *
 * SIGINT/SIGTERM end the loop cleanly through pcap_breakloop(); the caller
 * then flushes flows and prints the final statistics. The signal handler
 * only touches the pcap handle this file owns. */
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "capture.h"
#include "engine.h"

/* The handle the signal handler breaks; owned by this file, set only while
 * capture_live() runs. */
static pcap_t *volatile live_handle;

static void live_on_signal(int sig)
{
    TG_UNUSED(sig);
    pcap_t *pc = live_handle;
    if (pc)
        pcap_breakloop(pc);
}

struct live_ctx {
    struct engine *e;
    int dlt;
    bool nano; /* tv_usec holds nanoseconds */
    uint64_t num;
};

static void live_on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
    struct live_ctx *lc = (struct live_ctx *)user;
    struct packet p;
    memset(&p, 0, sizeof p);
    p.num = ++lc->num;
    p.ts_ns = (uint64_t)h->ts.tv_sec * TG_NS_PER_SEC + (uint64_t)h->ts.tv_usec * (lc->nano ? 1u : 1000u);
    p.data = data;
    p.caplen = h->caplen;
    p.wirelen = h->len;
    p.datalink = lc->dlt;
    engine_process_packet(lc->e, &p);
}

int capture_live(struct engine *e, const char *iface, const char *bpf, uint64_t count,
                 char *err, size_t errlen)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pc = pcap_create(iface, perr);
    if (!pc) {
        snprintf(err, errlen, "%s: %s", iface, perr);
        return TG_ERROR;
    }
    pcap_set_snaplen(pc, 262144);
    pcap_set_promisc(pc, 1);
    pcap_set_timeout(pc, 100);
    pcap_set_buffer_size(pc, 32 << 20);
    if (pcap_set_tstamp_precision(pc, PCAP_TSTAMP_PRECISION_NANO) != 0)
        pcap_set_tstamp_precision(pc, PCAP_TSTAMP_PRECISION_MICRO);
    int rc = pcap_activate(pc);
    if (rc < 0) {
        snprintf(err, errlen, "%s: %s", iface, pcap_geterr(pc));
        pcap_close(pc);
        return TG_ERROR;
    }
    bool nano = pcap_get_tstamp_precision(pc) == PCAP_TSTAMP_PRECISION_NANO;
    if (bpf && *bpf) {
        struct bpf_program prog;
        if (pcap_compile(pc, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
            pcap_setfilter(pc, &prog) != 0) {
            snprintf(err, errlen, "filter '%s': %s", bpf, pcap_geterr(pc));
            pcap_close(pc);
            return TG_ERROR;
        }
        pcap_freecode(&prog);
    }
    struct live_ctx lc = {.e = e, .dlt = pcap_datalink(pc), .nano = nano};
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = live_on_signal;
    sigemptyset(&sa.sa_mask);
    live_handle = pc;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    int r = 0;
    while (count == 0 || lc.num < count) {
        int want = count ? (int)TG_MIN(count - lc.num, 1000u) : 1000;
        r = pcap_dispatch(pc, want, live_on_packet, (u_char *)&lc);
        if (r < 0)
            break;
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    live_handle = NULL;
    struct pcap_stat ps;
    if (pcap_stats(pc, &ps) == 0)
        stats_add(engine_stats(e), STAT_CAPTURE_KERNEL_DROPS, ps.ps_drop + ps.ps_ifdrop);
    rc = TG_OK;
    if (r == PCAP_ERROR) {
        snprintf(err, errlen, "%s: %s", iface, pcap_geterr(pc));
        rc = TG_ERROR;
    }
    pcap_close(pc);
    return rc;
}
