/* detect.c - rule groups, prefilter, full match, actions and alerts.
 *
 * Compilation sorts rules by action (Suricata's order: pass, drop, reject,
 * alert) then file order, and puts each in one group by where it can match:
 * packet rules (header, flow, pkt_data), app rules (a sticky buffer of a
 * parsed message), event rules (app-layer-event). Each group has a
 * multi-pattern prefilter over the rules' fast patterns, per buffer; rules
 * without a usable fast pattern are always candidates. Candidates are then
 * matched fully in rule order. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../sensor/config.h"
#include "../sensor/output.h"
#include "detect-payload.h"
#include "detect.h"
#include "flowbits.h"
#include "iplist.h"
#include "mpm.h"
#include "threshold-config.h"
#include "threshold.h"
#include "xbits.h"

enum detect_kind { DETECT_PKT = 0, DETECT_APP, DETECT_EVENT };

/* Transport classes rule groups are split by. */
enum detect_l4_class { DETECT_L4_TCP = 0, DETECT_L4_UDP, DETECT_L4_ICMP, DETECT_L4_OTHER, DETECT_L4_CLASSES };

static enum detect_l4_class detect_l4_of_packet(const struct packet *p)
{
    switch (p->l4_proto) {
    case IPPROTO_NUM_TCP: return DETECT_L4_TCP;
    case IPPROTO_NUM_UDP: return DETECT_L4_UDP;
    case IPPROTO_NUM_ICMP:
    case IPPROTO_NUM_ICMPV6: return DETECT_L4_ICMP;
    default: return DETECT_L4_OTHER;
    }
}

/* Bit set of the classes a rule can match: its header's protocol; an
 * app-layer protocol runs over TCP and UDP. */
static unsigned detect_l4_of_rule(const struct rule *r)
{
    switch (r->l4) {
    case RULE_L4_TCP:
    case RULE_L4_TCP_PKT:
    case RULE_L4_TCP_STREAM: return 1u << DETECT_L4_TCP;
    case RULE_L4_UDP: return 1u << DETECT_L4_UDP;
    case RULE_L4_ICMP:
    case RULE_L4_ICMPV4:
    case RULE_L4_ICMPV6: return 1u << DETECT_L4_ICMP;
    case RULE_L4_SCTP: return 1u << DETECT_L4_OTHER;
    case RULE_L4_ANY:
        return r->app_proto ? (1u << DETECT_L4_TCP) | (1u << DETECT_L4_UDP) : (1u << DETECT_L4_CLASSES) - 1;
    }
    return (1u << DETECT_L4_CLASSES) - 1;
}

/* flowbits/xbits names resolved to ids at compile time. */
struct detect_bits {
    const struct rule_match *m;
    uint32_t *ids;
};

/* iplist matches resolved to their loaded list. */
struct detect_iplist {
    const struct rule_match *m;
    const struct iplist *list;
};

struct detect_rule {
    struct rule *r;
    struct detect_iplist *ipl;
    size_t nipl;
    uint8_t kind;          /* enum detect_kind */
    bool always;           /* no usable fast pattern: always a candidate */
    int fp_buffer;         /* buffer of the fast pattern, -1 none */
    struct detect_bits *bits;
    size_t nbits;
    uint64_t hits;
};

/* One prefilter per buffer (pkt group uses only PKT_DATA). */
struct detect_group {
    struct mpm *mpm[RULE_BUF_MAX];
    uint32_t *always;      /* rule indexes, in order */
    size_t nalways;
    bool any_rules;
};

struct detect {
    struct detect_rule *rules;
    size_t n;
    /* [DETECT_PKT or DETECT_APP][transport class]: a packet only meets the
     * rules that can match its transport (Suricata's per-protocol groups) */
    struct detect_group groups[2][DETECT_L4_CLASSES];
    struct stats *stats;
    struct output *out;
    struct threshold_table *thresholds;
    struct threshold_config *tconf; /* the threshold/suppress file, or NULL */
    struct xbits *xbits;
    char **bitnames;
    size_t nbitnames;
    /* address lists named by iplist keywords, loaded from iplist.NAME */
    struct { char *name; struct iplist *list; } *lists;
    size_t nlists;
    const struct config *cfg;
    enum mpm_backend mpm_backend; /* detect.mpm */
    char *err;
    size_t errlen;
    uint32_t flowbits_max;
    bool inline_mode; /* verdicts are carried out (runmode = inline) */
    /* per inspection: the candidates as a bitmap over rule indexes, so
     * they come out deduplicated and in rule order without a sort */
    uint64_t *candbits;
    size_t ncandwords;
    size_t ncand;
    struct detect_scratch scratch;
    detect_trace_fn trace;
    void *trace_arg;
};

/* ---- compile ---------------------------------------------------------- */

