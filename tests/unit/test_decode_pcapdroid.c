/* Tests for src/decode/pcapdroid.c: the PCAPdroid per-packet trailer on
 * Ethernet and raw IP frames, with padding, with a snaplen-cut packet,
 * app name sanitising, and frames whose payload merely contains the magic
 * (no trailer). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "decode/decode.h"
#include "decode_fixture.h"
#include "pktbuild.h"

static enum ph_decode_result run(int lt, const uint8_t *b, size_t n,
				 size_t wire, struct ph_pkt *p)
{
	struct ph_frame f = {.data = b, .caplen = (uint32_t)n,
			     .wirelen = (uint32_t)wire, .linktype = lt};
	return ph_decode(dec, &f, p);
}

/* Appends pad zero bytes and a trailer (uid, 20-byte name) at fr+n. */
static size_t trailer(uint8_t *fr, size_t n, size_t pad, int32_t uid,
		      const char *name, size_t namelen)
{
	memset(fr + n, 0, pad + 32);
	n += pad;
	put32(fr + n, 0x01072021);
	put32(fr + n + 4, (uint32_t)uid);
	memcpy(fr + n + 8, name, namelen);
	put32(fr + n + 28, 0xdeadbeef); /* fcs: not checked */
	return n + 32;
}

static size_t ip4_udp(uint8_t *out, size_t plen)
{
	static const char pl[2000];
	struct pb_l4 l4 = {.proto = 17, .sport = 40001, .dport = 53};
	return pb_ip(out, 4096, pb_ip4("10.215.173.1"), pb_ip4("1.1.1.1"),
		     &l4, pl, plen);
}

/* PCAPdroid's frame: zero MACs, IP, padding to 4 bytes, trailer. */
static size_t pcapdroid_frame(uint8_t *fr, size_t plen, int32_t uid,
			      const char *name)
{
	uint8_t ip[4096];
	const uint8_t zero[6] = {0};
	size_t n = pb_eth(fr, 4096, zero, zero, 0, ip, ip4_udp(ip, plen));
	return trailer(fr, n, (4 - n % 4) % 4, uid, name, strlen(name));
}

static void test_ethernet_trailer(void **state)
{
	(void)state;
	uint8_t fr[4096];
	struct ph_pkt p;
	for (size_t plen = 10; plen < 14; plen++) { /* pads 0..3 */
		size_t n = pcapdroid_frame(fr, plen, 10123, "com.example.app");
		assert_int_equal(run(PH_LINK_ETHERNET, fr, n, n, &p),
				 PH_DECODE_FLOW);
		assert_true(p.has_app);
		assert_int_equal(p.app_uid, 10123);
		assert_string_equal(p.app_name, "com.example.app");
		assert_int_equal(p.t.sport, 40001);
		assert_int_equal(p.payload_wire, plen);
		assert_int_equal(p.payload_len, plen);
	}
	uint64_t t = 0;
	for (int i = 0; i < PH_ANOM_COUNT; i++)
		t += an.n[i];
	assert_int_equal(t, 0);
}

static void test_raw_ip_trailer(void **state)
{
	(void)state;
	uint8_t fr[4096];
	struct ph_pkt p;
	size_t n = ip4_udp(fr, 21);
	n = trailer(fr, n, 3, -1, "root", 4);
	assert_int_equal(run(PH_LINK_RAW, fr, n, n, &p), PH_DECODE_FLOW);
	assert_true(p.has_app);
	assert_int_equal(p.app_uid, -1);
	assert_string_equal(p.app_name, "root");
	assert_int_equal(p.payload_wire, 21);
}

static void test_ipv6_trailer(void **state)
{
	(void)state;
	uint8_t ip[256], fr[512];
	struct ph_pkt p;
	struct pb_l4 l4 = {.proto = 6, .sport = 1, .dport = 443};
	const uint8_t zero[6] = {0};
	size_t n = pb_ip(ip, sizeof ip, pb_ip6("fd00::1"), pb_ip6("fd00::2"),
			 &l4, "x", 1);
	n = pb_eth(fr, sizeof fr, zero, zero, 0, ip, n);
	n = trailer(fr, n, (4 - n % 4) % 4, 1000, "android", 7);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, n, &p), PH_DECODE_FLOW);
	assert_true(p.has_app);
	assert_string_equal(p.app_name, "android");
	assert_int_equal(p.payload_wire, 1);
}

