/* test-capture.c - the capture file readers (memory-mapped and libpcap) on
 * hand-made pcap files: formats, timestamps, link types, every kind of
 * truncation, and a stop request. Each case runs through both readers and
 * must give the same answer. */
#include <signal.h>
#include <stdint.h>
#include <unistd.h>
#include "capture.h"
#include "config.h"
#include "engine.h"
#include "test.h"

#define T0 1700000000u

/* A pcap file being built in memory. */
struct pcapbuf {
    uint8_t b[4096];
    size_t n;
    bool be; /* big-endian headers */
};

static void put32(struct pcapbuf *pb, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        pb->b[pb->n++] = (uint8_t)(pb->be ? v >> (24 - 8 * i) : v >> (8 * i));
}

static void put16(struct pcapbuf *pb, uint16_t v)
{
    pb->b[pb->n++] = (uint8_t)(pb->be ? v >> 8 : v);
    pb->b[pb->n++] = (uint8_t)(pb->be ? v : v >> 8);
}

static void pcap_header(struct pcapbuf *pb, bool be, bool nano, uint32_t linktype)
{
    pb->n = 0;
    pb->be = be;
    put32(pb, nano ? 0xA1B23C4D : 0xA1B2C3D4);
    put16(pb, 2);
    put16(pb, 4);
    put32(pb, 0);
    put32(pb, 0);
    put32(pb, 65535);
    put32(pb, linktype);
}

/* An IPv4/UDP datagram 198.18.0.1:1000 -> 198.18.0.2:2000, optionally
 * behind an Ethernet header; returns its length. */
static size_t udp_frame(uint8_t *f, bool ethernet)
{
    static const uint8_t eth[14] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00};
    static const uint8_t ip_udp[32] = {
        0x45, 0, 0, 32, 0, 1, 0, 0, 64, 17, 0, 0, 198, 18, 0, 1, 198, 18, 0, 2, /* IPv4 */
        0x03, 0xE8, 0x07, 0xD0, 0, 12, 0, 0, 'p', 'i', 'n', 'g'};               /* UDP, no checksum */
    size_t n = 0;
    if (ethernet) {
        memcpy(f, eth, sizeof eth);
        n = sizeof eth;
    }
    memcpy(f + n, ip_udp, sizeof ip_udp);
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)(f[n + i] << 8 | f[n + i + 1]);
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    f[n + 10] = (uint8_t)(~sum >> 8);
    f[n + 11] = (uint8_t)~sum;
    return n + sizeof ip_udp;
}

static void pcap_record(struct pcapbuf *pb, uint32_t sec, uint32_t frac, const uint8_t *data, uint32_t caplen,
                        uint32_t len)
{
    put32(pb, sec);
    put32(pb, frac);
    put32(pb, caplen);
    put32(pb, len);
    if (caplen)
        memcpy(pb->b + pb->n, data, caplen);
    pb->n += caplen;
}

struct result {
    int rc;
    char err[1024];
    uint64_t packets, truncated, ipv4, unknown_link, now_ns;
};

/* Write pb (its first len bytes) to a file and read it with one reader. */
static void read_with(const struct pcapbuf *pb, size_t len, bool use_mmap, struct result *r)
{
    char path[] = "/tmp/test-capture-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK(write(fd, pb->b, len) == (ssize_t)len);
    close(fd);
    struct config *cfg = config_new();
    struct engine *e = engine_new(cfg, NULL, r->err, sizeof r->err);
    CHECK(e != NULL);
    struct capture_run run;
    char *paths[] = {path};
    capture_run_init(&run, paths, 1, false, use_mmap);
    r->err[0] = '\0';
    r->rc = capture_file(e, path, &run, r->err, sizeof r->err);
    struct stats *st = engine_stats(e);
    r->packets = st->c[STAT_CAPTURE_PACKETS];
    r->truncated = st->c[STAT_CAPTURE_TRUNCATED_FILES];
    r->ipv4 = st->c[STAT_DECODE_IPV4];
    r->unknown_link = st->c[STAT_DECODE_UNKNOWN_LINKTYPE];
    r->now_ns = engine_now(e);
    /* The message names the file; drop the random path for comparisons. */
    char *at = strstr(r->err, path);
    if (at)
        memmove(at, at + strlen(path), strlen(at + strlen(path)) + 1);
    engine_free(e);
    config_free(cfg);
    unlink(path);
}

