/* The event bus (see bus.h). */
#include "engine/bus.h"

#include <string.h>

#include "peephole/ph.h"

void ph_bus_init(struct ph_bus *b)
{
	memset(b, 0, sizeof *b);
}

int ph_bus_subscribe(struct ph_bus *b, unsigned mask, ph_event_fn fn,
		     void *user)
{
	if (b->n >= PH_BUS_MAX_SUBS)
		return PH_ENOMEM;
	b->sub[b->n++] = (struct ph_bus_sub){mask, fn, user};
	b->wanted |= mask;
	return PH_OK;
}

void ph_bus_emit(void *bus, const struct ph_event *ev)
{
	struct ph_bus *b = bus;
	for (unsigned i = 0; i < b->n; i++)
		if (b->sub[i].mask & (unsigned)ev->kind)
			b->sub[i].fn(b->sub[i].user, ev);
}
