/* Detection "rst_injection": TCP resets that the remote host probably did
 * not send. For every TCP flow it keeps, from PH_EV_PACKET, the range of
 * IP TTLs (hop limits) of the remote side's ordinary packets and how its
 * IP IDs run, and remembers the first few RSTs arriving from the remote
 * side (TTL, IP ID, window, sequence number, time). At flow end an RST
 * whose TTL lies `ttl_delta` or more hops outside the remote's own range
 * is reported as `rst_injection.ttl_mismatch`: a box on the path forged
 * it (Great-Firewall-style censorship, a filtering proxy, a carrier
 * firewall ending idle connections). Right after the device's first
 * request it is medium; later in the connection low. The per-flow record
 * (24 bytes, grown when the first remote RST comes) lives in the flow's
 * slot PH_SLOT_RST_INJECTION, freed at FLOW_END; flows not watched carry
 * the skip mark (path_pkt.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"
#include "detect/path_pkt.h"
#include "peephole/module.h"

#define RST_KEEP 4

struct rst_seen {
	uint64_t ts, pkt;
	uint32_t file, seq;
	uint16_t ip_id, window;
	uint8_t ttl;
	bool early;             /* within early_ms of the device's request */
};

/* One watched flow; rst[] is there (RST_KEEP long) once nrst > 0. */
struct rst_flow {
	uint64_t req_ns;        /* device's first payload byte, 0 = none */
	uint32_t npkt;          /* remote's ordinary packets */
	uint16_t last_id;
	int8_t side;            /* device side */
	uint8_t ttl_min, ttl_max; /* remote's ordinary packets */
	bool id_zero, id_steady;  /* remote's IPv4 IDs: all 0 / small steps */
	uint8_t nrst;           /* RSTs from the remote (kept: RST_KEEP) */
	struct rst_seen rst[];
};

struct rst_state {
	struct ph_detect_base base;
	struct ph_path_cap flows;
	unsigned ttl_delta, min_pkts;
	uint64_t early_ns;
	uint64_t packets, resets, no_baseline, reported;
};

static const struct ph_module_option rst_options[] = {
	{"ttl_delta", 3, 1, 255, "hops", "how far (in hops) an RST's IP TTL "
	 "must lie outside the remote's own TTLs to count as forged"},
	{"min_pkts", 1, 1, 1000000, "count", "ordinary packets from the "
	 "remote needed before its RSTs are judged"},
	{"early_ms", 3000, 0, 3600000, "ms", "an RST this soon after the "
	 "device's first request counts as cutting that request (medium)"},
	{"max_flows", 262144, 16, 16777216, "count", "TCP flows watched at "
	 "once (more are not checked; counted)"},
	{NULL, 0, 0, 0, NULL, NULL},
};

/* An ordinary (non-RST) packet from the remote side. */
static void see_remote(struct rst_flow *f, const struct ph_path_pkt *p)
{
	if (f->npkt == 0) {
		f->ttl_min = f->ttl_max = p->ttl;
		f->id_zero = f->id_steady = p->ipver == 4;
	} else {
		if (p->ttl < f->ttl_min)
			f->ttl_min = p->ttl;
		if (p->ttl > f->ttl_max)
			f->ttl_max = p->ttl;
		uint16_t step = (uint16_t)(p->ip_id - f->last_id);
		f->id_zero = f->id_zero && p->ip_id == 0;
		f->id_steady = f->id_steady && step > 0 && step < 2048;
	}
	f->last_id = p->ip_id;
	f->npkt++;
}

/* An RST from the remote; the record grows to hold RST_KEEP of them at
 * the first (false when memory ran out: the RST is not kept). */
static bool see_rst(struct rst_state *st, struct rst_flow **fp,
		    const struct ph_event *ev, const struct ph_path_pkt *p)
{
	struct rst_flow *f = *fp;
	st->resets++;
	if (f->nrst == 0) {
		f = realloc(f, sizeof *f + RST_KEEP * sizeof f->rst[0]);
		if (!f)
			return false;
		*fp = f;
	}
	if (f->nrst < 255)
		f->nrst++;
	if (f->nrst > RST_KEEP)
		return true;
	struct rst_seen *r = &f->rst[f->nrst - 1];
	r->ts = ev->ts_ns;
	r->pkt = ev->pkt_no;
	r->file = ev->file_idx;
	r->seq = p->seq;
	r->ip_id = p->ip_id;
	r->window = p->window;
	r->ttl = p->ttl;
	r->early = f->req_ns && ev->ts_ns >= f->req_ns &&
		   ev->ts_ns - f->req_ns <= st->early_ns;
	return true;
}

/* The flow's record, made at its first packet: NULL when the flow is not
 * watched (not TCP, not the device's: skip mark) or the cap is reached
 * (tried again at the next packet). */
