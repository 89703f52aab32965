/* Detection "known_bad": every name, address, URL, certificate and TLS
 * fingerprint the traffic shows is looked up in the indicator store
 * (src/intel/store.c), and each match becomes an `ioc.*` finding that says
 * where the value was seen (DNS query, CNAME, SNI, Host, certificate SAN,
 * QUIC SNI, connection endpoint...). Allowlisted destinations are shown as
 * `allow.listed` info findings and never suppress an indicator match: the
 * match keeps its severity and names the allowlist that also lists it.
 * Wording, severity and advice per indicator category live in
 * known_bad_text.c. No per-event allocation. The store cannot change
 * during a run and the same servers, names and fingerprints recur, so
 * lookup results are remembered in direct-mapped caches allocated at the
 * first lookup: addresses (looked up in binary form) the store does not
 * list, addresses with their hits, and values of up to STRKEEP bytes with
 * their hits (none or at most HITKEEP). */
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
#define IPCACHE (1u << 16) /* addresses known to match nothing */
#define HITCACHE (1u << 12) /* addresses with their (at most 2) hits */
#define HITKEEP 2
#define STRCACHE (1u << 12) /* values (names, hashes) with their hits */
#define STRKEEP 118

/* An address the store has no entry for (ver 0 = empty slot). */
struct kb_miss {
	uint8_t addr[16];
	uint8_t ver;
};

/* An address and what the store says of it (allowlisted ranges recur). */
struct kb_hitc {
	struct kb_miss key;
	unsigned n;
	struct ph_ioc_hit hits[HITKEEP];
};

/* A looked-up value of one type and what the store says of it. */
struct kb_strc {
	uint64_t hash;        /* 0 = empty */
	uint8_t type, len, n;
	char v[STRKEEP];
	struct ph_ioc_hit hits[HITKEEP];
};

struct kb_state {
	struct ph_detect_base base;
	const struct ph_intel *intel;
	struct kb_miss *miss; /* IPCACHE entries, NULL until first used */
	struct kb_hitc *hitc; /* HITCACHE entries, NULL until first used */
	struct kb_strc *strc; /* STRCACHE entries, NULL until first used */
	uint64_t lookups, matches, allowlisted;
	uint64_t encrypted; /* TLS/QUIC client hellos: opaque content */
};

/* The event being handled and the device's side of its flow (computed
 * at the first sighting: -2 until then). */
struct kb_ev {
	const struct ph_event *ev;
	int side;
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

/* Reports the n hits of one sighting. */
static void judge(struct kb_state *st, const struct sighting *s,
		  const struct ph_ioc_hit *hits, unsigned n)
{
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

/* The cache entry for a value of a type (NULL: not cacheable), with *hit
 * telling whether it holds that value. */
static struct kb_strc *str_slot(struct kb_state *st, enum ph_ioc_type type,
				const char *v, size_t len, bool *hit)
{
	*hit = false;
	if (len > STRKEEP)
		return NULL;
	if (!st->strc && !(st->strc = calloc(STRCACHE, sizeof *st->strc)))
		return NULL;
	uint64_t h = 1469598103934665603ull ^ (uint64_t)type;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)v[i]) * 1099511628211ull;
	h |= 1;
	struct kb_strc *e = &st->strc[(h >> 20) & (STRCACHE - 1)];
	*hit = e->hash == h && e->type == type && e->len == len &&
	       memcmp(e->v, v, len) == 0;
	if (!*hit) {
		e->type = (uint8_t)type;
		e->len = (uint8_t)len;
		memcpy(e->v, v, len);
		e->n = UINT8_MAX; /* filled in by the caller */
		e->hash = h;
	}
	return e;
}

/* Every hit of a sighting's value, at most MAX_HITS. */
static unsigned lookup(struct kb_state *st, const struct sighting *s,
		       struct ph_ioc_hit *hits)
{
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
	return n;
}

/* Looks one sighting up (through the value cache) and reports what
 * matched. */
