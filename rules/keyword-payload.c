/* keyword-payload.c - payload keywords: isdataat, bsize, dsize, urilen, byte_test, byte_jump, byte_extract, base64_decode. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "rule-keyword.h"

static int kw_isdataat(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)name;
    char buf[128];
    char *f[4];
    snprintf(buf, sizeof buf, "%s", arg);
    int n = rule_kw_split(buf, ',', f, 4);
    if (n < 1 || n > 3)
        return rule_kw_fail(k, "expected '[!]N[,relative][,rawbytes]'");
    bool neg = f[0][0] == '!';
    const char *num = f[0] + (neg ? 1 : 0);
    uint64_t v = 0;
    char *var = NULL;
    if (!rule_kw_u64(num, 65535, &v)) {
        if (!rule_kw_has_var(k, num))
            return rule_kw_fail(k, "expected a number up to 65535 or a byte_extract variable, got '%.40s'", num);
        if (!(var = strdup(num)))
            return rule_kw_fail(k, "out of memory");
    }
    bool rel = false;
    for (int i = 1; i < n; i++) {
        if (strcmp(f[i], "relative") == 0) {
            rel = true;
        } else if (strcmp(f[i], "rawbytes") != 0) {
            free(var);
            return rule_kw_fail(k, "unknown option '%.40s' (relative, rawbytes)", f[i]);
        }
    }
    struct rule_match *m = rule_kw_add_payload(k, RULE_MATCH_ISDATAAT);
    if (!m) {
        free(var);
        return rule_kw_fail(k, "out of memory");
    }
    m->u.isdataat = (struct rule_isdataat){.n = (uint32_t)v, .negated = neg, .var = var};
    if (rel)
        m->flags |= RULE_MATCH_RELATIVE;
    return TG_OK;
}

static int kw_size(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    struct rule_num num;
    if (!rule_kw_num(arg, 0xffffffffu, &num))
        return rule_kw_fail(k, "expected N, <N, >N, <=N, >=N, !N or N<>M, got '%.40s'", arg);
    struct rule_match *m;
    if (strcmp(name, "dsize") == 0) {
        m = rule_kw_add_pkt(k, RULE_MATCH_DSIZE);
    } else if (strcmp(name, "urilen") == 0) {
        int saved = k->cur_list, idx;
        if (!rule_kw_list(k, RULE_BUF_HTTP_URI, NULL, &idx))
            return rule_kw_fail(k, "out of memory");
        k->cur_list = idx;
        m = rule_kw_add_payload(k, RULE_MATCH_URILEN);
        k->cur_list = saved;
    } else {
        if (k->cur_list < 0)
            return rule_kw_fail(k, "needs a sticky buffer (sip.from, http.uri, ...) before it");
        m = rule_kw_add_payload(k, RULE_MATCH_BSIZE);
    }
    if (!m)
        return rule_kw_fail(k, "out of memory");
    m->u.num = num;
    return TG_OK;
}

/* urilen takes an optional ",norm|raw" after the number. */
static int kw_urilen(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", arg);
    char *comma = strchr(buf, ',');
    if (comma) {
        *comma = '\0';
        char *w = comma + 1;
        while (*w == ' ')
            w++;
        if (strcmp(w, "norm") != 0 && strcmp(w, "raw") != 0)
            return rule_kw_fail(k, "expected norm or raw after the size, got '%.40s'", w);
    }
    return kw_size(k, name, buf);
}

static int parse_base(struct rule_kw_ctx *k, const char *w, enum rule_base *b)
{
    if (strcmp(w, "hex") == 0)
        *b = RULE_BASE_HEX;
    else if (strcmp(w, "dec") == 0)
        *b = RULE_BASE_DEC;
    else if (strcmp(w, "oct") == 0)
        *b = RULE_BASE_OCT;
    else
        return rule_kw_fail(k, "expected hex, dec or oct after string, got '%.40s'", w);
    return TG_OK;
}

