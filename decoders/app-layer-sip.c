/* app-layer-sip.c - the "sip" app-layer protocol: content probe, UDP and TCP framing, anomaly events and EVE sip records.
 *
 * UDP: every message of a datagram is inspected (an IPS must see what a
 * lenient receiver might act on), with Snort's framing events. TCP: the
 * stream hands in-order bytes; each complete message (Content-Length
 * framing) is consumed, an incomplete one is left for the next segment, up
 * to sip.max-message bytes.
 *
 * The inspection context (limits and compiled patterns) is read-only and
 * shared by every engine of the process; it is built by the first
 * registration because struct app_proto_desc has no per-registration
 * pointer to carry it. The SIP session count behind Snort's max_sessions
 * event is process-wide by nature and kept atomic. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "app-layer-sip.h"
#include "engine.h"
#include "output.h"
#include "detect.h"
#include "sip-call.h"
#include "sip-dialog.h"
#include "sip-events.h"
#include "sdp.h"
#include "stats.h"

struct sip_flow_state {
    struct sip_dialog_table *dialogs;
    bool over_sessions; /* this flow started past sip.max_sessions: raise it once */
    struct sdp_session *sdp; /* scratch for SDP bodies, allocated on the first one */
};

/* How far the probe looks for a start line after junk. */
#define SIP_PROBE_LINES 8
#define SIP_PROBE_BYTES 1024

static struct sip_inspect *sip_app_ctx;
static atomic_uint sip_app_sessions;
/* sdp.* caps from the config, set with sip_app_ctx and read-only after */
static struct sdp_limits sip_sdp_limits;

enum app_probe_result sip_app_probe(const uint8_t *data, size_t len, int dir)
{
    TG_UNUSED(dir);
    size_t s = 0;
    while (s < len && (data[s] == '\r' || data[s] == '\n'))
        s++;
    if (s == len)
        return APP_PROBE_MORE;
    if (!memchr(data + s, '\n', len - s)) {
        uint8_t c = data[s];
        bool plausible = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || strchr("-.!%*_+`'~", c);
        return plausible && len - s < 1024 ? APP_PROBE_MORE : APP_PROBE_NO;
    }
    if (sip_is_start_line(data + s, len - s))
        return APP_PROBE_YES;
    /* Junk before the start line must not hide a SIP flow (it is an anomaly
     * the parser reports): look a few lines further, within a bound. */
    size_t pos = s;
    for (int line = 0; line < SIP_PROBE_LINES && pos < len && pos < SIP_PROBE_BYTES; line++) {
        const uint8_t *lf = memchr(data + pos, '\n', len - pos);
        if (!lf)
            break;
        pos = (size_t)(lf - data) + 1;
        if (pos < len && sip_is_start_line(data + pos, len - pos))
            return APP_PROBE_YES;
    }
    return APP_PROBE_NO;
}

static void *sip_app_state_new(struct flow *f, void *user)
{
    TG_UNUSED(f);
    struct sip_flow_state *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    const struct sip_config *c = sip_inspect_config(sip_app_ctx);
    st->dialogs = sip_dialog_table_new(c->max_dialogs);
    if (!st->dialogs) {
        free(st);
        return NULL;
    }
    unsigned n = atomic_fetch_add(&sip_app_sessions, 1) + 1;
    if (c->max_sessions && n > c->max_sessions)
        st->over_sessions = true;
    TG_UNUSED(user);
    return st;
}

static void sip_app_state_free(void *state, void *user)
{
    TG_UNUSED(user);
    struct sip_flow_state *st = state;
    atomic_fetch_sub(&sip_app_sessions, 1);
    sip_dialog_table_free(st->dialogs);
    sdp_session_free(st->sdp);
    free(st);
}

/* What one parse call needs to emit records. */
struct sip_emit {
    struct engine *e;
    struct stats *stats;
    struct output *out;
    struct app_parse *ap;
    struct sip_flow_state *st;
    const uint8_t *dgram_end; /* UDP: end of the datagram; NULL over TCP */
};

/* ---- SDP bodies ---- */

/* Whether a Content-Type value is the media type mt ("type/subtype", or
 * "type/" for any subtype), case-insensitive, parameters ignored. */
