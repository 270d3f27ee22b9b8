/* rtpstat.c - print per-SSRC RTP statistics of a capture, for comparison with tshark's rtp,streams.
 *
 * usage: rtpstat FILE.pcap
 *
 * Every packet goes through decode_packet(); UDP datagrams are offered to
 * a per-direction rtp_probe exactly as the app layer does (two consistent
 * packets, the first one counted afterwards), then to per-SSRC rtp_stream
 * statistics. SDP bodies of SIP messages over UDP go through sdp_parse():
 * a stream sent to (or from) an address and port an SDP announced takes
 * that media's codec names and clock rates, as Wireshark does, so dynamic
 * payload types get a jitter too. One line per stream, in order of first
 * packet:
 *   SRC:PORT DST:PORT 0xSSRC pt=N codec=NAME packets=N lost=N max_delta=MS max_jitter=MS mean_jitter=MS
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "decode.h"
#include "rtp.h"
#include "sdp.h"

#define RTPSTAT_MAX_DIRS 1024
#define RTPSTAT_MAX_STREAMS 1024
#define RTPSTAT_MAX_MEDIA 256
#define RTPSTAT_MAX_PT 16

/* What one SDP media description announced for its address and port. */
struct rtpstat_media {
    struct ip_addr addr;
    uint16_t port;
    unsigned n;
    uint8_t pt[RTPSTAT_MAX_PT];
    uint32_t clock[RTPSTAT_MAX_PT];
    char name[RTPSTAT_MAX_PT][24];
};

/* One direction of a UDP 5-tuple and its probe. */
struct rtpstat_dir {
    struct ip_addr src, dst;
    uint16_t sport, dport;
    struct rtp_probe probe;
    bool is_rtp;
};

struct rtpstat_stream {
    struct rtpstat_dir *dir;
    char codec[24];    /* from SDP at the stream's start, else empty */
    struct rtp_stream s;
};

struct rtpstat {
    struct rtpstat_dir dirs[RTPSTAT_MAX_DIRS];
    size_t n_dirs;
    struct rtpstat_stream streams[RTPSTAT_MAX_STREAMS];
    size_t n_streams;
    uint64_t dropped;
    struct rtpstat_media media[RTPSTAT_MAX_MEDIA];
    size_t n_media;
    struct sdp_session *sdp;
};

/* Remember (or refresh) the payload map of every RTP media of an SDP body. */
static void rtpstat_sdp(struct rtpstat *rs, const uint8_t *body, size_t len)
{
    if (sdp_parse(rs->sdp, body, len, NULL) != TG_OK)
        return;
    for (uint32_t i = 0; i < rs->sdp->n_media; i++) {
        const struct sdp_media *m = &rs->sdp->media[i];
        if (!m->is_rtp || !m->rtp_addr.family || !m->port)
            continue;
        struct rtpstat_media *e = NULL;
        for (size_t k = 0; k < rs->n_media && !e; k++)
            if (rs->media[k].port == m->port && ip_addr_cmp(&rs->media[k].addr, &m->rtp_addr) == 0)
                e = &rs->media[k];
        if (!e) {
            if (rs->n_media == RTPSTAT_MAX_MEDIA)
                return;
            e = &rs->media[rs->n_media++];
        }
        memset(e, 0, sizeof *e);
        e->addr = m->rtp_addr;
        e->port = m->port;
        for (uint32_t c = 0; c < m->n_codecs && e->n < RTPSTAT_MAX_PT; c++, e->n++) {
            e->pt[e->n] = m->codecs[c].pt;
            e->clock[e->n] = m->codecs[c].clock;
            snprintf(e->name[e->n], sizeof e->name[e->n], "%.*s", (int)TG_MIN(m->codecs[c].encoding.len, 23u),
                     m->codecs[c].encoding.p ? (const char *)m->codecs[c].encoding.p : "");
        }
    }
}

/* The SDP entry of payload type pt for a stream to dst:dport, else from
 * src:sport (symmetric RTP); NULL when no SDP announced either. */
static const struct rtpstat_media *rtpstat_lookup(const struct rtpstat *rs, const struct rtpstat_dir *d, uint8_t pt,
                                                  unsigned *idx)
{
    for (int pass = 0; pass < 2; pass++) {
        const struct ip_addr *a = pass ? &d->src : &d->dst;
        uint16_t port = pass ? d->sport : d->dport;
        for (size_t k = 0; k < rs->n_media; k++) {
            const struct rtpstat_media *e = &rs->media[k];
            if (e->port != port || ip_addr_cmp(&e->addr, a) != 0)
                continue;
            for (unsigned i = 0; i < e->n; i++) {
                if (e->pt[i] == pt) {
                    *idx = i;
                    return e;
                }
            }
        }
    }
    return NULL;
}

/* SIP over UDP: a start line with SIP/2.0 and an SDP body after the blank line. */
static void rtpstat_sip(struct rtpstat *rs, const uint8_t *p, size_t n)
{
    if (n < 12 || (memcmp(p, "SIP/2.0 ", 8) != 0 && !memmem(p, TG_MIN(n, 256u), " SIP/2.0\r\n", 10)))
        return;
    const uint8_t *end = memmem(p, n, "\r\n\r\n", 4);
    if (!end)
        return;
    const uint8_t *body = end + 4;
    size_t blen = n - (size_t)(body - p);
    if (blen >= 4 && memcmp(body, "v=0", 3) == 0)
        rtpstat_sdp(rs, body, blen);
}

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
    unsigned idx = 0;
    const struct rtpstat_media *e = rtpstat_lookup(rs, d, h->pt, &idx);
    snprintf(st->codec, sizeof st->codec, "%s", e ? e->name[idx] : "");
    rtp_stream_init(&st->s, h, ts, e ? e->clock[idx] : 0);
}

static void rtpstat_packet(struct rtpstat *rs, const struct packet *p)
{
    if (p->l4_proto != IPPROTO_NUM_UDP || !(p->flags & PKT_HAS_L4) || (p->flags & PKT_IS_FRAGMENT) ||
        !p->payload_len)
        return;
    rtpstat_sip(rs, p->payload, p->payload_len);
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
    struct sdp_limits lim;
    sdp_limits_init(&lim, NULL);
    if (rs)
        rs->sdp = sdp_session_new(&lim);
    if (!rs || !rs->sdp) {
        free(rs);
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
        const char *codec = s->codec[0] ? s->codec : rtp_static_payload(s->s.first_pt, NULL, NULL);
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
    sdp_session_free(rs->sdp);
    free(rs);
    pcap_close(pc);
    return rc;
}
