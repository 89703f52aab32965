/* Detection "bad_cert": server certificates a careful client would
 * refuse or question: a self-signed leaf, a leaf expired or not yet valid
 * at packet time, a leaf whose names do not cover the SNI, small keys
 * (RSA/DSA below min_rsa_bits, EC below 224 bits), SHA-1/MD5 signatures
 * on the leaf or an intermediate (never on a self-signed root), and leaf
 * validity beyond max_validity_days (leaves issued after 2020-09-01).
 * The SNI of each handshake is kept in a small ring keyed by connection
 * (RING entries, overwritten oldest first) until its PH_EV_TLS_DONE, where
 * the name check is made. Findings fold per device, server name and issue. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "detect/detect.h"
#include "peephole/devices.h"
#include "peephole/module.h"
#include "peephole/proto_tls.h"

extern const struct ph_module ph_bad_cert_module;

#define RING 128
#define CAB_FORUM_398 1598918400 /* 2020-09-01: 398-day leaf limit */

struct bc_flow {
	uint64_t conn_id;    /* 0 = free */
	char sni[PH_TLS_SNI_LEN];
	bool leaf_truncated; /* the leaf's SAN list was cut */
	bool leaf_seen;
};

struct bc_state {
	struct ph_detect_base base;
	double min_rsa_bits, min_ec_bits, max_validity_days;
	struct bc_flow ring[RING];
	unsigned next;
	uint64_t certs, ring_overwrites;
};

static struct bc_flow *bc_find(struct bc_state *st, uint64_t id)
{
	for (unsigned i = 0; i < RING; i++)
		if (st->ring[i].conn_id == id)
			return &st->ring[i];
	return NULL;
}

static struct bc_flow *bc_slot(struct bc_state *st, uint64_t id)
{
	struct bc_flow *f = bc_find(st, id);
	if (f)
		return f;
	f = &st->ring[st->next];
	st->next = (st->next + 1) % RING;
	if (f->conn_id)
		st->ring_overwrites++;
	memset(f, 0, sizeof *f);
	f->conn_id = id;
	return f;
}


static const char ADVICE_CERT[] =
	"If the app connected anyway, it does not check certificates and "
	"anyone on the network can read its traffic: update or remove it. "
	"If this is a web site or service you use, do not enter passwords "
	"on this network until the certificate is explained.";

/* The name findings are about: the SNI, else the leaf's CN. */
static const char *bc_name(const struct bc_flow *fl, const struct ph_x509 *x)
{
	if (fl && fl->sni[0])
		return fl->sni;
	return x->subject_cn[0] ? x->subject_cn : "(no name)";
}

/* Web PKI context: the app sent a server name to port 443 of an
 * Internet host, where every normal client checks the certificate
 * against public CAs. Elsewhere (no SNI, other ports, the LAN) apps often
 * pin their own certificates, so problems there are rated low. */
static bool web_context(const struct ph_event *ev, int side,
			const struct bc_flow *fl)
{
	const struct ph_conn *c = ev->conn;
	const uint8_t *ra = side ? c->orig_addr : c->resp_addr;
	uint16_t port = side ? c->orig_port : c->resp_port;
	return fl && fl->sni[0] && port == 443 &&
	       !ph_devices_is_local(ra, c->ipver);
}

static void leaf_self_signed(struct bc_state *st, const struct ph_event *ev,
			int side, const struct ph_x509 *x, const char *name,
			bool web)
{
	char text[768];
	if (x->self_signed || (x->self_issued && x->chain_len == 1)) {
		snprintf(text, sizeof text, "The server proved its identity "
			 "with a certificate it signed itself (%.200s), which no "
			 "one vouches for: anyone on the path can make one "
			 "like it. %s", x->subject,
			 web ? "Web services reached by name on port 443 "
			       "never do this; an app that accepts it does "
			       "not check certificates."
			     : "Outside web browsing (no server name, another "
			       "port, or a local router, printer or TV) apps "
			       "sometimes pin such a certificate on purpose, "
			       "so this is rated low.");
		struct ph_detect_text t = {"bad_cert.self_signed",
			"Server used a self-signed certificate", name,
			"x509.subject", name, web ? PH_SEV_MEDIUM : PH_SEV_LOW,
			PH_CONF_HIGH, text, ADVICE_CERT, "T1557"};
		ph_detect_report(&st->base, ev, side, &t);
	}
}

