/* rule-options.c - shared machinery for rule keywords: lookup, match lists, sticky buffers, argument parsing. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "rule-keyword.h"

static const struct {
    const char *name;
    bool active;
} rule_buffers[] = {
#define RULE_BUF_NAME(id, name, proto, st) {name, RULE_BUF_ST_##st},
#define RULE_BUF_ST_ACTIVE true
#define RULE_BUF_ST_INACTIVE false
    RULE_BUFFER_LIST(RULE_BUF_NAME)
#undef RULE_BUF_NAME
};

const char *rule_buffer_name(enum rule_buffer b)
{
    return (unsigned)b < RULE_BUF_MAX ? rule_buffers[b].name : "?";
}

bool rule_buffer_active(enum rule_buffer b)
{
    return (unsigned)b < RULE_BUF_MAX && rule_buffers[b].active;
}

/* Legacy and alternative names Suricata accepts for the same buffers. */
static const struct {
    const char *alias;
    enum rule_buffer b;
} rule_buffer_aliases[] = {
    {"http_uri", RULE_BUF_HTTP_URI},       {"http_raw_uri", RULE_BUF_HTTP_URI_RAW},
    {"http_method", RULE_BUF_HTTP_METHOD}, {"http_host", RULE_BUF_HTTP_HOST},
    {"http_raw_host", RULE_BUF_HTTP_HOST_RAW}, {"http_user_agent", RULE_BUF_HTTP_USER_AGENT},
    {"http_header", RULE_BUF_HTTP_HEADER}, {"http_raw_header", RULE_BUF_HTTP_HEADER_RAW},
    {"http_header_names", RULE_BUF_HTTP_HEADER_NAMES}, {"http_request_line", RULE_BUF_HTTP_REQUEST_LINE},
    {"http_response_line", RULE_BUF_HTTP_RESPONSE_LINE}, {"http_cookie", RULE_BUF_HTTP_COOKIE},
    {"http_raw_cookie", RULE_BUF_HTTP_COOKIE}, {"http_client_body", RULE_BUF_HTTP_REQUEST_BODY},
    {"http_server_body", RULE_BUF_HTTP_RESPONSE_BODY}, {"http_stat_code", RULE_BUF_HTTP_STAT_CODE},
    {"http_stat_msg", RULE_BUF_HTTP_STAT_MSG}, {"http_protocol", RULE_BUF_HTTP_PROTOCOL},
    {"http_start", RULE_BUF_HTTP_START}, {"http_content_type", RULE_BUF_HTTP_CONTENT_TYPE},
    {"http_content_len", RULE_BUF_HTTP_CONTENT_LEN}, {"http_accept", RULE_BUF_HTTP_ACCEPT},
    {"http_accept_enc", RULE_BUF_HTTP_ACCEPT_ENC}, {"http_accept_lang", RULE_BUF_HTTP_ACCEPT_LANG},
    {"http_referer", RULE_BUF_HTTP_REFERER}, {"http_connection", RULE_BUF_HTTP_CONNECTION},
    {"http.request_header", RULE_BUF_HTTP_HEADER}, {"http.response_header", RULE_BUF_HTTP_HEADER},
    {"http.cookie.raw", RULE_BUF_HTTP_COOKIE}, {"file.data", RULE_BUF_FILE_DATA},
    {"ssh_proto", RULE_BUF_SSH_PROTO}, {"ssh_software", RULE_BUF_SSH_SOFTWARE},
    {"dns_query", RULE_BUF_DNS_QUERY}, {"tls_sni", RULE_BUF_TLS_SNI},
    {"tls_cert_subject", RULE_BUF_TLS_CERT_SUBJECT}, {"tls_cert_issuer", RULE_BUF_TLS_CERT_ISSUER},
    {"sip_header", RULE_BUF_SIP_HEADERS}, {"sip_body", RULE_BUF_SIP_BODY},
    {"sdp.media.media_info", RULE_BUF_SDP_MEDIA_INFO},
};

int rule_buffer_lookup(const char *name)
{
    for (int i = 0; i < RULE_BUF_MAX; i++)
        if (strcmp(rule_buffers[i].name, name) == 0)
            return i;
    for (size_t i = 0; i < TG_ARRAY_LEN(rule_buffer_aliases); i++)
        if (strcmp(rule_buffer_aliases[i].alias, name) == 0)
            return (int)rule_buffer_aliases[i].b;
    return -1;
}

