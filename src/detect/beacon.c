/* Detection "beacon": C2 beaconing, i.e. a device contacting one place on
 * a timer. Three series are collected and scored (beacon_score.c) at the
 * end: connection start times (and bytes each way) per (device,
 * destination), the destination being the registered domain of the
 * connection's name (TLS/QUIC SNI, HTTP Host, else the name a DNS answer
 * gave the address) when there is one, and per (device, address, port,
 * protocol) always ("beacon.periodic"); the device's DNS queries per
 * (device, name) ("beacon.dns"); and, per TCP connection, the start
 * times of the device's bursts (data after >= burst_gap of silence) in
 * the flow's slot PH_SLOT_BEACON, scored when the connection ends
 * ("beacon.keepalive"). Bounded: max_pairs series of at most max_beats
 * beats each (the first ones kept; later ones counted), max_flows
 * per-flow records at once; overflow counted. Known periodic services
 * (data/periodic-services.txt, NTP) are reported low; see
 * docs/detections/beacon.md for the ratings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "detect/bd_common.h"
#include "detect/beacon_score.h"
#include "detect/detect.h"
#include "detect/name_list.h"
#include "detect/psl.h"
#include "peephole/dns_map.h"
#include "peephole/intel.h"
#include "peephole/proto_dns.h"
#include "peephole/proto_http.h"
#include "peephole/proto_quic.h"
#include "peephole/proto_tls.h"

extern const struct ph_module ph_beacon_module;
extern const char ph_data_periodic_services[];

#define BC_NAME 128           /* name / key bytes kept (with NUL) */
#define BC_SERIES 512u        /* beat times attached to a finding */

enum bc_kind { BC_NAME_PAIR = 0, BC_ADDR_PAIR = 1, BC_DNS_PAIR = 2 };

struct bc_beat {
	uint64_t ts;
	uint32_t up, down;    /* payload bytes, saturating */
};

/* A growable beat array (at most max_beats). */
struct bc_beats {
	struct bc_beat *v;    /* owned */
	uint32_t n, cap;
};

/* One series of a (device, destination). */
struct bc_pair {
	bool used, reported;
	uint8_t kind, proto;
	uint16_t port;
	char dev[48], rem[48];   /* text addresses (rem: last one seen) */
	char key[BC_NAME];       /* registered domain, address or query */
	char name[BC_NAME];      /* a full name of the destination */
	char field[16];          /* where that name was seen */
	char uid[20], mac[18], label[48];
	uint32_t file_idx;
	uint64_t first_pkt, last_pkt, hash;
	uint32_t conns, known, direct, tcp;
	uint32_t min_ttl;        /* DNS pairs: smallest answer TTL, 0 none */
	struct bc_beats b;
};

/* Per TCP flow (slot PH_SLOT_BEACON). */
struct bc_flow {
	char name[BC_NAME];
	char field[16];
	uint64_t last_data;      /* packet time of the last data, any way */
	struct bc_beats b;       /* the device's bursts */
};

struct bc_state {
	struct ph_detect_base base;
	const struct ph_dns_map *map;  /* may be NULL */
	const struct ph_intel *intel;  /* may be NULL */
	struct ph_findings *findings;
	struct ph_psl *psl;            /* owned */
	struct ph_name_list svc;
	struct bc_pair *tab;           /* owned, cap slots */
	uint32_t cap, npairs, max_pairs;
	struct ph_beacon_params par;
	uint32_t max_beats, max_flows, live_flows;
	uint64_t total_beats, max_total; /* beat slots allocated / allowed */
	uint64_t merge_ns, burst_ns, first_ns, last_ns;
	uint64_t bulky_bytes;          /* median bytes a beat for "bulky" */
	uint64_t pairs_dropped, beats_dropped, flows_dropped, scored;
	uint64_t suppressed;
};

/* Is the lower-case name a known periodic service or below one? */
static bool list_has(const struct ph_name_list *l, const char *name)
{
	return ph_name_list_match(l, name, strlen(name), true) != NULL;
}

/* ------------------------------------------------------------------ */
/* Series. */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ull;
	return h;
}

static uint64_t pair_hash(int kind, const char *dev, const char *key,
			  uint16_t port, uint8_t proto)
{
	uint8_t k[4] = {(uint8_t)kind, proto, (uint8_t)(port >> 8),
			(uint8_t)port};
	uint64_t h = fnv(14695981039346656037ull, k, sizeof k);
	h = fnv(h, dev, strlen(dev) + 1);
	return fnv(h, key, strlen(key) + 1);
}

static bool pair_is(const struct bc_pair *p, uint64_t h, int kind,
		    const char *dev, const char *key, uint16_t port,
		    uint8_t proto)
{
	return p->hash == h && p->kind == kind && p->port == port &&
	       p->proto == proto && !strcmp(p->dev, dev) &&
	       !strcmp(p->key, key);
}

/* The series of (kind, dev, key, port, proto), created when new; NULL
 * when the table is full (counted) or, with create false, absent. */
