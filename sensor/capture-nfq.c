/* capture-nfq.c - inline mode: packets from NFQUEUE, a verdict for each.
 *
 * One netlink handle serves every queue of the range (-q N-M), so a single
 * worker owns all flows; with iptables' --queue-balance the kernel keeps an
 * IP pair on one queue, which is what a later one-thread-per-queue split
 * needs. The kernel is told to fail open: when our queue is full it accepts
 * packets instead of dropping them (DESIGN: never drop a legitimate call
 * because the sensor is busy). Privileges are dropped once the queues exist. */
#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pcap/dlt.h>
#include "capture.h"
#include "engine.h"

#define NFQ_MAX_QUEUES 64
#define NFQ_COPY_RANGE 0xffff

/* Set by the signal handler, read by the loop; owned by this file. */
static volatile sig_atomic_t nfq_stop;

static void nfq_on_signal(int sig)
{
    TG_UNUSED(sig);
    nfq_stop = 1;
}

struct nfq_ctx {
    struct engine *e;
    uint64_t num;
    uint64_t dropped;
};

static uint64_t nfq_wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * TG_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

static int nfq_on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa, void *arg)
{
    TG_UNUSED(msg);
    struct nfq_ctx *nc = arg;
    struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
    if (!ph)
        return 0;
    uint32_t id = ntohl(ph->packet_id);
    unsigned char *data = NULL;
    int len = nfq_get_payload(nfa, &data);
    uint32_t verdict = NF_ACCEPT;
    if (len > 0) {
        struct packet p;
        memset(&p, 0, sizeof p);
        struct timeval tv;
        p.num = ++nc->num;
        p.ts_ns = nfq_get_timestamp(nfa, &tv) == 0
                      ? (uint64_t)tv.tv_sec * TG_NS_PER_SEC + (uint64_t)tv.tv_usec * 1000u
                      : nfq_wall_ns();
        p.data = data;
        p.caplen = p.wirelen = (uint32_t)len;
        p.datalink = DLT_RAW;
        engine_process_packet(nc->e, &p);
        if (p.verdict == VERDICT_DROP || p.verdict == VERDICT_REJECT) {
            verdict = NF_DROP;
            nc->dropped++;
        }
    }
    return nfq_set_verdict(qh, id, verdict, 0, NULL);
}

/* Parse "N" or "N-M" into a queue range. */
static int nfq_parse_range(const char *s, unsigned *lo, unsigned *hi)
{
    char *end;
    unsigned long a = strtoul(s, &end, 10), b = a;
    if (end == s)
        return TG_ERROR;
    if (*end == '-') {
        const char *t = end + 1;
        b = strtoul(t, &end, 10);
        if (end == t)
            return TG_ERROR;
    }
    if (*end || a > 65535 || b > 65535 || b < a || b - a >= NFQ_MAX_QUEUES)
        return TG_ERROR;
    *lo = (unsigned)a;
    *hi = (unsigned)b;
    return TG_OK;
}

static int nfq_drop_privileges(const char *user, char *err, size_t errlen)
{
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        snprintf(err, errlen, "user '%s' does not exist", user);
        return TG_ERROR;
    }
    if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
        snprintf(err, errlen, "cannot drop privileges to '%s': %s", user, strerror(errno));
        return TG_ERROR;
    }
    return TG_OK;
}

int capture_nfqueue(struct engine *e, const char *queues, const char *user, uint64_t count,
                    char *err, size_t errlen)
{
    unsigned lo, hi;
    if (nfq_parse_range(queues, &lo, &hi) != TG_OK) {
        snprintf(err, errlen, "-q %s: expected a queue number N or a range N-M (at most %d queues)",
                 queues, NFQ_MAX_QUEUES);
        return TG_DECLINED;
    }
    struct nfq_handle *h = nfq_open();
    if (!h) {
        snprintf(err, errlen, "nfq_open: %s (inline mode needs CAP_NET_ADMIN)", strerror(errno));
        return TG_ERROR;
    }
    struct nfq_ctx nc = {.e = e};
    struct nfq_q_handle *qh[NFQ_MAX_QUEUES] = {0};
    int rc = TG_ERROR;
    for (unsigned q = lo; q <= hi; q++) {
        struct nfq_q_handle *x = nfq_create_queue(h, (uint16_t)q, nfq_on_packet, &nc);
        if (!x) {
            snprintf(err, errlen, "queue %u: cannot bind (%s); is another program on it?", q, strerror(errno));
            goto out;
        }
        qh[q - lo] = x;
        if (nfq_set_mode(x, NFQNL_COPY_PACKET, NFQ_COPY_RANGE) < 0) {
            snprintf(err, errlen, "queue %u: cannot set copy mode: %s", q, strerror(errno));
            goto out;
        }
        /* Fail open: older kernels lack the flag; that is not fatal. */
        nfq_set_queue_flags(x, NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_FAIL_OPEN);
        nfq_set_queue_maxlen(x, 4096);
    }
    if (user && nfq_drop_privileges(user, err, errlen) != TG_OK)
        goto out;

    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = nfq_on_signal;
    sigemptyset(&sa.sa_mask);
    nfq_stop = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    int fd = nfq_fd(h);
    char buf[NFQ_COPY_RANGE + 4096] __attribute__((aligned));
    rc = TG_OK;
    while (!nfq_stop && (count == 0 || nc.num < count)) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int pr = poll(&pfd, 1, 200);
        if (pr < 0 && errno != EINTR) {
            snprintf(err, errlen, "poll: %s", strerror(errno));
            rc = TG_ERROR;
            break;
        }
        if (pr <= 0)
            continue;
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == ENOBUFS) { /* the kernel dropped (failed open) while we were busy */
                stats_inc(engine_stats(e), STAT_CAPTURE_KERNEL_DROPS);
                continue;
            }
            if (errno == EINTR)
                continue;
            snprintf(err, errlen, "recv: %s", strerror(errno));
            rc = TG_ERROR;
            break;
        }
        nfq_handle_packet(h, buf, (int)n);
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
out:
    for (unsigned q = lo; q <= hi; q++)
        if (qh[q - lo])
            nfq_destroy_queue(qh[q - lo]);
    nfq_close(h);
    return rc;
}
