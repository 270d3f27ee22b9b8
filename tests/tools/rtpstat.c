/* rtpstat.c - print per-SSRC RTP statistics of a capture, for comparison with tshark's rtp,streams.
 *
 * usage: rtpstat FILE.pcap
 *
 * Every packet goes through decode_packet(); UDP datagrams are offered to
 * a per-direction rtp_probe exactly as the app layer does (two consistent
 * packets, the first one counted afterwards), then to per-SSRC rtp_stream
 * statistics. One line per stream, in order of first packet:
 *   SRC:PORT DST:PORT 0xSSRC pt=N codec=NAME packets=N lost=N max_delta=MS max_jitter=MS mean_jitter=MS
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "decode.h"
#include "rtp.h"

#define RTPSTAT_MAX_DIRS 1024
#define RTPSTAT_MAX_STREAMS 1024

/* One direction of a UDP 5-tuple and its probe. */
struct rtpstat_dir {
    struct ip_addr src, dst;
    uint16_t sport, dport;
    struct rtp_probe probe;
    bool is_rtp;
};

struct rtpstat_stream {
    struct rtpstat_dir *dir;
    struct rtp_stream s;
};

struct rtpstat {
    struct rtpstat_dir dirs[RTPSTAT_MAX_DIRS];
    size_t n_dirs;
    struct rtpstat_stream streams[RTPSTAT_MAX_STREAMS];
    size_t n_streams;
    uint64_t dropped;
};

static struct rtpstat_dir *rtpstat_dir(struct rtpstat *rs, const struct packet *p)
{
    for (size_t i = 0; i < rs->n_dirs; i++) {
        struct rtpstat_dir *d = &rs->dirs[i];
        if (d->sport == p->sport && d->dport == p->dport && ip_addr_cmp(&d->src, &p->src) == 0 &&
            ip_addr_cmp(&d->dst, &p->dst) == 0)
            return d;
    }
    if (rs->n_dirs == RTPSTAT_MAX_DIRS)
        return NULL;
    struct rtpstat_dir *d = &rs->dirs[rs->n_dirs++];
    memset(d, 0, sizeof *d);
    d->src = p->src;
    d->dst = p->dst;
    d->sport = p->sport;
    d->dport = p->dport;
    return d;
}

static void rtpstat_account(struct rtpstat *rs, struct rtpstat_dir *d, const struct rtp_header *h, uint64_t ts)
{
    for (size_t i = 0; i < rs->n_streams; i++) {
        if (rs->streams[i].dir == d && rs->streams[i].s.ssrc == h->ssrc) {
            rtp_stream_update(&rs->streams[i].s, h, ts);
            return;
        }
    }
    if (rs->n_streams == RTPSTAT_MAX_STREAMS) {
        rs->dropped++;
        return;
    }
    struct rtpstat_stream *st = &rs->streams[rs->n_streams++];
    st->dir = d;
    rtp_stream_init(&st->s, h, ts, 0);
}

static void rtpstat_packet(struct rtpstat *rs, const struct packet *p)
{
    if (p->l4_proto != IPPROTO_NUM_UDP || !(p->flags & PKT_HAS_L4) || (p->flags & PKT_IS_FRAGMENT) ||
        !p->payload_len)
        return;
    struct rtpstat_dir *d = rtpstat_dir(rs, p);
    if (!d)
        return;
    if (!d->is_rtp) {
        struct rtp_probe before = d->probe;
        enum rtp_probe_verdict v = rtp_probe_step(&d->probe, p->payload, p->payload_len, p->ts_ns);
        if (v == RTP_PROBE_RTCP) {
            d->is_rtp = true;
            return;
        }
        if (v != RTP_PROBE_RTP)
            return;
        d->is_rtp = true;
        struct rtp_header ch;
        uint64_t cts;
        if (rtp_probe_header(&before, &ch, &cts))
            rtpstat_account(rs, d, &ch, cts);
    }
    if (rtp_is_rtcp(p->payload, p->payload_len))
        return;
    struct rtp_header h;
    if (rtp_parse(p->payload, p->payload_len, &h) == RTP_OK)
        rtpstat_account(rs, d, &h, p->ts_ns);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: rtpstat FILE.pcap\n");
        return 2;
    }
    char err[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pc = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, err);
    if (!pc) {
        fprintf(stderr, "rtpstat: %s: %s\n", argv[1], err);
        return 1;
    }
    struct stats st;
    memset(&st, 0, sizeof st);
    struct decode_ctx ctx;
    decode_ctx_init(&ctx, NULL, &st);
    ctx.check_checksums = false;
    struct rtpstat *rs = calloc(1, sizeof *rs);
    if (!rs) {
        fprintf(stderr, "rtpstat: out of memory\n");
        pcap_close(pc);
        return 1;
    }
    struct pcap_pkthdr *ph;
    const u_char *data;
    uint64_t num = 0;
    int r;
    while ((r = pcap_next_ex(pc, &ph, &data)) == 1) {
        struct packet p;
        memset(&p, 0, sizeof p);
        p.num = ++num;
        p.ts_ns = (uint64_t)ph->ts.tv_sec * TG_NS_PER_SEC + (uint64_t)ph->ts.tv_usec;
        p.data = data;
        p.caplen = ph->caplen;
        p.wirelen = ph->len;
        p.datalink = pcap_datalink(pc);
        decode_packet(&ctx, &p);
        rtpstat_packet(rs, &p);
    }
    int rc = 0;
    if (r == PCAP_ERROR) {
        fprintf(stderr, "rtpstat: %s: packet %llu: %s\n", argv[1], (unsigned long long)num + 1, pcap_geterr(pc));
        rc = 1;
    }
    for (size_t i = 0; i < rs->n_streams; i++) {
        const struct rtpstat_stream *s = &rs->streams[i];
        char a[64], b[64];
        const char *codec = rtp_static_payload(s->s.first_pt, NULL, NULL);
        printf("%s:%u %s:%u 0x%08X pt=%u codec=%s packets=%llu lost=%lld max_delta=%.3f max_jitter=%.3f "
               "mean_jitter=%.3f\n",
               ip_addr_str(&s->dir->src, a, sizeof a), s->dir->sport, ip_addr_str(&s->dir->dst, b, sizeof b),
               s->dir->dport, s->s.ssrc, s->s.first_pt, codec ? codec : "-", (unsigned long long)s->s.packets,
               (long long)rtp_stream_lost(&s->s), s->s.max_delta_ms, s->s.max_jitter_ms,
               rtp_stream_mean_jitter(&s->s));
    }
    if (rs->dropped)
        fprintf(stderr, "rtpstat: %llu packets of streams beyond %d not shown\n", (unsigned long long)rs->dropped,
                RTPSTAT_MAX_STREAMS);
    free(rs);
    pcap_close(pc);
    return rc;
}
