/* rule.h - compiled rules and rule sets: what the rule parser produces and the matcher consumes.
 *
 * A rule is its header (action, protocol, addresses, ports, direction) plus
 * its options compiled into match lists, following Suricata's model:
 *
 *   - payload matches (content, pcre, byte_*, isdataat, bsize, ...) live in
 *     one ordered list per inspection buffer (a "sticky buffer": pkt_data,
 *     sip.method, http.uri, ...). Within a list the order is the rule order,
 *     and a relative match (distance/within, pcre /R, byte_* relative)
 *     continues from the end of the previous match in the same list.
 *   - packet and flow matches (flow, flowbits, ttl, dsize, ...) live in one
 *     more ordered list, `pkt_matches`.
 *   - thresholds, schedules and rate limits are per-rule settings.
 *
 * A matcher walks rule->lists[i].m[0..n) in order per buffer. Everything a
 * rule points to is owned by the rule and freed by rule_free(). */
#ifndef TG_RULE_H
#define TG_RULE_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>
#include <stdio.h>
#include "common.h"

struct config;

/* Ordered by Suricata's action precedence: pass beats drop beats reject beats alert. */
enum rule_action {
    RULE_ACTION_PASS,
    RULE_ACTION_DROP,
    RULE_ACTION_REJECT,
    RULE_ACTION_REJECTSRC,
    RULE_ACTION_REJECTDST,
    RULE_ACTION_REJECTBOTH,
    RULE_ACTION_ALERT,
    RULE_ACTION_MAX
};

/* Transport the header asks for. App-layer rule protocols (sip, http, ...)
 * set app_proto and leave l4 as ANY, TCP or UDP as the protocol runs on. */
enum rule_l4 {
    RULE_L4_ANY,       /* "ip" or an app-layer protocol on any transport */
    RULE_L4_TCP,       /* "tcp": packets and stream */
    RULE_L4_TCP_PKT,   /* "tcp-pkt": packets only */
    RULE_L4_TCP_STREAM,/* "tcp-stream": reassembled stream only */
    RULE_L4_UDP,
    RULE_L4_ICMP,      /* icmp: ICMPv4 and ICMPv6 */
    RULE_L4_ICMPV4,
    RULE_L4_ICMPV6,
    RULE_L4_SCTP
};

/* ---- addresses and ports -------------------------------------------- */

enum rule_addr_kind {
    RULE_ADDR_ANY,
    RULE_ADDR_RANGE, /* family + [lo, hi] inclusive, network byte order */
    RULE_ADDR_LIST   /* children, matched if any child matches */
};

/* One node of an address expression; `negated` inverts this node. */
struct rule_addr {
    enum rule_addr_kind kind;
    bool negated;
    uint8_t family;        /* 4 or 6 for RANGE */
    uint8_t lo[16], hi[16];
    struct rule_addr *child;
    size_t nchild;
};

enum rule_port_kind { RULE_PORT_ANY, RULE_PORT_RANGE, RULE_PORT_LIST };

struct rule_port {
    enum rule_port_kind kind;
    bool negated;
    uint16_t lo, hi;
    struct rule_port *child;
    size_t nchild;
};

/* ---- sticky buffers --------------------------------------------------- */

