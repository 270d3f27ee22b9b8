/* stream-dump.c - print every TCP session of a pcap as reassembled by sensor/stream.c.
 *
 * usage: stream-dump [--set K=V]... [--hex] FILE.pcap
 *
 * Runs decode, the flow table and the stream module (no app layer), with a
 * consumer that takes every byte, and prints per session and direction the
 * bytes it was handed, in flow order:
 *
 *   stream 198.18.0.1:40000 > 198.18.0.2:5060 dir 0 bytes=297 gaps=0 eof=1
 *   INVITE sip:bob@198.18.0.2 SIP/2.0\r\n
 *   ...
 *
 * Text is escaped (\r, \n, \\, \xHH for non-printables) with a line break
 * after each \n; a line "[GAP]" marks where a STREAM_GAP delivery began.
 * --hex prints the bytes as one hex line instead, no markers, to compare with
 * tshark's "follow,tcp,raw". Test captures come with the expected text. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "decode.h"
#include "flow.h"
#include "stream.h"

/* Sessions printed at most; further ones are counted but not kept. */
#define DUMP_MAX_SESSIONS 4096
/* Bytes kept per direction; the rest is counted only. */
#define DUMP_MAX_BYTES (4u << 20)

struct dump_dir {
    char *text; /* escaped text with markers, or hex */
    size_t len, cap;
    uint64_t bytes;
    unsigned gaps;
    bool eof;
};

struct dump_flow {
    uint64_t id;
    char name[128];
    struct dump_dir dir[2];
};

struct dump {
    struct stream_ctx *stream;
    bool hex;
    struct dump_flow *done[DUMP_MAX_SESSIONS];
    size_t ndone;
    unsigned long dropped;
    int oom;
};

static void dd_put(struct dump *dp, struct dump_dir *dd, const char *s, size_t n)
{
    if (dd->len + n + 1 > dd->cap) {
        size_t cap = dd->cap ? dd->cap * 2 : 256;
        while (cap < dd->len + n + 1)
            cap *= 2;
        char *t = realloc(dd->text, cap);
        if (!t) {
            dp->oom = 1;
            return;
        }
        dd->text = t;
        dd->cap = cap;
    }
    memcpy(dd->text + dd->len, s, n);
    dd->len += n;
    dd->text[dd->len] = 0;
}

static size_t dump_deliver(void *arg, struct flow *f, struct packet *p, int dir, const uint8_t *data,
                           size_t len, unsigned flags)
{
    (void)p;
    struct dump *dp = arg;
    struct dump_flow *df = f->app_state;
    if (!df)
        return len;
    struct dump_dir *dd = &df->dir[dir];
    if (flags & STREAM_GAP) {
        dd->gaps++;
        if (!dp->hex) {
            if (dd->len && dd->text[dd->len - 1] != '\n')
                dd_put(dp, dd, "\n", 1);
            dd_put(dp, dd, "[GAP]\n", 6);
        }
    }
    if (flags & STREAM_EOF)
        dd->eof = true;
    for (size_t i = 0; i < len && dd->bytes < DUMP_MAX_BYTES; i++, dd->bytes++) {
        char e[8];
        uint8_t c = data[i];
        if (dp->hex)
            snprintf(e, sizeof e, "%02x", c);
        else if (c == '\r')
            strcpy(e, "\\r");
        else if (c == '\n')
            strcpy(e, "\\n\n");
        else if (c == '\\')
            strcpy(e, "\\\\");
        else if (c < 0x20 || c >= 0x7f)
            snprintf(e, sizeof e, "\\x%02x", c);
        else
            e[0] = (char)c, e[1] = 0;
        dd_put(dp, dd, e, strlen(e));
    }
    return len;
}

static void dump_flow_end(struct flow *f, void *arg)
{
    struct dump *dp = arg;
    if (f->stream)
        stream_flow_end(dp->stream, f);
    struct dump_flow *df = f->app_state;
    f->app_state = NULL;
    if (!df)
        return;
    if (dp->ndone < DUMP_MAX_SESSIONS) {
        dp->done[dp->ndone++] = df;
    } else {
        dp->dropped++;
        free(df->dir[0].text);
        free(df->dir[1].text);
        free(df);
    }
}

