/* store.c - SQLite store: versioned schema, migrations, batched inserts on one writer thread.
 *
 * Why it looks like this: the sensor is the only writer, reports read
 * concurrently, so the journal is WAL and writes are grouped into
 * transactions: an fsync per row would cap the sensor at a few hundred rows a
 * second. A batch is committed after store.batch rows or after a second of
 * wall time, whichever comes first, so a quiet live sensor still makes its
 * rows visible promptly.
 *
 * SQLite (VDBE, b-trees, indexes, pwrite and fdatasync) cost about a quarter
 * of the engine thread when it ran there, so the connection belongs to a
 * writer thread started by store_open. The engine thread only copies a row's
 * raw values (times, addresses and protocol numbers unformatted) into a
 * record in its current chunk and hands whole chunks over under the lock, so
 * the lock is taken about once per few hundred rows. The queue is bounded
 * (store.queue rows); when it is full the engine waits for room and counts
 * output.db_queue_full: nothing is dropped. The writer's row and error counts
 * are atomics, published into the engine's stats by the engine thread
 * (handover, store_flush, store_end_run) so struct stats has one writer.
 *
 * A failing write must not stop a sensor that is forwarding traffic: errors
 * are counted, the first one is printed, and the run goes on. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "config.h"
#include "json.h"
#include "store.h"
#include "sip-call.h"
#include "thread-affinity.h"

/* Wall time between commits of an open batch. */
#define STORE_COMMIT_NS TG_NS_PER_SEC
/* How long an idle writer sleeps before it asks the engine for the rows its
 * current chunk still holds (the engine sees the request in store_tick). */
#define STORE_IDLE_NS (100ull * 1000 * 1000)
/* Bytes of records per chunk, and rows after which the engine hands its
 * chunk over even when it is not full. */
#define STORE_CHUNK_BYTES 65536u
#define STORE_HANDOVER_ROWS 512u
/* How often store_drain looks for newly committed rows to checkpoint. */
#define STORE_DRAIN_POLL_NS 1000000L
/* Rows the writer inserts between two sched_yield() calls (about 0.1 ms). */
#define STORE_YIELD_ROWS 64u
/* Flow rows inserted by one statement, and the columns of one. */
#define STORE_FLOW_ROWS 16u
#define STORE_FLOW_COLS 21u
#define STORE_SQL_FLOW                                                                               \
    "INSERT INTO flows (run_id, flow_id, proto, app_proto, src_ip, src_port,"                        \
    " dest_ip, dest_port, vlan, start_time, end_time, pkts_toserver,"                                \
    " pkts_toclient, bytes_toserver, bytes_toclient, state, reason, sensor_id,"                      \
    " icmp_type, icmp_code, alerted) VALUES "
#define STORE_SQL_FLOW_VALUES "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
/* Longest text the writer formats for one value (a time, an address), and
 * room for a row's worth of them. */
#define STORE_TEXT_MAX 64u
#define STORE_ROW_TEXT 4096u
/* Empty chunks kept for reuse instead of going back to malloc. */
#define STORE_SPARE_CHUNKS 4u

/* Each entry upgrades the schema from version i to i+1. Never edit an entry
 * once released: add a new one. */
static const char *const store_migrations[] = {
    /* 0 -> 1: runs, flows, stats */
    "CREATE TABLE runs ("
    " id INTEGER PRIMARY KEY,"
    " mode TEXT NOT NULL,"
    " inputs TEXT,"
    " start_time TEXT NOT NULL,"
    " end_time TEXT);"
    "CREATE TABLE flows ("
    " id INTEGER PRIMARY KEY,"
    " run_id INTEGER NOT NULL REFERENCES runs(id),"
    " flow_id INTEGER NOT NULL,"
    " proto TEXT NOT NULL,"
    " app_proto TEXT,"
    " src_ip TEXT NOT NULL, src_port INTEGER,"
    " dest_ip TEXT NOT NULL, dest_port INTEGER,"
    " vlan INTEGER,"
    " start_time TEXT NOT NULL, end_time TEXT NOT NULL,"
    " pkts_toserver INTEGER, pkts_toclient INTEGER,"
    " bytes_toserver INTEGER, bytes_toclient INTEGER,"
    " state TEXT, reason TEXT);"
    "CREATE INDEX flows_run ON flows(run_id);"
    "CREATE TABLE stats ("
    " run_id INTEGER NOT NULL REFERENCES runs(id),"
    " name TEXT NOT NULL,"
    " value INTEGER NOT NULL,"
    " PRIMARY KEY (run_id, name));",
    /* 1 -> 2: sensor_id on every row (DESIGN "Scaling out"), alerts */
    "ALTER TABLE runs ADD COLUMN sensor_id TEXT;"
    "ALTER TABLE flows ADD COLUMN sensor_id TEXT;"
    "ALTER TABLE flows ADD COLUMN icmp_type INTEGER;"
    "ALTER TABLE flows ADD COLUMN icmp_code INTEGER;"
    "ALTER TABLE flows ADD COLUMN alerted INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE stats ADD COLUMN sensor_id TEXT;"
    "CREATE TABLE alerts ("
    " id INTEGER PRIMARY KEY,"
    " run_id INTEGER NOT NULL REFERENCES runs(id),"
    " sensor_id TEXT,"
    " ts TEXT NOT NULL,"
    " sid INTEGER NOT NULL, gid INTEGER NOT NULL, rev INTEGER NOT NULL,"
    " action TEXT NOT NULL,"
    " msg TEXT, classtype TEXT, priority INTEGER,"
    " proto TEXT NOT NULL,"
    " src_ip TEXT, src_port INTEGER,"
    " dest_ip TEXT, dest_port INTEGER,"
    " flow_id INTEGER,"
    " app_proto TEXT,"
    " payload BLOB);"
    "CREATE INDEX alerts_run ON alerts(run_id);"
    "CREATE INDEX alerts_sid ON alerts(sid);"
    "CREATE INDEX alerts_ts ON alerts(ts);"
    "CREATE INDEX flows_flow_id ON flows(flow_id);",
    /* 2 -> 3: calls and registrations (decoders/sip-call.c) */
    "CREATE TABLE calls ("
    " id INTEGER PRIMARY KEY,"
    " run_id INTEGER NOT NULL REFERENCES runs(id),"
    " sensor_id TEXT,"
    " call_id TEXT NOT NULL,"
    " caller_uri TEXT, callee_uri TEXT,"
    " caller_user TEXT, callee_user TEXT,"
    " caller_display TEXT, callee_display TEXT,"
    " caller_ip TEXT, caller_port INTEGER,"
    " callee_ip TEXT, callee_port INTEGER,"
    " transport TEXT,"
    " user_agent TEXT, callee_agent TEXT,"
    " invite_time TEXT NOT NULL, ring_time TEXT, answer_time TEXT, end_time TEXT NOT NULL,"
    " setup_ms REAL, talk_s REAL,"
    " status INTEGER, reason TEXT,"
    " outcome TEXT NOT NULL, hangup TEXT, end_reason TEXT,"
    " codecs TEXT,"
    " auth_challenges INTEGER NOT NULL DEFAULT 0,"
    " reinvites INTEGER NOT NULL DEFAULT 0,"
    " srtp INTEGER NOT NULL DEFAULT 0, media_security TEXT,"
    " rtp_flows INTEGER NOT NULL DEFAULT 0,"
    " caller_pkts INTEGER, caller_bytes INTEGER, caller_lost INTEGER,"
    " caller_jitter_ms REAL, caller_max_delta_ms REAL,"
    " callee_pkts INTEGER, callee_bytes INTEGER, callee_lost INTEGER,"
    " callee_jitter_ms REAL, callee_max_delta_ms REAL);"
    "CREATE INDEX calls_run ON calls(run_id);"
    "CREATE INDEX calls_call_id ON calls(call_id);"
    "CREATE INDEX calls_invite_time ON calls(invite_time);"
    "CREATE INDEX calls_caller ON calls(caller_uri);"
    "CREATE INDEX calls_callee ON calls(callee_uri);"
    "CREATE TABLE registrations ("
    " id INTEGER PRIMARY KEY,"
    " run_id INTEGER NOT NULL REFERENCES runs(id),"
    " sensor_id TEXT,"
    " ts TEXT NOT NULL,"
    " aor TEXT, call_id TEXT, contact TEXT,"
    " src_ip TEXT, src_port INTEGER,"
    " user_agent TEXT, expires INTEGER,"
    " result INTEGER NOT NULL);"
    "CREATE INDEX registrations_run ON registrations(run_id);"
    "CREATE INDEX registrations_aor ON registrations(aor);"
    "CREATE VIEW registration_auth_failures_by_aor AS"
    " SELECT aor, COUNT(*) AS failures, MIN(ts) AS first, MAX(ts) AS last FROM registrations"
    " WHERE result IN (401, 407, 403) GROUP BY aor;"
    "CREATE VIEW registration_auth_failures_by_source AS"
    " SELECT src_ip, COUNT(*) AS failures, COUNT(DISTINCT aor) AS aors, MIN(ts) AS first, MAX(ts) AS last"
    " FROM registrations WHERE result IN (401, 407, 403) GROUP BY src_ip;",
    /* 3 -> 4: no index on flows(flow_id). Flow ids are random-looking, so
     * every flow row landed at a random place in that index: it was most
     * of the writer's time (in `make bench`, 16 of the 23 ms the end of a
     * run waits for the store), and no report uses it. */
    "DROP INDEX IF EXISTS flows_flow_id;",
};

