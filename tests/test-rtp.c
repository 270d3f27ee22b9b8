/* test-rtp.c - unit tests of RTP/RTCP parsing, stream loss and jitter, the probe and the rtp app layer. */
#include <math.h>
#include "app-layer-rtp.h"
#include "config.h"
#include "engine.h"
#include "json.h"
#include "rtp.h"
#include "test.h"

#define MS 1000000ULL /* ns */

/* Build an RTP packet: 12-byte header, n payload bytes of 0xd5. */
static size_t mk_rtp(uint8_t *b, uint8_t pt, bool marker, uint16_t seq, uint32_t ts, uint32_t ssrc, size_t n)
{
    b[0] = 0x80;
    b[1] = (uint8_t)(pt | (marker ? 0x80 : 0));
    b[2] = (uint8_t)(seq >> 8);
    b[3] = (uint8_t)seq;
    b[4] = (uint8_t)(ts >> 24);
    b[5] = (uint8_t)(ts >> 16);
    b[6] = (uint8_t)(ts >> 8);
    b[7] = (uint8_t)ts;
    b[8] = (uint8_t)(ssrc >> 24);
    b[9] = (uint8_t)(ssrc >> 16);
    b[10] = (uint8_t)(ssrc >> 8);
    b[11] = (uint8_t)ssrc;
    memset(b + 12, 0xd5, n);
    return 12 + n;
}

static size_t unhex(const char *hex, uint8_t *out)
{
    size_t n = 0;
    for (; hex[0] && hex[1]; hex += 2) {
        unsigned v;
        sscanf(hex, "%2x", &v);
        out[n++] = (uint8_t)v;
    }
    return n;
}

TEST(rtp_header_fields)
{
    uint8_t b[256];
    size_t n = mk_rtp(b, 8, true, 4711, 160000, 0xD2BD4E3E, 160);
    struct rtp_header h;
    CHECK_EQ_U(rtp_parse(b, n, &h), RTP_OK);
    CHECK_EQ_U(h.version, 2);
    CHECK_EQ_U(h.pt, 8);
    CHECK_EQ_U(h.marker, 1);
    CHECK_EQ_U(h.seq, 4711);
    CHECK_EQ_U(h.ts, 160000);
    CHECK_EQ_U(h.ssrc, 0xD2BD4E3E);
    CHECK_EQ_U(h.payload_off, 12);
    CHECK_EQ_U(h.payload_len, 160);
    CHECK(!rtp_is_rtcp(b, n));

    /* two CSRCs, a one-word extension and 4 bytes of padding */
    uint8_t c[64] = {0xb2, 0x00, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9, /* V=2 P=1 X=1 CC=2 */
                     0, 0, 0, 0xa, 0, 0, 0, 0xb,                /* CSRCs */
                     0xbe, 0xde, 0, 1, 1, 2, 3, 4,              /* extension: profile, 1 word */
                     'x', 'y', 'z', 0, 0, 0, 4};                /* payload "xyz", padding 4 */
    CHECK_EQ_U(rtp_parse(c, 35, &h), RTP_OK);
    CHECK_EQ_U(h.csrc_count, 2);
    CHECK_EQ_U(h.csrc[1], 0xb);
    CHECK_EQ_U(h.ext_profile, 0xbede);
    CHECK_EQ_U(h.ext_len, 4);
    CHECK_EQ_U(h.header_len, 28);
    CHECK_EQ_U(h.pad_len, 4);
    CHECK_EQ_U(h.payload_len, 3);
}

