/* capture-pcap.c - offline reading of pcap and pcapng files with libpcap.
 *
 * Files are opened with nanosecond precision so both pcap flavours and
 * pcapng keep their full timestamps. A truncated or corrupt file stops at the
 * bad record; what came before has already gone through the engine, and the
 * error names the file and the packet number. libpcap reads a single link
 * type and snapshot length per pcapng file: when a later interface has
 * another one it stops with a terse message, so we look at the interface
 * blocks ourselves and say which interface it was and how to split the file.
 *
 * Classic pcap files, by far the most common input, are read from a memory
 * map instead: libpcap copies every record twice (read() into stdio's
 * buffer, fread() into its own), which was a third of the time of a whole
 * analyze run in `make bench`. The map is parsed through a bounds-checked
 * cursor and reports truncated and corrupt records in libpcap's words.
 * capture.mmap = no goes back to libpcap for everything. With a second CPU
 * (capture.threads) a capture thread reads the map and runs the engine's
 * front (decode, defragmentation, flow hash) and hands the packets to the
 * engine thread through a ring (capture-ring.c); otherwise the reader hands
 * them over in batches. Either way the reader keeps the pages ahead mapped
 * and the lines ahead on their way, and drops the pages behind. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "capture.h"
#include "capture-ring.h"
#include "cursor.h"
#include "engine.h"
#include "thread-affinity.h"

/* Check the progress clock every this many packets (a power of two). */
#define CAPTURE_PROGRESS_EVERY 1024u

/* How far ahead of the record being read the mapped reader has pages
 * mapped in (in chunks) and cache lines on their way. */
#define CAPTURE_MAP_AHEAD (4u << 20)
#define CAPTURE_MAP_CHUNK (2u << 20)
#define CAPTURE_PREFETCH_AHEAD 4096u

/* Threaded reading: packets in flight between the capture thread and the
 * engine thread, and how many packets ahead the engine thread prefetches
 * the packet itself (written on the other core), its flow table bucket and
 * then its flow. */
#define CAPTURE_RING_SLOTS 2048u
#define CAPTURE_PREFETCH_SLOT_AHEAD 16u
#define CAPTURE_PREFETCH_BUCKET_AHEAD 8u
#define CAPTURE_PREFETCH_FLOW_AHEAD 4u

/* Packets handed to the engine at once by the mapped reader without a
 * capture thread: enough for the engine's prefetches to run ahead, few
 * enough to stay in L1. */
#define CAPTURE_BATCH 16

/* The capture thread looks at how far the engine got (a cache line the
 * engine writes) every this many packets (a power of two). */
#define CAPTURE_RELEASE_CHECK 256u

/* stdio buffer for reading a capture file through libpcap. */
#define CAPTURE_IOBUF_BYTES (1u << 20)

/* Classic pcap, read from a memory map (see capture_file_mapped()). */
#define PCAP_MAGIC_USEC 0xA1B2C3D4u
#define PCAP_MAGIC_NSEC 0xA1B23C4Du
#define PCAP_FILE_HEADER_LEN 24
#define PCAP_RECORD_HEADER_LEN 16
/* libpcap's MAXIMUM_SNAPLEN: a longer record is corrupt, as libpcap says. */
#define PCAP_MAX_CAPLEN 262144u
#define CAPTURE_CACHE_LINE 64
/* Give mapped pages back every this many bytes, so the file does not end
 * up in our resident set. Each release flushes the TLB of the engine's CPU
 * too (an interrupt there): every 4 MB it cost the engine thread 4% of its
 * time in `make bench`, every 16 MB a quarter of that. */
#define CAPTURE_MAP_RELEASE_BYTES (16u << 20)

/* pcapng block types and the section header's byte-order magic. */
#define PCAPNG_BT_SHB 0x0A0D0D0Au
#define PCAPNG_BT_IDB 0x00000001u
#define PCAPNG_BYTE_ORDER_MAGIC 0x1A2B3C4Du
/* Interface blocks to look at before giving up on the scan. */
#define PCAPNG_SCAN_MAX_BLOCKS 10000000u

/* pcapng stores LINKTYPE_* values, which differ from the DLT_* values
 * libpcap names for a few types, so name the common ones here. */
