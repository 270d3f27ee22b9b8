/* capture.h - packet sources: pcap/pcapng files and live interfaces. */
#ifndef TG_CAPTURE_H
#define TG_CAPTURE_H

#include "common.h"

struct engine;

/* Read one capture file through the engine. Returns TG_OK when the whole
 * file was read; TG_ERROR when it could not be opened, or was truncated or
 * corrupt, in which case err names the file and the packet number where it
 * stopped and every packet before it has been processed. A progress bar is
 * drawn on stderr when progress is true. */
int capture_file(struct engine *e, const char *path, bool progress, char *err, size_t errlen);

/* Sniff iface until SIGINT/SIGTERM (or count packets when count > 0), with an
 * optional BPF filter. TG_ERROR with a message in err when the interface or
 * the filter cannot be used. */
int capture_live(struct engine *e, const char *iface, const char *bpf, uint64_t count,
                 char *err, size_t errlen);

/* Inline: take packets from NFQUEUE queue(s) "N" or "N-M", run each through
 * the engine and give its verdict (drop/reject -> NF_DROP, else accept).
 * Runs until SIGINT/SIGTERM or count packets. Drops privileges to user
 * (when not NULL) once the queues are bound. TG_DECLINED for a bad queue
 * spec, TG_ERROR when the queues cannot be used; err says why. */
int capture_nfqueue(struct engine *e, const char *queues, const char *user, uint64_t count,
                    char *err, size_t errlen);

#endif
