/* report-text.c - the report as plain text, for a terminal or a mail body. */
#include "report.h"

static void fmt_dur(double s, char *buf, size_t len)
{
    unsigned long t = (unsigned long)(s + 0.5);
    snprintf(buf, len, "%lu:%02lu:%02lu", t / 3600, (t / 60) % 60, t % 60);
}

void report_write_text(const struct report *r, FILE *f)
{
    char d[32];
    fprintf(f, "tollgate report\n===============\n");
    fprintf(f, "period      %s .. %s\n", r->opts.from[0] ? r->opts.from : (r->first[0] ? r->first : "-"),
            r->opts.to[0] ? r->opts.to : (r->last[0] ? r->last : "-"));
    fmt_dur(r->talk_s, d, sizeof d);
    fprintf(f, "runs %llu, packets %llu, alerts %llu, calls %llu (answered %llu, talk %s), registrations %llu "
               "(auth failures %llu)\n\n",
            (unsigned long long)r->runs, (unsigned long long)r->packets, (unsigned long long)r->alerts,
            (unsigned long long)r->calls, (unsigned long long)r->answered, d, (unsigned long long)r->registrations,
            (unsigned long long)r->reg_failures);

    fprintf(f, "Calls per URI\n-------------\n");
    if (!r->nuris)
        fprintf(f, "(no calls)\n");
    else
        fprintf(f, "%-40s %6s %6s %10s %6s %6s %10s\n", "uri", "made", "ans", "talk", "recv", "ans", "talk");
    for (size_t i = 0; i < r->nuris; i++) {
        const struct report_uri *u = &r->uris[i];
        char tm[32], tr[32];
        fmt_dur(u->talk_made_s, tm, sizeof tm);
        fmt_dur(u->talk_received_s, tr, sizeof tr);
        fprintf(f, "%-40.40s %6llu %6llu %10s %6llu %6llu %10s\n", u->uri, (unsigned long long)u->made,
                (unsigned long long)u->made_answered, tm, (unsigned long long)u->received,
                (unsigned long long)u->received_answered, tr);
    }

    fprintf(f, "\nService-theft suspects\n----------------------\n");
    if (!r->nsuspects)
        fprintf(f, "(none)\n");
    for (size_t i = 0; i < r->nsuspects; i++) {
        const struct report_suspect *s = &r->suspects[i];
        fprintf(f, "%-20s %-32.32s calls %llu (international %llu), fraud alerts %llu: %s\n", s->ip, s->uri,
                (unsigned long long)s->calls, (unsigned long long)s->international,
                (unsigned long long)s->fraud_alerts, s->reason);
    }

    fprintf(f, "\nSPIT sources\n------------\n");
    if (!r->nspit)
        fprintf(f, "(none)\n");
    for (size_t i = 0; i < r->nspit; i++) {
        const struct report_spit *s = &r->spit[i];
        fprintf(f, "%-20s %-32.32s calls %llu to %llu callees, %llu unanswered or under %.0f s, avg talk %.1f s\n",
                s->ip, s->uri, (unsigned long long)s->calls, (unsigned long long)s->callees,
                (unsigned long long)s->short_or_unanswered, r->opts.spit_short_s, s->avg_talk_s);
    }

    fprintf(f, "\nAlerts\n------\n");
    if (!r->nsigs)
        fprintf(f, "(none)\n");
    for (size_t i = 0; i < r->nsigs; i++) {
        const struct report_sig *s = &r->sigs[i];
        fprintf(f, "%6llu  %u:%u  %s\n        top source %s (%llu), %s .. %s\n", (unsigned long long)s->count, s->gid,
                s->sid, s->msg, s->top_src, (unsigned long long)s->top_src_count, s->first, s->last);
    }

    fprintf(f, "\nBy hour of day (UTC)\n--------------------\nhour  calls  alerts\n");
    for (int h = 0; h < 24; h++)
        if (r->calls_by_hour[h] || r->alerts_by_hour[h])
            fprintf(f, "%02d   %6llu  %6llu\n", h, (unsigned long long)r->calls_by_hour[h],
                    (unsigned long long)r->alerts_by_hour[h]);
}
