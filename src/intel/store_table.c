/* The store's storage (layout in store_int.h): the chunked arena, the
 * interned metadata strings, and the (type, key) -> node hash table with
 * its per-source record chains. Open addressing with linear probing,
 * SipHash-1-3 keyed per store, load factor kept <= 1/2 so a miss probes
 * about two slots. Growth doubles; nothing here runs on the match path
 * except ph_intel_hash and ph_intel_probe, which allocate nothing. */
#include <stdlib.h>
#include <string.h>

#include "intel/store_int.h"

#define NONE UINT32_MAX
#define CHUNK_SIZE (1u << 20)

void *ph_intel_arena_alloc(struct ph_intel_arena *a, size_t n)
{
	struct ph_intel_chunk *c = a->head;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > CHUNK_SIZE / 4 ? n : CHUNK_SIZE;
		c = malloc(sizeof *c + cap);
		if (!c)
			return NULL;
		c->cap = cap;
		c->used = 0;
		/* a dedicated big chunk goes behind the current one */
		if (n > CHUNK_SIZE / 4 && a->head) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
		a->bytes += sizeof *c + cap;
	}
	void *p = c->data + c->used;
	c->used += n;
	return p;
}

void ph_intel_arena_free(struct ph_intel_arena *a)
{
	while (a->head) {
		struct ph_intel_chunk *next = a->head->next;
		free(a->head);
		a->head = next;
	}
	a->bytes = 0;
}

uint32_t ph_intel_hash(const struct ph_intel *in, unsigned type,
		       const void *key, size_t klen)
{
	uint64_t h = ph_siphash13(&in->key, key, klen);
	h ^= (uint64_t)(type + 1) * 0x9e3779b97f4a7c15ull;
	return (uint32_t)(h ^ (h >> 32));
}

/* Doubles *cap (from 1024) until need fits; *p may move. */
static int grow(void **p, uint32_t *cap, size_t elem, uint32_t need)
{
	if (need <= *cap)
		return PH_OK;
	uint64_t nc = *cap ? *cap : 1024;
	while (nc < need)
		nc *= 2;
	if (nc > PH_INTEL_MAX_NODES)
		return PH_ENOMEM;
	void *q = realloc(*p, (size_t)nc * elem);
	if (!q)
		return PH_ENOMEM;
	*p = q;
	*cap = (uint32_t)nc;
	return PH_OK;
}

/* Rebuilds an open-addressing slot array at twice the size. */
static int rehash(struct ph_intel_slot **slots, uint32_t *nslots)
{
	uint32_t nn = *nslots ? *nslots * 2 : 1024;
	if (nn > PH_INTEL_MAX_NODES)
		return PH_ENOMEM;
	struct ph_intel_slot *ns = calloc(nn, sizeof *ns);
	if (!ns)
		return PH_ENOMEM;
	for (uint32_t i = 0; i < *nslots; i++) {
		struct ph_intel_slot s = (*slots)[i];
		if (!s.node)
			continue;
		uint32_t j = s.hash & (nn - 1);
		while (ns[j].node)
			j = (j + 1) & (nn - 1);
		ns[j] = s;
	}
	free(*slots);
	*slots = ns;
	*nslots = nn;
	return PH_OK;
}

/* ---- interned metadata ------------------------------------------- */

static size_t meta_len(const char *s)
{
	size_t n = strnlen(s, PH_INTEL_META_MAX);
	if (n == PH_INTEL_META_MAX) /* cut at a UTF-8 character boundary */
		while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	return n;
}

static int intern_new(struct ph_intel *in, const char *s, size_t len,
		      uint32_t h, uint32_t slot, uint32_t *id)
{
	struct ph_intel_strtab *t = &in->strs;
	if (grow((void **)&t->strs, &t->cap, sizeof *t->strs, t->n + 1) < 0)
		return PH_ENOMEM;
	char *copy = ph_intel_arena_alloc(&in->arena, len + 1);
	if (!copy)
		return PH_ENOMEM;
	memcpy(copy, s, len);
	copy[len] = 0;
	t->strs[t->n] = copy;
	t->set[slot].hash = h;
	t->set[slot].node = t->n + 1;
	*id = t->n++;
	return PH_OK;
}

/* Id of s (0 for NULL or ""), adding it on first sight; *last is the id
 * this field had last time (checked first: feeds repeat themselves). */
static int intern(struct ph_intel *in, const char *s, uint32_t *last,
		  uint32_t *id)
{
	struct ph_intel_strtab *t = &in->strs;
	*id = 0;
	if (!s || !*s)
		return PH_OK;
	size_t len = meta_len(s);
	const char *prev = t->strs[*last];
	if (*last && !strncmp(prev, s, len) && !prev[len]) {
		*id = *last;
		return PH_OK;
	}
	if ((t->n + 1) * 2 > t->setcap && rehash(&t->set, &t->setcap) < 0)
		return PH_ENOMEM;
	uint32_t h = ph_intel_hash(in, 0xff, s, len);
	uint32_t j = h & (t->setcap - 1);
	for (; t->set[j].node; j = (j + 1) & (t->setcap - 1)) {
		const char *c = t->strs[t->set[j].node - 1];
		if (t->set[j].hash == h && !strncmp(c, s, len) && !c[len]) {
			*id = *last = t->set[j].node - 1;
			return PH_OK;
		}
	}
	int rc = intern_new(in, s, len, h, j, id);
	if (rc == PH_OK)
		*last = *id;
	return rc;
}