static struct bc_pair *pair_get(struct bc_state *st, int kind,
				const char *dev, const char *key,
				uint16_t port, uint8_t proto, bool create)
{
	uint64_t h = pair_hash(kind, dev, key, port, proto);
	uint32_t mask = st->cap - 1, i = (uint32_t)h & mask;
	while (st->tab[i].used) {
		if (pair_is(&st->tab[i], h, kind, dev, key, port, proto))
			return &st->tab[i];
		i = (i + 1) & mask;
	}
	if (!create)
		return NULL;
	if (st->npairs >= st->max_pairs) {
		st->pairs_dropped++;
		return NULL;
	}
	struct bc_pair *p = &st->tab[i];
	p->used = true;
	p->hash = h;
	p->kind = (uint8_t)kind, p->port = port, p->proto = proto;
	snprintf(p->dev, sizeof p->dev, "%s", dev);
	snprintf(p->key, sizeof p->key, "%s", key);
	st->npairs++;
	return p;
}

static uint32_t sat32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* Appends a beat (keeps the first max_beats of a series, and at most
 * max_total_beats slots over all series and flows; later ones are
 * counted). */
static bool beats_add(struct bc_state *st, struct bc_beats *b, uint64_t ts,
		      uint64_t up, uint64_t down)
{
	if (b->n == b->cap) {
		uint32_t nc = b->cap ? b->cap * 2 : 8;
		nc = nc > st->max_beats ? st->max_beats : nc;
		bool room = nc > b->cap &&
			    st->total_beats + (nc - b->cap) <= st->max_total;
		struct bc_beat *v = room ?
			realloc(b->v, nc * sizeof *v) : NULL;
		if (!v) {
			st->beats_dropped++;
			return false;
		}
		st->total_beats += nc - b->cap;
		b->v = v, b->cap = nc;
	}
	b->v[b->n++] = (struct bc_beat){ts, sat32(up), sat32(down)};
	return true;
}

/* Evidence of the series' first occurrence, updated on each. */
static void pair_note(struct bc_pair *p, const struct ph_event *ev,
		      const char *rem)
{
	const struct ph_conn *c = ev->conn;
	if (!p->conns) {
		snprintf(p->uid, sizeof p->uid, "%s", c->uid);
		p->file_idx = ev->file_idx;
		p->first_pkt = ev->pkt_no;
		if (c->has_mac)
			snprintf(p->mac, sizeof p->mac,
				 "%02x:%02x:%02x:%02x:%02x:%02x",
				 c->orig_mac[0], c->orig_mac[1],
				 c->orig_mac[2], c->orig_mac[3],
				 c->orig_mac[4], c->orig_mac[5]);
	}
	if (!p->label[0] && ph_bd_label_is_app(c->app_label))
		snprintf(p->label, sizeof p->label, "%s", c->app_label);
	if (ev->pkt_no > p->last_pkt)
		p->last_pkt = ev->pkt_no;
	snprintf(p->rem, sizeof p->rem, "%s", rem);
	p->conns++;
}

static void lower_copy(char *d, size_t n, const char *s, size_t len)
{
	size_t k = len < n - 1 ? len : n - 1;
	for (size_t i = 0; i < k; i++)
		d[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a'
							  : s[i]);
	d[k] = '\0';
}

/* ------------------------------------------------------------------ */
/* Per-flow records. */

/* A flow's slot holds its record, NULL (not seen yet), or the module
 * state itself: a flow not followed (inbound, local, or over max_flows),
 * so later segments cost one comparison. */
static struct bc_flow *flow_of(const struct bc_state *st,
			       const struct ph_event *ev)
{
	void *s = ev->slots ? ev->slots[PH_SLOT_BEACON] : NULL;
	return s == st ? NULL : s;
}

static bool flow_skipped(const struct bc_state *st, const struct ph_event *ev)
{
	return ev->slots && ev->slots[PH_SLOT_BEACON] == st;
}

static struct bc_flow *flow_get(struct bc_state *st, const struct ph_event *ev)
{
	struct bc_flow *fl = flow_of(st, ev);
	if (fl || !ev->slots || flow_skipped(st, ev))
		return fl;
	if (st->live_flows >= st->max_flows ||
	    !(fl = calloc(1, sizeof *fl))) {
		st->flows_dropped++;
		ev->slots[PH_SLOT_BEACON] = st;
		return NULL;
	}
	ev->slots[PH_SLOT_BEACON] = fl;
	st->live_flows++;
	return fl;
}

static void flow_free(struct bc_state *st, const struct ph_event *ev)
{
	struct bc_flow *fl = flow_of(st, ev);
	if (ev->slots)
		ev->slots[PH_SLOT_BEACON] = NULL;
	if (!fl)
		return;
	st->total_beats -= fl->b.cap;
	free(fl->b.v);
	free(fl);
	st->live_flows--;
}

/* Outbound from the device to a public address? */
static bool outbound(const struct bc_state *st, const struct ph_conn *c)
{
	return c && ph_detect_side(&st->base, c) == 0 &&
	       ph_bd_is_public(c->resp_addr, c->ipver);
}

static void flow_name(struct bc_state *st, const struct ph_event *ev,
		      const char *name, size_t n, const char *field)
{
	if (!n || flow_skipped(st, ev) || !outbound(st, ev->conn))
		return;
	struct bc_flow *fl = flow_get(st, ev);
	if (!fl || fl->name[0])
		return;
	lower_copy(fl->name, sizeof fl->name, name, n);
	snprintf(fl->field, sizeof fl->field, "%s", field);
}

/* UDP ports whose datagrams come on timers by design (DNS, DHCP, NTP,
 * NetBIOS, SSDP, mDNS, LLMNR, STUN/TURN, QUIC): not followed for bursts. */
static bool udp_timer_port(uint16_t p)
{
	static const uint16_t ports[] = {53, 67, 68, 123, 137, 138, 443, 1900,
					 3478, 3479, 5349, 5353, 5355, 19302};
	return ph_bd_port_in(ports, sizeof ports / sizeof ports[0], p);
}

