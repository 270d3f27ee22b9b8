/* report-data.c - gather the report from one or several tollgate.db files.
 *
 * Every database is ATTACHed read-only to an in-memory one and the tables
 * each has are unioned in TEMP views (all_calls, all_alerts, ...), so the
 * queries below read every sensor at once. A database without a table
 * (older schema, no calls seen) simply contributes no rows. */
#include <ctype.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"

int report_parse_time(const char *in, char *out, size_t len)
{
    size_t n = strlen(in);
    if (n < 10 || n + 1 > len || !isdigit((unsigned char)in[0]) || in[4] != '-' || in[7] != '-')
        return TG_ERROR;
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if (!(isdigit((unsigned char)c) || c == '-' || c == ':' || c == ' ' || c == 'T' || c == '.' || c == 'Z'))
            return TG_ERROR;
        out[i] = c == ' ' ? 'T' : c;
    }
    out[n] = '\0';
    return TG_OK;
}

static void copy_col(sqlite3_stmt *st, int col, char *dst, size_t len)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(dst, len, "%s", t ? (const char *)t : "");
}

/* Does schema sN have table name? */
static bool has_table(sqlite3 *db, int n, const char *name)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT 1 FROM s%d.sqlite_master WHERE type='table' AND name=?", n);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    bool yes = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return yes;
}

/* CREATE TEMP VIEW all_NAME AS the union of cols FROM every sN.NAME; an
 * empty view when no database has the table. */
static int make_view(sqlite3 *db, size_t ndbs, const char *name, const char *cols, bool *any)
{
    char sql[8192];
    size_t off = (size_t)snprintf(sql, sizeof sql, "CREATE TEMP VIEW all_%s AS ", name);
    int parts = 0;
    for (size_t i = 0; i < ndbs; i++) {
        if (!has_table(db, (int)i, name))
            continue;
        off += (size_t)snprintf(sql + off, sizeof sql - off, "%sSELECT %s FROM s%zu.%s", parts ? " UNION ALL " : "",
                                cols, i, name);
        parts++;
    }
    if (!parts) {
        /* the same columns, no rows */
        off += (size_t)snprintf(sql + off, sizeof sql - off, "SELECT * FROM (SELECT ");
        const char *c = cols;
        int k = 0;
        while (*c) {
            size_t l = strcspn(c, ",");
            off += (size_t)snprintf(sql + off, sizeof sql - off, "%sNULL AS %.*s", k++ ? ", " : "", (int)l, c);
            c += l;
            while (*c == ',' || *c == ' ')
                c++;
        }
        off += (size_t)snprintf(sql + off, sizeof sql - off, ") WHERE 0");
    }
    if (any)
        *any = parts > 0;
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? TG_OK : TG_ERROR;
}

static void bind_range(sqlite3_stmt *st, const struct report_opts *o)
{
    sqlite3_bind_text(st, 1, o->from[0] ? o->from : "0000", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, o->to[0] ? o->to : "9999", -1, SQLITE_STATIC);
}

static sqlite3_stmt *prep(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "report query failed: %s", sqlite3_errmsg(db));
        return NULL;
    }
    return st;
}

/* A query over the report's time range (?1, ?2) and row limit (?3). */
static sqlite3_stmt *prep_table(sqlite3 *db, const struct report *r, const char *sql, char *err, size_t errlen)
{
    sqlite3_stmt *st = prep(db, sql, err, errlen);
    if (st) {
        bind_range(st, &r->opts);
        sqlite3_bind_int(st, 3, (int)r->opts.top);
    }
    return st;
}

/* Append a zeroed item of size sz to the array *v of *n items; NULL (and
 * the array unchanged) on no memory. */
static void *append(void *vp, size_t *n, size_t sz)
{
    void **v = vp;
    char *nv = realloc(*v, (*n + 1) * sz);
    if (!nv)
        return NULL;
    *v = nv;
    memset(nv + *n * sz, 0, sz);
    return nv + (*n)++ * sz;
}

