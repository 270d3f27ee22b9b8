/* test-detect-state.c - thresholds, xbits and flowbits (rules/ state modules). */
#include "../rules/flowbits.h"
#include "../rules/threshold.h"
#include "../rules/xbits.h"
#include "../sensor/config.h"
#include "test.h"

#define SEC TG_NS_PER_SEC

static struct ip_addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    struct ip_addr x = {.family = 4};
    x.b[0] = a;
    x.b[1] = b;
    x.b[2] = c;
    x.b[3] = d;
    return x;
}

/* Run n matches one second apart from src->dst; return how many alerted. */
static int run(struct threshold_table *t, const struct threshold_spec *sp, uint32_t sid, int n,
               struct ip_addr src, struct ip_addr dst, uint64_t start, uint64_t step)
{
    int alerts = 0;
    for (int i = 0; i < n; i++)
        if (threshold_check(t, 1, sid, sp, &src, &dst, start + (uint64_t)i * step) != THRESHOLD_SUPPRESS)
            alerts++;
    return alerts;
}

TEST(threshold_limit)
{
    struct stats st = {0};
    struct threshold_table *t = threshold_new(NULL, &st);
    struct threshold_spec sp = {.type = THRESHOLD_LIMIT, .track = TRACK_BY_SRC, .count = 2, .seconds = 60};
    struct ip_addr a = v4(198, 18, 0, 1), b = v4(198, 18, 0, 2), c = v4(198, 18, 0, 3);
    CHECK_EQ_U(run(t, &sp, 1, 10, a, b, 1000 * SEC, SEC), 2);
    /* another source has its own counter */
    CHECK_EQ_U(run(t, &sp, 1, 10, c, b, 1000 * SEC, SEC), 2);
    /* a new window after 60 s */
    CHECK_EQ_U(run(t, &sp, 1, 3, a, b, 1100 * SEC, SEC), 2);
    threshold_free(t);
}

TEST(threshold_threshold_every_nth)
{
    struct stats st = {0};
    struct threshold_table *t = threshold_new(NULL, &st);
    struct threshold_spec sp = {.type = THRESHOLD_THRESHOLD, .track = TRACK_BY_DST, .count = 5, .seconds = 60};
    struct ip_addr a = v4(198, 18, 0, 1), b = v4(198, 18, 0, 2);
    CHECK_EQ_U(run(t, &sp, 2, 12, a, b, 1000 * SEC, SEC), 2); /* 5th and 10th */
    threshold_free(t);
}

TEST(threshold_both_once_per_window)
{
    struct stats st = {0};
    struct threshold_table *t = threshold_new(NULL, &st);
    struct threshold_spec sp = {.type = THRESHOLD_BOTH, .track = TRACK_BY_SRC, .count = 3, .seconds = 10};
    struct ip_addr a = v4(198, 18, 0, 1), b = v4(198, 18, 0, 2);
    CHECK_EQ_U(run(t, &sp, 3, 9, a, b, 1000 * SEC, SEC), 1);
    /* the window restarts at 1010 s; three more matches fire again */
    CHECK_EQ_U(run(t, &sp, 3, 3, a, b, 1010 * SEC, SEC), 1);
    /* too slow: one match every 11 s never reaches 3 in a window */
    CHECK_EQ_U(run(t, &sp, 4, 5, a, b, 2000 * SEC, 11 * SEC), 0);
    threshold_free(t);
}

TEST(threshold_detection_filter)
{
    struct stats st = {0};
    struct threshold_table *t = threshold_new(NULL, &st);
    struct threshold_spec sp = {.type = THRESHOLD_DETECTION_FILTER, .track = TRACK_BY_SRC, .count = 3, .seconds = 60};
    struct ip_addr a = v4(198, 18, 0, 1), b = v4(198, 18, 0, 2);
    CHECK_EQ_U(run(t, &sp, 5, 10, a, b, 1000 * SEC, SEC), 7); /* 4th..10th */
    threshold_free(t);
}

TEST(threshold_rate_filter_new_action)
{
    struct stats st = {0};
    struct threshold_table *t = threshold_new(NULL, &st);
    struct threshold_spec sp = {.type = THRESHOLD_RATE_FILTER, .track = TRACK_BY_SRC, .count = 2,
                                .seconds = 10, .timeout = 30};
    struct ip_addr a = v4(198, 18, 0, 1), b = v4(198, 18, 0, 2);
    uint64_t t0 = 1000 * SEC;
    CHECK(threshold_check(t, 1, 6, &sp, &a, &b, t0) == THRESHOLD_ALERT);
    CHECK(threshold_check(t, 1, 6, &sp, &a, &b, t0 + SEC) == THRESHOLD_ALERT);
    CHECK(threshold_check(t, 1, 6, &sp, &a, &b, t0 + 2 * SEC) == THRESHOLD_NEW_ACTION);
    /* stays switched for the timeout, even when slow */
    CHECK(threshold_check(t, 1, 6, &sp, &a, &b, t0 + 25 * SEC) == THRESHOLD_NEW_ACTION);
    /* and ends after it */
    CHECK(threshold_check(t, 1, 6, &sp, &a, &b, t0 + 40 * SEC) == THRESHOLD_ALERT);
    threshold_free(t);
}

