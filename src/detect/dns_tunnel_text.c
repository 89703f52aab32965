/* The judging and the words of the dns_tunnel detection: at the end of
 * the run each (device, registered domain) entry is scored on five
 * signals (many unique names, encoded or long labels, odd record types,
 * large responses, bytes that are not hostname characters) and turned
 * into findings with plain-language explanations; per device, DGA-like
 * domains and NXDOMAIN bursts are judged. Severity and confidence follow
 * how often ordinary phones show the same pattern (see
 * docs/detections/dns_tunnel.md). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "detect/dns_tunnel_int.h"

void ph_dns_tunnel_ev(struct dt_ev *e, const struct ph_event *ev, int side)
{
	struct ph_finding f;
	memset(&f, 0, sizeof f);
	ph_detect_evidence(&f, ev, side);
	memcpy(e->device, f.device, sizeof e->device);
	memcpy(e->device_mac, f.device_mac, sizeof e->device_mac);
	memcpy(e->remote, f.remote, sizeof e->remote);
	memcpy(e->uid, f.uid, sizeof e->uid);
	e->remote_port = f.remote_port;
	e->proto = f.proto;
	e->file_idx = f.file_idx;
	e->first_ns = e->last_ns = f.first_ns;
	e->first_pkt = e->last_pkt = f.first_pkt;
}

static void dt_fill(struct ph_finding *f, const struct dt_ev *e,
		    const char *id, const char *name, const char *matched)
{
	memset(f, 0, sizeof *f);
	snprintf(f->id, sizeof f->id, "%s", id);
	memcpy(f->device, e->device, sizeof e->device);
	memcpy(f->device_mac, e->device_mac, sizeof e->device_mac);
	memcpy(f->remote, e->remote, sizeof e->remote);
	memcpy(f->uid, e->uid, sizeof e->uid);
	f->remote_port = e->remote_port;
	f->proto = e->proto;
	f->file_idx = e->file_idx;
	f->first_ns = e->first_ns, f->last_ns = e->last_ns;
	f->first_pkt = e->first_pkt, f->last_pkt = e->last_pkt;
	snprintf(f->name, sizeof f->name, "%s", name);
	snprintf(f->matched, sizeof f->matched, "%s", matched);
	snprintf(f->field, sizeof f->field, "dns.query");
	f->count = 1;
}

/* Linear counting over the entry's bit sketch. */
static uint32_t dt_unique(const struct dt_entry *e)
{
	unsigned zero = 0;
	for (unsigned i = 0; i < DT_BITS / 8; i++)
		zero += 8u - (unsigned)__builtin_popcount(e->bits[i]);
	if (!zero)
		return (uint32_t)(DT_BITS * log((double)DT_BITS));
	double n = -(double)DT_BITS * log((double)zero / DT_BITS);
	return (uint32_t)(n + 0.5);
}

/* Registered domains whose long, hash-like labels are structure, not
 * data (CDN and platform names phones look up all day). */
static bool dt_structured(const char *dom)
{
	static const char *const list[] = {"googlevideo.com", "gvt1.com",
		"akamaiedge.net", "akamaihd.net", "akamai.net", "edgekey.net",
		"edgesuite.net", "cloudfront.net", "amazonaws.com",
		"apple.com", "icloud.com", "aaplimg.com", "apple-dns.net",
		"cdn-apple.com", "googleapis.com", "googleusercontent.com",
		"gstatic.com", "1e100.net", "fbcdn.net", "whatsapp.net",
		"azureedge.net", "trafficmanager.net", "windows.net",
		"fastly.net", "cloudflare.net", "doubleclick.net",
		"googlesyndication.com", "app-measurement.com"};
	for (size_t i = 0; i < sizeof list / sizeof list[0]; i++)
		if (strcmp(dom, list[i]) == 0)
			return true;
	return false;
}

static void dt_examples(char *buf, size_t n, size_t *len, char ex[][DT_EX_LEN],
			unsigned nex)
{
	ph_detect_catf(buf, n, len, " Examples:");
	for (unsigned i = 0; i < nex; i++)
		ph_detect_catf(buf, n, len, "%s %s", i ? "," : "", ex[i]);
	ph_detect_catf(buf, n, len, ".");
}

