/* The words of the known_bad detection: how severe a match is for each
 * indicator category, how sure we are for each place a value was seen,
 * and the plain-language title, explanation and advice of its findings.
 * Kept apart from the matching so the wording can be reviewed alone. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "detect/detect.h"
#include "detect/known_bad.h"

/* Indicator categories grouped by what they mean for the device. */
enum kb_class {
	KB_SPYWARE,     /* state or mercenary spyware (Pegasus, Predator) */
	KB_STALKERWARE, /* covert monitoring installed by someone close */
	KB_MALWARE,     /* crime malware, botnets, C2 */
	KB_WATCHWARE,   /* monitoring apps sold as legal (parental, staff) */
	KB_TRACKER,     /* data-harvesting trackers */
	KB_SUSPECT,     /* dynamic DNS, risky TLDs, suspect ranges */
	KB_UNKNOWN,     /* a list without categories (the user's own) */
};

struct kb_class_info {
	const char *names;    /* categories, '|'-separated, lower case */
	enum ph_severity sev;
	const char *why;
	const char *advice;
};

static const struct kb_class_info classes[] = {
	[KB_SPYWARE] = {"spyware|pegasus|apt|nation-state|state|predator|"
			"surveillance|exploit",
		PH_SEV_CRITICAL,
		"Public investigations tie this infrastructure to spyware used "
		"against journalists, activists and officials; a device that "
		"contacts it may be infected.",
		"Treat the device as possibly compromised: stop using it for "
		"sensitive conversations, keep this capture and the device "
		"as they are (do not reset it: that destroys evidence), and "
		"ask for expert help, e.g. Amnesty Tech's Security Lab or "
		"Access Now's Digital Security Helpline."},
	[KB_STALKERWARE] = {"stalkerware", PH_SEV_HIGH,
		"This infrastructure belongs to stalkerware: apps that someone "
		"with access to the phone installs to read its messages and "
		"follow its location.",
		"Think about safety before acting: the person who installed "
		"it may notice if it is removed. Keep this capture as "
		"evidence and get support from a stalkerware helpline (see "
		"stopstalkerware.org) before removing the app."},
	[KB_MALWARE] = {"malware|cybercrime|c2|botnet|rat|trojan|banker|"
			"ransomware|phishing",
		PH_SEV_HIGH,
		"This infrastructure is listed as used by malware (command "
		"and control, phishing or data theft).",
		"Find the app that made the connection (the capture time and "
		"the flow uid help), remove it, change the passwords used on "
		"the device, and keep this capture."},
	[KB_WATCHWARE] = {"watchware|monitoring|parental", PH_SEV_MEDIUM,
		"This infrastructure belongs to a monitoring app sold for "
		"parental or employee control; the same apps are used to "
		"watch partners without consent.",
		"Check whether the owner knows about and agreed to a "
		"monitoring app on this device; if not, treat it as "
		"stalkerware (see stopstalkerware.org) and keep this capture."},
	[KB_TRACKER] = {"tracker|tracking|adware", PH_SEV_LOW,
		"This host is listed as a tracker that collects data about "
		"the device and its user; many ordinary apps embed such "
		"trackers, so this alone is no sign of compromise.",
		"Find which app contacts it and remove the app or revoke its "
		"permissions if it is not needed."},
	[KB_SUSPECT] = {"suspect|freedns|tld|website|dyndns|suspicious",
		PH_SEV_LOW,
		"The name or address is on a list of infrastructure that is "
		"often abused (free dynamic DNS, high-abuse top-level "
		"domains, suspect ranges, spyware vendors' web sites); many "
		"legitimate services use the same.",
		"Look at which app or web page made the connection; act "
		"only if it cannot be explained."},
	[KB_UNKNOWN] = {"", PH_SEV_HIGH,
		"It is on an indicator list loaded for this check.",
		"Check where the list comes from and what it says about this "
		"indicator; keep this capture."},
};

/* Is `cat` one of the '|'-separated names, case-insensitively? */
static bool in_names(const char *names, const char *cat)
{
	size_t n = strlen(cat);
	for (const char *p = names; *p;) {
		const char *e = strchr(p, '|');
		size_t k = e ? (size_t)(e - p) : strlen(p);
		if (k == n && strncasecmp(p, cat, n) == 0)
			return true;
		p += k + (e ? 1 : 0);
	}
	return false;
}

static enum kb_class classify(const char *category)
{
	if (!category || !category[0])
		return KB_UNKNOWN;
	for (unsigned c = 0; c < KB_UNKNOWN; c++)
		if (in_names(classes[c].names, category))
			return (enum kb_class)c;
	/* "stalkerware website" and the like: first word decides. */
	char first[32];
	size_t k = strcspn(category, " -_/");
	if (k > 0 && k < sizeof first && category[k]) {
		memcpy(first, category, k);
		first[k] = '\0';
		return classify(first);
	}
	return KB_UNKNOWN;
}

