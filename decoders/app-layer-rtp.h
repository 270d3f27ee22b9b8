/* app-layer-rtp.h - RTP/RTCP as an app-layer protocol with per-flow stream statistics.
 *
 * rtp_register() adds "rtp" (UDP only) to an app layer: a stateful
 * two-packet content probe (see rtp.h) and a parser that keeps, per flow,
 * statistics per SSRC and direction, RTCP counters and what SDP said about
 * the media (codecs, security), so a call record can read it when the call
 * ends. */
#ifndef TG_APP_LAYER_RTP_H
#define TG_APP_LAYER_RTP_H

#include "app-layer.h"
#include "rtp.h"
#include "sdp.h"

/* SSRCs tracked per flow (both directions together), config key
 * rtp.max-ssrc; packets of further SSRCs are counted in rtp.max_ssrc_hit
 * and the flow's ssrc_dropped. */
#define RTP_FLOW_DEFAULT_MAX_SSRC 8
#define RTP_FLOW_CEIL_MAX_SSRC 1024
/* Payload types remembered from SDP per flow. */
#define RTP_FLOW_MAX_CODECS 16
#define RTP_CODEC_NAME_MAX 24

struct rtp_flow_codec {
    uint8_t pt;
    uint8_t channels;
    uint32_t clock;
    char name[RTP_CODEC_NAME_MAX]; /* truncated copy of the rtpmap encoding */
};

/* Last report block an RTCP SR/RR carried, per direction. */
struct rtp_flow_rtcp_report {
    bool present;
    uint32_t ssrc;           /* the source reported on */
    uint8_t fraction_lost;   /* /256 */
    int32_t cum_lost;
    uint32_t jitter;         /* timestamp units */
};

struct rtp_flow_stats {
    uint32_t n_streams, max_streams;
    struct rtp_stream *streams;              /* max_streams entries, n_streams used */
    uint64_t rtp_packets[2], rtp_bytes[2];   /* per enum packet_dir; bytes = UDP payload */
    uint64_t rtcp_packets[2], rtcp_bytes[2]; /* RTCP datagrams (compound counts once) */
    uint64_t invalid[2];                     /* datagrams that were neither */
    uint64_t ssrc_dropped;
    struct rtp_flow_rtcp_report rtcp_report[2];
    /* From SDP, set by the call tracker with rtp_flow_set_media(). */
    bool sdp_known;
    enum sdp_security security;
    uint32_t n_codecs;
    struct rtp_flow_codec codecs[RTP_FLOW_MAX_CODECS];
    uint8_t replayed[2];     /* the probe's candidate packet was counted */
};

/* Register "rtp" in al. The id it gets is remembered for rtp_flow_stats();
 * every app layer of a process must register its protocols in the same
 * order (decoders_register_all does). When al's table is full (or another
 * stateful datagram probe is registered) rtp stays unregistered and
 * rtp_flow_stats() returns NULL; the reason goes to stderr. */
void rtp_register(struct app_layer *al);

/* The RTP statistics of flow f, or NULL when f is not an RTP flow. Valid
 * until the flow ends (read it from the flow-end path at the latest). */
const struct rtp_flow_stats *rtp_flow_stats(const struct flow *f);

/* Record what SDP negotiated for the media f carries: codec map and
 * security class. Streams already counted with an unknown clock get the
 * SDP clock from now on. TG_DECLINED when f is not an RTP flow. */
int rtp_flow_set_media(struct flow *f, const struct sdp_media *m);

/* Write fs as members of the open JSON object j (a call record's media
 * entry or a flow event): security (from SDP, "unknown" until told),
 * rtcp {pkts_toserver, pkts_toclient}, invalid, ssrc_dropped and streams[]
 * of {ssrc, direction, payload_type, codec, clock_rate, packets, bytes,
 * expected, lost, out_of_order, duplicates, restarts, max_delta_ms,
 * max_jitter_ms, mean_jitter_ms, start, end}. Times in ms are rounded to
 * microseconds. */
struct json;
void rtp_flow_json(const struct rtp_flow_stats *fs, struct json *j);

/* Codec name of payload type pt in the flow: the SDP map first, then the
 * RFC 3551 static table. NULL when unknown. */
const char *rtp_flow_codec_name(const struct rtp_flow_stats *fs, unsigned pt);

#endif
