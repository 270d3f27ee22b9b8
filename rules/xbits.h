/* xbits.h - named bits on hosts and host pairs, with expiry (Suricata's
 * xbits): one flow sets "sip.scanner" on ip_src, a later flow from the same
 * host tests it. Bits are numbered by the rule loader (name -> id).
 * The table has a cap (detect.xbits.max-entries); a set that finds it full
 * and cannot reclaim an expired entry is counted and dropped. */
#ifndef TG_XBITS_H
#define TG_XBITS_H

#include "hostkey.h"

struct config;
struct xbits;

struct xbits *xbits_new(const struct config *cfg, struct stats *st);
void xbits_free(struct xbits *x);

/* track is TRACK_BY_SRC (ip_src), TRACK_BY_DST (ip_dst) or TRACK_BY_PAIR. */
/* Set (or refresh) bit id until now + expire_s. TG_OK or TG_ERROR (cap). */
int xbits_set(struct xbits *x, uint32_t id, enum track_by track, const struct ip_addr *src,
              const struct ip_addr *dst, uint64_t now_ns, uint32_t expire_s);
void xbits_unset(struct xbits *x, uint32_t id, enum track_by track, const struct ip_addr *src,
                 const struct ip_addr *dst);
/* Toggle: set when unset (with expire_s), unset when set. */
int xbits_toggle(struct xbits *x, uint32_t id, enum track_by track, const struct ip_addr *src,
                 const struct ip_addr *dst, uint64_t now_ns, uint32_t expire_s);
bool xbits_isset(const struct xbits *x, uint32_t id, enum track_by track, const struct ip_addr *src,
                 const struct ip_addr *dst, uint64_t now_ns);
size_t xbits_count(const struct xbits *x);

#endif
