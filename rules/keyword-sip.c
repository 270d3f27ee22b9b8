/* keyword-sip.c - SIP keywords: Snort 2 sip_method and sip_stat_code, the sip.header sticky buffer, and tollgate's header counts. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "rule-keyword.h"

/* Snort caps the method list at 32; a status-code list at 8. */
#define SIP_KW_MAX_METHODS 32
#define SIP_KW_MAX_CODES 8

/* The keyword only makes sense on SIP: pin the rule to it. */
static int sip_require(struct rule_kw_ctx *k)
{
    struct rule *r = k->r;
    if (!r->app_proto) {
        if (!(r->app_proto = strdup("sip")))
            return rule_kw_fail(k, "out of memory");
        return TG_OK;
    }
    if (strcmp(r->app_proto, "sip") != 0 && strcmp(r->app_proto, "sdp") != 0)
        return rule_kw_fail(k, "needs a SIP rule, this one is for %s", r->app_proto);
    return TG_OK;
}

/* RFC 3261 token characters. */
static bool sip_token(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("-.!%*_+`'~", *s))
            return false;
    return true;
}

static int kw_sip_method(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)name;
    char buf[1024];
    char *f[SIP_KW_MAX_METHODS + 1];
    snprintf(buf, sizeof buf, "%s", arg);
    int n = rule_kw_split(buf, ',', f, SIP_KW_MAX_METHODS);
    if (n < 0)
        return rule_kw_fail(k, "more than %d methods", SIP_KW_MAX_METHODS);
    int negs = 0;
    for (int i = 0; i < n; i++) {
        if (f[i][0] == '!') {
            negs++;
            f[i]++;
        }
        if (!sip_token(f[i]))
            return rule_kw_fail(k, "bad method name '%.40s'", f[i]);
    }
    /* Snort: a negated list holds one method; "neither" is two sip_method options. */
    if (negs && n != 1)
        return rule_kw_fail(k, "with '!' only one method is allowed (write sip_method:!a; sip_method:!b; for neither)");
    if (sip_require(k) != TG_OK)
        return TG_ERROR;
    struct rule_match *m = rule_kw_add_pkt(k, RULE_MATCH_SIP_METHOD);
    if (!m)
        return rule_kw_fail(k, "out of memory");
    m->u.list.negated = negs > 0;
    if (!(m->u.list.names = calloc((size_t)n, sizeof(char *))))
        return rule_kw_fail(k, "out of memory");
    for (int i = 0; i < n; i++) {
        if (!(m->u.list.names[i] = strdup(f[i])))
            return rule_kw_fail(k, "out of memory");
        m->u.list.n++;
        for (char *p = m->u.list.names[i]; *p; p++)
            *p = (char)toupper((unsigned char)*p);
    }
    return TG_OK;
}

static int kw_sip_stat_code(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)name;
    char buf[256];
    char *f[SIP_KW_MAX_CODES + 1];
    snprintf(buf, sizeof buf, "%s", arg);
    int n = rule_kw_split(buf, ',', f, SIP_KW_MAX_CODES);
    if (n < 0)
        return rule_kw_fail(k, "more than %d codes", SIP_KW_MAX_CODES);
    uint32_t codes[SIP_KW_MAX_CODES];
    for (int i = 0; i < n; i++) {
        uint64_t v;
        /* Snort: one digit is a class (2 = any 2xx); otherwise a full code 100-999. */
        if (!rule_kw_u64(f[i], 999, &v) || !((strlen(f[i]) == 1 && v >= 1) || (strlen(f[i]) == 3 && v >= 100)))
            return rule_kw_fail(k, "expected a status code 100-999 or a class 1-9, got '%.40s'", f[i]);
        codes[i] = (uint32_t)v;
    }
    if (sip_require(k) != TG_OK)
        return TG_ERROR;
    struct rule_match *m = rule_kw_add_pkt(k, RULE_MATCH_SIP_STAT_CODE);
    if (!m || !(m->u.list.codes = malloc((size_t)n * sizeof(uint32_t))))
        return rule_kw_fail(k, "out of memory");
    memcpy(m->u.list.codes, codes, (size_t)n * sizeof(uint32_t));
    m->u.list.n = (size_t)n;
    return TG_OK;
}

