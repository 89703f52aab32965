/* The terminal report of `peephole check` (ph_check_write_text): the
 * verdict banner, its reason, the findings grouped by severity with their
 * evidence and advice, then what was checked (files, time span, traffic,
 * devices, indicator sources, detections) and what was not. Written for a
 * reader who is not a network engineer; layout in docs/check.md. Prose is
 * wrapped at 78 columns. Every string that came from the capture or a feed
 * is made safe for a terminal first (control bytes and broken UTF-8 shown
 * as \xNN), so a hostile name cannot move the cursor or recolour the
 * screen. ANSI colour only when asked. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "peephole/check.h"
#include "peephole/geoip.h"
#include "util/fmt.h"
#include "util/utf8.h"

#define TEXT_WIDTH 78
#define SAFE_MAX 4096 /* sanitised text; longest input field is 768 */

#define C_RED "\033[1;31m"
#define C_YELLOW "\033[1;33m"
#define C_GREEN "\033[1;32m"
#define C_BOLD "\033[1m"
#define C_OFF "\033[0m"

struct tw {
	FILE *out;   /* borrowed */
	bool colour;
};

/* ---- safe text ---- */

/* Copies s into buf (n bytes, NUL-terminated), writing control bytes,
 * DEL and bytes of broken UTF-8 as \xNN; newlines kept when nl. */
static const char *safe(const char *s, char *buf, size_t n, bool nl)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), w = 0;
	for (size_t i = 0; i < len && w + 5 < n;) {
		size_t k = p[i] >= 0x80 ? ph_utf8_char_len(p + i, len - i) : 0;
		if (k) {
			memcpy(buf + w, p + i, k);
			w += k, i += k;
		} else if ((p[i] >= 0x20 && p[i] < 0x7f) || (nl && p[i] == '\n')) {
			buf[w++] = (char)p[i++];
		} else {
			w += (size_t)snprintf(buf + w, n - w, "\\x%02x", p[i++]);
		}
	}
	buf[w] = '\0';
	return buf;
}

