/* Tests for src/decode/tunnel.c: GRE (flags, Ethernet, ERSPAN, PPTP),
 * IP-in-IP in all four combinations, VXLAN, GTP-U (with extension
 * headers), Teredo, nesting limits, the outer UDP tuple of UDP tunnels,
 * and the fallback to the tunnel packet when the inner one is not IP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "decode/decode.h"
#include "decode_fixture.h"
#include "pktbuild.h"

static const uint8_t MAC_A[6] = {0x02, 0, 0, 0, 0, 0x0a};
static const uint8_t MAC_B[6] = {0x02, 0, 0, 0, 0, 0x0b};
static const uint8_t MAC_C[6] = {0x02, 0, 0, 0, 0, 0x0c};

static enum ph_decode_result run(int lt, const uint8_t *b, size_t n,
				 struct ph_pkt *p)
{
	struct ph_frame f = {.data = b, .caplen = (uint32_t)n,
			     .wirelen = (uint32_t)n, .linktype = lt};
	return ph_decode(dec, &f, p);
}

/* Outer IP header (v4 192.0.2.1 -> 192.0.2.2, v6 2001:db8:1::1 -> ::2)
 * of protocol `proto` around pl. */
static size_t outer_ip(uint8_t *out, int v6, uint8_t proto,
		       const uint8_t *pl, size_t plen)
{
	if (!v6) {
		memset(out, 0, 20);
		out[0] = 0x45;
		put16(out + 2, (uint16_t)(20 + plen));
		out[8] = 64;
		out[9] = proto;
		const uint8_t a[8] = {192, 0, 2, 1, 192, 0, 2, 2};
		memcpy(out + 12, a, 8);
		memcpy(out + 20, pl, plen);
		return 20 + plen;
	}
	memset(out, 0, 40);
	out[0] = 0x60;
	put16(out + 4, (uint16_t)plen);
	out[6] = proto;
	out[7] = 64;
	struct pb_addr s = pb_ip6("2001:db8:1::1"), d = pb_ip6("2001:db8:1::2");
	memcpy(out + 8, s.a, 16);
	memcpy(out + 24, d.a, 16);
	memcpy(out + 40, pl, plen);
	return 40 + plen;
}

/* Inner TCP 10.9.9.1:4444 -> 10.9.9.2:443 with "inner" (v4), or inner
 * UDP [fd00::1]:5000 -> [fd00::2]:53 with "dns!" (v6). */
static size_t inner_ip(uint8_t *out, int v6)
{
	if (!v6) {
		struct pb_l4 l4 = {.proto = 6, .sport = 4444, .dport = 443,
				   .flags = PB_SYN};
		return pb_ip(out, 4096, pb_ip4("10.9.9.1"), pb_ip4("10.9.9.2"),
			     &l4, "inner", 5);
	}
	struct pb_l4 l4 = {.proto = 17, .sport = 5000, .dport = 53};
	return pb_ip(out, 4096, pb_ip6("fd00::1"), pb_ip6("fd00::2"), &l4,
		     "dns!", 4);
}

static void check_inner(const struct ph_pkt *p, int v6, uint8_t depth)
{
	assert_int_equal(p->tunnel_depth, depth);
	if (!v6) {
		const uint8_t s[16] = {10, 9, 9, 1}, d[16] = {10, 9, 9, 2};
		assert_int_equal(p->t.ipver, 4);
		assert_memory_equal(p->t.src, s, 16);
		assert_memory_equal(p->t.dst, d, 16);
		assert_int_equal(p->t.proto, 6);
		assert_int_equal(p->t.sport, 4444);
		assert_int_equal(p->t.dport, 443);
		assert_int_equal(p->ip_len, 45);
		assert_int_equal(p->payload_wire, 5);
		assert_memory_equal(p->payload, "inner", 5);
		return;
	}
	struct pb_addr s = pb_ip6("fd00::1");
	assert_int_equal(p->t.ipver, 6);
	assert_memory_equal(p->t.src, s.a, 16);
	assert_int_equal(p->t.proto, 17);
	assert_int_equal(p->t.sport, 5000);
	assert_int_equal(p->t.dport, 53);
	assert_int_equal(p->payload_wire, 4);
}

/* GRE header (flags, protocol, `words` optional 32-bit fields) + pl. */
static size_t gre(uint8_t *out, uint16_t flags, uint16_t ptype, int words,
		  const uint8_t *pl, size_t plen)
{
	put16(out, flags);
	put16(out + 2, ptype);
	memset(out + 4, 0x11, (size_t)words * 4);
	if (plen)
		memcpy(out + 4 + words * 4, pl, plen);
	return 4 + (size_t)words * 4 + plen;
}

