/* rules-cli.c - "tollgate rules check": load rule files, report every error, print statistics. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "rule.h"
#include "rules-cli.h"

#define RULES_EXIT_RUNTIME 1
#define RULES_EXIT_USAGE 2

static void rules_usage(FILE *f)
{
    fprintf(f, "usage: tollgate rules check [-c CONF] [--set K=V]... [--skip-bad-rules] [-S FILE]... [FILE...]\n"
               "       tollgate rules test [-c CONF] [--set K=V]... RULES... PCAP...\n"
               "\n"
               "  Parse rule files (and the config's rule-files when no FILE is given), report every\n"
               "  error as FILE:LINE:COL: error: KEYWORD: message, and print statistics.\n"
               "  --skip-bad-rules  refuse bad rules but load the rest (each refused rule is listed)\n"
               "  exit status: 0 all rules load (or were skipped), 2 errors\n");
}

struct name_count {
    const char *name;
    size_t n;
};

static void count_name(struct name_count *t, size_t *nt, size_t cap, const char *name)
{
    for (size_t i = 0; i < *nt; i++) {
        if (strcmp(t[i].name, name) == 0) {
            t[i].n++;
            return;
        }
    }
    if (*nt < cap)
        t[(*nt)++] = (struct name_count){name, 1};
}

static int by_count(const void *a, const void *b)
{
    const struct name_count *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    return strcmp(x->name, y->name);
}

static void print_counts(const char *title, struct name_count *t, size_t nt)
{
    qsort(t, nt, sizeof(*t), by_count);
    printf("%s:", title);
    for (size_t i = 0; i < nt; i++)
        printf("%s %s %zu", i ? "," : "", t[i].name, t[i].n);
    printf("%s\n", nt ? "" : " none");
}

/* Statistics over the loaded rules, one line each, stable for scripts. */
static void rules_print_stats(const struct ruleset *rs)
{
    struct name_count act[RULE_ACTION_MAX], proto[128], buf[RULE_BUF_MAX + 64], inact[64];
    size_t nact = 0, nproto = 0, nbuf = 0, ninact = 0, fp = 0, nopayload = 0, inactive = 0;
    for (size_t i = 0; i < rs->n; i++) {
        const struct rule *r = rs->rules[i];
        count_name(act, &nact, TG_ARRAY_LEN(act), rule_action_name(r->action));
        count_name(proto, &nproto, TG_ARRAY_LEN(proto), r->proto_name);
        for (size_t l = 0; l < r->nlists; l++)
            count_name(buf, &nbuf, TG_ARRAY_LEN(buf), rule_buffer_name(r->lists[l].buffer));
        if (r->fp_list >= 0)
            fp++;
        else if (r->nlists == 0)
            nopayload++;
        if (r->inactive_reason) {
            inactive++;
            count_name(inact, &ninact, TG_ARRAY_LEN(inact), r->inactive_reason);
        }
    }
    printf("rules: %zu loaded, %zu skipped\n", rs->n, rs->skipped);
    print_counts("actions", act, nact);
    print_counts("protocols", proto, nproto);
    print_counts("buffers", buf, nbuf);
    printf("prefilter: %zu of %zu rules have a fast pattern (%.1f%%), %zu without payload matches, %zu other\n", fp,
           rs->n, rs->n ? 100.0 * (double)fp / (double)rs->n : 0.0, nopayload, rs->n - fp - nopayload);
    printf("inactive: %zu rules need a decoder this sensor does not have", inactive);
    if (ninact) {
        qsort(inact, ninact, sizeof(*inact), by_count);
        printf(" (");
        for (size_t i = 0; i < ninact; i++)
            printf("%s%s %zu", i ? ", " : "", inact[i].name, inact[i].n);
        printf(")");
    }
    printf("\n");
}

