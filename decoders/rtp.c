/* rtp.c - RTP/RTCP header validation, payload type table, per-SSRC loss and jitter, stateful probe.
 *
 * Loss follows RFC 3550 appendix A.1 with probation 0: a passive monitor
 * starts counting at the first packet it sees (the probe already demanded
 * two consistent packets). Jitter follows A.8 but in milliseconds from
 * capture time, the way Wireshark's RTP analysis reports it, so the two can
 * be compared; packets whose clock rate is unknown leave it untouched. */
#include <math.h>
#include <string.h>
#include "cursor.h"
#include "rtp.h"

#define RTP_SEQ_MOD (1u << 16)
#define RTP_MAX_DROPOUT 3000 /* A.1 */
#define RTP_MAX_MISORDER 100 /* A.1 */
#define RTP_PT_CN 13         /* RFC 3389 comfort noise */
#define RTP_PT_CN_OLD 19     /* reserved, was CN */

enum rtp_reject rtp_parse(const uint8_t *data, size_t len, struct rtp_header *h)
{
    struct cursor c;
    cursor_init(&c, data, len);
    memset(h, 0, sizeof *h);
    if (len < 12)
        return RTP_REJ_SHORT;
    uint8_t b0 = cursor_u8(&c), b1 = cursor_u8(&c);
    h->version = b0 >> 6;
    h->padding = (b0 >> 5) & 1;
    h->extension = (b0 >> 4) & 1;
    h->csrc_count = b0 & 0x0f;
    h->marker = b1 >> 7;
    h->pt = b1 & 0x7f;
    h->seq = cursor_be16(&c);
    h->ts = cursor_be32(&c);
    h->ssrc = cursor_be32(&c);
    if (h->version != RTP_VERSION)
        return RTP_REJ_VERSION;
    if (h->pt >= 72 && h->pt <= 76)
        return RTP_REJ_PT;
    for (unsigned i = 0; i < h->csrc_count; i++)
        h->csrc[i] = cursor_be32(&c);
    if (h->extension) {
        h->ext_profile = cursor_be16(&c);
        uint16_t words = cursor_be16(&c);
        h->ext_len = (uint32_t)words * 4;
        cursor_skip(&c, h->ext_len);
    }
    if (c.err)
        return RTP_REJ_SHORT;
    h->header_len = (uint32_t)c.pos;
    uint32_t rest = (uint32_t)cursor_left(&c);
    if (h->padding) {
        uint8_t pad = cursor_peek_u8(&c, len - 1);
        if (c.err || pad == 0 || pad > rest)
            return RTP_REJ_PADDING;
        h->pad_len = pad;
    }
    h->payload_off = h->header_len;
    h->payload_len = rest - h->pad_len;
    if (h->payload_len == 0)
        return RTP_REJ_EMPTY;
    return RTP_OK;
}

bool rtp_is_rtcp(const uint8_t *data, size_t len)
{
    struct cursor c;
    cursor_init(&c, data, len);
    uint8_t b0 = cursor_u8(&c), b1 = cursor_u8(&c);
    return !c.err && (b0 >> 6) == RTP_VERSION && b1 >= RTCP_PT_MIN && b1 <= RTCP_PT_MAX;
}

