/* Detection "dns_injection": forged DNS answers. A censor or an attacker
 * on the path (Great Firewall, Salt-Typhoon-style access to a carrier)
 * races the real resolver with its own answer: the device then sees two
 * answers to one query, from the same address and port, with different
 * records, the forged one usually first and fast (`double_answer`). Each
 * UDP DNS response is paired with its IP TTL by waiting for the same
 * packet's PH_EV_PACKET (emitted right after its PH_EV_DNS); answers are
 * kept per flow in its slot PH_SLOT_DNS_INJECTION (a ring grown up to
 * DNS_KEEP, freed at FLOW_END; other packets cost one compare). Each
 * resolver's answer TTLs are counted too: an answer whose TTL is unlike
 * every other answer of a resolver that is otherwise steady is reported at
 * the end as `ttl_mismatch` (low). Resolvers, rings and candidates are
 * capped and counted. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"
#include "detect/path_pkt.h"
#include "peephole/module.h"
#include "peephole/proto_dns.h"

#define DNS_KEEP 8          /* answers remembered per flow */
#define RESOLVERS_MAX 64    /* resolvers whose TTLs are counted */
#define TTL_VALUES 8        /* distinct TTLs counted per resolver */
#define CAND_MAX 32         /* answers held as TTL outliers until the end */

struct ans {
	uint64_t ts, query_ts;   /* query_ts 0: no query seen */
	uint32_t qhash, ahash;
	uint16_t id;
	int16_t cand;            /* index in cands, -1 none */
	uint8_t rcode, ttl;      /* ttl 0: unknown */
	char text[64];           /* first record, for the explanation */
};

/* One flow's last answers: a ring with room for `room` (grown up to
 * DNS_KEEP). */
struct dflow {
	uint8_t n, next, room;
	struct ans a[];
};

struct resolver {
	uint8_t addr[16];
	uint8_t ver, nval;
	uint8_t ttl[TTL_VALUES];
	uint32_t count[TTL_VALUES];
	uint32_t total;
};

struct cand {
	struct ph_finding f;
	uint8_t ttl;
	uint8_t res;             /* index in resolvers */
	bool dropped;            /* part of a double answer: reported there */
};

/* The response waiting for its packet's TTL. */
struct pending {
	bool on;
	void **slot;             /* the flow's PH_SLOT_DNS_INJECTION */
	uint64_t conn_id, pkt_no;
	uint32_t file_idx;
	struct ans a;
	bool unsolicited;        /* no query left to pair with */
	uint8_t addr[16], ver;   /* resolver */
	/* For the evidence, made only when a finding needs it. */
	int8_t side;
	uint64_t ts;
	struct ph_conn conn;     /* copy: a finding may come at the end */
	char name[sizeof ((struct ph_finding *)0)->name]; /* first question */
};

struct dns_inj {
	struct ph_detect_base base;
	struct ph_path_cap flows;
	struct resolver res[RESOLVERS_MAX];
	unsigned nres;
	struct cand cands[CAND_MAX];
	unsigned ncand;
	struct pending p;
	unsigned ttl_delta, min_responses;
	double fast_ratio, dominant;
	uint64_t responses, no_ttl, duplicates, doubles, res_full, cand_full;
};

static const struct ph_module_option dns_inj_options[] = {
	{"fast_ratio", 0.5, 0, 1, "ratio", "the earlier of two different "
	 "answers is 'implausibly fast' when it came in less than this share "
	 "of the later one's time"},
	{"ttl_delta", 3, 1, 255, "hops", "IP TTL difference (hops) that "
	 "sets an answer apart from its resolver's other answers"},
	{"min_responses", 10, 2, 1000000, "count", "answers from a resolver "
	 "needed before a lone odd-TTL answer is reported"},
	{"dominant", 0.8, 0.5, 1, "ratio", "share of a resolver's answers "
	 "that must carry its usual TTL for ttl_mismatch"},
	{"max_flows", 65536, 16, 16777216, "count", "DNS flows watched at "
	 "once (more are not checked; counted)"},
	{NULL, 0, 0, 0, NULL, NULL},
};