static void test_gre_ipv4(void **state)
{
	(void)state;
	uint8_t in[256], g[512], fr[1024];
	struct ph_pkt p;
	size_t n = gre(g, 0, 0x0800, 0, in, inner_ip(in, 0));
	n = outer_ip(fr, 0, 47, g, n);
	assert_int_equal(run(PH_LINK_RAW, fr, n, &p), PH_DECODE_FLOW);
	check_inner(&p, 0, 1);
	assert_false(p.has_outer_udp);
	assert_int_equal(ph_decoder_stats(dec)->tunnelled, 1);
}

static void test_gre_optional_fields(void **state)
{
	(void)state;
	uint8_t in[256], g[512], fr[1024];
	struct ph_pkt p;
	size_t il = inner_ip(in, 1);
	const uint16_t flags[4] = {0x8000, 0x2000, 0x1000, 0xb000};
	const int words[4] = {1, 1, 1, 3};
	for (int i = 0; i < 4; i++) {
		size_t n = gre(g, flags[i], 0x86dd, words[i], in, il);
		n = outer_ip(fr, i & 1, 47, g, n);
		assert_int_equal(run(PH_LINK_RAW, fr, n, &p), PH_DECODE_FLOW);
		check_inner(&p, 1, 1);
	}
}

static void test_gre_ethernet_and_erspan(void **state)
{
	(void)state;
	uint8_t in[256], eth[512], g[1024], ip[1024], fr[1400];
	struct ph_pkt p;
	size_t el = pb_eth(eth, sizeof eth, MAC_C, MAC_C, 7, in,
			   inner_ip(in, 0));
	size_t n = gre(g, 0, 0x6558, 0, eth, el);
	n = outer_ip(ip, 0, 47, g, n);
	n = pb_eth(fr, sizeof fr, MAC_A, MAC_B, 0, ip, n);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_FLOW);
	check_inner(&p, 0, 1);
	assert_memory_equal(p.src_mac, MAC_A, 6); /* outer link kept */
	assert_int_equal(p.nvlan, 0);             /* inner VLAN not kept */
	/* ERSPAN type II: sequence bit, 8-byte header */
	uint8_t span[600];
	memset(span, 0, 8);
	span[0] = 0x10;
	memcpy(span + 8, eth, el);
	n = gre(g, 0x1000, 0x88be, 1, span, el + 8);
	n = outer_ip(ip, 0, 47, g, n);
	assert_int_equal(run(PH_LINK_RAW, ip, n, &p), PH_DECODE_FLOW);
	check_inner(&p, 0, 1);
	/* ERSPAN type I: no sequence bit, no header */
	n = gre(g, 0, 0x88be, 0, eth, el);
	n = outer_ip(ip, 0, 47, g, n);
	assert_int_equal(run(PH_LINK_RAW, ip, n, &p), PH_DECODE_FLOW);
	check_inner(&p, 0, 1);
	/* ERSPAN type III with the optional platform subheader */
	memset(span, 0, 20);
	span[0] = 0x20;
	span[11] = 1;
	memcpy(span + 20, eth, el);
	n = gre(g, 0x1000, 0x22eb, 1, span, el + 20);
	n = outer_ip(ip, 1, 47, g, n);
	assert_int_equal(run(PH_LINK_RAW, ip, n, &p), PH_DECODE_FLOW);
	check_inner(&p, 0, 1);
}

static void test_pptp_gre(void **state)
{
	(void)state;
	uint8_t in[256], ppp[512], g[1024], fr[1400];
	struct ph_pkt p;
	const uint8_t hdlc[4] = {0xff, 0x03, 0x00, 0x21};
	memcpy(ppp, hdlc, 4);
	size_t pl = 4 + inner_ip(ppp + 4, 0);
	/* v1, key (payload length + call id), sequence and ack */
	size_t n = gre(g, 0x3081, 0x880b, 3, ppp, pl);
	n = outer_ip(fr, 0, 47, g, n);
	assert_int_equal(run(PH_LINK_RAW, fr, n, &p), PH_DECODE_FLOW);
	check_inner(&p, 0, 1);
	/* ack-only packet: no payload, the GRE packet is the flow */
	n = gre(g, 0x2081, 0x880b, 2, NULL, 0);
	n = outer_ip(fr, 0, 47, g, n);
	assert_int_equal(run(PH_LINK_RAW, fr, n, &p), PH_DECODE_FLOW);
	assert_int_equal(p.t.proto, 47);
	assert_int_equal(p.tunnel_depth, 0);
	(void)in;
}

