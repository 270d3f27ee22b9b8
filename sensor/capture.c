/* capture.c - what the file and live sources share: the stop-on-signal flag
 * and the progress bar.
 *
 * The signal handler only stores the signal number and, during a live
 * capture, calls pcap_breakloop() (documented as safe from a handler); the
 * loops check the flag between packets, so the caller always gets to flush
 * flows and write statistics. */
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "capture.h"
#include "config.h"

/* Redraw the progress bar at most this often (wall clock). */
#define PROGRESS_INTERVAL_NS (200 * 1000000ULL)
#define PROGRESS_WIDTH 30

/* Both owned by this file; written only by the handler and by
 * capture_signals_watch(). */
static volatile sig_atomic_t capture_stop_sig;
static struct pcap *volatile capture_live_pc;

static void capture_on_signal(int sig)
{
    capture_stop_sig = sig;
    struct pcap *pc = capture_live_pc;
    if (pc)
        pcap_breakloop(pc);
}

void capture_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = capture_on_signal;
    sigemptyset(&sa.sa_mask);
    /* One polite request; a second Ctrl-C falls back to the default action
     * so a wedged run can still be killed from the keyboard. No SA_RESTART:
     * a blocking read should return EINTR and let the loop see the flag. */
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int capture_stop_signal(void) { return capture_stop_sig; }

void capture_signals_watch(struct pcap *pc)
{
    capture_live_pc = pc;
    /* A signal that came before the handle was registered still counts. */
    if (pc && capture_stop_sig)
        pcap_breakloop(pc);
}

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * TG_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

bool capture_threaded_wanted(const struct config *cfg)
{
    /* One CPU: handing packets over would only add work. */
    bool auto_on = sysconf(_SC_NPROCESSORS_ONLN) > 1;
    const char *v = config_get(cfg, "capture.threads");
    if (!v || !strcasecmp(v, "auto"))
        return auto_on;
    return config_get_bool(cfg, "capture.threads", auto_on);
}

bool capture_pin_wanted(const struct config *cfg)
{
    return capture_threaded_wanted(cfg) && config_get_bool(cfg, "capture.pin-threads", true);
}

void capture_run_init(struct capture_run *pr, char *const *paths, int n, bool progress, bool use_mmap)
{
    memset(pr, 0, sizeof *pr);
    pr->use_mmap = use_mmap;
    pr->progress = progress;
    if (!progress)
        return;
    for (int i = 0; i < n; i++) {
        struct stat sb;
        if (stat(paths[i], &sb) == 0 && S_ISREG(sb.st_mode))
            pr->total_bytes += (uint64_t)sb.st_size;
    }
    pr->t0_ns = mono_ns();
}

void capture_progress_draw(struct capture_run *pr, const char *path, uint64_t pos, bool force)
{
    if (!pr || !pr->progress)
        return;
    uint64_t now = mono_ns();
    if (!force && now - pr->last_draw_ns < PROGRESS_INTERVAL_NS)
        return;
    pr->last_draw_ns = now;
    uint64_t done = pr->done_bytes + pos;
    double pct = pr->total_bytes ? 100.0 * (double)done / (double)pr->total_bytes : 0;
    if (pct > 100)
        pct = 100;
    double secs = (double)(now - pr->t0_ns) / 1e9;
    double rate = secs > 0 ? (double)pr->packets / secs : 0;
    int fill = (int)(pct * PROGRESS_WIDTH / 100);
    const char *base = path ? strrchr(path, '/') : NULL;
    base = base ? base + 1 : path ? path : "";
    char bar[PROGRESS_WIDTH + 1];
    for (int i = 0; i < PROGRESS_WIDTH; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[PROGRESS_WIDTH] = '\0';
    /* \033[K clears what a longer previous line left behind. */
    fprintf(stderr, "\r%-24.24s [%s] %5.1f%% %6.0f MB %10.0f pkt/s\033[K", base, bar, pct,
            (double)done / 1e6, rate);
    fflush(stderr);
    pr->drawn = true;
}

void capture_progress_break(struct capture_run *pr)
{
    if (pr && pr->progress && pr->drawn) {
        fputc('\n', stderr);
        pr->drawn = false;
    }
}

void capture_progress_finish(struct capture_run *pr)
{
    if (!pr || !pr->progress)
        return;
    capture_progress_draw(pr, "total", 0, true);
    capture_progress_break(pr);
}