static const char *linktype_name(int lt, char *buf, size_t len)
{
    static const struct {
        int lt;
        const char *name;
    } names[] = {{0, "NULL"}, {1, "ETHERNET"}, {101, "RAW"}, {113, "LINUX_SLL"},
                 {228, "IPV4"}, {229, "IPV6"}, {276, "LINUX_SLL2"}};
    for (size_t i = 0; i < TG_ARRAY_LEN(names); i++)
        if (names[i].lt == lt) {
            snprintf(buf, len, "%d (%s)", lt, names[i].name);
            return buf;
        }
    snprintf(buf, len, "%d", lt);
    return buf;
}

/* Walk the blocks of a pcapng file and describe the first interface whose
 * link type or snapshot length differs from the first interface's: libpcap
 * stops there with a terse message. TG_OK with a message in msg when one was
 * found; TG_DECLINED when the file is not pcapng or all interfaces agree
 * (the error is then something else). */
static int pcapng_find_mixed_interfaces(const char *path, char *msg, size_t msglen, bool *linktype)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return TG_DECLINED;
    int rc = TG_DECLINED;
    bool big_endian = false;
    int first_lt = -1;
    uint32_t first_snap = 0;
    unsigned idb_in_section = 0, section = 0;
    for (unsigned blocks = 0; blocks < PCAPNG_SCAN_MAX_BLOCKS; blocks++) {
        uint8_t hdr[16];
        size_t got = fread(hdr, 1, sizeof hdr, f);
        if (got < 12)
            break;
        struct cursor c;
        cursor_init(&c, hdr, got);
        uint32_t type = cursor_le32(&c); /* the SHB type is a palindrome */
        if (blocks == 0 && type != PCAPNG_BT_SHB)
            break;
        if (type == PCAPNG_BT_SHB) {
            struct cursor m;
            cursor_init(&m, hdr + 8, 4);
            big_endian = cursor_be32(&m) == PCAPNG_BYTE_ORDER_MAGIC;
            idb_in_section = 0;
            section++;
        }
        cursor_init(&c, hdr + 4, got - 4);
        uint32_t blen = big_endian ? cursor_be32(&c) : cursor_le32(&c);
        if (blen < 12 || blen % 4)
            break;
        if (type == PCAPNG_BT_IDB && got >= 16) {
            cursor_init(&c, hdr + 8, got - 8);
            int lt = big_endian ? cursor_be16(&c) : cursor_le16(&c);
            cursor_skip(&c, 2);
            uint32_t snap = big_endian ? cursor_be32(&c) : cursor_le32(&c);
            if (snap == 0 || snap > PCAP_MAX_CAPLEN)
                snap = PCAP_MAX_CAPLEN; /* "no limit", as libpcap reads it */
            if (first_lt < 0) {
                first_lt = lt;
                first_snap = snap;
            } else if (lt != first_lt || snap != first_snap) {
                char a[64], b[64];
                if (lt != first_lt) {
                    linktype_name(lt, a, sizeof a);
                    linktype_name(first_lt, b, sizeof b);
                } else {
                    snprintf(a, sizeof a, "%u", snap);
                    snprintf(b, sizeof b, "%u", first_snap);
                }
                *linktype = lt != first_lt;
                snprintf(msg, msglen,
                         "interface %u of section %u has %s %s but the first interface has %s; "
                         "libpcap reads one %s per pcapng file. Split the file per interface "
                         "(e.g. tshark -r FILE -Y 'frame.interface_id == %u' -w PART.pcapng) and "
                         "analyze the parts",
                         idb_in_section, section, *linktype ? "link type" : "snapshot length", a, b,
                         *linktype ? "link type" : "snapshot length", idb_in_section);
                rc = TG_OK;
                break;
            }
            idb_in_section++;
        }
        if (fseek(f, (long)blen - (long)got, SEEK_CUR) != 0)
            break;
    }
    fclose(f);
    return rc;
}

/* The link types the mapped reader hands on, with the DLT_* value libpcap
 * would report for them (pcap files store LINKTYPE_* values); -1 for the
 * others, which go through libpcap. */
