/* threshold-config.h - the threshold/suppress file (Suricata's
 * threshold.config): per-signature suppress, event_filter (threshold),
 * and rate_filter entries applied on top of what rules say.
 *
 *   suppress gen_id 1, sig_id 2003614[, track by_src|by_dst|by_either, ip CIDR[,CIDR...]]
 *   event_filter gen_id 1, sig_id 1000, type limit|threshold|both, track by_src|by_dst|by_rule|by_both, count N, seconds S
 *   threshold ...   (old name of event_filter)
 *   rate_filter gen_id 1, sig_id 1000, track by_src|by_dst|by_rule|by_both, count N, seconds S,
 *               new_action alert|drop|pass|reject, timeout T
 * sig_id 0 applies to every signature of that gen_id (and gen_id 0 to all). */
#ifndef TG_THRESHOLD_CONFIG_H
#define TG_THRESHOLD_CONFIG_H

#include "threshold.h"

struct threshold_config;

/* Actions rate_filter may switch to. */
enum tc_action { TC_ACTION_ALERT = 0, TC_ACTION_DROP, TC_ACTION_PASS, TC_ACTION_REJECT };

struct threshold_config *threshold_config_new(void);
void threshold_config_free(struct threshold_config *tc);
/* Parse a file; on error TG_ERROR and "FILE:LINE:COL: error: KEYWORD: msg" in err. */
int threshold_config_load(struct threshold_config *tc, const char *path, char *err, size_t errlen);
/* Parse one line (for tests); name and line are used in messages. */
int threshold_config_line(struct threshold_config *tc, const char *name, unsigned lineno, const char *line,
                          char *err, size_t errlen);

/* Is gid:sid suppressed for this packet's addresses? */
bool threshold_config_suppressed(const struct threshold_config *tc, uint32_t gid, uint32_t sid,
                                 const struct ip_addr *src, const struct ip_addr *dst);
/* Apply event_filter then rate_filter of gid:sid. Returns false when the
 * alert is filtered out; *action is set to the rate_filter's new action when
 * it is in force, else left unchanged. */
bool threshold_config_apply(const struct threshold_config *tc, struct threshold_table *t, uint32_t gid,
                            uint32_t sid, const struct ip_addr *src, const struct ip_addr *dst,
                            uint64_t now_ns, enum tc_action *action);
size_t threshold_config_count(const struct threshold_config *tc);

#endif
