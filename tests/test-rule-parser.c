/* test-rule-parser.c - the rule language front end: header, addresses, ports, variables, every keyword, errors with positions. */
#include <arpa/inet.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include "config.h"
#include "rule.h"
#include "test.h"

static char err[1024];

/* A comparison as the parser reads it (through a dsize option). */
static bool rule_kw_num_ok(const char *expr, struct rule_num *out);
static size_t errcol;

/* Parse one rule with default config; NULL on error (err/errcol set). */
static struct rule *P(const char *text)
{
    struct rule_loader *ld = rule_loader_new(NULL, NULL, err, sizeof err);
    err[0] = '\0';
    errcol = 0;
    struct rule *r = rule_parse_line(ld, text, err, sizeof err, &errcol);
    rule_loader_free(ld);
    return r;
}

/* The rule parses; free it. */
static bool ok(const char *text)
{
    struct rule *r = P(text);
    if (!r)
        fprintf(stderr, "  unexpected error: %s (col %zu) in %s\n", err, errcol, text);
    rule_free(r);
    return r != NULL;
}

/* The rule fails with a message starting with prefix. */
static bool bad(const char *text, const char *prefix)
{
    struct rule *r = P(text);
    rule_free(r);
    if (r) {
        fprintf(stderr, "  unexpectedly parsed: %s\n", text);
        return false;
    }
    if (strncmp(err, prefix, strlen(prefix)) != 0) {
        fprintf(stderr, "  error '%s' does not start with '%s'\n", err, prefix);
        return false;
    }
    return true;
}

#define H "alert tcp any any -> any any "

static bool rule_kw_num_ok(const char *expr, struct rule_num *out)
{
    char buf[128];
    snprintf(buf, sizeof buf, H "(dsize:%s; sid:1;)", expr);
    struct rule *r = P(buf);
    if (!r)
        return false;
    *out = r->pkt_matches[0].u.num;
    rule_free(r);
    return true;
}

static bool ip4(const struct rule_addr *a, const char *s)
{
    uint8_t b[4];
    inet_pton(AF_INET, s, b);
    return rule_addr_match(a, 4, b);
}

static bool ip6(const struct rule_addr *a, const char *s)
{
    uint8_t b[16];
    inet_pton(AF_INET6, s, b);
    return rule_addr_match(a, 6, b);
}

TEST(header_basic)
{
    struct rule *r = P("drop udp 198.18.0.1 5060 -> [198.18.1.0/24,!198.18.1.7] [5060:5070,!5065] (msg:\"x\"; sid:7; rev:2;)");
    CHECK(r);
    if (!r)
        return;
    CHECK_EQ_U(r->action, RULE_ACTION_DROP);
    CHECK_EQ_U(r->l4, RULE_L4_UDP);
    CHECK_EQ_U(r->sid, 7);
    CHECK_EQ_U(r->rev, 2);
    CHECK_EQ_U(r->gid, 1);
    CHECK_STR(r->msg, "x");
    CHECK(ip4(&r->src, "198.18.0.1"));
    CHECK(!ip4(&r->src, "198.18.0.2"));
    CHECK(ip4(&r->dst, "198.18.1.6"));
    CHECK(!ip4(&r->dst, "198.18.1.7"));
    CHECK(!ip4(&r->dst, "198.18.2.1"));
    CHECK(rule_port_match(&r->sport, 5060));
    CHECK(!rule_port_match(&r->sport, 5061));
    CHECK(rule_port_match(&r->dport, 5064));
    CHECK(!rule_port_match(&r->dport, 5065));
    CHECK(rule_port_match(&r->dport, 5070));
    CHECK(!rule_port_match(&r->dport, 5071));
    CHECK(!r->bidirectional);
    CHECK_EQ_U(r->priority, 3);
    rule_free(r);
}

TEST(header_actions_protocols)
{
    static const char *const acts[] = {"alert", "drop", "reject", "rejectsrc", "rejectdst", "rejectboth", "pass"};
    for (size_t i = 0; i < TG_ARRAY_LEN(acts); i++) {
        char buf[256];
        snprintf(buf, sizeof buf, "%s ip any any -> any any (sid:1;)", acts[i]);
        CHECK(ok(buf));
    }
    /* Suricata precedence: pass < drop < reject < alert in the enum. */
    CHECK(RULE_ACTION_PASS < RULE_ACTION_DROP && RULE_ACTION_DROP < RULE_ACTION_REJECT &&
          RULE_ACTION_REJECT < RULE_ACTION_ALERT);
    static const char *const protos[] = {"ip", "tcp", "udp", "icmp", "sip", "sdp", "http", "rtp", "bittorrent", "edonkey", "dns", "tls"};
    for (size_t i = 0; i < TG_ARRAY_LEN(protos); i++) {
        char buf[256];
        snprintf(buf, sizeof buf, "alert %s any any -> any any (sid:1;)", protos[i]);
        CHECK(ok(buf));
    }
    struct rule *r = P("alert dns any any -> any any (sid:1;)");
    CHECK(r && r->inactive_reason && strcmp(r->inactive_reason, "dns") == 0);
    rule_free(r);
    r = P("alert sip any any <> any any (sid:1;)");
    CHECK(r && r->bidirectional && r->app_proto && strcmp(r->app_proto, "sip") == 0 && !r->inactive_reason);
    rule_free(r);
    CHECK(bad("log tcp any any -> any any (sid:1;)", "action: unknown action 'log'"));
    CHECK_EQ_U(errcol, 1);
    CHECK(bad("alert foo any any -> any any (sid:1;)", "protocol: unknown protocol 'foo'"));
    CHECK_EQ_U(errcol, 7);
    CHECK(bad("alert tcp any any <- any any (sid:1;)", "direction: '<-' is not supported"));
    CHECK_EQ_U(errcol, 19);
    CHECK(bad("alert tcp any any => any any (sid:1;)", "direction: expected '->' or '<>'"));
    CHECK(bad("alert tcp any any -> any any sid:1;", "options: expected '('"));
    CHECK(bad("alert tcp any any -> any any (sid:1;", "options: options do not end with ')'"));
    CHECK(bad("alert tcp any any -> any any (msg:\"x\";)", "sid: rule has no sid"));
}

