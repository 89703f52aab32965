/* Detection "weak_tls": TLS connections that protect less than they
 * should. From each ClientHello: SSL 3.0-only offers, CBC-only offers and
 * a missing server name; from each session summary (PH_EV_TLS_DONE): an
 * SSLv2-format hello, a negotiated version below TLS 1.2, a NULL, export,
 * anonymous, RC4 or (3)DES suite, static-RSA key exchange, a handshake
 * ended by a fatal alert (a certificate refused: interception or pinning)
 * and TLS on a port where it is not expected. QUIC hellos are skipped
 * (always TLS 1.3). No allocation after init; whether a suite is AEAD
 * is remembered per suite number. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "detect/detect.h"
#include "peephole/dns_map.h"
#include "peephole/module.h"
#include "peephole/proto_tls.h"
#include "proto/tls_names.h"

extern const struct ph_module ph_weak_tls_module;

struct wt_state {
	struct ph_detect_base base;
	const struct ph_dns_map *dns;
	bool no_sni, unusual_port, cbc_only, no_pfs;
	uint64_t hellos, sessions;
	uint8_t aead[65536]; /* per suite: 0 not known yet, 1 no, 2 AEAD */
};

/* What one finding says (everything else comes from the event). */
struct wt_text {
	const char *id, *title, *matched, *field, *name, *attack;
	enum ph_severity sev;
	enum ph_confidence conf;
	const char *why, *advice;
};

static void wt_report(struct wt_state *st, const struct ph_event *ev,
		      int side, const struct wt_text *t)
{
	struct ph_detect_text w = {t->id, t->title, t->matched, t->field,
				   t->name, t->sev, t->conf, t->why,
				   t->advice, t->attack};
	ph_detect_report(&st->base, ev, side, &w);
}

static const char ADVICE_APP[] =
	"Find the app that made this connection (time, server name and "
	"flow uid help) and update it or stop using it for anything "
	"sensitive; ask its maker to fix its TLS settings.";

/* ------------------------------------------------------------------ */
/* Cipher suites. */

static bool is_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* AEAD suites: TLS 1.3, GCM, CCM, ChaCha20-Poly1305 (by IANA name). */
static bool is_aead(struct wt_state *st, uint16_t v)
{
	if (v >= 0x1301 && v <= 0x1305)
		return true;
	if (st->aead[v])
		return st->aead[v] == 2;
	char b[24];
	const char *n = ph_tls_cipher_name(v, b, sizeof b);
	bool yes = strstr(n, "_GCM") || strstr(n, "_CCM") ||
		   strstr(n, "CHACHA20");
	st->aead[v] = yes ? 2 : 1;
	return yes;
}

/* Broken suites: returns a short reason and sets *sev, or NULL. */
static const char *cipher_weakness(const char *n, enum ph_severity *sev)
{
	*sev = PH_SEV_HIGH;
	if (strstr(n, "_NULL_") || strstr(n, "WITH_NULL"))
		return "no encryption at all (NULL cipher)";
	if (strstr(n, "_anon_"))
		return "no server authentication (anonymous key exchange)";
	if (strstr(n, "EXPORT"))
		return "40/56-bit export-grade encryption";
	*sev = PH_SEV_LOW; /* phones negotiated these until about 2015 */
	if (strstr(n, "RC4"))
		return "the RC4 stream cipher, broken since 2013";
	if (strstr(n, "3DES") || strstr(n, "_DES_") || strstr(n, "DES40") ||
	    strstr(n, "DES_CBC"))
		return "(triple) DES, a 64-bit block cipher open to Sweet32";
	return NULL;
}

/* ------------------------------------------------------------------ */
/* ClientHello. */

static void hello_no_sni(struct wt_state *st, const struct ph_event *ev,
			 int side)
{
	const struct ph_conn *c = ev->conn;
	char resolved[256] = "", addr[48];
	const uint8_t *ra = side ? c->orig_addr : c->resp_addr;
	if (st->dns)
		ph_dns_map_name_of(st->dns, ra, c->ipver, resolved,
				   sizeof resolved);
	ph_detect_addr(c, !side, addr, sizeof addr);
	bool named = resolved[0] != '\0';
	struct wt_text t = {
		"weak_tls.no_sni", "TLS connection without a server name",
		named ? resolved : addr, "tls.sni", named ? resolved : NULL,
		NULL, named ? PH_SEV_LOW : PH_SEV_INFO,
		named ? PH_CONF_MEDIUM : PH_CONF_LOW,
		named ? "The app looked this server up by name but did not "
			"send the name (SNI) when opening TLS. Modern phone "
			"software always sends it; custom or old TLS code "
			"(SDKs, IoT libraries, some malware) does not, and "
			"such code often skips certificate checks too."
		      : "The app opened TLS to a bare address without a "
			"server name (SNI). That is normal when no name is "
			"involved (some apps, calls, push and VPN services "
			"connect by address); it is shown for context only.",
		ADVICE_APP};
	wt_report(st, ev, side, &t);
}

