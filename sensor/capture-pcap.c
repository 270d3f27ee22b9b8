/* capture-pcap.c - offline reading of pcap and pcapng files with libpcap.
 *
 * Files are opened with nanosecond precision so both pcap flavours and
 * pcapng keep their full timestamps. A truncated or corrupt file stops at the
 * bad record; what came before has already gone through the engine, and the
 * error names the file and the packet number. libpcap reads a single link
 * type per pcapng file: when a later interface has another one it stops with
 * a terse message, so we look at the interface blocks ourselves and say
 * which interface and link type it was and how to split the file. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "capture.h"
#include "cursor.h"
#include "engine.h"

/* Check the progress clock every this many packets (a power of two). */
#define CAPTURE_PROGRESS_EVERY 1024u

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
 * link type differs from the first interface's. TG_OK with a message in msg
 * when one was found; TG_DECLINED when the file is not pcapng or all
 * interfaces agree (the error is then something else). */
static int pcapng_find_mixed_linktypes(const char *path, char *msg, size_t msglen)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return TG_DECLINED;
    int rc = TG_DECLINED;
    bool big_endian = false;
    int first_dlt = -1;
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
        if (type == PCAPNG_BT_IDB && got >= 12) {
            cursor_init(&c, hdr + 8, got - 8);
            int dlt = big_endian ? cursor_be16(&c) : cursor_le16(&c);
            if (first_dlt < 0) {
                first_dlt = dlt;
            } else if (dlt != first_dlt) {
                char a[64], b[64];
                snprintf(msg, msglen,
                         "interface %u of section %u has link type %s but the first interface has %s; "
                         "libpcap reads one link type per pcapng file. Split the file per interface "
                         "(e.g. tshark -r FILE -Y 'frame.interface_id == %u' -w PART.pcapng) and "
                         "analyze the parts",
                         idb_in_section, section, linktype_name(dlt, a, sizeof a),
                         linktype_name(first_dlt, b, sizeof b), idb_in_section);
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

int capture_file(struct engine *e, const char *path, struct capture_progress *pr, char *err, size_t errlen)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, perr);
    if (!pc) {
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
    FILE *fp = pcap_file(pc);
    bool progress = pr && pr->enabled;
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
            if (pcapng_find_mixed_linktypes(path, mixed, sizeof mixed) == TG_OK) {
                snprintf(err, errlen, "%s: stopped after packet %llu: %s", path, (unsigned long long)num, mixed);
                stats_inc(st, STAT_CAPTURE_MIXED_LINKTYPE_FILES);
            } else {
                snprintf(err, errlen, "%s: packet %llu: truncated or corrupt record (%s); the %llu packets before it were processed",
                         path, (unsigned long long)num + 1, pcap_geterr(pc), (unsigned long long)num);
                stats_inc(st, STAT_CAPTURE_TRUNCATED_FILES);
            }
            rc = TG_ERROR;
            break;
        }
        struct packet p;
        memset(&p, 0, sizeof p);
        p.num = ++num;
        /* Opened with nanosecond precision, so tv_usec holds nanoseconds. */
        p.ts_ns = (uint64_t)h->ts.tv_sec * TG_NS_PER_SEC + (uint64_t)h->ts.tv_usec;
        p.data = data;
        p.caplen = h->caplen;
        p.wirelen = h->len;
        p.datalink = dlt;
        engine_process_packet(e, &p);
        if (progress) {
            pr->packets++;
            if ((num & (CAPTURE_PROGRESS_EVERY - 1)) == 0) {
                long pos = fp ? ftell(fp) : -1;
                capture_progress_draw(pr, path, pos > 0 ? (uint64_t)pos : 0, false);
            }
        }
    }
    if (progress) {
        /* Count the whole file as done even when it stopped early, so the
         * percentage of the run stays right for the files that follow. */
        struct stat sb;
        long pos = fp ? ftell(fp) : -1;
        capture_progress_draw(pr, path, pos > 0 ? (uint64_t)pos : 0, true);
        if (fp && fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode))
            pr->done_bytes += (uint64_t)sb.st_size;
    }
    pcap_close(pc);
    return rc;
}
