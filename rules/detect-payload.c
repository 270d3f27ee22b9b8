/* detect-payload.c - content/pcre/byte_* matching within one buffer.
 *
 * A list is matched left to right. Each match may start from the end of the
 * previous one (relative: distance/within, pcre /R, byte_* relative). When
 * a later relative match fails, the previous content or pcre is retried at
 * its next occurrence, as Suricata does; a step budget bounds the work an
 * attacker can cause with a crafted buffer. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "detect-payload.h"

int detect_scratch_init(struct detect_scratch *s)
{
    memset(s, 0, sizeof *s);
    s->md = pcre2_match_data_create(32, NULL);
    return s->md ? TG_OK : TG_ERROR;
}

void detect_scratch_free(struct detect_scratch *s)
{
    pcre2_match_data_free(s->md);
    s->md = NULL;
    free(s->tf_buf);
    s->tf_buf = NULL;
    s->tf_cap = 0;
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (uint8_t)tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One transform in place on b[0..n) (room for n + 1 bytes); returns the
 * new length. Suricata's definitions: whitespace is isspace(); compress
 * turns each run into one space; url_decode decodes %XX and '+'. */
static size_t transform_one(enum rule_transform t, uint8_t *b, size_t n)
{
    size_t o = 0;
    switch (t) {
    case RULE_TRANSFORM_TO_LOWERCASE:
        for (size_t i = 0; i < n; i++)
            b[i] = (uint8_t)tolower(b[i]);
        return n;
    case RULE_TRANSFORM_TO_UPPERCASE:
        for (size_t i = 0; i < n; i++)
            b[i] = (uint8_t)toupper(b[i]);
        return n;
    case RULE_TRANSFORM_STRIP_WHITESPACE:
        for (size_t i = 0; i < n; i++)
            if (!isspace(b[i]))
                b[o++] = b[i];
        return o;
    case RULE_TRANSFORM_COMPRESS_WHITESPACE: {
        bool in_ws = false;
        for (size_t i = 0; i < n; i++) {
            bool ws = isspace(b[i]);
            if (!ws || !in_ws)
                b[o++] = ws ? ' ' : b[i];
            in_ws = ws;
        }
        return o;
    }
    case RULE_TRANSFORM_DOTPREFIX:
        if (n && b[0] == '.')
            return n;
        memmove(b + 1, b, n);
        b[0] = '.';
        return n + 1;
    case RULE_TRANSFORM_URL_DECODE:
        for (size_t i = 0; i < n; i++) {
            if (b[i] == '%' && i + 2 < n && hexval(b[i + 1]) >= 0 && hexval(b[i + 2]) >= 0) {
                b[o++] = (uint8_t)(hexval(b[i + 1]) << 4 | hexval(b[i + 2]));
                i += 2;
            } else {
                b[o++] = b[i] == '+' ? ' ' : b[i];
            }
        }
        return o;
    case RULE_TRANSFORM_HEADER_LOWERCASE: {
        /* header names (line start to ':') lowercased, values kept */
        bool name = true;
        for (size_t i = 0; i < n; i++) {
            if (b[i] == '\n')
                name = true;
            else if (b[i] == ':')
                name = false;
            else if (name)
                b[i] = (uint8_t)tolower(b[i]);
        }
        return n;
    }
    default: /* strip_pseudo_headers: HTTP/2 only, nothing to strip here */
        return n;
    }
}

bool detect_transform(const struct rule_list *l, const uint8_t *buf, uint32_t len, struct detect_scratch *s,
                      const uint8_t **out, uint32_t *out_len)
{
    if (!l->ntransforms) {
        *out = buf;
        *out_len = len;
        return true;
    }
    /* each transform grows the data by at most one byte (dotprefix) */
    size_t need = (size_t)len + l->ntransforms + 1;
    if (need > s->tf_cap) {
        uint8_t *nb = realloc(s->tf_buf, need);
        if (!nb)
            return false;
        s->tf_buf = nb;
        s->tf_cap = need;
    }
    if (len)
        memcpy(s->tf_buf, buf, len);
    size_t n = len;
    for (size_t i = 0; i < l->ntransforms; i++)
        n = transform_one((enum rule_transform)l->transforms[i], s->tf_buf, n);
    *out = s->tf_buf;
    *out_len = (uint32_t)n;
    return true;
}