TEST(addresses)
{
    struct rule_vars *v = rule_vars_new(NULL);
    struct rule_addr a;
    size_t pos;
    CHECK(rule_addr_parse(&a, "[10.0.0.0/8,![10.1.0.0/16,!10.1.2.3]]", v, err, sizeof err, &pos) == TG_OK);
    CHECK(ip4(&a, "10.2.0.1"));
    CHECK(!ip4(&a, "10.1.0.1"));
    CHECK(ip4(&a, "10.1.2.3")); /* nested negation gives it back */
    CHECK(!ip4(&a, "11.0.0.1"));
    rule_addr_clear(&a);
    CHECK(rule_addr_parse(&a, "[2001:db8::/32, fd00:198:18::1]", v, err, sizeof err, &pos) == TG_OK);
    CHECK(ip6(&a, "2001:db8:1::5"));
    CHECK(ip6(&a, "fd00:198:18::1"));
    CHECK(!ip6(&a, "fd00:198:18::2"));
    CHECK(!ip4(&a, "10.0.0.1"));
    rule_addr_clear(&a);
    CHECK(rule_addr_parse(&a, "192.168.1.0/255.255.255.0", v, err, sizeof err, &pos) == TG_OK);
    CHECK(ip4(&a, "192.168.1.200") && !ip4(&a, "192.168.2.1"));
    rule_addr_clear(&a);
    CHECK(rule_addr_parse(&a, "198.18.0.10-198.18.0.20", v, err, sizeof err, &pos) == TG_OK);
    CHECK(ip4(&a, "198.18.0.15") && !ip4(&a, "198.18.0.21"));
    rule_addr_clear(&a);
    /* $EXTERNAL_NET is !$HOME_NET with Suricata's defaults */
    CHECK(rule_addr_parse(&a, "$EXTERNAL_NET", v, err, sizeof err, &pos) == TG_OK);
    CHECK(ip4(&a, "8.8.8.8") && !ip4(&a, "192.168.3.4") && !ip4(&a, "10.9.9.9"));
    rule_addr_clear(&a);
    CHECK(rule_addr_parse(&a, "!$HOME_NET", v, err, sizeof err, &pos) == TG_OK);
    CHECK(ip4(&a, "8.8.8.8") && !ip4(&a, "172.16.0.1"));
    rule_addr_clear(&a);
    CHECK(rule_addr_parse(&a, "10.0.0.0/33", v, err, sizeof err, &pos) == TG_ERROR);
    CHECK_STR(err, "bad address '10.0.0.0/33'");
    CHECK(rule_addr_parse(&a, "[1.2.3.4,5.6.7.8", v, err, sizeof err, &pos) == TG_ERROR);
    CHECK_STR(err, "unterminated address list");
    CHECK(rule_addr_parse(&a, "!any", v, err, sizeof err, &pos) == TG_ERROR);
    CHECK(rule_addr_parse(&a, "$NOPE", v, err, sizeof err, &pos) == TG_ERROR);
    CHECK_STR(err, "unknown address variable $NOPE");
    CHECK(rule_addr_parse(&a, "[1.2.3.4,bogus]", v, err, sizeof err, &pos) == TG_ERROR);
    CHECK_EQ_U(pos, 9);
    /* self-reference stops */
    rule_vars_set(v, false, "LOOP", "[$LOOP]");
    CHECK(rule_addr_parse(&a, "$LOOP", v, err, sizeof err, &pos) == TG_ERROR);
    rule_vars_free(v);
}

TEST(ports)
{
    struct rule_vars *v = rule_vars_new(NULL);
    struct rule_port p;
    size_t pos;
    CHECK(rule_port_parse(&p, ":1023", v, err, sizeof err, &pos) == TG_OK);
    CHECK(rule_port_match(&p, 0) && rule_port_match(&p, 1023) && !rule_port_match(&p, 1024));
    rule_port_clear(&p);
    CHECK(rule_port_parse(&p, "1024:", v, err, sizeof err, &pos) == TG_OK);
    CHECK(!rule_port_match(&p, 1023) && rule_port_match(&p, 65535));
    rule_port_clear(&p);
    CHECK(rule_port_parse(&p, "[!3389,1024:65535]", v, err, sizeof err, &pos) == TG_OK);
    CHECK(!rule_port_match(&p, 3389) && rule_port_match(&p, 5060) && !rule_port_match(&p, 80));
    rule_port_clear(&p);
    CHECK(rule_port_parse(&p, "$SIP_PORTS", v, err, sizeof err, &pos) == TG_OK);
    CHECK(rule_port_match(&p, 5060) && rule_port_match(&p, 5061) && !rule_port_match(&p, 5062));
    rule_port_clear(&p);
    CHECK(rule_port_parse(&p, "$FILE_DATA_PORTS", v, err, sizeof err, &pos) == TG_OK);
    CHECK(rule_port_match(&p, 80) && rule_port_match(&p, 143) && !rule_port_match(&p, 81));
    rule_port_clear(&p);
    CHECK(rule_port_parse(&p, "65536", v, err, sizeof err, &pos) == TG_ERROR);
    CHECK_STR(err, "bad port '65536'");
    CHECK(rule_port_parse(&p, "200:100", v, err, sizeof err, &pos) == TG_ERROR);
    CHECK(rule_port_parse(&p, "[80,", v, err, sizeof err, &pos) == TG_ERROR);
    rule_vars_free(v);
}

TEST(vars_from_config)
{
    struct config *cfg = config_new();
    config_set(cfg, "vars.address.HOME_NET=[198.18.0.0/15]");
    config_set(cfg, "vars.address.SIP_SERVERS=198.18.0.5");
    config_set(cfg, "vars.port.SIP_PORTS=5080");
    struct rule_loader *ld = rule_loader_new(cfg, NULL, err, sizeof err);
    CHECK(ld);
    struct rule *r = rule_parse_line(ld, "alert sip $EXTERNAL_NET any -> $SIP_SERVERS $SIP_PORTS (sid:1;)", err, sizeof err, &errcol);
    CHECK(r);
    if (r) {
        CHECK(ip4(&r->src, "10.0.0.1"));
        CHECK(!ip4(&r->src, "198.19.0.1"));
        CHECK(ip4(&r->dst, "198.18.0.5") && !ip4(&r->dst, "198.18.0.6"));
        CHECK(rule_port_match(&r->dport, 5080) && !rule_port_match(&r->dport, 5060));
    }
    rule_free(r);
    r = rule_parse_line(ld, "alert ip $FOO any -> any any (sid:1;)", err, sizeof err, &errcol);
    CHECK(!r);
    CHECK_STR(err, "source address: unknown address variable $FOO");
    CHECK_EQ_U(errcol, 10);
    rule_loader_free(ld);
    config_free(cfg);
}

TEST(meta_keywords)
{
    struct rule *r = P(H "(msg:\"a \\\"q\\\" \\; b\"; sid:2100003; rev:4; gid:3; classtype:attempted-admin; "
                       "reference:cve,2006-0189; reference:url,example.org/x; metadata:created_at 2010_07_30, updated_at 2019_07_26; target:dest_ip;)");
    CHECK(r);
    if (r) {
        CHECK_STR(r->msg, "a \"q\" ; b");
        CHECK_EQ_U(r->gid, 3);
        CHECK_STR(r->classtype, "attempted-admin");
        CHECK_EQ_U(r->priority, 1);
        CHECK_EQ_U(r->nrefs, 2);
        CHECK_STR(r->refs[0].type, "cve");
        CHECK_STR(r->refs[1].value, "example.org/x");
        CHECK_EQ_U(r->nmetadata, 2);
        CHECK_STR(r->metadata[1], "updated_at 2019_07_26");
        CHECK_EQ_U(r->target, RULE_TARGET_DST);
    }
    rule_free(r);
    r = P(H "(classtype:attempted-admin; priority:4; sid:1;)");
    CHECK(r && r->priority == 4);
    rule_free(r);
    CHECK(bad(H "(sid:1; classtype:nosuch;)", "classtype: unknown classtype 'nosuch'"));
    CHECK(bad(H "(sid:1; reference:nosuch,1;)", "reference: unknown reference type 'nosuch'"));
    CHECK(bad(H "(sid:1; reference:cve;)", "reference: expected 'type,id'"));
    CHECK(bad(H "(sid:abc;)", "sid: expected a number"));
    CHECK(bad(H "(sid:0;)", "sid: sid 0 is not allowed"));
    CHECK(bad(H "(sid:1; sid:2;)", "sid: given twice"));
    CHECK(bad(H "(sid:1; priority:0;)", "priority: expected a number from 1 to 255"));
    CHECK(bad(H "(sid:1; msg:noquotes;)", "msg: expected a string in double quotes"));
    CHECK(bad(H "(sid:1; target:both;)", "target: expected src_ip or dest_ip"));
    CHECK(bad(H "(sid:1; frobnicate:3;)", "frobnicate: unknown keyword"));
    CHECK_EQ_U(errcol, 38);
}

