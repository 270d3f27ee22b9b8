/* rule-address.c - address and port expressions of rule headers: CIDR v4/v6, ranges, lists, negation, variables. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rule.h"

/* Variables may refer to variables; a loop ($A -> $B -> $A) stops here. */
#define RULE_VAR_DEPTH 16
/* Brackets nest; the cap keeps a hostile file from exhausting the stack. */
#define RULE_LIST_DEPTH 32

struct expr_ctx {
    const struct rule_vars *vars;
    char *err;
    size_t errlen;
    size_t errpos;   /* offset in the top-level text */
    bool failed;
};

__attribute__((format(printf, 3, 4)))
static void expr_fail(struct expr_ctx *c, size_t pos, const char *fmt, ...)
{
    if (c->failed)
        return;
    c->failed = true;
    c->errpos = pos;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, c->errlen, fmt, ap);
    va_end(ap);
}

static void skip_ws(const char *s, size_t *i)
{
    while (s[*i] == ' ' || s[*i] == '\t')
        (*i)++;
}

/* ---- addresses ------------------------------------------------------- */

void rule_addr_clear(struct rule_addr *a)
{
    for (size_t i = 0; i < a->nchild; i++)
        rule_addr_clear(&a->child[i]);
    free(a->child);
    a->child = NULL;
    a->nchild = 0;
}

static int addr_add_child(struct rule_addr *list, const struct rule_addr *c)
{
    struct rule_addr *p = realloc(list->child, (list->nchild + 1) * sizeof(*p));
    if (!p)
        return TG_ERROR;
    list->child = p;
    list->child[list->nchild++] = *c;
    return TG_OK;
}

/* Turn "a.b.c.d/len", "a.b.c.d/mask", "v6/len", "a.b.c.d-e.f.g.h" into a range. */
static bool addr_parse_single(const char *tok, struct rule_addr *out)
{
    char buf[128];
    if (strlen(tok) >= sizeof buf)
        return false;
    strcpy(buf, tok);
    char *dash = strchr(buf, '-');
    if (dash && !strchr(buf, ':')) {
        *dash = '\0';
        struct in_addr lo, hi;
        if (inet_pton(AF_INET, buf, &lo) != 1 || inet_pton(AF_INET, dash + 1, &hi) != 1)
            return false;
        if (memcmp(&lo, &hi, 4) > 0)
            return false;
        *out = (struct rule_addr){.kind = RULE_ADDR_RANGE, .family = 4};
        memcpy(out->lo, &lo, 4);
        memcpy(out->hi, &hi, 4);
        return true;
    }
    char *slash = strchr(buf, '/');
    if (slash)
        *slash = '\0';
    uint8_t a[16];
    int family, bits;
    if (inet_pton(AF_INET, buf, a) == 1) {
        family = 4;
        bits = 32;
    } else if (inet_pton(AF_INET6, buf, a) == 1) {
        family = 6;
        bits = 128;
    } else {
        return false;
    }
    int prefix = bits;
    if (slash) {
        const char *m = slash + 1;
        uint8_t mask[4];
        if (family == 4 && strchr(m, '.')) {
            if (inet_pton(AF_INET, m, mask) != 1)
                return false;
            uint32_t mv = (uint32_t)mask[0] << 24 | (uint32_t)mask[1] << 16 | (uint32_t)mask[2] << 8 | mask[3];
            prefix = 0;
            while (prefix < 32 && (mv & (0x80000000u >> prefix)))
                prefix++;
            if (prefix < 32 && (mv << prefix) != 0)
                return false; /* not contiguous */
        } else {
            if (!*m || strlen(m) > 3)
                return false;
            for (const char *q = m; *q; q++)
                if (!isdigit((unsigned char)*q))
                    return false;
            prefix = atoi(m);
            if (prefix > bits)
                return false;
        }
    }
    *out = (struct rule_addr){.kind = RULE_ADDR_RANGE, .family = (uint8_t)family};
    int nbytes = bits / 8;
    for (int i = 0; i < nbytes; i++) {
        int keep = prefix - i * 8;
        uint8_t m = keep >= 8 ? 0xff : keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
        out->lo[i] = a[i] & m;
        out->hi[i] = a[i] | (uint8_t)~m;
    }
    return true;
}

static int addr_parse_expr(struct expr_ctx *c, const char *s, size_t *i, size_t base, int depth,
                           int vdepth, struct rule_addr *out);

