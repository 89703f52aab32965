/* Detection "interception": signs that someone on the path replaces
 * servers' certificates (TLS interception, Salt-Typhoon-style middle
 * boxes, corporate or antivirus proxies, debugging proxies). Without a
 * trust store it uses what the capture itself shows: a leaf issued by a
 * known interception product; a well-known name (Google, Apple, Meta,
 * Microsoft...) certified by an issuer that is no public CA; the same
 * server name certified by different issuers within the capture; and one
 * non-public issuer certifying many unrelated registered domains. Tables
 * are fixed-size (NAMES server names, ISSUERS issuers); what does not fit
 * is counted. SNIs wait for their leaf in a small ring keyed by flow. How
 * each issuer classifies (product, public CA, organisation) is remembered
 * in a small cache (MEMO issuers), since captures show few issuers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "detect/detect.h"
#include "peephole/module.h"
#include "peephole/proto_tls.h"

extern const struct ph_module ph_interception_module;

#define RING 128
#define NAMES 2048         /* server names tracked (power of two) */
#define ISSUERS 256        /* non-public issuers tracked */
#define MAX_DOMAINS 64     /* registered domains kept per issuer */
#define MEMO 64            /* issuer classifications cached (power of 2) */

struct ic_flow {
	uint64_t conn_id;
	char sni[PH_TLS_SNI_LEN];
};

struct ic_name {
	uint64_t name_hash;    /* 0 = free */
	uint64_t org_hash;
	char org[96];          /* first issuer organisation seen */
	bool reported;
};

struct ic_issuer {
	uint64_t hash;         /* 0 = free */
	char issuer[160];
	uint64_t domains[MAX_DOMAINS];
	unsigned n;
	bool reported;
};

/* What the lists say about one issuer string. */
struct ic_memo {
	uint64_t hash;         /* hash_ci of issuer; 0 = free */
	char issuer[PH_X509_NAME_LEN];
	const char *prod;      /* inspection product it names, or NULL */
	bool public_ca;        /* names a public CA */
	char org[96];          /* organisation (else CN, else the issuer) */
};

struct ic_state {
	struct ph_detect_base base;
	unsigned many_names;   /* option: distinct domains per issuer */
	struct ic_flow ring[RING];
	unsigned next;
	struct ic_name names[NAMES];
	struct ic_issuer issuers[ISSUERS];
	struct ic_memo memo[MEMO];
	uint64_t leaves, names_full, issuers_full;
};

/* ------------------------------------------------------------------ */
/* Lists. Substrings of the issuer, matched case-insensitively. */

static const char *const products[] = {
	"Fortinet", "FortiGate", "Zscaler", "mitmproxy", "Charles Proxy",
	"PortSwigger", "Burp Suite", "Blue Coat", "BlueCoat", "Palo Alto",
	"Sophos", "Kaspersky", "Avast", "AVG Technologies", "ESET SSL",
	"Bitdefender", "Netskope", "Forcepoint", "Websense", "McAfee Web",
	"Check Point", "Barracuda", "Untangle", "Superfish", "Komodia",
	"DO_NOT_TRUST", "Fiddler", "HttpCanary", "Proxyman", "Cisco Umbrella",
	"Lightspeed", "Securly", "GoGuardian", "Smoothwall", "iboss",
	"ContentKeeper", "NetSpark", "Kerio", "WatchGuard", "SonicWall",
	"Cyberoam", "Sangfor", "Hillstone", NULL};

static const char *const public_cas[] = {
	"DigiCert", "Let's Encrypt", "Internet Security Research Group",
	"Google Trust Services", "Google Inc", "Google LLC", "Sectigo",
	"COMODO", "USERTrust", "GlobalSign", "Amazon", "Microsoft Corporation",
	"Apple Inc", "Entrust", "GoDaddy", "Starfield", "IdenTrust",
	"Baltimore", "Symantec", "GeoTrust", "thawte", "VeriSign", "RapidSSL",
	"QuoVadis", "Unizeto", "Certum", "Buypass", "SSL Corporation",
	"ZeroSSL", "Actalis", "Cloudflare", "Network Solutions", "Trustwave",
	"SwissSign", "T-Systems", "Deutsche Telekom", "HARICA",
	"Hellenic Academic", "TWCA", "Chunghwa", "Certainly", "TrustAsia",
	"SECOM", "Cybertrust", "D-Trust", "Telia", "Izenpe", "Certigna",
	"Gandi", "AlphaSSL", "Encryption Everywhere", "WoTrus", "GDCA",
	"Trustico", "Microsoft IT", "Microsoft Azure", "Meta Platforms",
	"Equifax", "AddTrust", "CFCA", "SHECA", "Asseco", "E-Tugra",
	"Atos", "KPN", "Firmaprofesional", "Camerfirma", "emSign",
	NULL};

