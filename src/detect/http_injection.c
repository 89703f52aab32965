/* Detection "http_injection": cleartext HTTP answered by someone on the
 * path instead of (or before) the server. Two signs:
 *  - `double_response`: after the device's request, two TCP segments from
 *    the server's address start at the same sequence number with different
 *    bytes. An injector (Great Firewall block page, ad or exploit injection)
 *    races the server; the receiver keeps the first, so the HTTP parser and
 *    the flow engine's reassembly only ever see one of them (the engine's
 *    REASM_OVERLAP_CONFLICT count skips data already delivered). Seen here
 *    from PH_EV_PACKET: a ring of the first bytes of the server's last
 *    segments per HTTP flow.
 *  - `fast_response`: the response arrived far sooner after the request
 *    than the TCP handshake's round trip allows.
 * Flows are tracked from their first HTTP request by the device: the record
 * lives in the flow's slot PH_SLOT_HTTP_INJECTION (freed at FLOW_END, the
 * ring grown segment by segment up to SEG_KEEP, at most max_flows alive);
 * packets of other flows cost one compare. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"
#include "detect/path_pkt.h"
#include "peephole/module.h"
#include "peephole/proto_http.h"

#define SEG_KEEP 8
#define PFX 32

struct seg {
	uint64_t ts, pkt;
	uint32_t seq, file;
	uint8_t n;               /* prefix bytes kept */
	uint8_t pfx[PFX];
};

/* One watched flow: a ring of the server's last segments, s[] holding
 * room for `room` of them (grown up to SEG_KEEP). */
struct hflow {
	int8_t side;             /* device side */
	bool double_done, fast_done;
	uint8_t nseg, next, room;
	struct seg s[];
};

struct http_inj {
	struct ph_detect_base base;
	struct ph_path_cap flows;
	double fast_ratio, strong_ratio;
	uint64_t min_rtt_ns, max_rtt_ns;
	unsigned min_compare;
	uint64_t tracked, retrans, doubles, fasts, zero;
};

static const struct ph_module_option http_inj_options[] = {
	{"fast_ratio", 0.25, 0, 1, "ratio", "a response that comes in less "
	 "than this share of the handshake round trip after its request "
	 "cannot have come from the server"},
	{"strong_ratio", 0.05, 0, 1, "ratio", "below this share of the "
	 "handshake round trip a fast response is rated medium (else low: "
	 "phone networks' round trips vary a lot)"},
	{"min_rtt_ms", 20, 0, 60000, "ms", "handshake round trips below this "
	 "are too short to judge fast responses"},
	{"max_rtt_ms", 1000, 1, 60000, "ms", "handshake round trips above "
	 "this may include a repeated SYN and are not used"},
	{"min_compare", 4, 1, PFX, "bytes", "bytes two same-place segments "
	 "must share to be compared"},
	{"max_flows", 65536, 16, 16777216, "count", "HTTP flows watched at "
	 "once (more are not checked; counted)"},
	{NULL, 0, 0, 0, NULL, NULL},
};

/* The start of a segment as printable text ("HTTP/1.1 403 Forbidden"). */
static void show(const uint8_t *p, size_t n, char *out, size_t cap)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k + 1 < cap; i++) {
		if (p[i] == '\r' || p[i] == '\n')
			break;
		out[k++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.';
	}
	out[k] = '\0';
}

