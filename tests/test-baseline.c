/* test-baseline.c - the baseline learner: length histogram and percentiles, byte-set classes, value sets, and a written file that the rule loader accepts rule for rule. */
#include <stdio.h>
#include "../decoders/sip.h"
#include "../rules/baseline.h"
#include "../rules/rule.h"
#include "../sensor/config.h"
#include "test.h"

TEST(hist_exact_percentiles)
{
    struct baseline_hist h = {0};
    CHECK_EQ_U(baseline_hist_percentile(&h, 99), 0);
    for (uint32_t i = 1; i <= 100; i++)
        baseline_hist_add(&h, i);
    CHECK_EQ_U(h.n, 100);
    CHECK_EQ_U(h.max, 100);
    CHECK_EQ_U(baseline_hist_percentile(&h, 99), 99);
    CHECK_EQ_U(baseline_hist_percentile(&h, 50), 50);
    CHECK_EQ_U(baseline_hist_percentile(&h, 100), 100);
    CHECK_EQ_U(baseline_hist_percentile(&h, 1), 1);
}

TEST(hist_wide_buckets)
{
    struct baseline_hist h = {0};
    /* 300 falls in the 16-byte bucket 288..303: p99 is its upper edge */
    for (int i = 0; i < 100; i++)
        baseline_hist_add(&h, 300);
    baseline_hist_add(&h, 5000); /* past the last edge: the overflow bucket */
    CHECK_EQ_U(h.max, 5000);
    CHECK_EQ_U(baseline_hist_percentile(&h, 99), 303);
    CHECK_EQ_U(baseline_hist_percentile(&h, 100), 5000);
    /* the edge never exceeds the real maximum */
    struct baseline_hist g = {0};
    baseline_hist_add(&g, 290);
    CHECK_EQ_U(baseline_hist_percentile(&g, 99), 290);
    CHECK_EQ_U(sizeof g.bucket / sizeof g.bucket[0], BASELINE_HIST_BUCKETS);
}

TEST(charset_classes)
{
    struct baseline_charset c = {0};
    char cls[1400], desc[600];
    baseline_charset_add(&c, (const uint8_t *)"abc-12", 6);
    CHECK(baseline_charset_pcre_class(&c, cls, sizeof cls) > 0);
    CHECK_STR(cls, "[^\\x2d0-9a-z]");
    baseline_charset_describe(&c, desc, sizeof desc);
    CHECK_STR(desc, "0-9 a-z and -");
    baseline_charset_add(&c, (const uint8_t *)"Q \"<\x01", 5);
    baseline_charset_pcre_class(&c, cls, sizeof cls);
    CHECK_STR(cls, "[^\\x01\\x20\\x22\\x2d0-9\\x3cA-Za-z]");
    baseline_charset_describe(&c, desc, sizeof desc);
    CHECK_STR(desc, "0-9 A-Z a-z and \\x01 SP \"-<");
    /* every byte seen: no class is possible */
    uint8_t all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    struct baseline_charset a = {0};
    baseline_charset_add(&a, all, sizeof all);
    CHECK_EQ_U(baseline_charset_pcre_class(&a, cls, sizeof cls), 0);
    /* a buffer too small is refused, not cut */
    CHECK_EQ_U(baseline_charset_pcre_class(&c, cls, 8), 0);
}

TEST(value_sets)
{
    struct baseline_vset v = {0};
    for (int i = 0; i < 5; i++) {
        baseline_vset_add(&v, (const uint8_t *)"Acme/1", 6);
        baseline_vset_add(&v, (const uint8_t *)"Foo 2", 5);
    }
    CHECK_EQ_U(v.n, 2);
    CHECK_EQ_U(v.seen[0], 5);
    CHECK(baseline_vset_stable(&v, 8));
    CHECK(!baseline_vset_stable(&v, 1)); /* more values than allowed */
    baseline_vset_add(&v, (const uint8_t *)"rare", 4);
    CHECK(!baseline_vset_stable(&v, 8)); /* a value seen once: a long tail */
    baseline_vset_add(&v, (const uint8_t *)"rare", 4);
    baseline_vset_add(&v, (const uint8_t *)"rare", 4);
    CHECK(baseline_vset_stable(&v, 8));
    /* too many distinct values, or one too long: never a rule */
    struct baseline_vset w = {0};
    char val[8];
    for (int i = 0; i < BASELINE_VSET_MAX + 1; i++) {
        int n = snprintf(val, sizeof val, "v%d", i);
        for (int k = 0; k < 3; k++)
            baseline_vset_add(&w, (const uint8_t *)val, (size_t)n);
    }
    CHECK(w.overflow);
    CHECK(!baseline_vset_stable(&w, BASELINE_VSET_MAX));
    struct baseline_vset l = {0};
    uint8_t big[BASELINE_VALUE_MAX + 1];
    memset(big, 'x', sizeof big);
    baseline_vset_add(&l, big, sizeof big);
    CHECK(l.overflow);
    struct baseline_vset e = {0};
    CHECK(!baseline_vset_stable(&e, 8));
}

