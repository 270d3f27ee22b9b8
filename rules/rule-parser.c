/* rule-parser.c - reads rule files: header (action, protocol, addresses, ports, direction), option list, checks, duplicate sids. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "config.h"
#include "rule-keyword.h"
#include "rule-lexer.h"
#include "rule.h"

/* Longest keyword name; longer ones cannot be keywords. */
#define RULE_KW_NAME_MAX 64

struct sid_entry {
    uint64_t key;   /* gid << 32 | sid; 0 = empty slot (sid 0 is refused earlier) */
    char *where;    /* "FILE:LINE:COL" */
};

struct rule_loader {
    struct rule_vars *vars;
    struct rule_classify *classify;
    struct rule_loader_opts opts;
    struct sid_entry *sids;
    size_t nsids, capsids;
    size_t max_len;         /* config rule-max-length: longest logical rule */
};

static const char *const rule_action_names[] = {"pass", "drop", "reject", "rejectsrc", "rejectdst",
                                                "rejectboth", "alert", NULL};

const char *rule_action_name(enum rule_action a)
{
    return (unsigned)a < RULE_ACTION_MAX ? rule_action_names[a] : "?";
}

/* Rule protocols: transport ones, app-layer ones we decode (or reserve for
 * the P2P decoders), and Suricata app-layer names we accept but do not decode. */
static const struct {
    const char *name;
    enum rule_l4 l4;
    const char *app;
    bool decoded;
} rule_protos[] = {
    {"ip", RULE_L4_ANY, NULL, true},          {"pkthdr", RULE_L4_ANY, NULL, true},
    {"tcp", RULE_L4_TCP, NULL, true},         {"tcp-pkt", RULE_L4_TCP_PKT, NULL, true},
    {"tcp-stream", RULE_L4_TCP_STREAM, NULL, true}, {"udp", RULE_L4_UDP, NULL, true},
    {"icmp", RULE_L4_ICMP, NULL, true},       {"icmpv4", RULE_L4_ICMPV4, NULL, true},
    {"icmpv6", RULE_L4_ICMPV6, NULL, true},   {"sctp", RULE_L4_SCTP, NULL, false},
    {"sip", RULE_L4_ANY, "sip", true},        {"sdp", RULE_L4_ANY, "sdp", true},
    {"http", RULE_L4_TCP, "http", true},      {"http1", RULE_L4_TCP, "http", true},
    {"rtp", RULE_L4_UDP, "rtp", true},        {"rtcp", RULE_L4_UDP, "rtp", true},
    {"bittorrent", RULE_L4_ANY, "bittorrent", true},
    {"bittorrent-dht", RULE_L4_UDP, "bittorrent", true},
    {"edonkey", RULE_L4_ANY, "edonkey", true},
    {"dns", RULE_L4_ANY, "dns", false},       {"tls", RULE_L4_TCP, "tls", false},
    {"ssh", RULE_L4_TCP, "ssh", false},       {"ftp", RULE_L4_TCP, "ftp", false},
    {"ftp-data", RULE_L4_TCP, "ftp-data", false}, {"smtp", RULE_L4_TCP, "smtp", false},
    {"imap", RULE_L4_TCP, "imap", false},     {"pop3", RULE_L4_TCP, "pop3", false},
    {"smb", RULE_L4_TCP, "smb", false},       {"dcerpc", RULE_L4_ANY, "dcerpc", false},
    {"nfs", RULE_L4_ANY, "nfs", false},       {"ntp", RULE_L4_UDP, "ntp", false},
    {"dhcp", RULE_L4_UDP, "dhcp", false},     {"tftp", RULE_L4_UDP, "tftp", false},
    {"krb5", RULE_L4_ANY, "krb5", false},     {"snmp", RULE_L4_UDP, "snmp", false},
    {"ike", RULE_L4_UDP, "ike", false},       {"ikev2", RULE_L4_UDP, "ike", false},
    {"rdp", RULE_L4_TCP, "rdp", false},       {"rfb", RULE_L4_TCP, "rfb", false},
    {"mqtt", RULE_L4_TCP, "mqtt", false},     {"modbus", RULE_L4_TCP, "modbus", false},
    {"dnp3", RULE_L4_TCP, "dnp3", false},     {"enip", RULE_L4_ANY, "enip", false},
    {"http2", RULE_L4_TCP, "http2", false},   {"quic", RULE_L4_UDP, "quic", false},
    {"pgsql", RULE_L4_TCP, "pgsql", false},   {"telnet", RULE_L4_TCP, "telnet", false},
    {"ldap", RULE_L4_ANY, "ldap", false},     {"websocket", RULE_L4_TCP, "websocket", false},
    {"irc", RULE_L4_TCP, "irc", false},       {"doh2", RULE_L4_TCP, "doh2", false},
};

