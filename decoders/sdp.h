/* sdp.h - Session Description Protocol (RFC 8866, formerly RFC 4566) parser.
 *
 * sdp_parse() reads one SDP body (a SIP message body, usually) and records
 * every line as a zero-copy range into the caller's buffer, plus what a call
 * tracker needs per media description: the RTP/RTCP transport address and
 * ports, codec names per payload type, the direction and the media security
 * (cleartext RTP, SDES-SRTP, DTLS-SRTP, ZRTP). Nothing is normalised away:
 * rules see the raw lines through sdp_buffer_get() under Suricata 8's sdp.*
 * sticky buffer names.
 *
 * The body must outlive the session: every struct sdp_str points into it.
 * A session object is allocated once with its caps (sdp.max-media,
 * sdp.max-attributes, sdp.max-lines, sdp.max-formats) and reused for every
 * body; lines beyond a cap are counted in the stats and skipped. */
#ifndef TG_SDP_H
#define TG_SDP_H

#include "common.h"
#include "packet.h"

struct config;
struct json;

/* A byte range inside the parsed body; p is NULL and len 0 when absent. */
struct sdp_str {
    const uint8_t *p;
    uint32_t len;
};

/* Caps, from the config keys of the same names (defaults in sdp.c). */
struct sdp_limits {
    uint32_t max_media;      /* sdp.max-media: m= sections kept */
    uint32_t max_attributes; /* sdp.max-attributes: a= lines kept, whole body */
    uint32_t max_lines;      /* sdp.max-lines: all lines kept, whole body */
    uint32_t max_formats;    /* sdp.max-formats: payload formats kept per m= line */
};

/* One "x=value" line. media is -1 for the session level, else the index of
 * the m= section it belongs to. */
struct sdp_line {
    char type;               /* 'v', 'o', 's', 'a', ... */
    int16_t media;
    struct sdp_str value;    /* after "x=", without the line end */
};

/* An attribute line split at the first ':' (RFC 8866 section 5.13). */
struct sdp_attr {
    int16_t media;           /* -1 session level */
    struct sdp_str name, value; /* value empty for property attributes */
};

/* c= line. TTL and address count are tolerated for multicast (IP4
 * "224.2.1.1/127/3", IP6 "ff15::101/3"). */
struct sdp_conn {
    bool present;
    bool ip_valid;           /* address parsed into ip */
    struct sdp_str raw, nettype, addrtype, address;
    struct ip_addr ip;
    uint32_t ttl;            /* 0 when absent */
    uint32_t count;          /* number of addresses; 0 when absent */
};

/* o= line split into its six fields. */
struct sdp_origin {
    bool present;
    struct sdp_str raw, username, sess_id, sess_version, nettype, addrtype, address;
};

enum sdp_direction { SDP_SENDRECV = 0, SDP_SENDONLY, SDP_RECVONLY, SDP_INACTIVE };

/* Media security, in order of precedence when several signs are present. */
enum sdp_security {
    SDP_SEC_NONE = 0,   /* RTP/AVP(F) without crypto, fingerprint or zrtp-hash */
    SDP_SEC_SRTP_SDES,  /* a=crypto with RTP/SAVP or RTP/SAVPF (RFC 4568) */
    SDP_SEC_DTLS_SRTP,  /* a=fingerprint with UDP/TLS/RTP/SAVP(F) (RFC 5763) */
    SDP_SEC_ZRTP,       /* a=zrtp-hash (RFC 6189) */
    SDP_SEC_SRTP_OTHER, /* an SRTP profile whose keying we did not see (k=, MIKEY) */
    SDP_SEC_UNKNOWN     /* not an RTP profile (e.g. udptl for T.38) */
};

/* One payload format of an m= line with what rtpmap (or RFC 3551's static
 * table) says about it. encoding is a range in the body for rtpmap entries,
 * or points at a static string for static payload types. */
