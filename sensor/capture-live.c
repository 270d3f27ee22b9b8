/* capture-live.c - live sniffing on an interface with libpcap.
 *
 * SIGINT/SIGTERM end the loop cleanly: the handler in capture.c breaks the
 * pcap loop of the handle registered here, and the loop also checks the stop
 * flag between batches. The caller then flushes flows and writes the final
 * statistics, which include the kernel's received and dropped counts. */
#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "capture.h"
#include "engine.h"
#include "output.h"

/* Large enough for any frame libpcap hands over (its own maximum). */
#define LIVE_SNAPLEN 262144
/* Poll and kernel block timeout: bounds how late packets, a stop request
 * or the stats interval are seen on a quiet link. */
#define LIVE_TIMEOUT_MS 100
/* Kernel ring buffer; bursts beyond it are kernel drops, counted. */
#define LIVE_BUFFER_BYTES (32 << 20)
/* Packets handed over per pcap_dispatch() call. */
#define LIVE_BATCH 1000u

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

/* Open and activate iface; NULL with a message naming the interface. */
static pcap_t *live_open(const char *iface, char *err, size_t errlen)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pc = pcap_create(iface, perr);
    if (!pc) {
        snprintf(err, errlen, "interface %s: %s", iface, perr);
        return NULL;
    }
    pcap_set_snaplen(pc, LIVE_SNAPLEN);
    pcap_set_promisc(pc, 1);
    pcap_set_timeout(pc, LIVE_TIMEOUT_MS);
    pcap_set_buffer_size(pc, LIVE_BUFFER_BYTES);
    if (pcap_set_tstamp_precision(pc, PCAP_TSTAMP_PRECISION_NANO) != 0)
        pcap_set_tstamp_precision(pc, PCAP_TSTAMP_PRECISION_MICRO);
    int rc = pcap_activate(pc);
    if (rc < 0) {
        const char *status = pcap_statustostr(rc), *detail = pcap_geterr(pc);
        /* libpcap fills the buffer for some statuses only, sometimes with
         * the status string itself; say each thing once. */
        if (!detail || !*detail || strcmp(detail, status) == 0)
            detail = NULL;
        snprintf(err, errlen, "interface %s: %s%s%s", iface, status, detail ? ": " : "", detail ? detail : "");
        pcap_close(pc);
        return NULL;
    }
    if (rc > 0) /* a warning, e.g. promiscuous mode not supported: go on */
        fprintf(stderr, "tollgate: interface %s: warning: %s\n", iface, pcap_statustostr(rc));
    return pc;
}

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * TG_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* Copy the kernel's counters into the statistics (they are cumulative). */
static void live_kernel_stats(pcap_t *pc, struct stats *st)
{
    struct pcap_stat ps;
    if (pcap_stats(pc, &ps) == 0) {
        stats_set(st, STAT_CAPTURE_KERNEL_RECEIVED, ps.ps_recv);
        stats_set(st, STAT_CAPTURE_KERNEL_DROPS, (uint64_t)ps.ps_drop + ps.ps_ifdrop);
    }
}

int capture_live(struct engine *e, const char *iface, const char *bpf, uint64_t count,
                 uint64_t stats_interval_ns, char *err, size_t errlen)
{
    pcap_t *pc = live_open(iface, err, errlen);
    if (!pc)
        return TG_ERROR;
    *err = '\0';
    if (bpf && *bpf) {
        struct bpf_program prog;
        if (pcap_compile(pc, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            snprintf(err, errlen, "filter '%s': %s", bpf, pcap_geterr(pc));
            pcap_close(pc);
            return CAPTURE_USAGE;
        }
        int src = pcap_setfilter(pc, &prog);
        pcap_freecode(&prog);
        if (src != 0) {
            snprintf(err, errlen, "interface %s: filter '%s': %s", iface, bpf, pcap_geterr(pc));
            pcap_close(pc);
            return TG_ERROR;
        }
    }
    struct live_ctx lc = {
        .e = e,
        .dlt = pcap_datalink(pc),
        .nano = pcap_get_tstamp_precision(pc) == PCAP_TSTAMP_PRECISION_NANO,
    };
    struct stats *st = engine_stats(e);
    struct output *out = engine_output(e);
    uint64_t next_stats = clock_ns(CLOCK_MONOTONIC) + stats_interval_ns;
    /* With TPACKET_V3 a blocking pcap_dispatch() waits for the first packet
     * however long that takes, so an idle link would never see the stop
     * flag or the stats interval. Poll with a timeout and dispatch without
     * blocking instead; a signal interrupts poll() at once. */
    char perr[PCAP_ERRBUF_SIZE];
    int fd = pcap_setnonblock(pc, 1, perr) == 0 ? pcap_get_selectable_fd(pc) : -1;
    if (fd < 0)
        pcap_setnonblock(pc, 0, perr); /* no selectable fd: block, as before */
    capture_signals_watch(pc);
    int r = 0;
    while (!capture_stop_signal() && (count == 0 || lc.num < count)) {
        if (fd >= 0) {
            struct pollfd pfd = {.fd = fd, .events = POLLIN};
            if (poll(&pfd, 1, LIVE_TIMEOUT_MS) < 0 && errno != EINTR) {
                snprintf(err, errlen, "interface %s: poll: %s", iface, strerror(errno));
                r = PCAP_ERROR;
                break;
            }
        }
        int want = (int)(count ? TG_MIN(count - lc.num, LIVE_BATCH) : LIVE_BATCH);
        r = pcap_dispatch(pc, want, live_on_packet, (u_char *)&lc);
        if (r < 0)
            break;
        /* Packets carry the kernel's wall-clock stamps, so the wall clock
         * moves engine time on when none arrive and idle flows time out. */
        if (r == 0)
            engine_tick(e, clock_ns(CLOCK_REALTIME));
        if (stats_interval_ns && out && clock_ns(CLOCK_MONOTONIC) >= next_stats) {
            next_stats += stats_interval_ns;
            live_kernel_stats(pc, st);
            output_stats(out, st, clock_ns(CLOCK_REALTIME));
        }
    }
    capture_signals_watch(NULL);
    int rc = TG_OK;
    if (r == PCAP_ERROR) {
        if (!*err)
            snprintf(err, errlen, "interface %s: capture failed after packet %llu: %s", iface,
                     (unsigned long long)lc.num, pcap_geterr(pc));
        rc = TG_ERROR;
    }
    live_kernel_stats(pc, st);
    pcap_close(pc);
    return rc;
}
