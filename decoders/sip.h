/* sip.h - zero-copy SIP message tokenizer and lazy libosip2 field parsers.
 *
 * sip_parse_message() splits one message of a buffer into its start line,
 * every header occurrence in order (raw name and value ranges that point into
 * the input, folded lines included) and its body, without copying or
 * normalising a byte: what an attacker sent stays visible. Well-known header
 * names (long, compact and any case) map to enum sip_hdr_id with a count and
 * first index per id, so a call tracker or a rule asks "the From header" in
 * O(1). Values that need a real grammar (name-addr, Via, CSeq, digest
 * credentials) are parsed on request by libosip2, never on the per-header
 * path. */
#ifndef TG_SIP_H
#define TG_SIP_H

#include "common.h"

/* A byte range inside the parsed buffer (never a copy). */
struct sip_range {
    const uint8_t *p;
    uint32_t len;
};

/* Well-known headers. SIP_HDR_OTHER is every header not listed here. */
enum sip_hdr_id {
    SIP_HDR_OTHER = 0,
    SIP_HDR_VIA,
    SIP_HDR_FROM,
    SIP_HDR_TO,
    SIP_HDR_CALL_ID,
    SIP_HDR_CSEQ,
    SIP_HDR_CONTACT,
    SIP_HDR_CONTENT_TYPE,
    SIP_HDR_CONTENT_LENGTH,
    SIP_HDR_CONTENT_ENCODING,
    SIP_HDR_MAX_FORWARDS,
    SIP_HDR_USER_AGENT,
    SIP_HDR_SERVER,
    SIP_HDR_EXPIRES,
    SIP_HDR_RETRY_AFTER,
    SIP_HDR_AUTHORIZATION,
    SIP_HDR_PROXY_AUTHORIZATION,
    SIP_HDR_WWW_AUTHENTICATE,
    SIP_HDR_PROXY_AUTHENTICATE,
    SIP_HDR_ROUTE,
    SIP_HDR_RECORD_ROUTE,
    SIP_HDR_SUBJECT,
    SIP_HDR_SUPPORTED,
    SIP_HDR_REQUIRE,
    SIP_HDR_PROXY_REQUIRE,
    SIP_HDR_ALLOW,
    SIP_HDR_ACCEPT,
    SIP_HDR_DATE,
    SIP_HDR_EVENT,
    SIP_HDR_ALLOW_EVENTS,
    SIP_HDR_REFER_TO,
    SIP_HDR_REFERRED_BY,
    SIP_HDR_SESSION_EXPIRES,
    SIP_HDR_IDENTITY,
    SIP_HDR_IDENTITY_INFO,
    SIP_HDR_ACCEPT_CONTACT,
    SIP_HDR_REJECT_CONTACT,
    SIP_HDR_REQUEST_DISPOSITION,
    SIP_HDR_REASON,
    SIP_HDR_WARNING,
    SIP_HDR_P_ASSERTED_IDENTITY,
    SIP_HDR_MAX
};

/* sip_header.flags */
#define SIP_HF_FOLDED 0x01   /* the value continues on folded lines */
#define SIP_HF_NO_COLON 0x02 /* the line had no ':'; name is the whole line */
#define SIP_HF_BAD_NAME 0x04 /* the name holds a non-token byte or is empty */
#define SIP_HF_WS_NAME 0x08  /* white space between the name and ':' */

/* One header occurrence, as sent. value excludes the leading white space
 * after ':' and the trailing white space and line end; when SIP_HF_FOLDED it
 * spans the CRLF + WSP of the folds (use sip_header_unfold to copy). */
struct sip_header {
    struct sip_range name;
    struct sip_range value;
    struct sip_range line; /* whole header: name to last byte before the line end */
    uint16_t id;           /* enum sip_hdr_id */
    uint16_t flags;        /* SIP_HF_* */
};

