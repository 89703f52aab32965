/* Tests for src/decode/l4.c (over IPv4 frames): TCP options and data
 * offset, UDP length disagreements, ICMP type/code tuples and error
 * messages, portless and port-only protocols, IPv4 AH, and the anomaly
 * each malformed transport header counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "decode/decode.h"
#include "decode_fixture.h"
#include "pktbuild.h"

/* Decodes raw IPv4 bytes; wire = on-the-wire length (>= n). */
static enum ph_decode_result run_wire(const uint8_t *b, size_t n, size_t wire,
				      struct ph_pkt *p)
{
	struct ph_frame f = {.data = b, .caplen = (uint32_t)n,
			     .wirelen = (uint32_t)wire,
			     .linktype = PH_LINK_IPV4};
	return ph_decode(dec, &f, p);
}

static enum ph_decode_result run(const uint8_t *b, size_t n, struct ph_pkt *p)
{
	return run_wire(b, n, n, p);
}

static size_t mk(uint8_t *out, uint8_t proto, uint16_t sp, uint16_t dp,
		 const char *pl, size_t plen)
{
	struct pb_l4 l4 = {.proto = proto, .sport = sp, .dport = dp,
			   .flags = PB_ACK | PB_PSH, .seq = 7, .ack = 9,
			   .win = 512, .ttl = 33, .ip_id = 0x4242,
			   .icmp_type = (uint8_t)sp, .icmp_code = (uint8_t)dp};
	return pb_ip(out, 2048, pb_ip4("192.168.1.10"), pb_ip4("8.8.4.4"),
		     &l4, pl, plen);
}

static void check_addrs(const struct ph_pkt *p)
{
	const uint8_t s[16] = {192, 168, 1, 10}, d[16] = {8, 8, 4, 4};
	assert_int_equal(p->t.ipver, 4);
	assert_memory_equal(p->t.src, s, 16);
	assert_memory_equal(p->t.dst, d, 16);
}

static void test_tcp_options_skipped(void **state)
{
	(void)state;
	uint8_t ip[256];
	struct ph_pkt p;
	size_t n = mk(ip, 6, 1, 2, "0123456789ab", 12);
	ip[20 + 12] = 8 << 4; /* data offset 32: 12 bytes of options */
	assert_int_equal(run(ip, n, &p), PH_DECODE_FLOW);
	assert_int_equal(p.payload_wire, 0);
	assert_int_equal(p.payload_len, 0);
	ip[20 + 12] = 7 << 4;
	assert_int_equal(run(ip, n, &p), PH_DECODE_FLOW);
	assert_int_equal(p.payload_wire, 4);
	assert_memory_equal(p.payload, "89ab", 4);
}

static void test_icmp_echo(void **state)
{
	(void)state;
	uint8_t ip[256];
	struct ph_pkt p;
	size_t n = mk(ip, 1, 8, 0, "pingdata", 8);
	assert_int_equal(run(ip, n, &p), PH_DECODE_FLOW);
	check_addrs(&p);
	assert_int_equal(p.t.proto, 1);
	assert_int_equal(p.t.sport, 8);
	assert_int_equal(p.t.dport, 0);
	assert_int_equal(p.icmp_type, 8);
	assert_int_equal(p.icmp_code, 0);
	assert_int_equal(p.payload_wire, 8);
	assert_memory_equal(p.payload, "pingdata", 8);
}

/* Destination unreachable quoting a UDP packet: the flow is the ICMP. */
static void test_icmp_error_is_own_flow(void **state)
{
	(void)state;
	uint8_t inner[64], ip[256];
	struct ph_pkt p;
	struct pb_l4 u = {.proto = 17, .sport = 999, .dport = 53};
	size_t il = pb_ip(inner, sizeof inner, pb_ip4("8.8.4.4"),
			  pb_ip4("1.2.3.4"), &u, NULL, 0);
	size_t n = mk(ip, 1, 3, 3, (const char *)inner, il);
	assert_int_equal(run(ip, n, &p), PH_DECODE_FLOW);
	check_addrs(&p);
	assert_int_equal(p.t.proto, 1);
	assert_int_equal(p.t.sport, 3);
	assert_int_equal(p.t.dport, 3);
	assert_int_equal(p.payload_wire, il);
	assert_int_equal(p.tunnel_depth, 0);
}

