/* fuzz-sip.c - libFuzzer target: SIP tokenizer (datagram and stream), anomaly checks, dialogs, SDP body location (multipart) and libosip2 value parsers on arbitrary bytes. */
#include <stdlib.h>
#include <string.h>
#include "app-layer-sip.h"
#include "sip-dialog.h"
#include "sip-events.h"

static struct sip_inspect *fuzz_si;
static struct sip_dialog_table *fuzz_dialogs;
static struct sip_header fuzz_hdrs[64];

static void fuzz_msg(const struct sip_msg *m, sip_event_set ev, void *arg)
{
    (void)ev;
    (void)arg;
    bool cap;
    sip_dialog_update(fuzz_dialogs, m, &cap);
    struct sip_range sdp;
    if (sip_sdp_body(m, &m->body, &sdp) && sdp.len && (sdp.p < m->body.p || sdp.p + sdp.len > m->body.p + m->body.len))
        abort(); /* the SDP part must lie inside the body */
    char buf[256];
    for (uint32_t i = 0; i < m->n_hdrs; i++) {
        const struct sip_header *h = &m->hdrs[i];
        sip_header_unfold(h, buf, sizeof buf);
        struct sip_name_addr na;
        struct sip_via v;
        struct sip_cseq c;
        struct sip_auth a;
        switch (h->id) {
        case SIP_HDR_FROM:
        case SIP_HDR_TO:
        case SIP_HDR_CONTACT:
            sip_parse_name_addr(h, &na);
            break;
        case SIP_HDR_VIA:
            sip_parse_via(h, &v);
            break;
        case SIP_HDR_CSEQ:
            sip_parse_cseq(h, &c);
            break;
        case SIP_HDR_AUTHORIZATION:
        case SIP_HDR_PROXY_AUTHORIZATION:
        case SIP_HDR_WWW_AUTHENTICATE:
        case SIP_HDR_PROXY_AUTHENTICATE:
            sip_parse_auth(h, &a);
            break;
        default:
            break;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fuzz_si) {
        struct sip_config c;
        sip_config_default(&c);
        c.max_headers = TG_ARRAY_LEN(fuzz_hdrs);
        fuzz_si = sip_inspect_new(&c);
        fuzz_dialogs = sip_dialog_table_new(4);
        if (!fuzz_si || !fuzz_dialogs)
            abort();
    }
    /* a private copy so reads past the end are caught by ASan */
    uint8_t *d = malloc(size ? size : 1);
    if (!d)
        return 0;
    memcpy(d, data, size);
    sip_inspect_datagram(fuzz_si, d, size, fuzz_hdrs, TG_ARRAY_LEN(fuzz_hdrs), fuzz_msg, NULL);
    /* datagram framing: the tokenizer finds the end in the same pass as the
     * head; it must be sip_message_end's answer from the start line on */
    struct sip_msg dm;
    sip_msg_init(&dm, fuzz_hdrs, TG_ARRAY_LEN(fuzz_hdrs));
    for (size_t doff = 0; doff < size;) {
        int64_t r = sip_parse_message(d + doff, size - doff, SIP_DATAGRAM, &dm);
        if (r <= 0)
            break;
        if (sip_message_end(dm.buf, size - doff - dm.skipped, SIP_DATAGRAM) != (int64_t)dm.len ||
            (uint64_t)r != (uint64_t)dm.skipped + dm.len)
            abort();
        doff += (size_t)r;
    }
    /* stream framing: consume messages the way the TCP parser does */
    struct sip_msg m;
    sip_msg_init(&m, fuzz_hdrs, TG_ARRAY_LEN(fuzz_hdrs));
    size_t off = 0;
    while (off < size) {
        int64_t end = sip_message_end(d + off, size - off, SIP_STREAM);
        int64_t r = sip_parse_message(d + off, size - off, SIP_STREAM, &m);
        if (r == TG_AGAIN)
            break;
        if (r == TG_DECLINED) {
            off += m.skipped ? m.skipped : size - off;
            continue;
        }
        if (m.junk == 0 && end != r)
            abort(); /* framing and tokenizer disagree */
        sip_inspect_message(fuzz_si, &m, SIP_STREAM);
        off += (size_t)r;
    }
    free(d);
    return 0;
}