struct sdp_codec {
    uint8_t pt;
    bool from_rtpmap;
    uint8_t channels;        /* 1 unless rtpmap says otherwise */
    uint32_t clock;          /* Hz; 0 unknown */
    struct sdp_str encoding; /* "PCMU", "opus", ... */
    struct sdp_str fmtp;     /* a=fmtp parameters, empty when none */
};

/* Per m= section. */
struct sdp_media {
    struct sdp_str raw;      /* the whole m= value */
    struct sdp_str type;     /* audio, video, image, application, ... */
    struct sdp_str proto;    /* RTP/AVP, RTP/SAVP, UDP/TLS/RTP/SAVPF, udptl, ... */
    struct sdp_str formats;  /* the formats list as written */
    uint16_t port;
    uint16_t port_count;     /* "49170/2": 2; 1 when absent */
    struct sdp_str info;     /* i= */
    struct sdp_str key;      /* k= (raw; never logged in full) */
    struct sdp_conn conn;    /* this section's c=, else not present */
    uint32_t first_attr, n_attrs; /* range into sdp_session.attrs */

    /* derived */
    struct sdp_codec *codecs; /* n_codecs entries, in m= order */
    uint32_t n_codecs;
    bool is_rtp;             /* proto is an RTP profile */
    enum sdp_direction dir;
    bool rtcp_mux;
    bool rtcp_port_set;      /* a=rtcp gave the port */
    uint16_t rtcp_port;      /* a=rtcp, or the RTP port with rtcp-mux, else port+1 */
    struct ip_addr rtcp_addr; /* a=rtcp's address when given, else the RTP address */
    struct ip_addr rtp_addr; /* this section's c=, else the session's; family 0 if none */
    enum sdp_security security;
    uint32_t n_crypto;       /* a=crypto lines */
    struct sdp_str crypto_tag, crypto_suite; /* of the first a=crypto; key never kept */
    struct sdp_str fingerprint_hash, fingerprint; /* a=fingerprint (media, else session) */
    struct sdp_str setup;    /* a=setup (media, else session) */
    bool zrtp_hash;
    struct sdp_str ice_ufrag; /* a=ice-ufrag (media, else session) */
};

/* sdp_session.errors bits: what was wrong, the parse carries on. */
#define SDP_ERR_NO_VERSION 0x0001   /* first line is not v= */
#define SDP_ERR_BAD_VERSION 0x0002  /* v= is not 0 */
#define SDP_ERR_BAD_LINE 0x0004     /* a line is not "x=..." with x a lowercase letter */
#define SDP_ERR_BAD_ORIGIN 0x0008   /* o= has not six fields */
#define SDP_ERR_BAD_CONN 0x0010     /* c= malformed or address unparsable */
#define SDP_ERR_BAD_MEDIA 0x0020    /* m= malformed (port, proto, formats) */
#define SDP_ERR_BAD_RTPMAP 0x0040   /* a=rtpmap malformed */
#define SDP_ERR_MISSING 0x0080      /* no o=, s= or t= line */
#define SDP_ERR_NO_CONN 0x0100      /* a media section without any c= */
#define SDP_ERR_NUL 0x0200          /* NUL byte in the body */
#define SDP_ERR_CAP 0x0400          /* a cap cut something off */

struct sdp_session {
    struct sdp_limits lim;
    const uint8_t *body;
    size_t body_len;
    uint32_t errors;         /* SDP_ERR_* */
    uint32_t version;        /* v= value */
    struct sdp_origin origin;
    struct sdp_str session_name, session_info, uri, email, phone, key, timezone;
    struct sdp_conn conn;    /* session-level c= */
    enum sdp_direction dir;  /* session-level direction attribute */

    struct sdp_line *lines;  /* every line kept, in order */
    uint32_t n_lines;
    struct sdp_attr *attrs;  /* every a= kept, in order */
    uint32_t n_attrs;
    struct sdp_media *media;
    uint32_t n_media;
    uint32_t dropped_media, dropped_attrs, dropped_lines, dropped_formats;

    struct sdp_codec *codec_pool; /* max_media * max_formats */
};

/* Read sdp.max-media (default 16), sdp.max-attributes (128), sdp.max-lines
 * (256), sdp.max-formats (32) from cfg (may be NULL: defaults). Values of 0
 * become 1 so a parse always has room for something. */
