/* threshold-config.c - parse and apply the threshold/suppress file. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "iplist.h"
#include "threshold-config.h"

enum tc_kind { TC_SUPPRESS, TC_EVENT_FILTER, TC_RATE_FILTER };

struct tc_entry {
    enum tc_kind kind;
    uint32_t gid, sid;
    struct threshold_spec spec;
    enum tc_action new_action;
    int track;                /* suppress: -1 none, TRACK_BY_SRC, TRACK_BY_DST, TRACK_BY_PAIR (either) */
    struct iplist *ips;       /* suppress ip list, or NULL */
};

struct threshold_config {
    struct tc_entry *v;
    size_t n, cap;
};

struct threshold_config *threshold_config_new(void)
{
    return calloc(1, sizeof(struct threshold_config));
}

void threshold_config_free(struct threshold_config *tc)
{
    if (!tc)
        return;
    for (size_t i = 0; i < tc->n; i++)
        iplist_free(tc->v[i].ips);
    free(tc->v);
    free(tc);
}

size_t threshold_config_count(const struct threshold_config *tc) { return tc->n; }

static int tc_fail(char *err, size_t errlen, const char *name, unsigned lineno, size_t col, const char *kw,
                   const char *msg)
{
    snprintf(err, errlen, "%s:%u:%zu: error: %s: %s", name, lineno, col, kw, msg);
    return TG_ERROR;
}

static bool parse_u32(const char *s, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (end == s || *end || errno || v > UINT32_MAX || *s == '-')
        return false;
    *out = (uint32_t)v;
    return true;
}

/* An entry that fails to parse is not kept: release what it holds. */
#define tc_entry_fail(e, err, errlen, name, lineno, col, kw, msg) \
    (iplist_free((e)->ips), (e)->ips = NULL, tc_fail(err, errlen, name, lineno, col, kw, msg))

