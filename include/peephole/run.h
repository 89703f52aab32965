/* The analysis run as a library call: capture files in, Zeek-style logs and
 * a run summary out. One run = one session: several files are merged in
 * timestamp order. The caller (the CLI) owns printing and exit codes. */
#ifndef PEEPHOLE_RUN_H
#define PEEPHOLE_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "peephole/ph.h"

struct ph_intel;
struct ph_findings;
struct ph_devices;
struct ph_destinations;
struct ph_identifiers;

#ifdef __cplusplus
extern "C" {
#endif

#define PH_RUN_MAX_FILES 1024

enum ph_log_format { PH_LOG_JSON = 0, PH_LOG_TSV = 1 };

/* Called now and then during a run (every few thousand packets) so a
 * front end can draw progress. pos/total are input bytes (total 0 if
 * unknown, e.g. stdin). */
typedef void (*ph_progress_fn)(void *user, uint64_t pos, uint64_t total,
			       uint64_t packets);

struct ph_run_config {
	const char *const *files;   /* borrowed; "-" = stdin */
	unsigned nfiles;
	const char *log_dir;        /* NULL: no logs written */
	enum ph_log_format log_format;
	uint32_t max_flows;         /* 0: default */
	uint64_t tcp_timeout_ns;    /* 0: default (300 s) */
	uint64_t udp_timeout_ns;    /* 0: default (60 s) */
	const char *modules;        /* NULL: every module; "none": conn.log
				       only; else a comma list of module names
				       ("dns,dns_log,tls,ssl_log") */
	/* `peephole check`: all borrowed, NULL in a logs-only run. */
	const struct ph_intel *intel;   /* indicators for the detections */
	struct ph_findings *findings;   /* findings collection to fill */
	struct ph_devices *devices;     /* device inventory to fill */
	struct ph_destinations *destinations; /* destinations table to fill
					   (--html); NULL: not kept */
	const char *detections;         /* NULL: every detection; else a comma
				           list of detection names to run */
	const char *const *settings;    /* "<module>.<option>=<value>" */
	unsigned nsettings;
	const struct ph_identifiers *identifiers; /* the device's personal
					     identifiers (pii detection); NULL:
					     none given */
	bool show_secrets;              /* findings may show identifiers
					   unmasked (--show-secrets) */
	ph_progress_fn progress;    /* may be NULL */
	void *progress_user;
};

/* Per-file outcome: how much was read and the error that stopped it. */
struct ph_file_result {
	char path[256];
	char format[16];            /* "pcap", "pcapng.gz", ... */
	uint64_t packets;
	uint64_t bytes;             /* bytes of input consumed */
	struct ph_err err;          /* err.code == 0 when read to the end */
	bool opened;
};

struct ph_run_summary; /* opaque: counters, anomalies, files */

/* Runs the analysis. Returns PH_OK when every file was read to its end;
 * PH_ETRUNC/PH_EFORMAT/PH_EIO when some input failed (see the per-file
 * results; everything valid was still analysed and logged); the summary
 * is always filled when *summary is non-NULL on return (free it). */
int ph_run(const struct ph_run_config *cfg, struct ph_run_summary **summary,
	   struct ph_err *err);

void ph_run_summary_free(struct ph_run_summary *s);

unsigned ph_run_summary_nfiles(const struct ph_run_summary *s);
const struct ph_file_result *ph_run_summary_file(const struct ph_run_summary *s,
						 unsigned i);
/* Totals. */
struct ph_run_totals {
	uint64_t packets, bytes;    /* frames and frame bytes (wire lengths) */
	uint64_t ip_packets, not_ip, bad_packets, frags_held;
	uint64_t flows;             /* connection records produced */
	uint64_t peak_flows;
	uint64_t first_ns, last_ns; /* capture time span */
	uint64_t files_ok, files_failed;
};
void ph_run_summary_totals(const struct ph_run_summary *s,
			   struct ph_run_totals *out);
/* Anomaly counters: index i < ph_run_summary_nanomalies(); NULL name ends. */
unsigned ph_run_summary_nanomalies(const struct ph_run_summary *s);
uint64_t ph_run_summary_anomaly(const struct ph_run_summary *s, unsigned i,
				const char **name, const char **text);

/* Counters the protocol modules keep (messages parsed, caps hit,
 * malformed input), index i < ph_run_summary_ncounters(). */
unsigned ph_run_summary_ncounters(const struct ph_run_summary *s);
uint64_t ph_run_summary_counter(const struct ph_run_summary *s, unsigned i,
				const char **name);

/* Every module's options, for --list-options: calls fn once per option
 * with the module's name. */
struct ph_module_option;
void ph_run_list_options(void (*fn)(void *user, const char *module,
				    const struct ph_module_option *o),
			 void *user);

/* Every detection (modules that add findings), in registry order: calls
 * fn with its name and one-line summary. */
void ph_run_list_detections(void (*fn)(void *user, const char *name,
				       const char *summary),
			    void *user);

/* Names of the modules that ran (parsers, logs, detections), in
 * registry order; static strings. */
unsigned ph_run_summary_nmodules(const struct ph_run_summary *s);
const char *ph_run_summary_module(const struct ph_run_summary *s, unsigned i);
bool ph_run_summary_module_is_detection(const struct ph_run_summary *s,
					unsigned i);

#ifdef __cplusplus
}
#endif
#endif
