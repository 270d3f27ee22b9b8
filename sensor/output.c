/* output.c - writes EVE JSON lines, fast.log and the SQLite store. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "../reports/store.h"
#include "config.h"
#include "output.h"

struct output {
    FILE *eve;
    FILE *fast;
    struct store *store;
    int64_t run_id;
    struct json j;
    struct stats *stats;
};

static FILE *output_file(const char *dir, const char *name, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "a");
    if (!f)
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return f;
}

struct output *output_open(const char *dir, const struct config *cfg, struct stats *st,
                           char *err, size_t errlen)
{
    TG_UNUSED(cfg);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return NULL;
    }
    struct output *o = calloc(1, sizeof *o);
    if (!o) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    o->stats = st;
    json_init(&o->j);
    char path[4096];
    snprintf(path, sizeof path, "%s/tollgate.db", dir);
    if (!(o->eve = output_file(dir, "eve.json", err, errlen)) ||
        !(o->fast = output_file(dir, "fast.log", err, errlen)) ||
        !(o->store = store_open(path, err, errlen))) {
        output_close(o);
        return NULL;
    }
    return o;
}

void output_close(struct output *o)
{
    if (!o)
        return;
    if (o->eve)
        fclose(o->eve);
    if (o->fast)
        fclose(o->fast);
    store_close(o->store);
    json_free(&o->j);
    free(o);
}

void output_begin_run(struct output *o, const char *mode, const char *inputs, uint64_t start_ns)
{
    o->run_id = store_begin_run(o->store, mode, inputs, start_ns);
}

void output_end_run(struct output *o, uint64_t end_ns, const struct stats *st)
{
    if (o->run_id > 0)
        store_end_run(o->store, o->run_id, end_ns, st);
    fflush(o->eve);
    fflush(o->fast);
}

struct json *output_eve_begin(struct output *o, const char *event_type, uint64_t ts_ns,
                              const struct flow *f, const struct packet *p, const char *app_proto)
{
    struct json *j = &o->j;
    char a[48], pn[16];
    json_reset(j);
    json_open_object(j, NULL);
    json_time(j, "timestamp", ts_ns);
    if (f)
        json_u64(j, "flow_id", f->id);
    json_str(j, "event_type", event_type);
    if (p && p->ip_version) {
        json_str(j, "src_ip", ip_addr_str(&p->src, a, sizeof a));
        if (p->flags & PKT_HAS_L4)
            json_u64(j, "src_port", p->sport);
        json_str(j, "dest_ip", ip_addr_str(&p->dst, a, sizeof a));
        if (p->flags & PKT_HAS_L4)
            json_u64(j, "dest_port", p->dport);
        json_str(j, "proto", flow_proto_name(p->l4_proto, pn, sizeof pn));
    } else if (f) {
        json_str(j, "src_ip", ip_addr_str(&f->addr[0], a, sizeof a));
        json_u64(j, "src_port", f->port[0]);
        json_str(j, "dest_ip", ip_addr_str(&f->addr[1], a, sizeof a));
        json_u64(j, "dest_port", f->port[1]);
        json_str(j, "proto", flow_proto_name(f->proto, pn, sizeof pn));
    }
    if (p && p->vlan_count) {
        json_open_array(j, "vlan");
        for (unsigned i = 0; i < p->vlan_count; i++)
            json_u64(j, NULL, p->vlan[i]);
        json_close_array(j);
    } else if (!p && f && f->vlan) {
        json_open_array(j, "vlan");
        json_u64(j, NULL, f->vlan);
        json_close_array(j);
    }
    if (app_proto)
        json_str(j, "app_proto", app_proto);
    return j;
}

void output_eve_finish(struct output *o)
{
    json_close_object(&o->j);
    if (o->j.oom)
        return;
    fwrite(o->j.buf, 1, o->j.len, o->eve);
    fputc('\n', o->eve);
    if (o->stats)
        stats_inc(o->stats, STAT_OUTPUT_EVE_RECORDS);
}

static const char *const flow_state_names[] = {"new", "established", "closed"};
static const char *const flow_reason_names[] = {"timeout", "evicted", "shutdown"};

void output_flow(struct output *o, const struct flow *f, const char *app_proto)
{
    struct json *j = output_eve_begin(o, "flow", f->last_ns, f, NULL, app_proto);
    json_open_object(j, "flow");
    json_u64(j, "pkts_toserver", f->pkts[0]);
    json_u64(j, "pkts_toclient", f->pkts[1]);
    json_u64(j, "bytes_toserver", f->bytes[0]);
    json_u64(j, "bytes_toclient", f->bytes[1]);
    json_time(j, "start", f->start_ns);
    json_time(j, "end", f->last_ns);
    json_u64(j, "age", (f->last_ns - f->start_ns) / TG_NS_PER_SEC);
    json_str(j, "state", flow_state_names[f->state % 3]);
    json_str(j, "reason", flow_reason_names[f->end_reason % 3]);
    json_close_object(j);
    output_eve_finish(o);
    if (o->run_id > 0) {
        int rc = store_write_flow(o->store, o->run_id, f, app_proto);
        if (o->stats)
            stats_inc(o->stats, rc == TG_OK ? STAT_OUTPUT_DB_ROWS : STAT_OUTPUT_DB_ERRORS);
    }
}

void output_anomaly(struct output *o, const struct packet *p, enum event_id ev, const char *app_proto)
{
    struct json *j = output_eve_begin(o, "anomaly", p->ts_ns, p->flow, p, app_proto);
    const char *name = event_name(ev);
    json_open_object(j, "anomaly");
    json_str(j, "type", strncmp(name, "stream.", 7) == 0 ? "stream" : "decode");
    json_str(j, "event", name);
    json_u64(j, "sid", event_sid(ev));
    json_u64(j, "packet", p->num);
    json_close_object(j);
    output_eve_finish(o);
}

/* Nest dotted counter paths into objects: "decoder.ipv4" -> decoder{ipv4}.
 * Counters of one group are contiguous in stats-list.h, so a stack of open
 * group names is enough: close the levels that differ, open the new ones. */
