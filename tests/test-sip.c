/* test-sip.c - unit tests of the SIP tokenizer, libosip2 field parsers, anomaly events, dialogs and app-layer framing. */
#include "test.h"
#include "app-layer-sip.h"
#include "config.h"
#include "engine.h"
#include "flow.h"
#include "output.h"
#include "sip-dialog.h"
#include "sip-events.h"

#define CRLF "\r\n"

/* A clean RFC 3261 INVITE: the negative case of every per-message event. */
#define BASE_HEAD                                                                  \
    "INVITE sip:bob@example.com SIP/2.0" CRLF                                      \
    "Via: SIP/2.0/UDP 198.18.0.1:5060;branch=z9hG4bK776asdhds;rport" CRLF          \
    "Max-Forwards: 70" CRLF                                                        \
    "To: Bob <sip:bob@example.com>" CRLF                                           \
    "From: \"Alice A.\" <sip:alice@example.org>;tag=1928301774" CRLF               \
    "Call-ID: a84b4c76e66710@pc33.example.org" CRLF                                \
    "CSeq: 314159 INVITE" CRLF                                                     \
    "Contact: <sip:alice@198.18.0.1>" CRLF                                         \
    "User-Agent: tollgate-test/1.0" CRLF

#define SDP_A "v=0" CRLF "o=alice 2890844526 2890844526 IN IP4 198.18.0.1" CRLF "s=-" CRLF \
              "c=IN IP4 198.18.0.1" CRLF "t=0 0" CRLF "m=audio 49170 RTP/AVP 0" CRLF
#define SDP_B "v=0" CRLF "o=mallory 1 1 IN IP4 198.18.0.66" CRLF "s=-" CRLF \
              "c=IN IP4 198.18.0.66" CRLF "t=0 0" CRLF "m=audio 40000 RTP/AVP 0" CRLF

static struct sip_header test_hdrs[256];

static int64_t parse(const char *s, enum sip_transport mode, struct sip_msg *m)
{
    sip_msg_init(m, test_hdrs, 256);
    return sip_parse_message((const uint8_t *)s, strlen(s), mode, m);
}

static bool range_is(struct sip_range r, const char *s)
{
    return r.len == strlen(s) && memcmp(r.p, s, r.len) == 0;
}

/* ---- event helpers ---- */

struct collect {
    int n;
    sip_event_set all;
    sip_event_set ev[8];
};

static void collect_fn(const struct sip_msg *m, sip_event_set ev, void *arg)
{
    TG_UNUSED(m);
    struct collect *c = arg;
    if (c->n < 8)
        c->ev[c->n] = ev;
    c->n++;
    c->all |= ev;
}

static struct sip_inspect *inspector(const char *kv)
{
    struct config *cfg = config_new();
    if (kv)
        config_set(cfg, kv);
    struct sip_config c;
    sip_config_load(&c, cfg);
    config_free(cfg);
    return sip_inspect_new(&c);
}

static sip_event_set events_cfg(const char *msg, size_t len, const char *kv, int *nmsgs)
{
    struct sip_inspect *si = inspector(kv);
    struct collect c = {0};
    uint32_t cap = TG_MIN(sip_inspect_config(si)->max_headers, 256u);
    sip_inspect_datagram(si, (const uint8_t *)msg, len, test_hdrs, cap, collect_fn, &c);
    sip_inspect_free(si);
    if (nmsgs)
        *nmsgs = c.n;
    return c.all;
}

static sip_event_set events(const char *msg)
{
    return events_cfg(msg, strlen(msg), NULL, NULL);
}

static bool has(sip_event_set s, enum sip_event_id e) { return (s & SIP_EV_BIT(e)) != 0; }

/* ---- tokenizer ---- */

TEST(tokenizer_request)
{
    struct sip_msg m;
    const char *s = BASE_HEAD "Content-Length: 0" CRLF CRLF;
    CHECK_EQ_U(parse(s, SIP_DATAGRAM, &m), strlen(s));
    CHECK(m.flags & SIP_MF_REQUEST);
    CHECK(range_is(m.method, "INVITE"));
    CHECK(range_is(m.uri, "sip:bob@example.com"));
    CHECK(range_is(m.version, "SIP/2.0"));
    CHECK(range_is(m.start_line, "INVITE sip:bob@example.com SIP/2.0"));
    CHECK_EQ_U(m.n_hdrs, 9);
    CHECK_EQ_U(m.count[SIP_HDR_VIA], 1);
    CHECK_EQ_U(m.first[SIP_HDR_CALL_ID], 4);
    CHECK(range_is(sip_msg_header(&m, SIP_HDR_CSEQ)->value, "314159 INVITE"));
    CHECK(range_is(sip_msg_header(&m, SIP_HDR_FROM)->name, "From"));
    CHECK(m.has_cl);
    CHECK_EQ_U(m.content_length, 0);
    CHECK_EQ_U(m.body.len, 0);
    /* zero copy: ranges point into the input */
    CHECK(m.method.p == (const uint8_t *)s);
}

TEST(tokenizer_response)
{
    struct sip_msg m;
    const char *s = "SIP/2.0 180 Ringing" CRLF "Via: SIP/2.0/UDP h;branch=z9hG4bK1" CRLF
                    "Content-Length: 0" CRLF CRLF;
    CHECK(parse(s, SIP_DATAGRAM, &m) > 0);
    CHECK(m.flags & SIP_MF_RESPONSE);
    CHECK_EQ_U(m.status_code, 180);
    CHECK(range_is(m.status, "180"));
    CHECK(range_is(m.reason, "Ringing"));
    CHECK(range_is(m.version, "SIP/2.0"));
    /* an empty reason phrase (RFC 4475 3.1.1.13) */
    const char *e = "SIP/2.0 100 " CRLF "Content-Length: 0" CRLF CRLF;
    CHECK(parse(e, SIP_DATAGRAM, &m) > 0);
    CHECK_EQ_U(m.status_code, 100);
    CHECK_EQ_U(m.reason.len, 0);
    CHECK(!(m.flags & SIP_MF_STATUS_BAD));
}

TEST(tokenizer_folding)
{
    struct sip_msg m;
    const char *s = "OPTIONS sip:x@example.com SIP/2.0" CRLF
                    "TO :" CRLF " sip:vivekg@example.com ;   tag    = 1918181833n" CRLF
                    "cseq: 0009" CRLF "  INVITE" CRLF
                    "Subject:" CRLF
                    "l: 0" CRLF CRLF;
    CHECK(parse(s, SIP_DATAGRAM, &m) > 0);
    CHECK_EQ_U(m.n_hdrs, 4);
    const struct sip_header *to = sip_msg_header(&m, SIP_HDR_TO);
    CHECK(to && (to->flags & SIP_HF_FOLDED) && (to->flags & SIP_HF_WS_NAME));
    CHECK(to && range_is(to->value, "sip:vivekg@example.com ;   tag    = 1918181833n"));
    const struct sip_header *cs = sip_msg_header(&m, SIP_HDR_CSEQ);
    CHECK(cs && range_is(cs->value, "0009" CRLF "  INVITE")); /* raw bytes kept */
    char buf[64];
    CHECK_EQ_U(sip_header_unfold(cs, buf, sizeof buf), 11);
    CHECK_STR(buf, "0009 INVITE");
    CHECK_EQ_U(sip_header_unfold(cs, buf, 5), 4); /* cut to the buffer */
    CHECK_STR(buf, "0009");
    CHECK_EQ_U(sip_msg_header(&m, SIP_HDR_SUBJECT)->value.len, 0);
    /* any header by name, any case, long or compact */
    CHECK(sip_msg_find_header(&m, "content-length", 14) == sip_msg_header(&m, SIP_HDR_CONTENT_LENGTH));
    CHECK(sip_msg_find_header(&m, "t", 1) == to);
    CHECK(sip_msg_find_header(&m, "X-None", 6) == NULL);
    const char *x = "OPTIONS sip:a@b SIP/2.0" CRLF "X-Custom: 1" CRLF "x-custom: 2" CRLF "l: 0" CRLF CRLF;
    CHECK(parse(x, SIP_DATAGRAM, &m) > 0);
    const struct sip_header *xc = sip_msg_find_header(&m, "X-CUSTOM", 8);
    CHECK(xc && range_is(xc->value, "1"));
}