int threshold_config_line(struct threshold_config *tc, const char *name, unsigned lineno, const char *line,
                          char *err, size_t errlen)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", line);
    char *hash = strchr(buf, '#');
    if (hash)
        *hash = '\0';
    char *s = buf;
    while (isspace((unsigned char)*s))
        s++;
    if (!*s)
        return TG_OK;
    size_t klen = strcspn(s, " \t");
    char kw[32];
    snprintf(kw, sizeof kw, "%.*s", (int)TG_MIN(klen, sizeof kw - 1), s);
    struct tc_entry e = {.track = -1, .gid = 1};
    if (!strcmp(kw, "suppress"))
        e.kind = TC_SUPPRESS;
    else if (!strcmp(kw, "event_filter") || !strcmp(kw, "threshold"))
        e.kind = TC_EVENT_FILTER;
    else if (!strcmp(kw, "rate_filter"))
        e.kind = TC_RATE_FILTER;
    else
        return tc_fail(err, errlen, name, lineno, (size_t)(s - buf) + 1, kw,
                       "expected suppress, event_filter, threshold or rate_filter");
    bool have_sid = false, have_type = false, have_count = false, have_seconds = false;
    bool have_track = false, have_action = false, have_timeout = false;
    char *p = s + klen;
    while (*p) {
        while (isspace((unsigned char)*p) || *p == ',')
            p++;
        if (!*p)
            break;
        char *key = p;
        size_t kl = strcspn(p, " \t,");
        char *val = p + kl;
        while (*val == ' ' || *val == '\t')
            val++;
        size_t col = (size_t)(key - buf) + 1;
        char k[32];
        snprintf(k, sizeof k, "%.*s", (int)TG_MIN(kl, sizeof k - 1), key);
        /* "ip" takes a list that may be bracketed: [a,b] */
        size_t vl;
        if (*val == '[') {
            char *close = strchr(val, ']');
            if (!close)
                return tc_entry_fail(&e, err, errlen, name, lineno, col, k, "unterminated [ list");
            vl = (size_t)(close - val) + 1;
        } else {
            vl = strcspn(val, ",");
        }
        char v[1024];
        snprintf(v, sizeof v, "%.*s", (int)TG_MIN(vl, sizeof v - 1), val);
        for (size_t n = strlen(v); n && isspace((unsigned char)v[n - 1]);)
            v[--n] = '\0';
        p = val + vl;
        if (!*v)
            return tc_entry_fail(&e, err, errlen, name, lineno, col, k, "missing value");
        if (!strcmp(k, "gen_id")) {
            if (!parse_u32(v, &e.gid))
                return tc_entry_fail(&e, err, errlen, name, lineno, col, k, "expected a number");
        } else if (!strcmp(k, "sig_id")) {
            if (!parse_u32(v, &e.sid))
                return tc_entry_fail(&e, err, errlen, name, lineno, col, k, "expected a number");
            have_sid = true;
        } else if (!strcmp(k, "type") && e.kind == TC_EVENT_FILTER) {
            if (!strcmp(v, "limit"))
                e.spec.type = THRESHOLD_LIMIT;
            else if (!strcmp(v, "threshold"))
                e.spec.type = THRESHOLD_THRESHOLD;
            else if (!strcmp(v, "both"))
                e.spec.type = THRESHOLD_BOTH;
            else
                return tc_entry_fail(&e, err, errlen, name, lineno, col, k, "expected limit, threshold or both");
            have_type = true;
        } else if (!strcmp(k, "track")) {
            int t = !strcmp(v, "by_src") ? TRACK_BY_SRC : !strcmp(v, "by_dst") ? TRACK_BY_DST
                  : !strcmp(v, "by_rule") ? TRACK_BY_RULE : !strcmp(v, "by_both") ? TRACK_BY_BOTH
                  : !strcmp(v, "by_either") ? TRACK_BY_PAIR : -1;
            if (t < 0 || (e.kind == TC_SUPPRESS && t != TRACK_BY_SRC && t != TRACK_BY_DST && t != TRACK_BY_PAIR))
                return tc_entry_fail(&e, err, errlen, name, lineno, col, k, "unknown track");
            e.track = t;
            e.spec.track = (uint8_t)t;
            have_track = true;
        } else if (!strcmp(k, "count") && e.kind != TC_SUPPRESS) {
            if (!parse_u32(v, &e.spec.count))
                return tc_entry_fail(&e, err, errlen, name, lineno, col, k, "expected a number");
            have_count = true;
        } else if (!strcmp(k, "seconds") && e.kind != TC_SUPPRESS) {
            if (!parse_u32(v, &e.spec.seconds))
                return tc_entry_fail(&e, err, errlen, name, lineno, col, k, "expected a number");
            have_seconds = true;
        } else if (!strcmp(k, "new_action") && e.kind == TC_RATE_FILTER) {
            e.new_action = !strcmp(v, "alert") ? TC_ACTION_ALERT : !strcmp(v, "drop") ? TC_ACTION_DROP
                         : !strcmp(v, "pass") ? TC_ACTION_PASS : !strcmp(v, "reject") ? TC_ACTION_REJECT
                         : (enum tc_action)-1;
            if ((int)e.new_action < 0)
                return tc_entry_fail(&e, err, errlen, name, lineno, col, k, "expected alert, drop, pass or reject");
            have_action = true;
        } else if (!strcmp(k, "timeout") && e.kind == TC_RATE_FILTER) {
            if (!parse_u32(v, &e.spec.timeout))
                return tc_entry_fail(&e, err, errlen, name, lineno, col, k, "expected a number");
            have_timeout = true;
        } else if (!strcmp(k, "ip") && e.kind == TC_SUPPRESS) {
            if (!e.ips && !(e.ips = iplist_new()))
                return tc_entry_fail(&e, err, errlen, name, lineno, col, k, "out of memory");
            char *list = v[0] == '[' ? v + 1 : v;
            char *close = strchr(list, ']');
            if (close)
                *close = '\0';
            for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
                while (isspace((unsigned char)*tok))
                    tok++;
                struct ip_addr a;
                unsigned prefix;
                if (iplist_parse_cidr(tok, &a, &prefix) != TG_OK || iplist_add(e.ips, &a, prefix) == TG_ERROR) {
                    return tc_entry_fail(&e, err, errlen, name, lineno, col, k, "not an address or CIDR block");
                }
            }
        } else {
            return tc_entry_fail(&e, err, errlen, name, lineno, col, k, "unknown option here");
        }
    }
    const char *missing = !have_sid ? "sig_id"
                        : e.kind == TC_EVENT_FILTER && !have_type ? "type"
                        : e.kind != TC_SUPPRESS && !have_track ? "track"
                        : e.kind != TC_SUPPRESS && !have_count ? "count"
                        : e.kind != TC_SUPPRESS && !have_seconds ? "seconds"
                        : e.kind == TC_RATE_FILTER && !have_action ? "new_action"
                        : e.kind == TC_RATE_FILTER && !have_timeout ? "timeout"
                        : e.kind == TC_SUPPRESS && e.ips && e.track < 0 ? "track"
                        : NULL;
    if (missing) {
        char msg[64];
        snprintf(msg, sizeof msg, "missing %s", missing);
        return tc_entry_fail(&e, err, errlen, name, lineno, (size_t)(s - buf) + 1, kw, msg);
    }
    if (e.kind == TC_RATE_FILTER)
        e.spec.type = THRESHOLD_RATE_FILTER;
    if (tc->n == tc->cap) {
        size_t ncap = tc->cap ? tc->cap * 2 : 16;
        struct tc_entry *nv = realloc(tc->v, ncap * sizeof *nv);
        if (!nv) {
            return tc_entry_fail(&e, err, errlen, name, lineno, 1, kw, "out of memory");
        }
        tc->v = nv;
        tc->cap = ncap;
    }
    tc->v[tc->n++] = e;
    return TG_OK;
}

