/* json.h - append-only JSON text builder for EVE records.
 *
 * The builder grows a heap buffer; every string goes through RFC 8259
 * escaping so packet bytes (binary, invalid UTF-8) always give valid JSON:
 * well-formed UTF-8 is kept, every other byte >= 0x80 becomes \u00XX (its
 * Latin-1 reading, so no byte is lost), control characters and DEL become
 * \n, \r, \t or \u00XX. Nesting deeper than JSON_MAX_DEPTH-1 or a close
 * without an open sets `oom` (the record is dropped, never written broken). */
#ifndef TG_JSON_H
#define TG_JSON_H

#include "common.h"

#define JSON_MAX_DEPTH 32

struct json {
    char *buf;
    size_t len, cap;
    bool oom;      /* allocation failed or nesting went wrong: the record is bad, drop it */
    bool need_comma[JSON_MAX_DEPTH];
    int depth;
};

void json_init(struct json *j);
void json_free(struct json *j);
void json_reset(struct json *j);

void json_open_object(struct json *j, const char *key); /* key NULL at top or in an array */
void json_close_object(struct json *j);
void json_open_array(struct json *j, const char *key);
void json_close_array(struct json *j);
void json_str(struct json *j, const char *key, const char *s);
void json_strn(struct json *j, const char *key, const uint8_t *s, size_t n);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_i64(struct json *j, const char *key, int64_t v);
void json_double(struct json *j, const char *key, double v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
/* ISO 8601 with microseconds and offset, as EVE writes: 2024-01-02T03:04:05.123456+0000 */
void json_time(struct json *j, const char *key, uint64_t ts_ns);
/* Format ts_ns like json_time into buf (at least 40 bytes). */
void json_format_time(uint64_t ts_ns, char *buf, size_t len);

#endif
