/* keyword-buffer.c - sticky-buffer keywords: pkt_data, file_data, http.*, sip.*, sdp.*, P2P buffers and their legacy names. */
#include <string.h>
#include "rule-keyword.h"

static int kw_sticky(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)arg;
    int b = rule_buffer_lookup(name);
    if (b < 0)
        return rule_kw_fail(k, "not a buffer");
    if (b == RULE_BUF_PKT_DATA) {
        k->cur_list = -1;
        return TG_OK;
    }
    return rule_kw_set_sticky(k, (enum rule_buffer)b, NULL);
}

static int kw_transform(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)arg;
    static const char *const names[] = {
#define RULE_TF_NAME(id, n) n,
        RULE_TRANSFORM_LIST(RULE_TF_NAME)
#undef RULE_TF_NAME
        NULL};
    int t = rule_kw_word(name, names);
    /* hashing transforms need a digest library tollgate does not link:
     * refuse rather than load a rule that would never mean what it says */
    if (t == RULE_TRANSFORM_TO_MD5 || t == RULE_TRANSFORM_TO_SHA1 || t == RULE_TRANSFORM_TO_SHA256)
        return rule_kw_fail(k, "transform %s is not supported", name);
    if (k->cur_list < 0)
        return rule_kw_fail(k, "a transform needs a sticky buffer before it");
    struct rule_list *l = &k->r->lists[k->cur_list];
    if (l->n)
        return rule_kw_fail(k, "a transform must come before the buffer's first match");
    if (l->ntransforms == TG_ARRAY_LEN(l->transforms))
        return rule_kw_fail(k, "more than %zu transforms on one buffer", TG_ARRAY_LEN(l->transforms));
    l->transforms[l->ntransforms++] = (uint8_t)t;
    return TG_OK;
}

#define STICKY(n) {n, RULE_KW_ARG_NONE, kw_sticky}
#define TRANSFORM(id, n) {n, RULE_KW_ARG_NONE, kw_transform},

const struct rule_keyword rule_kw_buffer[] = {
#define RULE_BUF_KW(id, name, proto, st) STICKY(name),
    RULE_BUFFER_LIST(RULE_BUF_KW)
#undef RULE_BUF_KW
    /* Suricata's legacy sticky names (the content-modifier ones live in keyword-content.c). */
    STICKY("http_request_line"), STICKY("http_response_line"), STICKY("http_header_names"),
    STICKY("http_protocol"), STICKY("http_start"), STICKY("http_content_type"), STICKY("http_content_len"),
    STICKY("http_accept"), STICKY("http_accept_enc"), STICKY("http_accept_lang"), STICKY("http_referer"),
    STICKY("http_connection"), STICKY("http.request_header"), STICKY("http.response_header"),
    STICKY("http.cookie.raw"), STICKY("file.data"), STICKY("ssh_proto"), STICKY("ssh_software"),
    STICKY("dns_query"), STICKY("tls_sni"), STICKY("tls_cert_subject"), STICKY("tls_cert_issuer"),
    /* Snort 2 SIP options: sip_header and sip_body set the cursor like a sticky buffer. */
    STICKY("sip_header"), STICKY("sip_body"), STICKY("sdp.media.media_info"),
    RULE_TRANSFORM_LIST(TRANSFORM)
};
const size_t rule_kw_buffer_n = TG_ARRAY_LEN(rule_kw_buffer);