TEST(tokenizer_compact_forms)
{
    static const struct {
        const char *name;
        enum sip_hdr_id id;
    } forms[] = {
        {"i", SIP_HDR_CALL_ID}, {"m", SIP_HDR_CONTACT}, {"e", SIP_HDR_CONTENT_ENCODING},
        {"l", SIP_HDR_CONTENT_LENGTH}, {"f", SIP_HDR_FROM}, {"s", SIP_HDR_SUBJECT},
        {"k", SIP_HDR_SUPPORTED}, {"t", SIP_HDR_TO}, {"v", SIP_HDR_VIA}, {"c", SIP_HDR_CONTENT_TYPE},
        {"o", SIP_HDR_EVENT}, {"u", SIP_HDR_ALLOW_EVENTS}, {"r", SIP_HDR_REFER_TO},
        {"x", SIP_HDR_SESSION_EXPIRES}, {"b", SIP_HDR_REFERRED_BY}, {"y", SIP_HDR_IDENTITY},
        {"I", SIP_HDR_CALL_ID}, {"cALL-iD", SIP_HDR_CALL_ID}, {"MaX-fOrWaRdS", SIP_HDR_MAX_FORWARDS},
        {"WWW-Authenticate", SIP_HDR_WWW_AUTHENTICATE}, {"record-route", SIP_HDR_RECORD_ROUTE},
        {"X-Unknown", SIP_HDR_OTHER}, {"C%6Fntact", SIP_HDR_OTHER}, {"z", SIP_HDR_OTHER},
    };
    for (size_t i = 0; i < TG_ARRAY_LEN(forms); i++) {
        enum sip_hdr_id id = sip_header_lookup((const uint8_t *)forms[i].name, strlen(forms[i].name));
        if (id != forms[i].id)
            fprintf(stderr, "  header %s -> %d\n", forms[i].name, id);
        CHECK_EQ_U(id, forms[i].id);
    }
    CHECK_STR(sip_header_name(SIP_HDR_CALL_ID), "Call-ID");
}

TEST(tokenizer_body_and_framing)
{
    struct sip_msg m;
    /* body by Content-Length */
    const char *s = BASE_HEAD "Content-Type: application/sdp" CRLF "Content-Length: 5" CRLF CRLF "hello";
    CHECK_EQ_U(parse(s, SIP_STREAM, &m), strlen(s));
    CHECK(range_is(m.body, "hello"));
    /* stream: head incomplete, body incomplete, complete */
    const uint8_t *b = (const uint8_t *)s;
    size_t head = strlen(s) - 5;
    CHECK_EQ_U(sip_message_end(b, 30, SIP_STREAM), (uint64_t)(int64_t)TG_AGAIN);
    CHECK_EQ_U(sip_message_end(b, head, SIP_STREAM), (uint64_t)(int64_t)TG_AGAIN);
    CHECK_EQ_U(sip_message_end(b, head + 4, SIP_STREAM), (uint64_t)(int64_t)TG_AGAIN);
    CHECK_EQ_U(sip_message_end(b, head + 5, SIP_STREAM), head + 5);
    /* two messages in one buffer: the first one's length; CRLF keepalives counted in */
    char two[2048];
    snprintf(two, sizeof two, CRLF CRLF "%s%s", s, s);
    CHECK_EQ_U(sip_message_end((const uint8_t *)two, strlen(two), SIP_STREAM), strlen(s) + 4);
    CHECK_EQ_U(parse(two, SIP_STREAM, &m), strlen(s) + 4);
    CHECK_EQ_U(m.skipped, 4);
    CHECK_EQ_U(m.junk, 0);
    /* stream: no Content-Length means an empty body */
    const char *nocl = "OPTIONS sip:a@b SIP/2.0" CRLF "Call-ID: x" CRLF CRLF "rest";
    CHECK_EQ_U(sip_message_end((const uint8_t *)nocl, strlen(nocl), SIP_STREAM), strlen(nocl) - 4);
    /* datagram: no Content-Length means the rest of the datagram */
    CHECK_EQ_U(parse(nocl, SIP_DATAGRAM, &m), strlen(nocl));
    CHECK(range_is(m.body, "rest"));
    /* datagram: Content-Length larger than what is left */
    const char *trunc = "OPTIONS sip:a@b SIP/2.0" CRLF "l: 99" CRLF CRLF "short";
    CHECK_EQ_U(parse(trunc, SIP_DATAGRAM, &m), strlen(trunc));
    CHECK(m.flags & SIP_MF_CL_TRUNCATED);
    CHECK(range_is(m.body, "short"));
    /* negative Content-Length */
    const char *neg = "OPTIONS sip:a@b SIP/2.0" CRLF "Content-Length: -999" CRLF CRLF;
    CHECK(parse(neg, SIP_DATAGRAM, &m) > 0);
    CHECK(m.flags & SIP_MF_CL_BAD);
}

TEST(tokenizer_junk_and_decline)
{
    struct sip_msg m;
    const char *j = "garbage line" CRLF "INVITE sip:a@b SIP/2.0" CRLF "l: 0" CRLF CRLF;
    CHECK_EQ_U(parse(j, SIP_DATAGRAM, &m), strlen(j));
    CHECK_EQ_U(m.junk, 14);
    CHECK(range_is(m.method, "INVITE"));
    const char *http = "M-SEARCH * HTTP/1.1" CRLF "HOST: 239.255.255.250:1900" CRLF CRLF;
    CHECK_EQ_U(parse(http, SIP_DATAGRAM, &m), (uint64_t)(int64_t)TG_DECLINED);
    CHECK_EQ_U(m.skipped, strlen(http));
    /* stream: an incomplete first line waits for more */
    CHECK_EQ_U(parse("INVITE sip:a@b SI", SIP_STREAM, &m), (uint64_t)(int64_t)TG_AGAIN);
    CHECK(!sip_is_start_line((const uint8_t *)"HTTP/1.1 200 OK\r\n", 17));
    CHECK(sip_is_start_line((const uint8_t *)"SIP/2.0 200 OK\r\n", 16));
    CHECK(sip_is_start_line((const uint8_t *)"INVITE  sip:a@b  SIP/2.0  \r\n", 28));
}

TEST(tokenizer_nul_bytes)
{
    struct sip_msg m;
    static const char nul_hdr[] = "OPTIONS sip:a@b SIP/2.0\r\nX-A: a\0b\r\nl: 0\r\n\r\n";
    sip_msg_init(&m, test_hdrs, 256);
    CHECK(sip_parse_message((const uint8_t *)nul_hdr, sizeof nul_hdr - 1, SIP_DATAGRAM, &m) > 0);
    CHECK(m.flags & SIP_MF_NUL_IN_HEAD);
    CHECK_EQ_U(sip_msg_header(&m, SIP_HDR_CONTENT_LENGTH)->value.len, 1);
    /* an escaped NUL inside a quoted string is legal (RFC 4475 3.1.1.2) */
    static const char nul_q[] = "OPTIONS sip:a@b SIP/2.0\r\nTo: \"x\\\0y\" <sip:a@b>\r\nl: 0\r\n\r\n";
    CHECK(sip_parse_message((const uint8_t *)nul_q, sizeof nul_q - 1, SIP_DATAGRAM, &m) > 0);
    CHECK(!(m.flags & SIP_MF_NUL_IN_HEAD));
    /* NULs in the body are data */
    static const char nul_b[] = "OPTIONS sip:a@b SIP/2.0\r\nl: 3\r\n\r\na\0b";
    CHECK_EQ_U(sip_parse_message((const uint8_t *)nul_b, sizeof nul_b - 1, SIP_DATAGRAM, &m), sizeof nul_b - 1);
    CHECK(!(m.flags & SIP_MF_NUL_IN_HEAD));
    CHECK_EQ_U(m.body.len, 3);
}