static void leaf_validity(struct bc_state *st, const struct ph_event *ev,
			int side, const struct ph_x509 *x, const char *name,
			bool web)
{
	char text[768];
	int64_t now = (int64_t)(ev->ts_ns / 1000000000u);
	bool expired = x->not_after && now > x->not_after;
	bool early = x->not_before && now < x->not_before;
	if (expired || early) {
		snprintf(text, sizeof text, "At the time of the capture the "
			 "certificate was %s (valid %lld to %lld, Unix time). "
			 "Maintained services renew certificates on time; an "
			 "app that still connects does not check them, and a "
			 "stale or back-dated certificate is a classic sign "
			 "of a forged one.", expired ? "expired" :
			 "not yet valid", (long long)x->not_before,
			 (long long)x->not_after);
		struct ph_detect_text t = {expired ? "bad_cert.expired" :
					      "bad_cert.not_yet_valid",
			expired ? "Server used an expired certificate"
				: "Server used a not-yet-valid certificate",
			name, "x509.validity", name,
			web ? PH_SEV_MEDIUM : PH_SEV_LOW, PH_CONF_HIGH, text,
			ADVICE_CERT, "T1557"};
		ph_detect_report(&st->base, ev, side, &t);
	}
}

static void leaf_long(struct bc_state *st, const struct ph_event *ev,
			int side, const struct ph_x509 *x, const char *name,
			bool web)
{
	char text[768];
	double days = (double)(x->not_after - x->not_before) / 86400.0;
	if (st->max_validity_days > 0 && !x->self_signed &&
	    x->not_before >= CAB_FORUM_398 && days > st->max_validity_days) {
		snprintf(text, sizeof text, "The certificate is valid for %.0f "
			 "days; public CAs may not issue leaves valid longer "
			 "than 398 days since September 2020, so it comes "
			 "from a private CA (a company, a device maker, an "
			 "app's own or an interception product).", days);
		struct ph_detect_text t = {"bad_cert.long_validity",
			"Certificate valid for unusually long", name,
			"x509.validity", name, PH_SEV_INFO, PH_CONF_MEDIUM,
			text, "Only a concern together with other findings "
			"for the same server.", "T1557"};
		ph_detect_report(&st->base, ev, side, &t);
	}
}

static void leaf_checks(struct bc_state *st, const struct ph_event *ev,
			int side, const struct ph_x509 *x,
			const struct bc_flow *fl)
{
	const char *name = bc_name(fl, x);
	bool web = web_context(ev, side, fl);
	leaf_self_signed(st, ev, side, x, name, web);
	leaf_validity(st, ev, side, x, name, web);
	leaf_long(st, ev, side, x, name, web);
}

/* Case-insensitive substring test. */
static bool has_ci(const char *s, const char *w)
{
	size_t n = strlen(w);
	for (; *s; s++)
		if (strncasecmp(s, w, n) == 0)
			return true;
	return false;
}

