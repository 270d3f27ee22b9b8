/* baseline.c - learns per-method field lengths, byte sets, value sets and header presence from clean SIP traffic and writes them as commented rules. */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "../decoders/sip.h"
#include "../sensor/config.h"
#include "baseline.h"

/* ---- histogram ---- */

static uint32_t hist_bucket(uint32_t len)
{
    if (len < BASELINE_HIST_EXACT)
        return len;
    uint32_t w = (len - BASELINE_HIST_EXACT) / BASELINE_HIST_STEP;
    return w < BASELINE_HIST_WIDE ? BASELINE_HIST_EXACT + w : BASELINE_HIST_BUCKETS - 1;
}

/* Largest length that falls into bucket i (the last bucket has no edge). */
static uint32_t hist_upper(uint32_t i)
{
    if (i < BASELINE_HIST_EXACT)
        return i;
    if (i < BASELINE_HIST_EXACT + BASELINE_HIST_WIDE)
        return BASELINE_HIST_EXACT + (i - BASELINE_HIST_EXACT + 1) * BASELINE_HIST_STEP - 1;
    return UINT32_MAX;
}

void baseline_hist_add(struct baseline_hist *h, uint32_t len)
{
    h->n++;
    if (len > h->max)
        h->max = len;
    uint32_t *b = &h->bucket[hist_bucket(len)];
    if (*b < UINT32_MAX)
        (*b)++;
}

uint32_t baseline_hist_percentile(const struct baseline_hist *h, unsigned pct)
{
    if (!h->n)
        return 0;
    if (pct > 100)
        pct = 100;
    /* rank of the sample that pct percent of the samples do not exceed */
    uint64_t rank = (h->n * pct + 99) / 100;
    if (rank == 0)
        rank = 1;
    uint64_t cum = 0;
    for (uint32_t i = 0; i < BASELINE_HIST_BUCKETS; i++) {
        cum += h->bucket[i];
        if (cum >= rank) {
            uint32_t u = hist_upper(i);
            return u < h->max ? u : h->max;
        }
    }
    return h->max; /* saturated buckets: fall back to the exact maximum */
}

/* ---- byte sets ---- */

static bool cs_has(const struct baseline_charset *c, unsigned b)
{
    return (c->bits[b >> 3] >> (b & 7)) & 1;
}

void baseline_charset_add(struct baseline_charset *c, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        c->bits[p[i] >> 3] |= (uint8_t)(1u << (p[i] & 7));
}

static bool cs_any(const struct baseline_charset *c, unsigned lo, unsigned hi)
{
    for (unsigned b = lo; b <= hi; b++)
        if (cs_has(c, b))
            return true;
    return false;
}

/* The generalised set: classes widened to whole digit / letter ranges. */
static void cs_general(const struct baseline_charset *c, struct baseline_charset *g)
{
    *g = *c;
    static const char ranges[3][2] = {{'0', '9'}, {'a', 'z'}, {'A', 'Z'}};
    for (int r = 0; r < 3; r++)
        if (cs_any(c, (unsigned)ranges[r][0], (unsigned)ranges[r][1]))
            for (unsigned b = (unsigned)ranges[r][0]; b <= (unsigned)ranges[r][1]; b++)
                g->bits[b >> 3] |= (uint8_t)(1u << (b & 7));
}

/* Append to dst at *n; false when it does not fit. */
__attribute__((format(printf, 4, 5))) static bool put(char *dst, size_t cap, size_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(dst + *n, cap > *n ? cap - *n : 0, fmt, ap);
    va_end(ap);
    if (k < 0 || *n + (size_t)k >= cap)
        return false;
    *n += (size_t)k;
    return true;
}

size_t baseline_charset_pcre_class(const struct baseline_charset *c, char *dst, size_t cap)
{
    struct baseline_charset g;
    cs_general(c, &g);
    size_t n = 0;
    unsigned allowed = 0;
    if (!put(dst, cap, &n, "[^"))
        return 0;
    for (unsigned b = 0; b < 256; b++) {
        if (!cs_has(&g, b))
            continue;
        allowed++;
        bool ok;
        if (b == '0' || b == 'a' || b == 'A')
            ok = put(dst, cap, &n, "%c-%c", b, b == '0' ? '9' : b + 25);
        else if (isalnum((int)b) && b < 0x80)
            ok = true; /* inside a range written at its first member */
        else
            ok = put(dst, cap, &n, "\\x%02x", b);
        if (!ok)
            return 0;
    }
    if (allowed == 256 || !put(dst, cap, &n, "]"))
        return 0;
    return n;
}

