/* The flow table: finds or creates the connection for each decoded packet
 * and keeps its conn.log record. Owns the flows (a slab of PH_FLOW_CHUNK
 * chunks, at most cfg.max_flows, recycled through a free list), the
 * chained hash buckets (next_pow2(max_flows) 4-byte heads, capped at
 * PH_FLOW_MAX_BUCKETS, allocated on the first packet; SipHash-1-3 with a
 * secret key so a crafted capture cannot aim at one bucket), per-protocol
 * inactivity lists (oldest first; a flow is re-queued at most once per
 * PH_FLOW_LRU_GRAIN_NS, expiry looks at list heads only and re-checks a
 * flow's own deadline whenever one of its packets arrives), Zeek's TCP
 * timers, eviction of the least recently active flow when full, uids, and
 * every event the stage emits. Work per packet is bounded: one hash, one
 * chain walk, at most PH_FLOW_EXPIRE_PER_PKT list heads. No allocation per
 * packet once the slab has grown (reassembly of out-of-order data aside).
 * The event callback must not call back into the table. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "flow/flow_int.h"

#define NS 1000000000ull
#define HIST_UDP_ORIG (1u << 30)
#define HIST_UDP_RESP (1u << 31)

/* uids come from a fixed key so that one capture always gets the same
 * uids; the table's random key never leaks into output. */
static const struct ph_sipkey uid_key = {
	{ 0x7065657068686f6cull, 0x652d756964732d31ull }
};

/* The packet's side of a lookup: Zeek's connection key. */
struct pkt_key {
	const uint8_t *src, *dst;
	uint16_t sport, dport; /* ICMP: type and counterpart (or code) */
	uint8_t proto, ipver;
	uint16_t vlan, ivlan;
	bool one_way;
};

void ph_flow_config_default(struct ph_flow_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->max_flows = 1000000;
	cfg->tcp_timeout_ns = 300 * NS;
	cfg->udp_timeout_ns = 60 * NS;
	cfg->icmp_timeout_ns = 60 * NS;
	cfg->tcp_close_ns = 5 * NS;
	cfg->reassemble = true;
	cfg->reasm_dir_max = 256u * 1024;
	cfg->reasm_total_max = 32ull << 20;
}

/* ---- lists ------------------------------------------------------------ */

static uint64_t lru_timeout(const struct ph_flow_table *t, unsigned l)
{
	switch (l) {
	case PH_LRU_TCP:
		return t->cfg.tcp_timeout_ns;
	case PH_LRU_ICMP:
		return t->cfg.icmp_timeout_ns;
	default: /* handshake TCP, UDP, other IP: Zeek's 1 min class */
		return t->cfg.udp_timeout_ns;
	}
}


static uint32_t *link_at(struct ph_flow *f, size_t off)
{
	return (uint32_t *)((char *)f + off);
}

static void dl_unlink(struct ph_flow_table *t, uint32_t *head, uint32_t *tail,
		      struct ph_flow *f, size_t po, size_t no)
{
	uint32_t prev = *link_at(f, po), next = *link_at(f, no);

	if (prev)
		*link_at(ph_flow_at(t, prev), no) = next;
	else
		*head = next;
	if (next)
		*link_at(ph_flow_at(t, next), po) = prev;
	else
		*tail = prev;
	*link_at(f, po) = *link_at(f, no) = PH_FLOW_NIL;
}

static void dl_append(struct ph_flow_table *t, uint32_t *head, uint32_t *tail,
		      struct ph_flow *f, size_t po, size_t no)
{
	*link_at(f, po) = *tail;
	*link_at(f, no) = PH_FLOW_NIL;
	if (*tail)
		*link_at(ph_flow_at(t, *tail), no) = f->self;
	else
		*head = f->self;
	*tail = f->self;
}

#define LRU_LINKS offsetof(struct ph_flow, lru_prev), \
		  offsetof(struct ph_flow, lru_next)
#define TMR_LINKS offsetof(struct ph_flow, tmr_prev), \
		  offsetof(struct ph_flow, tmr_next)

