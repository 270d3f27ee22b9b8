/* mpmbench.c - prefilter throughput of each backend (Aho-Corasick, Hyperscan) on real rules and payloads.
 *
 *   mpmbench [-r RUNS] [-m MB] [-p] -S RULES [-S RULES]... PCAP...
 *
 * Loads the rule files with the project loader (bad rules skipped), puts
 * the fast pattern of every rule into one matcher per backend (with -p only
 * those in pkt_data: what the packet group's prefilter scans), decodes
 * the captures and keeps up to MB megabytes (default 64) of L4 payloads,
 * then scans every payload with each backend RUNS times (default 3) and
 * prints the best throughput per backend and the ratio hs/ac, plus the
 * number of (buffer, rule) candidates each selected, which must be equal.
 * Exit status 1 on a usage or load error or when the backends disagree. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../../rules/mpm.h"
#include "../../rules/rule.h"
#include "../../sensor/config.h"
#include "../../sensor/decode.h"

struct payloads {
    uint8_t *bytes;
    size_t used, cap;
    size_t *off, *len;
    size_t n, ncap;
};

static int payload_add(struct payloads *pl, const uint8_t *d, size_t len)
{
    if (pl->used + len > pl->cap)
        return TG_ERROR;
    if (pl->n == pl->ncap) {
        size_t nc = pl->ncap ? pl->ncap * 2 : 4096;
        size_t *no = realloc(pl->off, nc * sizeof *no), *nl;
        if (!no)
            return TG_ERROR;
        pl->off = no;
        if (!(nl = realloc(pl->len, nc * sizeof *nl)))
            return TG_ERROR;
        pl->len = nl;
        pl->ncap = nc;
    }
    memcpy(pl->bytes + pl->used, d, len);
    pl->off[pl->n] = pl->used;
    pl->len[pl->n++] = len;
    pl->used += len;
    return TG_OK;
}

static int load_pcap(struct payloads *pl, const char *path, const struct decode_ctx *dc)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(path, err);
    if (!pc) {
        fprintf(stderr, "mpmbench: %s: %s\n", path, err);
        return TG_ERROR;
    }
    struct pcap_pkthdr *h;
    const u_char *data;
    while (pcap_next_ex(pc, &h, &data) == 1) {
        struct packet p;
        memset(&p, 0, sizeof p);
        p.data = data;
        p.caplen = h->caplen;
        p.wirelen = h->len;
        p.datalink = pcap_datalink(pc);
        decode_packet(dc, &p);
        if (p.payload && p.payload_len && payload_add(pl, p.payload, p.payload_len) != TG_OK)
            break; /* the cap is reached: enough to measure */
    }
    pcap_close(pc);
    return TG_OK;
}

/* Distinct (buffer, pattern) pairs: the candidates the prefilter selects. */
struct cands {
    uint32_t *stamp;
    uint32_t gen;
    uint64_t n;
    uint64_t reports; /* callback calls: AC reports every occurrence */
};

