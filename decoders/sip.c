/* sip.c - zero-copy SIP tokenizer (start line, headers, body) and lazy libosip2 value parsers.
 *
 * The tokenizer never copies and never normalises: a header is the byte
 * ranges of its name and value as sent, folded lines included, so rules and
 * anomaly checks see exactly what the peer sent. Framing follows RFC 3261
 * 18.3: on streams Content-Length frames the body (absent means 0); in a
 * datagram the body is at most what is left of it, and without
 * Content-Length it is the rest of the datagram.
 *
 * libosip2 is the reference grammar for values (name-addr, Via, CSeq,
 * digest credentials) and for "can this message be parsed at all". It is
 * called only when someone asks for a field, never per header. */
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_port.h>
#include "sip.h"

/* ---- character classes (RFC 3261 25.1) ---- */

/* RFC 3261 token characters: alphanumerics and -.!%*_+`'~ (a table: the
 * tokenizer asks for every byte of every header name). */
#define SIP_T8(x) x, x, x, x, x, x, x, x
static const bool sip_token_tab[256] = {
    SIP_T8(0), SIP_T8(0), SIP_T8(0), SIP_T8(0),                 /* 0x00-0x1f */
    0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 1, 1, 0,             /* SP ! " # $ % & ' ( ) * + , - . / */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,             /* 0-9 : ; < = > ? */
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,             /* @ A-O */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1,             /* P-Z [ \ ] ^ _ */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,             /* ` a-o */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0,             /* p-z { | } ~ DEL */
};
#undef SIP_T8

static bool sip_is_token_char(uint8_t c) { return sip_token_tab[c]; }

static bool sip_is_ws(uint8_t c) { return c == ' ' || c == '\t'; }

static uint8_t sip_lower(uint8_t c) { return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c; }

static bool sip_ieq(const uint8_t *a, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    if (n != l)
        return false;
    for (size_t i = 0; i < n; i++)
        if (sip_lower(a[i]) != sip_lower((uint8_t)lit[i]))
            return false;
    return true;
}

/* ---- header names ---- */

struct sip_hdr_name {
    const char *name;
    char compact; /* 0 when none (RFC 3261 7.3.3 and later IANA compact forms) */
};

static const struct sip_hdr_name sip_hdr_names[SIP_HDR_MAX] = {
    [SIP_HDR_OTHER] = {"", 0},
    [SIP_HDR_VIA] = {"Via", 'v'},
    [SIP_HDR_FROM] = {"From", 'f'},
    [SIP_HDR_TO] = {"To", 't'},
    [SIP_HDR_CALL_ID] = {"Call-ID", 'i'},
    [SIP_HDR_CSEQ] = {"CSeq", 0},
    [SIP_HDR_CONTACT] = {"Contact", 'm'},
    [SIP_HDR_CONTENT_TYPE] = {"Content-Type", 'c'},
    [SIP_HDR_CONTENT_LENGTH] = {"Content-Length", 'l'},
    [SIP_HDR_CONTENT_ENCODING] = {"Content-Encoding", 'e'},
    [SIP_HDR_MAX_FORWARDS] = {"Max-Forwards", 0},
    [SIP_HDR_USER_AGENT] = {"User-Agent", 0},
    [SIP_HDR_SERVER] = {"Server", 0},
    [SIP_HDR_EXPIRES] = {"Expires", 0},
    [SIP_HDR_RETRY_AFTER] = {"Retry-After", 0},
    [SIP_HDR_AUTHORIZATION] = {"Authorization", 0},
    [SIP_HDR_PROXY_AUTHORIZATION] = {"Proxy-Authorization", 0},
    [SIP_HDR_WWW_AUTHENTICATE] = {"WWW-Authenticate", 0},
    [SIP_HDR_PROXY_AUTHENTICATE] = {"Proxy-Authenticate", 0},
    [SIP_HDR_ROUTE] = {"Route", 0},
    [SIP_HDR_RECORD_ROUTE] = {"Record-Route", 0},
    [SIP_HDR_SUBJECT] = {"Subject", 's'},
    [SIP_HDR_SUPPORTED] = {"Supported", 'k'},
    [SIP_HDR_REQUIRE] = {"Require", 0},
    [SIP_HDR_PROXY_REQUIRE] = {"Proxy-Require", 0},
    [SIP_HDR_ALLOW] = {"Allow", 0},
    [SIP_HDR_ACCEPT] = {"Accept", 0},
    [SIP_HDR_DATE] = {"Date", 0},
    [SIP_HDR_EVENT] = {"Event", 'o'},
    [SIP_HDR_ALLOW_EVENTS] = {"Allow-Events", 'u'},
    [SIP_HDR_REFER_TO] = {"Refer-To", 'r'},
    [SIP_HDR_REFERRED_BY] = {"Referred-By", 'b'},
    [SIP_HDR_SESSION_EXPIRES] = {"Session-Expires", 'x'},
    [SIP_HDR_IDENTITY] = {"Identity", 'y'},
    [SIP_HDR_IDENTITY_INFO] = {"Identity-Info", 'n'},
    [SIP_HDR_ACCEPT_CONTACT] = {"Accept-Contact", 'a'},
    [SIP_HDR_REJECT_CONTACT] = {"Reject-Contact", 'j'},
    [SIP_HDR_REQUEST_DISPOSITION] = {"Request-Disposition", 'd'},
    [SIP_HDR_REASON] = {"Reason", 0},
    [SIP_HDR_WARNING] = {"Warning", 0},
    [SIP_HDR_P_ASSERTED_IDENTITY] = {"P-Asserted-Identity", 0},
};