void ph_flow_lru_move(struct ph_flow_table *t, struct ph_flow *f,
		      enum ph_lru to)
{
	if (f->lru < PH_LRU_COUNT)
		dl_unlink(t, &t->lru_head[f->lru], &t->lru_tail[f->lru], f,
			  LRU_LINKS);
	dl_append(t, &t->lru_head[to], &t->lru_tail[to], f, LRU_LINKS);
	f->lru = (uint8_t)to;
	f->lru_ns = f->conn.last_ns;
	uint64_t to_ns = lru_timeout(t, to);
	if (to_ns && f->lru_ns + to_ns < t->next_check)
		t->next_check = f->lru_ns + to_ns;
}

void ph_flow_timer_set(struct ph_flow_table *t, struct ph_flow *f,
		       enum ph_tmr kind, uint64_t at_ns)
{
	if (f->tmr_kind != PH_TMR_NONE)
		dl_unlink(t, &t->tmr_head[f->tmr_kind],
			  &t->tmr_tail[f->tmr_kind], f, TMR_LINKS);
	f->tmr_kind = (uint8_t)kind;
	f->tmr_ns = at_ns;
	if (kind != PH_TMR_NONE) {
		dl_append(t, &t->tmr_head[kind], &t->tmr_tail[kind], f,
			  TMR_LINKS);
		if (at_ns < t->next_check)
			t->next_check = at_ns;
	}
}

/* ---- small helpers ------------------------------------------------------ */

void ph_flow_add_history(struct ph_flow *f, char code)
{
	if ((size_t)f->hlen + 1 >= sizeof f->conn.history)
		return; /* Zeek's history is unbounded; ours keeps 39 */
	f->conn.history[f->hlen++] = code;
	f->conn.history[f->hlen] = '\0';
}

void ph_flow_event_init(const struct ph_flow_table *t, const struct ph_flow *f,
			enum ph_event_kind kind, enum ph_dir dir,
			struct ph_event *ev)
{
	memset(ev, 0, sizeof *ev);
	ev->kind = kind;
	ev->conn = &f->conn;
	ev->slots = (void **)f->slots; /* modules own them (event.h) */
	ev->dir = dir;
	ev->ts_ns = t->cur ? t->cur->ts_ns : t->last_ts;
	ev->pkt_no = t->cur ? t->cur->pkt_no : 0;
	ev->file_idx = t->cur ? t->cur->file_idx : 0;
}

static void emit_simple(struct ph_flow_table *t, struct ph_flow *f,
			enum ph_event_kind kind)
{
	struct ph_event ev;

	ph_flow_event_init(t, f, kind, PH_DIR_ORIG, &ev);
	t->emit(t->user, &ev);
}

