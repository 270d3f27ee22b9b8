/* test-threshold-config.c - the threshold/suppress file: parsing, errors, effect. */
#include "../rules/threshold-config.h"
#include "test.h"

#define SEC TG_NS_PER_SEC

static struct ip_addr v4(uint8_t c, uint8_t d)
{
    struct ip_addr x = {.family = 4};
    x.b[0] = 198;
    x.b[1] = 18;
    x.b[2] = c;
    x.b[3] = d;
    return x;
}

TEST(parse_errors_name_line_col_keyword)
{
    struct threshold_config *tc = threshold_config_new();
    char err[256];
    CHECK(threshold_config_line(tc, "t.conf", 3, "supress gen_id 1, sig_id 2", err, sizeof err) == TG_ERROR);
    CHECK_STR(err, "t.conf:3:1: error: supress: expected suppress, event_filter, threshold or rate_filter");
    CHECK(threshold_config_line(tc, "t.conf", 4, "event_filter gen_id 1, sig_id 5, type sometimes, track by_src, count 1, seconds 1",
                                err, sizeof err) == TG_ERROR);
    CHECK_STR(err, "t.conf:4:34: error: type: expected limit, threshold or both");
    CHECK(threshold_config_line(tc, "t.conf", 5, "rate_filter gen_id 1, sig_id 5, track by_src, count 1, seconds 1",
                                err, sizeof err) == TG_ERROR);
    CHECK_STR(err, "t.conf:5:1: error: rate_filter: missing new_action");
    CHECK(threshold_config_line(tc, "t.conf", 6, "suppress gen_id 1, sig_id 5, track by_src, ip 198.18.0.0/33",
                                err, sizeof err) == TG_ERROR);
    CHECK_STR(err, "t.conf:6:44: error: ip: not an address or CIDR block");
    CHECK(threshold_config_line(tc, "t.conf", 7, "   # only a comment", err, sizeof err) == TG_OK);
    CHECK_EQ_U(threshold_config_count(tc), 0);
    threshold_config_free(tc);
}

TEST(suppress_by_sid_and_address)
{
    struct threshold_config *tc = threshold_config_new();
    char err[256];
    CHECK(threshold_config_line(tc, "t", 1, "suppress gen_id 1, sig_id 100", err, sizeof err) == TG_OK);
    CHECK(threshold_config_line(tc, "t", 2, "suppress gen_id 1, sig_id 200, track by_src, ip [198.18.1.0/24, 198.18.9.9]",
                                err, sizeof err) == TG_OK);
    struct ip_addr a = v4(1, 5), b = v4(2, 2), c = v4(9, 9);
    CHECK(threshold_config_suppressed(tc, 1, 100, &b, &a));
    CHECK(!threshold_config_suppressed(tc, 140, 100, &b, &a)); /* other gid */
    CHECK(threshold_config_suppressed(tc, 1, 200, &a, &b));
    CHECK(threshold_config_suppressed(tc, 1, 200, &c, &b));
    CHECK(!threshold_config_suppressed(tc, 1, 200, &b, &a)); /* a is the destination */
    threshold_config_free(tc);
}

TEST(event_filter_and_rate_filter_apply)
{
    struct threshold_config *tc = threshold_config_new();
    struct stats st = {0};
    struct threshold_table *t = threshold_new(NULL, &st);
    char err[256];
    CHECK(threshold_config_line(tc, "t", 1, "event_filter gen_id 1, sig_id 0, type limit, track by_src, count 2, seconds 60",
                                err, sizeof err) == TG_OK);
    CHECK(threshold_config_line(tc, "t", 2, "rate_filter gen_id 1, sig_id 300, track by_rule, count 3, seconds 10, new_action drop, timeout 20",
                                err, sizeof err) == TG_OK);
    struct ip_addr a = v4(0, 1), b = v4(0, 2);
    int alerts = 0;
    for (int i = 0; i < 5; i++) {
        enum tc_action act = TC_ACTION_ALERT;
        alerts += threshold_config_apply(tc, t, 1, 7, &a, &b, (100 + (uint64_t)i) * SEC, &act);
    }
    CHECK_EQ_U(alerts, 2); /* limit 2 per source per minute, for any sid */
    int drops = 0;
    for (int i = 0; i < 6; i++) {
        enum tc_action act = TC_ACTION_ALERT;
        struct ip_addr src = v4(5, (uint8_t)i); /* by_rule: sources do not matter */
        /* the event_filter (sig_id 0) limits per source: fresh sources pass it */
        CHECK(threshold_config_apply(tc, t, 1, 300, &src, &b, (200 + (uint64_t)i) * SEC, &act));
        drops += act == TC_ACTION_DROP;
    }
    CHECK_EQ_U(drops, 3); /* the 4th, 5th and 6th exceed 3 in 10 s */
    threshold_free(t);
    threshold_config_free(tc);
}

TEST_MAIN(T(parse_errors_name_line_col_keyword), T(suppress_by_sid_and_address), T(event_filter_and_rate_filter_apply))
