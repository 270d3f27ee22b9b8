/* test-sip-call.c - unit tests of the SIP call tracker state machine and media expectations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "flow.h"
#include "sip-call.h"
#include "sip-media.h"
#include "json.h"
#include "stats.h"
#include "test.h"

#define MS 1000000ull
#define T0 (1700000000ull * TG_NS_PER_SEC)

/* What the sink saw. */
static struct sip_call rec[8];
static int nrec;

static void sink(void *arg, const struct sip_call *c)
{
    (void)arg;
    if (nrec < 8)
        rec[nrec] = *c;
    nrec++;
}

static struct ip_addr A, B;
static struct sip_header hdrs[64];
static char buf[4096];

static struct ip_addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    struct ip_addr x;
    memset(&x, 0, sizeof x);
    x.family = 4;
    x.b[0] = a, x.b[1] = b, x.b[2] = c, x.b[3] = d;
    return x;
}

static struct sip_call_table *table(const char *setting)
{
    sip_osip_init();
    A = v4(198, 18, 0, 1);
    B = v4(198, 18, 0, 2);
    nrec = 0;
    memset(rec, 0, sizeof rec);
    struct config *cfg = config_new();
    if (setting)
        config_set(cfg, setting);
    struct sip_call_table *t = sip_call_table_new(cfg, NULL, NULL, NULL);
    config_free(cfg);
    sip_call_set_sink(t, sink, NULL);
    return t;
}

/* SDP offering audio at ip:port. */
static const char *sdp(const char *ip, unsigned port)
{
    static char b[2][256];
    static int k;
    k ^= 1;
    snprintf(b[k], sizeof b[k],
             "v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio %u RTP/AVP 8 0\r\n"
             "a=rtpmap:8 PCMA/8000\r\n", ip, ip, port);
    return b[k];
}

/* Feed one message: start line, dialog headers, optional body. from_a:
 * sent by host A (the caller's host). */
static void feed(struct sip_call_table *t, uint64_t ms, bool from_a, const char *start, const char *cid,
                 const char *ftag, const char *ttag, unsigned cseq, const char *cmeth, const char *extra,
                 const char *body)
{
    size_t bl = body ? strlen(body) : 0;
    snprintf(buf, sizeof buf,
             "%s\r\nVia: SIP/2.0/UDP 198.18.0.1;branch=z9hG4bK%u%s\r\nFrom: \"Alice\" <sip:alice@a.test>;tag=%s\r\n"
             "To: <sip:bob@b.test>%s%s\r\nCall-ID: %s\r\nCSeq: %u %s\r\n%s%sContent-Length: %zu\r\n\r\n%s",
             start, cseq, cmeth, ftag, ttag ? ";tag=" : "", ttag ? ttag : "", cid, cseq, cmeth, extra ? extra : "",
             body ? "Content-Type: application/sdp\r\n" : "", bl, body ? body : "");
    struct sip_msg m;
    sip_msg_init(&m, hdrs, 64);
    int64_t r = sip_parse_message((const uint8_t *)buf, strlen(buf), SIP_DATAGRAM, &m);
    CHECK(r > 0);
    if (r <= 0)
        return;
    if (from_a)
        sip_call_message_ep(t, &m, &A, 5060, &B, 5060, "udp", T0 + ms * MS);
    else
        sip_call_message_ep(t, &m, &B, 5060, &A, 5060, "udp", T0 + ms * MS);
}

/* Dialog helpers: the caller's tag is "a"; callee's From/To are swapped on its requests. */
#define INVITE(t, ms, cid, ttag, cseq, body) \
    feed(t, ms, true, "INVITE sip:bob@b.test SIP/2.0", cid, "a", ttag, cseq, "INVITE", NULL, body)
#define RESP(t, ms, code, cid, ttag, cseq, meth, body) \
    feed(t, ms, false, "SIP/2.0 " code, cid, "a", ttag, cseq, meth, NULL, body)
