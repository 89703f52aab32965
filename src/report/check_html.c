/* The HTML report of `peephole check` (ph_check_write_html): one
 * self-contained page (inline CSS, inline SVG, a small optional script;
 * no external script, font, image or request) for a reader who is not a
 * network engineer. Top: the verdict banner in its colour with its one
 * sentence, the devices, the capture's time span and what was checked
 * (inputs with SHA-256, indicator sources with dates and counts,
 * detections run, what could not be inspected). Then the findings
 * (html_findings.c), who the device talks to (html_dest.c), the timeline
 * and the data volume charts (html_svg.c). Every string from a capture or
 * a feed is escaped (html_esc.c). Layout and caps: docs/report-html.md. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "peephole/geoip.h"
#include "report/html.h"

#define DEVICES_SHOWN 5   /* more go in a <details> */
#define DEVICES_MAX 200

static void page_head(FILE *out, const struct ph_check *c)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "\n<meta name=\"viewport\" content=\"width=device-width, "
	      "initial-scale=1\">\n<meta http-equiv=\"Content-Security-Policy\" "
	      "content=\"default-src 'none'; style-src 'unsafe-inline'; "
	      "script-src 'unsafe-inline'; img-src data:\">\n"
	      "<meta name=\"referrer\" content=\"no-referrer\">\n<title>", out);
	fprintf(out, "peephole: %s</title>\n<style>\n", ph_verdict_name(c->verdict));
	fputs(ph_html_css, out);
	fputs("</style>\n</head>\n<body>\n", out);
}

static void banner(FILE *out, const struct ph_check *c)
{
	fprintf(out, "<header class=\"banner v%d\" id=\"verdict\" "
		"data-verdict=\"%s\"><div class=\"in\"><h1>%s</h1>\n<p>",
		(int)c->verdict, ph_verdict_name(c->verdict),
		ph_verdict_name(c->verdict));
	ph_html_text(out, c->reason, 0);
	fputs("</p></div></header>\n<main>\n", out);
}

static void fact_devices(FILE *out, const struct ph_check *c)
{
	fputs("<dt>Device", out);
	fputs(c->ndevices == 1 ? "</dt><dd>" : "s</dt><dd>", out);
	if (c->device_filter) {
		fputs("only ", out);
		ph_html_text(out, c->device_filter, 0);
		fputs(" was checked (--device)<br>", out);
	}
	if (!c->ndevices)
		fputs("none seen", out);
	for (unsigned i = 0; i < c->ndevices && i < DEVICES_MAX; i++) {
		const struct ph_device *d = &c->devices[i];
		char o[32], in[32];
		ph_html_bytes(d->bytes_out, o, sizeof o);
		ph_html_bytes(d->bytes_in, in, sizeof in);
		if (i == DEVICES_SHOWN)
			fprintf(out, "<details><summary>%u more devices</summary>",
				(c->ndevices < DEVICES_MAX ? c->ndevices
							   : DEVICES_MAX) -
				DEVICES_SHOWN);
		else if (i)
			fputs("<br>", out);
		ph_html_text(out, d->ip, 0);
		if (d->mac[0]) {
			fputs(" <span class=\"dim\">", out);
			ph_html_text(out, d->mac, 0);
			fputs("</span>", out);
		}
		if (d->hostname[0]) {
			fputs(" \xe2\x80\x9c", out);
			ph_html_text(out, d->hostname, 0);
			fputs("\xe2\x80\x9d", out);
		}
		fprintf(out, " <span class=\"dim\">%" PRIu64 " connection%s, "
			"%s sent, %s received</span>", d->flows,
			d->flows == 1 ? "" : "s", o, in);
	}
	if (c->ndevices > DEVICES_MAX)
		fprintf(out, "<br>and %u more", c->ndevices - DEVICES_MAX);
	if (c->ndevices > DEVICES_SHOWN)
		fputs("</details>", out);
	fputs("</dd>\n", out);
}

static void fact_span(FILE *out, const struct ph_check *c)
{
	char a[40], z[40], b[40];
	ph_html_time(c->first_ns, a, sizeof a, false);
	ph_html_time(c->last_ns, z, sizeof z, false);
	ph_html_bytes(c->bytes, b, sizeof b);
	uint64_t s = c->last_ns > c->first_ns
			     ? (c->last_ns - c->first_ns) / 1000000000u : 0;
	char d[48];
	if (s >= 172800)
		snprintf(d, sizeof d, "%" PRIu64 " days", s / 86400);
	else if (s >= 3600)
		snprintf(d, sizeof d, "%" PRIu64 " h %" PRIu64 " min", s / 3600,
			 s / 60 % 60);
	else
		snprintf(d, sizeof d, "%" PRIu64 " min %" PRIu64 " s", s / 60,
			 s % 60);
	if (!c->first_ns)
		fputs("<dt>Capture</dt><dd>no packets</dd>\n", out);
	else
		fprintf(out, "<dt>Capture</dt><dd>%s to %s (%s)</dd>\n", a, z, d);
	fprintf(out, "<dt>Traffic</dt><dd>%" PRIu64 " packets, %s, %" PRIu64
		" connections (%" PRIu64 " encrypted)</dd>\n", c->packets, b,
		c->flows, c->encrypted_flows);
}

