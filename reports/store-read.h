/* store-read.h - read-only queries on a tollgate.db, for tools (rules list,
 * reports) that must not take the writer's place. */
#ifndef TG_STORE_READ_H
#define TG_STORE_READ_H

#include "../sensor/common.h"

/* Called once per (gid, sid) with the alerts of the run. */
typedef void (*store_alert_count_fn)(void *arg, uint32_t gid, uint32_t sid, uint64_t alerts);

/* Alert counts per signature of the newest run in the database at path
 * (opened read-only). *run_id gets that run (0 when there is none).
 * TG_OK, or TG_ERROR with a message in err. */
int store_read_last_run_alerts(const char *path, int64_t *run_id, store_alert_count_fn fn, void *arg,
                               char *err, size_t errlen);

#endif
