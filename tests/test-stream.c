/* test-stream.c - TCP reassembly driven with hand-made packets and a recording consumer. */
#include "test.h"
#include "config.h"
#include "stream.h"

/* What the consumer saw, per direction: the bytes it took, with "<GAP>"
 * before a call flagged STREAM_GAP and "<EOF>" after one flagged STREAM_EOF. */
struct rec {
    char out[2][4096];
    size_t outlen[2];
    int calls[2];
    bool lines;        /* consume only complete lines (framing) */
    bool take_none;    /* consume nothing until EOF */
    char last_seen[2][512]; /* the buffer offered by the last call */
};

static void rec_put(struct rec *r, int dir, const void *b, size_t n)
{
    if (r->outlen[dir] + n >= sizeof r->out[dir])
        n = sizeof r->out[dir] - 1 - r->outlen[dir];
    memcpy(r->out[dir] + r->outlen[dir], b, n);
    r->outlen[dir] += n;
    r->out[dir][r->outlen[dir]] = 0;
}

static size_t rec_deliver(void *arg, struct flow *f, struct packet *p, int dir, const uint8_t *data,
                          size_t len, unsigned flags)
{
    (void)f;
    (void)p;
    struct rec *r = arg;
    r->calls[dir]++;
    size_t k = len < sizeof r->last_seen[dir] - 1 ? len : sizeof r->last_seen[dir] - 1;
    if (k)
        memcpy(r->last_seen[dir], data, k);
    r->last_seen[dir][k] = 0;
    if (flags & STREAM_GAP)
        rec_put(r, dir, "<GAP>", 5);
    size_t used = len;
    if (!(flags & STREAM_EOF)) {
        if (r->take_none) {
            used = 0;
        } else if (r->lines) {
            used = 0;
            for (size_t i = 0; i < len; i++)
                if (data[i] == '\n')
                    used = i + 1;
        }
    }
    if (used)
        rec_put(r, dir, data, used);
    if (flags & STREAM_EOF)
        rec_put(r, dir, "<EOF>", 5);
    return used;
}

struct fx {
    struct config *cfg;
    struct stats st;
    struct stream_ctx *s;
    struct flow f;
    struct rec r;
    struct packet last; /* the last packet processed (events) */
    uint64_t num;
};

static struct fx *fx_new(const char *const *sets)
{
    struct fx *x = calloc(1, sizeof *x);
    x->cfg = config_new();
    for (; sets && *sets; sets++)
        config_set(x->cfg, *sets);
    x->s = stream_new(x->cfg, &x->st, rec_deliver, &x->r);
    x->f.proto = IPPROTO_NUM_TCP;
    return x;
}

/* Ends the flow, checks every byte of stream memory came back, frees. */
static void fx_free(struct fx *x)
{
    stream_flow_end(x->s, &x->f);
    CHECK(x->f.stream == NULL);
    CHECK_EQ_U(stream_memuse(x->s), 0);
    stream_free(x->s);
    config_free(x->cfg);
    free(x);
}

static void seg(struct fx *x, int dir, const char *flags, uint32_t seq, uint32_t ack, const char *data)
{
    struct packet p;
    memset(&p, 0, sizeof p);
    p.num = ++x->num;
    p.l4_proto = IPPROTO_NUM_TCP;
    p.flow = &x->f;
    p.dir = (uint8_t)dir;
    for (const char *c = flags; *c; c++)
        p.tcp_flags |= *c == 'S' ? TCP_SYN : *c == 'A' ? TCP_ACK : *c == 'F' ? TCP_FIN
                     : *c == 'R' ? TCP_RST : *c == 'P' ? TCP_PSH : 0;
    p.tcp_seq = seq;
    p.tcp_ack = ack;
    p.payload = (const uint8_t *)data;
    p.payload_len = data ? (uint32_t)strlen(data) : 0;
    x->f.pkts[dir]++;
    stream_process(x->s, &x->f, &p);
    x->last = p;
}

/* Client ISN 1000, server ISN 5000: client data starts at 1001, server at 5001. */
static void handshake(struct fx *x)
{
    seg(x, 0, "S", 1000, 0, NULL);
    seg(x, 1, "SA", 5000, 1001, NULL);
    seg(x, 0, "A", 1001, 5001, NULL);
}

#define C(off) (1001u + (off))
#define SV(off) (5001u + (off))

TEST(seq_helpers)
{
    CHECK(stream_seq_lt(1, 2));
    CHECK(stream_seq_lt(0xFFFFFFF0u, 0x10u));
    CHECK(stream_seq_gt(0x10u, 0xFFFFFFF0u));
    CHECK(stream_seq_leq(5, 5) && stream_seq_geq(5, 5));
    CHECK_EQ_U(stream_seq_diff(0x10u, 0xFFFFFFF0u), 0x20);
    CHECK(stream_seq_diff(0xFFFFFFF0u, 0x10u) == -0x20);
    CHECK(stream_seq_diff(0x80000000u, 0) == INT32_MIN);
}

