/* decode.c - entry points of packet decode: dispatch by link type (DLT).
 *
 * Each layer lives in its own file (decode-ethernet.c, decode-link.c,
 * decode-mpls.c, decode-ipv4.c, decode-ipv6.c, decode-tcp.c, decode-udp.c, decode-icmp.c,
 * decode-tunnel.c, decode-checksum.c) and hands the rest of the packet to the
 * next one. Nothing here fails: malformed input raises an event, sets
 * PKT_INVALID and stops; an unknown link type is only counted. */
#include <string.h>
#include "config.h"
#include "decode-internal.h"

/* pcap link types. DLT_RAW is 12 on most systems but 14 on OpenBSD, and the
 * pcap file format says 101 (LINKTYPE_RAW); libpcap maps 101 to the local
 * DLT_RAW, but files written by other tools or read on other systems may
 * carry any of them. DLT_LOOP is 108 in files (12 only inside OpenBSD). */
#define LINKTYPE_NULL 0
#define LINKTYPE_EN10MB 1
#define LINKTYPE_RAW_12 12
#define LINKTYPE_RAW_14 14
#define LINKTYPE_RAW 101
#define LINKTYPE_LOOP 108
#define LINKTYPE_LINUX_SLL 113
#define LINKTYPE_IPV4 228
#define LINKTYPE_IPV6 229
#define LINKTYPE_LINUX_SLL2 276

/* Sample size and bad share for decode.checksum-validation = auto. */
#define DECODE_CSUM_AUTO_SAMPLE 1000
#define DECODE_CSUM_AUTO_MAX_BAD_PERCENT 10

void decode_ctx_init(struct decode_ctx *ctx, const struct config *cfg, struct stats *st)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->stats = st;
    const char *mode = config_get(cfg, "decode.checksum-validation");
    if (!mode || !strcmp(mode, "auto"))
        ctx->csum_mode = DECODE_CSUM_AUTO;
    else
        ctx->csum_mode = config_get_bool(cfg, "decode.checksum-validation", true) ? DECODE_CSUM_YES
                                                                                 : DECODE_CSUM_NO;
    ctx->check_checksums = ctx->csum_mode != DECODE_CSUM_NO;
    ctx->csum_auto_sample = config_get_u64(cfg, "decode.checksum-auto-sample", DECODE_CSUM_AUTO_SAMPLE);
    if (ctx->csum_auto_sample == 0)
        ctx->csum_auto_sample = DECODE_CSUM_AUTO_SAMPLE;
    uint64_t depth = config_get_u64(cfg, "decode.max-tunnel-depth", PACKET_MAX_TUNNEL_DEPTH);
    ctx->max_tunnel_depth = (uint8_t)TG_MIN(depth, (uint64_t)PACKET_MAX_TUNNEL_DEPTH);
    uint64_t ext = config_get_u64(cfg, "decode.ipv6.max-exthdrs", DECODE_IPV6_MAX_EXTHDRS);
    ctx->ipv6_max_exthdrs = (uint16_t)TG_MIN(ext, (uint64_t)UINT16_MAX);
    uint64_t labels = config_get_u64(cfg, "decode.mpls.max-labels", DECODE_MPLS_MAX_LABELS);
    ctx->mpls_max_labels = (uint16_t)TG_MIN(labels, (uint64_t)UINT16_MAX);
}

void decode_invalid(struct decode_run *r, enum event_id ev)
{
    r->p->flags |= PKT_INVALID;
    stats_inc(r->st, STAT_DECODE_INVALID);
    packet_set_event(r->p, r->st, ev);
}

void decode_truncated(struct decode_run *r, enum event_id ev)
{
    /* Inside an IP datagram only its clipping by the snap length counts. */
    bool cut = r->p->ip_version ? r->clipped : r->snapped > 0;
    if (cut) {
        r->p->flags |= PKT_SNAPPED;
        stats_inc(r->st, STAT_DECODE_SNAPPED);
        return;
    }
    decode_invalid(r, ev);
}

void decode_event(struct decode_run *r, enum event_id ev)
{
    packet_set_event(r->p, r->st, ev);
}