/* Length of each long name (sip_hdr_names[id].name), so the lookup that
 * runs for every header line compares bytes only when the lengths match. */
static const uint8_t sip_hdr_name_len[SIP_HDR_MAX] = {
#define SIP_HL(id, lit) [id] = sizeof(lit) - 1
    SIP_HL(SIP_HDR_VIA, "Via"), SIP_HL(SIP_HDR_FROM, "From"), SIP_HL(SIP_HDR_TO, "To"),
    SIP_HL(SIP_HDR_CALL_ID, "Call-ID"), SIP_HL(SIP_HDR_CSEQ, "CSeq"), SIP_HL(SIP_HDR_CONTACT, "Contact"),
    SIP_HL(SIP_HDR_CONTENT_TYPE, "Content-Type"), SIP_HL(SIP_HDR_CONTENT_LENGTH, "Content-Length"),
    SIP_HL(SIP_HDR_CONTENT_ENCODING, "Content-Encoding"), SIP_HL(SIP_HDR_MAX_FORWARDS, "Max-Forwards"),
    SIP_HL(SIP_HDR_USER_AGENT, "User-Agent"), SIP_HL(SIP_HDR_SERVER, "Server"),
    SIP_HL(SIP_HDR_EXPIRES, "Expires"), SIP_HL(SIP_HDR_RETRY_AFTER, "Retry-After"),
    SIP_HL(SIP_HDR_AUTHORIZATION, "Authorization"), SIP_HL(SIP_HDR_PROXY_AUTHORIZATION, "Proxy-Authorization"),
    SIP_HL(SIP_HDR_WWW_AUTHENTICATE, "WWW-Authenticate"),
    SIP_HL(SIP_HDR_PROXY_AUTHENTICATE, "Proxy-Authenticate"), SIP_HL(SIP_HDR_ROUTE, "Route"),
    SIP_HL(SIP_HDR_RECORD_ROUTE, "Record-Route"), SIP_HL(SIP_HDR_SUBJECT, "Subject"),
    SIP_HL(SIP_HDR_SUPPORTED, "Supported"), SIP_HL(SIP_HDR_REQUIRE, "Require"),
    SIP_HL(SIP_HDR_PROXY_REQUIRE, "Proxy-Require"), SIP_HL(SIP_HDR_ALLOW, "Allow"),
    SIP_HL(SIP_HDR_ACCEPT, "Accept"), SIP_HL(SIP_HDR_DATE, "Date"), SIP_HL(SIP_HDR_EVENT, "Event"),
    SIP_HL(SIP_HDR_ALLOW_EVENTS, "Allow-Events"), SIP_HL(SIP_HDR_REFER_TO, "Refer-To"),
    SIP_HL(SIP_HDR_REFERRED_BY, "Referred-By"), SIP_HL(SIP_HDR_SESSION_EXPIRES, "Session-Expires"),
    SIP_HL(SIP_HDR_IDENTITY, "Identity"), SIP_HL(SIP_HDR_IDENTITY_INFO, "Identity-Info"),
    SIP_HL(SIP_HDR_ACCEPT_CONTACT, "Accept-Contact"), SIP_HL(SIP_HDR_REJECT_CONTACT, "Reject-Contact"),
    SIP_HL(SIP_HDR_REQUEST_DISPOSITION, "Request-Disposition"), SIP_HL(SIP_HDR_REASON, "Reason"),
    SIP_HL(SIP_HDR_WARNING, "Warning"), SIP_HL(SIP_HDR_P_ASSERTED_IDENTITY, "P-Asserted-Identity"),
#undef SIP_HL
};

enum sip_hdr_id sip_header_lookup(const uint8_t *name, size_t len)
{
    if (len == 1) {
        uint8_t c = sip_lower(name[0]);
        for (int id = 1; id < SIP_HDR_MAX; id++)
            if (sip_hdr_names[id].compact == (char)c)
                return (enum sip_hdr_id)id;
        return SIP_HDR_OTHER;
    }
    if (len == 0 || len > UINT8_MAX)
        return SIP_HDR_OTHER;
    uint8_t c0 = sip_lower(name[0]);
    for (int id = 1; id < SIP_HDR_MAX; id++) {
        if (sip_hdr_name_len[id] != len || sip_lower((uint8_t)sip_hdr_names[id].name[0]) != c0)
            continue;
        size_t i = 1;
        while (i < len && sip_lower(name[i]) == sip_lower((uint8_t)sip_hdr_names[id].name[i]))
            i++;
        if (i == len)
            return (enum sip_hdr_id)id;
    }
    return SIP_HDR_OTHER;
}

const char *sip_header_name(enum sip_hdr_id id)
{
    return (unsigned)id < SIP_HDR_MAX ? sip_hdr_names[id].name : "";
}

const struct sip_header *sip_msg_header(const struct sip_msg *msg, enum sip_hdr_id id)
{
    if ((unsigned)id >= SIP_HDR_MAX || msg->first[id] < 0)
        return NULL;
    return &msg->hdrs[msg->first[id]];
}

