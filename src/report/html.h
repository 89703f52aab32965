/* Pieces the HTML report (src/report/check_html.c) is built from, shared
 * by its files: escaping of untrusted text (html_esc.c), small formats,
 * the destinations section (html_dest.c) and the inline SVG charts
 * (html_svg.c). Everything writes to a FILE; write errors are found once,
 * at the end, with ferror(). Internal to src/report. */
#ifndef PH_REPORT_HTML_H
#define PH_REPORT_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "peephole/check.h"
#include "peephole/destinations.h"

/* Writes s as HTML text or attribute value: & < > " ' escaped, control
 * bytes and broken UTF-8 shown as U+FFFD, at most max bytes of s read
 * (0: no limit); a cut adds "…". */
void ph_html_text(FILE *out, const char *s, size_t max);

/* "2024-05-01 12:00:03 UTC" ("unknown" for 0); "12:00:03" when short. */
void ph_html_time(uint64_t ns, char *buf, size_t n, bool short_form);
/* "1.2 MB", "512 bytes". */
void ph_html_bytes(uint64_t v, char *buf, size_t n);

/* The destinations a report shows, copied once, with what the findings
 * say about them. */
struct ph_html_dest {
	struct ph_destination d;
	int worst;              /* highest severity of a finding about it,
				   -1 none */
	unsigned first_finding; /* index of that finding (anchor f-N) */
	unsigned pos;           /* listing index in c->destinations */
	char country[64], country_iso[4], org[128]; /* GeoIP, "" unknown */
};
struct ph_html_dests {
	struct ph_html_dest *v; /* owned, n entries (table order) */
	unsigned n, total;      /* kept / in the run */
	uint64_t dropped;       /* connections the run could not file */
	int *fdest;             /* owned: finding index -> entry of v, -1 */
	unsigned nfdest;        /* findings matched (the first ones) */
	bool has_country, has_org;
	bool many_devices;      /* entries of more than one device */
	char day[16];           /* "2024-05-01" when the capture lies within
				   one UTC day (times then shown as HH:MM:SS),
				   else "" */
};

/* A finding at least this severe colours its destination's row, timeline
 * row and label red; less severe ones only get a badge. */
#define PH_HTML_HOT_SEV PH_SEV_MEDIUM
static inline bool ph_html_hot(const struct ph_html_dest *e)
{
	return e->worst >= (int)PH_HTML_HOT_SEV;
}

/* "name" or, when the report covers several devices, "name (device)",
 * escaped; with max (bytes, 0: no limit) the name is cut to fit and an
 * IPv6 device shortened to its end. */
void ph_html_dest_label(FILE *out, const struct ph_html_dests *hd,
			const struct ph_html_dest *e, size_t max);

/* Copies the destinations of c (the table's top entries by bytes plus
 * those a finding names), marks them from the findings and looks them up
 * in c->geoip. 0 or PH_ENOMEM. */
int ph_html_dests_load(const struct ph_check *c, struct ph_html_dests *hd);
void ph_html_dests_free(struct ph_html_dests *hd);
/* Index in hd of the destination finding i is about, -1 none. */
int ph_html_dest_of(const struct ph_html_dests *hd, unsigned i);

/* The "who the device talks to" table. */
void ph_html_dest_table(FILE *out, const struct ph_html_dests *hd);

/* Charts (inline SVG). */
/* Connections over time, one row per destination (those with findings
 * first, then the busiest), findings' time spans shaded. */
void ph_html_svg_timeline(FILE *out, const struct ph_check *c,
			  const struct ph_html_dests *hd);
/* Bytes sent and received per destination (the busiest). */
void ph_html_svg_volume(FILE *out, const struct ph_html_dests *hd);
/* Interval histogram and intervals over time of n beat times ts. */
void ph_html_svg_beacon(FILE *out, const uint64_t *ts, unsigned n);

/* The findings section, most severe first (html_findings.c), with the
 * beacon plots of findings that carry a series of beat times. */
void ph_html_findings(FILE *out, const struct ph_check *c,
		      const struct ph_html_dests *hd);

/* The page's inline style sheet and script (html_style.c). */
extern const char ph_html_css[];
extern const char ph_html_js[];

#endif
