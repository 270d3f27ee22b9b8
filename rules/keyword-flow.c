/* keyword-flow.c - flow-state keywords: flow, flowbits, xbits, flowint, stream_size, app-layer-protocol, app-layer-event. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "rule-keyword.h"

static int kw_flow(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)name;
    static const struct {
        const char *w;
        unsigned bit;
    } words[] = {
        {"to_server", RULE_FLOW_TO_SERVER},     {"from_client", RULE_FLOW_TO_SERVER},
        {"to_client", RULE_FLOW_TO_CLIENT},     {"from_server", RULE_FLOW_TO_CLIENT},
        {"established", RULE_FLOW_ESTABLISHED}, {"not_established", RULE_FLOW_NOT_ESTABLISHED},
        {"stateless", RULE_FLOW_STATELESS},     {"only_stream", RULE_FLOW_ONLY_STREAM},
        {"no_stream", RULE_FLOW_NO_STREAM},     {"only_frag", RULE_FLOW_ONLY_FRAG},
        {"no_frag", RULE_FLOW_NO_FRAG},
    };
    char buf[256];
    char *f[12];
    snprintf(buf, sizeof buf, "%s", arg);
    int n = rule_kw_split(buf, ',', f, 12);
    if (n < 0)
        return rule_kw_fail(k, "too many options");
    unsigned bits = 0;
    for (int i = 0; i < n; i++) {
        size_t w;
        for (w = 0; w < TG_ARRAY_LEN(words); w++)
            if (strcmp(f[i], words[w].w) == 0)
                break;
        if (w == TG_ARRAY_LEN(words))
            return rule_kw_fail(k, "unknown option '%.40s'", f[i]);
        if (bits & words[w].bit)
            return rule_kw_fail(k, "'%s' given twice", f[i]);
        bits |= words[w].bit;
    }
    if ((bits & RULE_FLOW_TO_SERVER) && (bits & RULE_FLOW_TO_CLIENT))
        return rule_kw_fail(k, "to_server and to_client exclude each other");
    if ((bits & RULE_FLOW_ESTABLISHED) && (bits & (RULE_FLOW_NOT_ESTABLISHED | RULE_FLOW_STATELESS)))
        return rule_kw_fail(k, "established excludes not_established and stateless");
    if ((bits & RULE_FLOW_ONLY_STREAM) && (bits & RULE_FLOW_NO_STREAM))
        return rule_kw_fail(k, "only_stream and no_stream exclude each other");
    if ((bits & RULE_FLOW_ONLY_FRAG) && (bits & RULE_FLOW_NO_FRAG))
        return rule_kw_fail(k, "only_frag and no_frag exclude each other");
    for (size_t i = 0; i < k->r->npkt; i++)
        if (k->r->pkt_matches[i].type == RULE_MATCH_FLOW)
            return rule_kw_fail(k, "only one flow keyword per rule");
    struct rule_match *m = rule_kw_add_pkt(k, RULE_MATCH_FLOW);
    if (!m)
        return rule_kw_fail(k, "out of memory");
    m->u.flow = bits;
    return TG_OK;
}

static bool bit_name_ok(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' && *s != '-')
            return false;
    return true;
}

static int bits_names(struct rule_kw_ctx *k, struct rule_bits *b, const char *spec)
{
    bool has_and = strchr(spec, '&') != NULL, has_or = strchr(spec, '|') != NULL;
    if (has_and && has_or)
        return rule_kw_fail(k, "cannot mix '&' and '|' in one name list");
    if (has_or && b->cmd != RULE_BITS_ISSET && b->cmd != RULE_BITS_ISNOTSET)
        return rule_kw_fail(k, "'|' is only allowed with isset and isnotset");
    b->any_of = has_or;
    char buf[512];
    char *f[RULE_KW_MAX_ARGS];
    snprintf(buf, sizeof buf, "%s", spec);
    int n = rule_kw_split(buf, has_or ? '|' : '&', f, RULE_KW_MAX_ARGS);
    if (n < 0)
        return rule_kw_fail(k, "too many names");
    b->names = calloc((size_t)n, sizeof(char *));
    if (!b->names)
        return rule_kw_fail(k, "out of memory");
    for (int i = 0; i < n; i++) {
        if (!bit_name_ok(f[i]))
            return rule_kw_fail(k, "bad name '%.40s'", f[i]);
        if (!(b->names[i] = strdup(f[i])))
            return rule_kw_fail(k, "out of memory");
        b->nnames++;
    }
    return TG_OK;
}

static int bits_cmd(const char *w, enum rule_bits_cmd *c)
{
    static const char *const cmds[] = {"set", "unset", "toggle", "isset", "isnotset", "noalert", NULL};
    int i = rule_kw_word(w, cmds);
    if (i < 0)
        return TG_ERROR;
    *c = (enum rule_bits_cmd)i;
    return TG_OK;
}

static void bits_free(struct rule_bits *b)
{
    for (size_t i = 0; i < b->nnames; i++)
        free(b->names[i]);
    free(b->names);
}

static int kw_flowbits(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)name;
    char buf[512];
    char *f[4];
    snprintf(buf, sizeof buf, "%s", arg);
    int n = rule_kw_split(buf, ',', f, 4);
    struct rule_bits b = {0};
    if (n < 1 || bits_cmd(f[0], &b.cmd) != TG_OK)
        return rule_kw_fail(k, "expected set, unset, toggle, isset, isnotset or noalert, got '%.40s'", f[0]);
    if (b.cmd == RULE_BITS_NOALERT) {
        if (n != 1)
            return rule_kw_fail(k, "noalert takes no name");
        k->r->noalert = true;
        return TG_OK;
    }
    /* Snort allows a third field naming a bit group; it does not change matching. */
    if (n < 2 || n > 3)
        return rule_kw_fail(k, "expected '%s,name'", f[0]);
    if (n == 3 && !bit_name_ok(f[2]))
        return rule_kw_fail(k, "bad group name '%.40s'", f[2]);
    if (bits_names(k, &b, f[1]) != TG_OK) {
        bits_free(&b);
        return TG_ERROR;
    }
    struct rule_match *m = rule_kw_add_pkt(k, RULE_MATCH_FLOWBITS);
    if (!m) {
        bits_free(&b);
        return rule_kw_fail(k, "out of memory");
    }
    m->u.bits = b;
    return TG_OK;
}

