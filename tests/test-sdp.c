/* test-sdp.c - unit tests of the SDP parser: real-world bodies, derivations, caps, buffers, EVE. */
#include <arpa/inet.h>
#include "config.h"
#include "json.h"
#include "sdp.h"
#include "stats.h"
#include "test.h"

static struct sdp_session *parse(const char *body, struct stats *st, int *rc)
{
    struct sdp_limits lim;
    sdp_limits_init(&lim, NULL);
    struct sdp_session *s = sdp_session_new(&lim);
    CHECK(s != NULL);
    *rc = sdp_parse(s, (const uint8_t *)body, strlen(body), st);
    return s;
}

/* Compare a range with a C string. */
static bool eq(struct sdp_str r, const char *want)
{
    size_t n = strlen(want);
    bool ok = r.len == n && (n == 0 || memcmp(r.p, want, n) == 0);
    if (!ok)
        fprintf(stderr, "  got \"%.*s\", want \"%s\"\n", (int)r.len, r.p ? (const char *)r.p : "", want);
    return ok;
}

static bool ip_is(const struct ip_addr *a, const char *text)
{
    char buf[64];
    return a->family && strcmp(ip_addr_str(a, buf, sizeof buf), text) == 0;
}

/* SIPp 3.6's built-in uac scenario body. */
static const char SIPP_UAC[] = "v=0\r\n"
                               "o=user1 53655765 2353687637 IN IP4 198.18.20.1\r\n"
                               "s=-\r\n"
                               "c=IN IP4 198.18.20.1\r\n"
                               "t=0 0\r\n"
                               "m=audio 6000 RTP/AVP 0\r\n"
                               "a=rtpmap:0 PCMU/8000\r\n";

TEST(sipp_basic_body)
{
    struct stats st;
    memset(&st, 0, sizeof st);
    int rc;
    struct sdp_session *s = parse(SIPP_UAC, &st, &rc);
    CHECK_EQ_U(rc, TG_OK);
    CHECK_EQ_U(s->errors, 0);
    CHECK_EQ_U(s->version, 0);
    CHECK(eq(s->origin.username, "user1"));
    CHECK(eq(s->origin.sess_id, "53655765"));
    CHECK(eq(s->origin.sess_version, "2353687637"));
    CHECK(eq(s->origin.nettype, "IN"));
    CHECK(eq(s->origin.addrtype, "IP4"));
    CHECK(eq(s->origin.address, "198.18.20.1"));
    CHECK(eq(s->session_name, "-"));
    CHECK(s->conn.present && s->conn.ip_valid);
    CHECK(ip_is(&s->conn.ip, "198.18.20.1"));
    CHECK_EQ_U(s->n_media, 1);
    const struct sdp_media *m = &s->media[0];
    CHECK(eq(m->type, "audio"));
    CHECK(eq(m->proto, "RTP/AVP"));
    CHECK_EQ_U(m->port, 6000);
    CHECK_EQ_U(m->port_count, 1);
    CHECK_EQ_U(m->rtcp_port, 6001);
    CHECK(ip_is(&m->rtp_addr, "198.18.20.1"));
    CHECK(ip_is(&m->rtcp_addr, "198.18.20.1"));
    CHECK_EQ_U(m->n_codecs, 1);
    CHECK(eq(m->codecs[0].encoding, "PCMU"));
    CHECK(m->codecs[0].from_rtpmap);
    CHECK_EQ_U(m->codecs[0].clock, 8000);
    CHECK_EQ_U(m->dir, SDP_SENDRECV);
    CHECK_STR(sdp_security_name(m->security), "none");
    CHECK_EQ_U(s->n_lines, 7);
    CHECK_EQ_U(s->n_attrs, 1);
    CHECK_EQ_U(st.c[STAT_SDP_PARSED], 1);
    sdp_session_free(s);
}

/* RFC 8866 section 5 example extended with IPv6, two media, rtcp-mux,
 * a=rtcp with its own address, direction at both levels, LF line ends. */
