/* test-detect.c - the detection engine end to end: rules parsed from text,
 * hand-built packets, matches, actions, thresholds and bits. */
#include <arpa/inet.h>
#include <unistd.h>
#include "../rules/detect.h"
#include "../sensor/config.h"
#include "test.h"

#define SEC TG_NS_PER_SEC

struct fixture {
    struct stats st;
    struct detect *d;
    struct config *cfg;
};

/* setup with one more config "key=value" (NULL: none) set before compiling. */
static bool setup_kv(struct fixture *fx, const char *rules, const char *kv);

static bool setup(struct fixture *fx, const char *rules)
{
    return setup_kv(fx, rules, NULL);
}

static bool setup_kv(struct fixture *fx, const char *rules, const char *kv)
{
    memset(fx, 0, sizeof *fx);
    fx->cfg = config_new();
    if (kv)
        config_set(fx->cfg, kv);
    config_set(fx->cfg, "vars.address.HOME_NET=[198.18.0.0/16]");
    config_set(fx->cfg, "vars.address.SIP_SERVERS=[198.18.0.10]");
    struct rule_loader_opts opts = {.skip_bad = false, .errors = stderr};
    char err[256];
    struct rule_loader *ld = rule_loader_new(fx->cfg, &opts, err, sizeof err);
    if (!ld)
        return false;
    struct ruleset rs = {0};
    int rc = rule_load_buffer(ld, &rs, "test.rules", rules, strlen(rules));
    rule_loader_free(ld);
    if (rc != TG_OK) {
        ruleset_clear(&rs);
        return false;
    }
    fx->d = detect_new(fx->cfg, &rs, &fx->st, NULL, NULL, err, sizeof err);
    ruleset_clear(&rs);
    return fx->d != NULL;
}

static void teardown(struct fixture *fx)
{
    detect_free(fx->d);
    config_free(fx->cfg);
}

/* A UDP or TCP packet between two 198.18/16 hosts. */
static struct packet pkt(const char *src, uint16_t sp, const char *dst, uint16_t dp, uint8_t proto,
                         const char *payload, uint64_t ts)
{
    struct packet p;
    memset(&p, 0, sizeof p);
    p.ip_version = 4;
    p.src.family = p.dst.family = 4;
    inet_pton(AF_INET, src, p.src.b);
    inet_pton(AF_INET, dst, p.dst.b);
    p.sport = sp;
    p.dport = dp;
    p.l4_proto = proto;
    p.ttl = 64;
    p.flags = PKT_HAS_L4;
    p.payload = (const uint8_t *)payload;
    p.payload_len = (uint32_t)strlen(payload);
    p.ts_ns = ts;
    return p;
}

static uint64_t hits(const struct fixture *fx, uint32_t sid)
{
    for (size_t i = 0; i < detect_rule_count(fx->d); i++)
        if (detect_rule(fx->d, i)->sid == sid)
            return detect_rule_hits(fx->d, i);
    return UINT64_MAX;
}

#define UDP(pl) pkt("198.18.0.1", 5060, "198.18.0.10", 5060, IPPROTO_NUM_UDP, pl, 100 * SEC)