static bool sip_ctype_is(const uint8_t *v, size_t n, const char *mt)
{
    size_t i = 0, tl = strlen(mt);
    while (i < n && (v[i] == ' ' || v[i] == '\t'))
        i++;
    if (n - i < tl || strncasecmp((const char *)v + i, mt, tl) != 0)
        return false;
    if (mt[tl - 1] == '/')
        return true;
    i += tl;
    while (i < n && (v[i] == ' ' || v[i] == '\t'))
        i++;
    return i == n || v[i] == ';';
}

/* The boundary parameter of a multipart Content-Type value. */
static bool sip_multipart_boundary(const uint8_t *v, size_t n, struct sip_range *out)
{
    static const char key[] = "boundary=";
    const size_t kl = sizeof key - 1;
    for (size_t i = 0; i + kl <= n; i++) {
        if (strncasecmp((const char *)v + i, key, kl) != 0)
            continue;
        size_t b = i + kl, e;
        if (b < n && v[b] == '"') {
            b++;
            for (e = b; e < n && v[e] != '"'; e++)
                ;
        } else {
            for (e = b; e < n && v[e] != ';' && v[e] != ' ' && v[e] != '\t' && v[e] != '\r'; e++)
                ;
        }
        if (e == b || e - b > 70) /* RFC 2046: 1 to 70 characters */
            return false;
        out->p = v + b;
        out->len = (uint32_t)(e - b);
        return true;
    }
    return false;
}

/* The content of the first application/sdp part of a multipart body. Parts
 * are delimited by "--boundary" lines; a part's headers end at its first
 * empty line. Cheap on purpose: one pass, no nesting. */
static bool sip_multipart_sdp(const struct sip_range *ctype, const struct sip_range *body, struct sip_range *out)
{
    struct sip_range bd;
    if (!sip_multipart_boundary(ctype->p, ctype->len, &bd))
        return false;
    uint8_t delim[2 + 70];
    delim[0] = delim[1] = '-';
    memcpy(delim + 2, bd.p, bd.len);
    size_t dl = 2 + bd.len;
    const uint8_t *p = body->p, *end = body->p + body->len;
    const uint8_t *d = memmem(p, (size_t)(end - p), delim, dl);
    while (d) {
        const uint8_t *part = d + dl;
        if (end - part >= 2 && part[0] == '-' && part[1] == '-')
            return false; /* closing delimiter */
        const uint8_t *lf = memchr(part, '\n', (size_t)(end - part));
        if (!lf)
            return false;
        part = lf + 1;
        const uint8_t *next = memmem(part, (size_t)(end - part), delim, dl);
        const uint8_t *pend = next ? next : end;
        /* the CRLF before the next delimiter belongs to the delimiter */
        if (next && pend > part && pend[-1] == '\n')
            pend--;
        if (next && pend > part && pend[-1] == '\r')
            pend--;
        bool is_sdp = false;
        const uint8_t *line = part;
        while (line < pend) {
            const uint8_t *le = memchr(line, '\n', (size_t)(pend - line));
            const uint8_t *ln_end = le ? le : pend;
            size_t ll = (size_t)(ln_end - line);
            if (ll && line[ll - 1] == '\r')
                ll--;
            if (ll == 0) { /* end of the part's headers */
                line = le ? le + 1 : pend;
                break;
            }
            const uint8_t *colon = memchr(line, ':', ll);
            if (colon) {
                size_t nl = (size_t)(colon - line);
                while (nl && (line[nl - 1] == ' ' || line[nl - 1] == '\t'))
                    nl--;
                if ((nl == 12 && strncasecmp((const char *)line, "Content-Type", 12) == 0) ||
                    (nl == 1 && (line[0] == 'c' || line[0] == 'C')))
                    is_sdp = sip_ctype_is(colon + 1, ll - (size_t)(colon - line) - 1, "application/sdp");
            }
            line = le ? le + 1 : pend;
        }
        if (is_sdp && line <= pend) {
            out->p = line;
            out->len = (uint32_t)(pend - line);
            return true;
        }
        d = next;
    }
    return false;
}