static int dump_cmp(const void *a, const void *b)
{
    const struct dump_flow *x = *(struct dump_flow *const *)a, *y = *(struct dump_flow *const *)b;
    return x->id < y->id ? -1 : x->id > y->id;
}

int main(int argc, char **argv)
{
    struct config *cfg = config_new();
    struct dump dp = {0};
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--set") && i + 1 < argc)
            config_set(cfg, argv[++i]);
        else if (!strcmp(argv[i], "--hex"))
            dp.hex = true;
        else
            path = argv[i];
    }
    if (!path) {
        fprintf(stderr, "usage: stream-dump [--set K=V]... [--hex] FILE.pcap\n");
        return 2;
    }
    char perr[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pc = pcap_open_offline(path, perr);
    if (!pc) {
        fprintf(stderr, "stream-dump: %s: %s\n", path, perr);
        return 1;
    }
    struct stats st;
    memset(&st, 0, sizeof st);
    struct decode_ctx dc;
    decode_ctx_init(&dc, cfg, &st);
    dp.stream = stream_new(cfg, &st, dump_deliver, &dp);
    struct flow_table *ft = flow_table_new(cfg, &st, dump_flow_end, &dp);
    if (!dp.stream || !ft) {
        fprintf(stderr, "stream-dump: out of memory\n");
        return 1;
    }
    struct pcap_pkthdr *h;
    const u_char *data;
    uint64_t num = 0;
    while (pcap_next_ex(pc, &h, &data) == 1) {
        struct packet p;
        memset(&p, 0, sizeof p);
        p.num = ++num;
        p.ts_ns = (uint64_t)h->ts.tv_sec * TG_NS_PER_SEC + (uint64_t)h->ts.tv_usec * 1000u;
        p.data = data;
        p.caplen = h->caplen;
        p.wirelen = h->len;
        p.datalink = pcap_datalink(pc);
        decode_packet(&dc, &p);
        if (!(p.flags & PKT_HAS_L4) || (p.flags & PKT_IS_FRAGMENT) || p.l4_proto != IPPROTO_NUM_TCP)
            continue;
        struct flow *f = flow_lookup(ft, &p);
        if (!f)
            continue;
        if (!f->app_state) {
            struct dump_flow *df = calloc(1, sizeof *df);
            if (!df) {
                dp.oom = 1;
                continue;
            }
            char a[46], b[46];
            df->id = f->id;
            snprintf(df->name, sizeof df->name, "%s:%u > %s:%u", ip_addr_str(&f->addr[0], a, sizeof a),
                     f->port[0], ip_addr_str(&f->addr[1], b, sizeof b), f->port[1]);
            f->app_state = df;
        }
        stream_process(dp.stream, f, &p);
        flow_table_expire(ft, p.ts_ns);
    }
    pcap_close(pc);
    flow_table_free(ft);
    int rc = 0;
    if (stream_memuse(dp.stream) != 0) {
        fprintf(stderr, "stream-dump: %zu bytes of stream memory not returned\n", stream_memuse(dp.stream));
        rc = 1;
    }
    stream_free(dp.stream);
    qsort(dp.done, dp.ndone, sizeof dp.done[0], dump_cmp);
    for (size_t i = 0; i < dp.ndone; i++) {
        struct dump_flow *df = dp.done[i];
        for (int d = 0; d < 2; d++) {
            struct dump_dir *dd = &df->dir[d];
            if (!dd->bytes && !dd->gaps)
                continue;
            printf("stream %s dir %d bytes=%llu gaps=%u eof=%d\n", df->name, d, (unsigned long long)dd->bytes,
                   dd->gaps, dd->eof);
            if (dd->len)
                printf("%s%s", dd->text, dd->text[dd->len - 1] == '\n' ? "" : "\n");
            free(dd->text);
        }
        free(df);
    }
    if (dp.dropped)
        printf("sessions not kept: %lu\n", dp.dropped);
    config_free(cfg);
    if (dp.oom) {
        fprintf(stderr, "stream-dump: out of memory\n");
        rc = 1;
    }
    return rc;
}