const struct sip_header *sip_msg_find_header(const struct sip_msg *msg, const char *name, size_t len)
{
    enum sip_hdr_id id = sip_header_lookup((const uint8_t *)name, len);
    if (id != SIP_HDR_OTHER)
        return sip_msg_header(msg, id);
    for (uint32_t i = 0; i < msg->n_hdrs; i++) {
        const struct sip_header *h = &msg->hdrs[i];
        if (h->id != SIP_HDR_OTHER || h->name.len != len)
            continue;
        size_t k = 0;
        while (k < len && sip_lower(h->name.p[k]) == sip_lower((uint8_t)name[k]))
            k++;
        if (k == len)
            return h;
    }
    return NULL;
}

const struct sip_header *sip_msg_header_next(const struct sip_msg *msg, const struct sip_header *h)
{
    if (!h || h < msg->hdrs || h >= msg->hdrs + msg->n_hdrs)
        return NULL;
    for (const struct sip_header *n = h + 1; n < msg->hdrs + msg->n_hdrs; n++)
        if (n->id == h->id)
            return n;
    return NULL;
}

void sip_msg_init(struct sip_msg *msg, struct sip_header *hdrs, uint32_t cap)
{
    memset(msg, 0, sizeof *msg);
    msg->hdrs = hdrs;
    msg->hdr_cap = cap;
    for (int i = 0; i < SIP_HDR_MAX; i++)
        msg->first[i] = -1;
}

/* ---- lines ---- */

/* Index of the LF ending the line that starts at pos, or len when the
 * buffer ends first. */
static size_t sip_line_lf(const uint8_t *b, size_t len, size_t pos)
{
    const uint8_t *lf = pos < len ? memchr(b + pos, '\n', len - pos) : NULL;
    return lf ? (size_t)(lf - b) : len;
}

/* End of the line's content (before CR LF or LF) given the LF index. */
static size_t sip_line_content_end(const uint8_t *b, size_t pos, size_t lf)
{
    return (lf > pos && b[lf - 1] == '\r') ? lf - 1 : lf;
}

static size_t sip_skip_crlf(const uint8_t *b, size_t len)
{
    size_t i = 0;
    while (i < len && (b[i] == '\r' || b[i] == '\n'))
        i++;
    return i;
}

/* "SIP/" 1*DIGIT "." 1*DIGIT at b[0..n); returns the bytes matched or 0. */
static size_t sip_version_len(const uint8_t *b, size_t n)
{
    if (n < 7 || !sip_ieq(b, 4, "SIP/"))
        return 0;
    size_t i = 4, d = 0;
    while (i < n && b[i] >= '0' && b[i] <= '9')
        i++, d++;
    if (!d || i >= n || b[i] != '.')
        return 0;
    i++;
    d = 0;
    while (i < n && b[i] >= '0' && b[i] <= '9')
        i++, d++;
    return d ? i : 0;
}

/* Start line test on one line's content [b, b+n). */
static bool sip_is_start_content(const uint8_t *b, size_t n)
{
    size_t v = sip_version_len(b, n);
    if (v)
        return v < n && b[v] == ' ';
    /* the method is judged later (sip.unknown_method); here any visible bytes */
    size_t m = 0;
    while (m < n && b[m] > 0x20 && b[m] < 0x7f)
        m++;
    if (m == 0 || m >= n || b[m] != ' ')
        return false;
    size_t e = n;
    while (e > m && sip_is_ws(b[e - 1]))
        e--;
    size_t s = e;
    while (s > m && b[s - 1] != ' ')
        s--;
    return s > m && sip_version_len(b + s, e - s) == e - s;
}

bool sip_is_start_line(const uint8_t *buf, size_t len)
{
    size_t lf = sip_line_lf(buf, len, 0);
    if (lf >= len)
        return false;
    return sip_is_start_content(buf, sip_line_content_end(buf, 0, lf));
}

/* ---- framing ---- */

/* Offset just after the empty line ending the head that starts at 0, or 0
 * when the buffer ends first. */
static size_t sip_head_end(const uint8_t *b, size_t len)
{
    size_t pos = 0;
    while (pos < len) {
        size_t lf = sip_line_lf(b, len, pos);
        if (lf >= len)
            return 0;
        if (pos > 0 && sip_line_content_end(b, pos, lf) == pos)
            return lf + 1;
        pos = lf + 1;
    }
    return 0;
}

/* Parse 1*DIGIT with surrounding white space; false on anything else. */
static bool sip_parse_digits(const uint8_t *p, size_t n, uint64_t *out)
{
    size_t i = 0;
    while (i < n && sip_is_ws(p[i]))
        i++;
    uint64_t v = 0;
    size_t d = 0;
    for (; i < n && p[i] >= '0' && p[i] <= '9'; i++, d++)
        v = v > (UINT64_MAX - 9) / 10 ? UINT64_MAX : v * 10 + (uint64_t)(p[i] - '0');
    while (i < n && sip_is_ws(p[i]))
        i++;
    *out = v;
    return d > 0 && i == n;
}

/* First Content-Length in the head [0, hend): 1 found and valid, 0 absent,
 * -1 present but not a number. Folded values are not followed here (the
 * tokenizer sees them; a folded Content-Length frames as absent). */
static int sip_scan_cl(const uint8_t *b, size_t hend, uint64_t *cl)
{
    size_t pos = sip_line_lf(b, hend, 0) + 1;
    while (pos < hend) {
        size_t lf = sip_line_lf(b, hend, pos);
        size_t ce = sip_line_content_end(b, pos, lf);
        if (ce > pos && !sip_is_ws(b[pos])) {
            const uint8_t *colon = memchr(b + pos, ':', ce - pos);
            if (colon) {
                size_t ne = (size_t)(colon - b);
                while (ne > pos && sip_is_ws(b[ne - 1]))
                    ne--;
                if (sip_header_lookup(b + pos, ne - pos) == SIP_HDR_CONTENT_LENGTH) {
                    size_t vs = (size_t)(colon - b) + 1;
                    return sip_parse_digits(b + vs, ce - vs, cl) ? 1 : -1;
                }
            }
        }
        pos = lf + 1;
    }
    return 0;
}

