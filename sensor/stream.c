/* stream.c - TCP session tracking and per-direction reassembly with first-wins overlaps.
 *
 * Each direction keeps a 64-bit stream offset (0 = first byte after the SYN,
 * or the first data byte seen on a mid-stream pick-up) next to the 32-bit
 * sequence number it stands for. A segment's sequence number is turned into
 * an offset by its signed serial-number distance from the next expected
 * one, so wrap-around at 2^32 never shows up in the rest of the code.
 *
 * Bytes below next_off were accepted and handed on; the most recent ones
 * sit in a ring (the overlap window) so retransmissions can be compared.
 * Bytes above next_off wait in a list sorted by offset whose segments never
 * overlap: a new segment only fills the holes between queued ones, and the
 * parts that fall on queued bytes are compared, never stored (first wins).
 * That keeps draining trivial: pop the head while it touches next_off.
 *
 * Everything an attacker can grow is capped: queued bytes and segments per
 * flow, all stream memory together, the unconsumed buffer per direction and
 * the overlap window. A cap hit never drops the flow; it turns into a gap. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "stream.h"

#define STREAM_DEF_MEMCAP (64ull << 20)
#define STREAM_DEF_FLOW_MEMCAP (1ull << 20)
#define STREAM_DEF_MAX_SEGMENTS 2048
#define STREAM_DEF_DEPTH (1ull << 20)
#define STREAM_DEF_APP_BUFFER (256ull << 10)
#define STREAM_DEF_OVERLAP_WINDOW (64ull << 10)
/* The overlap window and the unconsumed buffer start small and double: most
 * VoIP TCP sessions carry a few KB, and a fixed 64 KB per direction would
 * cap the sensor at a few hundred sessions per 64 MB. */
#define STREAM_WIN_MIN 4096
#define STREAM_ABUF_MIN 1024
/* An empty unconsumed buffer up to this size is kept: framing consumers
 * leave a partial line almost every packet, and reallocating each time
 * costs more than the memory. */
#define STREAM_ABUF_KEEP 4096
/* A RST is believed only when its sequence number is within this distance
 * of the one expected; otherwise anyone who knows the 4-tuple could blind
 * the sensor to the rest of the session (RFC 5961 makes hosts stricter). */
#define STREAM_RST_WINDOW (1 << 20)

enum stream_hs { STREAM_HS_NONE = 0, STREAM_HS_SYN, STREAM_HS_SYNACK, STREAM_HS_ESTABLISHED };

/* Queued out-of-order bytes [off, off + len). */
struct stream_seg {
    struct stream_seg *next;
    uint64_t off;
    uint32_t len;
    uint8_t data[];
};

struct stream_dir {
    uint64_t next_off;  /* offset of the next byte to accept */
    uint32_t next_seq;  /* sequence number of next_off */
    uint32_t isn;       /* valid with syn */
    uint64_t fin_off;   /* offset the FIN stands at; valid with fin */
    struct stream_seg *q; /* sorted by off, disjoint, every off > next_off */
    /* overlap window: ring of win_cap bytes, byte at offset o in win[o % win_cap];
     * holds offsets [max(win_lo, next_off - win_cap), next_off) */
    uint8_t *win;
    size_t win_cap;
    uint64_t win_lo;
    /* bytes the consumer has not taken yet */
    uint8_t *abuf;
    size_t alen, acap;
    bool init;        /* sequence space known */
    bool syn;         /* started by a SYN (or SYN/ACK) */
    bool fin;         /* FIN seen */
    bool closed;      /* EOF handed on, buffers freed */
    bool gap_pending; /* next delivery carries STREAM_GAP */
    bool depth_hit;   /* STAT_TCP_DEPTH_REACHED counted */
    bool delivered;   /* handed on at least one byte */
};

struct stream_flow {
    struct stream_dir dir[2];
    uint64_t qbytes; /* queued bytes, both directions (stream.flow-memcap) */
    uint32_t nseg;   /* queued segments, both directions (stream.max-segments) */
    uint8_t hs;      /* enum stream_hs */
    uint8_t synack_dir;
    bool rst;
};

struct stream_ctx {
    struct stats *stats;
    stream_deliver_fn deliver;
    void *arg;
    uint64_t memcap, flow_memcap, depth, app_buffer, window;
    uint64_t max_segments;
    size_t memuse;
};

