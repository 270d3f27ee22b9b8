/* sip-dialog.h - per-flow SIP dialog table for Snort's dialog events (gid 140 sids 20, 21, 27).
 *
 * A small table keyed by Call-ID remembers, per flow, whether an INVITE was
 * seen, whether it was challenged (401/407) and whether the dialog is
 * established, plus the SDP session identity (o= without its version, and
 * the c=/m= media) of each INVITE. That is enough for Snort's INVITE replay
 * (credentials without a prior challenge), illegal session modification
 * (the SDP changes before the dialog is established: FakeBusy) and the
 * per-session dialog cap. It is not the call tracker (sip-call.c). */
#ifndef TG_SIP_DIALOG_H
#define TG_SIP_DIALOG_H

#include "sip-events.h"

struct sip_dialog_table;

/* Up to max dialogs (>= 1); NULL on out of memory. */
struct sip_dialog_table *sip_dialog_table_new(uint32_t max);
void sip_dialog_table_free(struct sip_dialog_table *t);

/* Apply one message; returns the dialog events it raises. *cap_hit is set
 * when a new dialog evicted the oldest one (sip.max_dialogs reached). */
sip_event_set sip_dialog_update(struct sip_dialog_table *t, const struct sip_msg *m, bool *cap_hit);

/* Dialogs currently tracked. */
uint32_t sip_dialog_count(const struct sip_dialog_table *t);

#endif
