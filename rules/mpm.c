/* mpm.c - the prefilter's backend dispatcher and its portable Aho-Corasick DFA.
 *
 * Patterns are collected here whatever the backend; mpm_build hands them to
 * Hyperscan (rules/mpm-hs.c) when that is wanted and usable, else compiles
 * the Aho-Corasick automaton to a full DFA. The DFA (one 256-entry row per
 * state) trades memory for a branch-free inner loop: one table load per
 * input byte, with upper-case rows folded onto lower-case ones at build so
 * the scan needs no case conversion. Output sets are kept as per-state
 * lists that already include the outputs of the failure chain, so a scan
 * never walks failure links. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../sensor/config.h"
#include "mpm-hs.h"
#include "mpm.h"

struct mpm_pattern {
    uint8_t *bytes;
    size_t len;
    uint32_t id;
};

struct mpm {
    struct mpm_pattern *pats;
    size_t npats, cappats;
    enum mpm_backend want; /* resolved: HS or AC */
    struct mpm_hs *hs;     /* built with Hyperscan; the AC fields stay empty */
    /* built */
    uint32_t *delta;     /* nstates * 256 */
    uint32_t nstates;
    uint32_t *out_start; /* per state: index into outs, and count */
    uint32_t *out_count;
    uint32_t *outs;      /* pattern ids */
    size_t nouts;
    bool built;
};

static uint8_t ascii_lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + ('a' - 'A')) : c;
}

int mpm_backend_parse(const char *s, enum mpm_backend *out)
{
    static const struct { const char *name; enum mpm_backend b; } names[] = {
        {"auto", MPM_BACKEND_AUTO}, {"hs", MPM_BACKEND_HS}, {"ac", MPM_BACKEND_AC}};
    for (size_t i = 0; i < TG_ARRAY_LEN(names); i++) {
        if (strcmp(s, names[i].name) == 0) {
            *out = names[i].b;
            return TG_OK;
        }
    }
    return TG_ERROR;
}

int mpm_backend_from_config(const struct config *cfg, enum mpm_backend *out, char *err, size_t errlen)
{
    const char *v = cfg ? config_get(cfg, "detect.mpm") : NULL;
    *out = MPM_BACKEND_AUTO;
    if (v && mpm_backend_parse(v, out) != TG_OK) {
        snprintf(err, errlen, "detect.mpm = '%s' is not auto, hs or ac", v);
        return TG_ERROR;
    }
    return TG_OK;
}

enum mpm_backend mpm_backend_resolve(enum mpm_backend want)
{
    if (want == MPM_BACKEND_AC || !mpm_hs_usable())
        return MPM_BACKEND_AC;
    if (want == MPM_BACKEND_HS)
        return MPM_BACKEND_HS;
#if defined(__x86_64__)
    /* measured there (README "Benchmarks"); elsewhere a Hyperscan port
     * (Vectorscan) runs only when asked for by name */
    return MPM_BACKEND_HS;
#else
    return MPM_BACKEND_AC;
#endif
}

struct mpm *mpm_new_backend(enum mpm_backend want)
{
    struct mpm *m = calloc(1, sizeof(struct mpm));
    if (m)
        m->want = mpm_backend_resolve(want);
    return m;
}

struct mpm *mpm_new(void)
{
    return mpm_new_backend(MPM_BACKEND_AUTO);
}

const char *mpm_backend_name(const struct mpm *m)
{
    if (m->built)
        return m->hs ? "hs" : "ac";
    return m->want == MPM_BACKEND_HS ? "hs" : "ac";
}

void mpm_free(struct mpm *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->npats; i++)
        free(m->pats[i].bytes);
    free(m->pats);
    mpm_hs_free(m->hs);
    free(m->delta);
    free(m->out_start);
    free(m->out_count);
    free(m->outs);
    free(m);
}

int mpm_add(struct mpm *m, const uint8_t *pat, size_t len, uint32_t id)
{
    if (m->built || len == 0)
        return TG_ERROR;
    if (m->npats == m->cappats) {
        size_t ncap = m->cappats ? m->cappats * 2 : 16;
        struct mpm_pattern *np = realloc(m->pats, ncap * sizeof *np);
        if (!np)
            return TG_ERROR;
        m->pats = np;
        m->cappats = ncap;
    }
    uint8_t *b = malloc(len);
    if (!b)
        return TG_ERROR;
    for (size_t i = 0; i < len; i++)
        b[i] = ascii_lower(pat[i]);
    m->pats[m->npats++] = (struct mpm_pattern){.bytes = b, .len = len, .id = id};
    return TG_OK;
}

/* Hyperscan over the collected patterns; false when it cannot be had. */
static bool build_hs(struct mpm *m)
{
    const uint8_t **pats = malloc((m->npats ? m->npats : 1) * sizeof *pats);
    size_t *lens = malloc((m->npats ? m->npats : 1) * sizeof *lens);
    uint32_t *ids = malloc((m->npats ? m->npats : 1) * sizeof *ids);
    if (pats && lens && ids) {
        for (size_t i = 0; i < m->npats; i++) {
            pats[i] = m->pats[i].bytes;
            lens[i] = m->pats[i].len;
            ids[i] = m->pats[i].id;
        }
        char why[256];
        m->hs = mpm_hs_build(pats, lens, ids, m->npats, why, sizeof why);
    }
    free(pats);
    free(lens);
    free(ids);
    return m->hs != NULL;
}

static int build_ac(struct mpm *m);

int mpm_build(struct mpm *m)
{
    if (m->built)
        return TG_ERROR;
    /* An empty set needs no matcher at all (Hyperscan refuses to compile one). */
    if (m->want == MPM_BACKEND_HS && m->npats && build_hs(m)) {
        m->built = true;
        return TG_OK;
    }
    return build_ac(m);
}

