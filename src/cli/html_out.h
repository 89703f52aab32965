/* `peephole check --html FILE` and `--geoip FILE.mmdb` (src/cli/
 * html_out.c): the options' state, the GeoIP databases a run opens, and
 * the atomic write of the HTML report. */
#ifndef PH_CLI_HTML_OUT_H
#define PH_CLI_HTML_OUT_H

#include "peephole/check.h"
#include "peephole/geoip.h"

struct ph_cli_html {
	const char *path;                        /* --html, NULL: none */
	const char *geoip[PH_GEOIP_MAX_DBS];     /* --geoip, borrowed */
	unsigned ngeoip;
};

/* Handles --html (html true) or --geoip; 0, or -1 after printing why. */
int ph_cli_html_opt(struct ph_cli_html *o, bool html, const char *arg);

/* The named databases, then any found in the system places (used by the
 * text, JSON and HTML reports). NULL after printing the error when a
 * named one cannot be opened. */
struct ph_geoip *ph_cli_geoip_open(const struct ph_cli_html *o);

/* Writes the report to a temporary file in the target's directory and
 * renames it over the target (readers never see half a report). 0, or
 * -1 after printing the error (no temporary file is left). */
int ph_cli_write_html(const char *path, const struct ph_check *c);

#endif
