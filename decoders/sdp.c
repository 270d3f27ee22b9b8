/* sdp.c - zero-copy SDP parser with media, codec and security derivation.
 *
 * The body is walked once, line by line, through a bounds-checked cursor.
 * Every line is kept as a range (for rules), the lines that matter to a call
 * (o=, c=, m=, a=rtpmap/fmtp/rtcp/crypto/fingerprint/...) are also split
 * into their fields. Derivations that need the whole body (session-level
 * fallbacks for c=, direction, fingerprint, setup) run after the walk.
 *
 * Nothing is rejected for being unusual: SDP in the wild carries vendor
 * attributes, FQDNs in c=, trailing blank lines and missing t= lines. Such
 * things set bits in errors so rules and anomaly logic can see them. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "cursor.h"
#include "json.h"
#include "rtp.h"
#include "sdp.h"
#include "stats.h"

#define SDP_DEFAULT_MAX_MEDIA 16
#define SDP_DEFAULT_MAX_ATTRIBUTES 128
#define SDP_DEFAULT_MAX_LINES 256
#define SDP_DEFAULT_MAX_FORMATS 32
/* Hard ceilings so a config typo cannot ask for gigabytes per session. */
#define SDP_CEIL_MEDIA 1024
#define SDP_CEIL_ATTRIBUTES 65536
#define SDP_CEIL_LINES 65536
#define SDP_CEIL_FORMATS 128
/* Longest address text we convert with inet_pton (IPv6 with zone fits). */
#define SDP_ADDR_TEXT_MAX 64
#define SDP_REDACTED "[redacted]"

static uint32_t sdp_limit(const struct config *cfg, const char *key, uint32_t def, uint32_t ceil)
{
    uint64_t v = cfg ? config_get_u64(cfg, key, def) : def;
    if (v == 0)
        v = 1;
    return v > ceil ? ceil : (uint32_t)v;
}

void sdp_limits_init(struct sdp_limits *lim, const struct config *cfg)
{
    lim->max_media = sdp_limit(cfg, "sdp.max-media", SDP_DEFAULT_MAX_MEDIA, SDP_CEIL_MEDIA);
    lim->max_attributes = sdp_limit(cfg, "sdp.max-attributes", SDP_DEFAULT_MAX_ATTRIBUTES, SDP_CEIL_ATTRIBUTES);
    lim->max_lines = sdp_limit(cfg, "sdp.max-lines", SDP_DEFAULT_MAX_LINES, SDP_CEIL_LINES);
    lim->max_formats = sdp_limit(cfg, "sdp.max-formats", SDP_DEFAULT_MAX_FORMATS, SDP_CEIL_FORMATS);
}

struct sdp_session *sdp_session_new(const struct sdp_limits *lim)
{
    struct sdp_session *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->lim = *lim;
    if (s->lim.max_media == 0 || s->lim.max_media > SDP_CEIL_MEDIA || s->lim.max_formats == 0 ||
        s->lim.max_formats > SDP_CEIL_FORMATS || s->lim.max_attributes == 0 ||
        s->lim.max_attributes > SDP_CEIL_ATTRIBUTES || s->lim.max_lines == 0 ||
        s->lim.max_lines > SDP_CEIL_LINES) {
        free(s);
        return NULL;
    }
    s->lines = calloc(s->lim.max_lines, sizeof *s->lines);
    s->attrs = calloc(s->lim.max_attributes, sizeof *s->attrs);
    s->media = calloc(s->lim.max_media, sizeof *s->media);
    s->codec_pool = calloc((size_t)s->lim.max_media * s->lim.max_formats, sizeof *s->codec_pool);
    if (!s->lines || !s->attrs || !s->media || !s->codec_pool) {
        sdp_session_free(s);
        return NULL;
    }
    return s;
}

void sdp_session_free(struct sdp_session *s)
{
    if (!s)
        return;
    free(s->lines);
    free(s->attrs);
    free(s->media);
    free(s->codec_pool);
    free(s);
}

/* ---- small range helpers ---- */

static struct sdp_str str_make(const uint8_t *p, size_t len)
{
    struct sdp_str r = {p, (uint32_t)len};
    return r;
}

static bool str_eq(struct sdp_str a, const char *lit)
{
    size_t n = strlen(lit);
    return a.len == n && (n == 0 || memcmp(a.p, lit, n) == 0);
}

static bool str_contains(struct sdp_str a, const char *lit)
{
    size_t n = strlen(lit);
    if (n == 0 || a.len < n)
        return n == 0;
    for (size_t i = 0; i + n <= a.len; i++)
        if (memcmp(a.p + i, lit, n) == 0)
            return true;
    return false;
}

/* Next space-separated token of *rest (SP or HTAB); empty when none left.
 * *rest advances past the token. */
