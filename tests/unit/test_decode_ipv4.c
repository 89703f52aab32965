/* Tests for src/decode/ipv4.c: exact tuples and lengths, snaplen cuts and
 * lying total lengths, TSO zero lengths, options, cut first fragments,
 * and the anomaly each malformed IPv4 header counts (transport headers:
 * test_decode_l4.c). */
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

static void test_tcp_exact(void **state)
{
	(void)state;
	uint8_t ip[256];
	struct ph_pkt p;
	size_t n = mk(ip, 6, 40000, 443, "GET /", 5);
	assert_int_equal(run(ip, n, &p), PH_DECODE_FLOW);
	check_addrs(&p);
	assert_int_equal(p.t.sport, 40000);
	assert_int_equal(p.t.dport, 443);
	assert_int_equal(p.t.proto, 6);
	assert_int_equal(p.ip_len, 45);
	assert_int_equal(p.ttl, 33);
	assert_int_equal(p.ip_id, 0x4242);
	assert_ptr_equal(p.l4, ip + 20);
	assert_int_equal(p.l4_caplen, 25);
	assert_ptr_equal(p.payload, ip + 40);
	assert_int_equal(p.payload_len, 5);
	assert_int_equal(p.payload_wire, 5);
	assert_int_equal(p.tcp_flags, PB_ACK | PB_PSH);
	assert_int_equal(p.seq, 7);
	assert_int_equal(p.ack, 9);
	assert_int_equal(p.win, 512);
	assert_false(p.reassembled);
	assert_int_equal(p.tunnel_depth, 0);
	assert_int_equal(total_anoms(), 0);
}

static void test_udp_exact(void **state)
{
	(void)state;
	uint8_t ip[256];
	struct ph_pkt p;
	size_t n = mk(ip, 17, 5353, 53, "query", 5);
	assert_int_equal(run(ip, n, &p), PH_DECODE_FLOW);
	check_addrs(&p);
	assert_int_equal(p.t.sport, 5353);
	assert_int_equal(p.t.dport, 53);
	assert_int_equal(p.t.proto, 17);
	assert_int_equal(p.ip_len, 33);
	assert_int_equal(p.payload_len, 5);
	assert_int_equal(p.payload_wire, 5);
	assert_memory_equal(p.payload, "query", 5);
	assert_int_equal(p.tcp_flags, 0);
	assert_int_equal(total_anoms(), 0);
}

static void test_snaplen_cut(void **state)
{
	(void)state;
	uint8_t ip[2048];
	char pl[1000];
	struct ph_pkt p;
	memset(pl, 'z', sizeof pl);
	size_t n = mk(ip, 6, 1, 2, pl, sizeof pl);
	assert_int_equal(run_wire(ip, 96, n, &p), PH_DECODE_FLOW);
	assert_int_equal(p.ip_len, 1040);
	assert_int_equal(p.payload_wire, 1000);
	assert_int_equal(p.payload_len, 56);
	assert_int_equal(an.n[PH_ANOM_SNAPLEN_CUT], 1);
	/* cut inside the TCP header: no tuple */
	assert_int_equal(run_wire(ip, 30, n, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_TCP_TRUNCATED], 1);
}

/* Not cut by the snaplen (wirelen == caplen) but the total length says
 * more: the header lies. Decoded like a cut packet, counted apart. */
static void test_total_length_past_frame(void **state)
{
	(void)state;
	uint8_t ip[2048];
	char pl[100];
	struct ph_pkt p;
	memset(pl, 'l', sizeof pl);
	mk(ip, 6, 1, 2, pl, sizeof pl);
	assert_int_equal(run(ip, 60, &p), PH_DECODE_FLOW);
	assert_int_equal(p.ip_len, 140);
	assert_int_equal(p.payload_len, 20);
	assert_int_equal(an.n[PH_ANOM_IPV4_BAD_TOTLEN], 1);
	assert_int_equal(an.n[PH_ANOM_SNAPLEN_CUT], 0);
}

