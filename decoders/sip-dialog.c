/* sip-dialog.c - per-flow SIP dialog states for INVITE replay, FakeBusy and the dialog cap (Snort semantics). */
#include <stdlib.h>
#include <string.h>
#include "sip-dialog.h"

enum sip_dlg_state {
    SIP_DLG_CREATE = 0,
    SIP_DLG_INVITING,
    SIP_DLG_EARLY,
    SIP_DLG_AUTHENTICATING,
    SIP_DLG_ESTABLISHED,
    SIP_DLG_REINVITING,
    SIP_DLG_TERMINATING
};

/* SDP sessions remembered per dialog (one per side is the normal case). */
#define SIP_DLG_MEDIA 4

struct sip_dlg_media {
    uint64_t session; /* o= username, sess-id and address (not the version) */
    uint64_t media;   /* every c= address and m= port/count, in order */
};

struct sip_dialog {
    uint64_t call_id;  /* FNV-1a of the Call-ID value */
    uint64_t age;      /* insertion order, for evicting the oldest */
    uint8_t state;
    bool challenged;   /* a 401/407 was seen in this dialog on this flow */
    uint8_t n_media;
    struct sip_dlg_media media[SIP_DLG_MEDIA];
};

/* Entries allocated up front; the table grows (doubling) up to max, so a
 * large sip.max_dialogs costs memory only on flows that use it. */
#define SIP_DLG_INITIAL 4

struct sip_dialog_table {
    uint32_t max, n, cap;
    uint64_t clock;
    struct sip_dialog *d;
};

struct sip_dialog_table *sip_dialog_table_new(uint32_t max)
{
    if (max == 0)
        max = 1;
    struct sip_dialog_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->max = max;
    t->cap = TG_MIN(max, SIP_DLG_INITIAL);
    t->d = calloc(t->cap, sizeof *t->d);
    if (!t->d) {
        free(t);
        return NULL;
    }
    return t;
}

void sip_dialog_table_free(struct sip_dialog_table *t)
{
    if (t)
        free(t->d);
    free(t);
}

uint32_t sip_dialog_count(const struct sip_dialog_table *t) { return t->n; }