size_t baseline_charset_describe(const struct baseline_charset *c, char *dst, size_t cap)
{
    struct baseline_charset g;
    cs_general(c, &g);
    size_t n = 0;
    if (cap)
        dst[0] = '\0';
    /* ranges, then "and", then SP and non-printables one by one, then the
     * printable punctuation as one run: "0-9 a-z and SP \x01 -.:@" */
    char words[256 * 5 + 8] = "", run[100] = "";
    size_t wl = 0, rl = 0;
    static const char *const names[3] = {"0-9", "A-Z", "a-z"};
    static const unsigned firsts[3] = {'0', 'A', 'a'};
    for (int r = 0; r < 3; r++)
        if (cs_has(&g, firsts[r]) && !put(dst, cap, &n, "%s%s", n ? " " : "", names[r]))
            return n;
    for (unsigned b = 0; b < 256; b++) {
        if (!cs_has(&g, b) || (isalnum((int)b) && b < 0x80))
            continue;
        if (b > 0x20 && b < 0x7f)
            run[rl++] = (char)b;
        else if (b == ' ')
            put(words, sizeof words, &wl, "%sSP", wl ? " " : "");
        else
            put(words, sizeof words, &wl, "%s\\x%02x", wl ? " " : "", b);
    }
    run[rl] = '\0';
    if (!wl && !rl)
        return n;
    put(dst, cap, &n, "%sand", n ? " " : "");
    if (wl)
        put(dst, cap, &n, " %s", words);
    if (rl)
        put(dst, cap, &n, " %s", run);
    return n;
}

/* ---- value sets ---- */

void baseline_vset_add(struct baseline_vset *v, const uint8_t *p, size_t len)
{
    if (v->overflow)
        return;
    if (len > BASELINE_VALUE_MAX) {
        v->overflow = true;
        return;
    }
    for (uint32_t i = 0; i < v->n; i++)
        if (v->len[i] == len && memcmp(v->val[i], p, len) == 0) {
            v->seen[i]++;
            return;
        }
    if (v->n == BASELINE_VSET_MAX) {
        v->overflow = true;
        return;
    }
    memcpy(v->val[v->n], p, len);
    v->len[v->n] = (uint16_t)len;
    v->seen[v->n] = 1;
    v->n++;
}

bool baseline_vset_stable(const struct baseline_vset *v, uint32_t max_values)
{
    if (v->overflow || v->n == 0 || v->n > max_values)
        return false;
    for (uint32_t i = 0; i < v->n; i++)
        if (v->seen[i] < BASELINE_VSET_MIN_SEEN)
            return false;
    return true;
}

/* ---- the learner ---- */

enum bl_special { BL_HDR = 0, BL_METHOD, BL_URI, BL_REQUEST_LINE, BL_STAT_MSG };
#define BL_REQ 1
#define BL_RESP 2

/* The fields learned: rule buffer, where its bytes come from (the same
 * ranges sip_detect_buffer serves), and whether distinct values are kept. */
static const struct bl_field_def {
    const char *buf;
    enum bl_special src;
    enum sip_hdr_id hdr;
    uint8_t where;
    bool values;
} bl_fields[] = {
    {"sip.request_line", BL_REQUEST_LINE, SIP_HDR_OTHER, BL_REQ, false},
    {"sip.uri", BL_URI, SIP_HDR_OTHER, BL_REQ, false},
    {"sip.stat_msg", BL_STAT_MSG, SIP_HDR_OTHER, BL_RESP, false},
    {"sip.from", BL_HDR, SIP_HDR_FROM, BL_REQ | BL_RESP, false},
    {"sip.to", BL_HDR, SIP_HDR_TO, BL_REQ | BL_RESP, false},
    {"sip.via", BL_HDR, SIP_HDR_VIA, BL_REQ | BL_RESP, false},
    {"sip.call_id", BL_HDR, SIP_HDR_CALL_ID, BL_REQ | BL_RESP, false},
    {"sip.cseq", BL_HDR, SIP_HDR_CSEQ, BL_REQ | BL_RESP, false},
    {"sip.contact", BL_HDR, SIP_HDR_CONTACT, BL_REQ | BL_RESP, false},
    {"sip.user_agent", BL_HDR, SIP_HDR_USER_AGENT, BL_REQ | BL_RESP, true},
    {"sip.server", BL_HDR, SIP_HDR_SERVER, BL_REQ | BL_RESP, true},
    {"sip.content_type", BL_HDR, SIP_HDR_CONTENT_TYPE, BL_REQ | BL_RESP, true},
    {"sip.content_length", BL_HDR, SIP_HDR_CONTENT_LENGTH, BL_REQ | BL_RESP, false},
};
#define BL_NFIELDS TG_ARRAY_LEN(bl_fields)