const struct rule_keyword *rule_kw_lookup(const char *name)
{
    static const struct {
        const struct rule_keyword *t;
        const size_t *n;
    } tables[] = {
        {rule_kw_meta, &rule_kw_meta_n},       {rule_kw_content, &rule_kw_content_n},
        {rule_kw_pcre, &rule_kw_pcre_n},       {rule_kw_payload, &rule_kw_payload_n},
        {rule_kw_flow, &rule_kw_flow_n},       {rule_kw_packet, &rule_kw_packet_n},
        {rule_kw_threshold, &rule_kw_threshold_n}, {rule_kw_sip, &rule_kw_sip_n},
        {rule_kw_buffer, &rule_kw_buffer_n},
    };
    for (size_t t = 0; t < TG_ARRAY_LEN(tables); t++)
        for (size_t i = 0; i < *tables[t].n; i++)
            if (strcmp(tables[t].t[i].name, name) == 0)
                return &tables[t].t[i];
    return NULL;
}

int rule_kw_fail(struct rule_kw_ctx *k, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(k->err, k->errlen, fmt, ap);
    va_end(ap);
    return TG_ERROR;
}

struct rule_list *rule_kw_list(struct rule_kw_ctx *k, enum rule_buffer b, const char *header, int *index)
{
    struct rule *r = k->r;
    for (size_t i = 0; i < r->nlists; i++) {
        struct rule_list *l = &r->lists[i];
        if (l->buffer == b && ((!l->header && !header) || (l->header && header && strcasecmp(l->header, header) == 0))) {
            if (index)
                *index = (int)i;
            return l;
        }
    }
    char *h = NULL;
    if (header && !(h = strdup(header)))
        return NULL;
    struct rule_list *nl = realloc(r->lists, (r->nlists + 1) * sizeof(*nl));
    if (!nl) {
        free(h);
        return NULL;
    }
    r->lists = nl;
    r->lists[r->nlists] = (struct rule_list){.buffer = b, .header = h};
    if (index)
        *index = (int)r->nlists;
    return &r->lists[r->nlists++];
}

int rule_kw_set_sticky(struct rule_kw_ctx *k, enum rule_buffer b, const char *header)
{
    int idx;
    struct rule_list *l = rule_kw_list(k, b, header, &idx);
    if (!l)
        return rule_kw_fail(k, "out of memory");
    if (!l->line) {
        l->line = k->line;
        l->col = k->col;
    }
    k->cur_list = idx;
    return TG_OK;
}

static struct rule_match *list_push(struct rule_list *l)
{
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 4;
        struct rule_match *m = realloc(l->m, ncap * sizeof(*m));
        if (!m)
            return NULL;
        l->m = m;
        l->cap = ncap;
    }
    struct rule_match *m = &l->m[l->n++];
    memset(m, 0, sizeof(*m));
    return m;
}

struct rule_match *rule_kw_add_payload(struct rule_kw_ctx *k, enum rule_match_type type)
{
    int idx = k->cur_list;
    if (idx < 0 && !rule_kw_list(k, RULE_BUF_PKT_DATA, NULL, &idx))
        return NULL;
    struct rule_list *l = &k->r->lists[idx];
    struct rule_match *m = list_push(l);
    if (!m)
        return NULL;
    m->type = type;
    m->line = k->line;
    m->col = k->col;
    k->last_list = idx;
    k->last_match = (int)(l->n - 1);
    if (type == RULE_MATCH_CONTENT) {
        k->lastc_list = idx;
        k->lastc_match = k->last_match;
    }
    return m;
}

struct rule_match *rule_kw_add_pkt(struct rule_kw_ctx *k, enum rule_match_type type)
{
    struct rule *r = k->r;
    if (r->npkt == r->cappkt) {
        size_t ncap = r->cappkt ? r->cappkt * 2 : 4;
        struct rule_match *m = realloc(r->pkt_matches, ncap * sizeof(*m));
        if (!m)
            return NULL;
        r->pkt_matches = m;
        r->cappkt = ncap;
    }
    struct rule_match *m = &r->pkt_matches[r->npkt++];
    memset(m, 0, sizeof(*m));
    m->type = type;
    m->line = k->line;
    m->col = k->col;
    return m;
}