static uint64_t sip_fnv(uint64_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

#define SIP_FNV_INIT 0xcbf29ce484222325ULL

/* SDP identity of a body (Snort's sessionID and media list); false when the
 * body has no o= line. */
static bool sip_sdp_identity(const struct sip_range *body, struct sip_dlg_media *out)
{
    const uint8_t *p = body->p, *end = body->p + body->len;
    bool have_o = false;
    out->session = SIP_FNV_INIT;
    out->media = SIP_FNV_INIT;
    while (p < end) {
        const uint8_t *eol = memchr(p, '\n', (size_t)(end - p));
        const uint8_t *le = eol ? eol : end;
        const uint8_t *ce = (le > p && le[-1] == '\r') ? le - 1 : le;
        size_t n = (size_t)(ce - p);
        if (n >= 2 && p[1] == '=') {
            if (p[0] == 'o' && !have_o) {
                /* o=<username> <sess-id> <sess-version> <nettype> <addrtype> <addr> */
                const uint8_t *f[6];
                size_t fl[6], k = 0;
                const uint8_t *q = p + 2;
                while (q < ce && k < 6) {
                    while (q < ce && *q == ' ')
                        q++;
                    const uint8_t *s = q;
                    while (q < ce && *q != ' ')
                        q++;
                    if (q > s) {
                        f[k] = s;
                        fl[k++] = (size_t)(q - s);
                    }
                }
                for (size_t i = 0; i < k; i++)
                    if (i != 2)
                        out->session = sip_fnv(out->session, f[i], fl[i] + (i + 1 < k ? 1 : 0));
                have_o = true;
            } else if (p[0] == 'c' || p[0] == 'm') {
                out->media = sip_fnv(out->media, p, n);
            }
        }
        p = eol ? eol + 1 : end;
    }
    return have_o;
}

static struct sip_dialog *sip_dialog_find(struct sip_dialog_table *t, uint64_t id)
{
    for (uint32_t i = 0; i < t->n; i++)
        if (t->d[i].call_id == id)
            return &t->d[i];
    return NULL;
}

static void sip_dialog_delete(struct sip_dialog_table *t, struct sip_dialog *d)
{
    size_t i = (size_t)(d - t->d);
    t->d[i] = t->d[--t->n];
}

/* Snort's SIP_checkMediaChange: true when the SDP is new to the dialog or differs. */
static bool sip_media_changed(const struct sip_dialog *d, const struct sip_dlg_media *m)
{
    for (unsigned i = 0; i < d->n_media; i++)
        if (d->media[i].session == m->session)
            return d->media[i].media != m->media;
    return true;
}

static void sip_media_update(struct sip_dialog *d, const struct sip_dlg_media *m)
{
    for (unsigned i = 0; i < d->n_media; i++)
        if (d->media[i].session == m->session) {
            d->media[i] = *m;
            return;
        }
    if (d->n_media < SIP_DLG_MEDIA)
        d->media[d->n_media++] = *m;
    else
        d->media[SIP_DLG_MEDIA - 1] = *m;
}

static bool sip_range_is(const struct sip_range *r, const char *s)
{
    size_t n = strlen(s);
    return r->len == n && memcmp(r->p, s, n) == 0;
}

sip_event_set sip_dialog_update(struct sip_dialog_table *t, const struct sip_msg *m, bool *cap_hit)
{
    *cap_hit = false;
    const struct sip_header *cid = sip_msg_header(m, SIP_HDR_CALL_ID);
    if (!cid || cid->value.len == 0)
        return 0;
    uint64_t id = sip_fnv(SIP_FNV_INIT, cid->value.p, cid->value.len);
    struct sip_dialog *d = sip_dialog_find(t, id);
    sip_event_set ev = 0;
    bool req = m->flags & SIP_MF_REQUEST;
    struct sip_dlg_media media;
    bool has_sdp = m->body.len && sip_sdp_identity(&m->body, &media);

    if (!req) {
        if (!d)
            return 0;
        const struct sip_header *cs = sip_msg_header(m, SIP_HDR_CSEQ);
        struct sip_range meth = {NULL, 0};
        uint64_t num;
        bool ok;
        if (cs)
            sip_cseq_split(&cs->value, &num, &ok, &meth);
        uint32_t code = m->status_code, cls = code / 100;
        if (cls == 1) {
            if (d->state == SIP_DLG_CREATE || d->state == SIP_DLG_INVITING)
                d->state = SIP_DLG_EARLY;
            if (has_sdp)
                sip_media_update(d, &media);
        } else if (cls == 2) {
            if (d->state == SIP_DLG_TERMINATING || sip_range_is(&meth, "BYE")) {
                sip_dialog_delete(t, d);
                return 0;
            }
            if (sip_range_is(&meth, "INVITE") || d->state != SIP_DLG_ESTABLISHED) {
                if (has_sdp)
                    sip_media_update(d, &media);
                d->state = SIP_DLG_ESTABLISHED;
            }
        } else if (cls >= 3 && cls <= 6) {
            if (code == 401 || code == 407) {
                d->state = SIP_DLG_AUTHENTICATING;
                d->challenged = true;
            }
            else if (d->state == SIP_DLG_REINVITING)
                d->state = SIP_DLG_ESTABLISHED; /* a failed re-INVITE keeps the dialog */
            else if (sip_range_is(&meth, "INVITE") && d->state != SIP_DLG_ESTABLISHED)
                sip_dialog_delete(t, d); /* a failed INVITE leaves no dialog (RFC 3261 12.1) */
        }
        return 0;
    }

    bool invite = sip_range_is(&m->method, "INVITE");
    if (!d) {
        /* Only dialog-creating requests open an entry (RFC 3261 12, RFC 6665,
         * RFC 3515). Snort also opens one for REGISTER, OPTIONS and the like,
         * which makes a registrar's flow hit max_dialogs with no call at all. */
        if (!invite && !sip_range_is(&m->method, "SUBSCRIBE") && !sip_range_is(&m->method, "REFER"))
            return 0;
        if (t->n >= t->cap && t->cap < t->max) {
            uint32_t ncap = t->cap > t->max / 2 ? t->max : t->cap * 2;
            struct sip_dialog *nd = realloc(t->d, (size_t)ncap * sizeof *nd);
            if (nd) {
                t->d = nd;
                t->cap = ncap;
            }
        }
        if (t->n >= t->cap) {
            /* full (or out of memory growing): as Snort, the oldest dialog makes room */
            ev |= SIP_EV_BIT(SIP_EV_MAX_DIALOGS);
            *cap_hit = true;
            uint32_t old = 0;
            for (uint32_t i = 1; i < t->n; i++)
                if (t->d[i].age < t->d[old].age)
                    old = i;
            sip_dialog_delete(t, &t->d[old]);
        }
        d = &t->d[t->n++];
        memset(d, 0, sizeof *d);
        d->call_id = id;
        d->age = ++t->clock;
        d->state = SIP_DLG_CREATE;
        if (has_sdp)
            sip_media_update(d, &media);
        if (!invite)
            return ev;
    }
    if (invite) {
        bool creds = m->count[SIP_HDR_AUTHORIZATION] || m->count[SIP_HDR_PROXY_AUTHORIZATION];
        /* Credentials the flow never asked for: a captured INVITE replayed.
         * Snort tests "not in the challenged state", which also flags the
         * retransmission of the authenticated INVITE and every re-INVITE
         * that carries cached credentials; "never challenged" does not. */
        if (creds && !d->challenged) {
            ev |= SIP_EV_BIT(SIP_EV_AUTH_INVITE_REPLAY_ATTACK);
            return ev;
        }
        if (d->state == SIP_DLG_ESTABLISHED) {
            /* a re-INVITE may change the session; its copies must then match it */
            if (has_sdp)
                sip_media_update(d, &media);
            d->state = SIP_DLG_REINVITING;
            return ev;
        }
        if (d->state == SIP_DLG_INVITING || d->state == SIP_DLG_EARLY || d->state == SIP_DLG_REINVITING ||
            d->state == SIP_DLG_AUTHENTICATING) {
            if (has_sdp && sip_media_changed(d, &media))
                ev |= SIP_EV_BIT(SIP_EV_AUTH_INVITE_DIFF_SESSION);
        }
        if (has_sdp)
            sip_media_update(d, &media);
        d->state = SIP_DLG_INVITING;
    } else if (sip_range_is(&m->method, "CANCEL")) {
        if (d->state == SIP_DLG_CREATE || d->state == SIP_DLG_INVITING || d->state == SIP_DLG_EARLY)
            sip_dialog_delete(t, d);
    } else if (sip_range_is(&m->method, "BYE")) {
        if (d->state == SIP_DLG_ESTABLISHED)
            d->state = SIP_DLG_TERMINATING;
    }
    return ev;
}