/* Trie built first with goto edges (0 = none, state 0 is the root). */
static int build_ac(struct mpm *m)
{
    size_t maxstates = 1;
    for (size_t i = 0; i < m->npats; i++)
        maxstates += m->pats[i].len;
    if (maxstates > UINT32_MAX / 256)
        return TG_ERROR;
    uint32_t *go = calloc(maxstates * 256, sizeof *go);
    uint32_t *fail = calloc(maxstates, sizeof *fail);
    uint32_t *queue = malloc(maxstates * sizeof *queue);
    /* per-state own outputs as linked lists of pattern indexes */
    int64_t *first_out = malloc(maxstates * sizeof *first_out);
    int64_t *next_out = malloc((m->npats ? m->npats : 1) * sizeof *next_out);
    uint32_t *pat_state = malloc((m->npats ? m->npats : 1) * sizeof *pat_state);
    int rc = TG_ERROR;
    if (!go || !fail || !queue || !first_out || !next_out || !pat_state)
        goto out;
    for (size_t s = 0; s < maxstates; s++)
        first_out[s] = -1;
    uint32_t n = 1;
    for (size_t i = 0; i < m->npats; i++) {
        uint32_t s = 0;
        for (size_t k = 0; k < m->pats[i].len; k++) {
            uint8_t c = m->pats[i].bytes[k];
            if (!go[(size_t)s * 256 + c])
                go[(size_t)s * 256 + c] = n++;
            s = go[(size_t)s * 256 + c];
        }
        pat_state[i] = s;
        next_out[i] = first_out[s];
        first_out[s] = (int64_t)i;
    }
    /* BFS: failure links and the full DFA in place of goto. */
    size_t qh = 0, qt = 0;
    for (int c = 0; c < 256; c++) {
        uint32_t s = go[c];
        if (s) {
            fail[s] = 0;
            queue[qt++] = s;
        }
    }
    while (qh < qt) {
        uint32_t r = queue[qh++];
        for (int c = 0; c < 256; c++) {
            uint32_t s = go[(size_t)r * 256 + c];
            uint32_t f = go[(size_t)fail[r] * 256 + c];
            if (s) {
                fail[s] = f;
                queue[qt++] = s;
            } else {
                go[(size_t)r * 256 + c] = f;
            }
        }
    }
    /* Outputs: own patterns plus those of the failure state (already
     * complete, as BFS order visits shallower states first). */
    m->out_start = calloc(n, sizeof *m->out_start);
    m->out_count = calloc(n, sizeof *m->out_count);
    size_t cap = m->npats * 2 + 16, used = 0;
    m->outs = malloc(cap * sizeof *m->outs);
    if (!m->out_start || !m->out_count || !m->outs)
        goto out;
    for (size_t qi = 0; qi <= qt; qi++) {
        uint32_t s = qi == 0 ? 0 : queue[qi - 1];
        size_t own = 0;
        for (int64_t p = first_out[s]; p >= 0; p = next_out[p])
            own++;
        uint32_t fc = s ? m->out_count[fail[s]] : 0;
        if (used + own + fc > cap) {
            size_t ncap = (used + own + fc) * 2;
            uint32_t *no = realloc(m->outs, ncap * sizeof *no);
            if (!no)
                goto out;
            m->outs = no;
            cap = ncap;
        }
        m->out_start[s] = (uint32_t)used;
        for (int64_t p = first_out[s]; p >= 0; p = next_out[p])
            m->outs[used++] = m->pats[p].id;
        if (s) {
            memcpy(&m->outs[used], &m->outs[m->out_start[fail[s]]], fc * sizeof(uint32_t));
            used += fc;
        }
        m->out_count[s] = (uint32_t)(used - m->out_start[s]);
    }
    m->nouts = used;
    /* Fold case: patterns hold only lower-case letters, so the row entry for
     * an upper-case byte is the one for its lower-case twin. */
    for (uint32_t st = 0; st < n; st++)
        for (int c = 'A'; c <= 'Z'; c++)
            go[(size_t)st * 256 + c] = go[(size_t)st * 256 + c + ('a' - 'A')];
    m->delta = realloc(go, (size_t)n * 256 * sizeof *go);
    if (!m->delta) {
        m->delta = go;
    }
    go = NULL;
    m->nstates = n;
    m->built = true;
    rc = TG_OK;
out:
    free(go);
    free(fail);
    free(queue);
    free(first_out);
    free(next_out);
    free(pat_state);
    return rc;
}

size_t mpm_scan(const struct mpm *m, const uint8_t *data, size_t len, mpm_hit_fn hit, void *arg)
{
    if (!m->built || m->npats == 0 || len == 0)
        return 0;
    if (m->hs)
        return mpm_hs_scan(m->hs, data, len, hit, arg);
    size_t hits = 0;
    uint32_t s = 0;
    for (size_t i = 0; i < len; i++) {
        s = m->delta[(size_t)s * 256 + data[i]];
        uint32_t c = m->out_count[s];
        if (c) {
            const uint32_t *o = &m->outs[m->out_start[s]];
            for (uint32_t k = 0; k < c; k++)
                hit(arg, o[k]);
            hits += c;
        }
    }
    return hits;
}

size_t mpm_pattern_count(const struct mpm *m) { return m->npats; }

size_t mpm_memuse(const struct mpm *m)
{
    if (m->hs)
        return mpm_hs_memuse(m->hs);
    return (size_t)m->nstates * (256 + 2) * sizeof(uint32_t) + m->nouts * sizeof(uint32_t);
}
