/* IP fragment reassembly for IPv4 (RFC 791) and IPv6 (RFC 8200 4.5),
 * keyed by (version, source, destination, id, IPv4 protocol).
 * Bounds: PH_FRAG_MAX_DATAGRAMS slots and PH_FRAG_MAX_BYTES of data held
 * in 1 KiB blocks from one pool; both are allocated together at the first
 * fragment (~10 MiB, fixed) and never grow. When either is exhausted the
 * oldest datagram is evicted (FRAG_TABLE_FULL): a flood can evict, never
 * grow memory. Datagrams older than PH_FRAG_TIMEOUT_NS (from their first
 * fragment) are dropped by ph_decoder_expire, lazily (two per new
 * datagram), and when a late fragment finds them (FRAG_TIMEOUT).
 * Overlap policy: first wins. Bytes already held are kept; a fragment only
 * fills holes (FRAG_OVERLAP counted). Linux >= 4.19 drops the whole
 * datagram instead and BSD prefers new data that starts earlier; first-
 * wins is simple, deterministic and keeps the first-seen header.
 * Malformed (FRAG_BAD, datagram dropped): empty fragment, non-final
 * length not a multiple of 8, two different ends, data past the end.
 * Beyond 65535 bytes: FRAG_TOO_BIG, datagram dropped.
 * Completion copies header + data into one of two output buffers (two
 * levels: a fragmented tunnel carrying fragments); deeper nesting is
 * FRAG_BAD. Lookups hash into 2048 buckets; a chain is at most the 1024
 * slots, so a hostile id pattern costs time linear in the slots, no more. */
#include <stdlib.h>
#include <string.h>

#include "decode/decode_int.h"

#define BLK 1024u
#define NBLK (PH_FRAG_MAX_BYTES / BLK)
#define DG_MAX 65535u                  /* data bytes of one datagram */
#define DG_BLKS ((DG_MAX + BLK) / BLK) /* blocks one datagram can use */
#define UNIT_WORDS (65536u / 8u / 64u) /* bitmap of 8-byte units */
#define NBUCKET 2048u
#define NIL 0xffffu
#define LAZY_EXPIRE 2
#define OUT_LEVELS 2

struct dg {
	uint8_t src[16], dst[16];
	uint32_t id;
	uint8_t ver, proto;  /* key (proto: IPv4 only, 0 for IPv6) */
	uint8_t nh;          /* IPv6 next header of the offset-0 fragment */
	uint8_t hdrlen;      /* 0 until the offset-0 fragment arrives */
	uint8_t hdr[60];
	bool have_end;
	uint32_t end;        /* data length, when have_end */
	uint32_t units;      /* 8-byte units held */
	uint64_t ts;         /* first fragment */
	uint16_t hnext, older, newer;
	uint16_t nblk;
	uint16_t blk[DG_BLKS]; /* pool block + 1; 0 = none */
	uint64_t bits[UNIT_WORDS];
};

struct ph_frag_table {
	struct dg dg[PH_FRAG_MAX_DATAGRAMS];
	uint16_t bucket[NBUCKET];
	uint16_t free_dg; /* free slots, linked through hnext */
	uint16_t oldest, newest;
	uint32_t ndg;
	uint32_t nfree_blk;
	uint16_t free_blk[NBLK];
	uint8_t *pool; /* NBLK * BLK, owned */
	uint8_t out[OUT_LEVELS][60 + DG_MAX];
};

_Static_assert(PH_FRAG_MAX_DATAGRAMS < NIL, "slot index fits uint16");
_Static_assert(NBLK < NIL, "block index fits uint16");

static struct ph_frag_table *table_new(struct ph_decoder *d)
{
	struct ph_frag_table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->pool = malloc((size_t)NBLK * BLK);
	if (!t->pool) {
		free(t);
		return NULL;
	}
	for (uint32_t i = 0; i < NBUCKET; i++)
		t->bucket[i] = NIL;
	for (uint32_t i = 0; i < PH_FRAG_MAX_DATAGRAMS; i++)
		t->dg[i].hnext = i + 1 < PH_FRAG_MAX_DATAGRAMS ? (uint16_t)(i + 1)
							       : NIL;
	t->free_dg = 0;
	t->oldest = t->newest = NIL;
	for (uint32_t i = 0; i < NBLK; i++)
		t->free_blk[i] = (uint16_t)(NBLK - 1 - i);
	t->nfree_blk = NBLK;
	d->st.frag_mem = sizeof *t + (uint64_t)NBLK * BLK;
	return t;
}

void ph_frag_table_free(struct ph_frag_table *t)
{
	if (!t)
		return;
	free(t->pool);
	free(t);
}