/* Read with both readers; they must agree on everything. */
static void read_both(const struct pcapbuf *pb, size_t len, struct result *r)
{
    struct result lib;
    read_with(pb, len, true, r);
    read_with(pb, len, false, &lib);
    CHECK(r->rc == lib.rc);
    CHECK_EQ_U(r->packets, lib.packets);
    CHECK_EQ_U(r->truncated, lib.truncated);
    CHECK_EQ_U(r->ipv4, lib.ipv4);
    CHECK_EQ_U(r->unknown_link, lib.unknown_link);
    CHECK_EQ_U(r->now_ns, lib.now_ns);
    /* Same words too, except libpcap's limit for an oversized record is the
     * file's snaplen where ours is the largest one libpcap ever accepts, and
     * libpcap's own reasons for files it cannot open at all. */
    if (!strstr(r->err, "invalid packet capture length") && r->packets + r->truncated)
        CHECK_STR(r->err, lib.err);
}

TEST(header_only)
{
    struct pcapbuf pb;
    struct result r;
    pcap_header(&pb, false, false, 1);
    read_both(&pb, pb.n, &r);
    CHECK(r.rc == TG_OK);
    CHECK_EQ_U(r.packets, 0);
}

TEST(shorter_than_a_header)
{
    struct pcapbuf pb;
    struct result r;
    pcap_header(&pb, false, false, 1);
    read_both(&pb, 10, &r);
    CHECK(r.rc == TG_ERROR);
    CHECK(r.err[0] == ':'); /* "PATH: libpcap's reason" */
}

TEST(microsecond_nanosecond_and_swapped)
{
    uint8_t f[64];
    size_t n = udp_frame(f, true);
    for (int be = 0; be < 2; be++) {
        for (int nano = 0; nano < 2; nano++) {
            struct pcapbuf pb;
            struct result r;
            pcap_header(&pb, be, nano, 1);
            pcap_record(&pb, T0, 1, f, (uint32_t)n, (uint32_t)n);
            pcap_record(&pb, T0 + 1, nano ? 999999999u : 999999u, f, (uint32_t)n, (uint32_t)n);
            read_both(&pb, pb.n, &r);
            CHECK(r.rc == TG_OK);
            CHECK_EQ_U(r.packets, 2);
            CHECK_EQ_U(r.ipv4, 2);
            CHECK_EQ_U(r.now_ns, (uint64_t)(T0 + 1) * TG_NS_PER_SEC + (nano ? 999999999u : 999999000u));
        }
    }
}

TEST(raw_ip_and_unusual_link_types)
{
    uint8_t f[64];
    size_t n = udp_frame(f, false);
    struct pcapbuf pb;
    struct result r;
    pcap_header(&pb, false, false, 101); /* LINKTYPE_RAW, DLT_RAW is 12 here */
    pcap_record(&pb, T0, 0, f, (uint32_t)n, (uint32_t)n);
    read_both(&pb, pb.n, &r);
    CHECK(r.rc == TG_OK);
    CHECK_EQ_U(r.ipv4, 1);
    /* LINKTYPE_USER0: the mapped reader declines it, libpcap reads it and
     * the decoder counts a link type it does not know. */
    pcap_header(&pb, false, false, 147);
    pcap_record(&pb, T0, 0, f, (uint32_t)n, (uint32_t)n);
    read_both(&pb, pb.n, &r);
    CHECK(r.rc == TG_OK);
    CHECK_EQ_U(r.packets, 1);
    CHECK_EQ_U(r.unknown_link, 1);
}