int64_t sip_message_end(const uint8_t *buf, size_t len, enum sip_transport mode)
{
    size_t s = sip_skip_crlf(buf, len);
    const uint8_t *b = buf + s;
    size_t n = len - s;
    size_t hend = sip_head_end(b, n);
    if (!hend)
        return mode == SIP_STREAM ? TG_AGAIN : (int64_t)len;
    uint64_t cl = 0;
    int r = sip_scan_cl(b, hend, &cl);
    if (mode == SIP_STREAM) {
        if (r <= 0)
            cl = 0;
        if (cl > n - hend)
            return TG_AGAIN;
        return (int64_t)(s + hend + cl);
    }
    if (r <= 0 || cl > n - hend)
        return (int64_t)len;
    return (int64_t)(s + hend + cl);
}

/* ---- tokenizer ---- */

static void sip_parse_start_line(struct sip_msg *m, const uint8_t *b, size_t n)
{
    m->start_line = (struct sip_range){b, (uint32_t)n};
    size_t v = sip_version_len(b, n);
    if (v && v < n && b[v] == ' ') {
        m->flags |= SIP_MF_RESPONSE;
        m->version = (struct sip_range){b, (uint32_t)v};
        size_t i = v;
        while (i < n && b[i] == ' ')
            i++;
        size_t cs = i;
        while (i < n && b[i] != ' ')
            i++;
        m->status = (struct sip_range){b + cs, (uint32_t)(i - cs)};
        uint64_t code = 0;
        bool digits = m->status.len > 0;
        for (size_t k = cs; k < i; k++) {
            if (b[k] < '0' || b[k] > '9') {
                digits = false;
                break;
            }
            code = code > (UINT32_MAX - 9) / 10 ? UINT32_MAX : code * 10 + (uint64_t)(b[k] - '0');
        }
        m->status_code = digits ? (uint32_t)code : 0;
        if (!digits || m->status.len != 3)
            m->flags |= SIP_MF_STATUS_BAD;
        if (i < n)
            i++;
        m->reason = (struct sip_range){b + i, (uint32_t)(n - i)};
        return;
    }
    m->flags |= SIP_MF_REQUEST;
    size_t sp = 0;
    while (sp < n && b[sp] != ' ')
        sp++;
    m->method = (struct sip_range){b, (uint32_t)sp};
    size_t e = n;
    while (e > sp && sip_is_ws(b[e - 1]))
        e--;
    if (e < n)
        m->flags |= SIP_MF_TRAILING_SP;
    size_t vs = e;
    while (vs > sp && b[vs - 1] != ' ')
        vs--;
    m->version = (struct sip_range){b + vs, (uint32_t)(e - vs)};
    size_t us = sp + 1, ue = vs > 0 ? vs - 1 : 0;
    if (us > ue) { /* "METHOD SIP/2.0": no URI at all */
        m->uri = (struct sip_range){b + TG_MIN(us, n), 0};
        return;
    }
    if (us < ue && b[us] == ' ')
        m->flags |= SIP_MF_EXTRA_SP;
    if (ue > us && b[ue - 1] == ' ')
        m->flags |= SIP_MF_EXTRA_SP;
    while (us < ue && b[us] == ' ')
        us++;
    while (ue > us && b[ue - 1] == ' ')
        ue--;
    m->uri = (struct sip_range){b + us, (uint32_t)(ue - us)};
    for (size_t k = us; k < ue; k++)
        if (sip_is_ws(b[k]))
            m->flags |= SIP_MF_URI_LWS;
}

static void sip_add_header(struct sip_msg *m, const uint8_t *b, size_t ls, size_t ce, int32_t *cur)
{
    struct sip_header h = {0};
    const uint8_t *colon = memchr(b + ls, ':', ce - ls);
    size_t ne = colon ? (size_t)(colon - b) : ce;
    size_t nt = ne;
    while (nt > ls && sip_is_ws(b[nt - 1]))
        nt--;
    if (nt != ne)
        h.flags |= SIP_HF_WS_NAME;
    h.name = (struct sip_range){b + ls, (uint32_t)(nt - ls)};
    if (nt == ls)
        h.flags |= SIP_HF_BAD_NAME;
    for (size_t k = ls; k < nt; k++)
        if (!sip_is_token_char(b[k])) {
            h.flags |= SIP_HF_BAD_NAME;
            break;
        }
    size_t vs = colon ? ne + 1 : ce, ve = ce;
    if (!colon)
        h.flags |= SIP_HF_NO_COLON;
    while (vs < ve && sip_is_ws(b[vs]))
        vs++;
    while (ve > vs && sip_is_ws(b[ve - 1]))
        ve--;
    h.value = (struct sip_range){b + vs, (uint32_t)(ve - vs)};
    h.line = (struct sip_range){b + ls, (uint32_t)(ce - ls)};
    h.id = (h.flags & (SIP_HF_BAD_NAME | SIP_HF_NO_COLON)) ? SIP_HDR_OTHER
         : (uint16_t)sip_header_lookup(h.name.p, h.name.len);
    m->n_hdr_lines++;
    if (m->count[h.id] < UINT16_MAX)
        m->count[h.id]++;
    if (m->n_hdrs >= m->hdr_cap) {
        m->flags |= SIP_MF_HDR_CAP;
        *cur = -1;
        return;
    }
    if (m->first[h.id] < 0)
        m->first[h.id] = (int32_t)m->n_hdrs;
    *cur = (int32_t)m->n_hdrs;
    m->hdrs[m->n_hdrs++] = h;
}