static int addr_parse_var(struct expr_ctx *c, const char *s, size_t *i, size_t base, int vdepth,
                          struct rule_addr *out)
{
    size_t start = *i;
    (*i)++;
    char name[128];
    size_t n = 0;
    while (isalnum((unsigned char)s[*i]) || s[*i] == '_' || s[*i] == '-' || s[*i] == '.') {
        if (n + 1 < sizeof name)
            name[n++] = s[*i];
        (*i)++;
    }
    name[n] = '\0';
    if (!n) {
        expr_fail(c, base + start, "%s", "'$' without a variable name");
        return TG_ERROR;
    }
    const char *val = rule_vars_get(c->vars, false, name);
    if (!val) {
        expr_fail(c, base + start, "unknown address variable $%s", name);
        return TG_ERROR;
    }
    if (vdepth >= RULE_VAR_DEPTH) {
        expr_fail(c, base + start, "address variable $%s refers to itself (or nests too deep)", name);
        return TG_ERROR;
    }
    /* Errors inside the value point at the variable reference. */
    size_t j = 0;
    struct expr_ctx sub = {.vars = c->vars, .err = c->err, .errlen = c->errlen};
    if (addr_parse_expr(&sub, val, &j, 0, 0, vdepth + 1, out) != TG_OK) {
        if (!c->failed) {
            char msg[512];
            snprintf(msg, sizeof msg, "in $%s: %s", name, c->err);
            expr_fail(c, base + start, "%s", msg);
        }
        return TG_ERROR;
    }
    skip_ws(val, &j);
    if (val[j]) {
        expr_fail(c, base + start, "bad value of address variable $%s", name);
        rule_addr_clear(out);
        return TG_ERROR;
    }
    return TG_OK;
}

static int addr_parse_expr(struct expr_ctx *c, const char *s, size_t *i, size_t base, int depth,
                           int vdepth, struct rule_addr *out)
{
    skip_ws(s, i);
    bool neg = false;
    size_t start = *i;
    while (s[*i] == '!') {
        neg = !neg;
        (*i)++;
    }
    if (depth > RULE_LIST_DEPTH) {
        expr_fail(c, base + *i, "%s", "address lists nest too deep");
        return TG_ERROR;
    }
    if (s[*i] == '[') {
        (*i)++;
        *out = (struct rule_addr){.kind = RULE_ADDR_LIST};
        for (;;) {
            struct rule_addr child;
            if (addr_parse_expr(c, s, i, base, depth + 1, vdepth, &child) != TG_OK) {
                rule_addr_clear(out);
                return TG_ERROR;
            }
            if (addr_add_child(out, &child) != TG_OK) {
                rule_addr_clear(&child);
                rule_addr_clear(out);
                expr_fail(c, base + *i, "%s", "out of memory");
                return TG_ERROR;
            }
            skip_ws(s, i);
            if (s[*i] == ',') {
                (*i)++;
                continue;
            }
            if (s[*i] == ']') {
                (*i)++;
                break;
            }
            expr_fail(c, base + *i, "%s", s[*i] ? "expected ',' or ']' in address list" : "unterminated address list");
            rule_addr_clear(out);
            return TG_ERROR;
        }
    } else if (s[*i] == '$') {
        if (addr_parse_var(c, s, i, base, vdepth, out) != TG_OK)
            return TG_ERROR;
        if (neg && out->kind == RULE_ADDR_ANY && !out->negated) {
            expr_fail(c, base + start, "%s", "negated variable is 'any': matches nothing");
            rule_addr_clear(out);
            return TG_ERROR;
        }
        /* Keep the variable's own negation and add ours on top. */
        if (neg) {
            struct rule_addr wrap = {.kind = RULE_ADDR_LIST, .negated = true};
            if (addr_add_child(&wrap, out) != TG_OK) {
                rule_addr_clear(out);
                expr_fail(c, base + start, "%s", "out of memory");
                return TG_ERROR;
            }
            *out = wrap;
        }
        return TG_OK;
    } else {
        size_t tstart = *i;
        while (s[*i] && s[*i] != ',' && s[*i] != ']' && s[*i] != '[' && s[*i] != ' ' && s[*i] != '\t')
            (*i)++;
        size_t tl = *i - tstart;
        char tok[128];
        if (tl == 0) {
            expr_fail(c, base + tstart, "%s", "empty address");
            return TG_ERROR;
        }
        if (tl >= sizeof tok) {
            expr_fail(c, base + tstart, "%s", "address too long");
            return TG_ERROR;
        }
        memcpy(tok, s + tstart, tl);
        tok[tl] = '\0';
        if (strcmp(tok, "any") == 0) {
            if (neg) {
                expr_fail(c, base + start, "%s", "'!any' matches nothing");
                return TG_ERROR;
            }
            *out = (struct rule_addr){.kind = RULE_ADDR_ANY};
            return TG_OK;
        }
        if (!addr_parse_single(tok, out)) {
            expr_fail(c, base + tstart, "bad address '%s'", tok);
            return TG_ERROR;
        }
    }
    out->negated = neg;
    return TG_OK;
}