static uint32_t key_hash(const struct ph_frag_in *in, uint8_t kproto)
{
	uint32_t alen = in->ver == 4 ? 4 : 16;
	uint32_t h = (in->id ^ ((uint32_t)kproto << 24) ^ in->ver) * 0x9e3779b1u;
	for (uint32_t i = 0; i < alen; i += 4) {
		h = (h ^ ph_be32(in->src + i)) * 0x85ebca6bu;
		h = (h ^ ph_be32(in->dst + i)) * 0xc2b2ae35u;
	}
	h ^= h >> 15;
	return h & (NBUCKET - 1);
}

static bool key_eq(const struct dg *g, const struct ph_frag_in *in,
		   uint8_t kproto)
{
	size_t alen = in->ver == 4 ? 4 : 16;
	return g->id == in->id && g->ver == in->ver && g->proto == kproto &&
	       memcmp(g->src, in->src, alen) == 0 &&
	       memcmp(g->dst, in->dst, alen) == 0;
}

static void stats_update(struct ph_decoder *d, const struct ph_frag_table *t)
{
	uint64_t held = (uint64_t)(NBLK - t->nfree_blk) * BLK;
	d->st.frag_bytes = held;
	if (held > d->st.frag_peak_bytes)
		d->st.frag_peak_bytes = held;
	d->st.frag_datagrams = t->ndg;
}

/* Unlinks slot i from its hash chain and the age list, frees its blocks
 * and the slot. Bucket b is the slot's hash bucket. */
static void dg_free(struct ph_frag_table *t, uint16_t i, uint32_t b)
{
	struct dg *g = &t->dg[i];
	uint16_t *pp = &t->bucket[b];
	while (*pp != NIL && *pp != i)
		pp = &t->dg[*pp].hnext;
	if (*pp == i)
		*pp = g->hnext;
	if (g->older != NIL)
		t->dg[g->older].newer = g->newer;
	else
		t->oldest = g->newer;
	if (g->newer != NIL)
		t->dg[g->newer].older = g->older;
	else
		t->newest = g->older;
	for (uint32_t k = 0; k < DG_BLKS && g->nblk; k++) {
		if (g->blk[k]) {
			t->free_blk[t->nfree_blk++] = (uint16_t)(g->blk[k] - 1);
			g->blk[k] = 0;
			g->nblk--;
		}
	}
	g->hnext = t->free_dg;
	t->free_dg = i;
	t->ndg--;
}

/* Bucket of an existing slot (recomputed from its key). */
static uint32_t dg_bucket(const struct dg *g)
{
	struct ph_frag_in k = {.src = g->src, .dst = g->dst, .id = g->id,
			       .ver = g->ver};
	return key_hash(&k, g->proto);
}

static void dg_drop(struct ph_frag_table *t, uint16_t i)
{
	dg_free(t, i, dg_bucket(&t->dg[i]));
}

/* Evicts the oldest datagram other than `keep`; false if none. */
static bool evict_oldest(struct ph_dec *s, struct ph_frag_table *t,
			 uint16_t keep)
{
	uint16_t i = t->oldest;
	if (i == keep && i != NIL)
		i = t->dg[i].newer;
	if (i == NIL)
		return false;
	dg_drop(t, i);
	ph_anomaly_count(s->an, PH_ANOM_FRAG_TABLE_FULL);
	return true;
}

static void expire_some(struct ph_dec *s, struct ph_frag_table *t,
			uint64_t now, unsigned max)
{
	for (unsigned n = 0; n < max && t->oldest != NIL; n++) {
		struct dg *g = &t->dg[t->oldest];
		if (now < g->ts || now - g->ts <= PH_FRAG_TIMEOUT_NS)
			break;
		dg_drop(t, t->oldest);
		ph_anomaly_count(s->an, PH_ANOM_FRAG_TIMEOUT);
	}
}

void ph_frag_expire(struct ph_decoder *d, uint64_t now_ns)
{
	struct ph_frag_table *t = d->frag;
	if (!t)
		return;
	struct ph_dec s = {.d = d, .an = d->an};
	expire_some(&s, t, now_ns, PH_FRAG_MAX_DATAGRAMS);
	stats_update(d, t);
}

static uint16_t dg_find(struct ph_frag_table *t, const struct ph_frag_in *in,
			uint8_t kproto, uint32_t b)
{
	for (uint16_t i = t->bucket[b]; i != NIL; i = t->dg[i].hnext)
		if (key_eq(&t->dg[i], in, kproto))
			return i;
	return NIL;
}

