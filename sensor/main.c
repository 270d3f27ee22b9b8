/* main.c - the tollgate command line: subcommands and their options.
 *
 * Exit status (DESIGN.md): 0 done, 1 runtime error, 2 usage or configuration
 * error. Errors go to stderr and name the file, line or packet at fault. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "capture.h"
#include "config.h"
#include "engine.h"
#include "iplist-cli.h"
#include "output.h"
#include "store.h"
#include "thread-affinity.h"
#include "report.h"
#include "rules-cli.h"
#include "baseline.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2
#define TG_VERSION "0.1.0"
/* sniff writes a stats event this often by default (stats.interval). */
#define MAIN_STATS_INTERVAL_NS (60 * TG_NS_PER_SEC)

static void usage(FILE *f)
{
    fprintf(f,
            "usage: tollgate analyze [-c CONF] [--set K=V]... [-S RULES]... [-l DIR] [-q] PCAP...\n"
            "       tollgate sniff   [-c CONF] [--set K=V]... [-l DIR] -i IFACE [-f BPF] [-n COUNT]\n"
            "       tollgate inline  [-c CONF] [--set K=V]... [-l DIR] -q N[-M] [-u USER] [-n COUNT]\n"
            "       tollgate iplist import FILE... -o LIST\n"
            "       tollgate report --db FILE [--from T] [--to T] [--format text|csv|html|json]\n"
            "       tollgate rules check [-c CONF] [--skip-bad-rules] [-S FILE]... [FILE...]\n"
            "       tollgate baseline learn [-c CONF] [--margin PCT] [--min-samples N] [--sid-base N] PCAP... -o FILE.rules\n"
            "       tollgate version\n"
            "\n"
            "  -c CONF      configuration file (key = value lines)\n"
            "  --set K=V    override one configuration key\n"
            "  -l DIR       log directory (default ./tollgate-log): eve.json, fast.log, tollgate.db\n"
            "  -S FILE      load rules from FILE (repeatable; replaces the config's rule-files)\n"
            "  --skip-bad-rules  load the good rules when some are bad (each bad one is listed)\n"
            "  -q           analyze/sniff: no progress bar and no statistics on stderr\n"
            "  -q N[-M]     inline: NFQUEUE queue number or range (then --quiet is quiet)\n"
            "  -u USER      inline: drop privileges to USER once the queues are open\n"
            "  -i IFACE     interface to sniff\n"
            "  -f BPF       capture filter (libpcap syntax)\n"
            "  -n COUNT     stop after COUNT packets\n");
}

struct cli {
    const char *conf;
    const char *logdir;
    const char *iface;
    const char *bpf;
    const char *queues;
    const char *user;
    bool inline_mode;
    uint64_t count;
    bool quiet;
    bool skip_bad_rules;
    const char *rule_files[64];
    size_t nrule_files;
    struct config *cfg;
};

/* Set by SIGHUP; the engine reloads its rules before the next packet. */
static volatile sig_atomic_t main_reload_requested;

static void main_on_sighup(int sig)
{
    TG_UNUSED(sig);
    main_reload_requested = 1;
}

static uint64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * TG_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* Parse the options shared by the engine subcommands; returns optind or -1. */
static int cli_parse(struct cli *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"set", required_argument, NULL, 'S' + 256},
        {"quiet", no_argument, NULL, 'Q' + 256},
        {"skip-bad-rules", no_argument, NULL, 'K' + 256},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    optind = 0; /* glibc: 0 re-initialises getopt fully */
    const char *shortopts = c->inline_mode ? "c:l:q:u:n:S:h" : "c:l:i:f:n:qS:h";
    while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        switch (ch) {
        case 'c': c->conf = optarg; break;
        case 'l': c->logdir = optarg; break;
        case 'i': c->iface = optarg; break;
        case 'f': c->bpf = optarg; break;
        case 'n': {
            char *end;
            c->count = strtoull(optarg, &end, 10);
            if (!*optarg || *end || optarg[0] == '-') {
                fprintf(stderr, "tollgate: -n %s: expected a packet count\n", optarg);
                return -1;
            }
            break;
        }
        case 'q':
            if (c->inline_mode)
                c->queues = optarg;
            else
                c->quiet = true;
            break;
        case 'u': c->user = optarg; break;
        case 'Q' + 256: c->quiet = true; break;
        case 'K' + 256: c->skip_bad_rules = true; break;
        case 'S':
            if (c->nrule_files == TG_ARRAY_LEN(c->rule_files)) {
                fprintf(stderr, "tollgate: too many -S files (at most %zu)\n", TG_ARRAY_LEN(c->rule_files));
                return -1;
            }
            c->rule_files[c->nrule_files++] = optarg;
            break;
        case 'S' + 256:
            if (config_set(c->cfg, optarg) != TG_OK) {
                fprintf(stderr, "tollgate: --set %s: expected KEY=VALUE\n", optarg);
                return -1;
            }
            break;
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); return -1;
        }
    }
    return optind;
}

