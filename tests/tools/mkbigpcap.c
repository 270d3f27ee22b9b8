/* mkbigpcap.c - writes a large, realistic benchmark capture (VoIP calls, RTP,
 * TCP sessions, IP fragments), or one packet per flow for many flows.
 *
 *   mkbigpcap OUT.pcap [MB]        a mixed capture of about MB megabytes
 *                                  (default: $BENCH_MB, else 300)
 *   mkbigpcap --flows N OUT.pcap   N flows alive at once (half UDP, half TCP
 *                                  SYN), to measure memory per flow
 *   mkbigpcap --calls N OUT.pcap   N answered calls (INVITE, 100, 180, 200,
 *                                  ACK; no BYE, no RTP) alive at once, each
 *                                  on its own SIP flow, to measure memory per
 *                                  active call
 *
 * The mixed capture simulates time in 20 ms ticks. Each tick every active
 * call sends one G.711 RTP packet per direction, new calls are set up with
 * SIP over UDP (INVITE with SDP, 100, 180, 200 with SDP, ACK), ended calls
 * send BYE and 200, and a few short TCP sessions (handshake, request, a
 * response of several segments, FIN both ways) run. About one INVITE in
 * twenty is large enough to be sent as two IPv4 fragments. Output is
 * deterministic (fixed PRNG seed); addresses are from 198.18.0.0/15. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BIG_DEFAULT_MB 300
#define BIG_TICK_NS 20000000ull       /* RTP packetisation interval: 20 ms */
#define BIG_CALLS_TARGET 600          /* concurrent calls once ramped up */
#define BIG_CALLS_START_PER_TICK 6    /* call setups per tick while ramping */
#define BIG_CALL_MIN_TICKS 250        /* 5 s */
#define BIG_CALL_MAX_TICKS 2500       /* 50 s */
#define BIG_TCP_PER_TICK 20           /* TCP sessions started per tick */
#define BIG_TCP_MSS 1448
#define BIG_TCP_MAX_SEGS 8            /* response segments per session */
#define BIG_MTU 1500
#define BIG_RTP_PAYLOAD 160           /* G.711, 20 ms at 8 kHz */
#define BIG_FRAG_EVERY 20             /* one INVITE in this many is fragmented */

struct big_writer {
    FILE *f;
    uint64_t now_ns;
    uint64_t bytes, limit, packets;
    uint8_t pkt[65536 + 64];
};

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(void)
{
    /* xorshift64*: deterministic and fast enough to not show in the bench. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

static uint32_t rnd_range(uint32_t lo, uint32_t hi) { return lo + rnd() % (hi - lo + 1); }

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

static void le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)~sum;
}

static int big_record(struct big_writer *w, size_t len)
{
    uint8_t h[16];
    le32(h, (uint32_t)(w->now_ns / 1000000000ull));
    le32(h + 4, (uint32_t)(w->now_ns % 1000000000ull / 1000));
    le32(h + 8, (uint32_t)len);
    le32(h + 12, (uint32_t)len);
    if (fwrite(h, 1, 16, w->f) != 16 || fwrite(w->pkt, 1, len, w->f) != len)
        return -1;
    w->bytes += 16 + len;
    w->packets++;
    w->now_ns += 1000; /* packets within a tick are 1 us apart */
    return 0;
}

/* Ethernet + IPv4 header at w->pkt; returns the offset of the L4 header. */
static size_t big_ip(struct big_writer *w, uint32_t src, uint32_t dst, uint8_t proto, size_t l4len,
                     uint16_t id, uint16_t frag)
{
    uint8_t *p = w->pkt;
    static const uint8_t macs[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
    memcpy(p, macs, 12);
    put16(p + 12, 0x0800);
    uint8_t *ip = p + 14;
    ip[0] = 0x45;
    ip[1] = 0;
    put16(ip + 2, (uint16_t)(20 + l4len));
    put16(ip + 4, id);
    put16(ip + 6, frag);
    ip[8] = 64;
    ip[9] = proto;
    put16(ip + 10, 0);
    put32(ip + 12, src);
    put32(ip + 16, dst);
    put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
    return 34;
}

static uint32_t pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, size_t len)
{
    uint8_t ph[12];
    put32(ph, src);
    put32(ph + 4, dst);
    ph[8] = 0;
    ph[9] = proto;
    put16(ph + 10, (uint16_t)len);
    return csum_add(0, ph, 12);
}