static void report_double(struct http_inj *st, const struct ph_event *ev,
			  const struct hflow *f, const struct seg *old,
			  const uint8_t *p, size_t n)
{
	char a[PFX + 1], b[PFX + 1];
	show(old->pfx, old->n, a, sizeof a);
	show(p, n, b, sizeof b);
	bool http = memcmp(old->pfx, "HTTP/", old->n < 5 ? old->n : 5) == 0 ||
		    (n >= 5 && memcmp(p, "HTTP/", 5) == 0);
	struct ph_finding x;
	memset(&x, 0, sizeof x);
	ph_detect_evidence(&x, ev, f->side);
	x.first_ns = old->ts;
	x.first_pkt = old->pkt;
	x.file_idx = old->file;
	snprintf(x.id, sizeof x.id, "http_injection.double_response");
	x.severity = PH_SEV_MEDIUM;
	x.confidence = PH_CONF_HIGH;
	snprintf(x.attack, sizeof x.attack, "T1557");
	snprintf(x.field, sizeof x.field, "tcp.payload");
	snprintf(x.matched, sizeof x.matched, "\"%s\" / \"%s\"", a, b);
	snprintf(x.title, sizeof x.title, http ?
		 "An unencrypted web response arrived twice with different "
		 "content: one was injected" : "Unencrypted web data arrived "
		 "twice with different content: one copy was injected");
	size_t k = 0;
	ph_detect_catf(x.explain, sizeof x.explain, &k,
		"After the device's HTTP request, two packets in the server's "
		"name carried different data for the same place in the "
		"stream (\"%s\" first, then \"%s\"). A server never does that; "
		"a box on the path raced it with its own answer (a censorship "
		"block page as China's Great Firewall sends, injected ads, or "
		"an exploit redirect, as spyware vendors' network injection "
		"does). The device used the first one. Ordinary networks do "
		"not do this.", a, b);
	snprintf(x.advice, sizeof x.advice, "Avoid unencrypted (http://) "
		 "sites and apps on this network, or use a trusted VPN; if "
		 "the injected answer pointed somewhere unexpected, treat the "
		 "device as possibly targeted and keep this capture.");
	ph_detect_emit(&st->base, &x);
	st->doubles++;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Room for one more segment in the ring (doubling, up to SEG_KEEP); NULL
 * when memory ran out (the segment is then not kept). */
static struct hflow *grow(struct hflow **fp)
{
	struct hflow *f = *fp;
	unsigned room = f->room ? f->room * 2u : 1u;
	if (room > SEG_KEEP)
		room = SEG_KEEP;
	f = realloc(f, sizeof *f + room * sizeof f->s[0]);
	if (!f)
		return NULL;
	f->room = (uint8_t)room;
	*fp = f;
	return f;
}

/* A data segment from the server: compared with earlier segments that
 * started at the same sequence number, else remembered. Zero bytes only
 * (Ethernet padding counted as payload by a bad IP length) are skipped. */
static void on_server_data(struct http_inj *st, const struct ph_event *ev,
			   struct hflow **fp, const struct ph_path_pkt *p)
{
	struct hflow *f = *fp;
	size_t n = p->plen < PFX ? p->plen : PFX;
	if (all_zero(p->payload, n)) {
		st->zero++;
		return;
	}
	for (unsigned i = 0; i < f->nseg; i++) {
		struct seg *s = &f->s[i];
		if (s->seq != p->seq)
			continue;
		size_t k = n < s->n ? n : s->n;
		if (k < st->min_compare || memcmp(s->pfx, p->payload, k) == 0) {
			st->retrans++;
		} else if (!f->double_done) {
			f->double_done = true;
			report_double(st, ev, f, s, p->payload, n);
		}
		return;
	}
	if (f->next >= f->room && !(f = grow(fp)))
		return;
	struct seg *s = &f->s[f->next];
	f->next = (uint8_t)((f->next + 1) % SEG_KEEP);
	if (f->nseg < SEG_KEEP)
		f->nseg++;
	s->seq = p->seq;
	s->n = (uint8_t)n;
	memcpy(s->pfx, p->payload, n);
	s->ts = ev->ts_ns;
	s->pkt = ev->pkt_no;
	s->file = ev->file_idx;
}

static void on_packet(struct http_inj *st, const struct ph_event *ev)
{
	void **slot = &ev->slots[PH_SLOT_HTTP_INJECTION];
	struct hflow *f = *slot;
	struct ph_path_pkt p;
	if (!f || (int)ev->dir == f->side || !ph_path_parse(ev, &p) ||
	    p.proto != 6 || p.plen == 0 || (p.tcp_flags & PH_PATH_RST))
		return;
	on_server_data(st, ev, (struct hflow **)slot, &p);
}

static void on_request(struct http_inj *st, const struct ph_event *ev)
{
	void **slot = &ev->slots[PH_SLOT_HTTP_INJECTION];
	if (*slot)
		return;
	int side = ph_detect_side(&st->base, ev->conn);
	if (side < 0 || (int)ev->dir != side || !ph_path_cap_take(&st->flows))
		return;
	struct hflow *f = calloc(1, sizeof *f);
	if (!f) {
		ph_path_cap_give(&st->flows);
		return;
	}
	f->side = (int8_t)side;
	*slot = f;
	st->tracked++;
}

static void on_flow_end(struct http_inj *st, const struct ph_event *ev)
{
	void **slot = &ev->slots[PH_SLOT_HTTP_INJECTION];
	if (!*slot)
		return;
	free(*slot);
	*slot = NULL;
	ph_path_cap_give(&st->flows);
}

/* The handshake round trip seen from the capture (SYN to SYN-ACK), or 0
 * when the flow did not start with a clean handshake from the device. */
static uint64_t handshake_rtt(const struct http_inj *st,
			      const struct ph_conn *c, int side)
{
	if (side != 0 || c->history[0] != 'S' || c->history[1] != 'h')
		return 0;
	uint64_t a = c->dir[0].first_ns, b = c->dir[1].first_ns;
	if (b <= a || b - a < st->min_rtt_ns || b - a > st->max_rtt_ns)
		return 0;
	return b - a;
}

static void on_response(struct http_inj *st, const struct ph_event *ev)
{
	const struct ph_http_msg *m = ev->u.proto;
	struct hflow *f = ev->slots[PH_SLOT_HTTP_INJECTION];
	if (!f || f->fast_done || !m->txn || !m->txn->has_request ||
	    ev->ts_ns < m->txn->ts_ns)
		return;
	uint64_t rtt = handshake_rtt(st, ev->conn, f->side);
	uint64_t took = ev->ts_ns - m->txn->ts_ns;
	if (!rtt || (double)took >= st->fast_ratio * (double)rtt)
		return;
	f->fast_done = true;
	struct ph_finding x;
	memset(&x, 0, sizeof x);
	ph_detect_evidence(&x, ev, f->side);
	snprintf(x.id, sizeof x.id, "http_injection.fast_response");
	bool strong = (double)took < st->strong_ratio * (double)rtt;
	x.severity = strong ? PH_SEV_MEDIUM : PH_SEV_LOW;
	x.confidence = strong ? PH_CONF_MEDIUM : PH_CONF_LOW;
	snprintf(x.attack, sizeof x.attack, "T1557");
	snprintf(x.field, sizeof x.field, "http.response");
	if (m->txn->host.p)
		snprintf(x.name, sizeof x.name, "%.*s", (int)m->txn->host.len,
			 m->txn->host.p);
	snprintf(x.matched, sizeof x.matched, "status %u after %.1f ms, "
		 "handshake %.1f ms", m->status_code, (double)took / 1e6,
		 (double)rtt / 1e6);
	snprintf(x.title, sizeof x.title, "A web response came too fast to "
		 "be from the server: something on the path answered");
	size_t k = 0;
	ph_detect_catf(x.explain, sizeof x.explain, &k,
		"The HTTP response (status %u) arrived %.1f ms after the "
		"request, but a round trip to the server took %.1f ms when the "
		"connection opened: the answer came from something closer "
		"that speaks in the server's name (a censorship system, a "
		"filtering or captive-portal box, or an attacker injecting "
		"content). Ordinary servers cannot answer faster than the "
		"round trip; a captive portal or network filter you know "
		"about is the usual harmless cause.", m->status_code,
		(double)took / 1e6, (double)rtt / 1e6);
	ph_detect_catf(x.explain, sizeof x.explain, &k, strong ?
		" The gap is too large to be a slow first round trip." :
		" Phone networks sometimes delay a connection's first "
		"packets (radio wake-up, queues), which makes the round trip "
		"look longer than it is, so alone this means little.");
	snprintf(x.advice, sizeof x.advice, "Avoid unencrypted (http://) "
		 "sites and apps on this network, or use a trusted VPN; keep "
		 "this capture if the network is not one you expect to "
		 "filter traffic.");
	ph_detect_emit(&st->base, &x);
	st->fasts++;
}

static void http_inj_on_event(void *state, const struct ph_event *ev)
{
	struct http_inj *st = state;
	if (!ev->conn || !ev->slots)
		return;
	switch (ev->kind) {
	case PH_EV_PACKET: on_packet(st, ev); break;
	case PH_EV_HTTP_REQUEST: on_request(st, ev); break;
	case PH_EV_HTTP_RESPONSE: on_response(st, ev); break;
	case PH_EV_FLOW_END: on_flow_end(st, ev); break;
	default: break;
	}
}

extern const struct ph_module ph_http_injection_module;

static int http_inj_init(const struct ph_module_env *env, void **state,
			 struct ph_err *err)
{
	struct ph_detect_base base;
	if (ph_detect_base_init(&base, env) == PH_MODULE_SKIP)
		return PH_MODULE_SKIP;
	struct http_inj *st = calloc(1, sizeof *st);
	if (!st)
		return ph_err_set(err, PH_ENOMEM, "http_injection: out of memory");
	const struct ph_module *m = &ph_http_injection_module;
	st->base = base;
	st->fast_ratio = ph_module_option(env, m, "fast_ratio");
	st->strong_ratio = ph_module_option(env, m, "strong_ratio");
	st->min_rtt_ns = (uint64_t)(ph_module_option(env, m, "min_rtt_ms") *
				    1e6);
	st->max_rtt_ns = (uint64_t)(ph_module_option(env, m, "max_rtt_ms") *
				    1e6);
	st->min_compare = (unsigned)ph_module_option(env, m, "min_compare");
	st->flows.max = (uint32_t)ph_module_option(env, m, "max_flows");
	*state = st;
	return PH_OK;
}

static unsigned http_inj_counters(const void *state,
				  struct ph_module_counter *out, unsigned max)
{
	const struct http_inj *st = state;
	const struct ph_module_counter c[] = {
		{"httpinj_flows", st->tracked},
		{"httpinj_retransmissions", st->retrans},
		{"httpinj_zero_segments", st->zero},
		{"httpinj_double_responses", st->doubles},
		{"httpinj_fast_responses", st->fasts},
		{"httpinj_flows_untracked", st->flows.full},
		{"httpinj_findings_dropped", st->base.dropped},
	};
	return ph_module_counters_copy(out, max, c, sizeof c / sizeof c[0]);
}

static void http_inj_destroy(void *state)
{
	struct http_inj *st = state;
	if (!st)
		return;
	free(st);
}

const struct ph_module ph_http_injection_module = {
	.name = "http_injection",
	.summary = "cleartext HTTP answered by someone on the path: two "
		   "different responses, or one faster than the round trip",
	.mask = PH_EV_PACKET | PH_EV_HTTP_REQUEST | PH_EV_HTTP_RESPONSE |
		PH_EV_FLOW_END,
	.init = http_inj_init,
	.on_event = http_inj_on_event,
	.counters = http_inj_counters,
	.destroy = http_inj_destroy,
	.options = http_inj_options,
	.detection = true,
};