static uint32_t fnv(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

/* One answer record's hash: type and its meaning (decoded names and
 * addresses; raw rdata otherwise), not its TTL. */
static uint32_t rr_hash(const struct ph_dns_rr *r)
{
	uint32_t h = fnv(2166136261u, &r->type, sizeof r->type);
	if (r->rdata_ok && (r->type == PH_DNS_A || r->type == PH_DNS_AAAA))
		return fnv(h, r->u.addr, r->type == PH_DNS_A ? 4 : 16);
	if (r->rdata_ok && r->target.len)
		return fnv(h, r->target.s, r->target.len);
	return r->rdata ? fnv(h, r->rdata, r->rdlen) : h;
}

/* The answer section as a set (order does not matter), with the rcode. */
static uint32_t answer_hash(const struct ph_dns_msg *m)
{
	uint32_t sum = 0, n = 0;
	for (unsigned i = 0; i < m->nrr; i++)
		if (m->rr[i].section == PH_DNS_ANSWER) {
			sum += rr_hash(&m->rr[i]);
			n++;
		}
	uint32_t h = fnv(2166136261u, &sum, sizeof sum);
	h = fnv(h, &n, sizeof n);
	return fnv(h, &m->rcode, sizeof m->rcode);
}

static void answer_text(const struct ph_dns_msg *m, char *out, size_t n)
{
	for (unsigned i = 0; i < m->nrr; i++) {
		const struct ph_dns_rr *r = &m->rr[i];
		if (r->section != PH_DNS_ANSWER || !r->rdata_ok)
			continue;
		if (r->type == PH_DNS_A || r->type == PH_DNS_AAAA) {
			if (inet_ntop(r->type == PH_DNS_A ? AF_INET : AF_INET6,
				      r->u.addr, out, (socklen_t)n))
				return;
		} else if (r->type == PH_DNS_CNAME) {
			snprintf(out, n, "CNAME %s", r->target.s);
			return;
		}
	}
	if (m->rcode == 3)
		snprintf(out, n, "NXDOMAIN (no such name)");
	else
		snprintf(out, n, "%u records, rcode %u", m->ancount, m->rcode);
}

static struct resolver *resolver_of(struct dns_inj *st, const uint8_t *a,
				    uint8_t ver)
{
	for (unsigned i = 0; i < st->nres; i++)
		if (st->res[i].ver == ver &&
		    memcmp(st->res[i].addr, a, ver == 4 ? 4 : 16) == 0)
			return &st->res[i];
	if (st->nres == RESOLVERS_MAX) {
		st->res_full++;
		return NULL;
	}
	struct resolver *r = &st->res[st->nres++];
	memcpy(r->addr, a, 16);
	r->ver = ver;
	return r;
}

static int ttl_slot(const struct resolver *r, uint8_t ttl)
{
	for (unsigned i = 0; i < r->nval; i++)
		if (r->ttl[i] == ttl)
			return (int)i;
	return -1;
}

/* Counts the answer's TTL for its resolver; a TTL the resolver has not
 * shown before becomes a candidate (judged at the end). */
/* A finding with the pending response's evidence and name. */
static void pending_finding(const struct pending *p, struct ph_finding *x)
{
	struct ph_event ev = {.kind = PH_EV_DNS, .conn = &p->conn,
			      .ts_ns = p->ts, .pkt_no = p->pkt_no,
			      .file_idx = p->file_idx};
	memset(x, 0, sizeof *x);
	ph_detect_evidence(x, &ev, p->side);
	memcpy(x->name, p->name, sizeof x->name);
}

static int16_t count_ttl(struct dns_inj *st, const struct pending *p)
{
	struct resolver *r = resolver_of(st, p->addr, p->ver);
	if (!r)
		return -1;
	int16_t cand = -1;
	int k = ttl_slot(r, p->a.ttl);
	if (k < 0 && st->ncand == CAND_MAX)
		st->cand_full++;
	else if (k < 0) {
		cand = (int16_t)st->ncand;
		struct cand *c = &st->cands[st->ncand++];
		pending_finding(p, &c->f);
		c->ttl = p->a.ttl;
		c->res = (uint8_t)(r - st->res);
		c->dropped = false;
	}
	if (k < 0 && r->nval < TTL_VALUES) {
		k = r->nval++;
		r->ttl[k] = p->a.ttl;
	}
	if (k >= 0)
		r->count[k]++;
	r->total++;
	return cand;
}

static unsigned ttl_gap(uint8_t a, uint8_t b)
{
	return a > b ? (unsigned)(a - b) : (unsigned)(b - a);
}

static void describe_double(struct ph_finding *x, const struct ans *first,
			    const struct pending *p, bool fast, bool ttl_off)
{
	size_t n = 0;
	uint64_t q = first->query_ts;
	snprintf(x->title, sizeof x->title, "Two different DNS answers "
		 "arrived for one query: one was probably forged");
	ph_detect_catf(x->explain, sizeof x->explain, &n,
		"The device asked for %s once and got two answers from the "
		"same server address: first %s", x->name, first->text);
	if (q)
		ph_detect_catf(x->explain, sizeof x->explain, &n,
			" after %.1f ms", (double)(first->ts - q) / 1e6);
	ph_detect_catf(x->explain, sizeof x->explain, &n, ", then %s",
		       p->a.text);
	if (q)
		ph_detect_catf(x->explain, sizeof x->explain, &n,
			" after %.1f ms", (double)(p->a.ts - q) / 1e6);
	ph_detect_catf(x->explain, sizeof x->explain, &n, ". A resolver "
		"answers once; a second, different answer means a box on the "
		"path injected one (as China's Great Firewall does, or an "
		"attacker redirecting the device to a server of theirs).");
	if (fast)
		ph_detect_catf(x->explain, sizeof x->explain, &n, " The first "
			"came implausibly fast, before the real server could.");
	if (ttl_off)
		ph_detect_catf(x->explain, sizeof x->explain, &n, " The two "
			"arrived with IP TTLs %u and %u: they took different "
			"paths.", first->ttl, p->a.ttl);
	ph_detect_catf(x->explain, sizeof x->explain, &n, " Ordinary "
		"networks practically never do this.");
	snprintf(x->advice, sizeof x->advice, "Do not trust this network's "
		 "DNS: use encrypted DNS (DNS over HTTPS/TLS, Android 'Private "
		 "DNS') or a trusted VPN, and check that the app or site "
		 "reached was the real one (certificate warnings matter). "
		 "Keep this capture.");
}

static void report_double(struct dns_inj *st, const struct ans *first,
			  const struct pending *p)
{
	struct ph_finding x;
	pending_finding(p, &x);
	uint64_t q = first->query_ts;
	bool fast = q && first->ts > q && p->a.ts > first->ts &&
		    (double)(first->ts - q) <
			    st->fast_ratio * (double)(p->a.ts - q);
	bool ttl_off = first->ttl && p->a.ttl &&
		       ttl_gap(first->ttl, p->a.ttl) >= st->ttl_delta;
	snprintf(x.id, sizeof x.id, "dns_injection.double_answer");
	x.severity = PH_SEV_MEDIUM;
	x.confidence = fast || ttl_off ? PH_CONF_HIGH : PH_CONF_MEDIUM;
	snprintf(x.attack, sizeof x.attack, "T1557");
	snprintf(x.field, sizeof x.field, "dns.answer");
	snprintf(x.matched, sizeof x.matched, "%s / %s", first->text,
		 p->a.text);
	x.first_ns = first->ts;
	describe_double(&x, first, p, fast, ttl_off);
	ph_detect_emit(&st->base, &x);
	st->doubles++;
	if (first->cand >= 0)
		st->cands[first->cand].dropped = true;
	if (p->a.cand >= 0)
		st->cands[p->a.cand].dropped = true;
}

/* The flow's answers, made at its first response; NULL when the flow has
 * no slot, the cap is reached or memory ran out. */
static struct dflow *flow_of(struct dns_inj *st, void **slot)
{
	if (!slot || *slot)
		return slot ? *slot : NULL;
	if (!ph_path_cap_take(&st->flows))
		return NULL;
	struct dflow *f = calloc(1, sizeof *f);
	if (!f)
		ph_path_cap_give(&st->flows);
	*slot = f;
	return f;
}

/* Room for one more answer in the ring (doubling up to DNS_KEEP). */
static struct dflow *grow(void **slot)
{
	struct dflow *f = *slot;
	unsigned room = f->room ? f->room * 2u : 1u;
	if (room > DNS_KEEP)
		room = DNS_KEEP;
	f = realloc(f, sizeof *f + room * sizeof f->a[0]);
	if (!f)
		return NULL;
	f->room = (uint8_t)room;
	*slot = f;
	return f;
}

/* The response with its TTL (0 when unknown): counted for its resolver,
 * compared with earlier answers to the same query on the flow. */
static void settle(struct dns_inj *st)
{
	struct pending *p = &st->p;
	p->on = false;
	p->a.cand = p->a.ttl ? count_ttl(st, p) : -1;
	struct dflow *f = flow_of(st, p->slot);
	if (!f)
		return;
	for (unsigned i = 0; i < f->n; i++) {
		const struct ans *a = &f->a[i];
		if (a->id != p->a.id || a->qhash != p->a.qhash)
			continue;
		if (a->ahash == p->a.ahash || !p->unsolicited)
			st->duplicates++;
		else
			report_double(st, a, p);
		return;
	}
	if (f->next >= f->room && !(f = grow(p->slot)))
		return;
	f->a[f->next] = p->a;
	f->next = (uint8_t)((f->next + 1) % DNS_KEEP);
	if (f->n < DNS_KEEP)
		f->n++;
}

static void on_dns(struct dns_inj *st, const struct ph_event *ev)
{
	const struct ph_dns_msg *m = ev->u.proto;
	const struct ph_conn *c = ev->conn;
	if (m->what != PH_DNS_RESPONSE || m->transport != 17 || m->multicast)
		return;
	int side = ph_detect_side(&st->base, c);
	if (side < 0 || (side ? c->orig_port : c->resp_port) != 53)
		return;
	if (st->p.on) {
		st->no_ttl++;
		settle(st);
	}
	struct pending *p = &st->p;
	memset(p, 0, sizeof *p);
	st->responses++;
	p->on = true;
	p->slot = ev->slots ? &ev->slots[PH_SLOT_DNS_INJECTION] : NULL;
	p->conn_id = c->id;
	p->pkt_no = ev->pkt_no;
	p->file_idx = ev->file_idx;
	p->unsolicited = m->query == NULL;
	p->a.id = m->id;
	p->a.rcode = m->rcode;
	p->a.qhash = m->nq ? fnv(2166136261u, m->q[0].name.s, m->q[0].name.len)
			   : 0;
	p->a.ahash = answer_hash(m);
	p->a.ts = ev->ts_ns;
	p->a.query_ts = m->query ? m->query->ts_ns : 0;
	answer_text(m, p->a.text, sizeof p->a.text);
	memcpy(p->addr, side ? c->orig_addr : c->resp_addr, 16);
	p->ver = c->ipver;
	p->side = (int8_t)side;
	p->ts = ev->ts_ns;
	p->conn = *c;
	if (m->nq) {
		size_t n = strnlen(m->q[0].name.s, sizeof p->name - 1);
		memcpy(p->name, m->q[0].name.s, n);
	}
}

static void on_packet(struct dns_inj *st, const struct ph_event *ev)
{
	if (!st->p.on || ev->pkt_no != st->p.pkt_no ||
	    ev->conn->id != st->p.conn_id || ev->file_idx != st->p.file_idx)
		return;
	struct ph_path_pkt pk;
	if (ph_path_parse(ev, &pk))
		st->p.a.ttl = pk.ttl ? pk.ttl : 1;
	settle(st);
}

/* The pending response of the flow is settled, its answers freed. */
static void on_flow_end(struct dns_inj *st, const struct ph_event *ev)
{
	if (ev->conn->proto == 17 && st->p.on && st->p.conn_id == ev->conn->id)
		settle(st);
	if (ev->slots && ev->slots[PH_SLOT_DNS_INJECTION]) {
		free(ev->slots[PH_SLOT_DNS_INJECTION]);
		ev->slots[PH_SLOT_DNS_INJECTION] = NULL;
		ph_path_cap_give(&st->flows);
	}
}

static void dns_inj_on_event(void *state, const struct ph_event *ev)
{
	struct dns_inj *st = state;
	if (!ev->conn)
		return;
	if (ev->kind == PH_EV_PACKET) {
		on_packet(st, ev);
	} else if (ev->kind == PH_EV_DNS) {
		on_dns(st, ev);
	} else if (ev->kind == PH_EV_FLOW_END) {
		on_flow_end(st, ev);
	}
}

/* At the end: a candidate whose TTL no other answer of its resolver
 * carried, far from the TTL most of them carried. */
static bool lone_ttl(const struct dns_inj *st, const struct cand *c,
		     uint8_t *usual)
{
	const struct resolver *r = &st->res[c->res];
	if (c->dropped || r->total < st->min_responses)
		return false;
	unsigned dom = 0;
	for (unsigned i = 1; i < r->nval; i++)
		if (r->count[i] > r->count[dom])
			dom = i;
	int k = ttl_slot(r, c->ttl);
	*usual = r->ttl[dom];
	return k >= 0 && r->count[k] == 1 &&
	       ttl_gap(c->ttl, r->ttl[dom]) >= st->ttl_delta &&
	       (double)r->count[dom] >= st->dominant * (double)r->total;
}

static int dns_inj_finish(void *state, uint64_t last_ts_ns, struct ph_err *err)
{
	struct dns_inj *st = state;
	(void)last_ts_ns;
	(void)err;
	if (st->p.on) {
		st->p.slot = NULL; /* its flow has ended: TTL counted only */
		settle(st);
	}
	for (unsigned i = 0; i < st->ncand; i++) {
		struct ph_finding *x = &st->cands[i].f;
		uint8_t usual;
		if (!lone_ttl(st, &st->cands[i], &usual))
			continue;
		size_t n = 0;
		snprintf(x->id, sizeof x->id, "dns_injection.ttl_mismatch");
		x->severity = PH_SEV_LOW;
		x->confidence = PH_CONF_LOW;
		snprintf(x->attack, sizeof x->attack, "T1557");
		snprintf(x->field, sizeof x->field, "ip.ttl");
		snprintf(x->matched, sizeof x->matched, "ttl %u vs usual %u",
			 st->cands[i].ttl, usual);
		snprintf(x->title, sizeof x->title, "A DNS answer arrived by "
			 "a different path than the resolver's others");
		ph_detect_catf(x->explain, sizeof x->explain, &n,
			"The answer for %s came with IP TTL %u, while the "
			"resolver's other answers came with TTL %u: it may have "
			"been forged by a box on the path. Route changes and "
			"resolvers behind load balancers cause this too, so "
			"alone it means little.",
			x->name[0] ? x->name : "a name", st->cands[i].ttl,
			usual);
		snprintf(x->advice, sizeof x->advice, "Check whether the "
			 "address in that answer belongs to the name's owner; "
			 "prefer encrypted DNS (DNS over HTTPS/TLS) on untrusted "
			 "networks.");
		ph_detect_emit(&st->base, x);
	}
	return PH_OK;
}

extern const struct ph_module ph_dns_injection_module;

static int dns_inj_init(const struct ph_module_env *env, void **state,
			struct ph_err *err)
{
	struct ph_detect_base base;
	if (ph_detect_base_init(&base, env) == PH_MODULE_SKIP)
		return PH_MODULE_SKIP;
	struct dns_inj *st = calloc(1, sizeof *st);
	if (!st)
		return ph_err_set(err, PH_ENOMEM, "dns_injection: out of memory");
	const struct ph_module *m = &ph_dns_injection_module;
	st->base = base;
	st->fast_ratio = ph_module_option(env, m, "fast_ratio");
	st->ttl_delta = (unsigned)ph_module_option(env, m, "ttl_delta");
	st->min_responses = (unsigned)ph_module_option(env, m,
						       "min_responses");
	st->dominant = ph_module_option(env, m, "dominant");
	st->flows.max = (uint32_t)ph_module_option(env, m, "max_flows");
	*state = st;
	return PH_OK;
}

static unsigned dns_inj_counters(const void *state,
				 struct ph_module_counter *out, unsigned max)
{
	const struct dns_inj *st = state;
	const struct ph_module_counter c[] = {
		{"dnsinj_responses", st->responses},
		{"dnsinj_without_ttl", st->no_ttl},
		{"dnsinj_duplicate_answers", st->duplicates},
		{"dnsinj_double_answers", st->doubles},
		{"dnsinj_flows_untracked", st->flows.full},
		{"dnsinj_resolvers_untracked", st->res_full},
		{"dnsinj_ttl_candidates_dropped", st->cand_full},
		{"dnsinj_findings_dropped", st->base.dropped},
	};
	return ph_module_counters_copy(out, max, c, sizeof c / sizeof c[0]);
}

static void dns_inj_destroy(void *state)
{
	struct dns_inj *st = state;
	if (!st)
		return;
	free(st);
}

const struct ph_module ph_dns_injection_module = {
	.name = "dns_injection",
	.summary = "forged DNS answers: two different answers to one query, "
		   "answers with an odd IP TTL",
	.mask = PH_EV_DNS | PH_EV_PACKET | PH_EV_FLOW_END,
	.init = dns_inj_init,
	.on_event = dns_inj_on_event,
	.finish = dns_inj_finish,
	.counters = dns_inj_counters,
	.destroy = dns_inj_destroy,
	.options = dns_inj_options,
	.detection = true,
};
