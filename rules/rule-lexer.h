/* rule-lexer.h - splits rule files into logical rules (comments, blank lines, backslash continuations). */
#ifndef TG_RULE_LEXER_H
#define TG_RULE_LEXER_H

#include "common.h"

/* A logical rule with, for each of its bytes, the file line and column it came from. */
struct rule_src {
    char *text;          /* NUL-terminated, owned */
    size_t len;
    uint32_t *line;      /* per byte, 1-based */
    uint32_t *col;       /* per byte, 1-based */
};

struct rule_lexer {
    const char *p, *end;
    uint32_t lineno;     /* line number of the next line to read, 1-based */
    size_t max_len;      /* longest logical rule accepted */
};

/* Longest logical rule (after joining continuations) the lexer accepts. */
#define RULE_LEXER_MAX_LEN (64 * 1024)

void rule_lexer_init(struct rule_lexer *lx, const char *text, size_t len);
/* The next logical rule. TG_OK: src filled (caller frees with
 * rule_src_free). TG_DECLINED: end of input. TG_ERROR: a rule longer than
 * max_len or out of memory; src->line[0] holds where it began (src->len is
 * 1, src->text names the problem). */
int rule_lexer_next(struct rule_lexer *lx, struct rule_src *src);
void rule_src_free(struct rule_src *src);

/* Position (line, column) of byte off of src; off == len maps after the last byte. */
void rule_src_pos(const struct rule_src *src, size_t off, uint32_t *line, uint32_t *col);

#endif