/* A fold: extend the current header to the end of this line. */
static void sip_fold_header(struct sip_msg *m, const uint8_t *b, size_t ls, size_t ce, int32_t cur)
{
    if (cur < 0)
        return;
    struct sip_header *h = &m->hdrs[cur];
    size_t ve = ce;
    while (ve > ls && sip_is_ws(b[ve - 1]))
        ve--;
    h->line.len = (uint32_t)(ce - (size_t)(h->line.p - b));
    if (ve == ls)
        return; /* an all-white line adds nothing to the value */
    h->flags |= SIP_HF_FOLDED;
    if (h->value.len == 0) {
        size_t vs = ls;
        while (vs < ve && sip_is_ws(b[vs]))
            vs++;
        h->value.p = b + vs;
        h->value.len = (uint32_t)(ve - vs);
    } else {
        h->value.len = (uint32_t)(ve - (size_t)(h->value.p - b));
    }
}

/* NUL bytes in the head other than inside a quoted-pair (RFC 3261 25.1
 * allows "\" %x00 in quoted strings, see RFC 4475 3.1.1.2). */
static bool sip_head_has_nul(const uint8_t *b, size_t n)
{
    /* the loop below can only answer true at a NUL byte: most heads have
     * none, and memchr finds that out far faster than the byte loop */
    if (!memchr(b, 0, n))
        return false;
    bool q = false;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = b[i];
        if (c == '\n') {
            q = false; /* quotes do not cross header lines in practice */
        } else if (q && c == '\\' && i + 1 < n) {
            i++;
        } else if (c == '"') {
            q = !q;
        } else if (c == 0) {
            return true;
        }
    }
    return false;
}

int64_t sip_parse_message(const uint8_t *buf, size_t len, enum sip_transport mode, struct sip_msg *m)
{
    struct sip_header *hdrs = m->hdrs;
    uint32_t cap = m->hdr_cap;
    sip_msg_init(m, hdrs, cap);

    size_t start = sip_skip_crlf(buf, len), junk = 0;
    /* Find the start line: normally right here; else skip junk line by line. */
    for (size_t pos = start;;) {
        size_t lf = sip_line_lf(buf, len, pos);
        if (lf >= len) {
            if (mode == SIP_STREAM && pos == start && len - pos < 4096) {
                m->skipped = (uint32_t)start;
                return start == len ? TG_DECLINED : TG_AGAIN;
            }
            m->skipped = (uint32_t)(mode == SIP_STREAM && pos > start ? pos : len);
            return TG_DECLINED;
        }
        if (sip_is_start_content(buf + pos, sip_line_content_end(buf, pos, lf) - pos)) {
            junk = pos - start;
            start = pos;
            break;
        }
        pos = lf + 1;
    }
    /* junk counts only non-CRLF bytes skipped before the start line */
    m->junk = (uint32_t)junk;
    m->skipped = (uint32_t)start;

    /* Where the message ends. On a stream that is sip_message_end's
     * answer, needed first (an incomplete message is left alone). In a
     * datagram the head is tokenized over the rest of the buffer in the
     * same pass that finds its end and its first Content-Length line, and
     * the end follows from those as sip_message_end would compute it: the
     * head lies before any end it can give, so its tokens are the same,
     * and the first Content-Length line is the same line sip_scan_cl
     * finds (a name that looks up as Content-Length is a token with a
     * colon after it, and lines starting with white space are neither). */
    const uint8_t *b = buf + start;
    size_t n = len - start;
    if (mode == SIP_STREAM) {
        int64_t end = sip_message_end(b, n, mode);
        if (end == TG_AGAIN)
            return TG_AGAIN;
        n = (size_t)end;
    }
    m->buf = b;

    size_t lf = sip_line_lf(b, n, 0);
    size_t ce = sip_line_content_end(b, 0, lf);
    if (lf < n && ce == lf)
        m->flags |= SIP_MF_BARE_LF;
    sip_parse_start_line(m, b, ce);

    size_t pos = lf < n ? lf + 1 : n, hend = 0;
    int32_t cur = -1;
    int cl_first = 0; /* sip_scan_cl's answer: 1 valid, 0 absent, -1 not a number */
    uint64_t cl_value = 0;
    while (pos < n) {
        lf = sip_line_lf(b, n, pos);
        ce = sip_line_content_end(b, pos, lf);
        if (lf < n && ce == lf)
            m->flags |= SIP_MF_BARE_LF;
        if (ce == pos && lf < n) { /* the empty line */
            hend = lf + 1;
            break;
        }
        if (sip_is_ws(b[pos]) && m->n_hdr_lines > 0) {
            sip_fold_header(m, b, pos, ce, cur);
        } else {
            bool had_cl = m->count[SIP_HDR_CONTENT_LENGTH] > 0;
            sip_add_header(m, b, pos, ce, &cur);
            if (!had_cl && m->count[SIP_HDR_CONTENT_LENGTH] > 0) {
                /* the value on this line alone, as sip_scan_cl reads it */
                size_t vs = (size_t)((const uint8_t *)memchr(b + pos, ':', ce - pos) - b) + 1;
                cl_first = sip_parse_digits(b + vs, ce - vs, &cl_value) ? 1 : -1;
            }
        }
        pos = lf < n ? lf + 1 : n;
    }
    if (mode == SIP_DATAGRAM && hend && cl_first > 0 && cl_value <= n - hend)
        n = hend + (size_t)cl_value; /* else the datagram's rest is the message */
    m->len = (uint32_t)n;
    if (!hend) {
        m->flags |= SIP_MF_NO_HDR_END;
        hend = n;
    }
    m->head = (struct sip_range){b, (uint32_t)hend};
    if (sip_head_has_nul(b, hend))
        m->flags |= SIP_MF_NUL_IN_HEAD;

    if (m->count[SIP_HDR_CONTENT_LENGTH] > 1)
        m->flags |= SIP_MF_CL_MULTI;
    const struct sip_header *cl = sip_msg_header(m, SIP_HDR_CONTENT_LENGTH);
    if (cl) {
        m->has_cl = true;
        if (!sip_parse_digits(cl->value.p, cl->value.len, &m->content_length))
            m->flags |= SIP_MF_CL_BAD;
    } else if (m->count[SIP_HDR_CONTENT_LENGTH]) {
        m->has_cl = true; /* beyond the header cap: framing used sip_scan_cl */
        if (sip_scan_cl(b, hend, &m->content_length) < 0)
            m->flags |= SIP_MF_CL_BAD;
    }
    m->body = (struct sip_range){b + hend, (uint32_t)(n - hend)};
    if (mode == SIP_DATAGRAM && m->has_cl && !(m->flags & SIP_MF_CL_BAD) &&
        m->content_length > n - hend)
        m->flags |= SIP_MF_CL_TRUNCATED;
    return (int64_t)(start + n);
}