/* Every inspection buffer a rule may name. X(ident, "name", proto, status). */
#define RULE_BUFFER_LIST(X)                                           \
    X(PKT_DATA, "pkt_data", NULL, ACTIVE)                             \
    X(FILE_DATA, "file_data", NULL, ACTIVE)                           \
    X(BASE64_DATA, "base64_data", NULL, INACTIVE)                     \
    X(HTTP_URI, "http.uri", "http", ACTIVE)                           \
    X(HTTP_URI_RAW, "http.uri.raw", "http", ACTIVE)                   \
    X(HTTP_METHOD, "http.method", "http", ACTIVE)                     \
    X(HTTP_HOST, "http.host", "http", ACTIVE)                         \
    X(HTTP_HOST_RAW, "http.host.raw", "http", ACTIVE)                 \
    X(HTTP_USER_AGENT, "http.user_agent", "http", ACTIVE)             \
    X(HTTP_HEADER, "http.header", "http", ACTIVE)                     \
    X(HTTP_HEADER_RAW, "http.header.raw", "http", ACTIVE)             \
    X(HTTP_HEADER_NAMES, "http.header_names", "http", ACTIVE)         \
    X(HTTP_REQUEST_LINE, "http.request_line", "http", ACTIVE)         \
    X(HTTP_RESPONSE_LINE, "http.response_line", "http", ACTIVE)       \
    X(HTTP_COOKIE, "http.cookie", "http", ACTIVE)                     \
    X(HTTP_REQUEST_BODY, "http.request_body", "http", ACTIVE)         \
    X(HTTP_RESPONSE_BODY, "http.response_body", "http", ACTIVE)       \
    X(HTTP_STAT_CODE, "http.stat_code", "http", ACTIVE)               \
    X(HTTP_STAT_MSG, "http.stat_msg", "http", ACTIVE)                 \
    X(HTTP_PROTOCOL, "http.protocol", "http", ACTIVE)                 \
    X(HTTP_START, "http.start", "http", ACTIVE)                       \
    X(HTTP_CONTENT_TYPE, "http.content_type", "http", ACTIVE)         \
    X(HTTP_CONTENT_LEN, "http.content_len", "http", ACTIVE)           \
    X(HTTP_ACCEPT, "http.accept", "http", ACTIVE)                     \
    X(HTTP_ACCEPT_ENC, "http.accept_enc", "http", ACTIVE)             \
    X(HTTP_ACCEPT_LANG, "http.accept_lang", "http", ACTIVE)           \
    X(HTTP_REFERER, "http.referer", "http", ACTIVE)                   \
    X(HTTP_CONNECTION, "http.connection", "http", ACTIVE)             \
    X(HTTP_LOCATION, "http.location", "http", ACTIVE)                 \
    X(HTTP_SERVER, "http.server", "http", ACTIVE)                     \
    X(SIP_METHOD, "sip.method", "sip", ACTIVE)                        \
    X(SIP_URI, "sip.uri", "sip", ACTIVE)                              \
    X(SIP_REQUEST_LINE, "sip.request_line", "sip", ACTIVE)            \
    X(SIP_STAT_CODE, "sip.stat_code", "sip", ACTIVE)                  \
    X(SIP_STAT_MSG, "sip.stat_msg", "sip", ACTIVE)                    \
    X(SIP_RESPONSE_LINE, "sip.response_line", "sip", ACTIVE)          \
    X(SIP_PROTOCOL, "sip.protocol", "sip", ACTIVE)                    \
    X(SIP_FROM, "sip.from", "sip", ACTIVE)                            \
    X(SIP_TO, "sip.to", "sip", ACTIVE)                                \
    X(SIP_VIA, "sip.via", "sip", ACTIVE)                              \
    X(SIP_CALL_ID, "sip.call_id", "sip", ACTIVE)                      \
    X(SIP_CSEQ, "sip.cseq", "sip", ACTIVE)                            \
    X(SIP_CONTACT, "sip.contact", "sip", ACTIVE)                      \
    X(SIP_USER_AGENT, "sip.user_agent", "sip", ACTIVE)                \
    X(SIP_SERVER, "sip.server", "sip", ACTIVE)                        \
    X(SIP_CONTENT_TYPE, "sip.content_type", "sip", ACTIVE)            \
    X(SIP_CONTENT_LENGTH, "sip.content_length", "sip", ACTIVE)        \
    X(SIP_BODY, "sip.body", "sip", ACTIVE)                            \
    X(SIP_HEADERS, "sip.headers", "sip", ACTIVE)                      \
    X(SIP_HEADER, "sip.header", "sip", ACTIVE)                        \
    /* Suricata frames (frame:NAME): the raw message parts, CRLFs included. */ \
    X(SIP_FRAME_PDU, "frame:sip.pdu", "sip", ACTIVE)                  \
    X(SIP_FRAME_REQUEST_LINE, "frame:sip.request.line", "sip", ACTIVE) \
    X(SIP_FRAME_REQUEST_HEADERS, "frame:sip.request.headers", "sip", ACTIVE) \
    X(SIP_FRAME_REQUEST_BODY, "frame:sip.request.body", "sip", ACTIVE) \
    X(SIP_FRAME_RESPONSE_LINE, "frame:sip.response.line", "sip", ACTIVE) \
    X(SIP_FRAME_RESPONSE_HEADERS, "frame:sip.response.headers", "sip", ACTIVE) \
    X(SIP_FRAME_RESPONSE_BODY, "frame:sip.response.body", "sip", ACTIVE) \
    X(SDP_ORIGIN, "sdp.origin", "sdp", ACTIVE)                        \
    X(SDP_SESSION_NAME, "sdp.session_name", "sdp", ACTIVE)            \
    X(SDP_SESSION_INFO, "sdp.session_info", "sdp", ACTIVE)            \
    X(SDP_URI, "sdp.uri", "sdp", ACTIVE)                              \
    X(SDP_EMAIL, "sdp.email", "sdp", ACTIVE)                          \
    X(SDP_PHONE_NUMBER, "sdp.phone_number", "sdp", ACTIVE)            \
    X(SDP_CONNECTION_DATA, "sdp.connection_data", "sdp", ACTIVE)      \
    X(SDP_BANDWIDTH, "sdp.bandwidth", "sdp", ACTIVE)                  \
    X(SDP_TIME, "sdp.time", "sdp", ACTIVE)                            \
    X(SDP_REPEAT_TIME, "sdp.repeat_time", "sdp", ACTIVE)              \
    X(SDP_TIMEZONE, "sdp.timezone", "sdp", ACTIVE)                    \
    X(SDP_ENCRYPTION_KEY, "sdp.encryption_key", "sdp", ACTIVE)        \
    X(SDP_ATTRIBUTE, "sdp.attribute", "sdp", ACTIVE)                  \
    X(SDP_MEDIA_MEDIA, "sdp.media.media", "sdp", ACTIVE)              \
    X(SDP_MEDIA_INFO, "sdp.media.session_info", "sdp", ACTIVE)          \
    X(SDP_MEDIA_CONNECTION_DATA, "sdp.media.connection_data", "sdp", ACTIVE) \
    X(SDP_MEDIA_ENCRYPTION_KEY, "sdp.media.encryption_key", "sdp", ACTIVE) \
    X(BT_HANDSHAKE, "bittorrent.handshake", "bittorrent", ACTIVE)     \
    X(BT_INFO_HASH, "bittorrent.info_hash", "bittorrent", ACTIVE)     \
    X(BT_PEER_ID, "bittorrent.peer_id", "bittorrent", ACTIVE)         \
    X(BT_MESSAGE, "bittorrent.message", "bittorrent", ACTIVE)         \
    X(BT_DHT_QUERY, "bittorrent.dht.query", "bittorrent", ACTIVE)     \
    X(BT_DHT_NODE_ID, "bittorrent.dht.node_id", "bittorrent", ACTIVE) \
    X(BT_TRACKER_URI, "bittorrent.tracker.uri", "bittorrent", ACTIVE) \
    X(ED2K_OPCODE, "edonkey.opcode", "edonkey", ACTIVE)               \
    X(ED2K_HASH, "edonkey.hash", "edonkey", ACTIVE)                   \
    X(ED2K_FILENAME, "edonkey.filename", "edonkey", ACTIVE)           \
    X(DNS_QUERY, "dns.query", "dns", INACTIVE)                        \
    X(TLS_SNI, "tls.sni", "tls", INACTIVE)                            \
    X(TLS_CERT_SUBJECT, "tls.cert_subject", "tls", INACTIVE)          \
    X(TLS_CERT_ISSUER, "tls.cert_issuer", "tls", INACTIVE)            \
    X(SSH_PROTO, "ssh.proto", "ssh", INACTIVE)                        \
    X(SSH_SOFTWARE, "ssh.software", "ssh", INACTIVE)                  \
    X(FTP_COMMAND, "ftp.command", "ftp", INACTIVE)                    \
    X(SMTP_HELO, "smtp.helo", "smtp", INACTIVE)