TEST(content_modifiers)
{
    struct fixture fx;
    CHECK(setup(&fx,
                "alert udp any any -> any any (msg:\"a\"; content:\"INVITE\"; depth:6; sid:1;)\n"
                "alert udp any any -> any any (msg:\"b\"; content:\"INVITE\"; offset:1; sid:2;)\n"
                "alert udp any any -> any any (msg:\"c\"; content:\"sip:\"; content:\"@\"; distance:0; within:10; sid:3;)\n"
                "alert udp any any -> any any (msg:\"d\"; content:\"invite\"; nocase; content:!\"REGISTER\"; sid:4;)\n"
                "alert udp any any -> any any (msg:\"e\"; content:\"|53 49 50|/2.0\"; endswith; sid:5;)\n"
                "alert udp any any -> any any (msg:\"f\"; content:\"bob\"; content:\"alice\"; distance:0; sid:6;)\n"));
    struct packet p = UDP("INVITE sip:alice@example.com SIP/2.0");
    detect_packet(fx.d, &p, NULL);
    CHECK_EQ_U(hits(&fx, 1), 1);
    CHECK_EQ_U(hits(&fx, 2), 0);
    CHECK_EQ_U(hits(&fx, 3), 1);
    CHECK_EQ_U(hits(&fx, 4), 1);
    CHECK_EQ_U(hits(&fx, 5), 1);
    CHECK_EQ_U(hits(&fx, 6), 0);
    struct packet q = UDP("xINVITE sip:averyveryverylongname@x REGISTER");
    detect_packet(fx.d, &q, NULL);
    CHECK_EQ_U(hits(&fx, 1), 1); /* depth 6 misses at offset 1 */
    CHECK_EQ_U(hits(&fx, 2), 1);
    CHECK_EQ_U(hits(&fx, 3), 1); /* '@' beyond within 10 */
    CHECK_EQ_U(hits(&fx, 4), 1); /* negated REGISTER present */
    teardown(&fx);
}

TEST(relative_backtracking_and_pcre)
{
    struct fixture fx;
    CHECK(setup(&fx,
                /* the first "a=" is not followed by "rtpmap" within 8; the second is */
                "alert udp any any -> any any (msg:\"bt\"; content:\"a=\"; content:\"rtpmap\"; distance:0; within:8; sid:1;)\n"
                "alert udp any any -> any any (msg:\"re\"; pcre:\"/^INVITE\\s+sips?:[0-9]+@/\"; sid:2;)\n"
                "alert udp any any -> any any (msg:\"rel\"; content:\"To:\"; pcre:\"/^\\s*<sip:9/R\"; sid:3;)\n"
                "alert udp any any -> any any (msg:\"neg\"; pcre:!\"/User-Agent/i\"; sid:4;)\n"));
    struct packet p = UDP("INVITE sip:900123@pbx SIP/2.0\r\nTo: <sip:900123@pbx>\r\na=sendrecv\r\na=rtpmap:0 PCMU/8000\r\n");
    detect_packet(fx.d, &p, NULL);
    CHECK_EQ_U(hits(&fx, 1), 1);
    CHECK_EQ_U(hits(&fx, 2), 1);
    CHECK_EQ_U(hits(&fx, 3), 1);
    CHECK_EQ_U(hits(&fx, 4), 1);
    struct packet q = UDP("INVITE sip:bob@pbx SIP/2.0\r\nUser-agent: x\r\nTo: <sip:1>");
    detect_packet(fx.d, &q, NULL);
    CHECK_EQ_U(hits(&fx, 2), 1);
    CHECK_EQ_U(hits(&fx, 3), 1);
    CHECK_EQ_U(hits(&fx, 4), 1);
    teardown(&fx);
}

TEST(byte_ops_isdataat_dsize)
{
    struct fixture fx;
    CHECK(setup(&fx,
                "alert udp any any -> any any (msg:\"bt\"; byte_test:1,>,0x7f,0; byte_test:1,&,0x60,1; sid:1;)\n"
                "alert udp any any -> any any (msg:\"bj\"; byte_jump:1,1; content:\"X\"; within:1; sid:2;)\n"
                "alert udp any any -> any any (msg:\"bx\"; byte_extract:1,1,len; content:\"X\"; offset:len; depth:2; content:!\"X\"; offset:len; depth:1; sid:3;)\n"
                "alert udp any any -> any any (msg:\"da\"; isdataat:5; isdataat:!10; sid:4;)\n"
                "alert udp any any -> any any (msg:\"ds\"; dsize:6<>8; sid:5;)\n"));
    /* 0x80 0x03 'a' 'b' 'c' 'X' : byte_jump 1 byte at 1 (=3) from after it -> index 5 */
    struct packet p = UDP("\x80\x03" "abX" "X1");
    p.payload_len = 7;
    detect_packet(fx.d, &p, NULL);
    CHECK_EQ_U(hits(&fx, 1), 0); /* 0x03 & 0x60 == 0 */
    CHECK_EQ_U(hits(&fx, 2), 1);
    CHECK_EQ_U(hits(&fx, 3), 1);
    CHECK_EQ_U(hits(&fx, 4), 1);
    CHECK_EQ_U(hits(&fx, 5), 1);
    teardown(&fx);
}