/* ---- loader ---------------------------------------------------------- */

struct rule_loader *rule_loader_new(const struct config *cfg, const struct rule_loader_opts *opts,
                                    char *err, size_t errlen)
{
    struct rule_loader *ld = calloc(1, sizeof(*ld));
    if (!ld || !(ld->vars = rule_vars_new(cfg)) || !(ld->classify = rule_classify_new())) {
        snprintf(err, errlen, "out of memory");
        rule_loader_free(ld);
        return NULL;
    }
    if (opts)
        ld->opts = *opts;
    ld->max_len = cfg ? config_get_u64(cfg, "rule-max-length", RULE_LEXER_MAX_LEN) : RULE_LEXER_MAX_LEN;
    if (ld->max_len == 0)
        ld->max_len = RULE_LEXER_MAX_LEN;
    const char *cf = cfg ? config_get(cfg, "classification-file") : NULL;
    if (cf && *cf && rule_classify_load_classes(ld->classify, cf, err, errlen) != TG_OK) {
        rule_loader_free(ld);
        return NULL;
    }
    const char *rf = cfg ? config_get(cfg, "reference-config-file") : NULL;
    if (!rf && cfg)
        rf = config_get(cfg, "reference-file");
    if (rf && *rf && rule_classify_load_refs(ld->classify, rf, err, errlen) != TG_OK) {
        rule_loader_free(ld);
        return NULL;
    }
    return ld;
}

void rule_loader_free(struct rule_loader *ld)
{
    if (!ld)
        return;
    rule_vars_free(ld->vars);
    rule_classify_free(ld->classify);
    for (size_t i = 0; i < ld->capsids; i++)
        free(ld->sids[i].where);
    free(ld->sids);
    free(ld);
}

static uint64_t sid_hash(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return k;
}

/* The place a gid:sid was first defined, or NULL; records it when new. */
static const char *sid_check_add(struct rule_loader *ld, uint64_t key, const char *where, bool *oom)
{
    *oom = false;
    if (ld->nsids * 2 >= ld->capsids) {
        size_t ncap = ld->capsids ? ld->capsids * 2 : 1024;
        struct sid_entry *n = calloc(ncap, sizeof(*n));
        if (!n) {
            *oom = true;
            return NULL;
        }
        for (size_t i = 0; i < ld->capsids; i++) {
            if (!ld->sids[i].key)
                continue;
            size_t j = sid_hash(ld->sids[i].key) & (ncap - 1);
            while (n[j].key)
                j = (j + 1) & (ncap - 1);
            n[j] = ld->sids[i];
        }
        free(ld->sids);
        ld->sids = n;
        ld->capsids = ncap;
    }
    size_t j = sid_hash(key) & (ld->capsids - 1);
    while (ld->sids[j].key) {
        if (ld->sids[j].key == key)
            return ld->sids[j].where;
        j = (j + 1) & (ld->capsids - 1);
    }
    char *w = strdup(where);
    if (!w) {
        *oom = true;
        return NULL;
    }
    ld->sids[j] = (struct sid_entry){.key = key, .where = w};
    ld->nsids++;
    return NULL;
}