static const char IPV6_TWO_MEDIA[] = "v=0\n"
                                     "o=jdoe 2890844526 2890842807 IN IP6 2001:db8::1\n"
                                     "s=SDP Seminar\n"
                                     "i=A Seminar on the session description protocol\n"
                                     "u=http://www.example.com/seminars/sdp.pdf\n"
                                     "e=j.doe@example.com (Jane Doe)\n"
                                     "p=+1 617 555-6011\n"
                                     "c=IN IP6 2001:db8::2\n"
                                     "b=AS:128\n"
                                     "t=2873397496 2873404696\n"
                                     "r=604800 3600 0 90000\n"
                                     "z=2882844526 -1h 2898848070 0\n"
                                     "a=recvonly\n"
                                     "m=audio 49170 RTP/AVP 0 8 18 101\n"
                                     "a=rtpmap:101 telephone-event/8000\n"
                                     "a=fmtp:101 0-15\n"
                                     "a=rtcp-mux\n"
                                     "m=video 51372/2 RTP/AVP 99\n"
                                     "i=camera\n"
                                     "c=IN IP6 2001:db8::3\n"
                                     "b=AS:512\n"
                                     "a=rtpmap:99 h263-1998/90000\n"
                                     "a=rtcp:53020 IN IP6 2001:db8::4\n"
                                     "a=sendonly\n";

TEST(ipv6_two_media)
{
    int rc;
    struct sdp_session *s = parse(IPV6_TWO_MEDIA, NULL, &rc);
    CHECK_EQ_U(rc, TG_OK);
    CHECK_EQ_U(s->errors, 0);
    CHECK(eq(s->session_info, "A Seminar on the session description protocol"));
    CHECK(eq(s->uri, "http://www.example.com/seminars/sdp.pdf"));
    CHECK(eq(s->email, "j.doe@example.com (Jane Doe)"));
    CHECK(eq(s->phone, "+1 617 555-6011"));
    CHECK(eq(s->timezone, "2882844526 -1h 2898848070 0"));
    CHECK(ip_is(&s->conn.ip, "2001:db8::2"));
    CHECK_EQ_U(s->n_media, 2);

    const struct sdp_media *a = &s->media[0];
    CHECK_EQ_U(a->port, 49170);
    CHECK(a->rtcp_mux);
    CHECK_EQ_U(a->rtcp_port, 49170); /* rtcp-mux: same port */
    CHECK(ip_is(&a->rtp_addr, "2001:db8::2")); /* from the session level */
    CHECK_EQ_U(a->dir, SDP_RECVONLY);         /* inherited */
    CHECK_EQ_U(a->n_codecs, 4);
    const struct sdp_codec *c = sdp_media_codec(a, 0);
    CHECK(c && eq(c->encoding, "PCMU") && !c->from_rtpmap && c->clock == 8000);
    c = sdp_media_codec(a, 8);
    CHECK(c && eq(c->encoding, "PCMA"));
    c = sdp_media_codec(a, 18);
    CHECK(c && eq(c->encoding, "G729"));
    c = sdp_media_codec(a, 101);
    CHECK(c && eq(c->encoding, "telephone-event") && c->clock == 8000 && eq(c->fmtp, "0-15"));
    CHECK(sdp_media_codec(a, 99) == NULL);
    CHECK_EQ_U(a->n_attrs, 3);

    const struct sdp_media *v = &s->media[1];
    CHECK(eq(v->type, "video"));
    CHECK_EQ_U(v->port, 51372);
    CHECK_EQ_U(v->port_count, 2);
    CHECK(eq(v->info, "camera"));
    CHECK(ip_is(&v->rtp_addr, "2001:db8::3"));
    CHECK(!v->rtcp_mux);
    CHECK(v->rtcp_port_set);
    CHECK_EQ_U(v->rtcp_port, 53020);
    CHECK(ip_is(&v->rtcp_addr, "2001:db8::4"));
    CHECK_EQ_U(v->dir, SDP_SENDONLY);
    c = sdp_media_codec(v, 99);
    CHECK(c && eq(c->encoding, "h263-1998") && c->clock == 90000);
    CHECK_STR(sdp_security_name(v->security), "none");

    /* sticky buffers */
    struct sdp_str r;
    CHECK(sdp_buffer_get(s, SDP_BUF_ORIGIN, 0, &r) && eq(r, "jdoe 2890844526 2890842807 IN IP6 2001:db8::1"));
    CHECK(sdp_buffer_get(s, SDP_BUF_SESSION_NAME, 0, &r) && eq(r, "SDP Seminar"));
    CHECK(sdp_buffer_get(s, SDP_BUF_PHONE_NUMBER, 0, &r) && eq(r, "+1 617 555-6011"));
    CHECK(sdp_buffer_get(s, SDP_BUF_CONNECTION_DATA, 0, &r) && eq(r, "IN IP6 2001:db8::2"));
    CHECK(sdp_buffer_get(s, SDP_BUF_BANDWIDTH, 0, &r) && eq(r, "AS:128"));
    CHECK(!sdp_buffer_get(s, SDP_BUF_BANDWIDTH, 1, &r)); /* b=AS:512 is media level */
    CHECK(sdp_buffer_get(s, SDP_BUF_TIME, 0, &r) && eq(r, "2873397496 2873404696"));
    CHECK(sdp_buffer_get(s, SDP_BUF_REPEAT_TIME, 0, &r) && eq(r, "604800 3600 0 90000"));
    CHECK(sdp_buffer_get(s, SDP_BUF_TIMEZONE, 0, &r));
    CHECK(!sdp_buffer_get(s, SDP_BUF_ENCRYPTION_KEY, 0, &r));
    CHECK(sdp_buffer_get(s, SDP_BUF_ATTRIBUTE, 0, &r) && eq(r, "recvonly"));
    CHECK(sdp_buffer_get(s, SDP_BUF_ATTRIBUTE, 1, &r) && eq(r, "rtpmap:101 telephone-event/8000"));
    CHECK(sdp_buffer_get(s, SDP_BUF_ATTRIBUTE, 6, &r) && eq(r, "sendonly"));
    CHECK(!sdp_buffer_get(s, SDP_BUF_ATTRIBUTE, 7, &r));
    CHECK(sdp_buffer_get(s, SDP_BUF_MEDIA_MEDIA, 1, &r) && eq(r, "video 51372/2 RTP/AVP 99"));
    CHECK(!sdp_buffer_get(s, SDP_BUF_MEDIA_INFO, 0, &r));
    CHECK(sdp_buffer_get(s, SDP_BUF_MEDIA_INFO, 1, &r) && eq(r, "camera"));
    CHECK(!sdp_buffer_get(s, SDP_BUF_MEDIA_CONNECTION_DATA, 0, &r));
    CHECK(sdp_buffer_get(s, SDP_BUF_MEDIA_CONNECTION_DATA, 1, &r) && eq(r, "IN IP6 2001:db8::3"));
    CHECK(!sdp_buffer_get(s, SDP_BUF_MEDIA_MEDIA, 2, &r));
    CHECK(!sdp_buffer_get(s, SDP_BUF_ORIGIN, 1, &r));
    sdp_session_free(s);
}