static void check(struct kb_state *st, const struct sighting *s)
{
	if (s->len == 0)
		return;
	struct ph_ioc_hit hits[MAX_HITS];
	st->lookups++;
	bool hit;
	struct kb_strc *e = str_slot(st, s->type, s->value, s->len, &hit);
	unsigned n;
	if (hit && e->n <= HITKEEP) {
		n = e->n;
		memcpy(hits, e->hits, n * sizeof *hits);
	} else {
		n = lookup(st, s, hits);
		if (e) {
			e->n = (uint8_t)(n <= HITKEEP ? n : UINT8_MAX);
			memcpy(e->hits, hits, (n <= HITKEEP ? n : 0) *
			       sizeof *hits);
		}
	}
	if (n)
		judge(st, s, hits, n);
}

/* The cache key of an address (ipver 4: first 4 bytes) and its hash. */
static uint64_t ip_key(const uint8_t *a, int ipver, struct kb_miss *key)
{
	memset(key, 0, sizeof *key);
	memcpy(key->addr, a, ipver == 4 ? 4 : 16);
	key->ver = (uint8_t)ipver;
	uint64_t h = 0x9e3779b97f4a7c15ull * (uint64_t)ipver;
	for (unsigned i = 0; i < 16; i += 4) {
		uint32_t w;
		memcpy(&w, key->addr + i, 4);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
	}
	return h >> 32;
}

static bool same_key(const struct kb_miss *a, const struct kb_miss *b)
{
	return a->ver == b->ver && memcmp(a->addr, b->addr, 16) == 0;
}

/* Hits of an address: from the caches, else from the store (then
 * remembered). Caches are allocated at the first call; without memory
 * every lookup goes to the store. */
static unsigned ip_hits(struct kb_state *st, const uint8_t *a, int ipver,
			struct ph_ioc_hit *hits)
{
	if (!st->miss) {
		st->miss = calloc(IPCACHE, sizeof *st->miss);
		st->hitc = calloc(HITCACHE, sizeof *st->hitc);
	}
	struct kb_miss key;
	uint64_t h = ip_key(a, ipver, &key);
	struct kb_miss *m = st->miss ? &st->miss[h & (IPCACHE - 1)] : NULL;
	struct kb_hitc *p = st->hitc ? &st->hitc[h & (HITCACHE - 1)] : NULL;
	if (m && same_key(m, &key))
		return 0;
	if (p && same_key(&p->key, &key)) {
		memcpy(hits, p->hits, p->n * sizeof *hits);
		return p->n;
	}
	unsigned n = ph_intel_match_ip(st->intel, a, ipver, hits, MAX_HITS);
	if (n > MAX_HITS)
		n = MAX_HITS;
	if (n == 0 && m)
		*m = key;
	else if (n <= HITKEEP && p) {
		p->key = key;
		p->n = n;
		memcpy(p->hits, hits, n * sizeof *hits);
	}
	return n;
}

/* Looks a binary address up (as ph_intel_match does its text form:
 * ipver 4 or 6) and reports what matched, as `text` (NULL: the address
 * formatted, only on a hit). */
static void check_ip(struct kb_state *st, const struct ph_event *ev,
		     int side, const uint8_t *a, int ipver, const char *text,
		     const char *field, const char *name)
{
	struct ph_ioc_hit hits[MAX_HITS];
	st->lookups++;
	unsigned n = ip_hits(st, a, ipver, hits);
	if (n == 0)
		return;
	char t[48];
	if (!text && !inet_ntop(ipver == 6 ? AF_INET6 : AF_INET, a, t, sizeof t))
		return;
	if (!text)
		text = t;
	struct sighting s = {ev, PH_IOC_IP, text, strlen(text), field, name,
			     side};
	judge(st, &s, hits, n);
}

/* The device's side of the event's flow, computed once per event. */
static int ev_side(struct kb_state *st, struct kb_ev *k)
{
	if (k->side == -2)
		k->side = ph_detect_side(&st->base, k->ev->conn);
	return k->side;
}