#define BL_NAME_MAX 64 /* header names and methods longer than this are not learned */

struct bl_field {
    struct baseline_hist hist;
    struct baseline_charset cs;
    struct baseline_vset *vals; /* for value fields, allocated with the class */
};

struct bl_hdr {
    char name[BL_NAME_MAX];
    uint64_t present;   /* messages holding it */
    uint64_t multi;     /* messages holding it more than once */
    bool dedicated;     /* it has its own buffer (sip.from...): learned there */
    struct bl_field val; /* the values of every occurrence, for sip.header:NAME */
};

struct bl_class {
    char name[BL_NAME_MAX]; /* method; "response" for responses */
    bool response;
    uint64_t msgs;
    struct bl_field f[BL_NFIELDS];
    struct bl_hdr *hdrs;
    uint32_t nhdrs;
    uint64_t hdr_dropped; /* header names over the cap, not tracked */
};

struct baseline {
    struct baseline_opts o;
    uint64_t requests, responses;
    uint64_t unlearned;   /* requests of methods over the cap or not a token */
    struct baseline_vset methods;
    struct baseline_hist method_len;
    struct bl_class *resp;
    struct bl_class **req;
    uint32_t nreq;
};

void baseline_opts_default(struct baseline_opts *o, const struct config *cfg)
{
    o->margin_pct = 25;
    o->min_samples = 20;
    o->sid_base = BASELINE_SID_BASE;
    o->max_values = 8;
    o->max_classes = (uint32_t)config_get_u64(cfg, "baseline.max-methods", 32);
    o->max_headers = (uint32_t)config_get_u64(cfg, "baseline.max-header-names", 64);
}

static void class_free(struct bl_class *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < BL_NFIELDS; i++)
        free(c->f[i].vals);
    free(c->hdrs);
    free(c);
}

static struct bl_class *class_new(const char *name, size_t len, bool response, uint32_t max_headers)
{
    struct bl_class *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    memcpy(c->name, name, len);
    c->response = response;
    if (max_headers && !(c->hdrs = calloc(max_headers, sizeof *c->hdrs))) {
        free(c);
        return NULL;
    }
    for (size_t i = 0; i < BL_NFIELDS; i++)
        if (bl_fields[i].values && !(c->f[i].vals = calloc(1, sizeof *c->f[i].vals))) {
            class_free(c);
            return NULL;
        }
    return c;
}

struct baseline *baseline_new(const struct baseline_opts *o)
{
    struct baseline *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->o = *o;
    if (!(b->req = calloc(o->max_classes ? o->max_classes : 1, sizeof *b->req)) ||
        !(b->resp = class_new("response", 8, true, o->max_headers))) {
        baseline_free(b);
        return NULL;
    }
    return b;
}

void baseline_free(struct baseline *b)
{
    if (!b)
        return;
    for (uint32_t i = 0; i < b->nreq; i++)
        class_free(b->req[i]);
    free(b->req);
    class_free(b->resp);
    free(b);
}

uint64_t baseline_messages(const struct baseline *b)
{
    return b->requests + b->responses;
}

/* RFC 3261 token (method and header names); rules accept nothing else. */
static bool bl_token(const uint8_t *p, size_t n)
{
    if (!n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum(p[i]) && !strchr("-.!%*_+`'~", p[i]))
            return false;
    return true;
}

static struct bl_class *class_for(struct baseline *b, const struct sip_range *method)
{
    if (method->len >= BL_NAME_MAX || !bl_token(method->p, method->len))
        return NULL;
    for (uint32_t i = 0; i < b->nreq; i++)
        if (strlen(b->req[i]->name) == method->len && memcmp(b->req[i]->name, method->p, method->len) == 0)
            return b->req[i];
    if (b->nreq >= b->o.max_classes)
        return NULL;
    struct bl_class *c = class_new((const char *)method->p, method->len, false, b->o.max_headers);
    if (c)
        b->req[b->nreq++] = c;
    return c;
}