TEST(header_addresses_ports_direction)
{
    struct fixture fx;
    CHECK(setup(&fx,
                "alert udp $HOME_NET any -> $SIP_SERVERS 5060 (msg:\"in\"; sid:1;)\n"
                "alert udp !$HOME_NET any -> any any (msg:\"ext\"; sid:2;)\n"
                "alert udp 198.18.0.10 5060 <> 198.18.0.1 any (msg:\"bi\"; sid:3;)\n"
                "alert tcp any any -> any [80,443] (msg:\"tcp\"; sid:4;)\n"
                "alert udp any any -> any !5060 (msg:\"notsip\"; sid:5;)\n"));
    struct packet p = UDP("x");
    detect_packet(fx.d, &p, NULL);
    CHECK_EQ_U(hits(&fx, 1), 1);
    CHECK_EQ_U(hits(&fx, 2), 0);
    CHECK_EQ_U(hits(&fx, 3), 1); /* matched swapped */
    CHECK_EQ_U(hits(&fx, 4), 0);
    CHECK_EQ_U(hits(&fx, 5), 0);
    struct packet q = pkt("192.0.2.7", 4000, "198.18.0.10", 443, IPPROTO_NUM_TCP, "", 100 * SEC);
    detect_packet(fx.d, &q, NULL);
    CHECK_EQ_U(hits(&fx, 4), 1);
    CHECK_EQ_U(hits(&fx, 2), 0); /* tcp packet, udp rule */
    teardown(&fx);
}

TEST(actions_order_pass_and_verdicts)
{
    struct fixture fx;
    CHECK(setup(&fx,
                "alert udp any any -> any any (msg:\"alert first in file\"; content:\"BYE\"; sid:1;)\n"
                "drop udp any any -> any any (msg:\"drop\"; content:\"BYE\"; sid:2;)\n"
                "pass udp 198.18.0.99 any -> any any (msg:\"pass trusted\"; sid:3;)\n"
                "reject udp any any -> any any (msg:\"reject\"; content:\"CANCEL\"; sid:4;)\n"));
    struct packet p = UDP("BYE sip:x SIP/2.0");
    detect_packet(fx.d, &p, NULL);
    CHECK_EQ_U(p.verdict, VERDICT_DROP);
    CHECK_EQ_U(hits(&fx, 1), 1);
    CHECK_EQ_U(hits(&fx, 2), 1);
    struct packet t = pkt("198.18.0.99", 5060, "198.18.0.10", 5060, IPPROTO_NUM_UDP, "BYE", 100 * SEC);
    detect_packet(fx.d, &t, NULL);
    CHECK_EQ_U(t.verdict, VERDICT_ACCEPT); /* pass is inspected first and ends inspection */
    CHECK_EQ_U(hits(&fx, 2), 1);
    struct packet r = UDP("CANCEL sip:x SIP/2.0");
    detect_packet(fx.d, &r, NULL);
    CHECK_EQ_U(r.verdict, VERDICT_REJECT);
    /* rules are reordered by action: pass, drop, reject, alert */
    CHECK_EQ_U(detect_rule(fx.d, 0)->sid, 3);
    CHECK_EQ_U(detect_rule(fx.d, 1)->sid, 2);
    CHECK_EQ_U(detect_rule(fx.d, 2)->sid, 4);
    CHECK_EQ_U(detect_rule(fx.d, 3)->sid, 1);
    teardown(&fx);
}