/* ---- freeing --------------------------------------------------------- */

static void match_free(struct rule_match *m)
{
    switch (m->type) {
    case RULE_MATCH_CONTENT:
        free(m->u.content.bytes);
        free(m->u.content.offset_var);
        free(m->u.content.depth_var);
        free(m->u.content.distance_var);
        free(m->u.content.within_var);
        break;
    case RULE_MATCH_PCRE:
        free(m->u.pcre.pattern);
        pcre2_code_free(m->u.pcre.code);
        break;
    case RULE_MATCH_ISDATAAT:
        free(m->u.isdataat.var);
        break;
    case RULE_MATCH_BYTE_TEST:
    case RULE_MATCH_BYTE_JUMP:
    case RULE_MATCH_BYTE_EXTRACT:
        free(m->u.byte.offset_var);
        free(m->u.byte.value_var);
        free(m->u.byte.name);
        break;
    case RULE_MATCH_FLOWBITS:
    case RULE_MATCH_XBITS:
        for (size_t i = 0; i < m->u.bits.nnames; i++)
            free(m->u.bits.names[i]);
        free(m->u.bits.names);
        break;
    case RULE_MATCH_FLOWINT:
        free(m->u.flowint.name);
        free(m->u.flowint.value_var);
        break;
    case RULE_MATCH_APP_PROTO:
    case RULE_MATCH_APP_EVENT:
    case RULE_MATCH_SSL_STATE:
        free(m->u.app.name);
        break;
    case RULE_MATCH_SIP_METHOD:
    case RULE_MATCH_SIP_STAT_CODE:
        for (size_t i = 0; m->u.list.names && i < m->u.list.n; i++)
            free(m->u.list.names[i]);
        free(m->u.list.names);
        free(m->u.list.codes);
        break;
    case RULE_MATCH_SIP_HDR_COUNT:
        free(m->u.hdr_count.name);
        break;
    case RULE_MATCH_IPLIST:
        free(m->u.iplist.name);
        break;
    default:
        break;
    }
}

void rule_free(struct rule *r)
{
    if (!r)
        return;
    free(r->proto_name);
    free(r->app_proto);
    rule_addr_clear(&r->src);
    rule_addr_clear(&r->dst);
    rule_port_clear(&r->sport);
    rule_port_clear(&r->dport);
    free(r->msg);
    free(r->classtype);
    free(r->class_desc);
    for (size_t i = 0; i < r->nrefs; i++) {
        free(r->refs[i].type);
        free(r->refs[i].value);
    }
    free(r->refs);
    for (size_t i = 0; i < r->nmetadata; i++)
        free(r->metadata[i]);
    free(r->metadata);
    for (size_t i = 0; i < r->nlists; i++) {
        for (size_t j = 0; j < r->lists[i].n; j++)
            match_free(&r->lists[i].m[j]);
        free(r->lists[i].m);
        free(r->lists[i].header);
    }
    free(r->lists);
    for (size_t i = 0; i < r->npkt; i++)
        match_free(&r->pkt_matches[i]);
    free(r->pkt_matches);
    free(r->file);
    free(r->text);
    free(r);
}

void ruleset_clear(struct ruleset *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        rule_free(rs->rules[i]);
    free(rs->rules);
    *rs = (struct ruleset){0};
}

const struct rule_list *rule_find_list(const struct rule *r, enum rule_buffer b, const char *header)
{
    for (size_t i = 0; i < r->nlists; i++) {
        const struct rule_list *l = &r->lists[i];
        if (l->buffer == b && ((!header && !l->header) || (header && l->header && strcasecmp(header, l->header) == 0)))
            return l;
    }
    return NULL;
}

/* ---- parsing one rule ------------------------------------------------ */

