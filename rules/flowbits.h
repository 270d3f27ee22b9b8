/* flowbits.h - named bits on one flow (Suricata/Snort flowbits).
 *
 * A flow holds a small sorted array of bit ids; the rule loader maps names
 * to ids. The number of bits a flow may carry is capped
 * (detect.flowbits.max-per-flow) because a rule set could set many. */
#ifndef TG_FLOWBITS_H
#define TG_FLOWBITS_H

#include "../sensor/common.h"

struct flowbits;

/* Set id in *fb (allocating it). TG_OK, or TG_ERROR when max is reached or
 * memory runs out; the set is unchanged then. */
int flowbits_set(struct flowbits **fb, uint32_t id, uint32_t max);
void flowbits_unset(struct flowbits *fb, uint32_t id);
int flowbits_toggle(struct flowbits **fb, uint32_t id, uint32_t max);
bool flowbits_isset(const struct flowbits *fb, uint32_t id);
uint32_t flowbits_count(const struct flowbits *fb);
void flowbits_free(struct flowbits *fb);

#endif