TEST(thresholds_and_detection_filter)
{
    struct fixture fx;
    CHECK(setup(&fx,
                "alert udp any any -> any any (msg:\"lim\"; content:\"REGISTER\"; threshold:type limit, track by_src, count 2, seconds 60; sid:1;)\n"
                "alert udp any any -> any any (msg:\"df\"; content:\"REGISTER\"; detection_filter:track by_src, count 5, seconds 10; sid:2;)\n"
                "alert udp any any -> any any (msg:\"both\"; content:\"REGISTER\"; threshold:type both, track by_dst, count 3, seconds 60; sid:3;)\n"));
    for (int i = 0; i < 8; i++) {
        struct packet p = pkt("198.18.0.1", 5060, "198.18.0.10", 5060, IPPROTO_NUM_UDP, "REGISTER sip:x SIP/2.0",
                              (100 + (uint64_t)i) * SEC);
        detect_packet(fx.d, &p, NULL);
    }
    CHECK_EQ_U(hits(&fx, 1), 2);
    CHECK_EQ_U(hits(&fx, 2), 3); /* the 6th, 7th and 8th */
    CHECK_EQ_U(hits(&fx, 3), 1);
    teardown(&fx);
}

TEST(rate_limit_drops_while_exceeded)
{
    struct fixture fx;
    CHECK(setup(&fx, "alert udp any any -> any any (msg:\"rl\"; content:\"INVITE\"; rate_limit:track by_src, count 3, seconds 10; sid:1;)\n"));
    int drops = 0;
    for (int i = 0; i < 6; i++) {
        struct packet p = pkt("198.18.0.1", 5060, "198.18.0.10", 5060, IPPROTO_NUM_UDP, "INVITE", (100 + (uint64_t)i) * SEC);
        detect_packet(fx.d, &p, NULL);
        drops += p.verdict == VERDICT_DROP;
    }
    CHECK_EQ_U(drops, 3);
    CHECK_EQ_U(hits(&fx, 1), 3); /* silent under the rate */
    struct packet later = pkt("198.18.0.1", 5060, "198.18.0.10", 5060, IPPROTO_NUM_UDP, "INVITE", 200 * SEC);
    detect_packet(fx.d, &later, NULL);
    CHECK_EQ_U(later.verdict, VERDICT_ACCEPT);
    teardown(&fx);
}

TEST(flowbits_within_a_flow_xbits_across_flows)
{
    struct fixture fx;
    CHECK(setup(&fx,
                "alert udp any any -> any any (msg:\"set\"; content:\"401\"; flowbits:set,challenged; flowbits:noalert; sid:1;)\n"
                "alert udp any any -> any any (msg:\"isset\"; content:\"Authorization\"; flowbits:isset,challenged; sid:2;)\n"
                "alert udp any any -> any any (msg:\"xset\"; content:\"scan\"; xbits:set,scanner,track ip_src,expire 60; sid:3;)\n"
                "alert udp any any -> any any (msg:\"xis\"; content:\"INVITE\"; xbits:isset,scanner,track ip_src; sid:4;)\n"));
    struct flow f1, f2;
    memset(&f1, 0, sizeof f1);
    memset(&f2, 0, sizeof f2);
    struct packet a = UDP("REGISTER Authorization: x");
    a.flow = &f1;
    detect_packet(fx.d, &a, NULL);
    CHECK_EQ_U(hits(&fx, 2), 0);
    struct packet b = UDP("SIP/2.0 401 Unauthorized");
    b.flow = &f1;
    detect_packet(fx.d, &b, NULL);
    CHECK_EQ_U(hits(&fx, 1), 0); /* noalert */
    detect_packet(fx.d, &a, NULL);
    CHECK_EQ_U(hits(&fx, 2), 1);
    struct packet c = UDP("REGISTER Authorization: x");
    c.flow = &f2; /* another flow has no bit */
    detect_packet(fx.d, &c, NULL);
    CHECK_EQ_U(hits(&fx, 2), 1);
    struct packet s = pkt("198.18.0.66", 1111, "198.18.0.10", 5060, IPPROTO_NUM_UDP, "OPTIONS scan", 100 * SEC);
    detect_packet(fx.d, &s, NULL);
    struct packet inv = pkt("198.18.0.66", 2222, "198.18.0.11", 5060, IPPROTO_NUM_UDP, "INVITE", 110 * SEC);
    detect_packet(fx.d, &inv, NULL);
    CHECK_EQ_U(hits(&fx, 4), 1);
    struct packet other = pkt("198.18.0.67", 2222, "198.18.0.11", 5060, IPPROTO_NUM_UDP, "INVITE", 110 * SEC);
    detect_packet(fx.d, &other, NULL);
    CHECK_EQ_U(hits(&fx, 4), 1);
    struct packet late = pkt("198.18.0.66", 2222, "198.18.0.11", 5060, IPPROTO_NUM_UDP, "INVITE", 200 * SEC);
    detect_packet(fx.d, &late, NULL); /* expired */
    CHECK_EQ_U(hits(&fx, 4), 1);
    detect_flow_end(fx.d, &f1);
    detect_flow_end(fx.d, &f2);
    teardown(&fx);
}