struct rule_match *rule_kw_last_content(struct rule_kw_ctx *k, const char *kw)
{
    /* As in Suricata, a modifier applies to the last content even when
     * other payload keywords (bsize, pcre, ...) stand between them. */
    if (k->lastc_list < 0) {
        rule_kw_fail(k, "no preceding content for '%s'", kw);
        return NULL;
    }
    return &k->r->lists[k->lastc_list].m[k->lastc_match];
}

int rule_kw_move_last(struct rule_kw_ctx *k, enum rule_buffer b, const char *kw)
{
    if (k->lastc_list < 0)
        return rule_kw_fail(k, "no preceding content for '%s'", kw);
    int fromi = k->lastc_list;
    struct rule_list *from = &k->r->lists[fromi];
    struct rule_match *m = &from->m[k->lastc_match];
    if (from->buffer == b)
        return TG_OK;
    /* Snort lets a modifier pull a content out of the file_data cursor too. */
    if ((from->buffer != RULE_BUF_PKT_DATA && from->buffer != RULE_BUF_FILE_DATA) ||
        (from->buffer == RULE_BUF_PKT_DATA && from->line != 0) || k->lastc_match != (int)from->n - 1)
        return rule_kw_fail(k, "content already belongs to buffer %s", rule_buffer_name(from->buffer));
    struct rule_match saved = *m;
    from->n--;
    int idx;
    struct rule_list *to = rule_kw_list(k, b, NULL, &idx);
    struct rule_match *dst = to ? list_push(to) : NULL;
    if (!dst) {
        k->r->lists[fromi].n++;
        return rule_kw_fail(k, "out of memory");
    }
    *dst = saved;
    if (k->r->lists[fromi].n == 0)
        k->r->lists[fromi].line = 0; /* emptied by the move, not left empty by the author */
    bool was_last = k->last_list == k->lastc_list && k->last_match == k->lastc_match;
    k->lastc_list = idx;
    k->lastc_match = (int)(to->n - 1);
    if (was_last) {
        k->last_list = k->lastc_list;
        k->last_match = k->lastc_match;
    }
    return TG_OK;
}

int rule_kw_split(char *arg, char sep, char **fields, int max)
{
    int n = 0;
    char *p = arg;
    for (;;) {
        char *start = p;
        bool inq = false;
        while (*p && (inq || *p != sep)) {
            if (*p == '\\' && p[1])
                p++;
            else if (*p == '"')
                inq = !inq;
            p++;
        }
        char end = *p;
        *p = '\0';
        while (isspace((unsigned char)*start))
            start++;
        size_t l = strlen(start);
        while (l && isspace((unsigned char)start[l - 1]))
            start[--l] = '\0';
        if (n == max)
            return -1;
        fields[n++] = start;
        if (!end)
            break;
        p++;
    }
    return n;
}

bool rule_kw_u64(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return false;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s[2]) {
        for (s += 2; *s; s++) {
            if (!isxdigit((unsigned char)*s))
                return false;
            unsigned d = isdigit((unsigned char)*s) ? (unsigned)(*s - '0') : (unsigned)(tolower((unsigned char)*s) - 'a' + 10);
            if (v > (UINT64_MAX >> 4))
                return false;
            v = v << 4 | d;
        }
    } else {
        for (; *s; s++) {
            if (!isdigit((unsigned char)*s))
                return false;
            unsigned d = (unsigned)(*s - '0');
            if (v > (UINT64_MAX - d) / 10)
                return false;
            v = v * 10 + d;
        }
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

bool rule_kw_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    bool neg = false;
    if (*s == '-' || *s == '+') {
        neg = *s == '-';
        s++;
    }
    uint64_t v;
    if (!rule_kw_u64(s, (uint64_t)INT64_MAX, &v))
        return false;
    int64_t r = neg ? -(int64_t)v : (int64_t)v;
    if (r < min || r > max)
        return false;
    *out = r;
    return true;
}

