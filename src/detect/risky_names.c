/* Detection "risky_names": names under free dynamic-DNS providers and
 * high-abuse top-level domains, seen in the device's DNS queries, TLS
 * SNI, QUIC SNI and HTTP Host, and in the names the capture's DNS
 * answers gave to an address the device connected to (dns_map). The two
 * lists are built in (data/dyndns-providers.txt and data/risky-tlds.txt,
 * embedded at build time as ph_data_* strings) and replaceable with the
 * path options risky_names.dyndns / risky_names.tlds. Sightings are
 * folded per (device, name) in a bounded table and reported at the end
 * of the run: low for a lookup only, medium when the device connected. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "detect/detect.h"
#include "detect/name_list.h"
#include "peephole/dns_map.h"
#include "peephole/proto_dns.h"
#include "peephole/proto_http.h"
#include "peephole/proto_quic.h"
#include "peephole/proto_tls.h"

extern const struct ph_module ph_risky_names_module;
extern const char ph_data_dyndns_providers[];
extern const char ph_data_risky_tlds[];

#define RN_MAX_ENTRIES 512u

static const struct ph_module_option rn_options[] = {
	{"dyndns", 0, 0, 0, "path", "dynamic-DNS provider domains, one a "
	 "line (default: built-in data/dyndns-providers.txt)"},
	{"tlds", 0, 0, 0, "path", "high-abuse TLDs, one a line (default: "
	 "built-in data/risky-tlds.txt)"},
	{NULL, 0, 0, 0, NULL, NULL},
};


enum rn_kind { RN_DYNDNS = 0, RN_TLD = 1 };

struct rn_entry {
	uint8_t dev[16];
	char name[128];
	const char *match;     /* list item (borrowed from the list) */
	enum rn_kind kind;
	bool connected;
	uint32_t count;
	struct ph_finding ev;  /* evidence of the first sighting */
};

struct rn_state {
	struct ph_detect_base base;
	const struct ph_dns_map *map;   /* may be NULL */
	struct ph_name_list list[2];
	struct rn_entry *ent;           /* RN_MAX_ENTRIES */
	unsigned nent;
	uint64_t sightings, dropped;
};

/* ------------------------------------------------------------------ */
/* Sightings. */

static struct rn_entry *rn_entry(struct rn_state *st, const uint8_t *dev,
				 const char *name, size_t n)
{
	if (n >= sizeof st->ent[0].name)
		n = sizeof st->ent[0].name - 1;
	for (unsigned i = 0; i < st->nent; i++)
		if (!memcmp(st->ent[i].dev, dev, 16) &&
		    strlen(st->ent[i].name) == n &&
		    !strncasecmp(st->ent[i].name, name, n))
			return &st->ent[i];
	if (st->nent == RN_MAX_ENTRIES) {
		st->dropped++;
		return NULL;
	}
	struct rn_entry *e = &st->ent[st->nent++];
	memset(e, 0, sizeof *e);
	memcpy(e->dev, dev, 16);
	memcpy(e->name, name, n);
	return e;
}

static void rn_see(struct rn_state *st, const struct ph_event *ev, int side,
		   const char *name, size_t n, const char *field, bool conn)
{
	const char *m = ph_name_list_match(&st->list[RN_DYNDNS], name, n, false);
	enum rn_kind kind = RN_DYNDNS;
	if (!m)
		m = ph_name_list_match(&st->list[RN_TLD], name, n, false), kind = RN_TLD;
	if (!m)
		return;
	st->sightings++;
	const struct ph_conn *c = ev->conn;
	struct rn_entry *e = rn_entry(st, side ? c->resp_addr : c->orig_addr,
				      name, n);
	if (!e)
		return;
	if (!e->count++) {
		e->match = m, e->kind = kind;
		ph_detect_evidence(&e->ev, ev, side);
		snprintf(e->ev.field, sizeof e->ev.field, "%s", field);
	}
	if (conn && !e->connected) {
		e->connected = true;
		ph_detect_evidence(&e->ev, ev, side); /* the connection */
		snprintf(e->ev.field, sizeof e->ev.field, "%s", field);
	}
	if (ev->ts_ns > e->ev.last_ns)
		e->ev.last_ns = ev->ts_ns, e->ev.last_pkt = ev->pkt_no;
}