enum rule_buffer {
#define RULE_BUF_ENUM(id, name, proto, st) RULE_BUF_##id,
    RULE_BUFFER_LIST(RULE_BUF_ENUM)
#undef RULE_BUF_ENUM
    RULE_BUF_MAX
};

/* Suricata transforms that rewrite a sticky buffer before it is inspected. */
#define RULE_TRANSFORM_LIST(X)                                                   \
    X(DOTPREFIX, "dotprefix") X(TO_LOWERCASE, "to_lowercase")                      \
    X(TO_UPPERCASE, "to_uppercase") X(STRIP_WHITESPACE, "strip_whitespace")        \
    X(COMPRESS_WHITESPACE, "compress_whitespace") X(TO_MD5, "to_md5")              \
    X(TO_SHA1, "to_sha1") X(TO_SHA256, "to_sha256") X(URL_DECODE, "url_decode")    \
    X(HEADER_LOWERCASE, "header_lowercase") X(STRIP_PSEUDO_HEADERS, "strip_pseudo_headers")

enum rule_transform {
#define RULE_TF_ENUM(id, name) RULE_TRANSFORM_##id,
    RULE_TRANSFORM_LIST(RULE_TF_ENUM)
#undef RULE_TF_ENUM
    RULE_TRANSFORM_MAX
};