/* Snaplen cut: the IP packet is cut before the trailer; wirelen - caplen
 * tells how much is missing. */
static void test_cut_packet_trailer(void **state)
{
	(void)state;
	uint8_t ip[4096], fr[4096];
	struct ph_pkt p;
	const uint8_t zero[6] = {0};
	size_t iplen = ip4_udp(ip, 1000); /* 1028 bytes, keep 101 */
	size_t n = pb_eth(fr, sizeof fr, zero, zero, 0, ip, 101);
	size_t pad = (4 - n % 4) % 4;
	n = trailer(fr, n, pad, 10200, "org.telegram", 12);
	size_t wire = 14 + iplen + pad + 32;
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, wire, &p),
			 PH_DECODE_FLOW);
	assert_true(p.has_app);
	assert_string_equal(p.app_name, "org.telegram");
	assert_int_equal(p.payload_wire, 1000);
	assert_int_equal(p.payload_len, 101 - 28);
	assert_int_equal(an.n[PH_ANOM_SNAPLEN_CUT], 1);
}

static void test_name_sanitised_and_terminated(void **state)
{
	(void)state;
	uint8_t fr[4096];
	struct ph_pkt p;
	size_t n = pcapdroid_frame(fr, 4, 1, "");
	memcpy(fr + n - 24, "abcdefghij\x01\xff" "klmnopqr", 20);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, n, &p), PH_DECODE_FLOW);
	assert_true(p.has_app);
	assert_int_equal(strlen(p.app_name), 20);
	assert_string_equal(p.app_name, "abcdefghij??klmnopqr");
}

/* The magic 32 bytes before the end, but inside the IP packet: payload. */
static void test_magic_inside_payload(void **state)
{
	(void)state;
	uint8_t ip[256], fr[512];
	struct ph_pkt p;
	uint8_t pl[64] = {0};
	put32(pl + 64 - 32, 0x01072021);
	struct pb_l4 l4 = {.proto = 17, .sport = 9, .dport = 9};
	size_t n = pb_ip(ip, sizeof ip, pb_ip4("1.2.3.4"), pb_ip4("5.6.7.8"),
			 &l4, pl, sizeof pl);
	assert_int_equal(run(PH_LINK_RAW, ip, n, n, &p), PH_DECODE_FLOW);
	assert_false(p.has_app);
	assert_int_equal(p.payload_len, 64);
	/* a trailer-like block after 4+ bytes of padding is not PCAPdroid's */
	memcpy(fr, ip, n);
	size_t m = trailer(fr, n, 4, 5, "evil", 4);
	assert_int_equal(run(PH_LINK_RAW, fr, m, m, &p), PH_DECODE_FLOW);
	assert_false(p.has_app);
	/* non-zero padding: not PCAPdroid's either */
	m = trailer(fr, n, 2, 5, "evil", 4);
	fr[n] = 1;
	assert_int_equal(run(PH_LINK_RAW, fr, m, m, &p), PH_DECODE_FLOW);
	assert_false(p.has_app);
}

static void test_no_trailer_on_arp(void **state)
{
	(void)state;
	uint8_t fr[128] = {0};
	struct ph_pkt p;
	fr[12] = 0x08;
	fr[13] = 0x06;
	size_t n = trailer(fr, 42, 2, 5, "x", 1);
	assert_int_equal(run(PH_LINK_ETHERNET, fr, n, n, &p),
			 PH_DECODE_NOT_IP);
	assert_false(p.has_app);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_ethernet_trailer),
		T(test_raw_ip_trailer),
		T(test_ipv6_trailer),
		T(test_cut_packet_trailer),
		T(test_name_sanitised_and_terminated),
		T(test_magic_inside_payload),
		T(test_no_trailer_on_arp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
