/* sip-call.h - SIP call and registration tracker: dialogs across flows, call records, media attachment.
 *
 * One table per engine. Every SIP message (sip_call_message) updates the
 * call it belongs to, keyed by Call-ID and the caller's From tag, never by
 * flow: signalling may use several flows (UDP from other source ports,
 * TCP). A call goes SETUP (INVITE sent) -> EARLY (1xx with a To tag) ->
 * ANSWERED (2xx) and ends with BYE, a final non-2xx response, or a
 * timeout in capture time. 401/407 keep it in setup (CHALLENGED) waiting
 * for the authenticated retry (same Call-ID, higher CSeq). Forked early
 * dialogs (several To tags) make one call; the answered branch wins, and a
 * non-2xx branch ends the call only when every branch seen has failed.
 *
 * SDP offers and answers create media expectations (sip-media.h); a new
 * UDP flow that matches one is attached to its call, forced to the rtp
 * app layer, told its codecs, and its RTP statistics are added to the call
 * when the flow ends or the call ends, whichever is first.
 *
 * When a call ends the record goes to the sink: by default an EVE "call"
 * event and a row in the store's calls table. Final responses to REGISTER
 * become rows of the registrations table. */
#ifndef TG_SIP_CALL_H
#define TG_SIP_CALL_H

#include "common.h"
#include "packet.h"
#include "sdp.h"
#include "sip.h"

struct config;
struct flow;
struct stats;
struct output;
struct app_layer;
struct sip_call_table;

/* Defaults of the config keys. */
#define SIP_CALL_DEFAULT_MAX 100000                          /* sip.max-calls */
#define SIP_CALL_DEFAULT_CALL_TIMEOUT (4ull * 3600 * TG_NS_PER_SEC) /* sip.call-timeout */
#define SIP_CALL_DEFAULT_SETUP_TIMEOUT (300ull * TG_NS_PER_SEC)     /* sip.setup-timeout */
#define SIP_CALL_DEFAULT_AUTH_TIMEOUT (90ull * TG_NS_PER_SEC)       /* sip.auth-timeout */

#define SIP_CALL_MAX_BRANCHES 8 /* early dialogs (To tags) remembered per call */
#define SIP_CALL_TAG_MAX 64     /* tags are compared on their first 63 bytes */
#define SIP_CALL_MAX_MEDIA 2    /* m= lines remembered per side (audio, video) */
#define SIP_CALL_MAX_CODECS 8   /* codecs remembered per m= line */

enum sip_call_state { SIP_CALL_SETUP = 0, SIP_CALL_CHALLENGED, SIP_CALL_EARLY, SIP_CALL_ANSWERED };
enum sip_call_outcome {
    SIP_OUTCOME_NONE = 0,  /* still in progress (only seen by tests) */
    SIP_OUTCOME_ANSWERED,
    SIP_OUTCOME_BUSY,      /* 486, 600 */
    SIP_OUTCOME_REJECTED,  /* 3xx, 403, 603 and other 4xx-6xx, challenge never retried */
    SIP_OUTCOME_CANCELLED, /* CANCEL, 487 */
    SIP_OUTCOME_FAILED,    /* 408, 5xx, no final response before sip.setup-timeout */
    SIP_OUTCOME_TIMEOUT    /* answered, no BYE before sip.call-timeout */
};
enum sip_call_side { SIP_SIDE_NONE = 0, SIP_SIDE_CALLER, SIP_SIDE_CALLEE };
enum sip_call_end { SIP_END_NONE = 0, SIP_END_BYE, SIP_END_FINAL, SIP_END_TIMEOUT, SIP_END_EVICTED,
                    SIP_END_SHUTDOWN };

/* RTP of one direction of a call, summed over its attached flows. */
struct sip_call_media_dir {
    uint64_t packets, bytes;
    int64_t lost;
    double jitter_ms;    /* largest jitter of any stream */
    double max_delta_ms; /* largest gap between packets of any stream */
    uint32_t streams;
};

/* What SDP said about one m= line of one side. */
struct sip_call_sdp_media {
    struct ip_addr addr;
    uint16_t port, rtcp_port;
    struct ip_addr rtcp_addr;
    enum sdp_security security;
    uint8_t n_codecs;
    struct {
        uint8_t pt, channels;
        uint32_t clock;
        char name[16];
    } codecs[SIP_CALL_MAX_CODECS];
};