static void hello_old(struct wt_state *st, const struct ph_event *ev,
		      int side, const struct ph_tls_hello *h, const char *sni)
{
	char b[24];
	bool ssl = h->version <= 0x0300;
	struct wt_text t = {"weak_tls.old_hello",
		ssl ? "App offers only SSL (no TLS)"
		    : "App offers at most TLS 1.0/1.1",
		ph_tls_version_name(h->version, b, sizeof b),
		"tls.client_version", sni, "T1040",
		ssl ? PH_SEV_MEDIUM : PH_SEV_LOW, PH_CONF_HIGH,
		ssl ? "The app's best offer is SSL 3.0 or older, "
		      "broken protocols (POODLE, DROWN) that anyone "
		      "on the path can decrypt. No current phone "
		      "software does this."
		    : "The app's best offer is TLS 1.0 or 1.1, retired "
		      "in 2021 (RFC 8996). Android before 5 and old "
		      "SDKs did this; it marks outdated code, not a "
		      "compromise.",
		ADVICE_APP};
	wt_report(st, ev, side, &t);
}

static void on_client_hello(struct wt_state *st, const struct ph_event *ev)
{
	const struct ph_tls_hello *h = ev->u.proto;
	if (h->quic || !ev->conn)
		return;
	int side = ph_detect_side(&st->base, ev->conn);
	if (side < 0)
		return;
	st->hellos++;
	const char *sni = h->sni_len ? h->sni : NULL;
	if (h->version && h->version < 0x0303)
		hello_old(st, ev, side, h, sni);
	unsigned real = 0, aead = 0;
	for (unsigned i = 0; i < h->n_ciphers; i++) {
		uint16_t v = h->ciphers[i];
		if (is_grease(v) || v == 0x00ff || v == 0x5600)
			continue;
		real++;
		aead += is_aead(st, v);
	}
	if (st->cbc_only && real && !aead && !h->truncated) {
		struct wt_text t = {"weak_tls.cbc_only",
			"App offers only old CBC cipher suites",
			h->ja4[0] ? h->ja4 : "cbc-only", "tls.ja4", sni, NULL,
			PH_SEV_LOW, PH_CONF_HIGH,
			"The app offers no modern (AEAD: GCM or ChaCha20) "
			"cipher suite, only CBC ones open to padding-oracle "
			"attacks (Lucky13, POODLE-TLS). Phones have offered "
			"AEAD suites since about 2014; old SDKs and embedded "
			"TLS stacks still do this.", ADVICE_APP};
		wt_report(st, ev, side, &t);
	}
	if (st->no_sni && !h->sni_len && !h->has_ech && !h->has_esni)
		hello_no_sni(st, ev, side);
}

/* ------------------------------------------------------------------ */
/* Session summary. */

static void done_version(struct wt_state *st, const struct ph_event *ev,
			 int side, const struct ph_tls_session *s,
			 const char *sni)
{
	bool ssl = s->version <= 0x0300;
	struct wt_text t = {"weak_tls.old_version",
		ssl ? "Connection used SSL, not TLS"
		    : "Connection used outdated TLS (1.0 or 1.1)",
		s->version_name, "tls.version", sni, "T1040",
		ssl ? PH_SEV_MEDIUM : PH_SEV_LOW, PH_CONF_HIGH,
		ssl ? "The server and app agreed on SSL 3.0 or older, broken "
		      "protocols that anyone on the path can decrypt."
		    : "The server and app agreed on TLS 1.0 or 1.1, retired "
		      "in 2021 (RFC 8996) for weak hashes and CBC attacks. "
		      "Old apps, SDKs and servers still use them; it is a "
		      "weakness of the app or server, not a sign of "
		      "compromise.",
		ADVICE_APP};
	wt_report(st, ev, side, &t);
}

