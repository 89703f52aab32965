/* Tests for src/decode/ipv6.c: exact tuples and lengths, the extension
 * header chain (hop-by-hop, routing, destination options, AH, atomic
 * fragments), its bounds, ESP / no-next-header, and malformed headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "decode/decode.h"
#include "decode_fixture.h"
#include "pktbuild.h"

static enum ph_decode_result run_wire(const uint8_t *b, size_t n, size_t wire,
				      struct ph_pkt *p)
{
	struct ph_frame f = {.data = b, .caplen = (uint32_t)n,
			     .wirelen = (uint32_t)wire,
			     .linktype = PH_LINK_IPV6};
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
			   .flags = PB_SYN, .ttl = 255,
			   .icmp_type = (uint8_t)sp, .icmp_code = (uint8_t)dp};
	return pb_ip(out, 2048, pb_ip6("fe80::1"), pb_ip6("2a00:1450::5"),
		     &l4, pl, plen);
}

/* Inserts extension headers (already chained, ext[0] = the first one's
 * next-header byte) between the fixed header and the transport header;
 * first = the next-header value of the fixed header. */
static size_t with_ext(uint8_t *out, const uint8_t *pkt, size_t n,
		       uint8_t first, const uint8_t *ext, size_t elen)
{
	memcpy(out, pkt, 40);
	memcpy(out + 40, ext, elen);
	memcpy(out + 40 + elen, pkt + 40, n - 40);
	out[6] = first;
	put16(out + 4, (uint16_t)(n - 40 + elen));
	return n + elen;
}

static void check_addrs(const struct ph_pkt *p)
{
	struct pb_addr s = pb_ip6("fe80::1"), d = pb_ip6("2a00:1450::5");
	assert_int_equal(p->t.ipver, 6);
	assert_memory_equal(p->t.src, s.a, 16);
	assert_memory_equal(p->t.dst, d.a, 16);
}

static void test_tcp_exact(void **state)
{
	(void)state;
	uint8_t ip[256];
	struct ph_pkt p;
	size_t n = mk(ip, 6, 50000, 443, "tls", 3);
	assert_int_equal(run(ip, n, &p), PH_DECODE_FLOW);
	check_addrs(&p);
	assert_int_equal(p.t.sport, 50000);
	assert_int_equal(p.t.dport, 443);
	assert_int_equal(p.t.proto, 6);
	assert_int_equal(p.ip_len, 63);
	assert_int_equal(p.ttl, 255);
	assert_int_equal(p.ip_id, 0);
	assert_ptr_equal(p.l4, ip + 40);
	assert_int_equal(p.payload_wire, 3);
	assert_int_equal(p.payload_len, 3);
	assert_int_equal(p.tcp_flags, PB_SYN);
	assert_int_equal(total_anoms(), 0);
}

static void test_icmpv6(void **state)
{
	(void)state;
	uint8_t ip[256];
	struct ph_pkt p;
	size_t n = mk(ip, 58, 135, 0, "0123456789abcdef", 16);
	assert_int_equal(run(ip, n, &p), PH_DECODE_FLOW);
	check_addrs(&p);
	assert_int_equal(p.t.proto, 58);
	assert_int_equal(p.t.sport, 135);
	assert_int_equal(p.t.dport, 0);
	assert_int_equal(p.payload_wire, 16);
}

static void test_ext_chain(void **state)
{
	(void)state;
	uint8_t base[256], ip[512];
	struct ph_pkt p;
	size_t n = mk(base, 17, 546, 547, "dhcp", 4);
	uint8_t ext[8 + 24 + 16] = {0};
	ext[0] = 43; /* hop-by-hop (8 bytes) -> routing */
	ext[1] = 0;
	ext[2] = 1;  /* PadN */
	ext[3] = 4;
	ext[8] = 60; /* routing (24 bytes) -> destination options */
	ext[9] = 2;
	ext[32] = 17; /* destination options (16 bytes) -> UDP */
	ext[33] = 1;
	n = with_ext(ip, base, n, 0, ext, sizeof ext);
	assert_int_equal(run(ip, n, &p), PH_DECODE_FLOW);
	check_addrs(&p);
	assert_int_equal(p.t.proto, 17);
	assert_int_equal(p.t.sport, 546);
	assert_int_equal(p.t.dport, 547);
	assert_int_equal(p.ip_len, n);
	assert_int_equal(p.payload_wire, 4);
	assert_ptr_equal(p.l4, ip + 40 + sizeof ext);
	assert_int_equal(total_anoms(), 0);
}

static void test_ext_too_many(void **state)
{
	(void)state;
	uint8_t base[256], ip[512];
	struct ph_pkt p;
	size_t n = mk(base, 6, 1, 2, NULL, 0);
	uint8_t ext[9 * 8] = {0};
	for (int i = 0; i < 9; i++)
		ext[i * 8] = i < 8 ? 60 : 6;
	size_t m = with_ext(ip, base, n, 60, ext, sizeof ext);
	assert_int_equal(run(ip, m, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_IPV6_EXT_TOO_MANY], 1);
	ext[7 * 8] = 6; /* eight headers are fine */
	m = with_ext(ip, base, n, 60, ext, 8 * 8);
	assert_int_equal(run(ip, m, &p), PH_DECODE_FLOW);
	assert_int_equal(p.t.sport, 1);
}

