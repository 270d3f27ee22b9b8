/* sip-events.h - SIP anomaly events (gid 140 Snort parity, gid 141 own) and their checks.
 *
 * The event table gives each event its gid, sid, EVE name and message, so
 * the rule engine can turn an event into an alert and a rules file can
 * disable or re-action it. sip_inspect_message() runs the per-message
 * checks; framing events (several messages in a datagram) are raised by
 * the app-layer parser and dialog events by sip-dialog.c. */
#ifndef TG_SIP_EVENTS_H
#define TG_SIP_EVENTS_H

#include "sip.h"

struct config;

#define SIP_GID_SNORT 140 /* same sids as Snort's SIP preprocessor */
#define SIP_GID_OWN 141

enum sip_event_id {
    /* gid 140, sid = index + 1 */
    SIP_EV_MAX_SESSIONS = 0,
    SIP_EV_EMPTY_REQUEST_URI,
    SIP_EV_BAD_URI,
    SIP_EV_EMPTY_CALL_ID,
    SIP_EV_BAD_CALL_ID,
    SIP_EV_BAD_CSEQ_NUM,
    SIP_EV_BAD_CSEQ_NAME,
    SIP_EV_EMPTY_FROM,
    SIP_EV_BAD_FROM,
    SIP_EV_EMPTY_TO,
    SIP_EV_BAD_TO,
    SIP_EV_EMPTY_VIA,
    SIP_EV_BAD_VIA,
    SIP_EV_EMPTY_CONTACT,
    SIP_EV_BAD_CONTACT,
    SIP_EV_BAD_CONTENT_LEN,
    SIP_EV_MULTI_MSGS,
    SIP_EV_MISMATCH_CONTENT_LEN,
    SIP_EV_INVALID_CSEQ_NAME,
    SIP_EV_AUTH_INVITE_REPLAY_ATTACK,
    SIP_EV_AUTH_INVITE_DIFF_SESSION,
    SIP_EV_BAD_STATUS_CODE,
    SIP_EV_MISSING_CONTENT_TYPE,
    SIP_EV_INVALID_VERSION,
    SIP_EV_MISMATCH_METHOD,
    SIP_EV_UNKNOWN_METHOD,
    SIP_EV_MAX_DIALOGS,
    /* gid 141, sid = index - SIP_EV_OWN_FIRST + 1 */
    SIP_EV_DUPLICATE_HEADER,
    SIP_EV_MISSING_HEADER,
    SIP_EV_MULTIPLE_CONTENT_LENGTH,
    SIP_EV_BAD_HEADER_NAME,
    SIP_EV_MALFORMED_HEADER_LINE,
    SIP_EV_BAD_REQUEST_URI_CHAR,
    SIP_EV_REQUEST_URI_LWS,
    SIP_EV_REQUEST_URI_BRACKETS,
    SIP_EV_REQUEST_URI_HEADERS,
    SIP_EV_REQUEST_LINE_SPACES,
    SIP_EV_BAD_MAX_FORWARDS,
    SIP_EV_BAD_EXPIRES,
    SIP_EV_BAD_RETRY_AFTER,
    SIP_EV_STATUS_CODE_RANGE,
    SIP_EV_UNTERMINATED_QUOTE,
    SIP_EV_NUL_BYTE,
    SIP_EV_JUNK_BEFORE_MESSAGE,
    SIP_EV_SQL_INJECTION,
    SIP_EV_SCRIPT_INJECTION,
    SIP_EV_OSIP_PARSE_FAILED,
    SIP_EV_BAD_DISPLAY_NAME,
    SIP_EV_BAD_NAME_ADDR,
    SIP_EV_UNBRACKETED_URI_HEADERS,
    SIP_EV_EMPTY_HEADER_PARAM,
    SIP_EV_BAD_DATE,
    SIP_EV_HEADER_CAP,
    SIP_EV_HEADERS_UNTERMINATED,
    SIP_EV_MAX
};
#define SIP_EV_OWN_FIRST SIP_EV_DUPLICATE_HEADER

/* A set of raised events (SIP_EV_MAX <= 64). */
typedef uint64_t sip_event_set;
#define SIP_EV_BIT(e) ((sip_event_set)1 << (e))

struct sip_event_info {
    uint32_t gid;
    uint32_t sid;
    const char *name; /* EVE anomaly.event and app-layer-event name, "sip.empty_request_uri" */
    const char *msg;  /* rule message, "SIP: empty request URI" */
};

/* The whole table, indexed by enum sip_event_id; *n gets SIP_EV_MAX. */
const struct sip_event_info *sip_events_table(size_t *n);
/* Entry of one event; NULL when out of range. */
const struct sip_event_info *sip_event_info(enum sip_event_id id);

#define SIP_MAX_METHODS 32

/* Limits and switches (config keys sip.NAME; Snort's defaults). 0 disables a length check. */
struct sip_config {
    uint32_t max_uri_len;          /* sip.max_uri_len 256 */
    uint32_t max_call_id_len;      /* sip.max_call_id_len 256 */
    uint32_t max_requestName_len;  /* sip.max_requestName_len 20 */
    uint32_t max_from_len;         /* sip.max_from_len 256 */
    uint32_t max_to_len;           /* sip.max_to_len 256 */
    uint32_t max_via_len;          /* sip.max_via_len 1024 */
    uint32_t max_contact_len;      /* sip.max_contact_len 256 */
    uint32_t max_content_len;      /* sip.max_content_len 1024 */
    uint32_t max_dialogs;          /* sip.max_dialogs 4 (per flow) */
    uint32_t max_sessions;         /* sip.max_sessions 10000 (SIP flows at once) */
    uint32_t max_headers;          /* sip.max-headers 256 (headers indexed per message) */
    uint32_t max_message;          /* sip.max-message 65536 (TCP bytes buffered for one message) */
    bool osip_check;               /* sip.osip-check yes: run libosip2 on every message */
    /* sip.methods: space-separated list; empty (default) = any RFC 3261 token */
    uint32_t n_methods;
    char methods[SIP_MAX_METHODS][32];
};

void sip_config_default(struct sip_config *c);
/* Defaults overridden by cfg's sip.* keys (cfg may be NULL). */
void sip_config_load(struct sip_config *c, const struct config *cfg);

/* Compiled checks (PCRE2 patterns); immutable after creation, so one
 * context may serve several threads. */
struct sip_inspect;

/* NULL on out of memory or when a pattern fails to compile (a bug). */
struct sip_inspect *sip_inspect_new(const struct sip_config *c);
void sip_inspect_free(struct sip_inspect *si);
const struct sip_config *sip_inspect_config(const struct sip_inspect *si);

/* Per-message checks (everything but framing and dialog events). */
sip_event_set sip_inspect_message(const struct sip_inspect *si, const struct sip_msg *m,
                                  enum sip_transport mode);

/* True when the method (request or CSeq) is acceptable under c. */
bool sip_method_known(const struct sip_config *c, const struct sip_range *method);

/* Called for each message found in a datagram with its per-message and
 * framing events (sip.multi_msgs on a message followed by another,
 * sip.mismatch_content_len on one followed by junk). */
typedef void (*sip_datagram_fn)(const struct sip_msg *m, sip_event_set ev, void *arg);

/* Tokenize and check every message of one datagram, using hdrs[cap] as the
 * header array. Returns the number of messages found (0: not SIP at all). */
int sip_inspect_datagram(const struct sip_inspect *si, const uint8_t *data, size_t len,
                         struct sip_header *hdrs, uint32_t cap, sip_datagram_fn fn, void *arg);

#endif