static int kw_xbits(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)name;
    char buf[512];
    char *f[6];
    snprintf(buf, sizeof buf, "%s", arg);
    int n = rule_kw_split(buf, ',', f, 6);
    struct rule_bits b = {0};
    if (n < 1 || bits_cmd(f[0], &b.cmd) != TG_OK || b.cmd == RULE_BITS_NOALERT)
        return rule_kw_fail(k, "expected set, unset, toggle, isset or isnotset, got '%.40s'", n > 0 ? f[0] : "");
    if (n < 3)
        return rule_kw_fail(k, "expected '%s,name,track ip_src|ip_dst|ip_pair[,expire N]'", f[0]);
    for (int i = 2; i < n; i++) {
        if (strncmp(f[i], "track ", 6) == 0) {
            const char *t = f[i] + 6;
            while (*t == ' ')
                t++;
            if (strcmp(t, "ip_src") == 0)
                b.track = RULE_TRACK_SRC;
            else if (strcmp(t, "ip_dst") == 0)
                b.track = RULE_TRACK_DST;
            else if (strcmp(t, "ip_pair") == 0)
                b.track = RULE_TRACK_PAIR;
            else
                return rule_kw_fail(k, "track is ip_src, ip_dst or ip_pair, got '%.40s'", t);
        } else if (strncmp(f[i], "expire ", 7) == 0) {
            uint64_t v;
            if (!rule_kw_u64(f[i] + 7, UINT32_MAX, &v) || v == 0)
                return rule_kw_fail(k, "bad expire '%.40s'", f[i] + 7);
            b.expire_s = (uint32_t)v;
        } else {
            return rule_kw_fail(k, "unknown option '%.40s' (track, expire)", f[i]);
        }
    }
    if (b.track == RULE_TRACK_NONE)
        return rule_kw_fail(k, "needs 'track ip_src|ip_dst|ip_pair'");
    if (b.expire_s && b.cmd != RULE_BITS_SET && b.cmd != RULE_BITS_TOGGLE)
        return rule_kw_fail(k, "expire is only valid with set and toggle");
    if (bits_names(k, &b, f[1]) != TG_OK) {
        bits_free(&b);
        return TG_ERROR;
    }
    struct rule_match *m = rule_kw_add_pkt(k, RULE_MATCH_XBITS);
    if (!m) {
        bits_free(&b);
        return rule_kw_fail(k, "out of memory");
    }
    m->u.bits = b;
    return TG_OK;
}