static void test_gre_malformed(void **state)
{
	(void)state;
	uint8_t in[256], g[512], fr[1024];
	struct ph_pkt p;
	size_t il = inner_ip(in, 0);
	size_t n = gre(g, 0x4000, 0x0800, 1, in, il); /* routing present */
	n = outer_ip(fr, 0, 47, g, n);
	assert_int_equal(run(PH_LINK_RAW, fr, n, &p), PH_DECODE_FLOW);
	assert_int_equal(p.t.proto, 47);
	assert_int_equal(p.tunnel_depth, 0);
	assert_int_equal(an.n[PH_ANOM_TUNNEL_BAD], 1);
	n = gre(g, 0x0002, 0x0800, 0, in, il); /* version 2 */
	n = outer_ip(fr, 0, 47, g, n);
	assert_int_equal(run(PH_LINK_RAW, fr, n, &p), PH_DECODE_FLOW);
	assert_int_equal(an.n[PH_ANOM_TUNNEL_BAD], 2);
	n = outer_ip(fr, 0, 47, g, 3);
	assert_int_equal(run(PH_LINK_RAW, fr, n, &p), PH_DECODE_FLOW);
	assert_int_equal(an.n[PH_ANOM_TUNNEL_TRUNCATED], 1);
	n = gre(g, 0xb000, 0x0800, 0, NULL, 0); /* 12 option bytes missing */
	n = outer_ip(fr, 0, 47, g, n);
	assert_int_equal(run(PH_LINK_RAW, fr, n, &p), PH_DECODE_FLOW);
	assert_int_equal(an.n[PH_ANOM_TUNNEL_TRUNCATED], 2);
	n = gre(g, 0, 0x0806, 0, in, il); /* ARP inside: the GRE is the flow */
	n = outer_ip(fr, 0, 47, g, n);
	assert_int_equal(run(PH_LINK_RAW, fr, n, &p), PH_DECODE_FLOW);
	assert_int_equal(p.t.proto, 47);
	assert_int_equal(p.payload_wire, n - 20);
	assert_int_equal(an.n[PH_ANOM_ETHERTYPE_OTHER], 1);
	n = gre(g, 0, 0x0800, 0, in, 10); /* inner IPv4 truncated */
	n = outer_ip(fr, 0, 47, g, n);
	assert_int_equal(run(PH_LINK_RAW, fr, n, &p), PH_DECODE_FLOW);
	assert_int_equal(p.t.proto, 47);
	assert_int_equal(p.tunnel_depth, 0);
	assert_int_equal(an.n[PH_ANOM_IPV4_TRUNCATED], 1);
}

static void test_ip_in_ip(void **state)
{
	(void)state;
	uint8_t in[256], fr[1024];
	struct ph_pkt p;
	for (int outer6 = 0; outer6 < 2; outer6++) {
		for (int inner6 = 0; inner6 < 2; inner6++) {
			size_t il = inner_ip(in, inner6);
			size_t n = outer_ip(fr, outer6, inner6 ? 41 : 4, in, il);
			assert_int_equal(run(PH_LINK_RAW, fr, n, &p),
					 PH_DECODE_FLOW);
			check_inner(&p, inner6, 1);
		}
	}
	size_t n = outer_ip(fr, 0, 41, in, 20); /* 6in4, inner cut */
	assert_int_equal(run(PH_LINK_RAW, fr, n, &p), PH_DECODE_FLOW);
	assert_int_equal(p.t.proto, 41);
	assert_int_equal(p.t.ipver, 4);
	assert_int_equal(an.n[PH_ANOM_IPV6_TRUNCATED], 1);
}

/* Outer UDP 10.0.0.1:40000 -> 10.0.0.2:dport around pl (Ethernet frame). */
static size_t udp_tunnel(uint8_t *fr, uint16_t sport, uint16_t dport,
			 const uint8_t *pl, size_t plen)
{
	uint8_t ip[2048];
	struct pb_l4 l4 = {.proto = 17, .sport = sport, .dport = dport};
	size_t n = pb_ip(ip, sizeof ip, pb_ip4("10.0.0.1"), pb_ip4("10.0.0.2"),
			 &l4, pl, plen);
	return pb_eth(fr, 2048, MAC_A, MAC_B, 0, ip, n);
}