static void done_cipher(struct wt_state *st, const struct ph_event *ev,
			int side, const struct ph_tls_session *s,
			const char *sni)
{
	enum ph_severity sev;
	const char *why = cipher_weakness(s->cipher_name, &sev);
	char text[512];
	if (why) {
		snprintf(text, sizeof text, "The connection was protected "
			 "with %s: anyone on the path can read or change it. "
			 "%s", why, sev == PH_SEV_LOW ?
			 "Phones and servers still agreed on it until about "
			 "2015; today it means an outdated app or server, "
			 "not a compromise." : "No phone software agrees to "
			 "this suite by itself.");
		struct wt_text t = {"weak_tls.weak_cipher",
			"Connection used a broken cipher suite", s->cipher_name,
			"tls.cipher", sni, "T1040", sev, PH_CONF_HIGH, text,
			ADVICE_APP};
		wt_report(st, ev, side, &t);
		return;
	}
	if (st->no_pfs && strncmp(s->cipher_name, "TLS_RSA_WITH_", 13) == 0) {
		struct wt_text t = {"weak_tls.no_forward_secrecy",
			"Connection without forward secrecy", s->cipher_name,
			"tls.cipher", sni, NULL, PH_SEV_INFO, PH_CONF_HIGH,
			"The key exchange is static RSA: whoever gets the "
			"server's private key later can decrypt a recording "
			"of this traffic. Common with old servers and SDKs; "
			"no sign of compromise.", ADVICE_APP};
		wt_report(st, ev, side, &t);
	}
}

/* Side that sent the last alert: 1 client, 0 server, -1 unknown (Zeek
 * history: upper case = client). */
static int alert_by_client(const char *h)
{
	for (size_t i = strnlen(h, 101); i > 0; i--) {
		if (h[i - 1] == 'L')
			return 1;
		if (h[i - 1] == 'l')
			return 0;
	}
	return -1;
}

static bool is_cert_alert(int a)
{
	return (a >= 42 && a <= 46) || a == 48;
}

static void done_alert(struct wt_state *st, const struct ph_event *ev,
		       int side, const struct ph_tls_session *s,
		       const char *sni)
{
	int client = alert_by_client(s->history);
	bool refused = client == 1 && is_cert_alert(s->last_alert);
	struct wt_text t = {"weak_tls.alert",
		refused ? "App refused the server's certificate"
			: "TLS handshake failed with a fatal alert",
		s->last_alert_name, "tls.alert", sni, refused ? "T1557" : NULL,
		refused ? PH_SEV_MEDIUM : PH_SEV_LOW,
		refused ? PH_CONF_MEDIUM : PH_CONF_LOW,
		refused ? "The app stopped the handshake because it did not "
			  "trust the certificate it was shown. Either the "
			  "server is misconfigured, or someone on the path "
			  "(a proxy, a captive portal, an interception box) "
			  "presented its own certificate and the app's "
			  "checks or pinning caught it. On an ordinary "
			  "network phones rarely do this."
			: "The handshake ended with a fatal alert before any "
			  "data was protected: no common cipher or version, "
			  "or a certificate problem. Misconfigured servers "
			  "and old apps cause this too.",
		refused ? "Check whether this network intercepts TLS (a "
			  "company proxy, antivirus, hotel Wi-Fi); look at "
			  "the certificate findings of the same connection; "
			  "avoid sensitive use on this network until "
			  "explained."
			: ADVICE_APP};
	wt_report(st, ev, side, &t);
}

/* Ports where TLS is expected (HTTPS, DoT, mail, LDAP, XMPP, push, MQTT,
 * SIP, IMAP/POP/SMTP submission, HTTPS alternates). */
static bool tls_port(uint16_t p)
{
	static const uint16_t ports[] = {
		443, 8443, 853, 993, 995, 465, 587, 636, 5223, 5228, 8883,
		5061, 5222, 5269, 25, 110, 143, 21, 990, 989, 992, 994, 4433,
		9443, 10443, 2083, 2087, 2096, 5349, 3269, 8531, 6697, 7275,
		4190, 5986, 443 + 10000};
	for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++)
		if (ports[i] == p)
			return true;
	return false;
}

static void done_port(struct wt_state *st, const struct ph_event *ev,
		      int side, const struct ph_tls_session *s,
		      const char *sni)
{
	const struct ph_conn *c = ev->conn;
	uint16_t port = s->client_is_orig ? c->resp_port : c->orig_port;
	if (tls_port(port) || !strcmp(s->next_protocol, "h2") ||
	    !strncmp(s->next_protocol, "http/", 5))
		return;
	char m[16];
	snprintf(m, sizeof m, "%u", port);
	struct wt_text t = {"weak_tls.unusual_port", "TLS on an unusual port",
		m, "conn.resp_p", sni, "T1571", PH_SEV_INFO, PH_CONF_LOW,
		"This TLS connection is not web browsing (no HTTP protocol "
		"was negotiated) and uses a port where TLS is not usual. "
		"Messaging, games and VPN apps do this; so do custom "
		"command channels. Shown for context only.",
		"Only if other findings point at the same server: find the "
		"app that made the connection."};
	wt_report(st, ev, side, &t);
}

