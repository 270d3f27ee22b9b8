/* capture.h - packet sources: pcap/pcapng files and live interfaces. */
#ifndef TG_CAPTURE_H
#define TG_CAPTURE_H

#include "common.h"

struct engine;
struct pcap; /* libpcap's pcap_t */

/* Results of the capture functions beyond TG_OK / TG_ERROR (runtime). */
#define CAPTURE_USAGE (-10)       /* the caller's input is wrong: bad BPF filter */
#define CAPTURE_INTERRUPTED (-11) /* SIGINT/SIGTERM asked to stop; nothing broken */

/* What the files of one run share: how to read them, and the progress bar
 * (percent of the bytes of all files and packets per second, redrawn on
 * stderr at most five times a second). */
struct capture_run {
    bool use_mmap;         /* map classic pcap files instead of libpcap's stdio reads */
    bool threaded;         /* mapped files: decode on a capture thread of their own */
    bool progress;         /* draw the bar */
    bool drawn;            /* a bar is on the current stderr line */
    uint64_t total_bytes;  /* sum of the sizes of all inputs; 0 when unknown */
    uint64_t done_bytes;   /* bytes of the files already finished */
    uint64_t packets;      /* packets read so far in this run */
    uint64_t t0_ns, last_draw_ns;
    const struct thread_affinity *affinity; /* helper CPUs for the capture thread, or NULL */
};

/* capture.threads: "auto" (the default: when more than one CPU is online),
 * or a boolean: read and decode mapped capture files on a thread of their
 * own while the engine's thread does the rest. cfg may be NULL. */
struct config;
bool capture_threaded_wanted(const struct config *cfg);
/* capture.pin-threads (default yes) with the capture thread wanted: give
 * the engine thread a CPU of its own for the run (thread-affinity.h). */
bool capture_pin_wanted(const struct config *cfg);

/* Sum the sizes of paths[0..n-1] and start the clock. With progress false
 * the progress calls do nothing. */
void capture_run_init(struct capture_run *run, char *const *paths, int n, bool progress, bool use_mmap);
/* End the bar's line so an error message starts on a fresh line. */
void capture_progress_break(struct capture_run *run);
/* Draw the last state of the bar and end its line. */
void capture_progress_finish(struct capture_run *run);
/* For the capture sources: redraw with pos bytes read in the current file
 * (rate-limited unless force). */
void capture_progress_draw(struct capture_run *run, const char *path, uint64_t pos, bool force);

/* Install SIGINT/SIGTERM handlers that ask the capture loops to stop (a
 * second signal kills as usual). Call once from main before capturing. */
void capture_signals_install(void);
/* The signal that asked to stop, or 0. Async-signal-safe to read. */
int capture_stop_signal(void);
/* While a live capture runs, the handler also breaks its pcap loop; NULL
 * when it ends. */
void capture_signals_watch(struct pcap *pc);

/* Read one capture file ("-" is stdin) through the engine. TG_OK when the
 * whole file was read; CAPTURE_INTERRUPTED when a signal stopped it; TG_ERROR when it could
 * not be opened, or was truncated or corrupt, or is a pcapng file whose
 * interfaces have different link types, in which case err names the file
 * and the packet number where it stopped and every packet before it has
 * been processed. run (may be NULL: defaults) is advanced. */
int capture_file(struct engine *e, const char *path, struct capture_run *run, char *err, size_t errlen);

/* Sniff iface until SIGINT/SIGTERM (or count packets when count > 0), with
 * an optional BPF filter, writing a stats event every stats_interval_ns of
 * wall time (0: only the caller's final one). TG_OK (also when stopped by a
 * signal), TG_ERROR with a message in err when the interface cannot be used
 * or fails, and CAPTURE_USAGE when the filter does not compile. The kernel's
 * received and dropped counts land in the capture.kernel_* statistics. */
int capture_live(struct engine *e, const char *iface, const char *bpf, uint64_t count,
                 uint64_t stats_interval_ns, char *err, size_t errlen);

/* Inline: take packets from NFQUEUE queue(s) "N" or "N-M", run each through
 * the engine and give its verdict (drop/reject -> NF_DROP, else accept).
 * Runs until SIGINT/SIGTERM or count packets. Drops privileges to user
 * (when not NULL) once the queues are bound. TG_DECLINED for a bad queue
 * spec, TG_ERROR when the queues cannot be used; err says why. */
int capture_nfqueue(struct engine *e, const char *queues, const char *user, uint64_t count,
                    char *err, size_t errlen);

#endif
