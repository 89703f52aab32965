/* Detection "dns_tunnel": DNS used as a covert channel. Every unicast DNS
 * query and response of a device is folded into a bounded table keyed by
 * (device, registered domain) - the registered domain found with the
 * Public Suffix List (psl.c) - counting queries, unique names (a
 * 1024-bit linear-counting sketch), long and encoded-looking labels,
 * TXT/NULL/CNAME/MX queries, large responses and NXDOMAIN answers. At the
 * end of the run (finish) each entry is judged: tunnels (dns_tunnel.
 * tunnel), single exfiltration-shaped names (dns_tunnel.encoded_name),
 * many random-looking registered domains per device (dns_tunnel.dga) and
 * NXDOMAIN bursts (dns_tunnel.nxdomain). mDNS, LLMNR, .local, reverse
 * lookups (.arpa) and single-label names are left out. Wording in
 * dns_tunnel_text.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"
#include "detect/dns_tunnel.h"
#include "detect/dns_tunnel_int.h"
#include "detect/psl.h"
#include "peephole/proto_dns.h"
#include "peephole/proto_quic.h"
#include "peephole/proto_tls.h"
#include "util/siphash.h"

extern const struct ph_module ph_dns_tunnel_module;

static const struct ph_module_option dt_options[] = {
	{"psl", 0, 0, 0, "path", "Public Suffix List file (default "
	 PH_PSL_DEFAULT_PATH "; absent: last-two-labels fallback)"},
	{"min_queries", 10, 1, 1e6, "count",
	 "queries under one registered domain before it is judged"},
	{"min_unique", 30, 2, 1e6, "count",
	 "unique names under one registered domain that count as many"},
	{"long_label", 40, 10, 63, "bytes", "a label this long is long"},
	{"entropy", 3.5, 1, 8, "bits",
	 "bits per character above which a 24+ byte subdomain looks encoded"},
	{"odd_share", 0.5, 0.05, 1, "ratio",
	 "share of TXT/NULL/CNAME/MX/ANY queries that counts as odd"},
	{"large_response", 512, 64, 65535, "bytes",
	 "a DNS response this large counts as large"},
	{"exfil_label", 50, 20, 63, "bytes",
	 "one name with an encoded label this long is reported alone"},
	{"dga_min", 8, 1, 1e6, "count",
	 "random-looking registered domains per device for a DGA finding"},
	{"dga_sni_min", 3, 1, 1e6, "count",
	 "random-looking names seen only as TLS/QUIC server names (never "
	 "looked up) for a DGA finding"},
	{"nx_burst", 25, 2, 1e6, "count",
	 "NXDOMAIN answers within one minute for a burst finding"},
	{NULL, 0, 0, 0, NULL, NULL},
};

/* ------------------------------------------------------------------ */
/* Name scoring. */

double ph_dns_entropy(const char *s, size_t n)
{
	unsigned cnt[256] = {0};
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] != '.')
			cnt[(unsigned char)s[i]]++, total++;
	if (!total)
		return 0;
	double h = 0;
	for (unsigned i = 0; i < 256; i++)
		if (cnt[i]) {
			double p = (double)cnt[i] / (double)total;
			h -= p * log2(p);
		}
	return h;
}

bool ph_dns_has_odd_bytes(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.'))
			return true;
	}
	return false;
}

static bool is_vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' ||
	       c == 'y';
}

static int dga_piece(const char *l, size_t n);

/* Hyphenated labels ("igcdn-photos") are scored piece by piece: word
 * compounds are structure, not randomness. */
int ph_dns_dga_score(const char *l, size_t n)
{
	if (n >= 4 && memcmp(l, "xn--", 4) == 0)
		return 0;
	int best = 0;
	for (size_t i = 0; i < n;) {
		const char *h = memchr(l + i, '-', n - i);
		size_t k = h ? (size_t)(h - (l + i)) : n - i;
		int sc = dga_piece(l + i, k);
		best = sc > best ? sc : best;
		i += k + 1;
	}
	return best;
}

static int dga_piece(const char *l, size_t n)
{
	if (n < 8)
		return 0;
	unsigned letters = 0, vowels = 0, run = 0, maxrun = 0, switches = 0;
	unsigned seen[256] = {0}, distinct = 0;
	int prev = -1; /* 0 letter, 1 digit */
	for (size_t i = 0; i < n; i++) {
		char c = l[i];
		bool letter = c >= 'a' && c <= 'z', digit = c >= '0' && c <= '9';
		distinct += seen[(unsigned char)c]++ == 0;
		if (letter) {
			letters++;
			vowels += is_vowel(c);
			run = is_vowel(c) ? 0 : run + 1;
			maxrun = run > maxrun ? run : maxrun;
		} else
			run = 0;
		int kind = letter ? 0 : digit ? 1 : -1;
		if (kind >= 0 && prev >= 0 && kind != prev)
			switches++;
		if (kind >= 0)
			prev = kind;
	}
	if (letters < n / 2)
		return 0; /* mostly digits or symbols: not a word-like label */
	int score = (maxrun >= 4) + (maxrun >= 6);
	score += vowels * 100 < letters * 22;
	score += switches >= 3;
	score += n >= 10 && distinct * 4 >= n * 3;
	score += n >= 16;
	return score;
}