static void see(struct kb_state *st, struct kb_ev *k, enum ph_ioc_type type,
		const char *v, size_t len, const char *field, const char *name)
{
	int side = ev_side(st, k);
	if (side < 0)
		return;
	struct sighting s = {k->ev, type, v, len, field, name, side};
	check(st, &s);
}

static void see_str(struct kb_state *st, struct kb_ev *k,
		    enum ph_ioc_type type, const char *v, const char *field,
		    const char *name)
{
	if (v && v[0])
		see(st, k, type, v, strlen(v), field, name);
}

/* ------------------------------------------------------------------ */
/* Per protocol. */

static void on_dns(struct kb_state *st, struct kb_ev *k)
{
	const struct ph_event *ev = k->ev;
	const struct ph_dns_msg *m = ev->u.proto;
	if (m->what == PH_DNS_UNANSWERED)
		return;
	if (m->what == PH_DNS_QUERY) {
		for (unsigned i = 0; i < m->nq; i++)
			see(st, k, PH_IOC_DOMAIN, m->q[i].name.s,
			    m->q[i].name.len, "dns.query", m->q[i].name.s);
		return;
	}
	const char *qname = m->nq ? m->q[0].name.s : NULL;
	for (unsigned i = 0; i < m->nrr; i++) {
		const struct ph_dns_rr *r = &m->rr[i];
		if (r->section != PH_DNS_ANSWER || !r->rdata_ok)
			continue;
		if (r->type == PH_DNS_CNAME)
			see(st, k, PH_IOC_DOMAIN, r->target.s, r->target.len,
			    "dns.cname", qname);
		else if (r->type == PH_DNS_NS)
			see(st, k, PH_IOC_NS, r->target.s, r->target.len,
			    "dns.ns", qname);
		else if ((r->type == PH_DNS_A || r->type == PH_DNS_AAAA) &&
			 ev_side(st, k) >= 0)
			check_ip(st, ev, k->side, r->u.addr,
				 r->type == PH_DNS_A ? 4 : 6, NULL, "dns.answer",
				 r->name.s);
	}
	/* Authority NS records name the zone's servers (TinyCheck "ns"). */
	for (unsigned i = 0; i < m->nrr; i++)
		if (m->rr[i].section == PH_DNS_AUTHORITY &&
		    m->rr[i].type == PH_DNS_NS && m->rr[i].rdata_ok)
			see(st, k, PH_IOC_NS, m->rr[i].target.s,
			    m->rr[i].target.len, "dns.ns", qname);
}

static void on_hello(struct kb_state *st, struct kb_ev *k)
{
	const struct ph_event *ev = k->ev;
	const struct ph_tls_hello *h = ev->u.proto;
	if (h->quic)
		return; /* seen as PH_EV_QUIC, with its own field names */
	if (!h->is_server)
		st->encrypted++;
	if (h->is_server) {
		see_str(st, k, PH_IOC_JA3S, h->ja3_md5, "tls.ja3s", NULL);
		return;
	}
	const char *sni = h->sni_len ? h->sni : NULL;
	if (sni)
		see(st, k, PH_IOC_DOMAIN, h->sni, h->sni_len, "tls.sni", sni);
	see_str(st, k, PH_IOC_JA3, h->ja3_md5, "tls.ja3", sni);
	see_str(st, k, PH_IOC_JA4, h->ja4, "tls.ja4", sni);
}

/* "*.example.com" -> "example.com" for matching. */
static const char *unwild(const char *n)
{
	return n[0] == '*' && n[1] == '.' ? n + 2 : n;
}