bool rule_kw_num(const char *s, uint64_t max, struct rule_num *out)
{
    char buf[64];
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (!n || n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    *out = (struct rule_num){0};
    char *p = buf;
    char *range = strstr(p, "<>");
    if (range) {
        *range = '\0';
        char *a = p, *b = range + 2;
        while (isspace((unsigned char)*b))
            b++;
        size_t al = strlen(a);
        while (al && isspace((unsigned char)a[al - 1]))
            a[--al] = '\0';
        if (!rule_kw_u64(a, max, &out->a) || !rule_kw_u64(b, max, &out->b) || out->a >= out->b)
            return false;
        out->op = RULE_CMP_RANGE_EX;
        return true;
    }
    if (p[0] != '-' && (range = strchr(p + 1, '-'))) {
        *range = '\0';
        if (!rule_kw_u64(p, max, &out->a) || !rule_kw_u64(range + 1, max, &out->b) || out->a > out->b)
            return false;
        out->op = RULE_CMP_RANGE_IN;
        return true;
    }
    if (p[0] == '<' && p[1] == '=') {
        out->op = RULE_CMP_LE;
        p += 2;
    } else if (p[0] == '>' && p[1] == '=') {
        out->op = RULE_CMP_GE;
        p += 2;
    } else if (p[0] == '<') {
        out->op = RULE_CMP_LT;
        p++;
    } else if (p[0] == '>') {
        out->op = RULE_CMP_GT;
        p++;
    } else if (p[0] == '!' && p[1] == '=') {
        out->op = RULE_CMP_NE;
        p += 2;
    } else if (p[0] == '!') {
        out->op = RULE_CMP_NE;
        p++;
    } else if (p[0] == '=') {
        out->op = RULE_CMP_EQ;
        p += p[1] == '=' ? 2 : 1;
    } else {
        out->op = RULE_CMP_EQ;
    }
    while (isspace((unsigned char)*p))
        p++;
    return rule_kw_u64(p, max, &out->a);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

uint8_t *rule_kw_string(struct rule_kw_ctx *k, const char *arg, bool hex, size_t *len)
{
    size_t n = strlen(arg);
    if (n < 2 || arg[0] != '"' || arg[n - 1] != '"' || (n >= 3 && arg[n - 2] == '\\' && (n < 4 || arg[n - 3] != '\\'))) {
        rule_kw_fail(k, "expected a string in double quotes");
        return NULL;
    }
    uint8_t *out = malloc(n);
    if (!out) {
        rule_kw_fail(k, "out of memory");
        return NULL;
    }
    size_t o = 0;
    bool inhex = false;
    int half = -1;
    for (size_t i = 1; i + 1 < n; i++) {
        unsigned char c = (unsigned char)arg[i];
        if (inhex) {
            if (c == '|') {
                if (half >= 0) {
                    rule_kw_fail(k, "odd number of hex digits in |...|");
                    goto fail;
                }
                inhex = false;
            } else if (c == ' ' || c == '\t') {
                if (half >= 0) {
                    rule_kw_fail(k, "hex byte split by a space in |...|");
                    goto fail;
                }
            } else if (hexval(c) >= 0) {
                if (half < 0) {
                    half = hexval(c);
                } else {
                    out[o++] = (uint8_t)(half << 4 | hexval(c));
                    half = -1;
                }
            } else {
                rule_kw_fail(k, "bad character '%c' in hex bytes |...|", c);
                goto fail;
            }
            continue;
        }
        if (c == '\\') {
            unsigned char e = (unsigned char)arg[i + 1];
            if (i + 2 >= n && i + 1 >= n - 1) {
                rule_kw_fail(k, "string ends with a lone backslash");
                goto fail;
            }
            if (e == '"' || e == ';' || e == '\\' || e == ':' || (hex && e == '|')) {
                out[o++] = e;
                i++;
                continue;
            }
            rule_kw_fail(k, "invalid escape '\\%c' (only \\\" \\; \\: \\\\ are allowed)", e);
            goto fail;
        }
        if (c == '"') {
            rule_kw_fail(k, "unescaped '\"' inside the string");
            goto fail;
        }
        if (hex && c == '|') {
            inhex = true;
            half = -1;
            continue;
        }
        out[o++] = c;
    }
    if (inhex) {
        rule_kw_fail(k, "unterminated hex bytes '|'");
        goto fail;
    }
    *len = o;
    return out;
fail:
    free(out);
    return NULL;
}

bool rule_kw_has_var(const struct rule_kw_ctx *k, const char *name)
{
    for (size_t i = 0; i < k->nvars; i++)
        if (strcmp(k->vars[i], name) == 0)
            return true;
    return false;
}

int rule_kw_word(const char *s, const char *const *table)
{
    for (int i = 0; table[i]; i++)
        if (strcmp(s, table[i]) == 0)
            return i;
    return -1;
}