static void field_add(struct bl_field *f, const struct sip_range *r)
{
    baseline_hist_add(&f->hist, r->len);
    baseline_charset_add(&f->cs, r->p, r->len);
    if (f->vals)
        baseline_vset_add(f->vals, r->p, r->len);
}

/* Same header for sip.header_count: one id, or for unknown headers the same name in any case. */
static bool hdr_same(const struct sip_header *a, const struct sip_header *b)
{
    if (a->id != SIP_HDR_OTHER || b->id != SIP_HDR_OTHER)
        return a->id == b->id;
    return a->name.len == b->name.len && strncasecmp((const char *)a->name.p, (const char *)b->name.p, a->name.len) == 0;
}

/* True when a well-known header has its own rule buffer. */
static bool hdr_dedicated(enum sip_hdr_id id)
{
    for (size_t i = 0; i < BL_NFIELDS; i++)
        if (bl_fields[i].src == BL_HDR && bl_fields[i].hdr == id && id != SIP_HDR_OTHER)
            return true;
    return false;
}

/* The class's entry for h (by canonical name for well-known headers, by
 * name in any case otherwise), NULL when unknown or not learnable. */
static struct bl_hdr *hdr_find(struct bl_class *c, const struct sip_header *h, const char **name, size_t *nl)
{
    *name = h->id != SIP_HDR_OTHER ? sip_header_name((enum sip_hdr_id)h->id) : (const char *)h->name.p;
    *nl = h->id != SIP_HDR_OTHER ? strlen(*name) : h->name.len;
    if (h->id == SIP_HDR_OTHER && (*nl >= BL_NAME_MAX || !bl_token(h->name.p, *nl)))
        return NULL;
    for (uint32_t k = 0; k < c->nhdrs; k++)
        if (strlen(c->hdrs[k].name) == *nl && strncasecmp(c->hdrs[k].name, *name, *nl) == 0)
            return &c->hdrs[k];
    return NULL;
}

static void learn_headers(struct baseline *b, struct bl_class *c, const struct sip_msg *m)
{
    for (uint32_t i = 0; i < m->n_hdrs; i++) {
        const struct sip_header *h = &m->hdrs[i];
        if (h->flags & (SIP_HF_NO_COLON | SIP_HF_BAD_NAME))
            continue;
        bool earlier = false;
        for (uint32_t j = 0; j < i && !earlier; j++)
            earlier = !(m->hdrs[j].flags & (SIP_HF_NO_COLON | SIP_HF_BAD_NAME)) && hdr_same(&m->hdrs[j], h);
        if (earlier)
            continue;
        uint32_t n = 1;
        for (uint32_t j = i + 1; j < m->n_hdrs; j++)
            if (!(m->hdrs[j].flags & (SIP_HF_NO_COLON | SIP_HF_BAD_NAME)) && hdr_same(&m->hdrs[j], h))
                n++;
        const char *name;
        size_t nl;
        struct bl_hdr *e = hdr_find(c, h, &name, &nl);
        if (!e) {
            if (h->id == SIP_HDR_OTHER && (nl >= BL_NAME_MAX || !bl_token(h->name.p, nl)))
                continue;
            if (c->nhdrs >= b->o.max_headers) {
                c->hdr_dropped++;
                continue;
            }
            e = &c->hdrs[c->nhdrs++];
            memcpy(e->name, name, nl);
            e->name[nl] = '\0';
            e->dedicated = hdr_dedicated((enum sip_hdr_id)h->id);
        }
        e->present++;
        if (n > 1)
            e->multi++;
    }
    /* every occurrence's value, as sip.header:NAME serves them */
    for (uint32_t i = 0; i < m->n_hdrs; i++) {
        const struct sip_header *h = &m->hdrs[i];
        const char *name;
        size_t nl;
        if (h->flags & (SIP_HF_NO_COLON | SIP_HF_BAD_NAME))
            continue;
        struct bl_hdr *e = hdr_find(c, h, &name, &nl);
        if (e && !e->dedicated)
            field_add(&e->val, &h->value);
    }
}