/* Does the flow carry bursts we follow: TCP, or UDP that is no
 * timer-driven service? */
static bool burst_flow(const struct ph_conn *c)
{
	return c->proto == 6 ||
	       (c->proto == 17 && !udp_timer_port(c->resp_port));
}

/* In-order TCP bytes, or one UDP datagram: a device send after burst_gap
 * of silence starts a burst; bytes each way add to the current one. */
static void on_stream(struct bc_state *st, const struct ph_event *ev)
{
	const struct ph_conn *c = ev->conn;
	uint32_t len = ev->kind == PH_EV_STREAM ? ev->u.stream.len
						: ev->u.datagram.len;
	if (flow_skipped(st, ev))
		return;
	if (!flow_of(st, ev) && (!burst_flow(c) || !outbound(st, c))) {
		if (ev->slots)
			ev->slots[PH_SLOT_BEACON] = st;
		return;
	}
	struct bc_flow *fl = flow_get(st, ev);
	if (!fl)
		return;
	bool quiet = !fl->last_data || ev->ts_ns >= fl->last_data +
						    st->burst_ns;
	fl->last_data = ev->ts_ns;
	if (ev->dir == PH_DIR_ORIG && quiet &&
	    !beats_add(st, &fl->b, ev->ts_ns, 0, 0))
		return;
	if (!fl->b.n)
		return;
	struct bc_beat *b = &fl->b.v[fl->b.n - 1];
	if (ev->dir == PH_DIR_ORIG)
		b->up = sat32((uint64_t)b->up + len);
	else
		b->down = sat32((uint64_t)b->down + len);
}

/* ------------------------------------------------------------------ */
/* Events. */

/* The registered domain of name (or name itself). */
static void reg_domain(const struct bc_state *st, const char *name,
		       char *out, size_t n)
{
	int off = ph_psl_registered(st->psl, name, strlen(name), NULL);
	snprintf(out, n, "%s", off > 0 ? name + off : name);
}

static void note_conn(struct bc_state *st, const struct ph_event *ev,
		      const char *name, const char *field, bool direct)
{
	const struct ph_conn *c = ev->conn;
	char dev[48], rem[48], key[BC_NAME];
	ph_detect_addr(c, 0, dev, sizeof dev);
	ph_detect_addr(c, 1, rem, sizeof rem);
	bool known = (name[0] && list_has(&st->svc, name)) ||
		     c->resp_port == 123 || ph_bd_label_is_call(c->app_label);
	for (int kind = BC_NAME_PAIR; kind <= BC_ADDR_PAIR; kind++) {
		if (kind == BC_NAME_PAIR && !name[0])
			continue;
		if (kind == BC_NAME_PAIR)
			reg_domain(st, name, key, sizeof key);
		struct bc_pair *p = pair_get(st, kind, dev,
					     kind == BC_NAME_PAIR ? key : rem,
					     kind ? c->resp_port : 0,
					     kind ? c->proto : 0, true);
		if (!p || !beats_add(st, &p->b, c->start_ns,
				     c->dir[0].bytes, c->dir[1].bytes))
			continue;
		pair_note(p, ev, rem);
		if (name[0] && !p->name[0]) {
			snprintf(p->name, sizeof p->name, "%s", name);
			snprintf(p->field, sizeof p->field, "%s", field);
		}
		p->known += known;
		p->direct += direct;
		p->tcp += c->proto == 6;
	}
}

static void report_keepalive(struct bc_state *st, const struct ph_event *ev,
			     struct bc_flow *fl, const char *name,
			     const char *field, bool direct);

static void on_end(struct bc_state *st, const struct ph_event *ev)
{
	const struct ph_conn *c = ev->conn;
	struct bc_flow *fl = flow_of(st, ev);
	if ((c->proto != 6 && c->proto != 17) || !c->dir[0].pkts ||
	    !outbound(st, c) || c->resp_port == 53 || c->resp_port == 5353) {
		flow_free(st, ev);
		return;
	}
	char name[BC_NAME] = "", field[16] = "";
	if (fl && fl->name[0]) {
		memcpy(name, fl->name, sizeof name);
		memcpy(field, fl->field, sizeof field);
	} else if (st->map) {
		char raw[BC_NAME];
		size_t k = ph_dns_map_name_of(st->map, c->resp_addr, c->ipver,
					      raw, sizeof raw);
		if (k) {
			lower_copy(name, sizeof name, raw, k);
			snprintf(field, sizeof field, "dns.answer");
		}
	}
	uint64_t first = 0;
	bool direct = !name[0] && !(st->map && ph_dns_map_ip_seen(
		st->map, c->resp_addr, c->ipver, &first, NULL) &&
		first <= c->start_ns);
	note_conn(st, ev, name, field, direct);
	/* A UDP flow's bursts only when no app protocol explains them
	 * (QUIC, calls, games and VPNs keep their own timers). */
	if (fl && fl->b.n >= st->par.min_beats &&
	    (c->proto == 6 || (!strstr(c->service, "quic") &&
			       !ph_bd_label_is_app(c->app_label))))
		report_keepalive(st, ev, fl, name, field, direct);
	flow_free(st, ev);
}

static bool skip_query(const char *q)
{
	size_t n = strlen(q);
	return !n || (n >= 6 && !strcmp(q + n - 6, ".local")) ||
	       (n >= 5 && !strcmp(q + n - 5, ".arpa")) || !strchr(q, '.');
}

