/* sip-call.c - call tracker: SIP dialogs across flows become call and registration records with their RTP. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include "app-layer.h"
#include "app-layer-rtp.h"
#include "config.h"
#include "flow.h"
#include "output.h"
#include "sip-call.h"
#include "sip-media.h"
#include "stats.h"
#include "table-mem.h"
#include "../reports/store.h"

#define SIP_CALL_MAX_FLOWS 8       /* RTP/RTCP flows attached per call */
#define SIP_CALL_REG_SLOTS 1024u   /* pending REGISTER transactions (direct-mapped) */
#define SIP_CALL_NA_SLOTS 64u      /* parsed From/To values remembered (direct-mapped) */
#define SIP_CALL_NA_KEY 256u       /* longer values are parsed every time */

/* Expiry classes: each list is in last-activity order with one timeout, so
 * expiry looks only at list heads. */
enum { SIP_CLASS_SETUP = 0, SIP_CLASS_AUTH, SIP_CLASS_ANSWERED, SIP_CLASS_N };

struct sip_call_flow {
    struct flow *f;
    uint8_t md0; /* media direction (0 caller->callee) of the flow's to-server packets */
};

struct sip_call_entry {
    struct sip_call c;
    uint32_t hash;
    struct sip_call_entry *hnext;
    struct sip_call_entry *prev, *next; /* class list */
    uint8_t cls;
    struct sip_media_entry *media;      /* expectations and attachments */
    struct sip_call_flow flows[SIP_CALL_MAX_FLOWS];
    uint32_t n_flows;
};

struct sip_call_list {
    struct sip_call_entry *head, *tail;
};

/* A REGISTER waiting for its final response. */
struct sip_call_reg {
    bool used;
    uint64_t key;        /* hash of Call-ID */
    uint32_t cseq;
    uint64_t ts_ns;
    struct ip_addr src;
    uint16_t sport;
    char user_agent[128];
    char contact[256];
    int64_t expires;     /* -1 absent */
};

/* A From or To value and what sip_parse_name_addr made of it. Every message
 * of a dialog repeats the same From and (after the first response) the same
 * To, and libosip2's name-addr parse of them was the call tracker's largest
 * cost; the parse depends on the unfolded value alone, so a remembered
 * result for the same bytes is the same result. */
struct sip_call_na_entry {
    bool used;
    uint32_t len;
    char key[SIP_CALL_NA_KEY]; /* the raw value */
    struct sip_name_addr na;
};

struct sip_call_table {
    struct stats *st;
    struct output *out;
    struct app_layer *al;
    int rtp_id;
    sip_call_sink_fn sink;
    void *sink_arg;
    uint64_t max_calls;
    uint64_t timeout[SIP_CLASS_N];
    struct sip_call_entry **buckets;
    uint32_t mask;
    size_t n_calls;
    struct sip_call_list lists[SIP_CLASS_N];
    struct sip_media_table *media;
    struct sdp_session *sdp;
    struct sip_call_reg *regs;
    struct sip_call_na_entry *na_cache; /* SIP_CALL_NA_SLOTS; fixed at creation, not in call.memuse */
    uint64_t k0, k1;
};

static void sip_call_stat(struct sip_call_table *t, enum stat_id id)
{
    if (t->st)
        stats_inc(t->st, id);
}

size_t sip_call_memuse(const struct sip_call_table *t)
{
    return t->n_calls * sizeof(struct sip_call_entry) + sip_media_count(t->media) * sizeof(struct sip_media_entry);
}

static void sip_call_gauges(struct sip_call_table *t)
{
    if (t->st) {
        stats_set(t->st, STAT_CALL_ACTIVE, t->n_calls);
        stats_set(t->st, STAT_CALL_EXPECTATIONS, sip_media_count(t->media));
        stats_set(t->st, STAT_CALL_MEMUSE, sip_call_memuse(t));
    }
}

/* ---- names ---- */

const char *sip_call_outcome_name(enum sip_call_outcome o)
{
    static const char *const n[] = {"none", "answered", "busy", "rejected", "cancelled", "failed", "timeout"};
    return (unsigned)o < TG_ARRAY_LEN(n) ? n[o] : "none";
}

const char *sip_call_side_name(enum sip_call_side s)
{
    static const char *const n[] = {"none", "caller", "callee"};
    return (unsigned)s < TG_ARRAY_LEN(n) ? n[s] : "none";
}

const char *sip_call_end_name(enum sip_call_end e)
{
    static const char *const n[] = {"none", "bye", "final", "timeout", "evicted", "shutdown"};
    return (unsigned)e < TG_ARRAY_LEN(n) ? n[e] : "none";
}

enum sip_call_outcome sip_call_outcome_of(uint32_t status)
{
    if (status >= 200 && status < 300)
        return SIP_OUTCOME_ANSWERED;
    if (status == 486 || status == 600)
        return SIP_OUTCOME_BUSY;
    if (status == 487)
        return SIP_OUTCOME_CANCELLED;
    if (status == 408 || (status >= 500 && status < 600))
        return SIP_OUTCOME_FAILED;
    if (status >= 300 && status < 700)
        return SIP_OUTCOME_REJECTED;
    return SIP_OUTCOME_FAILED;
}

/* ---- table ---- */