/* Columns a (sanitised) word takes: UTF-8 continuation bytes take none. */
static size_t columns(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

/* Writes a word wider than a line (a DNS tunnel name, a base64 blob) in
 * pieces that fill each line, cut between UTF-8 characters; returns the
 * end of the word and leaves *col after its last piece. */
static const char *wrap_long(const struct tw *t, const char *s, size_t n,
			     size_t *col, unsigned indent, bool line_empty)
{
	if (!line_empty) {
		if (*col + 2 < TEXT_WIDTH) {
			fputc(' ', t->out);
			(*col)++;
		} else {
			fprintf(t->out, "\n%*s", (int)indent, "");
			*col = indent;
		}
	}
	const char *end = s + n;
	while (s < end) {
		size_t room = *col < TEXT_WIDTH ? TEXT_WIDTH - *col : 0, k = 0,
		       cols = 0;
		while (s + k < end && cols < room) {
			k++;
			while (s + k < end && ((unsigned char)s[k] & 0xc0) == 0x80)
				k++;
			cols++;
		}
		fwrite(s, 1, k, t->out);
		s += k;
		*col += cols;
		if (s < end) {
			fprintf(t->out, "\n%*s", (int)indent, "");
			*col = indent;
		}
	}
	return s;
}

/* Writes text (raw) wrapped at TEXT_WIDTH: the first line continues after
 * `col` columns already written, later lines start with `indent` spaces.
 * A newline in the text starts a new line. Ends with a newline. */
static void wrap(const struct tw *t, const char *raw, size_t col,
		 unsigned indent)
{
	char buf[SAFE_MAX];
	const char *s = safe(raw, buf, sizeof buf, true);
	bool line_empty = true;
	while (*s) {
		if (*s == '\n' || *s == ' ') {
			if (*s == '\n') {
				fprintf(t->out, "\n%*s", (int)indent, "");
				col = indent, line_empty = true;
			}
			s++;
			continue;
		}
		size_t n = strcspn(s, " \n"), w = columns(s, n);
		if (w > TEXT_WIDTH - indent) { /* a word no line holds */
			s = wrap_long(t, s, n, &col, indent, line_empty);
			line_empty = false;
			continue;
		}
		if (!line_empty && col + 1 + w > TEXT_WIDTH) {
			fprintf(t->out, "\n%*s", (int)indent, "");
			col = indent, line_empty = true;
		}
		if (!line_empty)
			fputc(' ', t->out), col++;
		fwrite(s, 1, n, t->out);
		col += w, s += n, line_empty = false;
	}
	fputc('\n', t->out);
}

/* "label   value" at the given indent, the value wrapped under itself. */
static void field(const struct tw *t, unsigned indent, const char *label,
		  const char *value)
{
	int lw = fprintf(t->out, "%*s%-12s ", (int)indent, "", label);
	wrap(t, value, lw > 0 ? (size_t)lw : 0, indent + 13);
}

/* ---- small formats ---- */

static void fmt_time(uint64_t ns, char *buf, size_t n)
{
	time_t secs = (time_t)(ns / 1000000000u);
	struct tm tm;
	if (!ns || !gmtime_r(&secs, &tm)) {
		snprintf(buf, n, "unknown");
		return;
	}
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void fmt_bytes(uint64_t v, char *buf, size_t n)
{
	ph_fmt_bytes(v, "bytes", buf, n);
}

static void fmt_duration(uint64_t ns, char *buf, size_t n)
{
	uint64_t s = ns / 1000000000u;
	if (s < 60)
		snprintf(buf, n, "%" PRIu64 " s", s);
	else if (s < 3600)
		snprintf(buf, n, "%" PRIu64 " min %" PRIu64 " s", s / 60, s % 60);
	else
		snprintf(buf, n, "%" PRIu64 " h %" PRIu64 " min", s / 3600,
			 s / 60 % 60);
}

static const char *proto_name(uint8_t p)
{
	switch (p) {
	case 6: return "tcp";
	case 17: return "udp";
	case 1: return "icmp";
	case 58: return "icmp6";
	default: return NULL;
	}
}

static const char *plural(uint64_t k)
{
	return k == 1 ? "" : "s";
}

/* ---- banner ---- */

static const char *verdict_colour(enum ph_verdict v)
{
	switch (v) {
	case PH_VERDICT_COMPROMISED: return C_RED;
	case PH_VERDICT_SUSPICIOUS: return C_YELLOW;
	default: return C_GREEN;
	}
}

static void rule(const struct tw *t, char ch)
{
	for (int i = 0; i < TEXT_WIDTH; i++)
		fputc(ch, t->out);
	fputc('\n', t->out);
}

static void write_banner(const struct tw *t, const struct ph_check *c)
{
	rule(t, '=');
	if (t->colour)
		fprintf(t->out, "  %s%s%s\n", verdict_colour(c->verdict),
			ph_verdict_name(c->verdict), C_OFF);
	else
		fprintf(t->out, "  %s\n", ph_verdict_name(c->verdict));
	rule(t, '=');
	fputc('\n', t->out);
	wrap(t, c->reason, 0, 0);
	fputc('\n', t->out);
}

static void heading(const struct tw *t, const char *title)
{
	if (t->colour)
		fprintf(t->out, "%s%s%s\n", C_BOLD, title, C_OFF);
	else
		fprintf(t->out, "%s\n", title);
	for (size_t i = strlen(title); i > 0; i--)
		fputc('-', t->out);
	fputc('\n', t->out);
}

/* ---- findings ---- */

static void ev_where(const struct tw *t, const struct ph_finding *x)
{
	char b[400];
	if (x->device[0]) {
		if (x->device_mac[0])
			snprintf(b, sizeof b, "%s (%s)", x->device, x->device_mac);
		else
			snprintf(b, sizeof b, "%s", x->device);
		field(t, 7, "Device", b);
	}
	if (x->remote[0]) {
		const char *pn = proto_name(x->proto);
		int k = snprintf(b, sizeof b, "%s", x->remote);
		if (x->remote_port)
			k += snprintf(b + k, sizeof b - (size_t)k, ":%u",
				      x->remote_port);
		if (pn)
			snprintf(b + k, sizeof b - (size_t)k, "/%s", pn);
		field(t, 7, "Remote", b);
	}
	if (x->name[0])
		field(t, 7, "Name", x->name);
	if (x->uid[0])
		field(t, 7, "Connection", x->uid);
}

/* "Location: Germany (DE), AS15169 Google LLC" for the remote address,
 * when a GeoIP database (--geoip) knows it. */
static void ev_geo(const struct tw *t, const struct ph_check *c,
		   const struct ph_finding *x)
{
	struct ph_geo g;
	if (!c->geoip || !x->remote[0] || !ph_geoip_lookup(c->geoip, x->remote,
							   &g))
		return;
	char b[300], as[16] = "";
	if (g.asn)
		snprintf(as, sizeof as, "AS%u ", (unsigned)g.asn);
	snprintf(b, sizeof b, "%s%s%s%s%s%s%s", g.country,
		 g.country_iso[0] ? (g.country[0] ? " (" : "") : "",
		 g.country_iso, g.country_iso[0] && g.country[0] ? ")" : "",
		 (g.country[0] || g.country_iso[0]) && (as[0] || g.org[0]) ?
		 ", " : "", as, g.org);
	field(t, 7, "Location", b);
}

static void ev_when(const struct tw *t, const struct ph_check *c,
		    const struct ph_finding *x)
{
	char a[40], z[40], b[600];
	fmt_time(x->first_ns, a, sizeof a);
	fmt_time(x->last_ns, z, sizeof z);
	if (x->last_ns > x->first_ns && strcmp(a, z) != 0)
		snprintf(b, sizeof b, "%s to %s, %u time%s", a, z, x->count,
			 plural(x->count));
	else
		snprintf(b, sizeof b, "%s, %u time%s", a, x->count,
			 plural(x->count));
	field(t, 7, "Seen", b);
	const char *fname = x->file_idx < c->nfiles
				    ? c->files[x->file_idx].path : "";
	const char *base = strrchr(fname, '/');
	base = base ? base + 1 : fname;
	int k = snprintf(b, sizeof b, "file %u%s%s%s: ", x->file_idx + 1,
			 base[0] ? " (" : "", base, base[0] ? ")" : "");
	if (x->first_pkt == 0) /* only the packet that ended it is known */
		snprintf(b + k, sizeof b - (size_t)k, "packet %" PRIu64
			 " (where the connection ended)", x->last_pkt);
	else if (x->last_pkt > x->first_pkt)
		snprintf(b + k, sizeof b - (size_t)k,
			 "first packet %" PRIu64 ", last packet %" PRIu64,
			 x->first_pkt, x->last_pkt);
	else
		snprintf(b + k, sizeof b - (size_t)k, "packet %" PRIu64,
			 x->first_pkt);
	field(t, 7, "Packets", b);
}

static void ev_match(const struct tw *t, const struct ph_finding *x)
{
	char b[700];
	if (x->matched[0]) {
		snprintf(b, sizeof b, "%s%s%s", x->field, x->field[0] ? ": " : "",
			 x->matched);
		field(t, 7, "Matched", b);
	}
	if (x->source[0] || x->campaign[0]) {
		int k = snprintf(b, sizeof b, "%s%s", x->source[0] ? "from " : "",
				 x->source);
		if (x->campaign[0])
			snprintf(b + k, sizeof b - (size_t)k, "%scampaign: %s",
				 k ? ", " : "", x->campaign);
		field(t, 7, "Indicator", b);
	}
	if (x->allowed_by[0]) {
		snprintf(b, sizeof b, "allowlisted by %s", x->allowed_by);
		field(t, 7, "Note", b);
	}
}

static void write_finding(const struct tw *t, const struct ph_check *c,
			  const struct ph_finding *x, unsigned no)
{
	char s[SAFE_MAX];
	int k = fprintf(t->out, "%u. ", no);
	wrap(t, x->title, k > 0 ? (size_t)k : 0, 3);
	fprintf(t->out, "   Severity: %s, confidence: %s\n",
		ph_severity_name(x->severity), ph_confidence_name(x->confidence));
	if (x->explain[0]) {
		fputs("   ", t->out);
		wrap(t, x->explain, 3, 3);
	}
	fputs("   Evidence:\n", t->out);
	ev_where(t, x);
	ev_geo(t, c, x);
	ev_when(t, c, x);
	ev_match(t, x);
	if (x->attack[0])
		fprintf(t->out, "   MITRE ATT&CK: %s\n",
			safe(x->attack, s, sizeof s, false));
	if (x->advice[0]) {
		fputs("   What to do: ", t->out);
		wrap(t, x->advice, 15, 3);
	}
	fputc('\n', t->out);
}

static void severity_heading(const struct tw *t, enum ph_severity s)
{
	static const char *const name[] = {"INFORMATION", "LOW SEVERITY",
					   "MEDIUM SEVERITY", "HIGH SEVERITY",
					   "CRITICAL SEVERITY"};
	const char *col = s >= PH_SEV_HIGH ? C_RED
			  : s == PH_SEV_MEDIUM ? C_YELLOW : "";
	const char *label = (unsigned)s <= PH_SEV_CRITICAL ? name[s] : "OTHER";
	if (t->colour && col[0])
		fprintf(t->out, "%s[%s]%s\n\n", col, label, C_OFF);
	else
		fprintf(t->out, "[%s]\n\n", label);
}

/* Info and low findings can be many (every allowlisted service, every
 * tracker): the first MINOR_FULL of each level are shown in full, the
 * next MINOR_BRIEF on one line each, the rest only counted. --json and
 * notice.log always have them all. */
#define MINOR_FULL 10
#define MINOR_BRIEF 40

static void write_brief(const struct tw *t, const struct ph_finding *x,
			unsigned no)
{
	char a[SAFE_MAX], b[SAFE_MAX], d[SAFE_MAX];
	fprintf(t->out, "%u. %s: %s (%s)\n", no,
		safe(x->title, a, sizeof a, false),
		safe(x->matched[0] ? x->matched : x->remote, b, sizeof b, false),
		safe(x->device, d, sizeof d, false));
}

static void more_line(const struct tw *t, unsigned hidden)
{
	if (hidden)
		fprintf(t->out, "... and %u more at this level (all of them are "
			"in --json and notice.log)\n\n", hidden);
}

static void write_findings(const struct tw *t, const struct ph_check *c)
{
	unsigned n = ph_findings_count(c->findings);
	char title[64];
	snprintf(title, sizeof title, "Findings (%u)", n);
	heading(t, title);
	if (!n)
		fputs("None.\n\n", t->out);
	int last = -1;
	unsigned in_group = 0, hidden = 0;
	for (unsigned i = 0; i < n; i++) {
		const struct ph_finding *x = ph_findings_get(c->findings, i);
		if ((int)x->severity != last) {
			more_line(t, hidden);
			severity_heading(t, x->severity);
			last = (int)x->severity;
			in_group = hidden = 0;
		}
		in_group++;
		if (x->severity >= PH_SEV_MEDIUM || in_group <= MINOR_FULL)
			write_finding(t, c, x, i + 1);
		else if (in_group <= MINOR_FULL + MINOR_BRIEF)
			write_brief(t, x, i + 1);
		else
			hidden++;
	}
	more_line(t, hidden);
}

/* ---- what was checked ---- */

static void write_files(const struct tw *t, const struct ph_check *c)
{
	char s[1200];
	fprintf(t->out, "Files (%u):\n", c->nfiles);
	for (unsigned i = 0; i < c->nfiles; i++) {
		const struct ph_check_file *f = &c->files[i];
		fprintf(t->out, "  %u. %s\n", i + 1,
			safe(f->path[0] ? f->path : "(stdin)", s, sizeof s, false));
		fprintf(t->out, "     %s, %" PRIu64 " packet%s, %s", f->format,
			f->packets, plural(f->packets),
			f->complete ? "read to its end\n" : "NOT read to its end: ");
		if (!f->complete)
			wrap(t, f->error[0] ? f->error : "unknown error", 60, 7);
		if (f->sha256[0])
			fprintf(t->out, "     SHA-256 %s\n", f->sha256);
	}
}

static void write_span(const struct tw *t, const struct ph_check *c)
{
	char a[40], z[40], d[40];
	if (!c->first_ns) {
		fputs("Time span: none (no packets)\n", t->out);
		return;
	}
	fmt_time(c->first_ns, a, sizeof a);
	fmt_time(c->last_ns, z, sizeof z);
	fmt_duration(c->last_ns > c->first_ns ? c->last_ns - c->first_ns : 0,
		     d, sizeof d);
	fprintf(t->out, "Time span: %s to %s (%s)\n", a, z, d);
}

static void write_traffic(const struct tw *t, const struct ph_check *c)
{
	char b[40];
	fmt_bytes(c->bytes, b, sizeof b);
	fprintf(t->out,
		"Traffic: %" PRIu64 " packet%s, %s, %" PRIu64 " connection%s"
		" (%" PRIu64 " encrypted)\n",
		c->packets, plural(c->packets), b, c->flows, plural(c->flows),
		c->encrypted_flows);
}

static void write_devices(const struct tw *t, const struct ph_check *c)
{
	char o[40], in[40], s[200], line[400];
	fprintf(t->out, "Devices (%u):", c->ndevices);
	if (c->device_filter)
		fprintf(t->out, " only %s was checked (--device)",
			safe(c->device_filter, s, sizeof s, false));
	fputc('\n', t->out);
	if (!c->ndevices)
		fputs("  none seen\n", t->out);
	for (unsigned i = 0; i < c->ndevices; i++) {
		const struct ph_device *d = &c->devices[i];
		fmt_bytes(d->bytes_out, o, sizeof o);
		fmt_bytes(d->bytes_in, in, sizeof in);
		snprintf(line, sizeof line, "%s%s%s%s%s%s", d->ip,
			 d->mac[0] ? "  " : "", d->mac,
			 d->hostname[0] ? "  \"" : "", d->hostname,
			 d->hostname[0] ? "\"" : "");
		fprintf(t->out, "  %s\n", safe(line, s, sizeof s, false));
		fprintf(t->out,
			"     %" PRIu64 " connection%s, %s sent, %s received\n",
			d->flows, plural(d->flows), o, in);
	}
}

static void write_source_counts(const struct tw *t,
				const struct ph_intel_source *s)
{
	char b[600];
	int k = 0;
	for (unsigned i = 0; i < PH_IOC_TYPE_COUNT; i++) {
		if (!s->count[i] || k >= (int)sizeof b - 60)
			continue;
		k += snprintf(b + k, sizeof b - (size_t)k, "%s%" PRIu64 " %s",
			      k ? ", " : "", s->count[i],
			      ph_ioc_type_name((enum ph_ioc_type)i));
	}
	fputs("     ", t->out);
	wrap(t, k ? b : "no usable indicators", 5, 5);
	if (s->invalid)
		fprintf(t->out, "     %" PRIu64 " value%s did not parse\n",
			s->invalid, plural(s->invalid));
}

static void write_source(const struct tw *t, const struct ph_intel_source *s)
{
	char b[800], x[600];
	snprintf(b, sizeof b, "%s (%s%s%s)%s", s->name,
		 ph_feed_format_name(s->format), s->date[0] ? ", " : "", s->date,
		 s->allowlist ? " [allowlist]" : "");
	fputs("  ", t->out);
	wrap(t, b, 2, 4);
	write_source_counts(t, s);
	if (!s->unsupported)
		return;
	fprintf(t->out, "     %" PRIu64 " entr%s could not be used%s\n",
		s->unsupported, s->unsupported == 1 ? "y" : "ies",
		s->nexamples ? ", for example:" : "");
	for (unsigned i = 0; i < s->nexamples && i < 3; i++) {
		snprintf(b, sizeof b, "line %u: %s (%s)", s->examples[i].line,
			 s->examples[i].text, s->examples[i].reason);
		fprintf(t->out, "       %s\n", safe(b, x, sizeof x, false));
	}
}

static void write_sources(const struct tw *t, const struct ph_check *c)
{
	unsigned n = c->intel ? ph_intel_nsources(c->intel) : 0;
	fprintf(t->out, "Indicator sources (%u):\n", n);
	if (!n)
		fputs("  none loaded: known-bad infrastructure was not "
		      "checked\n", t->out);
	for (unsigned i = 0; i < n; i++) {
		const struct ph_intel_source *s = ph_intel_source(c->intel, i);
		if (s)
			write_source(t, s);
	}
}

static void write_detections(const struct tw *t, const struct ph_check *c)
{
	char b[2048];
	int k = 0;
	for (unsigned i = 0; i < c->ndetections && k < (int)sizeof b - 1; i++)
		k += snprintf(b + k, sizeof b - (size_t)k, "%s%s", i ? ", " : "",
			      c->detections[i]);
	fprintf(t->out, "Detections run (%u): ", c->ndetections);
	wrap(t, k ? b : "none", 20, 2);
}

static void write_not_checked(const struct tw *t, const struct ph_check *c)
{
	fputc('\n', t->out);
	heading(t, "What was not checked");
	if (!c->nnot_checked)
		fputs("Nothing we know of.\n", t->out);
	for (unsigned i = 0; i < c->nnot_checked && i < PH_CHECK_MAX_NOTES; i++) {
		fputs("  - ", t->out);
		wrap(t, c->not_checked[i], 4, 4);
	}
}

/* The last line: what to do now, from the verdict. */
static void write_next(const struct tw *t, const struct ph_check *c)
{
	bool no_ioc = !c->intel || ph_intel_count(c->intel) == 0;
	const char *next;
	switch (c->verdict) {
	case PH_VERDICT_COMPROMISED:
		next = "Next: keep the device and this capture as they are (no "
		       "reset) and get expert help; the first finding's advice "
		       "says how.";
		break;
	case PH_VERDICT_SUSPICIOUS:
		next = "Next: read the medium and high findings above, follow "
		       "their advice, then check again with a longer capture.";
		break;
	default:
		next = no_ioc ? "Next: run 'peephole update' to fetch the "
				"indicator feeds, then check again."
			      : "Next: nothing urgent; if you still suspect "
				"something, check again with a longer capture.";
		break;
	}
	fputc('\n', t->out);
	wrap(t, next, 0, 0);
}

int ph_check_write_text(const struct ph_check *c, FILE *out, bool colour,
			struct ph_err *err)
{
	if (!c || !out)
		return ph_err_set(err, PH_EINVAL, "no check or no output");
	struct tw t = {out, colour};
	write_banner(&t, c);
	write_findings(&t, c);
	heading(&t, "What was checked");
	write_files(&t, c);
	write_span(&t, c);
	write_traffic(&t, c);
	write_devices(&t, c);
	write_sources(&t, c);
	write_detections(&t, c);
	write_not_checked(&t, c);
	write_next(&t, c);
	if (fflush(out) != 0 || ferror(out))
		return ph_err_set(err, PH_EIO, "writing the report: %s",
				  strerror(errno));
	return PH_OK;
}
