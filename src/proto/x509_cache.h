/* A small cache of parsed certificates keyed by their DER bytes: a device
 * fetches the same chains over and over (every connection to one service
 * gets the same certificates), and OpenSSL's parse plus the self-signature
 * check cost tens of microseconds each. Direct-mapped, PH_X509_CACHE_SLOTS
 * entries, each holding a copy of the DER (so a hash collision is caught
 * by comparison) and the parse result. Owned by the TLS module. */
#ifndef PH_PROTO_X509_CACHE_H
#define PH_PROTO_X509_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "peephole/proto_tls.h"
#include "util/siphash.h"

#define PH_X509_CACHE_SLOTS 64

struct ph_x509_cache_entry {
	uint64_t hash;
	uint8_t *der;           /* owned copy, NULL when the slot is empty */
	uint32_t len;
	int rc;                 /* ph_x509_parse's result */
	struct ph_x509 cert;    /* parse result (chain fields reset by caller) */
};

struct ph_x509_cache {
	struct ph_sipkey key;
	struct ph_x509_cache_entry slot[PH_X509_CACHE_SLOTS];
	uint64_t hits, misses;
};

void ph_x509_cache_init(struct ph_x509_cache *c, const uint8_t key[16]);
void ph_x509_cache_free(struct ph_x509_cache *c);

/* Same contract as ph_x509_parse (x509.h), answered from the cache when
 * these exact DER bytes were parsed before. */
int ph_x509_cache_parse(struct ph_x509_cache *c, const uint8_t *der,
			size_t len, struct ph_x509 *out);

#endif
