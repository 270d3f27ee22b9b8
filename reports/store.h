/* store.h - the SQLite store: runs, flows, alerts, run statistics (and later
 * calls, registrations, p2p sessions).
 *
 * One writer thread, started by store_open, owns the connection: the row
 * functions only copy a row's values into a bounded queue (store.queue
 * rows; when it is full the caller waits, counted in output.db_queue_full)
 * and return. WAL journal, rows batched into transactions (store.batch
 * rows, and at least once per second of wall time), bound parameters only.
 * Every function here is for one thread (the engine's). The
 * schema is versioned with PRAGMA user_version and migrated when an older
 * database is opened. Every row carries the sensor_id of the sensor that
 * wrote it so several sensors' databases can be read together.
 *
 * Errors after open are never fatal: the row is lost, the error is counted
 * in output.db_errors (by the writer; published into the stats at
 * store_flush, store_end_run and when rows are handed over) and the first
 * one is reported on stderr. */
#ifndef TG_STORE_H
#define TG_STORE_H

#include "../sensor/flow.h"

struct config;
struct store;

/* Default rows per transaction (store.batch). */
#define STORE_BATCH_DEFAULT 1000
/* Default and largest rows queued for the writer thread (store.queue); a
 * flow row takes about 250 bytes in the queue. */
#define STORE_QUEUE_DEFAULT 32768
#define STORE_QUEUE_MAX 4000000

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

/* Process-wide SQLite settings for a sensor, before any other SQLite call:
 * no memory statistics (they take a global mutex on every allocation) and
 * multi-thread mode (no connection is used by two threads at once). Safe
 * to skip; does nothing once SQLite is initialised. */
void store_library_init(void);

/* Open or create the database at path, migrate it to the current schema
 * and start the writer thread. NULL on error with a message naming path in
 * err. */
struct store *store_open(const char *path, char *err, size_t errlen);
/* Apply configuration keys (cfg may be NULL): store.batch, rows per
 * transaction (default STORE_BATCH_DEFAULT, 1 .. 1000000); store.queue,
 * rows queued for the writer (default STORE_QUEUE_DEFAULT, 1 ..
 * STORE_QUEUE_MAX). Call before writing rows. */
void store_configure(struct store *s, const struct config *cfg);
/* Write and commit everything queued, stop the writer thread and close.
 * Does not touch the stats (they may be gone): store_end_run or
 * store_flush publish the last counts. */
void store_close(struct store *s);

/* Counters for rows written (output.db_rows), errors (output.db_errors) and
 * waits for room in the queue (output.db_queue_full); st may be NULL. Only
 * the calling thread writes them. */
void store_set_stats(struct store *s, struct stats *st);
/* Move the writer thread onto the helper CPUs of an engine thread that has
 * a CPU of its own (sensor/thread-affinity.h); nothing without a split. */
struct thread_affinity;
bool store_pin_writer(struct store *s, const struct thread_affinity *a);
/* sensor_id stamped on every row written from now on (copied). */
int store_set_sensor_id(struct store *s, const char *sensor_id);

/* A run: one invocation of the sensor. Waits for the writer; returns the
 * run id (>0) or TG_ERROR. */
int64_t store_begin_run(struct store *s, const char *mode, const char *inputs, uint64_t start_ns);
/* End time and one stats row per counter (and per raised event), after
 * everything queued before; returns when they are committed. */
void store_end_run(struct store *s, int64_t run_id, uint64_t end_ns, const struct stats *st);

/* The row functions copy what they need (nothing borrowed is kept) and
 * queue it: TG_OK when queued, TG_ERROR when memory ran out (row lost,
 * counted). Database errors come later, counted by the writer. */

/* One ended flow. app_proto may be NULL. */
int store_write_flow(struct store *s, int64_t run_id, const struct flow *f, const char *app_proto);
/* One alert. */
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
/* One ended call (decoders/sip-call.h). */
int store_write_call(struct store *s, int64_t run_id, const struct sip_call *c);
/* One REGISTER outcome. */
int store_write_registration(struct store *s, int64_t run_id, const struct store_registration *r);

/* Wait until everything queued so far is written and committed (a batch is
 * also committed every store.batch rows), then publish the counters. */
void store_flush(struct store *s);
/* store_flush for the end of a run: while the writer finishes, copy what
 * it has already committed into the database file (a WAL checkpoint on a
 * second connection), so closing has less left to do. */
void store_drain(struct store *s);
/* Hand rows over to the writer when it is idle and asks for them; the
 * writer commits a batch a second after it began. One load when there is
 * nothing to do: call it often (the engine does per packet). */
void store_tick(struct store *s);

/* Current schema version written by this build. */
int store_schema_version(void);

/* Format ts_ns as the store's text time (ISO 8601 UTC, microseconds, 'Z'). */
void store_format_time(uint64_t ts_ns, char *buf, size_t len);

#endif