/* sip.header;            the whole header block (sip.headers)
 * sip.header:Name;       the values of every Name header, one entry each */
static int kw_sip_header(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)name;
    if (sip_require(k) != TG_OK)
        return TG_ERROR;
    if (!arg)
        return rule_kw_set_sticky(k, RULE_BUF_SIP_HEADERS, NULL);
    if (!sip_token(arg))
        return rule_kw_fail(k, "bad header name '%.40s'", arg);
    return rule_kw_set_sticky(k, RULE_BUF_SIP_HEADER, arg);
}

/* sip.header_count:Name,<num>;  sip.header_missing:Name; */
static int kw_sip_hdr_count(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    char buf[256];
    char *f[3];
    struct rule_num num = {.op = RULE_CMP_EQ, .a = 0};
    snprintf(buf, sizeof buf, "%s", arg);
    int n = rule_kw_split(buf, ',', f, 3);
    bool missing = strcmp(name, "sip.header_missing") == 0;
    if (missing ? n != 1 : n != 2)
        return rule_kw_fail(k, missing ? "expected a header name" : "expected 'Header-Name, count' (count like >1, 0, 2<>5)");
    if (!sip_token(f[0]))
        return rule_kw_fail(k, "bad header name '%.40s'", f[0]);
    if (!missing && !rule_kw_num(f[1], 65535, &num))
        return rule_kw_fail(k, "bad count '%.40s' (N, <N, >N, <=N, >=N, !N, N<>M)", f[1]);
    if (sip_require(k) != TG_OK)
        return TG_ERROR;
    struct rule_match *m = rule_kw_add_pkt(k, RULE_MATCH_SIP_HDR_COUNT);
    if (!m || !(m->u.hdr_count.name = strdup(f[0])))
        return rule_kw_fail(k, "out of memory");
    m->u.hdr_count.num = num;
    return TG_OK;
}

/* frame:NAME; or frame:sip.NAME; selects a Suricata SIP frame as the sticky buffer. */
static int kw_frame(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)name;
    static const char *const frames[] = {"pdu", "request.line", "request.headers", "request.body",
                                         "response.line", "response.headers", "response.body", NULL};
    const char *app = k->r->app_proto;
    const char *f = arg;
    if (strncmp(f, "sip.", 4) == 0)
        f += 4;
    else if (!app || (strcmp(app, "sip") != 0 && strcmp(app, "sdp") != 0))
        return rule_kw_fail(k, "frames are supported for SIP only: use frame:sip.NAME or a sip rule");
    int i = rule_kw_word(f, frames);
    if (i < 0)
        return rule_kw_fail(k, "unknown SIP frame '%.40s' (pdu, request.line, request.headers, request.body, "
                               "response.line, response.headers, response.body)", f);
    if (sip_require(k) != TG_OK)
        return TG_ERROR;
    return rule_kw_set_sticky(k, (enum rule_buffer)(RULE_BUF_SIP_FRAME_PDU + i), NULL);
}

const struct rule_keyword rule_kw_sip[] = {
    {"frame", RULE_KW_ARG_REQ, kw_frame},
    {"sip_method", RULE_KW_ARG_REQ, kw_sip_method},
    {"sip_stat_code", RULE_KW_ARG_REQ, kw_sip_stat_code},
    {"sip.header", RULE_KW_ARG_OPT, kw_sip_header},
    {"sip.header_count", RULE_KW_ARG_REQ, kw_sip_hdr_count},
    {"sip.header_missing", RULE_KW_ARG_REQ, kw_sip_hdr_count},
};
const size_t rule_kw_sip_n = TG_ARRAY_LEN(rule_kw_sip);
