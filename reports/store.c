/* store.c - SQLite store: schema, migrations, batched single-writer inserts. */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "store.h"

/* Rows per transaction: big enough that fsync does not dominate, small
 * enough that a crash loses little. */
#define STORE_BATCH_ROWS 1000

/* Each entry upgrades the schema from version i to i+1. */
static const char *const store_migrations[] = {
    /* 0 -> 1 */
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
};

struct store {
    sqlite3 *db;
    sqlite3_stmt *ins_flow;
    unsigned pending;
    bool in_tx;
};

int store_schema_version(void)
{
    return (int)TG_ARRAY_LEN(store_migrations);
}

static int store_exec(struct store *s, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return TG_ERROR;
    }
    return TG_OK;
}

static int store_migrate(struct store *s, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return TG_ERROR;
    int ver = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    if (ver > store_schema_version()) {
        snprintf(err, errlen, "database schema version %d is newer than this build (%d)", ver,
                 store_schema_version());
        return TG_ERROR;
    }
    for (int v = ver; v < store_schema_version(); v++) {
        char sql[64];
        if (store_exec(s, "BEGIN", err, errlen) != TG_OK)
            return TG_ERROR;
        snprintf(sql, sizeof sql, "PRAGMA user_version=%d", v + 1);
        if (store_exec(s, store_migrations[v], err, errlen) != TG_OK ||
            store_exec(s, sql, err, errlen) != TG_OK) {
            store_exec(s, "ROLLBACK", err + strlen(err), 0);
            return TG_ERROR;
        }
        if (store_exec(s, "COMMIT", err, errlen) != TG_OK)
            return TG_ERROR;
    }
    return TG_OK;
}

struct store *store_open(const char *path, char *err, size_t errlen)
{
    struct store *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
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
                           " pkts_toclient, bytes_toserver, bytes_toclient, state, reason)"
                           " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &s->ins_flow, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
        goto fail;
    }
    return s;
fail:
    if (s->db)
        sqlite3_close(s->db);
    free(s);
    return NULL;
}

void store_flush(struct store *s)
{
    if (s && s->in_tx) {
        sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
        s->in_tx = false;
        s->pending = 0;
    }
}

void store_close(struct store *s)
{
    if (!s)
        return;
    store_flush(s);
    sqlite3_finalize(s->ins_flow);
    sqlite3_close(s->db);
    free(s);
}

static void store_row_added(struct store *s)
{
    if (++s->pending >= STORE_BATCH_ROWS)
        store_flush(s);
}

static void store_tx(struct store *s)
{
    if (!s->in_tx && sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK)
        s->in_tx = true;
}

static void bind_time(sqlite3_stmt *st, int col, uint64_t ts_ns)
{
    char buf[48];
    time_t sec = (time_t)(ts_ns / TG_NS_PER_SEC);
    struct tm tm;
    gmtime_r(&sec, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, sizeof buf, "%s.%06uZ", base, (unsigned)((ts_ns % TG_NS_PER_SEC) / 1000));
    sqlite3_bind_text(st, col, buf, -1, SQLITE_TRANSIENT);
}

int64_t store_begin_run(struct store *s, const char *mode, const char *inputs, uint64_t start_ns)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "INSERT INTO runs (mode, inputs, start_time) VALUES (?,?,?)", -1,
                           &st, NULL) != SQLITE_OK)
        return TG_ERROR;
    sqlite3_bind_text(st, 1, mode, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, inputs, -1, SQLITE_TRANSIENT);
    bind_time(st, 3, start_ns);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? sqlite3_last_insert_rowid(s->db) : TG_ERROR;
}

void store_end_run(struct store *s, int64_t run_id, uint64_t end_ns, const struct stats *stt)
{
    sqlite3_stmt *st;
    store_tx(s);
    if (sqlite3_prepare_v2(s->db, "UPDATE runs SET end_time=? WHERE id=?", -1, &st, NULL) == SQLITE_OK) {
        bind_time(st, 1, end_ns);
        sqlite3_bind_int64(st, 2, run_id);
        sqlite3_step(st);
        sqlite3_finalize(st);
    }
    if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO stats (run_id, name, value) VALUES (?,?,?)",
                           -1, &st, NULL) == SQLITE_OK) {
        for (int i = 0; i < STAT_MAX; i++) {
            sqlite3_bind_int64(st, 1, run_id);
            sqlite3_bind_text(st, 2, stats_path((enum stat_id)i), -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 3, (sqlite3_int64)stt->c[i]);
            sqlite3_step(st);
            sqlite3_reset(st);
        }
        for (int i = 0; i < EV_MAX; i++) {
            if (!stt->events[i])
                continue;
            char name[96];
            snprintf(name, sizeof name, "event.%s", event_name((enum event_id)i));
            sqlite3_bind_int64(st, 1, run_id);
            sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(st, 3, (sqlite3_int64)stt->events[i]);
            sqlite3_step(st);
            sqlite3_reset(st);
        }
        sqlite3_finalize(st);
    }
    store_flush(s);
}

static const char *const flow_state_names[] = {"new", "established", "closed"};
static const char *const flow_reason_names[] = {"timeout", "evicted", "shutdown"};

int store_write_flow(struct store *s, int64_t run_id, const struct flow *f, const char *app_proto)
{
    char a[48], b[48], pn[16];
    sqlite3_stmt *st = s->ins_flow;
    store_tx(s);
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)f->id);
    sqlite3_bind_text(st, 3, flow_proto_name(f->proto, pn, sizeof pn), -1, SQLITE_TRANSIENT);
    if (app_proto)
        sqlite3_bind_text(st, 4, app_proto, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 4);
    sqlite3_bind_text(st, 5, ip_addr_str(&f->addr[0], a, sizeof a), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 6, f->port[0]);
    sqlite3_bind_text(st, 7, ip_addr_str(&f->addr[1], b, sizeof b), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 8, f->port[1]);
    sqlite3_bind_int(st, 9, f->vlan);
    bind_time(st, 10, f->start_ns);
    bind_time(st, 11, f->last_ns);
    sqlite3_bind_int64(st, 12, (sqlite3_int64)f->pkts[0]);
    sqlite3_bind_int64(st, 13, (sqlite3_int64)f->pkts[1]);
    sqlite3_bind_int64(st, 14, (sqlite3_int64)f->bytes[0]);
    sqlite3_bind_int64(st, 15, (sqlite3_int64)f->bytes[1]);
    sqlite3_bind_text(st, 16, flow_state_names[f->state % 3], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 17, flow_reason_names[f->end_reason % 3], -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE)
        return TG_ERROR;
    store_row_added(s);
    return TG_OK;
}