void baseline_learn(struct baseline *b, const struct sip_msg *m)
{
    bool req = (m->flags & SIP_MF_REQUEST) != 0;
    if (!req && !(m->flags & SIP_MF_RESPONSE))
        return;
    struct bl_class *c;
    if (req) {
        b->requests++;
        baseline_vset_add(&b->methods, m->method.p, m->method.len);
        baseline_hist_add(&b->method_len, m->method.len);
        c = class_for(b, &m->method);
        if (!c) {
            b->unlearned++;
            return;
        }
    } else {
        b->responses++;
        c = b->resp;
    }
    c->msgs++;
    for (size_t i = 0; i < BL_NFIELDS; i++) {
        const struct bl_field_def *d = &bl_fields[i];
        if (!(d->where & (req ? BL_REQ : BL_RESP)))
            continue;
        const struct sip_range *r = NULL;
        switch (d->src) {
        case BL_HDR:
            for (uint32_t k = 0; k < m->n_hdrs; k++)
                if (m->hdrs[k].id == d->hdr)
                    field_add(&c->f[i], &m->hdrs[k].value);
            continue;
        case BL_METHOD: r = &m->method; break;
        case BL_URI: r = &m->uri; break;
        case BL_REQUEST_LINE: r = &m->start_line; break;
        case BL_STAT_MSG: r = &m->reason; break;
        }
        if (r && r->p)
            field_add(&c->f[i], r);
    }
    learn_headers(b, c, m);
}

/* ---- the writer ---- */

struct bl_out {
    FILE *f;
    const struct baseline *b;
    uint64_t sid;
    uint32_t rules;
};

__attribute__((format(printf, 4, 5))) static void out_rule(struct bl_out *o, const struct bl_class *c, const char *what, const char *fmt, ...)
{
    char opts[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(opts, sizeof opts, fmt, ap);
    va_end(ap);
    const char *sel = "";
    char selbuf[BL_NAME_MAX + 32];
    if (c && c->response)
        sel = "sip.stat_code; bsize:>0; ";
    else if (c) {
        snprintf(selbuf, sizeof selbuf, "sip_method:%s; ", c->name);
        sel = selbuf;
    }
    fprintf(o->f,
            "alert sip any any -> any any (msg:\"TOLLGATE BASELINE %s%s%s\"; %s%s "
            "classtype:protocol-command-decode; sid:%llu; rev:1;)\n",
            c ? c->name : "", c ? " " : "", what, sel, opts, (unsigned long long)o->sid);
    o->sid++;
    o->rules++;
}

/* A value as a comment shows it: printable ASCII as is, the rest as \xHH. */
static void comment_value(FILE *f, const uint8_t *p, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\')
            fputc(p[i], f);
        else
            fprintf(f, "\\x%02x", p[i]);
    }
    fputc('"', f);
}

/* ^(?:v1|v2|...)$ with every byte but letters and digits as \xHH. */
static bool vset_regex(const struct baseline_vset *v, char *dst, size_t cap)
{
    size_t n = 0;
    if (!put(dst, cap, &n, "/^(?:"))
        return false;
    for (uint32_t i = 0; i < v->n; i++) {
        if (i && !put(dst, cap, &n, "|"))
            return false;
        for (uint32_t k = 0; k < v->len[i]; k++) {
            uint8_t ch = v->val[i][k];
            if (!(ch < 0x80 && isalnum(ch) ? put(dst, cap, &n, "%c", ch) : put(dst, cap, &n, "\\x%02x", ch)))
                return false;
        }
    }
    return put(dst, cap, &n, ")$/");
}

static void write_vset(struct bl_out *o, const struct bl_class *c, const char *label, const char *buf,
                       const char *sel_opts, const struct baseline_vset *v, uint64_t samples)
{
    FILE *f = o->f;
    if (v->overflow) {
        fprintf(f, "# %s %s: more than %u distinct values (or one over %u bytes): no value rule\n", label, buf,
                BASELINE_VSET_MAX, BASELINE_VALUE_MAX);
        return;
    }
    fprintf(f, "# %s %s: %u distinct value%s in %llu samples:", label, buf, v->n, v->n == 1 ? "" : "s",
            (unsigned long long)samples);
    for (uint32_t i = 0; i < v->n; i++) {
        fputc(' ', f);
        comment_value(f, v->val[i], v->len[i]);
        fprintf(f, " x%llu", (unsigned long long)v->seen[i]);
    }
    fputc('\n', f);
    if (!baseline_vset_stable(v, o->b->o.max_values)) {
        fprintf(f, "#   not small and stable (more than %u values, or one seen fewer than %u times): no value rule\n",
                o->b->o.max_values, BASELINE_VSET_MIN_SEEN);
        return;
    }
    char re[8192];
    if (!vset_regex(v, re, sizeof re)) {
        fprintf(f, "#   values too long for one rule: no value rule\n");
        return;
    }
    fprintf(f, "#   small and stable: alert on any other value\n");
    char what[96];
    snprintf(what, sizeof what, "%s unlearned value", buf);
    out_rule(o, c, what, "%s%s; pcre:!\"%s\";", sel_opts, buf, re);
}