struct stream_ctx *stream_new(const struct config *cfg, struct stats *st, stream_deliver_fn deliver, void *arg)
{
    struct stream_ctx *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->stats = st;
    s->deliver = deliver;
    s->arg = arg;
    s->memcap = config_get_u64(cfg, "stream.memcap", STREAM_DEF_MEMCAP);
    s->flow_memcap = config_get_u64(cfg, "stream.flow-memcap", STREAM_DEF_FLOW_MEMCAP);
    s->max_segments = config_get_u64(cfg, "stream.max-segments", STREAM_DEF_MAX_SEGMENTS);
    s->depth = config_get_u64(cfg, "stream.depth", STREAM_DEF_DEPTH);
    s->app_buffer = config_get_u64(cfg, "stream.app-buffer", STREAM_DEF_APP_BUFFER);
    s->window = config_get_u64(cfg, "stream.overlap-window", STREAM_DEF_OVERLAP_WINDOW);
    return s;
}

void stream_free(struct stream_ctx *s)
{
    free(s);
}

size_t stream_memuse(const struct stream_ctx *s)
{
    return s->memuse;
}

/* ---- memory accounting ---- */

static bool stream_mem_get(struct stream_ctx *s, size_t n)
{
    if (n > s->memcap || s->memuse > s->memcap - n)
        return false;
    s->memuse += n;
    return true;
}

static void stream_mem_put(struct stream_ctx *s, size_t n)
{
    assert(s->memuse >= n);
    s->memuse -= n;
}

/* Raise an event on the packet, or only count it when there is none (flow end). */
static void stream_event(struct stream_ctx *s, struct packet *p, enum event_id ev)
{
    if (p) {
        packet_set_event(p, s->stats, ev);
    } else {
        s->stats->events[ev]++;
        stats_inc(s->stats, STAT_EVENTS_TOTAL);
    }
}

/* Bytes of the direction never to be accepted: the depth, and the FIN. */
static uint64_t stream_limit(const struct stream_ctx *s, const struct stream_dir *sd)
{
    uint64_t lim = s->depth ? s->depth : UINT64_MAX;
    if (sd->fin && sd->fin_off < lim)
        lim = sd->fin_off;
    return lim;
}

/* ---- overlap window ---- */

static uint64_t stream_win_low(const struct stream_dir *sd)
{
    if (!sd->win_cap)
        return sd->next_off;
    uint64_t lo = sd->next_off > sd->win_cap ? sd->next_off - sd->win_cap : 0;
    return TG_MAX(lo, sd->win_lo);
}

/* Grow the ring towards want bytes (bounded by stream.overlap-window); a
 * grow that is refused keeps the smaller ring, so fewer bytes get compared.
 * Windows may only use half of stream.memcap: they improve detection, while
 * queued segments and unconsumed bytes are needed for it at all, and many
 * long transfers must not starve those. */
static void stream_win_grow(struct stream_ctx *s, struct stream_dir *sd, uint64_t want)
{
    size_t cap = sd->win_cap ? sd->win_cap * 2 : STREAM_WIN_MIN;
    while (cap < want && cap < s->window)
        cap *= 2;
    if (cap > s->window)
        cap = (size_t)s->window;
    if (cap <= sd->win_cap || s->memuse + (cap - sd->win_cap) > s->memcap / 2 ||
        !stream_mem_get(s, cap - sd->win_cap))
        return;
    uint8_t *w = malloc(cap);
    if (!w) {
        stream_mem_put(s, cap - sd->win_cap);
        return;
    }
    /* Copy the held bytes in runs that are contiguous in both rings (at
     * most three memcpy calls), not byte by byte: this runs for every flow
     * that grows its window. */
    for (uint64_t o = stream_win_low(sd); o < sd->next_off;) {
        size_t from = (size_t)(o % sd->win_cap), to = (size_t)(o % cap);
        size_t m = (size_t)TG_MIN(sd->next_off - o, (uint64_t)TG_MIN(sd->win_cap - from, cap - to));
        memcpy(w + to, sd->win + from, m);
        o += m;
    }
    free(sd->win);
    sd->win = w;
    sd->win_cap = cap;
}