static void rn_dns(struct rn_state *st, const struct ph_event *ev, int side)
{
	const struct ph_dns_msg *m = ev->u.proto;
	if (m->what != PH_DNS_QUERY || m->multicast || side != 0)
		return;
	for (unsigned i = 0; i < m->nq; i++)
		rn_see(st, ev, side, m->q[i].name.s, m->q[i].name.len,
		       "dns.query", false);
}

struct rn_visit {
	struct rn_state *st;
	const struct ph_event *ev;
	int side;
};

static int rn_visit_name(void *user, const struct ph_dns_map_entry *e)
{
	struct rn_visit *v = user;
	rn_see(v->st, v->ev, v->side, e->name, e->name_len, "conn.resp_h",
	       true);
	return 0;
}

/* A new connection to an address whose DNS name is on a list. */
static void rn_flow(struct rn_state *st, const struct ph_event *ev, int side)
{
	const struct ph_conn *c = ev->conn;
	if (!st->map || side != 0)
		return;
	struct rn_visit v = {st, ev, side};
	ph_dns_map_names_of(st->map, c->resp_addr, c->ipver, rn_visit_name,
			    &v);
}

static void rn_http(struct rn_state *st, const struct ph_event *ev, int side)
{
	const struct ph_http_msg *m = ev->u.proto;
	if (!m->host.p)
		return;
	size_t n = m->host.len;
	const char *colon = memchr(m->host.p, ':', n);
	if (colon)
		n = (size_t)(colon - m->host.p);
	rn_see(st, ev, side, m->host.p, n, "http.host", true);
}

static void rn_on_event(void *state, const struct ph_event *ev)
{
	struct rn_state *st = state;
	if (!ev->conn)
		return;
	int side = ph_detect_side(&st->base, ev->conn);
	if (side < 0)
		return;
	if (ev->kind == PH_EV_DNS) {
		rn_dns(st, ev, side);
	} else if (ev->kind == PH_EV_FLOW_START) {
		rn_flow(st, ev, side);
	} else if (ev->kind == PH_EV_TLS_CLIENT_HELLO) {
		const struct ph_tls_hello *h = ev->u.proto;
		if (!h->quic && !h->is_server && h->sni_len)
			rn_see(st, ev, side, h->sni, h->sni_len, "tls.sni", true);
	} else if (ev->kind == PH_EV_QUIC) {
		const struct ph_quic_initial *q = ev->u.proto;
		if (q->what == PH_QUIC_PACKET && q->from_client && q->sni &&
		    q->sni[0])
			rn_see(st, ev, side, q->sni, strlen(q->sni), "quic.sni",
			       true);
	} else if (ev->kind == PH_EV_HTTP_REQUEST) {
		rn_http(st, ev, side);
	}
}

/* ------------------------------------------------------------------ */
/* Findings. */

