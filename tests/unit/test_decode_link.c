/* Tests for src/decode/link.c: every link layer down to the IP header
 * (Ethernet, VLAN/QinQ, MPLS, PPPoE, LLC/SNAP, SLL, SLL2, null/loop, PPP,
 * Cisco HDLC, frame relay, NFLOG, 802.11/radiotap, raw IP), and the
 * anomaly each malformed variant counts. */
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

static enum ph_decode_result run(int lt, const uint8_t *b, size_t n,
				 struct ph_pkt *p)
{
	struct ph_frame f = {.data = b, .caplen = (uint32_t)n,
			     .wirelen = (uint32_t)n, .linktype = lt,
			     .pkt_no = 7, .ts_ns = 99};
	return ph_decode(dec, &f, p);
}

/* 10.0.0.1:1234 -> 10.0.0.2:80 TCP SYN with 5 payload bytes (45 bytes). */
static size_t ip4_tcp(uint8_t *out)
{
	struct pb_l4 l4 = {.proto = 6, .sport = 1234, .dport = 80,
			   .flags = PB_SYN, .seq = 1000};
	return pb_ip(out, 128, pb_ip4("10.0.0.1"), pb_ip4("10.0.0.2"), &l4,
		     "hello", 5);
}

/* [2001:db8::1]:5353 -> [2001:db8::2]:53 UDP with 4 payload bytes. */
static size_t ip6_udp(uint8_t *out)
{
	struct pb_l4 l4 = {.proto = 17, .sport = 5353, .dport = 53};
	return pb_ip(out, 128, pb_ip6("2001:db8::1"), pb_ip6("2001:db8::2"),
		     &l4, "abcd", 4);
}

static void check_v4(const struct ph_pkt *p)
{
	struct pb_addr a = pb_ip4("10.0.0.1"), b = pb_ip4("10.0.0.2");
	assert_int_equal(p->t.ipver, 4);
	assert_memory_equal(p->t.src, a.a, 16);
	assert_memory_equal(p->t.dst, b.a, 16);
	assert_int_equal(p->t.sport, 1234);
	assert_int_equal(p->t.dport, 80);
	assert_int_equal(p->t.proto, 6);
	assert_int_equal(p->ip_len, 45);
	assert_int_equal(p->payload_wire, 5);
	assert_int_equal(p->payload_len, 5);
	assert_memory_equal(p->payload, "hello", 5);
}

static void check_v6(const struct ph_pkt *p)
{
	struct pb_addr a = pb_ip6("2001:db8::1"), b = pb_ip6("2001:db8::2");
	assert_int_equal(p->t.ipver, 6);
	assert_memory_equal(p->t.src, a.a, 16);
	assert_memory_equal(p->t.dst, b.a, 16);
	assert_int_equal(p->t.sport, 5353);
	assert_int_equal(p->t.dport, 53);
	assert_int_equal(p->t.proto, 17);
	assert_int_equal(p->ip_len, 52);
	assert_int_equal(p->payload_wire, 4);
}

/* Ethernet header with the given ethertype at the start of out. */
static size_t eth_hdr(uint8_t *out, uint16_t type)
{
	memcpy(out, MAC_B, 6);
	memcpy(out + 6, MAC_A, 6);
	put16(out + 12, type);
	return 14;
}

static void test_ethernet_ipv4(void **state)
{
	(void)state;
	uint8_t ip[128], fr[256];
	struct ph_pkt p;
	size_t n = pb_eth(fr, sizeof fr, MAC_A, MAC_B, 0, ip, ip4_tcp(ip));
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_FLOW);
	check_v4(&p);
	assert_true(p.has_mac);
	assert_memory_equal(p.src_mac, MAC_A, 6);
	assert_memory_equal(p.dst_mac, MAC_B, 6);
	assert_int_equal(p.nvlan, 0);
	assert_int_equal(p.tcp_flags, PB_SYN);
	assert_int_equal(p.seq, 1000);
	assert_int_equal(p.pkt_no, 7);
	assert_int_equal(p.ts_ns, 99);
	assert_int_equal(p.frame_len, n);
	assert_int_equal(total_anoms(), 0);
	assert_int_equal(ph_decoder_stats(dec)->ip_packets, 1);
}

