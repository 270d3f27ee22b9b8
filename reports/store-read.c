/* store-read.c - read-only queries on a tollgate.db. */
#include <sqlite3.h>
#include <stdio.h>
#include "store-read.h"

int store_read_last_run_alerts(const char *path, int64_t *run_id, store_alert_count_fn fn, void *arg,
                               char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int rc = TG_ERROR;
    *run_id = 0;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, db ? sqlite3_errmsg(db) : "cannot open");
        goto out;
    }
    sqlite3_busy_timeout(db, 5000);
    if (sqlite3_prepare_v2(db, "SELECT max(id) FROM runs", -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
        goto out;
    }
    if (sqlite3_step(st) == SQLITE_ROW)
        *run_id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT gid, sid, count(*) FROM alerts WHERE run_id = ? GROUP BY gid, sid", -1,
                           &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
        goto out;
    }
    sqlite3_bind_int64(st, 1, *run_id);
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW)
        fn(arg, (uint32_t)sqlite3_column_int64(st, 0), (uint32_t)sqlite3_column_int64(st, 1),
           (uint64_t)sqlite3_column_int64(st, 2));
    if (s != SQLITE_DONE) {
        snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
        goto out;
    }
    rc = TG_OK;
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}