static void check_outer(const struct ph_pkt *p, uint16_t sport,
			uint16_t dport, size_t plen)
{
	const uint8_t s[16] = {10, 0, 0, 1}, d[16] = {10, 0, 0, 2};
	assert_true(p->has_outer_udp);
	assert_int_equal(p->outer.ipver, 4);
	assert_memory_equal(p->outer.src, s, 16);
	assert_memory_equal(p->outer.dst, d, 16);
	assert_int_equal(p->outer.proto, 17);
	assert_int_equal(p->outer.sport, sport);
	assert_int_equal(p->outer.dport, dport);
	assert_int_equal(p->outer_ip_len, 28 + plen);
	assert_int_equal(p->outer_payload_wire, plen);
}

static size_t vxlan(uint8_t *out, uint8_t flags, const uint8_t *eth,
		    size_t elen)
{
	memset(out, 0, 8);
	out[0] = flags;
	out[6] = 0x12; /* VNI */
	memcpy(out + 8, eth, elen);
	return 8 + elen;
}

static void test_vxlan(void **state)
{
	(void)state;
	uint8_t in[256], eth[512], vx[600], fr[2048];
	struct ph_pkt p;
	size_t el = pb_eth(eth, sizeof eth, MAC_C, MAC_C, 99, in,
			   inner_ip(in, 0));
	size_t vl = vxlan(vx, 0x08, eth, el);
	size_t n = udp_tunnel(fr, 40000, 4789, vx, vl);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_FLOW);
	check_inner(&p, 0, 1);
	check_outer(&p, 40000, 4789, vl);
	assert_int_equal(p.nvlan, 0);
	assert_memory_equal(p.src_mac, MAC_A, 6);
}

static void test_vxlan_inner_not_ip(void **state)
{
	(void)state;
	uint8_t eth[64] = {0}, vx[128], fr[2048];
	struct ph_pkt p;
	put16(eth + 12, 0x0806);
	size_t vl = vxlan(vx, 0x08, eth, 42);
	size_t n = udp_tunnel(fr, 40000, 4789, vx, vl);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_FLOW);
	assert_false(p.has_outer_udp);
	assert_int_equal(p.tunnel_depth, 0);
	assert_int_equal(p.t.proto, 17);
	assert_int_equal(p.t.dport, 4789);
	assert_int_equal(p.payload_wire, vl);
	assert_int_equal(an.n[PH_ANOM_ETHERTYPE_OTHER], 1);
	vl = vxlan(vx, 0x00, eth, 42); /* VNI flag missing: not VXLAN */
	n = udp_tunnel(fr, 40000, 4789, vx, vl);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_FLOW);
	assert_int_equal(p.t.dport, 4789);
	assert_int_equal(an.n[PH_ANOM_TUNNEL_BAD], 1);
	n = udp_tunnel(fr, 40000, 4789, vx, 5);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_FLOW);
	assert_int_equal(an.n[PH_ANOM_TUNNEL_TRUNCATED], 1);
	assert_int_equal(ph_decoder_stats(dec)->tunnelled, 0);
}

/* GTP-U G-PDU: flags, then ext (already laid out, elen bytes) + inner. */
static size_t gtp(uint8_t *out, uint8_t flags, uint8_t type,
		  const uint8_t *ext, size_t elen, const uint8_t *in,
		  size_t il)
{
	out[0] = flags;
	out[1] = type;
	put16(out + 2, (uint16_t)(elen + il));
	memset(out + 4, 0xab, 4); /* TEID */
	if (elen)
		memcpy(out + 8, ext, elen);
	if (il)
		memcpy(out + 8 + elen, in, il);
	return 8 + elen + il;
}

