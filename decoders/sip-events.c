/* sip-events.c - the SIP anomaly event table and the per-message anomaly checks.
 *
 * gid 140 follows Snort's SIP preprocessor (same sids, limits and defaults);
 * where Snort's literal behaviour would flag messages RFC 4475 calls valid
 * the deviation is stated next to the check (and in README). gid 141 are our
 * own checks. Every check is conservative: RFC 4475's valid messages raise
 * nothing (tests/scripts/rfc4475.sh). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "sip-events.h"

#define E140(id, sid, n, m) [SIP_EV_##id] = {SIP_GID_SNORT, sid, "sip." n, "SIP: " m}
#define E141(id, sid, n, m) [SIP_EV_##id] = {SIP_GID_OWN, sid, "sip." n, "SIP: " m}

static const struct sip_event_info sip_event_table[SIP_EV_MAX] = {
    E140(MAX_SESSIONS, 1, "max_sessions", "maximum sessions reached"),
    E140(EMPTY_REQUEST_URI, 2, "empty_request_uri", "empty request URI"),
    E140(BAD_URI, 3, "bad_uri", "URI is too long"),
    E140(EMPTY_CALL_ID, 4, "empty_call_id", "empty Call-ID"),
    E140(BAD_CALL_ID, 5, "bad_call_id", "Call-ID is too long"),
    E140(BAD_CSEQ_NUM, 6, "bad_cseq_num", "CSeq number is too large or negative"),
    E140(BAD_CSEQ_NAME, 7, "bad_cseq_name", "request name in CSeq is too long"),
    E140(EMPTY_FROM, 8, "empty_from", "empty From header"),
    E140(BAD_FROM, 9, "bad_from", "From header is too long"),
    E140(EMPTY_TO, 10, "empty_to", "empty To header"),
    E140(BAD_TO, 11, "bad_to", "To header is too long"),
    E140(EMPTY_VIA, 12, "empty_via", "empty Via header"),
    E140(BAD_VIA, 13, "bad_via", "Via header is too long"),
    E140(EMPTY_CONTACT, 14, "empty_contact", "empty Contact"),
    E140(BAD_CONTACT, 15, "bad_contact", "Contact is too long"),
    E140(BAD_CONTENT_LEN, 16, "bad_content_len", "content length is too large or negative"),
    E140(MULTI_MSGS, 17, "multi_msgs", "multiple SIP messages in a packet"),
    E140(MISMATCH_CONTENT_LEN, 18, "mismatch_content_len", "content length mismatch"),
    E140(INVALID_CSEQ_NAME, 19, "invalid_cseq_name", "request name is invalid"),
    E140(AUTH_INVITE_REPLAY_ATTACK, 20, "auth_invite_replay_attack", "INVITE replay attack"),
    E140(AUTH_INVITE_DIFF_SESSION, 21, "auth_invite_diff_session", "illegal session information modification"),
    E140(BAD_STATUS_CODE, 22, "bad_status_code", "response status code is not a 3 digit number"),
    E140(MISSING_CONTENT_TYPE, 23, "missing_content_type", "empty Content-Type header"),
    E140(INVALID_VERSION, 24, "invalid_version", "SIP version is invalid"),
    E140(MISMATCH_METHOD, 25, "mismatch_method", "mismatch in METHOD of request and the CSeq header"),
    E140(UNKNOWN_METHOD, 26, "unknown_method", "method is unknown"),
    E140(MAX_DIALOGS, 27, "max_dialogs_in_a_session", "maximum dialogs within a session reached"),
    E141(DUPLICATE_HEADER, 1, "duplicate_header", "single-valued header repeated"),
    E141(MISSING_HEADER, 2, "missing_header", "mandatory header missing"),
    E141(MULTIPLE_CONTENT_LENGTH, 3, "multiple_content_length", "more than one Content-Length"),
    E141(BAD_HEADER_NAME, 4, "bad_header_name", "invalid character in a header name"),
    E141(MALFORMED_HEADER_LINE, 5, "malformed_header_line", "header line without a colon"),
    E141(BAD_REQUEST_URI_CHAR, 6, "bad_request_uri_char", "invalid character in the Request-URI"),
    E141(REQUEST_URI_LWS, 7, "request_uri_lws", "white space inside the Request-URI"),
    E141(REQUEST_URI_BRACKETS, 8, "request_uri_brackets", "angle brackets in the Request-URI"),
    E141(REQUEST_URI_HEADERS, 9, "request_uri_headers", "escaped headers in the Request-URI"),
    E141(REQUEST_LINE_SPACES, 10, "request_line_spaces", "extra or trailing spaces in the request line"),
    E141(BAD_MAX_FORWARDS, 11, "bad_max_forwards", "Max-Forwards not a number up to 255"),
    E141(BAD_EXPIRES, 12, "bad_expires", "Expires larger than 2^32-1"),
    E141(BAD_RETRY_AFTER, 13, "bad_retry_after", "Retry-After larger than 2^32-1"),
    E141(STATUS_CODE_RANGE, 14, "status_code_range", "status code outside 100-699"),
    E141(UNTERMINATED_QUOTE, 15, "unterminated_quote", "unterminated quoted string"),
    E141(NUL_BYTE, 16, "nul_byte", "NUL byte before the body"),
    E141(JUNK_BEFORE_MESSAGE, 17, "junk_before_message", "bytes before the start line"),
    E141(SQL_INJECTION, 18, "sql_injection", "SQL injection pattern in a user-controlled field"),
    E141(SCRIPT_INJECTION, 19, "script_injection", "script injection pattern in a user-controlled field"),
    E141(OSIP_PARSE_FAILED, 20, "osip_parse_failed", "libosip2 cannot parse the message"),
    E141(BAD_DISPLAY_NAME, 21, "bad_display_name", "non-token characters in an unquoted display name"),
    E141(BAD_NAME_ADDR, 22, "bad_name_addr", "malformed address (white space inside <>, unbalanced <>, no URI)"),
    E141(UNBRACKETED_URI_HEADERS, 23, "unbracketed_uri_headers", "URI with headers not enclosed in <>"),
    E141(EMPTY_HEADER_PARAM, 24, "empty_header_param", "empty parameter or list element in an address header"),
    E141(BAD_DATE, 25, "bad_date", "Date header not in GMT"),
    E141(HEADER_CAP, 26, "header_cap", "more headers than sip.max-headers"),
    E141(HEADERS_UNTERMINATED, 27, "headers_unterminated", "no empty line after the headers"),
};

const struct sip_event_info *sip_events_table(size_t *n)
{
    if (n)
        *n = SIP_EV_MAX;
    return sip_event_table;
}

const struct sip_event_info *sip_event_info(enum sip_event_id id)
{
    return (unsigned)id < SIP_EV_MAX ? &sip_event_table[id] : NULL;
}

/* ---- configuration ---- */