#define ACK(t, ms, cid, ttag, cseq) feed(t, ms, true, "ACK sip:bob@b.test SIP/2.0", cid, "a", ttag, cseq, "ACK", NULL, NULL)

TEST(answered_callee_hangs_up)
{
    struct sip_call_table *t = table(NULL);
    INVITE(t, 0, "c1", NULL, 1, sdp("198.18.0.1", 4000));
    RESP(t, 1, "100 Trying", "c1", NULL, 1, "INVITE", NULL);
    RESP(t, 50, "180 Ringing", "c1", "b", 1, "INVITE", NULL);
    RESP(t, 300, "200 OK", "c1", "b", 1, "INVITE", sdp("198.18.0.2", 5000));
    RESP(t, 301, "200 OK", "c1", "b", 1, "INVITE", sdp("198.18.0.2", 5000)); /* retransmission */
    ACK(t, 302, "c1", "b", 1);
    CHECK_EQ_U(nrec, 0);
    CHECK_EQ_U(sip_call_active(t), 1);
    CHECK(sip_call_memuse(t) > sizeof(struct sip_call));
    /* the callee's BYE: its tag in From, the caller's in To */
    feed(t, 2302, false, "BYE sip:alice@a.test SIP/2.0", "c1", "b", "a", 1, "BYE", NULL, NULL);
    CHECK_EQ_U(nrec, 1);
    CHECK_STR(rec[0].call_id, "c1");
    CHECK_EQ_U(rec[0].outcome, SIP_OUTCOME_ANSWERED);
    CHECK_EQ_U(rec[0].hangup, SIP_SIDE_CALLEE);
    CHECK_EQ_U(rec[0].status, 200);
    CHECK_EQ_U((rec[0].answer_ns - rec[0].invite_ns) / MS, 300);
    CHECK_EQ_U((rec[0].end_ns - rec[0].answer_ns) / MS, 2002);
    CHECK_EQ_U((rec[0].ring_ns - rec[0].invite_ns) / MS, 50);
    CHECK_STR(rec[0].caller_user, "alice");
    CHECK_STR(rec[0].callee_user, "bob");
    CHECK_STR(rec[0].caller_display, "Alice");
    CHECK_STR(rec[0].to_tag, "b");
    CHECK_EQ_U(rec[0].n_sdp[0], 1);
    CHECK_EQ_U(rec[0].sdp[1][0].port, 5000);
    CHECK_STR(rec[0].sdp[1][0].codecs[0].name, "PCMA");
    CHECK_EQ_U(sip_call_active(t), 0);
    CHECK_EQ_U(sip_call_expectations(t), 0);
    CHECK_EQ_U(sip_call_memuse(t), 0);
    /* the 200 to the BYE finds no call and makes none */
    feed(t, 2303, true, "SIP/2.0 200 OK", "c1", "b", "a", 1, "BYE", NULL, NULL);
    CHECK_EQ_U(sip_call_active(t), 0);
    sip_call_table_free(t);
    CHECK_EQ_U(nrec, 1);
}

TEST(busy_and_rejected)
{
    struct sip_call_table *t = table(NULL);
    INVITE(t, 0, "busy", NULL, 1, NULL);
    RESP(t, 200, "486 Busy Here", "busy", "x", 1, "INVITE", NULL);
    CHECK_EQ_U(nrec, 1);
    CHECK_EQ_U(rec[0].outcome, SIP_OUTCOME_BUSY);
    CHECK_EQ_U(rec[0].status, 486);
    CHECK_STR(rec[0].reason, "Busy Here");
    CHECK_EQ_U((rec[0].final_ns - rec[0].invite_ns) / MS, 200);
    ACK(t, 201, "busy", "x", 1);
    INVITE(t, 300, "nf", NULL, 1, NULL);
    RESP(t, 301, "404 Not Found", "nf", "y", 1, "INVITE", NULL);
    INVITE(t, 400, "err", NULL, 1, NULL);
    RESP(t, 401, "503 Service Unavailable", "err", "z", 1, "INVITE", NULL);
    CHECK_EQ_U(nrec, 3);
    CHECK_EQ_U(rec[1].outcome, SIP_OUTCOME_REJECTED);
    CHECK_EQ_U(rec[2].outcome, SIP_OUTCOME_FAILED);
    CHECK_EQ_U(sip_call_active(t), 0);
    CHECK_EQ_U(sip_call_outcome_of(600), SIP_OUTCOME_BUSY);
    CHECK_EQ_U(sip_call_outcome_of(603), SIP_OUTCOME_REJECTED);
    CHECK_EQ_U(sip_call_outcome_of(408), SIP_OUTCOME_FAILED);
    sip_call_table_free(t);
}