int rtcp_parse(const uint8_t *data, size_t len, bool strict, struct rtcp_info *out)
{
    struct cursor c;
    cursor_init(&c, data, len);
    memset(out, 0, sizeof *out);
    if (len < 4)
        return TG_DECLINED;
    while (cursor_left(&c)) {
        if (!strict && out->n_packets && cursor_left(&c) < 4) {
            /* a few stray bytes after whole packets (seen from real
             * stacks); strict validation refuses them */
            out->trailing = (uint32_t)cursor_left(&c);
            break;
        }
        size_t start = c.pos;
        uint8_t b0 = cursor_u8(&c), pt = cursor_u8(&c);
        uint16_t words = cursor_be16(&c);
        size_t plen = ((size_t)words + 1) * 4;
        if (c.err || (b0 >> 6) != RTP_VERSION || pt < RTCP_PT_MIN || pt > RTCP_PT_MAX)
            return TG_DECLINED;
        if (strict && (pt < RTCP_SR || pt > RTCP_XR))
            return TG_DECLINED;
        if (plen > len - start)
            return TG_DECLINED;
        bool padding = (b0 >> 5) & 1;
        if (padding && start + plen != len)
            return TG_DECLINED; /* A.2: only the last packet may be padded */
        uint32_t idx = out->n_packets++;
        struct cursor body;
        cursor_init(&body, data + start + 4, plen - 4);
        uint32_t ssrc = cursor_be32(&body);
        uint8_t count = b0 & 0x1f;
        if (idx < RTCP_MAX_PACKETS) {
            out->pkt[idx].pt = pt;
            out->pkt[idx].count = count;
            out->pkt[idx].ssrc = ssrc;
            out->pkt[idx].len = (uint32_t)plen;
        }
        if (idx == 0)
            out->compound_ok = pt == RTCP_SR || pt == RTCP_RR;
        if (pt == RTCP_SR && !out->has_sr) {
            out->has_sr = true;
            out->sr_ssrc = ssrc;
            uint32_t hi = cursor_be32(&body), lo = cursor_be32(&body);
            out->sr_ntp = ((uint64_t)hi << 32) | lo;
            out->sr_rtp_ts = cursor_be32(&body);
            out->sr_packets = cursor_be32(&body);
            out->sr_octets = cursor_be32(&body);
            if (body.err)
                return TG_DECLINED; /* an SR shorter than its sender info */
        }
        if ((pt == RTCP_SR || pt == RTCP_RR) && count > 0 && !out->has_report) {
            /* report block: ssrc, fraction(8) cum lost(24), ext seq, jitter, lsr, dlsr */
            if (pt == RTCP_RR || body.pos == 24) {
                uint32_t rb_ssrc = cursor_be32(&body);
                uint32_t fl = cursor_be32(&body);
                cursor_be32(&body);
                uint32_t jit = cursor_be32(&body);
                if (!body.err) {
                    out->has_report = true;
                    out->rb_ssrc = rb_ssrc;
                    out->rb_fraction_lost = (uint8_t)(fl >> 24);
                    int32_t cum = (int32_t)(fl & 0xffffff);
                    if (cum & 0x800000)
                        cum -= 0x1000000;
                    out->rb_cum_lost = cum;
                    out->rb_jitter = jit;
                }
            }
        }
        cursor_skip(&c, plen - 4);
    }
    return out->n_packets ? TG_OK : TG_DECLINED;
}

/* RFC 3551 section 6, tables 4 and 5. */
struct rtp_static_pt {
    const char *name;
    uint32_t clock;
    uint8_t channels;
};

static const struct rtp_static_pt rtp_static[35] = {
    [0] = {"PCMU", 8000, 1},   [3] = {"GSM", 8000, 1},     [4] = {"G723", 8000, 1},
    [5] = {"DVI4", 8000, 1},   [6] = {"DVI4", 16000, 1},   [7] = {"LPC", 8000, 1},
    [8] = {"PCMA", 8000, 1},   [9] = {"G722", 8000, 1},    [10] = {"L16", 44100, 2},
    [11] = {"L16", 44100, 1},  [12] = {"QCELP", 8000, 1},  [13] = {"CN", 8000, 1},
    [14] = {"MPA", 90000, 1},  [15] = {"G728", 8000, 1},   [16] = {"DVI4", 11025, 1},
    [17] = {"DVI4", 22050, 1}, [18] = {"G729", 8000, 1},   [25] = {"CelB", 90000, 1},
    [26] = {"JPEG", 90000, 1}, [28] = {"nv", 90000, 1},    [31] = {"H261", 90000, 1},
    [32] = {"MPV", 90000, 1},  [33] = {"MP2T", 90000, 1},  [34] = {"H263", 90000, 1},
};

const char *rtp_static_payload(unsigned pt, uint32_t *clock, uint8_t *channels)
{
    if (pt >= TG_ARRAY_LEN(rtp_static) || !rtp_static[pt].name)
        return NULL;
    if (clock)
        *clock = rtp_static[pt].clock;
    if (channels)
        *channels = rtp_static[pt].channels;
    return rtp_static[pt].name;
}

/* Dynamic encodings whose clock an rtpmap without a rate implies (IANA RTP
 * parameters registry). */
static const struct {
    const char *name;
    uint32_t clock;
} rtp_dyn_clock[] = {
    {"PCMU", 8000},        {"PCMA", 8000},   {"G722", 8000},    {"G729", 8000},   {"GSM", 8000},
    {"AMR", 8000},         {"AMR-WB", 16000}, {"EVS", 16000},   {"G7221", 16000}, {"iLBC", 8000},
    {"opus", 48000},       {"speex", 8000},  {"G726-32", 8000}, {"telephone-event", 8000},
    {"H264", 90000},       {"VP8", 90000},   {"VP9", 90000},    {"H263-1998", 90000},
};