/* ---- nodes and records ------------------------------------------- */

static uint32_t find_node(const struct ph_intel *in, unsigned type,
			  const void *key, size_t klen, uint32_t h)
{
	if (!in->nslots)
		return NONE;
	uint32_t mask = in->nslots - 1;
	for (uint32_t j = h & mask; in->slots[j].node; j = (j + 1) & mask) {
		if (in->slots[j].hash != h)
			continue;
		const struct ph_intel_node *n = &in->nodes[in->slots[j].node - 1];
		if (n->type == type && n->klen == klen && !memcmp(n->key, key, klen))
			return in->slots[j].node - 1;
	}
	return NONE;
}

static int new_node(struct ph_intel *in, unsigned type, const void *key,
		    size_t klen, const char *value, uint8_t plen, uint32_t h,
		    uint32_t *ni)
{
	if (klen > UINT16_MAX)
		return PH_EINVAL;
	if ((in->nnodes + 1) * 2 > in->nslots &&
	    rehash(&in->slots, &in->nslots) < 0)
		return PH_ENOMEM;
	if (grow((void **)&in->nodes, &in->nodecap, sizeof *in->nodes,
		 in->nnodes + 1) < 0)
		return PH_ENOMEM;
	size_t vlen = value ? strlen(value) + 1 : 0;
	uint8_t *k = ph_intel_arena_alloc(&in->arena, klen + 1 + vlen);
	if (!k)
		return PH_ENOMEM;
	memcpy(k, key, klen);
	k[klen] = 0;
	if (value)
		memcpy(k + klen + 1, value, vlen);
	struct ph_intel_node *n = &in->nodes[in->nnodes];
	*n = (struct ph_intel_node){.key = k, .hash = h, .head = NONE,
				    .klen = (uint16_t)klen,
				    .type = (uint8_t)type, .plen = plen};
	n->value = value ? (const char *)k + klen + 1 : (const char *)k;
	uint32_t j = h & (in->nslots - 1);
	while (in->slots[j].node)
		j = (j + 1) & (in->nslots - 1);
	in->slots[j] = (struct ph_intel_slot){.hash = h, .node = in->nnodes + 1};
	*ni = in->nnodes++;
	return PH_OK;
}

static int new_rec(struct ph_intel *in, unsigned src,
		   const struct ph_ioc_entry *e, uint32_t *ri)
{
	struct ph_intel_rec r = {.next = NONE, .src = src};
	const char *meta[PH_META_COUNT] = {e->name, e->campaign, e->category,
					   e->ref};
	for (int i = 0; i < PH_META_COUNT; i++)
		if (intern(in, meta[i], &in->last_meta[i], &r.meta[i]) < 0)
			return PH_ENOMEM;
	if (grow((void **)&in->recs, &in->reccap, sizeof *in->recs,
		 in->nrecs + 1) < 0)
		return PH_ENOMEM;
	in->recs[in->nrecs] = r;
	*ri = in->nrecs++;
	return PH_OK;
}

int ph_intel_put(struct ph_intel *in, unsigned type, const void *key,
		 size_t klen, const char *value, uint8_t plen, unsigned src,
		 const struct ph_ioc_entry *e)
{
	uint32_t h = ph_intel_hash(in, type, key, klen);
	uint32_t ni = find_node(in, type, key, klen, h), last = NONE, ri;
	if (ni == NONE) {
		int rc = new_node(in, type, key, klen, value, plen, h, &ni);
		if (rc < 0)
			return rc;
	}
	for (uint32_t r = in->nodes[ni].head; r != NONE; r = in->recs[r].next) {
		if (in->recs[r].src == src)
			return 1;
		last = r;
	}
	if (new_rec(in, src, e, &ri) < 0)
		return PH_ENOMEM;
	if (last == NONE)
		in->nodes[ni].head = ri;
	else
		in->recs[last].next = ri;
	return PH_OK;
}

unsigned ph_intel_probe(const struct ph_intel *in, unsigned type,
			const void *key, size_t klen, struct ph_ioc_hit *hits,
			unsigned max, unsigned found)
{
	uint32_t ni = find_node(in, type, key, klen,
				ph_intel_hash(in, type, key, klen));
	if (ni == NONE)
		return found;
	const struct ph_intel_node *n = &in->nodes[ni];
	for (uint32_t r = n->head; r != NONE; r = in->recs[r].next, found++) {
		if (found >= max)
			continue;
		const struct ph_intel_rec *rec = &in->recs[r];
		const char *const *s = in->strs.strs;
		hits[found] = (struct ph_ioc_hit){
			.type = (enum ph_ioc_type)n->type, .value = n->value,
			.name = s[rec->meta[PH_META_NAME]],
			.campaign = s[rec->meta[PH_META_CAMPAIGN]],
			.category = s[rec->meta[PH_META_CATEGORY]],
			.ref = s[rec->meta[PH_META_REF]], .source = rec->src,
			.allow = in->src[rec->src]->allowlist,
			.prefix_len = n->plen};
	}
	return found;
}

void ph_intel_table_free(struct ph_intel *in)
{
	free(in->nodes);
	free(in->recs);
	free(in->slots);
	free(in->strs.strs);
	free(in->strs.set);
	ph_intel_arena_free(&in->arena);
}
