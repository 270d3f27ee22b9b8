/* rtp.h - RTP and RTCP (RFC 3550) decoding, validation and stream statistics.
 *
 * Three layers, each usable alone:
 *  - rtp_parse()/rtcp_parse(): one datagram to a header description, with
 *    the heuristic validation of RFC 3550 appendix A.1/A.2 (version 2,
 *    payload type ranges, CSRC/extension/padding bounds, RTCP compound
 *    length walk).
 *  - struct rtp_stream: per-SSRC statistics: packets, bytes, loss from the
 *    extended sequence number (A.1, with wrap and restarts), interarrival
 *    jitter (A.8) in milliseconds against capture time, max delta,
 *    out-of-order and duplicate packets.
 *  - struct rtp_probe: a stateful content probe that needs two consistent
 *    packets (same SSRC, close sequence numbers) before it says RTP, or one
 *    well-formed compound RTCP datagram.
 *
 * SRTP keeps the RTP header in clear, so nothing here can tell SRTP from RTP:
 * the call tracker records what SDP negotiated (rtp_flow_set_media()). */
#ifndef TG_RTP_H
#define TG_RTP_H

#include "common.h"

#define RTP_VERSION 2
#define RTP_MAX_CSRC 15
/* RFC 5761 section 4: RTCP packet types 192-223 collide with RTP payload
 * types 64-95 with the marker bit set; RTP must not use 72-76. */
#define RTCP_PT_MIN 192
#define RTCP_PT_MAX 223
#define RTCP_SR 200
#define RTCP_RR 201
#define RTCP_SDES 202
#define RTCP_BYE 203
#define RTCP_APP 204
#define RTCP_RTPFB 205
#define RTCP_PSFB 206
#define RTCP_XR 207

/* A decoded RTP fixed header plus where the payload is. */
struct rtp_header {
    uint8_t version, padding, extension, marker;
    uint8_t csrc_count;
    uint8_t pt;
    uint16_t seq;
    uint32_t ts;
    uint32_t ssrc;
    uint32_t csrc[RTP_MAX_CSRC];
    uint16_t ext_profile;     /* with extension */
    uint32_t ext_len;         /* extension body bytes */
    uint32_t header_len;      /* fixed + CSRC + extension */
    uint32_t pad_len;         /* padding bytes at the end, incl. the count byte */
    uint32_t payload_off, payload_len;
};

/* Why rtp_parse() refused a datagram. */
enum rtp_reject {
    RTP_OK = 0,
    RTP_REJ_SHORT,          /* under 12 bytes, or CSRC/extension past the end */
    RTP_REJ_VERSION,        /* version is not 2 */
    RTP_REJ_PT,             /* payload type 72-76 (RTCP range) */
    RTP_REJ_PADDING,        /* padding count 0 or larger than the payload */
    RTP_REJ_EMPTY           /* no payload left */
};

/* Parse one RTP datagram. Returns RTP_OK and fills h, or the reason it is
 * not valid RTP (h partially filled). Reads through a bounded cursor. */
enum rtp_reject rtp_parse(const uint8_t *data, size_t len, struct rtp_header *h);

/* Whether a datagram is RTCP rather than RTP by RFC 5761's rule (second
 * byte in 192-223 with version 2). Cheap; no validation. */
bool rtp_is_rtcp(const uint8_t *data, size_t len);

#define RTCP_MAX_PACKETS 16   /* packets described per datagram; more are counted only */

struct rtcp_packet {
    uint8_t pt;
    uint8_t count;            /* RC/SC/FMT field */
    uint32_t ssrc;            /* sender SSRC (SR, RR, XR, FB, APP) or first SDES chunk */
    uint32_t len;             /* bytes, header included */
};

struct rtcp_info {
    uint32_t n_packets;       /* all packets in the datagram */
    uint32_t trailing;        /* stray bytes (under 4) after the last packet; not strict only */
    struct rtcp_packet pkt[RTCP_MAX_PACKETS];
    bool compound_ok;         /* first is SR or RR (RFC 3550 A.2) */
    /* From the first SR, when there is one. */
    bool has_sr;
    uint32_t sr_ssrc, sr_packets, sr_octets;
    uint64_t sr_ntp;
    uint32_t sr_rtp_ts;
    /* From the first report block of the first SR/RR. */
    bool has_report;
    uint32_t rb_ssrc;
    uint8_t rb_fraction_lost;
    int32_t rb_cum_lost;      /* 24-bit signed */
    uint32_t rb_jitter;       /* timestamp units */
};

/* Validate and describe an RTCP datagram: every packet version 2, type
 * 192-223, lengths that walk exactly to the end, padding only on the last.
 * Returns TG_OK or TG_DECLINED (not RTCP). With strict, every packet type
 * must be one of 200-207 and nothing may follow the last packet (the
 * heuristic the probe uses); without, up to 3 stray bytes after whole
 * packets are tolerated and counted in trailing. */
int rtcp_parse(const uint8_t *data, size_t len, bool strict, struct rtcp_info *out);

