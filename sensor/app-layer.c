/* app-layer.c - application protocol registry, content probing and dispatch. */
#include <stdlib.h>
#include <string.h>
#include "app-layer.h"

#define APP_MAX_PROTOS 32
/* Give up probing a direction after this many bytes without a verdict. */
#define APP_PROBE_MAX_BYTES 2048

struct app_layer {
    struct app_proto_desc protos[APP_MAX_PROTOS + 1]; /* index = id, 0 unused */
    int n;
    struct stats *stats;
    void *user;
};

struct app_layer *app_layer_new(struct stats *st, void *user)
{
    struct app_layer *al = calloc(1, sizeof *al);
    if (!al)
        return NULL;
    al->stats = st;
    al->user = user;
    return al;
}

void app_layer_free(struct app_layer *al)
{
    free(al);
}

int app_layer_register(struct app_layer *al, const struct app_proto_desc *desc)
{
    if (al->n >= APP_MAX_PROTOS || !desc->probe || !desc->parse)
        return TG_ERROR;
    /* The per-flow memo has room for one stateful prober only. */
    for (int id = 1; desc->probe_datagram && id <= al->n; id++)
        if (al->protos[id].probe_datagram)
            return TG_ERROR;
    al->protos[++al->n] = *desc;
    return al->n;
}

static bool app_port_hint(const struct app_proto_desc *d, const struct flow *f)
{
    for (size_t i = 0; i < TG_ARRAY_LEN(d->ports) && d->ports[i]; i++)
        if (d->ports[i] == f->port[0] || d->ports[i] == f->port[1])
            return true;
    return false;
}

/* Probe every eligible decoder, port-hinted ones first. Returns the id, 0
 * when someone wants more data, -1 when everyone said no. */
static int app_probe(struct app_layer *al, struct flow *f, const struct packet *p, const uint8_t *data, size_t len,
                     int dir)
{
    uint8_t ipp = f->proto == IPPROTO_NUM_TCP ? APP_IPPROTO_TCP
                : f->proto == IPPROTO_NUM_UDP ? APP_IPPROTO_UDP : 0;
    bool more = false;
    for (int pass = 0; pass < 2; pass++) {
        for (int id = 1; id <= al->n; id++) {
            const struct app_proto_desc *d = &al->protos[id];
            if (!(d->ipprotos & ipp) || app_port_hint(d, f) != (pass == 0))
                continue;
            enum app_probe_result r = ipp == APP_IPPROTO_UDP && d->probe_datagram
                                          ? d->probe_datagram(f->app_probe_memo[dir], p, data, len, dir)
                                          : d->probe(data, len, dir);
            if (r == APP_PROBE_YES)
                return id;
            if (r == APP_PROBE_MORE)
                more = true;
        }
    }
    return more ? 0 : -1;
}

size_t app_layer_handle(struct app_layer *al, struct flow *f, struct packet *p, int dir,
                        const uint8_t *data, size_t len, unsigned flags)
{
    if (f->app_proto == 0) {
        if (f->app_probe_done[dir] || (len == 0 && !(flags & APP_EOF)))
            return len;
        int id = len ? app_probe(al, f, p, data, len, dir) : -1;
        if (id == 0 && len < APP_PROBE_MAX_BYTES && !(flags & (APP_EOF | APP_DATAGRAM)))
            return 0; /* keep the bytes, ask again with more */
        if (id <= 0) {
            /* A UDP flow may still show its protocol in a later datagram. */
            if (!(flags & APP_DATAGRAM)) {
                f->app_probe_done[dir] = 1;
                if (f->app_probe_done[dir ^ 1] || f->pkts[dir ^ 1] == 0)
                    stats_inc(al->stats, STAT_APP_UNDETECTED);
            }
            return len;
        }
        const struct app_proto_desc *d = &al->protos[id];
        f->app_state = d->state_new ? d->state_new(f, al->user) : NULL;
        if (d->state_new && !f->app_state) {
            f->app_probe_done[0] = f->app_probe_done[1] = 1;
            return len;
        }
        f->app_proto = (uint16_t)id;
        stats_inc(al->stats, STAT_APP_DETECTED);
    }
    const struct app_proto_desc *d = &al->protos[f->app_proto];
    struct app_parse ap = {.flow = f, .p = p, .dir = dir, .flags = flags, .user = al->user};
    size_t used = d->parse(f->app_state, &ap, data, len);
    if ((flags & APP_DATAGRAM) || used > len)
        return len;
    return used;
}

int app_layer_set_proto(struct app_layer *al, struct flow *f, uint16_t id)
{
    if (f->app_proto || id == 0 || id > al->n)
        return TG_DECLINED;
    const struct app_proto_desc *d = &al->protos[id];
    f->app_state = d->state_new ? d->state_new(f, al->user) : NULL;
    if (d->state_new && !f->app_state)
        return TG_ERROR;
    f->app_proto = id;
    stats_inc(al->stats, STAT_APP_DETECTED);
    return TG_OK;
}

void app_layer_flow_end(struct app_layer *al, struct flow *f)
{
    if (f->app_proto && f->app_proto <= al->n) {
        const struct app_proto_desc *d = &al->protos[f->app_proto];
        if (d->state_free && f->app_state)
            d->state_free(f->app_state, al->user);
    }
    f->app_state = NULL;
}

const char *app_layer_name(const struct app_layer *al, uint16_t id)
{
    if (id == 0 || id > al->n)
        return "unknown";
    return al->protos[id].name;
}

int app_layer_id(const struct app_layer *al, const char *name)
{
    for (int id = 1; id <= al->n; id++)
        if (strcmp(al->protos[id].name, name) == 0)
            return id;
    return 0;
}
