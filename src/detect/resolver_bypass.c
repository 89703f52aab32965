/* Detection "resolver_bypass": a device that resolves names somewhere
 * other than the network's resolver. The network's resolvers are learned
 * from DHCP option 6 (PH_EV_DHCP), else taken as the most used DNS server
 * of the capture per IP version (servers in the same /24 or /48 count as
 * the network's too, as do private addresses). Plain DNS to any other
 * public server is judged at the end of the run (resolver_bypass.
 * public_resolver / other_resolver); DNS over TLS (TCP 853, ALPN "dot")
 * and DNS over HTTPS (a built-in list of DoH host names matched on TLS
 * SNI, QUIC SNI and HTTP Host, and the providers' anycast addresses on
 * port 443 or 80) are reported as they are seen. Bounded tables, counted;
 * (device, server) pairs are found through a hash index, and the
 * resolvers' addresses are compared in binary form. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "detect/detect.h"
#include "peephole/devices.h"
#include "peephole/proto_dhcp.h"
#include "peephole/proto_dns.h"
#include "peephole/proto_http.h"
#include "peephole/proto_quic.h"
#include "peephole/proto_tls.h"

extern const struct ph_module ph_resolver_bypass_module;

#define RB_MAX_PAIRS 1024u
#define RB_INDEX (2 * RB_MAX_PAIRS) /* hash index slots (power of two) */
#define RB_NPUB (sizeof public_ips / sizeof public_ips[0])
#define RB_MAX_DHCP 8u
#define RB_SNI_RING 256u

static const struct ph_module_option rb_options[] = {
	{"min_queries", 3, 1, 1e6, "count",
	 "queries to an unknown public server before it is rated medium"},
	{NULL, 0, 0, 0, NULL, NULL},
};

/* DNS-over-HTTPS service names (matched with their subdomains). */
static const char *const doh_names[] = {
	"dns.google", "dns.google.com", "cloudflare-dns.com",
	"one.one.one.one", "dns.quad9.net", "dns9.quad9.net",
	"dns10.quad9.net", "dns11.quad9.net", "doh.opendns.com",
	"doh.familyshield.opendns.com", "dns.adguard.com",
	"dns.adguard-dns.com", "dns-family.adguard.com", "dns.nextdns.io",
	"doh.cleanbrowsing.org", "doh.dns.sb", "dns.switch.ch",
	"doh.mullvad.net", "dns.mullvad.net", "doh.libredns.gr",
	"dns.controld.com", "freedns.controld.com", "doh.xfinity.com",
	"dns.alidns.com", "doh.pub", "dns.twnic.tw", "ordns.he.net",
	"odvr.nic.cz", "dns0.eu", "doh.ffmuc.net",
};

/* Public resolvers' anycast addresses (plain DNS, DoT and DoH). */
static const char *const public_ips[] = {
	"8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "1.1.1.2", "1.0.0.2",
	"1.1.1.3", "1.0.0.3", "9.9.9.9", "149.112.112.112", "9.9.9.10",
	"149.112.112.10", "9.9.9.11", "149.112.112.11", "208.67.222.222",
	"208.67.220.220", "94.140.14.14", "94.140.15.15", "94.140.14.140",
	"94.140.14.141", "185.228.168.9", "185.228.169.9", "76.76.2.0",
	"76.76.10.0", "4.2.2.1", "4.2.2.2", "4.2.2.3", "4.2.2.4",
	"104.16.248.249", "104.16.249.249", /* cloudflare-dns.com */
	"2001:4860:4860::8888", "2001:4860:4860::8844",
	"2606:4700:4700::1111", "2606:4700:4700::1001", "2620:fe::fe",
	"2620:fe::9", "2620:119:35::35", "2620:119:53::53",
	"2a10:50c0::ad1:ff", "2a10:50c0::ad2:ff",
};

struct rb_pair {
	uint8_t dev[16], srv[16];
	uint8_t ipver;
	uint32_t queries;
	struct ph_finding ev;   /* evidence of the first query */
};

struct rb_state {
	struct ph_detect_base base;
	uint32_t min_queries;
	uint8_t pub4[RB_NPUB][4], pub6[RB_NPUB][16]; /* public_ips parsed */
	unsigned npub4, npub6;
	uint16_t index[RB_INDEX]; /* pair number + 1, 0 = free */
	uint8_t dhcp[RB_MAX_DHCP][4];
	unsigned ndhcp;
	struct rb_pair *pair;   /* RB_MAX_PAIRS */
	unsigned npair;
	uint64_t sni_ring[RB_SNI_RING]; /* conn ids matched by name */
	unsigned sni_next;
	uint64_t pairs_dropped, dot, doh;
};