static const struct rule_match *first_match(const struct rule *r, enum rule_buffer b, size_t i)
{
    const struct rule_list *l = rule_find_list(r, b, NULL);
    return l && i < l->n ? &l->m[i] : NULL;
}

TEST(content_and_modifiers)
{
    struct rule *r = P(H "(content:\"INVITE\"; depth:6; offset:0; nocase; content:!\"|0d 0a|Max-Forwards|3a|\"; distance:0; "
                       "within:200; content:\"a\\;b\\\"c\\\\d|41 42|\"; fast_pattern; sid:1;)");
    CHECK(r);
    if (!r)
        return;
    const struct rule_match *m0 = first_match(r, RULE_BUF_PKT_DATA, 0), *m1 = first_match(r, RULE_BUF_PKT_DATA, 1),
                            *m2 = first_match(r, RULE_BUF_PKT_DATA, 2);
    CHECK(m0 && m1 && m2);
    if (!m0 || !m1 || !m2) {
        rule_free(r);
        return;
    }
    CHECK_EQ_U(m0->u.content.len, 6);
    CHECK(memcmp(m0->u.content.bytes, "INVITE", 6) == 0);
    CHECK(m0->flags & RULE_CONTENT_NOCASE);
    CHECK_EQ_U(m0->u.content.depth, 6);
    CHECK(m0->flags & RULE_MATCH_RELATIVE_NEXT);
    CHECK(m1->flags & RULE_CONTENT_NEGATED);
    CHECK(m1->flags & RULE_MATCH_RELATIVE);
    CHECK_EQ_U(m1->u.content.len, 15);
    CHECK(memcmp(m1->u.content.bytes, "\r\nMax-Forwards:", 15) == 0);
    CHECK_EQ_U(m1->u.content.within, 200);
    CHECK_EQ_U(m2->u.content.len, 9);
    CHECK(memcmp(m2->u.content.bytes, "a;b\"c\\dAB", 9) == 0);
    CHECK(m2->flags & RULE_CONTENT_FAST);
    CHECK_EQ_U(r->fp_match, 2);
    rule_free(r);

    /* longest positive content is the fast pattern without fast_pattern */
    r = P(H "(content:\"ab\"; content:!\"abcdefgh\"; content:\"abcd\"; sid:1;)");
    CHECK(r && r->fp_match == 2);
    rule_free(r);
    r = P(H "(content:\"abcdef\"; fast_pattern:2,3; content:\"x\"; startswith; sid:1;)");
    CHECK(r);
    if (r) {
        CHECK_EQ_U(r->lists[0].m[0].u.content.fp_offset, 2);
        CHECK_EQ_U(r->lists[0].m[0].u.content.fp_len, 3);
        CHECK(r->lists[0].m[1].flags & RULE_CONTENT_STARTSWITH);
        CHECK_EQ_U(r->lists[0].m[1].u.content.depth, 1);
    }
    rule_free(r);
    CHECK(ok(H "(content:\"a\"; fast_pattern:only; rawbytes; endswith; sid:1;)"));
    CHECK(ok(H "(content:\"a\"; distance:-5; within:10; sid:1;)"));
    CHECK(bad(H "(content:\"abcdef\"; depth:3; sid:1;)", "depth: depth 3 is smaller than the content length 6"));
    CHECK(bad(H "(content:\"a\"; depth:3; distance:0; sid:1;)", "distance: cannot mix relative"));
    CHECK(bad(H "(content:\"a\"; within:1; offset:3; sid:1;)", "offset: cannot mix absolute"));
    CHECK(bad(H "(content:\"a\"; depth:3; depth:4; sid:1;)", "depth: given twice"));
    CHECK(bad(H "(content:\"a\"; nocase; nocase; sid:1;)", "nocase: given twice"));
    CHECK(bad(H "(nocase; content:\"a\"; sid:1;)", "nocase: no preceding content"));
    CHECK(bad(H "(content:\"a\"; offset:-1; sid:1;)", "offset: expected a number from 0 to 65535"));
    CHECK(bad(H "(content:\"abc\"; fast_pattern:2,5; sid:1;)", "fast_pattern: offset 2 + length 5 is beyond"));
    CHECK(bad(H "(content:\"a\"; fast_pattern; content:\"b\"; fast_pattern; sid:1;)", "fast_pattern: only one"));
    CHECK(bad(H "(content:\"|4\"; sid:1;)", "content: unterminated hex bytes"));
    CHECK(bad(H "(content:\"|414|\"; sid:1;)", "content: odd number of hex digits"));
    CHECK(bad(H "(content:\"|4g|\"; sid:1;)", "content: bad character 'g' in hex bytes"));
    CHECK(bad(H "(content:\"a\\nb\"; sid:1;)", "content: invalid escape '\\n'"));
    CHECK(bad(H "(content:\"\"; sid:1;)", "content: empty content"));
    CHECK(bad(H "(content:abc; sid:1;)", "content: expected a string in double quotes"));
    CHECK(bad(H "(content:\"a\"; startswith; depth:5; sid:1;)", "depth: cannot be combined with startswith"));
}

TEST(snort_http_modifiers)
{
    struct rule *r = P("alert tcp any any -> any $HTTP_PORTS (flow:to_server,established; content:\"GET\"; http_method; "
                       "content:\"/admin\"; http_uri; content:\"x=\"; distance:0; http_uri; uricontent:\"y\"; "
                       "content:\"Mozilla\"; http_header; pcre:\"/evil/Ui\"; sid:1;)");
    CHECK(r);
    if (!r)
        return;
    CHECK_STR(r->app_proto, "http");
    const struct rule_list *uri = rule_find_list(r, RULE_BUF_HTTP_URI, NULL);
    CHECK(uri && uri->n == 4);
    if (uri && uri->n == 4) {
        CHECK(uri->m[1].flags & RULE_MATCH_RELATIVE);
        CHECK(uri->m[0].flags & RULE_MATCH_RELATIVE_NEXT);
        CHECK_EQ_U(uri->m[3].type, RULE_MATCH_PCRE);
        CHECK(uri->m[3].u.pcre.compile_opts & PCRE2_CASELESS);
    }
    CHECK(rule_find_list(r, RULE_BUF_HTTP_METHOD, NULL));
    CHECK(rule_find_list(r, RULE_BUF_HTTP_HEADER, NULL));
    CHECK(!rule_find_list(r, RULE_BUF_PKT_DATA, NULL));
    rule_free(r);
    CHECK(bad(H "(http_uri; sid:1;)", "http_uri: no preceding content"));
    CHECK(bad("alert sip any any -> any any (content:\"a\"; http_uri; sid:1;)",
              "http.uri: buffer http.uri needs protocol http but the rule is for sip"));
}