void sip_config_default(struct sip_config *c)
{
    memset(c, 0, sizeof *c);
    c->max_uri_len = 256;
    c->max_call_id_len = 256;
    c->max_requestName_len = 20;
    c->max_from_len = 256;
    c->max_to_len = 256;
    c->max_via_len = 1024;
    c->max_contact_len = 256;
    c->max_content_len = 1024;
    c->max_dialogs = 4;
    c->max_sessions = 10000;
    c->max_headers = 256;
    c->max_message = 65536;
    c->osip_check = true;
}

static uint32_t sip_cfg_u32(const struct config *cfg, const char *key, uint32_t def)
{
    uint64_t v = config_get_u64(cfg, key, def);
    return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

void sip_config_load(struct sip_config *c, const struct config *cfg)
{
    sip_config_default(c);
    if (!cfg)
        return;
    c->max_uri_len = sip_cfg_u32(cfg, "sip.max_uri_len", c->max_uri_len);
    c->max_call_id_len = sip_cfg_u32(cfg, "sip.max_call_id_len", c->max_call_id_len);
    c->max_requestName_len = sip_cfg_u32(cfg, "sip.max_requestName_len", c->max_requestName_len);
    c->max_from_len = sip_cfg_u32(cfg, "sip.max_from_len", c->max_from_len);
    c->max_to_len = sip_cfg_u32(cfg, "sip.max_to_len", c->max_to_len);
    c->max_via_len = sip_cfg_u32(cfg, "sip.max_via_len", c->max_via_len);
    c->max_contact_len = sip_cfg_u32(cfg, "sip.max_contact_len", c->max_contact_len);
    c->max_content_len = sip_cfg_u32(cfg, "sip.max_content_len", c->max_content_len);
    c->max_dialogs = sip_cfg_u32(cfg, "sip.max_dialogs", c->max_dialogs);
    if (c->max_dialogs == 0)
        c->max_dialogs = 1;
    c->max_sessions = sip_cfg_u32(cfg, "sip.max_sessions", c->max_sessions);
    c->max_headers = sip_cfg_u32(cfg, "sip.max-headers", c->max_headers);
    if (c->max_headers == 0)
        c->max_headers = 1;
    if (c->max_headers > 65536)
        c->max_headers = 65536;
    c->max_message = sip_cfg_u32(cfg, "sip.max-message", c->max_message);
    c->osip_check = config_get_bool(cfg, "sip.osip-check", c->osip_check);
    const char *m = config_get(cfg, "sip.methods");
    while (m && *m && c->n_methods < SIP_MAX_METHODS) {
        size_t sp = strspn(m, " \t,");
        m += sp;
        size_t l = strcspn(m, " \t,");
        if (!l)
            break;
        snprintf(c->methods[c->n_methods++], sizeof c->methods[0], "%.*s", (int)l, m);
        m += l;
    }
}

/* ---- helpers ---- */

static bool ev_token(uint8_t c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) { /* -.!%*_+`'~ (a switch, not strchr: this runs per byte) */
    case '-': case '.': case '!': case '%': case '*': case '_': case '+': case '`': case '\'': case '~':
        return true;
    default:
        return false;
    }
}

/* Bytes RFC 3986/3261 never allow in a Request-URI: controls, DEL, non-ASCII
 * and "\^`{|} (white space is judged separately). */
static bool ev_bad_uri_char(uint8_t c)
{
    if (c < 0x20 || c >= 0x7f)
        return true;
    switch (c) {
    case '"': case '\\': case '^': case '`': case '{': case '|': case '}':
        return true;
    default:
        return false;
    }
}

