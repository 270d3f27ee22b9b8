/* test-store.c - unit tests for the SQLite store (reports/store.c). */
#include <sqlite3.h>
#include <time.h>
#include <unistd.h>
#include "../reports/store.h"
#include "../sensor/config.h"
#include "test.h"

static char dbpath[64];

static void fresh_path(void)
{
    snprintf(dbpath, sizeof dbpath, "/tmp/tg-test-store-%d.db", (int)getpid());
    char p[80];
    unlink(dbpath);
    snprintf(p, sizeof p, "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", dbpath);
    unlink(p);
}

/* One integer from a query on a separate connection (what a report sees). */
static long long query_int(const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    long long v = -1;
    if (sqlite3_open(dbpath, &db) != SQLITE_OK)
        return -2;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    } else {
        fprintf(stderr, "  query '%s': %s\n", sql, sqlite3_errmsg(db));
    }
    sqlite3_close(db);
    return v;
}

/* Make the database refuse flow rows of run ids from 999 up, as a failing
 * write would (the writer's connection does not enforce the foreign keys). */
static void reject_bad_runs(void)
{
    sqlite3 *db;
    CHECK(sqlite3_open(dbpath, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db,
                       "CREATE TRIGGER test_reject BEFORE INSERT ON flows WHEN NEW.run_id >= 999"
                       " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
                       NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
}

static const char *query_text(const char *sql)
{
    static char out[256];
    sqlite3 *db;
    sqlite3_stmt *st;
    snprintf(out, sizeof out, "(none)");
    if (sqlite3_open(dbpath, &db) != SQLITE_OK)
        return out;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
            snprintf(out, sizeof out, "%s", (const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return out;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* The writer thread commits on its own: poll what a reader sees, ticking
 * the store as the engine does, until it is want or max_ms have passed. */
static long long wait_query_int(struct store *s, const char *sql, long long want, unsigned max_ms)
{
    long long v = query_int(sql);
    for (unsigned t = 0; v != want && t < max_ms; t += 10) {
        store_tick(s);
        sleep_ms(10);
        v = query_int(sql);
    }
    return v;
}

static struct flow test_flow(uint64_t id)
{
    struct flow f;
    memset(&f, 0, sizeof f);
    f.id = id;
    f.addr[0].family = f.addr[1].family = 4;
    memcpy(f.addr[0].b, "\xc6\x12\x00\x01", 4);
    memcpy(f.addr[1].b, "\xc6\x12\x00\x02", 4);
    f.port[0] = 40000;
    f.port[1] = 5060;
    f.proto = IPPROTO_NUM_UDP;
    f.state = FLOW_STATE_ESTABLISHED;
    f.end_reason = FLOW_END_TIMEOUT;
    f.start_ns = 1704164645ull * TG_NS_PER_SEC;
    f.last_ns = f.start_ns + 2500000000ull;
    f.pkts[0] = 3;
    f.pkts[1] = 2;
    f.bytes[0] = 300;
    f.bytes[1] = 200;
    return f;
}

TEST(schema_creation)
{
    fresh_path();
    char err[256] = "";
    struct store *s = store_open(dbpath, err, sizeof err);
    CHECK(s != NULL);
    store_close(s);
    CHECK_EQ_U(query_int("PRAGMA user_version"), (unsigned long long)store_schema_version());
    CHECK_EQ_U(store_schema_version(), 4);
    CHECK_STR(query_text("PRAGMA journal_mode"), "wal");
    CHECK_EQ_U(query_int("SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN"
                         " ('runs','flows','stats','alerts')"), 4);
    /* Every column the rule engine needs in alerts. */
    CHECK_EQ_U(query_int("SELECT count(*) FROM pragma_table_info('alerts') WHERE name IN ('run_id','ts',"
                         "'sid','gid','rev','action','msg','classtype','priority','proto','src_ip','src_port',"
                         "'dest_ip','dest_port','flow_id','app_proto','payload','sensor_id')"), 18);
    CHECK_EQ_U(query_int("SELECT count(*) FROM pragma_table_info('flows') WHERE name='sensor_id'"), 1);
}

TEST(flows_alerts_stats_rows)
{
    fresh_path();
    char err[256] = "";
    struct config *cfg = config_new();
    config_set(cfg, "store.batch=2");
    struct stats st = {0};
    struct store *s = store_open(dbpath, err, sizeof err);
    CHECK(s != NULL);
    store_configure(s, cfg);
    store_set_stats(s, &st);
    CHECK_EQ_U(store_set_sensor_id(s, "edge-1"), TG_OK);
    int64_t run = store_begin_run(s, "analyze", "x.pcap", 1704164645ull * TG_NS_PER_SEC);
    CHECK(run > 0);
    struct flow f = test_flow(77);
    CHECK_EQ_U(store_write_flow(s, run, &f, "sip"), TG_OK);
    /* One row of a batch of two: not committed yet, a reader sees none. */
    CHECK_EQ_U(query_int("SELECT count(*) FROM flows"), 0);
    f.id = 78;
    f.proto = IPPROTO_NUM_ICMP;
    f.icmp_type = 8;
    f.alerted = true;
    CHECK_EQ_U(store_write_flow(s, run, &f, NULL), TG_OK);
    /* Batch full: the writer commits it without a flush. */
    CHECK_EQ_U(wait_query_int(s, "SELECT count(*) FROM flows", 2, 5000), 2);
    struct ip_addr a = f.addr[0], b = f.addr[1];
    const uint8_t payload[] = {'I', 'N', 'V', 0, 0xff};
    struct store_alert al = {
        .ts_ns = f.start_ns, .gid = 1, .sid = 2100003, .rev = 2, .action = "drop",
        .msg = "SIP From header too long", .classtype = "attempted-admin", .priority = 1,
        .proto = IPPROTO_NUM_UDP, .src = &a, .dst = &b, .sport = 5060, .dport = 5060,
        .flow_id = 77, .app_proto = "sip", .payload = payload, .payload_len = sizeof payload,
    };
    CHECK_EQ_U(store_write_alert(s, run, &al), TG_OK);
    st.c[STAT_FLOW_TOTAL] = 2;
    st.events[0] = 3;
    store_end_run(s, run, 1704164700ull * TG_NS_PER_SEC, &st);
    CHECK_EQ_U(st.c[STAT_OUTPUT_DB_ROWS], 1 + 2 + 1 + STAT_MAX + 1);
    CHECK_EQ_U(st.c[STAT_OUTPUT_DB_ERRORS], 0);
    /* A row the database refuses is queued, then counted by the writer
     * thread, not fatal; store_flush publishes the count. */
    reject_bad_runs();
    CHECK_EQ_U(store_write_flow(s, 999, &f, NULL), TG_OK);
    store_flush(s);
    CHECK_EQ_U(st.c[STAT_OUTPUT_DB_ERRORS], 1);
    store_close(s);
    config_free(cfg);

    CHECK_EQ_U(query_int("SELECT count(*) FROM flows WHERE sensor_id='edge-1'"), 2);
    CHECK_STR(query_text("SELECT src_ip||':'||src_port||' '||dest_ip||':'||dest_port||' '||proto||' '||app_proto"
                         "||' '||state||' '||reason FROM flows WHERE flow_id=77"),
              "198.18.0.1:40000 198.18.0.2:5060 UDP sip established timeout");
    CHECK_STR(query_text("SELECT start_time||' '||end_time||' '||pkts_toserver||'/'||pkts_toclient||' '||"
                         "bytes_toserver||'/'||bytes_toclient FROM flows WHERE flow_id=77"),
              "2024-01-02T03:04:05.000000Z 2024-01-02T03:04:07.500000Z 3/2 300/200");
    CHECK_EQ_U(query_int("SELECT count(*) FROM flows WHERE flow_id=78 AND proto='ICMP' AND src_port IS NULL"
                         " AND icmp_type=8 AND icmp_code=0 AND alerted=1"), 1);
    CHECK_EQ_U(query_int("SELECT count(*) FROM flows WHERE flow_id=77 AND icmp_type IS NULL AND alerted=0"), 1);
    CHECK_STR(query_text("SELECT sid||':'||gid||':'||rev||' '||action||' '||msg||' '||classtype||' '||priority||' '||"
                         "proto||' '||src_ip||':'||src_port||' '||flow_id||' '||app_proto||' '||sensor_id||' '||ts"
                         " FROM alerts"),
              "2100003:1:2 drop SIP From header too long attempted-admin 1 UDP 198.18.0.1:5060 77 sip edge-1 "
              "2024-01-02T03:04:05.000000Z");
    CHECK_STR(query_text("SELECT hex(payload) FROM alerts"), "494E5600FF");
    CHECK_EQ_U(query_int("SELECT value FROM stats WHERE name='flow.total'"), 2);
    CHECK_EQ_U(query_int("SELECT count(*) FROM stats WHERE name LIKE 'event.%'"), 1);
    CHECK_EQ_U(query_int("SELECT count(*) FROM stats WHERE sensor_id='edge-1'"), STAT_MAX + 1);
    CHECK_STR(query_text("SELECT mode||' '||inputs||' '||sensor_id||' '||end_time FROM runs"),
              "analyze x.pcap edge-1 2024-01-02T03:05:00.000000Z");
    CHECK_EQ_U(st.c[STAT_OUTPUT_DB_ROWS], 1 + 2 + 1 + STAT_MAX + 1);
}

TEST(reopen_appends_runs)
{
    fresh_path();
    char err[256];
    for (int i = 0; i < 2; i++) {
        struct store *s = store_open(dbpath, err, sizeof err);
        CHECK(s != NULL);
        int64_t run = store_begin_run(s, "analyze", "x", 0);
        CHECK_EQ_U(run, i + 1);
        struct flow f = test_flow(5);
        store_write_flow(s, run, &f, NULL);
        store_close(s); /* close commits the open batch */
    }
    CHECK_EQ_U(query_int("SELECT count(*) FROM runs"), 2);
    CHECK_EQ_U(query_int("SELECT count(DISTINCT run_id) FROM flows"), 2);
    CHECK_EQ_U(query_int("PRAGMA user_version"), 4);
}

TEST(migrate_from_v1)
{
    fresh_path();
    /* A database as the first release wrote it: schema 1, one run, one flow. */
    sqlite3 *db;
    CHECK(sqlite3_open(dbpath, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db,
                       "CREATE TABLE runs (id INTEGER PRIMARY KEY, mode TEXT NOT NULL, inputs TEXT,"
                       " start_time TEXT NOT NULL, end_time TEXT);"
                       "CREATE TABLE flows (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id),"
                       " flow_id INTEGER NOT NULL, proto TEXT NOT NULL, app_proto TEXT,"
                       " src_ip TEXT NOT NULL, src_port INTEGER, dest_ip TEXT NOT NULL, dest_port INTEGER,"
                       " vlan INTEGER, start_time TEXT NOT NULL, end_time TEXT NOT NULL,"
                       " pkts_toserver INTEGER, pkts_toclient INTEGER, bytes_toserver INTEGER,"
                       " bytes_toclient INTEGER, state TEXT, reason TEXT);"
                       "CREATE INDEX flows_run ON flows(run_id);"
                       "CREATE TABLE stats (run_id INTEGER NOT NULL REFERENCES runs(id), name TEXT NOT NULL,"
                       " value INTEGER NOT NULL, PRIMARY KEY (run_id, name));"
                       "INSERT INTO runs (mode, start_time) VALUES ('analyze', '2024-01-01T00:00:00Z');"
                       "INSERT INTO flows (run_id, flow_id, proto, src_ip, dest_ip, start_time, end_time)"
                       " VALUES (1, 42, 'UDP', '198.18.0.1', '198.18.0.2', 'a', 'b');"
                       "PRAGMA user_version=1;",
                       NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    char err[256] = "";
    struct store *s = store_open(dbpath, err, sizeof err);
    CHECK(s != NULL);
    if (!s)
        fprintf(stderr, "  %s\n", err);
    store_set_sensor_id(s, "new");
    int64_t run = store_begin_run(s, "analyze", "y", 0);
    CHECK_EQ_U(run, 2);
    struct flow f = test_flow(43);
    CHECK_EQ_U(store_write_flow(s, run, &f, NULL), TG_OK);
    store_close(s);
    CHECK_EQ_U(query_int("PRAGMA user_version"), 4);
    /* 1 -> 2 made flows_flow_id, 3 -> 4 dropped it again */
    CHECK_EQ_U(query_int("SELECT count(*) FROM sqlite_master WHERE name = 'flows_flow_id'"), 0);
    CHECK_EQ_U(query_int("SELECT count(*) FROM flows WHERE flow_id=42 AND sensor_id IS NULL"), 1);
    CHECK_EQ_U(query_int("SELECT count(*) FROM flows WHERE flow_id=43 AND sensor_id='new'"), 1);
    CHECK_EQ_U(query_int("SELECT count(*) FROM alerts"), 0);
}

TEST(refuses_newer_schema_and_junk)
{
    fresh_path();
    sqlite3 *db;
    CHECK(sqlite3_open(dbpath, &db) == SQLITE_OK);
    sqlite3_exec(db, "PRAGMA user_version=99", NULL, NULL, NULL);
    sqlite3_close(db);
    char err[256] = "", want[160];
    CHECK(store_open(dbpath, err, sizeof err) == NULL);
    snprintf(want, sizeof want, "%s: database schema version 99 is newer than this build (4)", dbpath);
    CHECK_STR(err, want);
    fresh_path();
    FILE *f = fopen(dbpath, "w");
    fputs("this is not a database, just text that is long enough to have a header........\n", f);
    fclose(f);
    CHECK(store_open(dbpath, err, sizeof err) == NULL);
    CHECK(strncmp(err, dbpath, strlen(dbpath)) == 0);
    fresh_path();
}

TEST(commit_after_a_second)
{
    /* A quiet sensor: one row, far below store.batch, becomes visible to
     * readers once a second of wall time has passed and the store ticks. */
    fresh_path();
    char err[256];
    struct store *s = store_open(dbpath, err, sizeof err);
    CHECK(s != NULL);
    int64_t run = store_begin_run(s, "sniff", "eth0", 0);
    struct flow f = test_flow(9);
    store_write_flow(s, run, &f, NULL);
    store_tick(s);
    CHECK_EQ_U(query_int("SELECT count(*) FROM flows"), 0);
    sleep_ms(1150);
    store_tick(s);
    /* Handed over at most an idle period (0.1 s) after the row came, then
     * committed a second after the writer began its batch. */
    CHECK_EQ_U(wait_query_int(s, "SELECT count(*) FROM flows", 1, 3000), 1);
    store_close(s);
}

/* A store with store.batch and store.queue set, counting into st. */
static struct store *open_with(const char *batch, const char *queue, struct stats *st)
{
    char err[256] = "";
    struct config *cfg = config_new();
    config_set(cfg, batch);
    config_set(cfg, queue);
    struct store *s = store_open(dbpath, err, sizeof err);
    if (s) {
        store_configure(s, cfg);
        store_set_stats(s, st);
    } else {
        fprintf(stderr, "  %s\n", err);
    }
    config_free(cfg);
    return s;
}

TEST(rows_visible_after_flush)
{
    /* A batch far from full and far from a second old: only the flush
     * commits it, and it has when store_flush returns. */
    fresh_path();
    struct stats st = {0};
    struct store *s = open_with("store.batch=1000000", "store.queue=100000", &st);
    CHECK(s != NULL);
    if (!s)
        return;
    int64_t run = store_begin_run(s, "analyze", "x", 0);
    CHECK_EQ_U(run, 1);
    CHECK_EQ_U(query_int("SELECT count(*) FROM runs"), 1); /* the run row is committed before it returns */
    for (uint64_t i = 1; i <= 10; i++) {
        struct flow f = test_flow(i);
        CHECK_EQ_U(store_write_flow(s, run, &f, "rtp"), TG_OK);
    }
    struct store_registration r = {
        .ts_ns = 1704164645ull * TG_NS_PER_SEC, .aor = "sip:alice@example.test", .call_id = "reg-1",
        .contact = NULL, .src = NULL, .sport = 0, .user_agent = "", .expires = -1, .result = 401,
    };
    CHECK_EQ_U(store_write_registration(s, run, &r), TG_OK);
    /* A record larger than a queue chunk gets a chunk of its own. */
    static uint8_t big[100000];
    memset(big, 'x', sizeof big);
    struct store_alert al = {.ts_ns = 1, .sid = 7, .proto = IPPROTO_NUM_TCP, .payload = big,
                             .payload_len = sizeof big};
    CHECK_EQ_U(store_write_alert(s, run, &al), TG_OK);
    struct flow f11 = test_flow(11);
    CHECK_EQ_U(store_write_flow(s, run, &f11, NULL), TG_OK);
    CHECK_EQ_U(query_int("SELECT count(*) FROM flows"), 0);
    store_flush(s);
    CHECK_EQ_U(query_int("SELECT count(*) FROM flows WHERE app_proto='rtp'"), 10);
    CHECK_EQ_U(query_int("SELECT count(*) FROM flows WHERE sensor_id IS NULL"), 11);
    CHECK_EQ_U(query_int("SELECT count(*) FROM registrations WHERE result=401 AND aor='sip:alice@example.test'"
                         " AND contact IS NULL AND src_ip IS NULL AND user_agent IS NULL AND expires IS NULL"
                         " AND ts='2024-01-02T03:04:05.000000Z'"), 1);
    CHECK_EQ_U(query_int("SELECT length(payload) FROM alerts WHERE sid=7 AND action='alert' AND src_ip IS NULL"),
               sizeof big);
    CHECK_EQ_U(query_int("SELECT count(*) FROM flows WHERE flow_id=11"), 1);
    CHECK_EQ_U(st.c[STAT_OUTPUT_DB_ROWS], 1 + 10 + 1 + 1 + 1);
    CHECK_EQ_U(st.c[STAT_OUTPUT_DB_QUEUE_FULL], 0);
    store_close(s);
}

TEST(queue_cap_waits_and_loses_nothing)
{
    /* Two rows of queue: the engine side waits for the writer over and
     * over, counts it, and every row lands. */
    fresh_path();
    struct stats st = {0};
    struct store *s = open_with("store.batch=3", "store.queue=2", &st);
    CHECK(s != NULL);
    if (!s)
        return;
    int64_t run = store_begin_run(s, "analyze", "x", 0);
    for (uint64_t i = 1; i <= 500; i++) {
        struct flow f = test_flow(i);
        CHECK_EQ_U(store_write_flow(s, run, &f, NULL), TG_OK);
    }
    store_flush(s);
    CHECK_EQ_U(query_int("SELECT count(*) FROM flows"), 500);
    CHECK_EQ_U(query_int("SELECT count(DISTINCT flow_id) FROM flows"), 500);
    CHECK_EQ_U(st.c[STAT_OUTPUT_DB_ROWS], 1 + 500);
    CHECK_EQ_U(st.c[STAT_OUTPUT_DB_ERRORS], 0);
    CHECK(st.c[STAT_OUTPUT_DB_QUEUE_FULL] > 0);
    fprintf(stderr, "  queue full %llu times in 500 rows\n", (unsigned long long)st.c[STAT_OUTPUT_DB_QUEUE_FULL]);
    store_close(s);
}

TEST(errors_counted_by_the_writer)
{
    /* Rows the database refuses: the writer counts each, the good rows
     * around them still land, the run goes on. */
    fresh_path();
    struct stats st = {0};
    struct store *s = open_with("store.batch=1", "store.queue=64", &st);
    CHECK(s != NULL);
    if (!s)
        return;
    int64_t run = store_begin_run(s, "analyze", "x", 0);
    reject_bad_runs();
    for (uint64_t i = 1; i <= 6; i++) {
        struct flow f = test_flow(i);
        CHECK_EQ_U(store_write_flow(s, i % 2 ? run : 1000 + (int64_t)i, &f, NULL), TG_OK);
    }
    store_flush(s);
    CHECK_EQ_U(st.c[STAT_OUTPUT_DB_ERRORS], 3);
    CHECK_EQ_U(st.c[STAT_OUTPUT_DB_ROWS], 1 + 3);
    CHECK_EQ_U(query_int("SELECT count(*) FROM flows"), 3);
    CHECK_EQ_U(query_int("SELECT sum(flow_id) FROM flows"), 1 + 3 + 5);
    /* The stats rows carry the counts as the engine saw them. */
    store_end_run(s, run, 0, &st);
    CHECK_EQ_U(query_int("SELECT value FROM stats WHERE name='output.db_errors'"), 3);
    /* As when the engine thread wrote them: db_rows counts the stats rows
     * written before its own (one per counter ahead of it in the list). */
    CHECK_EQ_U(query_int("SELECT value FROM stats WHERE name='output.db_rows'"), 1 + 3 + STAT_OUTPUT_DB_ROWS);
    CHECK_EQ_U(st.c[STAT_OUTPUT_DB_ROWS], 1 + 3 + STAT_MAX);
    store_close(s);
}

TEST(close_with_a_full_queue_loses_nothing)
{
    fresh_path();
    struct store *s = open_with("store.batch=1000000", "store.queue=1000000", NULL);
    CHECK(s != NULL);
    if (!s)
        return;
    CHECK_EQ_U(store_set_sensor_id(s, "a"), TG_OK);
    int64_t run = store_begin_run(s, "analyze", "x", 0);
    for (uint64_t i = 1; i <= 3000; i++) {
        struct flow f = test_flow(i);
        if (i == 2001)
            CHECK_EQ_U(store_set_sensor_id(s, "b"), TG_OK); /* in order with the rows */
        store_write_flow(s, run, &f, NULL);
    }
    store_close(s); /* no flush: close drains the queue */
    CHECK_EQ_U(query_int("SELECT count(*) FROM flows"), 3000);
    CHECK_EQ_U(query_int("SELECT count(*) FROM flows WHERE sensor_id='a' AND flow_id <= 2000"), 2000);
    CHECK_EQ_U(query_int("SELECT count(*) FROM flows WHERE sensor_id='b' AND flow_id > 2000"), 1000);
}

TEST(time_format)
{
    char b[48];
    store_format_time(1704164645ull * TG_NS_PER_SEC + 123456789ull, b, sizeof b);
    CHECK_STR(b, "2024-01-02T03:04:05.123456Z");
}

TEST(flow_rows_in_groups_refusals_counted_one_by_one)
{
    /* 60 flows in one chunk: three groups of 16 rows and 12 single rows.
     * Flows 5 and 20 are refused (their run ids trip the test trigger):
     * the groups they are in go again row by row, so exactly those two are
     * counted and lost and every other row lands, with its own values. */
    fresh_path();
    struct stats st = {0};
    struct store *s = open_with("store.batch=1000", "store.queue=1000", &st);
    CHECK(s != NULL);
    if (!s)
        return;
    int64_t run = store_begin_run(s, "analyze", "x", 0);
    reject_bad_runs();
    for (uint64_t i = 1; i <= 60; i++) {
        struct flow f = test_flow(i);
        f.pkts[0] = i * 3;
        f.addr[0].b[3] = (uint8_t)i;
        CHECK_EQ_U(store_write_flow(s, i == 5 || i == 20 ? 999 : run, &f, NULL), TG_OK);
    }
    store_flush(s);
    CHECK_EQ_U(st.c[STAT_OUTPUT_DB_ERRORS], 2);
    CHECK_EQ_U(st.c[STAT_OUTPUT_DB_ROWS], 1 + 58);
    CHECK_EQ_U(query_int("SELECT count(*) FROM flows"), 58);
    CHECK_EQ_U(query_int("SELECT count(*) FROM flows WHERE flow_id IN (5, 20)"), 0);
    CHECK_EQ_U(query_int("SELECT sum(flow_id) FROM flows"), 60 * 61 / 2 - 5 - 20);
    /* each row kept its own values: packets and client address per flow */
    CHECK_EQ_U(query_int("SELECT count(*) FROM flows WHERE pkts_toserver = flow_id * 3"
                         " AND src_ip = '198.18.0.' || flow_id AND dest_ip = '198.18.0.2'"
                         " AND start_time < end_time"), 58);
    /* the third group went in as one statement */
    CHECK_EQ_U(query_int("SELECT count(*) FROM flows WHERE flow_id BETWEEN 33 AND 48"), 16);
    store_close(s);
}

TEST(drain_checkpoints_while_the_writer_finishes)
{
    /* 20000 rows committed 100 at a time, then store_drain: it copies
     * committed pages into the database file on a second connection while
     * the writer is still inserting. Every row lands, the file is sound,
     * and after close the database needs no WAL. */
    fresh_path();
    struct stats st = {0};
    struct store *s = open_with("store.batch=100", "store.queue=32768", &st);
    CHECK(s != NULL);
    if (!s)
        return;
    int64_t run = store_begin_run(s, "analyze", "x", 0);
    for (uint64_t i = 1; i <= 20000; i++) {
        struct flow f = test_flow(i);
        CHECK_EQ_U(store_write_flow(s, run, &f, NULL), TG_OK);
    }
    store_drain(s);
    CHECK_EQ_U(st.c[STAT_OUTPUT_DB_ROWS], 1 + 20000);
    CHECK_EQ_U(st.c[STAT_OUTPUT_DB_ERRORS], 0);
    CHECK_EQ_U(query_int("SELECT count(*) FROM flows"), 20000);
    store_end_run(s, run, 0, &st);
    store_close(s);
    CHECK_STR(query_text("PRAGMA integrity_check"), "ok");
    CHECK_EQ_U(query_int("SELECT count(*) FROM flows"), 20000);
    char wal[80];
    snprintf(wal, sizeof wal, "%s-wal", dbpath);
    CHECK(access(wal, F_OK) != 0); /* checkpointed and removed at close */
}

TEST_MAIN(T(schema_creation), T(flows_alerts_stats_rows), T(reopen_appends_runs), T(migrate_from_v1),
          T(refuses_newer_schema_and_junk), T(commit_after_a_second), T(rows_visible_after_flush),
          T(queue_cap_waits_and_loses_nothing), T(errors_counted_by_the_writer),
          T(close_with_a_full_queue_loses_nothing), T(time_format), T(flow_rows_in_groups_refusals_counted_one_by_one),
          T(drain_checkpoints_while_the_writer_finishes))