/* Options shared by byte_test, byte_jump and byte_extract; TG_DECLINED when not one of them. */
static int byte_common(struct rule_kw_ctx *k, struct rule_byte *b, char **f, int n, int *i, bool *rel)
{
    const char *w = f[*i];
    if (strcmp(w, "relative") == 0) {
        *rel = true;
    } else if (strcmp(w, "big") == 0) {
        b->endian = RULE_ENDIAN_BIG;
    } else if (strcmp(w, "little") == 0) {
        b->endian = RULE_ENDIAN_LITTLE;
    } else if (strcmp(w, "dce") == 0) {
        b->endian = RULE_ENDIAN_DCE;
    } else if (strcmp(w, "string") == 0) {
        b->base = RULE_BASE_DEC;
        if (*i + 1 < n && (strcmp(f[*i + 1], "hex") == 0 || strcmp(f[*i + 1], "dec") == 0 || strcmp(f[*i + 1], "oct") == 0)) {
            (*i)++;
            return parse_base(k, f[*i], &b->base);
        }
    } else if (strcmp(w, "hex") == 0 || strcmp(w, "dec") == 0 || strcmp(w, "oct") == 0) {
        return parse_base(k, w, &b->base);
    } else if (strncmp(w, "bitmask", 7) == 0 && (w[7] == ' ' || w[7] == '\t')) {
        const char *v = w + 8;
        while (*v == ' ')
            v++;
        if (!rule_kw_u64(v, UINT32_MAX, &b->bitmask) || !b->bitmask)
            return rule_kw_fail(k, "bad bitmask '%.40s'", v);
    } else {
        return TG_DECLINED;
    }
    return TG_OK;
}

static int byte_nbytes(struct rule_kw_ctx *k, const char *s, struct rule_byte *b)
{
    uint64_t v;
    if (!rule_kw_u64(s, 255, &v) || v < 1)
        return rule_kw_fail(k, "bad number of bytes '%.40s'", s);
    b->nbytes = (uint8_t)v;
    return TG_OK;
}

static int byte_check_nbytes(struct rule_kw_ctx *k, const struct rule_byte *b)
{
    if (b->base == RULE_BASE_NONE && b->nbytes > 8)
        return rule_kw_fail(k, "binary values are 1 to 8 bytes, got %u", b->nbytes);
    if (b->base != RULE_BASE_NONE && b->nbytes > 23)
        return rule_kw_fail(k, "string values are 1 to 23 bytes, got %u", b->nbytes);
    if (b->base == RULE_BASE_NONE && b->endian == RULE_ENDIAN_DCE && b->nbytes != 1 && b->nbytes != 2 && b->nbytes != 4)
        return rule_kw_fail(k, "dce values are 1, 2 or 4 bytes");
    return TG_OK;
}

static int byte_offset(struct rule_kw_ctx *k, const char *s, struct rule_byte *b)
{
    int64_t v;
    if (rule_kw_i64(s, -65535, 65535, &v)) {
        b->offset = (int32_t)v;
        return TG_OK;
    }
    if (rule_kw_has_var(k, s)) {
        if (!(b->offset_var = strdup(s)))
            return rule_kw_fail(k, "out of memory");
        return TG_OK;
    }
    return rule_kw_fail(k, "bad offset '%.40s'", s);
}

static void byte_free(struct rule_byte *b)
{
    free(b->offset_var);
    free(b->value_var);
    free(b->name);
}

static int byte_add(struct rule_kw_ctx *k, enum rule_match_type t, struct rule_byte *b, bool rel)
{
    struct rule_match *m = rule_kw_add_payload(k, t);
    if (!m) {
        byte_free(b);
        return rule_kw_fail(k, "out of memory");
    }
    m->u.byte = *b;
    if (rel)
        m->flags |= RULE_MATCH_RELATIVE;
    return TG_OK;
}