static void on_done(struct wt_state *st, const struct ph_event *ev)
{
	const struct ph_tls_session *s = ev->u.proto;
	if (!ev->conn)
		return;
	int side = ph_detect_side(&st->base, ev->conn);
	if (side < 0)
		return;
	st->sessions++;
	const char *sni = s->server_name[0] ? s->server_name : NULL;
	if (!s->saw_client_hello && s->saw_server_hello &&
	    s->history[0] == 'C') {
		struct wt_text t = {"weak_tls.sslv2_hello",
			"App sent an SSLv2-format hello", "SSLv2 ClientHello",
			"tls.client_version", sni, NULL, PH_SEV_LOW,
			PH_CONF_HIGH,
			"The app opened TLS with the SSL 2.0 hello format, "
			"which only very old TLS libraries still send; such "
			"code usually also accepts weak protocols.", ADVICE_APP};
		wt_report(st, ev, side, &t);
	}
	if (s->saw_server_hello && s->version && s->version < 0x0303)
		done_version(st, ev, side, s, sni);
	if (s->saw_server_hello && s->cipher_name[0])
		done_cipher(st, ev, side, s, sni);
	if (s->last_alert >= 0 && s->last_alert_level == 2 && !s->established)
		done_alert(st, ev, side, s, sni);
	if (st->unusual_port && s->saw_server_hello)
		done_port(st, ev, side, s, sni);
}

static void wt_on_event(void *state, const struct ph_event *ev)
{
	struct wt_state *st = state;
	if (ev->kind == PH_EV_TLS_CLIENT_HELLO)
		on_client_hello(st, ev);
	else if (ev->kind == PH_EV_TLS_DONE)
		on_done(st, ev);
}

static const struct ph_module_option wt_options[] = {
	{"no_sni", 1, 0, 1, "bool",
	 "report ClientHellos without a server name (1 on, 0 off)"},
	{"unusual_port", 1, 0, 1, "bool",
	 "report non-HTTP TLS on ports where TLS is not usual (info)"},
	{"cbc_only", 1, 0, 1, "bool",
	 "report ClientHellos that offer only CBC cipher suites"},
	{"no_forward_secrecy", 1, 0, 1, "bool",
	 "report static-RSA key exchange (info)"},
	{NULL, 0, 0, 0, NULL, NULL},
};

static int wt_init(const struct ph_module_env *env, void **state,
		   struct ph_err *err)
{
	struct ph_detect_base base;
	if (ph_detect_base_init(&base, env) == PH_MODULE_SKIP)
		return PH_MODULE_SKIP;
	struct wt_state *st = calloc(1, sizeof *st);
	if (!st)
		return ph_err_set(err, PH_ENOMEM, "weak_tls: out of memory");
	st->base = base;
	st->dns = env->shared ? env->shared->dns_map : NULL;
	const struct ph_module *m = &ph_weak_tls_module;
	st->no_sni = ph_module_option(env, m, "no_sni") != 0;
	st->unusual_port = ph_module_option(env, m, "unusual_port") != 0;
	st->cbc_only = ph_module_option(env, m, "cbc_only") != 0;
	st->no_pfs = ph_module_option(env, m, "no_forward_secrecy") != 0;
	*state = st;
	return PH_OK;
}

static unsigned wt_counters(const void *state, struct ph_module_counter *out,
			    unsigned max)
{
	const struct wt_state *st = state;
	const struct ph_module_counter c[] = {
		{"client_hellos", st->hellos},
		{"sessions", st->sessions},
		{"findings_dropped", st->base.dropped},
	};
	return ph_module_counters_copy(out, max, c, sizeof c / sizeof c[0]);
}

static void wt_destroy(void *state)
{
	free(state);
}

const struct ph_module ph_weak_tls_module = {
	.name = "weak_tls",
	.summary = "old TLS versions, broken cipher suites, missing SNI, "
		   "failed handshakes and TLS on unusual ports",
	.mask = PH_EV_TLS_CLIENT_HELLO | PH_EV_TLS_DONE,
	.init = wt_init,
	.on_event = wt_on_event,
	.counters = wt_counters,
	.destroy = wt_destroy,
	.options = wt_options,
	.detection = true,
};