static int rules_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"skip-bad-rules", no_argument, NULL, 'k'},
        {"set", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *conf = NULL;
    bool skip = false;
    char err[1024];
    struct config *cfg = config_new();
    struct config *over = config_new();
    const char *files[256];
    size_t nfiles = 0;
    int status = 0, ch;
    if (!cfg || !over) {
        config_free(cfg);
        config_free(over);
        fprintf(stderr, "tollgate: out of memory\n");
        return RULES_EXIT_RUNTIME;
    }
    optind = 0;
    while ((ch = getopt_long(argc, argv, "c:S:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c': conf = optarg; break;
        case 'k': skip = true; break;
        case 'S':
            if (nfiles == TG_ARRAY_LEN(files)) {
                fprintf(stderr, "tollgate: too many rule files\n");
                status = RULES_EXIT_USAGE;
            } else {
                files[nfiles++] = optarg;
            }
            break;
        case 's':
            if (config_set(over, optarg) != TG_OK) {
                fprintf(stderr, "tollgate: --set %s: expected KEY=VALUE\n", optarg);
                status = RULES_EXIT_USAGE;
            }
            break;
        case 'h':
            rules_usage(stdout);
            config_free(cfg);
            config_free(over);
            return 0;
        default:
            status = RULES_EXIT_USAGE;
        }
    }
    for (int i = optind; i < argc && !status; i++) {
        if (nfiles == TG_ARRAY_LEN(files)) {
            fprintf(stderr, "tollgate: too many rule files\n");
            status = RULES_EXIT_USAGE;
        } else {
            files[nfiles++] = argv[i];
        }
    }
    if (!status && conf && config_load(cfg, conf, err, sizeof err) != TG_OK) {
        fprintf(stderr, "tollgate: %s\n", err);
        status = RULES_EXIT_USAGE;
    }
    if (status) {
        if (status == RULES_EXIT_USAGE)
            rules_usage(stderr);
        config_free(cfg);
        config_free(over);
        return status;
    }
    /* --set overrides the file: apply them again on top. */
    optind = 0;
    while ((ch = getopt_long(argc, argv, "c:S:h", longopts, NULL)) != -1)
        if (ch == 's')
            config_set(cfg, optarg);
    config_free(over);
    if (!nfiles && !config_get(cfg, "rule-files")) {
        fprintf(stderr, "tollgate: rules check: no rule files (give FILE, -S FILE or rule-files in the config)\n");
        rules_usage(stderr);
        config_free(cfg);
        return RULES_EXIT_USAGE;
    }
    struct rule_loader_opts opts = {.skip_bad = skip, .errors = stderr};
    struct rule_loader *ld = rule_loader_new(cfg, &opts, err, sizeof err);
    if (!ld) {
        fprintf(stderr, "tollgate: %s\n", err);
        config_free(cfg);
        return RULES_EXIT_USAGE;
    }
    struct ruleset rs = {0};
    rule_load_files(ld, &rs, cfg, files, nfiles);
    rules_print_stats(&rs);
    if (rs.errors > rs.skipped || (rs.errors && !skip)) {
        fprintf(stderr, "tollgate: rules check: %zu error%s\n", rs.errors, rs.errors == 1 ? "" : "s");
        status = RULES_EXIT_USAGE;
    } else if (rs.skipped) {
        fprintf(stderr, "tollgate: rules check: %zu rule%s skipped\n", rs.skipped, rs.skipped == 1 ? "" : "s");
    }
    ruleset_clear(&rs);
    rule_loader_free(ld);
    config_free(cfg);
    return status;
}

int rules_cli_main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        rules_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? RULES_EXIT_USAGE : 0;
    }
    if (strcmp(argv[1], "check") == 0)
        return rules_check(argc - 1, argv + 1);
    if (strcmp(argv[1], "test") == 0)
        return rules_test_main(argc - 1, argv + 1);
    fprintf(stderr, "tollgate: rules: unknown subcommand '%s'\n", argv[1]);
    rules_usage(stderr);
    return RULES_EXIT_USAGE;
}