/* Registered domains whose certificates come from public CAs (not
 * signal.org: Signal pins its own private CA). */
static const char *const well_known[] = {
	"google.com", "googleapis.com", "gstatic.com", "googlevideo.com",
	"youtube.com", "ytimg.com", "android.com", "gmail.com", "apple.com",
	"icloud.com", "mzstatic.com", "whatsapp.net", "whatsapp.com",
	"facebook.com", "fbcdn.net", "instagram.com", "messenger.com",
	"microsoft.com", "live.com", "office.com", "outlook.com",
	"windows.com", "twitter.com", "x.com", "telegram.org",
	"amazon.com", "cloudflare.com", "github.com", "wikipedia.org",
	"proton.me", "protonmail.com", "netflix.com", NULL};

static unsigned char lower(char c)
{
	unsigned char u = (unsigned char)c;
	return u >= 'A' && u <= 'Z' ? (unsigned char)(u + 32) : u;
}

static bool has_ci(const char *s, const char *w)
{
	size_t n = strlen(w);
	unsigned char c0 = lower(w[0]);
	for (; *s; s++)
		if (lower(*s) == c0 && strncasecmp(s, w, n) == 0)
			return true;
	return false;
}

static const char *in_list(const char *s, const char *const *list)
{
	for (unsigned i = 0; list[i]; i++)
		if (has_ci(s, list[i]))
			return list[i];
	return NULL;
}

/* name (n bytes) is d or a subdomain of d. */
static bool under(const char *name, size_t n, const char *d)
{
	size_t k = strlen(d);
	if (n < k || lower(name[n - 1]) != lower(d[k - 1]) ||
	    strcasecmp(name + n - k, d) != 0)
		return false;
	return n == k || name[n - k - 1] == '.';
}

static const char *well_known_of(const char *name)
{
	size_t n = strlen(name);
	for (unsigned i = 0; well_known[i]; i++)
		if (under(name, n, well_known[i]))
			return well_known[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Text helpers. */

static uint64_t hash_ci(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + 32);
		h = (h ^ c) * 1099511628211ull;
	}
	return h ? h : 1;
}

/* The value of attribute `key` ("O", "CN") in an "CN=x,O=y" name. */
static void dn_attr(const char *dn, const char *key, char *out, size_t n)
{
	size_t k = strlen(key);
	out[0] = '\0';
	for (const char *p = dn; *p; p++) {
		if ((p != dn && p[-1] != ',') || strncmp(p, key, k) ||
		    p[k] != '=')
			continue;
		const char *v = p + k + 1;
		size_t len = 0;
		while (v[len] && !(v[len] == ',' && (len == 0 ||
						     v[len - 1] != '\\')))
			len++;
		if (len >= n)
			len = n - 1;
		memcpy(out, v, len);
		out[len] = '\0';
		return;
	}
}

/* Registered domain, approximately: the last two labels, or three when
 * the second-level label is a common public suffix (co.uk, com.br). */
static const char *reg_domain(const char *name)
{
	const char *dots[3] = {NULL, NULL, NULL};
	for (const char *p = name; *p; p++)
		if (*p == '.') {
			dots[2] = dots[1];
			dots[1] = dots[0];
			dots[0] = p;
		}
	if (!dots[1])
		return name;
	const char *sld = dots[1] + 1;
	size_t sl = (size_t)(dots[0] - sld);
	bool cc = strlen(dots[0] + 1) == 2;
	static const char *const slds[] = {"co", "com", "net", "org", "gov",
					   "ac", "edu"};
	bool pub = false;
	for (size_t i = 0; i < sizeof slds / sizeof slds[0]; i++)
		pub |= strlen(slds[i]) == sl && !strncmp(sld, slds[i], sl);
	if (cc && pub)
		return dots[2] ? dots[2] + 1 : name;
	return sld;
}

/* ------------------------------------------------------------------ */
/* Findings. */


static const char ADVICE[] =
	"Check the device for installed certificates (Android: Settings > "
	"Security > Encryption & credentials > User credentials; iPhone: "
	"Settings > General > VPN & Device Management) and for VPN or "
	"'security' apps you did not install; ask whether this network "
	"(work, school, hotel) inspects TLS. Until explained, do not use "
	"the device or network for sensitive conversations.";