TEST(tokenizer_header_cap)
{
    char buf[8192];
    size_t o = (size_t)snprintf(buf, sizeof buf, "OPTIONS sip:a@b SIP/2.0" CRLF);
    for (int i = 0; i < 20; i++)
        o += (size_t)snprintf(buf + o, sizeof buf - o, "X-H%d: v" CRLF, i);
    o += (size_t)snprintf(buf + o, sizeof buf - o, "Call-ID: late" CRLF CRLF);
    struct sip_msg m;
    sip_msg_init(&m, test_hdrs, 8);
    CHECK(sip_parse_message((const uint8_t *)buf, o, SIP_DATAGRAM, &m) > 0);
    CHECK_EQ_U(m.n_hdrs, 8);
    CHECK_EQ_U(m.n_hdr_lines, 21);
    CHECK(m.flags & SIP_MF_HDR_CAP);
    CHECK_EQ_U(m.count[SIP_HDR_CALL_ID], 1); /* still counted */
    CHECK(sip_msg_header(&m, SIP_HDR_CALL_ID) == NULL);
    int n;
    CHECK(has(events_cfg(buf, o, "sip.max-headers=8", &n), SIP_EV_HEADER_CAP));
    CHECK(!has(events_cfg(buf, o, NULL, &n), SIP_EV_HEADER_CAP));
}

/* ---- libosip2 field parsers ---- */

TEST(osip_fields)
{
    struct sip_msg m;
    const char *s = BASE_HEAD "Authorization: Digest username=\"alice\", realm=\"example.org\", "
                              "nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\", uri=\"sip:bob@example.com\", "
                              "response=\"dfe56131d1958046689d83306477ecc\"" CRLF
                    "WWW-Authenticate: Digest realm=\"example.org\", nonce=\"abc123\"" CRLF
                    "Via: SIP/2.0/TCP [2001:db8::1]:5070;branch=z9hG4bKx;received=198.18.0.9;rport=4000" CRLF
                    "Content-Length: 0" CRLF CRLF;
    CHECK(parse(s, SIP_DATAGRAM, &m) > 0);
    struct sip_name_addr na;
    CHECK_EQ_U(sip_parse_name_addr(sip_msg_header(&m, SIP_HDR_FROM), &na), TG_OK);
    CHECK_STR(na.display, "Alice A.");
    CHECK_STR(na.user, "alice");
    CHECK_STR(na.host, "example.org");
    CHECK_STR(na.tag, "1928301774");
    CHECK_STR(na.scheme, "sip");
    CHECK_STR(na.uri, "sip:alice@example.org");
    CHECK_EQ_U(sip_parse_name_addr(sip_msg_header(&m, SIP_HDR_TO), &na), TG_OK);
    CHECK_STR(na.display, "Bob");
    CHECK_STR(na.tag, "");
    struct sip_via v;
    CHECK_EQ_U(sip_parse_via(&m.hdrs[0], &v), TG_OK);
    CHECK_STR(v.transport, "UDP");
    CHECK_STR(v.host, "198.18.0.1");
    CHECK_EQ_U(v.port, 5060);
    CHECK_STR(v.branch, "z9hG4bK776asdhds");
    CHECK_EQ_U(v.rport, 0);
    const struct sip_header *via2 = sip_msg_header_next(&m, sip_msg_header(&m, SIP_HDR_VIA));
    CHECK(via2 && sip_msg_header_next(&m, via2) == NULL);
    CHECK(via2 && sip_parse_via(via2, &v) == TG_OK);
    CHECK_STR(v.transport, "TCP");
    CHECK_EQ_U(v.port, 5070);
    CHECK_STR(v.received, "198.18.0.9");
    CHECK_EQ_U(v.rport, 4000);
    struct sip_cseq cs;
    CHECK_EQ_U(sip_parse_cseq(sip_msg_header(&m, SIP_HDR_CSEQ), &cs), TG_OK);
    CHECK_EQ_U(cs.number, 314159);
    CHECK_STR(cs.method, "INVITE");
    struct sip_auth a;
    CHECK_EQ_U(sip_parse_auth(sip_msg_header(&m, SIP_HDR_AUTHORIZATION), &a), TG_OK);
    CHECK_STR(a.scheme, "Digest");
    CHECK_STR(a.username, "alice");
    CHECK_STR(a.realm, "example.org");
    CHECK_STR(a.nonce, "ea9c8e88df84f1cec4341ae6cbe5a359");
    CHECK_STR(a.uri, "sip:bob@example.com");
    CHECK_STR(a.response, "dfe56131d1958046689d83306477ecc");
    CHECK_EQ_U(sip_parse_auth(sip_msg_header(&m, SIP_HDR_WWW_AUTHENTICATE), &a), TG_OK);
    CHECK_STR(a.realm, "example.org");
    CHECK_STR(a.nonce, "abc123");
    /* whole-message check */
    CHECK_EQ_U(sip_osip_parse_message(m.buf, m.len), TG_OK);
    const char *bad = "INVITE <sip:a@b> SIP/2.0" CRLF "l: 0" CRLF CRLF;
    CHECK_EQ_U(sip_osip_parse_message((const uint8_t *)bad, strlen(bad)), TG_ERROR);
    /* folded From: libosip2 gets the unfolded value */
    const char *f = "OPTIONS sip:a@b SIP/2.0" CRLF "From: \"J R\"" CRLF "  <sip:jr@example.com>" CRLF
                    "  ;tag = 98asjd8" CRLF "l: 0" CRLF CRLF;
    CHECK(parse(f, SIP_DATAGRAM, &m) > 0);
    CHECK_EQ_U(sip_parse_name_addr(sip_msg_header(&m, SIP_HDR_FROM), &na), TG_OK);
    CHECK_STR(na.user, "jr");
}

/* ---- per-message events: one positive message per event; BASE is the negative ---- */

TEST(events_base_is_clean)
{
    const char *s = BASE_HEAD "Content-Type: application/sdp" CRLF "Content-Length: 112" CRLF CRLF SDP_A;
    sip_event_set e = events(s);
    for (int i = 0; i < SIP_EV_MAX; i++)
        if (e & SIP_EV_BIT(i))
            fprintf(stderr, "  base raised %s\n", sip_event_info((enum sip_event_id)i)->name);
    CHECK_EQ_U(e, 0);
}

struct event_case {
    enum sip_event_id ev;
    const char *msg;
};

#define HDRS_NO_CL                                                                 \
    "Via: SIP/2.0/UDP 198.18.0.1;branch=z9hG4bK1" CRLF "Max-Forwards: 70" CRLF      \
    "To: <sip:bob@example.com>" CRLF "From: <sip:a@example.org>;tag=1" CRLF          \
    "Call-ID: c1" CRLF
#define REQ(line, cseq, extra) line CRLF HDRS_NO_CL "CSeq: " cseq CRLF "Contact: <sip:a@h>" CRLF extra
#define OPT(extra) REQ("OPTIONS sip:bob@example.com SIP/2.0", "1 OPTIONS", extra "Content-Length: 0" CRLF CRLF)
#define RSP(line, extra) line CRLF HDRS_NO_CL "CSeq: 1 INVITE" CRLF extra "Content-Length: 0" CRLF CRLF