static uint16_t dg_new(struct ph_dec *s, struct ph_frag_table *t,
		       const struct ph_frag_in *in, uint8_t kproto, uint32_t b)
{
	if (t->free_dg == NIL)
		evict_oldest(s, t, NIL);
	uint16_t i = t->free_dg;
	struct dg *g = &t->dg[i];
	t->free_dg = g->hnext;
	size_t alen = in->ver == 4 ? 4 : 16;
	memset(g->src, 0, 16);
	memset(g->dst, 0, 16);
	memcpy(g->src, in->src, alen);
	memcpy(g->dst, in->dst, alen);
	g->id = in->id;
	g->ver = in->ver;
	g->proto = kproto;
	g->nh = 0;
	g->hdrlen = 0;
	g->have_end = false;
	g->end = g->units = 0;
	g->ts = s->ts;
	g->nblk = 0;
	memset(g->bits, 0, sizeof g->bits);
	g->hnext = t->bucket[b];
	t->bucket[b] = i;
	g->older = t->newest;
	g->newer = NIL;
	if (t->newest != NIL)
		t->dg[t->newest].newer = i;
	else
		t->oldest = i;
	t->newest = i;
	t->ndg++;
	return i;
}

static inline bool bit_get(const uint64_t *w, uint32_t u)
{
	return (w[u >> 6] >> (u & 63)) & 1;
}

static bool bits_any(const uint64_t *w, uint32_t a, uint32_t e)
{
	for (uint32_t u = a; u < e;) {
		if ((u & 63) == 0 && e - u >= 64) {
			if (w[u >> 6])
				return true;
			u += 64;
		} else {
			if (bit_get(w, u))
				return true;
			u++;
		}
	}
	return false;
}

/* Makes sure blocks covering data [a, e) exist; evicts others if needed. */
static bool blocks_reserve(struct ph_dec *s, struct ph_frag_table *t,
			   uint16_t i, uint32_t a, uint32_t e)
{
	struct dg *g = &t->dg[i];
	uint32_t need = 0;
	for (uint32_t k = a / BLK; k <= (e - 1) / BLK; k++)
		need += g->blk[k] == 0;
	while (t->nfree_blk < need)
		if (!evict_oldest(s, t, i))
			return false;
	for (uint32_t k = a / BLK; k <= (e - 1) / BLK; k++) {
		if (!g->blk[k]) {
			g->blk[k] = (uint16_t)(t->free_blk[--t->nfree_blk] + 1);
			g->nblk++;
		}
	}
	return true;
}

/* Copies src into the datagram's data space at [a, a+len). */
static void data_write(struct ph_frag_table *t, const struct dg *g,
		       uint32_t a, const uint8_t *src, uint32_t len)
{
	while (len) {
		uint32_t k = a / BLK, o = a % BLK;
		uint32_t c = BLK - o < len ? BLK - o : len;
		memcpy(t->pool + (size_t)(g->blk[k] - 1) * BLK + o, src, c);
		a += c;
		src += c;
		len -= c;
	}
}

/* Stores the fragment's data, first wins; counts units newly held. */
static void data_store(struct ph_dec *s, struct ph_frag_table *t,
		       struct dg *g, const struct ph_frag_in *in)
{
	uint32_t ua = in->off / 8, ue = (in->off + in->len + 7) / 8;
	bool overlap = bits_any(g->bits, ua, ue);
	if (!overlap)
		data_write(t, g, in->off, in->data, in->len);
	else
		ph_anomaly_count(s->an, PH_ANOM_FRAG_OVERLAP);
	for (uint32_t u = ua; u < ue; u++) {
		if (bit_get(g->bits, u))
			continue;
		if (overlap) {
			uint32_t a = u * 8, e = a + 8;
			if (e > in->off + in->len)
				e = in->off + in->len;
			data_write(t, g, a, in->data + (a - in->off), e - a);
		}
		g->bits[u >> 6] |= 1ull << (u & 63);
		g->units++;
	}
}

/* Checks the fragment against what the datagram already knows. */
static bool end_consistent(struct dg *g, const struct ph_frag_in *in)
{
	uint32_t e = in->off + in->len;
	if (!in->more) {
		if (g->have_end && g->end != e)
			return false;
		if (!g->have_end && bits_any(g->bits, (e + 7) / 8, 65536 / 8))
			return false;
		g->have_end = true;
		g->end = e;
		return true;
	}
	return !g->have_end || e <= g->end;
}