/* The same name, another issuer organisation than before. */
static void check_name(struct ic_state *st, const struct ph_event *ev,
		       int side, const char *sni, const char *org, bool pub)
{
	uint64_t h = hash_ci(sni, PH_TLS_SNI_LEN), oh = hash_ci(org, 96);
	unsigned i = (unsigned)h & (NAMES - 1), probes = 0;
	while (st->names[i].name_hash && st->names[i].name_hash != h) {
		i = (i + 1) & (NAMES - 1);
		if (++probes >= NAMES / 2) {
			st->names_full++;
			return;
		}
	}
	struct ic_name *e = &st->names[i];
	if (!e->name_hash) {
		e->name_hash = h;
		e->org_hash = oh;
		snprintf(e->org, sizeof e->org, "%s", org);
		return;
	}
	if (e->org_hash == oh || e->reported)
		return;
	e->reported = true;
	bool both_pub = pub && in_list(e->org, public_cas);
	char text[768], m[256];
	snprintf(m, sizeof m, "%s -> %s", e->org, org);
	snprintf(text, sizeof text, "Within this capture %s was certified "
		 "first by \"%s\", then by \"%s\". %s", sni, e->org, org,
		 both_pub ? "Both are public CAs: large services sometimes "
			    "use several, so this alone is weak evidence."
			  : "One of them is no public CA: a device on the "
			    "path replacing certificates looks exactly like "
			    "this.");
	struct ph_detect_text t = {"interception.issuer_changed",
		"Same server, different certificate issuer", m, "x509.issuer",
		sni, both_pub ? PH_SEV_LOW : PH_SEV_HIGH,
		both_pub ? PH_CONF_LOW : PH_CONF_MEDIUM, text, ADVICE, "T1557"};
	ph_detect_report(&st->base, ev, side, &t);
}

/* One non-public issuer certifying many registered domains. */
static void check_issuer(struct ic_state *st, const struct ph_event *ev,
			 int side, const struct ph_x509 *x, const char *sni,
			 uint64_t h)
{
	unsigned i = (unsigned)h & (ISSUERS - 1), probes = 0;
	while (st->issuers[i].hash && st->issuers[i].hash != h) {
		i = (i + 1) & (ISSUERS - 1);
		if (++probes >= ISSUERS) {
			st->issuers_full++;
			return;
		}
	}
	struct ic_issuer *e = &st->issuers[i];
	if (!e->hash) {
		e->hash = h;
		snprintf(e->issuer, sizeof e->issuer, "%.159s", x->issuer);
	}
	uint64_t d = hash_ci(reg_domain(sni), PH_TLS_SNI_LEN);
	for (unsigned k = 0; k < e->n; k++)
		if (e->domains[k] == d)
			return;
	if (e->n < MAX_DOMAINS)
		e->domains[e->n++] = d;
	if (e->reported || e->n < st->many_names)
		return;
	e->reported = true;
	char text[768];
	snprintf(text, sizeof text, "The issuer \"%s\", which is no public "
		 "CA, certified servers of %u unrelated domains in this "
		 "capture (the latest %s). Real services get certificates "
		 "from public CAs; one private CA minting certificates for "
		 "everything is how TLS interception works.", e->issuer,
		 e->n, sni);
	struct ph_detect_text t = {"interception.one_ca_many_names",
		"One private CA certifies many unrelated servers", e->issuer,
		"x509.issuer", sni, PH_SEV_HIGH, PH_CONF_MEDIUM, text, ADVICE, "T1557"};
	ph_detect_report(&st->base, ev, side, &t);
}

static void report_product(struct ic_state *st, const struct ph_event *ev,
			   int side, const struct ph_x509 *x, const char *sni,
			   const char *prod)
{
	char text[768];
	snprintf(text, sizeof text, "The certificate for %.100s was issued "
		 "by \"%.160s\", which names %s, a product that decrypts "
		 "and inspects TLS traffic. Everything this device "
		 "sent through it could be read by whoever runs it. "
		 "Phones only do this behind a company or school "
		 "proxy, with a security app that filters web "
		 "traffic, or with a debugging tool installed.",
		 sni, x->issuer, prod);
	struct ph_detect_text t = {"interception.product",
		"TLS intercepted by an inspection product", x->issuer,
		"x509.issuer", sni, PH_SEV_HIGH, PH_CONF_HIGH, text, ADVICE, "T1557"};
	ph_detect_report(&st->base, ev, side, &t);
}

static void report_private(struct ic_state *st, const struct ph_event *ev,
			   int side, const struct ph_x509 *x, const char *sni,
			   const char *wk)
{
	char text[768];
	snprintf(text, sizeof text, "%.100s belongs to %s, whose "
		 "certificates come from public CAs, but here it was "
		 "certified by \"%.160s\", which is not one. Someone on "
		 "the path is most likely presenting their own "
		 "certificate; benign phones never see this unless a "
		 "company proxy or a debugging tool is set up.",
		 sni, wk, x->issuer);
	struct ph_detect_text t = {"interception.private_ca",
		"Well-known service certified by a private CA",
		x->issuer, "x509.issuer", sni, PH_SEV_HIGH,
		PH_CONF_MEDIUM, text, ADVICE, "T1557"};
	ph_detect_report(&st->base, ev, side, &t);
}

