/* The DNS parser module (ph_dns_module): picks DNS flows by port (UDP 53,
 * 5353 mDNS, 5355 LLMNR; TCP 53) with a header sanity check, frames DNS
 * over TCP (RFC 1035 4.2.2: 2-byte length, several messages per stream,
 * messages split across segments, kept in a per-direction buffer of at
 * most 2 + 65535 bytes), decodes each message (dns_msg.c), pairs responses
 * with queries by (flow, id, question name) with RTT, and emits PH_EV_DNS.
 * Queries to multicast responders are never paired (Zeek). Pending queries
 * are bounded per flow (PH_DNS_PENDING_MAX, oldest given up first) and
 * reported as PH_DNS_UNANSWERED at flow end. Answers feed the session's
 * resolved-address map (dns_map.h). Other flows are marked "not mine" on
 * their first event and cost one pointer compare afterwards. */
#include <stdlib.h>
#include <string.h>

#include "peephole/module.h"
#include "proto/dns_int.h"
#include "peephole/dns_map.h"

#define PH_DNS_PENDING_MAX 64   /* unanswered queries kept per flow */
#define PH_DNS_TCP_BUF (2 + 65535)
#define PH_DNS_CHAIN_MAX 8      /* CNAME steps followed for the map */

enum { P_TCP = 6, P_UDP = 17 };

static const char not_mine_mark;
#define NOT_MINE ((void *)&not_mine_mark)

struct tcp_dir {
	uint8_t *buf;           /* owned, PH_DNS_TCP_BUF bytes, lazily */
	uint32_t have;          /* bytes of the current message buffered */
	bool dead;              /* framing lost (gap or garbage) */
};

struct dns_flow {
	bool multicast;
	uint16_t npend, cap;
	struct ph_dns_query_info *pend; /* owned, oldest first */
	struct tcp_dir tcp[2];
};

struct dns_counts {
	uint64_t msgs, queries, responses, matched, unanswered, not_dns,
		malformed, pending_evicted, tcp_gaps, tcp_garbage, oom;
};

struct dns_state {
	ph_event_fn emit;
	void *bus;
	struct ph_dns_msg *msg;     /* owned: the message being emitted */
	struct ph_dns_map *map;     /* owned */
	struct ph_dns_caps caps;
	struct dns_counts n;
};

static bool is_multicast(const struct ph_conn *c)
{
	if (c->ipver == 4)
		return (c->resp_addr[0] & 0xf0) == 0xe0;
	return c->resp_addr[0] == 0xff;
}

static bool dns_port(uint16_t p, uint8_t proto)
{
	if (proto == P_TCP)
		return p == 53;
	return p == 53 || p == 5353 || p == 5355;
}

/* The flow's state, created on its first event; NULL if not DNS. */
static struct dns_flow *flow_get(struct dns_state *st,
				 const struct ph_event *ev)
{
	void **slot = &ev->slots[PH_SLOT_DNS];
	if (*slot == NOT_MINE)
		return NULL;
	if (*slot)
		return *slot;
	const struct ph_conn *c = ev->conn;
	if ((c->proto != P_UDP && c->proto != P_TCP) ||
	    !(dns_port(c->resp_port, c->proto) ||
	      dns_port(c->orig_port, c->proto))) {
		*slot = NOT_MINE;
		return NULL;
	}
	struct dns_flow *f = calloc(1, sizeof *f);
	if (!f) {
		st->n.oom++;
		*slot = NOT_MINE;
		return NULL;
	}
	f->multicast = is_multicast(c);
	*slot = f;
	return f;
}

static void emit(struct dns_state *st, const struct ph_event *ev,
		 enum ph_dns_what what)
{
	struct ph_event e = *ev;
	e.kind = PH_EV_DNS;
	e.u.proto = st->msg;
	st->msg->what = what;
	st->emit(st->bus, &e);
}