static void rn_report(struct rn_state *st, const struct rn_entry *e)
{
	struct ph_finding f = e->ev;
	bool dyn = e->kind == RN_DYNDNS;
	snprintf(f.id, sizeof f.id, dyn ? "risky_names.dyndns" :
		 "risky_names.tld");
	snprintf(f.name, sizeof f.name, "%s", e->name);
	snprintf(f.matched, sizeof f.matched, "%s", e->match);
	f.count = e->count;
	f.severity = e->connected ? PH_SEV_MEDIUM : PH_SEV_LOW;
	f.confidence = PH_CONF_LOW;
	snprintf(f.attack, sizeof f.attack, dyn ? "T1568" : "");
	snprintf(f.title, sizeof f.title, "%s %s name: %.80s",
		 e->connected ? "Connection to a" : "Lookup of a",
		 dyn ? "free dynamic-DNS" : "high-abuse TLD", e->name);
	size_t l = 0;
	ph_detect_catf(f.explain, sizeof f.explain, &l, dyn ?
		       "%s is a host name under %s, a free dynamic-DNS "
		       "service: anyone can create such a name in a minute "
		       "and point it at any machine, which is why spyware "
		       "and remote-access trojans use them for their "
		       "servers. Home users also use them to reach their own "
		       "cameras and servers. " :
		       "%s is under .%s, a top-level domain with a high share "
		       "of abusive registrations (phishing, malware servers). "
		       "Many honest sites use it too. ", e->name, e->match);
	ph_detect_catf(f.explain, sizeof f.explain, &l, e->connected ?
		       "The device connected to it (seen %u times)." :
		       "The device only looked it up (%u times); no "
		       "connection to it was seen.", e->count);
	snprintf(f.advice, sizeof f.advice, "Find which app or web page used "
		 "this name (capture time, flow uid). If it cannot be "
		 "explained, look the name up in threat-intelligence "
		 "services and keep this capture.");
	ph_detect_emit(&st->base, &f);
}

static int rn_finish(void *state, uint64_t last_ts_ns, struct ph_err *err)
{
	struct rn_state *st = state;
	for (unsigned i = 0; i < st->nent; i++)
		rn_report(st, &st->ent[i]);
	return PH_OK;
}

static void rn_destroy(void *state)
{
	struct rn_state *st = state;
	if (!st)
		return;
	for (int i = 0; i < 2; i++)
		ph_name_list_free(&st->list[i]);
	free(st->ent);
	free(st);
}

static int rn_init(const struct ph_module_env *env, void **state,
		   struct ph_err *err)
{
	struct ph_detect_base base;
	if (ph_detect_base_init(&base, env) == PH_MODULE_SKIP)
		return PH_MODULE_SKIP;
	struct rn_state *st = calloc(1, sizeof *st);
	if (st)
		st->ent = calloc(RN_MAX_ENTRIES, sizeof *st->ent);
	if (!st || !st->ent) {
		free(st);
		return ph_err_set(err, PH_ENOMEM, "out of memory");
	}
	st->base = base;
	st->map = env->shared ? env->shared->dns_map : NULL;
	const struct ph_module *m = &ph_risky_names_module;
	int rc = ph_name_list_load(&st->list[RN_DYNDNS],
				   ph_module_option_path(env, m, "dyndns"),
				   ph_data_dyndns_providers, "risky_names", err);
	if (rc == PH_OK)
		rc = ph_name_list_load(&st->list[RN_TLD],
				       ph_module_option_path(env, m, "tlds"),
				       ph_data_risky_tlds, "risky_names", err);
	if (rc < 0) {
		rn_destroy(st);
		return rc;
	}
	*state = st;
	return PH_OK;
}

static unsigned rn_counters(const void *state, struct ph_module_counter *out,
			    unsigned max)
{
	const struct rn_state *st = state;
	const struct ph_module_counter c[] = {
		{"dyndns_domains", st->list[RN_DYNDNS].n},
		{"risky_tlds", st->list[RN_TLD].n},
		{"list_lines_dropped",
		 st->list[0].dropped + (uint64_t)st->list[1].dropped},
		{"sightings", st->sightings},
		{"names_dropped", st->dropped},
		{"findings_dropped", st->base.dropped},
	};
	return ph_module_counters_copy(out, max, c, sizeof c / sizeof c[0]);
}

const struct ph_module ph_risky_names_module = {
	.name = "risky_names",
	.summary = "names under free dynamic-DNS providers and high-abuse "
		   "top-level domains",
	.mask = PH_EV_FLOW_START | PH_EV_DNS | PH_EV_TLS_CLIENT_HELLO |
		PH_EV_QUIC | PH_EV_HTTP_REQUEST,
	.init = rn_init,
	.on_event = rn_on_event,
	.finish = rn_finish,
	.counters = rn_counters,
	.destroy = rn_destroy,
	.options = rn_options,
	.detection = true,
};
