/* config.h - the sensor configuration: "key = value" lines and --set overrides.
 *
 * Modules read their own keys when they are created (flow.memcap,
 * defrag.timeout, ...), so the config stays a flat dictionary and a module's
 * knobs are documented next to the module. Sizes accept k/m/g suffixes. */
#ifndef TG_CONFIG_H
#define TG_CONFIG_H

#include "common.h"

struct config;

/* Empty configuration; NULL only when out of memory. */
struct config *config_new(void);
void config_free(struct config *cfg);

/* Load a file. On error returns TG_ERROR and writes "FILE:LINE: message"
 * into err. Later keys override earlier ones. */
int config_load(struct config *cfg, const char *path, char *err, size_t errlen);
/* Apply one "key=value" override; TG_ERROR when it has no '='. */
int config_set(struct config *cfg, const char *kv);

/* Raw value or NULL. The string is owned by cfg. */
const char *config_get(const struct config *cfg, const char *key);
/* Integer value (k/m/g suffixes: 1024 multiples; s/ms for durations are
 * handled by config_get_duration_ns); def when the key is absent or bad. */
uint64_t config_get_u64(const struct config *cfg, const char *key, uint64_t def);
/* Duration in ns: "30", "30s", "500ms", "2m", "1h"; plain numbers are seconds. */
uint64_t config_get_duration_ns(const struct config *cfg, const char *key, uint64_t def_ns);
bool config_get_bool(const struct config *cfg, const char *key, bool def);
/* A typed getter that meets a value it cannot parse returns its default and
 * remembers "ORIGIN: KEY = 'VALUE' is not a size|duration|boolean ..." (ORIGIN
 * is FILE:LINE or --set); this returns the first such message, or NULL.
 * main checks it once the modules have read their keys (exit 2). The
 * string is owned by cfg. */
const char *config_error(const struct config *cfg);

/* Iterate: calls fn for each key starting with prefix, in file order. */
void config_each(const struct config *cfg, const char *prefix,
                 void (*fn)(const char *key, const char *value, void *arg), void *arg);

#endif