void output_stats(struct output *o, const struct stats *st, uint64_t ts_ns)
{
    struct json *j = output_eve_begin(o, "stats", ts_ns, NULL, NULL, NULL);
    char stack[8][48];
    int depth = 0;
    json_open_object(j, "stats");
    for (int i = 0; i < STAT_MAX; i++) {
        char parts[8][48];
        int n = 0;
        const char *s = stats_path((enum stat_id)i);
        for (;;) {
            size_t l = strcspn(s, ".");
            if (n < 8)
                snprintf(parts[n++], sizeof parts[0], "%.*s", (int)l, s);
            if (!s[l])
                break;
            s += l + 1;
        }
        int common = 0;
        while (common < depth && common < n - 1 && strcmp(stack[common], parts[common]) == 0)
            common++;
        for (; depth > common; depth--)
            json_close_object(j);
        for (; depth < n - 1; depth++) {
            snprintf(stack[depth], sizeof stack[0], "%s", parts[depth]);
            json_open_object(j, parts[depth]);
        }
        json_u64(j, parts[n - 1], st->c[i]);
    }
    for (; depth > 0; depth--)
        json_close_object(j);
    json_open_object(j, "anomaly_events");
    for (int i = 0; i < EV_MAX; i++)
        if (st->events[i])
            json_u64(j, event_name((enum event_id)i), st->events[i]);
    json_close_object(j);
    json_close_object(j);
    output_eve_finish(o);
}

void output_set_stats(struct output *o, struct stats *st) { o->stats = st; }
struct store *output_store(struct output *o) { return o ? o->store : NULL; }
int64_t output_run_id(const struct output *o) { return o ? o->run_id : 0; }
FILE *output_fast(struct output *o) { return o ? o->fast : NULL; }
