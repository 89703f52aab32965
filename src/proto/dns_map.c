/* The resolved-address map (dns_map.h). Pairs live in one growing array;
 * each pair links to the previous pair of the same address and of the same
 * name, so each address (name) is a list whose head, the newest pair, is
 * found through an open-addressing table (linear probing, load <= 1/2,
 * SipHash-1-3 with a per-map key so a crafted capture cannot choose the
 * collisions). Names are interned once in a byte arena. Nothing is ever
 * removed: the map lives for the run, within its caps. */
#include "peephole/dns_map.h"

#include <stdlib.h>
#include <string.h>

#include "util/siphash.h"

#define NIL UINT32_MAX

struct pair {
	uint8_t addr[16];
	uint8_t ipver;
	uint32_t name;        /* index into names */
	uint32_t next_ip;     /* older pair with the same address, or NIL */
	uint32_t next_name;   /* older pair with the same name, or NIL */
	uint64_t first_ns, last_ns;
};

struct name {
	uint32_t off;         /* into arena */
	uint16_t len;
	uint32_t head;        /* newest pair of this name, or NIL */
};

/* Open-addressing table of indices (NIL = empty slot). */
struct tab {
	uint32_t *slot;
	uint32_t mask;        /* size - 1 (size: power of two) */
	uint32_t used;
};

struct ph_dns_map {
	struct ph_sipkey key;
	struct pair *pairs;
	uint32_t npairs, cap_pairs, max_pairs;
	struct name *names;
	uint32_t nnames, cap_names;
	char *arena;
	size_t arena_len, arena_cap, max_arena;
	struct tab by_ip;     /* -> newest pair of an address */
	struct tab by_name;   /* -> name index */
	uint64_t dropped;
};

static uint64_t hash_addr(const struct ph_dns_map *m, const uint8_t *a,
			  int ipver)
{
	return ph_siphash13(&m->key, a, ipver == 4 ? 4 : 16) ^ (uint64_t)ipver;
}

static uint64_t hash_name(const struct ph_dns_map *m, const char *s,
			  size_t n)
{
	return ph_siphash13(&m->key, s, n);
}

static int tab_init(struct tab *t, uint32_t size)
{
	t->slot = malloc((size_t)size * sizeof *t->slot);
	if (!t->slot)
		return -1;
	memset(t->slot, 0xff, (size_t)size * sizeof *t->slot);
	t->mask = size - 1;
	t->used = 0;
	return 0;
}

struct ph_dns_map *ph_dns_map_new(uint32_t max_pairs, size_t max_name_bytes)
{
	struct ph_dns_map *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	uint8_t k[16];
	uintptr_t seed = (uintptr_t)m;
	for (int i = 0; i < 16; i++)
		k[i] = (uint8_t)((seed >> ((i % 8) * 8)) ^ (0x5a + 17 * i));
	m->key = ph_sipkey_from_bytes(k);
	m->max_pairs = max_pairs ? max_pairs : PH_DNS_MAP_PAIRS;
	m->max_arena = max_name_bytes ? max_name_bytes : PH_DNS_MAP_NAME_BYTES;
	if (tab_init(&m->by_ip, 64) < 0 || tab_init(&m->by_name, 64) < 0) {
		ph_dns_map_free(m);
		return NULL;
	}
	return m;
}

void ph_dns_map_free(struct ph_dns_map *m)
{
	if (!m)
		return;
	free(m->pairs);
	free(m->names);
	free(m->arena);
	free(m->by_ip.slot);
	free(m->by_name.slot);
	free(m);
}

static bool same_addr(const struct pair *p, const uint8_t *a, int ipver)
{
	return p->ipver == ipver && memcmp(p->addr, a, ipver == 4 ? 4 : 16) == 0;
}

/* Slot holding addr's head pair, or the empty slot where it would go. */
static uint32_t find_ip(const struct ph_dns_map *m, const uint8_t *a,
			int ipver)
{
	uint32_t i = (uint32_t)hash_addr(m, a, ipver) & m->by_ip.mask;
	while (m->by_ip.slot[i] != NIL &&
	       !same_addr(&m->pairs[m->by_ip.slot[i]], a, ipver))
		i = (i + 1) & m->by_ip.mask;
	return i;
}