/* What a queued record asks the writer to do. */
enum store_rec_kind {
    STORE_REC_FLOW,
    STORE_REC_ALERT,
    STORE_REC_CALL,
    STORE_REC_REG,
    STORE_REC_BEGIN_RUN,
    STORE_REC_END_RUN,
    STORE_REC_SENSOR_ID,
};

/* How a value in a record is stored and bound. Each value is (column byte,
 * kind byte, payload); formatting (times, addresses, protocol names) is left
 * to the writer. Columns not present stay NULL. */
enum store_val_kind {
    SV_I64,    /* int64_t */
    SV_F64,    /* double */
    SV_TEXT,   /* uint32_t length, bytes */
    SV_BLOB,   /* uint32_t length, bytes */
    SV_STATIC, /* const char * to a string literal */
    SV_TIME,   /* uint64_t ns -> store_format_time */
    SV_ADDR,   /* struct ip_addr -> ip_addr_str */
    SV_PROTO,  /* uint8_t -> flow_proto_name */
    SV_SENSOR, /* no payload: the writer's current sensor_id */
};

struct store_rec_hdr {
    uint32_t size; /* bytes including this header */
    uint32_t kind; /* enum store_rec_kind */
};

/* Payload of STORE_REC_END_RUN. */
struct store_end_rec {
    int64_t run_id;
    uint64_t end_ns;
    uint32_t mirror; /* st is a copy of the counters this store feeds: its own rows count in it */
    struct stats st;
};

/* Records back to back; read with memcpy, so no alignment is assumed. */
struct store_chunk {
    struct store_chunk *next;
    size_t used, cap;
    unsigned rows;
    unsigned char data[];
};

/* A growable buffer the engine encodes one record into. */
struct store_buf {
    unsigned char *d;
    size_t len, cap;
    bool oom;
};

struct store {
    char *path;

    /* The writer thread's once it runs (store_open uses them before). */
    sqlite3 *db;
    sqlite3_stmt *ins_flow;
    sqlite3_stmt *ins_flows; /* STORE_FLOW_ROWS rows at once */
    sqlite3_stmt *ins_alert;
    sqlite3_stmt *ins_call; /* prepared on first use */
    sqlite3_stmt *ins_reg;
    char *w_sensor_id;
    unsigned w_pending;
    unsigned w_since_yield;  /* rows since the last sched_yield() */
    bool w_in_tx;
    bool w_hold_batch;       /* end of run: one transaction whatever store.batch says */
    uint64_t w_tx_start_ns;
    int64_t w_run_id;        /* outcome of the last STORE_REC_BEGIN_RUN, read after a flush */
    struct stats *w_mirror;  /* end of run: its stats copy, counting its own rows */
    struct store_end_rec w_end; /* the end of run being written */
    /* Text the writer formats for one row (times, addresses), bound
     * without a copy: it lives until the row's step. */
    char w_text[STORE_ROW_TEXT];

    /* Shared, under lock. */
    pthread_mutex_t lock;
    pthread_cond_t work;     /* writer: chunks queued, flush asked, stop */
    pthread_cond_t room;     /* engine: rows done, flush done */
    struct store_chunk *head, *tail;
    struct store_chunk *spare;
    unsigned nspare;
    uint64_t flush_req, flush_done;
    bool stop;
    pthread_t writer;

    /* Written by one thread, read by the other. */
    _Atomic uint64_t queued;  /* rows handed over and not yet done by the writer */
    _Atomic uint64_t rows_ok; /* output.db_rows */
    _Atomic uint64_t errors;  /* output.db_errors */
    atomic_bool want;         /* idle writer asks for the engine's partial chunk */
    _Atomic unsigned batch;

    /* The engine thread's. */
    struct store_chunk *cur;
    unsigned local_rows;
    uint64_t queue_cap;
    unsigned handover_rows;
    struct store_buf enc;
    uint64_t pub_rows, pub_errors;
    struct stats *stats;
};

int store_schema_version(void)
{
    return (int)TG_ARRAY_LEN(store_migrations);
}

static uint64_t store_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * TG_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* Count an error; the first one (from either thread) is printed because the
 * run goes on and the user would otherwise find an emptier database without
 * a word. detail may be NULL. */
static void store_count_error(struct store *s, const char *what, const char *detail)
{
    if (atomic_fetch_add_explicit(&s->errors, 1, memory_order_relaxed) == 0)
        fprintf(stderr, "tollgate: %s: %s%s%s (later database errors are only counted in output.db_errors)\n",
                s->path, what, detail ? ": " : "", detail ? detail : "");
}

/* A database error on the writer thread. */
static void store_error(struct store *s, const char *what)
{
    if (s->w_mirror)
        stats_inc(s->w_mirror, STAT_OUTPUT_DB_ERRORS);
    store_count_error(s, what, sqlite3_errmsg(s->db));
}

