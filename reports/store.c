/* store.c - SQLite store: versioned schema, migrations, batched single-writer inserts.
 *
 * Why it looks like this: the sensor is the only writer (one connection, on
 * the engine thread), reports read concurrently, so the journal is WAL and
 * writes are grouped into transactions: an fsync per row would cap the
 * sensor at a few hundred rows a second. A batch is committed after
 * store.batch rows or after a second of wall time, whichever comes first, so
 * a quiet live sensor still makes its rows visible promptly. A failing write
 * must not stop a sensor that is forwarding traffic: errors are counted,
 * the first one is printed, and the run goes on. */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "config.h"
#include "json.h"
#include "store.h"
#include "sip-call.h"

/* Wall time between commits of an open batch. */
#define STORE_COMMIT_NS TG_NS_PER_SEC

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
};

struct store {
    sqlite3 *db;
    char *path;
    char *sensor_id;
    sqlite3_stmt *ins_flow;
    sqlite3_stmt *ins_alert;
    sqlite3_stmt *ins_call; /* prepared on first use */
    sqlite3_stmt *ins_reg;
    unsigned pending;
    unsigned batch;
    bool in_tx;
    uint64_t tx_start_ns;
    uint64_t errors;
    struct stats *stats;
};

int store_schema_version(void)
{
    return (int)TG_ARRAY_LEN(store_migrations);
}

static uint64_t store_wall_ns(void)
{
    struct timespec ts;
    /* Coarse is enough for a one-second commit interval and costs a few ns. */
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (uint64_t)ts.tv_sec * TG_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* Count an error after open; the first one is printed because the run goes
 * on and the user would otherwise find an emptier database without a word. */
static void store_error(struct store *s, const char *what)
{
    if (s->stats)
        stats_inc(s->stats, STAT_OUTPUT_DB_ERRORS);
    if (s->errors++ == 0)
        fprintf(stderr, "tollgate: %s: %s: %s (later database errors are only counted in output.db_errors)\n",
                s->path, what, sqlite3_errmsg(s->db));
}

static void store_row_ok(struct store *s)
{
    if (s->stats)
        stats_inc(s->stats, STAT_OUTPUT_DB_ROWS);
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
    for (int v = ver; v < store_schema_version(); v++) {
        char sql[64];
        /* IMMEDIATE: take the write lock first so two sensors opening the
         * same new file do not both try to create the tables. */
        if (store_exec(s, "BEGIN IMMEDIATE", err, errlen) != TG_OK)
            return TG_ERROR;
        snprintf(sql, sizeof sql, "PRAGMA user_version=%d", v + 1);
        if (store_exec(s, store_migrations[v], err, errlen) != TG_OK ||
            store_exec(s, sql, err, errlen) != TG_OK) {
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            size_t l = strlen(err);
            snprintf(err + l, errlen - l, " (migrating schema %d to %d)", v, v + 1);
            return TG_ERROR;
        }
        if (store_exec(s, "COMMIT", err, errlen) != TG_OK)
            return TG_ERROR;
    }
    return TG_OK;
}

static void store_free(struct store *s)
{
    sqlite3_finalize(s->ins_flow);
    sqlite3_finalize(s->ins_alert);
    sqlite3_finalize(s->ins_call);
    sqlite3_finalize(s->ins_reg);
    if (s->db)
        sqlite3_close(s->db);
    free(s->path);
    free(s->sensor_id);
    free(s);
}

void store_configure(struct store *s, const struct config *cfg)
{
    uint64_t batch = config_get_u64(cfg, "store.batch", STORE_BATCH_DEFAULT);
    s->batch = batch == 0 ? 1 : batch > 1000000 ? 1000000 : (unsigned)batch;
}

struct store *store_open(const char *path, char *err, size_t errlen)
{
    struct store *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        snprintf(err, errlen, "out of memory");
        free(s);
        return NULL;
    }
    s->batch = STORE_BATCH_DEFAULT;
    if (sqlite3_open(path, &s->db) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) : "cannot open");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, 5000);
    if (store_exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON",
                   err, errlen) != TG_OK || store_migrate(s, err, errlen) != TG_OK)
        goto fail;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO flows (run_id, flow_id, proto, app_proto, src_ip, src_port,"
                           " dest_ip, dest_port, vlan, start_time, end_time, pkts_toserver,"
                           " pkts_toclient, bytes_toserver, bytes_toclient, state, reason, sensor_id,"
                           " icmp_type, icmp_code, alerted)"
                           " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &s->ins_flow, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db,
                           "INSERT INTO alerts (run_id, sensor_id, ts, sid, gid, rev, action, msg,"
                           " classtype, priority, proto, src_ip, src_port, dest_ip, dest_port,"
                           " flow_id, app_proto, payload)"
                           " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &s->ins_alert, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
        goto fail;
    }
    return s;