/* RFC 4568 section 4 example (SDES-SRTP). */
static const char SRTP_SDES[] =
    "v=0\r\n"
    "o=sam 2890844526 2890842807 IN IP4 10.47.16.5\r\n"
    "s=SRTP Discussion\r\n"
    "i=A discussion of Secure RTP\r\n"
    "u=http://www.example.com/seminars/srtp.pdf\r\n"
    "e=marge@example.com (Marge Simpson)\r\n"
    "c=IN IP4 168.2.17.12\r\n"
    "t=2873397496 2873404696\r\n"
    "m=audio 49170 RTP/SAVP 0\r\n"
    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4 FEC_ORDER=FEC_SRTP\r\n"
    "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^20|1:32\r\n";

TEST(srtp_sdes)
{
    int rc;
    struct sdp_session *s = parse(SRTP_SDES, NULL, &rc);
    CHECK_EQ_U(rc, TG_OK);
    const struct sdp_media *m = &s->media[0];
    CHECK_EQ_U(m->security, SDP_SEC_SRTP_SDES);
    CHECK_STR(sdp_security_name(m->security), "srtp-sdes");
    CHECK_EQ_U(m->n_crypto, 2);
    CHECK(eq(m->crypto_tag, "1"));
    CHECK(eq(m->crypto_suite, "AES_CM_128_HMAC_SHA1_80"));

    /* The EVE object keeps tag and suite, never the key. */
    struct json j;
    json_init(&j);
    json_open_object(&j, NULL);
    sdp_json(s, &j);
    json_close_object(&j);
    CHECK(j.buf && strstr(j.buf, "\"crypto:1 AES_CM_128_HMAC_SHA1_80 [redacted]\"") != NULL);
    CHECK(j.buf && strstr(j.buf, "\"crypto:2 AES_CM_128_HMAC_SHA1_32 [redacted]\"") != NULL);
    CHECK(j.buf && strstr(j.buf, "WVNfX19") == NULL);
    CHECK(j.buf && strstr(j.buf, "inline") == NULL);
    json_free(&j);
    sdp_session_free(s);
}

