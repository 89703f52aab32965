/* phgen DNS: RFC 1035 wire format with name compression (names and the
 * names inside CNAME/PTR/SRV/SOA rdata point back at earlier suffixes),
 * A/AAAA/CNAME/PTR/TXT/SRV/SOA records, mDNS cache-flush answers, and the
 * phone's lookups through the gateway resolver 192.168.1.1: like Android's
 * resolver, one A and one AAAA query on separate ports, answered NOERROR
 * with the CNAME chain, NODATA with the zone's SOA, or NXDOMAIN. */
#include "phgen.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define COMP_MAX 64  /* name suffixes remembered for compression */

struct dns_w {
	struct pg_buf b;
	const char *sfx[COMP_MAX];  /* borrowed: suffix strings written */
	uint16_t off[COMP_MAX];
	int n;
};

/* Writes a dotted name, ending in a pointer when a suffix was seen. */
static void put_name(struct dns_w *w, const char *name)
{
	const char *p = name;
	while (*p) {
		for (int i = 0; i < w->n; i++) {
			if (strcasecmp(w->sfx[i], p) == 0) {
				pg_u16(&w->b, 0xc000u | w->off[i]);
				return;
			}
		}
		if (w->n < COMP_MAX && w->b.len < 0x3fff) {
			w->sfx[w->n] = p;
			w->off[w->n++] = (uint16_t)w->b.len;
		}
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		pg_u8(&w->b, (unsigned)(l > 63 ? 63 : l));
		pg_mem(&w->b, p, l > 63 ? 63 : l);
		p += l + (dot != NULL);
	}
	pg_u8(&w->b, 0);
}

static void put_txt(struct dns_w *w, const char *s)
{
	size_t n = strlen(s);
	do {
		size_t k = n > 255 ? 255 : n;
		pg_u8(&w->b, (unsigned)k);
		pg_mem(&w->b, s, k);
		s += k;
		n -= k;
	} while (n);
}

/* "prio weight port target" */
static void put_srv(struct dns_w *w, const char *s)
{
	char *end;
	unsigned long prio = strtoul(s, &end, 10);
	unsigned long weight = strtoul(end, &end, 10);
	unsigned long port = strtoul(end, &end, 10);
	while (*end == ' ')
		end++;
	pg_u16(&w->b, (unsigned)prio);
	pg_u16(&w->b, (unsigned)weight);
	pg_u16(&w->b, (unsigned)port);
	put_name(w, end);
}

static void put_rdata(struct dns_w *w, const struct pg_dns_rr *rr)
{
	uint8_t a[16];
	switch (rr->type) {
	case PG_DNS_A:
		inet_pton(AF_INET, rr->data, a);
		pg_mem(&w->b, a, 4);
		break;
	case PG_DNS_AAAA:
		inet_pton(AF_INET6, rr->data, a);
		pg_mem(&w->b, a, 16);
		break;
	case PG_DNS_TXT:
		put_txt(w, rr->data);
		break;
	case PG_DNS_SRV:
		put_srv(w, rr->data);
		break;
	default: /* CNAME, PTR */
		put_name(w, rr->data);
		break;
	}
}

static void put_rr(struct dns_w *w, const struct pg_dns_rr *rr, int mdns)
{
	put_name(w, rr->name);
	pg_u16(&w->b, rr->type);
	pg_u16(&w->b, mdns && rr->type != PG_DNS_PTR ? 0x8001 : 1);
	pg_u32(&w->b, rr->ttl);
	size_t l = pg_len_open(&w->b, 2);
	put_rdata(w, rr);
	pg_len_close(&w->b, l, 2);
}

/* The SOA goes last: the compression table then points into mname and
 * rname only while this function runs. */
static void put_soa(struct dns_w *w, const char *zone)
{
	char mname[300], rname[300];
	snprintf(mname, sizeof mname, "ns1.%s", zone);
	snprintf(rname, sizeof rname, "hostmaster.%s", zone);
	put_name(w, zone);
	pg_u16(&w->b, 6);
	pg_u16(&w->b, 1);
	pg_u32(&w->b, 900);
	size_t l = pg_len_open(&w->b, 2);
	put_name(w, mname);
	put_name(w, rname);
	pg_u32(&w->b, 2026031401);
	pg_u32(&w->b, 7200);
	pg_u32(&w->b, 3600);
	pg_u32(&w->b, 1209600);
	pg_u32(&w->b, 300);
	pg_len_close(&w->b, l, 2);
}