TEST(in_order)
{
    struct fx *x = fx_new(NULL);
    seg(x, 0, "S", 1000, 0, NULL);
    CHECK_EQ_U(x->f.state, FLOW_STATE_NEW);
    seg(x, 1, "SA", 5000, 1001, NULL);
    CHECK_EQ_U(x->f.state, FLOW_STATE_NEW);
    seg(x, 0, "A", 1001, 5001, NULL);
    CHECK_EQ_U(x->f.state, FLOW_STATE_ESTABLISHED);
    seg(x, 0, "PA", C(0), SV(0), "hello ");
    seg(x, 0, "PA", C(6), SV(0), "world\n");
    seg(x, 1, "PA", SV(0), C(12), "200 OK\n");
    CHECK_STR(x->r.out[0], "hello world\n");
    CHECK_STR(x->r.out[1], "200 OK\n");
    seg(x, 0, "FA", C(12), SV(7), NULL);
    CHECK_STR(x->r.out[0], "hello world\n<EOF>");
    CHECK_EQ_U(x->f.state, FLOW_STATE_ESTABLISHED);
    seg(x, 1, "FA", SV(7), C(13), NULL);
    CHECK_STR(x->r.out[1], "200 OK\n<EOF>");
    CHECK_EQ_U(x->f.state, FLOW_STATE_CLOSED);
    seg(x, 0, "A", C(13), SV(8), NULL);
    CHECK_EQ_U(x->st.c[STAT_TCP_SESSIONS], 1);
    CHECK_EQ_U(x->st.c[STAT_TCP_SEGMENTS], 3);
    CHECK_EQ_U(x->st.c[STAT_TCP_FIN], 2);
    CHECK_EQ_U(x->st.c[STAT_TCP_MIDSTREAM], 0);
    CHECK_EQ_U(x->st.c[STAT_TCP_OUT_OF_ORDER], 0);
    CHECK_EQ_U(x->st.c[STAT_TCP_GAPS], 0);
    CHECK_EQ_U(x->st.c[STAT_EVENTS_TOTAL], 0);
    fx_free(x);
}

TEST(out_of_order_reverse)
{
    struct fx *x = fx_new(NULL);
    handshake(x);
    seg(x, 0, "PA", C(16), SV(0), "qrst");
    seg(x, 0, "PA", C(12), SV(0), "mnop");
    seg(x, 0, "PA", C(8), SV(0), "ijkl");
    seg(x, 0, "PA", C(4), SV(0), "efgh");
    CHECK_STR(x->r.out[0], "");
    CHECK(stream_memuse(x->s) > 16);
    CHECK_EQ_U(x->st.c[STAT_TCP_MEMUSE], stream_memuse(x->s));
    seg(x, 0, "PA", C(0), SV(0), "abcd");
    CHECK_STR(x->r.out[0], "abcdefghijklmnopqrst");
    CHECK_EQ_U(x->st.c[STAT_TCP_OUT_OF_ORDER], 4);
    CHECK_EQ_U(x->st.c[STAT_TCP_SEGMENTS], 5);
    CHECK_EQ_U(x->st.c[STAT_TCP_GAPS], 0);
    CHECK_EQ_U(x->st.c[STAT_TCP_OVERLAPS], 0);
    /* nothing queued any more: only the session record and buffers remain */
    seg(x, 0, "FA", C(20), SV(0), NULL);
    CHECK_STR(x->r.out[0], "abcdefghijklmnopqrst<EOF>");
    fx_free(x);
}

TEST(fin_before_data)
{
    /* the FIN-carrying last segment overtakes the one before it */
    struct fx *x = fx_new(NULL);
    handshake(x);
    seg(x, 0, "PA", C(0), SV(0), "abc");
    seg(x, 0, "FPA", C(6), SV(0), "ghi");
    CHECK_STR(x->r.out[0], "abc");
    seg(x, 0, "PA", C(3), SV(0), "def");
    CHECK_STR(x->r.out[0], "abcdefghi<EOF>");
    CHECK_EQ_U(x->st.c[STAT_TCP_GAPS], 0);
    fx_free(x);
}

TEST(retransmission)
{
    struct fx *x = fx_new(NULL);
    handshake(x);
    seg(x, 0, "PA", C(0), SV(0), "INVITE ");
    seg(x, 0, "PA", C(0), SV(0), "INVITE ");
    seg(x, 0, "PA", C(7), SV(0), "sip:a");
    seg(x, 0, "PA", C(7), SV(0), "sip:a");
    seg(x, 0, "PA", C(2), SV(0), "VIT"); /* a piece of old data */
    CHECK_STR(x->r.out[0], "INVITE sip:a");
    CHECK_EQ_U(x->st.c[STAT_TCP_RETRANSMISSIONS], 3);
    CHECK_EQ_U(x->st.c[STAT_TCP_OVERLAPS], 0);
    CHECK_EQ_U(x->st.c[STAT_TCP_OVERLAP_DIFF], 0);
    CHECK_EQ_U(x->last.n_events, 0);
    /* the SYN and the handshake ACK again: no data, nothing counted */
    seg(x, 0, "S", 1000, 0, NULL);
    CHECK_EQ_U(x->st.c[STAT_TCP_RETRANSMISSIONS], 3);
    fx_free(x);
}

TEST(overlap_same_data)
{
    struct fx *x = fx_new(NULL);
    handshake(x);
    seg(x, 0, "PA", C(0), SV(0), "abcdef");
    seg(x, 0, "PA", C(3), SV(0), "defghi"); /* half old, same bytes */
    seg(x, 0, "PA", C(12), SV(0), "mnop");  /* queued */
    seg(x, 0, "PA", C(10), SV(0), "klmn");  /* overlaps the queued head, same */
    CHECK_EQ_U(x->last.n_events, 0);
    seg(x, 0, "PA", C(9), SV(0), "j");
    CHECK_STR(x->r.out[0], "abcdefghijklmnop");
    CHECK_EQ_U(x->st.c[STAT_TCP_OVERLAPS], 2);
    CHECK_EQ_U(x->st.c[STAT_TCP_OVERLAP_DIFF], 0);
    CHECK_EQ_U(x->st.events[EV_STREAM_OVERLAP_DIFF_DATA], 0);
    fx_free(x);
}