/* ip_src and ip_dst name the same per-host store (Suricata's host table):
 * a bit set on the receiver of a 200 OK is seen when that host sends. */
TEST(xbits_dst_then_src)
{
    struct fixture fx;
    CHECK(setup(&fx,
                "alert udp any any -> any any (content:\"200 OK\"; xbits:set,reg,track ip_dst,expire 60; noalert; sid:1;)\n"
                "alert udp any any -> any any (content:\"INVITE\"; xbits:isnotset,reg,track ip_src; sid:2;)\n"
                "alert udp any any -> any any (content:\"INVITE\"; xbits:isset,reg,track ip_src; sid:3;)\n"));
    struct packet ok = pkt("198.18.0.10", 5060, "198.18.0.66", 5060, IPPROTO_NUM_UDP, "SIP/2.0 200 OK", 1 * SEC);
    detect_packet(fx.d, &ok, NULL);
    struct packet inv = pkt("198.18.0.66", 5060, "198.18.0.10", 5060, IPPROTO_NUM_UDP, "INVITE", 2 * SEC);
    detect_packet(fx.d, &inv, NULL);
    CHECK_EQ_U(hits(&fx, 1), 0); /* noalert; */
    CHECK_EQ_U(hits(&fx, 2), 0);
    CHECK_EQ_U(hits(&fx, 3), 1);
    struct packet other = pkt("198.18.0.67", 5060, "198.18.0.10", 5060, IPPROTO_NUM_UDP, "INVITE", 2 * SEC);
    detect_packet(fx.d, &other, NULL);
    CHECK_EQ_U(hits(&fx, 2), 1);
    CHECK_EQ_U(hits(&fx, 3), 1);
    teardown(&fx);
}

/* A fake SIP message for app-layer rules. */
struct fake_sip {
    const char *method, *uri, *stat, *ua;
    const char *vias[3];
};

static bool fake_get(void *arg, enum rule_buffer b, const char *header, uint32_t idx, const uint8_t **data,
                     uint32_t *len)
{
    const struct fake_sip *m = arg;
    const char *v = NULL;
    switch (b) {
    case RULE_BUF_SIP_METHOD: v = idx ? NULL : m->method; break;
    case RULE_BUF_SIP_URI: v = idx ? NULL : m->uri; break;
    case RULE_BUF_SIP_STAT_CODE: v = idx ? NULL : m->stat; break;
    case RULE_BUF_SIP_USER_AGENT: v = idx ? NULL : m->ua; break;
    case RULE_BUF_SIP_VIA: v = idx < 3 ? m->vias[idx] : NULL; break;
    case RULE_BUF_SIP_HEADER:
        if (header && strcasecmp(header, "Via") == 0)
            v = idx < 3 ? m->vias[idx] : NULL;
        break;
    default: break;
    }
    if (!v)
        return false;
    *data = (const uint8_t *)v;
    *len = (uint32_t)strlen(v);
    return true;
}