struct parse_err {
    char kw[RULE_KW_NAME_MAX + 1];
    char msg[768];
    size_t off;     /* offset in the rule text; SIZE_MAX: line/col below */
    uint32_t line, col;
};

/* Where an error is, as file line and column. */
static void perr_pos(const struct parse_err *e, const struct rule_src *src, uint32_t *line, uint32_t *col)
{
    if (e->off == SIZE_MAX) {
        *line = e->line;
        *col = e->col;
    } else {
        rule_src_pos(src, e->off, line, col);
    }
}

static int perr(struct parse_err *e, const char *kw, size_t off, const char *msg)
{
    snprintf(e->kw, sizeof e->kw, "%s", kw);
    snprintf(e->msg, sizeof e->msg, "%s", msg);
    e->off = off;
    return TG_ERROR;
}

/* Next header token starting at *i: a run of non-blanks in which brackets may hold blanks. */
static bool header_token(const char *s, size_t *i, size_t *start, size_t *len)
{
    while (s[*i] == ' ' || s[*i] == '\t')
        (*i)++;
    if (!s[*i] || s[*i] == '(')
        return false;
    *start = *i;
    int depth = 0;
    while (s[*i] && (depth > 0 || (s[*i] != ' ' && s[*i] != '\t' && s[*i] != '('))) {
        if (s[*i] == '[')
            depth++;
        else if (s[*i] == ']' && depth > 0)
            depth--;
        (*i)++;
    }
    *len = *i - *start;
    return true;
}

/* Protocol a buffer belongs to, or NULL for generic buffers. */
static const char *buffer_proto(enum rule_buffer b)
{
    static const char *const protos[] = {
#define RULE_BUF_PROTO(id, name, proto, st) proto,
        RULE_BUFFER_LIST(RULE_BUF_PROTO)
#undef RULE_BUF_PROTO
    };
    return protos[b];
}

/* Checks and derived fields once every option is parsed. */
static int rule_finish(struct rule_kw_ctx *k, struct parse_err *e, size_t optstart)
{
    struct rule *r = k->r;
    if (!k->sid_set)
        return perr(e, "sid", optstart, "rule has no sid");
    /* A content moved away by a Snort modifier can leave an implied, empty pkt_data list. */
    for (size_t i = 0; i < r->nlists;) {
        if (r->lists[i].n == 0 && !r->lists[i].line) {
            free(r->lists[i].m);
            free(r->lists[i].header);
            memmove(&r->lists[i], &r->lists[i + 1], (r->nlists - i - 1) * sizeof(r->lists[0]));
            r->nlists--;
        } else {
            i++;
        }
    }
    /* App-layer buffers pin the rule to their protocol (as Suricata does). */
    for (size_t i = 0; i < r->nlists; i++) {
        const struct rule_list *l = &r->lists[i];
        const char *bp = buffer_proto(l->buffer);
        if (l->n == 0 && l->line) {
            /* Point at the buffer keyword itself. */
            e->off = SIZE_MAX;
            snprintf(e->kw, sizeof e->kw, "%s", rule_buffer_name(l->buffer));
            snprintf(e->msg, sizeof e->msg, "sticky buffer without a match after it");
            e->line = l->line;
            e->col = l->col;
            return TG_ERROR;
        }
        if (!bp)
            continue;
        if (!r->app_proto) {
            r->app_proto = strdup(bp);
            if (!r->app_proto)
                return perr(e, "rule", optstart, "out of memory");
        } else if (strcmp(r->app_proto, bp) != 0 &&
                   !(strcmp(r->app_proto, "sip") == 0 && strcmp(bp, "sdp") == 0) &&
                   !(strcmp(r->app_proto, "sdp") == 0 && strcmp(bp, "sip") == 0)) {
            char msg[256];
            snprintf(msg, sizeof msg, "buffer %s needs protocol %s but the rule is for %s",
                     rule_buffer_name(l->buffer), bp, r->app_proto);
            return perr(e, rule_buffer_name(l->buffer), optstart, msg);
        }
        if (!rule_buffer_active(l->buffer) && !r->inactive_reason)
            r->inactive_reason = bp;
    }
    /* Mark the anchors of relative matches, and pick the fast pattern:
     * an explicit fast_pattern, else the longest positive content. */
    r->fp_list = r->fp_match = -1;
    size_t best = 0;
    for (size_t i = 0; i < r->nlists; i++) {
        struct rule_list *l = &r->lists[i];
        for (size_t j = 0; j < l->n; j++) {
            struct rule_match *m = &l->m[j];
            if ((m->flags & RULE_MATCH_RELATIVE) && j > 0)
                l->m[j - 1].flags |= RULE_MATCH_RELATIVE_NEXT;
            if (m->type != RULE_MATCH_CONTENT)
                continue;
            if (m->flags & RULE_CONTENT_FAST) {
                r->fp_list = (int)i;
                r->fp_match = (int)j;
                best = SIZE_MAX;
            } else if (!(m->flags & RULE_CONTENT_NEGATED) && m->u.content.len > best && best != SIZE_MAX) {
                r->fp_list = (int)i;
                r->fp_match = (int)j;
                best = m->u.content.len;
            }
        }
    }
    if (!k->prio_set) {
        int prio = 3;
        if (r->classtype)
            rule_classify_class(k->classify, r->classtype, NULL, &prio);
        r->priority = prio;
    }
    return TG_OK;
}