static int action_rank(enum rule_action a)
{
    switch (a) {
    case RULE_ACTION_PASS: return 0;
    case RULE_ACTION_DROP: return 1;
    case RULE_ACTION_REJECT:
    case RULE_ACTION_REJECTSRC:
    case RULE_ACTION_REJECTDST:
    case RULE_ACTION_REJECTBOTH: return 2;
    default: return 3;
    }
}

static uint32_t bit_id(struct detect *d, const char *name)
{
    for (size_t i = 0; i < d->nbitnames; i++)
        if (strcmp(d->bitnames[i], name) == 0)
            return (uint32_t)i;
    char **nv = realloc(d->bitnames, (d->nbitnames + 1) * sizeof *nv);
    if (!nv)
        return UINT32_MAX;
    d->bitnames = nv;
    nv[d->nbitnames] = strdup(name);
    if (!nv[d->nbitnames])
        return UINT32_MAX;
    return (uint32_t)d->nbitnames++;
}

static bool is_app_match(enum rule_match_type t)
{
    return t == RULE_MATCH_SIP_METHOD || t == RULE_MATCH_SIP_STAT_CODE || t == RULE_MATCH_SIP_HDR_COUNT;
}

/* The list called name, loaded on first use from the config key iplist.NAME. */
static const struct iplist *detect_list(struct detect *d, const struct rule *r, const char *name)
{
    for (size_t i = 0; i < d->nlists; i++)
        if (strcmp(d->lists[i].name, name) == 0)
            return d->lists[i].list;
    char key[160];
    snprintf(key, sizeof key, "iplist.%s", name);
    const char *path = config_get(d->cfg, key);
    if (!path) {
        snprintf(d->err, d->errlen, "%s:%u: error: iplist: no file for list '%s' (set %s = FILE)",
                 r->file ? r->file : "?", r->line, name, key);
        return NULL;
    }
    void *nv = realloc(d->lists, (d->nlists + 1) * sizeof *d->lists);
    if (!nv)
        return NULL;
    d->lists = nv;
    struct iplist *l = iplist_new();
    char *nm = strdup(name);
    if (!l || !nm || iplist_load(l, path, d->err, d->errlen) != TG_OK) {
        if (!l || !nm)
            snprintf(d->err, d->errlen, "out of memory loading iplist %s", name);
        iplist_free(l);
        free(nm);
        return NULL;
    }
    d->lists[d->nlists].name = nm;
    d->lists[d->nlists].list = l;
    d->nlists++;
    return l;
}

static int compile_rule(struct detect *d, struct detect_rule *dr)
{
    struct rule *r = dr->r;
    for (size_t i = 0; i < r->npkt; i++) {
        const struct rule_match *m = &r->pkt_matches[i];
        if (m->type != RULE_MATCH_IPLIST)
            continue;
        const struct iplist *l = detect_list(d, r, m->u.iplist.name);
        struct detect_iplist *nv = l ? realloc(dr->ipl, (dr->nipl + 1) * sizeof *nv) : NULL;
        if (!nv)
            return TG_ERROR;
        dr->ipl = nv;
        dr->ipl[dr->nipl].m = m;
        dr->ipl[dr->nipl].list = l;
        dr->nipl++;
    }
    dr->kind = DETECT_PKT;
    for (size_t i = 0; i < r->nlists; i++)
        if (r->lists[i].buffer != RULE_BUF_PKT_DATA)
            dr->kind = DETECT_APP;
    for (size_t i = 0; i < r->npkt; i++) {
        const struct rule_match *m = &r->pkt_matches[i];
        if (is_app_match(m->type))
            dr->kind = DETECT_APP;
        if (m->type == RULE_MATCH_FLOWBITS || m->type == RULE_MATCH_XBITS) {
            struct detect_bits *nb = realloc(dr->bits, (dr->nbits + 1) * sizeof *nb);
            if (!nb)
                return TG_ERROR;
            dr->bits = nb;
            struct detect_bits *b = &dr->bits[dr->nbits++];
            b->m = m;
            b->ids = calloc(m->u.bits.nnames ? m->u.bits.nnames : 1, sizeof *b->ids);
            if (!b->ids)
                return TG_ERROR;
            for (size_t k = 0; k < m->u.bits.nnames; k++)
                if ((b->ids[k] = bit_id(d, m->u.bits.names[k])) == UINT32_MAX)
                    return TG_ERROR;
        }
    }
    for (size_t i = 0; i < r->npkt; i++)
        if (r->pkt_matches[i].type == RULE_MATCH_APP_EVENT)
            dr->kind = DETECT_EVENT;
    dr->fp_buffer = -1;
    dr->always = true;
    if (dr->kind == DETECT_EVENT)
        return TG_OK;
    const struct rule_list *list;
    const uint8_t *bytes;
    size_t len;
    const struct rule_match *fp = rule_fast_pattern(r, &list, &bytes, &len);
    /* sip.header lists carry a header name the prefilter cannot see; a
     * transformed buffer is not the bytes the prefilter scans; in the
     * packet group only pkt_data is scanned. */
    if (fp && len && !list->header && !list->ntransforms && !(dr->kind == DETECT_PKT && list->buffer != RULE_BUF_PKT_DATA)) {
        dr->fp_buffer = list->buffer;
        dr->always = false;
    }
    return TG_OK;
}