struct sip_call_table *sip_call_table_new(const struct config *cfg, struct stats *st, struct output *out,
                                          struct app_layer *al)
{
    struct sip_call_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->st = st;
    t->out = out;
    t->al = al;
    t->rtp_id = al ? app_layer_id(al, "rtp") : 0;
    t->max_calls = config_get_u64(cfg, "sip.max-calls", SIP_CALL_DEFAULT_MAX);
    if (t->max_calls == 0)
        t->max_calls = 1;
    t->timeout[SIP_CLASS_SETUP] = config_get_duration_ns(cfg, "sip.setup-timeout", SIP_CALL_DEFAULT_SETUP_TIMEOUT);
    t->timeout[SIP_CLASS_AUTH] = config_get_duration_ns(cfg, "sip.auth-timeout", SIP_CALL_DEFAULT_AUTH_TIMEOUT);
    t->timeout[SIP_CLASS_ANSWERED] = config_get_duration_ns(cfg, "sip.call-timeout", SIP_CALL_DEFAULT_CALL_TIMEOUT);
    uint64_t maxexp = config_get_u64(cfg, "sip.max-expectations", SIP_MEDIA_DEFAULT_MAX);
    uint32_t nb = 1024;
    while (nb < t->max_calls && nb < (1u << 20))
        nb <<= 1;
    t->mask = nb - 1;
    t->buckets = table_mem_calloc(nb, sizeof *t->buckets);
    t->media = sip_media_new((uint32_t)TG_MIN(maxexp, (uint64_t)UINT32_MAX));
    struct sdp_limits lim;
    sdp_limits_init(&lim, cfg);
    t->sdp = sdp_session_new(&lim);
    t->regs = calloc(SIP_CALL_REG_SLOTS, sizeof *t->regs);
    t->na_cache = calloc(SIP_CALL_NA_SLOTS, sizeof *t->na_cache);
    uint64_t seed[2] = {0x63616c6cu, 0x7461626c65u};
    if (cfg && config_get(cfg, "flow.hash-seed")) {
        /* Reproducible runs: which pending REGISTERs share a slot (and
         * overwrite each other) then no longer changes from run to run. */
        uint64_t v = config_get_u64(cfg, "flow.hash-seed", 0);
        seed[0] ^= v * 0x9e3779b97f4a7c15ull;
        seed[1] ^= (v ^ (v >> 29)) * 0xbf58476d1ce4e5b9ull;
    } else if (getrandom(seed, sizeof seed, GRND_NONBLOCK) != (ssize_t)sizeof seed) {
        seed[0] ^= (uint64_t)(uintptr_t)t;
    }
    t->k0 = seed[0];
    t->k1 = seed[1];
    if (!t->buckets || !t->media || !t->sdp || !t->regs || !t->na_cache) {
        sip_call_table_free(t);
        return NULL;
    }
    return t;
}

void sip_call_set_sink(struct sip_call_table *t, sip_call_sink_fn fn, void *arg)
{
    t->sink = fn;
    t->sink_arg = arg;
}

size_t sip_call_active(const struct sip_call_table *t) { return t->n_calls; }
size_t sip_call_expectations(const struct sip_call_table *t) { return sip_media_count(t->media); }

static uint32_t sip_call_hash(const struct sip_call_table *t, const char *call_id, const char *tag)
{
    uint8_t k[sizeof((struct sip_call *)0)->call_id + sizeof((struct sip_call *)0)->from_tag + 1];
    size_t a = strlen(call_id), b = strlen(tag);
    memcpy(k, call_id, a);
    k[a] = 0;
    memcpy(k + a + 1, tag, b);
    return (uint32_t)flow_siphash24(t->k0, t->k1, k, a + 1 + b);
}

static struct sip_call_entry *sip_call_find(struct sip_call_table *t, const char *call_id, const char *tag)
{
    uint32_t h = sip_call_hash(t, call_id, tag);
    for (struct sip_call_entry *e = t->buckets[h & t->mask]; e; e = e->hnext)
        if (e->hash == h && strcmp(e->c.call_id, call_id) == 0 && strcmp(e->c.from_tag, tag) == 0)
            return e;
    return NULL;
}

static void sip_call_list_unlink(struct sip_call_table *t, struct sip_call_entry *e)
{
    struct sip_call_list *l = &t->lists[e->cls];
    if (e->prev)
        e->prev->next = e->next;
    else
        l->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        l->tail = e->prev;
    e->prev = e->next = NULL;
}

static void sip_call_list_append(struct sip_call_table *t, struct sip_call_entry *e, uint8_t cls)
{
    struct sip_call_list *l = &t->lists[cls];
    e->cls = cls;
    e->prev = l->tail;
    e->next = NULL;
    if (l->tail)
        l->tail->next = e;
    else
        l->head = e;
    l->tail = e;
}

/* Activity: move e to the tail of the list its state belongs to. */
static void sip_call_touch(struct sip_call_table *t, struct sip_call_entry *e, uint64_t ts_ns)
{
    if (ts_ns > e->c.last_ns)
        e->c.last_ns = ts_ns;
    uint8_t cls = e->c.state == SIP_CALL_ANSWERED     ? SIP_CLASS_ANSWERED
                  : e->c.state == SIP_CALL_CHALLENGED ? SIP_CLASS_AUTH
                                                      : SIP_CLASS_SETUP;
    sip_call_list_unlink(t, e);
    sip_call_list_append(t, e, cls);
}

/* ---- media ---- */

/* Add an attached flow's RTP statistics to the call. */
static void sip_call_add_rtp(struct sip_call *c, const struct flow *f, uint8_t md0)
{
    const struct rtp_flow_stats *fs = rtp_flow_stats(f);
    if (!fs)
        return;
    for (int d = 0; d < 2; d++) {
        struct sip_call_media_dir *m = &c->media[d == 0 ? md0 : md0 ^ 1];
        m->packets += fs->rtp_packets[d];
        m->bytes += fs->rtp_bytes[d];
    }
    for (uint32_t i = 0; i < fs->n_streams; i++) {
        const struct rtp_stream *s = &fs->streams[i];
        struct sip_call_media_dir *m = &c->media[s->dir == 0 ? md0 : md0 ^ 1];
        m->streams++;
        int64_t lost = rtp_stream_lost(s);
        if (lost > 0)
            m->lost += lost;
        if (s->max_jitter_ms > m->jitter_ms)
            m->jitter_ms = s->max_jitter_ms;
        if (s->max_delta_ms > m->max_delta_ms)
            m->max_delta_ms = s->max_delta_ms;
    }
}