/* A WebRTC offer as Chrome writes it: DTLS-SRTP, session-level nothing,
 * media-level fingerprint, ICE, rtcp-mux, opus. */
static const char WEBRTC[] =
    "v=0\r\n"
    "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE 0\r\n"
    "a=msid-semantic: WMS\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 0 8 126\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=rtcp:9 IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:Wf4n\r\n"
    "a=ice-pwd:GXdFtkLk3wDbt0ILqR5vjOiq\r\n"
    "a=fingerprint:sha-256 3B:A3:24:1E:9C:B0:6F:6A:53:AE:1C:81:2E:B7:0E:99:0C:E5:E6:DB:27:58:E3:66:96:42:A7:7B:74:27:6E:F1\r\n"
    "a=setup:actpass\r\n"
    "a=mid:0\r\n"
    "a=sendrecv\r\n"
    "a=rtcp-mux\r\n"
    "a=rtpmap:111 opus/48000/2\r\n"
    "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
    "a=rtpmap:126 telephone-event/8000\r\n";

TEST(webrtc_dtls_srtp)
{
    int rc;
    struct sdp_session *s = parse(WEBRTC, NULL, &rc);
    CHECK_EQ_U(rc, TG_OK);
    CHECK_EQ_U(s->n_media, 1);
    const struct sdp_media *m = &s->media[0];
    CHECK_STR(sdp_security_name(m->security), "dtls-srtp");
    CHECK(eq(m->fingerprint_hash, "sha-256"));
    CHECK(eq(m->fingerprint, "3B:A3:24:1E:9C:B0:6F:6A:53:AE:1C:81:2E:B7:0E:99:0C:E5:E6:DB:27:58:E3:66:96:42:A7:7B:74:27:6E:F1"));
    CHECK(eq(m->setup, "actpass"));
    CHECK(eq(m->ice_ufrag, "Wf4n"));
    CHECK(m->rtcp_mux);
    CHECK(m->rtcp_port_set);
    CHECK_EQ_U(m->rtcp_port, 9);
    const struct sdp_codec *c = sdp_media_codec(m, 111);
    CHECK(c && eq(c->encoding, "opus") && c->clock == 48000 && c->channels == 2);
    CHECK(c && eq(c->fmtp, "minptime=10;useinbandfec=1"));
    CHECK(ip_is(&m->rtp_addr, "0.0.0.0"));
    struct json j;
    json_init(&j);
    json_open_object(&j, NULL);
    sdp_json(s, &j);
    json_close_object(&j);
    CHECK(j.buf && strstr(j.buf, "GXdFtkLk3wDbt0ILqR5vjOiq") == NULL);
    CHECK(j.buf && strstr(j.buf, "\"ice-pwd:[redacted]\"") != NULL);
    json_free(&j);
    sdp_session_free(s);
}