static int compile_groups(struct detect *d)
{
    for (size_t i = 0; i < d->n; i++) {
        struct detect_rule *dr = &d->rules[i];
        if (dr->kind == DETECT_EVENT)
            continue;
        unsigned classes = detect_l4_of_rule(dr->r);
        const uint8_t *pat = NULL;
        size_t len = 0;
        if (!dr->always)
            rule_fast_pattern(dr->r, NULL, &pat, &len);
        for (int c = 0; c < DETECT_L4_CLASSES; c++) {
            if (!(classes & (1u << c)))
                continue;
            struct detect_group *g = &d->groups[dr->kind][c];
            g->any_rules = true;
            if (dr->always) {
                uint32_t *na = realloc(g->always, (g->nalways + 1) * sizeof *na);
                if (!na)
                    return TG_ERROR;
                g->always = na;
                g->always[g->nalways++] = (uint32_t)i;
                continue;
            }
            if (!g->mpm[dr->fp_buffer] && !(g->mpm[dr->fp_buffer] = mpm_new_backend(d->mpm_backend)))
                return TG_ERROR;
            if (mpm_add(g->mpm[dr->fp_buffer], pat, len, (uint32_t)i) != TG_OK)
                return TG_ERROR;
        }
    }
    for (int k = 0; k < 2; k++)
        for (int c = 0; c < DETECT_L4_CLASSES; c++)
            for (int b = 0; b < RULE_BUF_MAX; b++)
                if (d->groups[k][c].mpm[b] && mpm_build(d->groups[k][c].mpm[b]) != TG_OK)
                    return TG_ERROR;
    return TG_OK;
}

struct detect *detect_new(const struct config *cfg, struct ruleset *rs, struct stats *st,
                          struct output *out, struct detect *prev, char *err, size_t errlen)
{
    struct detect *d = calloc(1, sizeof *d);
    if (!d)
        goto oom;
    d->stats = st;
    d->out = out;
    d->cfg = cfg;
    d->err = err;
    d->errlen = errlen;
    err[0] = '\0';
    d->flowbits_max = (uint32_t)config_get_u64(cfg, "detect.flowbits.max-per-flow", 256);
    const char *runmode = config_get(cfg, "runmode");
    d->inline_mode = runmode && strcmp(runmode, "inline") == 0;
    if (mpm_backend_from_config(cfg, &d->mpm_backend, err, errlen) != TG_OK) {
        detect_free(d);
        return NULL;
    }
    if (prev) {
        /* Bit ids stay what they were: flows carry them across the reload.
         * The names are copied now; state moves over only on success, so a
         * failed reload leaves prev intact. */
        for (size_t i = 0; i < prev->nbitnames; i++)
            if (bit_id(d, prev->bitnames[i]) == UINT32_MAX)
                goto oom;
    } else {
        d->thresholds = threshold_new(cfg, st);
        d->xbits = xbits_new(cfg, st);
    }
    if ((!prev && (!d->thresholds || !d->xbits)) || detect_scratch_init(&d->scratch) != TG_OK)
        goto oom;
    const char *tfile = config_get(cfg, "threshold-file");
    if (tfile) {
        if (!(d->tconf = threshold_config_new()))
            goto oom;
        if (threshold_config_load(d->tconf, tfile, err, errlen) != TG_OK) {
            detect_free(d);
            return NULL;
        }
    }
    /* Stable sort by action: qsort is not stable, so sort indexes. */
    size_t n = rs->n;
    d->rules = calloc(n ? n : 1, sizeof *d->rules);
    d->ncandwords = (n + 63) / 64;
    d->candbits = calloc(d->ncandwords ? d->ncandwords : 1, sizeof *d->candbits);
    if (!d->rules || !d->candbits)
        goto oom;
    size_t k = 0;
    for (int rank = 0; rank <= 3; rank++)
        for (size_t i = 0; i < n; i++)
            if (action_rank(rs->rules[i]->action) == rank)
                d->rules[k++].r = rs->rules[i];
    d->n = k;
    free(rs->rules);
    rs->rules = NULL;
    rs->n = rs->cap = 0;
    for (size_t i = 0; i < d->n; i++)
        if (compile_rule(d, &d->rules[i]) != TG_OK)
            goto fail;
    if (compile_groups(d) != TG_OK)
        goto oom;
    if (prev) {
        /* Cross-connection state (xbits, thresholds) outlives a reload. */
        d->thresholds = prev->thresholds;
        d->xbits = prev->xbits;
        prev->thresholds = NULL;
        prev->xbits = NULL;
    }
    d->err = NULL; /* the caller's buffer is only ours during compilation */
    d->errlen = 0;
    return d;
oom:
    snprintf(err, errlen, "out of memory compiling the rules");
    detect_free(d);
    return NULL;
fail:
    if (!err[0])
        snprintf(err, errlen, "out of memory compiling the rules");
    detect_free(d);
    return NULL;
}