/* Parse one logical rule; NULL with e filled on error. */
static struct rule *rule_parse_src(struct rule_loader *ld, const struct rule_src *src, const char *file,
                                   struct parse_err *e)
{
    const char *s = src->text;
    size_t i = 0, ts, tl;
    char tok[4096];
    struct rule *r = calloc(1, sizeof(*r));
    if (!r) {
        perr(e, "rule", 0, "out of memory");
        return NULL;
    }
    r->gid = 1;
    r->fp_list = r->fp_match = -1;
    r->file = strdup(file);
    r->text = strdup(s);
    rule_src_pos(src, 0, &r->line, &r->col);
    if (!r->file || !r->text) {
        perr(e, "rule", 0, "out of memory");
        goto fail;
    }

    /* action */
    if (!header_token(s, &i, &ts, &tl)) {
        perr(e, "action", i, "expected an action (alert, drop, reject, pass, ...)");
        goto fail;
    }
    snprintf(tok, sizeof tok, "%.*s", (int)TG_MIN(tl, sizeof tok - 1), s + ts);
    int a = rule_kw_word(tok, rule_action_names);
    if (a < 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "unknown action '%.64s' (alert, drop, reject, rejectsrc, rejectdst, rejectboth, pass)", tok);
        perr(e, "action", ts, msg);
        goto fail;
    }
    r->action = (enum rule_action)a;

    /* protocol */
    if (!header_token(s, &i, &ts, &tl)) {
        perr(e, "protocol", i, "expected a protocol after the action");
        goto fail;
    }
    snprintf(tok, sizeof tok, "%.*s", (int)TG_MIN(tl, sizeof tok - 1), s + ts);
    for (char *p = tok; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    size_t pi;
    for (pi = 0; pi < TG_ARRAY_LEN(rule_protos); pi++)
        if (strcmp(rule_protos[pi].name, tok) == 0)
            break;
    if (pi == TG_ARRAY_LEN(rule_protos)) {
        char msg[256];
        snprintf(msg, sizeof msg, "unknown protocol '%.64s'", tok);
        perr(e, "protocol", ts, msg);
        goto fail;
    }
    r->l4 = rule_protos[pi].l4;
    r->proto_name = strdup(tok);
    if (rule_protos[pi].app)
        r->app_proto = strdup(rule_protos[pi].app);
    if (!r->proto_name || (rule_protos[pi].app && !r->app_proto)) {
        perr(e, "rule", 0, "out of memory");
        goto fail;
    }
    if (!rule_protos[pi].decoded)
        r->inactive_reason = rule_protos[pi].name;

    /* src, sport, direction, dst, dport */
    static const char *const fields[] = {"source address", "source port", "direction",
                                         "destination address", "destination port"};
    for (int f = 0; f < 5; f++) {
        if (!header_token(s, &i, &ts, &tl)) {
            char msg[128];
            snprintf(msg, sizeof msg, "expected the %s", fields[f]);
            perr(e, fields[f], i, msg);
            goto fail;
        }
        if (tl >= sizeof tok) {
            perr(e, fields[f], ts, "too long");
            goto fail;
        }
        memcpy(tok, s + ts, tl);
        tok[tl] = '\0';
        char msg[600];
        size_t epos = 0;
        int st = TG_OK;
        switch (f) {
        case 0: st = rule_addr_parse(&r->src, tok, ld->vars, msg, sizeof msg, &epos); break;
        case 1: st = rule_port_parse(&r->sport, tok, ld->vars, msg, sizeof msg, &epos); break;
        case 3: st = rule_addr_parse(&r->dst, tok, ld->vars, msg, sizeof msg, &epos); break;
        case 4: st = rule_port_parse(&r->dport, tok, ld->vars, msg, sizeof msg, &epos); break;
        case 2:
            if (strcmp(tok, "->") == 0) {
                r->bidirectional = false;
            } else if (strcmp(tok, "<>") == 0) {
                r->bidirectional = true;
            } else {
                snprintf(msg, sizeof msg, strcmp(tok, "<-") == 0
                                              ? "'<-' is not supported: swap the addresses and use '->'"
                                              : "expected '->' or '<>', got '%.32s'", tok);
                st = TG_ERROR;
            }
            break;
        }
        if (st != TG_OK) {
            perr(e, fields[f], ts + epos, msg);
            goto fail;
        }
    }

    /* options */
    while (s[i] == ' ' || s[i] == '\t')
        i++;
    if (s[i] != '(') {
        perr(e, "options", i, s[i] ? "expected '(' to open the options" : "rule has no options '(...)'");
        goto fail;
    }
    size_t optstart = i;
    size_t close = src->len;
    while (close > i && (s[close - 1] == ' ' || s[close - 1] == '\t'))
        close--;
    if (close == i + 1 || s[close - 1] != ')') {
        perr(e, "options", close, "options do not end with ')'");
        goto fail;
    }
    close--; /* index of ')' */
    i++;

    struct rule_kw_ctx k = {.r = r, .classify = ld->classify, .cur_list = -1, .last_list = -1,
                            .last_match = -1, .lastc_list = -1, .lastc_match = -1};
    char errbuf[600];
    k.err = errbuf;
    k.errlen = sizeof errbuf;
    while (i < close) {
        while (i < close && isspace((unsigned char)s[i]))
            i++;
        if (i >= close)
            break;
        size_t kstart = i;
        char name[RULE_KW_NAME_MAX + 1];
        size_t nl = 0;
        while (i < close && (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '.' || s[i] == '-')) {
            if (nl < RULE_KW_NAME_MAX)
                name[nl] = (char)tolower((unsigned char)s[i]);
            nl++;
            i++;
        }
        if (nl == 0 || nl > RULE_KW_NAME_MAX) {
            char msg[64];
            snprintf(msg, sizeof msg, nl ? "keyword name too long" : "expected a keyword, got '%c'", s[i]);
            perr(e, "options", kstart, msg);
            goto fail;
        }
        name[nl] = '\0';
        while (i < close && (s[i] == ' ' || s[i] == '\t'))
            i++;
        const char *arg = NULL;
        char *argbuf = NULL;
        if (i < close && s[i] == ':') {
            i++;
            size_t vstart = i;
            /* The value runs to the first ';' not escaped by a backslash. */
            while (i < close && s[i] != ';') {
                if (s[i] == '\\' && i + 1 < close)
                    i++;
                i++;
            }
            size_t vend = i;
            while (vstart < vend && isspace((unsigned char)s[vstart]))
                vstart++;
            while (vend > vstart && isspace((unsigned char)s[vend - 1]))
                vend--;
            argbuf = strndup(s + vstart, vend - vstart);
            if (!argbuf) {
                perr(e, name, kstart, "out of memory");
                goto fail;
            }
            arg = argbuf;
        } else if (i < close && s[i] != ';') {
            char msg[64];
            snprintf(msg, sizeof msg, "expected ':' or ';' after the keyword, got '%c'", s[i]);
            perr(e, name, i, msg);
            goto fail;
        }
        if (i < close)
            i++; /* ';' (the last option may omit it, as Snort allows) */
        const struct rule_keyword *kw = rule_kw_lookup(name);
        if (!kw) {
            free(argbuf);
            perr(e, name, kstart, "unknown keyword");
            goto fail;
        }
        if ((kw->argmode & RULE_KW_ARG_NONE) && arg) {
            free(argbuf);
            perr(e, name, kstart, "takes no value");
            goto fail;
        }
        if ((kw->argmode & RULE_KW_ARG_REQ) && (!arg || !*arg)) {
            free(argbuf);
            perr(e, name, kstart, "needs a value");
            goto fail;
        }
        rule_src_pos(src, kstart, &k.line, &k.col);
        errbuf[0] = '\0';
        int st = kw->fn(&k, name, arg);
        free(argbuf);
        if (st != TG_OK) {
            perr(e, name, kstart, errbuf);
            goto fail;
        }
    }
    if (rule_finish(&k, e, optstart) != TG_OK)
        goto fail;
    return r;
fail:
    rule_free(r);
    return NULL;
}