/* Fill an sdp_media for rtp_flow_set_media from what the call kept. */
static void sip_call_sdp_to_media(const struct sip_call_sdp_media *sm, struct sdp_media *m,
                                  struct sdp_codec *codecs)
{
    memset(m, 0, sizeof *m);
    m->security = sm->security;
    m->port = sm->port;
    m->is_rtp = true;
    m->codecs = codecs;
    m->n_codecs = sm->n_codecs;
    for (uint32_t i = 0; i < sm->n_codecs; i++) {
        memset(&codecs[i], 0, sizeof codecs[i]);
        codecs[i].pt = sm->codecs[i].pt;
        codecs[i].clock = sm->codecs[i].clock;
        codecs[i].channels = sm->codecs[i].channels;
        codecs[i].encoding.p = (const uint8_t *)sm->codecs[i].name;
        codecs[i].encoding.len = (uint32_t)strlen(sm->codecs[i].name);
    }
}

/* Tag of an expectation: side (0 caller, 1 callee) and media index. */
#define SIP_TAG(side, idx) ((uint32_t)(side) << 8 | (uint32_t)(idx))

bool sip_call_flow_new(struct sip_call_table *t, struct flow *f)
{
    if (!t || f->proto != IPPROTO_NUM_UDP)
        return false;
    uint32_t tag = 0;
    int ep = 1; /* the server endpoint first: the first packet went to it */
    struct sip_call_entry *e = sip_media_lookup(t->media, &f->addr[1], f->port[1], &tag);
    if (!e) {
        ep = 0;
        e = sip_media_lookup(t->media, &f->addr[0], f->port[0], &tag);
    }
    if (!e)
        return false;
    if (e->n_flows >= SIP_CALL_MAX_FLOWS) {
        sip_call_stat(t, STAT_CALL_FLOW_CAP_HIT);
        return false;
    }
    unsigned side = tag >> 8, idx = tag & 0xff;
    /* Packets towards the endpoint of side s travel to that party: to the
     * caller is callee->caller (1). Packets to the server go to endpoint 1. */
    uint8_t towards = side == 0 ? 1 : 0;
    uint8_t md0 = ep == 1 ? towards : towards ^ 1;
    if (sip_media_attach(t->media, f->id, e, md0, &e->media) != TG_OK) {
        sip_call_stat(t, STAT_CALL_EXPECTATION_CAP_HIT);
        return false;
    }
    e->flows[e->n_flows].f = f;
    e->flows[e->n_flows].md0 = md0;
    e->n_flows++;
    e->c.rtp_flows++;
    if (t->al && t->rtp_id > 0) {
        app_layer_set_proto(t->al, f, (uint16_t)t->rtp_id);
        if (idx < e->c.n_sdp[side]) {
            struct sdp_media m;
            struct sdp_codec codecs[SIP_CALL_MAX_CODECS];
            sip_call_sdp_to_media(&e->c.sdp[side][idx], &m, codecs);
            rtp_flow_set_media(f, &m);
        }
    }
    sip_call_stat(t, STAT_CALL_RTP_ATTACHED);
    sip_call_gauges(t);
    return true;
}

void sip_call_flow_end(struct sip_call_table *t, struct flow *f)
{
    if (!t || f->proto != IPPROTO_NUM_UDP)
        return;
    uint32_t md0;
    struct sip_call_entry *e = sip_media_attached(t->media, f->id, &md0);
    if (!e)
        return;
    for (uint32_t i = 0; i < e->n_flows; i++) {
        if (e->flows[i].f != f)
            continue;
        sip_call_add_rtp(&e->c, f, e->flows[i].md0);
        e->flows[i] = e->flows[--e->n_flows];
        break;
    }
    for (struct sip_media_entry *m = e->media; m; m = m->onext)
        if (m->is_flow && m->flow_id == f->id) {
            sip_media_remove(t->media, m, &e->media);
            break;
        }
    sip_call_gauges(t);
}

/* ---- records ---- */

static void sip_call_emit(struct sip_call_table *t, const struct sip_call *c)
{
    if (t->sink) {
        t->sink(t->sink_arg, c);
        return;
    }
    if (!t->out)
        return;
    /* the record's header addresses are the caller's and the callee's
     * signalling endpoints, as a SIEM expects src/dest on every event */
    struct packet hp;
    memset(&hp, 0, sizeof hp);
    hp.ip_version = c->caller_ip.family == 6 ? 6 : 4;
    hp.src = c->caller_ip;
    hp.dst = c->callee_ip;
    hp.sport = c->caller_port;
    hp.dport = c->callee_port;
    hp.l4_proto = strcmp(c->transport, "tcp") == 0 ? IPPROTO_NUM_TCP : IPPROTO_NUM_UDP;
    hp.flags = PKT_HAS_L4;
    struct json *j = output_eve_begin(t->out, "call", c->end_ns, NULL, c->caller_ip.family ? &hp : NULL, "sip");
    json_open_object(j, "call");
    sip_call_json(c, j);
    json_close_object(j);
    output_eve_finish(t->out);
    struct store *s = output_store(t->out);
    if (s)
        store_write_call(s, output_run_id(t->out), c);
}

static void sip_call_free_entry(struct sip_call_table *t, struct sip_call_entry *e)
{
    struct sip_call_entry **pp = &t->buckets[e->hash & t->mask];
    while (*pp && *pp != e)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = e->hnext;
    sip_call_list_unlink(t, e);
    sip_media_forget(t->media, &e->media);
    t->n_calls--;
    free(e);
}

/* End a call: fold in the RTP of flows still attached, decide the
 * outcome if the caller did not, write the record, free it. */