static struct sdp_str str_token(struct sdp_str *rest)
{
    uint32_t i = 0;
    while (i < rest->len && (rest->p[i] == ' ' || rest->p[i] == '\t'))
        i++;
    uint32_t start = i;
    while (i < rest->len && rest->p[i] != ' ' && rest->p[i] != '\t')
        i++;
    struct sdp_str tok = str_make(rest->len ? rest->p + start : NULL, i - start);
    if (tok.len == 0)
        tok.p = NULL;
    rest->p = rest->len ? rest->p + i : NULL;
    rest->len -= i;
    return tok;
}

/* What is left of *rest after leading blanks (the "rest of line" field). */
static struct sdp_str str_trim_left(struct sdp_str r)
{
    while (r.len && (r.p[0] == ' ' || r.p[0] == '\t')) {
        r.p++;
        r.len--;
    }
    if (!r.len)
        r.p = NULL;
    return r;
}

/* Split at the first c: *before gets the part before, return the part after
 * (empty when c is absent, *before then holds the whole). */
static struct sdp_str str_split(struct sdp_str a, uint8_t c, struct sdp_str *before, bool *found)
{
    for (uint32_t i = 0; i < a.len; i++) {
        if (a.p[i] == c) {
            *before = str_make(a.p, i);
            if (found)
                *found = true;
            return str_make(a.p + i + 1, a.len - i - 1);
        }
    }
    *before = a;
    if (found)
        *found = false;
    struct sdp_str none = {NULL, 0};
    return none;
}