struct rule *rule_parse_line(struct rule_loader *ld, const char *text, char *err, size_t errlen, size_t *errcol)
{
    struct rule_lexer lx;
    struct rule_src src;
    struct parse_err e = {0};
    rule_lexer_init(&lx, text, strlen(text));
    int st = rule_lexer_next(&lx, &src);
    if (st != TG_OK) {
        snprintf(err, errlen, "rule: %s", st == TG_DECLINED ? "no rule in the text" : src.text ? src.text : "out of memory");
        *errcol = 1;
        rule_src_free(&src);
        return NULL;
    }
    struct rule *r = rule_parse_src(ld, &src, "-", &e);
    if (!r) {
        uint32_t line, col;
        perr_pos(&e, &src, &line, &col);
        snprintf(err, errlen, "%s: %s", e.kw, e.msg);
        *errcol = col;
    }
    rule_src_free(&src);
    return r;
}

static int ruleset_add(struct ruleset *rs, struct rule *r)
{
    if (rs->n == rs->cap) {
        size_t ncap = rs->cap ? rs->cap * 2 : 64;
        struct rule **n = realloc(rs->rules, ncap * sizeof(*n));
        if (!n)
            return TG_ERROR;
        rs->rules = n;
        rs->cap = ncap;
    }
    rs->rules[rs->n++] = r;
    return TG_OK;
}

