/* Shared pieces of the command-line front end: exit codes, error printing,
 * number parsing, progress display. Only cli/ prints or exits. */
#ifndef PH_CLI_H
#define PH_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "peephole/ph.h"
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

#endif