static void test_other_protocol(void **state)
{
	(void)state;
	uint8_t ip[256];
	struct ph_pkt p;
	size_t n = mk(ip, 17, 1, 2, "xxxxxxxx", 8);
	ip[9] = 50; /* ESP */
	assert_int_equal(run(ip, n, &p), PH_DECODE_FLOW);
	assert_int_equal(p.t.proto, 50);
	assert_int_equal(p.t.sport, 0);
	assert_int_equal(p.t.dport, 0);
	assert_int_equal(p.payload_wire, 16);
	assert_int_equal(an.n[PH_ANOM_L4_OTHER], 1);
	ip[9] = 132; /* SCTP: ports only */
	assert_int_equal(run(ip, n, &p), PH_DECODE_FLOW);
	assert_int_equal(p.t.sport, 1);
	assert_int_equal(p.t.dport, 2);
	assert_int_equal(an.n[PH_ANOM_L4_OTHER], 1);
}

static void test_tcp_errors(void **state)
{
	(void)state;
	uint8_t ip[256];
	struct ph_pkt p;
	size_t n = mk(ip, 6, 1, 2, "data", 4);
	ip[32] = 4 << 4; /* data offset 4 */
	assert_int_equal(run(ip, n, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_TCP_BAD_OFFSET], 1);
	ip[32] = 15 << 4; /* 60 bytes > 24-byte IP payload */
	assert_int_equal(run(ip, n, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_TCP_BAD_OFFSET], 2);
	put16(ip + 2, 20 + 12); /* IP payload shorter than a TCP header */
	assert_int_equal(run(ip, n, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_TCP_TRUNCATED], 1);
}

static void test_udp_length_mismatch(void **state)
{
	(void)state;
	uint8_t ip[256];
	struct ph_pkt p;
	size_t n = mk(ip, 17, 1, 2, "0123456789", 10);
	put16(ip + 24, 8 + 4); /* UDP says 4 payload bytes, IP says 10 */
	assert_int_equal(run(ip, n, &p), PH_DECODE_FLOW);
	assert_int_equal(p.payload_wire, 4);
	assert_int_equal(p.payload_len, 4);
	assert_int_equal(an.n[PH_ANOM_UDP_BAD_LEN], 1);
	put16(ip + 24, 200); /* longer than the IP payload */
	assert_int_equal(run(ip, n, &p), PH_DECODE_FLOW);
	assert_int_equal(p.payload_wire, 10);
	assert_int_equal(an.n[PH_ANOM_UDP_BAD_LEN], 2);
	put16(ip + 24, 3);
	assert_int_equal(run(ip, n, &p), PH_DECODE_FLOW);
	assert_int_equal(p.payload_wire, 10);
	assert_int_equal(an.n[PH_ANOM_UDP_BAD_LEN], 3);
	put16(ip + 2, 20 + 7);
	assert_int_equal(run(ip, n, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_UDP_TRUNCATED], 1);
}

static void test_icmp_truncated(void **state)
{
	(void)state;
	uint8_t ip[256];
	struct ph_pkt p;
	size_t n = mk(ip, 1, 8, 0, NULL, 0);
	put16(ip + 2, 23);
	assert_int_equal(run(ip, n, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_ICMP_TRUNCATED], 1);
	put16(ip + 2, 24); /* 4-byte ICMP: type and code are there */
	assert_int_equal(run(ip, n, &p), PH_DECODE_FLOW);
	assert_int_equal(p.payload_wire, 0);
}

/* IPv4 + AH (RFC 4302, 24 bytes) + UDP. */
static void test_ah(void **state)
{
	(void)state;
	uint8_t base[256], ip[256];
	struct ph_pkt p;
	size_t n = mk(base, 17, 4500, 4500, "ike", 3);
	memcpy(ip, base, 20);
	memset(ip + 20, 0, 24);
	ip[20] = 17; /* next header */
	ip[21] = 4;  /* (4 + 2) * 4 = 24 bytes */
	memcpy(ip + 44, base + 20, n - 20);
	ip[9] = 51;
	put16(ip + 2, (uint16_t)(n + 24));
	assert_int_equal(run(ip, n + 24, &p), PH_DECODE_FLOW);
	assert_int_equal(p.t.proto, 17);
	assert_int_equal(p.t.sport, 4500);
	assert_int_equal(p.payload_wire, 3);
	ip[21] = 40;
	assert_int_equal(run(ip, n + 24, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_AH_TRUNCATED], 1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_tcp_options_skipped),
		T(test_icmp_echo),
		T(test_icmp_error_is_own_flow),
		T(test_other_protocol),
		T(test_tcp_errors),
		T(test_udp_length_mismatch),
		T(test_icmp_truncated),
		T(test_ah),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