size_t sip_header_unfold(const struct sip_header *h, char *dst, size_t cap)
{
    if (cap == 0)
        return 0;
    size_t o = 0;
    const uint8_t *p = h->value.p;
    /* most values have no line end inside: then the copy is the value */
    if (!p || h->value.len == 0 || (!memchr(p, '\r', h->value.len) && !memchr(p, '\n', h->value.len))) {
        o = p ? TG_MIN((size_t)h->value.len, cap - 1) : 0;
        if (o)
            memcpy(dst, p, o);
        dst[o] = 0;
        return o;
    }
    for (uint32_t i = 0; i < h->value.len && o + 1 < cap; i++) {
        uint8_t c = p[i];
        if (c == '\r' || c == '\n') {
            while (i + 1 < h->value.len && (p[i + 1] == '\r' || p[i + 1] == '\n' || sip_is_ws(p[i + 1])))
                i++;
            /* the fold and the white space either side become one SP */
            while (o > 0 && sip_is_ws((uint8_t)dst[o - 1]))
                o--;
            dst[o++] = ' ';
            continue;
        }
        dst[o++] = (char)c;
    }
    dst[o] = 0;
    return o;
}

int sip_cseq_split(const struct sip_range *v, uint64_t *num, bool *num_ok, struct sip_range *method)
{
    size_t i = 0, n = v->len;
    const uint8_t *p = v->p ? v->p : (const uint8_t *)"";
    uint64_t x = 0;
    size_t d = 0;
    for (; i < n && p[i] >= '0' && p[i] <= '9'; i++, d++)
        x = x > (UINT64_MAX - 9) / 10 ? UINT64_MAX : x * 10 + (uint64_t)(p[i] - '0');
    *num = x;
    *num_ok = d > 0 && (i == n || sip_is_ws(p[i]) || p[i] == '\r' || p[i] == '\n');
    while (i < n && (sip_is_ws(p[i]) || p[i] == '\r' || p[i] == '\n'))
        i++;
    size_t ms = i;
    while (i < n && !sip_is_ws(p[i]) && p[i] != '\r' && p[i] != '\n')
        i++;
    *method = (struct sip_range){p + ms, (uint32_t)(i - ms)};
    return d > 0 && i > ms ? TG_OK : TG_ERROR;
}

/* ---- libosip2 ---- */

static pthread_once_t sip_osip_once = PTHREAD_ONCE_INIT;

/* libosip2 keeps its header-name -> parser table in a process-wide static
 * that parser_init() fills (and a second call would race with readers), and
 * its trace output goes to stderr by default. Both are process state, so
 * they are set up exactly once here, whichever thread asks first. */
static void sip_osip_trace_silent(const char *fi, int li, osip_trace_level_t level, const char *chfr, va_list ap)
{
    TG_UNUSED(fi);
    TG_UNUSED(li);
    TG_UNUSED(level);
    TG_UNUSED(chfr);
    TG_UNUSED(ap);
}

/* ---- a per-thread bump arena for libosip2's allocations ----
 *
 * Every libosip2 call here builds a tree of small objects and frees all of
 * it before returning; malloc and free of those pieces were a third of
 * libosip2's cost. Inside a scope (sip_osip_scope_begin/end) allocations
 * come from this thread's arena and free is a no-op for them; the scope's
 * end makes the whole arena free again. Outside a scope, or when the arena
 * is full, allocations go to malloc, and free tells the two apart by
 * address, so a pointer from either may be freed anywhere. Sanitizer builds
 * keep plain malloc so that ASan and LeakSanitizer still see libosip2's
 * own allocations (the fuzz targets found a libosip2 leak that way). */