fail:
    store_free(s);
    return NULL;
}

void store_set_stats(struct store *s, struct stats *st)
{
    if (s)
        s->stats = st;
}

int store_set_sensor_id(struct store *s, const char *sensor_id)
{
    char *c = sensor_id ? strdup(sensor_id) : NULL;
    if (sensor_id && !c)
        return TG_ERROR;
    free(s->sensor_id);
    s->sensor_id = c;
    return TG_OK;
}

void store_flush(struct store *s)
{
    if (!s || !s->in_tx)
        return;
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        /* The batch is lost; roll back so the next batch starts clean. */
        store_error(s, "commit");
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    }
    s->in_tx = false;
    s->pending = 0;
}

void store_tick(struct store *s)
{
    if (s && s->in_tx && store_wall_ns() - s->tx_start_ns >= STORE_COMMIT_NS)
        store_flush(s);
}

void store_close(struct store *s)
{
    if (!s)
        return;
    store_flush(s);
    store_free(s);
}

static void store_row_added(struct store *s)
{
    if (++s->pending >= s->batch)
        store_flush(s);
    else
        store_tick(s);
}

/* Open a batch if none is open. When BEGIN fails the row is still written,
 * in its own implicit transaction. */
static void store_tx(struct store *s)
{
    if (s->in_tx)
        return;
    if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK) {
        s->in_tx = true;
        s->tx_start_ns = store_wall_ns();
    } else {
        store_error(s, "begin");
    }
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

static void bind_time(sqlite3_stmt *st, int col, uint64_t ts_ns)
{
    char buf[48];
    store_format_time(ts_ns, buf, sizeof buf);
    sqlite3_bind_text(st, col, buf, -1, SQLITE_TRANSIENT);
}

static void bind_text_or_null(sqlite3_stmt *st, int col, const char *s)
{
    if (s)
        sqlite3_bind_text(st, col, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, col);
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

int64_t store_begin_run(struct store *s, const char *mode, const char *inputs, uint64_t start_ns)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "INSERT INTO runs (mode, inputs, start_time, sensor_id) VALUES (?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK) {
        store_error(s, "insert run");
        return TG_ERROR;
    }
    sqlite3_bind_text(st, 1, mode, -1, SQLITE_TRANSIENT);
    bind_text_or_null(st, 2, inputs);
    bind_time(st, 3, start_ns);
    bind_text_or_null(st, 4, s->sensor_id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        store_error(s, "insert run");
        return TG_ERROR;
    }
    store_row_ok(s);
    return sqlite3_last_insert_rowid(s->db);
}

static void store_stat_row(struct store *s, sqlite3_stmt *st, int64_t run_id, const char *name, uint64_t v)
{
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    /* Counters above INT64_MAX cannot happen in practice; clamp rather than wrap. */
    sqlite3_bind_int64(st, 3, v > (uint64_t)INT64_MAX ? INT64_MAX : (sqlite3_int64)v);
    bind_text_or_null(st, 4, s->sensor_id);
    store_step(s, st, "insert stats");
}

void store_end_run(struct store *s, int64_t run_id, uint64_t end_ns, const struct stats *stt)
{
    sqlite3_stmt *st;
    store_tx(s);
    if (sqlite3_prepare_v2(s->db, "UPDATE runs SET end_time=? WHERE id=?", -1, &st, NULL) == SQLITE_OK) {
        bind_time(st, 1, end_ns);
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
        /* One transaction for all of them, whatever store.batch says. */
        unsigned batch = s->batch;
        s->batch = UINT32_MAX;
        for (int i = 0; i < STAT_MAX; i++)
            store_stat_row(s, st, run_id, stats_path((enum stat_id)i), stt->c[i]);
        for (int i = 0; i < EV_MAX; i++) {
            if (!stt->events[i])
                continue;
            char name[96];
            snprintf(name, sizeof name, "event.%s", event_name((enum event_id)i));
            store_stat_row(s, st, run_id, name, stt->events[i]);
        }
        s->batch = batch;
        sqlite3_finalize(st);
    } else {
        store_error(s, "insert stats");
    }
    store_flush(s);
}