static bool var_get(const struct detect_scratch *s, const char *name, uint64_t *v)
{
    for (size_t i = s->nvars; i-- > 0;)
        if (strcmp(s->var_names[i], name) == 0) {
            *v = s->var_values[i];
            return true;
        }
    return false;
}

static void var_set(struct detect_scratch *s, const char *name, uint64_t v)
{
    for (size_t i = 0; i < s->nvars; i++)
        if (strcmp(s->var_names[i], name) == 0) {
            s->var_values[i] = v;
            return;
        }
    if (s->nvars < DETECT_PAYLOAD_MAX_VARS) {
        s->var_names[s->nvars] = name;
        s->var_values[s->nvars++] = v;
    }
}

/* A numeric modifier that may come from a byte_extract variable. */
static bool mod_value(const struct detect_scratch *s, int32_t literal, const char *var, int64_t *out)
{
    if (!var) {
        *out = literal;
        return true;
    }
    uint64_t v;
    if (!var_get(s, var, &v))
        return false;
    *out = (int64_t)v;
    return true;
}

static const uint8_t *find_bytes(const uint8_t *hay, size_t hl, const uint8_t *needle, size_t nl, bool nocase)
{
    if (nl == 0 || nl > hl)
        return nl == 0 ? hay : NULL;
    if (!nocase)
        return memmem(hay, hl, needle, nl);
    uint8_t first = (uint8_t)tolower(needle[0]);
    for (size_t i = 0; i + nl <= hl; i++) {
        if ((uint8_t)tolower(hay[i]) != first)
            continue;
        size_t k = 1;
        while (k < nl && tolower(hay[i + k]) == tolower(needle[k]))
            k++;
        if (k == nl)
            return hay + i;
    }
    return NULL;
}

/* Read nbytes at buf[off] as a number per the byte_* options. */
static bool byte_read(const struct rule_byte *b, const uint8_t *buf, uint32_t len, int64_t off, uint64_t *v)
{
    if (off < 0 || (uint64_t)off + b->nbytes > len || b->nbytes == 0)
        return false;
    const uint8_t *p = buf + off;
    if (b->base != RULE_BASE_NONE) {
        char tmp[32];
        size_t n = TG_MIN((size_t)b->nbytes, sizeof tmp - 1);
        memcpy(tmp, p, n);
        tmp[n] = '\0';
        int base = b->base == RULE_BASE_HEX ? 16 : b->base == RULE_BASE_OCT ? 8 : 10;
        char *end;
        *v = strtoull(tmp, &end, base);
        if (end == tmp)
            return false;
    } else {
        uint64_t x = 0;
        if (b->nbytes > 8)
            return false;
        for (unsigned i = 0; i < b->nbytes; i++) {
            unsigned k = b->endian == RULE_ENDIAN_BIG ? i : b->nbytes - 1 - i;
            x = (x << 8) | p[k];
        }
        *v = x;
    }
    if (b->bitmask) {
        *v &= b->bitmask;
        uint64_t m = b->bitmask;
        while (m && !(m & 1)) {
            m >>= 1;
            *v >>= 1;
        }
    }
    return true;
}

static bool byte_test_op(const struct rule_byte *b, uint64_t v, uint64_t want)
{
    bool r;
    switch (b->op) {
    case '<': r = v < want; break;
    case '>': r = v > want; break;
    case '=': r = v == want; break;
    case '&': r = (v & want) != 0; break;
    case '^': r = (v ^ want) != 0; break;
    case 'L': r = v <= want; break;
    case 'G': r = v >= want; break;
    default: r = false; break;
    }
    return b->negated ? !r : r;
}