/* ---- payload matches -------------------------------------------------- */

enum rule_match_type {
    RULE_MATCH_CONTENT,
    RULE_MATCH_PCRE,
    RULE_MATCH_ISDATAAT,
    RULE_MATCH_BSIZE,
    RULE_MATCH_BYTE_TEST,
    RULE_MATCH_BYTE_JUMP,
    RULE_MATCH_BYTE_EXTRACT,
    RULE_MATCH_URILEN,
    RULE_MATCH_BASE64_DECODE,
    /* packet/flow level (rule->pkt_matches) */
    RULE_MATCH_DSIZE,
    RULE_MATCH_FLOW,
    RULE_MATCH_FLOWBITS,
    RULE_MATCH_XBITS,
    RULE_MATCH_FLOWINT,
    RULE_MATCH_APP_PROTO,
    RULE_MATCH_APP_EVENT,
    RULE_MATCH_STREAM_SIZE,
    RULE_MATCH_TTL,
    RULE_MATCH_ITYPE,
    RULE_MATCH_ICODE,
    RULE_MATCH_ICMP_ID,
    RULE_MATCH_ICMP_SEQ,
    RULE_MATCH_IP_PROTO,
    RULE_MATCH_TCP_FLAGS,
    RULE_MATCH_FRAGBITS,
    RULE_MATCH_SAMEIP,
    RULE_MATCH_IP_ID,
    RULE_MATCH_TCP_ACK,
    RULE_MATCH_TCP_SEQ,
    RULE_MATCH_TCP_WINDOW,
    RULE_MATCH_SSL_STATE,
    RULE_MATCH_SIP_METHOD,    /* Snort sip_method list */
    RULE_MATCH_SIP_STAT_CODE, /* Snort sip_stat_code list */
    RULE_MATCH_SIP_HDR_COUNT, /* tollgate sip.header_count / sip.header_missing */
    RULE_MATCH_IPLIST,        /* tollgate iplist:src,NAME (address lists from tollgate iplist import) */
    RULE_MATCH_MAX
};

/* Numeric comparison as in dsize/bsize/ttl/... : "N", "<N", ">N", "<=N",
 * ">=N", "!N", "N<>M" (exclusive range), "N-M" (inclusive range). */
enum rule_cmp { RULE_CMP_EQ, RULE_CMP_NE, RULE_CMP_LT, RULE_CMP_LE, RULE_CMP_GT, RULE_CMP_GE,
                RULE_CMP_RANGE_EX, RULE_CMP_RANGE_IN };
struct rule_num {
    enum rule_cmp op;
    uint64_t a, b;
};

/* Content flags. */
#define RULE_CONTENT_NOCASE     0x0001
#define RULE_CONTENT_NEGATED    0x0002
#define RULE_CONTENT_DEPTH      0x0004
#define RULE_CONTENT_OFFSET     0x0008
#define RULE_CONTENT_DISTANCE   0x0010
#define RULE_CONTENT_WITHIN     0x0020
#define RULE_CONTENT_STARTSWITH 0x0040
#define RULE_CONTENT_ENDSWITH   0x0080
#define RULE_CONTENT_FAST       0x0100 /* explicit fast_pattern */
#define RULE_CONTENT_FAST_ONLY  0x0200 /* fast_pattern:only (Suricata 7: same as fast_pattern) */
#define RULE_CONTENT_FAST_CHOP  0x0400 /* fast_pattern:offset,length */
#define RULE_CONTENT_RAWBYTES   0x0800 /* accepted for Snort compatibility, no effect */
/* Shared by every payload match: continues after the previous match in the list. */
#define RULE_MATCH_RELATIVE     0x1000
/* Set by the compiler on a match whose successor in the list is relative to it. */
#define RULE_MATCH_RELATIVE_NEXT 0x2000