/* The question's name as a series key (lower case, no final dot);
 * false when it is not worth a series. */
static bool query_key(const struct ph_dns_msg *m, char *q, size_t n)
{
	lower_copy(q, n, m->q[0].name.s, m->q[0].name.len);
	while (q[0] && q[strlen(q) - 1] == '.')
		q[strlen(q) - 1] = '\0';
	return !skip_query(q);
}

/* A response to the device: the smallest TTL of its answers, kept on the
 * name's series (a name re-asked each time its answer expires is a cache
 * or a connection kept fresh, not a timer of its own). */
static void on_dns_answer(struct bc_state *st, const struct ph_event *ev)
{
	const struct ph_dns_msg *m = ev->u.proto;
	const struct ph_conn *c = ev->conn;
	char q[BC_NAME], dev[48];
	if (ph_detect_side(&st->base, c) != 0 || !query_key(m, q, sizeof q))
		return;
	ph_detect_addr(c, 0, dev, sizeof dev);
	struct bc_pair *p = pair_get(st, BC_DNS_PAIR, dev, q, 0, 0, false);
	for (unsigned i = 0; p && i < m->nrr && i < PH_DNS_MAX_RRS; i++)
		if (m->rr[i].section == PH_DNS_ANSWER && m->rr[i].ttl &&
		    (!p->min_ttl || m->rr[i].ttl < p->min_ttl))
			p->min_ttl = m->rr[i].ttl;
}

static void on_dns(struct bc_state *st, const struct ph_event *ev)
{
	const struct ph_dns_msg *m = ev->u.proto;
	const struct ph_conn *c = ev->conn;
	if (m && c && m->what == PH_DNS_RESPONSE && m->qr && !m->multicast &&
	    m->nq && ev->dir == PH_DIR_RESP) {
		on_dns_answer(st, ev);
		return;
	}
	if (!m || m->what != PH_DNS_QUERY || m->qr || m->multicast ||
	    !m->nq || !c || ev->dir != PH_DIR_ORIG ||
	    ph_detect_side(&st->base, c) != 0)
		return;
	char q[BC_NAME], dev[48], rem[48];
	if (!query_key(m, q, sizeof q))
		return;
	ph_detect_addr(c, 0, dev, sizeof dev);
	ph_detect_addr(c, 1, rem, sizeof rem);
	struct bc_pair *p = pair_get(st, BC_DNS_PAIR, dev, q, 0, 0, true);
	if (!p || !beats_add(st, &p->b, ev->ts_ns, m->wire_len, 0))
		return;
	pair_note(p, ev, rem);
	if (!p->name[0]) {
		snprintf(p->name, sizeof p->name, "%s", q);
		snprintf(p->field, sizeof p->field, "dns.query");
	}
	p->known += list_has(&st->svc, q);
}

static void on_proto(struct bc_state *st, const struct ph_event *ev)
{
	if (ev->kind == PH_EV_TLS_CLIENT_HELLO) {
		const struct ph_tls_hello *h = ev->u.proto;
		if (h && h->sni_len)
			flow_name(st, ev, h->sni, strnlen(h->sni, h->sni_len),
				  "tls.sni");
	} else if (ev->kind == PH_EV_HTTP_REQUEST) {
		const struct ph_http_msg *m = ev->u.proto;
		if (!m || !m->is_request || !m->host.p)
			return;
		const char *col = memchr(m->host.p, ':', m->host.len);
		size_t n = col ? (size_t)(col - m->host.p) : m->host.len;
		flow_name(st, ev, m->host.p, n, "http.host");
	} else if (ev->kind == PH_EV_QUIC) {
		const struct ph_quic_initial *q = ev->u.proto;
		if (q && q->what == PH_QUIC_PACKET && q->from_client && q->sni)
			flow_name(st, ev, q->sni, strlen(q->sni), "quic.sni");
	}
}

static void bc_on_event(void *state, const struct ph_event *ev)
{
	struct bc_state *st = state;
	if (!st->first_ns || ev->ts_ns < st->first_ns)
		st->first_ns = ev->ts_ns;
	if (ev->ts_ns > st->last_ns)
		st->last_ns = ev->ts_ns;
	if (!ev->conn)
		return;
	if (ev->kind == PH_EV_STREAM || ev->kind == PH_EV_DATAGRAM)
		on_stream(st, ev);
	else if (ev->kind == PH_EV_FLOW_END)
		on_end(st, ev);
	else if (ev->kind == PH_EV_DNS)
		on_dns(st, ev);
	else
		on_proto(st, ev);
}

/* ------------------------------------------------------------------ */
/* Scoring and wording. */

/* What makes the destination known, listed or unexplained. */
struct bc_rating {
	bool known, intel, direct, tcp, bulky;
	uint32_t ttl;             /* DNS series re-asked as its answers'
				     TTL runs out: that TTL, else 0 */
	bool upload;              /* bulky beats, mostly sent: scheduled
				     transfer (T1029) rather than C2 */
	const char *label;        /* nDPI application label, or NULL */
	char hit[160];            /* indicator source / campaign */
};

