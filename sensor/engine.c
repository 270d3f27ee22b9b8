/* engine.c - the packet pipeline (see DESIGN.md "Data flow").
 *
 * One packet travels left to right once: decode -> defrag -> flow -> stream
 * -> app layer. Flows leave through flow_end(), which writes their record and
 * releases stream and app state. Time is capture time, so offline runs
 * expire flows exactly as a live sensor would have. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app-layer.h"
#include "config.h"
#include "decoders.h"
#include "defrag.h"
#include "detect.h"
#include "engine.h"
#include "flow.h"
#include "output.h"
#include "sip-call.h"
#include "stream.h"

/* The front of the pipeline: decode, defragmentation and the flow hash,
 * everything a packet needs before it meets flow state. It may run on a
 * capture thread of its own (capture-pcap.c) while the engine's thread does
 * the rest; during such a stretch it counts into `shadow`, a copy of the
 * engine's counters taken at the start (so the checksum auto mode, whose
 * state lives in the counters, sees the same history either way), and what
 * it added is folded back at the end. Only the front writes the decode and
 * defrag counters; both halves raise events, and those are sums. */
struct engine_front {
    struct decode_ctx decode;
    struct defrag *defrag;
    struct flow_hash_key hash_key;  /* a copy of the flow table's */
    struct stats *stats;            /* the engine's, or shadow while threaded */
    uint64_t now_ns;                /* newest capture time the front has seen */
    bool threaded;
    struct stats shadow, base;
};

/* The front runs on the capture thread while the engine thread writes
 * stats and the rest: each gets cache lines of its own (struct engine is
 * allocated aligned to ENGINE_LINE), or every packet would move the lines
 * they share between the two cores. */
#define ENGINE_LINE 64

struct engine {
    struct stats stats;
    _Alignas(ENGINE_LINE) struct engine_front front;
    _Alignas(ENGINE_LINE) struct defrag *defrag;
    struct flow_table *flows;
    struct stream_ctx *stream;
    struct app_layer *app;
    struct output *out;
    const struct config *cfg; /* the caller's; outlives the engine */
    struct detect *detect; /* NULL when no rules are loaded */
    /* what engine_load_rules was given, for reloads */
    const struct config *rules_cfg;
    const char *const *rule_files;
    size_t nrule_files;
    bool skip_bad;
    volatile sig_atomic_t *reload_flag; /* set by a SIGHUP handler, owned by main */
    struct sip_call_table *calls;       /* SIP calls and media expectations (decoders/sip-call.h) */
    struct {
        void *obj;
        void (*destroy)(void *obj);
    } scratch[ENGINE_SCRATCH_SLOTS];
    engine_msg_observer_fn observer;    /* tools (baseline learner) watching app messages */
    void *observer_arg;
    uint64_t now_ns;
    uint64_t packets; /* through engine_process_decoded */
};

/* Packets between two output_tick() calls (a power of two). */
#define ENGINE_TICK_EVERY 16u

static void engine_flow_end(struct flow *f, void *arg)
{
    struct engine *e = arg;
    if (f->stream)
        stream_flow_end(e->stream, f);
    if (e->out)
        output_flow(e->out, f, f->app_proto ? app_layer_name(e->app, f->app_proto) : NULL);
    sip_call_flow_end(e->calls, f); /* reads the RTP state before it is freed */
    app_layer_flow_end(e->app, f);
    detect_flow_end(e->detect, f);
}

static size_t engine_stream_deliver(void *arg, struct flow *f, struct packet *p, int dir,
                                    const uint8_t *data, size_t len, unsigned flags)
{
    struct engine *e = arg;
    unsigned af = 0;
    if (flags & STREAM_GAP)
        af |= APP_GAP;
    if (flags & STREAM_EOF)
        af |= APP_EOF;
    return app_layer_handle(e->app, f, p, dir, data, len, af);
}