static void test_gtpu(void **state)
{
	(void)state;
	uint8_t in[256], g[600], fr[2048];
	struct ph_pkt p;
	size_t il = inner_ip(in, 0);
	size_t gl = gtp(g, 0x30, 0xff, NULL, 0, in, il);
	size_t n = udp_tunnel(fr, 2152, 2152, g, gl);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_FLOW);
	check_inner(&p, 0, 1);
	check_outer(&p, 2152, 2152, gl);
	/* sequence number present */
	const uint8_t seq[4] = {0, 1, 0, 0};
	gl = gtp(g, 0x32, 0xff, seq, 4, in, il);
	n = udp_tunnel(fr, 2152, 2152, g, gl);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_FLOW);
	check_inner(&p, 0, 1);
	/* two extension headers: PDU session container (0x85), then 0x40 */
	const uint8_t ext[12] = {0, 0, 0, 0x85, 1, 0x10, 0x01, 0x40,
				 1, 0xaa, 0xbb, 0x00};
	il = inner_ip(in, 1);
	gl = gtp(g, 0x34, 0xff, ext, sizeof ext, in, il);
	n = udp_tunnel(fr, 2152, 2152, g, gl);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_FLOW);
	check_inner(&p, 1, 1);
	assert_int_equal(an.n[PH_ANOM_TUNNEL_BAD], 0);
}

static void test_gtpu_malformed(void **state)
{
	(void)state;
	uint8_t in[256], g[600], fr[2048];
	struct ph_pkt p;
	size_t il = inner_ip(in, 0);
	const uint8_t ext0[8] = {0, 0, 0, 0x85, 0, 0, 0, 0}; /* length 0 */
	size_t gl = gtp(g, 0x34, 0xff, ext0, 8, in, il);
	size_t n = udp_tunnel(fr, 2152, 2152, g, gl);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_FLOW);
	assert_int_equal(p.t.dport, 2152);
	assert_false(p.has_outer_udp);
	assert_int_equal(an.n[PH_ANOM_TUNNEL_BAD], 1);
	const uint8_t extlong[8] = {0, 0, 0, 0x85, 200, 0, 0, 0};
	gl = gtp(g, 0x34, 0xff, extlong, 8, in, il);
	n = udp_tunnel(fr, 2152, 2152, g, gl);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_FLOW);
	assert_int_equal(an.n[PH_ANOM_TUNNEL_TRUNCATED], 1);
	gl = gtp(g, 0x50, 0xff, NULL, 0, in, il); /* version 2 */
	n = udp_tunnel(fr, 2152, 2152, g, gl);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_FLOW);
	assert_int_equal(an.n[PH_ANOM_TUNNEL_BAD], 2);
	gl = gtp(g, 0x30, 0x01, NULL, 0, NULL, 0); /* echo request */
	n = udp_tunnel(fr, 2152, 2152, g, gl);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_FLOW);
	assert_int_equal(p.t.dport, 2152);
	assert_int_equal(an.n[PH_ANOM_TUNNEL_BAD], 2);
	assert_int_equal(ph_decoder_stats(dec)->tunnelled, 0);
}

static void test_teredo(void **state)
{
	(void)state;
	uint8_t in[256], t[600], fr[2048];
	struct ph_pkt p;
	size_t il = inner_ip(in, 1);
	size_t n = udp_tunnel(fr, 3544, 50000, in, il);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_FLOW);
	check_inner(&p, 1, 1);
	check_outer(&p, 3544, 50000, il);
	/* origin indication before the IPv6 packet */
	memset(t, 0, 8);
	memcpy(t + 8, in, il);
	n = udp_tunnel(fr, 3544, 50000, t, il + 8);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_FLOW);
	check_inner(&p, 1, 1);
	/* IPv6 length that does not fill the datagram: not Teredo */
	n = udp_tunnel(fr, 3544, 50000, in, il - 1);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_FLOW);
	assert_int_equal(p.t.sport, 3544);
	assert_int_equal(p.tunnel_depth, 0);
}

/* IP-in-IP nested `levels` deep around the inner TCP packet. */
static size_t nest(uint8_t *fr, int levels)
{
	uint8_t a[2048], b[2048];
	size_t n = inner_ip(a, 0);
	for (int i = 0; i < levels; i++) {
		n = outer_ip(b, 0, 4, a, n);
		memcpy(a, b, n);
	}
	memcpy(fr, a, n);
	return n;
}

static void test_too_deep(void **state)
{
	(void)state;
	uint8_t fr[2048];
	struct ph_pkt p;
	size_t n = nest(fr, PH_DECODE_MAX_TUNNELS);
	assert_int_equal(run(PH_LINK_RAW, fr, n, &p), PH_DECODE_FLOW);
	check_inner(&p, 0, PH_DECODE_MAX_TUNNELS);
	n = nest(fr, PH_DECODE_MAX_TUNNELS + 1);
	assert_int_equal(run(PH_LINK_RAW, fr, n, &p), PH_DECODE_FLOW);
	assert_int_equal(an.n[PH_ANOM_TUNNEL_TOO_DEEP], 1);
	assert_int_equal(p.tunnel_depth, PH_DECODE_MAX_TUNNELS);
	assert_int_equal(p.t.proto, 4);
}

