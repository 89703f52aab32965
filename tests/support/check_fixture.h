/* Crafted-capture fixture for detection tests: write frames of TCP
 * conversations and UDP/ICMP packets between a device and remote hosts
 * into a temp pcap (Ethernet, microsecond timestamps), then run the whole
 * pipeline on it with a findings collection and a device inventory, as
 * `peephole check` does, and look the findings up. Header-only; uses
 * tests/support/pktbuild. Typical use:
 *
 *   struct cfx x; cfx_open(&x);
 *   struct cfx_tcp t; cfx_tcp_open(&x, &t, "192.168.1.23", 40000,
 *                                  "203.0.113.9", 443, ts);   (handshake)
 *   cfx_tcp_send(&x, &t, 0, ts + 1000, "hello", 5);    (0: device side)
 *   cfx_tcp_close(&x, &t, ts + 2000);
 *   struct ph_findings *f = cfx_run(&x, NULL, 0);
 *   assert_non_null(cfx_find(f, "direct_ip.unresolved"));
 *   cfx_close(&x, f);
 */
#ifndef PH_TESTS_CHECK_FIXTURE_H
#define PH_TESTS_CHECK_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "peephole/devices.h"
#include "peephole/finding.h"
#include "peephole/run.h"
#include "pktbuild.h"

struct cfx {
	char *path;
	FILE *f;
	struct pb_pcap w;
	struct ph_devices *devices;
	struct ph_run_summary *summary;
	int rc;                  /* ph_run's return */
};

static const uint8_t cfx_dev_mac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
static const uint8_t cfx_gw_mac[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};

static inline void cfx_open(struct cfx *x)
{
	memset(x, 0, sizeof *x);
	x->path = pb_tmpfile(".pcap");
	x->f = fopen(x->path, "wb");
	pb_pcap_open(&x->w, x->f, 1, 0);
}

/* One IP packet in an Ethernet frame; the MAC of the side whose address
 * is private goes first when it sends. */
static inline void cfx_packet(struct cfx *x, uint64_t ts_ns, const char *src,
			      const char *dst, const struct pb_l4 *l4,
			      const void *payload, size_t plen)
{
	static uint8_t ip[70000], fr[70100];
	struct pb_addr s = strchr(src, ':') ? pb_ip6(src) : pb_ip4(src);
	struct pb_addr d = strchr(dst, ':') ? pb_ip6(dst) : pb_ip4(dst);
	size_t n = pb_ip(ip, sizeof ip, s, d, l4, payload, plen);
	int from_dev = strncmp(src, "192.168.", 8) == 0 ||
		       strncmp(src, "10.", 3) == 0 ||
		       strncmp(src, "fe80", 4) == 0;
	size_t m = pb_eth(fr, sizeof fr, from_dev ? cfx_dev_mac : cfx_gw_mac,
			  from_dev ? cfx_gw_mac : cfx_dev_mac, 0, ip, n);
	pb_pcap_write(&x->w, ts_ns, fr, m);
}

static inline void cfx_udp(struct cfx *x, uint64_t ts_ns, const char *src,
			   uint16_t sport, const char *dst, uint16_t dport,
			   const void *payload, size_t plen)
{
	struct pb_l4 l4 = {.proto = 17, .sport = sport, .dport = dport};
	cfx_packet(x, ts_ns, src, dst, &l4, payload, plen);
}

/* A TCP conversation: side 0 is the originator (a), side 1 the
 * responder (b). */
struct cfx_tcp {
	const char *a, *b;
	uint16_t pa, pb;
	uint32_t seq[2];
	uint8_t ttl[2];          /* 0: 64 */
};

static inline void cfx_tcp_seg(struct cfx *x, struct cfx_tcp *t, int side,
			       uint64_t ts_ns, uint8_t flags, const void *data,
			       size_t len)
{
	struct pb_l4 l4 = {.proto = 6, .flags = flags, .ttl = t->ttl[side]};
	l4.sport = side ? t->pb : t->pa;
	l4.dport = side ? t->pa : t->pb;
	l4.seq = t->seq[side];
	l4.ack = (flags & PB_ACK) ? t->seq[!side] : 0;
	cfx_packet(x, ts_ns, side ? t->b : t->a, side ? t->a : t->b, &l4,
		   data, len);
	t->seq[side] += (uint32_t)len + ((flags & (PB_SYN | PB_FIN)) ? 1 : 0);
}

/* SYN, SYN-ACK, ACK at ts, ts+1 ms, ts+2 ms. */
static inline void cfx_tcp_open(struct cfx *x, struct cfx_tcp *t,
				const char *a, uint16_t pa, const char *b,
				uint16_t pb, uint64_t ts_ns)
{
	memset(t, 0, sizeof *t);
	t->a = a, t->b = b, t->pa = pa, t->pb = pb;
	t->seq[0] = 1000, t->seq[1] = 5000;
	cfx_tcp_seg(x, t, 0, ts_ns, PB_SYN, NULL, 0);
	cfx_tcp_seg(x, t, 1, ts_ns + 1000000, PB_SYN | PB_ACK, NULL, 0);
	cfx_tcp_seg(x, t, 0, ts_ns + 2000000, PB_ACK, NULL, 0);
}