static int linktype_to_dlt(uint32_t lt)
{
    switch (lt) {
    case 0: return DLT_NULL;
    case 1: return DLT_EN10MB;
    case 101: return DLT_RAW;
    case 113: return DLT_LINUX_SLL;
#ifdef DLT_LINUX_SLL2
    case 276: return DLT_LINUX_SLL2;
#endif
    case 228: return DLT_IPV4;
    case 229: return DLT_IPV6;
    default: return -1;
    }
}

/* Hand one record to the engine. Returns true when the progress bar wants
 * the current file position (every CAPTURE_PROGRESS_EVERY packets). */
/* Count a packet for the progress bar; true when it is time to redraw. */
static bool capture_counted(struct capture_run *run, uint64_t num)
{
    if (!run || !run->progress)
        return false;
    run->packets++;
    return (num & (CAPTURE_PROGRESS_EVERY - 1)) == 0;
}

static void capture_file_done(struct capture_run *run, const char *path, uint64_t pos, uint64_t size)
{
    if (!run || !run->progress)
        return;
    capture_progress_draw(run, path, pos, true);
    /* Count the whole file as done even when it stopped early, so the
     * percentage of the run stays right for the files that follow. */
    run->done_bytes += size;
}

/* One mapped capture file being read. */
struct mapped_file {
    struct engine *e;
    struct capture_run *run;
    const char *path;
    const uint8_t *map;
    size_t size;
    bool swapped, nano;
    int dlt;
    struct cursor c;              /* at the next record header */
    uint64_t num;                 /* records read */
    size_t populated, prefetched; /* read-ahead frontiers (mapped_ahead) */
    size_t released;              /* pages before it were dropped */
    struct engine_front *front;   /* threaded: the reading thread runs the front */
    struct capture_ring *ring;    /* ... and hands packets over through this */
    int rc;
    char err[1024];
};

/* Records are fresh page-cache memory: a cache miss per line and a page
 * fault per few pages. Keep the pages ahead of pos mapped (one call per
 * chunk instead of a fault per 64 KB) and the lines ahead on their way, so
 * the reader's and the engine's loads find them. */
static void mapped_ahead(struct mapped_file *mf, size_t pos)
{
    if (pos + CAPTURE_MAP_AHEAD > mf->populated && mf->populated < mf->size) {
        size_t upto = TG_MIN(mf->size, mf->populated + CAPTURE_MAP_CHUNK);
        madvise((void *)(mf->map + mf->populated), upto - mf->populated, MADV_POPULATE_READ);
        mf->populated = upto;
    }
    for (size_t want = TG_MIN(mf->size, pos + CAPTURE_PREFETCH_AHEAD); mf->prefetched < want;
         mf->prefetched += CAPTURE_CACHE_LINE)
        __builtin_prefetch(mf->map + mf->prefetched);
}

/* The engine is done with every byte before pos: drop the whole pages
 * behind it (it keeps no pointer into packet bytes once a packet is done,
 * as libpcap reuses its buffer), CAPTURE_MAP_RELEASE_BYTES at a time. */
static void mapped_release(struct mapped_file *mf, size_t pos)
{
    if (pos - mf->released < CAPTURE_MAP_RELEASE_BYTES)
        return;
    size_t upto = pos & ~(size_t)(sysconf(_SC_PAGESIZE) - 1);
    madvise((void *)(mf->map + mf->released), upto - mf->released, MADV_DONTNEED);
    mf->released = upto;
}

/* Parse the next record header: its bytes and times in p (through
 * packet_init_captured). False at the end of the file, or on a truncated
 * or corrupt record, a signal (mf->rc and mf->err say which). */
