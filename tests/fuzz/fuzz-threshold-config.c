/* fuzz-threshold-config.c - the threshold/suppress file parser on arbitrary
 * lines, then the parsed entries applied to a few alerts. */
#include <stdlib.h>
#include <string.h>
#include "../../rules/threshold-config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct threshold_config *tc = threshold_config_new();
    struct stats st;
    memset(&st, 0, sizeof st);
    struct threshold_table *t = threshold_new(NULL, &st);
    if (!tc || !t)
        goto out;
    char line[512], err[256];
    size_t i = 0;
    unsigned lineno = 0;
    while (i < size) {
        size_t n = 0;
        while (i < size && data[i] != '\n' && n < sizeof line - 1)
            line[n++] = (char)data[i++];
        line[n] = '\0';
        i++;
        threshold_config_line(tc, "fuzz", ++lineno, line, err, sizeof err);
    }
    struct ip_addr a = {.family = 4, .b = {198, 18, 0, 1}}, b = {.family = 4, .b = {198, 18, 0, 2}};
    for (uint32_t sid = 0; sid < 4; sid++) {
        enum tc_action act = TC_ACTION_ALERT;
        (void)threshold_config_suppressed(tc, 1, sid, &a, &b);
        (void)threshold_config_apply(tc, t, 1, sid, &a, &b, (uint64_t)sid * TG_NS_PER_SEC, &act);
    }
out:
    threshold_free(t);
    threshold_config_free(tc);
    return 0;
}