TEST(pcre)
{
    struct rule *r = P(H "(content:\"INVITE\"; pcre:\"/\\r?\\n\\r?\\n/R\"; pcre:!\"/^x[a-z]+\\;y/smixAEGO\"; sid:1;)");
    CHECK(r);
    if (r) {
        const struct rule_match *m = first_match(r, RULE_BUF_PKT_DATA, 1);
        CHECK(m && m->type == RULE_MATCH_PCRE && (m->flags & RULE_MATCH_RELATIVE) && m->u.pcre.code);
        m = first_match(r, RULE_BUF_PKT_DATA, 2);
        CHECK(m && (m->u.pcre.flags & RULE_PCRE_NEGATED) && (m->u.pcre.compile_opts & PCRE2_MULTILINE) &&
              (m->u.pcre.compile_opts & PCRE2_UNGREEDY) && (m->u.pcre.flags & RULE_PCRE_OVERRIDE));
        CHECK_STR(m ? m->u.pcre.pattern : NULL, "^x[a-z]+;y");
    }
    rule_free(r);
    r = P(H "(pcre:\"/Cookie: a/H\"; pcre:\"/b/P\"; pcre:\"/c/C\"; sid:1;)");
    CHECK(r && rule_find_list(r, RULE_BUF_HTTP_HEADER, NULL) && rule_find_list(r, RULE_BUF_HTTP_REQUEST_BODY, NULL) &&
          rule_find_list(r, RULE_BUF_HTTP_COOKIE, NULL));
    rule_free(r);
    CHECK(bad(H "(pcre:\"/ab(c/\"; sid:1;)", "pcre: regex does not compile at offset 4: missing closing parenthesis"));
    CHECK(bad(H "(pcre:\"/abc/q\"; sid:1;)", "pcre: unknown regex flag 'q'"));
    CHECK(bad(H "(pcre:\"abc\"; sid:1;)", "pcre: regex must start with '/'"));
    CHECK(bad(H "(pcre:\"/abc\"; sid:1;)", "pcre: regex has no closing '/'"));
    CHECK(bad(H "(pcre:\"/a/UH\"; sid:1;)", "pcre: regex flags name two buffers"));
}

TEST(payload_keywords)
{
    struct rule *r = P("alert sip any any -> any any (sip.from; bsize:>256; sip.uri; bsize:10<>20; content:\"sip:\"; "
                       "isdataat:!5,relative; sid:1;)");
    CHECK(r);
    if (r) {
        const struct rule_match *m = first_match(r, RULE_BUF_SIP_FROM, 0);
        CHECK(m && m->type == RULE_MATCH_BSIZE && m->u.num.op == RULE_CMP_GT && m->u.num.a == 256);
        m = first_match(r, RULE_BUF_SIP_URI, 0);
        CHECK(m && m->u.num.op == RULE_CMP_RANGE_EX && m->u.num.a == 10 && m->u.num.b == 20);
        m = first_match(r, RULE_BUF_SIP_URI, 2);
        CHECK(m && m->type == RULE_MATCH_ISDATAAT && m->u.isdataat.negated && m->u.isdataat.n == 5 &&
              (m->flags & RULE_MATCH_RELATIVE));
    }
    rule_free(r);
    r = P(H "(dsize:>1000; content:\"|00|\"; byte_extract:2,0,len,relative,little; byte_test:4,>,len,2,relative,big;"
          " byte_jump:2,len,relative,multiplier 2,post_offset -1,align,string,dec; isdataat:len,relative; sid:1;)");
    CHECK(r);
    if (r) {
        CHECK(r->npkt == 1 && r->pkt_matches[0].type == RULE_MATCH_DSIZE && r->pkt_matches[0].u.num.a == 1000);
        const struct rule_match *m = first_match(r, RULE_BUF_PKT_DATA, 1);
        CHECK(m && m->type == RULE_MATCH_BYTE_EXTRACT && m->u.byte.endian == RULE_ENDIAN_LITTLE &&
              strcmp(m->u.byte.name, "len") == 0);
        m = first_match(r, RULE_BUF_PKT_DATA, 2);
        CHECK(m && m->u.byte.op == '>' && m->u.byte.value_var && m->u.byte.offset == 2);
        m = first_match(r, RULE_BUF_PKT_DATA, 3);
        CHECK(m && m->u.byte.multiplier == 2 && m->u.byte.post_offset == -1 && m->u.byte.align &&
              m->u.byte.base == RULE_BASE_DEC && m->u.byte.offset_var);
    }
    rule_free(r);
    CHECK(ok(H "(content:\"a\"; byte_test:1,!&,0x80,0,relative,bitmask 0x80; sid:1;)"));
    CHECK(ok(H "(urilen:>100,norm; sid:1;)"));
    CHECK(bad(H "(bsize:10; sid:1;)", "bsize: needs a sticky buffer"));
    CHECK(bad(H "(dsize:abc; sid:1;)", "dsize: expected N, <N"));
    CHECK(bad(H "(dsize:20<>10; sid:1;)", "dsize: expected N"));
    CHECK(bad(H "(isdataat:1,sideways; sid:1;)", "isdataat: unknown option 'sideways'"));
    CHECK(bad(H "(byte_test:9,=,1,0; sid:1;)", "byte_test: binary values are 1 to 8 bytes"));
    CHECK(bad(H "(byte_test:4,~,1,0; sid:1;)", "byte_test: unknown operator '~'"));
    CHECK(bad(H "(byte_test:4,=,1; sid:1;)", "byte_test: expected 'bytes, [!]op, value, offset"));
    CHECK(bad(H "(byte_jump:4,nosuchvar; sid:1;)", "byte_jump: bad offset 'nosuchvar'"));
    CHECK(bad(H "(byte_jump:4,0,from_beginning,from_end; sid:1;)", "byte_jump: from_beginning and from_end"));
    CHECK(bad(H "(byte_extract:2,0,1bad; sid:1;)", "byte_extract: bad variable name '1bad'"));
    CHECK(ok(H "(byte_extract:2,0,v; byte_extract:2,0,v; content:\"a\"; distance:v; sid:1;)"));
}

TEST(flow_keywords)
{
    struct rule *r = P(H "(flow:established,to_server; flowbits:set,a.b; flowbits:isset,x&y; flowbits:isnotset,p|q; "
                       "flowbits:noalert; xbits:set,scan,track ip_src,expire 60; flowint:cnt,+,1; flowint:cnt,>,5; "
                       "stream_size:client,>,1000; app-layer-protocol:!sip; app-layer-event:sip.invalid_header; sid:1;)");
    CHECK(r);
    if (r) {
        CHECK_EQ_U(r->npkt, 10);
        CHECK_EQ_U(r->pkt_matches[0].u.flow, RULE_FLOW_ESTABLISHED | RULE_FLOW_TO_SERVER);
        CHECK(r->pkt_matches[2].u.bits.nnames == 2 && !r->pkt_matches[2].u.bits.any_of);
        CHECK(r->pkt_matches[3].u.bits.nnames == 2 && r->pkt_matches[3].u.bits.any_of &&
              r->pkt_matches[3].u.bits.cmd == RULE_BITS_ISNOTSET);
        CHECK(r->noalert);
        CHECK(r->pkt_matches[4].u.bits.track == RULE_TRACK_SRC && r->pkt_matches[4].u.bits.expire_s == 60);
        CHECK(r->pkt_matches[8].u.app.negated);
    }
    rule_free(r);
    CHECK(ok(H "(flow:from_client,not_established,only_stream; flowbits:set,file.pdf,file; sid:1;)"));
    CHECK(ok(H "(flow:stateless,no_stream; xbits:isset,a,track ip_pair; sid:1;)"));
    CHECK(bad(H "(flow:to_server,to_client; sid:1;)", "flow: to_server and to_client exclude each other"));
    CHECK(bad(H "(flow:established,not_established; sid:1;)", "flow: established excludes"));
    CHECK(bad(H "(flow:only_stream,no_stream; sid:1;)", "flow: only_stream and no_stream"));
    CHECK(bad(H "(flow:sideways; sid:1;)", "flow: unknown option 'sideways'"));
    CHECK(bad(H "(flowbits:frob,a; sid:1;)", "flowbits: expected set, unset"));
    CHECK(bad(H "(flowbits:set,a|b; sid:1;)", "flowbits: '|' is only allowed with isset"));
    CHECK(bad(H "(flowbits:isset,a|b&c; sid:1;)", "flowbits: cannot mix '&' and '|'"));
    CHECK(bad(H "(flowbits:set; sid:1;)", "flowbits: expected 'set,name'"));
    CHECK(bad(H "(xbits:set,a; sid:1;)", "xbits: expected 'set,name,track"));
    CHECK(bad(H "(xbits:set,a,track ip_foo; sid:1;)", "xbits: track is ip_src, ip_dst or ip_pair"));
    CHECK(bad(H "(xbits:isset,a,track ip_src,expire 5; sid:1;)", "xbits: expire is only valid with set"));
    CHECK(bad(H "(flowint:cnt,~,1; sid:1;)", "flowint: unknown operator"));
    CHECK(bad(H "(stream_size:middle,>,1; sid:1;)", "stream_size: expected 'server|client"));
    CHECK(bad(H "(app-layer-event:noevent; sid:1;)", "app-layer-event: expected 'protocol.event'"));
}