static void store_row_ok(struct store *s)
{
    if (s->w_mirror)
        stats_inc(s->w_mirror, STAT_OUTPUT_DB_ROWS);
    atomic_fetch_add_explicit(&s->rows_ok, 1, memory_order_relaxed);
}

static int store_exec(struct store *s, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", s->path, msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return TG_ERROR;
    }
    return TG_OK;
}

static int store_migrate(struct store *s, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", s->path, sqlite3_errmsg(s->db));
        return TG_ERROR;
    }
    int ver = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    if (ver > store_schema_version()) {
        snprintf(err, errlen, "%s: database schema version %d is newer than this build (%d)", s->path, ver,
                 store_schema_version());
        return TG_ERROR;
    }
    if (ver == store_schema_version())
        return TG_OK;
    /* Every step in one transaction: a database is either migrated all the
     * way or left as it was, and a new file costs one commit, not one per
     * step. IMMEDIATE: take the write lock first so two sensors opening the
     * same new file do not both try to create the tables. */
    if (store_exec(s, "BEGIN IMMEDIATE", err, errlen) != TG_OK)
        return TG_ERROR;
    for (int v = ver; v < store_schema_version(); v++) {
        if (store_exec(s, store_migrations[v], err, errlen) != TG_OK) {
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            size_t l = strlen(err);
            snprintf(err + l, errlen - l, " (migrating schema %d to %d)", v, v + 1);
            return TG_ERROR;
        }
    }
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version=%d", store_schema_version());
    if (store_exec(s, sql, err, errlen) != TG_OK) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return TG_ERROR;
    }
    return store_exec(s, "COMMIT", err, errlen);
}

static void store_free_chunks(struct store_chunk *c)
{
    while (c) {
        struct store_chunk *n = c->next;
        free(c);
        c = n;
    }
}

/* Everything but the thread (joined before, or never started). */
static void store_free(struct store *s)
{
    sqlite3_finalize(s->ins_flow);
    sqlite3_finalize(s->ins_flows);
    sqlite3_finalize(s->ins_alert);
    sqlite3_finalize(s->ins_call);
    sqlite3_finalize(s->ins_reg);
    if (s->db)
        sqlite3_close(s->db);
    store_free_chunks(s->head);
    store_free_chunks(s->spare);
    free(s->cur);
    free(s->enc.d);
    free(s->path);
    free(s->w_sensor_id);
    free(s);
}

/* --- the writer thread ------------------------------------------------- */

static void store_commit(struct store *s)
{
    if (!s->w_in_tx)
        return;
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        /* The batch is lost; roll back so the next batch starts clean. */
        store_error(s, "commit");
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    }
    s->w_in_tx = false;
    s->w_pending = 0;
}

/* Open a batch if none is open. When BEGIN fails the row is still written,
 * in its own implicit transaction. */
static void store_tx(struct store *s)
{
    if (s->w_in_tx)
        return;
    if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK) {
        s->w_in_tx = true;
        s->w_tx_start_ns = store_mono_ns();
    } else {
        store_error(s, "begin");
    }
}

static void store_row_added(struct store *s)
{
    if (++s->w_pending >= atomic_load_explicit(&s->batch, memory_order_relaxed) && !s->w_hold_batch)
        store_commit(s);
    /* Let a thread waiting for this CPU have it every few rows (nothing
     * happens when none waits): in `analyze` this thread shares a CPU with
     * the capture thread, and a whole chunk of rows at a time (a
     * millisecond or more) let the engine's ring run dry. */
    if (++s->w_since_yield >= STORE_YIELD_ROWS) {
        s->w_since_yield = 0;
        sched_yield();
    }
}

static void bind_text_or_null(sqlite3_stmt *st, int col, const char *v)
{
    if (v)
        sqlite3_bind_text(st, col, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, col);
}

/* Bind text formatted for this row. in_place: v is where the caller
 * formatted it in w_text, which lives until the step, so SQLite reads it
 * there (a copy per value was a malloc and free per column) and *used
 * moves past it; otherwise it is copied. */
static void store_bind_formatted(sqlite3_stmt *st, int col, const char *v, bool in_place, size_t *used)
{
    size_t n = strlen(v) + 1;
    if (in_place) {
        sqlite3_bind_text(st, col, v, (int)n - 1, SQLITE_STATIC);
        *used += n;
    } else {
        sqlite3_bind_text(st, col, v, (int)n - 1, SQLITE_TRANSIENT);
    }
}

/* Bind the values of one record, p .. end, to parameters base + column.
 * Text and blobs point into the chunk, which outlives the step; formatted
 * values go to w_text from *used on (several records of one statement
 * share it). */
static void store_bind_at(struct store *s, sqlite3_stmt *st, const unsigned char *p, const unsigned char *end,
                          int base, size_t *pused)
{
    char spill[STORE_TEXT_MAX];
    size_t used = *pused;
    while (end - p >= 2) {
        /* where the next formatted value goes */
        char *buf = sizeof s->w_text - used >= STORE_TEXT_MAX ? s->w_text + used : spill;
        int col = base + p[0];
        unsigned kind = p[1];
        p += 2;
        switch (kind) {
        case SV_I64: {
            int64_t v;
            memcpy(&v, p, sizeof v);
            p += sizeof v;
            sqlite3_bind_int64(st, col, v);
            break;
        }
        case SV_F64: {
            double v;
            memcpy(&v, p, sizeof v);
            p += sizeof v;
            sqlite3_bind_double(st, col, v);
            break;
        }
        case SV_TEXT:
        case SV_BLOB: {
            uint32_t n;
            memcpy(&n, p, sizeof n);
            p += sizeof n;
            if (kind == SV_TEXT)
                sqlite3_bind_text(st, col, (const char *)p, (int)n, SQLITE_STATIC);
            else
                sqlite3_bind_blob(st, col, p, (int)n, SQLITE_STATIC);
            p += n;
            break;
        }
        case SV_STATIC: {
            const char *v;
            memcpy(&v, p, sizeof v);
            p += sizeof v;
            sqlite3_bind_text(st, col, v, -1, SQLITE_STATIC);
            break;
        }
        case SV_TIME: {
            uint64_t ns;
            memcpy(&ns, p, sizeof ns);
            p += sizeof ns;
            store_format_time(ns, buf, STORE_TEXT_MAX);
            store_bind_formatted(st, col, buf, buf != spill, &used);
            break;
        }
        case SV_ADDR: {
            struct ip_addr a;
            memcpy(&a, p, sizeof a);
            p += sizeof a;
            const char *v = ip_addr_str(&a, buf, STORE_TEXT_MAX);
            store_bind_formatted(st, col, v, v == buf && buf != spill, &used);
            break;
        }
        case SV_PROTO: {
            const char *v = flow_proto_name(*p++, buf, STORE_TEXT_MAX);
            if (v == buf)
                store_bind_formatted(st, col, v, buf != spill, &used);
            else
                sqlite3_bind_text(st, col, v, -1, SQLITE_STATIC); /* a constant name */
            break;
        }
        case SV_SENSOR:
            if (s->w_sensor_id)
                sqlite3_bind_text(st, col, s->w_sensor_id, -1, SQLITE_STATIC);
            break;
        default:
            *pused = used;
            return; /* cannot happen: the engine wrote it */
        }
    }
    *pused = used;
}