TEST(cancelled)
{
    struct sip_call_table *t = table(NULL);
    INVITE(t, 0, "cx", NULL, 1, NULL);
    RESP(t, 10, "180 Ringing", "cx", "b", 1, "INVITE", NULL);
    feed(t, 800, true, "CANCEL sip:bob@b.test SIP/2.0", "cx", "a", NULL, 1, "CANCEL", NULL, NULL);
    RESP(t, 801, "200 OK", "cx", "b", 1, "CANCEL", NULL);
    CHECK_EQ_U(nrec, 0);
    RESP(t, 802, "487 Request Terminated", "cx", "b", 1, "INVITE", NULL);
    CHECK_EQ_U(nrec, 1);
    CHECK_EQ_U(rec[0].outcome, SIP_OUTCOME_CANCELLED);
    CHECK_EQ_U(rec[0].status, 487);
    CHECK_EQ_U(rec[0].answer_ns, 0);
    /* a CANCEL whose 487 is lost ends as cancelled at the setup timeout */
    INVITE(t, 1000, "cy", NULL, 1, NULL);
    feed(t, 1100, true, "CANCEL sip:bob@b.test SIP/2.0", "cy", "a", NULL, 1, "CANCEL", NULL, NULL);
    sip_call_expire(t, T0 + (1100 + 300001) * MS);
    CHECK_EQ_U(nrec, 2);
    CHECK_EQ_U(rec[1].outcome, SIP_OUTCOME_CANCELLED);
    CHECK_EQ_U(rec[1].end, SIP_END_TIMEOUT);
    sip_call_table_free(t);
}

TEST(forked_answered_branch_wins)
{
    struct sip_call_table *t = table(NULL);
    INVITE(t, 0, "fk", NULL, 1, NULL);
    RESP(t, 10, "180 Ringing", "fk", "x", 1, "INVITE", NULL);
    RESP(t, 11, "183 Session Progress", "fk", "y", 1, "INVITE", sdp("198.18.0.9", 6000));
    RESP(t, 20, "486 Busy Here", "fk", "x", 1, "INVITE", NULL);
    CHECK_EQ_U(nrec, 0); /* branch y may still answer */
    RESP(t, 30, "200 OK", "fk", "y", 1, "INVITE", NULL);
    ACK(t, 31, "fk", "y", 1);
    feed(t, 1031, true, "BYE sip:bob@b.test SIP/2.0", "fk", "a", "y", 2, "BYE", NULL, NULL);
    CHECK_EQ_U(nrec, 1);
    CHECK_EQ_U(rec[0].outcome, SIP_OUTCOME_ANSWERED);
    CHECK_EQ_U(rec[0].n_branches, 2);
    CHECK_STR(rec[0].to_tag, "y");
    CHECK_EQ_U(rec[0].hangup, SIP_SIDE_CALLER);
    /* every branch fails: the call ends at the last failure */
    INVITE(t, 2000, "fk2", NULL, 1, NULL);
    RESP(t, 2010, "180 Ringing", "fk2", "x", 1, "INVITE", NULL);
    RESP(t, 2011, "180 Ringing", "fk2", "y", 1, "INVITE", NULL);
    RESP(t, 2020, "486 Busy Here", "fk2", "x", 1, "INVITE", NULL);
    CHECK_EQ_U(nrec, 1);
    RESP(t, 2030, "603 Decline", "fk2", "y", 1, "INVITE", NULL);
    CHECK_EQ_U(nrec, 2);
    CHECK_EQ_U(rec[1].outcome, SIP_OUTCOME_REJECTED);
    CHECK_EQ_U(rec[1].status, 603);
    sip_call_table_free(t);
}