struct rule_content {
    uint8_t *bytes; /* owned, len bytes, not NUL-terminated */
    size_t len;
    int32_t offset, depth, distance, within; /* valid when the flag is set */
    uint16_t fp_offset, fp_len;              /* RULE_CONTENT_FAST_CHOP */
    /* byte_extract variable names (owned) used instead of numbers, or NULL */
    char *offset_var, *depth_var, *distance_var, *within_var;
};

/* pcre flags beyond PCRE2 options */
#define RULE_PCRE_NEGATED 0x01
#define RULE_PCRE_OVERRIDE 0x02 /* /O: ignore match limits */
#define RULE_PCRE_JIT 0x04      /* JIT compiled */

struct rule_pcre {
    char *pattern;          /* the regex source, owned */
    uint32_t compile_opts;  /* PCRE2_* */
    unsigned flags;         /* RULE_PCRE_* */
    pcre2_code *code;       /* owned */
};

struct rule_isdataat {
    uint32_t n;
    bool negated;
    char *var; /* byte_extract variable, or NULL */
};

enum rule_endian { RULE_ENDIAN_BIG, RULE_ENDIAN_LITTLE, RULE_ENDIAN_DCE };
enum rule_base { RULE_BASE_NONE, RULE_BASE_HEX, RULE_BASE_DEC, RULE_BASE_OCT };

/* byte_test / byte_jump / byte_extract share one shape. */
struct rule_byte {
    uint8_t nbytes;
    enum rule_endian endian;
    enum rule_base base;       /* NONE: binary */
    int32_t offset;
    char *offset_var;          /* byte_extract variable as offset, or NULL */
    /* byte_test */
    char op;                   /* '<' '>' '=' '&' '^' 'L' (<=) 'G' (>=) */
    bool negated;
    uint64_t value;
    char *value_var;
    /* byte_jump */
    uint32_t multiplier;
    int32_t post_offset;
    bool align, from_beginning, from_end;
    /* byte_extract */
    char *name;                /* variable name, owned */
    uint32_t align_to;
    /* shared */
    uint64_t bitmask;          /* 0: none */
};

struct rule_base64 {
    uint32_t bytes, offset; /* 0: whole buffer */
};

/* flow: bits */
#define RULE_FLOW_TO_SERVER      0x0001
#define RULE_FLOW_TO_CLIENT      0x0002
#define RULE_FLOW_ESTABLISHED    0x0004
#define RULE_FLOW_NOT_ESTABLISHED 0x0008
#define RULE_FLOW_STATELESS      0x0010
#define RULE_FLOW_ONLY_STREAM    0x0020
#define RULE_FLOW_NO_STREAM      0x0040
#define RULE_FLOW_ONLY_FRAG      0x0080
#define RULE_FLOW_NO_FRAG        0x0100

enum rule_bits_cmd { RULE_BITS_SET, RULE_BITS_UNSET, RULE_BITS_TOGGLE, RULE_BITS_ISSET,
                     RULE_BITS_ISNOTSET, RULE_BITS_NOALERT };
enum rule_track { RULE_TRACK_NONE, RULE_TRACK_SRC, RULE_TRACK_DST, RULE_TRACK_PAIR,
                  RULE_TRACK_RULE, RULE_TRACK_BOTH, RULE_TRACK_FLOW };

/* flowbits and xbits: a command over one or more names; for several names
 * any_of tells '|' (any) from '&' (all). */
struct rule_bits {
    enum rule_bits_cmd cmd;
    char **names;
    size_t nnames;
    bool any_of;
    enum rule_track track; /* xbits */
    uint32_t expire_s;     /* xbits, 0 = never */
};

