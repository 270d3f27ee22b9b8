/* store.h - the SQLite store: runs, flows, alerts, run statistics (and later
 * calls, registrations, p2p sessions).
 *
 * One writer, WAL journal, rows batched into transactions (store.batch rows,
 * and at least once per second of wall time), bound parameters only. The
 * schema is versioned with PRAGMA user_version and migrated when an older
 * database is opened. Every row carries the sensor_id of the sensor that
 * wrote it so several sensors' databases can be read together.
 *
 * Errors after open are never fatal: the row is lost, the error is counted
 * in output.db_errors and the first one is reported on stderr. */
#ifndef TG_STORE_H
#define TG_STORE_H

#include "../sensor/flow.h"

struct config;
struct store;

/* Default rows per transaction (store.batch). */
#define STORE_BATCH_DEFAULT 1000

/* An alert as the rule engine reports it; strings are borrowed for the call
 * and may be NULL where noted. */
struct store_alert {
    uint64_t ts_ns;
    uint32_t gid, sid, rev;
    const char *action;     /* rule action: alert, drop, reject, pass */
    const char *msg;
    const char *classtype;  /* NULL when the rule has none */
    uint32_t priority;
    uint8_t proto;          /* IPPROTO_NUM_* */
    const struct ip_addr *src, *dst;
    uint16_t sport, dport;  /* ICMP: type and code */
    uint64_t flow_id;       /* 0 when the packet has no flow */
    const char *app_proto;  /* NULL when unknown */
    const uint8_t *payload; /* excerpt, may be NULL */
    size_t payload_len;
};

/* Open or create the database at path and migrate it to the current
 * schema. NULL on error with a message naming path in err. */
struct store *store_open(const char *path, char *err, size_t errlen);
/* Apply configuration keys (cfg may be NULL): store.batch, rows per
 * transaction (default STORE_BATCH_DEFAULT, 1 .. 1000000). */
void store_configure(struct store *s, const struct config *cfg);
/* Commit what is pending and close. */
void store_close(struct store *s);

/* Counters for rows written (output.db_rows) and errors (output.db_errors);
 * st may be NULL. */
void store_set_stats(struct store *s, struct stats *st);
/* sensor_id stamped on every row written from now on (copied). */
int store_set_sensor_id(struct store *s, const char *sensor_id);

/* A run: one invocation of the sensor. Returns the run id (>0) or TG_ERROR. */
int64_t store_begin_run(struct store *s, const char *mode, const char *inputs, uint64_t start_ns);
/* End time and one stats row per counter (and per raised event). */
void store_end_run(struct store *s, int64_t run_id, uint64_t end_ns, const struct stats *st);

/* One ended flow. app_proto may be NULL. TG_OK or TG_ERROR (counted). */
int store_write_flow(struct store *s, int64_t run_id, const struct flow *f, const char *app_proto);
/* One alert. TG_OK or TG_ERROR (counted). */
int store_write_alert(struct store *s, int64_t run_id, const struct store_alert *a);

/* A registration outcome (final response to a REGISTER); strings are
 * borrowed for the call and may be NULL where noted. */
struct store_registration {
    uint64_t ts_ns;          /* time of the final response */
    const char *aor;         /* To URI */
    const char *call_id;
    const char *contact;     /* request's Contact, or the bindings of a 2xx; NULL when none */
    const struct ip_addr *src; /* the registering client */
    uint16_t sport;
    const char *user_agent;  /* NULL when none */
    int64_t expires;         /* Expires header of the request, -1 when absent */
    uint32_t result;         /* final status code */
};

struct sip_call;
/* One ended call (decoders/sip-call.h). TG_OK or TG_ERROR (counted). */
int store_write_call(struct store *s, int64_t run_id, const struct sip_call *c);
/* One REGISTER outcome. TG_OK or TG_ERROR (counted). */
int store_write_registration(struct store *s, int64_t run_id, const struct store_registration *r);

/* Commit the open batch now (also happens every store.batch rows). */
void store_flush(struct store *s);
/* Commit the open batch when it is older than a second of wall time; cheap,
 * call it often (the engine does per packet). */
void store_tick(struct store *s);

/* Current schema version written by this build. */
int store_schema_version(void);

/* Format ts_ns as the store's text time (ISO 8601 UTC, microseconds, 'Z'). */
void store_format_time(uint64_t ts_ns, char *buf, size_t len);

#endif