static void on_cert(struct kb_state *st, struct kb_ev *k)
{
	const struct ph_event *ev = k->ev;
	const struct ph_x509 *x = ev->u.proto;
	const char *name = x->subject_cn[0] ? x->subject_cn : NULL;
	see_str(st, k, PH_IOC_CERT_SHA1, x->sha1_hex, "x509.sha1", name);
	see_str(st, k, PH_IOC_CERT_SHA256, x->sha256_hex, "x509.sha256", name);
	if (!x->parsed || x->chain_pos != 0)
		return; /* names of CA certificates say nothing of the peer */
	if (name)
		see_str(st, k, PH_IOC_DOMAIN, unwild(name), "x509.subject",
			name);
	for (unsigned i = 0; i < x->n_san_dns; i++)
		see_str(st, k, PH_IOC_DOMAIN, unwild(x->san_dns[i]),
			"x509.san", x->san_dns[i]);
	for (unsigned i = 0; i < x->n_san_ip; i++)
		see_str(st, k, PH_IOC_IP, x->san_ip[i], "x509.san", name);
	for (unsigned i = 0; i < x->n_san_email; i++)
		see_str(st, k, PH_IOC_EMAIL, x->san_email[i], "x509.san", name);
}

static void on_quic(struct kb_state *st, struct kb_ev *k)
{
	const struct ph_event *ev = k->ev;
	const struct ph_quic_initial *q = ev->u.proto;
	if (q->what != PH_QUIC_PACKET || !q->from_client)
		return;
	if (q->hello)
		st->encrypted++;
	const char *sni = q->sni && q->sni[0] ? q->sni : NULL;
	see_str(st, k, PH_IOC_DOMAIN, sni, "quic.sni", sni);
	see_str(st, k, PH_IOC_JA4, q->ja4, "quic.ja4", sni);
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

static void on_http(struct kb_state *st, struct kb_ev *k)
{
	const struct ph_event *ev = k->ev;
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
		uint8_t a4[4];
		if (ip && !strchr(host, ':') &&
		    inet_pton(AF_INET, host, a4) == 1) {
			if (ev_side(st, k) >= 0)
				check_ip(st, ev, k->side, a4, 4, host,
					 "http.host", host);
		} else
			see_str(st, k, ip ? PH_IOC_IP : PH_IOC_DOMAIN, host,
				"http.host", host);
	}
	if (!m->uri.p || !m->uri.len)
		return;
	if (m->uri.len > 7 && (memcmp(m->uri.p, "http://", 7) == 0 ||
			       memcmp(m->uri.p, "https://", 8) == 0)) {
		see(st, k, PH_IOC_URL, m->uri.p, m->uri.len, "http.uri",
		    host[0] ? host : NULL);
		return;
	}
	if (!host[0] || m->uri.p[0] != '/')
		return;
	int n = snprintf(url, sizeof url, "http://%.*s%.*s",
			 (int)m->host.len, m->host.p, (int)m->uri.len, m->uri.p);
	if (n > 0 && (size_t)n < sizeof url)
		see(st, k, PH_IOC_URL, url, (size_t)n, "http.url", host);
}

/* Both endpoints of a new connection: the remote side as a destination,
 * and a listed originator contacting the device. */
static void on_flow_start(struct kb_state *st, const struct ph_event *ev)
{
	const struct ph_conn *c = ev->conn;
	int side = ph_detect_side(&st->base, c);
	if (side < 0)
		return;
	check_ip(st, ev, side, side ? c->orig_addr : c->resp_addr,
		 c->ipver == 6 ? 6 : 4, NULL, side == 0 ? "conn.resp_h" :
		 "conn.orig_h", NULL);
}

static void kb_on_event(void *state, const struct ph_event *ev)
{
	struct kb_state *st = state;
	struct kb_ev k = {ev, -2};
	switch (ev->kind) {
	case PH_EV_FLOW_START: on_flow_start(st, ev); break;
	case PH_EV_DNS: on_dns(st, &k); break;
	case PH_EV_TLS_CLIENT_HELLO:
	case PH_EV_TLS_SERVER_HELLO: on_hello(st, &k); break;
	case PH_EV_TLS_CERT: on_cert(st, &k); break;
	case PH_EV_QUIC: on_quic(st, &k); break;
	case PH_EV_HTTP_REQUEST: on_http(st, &k); break;
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
	struct kb_state *st = state;
	if (st) {
		free(st->miss);
		free(st->hitc);
		free(st->strc);
	}
	free(st);
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
