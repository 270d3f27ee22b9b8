/* rules-list-cli.c - "tollgate rules list": the loaded rules with their
 * sid, action, message and how often each alerted in the newest run
 * recorded in the database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../reports/store-read.h"
#include "../sensor/config.h"
#include "rule.h"
#include "rules-cli.h"

struct rules_list_hits {
    uint32_t gid, sid;
    uint64_t n;
};

struct rules_list_ctx {
    struct rules_list_hits *v;
    size_t n, cap;
};

static void rules_list_add(void *arg, uint32_t gid, uint32_t sid, uint64_t alerts)
{
    struct rules_list_ctx *c = arg;
    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 64;
        struct rules_list_hits *nv = realloc(c->v, ncap * sizeof *nv);
        if (!nv)
            return;
        c->v = nv;
        c->cap = ncap;
    }
    c->v[c->n++] = (struct rules_list_hits){gid, sid, alerts};
}

static uint64_t rules_list_lookup(const struct rules_list_ctx *c, uint32_t gid, uint32_t sid)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i].gid == gid && c->v[i].sid == sid)
            return c->v[i].n;
    return 0;
}

static int rules_list_cmp(const void *a, const void *b)
{
    const struct rule *x = *(struct rule *const *)a, *y = *(struct rule *const *)b;
    if (x->gid != y->gid)
        return x->gid < y->gid ? -1 : 1;
    return x->sid < y->sid ? -1 : x->sid > y->sid;
}

int rules_list_main(int argc, char **argv)
{
    const char *db = "tollgate-log/tollgate.db";
    const char *files[256];
    size_t nfiles = 0;
    char err[1024];
    int status = 0;
    struct config *cfg = config_new();
    if (!cfg)
        return 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db = argv[++i];
        } else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            if (config_load(cfg, argv[++i], err, sizeof err) != TG_OK) {
                fprintf(stderr, "tollgate: %s\n", err);
                config_free(cfg);
                return 2;
            }
        } else if (strcmp(argv[i], "-S") == 0 && i + 1 < argc) {
            if (nfiles < TG_ARRAY_LEN(files))
                files[nfiles++] = argv[++i];
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: tollgate rules list [-c CONF] [--db FILE] [-S RULES]... [RULES...]\n");
            config_free(cfg);
            return 2;
        } else if (nfiles < TG_ARRAY_LEN(files)) {
            files[nfiles++] = argv[i];
        }
    }
    struct rule_loader_opts opts = {.skip_bad = true, .errors = stderr};
    struct rule_loader *ld = rule_loader_new(cfg, &opts, err, sizeof err);
    if (!ld) {
        fprintf(stderr, "tollgate: %s\n", err);
        config_free(cfg);
        return 2;
    }
    struct ruleset rs = {0};
    rule_load_files(ld, &rs, cfg, files, nfiles);
    rule_loader_free(ld);
    struct rules_list_ctx hits = {0};
    int64_t run = 0;
    if (store_read_last_run_alerts(db, &run, rules_list_add, &hits, err, sizeof err) != TG_OK) {
        fprintf(stderr, "tollgate: %s (hit counts shown as 0)\n", err);
        status = 1;
    }
    qsort(rs.rules, rs.n, sizeof *rs.rules, rules_list_cmp);
    printf("# %zu rules; alerts from run %lld of %s\n", rs.n, (long long)run, db);
    printf("%-16s %-7s %8s  %s\n", "gid:sid:rev", "action", "alerts", "msg");
    for (size_t i = 0; i < rs.n; i++) {
        const struct rule *r = rs.rules[i];
        char id[40];
        snprintf(id, sizeof id, "%u:%u:%u", r->gid, r->sid, r->rev);
        printf("%-16s %-7s %8llu  %s%s\n", id, rule_action_name(r->action),
               (unsigned long long)rules_list_lookup(&hits, r->gid, r->sid), r->msg ? r->msg : "",
               r->inactive_reason ? " (inactive: no decoder)" : "");
    }
    free(hits.v);
    ruleset_clear(&rs);
    config_free(cfg);
    return status;
}