static void test_ethernet_padding_ignored(void **state)
{
	(void)state;
	uint8_t ip[128], fr[256];
	struct ph_pkt p;
	struct pb_l4 l4 = {.proto = 6, .sport = 1, .dport = 2, .flags = PB_ACK};
	size_t iplen = pb_ip(ip, sizeof ip, pb_ip4("1.1.1.1"),
			     pb_ip4("2.2.2.2"), &l4, NULL, 0);
	size_t n = pb_eth(fr, sizeof fr, MAC_A, MAC_B, 0, ip, iplen);
	memset(fr + n, 0xee, 60 - n); /* pad to the 60-byte minimum */
	assert_int_equal(run(PH_LINK_ETHERNET, fr, 60, &p), PH_DECODE_FLOW);
	assert_int_equal(p.ip_len, 40);
	assert_int_equal(p.payload_len, 0);
	assert_int_equal(p.payload_wire, 0);
	assert_int_equal(p.l4_caplen, 20);
	assert_int_equal(total_anoms(), 0);
}

static void test_ethernet_ipv6(void **state)
{
	(void)state;
	uint8_t ip[128], fr[256];
	struct ph_pkt p;
	size_t n = pb_eth(fr, sizeof fr, MAC_A, MAC_B, 0, ip, ip6_udp(ip));
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_FLOW);
	check_v6(&p);
}

static void test_vlan_single(void **state)
{
	(void)state;
	uint8_t ip[128], fr[256];
	struct ph_pkt p;
	size_t n = pb_eth(fr, sizeof fr, MAC_A, MAC_B, 42, ip, ip4_tcp(ip));
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_FLOW);
	check_v4(&p);
	assert_int_equal(p.nvlan, 1);
	assert_int_equal(p.vlan[0], 42);
	assert_int_equal(p.vlan[1], 0);
}

/* Ethernet + the given tag ethertypes/ids + IPv4. */
static size_t tagged(uint8_t *fr, const uint16_t *types, const uint16_t *ids,
		     int ntags)
{
	uint8_t ip[128];
	size_t iplen = ip4_tcp(ip);
	size_t off = eth_hdr(fr, ntags ? types[0] : 0x0800);
	for (int i = 0; i < ntags; i++) {
		put16(fr + off, ids[i]);
		put16(fr + off + 2, i + 1 < ntags ? types[i + 1] : 0x0800);
		off += 4;
	}
	memcpy(fr + off, ip, iplen);
	return off + iplen;
}

static void test_qinq(void **state)
{
	(void)state;
	uint8_t fr[256];
	struct ph_pkt p;
	uint16_t types[] = {0x88a8, 0x8100};
	uint16_t ids[] = {0x2064, 0x0007}; /* PCP bits must be masked */
	size_t n = tagged(fr, types, ids, 2);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_FLOW);
	check_v4(&p);
	assert_int_equal(p.nvlan, 2);
	assert_int_equal(p.vlan[0], 100);
	assert_int_equal(p.vlan[1], 7);
}

static void test_three_tags_keeps_two(void **state)
{
	(void)state;
	uint8_t fr[256];
	struct ph_pkt p;
	uint16_t types[] = {0x9100, 0x9200, 0x8100};
	uint16_t ids[] = {1, 2, 3};
	size_t n = tagged(fr, types, ids, 3);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_FLOW);
	check_v4(&p);
	assert_int_equal(p.nvlan, 2);
	assert_int_equal(p.vlan[0], 1);
	assert_int_equal(p.vlan[1], 2);
}

static void test_too_many_tags(void **state)
{
	(void)state;
	uint8_t fr[256];
	struct ph_pkt p;
	uint16_t types[9], ids[9];
	for (int i = 0; i < 9; i++) {
		types[i] = 0x8100;
		ids[i] = (uint16_t)i;
	}
	size_t n = tagged(fr, types, ids, 9);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_VLAN_TOO_DEEP], 1);
	n = tagged(fr, types, ids, 8);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_FLOW);
}

static void test_vlan_truncated(void **state)
{
	(void)state;
	uint8_t fr[32];
	struct ph_pkt p;
	size_t n = eth_hdr(fr, 0x8100);
	fr[n++] = 0;
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_LINK_TRUNCATED], 1);
}

static void test_ethernet_truncated(void **state)
{
	(void)state;
	uint8_t fr[13] = {0};
	struct ph_pkt p;
	assert_int_equal(run(PH_LINK_ETHERNET, fr, sizeof fr, &p),
			 PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_LINK_TRUNCATED], 1);
	assert_int_equal(run(PH_LINK_ETHERNET, NULL, 0, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_LINK_TRUNCATED], 2);
}