TEST(overlap_diff_delivered)
{
    struct fx *x = fx_new(NULL);
    handshake(x);
    seg(x, 0, "PA", C(0), SV(0), "abcdef");
    seg(x, 0, "PA", C(3), SV(0), "XYZghi");
    CHECK(packet_has_event(&x->last, EV_STREAM_OVERLAP_DIFF_DATA));
    /* first wins: the old bytes stay, only the new tail is added */
    CHECK_STR(x->r.out[0], "abcdefghi");
    /* a full rewrite of delivered data: event, nothing delivered */
    seg(x, 0, "PA", C(0), SV(0), "ABCDEFGHI");
    CHECK(packet_has_event(&x->last, EV_STREAM_OVERLAP_DIFF_DATA));
    CHECK_STR(x->r.out[0], "abcdefghi");
    CHECK_EQ_U(x->st.c[STAT_TCP_OVERLAP_DIFF], 2);
    CHECK_EQ_U(x->st.events[EV_STREAM_OVERLAP_DIFF_DATA], 2);
    CHECK_EQ_U(x->st.c[STAT_TCP_RETRANSMISSIONS], 0);
    fx_free(x);
}

TEST(overlap_diff_queued)
{
    struct fx *x = fx_new(NULL);
    handshake(x);
    seg(x, 0, "PA", C(0), SV(0), "abc");
    seg(x, 0, "PA", C(6), SV(0), "ghi");    /* queued */
    seg(x, 0, "PA", C(6), SV(0), "GHI");    /* rewrite of queued bytes */
    CHECK(packet_has_event(&x->last, EV_STREAM_OVERLAP_DIFF_DATA));
    CHECK_STR(x->r.out[0], "abc");
    seg(x, 0, "PA", C(3), SV(0), "defXYZjk"); /* fills the hole, differs on the queued part */
    CHECK(packet_has_event(&x->last, EV_STREAM_OVERLAP_DIFF_DATA));
    CHECK_STR(x->r.out[0], "abcdefghijk");
    CHECK_EQ_U(x->st.c[STAT_TCP_OVERLAP_DIFF], 2);
    CHECK_EQ_U(x->st.c[STAT_TCP_OVERLAPS], 2);
    fx_free(x);
}

TEST(keepalive)
{
    /* a keep-alive probe repeats the last byte with garbage: ignored */
    struct fx *x = fx_new(NULL);
    handshake(x);
    seg(x, 0, "PA", C(0), SV(0), "abc");
    seg(x, 0, "A", C(2), SV(0), "\x01");
    CHECK_EQ_U(x->last.n_events, 0);
    CHECK_EQ_U(x->st.c[STAT_TCP_OVERLAP_DIFF], 0);
    CHECK_EQ_U(x->st.c[STAT_TCP_RETRANSMISSIONS], 0);
    CHECK_EQ_U(x->st.c[STAT_TCP_SEGMENTS], 1);
    /* the same byte as a real rewrite (two bytes) is an overlap */
    seg(x, 0, "A", C(1), SV(0), "Xc");
    CHECK(packet_has_event(&x->last, EV_STREAM_OVERLAP_DIFF_DATA));
    CHECK_STR(x->r.out[0], "abc");
    fx_free(x);
}

TEST(window_budget)
{
    /* windows may take only half the memcap: queueing still works */
    static const char *const sets[] = {"stream.memcap=20000", "stream.overlap-window=64k", NULL};
    struct fx *x = fx_new(sets);
    handshake(x);
    static char big[8001];
    memset(big, 'w', 8000);
    seg(x, 0, "PA", C(0), SV(0), big);
    seg(x, 0, "PA", C(8000), SV(0), big);
    CHECK(stream_memuse(x->s) <= 10000);
    seg(x, 0, "PA", C(20000), SV(0), "queued");
    CHECK_EQ_U(x->st.c[STAT_TCP_SEGMENT_MEMCAP_HIT], 0);
    CHECK_EQ_U(x->st.c[STAT_TCP_OUT_OF_ORDER], 1);
    fx_free(x);
}

TEST(overlap_window_bounded)
{
    /* with a 16-byte window only the last 16 delivered bytes are compared */
    static const char *const sets[] = {"stream.overlap-window=16", NULL};
    struct fx *x = fx_new(sets);
    handshake(x);
    seg(x, 0, "PA", C(0), SV(0), "0123456789abcdefghijklmnopqrstuv");
    seg(x, 0, "PA", C(0), SV(0), "XXXX");   /* too old to compare */
    CHECK_EQ_U(x->last.n_events, 0);
    seg(x, 0, "PA", C(30), SV(0), "UV");     /* in the window, differs */
    CHECK(packet_has_event(&x->last, EV_STREAM_OVERLAP_DIFF_DATA));
    CHECK_EQ_U(x->st.c[STAT_TCP_RETRANSMISSIONS], 1);
    fx_free(x);
}

