/* keyword-packet.c - IP/TCP/ICMP header keywords: ttl, itype, icode, icmp_id, icmp_seq, ip_proto, flags, fragbits, sameip, id, ack, seq, window, ssl_state. */
#include <ctype.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include "rule-keyword.h"

static int add_num(struct rule_kw_ctx *k, enum rule_match_type t, const char *arg, uint64_t max, bool ops)
{
    struct rule_num num = {0};
    if (ops ? !rule_kw_num(arg, max, &num) : !rule_kw_u64(arg, max, &num.a))
        return rule_kw_fail(k, ops ? "expected N, <N, >N, <=N, >=N, !N or N<>M up to %llu, got '%.40s'"
                                   : "expected a number up to %llu, got '%.40s'",
                            (unsigned long long)max, arg);
    if (!ops)
        num.op = RULE_CMP_EQ;
    struct rule_match *m = rule_kw_add_pkt(k, t);
    if (!m)
        return rule_kw_fail(k, "out of memory");
    m->u.num = num;
    return TG_OK;
}

static int kw_numeric(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    if (strcmp(name, "ttl") == 0)
        return add_num(k, RULE_MATCH_TTL, arg, 255, true);
    if (strcmp(name, "itype") == 0)
        return add_num(k, RULE_MATCH_ITYPE, arg, 255, true);
    if (strcmp(name, "icode") == 0)
        return add_num(k, RULE_MATCH_ICODE, arg, 255, true);
    if (strcmp(name, "icmp_id") == 0)
        return add_num(k, RULE_MATCH_ICMP_ID, arg, 65535, false);
    if (strcmp(name, "icmp_seq") == 0)
        return add_num(k, RULE_MATCH_ICMP_SEQ, arg, 65535, false);
    if (strcmp(name, "id") == 0)
        return add_num(k, RULE_MATCH_IP_ID, arg, 65535, false);
    if (strcmp(name, "ack") == 0)
        return add_num(k, RULE_MATCH_TCP_ACK, arg, UINT32_MAX, false);
    if (strcmp(name, "seq") == 0)
        return add_num(k, RULE_MATCH_TCP_SEQ, arg, UINT32_MAX, false);
    /* window: [!]N */
    return add_num(k, RULE_MATCH_TCP_WINDOW, arg, 65535, true);
}

static int kw_ip_proto(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)name;
    char buf[64];
    const char *p = arg;
    char op[3] = "";
    if (*p == '!' || *p == '<' || *p == '>') {
        op[0] = *p++;
    }
    uint64_t v;
    if (!rule_kw_u64(p, 255, &v)) {
        static const struct {
            const char *n;
            unsigned v;
        } names[] = {{"ip", 0}, {"icmp", 1}, {"igmp", 2}, {"ipip", 4}, {"tcp", 6}, {"udp", 17}, {"ipv6", 41},
                     {"gre", 47}, {"esp", 50}, {"ah", 51}, {"ipv6-icmp", 58}, {"icmpv6", 58}, {"sctp", 132}};
        size_t i;
        for (i = 0; i < TG_ARRAY_LEN(names); i++)
            if (strcasecmp(p, names[i].n) == 0)
                break;
        if (i == TG_ARRAY_LEN(names))
            return rule_kw_fail(k, "unknown IP protocol '%.40s'", p);
        v = names[i].v;
    }
    snprintf(buf, sizeof buf, "%s%llu", op, (unsigned long long)v);
    return add_num(k, RULE_MATCH_IP_PROTO, buf, 255, true);
}

/* TCP flag letters (Snort/Suricata): F S R P A U C E, 1 and 2 as old names of C and E, 0 for none. */
static int flag_bit(char c)
{
    switch (c) {
    case 'F': return 0x01;
    case 'S': return 0x02;
    case 'R': return 0x04;
    case 'P': return 0x08;
    case 'A': return 0x10;
    case 'U': return 0x20;
    case 'E': case '2': return 0x40;
    case 'C': case '1': return 0x80;
    default: return -1;
    }
}

static int kw_flags(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)name;
    char buf[64];
    snprintf(buf, sizeof buf, "%s", arg);
    char *comma = strchr(buf, ',');
    struct rule_tcp_flags tf = {0};
    if (comma) {
        *comma = '\0';
        for (char *p = comma + 1; *p; p++) {
            if (*p == ' ')
                continue;
            int b = flag_bit(*p);
            if (b < 0)
                return rule_kw_fail(k, "bad flag '%c' in the mask", *p);
            tf.mask |= (uint8_t)b;
        }
    }
    char *p = buf;
    while (*p == ' ')
        p++;
    /* The modifier may come before or after the letters. */
    for (char *q = p; *q; q++) {
        if (*q == '+' || *q == '*' || *q == '!') {
            if (tf.modifier)
                return rule_kw_fail(k, "more than one modifier");
            tf.modifier = *q;
        } else if (*q == '0') {
            if (tf.set)
                return rule_kw_fail(k, "'0' (no flags) cannot be combined with flags");
        } else if (*q != ' ') {
            int b = flag_bit(*q);
            if (b < 0)
                return rule_kw_fail(k, "bad flag '%c' (F S R P A U C E 1 2 0)", *q);
            tf.set |= (uint8_t)b;
        }
    }
    if (!strpbrk(p, "FSRPAUCE120"))
        return rule_kw_fail(k, "no flags given");
    struct rule_match *m = rule_kw_add_pkt(k, RULE_MATCH_TCP_FLAGS);
    if (!m)
        return rule_kw_fail(k, "out of memory");
    m->u.tcp_flags = tf;
    return TG_OK;
}