static void test_arp_not_ip(void **state)
{
	(void)state;
	uint8_t fr[64] = {0};
	struct ph_pkt p;
	eth_hdr(fr, 0x0806);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, 42, &p), PH_DECODE_NOT_IP);
	assert_int_equal(an.n[PH_ANOM_ETHERTYPE_OTHER], 1);
	assert_true(p.has_mac);
	eth_hdr(fr, 0x88cc); /* LLDP */
	assert_int_equal(run(PH_LINK_ETHERNET, fr, 42, &p), PH_DECODE_NOT_IP);
	eth_hdr(fr, 0x888e); /* EAPOL */
	assert_int_equal(run(PH_LINK_ETHERNET, fr, 42, &p), PH_DECODE_NOT_IP);
	assert_int_equal(an.n[PH_ANOM_ETHERTYPE_OTHER], 3);
	assert_int_equal(ph_decoder_stats(dec)->not_ip, 3);
}

static void test_ipv4_ethertype_with_v6_packet(void **state)
{
	(void)state;
	uint8_t ip[128], fr[256];
	struct ph_pkt p;
	size_t iplen = ip6_udp(ip);
	size_t off = eth_hdr(fr, 0x0800);
	memcpy(fr + off, ip, iplen);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, off + iplen, &p),
			 PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_IPV4_BAD_VERSION], 1);
}

static void test_llc_snap(void **state)
{
	(void)state;
	uint8_t ip[128], fr[256];
	struct ph_pkt p;
	size_t iplen = ip4_tcp(ip);
	size_t off = eth_hdr(fr, (uint16_t)(8 + iplen));
	const uint8_t snap[8] = {0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00};
	memcpy(fr + off, snap, 8);
	memcpy(fr + off + 8, ip, iplen);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, off + 8 + iplen, &p),
			 PH_DECODE_FLOW);
	check_v4(&p);
	fr[off] = 0x42; /* STP: LLC but not SNAP */
	assert_int_equal(run(PH_LINK_ETHERNET, fr, off + 8 + iplen, &p),
			 PH_DECODE_NOT_IP);
}

/* Ethernet + n MPLS labels (last one bottom of stack) + payload. */
static size_t mpls(uint8_t *fr, int labels, const uint8_t *pl, size_t plen)
{
	size_t off = eth_hdr(fr, 0x8847);
	for (int i = 0; i < labels; i++) {
		uint32_t e = (uint32_t)(100 + i) << 12 | 64;
		if (i == labels - 1)
			e |= 0x100;
		fr[off] = (uint8_t)(e >> 24);
		fr[off + 1] = (uint8_t)(e >> 16);
		fr[off + 2] = (uint8_t)(e >> 8);
		fr[off + 3] = (uint8_t)e;
		off += 4;
	}
	memcpy(fr + off, pl, plen);
	return off + plen;
}

static void test_mpls(void **state)
{
	(void)state;
	uint8_t ip[128], fr[256];
	struct ph_pkt p;
	size_t iplen = ip4_tcp(ip);
	size_t n = mpls(fr, 1, ip, iplen);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_FLOW);
	check_v4(&p);
	n = mpls(fr, 3, ip, iplen);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_FLOW);
	check_v4(&p);
	iplen = ip6_udp(ip);
	n = mpls(fr, 2, ip, iplen);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_FLOW);
	check_v6(&p);
	assert_int_equal(total_anoms(), 0);
}

static void test_mpls_pseudowire_ethernet(void **state)
{
	(void)state;
	uint8_t ip[128], pw[256], fr[300];
	struct ph_pkt p;
	memset(pw, 0, 4); /* control word */
	size_t n = pb_eth(pw + 4, sizeof pw - 4, MAC_B, MAC_A, 0, ip,
			  ip4_tcp(ip));
	n = mpls(fr, 1, pw, n + 4);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_FLOW);
	check_v4(&p);
	assert_memory_equal(p.src_mac, MAC_A, 6); /* outer Ethernet kept */
}

static void test_mpls_malformed(void **state)
{
	(void)state;
	uint8_t ip[128] = {0}, fr[256];
	struct ph_pkt p;
	size_t n = mpls(fr, 1, ip, 0);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_MPLS_TRUNCATED], 1);
	n = mpls(fr, 2, ip, 0);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n - 2, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_MPLS_TRUNCATED], 2);
	n = mpls(fr, 9, ip, ip4_tcp(ip));
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_VLAN_TOO_DEEP], 1);
}

