/* output.h - the log directory: eve.json, fast.log and tollgate.db.
 *
 * Every record the engine produces goes through here, so the three outputs
 * stay consistent. EVE follows Suricata's layout (see DESIGN.md). */
#ifndef TG_OUTPUT_H
#define TG_OUTPUT_H

#include "flow.h"
#include "json.h"

struct config;
struct output;
struct store;

/* An alert as the rule engine hands it to the outputs. Strings are
 * borrowed for the call. */
struct output_alert {
    const char *action;     /* rule action: "alert", "drop", "reject", "pass" */
    bool blocked;           /* the verdict dropped the packet (inline) */
    uint32_t gid, sid, rev;
    const char *msg;        /* the rule's msg */
    const char *classtype;  /* short name ("attempted-admin"); NULL when none */
    const char *category;   /* its description; NULL: the classtype, or "" */
    uint32_t priority;      /* EVE severity */
    /* Bytes to keep as the alert's payload excerpt (e.g. the reassembled
     * buffer that matched); NULL: the packet's own payload. */
    const uint8_t *payload;
    size_t payload_len;
};

/* Create DIR if needed and open its files. Keys: sensor_id (default the
 * host name), output.payload-excerpt (bytes of payload kept with an alert,
 * default 256), store.batch. NULL with a message in err. */
struct output *output_open(const char *dir, const struct config *cfg, struct stats *st,
                           char *err, size_t errlen);
/* Counters the outputs update (records written, db errors). */
void output_set_stats(struct output *o, struct stats *st);
/* Move the writer threads (store, eve.json) onto the helper CPUs of an
 * engine thread with a CPU of its own (thread-affinity.h). */
struct thread_affinity;
void output_pin_helpers(struct output *o, const struct thread_affinity *a);
/* Flush and close everything. */
void output_close(struct output *o);

/* Start/finish the run record (mode "analyze", "sniff", "inline"). */
void output_begin_run(struct output *o, const char *mode, const char *inputs, uint64_t start_ns);
void output_end_run(struct output *o, uint64_t end_ns, const struct stats *st);
/* Wait until every row queued for the store is written and committed, so
 * output.db_rows and output.db_errors in the stats are final (the last
 * stats record is written after this). */
void output_sync(struct output *o);

/* EVE "flow" event and a flows row for an ended flow. */
void output_flow(struct output *o, const struct flow *f, const char *app_proto);
/* EVE "anomaly" event for an engine event raised on a packet. */
void output_anomaly(struct output *o, const struct packet *p, enum event_id ev, const char *app_proto);
/* EVE "stats" event from the counters. */
void output_stats(struct output *o, const struct stats *st, uint64_t ts_ns);

/* An alert on packet p: EVE "alert" event, fast.log line and alerts row.
 * Marks p->flow as alerted. */
void output_alert(struct output *o, const struct output_alert *a, const struct packet *p,
                  const char *app_proto);
/* The same in two steps, for callers that add objects to the EVE record
 * (e.g. "sip":{...}): begin writes the header, "alert" and
 * "payload_printable" and returns the open record; finish closes and writes
 * it with the fast.log line and the alerts row. Pass the same a, p and
 * app_proto to both. */
struct json *output_alert_begin(struct output *o, const struct output_alert *a, const struct packet *p,
                                const char *app_proto);
void output_alert_finish(struct output *o, const struct output_alert *a, const struct packet *p,
                         const char *app_proto);
/* One fast.log line (Suricata format, UTC, with the trailing newline) into
 * buf; returns the length it needed, like snprintf:
 * "MM/DD/YYYY-HH:MM:SS.uuuuuu  [**] [gid:sid:rev] msg [**] [Classification: X]
 *  [Priority: N] {PROTO} src:port -> dst:port". Blocked alerts start with
 * "[Drop] ", drop/reject rules that did not block with "[wDrop] ". */
int output_fast_format(char *buf, size_t len, uint64_t ts_ns, const struct output_alert *a,
                       const char *proto, const char *src, unsigned sport, const char *dst, unsigned dport);
/* Append the fast.log line of an alert on packet p. */
void output_fast_alert(struct output *o, const struct output_alert *a, const struct packet *p);

/* Periodic work that must not wait for the next record (the store's
 * one-second commit); cheap, the engine calls it per packet. */
void output_tick(struct output *o);

/* The sensor_id stamped on every record. */
const char *output_sensor_id(const struct output *o);

/* Start an EVE record with the common header (timestamp, flow_id,
 * sensor_id, event_type, addresses, ports or ICMP type/code, proto, vlan,
 * pcap_cnt, app_proto) of packet p or flow f (either may be NULL); the
 * caller adds its object then calls output_eve_finish(). */
struct json *output_eve_begin(struct output *o, const char *event_type, uint64_t ts_ns,
                              const struct flow *f, const struct packet *p, const char *app_proto);
void output_eve_finish(struct output *o);

/* The store, for modules that write their own tables; may be NULL. */
struct store *output_store(struct output *o);
int64_t output_run_id(const struct output *o);
/* fast.log stream (alerts); may be NULL. */
FILE *output_fast(struct output *o);

#endif