TEST(app_buffers_and_snort_sip_keywords)
{
    struct fixture fx;
    CHECK(setup(&fx,
                "alert sip any any -> any any (msg:\"ua\"; sip.user_agent; content:\"friendly-scanner\"; sid:1;)\n"
                "alert sip any any -> any any (msg:\"m\"; sip.method; content:\"OPTIONS\"; bsize:7; sid:2;)\n"
                "alert sip any any -> any any (msg:\"snort m\"; sip_method:INVITE,OPTIONS; sid:3;)\n"
                "alert sip any any -> any any (msg:\"snort code class\"; sip_stat_code:4; sid:4;)\n"
                "alert sip any any -> any any (msg:\"via second\"; sip.via; content:\"198.18.9.9\"; sid:5;)\n"
                "alert sip any any -> any any (msg:\"many vias\"; sip.header_count:Via,>2; sid:6;)\n"
                "alert udp any any -> any any (msg:\"not sip rule\"; sip.method; content:\"OPTIONS\"; sid:7;)\n"));
    struct fake_sip req = {.method = "OPTIONS", .uri = "sip:100@pbx", .ua = "friendly-scanner",
                           .vias = {"SIP/2.0/UDP 198.18.0.1", "SIP/2.0/UDP 198.18.9.9", "SIP/2.0/UDP x"}};
    struct packet p = UDP("OPTIONS ...");
    detect_app(fx.d, &p, "sip", fake_get, &req);
    CHECK_EQ_U(hits(&fx, 1), 1);
    CHECK_EQ_U(hits(&fx, 2), 1);
    CHECK_EQ_U(hits(&fx, 3), 1);
    CHECK_EQ_U(hits(&fx, 4), 0);
    CHECK_EQ_U(hits(&fx, 5), 1);
    CHECK_EQ_U(hits(&fx, 6), 1);
    CHECK_EQ_U(hits(&fx, 7), 1); /* udp rule with a sip buffer inspects the message */
    struct fake_sip resp = {.stat = "404"};
    detect_app(fx.d, &p, "sip", fake_get, &resp);
    CHECK_EQ_U(hits(&fx, 4), 1);
    CHECK_EQ_U(hits(&fx, 3), 1);
    /* an app rule on a flow of another protocol does not match */
    detect_app(fx.d, &p, "http", fake_get, &req);
    CHECK_EQ_U(hits(&fx, 1), 1);
    teardown(&fx);
}

/* Transforms rewrite the buffer before matching, and a fast pattern in a
 * transformed list must not be prefiltered on the raw bytes. */
TEST(transforms)
{
    struct fixture fx;
    CHECK(setup(&fx,
                "alert sip any any -> any any (sip.user_agent; strip_whitespace; content:\"FrIendly-scanner\"; sid:1;)\n"
                "alert sip any any -> any any (sip.user_agent; to_lowercase; content:\"friendly\"; startswith; sid:2;)\n"
                "alert sip any any -> any any (sip.user_agent; compress_whitespace; content:\"ly- scan\"; sid:3;)\n"
                "alert sip any any -> any any (sip.uri; url_decode; content:\"sip:1 0@pbx\"; bsize:11; sid:4;)\n"
                "alert sip any any -> any any (sip.method; dotprefix; content:\".OPTIONS\"; startswith; sid:5;)\n"
                "alert sip any any -> any any (sip.user_agent; to_uppercase; content:\"friendly\"; sid:6;)\n"));
    struct fake_sip req = {.method = "OPTIONS", .uri = "sip:1+0@p%62x", .ua = "FrIendly- \t\r\n scanner"};
    struct packet p = UDP("OPTIONS ...");
    detect_app(fx.d, &p, "sip", fake_get, &req);
    CHECK_EQ_U(hits(&fx, 1), 1);
    CHECK_EQ_U(hits(&fx, 2), 1);
    CHECK_EQ_U(hits(&fx, 3), 1);
    CHECK_EQ_U(hits(&fx, 4), 1);
    CHECK_EQ_U(hits(&fx, 5), 1);
    CHECK_EQ_U(hits(&fx, 6), 0); /* case-sensitive content after to_uppercase */
    teardown(&fx);
    /* a transform tollgate cannot compute is refused, not ignored */
    CHECK(!setup(&fx, "alert sip any any -> any any (sip.user_agent; to_md5; content:\"x\"; sid:1;)\n"));
    teardown(&fx);
}