TEST(rtp_rejects)
{
    uint8_t b[64];
    struct rtp_header h;
    size_t n = mk_rtp(b, 0, false, 1, 1, 1, 20);
    CHECK_EQ_U(rtp_parse(b, 11, &h), RTP_REJ_SHORT);
    CHECK_EQ_U(rtp_parse(b, 12, &h), RTP_REJ_EMPTY);
    b[0] = 0x40; /* version 1 */
    CHECK_EQ_U(rtp_parse(b, n, &h), RTP_REJ_VERSION);
    mk_rtp(b, 72, false, 1, 1, 1, 20); /* RTCP range */
    CHECK_EQ_U(rtp_parse(b, n, &h), RTP_REJ_PT);
    mk_rtp(b, 0, false, 1, 1, 1, 20);
    b[0] = 0x8f; /* 15 CSRCs = 60 bytes, only 20 there */
    CHECK_EQ_U(rtp_parse(b, n, &h), RTP_REJ_SHORT);
    mk_rtp(b, 0, false, 1, 1, 1, 20);
    b[0] = 0x90; /* extension header claims 0xd5d5 words */
    CHECK_EQ_U(rtp_parse(b, n, &h), RTP_REJ_SHORT);
    mk_rtp(b, 0, false, 1, 1, 1, 20);
    b[0] = 0xa0; /* padding count 0xd5 > 20 bytes */
    CHECK_EQ_U(rtp_parse(b, n, &h), RTP_REJ_PADDING);
    b[n - 1] = 0;
    CHECK_EQ_U(rtp_parse(b, n, &h), RTP_REJ_PADDING);
    b[n - 1] = 20; /* padding eats the whole payload */
    CHECK_EQ_U(rtp_parse(b, n, &h), RTP_REJ_EMPTY);
}

/* Two datagrams of ../shared/pcaps/ndpi/pcap/rtcp_multiple_pkts_in_the_same_datagram.pcap. */
static const char RTCP_SR_SDES[] =
    "81c8000c5d931534dd3ac1704d614df800007d00000000c800007d0000000000000000010000000000000000000000000000000081ca00"
    "0e5d931534010835643933313533340725467265655357495443482e6f7267202d2d20436f6d6520746f20436c7565436f6e2e636f6d"
    "000000";
static const char RTCP_RR_SDES[] =
    "81c9000701932db400000000010000010000bec200000001000000000000000081ca000e01932db4010731393332646234072546726565"
    "5357495443482e6f7267202d2d20436f6d6520746f20436c7565436f6e2e636f6d00000000";

TEST(rtcp_compound_real)
{
    uint8_t b[256];
    size_t n = unhex(RTCP_SR_SDES, b);
    CHECK_EQ_U(n, 112);
    CHECK(rtp_is_rtcp(b, n));
    struct rtcp_info info;
    CHECK_EQ_U(rtcp_parse(b, n, true, &info), TG_OK);
    CHECK_EQ_U(info.n_packets, 2);
    CHECK(info.compound_ok);
    CHECK_EQ_U(info.pkt[0].pt, RTCP_SR);
    CHECK_EQ_U(info.pkt[0].len, 52);
    CHECK_EQ_U(info.pkt[1].pt, RTCP_SDES);
    CHECK_EQ_U(info.pkt[1].len, 60);
    CHECK(info.has_sr);
    CHECK_EQ_U(info.sr_ssrc, 0x5d931534);
    CHECK_EQ_U(info.sr_rtp_ts, 0x7d00);
    CHECK_EQ_U(info.sr_packets, 200);
    CHECK_EQ_U(info.sr_octets, 32000);

    n = unhex(RTCP_RR_SDES, b);
    CHECK_EQ_U(n, 92);
    CHECK_EQ_U(rtcp_parse(b, n, true, &info), TG_OK);
    CHECK_EQ_U(info.n_packets, 2);
    CHECK_EQ_U(info.pkt[0].pt, RTCP_RR);
    CHECK_EQ_U(info.pkt[0].ssrc, 0x01932db4);
    CHECK(info.has_report);
    CHECK_EQ_U(info.rb_fraction_lost, 1);
    CHECK_EQ_U(info.rb_cum_lost, 1);
    CHECK_EQ_U(info.rb_jitter, 1);

    /* a datagram of the two compounds back to back is still one walk */
    uint8_t two[256];
    size_t a = unhex(RTCP_SR_SDES, two);
    a += unhex(RTCP_RR_SDES, two + a);
    CHECK_EQ_U(rtcp_parse(two, a, true, &info), TG_OK);
    CHECK_EQ_U(info.n_packets, 4);
}