/* Parses public_ips once; only entries written as inet_ntop writes them
 * are kept, since the list is matched against that text form. */
static void rb_parse_public(struct rb_state *st)
{
	for (size_t i = 0; i < RB_NPUB; i++) {
		uint8_t a[16];
		char t[48];
		int af = strchr(public_ips[i], ':') ? AF_INET6 : AF_INET;
		if (inet_pton(af, public_ips[i], a) != 1 ||
		    !inet_ntop(af, a, t, sizeof t) || strcmp(t, public_ips[i]))
			continue;
		if (af == AF_INET)
			memcpy(st->pub4[st->npub4++], a, 4);
		else
			memcpy(st->pub6[st->npub6++], a, 16);
	}
}

static bool rb_is_public_ip(const struct rb_state *st, const uint8_t *a,
			    int ipver)
{
	if (ipver != 6) {
		for (unsigned i = 0; i < st->npub4; i++)
			if (memcmp(a, st->pub4[i], 4) == 0)
				return true;
		return false;
	}
	for (unsigned i = 0; i < st->npub6; i++)
		if (memcmp(a, st->pub6[i], 16) == 0)
			return true;
	return false;
}

static unsigned char rb_lower(char c)
{
	unsigned char u = (unsigned char)c;
	return u >= 'A' && u <= 'Z' ? (unsigned char)(u + 32) : u;
}

/* name (n bytes) equals a DoH name or is below one; the match or NULL. */
static const char *rb_doh_name(const char *name, size_t n)
{
	while (n && name[n - 1] == '.')
		n--;
	for (size_t i = 0; i < sizeof doh_names / sizeof doh_names[0]; i++) {
		size_t k = strlen(doh_names[i]);
		if (n < k || rb_lower(name[n - 1]) != doh_names[i][k - 1] ||
		    strncasecmp(name + n - k, doh_names[i], k) != 0)
			continue;
		if (n == k || name[n - k - 1] == '.')
			return doh_names[i];
	}
	return NULL;
}

static void rb_sni_hit(struct rb_state *st, uint64_t conn_id)
{
	st->sni_ring[st->sni_next++ % RB_SNI_RING] = conn_id + 1;
}