int store_write_flow(struct store *s, int64_t run_id, const struct flow *f, const char *app_proto)
{
    char a[48], b[48], pn[16];
    sqlite3_stmt *st = s->ins_flow;
    store_tx(s);
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)f->id);
    sqlite3_bind_text(st, 3, flow_proto_name(f->proto, pn, sizeof pn), -1, SQLITE_TRANSIENT);
    bind_text_or_null(st, 4, app_proto);
    sqlite3_bind_text(st, 5, ip_addr_str(&f->addr[0], a, sizeof a), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, ip_addr_str(&f->addr[1], b, sizeof b), -1, SQLITE_TRANSIENT);
    if (f->proto == IPPROTO_NUM_ICMP || f->proto == IPPROTO_NUM_ICMPV6) {
        /* ICMP has no ports; the key words are not meaningful to a reader. */
        sqlite3_bind_null(st, 6);
        sqlite3_bind_null(st, 8);
        sqlite3_bind_int(st, 19, f->icmp_type);
        sqlite3_bind_int(st, 20, f->icmp_code);
    } else {
        sqlite3_bind_int(st, 6, f->port[0]);
        sqlite3_bind_int(st, 8, f->port[1]);
    }
    sqlite3_bind_int(st, 9, f->vlan);
    bind_time(st, 10, f->start_ns);
    bind_time(st, 11, f->last_ns);
    sqlite3_bind_int64(st, 12, (sqlite3_int64)f->pkts[0]);
    sqlite3_bind_int64(st, 13, (sqlite3_int64)f->pkts[1]);
    sqlite3_bind_int64(st, 14, (sqlite3_int64)f->bytes[0]);
    sqlite3_bind_int64(st, 15, (sqlite3_int64)f->bytes[1]);
    sqlite3_bind_text(st, 16, flow_state_name(f->state), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 17, flow_end_reason_name(f->end_reason), -1, SQLITE_STATIC);
    bind_text_or_null(st, 18, s->sensor_id);
    sqlite3_bind_int(st, 21, f->alerted ? 1 : 0);
    return store_step(s, st, "insert flow");
}