TEST(gap_ack_past_hole)
{
    struct fx *x = fx_new(NULL);
    handshake(x);
    seg(x, 0, "PA", C(0), SV(0), "abc");
    /* "def" at C(3) is never seen by the sensor */
    seg(x, 0, "PA", C(6), SV(0), "ghi");
    CHECK_STR(x->r.out[0], "abc");
    seg(x, 1, "A", SV(0), C(6), NULL);   /* acks the missing bytes only */
    CHECK(packet_has_event(&x->last, EV_STREAM_SEQ_GAP));
    CHECK_STR(x->r.out[0], "abc<GAP>ghi");
    seg(x, 0, "PA", C(9), SV(0), "jkl");
    CHECK_STR(x->r.out[0], "abc<GAP>ghijkl");
    seg(x, 0, "PA", C(3), SV(0), "def"); /* too late: old now, not delivered */
    CHECK_STR(x->r.out[0], "abc<GAP>ghijkl");
    CHECK_EQ_U(x->st.c[STAT_TCP_GAPS], 1);
    CHECK_EQ_U(x->st.events[EV_STREAM_SEQ_GAP], 1);
    fx_free(x);
}

TEST(gap_ack_with_nothing_queued)
{
    /* an ACK past next_seq with nothing waiting is no gap (yet) */
    struct fx *x = fx_new(NULL);
    handshake(x);
    seg(x, 0, "PA", C(0), SV(0), "abc");
    seg(x, 1, "A", SV(0), C(6), NULL);
    CHECK_EQ_U(x->st.c[STAT_TCP_GAPS], 0);
    seg(x, 0, "PA", C(6), SV(0), "ghi");
    seg(x, 1, "A", SV(0), C(9), NULL);
    CHECK_STR(x->r.out[0], "abc<GAP>ghi");
    CHECK_EQ_U(x->st.c[STAT_TCP_GAPS], 1);
    fx_free(x);
}

TEST(gap_fin)
{
    /* a hole before the FIN: the peer acks the FIN, so the hole is final */
    struct fx *x = fx_new(NULL);
    handshake(x);
    seg(x, 0, "PA", C(0), SV(0), "abc");
    seg(x, 0, "FPA", C(6), SV(0), "ghi");
    CHECK_STR(x->r.out[0], "abc");
    seg(x, 1, "A", SV(0), C(10), NULL);
    CHECK(packet_has_event(&x->last, EV_STREAM_SEQ_GAP));
    CHECK_STR(x->r.out[0], "abc<GAP>ghi<EOF>");
    CHECK_EQ_U(x->st.c[STAT_TCP_GAPS], 1);
    fx_free(x);

    /* same, but the capture ends before any ACK: flow end closes it */
    x = fx_new(NULL);
    handshake(x);
    seg(x, 0, "PA", C(0), SV(0), "abc");
    seg(x, 0, "FPA", C(6), SV(0), "ghi");
    stream_flow_end(x->s, &x->f);
    CHECK_STR(x->r.out[0], "abc<GAP>ghi<EOF>");
    CHECK_EQ_U(x->st.c[STAT_TCP_GAPS], 1);
    CHECK_EQ_U(x->st.events[EV_STREAM_SEQ_GAP], 1);
    fx_free(x);
}

TEST(wrap_around)
{
    struct fx *x = fx_new(NULL);
    uint32_t isn = 0xFFFFFFF8u; /* data starts at 0xFFFFFFF9 and wraps after 7 bytes */
    seg(x, 0, "S", isn, 0, NULL);
    seg(x, 1, "SA", 77, isn + 1, NULL);
    seg(x, 0, "A", isn + 1, 78, NULL);
    CHECK_EQ_U(x->f.state, FLOW_STATE_ESTABLISHED);
    seg(x, 0, "PA", isn + 1 + 10, 78, "klmnop");  /* past the wrap, out of order */
    seg(x, 0, "PA", isn + 1 + 5, 78, "fghij");    /* straddles 2^32 */
    seg(x, 0, "PA", isn + 1, 78, "abcde");
    CHECK_STR(x->r.out[0], "abcdefghijklmnop");
    seg(x, 0, "PA", isn + 1 + 4, 78, "eXg");      /* differs across the wrap */
    CHECK(packet_has_event(&x->last, EV_STREAM_OVERLAP_DIFF_DATA));
    seg(x, 0, "PA", isn + 1 + 4, 78, "efg");
    CHECK_EQ_U(x->st.c[STAT_TCP_RETRANSMISSIONS], 1);
    seg(x, 0, "FA", isn + 1 + 16, 78, NULL);
    CHECK_STR(x->r.out[0], "abcdefghijklmnop<EOF>");
    CHECK_EQ_U(x->st.c[STAT_TCP_OUT_OF_ORDER], 2);
    CHECK_EQ_U(x->st.c[STAT_TCP_GAPS], 0);
    fx_free(x);
}

TEST(midstream_pickup)
{
    struct fx *x = fx_new(NULL);
    seg(x, 0, "PA", 123456, 999, "abc");
    CHECK_EQ_U(x->st.c[STAT_TCP_MIDSTREAM], 1);
    CHECK_EQ_U(x->f.state, FLOW_STATE_ESTABLISHED);
    seg(x, 1, "A", 999, 123459, NULL);
    seg(x, 0, "PA", 123459, 999, "def");
    seg(x, 1, "PA", 999, 123462, "xyz");
    seg(x, 0, "PA", 123462, 1002, "ghi");
    CHECK_STR(x->r.out[0], "abcdefghi");
    CHECK_STR(x->r.out[1], "xyz");
    CHECK_EQ_U(x->st.c[STAT_TCP_MIDSTREAM], 1);
    CHECK_EQ_U(x->st.c[STAT_TCP_SESSIONS], 1);
    CHECK_EQ_U(x->st.c[STAT_TCP_GAPS], 0);
    fx_free(x);
}