/* Checks any server certificate but a self-signed root. */
static void strength_checks(struct bc_state *st, const struct ph_event *ev,
			    int side, const struct ph_x509 *x,
			    const char *name)
{
	if (x->chain_pos > 0 && x->self_issued)
		return; /* a root: its own signature and key are not used */
	char text[768], m[96];
	bool rsa = x->key_type == PH_X509_KEY_RSA ||
		   x->key_type == PH_X509_KEY_DSA;
	bool ec = x->key_type == PH_X509_KEY_EC;
	if (x->key_bits && ((rsa && x->key_bits < st->min_rsa_bits) ||
			    (ec && x->key_bits < st->min_ec_bits))) {
		snprintf(m, sizeof m, "%s %u bits", x->key_alg, x->key_bits);
		snprintf(text, sizeof text, "The %s certificate (%.200s) has a "
			 "%u-bit %s key, small enough to be broken by a "
			 "well-funded attacker; public CAs have refused such "
			 "keys since 2013.", x->chain_pos ? "intermediate" :
			 "server", x->subject, x->key_bits,
			 rsa ? "RSA/DSA" : "EC");
		struct ph_detect_text t = {"bad_cert.weak_key",
			"Certificate with a weak key", m, "x509.key", name,
			PH_SEV_LOW, PH_CONF_HIGH, text, ADVICE_CERT, "T1557"};
		ph_detect_report(&st->base, ev, side, &t);
	}
	bool md5 = has_ci(x->sig_alg, "md5") || has_ci(x->sig_alg, "md2");
	bool sha1 = has_ci(x->sig_alg, "sha1");
	if (md5 || sha1) {
		snprintf(text, sizeof text, "The %s certificate (%.200s) is signed "
			 "with %s, a hash with practical collisions: a forger "
			 "can make another certificate with the same "
			 "signature. Public CAs stopped this in 2016.",
			 x->chain_pos ? "intermediate" : "server", x->subject,
			 x->sig_alg);
		struct ph_detect_text t = {"bad_cert.weak_signature",
			"Certificate signed with a broken hash", x->sig_alg,
			"x509.sig_alg", name, md5 ? PH_SEV_MEDIUM : PH_SEV_LOW,
			PH_CONF_HIGH, text, ADVICE_CERT, "T1557"};
		ph_detect_report(&st->base, ev, side, &t);
	}
}

/* A leaf sent alone although a CA that is not the server signed it: the
 * intermediate certificates are missing, so clients that do not fetch
 * them (Android's own stack does not) cannot verify the server. An
 * operational fault more than a security one: info, or low on the web. */
static void incomplete_chain(struct bc_state *st, const struct ph_event *ev,
			     int side, const struct ph_x509 *x, const char *name,
			     bool web)
{
	if (x->chain_pos != 0 || x->chain_len != 1 || x->self_issued ||
	    x->self_signed)
		return;
	char text[768];
	snprintf(text, sizeof text, "The server sent only its own certificate "
		 "(issued by %.200s) without the intermediate certificates that "
		 "link it to a trusted authority. Clients that do not fetch "
		 "missing intermediates themselves cannot verify it; an app "
		 "that still connects may not be checking certificates at all.",
		 x->issuer);
	struct ph_detect_text t = {"bad_cert.incomplete_chain",
		"Server sent an incomplete certificate chain", name,
		"x509.issuer", name, web ? PH_SEV_LOW : PH_SEV_INFO,
		PH_CONF_MEDIUM, text,
		"Nothing to do on the device; tell the service's operator to "
		"send the whole chain.", "T1557"};
	ph_detect_report(&st->base, ev, side, &t);
}

static void on_cert(struct bc_state *st, const struct ph_event *ev)
{
	const struct ph_x509 *x = ev->u.proto;
	if (x->client || !x->parsed || !ev->conn)
		return;
	int side = ph_detect_side(&st->base, ev->conn);
	if (side < 0)
		return;
	st->certs++;
	struct bc_flow *fl = bc_find(st, ev->conn->id);
	if (x->chain_pos == 0) {
		if (!fl)
			fl = bc_slot(st, ev->conn->id);
		fl->leaf_seen = true;
		fl->leaf_truncated = x->san_truncated;
		leaf_checks(st, ev, side, x, fl);
		incomplete_chain(st, ev, side, x, bc_name(fl, x),
				 web_context(ev, side, fl));
	}
	strength_checks(st, ev, side, x, bc_name(fl, x));
}

static bool is_ip_literal(const char *s)
{
	return strspn(s, "0123456789.") == strlen(s) || strchr(s, ':');
}