TEST(rtcp_rejects)
{
    uint8_t b[256];
    struct rtcp_info info;
    size_t n = unhex(RTCP_SR_SDES, b);
    CHECK_EQ_U(rtcp_parse(b, n - 4, true, &info), TG_DECLINED); /* lengths no longer walk to the end */
    CHECK_EQ_U(rtcp_parse(b, 3, true, &info), TG_DECLINED);
    b[0] = 0xa1; /* padding on the first of two packets */
    CHECK_EQ_U(rtcp_parse(b, n, true, &info), TG_DECLINED);
    n = unhex(RTCP_SR_SDES, b);
    b[53] = 195; /* second packet type IJ: not in 200-207 */
    CHECK_EQ_U(rtcp_parse(b, n, true, &info), TG_DECLINED);
    CHECK_EQ_U(rtcp_parse(b, n, false, &info), TG_OK);
    b[53] = 150; /* not RTCP at all */
    CHECK_EQ_U(rtcp_parse(b, n, false, &info), TG_DECLINED);
    /* two stray bytes after whole packets (a real stack's SR+RR+SDES of
     * SIP_CALL_RTP_G711.pcap frame 531): tolerated, not in strict mode */
    n = unhex(RTCP_RR_SDES, b);
    b[n] = b[n + 1] = 0;
    CHECK_EQ_U(rtcp_parse(b, n + 2, true, &info), TG_DECLINED);
    CHECK_EQ_U(rtcp_parse(b, n + 2, false, &info), TG_OK);
    CHECK_EQ_U(info.n_packets, 2);
    CHECK_EQ_U(info.trailing, 2);
    CHECK_EQ_U(rtcp_parse(b, n + 4, false, &info), TG_DECLINED); /* 4 bytes: a bad packet header */
    /* an SR too short for its sender info */
    uint8_t sr[8] = {0x80, 200, 0, 1, 0, 0, 0, 1};
    CHECK_EQ_U(rtcp_parse(sr, sizeof sr, true, &info), TG_DECLINED);
    /* a lone BYE parses but is not a valid compound start */
    uint8_t bye[8] = {0x81, 203, 0, 1, 0, 0, 0, 7};
    CHECK_EQ_U(rtcp_parse(bye, sizeof bye, true, &info), TG_OK);
    CHECK(!info.compound_ok);
}

TEST(static_payload_table)
{
    uint32_t clock = 0;
    uint8_t ch = 0;
    CHECK_STR(rtp_static_payload(0, &clock, &ch), "PCMU");
    CHECK_EQ_U(clock, 8000);
    CHECK_STR(rtp_static_payload(3, NULL, NULL), "GSM");
    CHECK_STR(rtp_static_payload(4, NULL, NULL), "G723");
    CHECK_STR(rtp_static_payload(8, NULL, NULL), "PCMA");
    CHECK_STR(rtp_static_payload(9, &clock, NULL), "G722");
    CHECK_EQ_U(clock, 8000); /* RFC 3551: G.722 uses an 8000 Hz RTP clock */
    CHECK_STR(rtp_static_payload(10, &clock, &ch), "L16");
    CHECK_EQ_U(ch, 2);
    CHECK_STR(rtp_static_payload(18, NULL, NULL), "G729");
    CHECK_STR(rtp_static_payload(34, &clock, NULL), "H263");
    CHECK_EQ_U(clock, 90000);
    CHECK(rtp_static_payload(2, NULL, NULL) == NULL);
    CHECK(rtp_static_payload(96, NULL, NULL) == NULL);
    CHECK(rtp_static_payload(1000, NULL, NULL) == NULL);
    CHECK_EQ_U(rtp_encoding_clock("OPUS", 4), 48000);
    CHECK_EQ_U(rtp_encoding_clock("telephone-event", 15), 8000);
    CHECK_EQ_U(rtp_encoding_clock("nonesuch", 8), 0);
}