static void store_bind(struct store *s, sqlite3_stmt *st, const unsigned char *p, const unsigned char *end)
{
    size_t used = 0;
    store_bind_at(s, st, p, end, 0, &used);
}

/* Step a prepared insert, reset it for reuse and count the outcome. */
static int store_step(struct store *s, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        store_error(s, what);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE)
        return TG_ERROR;
    store_row_ok(s);
    store_row_added(s);
    return TG_OK;
}

/* Prepare sql into *st once. TG_OK or TG_ERROR (counted). */
static int store_prepare_once(struct store *s, sqlite3_stmt **st, const char *sql, const char *what)
{
    if (*st)
        return TG_OK;
    if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK) {
        store_error(s, what);
        *st = NULL;
        return TG_ERROR;
    }
    return TG_OK;
}

static const char store_sql_call[] =
    "INSERT INTO calls (run_id, sensor_id, call_id, caller_uri, callee_uri, caller_user, callee_user,"
    " caller_display, callee_display, caller_ip, caller_port, callee_ip, callee_port, transport,"
    " user_agent, callee_agent, invite_time, ring_time, answer_time, end_time, setup_ms, talk_s,"
    " status, reason, outcome, hangup, end_reason, codecs, auth_challenges, reinvites, srtp,"
    " media_security, rtp_flows, caller_pkts, caller_bytes, caller_lost, caller_jitter_ms,"
    " caller_max_delta_ms, callee_pkts, callee_bytes, callee_lost, callee_jitter_ms, callee_max_delta_ms)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
static const char store_sql_reg[] =
    "INSERT INTO registrations (run_id, sensor_id, ts, aor, call_id, contact,"
    " src_ip, src_port, user_agent, expires, result) VALUES (?,?,?,?,?,?,?,?,?,?,?)";

static void store_insert(struct store *s, sqlite3_stmt *st, const unsigned char *p, const unsigned char *end,
                         const char *what)
{
    store_tx(s);
    store_bind(s, st, p, end);
    store_step(s, st, what);
}

/* Insert n flow records. STORE_FLOW_ROWS of them go in one statement:
 * SQLite's work per statement (cursors, the program's start and end,
 * reset) then comes once per 16 rows, and the writer keeps up with the
 * flows a run ends with (a fifth less time per row). A statement writes
 * all of its rows or none: when one row is refused, they go again one by
 * one, so each refusal is counted and the others land. */
static void store_insert_flows(struct store *s, const unsigned char *const *rec, const unsigned char *const *end,
                               unsigned n)
{
    store_tx(s);
    if (n == STORE_FLOW_ROWS && s->ins_flows) {
        size_t used = 0;
        for (unsigned k = 0; k < n; k++)
            store_bind_at(s, s->ins_flows, rec[k], end[k], (int)(k * STORE_FLOW_COLS), &used);
        int rc = sqlite3_step(s->ins_flows);
        sqlite3_reset(s->ins_flows);
        sqlite3_clear_bindings(s->ins_flows);
        if (rc == SQLITE_DONE) {
            for (unsigned k = 0; k < n; k++) {
                store_row_ok(s);
                store_row_added(s);
            }
            return;
        }
    }
    for (unsigned k = 0; k < n; k++)
        store_insert(s, s->ins_flow, rec[k], end[k], "insert flow");
}

static void store_do_begin_run(struct store *s, const unsigned char *p, const unsigned char *end)
{
    sqlite3_stmt *st;
    s->w_run_id = TG_ERROR;
    if (sqlite3_prepare_v2(s->db, "INSERT INTO runs (mode, inputs, start_time, sensor_id) VALUES (?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK) {
        store_error(s, "insert run");
        return;
    }
    store_bind(s, st, p, end);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        store_error(s, "insert run");
        return;
    }
    store_row_ok(s);
    s->w_run_id = sqlite3_last_insert_rowid(s->db);
}

static void store_stat_row(struct store *s, sqlite3_stmt *st, int64_t run_id, const char *name, uint64_t v)
{
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    /* Counters above INT64_MAX cannot happen in practice; clamp rather than wrap. */
    sqlite3_bind_int64(st, 3, v > (uint64_t)INT64_MAX ? INT64_MAX : (sqlite3_int64)v);
    bind_text_or_null(st, 4, s->w_sensor_id);
    store_step(s, st, "insert stats");
}

static void store_do_end_run(struct store *s, const unsigned char *p)
{
    struct store_end_rec *e = &s->w_end;
    memcpy(e, p, sizeof *e);
    int64_t run_id = e->run_id;
    const struct stats *stt = &e->st;
    /* When the engine passed the counters this store feeds, the rows and
     * errors of the end of run itself show in the values written after
     * them, as they did when the engine thread wrote them. */
    s->w_mirror = e->mirror ? &e->st : NULL;
    sqlite3_stmt *st;
    store_tx(s);
    if (sqlite3_prepare_v2(s->db, "UPDATE runs SET end_time=? WHERE id=?", -1, &st, NULL) == SQLITE_OK) {
        char buf[48];
        store_format_time(e->end_ns, buf, sizeof buf);
        sqlite3_bind_text(st, 1, buf, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, run_id);
        if (sqlite3_step(st) != SQLITE_DONE)
            store_error(s, "update run");
        sqlite3_finalize(st);
    } else {
        store_error(s, "update run");
    }
    if (sqlite3_prepare_v2(s->db,
                           "INSERT OR REPLACE INTO stats (run_id, name, value, sensor_id) VALUES (?,?,?,?)",
                           -1, &st, NULL) == SQLITE_OK) {
        s->w_hold_batch = true;
        for (int i = 0; i < STAT_MAX; i++)
            store_stat_row(s, st, run_id, stats_path((enum stat_id)i), stt->c[i]);
        for (int i = 0; i < EV_MAX; i++) {
            if (!stt->events[i])
                continue;
            char name[96];
            snprintf(name, sizeof name, "event.%s", event_name((enum event_id)i));
            store_stat_row(s, st, run_id, name, stt->events[i]);
        }
        s->w_hold_batch = false;
        sqlite3_finalize(st);
    } else {
        store_error(s, "insert stats");
    }
    store_commit(s);
    s->w_mirror = NULL;
}

static void store_do_sensor_id(struct store *s, const unsigned char *p, const unsigned char *end)
{
    free(s->w_sensor_id);
    s->w_sensor_id = NULL;
    if (end - p < 2 + 4)
        return; /* no value: NULL */
    uint32_t n;
    memcpy(&n, p + 2, sizeof n);
    if ((s->w_sensor_id = malloc((size_t)n + 1))) {
        memcpy(s->w_sensor_id, p + 2 + 4, n);
        s->w_sensor_id[n] = '\0';
    } else {
        store_count_error(s, "sensor_id", "out of memory");
    }
}

