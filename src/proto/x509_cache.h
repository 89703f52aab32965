/* A cache of parsed certificates keyed by their DER bytes: a device
 * fetches the same chains over and over (every connection to one service
 * gets the same certificates), and OpenSSL's parse plus the self-signature
 * check cost tens of microseconds each. Two-way set-associative,
 * PH_X509_CACHE_SETS sets, the less recently used way replaced; each entry
 * (allocated when first filled, ~15 KB) holds a copy of the DER (so a hash
 * collision is caught by comparison) and the parse result. Owned by the
 * TLS module. */
#ifndef PH_PROTO_X509_CACHE_H
#define PH_PROTO_X509_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "peephole/proto_tls.h"
#include "util/siphash.h"

#define PH_X509_CACHE_SETS 256 /* x 2 ways: at most 512 certs (~7.5 MB) */
#define PH_X509_CACHE_WAYS 2

struct ph_x509_cache_entry {
	uint64_t hash;
	uint64_t used;          /* cache clock at the last hit or fill */
	uint8_t *der;           /* owned copy */
	uint32_t len;
	int rc;                 /* ph_x509_parse's result */
	struct ph_x509 cert;    /* parse result (chain fields reset by caller) */
};

struct ph_x509_cache {
	struct ph_sipkey key;
	/* owned entries, NULL until first filled */
	struct ph_x509_cache_entry *slot[PH_X509_CACHE_SETS][PH_X509_CACHE_WAYS];
	uint64_t clock;         /* lookups so far (for LRU) */
	uint64_t hits, misses;
};

void ph_x509_cache_init(struct ph_x509_cache *c, const uint8_t key[16]);
void ph_x509_cache_free(struct ph_x509_cache *c);

/* Same contract as ph_x509_parse (x509.h), answered from the cache when
 * these exact DER bytes were parsed before. */
int ph_x509_cache_parse(struct ph_x509_cache *c, const uint8_t *der,
			size_t len, struct ph_x509 *out);

#endif