static const struct event_case event_cases[] = {
    {SIP_EV_EMPTY_REQUEST_URI, REQ("OPTIONS  SIP/2.0", "1 OPTIONS", "l: 0" CRLF CRLF)},
    {SIP_EV_EMPTY_CALL_ID, "OPTIONS sip:b@e SIP/2.0" CRLF "Via: SIP/2.0/UDP h;branch=z9hG4bK1" CRLF "To: <sip:b@e>" CRLF "From: <sip:a@e>;tag=1" CRLF "Call-ID: " CRLF "CSeq: 1 OPTIONS" CRLF "l: 0" CRLF CRLF},
    {SIP_EV_BAD_CSEQ_NUM, REQ("OPTIONS sip:b@e SIP/2.0", "4294967296 OPTIONS", "l: 0" CRLF CRLF)},
    {SIP_EV_BAD_CSEQ_NAME, REQ("OPTIONSOPTIONSOPTIONSOPTIONS sip:b@e SIP/2.0", "1 OPTIONSOPTIONSOPTIONSOPTIONS", "l: 0" CRLF CRLF)},
    {SIP_EV_EMPTY_FROM, "OPTIONS sip:b@e SIP/2.0" CRLF "Via: SIP/2.0/UDP h;branch=z9hG4bK1" CRLF "To: <sip:b@e>" CRLF "From:" CRLF "Call-ID: c" CRLF "CSeq: 1 OPTIONS" CRLF "l: 0" CRLF CRLF},
    {SIP_EV_EMPTY_TO, "OPTIONS sip:b@e SIP/2.0" CRLF "Via: SIP/2.0/UDP h;branch=z9hG4bK1" CRLF "To:  " CRLF "From: <sip:a@e>;tag=1" CRLF "Call-ID: c" CRLF "CSeq: 1 OPTIONS" CRLF "l: 0" CRLF CRLF},
    {SIP_EV_EMPTY_VIA, "OPTIONS sip:b@e SIP/2.0" CRLF "Via:" CRLF "To: <sip:b@e>" CRLF "From: <sip:a@e>;tag=1" CRLF "Call-ID: c" CRLF "CSeq: 1 OPTIONS" CRLF "l: 0" CRLF CRLF},
    {SIP_EV_EMPTY_CONTACT, "INVITE sip:b@e SIP/2.0" CRLF HDRS_NO_CL "CSeq: 1 INVITE" CRLF "l: 0" CRLF CRLF},
    {SIP_EV_BAD_CONTENT_LEN, OPT("X: y" CRLF "Content-Length: 2000" CRLF)},
    {SIP_EV_MISMATCH_CONTENT_LEN, REQ("OPTIONS sip:b@e SIP/2.0", "1 OPTIONS", "c: text/plain" CRLF "l: 10" CRLF CRLF "abc")},
    {SIP_EV_INVALID_CSEQ_NAME, REQ("OPTIONS sip:b@e SIP/2.0", "1 OPT@ONS", "l: 0" CRLF CRLF)},
    {SIP_EV_BAD_STATUS_CODE, RSP("SIP/2.0 20 OK", "")},
    {SIP_EV_MISSING_CONTENT_TYPE, REQ("OPTIONS sip:b@e SIP/2.0", "1 OPTIONS", "l: 3" CRLF CRLF "abc")},
    {SIP_EV_INVALID_VERSION, REQ("OPTIONS sip:b@e SIP/3.0", "1 OPTIONS", "l: 0" CRLF CRLF)},
    {SIP_EV_MISMATCH_METHOD, REQ("OPTIONS sip:b@e SIP/2.0", "1 INVITE", "l: 0" CRLF CRLF)},
    {SIP_EV_UNKNOWN_METHOD, REQ("OPT@ONS sip:b@e SIP/2.0", "1 OPTIONS", "l: 0" CRLF CRLF)},
    {SIP_EV_DUPLICATE_HEADER, OPT("Max-Forwards: 69" CRLF)},
    {SIP_EV_MISSING_HEADER, "OPTIONS sip:b@e SIP/2.0" CRLF "Via: SIP/2.0/UDP h;branch=z9hG4bK1" CRLF "To: <sip:b@e>" CRLF "From: <sip:a@e>;tag=1" CRLF "Call-ID: c" CRLF "l: 0" CRLF CRLF},
    {SIP_EV_MULTIPLE_CONTENT_LENGTH, REQ("OPTIONS sip:b@e SIP/2.0", "1 OPTIONS", "l: 0" CRLF "Content-Length: 0" CRLF CRLF)},
    {SIP_EV_BAD_HEADER_NAME, OPT("X(y): z" CRLF)},
    {SIP_EV_MALFORMED_HEADER_LINE, OPT("no colon here" CRLF)},
    {SIP_EV_BAD_REQUEST_URI_CHAR, REQ("OPTIONS sip:b\"q@e SIP/2.0", "1 OPTIONS", "l: 0" CRLF CRLF)},
    {SIP_EV_REQUEST_URI_LWS, REQ("OPTIONS sip:b@e; lr SIP/2.0", "1 OPTIONS", "l: 0" CRLF CRLF)},
    {SIP_EV_REQUEST_URI_BRACKETS, REQ("OPTIONS <sip:b@e> SIP/2.0", "1 OPTIONS", "l: 0" CRLF CRLF)},
    {SIP_EV_REQUEST_URI_HEADERS, REQ("OPTIONS sip:b@e?Route=%3Csip:x%3E SIP/2.0", "1 OPTIONS", "l: 0" CRLF CRLF)},
    {SIP_EV_REQUEST_LINE_SPACES, REQ("OPTIONS sip:b@e SIP/2.0 ", "1 OPTIONS", "l: 0" CRLF CRLF)},
    {SIP_EV_BAD_MAX_FORWARDS, "OPTIONS sip:b@e SIP/2.0" CRLF "Via: SIP/2.0/UDP h;branch=z9hG4bK1" CRLF "Max-Forwards: 256" CRLF "To: <sip:b@e>" CRLF "From: <sip:a@e>;tag=1" CRLF "Call-ID: c" CRLF "CSeq: 1 OPTIONS" CRLF "l: 0" CRLF CRLF},
    {SIP_EV_BAD_EXPIRES, OPT("Expires: 4294967296" CRLF)},
    {SIP_EV_BAD_RETRY_AFTER, RSP("SIP/2.0 503 Busy", "Retry-After: 99999999999 (later)" CRLF)},
    {SIP_EV_STATUS_CODE_RANGE, RSP("SIP/2.0 799 Odd", "")},
    {SIP_EV_UNTERMINATED_QUOTE, OPT("Contact: \"open <sip:a@h>" CRLF)},
    {SIP_EV_JUNK_BEFORE_MESSAGE, "xx" CRLF OPT("")},
    {SIP_EV_SQL_INJECTION, OPT("User-Agent: x' OR '1'='1" CRLF)},
    {SIP_EV_SCRIPT_INJECTION, OPT("User-Agent: <script>alert(1)</script>" CRLF)},
    {SIP_EV_OSIP_PARSE_FAILED, OPT("Content-Type: a/b" CRLF "Content-Type: c/d" CRLF)},
    {SIP_EV_BAD_DISPLAY_NAME, "OPTIONS sip:b@e SIP/2.0" CRLF "Via: SIP/2.0/UDP h;branch=z9hG4bK1" CRLF "To: <sip:b@e>" CRLF "From: Bell, Alexander <sip:a@e>;tag=1" CRLF "Call-ID: c" CRLF "CSeq: 1 OPTIONS" CRLF "l: 0" CRLF CRLF},
    {SIP_EV_BAD_NAME_ADDR, OPT("Contact: Bell, Alexander <sip:a@h>" CRLF)},
    {SIP_EV_BAD_NAME_ADDR, OPT("Contact: \"W\" < sip:a@h >" CRLF)},
    {SIP_EV_UNBRACKETED_URI_HEADERS, OPT("Contact: sip:a@h?Route=%3Csip:x%3E" CRLF)},
    {SIP_EV_EMPTY_HEADER_PARAM, OPT("Contact: <sip:a@h>;;" CRLF)},
    {SIP_EV_BAD_DATE, OPT("Date: Fri, 01 Jan 2010 16:00:00 EST" CRLF)},
    {SIP_EV_HEADERS_UNTERMINATED, REQ("OPTIONS sip:b@e SIP/2.0", "1 OPTIONS", "l: 0" CRLF)},
};