struct engine *engine_new(const struct config *cfg, struct output *out, char *err, size_t errlen)
{
    /* sizeof is a multiple of ENGINE_LINE: the struct has members aligned to it */
    struct engine *e = aligned_alloc(ENGINE_LINE, sizeof *e);
    if (!e) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    memset(e, 0, sizeof *e);
    e->out = out;
    e->cfg = cfg;
    decode_ctx_init(&e->front.decode, cfg, &e->stats);
    e->defrag = defrag_new(cfg, &e->stats);
    e->flows = flow_table_new(cfg, &e->stats, engine_flow_end, e);
    e->stream = stream_new(cfg, &e->stats, engine_stream_deliver, e);
    e->app = app_layer_new(&e->stats, e);
    if (!e->defrag || !e->flows || !e->stream || !e->app) {
        snprintf(err, errlen, "out of memory creating the engine tables");
        engine_free(e);
        return NULL;
    }
    e->front.defrag = e->defrag;
    flow_table_hash_key(e->flows, &e->front.hash_key);
    e->front.stats = &e->stats;
    decoders_register_all(e->app, cfg);
    e->calls = sip_call_table_new(cfg, &e->stats, out, e->app);
    if (!e->calls) {
        snprintf(err, errlen, "out of memory creating the call table");
        engine_free(e);
        return NULL;
    }
    return e;
}

void engine_flush(struct engine *e)
{
    sip_call_flush(e->calls); /* calls first: their RTP flows are still alive */
    flow_table_flush(e->flows);
}

void engine_free(struct engine *e)
{
    if (!e)
        return;
    sip_call_table_free(e->calls); /* ends open calls while their RTP flows live */
    e->calls = NULL;
    flow_table_free(e->flows); /* ends every flow through engine_flow_end */
    detect_free(e->detect);
    stream_free(e->stream);
    defrag_free(e->defrag);
    app_layer_free(e->app);
    for (int i = 0; i < ENGINE_SCRATCH_SLOTS; i++)
        if (e->scratch[i].obj && e->scratch[i].destroy)
            e->scratch[i].destroy(e->scratch[i].obj);
    free(e);
}

static void engine_emit_events(struct engine *e, struct packet *p)
{
    if (!e->out)
        return;
    const char *app = p->flow && p->flow->app_proto ? app_layer_name(e->app, p->flow->app_proto) : NULL;
    for (unsigned i = 0; i < p->n_events; i++)
        output_anomaly(e->out, p, (enum event_id)p->events[i], app);
}

void engine_front_packet(struct engine_front *fr, struct packet *p)
{
    stats_inc(fr->stats, STAT_CAPTURE_PACKETS);
    stats_add(fr->stats, STAT_CAPTURE_BYTES, p->wirelen);
    if (p->ts_ns > fr->now_ns)
        fr->now_ns = p->ts_ns;

    decode_packet(&fr->decode, p);

    /* A reassembled datagram may carry a tunnelled fragment in turn; the
     * tunnel depth cap bounds the rounds. defrag_add copies what it keeps,
     * so the outer datagram can go once the inner one is out. */
    for (int round = 0; (p->flags & PKT_IS_FRAGMENT) && round <= PACKET_MAX_TUNNEL_DEPTH; round++) {
        uint8_t *dg;
        uint32_t dglen;
        if (defrag_add(fr->defrag, p, &dg, &dglen) != TG_OK)
            break;
        free(p->owned);
        p->owned = dg;
        p->flags |= PKT_REASSEMBLED;
        decode_ip_datagram(&fr->decode, p, dg, dglen);
    }
    defrag_expire(fr->defrag, fr->now_ns);
    flow_packet_hash(&fr->hash_key, p);
}

void engine_prefetch_bucket(struct engine *e, const struct packet *p)
{
    flow_prefetch_bucket(e->flows, p);
    /* the app layer reads the payload's first bytes (an RTP header, a SIP
     * start line); the capture thread's core read it last */
    if (p->payload_len)
        __builtin_prefetch(p->payload);
}
void engine_prefetch_flow(struct engine *e, const struct packet *p) { flow_prefetch(e->flows, p); }