/* RFC 3551 static payload types (0 PCMU, 3 GSM, 4 G723, 8 PCMA, 9 G722,
 * 18 G729, ...). Returns the encoding name and sets clock (Hz) and channels,
 * or returns NULL for dynamic and unassigned types. */
const char *rtp_static_payload(unsigned pt, uint32_t *clock, uint8_t *channels);

/* Clock rate of an encoding name as rtpmap writes it but without the rate
 * (for dynamic types whose rtpmap lacked one); 0 unknown. Case-insensitive. */
uint32_t rtp_encoding_clock(const char *name, size_t len);

/* Per-SSRC receive statistics (RFC 3550 A.1 and A.8). */
struct rtp_stream {
    uint32_t ssrc;
    uint8_t dir;              /* enum packet_dir of the flow it was seen in */
    uint8_t pt;               /* last payload type */
    uint8_t first_pt;
    bool marker_seen;
    uint32_t clock;           /* Hz used for jitter; 0: jitter not computed */
    uint64_t packets;         /* valid packets counted (duplicates included, as A.1) */
    uint64_t bytes;           /* RTP payload bytes (header and padding excluded) */
    uint64_t first_ns, last_ns;

    /* A.1 sequence state */
    uint16_t max_seq;
    uint32_t cycles;          /* count of wraps, shifted << 16 */
    uint32_t base_seq;
    uint32_t bad_seq;
    uint32_t probation;
    uint32_t received;        /* since the last (re)start */
    uint64_t received_before; /* received before the last restart */
    uint64_t expected_before; /* expected packets accumulated before a restart */
    uint64_t restarts;        /* sequence restarts (A.1 bad_seq rule) */
    uint64_t out_of_order;    /* packets older than the highest seen */
    uint64_t duplicates;      /* packets with a sequence number seen just before */

    /* jitter (A.8), in ms */
    bool have_transit;
    double transit_ms;        /* arrival - timestamp, last packet */
    double jitter_ms;
    double max_jitter_ms;
    double jitter_sum_ms;     /* for the mean, over jitter_samples */
    uint64_t jitter_samples;
    double max_delta_ms;      /* largest gap between consecutive packets */
    uint64_t prev_ns;         /* arrival of the previous packet */
    uint64_t jit_prev_ns;     /* arrival of the previous packet with a known clock */
    uint32_t prev_ts;
    uint16_t prev_seq;

    /* recent sequence numbers, to tell duplicates from reordering */
    uint16_t recent[8];
    uint8_t n_recent, recent_pos;
};

/* Start stream statistics for a first packet h seen at ts_ns; clock is the
 * codec clock in Hz (0 to look the payload type up in the static table). */
void rtp_stream_init(struct rtp_stream *s, const struct rtp_header *h, uint64_t ts_ns, uint32_t clock);
/* Account one more packet of the stream. */
void rtp_stream_update(struct rtp_stream *s, const struct rtp_header *h, uint64_t ts_ns);
/* Packets expected from the sequence numbers (A.1 extended max - base + 1,
 * summed over restarts). */
uint64_t rtp_stream_expected(const struct rtp_stream *s);
/* expected - received (negative when duplicates outnumber losses). */
int64_t rtp_stream_lost(const struct rtp_stream *s);
double rtp_stream_mean_jitter(const struct rtp_stream *s);

/* Stateful probe over the datagrams of one flow direction. It remembers the
 * candidate packet whole enough that a parser can count it afterwards
 * (rtp_probe_header()); 24 bytes, so it fits a flow's app probe memo. */
struct rtp_probe {
    uint64_t arrival_ns;      /* capture time of the candidate */
    uint32_t ssrc;
    uint32_t ts;
    uint16_t seq;
    uint16_t payload_len;     /* clipped to 65535 */
    uint8_t state;            /* 0 nothing seen, 1 one RTP candidate kept */
    uint8_t pt;
    uint8_t marker;
};

enum rtp_probe_verdict { RTP_PROBE_NO = 0, RTP_PROBE_RTP, RTP_PROBE_RTCP, RTP_PROBE_MORE };

/* Step the probe with one datagram captured at ts_ns. RTCP: one compound
 * datagram whose packets are all valid and of types 200-207 is enough. RTP:
 * the first valid packet gives MORE and becomes the candidate; the next is
 * RTP when it has the candidate's SSRC and payload type and a sequence
 * number 1..RTP_PROBE_MAX_SEQ_GAP ahead; otherwise it replaces the
 * candidate (MORE), or NO when it is not RTP at all. */
enum rtp_probe_verdict rtp_probe_step(struct rtp_probe *pr, const uint8_t *data, size_t len, uint64_t ts_ns);

/* The candidate packet of a probe as a header (payload offset 0), for
 * counting it once the flow is known to be RTP. False when none is kept. */
bool rtp_probe_header(const struct rtp_probe *pr, struct rtp_header *h, uint64_t *ts_ns);

/* The SSRC and payload type carry the evidence (39 bits that random data
 * matches once in 2^39); the gap only has to allow for loss and for other
 * packets in between, e.g. a ZRTP handshake before SRTP starts. */
#define RTP_PROBE_MAX_SEQ_GAP 100

#endif