TEST(zrtp_and_srtp_without_keying)
{
    int rc;
    struct sdp_session *s = parse("v=0\r\no=- 1 1 IN IP4 198.18.0.1\r\ns=-\r\nc=IN IP4 198.18.0.1\r\nt=0 0\r\n"
                                  "m=audio 5004 RTP/AVP 0\r\n"
                                  "a=zrtp-hash:1.10 fe30efd02423cb054e50efd0248742ac7a52c8f91bc2df881ae642c371ba46df\r\n"
                                  "m=audio 5006 RTP/SAVP 8\r\n"
                                  "m=image 5008 udptl t38\r\n"
                                  "m=audio 5010 RTP/SAVP 0\r\n"
                                  "a=fingerprint:sha-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB\r\n"
                                  "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
                                  "a=fingerprint:sha-256 AA:BB\r\n",
                                  NULL, &rc);
    CHECK_EQ_U(rc, TG_OK);
    CHECK_EQ_U(s->n_media, 5);
    CHECK_STR(sdp_security_name(s->media[0].security), "zrtp");
    CHECK_STR(sdp_security_name(s->media[1].security), "srtp");
    CHECK_STR(sdp_security_name(s->media[2].security), "unknown");
    CHECK(!s->media[2].is_rtp);
    CHECK_EQ_U(s->media[2].n_codecs, 0);
    /* a fingerprint alone does not make plain RTP/SAVP DTLS-SRTP */
    CHECK_STR(sdp_security_name(s->media[3].security), "srtp");
    CHECK_STR(sdp_security_name(s->media[4].security), "unknown");
    sdp_session_free(s);
}

TEST(multicast_and_fqdn_connection)
{
    int rc;
    struct sdp_session *s = parse("v=0\r\no=- 1 1 IN IP4 host.example.com\r\ns=-\r\n"
                                  "c=IN IP4 224.2.36.42/127/3\r\nt=0 0\r\n"
                                  "m=audio 5004 RTP/AVP 3 4 9\r\n"
                                  "c=IN IP6 ff15::101/3\r\n"
                                  "m=audio 5006 RTP/AVP 0\r\n"
                                  "c=IN IP4 pbx.example.com\r\n"
                                  "m=audio 5008 RTP/AVP 0\r\n"
                                  "c=IN IP6 pbx6.example.com\r\n",
                                  NULL, &rc);
    CHECK_EQ_U(rc, TG_OK);
    CHECK_EQ_U(s->errors, 0);
    CHECK(s->conn.ip_valid);
    CHECK(ip_is(&s->conn.ip, "224.2.36.42"));
    CHECK_EQ_U(s->conn.ttl, 127);
    CHECK_EQ_U(s->conn.count, 3);
    CHECK(eq(s->conn.address, "224.2.36.42"));
    const struct sdp_media *m = &s->media[0];
    CHECK(ip_is(&m->conn.ip, "ff15::101"));
    CHECK_EQ_U(m->conn.ttl, 0);
    CHECK_EQ_U(m->conn.count, 3);
    CHECK(eq(sdp_media_codec(m, 3)->encoding, "GSM"));
    CHECK(eq(sdp_media_codec(m, 4)->encoding, "G723"));
    CHECK(eq(sdp_media_codec(m, 9)->encoding, "G722"));
    /* FQDN: no address, no error, the session address is not used either */
    CHECK(!s->media[1].conn.ip_valid);
    CHECK(eq(s->media[1].conn.address, "pbx.example.com"));
    CHECK_EQ_U(s->media[1].rtp_addr.family, 0);
    CHECK(!s->media[2].conn.ip_valid);
    CHECK(eq(s->media[2].conn.address, "pbx6.example.com"));

    /* the EVE object carries the c= line as written, TTL and count included */
    struct json j;
    json_init(&j);
    json_open_object(&j, NULL);
    sdp_json(s, &j);
    json_close_object(&j);
    CHECK(j.buf && strstr(j.buf, "\"connection_data\":\"IN IP4 224.2.36.42/127/3\"") != NULL);
    json_free(&j);
    /* an IPv6 literal that does not parse is an error, a name is not */
    const char *bad6 = "v=0\r\nc=IN IP6 fd00::zz\r\n";
    CHECK_EQ_U(sdp_parse(s, (const uint8_t *)bad6, strlen(bad6), NULL), TG_OK);
    CHECK(s->errors & SDP_ERR_BAD_CONN);
    sdp_session_free(s);
}