TEST(events_each_positive)
{
    for (size_t i = 0; i < TG_ARRAY_LEN(event_cases); i++) {
        sip_event_set e = events(event_cases[i].msg);
        if (!has(e, event_cases[i].ev))
            fprintf(stderr, "  %s not raised\n", sip_event_info(event_cases[i].ev)->name);
        CHECK(has(e, event_cases[i].ev));
    }
}

TEST(events_nul_byte)
{
    static const char m[] = OPT("X-N: a\0b" CRLF);
    CHECK(has(events_cfg(m, sizeof m - 1, NULL, NULL), SIP_EV_NUL_BYTE));
    static const char q[] = OPT("To: \"a\\\0b\" <sip:b@e>" CRLF);
    CHECK(!has(events_cfg(q, sizeof q - 1, NULL, NULL), SIP_EV_NUL_BYTE));
}

TEST(events_negatives)
{
    /* each of these is legal and must stay quiet */
    static const char *const quiet[] = {
        OPT(""),
        OPT("Expires: Thu, 01 Dec 1994 16:00:00 GMT" CRLF),       /* RFC 2543 date form */
        RSP("SIP/2.0 503 Busy", "Retry-After: 18000;duration=3600" CRLF),
        OPT("User-Agent: Isn't it O'Reilly's phone (v1.0; or 2)" CRLF),
        OPT("Subject: union of selected items" CRLF),
        "INVITE sip:b@e SIP/2.0" CRLF "Via: SIP/2.0/UDP h" CRLF "To: <sip:b@e>" CRLF "From: <sip:a@e>" CRLF
        "Call-ID: c" CRLF "CSeq: 1 INVITE" CRLF "l: 0" CRLF CRLF, /* RFC 2543 INVITE without Contact */
        REQ("OPTIONS sip:user;par=u%40example.net@example.com SIP/2.0", "1 OPTIONS", "l: 0" CRLF CRLF),
        REQ("OPTIONS sip:b@e SIP/2.0", "1 OPTIONS", "Contact: *" CRLF "l: 0" CRLF CRLF),
        REQ("NEWMETHOD sip:b@e SIP/2.0", "1 NEWMETHOD", "l: 0" CRLF CRLF), /* unknown but a token */
        OPT("Contact: caller<sip:a@h>;expires=60, \"B\" <sip:b@h>;q=0.5" CRLF),
        OPT("Contact: sip:a@198.18.0.1;expires=60, <sip:b@h>, \"C, D\" <sip:c@h>" CRLF),
        RSP("SIP/2.0 200 OK", "WWW-Authenticate: Digest realm=\"r\", nonce=\"n\"" CRLF),
    };
    for (size_t i = 0; i < TG_ARRAY_LEN(quiet); i++) {
        sip_event_set e = events(quiet[i]);
        for (int k = 0; k < SIP_EV_MAX; k++)
            if (e & SIP_EV_BIT(k))
                fprintf(stderr, "  quiet case %zu raised %s\n", i, sip_event_info((enum sip_event_id)k)->name);
        CHECK_EQ_U(e, 0);
    }
    /* sip.methods restores Snort's method list semantics */
    const char *m = REQ("NEWMETHOD sip:b@e SIP/2.0", "1 NEWMETHOD", "l: 0" CRLF CRLF);
    sip_event_set e = events_cfg(m, strlen(m), "sip.methods=invite options", NULL);
    CHECK(has(e, SIP_EV_UNKNOWN_METHOD) && has(e, SIP_EV_INVALID_CSEQ_NAME));
}

/* Snort's length limits, each one byte over and at the limit. */
TEST(events_length_limits)
{
    static const struct {
        enum sip_event_id ev;
        const char *pre, *post; /* the line is pre + long part + post */
        size_t fixed;           /* bytes of the checked value outside the long part */
    } cases[] = {
        {SIP_EV_BAD_URI, "OPTIONS sip:", " SIP/2.0\r\n", 4},
        {SIP_EV_BAD_CALL_ID, "Call-ID: ", "\r\n", 0},
        {SIP_EV_BAD_FROM, "From: <sip:", ">\r\n", 6},
        {SIP_EV_BAD_TO, "To: <sip:", ">\r\n", 6},
        {SIP_EV_BAD_CONTACT, "Contact: <sip:", ">\r\n", 6},
        {SIP_EV_BAD_VIA, "Via: ", "\r\n", 0},
    };
    static const char *const rest[] = {
        "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\n", "Call-ID: c\r\n", "From: <sip:a@e>;tag=1\r\n",
        "To: <sip:b@e>\r\n", "CSeq: 1 OPTIONS\r\n"};
    for (size_t i = 0; i < TG_ARRAY_LEN(cases); i++) {
        uint32_t limit = cases[i].ev == SIP_EV_BAD_VIA ? 1024 : 256;
        for (int over = 0; over <= 1; over++) {
            char longpart[1100], msg[4096], line[1200];
            size_t n = limit - cases[i].fixed + (size_t)over;
            memset(longpart, 'a', n);
            longpart[n] = 0;
            snprintf(line, sizeof line, "%s%s%s", cases[i].pre, longpart, cases[i].post);
            size_t o = 0;
            if (cases[i].ev != SIP_EV_BAD_URI)
                o += (size_t)snprintf(msg + o, sizeof msg - o, "OPTIONS sip:b@e SIP/2.0\r\n");
            o += (size_t)snprintf(msg + o, sizeof msg - o, "%s", line);
            for (size_t k = 0; k < TG_ARRAY_LEN(rest); k++)
                if (strncmp(rest[k], line, 4) != 0)
                    o += (size_t)snprintf(msg + o, sizeof msg - o, "%s", rest[k]);
            o += (size_t)snprintf(msg + o, sizeof msg - o, "l: 0\r\n\r\n");
            sip_event_set e = events_cfg(msg, o, NULL, NULL);
            if (has(e, cases[i].ev) != (over == 1))
                fprintf(stderr, "  %s over=%d wrong\n", sip_event_info(cases[i].ev)->name, over);
            CHECK(has(e, cases[i].ev) == (over == 1));
            if (over) /* a limit of 0 disables the check */
                CHECK(!has(events_cfg(msg, o, cases[i].ev == SIP_EV_BAD_URI ? "sip.max_uri_len=0" : cases[i].ev == SIP_EV_BAD_VIA ? "sip.max_via_len=0" : cases[i].ev == SIP_EV_BAD_CALL_ID ? "sip.max_call_id_len=0" : cases[i].ev == SIP_EV_BAD_FROM ? "sip.max_from_len=0" : cases[i].ev == SIP_EV_BAD_TO ? "sip.max_to_len=0" : "sip.max_contact_len=0", NULL), cases[i].ev));
        }
    }
}