static bool mapped_next(struct mapped_file *mf, struct packet *p)
{
    struct cursor *c = &mf->c;
    if (capture_stop_signal()) {
        snprintf(mf->err, sizeof mf->err, "%s: stopped after packet %llu", mf->path, (unsigned long long)mf->num);
        mf->rc = CAPTURE_INTERRUPTED;
        return false;
    }
    size_t left = cursor_left(c);
    if (left == 0)
        return false; /* end of file */
    mapped_ahead(mf, c->pos);
    const char *why = NULL;
    char whybuf[160];
    uint32_t sec = 0, frac = 0, caplen = 0, wirelen = 0;
#define RD32(cur) (mf->swapped ? cursor_be32(cur) : cursor_le32(cur))
    if (left < PCAP_RECORD_HEADER_LEN) {
        snprintf(whybuf, sizeof whybuf, "truncated dump file; tried to read %u header bytes, only got %zu",
                 PCAP_RECORD_HEADER_LEN, left);
        why = whybuf;
    } else {
        sec = RD32(c);
        frac = RD32(c);
        caplen = RD32(c);
        wirelen = RD32(c);
        if (caplen > PCAP_MAX_CAPLEN) {
            snprintf(whybuf, sizeof whybuf, "invalid packet capture length %u, bigger than maximum of %u", caplen,
                     PCAP_MAX_CAPLEN);
            why = whybuf;
        } else if (cursor_left(c) < caplen) {
            snprintf(whybuf, sizeof whybuf, "truncated dump file; tried to read %u captured bytes, only got %zu",
                     caplen, cursor_left(c));
            why = whybuf;
        }
    }
#undef RD32
    if (why) {
        snprintf(mf->err, sizeof mf->err,
                 "%s: packet %llu: truncated or corrupt record (%s); the %llu packets before it were processed",
                 mf->path, (unsigned long long)mf->num + 1, why, (unsigned long long)mf->num);
        mf->rc = TG_ERROR;
        return false;
    }
    const uint8_t *data = cursor_ptr(c);
    cursor_skip(c, caplen);
    uint64_t ts_ns = (uint64_t)sec * TG_NS_PER_SEC + (uint64_t)frac * (mf->nano ? 1 : 1000);
    packet_init_captured(p, ++mf->num, ts_ns, data, caplen, wirelen, mf->dlt);
    if (capture_counted(mf->run, mf->num))
        capture_progress_draw(mf->run, mf->path, c->pos, false);
    return true;
}

/* Read on this thread: records go to the engine in batches. */
static void mapped_read_batched(struct mapped_file *mf)
{
    struct packet batch[CAPTURE_BATCH];
    size_t n = 0;
    while (mapped_next(mf, &batch[n])) {
        if (++n == CAPTURE_BATCH) {
            engine_process_batch(mf->e, batch, n);
            n = 0;
            mapped_release(mf, mf->c.pos);
        }
    }
    /* what was read before the end, an error or a signal */
    engine_process_batch(mf->e, batch, n);
}

/* The capture thread of a threaded read: reads, runs the engine's front
 * and hands the packets over; releases pages behind the engine. */
static void *mapped_read_front(void *arg)
{
    struct mapped_file *mf = arg;
    pthread_setname_np(pthread_self(), "tg-capture"); /* for top -H and perf */
    for (;;) {
        struct packet *p = capture_ring_slot(mf->ring);
        if (!mapped_next(mf, p))
            break;
        engine_front_packet(mf->front, p);
        capture_ring_push(mf->ring, mf->c.pos);
        if ((mf->num & (CAPTURE_RELEASE_CHECK - 1)) == 0)
            mapped_release(mf, (size_t)capture_ring_consumed_pos(mf->ring));
    }
    capture_ring_close(mf->ring);
    return NULL;
}

/* Threaded read: a capture thread reads and decodes (the engine's front)
 * while this thread runs the rest of the engine on what it hands over, a
 * ring of packets in between. False when the thread cannot be started
 * (nothing was read). */