static const char *signal_name(int sig)
{
    switch (sig) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    default: return "a signal";
    }
}

/* Read every file in order through one engine, so flows continue across
 * files. A file that fails is reported and the next one is still read; a
 * signal stops the run (the caller flushes flows and writes statistics). */
static int run_files(struct engine *e, const struct config *cfg, char **paths, int n, bool quiet,
                     const struct thread_affinity *aff)
{
    struct capture_run pr;
    char err[1024];
    int status = 0;
    capture_run_init(&pr, paths, n, !quiet && isatty(STDERR_FILENO), config_get_bool(cfg, "capture.mmap", true));
    pr.threaded = capture_threaded_wanted(cfg);
    pr.affinity = aff;
    for (int i = 0; i < n; i++) {
        int r = CAPTURE_INTERRUPTED;
        if (capture_stop_signal())
            snprintf(err, sizeof err, "%s: not read", paths[i]);
        else
            r = capture_file(e, paths[i], &pr, err, sizeof err);
        if (r == TG_OK)
            continue;
        capture_progress_break(&pr);
        if (r == CAPTURE_INTERRUPTED) {
            fprintf(stderr, "tollgate: %s (%s); writing flows and statistics of what was read%s\n", err,
                    signal_name(capture_stop_signal()), i + 1 < n ? ", later files not read" : "");
            status = EXIT_RUNTIME;
            break;
        }
        fprintf(stderr, "tollgate: %s\n", err);
        status = EXIT_RUNTIME;
    }
    capture_progress_finish(&pr);
    return status;
}

