/* sipcheck.c - print the SIP anomaly events one raw message file raises, parsed as one UDP datagram.
 *
 *   sipcheck [--set sip.KEY=VALUE]... FILE
 *
 * Output: one "msg N request METHOD" / "msg N response CODE" line per
 * message, then one "event GID:SID NAME" line per event it raised. Exit 0,
 * or 2 on a usage or file error. Used by tests/scripts/rfc4475.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "sip-events.h"

struct sipcheck {
    int n;
};

static void sipcheck_msg(const struct sip_msg *m, sip_event_set ev, void *arg)
{
    struct sipcheck *sc = arg;
    sc->n++;
    if (m->flags & SIP_MF_REQUEST)
        printf("msg %d request %.*s\n", sc->n, (int)m->method.len, (const char *)m->method.p);
    else
        printf("msg %d response %.*s\n", sc->n, (int)m->status.len, (const char *)m->status.p);
    for (int e = 0; e < SIP_EV_MAX; e++)
        if (ev & SIP_EV_BIT(e)) {
            const struct sip_event_info *in = sip_event_info((enum sip_event_id)e);
            printf("event %u:%u %s\n", in->gid, in->sid, in->name);
        }
}

int main(int argc, char **argv)
{
    struct config *cfg = config_new();
    const char *file = NULL;
    if (!cfg)
        return 2;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--set") == 0 && i + 1 < argc) {
            if (config_set(cfg, argv[++i]) != TG_OK) {
                fprintf(stderr, "sipcheck: --set %s: expected KEY=VALUE\n", argv[i]);
                config_free(cfg);
                return 2;
            }
        } else if (!file) {
            file = argv[i];
        } else {
            fprintf(stderr, "usage: sipcheck [--set KEY=VALUE]... FILE\n");
            config_free(cfg);
            return 2;
        }
    }
    if (!file) {
        fprintf(stderr, "usage: sipcheck [--set KEY=VALUE]... FILE\n");
        config_free(cfg);
        return 2;
    }
    FILE *f = fopen(file, "rb");
    if (!f) {
        perror(file);
        config_free(cfg);
        return 2;
    }
    static uint8_t buf[65536];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);

    struct sip_config sc;
    sip_config_load(&sc, cfg);
    config_free(cfg);
    struct sip_inspect *si = sip_inspect_new(&sc);
    struct sip_header *hdrs = calloc(sc.max_headers, sizeof *hdrs);
    if (!si || !hdrs) {
        fprintf(stderr, "sipcheck: out of memory\n");
        sip_inspect_free(si);
        free(hdrs);
        return 2;
    }
    struct sipcheck st = {0};
    if (sip_inspect_datagram(si, buf, len, hdrs, sc.max_headers, sipcheck_msg, &st) == 0)
        printf("not sip\n");
    sip_inspect_free(si);
    free(hdrs);
    return 0;
}
