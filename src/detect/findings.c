/* The findings collection (include/peephole/finding.h): an array of
 * distinct findings plus an open-addressing hash index over the fold key
 * (id, device, field, matched, and remote when matched is ""), so an add
 * costs O(1) however many findings a run piles up. Repeats fold into the
 * first copy: count grows, first/last time and packet widen, the stronger
 * severity/confidence wins. At most `max` distinct findings; past that,
 * new ones are counted as dropped. The sorted order (severity, confidence,
 * first time) is computed on the first get after an add and cached.
 * Series of times attached to findings (ph_findings_set_series) are kept
 * per finding index, within PH_FINDINGS_SERIES_TOTAL times in all. */
#include <stdlib.h>
#include <string.h>

#include "peephole/finding.h"
#include "util/siphash.h"

#define FINDINGS_MIN_SLOTS 64u

/* The sorted order, reached through a pointer so a const collection can
 * still fill it lazily. */
struct findings_order {
	unsigned *idx; /* owned; n entries when valid */
	bool valid;
};

/* The times attached to one finding. */
struct findings_series {
	uint64_t *ts;             /* owned, n entries */
	unsigned n;
};

struct ph_findings {
	unsigned max;             /* distinct findings kept at most */
	unsigned n, cap;          /* used / allocated entries of v */
	struct ph_finding *v;     /* owned, insertion order */
	uint64_t *hash;           /* owned, hash of v[i]'s key */
	uint32_t *slots;          /* owned; 0 empty, else index + 1 */
	uint32_t nslots;          /* power of two, >= 2 * n */
	uint64_t dropped;
	unsigned nminor;          /* info and low findings kept */
	struct findings_order *order; /* owned */
	struct findings_series *series; /* owned, cap entries (or NULL) */
	unsigned series_total;    /* times held over all series */
};

const char *ph_severity_name(enum ph_severity s)
{
	switch (s) {
	case PH_SEV_INFO: return "info";
	case PH_SEV_LOW: return "low";
	case PH_SEV_MEDIUM: return "medium";
	case PH_SEV_HIGH: return "high";
	case PH_SEV_CRITICAL: return "critical";
	}
	return "unknown";
}

const char *ph_confidence_name(enum ph_confidence c)
{
	switch (c) {
	case PH_CONF_LOW: return "low";
	case PH_CONF_MEDIUM: return "medium";
	case PH_CONF_HIGH: return "high";
	}
	return "unknown";
}

struct ph_findings *ph_findings_new(unsigned max)
{
	struct ph_findings *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->max = max;
	f->order = calloc(1, sizeof *f->order);
	f->nslots = FINDINGS_MIN_SLOTS;
	f->slots = calloc(f->nslots, sizeof *f->slots);
	if (!f->order || !f->slots) {
		ph_findings_free(f);
		return NULL;
	}
	return f;
}

void ph_findings_free(struct ph_findings *f)
{
	if (!f)
		return;
	if (f->order)
		free(f->order->idx);
	for (unsigned i = 0; f->series && i < f->n; i++)
		free(f->series[i].ts);
	free(f->series);
	free(f->order);
	free(f->v);
	free(f->hash);
	free(f->slots);
	free(f);
}

/* Whether the key includes the remote address. */
static bool key_has_remote(const struct ph_finding *x)
{
	return x->matched[0] == '\0';
}

/* Appends a NUL-terminated field (with its NUL as separator) to the key
 * buffer; fields are bounded by their arrays, so the buffer is too. */
static size_t key_put(char *buf, size_t at, const char *s, size_t cap)
{
	size_t n = strnlen(s, cap - 1);
	memcpy(buf + at, s, n);
	buf[at + n] = '\0';
	return at + n + 1;
}

#define KEY_FIELD(x, fld) (x)->fld, sizeof (x)->fld

static uint64_t key_hash(const struct ph_finding *x)
{
	static const struct ph_sipkey key = {
		{0x70656570686f6c65ULL, 0x66696e64696e6773ULL}};
	char buf[sizeof x->id + sizeof x->device + sizeof x->field +
		 sizeof x->matched + sizeof x->remote];
	size_t n = key_put(buf, 0, KEY_FIELD(x, id));
	n = key_put(buf, n, KEY_FIELD(x, device));
	n = key_put(buf, n, KEY_FIELD(x, field));
	n = key_put(buf, n, KEY_FIELD(x, matched));
	if (key_has_remote(x))
		n = key_put(buf, n, KEY_FIELD(x, remote));
	return ph_siphash13(&key, buf, n);
}

static bool same_str(const char *a, const char *b, size_t cap)
{
	return strncmp(a, b, cap) == 0;
}

static bool key_equal(const struct ph_finding *a, const struct ph_finding *b)
{
	if (!same_str(a->id, b->id, sizeof a->id) ||
	    !same_str(a->device, b->device, sizeof a->device) ||
	    !same_str(a->field, b->field, sizeof a->field) ||
	    !same_str(a->matched, b->matched, sizeof a->matched))
		return false;
	return !key_has_remote(a) ||
	       same_str(a->remote, b->remote, sizeof a->remote);
}