static int load_summary(sqlite3 *db, struct report *r, char *err, size_t errlen)
{
    sqlite3_stmt *st = prep(db,
        "SELECT (SELECT count(*) FROM all_runs),"
        " (SELECT coalesce(sum(value),0) FROM all_stats WHERE name='capture.packets'),"
        " (SELECT count(*) FROM all_alerts WHERE ts BETWEEN ?1 AND ?2),"
        " (SELECT count(*) FROM all_calls WHERE invite_time BETWEEN ?1 AND ?2),"
        " (SELECT count(*) FROM all_calls WHERE invite_time BETWEEN ?1 AND ?2 AND outcome='answered'),"
        " (SELECT coalesce(sum(talk_s),0) FROM all_calls WHERE invite_time BETWEEN ?1 AND ?2),"
        " (SELECT count(*) FROM all_registrations WHERE ts BETWEEN ?1 AND ?2),"
        " (SELECT count(*) FROM all_registrations WHERE ts BETWEEN ?1 AND ?2 AND result IN (401,403,407)),"
        " (SELECT min(t) FROM (SELECT min(ts) t FROM all_alerts WHERE ts BETWEEN ?1 AND ?2"
        "   UNION ALL SELECT min(invite_time) FROM all_calls WHERE invite_time BETWEEN ?1 AND ?2)),"
        " (SELECT max(t) FROM (SELECT max(ts) t FROM all_alerts WHERE ts BETWEEN ?1 AND ?2"
        "   UNION ALL SELECT max(end_time) FROM all_calls WHERE invite_time BETWEEN ?1 AND ?2))",
        err, errlen);
    if (!st)
        return TG_ERROR;
    bind_range(st, &r->opts);
    if (sqlite3_step(st) == SQLITE_ROW) {
        r->runs = (uint64_t)sqlite3_column_int64(st, 0);
        r->packets = (uint64_t)sqlite3_column_int64(st, 1);
        r->alerts = (uint64_t)sqlite3_column_int64(st, 2);
        r->calls = (uint64_t)sqlite3_column_int64(st, 3);
        r->answered = (uint64_t)sqlite3_column_int64(st, 4);
        r->talk_s = sqlite3_column_double(st, 5);
        r->registrations = (uint64_t)sqlite3_column_int64(st, 6);
        r->reg_failures = (uint64_t)sqlite3_column_int64(st, 7);
        copy_col(st, 8, r->first, sizeof r->first);
        copy_col(st, 9, r->last, sizeof r->last);
    }
    sqlite3_finalize(st);
    /* hour of day, from the ISO time's HH */
    st = prep(db,
        "SELECT 'c', CAST(substr(invite_time,12,2) AS INTEGER), count(*) FROM all_calls"
        " WHERE invite_time BETWEEN ?1 AND ?2 GROUP BY 2"
        " UNION ALL SELECT 'a', CAST(substr(ts,12,2) AS INTEGER), count(*) FROM all_alerts"
        " WHERE ts BETWEEN ?1 AND ?2 GROUP BY 2",
        err, errlen);
    if (!st)
        return TG_ERROR;
    bind_range(st, &r->opts);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int h = sqlite3_column_int(st, 1);
        if (h < 0 || h > 23)
            continue;
        uint64_t n = (uint64_t)sqlite3_column_int64(st, 2);
        if (sqlite3_column_text(st, 0)[0] == 'c')
            r->calls_by_hour[h] = n;
        else
            r->alerts_by_hour[h] = n;
    }
    sqlite3_finalize(st);
    return TG_OK;
}

static int load_sigs(sqlite3 *db, struct report *r, char *err, size_t errlen)
{
    sqlite3_stmt *st = prep_table(db, r,
        "SELECT a.gid, a.sid, max(a.msg), count(*), min(a.ts), max(a.ts),"
        " (SELECT src_ip FROM all_alerts b WHERE b.gid=a.gid AND b.sid=a.sid AND b.ts BETWEEN ?1 AND ?2"
        "  GROUP BY src_ip ORDER BY count(*) DESC, src_ip LIMIT 1),"
        " (SELECT count(*) FROM all_alerts b WHERE b.gid=a.gid AND b.sid=a.sid AND b.ts BETWEEN ?1 AND ?2"
        "  GROUP BY src_ip ORDER BY count(*) DESC, src_ip LIMIT 1)"
        " FROM all_alerts a WHERE a.ts BETWEEN ?1 AND ?2 GROUP BY a.gid, a.sid"
        " ORDER BY count(*) DESC, a.gid, a.sid LIMIT ?3",
        err, errlen);
    if (!st)
        return TG_ERROR;
    while (sqlite3_step(st) == SQLITE_ROW) {
        struct report_sig *s = append(&r->sigs, &r->nsigs, sizeof *s);
        if (!s)
            break;
        s->gid = (uint32_t)sqlite3_column_int64(st, 0);
        s->sid = (uint32_t)sqlite3_column_int64(st, 1);
        copy_col(st, 2, s->msg, sizeof s->msg);
        s->count = (uint64_t)sqlite3_column_int64(st, 3);
        copy_col(st, 4, s->first, sizeof s->first);
        copy_col(st, 5, s->last, sizeof s->last);
        copy_col(st, 6, s->top_src, sizeof s->top_src);
        s->top_src_count = (uint64_t)sqlite3_column_int64(st, 7);
    }
    sqlite3_finalize(st);
    return TG_OK;
}