static bool mapped_read_threaded(struct mapped_file *mf)
{
    mf->ring = capture_ring_new(CAPTURE_RING_SLOTS);
    if (!mf->ring)
        return false;
    mf->front = engine_front_begin(mf->e);
    pthread_t th;
    if (pthread_create(&th, NULL, mapped_read_front, mf) != 0) {
        engine_front_end(mf->e);
        capture_ring_free(mf->ring);
        mf->ring = NULL;
        return false;
    }
    thread_affinity_helper(mf->run->affinity, th); /* off the engine's CPU, if split */
    /* Locals: the capture thread writes *mf (cursor, counters) all along,
     * and its cache line must not be read here per packet. */
    struct capture_ring *ring = mf->ring;
    struct engine *e = mf->e;
    struct packet *p;
    uint64_t pos;
    while ((p = capture_ring_peek(ring, &pos))) {
        const struct packet *a;
        if ((a = capture_ring_ahead(ring, CAPTURE_PREFETCH_SLOT_AHEAD)))
            for (size_t o = 0; o < sizeof *a; o += CAPTURE_CACHE_LINE)
                __builtin_prefetch((const char *)a + o);
        if ((a = capture_ring_ahead(ring, CAPTURE_PREFETCH_BUCKET_AHEAD)))
            engine_prefetch_bucket(e, a);
        if ((a = capture_ring_ahead(ring, CAPTURE_PREFETCH_FLOW_AHEAD)))
            engine_prefetch_flow(e, a);
        engine_process_decoded(e, p);
        capture_ring_done(ring);
    }
    pthread_join(th, NULL);
    engine_front_end(mf->e);
    capture_ring_free(mf->ring);
    mf->ring = NULL;
    return true;
}

/* Read a classic pcap file from a memory map. TG_DECLINED (nothing read,
 * nothing counted) when the file is not one the mapped reader handles:
 * pcapng, unusual magic or link type, not a regular file, or a map that
 * fails; libpcap then reads it. Otherwise as capture_file(). */
static int capture_file_mapped(struct engine *e, const char *path, struct capture_run *run, char *err,
                               size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return TG_DECLINED; /* libpcap's open reports it */
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size < PCAP_FILE_HEADER_LEN ||
        (uint64_t)sb.st_size > SIZE_MAX) {
        close(fd);
        return TG_DECLINED;
    }
    size_t size = (size_t)sb.st_size;
    const uint8_t *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return TG_DECLINED;
    madvise((void *)map, size, MADV_SEQUENTIAL);

    struct mapped_file *mf = calloc(1, sizeof *mf);
    if (!mf) {
        munmap((void *)map, size);
        return TG_DECLINED;
    }
    mf->e = e;
    mf->run = run;
    mf->path = path;
    mf->map = map;
    mf->size = size;
    cursor_init(&mf->c, map, size);
    uint32_t magic = cursor_le32(&mf->c);
    if (magic == PCAP_MAGIC_USEC || magic == PCAP_MAGIC_NSEC) {
        mf->nano = magic == PCAP_MAGIC_NSEC;
    } else if (__builtin_bswap32(magic) == PCAP_MAGIC_USEC || __builtin_bswap32(magic) == PCAP_MAGIC_NSEC) {
        mf->swapped = true;
        mf->nano = __builtin_bswap32(magic) == PCAP_MAGIC_NSEC;
    } else {
        free(mf);
        munmap((void *)map, size);
        return TG_DECLINED;
    }
    uint16_t major = mf->swapped ? cursor_be16(&mf->c) : cursor_le16(&mf->c);
    cursor_skip(&mf->c, 2 + 4 + 4 + 4); /* minor, thiszone, sigfigs, snaplen */
    /* The low 16 bits are the link type; the rest carries FCS hints. */
    mf->dlt = linktype_to_dlt((mf->swapped ? cursor_be32(&mf->c) : cursor_le32(&mf->c)) & 0xFFFF);
    if (major != 2 || mf->dlt < 0 || mf->c.err) {
        free(mf);
        munmap((void *)map, size);
        return TG_DECLINED;
    }

    struct stats *st = engine_stats(e);
    stats_inc(st, STAT_CAPTURE_FILES);
    if (!run || !run->threaded || !mapped_read_threaded(mf))
        mapped_read_batched(mf);
    if (mf->rc == TG_ERROR)
        stats_inc(st, STAT_CAPTURE_TRUNCATED_FILES);
    if (mf->rc != TG_OK)
        snprintf(err, errlen, "%s", mf->err);
    int rc = mf->rc;
    capture_file_done(run, path, mf->c.pos, size);
    free(mf);
    munmap((void *)map, size);
    return rc;
}

/* Read a capture through libpcap: pcapng, stdin, FIFOs and anything the
 * mapped reader declines. */
