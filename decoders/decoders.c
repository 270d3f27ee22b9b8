/* decoders.c - the one place that registers every protocol decoder with an engine's app layer. */
#include "app-layer-rtp.h"
#include "app-layer-sip.h"
#include "decoders.h"

void decoders_register_all(struct app_layer *al, const struct config *cfg)
{
    /* A full protocol table only loses that decoder; the engine still runs. */
    (void)sip_app_register(al, cfg);
    /* RTP last: its probe needs two datagrams, so content-detected
     * protocols get their chance first. */
    rtp_register(al);
}
