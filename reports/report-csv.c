/* report-csv.c - the report as CSV: one table after another, each with a
 * header row whose first column names the table, for spreadsheets. */
#include "report.h"

/* RFC 4180 quoting. */
static void csv_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void report_write_csv(const struct report *r, FILE *f)
{
    fprintf(f, "table,runs,packets,alerts,calls,answered,talk_s,registrations,auth_failures,first,last\n");
    fprintf(f, "summary,%llu,%llu,%llu,%llu,%llu,%.3f,%llu,%llu,", (unsigned long long)r->runs,
            (unsigned long long)r->packets, (unsigned long long)r->alerts, (unsigned long long)r->calls,
            (unsigned long long)r->answered, r->talk_s, (unsigned long long)r->registrations,
            (unsigned long long)r->reg_failures);
    csv_str(f, r->first);
    fputc(',', f);
    csv_str(f, r->last);
    fprintf(f, "\n\ntable,uri,made,made_answered,talk_made_s,received,received_answered,talk_received_s,first,last\n");
    for (size_t i = 0; i < r->nuris; i++) {
        const struct report_uri *u = &r->uris[i];
        fputs("uri,", f);
        csv_str(f, u->uri);
        fprintf(f, ",%llu,%llu,%.3f,%llu,%llu,%.3f,", (unsigned long long)u->made, (unsigned long long)u->made_answered,
                u->talk_made_s, (unsigned long long)u->received, (unsigned long long)u->received_answered,
                u->talk_received_s);
        csv_str(f, u->first);
        fputc(',', f);
        csv_str(f, u->last);
        fputc('\n', f);
    }
    fprintf(f, "\ntable,ip,uri,calls,answered,international,talk_s,fraud_alerts,reason\n");
    for (size_t i = 0; i < r->nsuspects; i++) {
        const struct report_suspect *s = &r->suspects[i];
        fputs("theft_suspect,", f);
        csv_str(f, s->ip);
        fputc(',', f);
        csv_str(f, s->uri);
        fprintf(f, ",%llu,%llu,%llu,%.3f,%llu,", (unsigned long long)s->calls, (unsigned long long)s->answered,
                (unsigned long long)s->international, s->talk_s, (unsigned long long)s->fraud_alerts);
        csv_str(f, s->reason);
        fputc('\n', f);
    }
    fprintf(f, "\ntable,ip,uri,calls,callees,short_or_unanswered,avg_talk_s\n");
    for (size_t i = 0; i < r->nspit; i++) {
        const struct report_spit *s = &r->spit[i];
        fputs("spit_source,", f);
        csv_str(f, s->ip);
        fputc(',', f);
        csv_str(f, s->uri);
        fprintf(f, ",%llu,%llu,%llu,%.3f\n", (unsigned long long)s->calls, (unsigned long long)s->callees,
                (unsigned long long)s->short_or_unanswered, s->avg_talk_s);
    }
    fprintf(f, "\ntable,gid,sid,msg,count,top_src,top_src_count,first,last\n");
    for (size_t i = 0; i < r->nsigs; i++) {
        const struct report_sig *s = &r->sigs[i];
        fprintf(f, "alert,%u,%u,", s->gid, s->sid);
        csv_str(f, s->msg);
        fprintf(f, ",%llu,", (unsigned long long)s->count);
        csv_str(f, s->top_src);
        fprintf(f, ",%llu,", (unsigned long long)s->top_src_count);
        csv_str(f, s->first);
        fputc(',', f);
        csv_str(f, s->last);
        fputc('\n', f);
    }
    fprintf(f, "\ntable,hour,calls,alerts\n");
    for (int h = 0; h < 24; h++)
        fprintf(f, "hour,%d,%llu,%llu\n", h, (unsigned long long)r->calls_by_hour[h],
                (unsigned long long)r->alerts_by_hour[h]);
}
