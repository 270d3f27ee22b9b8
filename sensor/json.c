/* json.c - JSON text builder with strict escaping (see json.h). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "json.h"

void json_init(struct json *j)
{
    memset(j, 0, sizeof *j);
}

void json_free(struct json *j)
{
    free(j->buf);
    memset(j, 0, sizeof *j);
}

void json_reset(struct json *j)
{
    j->len = 0;
    j->depth = 0;
    j->oom = false;
    memset(j->need_comma, 0, sizeof j->need_comma);
    if (j->buf)
        j->buf[0] = '\0';
}

/* Make room for n more bytes and the NUL; false (and the record marked bad)
 * when memory runs out. */
static bool json_grow(struct json *j, size_t n)
{
    if (j->oom)
        return false;
    if (j->len + n + 1 <= j->cap)
        return true;
    size_t ncap = j->cap ? j->cap : 512;
    while (ncap < j->len + n + 1)
        ncap *= 2;
    char *nb = realloc(j->buf, ncap);
    if (!nb) {
        j->oom = true;
        return false;
    }
    j->buf = nb;
    j->cap = ncap;
    return true;
}

static void json_put(struct json *j, const char *s, size_t n)
{
    if (!json_grow(j, n))
        return;
    memcpy(j->buf + j->len, s, n);
    j->len += n;
    j->buf[j->len] = '\0';
}

static void json_puts(struct json *j, const char *s)
{
    json_put(j, s, strlen(s));
}

/* Length of a well-formed UTF-8 sequence at s, or 0 (RFC 3629 section 4:
 * no overlong forms, no surrogates U+D800..U+DFFF, nothing above U+10FFFF;
 * the second byte's range depends on the first). */
static size_t utf8_len(const uint8_t *s, size_t n)
{
    size_t need;
    uint8_t lo = 0x80, hi = 0xbf;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        need = 2;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        need = 3;
        if (s[0] == 0xe0)
            lo = 0xa0; /* overlong */
        else if (s[0] == 0xed)
            hi = 0x9f; /* surrogates */
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        need = 4;
        if (s[0] == 0xf0)
            lo = 0x90; /* overlong */
        else if (s[0] == 0xf4)
            hi = 0x8f; /* above U+10FFFF */
    } else {
        return 0;
    }
    if (n < need || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < need; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return need;
}

/* Bytes that are copied as they are: printable ASCII but '"' and '\\'
 * (a table: one load per byte of every key and value written). */
#define JSON_P8(x) x, x, x, x, x, x, x, x
static const bool json_plain_tab[256] = {
    JSON_P8(0), JSON_P8(0), JSON_P8(0), JSON_P8(0),                     /* 0x00-0x1f */
    1, 1, 0, 1, 1, 1, 1, 1, JSON_P8(1), JSON_P8(1), JSON_P8(1),         /* 0x20-0x3f, '"' */
    JSON_P8(1), JSON_P8(1), JSON_P8(1), 1, 1, 1, 1, 0, 1, 1, 1,         /* 0x40-0x5f, '\\' */
    JSON_P8(1), JSON_P8(1), JSON_P8(1), 1, 1, 1, 1, 1, 1, 1, 0,         /* 0x60-0x7f, DEL */
};
#undef JSON_P8
static bool json_plain(uint8_t c) { return json_plain_tab[c]; }

static void json_escaped(struct json *j, const uint8_t *s, size_t n)
{
    /* Room for the worst case (every byte as \u00XX) up front, then write in
     * place: one capacity check per string instead of one per run. */
    if (n > (SIZE_MAX - 16) / 6) {
        j->oom = true;
        return;
    }
    if (!json_grow(j, n * 6 + 2))
        return;
    static const char hex[] = "0123456789abcdef";
    char *o = j->buf + j->len;
    *o++ = '"';
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (json_plain(c)) {
            size_t k = i + 1;
            while (k < n && json_plain(s[k]))
                k++;
            memcpy(o, s + i, k - i);
            o += k - i;
            i = k;
        } else if (c == '"' || c == '\\') {
            *o++ = '\\';
            *o++ = (char)c;
            i++;
        } else if (c == '\n') {
            *o++ = '\\';
            *o++ = 'n';
            i++;
        } else if (c == '\r') {
            *o++ = '\\';
            *o++ = 'r';
            i++;
        } else if (c == '\t') {
            *o++ = '\\';
            *o++ = 't';
            i++;
        } else {
            size_t u = c >= 0x80 ? utf8_len(s + i, n - i) : 0;
            if (u) {
                memcpy(o, s + i, u);
                o += u;
                i += u;
            } else {
                /* control, DEL or a byte of no well-formed UTF-8 sequence */
                memcpy(o, "\\u00", 4);
                o[4] = hex[c >> 4];
                o[5] = hex[c & 15];
                o += 6;
                i++;
            }
        }
    }
    *o++ = '"';
    *o = '\0';
    j->len = (size_t)(o - j->buf);
}

