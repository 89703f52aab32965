/* The session's resolved-address map: which names resolved to which IP
 * addresses (A/AAAA records of DNS responses, with the CNAME chain back to
 * the question), with the packet times of the first and last answer. Later
 * detections ask "was this IP ever looked up, and as what?". The DNS module
 * owns one per run (ph_dns_module_map); readers get it const.
 * Bounded: at most max_pairs (address, name) pairs and max_name_bytes of
 * interned names; additions past a cap are dropped and counted. Lookups
 * are hash probes plus a walk over that address's (or name's) pairs. */
#ifndef PEEPHOLE_DNS_MAP_H
#define PEEPHOLE_DNS_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ph_dns_map; /* opaque */

#define PH_DNS_MAP_PAIRS 262144u        /* default max (address, name) pairs */
#define PH_DNS_MAP_NAME_BYTES (8u << 20) /* default interned name bytes */

struct ph_dns_map_stats {
	uint64_t pairs;     /* (address, name) pairs held */
	uint64_t names;     /* distinct names held */
	uint64_t dropped;   /* additions refused: a cap was hit */
};

/* NULL when out of memory. Caps of 0 take the defaults above. */
struct ph_dns_map *ph_dns_map_new(uint32_t max_pairs, size_t max_name_bytes);
void ph_dns_map_free(struct ph_dns_map *m);

/* Records that `name` (n bytes, lower-case by convention) resolved to
 * addr (4 bytes if ipver 4, else 16) at ts_ns. Returns 1 when the pair is
 * new, 0 when it was known (its last time updated), -1 when a cap refused
 * it (counted). An empty name is ignored (0). */
int ph_dns_map_add(struct ph_dns_map *m, const uint8_t *addr, int ipver,
		   const char *name, size_t n, uint64_t ts_ns);

/* One (address, name) pair, handed to a visitor; name is borrowed, not
 * NUL-terminated. Return non-zero to stop the walk. */
struct ph_dns_map_entry {
	const uint8_t *addr;   /* 4 or 16 bytes */
	int ipver;
	const char *name;
	size_t name_len;
	uint64_t first_ns, last_ns;
};
typedef int (*ph_dns_map_fn)(void *user, const struct ph_dns_map_entry *e);

/* Was addr ever in an answer? On true, first/last (may be NULL) get the
 * earliest and latest answer time over all its names. */
bool ph_dns_map_ip_seen(const struct ph_dns_map *m, const uint8_t *addr,
			int ipver, uint64_t *first_ns, uint64_t *last_ns);

/* Visits the names that resolved to addr (newest pair first); returns
 * how many were visited. */
unsigned ph_dns_map_names_of(const struct ph_dns_map *m, const uint8_t *addr,
			     int ipver, ph_dns_map_fn fn, void *user);

/* The newest name that resolved to addr, copied into out (n bytes, cut
 * to fit, NUL-terminated; "" when none); returns its length. */
size_t ph_dns_map_name_of(const struct ph_dns_map *m, const uint8_t *addr,
			  int ipver, char *out, size_t n);

/* Visits the addresses `name` resolved to (newest first); returns how many
 * were visited. */
unsigned ph_dns_map_addrs_of(const struct ph_dns_map *m, const char *name,
			     size_t n, ph_dns_map_fn fn, void *user);

void ph_dns_map_stats(const struct ph_dns_map *m, struct ph_dns_map_stats *s);

/* The DNS parser module's map: `state` is what ph_dns_module's init
 * returned (find it with the run's module list). Borrowed for the run. */
const struct ph_dns_map *ph_dns_module_map(const void *state);

#endif