/* Data from one side, cut into 1400-byte segments 100 us apart, each
 * acknowledged by the other side. */
static inline void cfx_tcp_send(struct cfx *x, struct cfx_tcp *t, int side,
				uint64_t ts_ns, const void *data, size_t len)
{
	const uint8_t *p = data;
	for (size_t off = 0; off < len; off += 1400, ts_ns += 100000) {
		size_t k = len - off < 1400 ? len - off : 1400;
		cfx_tcp_seg(x, t, side, ts_ns, PB_ACK | PB_PSH, p + off, k);
		cfx_tcp_seg(x, t, !side, ts_ns + 50000, PB_ACK, NULL, 0);
	}
}

/* FIN from the originator, FIN-ACK, ACK. */
static inline void cfx_tcp_close(struct cfx *x, struct cfx_tcp *t,
				 uint64_t ts_ns)
{
	cfx_tcp_seg(x, t, 0, ts_ns, PB_FIN | PB_ACK, NULL, 0);
	cfx_tcp_seg(x, t, 1, ts_ns + 1000000, PB_FIN | PB_ACK, NULL, 0);
	cfx_tcp_seg(x, t, 0, ts_ns + 2000000, PB_ACK, NULL, 0);
}

/* Closes the capture and runs it with cfg (whatever the caller set:
 * intel, settings, identifiers, destinations...), the capture file, a new
 * findings collection and device inventory filled in. Returns the
 * findings (free with cfx_close). */
static inline struct ph_findings *cfx_run_cfg(struct cfx *x,
					      struct ph_run_config *cfg)
{
	fclose(x->f);
	x->f = NULL;
	struct ph_findings *f = ph_findings_new(1000);
	x->devices = ph_devices_new(0);
	const char *files[1] = {x->path};
	cfg->files = files;
	cfg->nfiles = 1;
	cfg->findings = f;
	cfg->devices = x->devices;
	struct ph_err err;
	memset(&err, 0, sizeof err);
	x->rc = ph_run(cfg, &x->summary, &err);
	cfg->files = NULL;
	return f;
}

/* Closes the capture and runs every parser and detection on it with the
 * given "<module>.<option>=<value>" settings (and intel, may be NULL).
 * Returns the findings (free with cfx_close). */
static inline struct ph_findings *cfx_run_intel(struct cfx *x,
						const struct ph_intel *intel,
						const char *const *settings,
						unsigned nsettings)
{
	struct ph_run_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.intel = intel;
	cfg.settings = settings;
	cfg.nsettings = nsettings;
	return cfx_run_cfg(x, &cfg);
}

static inline struct ph_findings *cfx_run(struct cfx *x,
					  const char *const *settings,
					  unsigned nsettings)
{
	return cfx_run_intel(x, NULL, settings, nsettings);
}

/* The first finding with this id (NULL if none). */
static inline const struct ph_finding *cfx_find(const struct ph_findings *f,
						const char *id)
{
	for (unsigned i = 0; i < ph_findings_count(f); i++)
		if (strcmp(ph_findings_get(f, i)->id, id) == 0)
			return ph_findings_get(f, i);
	return NULL;
}

/* How many findings have an id starting with prefix. */
static inline unsigned cfx_count(const struct ph_findings *f,
				 const char *prefix)
{
	unsigned n = 0;
	for (unsigned i = 0; i < ph_findings_count(f); i++)
		n += strncmp(ph_findings_get(f, i)->id, prefix,
			     strlen(prefix)) == 0;
	return n;
}

static inline void cfx_close(struct cfx *x, struct ph_findings *f)
{
	if (x->f)
		fclose(x->f);
	ph_findings_free(f);
	ph_devices_free(x->devices);
	ph_run_summary_free(x->summary);
	unlink(x->path);
	free(x->path);
}


/* ---- on-path helpers (pathdet: dns/rst/http_injection tests) ---- */

/* A UDP packet with a chosen IP TTL and IP ID. */
static inline void cfx_path_udp(struct cfx *x, uint64_t ts_ns, const char *src,
				uint16_t sport, const char *dst, uint16_t dport,
				const void *payload, size_t plen, uint8_t ttl,
				uint16_t ip_id)
{
	struct pb_l4 l4 = {.proto = 17, .sport = sport, .dport = dport,
			   .ttl = ttl, .ip_id = ip_id};
	cfx_packet(x, ts_ns, src, dst, &l4, payload, plen);
}

/* A TCP segment of conversation t from `side` at an explicit sequence
 * number, TTL, IP ID and window, without moving t's sequence numbers
 * (a forged or repeated segment). */