struct rule_flowint {
    char *name;
    char op[4];            /* "+", "-", "=", "==", "!=", "<", "<=", ">", ">=", "isset", "notset" */
    bool has_value;
    uint64_t value;
    char *value_var;       /* another flowint as value */
    bool isset, notset;
};

struct rule_stream_size {
    int side;              /* 0 server, 1 client, 2 both, 3 either */
    struct rule_num num;
};

struct rule_app_proto {
    char *name;
    bool negated;
};

struct rule_tcp_flags {
    uint8_t set, mask;     /* flags that must be set; ignored bits */
    char modifier;         /* 0 exact, '+' all of set plus any, '*' any of set, '!' none of set */
};

struct rule_list_u32 {
    char **names;          /* sip_method names, owned */
    uint32_t *codes;       /* sip_stat_code codes; 1..9 means a class (Nxx) */
    size_t n;
    bool negated;
};

struct rule_hdr_count {
    char *name;            /* header name (compact forms are folded by the decoder) */
    struct rule_num num;
};

/* iplist: which address is looked up in the named list. */
enum rule_iplist_side { RULE_IPLIST_SRC, RULE_IPLIST_DST, RULE_IPLIST_EITHER, RULE_IPLIST_BOTH };
struct rule_iplist {
    char *name;            /* list name; its file is the config key iplist.NAME */
    enum rule_iplist_side side;
    bool negated;          /* "!NAME": the address is not in the list */
};

struct rule_match {
    enum rule_match_type type;
    unsigned flags;        /* RULE_CONTENT_* and RULE_MATCH_RELATIVE* */
    uint32_t line, col;    /* where the keyword was written, for rules test */
    union {
        struct rule_content content;
        struct rule_pcre pcre;
        struct rule_isdataat isdataat;
        struct rule_num num;     /* bsize, urilen, dsize, ttl, itype, icode, ip ids ... */
        struct rule_byte byte;
        struct rule_base64 base64;
        unsigned flow;           /* RULE_FLOW_* */
        struct rule_bits bits;
        struct rule_flowint flowint;
        struct rule_app_proto app;  /* app-layer-protocol, app-layer-event (name), ssl_state */
        struct rule_stream_size stream_size;
        struct rule_tcp_flags tcp_flags;
        struct rule_list_u32 list;
        struct rule_hdr_count hdr_count;
        struct rule_iplist iplist;
    } u;
};

/* One sticky buffer's ordered match list. For sip.header the header name
 * is part of the buffer identity: `sip.header:Via;` and `sip.header:To;` are
 * two lists. */
struct rule_list {
    enum rule_buffer buffer;
    char *header;          /* sip.header name, or NULL */
    struct rule_match *m;
    size_t n, cap;
    uint32_t line, col;    /* of the sticky-buffer keyword; 0 when implied */
    uint8_t transforms[8]; /* enum rule_transform, applied in order before matching */
    size_t ntransforms;
};

/* ---- per-rule settings ------------------------------------------------ */

enum rule_threshold_type { RULE_THRESHOLD_NONE, RULE_THRESHOLD_LIMIT, RULE_THRESHOLD_THRESHOLD,
                           RULE_THRESHOLD_BOTH, RULE_THRESHOLD_BACKOFF };
struct rule_threshold {
    enum rule_threshold_type type; /* NONE when absent */
    enum rule_track track;
    uint32_t count, seconds;
};

/* schedule: the rule is active on the listed weekdays (bit 0 = Sunday, as
 * struct tm) during any of the time ranges (minutes of the day, end
 * exclusive, may wrap midnight). No ranges means the whole day. */
struct rule_schedule {
    bool present;
    uint8_t days;
    uint16_t start[8], end[8];
    size_t nranges;
};

struct rule_reference {
    char *type;
    char *value;
};

enum rule_target { RULE_TARGET_NONE, RULE_TARGET_SRC, RULE_TARGET_DST };

struct rule {
    enum rule_action action;
    enum rule_l4 l4;
    char *proto_name;       /* as written: "tcp", "sip", ... */
    char *app_proto;        /* app-layer protocol name, or NULL */
    bool bidirectional;     /* <> */
    struct rule_addr src, dst;
    struct rule_port sport, dport;

