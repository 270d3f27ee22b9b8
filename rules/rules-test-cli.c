/* rules-test-cli.c - "tollgate rules test RULES... PCAP...": for rule
 * authors, which rules matched which packets and why (the buffer and the
 * offset where the first match of that buffer began). Matches are shown
 * before thresholds and suppression, so an author sees what the rule itself
 * does; the alert count after thresholds follows in the summary. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../sensor/capture.h"
#include "../sensor/config.h"
#include "../sensor/engine.h"
#include "../sensor/json.h"
#include "detect.h"
#include "rules-cli.h"

struct rules_test_ctx {
    uint64_t matches;
};

static void rules_test_trace(void *arg, const struct rule *r, const struct packet *p, enum rule_buffer b,
                             uint32_t offset)
{
    struct rules_test_ctx *t = arg;
    char ts[48], a[48], d[48];
    t->matches++;
    json_format_time(p->ts_ns, ts, sizeof ts);
    ip_addr_str(&p->src, a, sizeof a);
    ip_addr_str(&p->dst, d, sizeof d);
    printf("packet %llu %s %s:%u -> %s:%u  %u:%u:%u %s \"%s\"  matched %s at offset %u\n",
           (unsigned long long)p->num, ts, a, p->sport, d, p->dport, r->gid, r->sid, r->rev,
           rule_action_name(r->action), r->msg ? r->msg : "", rule_buffer_name(b), offset);
}

static int rules_test_usage(void)
{
    fprintf(stderr, "usage: tollgate rules test [-c CONF] [--set K=V]... RULES... PCAP...\n"
                    "  files ending in .rules are rule files, the others captures\n");
    return 2;
}

int rules_test_main(int argc, char **argv)
{
    struct config *cfg = config_new();
    const char *rules[64], *pcaps[64];
    size_t nrules = 0, npcaps = 0;
    char err[1024];
    int status = 0;
    if (!cfg)
        return 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            if (config_load(cfg, argv[++i], err, sizeof err) != TG_OK) {
                fprintf(stderr, "tollgate: %s\n", err);
                config_free(cfg);
                return 2;
            }
        } else if (strcmp(argv[i], "--set") == 0 && i + 1 < argc) {
            if (config_set(cfg, argv[++i]) != TG_OK) {
                config_free(cfg);
                return rules_test_usage();
            }
        } else {
            size_t n = strlen(argv[i]);
            bool is_rules = n > 6 && strcmp(argv[i] + n - 6, ".rules") == 0;
            if ((is_rules ? nrules : npcaps) == 64) {
                config_free(cfg);
                return rules_test_usage();
            }
            if (is_rules)
                rules[nrules++] = argv[i];
            else
                pcaps[npcaps++] = argv[i];
        }
    }
    if (!nrules || !npcaps) {
        config_free(cfg);
        return rules_test_usage();
    }
    struct engine *e = engine_new(cfg, NULL, err, sizeof err);
    if (!e || engine_load_rules(e, cfg, rules, nrules, false, err, sizeof err) != TG_OK) {
        fprintf(stderr, "tollgate: %s\n", err);
        engine_free(e);
        config_free(cfg);
        return 2;
    }
    struct detect *d = engine_detect(e);
    struct rules_test_ctx t = {0};
    if (d)
        detect_set_trace(d, rules_test_trace, &t);
    for (size_t i = 0; i < npcaps; i++) {
        if (capture_file(e, pcaps[i], false, err, sizeof err) != TG_OK) {
            fprintf(stderr, "tollgate: %s\n", err);
            status = 1;
        }
    }
    engine_flush(e);
    printf("summary: %llu matches\n", (unsigned long long)t.matches);
    for (size_t i = 0; d && i < detect_rule_count(d); i++) {
        const struct rule *r = detect_rule(d, i);
        printf("  %u:%u:%u %-6s alerts %-6llu %s:%u \"%s\"\n", r->gid, r->sid, r->rev, rule_action_name(r->action),
               (unsigned long long)detect_rule_hits(d, i), r->file ? r->file : "?", r->line, r->msg ? r->msg : "");
    }
    engine_free(e);
    config_free(cfg);
    return status;
}
