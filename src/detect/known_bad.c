/* Detection "known_bad": every name, address, URL, certificate and TLS
 * fingerprint the traffic shows is looked up in the indicator store
 * (src/intel/store.c), and each match becomes an `ioc.*` finding that says
 * where the value was seen (DNS query, CNAME, SNI, Host, certificate SAN,
 * QUIC SNI, connection endpoint...). Allowlisted destinations are shown as
 * `allow.listed` info findings and never suppress an indicator match: the
 * match keeps its severity and names the allowlist that also lists it.
 * Wording, severity and advice per indicator category live in
 * known_bad_text.c. No per-event allocation except a small record for
 * flows whose endpoint matched (freed at FLOW_END). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "detect/detect.h"
#include "detect/known_bad.h"
#include "peephole/module.h"
#include "peephole/proto_dns.h"
#include "peephole/proto_http.h"
#include "peephole/proto_quic.h"
#include "peephole/proto_tls.h"

#define MAX_HITS 8

struct kb_state {
	struct ph_detect_base base;
	const struct ph_intel *intel;
	uint64_t lookups, matches, allowlisted;
	uint64_t encrypted; /* TLS/QUIC client hellos: opaque content */
};

/* What one sighting is: the value, where it was seen, and its flow. */
struct sighting {
	const struct ph_event *ev;
	enum ph_ioc_type type;
	const char *value;
	size_t len;
	const char *field;     /* "dns.query" ... */
	const char *name;      /* remote name for the evidence, or NULL */
	int local;             /* side of the device: 0 orig, 1 resp */
};

