/* Tests for src/decode/decode.c: the decoder handle, ph_pkt being fully
 * written for every result, the stats, a NULL anomaly block, and link
 * types nobody decodes. */
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

/* Ethernet header with the given ethertype at the start of out. */
static size_t eth_hdr(uint8_t *out, uint16_t type)
{
	memcpy(out, MAC_B, 6);
	memcpy(out + 6, MAC_A, 6);
	put16(out + 12, type);
	return 14;
}

static void test_unsupported_link(void **state)
{
	(void)state;
	uint8_t ip[128];
	struct ph_pkt p;
	size_t n = ip4_tcp(ip);
	assert_int_equal(run(147, ip, n, &p), PH_DECODE_BAD);
	assert_int_equal(run(-1, ip, n, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_LINK_UNSUPPORTED], 2);
	assert_int_equal(ph_decoder_stats(dec)->bad, 2);
	assert_int_equal(ph_decoder_stats(dec)->frames, 2);
}

/* Every field is written even for a non-IP frame. */
static void test_pkt_fully_initialised(void **state)
{
	(void)state;
	uint8_t fr[64] = {0};
	struct ph_pkt p;
	memset(&p, 0xa5, sizeof p);
	eth_hdr(fr, 0x0806);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, 42, &p), PH_DECODE_NOT_IP);
	assert_int_equal(p.nvlan, 0);
	assert_int_equal(p.t.ipver, 0);
	assert_int_equal(p.t.sport, 0);
	assert_null(p.l4);
	assert_null(p.payload);
	assert_int_equal(p.payload_len, 0);
	assert_int_equal(p.tunnel_depth, 0);
	assert_false(p.has_outer_udp);
	assert_int_equal(p.outer.ipver, 0);
	assert_false(p.has_app);
	assert_int_equal(p.app_name[0], 0);
	assert_false(p.reassembled);
}

static void test_null_anomaly_block(void **state)
{
	(void)state;
	struct ph_decoder *d = ph_decoder_new(NULL);
	assert_non_null(d);
	uint8_t fr[8] = {0};
	struct ph_frame f = {.data = fr, .caplen = 8, .wirelen = 8,
			     .linktype = PH_LINK_ETHERNET};
	struct ph_pkt p;
	assert_int_equal(ph_decode(d, &f, &p), PH_DECODE_BAD);
	ph_decoder_free(d);
	ph_decoder_free(NULL);
}

/* One frame of each outcome: the counters follow the results. */
static void test_stats_per_result(void **state)
{
	(void)state;
	uint8_t ip[128], fr[256], in[128];
	struct ph_pkt p;
	size_t n = ip4_tcp(ip);
	assert_int_equal(run(PH_LINK_RAW, ip, n, &p), PH_DECODE_FLOW);
	memset(fr, 0, 64);
	eth_hdr(fr, 0x0806);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, 42, &p), PH_DECODE_NOT_IP);
	assert_int_equal(run(PH_LINK_RAW, ip, 10, &p), PH_DECODE_BAD);
	memcpy(fr, ip, n);
	fr[6] = 0x20; /* MF: a first fragment of 24 data bytes */
	fr[3] = 44;
	assert_int_equal(run(PH_LINK_RAW, fr, 44, &p), PH_DECODE_HELD);
	memcpy(in, ip, n); /* IP-in-IP around the TCP packet */
	memcpy(fr, ip, 20);
	memcpy(fr + 20, in, n);
	fr[9] = 4;
	fr[2] = 0;
	fr[3] = (uint8_t)(20 + n);
	assert_int_equal(run(PH_LINK_RAW, fr, 20 + n, &p), PH_DECODE_FLOW);
	assert_int_equal(p.tunnel_depth, 1);
	const struct ph_decode_stats *st = ph_decoder_stats(dec);
	assert_int_equal(st->frames, 5);
	assert_int_equal(st->ip_packets, 2);
	assert_int_equal(st->not_ip, 1);
	assert_int_equal(st->bad, 1);
	assert_int_equal(st->frags_held, 1);
	assert_int_equal(st->frags_reassembled, 0);
	assert_int_equal(st->tunnelled, 1);
	assert_int_equal(st->frag_datagrams, 1);
	ph_decoder_expire(dec, 99 + PH_FRAG_TIMEOUT_NS + 1);
	assert_int_equal(st->frag_datagrams, 0);
	assert_int_equal(an.n[PH_ANOM_FRAG_TIMEOUT], 1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_unsupported_link),
		T(test_pkt_fully_initialised),
		T(test_null_anomaly_block),
		T(test_stats_per_result),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