static void sip_call_end(struct sip_call_table *t, struct sip_call_entry *e, enum sip_call_end why, uint64_t ts_ns)
{
    struct sip_call *c = &e->c;
    for (uint32_t i = 0; i < e->n_flows; i++)
        sip_call_add_rtp(c, e->flows[i].f, e->flows[i].md0);
    e->n_flows = 0;
    c->end = why;
    if (!c->end_ns)
        c->end_ns = ts_ns;
    if (c->outcome == SIP_OUTCOME_NONE) {
        if (c->state == SIP_CALL_ANSWERED)
            c->outcome = why == SIP_END_TIMEOUT ? SIP_OUTCOME_TIMEOUT : SIP_OUTCOME_ANSWERED;
        else if (c->cancelled)
            c->outcome = SIP_OUTCOME_CANCELLED;
        else if (c->state == SIP_CALL_CHALLENGED)
            c->outcome = SIP_OUTCOME_REJECTED;
        else if (c->status >= 300)
            c->outcome = sip_call_outcome_of(c->status);
        else
            c->outcome = SIP_OUTCOME_FAILED;
    }
    sip_call_emit(t, c);
    sip_call_free_entry(t, e);
    sip_call_stat(t, STAT_CALL_ENDED);
    sip_call_gauges(t);
}

/* Last packet of the call's signalling or of its attached media. */
static uint64_t sip_call_last_activity(const struct sip_call_entry *e)
{
    uint64_t last = e->c.last_ns;
    for (uint32_t i = 0; i < e->n_flows; i++)
        if (e->flows[i].f->last_ns > last)
            last = e->flows[i].f->last_ns;
    return last;
}

void sip_call_expire(struct sip_call_table *t, uint64_t now_ns)
{
    if (!t)
        return;
    for (int cls = 0; cls < SIP_CLASS_N; cls++) {
        struct sip_call_entry *e;
        while ((e = t->lists[cls].head) && now_ns > e->c.last_ns + t->timeout[cls]) {
            /* media still flowing keeps an answered call alive */
            uint64_t media = sip_call_last_activity(e);
            if (cls == SIP_CLASS_ANSWERED && now_ns <= media + t->timeout[cls]) {
                sip_call_list_unlink(t, e);
                e->c.last_ns = media;
                sip_call_list_append(t, e, SIP_CLASS_ANSWERED);
                /* the list is no longer strictly ordered here; the next
                 * head is checked on the next call */
                break;
            }
            /* the record ends at the last sign of life, not when we gave up */
            sip_call_stat(t, STAT_CALL_TIMEOUTS);
            sip_call_end(t, e, SIP_END_TIMEOUT, media);
        }
    }
}

void sip_call_flush(struct sip_call_table *t)
{
    if (!t)
        return;
    for (int cls = 0; cls < SIP_CLASS_N; cls++) {
        struct sip_call_entry *e;
        while ((e = t->lists[cls].head))
            sip_call_end(t, e, SIP_END_SHUTDOWN, sip_call_last_activity(e));
    }
}

void sip_call_table_free(struct sip_call_table *t)
{
    if (!t)
        return;
    if (t->buckets && t->media)
        sip_call_flush(t);
    sip_media_free(t->media);
    sdp_session_free(t->sdp);
    table_mem_free(t->buckets, (size_t)t->mask + 1, sizeof *t->buckets);
    free(t->regs);
    free(t->na_cache);
    free(t);
}

/* ---- messages ---- */