#if defined(__SANITIZE_ADDRESS__)
#define SIP_ARENA_ENABLED 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define SIP_ARENA_ENABLED 0
#endif
#endif
#ifndef SIP_ARENA_ENABLED
#define SIP_ARENA_ENABLED 1
#endif

#define SIP_ARENA_SIZE (256u * 1024u) /* a 64 KB message parses in well under this */
#define SIP_ARENA_ALIGN 16u           /* what malloc guarantees */

struct sip_arena {
    uint8_t *base;
    size_t used;
    unsigned depth; /* open scopes */
    bool spilled;   /* an allocation of the open scope went to malloc */
};
static _Thread_local struct sip_arena sip_arena;
static pthread_key_t sip_arena_key; /* frees a thread's arena when it exits */

static void sip_arena_destroy(void *base)
{
    free(base);
}

static bool sip_arena_owns(const void *p)
{
    const uint8_t *b = sip_arena.base;
    return b && (const uint8_t *)p >= b && (const uint8_t *)p < b + SIP_ARENA_SIZE;
}

/* Size of an arena block, kept in the SIP_ARENA_ALIGN bytes before it. */
static size_t sip_arena_block_size(const void *p)
{
    size_t n;
    memcpy(&n, (const uint8_t *)p - SIP_ARENA_ALIGN, sizeof n);
    return n;
}

static void *sip_osip_malloc(size_t n)
{
    struct sip_arena *a = &sip_arena;
    if (a->depth && a->base) {
        size_t need = SIP_ARENA_ALIGN + ((n + SIP_ARENA_ALIGN - 1) & ~(size_t)(SIP_ARENA_ALIGN - 1));
        if (n <= SIP_ARENA_SIZE && need <= SIP_ARENA_SIZE - a->used) {
            uint8_t *p = a->base + a->used + SIP_ARENA_ALIGN;
            memcpy(p - SIP_ARENA_ALIGN, &n, sizeof n);
            a->used += need;
            return p;
        }
        a->spilled = true;
    }
    return malloc(n);
}

static void sip_osip_free(void *p)
{
    if (p && !sip_arena_owns(p))
        free(p);
}

static void *sip_osip_realloc(void *p, size_t n)
{
    if (!p || !sip_arena_owns(p)) {
        if (!p)
            return sip_osip_malloc(n);
        if (sip_arena.depth)
            sip_arena.spilled = true;
        return realloc(p, n);
    }
    size_t old = sip_arena_block_size(p);
    if (n <= old)
        return p;
    void *q = sip_osip_malloc(n);
    if (q)
        memcpy(q, p, old);
    return q;
}

/* Open a scope on this thread: libosip2 objects made until the matching
 * end may come from the arena, and must all be freed before it. */
static void sip_osip_scope_begin(void)
{
    if (!SIP_ARENA_ENABLED)
        return;
    struct sip_arena *a = &sip_arena;
    if (!a->base) {
        a->base = malloc(SIP_ARENA_SIZE);
        if (!a->base)
            return; /* plain malloc then */
        pthread_setspecific(sip_arena_key, a->base);
    }
    if (a->depth++ == 0)
        a->spilled = false;
}

/* True when every allocation of the open scope is in the arena: then the
 * scope's end frees all of it, and walking a libosip2 tree only to call
 * no-op frees (osip_message_free was a seventh of the message parse) can
 * be skipped. False without a scope or an arena. */
static bool sip_osip_scope_owns_all(void)
{
    const struct sip_arena *a = &sip_arena;
    return SIP_ARENA_ENABLED && a->depth && a->base && !a->spilled;
}

static void sip_osip_scope_end(void)
{
    struct sip_arena *a = &sip_arena;
    if (a->depth && --a->depth == 0)
        a->used = 0;
}

static void sip_osip_init_once(void)
{
    parser_init();
    if (SIP_ARENA_ENABLED && pthread_key_create(&sip_arena_key, sip_arena_destroy) == 0)
        osip_set_allocators(sip_osip_malloc, sip_osip_realloc, sip_osip_free);
    /* parse failures are reported as events, not as libosip2 log lines */
    osip_trace_initialize_func(TRACE_LEVEL0, sip_osip_trace_silent);
    for (int l = 0; l < END_TRACE_LEVEL; l++)
        osip_trace_disable_level((osip_trace_level_t)l);
}

void sip_osip_init(void)
{
    pthread_once(&sip_osip_once, sip_osip_init_once);
}

static char *sip_value_cstr(const struct sip_header *h)
{
    char *s = malloc((size_t)h->value.len + 1);
    if (s)
        sip_header_unfold(h, s, (size_t)h->value.len + 1);
    return s;
}

/* Copy src into dst[cap], dropping one pair of surrounding double quotes. */
static void sip_copy(char *dst, size_t cap, const char *src)
{
    dst[0] = 0;
    if (!src)
        return;
    size_t n = strlen(src);
    if (n >= 2 && src[0] == '"' && src[n - 1] == '"') {
        src++;
        n -= 2;
    }
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
}

static uint16_t sip_port(const char *s)
{
    if (!s)
        return 0;
    char *e;
    unsigned long v = strtoul(s, &e, 10);
    return (*e == 0 && v <= 65535) ? (uint16_t)v : 0;
}