static void check_intel(const struct bc_state *st, const char *name,
			const char *rem, struct bc_rating *r)
{
	struct ph_ioc_hit h[4];
	unsigned n = 0;
	if (!st->intel)
		return;
	if (name && name[0])
		n = ph_intel_match(st->intel, PH_IOC_DOMAIN, name,
				   strlen(name), h, 4);
	if (!n && rem && rem[0])
		n = ph_intel_match(st->intel, PH_IOC_IP, rem, strlen(rem), h,
				   4);
	for (unsigned i = 0; i < n && i < 4; i++) {
		if (h[i].allow) {
			r->known = true;
			continue;
		}
		const struct ph_intel_source *s = ph_intel_source(st->intel,
								  h[i].source);
		r->intel = true;
		snprintf(r->hit, sizeof r->hit, "%s%s%s", s ? s->name : "",
			 h[i].campaign[0] ? ": " : "", h[i].campaign);
		return;
	}
}

static void sev_of(const struct bc_rating *r, int level,
		   struct ph_finding *f)
{
	f->confidence = level > 1 ? PH_CONF_HIGH : PH_CONF_MEDIUM;
	if (r->intel) {
		f->severity = PH_SEV_HIGH;
		f->confidence = PH_CONF_HIGH;
	} else if (r->known || r->ttl) {
		f->severity = PH_SEV_LOW;
	} else if (!r->bulky && ((r->direct && (r->tcp || level > 1)) ||
				 (level > 1 && !r->label))) {
		f->severity = PH_SEV_HIGH;
	} else {
		f->severity = PH_SEV_MEDIUM;
	}
}

static const char *reason_of(const struct bc_rating *r, int level)
{
	if (r->intel)
		return "the destination is on an indicator list";
	if (r->ttl)
		return "the name is asked again as each answer's TTL runs "
		       "out, as a resolver cache or an app keeping its "
		       "connection fresh does";
	if (r->known)
		return "a known periodic service (push, time, connectivity "
		       "check, telemetry, or a call protocol nDPI recognised): "
		       "expected";
	if (r->bulky)
		return "periodic, but each beat moves a lot of data, as media "
		       "segments and sync jobs do; check-ins are small";
	if (r->direct)
		return "the address came from no DNS answer, as an implant's "
		       "built-in server address does";
	if (r->label && level > 1)
		return "strongly periodic, but nDPI recognises an application "
		       "that may keep such a timer";
	return level > 1 ? "strongly periodic contact with a destination no "
			   "list explains"
			 : "periodic contact with a destination no list "
			   "explains";
}