bool sip_sdp_body(const struct sip_msg *m, const struct sip_range *body, struct sip_range *out)
{
    if (!body->p || !body->len)
        return false;
    const struct sip_header *h = sip_msg_header(m, SIP_HDR_CONTENT_TYPE);
    if (!h || !h->value.p)
        return false;
    if (sip_ctype_is(h->value.p, h->value.len, "application/sdp")) {
        *out = *body;
        return true;
    }
    return sip_ctype_is(h->value.p, h->value.len, "multipart/") && sip_multipart_sdp(&h->value, body, out);
}

static void *sip_sdp_scratch_make(void *arg)
{
    TG_UNUSED(arg);
    return sdp_session_new(&sip_sdp_limits);
}

static void sip_sdp_scratch_free(void *obj)
{
    sdp_session_free(obj);
}

/* The SDP of a message parsed into a scratch session (valid until the next
 * message, pointing into the message), or NULL when there is none or the
 * body is not SDP. The scratch belongs to the engine: it is large (every
 * line, attribute and codec slot the caps allow) and only needed while one
 * message is handled, so it must not be kept per flow. Without an engine
 * (unit tests) the flow keeps one. */
static const struct sdp_session *sip_sdp_parse(struct engine *e, struct sip_flow_state *st, struct stats *stats,
                                               const struct sip_msg *m)
{
    struct sip_range part;
    if (!sip_sdp_body(m, &m->body, &part))
        return NULL;
    struct sdp_session *sdp = engine_scratch(e, ENGINE_SCRATCH_SDP, sip_sdp_scratch_make, sip_sdp_scratch_free, NULL);
    if (!e) {
        if (!st->sdp)
            st->sdp = sdp_session_new(&sip_sdp_limits);
        sdp = st->sdp;
    }
    if (!sdp)
        return NULL;
    return sdp_parse(sdp, part.p, part.len, stats) == TG_OK ? sdp : NULL;
}

/* The addresses of an EVE record follow the message's direction. TCP data
 * may be delivered by a packet of the other direction (an ACK) or by none
 * (flow end), so the header is then built from the flow, oriented by dir. */
static const struct packet *sip_eve_packet(const struct app_parse *ap, struct packet *tmp)
{
    const struct packet *p = ap->p;
    if (p && p->dir == ap->dir && p->ip_version)
        return p;
    const struct flow *f = ap->flow;
    if (!f)
        return p;
    int d = ap->dir ? 1 : 0;
    memset(tmp, 0, sizeof *tmp);
    tmp->num = p ? p->num : 0;
    tmp->ts_ns = p ? p->ts_ns : f->last_ns;
    tmp->ip_version = f->addr[0].family == 6 ? 6 : 4;
    tmp->src = f->addr[d];
    tmp->dst = f->addr[d ^ 1];
    tmp->sport = f->port[d];
    tmp->dport = f->port[d ^ 1];
    tmp->l4_proto = f->proto;
    tmp->flags = PKT_HAS_L4;
    tmp->flow = ap->flow;
    tmp->dir = (uint8_t)d;
    return tmp;
}

static void sip_emit_eve(struct sip_emit *em, const struct sip_msg *m, const struct sdp_session *sdp,
                         sip_event_set ev)
{
    struct packet *p = em->ap->p, tmp;
    const struct packet *hp = sip_eve_packet(em->ap, &tmp);
    uint64_t ts = p ? p->ts_ns : (em->e ? engine_now(em->e) : 0);
    if (!em->out)
        return;
    struct json *j = output_eve_begin(em->out, "sip", ts, em->ap->flow, hp, "sip");
    json_open_object(j, "sip");
    if (m->flags & SIP_MF_REQUEST) {
        json_strn(j, "method", m->method.p, m->method.len);
        json_strn(j, "uri", m->uri.p, m->uri.len);
        json_strn(j, "version", m->version.p, m->version.len);
        json_strn(j, "request_line", m->start_line.p, m->start_line.len);
    } else {
        json_strn(j, "version", m->version.p, m->version.len);
        json_strn(j, "code", m->status.p, m->status.len);
        json_strn(j, "reason", m->reason.p, m->reason.len);
        json_strn(j, "response_line", m->start_line.p, m->start_line.len);
    }
    if (sdp) {
        json_open_object(j, "sdp");
        sdp_json(sdp, j);
        json_close_object(j);
    }
    json_close_object(j);
    output_eve_finish(em->out);
    for (int e = 0; e < SIP_EV_MAX; e++) {
        if (!(ev & SIP_EV_BIT(e)))
            continue;
        const struct sip_event_info *in = sip_event_info((enum sip_event_id)e);
        j = output_eve_begin(em->out, "anomaly", ts, em->ap->flow, hp, "sip");
        json_open_object(j, "anomaly");
        json_str(j, "type", "applayer");
        json_str(j, "event", in->name);
        json_u64(j, "gid", in->gid);
        json_u64(j, "sid", in->sid);
        json_str(j, "layer", "proto_parser");
        if (p)
            json_u64(j, "packet", p->num);
        json_close_object(j);
        output_eve_finish(em->out);
    }
}