/* Calls made and received per URI, merged into one row per URI. */
static int load_uris(sqlite3 *db, struct report *r, char *err, size_t errlen)
{
    sqlite3_stmt *st = prep_table(db, r,
        "SELECT uri, sum(made), sum(made_ans), sum(recv), sum(recv_ans), sum(talk_made), sum(talk_recv),"
        " min(first), max(last) FROM ("
        " SELECT caller_uri uri, 1 made, outcome='answered' made_ans, 0 recv, 0 recv_ans,"
        "  coalesce(talk_s,0) talk_made, 0 talk_recv, invite_time first, invite_time last"
        "  FROM all_calls WHERE invite_time BETWEEN ?1 AND ?2"
        " UNION ALL SELECT callee_uri, 0, 0, 1, outcome='answered', 0, coalesce(talk_s,0), invite_time, invite_time"
        "  FROM all_calls WHERE invite_time BETWEEN ?1 AND ?2)"
        " WHERE uri IS NOT NULL GROUP BY uri ORDER BY sum(made)+sum(recv) DESC, uri LIMIT ?3",
        err, errlen);
    if (!st)
        return TG_ERROR;
    while (sqlite3_step(st) == SQLITE_ROW) {
        struct report_uri *u = append(&r->uris, &r->nuris, sizeof *u);
        if (!u)
            break;
        copy_col(st, 0, u->uri, sizeof u->uri);
        u->made = (uint64_t)sqlite3_column_int64(st, 1);
        u->made_answered = (uint64_t)sqlite3_column_int64(st, 2);
        u->received = (uint64_t)sqlite3_column_int64(st, 3);
        u->received_answered = (uint64_t)sqlite3_column_int64(st, 4);
        u->talk_made_s = sqlite3_column_double(st, 5);
        u->talk_received_s = sqlite3_column_double(st, 6);
        copy_col(st, 7, u->first, sizeof u->first);
        copy_col(st, 8, u->last, sizeof u->last);
    }
    sqlite3_finalize(st);
    return TG_OK;
}

/* Service-theft suspects: sources of international calls that never
 * registered successfully, and sources of toll-fraud rule alerts. */
static int load_suspects(sqlite3 *db, struct report *r, char *err, size_t errlen)
{
    sqlite3_stmt *st = prep_table(db, r,
        "SELECT ip, max(uri), sum(calls), sum(answered), sum(intl), sum(talk), sum(fraud), max(registered) FROM ("
        " SELECT caller_ip ip, caller_uri uri, 1 calls, outcome='answered' answered,"
        "  (callee_user GLOB '+*' OR callee_user GLOB '00*' OR callee_user GLOB '011*') intl,"
        "  coalesce(talk_s,0) talk, 0 fraud,"
        "  caller_ip IN (SELECT src_ip FROM all_registrations WHERE result BETWEEN 200 AND 299) registered"
        "  FROM all_calls WHERE invite_time BETWEEN ?1 AND ?2"
        " UNION ALL SELECT src_ip, NULL, 0, 0, 0, 0, 1, 0 FROM all_alerts"
        "  WHERE ts BETWEEN ?1 AND ?2 AND sid IN (9100060, 9100061))"
        " WHERE ip IS NOT NULL GROUP BY ip"
        " HAVING sum(fraud) > 0 OR (sum(intl) > 0 AND max(registered) = 0)"
        " ORDER BY sum(fraud) DESC, sum(intl) DESC, ip LIMIT ?3",
        err, errlen);
    if (!st)
        return TG_ERROR;
    while (sqlite3_step(st) == SQLITE_ROW) {
        struct report_suspect *s = append(&r->suspects, &r->nsuspects, sizeof *s);
        if (!s)
            break;
        copy_col(st, 0, s->ip, sizeof s->ip);
        copy_col(st, 1, s->uri, sizeof s->uri);
        s->calls = (uint64_t)sqlite3_column_int64(st, 2);
        s->answered = (uint64_t)sqlite3_column_int64(st, 3);
        s->international = (uint64_t)sqlite3_column_int64(st, 4);
        s->talk_s = sqlite3_column_double(st, 5);
        s->fraud_alerts = (uint64_t)sqlite3_column_int64(st, 6);
        bool registered = sqlite3_column_int(st, 7) != 0;
        if (s->fraud_alerts && s->international && !registered)
            snprintf(s->reason, sizeof s->reason, "toll-fraud alerts; international calls without a registration");
        else if (s->fraud_alerts)
            snprintf(s->reason, sizeof s->reason, "toll-fraud rule alerts");
        else
            snprintf(s->reason, sizeof s->reason, "international calls from a host that never registered");
    }
    sqlite3_finalize(st);
    return TG_OK;
}