int rule_addr_parse(struct rule_addr *out, const char *text, const struct rule_vars *vars,
                    char *err, size_t errlen, size_t *errpos)
{
    struct expr_ctx c = {.vars = vars, .err = err, .errlen = errlen};
    size_t i = 0;
    *out = (struct rule_addr){.kind = RULE_ADDR_ANY};
    if (addr_parse_expr(&c, text, &i, 0, 0, 0, out) != TG_OK) {
        *errpos = c.errpos;
        *out = (struct rule_addr){.kind = RULE_ADDR_ANY};
        return TG_ERROR;
    }
    skip_ws(text, &i);
    if (text[i]) {
        rule_addr_clear(out);
        *out = (struct rule_addr){.kind = RULE_ADDR_ANY};
        *errpos = i;
        snprintf(err, errlen, "unexpected '%c' after address", text[i]);
        return TG_ERROR;
    }
    return TG_OK;
}

static bool addr_base_match(const struct rule_addr *a, int family, const uint8_t *ip)
{
    switch (a->kind) {
    case RULE_ADDR_ANY:
        return true;
    case RULE_ADDR_RANGE: {
        if (a->family != family)
            return false;
        size_t n = family == 4 ? 4 : 16;
        return memcmp(ip, a->lo, n) >= 0 && memcmp(ip, a->hi, n) <= 0;
    }
    case RULE_ADDR_LIST: {
        /* Suricata list semantics: in any positive member, in no negated one;
         * a list of only negated members starts from "everything". */
        bool havepos = false, pos = false;
        for (size_t i = 0; i < a->nchild; i++) {
            const struct rule_addr *ch = &a->child[i];
            bool m = addr_base_match(ch, family, ip);
            if (ch->negated) {
                if (m)
                    return false;
            } else {
                havepos = true;
                pos = pos || m;
            }
        }
        return havepos ? pos : true;
    }
    }
    return false;
}

bool rule_addr_match(const struct rule_addr *a, int family, const uint8_t *ip)
{
    return addr_base_match(a, family, ip) != a->negated;
}

/* ---- ports ----------------------------------------------------------- */

void rule_port_clear(struct rule_port *p)
{
    for (size_t i = 0; i < p->nchild; i++)
        rule_port_clear(&p->child[i]);
    free(p->child);
    p->child = NULL;
    p->nchild = 0;
}

static int port_add_child(struct rule_port *list, const struct rule_port *c)
{
    struct rule_port *p = realloc(list->child, (list->nchild + 1) * sizeof(*p));
    if (!p)
        return TG_ERROR;
    list->child = p;
    list->child[list->nchild++] = *c;
    return TG_OK;
}

static bool port_number(const char *s, size_t len, uint16_t *out)
{
    if (len == 0 || len > 5)
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > 65535)
        return false;
    *out = (uint16_t)v;
    return true;
}