static int kw_fragbits(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)name;
    struct rule_tcp_flags tf = {0};
    for (const char *q = arg; *q; q++) {
        if (*q == '+' || *q == '*' || *q == '!') {
            if (tf.modifier)
                return rule_kw_fail(k, "more than one modifier");
            tf.modifier = *q;
        } else if (*q == 'M') {
            tf.set |= 0x20;
        } else if (*q == 'D') {
            tf.set |= 0x40;
        } else if (*q == 'R') {
            tf.set |= 0x80;
        } else if (*q != ' ') {
            return rule_kw_fail(k, "bad fragment bit '%c' (M D R)", *q);
        }
    }
    if (!tf.set)
        return rule_kw_fail(k, "no bits given");
    struct rule_match *m = rule_kw_add_pkt(k, RULE_MATCH_FRAGBITS);
    if (!m)
        return rule_kw_fail(k, "out of memory");
    m->u.tcp_flags = tf;
    return TG_OK;
}

static int kw_sameip(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)name;
    (void)arg;
    if (!rule_kw_add_pkt(k, RULE_MATCH_SAMEIP))
        return rule_kw_fail(k, "out of memory");
    return TG_OK;
}

static int kw_ssl_state(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)name;
    static const char *const states[] = {"client_hello", "server_hello", "client_keyx", "server_keyx", "unknown", NULL};
    char buf[256];
    char *f[8];
    snprintf(buf, sizeof buf, "%s", arg);
    int n = rule_kw_split(buf, strchr(buf, '|') ? '|' : ',', f, 8);
    if (n < 1)
        return rule_kw_fail(k, "too many states");
    for (int i = 0; i < n; i++) {
        const char *s = f[i][0] == '!' ? f[i] + 1 : f[i];
        if (rule_kw_word(s, states) < 0)
            return rule_kw_fail(k, "unknown state '%.40s'", s);
    }
    struct rule_match *m = rule_kw_add_pkt(k, RULE_MATCH_SSL_STATE);
    if (!m || !(m->u.app.name = strdup(arg)))
        return rule_kw_fail(k, "out of memory");
    /* ssl_state needs the TLS decoder, which this sensor does not have. */
    k->r->inactive_reason = "tls";
    return TG_OK;
}

/* iplist:src|dst|either|both,[!]NAME - the address(es) are in the list
 * loaded from the config key iplist.NAME (tollgate's iprep-style lookup). */
static int kw_iplist(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)name;
    static const char *const sides[] = {"src", "dst", "either", "both", NULL};
    char buf[256];
    char *f[4];
    snprintf(buf, sizeof buf, "%s", arg);
    if (rule_kw_split(buf, ',', f, 4) != 2)
        return rule_kw_fail(k, "expected src|dst|either|both,NAME");
    int side = rule_kw_word(f[0], sides);
    if (side < 0)
        return rule_kw_fail(k, "unknown side '%.20s' (src, dst, either or both)", f[0]);
    const char *list = f[1][0] == '!' ? f[1] + 1 : f[1];
    if (!*list)
        return rule_kw_fail(k, "missing list name");
    for (const char *c = list; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-' && *c != '.')
            return rule_kw_fail(k, "list name '%.40s' may hold letters, digits, '_', '-' and '.'", list);
    struct rule_match *m = rule_kw_add_pkt(k, RULE_MATCH_IPLIST);
    if (!m || !(m->u.iplist.name = strdup(list)))
        return rule_kw_fail(k, "out of memory");
    m->u.iplist.side = (enum rule_iplist_side)side;
    m->u.iplist.negated = f[1][0] == '!';
    return TG_OK;
}

const struct rule_keyword rule_kw_packet[] = {
    {"iplist", RULE_KW_ARG_REQ, kw_iplist},
    {"ttl", RULE_KW_ARG_REQ, kw_numeric},
    {"itype", RULE_KW_ARG_REQ, kw_numeric},
    {"icode", RULE_KW_ARG_REQ, kw_numeric},
    {"icmp_id", RULE_KW_ARG_REQ, kw_numeric},
    {"icmp_seq", RULE_KW_ARG_REQ, kw_numeric},
    {"id", RULE_KW_ARG_REQ, kw_numeric},
    {"ack", RULE_KW_ARG_REQ, kw_numeric},
    {"seq", RULE_KW_ARG_REQ, kw_numeric},
    {"window", RULE_KW_ARG_REQ, kw_numeric},
    {"ip_proto", RULE_KW_ARG_REQ, kw_ip_proto},
    {"flags", RULE_KW_ARG_REQ, kw_flags},
    {"fragbits", RULE_KW_ARG_REQ, kw_fragbits},
    {"sameip", RULE_KW_ARG_NONE, kw_sameip},
    {"ssl_state", RULE_KW_ARG_REQ, kw_ssl_state},
};
const size_t rule_kw_packet_n = TG_ARRAY_LEN(rule_kw_packet);