static int capture_file_libpcap(struct engine *e, const char *path, struct capture_run *run, char *err,
                                size_t errlen)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    bool is_stdin = strcmp(path, "-") == 0; /* as pcap_open_offline() allows */
    FILE *fp = is_stdin ? stdin : fopen(path, "rb");
    if (!fp) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return TG_ERROR;
    }
    /* stdio's default buffer is one 4 KiB block, which makes reading a
     * capture mostly read() calls. The buffer lives until pcap_close()
     * closes fp; stdin keeps its own. */
    char *iobuf = is_stdin ? NULL : malloc(CAPTURE_IOBUF_BYTES);
    if (iobuf) {
        setvbuf(fp, iobuf, _IOFBF, CAPTURE_IOBUF_BYTES);
        posix_fadvise(fileno(fp), 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    pcap_t *pc = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, perr);
    if (!pc) {
        if (!is_stdin)
            fclose(fp);
        free(iobuf);
        if (capture_stop_signal()) {
            snprintf(err, errlen, "%s: stopped before the first packet", path);
            return CAPTURE_INTERRUPTED;
        }
        snprintf(err, errlen, "%s: %s", path, perr);
        return TG_ERROR;
    }
    struct stats *st = engine_stats(e);
    stats_inc(st, STAT_CAPTURE_FILES);
    int dlt = pcap_datalink(pc);
    uint64_t num = 0;
    int rc = TG_OK;
    for (;;) {
        struct pcap_pkthdr *h;
        const u_char *data;
        int r = capture_stop_signal() ? PCAP_ERROR : pcap_next_ex(pc, &h, &data);
        if (r == PCAP_ERROR_BREAK)
            break; /* end of file */
        if (r != 1 && capture_stop_signal()) {
            /* Also a read that a signal interrupted (a pipe or FIFO input
             * blocks in read(), which then fails with EINTR). */
            snprintf(err, errlen, "%s: stopped after packet %llu", path, (unsigned long long)num);
            rc = CAPTURE_INTERRUPTED;
            break;
        }
        if (r != 1) {
            /* Offline, pcap_next_ex returns 1, PCAP_ERROR_BREAK or PCAP_ERROR. */
            char mixed[512];
            bool linktype = false;
            if (pcapng_find_mixed_interfaces(path, mixed, sizeof mixed, &linktype) == TG_OK) {
                snprintf(err, errlen, "%s: stopped after packet %llu: %s", path, (unsigned long long)num, mixed);
                stats_inc(st, linktype ? STAT_CAPTURE_MIXED_LINKTYPE_FILES : STAT_CAPTURE_MIXED_SNAPLEN_FILES);
            } else {
                snprintf(err, errlen, "%s: packet %llu: truncated or corrupt record (%s); the %llu packets before it were processed",
                         path, (unsigned long long)num + 1, pcap_geterr(pc), (unsigned long long)num);
                stats_inc(st, STAT_CAPTURE_TRUNCATED_FILES);
            }
            rc = TG_ERROR;
            break;
        }
        /* Opened with nanosecond precision, so tv_usec holds nanoseconds. */
        struct packet p;
        packet_init_captured(&p, ++num, (uint64_t)h->ts.tv_sec * TG_NS_PER_SEC + (uint64_t)h->ts.tv_usec, data,
                             h->caplen, h->len, dlt);
        engine_process_packet(e, &p);
        if (capture_counted(run, num)) {
            long pos = ftell(fp); /* an lseek() for stdio: only when drawing */
            capture_progress_draw(run, path, pos > 0 ? (uint64_t)pos : 0, false);
        }
    }
    if (run && run->progress) {
        struct stat sb;
        long pos = ftell(fp);
        uint64_t size = fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0;
        capture_file_done(run, path, pos > 0 ? (uint64_t)pos : 0, size);
    }
    pcap_close(pc); /* closes fp, stdin included: nothing else reads it */
    free(iobuf);
    return rc;
}

int capture_file(struct engine *e, const char *path, struct capture_run *run, char *err, size_t errlen)
{
    if (!run || run->use_mmap) {
        int rc = capture_file_mapped(e, path, run, err, errlen);
        if (rc != TG_DECLINED)
            return rc;
    }
    return capture_file_libpcap(e, path, run, err, errlen);
}