/* Remember n bytes that are about to be accepted at next_off. */
static void stream_win_record(struct stream_ctx *s, struct stream_dir *sd, const uint8_t *data, size_t n)
{
    if (!s->window || !n)
        return;
    uint64_t want = sd->next_off - sd->win_lo + n;
    if (want > sd->win_cap && sd->win_cap < s->window)
        stream_win_grow(s, sd, want);
    if (!sd->win_cap)
        return;
    size_t k = TG_MIN(n, sd->win_cap);
    const uint8_t *src = data + (n - k);
    uint64_t o = sd->next_off + (n - k);
    while (k) {
        size_t idx = (size_t)(o % sd->win_cap);
        size_t m = TG_MIN(k, sd->win_cap - idx);
        memcpy(sd->win + idx, src, m);
        src += m;
        o += m;
        k -= m;
    }
}

/* True when any of the n bytes at offset off (below next_off) that the
 * window still holds differ from data. */
static bool stream_win_differs(const struct stream_dir *sd, uint64_t off, const uint8_t *data, size_t n)
{
    uint64_t lo = TG_MAX(stream_win_low(sd), off);
    uint64_t hi = TG_MIN(sd->next_off, off + n);
    for (uint64_t o = lo; o < hi; o++)
        if (sd->win[o % sd->win_cap] != data[o - off])
            return true;
    return false;
}

/* ---- unconsumed buffer and delivery ---- */

static void stream_abuf_release(struct stream_ctx *s, struct stream_dir *sd, bool keep_small)
{
    sd->alen = 0;
    if (keep_small && sd->acap <= STREAM_ABUF_KEEP)
        return;
    stream_mem_put(s, sd->acap);
    free(sd->abuf);
    sd->abuf = NULL;
    sd->acap = 0;
}

/* Make room for need bytes; false when stream.app-buffer or the memcap says no. */
static bool stream_abuf_reserve(struct stream_ctx *s, struct stream_dir *sd, size_t need)
{
    if (need > s->app_buffer)
        return false;
    if (need <= sd->acap)
        return true;
    size_t cap = sd->acap ? sd->acap : STREAM_ABUF_MIN;
    while (cap < need)
        cap *= 2;
    if (cap > s->app_buffer)
        cap = (size_t)s->app_buffer;
    if (!stream_mem_get(s, cap - sd->acap))
        return false;
    uint8_t *b = realloc(sd->abuf, cap);
    if (!b) {
        stream_mem_put(s, cap - sd->acap);
        return false;
    }
    sd->abuf = b;
    sd->acap = cap;
    return true;
}

/* The unconsumed bytes cannot be kept: drop them, the consumer sees a gap. */
static void stream_abuf_overflow(struct stream_ctx *s, struct stream_dir *sd)
{
    stats_inc(s->stats, STAT_APP_BUFFER_CAP_HIT);
    stream_abuf_release(s, sd, true);
    sd->gap_pending = true;
}

static size_t stream_call(struct stream_ctx *s, struct flow *f, struct packet *p, int d,
                          const uint8_t *data, size_t n, bool eof)
{
    struct stream_dir *sd = &f->stream->dir[d];
    unsigned flags = (sd->gap_pending ? STREAM_GAP : 0u) | (eof ? STREAM_EOF : 0u);
    sd->gap_pending = false;
    if (n)
        sd->delivered = true;
    size_t used = s->deliver(s->arg, f, p, d, data, n, flags);
    return used > n ? n : used;
}

/* Hand n in-order bytes (and/or EOF) to the consumer, after whatever it left
 * unconsumed last time; keep what it does not take now. */
static void stream_feed(struct stream_ctx *s, struct flow *f, struct packet *p, int d,
                        const uint8_t *data, size_t n, bool eof)
{
    struct stream_dir *sd = &f->stream->dir[d];
    if (sd->alen && !stream_abuf_reserve(s, sd, sd->alen + n))
        stream_abuf_overflow(s, sd);
    if (sd->alen == 0) {
        if (n == 0 && !eof)
            return;
        size_t used = stream_call(s, f, p, d, data, n, eof);
        if (eof || used == n)
            return;
        if (!stream_abuf_reserve(s, sd, n - used)) {
            stream_abuf_overflow(s, sd);
            return;
        }
        memcpy(sd->abuf, data + used, n - used);
        sd->alen = n - used;
        return;
    }
    assert(!sd->gap_pending);
    if (n)
        memcpy(sd->abuf + sd->alen, data, n);
    sd->alen += n;
    size_t used = stream_call(s, f, p, d, sd->abuf, sd->alen, eof);
    if (eof || used == sd->alen) {
        stream_abuf_release(s, sd, !eof);
        return;
    }
    memmove(sd->abuf, sd->abuf + used, sd->alen - used);
    sd->alen -= used;
}