TEST(events_datagram_framing)
{
    const char *one = OPT("");
    char two[4096];
    snprintf(two, sizeof two, "%s%s", one, one);
    int n = 0;
    sip_event_set e = events_cfg(two, strlen(two), NULL, &n);
    CHECK_EQ_U(n, 2);
    CHECK(has(e, SIP_EV_MULTI_MSGS));
    CHECK(!has(e, SIP_EV_MISMATCH_CONTENT_LEN));
    snprintf(two, sizeof two, "%sjunk after", one);
    e = events_cfg(two, strlen(two), NULL, &n);
    CHECK_EQ_U(n, 1);
    CHECK(has(e, SIP_EV_MISMATCH_CONTENT_LEN) && !has(e, SIP_EV_MULTI_MSGS));
    snprintf(two, sizeof two, "%s\r\n\r\n", one); /* trailing CRLFs are not junk */
    CHECK_EQ_U(events_cfg(two, strlen(two), NULL, &n), 0);
    CHECK_EQ_U(events_cfg("\r\n\r\n", 4, NULL, &n), 0);
    CHECK_EQ_U(n, 0);
}

/* ---- dialogs ---- */

static sip_event_set dlg(struct sip_dialog_table *t, const char *s, bool *cap)
{
    struct sip_msg m;
    sip_msg_init(&m, test_hdrs, 256);
    if (sip_parse_message((const uint8_t *)s, strlen(s), SIP_DATAGRAM, &m) <= 0)
        return ~(sip_event_set)0;
    return sip_dialog_update(t, &m, cap);
}

#define INV(cid, extra, sdp) "INVITE sip:b@e SIP/2.0" CRLF "Via: SIP/2.0/UDP h;branch=z9hG4bK1" CRLF \
    "Call-ID: " cid CRLF "CSeq: 1 INVITE" CRLF extra "Content-Type: application/sdp" CRLF CRLF sdp
#define RESP(code, cid, meth) "SIP/2.0 " code " X" CRLF "Call-ID: " cid CRLF "CSeq: 1 " meth CRLF "l: 0" CRLF CRLF
#define AUTHZ "Authorization: Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"sip:b@e\", response=\"0\"" CRLF

TEST(dialog_replay)
{
    bool cap;
    struct sip_dialog_table *t = sip_dialog_table_new(4);
    /* credentials with no challenge on this flow */
    CHECK(has(dlg(t, INV("r1", AUTHZ, SDP_A), &cap), SIP_EV_AUTH_INVITE_REPLAY_ATTACK));
    /* the normal challenge: INVITE, 407, INVITE with credentials */
    CHECK_EQ_U(dlg(t, INV("r2", "", SDP_A), &cap), 0);
    CHECK_EQ_U(dlg(t, RESP("407", "r2", "INVITE"), &cap), 0);
    CHECK_EQ_U(dlg(t, INV("r2", "Proxy-" AUTHZ, SDP_A), &cap), 0);
    CHECK_EQ_U(dlg(t, INV("r2", "Proxy-" AUTHZ, SDP_A), &cap), 0); /* retransmitted */
    CHECK_EQ_U(dlg(t, RESP("200", "r2", "INVITE"), &cap), 0);
    CHECK_EQ_U(dlg(t, INV("r2", "Proxy-" AUTHZ, SDP_B), &cap), 0); /* re-INVITE, cached credentials */
    /* a dialog challenged on another Call-ID does not vouch for this one */
    CHECK(has(dlg(t, INV("r3", AUTHZ, SDP_A), &cap), SIP_EV_AUTH_INVITE_REPLAY_ATTACK));
    sip_dialog_table_free(t);
}

TEST(dialog_fakebusy)
{
    bool cap;
    struct sip_dialog_table *t = sip_dialog_table_new(4);
    CHECK_EQ_U(dlg(t, INV("f1", "", SDP_A), &cap), 0);
    CHECK_EQ_U(dlg(t, RESP("180", "f1", "INVITE"), &cap), 0);
    CHECK_EQ_U(dlg(t, INV("f1", "", SDP_A), &cap), 0); /* a retransmission */
    /* another session description before the dialog is established */
    CHECK(has(dlg(t, INV("f1", "", SDP_B), &cap), SIP_EV_AUTH_INVITE_DIFF_SESSION));
    /* after 200 a re-INVITE may change the media */
    CHECK_EQ_U(dlg(t, INV("f2", "", SDP_A), &cap), 0);
    CHECK_EQ_U(dlg(t, RESP("200", "f2", "INVITE"), &cap), 0);
    CHECK_EQ_U(dlg(t, INV("f2", "", SDP_B), &cap), 0);
    CHECK_EQ_U(dlg(t, INV("f2", "", SDP_B), &cap), 0);
    sip_dialog_table_free(t);
}

TEST(dialog_table_grows)
{
    bool cap = false;
    char inv[1024];
    struct sip_dialog_table *t = sip_dialog_table_new(100);
    for (int i = 0; i < 100; i++) {
        snprintf(inv, sizeof inv, INV("g%d", "", SDP_A), i);
        CHECK_EQ_U(dlg(t, inv, &cap), 0);
    }
    CHECK_EQ_U(sip_dialog_count(t), 100);
    CHECK(has(dlg(t, INV("g100", "", SDP_A), &cap), SIP_EV_MAX_DIALOGS));
    CHECK(cap);
    CHECK_EQ_U(sip_dialog_count(t), 100);
    sip_dialog_table_free(t);
}

TEST(dialog_cap)
{
    bool cap = false;
    struct sip_dialog_table *t = sip_dialog_table_new(2);
    CHECK_EQ_U(dlg(t, INV("d1", "", SDP_A), &cap), 0);
    CHECK_EQ_U(dlg(t, INV("d2", "", SDP_A), &cap), 0);
    CHECK(!cap);
    CHECK(has(dlg(t, INV("d3", "", SDP_A), &cap), SIP_EV_MAX_DIALOGS));
    CHECK(cap);
    CHECK_EQ_U(sip_dialog_count(t), 2);
    /* REGISTER and OPTIONS open no dialog */
    CHECK_EQ_U(dlg(t, REQ("REGISTER sip:e SIP/2.0", "1 REGISTER", "l: 0" CRLF CRLF), &cap), 0);
    CHECK(!cap);
    /* BYE answered ends a dialog, CANCEL an early one, a failed INVITE too */
    CHECK_EQ_U(dlg(t, RESP("200", "d3", "INVITE"), &cap), 0);
    CHECK_EQ_U(dlg(t, RESP("200", "d3", "BYE"), &cap), 0);
    CHECK_EQ_U(sip_dialog_count(t), 1);
    CHECK_EQ_U(dlg(t, RESP("486", "d2", "INVITE"), &cap), 0);
    CHECK_EQ_U(sip_dialog_count(t), 0);
    sip_dialog_table_free(t);
}

/* ---- app layer: probe and TCP framing under the stream contract ---- */

TEST(app_probe)
{
    static const char *const yes[] = {"INVITE sip:a@b SIP/2.0\r\n", "SIP/2.0 200 OK\r\n", "\r\nOPTIONS sip:x SIP/2.0\r\n"};
    static const char *const no[] = {"M-SEARCH * HTTP/1.1\r\n", "HTTP/1.1 200 OK\r\n", "NOTIFY * HTTP/1.1\r\n",
                                     "\x16\x03\x01\x02\x00", "GET / HTTP/1.0\r\n"};
    for (size_t i = 0; i < TG_ARRAY_LEN(yes); i++)
        CHECK_EQ_U(sip_app_probe((const uint8_t *)yes[i], strlen(yes[i]), 0), APP_PROBE_YES);
    for (size_t i = 0; i < TG_ARRAY_LEN(no); i++)
        CHECK_EQ_U(sip_app_probe((const uint8_t *)no[i], strlen(no[i]), 0), APP_PROBE_NO);
    CHECK_EQ_U(sip_app_probe((const uint8_t *)"INVITE sip:a", 12, 0), APP_PROBE_MORE);
    const char *junk = "\x01\x02 noise\r\nINVITE sip:a@b SIP/2.0\r\n";
    CHECK_EQ_U(sip_app_probe((const uint8_t *)junk, strlen(junk), 0), APP_PROBE_YES);
}