/* ------------------------------------------------------------------ */
/* The table. */

static uint64_t dt_key(const struct dt_state *st, const uint8_t *dev,
		       const char *dom, size_t n)
{
	uint8_t buf[16 + 256];
	memcpy(buf, dev, 16);
	memcpy(buf + 16, dom, n);
	return ph_siphash13(&st->key, buf, 16 + n);
}

static struct dt_dev *dt_device(struct dt_state *st, const uint8_t *dev)
{
	for (unsigned i = 0; i < st->ndev; i++)
		if (memcmp(st->dev[i].addr, dev, 16) == 0)
			return &st->dev[i];
	if (st->ndev == DT_MAX_DEVICES) {
		st->devices_dropped++;
		return NULL;
	}
	struct dt_dev *d = &st->dev[st->ndev++];
	memcpy(d->addr, dev, 16);
	return d;
}

static struct dt_entry *dt_entry_get(struct dt_state *st,
				     const struct dt_seen *s)
{
	uint64_t h = dt_key(st, s->dev, s->name + s->reg, s->len - s->reg);
	uint32_t i = (uint32_t)h & (DT_SLOTS - 1);
	for (;; i = (i + 1) & (DT_SLOTS - 1)) {
		uint32_t k = st->slot[i];
		if (!k)
			break;
		if (st->ent[k - 1].hash == h)
			return &st->ent[k - 1];
	}
	if (st->nent == DT_MAX_ENTRIES) {
		st->entries_dropped++;
		return NULL;
	}
	struct dt_entry *e = &st->ent[st->nent++];
	st->slot[i] = st->nent;
	memset(e, 0, sizeof *e);
	e->hash = h;
	e->dev = dt_device(st, s->dev);
	snprintf(e->dom, sizeof e->dom, "%.*s", (int)(s->len - s->reg),
		 s->name + s->reg);
	size_t ll = (size_t)(s->suffix - s->reg) - 1;
	e->dga = ph_dns_dga_score(s->name + s->reg, ll) >= 3;
	ph_dns_tunnel_ev(&e->ev, s->ev, s->side);
	return e;
}

/* Keeps up to DT_EXAMPLES names, preferring suspicious-looking ones. */
static void dt_example(struct dt_entry *e, const char *name, size_t n,
		       bool odd)
{
	if (e->nex && e->ex_plain && odd) {
		snprintf(e->ex[0], sizeof e->ex[0], "%.*s", (int)n, name);
		e->ex_plain = false;
		return;
	}
	if (e->nex >= DT_EXAMPLES || (e->nex && !odd))
		return;
	snprintf(e->ex[e->nex++], sizeof e->ex[0], "%.*s", (int)n, name);
	e->ex_plain = !odd;
}

/* Longest label of the subdomain part s (n bytes, no final dot). */
static size_t longest_label(const char *s, size_t n)
{
	size_t best = 0, cur = 0;
	for (size_t i = 0; i < n; i++) {
		cur = s[i] == '.' ? 0 : cur + 1;
		best = cur > best ? cur : best;
	}
	return best;
}

static bool is_odd_type(uint16_t t)
{
	return t == PH_DNS_TXT || t == PH_DNS_NULL || t == PH_DNS_CNAME ||
	       t == PH_DNS_MX || t == 255 || t == 0 || t > 260;
}

static void dt_query(struct dt_state *st, const struct dt_seen *s,
		     uint16_t qtype)
{
	struct dt_entry *e = dt_entry_get(st, s);
	if (!e)
		return;
	size_t sub = s->reg ? (size_t)s->reg - 1 : 0;
	uint64_t h = ph_siphash13(&st->key, s->name, s->len);
	e->bits[(h >> 3) & (DT_BITS / 8 - 1)] |= (uint8_t)(1u << (h & 7));
	e->queries++;
	e->sub_bytes += sub;
	size_t ll = longest_label(s->name, sub);
	bool odd_bytes = ph_dns_has_odd_bytes(s->name, s->len);
	bool enc = odd_bytes || (sub >= 24 &&
				 ph_dns_entropy(s->name, sub) >= st->entropy);
	e->long_q += ll >= st->long_label;
	e->encoded_q += enc;
	e->binary_q += odd_bytes;
	e->odd_q += is_odd_type(qtype);
	if (ll >= st->exfil_label && enc)
		e->exfil_q++;
	dt_example(e, s->name, s->len, enc || ll >= st->long_label);
	if (s->ev->ts_ns > e->ev.last_ns)
		e->ev.last_ns = s->ev->ts_ns, e->ev.last_pkt = s->ev->pkt_no;
}