static int big_udp(struct big_writer *w, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
                   const void *payload, size_t plen)
{
    static uint16_t ip_id;
    size_t ulen = 8 + plen;
    if (20 + ulen <= BIG_MTU) {
        size_t off = big_ip(w, src, dst, 17, ulen, ++ip_id, 0);
        uint8_t *u = w->pkt + off;
        put16(u, sport);
        put16(u + 2, dport);
        put16(u + 4, (uint16_t)ulen);
        put16(u + 6, 0);
        memcpy(u + 8, payload, plen);
        uint16_t c = csum_fold(csum_add(pseudo_sum(src, dst, 17, ulen), u, ulen));
        put16(u + 6, c ? c : 0xFFFF);
        return big_record(w, off + ulen);
    }
    /* Build the whole datagram once, then cut it at 8-byte aligned offsets. */
    static uint8_t dg[65536];
    put16(dg, sport);
    put16(dg + 2, dport);
    put16(dg + 4, (uint16_t)ulen);
    put16(dg + 6, 0);
    memcpy(dg + 8, payload, plen);
    uint16_t c = csum_fold(csum_add(pseudo_sum(src, dst, 17, ulen), dg, ulen));
    put16(dg + 6, c ? c : 0xFFFF);
    uint16_t id = ++ip_id;
    size_t max = (BIG_MTU - 20) & ~(size_t)7;
    for (size_t pos = 0; pos < ulen; pos += max) {
        size_t n = ulen - pos < max ? ulen - pos : max;
        bool more = pos + n < ulen;
        size_t off = big_ip(w, src, dst, 17, n, id, (uint16_t)((more ? 0x2000 : 0) | (pos / 8)));
        memcpy(w->pkt + off, dg + pos, n);
        if (big_record(w, off + n) != 0)
            return -1;
    }
    return 0;
}

enum { F_FIN = 1, F_SYN = 2, F_PSH = 8, F_ACK = 16 };

static int big_tcp(struct big_writer *w, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
                   uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *payload, size_t plen)
{
    static uint16_t ip_id;
    size_t tlen = 20 + plen;
    size_t off = big_ip(w, src, dst, 6, tlen, ++ip_id, 0x4000 /* DF */);
    uint8_t *t = w->pkt + off;
    put16(t, sport);
    put16(t + 2, dport);
    put32(t + 4, seq);
    put32(t + 8, ack);
    t[12] = 5 << 4;
    t[13] = flags;
    put16(t + 14, 65535);
    put16(t + 16, 0);
    put16(t + 18, 0);
    if (plen)
        memcpy(t + 20, payload, plen);
    put16(t + 16, csum_fold(csum_add(pseudo_sum(src, dst, 6, tlen), t, tlen)));
    return big_record(w, off + tlen);
}

static uint32_t client_ip(void) { return (198u << 24) | (18u << 16) | rnd_range(1, 0xFFFE); }
static uint32_t server_ip(void) { return (198u << 24) | (19u << 16) | rnd_range(1, 0x3FF); }

