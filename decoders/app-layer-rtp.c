/* app-layer-rtp.c - the "rtp" app-layer protocol: stateful probe and per-flow RTP/RTCP statistics. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app-layer-rtp.h"
#include "config.h"
#include "engine.h"
#include "json.h"

_Static_assert(sizeof(struct rtp_probe) <= APP_PROBE_MEMO_SIZE, "rtp_probe must fit the flow's probe memo");

/* The id rtp_register() obtained. Written once at start-up, before any
 * packet; app layers register in one fixed order, so it is the same for
 * every engine of the process. */
static int rtp_app_id;

static enum app_probe_result rtp_app_probe(const uint8_t *data, size_t len, int dir)
{
    /* Stateless fallback (TCP never carries our RTP): only a strictly
     * valid compound RTCP datagram is decisive on its own. */
    TG_UNUSED(dir);
    struct rtcp_info info;
    if (rtp_is_rtcp(data, len) && rtcp_parse(data, len, true, &info) == TG_OK && info.compound_ok)
        return APP_PROBE_YES;
    return APP_PROBE_NO;
}

static enum app_probe_result rtp_app_probe_datagram(uint8_t *memo, const struct packet *p, const uint8_t *data,
                                                    size_t len, int dir)
{
    TG_UNUSED(dir);
    struct rtp_probe pr;
    memcpy(&pr, memo, sizeof pr);
    enum rtp_probe_verdict v = rtp_probe_step(&pr, data, len, p ? p->ts_ns : 0);
    memcpy(memo, &pr, sizeof pr);
    switch (v) {
    case RTP_PROBE_RTP:
    case RTP_PROBE_RTCP:
        return APP_PROBE_YES;
    case RTP_PROBE_MORE:
        return APP_PROBE_MORE;
    case RTP_PROBE_NO:
        break;
    }
    return APP_PROBE_NO;
}

_Static_assert(sizeof(struct rtp_flow_stats) % _Alignof(struct rtp_stream) == 0,
               "streams placed right after struct rtp_flow_stats must be aligned");

static void *rtp_app_state_new(struct flow *f, void *user)
{
    TG_UNUSED(f);
    const struct config *cfg = user ? engine_config(user) : NULL;
    uint64_t max = cfg ? config_get_u64(cfg, "rtp.max-ssrc", RTP_FLOW_DEFAULT_MAX_SSRC) : RTP_FLOW_DEFAULT_MAX_SSRC;
    if (max == 0)
        max = 1;
    if (max > RTP_FLOW_CEIL_MAX_SSRC)
        max = RTP_FLOW_CEIL_MAX_SSRC;
    /* One block, the streams right after the flow's counters: every RTP
     * packet touches both, and this saves it a dependent cache miss. */
    struct rtp_flow_stats *fs = calloc(1, sizeof *fs + (size_t)max * sizeof *fs->streams);
    if (!fs)
        return NULL;
    fs->streams = (struct rtp_stream *)(fs + 1);
    fs->max_streams = (uint32_t)max;
    fs->security = SDP_SEC_UNKNOWN;
    if (user)
        stats_inc(engine_stats(user), STAT_RTP_FLOWS);
    return fs;
}

static void rtp_app_state_free(void *state, void *user)
{
    TG_UNUSED(user);
    free(state);
}

static uint32_t rtp_flow_clock(const struct rtp_flow_stats *fs, uint8_t pt)
{
    for (uint32_t i = 0; i < fs->n_codecs; i++)
        if (fs->codecs[i].pt == pt)
            return fs->codecs[i].clock;
    uint32_t clock = 0;
    rtp_static_payload(pt, &clock, NULL);
    return clock;
}

