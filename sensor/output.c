/* output.c - writes EVE JSON lines, fast.log and the SQLite store.
 *
 * Every record goes through here so the three outputs agree: the same
 * flow_id, sensor_id and times appear in eve.json, fast.log and
 * tollgate.db. Output problems never stop the engine: a failed write is
 * counted (output.db_errors for the store) and the run goes on. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "../reports/store.h"
#include "config.h"
#include "file-writer.h"
#include "output.h"

#define OUTPUT_PAYLOAD_EXCERPT_DEFAULT 256
#define OUTPUT_PAYLOAD_EXCERPT_MAX 65535
/* Wall time between flushes of eve.json and fast.log, so a live sensor's
 * records reach log shippers (Filebeat, Vector) promptly. */
#define OUTPUT_FLUSH_NS TG_NS_PER_SEC

struct output {
    struct file_writer *eve; /* written on its own thread (file-writer.c) */
    FILE *fast;
    struct store *store;
    int64_t run_id;
    struct json j;
    struct stats *stats;
    char sensor_id[256];
    size_t payload_excerpt;
    char dir[4096];
    uint64_t last_flush_ns;
    uint64_t file_errors;
    uint64_t eve_errors_seen; /* the eve writer's failures counted so far */
};

static uint64_t output_wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (uint64_t)ts.tv_sec * TG_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* n writes to eve.json or fast.log failed (disk full, I/O error), the
 * first with errno err: count them, say so once, go on; the sensor must
 * keep inspecting traffic. */
static void output_file_errors(struct output *o, const char *name, uint64_t n, int err)
{
    if (o->stats)
        stats_add(o->stats, STAT_OUTPUT_FILE_ERRORS, n);
    if (o->file_errors == 0)
        fprintf(stderr, "tollgate: %s/%s: %s (later write errors are only counted in output.file_errors)\n",
                o->dir, name, strerror(err));
    o->file_errors += n;
}

static void output_file_error(struct output *o, const char *name)
{
    output_file_errors(o, name, 1, errno);
}

/* Count what the eve writer thread failed to write since the last call. */
static void output_eve_errors(struct output *o)
{
    int err;
    uint64_t n = file_writer_errors(o->eve, &err);
    if (n > o->eve_errors_seen)
        output_file_errors(o, "eve.json", n - o->eve_errors_seen, err);
    o->eve_errors_seen = n;
}

static FILE *output_file(const char *dir, const char *name, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "a");
    if (!f)
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return f;
}

/* mkdir -p: the log directory may be several levels deep. */
static int output_mkdirs(const char *dir)
{
    char path[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof path)
        return -1;
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        char c = path[i];
        path[i] = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return -1;
        path[i] = c;
    }
    return 0;
}

struct output *output_open(const char *dir, const struct config *cfg, struct stats *st,
                           char *err, size_t errlen)
{
    if (output_mkdirs(dir) != 0) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return NULL;
    }
    struct output *o = calloc(1, sizeof *o);
    if (!o) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    o->stats = st;
    snprintf(o->dir, sizeof o->dir, "%s", dir);
    o->last_flush_ns = output_wall_ns();
    json_init(&o->j);
    /* Suricata stamps the host name the same way ("host"); a fleet sets its own. */
    const char *sid = config_get(cfg, "sensor_id");
    if (sid && *sid)
        snprintf(o->sensor_id, sizeof o->sensor_id, "%s", sid);
    else if (gethostname(o->sensor_id, sizeof o->sensor_id - 1) != 0 || !o->sensor_id[0])
        snprintf(o->sensor_id, sizeof o->sensor_id, "tollgate");
    uint64_t pe = config_get_u64(cfg, "output.payload-excerpt", OUTPUT_PAYLOAD_EXCERPT_DEFAULT);
    o->payload_excerpt = (size_t)TG_MIN(pe, (uint64_t)OUTPUT_PAYLOAD_EXCERPT_MAX);
    char path[4096];
    snprintf(path, sizeof path, "%s/tollgate.db", dir);
    char eve[4200];
    snprintf(eve, sizeof eve, "%s/eve.json", dir);
    if (!(o->eve = file_writer_open(eve, "tg-eve", err, errlen)) ||
        !(o->fast = output_file(dir, "fast.log", err, errlen)) ||
        !(o->store = store_open(path, err, errlen))) {
        output_close(o);
        return NULL;
    }
    if (store_set_sensor_id(o->store, o->sensor_id) != TG_OK) {
        snprintf(err, errlen, "out of memory");
        output_close(o);
        return NULL;
    }
    store_configure(o->store, cfg);
    store_set_stats(o->store, st);
    return o;
}