TEST(app_tcp_framing)
{
    char err[128];
    struct config *cfg = config_new();
    struct engine *e = engine_new(cfg, NULL, err, sizeof err);
    CHECK(e != NULL);
    if (!e) {
        config_free(cfg);
        return;
    }
    struct app_layer *al = engine_app_layer(e);
    struct flow f;
    memset(&f, 0, sizeof f);
    f.proto = IPPROTO_NUM_TCP;
    f.port[1] = 5070;
    const char *msg = BASE_HEAD "Content-Type: application/sdp" CRLF "Content-Length: 112" CRLF CRLF SDP_A;
    char stream[4096];
    /* two messages and a third one's beginning, fed in 7-byte pieces the way
     * the stream module does: unconsumed bytes come back with the next data */
    int total = snprintf(stream, sizeof stream, "%s%s%.40s", msg, msg, msg);
    char buf[4096];
    size_t have = 0;
    for (int off = 0; off < total; off += 7) {
        size_t n = (size_t)TG_MIN(7, total - off);
        memcpy(buf + have, stream + off, n);
        have += n;
        size_t used = app_layer_handle(al, &f, NULL, 0, (const uint8_t *)buf, have, 0);
        CHECK(used <= have);
        memmove(buf, buf + used, have - used);
        have -= used;
    }
    struct stats *st = engine_stats(e);
    CHECK_EQ_U(st->c[STAT_SIP_MESSAGES], 2);
    CHECK_EQ_U(st->c[STAT_SIP_REQUESTS], 2);
    CHECK_EQ_U(st->c[STAT_SIP_EVENTS], 0);
    CHECK_EQ_U(have, 40); /* the partial third message is still waiting */
    /* several messages in one segment */
    snprintf(stream, sizeof stream, "%s%s", msg, msg);
    size_t used = app_layer_handle(al, &f, NULL, 0, (const uint8_t *)stream, strlen(stream), 0);
    CHECK_EQ_U(used, strlen(stream));
    CHECK_EQ_U(st->c[STAT_SIP_MESSAGES], 4);
    /* junk before a message is an anomaly, but not right after a gap */
    snprintf(stream, sizeof stream, "tail of a lost message\r\n%s", msg);
    app_layer_handle(al, &f, NULL, 0, (const uint8_t *)stream, strlen(stream), APP_GAP);
    CHECK_EQ_U(st->c[STAT_SIP_MESSAGES], 5);
    CHECK_EQ_U(st->c[STAT_SIP_EVENTS], 0);
    CHECK_EQ_U(st->c[STAT_SIP_PARSE_ERRORS], 0);
    app_layer_handle(al, &f, NULL, 0, (const uint8_t *)stream, strlen(stream), 0);
    CHECK_EQ_U(st->c[STAT_SIP_MESSAGES], 6);
    CHECK_EQ_U(st->c[STAT_SIP_EVENTS], 1);
    app_layer_flow_end(al, &f);
    engine_free(e);
    config_free(cfg);
}

/* An SDP body reaches the EVE sip record (Suricata 8's sip.sdp) and the
 * sdp.* rule buffers; a multipart body's SDP part too; frames are buffers. */
