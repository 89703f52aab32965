/* What the on-path detections (dns_injection, rst_injection,
 * http_injection) share: reading the few IP/TCP header fields they need
 * from a PH_EV_PACKET (TTL, IP ID, TCP flags, sequence, window, payload
 * offset) without copying, the mark a module leaves in its per-flow slot
 * (ev->slots[PH_SLOT_*]) for a flow it ignores, so that later packets cost
 * one compare, and a count of the per-flow records alive against a cap
 * (records over it are refused and counted). Header-only. */
#ifndef PH_DETECT_PATH_PKT_H
#define PH_DETECT_PATH_PKT_H

#include <stdbool.h>
#include <stdint.h>
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

/* The "not watched" mark for a module's slot: never freed, never read. */
static inline void *ph_path_skip(void)
{
	static const uint8_t mark;
	return (void *)&mark;
}

/* Per-flow records alive, against a cap. */
struct ph_path_cap {
	uint32_t live, max;
	uint64_t full;          /* records refused at the cap */
};

/* Room for one more record (counted), or false (counted in full). */
static inline bool ph_path_cap_take(struct ph_path_cap *c)
{
	if (c->live >= c->max) {
		c->full++;
		return false;
	}
	c->live++;
	return true;
}

static inline void ph_path_cap_give(struct ph_path_cap *c)
{
	if (c->live)
		c->live--;
}

#endif