/* Ethernet + PPPoE session + PPP protocol + payload. */
static size_t pppoe(uint8_t *fr, uint16_t proto, const uint8_t *pl,
		    size_t plen)
{
	size_t off = eth_hdr(fr, 0x8864);
	fr[off] = 0x11;
	fr[off + 1] = 0;
	put16(fr + off + 2, 0x1234);
	put16(fr + off + 4, (uint16_t)(plen + 2));
	put16(fr + off + 6, proto);
	memcpy(fr + off + 8, pl, plen);
	return off + 8 + plen;
}

static void test_pppoe(void **state)
{
	(void)state;
	uint8_t ip[128], fr[256];
	struct ph_pkt p;
	size_t n = pppoe(fr, 0x0021, ip, ip4_tcp(ip));
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_FLOW);
	check_v4(&p);
	n = pppoe(fr, 0x0057, ip, ip6_udp(ip));
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_FLOW);
	check_v6(&p);
	n = pppoe(fr, 0xc021, ip, 10); /* LCP */
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, &p), PH_DECODE_NOT_IP);
	assert_int_equal(an.n[PH_ANOM_ETHERTYPE_OTHER], 1);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, 14 + 7, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_PPPOE_TRUNCATED], 1);
}

static void test_sll(void **state)
{
	(void)state;
	uint8_t ip[128], fr[256] = {0};
	struct ph_pkt p;
	size_t iplen = ip4_tcp(ip);
	put16(fr, 4);      /* outgoing */
	put16(fr + 2, 1);  /* ARPHRD_ETHER */
	put16(fr + 4, 6);  /* address length */
	memcpy(fr + 6, MAC_A, 6);
	put16(fr + 14, 0x0800);
	memcpy(fr + 16, ip, iplen);
	assert_int_equal(run(PH_LINK_LINUX_SLL, fr, 16 + iplen, &p),
			 PH_DECODE_FLOW);
	check_v4(&p);
	assert_true(p.has_mac);
	assert_memory_equal(p.src_mac, MAC_A, 6);
	put16(fr + 4, 0); /* no address: no MAC */
	assert_int_equal(run(PH_LINK_LINUX_SLL, fr, 16 + iplen, &p),
			 PH_DECODE_FLOW);
	assert_false(p.has_mac);
	put16(fr + 14, 0x0806);
	assert_int_equal(run(PH_LINK_LINUX_SLL, fr, 16 + iplen, &p),
			 PH_DECODE_NOT_IP);
	assert_int_equal(run(PH_LINK_LINUX_SLL, fr, 15, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_LINK_TRUNCATED], 1);
}

static void test_sll2(void **state)
{
	(void)state;
	uint8_t ip[128], fr[256] = {0};
	struct ph_pkt p;
	size_t iplen = ip6_udp(ip);
	put16(fr, 0x86dd);
	fr[7] = 3;        /* ifindex */
	put16(fr + 8, 1); /* ARPHRD_ETHER */
	fr[10] = 0;       /* to us */
	fr[11] = 6;
	memcpy(fr + 12, MAC_B, 6);
	memcpy(fr + 20, ip, iplen);
	assert_int_equal(run(PH_LINK_LINUX_SLL2, fr, 20 + iplen, &p),
			 PH_DECODE_FLOW);
	check_v6(&p);
	assert_true(p.has_mac);
	assert_memory_equal(p.src_mac, MAC_B, 6);
	assert_int_equal(run(PH_LINK_LINUX_SLL2, fr, 19, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_LINK_TRUNCATED], 1);
}

static size_t null_frame(uint8_t *fr, uint32_t fam, bool be,
			 const uint8_t *ip, size_t iplen)
{
	for (int i = 0; i < 4; i++)
		fr[i] = (uint8_t)(fam >> (be ? 24 - 8 * i : 8 * i));
	memcpy(fr + 4, ip, iplen);
	return 4 + iplen;
}