/* Accept n bytes at next_off: remember them for overlap checks, hand them on. */
static void stream_accept(struct stream_ctx *s, struct flow *f, struct packet *p, int d,
                          const uint8_t *data, size_t n)
{
    struct stream_dir *sd = &f->stream->dir[d];
    assert(sd->next_off + n <= stream_limit(s, sd));
    stream_win_record(s, sd, data, n);
    sd->next_off += n;
    sd->next_seq += (uint32_t)n;
    stream_feed(s, f, p, d, data, n, false);
}

/* ---- out-of-order queue ---- */

static void stream_seg_free(struct stream_ctx *s, struct stream_flow *sf, struct stream_seg *seg)
{
    assert(sf->nseg > 0 && sf->qbytes >= seg->len);
    sf->nseg--;
    sf->qbytes -= seg->len;
    stream_mem_put(s, sizeof *seg + seg->len);
    free(seg);
}

/* A queued copy of n bytes, or NULL when a cap says no (counted). */
static struct stream_seg *stream_seg_new(struct stream_ctx *s, struct flow *f, struct packet *p,
                                         uint64_t off, const uint8_t *data, size_t n)
{
    struct stream_flow *sf = f->stream;
    enum stat_id hit = STAT_MAX;
    if (sf->nseg >= s->max_segments)
        hit = STAT_TCP_SEGMENT_MEMCAP_HIT;
    else if (sf->qbytes + n > s->flow_memcap)
        hit = STAT_TCP_FLOW_MEMCAP_HIT;
    else if (!stream_mem_get(s, sizeof(struct stream_seg) + n))
        hit = STAT_TCP_SEGMENT_MEMCAP_HIT;
    if (hit != STAT_MAX) {
        stats_inc(s->stats, hit);
        stream_event(s, p, EV_STREAM_MEMCAP);
        return NULL;
    }
    struct stream_seg *seg = malloc(sizeof *seg + n);
    if (!seg) {
        stream_mem_put(s, sizeof(struct stream_seg) + n);
        stats_inc(s->stats, STAT_TCP_SEGMENT_MEMCAP_HIT);
        stream_event(s, p, EV_STREAM_MEMCAP);
        return NULL;
    }
    seg->next = NULL;
    seg->off = off;
    seg->len = (uint32_t)n;
    memcpy(seg->data, data, n);
    sf->nseg++;
    sf->qbytes += n;
    return seg;
}

static void stream_queue_free(struct stream_ctx *s, struct stream_flow *sf, struct stream_dir *sd)
{
    while (sd->q) {
        struct stream_seg *seg = sd->q;
        sd->q = seg->next;
        stream_seg_free(s, sf, seg);
    }
}

/* Free queued segments that start at or beyond lim (past a FIN). */
static void stream_queue_trim(struct stream_ctx *s, struct stream_flow *sf, struct stream_dir *sd, uint64_t lim)
{
    struct stream_seg **link = &sd->q;
    while (*link && (*link)->off < lim)
        link = &(*link)->next;
    while (*link) {
        struct stream_seg *seg = *link;
        *link = seg->next;
        stream_seg_free(s, sf, seg);
    }
}

/* Accept queued segments while the head touches next_off; drop what lies
 * at or beyond the limit (depth, FIN). */
static void stream_drain(struct stream_ctx *s, struct flow *f, struct packet *p, int d)
{
    struct stream_flow *sf = f->stream;
    struct stream_dir *sd = &sf->dir[d];
    uint64_t lim = stream_limit(s, sd);
    while (sd->q && sd->q->off <= sd->next_off) {
        struct stream_seg *seg = sd->q;
        sd->q = seg->next;
        uint64_t end = TG_MIN(seg->off + seg->len, lim);
        if (end > sd->next_off)
            stream_accept(s, f, p, d, seg->data + (sd->next_off - seg->off), (size_t)(end - sd->next_off));
        stream_seg_free(s, sf, seg);
    }
    if (sd->next_off >= lim)
        stream_queue_free(s, sf, sd);
}