static struct rst_flow *flow_of(struct rst_state *st,
				const struct ph_event *ev, void **slot)
{
	if (*slot)
		return *slot == ph_path_skip() ? NULL : *slot;
	int side = ev->conn->proto == 6 ?
		   ph_detect_side(&st->base, ev->conn) : -1;
	if (side < 0) {
		*slot = ph_path_skip();
		return NULL;
	}
	if (!ph_path_cap_take(&st->flows))
		return NULL;
	struct rst_flow *f = calloc(1, sizeof *f);
	if (!f) {
		ph_path_cap_give(&st->flows);
		return NULL;
	}
	f->side = (int8_t)side;
	*slot = f;
	return f;
}

static void on_packet(struct rst_state *st, const struct ph_event *ev)
{
	struct ph_path_pkt p;
	void **slot = &ev->slots[PH_SLOT_RST_INJECTION];
	struct rst_flow *f = flow_of(st, ev, slot);
	if (!f || !ph_path_parse(ev, &p) || p.proto != 6)
		return;
	st->packets++;
	bool remote = (int)ev->dir != f->side;
	if (!remote) {
		if (!f->req_ns && p.wire_plen > 0)
			f->req_ns = ev->ts_ns;
		return;
	}
	if (!(p.tcp_flags & PH_PATH_RST))
		see_remote(f, &p);
	else if (!see_rst(st, (struct rst_flow **)slot, ev, &p))
		st->flows.full++;
}

/* The RST (of those kept) that lies furthest outside the remote's TTL
 * range by at least ttl_delta, or -1. */
static int worst_rst(const struct rst_state *st, const struct rst_flow *f,
		     unsigned *off_by)
{
	int best = -1;
	unsigned n = f->nrst < RST_KEEP ? f->nrst : RST_KEEP, most = 0;
	for (unsigned i = 0; i < n; i++) {
		unsigned t = f->rst[i].ttl, d = 0;
		if (t < f->ttl_min)
			d = f->ttl_min - t;
		else if (t > f->ttl_max)
			d = t - f->ttl_max;
		if (d >= st->ttl_delta && (d > most || (best >= 0 &&
		    d == most && f->rst[i].early && !f->rst[best].early))) {
			best = (int)i;
			most = d;
		}
	}
	*off_by = most;
	return best;
}

/* Distinct sequence numbers among the kept RSTs. */
static unsigned distinct_seqs(const struct rst_flow *f)
{
	unsigned n = f->nrst < RST_KEEP ? f->nrst : RST_KEEP, k = 0;
	for (unsigned i = 0; i < n; i++) {
		bool seen = false;
		for (unsigned j = 0; j < i; j++)
			seen |= f->rst[j].seq == f->rst[i].seq;
		k += !seen;
	}
	return k;
}

static bool id_odd(const struct rst_flow *f, const struct rst_seen *r)
{
	uint16_t step = (uint16_t)(r->ip_id - f->last_id);
	return (f->id_zero && r->ip_id != 0) ||
	       (f->id_steady && f->npkt >= 3 && step >= 2048 &&
		(uint16_t)(f->last_id - r->ip_id) >= 2048);
}

/* Title, explanation and advice of a ttl_mismatch finding. */
static void describe(struct ph_finding *x, const struct rst_flow *f,
		     const struct rst_seen *r, unsigned off, unsigned seqs,
		     bool idodd)
{
	size_t n = 0;
	snprintf(x->title, sizeof x->title, r->early ?
		 "A connection was cut right after the device's request by "
		 "a reset the server probably did not send" :
		 "A connection was ended by a reset the server probably did "
		 "not send");
	ph_detect_catf(x->explain, sizeof x->explain, &n,
		"The remote host's packets arrived with IP TTL %u-%u, but the "
		"TCP reset (RST) that ended the connection arrived with TTL "
		"%u, %u hop(s) away: it most likely came from a box on the "
		"network path that forged it in the server's name.",
		f->ttl_min, f->ttl_max, r->ttl, off);
	if (idodd)
		ph_detect_catf(x->explain, sizeof x->explain, &n,
			" Its IP ID (%u) also breaks the server's own pattern.",
			r->ip_id);
	if (seqs > 1)
		ph_detect_catf(x->explain, sizeof x->explain, &n,
			" %u resets with different sequence numbers came, as "
			"injectors send them.", seqs);
	ph_detect_catf(x->explain, sizeof x->explain, &n, r->early ?
		" It came just after the device's first request (a TLS "
		"ClientHello or HTTP request), the way censorship systems "
		"such as China's Great Firewall block a name or keyword; "
		"ordinary servers rarely reset that way with a different TTL." :
		" It came later in the connection; firewalls and carrier "
		"networks that end idle connections do this too, so alone "
		"it means little.");
	snprintf(x->advice, sizeof x->advice, "If many connections to "
		 "one service are cut like this, the network is blocking or "
		 "tampering with it: use a trusted VPN or Tor for that "
		 "service, and keep this capture if you document censorship "
		 "or interception.");
}