/* Feed packets with the given sequence numbers, 20 ms and 160 ticks apart. */
static void feed(struct rtp_stream *s, const uint16_t *seqs, size_t n)
{
    uint8_t b[64];
    struct rtp_header h;
    for (size_t i = 0; i < n; i++) {
        size_t len = mk_rtp(b, 0, false, seqs[i], (uint32_t)(seqs[i] * 160u), 0x1234, 20);
        CHECK_EQ_U(rtp_parse(b, len, &h), RTP_OK);
        if (i == 0)
            rtp_stream_init(s, &h, 1000 * MS, 0);
        else
            rtp_stream_update(s, &h, (1000 + 20 * i) * MS);
    }
}

TEST(loss_with_wraparound)
{
    /* 65530..65535, 0..5 with 65534 and 2 missing: 12 expected, 10 received */
    static const uint16_t seqs[] = {65530, 65531, 65532, 65533, 65535, 0, 1, 3, 4, 5};
    struct rtp_stream s;
    feed(&s, seqs, TG_ARRAY_LEN(seqs));
    CHECK_EQ_U(s.packets, 10);
    CHECK_EQ_U(s.cycles, 65536);
    CHECK_EQ_U(s.max_seq, 5);
    CHECK_EQ_U(rtp_stream_expected(&s), 12);
    CHECK_EQ_U(rtp_stream_lost(&s), 2);
    CHECK_EQ_U(s.out_of_order, 0);
    CHECK_EQ_U(s.duplicates, 0);
    CHECK_EQ_U(s.bytes, 200);
}

TEST(reorder_and_duplicates)
{
    /* 10 11 13 12 13 14: 12 late (out of order), 13 again (duplicate) */
    static const uint16_t seqs[] = {10, 11, 13, 12, 13, 14};
    struct rtp_stream s;
    feed(&s, seqs, TG_ARRAY_LEN(seqs));
    CHECK_EQ_U(s.packets, 6);
    CHECK_EQ_U(s.out_of_order, 1);
    CHECK_EQ_U(s.duplicates, 1);
    CHECK_EQ_U(rtp_stream_expected(&s), 5);
    /* A.1 counts the duplicate as received: lost = 5 - 6 = -1 */
    CHECK_EQ_U(rtp_stream_lost(&s), (uint64_t)-1);
}

TEST(sequence_restart)
{
    /* 100..103, then the source restarts at 40000: one packet after the
     * jump is held back (bad_seq), the second confirms the restart */
    static const uint16_t seqs[] = {100, 101, 102, 103, 40000, 40001, 40002, 40004};
    struct rtp_stream s;
    feed(&s, seqs, TG_ARRAY_LEN(seqs));
    CHECK_EQ_U(s.restarts, 1);
    CHECK_EQ_U(s.packets, 8);
    CHECK_EQ_U(s.base_seq, 40001);
    /* 4 expected before + 40001..40004 = 4 after; received 4 + 3 */
    CHECK_EQ_U(rtp_stream_expected(&s), 8);
    CHECK_EQ_U(rtp_stream_lost(&s), 1);
    /* a lone jump that is not confirmed does not restart */
    static const uint16_t lone[] = {100, 101, 30000, 102, 103};
    feed(&s, lone, TG_ARRAY_LEN(lone));
    CHECK_EQ_U(s.restarts, 0);
    CHECK_EQ_U(rtp_stream_expected(&s), 4);
    CHECK_EQ_U(rtp_stream_lost(&s), 0);
}

TEST(jitter_hand_computed)
{
    /* G.711, 20 ms frames (160 ticks at 8000 Hz), arrivals 0, 20, 45, 60,
     * 80 ms. D per RFC 3550 A.8 in ms: 0, 5, 5, 0, so
     * J = 0, 5/16 = 0.3125, 0.3125 + (5 - 0.3125)/16 = 0.60546875,
     * 0.60546875 * 15/16 = 0.567626953125; max delta 25 ms. */
    static const uint64_t arrive_ms[] = {0, 20, 45, 60, 80};
    struct rtp_stream s;
    uint8_t b[256];
    struct rtp_header h;
    for (size_t i = 0; i < TG_ARRAY_LEN(arrive_ms); i++) {
        size_t len = mk_rtp(b, 8, false, (uint16_t)(7 + i), (uint32_t)(4294967000u + 160u * i), 0xabc, 160);
        CHECK_EQ_U(rtp_parse(b, len, &h), RTP_OK);
        if (i == 0)
            rtp_stream_init(&s, &h, arrive_ms[i] * MS, 0);
        else
            rtp_stream_update(&s, &h, arrive_ms[i] * MS);
    }
    CHECK_EQ_U(s.clock, 8000);
    CHECK(fabs(s.jitter_ms - 0.567626953125) < 1e-9);
    CHECK(fabs(s.max_jitter_ms - 0.60546875) < 1e-9);
    CHECK(fabs(rtp_stream_mean_jitter(&s) - (0 + 0.3125 + 0.60546875 + 0.567626953125) / 4) < 1e-9);
    CHECK(fabs(s.max_delta_ms - 25.0) < 1e-9);
    CHECK_EQ_U(rtp_stream_lost(&s), 0);
}