TEST(app_layer_event_rules)
{
    struct fixture fx;
    CHECK(setup(&fx, "alert sip any any -> any any (msg:\"SIP bad uri\"; app-layer-event:sip.bad_uri; gid:140; sid:3; rev:1;)\n"));
    struct packet p = UDP("x");
    detect_app_event(fx.d, &p, "sip", "sip.empty_call_id");
    CHECK_EQ_U(hits(&fx, 3), 0);
    detect_app_event(fx.d, &p, "sip", "sip.bad_uri");
    CHECK_EQ_U(hits(&fx, 3), 1);
    teardown(&fx);
}

/* Rule groups per transport: a TCP packet never meets UDP-only rules, not
 * even rules without a fast pattern (which are always candidates in their
 * group); ip and app-layer rules are in every group they can match. */
TEST(groups_by_transport)
{
    struct fixture fx;
    CHECK(setup(&fx,
                "alert udp any any -> any any (msg:\"u\"; dsize:>0; sid:1;)\n"
                "alert tcp any any -> any any (msg:\"t\"; dsize:>0; sid:2;)\n"
                "alert ip any any -> any any (msg:\"ip\"; ttl:<100; sid:3;)\n"
                "alert icmp any any -> any any (msg:\"icmp\"; itype:8; sid:4;)\n"));
    struct packet t = pkt("198.18.0.1", 4000, "198.18.0.10", 80, IPPROTO_NUM_TCP, "x", 100 * SEC);
    detect_packet(fx.d, &t, NULL);
    CHECK_EQ_U(fx.st.c[STAT_DETECT_CANDIDATES], 2); /* tcp + ip rules only */
    CHECK_EQ_U(hits(&fx, 2), 1);
    CHECK_EQ_U(hits(&fx, 3), 1);
    struct packet u = UDP("x");
    detect_packet(fx.d, &u, NULL);
    CHECK_EQ_U(fx.st.c[STAT_DETECT_CANDIDATES], 4);
    CHECK_EQ_U(hits(&fx, 1), 1);
    CHECK_EQ_U(hits(&fx, 4), 0);
    teardown(&fx);
}