static void dt_tunnel(struct dt_state *st, const struct dt_entry *e,
		      uint32_t uniq, int signals, bool strong)
{
	struct ph_finding f;
	dt_fill(&f, &e->ev, "dns_tunnel.tunnel", e->dom, e->ex[0]);
	bool cdn = dt_structured(e->dom);
	f.severity = cdn ? PH_SEV_LOW : signals >= 3 ? PH_SEV_HIGH :
		     PH_SEV_MEDIUM;
	f.confidence = cdn || signals < 3 ? PH_CONF_LOW :
		       strong ? PH_CONF_HIGH : PH_CONF_MEDIUM;
	f.count = e->queries;
	snprintf(f.attack, sizeof f.attack, "T1071.004");
	snprintf(f.title, sizeof f.title, "Possible DNS tunnel under %.80s",
		 e->dom);
	size_t l = 0;
	ph_detect_catf(f.explain, sizeof f.explain, &l,
		       "The device sent %u DNS queries for about %u different "
		       "names under %s (%u with encoded-looking or %zu+ byte "
		       "labels, %u of type TXT/NULL/CNAME/MX, %u answers of "
		       "%u+ bytes, %u with bytes no host name has; %llu bytes "
		       "of subdomain text). Tunnels and exfiltration tools "
		       "hide data in names like these.",
		       e->queries, uniq, e->dom,
		       e->encoded_q > e->long_q ? e->encoded_q : e->long_q,
		       st->long_label, e->odd_q, e->large_r,
		       st->large_response, e->binary_q,
		       (unsigned long long)e->sub_bytes);
	ph_detect_catf(f.explain, sizeof f.explain, &l, cdn ?
		       " This domain belongs to a CDN or platform whose names "
		       "are long by design; phones do this daily." :
		       " Ordinary phone apps rarely do this; some security "
		       "apps look up file hashes this way.");
	dt_examples(f.explain, sizeof f.explain, &l, (char (*)[DT_EX_LEN])e->ex,
		    e->nex);
	snprintf(f.advice, sizeof f.advice, "Find the app that made these "
		 "lookups (capture time, flow uid). If no installed security "
		 "or VPN app explains them, treat the device as compromised: "
		 "keep this capture and get expert help.");
	ph_detect_emit(&st->base, &f);
}

static void dt_encoded(struct dt_state *st, const struct dt_entry *e)
{
	struct ph_finding f;
	dt_fill(&f, &e->ev, "dns_tunnel.encoded_name", e->dom, e->ex[0]);
	bool bin = e->binary_q > 0;
	f.severity = bin ? PH_SEV_MEDIUM : PH_SEV_LOW;
	f.confidence = PH_CONF_LOW;
	f.count = e->exfil_q;
	snprintf(f.attack, sizeof f.attack, "T1048.003");
	snprintf(f.title, sizeof f.title, "DNS name that looks like encoded "
		 "data under %.60s", e->dom);
	size_t l = 0;
	ph_detect_catf(f.explain, sizeof f.explain, &l,
		       "%u DNS quer%s carried a label of %zu+ characters that "
		       "looks like encoded data%s: the shape of data smuggled "
		       "out in a DNS name. Phones almost never send names "
		       "like this%s.", e->exfil_q, e->exfil_q == 1 ? "y" : "ies",
		       st->exfil_label, bin ? ", with characters no host name "
		       "may contain" : "", bin ? "" : ", though a few services "
		       "put hashes in names");
	dt_examples(f.explain, sizeof f.explain, &l, (char (*)[DT_EX_LEN])e->ex,
		    e->nex);
	snprintf(f.advice, sizeof f.advice, "Find the app that made the "
		 "lookup; if it cannot be explained, keep this capture and "
		 "look for other signs of compromise.");
	ph_detect_emit(&st->base, &f);
}

void ph_dns_tunnel_judge(struct dt_state *st, const struct dt_entry *e)
{
	uint32_t uniq = dt_unique(e);
	bool enough = e->queries >= st->min_queries;
	bool a = uniq >= st->min_unique;
	bool b = enough && (e->encoded_q * 2 >= e->queries ||
			    e->long_q * 2 >= e->queries);
	bool c = enough && e->odd_q >= e->queries * st->odd_share;
	bool d = e->large_r >= st->min_queries;
	bool x = e->binary_q >= 3;
	int signals = a + b + c + d + x;
	if (enough && signals >= 2)
		dt_tunnel(st, e, uniq, signals, c || x);
	else if (e->exfil_q)
		dt_encoded(st, e);
}

