/* The event bus: a fixed-size list of subscribers, each with a mask of the
 * event kinds it wants. Emitting is a loop over at most PH_BUS_MAX_SUBS
 * entries; no allocation. One bus per run (no globals). */
#ifndef PH_ENGINE_BUS_H
#define PH_ENGINE_BUS_H

#include "peephole/event.h"

#define PH_BUS_MAX_SUBS 64

struct ph_bus_sub {
	unsigned mask;     /* enum ph_event_kind bits */
	ph_event_fn fn;
	void *user;        /* borrowed */
};

struct ph_bus {
	struct ph_bus_sub sub[PH_BUS_MAX_SUBS];
	unsigned n;
	unsigned wanted;   /* union of all masks: lets producers skip work */
};

void ph_bus_init(struct ph_bus *b);
/* Returns 0, or PH_ENOMEM when PH_BUS_MAX_SUBS are taken. */
int ph_bus_subscribe(struct ph_bus *b, unsigned mask, ph_event_fn fn,
		     void *user);
/* Has the ph_event_fn shape so it can be handed to producers directly:
 * `user` is the struct ph_bus. */
void ph_bus_emit(void *bus, const struct ph_event *ev);

#endif