/* A call record. Strings are NUL-terminated, cut to their size. */
struct sip_call {
    char call_id[256];
    char from_tag[SIP_CALL_TAG_MAX]; /* caller's tag: the key with call_id */
    char to_tag[SIP_CALL_TAG_MAX];   /* the answered (or last) branch's tag */
    char caller_uri[256], callee_uri[256];
    char caller_user[64], callee_user[64];
    char caller_display[64], callee_display[64];
    struct ip_addr caller_ip, callee_ip;
    uint16_t caller_port, callee_port;
    char transport[8];     /* "udp", "tcp" */
    char user_agent[96];   /* caller's User-Agent */
    char callee_agent[96]; /* callee's Server or User-Agent */
    uint64_t invite_ns, ring_ns, answer_ns, final_ns, end_ns, last_ns; /* 0 when not seen */
    uint32_t status;       /* final status of the INVITE (or the last one seen) */
    char reason[48];
    enum sip_call_state state;
    enum sip_call_outcome outcome;
    enum sip_call_side hangup;
    enum sip_call_end end;
    bool cancelled;
    uint32_t auth_challenges;
    uint32_t reinvites;
    uint32_t invite_cseq;
    uint32_t n_branches;
    char branches[SIP_CALL_MAX_BRANCHES][SIP_CALL_TAG_MAX]; /* To tags of early dialogs */
    uint8_t branch_failed[SIP_CALL_MAX_BRANCHES];
    uint32_t rtp_flows;    /* flows attached */
    struct sip_call_sdp_media sdp[2][SIP_CALL_MAX_MEDIA]; /* [0] caller's, [1] callee's */
    uint8_t n_sdp[2];
    struct sip_call_media_dir media[2]; /* [0] caller -> callee, [1] callee -> caller */
};

/* Where ended calls go. The record is valid for the call only. */
typedef void (*sip_call_sink_fn)(void *arg, const struct sip_call *c);

/* A table with its caps and timeouts from cfg (may be NULL: defaults):
 * sip.max-calls, sip.call-timeout, sip.setup-timeout, sip.auth-timeout,
 * sip.max-expectations. st counts call.* (may be NULL), out receives the
 * records (may be NULL), al is the app layer RTP flows are forced into
 * (may be NULL: no forcing). NULL on out of memory. */
struct sip_call_table *sip_call_table_new(const struct config *cfg, struct stats *st, struct output *out,
                                          struct app_layer *al);
/* End every call (reason shutdown, records written) and free the table. */
void sip_call_table_free(struct sip_call_table *t);
/* Send ended calls to fn instead of the outputs (tests). */
void sip_call_set_sink(struct sip_call_table *t, sip_call_sink_fn fn, void *arg);

/* Feed one SIP message. f is the flow it came on (may be NULL in tests:
 * then src/dst give the endpoints), dir its direction in f. ts_ns is
 * capture time. */
void sip_call_message(struct sip_call_table *t, const struct sip_msg *m, const struct flow *f, int dir,
                      uint64_t ts_ns);
/* sip_call_message for a message whose SDP the caller has parsed already:
 * sdp is the session of a successful sdp_parse (TG_OK) of some bytes, or
 * NULL. When those bytes are exactly m->body and were parsed under the
 * table's sdp.* limits, the tracker reads the session instead of parsing
 * the body a second time (same bytes, same limits: the same session);
 * otherwise it parses as sip_call_message does. sdp is only read, and only
 * during the call. */
void sip_call_message_sdp(struct sip_call_table *t, const struct sip_msg *m, const struct flow *f, int dir,
                          uint64_t ts_ns, const struct sdp_session *sdp);
/* The same with explicit endpoints (tests and tools). transport: "udp"/"tcp". */
void sip_call_message_ep(struct sip_call_table *t, const struct sip_msg *m, const struct ip_addr *src,
                         uint16_t sport, const struct ip_addr *dst, uint16_t dport, const char *transport,
                         uint64_t ts_ns);

/* End calls whose timeout passed at now_ns (capture time). Cheap per packet. */
void sip_call_expire(struct sip_call_table *t, uint64_t now_ns);
/* End every call now (reason shutdown). */
void sip_call_flush(struct sip_call_table *t);

/* A new UDP flow: attach it when an endpoint matches an expectation (and
 * force it to rtp). Returns true when attached. */
bool sip_call_flow_new(struct sip_call_table *t, struct flow *f);
/* A flow ends: add its RTP statistics to its call, if attached. */
void sip_call_flow_end(struct sip_call_table *t, struct flow *f);

/* Calls in progress; expectations and attachments in use. */
size_t sip_call_active(const struct sip_call_table *t);
size_t sip_call_expectations(const struct sip_call_table *t);
/* Bytes the calls and media entries use (gauge call.memuse; the bucket
 * arrays, fixed at creation, are not counted). */
size_t sip_call_memuse(const struct sip_call_table *t);

/* EVE/store names. */
const char *sip_call_outcome_name(enum sip_call_outcome o);
const char *sip_call_side_name(enum sip_call_side s);
const char *sip_call_end_name(enum sip_call_end e);
/* Outcome of a final status code to an INVITE. */
enum sip_call_outcome sip_call_outcome_of(uint32_t status);

/* Write c as the members of the open JSON object j (EVE "call"). */
struct json;
void sip_call_json(const struct sip_call *c, struct json *j);

#endif