/* sip_msg.flags */
#define SIP_MF_REQUEST 0x0001        /* start line is a request line */
#define SIP_MF_RESPONSE 0x0002       /* start line is a status line */
#define SIP_MF_BARE_LF 0x0004        /* some line ends in LF without CR */
#define SIP_MF_NO_HDR_END 0x0008     /* the buffer ended before the empty line */
#define SIP_MF_NUL_IN_HEAD 0x0010    /* a NUL byte outside a quoted-pair before the body */
#define SIP_MF_EXTRA_SP 0x0020       /* request line: more than one SP between elements */
#define SIP_MF_TRAILING_SP 0x0040    /* request line: white space before the line end */
#define SIP_MF_URI_LWS 0x0080        /* Request-URI holds SP/HTAB */
#define SIP_MF_HDR_CAP 0x0100        /* more headers than the cap; the rest are not indexed */
#define SIP_MF_CL_BAD 0x0200         /* Content-Length not 1*DIGIT (negative, junk) */
#define SIP_MF_CL_TRUNCATED 0x0400   /* datagram: Content-Length larger than the bytes left */
#define SIP_MF_CL_MULTI 0x0800       /* Content-Length appears more than once */
#define SIP_MF_STATUS_BAD 0x1000     /* status code is not exactly three digits */

/* One parsed message. Ranges point into the caller's buffer; hdrs is the
 * caller's array (see sip_msg_init). */
struct sip_msg {
    const uint8_t *buf;      /* first byte of the start line */
    uint32_t len;            /* start line to end of body */
    uint32_t skipped;        /* bytes before buf that were skipped (CRLF keepalives, junk) */
    uint32_t junk;           /* of those, non-CRLF bytes (junk before the message) */
    uint32_t flags;          /* SIP_MF_* */

    struct sip_range start_line;  /* without its line end */
    struct sip_range method, uri; /* request */
    struct sip_range version;     /* "SIP/2.0" of the request or the response */
    struct sip_range status, reason;
    uint32_t status_code;         /* 0 for requests; saturates at UINT32_MAX */

    struct sip_header *hdrs;
    uint32_t hdr_cap;        /* size of hdrs */
    uint32_t n_hdrs;         /* headers indexed (<= hdr_cap) */
    uint32_t n_hdr_lines;    /* headers seen, including those over the cap */
    uint16_t count[SIP_HDR_MAX];  /* occurrences per id (saturating) */
    int32_t first[SIP_HDR_MAX];   /* index in hdrs of the first occurrence, -1 when absent */

    struct sip_range head;   /* start line to the end of the empty line */
    struct sip_range body;   /* bytes of the body actually present */
    bool has_cl;
    uint64_t content_length; /* first Content-Length value (saturating); valid unless CL_BAD */
};

/* sip_parse_message / sip_message_end modes */
enum sip_transport {
    SIP_DATAGRAM = 0, /* UDP: the buffer ends the message; no Content-Length means the rest */
    SIP_STREAM = 1    /* TCP: Content-Length frames the message (absent means 0) */
};

/* Attach the caller's header array (cap entries) and clear msg. */
void sip_msg_init(struct sip_msg *msg, struct sip_header *hdrs, uint32_t cap);

/* True when buf[0..len) begins a SIP start line (request line whose last
 * element is SIP/d.d, or a status line SIP/d.d SP); buf must point at the
 * first byte of the line. Used by the app-layer probe and for resync. */
bool sip_is_start_line(const uint8_t *buf, size_t len);

/* Length of the first message in buf, counting leading CRLFs before it (RFC
 * 3261 7.5 keepalives), or TG_AGAIN when mode is SIP_STREAM and the head or
 * the body is not complete yet. With SIP_DATAGRAM the result is never more
 * than len. Never fails otherwise. */
int64_t sip_message_end(const uint8_t *buf, size_t len, enum sip_transport mode);