    uint32_t gid, sid, rev;
    int priority;           /* from priority: or the classtype, 3 by default */
    char *msg;
    char *classtype;
    char *class_desc;       /* classification description, NULL if no classtype */
    struct rule_reference *refs;
    size_t nrefs;
    char **metadata;        /* "key value" strings */
    size_t nmetadata;
    enum rule_target target;

    struct rule_list *lists;  /* payload matches per sticky buffer, in first-use order */
    size_t nlists;
    struct rule_match *pkt_matches;
    size_t npkt, cappkt;

    /* Fast pattern chosen for the prefilter: list and match index, or -1. */
    int fp_list, fp_match;

    struct rule_threshold threshold;
    struct rule_threshold detection_filter;
    struct rule_threshold rate_limit; /* tollgate: drops while exceeded */
    struct rule_schedule schedule;
    bool noalert;           /* flowbits:noalert or noalert; */
    /* Set when the rule needs a protocol or buffer this sensor does not decode
     * (dns, tls, ...): it loads, is counted, and never matches. */
    const char *inactive_reason;

    char *file;             /* owned */
    uint32_t line, col;     /* where the rule starts */
    uint32_t sid_line, sid_col; /* where its sid keyword is */
    char *text;             /* the rule as written (continuations joined), owned */
};

/* The loaded rules, in file order, and the tables that rules refer to. */
struct ruleset {
    struct rule **rules;
    size_t n, cap;
    size_t skipped;         /* rules refused under --skip-bad-rules */
    size_t errors;          /* errors reported (rules and files) */
};

/* ---- variables (rule-vars.c) ----------------------------------------- */

struct rule_vars;

/* Variables with Suricata's defaults, overridden by config keys
 * "vars.address.NAME" and "vars.port.NAME". NULL when out of memory. */
struct rule_vars *rule_vars_new(const struct config *cfg);
/* Free v and every value it holds; NULL is a no-op. */
void rule_vars_free(struct rule_vars *v);
/* Set or replace one variable; TG_ERROR when out of memory. */
int rule_vars_set(struct rule_vars *v, bool port, const char *name, const char *value);
/* The value of a variable, or NULL. Owned by v. */
const char *rule_vars_get(const struct rule_vars *v, bool port, const char *name);

/* ---- addresses and ports (rule-address.c) ---------------------------- */

/* Parse an address expression ("any", "1.2.3.0/24", "[a,!b]", "$HOME_NET")
 * into out. On error returns TG_ERROR with a message in err; *errpos gets
 * the offset in text where the problem is. out is then empty. */
int rule_addr_parse(struct rule_addr *out, const char *text, const struct rule_vars *vars,
                    char *err, size_t errlen, size_t *errpos);
int rule_port_parse(struct rule_port *out, const char *text, const struct rule_vars *vars,
                    char *err, size_t errlen, size_t *errpos);
/* True when ip (4 or 16 bytes, network order) is in the expression. */
bool rule_addr_match(const struct rule_addr *a, int family, const uint8_t *ip);
bool rule_port_match(const struct rule_port *p, uint16_t port);
/* Release the children of an expression (the node itself is caller-owned). */
void rule_addr_clear(struct rule_addr *a);
void rule_port_clear(struct rule_port *p);

/* ---- classification and reference configs (rule-classify.c) ---------- */

struct rule_classify;

/* Built-in Suricata classification and reference tables. NULL when out of memory. */
struct rule_classify *rule_classify_new(void);
/* Free c and its tables; NULL is a no-op. */
void rule_classify_free(struct rule_classify *c);
/* Replace the classification table with FILE ("config classification:
 * name,description,priority" lines). TG_ERROR with "FILE:LINE: msg" in err. */
int rule_classify_load_classes(struct rule_classify *c, const char *path, char *err, size_t errlen);
/* Replace the reference types with FILE ("config reference: type url"). */
int rule_classify_load_refs(struct rule_classify *c, const char *path, char *err, size_t errlen);
/* Look up a classtype: description and priority; false when unknown. */
bool rule_classify_class(const struct rule_classify *c, const char *name, const char **desc, int *prio);
/* True when a reference type is known. */
bool rule_classify_ref(const struct rule_classify *c, const char *type);
/* Number of classtypes known (for tests). */
size_t rule_classify_nclasses(const struct rule_classify *c);

