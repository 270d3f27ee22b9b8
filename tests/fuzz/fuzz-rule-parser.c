/* fuzz-rule-parser.c - libFuzzer target: parse the input as a rules file (errors and all). */
#include <stdint.h>
#include <stdio.h>
#include "rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    /* One loader per input: its duplicate-sid table must start empty. */
    struct rule_loader_opts opts = {.skip_bad = true, .errors = NULL};
    struct rule_loader *ld = rule_loader_new(NULL, &opts, err, sizeof err);
    if (!ld)
        return 0;
    struct ruleset rs = {0};
    rule_load_buffer(ld, &rs, "fuzz.rules", (const char *)data, size);
    /* Touch what a matcher would walk. */
    for (size_t i = 0; i < rs.n; i++) {
        const struct rule *r = rs.rules[i];
        uint8_t ip[16] = {198, 18, 0, 1};
        (void)rule_addr_match(&r->src, 4, ip);
        (void)rule_port_match(&r->dport, 5060);
        for (size_t l = 0; l < r->nlists; l++)
            for (size_t m = 0; m < r->lists[l].n; m++)
                if (r->lists[l].m[m].type == RULE_MATCH_CONTENT && r->lists[l].m[m].u.content.len == 0)
                    __builtin_trap();
    }
    ruleset_clear(&rs);
    rule_loader_free(ld);
    return 0;
}