/* Tokenize the message at the start of buf (after optional CRLFs; when the
 * first line is not a start line, junk is skipped up to the next line that
 * is one, and counted in msg->junk). Fills msg. Returns the bytes used
 * (skipped + message), TG_AGAIN (stream: the message is not complete; keep
 * the bytes) or TG_DECLINED (no start line: msg->skipped bytes can be
 * dropped, all of them when it is 0). msg->hdrs must have been attached by
 * sip_msg_init; the ranges stay valid as long as buf does. */
int64_t sip_parse_message(const uint8_t *buf, size_t len, enum sip_transport mode,
                          struct sip_msg *msg);

/* Header id of a raw name (long, compact, any case); SIP_HDR_OTHER when unknown. */
enum sip_hdr_id sip_header_lookup(const uint8_t *name, size_t len);
/* Canonical long name of an id ("Call-ID"); "" for SIP_HDR_OTHER. */
const char *sip_header_name(enum sip_hdr_id id);
/* First header with this id or NULL. */
const struct sip_header *sip_msg_header(const struct sip_msg *msg, enum sip_hdr_id id);

/* First header whose name is name[0..len) (any case; a well-known name also
 * finds its compact form and vice versa), or NULL. For rules that name any
 * header ("sip_header", header counts). */
const struct sip_header *sip_msg_find_header(const struct sip_msg *msg, const char *name, size_t len);

/* The next header after h (an element of msg->hdrs) with the same id, or
 * NULL: walks every Via, Record-Route, Contact... in order. */
const struct sip_header *sip_msg_header_next(const struct sip_msg *msg, const struct sip_header *h);

/* Copy h's value into dst (capacity cap, NUL-terminated), replacing each fold
 * (CRLF and the white space that follows) by one SP. Returns the length
 * copied; values longer than cap-1 are cut. */
size_t sip_header_unfold(const struct sip_header *h, char *dst, size_t cap);

/* Parse the CSeq value natively: number (saturating at UINT64_MAX, *num_ok
 * false when not 1*DIGIT) and the method range. TG_OK, or TG_ERROR when
 * the value has no number or no method. */
int sip_cseq_split(const struct sip_range *value, uint64_t *num, bool *num_ok, struct sip_range *method);

/* ---- libosip2 (lazy; each call parses one header value) ---- */

/* Initialise libosip2 once per process (thread safe). */
void sip_osip_init(void);

/* From/To/Contact (name-addr or addr-spec). Strings are NUL-terminated
 * copies cut to their array size; empty when absent. */
struct sip_name_addr {
    char display[128];
    char uri[512];
    char scheme[16];
    char user[128];
    char host[256];
    uint16_t port;   /* 0 when absent */
    char tag[128];
};
/* TG_OK or TG_ERROR when libosip2 rejects the value. */
int sip_parse_name_addr(const struct sip_header *h, struct sip_name_addr *out);

struct sip_via {
    char version[16];   /* "2.0" */
    char transport[16]; /* "UDP", "TCP", ... */
    char host[256];
    uint16_t port;      /* 0 when absent */
    char branch[128];
    char received[64];
    int32_t rport;      /* -1 absent, 0 present without value, else the value */
};
int sip_parse_via(const struct sip_header *h, struct sip_via *out);

struct sip_cseq {
    uint32_t number;
    char method[32];
};
int sip_parse_cseq(const struct sip_header *h, struct sip_cseq *out);

/* Authorization / Proxy-Authorization / WWW-Authenticate / Proxy-Authenticate
 * (chosen by h->id). Quotes around values are removed. */
struct sip_auth {
    char scheme[32];
    char username[128];
    char realm[128];
    char nonce[128];
    char uri[256];
    char response[64];
};
int sip_parse_auth(const struct sip_header *h, struct sip_auth *out);

/* Run libosip2's whole-message parser on buf[0..len). TG_OK when it
 * accepts the message, TG_ERROR when it does not. */
int sip_osip_parse_message(const uint8_t *buf, size_t len);

#endif
