/* Shared pieces of the command-line front end: exit codes, error printing,
 * number parsing, progress display. Only cli/ prints or exits. */
#ifndef PH_CLI_H
#define PH_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "peephole/ph.h"
#include "peephole/intel.h"
#include "peephole/run.h"

/* Documented exit codes (README "Exit codes", peephole.1). */
enum ph_exit {
	PH_EXIT_OK = 0,       /* success, every input read to its end */
	PH_EXIT_FINDINGS = 1, /* check: findings of medium severity or more */
	PH_EXIT_INPUT = 2,    /* no input could be read */
	PH_EXIT_USAGE = 3,    /* bad command line */
	PH_EXIT_PARTIAL = 4,  /* some input damaged/unreadable; results cover
				 everything that was valid */
	PH_EXIT_OUTPUT = 5,   /* results could not be written */
};

extern const char *ph_cli_prog; /* "peephole", for messages */

/* "peephole: <fmt>\n" on stderr. */
void ph_cli_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One line naming the file, packet and offset of an error record. */
void ph_cli_print_err(const struct ph_err *err);

/* Parses a whole decimal number in [min,max]; false on junk. */
bool ph_cli_parse_u64(const char *s, uint64_t min, uint64_t max,
		      uint64_t *out);

/* Progress on stderr (only when it is a terminal and not quiet). */
struct ph_progress {
	bool enabled;
	double start;      /* wall clock, seconds */
	double last_draw;
	bool drawn;
};
void ph_progress_init(struct ph_progress *p, bool quiet);
void ph_progress_cb(void *user, uint64_t pos, uint64_t total,
		    uint64_t packets);
void ph_progress_done(struct ph_progress *p);

/* Prints the run summary (files, packets, flows, span, anomalies). */
void ph_cli_print_summary(const struct ph_run_summary *s, double seconds);

/* Maps a run's outcome to an exit code. */
int ph_cli_run_exit(int rc, const struct ph_run_summary *s);

int ph_cmd_logs(int argc, char **argv);
int ph_cmd_check(int argc, char **argv);
int ph_cmd_ioc(int argc, char **argv);
int ph_cmd_update(int argc, char **argv);

/* Indicator options shared by check and ioc (cli/intel_opts.c). Long
 * options only; their getopt codes: */
enum {
	PH_OPT_IOC = 1000, PH_OPT_ALLOW, PH_OPT_CACHE_DIR, PH_OPT_NO_CACHE,
};
#define PH_CLI_MAX_FEEDS 64
struct ph_cli_intel {
	const char *paths[PH_CLI_MAX_FEEDS]; /* borrowed from argv */
	bool allow[PH_CLI_MAX_FEEDS];        /* --allow (else --ioc) */
	unsigned npaths;
	const char *cache_dir;               /* --cache-dir, or NULL */
	bool no_cache;                       /* --no-cache */
};
/* Handles one of the PH_OPT_* codes; 0, or -1 after printing why. */
int ph_cli_intel_opt(struct ph_cli_intel *o, int c, const char *arg);
/* The cache (unless --no-cache), then every path in order. NULL after
 * printing the error (a named file that cannot be loaded is an error). */
struct ph_intel *ph_cli_intel_load(const struct ph_cli_intel *o);

#endif
