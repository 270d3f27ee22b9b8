/* store.h - the SQLite store: flows, run statistics (and later alerts, calls,
 * registrations, p2p sessions).
 *
 * One writer, WAL journal, rows batched into transactions, bound parameters
 * only. The schema is versioned with PRAGMA user_version and migrated when
 * an older database is opened. */
#ifndef TG_STORE_H
#define TG_STORE_H

#include "../sensor/flow.h"

struct store;

/* Open or create the database at path. NULL on error with a message in err. */
struct store *store_open(const char *path, char *err, size_t errlen);
/* Commit what is pending and close. */
void store_close(struct store *s);

/* A run: one invocation of the sensor. Returns the run id (>0) or TG_ERROR. */
int64_t store_begin_run(struct store *s, const char *mode, const char *inputs, uint64_t start_ns);
void store_end_run(struct store *s, int64_t run_id, uint64_t end_ns, const struct stats *st);

/* One ended flow. app_proto may be NULL. TG_OK or TG_ERROR (counted). */
int store_write_flow(struct store *s, int64_t run_id, const struct flow *f, const char *app_proto);

/* Commit the open batch now (also happens every store.batch rows). */
void store_flush(struct store *s);

/* Current schema version written by this build. */
int store_schema_version(void);

#endif