TEST(challenged_then_retry)
{
    struct sip_call_table *t = table(NULL);
    INVITE(t, 0, "au", NULL, 1, NULL);
    RESP(t, 5, "407 Proxy Authentication Required", "au", "p", 1, "INVITE", NULL);
    ACK(t, 6, "au", "p", 1);
    CHECK_EQ_U(nrec, 0);
    feed(t, 20, true, "INVITE sip:bob@b.test SIP/2.0", "au", "a", NULL, 2, "INVITE",
         "Proxy-Authorization: Digest username=\"alice\", realm=\"b.test\", nonce=\"n\", uri=\"sip:bob@b.test\", "
         "response=\"0123456789abcdef0123456789abcdef\"\r\n", NULL);
    RESP(t, 25, "180 Ringing", "au", "b", 2, "INVITE", NULL);
    RESP(t, 120, "200 OK", "au", "b", 2, "INVITE", NULL);
    ACK(t, 121, "au", "b", 2);
    feed(t, 5121, true, "BYE sip:bob@b.test SIP/2.0", "au", "a", "b", 3, "BYE", NULL, NULL);
    CHECK_EQ_U(nrec, 1);
    CHECK_EQ_U(rec[0].outcome, SIP_OUTCOME_ANSWERED);
    CHECK_EQ_U(rec[0].auth_challenges, 1);
    CHECK_EQ_U(rec[0].invite_cseq, 2);
    CHECK_EQ_U((rec[0].final_ns - rec[0].invite_ns) / MS, 120); /* setup counts from the first INVITE */
    /* a challenge never answered: rejected after sip.auth-timeout, ending at the challenge */
    INVITE(t, 10000, "au2", NULL, 1, NULL);
    RESP(t, 10005, "401 Unauthorized", "au2", "p", 1, "INVITE", NULL);
    sip_call_expire(t, T0 + 10005 * MS + 90 * TG_NS_PER_SEC - MS);
    CHECK_EQ_U(nrec, 1);
    sip_call_expire(t, T0 + 10005 * MS + 90 * TG_NS_PER_SEC + MS);
    CHECK_EQ_U(nrec, 2);
    CHECK_EQ_U(rec[1].outcome, SIP_OUTCOME_REJECTED);
    CHECK_EQ_U(rec[1].status, 401);
    CHECK_EQ_U(rec[1].end_ns, T0 + 10005 * MS);
    sip_call_table_free(t);
}

TEST(reinvite_keeps_one_call)
{
    struct sip_call_table *t = table(NULL);
    INVITE(t, 0, "re", NULL, 1, sdp("198.18.0.1", 4000));
    RESP(t, 100, "200 OK", "re", "b", 1, "INVITE", sdp("198.18.0.2", 5000));
    ACK(t, 101, "re", "b", 1);
    /* hold by the caller, then a re-INVITE by the callee moving its media */
    INVITE(t, 1000, "re", "b", 2, sdp("198.18.0.1", 4002));
    RESP(t, 1001, "200 OK", "re", "b", 2, "INVITE", sdp("198.18.0.2", 5000));
    ACK(t, 1002, "re", "b", 2);
    feed(t, 2000, false, "INVITE sip:alice@a.test SIP/2.0", "re", "b", "a", 1, "INVITE", NULL,
         sdp("198.18.0.7", 5008));
    feed(t, 2001, true, "SIP/2.0 200 OK", "re", "b", "a", 1, "INVITE", NULL, sdp("198.18.0.1", 4002));
    CHECK_EQ_U(nrec, 0);
    CHECK_EQ_U(sip_call_active(t), 1);
    feed(t, 3000, true, "BYE sip:bob@b.test SIP/2.0", "re", "a", "b", 3, "BYE", NULL, NULL);
    CHECK_EQ_U(nrec, 1);
    CHECK_EQ_U(rec[0].reinvites, 2);
    CHECK_EQ_U(rec[0].outcome, SIP_OUTCOME_ANSWERED);
    CHECK_EQ_U(rec[0].sdp[0][0].port, 4002);
    CHECK_EQ_U(rec[0].sdp[1][0].port, 5008);
    CHECK_EQ_U((rec[0].end_ns - rec[0].answer_ns) / MS, 2900);
    sip_call_table_free(t);
}