/* Sticky buffers of one SIP message for the rule engine (detect.h). Header
 * buffers have one instance per occurrence, so "sip.via" sees every Via. */
static const struct sip_range *sip_nth_header(const struct sip_msg *m, enum sip_hdr_id id, const char *name,
                                              uint32_t idx)
{
    if (id == SIP_HDR_OTHER && name)
        id = sip_header_lookup((const uint8_t *)name, strlen(name));
    if (id != SIP_HDR_OTHER) {
        const struct sip_header *h = sip_msg_header(m, id);
        for (uint32_t i = 0; h && i < idx; i++)
            h = sip_msg_header_next(m, h);
        return h ? &h->value : NULL;
    }
    if (!name)
        return NULL;
    size_t nl = strlen(name);
    for (uint32_t i = 0; i < m->n_hdrs; i++) {
        const struct sip_header *h = &m->hdrs[i];
        if (h->name.len == nl && strncasecmp((const char *)h->name.p, name, nl) == 0 && idx-- == 0)
            return &h->value;
    }
    return NULL;
}

/* What the buffer provider sees of one message. */
struct sip_detect_ctx {
    const struct sip_msg *m;
    const struct sdp_session *sdp; /* NULL without an SDP body */
};

_Static_assert(RULE_BUF_SDP_MEDIA_ENCRYPTION_KEY - RULE_BUF_SDP_ORIGIN + 1 == SDP_BUF_MAX,
               "rule.h's sdp.* buffers follow sdp.h's enum sdp_buffer");

/* Suricata's SIP frames: pdu is the whole message; line is the start line
 * with its CRLF; headers run from the first header to the end of the last
 * header line (the empty line excluded); body is the body. */
static bool sip_frame_buffer(const struct sip_msg *m, enum rule_buffer b, struct sip_range *out)
{
    bool req = (m->flags & SIP_MF_REQUEST) != 0;
    const uint8_t *head_end = m->head.p + m->head.len;
    const uint8_t *line_end = m->start_line.p + m->start_line.len;
    if (line_end < head_end && *line_end == '\r')
        line_end++;
    if (line_end < head_end && *line_end == '\n')
        line_end++;
    const uint8_t *hdr_end = head_end; /* drop the empty line */
    if (hdr_end > line_end && hdr_end[-1] == '\n')
        hdr_end--;
    if (hdr_end > line_end && hdr_end[-1] == '\r')
        hdr_end--;
    switch (b) {
    case RULE_BUF_SIP_FRAME_PDU:
        out->p = m->buf;
        out->len = m->len;
        return true;
    case RULE_BUF_SIP_FRAME_REQUEST_LINE:
    case RULE_BUF_SIP_FRAME_RESPONSE_LINE:
        if (req != (b == RULE_BUF_SIP_FRAME_REQUEST_LINE))
            return false;
        out->p = m->start_line.p;
        out->len = (uint32_t)(line_end - m->start_line.p);
        return true;
    case RULE_BUF_SIP_FRAME_REQUEST_HEADERS:
    case RULE_BUF_SIP_FRAME_RESPONSE_HEADERS:
        if (req != (b == RULE_BUF_SIP_FRAME_REQUEST_HEADERS) || hdr_end <= line_end)
            return false;
        out->p = line_end;
        out->len = (uint32_t)(hdr_end - line_end);
        return true;
    case RULE_BUF_SIP_FRAME_REQUEST_BODY:
    case RULE_BUF_SIP_FRAME_RESPONSE_BODY:
        if (req != (b == RULE_BUF_SIP_FRAME_REQUEST_BODY) || !m->body.len)
            return false;
        *out = m->body;
        return true;
    default:
        return false;
    }
}

