/* keyword-content.c - content and its modifiers (nocase, depth, offset, distance, within, startswith, endswith, fast_pattern, Snort http_* buffers). */
#include <stdlib.h>
#include <string.h>
#include "rule-keyword.h"

static int add_content(struct rule_kw_ctx *k, const char *arg, int buffer)
{
    bool neg = false;
    while (*arg == ' ')
        arg++;
    if (*arg == '!') {
        neg = true;
        arg++;
        while (*arg == ' ')
            arg++;
    }
    size_t len;
    uint8_t *bytes = rule_kw_string(k, arg, true, &len);
    if (!bytes)
        return TG_ERROR;
    if (len == 0) {
        free(bytes);
        return rule_kw_fail(k, "empty content");
    }
    struct rule_match *m;
    if (buffer >= 0) {
        int saved = k->cur_list, idx;
        if (!rule_kw_list(k, (enum rule_buffer)buffer, NULL, &idx)) {
            free(bytes);
            return rule_kw_fail(k, "out of memory");
        }
        k->cur_list = idx;
        m = rule_kw_add_payload(k, RULE_MATCH_CONTENT);
        k->cur_list = saved;
    } else {
        m = rule_kw_add_payload(k, RULE_MATCH_CONTENT);
    }
    if (!m) {
        free(bytes);
        return rule_kw_fail(k, "out of memory");
    }
    m->u.content.bytes = bytes;
    m->u.content.len = len;
    if (neg)
        m->flags |= RULE_CONTENT_NEGATED;
    return TG_OK;
}

static int kw_content(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    return add_content(k, arg, strcmp(name, "uricontent") == 0 ? RULE_BUF_HTTP_URI : -1);
}

static int kw_nocase(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)arg;
    struct rule_match *m = rule_kw_last_content(k, name);
    if (!m)
        return TG_ERROR;
    if (m->flags & RULE_CONTENT_NOCASE)
        return rule_kw_fail(k, "given twice for the same content");
    m->flags |= RULE_CONTENT_NOCASE;
    return TG_OK;
}

static int kw_rawbytes(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)arg;
    struct rule_match *m = rule_kw_last_content(k, name);
    if (!m)
        return TG_ERROR;
    m->flags |= RULE_CONTENT_RAWBYTES;
    return TG_OK;
}

/* A number or a byte_extract variable. */
static int num_or_var(struct rule_kw_ctx *k, const char *arg, int64_t min, int64_t max, int32_t *v, char **var)
{
    int64_t x;
    if (rule_kw_i64(arg, min, max, &x)) {
        *v = (int32_t)x;
        return TG_OK;
    }
    if (rule_kw_has_var(k, arg)) {
        if (!(*var = strdup(arg)))
            return rule_kw_fail(k, "out of memory");
        return TG_OK;
    }
    return rule_kw_fail(k, "expected a number from %lld to %lld or a byte_extract variable, got '%.40s'",
                        (long long)min, (long long)max, arg);
}

#define RULE_CONTENT_ABS (RULE_CONTENT_DEPTH | RULE_CONTENT_OFFSET)
#define RULE_CONTENT_REL (RULE_CONTENT_DISTANCE | RULE_CONTENT_WITHIN)

static int kw_position(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    struct rule_match *m = rule_kw_last_content(k, name);
    if (!m)
        return TG_ERROR;
    struct rule_content *c = &m->u.content;
    unsigned flag;
    if (strcmp(name, "depth") == 0)
        flag = RULE_CONTENT_DEPTH;
    else if (strcmp(name, "offset") == 0)
        flag = RULE_CONTENT_OFFSET;
    else if (strcmp(name, "distance") == 0)
        flag = RULE_CONTENT_DISTANCE;
    else
        flag = RULE_CONTENT_WITHIN;
    if (m->flags & RULE_CONTENT_STARTSWITH)
        return rule_kw_fail(k, "cannot be combined with startswith");
    if (m->flags & flag)
        return rule_kw_fail(k, "given twice for the same content");
    if ((flag & RULE_CONTENT_ABS) && (m->flags & RULE_CONTENT_REL))
        return rule_kw_fail(k, "cannot mix absolute (depth/offset) and relative (distance/within) modifiers on one content");
    if ((flag & RULE_CONTENT_REL) && (m->flags & RULE_CONTENT_ABS))
        return rule_kw_fail(k, "cannot mix relative (distance/within) and absolute (depth/offset) modifiers on one content");
    /* A relative first content is relative to the buffer start, as in Suricata. */
    int st;
    switch (flag) {
    case RULE_CONTENT_DEPTH:
        st = num_or_var(k, arg, 1, 65535, &c->depth, &c->depth_var);
        if (st == TG_OK && !c->depth_var && (size_t)c->depth < c->len)
            return rule_kw_fail(k, "depth %d is smaller than the content length %zu", c->depth, c->len);
        break;
    case RULE_CONTENT_OFFSET:
        st = num_or_var(k, arg, 0, 65535, &c->offset, &c->offset_var);
        break;
    case RULE_CONTENT_DISTANCE:
        st = num_or_var(k, arg, -65535, 65535, &c->distance, &c->distance_var);
        break;
    default:
        st = num_or_var(k, arg, 1, 65535, &c->within, &c->within_var);
        if (st == TG_OK && !c->within_var && (size_t)c->within < c->len)
            return rule_kw_fail(k, "within %d is smaller than the content length %zu", c->within, c->len);
        break;
    }
    if (st != TG_OK)
        return st;
    m->flags |= flag;
    if (flag & RULE_CONTENT_REL)
        m->flags |= RULE_MATCH_RELATIVE;
    return TG_OK;
}

