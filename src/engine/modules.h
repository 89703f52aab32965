/* The module registry and the modules of one run: every registered module
 * is created, subscribed to the bus, finished and destroyed together. */
#ifndef PH_ENGINE_MODULES_H
#define PH_ENGINE_MODULES_H

#include "engine/bus.h"
#include "peephole/module.h"

#define PH_MAX_MODULES 48

struct ph_modules {
	const struct ph_module *mod[PH_MAX_MODULES];
	void *state[PH_MAX_MODULES];
	unsigned n;
};

/* The static registry: *n receives its length. */
const struct ph_module *const *ph_module_registry(unsigned *n);

/* Creates the registered modules named in `only` (NULL: all; "none":
 * none; else a comma list) and subscribes them; an unknown name is
 * PH_EINVAL. On failure destroys what was created and returns <0. */
int ph_modules_open(struct ph_modules *m, const struct ph_module_env *env,
		    struct ph_bus *bus, const char *only, struct ph_err *err);
/* Finishes every module (logs closed); returns the first error. */
int ph_modules_finish(struct ph_modules *m, uint64_t last_ts_ns,
		      struct ph_err *err);
void ph_modules_destroy(struct ph_modules *m);

#endif
