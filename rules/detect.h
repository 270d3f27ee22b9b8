/* detect.h - the detection engine: rule groups, prefilter, full match,
 * actions, thresholds and cross-connection bits.
 *
 * Three inspection points, all in the packet's single pass (DESIGN.md):
 *   detect_packet()    every packet: rules that look at the packet only
 *                      (header, flow, pkt_data, dsize, ...)
 *   detect_app()       every parsed app-layer message (a SIP request, ...):
 *                      rules that name its sticky buffers (sip.method, ...)
 *   detect_app_event() every decoder anomaly: app-layer-event rules
 * Rules are ordered by action (pass, drop, reject, alert; Suricata's order)
 * then file order. A matching pass rule ends inspection of the packet.
 * Drop and reject set the packet's verdict (inline: the packet is dropped;
 * offline: the verdict it would have had is recorded in the alert). */
#ifndef TG_DETECT_H
#define TG_DETECT_H

#include "../sensor/flow.h"
#include "rule.h"

struct config;
struct output;
struct detect;

/* A source of sticky-buffer contents for one app-layer message: instance
 * idx (0, 1, ...) of buffer b (header names the header for sip.header).
 * Returns false when there is no such instance. */
typedef bool (*detect_buffer_fn)(void *arg, enum rule_buffer b, const char *header, uint32_t idx,
                                 const uint8_t **data, uint32_t *len);

/* Take the rules of rs (rs is emptied) and compile groups and prefilters.
 * out may be NULL (no alert records). prev, when not NULL, is the engine
 * being replaced by a rule reload: its bit names (so flowbits already set on
 * live flows keep their meaning), xbits and threshold state move over and
 * prev is left empty for detect_free(). NULL on error with err set. */
struct detect *detect_new(const struct config *cfg, struct ruleset *rs, struct stats *st,
                          struct output *out, struct detect *prev, char *err, size_t errlen);
void detect_free(struct detect *d);

/* app_proto: the flow's detected protocol name, or NULL. */
void detect_packet(struct detect *d, struct packet *p, const char *app_proto);
void detect_app(struct detect *d, struct packet *p, const char *app_proto, detect_buffer_fn get, void *arg);
/* event: "sip.bad_uri" style name as app-layer-event writes it. */
void detect_app_event(struct detect *d, struct packet *p, const char *app_proto, const char *event);

/* Release the per-flow detection state (flowbits) of f. */
void detect_flow_end(struct detect *d, struct flow *f);

/* Rules loaded, and alerts per rule index (for rules list / rules test). */
size_t detect_rule_count(const struct detect *d);
const struct rule *detect_rule(const struct detect *d, size_t i);
uint64_t detect_rule_hits(const struct detect *d, size_t i);

/* Trace hook for `rules test`: called for each rule that matched a
 * packet, before thresholds; may be NULL. */
typedef void (*detect_trace_fn)(void *arg, const struct rule *r, const struct packet *p,
                                enum rule_buffer b, uint32_t offset);
void detect_set_trace(struct detect *d, detect_trace_fn fn, void *arg);

#endif