/* A vendor's web site is where spyware is bought or read about, not
 * where it talks to: at most medium. */
enum ph_severity ph_known_bad_severity(const char *category)
{
	enum ph_severity s = classes[classify(category)].sev;
	if (category && strstr(category, "website") && s > PH_SEV_MEDIUM)
		s = PH_SEV_MEDIUM;
	return s;
}

/* Where a value was seen: the finding's action words and how much a
 * match there proves. */
struct kb_field {
	const char *field;
	const char *what;    /* "Looked up a domain" (title) */
	const char *verb;    /* "looked up" (explanation) */
	const char *where;   /* "a DNS query" */
	enum ph_confidence conf;
	const char *attack;
};

static const struct kb_field fields[] = {
	{"dns.query", "Looked up a domain", "looked up", "a DNS query",
	 PH_CONF_HIGH, "T1071.004"},
	{"dns.cname", "Was sent to a domain by DNS",
	 "was pointed by a DNS answer (CNAME) to", "a DNS answer",
	 PH_CONF_HIGH, "T1071.004"},
	{"dns.answer", "Got a DNS answer with an address",
	 "got a DNS answer with the address", "a DNS answer",
	 PH_CONF_MEDIUM, "T1071.004"},
	{"dns.ns", "Used a name server", "resolved a name served by",
	 "a DNS answer's NS record", PH_CONF_MEDIUM, "T1071.004"},
	{"tls.sni", "Opened an encrypted connection to a host",
	 "opened a TLS connection naming", "the TLS server name (SNI)",
	 PH_CONF_HIGH, "T1071.001"},
	{"quic.sni", "Opened a QUIC connection to a host",
	 "opened a QUIC connection naming", "the QUIC server name (SNI)",
	 PH_CONF_HIGH, "T1071.001"},
	{"http.host", "Sent a web request to a host",
	 "sent an unencrypted HTTP request to", "the HTTP Host header",
	 PH_CONF_HIGH, "T1071.001"},
	{"http.uri", "Requested a listed URL", "requested", "an HTTP request",
	 PH_CONF_HIGH, "T1071.001"},
	{"http.url", "Requested a listed URL", "requested", "an HTTP request",
	 PH_CONF_HIGH, "T1071.001"},
	{"x509.subject", "Received a certificate for a host",
	 "received a certificate naming", "a server certificate's subject",
	 PH_CONF_MEDIUM, "T1071.001"},
	{"x509.san", "Received a certificate for a host",
	 "received a certificate naming", "a server certificate's names",
	 PH_CONF_MEDIUM, "T1071.001"},
	{"x509.sha1", "Received a listed certificate",
	 "received the certificate", "a TLS certificate (SHA-1)",
	 PH_CONF_HIGH, "T1071.001"},
	{"x509.sha256", "Received a listed certificate",
	 "received the certificate", "a TLS certificate (SHA-256)",
	 PH_CONF_HIGH, "T1071.001"},
	{"conn.resp_h", "Connected to an address", "connected to",
	 "the connection's destination", PH_CONF_MEDIUM, "T1071"},
	{"conn.orig_h", "Was contacted by an address",
	 "accepted or received a connection from",
	 "the connection's originator", PH_CONF_MEDIUM, "T1071"},
	{"tls.ja3", "Used a listed TLS client fingerprint",
	 "made a TLS connection with the JA3 fingerprint",
	 "the TLS ClientHello", PH_CONF_LOW, "T1071.001"},
	{"tls.ja4", "Used a listed TLS client fingerprint",
	 "made a TLS connection with the JA4 fingerprint",
	 "the TLS ClientHello", PH_CONF_MEDIUM, "T1071.001"},
	{"quic.ja4", "Used a listed QUIC client fingerprint",
	 "made a QUIC connection with the JA4 fingerprint",
	 "the QUIC ClientHello", PH_CONF_MEDIUM, "T1071.001"},
	{"tls.ja3s", "Talked to a server with a listed TLS fingerprint",
	 "talked to a server answering with the JA3S fingerprint",
	 "the TLS ServerHello", PH_CONF_LOW, "T1071.001"},
};

static const struct kb_field *field_info(const char *field)
{
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (strcmp(fields[i].field, field) == 0)
			return &fields[i];
	static const struct kb_field other = {"", "Saw a listed value", "saw",
					      "the traffic", PH_CONF_MEDIUM,
					      ""};
	return &other;
}

