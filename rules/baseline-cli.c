/* baseline-cli.c - "tollgate baseline learn PCAP... -o FILE.rules": runs clean captures through the engine, learns every SIP message, writes the rules and checks that they load. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../decoders/sip.h"
#include "../sensor/capture.h"
#include "../sensor/config.h"
#include "../sensor/engine.h"
#include "baseline.h"

#define BASELINE_CLI_MAX_PCAPS 256

static int baseline_usage(void)
{
    fprintf(stderr, "usage: tollgate baseline learn [-c CONF] [--set K=V]... [--margin PCT] [--min-samples N]\n"
                    "                               [--sid-base N] [--max-values N] PCAP... -o FILE.rules\n"
                    "  learns SIP field lengths, bytes, values and headers from captures declared clean\n");
    return 2;
}

static void baseline_observe(void *arg, const char *app_proto, const void *msg, const struct packet *p)
{
    (void)p;
    if (strcmp(app_proto, "sip") == 0)
        baseline_learn(arg, (const struct sip_msg *)msg);
}

static bool parse_u32(const char *s, uint32_t max, uint32_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || s[0] == '-' || v > max)
        return false;
    *out = (uint32_t)v;
    return true;
}

/* Load the written file with the rule loader: every rule must be valid. */
static int baseline_check(const struct config *cfg, const char *path)
{
    char err[1024];
    struct engine *e = engine_new(cfg, NULL, err, sizeof err);
    const char *files[1] = {path};
    int rc = e ? engine_load_rules(e, cfg, files, 1, false, err, sizeof err) : TG_ERROR;
    if (rc != TG_OK)
        fprintf(stderr, "tollgate: %s: the written rules do not load: %s\n", path, err);
    engine_free(e);
    return rc;
}

static int baseline_learn_main(int argc, char **argv)
{
    struct config *cfg = config_new();
    const char *pcaps[BASELINE_CLI_MAX_PCAPS];
    size_t npcaps = 0;
    const char *out = NULL;
    struct { bool set; uint32_t v; } margin = {0}, mins = {0}, sidb = {0}, maxv = {0};
    char err[1024];
    if (!cfg)
        return 1;
    int status = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has = i + 1 < argc;
        if (strcmp(a, "-c") == 0 && has) {
            if (config_load(cfg, argv[++i], err, sizeof err) != TG_OK) {
                fprintf(stderr, "tollgate: %s\n", err);
                goto done;
            }
        } else if (strcmp(a, "--set") == 0 && has) {
            if (config_set(cfg, argv[++i]) != TG_OK)
                goto usage;
        } else if (strcmp(a, "-o") == 0 && has) {
            out = argv[++i];
        } else if (strcmp(a, "--margin") == 0 && has) {
            if (!parse_u32(argv[++i], 1000, &margin.v))
                goto usage;
            margin.set = true;
        } else if (strcmp(a, "--min-samples") == 0 && has) {
            if (!parse_u32(argv[++i], UINT32_MAX, &mins.v))
                goto usage;
            mins.set = true;
        } else if (strcmp(a, "--sid-base") == 0 && has) {
            if (!parse_u32(argv[++i], UINT32_MAX, &sidb.v) || sidb.v == 0)
                goto usage;
            sidb.set = true;
        } else if (strcmp(a, "--max-values") == 0 && has) {
            if (!parse_u32(argv[++i], BASELINE_VSET_MAX, &maxv.v))
                goto usage;
            maxv.set = true;
        } else if (a[0] == '-' && a[1]) {
            goto usage;
        } else {
            if (npcaps == BASELINE_CLI_MAX_PCAPS)
                goto usage;
            pcaps[npcaps++] = a;
        }
    }
    if (!npcaps || !out)
        goto usage;

    struct baseline_opts o;
    baseline_opts_default(&o, cfg);
    if (margin.set)
        o.margin_pct = margin.v;
    if (mins.set)
        o.min_samples = mins.v;
    if (sidb.set)
        o.sid_base = sidb.v;
    if (maxv.set)
        o.max_values = maxv.v;
    status = 1;
    struct baseline *b = baseline_new(&o);
    struct engine *e = b ? engine_new(cfg, NULL, err, sizeof err) : NULL;
    uint64_t msgs[BASELINE_CLI_MAX_PCAPS];
    if (!e) {
        fprintf(stderr, "tollgate: %s\n", b ? err : "out of memory");
        baseline_free(b);
        goto done;
    }
    engine_set_observer(e, baseline_observe, b);
    bool ok = true;
    for (size_t i = 0; i < npcaps && ok; i++) {
        uint64_t before = baseline_messages(b);
        if (capture_file(e, pcaps[i], NULL, err, sizeof err) != TG_OK) {
            fprintf(stderr, "tollgate: %s\n", err);
            ok = false;
        }
        /* messages of flows still open are handed over at the flush */
        if (i + 1 == npcaps)
            engine_flush(e);
        msgs[i] = baseline_messages(b) - before;
    }
    engine_free(e);
    if (ok) {
        char date[32];
        time_t now = time(NULL);
        struct tm tm;
        strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
        FILE *f = fopen(out, "w");
        if (!f) {
            fprintf(stderr, "tollgate: %s: cannot write\n", out);
        } else {
            int rc = baseline_write(b, f, pcaps, msgs, npcaps, date, err, sizeof err);
            if (fclose(f) != 0 && rc == TG_OK) {
                rc = TG_ERROR;
                snprintf(err, sizeof err, "write error");
            }
            if (rc != TG_OK) {
                fprintf(stderr, "tollgate: %s: %s\n", out, err);
                remove(out); /* a partial file must not be loaded by mistake */
            }
            else if (baseline_check(cfg, out) == TG_OK) {
                fprintf(stderr, "tollgate: learned %llu SIP messages from %zu capture%s, wrote %s\n",
                        (unsigned long long)baseline_messages(b), npcaps, npcaps == 1 ? "" : "s", out);
                status = 0;
            }
        }
    }
    baseline_free(b);
    goto done;
usage:
    status = baseline_usage();
done:
    config_free(cfg);
    return status;
}

int baseline_cli_main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "learn") == 0)
        return baseline_learn_main(argc - 1, argv + 1);
    return baseline_usage();
}