TEST(iplist_keyword_and_missing_list)
{
    char path[] = "/tmp/tg-iplist-XXXXXX";
    int fd = mkstemp(path);
    const char *body = "198.18.66.0/24\nfd00:198:18::66\n";
    CHECK(write(fd, body, strlen(body)) == (ssize_t)strlen(body));
    close(fd);
    struct fixture fx;
    memset(&fx, 0, sizeof fx);
    fx.cfg = config_new();
    char kv[128];
    snprintf(kv, sizeof kv, "iplist.tor_exit=%s", path);
    config_set(fx.cfg, kv);
    const char *rules = "alert udp any any -> any any (msg:\"from tor\"; iplist:src,tor_exit; sid:1;)\n"
                        "alert udp any any -> any any (msg:\"not to tor\"; iplist:dst,!tor_exit; sid:2;)\n";
    struct rule_loader_opts opts = {.errors = stderr};
    char err[256];
    struct rule_loader *ld = rule_loader_new(fx.cfg, &opts, err, sizeof err);
    struct ruleset rs = {0};
    CHECK(rule_load_buffer(ld, &rs, "t.rules", rules, strlen(rules)) == TG_OK);
    fx.d = detect_new(fx.cfg, &rs, &fx.st, NULL, NULL, err, sizeof err);
    ruleset_clear(&rs);
    CHECK(fx.d != NULL);
    struct packet p = pkt("198.18.66.9", 5060, "198.18.0.10", 5060, IPPROTO_NUM_UDP, "x", 100 * SEC);
    detect_packet(fx.d, &p, NULL);
    struct packet q = pkt("198.18.0.10", 5060, "198.18.66.1", 5060, IPPROTO_NUM_UDP, "x", 100 * SEC);
    detect_packet(fx.d, &q, NULL);
    CHECK_EQ_U(hits(&fx, 1), 1);
    CHECK_EQ_U(hits(&fx, 2), 1);
    detect_free(fx.d);
    /* a list name without a file is an error naming the rule */
    const char *bad = "alert udp any any -> any any (msg:\"x\"; iplist:src,nosuch; sid:3;)\n";
    CHECK(rule_load_buffer(ld, &rs, "t.rules", bad, strlen(bad)) == TG_OK);
    CHECK(detect_new(fx.cfg, &rs, &fx.st, NULL, NULL, err, sizeof err) == NULL);
    CHECK_STR(err, "t.rules:1: error: iplist: no file for list 'nosuch' (set iplist.nosuch = FILE)");
    ruleset_clear(&rs);
    rule_loader_free(ld);
    config_free(fx.cfg);
    unlink(path);
}

/* detect.mpm picks the prefilter; every backend selects the same candidates,
 * so alerts are the same whichever runs. */
TEST(prefilter_backends_agree)
{
    static const char *rules =
        "alert udp any any -> any any (msg:\"a\"; content:\"INVITE\"; sid:1;)\n"
        "alert udp any any -> any any (msg:\"b\"; content:\"invite\"; nocase; sid:2;)\n"
        "alert udp any any -> any any (msg:\"c\"; content:\"|00 ff|\"; sid:3;)\n"
        "alert udp any any -> any any (msg:\"d\"; content:\"x\"; content:\"User-Agent: friendly-scanner\"; sid:4;)\n"
        "alert udp any any -> any any (msg:\"e\"; dsize:>1000; sid:5;)\n";
    static const char *kv[] = {"detect.mpm=ac", "detect.mpm=hs", "detect.mpm=auto"};
    static const uint64_t want[] = {1, 2, 0, 1, 0};
    for (size_t k = 0; k < TG_ARRAY_LEN(kv); k++) {
        struct fixture fx;
        CHECK(setup_kv(&fx, rules, kv[k]));
        struct packet p = UDP("INVITE sip:a@b SIP/2.0");
        detect_packet(fx.d, &p, NULL);
        struct packet q = UDP("invite x USER-AGENT: FRIENDLY-SCANNER");
        detect_packet(fx.d, &q, NULL);
        struct packet r = UDP("x User-Agent: friendly-scanner"); /* q: prefiltered in, case misses */
        detect_packet(fx.d, &r, NULL);
        for (uint32_t sid = 1; sid <= 5; sid++)
            CHECK_EQ_U(hits(&fx, sid), want[sid - 1]);
        teardown(&fx);
    }
    struct fixture fx;
    CHECK(!setup_kv(&fx, rules, "detect.mpm=fast"));
    config_free(fx.cfg);
}

TEST_MAIN(T(groups_by_transport), T(iplist_keyword_and_missing_list), T(prefilter_backends_agree), T(content_modifiers), T(relative_backtracking_and_pcre), T(byte_ops_isdataat_dsize),
          T(header_addresses_ports_direction), T(actions_order_pass_and_verdicts),
          T(thresholds_and_detection_filter), T(rate_limit_drops_while_exceeded),
          T(flowbits_within_a_flow_xbits_across_flows), T(app_buffers_and_snort_sip_keywords),
          T(app_layer_event_rules), T(transforms), T(xbits_dst_then_src))