static int run_engine(const char *mode, int argc, char **argv)
{
    struct cli c = {.logdir = "tollgate-log", .inline_mode = strcmp(mode, "inline") == 0};
    char err[1024];
    c.cfg = config_new();
    if (!c.cfg) {
        fprintf(stderr, "tollgate: out of memory\n");
        return EXIT_RUNTIME;
    }
    int ix = cli_parse(&c, argc, argv);
    if (ix < 0) {
        config_free(c.cfg);
        return EXIT_USAGE;
    }
    if (c.conf) {
        /* The file first, then --set overrides on top of it. */
        struct config *file = config_new();
        if (!file || config_load(file, c.conf, err, sizeof err) != TG_OK) {
            fprintf(stderr, "tollgate: %s\n", file ? err : "out of memory");
            config_free(file);
            config_free(c.cfg);
            return EXIT_USAGE;
        }
        cli_parse(&(struct cli){.cfg = file, .inline_mode = c.inline_mode}, argc, argv);
        config_free(c.cfg);
        c.cfg = file;
    }
    bool offline = strcmp(mode, "analyze") == 0;
    /* Modules that act differently inline (verdicts) read the run mode. */
    config_set(c.cfg, c.inline_mode ? "runmode=inline" : offline ? "runmode=offline" : "runmode=sniff");
    if ((offline && ix >= argc) || (c.inline_mode && !c.queues) ||
        (!offline && !c.inline_mode && !c.iface)) {
        usage(stderr);
        config_free(c.cfg);
        return EXIT_USAGE;
    }
    struct output *out = output_open(c.logdir, c.cfg, NULL, err, sizeof err);
    if (!out) {
        fprintf(stderr, "tollgate: %s\n", err);
        config_free(c.cfg);
        return EXIT_RUNTIME;
    }
    struct engine *e = engine_new(c.cfg, out, err, sizeof err);
    if (!e) {
        fprintf(stderr, "tollgate: %s\n", err);
        output_close(out);
        config_free(c.cfg);
        return EXIT_RUNTIME;
    }
    output_set_stats(out, engine_stats(e));
    bool pin = offline && capture_pin_wanted(c.cfg);
    if (config_error(c.cfg)) {
        /* Every module has read its keys by now; a value none could parse
         * is a configuration error, not a silent default. */
        fprintf(stderr, "tollgate: %s\n", config_error(c.cfg));
        engine_free(e);
        output_close(out);
        config_free(c.cfg);
        return EXIT_USAGE;
    }
    if (engine_load_rules(e, c.cfg, c.rule_files, c.nrule_files, c.skip_bad_rules, err, sizeof err) != TG_OK) {
        fprintf(stderr, "tollgate: %s\n", err);
        engine_free(e);
        output_close(out);
        config_free(c.cfg);
        return EXIT_USAGE;
    }

    engine_watch_reload(e, &main_reload_requested);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = main_on_sighup;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGHUP, &sa, NULL);

    char inputs[4096] = "";
    if (offline)
        for (int i = ix; i < argc; i++)
            snprintf(inputs + strlen(inputs), sizeof inputs - strlen(inputs), "%s%s", i > ix ? " " : "", argv[i]);
    else if (c.inline_mode)
        snprintf(inputs, sizeof inputs, "nfqueue:%s", c.queues);
    else
        snprintf(inputs, sizeof inputs, "%s", c.iface);
    output_begin_run(out, mode, inputs, wall_ns());

    int status = 0;
    capture_signals_install();
    /* Offline with a capture thread: the engine thread keeps a CPU of its
     * own until the end of the run (the flush and the writer's last rows
     * are busy on both CPUs too); the writer threads (store, eve.json) and
     * the capture thread share the others. */
    struct thread_affinity aff = {.active = false};
    if (pin && thread_affinity_split(&aff))
        output_pin_helpers(out, &aff);
    if (offline) {
        status = run_files(e, c.cfg, argv + ix, argc - ix, c.quiet, &aff);
    } else if (c.inline_mode) {
        int rc = capture_nfqueue(e, c.queues, c.user, c.count, err, sizeof err);
        if (rc != TG_OK) {
            fprintf(stderr, "tollgate: %s\n", err);
            status = rc == TG_DECLINED ? EXIT_USAGE : EXIT_RUNTIME;
        }
    } else {
        uint64_t interval = config_get_duration_ns(c.cfg, "stats.interval", MAIN_STATS_INTERVAL_NS);
        int r = capture_live(e, c.iface, c.bpf, c.count, interval, err, sizeof err);
        const struct stats *st = engine_stats(e);
        if (r != TG_OK) {
            fprintf(stderr, "tollgate: %s\n", err);
            status = r == CAPTURE_USAGE ? EXIT_USAGE : EXIT_RUNTIME;
        } else if (!c.quiet) {
            char why[64] = "done";
            if (capture_stop_signal())
                snprintf(why, sizeof why, "stopped by %s", signal_name(capture_stop_signal()));
            fprintf(stderr, "tollgate: sniff %s %s: %llu packets, kernel received %llu, dropped %llu\n", c.iface,
                    why, (unsigned long long)st->c[STAT_CAPTURE_PACKETS],
                    (unsigned long long)st->c[STAT_CAPTURE_KERNEL_RECEIVED],
                    (unsigned long long)st->c[STAT_CAPTURE_KERNEL_DROPS]);
        }
    }

    engine_flush(e);
    struct stats *st = engine_stats(e);
    uint64_t end = offline && engine_now(e) ? engine_now(e) : wall_ns();
    output_sync(out); /* the store's row counts, final in the stats record */
    output_stats(out, st, end);
    output_end_run(out, wall_ns(), st);
    if (!c.quiet)
        stats_print(st, stderr);
    engine_free(e);
    output_close(out);
    thread_affinity_restore(&aff);
    config_free(c.cfg);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    store_library_init();
    if (strcmp(cmd, "analyze") == 0 || strcmp(cmd, "sniff") == 0 || strcmp(cmd, "inline") == 0)
        return run_engine(cmd, argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0)
        return report_cli_main(argc - 1, argv + 1);
    if (strcmp(cmd, "iplist") == 0)
        return iplist_cli_main(argc - 1, argv + 1);
    if (strcmp(cmd, "rules") == 0)
        return rules_cli_main(argc - 1, argv + 1);
    if (strcmp(cmd, "baseline") == 0)
        return baseline_cli_main(argc - 1, argv + 1);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("tollgate %s\n", TG_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "tollgate: unknown command '%s'\n", cmd);
    usage(stderr);
    return EXIT_USAGE;
}