static void test_null_and_loop(void **state)
{
	(void)state;
	uint8_t ip4[128], ip6[128], fr[256];
	struct ph_pkt p;
	size_t l4 = ip4_tcp(ip4), l6 = ip6_udp(ip6);
	size_t n = null_frame(fr, 2, false, ip4, l4);
	assert_int_equal(run(PH_LINK_NULL, fr, n, &p), PH_DECODE_FLOW);
	check_v4(&p);
	n = null_frame(fr, 2, true, ip4, l4);
	assert_int_equal(run(PH_LINK_NULL, fr, n, &p), PH_DECODE_FLOW);
	check_v4(&p);
	const uint32_t fams[] = {24, 28, 30, 10, 23};
	for (size_t i = 0; i < 5; i++) {
		n = null_frame(fr, fams[i], i & 1, ip6, l6);
		assert_int_equal(run(PH_LINK_NULL, fr, n, &p), PH_DECODE_FLOW);
		check_v6(&p);
	}
	n = null_frame(fr, 24, true, ip6, l6);
	assert_int_equal(run(PH_LINK_LOOP, fr, n, &p), PH_DECODE_FLOW);
	check_v6(&p);
	n = null_frame(fr, 7, false, ip6, l6); /* AF_OSI */
	assert_int_equal(run(PH_LINK_NULL, fr, n, &p), PH_DECODE_NOT_IP);
	assert_int_equal(run(PH_LINK_NULL, fr, 3, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_LINK_TRUNCATED], 1);
}

static void test_ppp(void **state)
{
	(void)state;
	uint8_t ip[128], fr[256];
	struct ph_pkt p;
	size_t iplen = ip4_tcp(ip);
	const uint8_t hdlc[4] = {0xff, 0x03, 0x00, 0x21};
	memcpy(fr, hdlc, 4);
	memcpy(fr + 4, ip, iplen);
	assert_int_equal(run(PH_LINK_PPP, fr, 4 + iplen, &p), PH_DECODE_FLOW);
	check_v4(&p);
	assert_int_equal(run(PH_LINK_PPP_HDLC, fr, 4 + iplen, &p),
			 PH_DECODE_FLOW);
	check_v4(&p);
	put16(fr, 0x0021); /* no address/control */
	memcpy(fr + 2, ip, iplen);
	assert_int_equal(run(PH_LINK_PPP, fr, 2 + iplen, &p), PH_DECODE_FLOW);
	check_v4(&p);
	fr[0] = 0x21; /* protocol-field compression */
	memcpy(fr + 1, ip, iplen);
	assert_int_equal(run(PH_LINK_PPP, fr, 1 + iplen, &p), PH_DECODE_FLOW);
	check_v4(&p);
	iplen = ip6_udp(ip);
	put16(fr, 0x0057);
	memcpy(fr + 2, ip, iplen);
	assert_int_equal(run(PH_LINK_PPP, fr, 2 + iplen, &p), PH_DECODE_FLOW);
	check_v6(&p);
	put16(fr, 0xc021); /* LCP */
	assert_int_equal(run(PH_LINK_PPP, fr, 2 + iplen, &p),
			 PH_DECODE_NOT_IP);
	assert_int_equal(run(PH_LINK_PPP, hdlc, 3, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_LINK_TRUNCATED], 1);
}

static void test_cisco_hdlc_and_frame_relay(void **state)
{
	(void)state;
	uint8_t ip[128], fr[256];
	struct ph_pkt p;
	size_t iplen = ip4_tcp(ip);
	const uint8_t chdlc[4] = {0x0f, 0x00, 0x08, 0x00};
	memcpy(fr, chdlc, 4);
	memcpy(fr + 4, ip, iplen);
	assert_int_equal(run(104, fr, 4 + iplen, &p), PH_DECODE_FLOW);
	check_v4(&p);
	assert_int_equal(run(PH_LINK_PPP_HDLC, fr, 4 + iplen, &p),
			 PH_DECODE_FLOW);
	check_v4(&p);
	const uint8_t frnlpid[4] = {0x18, 0x41, 0x03, 0xcc};
	memcpy(fr, frnlpid, 4);
	assert_int_equal(run(107, fr, 4 + iplen, &p), PH_DECODE_FLOW);
	check_v4(&p);
	const uint8_t frcisco[4] = {0x18, 0x61, 0x08, 0x00};
	memcpy(fr, frcisco, 4);
	assert_int_equal(run(107, fr, 4 + iplen, &p), PH_DECODE_FLOW);
	check_v4(&p);
}