static uint32_t bl_limit(const struct baseline_opts *o, uint32_t max)
{
    uint64_t slack = ((uint64_t)max * o->margin_pct + 99) / 100;
    if (o->margin_pct && slack < 2)
        slack = 2; /* one more digit in a CSeq or a Content-Length is not an attack */
    uint64_t l = (uint64_t)max + slack;
    return l > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)l;
}

/* Length, byte and value rules of one buffer (buf as written in the rule). */
static void write_measure(struct bl_out *o, const struct bl_class *c, const char *buf, const struct bl_field *fl)
{
    const struct baseline_hist *h = &fl->hist;
    const struct baseline_opts *op = &o->b->o;
    FILE *f = o->f;
    if (!h->n)
        return;
    if (h->n < op->min_samples) {
        fprintf(f, "# %s %s: %llu samples, fewer than %u: skipped\n", c->name, buf, (unsigned long long)h->n,
                op->min_samples);
        return;
    }
    uint32_t limit = bl_limit(op, h->max);
    fprintf(f, "# %s %s: %llu samples, max %u, p99 %u bytes; limit %u+%u%% = %u\n", c->name, buf,
            (unsigned long long)h->n, h->max, baseline_hist_percentile(h, 99), h->max, op->margin_pct, limit);
    char what[96];
    snprintf(what, sizeof what, "%s longer than %u", buf, limit);
    out_rule(o, c, what, "%s; bsize:>%u;", buf, limit);
    char cls[1400], desc[600];
    baseline_charset_describe(&fl->cs, desc, sizeof desc);
    if (baseline_charset_pcre_class(&fl->cs, cls, sizeof cls)) {
        fprintf(f, "# %s %s bytes seen: %s\n", c->name, buf, desc);
        snprintf(what, sizeof what, "%s unlearned character", buf);
        out_rule(o, c, what, "%s; pcre:\"/%s/\";", buf, cls);
    }
    if (fl->vals)
        write_vset(o, c, c->name, buf, "", fl->vals, h->n);
}

static void write_field(struct bl_out *o, const struct bl_class *c, size_t fi)
{
    write_measure(o, c, bl_fields[fi].buf, &c->f[fi]);
}

static void write_headers(struct bl_out *o, const struct bl_class *c)
{
    const struct baseline_opts *op = &o->b->o;
    FILE *f = o->f;
    if (!c->nhdrs)
        return;
    if (c->msgs < op->min_samples) {
        fprintf(f, "# %s headers: %llu messages, fewer than %u: no header rules\n", c->name,
                (unsigned long long)c->msgs, op->min_samples);
        return;
    }
    fprintf(f, "# %s headers (in %% of %llu messages; 'repeated' = messages with it more than once):\n", c->name,
            (unsigned long long)c->msgs);
    for (uint32_t i = 0; i < c->nhdrs; i++) {
        const struct bl_hdr *h = &c->hdrs[i];
        fprintf(f, "#   %-20s %5.1f%%  repeated %llu\n", h->name, 100.0 * (double)h->present / (double)c->msgs,
                (unsigned long long)h->multi);
    }
    if (c->hdr_dropped)
        fprintf(f, "#   (%llu header occurrences over the %u-name cap were not tracked)\n",
                (unsigned long long)c->hdr_dropped, op->max_headers);
    char what[96];
    for (uint32_t i = 0; i < c->nhdrs; i++) {
        const struct bl_hdr *h = &c->hdrs[i];
        if (h->present * 100 >= c->msgs * 99) {
            snprintf(what, sizeof what, "missing %s", h->name);
            out_rule(o, c, what, "sip.header_missing:%s;", h->name);
        }
    }
    for (uint32_t i = 0; i < c->nhdrs; i++) {
        const struct bl_hdr *h = &c->hdrs[i];
        if (h->multi == 0 && h->present >= op->min_samples) {
            snprintf(what, sizeof what, "repeated %s", h->name);
            out_rule(o, c, what, "sip.header_count:%s,>1;", h->name);
        }
    }
}