/* Skip the hole before offset off: what was missing will not come. */
static void stream_gap_to(struct stream_ctx *s, struct flow *f, struct packet *p, int d, uint64_t off)
{
    struct stream_dir *sd = &f->stream->dir[d];
    assert(off > sd->next_off);
    stats_inc(s->stats, STAT_TCP_GAPS);
    stream_event(s, p, EV_STREAM_SEQ_GAP);
    sd->next_seq += (uint32_t)(off - sd->next_off);
    sd->next_off = off;
    sd->win_lo = off; /* the ring holds nothing valid for the skipped bytes */
    if (sd->alen)
        stream_abuf_release(s, sd, true);
    sd->gap_pending = true;
    stream_drain(s, f, p, d);
}

/* Deliver everything queued, declaring a gap before each hole. */
static void stream_flush(struct stream_ctx *s, struct flow *f, struct packet *p, int d)
{
    struct stream_dir *sd = &f->stream->dir[d];
    stream_queue_trim(s, f->stream, sd, stream_limit(s, sd));
    while (sd->q) {
        if (sd->q->off > sd->next_off)
            stream_gap_to(s, f, p, d, sd->q->off);
        else
            stream_drain(s, f, p, d);
    }
}

/* ---- closing ---- */

static void stream_sync_state(struct flow *f)
{
    const struct stream_flow *sf = f->stream;
    if (sf->rst || (sf->dir[0].fin && sf->dir[1].fin))
        f->state = FLOW_STATE_CLOSED;
    else if (sf->hs == STREAM_HS_ESTABLISHED)
        f->state = FLOW_STATE_ESTABLISHED;
    else
        f->state = FLOW_STATE_NEW;
}

/* Close one direction: hand on the rest with EOF (when it ever carried
 * data), free its buffers. flush delivers queued data across holes first
 * (RST, flow end); a FIN close has nothing queued below the FIN. */
static void stream_close_dir(struct stream_ctx *s, struct flow *f, struct packet *p, int d, bool flush)
{
    struct stream_flow *sf = f->stream;
    struct stream_dir *sd = &sf->dir[d];
    if (sd->closed)
        return;
    if (flush)
        stream_flush(s, f, p, d);
    stream_queue_free(s, sf, sd);
    if (sd->delivered || sd->alen)
        stream_feed(s, f, p, d, NULL, 0, true);
    sd->closed = true;
    stream_abuf_release(s, sd, false);
    if (sd->win_cap) {
        stream_mem_put(s, sd->win_cap);
        free(sd->win);
        sd->win = NULL;
        sd->win_cap = 0;
    }
}

/* A FIN closes its direction once every byte before it was accepted (or
 * the depth was reached, after which nothing more is accepted anyway). */
static void stream_check_close(struct stream_ctx *s, struct flow *f, struct packet *p, int d)
{
    struct stream_dir *sd = &f->stream->dir[d];
    if (sd->fin && !sd->closed && sd->next_off >= stream_limit(s, sd))
        stream_close_dir(s, f, p, d, false);
}

/* ---- segments ---- */

static void stream_dir_init(struct stream_dir *sd, uint32_t next_seq)
{
    sd->init = true;
    sd->next_seq = next_seq;
    sd->next_off = 0;
    sd->win_lo = 0;
}

/* Offset of a sequence number; negative when it lies before offset 0. */
static int64_t stream_off(const struct stream_dir *sd, uint32_t seq)
{
    return (int64_t)sd->next_off + stream_seq_diff(seq, sd->next_seq);
}

/* Fill the queue's holes inside [pos, end) with data (which starts at
 * offset base) and compare the parts that fall on queued bytes. Stops early
 * when a cap says no; returns how far it got. */