TEST(packet_keywords)
{
    CHECK(ok("alert icmp any any -> any any (itype:8; icode:0; icmp_id:0; icmp_seq:1; ttl:<5; sid:1;)"));
    CHECK(ok(H "(flags:S,CE; flags:!A; id:1; ack:0; seq:5; window:!1024; ip_proto:tcp; sameip; fragbits:M+; sid:1;)"));
    CHECK(ok(H "(ip_proto:!17; itype:5<>10; sid:1;)"));
    CHECK(bad(H "(ttl:256; sid:1;)", "ttl: expected N"));
    CHECK(bad(H "(flags:SX; sid:1;)", "flags: bad flag 'X'"));
    CHECK(bad(H "(ip_proto:frob; sid:1;)", "ip_proto: unknown IP protocol 'frob'"));
    CHECK(bad(H "(sameip:1; sid:1;)", "sameip: takes no value"));
    CHECK(bad(H "(fragbits:Q; sid:1;)", "fragbits: bad fragment bit 'Q'"));
}

TEST(threshold_keywords)
{
    struct rule *r = P(H "(threshold: type both , track by_src, count 100, seconds 60; "
                       "rate_limit:track by_src, count 50, seconds 10; sid:1;)");
    CHECK(r);
    if (r) {
        CHECK(r->threshold.type == RULE_THRESHOLD_BOTH && r->threshold.track == RULE_TRACK_SRC &&
              r->threshold.count == 100 && r->threshold.seconds == 60);
        CHECK(r->rate_limit.count == 50 && r->rate_limit.seconds == 10 && r->rate_limit.track == RULE_TRACK_SRC);
    }
    rule_free(r);
    r = P(H "(detection_filter:track by_dst, count 5, seconds 10; sid:1;)");
    CHECK(r && r->detection_filter.track == RULE_TRACK_DST && r->detection_filter.count == 5 &&
          r->detection_filter.seconds == 10 && r->threshold.type == RULE_THRESHOLD_NONE);
    rule_free(r);
    CHECK(bad(H "(threshold:type limit, track by_src, count 1, seconds 1; detection_filter:track by_src, count 1, seconds 1; sid:1;)",
              "detection_filter: threshold and detection_filter cannot be used in one rule"));
    CHECK(ok(H "(threshold:type limit, count 1, seconds 60, track by_src; sid:1;)"));
    CHECK(bad(H "(threshold:type sometimes, track by_src, count 1, seconds 1; sid:1;)", "threshold: type is limit"));
    CHECK(bad(H "(threshold:track by_src, count 1, seconds 1; sid:1;)", "threshold: needs 'type"));
    CHECK(bad(H "(threshold:type limit, track by_src, count 0, seconds 1; sid:1;)", "threshold: count must be"));
    CHECK(bad(H "(detection_filter:track by_src, count 1; sid:1;)", "detection_filter: needs count and seconds"));
    CHECK(bad(H "(rate_limit:track by_rule, count 1, seconds 1; sid:1;)", "rate_limit: track is by_src or by_dst"));
    CHECK(bad(H "(threshold:type limit, track by_src, count 1, seconds 1, colour red; sid:1;)",
              "threshold: unknown field 'colour'"));
}

TEST(schedule_keyword)
{
    struct rule *r = P(H "(schedule:mon-fri,08:00-18:00; sid:1;)");
    CHECK(r);
    if (r) {
        CHECK(r->schedule.present && r->schedule.days == 0x3e && r->schedule.nranges == 1);
        CHECK_EQ_U(r->schedule.start[0], 480);
        CHECK_EQ_U(r->schedule.end[0], 1080);
    }
    rule_free(r);
    r = P(H "(schedule:fri-mon,22:00-06:00,12:00-13:00; sid:1;)");
    CHECK(r && r->schedule.days == (0x20 | 0x40 | 0x01 | 0x02) && r->schedule.nranges == 2);
    rule_free(r);
    r = P(H "(schedule:sat; sid:1;)");
    CHECK(r && r->schedule.days == 0x40 && r->schedule.nranges == 0);
    rule_free(r);
    CHECK(bad(H "(schedule:someday; sid:1;)", "schedule: expected a day"));
    CHECK(bad(H "(schedule:mon,25:00-26:00; sid:1;)", "schedule: time range is HH:MM-HH:MM"));
    CHECK(bad(H "(schedule:08:00; sid:1;)", "schedule: time range is HH:MM-HH:MM, got"));
}