static uint32_t find_name(const struct ph_dns_map *m, const char *s,
			  size_t n)
{
	uint32_t i = (uint32_t)hash_name(m, s, n) & m->by_name.mask;
	for (;;) {
		uint32_t x = m->by_name.slot[i];
		if (x == NIL)
			return i;
		const struct name *nm = &m->names[x];
		if (nm->len == n && n && memcmp(m->arena + nm->off, s, n) == 0)
			return i;
		i = (i + 1) & m->by_name.mask;
	}
}

/* Doubles a table when it gets half full, re-placing every entry. */
static int tab_grow(struct ph_dns_map *m, bool ip)
{
	struct tab *t = ip ? &m->by_ip : &m->by_name;
	if ((t->used + 1) * 2 <= t->mask + 1)
		return 0;
	struct tab old = *t;
	if (tab_init(t, (old.mask + 1) * 2) < 0) {
		*t = old;
		return -1;
	}
	for (uint32_t i = 0; i <= old.mask; i++) {
		uint32_t x = old.slot[i];
		if (x == NIL)
			continue;
		uint32_t j;
		if (ip)
			j = find_ip(m, m->pairs[x].addr, m->pairs[x].ipver);
		else
			j = find_name(m, m->arena + m->names[x].off,
				      m->names[x].len);
		t->slot[j] = x;
		t->used++;
	}
	free(old.slot);
	return 0;
}

/* Grows *arr (element size sz, capacity *cap) to hold one more. */
static int grow(void **arr, uint32_t *cap, uint32_t n, size_t sz,
		uint32_t max)
{
	if (n < *cap)
		return 0;
	if (n >= max)
		return -1;
	uint32_t nc = *cap ? *cap * 2 : 256;
	if (nc > max)
		nc = max;
	void *p = realloc(*arr, (size_t)nc * sz);
	if (!p)
		return -1;
	*arr = p;
	*cap = nc;
	return 0;
}

/* Index of the interned name, creating it; NIL when a cap refuses it. */
static uint32_t intern(struct ph_dns_map *m, const char *s, size_t n)
{
	uint32_t slot = find_name(m, s, n);
	if (m->by_name.slot[slot] != NIL)
		return m->by_name.slot[slot];
	if (n > UINT16_MAX || m->arena_len + n > m->max_arena ||
	    grow((void **)&m->names, &m->cap_names, m->nnames,
		 sizeof *m->names, m->max_pairs) < 0 ||
	    tab_grow(m, false) < 0)
		return NIL;
	if (m->arena_len + n > m->arena_cap) {
		size_t nc = m->arena_cap ? m->arena_cap * 2 : 4096;
		while (nc < m->arena_len + n)
			nc *= 2;
		if (nc > m->max_arena)
			nc = m->max_arena;
		char *a = realloc(m->arena, nc);
		if (!a)
			return NIL;
		m->arena = a;
		m->arena_cap = nc;
	}
	memcpy(m->arena + m->arena_len, s, n);
	uint32_t x = m->nnames++;
	m->names[x] = (struct name){(uint32_t)m->arena_len, (uint16_t)n, NIL};
	m->arena_len += n;
	slot = find_name(m, s, n); /* the table may have grown */
	m->by_name.slot[slot] = x;
	m->by_name.used++;
	return x;
}

