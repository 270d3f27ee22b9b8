/* report-html.c - the report as one self-contained HTML page with inline
 * SVG bar charts: no scripts, no external files, so it can be mailed or
 * opened from a file share. */
#include "report.h"

static void html_esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f); break;
        }
    }
}

static void dur(double s, char *buf, size_t len)
{
    unsigned long t = (unsigned long)(s + 0.5);
    snprintf(buf, len, "%lu:%02lu:%02lu", t / 3600, (t / 60) % 60, t % 60);
}

/* Horizontal bars: one per label. */
static void svg_bars(FILE *f, const char *title, const char *const *labels, const uint64_t *v, size_t n)
{
    uint64_t max = 1;
    for (size_t i = 0; i < n; i++)
        if (v[i] > max)
            max = v[i];
    unsigned h = (unsigned)(n * 18 + 30);
    fprintf(f, "<figure><figcaption>");
    html_esc(f, title);
    fprintf(f, "</figcaption><svg width=\"640\" height=\"%u\" role=\"img\">\n", h);
    for (size_t i = 0; i < n; i++) {
        unsigned w = (unsigned)(400.0 * (double)v[i] / (double)max);
        unsigned y = (unsigned)(i * 18 + 10);
        fprintf(f, "<text x=\"0\" y=\"%u\" font-size=\"12\">", y + 12);
        html_esc(f, labels[i]);
        fprintf(f, "</text><rect x=\"180\" y=\"%u\" width=\"%u\" height=\"14\" fill=\"#3a6ea5\"/>"
                   "<text x=\"%u\" y=\"%u\" font-size=\"12\">%llu</text>\n",
                y, w, 186 + w, y + 12, (unsigned long long)v[i]);
    }
    fprintf(f, "</svg></figure>\n");
}

/* Vertical bars over the 24 hours, two series side by side. */
static void svg_hours(FILE *f, const uint64_t *calls, const uint64_t *alerts)
{
    uint64_t max = 1;
    for (int h = 0; h < 24; h++) {
        if (calls[h] > max)
            max = calls[h];
        if (alerts[h] > max)
            max = alerts[h];
    }
    fprintf(f, "<figure><figcaption>Calls (blue) and alerts (red) by hour of day, UTC</figcaption>"
               "<svg width=\"720\" height=\"180\" role=\"img\">\n");
    for (int h = 0; h < 24; h++) {
        unsigned x = (unsigned)(h * 29 + 10);
        unsigned hc = (unsigned)(140.0 * (double)calls[h] / (double)max);
        unsigned ha = (unsigned)(140.0 * (double)alerts[h] / (double)max);
        fprintf(f, "<rect x=\"%u\" y=\"%u\" width=\"12\" height=\"%u\" fill=\"#3a6ea5\"><title>%02d h: %llu calls</title></rect>",
                x, 150 - hc, hc, h, (unsigned long long)calls[h]);
        fprintf(f, "<rect x=\"%u\" y=\"%u\" width=\"12\" height=\"%u\" fill=\"#c0392b\"><title>%02d h: %llu alerts</title></rect>",
                x + 13, 150 - ha, ha, h, (unsigned long long)alerts[h]);
        fprintf(f, "<text x=\"%u\" y=\"170\" font-size=\"10\">%02d</text>\n", x + 4, h);
    }
    fprintf(f, "</svg></figure>\n");
}