static void report(struct rst_state *st, const struct ph_event *ev,
		   const struct rst_flow *f)
{
	unsigned off;
	int k = worst_rst(st, f, &off);
	if (k < 0)
		return;
	const struct rst_seen *r = &f->rst[k];
	unsigned seqs = distinct_seqs(f);
	bool idodd = id_odd(f, r);
	struct ph_finding x;
	memset(&x, 0, sizeof x);
	ph_detect_evidence(&x, ev, f->side);
	x.first_ns = x.last_ns = r->ts;
	x.first_pkt = x.last_pkt = r->pkt;
	x.file_idx = r->file;
	snprintf(x.id, sizeof x.id, "rst_injection.ttl_mismatch");
	x.severity = r->early ? PH_SEV_MEDIUM : PH_SEV_LOW;
	x.confidence = !r->early ? PH_CONF_LOW :
		       (seqs > 1 || idodd) ? PH_CONF_HIGH : PH_CONF_MEDIUM;
	snprintf(x.attack, sizeof x.attack, "T1557");
	snprintf(x.field, sizeof x.field, "ip.ttl");
	snprintf(x.matched, sizeof x.matched, "rst ttl %u vs %u-%u, ip_id %u,"
		 " window %u, seq %u, %u rst", r->ttl, f->ttl_min, f->ttl_max,
		 r->ip_id, r->window, r->seq, f->nrst);
	describe(&x, f, r, off, seqs, idodd);
	ph_detect_emit(&st->base, &x);
	st->reported++;
}

static void on_flow_end(struct rst_state *st, const struct ph_event *ev)
{
	void **slot = &ev->slots[PH_SLOT_RST_INJECTION];
	struct rst_flow *f = *slot;
	if (!f || *slot == ph_path_skip()) {
		*slot = NULL;
		return;
	}
	if (f->nrst) {
		if (f->npkt < st->min_pkts)
			st->no_baseline++;
		else
			report(st, ev, f);
	}
	free(f);
	*slot = NULL;
	ph_path_cap_give(&st->flows);
}

static void rst_on_event(void *state, const struct ph_event *ev)
{
	struct rst_state *st = state;
	if (!ev->conn || !ev->slots)
		return;
	if (ev->kind == PH_EV_PACKET)
		on_packet(st, ev);
	else if (ev->kind == PH_EV_FLOW_END)
		on_flow_end(st, ev);
}

extern const struct ph_module ph_rst_injection_module;

static int rst_init(const struct ph_module_env *env, void **state,
		    struct ph_err *err)
{
	struct ph_detect_base base;
	if (ph_detect_base_init(&base, env) == PH_MODULE_SKIP)
		return PH_MODULE_SKIP;
	struct rst_state *st = calloc(1, sizeof *st);
	if (!st)
		return ph_err_set(err, PH_ENOMEM, "rst_injection: out of memory");
	const struct ph_module *m = &ph_rst_injection_module;
	st->base = base;
	st->ttl_delta = (unsigned)ph_module_option(env, m, "ttl_delta");
	st->min_pkts = (unsigned)ph_module_option(env, m, "min_pkts");
	st->early_ns = (uint64_t)(ph_module_option(env, m, "early_ms") * 1e6);
	st->flows.max = (uint32_t)ph_module_option(env, m, "max_flows");
	*state = st;
	return PH_OK;
}

static unsigned rst_counters(const void *state, struct ph_module_counter *out,
			     unsigned max)
{
	const struct rst_state *st = state;
	const struct ph_module_counter c[] = {
		{"rst_tcp_packets", st->packets},
		{"rst_resets_from_remote", st->resets},
		{"rst_without_baseline", st->no_baseline},
		{"rst_reported", st->reported},
		{"rst_flows_untracked", st->flows.full},
		{"rst_findings_dropped", st->base.dropped},
	};
	return ph_module_counters_copy(out, max, c, sizeof c / sizeof c[0]);
}

static void rst_destroy(void *state)
{
	struct rst_state *st = state;
	if (!st)
		return;
	free(st);
}

const struct ph_module ph_rst_injection_module = {
	.name = "rst_injection",
	.summary = "TCP resets whose IP TTL does not fit the remote host's "
		   "other packets (forged on the path)",
	.mask = PH_EV_PACKET | PH_EV_FLOW_END,
	.init = rst_init,
	.on_event = rst_on_event,
	.counters = rst_counters,
	.destroy = rst_destroy,
	.options = rst_options,
	.detection = true,
};