static uint64_t stream_queue_insert(struct stream_ctx *s, struct flow *f, struct packet *p, int d,
                                    uint64_t pos, uint64_t end, const uint8_t *data, uint64_t base,
                                    size_t *fresh, bool *diff)
{
    struct stream_dir *sd = &f->stream->dir[d];
    struct stream_seg **link = &sd->q;
    while (pos < end) {
        while (*link && (*link)->off + (*link)->len <= pos)
            link = &(*link)->next;
        struct stream_seg *seg = *link;
        if (seg && seg->off <= pos) {
            uint64_t n = TG_MIN(end, seg->off + seg->len) - pos;
            if (memcmp(seg->data + (pos - seg->off), data + (pos - base), (size_t)n) != 0)
                *diff = true;
            pos += n;
            continue;
        }
        uint64_t hole_end = seg ? TG_MIN(end, seg->off) : end;
        struct stream_seg *nseg = stream_seg_new(s, f, p, pos, data + (pos - base), (size_t)(hole_end - pos));
        if (!nseg)
            break;
        nseg->next = seg;
        *link = nseg;
        link = &nseg->next;
        *fresh += (size_t)(hole_end - pos);
        pos = hole_end;
    }
    return pos;
}

/* One data segment: len bytes at sequence number seq. */
static void stream_data(struct stream_ctx *s, struct flow *f, struct packet *p, int d,
                        uint32_t seq, const uint8_t *data, size_t len)
{
    struct stream_dir *sd = &f->stream->dir[d];
    stats_inc(s->stats, STAT_TCP_SEGMENTS);
    int64_t a = stream_off(sd, seq);
    size_t covered = 0, fresh = 0;
    bool diff = false, queued = false;
    if (a < 0) {
        /* bytes from before the stream start: too old to compare */
        size_t skip = (size_t)TG_MIN((uint64_t)-a, (uint64_t)len);
        covered += skip;
        data += skip;
        len -= skip;
        a = 0;
    }
    uint64_t base = (uint64_t)a, pos = base, end = base + len;
    if (s->depth && end > s->depth && !sd->depth_hit) {
        sd->depth_hit = true;
        stats_inc(s->stats, STAT_TCP_DEPTH_REACHED);
    }
    uint64_t lim = stream_limit(s, sd);
    if (end > lim)
        end = TG_MAX(pos, lim);
    while (pos < end) {
        if (pos < sd->next_off) {
            /* already accepted: a retransmission, or an attempt to rewrite */
            uint64_t n = TG_MIN(end, sd->next_off) - pos;
            if (stream_win_differs(sd, pos, data + (pos - base), (size_t)n))
                diff = true;
            covered += (size_t)n;
            pos += n;
        } else if (pos == sd->next_off) {
            uint64_t stop = sd->q ? TG_MIN(end, sd->q->off) : end;
            assert(stop > pos);
            stream_accept(s, f, p, d, data + (pos - base), (size_t)(stop - pos));
            fresh += (size_t)(stop - pos);
            pos = stop;
            stream_drain(s, f, p, d);
        } else {
            size_t before = fresh;
            uint64_t done = stream_queue_insert(s, f, p, d, pos, end, data, base, &fresh, &diff);
            if (fresh > before)
                queued = true;
            covered += (size_t)(done - pos) - (fresh - before);
            pos = done;
            if (pos < end) {
                /* a cap said no: hand on what is queued across its holes,
                 * then skip to this segment rather than grow */
                stream_flush(s, f, p, d);
                if (pos > sd->next_off)
                    stream_gap_to(s, f, p, d, pos);
            }
        }
    }
    if (queued)
        stats_inc(s->stats, STAT_TCP_OUT_OF_ORDER);
    if (covered) {
        if (diff) {
            stats_inc(s->stats, STAT_TCP_OVERLAPS);
            stats_inc(s->stats, STAT_TCP_OVERLAP_DIFF);
            stream_event(s, p, EV_STREAM_OVERLAP_DIFF_DATA);
        } else if (fresh) {
            stats_inc(s->stats, STAT_TCP_OVERLAPS);
        } else {
            stats_inc(s->stats, STAT_TCP_RETRANSMISSIONS);
        }
    }
}

/* The peer acknowledged bytes of direction d up to ack. Bytes below an ACK
 * reached the receiver, so a hole there means the sensor missed them: skip
 * it when data waits behind it (queued, or a FIN). Never skip past what
 * was seen, so a forged ACK cannot make the sensor jump ahead. */