uint32_t rtp_encoding_clock(const char *name, size_t len)
{
    for (size_t i = 0; i < TG_ARRAY_LEN(rtp_dyn_clock); i++)
        if (strlen(rtp_dyn_clock[i].name) == len && strncasecmp(rtp_dyn_clock[i].name, name, len) == 0)
            return rtp_dyn_clock[i].clock;
    return 0;
}

/* ---- per-SSRC statistics ---- */

static void rtp_seq_init(struct rtp_stream *s, uint16_t seq)
{
    s->base_seq = seq;
    s->max_seq = seq;
    s->bad_seq = RTP_SEQ_MOD + 1; /* so seq == bad_seq is false */
    s->cycles = 0;
    s->received = 0;
}

static bool rtp_recent_has(const struct rtp_stream *s, uint16_t seq)
{
    for (unsigned i = 0; i < s->n_recent; i++)
        if (s->recent[i] == seq)
            return true;
    return false;
}

static void rtp_recent_add(struct rtp_stream *s, uint16_t seq)
{
    s->recent[s->recent_pos] = seq;
    s->recent_pos = (uint8_t)((s->recent_pos + 1) % TG_ARRAY_LEN(s->recent));
    if (s->n_recent < TG_ARRAY_LEN(s->recent))
        s->n_recent++;
}

/* A.1 update_seq() with probation 0; returns false when the packet starts
 * or continues a suspected restart and must not count yet. */
static bool rtp_seq_update(struct rtp_stream *s, uint16_t seq)
{
    uint16_t udelta = (uint16_t)(seq - s->max_seq);
    if (udelta == 0 || (udelta >= RTP_SEQ_MOD - RTP_MAX_MISORDER)) {
        /* duplicate or reordered: counted as received, as A.1 does */
        if (udelta == 0 || rtp_recent_has(s, seq))
            s->duplicates++;
        else
            s->out_of_order++;
    } else if (udelta < RTP_MAX_DROPOUT) {
        if (seq < s->max_seq)
            s->cycles += RTP_SEQ_MOD;
        s->max_seq = seq;
    } else {
        if (seq == s->bad_seq) {
            /* two sequential packets after a jump: the source restarted */
            s->expected_before = rtp_stream_expected(s);
            s->received_before += s->received;
            s->restarts++;
            rtp_seq_init(s, seq);
        } else {
            s->bad_seq = (uint32_t)((seq + 1) & (RTP_SEQ_MOD - 1));
            return false;
        }
    }
    s->received++;
    return true;
}

uint64_t rtp_stream_expected(const struct rtp_stream *s)
{
    uint64_t ext_max = (uint64_t)s->cycles + s->max_seq;
    return s->expected_before + (ext_max - s->base_seq + 1);
}

int64_t rtp_stream_lost(const struct rtp_stream *s)
{
    return (int64_t)rtp_stream_expected(s) - (int64_t)(s->received_before + s->received);
}

double rtp_stream_mean_jitter(const struct rtp_stream *s)
{
    return s->jitter_samples ? s->jitter_sum_ms / (double)s->jitter_samples : 0.0;
}

static uint32_t rtp_packet_clock(const struct rtp_stream *s, uint8_t pt)
{
    if (pt == s->first_pt)
        return s->clock;
    uint32_t clock = 0;
    rtp_static_payload(pt, &clock, NULL);
    return clock;
}

void rtp_stream_init(struct rtp_stream *s, const struct rtp_header *h, uint64_t ts_ns, uint32_t clock)
{
    memset(s, 0, sizeof *s);
    s->ssrc = h->ssrc;
    s->pt = s->first_pt = h->pt;
    if (!clock)
        rtp_static_payload(h->pt, &clock, NULL);
    s->clock = clock;
    s->packets = 1;
    s->bytes = h->payload_len;
    s->first_ns = s->last_ns = s->prev_ns = s->jit_prev_ns = ts_ns;
    s->prev_ts = h->ts;
    s->prev_seq = h->seq;
    s->marker_seen = h->marker;
    rtp_seq_init(s, h->seq);
    s->received = 1;
    rtp_recent_add(s, h->seq);
    if (clock) {
        s->have_transit = true;
        s->transit_ms = 0;
    }
}