static void summary(FILE *out, const struct ph_check *c)
{
	fputs("<section id=\"summary\"><dl class=\"facts\">\n", out);
	fact_devices(out, c);
	fact_span(out, c);
	fputs("</dl>\n<nav class=\"jump\"><a href=\"#checked\">What was "
	      "checked</a><a href=\"#findings\">Findings</a><a href=\""
	      "#destinations\">Who the device talks to</a>", out);
	if (ph_destinations_count(c->destinations))
		fputs("<a href=\"#timeline-h\">Timeline</a><a href=\"#volume-h\">"
		      "Data volume</a>", out);
	fputs("</nav></section>\n", out);
}

/* ---- what was checked --------------------------------------------------- */

static void files(FILE *out, const struct ph_check *c)
{
	fprintf(out, "<dt>Input%s</dt><dd><ul class=\"plain\">",
		c->nfiles == 1 ? "" : "s");
	for (unsigned i = 0; i < c->nfiles; i++) {
		const struct ph_check_file *f = &c->files[i];
		fputs("<li>", out);
		ph_html_text(out, f->path[0] ? f->path : "(stdin)", 0);
		fprintf(out, " <span class=\"dim\">%s, %" PRIu64 " packets",
			f->format, f->packets);
		if (f->sha256[0])
			fprintf(out, ", SHA-256 <code>%s</code>", f->sha256);
		fputs("</span>", out);
		if (!f->complete) {
			fputs(" <span class=\"bad\">not read to its end: ", out);
			ph_html_text(out, f->error[0] ? f->error : "unknown error",
				     0);
			fputs("</span>", out);
		}
		fputs("</li>", out);
	}
	fputs("</ul></dd>\n", out);
}

static void source(FILE *out, const struct ph_intel_source *s)
{
	fputs("<li>", out);
	ph_html_text(out, s->name, 0);
	fprintf(out, " <span class=\"dim\">(%s%s", ph_feed_format_name(s->format),
		s->date[0] ? ", " : "");
	ph_html_text(out, s->date, 0);
	fputs(s->allowlist ? ", allowlist)</span>: " : ")</span>: ", out);
	bool any = false;
	for (unsigned t = 0; t < PH_IOC_TYPE_COUNT; t++)
		if (s->count[t]) {
			fprintf(out, "%s%" PRIu64 " %s", any ? ", " : "",
				s->count[t], ph_ioc_type_name((enum ph_ioc_type)t));
			any = true;
		}
	fputs(any ? "" : "no usable indicators", out);
	if (s->unsupported)
		fprintf(out, " <span class=\"dim\">(%" PRIu64 " entries could "
			"not be used)</span>", s->unsupported);
	fputs("</li>", out);
}

static void sources(FILE *out, const struct ph_check *c)
{
	unsigned n = c->intel ? ph_intel_nsources(c->intel) : 0;
	fputs("<dt>Indicator sources</dt><dd>", out);
	if (!n)
		fputs("<span class=\"bad\">none loaded: known-bad infrastructure "
		      "was not checked</span>", out);
	else
		fputs("<ul class=\"plain\">", out);
	for (unsigned i = 0; i < n; i++) {
		const struct ph_intel_source *s = ph_intel_source(c->intel, i);
		if (s)
			source(out, s);
	}
	fputs(n ? "</ul></dd>\n" : "</dd>\n", out);
}

static void detections(FILE *out, const struct ph_check *c)
{
	fprintf(out, "<dt>Detections run</dt><dd>%u: ", c->ndetections);
	for (unsigned i = 0; i < c->ndetections; i++) {
		fputs(i ? ", " : "", out);
		ph_html_text(out, c->detections[i], 0);
	}
	fputs(c->ndetections ? "</dd>\n" : "none</dd>\n", out);
	unsigned g = ph_geoip_count(c->geoip);
	fputs("<dt>GeoIP</dt><dd>", out);
	if (!g)
		fputs("no database: countries and organisations are not shown",
		      out);
	for (unsigned i = 0; i < g; i++) {
		fputs(i ? ", " : "", out);
		ph_html_text(out, ph_geoip_path(c->geoip, i), 0);
	}
	fputs("</dd>\n", out);
}