static void stream_ack(struct stream_ctx *s, struct flow *f, struct packet *p, int d, uint32_t ack)
{
    struct stream_dir *sd = &f->stream->dir[d];
    if (!sd->init || sd->closed || (!sd->q && !sd->fin))
        return;
    int32_t rel = stream_seq_diff(ack, sd->next_seq);
    if (rel <= 0)
        return;
    uint64_t acked = sd->next_off + (uint64_t)rel;
    /* one ACK may cover several holes between queued segments */
    while (sd->next_off < acked && (sd->q || sd->fin)) {
        uint64_t target = acked;
        if (sd->q && sd->q->off < target)
            target = sd->q->off;
        target = TG_MIN(target, stream_limit(s, sd));
        if (target <= sd->next_off)
            break;
        stream_gap_to(s, f, p, d, target);
    }
    stream_check_close(s, f, p, d);
}

/* A keep-alive probe repeats the last byte sent (RFC 1122 4.2.3.6), and
 * many stacks fill it with garbage: it is neither data nor an overlap. */
static bool stream_keepalive(const struct stream_dir *sd, const struct packet *p)
{
    return p->payload_len == 1 && !(p->tcp_flags & (TCP_SYN | TCP_FIN | TCP_RST)) &&
           p->tcp_seq == sd->next_seq - 1;
}

static void stream_reset_flow(struct stream_ctx *s, struct stream_flow *sf)
{
    for (int d = 0; d < 2; d++) {
        struct stream_dir *sd = &sf->dir[d];
        stream_queue_free(s, sf, sd);
        stream_abuf_release(s, sd, false);
        if (sd->win_cap)
            stream_mem_put(s, sd->win_cap);
        free(sd->win);
    }
    assert(sf->nseg == 0 && sf->qbytes == 0);
    memset(sf, 0, sizeof *sf);
}

/* SYN and SYN/ACK: learn the ISNs and check the SYN/ACK acknowledges the
 * SYN. Returns false when the packet must be ignored. */
static bool stream_handshake(struct stream_ctx *s, struct flow *f, struct packet *p, int d)
{
    struct stream_flow *sf = f->stream;
    struct stream_dir *sd = &sf->dir[d], *od = &sf->dir[d ^ 1];
    if (p->tcp_flags & TCP_ACK) {
        /* A SYN/ACK that does not acknowledge the SYN is forged or stale;
         * taking its ISN would let it steer the whole session. */
        if (od->syn && p->tcp_ack != od->isn + 1) {
            stream_event(s, p, EV_STREAM_3WHS_SYNACK_WITH_WRONG_ACK);
            return false;
        }
        if (!sd->init) {
            stream_dir_init(sd, p->tcp_seq + 1);
            sd->syn = true;
            sd->isn = p->tcp_seq;
        }
        if (!od->init) /* the SYN was missed: its ACK says where the peer stands */
            stream_dir_init(od, p->tcp_ack);
        if (sf->hs < STREAM_HS_SYNACK) {
            sf->hs = STREAM_HS_SYNACK;
            sf->synack_dir = (uint8_t)d;
        }
    } else if (!sd->init) {
        stream_dir_init(sd, p->tcp_seq + 1);
        sd->syn = true;
        sd->isn = p->tcp_seq;
        if (sf->hs == STREAM_HS_NONE)
            sf->hs = STREAM_HS_SYN;
    }
    return true;
}

/* A RST must sit near the sequence number expected from its sender, or,
 * from a side that never sent anything, acknowledge where the peer stands:
 * exactly its SYN for a refused connection (RFC 793 SYN-SENT), at most what
 * the peer sent otherwise. */
static bool stream_rst_valid(const struct stream_flow *sf, int d, const struct packet *p, uint32_t seq)
{
    const struct stream_dir *sd = &sf->dir[d], *od = &sf->dir[d ^ 1];
    if (sd->init) {
        int32_t rel = stream_seq_diff(seq, sd->next_seq);
        return rel >= -STREAM_RST_WINDOW && rel <= STREAM_RST_WINDOW;
    }
    if ((p->tcp_flags & TCP_ACK) && od->init) {
        int32_t rel = stream_seq_diff(p->tcp_ack, od->next_seq);
        if (od->next_off == 0)
            return rel == 0;
        return rel >= -STREAM_RST_WINDOW && rel <= 0;
    }
    return true;
}