static bool sip_detect_buffer(void *arg, enum rule_buffer b, const char *header, uint32_t idx,
                              const uint8_t **data, uint32_t *len)
{
    const struct sip_detect_ctx *ctx = arg;
    const struct sip_msg *m = ctx->m;
    if (b >= RULE_BUF_SDP_ORIGIN && b <= RULE_BUF_SDP_MEDIA_ENCRYPTION_KEY) {
        struct sdp_str v;
        if (!ctx->sdp || !sdp_buffer_get(ctx->sdp, (enum sdp_buffer)(b - RULE_BUF_SDP_ORIGIN), idx, &v) || !v.p)
            return false;
        *data = v.p;
        *len = v.len;
        return true;
    }
    bool req = (m->flags & SIP_MF_REQUEST) != 0;
    const struct sip_range *r = NULL;
    struct sip_range tmp;
    static const struct {
        enum rule_buffer b;
        enum sip_hdr_id id;
    } hdr_bufs[] = {
        {RULE_BUF_SIP_FROM, SIP_HDR_FROM},         {RULE_BUF_SIP_TO, SIP_HDR_TO},
        {RULE_BUF_SIP_VIA, SIP_HDR_VIA},           {RULE_BUF_SIP_CALL_ID, SIP_HDR_CALL_ID},
        {RULE_BUF_SIP_CSEQ, SIP_HDR_CSEQ},         {RULE_BUF_SIP_CONTACT, SIP_HDR_CONTACT},
        {RULE_BUF_SIP_USER_AGENT, SIP_HDR_USER_AGENT}, {RULE_BUF_SIP_SERVER, SIP_HDR_SERVER},
        {RULE_BUF_SIP_CONTENT_TYPE, SIP_HDR_CONTENT_TYPE},
        {RULE_BUF_SIP_CONTENT_LENGTH, SIP_HDR_CONTENT_LENGTH},
    };
    for (size_t i = 0; i < TG_ARRAY_LEN(hdr_bufs); i++)
        if (hdr_bufs[i].b == b) {
            r = sip_nth_header(m, hdr_bufs[i].id, NULL, idx);
            goto found;
        }
    if (b == RULE_BUF_SIP_HEADER) {
        r = header ? sip_nth_header(m, SIP_HDR_OTHER, header, idx) : NULL;
        goto found;
    }
    if (idx)
        return false;
    if (b >= RULE_BUF_SIP_FRAME_PDU && b <= RULE_BUF_SIP_FRAME_RESPONSE_BODY) {
        if (!sip_frame_buffer(m, b, &tmp))
            return false;
        r = &tmp;
        goto found;
    }
    switch (b) {
    case RULE_BUF_SIP_METHOD: r = req ? &m->method : NULL; break;
    case RULE_BUF_SIP_URI: r = req ? &m->uri : NULL; break;
    case RULE_BUF_SIP_REQUEST_LINE: r = req ? &m->start_line : NULL; break;
    case RULE_BUF_SIP_STAT_CODE: r = req ? NULL : &m->status; break;
    case RULE_BUF_SIP_STAT_MSG: r = req ? NULL : &m->reason; break;
    case RULE_BUF_SIP_RESPONSE_LINE: r = req ? NULL : &m->start_line; break;
    case RULE_BUF_SIP_PROTOCOL: r = &m->version; break;
    case RULE_BUF_SIP_BODY: r = &m->body; break;
    case RULE_BUF_SIP_HEADERS:
        /* the header block: after the start line, to the end of the head */
        if (m->n_hdrs) {
            tmp.p = m->hdrs[0].line.p;
            tmp.len = (uint32_t)(m->head.p + m->head.len - tmp.p);
            r = &tmp;
        }
        break;
    default: break;
    }
found:
    if (!r || !r->p)
        return false;
    *data = r->p;
    *len = r->len;
    return true;
}

