/* rule-keyword.h - the interface between the rule parser and the keyword implementations (keyword-*.c). */
#ifndef TG_RULE_KEYWORD_H
#define TG_RULE_KEYWORD_H

#include "rule.h"

/* Most byte_extract variables one rule may define (Suricata allows 8 per
 * buffer; one cap per rule keeps the lookup trivial). */
#define RULE_KW_MAX_VARS 16
/* Most comma-separated arguments a keyword is split into. */
#define RULE_KW_MAX_ARGS 32

struct rule_kw_ctx {
    struct rule *r;
    const struct rule_classify *classify;
    int cur_list;               /* sticky buffer in force: index in r->lists, -1 = pkt_data */
    int last_list, last_match;  /* last payload match of any kind; -1 none */
    int lastc_list, lastc_match;/* last content, which content modifiers apply to; -1 none */
    bool fast_set;
    bool sid_set, rev_set, gid_set, prio_set, classtype_set;
    char *vars[RULE_KW_MAX_VARS];  /* byte_extract names (borrowed from matches) */
    size_t nvars;
    uint32_t line, col;         /* of the keyword being parsed */
    char *err;
    size_t errlen;
};

#define RULE_KW_ARG_NONE 0x1   /* "keyword;" only */
#define RULE_KW_ARG_REQ 0x2    /* "keyword:value;" only */
#define RULE_KW_ARG_OPT 0x4

struct rule_keyword {
    const char *name;
    unsigned argmode;
    /* Parse arg (trimmed, NULL without ':') into k->r. TG_OK or TG_ERROR with a message set by rule_kw_fail. */
    int (*fn)(struct rule_kw_ctx *k, const char *name, const char *arg);
};

/* Keyword tables, one per keyword file. */
extern const struct rule_keyword rule_kw_meta[], rule_kw_content[], rule_kw_pcre[], rule_kw_payload[],
    rule_kw_flow[], rule_kw_packet[], rule_kw_threshold[], rule_kw_sip[], rule_kw_buffer[];
extern const size_t rule_kw_meta_n, rule_kw_content_n, rule_kw_pcre_n, rule_kw_payload_n, rule_kw_flow_n,
    rule_kw_packet_n, rule_kw_threshold_n, rule_kw_sip_n, rule_kw_buffer_n;

/* The keyword by name, or NULL. */
const struct rule_keyword *rule_kw_lookup(const char *name);

/* Write the message (printf style) and return TG_ERROR. */
__attribute__((format(printf, 2, 3))) int rule_kw_fail(struct rule_kw_ctx *k, const char *fmt, ...);

/* The list for a buffer (created on first use); NULL when out of memory. */
struct rule_list *rule_kw_list(struct rule_kw_ctx *k, enum rule_buffer b, const char *header, int *index);
/* Append a payload match to the sticky buffer in force (pkt_data if none);
 * the match is zeroed with type set and becomes "last". NULL: out of memory. */
struct rule_match *rule_kw_add_payload(struct rule_kw_ctx *k, enum rule_match_type type);
/* Append a packet-level match. NULL: out of memory. */
struct rule_match *rule_kw_add_pkt(struct rule_kw_ctx *k, enum rule_match_type type);
/* The last content match, or NULL (with the error written) when the
 * previous payload option is not a content. */
struct rule_match *rule_kw_last_content(struct rule_kw_ctx *k, const char *kw);
/* Move the last content/pcre to the list of buffer b (Snort http_* modifiers). */
int rule_kw_move_last(struct rule_kw_ctx *k, enum rule_buffer b, const char *kw);
/* Make b the sticky buffer in force. */
int rule_kw_set_sticky(struct rule_kw_ctx *k, enum rule_buffer b, const char *header);

/* Split arg at commas (outside quotes) into trimmed fields (arg is modified). Returns count or -1 when too many. */
int rule_kw_split(char *arg, char sep, char **fields, int max);
/* Strict unsigned parse of a whole string; false when not a number or > max. */
bool rule_kw_u64(const char *s, uint64_t max, uint64_t *out);
bool rule_kw_i64(const char *s, int64_t min, int64_t max, int64_t *out);
/* "N", "<N", ">N", "<=N", ">=N", "!N", "N<>M", "N-M" with values up to max. */
bool rule_kw_num(const char *s, uint64_t max, struct rule_num *out);
/* A quoted string with \" \\ \; \: escapes, unquoted into a new string (len
 * in *len); NULL with an error written. Content-style |hex| when hex is true. */
uint8_t *rule_kw_string(struct rule_kw_ctx *k, const char *arg, bool hex, size_t *len);
/* True when name is a byte_extract variable defined earlier in the rule. */
bool rule_kw_has_var(const struct rule_kw_ctx *k, const char *name);
/* Index of s in a NULL-terminated table, or -1. */
int rule_kw_word(const char *s, const char *const *table);

#endif