static void write_class(struct bl_out *o, const struct bl_class *c)
{
    fprintf(o->f, "\n# ==== %s%s: %llu messages ====\n", c->name, c->response ? "s (every status)" : "",
            (unsigned long long)c->msgs);
    for (size_t i = 0; i < BL_NFIELDS; i++)
        write_field(o, c, i);
    /* headers without a buffer of their own, through sip.header:NAME */
    char buf[BL_NAME_MAX + 16];
    for (uint32_t i = 0; i < c->nhdrs; i++)
        if (!c->hdrs[i].dedicated) {
            snprintf(buf, sizeof buf, "sip.header:%s", c->hdrs[i].name);
            write_measure(o, c, buf, &c->hdrs[i].val);
        }
    write_headers(o, c);
}

static int cmp_class(const void *a, const void *b)
{
    return strcmp((*(struct bl_class *const *)a)->name, (*(struct bl_class *const *)b)->name);
}

int baseline_write(const struct baseline *b, FILE *f, const char *const *sources, const uint64_t *msgs,
                   size_t nsrc, const char *date, char *err, size_t errlen)
{
    const struct baseline_opts *op = &b->o;
    struct bl_out o = {.f = f, .b = b, .sid = op->sid_base};
    fprintf(f, "# tollgate baseline rules, learned from traffic declared clean (tollgate baseline learn)\n");
    fprintf(f, "# date: %s\n", date ? date : "?");
    for (size_t i = 0; i < nsrc; i++) {
        fprintf(f, "# source: ");
        comment_value(f, (const uint8_t *)sources[i], strlen(sources[i]));
        if (msgs)
            fprintf(f, " (%llu SIP messages)", (unsigned long long)msgs[i]);
        fputc('\n', f);
    }
    fprintf(f, "# messages: %llu requests, %llu responses", (unsigned long long)b->requests,
            (unsigned long long)b->responses);
    if (b->unlearned)
        fprintf(f, "; %llu requests of methods over the %u-method cap or not a token were not learned per method",
                (unsigned long long)b->unlearned, op->max_classes);
    fputc('\n', f);
    fprintf(f, "# margin: %u%% over the longest value seen (at least 2 bytes); min samples: %u; value sets up to %u\n",
            op->margin_pct, op->min_samples, op->max_values);
    fprintf(f, "# sids: from %u (tollgate reserves 9200000-9299999 for baseline rules), msg \"TOLLGATE BASELINE ...\"\n",
            op->sid_base);
    fprintf(f, "#\n# Each rule follows the measurement it comes from. To tune: raise a bsize limit, add a byte to a\n"
               "# character class (as \\xHH), add a value to a value list, or comment a rule out. Rules on\n"
               "# requests select the method with sip_method; rules on responses with sip.stat_code.\n");

    fprintf(f, "\n# ==== all requests: sip.method ====\n");
    if (b->requests >= op->min_samples)
        write_vset(&o, NULL, "requests", "sip.method", "", &b->methods, b->requests);
    else if (b->requests)
        fprintf(f, "# requests sip.method: %llu samples, fewer than %u: skipped\n", (unsigned long long)b->requests,
                op->min_samples);

    struct bl_class **sorted = NULL;
    if (b->nreq) {
        if (!(sorted = malloc(b->nreq * sizeof *sorted))) {
            snprintf(err, errlen, "out of memory");
            return TG_ERROR;
        }
        memcpy(sorted, b->req, b->nreq * sizeof *sorted);
        qsort(sorted, b->nreq, sizeof *sorted, cmp_class);
    }
    for (uint32_t i = 0; i < b->nreq; i++)
        write_class(&o, sorted[i]);
    free(sorted);
    if (b->resp->msgs)
        write_class(&o, b->resp);
    fprintf(f, "\n# %u rules, sids %u-%llu\n", o.rules, op->sid_base,
            (unsigned long long)(o.rules ? o.sid - 1 : op->sid_base));
    if (o.sid - 1 > UINT32_MAX) {
        snprintf(err, errlen, "sids %u + %u rules overflow 32 bits: use a lower --sid-base", op->sid_base, o.rules);
        return TG_ERROR;
    }
    if (fflush(f) != 0 || ferror(f)) {
        snprintf(err, errlen, "write error");
        return TG_ERROR;
    }
    return TG_OK;
}