/* Reports a pending query as unanswered (st->msg is reused). */
static void emit_unanswered(struct dns_state *st, const struct ph_event *ev,
			    const struct ph_dns_query_info *qi)
{
	struct ph_dns_msg *m = st->msg;
	struct ph_dns_query_info copy = *qi;
	m->transport = ev->conn->proto;
	m->multicast = is_multicast(ev->conn);
	m->pending = false;
	m->wire_len = 0;
	m->id = qi->id;
	m->qr = m->aa = m->tc = m->rd = m->ra = m->z = m->ad = m->cd = false;
	m->opcode = qi->opcode;
	m->rcode = 0;
	m->qdcount = m->ancount = m->nscount = m->arcount = 0;
	m->malformed = m->capped = false;
	m->nq = m->nrr = 0;
	m->query = &copy;
	m->rtt_ns = 0;
	st->n.unanswered++;
	emit(st, ev, PH_DNS_UNANSWERED);
}

static void pend_push(struct dns_state *st, struct dns_flow *f,
		      const struct ph_event *ev,
		      const struct ph_dns_query_info *qi)
{
	if (f->npend == PH_DNS_PENDING_MAX) {
		struct ph_dns_query_info old = f->pend[0];
		memmove(f->pend, f->pend + 1, (f->npend - 1) * sizeof *f->pend);
		f->npend--;
		st->n.pending_evicted++;
		emit_unanswered(st, ev, &old);
	}
	if (f->npend == f->cap) {
		uint16_t nc = f->cap ? (uint16_t)(f->cap * 4) : 1;
		if (nc > PH_DNS_PENDING_MAX)
			nc = PH_DNS_PENDING_MAX;
		void *p = realloc(f->pend, nc * sizeof *f->pend);
		if (!p) {
			st->n.oom++;
			return;
		}
		f->pend = p;
		f->cap = nc;
	}
	f->pend[f->npend++] = *qi;
}

