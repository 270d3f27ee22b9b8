/* keyword-threshold.c - per-rule rate settings: threshold, detection_filter, rate_limit (tollgate) and schedule (tollgate). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "rule-keyword.h"

/* "type X, track Y, count N, seconds M" in any order; want_type for threshold. */
static int parse_rate(struct rule_kw_ctx *k, const char *arg, bool want_type, bool allow_flow,
                      struct rule_threshold *t)
{
    char buf[256];
    char *f[8];
    snprintf(buf, sizeof buf, "%s", arg);
    int n = rule_kw_split(buf, ',', f, 8);
    if (n < 0)
        return rule_kw_fail(k, "too many fields");
    bool have_count = false, have_secs = false;
    *t = (struct rule_threshold){.type = want_type ? RULE_THRESHOLD_NONE : RULE_THRESHOLD_THRESHOLD};
    for (int i = 0; i < n; i++) {
        char *key = f[i], *val = key;
        while (*val && !isspace((unsigned char)*val))
            val++;
        if (*val)
            *val++ = '\0';
        while (isspace((unsigned char)*val))
            val++;
        uint64_t v;
        if (strcmp(key, "type") == 0 && want_type) {
            static const char *const types[] = {"limit", "threshold", "both", "backoff", NULL};
            int ty = rule_kw_word(val, types);
            if (ty < 0)
                return rule_kw_fail(k, "type is limit, threshold, both or backoff, got '%.40s'", val);
            if (t->type != RULE_THRESHOLD_NONE)
                return rule_kw_fail(k, "type given twice");
            t->type = (enum rule_threshold_type)(ty + 1);
        } else if (strcmp(key, "track") == 0) {
            if (t->track != RULE_TRACK_NONE)
                return rule_kw_fail(k, "track given twice");
            if (strcmp(val, "by_src") == 0)
                t->track = RULE_TRACK_SRC;
            else if (strcmp(val, "by_dst") == 0)
                t->track = RULE_TRACK_DST;
            else if (strcmp(val, "by_rule") == 0)
                t->track = RULE_TRACK_RULE;
            else if (strcmp(val, "by_both") == 0)
                t->track = RULE_TRACK_BOTH;
            else if (strcmp(val, "by_flow") == 0 && allow_flow)
                t->track = RULE_TRACK_FLOW;
            else
                return rule_kw_fail(k, "track is by_src, by_dst, by_rule or by_both%s, got '%.40s'",
                                    allow_flow ? " or by_flow" : "", val);
        } else if (strcmp(key, "count") == 0) {
            if (have_count || !rule_kw_u64(val, UINT32_MAX, &v) || v == 0)
                return rule_kw_fail(k, "count must be given once, as a number above 0 (got '%.40s')", val);
            t->count = (uint32_t)v;
            have_count = true;
        } else if (strcmp(key, "seconds") == 0) {
            if (have_secs || !rule_kw_u64(val, UINT32_MAX, &v) || v == 0)
                return rule_kw_fail(k, "seconds must be given once, as a number above 0 (got '%.40s')", val);
            t->seconds = (uint32_t)v;
            have_secs = true;
        } else if (strcmp(key, "multiplier") == 0 && t->type == RULE_THRESHOLD_BACKOFF) {
            if (!rule_kw_u64(val, UINT32_MAX, &v) || v < 2)
                return rule_kw_fail(k, "bad multiplier '%.40s'", val);
            t->seconds = (uint32_t)v; /* backoff has a multiplier instead of seconds */
            have_secs = true;
        } else {
            return rule_kw_fail(k, "unknown field '%.40s'", key);
        }
    }
    if (want_type && t->type == RULE_THRESHOLD_NONE)
        return rule_kw_fail(k, "needs 'type limit|threshold|both'");
    if (t->track == RULE_TRACK_NONE)
        return rule_kw_fail(k, "needs 'track by_src|by_dst|...'");
    if (!have_count || !have_secs)
        return rule_kw_fail(k, "needs count and seconds");
    return TG_OK;
}