static bool rb_sni_seen(const struct rb_state *st, uint64_t conn_id)
{
	for (unsigned i = 0; i < RB_SNI_RING; i++)
		if (st->sni_ring[i] == conn_id + 1)
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* Encrypted DNS, reported as seen. */

static void rb_encrypted(struct rb_state *st, const struct ph_event *ev,
			 int side, bool dot, const char *field,
			 const char *matched, enum ph_confidence conf)
{
	struct ph_finding f;
	memset(&f, 0, sizeof f);
	ph_detect_evidence(&f, ev, side);
	snprintf(f.id, sizeof f.id, dot ? "resolver_bypass.dot" :
		 "resolver_bypass.doh");
	snprintf(f.field, sizeof f.field, "%s", field);
	snprintf(f.matched, sizeof f.matched, "%s", matched);
	if (strcmp(field, "conn.resp_h") != 0)
		snprintf(f.name, sizeof f.name, "%s", matched);
	f.severity = PH_SEV_LOW;
	f.confidence = conf;
	snprintf(f.attack, sizeof f.attack, "T1071.004");
	snprintf(f.title, sizeof f.title, "Encrypted DNS (%s) to %.80s",
		 dot ? "DNS over TLS" : "DNS over HTTPS", matched);
	snprintf(f.explain, sizeof f.explain, "The device resolved names "
		 "through %s (%s), which hides its lookups from the network "
		 "and from this capture. Implants use this to hide where they "
		 "connect; but %s, so on its own this is common and "
		 "harmless.", dot ? "DNS over TLS" : "DNS over HTTPS", matched,
		 dot ? "Android's Private DNS setting uses DNS over TLS "
		 "automatically whenever the resolver offers it" :
		 "browsers (Firefox, Chrome) and privacy apps use DNS over "
		 "HTTPS by default or on request");
	snprintf(f.advice, sizeof f.advice, "If nobody set up Private DNS, "
		 "a browser or a privacy app on this device, find the app "
		 "that made the connection (flow uid). To see lookups in a "
		 "future capture, turn Private DNS off during the test.");
	ph_detect_emit(&st->base, &f);
	if (dot)
		st->dot++;
	else
		st->doh++;
}

static void rb_hello(struct rb_state *st, const struct ph_event *ev)
{
	const struct ph_tls_hello *h = ev->u.proto;
	const struct ph_conn *c = ev->conn;
	if (h->is_server || h->quic || !c)
		return;
	int side = ph_detect_side(&st->base, c);
	if (side != 0)
		return;
	const char *doh = h->sni_len ? rb_doh_name(h->sni, h->sni_len) : NULL;
	if (doh && c->resp_port != 853) {
		rb_sni_hit(st, c->id);
		rb_encrypted(st, ev, side, false, "tls.sni", h->sni,
			     PH_CONF_HIGH);
		return;
	}
	for (unsigned i = 0; i < h->n_alpn && c->resp_port != 853; i++)
		if (h->alpn_len[i] == 3 && memcmp(h->alpn[i], "dot", 3) == 0) {
			rb_encrypted(st, ev, side, true, "tls.alpn",
				     h->sni_len ? h->sni : "dot", PH_CONF_HIGH);
			return;
		}
}

static void rb_quic(struct rb_state *st, const struct ph_event *ev)
{
	const struct ph_quic_initial *q = ev->u.proto;
	if (q->what != PH_QUIC_PACKET || !q->from_client || !q->sni ||
	    !q->sni[0] || !ev->conn)
		return;
	int side = ph_detect_side(&st->base, ev->conn);
	if (side != 0 || !rb_doh_name(q->sni, strlen(q->sni)))
		return;
	rb_sni_hit(st, ev->conn->id);
	rb_encrypted(st, ev, side, false, "quic.sni", q->sni, PH_CONF_HIGH);
}

static void rb_http(struct rb_state *st, const struct ph_event *ev)
{
	const struct ph_http_msg *m = ev->u.proto;
	if (!m->host.p || !ev->conn)
		return;
	int side = ph_detect_side(&st->base, ev->conn);
	if (side != 0)
		return;
	char host[256];
	snprintf(host, sizeof host, "%.*s", (int)m->host.len, m->host.p);
	char *colon = strchr(host, ':');
	if (colon && !strchr(colon + 1, ':'))
		*colon = '\0';
	if (!rb_doh_name(host, strlen(host)))
		return;
	rb_sni_hit(st, ev->conn->id);
	rb_encrypted(st, ev, side, false, "http.host", host, PH_CONF_HIGH);
}

/* TCP 853 at its start; port 443 (or 80: cleartext HTTP/2 DoH) to a
 * resolver address at its end, when no DoH name was seen on the flow. */
static void rb_flow(struct rb_state *st, const struct ph_event *ev)
{
	const struct ph_conn *c = ev->conn;
	bool dot = ev->kind == PH_EV_FLOW_START && c->proto == 6 &&
		   c->resp_port == 853;
	bool doh = ev->kind == PH_EV_FLOW_END &&
		   (c->resp_port == 443 || c->resp_port == 80) &&
		   (c->proto == 6 || c->proto == 17) && c->dir[1].pkts;
	if ((!dot && !doh) || ph_detect_side(&st->base, c) != 0 ||
	    ph_devices_is_local(c->resp_addr, c->ipver))
		return;
	if (doh && (!rb_is_public_ip(st, c->resp_addr, c->ipver) ||
		    rb_sni_seen(st, c->id)))
		return;
	char a[48];
	ph_detect_addr(c, 1, a, sizeof a);
	rb_encrypted(st, ev, 0, dot, "conn.resp_h", a,
		     dot ? PH_CONF_HIGH : PH_CONF_MEDIUM);
}

/* ------------------------------------------------------------------ */
/* Plain DNS: counted per (device, server), judged at the end. */

/* The index slot holding c's (device, server) pair, or the free slot
 * where it goes (the index has room: twice RB_MAX_PAIRS slots). */
static uint16_t *rb_index_slot(struct rb_state *st, const struct ph_conn *c)
{
	uint64_t h = 0x9e3779b97f4a7c15ull * (c->ipver + 1u);
	for (unsigned i = 0; i < 16; i += 4) {
		uint32_t a, b;
		memcpy(&a, c->orig_addr + i, 4);
		memcpy(&b, c->resp_addr + i, 4);
		h = (h ^ a) * 0xff51afd7ed558ccdull;
		h = (h ^ b) * 0xc4ceb9fe1a85ec53ull;
	}
	for (unsigned i = (unsigned)(h >> 32) & (RB_INDEX - 1);;
	     i = (i + 1) & (RB_INDEX - 1)) {
		uint16_t *s = &st->index[i];
		const struct rb_pair *p = *s ? &st->pair[*s - 1] : NULL;
		if (!p || (p->ipver == c->ipver &&
			   !memcmp(p->dev, c->orig_addr, 16) &&
			   !memcmp(p->srv, c->resp_addr, 16)))
			return s;
	}
}

static void rb_dns(struct rb_state *st, const struct ph_event *ev)
{
	const struct ph_dns_msg *m = ev->u.proto;
	const struct ph_conn *c = ev->conn;
	if (!c || m->what != PH_DNS_QUERY || m->multicast || c->resp_port != 53)
		return;
	if (ph_detect_side(&st->base, c) != 0)
		return;
	uint16_t *slot = rb_index_slot(st, c);
	if (*slot) {
		struct rb_pair *p = &st->pair[*slot - 1];
		p->queries++;
		p->ev.last_ns = ev->ts_ns, p->ev.last_pkt = ev->pkt_no;
		return;
	}
	if (st->npair == RB_MAX_PAIRS) {
		st->pairs_dropped++;
		return;
	}
	*slot = (uint16_t)(st->npair + 1);
	struct rb_pair *p = &st->pair[st->npair++];
	memset(p, 0, sizeof *p);
	memcpy(p->dev, c->orig_addr, 16);
	memcpy(p->srv, c->resp_addr, 16);
	p->ipver = c->ipver;
	p->queries = 1;
	ph_detect_evidence(&p->ev, ev, 0);
	if (m->nq)
		snprintf(p->ev.name, sizeof p->ev.name, "%s", m->q[0].name.s);
}

static void rb_dhcp(struct rb_state *st, const struct ph_event *ev)
{
	const struct ph_dhcp_msg *m = ev->u.proto;
	if (m->from_client || m->op != 2)
		return;
	for (unsigned i = 0; i < m->ndns && i < PH_DHCP_MAX_ADDRS; i++) {
		bool known = false;
		for (unsigned k = 0; k < st->ndhcp; k++)
			known |= memcmp(st->dhcp[k], m->dns[i], 4) == 0;
		if (!known && st->ndhcp < RB_MAX_DHCP)
			memcpy(st->dhcp[st->ndhcp++], m->dns[i], 4);
	}
}

static void rb_on_event(void *state, const struct ph_event *ev)
{
	struct rb_state *st = state;
	switch (ev->kind) {
	case PH_EV_FLOW_START:
	case PH_EV_FLOW_END: if (ev->conn) rb_flow(st, ev); break;
	case PH_EV_DNS: rb_dns(st, ev); break;
	case PH_EV_DHCP: rb_dhcp(st, ev); break;
	case PH_EV_TLS_CLIENT_HELLO: rb_hello(st, ev); break;
	case PH_EV_QUIC: rb_quic(st, ev); break;
	case PH_EV_HTTP_REQUEST: rb_http(st, ev); break;
	default: break;
	}
}

/* Same /24 (IPv4) or /48 (IPv6). */
static bool rb_near(const uint8_t *a, const uint8_t *b, int ipver)
{
	return memcmp(a, b, ipver == 6 ? 6 : 3) == 0;
}

/* Is srv one of the network's resolvers? top4/top6: most used servers. */
static bool rb_network(const struct rb_state *st, const struct rb_pair *p,
		       const struct rb_pair *top4, const struct rb_pair *top6)
{
	if (ph_devices_is_local(p->srv, p->ipver))
		return true;
	if (st->ndhcp && p->ipver == 4) {
		for (unsigned k = 0; k < st->ndhcp; k++)
			if (rb_near(st->dhcp[k], p->srv, 4))
				return true;
		return false;
	}
	const struct rb_pair *top = p->ipver == 4 ? top4 : top6;
	return top && rb_near(top->srv, p->srv, p->ipver);
}

/* The server with the most queries over all devices, per IP version. */
static const struct rb_pair *rb_top(const struct rb_state *st, int ipver)
{
	const struct rb_pair *best = NULL;
	uint64_t bestn = 0;
	for (unsigned i = 0; i < st->npair; i++) {
		if (st->pair[i].ipver != ipver)
			continue;
		uint64_t n = 0;
		for (unsigned k = 0; k < st->npair; k++)
			if (st->pair[k].ipver == ipver &&
			    !memcmp(st->pair[k].srv, st->pair[i].srv, 16))
				n += st->pair[k].queries;
		if (n > bestn)
			bestn = n, best = &st->pair[i];
	}
	return best;
}

static void rb_other(struct rb_state *st, const struct rb_pair *p)
{
	struct ph_finding f = p->ev;
	bool pub = rb_is_public_ip(st, p->srv, p->ipver);
	snprintf(f.id, sizeof f.id, pub ? "resolver_bypass.public_resolver" :
		 "resolver_bypass.other_resolver");
	snprintf(f.field, sizeof f.field, "conn.resp_h");
	snprintf(f.matched, sizeof f.matched, "%s", f.remote);
	f.count = p->queries;
	bool many = p->queries >= st->min_queries;
	f.severity = !pub && many ? PH_SEV_MEDIUM : PH_SEV_LOW;
	f.confidence = pub ? PH_CONF_MEDIUM : PH_CONF_LOW;
	snprintf(f.attack, sizeof f.attack, "T1071.004");
	snprintf(f.title, sizeof f.title, "DNS lookups sent to %s instead of "
		 "the network's resolver", f.remote);
	size_t l = 0;
	ph_detect_catf(f.explain, sizeof f.explain, &l, "The device sent %u "
		       "DNS quer%s to %s, not to the resolver the network "
		       "gave it (%s). ", p->queries, p->queries == 1 ? "y" :
		       "ies", f.remote, st->ndhcp ? "learned from DHCP" :
		       "taken as the most used one");
	ph_detect_catf(f.explain, sizeof f.explain, &l, pub ?
		       "It is a well-known public resolver: many apps and "
		       "some phones use these directly, so this is common." :
		       "It is not a well-known public resolver. Implants "
		       "sometimes use their own DNS server to hide lookups; "
		       "VPN apps and some games do the same.");
	snprintf(f.advice, sizeof f.advice, "Find the app that made these "
		 "lookups (flow uid, capture time); if no VPN or DNS app "
		 "explains them, check who runs that server.");
	ph_detect_emit(&st->base, &f);
}

static int rb_finish(void *state, uint64_t last_ts_ns, struct ph_err *err)
{
	struct rb_state *st = state;
	const struct rb_pair *top4 = rb_top(st, 4), *top6 = rb_top(st, 6);
	for (unsigned i = 0; i < st->npair; i++)
		if (!rb_network(st, &st->pair[i], top4, top6))
			rb_other(st, &st->pair[i]);
	return PH_OK;
}

static int rb_init(const struct ph_module_env *env, void **state,
		   struct ph_err *err)
{
	struct ph_detect_base base;
	if (ph_detect_base_init(&base, env) == PH_MODULE_SKIP)
		return PH_MODULE_SKIP;
	struct rb_state *st = calloc(1, sizeof *st);
	if (st)
		st->pair = calloc(RB_MAX_PAIRS, sizeof *st->pair);
	if (!st || !st->pair) {
		free(st);
		return ph_err_set(err, PH_ENOMEM, "out of memory");
	}
	st->base = base;
	st->min_queries = (uint32_t)ph_module_option(
		env, &ph_resolver_bypass_module, "min_queries");
	rb_parse_public(st);
	*state = st;
	return PH_OK;
}

static unsigned rb_counters(const void *state, struct ph_module_counter *out,
			    unsigned max)
{
	const struct rb_state *st = state;
	const struct ph_module_counter c[] = {
		{"dhcp_resolvers", st->ndhcp},
		{"dns_server_pairs", st->npair},
		{"dns_server_pairs_dropped", st->pairs_dropped},
		{"dot_sightings", st->dot},
		{"doh_sightings", st->doh},
		{"findings_dropped", st->base.dropped},
	};
	return ph_module_counters_copy(out, max, c, sizeof c / sizeof c[0]);
}

static void rb_destroy(void *state)
{
	struct rb_state *st = state;
	if (st)
		free(st->pair);
	free(st);
}

const struct ph_module ph_resolver_bypass_module = {
	.name = "resolver_bypass",
	.summary = "DNS sent past the network's resolver: other servers, DNS "
		   "over TLS, DNS over HTTPS",
	.mask = PH_EV_FLOW_START | PH_EV_FLOW_END | PH_EV_DNS | PH_EV_DHCP |
		PH_EV_TLS_CLIENT_HELLO | PH_EV_QUIC | PH_EV_HTTP_REQUEST,
	.init = rb_init,
	.on_event = rb_on_event,
	.finish = rb_finish,
	.counters = rb_counters,
	.destroy = rb_destroy,
	.options = rb_options,
	.detection = true,
};
