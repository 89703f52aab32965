/* Wording of the pii detection's findings: title, explanation (what
 * leaked, in which form, to which host, address and port, in which field,
 * over a cleartext channel) and advice, from one struct pii_hit. The
 * values arrive already masked (ph_ident_mask); nothing here sees a raw
 * identifier. */
#include <stdio.h>
#include <string.h>

#include "detect/pii_scan.h"

/* "the URL query parameter \"imei\"" ... for a field name. */
static void field_words(const char *field, char *out, size_t n)
{
	static const struct {
		const char *prefix, *words;
	} map[] = {
		{"http.uri:", "the URL query parameter"},
		{"http.header:", "the HTTP header"},
		{"json:", "the JSON key"},
		{"form:", "the form field"},
		{"gzip.json:", "a compressed (gzip/deflate) request body, "
			       "JSON key"},
		{"gzip.form:", "a compressed (gzip/deflate) request body, "
			       "form field"},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
		size_t k = strlen(map[i].prefix);
		if (strncmp(field, map[i].prefix, k) == 0) {
			snprintf(out, n, "%s \"%s\"", map[i].words, field + k);
			return;
		}
	}
	snprintf(out, n, "%s",
		 strcmp(field, "http.uri") == 0 ? "the request URL" :
		 strcmp(field, "dns.query") == 0 ? "a DNS query name" :
		 strcmp(field, "tls.sni") == 0 ? "the TLS server name (SNI), "
		 "which travels unencrypted before the TLS handshake" :
		 strcmp(field, "quic.sni") == 0 ? "the QUIC server name (SNI), "
		 "readable by anyone on the path" :
		 strcmp(field, "udp.payload") == 0 ? "a UDP datagram" :
		 strcmp(field, "http.body.gzip") == 0 ? "a compressed "
		 "(gzip/deflate) request body, which hides nothing: anyone "
		 "can inflate it" :
		 "the raw TCP data");
}

/* A form that says "of" ("MD5 of", "SHA-256 of lower-case") reads
 * before the identifier; others ("URL-encoded", "14-digit") after it. */
static bool prefix_form(const char *how)
{
	size_t n = strlen(how);
	return strstr(how, " of ") || (n > 3 && strcmp(how + n - 3, " of") == 0);
}

/* "E-mail address" -> "e-mail address" inside a phrase; acronyms and
 * "Wi-Fi" stay. */
static void lower_first(char *s)
{
	if (s[0] >= 'A' && s[0] <= 'Z' && s[1] && !(s[1] >= 'A' && s[1] <= 'Z')
	    && strncmp(s, "Wi-Fi", 5) != 0)
		s[0] = (char)(s[0] - 'A' + 'a');
}

static void what_words(const struct pii_hit *h, char *out, size_t n)
{
	const char *how = h->how ? h->how : "";
	char what[64];
	snprintf(what, sizeof what, "%s", h->what);
	if (!*how || strcmp(how, "as is") == 0 || strcmp(how, "plain") == 0) {
		snprintf(out, n, "%s", what);
	} else if (prefix_form(how)) {
		lower_first(what);
		snprintf(out, n, "%s %s", how, what);
	} else {
		snprintf(out, n, "%s (%s)", what, how);
	}
}

/* "the MD5 of IMEI (49***8)", "the IMEI (49***8) in its \"14-digit\"
 * form". */
static void value_words(const struct pii_hit *h, char *out, size_t n)
{
	const char *how = h->how ? h->how : "";
	char what[64];
	snprintf(what, sizeof what, "%s", h->what);
	lower_first(what);
	if (!*how || strcmp(how, "as is") == 0 || strcmp(how, "plain") == 0)
		snprintf(out, n, "the %s (%s)", what, h->masked);
	else if (prefix_form(how))
		snprintf(out, n, "the %s %s (%s)", how, what, h->masked);
	else
		snprintf(out, n, "the %s (%s) in its \"%s\" form", what,
			 h->masked, how);
}

static void explain(const struct pii_hit *h, const struct ph_finding *f,
		    char *e, size_t n)
{
	char fw[96], vw[200];
	size_t len = 0;
	field_words(h->field, fw, sizeof fw);
	value_words(h, vw, sizeof vw);
	const char *proto = f->proto == 17 ? "udp" : "tcp";
	bool user = strcmp(h->id, "pii.identifier") == 0 ||
		    strcmp(h->id, "pii.location") == 0;
	/* "host (address)" unless the host is the address (a Host header
	 * naming the bare address, with or without its port) */
	size_t rl = strlen(f->remote);
	bool named = *h->host && !(strncmp(h->host, f->remote, rl) == 0 &&
				   (h->host[rl] == '\0' || h->host[rl] == ':'));
	ph_detect_catf(e, n, &len, "%s sent %s%s to %s%s%s%s port %u/%s "
		       "in %s, without encryption: anyone on the path (the "
		       "Wi-Fi network, the operator, a proxy) can read it.",
		       f->device, user ? "" : "what looks like ", vw,
		       named ? h->host : f->remote, named ? " (" : "",
		       named ? f->remote : "", named ? ")" : "",
		       f->remote_port, proto, fw);
	if (h->hashed)
		ph_detect_catf(e, n, &len, " Hashing does not hide it: the "
			       "same value always gives the same hash, which "
			       "tracks the device as well as the value, and "
			       "short identifiers are recovered by hashing "
			       "every candidate.");
	if (h->device_mac)
		ph_detect_catf(e, n, &len, " It is the MAC address of a device "
			       "in this capture.");
	if (!user)
		ph_detect_catf(e, n, &len, " Found by a generic pattern, not "
			       "from your identifier list: it may belong to "
			       "someone else or be a coincidence.");
	ph_detect_catf(e, n, &len, " peephole cannot see inside TLS or QUIC "
		       "(decrypting needs the session keys, SSLKEYLOGFILE; "
		       "--keylog is not implemented yet), so encrypted "
		       "connections were not searched.");
}

void pii_report(struct ph_detect_base *b, const struct ph_event *ev,
		int side, const struct pii_hit *h)
{
	struct ph_finding f;
	memset(&f, 0, sizeof f);
	ph_detect_evidence(&f, ev, side);
	char what[160];
	what_words(h, what, sizeof what);
	snprintf(f.id, sizeof f.id, "%s", h->id);
	size_t tl = 0;
	bool generic = strncmp(h->id, "pii.generic_", 12) == 0;
	ph_detect_catf(f.title, sizeof f.title, &tl, "%s%s%s sent in cleartext",
		       strcmp(h->id, "pii.location") == 0 ? "Your " : "",
		       generic ? "Possible " : "", what);
	if (f.title[0] >= 'a' && f.title[0] <= 'z')
		f.title[0] = (char)(f.title[0] - 'a' + 'A');
	snprintf(f.matched, sizeof f.matched, "%s", h->masked);
	snprintf(f.field, sizeof f.field, "%s", h->field);
	snprintf(f.name, sizeof f.name, "%s", h->host);
	snprintf(f.attack, sizeof f.attack, "T1048.003");
	f.severity = h->sev;
	f.confidence = h->conf;
	explain(h, &f, f.explain, sizeof f.explain);
	snprintf(f.advice, sizeof f.advice, "Find the app that sent it (the "
		 "host and time help; PCAPdroid captures name the app) and "
		 "remove it or take away its permissions: tracking SDKs and "
		 "stalkerware send identifiers like this. Reset identifiers "
		 "that can be reset (advertising ID) and avoid untrusted "
		 "networks until the app is gone.");
	ph_detect_emit(b, &f);
}