static int kw_flowint(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)name;
    static const char *const ops[] = {"+", "-", "=", "==", "!=", "<", "<=", ">", ">=", NULL};
    char buf[256];
    char *f[4];
    snprintf(buf, sizeof buf, "%s", arg);
    int n = rule_kw_split(buf, ',', f, 4);
    if (n < 2 || n > 3 || !bit_name_ok(f[0]))
        return rule_kw_fail(k, "expected 'name, op[, value]'");
    struct rule_flowint fi = {0};
    if (strcmp(f[1], "isset") == 0 || strcmp(f[1], "notset") == 0 || strcmp(f[1], "isnotset") == 0) {
        if (n != 2)
            return rule_kw_fail(k, "%s takes no value", f[1]);
        fi.isset = strcmp(f[1], "isset") == 0;
        fi.notset = !fi.isset;
    } else {
        if (rule_kw_word(f[1], ops) < 0)
            return rule_kw_fail(k, "unknown operator '%.10s'", f[1]);
        if (n != 3)
            return rule_kw_fail(k, "operator %s needs a value", f[1]);
        snprintf(fi.op, sizeof fi.op, "%s", f[1]);
        fi.has_value = true;
        if (!rule_kw_u64(f[2], UINT32_MAX, &fi.value)) {
            if (!bit_name_ok(f[2]))
                return rule_kw_fail(k, "bad value '%.40s'", f[2]);
            if (!(fi.value_var = strdup(f[2])))
                return rule_kw_fail(k, "out of memory");
        }
    }
    if (!(fi.name = strdup(f[0]))) {
        free(fi.value_var);
        return rule_kw_fail(k, "out of memory");
    }
    struct rule_match *m = rule_kw_add_pkt(k, RULE_MATCH_FLOWINT);
    if (!m) {
        free(fi.name);
        free(fi.value_var);
        return rule_kw_fail(k, "out of memory");
    }
    m->u.flowint = fi;
    return TG_OK;
}

static int kw_stream_size(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)name;
    static const char *const sides[] = {"server", "client", "both", "either", NULL};
    char buf[128];
    char *f[4];
    snprintf(buf, sizeof buf, "%s", arg);
    int n = rule_kw_split(buf, ',', f, 4);
    struct rule_stream_size ss = {0};
    if (n != 3 || (ss.side = rule_kw_word(f[0], sides)) < 0)
        return rule_kw_fail(k, "expected 'server|client|both|either, op, value'");
    char expr[80];
    if (strcmp(f[1], "=") != 0 && strcmp(f[1], "!=") != 0 && strcmp(f[1], "<") != 0 && strcmp(f[1], ">") != 0 &&
        strcmp(f[1], "<=") != 0 && strcmp(f[1], ">=") != 0)
        return rule_kw_fail(k, "unknown operator '%.10s'", f[1]);
    snprintf(expr, sizeof expr, "%s%s", f[1], f[2]);
    if (!rule_kw_num(expr, UINT32_MAX, &ss.num))
        return rule_kw_fail(k, "bad value '%.40s'", f[2]);
    struct rule_match *m = rule_kw_add_pkt(k, RULE_MATCH_STREAM_SIZE);
    if (!m)
        return rule_kw_fail(k, "out of memory");
    m->u.stream_size = ss;
    return TG_OK;
}

static int kw_app_proto(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    bool event = strcmp(name, "app-layer-event") == 0;
    bool neg = false;
    char buf[128];
    snprintf(buf, sizeof buf, "%s", arg);
    char *p = buf;
    if (*p == '!') {
        if (event)
            return rule_kw_fail(k, "cannot be negated");
        neg = true;
        p++;
    }
    char *comma = strchr(p, ',');
    if (comma) {
        static const char *const modes[] = {"final", "original", "either", "to_server", "to_client", NULL};
        *comma = '\0';
        char *mode = comma + 1;
        while (*mode == ' ')
            mode++;
        if (event || rule_kw_word(mode, modes) < 0)
            return rule_kw_fail(k, "unknown mode '%.40s'", mode);
    }
    if (!bit_name_ok(p))
        return rule_kw_fail(k, "bad %s '%.40s'", event ? "event name" : "protocol name", p);
    if (event && !strchr(p, '.'))
        return rule_kw_fail(k, "expected 'protocol.event', got '%.40s'", p);
    struct rule_match *m = rule_kw_add_pkt(k, event ? RULE_MATCH_APP_EVENT : RULE_MATCH_APP_PROTO);
    if (!m)
        return rule_kw_fail(k, "out of memory");
    m->u.app.negated = neg;
    if (!(m->u.app.name = strdup(p)))
        return rule_kw_fail(k, "out of memory");
    return TG_OK;
}

const struct rule_keyword rule_kw_flow[] = {
    {"flow", RULE_KW_ARG_REQ, kw_flow},
    {"flowbits", RULE_KW_ARG_REQ, kw_flowbits},
    {"xbits", RULE_KW_ARG_REQ, kw_xbits},
    {"flowint", RULE_KW_ARG_REQ, kw_flowint},
    {"stream_size", RULE_KW_ARG_REQ, kw_stream_size},
    {"app-layer-protocol", RULE_KW_ARG_REQ, kw_app_proto},
    {"app-layer-event", RULE_KW_ARG_REQ, kw_app_proto},
};
const size_t rule_kw_flow_n = TG_ARRAY_LEN(rule_kw_flow);