static void sip_call_copy(char *dst, size_t cap, const char *src)
{
    /* cutting is intended: records keep a bounded prefix */
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void sip_call_hdr(const struct sip_msg *m, enum sip_hdr_id id, char *dst, size_t cap)
{
    const struct sip_header *h = sip_msg_header(m, id);
    if (h)
        sip_header_unfold(h, dst, cap);
    else
        dst[0] = '\0';
}

/* The From or To of a message as the tracker uses it: what
 * sip_parse_name_addr makes of the value, with the tag cut to
 * SIP_CALL_TAG_MAX - 1 bytes as records keep it, or NULL when libosip2
 * rejects the value. Values up to SIP_CALL_NA_KEY bytes are remembered by
 * their raw bytes (the parse is a function of them), so a dialog's
 * repeated From and To are parsed once. The result lives in the cache, or
 * in *tmp, until the next call; keep is an earlier result that must stay
 * valid meanwhile (it is never evicted for this one). Slots are picked by
 * FNV-1a: a peer that makes values collide only makes the cache miss. */
static const struct sip_name_addr *sip_call_name_addr(struct sip_call_table *t, const struct sip_header *h,
                                                      struct sip_name_addr *tmp, const struct sip_name_addr *keep)
{
    struct sip_call_na_entry *c = NULL;
    uint32_t n = h->value.len;
    if (n < SIP_CALL_NA_KEY) {
        uint32_t hash = 2166136261u;
        for (uint32_t i = 0; i < n; i++)
            hash = (hash ^ h->value.p[i]) * 16777619u;
        c = &t->na_cache[hash & (SIP_CALL_NA_SLOTS - 1)];
        if (c->used && c->len == n && (n == 0 || memcmp(c->key, h->value.p, n) == 0))
            return &c->na;
        if (&c->na == keep)
            c = NULL;
    }
    struct sip_name_addr *out = tmp;
    if (c) {
        c->used = false; /* until the parse below succeeds */
        out = &c->na;
    }
    if (sip_parse_name_addr(h, out) != TG_OK)
        return NULL;
    out->tag[SIP_CALL_TAG_MAX - 1] = '\0';
    if (c) {
        c->used = true;
        c->len = n;
        if (n)
            memcpy(c->key, h->value.p, n);
    }
    return out;
}

/* Sender side of message m in call c: requests are sent by whoever's tag
 * is in From, responses by the other party. */
static int sip_call_sender(const struct sip_call *c, const struct sip_msg *m, const char *from_tag)
{
    bool from_caller = strcmp(from_tag, c->from_tag) == 0;
    bool req = (m->flags & SIP_MF_REQUEST) != 0;
    return (req == from_caller) ? 0 : 1;
}

/* Record an SDP body sent by side: per-media endpoints, codecs and
 * security, and expectations for RTP and RTCP. */
static void sip_call_sdp(struct sip_call_table *t, struct sip_call_entry *e, const struct sip_msg *m, int side,
                         const struct sdp_session *pre)
{
    if (!m->body.len)
        return;
    const struct sip_header *ct = sip_msg_header(m, SIP_HDR_CONTENT_TYPE);
    if (ct) {
        char v[64];
        sip_header_unfold(ct, v, sizeof v);
        if (strncasecmp(v, "application/sdp", 15) != 0)
            return; /* multipart bodies and others are not parsed here */
    }
    /* The app layer's parse of these very bytes under the same limits is
     * what sdp_parse would give again (see sip_call_message_sdp). Else
     * parse; not counted in sdp.*: the SIP app layer counts each body once. */
    const struct sdp_session *sdp = t->sdp;
    if (pre && pre->body == m->body.p && pre->body_len == m->body.len &&
        memcmp(&pre->lim, &t->sdp->lim, sizeof pre->lim) == 0)
        sdp = pre;
    else if (sdp_parse(t->sdp, m->body.p, m->body.len, NULL) != TG_OK)
        return;
    struct sip_call *c = &e->c;
    uint8_t n = 0;
    for (uint32_t i = 0; i < sdp->n_media && n < SIP_CALL_MAX_MEDIA; i++) {
        const struct sdp_media *sm = &sdp->media[i];
        if (!sm->is_rtp)
            continue;
        struct sip_call_sdp_media *dm = &c->sdp[side][n];
        memset(dm, 0, sizeof *dm);
        dm->addr = sm->rtp_addr;
        dm->port = sm->port;
        dm->rtcp_addr = sm->rtcp_addr;
        dm->rtcp_port = sm->rtcp_port;
        dm->security = sm->security;
        for (uint32_t k = 0; k < sm->n_codecs && dm->n_codecs < SIP_CALL_MAX_CODECS; k++) {
            const struct sdp_codec *sc = &sm->codecs[k];
            dm->codecs[dm->n_codecs].pt = sc->pt;
            dm->codecs[dm->n_codecs].clock = sc->clock;
            dm->codecs[dm->n_codecs].channels = sc->channels;
            size_t l = TG_MIN((size_t)sc->encoding.len, sizeof dm->codecs[0].name - 1);
            if (l)
                memcpy(dm->codecs[dm->n_codecs].name, sc->encoding.p, l);
            dm->codecs[dm->n_codecs].name[l] = '\0';
            dm->n_codecs++;
        }
        if (sm->port && sm->rtp_addr.family) {
            int rc = sip_media_expect(t->media, &sm->rtp_addr, sm->port, e, SIP_TAG(side, n), &e->media);
            if (rc == TG_OK && sm->rtcp_port && (sm->rtcp_port != sm->port || ip_addr_cmp(&sm->rtcp_addr, &sm->rtp_addr)))
                rc = sip_media_expect(t->media, sm->rtcp_addr.family ? &sm->rtcp_addr : &sm->rtp_addr,
                                      sm->rtcp_port, e, SIP_TAG(side, n), &e->media);
            if (rc == TG_DECLINED)
                sip_call_stat(t, STAT_CALL_EXPECTATION_CAP_HIT);
        }
        n++;
    }
    c->n_sdp[side] = n;
    sip_call_gauges(t);
}

static bool sip_call_cseq(const struct sip_msg *m, uint32_t *num, char *method, size_t cap)
{
    const struct sip_header *h = sip_msg_header(m, SIP_HDR_CSEQ);
    uint64_t n;
    bool ok;
    struct sip_range meth;
    if (!h || sip_cseq_split(&h->value, &n, &ok, &meth) != TG_OK || !ok)
        return false;
    *num = (uint32_t)TG_MIN(n, (uint64_t)UINT32_MAX);
    size_t l = TG_MIN((size_t)meth.len, cap - 1);
    memcpy(method, meth.p, l);
    method[l] = '\0';
    return true;
}

/* Evict the call seen least recently to make room (sip.max-calls). */
static void sip_call_evict(struct sip_call_table *t, uint64_t ts_ns)
{
    struct sip_call_entry *old = NULL;
    for (int cls = 0; cls < SIP_CLASS_N; cls++) {
        struct sip_call_entry *h = t->lists[cls].head;
        if (h && (!old || h->c.last_ns < old->c.last_ns))
            old = h;
    }
    if (old) {
        sip_call_stat(t, STAT_CALL_CAP_HIT);
        sip_call_end(t, old, SIP_END_EVICTED, ts_ns);
    }
}

static struct sip_call_entry *sip_call_create(struct sip_call_table *t, const struct sip_msg *m,
                                              const char *call_id, const struct sip_name_addr *from,
                                              const struct sip_name_addr *to, const struct ip_addr *src,
                                              uint16_t sport, const struct ip_addr *dst, uint16_t dport,
                                              const char *transport, uint64_t ts_ns)
{
    while (t->n_calls >= t->max_calls)
        sip_call_evict(t, ts_ns);
    struct sip_call_entry *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    struct sip_call *c = &e->c;
    sip_call_copy(c->call_id, sizeof c->call_id, call_id);
    sip_call_copy(c->from_tag, sizeof c->from_tag, from->tag);
    sip_call_copy(c->caller_uri, sizeof c->caller_uri, from->uri);
    sip_call_copy(c->caller_user, sizeof c->caller_user, from->user);
    sip_call_copy(c->caller_display, sizeof c->caller_display, from->display);
    sip_call_copy(c->callee_uri, sizeof c->callee_uri, to->uri);
    sip_call_copy(c->callee_user, sizeof c->callee_user, to->user);
    sip_call_copy(c->callee_display, sizeof c->callee_display, to->display);
    c->caller_ip = *src;
    c->caller_port = sport;
    c->callee_ip = *dst;
    c->callee_port = dport;
    sip_call_copy(c->transport, sizeof c->transport, transport);
    sip_call_hdr(m, SIP_HDR_USER_AGENT, c->user_agent, sizeof c->user_agent);
    c->invite_ns = c->last_ns = ts_ns;
    c->state = SIP_CALL_SETUP;
    e->hash = sip_call_hash(t, c->call_id, c->from_tag);
    e->hnext = t->buckets[e->hash & t->mask];
    t->buckets[e->hash & t->mask] = e;
    sip_call_list_append(t, e, SIP_CLASS_SETUP);
    t->n_calls++;
    sip_call_stat(t, STAT_CALL_TOTAL);
    sip_call_gauges(t);
    return e;
}

/* Index of To tag in the call's early dialogs, adding it; -1 when full or empty. */
static int sip_call_branch(struct sip_call *c, const char *tag)
{
    if (!tag[0])
        return -1;
    for (uint32_t i = 0; i < c->n_branches; i++)
        if (strcmp(c->branches[i], tag) == 0)
            return (int)i;
    if (c->n_branches >= SIP_CALL_MAX_BRANCHES)
        return -1;
    sip_call_copy(c->branches[c->n_branches], sizeof c->branches[0], tag);
    return (int)c->n_branches++;
}

static bool sip_call_all_failed(const struct sip_call *c)
{
    for (uint32_t i = 0; i < c->n_branches; i++)
        if (!c->branch_failed[i])
            return false;
    return true;
}

/* A response to the current INVITE transaction of a call not answered yet. */
static void sip_call_invite_response(struct sip_call_table *t, struct sip_call_entry *e, const struct sip_msg *m,
                                     const struct sip_name_addr *to, const struct ip_addr *src, uint16_t sport,
                                     uint64_t ts_ns, const struct sdp_session *pre)
{
    struct sip_call *c = &e->c;
    uint32_t code = m->status_code;
    if (code < 200) {
        if (code > 100 && !c->ring_ns)
            c->ring_ns = ts_ns;
        if (code > 100 && sip_call_branch(c, to->tag) >= 0 && c->state == SIP_CALL_SETUP)
            c->state = SIP_CALL_EARLY;
        sip_call_sdp(t, e, m, 1, pre);
        return;
    }
    c->status = code;
    size_t rl = TG_MIN((size_t)m->reason.len, sizeof c->reason - 1);
    memcpy(c->reason, m->reason.p, rl);
    c->reason[rl] = '\0';
    if (code < 300) {
        c->state = SIP_CALL_ANSWERED;
        sip_call_touch(t, e, ts_ns); /* now under sip.call-timeout */
        c->answer_ns = c->final_ns = ts_ns;
        sip_call_copy(c->to_tag, sizeof c->to_tag, to->tag);
        c->callee_ip = *src;
        c->callee_port = sport;
        sip_call_hdr(m, SIP_HDR_SERVER, c->callee_agent, sizeof c->callee_agent);
        if (!c->callee_agent[0])
            sip_call_hdr(m, SIP_HDR_USER_AGENT, c->callee_agent, sizeof c->callee_agent);
        sip_call_sdp(t, e, m, 1, pre);
        return;
    }
    if (code == 401 || code == 407) {
        c->auth_challenges++;
        c->state = SIP_CALL_CHALLENGED;
        sip_call_touch(t, e, ts_ns); /* now under sip.auth-timeout */
        c->final_ns = ts_ns;
        return;
    }
    /* A failed branch of a forked call ends the call only when no other
     * early dialog may still answer. */
    int b = sip_call_branch(c, to->tag);
    if (b >= 0)
        c->branch_failed[b] = 1;
    sip_call_copy(c->to_tag, sizeof c->to_tag, to->tag);
    c->final_ns = ts_ns;
    sip_call_hdr(m, SIP_HDR_SERVER, c->callee_agent, sizeof c->callee_agent);
    if (!c->callee_agent[0])
        sip_call_hdr(m, SIP_HDR_USER_AGENT, c->callee_agent, sizeof c->callee_agent);
    if (c->n_branches > 1 && !sip_call_all_failed(c))
        return;
    /* whatever the final answer to a CANCELled INVITE, the caller gave up */
    c->outcome = c->cancelled ? SIP_OUTCOME_CANCELLED : sip_call_outcome_of(code);
    c->end_ns = ts_ns;
    sip_call_end(t, e, SIP_END_FINAL, ts_ns);
}

/* REGISTER transactions: remember the request, write a row at its final response. */
static void sip_call_register(struct sip_call_table *t, const struct sip_msg *m, const char *call_id, uint32_t cseq,
                              const struct sip_name_addr *to, const struct ip_addr *src, uint16_t sport,
                              const struct ip_addr *dst, uint16_t dport, uint64_t ts_ns)
{
    uint64_t key = flow_siphash24(t->k0, t->k1, (const uint8_t *)call_id, strlen(call_id));
    struct sip_call_reg *r = &t->regs[key & (SIP_CALL_REG_SLOTS - 1)];
    if (m->flags & SIP_MF_REQUEST) {
        if (r->used && (r->key != key || r->cseq != cseq))
            sip_call_stat(t, STAT_CALL_REGISTER_OVERWRITTEN);
        memset(r, 0, sizeof *r);
        r->used = true;
        r->key = key;
        r->cseq = cseq;
        r->ts_ns = ts_ns;
        r->src = *src;
        r->sport = sport;
        sip_call_hdr(m, SIP_HDR_USER_AGENT, r->user_agent, sizeof r->user_agent);
        sip_call_hdr(m, SIP_HDR_CONTACT, r->contact, sizeof r->contact);
        char ex[32];
        sip_call_hdr(m, SIP_HDR_EXPIRES, ex, sizeof ex);
        r->expires = ex[0] ? strtoll(ex, NULL, 10) : -1;
        return;
    }
    if (m->status_code < 200)
        return;
    struct store_registration reg = {
        .ts_ns = ts_ns, .aor = to->uri, .call_id = call_id, .result = m->status_code, .expires = -1,
    };
    if (r->used && r->key == key && r->cseq == cseq) {
        reg.src = &r->src;
        reg.sport = r->sport;
        reg.user_agent = r->user_agent[0] ? r->user_agent : NULL;
        reg.contact = r->contact[0] ? r->contact : NULL;
        reg.expires = r->expires;
        r->used = false;
    } else {
        /* the request was not seen: the response goes back to the registrar's client */
        reg.src = dst;
        reg.sport = dport;
    }
    TG_UNUSED(src);
    TG_UNUSED(sport);
    char contact[256];
    if (m->status_code < 300) {
        /* the registrar's 2xx lists the bindings in force */
        sip_call_hdr(m, SIP_HDR_CONTACT, contact, sizeof contact);
        if (contact[0])
            reg.contact = contact;
    }
    sip_call_stat(t, STAT_CALL_REGISTRATIONS);
    if (m->status_code == 401 || m->status_code == 407 || m->status_code == 403)
        sip_call_stat(t, STAT_CALL_REGISTER_AUTH_FAILURES);
    struct store *s = t->out && !t->sink ? output_store(t->out) : NULL;
    if (s)
        store_write_registration(s, output_run_id(t->out), &reg);
}

static void sip_call_message_pre(struct sip_call_table *t, const struct sip_msg *m, const struct ip_addr *src,
                                 uint16_t sport, const struct ip_addr *dst, uint16_t dport, const char *transport,
                                 uint64_t ts_ns, const struct sdp_session *pre)
{
    if (!t)
        return;
    const struct sip_header *hcid = sip_msg_header(m, SIP_HDR_CALL_ID);
    const struct sip_header *hfrom = sip_msg_header(m, SIP_HDR_FROM);
    const struct sip_header *hto = sip_msg_header(m, SIP_HDR_TO);
    char call_id[sizeof((struct sip_call *)0)->call_id], method[32];
    uint32_t cseq;
    if (!hcid || !hfrom || !hto || !sip_call_cseq(m, &cseq, method, sizeof method))
        return;
    sip_header_unfold(hcid, call_id, sizeof call_id);
    if (!call_id[0])
        return;
    bool req = (m->flags & SIP_MF_REQUEST) != 0;
    bool is_invite = strcmp(method, "INVITE") == 0;
    /* Only the methods of call setup, media and teardown and REGISTER
     * matter: skip OPTIONS floods and the like before any libosip2 work. */
    bool is_register = strcmp(method, "REGISTER") == 0;
    static const char *const tracked[] = {"INVITE", "ACK", "BYE", "CANCEL", "UPDATE", "PRACK", "REGISTER"};
    bool wanted = false;
    for (size_t i = 0; i < TG_ARRAY_LEN(tracked); i++)
        if (strcmp(method, tracked[i]) == 0)
            wanted = true;
    if (!wanted)
        return;
    /* the record keeps tags cut to SIP_CALL_TAG_MAX - 1 bytes: compare the
     * same (sip_call_name_addr cuts them) */
    struct sip_name_addr from_tmp, to_tmp;
    const struct sip_name_addr *from = sip_call_name_addr(t, hfrom, &from_tmp, NULL);
    const struct sip_name_addr *to = from ? sip_call_name_addr(t, hto, &to_tmp, from) : NULL;
    if (!from || !to)
        return;
    if (is_register) {
        sip_call_register(t, m, call_id, cseq, to, src, sport, dst, dport, ts_ns);
        return;
    }
    struct sip_call_entry *e = sip_call_find(t, call_id, from->tag);
    if (!e && to->tag[0])
        e = sip_call_find(t, call_id, to->tag);
    if (!e) {
        /* the request line and CSeq must both say INVITE */
        if (req && is_invite && !to->tag[0] && m->method.len == 6 && memcmp(m->method.p, "INVITE", 6) == 0) {
            e = sip_call_create(t, m, call_id, from, to, src, sport, dst, dport, transport, ts_ns);
            if (e) {
                e->c.invite_cseq = cseq;
                sip_call_sdp(t, e, m, 0, pre);
            }
        }
        return;
    }
    struct sip_call *c = &e->c;
    int sender = sip_call_sender(c, m, from->tag);
    sip_call_touch(t, e, ts_ns);
    if (req) {
        if (m->method.len == 6 && memcmp(m->method.p, "INVITE", 6) == 0) {
            if (c->state == SIP_CALL_ANSWERED || to->tag[0]) {
                if (cseq != c->invite_cseq || sender != 0) {
                    c->reinvites++;
                    c->invite_cseq = sender == 0 ? cseq : c->invite_cseq;
                }
                sip_call_sdp(t, e, m, sender, pre);
            } else if (cseq > c->invite_cseq) {
                /* the authenticated retry (or a new attempt) of the same call */
                c->invite_cseq = cseq;
                if (c->state == SIP_CALL_CHALLENGED)
                    c->state = SIP_CALL_SETUP;
                sip_call_touch(t, e, ts_ns);
                sip_call_sdp(t, e, m, 0, pre);
            }
        } else if (m->method.len == 6 && memcmp(m->method.p, "CANCEL", 6) == 0) {
            if (c->state != SIP_CALL_ANSWERED)
                c->cancelled = true;
        } else if (m->method.len == 3 && memcmp(m->method.p, "BYE", 3) == 0) {
            c->hangup = sender == 0 ? SIP_SIDE_CALLER : SIP_SIDE_CALLEE;
            c->end_ns = ts_ns;
            if (c->state != SIP_CALL_ANSWERED) {
                /* BYE in an early dialog ends the attempt */
                c->outcome = sender == 0 ? SIP_OUTCOME_CANCELLED : SIP_OUTCOME_REJECTED;
            }
            sip_call_end(t, e, SIP_END_BYE, ts_ns);
        } else if ((m->method.len == 3 && memcmp(m->method.p, "ACK", 3) == 0) ||
                   (m->method.len == 6 && memcmp(m->method.p, "UPDATE", 6) == 0) ||
                   (m->method.len == 5 && memcmp(m->method.p, "PRACK", 5) == 0)) {
            sip_call_sdp(t, e, m, sender, pre);
        }
        return;
    }
    /* responses */
    if (!is_invite) {
        if ((strcmp(method, "UPDATE") == 0 || strcmp(method, "PRACK") == 0) && m->status_code < 300)
            sip_call_sdp(t, e, m, sender, pre);
        return;
    }
    if (c->state != SIP_CALL_ANSWERED && cseq == c->invite_cseq) {
        sip_call_invite_response(t, e, m, to, src, sport, ts_ns, pre);
        return;
    }
    /* re-INVITE answers and 2xx retransmissions */
    if (m->status_code >= 200 && m->status_code < 300)
        sip_call_sdp(t, e, m, sender, pre);
}

void sip_call_message_ep(struct sip_call_table *t, const struct sip_msg *m, const struct ip_addr *src,
                         uint16_t sport, const struct ip_addr *dst, uint16_t dport, const char *transport,
                         uint64_t ts_ns)
{
    sip_call_message_pre(t, m, src, sport, dst, dport, transport, ts_ns, NULL);
}

void sip_call_message_sdp(struct sip_call_table *t, const struct sip_msg *m, const struct flow *f, int dir,
                          uint64_t ts_ns, const struct sdp_session *sdp)
{
    if (!t || !f)
        return;
    int d = dir ? 1 : 0;
    sip_call_message_pre(t, m, &f->addr[d], f->port[d], &f->addr[d ^ 1], f->port[d ^ 1],
                         f->proto == IPPROTO_NUM_TCP ? "tcp" : "udp", ts_ns, sdp);
}

void sip_call_message(struct sip_call_table *t, const struct sip_msg *m, const struct flow *f, int dir,
                      uint64_t ts_ns)
{
    sip_call_message_sdp(t, m, f, dir, ts_ns, NULL);
}

/* ---- EVE ---- */

static void sip_call_json_str(struct json *j, const char *k, const char *v)
{
    if (v[0])
        json_str(j, k, v);
}

static void sip_call_json_ms(struct json *j, const char *k, uint64_t ns)
{
    /* ms precision (rounded), as seconds with three decimals */
    json_double(j, k, (double)((ns + 500000) / 1000000) / 1000.0);
}

void sip_call_json(const struct sip_call *c, struct json *j)
{
    char a[48];
    json_str(j, "call_id", c->call_id);
    sip_call_json_str(j, "caller_uri", c->caller_uri);
    sip_call_json_str(j, "callee_uri", c->callee_uri);
    sip_call_json_str(j, "caller", c->caller_user);
    sip_call_json_str(j, "callee", c->callee_user);
    sip_call_json_str(j, "caller_display", c->caller_display);
    sip_call_json_str(j, "callee_display", c->callee_display);
    json_str(j, "caller_ip", ip_addr_str(&c->caller_ip, a, sizeof a));
    json_u64(j, "caller_port", c->caller_port);
    json_str(j, "callee_ip", ip_addr_str(&c->callee_ip, a, sizeof a));
    json_u64(j, "callee_port", c->callee_port);
    json_str(j, "transport", c->transport);
    sip_call_json_str(j, "user_agent", c->user_agent);
    sip_call_json_str(j, "callee_agent", c->callee_agent);
    json_time(j, "invite_time", c->invite_ns);
    if (c->ring_ns)
        json_time(j, "ring_time", c->ring_ns);
    if (c->answer_ns)
        json_time(j, "answer_time", c->answer_ns);
    json_time(j, "end_time", c->end_ns);
    if (c->final_ns >= c->invite_ns && c->final_ns)
        json_double(j, "setup_ms", (double)((c->final_ns - c->invite_ns) / 1000) / 1000.0);
    if (c->answer_ns && c->end_ns >= c->answer_ns)
        sip_call_json_ms(j, "talk_s", c->end_ns - c->answer_ns);
    if (c->status)
        json_u64(j, "status", c->status);
    sip_call_json_str(j, "reason", c->reason);
    json_str(j, "outcome", sip_call_outcome_name(c->outcome));
    json_str(j, "hangup", sip_call_side_name(c->hangup));
    json_str(j, "end_reason", sip_call_end_name(c->end));
    json_u64(j, "auth_challenges", c->auth_challenges);
    json_u64(j, "reinvites", c->reinvites);
    json_u64(j, "forks", c->n_branches);
    /* codecs: the answer's when there is one, else the offer's */
    int side = c->n_sdp[1] ? 1 : 0;
    json_open_array(j, "codecs");
    for (uint32_t i = 0; i < c->n_sdp[side]; i++)
        for (uint32_t k = 0; k < c->sdp[side][i].n_codecs; k++)
            if (c->sdp[side][i].codecs[k].name[0])
                json_str(j, NULL, c->sdp[side][i].codecs[k].name);
    json_close_array(j);
    enum sdp_security sec = c->n_sdp[side] ? c->sdp[side][0].security : SDP_SEC_UNKNOWN;
    bool have_sdp = c->n_sdp[0] || c->n_sdp[1];
    bool srtp = have_sdp && sec != SDP_SEC_NONE && sec != SDP_SEC_UNKNOWN;
    json_bool(j, "srtp", srtp);
    json_str(j, "media_security", have_sdp ? sdp_security_name(sec) : "unknown");
    json_u64(j, "rtp_flows", c->rtp_flows);
    json_open_array(j, "media");
    static const char *const dn[2] = {"caller_to_callee", "callee_to_caller"};
    for (int d = 0; d < 2; d++) {
        const struct sip_call_media_dir *md = &c->media[d];
        json_open_object(j, NULL);
        json_str(j, "direction", dn[d]);
        json_u64(j, "packets", md->packets);
        json_u64(j, "bytes", md->bytes);
        json_i64(j, "lost", md->lost);
        json_double(j, "jitter_ms", (double)(int64_t)(md->jitter_ms * 1000.0 + 0.5) / 1000.0);
        json_double(j, "max_delta_ms", (double)(int64_t)(md->max_delta_ms * 1000.0 + 0.5) / 1000.0);
        json_u64(j, "streams", md->streams);
        json_close_object(j);
    }
    json_close_array(j);
}