TEST(one_direction_only)
{
    /* an asymmetric route: the sensor sees only the client's packets */
    struct fx *x = fx_new(NULL);
    seg(x, 0, "S", 1000, 0, NULL);
    seg(x, 0, "A", C(0), SV(0), NULL);
    CHECK_EQ_U(x->f.state, FLOW_STATE_NEW);
    seg(x, 0, "PA", C(0), SV(0), "abc");
    CHECK_EQ_U(x->f.state, FLOW_STATE_ESTABLISHED);
    seg(x, 0, "PA", C(3), SV(0), "def");
    CHECK_STR(x->r.out[0], "abcdef");
    CHECK_EQ_U(x->st.c[STAT_TCP_MIDSTREAM], 0);
    fx_free(x);
}

TEST(partial_consumption)
{
    struct fx *x = fx_new(NULL);
    x->r.lines = true;
    handshake(x);
    seg(x, 0, "PA", C(0), SV(0), "REGI");
    CHECK_STR(x->r.out[0], "");
    CHECK_STR(x->r.last_seen[0], "REGI");
    seg(x, 0, "PA", C(4), SV(0), "STER sip:x\r\nVia: a");
    CHECK_STR(x->r.last_seen[0], "REGISTER sip:x\r\nVia: a");
    CHECK_STR(x->r.out[0], "REGISTER sip:x\r\n");
    seg(x, 0, "PA", C(22), SV(0), "\r\n\r\nOPT");
    CHECK_STR(x->r.last_seen[0], "Via: a\r\n\r\nOPT");
    CHECK_STR(x->r.out[0], "REGISTER sip:x\r\nVia: a\r\n\r\n");
    CHECK_EQ_U(x->r.calls[0], 3);
    /* EOF offers the unconsumed rest once more */
    seg(x, 0, "FA", C(29), SV(0), NULL);
    CHECK_STR(x->r.last_seen[0], "OPT");
    CHECK_STR(x->r.out[0], "REGISTER sip:x\r\nVia: a\r\n\r\nOPT<EOF>");
    fx_free(x);
}

TEST(app_buffer_cap)
{
    static const char *const sets[] = {"stream.app-buffer=8", NULL};
    struct fx *x = fx_new(sets);
    x->r.take_none = true;
    handshake(x);
    seg(x, 0, "PA", C(0), SV(0), "abcde");
    seg(x, 0, "PA", C(5), SV(0), "fgh");       /* exactly 8 kept */
    CHECK_STR(x->r.last_seen[0], "abcdefgh");
    CHECK_EQ_U(x->st.c[STAT_APP_BUFFER_CAP_HIT], 0);
    seg(x, 0, "PA", C(8), SV(0), "ijk");       /* 11 > 8: dropped */
    CHECK_EQ_U(x->st.c[STAT_APP_BUFFER_CAP_HIT], 1);
    x->r.take_none = false;
    CHECK_STR(x->r.last_seen[0], "ijk");
    CHECK_STR(x->r.out[0], "<GAP>");           /* the call after the drop said GAP */
    seg(x, 0, "PA", C(11), SV(0), "lm");
    CHECK_STR(x->r.out[0], "<GAP>ijklm");
    fx_free(x);
}

TEST(depth)
{
    static const char *const sets[] = {"stream.depth=10", NULL};
    struct fx *x = fx_new(sets);
    handshake(x);
    seg(x, 0, "PA", C(0), SV(0), "01234567");
    seg(x, 0, "PA", C(8), SV(0), "89abcdef");
    CHECK_STR(x->r.out[0], "0123456789");
    CHECK_EQ_U(x->st.c[STAT_TCP_DEPTH_REACHED], 1);
    seg(x, 0, "PA", C(20), SV(0), "zzzz");      /* beyond depth: not even queued */
    seg(x, 0, "PA", C(16), SV(0), "ghij");
    CHECK_STR(x->r.out[0], "0123456789");
    CHECK_EQ_U(x->st.c[STAT_TCP_DEPTH_REACHED], 1);
    CHECK_EQ_U(x->st.c[STAT_TCP_OUT_OF_ORDER], 0);
    seg(x, 1, "PA", SV(0), C(16), "server side is its own direction");
    CHECK_STR(x->r.out[1], "server sid");
    CHECK_EQ_U(x->st.c[STAT_TCP_DEPTH_REACHED], 2);
    seg(x, 0, "FA", C(24), SV(0), NULL);
    CHECK_STR(x->r.out[0], "0123456789<EOF>");
    fx_free(x);

    /* 0 = unlimited */
    static const char *const unlimited[] = {"stream.depth=0", NULL};
    x = fx_new(unlimited);
    handshake(x);
    static char big[3000];
    memset(big, 'x', sizeof big - 1);
    for (uint32_t i = 0; i < 1000; i++)
        seg(x, 0, "PA", C(i * 2999), SV(0), big);
    CHECK_EQ_U(x->st.c[STAT_TCP_DEPTH_REACHED], 0);
    CHECK_EQ_U(x->st.c[STAT_TCP_GAPS], 0);
    fx_free(x);
}