TEST(jitter_ignores_marker_and_unclocked)
{
    /* A talkspurt start (marker) after 100 ms of silence is left out of
     * max delta and max jitter; a dynamic-PT event packet without a clock
     * does not move the jitter. */
    struct rtp_stream s;
    uint8_t b[256];
    struct rtp_header h;
    size_t len = mk_rtp(b, 0, false, 1, 0, 5, 160);
    rtp_parse(b, len, &h);
    rtp_stream_init(&s, &h, 0, 0);
    len = mk_rtp(b, 0, false, 2, 160, 5, 160);
    rtp_parse(b, len, &h);
    rtp_stream_update(&s, &h, 20 * MS);
    len = mk_rtp(b, 101, true, 3, 320, 5, 4); /* event, unknown clock */
    rtp_parse(b, len, &h);
    rtp_stream_update(&s, &h, 33 * MS);
    CHECK(s.jitter_ms == 0.0);
    len = mk_rtp(b, 0, true, 4, 1280, 5, 160); /* marker: 120 ms later, ts says 140 ms */
    rtp_parse(b, len, &h);
    rtp_stream_update(&s, &h, 140 * MS);
    CHECK(fabs(s.jitter_ms - 20.0 / 16) < 1e-9);
    CHECK(s.max_jitter_ms == 0.0);
    CHECK(fabs(s.max_delta_ms - 20.0) < 1e-9);
    CHECK_EQ_U(s.packets, 4);
}

TEST(probe_two_packets)
{
    uint8_t b[64];
    struct rtp_probe pr;
    memset(&pr, 0, sizeof pr);
    size_t n = mk_rtp(b, 0, false, 100, 0, 77, 20);
    CHECK_EQ_U(rtp_probe_step(&pr, b, n, 5), RTP_PROBE_MORE);
    /* a STUN message in between keeps the candidate */
    uint8_t stun[20] = {0x00, 0x01, 0, 0, 0x21, 0x12, 0xa4, 0x42};
    CHECK_EQ_U(rtp_probe_step(&pr, stun, sizeof stun, 6), RTP_PROBE_NO);
    n = mk_rtp(b, 0, false, 101, 160, 77, 20);
    CHECK_EQ_U(rtp_probe_step(&pr, b, n, 7), RTP_PROBE_RTP);
    struct rtp_header h;
    uint64_t ts;
    CHECK(rtp_probe_header(&pr, &h, &ts));
    CHECK_EQ_U(h.seq, 100);
    CHECK_EQ_U(h.ssrc, 77);
    CHECK_EQ_U(h.payload_len, 20);
    CHECK_EQ_U(ts, 5);

    /* another SSRC, a far sequence number or another PT only restart */
    memset(&pr, 0, sizeof pr);
    n = mk_rtp(b, 0, false, 100, 0, 77, 20);
    CHECK_EQ_U(rtp_probe_step(&pr, b, n, 1), RTP_PROBE_MORE);
    n = mk_rtp(b, 0, false, 101, 0, 78, 20);
    CHECK_EQ_U(rtp_probe_step(&pr, b, n, 2), RTP_PROBE_MORE);
    n = mk_rtp(b, 0, false, 101 + 150, 0, 78, 20);
    CHECK_EQ_U(rtp_probe_step(&pr, b, n, 3), RTP_PROBE_MORE);
    n = mk_rtp(b, 8, false, 252, 0, 78, 20);
    CHECK_EQ_U(rtp_probe_step(&pr, b, n, 4), RTP_PROBE_MORE);
    n = mk_rtp(b, 8, false, 252, 0, 78, 20); /* same seq again */
    CHECK_EQ_U(rtp_probe_step(&pr, b, n, 5), RTP_PROBE_MORE);
    n = mk_rtp(b, 8, false, 253, 0, 78, 20);
    CHECK_EQ_U(rtp_probe_step(&pr, b, n, 6), RTP_PROBE_RTP);

    /* SIP text and DNS-like bytes are not RTP; compound RTCP is at once */
    memset(&pr, 0, sizeof pr);
    const char *sip = "INVITE sip:bob@198.18.0.2 SIP/2.0\r\n";
    CHECK_EQ_U(rtp_probe_step(&pr, (const uint8_t *)sip, strlen(sip), 1), RTP_PROBE_NO);
    uint8_t rtcp[128];
    n = unhex(RTCP_RR_SDES, rtcp);
    CHECK_EQ_U(rtp_probe_step(&pr, rtcp, n, 2), RTP_PROBE_RTCP);
}

