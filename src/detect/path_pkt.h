/* What the on-path detections (dns_injection, rst_injection,
 * http_injection) share: reading the few IP/TCP header fields they need
 * from a PH_EV_PACKET (TTL, IP ID, TCP flags, sequence, window, payload
 * offset) without copying, and a bounded open-addressing table of
 * fixed-size records keyed by a non-zero 64-bit key (a connection id),
 * so per-flow state costs no allocation per packet (load kept at most
 * half, so that misses stay short). Header-only. */
#ifndef PH_DETECT_PATH_PKT_H
#define PH_DETECT_PATH_PKT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "peephole/event.h"

/* The header fields of one packet. */
struct ph_path_pkt {
	uint8_t ttl;            /* IPv4 TTL / IPv6 hop limit */
	uint8_t proto;          /* 6, 17, ... (IPv6: first next header) */
	uint8_t ipver;
	uint8_t tcp_flags;
	uint16_t ip_id;         /* IPv4 only, else 0 */
	uint16_t window;
	uint32_t seq;
	const uint8_t *payload; /* L4 payload (captured part), may be NULL */
	uint32_t plen;          /* captured payload bytes */
	uint32_t wire_plen;     /* payload bytes on the wire (IP length) */
};

#define PH_PATH_FIN 0x01
#define PH_PATH_SYN 0x02
#define PH_PATH_RST 0x04
#define PH_PATH_ACK 0x10

static inline uint16_t ph_path_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Fills the TCP part; false when the header is not all captured. */
static inline bool ph_path_tcp(const uint8_t *l4, uint32_t cap,
			       uint32_t wire, struct ph_path_pkt *o)
{
	if (cap < 20)
		return false;
	uint32_t off = (uint32_t)(l4[12] >> 4) * 4u;
	if (off < 20 || off > cap)
		return false;
	o->seq = (uint32_t)l4[4] << 24 | (uint32_t)l4[5] << 16 |
		 (uint32_t)l4[6] << 8 | l4[7];
	o->tcp_flags = l4[13];
	o->window = ph_path_be16(l4 + 14);
	o->payload = l4 + off;
	o->plen = cap - off;
	o->wire_plen = wire > off ? wire - off : 0;
	if (o->plen > o->wire_plen)
		o->plen = o->wire_plen;
	return true;
}

/* Parses ev (PH_EV_PACKET). TCP fields are filled only for TCP with its
 * header captured; IPv6 extension headers are not walked (proto is the
 * first next header). False when the IP header is not there. */
static inline bool ph_path_parse(const struct ph_event *ev,
				 struct ph_path_pkt *o)
{
	const uint8_t *ip = ev->u.packet.ip;
	uint32_t cap = ev->u.packet.caplen, hl, len;
	memset(o, 0, sizeof *o);
	if (!ip || cap < 20)
		return false;
	o->ipver = ip[0] >> 4;
	if (o->ipver == 4) {
		hl = (uint32_t)(ip[0] & 15) * 4u;
		if (hl < 20 || hl > cap)
			return false;
		o->ttl = ip[8];
		o->proto = ip[9];
		o->ip_id = ph_path_be16(ip + 4);
		len = ph_path_be16(ip + 2);
	} else if (o->ipver == 6 && cap >= 40) {
		hl = 40;
		o->ttl = ip[7];
		o->proto = ip[6];
		len = 40u + ph_path_be16(ip + 4);
	} else {
		return false;
	}
	if (len < hl)
		len = hl;
	if (o->proto == 6)
		ph_path_tcp(ip + hl, cap - hl, len - hl, o);
	return true;
}

/* Bounded table of records of `esz` bytes whose first 8 bytes are the
 * key (0 = empty slot). Linear probing, backward-shift deletion; grows by
 * doubling up to `max` records, then refuses (counted in `full`). */
struct ph_path_tab {
	uint8_t *slots;
	size_t esz;
	uint32_t cap, n, max;
	uint64_t full;
};

static inline void ph_path_tab_init(struct ph_path_tab *t, size_t esz,
				    uint32_t max)
{
	memset(t, 0, sizeof *t);
	t->esz = esz;
	t->max = max;
}

static inline void ph_path_tab_free(struct ph_path_tab *t)
{
	free(t->slots);
	t->slots = NULL;
	t->cap = t->n = 0;
}

static inline uint32_t ph_path_hash(uint64_t k, uint32_t cap)
{
	k *= 0x9e3779b97f4a7c15ull;
	return (uint32_t)(k >> 32) & (cap - 1);
}

static inline uint64_t *ph_path_key_at(const struct ph_path_tab *t,
				       uint32_t i)
{
	return (uint64_t *)(void *)(t->slots + (size_t)i * t->esz);
}

/* The record with key k, or NULL. */
static inline void *ph_path_tab_get(const struct ph_path_tab *t, uint64_t k)
{
	if (!t->n)
		return NULL;
	for (uint32_t i = ph_path_hash(k, t->cap);; i = (i + 1) & (t->cap - 1)) {
		uint64_t *e = ph_path_key_at(t, i);
		if (*e == k)
			return e;
		if (*e == 0)
			return NULL;
	}
}

static inline bool ph_path_tab_grow(struct ph_path_tab *t)
{
	uint32_t nc = t->cap ? t->cap * 2 : 64;
	uint8_t *ns = calloc(nc, t->esz), *old = t->slots;
	uint32_t oc = t->cap;
	if (!ns)
		return false;
	t->slots = ns;
	t->cap = nc;
	for (uint32_t j = 0; j < oc; j++) {
		uint64_t *e = (uint64_t *)(void *)(old + (size_t)j * t->esz);
		if (!*e)
			continue;
		uint32_t i = ph_path_hash(*e, nc);
		while (*ph_path_key_at(t, i))
			i = (i + 1) & (nc - 1);
		memcpy(ph_path_key_at(t, i), e, t->esz);
	}
	free(old);
	return true;
}

/* A zeroed record with key k (k != 0, not present), or NULL when the
 * table is at its cap or memory ran out. */
static inline void *ph_path_tab_put(struct ph_path_tab *t, uint64_t k)
{
	if (t->n >= t->max || ((t->n + 1) * 2 > t->cap &&
			       !ph_path_tab_grow(t))) {
		t->full++;
		return NULL;
	}
	uint32_t i = ph_path_hash(k, t->cap);
	while (*ph_path_key_at(t, i))
		i = (i + 1) & (t->cap - 1);
	uint64_t *e = ph_path_key_at(t, i);
	memset(e, 0, t->esz);
	*e = k;
	t->n++;
	return e;
}

/* Removes the record with key k, if any. */
static inline void ph_path_tab_del(struct ph_path_tab *t, uint64_t k)
{
	uint64_t *e = ph_path_tab_get(t, k);
	if (!e)
		return;
	uint32_t hole = (uint32_t)(((uint8_t *)e - t->slots) / t->esz);
	uint32_t m = t->cap - 1;
	for (uint32_t j = (hole + 1) & m;; j = (j + 1) & m) {
		uint64_t *x = ph_path_key_at(t, j);
		if (!*x)
			break;
		uint32_t h = ph_path_hash(*x, t->cap);
		/* x may fill the hole when its home is not in (hole, j]. */
		if (((j - h) & m) >= ((j - hole) & m)) {
			memcpy(ph_path_key_at(t, hole), x, t->esz);
			hole = j;
		}
	}
	*ph_path_key_at(t, hole) = 0;
	t->n--;
}

#endif
