/* The destinations of the HTML report (html.h): which entries of the run's
 * destinations table are shown (the TABLE_MAX with the most bytes, plus up
 * to EXTRA_MAX more that a finding is about, so a quiet beacon is never
 * left out), what the findings say about each, their country and
 * organisation (GeoIP), and the sortable "who the device talks to" table.
 * A finding is about a destination of the same device when its name
 * equals the destination's name, else when its remote address names it or
 * is one of its addresses (ph_destinations_find). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "peephole/geoip.h"
#include "report/html.h"

#define TABLE_MAX 200
#define EXTRA_MAX 100
#define FINDINGS_SCANNED 2000 /* findings tied to destinations */

int ph_html_dest_of(const struct ph_html_dests *hd, unsigned i)
{
	return i < hd->nfdest ? hd->fdest[i] : -1;
}

/* The entry of hd for listing index pos, appended when past the top
 * (while there is room); -1 when it cannot be shown. */
static int entry_of(const struct ph_check *c, struct ph_html_dests *hd,
		    int pos)
{
	if (pos < 0)
		return -1;
	if (pos < TABLE_MAX)
		return pos < (int)hd->n ? pos : -1;
	for (unsigned k = TABLE_MAX; k < hd->n; k++)
		if (hd->v[k].pos == (unsigned)pos)
			return (int)k;
	if (hd->n >= TABLE_MAX + EXTRA_MAX)
		return -1;
	struct ph_html_dest *e = &hd->v[hd->n];
	ph_destinations_get(c->destinations, (unsigned)pos, &e->d);
	e->worst = -1;
	e->pos = (unsigned)pos;
	return (int)hd->n++;
}

/* Ties the first findings to their destinations; the worst (first, as
 * findings come most severe first) marks each destination. */
static int mark(const struct ph_check *c, struct ph_html_dests *hd)
{
	unsigned nf = c->findings ? ph_findings_count(c->findings) : 0;
	if (nf > FINDINGS_SCANNED)
		nf = FINDINGS_SCANNED;
	hd->fdest = malloc((nf ? nf : 1) * sizeof *hd->fdest);
	if (!hd->fdest)
		return PH_ENOMEM;
	hd->nfdest = nf;
	for (unsigned i = 0; i < nf; i++) {
		const struct ph_finding *x = ph_findings_get(c->findings, i);
		/* a DNS finding's remote is the resolver, not the place */
		bool dns = strncmp(x->field, "dns.", 4) == 0;
		int k = entry_of(c, hd, ph_destinations_find(c->destinations,
				 x->device, x->name, dns ? NULL : x->remote));
		hd->fdest[i] = k;
		if (k >= 0 && hd->v[k].worst < 0) {
			hd->v[k].worst = (int)x->severity;
			hd->v[k].first_finding = i;
		}
	}
	return PH_OK;
}

static void geo(const struct ph_check *c, struct ph_html_dests *hd)
{
	for (unsigned i = 0; c->geoip && i < hd->n; i++) {
		struct ph_html_dest *e = &hd->v[i];
		struct ph_geo g;
		if (!e->d.nips || !ph_geoip_lookup(c->geoip, e->d.ips[0], &g))
			continue;
		memcpy(e->country, g.country, sizeof e->country);
		memcpy(e->country_iso, g.country_iso, sizeof e->country_iso);
		memcpy(e->org, g.org, sizeof e->org);
		hd->has_country |= g.country_iso[0] != 0;
		hd->has_org |= g.org[0] != 0;
	}
}

int ph_html_dests_load(const struct ph_check *c, struct ph_html_dests *hd)
{
	memset(hd, 0, sizeof *hd);
	if (!c->destinations)
		return PH_OK;
	hd->total = ph_destinations_count(c->destinations);
	hd->dropped = ph_destinations_dropped(c->destinations);
	hd->v = calloc(TABLE_MAX + EXTRA_MAX, sizeof *hd->v);
	if (!hd->v)
		return PH_ENOMEM;
	for (unsigned i = 0; i < hd->total && i < TABLE_MAX; i++) {
		ph_destinations_get(c->destinations, i, &hd->v[i].d);
		hd->v[i].worst = -1;
		hd->v[i].pos = i;
		hd->n++;
	}
	if (mark(c, hd) < 0)
		return PH_ENOMEM;
	geo(c, hd);
	for (unsigned i = 1; i < hd->n && !hd->many_devices; i++)
		hd->many_devices = strcmp(hd->v[i].d.device,
					  hd->v[0].d.device) != 0;
	char a[40], z[40];
	ph_html_time(c->first_ns, a, sizeof a, false);
	ph_html_time(c->last_ns, z, sizeof z, false);
	if (c->first_ns && strncmp(a, z, 10) == 0)
		snprintf(hd->day, sizeof hd->day, "%.10s", a);
	return PH_OK;
}