static void report(struct rule_loader *ld, struct ruleset *rs, const char *name, uint32_t line, uint32_t col,
                   const char *kw, const char *msg)
{
    rs->errors++;
    if (ld->opts.skip_bad)
        rs->skipped++;
    if (ld->opts.errors)
        fprintf(ld->opts.errors, "%s:%u:%u: error: %s: %s%s\n", name, line, col, kw, msg,
                ld->opts.skip_bad ? " [rule skipped]" : "");
}

int rule_load_buffer(struct rule_loader *ld, struct ruleset *rs, const char *name, const char *text, size_t len)
{
    struct rule_lexer lx;
    struct rule_src src;
    size_t errors_before = rs->errors;
    rule_lexer_init(&lx, text, len);
    lx.max_len = ld->max_len;
    for (;;) {
        int st = rule_lexer_next(&lx, &src);
        if (st == TG_DECLINED)
            break;
        if (st == TG_ERROR) {
            report(ld, rs, name, src.line ? src.line[0] : lx.lineno, 1, "rule", src.text ? src.text : "out of memory");
            rule_src_free(&src);
            continue;
        }
        struct parse_err e = {0};
        struct rule *r = rule_parse_src(ld, &src, name, &e);
        uint32_t line, col;
        if (!r) {
            perr_pos(&e, &src, &line, &col);
            report(ld, rs, name, line, col, e.kw, e.msg);
            rule_src_free(&src);
            continue;
        }
        /* The sid keyword's position names both duplicates. */
        line = r->line;
        col = r->col;
        if (r->sid_line) {
            line = r->sid_line;
            col = r->sid_col;
        }
        char where[1024];
        snprintf(where, sizeof where, "%s:%u:%u", name, line, col);
        bool oom;
        const char *first = sid_check_add(ld, (uint64_t)r->gid << 32 | r->sid, where, &oom);
        if (oom || first) {
            char msg[1200];
            snprintf(msg, sizeof msg, oom ? "out of memory" : "duplicate sid %u:%u (first defined at %s)", r->gid,
                     r->sid, first);
            report(ld, rs, name, line, col, "sid", msg);
            rule_free(r);
        } else if (ruleset_add(rs, r) != TG_OK) {
            report(ld, rs, name, line, col, "rule", "out of memory");
            rule_free(r);
        }
        rule_src_free(&src);
    }
    if (rs->errors == errors_before || ld->opts.skip_bad)
        return TG_OK;
    return TG_ERROR;
}

