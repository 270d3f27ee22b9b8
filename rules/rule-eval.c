/* rule-eval.c - evaluators for parsed rule values whose meaning the parser fixes (comparisons, schedules, Snort SIP lists, the fast pattern). */
#include <string.h>
#include <strings.h>
#include <time.h>
#include "rule.h"

bool rule_num_match(const struct rule_num *n, uint64_t v)
{
    switch (n->op) {
    case RULE_CMP_EQ: return v == n->a;
    case RULE_CMP_NE: return v != n->a;
    case RULE_CMP_LT: return v < n->a;
    case RULE_CMP_LE: return v <= n->a;
    case RULE_CMP_GT: return v > n->a;
    case RULE_CMP_GE: return v >= n->a;
    case RULE_CMP_RANGE_EX: return v > n->a && v < n->b;
    case RULE_CMP_RANGE_IN: return v >= n->a && v <= n->b;
    }
    return false;
}

bool rule_schedule_active(const struct rule_schedule *s, const struct tm *local)
{
    if (!s->present)
        return true;
    if (local->tm_wday < 0 || local->tm_wday > 6 || !(s->days & (1u << local->tm_wday)))
        return false;
    if (s->nranges == 0)
        return true;
    unsigned now = (unsigned)(local->tm_hour * 60 + local->tm_min);
    for (size_t i = 0; i < s->nranges; i++) {
        unsigned a = s->start[i], b = s->end[i];
        /* End exclusive; a range whose end is before its start wraps midnight. */
        if (a < b ? (now >= a && now < b) : (now >= a || now < b))
            return true;
    }
    return false;
}

bool rule_sip_method_match(const struct rule_list_u32 *l, const char *method, size_t len)
{
    bool found = false;
    for (size_t i = 0; i < l->n && !found; i++)
        found = strlen(l->names[i]) == len && strncasecmp(l->names[i], method, len) == 0;
    return found != l->negated;
}

bool rule_sip_stat_code_match(const struct rule_list_u32 *l, unsigned code)
{
    for (size_t i = 0; i < l->n; i++) {
        uint32_t c = l->codes[i];
        if (c < 10 ? code / 100 == c : code == c)
            return true;
    }
    return false;
}

const struct rule_match *rule_fast_pattern(const struct rule *r, const struct rule_list **list, const uint8_t **bytes,
                                           size_t *len)
{
    if (r->fp_list < 0)
        return NULL;
    const struct rule_list *l = &r->lists[r->fp_list];
    const struct rule_match *m = &l->m[r->fp_match];
    const struct rule_content *c = &m->u.content;
    if (list)
        *list = l;
    if (m->flags & RULE_CONTENT_FAST_CHOP) {
        *bytes = c->bytes + c->fp_offset;
        *len = c->fp_len;
    } else {
        *bytes = c->bytes;
        *len = c->len;
    }
    return m;
}