static bool same_name(const struct ph_dns_name *a, const struct ph_dns_name *b)
{
	return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

/* The oldest pending query this response answers, or -1: same id, and
 * the same (last) question name when both have one. */
static int pend_find(const struct dns_flow *f, const struct ph_dns_msg *m)
{
	const struct ph_dns_name *qn = m->nq ? &m->q[m->nq - 1].name : NULL;
	for (int i = 0; i < f->npend; i++) {
		const struct ph_dns_query_info *p = &f->pend[i];
		if (p->id != m->id)
			continue;
		if (!qn || !p->has_question || same_name(&p->qname, qn))
			return i;
	}
	return -1;
}

/* Feeds one A/AAAA record: its owner, and every question whose CNAME
 * chain (chains[q], nchain[q] names) reaches that owner. */
static void map_record(struct dns_state *st, const struct ph_dns_msg *m,
		       const struct ph_dns_rr *rr, uint64_t ts,
		       const struct ph_dns_name *chains[][PH_DNS_CHAIN_MAX],
		       const unsigned *nchain, unsigned nq)
{
	int ipver = rr->type == PH_DNS_A ? 4 : 6;
	ph_dns_map_add(st->map, rr->u.addr, ipver, rr->name.s, rr->name.len, ts);
	for (unsigned q = 0; q < nq; q++) {
		for (unsigned k = 1; k < nchain[q]; k++) {
			if (same_name(chains[q][k], &rr->name)) {
				ph_dns_map_add(st->map, rr->u.addr, ipver,
					       m->q[q].name.s, m->q[q].name.len,
					       ts);
				break;
			}
		}
	}
}

/* The CNAME target of `name` in m, or NULL. */
static const struct ph_dns_name *cname_of(const struct ph_dns_msg *m,
					  const struct ph_dns_name *name)
{
	for (unsigned i = 0; i < m->nrr; i++) {
		const struct ph_dns_rr *rr = &m->rr[i];
		if (rr->type == PH_DNS_CNAME && rr->rdata_ok &&
		    same_name(&rr->name, name))
			return &rr->target;
	}
	return NULL;
}

/* Puts a response's addresses into the resolved-address map. */
static void map_feed(struct dns_state *st, const struct ph_dns_msg *m,
		     uint64_t ts)
{
	enum { NQ = 4 };
	const struct ph_dns_name *chains[NQ][PH_DNS_CHAIN_MAX];
	unsigned nchain[NQ];
	unsigned nq = m->nq < NQ ? m->nq : NQ;
	for (unsigned q = 0; q < nq; q++) {
		chains[q][0] = &m->q[q].name;
		nchain[q] = 1;
		while (nchain[q] < PH_DNS_CHAIN_MAX) {
			const struct ph_dns_name *t =
				cname_of(m, chains[q][nchain[q] - 1]);
			if (!t)
				break;
			chains[q][nchain[q]++] = t;
		}
	}
	for (unsigned i = 0; i < m->nrr; i++) {
		const struct ph_dns_rr *rr = &m->rr[i];
		if ((rr->type == PH_DNS_A || rr->type == PH_DNS_AAAA) &&
		    rr->rdata_ok && (rr->rclass & 0x7fff) == 1)
			map_record(st, m, rr, ts, chains, nchain, nq);
	}
}

static void on_query(struct dns_state *st, struct dns_flow *f,
		     const struct ph_event *ev)
{
	struct ph_dns_msg *m = st->msg;
	struct ph_dns_query_info qi;
	ph_dns_query_info_of(m, ev->ts_ns, ev->pkt_no, &qi);
	st->n.queries++;
	m->query = &qi;
	m->pending = !f->multicast;
	emit(st, ev, PH_DNS_QUERY);
	if (!f->multicast)
		pend_push(st, f, ev, &qi);
}

static void on_response(struct dns_state *st, struct dns_flow *f,
			const struct ph_event *ev)
{
	struct ph_dns_msg *m = st->msg;
	struct ph_dns_query_info qi;
	int k = f->multicast ? -1 : pend_find(f, m);
	st->n.responses++;
	if (k >= 0) {
		qi = f->pend[k];
		memmove(f->pend + k, f->pend + k + 1,
			(size_t)(f->npend - k - 1) * sizeof *f->pend);
		f->npend--;
		m->query = &qi;
		m->rtt_ns = ev->ts_ns > qi.ts_ns ? ev->ts_ns - qi.ts_ns : 0;
		st->n.matched++;
	}
	map_feed(st, m, ev->ts_ns);
	emit(st, ev, PH_DNS_RESPONSE);
}

/* One whole DNS message of flow f. Returns -1 when it is not DNS. */
static int on_message(struct dns_state *st, struct dns_flow *f,
		      const struct ph_event *ev, const uint8_t *p, size_t n)
{
	struct ph_dns_msg *m = st->msg;
	if (ph_dns_msg_parse(p, n, m, &st->caps) < 0) {
		st->n.not_dns++;
		return -1;
	}
	st->n.msgs++;
	if (m->malformed)
		st->n.malformed++;
	ph_conn_add_service(ev->conn, "dns");
	m->transport = ev->conn->proto;
	m->multicast = f->multicast;
	m->pending = false;
	m->query = NULL;
	m->rtt_ns = 0;
	if (m->qr)
		on_response(st, f, ev);
	else
		on_query(st, f, ev);
	return 0;
}

/* Appends stream bytes to a direction's buffer, handing out every
 * complete length-prefixed message (in place when a segment holds it
 * whole, from the buffer otherwise). */
static void tcp_feed(struct dns_state *st, struct dns_flow *f,
		     const struct ph_event *ev, const uint8_t *p, size_t n)
{
	struct tcp_dir *t = &f->tcp[ev->dir == PH_DIR_RESP];
	while (n > 0 && !t->dead) {
		if (t->have == 0 && n >= 2 && n >= 2u + ph_be16(p)) {
			size_t len = ph_be16(p);
			if (len && on_message(st, f, ev, p + 2, len) < 0) {
				t->dead = true;
				st->n.tcp_garbage++;
			}
			p += 2 + len;
			n -= 2 + len;
			continue;
		}
		if (!t->buf && !(t->buf = malloc(PH_DNS_TCP_BUF))) {
			st->n.oom++;
			t->dead = true;
			return;
		}
		size_t want = t->have < 2 ? 2 - t->have
					  : 2u + ph_be16(t->buf) - t->have;
		size_t take = want < n ? want : n;
		memcpy(t->buf + t->have, p, take);
		t->have += (uint32_t)take;
		p += take;
		n -= take;
		if (t->have >= 2 && t->have == 2u + ph_be16(t->buf)) {
			size_t len = t->have - 2u;
			t->have = 0;
			if (len && on_message(st, f, ev, t->buf + 2, len) < 0) {
				t->dead = true;
				st->n.tcp_garbage++;
			}
		}
	}
}

static void flow_end(struct dns_state *st, const struct ph_event *ev)
{
	void **slot = &ev->slots[PH_SLOT_DNS];
	struct dns_flow *f = *slot;
	*slot = NULL;
	if (!f || (void *)f == NOT_MINE)
		return;
	for (unsigned i = 0; i < f->npend; i++)
		emit_unanswered(st, ev, &f->pend[i]);
	free(f->pend);
	free(f->tcp[0].buf);
	free(f->tcp[1].buf);
	free(f);
}

static void dns_on_event(void *state, const struct ph_event *ev)
{
	struct dns_state *st = state;
	if (!ev->slots || !ev->conn)
		return;
	if (ev->kind == PH_EV_FLOW_END) {
		flow_end(st, ev);
		return;
	}
	struct dns_flow *f = flow_get(st, ev);
	if (!f)
		return;
	if (ev->kind == PH_EV_DATAGRAM) {
		on_message(st, f, ev, ev->u.datagram.data, ev->u.datagram.len);
	} else if (ev->kind == PH_EV_STREAM) {
		tcp_feed(st, f, ev, ev->u.stream.data, ev->u.stream.len);
	} else if (ev->kind == PH_EV_GAP) {
		struct tcp_dir *t = &f->tcp[ev->dir == PH_DIR_RESP];
		t->dead = true; /* framing is lost for this direction */
		t->have = 0;
		st->n.tcp_gaps++;
	}
}

static int dns_init(const struct ph_module_env *env, void **state,
		    struct ph_err *err)
{
	struct dns_state *st = calloc(1, sizeof *st);
	if (st) {
		st->msg = calloc(1, sizeof *st->msg);
		st->map = ph_dns_map_new(0, 0);
	}
	if (!st || !st->msg || !st->map) {
		if (st) {
			free(st->msg);
			ph_dns_map_free(st->map);
			free(st);
		}
		return ph_err_set(err, PH_ENOMEM, "dns: out of memory");
	}
	st->emit = env->emit;
	st->bus = env->bus;
	if (env->shared)
		env->shared->dns_map = st->map; /* for detections */
	*state = st;
	return PH_OK;
}

static unsigned dns_counters(const void *state, struct ph_module_counter *o,
			     unsigned max)
{
	const struct dns_state *st = state;
	struct ph_dns_map_stats ms;
	ph_dns_map_stats(st->map, &ms);
	const struct ph_module_counter all[] = {
		{"dns_messages", st->n.msgs},
		{"dns_queries", st->n.queries},
		{"dns_responses", st->n.responses},
		{"dns_matched", st->n.matched},
		{"dns_unanswered", st->n.unanswered},
		{"dns_not_dns", st->n.not_dns},
		{"dns_malformed", st->n.malformed},
		{"dns_pending_evicted", st->n.pending_evicted},
		{"dns_tcp_gaps", st->n.tcp_gaps},
		{"dns_tcp_garbage", st->n.tcp_garbage},
		{"dns_out_of_memory", st->n.oom},
		{"dns_names_truncated", st->caps.names_truncated},
		{"dns_jumps_capped", st->caps.jumps_capped},
		{"dns_labels_capped", st->caps.labels_capped},
		{"dns_records_capped", st->caps.rrs_capped},
		{"dns_txt_truncated", st->caps.txt_truncated},
		{"dns_bad_names", st->caps.bad_names},
		{"dns_bad_rdata", st->caps.bad_rdata},
		{"dns_map_pairs", ms.pairs},
		{"dns_map_dropped", ms.dropped},
	};
	unsigned n = sizeof all / sizeof all[0];
	if (n > max)
		n = max;
	memcpy(o, all, n * sizeof *o);
	return n;
}

static void dns_destroy(void *state)
{
	struct dns_state *st = state;
	if (!st)
		return;
	free(st->msg);
	ph_dns_map_free(st->map);
	free(st);
}

const struct ph_dns_map *ph_dns_module_map(const void *state)
{
	return state ? ((const struct dns_state *)state)->map : NULL;
}

const struct ph_module ph_dns_module = {
	.name = "dns",
	.summary = "DNS, mDNS and LLMNR over UDP and TCP: messages, "
		   "query/response pairs, resolved-address map",
	.mask = PH_EV_DATAGRAM | PH_EV_STREAM | PH_EV_GAP | PH_EV_FLOW_END,
	.init = dns_init,
	.on_event = dns_on_event,
	.finish = NULL,
	.counters = dns_counters,
	.destroy = dns_destroy,
};
