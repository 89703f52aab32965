/* The findings section of the HTML report (html.h): most severe first,
 * each with its explanation, evidence, advice and a link to the
 * destination (and so the flows) it is about; beaconing findings get
 * their interval plots. Caps keep the page small whatever the capture:
 * every finding of medium severity or more in full up to FULL_MAX, the
 * first MINOR_FULL info/low ones in full, then up to BRIEF_MAX on one
 * line each; the rest only counted (--json has them all). */
#include <inttypes.h>
#include <string.h>

#include "report/html.h"

#define FULL_MAX 500
#define MINOR_FULL 10
#define BRIEF_MAX 300

static const char *const sev_label[] = {"INFO", "LOW", "MEDIUM", "HIGH",
					"CRITICAL"};

static unsigned sev(const struct ph_finding *x)
{
	return (unsigned)x->severity <= PH_SEV_CRITICAL ? (unsigned)x->severity
							: 0;
}

/* The beat times the beacon detection attached to finding i (0: none). */
static unsigned finding_series(const struct ph_check *c, unsigned i,
			       const uint64_t **ts)
{
	*ts = NULL;
	return c->findings ? ph_findings_series(c->findings, i, ts) : 0;
}

static void dd(FILE *out, const char *label, const char *value, size_t max)
{
	if (!value[0])
		return;
	fprintf(out, "<dt>%s</dt><dd>", label);
	ph_html_text(out, value, max);
	fputs("</dd>", out);
}

static const char *proto_name(uint8_t p)
{
	return p == 6 ? "/tcp" : p == 17 ? "/udp" : p == 1 ? "/icmp"
	       : p == 58 ? "/icmp6" : "";
}

static void ev_where(FILE *out, const struct ph_finding *x,
		     const struct ph_html_dests *hd, unsigned i)
{
	char b[400];
	snprintf(b, sizeof b, "%s%s%s%s", x->device, x->device_mac[0] ? " (" : "",
		 x->device_mac, x->device_mac[0] ? ")" : "");
	dd(out, "Device", x->device[0] ? b : "", 0);
	if (x->remote[0]) {
		int k = snprintf(b, sizeof b, "%s", x->remote);
		if (x->remote_port)
			snprintf(b + k, sizeof b - (size_t)k, ":%u%s",
				 x->remote_port, proto_name(x->proto));
		dd(out, "Remote", b, 0);
	}
	dd(out, "Name", x->name, 0);
	int k = ph_html_dest_of(hd, i);
	if (x->uid[0] || k >= 0) {
		fputs("<dt>Connection</dt><dd>", out);
		if (x->uid[0]) {
			fputs("<code>", out);
			ph_html_text(out, x->uid, 0);
			fputs("</code> ", out);
		}
		if (k >= 0) {
			fprintf(out, "<a href=\"#d-%d\">all connections to ", k + 1);
			ph_html_text(out, hd->v[k].d.name, 60);
			fprintf(out, " (%" PRIu64 ")</a>", hd->v[k].d.conns);
		}
		fputs("</dd>", out);
	}
}

static void ev_when(FILE *out, const struct ph_check *c,
		    const struct ph_finding *x)
{
	char a[40], z[40], b[700];
	ph_html_time(x->first_ns, a, sizeof a, false);
	ph_html_time(x->last_ns, z, sizeof z, false);
	if (x->last_ns > x->first_ns)
		snprintf(b, sizeof b, "%s to %s, %u time%s", a, z, x->count,
			 x->count == 1 ? "" : "s");
	else
		snprintf(b, sizeof b, "%s, %u time%s", a, x->count,
			 x->count == 1 ? "" : "s");
	dd(out, "Seen", b, 0);
	const char *fname = x->file_idx < c->nfiles ? c->files[x->file_idx].path
						    : "";
	const char *base = strrchr(fname, '/');
	base = base ? base + 1 : fname;
	int k = snprintf(b, sizeof b, "file %u%s%s%s, ", x->file_idx + 1,
			 base[0] ? " (" : "", base, base[0] ? ")" : "");
	if (x->last_pkt > x->first_pkt)
		snprintf(b + k, sizeof b - (size_t)k, "packets %" PRIu64 " to %"
			 PRIu64, x->first_pkt, x->last_pkt);
	else
		snprintf(b + k, sizeof b - (size_t)k, "packet %" PRIu64,
			 x->first_pkt);
	dd(out, "Packets", b, 0);
}

