/* engine.c - the packet pipeline (see DESIGN.md "Data flow").
 *
 * One packet travels left to right once: decode -> defrag -> flow -> stream
 * -> app layer. Flows leave through flow_end(), which writes their record and
 * releases stream and app state. Time is capture time, so offline runs
 * expire flows exactly as a live sensor would have. */
#include <stdio.h>
#include <stdlib.h>
#include "app-layer.h"
#include "config.h"
#include "defrag.h"
#include "engine.h"
#include "flow.h"
#include "output.h"
#include "stream.h"

struct engine {
    struct stats stats;
    struct decode_ctx decode;
    struct defrag *defrag;
    struct flow_table *flows;
    struct stream_ctx *stream;
    struct app_layer *app;
    struct output *out;
    const struct config *cfg; /* the caller's; outlives the engine */
    uint64_t now_ns;
};

static void engine_flow_end(struct flow *f, void *arg)
{
    struct engine *e = arg;
    if (f->stream)
        stream_flow_end(e->stream, f);
    if (e->out)
        output_flow(e->out, f, f->app_proto ? app_layer_name(e->app, f->app_proto) : NULL);
    app_layer_flow_end(e->app, f);
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
    struct engine *e = calloc(1, sizeof *e);
    if (!e) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    e->out = out;
    e->cfg = cfg;
    decode_ctx_init(&e->decode, cfg, &e->stats);
    e->defrag = defrag_new(cfg, &e->stats);
    e->flows = flow_table_new(cfg, &e->stats, engine_flow_end, e);
    e->stream = stream_new(cfg, &e->stats, engine_stream_deliver, e);
    e->app = app_layer_new(&e->stats, e);
    if (!e->defrag || !e->flows || !e->stream || !e->app) {
        snprintf(err, errlen, "out of memory creating the engine tables");
        engine_free(e);
        return NULL;
    }
    return e;
}

void engine_flush(struct engine *e)
{
    flow_table_flush(e->flows);
}

void engine_free(struct engine *e)
{
    if (!e)
        return;
    flow_table_free(e->flows); /* ends every flow through engine_flow_end */
    stream_free(e->stream);
    defrag_free(e->defrag);
    app_layer_free(e->app);
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

void engine_process_packet(struct engine *e, struct packet *p)
{
    stats_inc(&e->stats, STAT_CAPTURE_PACKETS);
    stats_add(&e->stats, STAT_CAPTURE_BYTES, p->wirelen);
    if (p->ts_ns > e->now_ns)
        e->now_ns = p->ts_ns;

    decode_packet(&e->decode, p);

    /* A reassembled datagram may carry a tunnelled fragment in turn; the
     * tunnel depth cap bounds the rounds. defrag_add copies what it keeps,
     * so the outer datagram can go once the inner one is out. */
    for (int round = 0; (p->flags & PKT_IS_FRAGMENT) && round <= PACKET_MAX_TUNNEL_DEPTH; round++) {
        uint8_t *dg;
        uint32_t dglen;
        if (defrag_add(e->defrag, p, &dg, &dglen) != TG_OK)
            break;
        free(p->owned);
        p->owned = dg;
        p->flags |= PKT_REASSEMBLED;
        decode_ip_datagram(&e->decode, p, dg, dglen);
    }

    if ((p->flags & PKT_HAS_L4) && !(p->flags & PKT_IS_FRAGMENT)) {
        struct flow *f = flow_lookup(e->flows, p);
        if (f) {
            if (p->l4_proto == IPPROTO_NUM_TCP)
                stream_process(e->stream, f, p);
            else if (p->l4_proto == IPPROTO_NUM_UDP && p->payload_len)
                app_layer_handle(e->app, f, p, p->dir, p->payload, p->payload_len, APP_DATAGRAM);
        }
    }

    engine_emit_events(e, p);
    defrag_expire(e->defrag, e->now_ns);
    flow_table_expire(e->flows, e->now_ns);
    free(p->owned);
    p->owned = NULL;
}

struct stats *engine_stats(struct engine *e) { return &e->stats; }
struct app_layer *engine_app_layer(struct engine *e) { return e->app; }
struct output *engine_output(struct engine *e) { return e->out; }
uint64_t engine_now(const struct engine *e) { return e->now_ns; }
const struct config *engine_config(const struct engine *e) { return e->cfg; }