TEST(never_ending_calls_time_out)
{
    struct sip_call_table *t = table(NULL);
    INVITE(t, 0, "long", NULL, 1, NULL);
    RESP(t, 100, "200 OK", "long", "b", 1, "INVITE", NULL);
    INVITE(t, 200, "ring", NULL, 1, NULL);
    RESP(t, 210, "180 Ringing", "ring", "b", 1, "INVITE", NULL);
    sip_call_expire(t, T0 + 210 * MS + 300 * TG_NS_PER_SEC);
    CHECK_EQ_U(nrec, 0);
    sip_call_expire(t, T0 + 211 * MS + 300 * TG_NS_PER_SEC);
    CHECK_EQ_U(nrec, 1);
    CHECK_STR(rec[0].call_id, "ring");
    CHECK_EQ_U(rec[0].outcome, SIP_OUTCOME_FAILED);
    CHECK_EQ_U(rec[0].end, SIP_END_TIMEOUT);
    sip_call_expire(t, T0 + 101 * MS + 4 * 3600 * TG_NS_PER_SEC);
    CHECK_EQ_U(nrec, 2);
    CHECK_STR(rec[1].call_id, "long");
    CHECK_EQ_U(rec[1].outcome, SIP_OUTCOME_TIMEOUT);
    CHECK_EQ_U(rec[1].hangup, SIP_SIDE_NONE);
    CHECK_EQ_U(sip_call_active(t), 0);
    /* a shutdown ends what is left */
    INVITE(t, 20000000, "open", NULL, 1, NULL);
    RESP(t, 20000100, "200 OK", "open", "b", 1, "INVITE", NULL);
    sip_call_table_free(t);
    CHECK_EQ_U(nrec, 3);
    CHECK_EQ_U(rec[2].end, SIP_END_SHUTDOWN);
    CHECK_EQ_U(rec[2].outcome, SIP_OUTCOME_ANSWERED);
}

TEST(cap_evicts_oldest)
{
    struct sip_call_table *t = table("sip.max-calls=2");
    INVITE(t, 0, "one", NULL, 1, NULL);
    INVITE(t, 1, "two", NULL, 1, NULL);
    CHECK_EQ_U(nrec, 0);
    INVITE(t, 2, "three", NULL, 1, NULL);
    CHECK_EQ_U(nrec, 1);
    CHECK_STR(rec[0].call_id, "one");
    CHECK_EQ_U(rec[0].end, SIP_END_EVICTED);
    CHECK_EQ_U(sip_call_active(t), 2);
    /* activity on "two" makes "three" the oldest */
    RESP(t, 3, "180 Ringing", "two", "b", 1, "INVITE", NULL);
    INVITE(t, 4, "four", NULL, 1, NULL);
    CHECK_EQ_U(nrec, 2);
    CHECK_STR(rec[1].call_id, "three");
    sip_call_table_free(t);
    CHECK_EQ_U(nrec, 4);
}

static struct flow mkflow(uint64_t id, struct ip_addr c, uint16_t cp, struct ip_addr s, uint16_t sp)
{
    struct flow f;
    memset(&f, 0, sizeof f);
    f.id = id;
    f.proto = IPPROTO_NUM_UDP;
    f.addr[0] = c, f.port[0] = cp;
    f.addr[1] = s, f.port[1] = sp;
    f.pkts[0] = 1;
    return f;
}