/* Decimal to u32; false on empty, non-digit or overflow. */
static bool str_u32(struct sdp_str a, uint32_t *out)
{
    if (a.len == 0 || a.len > 10)
        return false;
    uint64_t v = 0;
    for (uint32_t i = 0; i < a.len; i++) {
        if (a.p[i] < '0' || a.p[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(a.p[i] - '0');
    }
    if (v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

/* ---- line parsers ---- */

static bool sdp_parse_ip(struct sdp_str addrtype, struct sdp_str text, struct ip_addr *ip)
{
    char buf[SDP_ADDR_TEXT_MAX];
    if (text.len == 0 || text.len >= sizeof buf)
        return false;
    memcpy(buf, text.p, text.len);
    buf[text.len] = '\0';
    memset(ip, 0, sizeof *ip);
    bool v6 = str_eq(addrtype, "IP6");
    bool v4 = str_eq(addrtype, "IP4");
    if ((v4 || !v6) && inet_pton(AF_INET, buf, ip->b) == 1) {
        ip->family = 4;
        return true;
    }
    if ((v6 || !v4) && inet_pton(AF_INET6, buf, ip->b) == 1) {
        ip->family = 6;
        return true;
    }
    memset(ip, 0, sizeof *ip);
    return false;
}

/* c=<nettype> <addrtype> <connection-address>; the address may carry
 * /ttl[/count] (IP4 multicast) or /count (IP6 multicast). An FQDN is legal
 * and leaves ip_valid false without an error. */
static void sdp_parse_conn(struct sdp_session *s, struct sdp_str v, struct sdp_conn *c)
{
    memset(c, 0, sizeof *c);
    c->present = true;
    c->raw = v;
    struct sdp_str rest = v;
    c->nettype = str_token(&rest);
    c->addrtype = str_token(&rest);
    struct sdp_str addr = str_token(&rest);
    if (!c->nettype.len || !c->addrtype.len || !addr.len || str_trim_left(rest).len) {
        s->errors |= SDP_ERR_BAD_CONN;
        if (!addr.len)
            return;
    }
    struct sdp_str host, suffix = str_split(addr, '/', &host, NULL);
    c->address = host;
    if (suffix.len) {
        struct sdp_str first, second = str_split(suffix, '/', &first, NULL);
        uint32_t a = 0, b = 0;
        bool ok = str_u32(first, &a);
        if (second.len)
            ok = ok && str_u32(second, &b);
        if (!ok)
            s->errors |= SDP_ERR_BAD_CONN;
        else if (str_eq(c->addrtype, "IP6")) {
            c->count = a; /* RFC 8866 5.7: IP6 multicast has no TTL */
        } else {
            c->ttl = a;
            c->count = b;
        }
    }
    /* A name (RFC 8866 allows an FQDN) has a letter and no ':'; a host
     * with ':' is meant as an IPv6 literal and must parse as one. */
    bool has_colon = false, has_letter = false;
    for (uint32_t i = 0; i < host.len; i++) {
        uint8_t ch = host.p[i];
        has_colon |= ch == ':';
        has_letter |= (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
    }
    bool is_fqdn = has_letter && !has_colon;
    c->ip_valid = sdp_parse_ip(c->addrtype, host, &c->ip);
    if (!c->ip_valid && !is_fqdn)
        s->errors |= SDP_ERR_BAD_CONN;
}

static void sdp_parse_origin(struct sdp_session *s, struct sdp_str v)
{
    struct sdp_origin *o = &s->origin;
    memset(o, 0, sizeof *o);
    o->present = true;
    o->raw = v;
    struct sdp_str rest = v;
    o->username = str_token(&rest);
    o->sess_id = str_token(&rest);
    o->sess_version = str_token(&rest);
    o->nettype = str_token(&rest);
    o->addrtype = str_token(&rest);
    o->address = str_token(&rest);
    if (!o->address.len || str_trim_left(rest).len)
        s->errors |= SDP_ERR_BAD_ORIGIN;
}

static bool sdp_proto_is_rtp(struct sdp_str proto)
{
    return str_contains(proto, "RTP/");
}

static void sdp_parse_media(struct sdp_session *s, struct sdp_str v, struct sdp_media *m, struct sdp_codec *pool,
                            struct stats *st)
{
    memset(m, 0, sizeof *m);
    m->raw = v;
    m->codecs = pool;
    m->first_attr = s->n_attrs;
    m->port_count = 1;
    struct sdp_str rest = v;
    m->type = str_token(&rest);
    struct sdp_str port = str_token(&rest);
    m->proto = str_token(&rest);
    m->formats = str_trim_left(rest);
    m->is_rtp = sdp_proto_is_rtp(m->proto);
    struct sdp_str pnum, pcount = str_split(port, '/', &pnum, NULL);
    uint32_t pv = 0, pc = 1;
    if (!str_u32(pnum, &pv) || pv > 65535 || (pcount.len && (!str_u32(pcount, &pc) || pc == 0 || pc > 65535)) ||
        !m->proto.len || !m->formats.len)
        s->errors |= SDP_ERR_BAD_MEDIA;
    m->port = (uint16_t)(pv > 65535 ? 0 : pv);
    m->port_count = (uint16_t)(pc > 65535 || pc == 0 ? 1 : pc);
    if (!m->is_rtp)
        return;
    struct sdp_str fr = m->formats;
    for (struct sdp_str tok = str_token(&fr); tok.len; tok = str_token(&fr)) {
        uint32_t pt;
        if (!str_u32(tok, &pt) || pt > 127) {
            s->errors |= SDP_ERR_BAD_MEDIA;
            continue;
        }
        if (m->n_codecs >= s->lim.max_formats) {
            s->dropped_formats++;
            s->errors |= SDP_ERR_CAP;
            if (st)
                stats_inc(st, STAT_SDP_MAX_FORMATS_HIT);
            break;
        }
        struct sdp_codec *c = &m->codecs[m->n_codecs++];
        memset(c, 0, sizeof *c);
        c->pt = (uint8_t)pt;
        c->channels = 1;
        uint32_t clock = 0;
        uint8_t ch = 1;
        const char *name = rtp_static_payload(pt, &clock, &ch);
        if (name) {
            c->encoding = str_make((const uint8_t *)name, strlen(name));
            c->clock = clock;
            c->channels = ch;
        }
    }
}

static struct sdp_codec *sdp_find_codec(struct sdp_media *m, struct sdp_str ptext)
{
    uint32_t pt;
    if (!str_u32(ptext, &pt) || pt > 127)
        return NULL;
    for (uint32_t i = 0; i < m->n_codecs; i++)
        if (m->codecs[i].pt == pt)
            return &m->codecs[i];
    return NULL;
}

/* a=rtpmap:<pt> <encoding>/<clock>[/<channels>] */
static void sdp_attr_rtpmap(struct sdp_session *s, struct sdp_media *m, struct sdp_str v)
{
    struct sdp_str rest = v;
    struct sdp_str pt = str_token(&rest);
    struct sdp_str enc = str_token(&rest);
    if (!pt.len || !enc.len) {
        s->errors |= SDP_ERR_BAD_RTPMAP;
        return;
    }
    struct sdp_codec *c = m ? sdp_find_codec(m, pt) : NULL;
    if (!c)
        return; /* a map for a format the m= line did not offer; rules still see it */
    struct sdp_str name, after = str_split(enc, '/', &name, NULL);
    struct sdp_str clock, chan = str_split(after, '/', &clock, NULL);
    uint32_t hz = 0, ch = 1;
    if (!name.len || (clock.len && !str_u32(clock, &hz)) || (chan.len && (!str_u32(chan, &ch) || ch > 255))) {
        s->errors |= SDP_ERR_BAD_RTPMAP;
        return;
    }
    c->from_rtpmap = true;
    c->encoding = name;
    c->clock = hz ? hz : rtp_encoding_clock((const char *)name.p, name.len);
    c->channels = (uint8_t)(ch ? ch : 1);
}

static void sdp_attr_direction(struct sdp_session *s, struct sdp_media *m, enum sdp_direction d, bool *media_dir_set)
{
    if (m) {
        m->dir = d;
        *media_dir_set = true;
    } else {
        s->dir = d;
    }
}

/* Per-media state kept only during the walk. */
struct sdp_walk_media {
    bool dir_set;
    struct ip_addr rtcp_addr;
};

static void sdp_attr(struct sdp_session *s, struct sdp_media *m, struct sdp_walk_media *wm, struct sdp_str name,
                     struct sdp_str v)
{
    if (str_eq(name, "rtpmap")) {
        sdp_attr_rtpmap(s, m, v);
    } else if (str_eq(name, "fmtp")) {
        struct sdp_str rest = v;
        struct sdp_str pt = str_token(&rest);
        struct sdp_codec *c = m ? sdp_find_codec(m, pt) : NULL;
        if (c)
            c->fmtp = str_trim_left(rest);
    } else if (str_eq(name, "sendrecv")) {
        sdp_attr_direction(s, m, SDP_SENDRECV, &wm->dir_set);
    } else if (str_eq(name, "sendonly")) {
        sdp_attr_direction(s, m, SDP_SENDONLY, &wm->dir_set);
    } else if (str_eq(name, "recvonly")) {
        sdp_attr_direction(s, m, SDP_RECVONLY, &wm->dir_set);
    } else if (str_eq(name, "inactive")) {
        sdp_attr_direction(s, m, SDP_INACTIVE, &wm->dir_set);
    } else if (!m) {
        return; /* the rest are media-level; session-level ones are looked up later */
    } else if (str_eq(name, "rtcp")) {
        /* a=rtcp:<port> [<nettype> <addrtype> <address>] (RFC 3605) */
        struct sdp_str rest = v;
        uint32_t port;
        if (str_u32(str_token(&rest), &port) && port <= 65535) {
            m->rtcp_port_set = true;
            m->rtcp_port = (uint16_t)port;
            struct sdp_str nettype = str_token(&rest), addrtype = str_token(&rest), addr = str_token(&rest);
            (void)nettype;
            if (addr.len)
                sdp_parse_ip(addrtype, addr, &wm->rtcp_addr);
        }
    } else if (str_eq(name, "rtcp-mux")) {
        m->rtcp_mux = true;
    } else if (str_eq(name, "crypto")) {
        /* a=crypto:<tag> <crypto-suite> <key-params> [<session-params>]: the
         * key params are the SRTP master key, kept nowhere. */
        if (m->n_crypto++ == 0) {
            struct sdp_str rest = v;
            m->crypto_tag = str_token(&rest);
            m->crypto_suite = str_token(&rest);
        }
    } else if (str_eq(name, "fingerprint")) {
        struct sdp_str rest = v;
        m->fingerprint_hash = str_token(&rest);
        m->fingerprint = str_token(&rest);
    } else if (str_eq(name, "setup")) {
        m->setup = v;
    } else if (str_eq(name, "zrtp-hash")) {
        m->zrtp_hash = true;
    } else if (str_eq(name, "ice-ufrag")) {
        m->ice_ufrag = v;
    }
}

/* Session-level value of attribute name (first occurrence), for media that
 * lack their own. */
static bool sdp_session_attr(const struct sdp_session *s, const char *name, struct sdp_str *out)
{
    for (uint32_t i = 0; i < s->n_attrs && s->attrs[i].media < 0; i++) {
        if (str_eq(s->attrs[i].name, name)) {
            *out = s->attrs[i].value;
            return true;
        }
    }
    return false;
}

static enum sdp_security sdp_classify(const struct sdp_media *m)
{
    bool savp = str_contains(m->proto, "SAVP");
    /* UDP/TLS/RTP/SAVP(F) and TCP/TLS/RTP/SAVP(F) (RFC 5764, 7850); a
     * UDP/DTLS/SCTP data channel is not media and stays "unknown". */
    bool dtls = str_contains(m->proto, "TLS/RTP/SAVP");
    if (dtls && m->fingerprint.len)
        return SDP_SEC_DTLS_SRTP;
    if (savp && m->n_crypto)
        return SDP_SEC_SRTP_SDES;
    if (m->zrtp_hash)
        return SDP_SEC_ZRTP;
    if (savp)
        return SDP_SEC_SRTP_OTHER;
    if (!m->is_rtp)
        return SDP_SEC_UNKNOWN;
    return SDP_SEC_NONE;
}

static void sdp_finish_media(struct sdp_session *s, struct sdp_media *m, const struct sdp_walk_media *wm)
{
    m->n_attrs = s->n_attrs - m->first_attr;
    if (!wm->dir_set)
        m->dir = s->dir;
    /* A media c= overrides the session one even when it is an FQDN we do
     * not resolve: then the address is unknown, not the session's. */
    if (m->conn.present) {
        if (m->conn.ip_valid)
            m->rtp_addr = m->conn.ip;
    } else if (s->conn.present && s->conn.ip_valid) {
        m->rtp_addr = s->conn.ip;
    }
    if (!m->conn.present && !s->conn.present)
        s->errors |= SDP_ERR_NO_CONN;
    if (m->rtcp_mux && !m->rtcp_port_set)
        m->rtcp_port = m->port;
    else if (!m->rtcp_port_set)
        m->rtcp_port = (uint16_t)(m->port + 1); /* RFC 3550 11: next higher port */
    m->rtcp_addr = wm->rtcp_addr.family ? wm->rtcp_addr : m->rtp_addr;
    struct sdp_str v;
    if (!m->fingerprint.len && sdp_session_attr(s, "fingerprint", &v)) {
        struct sdp_str rest = v;
        m->fingerprint_hash = str_token(&rest);
        m->fingerprint = str_token(&rest);
    }
    if (!m->setup.len && sdp_session_attr(s, "setup", &v))
        m->setup = v;
    if (!m->zrtp_hash && sdp_session_attr(s, "zrtp-hash", &v))
        m->zrtp_hash = true;
    if (!m->ice_ufrag.len && sdp_session_attr(s, "ice-ufrag", &v))
        m->ice_ufrag = v;
    m->security = sdp_classify(m);
}

static void sdp_reset(struct sdp_session *s, const uint8_t *body, size_t len)
{
    struct sdp_limits lim = s->lim;
    struct sdp_line *lines = s->lines;
    struct sdp_attr *attrs = s->attrs;
    struct sdp_media *media = s->media;
    struct sdp_codec *pool = s->codec_pool;
    memset(s, 0, sizeof *s);
    s->lim = lim;
    s->lines = lines;
    s->attrs = attrs;
    s->media = media;
    s->codec_pool = pool;
    s->body = body;
    s->body_len = len;
}

int sdp_parse(struct sdp_session *s, const uint8_t *body, size_t len, struct stats *st)
{
    sdp_reset(s, body, len);
    struct cursor c;
    cursor_init(&c, body, len);
    struct sdp_media *m = NULL;
    struct sdp_walk_media wm;
    memset(&wm, 0, sizeof wm);
    bool skipping = false; /* inside an m= section dropped by the cap */
    bool first = true, seen_o = false, seen_s = false, seen_t = false;
    while (cursor_left(&c)) {
        const uint8_t *start = cursor_ptr(&c);
        size_t n = 0, left = cursor_left(&c);
        while (n < left && start[n] != '\n')
            n++;
        cursor_skip(&c, n < left ? n + 1 : n);
        size_t ll = n;
        if (ll && start[ll - 1] == '\r')
            ll--;
        if (memchr(start, '\0', ll))
            s->errors |= SDP_ERR_NUL;
        if (ll == 0)
            continue; /* blank lines (often trailing) carry nothing */
        if (ll < 2 || start[1] != '=' || start[0] < 'a' || start[0] > 'z') {
            if (first) {
                if (st)
                    stats_inc(st, STAT_SDP_INVALID);
                return TG_DECLINED;
            }
            s->errors |= SDP_ERR_BAD_LINE;
            continue;
        }
        char type = (char)start[0];
        struct sdp_str v = str_make(start + 2, ll - 2);
        if (first) {
            first = false;
            if (type != 'v') {
                if (st)
                    stats_inc(st, STAT_SDP_INVALID);
                return TG_DECLINED;
            }
        }
        if (type == 'm') {
            if (m)
                sdp_finish_media(s, m, &wm);
            m = NULL;
            memset(&wm, 0, sizeof wm);
            if (s->n_media >= s->lim.max_media) {
                skipping = true;
                s->dropped_media++;
                s->errors |= SDP_ERR_CAP;
                if (st)
                    stats_inc(st, STAT_SDP_MAX_MEDIA_HIT);
                continue;
            }
            skipping = false;
            m = &s->media[s->n_media];
            sdp_parse_media(s, v, m, s->codec_pool + (size_t)s->n_media * s->lim.max_formats, st);
            s->n_media++;
        }
        if (skipping)
            continue;
        if (s->n_lines < s->lim.max_lines) {
            struct sdp_line *l = &s->lines[s->n_lines++];
            l->type = type;
            l->media = (int16_t)(m ? (int)(m - s->media) : -1);
            l->value = v;
        } else {
            s->dropped_lines++;
            s->errors |= SDP_ERR_CAP;
            if (st)
                stats_inc(st, STAT_SDP_MAX_LINES_HIT);
        }
        switch (type) {
        case 'v': {
            uint32_t ver = 0;
            if (!str_u32(v, &ver) || ver != 0)
                s->errors |= SDP_ERR_BAD_VERSION;
            s->version = ver;
            break;
        }
        case 'o':
            if (!m && !seen_o)
                sdp_parse_origin(s, v);
            seen_o = true;
            break;
        case 's':
            if (!m && !seen_s)
                s->session_name = v;
            seen_s = true;
            break;
        case 'i':
            if (m && !m->info.p)
                m->info = v;
            else if (!m && !s->session_info.p)
                s->session_info = v;
            break;
        case 'u':
            if (!s->uri.p)
                s->uri = v;
            break;
        case 'e':
            if (!s->email.p)
                s->email = v;
            break;
        case 'p':
            if (!s->phone.p)
                s->phone = v;
            break;
        case 'z':
            if (!s->timezone.p)
                s->timezone = v;
            break;
        case 'k':
            if (m && !m->key.p)
                m->key = v;
            else if (!m && !s->key.p)
                s->key = v;
            break;
        case 't':
            seen_t = true;
            break;
        case 'c':
            if (m && !m->conn.present)
                sdp_parse_conn(s, v, &m->conn);
            else if (!m && !s->conn.present)
                sdp_parse_conn(s, v, &s->conn);
            break;
        case 'a': {
            struct sdp_str name, value = str_split(v, ':', &name, NULL);
            if (s->n_attrs < s->lim.max_attributes) {
                struct sdp_attr *a = &s->attrs[s->n_attrs++];
                a->media = (int16_t)(m ? (int)(m - s->media) : -1);
                a->name = name;
                a->value = value;
            } else {
                s->dropped_attrs++;
                s->errors |= SDP_ERR_CAP;
                if (st)
                    stats_inc(st, STAT_SDP_MAX_ATTRIBUTES_HIT);
            }
            /* Interpreted even beyond the cap, so a flood of padding
             * attributes cannot hide a crypto line from the classifier. */
            sdp_attr(s, m, &wm, name, value);
            break;
        }
        default:
            break;
        }
    }
    if (first) {
        if (st)
            stats_inc(st, STAT_SDP_INVALID);
        return TG_DECLINED;
    }
    if (m)
        sdp_finish_media(s, m, &wm);
    if (!seen_o || !seen_s || !seen_t)
        s->errors |= SDP_ERR_MISSING;
    if (st)
        stats_inc(st, STAT_SDP_PARSED);
    return TG_OK;
}

const char *sdp_security_name(enum sdp_security sec)
{
    switch (sec) {
    case SDP_SEC_NONE: return "none";
    case SDP_SEC_SRTP_SDES: return "srtp-sdes";
    case SDP_SEC_DTLS_SRTP: return "dtls-srtp";
    case SDP_SEC_ZRTP: return "zrtp";
    case SDP_SEC_SRTP_OTHER: return "srtp";
    case SDP_SEC_UNKNOWN: break;
    }
    return "unknown";
}

const char *sdp_direction_name(enum sdp_direction d)
{
    switch (d) {
    case SDP_SENDONLY: return "sendonly";
    case SDP_RECVONLY: return "recvonly";
    case SDP_INACTIVE: return "inactive";
    case SDP_SENDRECV: break;
    }
    return "sendrecv";
}

const struct sdp_codec *sdp_media_codec(const struct sdp_media *m, unsigned pt)
{
    for (uint32_t i = 0; i < m->n_codecs; i++)
        if (m->codecs[i].pt == pt)
            return &m->codecs[i];
    return NULL;
}

/* ---- sticky buffers ---- */

static const char *const sdp_buffer_names[SDP_BUF_MAX] = {
    [SDP_BUF_ORIGIN] = "sdp.origin",
    [SDP_BUF_SESSION_NAME] = "sdp.session_name",
    [SDP_BUF_SESSION_INFO] = "sdp.session_info",
    [SDP_BUF_URI] = "sdp.uri",
    [SDP_BUF_EMAIL] = "sdp.email",
    [SDP_BUF_PHONE_NUMBER] = "sdp.phone_number",
    [SDP_BUF_CONNECTION_DATA] = "sdp.connection_data",
    [SDP_BUF_BANDWIDTH] = "sdp.bandwidth",
    [SDP_BUF_TIME] = "sdp.time",
    [SDP_BUF_REPEAT_TIME] = "sdp.repeat_time",
    [SDP_BUF_TIMEZONE] = "sdp.timezone",
    [SDP_BUF_ENCRYPTION_KEY] = "sdp.encryption_key",
    [SDP_BUF_ATTRIBUTE] = "sdp.attribute",
    [SDP_BUF_MEDIA_MEDIA] = "sdp.media.media",
    [SDP_BUF_MEDIA_INFO] = "sdp.media.media_info",
    [SDP_BUF_MEDIA_CONNECTION_DATA] = "sdp.media.connection_data",
    [SDP_BUF_MEDIA_ENCRYPTION_KEY] = "sdp.media.encryption_key",
};

const char *sdp_buffer_name(enum sdp_buffer id)
{
    return (unsigned)id < SDP_BUF_MAX ? sdp_buffer_names[id] : NULL;
}

int sdp_buffer_lookup(const char *name)
{
    for (int i = 0; i < SDP_BUF_MAX; i++)
        if (strcmp(sdp_buffer_names[i], name) == 0)
            return i;
    if (strcmp(name, "sdp.media.session_info") == 0)
        return SDP_BUF_MEDIA_INFO;
    return -1;
}

bool sdp_buffer_is_multi(enum sdp_buffer id)
{
    switch (id) {
    case SDP_BUF_BANDWIDTH:
    case SDP_BUF_TIME:
    case SDP_BUF_REPEAT_TIME:
    case SDP_BUF_ATTRIBUTE:
    case SDP_BUF_MEDIA_MEDIA:
    case SDP_BUF_MEDIA_INFO:
    case SDP_BUF_MEDIA_CONNECTION_DATA:
    case SDP_BUF_MEDIA_ENCRYPTION_KEY:
        return true;
    default:
        return false;
    }
}

/* Instance idx of session-level lines of type t (any level when
 * any_level). */
static bool sdp_nth_line(const struct sdp_session *s, char t, bool any_level, uint32_t idx, struct sdp_str *out)
{
    for (uint32_t i = 0; i < s->n_lines; i++) {
        const struct sdp_line *l = &s->lines[i];
        if (l->type != t || (!any_level && l->media >= 0))
            continue;
        if (idx-- == 0) {
            *out = l->value;
            return true;
        }
    }
    return false;
}

static bool sdp_present(struct sdp_str v, struct sdp_str *out)
{
    if (!v.p)
        return false;
    *out = v;
    return true;
}

bool sdp_buffer_get(const struct sdp_session *s, enum sdp_buffer id, uint32_t idx, struct sdp_str *out)
{
    memset(out, 0, sizeof *out);
    if (!sdp_buffer_is_multi(id) && idx != 0)
        return false;
    const struct sdp_media *m = idx < s->n_media ? &s->media[idx] : NULL;
    switch (id) {
    case SDP_BUF_ORIGIN: return s->origin.present && sdp_present(s->origin.raw, out);
    case SDP_BUF_SESSION_NAME: return sdp_present(s->session_name, out);
    case SDP_BUF_SESSION_INFO: return sdp_present(s->session_info, out);
    case SDP_BUF_URI: return sdp_present(s->uri, out);
    case SDP_BUF_EMAIL: return sdp_present(s->email, out);
    case SDP_BUF_PHONE_NUMBER: return sdp_present(s->phone, out);
    case SDP_BUF_CONNECTION_DATA: return s->conn.present && sdp_present(s->conn.raw, out);
    case SDP_BUF_BANDWIDTH: return sdp_nth_line(s, 'b', false, idx, out);
    case SDP_BUF_TIME: return sdp_nth_line(s, 't', false, idx, out);
    case SDP_BUF_REPEAT_TIME: return sdp_nth_line(s, 'r', false, idx, out);
    case SDP_BUF_TIMEZONE: return sdp_present(s->timezone, out);
    case SDP_BUF_ENCRYPTION_KEY: return sdp_present(s->key, out);
    case SDP_BUF_ATTRIBUTE: return sdp_nth_line(s, 'a', true, idx, out);
    case SDP_BUF_MEDIA_MEDIA: return m && sdp_present(m->raw, out);
    case SDP_BUF_MEDIA_INFO: return m && sdp_present(m->info, out);
    case SDP_BUF_MEDIA_CONNECTION_DATA: return m && m->conn.present && sdp_present(m->conn.raw, out);
    case SDP_BUF_MEDIA_ENCRYPTION_KEY: return m && sdp_present(m->key, out);
    case SDP_BUF_MAX: break;
    }
    return false;
}

/* ---- EVE ---- */

static void json_range(struct json *j, const char *key, struct sdp_str v)
{
    json_strn(j, key, v.p ? v.p : (const uint8_t *)"", v.len);
}

/* k=<method>[:<key>]: only "prompt" and uri carry nothing secret. */
static void sdp_json_key(struct json *j, struct sdp_str k)
{
    struct sdp_str method;
    bool colon;
    str_split(k, ':', &method, &colon);
    if (!colon || str_eq(method, "uri") || str_eq(method, "prompt")) {
        json_range(j, "encryption_key", k);
        return;
    }
    char buf[96];
    snprintf(buf, sizeof buf, "%.*s:%s", (int)TG_MIN(method.len, 64u), (const char *)method.p, SDP_REDACTED);
    json_str(j, "encryption_key", buf);
}

/* One a= value for the "a" array, with secrets replaced. */
static void sdp_json_attr(struct json *j, const struct sdp_attr *a, struct sdp_str line)
{
    char buf[192];
    if (str_eq(a->name, "crypto")) {
        struct sdp_str rest = a->value;
        struct sdp_str tag = str_token(&rest), suite = str_token(&rest);
        snprintf(buf, sizeof buf, "crypto:%.*s %.*s %s", (int)TG_MIN(tag.len, 32u),
                 tag.p ? (const char *)tag.p : "", (int)TG_MIN(suite.len, 64u),
                 suite.p ? (const char *)suite.p : "", SDP_REDACTED);
        json_str(j, NULL, buf);
    } else if (str_eq(a->name, "ice-pwd")) {
        json_str(j, NULL, "ice-pwd:" SDP_REDACTED);
    } else {
        json_range(j, NULL, line);
    }
}

/* The "a" array of one level (-1 session, else media index), from the kept
 * lines so the order is the body's. */
static void sdp_json_attrs(const struct sdp_session *s, struct json *j, int media)
{
    bool open = false;
    for (uint32_t i = 0; i < s->n_lines; i++) {
        const struct sdp_line *l = &s->lines[i];
        if (l->type != 'a' || l->media != media)
            continue;
        if (!open) {
            json_open_array(j, "attributes");
            open = true;
        }
        struct sdp_attr a;
        a.media = (int16_t)media;
        a.value = str_split(l->value, ':', &a.name, NULL);
        sdp_json_attr(j, &a, l->value);
    }
    if (open)
        json_close_array(j);
}

static void sdp_json_lines(const struct sdp_session *s, struct json *j, char type, int media, const char *key)
{
    bool open = false;
    for (uint32_t i = 0; i < s->n_lines; i++) {
        const struct sdp_line *l = &s->lines[i];
        if (l->type != type || l->media != media)
            continue;
        if (!open) {
            json_open_array(j, key);
            open = true;
        }
        json_range(j, NULL, l->value);
    }
    if (open)
        json_close_array(j);
}

/* The time descriptions: each t= with the first r= that follows it. */
static void sdp_json_times(const struct sdp_session *s, struct json *j)
{
    json_open_array(j, "time_descriptions");
    bool open = false, have_r = false;
    for (uint32_t i = 0; i < s->n_lines; i++) {
        const struct sdp_line *l = &s->lines[i];
        if (l->media != -1)
            break;
        if (l->type == 't') {
            if (open)
                json_close_object(j);
            json_open_object(j, NULL);
            json_range(j, "time", l->value);
            open = true;
            have_r = false;
        } else if (l->type == 'r' && open && !have_r) {
            json_range(j, "repeat_time", l->value);
            have_r = true;
        }
    }
    if (open)
        json_close_object(j);
    json_close_array(j);
}

void sdp_json(const struct sdp_session *s, struct json *j)
{
    if (s->origin.present)
        json_range(j, "origin", s->origin.raw);
    if (s->session_name.p)
        json_range(j, "session_name", s->session_name);
    if (s->session_info.p)
        json_range(j, "session_info", s->session_info);
    if (s->uri.p)
        json_range(j, "uri", s->uri);
    if (s->email.p)
        json_range(j, "email", s->email);
    if (s->phone.p)
        json_range(j, "phone_number", s->phone);
    if (s->conn.present)
        json_range(j, "connection_data", s->conn.raw);
    sdp_json_lines(s, j, 'b', -1, "bandwidths");
    sdp_json_times(s, j);
    if (s->timezone.p)
        json_range(j, "timezone", s->timezone);
    if (s->key.p)
        sdp_json_key(j, s->key);
    sdp_json_attrs(s, j, -1);
    if (s->n_media) {
        json_open_array(j, "media_descriptions");
        for (uint32_t i = 0; i < s->n_media; i++) {
            const struct sdp_media *m = &s->media[i];
            json_open_object(j, NULL);
            json_range(j, "media", m->raw);
            if (m->info.p)
                json_range(j, "media_info", m->info);
            sdp_json_lines(s, j, 'b', (int)i, "bandwidths");
            if (m->conn.present)
                json_range(j, "connection_data", m->conn.raw);
            if (m->key.p)
                sdp_json_key(j, m->key);
            sdp_json_attrs(s, j, (int)i);
            json_close_object(j);
        }
        json_close_array(j);
    }
}
