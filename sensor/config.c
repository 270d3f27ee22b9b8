/* config.c - flat key/value configuration loaded from a file and --set. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "config.h"

struct config_entry {
    char *key;
    char *value;
};

struct config {
    struct config_entry *v;
    size_t n, cap;
};

struct config *config_new(void)
{
    return calloc(1, sizeof(struct config));
}

void config_free(struct config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->n; i++) {
        free(cfg->v[i].key);
        free(cfg->v[i].value);
    }
    free(cfg->v);
    free(cfg);
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static int config_put(struct config *cfg, const char *key, const char *value)
{
    for (size_t i = 0; i < cfg->n; i++) {
        if (strcmp(cfg->v[i].key, key) == 0) {
            char *nv = strdup(value);
            if (!nv)
                return TG_ERROR;
            free(cfg->v[i].value);
            cfg->v[i].value = nv;
            return TG_OK;
        }
    }
    if (cfg->n == cfg->cap) {
        size_t ncap = cfg->cap ? cfg->cap * 2 : 16;
        struct config_entry *nv = realloc(cfg->v, ncap * sizeof(*nv));
        if (!nv)
            return TG_ERROR;
        cfg->v = nv;
        cfg->cap = ncap;
    }
    cfg->v[cfg->n].key = strdup(key);
    cfg->v[cfg->n].value = strdup(value);
    if (!cfg->v[cfg->n].key || !cfg->v[cfg->n].value) {
        free(cfg->v[cfg->n].key);
        free(cfg->v[cfg->n].value);
        return TG_ERROR;
    }
    cfg->n++;
    return TG_OK;
}

/* Cut a line at its comment: '#' starts one unless it is inside a quoted
 * value. Returns false when a quote is left open. */
static bool strip_comment(char *line)
{
    bool quoted = false;
    for (char *c = line; *c; c++) {
        if (*c == '"')
            quoted = !quoted;
        else if (*c == '#' && !quoted) {
            *c = '\0';
            break;
        }
    }
    return !quoted;
}

/* Split "key = value" in place. A value in double quotes keeps '#' and
 * edge spaces; there are no escapes inside quotes. */
static int split_kv(char *line, char **key, char **value)
{
    char *eq = strchr(line, '=');
    if (!eq)
        return TG_ERROR;
    *eq = '\0';
    *key = trim(line);
    *value = trim(eq + 1);
    size_t vl = strlen(*value);
    if (vl >= 2 && (*value)[0] == '"' && (*value)[vl - 1] == '"') {
        (*value)[vl - 1] = '\0';
        (*value)++;
    }
    if (!**key || strpbrk(*key, " \t\"") != NULL)
        return TG_ERROR;
    return TG_OK;
}

int config_load(struct config *cfg, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return TG_ERROR;
    }
    char line[4096];
    unsigned lineno = 0;
    int rc = TG_OK;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n' && !feof(f)) {
            snprintf(err, errlen, "%s:%u: line longer than %zu bytes", path, lineno, sizeof line - 2);
            rc = TG_ERROR;
            break;
        }
        if (!strip_comment(line)) {
            snprintf(err, errlen, "%s:%u: unterminated quote", path, lineno);
            rc = TG_ERROR;
            break;
        }
        char *s = trim(line);
        if (!*s)
            continue;
        char *k, *v;
        if (split_kv(s, &k, &v) != TG_OK) {
            snprintf(err, errlen, "%s:%u: expected 'key = value', got '%.60s'", path, lineno, s);
            rc = TG_ERROR;
            break;
        }
        if (config_put(cfg, k, v) != TG_OK) {
            snprintf(err, errlen, "%s:%u: out of memory", path, lineno);
            rc = TG_ERROR;
            break;
        }
    }
    if (rc == TG_OK && ferror(f)) {
        snprintf(err, errlen, "%s:%u: %s", path, lineno + 1, strerror(errno));
        rc = TG_ERROR;
    }
    fclose(f);
    return rc;
}

int config_set(struct config *cfg, const char *kv)
{
    char buf[4096];
    if (strlen(kv) >= sizeof buf)
        return TG_ERROR;
    strcpy(buf, kv);
    char *k, *v;
    if (split_kv(buf, &k, &v) != TG_OK)
        return TG_ERROR;
    return config_put(cfg, k, v);
}

const char *config_get(const struct config *cfg, const char *key)
{
    if (!cfg)
        return NULL;
    for (size_t i = 0; i < cfg->n; i++)
        if (strcmp(cfg->v[i].key, key) == 0)
            return cfg->v[i].value;
    return NULL;
}

uint64_t config_get_u64(const struct config *cfg, const char *key, uint64_t def)
{
    const char *s = config_get(cfg, key);
    if (!s || !isdigit((unsigned char)*s))
        return def;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return def;
    unsigned shift = 0;
    switch (tolower((unsigned char)*end)) {
    case 'k': shift = 10; end++; break;
    case 'm': shift = 20; end++; break;
    case 'g': shift = 30; end++; break;
    default: break;
    }
    if (shift && tolower((unsigned char)*end) == 'b')
        end++;
    if (*end || (shift && v > (UINT64_MAX >> shift)))
        return def; /* junk after the number, or it would overflow */
    return (uint64_t)v << shift;
}

uint64_t config_get_duration_ns(const struct config *cfg, const char *key, uint64_t def_ns)
{
    const char *s = config_get(cfg, key);
    if (!s || !isdigit((unsigned char)*s))
        return def_ns;
    char *end;
    double v = strtod(s, &end);
    uint64_t mul = TG_NS_PER_SEC;
    if (strcmp(end, "ms") == 0)
        mul = 1000000ULL;
    else if (strcmp(end, "m") == 0)
        mul = 60 * TG_NS_PER_SEC;
    else if (strcmp(end, "h") == 0)
        mul = 3600 * TG_NS_PER_SEC;
    else if (*end && strcmp(end, "s") != 0)
        return def_ns;
    double ns = v * (double)mul;
    /* Saturate: "a very long time" must not wrap into a short one. */
    return ns >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)ns;
}

bool config_get_bool(const struct config *cfg, const char *key, bool def)
{
    const char *s = config_get(cfg, key);
    if (!s)
        return def;
    if (!strcasecmp(s, "yes") || !strcasecmp(s, "true") || !strcmp(s, "1") || !strcasecmp(s, "on"))
        return true;
    if (!strcasecmp(s, "no") || !strcasecmp(s, "false") || !strcmp(s, "0") || !strcasecmp(s, "off"))
        return false;
    return def;
}

void config_each(const struct config *cfg, const char *prefix,
                 void (*fn)(const char *key, const char *value, void *arg), void *arg)
{
    size_t pl = strlen(prefix);
    for (size_t i = 0; cfg && i < cfg->n; i++)
        if (strncmp(cfg->v[i].key, prefix, pl) == 0)
            fn(cfg->v[i].key, cfg->v[i].value, arg);
}
