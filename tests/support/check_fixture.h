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

/* Closes the capture and runs every parser and detection on it with the
 * given "<module>.<option>=<value>" settings (and intel, may be NULL).
 * Returns the findings (free with cfx_close). */
static inline struct ph_findings *cfx_run_intel(struct cfx *x,
						const struct ph_intel *intel,
						const char *const *settings,
						unsigned nsettings)
{
	fclose(x->f);
	x->f = NULL;
	struct ph_findings *f = ph_findings_new(1000);
	x->devices = ph_devices_new(0);
	const char *files[1] = {x->path};
	struct ph_run_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.files = files;
	cfg.nfiles = 1;
	cfg.findings = f;
	cfg.devices = x->devices;
	cfg.intel = intel;
	cfg.settings = settings;
	cfg.nsettings = nsettings;
	struct ph_err err;
	memset(&err, 0, sizeof err);
	x->rc = ph_run(&cfg, &x->summary, &err);
	return f;
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

#endif