void stream_process(struct stream_ctx *s, struct flow *f, struct packet *p)
{
    if (!f->stream) {
        if (!stream_mem_get(s, sizeof(struct stream_flow))) {
            stats_inc(s->stats, STAT_TCP_SEGMENT_MEMCAP_HIT);
            stream_event(s, p, EV_STREAM_MEMCAP);
            return;
        }
        f->stream = calloc(1, sizeof *f->stream);
        if (!f->stream) {
            stream_mem_put(s, sizeof(struct stream_flow));
            return;
        }
        stats_inc(s->stats, STAT_TCP_SESSIONS);
    }
    struct stream_flow *sf = f->stream;
    int d = p->dir & 1;
    struct stream_dir *sd = &sf->dir[d];
    uint8_t fl = p->tcp_flags;

    /* A SYN on a finished session starts a new one on the same 4-tuple:
     * a reconnect after a refusal (RST) even reuses the ISN. */
    if ((fl & TCP_SYN) && !(fl & TCP_ACK) && sf->dir[0].closed && sf->dir[1].closed) {
        stream_reset_flow(s, sf);
        stats_inc(s->stats, STAT_TCP_SESSIONS);
    }

    if ((fl & TCP_SYN) && !stream_handshake(s, f, p, d))
        goto out;
    uint32_t seq = p->tcp_seq + ((fl & TCP_SYN) ? 1u : 0u);

    if (!sd->init && (p->payload_len || (fl & TCP_FIN))) {
        stream_dir_init(sd, seq);
        if (sf->hs == STREAM_HS_NONE) {
            /* no handshake seen: the session was already up */
            stats_inc(s->stats, STAT_TCP_MIDSTREAM);
            sf->hs = STREAM_HS_ESTABLISHED;
        }
    }

    if (fl & TCP_RST) {
        if (!sf->rst && stream_rst_valid(sf, d, p, seq)) {
            sf->rst = true;
            stats_inc(s->stats, STAT_TCP_RST);
            stream_close_dir(s, f, p, d, true);
            stream_close_dir(s, f, p, d ^ 1, true);
        }
        goto out;
    }

    /* the third packet of the handshake (or anything from the SYN side
     * acknowledging the SYN/ACK, if the pure ACK was missed) */
    if (sf->hs == STREAM_HS_SYNACK && d != sf->synack_dir && (fl & TCP_ACK) && !(fl & TCP_SYN) &&
        stream_seq_geq(p->tcp_ack, sf->dir[d ^ 1].isn + 1))
        sf->hs = STREAM_HS_ESTABLISHED;
    /* data with an ACK after a SYN: the handshake completed where the
     * sensor could not see it (one direction of an asymmetric route) */
    if (sf->hs != STREAM_HS_ESTABLISHED && sf->hs != STREAM_HS_NONE && p->payload_len && (fl & TCP_ACK) &&
        !(fl & TCP_SYN))
        sf->hs = STREAM_HS_ESTABLISHED;

    if (sd->init && !sd->closed) {
        if (p->payload_len && !stream_keepalive(sd, p))
            stream_data(s, f, p, d, seq, p->payload, p->payload_len);
        if ((fl & TCP_FIN) && !sd->fin) {
            int64_t fo = stream_off(sd, seq + p->payload_len);
            /* a FIN behind accepted data is not believed */
            if (fo >= (int64_t)sd->next_off) {
                sd->fin = true;
                sd->fin_off = (uint64_t)fo;
                stats_inc(s->stats, STAT_TCP_FIN);
                stream_queue_trim(s, sf, sd, sd->fin_off); /* nothing lies past a FIN */
            }
        }
        stream_check_close(s, f, p, d);
    }

    if ((fl & TCP_ACK) && !(fl & TCP_SYN))
        stream_ack(s, f, p, d ^ 1, p->tcp_ack);

out:
    stream_sync_state(f);
    stats_set(s->stats, STAT_TCP_MEMUSE, s->memuse);
}

void stream_flow_end(struct stream_ctx *s, struct flow *f)
{
    struct stream_flow *sf = f->stream;
    if (!sf)
        return;
    for (int d = 0; d < 2; d++)
        if (sf->dir[d].init)
            stream_close_dir(s, f, NULL, d, true);
    stream_reset_flow(s, sf);
    free(sf);
    f->stream = NULL;
    stream_mem_put(s, sizeof(struct stream_flow));
    stats_set(s->stats, STAT_TCP_MEMUSE, s->memuse);
}