TEST(flow_memcap)
{
    static const char *const sets[] = {"stream.flow-memcap=16", NULL};
    struct fx *x = fx_new(sets);
    handshake(x);
    seg(x, 0, "PA", C(0), SV(0), "aaaaaaaa");
    /* bbbbbbbb at C(8) is lost */
    seg(x, 0, "PA", C(16), SV(0), "cccccccc");
    seg(x, 0, "PA", C(24), SV(0), "dddddddd");
    CHECK_STR(x->r.out[0], "aaaaaaaa");
    CHECK_EQ_U(x->st.c[STAT_TCP_FLOW_MEMCAP_HIT], 0);
    seg(x, 0, "PA", C(32), SV(0), "eeeeeeee"); /* 24 bytes would be queued */
    CHECK_EQ_U(x->st.c[STAT_TCP_FLOW_MEMCAP_HIT], 1);
    CHECK(packet_has_event(&x->last, EV_STREAM_MEMCAP));
    CHECK(packet_has_event(&x->last, EV_STREAM_SEQ_GAP));
    CHECK_STR(x->r.out[0], "aaaaaaaa<GAP>ccccccccddddddddeeeeeeee");
    CHECK_EQ_U(x->st.c[STAT_TCP_GAPS], 1);
    fx_free(x);
}

TEST(max_segments)
{
    static const char *const sets[] = {"stream.max-segments=2", NULL};
    struct fx *x = fx_new(sets);
    handshake(x);
    seg(x, 0, "PA", C(0), SV(0), "a");
    seg(x, 0, "PA", C(2), SV(0), "c");
    seg(x, 0, "PA", C(4), SV(0), "e");
    seg(x, 0, "PA", C(6), SV(0), "g");
    CHECK_EQ_U(x->st.c[STAT_TCP_SEGMENT_MEMCAP_HIT], 1);
    CHECK_STR(x->r.out[0], "a<GAP>c<GAP>e<GAP>g");
    CHECK_EQ_U(x->st.c[STAT_TCP_GAPS], 3);
    fx_free(x);
}

TEST(global_memcap)
{
    /* room for the session record and a little more: queueing hits the cap */
    static const char *const sets[] = {"stream.memcap=1200", "stream.overlap-window=0", NULL};
    struct fx *x = fx_new(sets);
    handshake(x);
    static char kb[1001];
    memset(kb, 'k', 1000);
    seg(x, 0, "PA", C(1000), SV(0), kb);
    CHECK_EQ_U(x->st.c[STAT_TCP_SEGMENT_MEMCAP_HIT], 1);
    CHECK_EQ_U(x->st.c[STAT_TCP_GAPS], 1);
    CHECK(stream_memuse(x->s) <= 1200);
    fx_free(x);
}

TEST(rst)
{
    struct fx *x = fx_new(NULL);
    handshake(x);
    seg(x, 0, "PA", C(0), SV(0), "abc");
    seg(x, 0, "PA", C(6), SV(0), "ghi");
    seg(x, 1, "R", SV(0) + 5000000, 0, NULL); /* far out of window: not believed */
    CHECK_EQ_U(x->st.c[STAT_TCP_RST], 0);
    CHECK_EQ_U(x->f.state, FLOW_STATE_ESTABLISHED);
    seg(x, 1, "RA", SV(0), C(3), NULL);
    CHECK_EQ_U(x->st.c[STAT_TCP_RST], 1);
    CHECK_EQ_U(x->f.state, FLOW_STATE_CLOSED);
    CHECK_STR(x->r.out[0], "abc<GAP>ghi<EOF>");
    CHECK_STR(x->r.out[1], ""); /* never carried data: no EOF */
    seg(x, 0, "PA", C(9), SV(0), "late");
    CHECK_STR(x->r.out[0], "abc<GAP>ghi<EOF>");
    CHECK_EQ_U(x->st.c[STAT_TCP_RST], 1);
    fx_free(x);
}

TEST(synack_wrong_ack)
{
    struct fx *x = fx_new(NULL);
    seg(x, 0, "S", 1000, 0, NULL);
    seg(x, 1, "SA", 9999, 777, NULL); /* does not ack the SYN: ignored */
    CHECK(packet_has_event(&x->last, EV_STREAM_3WHS_SYNACK_WITH_WRONG_ACK));
    CHECK_EQ_U(x->st.events[EV_STREAM_3WHS_SYNACK_WITH_WRONG_ACK], 1);
    seg(x, 1, "SA", 5000, 1001, NULL);
    CHECK_EQ_U(x->last.n_events, 0);
    seg(x, 0, "A", 1001, 5001, NULL);
    CHECK_EQ_U(x->f.state, FLOW_STATE_ESTABLISHED);
    /* the server's stream starts at the good ISN, not the forged one */
    seg(x, 1, "PA", SV(0), C(0), "hi");
    CHECK_STR(x->r.out[1], "hi");
    fx_free(x);
}

TEST(port_reuse)
{
    struct fx *x = fx_new(NULL);
    handshake(x);
    seg(x, 0, "PA", C(0), SV(0), "one");
    seg(x, 0, "FA", C(3), SV(0), NULL);
    seg(x, 1, "FA", SV(0), C(4), NULL);
    CHECK_EQ_U(x->f.state, FLOW_STATE_CLOSED);
    seg(x, 0, "S", 70000, 0, NULL);
    CHECK_EQ_U(x->st.c[STAT_TCP_SESSIONS], 2);
    seg(x, 1, "SA", 90000, 70001, NULL);
    seg(x, 0, "A", 70001, 90001, NULL);
    CHECK_EQ_U(x->f.state, FLOW_STATE_ESTABLISHED);
    seg(x, 0, "PA", 70001, 90001, "two");
    CHECK_STR(x->r.out[0], "one<EOF>two");
    fx_free(x);
}