static const char *type_id(enum ph_ioc_type t)
{
	switch (t) {
	case PH_IOC_CERT_SHA1:
	case PH_IOC_CERT_SHA256: return "ioc.cert";
	case PH_IOC_JA3:
	case PH_IOC_JA3S:
	case PH_IOC_JA4: return "ioc.tls_fingerprint";
	default: break;
	}
	return NULL;
}

/* Lower confidence where a match proves less than its field suggests. */
static enum ph_confidence confidence(const struct kb_field *fi,
				     const struct ph_ioc_hit *h, int exact)
{
	enum ph_confidence c = fi->conf;
	if (h->type == PH_IOC_IP && !exact && h->prefix_len <
	    (strchr(h->value, ':') ? 64 : 24))
		c = PH_CONF_LOW; /* a wide range, not one host */
	return c;
}

static void explain(struct ph_finding *f, const struct kb_field *fi,
		    const struct ph_ioc_hit *h, const char *seen,
		    enum kb_class cls, int exact)
{
	size_t n = 0;
	char *b = f->explain;
	size_t cap = sizeof f->explain;
	ph_detect_catf(b, cap, &n, "The device %s %s %s", f->device[0] ? f->device : "",
	    fi->verb, seen);
	if (f->name[0] && strcmp(f->name, seen) != 0)
		ph_detect_catf(b, cap, &n, " (for %s)", f->name);
	ph_detect_catf(b, cap, &n, ", seen in %s. ", fi->where);
	ph_detect_catf(b, cap, &n, "%s lists %s%s%s%s%s%s. ",
	    f->source[0] ? f->source : "An indicator feed", h->value,
	    h->campaign[0] || h->category[0] ? " as" : "",
	    h->campaign[0] ? " " : "", h->campaign,
	    h->category[0] ? " " : "", h->category);
	if (!exact && (h->type == PH_IOC_DOMAIN || h->type == PH_IOC_NS))
		ph_detect_catf(b, cap, &n, "The indicator is the parent domain %s, which "
		    "covers every name under it. ", h->value);
	if (h->type == PH_IOC_IP && !exact)
		ph_detect_catf(b, cap, &n, "The address falls in the listed range %s. ",
		    h->value);
	ph_detect_catf(b, cap, &n, "%s ", classes[cls].why);
	if (h->type == PH_IOC_IP)
		ph_detect_catf(b, cap, &n, "One address can serve many unrelated sites "
		    "(hosting, CDNs), so an address match proves less than a "
		    "name match. ");
	if (f->allowed_by[0])
		ph_detect_catf(b, cap, &n, "The allowlist %s also lists this destination; "
		    "the indicator match wins, because an allowlist never "
		    "hides an indicator.", f->allowed_by);
	while (n > 0 && b[n - 1] == ' ')
		b[--n] = '\0';
}

void ph_known_bad_describe(struct ph_finding *f, const struct ph_ioc_hit *h,
			   const char *field, const char *seen, int exact)
{
	const struct kb_field *fi = field_info(field);
	enum kb_class cls = classify(h->category);
	const char *id = type_id(h->type);
	snprintf(f->id, sizeof f->id, "ioc.%s",
		 id ? id + 4 : ph_ioc_type_name(h->type));
	f->severity = ph_known_bad_severity(h->category);
	f->confidence = confidence(fi, h, exact);
	const char *tie = h->campaign[0] ? h->campaign : h->category;
	snprintf(f->title, sizeof f->title, "%s %s %s", fi->what,
		 tie[0] ? (h->campaign[0] ? "tied to" : "listed as") :
			  "on an indicator list",
		 tie);
	size_t tl = strlen(f->title);
	while (tl && f->title[tl - 1] == ' ')
		f->title[--tl] = '\0';
	snprintf(f->attack, sizeof f->attack, "%s", fi->attack);
	snprintf(f->advice, sizeof f->advice, "%s", classes[cls].advice);
	explain(f, fi, h, seen, cls, exact);
}

void ph_known_bad_describe_allow(struct ph_finding *f)
{
	snprintf(f->id, sizeof f->id, "allow.listed");
	snprintf(f->title, sizeof f->title, "Contacted an allowlisted "
		 "destination");
	f->severity = PH_SEV_INFO;
	f->confidence = PH_CONF_HIGH;
	snprintf(f->explain, sizeof f->explain,
		 "The device %s contacted %s (seen in %s), which the allowlist "
		 "%s lists as expected. It is shown so that nothing is hidden; "
		 "an allowlist never suppresses an indicator match from "
		 "another list.", f->device, f->matched, f->field,
		 f->allowed_by);
	snprintf(f->advice, sizeof f->advice, "Nothing to do unless you "
		 "did not expect this service on the device.");
}