static void test_options(void **state)
{
	(void)state;
	uint8_t base[256], ip[256];
	struct ph_pkt p;
	size_t n = mk(base, 17, 1, 2, "abc", 3);
	/* IHL 6: NOP NOP NOP EOL */
	memcpy(ip, base, 20);
	const uint8_t good[4] = {1, 1, 1, 0};
	memcpy(ip + 20, good, 4);
	memcpy(ip + 24, base + 20, n - 20);
	ip[0] = 0x46;
	put16(ip + 2, (uint16_t)(n + 4));
	assert_int_equal(run(ip, n + 4, &p), PH_DECODE_FLOW);
	assert_int_equal(p.payload_wire, 3);
	assert_int_equal(total_anoms(), 0);
	/* option with length past the header: counted, still a flow */
	const uint8_t bad[4] = {0x44, 9, 0, 0};
	memcpy(ip + 20, bad, 4);
	assert_int_equal(run(ip, n + 4, &p), PH_DECODE_FLOW);
	assert_int_equal(p.t.sport, 1);
	assert_int_equal(an.n[PH_ANOM_IPV4_BAD_OPTIONS], 1);
	const uint8_t zero_len[4] = {0x07, 0, 0, 0};
	memcpy(ip + 20, zero_len, 4);
	assert_int_equal(run(ip, n + 4, &p), PH_DECODE_FLOW);
	assert_int_equal(an.n[PH_ANOM_IPV4_BAD_OPTIONS], 2);
}

static void test_header_errors(void **state)
{
	(void)state;
	uint8_t ip[256];
	struct ph_pkt p;
	size_t n = mk(ip, 6, 1, 2, NULL, 0);
	assert_int_equal(run(ip, 19, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_IPV4_TRUNCATED], 1);
	ip[0] = 0x44;
	assert_int_equal(run(ip, n, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_IPV4_BAD_IHL], 1);
	ip[0] = 0x4f; /* 60-byte header in a 40-byte packet */
	assert_int_equal(run(ip, n, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_IPV4_TRUNCATED], 2);
	ip[0] = 0x45;
	put16(ip + 2, 19);
	assert_int_equal(run(ip, n, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_IPV4_BAD_TOTLEN], 1);
	put16(ip + 2, 40);
	ip[0] = 0x55;
	assert_int_equal(run(ip, n, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_IPV4_BAD_VERSION], 1);
	assert_int_equal(ph_decoder_stats(dec)->bad, 5);
}

static void test_total_length_zero_tso(void **state)
{
	(void)state;
	uint8_t ip[256];
	struct ph_pkt p;
	size_t n = mk(ip, 6, 1, 2, "tso!", 4);
	put16(ip + 2, 0);
	assert_int_equal(run(ip, n, &p), PH_DECODE_FLOW);
	assert_int_equal(p.ip_len, n);
	assert_int_equal(p.payload_wire, 4);
	assert_int_equal(an.n[PH_ANOM_IP_LEN_ZERO], 1);
}

/* A first fragment cut by the snaplen is still its flow's packet. */
static void test_cut_first_fragment(void **state)
{
	(void)state;
	uint8_t ip[2048];
	char pl[1400];
	struct ph_pkt p;
	memset(pl, 'q', sizeof pl);
	size_t n = mk(ip, 17, 53, 4000, pl, sizeof pl);
	put16(ip + 2, 1400);   /* this fragment: 1380 bytes of data */
	put16(ip + 6, 0x2000); /* MF */
	assert_int_equal(run_wire(ip, 100, 1400, &p), PH_DECODE_FLOW);
	assert_int_equal(p.t.sport, 53);
	assert_int_equal(p.payload_wire, 1400);
	assert_int_equal(p.payload_len, 72);
	assert_false(p.reassembled);
	assert_int_equal(an.n[PH_ANOM_UDP_BAD_LEN], 0);
	assert_int_equal(an.n[PH_ANOM_SNAPLEN_CUT], 1);
	(void)n;
	put16(ip + 6, 0x2000 | 100); /* a later cut fragment: dropped */
	assert_int_equal(run_wire(ip, 100, 1400, &p), PH_DECODE_BAD);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_tcp_exact),
		T(test_udp_exact),
		T(test_snaplen_cut),
		T(test_total_length_past_frame),
		T(test_options),
		T(test_header_errors),
		T(test_total_length_zero_tso),
		T(test_cut_first_fragment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
