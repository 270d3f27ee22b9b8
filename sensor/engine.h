/* engine.h - the packet pipeline: decode, defrag, flow, stream, app layer,
 * outputs. One engine per worker; it owns every per-run table. */
#ifndef TG_ENGINE_H
#define TG_ENGINE_H

#include <signal.h>
#include "decode.h"

struct config;
struct engine;
struct output;
struct app_layer;
struct detect;

/* Create the engine with its tables sized from cfg; out may be NULL (no
 * logs). NULL with a message in err. */
struct engine *engine_new(const struct config *cfg, struct output *out, char *err, size_t errlen);
/* End every flow (flow records are written) and free the engine. */
void engine_free(struct engine *e);

/* Run one captured packet through the pipeline. p->data, caplen, wirelen,
 * datalink, ts_ns and num must be set; the rest is filled here. */
void engine_process_packet(struct engine *e, struct packet *p);

/* Let time pass without a packet (live capture on a quiet link): expire
 * flows and fragments as of now_ns, capture-clock time. */
void engine_tick(struct engine *e, uint64_t now_ns);

/* End all flows now (end of input), writing their records. */
void engine_flush(struct engine *e);

/* Load rules from files (or the config's rule-files when nfiles is 0) and
 * switch the engine to them. Errors are printed to stderr as
 * FILE:LINE:COL; TG_ERROR (with a summary in err) when a rule is bad and
 * skip_bad is false, or on no memory. No rules at all is TG_OK. */
int engine_load_rules(struct engine *e, const struct config *cfg, const char *const *files, size_t nfiles,
                      bool skip_bad, char *err, size_t errlen);
/* Load the same rule files again and switch to them between two packets;
 * flows, flowbits, xbits and thresholds carry over. On a bad rule the old
 * rules stay in force (TG_ERROR, message on stderr). */
int engine_reload_rules(struct engine *e);
/* Check *flag before each packet and reload when it is set (SIGHUP). */
void engine_watch_reload(struct engine *e, volatile sig_atomic_t *flag);
/* An observer sees every parsed app-layer message (for SIP a const struct
 * sip_msg *) with the packet that brought it (may be NULL at flow end).
 * Used by tools such as the baseline learner; at most one per engine. */
typedef void (*engine_msg_observer_fn)(void *arg, const char *app_proto, const void *msg,
                                       const struct packet *p);
void engine_set_observer(struct engine *e, engine_msg_observer_fn fn, void *arg);
/* Decoders call this once per message; a no-op without an observer. */
void engine_observe(struct engine *e, const char *app_proto, const void *msg, const struct packet *p);

/* Scratch objects a decoder needs while it handles one message but need not
 * keep per flow (e.g. the parse of an SDP body): one per engine and slot,
 * made by make(arg) on first use, freed by destroy at engine_free. NULL
 * when make fails. */
enum engine_scratch_slot { ENGINE_SCRATCH_SDP = 0, ENGINE_SCRATCH_SIP_HDRS, ENGINE_SCRATCH_SLOTS };
void *engine_scratch(struct engine *e, enum engine_scratch_slot slot, void *(*make)(void *arg),
                     void (*destroy)(void *obj), void *arg);

/* The detection engine, NULL without rules (app-layer decoders call it). */
struct detect *engine_detect(struct engine *e);

struct stats *engine_stats(struct engine *e);
/* The engine's SIP call tracker (decoders/sip-call.h); NULL while the
 * engine is being built or freed. */
struct sip_call_table;
struct sip_call_table *engine_calls(struct engine *e);
struct app_layer *engine_app_layer(struct engine *e);
struct output *engine_output(struct engine *e);
/* Capture time of the newest packet seen (0 before the first). */
uint64_t engine_now(const struct engine *e);
/* The configuration the engine was made with (app-layer states read their
 * caps from it when a flow starts); it must outlive the engine. */
const struct config *engine_config(const struct engine *e);

#endif