/* Run the rules on a message and on each event it raised. */
static void sip_detect(struct sip_emit *em, const struct sip_msg *m, const struct sdp_session *sdp,
                       sip_event_set ev)
{
    struct detect *d = em->e ? engine_detect(em->e) : NULL;
    if (!d)
        return;
    struct packet tmp;
    /* Verdicts land on the packet that brought the message; when that was
     * a packet of the other direction (an ACK) they cannot. */
    struct packet *p = em->ap->p;
    if (!p || p->dir != em->ap->dir || !p->ip_version)
        p = (struct packet *)sip_eve_packet(em->ap, &tmp);
    if (!p)
        return;
    struct sip_detect_ctx ctx = {.m = m, .sdp = sdp};
    detect_app(d, p, "sip", sip_detect_buffer, &ctx);
    for (int e = 0; e < SIP_EV_MAX; e++)
        if (ev & SIP_EV_BIT(e))
            detect_app_event(d, p, "sip", sip_event_info((enum sip_event_id)e)->name);
}

/* The message as Suricata inspects it: over UDP, bytes after the
 * Content-Length that are not another message still belong to the body
 * (a lenient receiver reads them; Suricata's sip.body and SDP include them).
 * The anomaly (mismatch_content_len) has been raised already. Returns m, or
 * whole filled with m and the longer body. */
static const struct sip_msg *sip_inspected_msg(const struct sip_emit *em, const struct sip_msg *m,
                                               sip_event_set ev, struct sip_msg *whole)
{
    if (!em->dgram_end || !(ev & SIP_EV_BIT(SIP_EV_MISMATCH_CONTENT_LEN)))
        return m;
    const uint8_t *body = m->body.p ? m->body.p : m->head.p + m->head.len;
    if (em->dgram_end <= body)
        return m;
    *whole = *m;
    whole->body.p = body;
    whole->body.len = (uint32_t)(em->dgram_end - body);
    whole->len = (uint32_t)(em->dgram_end - m->buf);
    return whole;
}

/* Every tokenized message passes here exactly once, in order per direction:
 * the place for the call tracker to consume it (sip_msg plus the lazy
 * sip_parse_name_addr / sip_parse_via / sip_parse_cseq / sip_parse_auth). */
static void sip_handle_message(const struct sip_msg *m, sip_event_set ev, void *arg)
{
    struct sip_emit *em = arg;
    bool cap_hit = false;
    ev |= sip_dialog_update(em->st->dialogs, m, &cap_hit);
    if (em->st->over_sessions) {
        ev |= SIP_EV_BIT(SIP_EV_MAX_SESSIONS);
        em->st->over_sessions = false;
    }
    if (em->stats) {
        stats_inc(em->stats, STAT_SIP_MESSAGES);
        stats_inc(em->stats, (m->flags & SIP_MF_REQUEST) ? STAT_SIP_REQUESTS : STAT_SIP_RESPONSES);
        for (int e = 0; e < SIP_EV_MAX; e++)
            if (ev & SIP_EV_BIT(e))
                stats_inc(em->stats, STAT_SIP_EVENTS);
        if (ev & SIP_EV_BIT(SIP_EV_OSIP_PARSE_FAILED))
            stats_inc(em->stats, STAT_SIP_OSIP_FAILURES);
        if (m->flags & SIP_MF_HDR_CAP)
            stats_inc(em->stats, STAT_SIP_HEADER_CAP_HIT);
        if (cap_hit)
            stats_inc(em->stats, STAT_SIP_DIALOG_CAP_HIT);
    }
    struct sip_msg whole;
    const struct sip_msg *im = sip_inspected_msg(em, m, ev, &whole);
    const struct sdp_session *sdp = sip_sdp_parse(em->e, em->st, em->stats, im);
    sip_emit_eve(em, m, sdp, ev);
    if (em->e)
        sip_call_message_sdp(engine_calls(em->e), m, em->ap->flow, em->ap->dir,
                             em->ap->p ? em->ap->p->ts_ns : engine_now(em->e), sdp);
    sip_detect(em, im, sdp, ev);
    engine_observe(em->e, "sip", m, em->ap->p);
}

static void *sip_hdrs_scratch_make(void *arg)
{
    const struct sip_config *c = arg;
    return malloc((size_t)c->max_headers * sizeof(struct sip_header));
}