static void store_process(struct store *s, const struct store_chunk *c)
{
    size_t off = 0;
    while (c->used - off >= sizeof(struct store_rec_hdr)) {
        struct store_rec_hdr h;
        memcpy(&h, c->data + off, sizeof h);
        const unsigned char *p = c->data + off + sizeof h, *end = c->data + off + h.size;
        switch (h.kind) {
        case STORE_REC_FLOW: {
            /* this record and the flow records right after it */
            const unsigned char *rec[STORE_FLOW_ROWS], *rend[STORE_FLOW_ROWS];
            unsigned n = 0;
            for (;;) {
                rec[n] = p;
                rend[n] = end;
                n++;
                off += h.size;
                if (n == STORE_FLOW_ROWS || c->used - off < sizeof h)
                    break;
                memcpy(&h, c->data + off, sizeof h);
                if (h.kind != STORE_REC_FLOW)
                    break;
                p = c->data + off + sizeof h;
                end = c->data + off + h.size;
            }
            store_insert_flows(s, rec, rend, n);
            continue;
        }
        case STORE_REC_ALERT:
            store_insert(s, s->ins_alert, p, end, "insert alert");
            break;
        case STORE_REC_CALL:
            if (store_prepare_once(s, &s->ins_call, store_sql_call, "prepare insert call") == TG_OK)
                store_insert(s, s->ins_call, p, end, "insert call");
            break;
        case STORE_REC_REG:
            if (store_prepare_once(s, &s->ins_reg, store_sql_reg, "prepare insert registration") == TG_OK)
                store_insert(s, s->ins_reg, p, end, "insert registration");
            break;
        case STORE_REC_BEGIN_RUN:
            store_do_begin_run(s, p, end);
            break;
        case STORE_REC_END_RUN:
            store_do_end_run(s, p);
            break;
        case STORE_REC_SENSOR_ID:
            store_do_sensor_id(s, p, end);
            break;
        default:
            break;
        }
        off += h.size;
    }
}

/* Wait for work under the lock: chunks, a flush request, stop, or the
 * commit time of the open batch. An idle timeout raises want so the engine
 * hands over rows it holds in a partial chunk. */
static void store_writer_wait(struct store *s)
{
    while (!s->head && !s->stop && s->flush_req == s->flush_done) {
        uint64_t now = store_mono_ns();
        if (s->w_in_tx && now - s->w_tx_start_ns >= STORE_COMMIT_NS)
            return;
        uint64_t wake = now + STORE_IDLE_NS;
        if (s->w_in_tx && s->w_tx_start_ns + STORE_COMMIT_NS < wake)
            wake = s->w_tx_start_ns + STORE_COMMIT_NS;
        struct timespec ts = {.tv_sec = (time_t)(wake / TG_NS_PER_SEC), .tv_nsec = (long)(wake % TG_NS_PER_SEC)};
        if (pthread_cond_timedwait(&s->work, &s->lock, &ts) == ETIMEDOUT && !s->head)
            atomic_store_explicit(&s->want, true, memory_order_relaxed);
    }
}