void detect_free(struct detect *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        for (size_t k = 0; k < d->rules[i].nbits; k++)
            free(d->rules[i].bits[k].ids);
        free(d->rules[i].bits);
        free(d->rules[i].ipl);
        rule_free(d->rules[i].r);
    }
    free(d->rules);
    for (int g = 0; g < 2; g++) {
        for (int c = 0; c < DETECT_L4_CLASSES; c++) {
            for (int b = 0; b < RULE_BUF_MAX; b++)
                mpm_free(d->groups[g][c].mpm[b]);
            free(d->groups[g][c].always);
        }
    }
    for (size_t i = 0; i < d->nlists; i++) {
        free(d->lists[i].name);
        iplist_free(d->lists[i].list);
    }
    free(d->lists);
    for (size_t i = 0; i < d->nbitnames; i++)
        free(d->bitnames[i]);
    free(d->bitnames);
    free(d->candbits);
    threshold_free(d->thresholds);
    threshold_config_free(d->tconf);
    xbits_free(d->xbits);
    detect_scratch_free(&d->scratch);
    free(d);
}

/* ---- matching --------------------------------------------------------- */

struct detect_ctx {
    struct detect *d;
    struct packet *p;
    const char *app_proto;
    const char *event;
    detect_buffer_fn get;
    void *arg;
    bool swapped; /* a <> rule matched with src and dst swapped */
};

static bool l4_match(const struct rule *r, const struct packet *p)
{
    switch (r->l4) {
    case RULE_L4_ANY: return p->ip_version != 0;
    case RULE_L4_TCP:
    case RULE_L4_TCP_PKT:
    case RULE_L4_TCP_STREAM: return p->l4_proto == IPPROTO_NUM_TCP;
    case RULE_L4_UDP: return p->l4_proto == IPPROTO_NUM_UDP;
    case RULE_L4_ICMP: return p->l4_proto == IPPROTO_NUM_ICMP || p->l4_proto == IPPROTO_NUM_ICMPV6;
    case RULE_L4_ICMPV4: return p->l4_proto == IPPROTO_NUM_ICMP;
    case RULE_L4_ICMPV6: return p->l4_proto == IPPROTO_NUM_ICMPV6;
    case RULE_L4_SCTP: return p->l4_proto == 132;
    }
    return false;
}

static bool ends_match(const struct rule *r, const struct ip_addr *sa, uint16_t sp, const struct ip_addr *da,
                       uint16_t dp, bool ports)
{
    if (!rule_addr_match(&r->src, sa->family, sa->b) || !rule_addr_match(&r->dst, da->family, da->b))
        return false;
    if (ports && (!rule_port_match(&r->sport, sp) || !rule_port_match(&r->dport, dp)))
        return false;
    return true;
}

static bool header_match(struct detect_ctx *c, const struct rule *r)
{
    const struct packet *p = c->p;
    if (!l4_match(r, p))
        return false;
    if (r->app_proto) {
        if (!c->app_proto)
            return false;
        /* SDP travels inside SIP: sdp rules inspect sip flows. */
        if (strcmp(r->app_proto, c->app_proto) != 0 &&
            !(strcmp(r->app_proto, "sdp") == 0 && strcmp(c->app_proto, "sip") == 0))
            return false;
    }
    bool ports = (p->flags & PKT_HAS_L4) && (p->l4_proto == IPPROTO_NUM_TCP || p->l4_proto == IPPROTO_NUM_UDP);
    c->swapped = false;
    if (ends_match(r, &p->src, p->sport, &p->dst, p->dport, ports))
        return true;
    if (r->bidirectional && ends_match(r, &p->dst, p->dport, &p->src, p->sport, ports)) {
        c->swapped = true;
        return true;
    }
    return false;
}

