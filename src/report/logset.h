/* The set of Zeek-style logs a run writes into one directory (conn.log now;
 * dns/ssl/http/... as parsers arrive). Opens every log, subscribes each to
 * the event bus, and closes them atomically at the end of the run. */
#ifndef PH_REPORT_LOGSET_H
#define PH_REPORT_LOGSET_H

#include <stdint.h>

#include "engine/bus.h"
#include "peephole/ph.h"
#include "peephole/run.h"

struct ph_logset;

/* Creates dir if needed; returns NULL and fills err on failure. */
struct ph_logset *ph_logset_open(const char *dir, enum ph_log_format fmt,
				 struct ph_bus *bus, uint64_t open_ts_ns,
				 struct ph_err *err);
/* Flushes and renames every log into place; returns 0 or PH_EIO. Frees. */
int ph_logset_close(struct ph_logset *ls, uint64_t close_ts_ns,
		    struct ph_err *err);
/* Connection records written so far. */
uint64_t ph_logset_conns(const struct ph_logset *ls);

#endif
