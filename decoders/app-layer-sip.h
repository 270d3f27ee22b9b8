/* app-layer-sip.h - registers the "sip" app-layer protocol (probe, UDP and TCP parsers, EVE output). */
#ifndef TG_APP_LAYER_SIP_H
#define TG_APP_LAYER_SIP_H

#include "app-layer.h"

struct config;

/* Register "sip" with al, reading the sip.* keys of cfg (may be NULL).
 * Returns the protocol id or TG_ERROR (table full, out of memory). */
int sip_app_register(struct app_layer *al, const struct config *cfg);

/* The content probe alone (exported for tests): a request line
 * "METHOD SP URI SP SIP/d.d" or a status line "SIP/d.d SP", after optional
 * CRLFs. HTTP/SSDP on SIP ports is not SIP. */
enum app_probe_result sip_app_probe(const uint8_t *data, size_t len, int dir);

#endif
