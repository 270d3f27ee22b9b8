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
/* Run pkts[0..n) through the pipeline, with the same results as n calls of
 * engine_process_packet() (and, like them, freeing each p->owned), but in
 * stages across the batch so that flow table cache misses overlap. Every
 * packet's bytes must stay valid until it returns. For offline reading;
 * live sources hand packets over one by one. */
void engine_process_batch(struct engine *e, struct packet *pkts, size_t n);

/* The pipeline in two halves, for a capture that decodes on a thread of
 * its own (offline files). The front decodes, defragments and hashes the
 * flow key; it owns the decoder and defragmenter and touches no flow state.
 * Between engine_front_begin() and engine_front_end() (both called on the
 * engine's thread while the front is idle) engine_front_packet() may run on
 * one other thread, counting into a private copy of the statistics, while
 * the engine's thread calls engine_process_decoded() on each packet the
 * front finished, in order. engine_front_end() folds the front's counters
 * into engine_stats(). A packet's bytes and p->owned must stay valid until
 * engine_process_decoded() returns; it frees p->owned. */
struct engine_front;
struct engine_front *engine_front_begin(struct engine *e);
void engine_front_packet(struct engine_front *fr, struct packet *p);
void engine_front_end(struct engine *e);
void engine_process_decoded(struct engine *e, struct packet *p);
/* Cache hints for a packet the front finished, a few packets before
 * engine_process_decoded() gets it: its flow table bucket and the payload's
 * start, and later (once the bucket is in) the flow the bucket leads to. */
void engine_prefetch_bucket(struct engine *e, const struct packet *p);
void engine_prefetch_flow(struct engine *e, const struct packet *p);

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