TEST(refused_then_reconnect)
{
    struct fx *x = fx_new(NULL);
    seg(x, 0, "S", 1000, 0, NULL);
    seg(x, 1, "RA", 0, 77777, NULL);  /* acks nothing near the SYN: forged, ignored */
    CHECK_EQ_U(x->st.c[STAT_TCP_RST], 0);
    seg(x, 1, "RA", 0, 1001, NULL);   /* refused */
    CHECK_EQ_U(x->st.c[STAT_TCP_RST], 1);
    CHECK_EQ_U(x->f.state, FLOW_STATE_CLOSED);
    /* the client tries again with the same ISN: a new session, fully tracked */
    handshake(x);
    CHECK_EQ_U(x->st.c[STAT_TCP_SESSIONS], 2);
    CHECK_EQ_U(x->f.state, FLOW_STATE_ESTABLISHED);
    seg(x, 0, "PA", C(0), SV(0), "hello");
    CHECK_STR(x->r.out[0], "hello");
    fx_free(x);
}

/* xorshift: a fixed-seed generator so failures reproduce */
static uint32_t rnd_next(uint32_t *st)
{
    uint32_t x = *st;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *st = x;
}


struct rsegs {
    struct { uint32_t off, len; } s[400];
    int n;
};

/* Random boundaries over n bytes, ~25% sent again cut differently, then
 * shuffled within a window of 16. */
static void rsegs_make(struct rsegs *g, size_t n, uint32_t *rs)
{
    g->n = 0;
    for (uint32_t off = 0; off < n && g->n < 398;) {
        uint32_t len = 1 + rnd_next(rs) % 200;
        if (off + len > n)
            len = (uint32_t)n - off;
        g->s[g->n].off = off;
        g->s[g->n++].len = len;
        if (rnd_next(rs) % 4 == 0) {
            uint32_t a = off > 50 ? off - rnd_next(rs) % 50 : 0;
            uint32_t b = off + len + rnd_next(rs) % 50;
            g->s[g->n].off = a;
            g->s[g->n++].len = (b > n ? (uint32_t)n : b) - a;
        }
        off += len;
    }
    for (int i = g->n - 1; i > 0; i--) {
        int j = i - (int)(rnd_next(rs) % 16);
        if (j < 0)
            j = 0;
        uint32_t to = g->s[i].off, tl = g->s[i].len;
        g->s[i] = g->s[j];
        g->s[j].off = to;
        g->s[j].len = tl;
    }
}

TEST(random_reorder_property)
{
    /* Whatever the order, duplication and segmentation of honest segments
     * (ISN anywhere, also across 2^32), the consumer gets exactly the bytes
     * sent, once, with no gap and no overlap event. */
    uint32_t rs = 0x9e3779b9u;
    static char msg[3000];
    for (int iter = 0; iter < 300; iter++) {
        struct fx *x = fx_new(NULL);
        x->r.lines = rnd_next(&rs) & 1;
        size_t n = 200 + rnd_next(&rs) % 2500;
        for (size_t i = 0; i < n; i++)
            msg[i] = (char)(i % 9 == 8 ? '\n' : 'a' + (i * 7 + iter) % 26);
        msg[n] = 0;
        uint32_t isn = (iter % 3 == 0) ? 0xFFFFFFFFu - rnd_next(&rs) % 3000 : rnd_next(&rs);
        seg(x, 0, "S", isn, 0, NULL);
        seg(x, 1, "SA", 5000, isn + 1, NULL);
        seg(x, 0, "A", isn + 1, 5001, NULL);
        struct rsegs g;
        rsegs_make(&g, n, &rs);
        int ns = g.n;
        for (int i = 0; i < ns; i++) {
            char buf[512];
            memcpy(buf, msg + g.s[i].off, g.s[i].len);
            buf[g.s[i].len] = 0;
            seg(x, 0, "PA", isn + 1 + g.s[i].off, 5001, buf);
        }
        seg(x, 0, "FA", isn + 1 + (uint32_t)n, 5001, NULL);
        char want[3100];
        snprintf(want, sizeof want, "%s<EOF>", msg);
        if (strcmp(x->r.out[0], want) != 0) {
            fprintf(stderr, "  iteration %d: isn %08x, %d segments, lines %d\n", iter, isn, ns, x->r.lines);
            CHECK_STR(x->r.out[0], want);
            fx_free(x);
            break;
        }
        CHECK_EQ_U(x->st.c[STAT_TCP_GAPS], 0);
        CHECK_EQ_U(x->st.c[STAT_TCP_OVERLAP_DIFF], 0);
        CHECK_EQ_U(x->st.c[STAT_EVENTS_TOTAL], 0);
        fx_free(x);
    }
}