static void copy_str(char *dst, size_t n, const char *src, size_t len)
{
	if (len >= n)
		len = n - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* Evidence common to every finding of a sighting. */
static void fill_evidence(struct ph_finding *f, const struct sighting *s)
{
	ph_detect_evidence(f, s->ev, s->local);
	copy_str(f->matched, sizeof f->matched, s->value, s->len);
	snprintf(f->field, sizeof f->field, "%s", s->field);
	if (s->name)
		snprintf(f->name, sizeof f->name, "%s", s->name);
}

/* The first allowlist source that lists the remote address or the value
 * itself, "" if none. */
static void allowed_by(const struct kb_state *st, const struct sighting *s,
		       const struct ph_ioc_hit *hits, unsigned n, char *out,
		       size_t outn)
{
	out[0] = '\0';
	for (unsigned i = 0; i < n; i++)
		if (hits[i].allow) {
			snprintf(out, outn, "%s",
				 ph_intel_source(st->intel, hits[i].source)->name);
			return;
		}
	const struct ph_conn *c = s->ev->conn;
	if (!c || s->type == PH_IOC_IP)
		return;
	struct ph_ioc_hit ah[MAX_HITS];
	unsigned an = ph_intel_match_ip(st->intel, s->local ? c->orig_addr :
					c->resp_addr, c->ipver, ah, MAX_HITS);
	for (unsigned i = 0; i < an && i < MAX_HITS; i++)
		if (ah[i].allow) {
			snprintf(out, outn, "%s",
				 ph_intel_source(st->intel, ah[i].source)->name);
			return;
		}
}

/* Does the seen value equal the indicator (not a subdomain, not an
 * address inside a wider range)? */
static int is_exact(const struct ph_ioc_hit *h, const char *seen)
{
	if (h->type == PH_IOC_IP)
		return h->prefix_len == 32 || h->prefix_len == 128;
	size_t n = strlen(seen), k = strlen(h->value);
	if (n && seen[n - 1] == '.')
		n--;
	return n == k && strncasecmp(seen, h->value, n) == 0;
}

static void report_hit(struct kb_state *st, const struct sighting *s,
		       const struct ph_ioc_hit *h, const char *allow)
{
	struct ph_finding f;
	memset(&f, 0, sizeof f);
	fill_evidence(&f, s);
	snprintf(f.allowed_by, sizeof f.allowed_by, "%s", allow);
	const struct ph_intel_source *src = ph_intel_source(st->intel, h->source);
	snprintf(f.source, sizeof f.source, "%s", src ? src->name : "");
	snprintf(f.campaign, sizeof f.campaign, "%s", h->campaign);
	copy_str(f.matched, sizeof f.matched, h->value, strlen(h->value));
	struct ph_ioc_hit as = *h;
	if (as.type == PH_IOC_FILE_HASH)
		as.type = s->type; /* a bare hash, matched as what was seen */
	char seen[256];
	copy_str(seen, sizeof seen, s->value, s->len);
	ph_known_bad_describe(&f, &as, s->field, seen, is_exact(h, seen));
	ph_detect_emit(&st->base, &f);
	st->matches++;
}

static void report_allow(struct kb_state *st, const struct sighting *s,
			 const struct ph_ioc_hit *h)
{
	struct ph_finding f;
	memset(&f, 0, sizeof f);
	fill_evidence(&f, s);
	const struct ph_intel_source *src = ph_intel_source(st->intel, h->source);
	snprintf(f.allowed_by, sizeof f.allowed_by, "%s", src ? src->name : "");
	copy_str(f.matched, sizeof f.matched, h->value, strlen(h->value));
	ph_known_bad_describe_allow(&f);
	ph_detect_emit(&st->base, &f);
	st->allowlisted++;
}

static bool is_hash_type(enum ph_ioc_type t)
{
	return t == PH_IOC_CERT_SHA1 || t == PH_IOC_CERT_SHA256 ||
	       t == PH_IOC_JA3 || t == PH_IOC_JA3S;
}

/* Fields that name where the device went (an allowlisted destination
 * is shown once per place it was named, not for every certificate name
 * or DNS record that mentions it). */
static bool names_destination(const char *field)
{
	static const char *const dest[] = {"dns.query", "tls.sni", "quic.sni",
					   "http.host", "conn.resp_h"};
	for (size_t i = 0; i < sizeof dest / sizeof dest[0]; i++)
		if (strcmp(field, dest[i]) == 0)
			return true;
	return false;
}

/* Looks one sighting up and reports what matched. */
static void check(struct kb_state *st, const struct sighting *s)
{
	if (s->len == 0)
		return;
	struct ph_ioc_hit hits[MAX_HITS];
	st->lookups++;
	unsigned n = ph_intel_match(st->intel, s->type, s->value, s->len,
				    hits, MAX_HITS);
	if (n > MAX_HITS)
		n = MAX_HITS;
	/* Plain lists cannot say what a bare hash is (a file, a certificate,
	 * a JA3): such hashes are stored as FILE_HASH and match here too. */
	if (n < MAX_HITS && is_hash_type(s->type)) {
		unsigned k = ph_intel_match(st->intel, PH_IOC_FILE_HASH, s->value,
					    s->len, hits + n, MAX_HITS - n);
		n += k < MAX_HITS - n ? k : MAX_HITS - n;
	}
	char allow[128];
	bool bad = false;
	for (unsigned i = 0; i < n; i++)
		bad |= !hits[i].allow;
	if (bad)
		allowed_by(st, s, hits, n, allow, sizeof allow);
	for (unsigned i = 0; i < n; i++) {
		if (!hits[i].allow)
			report_hit(st, s, &hits[i], allow);
		else if (!bad && i == 0 && names_destination(s->field))
			report_allow(st, s, &hits[i]);
	}
}

static void see(struct kb_state *st, const struct ph_event *ev,
		enum ph_ioc_type type, const char *v, size_t len,
		const char *field, const char *name)
{
	int side = ph_detect_side(&st->base, ev->conn);
	if (side < 0)
		return;
	struct sighting s = {ev, type, v, len, field, name, side};
	check(st, &s);
}

static void see_str(struct kb_state *st, const struct ph_event *ev,
		    enum ph_ioc_type type, const char *v, const char *field,
		    const char *name)
{
	if (v && v[0])
		see(st, ev, type, v, strlen(v), field, name);
}

/* ------------------------------------------------------------------ */
/* Per protocol. */

static void on_dns(struct kb_state *st, const struct ph_event *ev)
{
	const struct ph_dns_msg *m = ev->u.proto;
	if (m->what == PH_DNS_UNANSWERED)
		return;
	if (m->what == PH_DNS_QUERY) {
		for (unsigned i = 0; i < m->nq; i++)
			see(st, ev, PH_IOC_DOMAIN, m->q[i].name.s,
			    m->q[i].name.len, "dns.query", m->q[i].name.s);
		return;
	}
	const char *qname = m->nq ? m->q[0].name.s : NULL;
	for (unsigned i = 0; i < m->nrr; i++) {
		const struct ph_dns_rr *r = &m->rr[i];
		if (r->section != PH_DNS_ANSWER || !r->rdata_ok)
			continue;
		if (r->type == PH_DNS_CNAME)
			see(st, ev, PH_IOC_DOMAIN, r->target.s, r->target.len,
			    "dns.cname", qname);
		else if (r->type == PH_DNS_NS)
			see(st, ev, PH_IOC_NS, r->target.s, r->target.len,
			    "dns.ns", qname);
		else if (r->type == PH_DNS_A || r->type == PH_DNS_AAAA) {
			char a[48];
			if (inet_ntop(r->type == PH_DNS_A ? AF_INET : AF_INET6,
				      r->u.addr, a, sizeof a))
				see_str(st, ev, PH_IOC_IP, a, "dns.answer",
					r->name.s);
		}
	}
	/* Authority NS records name the zone's servers (TinyCheck "ns"). */
	for (unsigned i = 0; i < m->nrr; i++)
		if (m->rr[i].section == PH_DNS_AUTHORITY &&
		    m->rr[i].type == PH_DNS_NS && m->rr[i].rdata_ok)
			see(st, ev, PH_IOC_NS, m->rr[i].target.s,
			    m->rr[i].target.len, "dns.ns", qname);
}

static void on_hello(struct kb_state *st, const struct ph_event *ev)
{
	const struct ph_tls_hello *h = ev->u.proto;
	if (h->quic)
		return; /* seen as PH_EV_QUIC, with its own field names */
	if (!h->is_server)
		st->encrypted++;
	if (h->is_server) {
		see_str(st, ev, PH_IOC_JA3S, h->ja3_md5, "tls.ja3s", NULL);
		return;
	}
	const char *sni = h->sni_len ? h->sni : NULL;
	if (sni)
		see(st, ev, PH_IOC_DOMAIN, h->sni, h->sni_len, "tls.sni", sni);
	see_str(st, ev, PH_IOC_JA3, h->ja3_md5, "tls.ja3", sni);
	see_str(st, ev, PH_IOC_JA4, h->ja4, "tls.ja4", sni);
}

/* "*.example.com" -> "example.com" for matching. */
static const char *unwild(const char *n)
{
	return n[0] == '*' && n[1] == '.' ? n + 2 : n;
}

static void on_cert(struct kb_state *st, const struct ph_event *ev)
{
	const struct ph_x509 *x = ev->u.proto;
	const char *name = x->subject_cn[0] ? x->subject_cn : NULL;
	see_str(st, ev, PH_IOC_CERT_SHA1, x->sha1_hex, "x509.sha1", name);
	see_str(st, ev, PH_IOC_CERT_SHA256, x->sha256_hex, "x509.sha256", name);
	if (!x->parsed || x->chain_pos != 0)
		return; /* names of CA certificates say nothing of the peer */
	if (name)
		see_str(st, ev, PH_IOC_DOMAIN, unwild(name), "x509.subject",
			name);
	for (unsigned i = 0; i < x->n_san_dns; i++)
		see_str(st, ev, PH_IOC_DOMAIN, unwild(x->san_dns[i]),
			"x509.san", x->san_dns[i]);
	for (unsigned i = 0; i < x->n_san_ip; i++)
		see_str(st, ev, PH_IOC_IP, x->san_ip[i], "x509.san", name);
	for (unsigned i = 0; i < x->n_san_email; i++)
		see_str(st, ev, PH_IOC_EMAIL, x->san_email[i], "x509.san", name);
}

static void on_quic(struct kb_state *st, const struct ph_event *ev)
{
	const struct ph_quic_initial *q = ev->u.proto;
	if (q->what != PH_QUIC_PACKET || !q->from_client)
		return;
	if (q->hello)
		st->encrypted++;
	const char *sni = q->sni && q->sni[0] ? q->sni : NULL;
	see_str(st, ev, PH_IOC_DOMAIN, sni, "quic.sni", sni);
	see_str(st, ev, PH_IOC_JA4, q->ja4, "quic.ja4", sni);
}

/* Host header without its port ("a.example:8080"; "[::1]:80"). */
static size_t host_len(const char *h, size_t n)
{
	if (n && h[0] == '[') {
		const char *e = memchr(h, ']', n);
		return e ? (size_t)(e - h) + 1 : n;
	}
	const char *colon = memchr(h, ':', n);
	return colon && !memchr(colon + 1, ':', n - (size_t)(colon - h) - 1) ?
		       (size_t)(colon - h) : n;
}

static void on_http(struct kb_state *st, const struct ph_event *ev)
{
	const struct ph_http_msg *m = ev->u.proto;
	char host[256] = "", url[1024];
	if (m->host.p) {
		size_t hl = host_len(m->host.p, m->host.len);
		copy_str(host, sizeof host, m->host.p, hl);
		if (host[0] == '[') { /* [v6] */
			size_t l = strlen(host);
			memmove(host, host + 1, l);
			if (l > 1)
				host[l - 2] = '\0';
		}
		unsigned char c0 = (unsigned char)host[0];
		bool ip = strchr(host, ':') || (c0 >= '0' && c0 <= '9' &&
			  strspn(host, "0123456789.") == strlen(host));
		see_str(st, ev, ip ? PH_IOC_IP : PH_IOC_DOMAIN, host,
			"http.host", host);
	}
	if (!m->uri.p || !m->uri.len)
		return;
	if (m->uri.len > 7 && (memcmp(m->uri.p, "http://", 7) == 0 ||
			       memcmp(m->uri.p, "https://", 8) == 0)) {
		see(st, ev, PH_IOC_URL, m->uri.p, m->uri.len, "http.uri",
		    host[0] ? host : NULL);
		return;
	}
	if (!host[0] || m->uri.p[0] != '/')
		return;
	int n = snprintf(url, sizeof url, "http://%.*s%.*s",
			 (int)m->host.len, m->host.p, (int)m->uri.len, m->uri.p);
	if (n > 0 && (size_t)n < sizeof url)
		see(st, ev, PH_IOC_URL, url, (size_t)n, "http.url", host);
}

/* Both endpoints of a new connection: the remote side as a destination,
 * and a listed originator contacting the device. */
static void on_flow_start(struct kb_state *st, const struct ph_event *ev)
{
	const struct ph_conn *c = ev->conn;
	int side = ph_detect_side(&st->base, c);
	if (side < 0)
		return;
	char a[48];
	ph_detect_addr(c, !side, a, sizeof a);
	struct sighting s = {ev, PH_IOC_IP, a, strlen(a),
			     side == 0 ? "conn.resp_h" : "conn.orig_h", NULL,
			     side};
	check(st, &s);
}

static void kb_on_event(void *state, const struct ph_event *ev)
{
	struct kb_state *st = state;
	switch (ev->kind) {
	case PH_EV_FLOW_START: on_flow_start(st, ev); break;
	case PH_EV_DNS: on_dns(st, ev); break;
	case PH_EV_TLS_CLIENT_HELLO:
	case PH_EV_TLS_SERVER_HELLO: on_hello(st, ev); break;
	case PH_EV_TLS_CERT: on_cert(st, ev); break;
	case PH_EV_QUIC: on_quic(st, ev); break;
	case PH_EV_HTTP_REQUEST: on_http(st, ev); break;
	default: break;
	}
}

static int kb_init(const struct ph_module_env *env, void **state,
		   struct ph_err *err)
{
	struct ph_detect_base base;
	if (ph_detect_base_init(&base, env) == PH_MODULE_SKIP || !env->intel)
		return PH_MODULE_SKIP;
	struct kb_state *st = calloc(1, sizeof *st);
	if (!st)
		return ph_err_set(err, PH_ENOMEM, "out of memory");
	st->base = base;
	st->intel = env->intel;
	*state = st;
	return PH_OK;
}

static unsigned kb_counters(const void *state, struct ph_module_counter *out,
			    unsigned max)
{
	const struct kb_state *st = state;
	const struct ph_module_counter c[] = {
		{"ioc_lookups", st->lookups},
		{"ioc_matches", st->matches},
		{"allowlisted_sightings", st->allowlisted},
		{"findings_dropped", st->base.dropped},
		{"encrypted_connections", st->encrypted},
	};
	return ph_module_counters_copy(out, max, c, sizeof c / sizeof c[0]);
}

static void kb_destroy(void *state)
{
	free(state);
}

const struct ph_module ph_known_bad_module = {
	.name = "known_bad",
	.summary = "names, addresses, URLs, certificates and TLS fingerprints "
		   "listed by indicator feeds",
	.mask = PH_EV_FLOW_START | PH_EV_DNS | PH_EV_TLS_CLIENT_HELLO |
		PH_EV_TLS_SERVER_HELLO | PH_EV_TLS_CERT | PH_EV_QUIC |
		PH_EV_HTTP_REQUEST,
	.init = kb_init,
	.on_event = kb_on_event,
	.counters = kb_counters,
	.destroy = kb_destroy,
	.detection = true,
};