int rule_load_file(struct rule_loader *ld, struct ruleset *rs, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        rs->errors++;
        if (ld->opts.errors)
            fprintf(ld->opts.errors, "%s: error: cannot open rule file: %s\n", path, strerror(errno));
        return TG_ERROR;
    }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
        if (n == cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    bool rerr = ferror(f);
    fclose(f);
    if (!buf || rerr) {
        free(buf);
        rs->errors++;
        if (ld->opts.errors)
            fprintf(ld->opts.errors, "%s: error: cannot read rule file\n", path);
        return TG_ERROR;
    }
    int st = rule_load_buffer(ld, rs, path, buf, n);
    free(buf);
    return st;
}

int rule_load_files(struct rule_loader *ld, struct ruleset *rs, const struct config *cfg, const char *const *files,
                    size_t nfiles)
{
    if (!nfiles)
        return rule_load_config_files(ld, rs, cfg);
    int st = TG_OK;
    for (size_t i = 0; i < nfiles; i++)
        if (rule_load_file(ld, rs, files[i]) != TG_OK)
            st = TG_ERROR;
    return st;
}

int rule_load_config_files(struct rule_loader *ld, struct ruleset *rs, const struct config *cfg)
{
    const char *list = cfg ? config_get(cfg, "rule-files") : NULL;
    if (!list)
        return TG_OK;
    char *copy = strdup(list);
    if (!copy)
        return TG_ERROR;
    int st = TG_OK;
    const char *dir = config_get(cfg, "rule-path");
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        while (isspace((unsigned char)*t))
            t++;
        size_t l = strlen(t);
        while (l && isspace((unsigned char)t[l - 1]))
            t[--l] = '\0';
        if (!l)
            continue;
        char path[4096];
        if (dir && *dir && t[0] != '/')
            snprintf(path, sizeof path, "%s/%s", dir, t);
        else
            snprintf(path, sizeof path, "%s", t);
        if (rule_load_file(ld, rs, path) != TG_OK)
            st = TG_ERROR;
    }
    free(copy);
    return st;
}
