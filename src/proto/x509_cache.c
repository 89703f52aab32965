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
	for (unsigned i = 0; i < PH_X509_CACHE_SLOTS; i++) {
		free(c->slot[i].der);
		c->slot[i].der = NULL;
	}
}

int ph_x509_cache_parse(struct ph_x509_cache *c, const uint8_t *der,
			size_t len, struct ph_x509 *out)
{
	uint64_t h = ph_siphash13(&c->key, der, len);
	struct ph_x509_cache_entry *e = &c->slot[h % PH_X509_CACHE_SLOTS];
	if (e->der && e->hash == h && e->len == len &&
	    memcmp(e->der, der, len) == 0) {
		c->hits++;
		*out = e->cert;
		return e->rc;
	}
	c->misses++;
	int rc = ph_x509_parse(der, len, out);
	if (rc == PH_ENOMEM) /* too big: not worth keeping */
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
	return rc;
}