static bool bits_test(struct detect_ctx *c, const struct detect_bits *b)
{
    const struct rule_bits *rb = &b->m->u.bits;
    bool want_set = rb->cmd == RULE_BITS_ISSET;
    if (rb->cmd != RULE_BITS_ISSET && rb->cmd != RULE_BITS_ISNOTSET)
        return true;
    size_t nset = 0;
    for (size_t k = 0; k < rb->nnames; k++) {
        bool set;
        if (b->m->type == RULE_MATCH_FLOWBITS) {
            set = c->p->flow && flowbits_isset(c->p->flow->flowbits, b->ids[k]);
        } else {
            enum track_by t = rb->track == RULE_TRACK_DST ? TRACK_BY_DST
                            : rb->track == RULE_TRACK_PAIR ? TRACK_BY_PAIR : TRACK_BY_SRC;
            set = xbits_isset(c->d->xbits, b->ids[k], t, &c->p->src, &c->p->dst, c->p->ts_ns);
        }
        nset += set == want_set;
    }
    /* "a|b": any of them; "a&b" or a single name: all of them */
    return rb->any_of ? nset > 0 : nset == rb->nnames;
}

static void bits_apply(struct detect_ctx *c, const struct detect_bits *b)
{
    const struct rule_bits *rb = &b->m->u.bits;
    for (size_t k = 0; k < rb->nnames; k++) {
        uint32_t id = b->ids[k];
        if (b->m->type == RULE_MATCH_FLOWBITS) {
            struct flow *f = c->p->flow;
            if (!f)
                continue;
            int rc = TG_OK;
            if (rb->cmd == RULE_BITS_SET)
                rc = flowbits_set(&f->flowbits, id, c->d->flowbits_max);
            else if (rb->cmd == RULE_BITS_UNSET)
                flowbits_unset(f->flowbits, id);
            else if (rb->cmd == RULE_BITS_TOGGLE)
                rc = flowbits_toggle(&f->flowbits, id, c->d->flowbits_max);
            if (rc != TG_OK)
                stats_inc(c->d->stats, STAT_DETECT_FLOWBITS_CAP_HIT);
        } else {
            enum track_by t = rb->track == RULE_TRACK_DST ? TRACK_BY_DST
                            : rb->track == RULE_TRACK_PAIR ? TRACK_BY_PAIR : TRACK_BY_SRC;
            /* expire 0 means "until the table reclaims it": a day */
            uint32_t ex = rb->expire_s ? rb->expire_s : 86400;
            if (rb->cmd == RULE_BITS_SET)
                xbits_set(c->d->xbits, id, t, &c->p->src, &c->p->dst, c->p->ts_ns, ex);
            else if (rb->cmd == RULE_BITS_UNSET)
                xbits_unset(c->d->xbits, id, t, &c->p->src, &c->p->dst);
            else if (rb->cmd == RULE_BITS_TOGGLE)
                xbits_toggle(c->d->xbits, id, t, &c->p->src, &c->p->dst, c->p->ts_ns, ex);
        }
    }
}

static bool tcp_flags_match(const struct rule_tcp_flags *t, uint8_t flags)
{
    uint8_t f = flags & (uint8_t)~t->mask;
    switch (t->modifier) {
    case '+': return (f & t->set) == t->set;
    case '*': return (f & t->set) != 0;
    case '!': return (f & t->set) == 0;
    default: return f == t->set;
    }
}

static bool get_buf(struct detect_ctx *c, enum rule_buffer b, const char *header, uint32_t idx,
                    const uint8_t **data, uint32_t *len)
{
    if (b == RULE_BUF_PKT_DATA) {
        if (idx)
            return false;
        *data = c->p->payload ? c->p->payload : (const uint8_t *)"";
        *len = c->p->payload_len;
        return true;
    }
    return c->get && c->get(c->arg, b, header, idx, data, len);
}

static bool sip_method_match(struct detect_ctx *c, const struct rule_list_u32 *l)
{
    const uint8_t *m;
    uint32_t ml;
    return get_buf(c, RULE_BUF_SIP_METHOD, NULL, 0, &m, &ml) &&
           rule_sip_method_match(l, (const char *)m, ml);
}

static bool sip_stat_match(struct detect_ctx *c, const struct rule_list_u32 *l)
{
    const uint8_t *s;
    uint32_t sl;
    if (!get_buf(c, RULE_BUF_SIP_STAT_CODE, NULL, 0, &s, &sl) || sl == 0 || sl > 9)
        return false;
    unsigned code = 0;
    for (uint32_t i = 0; i < sl; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        code = code * 10 + (unsigned)(s[i] - '0');
    }
    return rule_sip_stat_code_match(l, code);
}

