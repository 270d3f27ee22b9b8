/* fuzz-sdp.c - libFuzzer target: SDP parse, sticky buffers and EVE writer on arbitrary bodies. */
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Default caps and tiny ones, so the cap paths run as often as the rest. */
    struct sdp_limits lims[2];
    sdp_limits_init(&lims[0], NULL);
    lims[1].max_media = 2;
    lims[1].max_attributes = 3;
    lims[1].max_lines = 6;
    lims[1].max_formats = 2;
    /* A heap copy of exactly size bytes so ASan sees any over-read. */
    uint8_t *body = malloc(size ? size : 1);
    if (!body)
        return 0;
    memcpy(body, data, size);
    for (int k = 0; k < 2; k++) {
        struct sdp_session *s = sdp_session_new(&lims[k]);
        if (!s)
            break;
        struct stats st;
        memset(&st, 0, sizeof st);
        if (sdp_parse(s, body, size, &st) == TG_OK) {
            for (int id = 0; id < SDP_BUF_MAX; id++) {
                struct sdp_str r;
                for (uint32_t i = 0; sdp_buffer_get(s, (enum sdp_buffer)id, i, &r); i++) {
                    if (r.len && (r.p < body || r.p + r.len > body + size))
                        abort(); /* a range outside the body */
                }
            }
            for (uint32_t i = 0; i < s->n_media; i++) {
                const struct sdp_media *m = &s->media[i];
                for (unsigned pt = 0; pt < 128; pt++)
                    (void)sdp_media_codec(m, pt);
                (void)sdp_security_name(m->security);
                (void)sdp_direction_name(m->dir);
            }
            struct json j;
            json_init(&j);
            json_open_object(&j, NULL);
            sdp_json(s, &j);
            json_close_object(&j);
            json_free(&j);
        }
        sdp_session_free(s);
    }
    free(body);
    return 0;
}