TEST(expectation_matches_media_between_other_hosts)
{
    struct sip_call_table *t = table(NULL);
    /* signalling between A and B; media announced on two other hosts */
    INVITE(t, 0, "md", NULL, 1, sdp("198.18.0.50", 4000));
    CHECK_EQ_U(sip_call_expectations(t), 2); /* RTP and RTCP */
    RESP(t, 100, "200 OK", "md", "b", 1, "INVITE", sdp("198.18.0.60", 5000));
    CHECK_EQ_U(sip_call_expectations(t), 4);
    /* a media gateway at .61 sends to the caller's media host */
    struct flow f1 = mkflow(11, v4(198, 18, 0, 61), 7777, v4(198, 18, 0, 50), 4000);
    CHECK(sip_call_flow_new(t, &f1));
    /* the callee's media host sends first the other way */
    struct flow f2 = mkflow(12, v4(198, 18, 0, 60), 5000, v4(198, 18, 0, 99), 9);
    CHECK(sip_call_flow_new(t, &f2));
    struct flow f3 = mkflow(13, v4(198, 18, 0, 61), 7777, v4(198, 18, 0, 50), 4002);
    CHECK(!sip_call_flow_new(t, &f3));
    struct flow f4 = mkflow(14, v4(198, 18, 0, 50), 4001, v4(198, 18, 0, 60), 5001); /* RTCP */
    CHECK(sip_call_flow_new(t, &f4));
    CHECK_EQ_U(sip_call_expectations(t), 7); /* 4 expectations + 3 attachments */
    sip_call_flow_end(t, &f2);
    CHECK_EQ_U(sip_call_expectations(t), 6);
    sip_call_flow_end(t, &f3); /* never attached: nothing happens */
    feed(t, 900, true, "BYE sip:bob@b.test SIP/2.0", "md", "a", "b", 2, "BYE", NULL, NULL);
    CHECK_EQ_U(nrec, 1);
    CHECK_EQ_U(rec[0].rtp_flows, 3);
    CHECK_EQ_U(sip_call_expectations(t), 0);
    /* the call is gone: its ports no longer attach */
    struct flow f5 = mkflow(15, v4(198, 18, 0, 61), 7777, v4(198, 18, 0, 50), 4000);
    CHECK(!sip_call_flow_new(t, &f5));
    sip_call_flow_end(t, &f1); /* the flow outlived its call */
    sip_call_table_free(t);
}

TEST(media_table_cap_and_replacement)
{
    struct sip_media_table *m = sip_media_new(3);
    struct sip_media_entry *l1 = NULL, *l2 = NULL;
    int o1, o2;
    struct ip_addr a = v4(198, 18, 1, 1);
    CHECK_EQ_U(sip_media_expect(m, &a, 1000, &o1, 1, &l1), TG_OK);
    CHECK_EQ_U(sip_media_expect(m, &a, 1000, &o1, 2, &l1), TG_OK); /* same owner: updated */
    CHECK_EQ_U(sip_media_count(m), 1);
    CHECK_EQ_U(sip_media_expect(m, &a, 1000, &o2, 3, &l2), TG_OK); /* a newer offer takes the port */
    uint32_t tag = 0;
    CHECK(sip_media_lookup(m, &a, 1000, &tag) == &o2);
    CHECK_EQ_U(tag, 3);
    CHECK_EQ_U(sip_media_attach(m, 77, &o1, 9, &l1), TG_OK);
    CHECK_EQ_U(sip_media_expect(m, &a, 1002, &o1, 1, &l1), TG_DECLINED); /* cap 3 */
    CHECK(sip_media_attached(m, 77, &tag) == &o1);
    sip_media_forget(m, &l1);
    CHECK(sip_media_lookup(m, &a, 1000, NULL) == &o2);
    CHECK(sip_media_attached(m, 77, NULL) == NULL);
    CHECK_EQ_U(sip_media_count(m), 1);
    sip_media_forget(m, &l2);
    CHECK_EQ_U(sip_media_count(m), 0);
    sip_media_free(m);
}

