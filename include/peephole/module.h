/* A module: a protocol parser, a log writer or (later) a detection, plugged
 * into the run through the event bus. Parsers turn PH_EV_STREAM/DATAGRAM
 * into typed protocol events; log writers and detections subscribe to
 * those. A module keeps all its state in what init returns (and in its
 * per-flow slot, event.h), never in globals. The registry is the static
 * array in src/engine/modules.c. */
#ifndef PEEPHOLE_MODULE_H
#define PEEPHOLE_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "peephole/event.h"
#include "peephole/ph.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ph_intel;
struct ph_findings;
struct ph_devices;
struct ph_destinations;
struct ph_identifiers;

#define PH_MODULE_SKIP 1

/* What one module publishes for the others during a run. Owned by the
 * run; each member is set at init by the module that owns it (parsers
 * come first in the registry) and stays NULL when that module is not
 * running, so readers check. */
struct ph_dns_map;
struct ph_shared {
	const struct ph_dns_map *dns_map; /* resolved addresses (dns module;
					     include/peephole/dns_map.h) */
};

/* A tunable of a module (detection thresholds): set on the command line
 * as "<module>.<name>=<value>" (peephole check --set), listed by
 * peephole check --list-options, read with ph_module_option(). */
struct ph_module_option {
	const char *name;     /* "min_bytes"; NULL ends a module's list */
	double def;           /* default */
	double min, max;      /* accepted range */
	const char *unit;     /* "bytes", "seconds", "ratio", "count";
				 "path": the value is a file name, read with
				 ph_module_option_path (def/min/max unused) */
	const char *help;     /* one line */
};

/* What a module gets from the run (all borrowed for the run's length). */
struct ph_module_env {
	ph_event_fn emit;     /* emit an event on the bus ... */
	void *bus;            /* ... with this as its first argument */
	const char *log_dir;  /* NULL: this run writes no logs */
	int log_tsv;          /* 1: Zeek TSV, 0: Zeek JSON lines */
	uint64_t first_ts_ns; /* packet time of the run's first packet (0 when
				 not known yet) */
	/* For detections (`peephole check`); NULL in a logs-only run. */
	const struct ph_intel *intel;  /* indicator store */
	struct ph_findings *findings;  /* where findings go */
	struct ph_devices *devices;    /* device inventory to fill */
	struct ph_destinations *destinations; /* who the devices talk to
					  (destinations.h); NULL: not kept */
	struct ph_shared *shared;      /* never NULL in a run */
	/* "<module>.<option>=<value>" settings, checked against the modules'
	 * option lists before any init; borrowed. */
	const char *const *settings;
	unsigned nsettings;
	const char *detections;        /* NULL: all; else the detections to
					  run, comma-separated */
	const struct ph_identifiers *identifiers; /* NULL: none given
					  (include/peephole/identifiers.h) */
	bool show_secrets;             /* findings may show identifiers
					  unmasked */
};

/* One named counter a module reports in the run summary (caps hit,
 * malformed messages, records written...). */
struct ph_module_counter {
	const char *name;     /* "dns_names_truncated", static */
	uint64_t value;
};

struct ph_module {
	const char *name;     /* "dns", "dns_log" */
	const char *summary;  /* one line for --help / docs */
	unsigned mask;        /* enum ph_event_kind bits it wants */
	/* Creates the module's state; 0, or <0 with err (the run stops), or
	 * PH_MODULE_SKIP when the module has nothing to do in this run (a
	 * detection in a logs-only run): it is then left out. */
	int (*init)(const struct ph_module_env *env, void **state,
		    struct ph_err *err);
	void (*on_event)(void *state, const struct ph_event *ev);
	/* End of input, after every flow ended: flush and close logs.
	 * 0, or <0 with err (an output error). May be NULL. */
	int (*finish)(void *state, uint64_t last_ts_ns, struct ph_err *err);
	/* Fills up to max counters; returns how many. May be NULL. */
	unsigned (*counters)(const void *state, struct ph_module_counter *out,
			     unsigned max);
	void (*destroy)(void *state);
	const struct ph_module_option *options; /* may be NULL */
	bool detection;       /* adds findings (listed in the check report) */
};

/* The value of option `name` of module `m` in this run: the setting from
 * env->settings when there is one, else the option's default (0 for an
 * option the module does not declare: a programming error). */
double ph_module_option(const struct ph_module_env *env,
			const struct ph_module *m, const char *name);
/* Copies up to max of the n counters c into out; returns how many (the
 * usual body of a module's counters callback). */
unsigned ph_module_counters_copy(struct ph_module_counter *out, unsigned max,
				 const struct ph_module_counter *c, size_t n);

/* A "path" option's value: the last setting, or NULL when not set (the
 * module then uses its built-in default). Borrowed from the settings. */
const char *ph_module_option_path(const struct ph_module_env *env,
				  const struct ph_module *m, const char *name);

#ifdef __cplusplus
}
#endif
#endif
