/* decoders.h - registers every protocol decoder with the app layer. */
#ifndef TG_DECODERS_H
#define TG_DECODERS_H

struct app_layer;
struct config;

/* Called once per engine from engine_new(); cfg holds each decoder's keys. */
void decoders_register_all(struct app_layer *al, const struct config *cfg);

#endif