static bool ev_ws(uint8_t c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

static bool ev_range_ieq(const struct sip_range *r, const char *s)
{
    size_t n = strlen(s);
    if (r->len != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        uint8_t a = r->p[i], b = (uint8_t)s[i];
        if (a >= 'A' && a <= 'Z')
            a = (uint8_t)(a + 32);
        if (b >= 'A' && b <= 'Z')
            b = (uint8_t)(b + 32);
        if (a != b)
            return false;
    }
    return true;
}

bool sip_method_known(const struct sip_config *c, const struct sip_range *method)
{
    if (method->len == 0)
        return false;
    if (c->n_methods) {
        for (uint32_t i = 0; i < c->n_methods; i++)
            if (ev_range_ieq(method, c->methods[i]))
                return true;
        return false;
    }
    for (uint32_t i = 0; i < method->len; i++)
        if (!ev_token(method->p[i]))
            return false;
    return true;
}

/* Total value length of every occurrence of id (Snort sums Via and Contact). */
static uint64_t ev_total_len(const struct sip_msg *m, enum sip_hdr_id id)
{
    uint64_t t = 0;
    for (uint32_t i = 0; i < m->n_hdrs; i++)
        if (m->hdrs[i].id == id)
            t += m->hdrs[i].value.len;
    return t;
}

/* Value of the first occurrence; empty range when absent. */
static struct sip_range ev_value(const struct sip_msg *m, enum sip_hdr_id id)
{
    const struct sip_header *h = sip_msg_header(m, id);
    return h ? h->value : (struct sip_range){(const uint8_t *)"", 0}; /* never NULL: memchr/memcmp */
}

/* Leading 1*DIGIT of a value: false when it does not start with a digit. */
static bool ev_leading_number(const struct sip_range *v, uint64_t *out, size_t *ndigits)
{
    uint64_t x = 0;
    size_t i = 0;
    for (; i < v->len && v->p[i] >= '0' && v->p[i] <= '9'; i++)
        x = x > (UINT64_MAX - 9) / 10 ? UINT64_MAX : x * 10 + (uint64_t)(v->p[i] - '0');
    *out = x;
    *ndigits = i;
    return i > 0;
}

static bool ev_all_digits(const struct sip_range *v)
{
    if (!v->len)
        return false;
    for (uint32_t i = 0; i < v->len; i++)
        if (v->p[i] < '0' || v->p[i] > '9')
            return false;
    return true;
}

/* Unterminated quoted string in a value (quoted-pair aware). */
static bool ev_unterminated_quote(const struct sip_range *v)
{
    bool q = false;
    for (uint32_t i = 0; i < v->len; i++) {
        uint8_t c = v->p[i];
        if (q && c == '\\')
            i++;
        else if (c == '"')
            q = !q;
    }
    return q;
}

/* Name-addr checks on one From/To/Contact-like value. */
static sip_event_set ev_check_addr(const struct sip_range *v)
{
    sip_event_set ev = 0;
    const uint8_t *p = v->p;
    uint32_t n = v->len, i = 0;
    bool q = false;
    int32_t lt = -1, gt = -1;
    /* find the first '<' outside quotes, and the '>' that closes it */
    for (i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (q) {
            if (c == '\\')
                i++;
            else if (c == '"')
                q = false;
            continue;
        }
        if (c == '"')
            q = true;
        else if (c == '<' && lt < 0)
            lt = (int32_t)i;
        else if (c == '>' && lt >= 0) {
            gt = (int32_t)i;
            break;
        }
    }
    if (lt >= 0) {
        if (gt < 0) {
            ev |= SIP_EV_BIT(SIP_EV_BAD_NAME_ADDR);
        } else if ((uint32_t)lt + 1 < n && (ev_ws(p[lt + 1]) || ev_ws(p[gt - 1]))) {
            ev |= SIP_EV_BIT(SIP_EV_BAD_NAME_ADDR);
        }
        /* display name before '<': a quoted string, or tokens and LWS */
        uint32_t s = 0;
        while (s < (uint32_t)lt && ev_ws(p[s]))
            s++;
        if (s < (uint32_t)lt && p[s] != '"') {
            for (uint32_t k = s; k < (uint32_t)lt; k++)
                if (!ev_token(p[k]) && !ev_ws(p[k])) {
                    ev |= SIP_EV_BIT(SIP_EV_BAD_DISPLAY_NAME);
                    break;
                }
        }
    } else if (!memchr(p, ':', n)) {
        ev |= SIP_EV_BIT(SIP_EV_BAD_NAME_ADDR); /* neither <URI> nor scheme:... */
    } else {
        /* addr-spec: RFC 3261 20.10, a URI with '?' (or ',') must be in <> */
        uint32_t e = 0;
        while (e < n && p[e] != ';')
            e++;
        if (memchr(p, '?', e))
            ev |= SIP_EV_BIT(SIP_EV_UNBRACKETED_URI_HEADERS);
    }
    return ev;
}

/* Contact holds a comma-separated list: check each element on its own
 * (commas inside quotes or <> do not separate). */
static sip_event_set ev_check_addr_list(const struct sip_range *v)
{
    sip_event_set ev = 0;
    bool q = false;
    int depth = 0;
    uint32_t start = 0;
    for (uint32_t i = 0; i <= v->len; i++) {
        uint8_t c = i < v->len ? v->p[i] : ',';
        if (q) {
            if (c == '\\')
                i++;
            else if (c == '"')
                q = false;
            continue;
        }
        if (c == '"') {
            q = true;
        } else if (c == '<') {
            depth++;
        } else if (c == '>') {
            if (depth)
                depth--;
        } else if (c == ',' && depth == 0) {
            uint32_t s = start, e = i;
            while (s < e && ev_ws(v->p[s]))
                s++;
            while (e > s && ev_ws(v->p[e - 1]))
                e--;
            if (e > s)
                ev |= ev_check_addr(&(struct sip_range){v->p + s, e - s});
            start = i + 1;
        }
    }
    return ev;
}

/* Empty parameters or list elements (";;", ";,", ",,", trailing ';' or
 * ',') outside quotes and <>, as in RFC 4475 3.1.2.1. */
static bool ev_empty_param(const struct sip_range *v)
{
    const uint8_t *p = v->p;
    uint32_t n = v->len;
    bool q = false;
    int depth = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (q) {
            if (c == '\\')
                i++;
            else if (c == '"')
                q = false;
            continue;
        }
        if (c == '"') {
            q = true;
        } else if (c == '<') {
            depth++;
        } else if (c == '>') {
            if (depth)
                depth--;
        } else if (depth == 0 && (c == ';' || c == ',')) {
            uint32_t k = i + 1;
            while (k < n && ev_ws(p[k]))
                k++;
            if (k == n || p[k] == ';' || p[k] == ',')
                return true;
        }
    }
    return false;
}