static void test_nflog(void **state)
{
	(void)state;
	uint8_t ip[128], fr[256] = {0};
	struct ph_pkt p;
	size_t iplen = ip4_tcp(ip);
	fr[0] = 2; /* AF_INET */
	/* a prefix TLV (len 8, type 10), then the payload TLV (type 9) */
	fr[4] = 8;
	fr[6] = 10;
	fr[12] = (uint8_t)(4 + iplen);
	fr[14] = 9;
	memcpy(fr + 16, ip, iplen);
	size_t n = 16 + ((iplen + 3) & ~(size_t)3);
	assert_int_equal(run(239, fr, n, &p), PH_DECODE_FLOW);
	check_v4(&p);
	fr[12] = 200; /* TLV longer than the frame */
	assert_int_equal(run(239, fr, n, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_LINK_TRUNCATED], 1);
	fr[14] = 11; /* no payload TLV */
	fr[12] = (uint8_t)(4 + iplen);
	assert_int_equal(run(239, fr, n, &p), PH_DECODE_NOT_IP);
}

static void test_wifi_radiotap(void **state)
{
	(void)state;
	uint8_t ip[128], fr[256] = {0};
	struct ph_pkt p;
	size_t iplen = ip4_tcp(ip);
	fr[2] = 8; /* radiotap length 8, nothing present */
	uint8_t *w = fr + 8;
	w[0] = 0x88; /* QoS data */
	w[1] = 0x01; /* ToDS: addr1 BSSID, addr2 SA, addr3 DA */
	memcpy(w + 10, MAC_A, 6);
	memcpy(w + 16, MAC_B, 6);
	const uint8_t snap[8] = {0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00};
	memcpy(w + 26, snap, 8);
	memcpy(w + 34, ip, iplen);
	size_t n = 8 + 34 + iplen;
	assert_int_equal(run(127, fr, n, &p), PH_DECODE_FLOW);
	check_v4(&p);
	assert_memory_equal(p.src_mac, MAC_A, 6);
	assert_memory_equal(p.dst_mac, MAC_B, 6);
	assert_int_equal(run(105, w, n - 8, &p), PH_DECODE_FLOW);
	check_v4(&p);
	w[1] |= 0x40; /* protected: encrypted body */
	assert_int_equal(run(127, fr, n, &p), PH_DECODE_NOT_IP);
	w[0] = 0x80; /* beacon */
	assert_int_equal(run(127, fr, n, &p), PH_DECODE_NOT_IP);
	fr[2] = 200;
	assert_int_equal(run(127, fr, n, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_LINK_TRUNCATED], 1);
}

static void test_raw_ip(void **state)
{
	(void)state;
	uint8_t ip4[128], ip6[128];
	struct ph_pkt p;
	size_t l4 = ip4_tcp(ip4), l6 = ip6_udp(ip6);
	assert_int_equal(run(PH_LINK_RAW, ip4, l4, &p), PH_DECODE_FLOW);
	check_v4(&p);
	assert_false(p.has_mac);
	assert_int_equal(run(PH_LINK_RAW, ip6, l6, &p), PH_DECODE_FLOW);
	check_v6(&p);
	assert_int_equal(run(PH_LINK_IPV4, ip4, l4, &p), PH_DECODE_FLOW);
	check_v4(&p);
	assert_int_equal(run(PH_LINK_IPV6, ip6, l6, &p), PH_DECODE_FLOW);
	check_v6(&p);
	assert_int_equal(run(PH_LINK_IPV4, ip6, l6, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_IPV4_BAD_VERSION], 1);
	assert_int_equal(run(PH_LINK_RAW, ip6, 0, &p), PH_DECODE_BAD);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_ethernet_ipv4),
		T(test_ethernet_padding_ignored),
		T(test_ethernet_ipv6),
		T(test_vlan_single),
		T(test_qinq),
		T(test_three_tags_keeps_two),
		T(test_too_many_tags),
		T(test_vlan_truncated),
		T(test_ethernet_truncated),
		T(test_arp_not_ip),
		T(test_ipv4_ethertype_with_v6_packet),
		T(test_llc_snap),
		T(test_mpls),
		T(test_mpls_pseudowire_ethernet),
		T(test_mpls_malformed),
		T(test_pppoe),
		T(test_sll),
		T(test_sll2),
		T(test_null_and_loop),
		T(test_ppp),
		T(test_cisco_hdlc_and_frame_relay),
		T(test_nflog),
		T(test_wifi_radiotap),
		T(test_raw_ip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