void sdp_limits_init(struct sdp_limits *lim, const struct config *cfg);

/* Allocate a session with room for lim's caps. NULL on out of memory; free
 * with sdp_session_free(). */
struct sdp_session *sdp_session_new(const struct sdp_limits *lim);
void sdp_session_free(struct sdp_session *s);

/* Parse body into s (previous content is discarded). Lines end in CRLF or
 * LF; a last line without a line end is taken. st (may be NULL) gets
 * sdp.parsed / sdp.invalid and the cap counters.
 * Returns TG_OK when the body looked like SDP (possibly with s->errors set),
 * TG_DECLINED when it did not start with a v= line at all. */
int sdp_parse(struct sdp_session *s, const uint8_t *body, size_t len, struct stats *st);

/* Security class as the call record writes it: "none", "srtp-sdes",
 * "dtls-srtp", "zrtp", "srtp", "unknown". Never NULL. */
const char *sdp_security_name(enum sdp_security sec);
/* "sendrecv", "sendonly", "recvonly", "inactive". */
const char *sdp_direction_name(enum sdp_direction d);

/* The codec entry of payload type pt in media m, or NULL when the m= line
 * did not list it. */
const struct sdp_codec *sdp_media_codec(const struct sdp_media *m, unsigned pt);

/* Suricata 8 sdp.* sticky buffers. Multi-buffers (bandwidth, time,
 * repeat_time, attribute, media.*) are indexed from 0; the others only have
 * index 0. media.media_info is what Suricata 8 registers; its documentation
 * calls it media.session_info, accepted here as an alias. */
enum sdp_buffer {
    SDP_BUF_ORIGIN = 0,
    SDP_BUF_SESSION_NAME,
    SDP_BUF_SESSION_INFO,
    SDP_BUF_URI,
    SDP_BUF_EMAIL,
    SDP_BUF_PHONE_NUMBER,
    SDP_BUF_CONNECTION_DATA,
    SDP_BUF_BANDWIDTH,
    SDP_BUF_TIME,
    SDP_BUF_REPEAT_TIME,
    SDP_BUF_TIMEZONE,
    SDP_BUF_ENCRYPTION_KEY,
    SDP_BUF_ATTRIBUTE,
    SDP_BUF_MEDIA_MEDIA,
    SDP_BUF_MEDIA_INFO,
    SDP_BUF_MEDIA_CONNECTION_DATA,
    SDP_BUF_MEDIA_ENCRYPTION_KEY,
    SDP_BUF_MAX
};

/* Buffer name ("sdp.origin"); NULL for an invalid id. */
const char *sdp_buffer_name(enum sdp_buffer id);
/* Id of a buffer name, or -1 when unknown. */
int sdp_buffer_lookup(const char *name);
/* Whether a buffer has several instances per body. */
bool sdp_buffer_is_multi(enum sdp_buffer id);
/* Instance idx of buffer id in s. Returns false (out cleared) when it has
 * no such instance; an empty line present in the body is true with len 0.
 * Attribute instances are the whole "name:value" text of a= lines, session
 * and media level, in body order; media.* instances follow m= order. */
bool sdp_buffer_get(const struct sdp_session *s, enum sdp_buffer id, uint32_t idx, struct sdp_str *out);

/* Write s as Suricata's sip.sdp object members into the open object j:
 * Suricata 8's names: origin, session_name, session_info, uri, email,
 * phone_number, connection_data, bandwidths[], time_descriptions[{time,
 * repeat_time}], timezone, encryption_key, attributes[],
 * media_descriptions[{media, media_info, bandwidths[], connection_data,
 * encryption_key, attributes[]}]. Raw line values, as Suricata logs them.
 * Key material is never written: a=crypto keeps tag and suite and shows
 * "[redacted]" for the key parameters, a=ice-pwd and the value of k= lines
 * (except "prompt" and uri) are "[redacted]" too. */
void sdp_json(const struct sdp_session *s, struct json *j);

#endif