static void fmt_time(uint64_t ns, char *out, size_t n)
{
	time_t s = (time_t)(ns / 1000000000u);
	struct tm tm;
	if (!gmtime_r(&s, &tm) || !strftime(out, n, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(out, n, "?");
}

static void explain(struct ph_finding *f, const struct ph_beacon_result *r,
		    const struct bc_rating *rt, int level, const char *what,
		    const char *dest, const uint64_t *up, const uint64_t *down)
{
	char a[32], b[32];
	size_t len = 0;
	fmt_time(f->first_ns, a, sizeof a);
	fmt_time(f->last_ns, b, sizeof b);
	ph_detect_catf(f->explain, sizeof f->explain, &len,
		       "%s %s every %.0f s (±%.0f s jitter) %u times from %s "
		       "to %s UTC (%.0f %% of the beats the period predicts "
		       "are missing), %llu/%llu bytes up/down per beat "
		       "(median); scores ts %.2f ds %.2f hist %.2f dur %.2f "
		       "(RITA %.2f), period coherence %.2f, combined %.2f; "
		       "reason: %s%s%s.", what, dest,
		       r->period_s, r->jitter_s, r->beats, a, b,
		       r->missed * 100, (unsigned long long)*up,
		       (unsigned long long)*down, r->ts_score, r->ds_score,
		       r->hist_score, r->dur_score, r->rita_score,
		       r->coherence, r->score, reason_of(rt, level),
		       rt->intel ? " (" : "", rt->intel ? rt->hit : "");
	if (rt->intel)
		ph_detect_catf(f->explain, sizeof f->explain, &len, ")");
	if (rt->label)
		ph_detect_catf(f->explain, sizeof f->explain, &len,
			       " nDPI label: %s.", rt->label);
}

static const char *advice_of(const struct bc_rating *r)
{
	if (r->known)
		return "Nothing to do if the device runs the operating system "
		       "or app this service belongs to; the timer is its "
		       "heartbeat or sync.";
	return "Find which app makes these connections at that rhythm "
	       "(PCAPdroid captures name the app; on a computer, lsof/netstat "
	       "at the same times) and look the destination up (whois, a "
	       "reputation service). A timer to a place no installed app "
	       "explains is how implants check in: keep the device off "
	       "sensitive accounts and get it examined.";
}

static int cmp_beat(const void *a, const void *b)
{
	const struct bc_beat *x = a, *y = b;
	return (x->ts > y->ts) - (x->ts < y->ts);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Median of v[0..n) (reorders v). */
static uint64_t median_u64(uint64_t *v, unsigned n)
{
	qsort(v, n, sizeof *v, cmp_u64);
	return n ? v[n / 2] : 0;
}

/* Sorted, merged series of b into ts/bytes, with the median bytes up
 * and down of a beat; returns the beats. */
static unsigned series_of(const struct bc_state *st, struct bc_beats *b,
			  uint64_t *ts, uint64_t *bytes, uint64_t *up,
			  uint64_t *down)
{
	uint64_t u[PH_BEACON_MAX_BEATS], d[PH_BEACON_MAX_BEATS];
	uint64_t t2[PH_BEACON_MAX_BEATS];
	qsort(b->v, b->n, sizeof *b->v, cmp_beat);
	unsigned n = b->n > PH_BEACON_MAX_BEATS ? PH_BEACON_MAX_BEATS : b->n;
	for (unsigned i = 0; i < n; i++) {
		ts[i] = t2[i] = b->v[i].ts;
		u[i] = b->v[i].up;
		d[i] = b->v[i].down;
		bytes[i] = u[i] + d[i];
	}
	unsigned m = ph_beacon_merge(t2, u, n, st->merge_ns);
	memcpy(t2, ts, n * sizeof *ts);
	ph_beacon_merge(t2, d, n, st->merge_ns);
	*up = median_u64(u, m);
	*down = median_u64(d, m);
	return ph_beacon_merge(ts, bytes, n, st->merge_ns);
}

/* Scores a series (without a data-size score for DNS queries, whose size
 * is fixed by the name); 0 when it is not a beacon. */
static int score(struct bc_state *st, struct bc_beats *b, bool dns,
		 uint64_t first, uint64_t last, struct ph_beacon_result *r,
		 uint64_t *ts, unsigned *n, uint64_t *up, uint64_t *down)
{
	uint64_t bytes[PH_BEACON_MAX_BEATS];
	if (b->n < st->par.min_beats)
		return 0;
	*n = series_of(st, b, ts, bytes, up, down);
	struct ph_beacon_series s = {ts, dns ? NULL : bytes, *n, first, last};
	st->scored++;
	if (ph_beacon_score(&s, r) < 0)
		return 0;
	return ph_beacon_level(r, &st->par);
}

static void emit(struct bc_state *st, struct ph_finding *f,
		 const uint64_t *ts, unsigned n)
{
	ph_detect_emit(&st->base, f);
	ph_findings_set_series(st->findings, f, ts,
			       n > BC_SERIES ? BC_SERIES : n);
}

static void fill_common(struct ph_finding *f, const struct ph_beacon_result *r,
			const struct bc_rating *rt, int level,
			const uint64_t *ts, unsigned n)
{
	snprintf(f->attack, sizeof f->attack, "%s",
		 rt->upload ? "T1029" : "T1071");
	f->first_ns = ts[0];
	f->last_ns = ts[n - 1];
	f->count = r->beats;
	sev_of(rt, level, f);
}

static void report_keepalive(struct bc_state *st, const struct ph_event *ev,
			     struct bc_flow *fl, const char *name,
			     const char *field, bool direct)
{
	const struct ph_conn *c = ev->conn;
	struct ph_beacon_result r;
	uint64_t ts[PH_BEACON_MAX_BEATS], up, down;
	unsigned n = 0;
	int level = score(st, &fl->b, false, c->start_ns, c->last_ns, &r, ts,
			  &n, &up, &down);
	if (!level)
		return;
	bool bulky = up + down > st->bulky_bytes;
	struct ph_finding f;
	memset(&f, 0, sizeof f);
	ph_detect_conn_evidence(&f, ev, 0);
	struct bc_rating rt = {.direct = direct, .tcp = c->proto == 6,
			       .bulky = bulky,
			       .upload = bulky && up > down};
	rt.known = (name[0] && list_has(&st->svc, name)) ||
		   c->resp_port == 123;
	rt.label = ph_bd_label_is_app(c->app_label) ? c->app_label : NULL;
	check_intel(st, name, f.remote, &rt);
	snprintf(f.id, sizeof f.id, "beacon.keepalive");
	snprintf(f.name, sizeof f.name, "%s", name);
	snprintf(f.field, sizeof f.field, "%s", field[0] ? field :
		 "conn.resp_h");
	snprintf(f.matched, sizeof f.matched, "%s", c->uid);
	size_t tl = 0;
	char dest[BC_NAME + 64];
	snprintf(dest, sizeof dest, "%s%s%s port %u", name, name[0] ? " at " :
		 "", f.remote, c->resp_port);
	ph_detect_catf(f.title, sizeof f.title, &tl, "Periodic bursts inside "
		 "one connection to %s every %.0f s", name[0] ? name : f.remote,
		 r.period_s);
	fill_common(&f, &r, &rt, level, ts, n);
	explain(&f, &r, &rt, level, c->proto == 6 ?
		"Periodic bursts of data inside one TCP connection to" :
		"Periodic bursts of datagrams in one UDP flow (an "
		"unrecognised protocol) to", dest, &up, &down);
	snprintf(f.advice, sizeof f.advice, "%s", advice_of(&rt));
	emit(st, &f, ts, n);
}

static void pair_evidence(const struct bc_pair *p, struct ph_finding *f)
{
	snprintf(f->device, sizeof f->device, "%s", p->dev);
	snprintf(f->device_mac, sizeof f->device_mac, "%s", p->mac);
	snprintf(f->remote, sizeof f->remote, "%s", p->rem);
	snprintf(f->uid, sizeof f->uid, "%s", p->uid);
	snprintf(f->name, sizeof f->name, "%s", p->name);
	f->file_idx = p->file_idx;
	f->first_pkt = p->first_pkt;
	f->last_pkt = p->last_pkt;
	f->remote_port = p->kind == BC_DNS_PAIR ? 53 : p->port;
	f->proto = p->kind == BC_DNS_PAIR ? 17 : p->proto;
}

static void pair_words(const struct bc_pair *p, struct ph_finding *f,
		       const struct ph_beacon_result *r, char *dest,
		       size_t n)
{
	const char *proto = p->proto == 6 ? "tcp" : "udp";
	char *t = f->title;
	size_t tl = 0, tn = sizeof f->title;
	if (p->kind == BC_DNS_PAIR) {
		snprintf(f->id, sizeof f->id, "beacon.dns");
		snprintf(f->field, sizeof f->field, "dns.query");
		snprintf(dest, n, "%s (to the resolver %s)", p->key, p->rem);
		ph_detect_catf(t, tn, &tl, "The same DNS name "
			 "queried every %.0f s (%s)", r->period_s, p->key);
	} else if (p->kind == BC_NAME_PAIR) {
		snprintf(f->id, sizeof f->id, "beacon.periodic");
		snprintf(f->field, sizeof f->field, "%s", p->field);
		snprintf(dest, n, "%s (%s, last at %s)", p->key, p->name,
			 p->rem);
		ph_detect_catf(t, tn, &tl, "Periodic connections to "
			 "%s every %.0f s", p->key, r->period_s);
	} else {
		snprintf(f->id, sizeof f->id, "beacon.periodic");
		snprintf(f->field, sizeof f->field, "conn.resp_h");
		snprintf(dest, n, "%s port %u/%s%s%s", p->rem, p->port, proto,
			 p->name[0] ? " (" : "", p->name[0] ? p->name : "");
		if (p->name[0])
			snprintf(dest + strlen(dest), n - strlen(dest), ")");
		ph_detect_catf(t, tn, &tl, "Periodic connections to "
			 "%s port %u every %.0f s", p->rem, p->port,
			 r->period_s);
	}
	if (p->kind == BC_ADDR_PAIR)
		snprintf(f->matched, sizeof f->matched, "%s:%u/%s", p->key,
			 p->port, proto);
	else
		snprintf(f->matched, sizeof f->matched, "%s", p->key);
}

/* An address series whose connections all carried a name already
 * reported as a series of its own says nothing new. */
static bool covered(struct bc_state *st, const struct bc_pair *p)
{
	char key[BC_NAME];
	if (p->kind != BC_ADDR_PAIR || !p->name[0])
		return false;
	reg_domain(st, p->name, key, sizeof key);
	const struct bc_pair *q = pair_get(st, BC_NAME_PAIR, p->dev, key, 0,
					   0, false);
	return q && q->reported;
}

static void report_pair(struct bc_state *st, struct bc_pair *p)
{
	struct ph_beacon_result r;
	uint64_t ts[PH_BEACON_MAX_BEATS], up, down;
	unsigned n = 0;
	int level = score(st, &p->b, p->kind == BC_DNS_PAIR, st->first_ns,
			  st->last_ns, &r, ts, &n, &up, &down);
	if (!level)
		return;
	if (covered(st, p)) {
		st->suppressed++;
		return;
	}
	p->reported = true;
	struct ph_finding f;
	memset(&f, 0, sizeof f);
	char dest[BC_NAME * 2 + 64];
	pair_evidence(p, &f);
	pair_words(p, &f, &r, dest, sizeof dest);
	struct bc_rating rt = {.bulky = up + down > st->bulky_bytes};
	rt.upload = rt.bulky && up > down;
	rt.known = p->known && p->known == p->conns;
	rt.direct = p->kind != BC_DNS_PAIR && p->direct == p->conns;
	rt.tcp = p->proto == 6 || p->tcp == p->conns;
	rt.label = p->label[0] ? p->label : NULL;
	if (p->kind == BC_DNS_PAIR && p->min_ttl &&
	    r.period_s >= 0.8 * p->min_ttl &&
	    r.period_s <= 1.6 * p->min_ttl + 10)
		rt.ttl = p->min_ttl;
	check_intel(st, p->name[0] ? p->name : p->key,
		    p->kind == BC_DNS_PAIR ? NULL : p->rem, &rt);
	fill_common(&f, &r, &rt, level, ts, n);
	explain(&f, &r, &rt, level, p->kind == BC_DNS_PAIR ?
		"Periodic DNS queries for" : "Periodic contact with", dest, &up,
		&down);
	snprintf(f.advice, sizeof f.advice, "%s", advice_of(&rt));
	emit(st, &f, ts, n);
}

static int bc_finish(void *state, uint64_t last_ts_ns, struct ph_err *err)
{
	struct bc_state *st = state;
	(void)err;
	if (last_ts_ns > st->last_ns)
		st->last_ns = last_ts_ns;
	for (int kind = BC_NAME_PAIR; kind <= BC_DNS_PAIR; kind++)
		for (uint32_t i = 0; i < st->cap; i++)
			if (st->tab[i].used && st->tab[i].kind == kind)
				report_pair(st, &st->tab[i]);
	return PH_OK;
}

/* ------------------------------------------------------------------ */
/* Life cycle. */

static const struct ph_module_option bc_options[] = {
	{"min_beats", 6, 4, 1e6, "count", "beats (connections, queries or "
	 "bursts a second or more apart) a series needs"},
	{"min_period", 10, 1, 86400, "seconds", "shorter periods are left "
	 "out (apps polling or streaming)"},
	{"min_span", 180, 0, 1e7, "seconds", "time from the first to the "
	 "last beat a series needs"},
	{"min_score", 0.6, 0, 1, "ratio", "combined score that makes a "
	 "finding (medium, or low for a known service)"},
	{"strong_score", 0.8, 0, 1, "ratio", "combined score that makes a "
	 "finding to an unknown destination high"},
	{"merge_window", 1, 0, 60, "seconds", "connections or queries this "
	 "close to a beat's first one belong to that beat"},
	{"burst_gap", 1, 0.01, 3600, "seconds", "silence before device data "
	 "that starts a new burst inside one connection"},
	{"bulky_bytes", 262144, 0, 1e12, "bytes", "median bytes up plus "
	 "down per beat above which a series reads as media or sync (never "
	 "high unless listed)"},
	{"max_pairs", 8192, 16, 262144, "count", "series (device, destination) "
	 "kept; more are counted as dropped"},
	{"max_beats", 1024, 16, 1024, "count", "beats kept per series (the "
	 "first ones); more are counted as dropped"},
	{"max_total_beats", 1048576, 1024, 1e8, "count", "beat slots (16 "
	 "bytes each) over all series and connections; more beats are "
	 "counted as dropped"},
	{"max_flows", 65536, 16, 1e7, "count", "connections followed for "
	 "bursts at once; more are counted as dropped"},
	{"services", 0, 0, 0, "path", "known periodic services, one domain "
	 "a line (default: built-in data/periodic-services.txt)"},
	{NULL, 0, 0, 0, NULL, NULL},
};

static void bc_read_options(struct bc_state *st,
			    const struct ph_module_env *env)
{
	const struct ph_module *m = &ph_beacon_module;
	st->par.min_beats = (unsigned)ph_module_option(env, m, "min_beats");
	st->par.min_period_s = ph_module_option(env, m, "min_period");
	st->par.min_span_s = ph_module_option(env, m, "min_span");
	st->par.min_score = ph_module_option(env, m, "min_score");
	st->par.strong_score = ph_module_option(env, m, "strong_score");
	st->merge_ns = (uint64_t)(ph_module_option(env, m, "merge_window") *
				  1e9);
	st->burst_ns = (uint64_t)(ph_module_option(env, m, "burst_gap") * 1e9);
	st->bulky_bytes = (uint64_t)ph_module_option(env, m, "bulky_bytes");
	st->max_pairs = (uint32_t)ph_module_option(env, m, "max_pairs");
	st->max_beats = (uint32_t)ph_module_option(env, m, "max_beats");
	st->max_flows = (uint32_t)ph_module_option(env, m, "max_flows");
	st->max_total = (uint64_t)ph_module_option(env, m, "max_total_beats");
}

static void bc_destroy(void *state)
{
	struct bc_state *st = state;
	if (!st)
		return;
	for (uint32_t i = 0; st->tab && i < st->cap; i++)
		free(st->tab[i].b.v);
	free(st->tab);
	ph_name_list_free(&st->svc);
	ph_psl_free(st->psl);
	free(st);
}

static int bc_alloc(struct bc_state *st, const struct ph_module_env *env,
		    struct ph_err *err)
{
	struct ph_err e = {0};
	st->cap = 16;
	while (st->cap < 2 * st->max_pairs)
		st->cap *= 2;
	st->tab = calloc(st->cap, sizeof *st->tab);
	st->psl = ph_psl_new(PH_PSL_DEFAULT_PATH, &e);
	if (!st->psl)
		st->psl = ph_psl_new(NULL, &e);
	if (!st->tab || !st->psl)
		return ph_err_set(err, PH_ENOMEM, "out of memory");
	return ph_name_list_load(&st->svc, ph_module_option_path(
					 env, &ph_beacon_module, "services"),
				 ph_data_periodic_services, "beacon", err);
}

static int bc_init(const struct ph_module_env *env, void **state,
		   struct ph_err *err)
{
	struct ph_detect_base base;
	if (ph_detect_base_init(&base, env) == PH_MODULE_SKIP)
		return PH_MODULE_SKIP;
	struct bc_state *st = calloc(1, sizeof *st);
	if (!st)
		return ph_err_set(err, PH_ENOMEM, "out of memory");
	st->base = base;
	st->findings = env->findings;
	st->map = env->shared ? env->shared->dns_map : NULL;
	st->intel = env->intel;
	st->first_ns = env->first_ts_ns;
	bc_read_options(st, env);
	int rc = bc_alloc(st, env, err);
	if (rc < 0) {
		bc_destroy(st);
		return rc;
	}
	*state = st;
	return PH_OK;
}

static unsigned bc_counters(const void *state, struct ph_module_counter *out,
			    unsigned max)
{
	const struct bc_state *st = state;
	const struct ph_module_counter c[] = {
		{"series", st->npairs},
		{"series_scored", st->scored},
		{"series_dropped", st->pairs_dropped},
		{"beats_dropped", st->beats_dropped},
		{"flows_dropped", st->flows_dropped},
		{"address_series_covered_by_name", st->suppressed},
		{"findings_dropped", st->base.dropped},
	};
	return ph_module_counters_copy(out, max, c, sizeof c / sizeof c[0]);
}

const struct ph_module ph_beacon_module = {
	.name = "beacon",
	.summary = "C2 beaconing: connections, DNS queries or bursts on a "
		   "timer",
	.mask = PH_EV_FLOW_END | PH_EV_STREAM | PH_EV_DATAGRAM | PH_EV_DNS |
		PH_EV_TLS_CLIENT_HELLO | PH_EV_HTTP_REQUEST | PH_EV_QUIC,
	.init = bc_init,
	.on_event = bc_on_event,
	.finish = bc_finish,
	.counters = bc_counters,
	.destroy = bc_destroy,
	.options = bc_options,
	.detection = true,
};