struct engine_front *engine_front_begin(struct engine *e)
{
    struct engine_front *fr = &e->front;
    fr->shadow = e->stats;
    fr->base = e->stats;
    fr->stats = &fr->shadow;
    fr->decode.stats = &fr->shadow;
    defrag_set_stats(fr->defrag, &fr->shadow);
    fr->threaded = true;
    return fr;
}

void engine_front_end(struct engine *e)
{
    struct engine_front *fr = &e->front;
    if (!fr->threaded)
        return;
    /* Unsigned differences: gauges the front sets (defrag memuse) land on
     * their new value, counters gain what the front added. */
    for (size_t i = 0; i < TG_ARRAY_LEN(e->stats.c); i++)
        e->stats.c[i] += fr->shadow.c[i] - fr->base.c[i];
    for (size_t i = 0; i < TG_ARRAY_LEN(e->stats.events); i++)
        e->stats.events[i] += fr->shadow.events[i] - fr->base.events[i];
    fr->stats = &e->stats;
    fr->decode.stats = &e->stats;
    defrag_set_stats(fr->defrag, &e->stats);
    fr->threaded = false;
}

void engine_process_packet(struct engine *e, struct packet *p)
{
    engine_front_packet(&e->front, p);
    engine_process_decoded(e, p);
}

void engine_process_batch(struct engine *e, struct packet *pkts, size_t n)
{
    /* Three passes so the flow table's cache misses overlap: hash every
     * packet and prefetch its bucket, prefetch the flow each bucket leads
     * to, then do the rest. Decode and defragmentation touch no flow
     * state, so running them ahead changes nothing a packet sees. */
    for (size_t i = 0; i < n; i++) {
        engine_front_packet(&e->front, &pkts[i]);
        flow_prefetch_bucket(e->flows, &pkts[i]);
    }
    for (size_t i = 0; i < n; i++)
        flow_prefetch(e->flows, &pkts[i]);
    for (size_t i = 0; i < n; i++)
        engine_process_decoded(e, &pkts[i]);
}

void engine_process_decoded(struct engine *e, struct packet *p)
{
    if (e->reload_flag && *e->reload_flag) {
        *e->reload_flag = 0;
        engine_reload_rules(e);
    }
    if (p->ts_ns > e->now_ns)
        e->now_ns = p->ts_ns;

    if ((p->flags & PKT_HAS_L4) && !(p->flags & PKT_IS_FRAGMENT)) {
        struct flow *f = flow_lookup(e->flows, p);
        /* a new UDP flow may be media a call's SDP announced */
        if (f && p->l4_proto == IPPROTO_NUM_UDP && f->pkts[0] + f->pkts[1] == 1)
            sip_call_flow_new(e->calls, f);
        if (f) {
            if (p->l4_proto == IPPROTO_NUM_TCP)
                stream_process(e->stream, f, p);
            else if (p->l4_proto == IPPROTO_NUM_UDP && p->payload_len)
                app_layer_handle(e->app, f, p, p->dir, p->payload, p->payload_len, APP_DATAGRAM);
        }
    }

    if (e->detect) {
        const struct flow *f = p->flow;
        detect_packet(e->detect, p, f && f->app_proto ? app_layer_name(e->app, f->app_proto) : NULL);
    }
    engine_emit_events(e, p);
    flow_table_expire(e->flows, e->now_ns);
    sip_call_expire(e->calls, e->now_ns);
    /* The output's timers are a second of wall time; reading the clock
     * every ENGINE_TICK_EVERY packets is plenty (engine_tick covers idle
     * live capture). */
    if ((++e->packets & (ENGINE_TICK_EVERY - 1)) == 0)
        output_tick(e->out);
    free(p->owned);
    p->owned = NULL;
}