TEST(eve_layout_exact)
{
    int rc;
    struct sdp_session *s = parse("v=0\r\no=alice 1 2 IN IP4 198.18.0.1\r\ns=call\r\nc=IN IP4 198.18.0.1\r\n"
                                  "b=AS:64\r\nt=0 0\r\nk=clear:secretkey\r\na=tool:x\r\n"
                                  "m=audio 7078 RTP/AVP 8 101\r\nb=TIAS:64000\r\nk=prompt\r\n"
                                  "a=rtpmap:101 telephone-event/8000\r\na=ptime:20\r\n",
                                  NULL, &rc);
    CHECK_EQ_U(rc, TG_OK);
    struct json j;
    json_init(&j);
    json_open_object(&j, NULL);
    sdp_json(s, &j);
    json_close_object(&j);
    CHECK_STR(j.buf, "{\"origin\":\"alice 1 2 IN IP4 198.18.0.1\",\"session_name\":\"call\","
                     "\"connection_data\":\"IN IP4 198.18.0.1\",\"bandwidths\":[\"AS:64\"],"
                     "\"time_descriptions\":[{\"time\":\"0 0\"}],\"encryption_key\":\"clear:[redacted]\","
                     "\"attributes\":[\"tool:x\"],"
                     "\"media_descriptions\":[{\"media\":\"audio 7078 RTP/AVP 8 101\",\"bandwidths\":[\"TIAS:64000\"],"
                     "\"encryption_key\":\"prompt\","
                     "\"attributes\":[\"rtpmap:101 telephone-event/8000\",\"ptime:20\"]}]}");
    /* rules still see the raw k= line */
    struct sdp_str r;
    CHECK(sdp_buffer_get(s, SDP_BUF_ENCRYPTION_KEY, 0, &r) && eq(r, "clear:secretkey"));
    CHECK(sdp_buffer_get(s, SDP_BUF_MEDIA_ENCRYPTION_KEY, 0, &r) && eq(r, "prompt"));
    json_free(&j);
    sdp_session_free(s);
}

TEST(caps_counted)
{
    struct config *cfg = config_new();
    CHECK(cfg != NULL);
    config_set(cfg, "sdp.max-media=2");
    config_set(cfg, "sdp.max-attributes=3");
    config_set(cfg, "sdp.max-formats=2");
    struct sdp_limits lim;
    sdp_limits_init(&lim, cfg);
    CHECK_EQ_U(lim.max_media, 2);
    CHECK_EQ_U(lim.max_attributes, 3);
    CHECK_EQ_U(lim.max_lines, 256);
    struct sdp_session *s = sdp_session_new(&lim);
    struct stats st;
    memset(&st, 0, sizeof st);
    const char *body = "v=0\r\no=- 1 1 IN IP4 198.18.0.1\r\ns=-\r\nc=IN IP4 198.18.0.1\r\nt=0 0\r\n"
                       "m=audio 4000 RTP/SAVP 0 8 18\r\n"
                       "a=x1\r\na=x2\r\na=x3\r\na=x4\r\n"
                       "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAAA\r\n"
                       "m=audio 4002 RTP/AVP 0\r\n"
                       "m=audio 4004 RTP/AVP 0\r\na=sendonly\r\n"
                       "m=audio 4006 RTP/AVP 0\r\n";
    CHECK_EQ_U(sdp_parse(s, (const uint8_t *)body, strlen(body), &st), TG_OK);
    CHECK_EQ_U(s->n_media, 2);
    CHECK_EQ_U(s->dropped_media, 2);
    CHECK_EQ_U(s->n_attrs, 3);
    CHECK_EQ_U(s->dropped_attrs, 2);
    CHECK_EQ_U(s->media[0].n_codecs, 2);
    CHECK_EQ_U(s->dropped_formats, 1);
    CHECK(s->errors & SDP_ERR_CAP);
    /* the crypto line beyond the attribute cap still classifies the media */
    CHECK_STR(sdp_security_name(s->media[0].security), "srtp-sdes");
    CHECK_EQ_U(st.c[STAT_SDP_MAX_MEDIA_HIT], 2);
    CHECK_EQ_U(st.c[STAT_SDP_MAX_ATTRIBUTES_HIT], 2);
    CHECK_EQ_U(st.c[STAT_SDP_MAX_FORMATS_HIT], 1);
    /* the session object is reusable */
    CHECK_EQ_U(sdp_parse(s, (const uint8_t *)SIPP_UAC, strlen(SIPP_UAC), &st), TG_OK);
    CHECK_EQ_U(s->n_media, 1);
    CHECK_EQ_U(s->dropped_media, 0);
    CHECK_EQ_U(st.c[STAT_SDP_PARSED], 2);
    sdp_session_free(s);
    config_free(cfg);
}