int store_write_alert(struct store *s, int64_t run_id, const struct store_alert *al)
{
    char a[48], b[48], pn[16];
    sqlite3_stmt *st = s->ins_alert;
    store_tx(s);
    sqlite3_bind_int64(st, 1, run_id);
    bind_text_or_null(st, 2, s->sensor_id);
    bind_time(st, 3, al->ts_ns);
    sqlite3_bind_int64(st, 4, al->sid);
    sqlite3_bind_int64(st, 5, al->gid);
    sqlite3_bind_int64(st, 6, al->rev);
    sqlite3_bind_text(st, 7, al->action ? al->action : "alert", -1, SQLITE_TRANSIENT);
    bind_text_or_null(st, 8, al->msg);
    bind_text_or_null(st, 9, al->classtype);
    sqlite3_bind_int64(st, 10, al->priority);
    sqlite3_bind_text(st, 11, flow_proto_name(al->proto, pn, sizeof pn), -1, SQLITE_TRANSIENT);
    bind_text_or_null(st, 12, al->src ? ip_addr_str(al->src, a, sizeof a) : NULL);
    sqlite3_bind_int(st, 13, al->sport);
    bind_text_or_null(st, 14, al->dst ? ip_addr_str(al->dst, b, sizeof b) : NULL);
    sqlite3_bind_int(st, 15, al->dport);
    if (al->flow_id)
        sqlite3_bind_int64(st, 16, (sqlite3_int64)al->flow_id);
    else
        sqlite3_bind_null(st, 16);
    bind_text_or_null(st, 17, al->app_proto);
    if (al->payload && al->payload_len)
        sqlite3_bind_blob(st, 18, al->payload, (int)TG_MIN(al->payload_len, (size_t)INT32_MAX),
                          SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 18);
    return store_step(s, st, "insert alert");
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

static void bind_text_or_null_empty(sqlite3_stmt *st, int col, const char *v)
{
    bind_text_or_null(st, col, v && v[0] ? v : NULL);
}

int store_write_call(struct store *s, int64_t run_id, const struct sip_call *c)
{
    static const char sql[] =
        "INSERT INTO calls (run_id, sensor_id, call_id, caller_uri, callee_uri, caller_user, callee_user,"
        " caller_display, callee_display, caller_ip, caller_port, callee_ip, callee_port, transport,"
        " user_agent, callee_agent, invite_time, ring_time, answer_time, end_time, setup_ms, talk_s,"
        " status, reason, outcome, hangup, end_reason, codecs, auth_challenges, reinvites, srtp,"
        " media_security, rtp_flows, caller_pkts, caller_bytes, caller_lost, caller_jitter_ms,"
        " caller_max_delta_ms, callee_pkts, callee_bytes, callee_lost, callee_jitter_ms, callee_max_delta_ms)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    if (store_prepare_once(s, &s->ins_call, sql, "prepare insert call") != TG_OK)
        return TG_ERROR;
    sqlite3_stmt *st = s->ins_call;
    char a[48];
    store_tx(s);
    int i = 1;
    sqlite3_bind_int64(st, i++, run_id);
    bind_text_or_null(st, i++, s->sensor_id);
    sqlite3_bind_text(st, i++, c->call_id, -1, SQLITE_TRANSIENT);
    bind_text_or_null_empty(st, i++, c->caller_uri);
    bind_text_or_null_empty(st, i++, c->callee_uri);
    bind_text_or_null_empty(st, i++, c->caller_user);
    bind_text_or_null_empty(st, i++, c->callee_user);
    bind_text_or_null_empty(st, i++, c->caller_display);
    bind_text_or_null_empty(st, i++, c->callee_display);
    sqlite3_bind_text(st, i++, ip_addr_str(&c->caller_ip, a, sizeof a), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, i++, c->caller_port);
    sqlite3_bind_text(st, i++, ip_addr_str(&c->callee_ip, a, sizeof a), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, i++, c->callee_port);
    bind_text_or_null_empty(st, i++, c->transport);
    bind_text_or_null_empty(st, i++, c->user_agent);
    bind_text_or_null_empty(st, i++, c->callee_agent);
    bind_time(st, i++, c->invite_ns);
    if (c->ring_ns)
        bind_time(st, i, c->ring_ns);
    i++;
    if (c->answer_ns)
        bind_time(st, i, c->answer_ns);
    i++;
    bind_time(st, i++, c->end_ns);
    if (c->final_ns && c->final_ns >= c->invite_ns)
        sqlite3_bind_double(st, i, (double)((c->final_ns - c->invite_ns) / 1000) / 1000.0);
    i++;
    if (c->answer_ns && c->end_ns >= c->answer_ns)
        sqlite3_bind_double(st, i, (double)((c->end_ns - c->answer_ns + 500000) / 1000000) / 1000.0);
    i++;
    if (c->status)
        sqlite3_bind_int(st, i, (int)c->status);
    i++;
    bind_text_or_null_empty(st, i++, c->reason);
    sqlite3_bind_text(st, i++, sip_call_outcome_name(c->outcome), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, i++, sip_call_side_name(c->hangup), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, i++, sip_call_end_name(c->end), -1, SQLITE_STATIC);
    char codecs[256] = "";
    size_t cl = 0;
    int side = c->n_sdp[1] ? 1 : 0;
    for (uint32_t m = 0; m < c->n_sdp[side]; m++)
        for (uint32_t k = 0; k < c->sdp[side][m].n_codecs && cl < sizeof codecs - 1; k++)
            cl += (size_t)snprintf(codecs + cl, sizeof codecs - cl, "%s%s", cl ? "," : "",
                                   c->sdp[side][m].codecs[k].name);
    bind_text_or_null_empty(st, i++, codecs);
    sqlite3_bind_int64(st, i++, c->auth_challenges);
    sqlite3_bind_int64(st, i++, c->reinvites);
    enum sdp_security sec = c->n_sdp[side] ? c->sdp[side][0].security : SDP_SEC_UNKNOWN;
    bool have_sdp = c->n_sdp[0] || c->n_sdp[1];
    sqlite3_bind_int(st, i++, have_sdp && sec != SDP_SEC_NONE && sec != SDP_SEC_UNKNOWN);
    sqlite3_bind_text(st, i++, have_sdp ? sdp_security_name(sec) : "unknown", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, i++, c->rtp_flows);
    for (int d = 0; d < 2; d++) {
        sqlite3_bind_int64(st, i++, (sqlite3_int64)c->media[d].packets);
        sqlite3_bind_int64(st, i++, (sqlite3_int64)c->media[d].bytes);
        sqlite3_bind_int64(st, i++, c->media[d].lost);
        sqlite3_bind_double(st, i++, c->media[d].jitter_ms);
        sqlite3_bind_double(st, i++, c->media[d].max_delta_ms);
    }
    return store_step(s, st, "insert call");
}

int store_write_registration(struct store *s, int64_t run_id, const struct store_registration *r)
{
    static const char sql[] = "INSERT INTO registrations (run_id, sensor_id, ts, aor, call_id, contact,"
                              " src_ip, src_port, user_agent, expires, result) VALUES (?,?,?,?,?,?,?,?,?,?,?)";
    if (store_prepare_once(s, &s->ins_reg, sql, "prepare insert registration") != TG_OK)
        return TG_ERROR;
    sqlite3_stmt *st = s->ins_reg;
    char a[48];
    store_tx(s);
    sqlite3_bind_int64(st, 1, run_id);
    bind_text_or_null(st, 2, s->sensor_id);
    bind_time(st, 3, r->ts_ns);
    bind_text_or_null_empty(st, 4, r->aor);
    bind_text_or_null_empty(st, 5, r->call_id);
    bind_text_or_null_empty(st, 6, r->contact);
    if (r->src && r->src->family) {
        sqlite3_bind_text(st, 7, ip_addr_str(r->src, a, sizeof a), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 8, r->sport);
    }
    bind_text_or_null_empty(st, 9, r->user_agent);
    if (r->expires >= 0)
        sqlite3_bind_int64(st, 10, r->expires);
    sqlite3_bind_int(st, 11, (int)r->result);
    return store_step(s, st, "insert registration");
}