static size_t base62(uint64_t v, char *out)
{
	static const char dig[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz";
	char tmp[16];
	size_t n = 0;

	do {
		tmp[n++] = dig[v % 62];
		v /= 62;
	} while (v);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

/* 'C' + base62 of 96 bits of SipHash-2-4(fixed key, creation number). */
static void make_uid(char out[20], uint64_t id)
{
	uint8_t b[9];
	uint64_t hi, lo;
	size_t n = 1;

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(id >> (8 * i));
	b[8] = 1;
	hi = ph_siphash24(&uid_key, b, sizeof b);
	b[8] = 2;
	lo = ph_siphash24(&uid_key, b, sizeof b) & 0xffffffffu;
	out[0] = 'C';
	n += base62(hi, out + n);
	n += base62(lo, out + n);
	out[n] = '\0';
}


/* ---- table ---------------------------------------------------------------- */

static void init_key(struct ph_flow_table *t, const struct ph_flow_config *cfg)
{
	uint8_t b[16];

	if (cfg->hash_seed[0] || cfg->hash_seed[1]) {
		t->key.k[0] = cfg->hash_seed[0];
		t->key.k[1] = cfg->hash_seed[1];
		return;
	}
	if (getrandom(b, sizeof b, GRND_NONBLOCK) == (ssize_t)sizeof b) {
		t->key = ph_sipkey_from_bytes(b);
		return;
	}
	/* No entropy: fall back on address-space layout (still unknown to
	 * whoever wrote the capture, weaker). */
	t->key.k[0] = (uint64_t)(uintptr_t)t ^ 0x9e3779b97f4a7c15ull;
	t->key.k[1] = (uint64_t)(uintptr_t)&b ^ (uint64_t)(uintptr_t)cfg;
}

static void emit_nothing(void *user, const struct ph_event *ev)
{
	(void)user;
	(void)ev;
}

struct ph_flow_table *ph_flow_table_new(const struct ph_flow_config *cfg,
					ph_event_fn emit, void *user,
					struct ph_anomalies *anomalies)
{
	struct ph_flow_table *t = calloc(1, sizeof *t);

	if (!t)
		return NULL;
	t->cfg = *cfg;
	if (t->cfg.max_flows == 0)
		t->cfg.max_flows = 1;
	t->emit = emit ? emit : emit_nothing;
	t->user = user;
	t->anom = anomalies;
	init_key(t, cfg);
	t->next_check = UINT64_MAX;
	t->chunk_cap = (t->cfg.max_flows + PH_FLOW_CHUNK - 1) / PH_FLOW_CHUNK;
	t->chunk = calloc(t->chunk_cap, sizeof *t->chunk);
	if (!t->chunk) {
		free(t);
		return NULL;
	}
	return t;
}

/* The most buckets the table will use: max_flows rounded up to a power
 * of two (at least 1024, at most PH_FLOW_MAX_BUCKETS). */
static uint32_t buckets_max(const struct ph_flow_table *t)
{
	uint32_t n = 1024;

	while (n < t->cfg.max_flows && n < PH_FLOW_MAX_BUCKETS)
		n <<= 1;
	return n;
}

/* The bucket array starts small and doubles while flows are more than
 * half the buckets (buckets_grow), so that it stays cache-sized: a 4 MB
 * array sized for max_flows up front cost a cache and TLB miss per
 * packet. */
static bool buckets_ready(struct ph_flow_table *t)
{
	uint32_t n = buckets_max(t);

	if (t->bucket)
		return true;
	if (n > PH_FLOW_START_BUCKETS)
		n = PH_FLOW_START_BUCKETS;
	t->bucket = calloc(n, sizeof *t->bucket);
	if (!t->bucket)
		return false;
	t->nbucket = n;
	return true;
}

/* Doubles the bucket array (kept as is when at the maximum or out of
 * memory). Each chain of bucket i splits into new buckets i and i + old
 * size, keeping its order, so lookups find the same flow first. */
static void buckets_grow(struct ph_flow_table *t)
{
	uint32_t old = t->nbucket, n = old * 2;

	if (n > buckets_max(t) || n < old)
		return;
	uint32_t *b = calloc(n, sizeof *b);
	if (!b)
		return;
	for (uint32_t i = 0; i < old; i++) {
		uint32_t *tail[2] = {&b[i], &b[i + old]};
		uint32_t slot = t->bucket[i];
		while (slot) {
			struct ph_flow *f = ph_flow_at(t, slot);
			uint32_t next = f->hnext;
			unsigned hi = (f->hash & old) != 0;
			f->hnext = PH_FLOW_NIL;
			*tail[hi] = slot;
			tail[hi] = &f->hnext;
			slot = next;
		}
	}
	free(t->bucket);
	t->bucket = b;
	t->nbucket = n;
}

static uint32_t slot_alloc(struct ph_flow_table *t)
{
	uint32_t i = t->nslots;

	if (t->free_head) {
		uint32_t slot = t->free_head;
		t->free_head = ph_flow_at(t, slot)->hnext;
		return slot;
	}
	if (i >= t->cfg.max_flows)
		return PH_FLOW_NIL;
	if (i / PH_FLOW_CHUNK >= t->nchunk) {
		uint32_t left = t->cfg.max_flows - i;
		size_t n = left < PH_FLOW_CHUNK ? left : PH_FLOW_CHUNK;
		struct ph_flow *c = malloc(n * sizeof *c);
		if (!c)
			return PH_FLOW_NIL;
		t->chunk[t->nchunk++] = c;
	}
	t->nslots++;
	return i + 1;
}

static void hash_unlink(struct ph_flow_table *t, struct ph_flow *f)
{
	uint32_t *link = &t->bucket[f->hash & (t->nbucket - 1)];

	while (*link && *link != f->self)
		link = &ph_flow_at(t, *link)->hnext;
	if (*link)
		*link = f->hnext;
}

/* Ends f: final record, FLOW_END, and the slot back to the free list. */
static void end_flow(struct ph_flow_table *t, struct ph_flow *f,
		     enum ph_conn_end why)
{
	if (f->conn.proto == 6)
		ph_reasm_finish(t, f);
	ph_flow_finish_conn(f);
	f->conn.end = why;
	emit_simple(t, f, PH_EV_FLOW_END);
	hash_unlink(t, f);
	dl_unlink(t, &t->lru_head[f->lru], &t->lru_tail[f->lru], f,
		  LRU_LINKS);
	ph_flow_timer_set(t, f, PH_TMR_NONE, 0);
	f->lru = PH_LRU_COUNT;
	f->hnext = t->free_head;
	t->free_head = f->self;
	t->st.ended++;
	t->st.active--;
}

/* The least recently active flow: the oldest of the list heads. */
static struct ph_flow *oldest(struct ph_flow_table *t)
{
	struct ph_flow *best = NULL;

	for (unsigned l = 0; l < PH_LRU_COUNT; l++) {
		struct ph_flow *f;
		if (!t->lru_head[l])
			continue;
		f = ph_flow_at(t, t->lru_head[l]);
		if (!best || f->conn.last_ns < best->conn.last_ns)
			best = f;
	}
	return best;
}

void ph_flow_table_flush(struct ph_flow_table *t)
{
	struct ph_flow *f;

	while ((f = oldest(t)))
		end_flow(t, f, PH_END_EOF);
}

void ph_flow_table_free(struct ph_flow_table *t)
{
	if (!t)
		return;
	ph_flow_table_flush(t);
	for (uint32_t i = 0; i < t->nchunk; i++)
		free(t->chunk[i]);
	free(t->chunk);
	free(t->bucket);
	free(t);
}

const struct ph_flow_stats *ph_flow_table_stats(const struct ph_flow_table *t)
{
	return &t->st;
}

/* ---- expiry ----------------------------------------------------------------- */

/* Why f must end as of now, or -1. A timer whose condition no longer
 * holds is dropped (Zeek's timers are one-shot). */
static int due(struct ph_flow_table *t, struct ph_flow *f, uint64_t now)
{
	uint64_t to = lru_timeout(t, f->lru);

	if (f->tmr_kind != PH_TMR_NONE && f->tmr_ns <= now) {
		enum ph_tmr k = (enum ph_tmr)f->tmr_kind;
		if (ph_tcp_timer_fires(f, k))
			return k == PH_TMR_CLOSE ? PH_END_CLOSED
						 : PH_END_TIMEOUT;
		ph_flow_timer_set(t, f, PH_TMR_NONE, 0);
	}
	if (to && f->conn.last_ns + to <= now)
		return PH_END_TIMEOUT;
	return -1;
}

/* Ends due flows found at list heads; at most `budget` of them. */
static uint32_t expire_heads(struct ph_flow_table *t, uint64_t now,
			     uint32_t budget)
{
	uint32_t n = 0;

	for (unsigned k = 1; k < PH_TMR_COUNT; k++) {
		while (n < budget && t->tmr_head[k]) {
			struct ph_flow *f = ph_flow_at(t, t->tmr_head[k]);
			int why;
			if (f->tmr_ns > now)
				break;
			why = due(t, f, now);
			if (why >= 0) {
				end_flow(t, f, (enum ph_conn_end)why);
				n++;
			}
		}
	}
	for (unsigned l = 0; l < PH_LRU_COUNT; l++) {
		uint64_t to = lru_timeout(t, l);
		while (n < budget && to && t->lru_head[l]) {
			struct ph_flow *f = ph_flow_at(t, t->lru_head[l]);
			if (f->lru_ns + to > now)
				break;
			if (f->conn.last_ns + to <= now)
				end_flow(t, f, PH_END_TIMEOUT);
			else /* active since it was queued: re-queue */
				ph_flow_lru_move(t, f, (enum ph_lru)l);
			n++;
		}
	}
	return n;
}

/* The earliest time a list head can be due. */
static uint64_t next_due(struct ph_flow_table *t)
{
	uint64_t best = UINT64_MAX;

	for (unsigned k = 1; k < PH_TMR_COUNT; k++)
		if (t->tmr_head[k] &&
		    ph_flow_at(t, t->tmr_head[k])->tmr_ns < best)
			best = ph_flow_at(t, t->tmr_head[k])->tmr_ns;
	for (unsigned l = 0; l < PH_LRU_COUNT; l++) {
		uint64_t to = lru_timeout(t, l);
		if (to && t->lru_head[l] &&
		    ph_flow_at(t, t->lru_head[l])->lru_ns + to < best)
			best = ph_flow_at(t, t->lru_head[l])->lru_ns + to;
	}
	return best;
}

static void expire_some(struct ph_flow_table *t, uint64_t now,
			uint32_t budget)
{
	if (now < t->next_check)
		return;
	if (expire_heads(t, now, budget) >= budget)
		t->next_check = now; /* more next time */
	else
		t->next_check = next_due(t);
}

void ph_flow_table_expire(struct ph_flow_table *t, uint64_t now_ns)
{
	uint32_t slot;

	if (now_ns > t->last_ts)
		t->last_ts = now_ns;
	t->next_check = 0;
	expire_some(t, now_ns, UINT32_MAX);
	/* EXPIRE deadlines are not in insertion order: check them all. */
	slot = t->tmr_head[PH_TMR_EXPIRE];
	while (slot) {
		struct ph_flow *f = ph_flow_at(t, slot);
		uint32_t next = f->tmr_next;
		int why = due(t, f, now_ns);
		if (why >= 0)
			end_flow(t, f, (enum ph_conn_end)why);
		slot = next;
	}
}

/* ---- lookup and creation ---------------------------------------------------- */

static void make_key(const struct ph_pkt *p, const struct ph_tuple *tu,
		     struct pkt_key *k)
{
	k->src = tu->src;
	k->dst = tu->dst;
	k->proto = tu->proto;
	k->ipver = tu->ipver;
	k->vlan = p->nvlan > 0 ? p->vlan[0] : 0;
	k->ivlan = p->nvlan > 1 ? p->vlan[1] : 0;
	k->one_way = false;
	if (tu->proto == 6 || tu->proto == 17) {
		k->sport = tu->sport;
		k->dport = tu->dport;
	} else if (tu->proto == 1 || tu->proto == 58) {
		k->sport = tu->sport;
		k->dport = ph_flow_icmp_counterpart(tu->proto,
						    (uint8_t)tu->sport,
						    (uint8_t)tu->dport,
						    &k->one_way);
	} else {
		k->sport = k->dport = 0;
	}
}

static size_t put_u16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	return 2;
}

/* SipHash-1-3 over the canonical (direction-free) form of the key. */
static uint64_t key_hash(const struct ph_flow_table *t,
			 const struct pkt_key *k)
{
	uint8_t b[48];
	size_t n = 0, alen = k->ipver == 6 ? 16 : 4;
	const uint8_t *a = k->src, *z = k->dst;
	uint16_t pa = k->sport, pz = k->dport;
	int cmp = memcmp(a, z, alen);

	if (!k->one_way && (cmp > 0 || (cmp == 0 && pa > pz))) {
		a = k->dst;
		z = k->src;
		pa = k->dport;
		pz = k->sport;
	}
	memcpy(b, a, alen);
	memcpy(b + alen, z, alen);
	n = 2 * alen;
	n += put_u16(b + n, pa);
	n += put_u16(b + n, pz);
	b[n++] = k->proto;
	b[n++] = k->ipver;
	n += put_u16(b + n, k->vlan);
	n += put_u16(b + n, k->ivlan);
	b[n++] = k->one_way;
	return ph_siphash13(&t->key, b, n);
}

/* Does f carry key k, and is the packet from its originator? */
static bool key_match(const struct ph_flow *f, const struct pkt_key *k,
		      bool *is_orig)
{
	const struct ph_conn *c = &f->conn;

	if (c->proto != k->proto || c->ipver != k->ipver ||
	    c->vlan != k->vlan || c->inner_vlan != k->ivlan ||
	    f->one_way != k->one_way)
		return false;
	if (c->orig_port == k->sport && c->resp_port == k->dport &&
	    !memcmp(c->orig_addr, k->src, 16) &&
	    !memcmp(c->resp_addr, k->dst, 16)) {
		*is_orig = true;
		return true;
	}
	if (!k->one_way && c->orig_port == k->dport &&
	    c->resp_port == k->sport && !memcmp(c->orig_addr, k->dst, 16) &&
	    !memcmp(c->resp_addr, k->src, 16)) {
		*is_orig = false;
		return true;
	}
	return false;
}

static struct ph_flow *lookup(struct ph_flow_table *t,
			      const struct pkt_key *k, uint64_t h,
			      bool *is_orig)
{
	uint32_t slot = t->bucket[h & (t->nbucket - 1)];

	while (slot) {
		struct ph_flow *f = ph_flow_at(t, slot);
		if (f->hash == h && key_match(f, k, is_orig))
			return f;
		slot = f->hnext;
	}
	return NULL;
}

static enum ph_lru lru_for(uint8_t proto)
{
	switch (proto) {
	case 6:
		return PH_LRU_TCP_HS;
	case 17:
		return PH_LRU_UDP;
	case 1:
	case 58:
		return PH_LRU_ICMP;
	default:
		return PH_LRU_OTHER;
	}
}

static void init_conn(struct ph_flow_table *t, struct ph_flow *f,
		      const struct ph_pkt *p, const struct pkt_key *k,
		      bool inner)
{
	struct ph_conn *c = &f->conn;

	c->id = ++t->next_id;
	make_uid(c->uid, c->id);
	memcpy(c->orig_addr, k->src, 16);
	memcpy(c->resp_addr, k->dst, 16);
	c->orig_port = k->sport;
	c->resp_port = k->dport;
	c->proto = k->proto;
	c->ipver = k->ipver;
	c->vlan = k->vlan;
	c->inner_vlan = k->ivlan;
	c->start_ns = c->last_ns = p->ts_ns;
	c->app_uid = -1;
	c->tunnel_depth = inner ? p->tunnel_depth : 0;
	if (p->has_mac) {
		memcpy(c->orig_mac, p->src_mac, 6);
		memcpy(f->resp_mac, p->dst_mac, 6);
		c->has_mac = true;
	}
}

/* A slot for a new flow, evicting the least recently active one when the
 * table is full. */
static struct ph_flow *new_slot(struct ph_flow_table *t)
{
	uint32_t slot = slot_alloc(t);

	if (!slot) {
		struct ph_flow *victim = oldest(t);
		ph_anomaly_count(t->anom, PH_ANOM_FLOW_TABLE_FULL);
		if (!victim)
			return NULL;
		t->st.evicted++;
		end_flow(t, victim, PH_END_EVICTED);
		slot = slot_alloc(t);
		if (!slot)
			return NULL;
	}
	struct ph_flow *f = ph_flow_at(t, slot);
	memset(f, 0, sizeof *f);
	f->self = slot;
	f->lru = PH_LRU_COUNT;
	return f;
}

static struct ph_flow *create(struct ph_flow_table *t, const struct ph_pkt *p,
			      const struct ph_tuple *tu,
			      const struct pkt_key *k, uint64_t h, bool inner)
{
	struct ph_flow *f;
	uint32_t *bucket;

	if (t->st.active >= t->nbucket / 2)
		buckets_grow(t);
	f = new_slot(t);
	if (!f)
		return NULL;
	init_conn(t, f, p, k, inner);
	f->hash = h;
	f->one_way = k->one_way;
	bucket = &t->bucket[h & (t->nbucket - 1)];
	f->hnext = *bucket;
	*bucket = f->self;
	ph_flow_lru_move(t, f, lru_for(k->proto));
	if (k->proto == 6)
		ph_tcp_init(f);
	if ((k->proto == 6 || k->proto == 17) &&
	    ph_flow_flip_at_start(tu, inner ? p->tcp_flags : 0))
		ph_flow_flip(f);
	t->st.created++;
	if (++t->st.active > t->st.peak_active)
		t->st.peak_active = t->st.active;
	emit_simple(t, f, PH_EV_FLOW_START);
	return f;
}

/* ---- per packet ---------------------------------------------------------------- */

static void count_common(struct ph_flow *f, const struct ph_pkt *p,
			 bool inner, int d)
{
	struct ph_conn *c = &f->conn;
	struct ph_conn_dir *dir = &c->dir[d];

	if (dir->pkts++ == 0)
		dir->first_ns = p->ts_ns;
	if (p->ts_ns > dir->last_ns)
		dir->last_ns = p->ts_ns;
	dir->ip_bytes += inner ? p->ip_len : p->outer_ip_len;
	dir->l2_bytes += p->frame_len;
	if (!c->has_mac && p->has_mac) {
		memcpy(c->orig_mac, d == 0 ? p->src_mac : p->dst_mac, 6);
		memcpy(f->resp_mac, d == 0 ? p->dst_mac : p->src_mac, 6);
		c->has_mac = true;
	}
	if (inner && p->has_app && !f->has_app) {
		size_t n = strnlen(p->app_name, sizeof p->app_name);
		if (n >= sizeof c->app)
			n = sizeof c->app - 1;
		memcpy(c->app, p->app_name, n);
		c->app[n] = '\0';
		c->app_uid = p->app_uid;
		f->has_app = true;
	}
}

/* UDP, ICMP and other IP protocols: Zeek's size and activity. */
static void count_datagram(struct ph_flow_table *t, struct ph_flow *f,
			   const struct ph_pkt *p, bool inner, int d)
{
	struct ph_conn *c = &f->conn;
	struct ph_event ev;

	f->active[d] = true;
	if (c->proto == 17 || c->proto == 1 || c->proto == 58) /* Zeek keeps
		no size for other IP protocols */
		c->dir[d].bytes += inner ? p->payload_wire
					 : p->outer_payload_wire;
	if (p->ts_ns > c->last_ns) {
		c->last_ns = p->ts_ns;
		ph_flow_touch(t, f);
	}
	if (c->proto != 17)
		return;
	uint32_t mask = d == 0 ? HIST_UDP_ORIG : HIST_UDP_RESP;
	if (!(f->hist_seen & mask)) {
		f->hist_seen |= mask;
		ph_flow_add_history(f, d == 0 ? 'D' : 'd');
	}
	if (!inner)
		return;
	ph_flow_event_init(t, f, PH_EV_DATAGRAM, (enum ph_dir)d, &ev);
	ev.u.datagram.data = p->payload;
	ev.u.datagram.len = p->payload_len;
	t->emit(t->user, &ev);
}

/* An existing flow the packet belongs to, unless it has to end first
 * (timed out, or a SYN starts a new connection on the tuple). */
static struct ph_flow *still_open(struct ph_flow_table *t, struct ph_flow *f,
				  const struct ph_pkt *p, bool inner)
{
	int why = due(t, f, t->last_ts);

	if (why >= 0) {
		end_flow(t, f, (enum ph_conn_end)why);
		return NULL;
	}
	if (inner && f->conn.proto == 6 && ph_tcp_is_reuse(f, p)) {
		end_flow(t, f, PH_END_REUSED);
		return NULL;
	}
	return f;
}

/* PH_EV_PACKET: the inner packet's IP bytes, for subscribers that look at
 * whole packets (nDPI). Only when cfg.emit_packets. */
static void emit_packet(struct ph_flow_table *t, struct ph_flow *f,
			const struct ph_pkt *p, int d)
{
	struct ph_event ev;

	if (!t->cfg.emit_packets || !p->ip)
		return;
	ph_flow_event_init(t, f, PH_EV_PACKET, (enum ph_dir)d, &ev);
	ev.u.packet.ip = p->ip;
	ev.u.packet.caplen = p->ip_caplen;
	ev.u.packet.ip_len = p->ip_len;
	t->emit(t->user, &ev);
}

static void account(struct ph_flow_table *t, const struct ph_pkt *p,
		    const struct ph_tuple *tu, bool inner)
{
	struct pkt_key k;
	bool is_orig = true;
	uint64_t h;
	struct ph_flow *f;

	make_key(p, tu, &k);
	h = key_hash(t, &k);
	f = lookup(t, &k, h, &is_orig);
	if (f)
		f = still_open(t, f, p, inner);
	if (!f) {
		f = create(t, p, tu, &k, h, inner);
		if (!f || !key_match(f, &k, &is_orig))
			return;
	}
	if (k.proto == 6 && inner) {
		if (ph_tcp_packet(t, f, p, is_orig))
			is_orig = !is_orig;
		count_common(f, p, inner, is_orig ? 0 : 1);
		emit_packet(t, f, p, is_orig ? 0 : 1);
		return;
	}
	count_common(f, p, inner, is_orig ? 0 : 1);
	count_datagram(t, f, p, inner, is_orig ? 0 : 1);
	if (inner)
		emit_packet(t, f, p, is_orig ? 0 : 1);
}

void ph_flow_table_packet(struct ph_flow_table *t, const struct ph_pkt *p)
{
	if (!buckets_ready(t)) {
		ph_anomaly_count(t->anom, PH_ANOM_FLOW_TABLE_FULL);
		return;
	}
	if (p->ts_ns > t->last_ts)
		t->last_ts = p->ts_ns;
	t->cur = p;
	expire_some(t, t->last_ts, PH_FLOW_EXPIRE_PER_PKT);
	if (p->has_outer_udp)
		account(t, p, &p->outer, false);
	account(t, p, &p->t, true);
	t->cur = NULL;
}