/* NXDOMAIN per device, in one-minute buckets. */
static void dt_nx(struct dt_state *st, struct dt_dev *d, const struct dt_seen *s)
{
	uint64_t minute = s->ev->ts_ns / 60000000000ull;
	if (minute != d->nx_minute || !d->nx_cur)
		d->nx_minute = minute, d->nx_cur = 0, d->nx_cur_first = s->ev->ts_ns;
	d->nx_total++;
	if (++d->nx_cur > d->nx_max) {
		d->nx_max = d->nx_cur;
		d->nx_first = d->nx_cur_first, d->nx_last = s->ev->ts_ns;
	}
	if (d->nnx < DT_EXAMPLES)
		snprintf(d->nx_ex[d->nnx++], sizeof d->nx_ex[0], "%.*s",
			 (int)s->len, s->name);
	if (!d->has_ev)
		ph_dns_tunnel_ev(&d->ev, s->ev, s->side), d->has_ev = true;
}

static void dt_response(struct dt_state *st, const struct dt_seen *s,
			const struct ph_dns_msg *m)
{
	struct dt_entry *e = dt_entry_get(st, s);
	if (!e)
		return;
	e->responses++;
	e->large_r += m->wire_len >= st->large_response;
	e->max_resp = m->wire_len > e->max_resp ? m->wire_len : e->max_resp;
	if (m->rcode == 3) {
		e->nx++;
		if (e->dev)
			dt_nx(st, e->dev, s);
	}
}

/* Names left out: mDNS/.local, reverse lookups, single labels. */
static bool dt_excluded(const char *n, size_t len)
{
	static const char *const tails[] = {".local", ".arpa", ".localhost",
					    ".home.arpa", ".lan", ".internal"};
	if (!len || !memchr(n, '.', len))
		return true;
	for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
		size_t k = strlen(tails[i]);
		if (len >= k && memcmp(n + len - k, tails[i], k) == 0)
			return true;
	}
	return false;
}

static void dt_name(struct dt_state *st, const struct ph_event *ev, int side,
		    const struct ph_dns_name *nm, uint16_t qtype,
		    const struct ph_dns_msg *resp)
{
	size_t len = nm->len;
	if (dt_excluded(nm->s, len)) {
		st->excluded++;
		return;
	}
	int suffix;
	int reg = ph_psl_registered(st->psl, nm->s, len, &suffix);
	if (reg < 0) {
		st->excluded++;
		return;
	}
	struct dt_seen s = {ev, side, nm->s, len, reg, suffix, {0}};
	memcpy(s.dev, side ? ev->conn->resp_addr : ev->conn->orig_addr, 16);
	if (resp)
		dt_response(st, &s, resp);
	else
		dt_query(st, &s, qtype);
}

/* A TLS or QUIC server name: only its registered domain's DGA score
 * matters (Tor and some malware put generated names there). */
static void dt_sni(struct dt_state *st, const struct ph_event *ev,
		   const char *sni, size_t n)
{
	int side = ph_detect_side(&st->base, ev->conn);
	if (side != 0 || !n || n > PH_DNS_NAME_MAX || dt_excluded(sni, n))
		return;
	int suffix;
	int reg = ph_psl_registered(st->psl, sni, n, &suffix);
	if (reg < 0)
		return;
	struct dt_seen s = {ev, side, sni, n, reg, suffix, {0}};
	memcpy(s.dev, ev->conn->orig_addr, 16);
	struct dt_entry *e = dt_entry_get(st, &s);
	if (e && !e->queries && e->nex < 1)
		dt_example(e, sni, n, false);
}

static void dt_on_event(void *state, const struct ph_event *ev)
{
	struct dt_state *st = state;
	const struct ph_dns_msg *m = ev->u.proto;
	const struct ph_conn *c = ev->conn;
	if (c && ev->kind == PH_EV_TLS_CLIENT_HELLO) {
		const struct ph_tls_hello *h = ev->u.proto;
		if (!h->is_server && !h->quic)
			dt_sni(st, ev, h->sni, h->sni_len);
		return;
	}
	if (c && ev->kind == PH_EV_QUIC) {
		const struct ph_quic_initial *q = ev->u.proto;
		if (q->what == PH_QUIC_PACKET && q->from_client && q->sni)
			dt_sni(st, ev, q->sni, strlen(q->sni));
		return;
	}
	if (ev->kind != PH_EV_DNS || !c || m->multicast ||
	    m->what == PH_DNS_UNANSWERED || c->resp_port == 5353 ||
	    c->resp_port == 5355 || c->orig_port == 5353)
		return;
	int side = ph_detect_side(&st->base, c);
	if (side != 0)
		return; /* the device answers DNS itself: not its lookups */
	if (m->what == PH_DNS_QUERY) {
		for (unsigned i = 0; i < m->nq; i++)
			dt_name(st, ev, side, &m->q[i].name, m->q[i].qtype, NULL);
	} else if (m->query && m->query->has_question) {
		dt_name(st, ev, side, &m->query->qname, m->query->qtype, m);
	} else if (m->nq) {
		dt_name(st, ev, side, &m->q[0].name, m->q[0].qtype, m);
	}
}