TEST(sip_keywords)
{
    struct rule *r = P("alert udp any any -> any 5060 (sip_method:invite, cancel; sip_stat_code:2,180; sip_header; content:\"CSeq\"; "
                       "sip_body; content:\"v=0\"; sip.header:Via; content:\"rport\"; sip.header_count:Via,>3; "
                       "sip.header_missing:Max-Forwards; sid:1;)");
    CHECK(r);
    if (r) {
        CHECK_STR(r->app_proto, "sip");
        CHECK(r->pkt_matches[0].type == RULE_MATCH_SIP_METHOD && r->pkt_matches[0].u.list.n == 2 &&
              strcmp(r->pkt_matches[0].u.list.names[0], "INVITE") == 0 && !r->pkt_matches[0].u.list.negated);
        CHECK(r->pkt_matches[1].u.list.n == 2 && r->pkt_matches[1].u.list.codes[0] == 2 &&
              r->pkt_matches[1].u.list.codes[1] == 180);
        CHECK(rule_find_list(r, RULE_BUF_SIP_HEADERS, NULL));
        CHECK(rule_find_list(r, RULE_BUF_SIP_BODY, NULL));
        CHECK(rule_find_list(r, RULE_BUF_SIP_HEADER, "via"));
        CHECK(r->pkt_matches[2].type == RULE_MATCH_SIP_HDR_COUNT && r->pkt_matches[2].u.hdr_count.num.op == RULE_CMP_GT &&
              r->pkt_matches[2].u.hdr_count.num.a == 3);
        CHECK(r->pkt_matches[3].u.hdr_count.num.op == RULE_CMP_EQ && r->pkt_matches[3].u.hdr_count.num.a == 0);
    }
    rule_free(r);
    r = P("alert sip any any -> any any (sip_method:!invite; sip.method; content:\"REGISTER\"; sip.stat_code; content:\"401\"; "
          "sip.stat_msg; content:\"Unauth\"; sip.request_line; content:\"x\"; sip.response_line; content:\"y\"; "
          "sip.protocol; content:\"SIP/2.0\"; sip.from; content:\"a\"; sip.to; content:\"b\"; sip.via; content:\"c\"; "
          "sip.call_id; content:\"d\"; sip.cseq; content:\"e\"; sip.contact; content:\"f\"; sip.user_agent; content:\"g\"; "
          "sip.content_type; content:\"h\"; sip.content_length; content:\"0\"; sip.body; content:\"v=0\"; "
          "sdp.origin; content:\"o\"; sdp.media.media; content:\"audio\"; sdp.connection_data; content:\"IN\"; sid:1;)");
    CHECK(r && r->pkt_matches[0].u.list.negated && r->nlists == 19);
    rule_free(r);
    r = P("alert sip any any -> any any (flow:to_server; frame:request.line; content:\"SIP/2.0|0D 0A|\"; endswith; "
          "frame:pdu; content:\"REGISTER\"; startswith; sid:22;)");
    CHECK(r && rule_find_list(r, RULE_BUF_SIP_FRAME_REQUEST_LINE, NULL) && rule_find_list(r, RULE_BUF_SIP_FRAME_PDU, NULL));
    rule_free(r);
    r = P("alert udp any any -> any any (frame:sip.response.headers; content:\"Via:\"; sid:1;)");
    CHECK(r && rule_find_list(r, RULE_BUF_SIP_FRAME_RESPONSE_HEADERS, NULL) && strcmp(r->app_proto, "sip") == 0);
    rule_free(r);
    CHECK(bad("alert sip any any -> any any (frame:request.trailer; content:\"x\"; sid:1;)", "frame: unknown SIP frame 'request.trailer'"));
    CHECK(bad(H "(frame:pdu; content:\"x\"; sid:1;)", "frame: frames are supported for SIP only"));
    CHECK(bad(H "(sip_method:invite,!bye; sid:1;)", "sip_method: with '!' only one method is allowed"));
    CHECK(bad(H "(sip_method:!invite,!bye; sid:1;)", "sip_method: with '!' only one method is allowed"));
    CHECK(ok(H "(sip_stat_code:9,999; sid:1;)"));
    /* Snort: pcre H and P on a UDP rule are the SIP header and body */
    r = P("alert udp any any -> any 5060 (pcre:\"/INVITE/H\"; pcre:\"/m=/P\"; sid:1;)");
    CHECK(r && rule_find_list(r, RULE_BUF_SIP_HEADERS, NULL) && rule_find_list(r, RULE_BUF_SIP_BODY, NULL) &&
          r->app_proto && strcmp(r->app_proto, "sip") == 0);
    rule_free(r);
    CHECK(bad(H "(sip_method:in vite; sid:1;)", "sip_method: bad method name"));
    CHECK(bad(H "(sip_stat_code:0; sid:1;)", "sip_stat_code: expected a status code 100-999 or a class 1-9"));
    CHECK(bad(H "(sip_stat_code:20; sid:1;)", "sip_stat_code: expected a status code"));
    CHECK(bad(H "(sip.header_count:Via; sid:1;)", "sip.header_count: expected 'Header-Name, count'"));
    CHECK(bad(H "(sip.header_count:Via,lots; sid:1;)", "sip.header_count: bad count 'lots'"));
    CHECK(bad("alert http any any -> any any (sip_method:invite; sid:1;)", "sip_method: needs a SIP rule, this one is for http"));
    CHECK(bad(H "(sip.method; sid:1;)", "sip.method: sticky buffer without a match after it"));
    CHECK_EQ_U(errcol, 31);
}

TEST(buffers_and_transforms)
{
    struct rule *r = P("alert http any any -> any any (http.method; content:\"GET\"; http.uri; content:\"/\"; http.host; "
                       "dotprefix; to_lowercase; content:\".example\"; endswith; http.user_agent; content:\"curl\"; "
                       "http.header; content:\"X\"; http.request_line; content:\"GET /\"; http.cookie; content:\"c\"; "
                       "http.request_body; content:\"b\"; http.stat_code; content:\"200\"; pkt_data; content:\"p\"; "
                       "file_data; content:\"f\"; sid:1;)");
    CHECK(r);
    if (r) {
        const struct rule_list *l = rule_find_list(r, RULE_BUF_HTTP_HOST, NULL);
        CHECK(l && l->ntransforms == 2 && l->transforms[0] == RULE_TRANSFORM_DOTPREFIX);
        CHECK(rule_find_list(r, RULE_BUF_PKT_DATA, NULL) && rule_find_list(r, RULE_BUF_FILE_DATA, NULL));
    }
    rule_free(r);
    r = P("alert tcp any any -> any any (bittorrent.info_hash; content:\"|00|\"; sid:1;)");
    CHECK(r && r->app_proto && strcmp(r->app_proto, "bittorrent") == 0 && !r->inactive_reason);
    rule_free(r);
    r = P("alert udp any any -> any 53 (dns.query; content:\"evil\"; sid:1;)");
    CHECK(r && r->inactive_reason && strcmp(r->inactive_reason, "dns") == 0);
    rule_free(r);
    CHECK(bad(H "(dotprefix; content:\"a\"; sid:1;)", "dotprefix: a transform needs a sticky buffer"));
    CHECK(bad(H "(http.uri:foo; content:\"a\"; sid:1;)", "http.uri: takes no value"));
}

TEST(multiline_and_comments)
{
    const char *text = "# a comment\n"
                       "\n"
                       "# alert tcp any any -> any any (sid:99;)\n"
                       "alert sip any any -> any any (msg:\"multi\"; \\\n"
                       "    sip.method; content:\"INVITE\"; \\\n"
                       "    sid:5;)\n"
                       "alert tcp any any -> any any (msg:\"two\"; sid:6;)\r\n";
    struct rule_loader *ld = rule_loader_new(NULL, NULL, err, sizeof err);
    struct ruleset rs = {0};
    CHECK(rule_load_buffer(ld, &rs, "t.rules", text, strlen(text)) == TG_OK);
    CHECK_EQ_U(rs.n, 2);
    if (rs.n == 2) {
        CHECK_EQ_U(rs.rules[0]->sid, 5);
        CHECK_EQ_U(rs.rules[0]->line, 4);
        CHECK_EQ_U(rs.rules[0]->sid_line, 6);
        CHECK_EQ_U(rs.rules[0]->sid_col, 5);
        CHECK_STR(rs.rules[1]->msg, "two");
    }
    ruleset_clear(&rs);
    rule_loader_free(ld);
}

/* Errors land on stderr-like streams as FILE:LINE:COL: error: KEYWORD: message. */
static char *load_errors(const char *text, bool skip, size_t *loaded, int *status)
{
    static char out[8192];
    FILE *f = fmemopen(out, sizeof out, "w");
    struct rule_loader_opts o = {.skip_bad = skip, .errors = f};
    struct rule_loader *ld = rule_loader_new(NULL, &o, err, sizeof err);
    struct ruleset rs = {0};
    *status = rule_load_buffer(ld, &rs, "x.rules", text, strlen(text));
    *loaded = rs.n;
    ruleset_clear(&rs);
    rule_loader_free(ld);
    fclose(f);
    return out;
}