static bool pkt_match(struct detect_ctx *c, const struct detect_rule *dr)
{
    const struct rule *r = dr->r;
    const struct packet *p = c->p;
    for (size_t i = 0; i < r->npkt; i++) {
        const struct rule_match *m = &r->pkt_matches[i];
        switch (m->type) {
        case RULE_MATCH_FLOW: {
            unsigned f = m->u.flow;
            if ((f & RULE_FLOW_TO_SERVER) && (!p->flow || p->dir != DIR_TO_SERVER))
                return false;
            if ((f & RULE_FLOW_TO_CLIENT) && (!p->flow || p->dir != DIR_TO_CLIENT))
                return false;
            if ((f & RULE_FLOW_ESTABLISHED) && (!p->flow || p->flow->state != FLOW_STATE_ESTABLISHED))
                return false;
            if ((f & RULE_FLOW_NOT_ESTABLISHED) && p->flow && p->flow->state == FLOW_STATE_ESTABLISHED)
                return false;
            if ((f & RULE_FLOW_ONLY_FRAG) && !(p->flags & PKT_REASSEMBLED))
                return false;
            if ((f & RULE_FLOW_NO_FRAG) && (p->flags & PKT_REASSEMBLED))
                return false;
            break;
        }
        case RULE_MATCH_FLOWBITS:
        case RULE_MATCH_XBITS:
        case RULE_MATCH_IPLIST:
            break; /* tested below with what compilation resolved */
        case RULE_MATCH_DSIZE:
            if (!rule_num_match(&m->u.num, p->payload_len))
                return false;
            break;
        case RULE_MATCH_TTL:
            if (!p->ip_version || !rule_num_match(&m->u.num, p->ttl))
                return false;
            break;
        case RULE_MATCH_ITYPE:
        case RULE_MATCH_ICODE:
            if (p->l4_proto != IPPROTO_NUM_ICMP && p->l4_proto != IPPROTO_NUM_ICMPV6)
                return false;
            if (!rule_num_match(&m->u.num, m->type == RULE_MATCH_ITYPE ? p->icmp_type : p->icmp_code))
                return false;
            break;
        case RULE_MATCH_IP_PROTO:
            if (!rule_num_match(&m->u.num, p->l4_proto))
                return false;
            break;
        case RULE_MATCH_TCP_FLAGS:
            if (p->l4_proto != IPPROTO_NUM_TCP || !tcp_flags_match(&m->u.tcp_flags, p->tcp_flags))
                return false;
            break;
        case RULE_MATCH_TCP_ACK:
        case RULE_MATCH_TCP_SEQ:
        case RULE_MATCH_TCP_WINDOW: {
            if (p->l4_proto != IPPROTO_NUM_TCP)
                return false;
            uint64_t v = m->type == RULE_MATCH_TCP_ACK ? p->tcp_ack
                       : m->type == RULE_MATCH_TCP_SEQ ? p->tcp_seq : p->tcp_win;
            if (!rule_num_match(&m->u.num, v))
                return false;
            break;
        }
        case RULE_MATCH_SAMEIP:
            if (ip_addr_cmp(&p->src, &p->dst) != 0)
                return false;
            break;
        case RULE_MATCH_APP_PROTO: {
            bool eq = c->app_proto && strcmp(c->app_proto, m->u.app.name) == 0;
            if (eq == m->u.app.negated)
                return false;
            break;
        }
        case RULE_MATCH_APP_EVENT:
            if (!c->event || strcmp(c->event, m->u.app.name) != 0)
                return false;
            break;
        case RULE_MATCH_SIP_METHOD:
            if (!sip_method_match(c, &m->u.list))
                return false;
            break;
        case RULE_MATCH_SIP_STAT_CODE:
            if (!sip_stat_match(c, &m->u.list))
                return false;
            break;
        case RULE_MATCH_SIP_HDR_COUNT: {
            uint32_t n = 0;
            const uint8_t *x;
            uint32_t xl;
            while (n < 100000 && get_buf(c, RULE_BUF_SIP_HEADER, m->u.hdr_count.name, n, &x, &xl))
                n++;
            if (!rule_num_match(&m->u.hdr_count.num, n))
                return false;
            break;
        }
        default:
            /* keywords parsed but not evaluated by this sensor (flowint,
             * stream_size, ip id, ...): the rule cannot match */
            return false;
        }
    }
    for (size_t i = 0; i < dr->nbits; i++)
        if (!bits_test(c, &dr->bits[i]))
            return false;
    for (size_t i = 0; i < dr->nipl; i++) {
        const struct rule_iplist *il = &dr->ipl[i].m->u.iplist;
        bool s = iplist_contains(dr->ipl[i].list, &p->src), t = iplist_contains(dr->ipl[i].list, &p->dst);
        bool in = il->side == RULE_IPLIST_SRC ? s : il->side == RULE_IPLIST_DST ? t
                : il->side == RULE_IPLIST_BOTH ? s && t : s || t;
        if (in == il->negated)
            return false;
    }
    return true;
}