static void test_ext_truncated(void **state)
{
	(void)state;
	uint8_t base[256], ip[512];
	struct ph_pkt p;
	size_t n = mk(base, 6, 1, 2, NULL, 0);
	uint8_t ext[8] = {6, 10}; /* claims 88 bytes */
	size_t m = with_ext(ip, base, n, 60, ext, sizeof ext);
	assert_int_equal(run(ip, m, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_IPV6_EXT_TRUNCATED], 1);
	ip[6] = 0; /* hop-by-hop with no room for even 8 bytes */
	put16(ip + 4, 4);
	assert_int_equal(run(ip, 44, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_IPV6_EXT_TRUNCATED], 2);
}

static void test_ah_in_chain(void **state)
{
	(void)state;
	uint8_t base[256], ip[512];
	struct ph_pkt p;
	size_t n = mk(base, 6, 7, 8, "x", 1);
	uint8_t ext[24] = {6, 4}; /* AH: (4 + 2) * 4 = 24 bytes */
	n = with_ext(ip, base, n, 51, ext, sizeof ext);
	assert_int_equal(run(ip, n, &p), PH_DECODE_FLOW);
	assert_int_equal(p.t.proto, 6);
	assert_int_equal(p.t.sport, 7);
	assert_int_equal(p.payload_wire, 1);
}

static void test_esp_and_no_next(void **state)
{
	(void)state;
	uint8_t ip[256];
	struct ph_pkt p;
	size_t n = mk(ip, 17, 1, 2, "12345678", 8);
	ip[6] = 50;
	assert_int_equal(run(ip, n, &p), PH_DECODE_FLOW);
	assert_int_equal(p.t.proto, 50);
	assert_int_equal(p.t.sport, 0);
	assert_int_equal(p.payload_wire, 16);
	ip[6] = 59;
	put16(ip + 4, 0);
	assert_int_equal(run(ip, 40, &p), PH_DECODE_FLOW);
	assert_int_equal(p.t.proto, 59);
	assert_int_equal(p.ip_len, 40);
	assert_int_equal(an.n[PH_ANOM_IP_LEN_ZERO], 0);
	assert_int_equal(an.n[PH_ANOM_L4_OTHER], 2);
}

static void test_atomic_fragment(void **state)
{
	(void)state;
	uint8_t base[256], ip[512];
	struct ph_pkt p;
	size_t n = mk(base, 17, 10, 20, "abc", 3);
	uint8_t ext[8] = {17, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef};
	n = with_ext(ip, base, n, 44, ext, sizeof ext);
	assert_int_equal(run(ip, n, &p), PH_DECODE_FLOW);
	assert_int_equal(p.t.sport, 10);
	assert_false(p.reassembled);
	assert_int_equal(an.n[PH_ANOM_FRAG_HELD], 0);
}

static void test_header_errors(void **state)
{
	(void)state;
	uint8_t ip[256];
	struct ph_pkt p;
	size_t n = mk(ip, 6, 1, 2, NULL, 0);
	assert_int_equal(run(ip, 39, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_IPV6_TRUNCATED], 1);
	ip[0] = 0x40;
	assert_int_equal(run(ip, n, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_IPV4_BAD_VERSION], 1);
}

static void test_payload_length_zero(void **state)
{
	(void)state;
	uint8_t ip[256];
	struct ph_pkt p;
	size_t n = mk(ip, 6, 1, 2, "jumbo", 5);
	put16(ip + 4, 0);
	assert_int_equal(run(ip, n, &p), PH_DECODE_FLOW);
	assert_int_equal(p.ip_len, n);
	assert_int_equal(p.payload_wire, 5);
	assert_int_equal(an.n[PH_ANOM_IP_LEN_ZERO], 1);
}

static void test_snaplen_cut(void **state)
{
	(void)state;
	uint8_t ip[2048];
	char pl[500];
	struct ph_pkt p;
	memset(pl, 'c', sizeof pl);
	size_t n = mk(ip, 17, 443, 50000, pl, sizeof pl);
	assert_int_equal(run_wire(ip, 64, n, &p), PH_DECODE_FLOW);
	assert_int_equal(p.ip_len, 548);
	assert_int_equal(p.payload_wire, 500);
	assert_int_equal(p.payload_len, 16);
	assert_int_equal(an.n[PH_ANOM_SNAPLEN_CUT], 1);
	assert_int_equal(run(ip, 64, &p), PH_DECODE_FLOW); /* header lies */
	assert_int_equal(an.n[PH_ANOM_IPV6_BAD_PAYLEN], 1);
	assert_int_equal(an.n[PH_ANOM_SNAPLEN_CUT], 1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_tcp_exact),
		T(test_icmpv6),
		T(test_ext_chain),
		T(test_ext_too_many),
		T(test_ext_truncated),
		T(test_ah_in_chain),
		T(test_esp_and_no_next),
		T(test_atomic_fragment),
		T(test_header_errors),
		T(test_payload_length_zero),
		T(test_snaplen_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