/* ---- engine integration: the rtp app layer on real frames ---- */

static uint16_t ip_csum(const uint8_t *h, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(h[i] << 8 | h[i + 1]);
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

/* Ethernet + IPv4 + UDP (checksum 0) around payload. */
static size_t mk_frame(uint8_t *f, uint8_t src_last, uint8_t dst_last, uint16_t sport, uint16_t dport,
                       const uint8_t *pl, size_t n)
{
    static const uint8_t macs[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
    memcpy(f, macs, 12);
    f[12] = 0x08;
    f[13] = 0x00;
    uint8_t *ip = f + 14;
    size_t tot = 20 + 8 + n;
    uint8_t iph[20] = {0x45, 0, (uint8_t)(tot >> 8), (uint8_t)tot, 0, 1, 0, 0, 64, 17, 0, 0,
                       198, 18, 20, src_last, 198, 18, 20, dst_last};
    uint16_t c = ip_csum(iph, 20);
    iph[10] = (uint8_t)(c >> 8);
    iph[11] = (uint8_t)c;
    memcpy(ip, iph, 20);
    uint8_t *udp = ip + 20;
    udp[0] = (uint8_t)(sport >> 8);
    udp[1] = (uint8_t)sport;
    udp[2] = (uint8_t)(dport >> 8);
    udp[3] = (uint8_t)dport;
    udp[4] = (uint8_t)((8 + n) >> 8);
    udp[5] = (uint8_t)(8 + n);
    udp[6] = udp[7] = 0;
    memcpy(udp + 8, pl, n);
    return 14 + tot;
}

static struct flow *send_frame(struct engine *e, uint64_t num, uint64_t ts_ns, const uint8_t *frame, size_t n)
{
    struct packet p;
    memset(&p, 0, sizeof p);
    p.num = num;
    p.ts_ns = ts_ns;
    p.data = frame;
    p.caplen = p.wirelen = (uint32_t)n;
    p.datalink = 1; /* DLT_EN10MB */
    engine_process_packet(e, &p);
    return p.flow;
}

TEST(app_layer_rtp_flow)
{
    struct config *cfg = config_new();
    char err[256];
    struct engine *e = engine_new(cfg, NULL, err, sizeof err);
    CHECK(e != NULL);
    if (!e)
        return;
    struct app_layer *al = engine_app_layer(e);
    rtp_register(al);
    CHECK(app_layer_id(al, "rtp") > 0);

    uint8_t pl[256], fr[512];
    uint64_t num = 0, t0 = 1700000000ULL * TG_NS_PER_SEC;
    struct flow *f = NULL;
    /* 10 packets caller -> callee with 65535 wrap and one lost (seq 2),
     * 5 packets back, one RTCP RR each way. */
    static const uint16_t fwd[] = {65532, 65533, 65534, 65535, 0, 1, 3, 4, 5, 6};
    for (size_t i = 0; i < TG_ARRAY_LEN(fwd); i++) {
        size_t n = mk_rtp(pl, 0, i == 0, fwd[i], (uint32_t)(160u * i), 0x1111, 160);
        size_t fl = mk_frame(fr, 1, 2, 40000, 6000, pl, n);
        struct flow *g = send_frame(e, ++num, t0 + (uint64_t)i * 20 * MS, fr, fl);
        CHECK(g != NULL);
        f = g;
        if (i == 0)
            CHECK(rtp_flow_stats(f) == NULL); /* one packet is not enough */
        else
            CHECK(rtp_flow_stats(f) != NULL);
    }
    for (size_t i = 0; i < 5; i++) {
        size_t n = mk_rtp(pl, 8, false, (uint16_t)(900 + i), (uint32_t)(160u * i), 0x2222, 160);
        size_t fl = mk_frame(fr, 2, 1, 6000, 40000, pl, n);
        send_frame(e, ++num, t0 + 5 * MS + (uint64_t)i * 20 * MS, fr, fl);
    }
    size_t rn = unhex(RTCP_RR_SDES, pl);
    size_t fl = mk_frame(fr, 1, 2, 40000, 6000, pl, rn);
    send_frame(e, ++num, t0 + 300 * MS, fr, fl);

    const struct rtp_flow_stats *fs = rtp_flow_stats(f);
    CHECK(fs != NULL);
    if (fs) {
        CHECK_EQ_U(fs->n_streams, 2);
        CHECK_EQ_U(fs->max_streams, RTP_FLOW_DEFAULT_MAX_SSRC);
        CHECK_EQ_U(fs->rtp_packets[DIR_TO_SERVER], 10); /* the probe's first packet counted too */
        CHECK_EQ_U(fs->rtp_packets[DIR_TO_CLIENT], 5);
        CHECK_EQ_U(fs->rtp_bytes[DIR_TO_SERVER], 10 * 172);
        CHECK_EQ_U(fs->rtcp_packets[DIR_TO_SERVER], 1);
        CHECK(fs->rtcp_report[DIR_TO_SERVER].present);
        CHECK_EQ_U(fs->rtcp_report[DIR_TO_SERVER].cum_lost, 1);
        const struct rtp_stream *a = &fs->streams[0], *b = &fs->streams[1];
        CHECK_EQ_U(a->ssrc, 0x1111);
        CHECK_EQ_U(a->dir, DIR_TO_SERVER);
        CHECK_EQ_U(a->packets, 10);
        CHECK_EQ_U(rtp_stream_expected(a), 11);
        CHECK_EQ_U(rtp_stream_lost(a), 1);
        CHECK(a->marker_seen);
        CHECK_EQ_U(b->ssrc, 0x2222);
        CHECK_EQ_U(b->dir, DIR_TO_CLIENT);
        CHECK_EQ_U(b->packets, 5);
        CHECK_EQ_U(rtp_stream_lost(b), 0);
        CHECK(b->jitter_ms == 0.0);
        CHECK_STR(fs->security == SDP_SEC_UNKNOWN ? "unknown" : "set", "unknown");
        CHECK_STR(rtp_flow_codec_name(fs, 0), "PCMU");
        CHECK(rtp_flow_codec_name(fs, 101) == NULL);

        struct json j;
        json_init(&j);
        json_open_object(&j, NULL);
        rtp_flow_json(fs, &j);
        json_close_object(&j);
        CHECK(j.buf && strstr(j.buf, "{\"security\":\"unknown\",\"rtcp\":{\"pkts_toserver\":1,\"pkts_toclient\":0},"
                                     "\"invalid\":0,\"ssrc_dropped\":0,\"streams\":[{\"ssrc\":4369,"
                                     "\"direction\":\"to_server\",\"payload_type\":0,\"codec\":\"PCMU\","
                                     "\"clock_rate\":8000,\"packets\":10,\"bytes\":1600,\"expected\":11,"
                                     "\"lost\":1,\"out_of_order\":0,\"duplicates\":0,\"restarts\":0,"
                                     "\"max_delta_ms\":20,") == j.buf);
        CHECK(j.buf && strstr(j.buf, "\"ssrc\":8738,\"direction\":\"to_client\",\"payload_type\":8,\"codec\":\"PCMA\"") != NULL);
        CHECK(j.buf && strstr(j.buf, "\"start\":\"") != NULL);
        json_free(&j);

        /* what SDP says reaches the flow */
        struct sdp_limits lim;
        sdp_limits_init(&lim, NULL);
        struct sdp_session *s = sdp_session_new(&lim);
        const char *body = "v=0\r\no=- 1 1 IN IP4 198.18.20.2\r\ns=-\r\nc=IN IP4 198.18.20.2\r\nt=0 0\r\n"
                           "m=audio 6000 RTP/SAVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n"
                           "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n";
        CHECK_EQ_U(sdp_parse(s, (const uint8_t *)body, strlen(body), NULL), TG_OK);
        CHECK_EQ_U(rtp_flow_set_media(f, &s->media[0]), TG_OK);
        CHECK(fs->sdp_known);
        CHECK_STR(sdp_security_name(fs->security), "srtp-sdes");
        CHECK_STR(rtp_flow_codec_name(fs, 101), "telephone-event");
        sdp_session_free(s);
    }
    struct stats *st = engine_stats(e);
    CHECK_EQ_U(st->c[STAT_RTP_FLOWS], 1);
    CHECK_EQ_U(st->c[STAT_RTP_PACKETS], 15);
    CHECK_EQ_U(st->c[STAT_RTCP_PACKETS], 1);

    /* a UDP flow of text is never RTP */
    const char *txt = "hello hello hello hello";
    for (int i = 0; i < 3; i++) {
        fl = mk_frame(fr, 3, 4, 1111, 2222, (const uint8_t *)txt, strlen(txt));
        f = send_frame(e, ++num, t0 + 400 * MS, fr, fl);
        CHECK(rtp_flow_stats(f) == NULL);
    }
    engine_free(e);
    config_free(cfg);
}

TEST(app_layer_ssrc_cap)
{
    struct config *cfg = config_new();
    config_set(cfg, "rtp.max-ssrc=3");
    char err[256];
    struct engine *e = engine_new(cfg, NULL, err, sizeof err);
    CHECK(e != NULL);
    if (!e)
        return;
    rtp_register(engine_app_layer(e));
    uint8_t pl[64], fr[256];
    uint64_t num = 0;
    struct flow *f = NULL;
    /* two consistent packets to get detected, then one packet for each of
     * 2 + 4 further SSRCs: 3 kept, 4 dropped */
    for (uint16_t i = 0; i < 2; i++) {
        size_t fl = mk_frame(fr, 1, 2, 5000, 5002, pl, mk_rtp(pl, 0, false, i, 0, 1, 20));
        num++;
        f = send_frame(e, num, num * MS, fr, fl);
    }
    for (uint32_t ssrc = 2; ssrc < 2 + 2 + 4; ssrc++) {
        size_t fl = mk_frame(fr, 1, 2, 5000, 5002, pl, mk_rtp(pl, 0, false, 7, 0, ssrc, 20));
        num++;
        send_frame(e, num, num * MS, fr, fl);
    }
    const struct rtp_flow_stats *fs = rtp_flow_stats(f);
    CHECK(fs != NULL);
    if (fs) {
        CHECK_EQ_U(fs->n_streams, 3);
        CHECK_EQ_U(fs->max_streams, 3);
        CHECK_EQ_U(fs->ssrc_dropped, 4);
    }
    CHECK_EQ_U(engine_stats(e)->c[STAT_RTP_MAX_SSRC_HIT], 4);
    engine_free(e);
    config_free(cfg);
}

TEST_MAIN(T(rtp_header_fields), T(rtp_rejects), T(rtcp_compound_real), T(rtcp_rejects), T(static_payload_table),
          T(loss_with_wraparound), T(reorder_and_duplicates), T(sequence_restart), T(jitter_hand_computed),
          T(jitter_ignores_marker_and_unclocked), T(probe_two_packets), T(app_layer_rtp_flow),
          T(app_layer_ssrc_cap))