/* ------------------------------------------------------------------ */
/* Life cycle. */

static int dt_load_psl(struct dt_state *st, const struct ph_module_env *env,
		       struct ph_err *err)
{
	const char *path = ph_module_option_path(env, &ph_dns_tunnel_module,
						 "psl");
	if (path) {
		st->psl = ph_psl_new(path, err);
		return st->psl ? PH_OK : PH_EIO;
	}
	struct ph_err e = {0};
	st->psl = ph_psl_new(PH_PSL_DEFAULT_PATH, &e);
	if (!st->psl) {
		st->psl_fallback = 1;
		st->psl = ph_psl_new(NULL, &e);
	}
	return st->psl ? PH_OK : ph_err_set(err, PH_ENOMEM, "out of memory");
}

static void dt_options_read(struct dt_state *st,
			    const struct ph_module_env *env)
{
	const struct ph_module *m = &ph_dns_tunnel_module;
	st->min_queries = (uint32_t)ph_module_option(env, m, "min_queries");
	st->min_unique = ph_module_option(env, m, "min_unique");
	st->long_label = (size_t)ph_module_option(env, m, "long_label");
	st->entropy = ph_module_option(env, m, "entropy");
	st->odd_share = ph_module_option(env, m, "odd_share");
	st->large_response = (uint32_t)ph_module_option(env, m,
							"large_response");
	st->exfil_label = (size_t)ph_module_option(env, m, "exfil_label");
	st->dga_min = (uint32_t)ph_module_option(env, m, "dga_min");
	st->dga_sni_min = (uint32_t)ph_module_option(env, m, "dga_sni_min");
	st->nx_burst = (uint32_t)ph_module_option(env, m, "nx_burst");
}

static int dt_init(const struct ph_module_env *env, void **state,
		   struct ph_err *err)
{
	struct ph_detect_base base;
	if (ph_detect_base_init(&base, env) == PH_MODULE_SKIP)
		return PH_MODULE_SKIP;
	struct dt_state *st = calloc(1, sizeof *st);
	if (!st)
		return ph_err_set(err, PH_ENOMEM, "out of memory");
	st->base = base;
	st->key.k[0] = 0x646e735f74756e6eull;
	st->key.k[1] = 0x656c5f6b65793031ull;
	dt_options_read(st, env);
	int rc = dt_load_psl(st, env, err);
	if (rc < 0) {
		free(st);
		return rc;
	}
	*state = st;
	return PH_OK;
}

static int dt_finish(void *state, uint64_t last_ts_ns, struct ph_err *err)
{
	struct dt_state *st = state;
	for (uint32_t i = 0; i < st->nent; i++)
		ph_dns_tunnel_judge(st, &st->ent[i]);
	for (unsigned i = 0; i < st->ndev; i++)
		ph_dns_tunnel_judge_device(st, &st->dev[i]);
	return PH_OK;
}

static unsigned dt_counters(const void *state, struct ph_module_counter *out,
			    unsigned max)
{
	const struct dt_state *st = state;
	const struct ph_module_counter c[] = {
		{"psl_rules", ph_psl_rules(st->psl)},
		{"psl_fallback", st->psl_fallback},
		{"domains", st->nent},
		{"domains_dropped", st->entries_dropped},
		{"devices_dropped", st->devices_dropped},
		{"names_excluded", st->excluded},
		{"findings_dropped", st->base.dropped},
	};
	return ph_module_counters_copy(out, max, c, sizeof c / sizeof c[0]);
}

static void dt_destroy(void *state)
{
	struct dt_state *st = state;
	if (!st)
		return;
	ph_psl_free(st->psl);
	free(st);
}

const struct ph_module ph_dns_tunnel_module = {
	.name = "dns_tunnel",
	.summary = "DNS tunnels, exfiltration-shaped names, DGA-like domains "
		   "and NXDOMAIN bursts",
	.mask = PH_EV_DNS | PH_EV_TLS_CLIENT_HELLO | PH_EV_QUIC,
	.init = dt_init,
	.on_event = dt_on_event,
	.finish = dt_finish,
	.counters = dt_counters,
	.destroy = dt_destroy,
	.options = dt_options,
	.detection = true,
};