/* Writes header + data of the complete datagram i to the output buffer. */
static const uint8_t *build(struct ph_frag_table *t, struct dg *g,
			    unsigned level, uint32_t *outlen)
{
	uint8_t *o = t->out[level];
	uint32_t hl = g->hdrlen, tot = hl + g->end;
	memcpy(o, g->hdr, hl);
	if (g->ver == 4) {
		o[2] = (uint8_t)(tot >> 8);
		o[3] = (uint8_t)tot;
		o[6] &= 0x40; /* keep DF, clear MF and offset */
		o[7] = 0;
	} else {
		o[4] = (uint8_t)(g->end >> 8);
		o[5] = (uint8_t)g->end;
		o[6] = g->nh;
	}
	for (uint32_t k = 0; k * BLK < g->end; k++) {
		uint32_t c = g->end - k * BLK < BLK ? g->end - k * BLK : BLK;
		memcpy(o + hl + k * BLK, t->pool + (size_t)(g->blk[k] - 1) * BLK, c);
	}
	*outlen = tot;
	return o;
}

/* Validates a fragment on its own; counts and returns false if bad. */
static bool frag_valid(struct ph_dec *s, const struct ph_frag_in *in)
{
	if (in->len == 0 || (in->more && (in->len & 7))) {
		ph_anomaly_count(s->an, PH_ANOM_FRAG_BAD);
		return false;
	}
	uint32_t lim = DG_MAX - (in->ver == 4 ? in->hdrlen : 0);
	if (in->off + in->len > lim) {
		ph_anomaly_count(s->an, PH_ANOM_FRAG_TOO_BIG);
		return false;
	}
	if (s->in_reasm >= OUT_LEVELS) {
		ph_anomaly_count(s->an, PH_ANOM_FRAG_BAD);
		return false;
	}
	return true;
}

static ph_res held(struct ph_dec *s, struct ph_frag_table *t)
{
	ph_anomaly_count(s->an, PH_ANOM_FRAG_HELD);
	s->d->st.frags_held++;
	stats_update(s->d, t);
	return PH_DECODE_HELD;
}

/* Drops the fragment and its datagram (slot i, NIL if none). */
static ph_res reject(struct ph_dec *s, struct ph_frag_table *t, uint16_t i,
		     uint32_t b)
{
	if (i != NIL)
		dg_free(t, i, b);
	stats_update(s->d, t);
	return PH_DECODE_BAD;
}

/* Stores a valid fragment in slot i; false (counted) when inconsistent
 * with the datagram or when no memory can be freed for it. */
static bool dg_accept(struct ph_dec *s, struct ph_frag_table *t, uint16_t i,
		      const struct ph_frag_in *in)
{
	struct dg *g = &t->dg[i];
	if (!end_consistent(g, in)) {
		ph_anomaly_count(s->an, PH_ANOM_FRAG_BAD);
		return false;
	}
	if (!blocks_reserve(s, t, i, in->off, in->off + in->len)) {
		ph_anomaly_count(s->an, PH_ANOM_FRAG_TABLE_FULL);
		return false;
	}
	if (in->off == 0 && !bit_get(g->bits, 0)) {
		memcpy(g->hdr, in->hdr, in->hdrlen);
		g->hdrlen = (uint8_t)in->hdrlen;
		g->nh = in->proto;
	}
	data_store(s, t, g, in);
	return true;
}

ph_res ph_frag_add(struct ph_dec *s, const struct ph_frag_in *in,
		   const uint8_t **out, uint32_t *outlen)
{
	struct ph_decoder *d = s->d;
	*out = NULL;
	if (!d->frag && !(d->frag = table_new(d)))
		return ph_dec_bad(s, PH_ANOM_FRAG_TABLE_FULL);
	struct ph_frag_table *t = d->frag;
	uint8_t kproto = in->ver == 4 ? in->proto : 0;
	uint32_t b = key_hash(in, kproto);
	uint16_t i = dg_find(t, in, kproto, b);
	if (i != NIL && s->ts > t->dg[i].ts &&
	    s->ts - t->dg[i].ts > PH_FRAG_TIMEOUT_NS) { /* stale: start over */
		dg_free(t, i, b);
		ph_anomaly_count(s->an, PH_ANOM_FRAG_TIMEOUT);
		i = NIL;
	}
	if (!frag_valid(s, in))
		return reject(s, t, i, b);
	if (i == NIL) {
		expire_some(s, t, s->ts, LAZY_EXPIRE);
		i = dg_new(s, t, in, kproto, b);
	}
	if (!dg_accept(s, t, i, in))
		return reject(s, t, i, b);
	struct dg *g = &t->dg[i];
	if (!g->have_end || g->units != (g->end + 7) / 8)
		return held(s, t);
	if (g->hdrlen + g->end > DG_MAX + (g->ver == 6 ? 40u : 0u)) {
		ph_anomaly_count(s->an, PH_ANOM_FRAG_TOO_BIG);
		return reject(s, t, i, b);
	}
	*out = build(t, g, s->in_reasm++, outlen);
	dg_free(t, i, b);
	d->st.frags_reassembled++;
	stats_update(d, t);
	return PH_DECODE_FLOW;
}
