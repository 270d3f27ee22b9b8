/* keyword-pcre.c - the pcre keyword: PCRE2 compile with JIT at load time, Perl and Suricata/Snort modifiers. */
#include <stdlib.h>
#include <string.h>
#include "rule-keyword.h"

/* Suricata's buffer flags: the pcre inspects that buffer instead of the sticky one. */
static int pcre_flag_buffer(char f)
{
    switch (f) {
    case 'U': return RULE_BUF_HTTP_URI;
    case 'I': return RULE_BUF_HTTP_URI_RAW;
    case 'P': return RULE_BUF_HTTP_REQUEST_BODY;
    case 'Q': return RULE_BUF_HTTP_RESPONSE_BODY;
    case 'H': return RULE_BUF_HTTP_HEADER;
    case 'D': return RULE_BUF_HTTP_HEADER_RAW;
    case 'M': return RULE_BUF_HTTP_METHOD;
    case 'C': return RULE_BUF_HTTP_COOKIE;
    case 'K': return RULE_BUF_HTTP_COOKIE;
    case 'S': return RULE_BUF_HTTP_STAT_CODE;
    case 'Y': return RULE_BUF_HTTP_STAT_MSG;
    case 'V': return RULE_BUF_HTTP_USER_AGENT;
    case 'W': return RULE_BUF_HTTP_HOST;
    case 'Z': return RULE_BUF_HTTP_HOST_RAW;
    default: return -1;
    }
}

static int kw_pcre(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)name;
    bool neg = false;
    if (*arg == '!') {
        neg = true;
        arg++;
    }
    size_t alen = strlen(arg);
    if (alen < 2 || arg[0] != '"' || arg[alen - 1] != '"')
        return rule_kw_fail(k, "expected \"/regex/flags\" in double quotes");
    /* Inside the quotes only \" and \; are rule-level escapes; everything else belongs to the regex. */
    char *body = malloc(alen);
    if (!body)
        return rule_kw_fail(k, "out of memory");
    size_t bl = 0;
    for (size_t i = 1; i + 1 < alen; i++) {
        if (arg[i] == '\\' && i + 2 < alen && (arg[i + 1] == '"' || arg[i + 1] == ';')) {
            body[bl++] = arg[++i];
            continue;
        }
        if (arg[i] == '"') {
            free(body);
            return rule_kw_fail(k, "unescaped '\"' inside the regex");
        }
        body[bl++] = arg[i];
    }
    body[bl] = '\0';
    char delim = '/';
    size_t start = 1;
    if (body[0] == 'm' && bl > 1 && body[1] != '/') {
        delim = body[1];
        start = 2;
    } else if (body[0] == 'm' && bl > 1) {
        start = 2;
    } else if (body[0] != '/') {
        free(body);
        return rule_kw_fail(k, "regex must start with '/' (or m and a delimiter)");
    }
    char *end = strrchr(body + start, delim);
    if (!end) {
        free(body);
        return rule_kw_fail(k, "regex has no closing '%c'", delim);
    }
    *end = '\0';
    const char *flags = end + 1;
    uint32_t opts = 0;
    unsigned pflags = neg ? RULE_PCRE_NEGATED : 0;
    bool relative = false;
    int buffer = -1;
    for (const char *f = flags; *f; f++) {
        switch (*f) {
        case 'i': opts |= PCRE2_CASELESS; break;
        case 's': opts |= PCRE2_DOTALL; break;
        case 'm': opts |= PCRE2_MULTILINE; break;
        case 'x': opts |= PCRE2_EXTENDED; break;
        case 'A': opts |= PCRE2_ANCHORED; break;
        case 'E': opts |= PCRE2_DOLLAR_ENDONLY; break;
        case 'G': opts |= PCRE2_UNGREEDY; break;
        case 'R': relative = true; break;
        case 'O': pflags |= RULE_PCRE_OVERRIDE; break;
        case 'B': break; /* Snort rawbytes: no effect */
        default: {
            int b = pcre_flag_buffer(*f);
            if (b < 0) {
                char bad = *f;
                free(body);
                return rule_kw_fail(k, "unknown regex flag '%c'", bad);
            }
            if (buffer >= 0 && buffer != b) {
                free(body);
                return rule_kw_fail(k, "regex flags name two buffers");
            }
            buffer = b;
        }
        }
    }
    /* Snort's SIP preprocessor reuses H and P for the SIP header and body:
     * in a SIP rule, or a UDP rule without app protocol (HTTP never runs on
     * UDP), they name the SIP buffers; elsewhere the HTTP ones (Suricata). */
    const char *app = k->r->app_proto;
    bool sip = app ? (strcmp(app, "sip") == 0 || strcmp(app, "sdp") == 0) : k->r->l4 == RULE_L4_UDP;
    if (sip && buffer == RULE_BUF_HTTP_HEADER)
        buffer = RULE_BUF_SIP_HEADERS;
    else if (sip && buffer == RULE_BUF_HTTP_REQUEST_BODY)
        buffer = RULE_BUF_SIP_BODY;
    int errcode;
    PCRE2_SIZE erroff;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)(body + start), PCRE2_ZERO_TERMINATED, opts, &errcode, &erroff, NULL);
    if (!code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(errcode, msg, sizeof msg);
        int r = rule_kw_fail(k, "regex does not compile at offset %zu: %s", (size_t)erroff, (char *)msg);
        free(body);
        return r;
    }
    if (pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0)
        pflags |= RULE_PCRE_JIT;
    struct rule_match *m;
    if (buffer >= 0) {
        int saved = k->cur_list, idx;
        if (!rule_kw_list(k, (enum rule_buffer)buffer, NULL, &idx)) {
            pcre2_code_free(code);
            free(body);
            return rule_kw_fail(k, "out of memory");
        }
        k->cur_list = idx;
        m = rule_kw_add_payload(k, RULE_MATCH_PCRE);
        k->cur_list = saved;
    } else {
        m = rule_kw_add_payload(k, RULE_MATCH_PCRE);
    }
    char *pattern = m ? strdup(body + start) : NULL;
    free(body);
    if (!m || !pattern) {
        if (m)
            m->u.pcre.code = code; /* freed with the rule */
        else
            pcre2_code_free(code);
        free(pattern);
        return rule_kw_fail(k, "out of memory");
    }
    m->u.pcre.pattern = pattern;
    m->u.pcre.code = code;
    m->u.pcre.compile_opts = opts;
    m->u.pcre.flags = pflags;
    if (relative)
        m->flags |= RULE_MATCH_RELATIVE;
    return TG_OK;
}

const struct rule_keyword rule_kw_pcre[] = {
    {"pcre", RULE_KW_ARG_REQ, kw_pcre},
};
const size_t rule_kw_pcre_n = TG_ARRAY_LEN(rule_kw_pcre);