static void on_done(struct bc_state *st, const struct ph_event *ev)
{
	const struct ph_tls_session *s = ev->u.proto;
	if (!ev->conn)
		return;
	struct bc_flow *fl = bc_find(st, ev->conn->id);
	bool truncated = fl && fl->leaf_truncated;
	if (fl)
		memset(fl, 0, sizeof *fl);
	int side = ph_detect_side(&st->base, ev->conn);
	if (side < 0 || s->sni_matches_cert != 0 ||
	    !s->server_name[0] || is_ip_literal(s->server_name))
		return;
	struct bc_flow web = {.sni = "x"};
	bool w = web_context(ev, side, &web);
	struct ph_detect_text t = {"bad_cert.name_mismatch",
		"Certificate is for another name", s->server_name, "tls.sni",
		s->server_name, truncated ? PH_SEV_INFO :
		w ? PH_SEV_MEDIUM : PH_SEV_LOW,
		truncated ? PH_CONF_LOW : PH_CONF_MEDIUM,
		"The app asked for this server name but the certificate it "
		"got does not cover it. Someone on the path presenting their "
		"own certificate looks like this; so do misconfigured "
		"servers and CDNs answering for a name they do not host. "
		"Phones' own services essentially never show it on port "
		"443; mail and other servers more often do (rated low). "
		"When the certificate lists more names than are kept (16), "
		"the name may be among the others: then this is info only.",
		ADVICE_CERT, "T1557"};
	ph_detect_report(&st->base, ev, side, &t);
}

static void on_hello(struct bc_state *st, const struct ph_event *ev)
{
	const struct ph_tls_hello *h = ev->u.proto;
	if (h->quic || !ev->conn || !h->sni_len)
		return;
	struct bc_flow *fl = bc_slot(st, ev->conn->id);
	memcpy(fl->sni, h->sni, sizeof fl->sni);
	fl->sni[sizeof fl->sni - 1] = '\0';
}

static void bc_on_event(void *state, const struct ph_event *ev)
{
	struct bc_state *st = state;
	if (ev->kind == PH_EV_TLS_CLIENT_HELLO)
		on_hello(st, ev);
	else if (ev->kind == PH_EV_TLS_CERT)
		on_cert(st, ev);
	else if (ev->kind == PH_EV_TLS_DONE)
		on_done(st, ev);
}

static const struct ph_module_option bc_options[] = {
	{"min_rsa_bits", 2048, 512, 16384, "bits",
	 "RSA/DSA keys below this are weak"},
	{"min_ec_bits", 224, 128, 521, "bits", "EC keys below this are weak"},
	{"max_validity_days", 398, 0, 36500, "days",
	 "leaf validity above this (issued after 2020-09-01) is reported "
	 "as info; 0 turns it off"},
	{NULL, 0, 0, 0, NULL, NULL},
};

static int bc_init(const struct ph_module_env *env, void **state,
		   struct ph_err *err)
{
	struct ph_detect_base base;
	if (ph_detect_base_init(&base, env) == PH_MODULE_SKIP)
		return PH_MODULE_SKIP;
	struct bc_state *st = calloc(1, sizeof *st);
	if (!st)
		return ph_err_set(err, PH_ENOMEM, "bad_cert: out of memory");
	st->base = base;
	const struct ph_module *m = &ph_bad_cert_module;
	st->min_rsa_bits = ph_module_option(env, m, "min_rsa_bits");
	st->min_ec_bits = ph_module_option(env, m, "min_ec_bits");
	st->max_validity_days = ph_module_option(env, m, "max_validity_days");
	*state = st;
	return PH_OK;
}

static unsigned bc_counters(const void *state, struct ph_module_counter *out,
			    unsigned max)
{
	const struct bc_state *st = state;
	const struct ph_module_counter c[] = {
		{"server_certs", st->certs},
		{"sni_ring_overwrites", st->ring_overwrites},
		{"findings_dropped", st->base.dropped},
	};
	return ph_module_counters_copy(out, max, c, sizeof c / sizeof c[0]);
}

static void bc_destroy(void *state)
{
	free(state);
}

const struct ph_module ph_bad_cert_module = {
	.name = "bad_cert",
	.summary = "self-signed, expired, mismatched, weak-key, SHA-1/MD5 "
		   "and over-long server certificates",
	.mask = PH_EV_TLS_CLIENT_HELLO | PH_EV_TLS_CERT | PH_EV_TLS_DONE,
	.init = bc_init,
	.on_event = bc_on_event,
	.counters = bc_counters,
	.destroy = bc_destroy,
	.options = bc_options,
	.detection = true,
};