/* ---- the loader (rule-parser.c) -------------------------------------- */

struct rule_loader_opts {
    bool skip_bad;          /* --skip-bad-rules: refuse bad rules, load the rest */
    FILE *errors;           /* where error lines go (NULL: nowhere) */
};

struct rule_loader;

/* A loader carries the variables and classification tables rules are
 * checked against. cfg may be NULL (defaults). On error returns NULL and
 * writes a message into err (a bad classification-file, say). */
struct rule_loader *rule_loader_new(const struct config *cfg, const struct rule_loader_opts *opts,
                                    char *err, size_t errlen);
/* Free the loader (rules already loaded stay valid: they own their data). NULL is a no-op. */
void rule_loader_free(struct rule_loader *ld);

/* Parse every rule in the file into rs. Bad rules are reported as
 * "FILE:LINE:COL: error: KEYWORD: message". Returns TG_OK when every rule
 * loaded (or every bad one was skipped under skip_bad), TG_ERROR otherwise. */
int rule_load_file(struct rule_loader *ld, struct ruleset *rs, const char *path);
/* Same for text held in memory; name is used in messages. */
int rule_load_buffer(struct rule_loader *ld, struct ruleset *rs, const char *name,
                     const char *text, size_t len);
/* Load the files named in the config key "rule-files" (comma list, relative
 * to "rule-path" when set). TG_ERROR when any file or rule failed. */
int rule_load_config_files(struct rule_loader *ld, struct ruleset *rs, const struct config *cfg);
/* What the sensor loads: the -S files when any are given (they replace the
 * config's list, as in Suricata), else the config's rule-files. */
int rule_load_files(struct rule_loader *ld, struct ruleset *rs, const struct config *cfg, const char *const *files,
                    size_t nfiles);

/* Parse one rule; NULL on error with "KEYWORD: message" in err and the
 * 1-based column of the fault in *errcol (for tests and tools). */
struct rule *rule_parse_line(struct rule_loader *ld, const char *text, char *err, size_t errlen,
                             size_t *errcol);

/* Free a rule and everything it owns (strings, matches, compiled regexes); NULL is a no-op. */
void rule_free(struct rule *r);
/* Empty a rule set (the struct itself is caller-owned). */
void ruleset_clear(struct ruleset *rs);

/* ---- evaluators (rule-eval.c) ---------------------------------------- */

struct tm;

/* True when v satisfies the comparison (N<>M excludes its ends, N-M includes them). */
bool rule_num_match(const struct rule_num *n, uint64_t v);
/* True when the rule is active at this sensor-local time (no schedule: always).
 * Days and time ranges are checked independently against the local clock. */
bool rule_schedule_active(const struct rule_schedule *s, const struct tm *local);
/* Snort sip_method: the method (len bytes) is in the list, case-insensitively;
 * inverted for a negated list. */
bool rule_sip_method_match(const struct rule_list_u32 *l, const char *method, size_t len);
/* Snort sip_stat_code: code equals a listed code or falls in a listed class (1-9 = 1xx-9xx). */
bool rule_sip_stat_code_match(const struct rule_list_u32 *l, unsigned code);
/* The rule's fast pattern: its content match, the list it belongs to and the
 * bytes to put in the prefilter (the offset,length part when chopped); NULL
 * when the rule has none. Pointers are owned by the rule. */
const struct rule_match *rule_fast_pattern(const struct rule *r, const struct rule_list **list, const uint8_t **bytes,
                                           size_t *len);

/* ---- names ------------------------------------------------------------ */

/* Names as written in rules ("alert", "sip.method"); static strings, "?" when out of range. */
const char *rule_action_name(enum rule_action a);
const char *rule_buffer_name(enum rule_buffer b);
/* True when this sensor has (or reserves) a decoder filling the buffer. */
bool rule_buffer_active(enum rule_buffer b);
/* Buffer by name (Suricata name or legacy alias); -1 when unknown. */
int rule_buffer_lookup(const char *name);

/* Find a rule's list for a buffer; NULL when the rule does not inspect it. */
const struct rule_list *rule_find_list(const struct rule *r, enum rule_buffer b, const char *header);

#endif