int engine_load_rules(struct engine *e, const struct config *cfg, const char *const *files, size_t nfiles,
                      bool skip_bad, char *err, size_t errlen)
{
    e->rules_cfg = cfg;
    e->rule_files = files;
    e->nrule_files = nfiles;
    e->skip_bad = skip_bad;
    struct rule_loader_opts opts = {.skip_bad = skip_bad, .errors = stderr};
    struct rule_loader *ld = rule_loader_new(cfg, &opts, err, errlen);
    if (!ld)
        return TG_ERROR;
    struct ruleset rs = {0};
    int rc = rule_load_files(ld, &rs, cfg, files, nfiles);
    rule_loader_free(ld);
    if (rc != TG_OK) {
        snprintf(err, errlen, "%zu rule error(s); not starting (use --skip-bad-rules to load the rest)",
                 rs.errors);
        ruleset_clear(&rs);
        return TG_ERROR;
    }
    if (rs.n == 0) {
        ruleset_clear(&rs);
        return TG_OK;
    }
    struct detect *d = detect_new(cfg, &rs, &e->stats, e->out, e->detect, err, errlen);
    ruleset_clear(&rs);
    if (!d)
        return TG_ERROR;
    /* The swap is one pointer store between two packets: there is no
     * moment without rules. */
    detect_free(e->detect);
    e->detect = d;
    return TG_OK;
}

void engine_watch_reload(struct engine *e, volatile sig_atomic_t *flag)
{
    e->reload_flag = flag;
}

int engine_reload_rules(struct engine *e)
{
    char err[512];
    stats_inc(&e->stats, STAT_DETECT_RELOADS);
    if (engine_load_rules(e, e->rules_cfg, e->rule_files, e->nrule_files, e->skip_bad, err, sizeof err) != TG_OK) {
        fprintf(stderr, "tollgate: rule reload failed, keeping the rules in force: %s\n", err);
        stats_inc(&e->stats, STAT_DETECT_RELOAD_FAILURES);
        return TG_ERROR;
    }
    fprintf(stderr, "tollgate: rules reloaded: %zu rules\n", detect_rule_count(e->detect));
    return TG_OK;
}

struct detect *engine_detect(struct engine *e) { return e->detect; }

void *engine_scratch(struct engine *e, enum engine_scratch_slot slot, void *(*make)(void *arg),
                     void (*destroy)(void *obj), void *arg)
{
    if (!e || (unsigned)slot >= ENGINE_SCRATCH_SLOTS)
        return NULL;
    if (!e->scratch[slot].obj) {
        e->scratch[slot].obj = make(arg);
        e->scratch[slot].destroy = destroy;
    }
    return e->scratch[slot].obj;
}

void engine_set_observer(struct engine *e, engine_msg_observer_fn fn, void *arg)
{
    e->observer = fn;
    e->observer_arg = arg;
}

void engine_observe(struct engine *e, const char *app_proto, const void *msg, const struct packet *p)
{
    if (e && e->observer)
        e->observer(e->observer_arg, app_proto, msg, p);
}

void engine_tick(struct engine *e, uint64_t now_ns)
{
    if (now_ns > e->now_ns)
        e->now_ns = now_ns;
    if (now_ns > e->front.now_ns)
        e->front.now_ns = now_ns;
    defrag_expire(e->defrag, e->front.now_ns);
    flow_table_expire(e->flows, e->now_ns);
    sip_call_expire(e->calls, e->now_ns);
    /* Rows of flows that timed out while idle reach the store's writer
     * and the files are flushed, as after a packet. */
    output_tick(e->out);
}

struct stats *engine_stats(struct engine *e) { return &e->stats; }
struct sip_call_table *engine_calls(struct engine *e) { return e->calls; }
struct app_layer *engine_app_layer(struct engine *e) { return e->app; }
struct output *engine_output(struct engine *e) { return e->out; }
uint64_t engine_now(const struct engine *e) { return e->now_ns; }
const struct config *engine_config(const struct engine *e) { return e->cfg; }
