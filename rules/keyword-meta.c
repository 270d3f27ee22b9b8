/* keyword-meta.c - rule metadata keywords: msg, sid, rev, gid, classtype, priority, reference, metadata, target. */
#include <stdlib.h>
#include <string.h>
#include "rule-keyword.h"

static int kw_msg(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)name;
    if (k->r->msg)
        return rule_kw_fail(k, "given twice");
    size_t len;
    uint8_t *s = rule_kw_string(k, arg, false, &len);
    if (!s)
        return TG_ERROR;
    if (memchr(s, '\0', len)) {
        free(s);
        return rule_kw_fail(k, "NUL byte in message");
    }
    s[len] = '\0'; /* rule_kw_string allocates strlen(arg) >= len + 2 bytes */
    k->r->msg = (char *)s;
    return TG_OK;
}

static int kw_u32(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    uint64_t v;
    bool *set = strcmp(name, "sid") == 0 ? &k->sid_set : strcmp(name, "rev") == 0 ? &k->rev_set : &k->gid_set;
    if (*set)
        return rule_kw_fail(k, "given twice");
    if (!rule_kw_u64(arg, UINT32_MAX, &v))
        return rule_kw_fail(k, "expected a number from 0 to 4294967295, got '%.40s'", arg);
    if (strcmp(name, "sid") == 0) {
        if (v == 0)
            return rule_kw_fail(k, "sid 0 is not allowed");
        k->r->sid = (uint32_t)v;
        k->r->sid_line = k->line;
        k->r->sid_col = k->col;
    } else if (strcmp(name, "rev") == 0) {
        k->r->rev = (uint32_t)v;
    } else {
        k->r->gid = (uint32_t)v;
    }
    *set = true;
    return TG_OK;
}

static int kw_classtype(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)name;
    const char *desc;
    int prio;
    if (k->classtype_set)
        return rule_kw_fail(k, "given twice");
    if (!rule_classify_class(k->classify, arg, &desc, &prio))
        return rule_kw_fail(k, "unknown classtype '%.64s' (not in the classification config)", arg);
    k->r->classtype = strdup(arg);
    k->r->class_desc = strdup(desc);
    if (!k->r->classtype || !k->r->class_desc)
        return rule_kw_fail(k, "out of memory");
    k->classtype_set = true;
    return TG_OK;
}

static int kw_priority(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)name;
    uint64_t v;
    if (k->prio_set)
        return rule_kw_fail(k, "given twice");
    if (!rule_kw_u64(arg, 255, &v) || v < 1)
        return rule_kw_fail(k, "expected a number from 1 to 255, got '%.40s'", arg);
    k->r->priority = (int)v;
    k->prio_set = true;
    return TG_OK;
}

static int kw_reference(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)name;
    const char *comma = strchr(arg, ',');
    if (!comma || comma == arg || !comma[1])
        return rule_kw_fail(k, "expected 'type,id', got '%.64s'", arg);
    char type[64];
    size_t tl = (size_t)(comma - arg);
    while (tl && arg[tl - 1] == ' ')
        tl--;
    if (tl >= sizeof type)
        return rule_kw_fail(k, "reference type too long");
    memcpy(type, arg, tl);
    type[tl] = '\0';
    if (!rule_classify_ref(k->classify, type))
        return rule_kw_fail(k, "unknown reference type '%s' (not in the reference config)", type);
    const char *val = comma + 1;
    while (*val == ' ')
        val++;
    struct rule *r = k->r;
    struct rule_reference *n = realloc(r->refs, (r->nrefs + 1) * sizeof(*n));
    if (!n)
        return rule_kw_fail(k, "out of memory");
    r->refs = n;
    n[r->nrefs].type = strdup(type);
    n[r->nrefs].value = strdup(val);
    r->nrefs++;
    if (!n[r->nrefs - 1].type || !n[r->nrefs - 1].value)
        return rule_kw_fail(k, "out of memory");
    return TG_OK;
}

static int kw_metadata(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)name;
    char *copy = strdup(arg);
    char *f[RULE_KW_MAX_ARGS * 4];
    if (!copy)
        return rule_kw_fail(k, "out of memory");
    int n = rule_kw_split(copy, ',', f, (int)TG_ARRAY_LEN(f));
    if (n < 0) {
        free(copy);
        return rule_kw_fail(k, "too many entries");
    }
    struct rule *r = k->r;
    for (int i = 0; i < n; i++) {
        if (!*f[i])
            continue; /* "a b, , c d" and a trailing comma are accepted, as Suricata does */
        char **nm = realloc(r->metadata, (r->nmetadata + 1) * sizeof(*nm));
        if (!nm || !(nm[r->nmetadata] = strdup(f[i]))) {
            if (nm)
                r->metadata = nm;
            free(copy);
            return rule_kw_fail(k, "out of memory");
        }
        r->metadata = nm;
        r->nmetadata++;
    }
    free(copy);
    return TG_OK;
}

static int kw_target(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)name;
    if (strcmp(arg, "src_ip") == 0)
        k->r->target = RULE_TARGET_SRC;
    else if (strcmp(arg, "dest_ip") == 0)
        k->r->target = RULE_TARGET_DST;
    else
        return rule_kw_fail(k, "expected src_ip or dest_ip, got '%.40s'", arg);
    return TG_OK;
}

/* noalert; (Suricata 7+): the rule's actions run (bits, thresholds) but
 * it writes no alert, like flowbits:noalert. */
static int kw_noalert(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)name;
    (void)arg;
    k->r->noalert = true;
    return TG_OK;
}

const struct rule_keyword rule_kw_meta[] = {
    {"msg", RULE_KW_ARG_REQ, kw_msg},
    {"sid", RULE_KW_ARG_REQ, kw_u32},
    {"rev", RULE_KW_ARG_REQ, kw_u32},
    {"gid", RULE_KW_ARG_REQ, kw_u32},
    {"classtype", RULE_KW_ARG_REQ, kw_classtype},
    {"priority", RULE_KW_ARG_REQ, kw_priority},
    {"reference", RULE_KW_ARG_REQ, kw_reference},
    {"metadata", RULE_KW_ARG_REQ, kw_metadata},
    {"target", RULE_KW_ARG_REQ, kw_target},
    {"noalert", RULE_KW_ARG_NONE, kw_noalert},
};
const size_t rule_kw_meta_n = TG_ARRAY_LEN(rule_kw_meta);