static void on_hit(void *arg, uint32_t id)
{
    struct cands *c = arg;
    c->reports++;
    if (c->stamp[id] != c->gen) {
        c->stamp[id] = c->gen;
        c->n++;
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct result {
    bool ok;
    double best_s, build_s;
    uint64_t cands, reports;
    size_t mem;
    const char *name;
};

/* The patterns measured: every rule's fast pattern, or with pkt_only the
 * ones in pkt_data (what the packet group scans). */
static bool wanted(const struct rule *r, bool pkt_only, const uint8_t **bytes, size_t *len)
{
    const struct rule_list *list;
    if (!rule_fast_pattern(r, &list, bytes, len) || !*len)
        return false;
    return !pkt_only || (!list->header && list->buffer == RULE_BUF_PKT_DATA);
}

static struct result run_backend(enum mpm_backend b, const struct ruleset *rs, const struct payloads *pl, int runs,
                                 bool pkt_only, size_t npats)
{
    struct result res = {0};
    struct mpm *m = mpm_new_backend(b);
    struct cands c = {.stamp = calloc(rs->n ? rs->n : 1, sizeof *c.stamp)};
    if (!m || !c.stamp)
        goto out;
    double t0 = now_s();
    for (size_t i = 0; i < rs->n; i++) {
        const uint8_t *bytes;
        size_t len;
        if (wanted(rs->rules[i], pkt_only, &bytes, &len) && mpm_add(m, bytes, len, (uint32_t)i) != TG_OK)
            goto out;
    }
    if (mpm_build(m) != TG_OK || mpm_pattern_count(m) != npats)
        goto out;
    res.build_s = now_s() - t0;
    res.name = mpm_backend_name(m);
    res.mem = mpm_memuse(m);
    for (int r = 0; r < runs; r++) {
        c.n = c.reports = 0;
        double s = now_s();
        for (size_t i = 0; i < pl->n; i++) {
            if (++c.gen == 0) {
                memset(c.stamp, 0, rs->n * sizeof *c.stamp);
                c.gen = 1;
            }
            mpm_scan(m, pl->bytes + pl->off[i], pl->len[i], on_hit, &c);
        }
        double t = now_s() - s;
        if (r == 0 || t < res.best_s)
            res.best_s = t;
    }
    res.cands = c.n;
    res.reports = c.reports;
    res.ok = true;
out:
    free(c.stamp);
    mpm_free(m);
    return res;
}

int main(int argc, char **argv)
{
    int runs = 3;
    size_t max_mb = 64;
    bool pkt_only = false;
    const char *rules[64];
    size_t nrules = 0;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-r") == 0 && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (strcmp(argv[i], "-m") == 0 && i + 1 < argc)
            max_mb = (size_t)atol(argv[++i]);
        else if (strcmp(argv[i], "-p") == 0)
            pkt_only = true;
        else if (strcmp(argv[i], "-S") == 0 && i + 1 < argc && nrules < TG_ARRAY_LEN(rules))
            rules[nrules++] = argv[++i];
        else
            break;
    }
    if (i >= argc || nrules == 0 || runs < 1 || max_mb < 1) {
        fprintf(stderr, "usage: mpmbench [-r RUNS] [-m MB] [-p] -S RULES [-S RULES]... PCAP...\n");
        return 1;
    }
    struct config *cfg = config_new();
    struct rule_loader_opts opts = {.skip_bad = true, .errors = NULL};
    char err[256];
    struct rule_loader *ld = cfg ? rule_loader_new(cfg, &opts, err, sizeof err) : NULL;
    if (!ld) {
        fprintf(stderr, "mpmbench: %s\n", cfg ? err : "out of memory");
        return 1;
    }
    struct ruleset rs = {0};
    for (size_t k = 0; k < nrules; k++)
        rule_load_file(ld, &rs, rules[k]); /* bad rules are skipped and counted */
    rule_loader_free(ld);
    size_t npats = 0, nfp = 0, total_len = 0;
    for (size_t k = 0; k < rs.n; k++) {
        const uint8_t *bytes;
        size_t len;
        nfp += wanted(rs.rules[k], false, &bytes, &len);
        if (wanted(rs.rules[k], pkt_only, &bytes, &len)) {
            npats++;
            total_len += len;
        }
    }
    struct stats st;
    memset(&st, 0, sizeof st);
    struct decode_ctx dc;
    decode_ctx_init(&dc, cfg, &st);
    struct payloads pl = {.cap = max_mb << 20};
    if (!(pl.bytes = malloc(pl.cap))) {
        fprintf(stderr, "mpmbench: out of memory for %zu MB of payloads\n", max_mb);
        return 1;
    }
    int rc = 0;
    for (; i < argc; i++)
        if (load_pcap(&pl, argv[i], &dc) != TG_OK)
            rc = 1;
    double mb = (double)pl.used / 1e6;
    printf("rules: %zu loaded (%zu refused) from %zu files; %zu with a fast pattern; %zu patterns%s "
           "(mean %.1f bytes)\n",
           rs.n, rs.skipped, nrules, nfp, npats, pkt_only ? " in pkt_data" : "",
           npats ? (double)total_len / (double)npats : 0.0);
    printf("payloads: %zu buffers, %.1f MB (mean %.0f bytes); best of %d runs\n", pl.n, mb,
           pl.n ? (double)pl.used / (double)pl.n : 0.0, runs);
    struct result r[2];
    enum mpm_backend bk[2] = {MPM_BACKEND_AC, MPM_BACKEND_HS};
    if (npats == 0) {
        printf("no fast patterns to measure\n");
        bk[0] = bk[1] = MPM_BACKEND_AUTO; /* skip both */
        r[0].ok = r[1].ok = false;
    }
    for (int k = 0; k < 2 && npats; k++) {
        if (bk[k] == MPM_BACKEND_HS && !mpm_hs_usable()) {
            r[k].ok = false;
            printf("%-3s unavailable (not built in, or the CPU lacks SSSE3)\n", "hs");
            continue;
        }
        r[k] = run_backend(bk[k], &rs, &pl, runs, pkt_only, npats);
        if (!r[k].ok || strcmp(r[k].name, k ? "hs" : "ac") != 0) {
            printf("%-3s failed to build\n", k ? "hs" : "ac");
            r[k].ok = false;
            rc = 1;
            continue;
        }
        printf("%-3s %8.1f MB/s  %8.3f s  candidates %llu  reports %llu  build %.3f s  memory %.1f MB\n",
               r[k].name, r[k].best_s > 0 ? mb / r[k].best_s : 0.0, r[k].best_s, (unsigned long long)r[k].cands,
               (unsigned long long)r[k].reports, r[k].build_s, (double)r[k].mem / 1e6);
    }
    if (r[0].ok && r[1].ok) {
        printf("ratio hs/ac: %.2f\n", r[1].best_s > 0 ? r[0].best_s / r[1].best_s : 0.0);
        if (r[0].cands != r[1].cands) {
            printf("MISMATCH: ac selected %llu candidates, hs %llu\n", (unsigned long long)r[0].cands,
                   (unsigned long long)r[1].cands);
            rc = 1;
        }
    }
    free(pl.bytes);
    free(pl.off);
    free(pl.len);
    ruleset_clear(&rs);
    config_free(cfg);
    return rc;
}