static int kw_startswith(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)arg;
    struct rule_match *m = rule_kw_last_content(k, name);
    if (!m)
        return TG_ERROR;
    if (m->flags & RULE_CONTENT_STARTSWITH)
        return rule_kw_fail(k, "given twice for the same content");
    if (m->flags & (RULE_CONTENT_ABS | RULE_CONTENT_REL))
        return rule_kw_fail(k, "cannot be combined with depth, offset, distance or within");
    m->flags |= RULE_CONTENT_STARTSWITH | RULE_CONTENT_DEPTH | RULE_CONTENT_OFFSET;
    m->u.content.offset = 0;
    m->u.content.depth = (int32_t)m->u.content.len;
    return TG_OK;
}

static int kw_endswith(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)arg;
    struct rule_match *m = rule_kw_last_content(k, name);
    if (!m)
        return TG_ERROR;
    if (m->flags & RULE_CONTENT_ENDSWITH)
        return rule_kw_fail(k, "given twice for the same content");
    m->flags |= RULE_CONTENT_ENDSWITH;
    return TG_OK;
}

static int kw_fast_pattern(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    struct rule_match *m = rule_kw_last_content(k, name);
    if (!m)
        return TG_ERROR;
    if (k->fast_set)
        return rule_kw_fail(k, "only one content per rule can be the fast pattern");
    if (arg && strcmp(arg, "only") == 0) {
        m->flags |= RULE_CONTENT_FAST_ONLY;
    } else if (arg) {
        char buf[64];
        char *f[3];
        snprintf(buf, sizeof buf, "%s", arg);
        uint64_t off, len;
        if (rule_kw_split(buf, ',', f, 3) != 2 || !rule_kw_u64(f[0], 65535, &off) || !rule_kw_u64(f[1], 65535, &len) ||
            len == 0)
            return rule_kw_fail(k, "expected nothing, 'only' or 'offset,length', got '%.40s'", arg);
        if (off + len > m->u.content.len)
            return rule_kw_fail(k, "offset %llu + length %llu is beyond the content (%zu bytes)",
                                (unsigned long long)off, (unsigned long long)len, m->u.content.len);
        if (m->flags & RULE_CONTENT_NEGATED)
            return rule_kw_fail(k, "offset,length cannot be used on a negated content");
        m->flags |= RULE_CONTENT_FAST_CHOP;
        m->u.content.fp_offset = (uint16_t)off;
        m->u.content.fp_len = (uint16_t)len;
    }
    if ((m->flags & RULE_CONTENT_NEGATED) && (m->flags & (RULE_CONTENT_ABS | RULE_CONTENT_REL)))
        return rule_kw_fail(k, "cannot be used on a negated content with depth, offset, distance or within");
    m->flags |= RULE_CONTENT_FAST;
    k->fast_set = true;
    return TG_OK;
}

/* Snort 2 / Suricata legacy content modifiers: move the content to a buffer. */
static int kw_http_modifier(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)arg;
    int b = rule_buffer_lookup(name);
    if (b < 0)
        return rule_kw_fail(k, "no buffer for this modifier");
    return rule_kw_move_last(k, (enum rule_buffer)b, name);
}

const struct rule_keyword rule_kw_content[] = {
    {"content", RULE_KW_ARG_REQ, kw_content},
    {"uricontent", RULE_KW_ARG_REQ, kw_content},
    {"nocase", RULE_KW_ARG_NONE, kw_nocase},
    {"rawbytes", RULE_KW_ARG_NONE, kw_rawbytes},
    {"depth", RULE_KW_ARG_REQ, kw_position},
    {"offset", RULE_KW_ARG_REQ, kw_position},
    {"distance", RULE_KW_ARG_REQ, kw_position},
    {"within", RULE_KW_ARG_REQ, kw_position},
    {"startswith", RULE_KW_ARG_NONE, kw_startswith},
    {"endswith", RULE_KW_ARG_NONE, kw_endswith},
    {"fast_pattern", RULE_KW_ARG_OPT, kw_fast_pattern},
    {"http_uri", RULE_KW_ARG_NONE, kw_http_modifier},
    {"http_raw_uri", RULE_KW_ARG_NONE, kw_http_modifier},
    {"http_header", RULE_KW_ARG_NONE, kw_http_modifier},
    {"http_raw_header", RULE_KW_ARG_NONE, kw_http_modifier},
    {"http_client_body", RULE_KW_ARG_NONE, kw_http_modifier},
    {"http_server_body", RULE_KW_ARG_NONE, kw_http_modifier},
    {"http_cookie", RULE_KW_ARG_NONE, kw_http_modifier},
    {"http_raw_cookie", RULE_KW_ARG_NONE, kw_http_modifier},
    {"http_method", RULE_KW_ARG_NONE, kw_http_modifier},
    {"http_stat_code", RULE_KW_ARG_NONE, kw_http_modifier},
    {"http_stat_msg", RULE_KW_ARG_NONE, kw_http_modifier},
    {"http_user_agent", RULE_KW_ARG_NONE, kw_http_modifier},
    {"http_host", RULE_KW_ARG_NONE, kw_http_modifier},
    {"http_raw_host", RULE_KW_ARG_NONE, kw_http_modifier},
};
const size_t rule_kw_content_n = TG_ARRAY_LEN(rule_kw_content);