/* ---- PCRE2 injection patterns ---- */

/* Conservative on purpose: each needs SQL or HTML syntax that never appears
 * in SIP names and URIs (RFC 4475's strangest valid messages included). */
static const char *const sip_sql_patterns =
    "'\\s*(or|and)\\s+('[^']*'|\\d+)\\s*(=|<|>|like\\b)"
    "|\\bunion\\s+(all\\s+)?select\\b"
    "|;\\s*(drop\\s+(table|database)|delete\\s+from|insert\\s+into|truncate\\s+table|update\\s+\\w+\\s+set)\\b"
    "|\\b(sleep|benchmark|pg_sleep)\\s*\\(\\s*\\d"
    "|\\bwaitfor\\s+delay\\s+'"
    "|'\\s*(--|#|/\\*)"
    "|\\b(or|and)\\s+(\\d+)\\s*=\\s*\\2\\b";
static const char *const sip_script_patterns =
    "<\\s*/?\\s*script\\b"
    "|\\bjavascript\\s*:"
    "|\\bvbscript\\s*:"
    "|<\\s*(iframe|img|svg|object|embed|body)\\b"
    "|\\bon(error|load|mouseover|focus|click)\\s*="
    "|\\bdocument\\s*\\.\\s*(cookie|location|write)";

struct sip_inspect {
    struct sip_config cfg;
    pcre2_code *sql;
    pcre2_code *script;
};

static pcre2_code *sip_compile(const char *pat)
{
    int err;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_CASELESS, &err, &off, NULL);
    if (re)
        pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
    return re;
}

struct sip_inspect *sip_inspect_new(const struct sip_config *c)
{
    struct sip_inspect *si = calloc(1, sizeof *si);
    if (!si)
        return NULL;
    si->cfg = *c;
    si->sql = sip_compile(sip_sql_patterns);
    si->script = sip_compile(sip_script_patterns);
    if (!si->sql || !si->script) {
        sip_inspect_free(si);
        return NULL;
    }
    return si;
}

void sip_inspect_free(struct sip_inspect *si)
{
    if (!si)
        return;
    pcre2_code_free(si->sql);
    pcre2_code_free(si->script);
    free(si);
}

const struct sip_config *sip_inspect_config(const struct sip_inspect *si) { return &si->cfg; }