static void not_checked(FILE *out, const struct ph_check *c)
{
	fputs("<dt>Not checked</dt><dd>", out);
	if (!c->nnot_checked)
		fputs("nothing we know of", out);
	else
		fputs("<ul class=\"plain\">", out);
	for (unsigned i = 0; i < c->nnot_checked && i < PH_CHECK_MAX_NOTES; i++) {
		fputs("<li>", out);
		ph_html_text(out, c->not_checked[i], 0);
		fputs("</li>", out);
	}
	fputs(c->nnot_checked ? "</ul></dd>\n" : "</dd>\n", out);
}

static void checked(FILE *out, const struct ph_check *c)
{
	fputs("<section id=\"checked\"><h2>What was checked</h2>\n"
	      "<dl class=\"facts\">\n", out);
	files(out, c);
	sources(out, c);
	detections(out, c);
	not_checked(out, c);
	fputs("</dl></section>\n", out);
}

/* ---- destinations and charts -------------------------------------------- */

static void legend(FILE *out, const char *const *items)
{
	fputs("<p class=\"legend dim\">", out);
	for (; items[0]; items += 2)
		fprintf(out, "<span><i class=\"sw\" style=\"background:%s\"></i>"
			"%s</span>", items[0], items[1]);
	fputs("</p>\n", out);
}

static void destinations(FILE *out, const struct ph_check *c,
			 const struct ph_html_dests *hd)
{
	static const char *const tl_legend[] = {
		"#1c7ed6", "a connection started", "#c92a2a",
		"connection to a destination with a finding of medium severity "
		"or more", "#ffc9c9",
		"time span of the finding", NULL};
	static const char *const vol_legend[] = {
		"#e8590c", "sent by the device", "#c92a2a",
		"sent more than it received", "#1c7ed6", "received", NULL};
	fputs("<section id=\"destinations\"><h2>Who the device talks to</h2>\n",
	      out);
	if (!c->destinations || !hd->n) {
		fputs("<p>No connection was recorded.</p></section>\n", out);
		return;
	}
	fprintf(out, "<p>%u destination%s: the name the device asked for (or "
		"the address when it used none). Rows marked "
		"<span class=\"badge insecure\">insecure</span> sent data "
		"without encryption or with an old TLS version; rows marked "
		"<span class=\"badge sev3\">finding</span> link to it. Click a "
		"column heading to sort.%s%s%s</p>\n", hd->total,
		hd->total == 1 ? "" : "s", hd->day[0] ? " Times are UTC, on "
		: "", hd->day, hd->day[0] ? "." : "");
	ph_html_dest_table(out, hd);
	if (hd->total > hd->n)
		fprintf(out, "<p class=\"note\">Showing %u of %u destinations "
			"(those with the most traffic, and every one a finding "
			"is about).</p>\n", hd->n, hd->total);
	if (hd->dropped)
		fprintf(out, "<p class=\"note\">%" PRIu64 " connections are not "
			"in the table: it was full (raise --set "
			"destinations.max).</p>\n", hd->dropped);
	fputs("<h2 id=\"timeline-h\">Timeline</h2>\n<p>Each tick is one "
	      "connection. Regular ticks at even spacing are what a "
	      "program calling home on a timer looks like.</p>\n", out);
	legend(out, tl_legend);
	ph_html_svg_timeline(out, c, hd);
	fputs("<h2 id=\"volume-h\">Data volume</h2>\n<p>Bytes the device sent "
	      "and received per destination (the busiest). A device "
	      "uploading more than it downloads deserves a look.</p>\n", out);
	legend(out, vol_legend);
	ph_html_svg_volume(out, hd);
	fputs("</section>\n", out);
}

static void page_foot(FILE *out)
{
	fputs("<footer>Made by peephole " PH_VERSION_STRING " from the capture "
	      "alone; this page loads nothing from the network.</footer>\n"
	      "</main>\n<script>\n", out);
	fputs(ph_html_js, out);
	fputs("</script>\n</body></html>\n", out);
}

int ph_check_write_html(const struct ph_check *c, FILE *out,
			struct ph_err *err)
{
	if (!c || !out)
		return ph_err_set(err, PH_EINVAL, "no check or no output");
	struct ph_html_dests hd;
	if (ph_html_dests_load(c, &hd) < 0)
		return ph_err_set(err, PH_ENOMEM, "HTML report: out of memory");
	page_head(out, c);
	banner(out, c);
	summary(out, c);
	checked(out, c);
	ph_html_findings(out, c, &hd);
	destinations(out, c, &hd);
	page_foot(out);
	ph_html_dests_free(&hd);
	if (fflush(out) != 0 || ferror(out))
		return ph_err_set(err, PH_EIO, "writing the HTML report: %s",
				  strerror(errno));
	return PH_OK;
}