static void decode_run_init(struct decode_run *r, const struct decode_ctx *ctx, struct packet *p)
{
    memset(r, 0, sizeof *r);
    r->ctx = ctx;
    r->st = ctx->stats;
    r->p = p;
    r->csum = ctx->csum_mode != DECODE_CSUM_NO;
    /* auto: only count while sampling, so a capture made behind checksum
     * offload does not raise a burst of events before the decision; flag
     * bad checksums once the sample says the capture's checksums are real. */
    r->csum_enforce = ctx->csum_mode == DECODE_CSUM_YES ||
                      (ctx->csum_mode == DECODE_CSUM_AUTO && !ctx->stats->c[STAT_DECODE_CSUM_AUTO_DISABLED] &&
                       ctx->stats->c[STAT_DECODE_CSUM_CHECKED] >= ctx->csum_auto_sample);
}

/* The auto decision: after the first csum_auto_sample packets that had a
 * checksum verified, switch validation off for the rest of the run when more
 * than 10% of them were bad (checksum offload on the capturing host). The
 * decision lives in the stats counter decoder.checksum.auto_disabled so that
 * it is visible in every stats record; counting goes on either way. */
static void decode_csum_auto_check(struct decode_run *r)
{
    const struct decode_ctx *ctx = r->ctx;
    struct stats *st = r->st;
    if (ctx->csum_mode != DECODE_CSUM_AUTO || st->c[STAT_DECODE_CSUM_CHECKED] != ctx->csum_auto_sample)
        return;
    if (st->c[STAT_DECODE_CSUM_BAD_PACKETS] * 100 >
        st->c[STAT_DECODE_CSUM_CHECKED] * DECODE_CSUM_AUTO_MAX_BAD_PERCENT)
        stats_set(st, STAT_DECODE_CSUM_AUTO_DISABLED, 1);
}

void decode_csum_packet_done(struct decode_run *r)
{
    if (!r->csum_checked)
        return;
    stats_inc(r->st, STAT_DECODE_CSUM_CHECKED);
    if (r->csum_bad)
        stats_inc(r->st, STAT_DECODE_CSUM_BAD_PACKETS);
    decode_csum_auto_check(r);
}

void decode_packet(const struct decode_ctx *ctx, struct packet *p)
{
    struct decode_run r;
    decode_run_init(&r, ctx, p);
    if (p->wirelen > p->caplen)
        r.snapped = p->wirelen - p->caplen;
    switch (p->datalink) {
    case LINKTYPE_EN10MB: decode_ethernet(&r, p->data, p->caplen); break;
    case LINKTYPE_LINUX_SLL: decode_sll(&r, p->data, p->caplen); break;
    case LINKTYPE_LINUX_SLL2: decode_sll2(&r, p->data, p->caplen); break;
    case LINKTYPE_RAW_12:
    case LINKTYPE_RAW_14:
    case LINKTYPE_RAW: decode_raw(&r, p->data, p->caplen, 0); break;
    case LINKTYPE_IPV4: decode_raw(&r, p->data, p->caplen, 4); break;
    case LINKTYPE_IPV6: decode_raw(&r, p->data, p->caplen, 6); break;
    case LINKTYPE_NULL: decode_null(&r, p->data, p->caplen, false); break;
    case LINKTYPE_LOOP: decode_null(&r, p->data, p->caplen, true); break;
    default: stats_inc(ctx->stats, STAT_DECODE_UNKNOWN_LINKTYPE); break;
    }
    decode_csum_packet_done(&r);
}

void decode_ip_datagram(const struct decode_ctx *ctx, struct packet *p, const uint8_t *buf, uint32_t len)
{
    struct decode_run r;
    decode_run_init(&r, ctx, p);
    /* The defragmenter rewrote the outer header; its checksum was verified
     * on every fragment already. */
    r.skip_ipv4_csum = true;
    p->flags &= ~(uint32_t)(PKT_IS_FRAGMENT | PKT_HAS_L4 | PKT_SNAPPED | PKT_ICMP_ERROR);
    p->l4 = p->payload = NULL;
    p->l4_len = p->payload_len = 0;
    p->sport = p->dport = 0;
    p->icmp_emb = NULL;
    p->icmp_emb_len = 0;
    decode_ip(&r, buf, len);
    decode_csum_packet_done(&r);
}