TEST(empty_record)
{
    struct pcapbuf pb;
    struct result r;
    pcap_header(&pb, false, false, 1);
    pcap_record(&pb, T0, 0, NULL, 0, 60);
    read_both(&pb, pb.n, &r);
    CHECK(r.rc == TG_OK);
    CHECK_EQ_U(r.packets, 1);
}

TEST(truncated_record_header)
{
    uint8_t f[64];
    size_t n = udp_frame(f, true);
    struct pcapbuf pb;
    struct result r;
    pcap_header(&pb, false, false, 1);
    pcap_record(&pb, T0, 0, f, (uint32_t)n, (uint32_t)n);
    pcap_record(&pb, T0, 1, f, (uint32_t)n, (uint32_t)n);
    read_both(&pb, pb.n - n - 9, &r); /* 7 bytes of the second header */
    CHECK(r.rc == TG_ERROR);
    CHECK_EQ_U(r.packets, 1);
    CHECK_EQ_U(r.truncated, 1);
    CHECK_STR(r.err, ": packet 2: truncated or corrupt record (truncated dump file; tried to read 16 header "
                     "bytes, only got 7); the 1 packets before it were processed");
}

TEST(truncated_record_data)
{
    uint8_t f[64];
    size_t n = udp_frame(f, true);
    struct pcapbuf pb;
    struct result r;
    pcap_header(&pb, false, false, 1);
    pcap_record(&pb, T0, 0, f, (uint32_t)n, (uint32_t)n);
    read_both(&pb, pb.n - 10, &r);
    CHECK(r.rc == TG_ERROR);
    CHECK_EQ_U(r.packets, 0);
    CHECK_EQ_U(r.truncated, 1);
    CHECK_STR(r.err, ": packet 1: truncated or corrupt record (truncated dump file; tried to read 46 captured "
                     "bytes, only got 36); the 0 packets before it were processed");
}

TEST(record_longer_than_any_snaplen)
{
    uint8_t f[64];
    size_t n = udp_frame(f, true);
    struct pcapbuf pb;
    struct result r;
    pcap_header(&pb, false, false, 1);
    pcap_record(&pb, T0, 0, f, (uint32_t)n, (uint32_t)n);
    put32(&pb, T0);
    put32(&pb, 0);
    put32(&pb, 262145);
    put32(&pb, 262145);
    pcap_record(&pb, T0, 0, f, (uint32_t)n, (uint32_t)n);
    read_both(&pb, pb.n, &r);
    CHECK(r.rc == TG_ERROR);
    CHECK_EQ_U(r.packets, 1);
    CHECK(strstr(r.err, ": packet 2: truncated or corrupt record (invalid packet capture length 262145") == r.err);
}

/* Last: the stop flag cannot be cleared once a signal set it. */
TEST(stop_request)
{
    uint8_t f[64];
    size_t n = udp_frame(f, true);
    struct pcapbuf pb;
    struct result r;
    pcap_header(&pb, false, false, 1);
    pcap_record(&pb, T0, 0, f, (uint32_t)n, (uint32_t)n);
    capture_signals_install();
    raise(SIGTERM);
    CHECK_EQ_U(capture_stop_signal(), SIGTERM);
    read_both(&pb, pb.n, &r);
    CHECK(r.rc == CAPTURE_INTERRUPTED);
    CHECK_EQ_U(r.packets, 0);
    CHECK_STR(r.err, ": stopped after packet 0");
}

TEST_MAIN(T(header_only), T(shorter_than_a_header), T(microsecond_nanosecond_and_swapped),
          T(raw_ip_and_unusual_link_types), T(empty_record), T(truncated_record_header),
          T(truncated_record_data), T(record_longer_than_any_snaplen), T(stop_request))
