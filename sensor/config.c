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
    char *origin; /* "FILE:LINE" or "--set", for messages about the value */
};

struct config {
    struct config_entry *v;
    size_t n, cap;
    /* First value a typed getter could not parse. Getters take a const
     * config (modules only read it), yet a bad value must reach main as a
     * usage error rather than silently becoming the default: this field is
     * the one thing a getter writes. */
    char *bad;
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
        free(cfg->v[i].origin);
    }
    free(cfg->v);
    free(cfg->bad);
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

static int config_put(struct config *cfg, const char *key, const char *value, const char *origin)
{
    char *nv = strdup(value), *no = strdup(origin);
    if (!nv || !no) {
        free(nv);
        free(no);
        return TG_ERROR;
    }
    for (size_t i = 0; i < cfg->n; i++) {
        if (strcmp(cfg->v[i].key, key) == 0) {
            free(cfg->v[i].value);
            free(cfg->v[i].origin);
            cfg->v[i].value = nv;
            cfg->v[i].origin = no;
            return TG_OK;
        }
    }
    if (cfg->n == cfg->cap) {
        size_t ncap = cfg->cap ? cfg->cap * 2 : 16;
        struct config_entry *ne = realloc(cfg->v, ncap * sizeof(*ne));
        if (!ne) {
            free(nv);
            free(no);
            return TG_ERROR;
        }
        cfg->v = ne;
        cfg->cap = ncap;
    }
    char *nk = strdup(key);
    if (!nk) {
        free(nv);
        free(no);
        return TG_ERROR;
    }
    cfg->v[cfg->n++] = (struct config_entry){nk, nv, no};
    return TG_OK;
}

/* The entry of key, or NULL. */
static const struct config_entry *config_entry_of(const struct config *cfg, const char *key)
{
    for (size_t i = 0; cfg && i < cfg->n; i++)
        if (strcmp(cfg->v[i].key, key) == 0)
            return &cfg->v[i];
    return NULL;
}

/* Remember the first value that is not of the type its reader wants. */
static void config_note_bad(const struct config *cfg, const struct config_entry *e, const char *want)
{
    struct config *mut = (struct config *)cfg; /* see struct config */
    if (mut->bad)
        return;
    char buf[512];
    snprintf(buf, sizeof buf, "%s: %s = '%.100s' is not %s", e->origin, e->key, e->value, want);
    mut->bad = strdup(buf);
}

const char *config_error(const struct config *cfg)
{
    return cfg ? cfg->bad : NULL;
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
        char origin[4200];
        snprintf(origin, sizeof origin, "%s:%u", path, lineno);
        if (config_put(cfg, k, v, origin) != TG_OK) {
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
    return config_put(cfg, k, v, "--set");
}

const char *config_get(const struct config *cfg, const char *key)
{
    const struct config_entry *e = config_entry_of(cfg, key);
    return e ? e->value : NULL;
}

#define CONFIG_WANT_SIZE "a size (a number with an optional k, m or g)"
#define CONFIG_WANT_DURATION "a duration (a number with an optional ms, s, m or h)"
#define CONFIG_WANT_BOOL "a boolean (yes/no, true/false, on/off, 1/0)"

uint64_t config_get_u64(const struct config *cfg, const char *key, uint64_t def)
{
    const struct config_entry *e = config_entry_of(cfg, key);
    if (!e)
        return def;
    const char *s = e->value;
    if (!isdigit((unsigned char)*s)) {
        config_note_bad(cfg, e, CONFIG_WANT_SIZE);
        return def;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno) {
        config_note_bad(cfg, e, CONFIG_WANT_SIZE);
        return def;
    }
    unsigned shift = 0;
    switch (tolower((unsigned char)*end)) {
    case 'k': shift = 10; end++; break;
    case 'm': shift = 20; end++; break;
    case 'g': shift = 30; end++; break;
    default: break;
    }
    if (shift && tolower((unsigned char)*end) == 'b')
        end++;
    if (*end || (shift && v > (UINT64_MAX >> shift))) {
        /* junk after the number, or it would overflow */
        config_note_bad(cfg, e, CONFIG_WANT_SIZE);
        return def;
    }
    return (uint64_t)v << shift;
}

uint64_t config_get_duration_ns(const struct config *cfg, const char *key, uint64_t def_ns)
{
    const struct config_entry *e = config_entry_of(cfg, key);
    if (!e)
        return def_ns;
    const char *s = e->value;
    if (!isdigit((unsigned char)*s)) {
        config_note_bad(cfg, e, CONFIG_WANT_DURATION);
        return def_ns;
    }
    char *end;
    double v = strtod(s, &end);
    uint64_t mul = TG_NS_PER_SEC;
    if (strcmp(end, "ms") == 0)
        mul = 1000000ULL;
    else if (strcmp(end, "m") == 0)
        mul = 60 * TG_NS_PER_SEC;
    else if (strcmp(end, "h") == 0)
        mul = 3600 * TG_NS_PER_SEC;
    else if (*end && strcmp(end, "s") != 0) {
        config_note_bad(cfg, e, CONFIG_WANT_DURATION);
        return def_ns;
    }
    double ns = v * (double)mul;
    /* Saturate: "a very long time" must not wrap into a short one. */
    return ns >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)ns;
}

bool config_get_bool(const struct config *cfg, const char *key, bool def)
{
    const struct config_entry *e = config_entry_of(cfg, key);
    if (!e)
        return def;
    const char *s = e->value;
    if (!strcasecmp(s, "yes") || !strcasecmp(s, "true") || !strcmp(s, "1") || !strcasecmp(s, "on"))
        return true;
    if (!strcasecmp(s, "no") || !strcasecmp(s, "false") || !strcmp(s, "0") || !strcasecmp(s, "off"))
        return false;
    config_note_bad(cfg, e, CONFIG_WANT_BOOL);
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