static inline void cfx_path_tcp_at(struct cfx *x, const struct cfx_tcp *t,
				   int side, uint64_t ts_ns, uint8_t flags,
				   uint32_t seq, const void *data, size_t len,
				   uint8_t ttl, uint16_t ip_id, uint16_t win)
{
	struct pb_l4 l4 = {.proto = 6, .flags = flags, .ttl = ttl,
			   .ip_id = ip_id, .win = win};
	l4.sport = side ? t->pb : t->pa;
	l4.dport = side ? t->pa : t->pb;
	l4.seq = seq;
	l4.ack = (flags & PB_ACK) ? t->seq[!side] : 0;
	cfx_packet(x, ts_ns, side ? t->b : t->a, side ? t->a : t->b, &l4,
		   data, len);
}

/* A DNS message: one question (type A) and, for responses (qr), one A
 * record per address in `addrs` (NULL-terminated; may be NULL), with the
 * given rcode. Returns its length (0 when cap is too small). */
static inline size_t cfx_path_dns(uint8_t *out, size_t cap, uint16_t id,
				  int qr, unsigned rcode, const char *qname,
				  const char *const *addrs)
{
	unsigned an = 0;
	while (qr && addrs && addrs[an])
		an++;
	size_t need = 12 + strlen(qname) + 2 + 4 + an * 16, n = 12;
	if (need > cap)
		return 0;
	uint16_t flags = (uint16_t)(qr ? 0x8180 | (rcode & 15) : 0x0100);
	uint8_t hdr[12] = {(uint8_t)(id >> 8), (uint8_t)id,
			   (uint8_t)(flags >> 8), (uint8_t)flags, 0, 1, 0,
			   (uint8_t)an, 0, 0, 0, 0};
	memcpy(out, hdr, 12);
	for (const char *s = qname; *s;) {
		const char *dot = strchr(s, '.');
		size_t k = dot ? (size_t)(dot - s) : strlen(s);
		out[n++] = (uint8_t)k;
		memcpy(out + n, s, k);
		n += k;
		s += k + (dot ? 1 : 0);
	}
	out[n++] = 0;
	static const uint8_t qtc[4] = {0, 1, 0, 1};
	memcpy(out + n, qtc, 4);
	n += 4;
	for (unsigned i = 0; i < an; i++) {
		struct pb_addr a = pb_ip4(addrs[i]);
		const uint8_t rr[12] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10,
					0, 4};
		memcpy(out + n, rr, 12);
		memcpy(out + n + 12, a.a, 4);
		n += 16;
	}
	return n;
}

/* dnsdet: a DNS message (one question; with an A answer `a4` when a4 is
 * non-NULL and rcode is 0) as UDP from src:sport to dst:53 (query) or
 * back (response: qr 1). qtype 1 = A, 16 = TXT, 10 = NULL. */
static inline size_t cfx_dns_msg(uint8_t *b, size_t cap, uint16_t id,
				 int qr, int rcode, const char *name,
				 uint16_t qtype, const char *a4)
{
	size_t n = 0;
	int ans = qr && rcode == 0 && a4;
	uint8_t h[12] = {(uint8_t)(id >> 8), (uint8_t)id,
			 (uint8_t)(qr ? 0x81 : 0x01), (uint8_t)(qr ? 0x80 | rcode : 0),
			 0, 1, 0, (uint8_t)ans, 0, 0, 0, 0};
	memcpy(b, h, 12);
	n = 12;
	for (const char *s = name; *s && n + 66 < cap;) {
		const char *dot = strchr(s, '.');
		size_t k = dot ? (size_t)(dot - s) : strlen(s);
		b[n++] = (uint8_t)k;
		memcpy(b + n, s, k);
		n += k;
		s += k + (dot ? 1 : 0);
	}
	b[n++] = 0;
	b[n++] = (uint8_t)(qtype >> 8), b[n++] = (uint8_t)qtype;
	b[n++] = 0, b[n++] = 1;
	if (ans) {
		struct pb_addr a = pb_ip4(a4);
		uint8_t rr[16] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4};
		memcpy(rr + 12, a.a, 4);
		memcpy(b + n, rr, 16);
		n += 16;
	}
	return n;
}

/* dnsdet: query from dev:sport to server:53 at ts and, when answer >= 0,
 * the response 1 ms later with rcode `answer` (0: A record a4). */
static inline void cfx_dns_lookup(struct cfx *x, uint64_t ts_ns,
				  const char *dev, uint16_t sport,
				  const char *server, const char *name,
				  uint16_t qtype, int answer, const char *a4)
{
	uint8_t b[600];
	uint16_t id = (uint16_t)(sport * 7u + 1u);
	size_t n = cfx_dns_msg(b, sizeof b, id, 0, 0, name, qtype, NULL);
	cfx_udp(x, ts_ns, dev, sport, server, 53, b, n);
	if (answer < 0)
		return;
	n = cfx_dns_msg(b, sizeof b, id, 1, answer, name, qtype, a4);
	cfx_udp(x, ts_ns + 1000000, server, 53, dev, sport, b, n);
}

#endif
