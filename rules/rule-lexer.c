/* rule-lexer.c - turns rule file text into logical rules, remembering where every byte came from. */
#include <stdlib.h>
#include <string.h>
#include "rule-lexer.h"

void rule_lexer_init(struct rule_lexer *lx, const char *text, size_t len)
{
    lx->p = text;
    lx->end = text + len;
    lx->lineno = 1;
    lx->max_len = RULE_LEXER_MAX_LEN;
}

void rule_src_free(struct rule_src *src)
{
    free(src->text);
    free(src->line);
    free(src->col);
    *src = (struct rule_src){0};
}

void rule_src_pos(const struct rule_src *src, size_t off, uint32_t *line, uint32_t *col)
{
    if (src->len == 0) {
        *line = 0;
        *col = 0;
    } else if (off < src->len) {
        *line = src->line[off];
        *col = src->col[off];
    } else {
        *line = src->line[src->len - 1];
        *col = src->col[src->len - 1] + 1;
    }
}

/* One physical line without its end-of-line; advances lx. */
static void lexer_line(struct rule_lexer *lx, const char **s, size_t *n)
{
    const char *nl = memchr(lx->p, '\n', (size_t)(lx->end - lx->p));
    const char *e = nl ? nl : lx->end;
    *s = lx->p;
    *n = (size_t)(e - lx->p);
    if (*n && (*s)[*n - 1] == '\r')
        (*n)--;
    lx->p = nl ? nl + 1 : lx->end;
}

static int src_append(struct rule_src *src, size_t *cap, const char *s, size_t n, uint32_t line,
                      uint32_t col0)
{
    if (src->len + n + 1 > *cap) {
        size_t ncap = (*cap ? *cap : 256);
        while (ncap < src->len + n + 1)
            ncap *= 2;
        char *t = realloc(src->text, ncap);
        if (!t)
            return TG_ERROR;
        src->text = t;
        uint32_t *l = realloc(src->line, ncap * sizeof(*l));
        if (!l)
            return TG_ERROR;
        src->line = l;
        uint32_t *c = realloc(src->col, ncap * sizeof(*c));
        if (!c)
            return TG_ERROR;
        src->col = c;
        *cap = ncap;
    }
    for (size_t i = 0; i < n; i++) {
        src->text[src->len] = s[i];
        src->line[src->len] = line;
        src->col[src->len] = col0 + (uint32_t)i;
        src->len++;
    }
    src->text[src->len] = '\0';
    return TG_OK;
}

static int lexer_fail(struct rule_src *src, uint32_t line, const char *what)
{
    rule_src_free(src);
    src->text = strdup(what);
    src->line = malloc(sizeof(uint32_t));
    src->col = malloc(sizeof(uint32_t));
    if (src->line && src->col) {
        src->line[0] = line;
        src->col[0] = 1;
        src->len = 1;
    }
    return TG_ERROR;
}

int rule_lexer_next(struct rule_lexer *lx, struct rule_src *src)
{
    *src = (struct rule_src){0};
    size_t cap = 0;
    bool cont = false;
    uint32_t first = 0;
    while (lx->p < lx->end) {
        const char *s;
        size_t n;
        uint32_t lineno = lx->lineno++;
        lexer_line(lx, &s, &n);
        size_t lead = 0;
        while (lead < n && (s[lead] == ' ' || s[lead] == '\t'))
            lead++;
        /* A comment or blank line outside a rule is skipped; inside a
         * continued rule a blank line ends it (as in Suricata). */
        if (!cont && (lead == n || s[lead] == '#'))
            continue;
        if (cont && lead == n)
            break;
        size_t body = n;
        while (body > lead && (s[body - 1] == ' ' || s[body - 1] == '\t'))
            body--;
        bool more = body > lead && s[body - 1] == '\\';
        if (more)
            body--;
        if (!cont)
            first = lineno;
        const char *why = src->len + (body - lead) > lx->max_len ? "rule too long"
                          : memchr(s + lead, '\0', body - lead)     ? "NUL byte in rule"
                                                                   : NULL;
        if (why) {
            /* Skip the rest of this logical rule so the next one starts clean. */
            while (more && lx->p < lx->end) {
                lx->lineno++;
                lexer_line(lx, &s, &n);
                while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
                    n--;
                more = n && s[n - 1] == '\\';
            }
            return lexer_fail(src, first, why);
        }
        if (src_append(src, &cap, s + lead, body - lead, lineno, (uint32_t)lead + 1) != TG_OK)
            return lexer_fail(src, first, "out of memory");
        cont = more;
        if (!more)
            break;
    }
    if (src->len == 0) {
        rule_src_free(src);
        return TG_DECLINED;
    }
    return TG_OK;
}