TEST(error_positions)
{
    size_t n;
    int st;
    const char *text = "alert tcp any any -> any any (msg:\"ok\"; sid:1;)\n"
                       "alert tcp any any -> any any (msg:\"x\"; \\\n"
                       "  content:\"a\"; depth:zz; sid:2;)\n"
                       "alert tcp any any -> any any (msg:\"dup\"; sid:1;)\n"
                       "alert tcp any 99999 -> any any (sid:3;)\n"
                       "alert tcp any any -> any any (sid:4; pcre:\"/(/\";)\n";
    char *out = load_errors(text, false, &n, &st);
    CHECK(st == TG_ERROR);
    CHECK_EQ_U(n, 1);
    CHECK(strstr(out, "x.rules:3:16: error: depth: expected a number from 1 to 65535 or a byte_extract variable, got 'zz'\n"));
    CHECK(strstr(out, "x.rules:4:42: error: sid: duplicate sid 1:1 (first defined at x.rules:1:41)\n"));
    CHECK(strstr(out, "x.rules:5:15: error: source port: bad port '99999'\n"));
    CHECK(strstr(out, "x.rules:6:38: error: pcre: regex does not compile at offset 1: missing closing parenthesis\n"));
    out = load_errors(text, true, &n, &st);
    CHECK(st == TG_OK);
    CHECK_EQ_U(n, 1);
    CHECK(strstr(out, "x.rules:3:16: error: depth: expected a number from 1 to 65535 or a byte_extract variable, got 'zz' [rule skipped]\n"));
    CHECK(strstr(out, "[rule skipped]") != NULL);
}

TEST(classification_files)
{
    struct rule_classify *c = rule_classify_new();
    CHECK(c);
    if (!c)
        return;
    size_t builtin = rule_classify_nclasses(c);
    CHECK(builtin >= 40);
    /* The shipped file and the built-in table agree. */
    if (access("rules/classification.config", R_OK) == 0) {
        CHECK(rule_classify_load_classes(c, "rules/classification.config", err, sizeof err) == TG_OK);
        CHECK_EQ_U(rule_classify_nclasses(c), builtin);
        CHECK(rule_classify_load_refs(c, "rules/reference.config", err, sizeof err) == TG_OK);
        CHECK(rule_classify_ref(c, "cve") && rule_classify_ref(c, "url") && !rule_classify_ref(c, "nosuch"));
    }
    const char *desc;
    int prio;
    CHECK(rule_classify_class(c, "trojan-activity", &desc, &prio) && prio == 1);
    CHECK_STR(desc, "A Network Trojan was detected");
    char path[] = "/tmp/tg-class-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "# mine\nconfig classification: voip-scan,VoIP scan,2\nbogus line\n");
    fclose(f);
    CHECK(rule_classify_load_classes(c, path, err, sizeof err) == TG_ERROR);
    CHECK(strstr(err, ":3: expected 'config classification:'") != NULL);
    f = fopen(path, "w");
    fprintf(f, "config classification: voip-scan,VoIP scan,2\n");
    fclose(f);
    CHECK(rule_classify_load_classes(c, path, err, sizeof err) == TG_OK);
    CHECK_EQ_U(rule_classify_nclasses(c), 1);
    CHECK(!rule_classify_class(c, "trojan-activity", NULL, NULL));
    unlink(path);
    rule_classify_free(c);
}

TEST(config_rule_files)
{
    char path[] = "/tmp/tg-rules-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "alert sip any any -> $SIP_SERVERS any (msg:\"a\"; sip.method; content:\"INVITE\"; sid:9000001;)\n");
    fclose(f);
    struct config *cfg = config_new();
    char kv[256];
    snprintf(kv, sizeof kv, "rule-files=%s", path);
    config_set(cfg, kv);
    struct rule_loader *ld = rule_loader_new(cfg, NULL, err, sizeof err);
    struct ruleset rs = {0};
    CHECK(rule_load_config_files(ld, &rs, cfg) == TG_OK);
    CHECK_EQ_U(rs.n, 1);
    ruleset_clear(&rs);
    rule_loader_free(ld);
    config_set(cfg, "classification-file=/nonexistent/classification.config");
    ld = rule_loader_new(cfg, NULL, err, sizeof err);
    CHECK(!ld);
    CHECK(strstr(err, "/nonexistent/classification.config") != NULL);
    config_free(cfg);
    unlink(path);
}

TEST(lexer_limits)
{
    /* A rule longer than rule-max-length is refused as a whole and the next one still loads. */
    struct config *cfg = config_new();
    config_set(cfg, "rule-max-length=100");
    static char out[2048];
    FILE *f = fmemopen(out, sizeof out, "w");
    struct rule_loader_opts o = {.skip_bad = true, .errors = f};
    struct rule_loader *ld = rule_loader_new(cfg, &o, err, sizeof err);
    struct ruleset rs = {0};
    const char *text = "alert tcp any any -> any any (msg:\"0123456789012345678901234567890123456789\"; \\\n"
                       "  content:\"0123456789012345678901234567890123456789\"; sid:1;)\n"
                       "alert tcp any any -> any any (sid:2;)\n";
    CHECK(rule_load_buffer(ld, &rs, "long.rules", text, strlen(text)) == TG_OK);
    fclose(f);
    CHECK_EQ_U(rs.n, 1);
    CHECK(rs.n == 1 && rs.rules[0]->sid == 2 && rs.rules[0]->line == 3);
    CHECK(strstr(out, "long.rules:1:1: error: rule: rule too long [rule skipped]\n") != NULL);
    ruleset_clear(&rs);
    rule_loader_free(ld);
    config_free(cfg);
    /* garbage and a lone continuation at the end are reported, not dropped */
    size_t n;
    int st;
    char *e = load_errors("hello world\nalert tcp any any -> any any (sid:3; \\\n", false, &n, &st);
    CHECK(st == TG_ERROR && n == 0);
    CHECK(strstr(e, "x.rules:1:1: error: action: unknown action 'hello'") != NULL);
    CHECK(strstr(e, "x.rules:2:") != NULL);
    /* a NUL byte cannot hide the rest of a rule */
    static const char nul[] = "alert tcp any any -> any any (sid:4;)\0garbage\nalert tcp any any -> any any (sid:5;)\n";
    static char out2[1024];
    f = fmemopen(out2, sizeof out2, "w");
    o.errors = f;
    o.skip_bad = false;
    ld = rule_loader_new(NULL, &o, err, sizeof err);
    CHECK(rule_load_buffer(ld, &rs, "nul.rules", nul, sizeof nul - 1) == TG_ERROR);
    fclose(f);
    CHECK(rs.n == 1 && rs.rules[0]->sid == 5);
    CHECK(strstr(out2, "nul.rules:1:1: error: rule: NUL byte in rule\n") != NULL);
    ruleset_clear(&rs);
    rule_loader_free(ld);
}