static bool match_from(const struct rule_list *l, size_t i, const uint8_t *buf, uint32_t len,
                       uint32_t prev_end, struct detect_scratch *s);

static bool match_content(const struct rule_list *l, size_t i, const uint8_t *buf, uint32_t len,
                          uint32_t prev_end, struct detect_scratch *s)
{
    const struct rule_match *m = &l->m[i];
    const struct rule_content *c = &m->u.content;
    unsigned f = m->flags;
    int64_t start = 0, end = len;
    int64_t v;
    if (f & (RULE_CONTENT_DISTANCE | RULE_CONTENT_WITHIN | RULE_MATCH_RELATIVE)) {
        int64_t dist = 0;
        if ((f & RULE_CONTENT_DISTANCE) && !mod_value(s, c->distance, c->distance_var, &dist))
            return false;
        start = (int64_t)prev_end + dist;
        if (start < 0)
            start = 0;
        if (f & RULE_CONTENT_WITHIN) {
            if (!mod_value(s, c->within, c->within_var, &v))
                return false;
            end = TG_MIN(end, (int64_t)prev_end + dist + v);
        }
    }
    if (f & RULE_CONTENT_OFFSET) {
        if (!mod_value(s, c->offset, c->offset_var, &v))
            return false;
        start = TG_MAX(start, v);
    }
    if (f & RULE_CONTENT_DEPTH) {
        if (!mod_value(s, c->depth, c->depth_var, &v))
            return false;
        int64_t base = (f & RULE_CONTENT_OFFSET) ? start : 0;
        end = TG_MIN(end, base + v);
    }
    if (f & RULE_CONTENT_STARTSWITH)
        end = TG_MIN(end, start + (int64_t)c->len);
    bool nocase = (f & RULE_CONTENT_NOCASE) != 0;
    bool negated = (f & RULE_CONTENT_NEGATED) != 0;
    for (;;) {
        const uint8_t *hit = NULL;
        if (start <= end && end <= len && start >= 0)
            hit = find_bytes(buf + start, (size_t)(end - start), c->bytes, c->len, nocase);
        uint32_t at = hit ? (uint32_t)(hit - buf) : 0;
        if (hit && (f & RULE_CONTENT_ENDSWITH) && at + c->len != len) {
            start = at + 1;
            if (s->budget-- == 0) {
                s->budget_hit = true;
                return false;
            }
            continue;
        }
        if (negated)
            return !hit && match_from(l, i + 1, buf, len, prev_end, s);
        if (!hit)
            return false;
        if (i == 0)
            s->first_offset = at;
        if (match_from(l, i + 1, buf, len, at + (uint32_t)c->len, s))
            return true;
        /* Only a later match that depends on where this one ended can
         * succeed at another occurrence. */
        if (!(f & RULE_MATCH_RELATIVE_NEXT) || s->budget-- == 0) {
            s->budget_hit = s->budget_hit || s->budget == 0;
            return false;
        }
        start = at + 1;
    }
}

static bool match_pcre(const struct rule_list *l, size_t i, const uint8_t *buf, uint32_t len,
                       uint32_t prev_end, struct detect_scratch *s)
{
    const struct rule_match *m = &l->m[i];
    const struct rule_pcre *re = &m->u.pcre;
    bool negated = (re->flags & RULE_PCRE_NEGATED) != 0;
    size_t from = (m->flags & RULE_MATCH_RELATIVE) ? prev_end : 0;
    for (;;) {
        if (from > len)
            return negated && match_from(l, i + 1, buf, len, prev_end, s);
        /* The subject starts where the search does, so ^ anchors at the
         * previous match's end for /R, as in Suricata. */
        int rc = pcre2_match(re->code, buf + from, len - from, 0, 0, s->md, NULL);
        if (negated)
            return rc < 0 && match_from(l, i + 1, buf, len, prev_end, s);
        if (rc < 0)
            return false;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
        uint32_t mstart = (uint32_t)(ov[0] + from), mend = (uint32_t)(ov[1] + from);
        if (i == 0)
            s->first_offset = mstart;
        if (match_from(l, i + 1, buf, len, mend, s))
            return true;
        if (!(m->flags & RULE_MATCH_RELATIVE_NEXT) || s->budget-- == 0)
            return false;
        from = mstart + 1;
    }
}

