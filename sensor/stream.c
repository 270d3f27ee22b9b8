/* stream.c - TCP reassembly (skeleton: in-order data only, no buffering). */
#include <stdlib.h>
#include "config.h"
#include "stream.h"

struct stream_flow {
    bool init[2];
    uint32_t next_seq[2];
};

struct stream_ctx {
    struct stats *stats;
    stream_deliver_fn deliver;
    void *arg;
};

struct stream_ctx *stream_new(const struct config *cfg, struct stats *st, stream_deliver_fn deliver, void *arg)
{
    TG_UNUSED(cfg);
    struct stream_ctx *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->stats = st;
    s->deliver = deliver;
    s->arg = arg;
    return s;
}

void stream_free(struct stream_ctx *s) { free(s); }

void stream_process(struct stream_ctx *s, struct flow *f, struct packet *p)
{
    if (!f->stream) {
        f->stream = calloc(1, sizeof *f->stream);
        if (!f->stream)
            return;
        stats_inc(s->stats, STAT_TCP_SESSIONS);
    }
    struct stream_flow *sf = f->stream;
    int d = p->dir;
    uint32_t seq = p->tcp_seq + ((p->tcp_flags & TCP_SYN) ? 1u : 0u);
    if (!sf->init[d]) {
        sf->init[d] = true;
        sf->next_seq[d] = seq;
    }
    if (p->payload_len && seq == sf->next_seq[d]) {
        s->deliver(s->arg, f, p, d, p->payload, p->payload_len, 0);
        sf->next_seq[d] += p->payload_len;
    }
}

void stream_flow_end(struct stream_ctx *s, struct flow *f)
{
    TG_UNUSED(s);
    free(f->stream);
    f->stream = NULL;
}

size_t stream_memuse(const struct stream_ctx *s) { TG_UNUSED(s); return 0; }