TEST(evaluators)
{
    struct rule_num n;
    CHECK(rule_kw_num_ok(">3", &n) && !rule_num_match(&n, 3) && rule_num_match(&n, 4));
    CHECK(rule_kw_num_ok("<=3", &n) && rule_num_match(&n, 3) && !rule_num_match(&n, 4));
    CHECK(rule_kw_num_ok("!7", &n) && !rule_num_match(&n, 7) && rule_num_match(&n, 8));
    CHECK(rule_kw_num_ok("10<>20", &n) && !rule_num_match(&n, 10) && rule_num_match(&n, 11) && !rule_num_match(&n, 20));
    CHECK(rule_kw_num_ok("10-20", &n) && rule_num_match(&n, 10) && rule_num_match(&n, 20) && !rule_num_match(&n, 21));
    CHECK(rule_kw_num_ok("5", &n) && rule_num_match(&n, 5) && !rule_num_match(&n, 6));

    struct rule *r = P(H "(schedule:mon-fri,08:00-18:00,22:00-02:00; sip_method:invite,bye; sip_stat_code:4,200; "
                       "content:\"abcdefgh\"; fast_pattern:2,3; sid:1;)");
    CHECK(r);
    if (!r)
        return;
    struct tm t = {.tm_wday = 1, .tm_hour = 8, .tm_min = 0}; /* Monday 08:00 */
    CHECK(rule_schedule_active(&r->schedule, &t));
    t.tm_hour = 17;
    t.tm_min = 59;
    CHECK(rule_schedule_active(&r->schedule, &t));
    t.tm_hour = 18;
    t.tm_min = 0;
    CHECK(!rule_schedule_active(&r->schedule, &t));
    t.tm_hour = 23;
    CHECK(rule_schedule_active(&r->schedule, &t));
    t.tm_hour = 1;
    CHECK(rule_schedule_active(&r->schedule, &t));
    t.tm_wday = 0; /* Sunday */
    t.tm_hour = 9;
    CHECK(!rule_schedule_active(&r->schedule, &t));
    CHECK(rule_schedule_active(&(struct rule_schedule){0}, &t));

    const struct rule_list_u32 *meth = &r->pkt_matches[0].u.list, *code = &r->pkt_matches[1].u.list;
    CHECK(rule_sip_method_match(meth, "INVITE", 6) && rule_sip_method_match(meth, "bye", 3));
    CHECK(!rule_sip_method_match(meth, "REGISTER", 8) && !rule_sip_method_match(meth, "INVITEX", 7));
    CHECK(rule_sip_stat_code_match(code, 401) && rule_sip_stat_code_match(code, 499) && rule_sip_stat_code_match(code, 200));
    CHECK(!rule_sip_stat_code_match(code, 201) && !rule_sip_stat_code_match(code, 500));

    const struct rule_list *l;
    const uint8_t *b;
    size_t len;
    const struct rule_match *m = rule_fast_pattern(r, &l, &b, &len);
    CHECK(m && l->buffer == RULE_BUF_PKT_DATA && len == 3 && memcmp(b, "cde", 3) == 0);
    rule_free(r);
    r = P(H "(sip_method:!invite; flow:established; sid:2;)");
    CHECK(r && !rule_sip_method_match(&r->pkt_matches[0].u.list, "INVITE", 6) &&
          rule_sip_method_match(&r->pkt_matches[0].u.list, "BYE", 3));
    CHECK(r && !rule_fast_pattern(r, NULL, &b, &len));
    rule_free(r);
}

TEST(more_keyword_cases)
{
    CHECK(bad(H "(content:\"abcdef\"; content:\"x\"; within:0; sid:1;)", "within: expected a number from 1 to 65535"));
    CHECK(bad(H "(content:\"a\"; content:\"xyz\"; within:2; sid:1;)", "within: within 2 is smaller than the content length 3"));
    CHECK(bad(H "(content:\"a\"; endswith; endswith; sid:1;)", "endswith: given twice"));
    CHECK(bad(H "(content:\"a\"; startswith; startswith; sid:1;)", "startswith: given twice"));
    CHECK(bad(H "(content:\"a\"; depth:2; startswith; sid:1;)", "startswith: cannot be combined"));
    CHECK(bad(H "(urilen:big; sid:1;)", "urilen: expected N"));
    CHECK(bad(H "(urilen:5,weird; sid:1;)", "urilen: expected norm or raw"));
    struct rule *r = P(H "(content:\"Authorization: Basic \"; base64_decode:bytes 100, offset 1, relative; base64_data; "
                       "content:\"admin:\"; sid:1;)");
    CHECK(r);
    if (r) {
        const struct rule_match *m = first_match(r, RULE_BUF_PKT_DATA, 1);
        CHECK(m && m->type == RULE_MATCH_BASE64_DECODE && m->u.base64.bytes == 100 && m->u.base64.offset == 1 &&
              (m->flags & RULE_MATCH_RELATIVE));
        CHECK(rule_find_list(r, RULE_BUF_BASE64_DATA, NULL));
    }
    rule_free(r);
    CHECK(ok(H "(base64_decode; base64_data; content:\"x\"; sid:1;)"));
    CHECK(bad(H "(base64_decode:bytes 0; sid:1;)", "base64_decode: unknown option 'bytes 0'"));
    CHECK(ok(H "(app-layer-protocol:sip,final; sid:1;)"));
    CHECK(bad(H "(app-layer-protocol:sip,sometimes; sid:1;)", "app-layer-protocol: unknown mode 'sometimes'"));
    CHECK(bad(H "(app-layer-event:!sip.x; sid:1;)", "app-layer-event: cannot be negated"));
    CHECK(bad(H "(ack:4294967296; sid:1;)", "ack: expected a number up to 4294967295"));
    CHECK(bad(H "(window:70000; sid:1;)", "window: expected N"));
    CHECK(bad(H "(icmp_id:-1; sid:1;)", "icmp_id: expected a number up to 65535"));
    r = P("alert tls any any -> any any (ssl_state:client_hello|server_hello; sid:1;)");
    CHECK(r && r->inactive_reason && strcmp(r->inactive_reason, "tls") == 0);
    rule_free(r);
    CHECK(bad(H "(ssl_state:hello; sid:1;)", "ssl_state: unknown state 'hello'"));
    r = P(H "(metadata:a 1, , b 2,; sid:1;)");
    CHECK(r && r->nmetadata == 2);
    rule_free(r);
    CHECK(bad(H "(gid:-1; sid:1;)", "gid: expected a number"));
    CHECK(bad(H "(rev:x; sid:1;)", "rev: expected a number"));
    CHECK(bad(H "(msg:\"a\"; msg:\"b\"; sid:1;)", "msg: given twice"));
    CHECK(bad(H "(msg:\"a\"b\"; sid:1;)", "msg: unescaped '\"' inside the string"));
    CHECK(bad(H "(flow:established; flow:to_server; sid:1;)", "flow: only one flow keyword per rule"));
    CHECK(bad(H "(pkt_data:1; sid:1;)", "pkt_data: takes no value"));
    CHECK(bad(H "(content; sid:1;)", "content: needs a value"));
    CHECK(bad(H "(content:\"a\" sid:1;)", "content: expected a string in double quotes"));
    CHECK(bad(H "(msg \"x\"; sid:1;)", "msg: expected ':' or ';' after the keyword"));
    /* the last option may omit its ';' (Snort) */
    CHECK(ok(H "(msg:\"x\"; sid:1)"));
}

TEST_MAIN(T(header_basic), T(header_actions_protocols), T(addresses), T(ports), T(vars_from_config), T(meta_keywords),
          T(content_and_modifiers), T(snort_http_modifiers), T(pcre), T(payload_keywords), T(flow_keywords),
          T(packet_keywords), T(threshold_keywords), T(schedule_keyword), T(sip_keywords), T(buffers_and_transforms),
          T(multiline_and_comments), T(error_positions), T(classification_files), T(config_rule_files), T(lexer_limits), T(evaluators), T(more_keyword_cases))
