/* detect-payload.h - match one rule's ordered payload list (content, pcre,
 * byte_*, isdataat, bsize) against one buffer, with Suricata's relative
 * semantics and bounded backtracking. */
#ifndef TG_DETECT_PAYLOAD_H
#define TG_DETECT_PAYLOAD_H

#include "rule.h"

/* Most backtracking steps one list may take on one buffer (Suricata's
 * inspection recursion limit); beyond it the list does not match. */
#define DETECT_PAYLOAD_BUDGET 3000
#define DETECT_PAYLOAD_MAX_VARS 16

/* Scratch space reused across calls; one per detection thread. */
struct detect_scratch {
    pcre2_match_data *md;
    const char *var_names[DETECT_PAYLOAD_MAX_VARS];
    uint64_t var_values[DETECT_PAYLOAD_MAX_VARS];
    size_t nvars;
    uint32_t budget;
    uint32_t first_offset; /* where the list's first match started (trace) */
    bool budget_hit;
    uint8_t *tf_buf;       /* transformed copy of a buffer (detect_transform) */
    size_t tf_cap;
};

/* TG_OK or TG_ERROR (no memory). */
int detect_scratch_init(struct detect_scratch *s);
void detect_scratch_free(struct detect_scratch *s);

/* Apply l's transforms (strip_whitespace, to_lowercase, ...) in order to
 * buf[0..len). Returns true with *out / *out_len set: buf itself when l has
 * no transforms, else the scratch copy (valid until the next call). False
 * when the copy cannot be allocated (the list then does not match). */
bool detect_transform(const struct rule_list *l, const uint8_t *buf, uint32_t len, struct detect_scratch *s,
                      const uint8_t **out, uint32_t *out_len);

/* True when every match of l holds on buf[0..len). */
bool detect_payload_match(const struct rule_list *l, const uint8_t *buf, uint32_t len,
                          struct detect_scratch *s);

#endif