static int kw_threshold(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    struct rule_threshold *t = strcmp(name, "threshold") == 0 ? &k->r->threshold
                               : strcmp(name, "detection_filter") == 0 ? &k->r->detection_filter
                                                                       : &k->r->rate_limit;
    if (t->type != RULE_THRESHOLD_NONE)
        return rule_kw_fail(k, "given twice");
    /* Suricata allows one of the two: both would count the same events twice. */
    if ((t == &k->r->threshold && k->r->detection_filter.type != RULE_THRESHOLD_NONE) ||
        (t == &k->r->detection_filter && k->r->threshold.type != RULE_THRESHOLD_NONE))
        return rule_kw_fail(k, "threshold and detection_filter cannot be used in one rule");
    if (strcmp(name, "threshold") == 0)
        return parse_rate(k, arg, true, false, t);
    if (strcmp(name, "detection_filter") == 0)
        return parse_rate(k, arg, false, true, t);
    /* rate_limit: only per host, since it protects hosts. */
    if (parse_rate(k, arg, false, false, t) != TG_OK)
        return TG_ERROR;
    if (t->track != RULE_TRACK_SRC && t->track != RULE_TRACK_DST)
        return rule_kw_fail(k, "track is by_src or by_dst");
    return TG_OK;
}

static int day_index(const char *s)
{
    static const char *const days[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL};
    return rule_kw_word(s, days);
}

static bool hhmm(const char *s, uint16_t *min)
{
    unsigned h, m;
    int used = 0;
    if (sscanf(s, "%2u:%2u%n", &h, &m, &used) != 2 || s[used] || h > 24 || m > 59 || (h == 24 && m))
        return false;
    *min = (uint16_t)(h * 60 + m);
    return true;
}

static int kw_schedule(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)name;
    struct rule_schedule *s = &k->r->schedule;
    if (s->present)
        return rule_kw_fail(k, "given twice");
    char buf[256];
    char *f[16];
    snprintf(buf, sizeof buf, "%s", arg);
    int n = rule_kw_split(buf, ',', f, 16);
    if (n < 1)
        return rule_kw_fail(k, "too many items");
    uint8_t days = 0;
    for (int i = 0; i < n; i++) {
        char *it = f[i];
        for (char *p = it; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        char *dash = strchr(it, '-');
        if (strchr(it, ':')) {
            uint16_t a, b;
            if (!dash)
                return rule_kw_fail(k, "time range is HH:MM-HH:MM, got '%.40s'", it);
            *dash = '\0';
            if (!hhmm(it, &a) || !hhmm(dash + 1, &b) || a == b)
                return rule_kw_fail(k, "time range is HH:MM-HH:MM with two different times, got '%.20s-%.20s'", it,
                                    dash + 1);
            if (s->nranges == TG_ARRAY_LEN(s->start))
                return rule_kw_fail(k, "more than %zu time ranges", TG_ARRAY_LEN(s->start));
            s->start[s->nranges] = a;
            s->end[s->nranges] = b;
            s->nranges++;
        } else if (dash) {
            *dash = '\0';
            int a = day_index(it), b = day_index(dash + 1);
            if (a < 0 || b < 0)
                return rule_kw_fail(k, "day range is like mon-fri, got '%.20s-%.20s'", it, dash + 1);
            /* Ranges may wrap the week: fri-mon. */
            for (int d = a;; d = (d + 1) % 7) {
                days |= (uint8_t)(1u << d);
                if (d == b)
                    break;
            }
        } else if (strcmp(it, "weekdays") == 0) {
            days |= 0x3e;
        } else if (strcmp(it, "weekend") == 0) {
            days |= 0x41;
        } else {
            int d = day_index(it);
            if (d < 0)
                return rule_kw_fail(k, "expected a day (mon..sun), a day range or HH:MM-HH:MM, got '%.40s'", it);
            days |= (uint8_t)(1u << d);
        }
    }
    s->days = days ? days : 0x7f;
    s->present = true;
    return TG_OK;
}

const struct rule_keyword rule_kw_threshold[] = {
    {"threshold", RULE_KW_ARG_REQ, kw_threshold},
    {"detection_filter", RULE_KW_ARG_REQ, kw_threshold},
    {"rate_limit", RULE_KW_ARG_REQ, kw_threshold},
    {"schedule", RULE_KW_ARG_REQ, kw_schedule},
};
const size_t rule_kw_threshold_n = TG_ARRAY_LEN(rule_kw_threshold);
