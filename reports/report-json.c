/* report-json.c - the report as one JSON document, for dashboards. */
#include "../sensor/json.h"
#include "report.h"

void report_write_json(const struct report *r, FILE *f)
{
    struct json j;
    json_init(&j);
    json_open_object(&j, NULL);
    json_open_object(&j, "period");
    json_str(&j, "from", r->opts.from[0] ? r->opts.from : r->first);
    json_str(&j, "to", r->opts.to[0] ? r->opts.to : r->last);
    json_close_object(&j);
    json_open_object(&j, "summary");
    json_u64(&j, "runs", r->runs);
    json_u64(&j, "packets", r->packets);
    json_u64(&j, "alerts", r->alerts);
    json_u64(&j, "calls", r->calls);
    json_u64(&j, "answered", r->answered);
    json_double(&j, "talk_s", r->talk_s);
    json_u64(&j, "registrations", r->registrations);
    json_u64(&j, "auth_failures", r->reg_failures);
    json_close_object(&j);
    json_open_array(&j, "uris");
    for (size_t i = 0; i < r->nuris; i++) {
        const struct report_uri *u = &r->uris[i];
        json_open_object(&j, NULL);
        json_str(&j, "uri", u->uri);
        json_u64(&j, "made", u->made);
        json_u64(&j, "made_answered", u->made_answered);
        json_double(&j, "talk_made_s", u->talk_made_s);
        json_u64(&j, "received", u->received);
        json_u64(&j, "received_answered", u->received_answered);
        json_double(&j, "talk_received_s", u->talk_received_s);
        json_str(&j, "first", u->first);
        json_str(&j, "last", u->last);
        json_close_object(&j);
    }
    json_close_array(&j);
    json_open_array(&j, "theft_suspects");
    for (size_t i = 0; i < r->nsuspects; i++) {
        const struct report_suspect *s = &r->suspects[i];
        json_open_object(&j, NULL);
        json_str(&j, "ip", s->ip);
        json_str(&j, "uri", s->uri);
        json_u64(&j, "calls", s->calls);
        json_u64(&j, "answered", s->answered);
        json_u64(&j, "international", s->international);
        json_double(&j, "talk_s", s->talk_s);
        json_u64(&j, "fraud_alerts", s->fraud_alerts);
        json_str(&j, "reason", s->reason);
        json_close_object(&j);
    }
    json_close_array(&j);
    json_open_array(&j, "spit_sources");
    for (size_t i = 0; i < r->nspit; i++) {
        const struct report_spit *s = &r->spit[i];
        json_open_object(&j, NULL);
        json_str(&j, "ip", s->ip);
        json_str(&j, "uri", s->uri);
        json_u64(&j, "calls", s->calls);
        json_u64(&j, "callees", s->callees);
        json_u64(&j, "short_or_unanswered", s->short_or_unanswered);
        json_double(&j, "avg_talk_s", s->avg_talk_s);
        json_close_object(&j);
    }
    json_close_array(&j);
    json_open_array(&j, "alerts");
    for (size_t i = 0; i < r->nsigs; i++) {
        const struct report_sig *s = &r->sigs[i];
        json_open_object(&j, NULL);
        json_u64(&j, "gid", s->gid);
        json_u64(&j, "sid", s->sid);
        json_str(&j, "msg", s->msg);
        json_u64(&j, "count", s->count);
        json_str(&j, "top_src", s->top_src);
        json_u64(&j, "top_src_count", s->top_src_count);
        json_str(&j, "first", s->first);
        json_str(&j, "last", s->last);
        json_close_object(&j);
    }
    json_close_array(&j);
    json_open_array(&j, "calls_by_hour");
    for (int h = 0; h < 24; h++)
        json_u64(&j, NULL, r->calls_by_hour[h]);
    json_close_array(&j);
    json_open_array(&j, "alerts_by_hour");
    for (int h = 0; h < 24; h++)
        json_u64(&j, NULL, r->alerts_by_hour[h]);
    json_close_array(&j);
    json_close_object(&j);
    if (!j.oom)
        fprintf(f, "%s\n", j.buf);
    json_free(&j);
}