void ph_html_dest_label(FILE *out, const struct ph_html_dests *hd,
			const struct ph_html_dest *e, size_t max)
{
	const char *dev = e->d.device;
	size_t dl = strlen(dev);
	bool cut = max && dl > 15; /* IPv6: its last 12 characters */
	if (cut)
		dev += dl - 12, dl = 13;
	dl = hd->many_devices ? dl + 3 : 0;
	ph_html_text(out, e->d.name, !max ? 0 : max > dl + 12 ? max - dl : 12);
	if (!dl)
		return;
	fputs(cut ? " (\xe2\x80\xa6" : " (", out);
	ph_html_text(out, dev, 0);
	fputs(")", out);
}

void ph_html_dests_free(struct ph_html_dests *hd)
{
	free(hd->v);
	free(hd->fdest);
	memset(hd, 0, sizeof *hd);
}

/* ---- the table ---------------------------------------------------------- */

static void th(FILE *out, const char *label, const char *kind)
{
	fprintf(out, "<th data-sort=\"%s\" tabindex=\"0\">%s</th>", kind, label);
}

static void head(FILE *out, const struct ph_html_dests *hd, bool devs)
{
	fputs("<thead><tr>", out);
	th(out, "#", "n");
	if (devs)
		th(out, "Device", "s");
	th(out, "Destination", "s");
	th(out, "Address", "s");
	if (hd->has_country)
		th(out, "Country", "s");
	if (hd->has_org)
		th(out, "Organisation", "s");
	th(out, "App", "s");
	th(out, "Protocol", "s");
	th(out, "Encryption", "s");
	th(out, "Sent", "n");
	th(out, "Received", "n");
	th(out, "Conn.", "n");
	th(out, hd->day[0] ? "First (UTC)" : "First seen", "s");
	th(out, hd->day[0] ? "Last (UTC)" : "Last seen", "s");
	fputs("</tr></thead>\n", out);
}

static void td_text(FILE *out, const char *s, size_t max)
{
	fputs("<td>", out);
	ph_html_text(out, s[0] ? s : "\xe2\x80\x94", max);
	fputs("</td>", out);
}

static const char *proto_name(uint8_t p)
{
	return p == 6 ? "tcp" : p == 17 ? "udp" : p == 1 ? "icmp"
	       : p == 58 ? "icmp6" : "ip";
}

static void td_proto(FILE *out, const struct ph_destination *d)
{
	fputs("<td>", out);
	for (unsigned k = 0; k < d->nports; k++)
		fprintf(out, "%s%s/%u", k ? ", " : "",
			proto_name(d->ports[k].proto), d->ports[k].port);
	if (d->ports_more)
		fputs(", \xe2\x80\xa6", out);
	if (d->services[0]) {
		fputs(" <span class=\"dim\">(", out);
		ph_html_text(out, d->services, 0);
		fputs(")</span>", out);
	}
	fputs("</td>", out);
}

static void td_crypto(FILE *out, const struct ph_destination *d)
{
	fputs("<td>", out);
	bool any = false;
	for (unsigned b = 1; b <= PH_DEST_TLS_OTHER; b <<= 1) {
		if (!(d->tls_versions & b))
			continue;
		bool old = b & (PH_DEST_SSL3 | PH_DEST_TLS10 | PH_DEST_TLS11);
		fprintf(out, "%s%s%s%s", any ? ", " : "",
			old ? "<span class=\"bad\">" : "", ph_dest_tls_name(b),
			old ? " (old)</span>" : "");
		any = true;
	}
	if (!any && d->conns_encrypted)
		fputs("encrypted", out), any = true;
	if (d->conns_http)
		fprintf(out, "%s<span class=\"bad\">none: HTTP</span>",
			any ? ", " : ""), any = true;
	if (!any) /* no handshake seen: cannot tell */
		fputs("<span class=\"dim\">unknown</span>", out);
	fputs("</td>", out);
}