static struct sip_header hdrs[64];

static void learn(struct baseline *b, const char *s)
{
    struct sip_msg m;
    sip_msg_init(&m, hdrs, 64);
    CHECK(sip_parse_message((const uint8_t *)s, strlen(s), SIP_DATAGRAM, &m) > 0);
    baseline_learn(b, &m);
}

/* Load text with the rule loader; returns the rules loaded (errors: -1). */
static long load_rules(const char *text, size_t len)
{
    struct config *cfg = config_new();
    struct rule_loader_opts opts = {.skip_bad = false, .errors = stderr};
    char err[256];
    struct rule_loader *ld = rule_loader_new(cfg, &opts, err, sizeof err);
    struct ruleset rs = {0};
    long n = -1;
    if (ld && rule_load_buffer(ld, &rs, "baseline.rules", text, len) == TG_OK && rs.errors == 0)
        n = (long)rs.n;
    rule_loader_free(ld);
    ruleset_clear(&rs);
    config_free(cfg);
    return n;
}

static long count_lines(const char *text, const char *prefix)
{
    long n = 0;
    size_t pl = strlen(prefix);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        n += strncmp(p, prefix, pl) == 0;
    return n;
}

TEST(writer_output_loads)
{
    struct baseline_opts o;
    baseline_opts_default(&o, NULL);
    o.min_samples = 20;
    struct baseline *b = baseline_new(&o);
    CHECK(b != NULL);
    if (!b)
        return;
    char msg[1024];
    for (int i = 0; i < 30; i++) {
        snprintf(msg, sizeof msg,
                 "INVITE sip:%d@site.test SIP/2.0\r\n"
                 "Via: SIP/2.0/UDP 198.18.0.%d:5060;branch=z9hG4bK%05d\r\n"
                 "Max-Forwards: 70\r\n"
                 "From: \"User %d\" <sip:%d@site.test>;tag=%d\r\n"
                 "To: <sip:%d@site.test>\r\n"
                 "Call-ID: %08x@198.18.0.1\r\n"
                 "CSeq: %d INVITE\r\n"
                 "User-Agent: %s\r\n"
                 "%s"
                 "Content-Length: 0\r\n\r\n",
                 1000 + i, 10 + i, i * 37, i, 1000 + i, 4000 + i * 7, 2000 + i, 0x1000u * (unsigned)i, i + 1,
                 i % 2 ? "Phone/1.0" : "Phone/2.0", i % 3 ? "" : "Subject: hi\r\n");
        learn(b, msg);
    }
    for (int i = 0; i < 5; i++)
        learn(b, "BYE sip:x@site.test SIP/2.0\r\nVia: SIP/2.0/UDP 198.18.0.1\r\nCall-ID: a\r\nCSeq: 2 BYE\r\n\r\n");
    for (int i = 0; i < 25; i++)
        learn(b, "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 198.18.0.1\r\nVia: SIP/2.0/UDP 198.18.0.2\r\n"
                 "Call-ID: a\r\nCSeq: 1 INVITE\r\nServer: Pbx\r\nContent-Length: 0\r\n\r\n");
    CHECK_EQ_U(baseline_messages(b), 60);

    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    const char *src[1] = {"site.pcap"};
    const uint64_t cnt[1] = {60};
    char err[128];
    CHECK(baseline_write(b, f, src, cnt, 1, "2026-01-01T00:00:00Z", err, sizeof err) == TG_OK);
    fclose(f);
    baseline_free(b);
    if (!text)
        return;
    /* the header and the measurements */
    CHECK(strstr(text, "# source: \"site.pcap\" (60 SIP messages)\n") != NULL);
    CHECK(strstr(text, "# date: 2026-01-01T00:00:00Z\n") != NULL);
    CHECK(strstr(text, "# messages: 35 requests, 25 responses\n") != NULL);
    /* From: "User 9" <sip:1009@site.test>;tag=4063 (38) .. "User 29" ...;tag=4203 (39) */
    CHECK(strstr(text, "# INVITE sip.from: 30 samples, max 39, p99 39 bytes; limit 39+25% = 49\n") != NULL);
    CHECK(strstr(text, "sip_method:INVITE; sip.from; bsize:>49; classtype:protocol-command-decode; sid:") != NULL);
    CHECK(strstr(text, "sip_method:INVITE; sip.call_id; pcre:\"/[^\\x2e0-9\\x40a-z]/\";") != NULL);
    CHECK(strstr(text, "sip_method:INVITE; sip.user_agent; pcre:!\"/^(?:Phone\\x2f2\\x2e0|Phone\\x2f1\\x2e0)$/\";") !=
          NULL);
    CHECK(strstr(text, "sip_method:INVITE; sip.header_missing:Max-Forwards;") != NULL);
    CHECK(strstr(text, "sip_method:INVITE; sip.header_count:Call-ID,>1;") != NULL);
    /* Subject in a third of the INVITEs: not required, but never repeated */
    CHECK(strstr(text, "sip.header_missing:Subject;") == NULL);
    CHECK(strstr(text, "# BYE sip.call_id: 5 samples, fewer than 20: skipped\n") != NULL);
    /* headers without a buffer of their own go through sip.header:NAME */
    CHECK(strstr(text, "# INVITE sip.header:Max-Forwards: 30 samples, max 2, p99 2 bytes; limit 2+25% = 4\n") != NULL);
    CHECK(strstr(text, "sip_method:INVITE; sip.header:Max-Forwards; bsize:>4;") != NULL);
    CHECK(strstr(text, "sip_method:INVITE; sip.header:Max-Forwards; pcre:\"/[^0-9]/\";") != NULL);
    CHECK(strstr(text, "# INVITE sip.header:Subject: 10 samples, fewer than 20: skipped\n") != NULL);
    CHECK(strstr(text, "sip.header:From;") == NULL);
    CHECK(strstr(text, "# BYE headers: 5 messages, fewer than 20: no header rules\n") != NULL);
    /* responses: two Via each, so Via is required but may repeat */
    CHECK(strstr(text, "sip.stat_code; bsize:>0; sip.header_missing:Via;") != NULL);
    CHECK(strstr(text, "sip.stat_code; bsize:>0; sip.header_count:Via,>1;") == NULL);
    CHECK(strstr(text, "sip.stat_code; bsize:>0; sip.header_count:CSeq,>1;") != NULL);
    CHECK(strstr(text, "# response sip.via: 50 samples,") != NULL);
    /* two methods, each seen at least 3 times: a small, stable set */
    CHECK(strstr(text, "sip.method; pcre:!\"/^(?:INVITE|BYE)$/\";") != NULL);
    /* every rule loads, and sids run from the base without gaps */
    long alerts = count_lines(text, "alert ");
    CHECK(alerts > 20);
    CHECK_EQ_U(load_rules(text, len), (unsigned long long)alerts);
    char last[64];
    snprintf(last, sizeof last, "sid:%ld; rev:1;)", (long)BASELINE_SID_BASE + alerts - 1);
    CHECK(strstr(text, last) != NULL);
    CHECK(strstr(text, "sid:9200000; rev:1;)") != NULL);
    free(text);
}