static void rtp_flow_account(struct rtp_flow_stats *fs, struct stats *st, int dir, const struct rtp_header *h,
                             uint64_t ts_ns, size_t datagram_len)
{
    fs->rtp_packets[dir]++;
    fs->rtp_bytes[dir] += datagram_len;
    if (st)
        stats_inc(st, STAT_RTP_PACKETS);
    for (uint32_t i = 0; i < fs->n_streams; i++) {
        struct rtp_stream *s = &fs->streams[i];
        if (s->ssrc == h->ssrc && s->dir == dir) {
            rtp_stream_update(s, h, ts_ns);
            return;
        }
    }
    if (fs->n_streams >= fs->max_streams) {
        fs->ssrc_dropped++;
        if (st)
            stats_inc(st, STAT_RTP_MAX_SSRC_HIT);
        return;
    }
    struct rtp_stream *s = &fs->streams[fs->n_streams++];
    rtp_stream_init(s, h, ts_ns, rtp_flow_clock(fs, h->pt));
    s->dir = (uint8_t)dir;
}

static void rtp_flow_rtcp(struct rtp_flow_stats *fs, struct stats *st, int dir, const struct rtcp_info *info,
                          size_t len)
{
    fs->rtcp_packets[dir]++;
    fs->rtcp_bytes[dir] += len;
    if (st)
        stats_inc(st, STAT_RTCP_PACKETS);
    if (info->has_report) {
        struct rtp_flow_rtcp_report *r = &fs->rtcp_report[dir];
        r->present = true;
        r->ssrc = info->rb_ssrc;
        r->fraction_lost = info->rb_fraction_lost;
        r->cum_lost = info->rb_cum_lost;
        r->jitter = info->rb_jitter;
    }
}

static size_t rtp_app_parse(void *state, struct app_parse *ap, const uint8_t *data, size_t len)
{
    struct rtp_flow_stats *fs = state;
    struct stats *st = ap->user ? engine_stats(ap->user) : NULL;
    int dir = ap->dir & 1;
    if (!(ap->flags & APP_DATAGRAM) || len == 0)
        return len;
    uint64_t ts_ns = ap->p ? ap->p->ts_ns : ap->flow->last_ns;
    if (!fs->replayed[dir]) {
        /* The datagram the probe kept as its candidate was never parsed:
         * count it first so packets and loss match the whole stream. */
        fs->replayed[dir] = 1;
        struct rtp_probe pr;
        memcpy(&pr, ap->flow->app_probe_memo[dir], sizeof pr);
        struct rtp_header ch;
        uint64_t cts;
        if (rtp_probe_header(&pr, &ch, &cts) && cts <= ts_ns)
            rtp_flow_account(fs, st, dir, &ch, cts, (size_t)ch.header_len + ch.payload_len);
        memset(ap->flow->app_probe_memo[dir], 0, APP_PROBE_MEMO_SIZE);
    }
    if (rtp_is_rtcp(data, len)) {
        struct rtcp_info info;
        if (rtcp_parse(data, len, false, &info) == TG_OK) {
            rtp_flow_rtcp(fs, st, dir, &info, len);
            return len;
        }
    } else {
        struct rtp_header h;
        if (rtp_parse(data, len, &h) == RTP_OK) {
            rtp_flow_account(fs, st, dir, &h, ts_ns, len);
            return len;
        }
    }
    fs->invalid[dir]++;
    if (st)
        stats_inc(st, STAT_RTP_INVALID);
    return len;
}

void rtp_register(struct app_layer *al)
{
    static const struct app_proto_desc desc = {
        .name = "rtp",
        .ipprotos = APP_IPPROTO_UDP,
        .probe = rtp_app_probe,
        .probe_datagram = rtp_app_probe_datagram,
        .state_new = rtp_app_state_new,
        .state_free = rtp_app_state_free,
        .parse = rtp_app_parse,
    };
    int id = app_layer_register(al, &desc);
    if (id < 0) {
        fprintf(stderr, "tollgate: rtp: cannot register the app-layer protocol "
                        "(table full or another stateful datagram probe)\n");
        return;
    }
    rtp_app_id = id;
}

const struct rtp_flow_stats *rtp_flow_stats(const struct flow *f)
{
    if (!f || rtp_app_id <= 0 || f->app_proto != rtp_app_id)
        return NULL;
    return f->app_state;
}