TEST(random_drop_property)
{
    /* Some segments never reach the sensor; the receiver acks everything at
     * the end. The consumer must get every byte some seen segment carried,
     * once, in order, with a gap exactly where uncovered bytes were. */
    uint32_t rs = 0x2545f491u;
    static char msg[3000];
    for (int iter = 0; iter < 300; iter++) {
        struct fx *x = fx_new(NULL);
        size_t n = 200 + rnd_next(&rs) % 2500;
        for (size_t i = 0; i < n; i++)
            msg[i] = (char)('A' + (i * 5 + iter) % 26);
        uint32_t isn = rnd_next(&rs);
        seg(x, 0, "S", isn, 0, NULL);
        seg(x, 1, "SA", 5000, isn + 1, NULL);
        seg(x, 0, "A", isn + 1, 5001, NULL);
        struct rsegs g;
        rsegs_make(&g, n, &rs);
        static bool covered[3000];
        memset(covered, 0, sizeof covered);
        for (int i = 0; i < g.n; i++) {
            if (rnd_next(&rs) % 8 == 0)
                continue; /* lost before the sensor */
            char buf[512];
            memcpy(buf, msg + g.s[i].off, g.s[i].len);
            buf[g.s[i].len] = 0;
            for (uint32_t k = 0; k < g.s[i].len; k++)
                covered[g.s[i].off + k] = true;
            seg(x, 0, "PA", isn + 1 + g.s[i].off, 5001, buf);
        }
        seg(x, 0, "FA", isn + 1 + (uint32_t)n, 5001, NULL);
        seg(x, 1, "A", 5001, isn + 2 + (uint32_t)n, NULL);
        static char want[6000];
        size_t wl = 0;
        unsigned gaps = 0;
        for (size_t i = 0; i < n; i++) {
            if (covered[i]) {
                if (i == 0 || !covered[i - 1]) {
                    if (i > 0) {
                        memcpy(want + wl, "<GAP>", 5);
                        wl += 5;
                        gaps++;
                    }
                }
                want[wl++] = msg[i];
            }
        }
        if (!covered[n - 1]) {
            memcpy(want + wl, "<GAP>", 5);
            wl += 5;
            gaps++;
        }
        memcpy(want + wl, "<EOF>", 6);
        if (strcmp(x->r.out[0], want) != 0) {
            fprintf(stderr, "  iteration %d: isn %08x, %d segments\n", iter, isn, g.n);
            CHECK_STR(x->r.out[0], want);
            fx_free(x);
            break;
        }
        CHECK_EQ_U(x->st.c[STAT_TCP_GAPS], gaps);
        CHECK_EQ_U(x->st.c[STAT_TCP_OVERLAP_DIFF], 0);
        fx_free(x);
    }
}

TEST(random_conflict_property)
{
    /* Copies sent again with some bytes changed: every byte keeps the value
     * of the first segment that carried it (first wins, for queued and for
     * delivered bytes alike), and each segment that disagreed with bytes
     * already held raises exactly one overlap event. */
    uint32_t rs = 0x7f4a7c15u;
    static char msg[3000];
    for (int iter = 0; iter < 300; iter++) {
        struct fx *x = fx_new(NULL);
        size_t n = 200 + rnd_next(&rs) % 2500;
        for (size_t i = 0; i < n; i++)
            msg[i] = (char)('a' + (i * 3 + iter) % 26);
        uint32_t isn = rnd_next(&rs);
        seg(x, 0, "S", isn, 0, NULL);
        seg(x, 1, "SA", 5000, isn + 1, NULL);
        seg(x, 0, "A", isn + 1, 5001, NULL);
        struct rsegs g;
        rsegs_make(&g, n, &rs);
        static char first[3000];
        static bool have[3000];
        memset(have, 0, sizeof have);
        unsigned diffs = 0;
        for (int i = 0; i < g.n; i++) {
            char buf[512];
            memcpy(buf, msg + g.s[i].off, g.s[i].len);
            buf[g.s[i].len] = 0;
            if (rnd_next(&rs) % 3 == 0) /* tamper with one byte */
                buf[rnd_next(&rs) % g.s[i].len] = '#';
            bool differs = false;
            for (uint32_t k = 0; k < g.s[i].len; k++) {
                uint32_t o = g.s[i].off + k;
                if (have[o] && first[o] != buf[k])
                    differs = true;
                if (!have[o]) {
                    have[o] = true;
                    first[o] = buf[k];
                }
            }
            diffs += differs;
            seg(x, 0, "PA", isn + 1 + g.s[i].off, 5001, buf);
        }
        seg(x, 0, "FA", isn + 1 + (uint32_t)n, 5001, NULL);
        static char want[3100];
        memcpy(want, first, n);
        memcpy(want + n, "<EOF>", 6);
        if (strcmp(x->r.out[0], want) != 0) {
            fprintf(stderr, "  iteration %d: isn %08x, %d segments\n", iter, isn, g.n);
            CHECK_STR(x->r.out[0], want);
            fx_free(x);
            break;
        }
        CHECK_EQ_U(x->st.c[STAT_TCP_OVERLAP_DIFF], diffs);
        CHECK_EQ_U(x->st.events[EV_STREAM_OVERLAP_DIFF_DATA], diffs);
        CHECK_EQ_U(x->st.c[STAT_TCP_GAPS], 0);
        fx_free(x);
    }
}

TEST_MAIN(T(seq_helpers), T(in_order), T(out_of_order_reverse), T(fin_before_data), T(retransmission),
          T(overlap_same_data), T(overlap_diff_delivered), T(overlap_diff_queued), T(keepalive), T(window_budget), T(overlap_window_bounded),
          T(gap_ack_past_hole), T(gap_ack_with_nothing_queued), T(gap_fin), T(wrap_around),
          T(midstream_pickup), T(one_direction_only), T(partial_consumption), T(app_buffer_cap), T(depth), T(flow_memcap),
          T(max_segments), T(global_memcap), T(rst), T(synack_wrong_ack), T(port_reuse),
          T(refused_then_reconnect), T(random_reorder_property),
          T(random_drop_property), T(random_conflict_property))