static bool match_from(const struct rule_list *l, size_t i, const uint8_t *buf, uint32_t len,
                       uint32_t prev_end, struct detect_scratch *s)
{
    for (; i < l->n; i++) {
        const struct rule_match *m = &l->m[i];
        bool rel = (m->flags & RULE_MATCH_RELATIVE) != 0;
        switch (m->type) {
        case RULE_MATCH_CONTENT:
            return match_content(l, i, buf, len, prev_end, s);
        case RULE_MATCH_PCRE:
            return match_pcre(l, i, buf, len, prev_end, s);
        case RULE_MATCH_ISDATAAT: {
            uint64_t n = m->u.isdataat.n;
            if (m->u.isdataat.var && !var_get(s, m->u.isdataat.var, &n))
                return false;
            uint64_t at = (rel ? prev_end : 0) + n;
            bool ok = at < len;
            if (m->u.isdataat.negated ? ok : !ok)
                return false;
            break;
        }
        case RULE_MATCH_BSIZE:
        case RULE_MATCH_URILEN:
            if (!rule_num_match(&m->u.num, len))
                return false;
            break;
        case RULE_MATCH_BYTE_TEST: {
            const struct rule_byte *b = &m->u.byte;
            int64_t off;
            uint64_t v, want = b->value;
            if (!mod_value(s, b->offset, b->offset_var, &off))
                return false;
            off += rel ? prev_end : 0;
            if (b->from_end)
                off = (int64_t)len + off;
            if (b->value_var && !var_get(s, b->value_var, &want))
                return false;
            if (!byte_read(b, buf, len, off, &v) || !byte_test_op(b, v, want))
                return false;
            break;
        }
        case RULE_MATCH_BYTE_JUMP: {
            const struct rule_byte *b = &m->u.byte;
            int64_t off;
            uint64_t v;
            if (!mod_value(s, b->offset, b->offset_var, &off))
                return false;
            off += rel ? prev_end : 0;
            if (!byte_read(b, buf, len, off, &v))
                return false;
            v *= b->multiplier ? b->multiplier : 1;
            if (b->align && (v % 4))
                v += 4 - (v % 4);
            int64_t base = b->from_beginning ? 0 : b->from_end ? (int64_t)len : off + b->nbytes;
            int64_t np = base + (int64_t)v + b->post_offset;
            if (np < 0 || np > (int64_t)len)
                return false;
            prev_end = (uint32_t)np;
            break;
        }
        case RULE_MATCH_BYTE_EXTRACT: {
            const struct rule_byte *b = &m->u.byte;
            int64_t off = b->offset + (rel ? prev_end : 0);
            uint64_t v;
            if (!byte_read(b, buf, len, off, &v))
                return false;
            v *= b->multiplier ? b->multiplier : 1;
            if (b->align_to && (v % b->align_to))
                v += b->align_to - (v % b->align_to);
            if (b->name)
                var_set(s, b->name, v);
            prev_end = (uint32_t)(off + b->nbytes);
            break;
        }
        default:
            /* base64_decode and others this sensor does not evaluate:
             * the loader marks such rules inactive. */
            break;
        }
    }
    return true;
}

bool detect_payload_match(const struct rule_list *l, const uint8_t *buf, uint32_t len, struct detect_scratch *s)
{
    s->budget = DETECT_PAYLOAD_BUDGET;
    s->budget_hit = false;
    s->nvars = 0;
    s->first_offset = 0;
    return match_from(l, 0, buf, len, 0, s);
}