static int ev_hex(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Match both pattern sets on a value, %-decoded (attackers escape quotes in URIs). */
static sip_event_set ev_injection(const struct sip_inspect *si, const struct sip_range *v,
                                  pcre2_match_data *md)
{
    uint8_t buf[2048];
    size_t o = 0;
    for (uint32_t i = 0; i < v->len && o < sizeof buf; i++) {
        uint8_t c = v->p[i];
        int h1, h2;
        if (c == '%' && i + 2 < v->len && (h1 = ev_hex(v->p[i + 1])) >= 0 && (h2 = ev_hex(v->p[i + 2])) >= 0) {
            c = (uint8_t)(h1 * 16 + h2);
            i += 2;
        }
        buf[o++] = c;
    }
    sip_event_set ev = 0;
    if (pcre2_match(si->sql, buf, o, 0, 0, md, NULL) >= 0)
        ev |= SIP_EV_BIT(SIP_EV_SQL_INJECTION);
    if (pcre2_match(si->script, buf, o, 0, 0, md, NULL) >= 0)
        ev |= SIP_EV_BIT(SIP_EV_SCRIPT_INJECTION);
    return ev;
}

/* ---- per-header value checks ---- */

/* Which value checks a header gets (by its id). */
enum ev_hclass {
    EV_HC_NONE = 0,
    EV_HC_FROM_TO,  /* name-addr, empty parameters, quotes, injection */
    EV_HC_CONTACT,  /* name-addr list, empty parameters, quotes */
    EV_HC_PARAMS,   /* Via, Route, Record-Route: empty parameters, quotes */
    EV_HC_QUOTE,    /* credentials, P-Asserted-Identity, Refer-To, Referred-By: quotes */
    EV_HC_UA        /* User-Agent: injection */
};

static enum ev_hclass ev_header_class(uint16_t id)
{
    switch (id) {
    case SIP_HDR_FROM:
    case SIP_HDR_TO:
        return EV_HC_FROM_TO;
    case SIP_HDR_CONTACT:
        return EV_HC_CONTACT;
    case SIP_HDR_VIA:
    case SIP_HDR_ROUTE:
    case SIP_HDR_RECORD_ROUTE:
        return EV_HC_PARAMS;
    case SIP_HDR_AUTHORIZATION:
    case SIP_HDR_PROXY_AUTHORIZATION:
    case SIP_HDR_WWW_AUTHENTICATE:
    case SIP_HDR_PROXY_AUTHENTICATE:
    case SIP_HDR_P_ASSERTED_IDENTITY:
    case SIP_HDR_REFERRED_BY:
    case SIP_HDR_REFER_TO:
        return EV_HC_QUOTE;
    case SIP_HDR_USER_AGENT:
        return EV_HC_UA;
    default:
        return EV_HC_NONE;
    }
}

/* The value checks of class hc on v: a function of hc and v's bytes only
 * (no sip.* limit enters them, and the injection patterns are fixed), which
 * is what lets ev_header_cached share results between inspection contexts;
 * a check that reads si->cfg would have to be keyed by it too.
 * *md is created on the first injection match (the caller frees it);
 * *complete turns false when that match could not run (out of memory). */
static sip_event_set ev_header_value(const struct sip_inspect *si, enum ev_hclass hc, const struct sip_range *v,
                                     pcre2_match_data **md, bool *complete)
{
    sip_event_set ev = 0;
    switch (hc) {
    case EV_HC_FROM_TO:
    case EV_HC_CONTACT:
        /* an empty value is empty_from / empty_to / empty_contact's business */
        if (v->len && hc != EV_HC_CONTACT)
            ev |= ev_check_addr(v);
        else if (v->len && !(v->len == 1 && v->p[0] == '*'))
            ev |= ev_check_addr_list(v);
        /* fall through */
    case EV_HC_PARAMS:
        if (ev_empty_param(v))
            ev |= SIP_EV_BIT(SIP_EV_EMPTY_HEADER_PARAM);
        /* fall through */
    case EV_HC_QUOTE:
        if (ev_unterminated_quote(v))
            ev |= SIP_EV_BIT(SIP_EV_UNTERMINATED_QUOTE);
        break;
    default:
        break;
    }
    if (hc == EV_HC_FROM_TO || hc == EV_HC_UA) {
        if (!*md)
            *md = pcre2_match_data_create(1, NULL);
        if (*md)
            ev |= ev_injection(si, v, *md);
        else
            *complete = false;
    }
    return ev;
}

/* Values whose check results this thread remembers. From, To, Contact,
 * Via and User-Agent repeat across the messages of a transaction or a
 * dialog and across the calls of a phone, and their checks (two PCRE2
 * scans among them) were a tenth of the SIP cost. Per thread because the
 * inspection context is shared read-only; slots are picked by FNV-1a, so
 * colliding values only miss. */
#define EV_HV_SLOTS 128u
#define EV_HV_KEY 192u /* longer values are checked every time */
struct ev_hv_entry {
    uint8_t hc;  /* enum ev_hclass; EV_HC_NONE: unused */
    uint8_t len;
    sip_event_set ev;
    uint8_t key[EV_HV_KEY];
};
static _Thread_local struct ev_hv_entry ev_hv_cache[EV_HV_SLOTS];

static sip_event_set ev_header_cached(const struct sip_inspect *si, enum ev_hclass hc, const struct sip_range *v,
                                      pcre2_match_data **md)
{
    struct ev_hv_entry *c = NULL;
    if (v->len < EV_HV_KEY) {
        uint32_t h = (2166136261u ^ (uint32_t)hc) * 16777619u;
        for (uint32_t i = 0; i < v->len; i++)
            h = (h ^ v->p[i]) * 16777619u;
        c = &ev_hv_cache[h & (EV_HV_SLOTS - 1)];
        if (c->hc == hc && c->len == v->len && (v->len == 0 || memcmp(c->key, v->p, v->len) == 0))
            return c->ev;
    }
    bool complete = true;
    sip_event_set ev = ev_header_value(si, hc, v, md, &complete);
    if (c && complete) {
        c->hc = (uint8_t)hc;
        c->len = (uint8_t)v->len;
        if (v->len)
            memcpy(c->key, v->p, v->len);
        c->ev = ev;
    }
    return ev;
}

/* ---- libosip2 whole-message check ---- */

/* libosip2 works on C strings and knows only a few Request-URI schemes, so
 * it rejects two things RFC 4475 calls valid: a NUL in a quoted-pair
 * (3.1.1.2) and an unusual Request-URI scheme (3.3.3). When the first parse
 * fails, retry on a copy with those two neutralised; only a second failure
 * is an anomaly.
 *
 * libosip2 5.3's multipart parser leaks a part's Content-Type when the part
 * has two (found by fuzz-sip): attacker-driven memory growth in a sensor
 * that runs for months. So libosip2 never sees the word "multipart": its
 * own idea of where headers end can differ from ours on malformed input,
 * hence every occurrence in the copy becomes "xultipart" and a body is one
 * opaque part (the message head is what we ask libosip2 about). */
/* Turn every "multipart" (any case) in p[0..n) into "xultipart"; returns
 * whether there was one. With change false it only looks. */
static bool ev_multipart(uint8_t *p, const uint8_t *src, size_t n, bool change)
{
    bool found = false;
    size_t k = 0;
    while (k + 9 <= n) {
        /* memchr for either case of the first letter (it runs on every
         * message, so a byte loop showed in profiles) */
        const uint8_t *lo = memchr(src + k, 'm', n - 8 - k);
        const uint8_t *up = memchr(src + k, 'M', lo ? (size_t)(lo - (src + k)) : n - 8 - k);
        const uint8_t *at = up ? up : lo;
        if (!at)
            break;
        k = (size_t)(at - src);
        if (ev_range_ieq(&(struct sip_range){src + k, 9}, "multipart")) {
            found = true;
            if (!change)
                return true;
            p[k] = 'x';
        }
        k++;
    }
    return found;
}

static bool ev_osip_fails(const struct sip_msg *m)
{
    bool multipart = ev_multipart(NULL, m->buf, m->len, false);
    if (!multipart && sip_osip_parse_message(m->buf, m->len) == TG_OK)
        return false;
    size_t cap = (size_t)m->len + 16;
    uint8_t *c = malloc(cap);
    if (!c)
        return false;
    size_t o = 0, i = 0;
    if ((m->flags & SIP_MF_REQUEST) && m->uri.len) {
        size_t us = (size_t)(m->uri.p - m->buf);
        memcpy(c, m->buf, us);
        o = us;
        bool sipish = m->uri.len > 4 && (ev_range_ieq(&(struct sip_range){m->uri.p, 4}, "sip:") ||
                                         ev_range_ieq(&(struct sip_range){m->uri.p, 4}, "tel:") ||
                                         (m->uri.len > 5 && ev_range_ieq(&(struct sip_range){m->uri.p, 5}, "sips:")));
        if (sipish) {
            memcpy(c + o, m->uri.p, m->uri.len);
            o += m->uri.len;
        } else {
            memcpy(c + o, "sip:invalid", 11);
            o += 11;
        }
        i = us + m->uri.len;
    }
    bool q = false;
    for (; i < m->len; i++) {
        uint8_t b = m->buf[i];
        if (i < m->head.len) {
            if (b == '\n')
                q = false;
            else if (q && b == '\\' && i + 1 < m->head.len) {
                c[o++] = b;
                b = m->buf[++i];
                if (b == 0)
                    b = ' ';
            } else if (b == '"')
                q = !q;
        }
        c[o++] = b;
    }
    ev_multipart(c, c, o, true);
    bool fail = sip_osip_parse_message(c, o) != TG_OK;
    free(c);
    return fail;
}

/* ---- the checks ---- */

static bool ev_is_sip_version(const struct sip_range *v)
{
    return ev_range_ieq(v, "SIP/2.0") || ev_range_ieq(v, "SIP/1.0") || ev_range_ieq(v, "SIP/1.1");
}

static sip_event_set ev_request_line(const struct sip_config *c, const struct sip_msg *m)
{
    sip_event_set ev = 0;
    if (!sip_method_known(c, &m->method))
        ev |= SIP_EV_BIT(SIP_EV_UNKNOWN_METHOD);
    if (m->uri.len == 0)
        ev |= SIP_EV_BIT(SIP_EV_EMPTY_REQUEST_URI);
    else if (c->max_uri_len && m->uri.len > c->max_uri_len)
        ev |= SIP_EV_BIT(SIP_EV_BAD_URI);
    if (m->flags & SIP_MF_URI_LWS)
        ev |= SIP_EV_BIT(SIP_EV_REQUEST_URI_LWS);
    if (m->flags & (SIP_MF_EXTRA_SP | SIP_MF_TRAILING_SP))
        ev |= SIP_EV_BIT(SIP_EV_REQUEST_LINE_SPACES);
    const uint8_t *u = m->uri.p;
    for (uint32_t i = 0; i < m->uri.len; i++) {
        uint8_t ch = u[i];
        if (ch == '<' || ch == '>')
            ev |= SIP_EV_BIT(SIP_EV_REQUEST_URI_BRACKETS);
        else if (ev_bad_uri_char(ch))
            if (ch != ' ' && ch != '\t')
                ev |= SIP_EV_BIT(SIP_EV_BAD_REQUEST_URI_CHAR);
    }
    /* sip:/sips: URI headers ('?' after the userinfo) have no place in a Request-URI (RFC 3261 19.1.5) */
    struct sip_range s4 = {u, 4}, s5 = {u, 5};
    size_t hs = m->uri.len >= 4 && ev_range_ieq(&s4, "sip:") ? 4 : m->uri.len >= 5 && ev_range_ieq(&s5, "sips:") ? 5 : 0;
    if (hs) {
        const uint8_t *at = memchr(u + hs, '@', m->uri.len - hs);
        size_t from = at ? (size_t)(at - u) : hs;
        if (memchr(u + from, '?', m->uri.len - from))
            ev |= SIP_EV_BIT(SIP_EV_REQUEST_URI_HEADERS);
    }
    if (!ev_is_sip_version(&m->version))
        ev |= SIP_EV_BIT(SIP_EV_INVALID_VERSION);
    return ev;
}

static sip_event_set ev_status_line(const struct sip_msg *m)
{
    sip_event_set ev = 0;
    if (!ev_is_sip_version(&m->version))
        ev |= SIP_EV_BIT(SIP_EV_INVALID_VERSION);
    if ((m->flags & SIP_MF_STATUS_BAD) || m->status_code < 100)
        ev |= SIP_EV_BIT(SIP_EV_BAD_STATUS_CODE);
    else if (m->status_code > 699)
        ev |= SIP_EV_BIT(SIP_EV_STATUS_CODE_RANGE);
    return ev;
}

/* Snort: empty (here also absent, as Snort) and too long. */
static sip_event_set ev_len(const struct sip_range *v, bool present, uint64_t total, uint32_t max,
                            enum sip_event_id empty, enum sip_event_id too_long)
{
    if (!present || v->len == 0)
        return SIP_EV_BIT(empty);
    if (max && total > max)
        return SIP_EV_BIT(too_long);
    return 0;
}

sip_event_set sip_inspect_message(const struct sip_inspect *si, const struct sip_msg *m,
                                  enum sip_transport mode)
{
    const struct sip_config *c = &si->cfg;
    sip_event_set ev = 0;
    bool req = m->flags & SIP_MF_REQUEST;

    ev |= req ? ev_request_line(c, m) : ev_status_line(m);

    struct sip_range v;
    v = ev_value(m, SIP_HDR_CALL_ID);
    ev |= ev_len(&v, m->count[SIP_HDR_CALL_ID], v.len, c->max_call_id_len, SIP_EV_EMPTY_CALL_ID, SIP_EV_BAD_CALL_ID);
    v = ev_value(m, SIP_HDR_FROM);
    ev |= ev_len(&v, m->count[SIP_HDR_FROM], v.len, c->max_from_len, SIP_EV_EMPTY_FROM, SIP_EV_BAD_FROM);
    v = ev_value(m, SIP_HDR_TO);
    ev |= ev_len(&v, m->count[SIP_HDR_TO], v.len, c->max_to_len, SIP_EV_EMPTY_TO, SIP_EV_BAD_TO);
    v = ev_value(m, SIP_HDR_VIA);
    ev |= ev_len(&v, m->count[SIP_HDR_VIA], ev_total_len(m, SIP_HDR_VIA), c->max_via_len, SIP_EV_EMPTY_VIA,
                 SIP_EV_BAD_VIA);

    /* Contact: Snort flags any INVITE without one. RFC 2543 did not require
     * it (RFC 4475 3.4.1 is valid), so a missing Contact is flagged only
     * when the top Via claims RFC 3261 (branch magic cookie z9hG4bK). */
    v = ev_value(m, SIP_HDR_CONTACT);
    if (m->count[SIP_HDR_CONTACT]) {
        if (v.len == 0)
            ev |= SIP_EV_BIT(SIP_EV_EMPTY_CONTACT);
        else if (c->max_contact_len && ev_total_len(m, SIP_HDR_CONTACT) > c->max_contact_len)
            ev |= SIP_EV_BIT(SIP_EV_BAD_CONTACT);
    } else if (req && ev_range_ieq(&m->method, "INVITE")) {
        struct sip_range via = ev_value(m, SIP_HDR_VIA);
        if (via.len >= 7 && memmem(via.p, via.len, "z9hG4bK", 7))
            ev |= SIP_EV_BIT(SIP_EV_EMPTY_CONTACT);
    }

    /* CSeq */
    v = ev_value(m, SIP_HDR_CSEQ);
    if (m->count[SIP_HDR_CSEQ]) {
        uint64_t num;
        bool num_ok;
        struct sip_range meth = {NULL, 0};
        sip_cseq_split(&v, &num, &num_ok, &meth);
        if (!num_ok || num > 2147483647u) /* Snort: MAX_NUM_32BIT */
            ev |= SIP_EV_BIT(SIP_EV_BAD_CSEQ_NUM);
        if (c->max_requestName_len && meth.len > c->max_requestName_len)
            ev |= SIP_EV_BIT(SIP_EV_BAD_CSEQ_NAME);
        if (!sip_method_known(c, &meth))
            ev |= SIP_EV_BIT(SIP_EV_INVALID_CSEQ_NAME);
        else if (req && (meth.len != m->method.len || memcmp(meth.p, m->method.p, meth.len) != 0))
            ev |= SIP_EV_BIT(SIP_EV_MISMATCH_METHOD);
    }

    /* Content-Length and body */
    if (m->flags & SIP_MF_CL_BAD)
        ev |= SIP_EV_BIT(SIP_EV_BAD_CONTENT_LEN);
    else if (m->has_cl && c->max_content_len && m->content_length > c->max_content_len)
        ev |= SIP_EV_BIT(SIP_EV_BAD_CONTENT_LEN);
    if (m->flags & SIP_MF_CL_TRUNCATED)
        ev |= SIP_EV_BIT(SIP_EV_MISMATCH_CONTENT_LEN);
    if (m->flags & SIP_MF_CL_MULTI)
        ev |= SIP_EV_BIT(SIP_EV_MULTIPLE_CONTENT_LENGTH);
    bool has_body = false;
    if (m->has_cl && !(m->flags & SIP_MF_CL_BAD))
        has_body = m->content_length > 0;
    else
        for (uint32_t i = 0; i < m->body.len && !has_body; i++)
            has_body = m->body.p[i] != '\r' && m->body.p[i] != '\n';
    if (has_body && ev_value(m, SIP_HDR_CONTENT_TYPE).len == 0)
        ev |= SIP_EV_BIT(SIP_EV_MISSING_CONTENT_TYPE);

    /* single-valued headers (RFC 3261 7.3.1) and mandatory ones (8.1.1; Max-Forwards
     * is not required because RFC 2543 requests lack it, RFC 4475 3.4.1) */
    static const enum sip_hdr_id single[] = {SIP_HDR_CALL_ID, SIP_HDR_CSEQ, SIP_HDR_FROM, SIP_HDR_TO,
                                             SIP_HDR_MAX_FORWARDS, SIP_HDR_CONTENT_LENGTH};
    for (size_t i = 0; i < TG_ARRAY_LEN(single); i++)
        if (m->count[single[i]] > 1)
            ev |= SIP_EV_BIT(SIP_EV_DUPLICATE_HEADER);
    static const enum sip_hdr_id mandatory[] = {SIP_HDR_TO, SIP_HDR_FROM, SIP_HDR_CSEQ, SIP_HDR_CALL_ID, SIP_HDR_VIA};
    for (size_t i = 0; i < TG_ARRAY_LEN(mandatory); i++)
        if (m->count[mandatory[i]] == 0)
            ev |= SIP_EV_BIT(SIP_EV_MISSING_HEADER);

    /* scalars (RFC 4475 3.1.2.4, 3.1.2.5) */
    uint64_t x;
    size_t nd;
    if (m->count[SIP_HDR_MAX_FORWARDS]) {
        v = ev_value(m, SIP_HDR_MAX_FORWARDS);
        if (!ev_all_digits(&v) || !ev_leading_number(&v, &x, &nd) || x > 255)
            ev |= SIP_EV_BIT(SIP_EV_BAD_MAX_FORWARDS);
    }
    /* Expires may be an RFC 2543 HTTP-date: only a pure number is judged */
    v = ev_value(m, SIP_HDR_EXPIRES);
    if (ev_all_digits(&v) && ev_leading_number(&v, &x, &nd) && (x > UINT32_MAX || nd > 10))
        ev |= SIP_EV_BIT(SIP_EV_BAD_EXPIRES);
    v = ev_value(m, SIP_HDR_RETRY_AFTER);
    if (ev_leading_number(&v, &x, &nd) && (x > UINT32_MAX || nd > 10))
        ev |= SIP_EV_BIT(SIP_EV_BAD_RETRY_AFTER);
    v = ev_value(m, SIP_HDR_DATE);
    if (v.len && (v.len < 3 || memcmp(v.p + v.len - 3, "GMT", 3) != 0))
        ev |= SIP_EV_BIT(SIP_EV_BAD_DATE);

    /* per header: names, quotes, address syntax, injection */
    pcre2_match_data *md = NULL;
    for (uint32_t i = 0; i < m->n_hdrs; i++) {
        const struct sip_header *h = &m->hdrs[i];
        if (h->flags & SIP_HF_NO_COLON)
            ev |= SIP_EV_BIT(SIP_EV_MALFORMED_HEADER_LINE);
        else if (h->flags & SIP_HF_BAD_NAME)
            ev |= SIP_EV_BIT(SIP_EV_BAD_HEADER_NAME);
        enum ev_hclass hc = ev_header_class(h->id);
        if (hc != EV_HC_NONE)
            ev |= ev_header_cached(si, hc, &h->value, &md);
    }
    pcre2_match_data_free(md);

    if (m->flags & SIP_MF_NUL_IN_HEAD)
        ev |= SIP_EV_BIT(SIP_EV_NUL_BYTE);
    if (m->junk)
        ev |= SIP_EV_BIT(SIP_EV_JUNK_BEFORE_MESSAGE);
    if (m->flags & SIP_MF_HDR_CAP)
        ev |= SIP_EV_BIT(SIP_EV_HEADER_CAP);
    if ((m->flags & SIP_MF_NO_HDR_END) && mode == SIP_DATAGRAM)
        ev |= SIP_EV_BIT(SIP_EV_HEADERS_UNTERMINATED);
    if (c->osip_check && ev_osip_fails(m))
        ev |= SIP_EV_BIT(SIP_EV_OSIP_PARSE_FAILED);
    return ev;
}

int sip_inspect_datagram(const struct sip_inspect *si, const uint8_t *data, size_t len,
                         struct sip_header *hdrs, uint32_t cap, sip_datagram_fn fn, void *arg)
{
    struct sip_msg m;
    size_t off = 0;
    int n = 0;
    sip_msg_init(&m, hdrs, cap);
    while (off < len) {
        int64_t r = sip_parse_message(data + off, len - off, SIP_DATAGRAM, &m);
        if (r <= 0)
            break; /* only CRLF keepalives or junk left */
        off += (size_t)r;
        sip_event_set ev = sip_inspect_message(si, &m, SIP_DATAGRAM);
        size_t rest = off;
        while (rest < len && (data[rest] == '\r' || data[rest] == '\n'))
            rest++;
        bool more = false;
        if (rest < len) {
            /* Snort: the bytes after Content-Length are another message, or junk */
            if (sip_is_start_line(data + rest, len - rest)) {
                ev |= SIP_EV_BIT(SIP_EV_MULTI_MSGS);
                more = true;
            } else {
                ev |= SIP_EV_BIT(SIP_EV_MISMATCH_CONTENT_LEN);
            }
        }
        n++;
        fn(&m, ev, arg);
        if (!more)
            break;
    }
    return n;
}
