/* app-layer-sip.h - registers the "sip" app-layer protocol (probe, UDP and TCP parsers, EVE output). */
#ifndef TG_APP_LAYER_SIP_H
#define TG_APP_LAYER_SIP_H

#include "app-layer.h"
#include "sip.h"

struct config;

/* Register "sip" with al, reading the sip.* keys of cfg (may be NULL).
 * Returns the protocol id or TG_ERROR (table full, out of memory). */
int sip_app_register(struct app_layer *al, const struct config *cfg);

/* The content probe alone (exported for tests): a request line
 * "METHOD SP URI SP SIP/d.d" or a status line "SIP/d.d SP", after optional
 * CRLFs. HTTP/SSDP on SIP ports is not SIP. */
enum app_probe_result sip_app_probe(const uint8_t *data, size_t len, int dir);

/* Where m's SDP is: the whole body when Content-Type is application/sdp, or
 * the content of the first application/sdp part of a multipart body (one
 * level, "--boundary" delimiters, the part's own Content-Type or compact
 * "c:" header). Returns true with *out inside body (which may be m->body
 * or a longer datagram body, see app-layer-sip.c); false when there is no
 * SDP. Exported for tests and the SIP fuzz target. */
bool sip_sdp_body(const struct sip_msg *m, const struct sip_range *body, struct sip_range *out);

#endif