TEST(srtp_from_sdp)
{
    struct sip_call_table *t = table(NULL);
    static const char offer[] = "v=0\r\no=- 1 1 IN IP4 198.18.0.1\r\ns=-\r\nc=IN IP4 198.18.0.1\r\nt=0 0\r\n"
                                "m=audio 4000 RTP/SAVP 0\r\n"
                                "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n";
    INVITE(t, 0, "s1", NULL, 1, offer);
    RESP(t, 100, "200 OK", "s1", "b", 1, "INVITE", offer);
    feed(t, 200, true, "BYE sip:bob@b.test SIP/2.0", "s1", "a", "b", 2, "BYE", NULL, NULL);
    CHECK_EQ_U(nrec, 1);
    CHECK_EQ_U(rec[0].sdp[1][0].security, SDP_SEC_SRTP_SDES);
    struct json j;
    json_init(&j);
    json_open_object(&j, NULL);
    sip_call_json(&rec[0], &j);
    json_close_object(&j);
    static const char want[] = "\"srtp\":true,\"media_security\":\"srtp-sdes\"";
    CHECK(j.buf && memmem(j.buf, j.len, want, sizeof want - 1) != NULL);
    json_free(&j);
    sip_call_table_free(t);
}

/* The tracker remembers parsed From/To values by their bytes (64 slots,
 * FNV-1a). Tags "fa" and "tb36" put this dialog's From and tagged To in
 * the same slot, so the To of one message must not evict the From it is
 * used with; and a remembered value must give what a fresh parse gives. */
TEST(name_addr_cache_same_slot)
{
    struct sip_call_table *t = table(NULL);
    feed(t, 0, true, "INVITE sip:bob@b.test SIP/2.0", "c9", "fa", NULL, 1, "INVITE", NULL, sdp("198.18.0.1", 4000));
    feed(t, 1, false, "SIP/2.0 180 Ringing", "c9", "fa", "tb36", 1, "INVITE", NULL, NULL);
    feed(t, 2, false, "SIP/2.0 200 OK", "c9", "fa", "tb36", 1, "INVITE", NULL, sdp("198.18.0.2", 5000));
    feed(t, 3, true, "ACK sip:bob@b.test SIP/2.0", "c9", "fa", "tb36", 1, "ACK", NULL, NULL);
    /* a second call repeats the same From: served from the cache */
    feed(t, 4, true, "INVITE sip:bob@b.test SIP/2.0", "c10", "fa", NULL, 1, "INVITE", NULL, NULL);
    CHECK_EQ_U(sip_call_active(t), 2);
    feed(t, 10, false, "BYE sip:alice@a.test SIP/2.0", "c9", "tb36", "fa", 2, "BYE", NULL, NULL);
    CHECK_EQ_U(nrec, 1);
    CHECK_STR(rec[0].call_id, "c9");
    CHECK_STR(rec[0].from_tag, "fa");
    CHECK_STR(rec[0].to_tag, "tb36");
    CHECK_STR(rec[0].caller_display, "Alice");
    CHECK_STR(rec[0].caller_user, "alice");
    CHECK_STR(rec[0].callee_user, "bob");
    CHECK_EQ_U(rec[0].hangup, SIP_SIDE_CALLEE);
    CHECK_EQ_U(rec[0].outcome, SIP_OUTCOME_ANSWERED);
    sip_call_flush(t);
    CHECK_EQ_U(nrec, 2);
    CHECK_STR(rec[1].call_id, "c10");
    CHECK_STR(rec[1].from_tag, "fa");
    CHECK_STR(rec[1].caller_uri, "sip:alice@a.test");
    sip_call_table_free(t);
}

TEST_MAIN(T(name_addr_cache_same_slot), T(srtp_from_sdp), T(answered_callee_hangs_up), T(busy_and_rejected), T(cancelled), T(forked_answered_branch_wins),
          T(challenged_then_retry), T(reinvite_keeps_one_call), T(never_ending_calls_time_out),
          T(cap_evicts_oldest), T(expectation_matches_media_between_other_hosts),
          T(media_table_cap_and_replacement))