TEST(not_sdp_and_malformed)
{
    struct stats st;
    memset(&st, 0, sizeof st);
    int rc;
    struct sdp_session *s = parse("<?xml version=\"1.0\"?><x/>", &st, &rc);
    CHECK_EQ_U(rc, TG_DECLINED);
    CHECK_EQ_U(st.c[STAT_SDP_INVALID], 1);
    const char *empty = "\r\n\r\n";
    CHECK_EQ_U(sdp_parse(s, (const uint8_t *)empty, strlen(empty), &st), TG_DECLINED);
    CHECK_EQ_U(sdp_parse(s, (const uint8_t *)"", 0, &st), TG_DECLINED);
    const char *bad = "v=1\r\nX=oops\r\ngarbage\r\no=short\r\nc=IN IP4 300.1.1.1\r\n"
                      "m=audio 99999 RTP/AVP 0 abc\r\na=rtpmap:0\r\nm=audio 5000 RTP/AVP 0";
    CHECK_EQ_U(sdp_parse(s, (const uint8_t *)bad, strlen(bad), &st), TG_OK);
    CHECK(s->errors & SDP_ERR_BAD_VERSION);
    CHECK(s->errors & SDP_ERR_BAD_LINE);
    CHECK(s->errors & SDP_ERR_BAD_ORIGIN);
    CHECK(s->errors & SDP_ERR_BAD_CONN);
    CHECK(s->errors & SDP_ERR_BAD_MEDIA);
    CHECK(s->errors & SDP_ERR_BAD_RTPMAP);
    CHECK(s->errors & SDP_ERR_MISSING);
    CHECK_EQ_U(s->n_media, 2);
    CHECK_EQ_U(s->media[0].port, 0);
    CHECK_EQ_U(s->media[1].port, 5000); /* last line without a line end */
    const char nul[] = "v=0\r\ns=a\0b\r\n";
    CHECK_EQ_U(sdp_parse(s, (const uint8_t *)nul, sizeof nul - 1, &st), TG_OK);
    CHECK(s->errors & SDP_ERR_NUL);
    sdp_session_free(s);
}

TEST(buffer_names)
{
    CHECK_STR(sdp_buffer_name(SDP_BUF_ORIGIN), "sdp.origin");
    CHECK_STR(sdp_buffer_name(SDP_BUF_MEDIA_ENCRYPTION_KEY), "sdp.media.encryption_key");
    CHECK(sdp_buffer_name(SDP_BUF_MAX) == NULL);
    CHECK_EQ_U(sdp_buffer_lookup("sdp.phone_number"), SDP_BUF_PHONE_NUMBER);
    CHECK_EQ_U(sdp_buffer_lookup("sdp.media.media_info"), SDP_BUF_MEDIA_INFO);
    CHECK_EQ_U(sdp_buffer_lookup("sdp.media.session_info"), SDP_BUF_MEDIA_INFO);
    CHECK(sdp_buffer_lookup("sdp.nope") == -1);
    CHECK(sdp_buffer_is_multi(SDP_BUF_ATTRIBUTE));
    CHECK(!sdp_buffer_is_multi(SDP_BUF_ORIGIN));
    for (int i = 0; i < SDP_BUF_MAX; i++)
        CHECK_EQ_U(sdp_buffer_lookup(sdp_buffer_name((enum sdp_buffer)i)), i);
}

TEST_MAIN(T(sipp_basic_body), T(ipv6_two_media), T(srtp_sdes), T(webrtc_dtls_srtp), T(zrtp_and_srtp_without_keying),
          T(multicast_and_fqdn_connection), T(eve_layout_exact), T(caps_counted), T(not_sdp_and_malformed),
          T(buffer_names))