void report_write_html(const struct report *r, FILE *f)
{
    char d[32];
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>tollgate report</title>\n"
               "<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin-bottom:1.5em}"
               "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}th{background:#eef}"
               ".num{text-align:right}.cards span{display:inline-block;margin:0 1.5em 1em 0;font-size:1.2em}</style>\n"
               "</head><body>\n<h1>tollgate report</h1>\n<p>Period ");
    html_esc(f, r->opts.from[0] ? r->opts.from : (r->first[0] ? r->first : "-"));
    fputs(" .. ", f);
    html_esc(f, r->opts.to[0] ? r->opts.to : (r->last[0] ? r->last : "-"));
    dur(r->talk_s, d, sizeof d);
    fprintf(f, "</p>\n<div class=\"cards\"><span>%llu calls</span><span>%llu answered</span><span>talk %s</span>"
               "<span>%llu alerts</span><span>%llu registrations (%llu auth failures)</span>"
               "<span>%llu packets in %llu runs</span></div>\n",
            (unsigned long long)r->calls, (unsigned long long)r->answered, d, (unsigned long long)r->alerts,
            (unsigned long long)r->registrations, (unsigned long long)r->reg_failures,
            (unsigned long long)r->packets, (unsigned long long)r->runs);
    svg_hours(f, r->calls_by_hour, r->alerts_by_hour);

    fprintf(f, "<h2>Calls per URI</h2>\n");
    if (r->nuris) {
        const char *labels[64];
        uint64_t v[64];
        size_t n = r->nuris < 64 ? r->nuris : 64;
        for (size_t i = 0; i < n; i++) {
            labels[i] = r->uris[i].uri;
            v[i] = r->uris[i].made + r->uris[i].received;
        }
        svg_bars(f, "Calls made and received", labels, v, n);
        fprintf(f, "<table><tr><th>URI</th><th>made</th><th>answered</th><th>talk</th><th>received</th>"
                   "<th>answered</th><th>talk</th><th>first</th><th>last</th></tr>\n");
        for (size_t i = 0; i < r->nuris; i++) {
            const struct report_uri *u = &r->uris[i];
            char tm[32], tr[32];
            dur(u->talk_made_s, tm, sizeof tm);
            dur(u->talk_received_s, tr, sizeof tr);
            fputs("<tr><td>", f);
            html_esc(f, u->uri);
            fprintf(f, "</td><td class=\"num\">%llu</td><td class=\"num\">%llu</td><td class=\"num\">%s</td>"
                       "<td class=\"num\">%llu</td><td class=\"num\">%llu</td><td class=\"num\">%s</td><td>",
                    (unsigned long long)u->made, (unsigned long long)u->made_answered, tm,
                    (unsigned long long)u->received, (unsigned long long)u->received_answered, tr);
            html_esc(f, u->first);
            fputs("</td><td>", f);
            html_esc(f, u->last);
            fputs("</td></tr>\n", f);
        }
        fputs("</table>\n", f);
    } else {
        fputs("<p>No calls.</p>\n", f);
    }

    fprintf(f, "<h2>Service-theft suspects</h2>\n");
    if (r->nsuspects) {
        fputs("<table><tr><th>source</th><th>URI</th><th>calls</th><th>international</th><th>fraud alerts</th>"
              "<th>why</th></tr>\n", f);
        for (size_t i = 0; i < r->nsuspects; i++) {
            const struct report_suspect *s = &r->suspects[i];
            fputs("<tr><td>", f);
            html_esc(f, s->ip);
            fputs("</td><td>", f);
            html_esc(f, s->uri);
            fprintf(f, "</td><td class=\"num\">%llu</td><td class=\"num\">%llu</td><td class=\"num\">%llu</td><td>",
                    (unsigned long long)s->calls, (unsigned long long)s->international,
                    (unsigned long long)s->fraud_alerts);
            html_esc(f, s->reason);
            fputs("</td></tr>\n", f);
        }
        fputs("</table>\n", f);
    } else {
        fputs("<p>None.</p>\n", f);
    }

    fprintf(f, "<h2>SPIT sources</h2>\n");
    if (r->nspit) {
        fputs("<table><tr><th>source</th><th>URI</th><th>calls</th><th>callees</th><th>short or unanswered</th>"
              "<th>avg talk (s)</th></tr>\n", f);
        for (size_t i = 0; i < r->nspit; i++) {
            const struct report_spit *s = &r->spit[i];
            fputs("<tr><td>", f);
            html_esc(f, s->ip);
            fputs("</td><td>", f);
            html_esc(f, s->uri);
            fprintf(f, "</td><td class=\"num\">%llu</td><td class=\"num\">%llu</td><td class=\"num\">%llu</td>"
                       "<td class=\"num\">%.1f</td></tr>\n",
                    (unsigned long long)s->calls, (unsigned long long)s->callees,
                    (unsigned long long)s->short_or_unanswered, s->avg_talk_s);
        }
        fputs("</table>\n", f);
    } else {
        fputs("<p>None.</p>\n", f);
    }

    fprintf(f, "<h2>Alerts</h2>\n");
    if (r->nsigs) {
        const char *labels[64];
        uint64_t v[64];
        char lb[64][48];
        size_t n = r->nsigs < 64 ? r->nsigs : 64;
        for (size_t i = 0; i < n; i++) {
            snprintf(lb[i], sizeof lb[i], "%u:%u", r->sigs[i].gid, r->sigs[i].sid);
            labels[i] = lb[i];
            v[i] = r->sigs[i].count;
        }
        svg_bars(f, "Alerts per signature", labels, v, n);
        fputs("<table><tr><th>gid:sid</th><th>signature</th><th>alerts</th><th>top source</th><th>first</th>"
              "<th>last</th></tr>\n", f);
        for (size_t i = 0; i < r->nsigs; i++) {
            const struct report_sig *s = &r->sigs[i];
            fprintf(f, "<tr><td>%u:%u</td><td>", s->gid, s->sid);
            html_esc(f, s->msg);
            fprintf(f, "</td><td class=\"num\">%llu</td><td>", (unsigned long long)s->count);
            html_esc(f, s->top_src);
            fprintf(f, " (%llu)</td><td>", (unsigned long long)s->top_src_count);
            html_esc(f, s->first);
            fputs("</td><td>", f);
            html_esc(f, s->last);
            fputs("</td></tr>\n", f);
        }
        fputs("</table>\n", f);
    } else {
        fputs("<p>None.</p>\n", f);
    }
    fputs("</body></html>\n", f);
}