/* Every list must hold on at least one instance of its buffer. */
static bool lists_match(struct detect_ctx *c, const struct rule *r, enum rule_buffer *mbuf, uint32_t *moff)
{
    for (size_t i = 0; i < r->nlists; i++) {
        const struct rule_list *l = &r->lists[i];
        bool ok = false;
        const uint8_t *data;
        uint32_t len;
        for (uint32_t idx = 0; !ok && idx < 1024 && get_buf(c, l->buffer, l->header, idx, &data, &len); idx++) {
            const uint8_t *td;
            uint32_t tl;
            ok = detect_transform(l, data, len, &c->d->scratch, &td, &tl) &&
                 detect_payload_match(l, td, tl, &c->d->scratch);
        }
        if (!ok)
            return false;
        *mbuf = l->buffer;
        *moff = c->d->scratch.first_offset;
    }
    return true;
}

static bool schedule_active(const struct rule_schedule *s, uint64_t ts_ns)
{
    if (!s->present)
        return true;
    time_t t = (time_t)(ts_ns / TG_NS_PER_SEC);
    struct tm tm;
    localtime_r(&t, &tm);
    return rule_schedule_active(s, &tm);
}

static bool threshold_from_rule(const struct rule_threshold *t, enum threshold_type type,
                                struct threshold_spec *spec)
{
    if (t->type == RULE_THRESHOLD_NONE)
        return false;
    memset(spec, 0, sizeof *spec);
    spec->type = (uint8_t)type;
    if (type == THRESHOLD_LIMIT) {
        switch (t->type) {
        case RULE_THRESHOLD_THRESHOLD: spec->type = THRESHOLD_THRESHOLD; break;
        case RULE_THRESHOLD_BOTH: spec->type = THRESHOLD_BOTH; break;
        default: spec->type = THRESHOLD_LIMIT; break;
        }
    }
    spec->track = t->track == RULE_TRACK_DST ? TRACK_BY_DST
                : t->track == RULE_TRACK_BOTH ? TRACK_BY_BOTH
                : t->track == RULE_TRACK_RULE ? TRACK_BY_RULE : TRACK_BY_SRC;
    spec->count = t->count;
    spec->seconds = t->seconds;
    spec->timeout = t->seconds;
    return true;
}

static void detect_alert(struct detect_ctx *c, struct detect_rule *dr, bool drop, bool reject)
{
    const struct rule *r = dr->r;
    struct output *o = c->d->out;
    dr->hits++;
    stats_inc(c->d->stats, STAT_DETECT_ALERTS);
    if (!o)
        return;
    struct output_alert a = {
        .action = rule_action_name(r->action),
        .blocked = drop && c->d->inline_mode,
        .gid = r->gid,
        .sid = r->sid,
        .rev = r->rev,
        .msg = r->msg,
        .classtype = r->classtype,
        .category = r->class_desc,
        .priority = (uint32_t)r->priority,
    };
    struct json *j = output_alert_begin(o, &a, c->p, c->app_proto);
    if (drop) {
        /* The verdict given (inline) or the one that would have been
         * given (offline, passive), as Suricata 7's verdict object. */
        json_open_object(j, "verdict");
        json_str(j, "action", reject ? "reject" : "drop");
        json_close_object(j);
    }
    output_alert_finish(o, &a, c->p, c->app_proto);
}

/* Full match of candidate i; returns false to stop inspecting (pass). */
static bool detect_one(struct detect_ctx *c, size_t i)
{
    struct detect_rule *dr = &c->d->rules[i];
    struct rule *r = dr->r;
    if (r->inactive_reason || !header_match(c, r) || !schedule_active(&r->schedule, c->p->ts_ns))
        return true;
    if (!pkt_match(c, dr))
        return true;
    enum rule_buffer mbuf = RULE_BUF_PKT_DATA;
    uint32_t moff = 0;
    if (!lists_match(c, r, &mbuf, &moff))
        return true;
    if (c->d->trace)
        c->d->trace(c->d->trace_arg, r, c->p, mbuf, moff);
    for (size_t k = 0; k < dr->nbits; k++)
        bits_apply(c, &dr->bits[k]);
    if (r->action == RULE_ACTION_PASS)
        return false;
    struct threshold_spec spec;
    enum threshold_verdict tv;
    if (threshold_from_rule(&r->detection_filter, THRESHOLD_DETECTION_FILTER, &spec) &&
        threshold_check(c->d->thresholds, r->gid, r->sid, &spec, &c->p->src, &c->p->dst, c->p->ts_ns) ==
            THRESHOLD_SUPPRESS)
        return true;
    bool drop = r->action != RULE_ACTION_ALERT;
    if (threshold_from_rule(&r->rate_limit, THRESHOLD_RATE_FILTER, &spec)) {
        /* tollgate rate_limit: silent under the rate, drop while above it */
        tv = threshold_check(c->d->thresholds, r->gid, r->sid | 0x80000000u, &spec, &c->p->src,
                             &c->p->dst, c->p->ts_ns);
        if (tv != THRESHOLD_NEW_ACTION)
            return true;
        drop = true;
    }
    if (threshold_config_suppressed(c->d->tconf, r->gid, r->sid, &c->p->src, &c->p->dst))
        return true;
    enum tc_action over = drop ? TC_ACTION_DROP : TC_ACTION_ALERT;
    if (!threshold_config_apply(c->d->tconf, c->d->thresholds, r->gid, r->sid, &c->p->src, &c->p->dst,
                                c->p->ts_ns, &over))
        return true;
    if (over == TC_ACTION_PASS)
        return false;
    drop = over == TC_ACTION_DROP || over == TC_ACTION_REJECT;
    bool reject = drop && (over == TC_ACTION_REJECT ||
                           (r->action >= RULE_ACTION_REJECT && r->action <= RULE_ACTION_REJECTBOTH));
    if (drop && (c->p->verdict == VERDICT_ACCEPT || reject))
        c->p->verdict = reject ? VERDICT_REJECT : VERDICT_DROP;
    if (r->noalert)
        return true;
    if (threshold_from_rule(&r->threshold, THRESHOLD_LIMIT, &spec) &&
        threshold_check(c->d->thresholds, r->gid, r->sid, &spec, &c->p->src, &c->p->dst, c->p->ts_ns) ==
            THRESHOLD_SUPPRESS)
        return true;
    detect_alert(c, dr, drop, reject);
    return true;
}