TEST(app_sdp_eve_and_rules)
{
    char err[256], dir[] = "/tmp/tg-test-sip-sdp-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char rules[512], setdir[600];
    snprintf(rules, sizeof rules, "%s/sdp.rules", dir);
    FILE *rf = fopen(rules, "w");
    CHECK(rf != NULL);
    if (!rf)
        return;
    fputs("alert sip any any -> any any (sdp.origin; content:\"alice 2890844526\"; sid:1;)\n"
          "alert sip any any -> any any (sdp.media.media; content:\"audio 49170\"; startswith; sid:2;)\n"
          "alert sip any any -> any any (frame:request.line; content:\"SIP/2.0|0d 0a|\"; endswith; sid:3;)\n"
          "alert sip any any -> any any (frame:request.headers; content:\"Via:\"; startswith; "
          "content:\"Content-Length: \"; content:\"|0d 0a|\"; distance:0; endswith; "
          "content:!\"|0d 0a 0d 0a|\"; sid:4;)\n",
          rf);
    fclose(rf);
    (void)setdir;
    struct config *cfg = config_new();
    struct output *out = output_open(dir, cfg, NULL, err, sizeof err);
    CHECK(out != NULL);
    struct engine *e = out ? engine_new(cfg, out, err, sizeof err) : NULL;
    CHECK(e != NULL);
    const char *files[] = {rules};
    CHECK(e && engine_load_rules(e, cfg, files, 1, false, err, sizeof err) == TG_OK);
    if (!e) {
        fprintf(stderr, "  engine: %s\n", err);
        if (out)
            output_close(out);
        config_free(cfg);
        return;
    }
    struct app_layer *al = engine_app_layer(e);
    struct flow f;
    memset(&f, 0, sizeof f);
    f.proto = IPPROTO_NUM_UDP;
    f.port[1] = 5060;
    const char *plain = BASE_HEAD "Content-Type: application/sdp" CRLF "Content-Length: 112" CRLF CRLF SDP_A;
    app_layer_handle(al, &f, NULL, 0, (const uint8_t *)plain, strlen(plain), APP_DATAGRAM);
    char mp[2048];
    int n = snprintf(mp, sizeof mp, "--b7\r\nContent-Type: application/sdp\r\n\r\n%s\r\n--b7--\r\n", SDP_A);
    char msg[4096];
    snprintf(msg, sizeof msg, BASE_HEAD "Content-Type: multipart/mixed;boundary=b7" CRLF "Content-Length: %d" CRLF CRLF "%s",
             n, mp);
    app_layer_handle(al, &f, NULL, 0, (const uint8_t *)msg, strlen(msg), APP_DATAGRAM);
    struct stats *st = engine_stats(e);
    CHECK_EQ_U(st->c[STAT_SIP_MESSAGES], 2);
    CHECK_EQ_U(st->c[STAT_SDP_PARSED], 2);
    app_layer_flow_end(al, &f);
    engine_free(e);
    output_close(out);
    config_free(cfg);
    char path[700], line[8192];
    snprintf(path, sizeof path, "%s/eve.json", dir);
    FILE *ev = fopen(path, "r");
    CHECK(ev != NULL);
    int sdp_records = 0, alerts[5] = {0};
    while (ev && fgets(line, sizeof line, ev)) {
        if (strstr(line, "\"event_type\":\"sip\"") &&
            strstr(line, "\"sdp\":{\"origin\":\"alice 2890844526 2890844526 IN IP4 198.18.0.1\"") &&
            strstr(line, "\"media_descriptions\":[{\"media\":\"audio 49170 RTP/AVP 0\""))
            sdp_records++;
        const char *sid = strstr(line, "\"signature_id\":");
        if (sid) {
            int k = atoi(sid + 15);
            if (k >= 1 && k <= 4)
                alerts[k]++;
        }
    }
    if (ev)
        fclose(ev);
    CHECK_EQ_U(sdp_records, 2);
    for (int k = 1; k <= 4; k++)
        CHECK_EQ_U(alerts[k], 2);
    const char *names[] = {"eve.json", "fast.log", "tollgate.db", "sdp.rules"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

TEST(event_table)
{
    size_t n;
    const struct sip_event_info *t = sip_events_table(&n);
    CHECK_EQ_U(n, SIP_EV_MAX);
    CHECK_EQ_U(t[SIP_EV_EMPTY_REQUEST_URI].sid, 2);
    CHECK_EQ_U(t[SIP_EV_MAX_DIALOGS].sid, 27);
    CHECK_EQ_U(t[SIP_EV_MAX_DIALOGS].gid, 140);
    CHECK_STR(t[SIP_EV_UNKNOWN_METHOD].name, "sip.unknown_method");
    for (size_t i = 0; i < n; i++) {
        CHECK(t[i].name && strncmp(t[i].name, "sip.", 4) == 0);
        CHECK_EQ_U(t[i].sid, i < SIP_EV_OWN_FIRST ? i + 1 : i - SIP_EV_OWN_FIRST + 1);
        CHECK_EQ_U(t[i].gid, i < SIP_EV_OWN_FIRST ? 140 : 141);
    }
}

/* The SDP of a body: plain application/sdp, the application/sdp part of a
 * multipart body (quoted boundary, compact c: header), none otherwise. */
static bool sdp_of(const char *msg, char *out, size_t cap)
{
    struct sip_header hdrs[32];
    struct sip_msg m;
    sip_msg_init(&m, hdrs, 32);
    if (sip_parse_message((const uint8_t *)msg, strlen(msg), SIP_DATAGRAM, &m) <= 0)
        return false;
    struct sip_range r;
    if (!sip_sdp_body(&m, &m.body, &r))
        return false;
    snprintf(out, cap, "%.*s", (int)r.len, (const char *)r.p);
    return true;
}

TEST(sdp_body_and_multipart)
{
    char got[256];
    CHECK(sdp_of("INVITE sip:b@x SIP/2.0\r\nContent-Type: Application/SDP ; x=1\r\n\r\nv=0\r\n", got, sizeof got));
    CHECK_STR(got, "v=0\r\n");
    const char *mp = "INVITE sip:b@x SIP/2.0\r\n"
                     "Content-Type: multipart/mixed;boundary=\"unique-boundary-1\"\r\n\r\n"
                     "preamble\r\n--unique-boundary-1\r\nContent-Type: text/plain\r\n\r\nv=9 not sdp\r\n"
                     "--unique-boundary-1\r\nc: application/sdp\r\nContent-Disposition: session\r\n\r\n"
                     "v=0\r\ns=-\r\n\r\n--unique-boundary-1--\r\n";
    CHECK(sdp_of(mp, got, sizeof got));
    CHECK_STR(got, "v=0\r\ns=-\r\n");
    /* the last part may lack the closing delimiter */
    CHECK(sdp_of("MESSAGE sip:b@x SIP/2.0\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n"
                 "--b1\r\nContent-Type: application/sdp\r\n\r\nv=0", got, sizeof got));
    CHECK_STR(got, "v=0");
    CHECK(!sdp_of("INVITE sip:b@x SIP/2.0\r\nContent-Type: application/sdpx\r\n\r\nv=0\r\n", got, sizeof got));
    CHECK(!sdp_of("INVITE sip:b@x SIP/2.0\r\nContent-Type: multipart/mixed\r\n\r\n--x\r\n\r\nv=0", got, sizeof got));
    CHECK(!sdp_of("INVITE sip:b@x SIP/2.0\r\nContent-Type: multipart/mixed;boundary=zz\r\n\r\n--zz", got,
                  sizeof got));
    CHECK(!sdp_of("INVITE sip:b@x SIP/2.0\r\nContent-Type: multipart/mixed;boundary=zz\r\n\r\n"
                  "--zz\r\nContent-Type: text/plain\r\n\r\nv=0\r\n--zz--\r\n", got, sizeof got));
    CHECK(!sdp_of("INVITE sip:b@x SIP/2.0\r\n\r\nv=0\r\n", got, sizeof got));
}

/* Header value checks are remembered per thread by header class and
 * value bytes: the same bytes under another class get that class's checks,
 * a repeated value gets the same events, a long value is checked in full. */
TEST(events_value_cache)
{
    sip_event_set e = events(OPT("User-Agent: <sip:x@y>;;a" CRLF));
    CHECK(!has(e, SIP_EV_EMPTY_HEADER_PARAM));
    e = events(OPT("Route: <sip:x@y>;;a" CRLF));
    CHECK(has(e, SIP_EV_EMPTY_HEADER_PARAM));
    e = events(OPT("User-Agent: <sip:x@y>;;a" CRLF));
    CHECK(!has(e, SIP_EV_EMPTY_HEADER_PARAM));
    for (int i = 0; i < 2; i++) {
        e = events(OPT("User-Agent: x' or 1=1 --" CRLF));
        CHECK(has(e, SIP_EV_SQL_INJECTION));
        e = events(OPT("User-Agent: bench-phone/1.0 (x' ver)" CRLF));
        CHECK(!has(e, SIP_EV_SQL_INJECTION));
    }
    char msg[1024], route[300];
    memset(route, 'r', sizeof route);
    memcpy(route, "<sip:", 5);
    memcpy(route + 250, ">;;a", 5);
    snprintf(msg, sizeof msg, "%s", OPT("Route: "));
    /* OPT ends with the empty line: put the Route before Content-Length */
    char *cl = strstr(msg, "Content-Length");
    CHECK(cl != NULL);
    if (cl) {
        char tail[64];
        snprintf(tail, sizeof tail, "%s", cl);
        snprintf(cl - 7, sizeof msg - (size_t)(cl - 7 - msg), "Route: %s" CRLF "%s", route, tail);
        e = events(msg);
        CHECK(has(e, SIP_EV_EMPTY_HEADER_PARAM));
    }
}

/* libosip2's allocations come from a per-thread arena; a value whose parse
 * needs more than the arena falls back to malloc and still parses, and
 * the next parse is served by the arena again. */
TEST(osip_arena_overflow)
{
    size_t n = 300000;
    char *v = malloc(n + 64);
    CHECK(v != NULL);
    if (!v)
        return;
    v[0] = '"';
    memset(v + 1, 'a', n);
    int k = snprintf(v + 1 + n, 64, "\" <sip:bob@example.com>;tag=t1");
    struct sip_header h;
    memset(&h, 0, sizeof h);
    h.id = SIP_HDR_FROM;
    h.value.p = (const uint8_t *)v;
    h.value.len = (uint32_t)(1 + n + (size_t)k);
    struct sip_name_addr na;
    for (int i = 0; i < 2; i++) {
        CHECK_EQ_U(sip_parse_name_addr(&h, &na), TG_OK);
        CHECK_EQ_U(strlen(na.display), sizeof na.display - 1);
        CHECK_STR(na.user, "bob");
        CHECK_STR(na.tag, "t1");
        const char *small = "<sip:carol@example.net:5062>;tag=x9";
        struct sip_header s2 = h;
        s2.value.p = (const uint8_t *)small;
        s2.value.len = (uint32_t)strlen(small);
        CHECK_EQ_U(sip_parse_name_addr(&s2, &na), TG_OK);
        CHECK_STR(na.user, "carol");
        CHECK_EQ_U(na.port, 5062);
        CHECK_STR(na.tag, "x9");
    }
    struct sip_msg m;
    CHECK(parse(BASE_HEAD "Content-Length: 0" CRLF CRLF, SIP_DATAGRAM, &m) > 0);
    CHECK_EQ_U(sip_osip_parse_message(m.buf, m.len), TG_OK);
    free(v);
}

TEST_MAIN(T(events_value_cache), T(osip_arena_overflow), T(sdp_body_and_multipart), T(tokenizer_request), T(tokenizer_response), T(tokenizer_folding), T(tokenizer_compact_forms),
          T(tokenizer_body_and_framing), T(tokenizer_junk_and_decline), T(tokenizer_nul_bytes),
          T(tokenizer_header_cap), T(osip_fields), T(events_base_is_clean), T(events_each_positive),
          T(events_nul_byte), T(events_negatives), T(events_length_limits), T(events_datagram_framing), T(dialog_replay),
          T(dialog_fakebusy), T(dialog_cap), T(dialog_table_grows), T(app_probe), T(app_tcp_framing), T(app_sdp_eve_and_rules), T(event_table))