int rtp_flow_set_media(struct flow *f, const struct sdp_media *m)
{
    if (!rtp_flow_stats(f) || !f->app_state)
        return TG_DECLINED;
    struct rtp_flow_stats *fs = f->app_state;
    fs->sdp_known = true;
    fs->security = m->security;
    fs->n_codecs = 0;
    for (uint32_t i = 0; i < m->n_codecs && fs->n_codecs < RTP_FLOW_MAX_CODECS; i++) {
        const struct sdp_codec *c = &m->codecs[i];
        struct rtp_flow_codec *fc = &fs->codecs[fs->n_codecs++];
        fc->pt = c->pt;
        fc->clock = c->clock;
        fc->channels = c->channels;
        size_t n = TG_MIN((size_t)c->encoding.len, sizeof fc->name - 1);
        if (n)
            memcpy(fc->name, c->encoding.p, n);
        fc->name[n] = '\0';
    }
    for (uint32_t i = 0; i < fs->n_streams; i++) {
        struct rtp_stream *s = &fs->streams[i];
        if (!s->clock)
            s->clock = rtp_flow_clock(fs, s->first_pt);
    }
    return TG_OK;
}

const char *rtp_flow_codec_name(const struct rtp_flow_stats *fs, unsigned pt)
{
    for (uint32_t i = 0; fs && i < fs->n_codecs; i++)
        if (fs->codecs[i].pt == pt && fs->codecs[i].name[0])
            return fs->codecs[i].name;
    return rtp_static_payload(pt, NULL, NULL);
}

/* ms rounded to microseconds, so logs do not carry binary noise digits */
static double rtp_ms(double v)
{
    return round(v * 1000.0) / 1000.0;
}

void rtp_flow_json(const struct rtp_flow_stats *fs, struct json *j)
{
    json_str(j, "security", fs->sdp_known ? sdp_security_name(fs->security) : "unknown");
    json_open_object(j, "rtcp");
    json_u64(j, "pkts_toserver", fs->rtcp_packets[DIR_TO_SERVER]);
    json_u64(j, "pkts_toclient", fs->rtcp_packets[DIR_TO_CLIENT]);
    json_close_object(j);
    json_u64(j, "invalid", fs->invalid[0] + fs->invalid[1]);
    json_u64(j, "ssrc_dropped", fs->ssrc_dropped);
    json_open_array(j, "streams");
    for (uint32_t i = 0; i < fs->n_streams; i++) {
        const struct rtp_stream *s = &fs->streams[i];
        const char *codec = rtp_flow_codec_name(fs, s->first_pt);
        json_open_object(j, NULL);
        json_u64(j, "ssrc", s->ssrc);
        json_str(j, "direction", s->dir == DIR_TO_SERVER ? "to_server" : "to_client");
        json_u64(j, "payload_type", s->first_pt);
        if (codec)
            json_str(j, "codec", codec);
        else
            json_null(j, "codec");
        json_u64(j, "clock_rate", s->clock);
        json_u64(j, "packets", s->packets);
        json_u64(j, "bytes", s->bytes);
        json_u64(j, "expected", rtp_stream_expected(s));
        json_i64(j, "lost", rtp_stream_lost(s));
        json_u64(j, "out_of_order", s->out_of_order);
        json_u64(j, "duplicates", s->duplicates);
        json_u64(j, "restarts", s->restarts);
        json_double(j, "max_delta_ms", rtp_ms(s->max_delta_ms));
        if (s->clock) {
            json_double(j, "max_jitter_ms", rtp_ms(s->max_jitter_ms));
            json_double(j, "mean_jitter_ms", rtp_ms(rtp_stream_mean_jitter(s)));
        } else {
            json_null(j, "max_jitter_ms");
            json_null(j, "mean_jitter_ms");
        }
        json_time(j, "start", s->first_ns);
        json_time(j, "end", s->last_ns);
        json_close_object(j);
    }
    json_close_array(j);
}