/* The slot holding a finding equal to x, or the empty slot ending its
 * probe sequence. */
static uint32_t slot_find(const struct ph_findings *f,
			  const struct ph_finding *x, uint64_t h)
{
	uint32_t mask = f->nslots - 1, s = (uint32_t)h & mask;
	while (f->slots[s]) {
		uint32_t i = f->slots[s] - 1;
		if (f->hash[i] == h && key_equal(&f->v[i], x))
			return s;
		s = (s + 1) & mask;
	}
	return s;
}

static int index_grow(struct ph_findings *f)
{
	uint32_t ns = f->nslots * 2;
	uint32_t *slots = calloc(ns, sizeof *slots);
	if (!slots)
		return PH_ENOMEM;
	for (uint32_t i = 0; i < f->n; i++) {
		uint32_t s = (uint32_t)f->hash[i] & (ns - 1);
		while (slots[s])
			s = (s + 1) & (ns - 1);
		slots[s] = i + 1;
	}
	free(f->slots);
	f->slots = slots;
	f->nslots = ns;
	return PH_OK;
}

static int array_grow(struct ph_findings *f)
{
	unsigned nc = f->cap ? f->cap * 2 : 16;
	if (nc > f->max)
		nc = f->max;
	struct ph_finding *v = realloc(f->v, (size_t)nc * sizeof *v);
	if (!v)
		return PH_ENOMEM;
	f->v = v;
	uint64_t *h = realloc(f->hash, (size_t)nc * sizeof *h);
	if (!h)
		return PH_ENOMEM;
	f->hash = h;
	unsigned *o = realloc(f->order->idx, (size_t)nc * sizeof *o);
	if (!o)
		return PH_ENOMEM;
	f->order->idx = o;
	if (f->series) {
		struct findings_series *sr = realloc(f->series,
						     (size_t)nc * sizeof *sr);
		if (!sr)
			return PH_ENOMEM;
		memset(sr + f->cap, 0, (size_t)(nc - f->cap) * sizeof *sr);
		f->series = sr;
	}
	f->cap = nc;
	return PH_OK;
}

/* Copies a text field from src when dst's is empty. */
#define FILL_BLANK(dst, src, fld)                                      \
	do {                                                           \
		if (!(dst)->fld[0])                                    \
			memcpy((dst)->fld, (src)->fld, sizeof (dst)->fld); \
	} while (0)

static bool earlier(const struct ph_finding *a, const struct ph_finding *b)
{
	if (a->first_ns != b->first_ns)
		return a->first_ns < b->first_ns;
	if (a->file_idx != b->file_idx)
		return a->file_idx < b->file_idx;
	return a->first_pkt < b->first_pkt;
}

/* The stronger reading's words replace the weaker one's. */
static void fold_strength(struct ph_finding *d, const struct ph_finding *x)
{
	if (x->severity < d->severity ||
	    (x->severity == d->severity && x->confidence <= d->confidence))
		return;
	d->severity = x->severity;
	d->confidence = x->confidence;
	memcpy(d->title, x->title, sizeof d->title);
	memcpy(d->explain, x->explain, sizeof d->explain);
	memcpy(d->advice, x->advice, sizeof d->advice);
	memcpy(d->attack, x->attack, sizeof d->attack);
}

static void fold(struct ph_finding *d, const struct ph_finding *x)
{
	uint32_t add = x->count ? x->count : 1;
	d->count = (d->count > UINT32_MAX - add) ? UINT32_MAX : d->count + add;
	if (earlier(x, d)) {
		d->first_ns = x->first_ns;
		d->first_pkt = x->first_pkt;
		d->file_idx = x->file_idx;
		if (x->uid[0])
			memcpy(d->uid, x->uid, sizeof d->uid);
	}
	if (x->last_ns > d->last_ns ||
	    (x->last_ns == d->last_ns && x->last_pkt > d->last_pkt)) {
		d->last_ns = x->last_ns;
		d->last_pkt = x->last_pkt;
	}
	fold_strength(d, x);
	FILL_BLANK(d, x, device_mac);
	FILL_BLANK(d, x, remote);
	FILL_BLANK(d, x, name);
	FILL_BLANK(d, x, uid);
	FILL_BLANK(d, x, source);
	FILL_BLANK(d, x, campaign);
	FILL_BLANK(d, x, allowed_by);
	if (!d->remote_port)
		d->remote_port = x->remote_port;
	if (!d->proto)
		d->proto = x->proto;
}

/* Terminates every text field of a fresh copy (callers may hand over
 * fields filled to the brim). */
static void terminate(struct ph_finding *d)
{
#define TERM(fld) d->fld[sizeof d->fld - 1] = '\0'
	TERM(id); TERM(title); TERM(explain); TERM(advice); TERM(attack);
	TERM(device); TERM(device_mac); TERM(remote); TERM(name); TERM(uid);
	TERM(matched); TERM(field); TERM(source); TERM(campaign);
	TERM(allowed_by);
#undef TERM
}