static void json_key(struct json *j, const char *key)
{
    bool comma = false;
    if (j->depth > 0 && j->depth < 32) {
        comma = j->need_comma[j->depth];
        j->need_comma[j->depth] = true;
    }
    if (key) {
        /* Keys are short literals without bytes to escape: write the comma,
         * the quoted key and the colon with one capacity check (every member
         * of every record passes here). Anything else takes the general
         * path, which writes the same bytes. */
        size_t n = strlen(key), i = 0;
        if (n <= 64 && json_grow(j, n + 4)) {
            while (i < n && json_plain((uint8_t)key[i]))
                i++;
            if (i == n) {
                char *o = j->buf + j->len;
                if (comma)
                    *o++ = ',';
                *o++ = '"';
                memcpy(o, key, n);
                o += n;
                *o++ = '"';
                *o++ = ':';
                *o = '\0';
                j->len = (size_t)(o - j->buf);
                return;
            }
        }
        if (comma)
            json_put(j, ",", 1);
        json_escaped(j, (const uint8_t *)key, n);
        json_put(j, ":", 1);
        return;
    }
    if (comma)
        json_put(j, ",", 1);
}

static void json_open(struct json *j, const char *key, const char *br)
{
    json_key(j, key);
    json_puts(j, br);
    if (j->depth >= JSON_MAX_DEPTH - 1) {
        /* Comma tracking would go wrong past this depth; records are far
         * shallower, so this is a bug in the caller: mark the record bad. */
        j->oom = true;
        return;
    }
    j->depth++;
    j->need_comma[j->depth] = false;
}

static void json_close(struct json *j, const char *br)
{
    json_puts(j, br);
    if (j->depth > 0)
        j->depth--;
    else
        j->oom = true; /* unbalanced close */
}

void json_open_object(struct json *j, const char *key) { json_open(j, key, "{"); }
void json_close_object(struct json *j) { json_close(j, "}"); }
void json_open_array(struct json *j, const char *key) { json_open(j, key, "["); }
void json_close_array(struct json *j) { json_close(j, "]"); }

void json_str(struct json *j, const char *key, const char *s)
{
    json_key(j, key);
    json_escaped(j, (const uint8_t *)s, strlen(s));
}

void json_strn(struct json *j, const char *key, const uint8_t *s, size_t n)
{
    json_key(j, key);
    json_escaped(j, s, n);
}

/* Decimal digits of v ending just before end; returns where they start.
 * Every flow and stats record is mostly numbers, and snprintf's format
 * interpretation was a tenth of the output cost. */
static char *json_digits(char *end, uint64_t v)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

void json_u64(struct json *j, const char *key, uint64_t v)
{
    char b[24];
    json_key(j, key);
    char *d = json_digits(b + sizeof b, v);
    json_put(j, d, (size_t)(b + sizeof b - d));
}

