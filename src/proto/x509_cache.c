/* Cache of parsed certificates (see x509_cache.h). */
#include "proto/x509_cache.h"

#include <stdlib.h>
#include <string.h>

#include "peephole/ph.h"
#include "proto/x509.h"

void ph_x509_cache_init(struct ph_x509_cache *c, const uint8_t key[16])
{
	memset(c, 0, sizeof *c);
	c->key = ph_sipkey_from_bytes(key);
}

void ph_x509_cache_free(struct ph_x509_cache *c)
{
	for (unsigned i = 0; i < PH_X509_CACHE_SETS; i++) {
		for (unsigned w = 0; w < PH_X509_CACHE_WAYS; w++) {
			struct ph_x509_cache_entry *e = c->slot[i][w];
			if (e)
				free(e->der);
			free(e);
			c->slot[i][w] = NULL;
		}
	}
}

/* The way to fill in set s: an empty one, else the less recently used;
 * allocated when empty. NULL when out of memory. */
static struct ph_x509_cache_entry *victim(struct ph_x509_cache *c,
					  unsigned s)
{
	struct ph_x509_cache_entry **set = c->slot[s];
	unsigned v = 0;
	for (unsigned w = 0; w < PH_X509_CACHE_WAYS; w++) {
		if (!set[w]) {
			set[w] = calloc(1, sizeof *set[w]);
			return set[w];
		}
		if (set[w]->used < set[v]->used)
			v = w;
	}
	return set[v];
}

int ph_x509_cache_parse(struct ph_x509_cache *c, const uint8_t *der,
			size_t len, struct ph_x509 *out)
{
	uint64_t h = ph_siphash13(&c->key, der, len);
	unsigned s = (unsigned)(h % PH_X509_CACHE_SETS);
	c->clock++;
	for (unsigned w = 0; w < PH_X509_CACHE_WAYS; w++) {
		struct ph_x509_cache_entry *e = c->slot[s][w];
		if (e && e->der && e->hash == h && e->len == len &&
		    memcmp(e->der, der, len) == 0) {
			c->hits++;
			e->used = c->clock;
			*out = e->cert;
			return e->rc;
		}
	}
	c->misses++;
	int rc = ph_x509_parse(der, len, out);
	if (rc == PH_ENOMEM) /* too big: not worth keeping */
		return rc;
	struct ph_x509_cache_entry *e = victim(c, s);
	if (!e)
		return rc;
	uint8_t *copy = realloc(e->der, len ? len : 1);
	if (!copy)
		return rc; /* the old entry stays valid */
	memcpy(copy, der, len);
	e->der = copy;
	e->hash = h;
	e->len = (uint32_t)len;
	e->rc = rc;
	e->cert = *out;
	e->used = c->clock;
	return rc;
}