static int insert_new(struct ph_findings *f, const struct ph_finding *x,
		      uint64_t h)
{
	/* Info and low findings may fill at most half of the collection, so
	 * a flood of them never crowds out a later serious one. */
	bool minor = x->severity <= PH_SEV_LOW;
	if (f->n >= f->max || (minor && f->nminor >= f->max / 2 + 1)) {
		f->dropped++;
		return PH_ENOMEM;
	}
	if (f->n == f->cap && array_grow(f) < 0) {
		f->dropped++;
		return PH_ENOMEM;
	}
	if ((uint64_t)(f->n + 1) * 2 > f->nslots && index_grow(f) < 0) {
		f->dropped++;
		return PH_ENOMEM;
	}
	struct ph_finding *d = &f->v[f->n];
	*d = *x;
	terminate(d);
	if (!d->count)
		d->count = 1;
	if (d->last_ns < d->first_ns)
		d->last_ns = d->first_ns;
	if (d->last_pkt < d->first_pkt)
		d->last_pkt = d->first_pkt;
	f->hash[f->n] = h;
	f->nminor += minor;
	f->slots[slot_find(f, d, h)] = f->n + 1;
	f->n++;
	return PH_OK;
}

int ph_findings_add(struct ph_findings *f, const struct ph_finding *x)
{
	if (!f || !x)
		return PH_EINVAL;
	uint64_t h = key_hash(x);
	uint32_t s = slot_find(f, x, h);
	f->order->valid = false;
	if (f->slots[s]) {
		fold(&f->v[f->slots[s] - 1], x);
		return PH_OK;
	}
	return insert_new(f, x, h);
}

unsigned ph_findings_count(const struct ph_findings *f)
{
	return f ? f->n : 0;
}

uint64_t ph_findings_dropped(const struct ph_findings *f)
{
	return f ? f->dropped : 0;
}

/* One sort record: the keys copied out so qsort needs no context. */
struct sort_rec {
	uint64_t first_ns;
	unsigned idx;
	uint8_t sev, conf;
};

static int sort_cmp(const void *pa, const void *pb)
{
	const struct sort_rec *a = pa, *b = pb;
	if (a->sev != b->sev)
		return a->sev > b->sev ? -1 : 1;
	if (a->conf != b->conf)
		return a->conf > b->conf ? -1 : 1;
	if (a->first_ns != b->first_ns)
		return a->first_ns < b->first_ns ? -1 : 1;
	return a->idx < b->idx ? -1 : (a->idx > b->idx);
}

/* Fills the cached order; false when out of memory. */
static bool order_build(const struct ph_findings *f)
{
	struct sort_rec *r = malloc((size_t)f->n * sizeof *r);
	if (!r)
		return false;
	for (unsigned i = 0; i < f->n; i++) {
		r[i].first_ns = f->v[i].first_ns;
		r[i].idx = i;
		r[i].sev = (uint8_t)f->v[i].severity;
		r[i].conf = (uint8_t)f->v[i].confidence;
	}
	qsort(r, f->n, sizeof *r, sort_cmp);
	for (unsigned i = 0; i < f->n; i++)
		f->order->idx[i] = r[i].idx;
	free(r);
	f->order->valid = true;
	return true;
}

const struct ph_finding *ph_findings_get(const struct ph_findings *f,
					 unsigned i)
{
	if (!f || i >= f->n)
		return NULL;
	if (!f->order->valid && !order_build(f))
		return &f->v[i]; /* no memory to sort: insertion order */
	return &f->v[f->order->idx[i]];
}

/* ------------------------------------------------------------------ */
/* Series. */

int ph_findings_set_series(struct ph_findings *f, const struct ph_finding *key,
			   const uint64_t *ts_ns, unsigned n)
{
	if (!f || !key || !ts_ns || !n)
		return PH_EINVAL;
	uint32_t s = slot_find(f, key, key_hash(key));
	if (!f->slots[s])
		return PH_EINVAL;
	unsigned i = f->slots[s] - 1;
	if (n > PH_FINDINGS_SERIES_MAX)
		n = PH_FINDINGS_SERIES_MAX;
	if (!f->series) {
		f->series = calloc(f->cap, sizeof *f->series);
		if (!f->series)
			return PH_ENOMEM;
	}
	struct findings_series *sr = &f->series[i];
	unsigned total = f->series_total - sr->n;
	uint64_t *ts = total + n <= PH_FINDINGS_SERIES_TOTAL ?
		       malloc((size_t)n * sizeof *ts) : NULL;
	if (!ts)
		return PH_ENOMEM;
	memcpy(ts, ts_ns, (size_t)n * sizeof *ts);
	free(sr->ts);
	sr->ts = ts;
	sr->n = n;
	f->series_total = total + n;
	return PH_OK;
}

unsigned ph_findings_series(const struct ph_findings *f, unsigned i,
			    const uint64_t **ts_ns)
{
	const struct ph_finding *x = ph_findings_get(f, i);
	*ts_ns = NULL;
	if (!x || !f->series)
		return 0;
	const struct findings_series *sr = &f->series[x - f->v];
	*ts_ns = sr->ts;
	return sr->n;
}