TEST(threshold_cap_fails_open_and_counts)
{
    struct stats st = {0};
    struct config *cfg = config_new();
    config_set(cfg, "detect.threshold.max-entries=2");
    struct threshold_table *t = threshold_new(cfg, &st);
    struct threshold_spec sp = {.type = THRESHOLD_LIMIT, .track = TRACK_BY_SRC, .count = 1, .seconds = 60};
    struct ip_addr b = v4(198, 18, 0, 2);
    for (uint8_t i = 1; i <= 4; i++) {
        struct ip_addr a = v4(198, 18, 1, i);
        CHECK(threshold_check(t, 1, 7, &sp, &a, &b, 1000 * SEC) == THRESHOLD_ALERT);
    }
    CHECK_EQ_U(threshold_count(t), 2);
    CHECK_EQ_U(st.c[STAT_DETECT_THRESHOLD_CAP_HIT], 2);
    threshold_free(t);
    config_free(cfg);
}

TEST(xbits_track_and_expire)
{
    struct stats st = {0};
    struct xbits *x = xbits_new(NULL, &st);
    struct ip_addr a = v4(198, 18, 0, 1), b = v4(198, 18, 0, 2), c = v4(198, 18, 0, 3);
    CHECK(xbits_set(x, 7, TRACK_BY_SRC, &a, &b, 100 * SEC, 30) == TG_OK);
    CHECK(xbits_isset(x, 7, TRACK_BY_SRC, &a, &c, 110 * SEC));  /* any flow from a */
    CHECK(!xbits_isset(x, 7, TRACK_BY_SRC, &c, &a, 110 * SEC));
    CHECK(!xbits_isset(x, 8, TRACK_BY_SRC, &a, &b, 110 * SEC)); /* another bit */
    CHECK(!xbits_isset(x, 7, TRACK_BY_SRC, &a, &b, 131 * SEC)); /* expired */
    /* ip_pair: either direction */
    CHECK(xbits_set(x, 9, TRACK_BY_PAIR, &a, &b, 100 * SEC, 60) == TG_OK);
    CHECK(xbits_isset(x, 9, TRACK_BY_PAIR, &b, &a, 120 * SEC));
    CHECK(!xbits_isset(x, 9, TRACK_BY_PAIR, &a, &c, 120 * SEC));
    xbits_unset(x, 9, TRACK_BY_PAIR, &b, &a);
    CHECK(!xbits_isset(x, 9, TRACK_BY_PAIR, &a, &b, 120 * SEC));
    CHECK(xbits_toggle(x, 10, TRACK_BY_DST, &a, &b, 100 * SEC, 60) == TG_OK);
    CHECK(xbits_isset(x, 10, TRACK_BY_DST, &c, &b, 101 * SEC));
    CHECK(xbits_toggle(x, 10, TRACK_BY_DST, &a, &b, 102 * SEC, 60) == TG_OK);
    CHECK(!xbits_isset(x, 10, TRACK_BY_DST, &c, &b, 103 * SEC));
    xbits_free(x);
}

TEST(xbits_cap_counted)
{
    struct stats st = {0};
    struct config *cfg = config_new();
    config_set(cfg, "detect.xbits.max-entries=1");
    struct xbits *x = xbits_new(cfg, &st);
    struct ip_addr a = v4(198, 18, 0, 1), b = v4(198, 18, 0, 2);
    CHECK(xbits_set(x, 1, TRACK_BY_SRC, &a, &b, 100 * SEC, 10) == TG_OK);
    CHECK(xbits_set(x, 2, TRACK_BY_SRC, &a, &b, 100 * SEC, 10) == TG_ERROR);
    CHECK_EQ_U(st.c[STAT_DETECT_XBITS_CAP_HIT], 1);
    CHECK_EQ_U(xbits_count(x), 1);
    xbits_free(x);
    config_free(cfg);
}

TEST(flowbits_basic_and_cap)
{
    struct flowbits *fb = NULL;
    CHECK(!flowbits_isset(fb, 3));
    CHECK(flowbits_set(&fb, 3, 4) == TG_OK);
    CHECK(flowbits_set(&fb, 1, 4) == TG_OK);
    CHECK(flowbits_set(&fb, 9, 4) == TG_OK);
    CHECK(flowbits_set(&fb, 3, 4) == TG_OK); /* already set */
    CHECK_EQ_U(flowbits_count(fb), 3);
    CHECK(flowbits_isset(fb, 1) && flowbits_isset(fb, 3) && flowbits_isset(fb, 9));
    CHECK(flowbits_set(&fb, 5, 4) == TG_OK);
    CHECK(flowbits_set(&fb, 6, 4) == TG_ERROR); /* cap */
    CHECK(!flowbits_isset(fb, 6));
    flowbits_unset(fb, 3);
    CHECK(!flowbits_isset(fb, 3));
    CHECK(flowbits_toggle(&fb, 3, 8) == TG_OK);
    CHECK(flowbits_isset(fb, 3));
    CHECK(flowbits_toggle(&fb, 3, 8) == TG_OK);
    CHECK(!flowbits_isset(fb, 3));
    CHECK_EQ_U(flowbits_count(fb), 3);
    flowbits_free(fb);
}

TEST_MAIN(T(threshold_limit), T(threshold_threshold_every_nth), T(threshold_both_once_per_window),
          T(threshold_detection_filter), T(threshold_rate_filter_new_action),
          T(threshold_cap_fails_open_and_counts), T(xbits_track_and_expire),
          T(xbits_cap_counted), T(flowbits_basic_and_cap))