size_t pg_dns_build(uint8_t *out, size_t cap, const struct pg_dns_msg *m)
{
	struct dns_w w;
	memset(&w, 0, sizeof w);
	pg_buf_init(&w.b, out, cap);
	int qd = m->qname != NULL;
	pg_u16(&w.b, m->id);
	pg_u16(&w.b, m->flags);
	pg_u16(&w.b, (unsigned)qd);
	pg_u16(&w.b, (unsigned)m->nan);
	pg_u16(&w.b, m->soa_zone ? 1 : 0);
	pg_u16(&w.b, 0);
	if (qd) {
		put_name(&w, m->qname);
		pg_u16(&w.b, m->qtype);
		pg_u16(&w.b, m->qclass ? m->qclass : 1);
	}
	for (int i = 0; i < m->nan; i++)
		put_rr(&w, &m->an[i], m->mdns);
	if (m->soa_zone)
		put_soa(&w, m->soa_zone);
	return w.b.err ? 0 : w.b.len;
}

/* The zone for a negative answer: the last two labels of name. */
static const char *zone_of(const char *name)
{
	const char *z = name, *p = name + strlen(name);
	int dots = 0;
	while (p > name) {
		p--;
		if (*p == '.' && ++dots == 2) {
			z = p + 1;
			break;
		}
	}
	return z;
}

uint64_t pg_dns_query1(struct pg_phone *ph, uint64_t t, const char *name,
		       uint16_t qtype, const struct pg_dns_rr *an, int nan,
		       int rcode, const char *soa_zone)
{
	uint8_t msg[1500];
	struct pg_ep cli = pg_phone_ep(ph, 0, pg_eport(ph));
	struct pg_ep res = pg_remote("192.168.1.1", 53);
	struct pg_dns_msg m;
	memset(&m, 0, sizeof m);
	m.id = (uint16_t)pg_rand(&ph->rng);
	m.flags = 0x0100;
	m.qname = name;
	m.qtype = qtype;
	pg_udp(ph, t, &cli, &res, msg, pg_dns_build(msg, sizeof msg, &m));
	m.flags = (uint16_t)(0x8180 | (rcode & 0xf));
	m.an = an;
	m.nan = nan;
	m.soa_zone = soa_zone;
	t += pg_range(&ph->rng, 2 * PG_MS, 35 * PG_MS);
	pg_udp(ph, t, &res, &cli, msg, pg_dns_build(msg, sizeof msg, &m));
	return t;
}

/* The records of the chain that answer qtype: CNAMEs and qtype. */
static int pick(const struct pg_dns_rr *an, int nan, uint16_t qtype,
		struct pg_dns_rr *out, int *has_data)
{
	int n = 0;
	*has_data = 0;
	for (int i = 0; i < nan && n < 16; i++) {
		if (an[i].type == PG_DNS_CNAME || an[i].type == qtype)
			out[n++] = an[i];
		if (an[i].type == qtype)
			*has_data = 1;
	}
	return n;
}

uint64_t pg_dns_lookup(struct pg_phone *ph, uint64_t t, const char *name,
		       const struct pg_dns_rr *an, int nan, int rcode)
{
	static const uint16_t qt[2] = {PG_DNS_A, PG_DNS_AAAA};
	uint64_t end = t;
	for (int i = 0; i < 2; i++) {
		struct pg_dns_rr sel[16];
		int has = 0, n = pick(an, nan, qt[i], sel, &has);
		const char *zone = NULL;
		if (rcode == 3 || !has)
			zone = zone_of(n ? sel[n - 1].data : name);
		uint64_t e = pg_dns_query1(ph, t + (uint64_t)i * 310, name,
					   qt[i], sel, rcode == 3 ? 0 : n,
					   rcode, zone);
		end = e > end ? e : end;
	}
	return end;
}