int threshold_config_load(struct threshold_config *tc, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return TG_ERROR;
    }
    char line[4096];
    unsigned lineno = 0;
    int rc = TG_OK;
    while (rc == TG_OK && fgets(line, sizeof line, f))
        rc = threshold_config_line(tc, path, ++lineno, line, err, errlen);
    fclose(f);
    return rc;
}

static bool entry_applies(const struct tc_entry *e, uint32_t gid, uint32_t sid)
{
    return (e->gid == 0 || e->gid == gid) && (e->sid == 0 || e->sid == sid);
}

bool threshold_config_suppressed(const struct threshold_config *tc, uint32_t gid, uint32_t sid,
                                 const struct ip_addr *src, const struct ip_addr *dst)
{
    for (size_t i = 0; tc && i < tc->n; i++) {
        const struct tc_entry *e = &tc->v[i];
        if (e->kind != TC_SUPPRESS || !entry_applies(e, gid, sid))
            continue;
        if (!e->ips)
            return true;
        if ((e->track == TRACK_BY_SRC || e->track == TRACK_BY_PAIR) && iplist_contains(e->ips, src))
            return true;
        if ((e->track == TRACK_BY_DST || e->track == TRACK_BY_PAIR) && iplist_contains(e->ips, dst))
            return true;
    }
    return false;
}

bool threshold_config_apply(const struct threshold_config *tc, struct threshold_table *t, uint32_t gid,
                            uint32_t sid, const struct ip_addr *src, const struct ip_addr *dst,
                            uint64_t now_ns, enum tc_action *action)
{
    for (size_t i = 0; tc && i < tc->n; i++) {
        const struct tc_entry *e = &tc->v[i];
        if (e->kind == TC_SUPPRESS || !entry_applies(e, gid, sid))
            continue;
        /* Per-signature state even for sig_id 0 entries: key by the real sid,
         * with the entry index in the gid so two entries do not share. */
        uint32_t key_gid = gid ^ ((uint32_t)(i + 1) << 20);
        enum threshold_verdict v = threshold_check(t, key_gid, sid, &e->spec, src, dst, now_ns);
        if (e->kind == TC_EVENT_FILTER && v == THRESHOLD_SUPPRESS)
            return false;
        if (e->kind == TC_RATE_FILTER && v == THRESHOLD_NEW_ACTION)
            *action = e->new_action;
    }
    return true;
}