static int kw_byte_test(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)name;
    char buf[512];
    char *f[RULE_KW_MAX_ARGS];
    snprintf(buf, sizeof buf, "%s", arg);
    int n = rule_kw_split(buf, ',', f, RULE_KW_MAX_ARGS);
    if (n < 4)
        return rule_kw_fail(k, "expected 'bytes, [!]op, value, offset[, options]'");
    struct rule_byte b = {0};
    bool rel = false;
    if (byte_nbytes(k, f[0], &b) != TG_OK)
        return TG_ERROR;
    const char *op = f[1];
    if (*op == '!') {
        b.negated = true;
        op++;
    }
    if (strcmp(op, "<") == 0 || strcmp(op, ">") == 0 || strcmp(op, "=") == 0 || strcmp(op, "&") == 0 ||
        strcmp(op, "^") == 0)
        b.op = op[0];
    else if (strcmp(op, "<=") == 0)
        b.op = 'L';
    else if (strcmp(op, ">=") == 0)
        b.op = 'G';
    else
        return rule_kw_fail(k, "unknown operator '%.10s' (<, >, =, <=, >=, &, ^, with optional !)", f[1]);
    if (!rule_kw_u64(f[2], UINT64_MAX, &b.value)) {
        if (!rule_kw_has_var(k, f[2]))
            return rule_kw_fail(k, "bad value '%.40s'", f[2]);
        if (!(b.value_var = strdup(f[2])))
            return rule_kw_fail(k, "out of memory");
    }
    if (byte_offset(k, f[3], &b) != TG_OK) {
        byte_free(&b);
        return TG_ERROR;
    }
    for (int i = 4; i < n; i++) {
        int st = byte_common(k, &b, f, n, &i, &rel);
        if (st == TG_DECLINED)
            st = rule_kw_fail(k, "unknown option '%.40s'", f[i]);
        if (st != TG_OK) {
            byte_free(&b);
            return TG_ERROR;
        }
    }
    if (byte_check_nbytes(k, &b) != TG_OK) {
        byte_free(&b);
        return TG_ERROR;
    }
    return byte_add(k, RULE_MATCH_BYTE_TEST, &b, rel);
}

static int kw_byte_jump(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)name;
    char buf[512];
    char *f[RULE_KW_MAX_ARGS];
    snprintf(buf, sizeof buf, "%s", arg);
    int n = rule_kw_split(buf, ',', f, RULE_KW_MAX_ARGS);
    if (n < 2)
        return rule_kw_fail(k, "expected 'bytes, offset[, options]'");
    struct rule_byte b = {.multiplier = 1};
    bool rel = false;
    if (byte_nbytes(k, f[0], &b) != TG_OK || byte_offset(k, f[1], &b) != TG_OK) {
        byte_free(&b);
        return TG_ERROR;
    }
    for (int i = 2; i < n; i++) {
        int st = byte_common(k, &b, f, n, &i, &rel);
        if (st == TG_DECLINED) {
            const char *w = f[i];
            int64_t v;
            st = TG_OK;
            if (strcmp(w, "align") == 0) {
                b.align = true;
            } else if (strcmp(w, "from_beginning") == 0) {
                b.from_beginning = true;
            } else if (strcmp(w, "from_end") == 0) {
                b.from_end = true;
            } else if (strncmp(w, "multiplier ", 11) == 0) {
                if (!rule_kw_i64(w + 11, 1, 65535, &v))
                    st = rule_kw_fail(k, "bad multiplier '%.40s'", w + 11);
                else
                    b.multiplier = (uint32_t)v;
            } else if (strncmp(w, "post_offset ", 12) == 0) {
                if (!rule_kw_i64(w + 12, -65535, 65535, &v))
                    st = rule_kw_fail(k, "bad post_offset '%.40s'", w + 12);
                else
                    b.post_offset = (int32_t)v;
            } else {
                st = rule_kw_fail(k, "unknown option '%.40s'", w);
            }
        }
        if (st != TG_OK) {
            byte_free(&b);
            return TG_ERROR;
        }
    }
    if (b.from_beginning && b.from_end) {
        byte_free(&b);
        return rule_kw_fail(k, "from_beginning and from_end exclude each other");
    }
    if (byte_check_nbytes(k, &b) != TG_OK) {
        byte_free(&b);
        return TG_ERROR;
    }
    return byte_add(k, RULE_MATCH_BYTE_JUMP, &b, rel);
}