static void add_cand(struct detect *d, uint32_t i)
{
    uint64_t bit = UINT64_C(1) << (i & 63), *w = &d->candbits[i >> 6];
    if (!(*w & bit)) {
        *w |= bit;
        d->ncand++;
    }
}

static void on_mpm_hit(void *arg, uint32_t id)
{
    add_cand(arg, id);
}

static void detect_run(struct detect_ctx *c, struct detect_group *g)
{
    struct detect *d = c->d;
    if (!g->any_rules)
        return;
    memset(d->candbits, 0, d->ncandwords * sizeof *d->candbits);
    d->ncand = 0;
    for (size_t i = 0; i < g->nalways; i++)
        add_cand(d, g->always[i]);
    for (int b = 0; b < RULE_BUF_MAX; b++) {
        if (!g->mpm[b])
            continue;
        const uint8_t *data;
        uint32_t len;
        for (uint32_t idx = 0; idx < 1024 && get_buf(c, (enum rule_buffer)b, NULL, idx, &data, &len); idx++)
            mpm_scan(g->mpm[b], data, len, on_mpm_hit, d);
    }
    stats_add(d->stats, STAT_DETECT_CANDIDATES, d->ncand);
    for (size_t w = 0; w < d->ncandwords; w++) {
        for (uint64_t bits = d->candbits[w]; bits; bits &= bits - 1)
            if (!detect_one(c, (uint32_t)(w * 64 + (size_t)__builtin_ctzll(bits))))
                return;
    }
}

void detect_packet(struct detect *d, struct packet *p, const char *app_proto)
{
    if (!d || !p->ip_version)
        return;
    struct detect_ctx c = {.d = d, .p = p, .app_proto = app_proto};
    detect_run(&c, &d->groups[DETECT_PKT][detect_l4_of_packet(p)]);
}

void detect_app(struct detect *d, struct packet *p, const char *app_proto, detect_buffer_fn get, void *arg)
{
    if (!d || !p || !p->ip_version)
        return;
    struct detect_ctx c = {.d = d, .p = p, .app_proto = app_proto, .get = get, .arg = arg};
    detect_run(&c, &d->groups[DETECT_APP][detect_l4_of_packet(p)]);
}

void detect_app_event(struct detect *d, struct packet *p, const char *app_proto, const char *event)
{
    if (!d || !p || !p->ip_version)
        return;
    struct detect_ctx c = {.d = d, .p = p, .app_proto = app_proto, .event = event};
    for (size_t i = 0; i < d->n; i++)
        if (d->rules[i].kind == DETECT_EVENT && !detect_one(&c, i))
            break;
}

void detect_flow_end(struct detect *d, struct flow *f)
{
    TG_UNUSED(d);
    flowbits_free(f->flowbits);
    f->flowbits = NULL;
}

size_t detect_rule_count(const struct detect *d) { return d ? d->n : 0; }
const struct rule *detect_rule(const struct detect *d, size_t i) { return d->rules[i].r; }
uint64_t detect_rule_hits(const struct detect *d, size_t i) { return d->rules[i].hits; }

void detect_set_trace(struct detect *d, detect_trace_fn fn, void *arg)
{
    d->trace = fn;
    d->trace_arg = arg;
}