static void td_num(FILE *out, uint64_t v, bool bytes)
{
	char b[40];
	if (bytes)
		ph_html_bytes(v, b, sizeof b);
	else
		snprintf(b, sizeof b, "%" PRIu64, v);
	fprintf(out, "<td class=\"num\" data-v=\"%" PRIu64 "\">%s</td>", v, b);
}

static void td_name(FILE *out, const struct ph_html_dest *e)
{
	fputs("<td class=\"name\">", out);
	ph_html_text(out, e->d.name, 80);
	if (e->worst >= 0)
		fprintf(out, " <a class=\"badge sev%d\" href=\"#f-%u\">"
			"finding</a>", e->worst > 4 ? 4 : e->worst,
			e->first_finding + 1);
	if (ph_dest_insecure(&e->d))
		fputs(" <span class=\"badge insecure\">insecure</span>", out);
	fputs("</td>", out);
}

static void td_ips(FILE *out, const struct ph_destination *d)
{
	fputs("<td class=\"ip\">", out);
	for (unsigned k = 0; k < d->nips; k++) {
		fputs(k ? "<br>" : "", out);
		ph_html_text(out, d->ips[k], 0);
	}
	if (d->ips_dropped)
		fprintf(out, "<br><span class=\"dim\">+%" PRIu64 " more</span>",
			d->ips_dropped);
	fputs("</td>", out);
}

/* The device's address; a long IPv6 one shortened in the middle (the
 * whole address in the tooltip), so the table fits. */
static void td_device(FILE *out, const char *dev)
{
	size_t n = strlen(dev);
	fputs("<td class=\"dev\"", out);
	if (n <= 22 || !strchr(dev, ':')) {
		fputs(">", out);
		ph_html_text(out, dev, 0);
		fputs("</td>", out);
		return;
	}
	char head[16], tail[16];
	snprintf(head, sizeof head, "%.9s", dev);
	snprintf(tail, sizeof tail, "%s", dev + n - 9);
	fputs(" title=\"", out);
	ph_html_text(out, dev, 0);
	fputs("\">", out);
	ph_html_text(out, head, 0);
	fputs("\xe2\x80\xa6", out); /* U+2026 */
	ph_html_text(out, tail, 0);
	fputs("</td>", out);
}

static void row(FILE *out, const struct ph_html_dests *hd, unsigned i,
		bool devs)
{
	const struct ph_html_dest *e = &hd->v[i];
	const struct ph_destination *d = &e->d;
	char a[40], z[40];
	fprintf(out, "<tr id=\"d-%u\"%s>", i + 1, ph_html_hot(e)
		? " class=\"flagged\"" : ph_dest_insecure(d)
		? " class=\"weak\"" : "");
	fprintf(out, "<td class=\"num\" data-v=\"%u\">%u</td>", i + 1, i + 1);
	if (devs)
		td_device(out, d->device);
	td_name(out, e);
	td_ips(out, d);
	if (hd->has_country)
		td_text(out, e->country[0] ? e->country : e->country_iso, 0);
	if (hd->has_org)
		td_text(out, e->org, 60);
	td_text(out, d->app_label, 0);
	td_proto(out, d);
	td_crypto(out, d);
	td_num(out, d->bytes_up, true);
	td_num(out, d->bytes_down, true);
	td_num(out, d->conns, false);
	ph_html_time(d->first_ns, a, sizeof a, hd->day[0] != 0);
	ph_html_time(d->last_ns, z, sizeof z, hd->day[0] != 0);
	fprintf(out, "<td class=\"t\">%s</td><td class=\"t\">%s</td></tr>\n",
		a, z);
}

void ph_html_dest_table(FILE *out, const struct ph_html_dests *hd)
{
	bool devs = hd->many_devices;
	fputs("<div class=\"scroll\"><table id=\"dests\" class=\"sortable\">\n",
	      out);
	head(out, hd, devs);
	fputs("<tbody>\n", out);
	for (unsigned i = 0; i < hd->n; i++)
		row(out, hd, i, devs);
	fputs("</tbody></table></div>\n", out);
}