static void ip_text(uint32_t a, char *buf, size_t len)
{
    snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

struct call {
    uint32_t ip[2];       /* caller, callee */
    uint16_t rtp_port[2];
    uint16_t seq[2];
    uint32_t rtp_ts[2], ssrc[2];
    uint32_t id, end_tick, cseq;
};

/* One SIP message between the call's parties (dir 0 caller->callee). */
static int sip_send(struct big_writer *w, struct call *c, int dir, const char *first_line, const char *method,
                    uint32_t cseq, bool sdp, bool big)
{
    static char msg[8192];
    char from[16], to[16], media[16];
    ip_text(c->ip[0], from, sizeof from);
    ip_text(c->ip[1], to, sizeof to);
    char body[1024] = "";
    int bl = 0;
    if (sdp) {
        int side = dir == 0 ? 0 : 1;
        ip_text(c->ip[side], media, sizeof media);
        bl = snprintf(body, sizeof body,
                      "v=0\r\no=- %u %u IN IP4 %s\r\ns=call\r\nc=IN IP4 %s\r\nt=0 0\r\n"
                      "m=audio %u RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
                      "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n",
                      c->id, c->cseq, media, media, c->rtp_port[side]);
    }
    /* Large INVITEs carry a long header, as some PBXs send (and get
     * fragmented over UDP). */
    char pad[2400] = "";
    if (big) {
        memcpy(pad, "X-Padding: ", 11);
        memset(pad + 11, 'a', sizeof pad - 14);
        memcpy(pad + sizeof pad - 3, "\r\n", 3);
    }
    int n = snprintf(msg, sizeof msg,
                     "%s\r\n"
                     "Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK%08x%04x\r\n"
                     "Max-Forwards: 70\r\n"
                     "From: \"Caller %u\" <sip:%u@%s>;tag=%08x\r\n"
                     "To: <sip:%u@%s>%s\r\n"
                     "Call-ID: %08x-%u@%s\r\n"
                     "CSeq: %u %s\r\n"
                     "Contact: <sip:%u@%s:5060>\r\n"
                     "User-Agent: bench-phone/1.0\r\n"
                     "%s"
                     "%s"
                     "Content-Length: %d\r\n\r\n%s",
                     first_line, dir == 0 ? from : to, c->id, cseq, c->id, c->id, from, c->id * 2654435761u,
                     c->id + 1, to, dir == 1 || cseq > 1 ? ";tag=callee" : "", c->id, c->id, from, cseq, method,
                     c->id, dir == 0 ? from : to, sdp ? "Content-Type: application/sdp\r\n" : "", pad, bl, body);
    if (n < 0 || (size_t)n >= sizeof msg)
        n = (int)sizeof msg - 1;
    return big_udp(w, c->ip[dir], 5060, c->ip[!dir], 5060, msg, (size_t)n);
}

static int call_setup(struct big_writer *w, struct call *c, uint32_t id, uint32_t tick)
{
    memset(c, 0, sizeof *c);
    c->id = id;
    c->ip[0] = client_ip();
    c->ip[1] = server_ip();
    c->rtp_port[0] = (uint16_t)(rnd_range(5000, 15000) * 2);
    c->rtp_port[1] = (uint16_t)(rnd_range(5000, 15000) * 2);
    c->ssrc[0] = rnd();
    c->ssrc[1] = rnd();
    c->seq[0] = (uint16_t)rnd();
    c->seq[1] = (uint16_t)rnd();
    c->end_tick = tick + rnd_range(BIG_CALL_MIN_TICKS, BIG_CALL_MAX_TICKS);
    c->cseq = 1;
    char line[128], to[16];
    ip_text(c->ip[1], to, sizeof to);
    snprintf(line, sizeof line, "INVITE sip:%u@%s SIP/2.0", id + 1, to);
    bool big = id % BIG_FRAG_EVERY == 0;
    if (sip_send(w, c, 0, line, "INVITE", 1, true, big) || sip_send(w, c, 1, "SIP/2.0 100 Trying", "INVITE", 1, false, false) ||
        sip_send(w, c, 1, "SIP/2.0 180 Ringing", "INVITE", 1, false, false) ||
        sip_send(w, c, 1, "SIP/2.0 200 OK", "INVITE", 1, true, false))
        return -1;
    snprintf(line, sizeof line, "ACK sip:%u@%s SIP/2.0", id + 1, to);
    return sip_send(w, c, 0, line, "ACK", 1, false, false);
}

static int call_teardown(struct big_writer *w, struct call *c)
{
    char line[128], to[16];
    ip_text(c->ip[1], to, sizeof to);
    snprintf(line, sizeof line, "BYE sip:%u@%s SIP/2.0", c->id + 1, to);
    if (sip_send(w, c, 0, line, "BYE", 2, false, false))
        return -1;
    return sip_send(w, c, 1, "SIP/2.0 200 OK", "BYE", 2, false, false);
}

static int call_rtp(struct big_writer *w, struct call *c)
{
    uint8_t rtp[12 + BIG_RTP_PAYLOAD];
    for (int d = 0; d < 2; d++) {
        rtp[0] = 0x80;
        rtp[1] = 0; /* PCMU */
        put16(rtp + 2, c->seq[d]++);
        put32(rtp + 4, c->rtp_ts[d]);
        c->rtp_ts[d] += BIG_RTP_PAYLOAD;
        put32(rtp + 8, c->ssrc[d]);
        memset(rtp + 12, 0xFF ^ (c->seq[d] & 0x7F), BIG_RTP_PAYLOAD); /* mu-law near-silence */
        if (big_udp(w, c->ip[d], c->rtp_port[d], c->ip[!d], c->rtp_port[!d], rtp, sizeof rtp))
            return -1;
    }
    return 0;
}

static int tcp_session(struct big_writer *w)
{
    static const uint16_t ports[] = {80, 8080, 8000, 3128};
    static uint8_t data[BIG_TCP_MSS];
    uint32_t c = client_ip(), s = server_ip();
    uint16_t cp = (uint16_t)rnd_range(20000, 60000), sp = ports[rnd() % 4];
    uint32_t cs = rnd(), ss = rnd();
    char req[512];
    char host[16];
    ip_text(s, host, sizeof host);
    int rl = snprintf(req, sizeof req,
                      "GET /files/%08x.bin HTTP/1.1\r\nHost: %s\r\nUser-Agent: bench/1.0\r\nAccept: */*\r\n\r\n", rnd(),
                      host);
    unsigned segs = rnd_range(1, BIG_TCP_MAX_SEGS);
    if (big_tcp(w, c, cp, s, sp, cs, 0, F_SYN, NULL, 0) || big_tcp(w, s, sp, c, cp, ss, cs + 1, F_SYN | F_ACK, NULL, 0) ||
        big_tcp(w, c, cp, s, sp, cs + 1, ss + 1, F_ACK, NULL, 0) ||
        big_tcp(w, c, cp, s, sp, cs + 1, ss + 1, F_PSH | F_ACK, (const uint8_t *)req, (size_t)rl))
        return -1;
    cs += 1 + (uint32_t)rl;
    ss += 1;
    for (unsigned i = 0; i < segs; i++) {
        memset(data, 'A' + (int)(i % 26), sizeof data);
        if (i == 0)
            memcpy(data, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n", 60);
        if (big_tcp(w, s, sp, c, cp, ss, cs, i + 1 == segs ? F_PSH | F_ACK : F_ACK, data, sizeof data))
            return -1;
        ss += BIG_TCP_MSS;
        if (i % 2 == 1 && big_tcp(w, c, cp, s, sp, cs, ss, F_ACK, NULL, 0))
            return -1;
    }
    if (big_tcp(w, c, cp, s, sp, cs, ss, F_FIN | F_ACK, NULL, 0) || big_tcp(w, s, sp, c, cp, ss, cs + 1, F_FIN | F_ACK, NULL, 0))
        return -1;
    return big_tcp(w, c, cp, s, sp, cs + 1, ss + 1, F_ACK, NULL, 0);
}

static int write_mixed(struct big_writer *w)
{
    static struct call calls[BIG_CALLS_TARGET];
    unsigned active = 0;
    uint32_t next_id = 1;
    for (uint32_t tick = 0; w->bytes < w->limit; tick++) {
        w->now_ns = 1700000000ull * 1000000000ull + (uint64_t)tick * BIG_TICK_NS;
        for (unsigned i = 0; i < BIG_CALLS_START_PER_TICK && active < BIG_CALLS_TARGET; i++)
            if (call_setup(w, &calls[active++], next_id++, tick))
                return -1;
        for (unsigned i = 0; i < active;) {
            if (calls[i].end_tick <= tick) {
                if (call_teardown(w, &calls[i]))
                    return -1;
                calls[i] = calls[--active];
                continue;
            }
            if (call_rtp(w, &calls[i]))
                return -1;
            i++;
        }
        for (unsigned i = 0; i < BIG_TCP_PER_TICK; i++)
            if (tcp_session(w))
                return -1;
    }
    /* Hang up what is still up, so the capture ends like a real one. */
    for (unsigned i = 0; i < active; i++)
        if (call_teardown(w, &calls[i]))
            return -1;
    return 0;
}

static int write_flows(struct big_writer *w, uint64_t n)
{
    w->now_ns = 1700000000ull * 1000000000ull;
    for (uint64_t i = 0; i < n; i++) {
        /* Distinct client address and port per flow, same server. */
        uint32_t c = (198u << 24) | (18u << 16) | (uint32_t)(i >> 14 & 0xFFFF);
        uint16_t cp = (uint16_t)(1024 + (i & 0x3FFF));
        uint32_t s = (198u << 24) | (19u << 16) | 1;
        int rc = i & 1 ? big_tcp(w, c, cp, s, 80, (uint32_t)i, 0, F_SYN, NULL, 0)
                       : big_udp(w, c, cp, s, 5060, "OPTIONS sip:x SIP/2.0\r\n\r\n", 25);
        if (rc)
            return -1;
    }
    return 0;
}

static int write_calls(struct big_writer *w, uint64_t n)
{
    /* All set up within n * 5 us, so no flow or call times out. */
    struct call c;
    for (uint64_t i = 0; i < n; i++)
        if (call_setup(w, &c, (uint32_t)i + 1, 0))
            return -1;
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t flows = 0, calls = 0;
    const char *out;
    uint64_t mb = BIG_DEFAULT_MB;
    if (getenv("BENCH_MB"))
        mb = strtoull(getenv("BENCH_MB"), NULL, 10);
    if (argc == 4 && strcmp(argv[1], "--flows") == 0) {
        flows = strtoull(argv[2], NULL, 10);
        out = argv[3];
    } else if (argc == 4 && strcmp(argv[1], "--calls") == 0) {
        calls = strtoull(argv[2], NULL, 10);
        out = argv[3];
    } else if (argc == 2 || argc == 3) {
        out = argv[1];
        if (argc == 3)
            mb = strtoull(argv[2], NULL, 10);
    } else {
        fprintf(stderr, "usage: mkbigpcap OUT.pcap [MB] | mkbigpcap --flows N OUT.pcap | mkbigpcap --calls N OUT.pcap\n");
        return 2;
    }
    if (!mb || (argc == 4 && !flows && !calls)) {
        fprintf(stderr, "mkbigpcap: the size, flow or call count must be a positive number\n");
        return 2;
    }
    static struct big_writer w;
    w.f = fopen(out, "wb");
    if (!w.f) {
        fprintf(stderr, "mkbigpcap: %s: %s\n", out, strerror(errno));
        return 1;
    }
    setvbuf(w.f, NULL, _IOFBF, 1 << 20);
    w.limit = mb << 20;
    uint8_t gh[24];
    le32(gh, 0xA1B2C3D4);
    gh[4] = 2, gh[5] = 0, gh[6] = 4, gh[7] = 0; /* version 2.4, little endian */
    memset(gh + 8, 0, 8);
    le32(gh + 16, 262144);
    le32(gh + 20, 1); /* Ethernet */
    int rc = fwrite(gh, 1, 24, w.f) == 24 ? 0 : -1;
    if (rc == 0)
        rc = flows ? write_flows(&w, flows) : calls ? write_calls(&w, calls) : write_mixed(&w);
    if (fclose(w.f) != 0)
        rc = -1;
    if (rc) {
        fprintf(stderr, "mkbigpcap: %s: write failed: %s\n", out, strerror(errno));
        return 1;
    }
    printf("%s: %llu packets, %llu bytes\n", out, (unsigned long long)w.packets, (unsigned long long)w.bytes + 24);
    return 0;
}