/* The lists' verdict on an issuer, from the cache or computed. */
static const struct ic_memo *ic_classify(struct ic_state *st,
					 const char *issuer, uint64_t h)
{
	struct ic_memo *m = &st->memo[h & (MEMO - 1)];
	if (m->hash == h && strcmp(m->issuer, issuer) == 0)
		return m;
	m->hash = h;
	snprintf(m->issuer, sizeof m->issuer, "%s", issuer);
	dn_attr(issuer, "O", m->org, sizeof m->org);
	if (!m->org[0])
		dn_attr(issuer, "CN", m->org, sizeof m->org);
	if (!m->org[0])
		snprintf(m->org, sizeof m->org, "%.95s", issuer);
	m->prod = in_list(issuer, products);
	m->public_ca = in_list(issuer, public_cas) != NULL;
	return m;
}

static void on_leaf(struct ic_state *st, const struct ph_event *ev,
		    int side, const struct ph_x509 *x, const char *sni)
{
	uint64_t h = hash_ci(x->issuer, PH_X509_NAME_LEN);
	const struct ic_memo *m = ic_classify(st, x->issuer, h);
	const char *org = m->org, *prod = m->prod;
	bool pub = !prod && m->public_ca && !x->self_issued;
	if (prod)
		report_product(st, ev, side, x, sni, prod);
	const char *wk = well_known_of(sni);
	if (wk && !pub && !prod)
		report_private(st, ev, side, x, sni, wk);
	check_name(st, ev, side, sni, org, pub);
	if (!pub && !x->self_issued && st->many_names)
		check_issuer(st, ev, side, x, sni, h);
}

static struct ic_flow *ic_find(struct ic_state *st, uint64_t id)
{
	for (unsigned i = 0; i < RING; i++)
		if (st->ring[i].conn_id == id)
			return &st->ring[i];
	return NULL;
}

static void ic_on_event(void *state, const struct ph_event *ev)
{
	struct ic_state *st = state;
	if (!ev->conn)
		return;
	if (ev->kind == PH_EV_TLS_CLIENT_HELLO) {
		const struct ph_tls_hello *h = ev->u.proto;
		if (h->quic || !h->sni_len)
			return;
		struct ic_flow *f = &st->ring[st->next];
		st->next = (st->next + 1) % RING;
		f->conn_id = ev->conn->id;
		memcpy(f->sni, h->sni, sizeof f->sni);
		f->sni[sizeof f->sni - 1] = '\0';
		return;
	}
	struct ic_flow *f = ic_find(st, ev->conn->id);
	if (ev->kind == PH_EV_TLS_DONE) {
		if (f)
			f->conn_id = 0;
		return;
	}
	const struct ph_x509 *x = ev->u.proto;
	if (!f || x->client || !x->parsed || x->chain_pos != 0)
		return;
	int side = ph_detect_side(&st->base, ev->conn);
	if (side < 0)
		return;
	st->leaves++;
	on_leaf(st, ev, side, x, f->sni);
}

static const struct ph_module_option ic_options[] = {
	{"many_names", 5, 0, 1000, "count",
	 "distinct registered domains one non-public issuer may certify "
	 "before it is reported (0 off)"},
	{NULL, 0, 0, 0, NULL, NULL},
};

static int ic_init(const struct ph_module_env *env, void **state,
		   struct ph_err *err)
{
	struct ph_detect_base base;
	if (ph_detect_base_init(&base, env) == PH_MODULE_SKIP)
		return PH_MODULE_SKIP;
	struct ic_state *st = calloc(1, sizeof *st);
	if (!st)
		return ph_err_set(err, PH_ENOMEM, "interception: out of memory");
	st->base = base;
	st->many_names = (unsigned)ph_module_option(
		env, &ph_interception_module, "many_names");
	*state = st;
	return PH_OK;
}

static unsigned ic_counters(const void *state, struct ph_module_counter *out,
			    unsigned max)
{
	const struct ic_state *st = state;
	const struct ph_module_counter c[] = {
		{"leaf_certs", st->leaves},
		{"names_table_full", st->names_full},
		{"issuers_table_full", st->issuers_full},
		{"findings_dropped", st->base.dropped},
	};
	return ph_module_counters_copy(out, max, c, sizeof c / sizeof c[0]);
}

static void ic_destroy(void *state)
{
	free(state);
}

const struct ph_module ph_interception_module = {
	.name = "interception",
	.summary = "TLS interception: inspection-product issuers, private CAs "
		   "for well-known names, issuers changing per name, one CA "
		   "for many names",
	.mask = PH_EV_TLS_CLIENT_HELLO | PH_EV_TLS_CERT | PH_EV_TLS_DONE,
	.init = ic_init,
	.on_event = ic_on_event,
	.counters = ic_counters,
	.destroy = ic_destroy,
	.options = ic_options,
	.detection = true,
};