static void *store_writer(void *arg)
{
    struct store *s = arg;
    /* Named for top -H and perf; failure does not matter. */
    pthread_setname_np(pthread_self(), "tg-store");
    pthread_mutex_lock(&s->lock);
    for (;;) {
        store_writer_wait(s);
        struct store_chunk *list = s->head;
        s->head = s->tail = NULL;
        uint64_t req = s->flush_req;
        bool stop = s->stop;
        pthread_mutex_unlock(&s->lock);

        uint64_t rows = 0;
        for (struct store_chunk *c = list; c; c = c->next) {
            store_process(s, c);
            rows += c->rows;
        }
        /* Everything handed over before the flush request came with list. */
        if (req != s->flush_done || stop || (s->w_in_tx && store_mono_ns() - s->w_tx_start_ns >= STORE_COMMIT_NS))
            store_commit(s);

        struct store_chunk *drop = NULL;
        pthread_mutex_lock(&s->lock);
        while (list) {
            struct store_chunk *c = list;
            list = c->next;
            if (c->cap == STORE_CHUNK_BYTES && s->nspare < STORE_SPARE_CHUNKS) {
                c->next = s->spare;
                s->spare = c;
                s->nspare++;
            } else {
                c->next = drop;
                drop = c;
            }
        }
        atomic_fetch_sub_explicit(&s->queued, rows, memory_order_relaxed);
        s->flush_done = req;
        pthread_cond_broadcast(&s->room);
        if (drop) {
            pthread_mutex_unlock(&s->lock);
            store_free_chunks(drop);
            pthread_mutex_lock(&s->lock);
        }
        if (stop && !s->head)
            break;
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* --- the engine thread ------------------------------------------------- */

/* Add what the writer counted since the last call to the engine's stats. */
static void store_publish(struct store *s)
{
    if (!s->stats)
        return;
    uint64_t r = atomic_load_explicit(&s->rows_ok, memory_order_relaxed);
    uint64_t e = atomic_load_explicit(&s->errors, memory_order_relaxed);
    stats_add(s->stats, STAT_OUTPUT_DB_ROWS, r - s->pub_rows);
    stats_add(s->stats, STAT_OUTPUT_DB_ERRORS, e - s->pub_errors);
    s->pub_rows = r;
    s->pub_errors = e;
}

/* Queue chunk c (rows records) for the writer. Takes a spare chunk for the
 * engine's next rows while it holds the lock. */
static void store_enqueue(struct store *s, struct store_chunk *c)
{
    c->next = NULL;
    pthread_mutex_lock(&s->lock);
    if (s->tail)
        s->tail->next = c;
    else
        s->head = c;
    s->tail = c;
    atomic_fetch_add_explicit(&s->queued, c->rows, memory_order_relaxed);
    if (!s->cur && s->spare) {
        s->cur = s->spare;
        s->spare = s->cur->next;
        s->nspare--;
        s->cur->used = 0;
        s->cur->rows = 0;
    }
    pthread_cond_signal(&s->work);
    pthread_mutex_unlock(&s->lock);
}

/* Hand the current chunk over, if it holds anything. */
static void store_handover(struct store *s)
{
    if (s->cur && s->cur->rows) {
        struct store_chunk *c = s->cur;
        s->cur = NULL;
        s->local_rows = 0;
        store_enqueue(s, c);
    }
    atomic_store_explicit(&s->want, false, memory_order_relaxed);
    store_publish(s);
}

static struct store_chunk *store_chunk_new(size_t cap)
{
    struct store_chunk *c = malloc(sizeof *c + cap);
    if (c) {
        c->next = NULL;
        c->used = 0;
        c->cap = cap;
        c->rows = 0;
    }
    return c;
}

/* The queue is full: let the writer have everything and wait for room. */
static void store_wait_room(struct store *s)
{
    store_handover(s);
    pthread_mutex_lock(&s->lock);
    if (atomic_load_explicit(&s->queued, memory_order_relaxed) >= s->queue_cap) {
        if (s->stats)
            stats_inc(s->stats, STAT_OUTPUT_DB_QUEUE_FULL);
        do
            pthread_cond_wait(&s->room, &s->lock);
        while (atomic_load_explicit(&s->queued, memory_order_relaxed) >= s->queue_cap);
    }
    pthread_mutex_unlock(&s->lock);
}

static void buf_put(struct store_buf *b, const void *p, size_t n)
{
    if (b->oom)
        return;
    if (n > b->cap - b->len) {
        size_t nc = b->cap ? b->cap : 1024;
        while (nc - b->len < n)
            nc *= 2;
        unsigned char *d = realloc(b->d, nc);
        if (!d) {
            b->oom = true;
            return;
        }
        b->d = d;
        b->cap = nc;
    }
    memcpy(b->d + b->len, p, n);
    b->len += n;
}

static void enc_begin(struct store *s, enum store_rec_kind kind)
{
    struct store_rec_hdr h = {0, (uint32_t)kind};
    s->enc.len = 0;
    s->enc.oom = false;
    buf_put(&s->enc, &h, sizeof h);
}

static void enc_tag(struct store *s, int col, enum store_val_kind kind)
{
    unsigned char t[2] = {(unsigned char)col, (unsigned char)kind};
    buf_put(&s->enc, t, sizeof t);
}

static void enc_i64(struct store *s, int col, int64_t v)
{
    enc_tag(s, col, SV_I64);
    buf_put(&s->enc, &v, sizeof v);
}

static void enc_f64(struct store *s, int col, double v)
{
    enc_tag(s, col, SV_F64);
    buf_put(&s->enc, &v, sizeof v);
}

static void enc_bytes(struct store *s, int col, enum store_val_kind kind, const void *p, size_t n)
{
    /* SQLite takes an int length; an excerpt or string this long cannot
     * come from the decoders, clamp rather than wrap. */
    uint32_t l = (uint32_t)TG_MIN(n, (size_t)INT32_MAX);
    enc_tag(s, col, kind);
    buf_put(&s->enc, &l, sizeof l);
    buf_put(&s->enc, p, l);
}

/* v copied; NULL leaves the column NULL. */
static void enc_text(struct store *s, int col, const char *v)
{
    if (v)
        enc_bytes(s, col, SV_TEXT, v, strlen(v));
}

/* NULL or "" leave the column NULL. */
static void enc_text_nonempty(struct store *s, int col, const char *v)
{
    if (v && v[0])
        enc_bytes(s, col, SV_TEXT, v, strlen(v));
}

/* v must be a string literal (lives as long as the program). */
static void enc_static(struct store *s, int col, const char *v)
{
    enc_tag(s, col, SV_STATIC);
    buf_put(&s->enc, &v, sizeof v);
}

static void enc_time(struct store *s, int col, uint64_t ns)
{
    enc_tag(s, col, SV_TIME);
    buf_put(&s->enc, &ns, sizeof ns);
}

static void enc_addr(struct store *s, int col, const struct ip_addr *a)
{
    enc_tag(s, col, SV_ADDR);
    buf_put(&s->enc, a, sizeof *a);
}

static void enc_proto(struct store *s, int col, uint8_t proto)
{
    enc_tag(s, col, SV_PROTO);
    buf_put(&s->enc, &proto, 1);
}

/* Queue the record in s->enc. TG_OK, or TG_ERROR when memory ran out (the
 * row is lost and counted). Waits for room when the queue is full. */
static int store_submit(struct store *s)
{
    struct store_buf *b = &s->enc;
    if (b->oom || b->len > UINT32_MAX) {
        store_count_error(s, "queueing a row", "out of memory");
        return TG_ERROR;
    }
    uint32_t size = (uint32_t)b->len;
    memcpy(b->d + offsetof(struct store_rec_hdr, size), &size, sizeof size);
    if (s->local_rows + atomic_load_explicit(&s->queued, memory_order_relaxed) >= s->queue_cap)
        store_wait_room(s);
    if (b->len > STORE_CHUNK_BYTES) {
        /* Larger than a chunk: a chunk of its own, after the rows before it. */
        struct store_chunk *big = store_chunk_new(b->len);
        if (!big) {
            store_count_error(s, "queueing a row", "out of memory");
            return TG_ERROR;
        }
        memcpy(big->data, b->d, b->len);
        big->used = b->len;
        big->rows = 1;
        store_handover(s);
        store_enqueue(s, big);
        return TG_OK;
    }
    if (s->cur && s->cur->cap - s->cur->used < b->len)
        store_handover(s);
    if (!s->cur && !(s->cur = store_chunk_new(STORE_CHUNK_BYTES))) {
        store_count_error(s, "queueing a row", "out of memory");
        return TG_ERROR;
    }
    memcpy(s->cur->data + s->cur->used, b->d, b->len);
    s->cur->used += b->len;
    s->cur->rows++;
    if (++s->local_rows >= s->handover_rows)
        store_handover(s);
    return TG_OK;
}

static void store_set_handover(struct store *s)
{
    /* A small store.batch is committed as soon as it is full, and a small
     * queue must be handed over before it fills. */
    uint64_t h = STORE_HANDOVER_ROWS;
    unsigned batch = atomic_load_explicit(&s->batch, memory_order_relaxed);
    if (batch < h)
        h = batch;
    if (s->queue_cap / 2 < h)
        h = s->queue_cap / 2;
    s->handover_rows = h ? (unsigned)h : 1;
}

void store_configure(struct store *s, const struct config *cfg)
{
    uint64_t batch = config_get_u64(cfg, "store.batch", STORE_BATCH_DEFAULT);
    atomic_store_explicit(&s->batch, batch == 0 ? 1 : batch > 1000000 ? 1000000 : (unsigned)batch,
                          memory_order_relaxed);
    uint64_t q = config_get_u64(cfg, "store.queue", STORE_QUEUE_DEFAULT);
    s->queue_cap = q == 0 ? 1 : q > STORE_QUEUE_MAX ? STORE_QUEUE_MAX : q;
    store_set_handover(s);
}

void store_library_init(void)
{
    /* Both return SQLITE_MISUSE once the library is initialised: harmless. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
}

struct store *store_open(const char *path, char *err, size_t errlen)
{
    struct store *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        snprintf(err, errlen, "out of memory");
        free(s);
        return NULL;
    }
    atomic_init(&s->batch, STORE_BATCH_DEFAULT);
    s->queue_cap = STORE_QUEUE_DEFAULT;
    store_set_handover(s);
    /* A file this call creates has nothing to lose yet: its schema goes in
     * without the six fsyncs of switching a new file to WAL and creating
     * the tables (most of a fresh start), and the connection is durable
     * (NORMAL) before the first row. */
    struct stat sb;
    bool fresh = stat(path, &sb) != 0 || sb.st_size == 0;
    /* NOMUTEX: one thread at a time uses the connection (this one, then
     * the writer), so SQLite's per-call locking is pure cost. */
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) : "cannot open");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, 5000);
    /* foreign_keys stays off on this connection: every row's run_id is the
     * run this writer inserted itself, and checking it meant a lookup in
     * runs per row (a tenth of the writer's time). The REFERENCES clauses
     * still document the schema for other tools. */
    if (store_exec(s, fresh ? "PRAGMA synchronous=OFF; PRAGMA journal_mode=WAL"
                            : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
                   err, errlen) != TG_OK ||
        store_migrate(s, err, errlen) != TG_OK ||
        (fresh && store_exec(s, "PRAGMA synchronous=NORMAL", err, errlen) != TG_OK))
        goto fail;
    char flows_sql[sizeof STORE_SQL_FLOW + STORE_FLOW_ROWS * sizeof STORE_SQL_FLOW_VALUES];
    size_t fl = (size_t)snprintf(flows_sql, sizeof flows_sql, "%s", STORE_SQL_FLOW);
    for (unsigned k = 0; k < STORE_FLOW_ROWS; k++)
        fl += (size_t)snprintf(flows_sql + fl, sizeof flows_sql - fl, "%s%s", k ? "," : "", STORE_SQL_FLOW_VALUES);
    if (sqlite3_prepare_v2(s->db, STORE_SQL_FLOW STORE_SQL_FLOW_VALUES, -1, &s->ins_flow, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, flows_sql, -1, &s->ins_flows, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db,
                           "INSERT INTO alerts (run_id, sensor_id, ts, sid, gid, rev, action, msg,"
                           " classtype, priority, proto, src_ip, src_port, dest_ip, dest_port,"
                           " flow_id, app_proto, payload)"
                           " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &s->ins_alert, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
        goto fail;
    }
    /* From here on the connection is the writer thread's. */
    pthread_condattr_t ca;
    int rc = pthread_mutex_init(&s->lock, NULL);
    if (rc == 0 && (rc = pthread_condattr_init(&ca)) == 0) {
        rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        if (rc == 0 && (rc = pthread_cond_init(&s->work, &ca)) == 0 &&
            (rc = pthread_cond_init(&s->room, NULL)) != 0)
            pthread_cond_destroy(&s->work);
        pthread_condattr_destroy(&ca);
        if (rc != 0)
            pthread_mutex_destroy(&s->lock);
    }
    if (rc != 0) {
        snprintf(err, errlen, "%s: cannot start the writer: %s", path, strerror(rc));
        goto fail;
    }
    /* The writer blocks every signal (it inherits the mask it is created
     * with), so SIGINT, SIGTERM and SIGHUP reach the engine thread and
     * interrupt its poll or recv as they did before there was a writer. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&s->writer, NULL, store_writer, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        snprintf(err, errlen, "%s: cannot start the writer thread: %s", path, strerror(rc));
        pthread_cond_destroy(&s->work);
        pthread_cond_destroy(&s->room);
        pthread_mutex_destroy(&s->lock);
        goto fail;
    }
    return s;
fail:
    store_free(s);
    return NULL;
}

void store_set_stats(struct store *s, struct stats *st)
{
    if (!s)
        return;
    store_publish(s);
    s->stats = st;
}

int store_set_sensor_id(struct store *s, const char *sensor_id)
{
    enc_begin(s, STORE_REC_SENSOR_ID);
    enc_text(s, 1, sensor_id);
    if (s->enc.oom)
        return TG_ERROR;
    return store_submit(s);
}

bool store_pin_writer(struct store *s, const struct thread_affinity *a)
{
    return !s || thread_affinity_helper(a, s->writer);
}

/* Hand the engine's rows over and ask the writer to write and commit
 * everything; returns the request to wait for. */
static uint64_t store_flush_ask(struct store *s)
{
    store_handover(s);
    pthread_mutex_lock(&s->lock);
    uint64_t t = ++s->flush_req;
    pthread_cond_signal(&s->work);
    pthread_mutex_unlock(&s->lock);
    return t;
}

/* Wait until the writer answered request t; publish its counts. */
static void store_flush_wait(struct store *s, uint64_t t)
{
    pthread_mutex_lock(&s->lock);
    while (s->flush_done < t)
        pthread_cond_wait(&s->room, &s->lock);
    pthread_mutex_unlock(&s->lock);
    store_publish(s);
}

void store_flush(struct store *s)
{
    if (s)
        store_flush_wait(s, store_flush_ask(s));
}

void store_drain(struct store *s)
{
    if (!s)
        return;
    uint64_t t = store_flush_ask(s);
    /* While the writer finishes, copy what it has committed so far into
     * the database file on a connection of our own (a PASSIVE checkpoint
     * takes no lock the writer needs): the checkpoint at close, which
     * nothing overlaps, then has only the last batch left. */
    sqlite3 *ck = NULL;
    if (sqlite3_open_v2(s->path, &ck, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK &&
        sqlite3_exec(ck, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL) == SQLITE_OK) {
        for (;;) {
            pthread_mutex_lock(&s->lock);
            bool done = s->flush_done >= t;
            if (!done) {
                /* a new commit needs the writer a few hundred rows
                 * (room runs on the realtime clock) */
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                ts.tv_nsec += STORE_DRAIN_POLL_NS;
                if (ts.tv_nsec >= 1000000000L) {
                    ts.tv_sec++;
                    ts.tv_nsec -= 1000000000L;
                }
                pthread_cond_timedwait(&s->room, &s->lock, &ts);
                done = s->flush_done >= t;
            }
            pthread_mutex_unlock(&s->lock);
            if (done)
                break;
            int log = 0, copied = 0;
            sqlite3_wal_checkpoint_v2(ck, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
        }
    }
    sqlite3_close(ck); /* not the last connection: no checkpoint of its own */
    store_flush_wait(s, t);
}

void store_tick(struct store *s)
{
    /* Per packet: one relaxed load; the writer owns the commit timer. */
    if (s && s->local_rows && atomic_load_explicit(&s->want, memory_order_relaxed))
        store_handover(s);
}

void store_close(struct store *s)
{
    if (!s)
        return;
    /* The stats may be gone already (the engine is freed first); the last
     * counts were published by store_end_run or store_flush. */
    s->stats = NULL;
    store_handover(s);
    pthread_mutex_lock(&s->lock);
    s->stop = true;
    pthread_cond_signal(&s->work);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->writer, NULL);
    pthread_cond_destroy(&s->work);
    pthread_cond_destroy(&s->room);
    pthread_mutex_destroy(&s->lock);
    store_free(s);
}

void store_format_time(uint64_t ts_ns, char *buf, size_t len)
{
    /* json_format_time caches the formatted second (strftime per flow row
     * showed in profiles); only the zone suffix differs: "+0000" -> "Z". */
    char t[48];
    json_format_time(ts_ns, t, sizeof t);
    size_t n = strlen(t);
    if (n > 5 && !strcmp(t + n - 5, "+0000"))
        t[n - 5] = 'Z', t[n - 4] = '\0';
    snprintf(buf, len, "%s", t);
}

int64_t store_begin_run(struct store *s, const char *mode, const char *inputs, uint64_t start_ns)
{
    enc_begin(s, STORE_REC_BEGIN_RUN);
    enc_text(s, 1, mode);
    enc_text(s, 2, inputs);
    enc_time(s, 3, start_ns);
    enc_tag(s, 4, SV_SENSOR);
    if (store_submit(s) != TG_OK)
        return TG_ERROR;
    store_flush(s);
    /* Written by the writer before the flush it answered. */
    return s->w_run_id;
}

void store_end_run(struct store *s, int64_t run_id, uint64_t end_ns, const struct stats *stt)
{
    /* Rows first, so the counters below include them. */
    store_flush(s);
    struct store_end_rec e;
    memset(&e, 0, sizeof e);
    e.run_id = run_id;
    e.end_ns = end_ns;
    e.mirror = stt == s->stats;
    e.st = *stt;
    enc_begin(s, STORE_REC_END_RUN);
    buf_put(&s->enc, &e, sizeof e);
    if (store_submit(s) == TG_OK)
        store_flush(s);
}

int store_write_flow(struct store *s, int64_t run_id, const struct flow *f, const char *app_proto)
{
    enc_begin(s, STORE_REC_FLOW);
    enc_i64(s, 1, run_id);
    enc_i64(s, 2, (int64_t)f->id);
    enc_proto(s, 3, f->proto);
    enc_text(s, 4, app_proto);
    enc_addr(s, 5, &f->addr[0]);
    enc_addr(s, 7, &f->addr[1]);
    if (f->proto == IPPROTO_NUM_ICMP || f->proto == IPPROTO_NUM_ICMPV6) {
        /* ICMP has no ports; the key words are not meaningful to a reader. */
        enc_i64(s, 19, f->icmp_type);
        enc_i64(s, 20, f->icmp_code);
    } else {
        enc_i64(s, 6, f->port[0]);
        enc_i64(s, 8, f->port[1]);
    }
    enc_i64(s, 9, f->vlan);
    enc_time(s, 10, f->start_ns);
    enc_time(s, 11, f->last_ns);
    enc_i64(s, 12, (int64_t)f->pkts[0]);
    enc_i64(s, 13, (int64_t)f->pkts[1]);
    enc_i64(s, 14, (int64_t)f->bytes[0]);
    enc_i64(s, 15, (int64_t)f->bytes[1]);
    enc_static(s, 16, flow_state_name(f->state));
    enc_static(s, 17, flow_end_reason_name(f->end_reason));
    enc_tag(s, 18, SV_SENSOR);
    enc_i64(s, 21, f->alerted ? 1 : 0);
    return store_submit(s);
}

int store_write_alert(struct store *s, int64_t run_id, const struct store_alert *al)
{
    enc_begin(s, STORE_REC_ALERT);
    enc_i64(s, 1, run_id);
    enc_tag(s, 2, SV_SENSOR);
    enc_time(s, 3, al->ts_ns);
    enc_i64(s, 4, al->sid);
    enc_i64(s, 5, al->gid);
    enc_i64(s, 6, al->rev);
    enc_text(s, 7, al->action ? al->action : "alert");
    enc_text(s, 8, al->msg);
    enc_text(s, 9, al->classtype);
    enc_i64(s, 10, al->priority);
    enc_proto(s, 11, al->proto);
    if (al->src)
        enc_addr(s, 12, al->src);
    enc_i64(s, 13, al->sport);
    if (al->dst)
        enc_addr(s, 14, al->dst);
    enc_i64(s, 15, al->dport);
    if (al->flow_id)
        enc_i64(s, 16, (int64_t)al->flow_id);
    enc_text(s, 17, al->app_proto);
    if (al->payload && al->payload_len)
        enc_bytes(s, 18, SV_BLOB, al->payload, al->payload_len);
    return store_submit(s);
}

int store_write_call(struct store *s, int64_t run_id, const struct sip_call *c)
{
    enc_begin(s, STORE_REC_CALL);
    int i = 1;
    enc_i64(s, i++, run_id);
    enc_tag(s, i++, SV_SENSOR);
    /* call_id is NOT NULL: an empty one is stored as "" as before. */
    enc_text(s, i++, c->call_id);
    enc_text_nonempty(s, i++, c->caller_uri);
    enc_text_nonempty(s, i++, c->callee_uri);
    enc_text_nonempty(s, i++, c->caller_user);
    enc_text_nonempty(s, i++, c->callee_user);
    enc_text_nonempty(s, i++, c->caller_display);
    enc_text_nonempty(s, i++, c->callee_display);
    enc_addr(s, i++, &c->caller_ip);
    enc_i64(s, i++, c->caller_port);
    enc_addr(s, i++, &c->callee_ip);
    enc_i64(s, i++, c->callee_port);
    enc_text_nonempty(s, i++, c->transport);
    enc_text_nonempty(s, i++, c->user_agent);
    enc_text_nonempty(s, i++, c->callee_agent);
    enc_time(s, i++, c->invite_ns);
    if (c->ring_ns)
        enc_time(s, i, c->ring_ns);
    i++;
    if (c->answer_ns)
        enc_time(s, i, c->answer_ns);
    i++;
    enc_time(s, i++, c->end_ns);
    if (c->final_ns && c->final_ns >= c->invite_ns)
        enc_f64(s, i, (double)((c->final_ns - c->invite_ns) / 1000) / 1000.0);
    i++;
    if (c->answer_ns && c->end_ns >= c->answer_ns)
        enc_f64(s, i, (double)((c->end_ns - c->answer_ns + 500000) / 1000000) / 1000.0);
    i++;
    if (c->status)
        enc_i64(s, i, (int)c->status);
    i++;
    enc_text_nonempty(s, i++, c->reason);
    enc_static(s, i++, sip_call_outcome_name(c->outcome));
    enc_static(s, i++, sip_call_side_name(c->hangup));
    enc_static(s, i++, sip_call_end_name(c->end));
    char codecs[256] = "";
    size_t cl = 0;
    int side = c->n_sdp[1] ? 1 : 0;
    for (uint32_t m = 0; m < c->n_sdp[side]; m++)
        for (uint32_t k = 0; k < c->sdp[side][m].n_codecs && cl < sizeof codecs - 1; k++)
            cl += (size_t)snprintf(codecs + cl, sizeof codecs - cl, "%s%s", cl ? "," : "",
                                   c->sdp[side][m].codecs[k].name);
    enc_text_nonempty(s, i++, codecs);
    enc_i64(s, i++, c->auth_challenges);
    enc_i64(s, i++, c->reinvites);
    enum sdp_security sec = c->n_sdp[side] ? c->sdp[side][0].security : SDP_SEC_UNKNOWN;
    bool have_sdp = c->n_sdp[0] || c->n_sdp[1];
    enc_i64(s, i++, have_sdp && sec != SDP_SEC_NONE && sec != SDP_SEC_UNKNOWN);
    enc_static(s, i++, have_sdp ? sdp_security_name(sec) : "unknown");
    enc_i64(s, i++, c->rtp_flows);
    for (int d = 0; d < 2; d++) {
        enc_i64(s, i++, (int64_t)c->media[d].packets);
        enc_i64(s, i++, (int64_t)c->media[d].bytes);
        enc_i64(s, i++, c->media[d].lost);
        enc_f64(s, i++, c->media[d].jitter_ms);
        enc_f64(s, i++, c->media[d].max_delta_ms);
    }
    return store_submit(s);
}

int store_write_registration(struct store *s, int64_t run_id, const struct store_registration *r)
{
    enc_begin(s, STORE_REC_REG);
    enc_i64(s, 1, run_id);
    enc_tag(s, 2, SV_SENSOR);
    enc_time(s, 3, r->ts_ns);
    enc_text_nonempty(s, 4, r->aor);
    enc_text_nonempty(s, 5, r->call_id);
    enc_text_nonempty(s, 6, r->contact);
    if (r->src && r->src->family) {
        enc_addr(s, 7, r->src);
        enc_i64(s, 8, r->sport);
    }
    enc_text_nonempty(s, 9, r->user_agent);
    if (r->expires >= 0)
        enc_i64(s, 10, r->expires);
    enc_i64(s, 11, (int)r->result);
    return store_submit(s);
}
