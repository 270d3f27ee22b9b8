/* capture-pcap.c - offline reading of pcap and pcapng files with libpcap.
 *
 * Files are opened with nanosecond precision so both pcap flavours and
 * pcapng keep their full timestamps. A truncated or corrupt file stops at the
 * bad record; what came before has already gone through the engine. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "capture.h"
#include "engine.h"

/* Redraw the progress bar at most this often (wall clock). */
#define PROGRESS_INTERVAL_NS (200 * 1000000ULL)

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * TG_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

static void progress_draw(const char *path, long pos, long size, uint64_t pkts, uint64_t t0)
{
    double pct = size > 0 ? 100.0 * (double)pos / (double)size : 0;
    double secs = (double)(mono_ns() - t0) / 1e9;
    double rate = secs > 0 ? (double)pkts / secs : 0;
    int width = 30, fill = (int)(pct * width / 100);
    const char *base = strrchr(path, '/');
    fprintf(stderr, "\r%-24.24s [", base ? base + 1 : path);
    for (int i = 0; i < width; i++)
        fputc(i < fill ? '#' : '.', stderr);
    fprintf(stderr, "] %5.1f%% %10.0f pkt/s", pct, rate);
    fflush(stderr);
}

int capture_file(struct engine *e, const char *path, bool progress, char *err, size_t errlen)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, perr);
    if (!pc) {
        snprintf(err, errlen, "%s: %s", path, perr);
        return TG_ERROR;
    }
    struct stats *st = engine_stats(e);
    stats_inc(st, STAT_CAPTURE_FILES);
    int dlt = pcap_datalink(pc);
    struct stat sb;
    long size = stat(path, &sb) == 0 ? (long)sb.st_size : 0;
    FILE *fp = pcap_file(pc);
    uint64_t t0 = mono_ns(), last_draw = 0, num = 0;
    int rc = TG_OK;
    for (;;) {
        struct pcap_pkthdr *h;
        const u_char *data;
        int r = pcap_next_ex(pc, &h, &data);
        if (r == PCAP_ERROR_BREAK)
            break;
        if (r == PCAP_ERROR) {
            snprintf(err, errlen, "%s: truncated or corrupt after packet %llu (reading packet %llu): %s",
                     path, (unsigned long long)num, (unsigned long long)num + 1, pcap_geterr(pc));
            stats_inc(st, STAT_CAPTURE_TRUNCATED_FILES);
            rc = TG_ERROR;
            break;
        }
        if (r != 1)
            continue;
        struct packet p;
        memset(&p, 0, sizeof p);
        p.num = ++num;
        p.ts_ns = (uint64_t)h->ts.tv_sec * TG_NS_PER_SEC + (uint64_t)h->ts.tv_usec;
        p.data = data;
        p.caplen = h->caplen;
        p.wirelen = h->len;
        p.datalink = dlt;
        engine_process_packet(e, &p);
        if (progress && (num & 1023) == 0) {
            uint64_t now = mono_ns();
            if (now - last_draw >= PROGRESS_INTERVAL_NS) {
                last_draw = now;
                progress_draw(path, fp ? ftell(fp) : 0, size, num, t0);
            }
        }
    }
    if (progress) {
        progress_draw(path, rc == TG_OK ? size : (fp ? ftell(fp) : 0), size, num, t0);
        fputc('\n', stderr);
    }
    pcap_close(pc);
    return rc;
}