/* SPIT: many distinct callees, mostly unanswered or very short calls. */
static int load_spit(sqlite3 *db, struct report *r, char *err, size_t errlen)
{
    sqlite3_stmt *st = prep_table(db, r,
        "SELECT caller_ip, max(caller_uri), count(*), count(DISTINCT callee_uri),"
        " sum(outcome != 'answered' OR coalesce(talk_s,0) < ?4), avg(coalesce(talk_s,0))"
        " FROM all_calls WHERE invite_time BETWEEN ?1 AND ?2 AND caller_ip IS NOT NULL GROUP BY caller_ip"
        " HAVING count(DISTINCT callee_uri) >= ?5"
        "  AND 2 * sum(outcome != 'answered' OR coalesce(talk_s,0) < ?4) >= count(*)"
        " ORDER BY count(*) DESC, caller_ip LIMIT ?3",
        err, errlen);
    if (!st)
        return TG_ERROR;
    sqlite3_bind_double(st, 4, r->opts.spit_short_s);
    sqlite3_bind_int(st, 5, (int)r->opts.spit_min_callees);
    while (sqlite3_step(st) == SQLITE_ROW) {
        struct report_spit *s = append(&r->spit, &r->nspit, sizeof *s);
        if (!s)
            break;
        copy_col(st, 0, s->ip, sizeof s->ip);
        copy_col(st, 1, s->uri, sizeof s->uri);
        s->calls = (uint64_t)sqlite3_column_int64(st, 2);
        s->callees = (uint64_t)sqlite3_column_int64(st, 3);
        s->short_or_unanswered = (uint64_t)sqlite3_column_int64(st, 4);
        s->avg_talk_s = sqlite3_column_double(st, 5);
    }
    sqlite3_finalize(st);
    return TG_OK;
}

int report_build(struct report *r, const struct report_opts *opts, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    r->opts = *opts;
    if (!r->opts.top)
        r->opts.top = 25;
    sqlite3 *db;
    if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "cannot open an in-memory database");
        return TG_ERROR;
    }
    int rc = TG_ERROR;
    for (size_t i = 0; i < opts->ndbs; i++) {
        FILE *probe = fopen(opts->dbs[i], "rb");
        if (!probe) {
            snprintf(err, errlen, "%s: cannot read the database", opts->dbs[i]);
            goto out;
        }
        fclose(probe);
        char sql[64];
        snprintf(sql, sizeof sql, "ATTACH DATABASE ?1 AS s%zu", i);
        sqlite3_stmt *st;
        char uri[4200];
        snprintf(uri, sizeof uri, "file:%s?mode=ro", opts->dbs[i]);
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
            goto sqlerr;
        sqlite3_bind_text(st, 1, uri, -1, SQLITE_TRANSIENT);
        int s = sqlite3_step(st);
        sqlite3_finalize(st);
        if (s != SQLITE_DONE || !has_table(db, (int)i, "runs")) {
            snprintf(err, errlen, "%s: not a tollgate database", opts->dbs[i]);
            goto out;
        }
    }
    if (make_view(db, opts->ndbs, "runs", "id", NULL) != TG_OK ||
        make_view(db, opts->ndbs, "stats", "name, value", NULL) != TG_OK ||
        make_view(db, opts->ndbs, "alerts", "ts, gid, sid, msg, src_ip", NULL) != TG_OK ||
        make_view(db, opts->ndbs, "calls",
                  "call_id, caller_uri, callee_uri, callee_user, caller_ip, invite_time, end_time, talk_s, outcome",
                  &r->have_calls) != TG_OK ||
        make_view(db, opts->ndbs, "registrations", "ts, aor, src_ip, result", NULL) != TG_OK)
        goto sqlerr;
    if (load_summary(db, r, err, errlen) != TG_OK || load_sigs(db, r, err, errlen) != TG_OK ||
        load_uris(db, r, err, errlen) != TG_OK || load_suspects(db, r, err, errlen) != TG_OK ||
        load_spit(db, r, err, errlen) != TG_OK)
        goto out;
    rc = TG_OK;
    goto out;
sqlerr:
    snprintf(err, errlen, "report: %s", sqlite3_errmsg(db));
out:
    sqlite3_close(db);
    return rc;
}

void report_free(struct report *r)
{
    free(r->sigs);
    free(r->uris);
    free(r->suspects);
    free(r->spit);
    memset(r, 0, sizeof *r);
}