void output_close(struct output *o)
{
    if (!o)
        return;
    file_writer_close(o->eve); /* writes what is left */
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

static void output_flush_files(struct output *o)
{
    file_writer_flush(o->eve);
    output_eve_errors(o);
    if (fflush(o->fast) != 0)
        output_file_error(o, "fast.log");
    o->last_flush_ns = output_wall_ns();
}

void output_end_run(struct output *o, uint64_t end_ns, const struct stats *st)
{
    if (o->run_id > 0)
        store_end_run(o->store, o->run_id, end_ns, st);
    store_flush(o->store);
    file_writer_sync(o->eve); /* so its write errors are known now */
    output_flush_files(o);
}

void output_pin_helpers(struct output *o, const struct thread_affinity *a)
{
    store_pin_writer(o->store, a);
    file_writer_pin(o->eve, a);
}

void output_sync(struct output *o)
{
    if (o)
        store_drain(o->store);
}

void output_tick(struct output *o)
{
    if (!o)
        return;
    store_tick(o->store);
    if (output_wall_ns() - o->last_flush_ns >= OUTPUT_FLUSH_NS)
        output_flush_files(o);
}

static bool proto_is_icmp(uint8_t proto)
{
    return proto == IPPROTO_NUM_ICMP || proto == IPPROTO_NUM_ICMPV6;
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
    json_str(j, "sensor_id", o->sensor_id);
    if (p && p->num)
        json_u64(j, "pcap_cnt", p->num);
    json_str(j, "event_type", event_type);
    if (p && p->ip_version) {
        bool ports = (p->flags & PKT_HAS_L4) && !proto_is_icmp(p->l4_proto);
        json_str(j, "src_ip", ip_addr_str(&p->src, a, sizeof a));
        if (ports)
            json_u64(j, "src_port", p->sport);
        json_str(j, "dest_ip", ip_addr_str(&p->dst, a, sizeof a));
        if (ports)
            json_u64(j, "dest_port", p->dport);
        json_str(j, "proto", flow_proto_name(p->l4_proto, pn, sizeof pn));
        if ((p->flags & PKT_HAS_L4) && proto_is_icmp(p->l4_proto)) {
            json_u64(j, "icmp_type", p->icmp_type);
            json_u64(j, "icmp_code", p->icmp_code);
        }
    } else if (f) {
        json_str(j, "src_ip", ip_addr_str(&f->addr[0], a, sizeof a));
        if (!proto_is_icmp(f->proto))
            json_u64(j, "src_port", f->port[0]);
        json_str(j, "dest_ip", ip_addr_str(&f->addr[1], a, sizeof a));
        if (!proto_is_icmp(f->proto))
            json_u64(j, "dest_port", f->port[1]);
        json_str(j, "proto", flow_proto_name(f->proto, pn, sizeof pn));
        if (proto_is_icmp(f->proto)) {
            json_u64(j, "icmp_type", f->icmp_type);
            json_u64(j, "icmp_code", f->icmp_code);
        }
    }
    if (p && p->vlan_count) {
        json_open_array(j, "vlan");
        for (unsigned i = 0; i < p->vlan_count && i < PACKET_MAX_VLAN; i++)
            json_u64(j, NULL, p->vlan[i]);
        json_close_array(j);
    } else if (!p && f && f->vlan) {
        json_open_array(j, "vlan");
        json_u64(j, NULL, f->vlan);
        if (f->vlan_inner)
            json_u64(j, NULL, f->vlan_inner);
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
        return; /* an incomplete record would be invalid JSON: drop it */
    o->j.buf[o->j.len] = '\n'; /* the builder keeps a spare byte for the NUL */
    if (!file_writer_put(o->eve, o->j.buf, o->j.len + 1)) {
        o->j.buf[o->j.len] = '\0';
        errno = ENOMEM;
        output_file_error(o, "eve.json");
        return;
    }
    o->j.buf[o->j.len] = '\0';
    if (o->stats)
        stats_inc(o->stats, STAT_OUTPUT_EVE_RECORDS);
}

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
    json_u64(j, "age", f->last_ns > f->start_ns ? (f->last_ns - f->start_ns) / TG_NS_PER_SEC : 0);
    json_str(j, "state", flow_state_name(f->state));
    json_str(j, "reason", flow_end_reason_name(f->end_reason));
    json_bool(j, "alerted", f->alerted);
    json_close_object(j);
    output_eve_finish(o);
    if (o->run_id > 0)
        store_write_flow(o->store, o->run_id, f, app_proto); /* errors counted by the store */
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

/* --- alerts --- */

static bool alert_is_drop(const struct output_alert *a)
{
    return a->action && (strcmp(a->action, "drop") == 0 || strcmp(a->action, "reject") == 0);
}

static const char *alert_category(const struct output_alert *a)
{
    return a->category ? a->category : a->classtype ? a->classtype : "";
}

/* Ports as fast.log and the alerts table show them: ICMP type and code in
 * place of ports, as Suricata does. */
static void alert_ports(const struct packet *p, unsigned *sp, unsigned *dp)
{
    if (!(p->flags & PKT_HAS_L4)) {
        *sp = *dp = 0;
    } else if (proto_is_icmp(p->l4_proto)) {
        *sp = p->icmp_type;
        *dp = p->icmp_code;
    } else {
        *sp = p->sport;
        *dp = p->dport;
    }
}

int output_fast_format(char *buf, size_t len, uint64_t ts_ns, const struct output_alert *a,
                       const char *proto, const char *src, unsigned sport, const char *dst, unsigned dport)
{
    time_t sec = (time_t)(ts_ns / TG_NS_PER_SEC);
    struct tm tm;
    gmtime_r(&sec, &tm);
    const char *mark = a->blocked ? "[Drop] " : alert_is_drop(a) ? "[wDrop] " : "";
    /* Suricata prints "(null)" for a rule without classtype; keep the text
     * so tools that parse its fast.log keep working. */
    const char *cls = a->category ? a->category : a->classtype ? a->classtype : "(null)";
    return snprintf(buf, len,
                    "%02d/%02d/%04d-%02d:%02d:%02d.%06u  %s[**] [%u:%u:%u] %s [**] "
                    "[Classification: %s] [Priority: %u] {%s} %s:%u -> %s:%u\n",
                    tm.tm_mon + 1, tm.tm_mday, tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
                    (unsigned)((ts_ns % TG_NS_PER_SEC) / 1000), mark, a->gid, a->sid, a->rev,
                    a->msg ? a->msg : "", cls, a->priority, proto, src, sport, dst, dport);
}

void output_fast_alert(struct output *o, const struct output_alert *a, const struct packet *p)
{
    if (!o || !o->fast)
        return;
    char s[48] = "", d[48] = "", pn[16], line[2048];
    if (p->ip_version) {
        ip_addr_str(&p->src, s, sizeof s);
        ip_addr_str(&p->dst, d, sizeof d);
    }
    unsigned sp, dp;
    alert_ports(p, &sp, &dp);
    int n = output_fast_format(line, sizeof line, p->ts_ns, a, flow_proto_name(p->l4_proto, pn, sizeof pn),
                               s, sp, d, dp);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line) { /* a very long msg: keep the line whole, newline included */
        n = (int)sizeof line - 1;
        line[n - 1] = '\n';
    }
    if (fwrite(line, 1, (size_t)n, o->fast) != (size_t)n)
        output_file_error(o, "fast.log");
}

/* The payload excerpt of an alert: the caller's buffer or the packet's. */
static const uint8_t *alert_payload(const struct output *o, const struct output_alert *a, const struct packet *p,
                                    size_t *len)
{
    const uint8_t *b = a->payload ? a->payload : p->payload;
    size_t n = a->payload ? a->payload_len : p->payload_len;
    *len = b ? TG_MIN(n, o->payload_excerpt) : 0;
    return b;
}

struct json *output_alert_begin(struct output *o, const struct output_alert *a, const struct packet *p,
                                const char *app_proto)
{
    if (p->flow)
        p->flow->alerted = true;
    struct json *j = output_eve_begin(o, "alert", p->ts_ns, p->flow, p, app_proto);
    if (p->flow)
        json_str(j, "direction", p->dir == DIR_TO_SERVER ? "to_server" : "to_client");
    json_open_object(j, "alert");
    json_str(j, "action", a->blocked ? "blocked" : "allowed");
    json_u64(j, "gid", a->gid);
    json_u64(j, "signature_id", a->sid);
    json_u64(j, "rev", a->rev);
    json_str(j, "signature", a->msg ? a->msg : "");
    json_str(j, "category", alert_category(a));
    json_u64(j, "severity", a->priority);
    json_close_object(j);
    size_t plen;
    const uint8_t *pl = alert_payload(o, a, p, &plen);
    if (plen) {
        /* As Suricata prints it: printable ASCII kept, every other byte '.'. */
        uint8_t buf[2048];
        size_t n = TG_MIN(plen, sizeof buf);
        for (size_t i = 0; i < n; i++)
            buf[i] = (pl[i] >= 0x20 && pl[i] < 0x7f) || pl[i] == '\n' || pl[i] == '\r' || pl[i] == '\t' ? pl[i] : '.';
        json_strn(j, "payload_printable", buf, n);
    }
    return j;
}

void output_alert_finish(struct output *o, const struct output_alert *a, const struct packet *p,
                         const char *app_proto)
{
    output_eve_finish(o);
    output_fast_alert(o, a, p);
    if (o->stats)
        stats_inc(o->stats, STAT_OUTPUT_ALERTS);
    if (o->run_id > 0) {
        unsigned sp, dp;
        size_t plen;
        const uint8_t *pl = alert_payload(o, a, p, &plen);
        alert_ports(p, &sp, &dp);
        struct store_alert sa = {
            .ts_ns = p->ts_ns, .gid = a->gid, .sid = a->sid, .rev = a->rev,
            .action = a->action, .msg = a->msg, .classtype = a->classtype, .priority = a->priority,
            .proto = p->l4_proto, .src = p->ip_version ? &p->src : NULL, .dst = p->ip_version ? &p->dst : NULL,
            .sport = (uint16_t)sp, .dport = (uint16_t)dp, .flow_id = p->flow ? p->flow->id : 0,
            .app_proto = app_proto, .payload = pl, .payload_len = plen,
        };
        store_write_alert(o->store, o->run_id, &sa);
    }
}

void output_alert(struct output *o, const struct output_alert *a, const struct packet *p, const char *app_proto)
{
    output_alert_begin(o, a, p, app_proto);
    output_alert_finish(o, a, p, app_proto);
}

void output_set_stats(struct output *o, struct stats *st)
{
    o->stats = st;
    store_set_stats(o->store, st);
}

struct store *output_store(struct output *o) { return o ? o->store : NULL; }
int64_t output_run_id(const struct output *o) { return o ? o->run_id : 0; }
FILE *output_fast(struct output *o) { return o ? o->fast : NULL; }
const char *output_sensor_id(const struct output *o) { return o->sensor_id; }
