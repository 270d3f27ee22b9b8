/* report-cli.c - "tollgate report": options, then build and render. */
#include <stdlib.h>
#include <string.h>
#include "report.h"

static int report_usage(void)
{
    fprintf(stderr,
            "usage: tollgate report --db FILE [--db FILE]... [--from T] [--to T]\n"
            "                       [--format text|csv|html|json] [--top N] [-o OUT]\n"
            "  T: 2026-11-23, \"2026-11-23 08:00\" or 2026-11-23T08:00:00 (UTC, as the store keeps it)\n");
    return 2;
}

int report_cli_main(int argc, char **argv)
{
    struct report_opts o;
    memset(&o, 0, sizeof o);
    o.top = 25;
    o.spit_min_callees = 10;
    o.spit_short_s = 10.0;
    const char *out = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return report_usage();
        i++;
        if (!strcmp(a, "--db")) {
            if (o.ndbs == REPORT_MAX_DBS) {
                fprintf(stderr, "tollgate: report: at most %d databases\n", REPORT_MAX_DBS);
                return 2;
            }
            o.dbs[o.ndbs++] = v;
        } else if (!strcmp(a, "--from") || !strcmp(a, "--to")) {
            char *dst = a[2] == 'f' ? o.from : o.to;
            if (report_parse_time(v, dst, sizeof o.from) != TG_OK) {
                fprintf(stderr, "tollgate: report: %s %s: expected a date such as 2026-11-23 or 2026-11-23T08:00\n",
                        a, v);
                return 2;
            }
            /* "--to 2026-11-23" means the whole day */
            if (a[2] == 't' && strlen(dst) == 10)
                strcat(dst, "T99");
        } else if (!strcmp(a, "--format")) {
            if (!strcmp(v, "text"))
                o.format = REPORT_TEXT;
            else if (!strcmp(v, "csv"))
                o.format = REPORT_CSV;
            else if (!strcmp(v, "html"))
                o.format = REPORT_HTML;
            else if (!strcmp(v, "json"))
                o.format = REPORT_JSON;
            else
                return report_usage();
        } else if (!strcmp(a, "--top")) {
            o.top = (unsigned)strtoul(v, NULL, 10);
            if (!o.top)
                return report_usage();
        } else if (!strcmp(a, "-o")) {
            out = v;
        } else {
            return report_usage();
        }
    }
    if (!o.ndbs)
        return report_usage();
    struct report r;
    char err[512];
    if (report_build(&r, &o, err, sizeof err) != TG_OK) {
        fprintf(stderr, "tollgate: %s\n", err);
        return 1;
    }
    FILE *f = out ? fopen(out, "w") : stdout;
    if (!f) {
        fprintf(stderr, "tollgate: report: cannot write %s\n", out);
        report_free(&r);
        return 1;
    }
    switch (o.format) {
    case REPORT_TEXT: report_write_text(&r, f); break;
    case REPORT_CSV: report_write_csv(&r, f); break;
    case REPORT_HTML: report_write_html(&r, f); break;
    case REPORT_JSON: report_write_json(&r, f); break;
    }
    int rc = ferror(f) ? 1 : 0;
    if (f != stdout)
        fclose(f);
    report_free(&r);
    return rc;
}
