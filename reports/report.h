/* report.h - the morning report: per-URI calls made and received, talk
 * time, service-theft suspects, SPIT sources and alerts, read from one or
 * several sensors' tollgate.db files, rendered as text, CSV, HTML (with SVG
 * charts) or JSON. Reports only read the store. */
#ifndef TG_REPORT_H
#define TG_REPORT_H

#include <stdio.h>
#include "../sensor/common.h"

#define REPORT_MAX_DBS 16

enum report_format { REPORT_TEXT = 0, REPORT_CSV, REPORT_HTML, REPORT_JSON };

struct report_opts {
    const char *dbs[REPORT_MAX_DBS];
    size_t ndbs;
    char from[32], to[32];   /* ISO-8601 bounds ("" = open), normalised */
    enum report_format format;
    unsigned top;            /* rows per table */
    unsigned spit_min_callees; /* distinct callees before a source can be SPIT */
    double spit_short_s;     /* answered calls shorter than this count as short */
};

struct report_sig {
    uint32_t gid, sid;
    char msg[192];
    uint64_t count;
    char first[40], last[40];
    char top_src[64];
    uint64_t top_src_count;
};

struct report_uri {
    char uri[256];
    uint64_t made, made_answered, received, received_answered;
    double talk_made_s, talk_received_s;
    char first[40], last[40];
};

struct report_suspect {
    char ip[64], uri[256];
    uint64_t calls, answered, international, fraud_alerts;
    double talk_s;
    char reason[160];
};

struct report_spit {
    char ip[64], uri[256];
    uint64_t calls, callees, short_or_unanswered;
    double avg_talk_s;
};

struct report {
    struct report_opts opts;
    uint64_t runs, packets, alerts, calls, answered, registrations, reg_failures;
    double talk_s;
    char first[40], last[40];
    bool have_calls;
    uint64_t calls_by_hour[24], alerts_by_hour[24];
    struct report_sig *sigs;
    size_t nsigs;
    struct report_uri *uris;
    size_t nuris;
    struct report_suspect *suspects;
    size_t nsuspects;
    struct report_spit *spit;
    size_t nspit;
};

/* Read the databases into r (opts copied in). TG_OK, or TG_ERROR with a
 * message naming the database in err. */
int report_build(struct report *r, const struct report_opts *opts, char *err, size_t errlen);
void report_free(struct report *r);

/* Render r in its format to f. */
void report_write_text(const struct report *r, FILE *f);
void report_write_csv(const struct report *r, FILE *f);
void report_write_html(const struct report *r, FILE *f);
void report_write_json(const struct report *r, FILE *f);

/* "2026-11-23", "2026-11-23 08:00", "2026-11-23T08:00:00" -> the store's
 * form (T separator); TG_ERROR when it does not look like a date. */
int report_parse_time(const char *in, char *out, size_t len);

/* The tollgate report subcommand; argv[0] is "report". */
int report_cli_main(int argc, char **argv);

#endif