static void sip_hdrs_scratch_free(void *obj)
{
    free(obj);
}

static size_t sip_app_parse(void *state, struct app_parse *ap, const uint8_t *data, size_t len)
{
    const struct sip_config *c = sip_inspect_config(sip_app_ctx);
    struct sip_emit em = {.e = ap->user, .ap = ap, .st = state};
    if (em.e) {
        em.stats = engine_stats(em.e);
        em.out = engine_output(em.e);
    }
    if (len == 0)
        return 0;
    /* The header array (sip.max-headers entries, 12 KB by default) is the
     * engine's: a malloc and free of it per datagram showed in profiles.
     * Nothing keeps it past this call. Without an engine (unit tests) it
     * is allocated here. */
    struct sip_header *hdrs =
        engine_scratch(em.e, ENGINE_SCRATCH_SIP_HDRS, sip_hdrs_scratch_make, sip_hdrs_scratch_free, (void *)c);
    struct sip_header *own = NULL;
    if (!em.e)
        hdrs = own = sip_hdrs_scratch_make((void *)c);
    if (!hdrs)
        return len; /* out of memory: skip these bytes rather than stall the stream */

    if (ap->flags & APP_DATAGRAM) {
        em.dgram_end = data + len;
        if (sip_inspect_datagram(sip_app_ctx, data, len, hdrs, c->max_headers, sip_handle_message, &em) == 0) {
            /* CRLF keepalives are not errors */
            size_t k = 0;
            while (k < len && (data[k] == '\r' || data[k] == '\n'))
                k++;
            if (k < len && em.stats)
                stats_inc(em.stats, STAT_SIP_PARSE_ERRORS);
        }
        free(own);
        return len;
    }

    struct sip_msg m;
    sip_msg_init(&m, hdrs, c->max_headers);
    size_t off = 0;
    /* after lost bytes the data starts mid-message: resynchronising on the
     * next start line is expected there, not junk sent by the peer */
    bool resync = ap->flags & APP_GAP;
    while (off < len) {
        int64_t r = sip_parse_message(data + off, len - off, SIP_STREAM, &m);
        if (r == TG_AGAIN) {
            if (len - off > c->max_message || (ap->flags & APP_EOF)) {
                /* a message that never completes: drop it (counted) */
                if (em.stats)
                    stats_inc(em.stats, STAT_SIP_PARSE_ERRORS);
                off = len;
            }
            break;
        }
        if (r == TG_DECLINED) {
            size_t skip = m.skipped ? m.skipped : len - off;
            bool only_crlf = true;
            for (size_t k = off; k < off + skip; k++)
                if (data[k] != '\r' && data[k] != '\n')
                    only_crlf = false;
            if (!only_crlf && !resync && em.stats)
                stats_inc(em.stats, STAT_SIP_PARSE_ERRORS);
            off += skip;
            continue;
        }
        sip_event_set ev = sip_inspect_message(sip_app_ctx, &m, SIP_STREAM);
        if (resync)
            ev &= ~SIP_EV_BIT(SIP_EV_JUNK_BEFORE_MESSAGE);
        resync = false;
        sip_handle_message(&m, ev, &em);
        off += (size_t)r;
    }
    free(own);
    return off;
}

static const struct app_proto_desc sip_app_desc = {
    .name = "sip",
    .ipprotos = APP_IPPROTO_TCP | APP_IPPROTO_UDP,
    .ports = {5060, 5061, 5062, 5080},
    .probe = sip_app_probe,
    .state_new = sip_app_state_new,
    .state_free = sip_app_state_free,
    .parse = sip_app_parse,
};

int sip_app_register(struct app_layer *al, const struct config *cfg)
{
    /* workers may build their engines in parallel */
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&lock);
    if (!sip_app_ctx) {
        struct sip_config c;
        sip_config_load(&c, cfg);
        sip_osip_init();
        sip_app_ctx = sip_inspect_new(&c);
        sdp_limits_init(&sip_sdp_limits, cfg);
    }
    bool ok = sip_app_ctx != NULL;
    pthread_mutex_unlock(&lock);
    return ok ? app_layer_register(al, &sip_app_desc) : TG_ERROR;
}