static void ev_match(FILE *out, const struct ph_finding *x)
{
	char b[800];
	if (x->matched[0]) {
		snprintf(b, sizeof b, "%s%s%s", x->field, x->field[0] ? ": " : "",
			 x->matched);
		dd(out, "Matched", b, 0);
	}
	if (x->source[0] || x->campaign[0]) {
		int k = snprintf(b, sizeof b, "%s", x->source);
		if (x->campaign[0])
			snprintf(b + k, sizeof b - (size_t)k, "%scampaign: %s",
				 k ? ", " : "", x->campaign);
		dd(out, "Indicator", b, 0);
	}
	if (x->allowed_by[0]) {
		snprintf(b, sizeof b, "allowlisted by %s", x->allowed_by);
		dd(out, "Note", b, 0);
	}
	if (x->attack[0]) {
		fputs("<dt>MITRE ATT&amp;CK</dt><dd>", out);
		ph_html_text(out, x->attack, 0);
		fputs("</dd>", out);
	}
}

static void full(FILE *out, const struct ph_check *c,
		 const struct ph_html_dests *hd, unsigned i)
{
	const struct ph_finding *x = ph_findings_get(c->findings, i);
	unsigned s = sev(x);
	fprintf(out, "<article class=\"finding s%u\" id=\"f-%u\" "
		"data-finding-id=\"", s, i + 1);
	ph_html_text(out, x->id, 0);
	fprintf(out, "\">\n<h3><span class=\"badge sev%u\">%s</span> ", s,
		sev_label[s]);
	ph_html_text(out, x->title, 0);
	fprintf(out, "</h3>\n<p class=\"fid\">%u. confidence: %s \xc2\xb7 "
		"<code>", i + 1, ph_confidence_name(x->confidence));
	ph_html_text(out, x->id, 0);
	fputs("</code></p>\n<p>", out);
	ph_html_text(out, x->explain, 0);
	fputs("</p>\n<dl class=\"ev\">", out);
	ev_where(out, x, hd, i);
	ev_when(out, c, x);
	ev_match(out, x);
	fputs("</dl>\n", out);
	const uint64_t *ts;
	unsigned n = finding_series(c, i, &ts);
	if (n >= 3) {
		fputs("<h4>Timing of the repeats</h4>\n", out);
		ph_html_svg_beacon(out, ts, n);
	}
	if (x->advice[0]) {
		fputs("<p class=\"advice\"><b>What to do:</b> ", out);
		ph_html_text(out, x->advice, 0);
		fputs("</p>\n", out);
	}
	fputs("</article>\n", out);
}

static void brief(FILE *out, const struct ph_finding *x, unsigned i)
{
	unsigned s = sev(x);
	fprintf(out, "<li id=\"f-%u\" data-finding-id=\"", i + 1);
	ph_html_text(out, x->id, 0);
	fprintf(out, "\"><span class=\"badge sev%u\">%s</span> ", s,
		sev_label[s]);
	ph_html_text(out, x->title, 0);
	fputs(": ", out);
	ph_html_text(out, x->matched[0] ? x->matched : x->name[0] ? x->name
			  : x->remote, 120);
	fputs(" <code>", out);
	ph_html_text(out, x->id, 0);
	fputs("</code></li>\n", out);
}

void ph_html_findings(FILE *out, const struct ph_check *c,
		      const struct ph_html_dests *hd)
{
	unsigned n = c->findings ? ph_findings_count(c->findings) : 0;
	unsigned nfull = 0, minor = 0, nbrief = 0, hidden = 0;
	fprintf(out, "<section id=\"findings\"><h2>Findings (%u)</h2>\n", n);
	if (!n)
		fputs("<p>No finding: none of the detections saw anything to "
		      "report in this capture.</p>\n", out);
	for (unsigned i = 0; i < n; i++) {
		const struct ph_finding *x = ph_findings_get(c->findings, i);
		bool major = x->severity >= PH_SEV_MEDIUM;
		if (!major)
			minor++;
		if ((major || minor <= MINOR_FULL) && nfull < FULL_MAX) {
			full(out, c, hd, i);
			nfull++;
			continue;
		}
		if (nbrief >= BRIEF_MAX) {
			hidden++;
			continue;
		}
		if (!nbrief++)
			fputs("<h3>More findings, in short</h3>\n<ul class=\"plain\">\n",
			      out);
		brief(out, x, i);
	}
	if (nbrief)
		fputs("</ul>\n", out);
	if (hidden)
		fprintf(out, "<p class=\"note\">%u more finding%s not shown here "
			"(peephole check --json lists them all).</p>\n", hidden,
			hidden == 1 ? "" : "s");
	if (c->findings && ph_findings_dropped(c->findings))
		fprintf(out, "<p class=\"note\">%" PRIu64 " further findings were "
			"dropped: the collection was full.</p>\n",
			ph_findings_dropped(c->findings));
	fputs("</section>\n", out);
}