/* VXLAN inside GTP-U: the outer tuple is the outermost (GTP) one. */
static void test_nested_udp_tunnels(void **state)
{
	(void)state;
	uint8_t in[256], eth[512], vx[600], ip[1024], g[1200], fr[2048];
	struct ph_pkt p;
	size_t el = pb_eth(eth, sizeof eth, MAC_C, MAC_C, 0, in,
			   inner_ip(in, 0));
	size_t vl = vxlan(vx, 0x08, eth, el);
	struct pb_l4 l4 = {.proto = 17, .sport = 33333, .dport = 4789};
	size_t n = pb_ip(ip, sizeof ip, pb_ip4("172.16.0.1"),
			 pb_ip4("172.16.0.2"), &l4, vx, vl);
	size_t gl = gtp(g, 0x30, 0xff, NULL, 0, ip, n);
	n = udp_tunnel(fr, 2152, 2152, g, gl);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_FLOW);
	check_inner(&p, 0, 2);
	check_outer(&p, 2152, 2152, gl);
	/* inner Ethernet not IP: the VXLAN packet (depth 1) is the flow */
	put16(eth + 12, 0x0806);
	vl = vxlan(vx, 0x08, eth, el);
	n = pb_ip(ip, sizeof ip, pb_ip4("172.16.0.1"), pb_ip4("172.16.0.2"),
		  &l4, vx, vl);
	gl = gtp(g, 0x30, 0xff, NULL, 0, ip, n);
	n = udp_tunnel(fr, 2152, 2152, g, gl);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_FLOW);
	assert_int_equal(p.tunnel_depth, 1);
	assert_int_equal(p.t.dport, 4789);
	check_outer(&p, 2152, 2152, gl);
}

/* IPv4 fragment of in (20-byte header) carrying data [off, off+len). */
static size_t frag4(uint8_t *out, const uint8_t *in, uint32_t off,
		    uint32_t len, int more)
{
	memcpy(out, in, 20);
	memcpy(out + 20, in + 20 + off, len);
	put16(out + 2, (uint16_t)(20 + len));
	put16(out + 6, (uint16_t)((more ? 0x2000 : 0) | (off / 8)));
	return 20 + len;
}

static void test_inner_fragments(void **state)
{
	(void)state;
	uint8_t in[256], f[256], eth[512], vx[600], fr[2048], g[600];
	struct ph_pkt p;
	size_t il = inner_ip(in, 0);
	/* VXLAN: held inner fragment -> the outer UDP packet is the flow */
	size_t fl = frag4(f, in, 0, 16, 1);
	size_t el = pb_eth(eth, sizeof eth, MAC_C, MAC_C, 0, f, fl);
	size_t vl = vxlan(vx, 0x08, eth, el);
	size_t n = udp_tunnel(fr, 40000, 4789, vx, vl);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_FLOW);
	assert_int_equal(p.t.dport, 4789);
	assert_false(p.has_outer_udp);
	assert_int_equal(ph_decoder_stats(dec)->frags_held, 1);
	fl = frag4(f, in, 16, (uint32_t)(il - 20 - 16), 0);
	el = pb_eth(eth, sizeof eth, MAC_C, MAC_C, 0, f, fl);
	vl = vxlan(vx, 0x08, eth, el);
	n = udp_tunnel(fr, 40000, 4789, vx, vl);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_FLOW);
	check_inner(&p, 0, 1);
	assert_true(p.reassembled);
	check_outer(&p, 40000, 4789, vl);
	/* GRE: held inner fragment -> HELD */
	fl = frag4(f, in, 0, 16, 1);
	f[5] = 9;
	n = gre(g, 0, 0x0800, 0, f, fl);
	n = outer_ip(fr, 0, 47, g, n);
	assert_int_equal(run(PH_LINK_RAW, fr, n, &p), PH_DECODE_HELD);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_gre_ipv4),
		T(test_gre_optional_fields),
		T(test_gre_ethernet_and_erspan),
		T(test_pptp_gre),
		T(test_gre_malformed),
		T(test_ip_in_ip),
		T(test_vxlan),
		T(test_vxlan_inner_not_ip),
		T(test_gtpu),
		T(test_gtpu_malformed),
		T(test_teredo),
		T(test_too_deep),
		T(test_nested_udp_tunnels),
		T(test_inner_fragments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