static void dt_dga(struct dt_state *st, const struct dt_dev *d)
{
	char ex[DT_EXAMPLES][DT_EX_LEN];
	unsigned n = 0, nx = 0, nex = 0, sni = 0;
	const struct dt_ev *ev = NULL;
	for (uint32_t i = 0; i < st->nent; i++) {
		const struct dt_entry *e = &st->ent[i];
		if (e->dev != d || !e->dga)
			continue;
		n++;
		nx += e->nx > 0 || (e->queries && !e->responses);
		sni += !e->queries;
		if (!ev || e->ev.first_ns < ev->first_ns)
			ev = &e->ev;
		if (nex < DT_EXAMPLES) { /* cut to fit, as an example */
			size_t l = strnlen(e->dom, DT_EX_LEN - 1);
			memcpy(ex[nex], e->dom, l);
			ex[nex++][l] = '\0';
		}
	}
	if ((n < st->dga_min && sni < st->dga_sni_min) || !ev)
		return;
	struct ph_finding f;
	dt_fill(&f, ev, "dns_tunnel.dga", ex[0], ex[0]);
	bool nxmost = nx * 2 >= n;
	f.severity = nxmost ? PH_SEV_MEDIUM : PH_SEV_LOW;
	f.confidence = nxmost ? PH_CONF_MEDIUM : PH_CONF_LOW;
	f.count = n;
	snprintf(f.attack, sizeof f.attack, "T1568.002");
	snprintf(f.title, sizeof f.title, "Lookups of %u random-looking "
		 "domains", n);
	size_t l = 0;
	ph_detect_catf(f.explain, sizeof f.explain, &l,
		       "The device looked up %u different registered domains "
		       "whose names look machine-generated (long consonant "
		       "runs, few vowels, letters mixed with digits); %u of "
		       "them did not exist or got no answer and %u were only "
		       "seen as TLS/QUIC server names, never looked up (Tor "
		       "does this to disguise its connections). Malware uses "
		       "generated names to find its servers. Phones seldom "
		       "do this; random-looking but real brand or CDN names "
		       "can trip this test.", n, nx, sni);
	dt_examples(f.explain, sizeof f.explain, &l, ex, nex);
	snprintf(f.advice, sizeof f.advice, "Find the app behind these "
		 "lookups (capture times); if none explains them, keep the "
		 "capture and check the device for unknown apps.");
	ph_detect_emit(&st->base, &f);
}

static void dt_nxburst(struct dt_state *st, const struct dt_dev *d)
{
	if (d->nx_max < st->nx_burst || !d->has_ev)
		return;
	struct ph_finding f;
	dt_fill(&f, &d->ev, "dns_tunnel.nxdomain", d->nx_ex[0], d->nx_ex[0]);
	f.first_ns = d->nx_first, f.last_ns = d->nx_last;
	f.severity = PH_SEV_LOW;
	f.confidence = PH_CONF_LOW;
	f.count = d->nx_max;
	snprintf(f.attack, sizeof f.attack, "T1568.002");
	snprintf(f.title, sizeof f.title, "Burst of %u failed DNS lookups",
		 d->nx_max);
	size_t l = 0;
	ph_detect_catf(f.explain, sizeof f.explain, &l,
		       "Within one minute %u lookups got \"no such domain\" "
		       "(%u in the whole capture). Malware that tries many "
		       "generated names does this; so do phones behind ad-"
		       "blocking resolvers or captive networks.",
		       d->nx_max, d->nx_total);
	dt_examples(f.explain, sizeof f.explain, &l,
		    (char (*)[DT_EX_LEN])d->nx_ex, d->nnx);
	snprintf(f.advice, sizeof f.advice, "Check whether the network "
		 "blocks names (ad blocker, filter); if not, find the app "
		 "behind the failed lookups.");
	ph_detect_emit(&st->base, &f);
}

void ph_dns_tunnel_judge_device(struct dt_state *st, const struct dt_dev *d)
{
	dt_dga(st, d);
	dt_nxburst(st, d);
}