static int port_parse_expr(struct expr_ctx *c, const char *s, size_t *i, size_t base, int depth,
                           int vdepth, struct rule_port *out)
{
    skip_ws(s, i);
    bool neg = false;
    size_t start = *i;
    while (s[*i] == '!') {
        neg = !neg;
        (*i)++;
    }
    if (depth > RULE_LIST_DEPTH) {
        expr_fail(c, base + *i, "%s", "port lists nest too deep");
        return TG_ERROR;
    }
    if (s[*i] == '[') {
        (*i)++;
        *out = (struct rule_port){.kind = RULE_PORT_LIST};
        for (;;) {
            struct rule_port child;
            if (port_parse_expr(c, s, i, base, depth + 1, vdepth, &child) != TG_OK) {
                rule_port_clear(out);
                return TG_ERROR;
            }
            if (port_add_child(out, &child) != TG_OK) {
                rule_port_clear(&child);
                rule_port_clear(out);
                expr_fail(c, base + *i, "%s", "out of memory");
                return TG_ERROR;
            }
            skip_ws(s, i);
            if (s[*i] == ',') {
                (*i)++;
                continue;
            }
            if (s[*i] == ']') {
                (*i)++;
                break;
            }
            expr_fail(c, base + *i, "%s", s[*i] ? "expected ',' or ']' in port list" : "unterminated port list");
            rule_port_clear(out);
            return TG_ERROR;
        }
        out->negated = neg;
        return TG_OK;
    }
    if (s[*i] == '$') {
        size_t vstart = *i;
        (*i)++;
        char name[128];
        size_t n = 0;
        while (isalnum((unsigned char)s[*i]) || s[*i] == '_' || s[*i] == '-' || s[*i] == '.') {
            if (n + 1 < sizeof name)
                name[n++] = s[*i];
            (*i)++;
        }
        name[n] = '\0';
        const char *val = n ? rule_vars_get(c->vars, true, name) : NULL;
        if (!val) {
            expr_fail(c, base + vstart, n ? "unknown port variable $%s" : "%s'$' without a variable name",
                      n ? name : "");
            return TG_ERROR;
        }
        if (vdepth >= RULE_VAR_DEPTH) {
            expr_fail(c, base + vstart, "port variable $%s refers to itself (or nests too deep)", name);
            return TG_ERROR;
        }
        struct expr_ctx sub = {.vars = c->vars, .err = c->err, .errlen = c->errlen};
        size_t j = 0;
        if (port_parse_expr(&sub, val, &j, 0, 0, vdepth + 1, out) != TG_OK) {
            char msg[512];
            snprintf(msg, sizeof msg, "in $%s: %s", name, c->err);
            expr_fail(c, base + vstart, "%s", msg);
            return TG_ERROR;
        }
        skip_ws(val, &j);
        if (val[j]) {
            rule_port_clear(out);
            expr_fail(c, base + vstart, "bad value of port variable $%s", name);
            return TG_ERROR;
        }
        if (neg) {
            struct rule_port wrap = {.kind = RULE_PORT_LIST, .negated = true};
            if (port_add_child(&wrap, out) != TG_OK) {
                rule_port_clear(out);
                expr_fail(c, base + start, "%s", "out of memory");
                return TG_ERROR;
            }
            *out = wrap;
        }
        return TG_OK;
    }
    size_t tstart = *i;
    while (s[*i] && s[*i] != ',' && s[*i] != ']' && s[*i] != '[' && s[*i] != ' ' && s[*i] != '\t')
        (*i)++;
    size_t tl = *i - tstart;
    const char *t = s + tstart;
    if (tl == 3 && memcmp(t, "any", 3) == 0) {
        if (neg) {
            expr_fail(c, base + start, "%s", "'!any' matches nothing");
            return TG_ERROR;
        }
        *out = (struct rule_port){.kind = RULE_PORT_ANY};
        return TG_OK;
    }
    const char *colon = memchr(t, ':', tl);
    uint16_t lo = 0, hi = 65535;
    bool ok;
    if (colon) {
        size_t l1 = (size_t)(colon - t), l2 = tl - l1 - 1;
        ok = (l1 || l2) && (l1 == 0 || port_number(t, l1, &lo)) && (l2 == 0 || port_number(colon + 1, l2, &hi));
        if (ok && lo > hi) {
            expr_fail(c, base + tstart, "%s", "port range is backwards (low > high)");
            return TG_ERROR;
        }
    } else {
        ok = port_number(t, tl, &lo);
        hi = lo;
    }
    if (!ok) {
        char tok[64];
        snprintf(tok, sizeof tok, "%.*s", (int)TG_MIN(tl, 40), t);
        expr_fail(c, base + tstart, tl ? "bad port '%s'" : "%sempty port", tl ? tok : "");
        return TG_ERROR;
    }
    *out = (struct rule_port){.kind = RULE_PORT_RANGE, .negated = neg, .lo = lo, .hi = hi};
    return TG_OK;
}

int rule_port_parse(struct rule_port *out, const char *text, const struct rule_vars *vars,
                    char *err, size_t errlen, size_t *errpos)
{
    struct expr_ctx c = {.vars = vars, .err = err, .errlen = errlen};
    size_t i = 0;
    *out = (struct rule_port){.kind = RULE_PORT_ANY};
    if (port_parse_expr(&c, text, &i, 0, 0, 0, out) != TG_OK) {
        *errpos = c.errpos;
        *out = (struct rule_port){.kind = RULE_PORT_ANY};
        return TG_ERROR;
    }
    skip_ws(text, &i);
    if (text[i]) {
        rule_port_clear(out);
        *out = (struct rule_port){.kind = RULE_PORT_ANY};
        *errpos = i;
        snprintf(err, errlen, "unexpected '%c' after port", text[i]);
        return TG_ERROR;
    }
    return TG_OK;
}

static bool port_base_match(const struct rule_port *p, uint16_t port)
{
    switch (p->kind) {
    case RULE_PORT_ANY:
        return true;
    case RULE_PORT_RANGE:
        return port >= p->lo && port <= p->hi;
    case RULE_PORT_LIST: {
        bool havepos = false, pos = false;
        for (size_t i = 0; i < p->nchild; i++) {
            const struct rule_port *ch = &p->child[i];
            bool m = port_base_match(ch, port);
            if (ch->negated) {
                if (m)
                    return false;
            } else {
                havepos = true;
                pos = pos || m;
            }
        }
        return havepos ? pos : true;
    }
    }
    return false;
}

bool rule_port_match(const struct rule_port *p, uint16_t port)
{
    return port_base_match(p, port) != p->negated;
}