void json_i64(struct json *j, const char *key, int64_t v)
{
    char b[24];
    json_key(j, key);
    /* The magnitude in unsigned arithmetic, so INT64_MIN has one too. */
    char *d = json_digits(b + sizeof b, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
    if (v < 0)
        *--d = '-';
    json_put(j, d, (size_t)(b + sizeof b - d));
}

/* v written as "%.15g" writes it, when v is the double nearest to k/1000
 * for an integer |k| < 10^12 (every duration, jitter and rate in call and
 * flow records is rounded so): then the decimal k/1000 has at most 15
 * significant digits and v differs from it by less than half a unit of
 * the 15th, so "%.15g" prints exactly its digits (trailing zeros dropped,
 * no exponent since 0.001 <= |v| < 10^9) and they read back as v. False
 * (nothing written) for every other value, -0.0 included. */
static bool json_thousandths(double v, char *buf, size_t cap)
{
    if (!(v > -1e9 && v < 1e9) || (v == 0 && signbit(v)) || cap < 32)
        return false;
    double t = v * 1000.0;
    int64_t k = (int64_t)(t < 0 ? t - 0.5 : t + 0.5);
    if ((double)k / 1000.0 != v)
        return false;
    uint64_t a = k < 0 ? 0 - (uint64_t)k : (uint64_t)k;
    char tmp[32], *end = tmp + sizeof tmp, *d = end;
    unsigned frac = (unsigned)(a % 1000);
    if (frac) {
        char f[3] = {(char)('0' + frac / 100), (char)('0' + frac / 10 % 10), (char)('0' + frac % 10)};
        size_t fl = 3;
        while (f[fl - 1] == '0')
            fl--;
        d -= fl;
        memcpy(d, f, fl);
        *--d = '.';
    }
    d = json_digits(d, a / 1000);
    if (k < 0)
        *--d = '-';
    size_t n = (size_t)(end - d);
    memcpy(buf, d, n);
    buf[n] = '\0';
    return true;
}

void json_double(struct json *j, const char *key, double v)
{
    char b[64];
    json_key(j, key);
    if (v != v || v > 1e300 || v < -1e300) {
        snprintf(b, sizeof b, "null");
    } else if (json_thousandths(v, b, sizeof b)) {
        json_puts(j, b);
        return;
    } else {
        /* Shortest of 15 or 17 digits that reads back as the same double. */
        snprintf(b, sizeof b, "%.15g", v);
        if (strtod(b, NULL) != v)
            snprintf(b, sizeof b, "%.17g", v);
    }
    json_puts(j, b);
}

void json_bool(struct json *j, const char *key, bool v)
{
    json_key(j, key);
    json_puts(j, v ? "true" : "false");
}

void json_null(struct json *j, const char *key)
{
    json_key(j, key);
    json_puts(j, "null");
}

/* Seconds formatted lately by this thread, direct-mapped by the low bits:
 * records come roughly in time order (a flow record carries its start and
 * its end second), so gmtime_r and strftime run about once per second of
 * traffic, not once per timestamp. */
#define JSON_TIME_CACHE 8
struct json_time_entry {
    bool valid;
    time_t sec;
    char base[32];
    size_t base_len;
};
static _Thread_local struct json_time_entry json_time_cache[JSON_TIME_CACHE];

void json_format_time(uint64_t ts_ns, char *buf, size_t len)
{
    time_t sec = (time_t)(ts_ns / TG_NS_PER_SEC);
    unsigned usec = (unsigned)((ts_ns % TG_NS_PER_SEC) / 1000);
    struct json_time_entry *e = &json_time_cache[(uint64_t)sec % JSON_TIME_CACHE];
    if (!e->valid || e->sec != sec) {
        struct tm tm;
        gmtime_r(&sec, &tm);
        e->base_len = strftime(e->base, sizeof e->base, "%Y-%m-%dT%H:%M:%S", &tm);
        e->base[e->base_len] = '\0';
        e->sec = sec;
        e->valid = true;
    }
    /* base, '.', six digits, "+0000" and the NUL */
    size_t need = e->base_len + 1 + 6 + 5 + 1;
    if (len < need) {
        snprintf(buf, len, "%s.%06u+0000", e->base, usec);
        return;
    }
    char *o = buf;
    memcpy(o, e->base, e->base_len);
    o += e->base_len;
    *o++ = '.';
    for (int k = 5; k >= 0; k--) {
        o[k] = (char)('0' + usec % 10);
        usec /= 10;
    }
    memcpy(o + 6, "+0000", 6);
}

void json_time(struct json *j, const char *key, uint64_t ts_ns)
{
    char b[48];
    json_format_time(ts_ns, b, sizeof b);
    /* digits, '-', ':', 'T', '.', '+': nothing to escape, so the quoted
     * text is what json_str writes, with one capacity check */
    size_t n = strlen(b), i = 0;
    while (i < n && json_plain((uint8_t)b[i]))
        i++;
    if (i < n) {
        json_str(j, key, b);
        return;
    }
    json_key(j, key);
    if (!json_grow(j, n + 2))
        return;
    char *o = j->buf + j->len;
    *o++ = '"';
    memcpy(o, b, n);
    o += n;
    *o++ = '"';
    *o = '\0';
    j->len = (size_t)(o - j->buf);
}