int sip_parse_name_addr(const struct sip_header *h, struct sip_name_addr *out)
{
    memset(out, 0, sizeof *out);
    sip_osip_init();
    sip_osip_scope_begin();
    char *v = sip_value_cstr(h);
    osip_from_t *f = NULL;
    int rc = TG_ERROR;
    if (v && osip_from_init(&f) == 0 && osip_from_parse(f, v) == 0) {
        sip_copy(out->display, sizeof out->display, f->displayname);
        if (f->url) {
            char *u = NULL;
            if (osip_uri_to_str(f->url, &u) == 0 && u) {
                sip_copy(out->uri, sizeof out->uri, u);
                osip_free(u);
            }
            sip_copy(out->scheme, sizeof out->scheme, f->url->scheme);
            sip_copy(out->user, sizeof out->user, f->url->username);
            sip_copy(out->host, sizeof out->host, f->url->host);
            out->port = sip_port(f->url->port);
        }
        osip_generic_param_t *tag = NULL;
        if (osip_from_param_get_byname(f, "tag", &tag) == 0 && tag)
            sip_copy(out->tag, sizeof out->tag, tag->gvalue);
        rc = TG_OK;
    }
    if (f && !sip_osip_scope_owns_all())
        osip_from_free(f);
    free(v);
    sip_osip_scope_end();
    return rc;
}

int sip_parse_via(const struct sip_header *h, struct sip_via *out)
{
    memset(out, 0, sizeof *out);
    out->rport = -1;
    sip_osip_init();
    sip_osip_scope_begin();
    char *v = sip_value_cstr(h);
    osip_via_t *via = NULL;
    int rc = TG_ERROR;
    if (v && osip_via_init(&via) == 0 && osip_via_parse(via, v) == 0) {
        sip_copy(out->version, sizeof out->version, via->version);
        sip_copy(out->transport, sizeof out->transport, via->protocol);
        sip_copy(out->host, sizeof out->host, via->host);
        out->port = sip_port(via->port);
        osip_generic_param_t *p = NULL;
        if (osip_via_param_get_byname(via, "branch", &p) == 0 && p)
            sip_copy(out->branch, sizeof out->branch, p->gvalue);
        p = NULL;
        if (osip_via_param_get_byname(via, "received", &p) == 0 && p)
            sip_copy(out->received, sizeof out->received, p->gvalue);
        p = NULL;
        if (osip_via_param_get_byname(via, "rport", &p) == 0 && p)
            out->rport = p->gvalue ? sip_port(p->gvalue) : 0;
        rc = TG_OK;
    }
    if (via && !sip_osip_scope_owns_all())
        osip_via_free(via);
    free(v);
    sip_osip_scope_end();
    return rc;
}

int sip_parse_cseq(const struct sip_header *h, struct sip_cseq *out)
{
    memset(out, 0, sizeof *out);
    sip_osip_init();
    sip_osip_scope_begin();
    char *v = sip_value_cstr(h);
    osip_cseq_t *c = NULL;
    int rc = TG_ERROR;
    if (v && osip_cseq_init(&c) == 0 && osip_cseq_parse(c, v) == 0 && c->number) {
        char *e;
        unsigned long long n = strtoull(c->number, &e, 10);
        if (*e == 0 && n <= UINT32_MAX) {
            out->number = (uint32_t)n;
            sip_copy(out->method, sizeof out->method, c->method);
            rc = TG_OK;
        }
    }
    if (c && !sip_osip_scope_owns_all())
        osip_cseq_free(c);
    free(v);
    sip_osip_scope_end();
    return rc;
}

int sip_parse_auth(const struct sip_header *h, struct sip_auth *out)
{
    memset(out, 0, sizeof *out);
    sip_osip_init();
    char *v = sip_value_cstr(h);
    int rc = TG_ERROR;
    if (!v)
        return rc;
    sip_osip_scope_begin();
    if (h->id == SIP_HDR_AUTHORIZATION || h->id == SIP_HDR_PROXY_AUTHORIZATION) {
        osip_authorization_t *a = NULL;
        if (osip_authorization_init(&a) == 0 && osip_authorization_parse(a, v) == 0) {
            sip_copy(out->scheme, sizeof out->scheme, a->auth_type);
            sip_copy(out->username, sizeof out->username, a->username);
            sip_copy(out->realm, sizeof out->realm, a->realm);
            sip_copy(out->nonce, sizeof out->nonce, a->nonce);
            sip_copy(out->uri, sizeof out->uri, a->uri);
            sip_copy(out->response, sizeof out->response, a->response);
            rc = TG_OK;
        }
        if (a)
            osip_authorization_free(a);
    } else if (h->id == SIP_HDR_WWW_AUTHENTICATE || h->id == SIP_HDR_PROXY_AUTHENTICATE) {
        osip_www_authenticate_t *w = NULL;
        if (osip_www_authenticate_init(&w) == 0 && osip_www_authenticate_parse(w, v) == 0) {
            sip_copy(out->scheme, sizeof out->scheme, w->auth_type);
            sip_copy(out->realm, sizeof out->realm, w->realm);
            sip_copy(out->nonce, sizeof out->nonce, w->nonce);
            rc = TG_OK;
        }
        if (w)
            osip_www_authenticate_free(w);
    }
    sip_osip_scope_end();
    free(v);
    return rc;
}

int sip_osip_parse_message(const uint8_t *buf, size_t len)
{
    sip_osip_init();
    sip_osip_scope_begin();
    osip_message_t *m = NULL;
    int r = osip_message_init(&m);
    if (r == 0) {
        r = osip_message_parse(m, (const char *)buf, len);
        if (!sip_osip_scope_owns_all())
            osip_message_free(m);
    }
    sip_osip_scope_end();
    return r == 0 ? TG_OK : TG_ERROR;
}
