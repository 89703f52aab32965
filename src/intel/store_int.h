/* Indicator store internals, shared by store*.c. One open-addressing hash
 * table maps (type, key bytes) to a node: for names, URLs and hashes the
 * key is the normalised text; for addresses it is (version, prefix
 * length, masked address). A node heads a chain of records, one per
 * source listing it, each with four interned metadata string ids.
 * Strings and keys live in a chunked arena that never moves, so hit
 * pointers stay valid until ph_intel_free. Sizes: node 32 bytes, record
 * 24, slot 8 (load factor <= 1/2), plus the key text. */
#ifndef PH_INTEL_STORE_INT_H
#define PH_INTEL_STORE_INT_H

#include <stdint.h>

#include "intel/normalize.h"
#include "peephole/intel.h"
#include "util/siphash.h"

#define PH_INTEL_MAX_SOURCES 65536
#define PH_INTEL_META_MAX 1024      /* metadata strings cut to this */
#define PH_INTEL_MAX_NODES 0x7ffffff0u

/* Chunked bump allocator: chunks are never moved or freed before the
 * store. */
struct ph_intel_chunk {
	struct ph_intel_chunk *next;
	size_t used, cap;
	char data[];
};
struct ph_intel_arena {
	struct ph_intel_chunk *head;
	uint64_t bytes; /* allocated, for stats */
};

struct ph_intel_node {
	const uint8_t *key; /* arena */
	const char *value;  /* canonical text, arena (== key for text) */
	uint32_t hash;
	uint32_t head;      /* first record (index into recs) */
	uint16_t klen;
	uint8_t type;       /* enum ph_ioc_type */
	uint8_t plen;       /* PH_IOC_IP prefix length */
};

enum { PH_META_NAME, PH_META_CAMPAIGN, PH_META_CATEGORY, PH_META_REF,
       PH_META_COUNT };

struct ph_intel_rec {
	uint32_t next;      /* next record of the node, UINT32_MAX at end */
	uint32_t src;
	uint32_t meta[PH_META_COUNT]; /* interned string ids, 0 = "" */
};

struct ph_intel_slot {
	uint32_t hash;
	uint32_t node;      /* node index + 1, 0 = empty */
};

/* Interned metadata strings: ids index strs; set maps hash -> id + 1. */
struct ph_intel_strtab {
	const char **strs;
	uint32_t n, cap;
	struct ph_intel_slot *set;
	uint32_t setcap;
};

struct ph_intel {
	struct ph_sipkey key;
	struct ph_intel_source **src; /* owned, each owned */
	unsigned nsrc, srccap;
	struct ph_intel_arena arena;
	struct ph_intel_node *nodes;
	uint32_t nnodes, nodecap;
	struct ph_intel_rec *recs;
	uint32_t nrecs, reccap;
	struct ph_intel_slot *slots;
	uint32_t nslots;                   /* power of two */
	struct ph_intel_strtab strs;
	uint32_t last_meta[PH_META_COUNT]; /* feeds repeat the last campaign */
	uint64_t v4lens;                   /* bit n: a /n IPv4 range exists */
	uint64_t v6lens[3];                /* bits 0..128 */
	uint64_t total;
};

/* store_table.c */
void *ph_intel_arena_alloc(struct ph_intel_arena *a, size_t n);
void ph_intel_arena_free(struct ph_intel_arena *a);
uint32_t ph_intel_hash(const struct ph_intel *in, unsigned type,
		       const void *key, size_t klen);
/* Adds (type, key) from source src with e's metadata. value: canonical
 * text (NULL: the key is the text). Returns 0 (new record), 1 (this
 * source already has it) or PH_ENOMEM. */
int ph_intel_put(struct ph_intel *in, unsigned type, const void *key,
		 size_t klen, const char *value, uint8_t plen, unsigned src,
		 const struct ph_ioc_entry *e);
/* Appends the records of (type, key) to hits[found..max); returns the new
 * number found. */
unsigned ph_intel_probe(const struct ph_intel *in, unsigned type,
			const void *key, size_t klen, struct ph_ioc_hit *hits,
			unsigned max, unsigned found);
void ph_intel_table_free(struct ph_intel *in);

/* store_domain.c: DOMAIN and NS */
int ph_intel_domain_add(struct ph_intel *in, unsigned src,
			const struct ph_ioc_entry *e);
unsigned ph_intel_domain_match(const struct ph_intel *in, unsigned type,
			       const char *value, size_t len,
			       struct ph_ioc_hit *hits, unsigned max);

/* store_ip.c */
int ph_intel_ip_add(struct ph_intel *in, unsigned src,
		    const struct ph_ioc_entry *e);
unsigned ph_intel_ip_match(const struct ph_intel *in,
			   const struct ph_intel_ip *ip, struct ph_ioc_hit *hits,
			   unsigned max);

/* store_hash.c: URL, e-mail, certificate and file hashes, JA3/JA4, app */
int ph_intel_exact_add(struct ph_intel *in, unsigned src,
		       const struct ph_ioc_entry *e);
unsigned ph_intel_exact_match(const struct ph_intel *in, unsigned type,
			      const char *value, size_t len,
			      struct ph_ioc_hit *hits, unsigned max);

#endif