int ph_dns_map_add(struct ph_dns_map *m, const uint8_t *addr, int ipver,
		   const char *name, size_t n, uint64_t ts_ns)
{
	if (n == 0) /* the root name says nothing */
		return 0;
	uint32_t slot = find_ip(m, addr, ipver);
	uint32_t head = m->by_ip.slot[slot];
	for (uint32_t x = head; x != NIL; x = m->pairs[x].next_ip) {
		struct name *nm = &m->names[m->pairs[x].name];
		if (nm->len == n && memcmp(m->arena + nm->off, name, n) == 0) {
			if (ts_ns > m->pairs[x].last_ns)
				m->pairs[x].last_ns = ts_ns;
			if (ts_ns < m->pairs[x].first_ns)
				m->pairs[x].first_ns = ts_ns;
			return 0;
		}
	}
	uint32_t nx = intern(m, name, n);
	if (nx == NIL || grow((void **)&m->pairs, &m->cap_pairs, m->npairs,
			      sizeof *m->pairs, m->max_pairs) < 0 ||
	    (head == NIL && tab_grow(m, true) < 0)) {
		m->dropped++;
		return -1;
	}
	uint32_t px = m->npairs++;
	struct pair *p = &m->pairs[px];
	memset(p->addr, 0, sizeof p->addr);
	memcpy(p->addr, addr, ipver == 4 ? 4 : 16);
	p->ipver = (uint8_t)ipver;
	p->name = nx;
	p->next_ip = head;
	p->next_name = m->names[nx].head;
	p->first_ns = p->last_ns = ts_ns;
	m->names[nx].head = px;
	slot = find_ip(m, addr, ipver); /* the table may have grown */
	if (m->by_ip.slot[slot] == NIL)
		m->by_ip.used++;
	m->by_ip.slot[slot] = px;
	return 1;
}

static void entry_of(const struct ph_dns_map *m, uint32_t x,
		     struct ph_dns_map_entry *e)
{
	const struct pair *p = &m->pairs[x];
	const struct name *nm = &m->names[p->name];
	e->addr = p->addr;
	e->ipver = p->ipver;
	e->name = m->arena + nm->off;
	e->name_len = nm->len;
	e->first_ns = p->first_ns;
	e->last_ns = p->last_ns;
}

bool ph_dns_map_ip_seen(const struct ph_dns_map *m, const uint8_t *addr,
			int ipver, uint64_t *first_ns, uint64_t *last_ns)
{
	uint32_t x = m->by_ip.slot[find_ip(m, addr, ipver)];
	if (x == NIL)
		return false;
	uint64_t f = UINT64_MAX, l = 0;
	for (; x != NIL; x = m->pairs[x].next_ip) {
		if (m->pairs[x].first_ns < f)
			f = m->pairs[x].first_ns;
		if (m->pairs[x].last_ns > l)
			l = m->pairs[x].last_ns;
	}
	if (first_ns)
		*first_ns = f;
	if (last_ns)
		*last_ns = l;
	return true;
}

unsigned ph_dns_map_names_of(const struct ph_dns_map *m, const uint8_t *addr,
			     int ipver, ph_dns_map_fn fn, void *user)
{
	unsigned k = 0;
	struct ph_dns_map_entry e;
	for (uint32_t x = m->by_ip.slot[find_ip(m, addr, ipver)]; x != NIL;
	     x = m->pairs[x].next_ip) {
		entry_of(m, x, &e);
		k++;
		if (fn(user, &e))
			break;
	}
	return k;
}

size_t ph_dns_map_name_of(const struct ph_dns_map *m, const uint8_t *addr,
			  int ipver, char *out, size_t n)
{
	if (!n)
		return 0;
	out[0] = '\0';
	uint32_t x = m->by_ip.slot[find_ip(m, addr, ipver)];
	if (x == NIL)
		return 0;
	struct ph_dns_map_entry e;
	entry_of(m, x, &e);
	size_t k = e.name_len < n - 1 ? e.name_len : n - 1;
	memcpy(out, e.name, k);
	out[k] = '\0';
	return k;
}

unsigned ph_dns_map_addrs_of(const struct ph_dns_map *m, const char *name,
			     size_t n, ph_dns_map_fn fn, void *user)
{
	uint32_t nx = m->by_name.slot[find_name(m, name, n)];
	if (nx == NIL)
		return 0;
	unsigned k = 0;
	struct ph_dns_map_entry e;
	for (uint32_t x = m->names[nx].head; x != NIL;
	     x = m->pairs[x].next_name) {
		entry_of(m, x, &e);
		k++;
		if (fn(user, &e))
			break;
	}
	return k;
}

void ph_dns_map_stats(const struct ph_dns_map *m, struct ph_dns_map_stats *s)
{
	s->pairs = m->npairs;
	s->names = m->nnames;
	s->dropped = m->dropped;
}