TEST(method_cap)
{
    struct baseline_opts o;
    baseline_opts_default(&o, NULL);
    o.max_classes = 1;
    o.max_headers = 1;
    o.min_samples = 1;
    struct baseline *b = baseline_new(&o);
    if (!b)
        return;
    learn(b, "INVITE sip:a@b SIP/2.0\r\nCall-ID: 1\r\n\r\n");
    learn(b, "FOO sip:a@b SIP/2.0\r\nCall-ID: 1\r\n\r\n");
    learn(b, "INVITE sip:a@b SIP/2.0\r\nCall-ID: 2\r\nX-Extra: y\r\nX-More: z\r\n\r\n");
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    char err[128];
    CHECK(baseline_write(b, f, NULL, NULL, 0, "now", err, sizeof err) == TG_OK);
    fclose(f);
    baseline_free(b);
    CHECK(text && strstr(text, "1 requests of methods over the 1-method cap or not a token") != NULL);
    CHECK(text && strstr(text, "# ==== FOO") == NULL);
    CHECK(text && strstr(text, "# ==== INVITE: 2 messages ====") != NULL);
    CHECK(text && strstr(text, "#   (2 header occurrences over the 1-name cap were not tracked)\n") != NULL);
    CHECK(text && strstr(text, "X-Extra") == NULL);
    CHECK(text && load_rules(text, len) == count_lines(text, "alert "));
    free(text);
}

TEST_MAIN(T(hist_exact_percentiles), T(hist_wide_buckets), T(charset_classes), T(value_sets), T(writer_output_loads),
          T(method_cap))