void rtp_stream_update(struct rtp_stream *s, const struct rtp_header *h, uint64_t ts_ns)
{
    uint8_t prev_pt = s->pt;
    s->packets++;
    s->bytes += h->payload_len;
    if (h->marker)
        s->marker_seen = true;
    rtp_seq_update(s, h->seq);
    rtp_recent_add(s, h->seq);

    double delta_ms = ts_ns >= s->prev_ns ? (double)(ts_ns - s->prev_ns) / 1e6 : -(double)(s->prev_ns - ts_ns) / 1e6;
    /* Wireshark leaves talkspurt starts (marker), comfort noise and the
     * packet after it out of max delta and max jitter: their gaps are
     * silence, not network delay. */
    bool regular = !h->marker && h->pt != RTP_PT_CN && h->pt != RTP_PT_CN_OLD && prev_pt != RTP_PT_CN &&
                   prev_pt != RTP_PT_CN_OLD;
    if (regular && delta_ms > s->max_delta_ms)
        s->max_delta_ms = delta_ms;

    uint32_t clock = rtp_packet_clock(s, h->pt);
    if (clock) {
        /* A.8: D = (Rj - Ri) - (Sj - Si), with S in ms; the timestamp
         * difference is taken modulo 2^32 so a wrap is a small step. */
        uint64_t since = ts_ns - s->jit_prev_ns; /* arrival gap to the last packet with a clock */
        double arr_ms = ts_ns >= s->jit_prev_ns ? (double)since / 1e6 : -(double)(s->jit_prev_ns - ts_ns) / 1e6;
        double ts_ms = (double)(int32_t)(h->ts - s->prev_ts) * 1000.0 / (double)clock;
        double d = fabs(arr_ms - ts_ms);
        if (s->have_transit) {
            s->jitter_ms += (d - s->jitter_ms) / 16.0;
            if (regular) {
                if (s->jitter_ms > s->max_jitter_ms)
                    s->max_jitter_ms = s->jitter_ms;
                s->jitter_sum_ms += s->jitter_ms;
                s->jitter_samples++;
            }
        }
        s->have_transit = true;
        s->transit_ms = arr_ms - ts_ms;
        s->prev_ts = h->ts;
        s->jit_prev_ns = ts_ns;
    }
    s->pt = h->pt;
    s->prev_ns = ts_ns;
    s->prev_seq = h->seq;
    s->last_ns = ts_ns;
}

/* ---- probe ---- */

enum rtp_probe_verdict rtp_probe_step(struct rtp_probe *pr, const uint8_t *data, size_t len, uint64_t ts_ns)
{
    if (rtp_is_rtcp(data, len)) {
        struct rtcp_info info;
        if (rtcp_parse(data, len, true, &info) == TG_OK && info.compound_ok)
            return RTP_PROBE_RTCP;
        return RTP_PROBE_NO;
    }
    struct rtp_header h;
    if (rtp_parse(data, len, &h) != RTP_OK)
        return RTP_PROBE_NO; /* keep the candidate: ZRTP or STUN may sit between RTP packets */
    if (pr->state == 1 && h.ssrc == pr->ssrc && h.pt == pr->pt) {
        uint16_t gap = (uint16_t)(h.seq - pr->seq);
        if (gap >= 1 && gap <= RTP_PROBE_MAX_SEQ_GAP)
            return RTP_PROBE_RTP;
    }
    pr->state = 1;
    pr->arrival_ns = ts_ns;
    pr->ssrc = h.ssrc;
    pr->ts = h.ts;
    pr->seq = h.seq;
    pr->pt = h.pt;
    pr->marker = h.marker;
    pr->payload_len = (uint16_t)TG_MIN(h.payload_len, 65535u);
    return RTP_PROBE_MORE;
}

bool rtp_probe_header(const struct rtp_probe *pr, struct rtp_header *h, uint64_t *ts_ns)
{
    memset(h, 0, sizeof *h);
    if (pr->state != 1)
        return false;
    h->version = RTP_VERSION;
    h->marker = pr->marker;
    h->pt = pr->pt;
    h->seq = pr->seq;
    h->ts = pr->ts;
    h->ssrc = pr->ssrc;
    h->header_len = 12;
    h->payload_len = pr->payload_len;
    *ts_ns = pr->arrival_ns;
    return true;
}