static int kw_byte_extract(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)name;
    char buf[512];
    char *f[RULE_KW_MAX_ARGS];
    snprintf(buf, sizeof buf, "%s", arg);
    int n = rule_kw_split(buf, ',', f, RULE_KW_MAX_ARGS);
    if (n < 3)
        return rule_kw_fail(k, "expected 'bytes, offset, name[, options]'");
    struct rule_byte b = {.multiplier = 1};
    bool rel = false;
    if (byte_nbytes(k, f[0], &b) != TG_OK || byte_offset(k, f[1], &b) != TG_OK) {
        byte_free(&b);
        return TG_ERROR;
    }
    const char *vn = f[2];
    bool okname = isalpha((unsigned char)vn[0]) || vn[0] == '_';
    for (const char *p = vn; *p && okname; p++)
        okname = isalnum((unsigned char)*p) || *p == '_' || *p == '-' || *p == '.';
    if (!okname) {
        byte_free(&b);
        return rule_kw_fail(k, "bad variable name '%.40s'", vn);
    }
    /* Snort lets a later byte_extract overwrite a variable: the last extraction wins. */
    bool redefined = rule_kw_has_var(k, vn);
    if (!redefined && k->nvars == RULE_KW_MAX_VARS) {
        byte_free(&b);
        return rule_kw_fail(k, "more than %d byte_extract variables", RULE_KW_MAX_VARS);
    }
    for (int i = 3; i < n; i++) {
        int st = byte_common(k, &b, f, n, &i, &rel);
        if (st == TG_DECLINED) {
            const char *w = f[i];
            int64_t v;
            st = TG_OK;
            if (strncmp(w, "multiplier ", 11) == 0) {
                if (!rule_kw_i64(w + 11, 1, 65535, &v))
                    st = rule_kw_fail(k, "bad multiplier '%.40s'", w + 11);
                else
                    b.multiplier = (uint32_t)v;
            } else if (strncmp(w, "align ", 6) == 0) {
                if (!rule_kw_i64(w + 6, 2, 4, &v) || v == 3)
                    st = rule_kw_fail(k, "align is 2 or 4, got '%.40s'", w + 6);
                else
                    b.align_to = (uint32_t)v;
            } else {
                st = rule_kw_fail(k, "unknown option '%.40s'", w);
            }
        }
        if (st != TG_OK) {
            byte_free(&b);
            return TG_ERROR;
        }
    }
    if (byte_check_nbytes(k, &b) != TG_OK) {
        byte_free(&b);
        return TG_ERROR;
    }
    if (!(b.name = strdup(vn))) {
        byte_free(&b);
        return rule_kw_fail(k, "out of memory");
    }
    char *vname = b.name;
    if (byte_add(k, RULE_MATCH_BYTE_EXTRACT, &b, rel) != TG_OK)
        return TG_ERROR;
    if (!redefined)
        k->vars[k->nvars++] = vname;
    return TG_OK;
}

static int kw_base64_decode(struct rule_kw_ctx *k, const char *name, const char *arg)
{
    (void)name;
    struct rule_base64 b = {0};
    bool rel = false;
    if (arg) {
        char buf[256];
        char *f[4];
        snprintf(buf, sizeof buf, "%s", arg);
        int n = rule_kw_split(buf, ',', f, 4);
        if (n < 0)
            return rule_kw_fail(k, "too many options");
        for (int i = 0; i < n; i++) {
            uint64_t v;
            if (strcmp(f[i], "relative") == 0)
                rel = true;
            else if (strncmp(f[i], "bytes ", 6) == 0 && rule_kw_u64(f[i] + 6, 65535, &v) && v)
                b.bytes = (uint32_t)v;
            else if (strncmp(f[i], "offset ", 7) == 0 && rule_kw_u64(f[i] + 7, 65535, &v))
                b.offset = (uint32_t)v;
            else
                return rule_kw_fail(k, "unknown option '%.40s' (bytes N, offset N, relative)", f[i]);
        }
    }
    struct rule_match *m = rule_kw_add_payload(k, RULE_MATCH_BASE64_DECODE);
    if (!m)
        return rule_kw_fail(k, "out of memory");
    m->u.base64 = b;
    if (rel)
        m->flags |= RULE_MATCH_RELATIVE;
    return TG_OK;
}

const struct rule_keyword rule_kw_payload[] = {
    {"isdataat", RULE_KW_ARG_REQ, kw_isdataat},
    {"bsize", RULE_KW_ARG_REQ, kw_size},
    {"dsize", RULE_KW_ARG_REQ, kw_size},
    {"urilen", RULE_KW_ARG_REQ, kw_urilen},
    {"byte_test", RULE_KW_ARG_REQ, kw_byte_test},
    {"byte_jump", RULE_KW_ARG_REQ, kw_byte_jump},
    {"byte_extract", RULE_KW_ARG_REQ, kw_byte_extract},
    {"base64_decode", RULE_KW_ARG_OPT, kw_base64_decode},
};
const size_t rule_kw_payload_n = TG_ARRAY_LEN(rule_kw_payload);
