/* Tests for src/decode/frag.c: IPv4 and IPv6 reassembly in and out of
 * order, the first-wins overlap policy, malformed fragments, timeouts,
 * the slot and byte caps, and memory staying bounded under a flood. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "decode/decode.h"
#include "decode_fixture.h"
#include "pktbuild.h"

static enum ph_decode_result run_at(const uint8_t *b, size_t n, uint64_t ts,
				    struct ph_pkt *p)
{
	struct ph_frame f = {.data = b, .caplen = (uint32_t)n,
			     .wirelen = (uint32_t)n, .linktype = PH_LINK_RAW,
			     .ts_ns = ts};
	return ph_decode(dec, &f, p);
}

static enum ph_decode_result run(const uint8_t *b, size_t n, struct ph_pkt *p)
{
	return run_at(b, n, 1000, p);
}

static uint8_t payload[4000];

/* A UDP datagram 10.1.1.1:1111 -> 10.2.2.2:2222 with plen payload bytes
 * (IPv6: 2001:db8::a -> 2001:db8::b). */
static size_t datagram(uint8_t *out, int v6, uint8_t proto, size_t plen,
		       uint16_t id)
{
	for (size_t i = 0; i < sizeof payload; i++)
		payload[i] = (uint8_t)(i * 7 + 3);
	struct pb_l4 l4 = {.proto = proto, .sport = 1111, .dport = 2222,
			   .ip_id = id, .flags = PB_ACK};
	return v6 ? pb_ip(out, 8192, pb_ip6("2001:db8::a"),
			  pb_ip6("2001:db8::b"), &l4, payload, plen)
		  : pb_ip(out, 8192, pb_ip4("10.1.1.1"), pb_ip4("10.2.2.2"),
			  &l4, payload, plen);
}

/* IPv4 fragment of `full` (20-byte header): data [off, off+len). */
static size_t frag4(uint8_t *out, const uint8_t *full, uint32_t off,
		    uint32_t len, int more)
{
	memcpy(out, full, 20);
	memcpy(out + 20, full + 20 + off, len);
	put16(out + 2, (uint16_t)(20 + len));
	put16(out + 6, (uint16_t)((more ? 0x2000 : 0) | (off / 8)));
	return 20 + len;
}

/* IPv6 fragment of `full` (40-byte header, no extensions). */
static size_t frag6(uint8_t *out, const uint8_t *full, uint32_t id,
		    uint32_t off, uint32_t len, int more)
{
	memcpy(out, full, 40);
	out[6] = 44;
	put16(out + 4, (uint16_t)(8 + len));
	out[40] = full[6];
	out[41] = 0;
	put16(out + 42, (uint16_t)(off | (more ? 1 : 0)));
	put32(out + 44, id);
	memcpy(out + 48, full + 40 + off, len);
	return 48 + len;
}

static void check_udp4(const struct ph_pkt *p, size_t plen)
{
	const uint8_t s[16] = {10, 1, 1, 1}, d[16] = {10, 2, 2, 2};
	assert_memory_equal(p->t.src, s, 16);
	assert_memory_equal(p->t.dst, d, 16);
	assert_int_equal(p->t.sport, 1111);
	assert_int_equal(p->t.dport, 2222);
	assert_int_equal(p->t.proto, 17);
	assert_true(p->reassembled);
	assert_int_equal(p->ip_len, 28 + plen);
	assert_int_equal(p->payload_wire, plen);
	assert_int_equal(p->payload_len, plen);
	assert_memory_equal(p->payload, payload, plen);
}

static void test_v4_in_order(void **state)
{
	(void)state;
	uint8_t full[8192], f[2048];
	struct ph_pkt p;
	size_t n = datagram(full, 0, 17, 2000, 77);
	size_t k = frag4(f, full, 0, 1480, 1);
	assert_int_equal(run(f, k, &p), PH_DECODE_HELD);
	assert_int_equal(an.n[PH_ANOM_FRAG_HELD], 1);
	assert_int_equal(ph_decoder_stats(dec)->frag_datagrams, 1);
	assert_int_equal(ph_decoder_stats(dec)->frag_bytes, 2048);
	k = frag4(f, full, 1480, (uint32_t)(n - 20 - 1480), 0);
	assert_int_equal(run(f, k, &p), PH_DECODE_FLOW);
	check_udp4(&p, 2000);
	assert_int_equal(p.ip_id, 77);
	const struct ph_decode_stats *st = ph_decoder_stats(dec);
	assert_int_equal(st->frags_held, 1);
	assert_int_equal(st->frags_reassembled, 1);
	assert_int_equal(st->frag_datagrams, 0);
	assert_int_equal(st->frag_bytes, 0);
	assert_int_equal(st->ip_packets, 1);
	assert_true(st->frag_mem > 0 && st->frag_mem < 16u * 1024 * 1024);
}

static void test_v4_out_of_order(void **state)
{
	(void)state;
	uint8_t full[8192], f[2048];
	struct ph_pkt p;
	size_t n = datagram(full, 0, 17, 3000, 5);
	uint32_t data = (uint32_t)(n - 20);
	size_t k = frag4(f, full, 2400, data - 2400, 0);
	assert_int_equal(run(f, k, &p), PH_DECODE_HELD);
	k = frag4(f, full, 0, 1200, 1);
	assert_int_equal(run(f, k, &p), PH_DECODE_HELD);
	k = frag4(f, full, 1200, 1200, 1);
	assert_int_equal(run(f, k, &p), PH_DECODE_FLOW);
	check_udp4(&p, 3000);
	assert_int_equal(an.n[PH_ANOM_FRAG_OVERLAP], 0);
}

static void test_v4_tcp(void **state)
{
	(void)state;
	uint8_t full[8192], f[2048];
	struct ph_pkt p;
	size_t n = datagram(full, 0, 6, 1500, 9);
	size_t k = frag4(f, full, 0, 800, 1);
	assert_int_equal(run(f, k, &p), PH_DECODE_HELD);
	k = frag4(f, full, 800, (uint32_t)(n - 20 - 800), 0);
	assert_int_equal(run(f, k, &p), PH_DECODE_FLOW);
	assert_int_equal(p.t.proto, 6);
	assert_int_equal(p.t.sport, 1111);
	assert_int_equal(p.tcp_flags, PB_ACK);
	assert_int_equal(p.payload_wire, 1500);
	assert_memory_equal(p.payload, payload, 1500);
}

/* Second fragment rewrites bytes 8..15: the first copy is kept. */
static void test_v4_overlap_first_wins(void **state)
{
	(void)state;
	uint8_t full[8192], f[2048];
	struct ph_pkt p;
	datagram(full, 0, 17, 16, 3); /* 24 data bytes */
	size_t k = frag4(f, full, 0, 16, 1);
	assert_int_equal(run(f, k, &p), PH_DECODE_HELD);
	k = frag4(f, full, 8, 16, 0);
	memset(f + 20, 0xee, 8); /* conflicting copy of bytes 8..15 */
	assert_int_equal(run(f, k, &p), PH_DECODE_FLOW);
	assert_int_equal(an.n[PH_ANOM_FRAG_OVERLAP], 1);
	check_udp4(&p, 16);
}

static void test_v4_duplicate(void **state)
{
	(void)state;
	uint8_t full[8192], f[2048];
	struct ph_pkt p;
	size_t n = datagram(full, 0, 17, 100, 4);
	size_t k = frag4(f, full, 0, 64, 1);
	assert_int_equal(run(f, k, &p), PH_DECODE_HELD);
	assert_int_equal(run(f, k, &p), PH_DECODE_HELD);
	k = frag4(f, full, 64, (uint32_t)(n - 20 - 64), 0);
	assert_int_equal(run(f, k, &p), PH_DECODE_FLOW);
	assert_int_equal(an.n[PH_ANOM_FRAG_OVERLAP], 1);
	check_udp4(&p, 100);
}

static void test_v4_proto_and_id_key(void **state)
{
	(void)state;
	uint8_t full[8192], f[2048];
	struct ph_pkt p;
	size_t n = datagram(full, 0, 17, 100, 4);
	size_t k = frag4(f, full, 0, 64, 1);
	assert_int_equal(run(f, k, &p), PH_DECODE_HELD);
	k = frag4(f, full, 64, (uint32_t)(n - 20 - 64), 0);
	f[9] = 6; /* same id, other protocol: another datagram */
	assert_int_equal(run(f, k, &p), PH_DECODE_HELD);
	f[9] = 17;
	f[5] = 5; /* other id */
	assert_int_equal(run(f, k, &p), PH_DECODE_HELD);
	assert_int_equal(ph_decoder_stats(dec)->frag_datagrams, 3);
}

static void test_v4_too_big(void **state)
{
	(void)state;
	uint8_t full[8192], f[2048];
	struct ph_pkt p;
	datagram(full, 0, 17, 100, 4);
	size_t k = frag4(f, full, 0, 64, 1);
	assert_int_equal(run(f, k, &p), PH_DECODE_HELD);
	k = frag4(f, full, 0, 40, 0);
	put16(f + 6, 8190); /* 65520 + 40 > 65515 */
	assert_int_equal(run(f, k, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_FRAG_TOO_BIG], 1);
	assert_int_equal(ph_decoder_stats(dec)->frag_datagrams, 0);
}

static void test_v4_malformed(void **state)
{
	(void)state;
	uint8_t full[8192], f[2048];
	struct ph_pkt p;
	datagram(full, 0, 17, 100, 4);
	size_t k = frag4(f, full, 0, 20, 1); /* MF, not a multiple of 8 */
	assert_int_equal(run(f, k, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_FRAG_BAD], 1);
	k = frag4(f, full, 8, 0, 1); /* empty */
	assert_int_equal(run(f, k, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_FRAG_BAD], 2);
	k = frag4(f, full, 40, 16, 0); /* end 56 */
	assert_int_equal(run(f, k, &p), PH_DECODE_HELD);
	k = frag4(f, full, 40, 24, 0); /* another end: 64 */
	assert_int_equal(run(f, k, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_FRAG_BAD], 3);
	assert_int_equal(ph_decoder_stats(dec)->frag_datagrams, 0);
	k = frag4(f, full, 40, 16, 0); /* end 56 again */
	assert_int_equal(run(f, k, &p), PH_DECODE_HELD);
	k = frag4(f, full, 48, 16, 1); /* data past the end */
	assert_int_equal(run(f, k, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_FRAG_BAD], 4);
	k = frag4(f, full, 80, 16, 1); /* data first ... */
	assert_int_equal(run(f, k, &p), PH_DECODE_HELD);
	k = frag4(f, full, 40, 16, 0); /* ... then an end before it */
	assert_int_equal(run(f, k, &p), PH_DECODE_BAD);
	assert_int_equal(an.n[PH_ANOM_FRAG_BAD], 5);
}

static void test_timeout_expire(void **state)
{
	(void)state;
	uint8_t full[8192], f[2048];
	struct ph_pkt p;
	size_t n = datagram(full, 0, 17, 100, 4);
	size_t k = frag4(f, full, 0, 64, 1);
	assert_int_equal(run_at(f, k, 1000, &p), PH_DECODE_HELD);
	ph_decoder_expire(dec, 1000 + PH_FRAG_TIMEOUT_NS);
	assert_int_equal(ph_decoder_stats(dec)->frag_datagrams, 1);
	ph_decoder_expire(dec, 1001 + PH_FRAG_TIMEOUT_NS);
	assert_int_equal(ph_decoder_stats(dec)->frag_datagrams, 0);
	assert_int_equal(an.n[PH_ANOM_FRAG_TIMEOUT], 1);
	k = frag4(f, full, 64, (uint32_t)(n - 20 - 64), 0);
	assert_int_equal(run_at(f, k, 2000 + PH_FRAG_TIMEOUT_NS, &p),
			 PH_DECODE_HELD);
	ph_decoder_expire(dec, 0); /* time going backwards: nothing */
	assert_int_equal(ph_decoder_stats(dec)->frag_datagrams, 1);
}

static void test_lazy_timeout(void **state)
{
	(void)state;
	uint8_t full[8192], f[2048];
	struct ph_pkt p;
	datagram(full, 0, 17, 100, 4);
	size_t k = frag4(f, full, 0, 64, 1);
	assert_int_equal(run_at(f, k, 0, &p), PH_DECODE_HELD);
	f[5] = 99; /* another datagram, 31 s later */
	assert_int_equal(run_at(f, k, 31000000000ull, &p), PH_DECODE_HELD);
	assert_int_equal(an.n[PH_ANOM_FRAG_TIMEOUT], 1);
	assert_int_equal(ph_decoder_stats(dec)->frag_datagrams, 1);
}

/* A late fragment of a stale datagram does not complete it. */
static void test_stale_on_lookup(void **state)
{
	(void)state;
	uint8_t full[8192], f[2048];
	struct ph_pkt p;
	size_t n = datagram(full, 0, 17, 100, 4);
	size_t k = frag4(f, full, 0, 64, 1);
	assert_int_equal(run_at(f, k, 0, &p), PH_DECODE_HELD);
	k = frag4(f, full, 64, (uint32_t)(n - 20 - 64), 0);
	assert_int_equal(run_at(f, k, 40000000000ull, &p), PH_DECODE_HELD);
	assert_int_equal(an.n[PH_ANOM_FRAG_TIMEOUT], 1);
	assert_int_equal(ph_decoder_stats(dec)->frag_datagrams, 1);
}

static void test_table_full_evicts_oldest(void **state)
{
	(void)state;
	uint8_t full[8192], f[2048];
	struct ph_pkt p;
	size_t n = datagram(full, 0, 17, 100, 0);
	for (uint32_t id = 0; id <= PH_FRAG_MAX_DATAGRAMS; id++) {
		size_t k = frag4(f, full, 0, 64, 1);
		put16(f + 4, (uint16_t)id);
		assert_int_equal(run(f, k, &p), PH_DECODE_HELD);
	}
	assert_int_equal(an.n[PH_ANOM_FRAG_TABLE_FULL], 1);
	assert_int_equal(ph_decoder_stats(dec)->frag_datagrams,
			 PH_FRAG_MAX_DATAGRAMS);
	size_t k = frag4(f, full, 64, (uint32_t)(n - 20 - 64), 0);
	put16(f + 4, 0); /* id 0 was evicted: held again */
	assert_int_equal(run(f, k, &p), PH_DECODE_HELD);
	put16(f + 4, 5); /* id 5 is still there: completes */
	assert_int_equal(run(f, k, &p), PH_DECODE_FLOW);
	assert_int_equal(p.ip_id, 5);
}

static uint32_t rng(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* 300k hostile fragments (random offsets and sizes, ids from a small
 * set so datagrams grow, two sources, both versions): held bytes and datagrams never pass the caps, the table's
 * memory never changes, and a normal datagram still reassembles. */
static void test_flood_memory_bounded(void **state)
{
	(void)state;
	uint8_t full4[8192], full6[8192], f[2048];
	struct ph_pkt p;
	datagram(full4, 0, 17, 1600, 0);
	datagram(full6, 1, 17, 1600, 0);
	uint32_t seed = 12345;
	uint64_t mem = 0;
	const struct ph_decode_stats *st = ph_decoder_stats(dec);
	for (uint32_t i = 0; i < 300000; i++) {
		uint32_t r = rng(&seed);
		uint32_t off = (r % 8000) * 8, len = 8 + (rng(&seed) % 180) * 8;
		size_t k;
		if (r & 1) {
			k = frag4(f, full4, 0, len, 1);
			put16(f + 6, (uint16_t)(0x2000 | (off / 8)));
			put16(f + 4, (uint16_t)(rng(&seed) % 300));
			f[15] = (uint8_t)(r >> 8) & 1;
		} else {
			k = frag6(f, full6, rng(&seed) % 300, 0, len, 1);
			put16(f + 42, (uint16_t)((off & 0xfff8) | 1));
		}
		enum ph_decode_result res = run_at(f, k, 1000 + i, &p);
		assert_true(res == PH_DECODE_HELD || res == PH_DECODE_BAD);
		assert_true(st->frag_bytes <= PH_FRAG_MAX_BYTES);
		assert_true(st->frag_datagrams <= PH_FRAG_MAX_DATAGRAMS);
		if (i == 0)
			mem = st->frag_mem;
		assert_int_equal(st->frag_mem, mem);
	}
	assert_true(st->frag_peak_bytes <= PH_FRAG_MAX_BYTES);
	assert_true(st->frag_peak_bytes >= PH_FRAG_MAX_BYTES / 2);
	assert_true(an.n[PH_ANOM_FRAG_TABLE_FULL] > 0);
	size_t n = datagram(full4, 0, 17, 2000, 4242);
	size_t k = frag4(f, full4, 0, 1480, 1);
	assert_int_equal(run_at(f, k, 400000, &p), PH_DECODE_HELD);
	k = frag4(f, full4, 1480, (uint32_t)(n - 20 - 1480), 0);
	assert_int_equal(run_at(f, k, 400001, &p), PH_DECODE_FLOW);
	check_udp4(&p, 2000);
}

static void test_v6_reassembly(void **state)
{
	(void)state;
	uint8_t full[8192], f[2048];
	struct ph_pkt p;
	size_t n = datagram(full, 1, 17, 3000, 0);
	uint32_t data = (uint32_t)(n - 40);
	size_t k = frag6(f, full, 0xabcdef, 1448, 1448, 1);
	assert_int_equal(run(f, k, &p), PH_DECODE_HELD);
	k = frag6(f, full, 0xabcdef, 2896, data - 2896, 0);
	assert_int_equal(run(f, k, &p), PH_DECODE_HELD);
	k = frag6(f, full, 0xabcdef, 0, 1448, 1);
	assert_int_equal(run(f, k, &p), PH_DECODE_FLOW);
	struct pb_addr s = pb_ip6("2001:db8::a");
	assert_memory_equal(p.t.src, s.a, 16);
	assert_int_equal(p.t.ipver, 6);
	assert_int_equal(p.t.proto, 17);
	assert_int_equal(p.t.sport, 1111);
	assert_true(p.reassembled);
	assert_int_equal(p.ip_len, 40 + 3008);
	assert_int_equal(p.payload_wire, 3000);
	assert_memory_equal(p.payload, payload, 3000);
	assert_int_equal(p.ip_id, 0);
}

/* Hop-by-hop before the fragment header, destination options after it
 * (inside the fragmentable part). */
static void test_v6_with_extensions(void **state)
{
	(void)state;
	uint8_t full[8192], f[2048], g[2048];
	struct ph_pkt p;
	uint8_t dst[8] = {17, 0, 1, 4, 0, 0, 0, 0};
	size_t n = datagram(full, 1, 17, 100, 0);
	/* fragmentable part = dest options + UDP: 8 + 108 bytes */
	uint8_t body[256];
	memcpy(body, dst, 8);
	memcpy(body + 8, full + 40, n - 40);
	full[6] = 60;
	memcpy(full + 40, body, n - 40 + 8);
	size_t frag_len[2] = {64, n - 40 + 8 - 64};
	for (int i = 0; i < 2; i++) {
		uint32_t off = i ? 64 : 0;
		size_t k = frag6(f, full, 7, off, (uint32_t)frag_len[i], !i);
		/* insert an 8-byte hop-by-hop header before the fragment one */
		memcpy(g, f, 40);
		g[6] = 0;
		memset(g + 40, 0, 8);
		g[40] = 44;
		g[42] = 1;
		g[43] = 4;
		memcpy(g + 48, f + 40, k - 40);
		put16(g + 4, (uint16_t)(k - 40 + 8));
		enum ph_decode_result r = run(g, k + 8, &p);
		assert_int_equal(r, i ? PH_DECODE_FLOW : PH_DECODE_HELD);
	}
	assert_int_equal(p.t.proto, 17);
	assert_int_equal(p.t.dport, 2222);
	assert_int_equal(p.payload_wire, 100);
	assert_int_equal(p.ip_len, 40 + 8 + 108);
}

/* IPIP packet 1.1.1.1 -> 2.2.2.2 (id) around `in`, sent as two IPv4
 * fragments; returns the second one's result. */
static enum ph_decode_result ipip_in_two(const uint8_t *in, size_t inlen,
					 uint16_t id, struct ph_pkt *p)
{
	uint8_t mid[4096], f[4096];
	struct pb_l4 l4 = {.proto = 17, .ip_id = id};
	pb_ip(mid, sizeof mid, pb_ip4("1.1.1.1"), pb_ip4("2.2.2.2"), &l4,
	      NULL, 0);
	mid[9] = 4;
	memcpy(mid + 20, in, inlen);
	put16(mid + 2, (uint16_t)(20 + inlen));
	size_t k = frag4(f, mid, 0, 24, 1);
	assert_int_equal(run(f, k, p), PH_DECODE_HELD);
	k = frag4(f, mid, 24, (uint32_t)(inlen - 24), 0);
	return run(f, k, p);
}

/* A fragmented tunnel whose inner packets are fragments too: both
 * levels reassemble (two output buffers). */
static void test_fragments_inside_reassembled_tunnel(void **state)
{
	(void)state;
	uint8_t inner[4096], f[4096];
	struct ph_pkt p;
	size_t n = datagram(inner, 0, 17, 100, 1);
	size_t k = frag4(f, inner, 0, 64, 1);
	assert_int_equal(ipip_in_two(f, k, 10, &p), PH_DECODE_HELD);
	k = frag4(f, inner, 64, (uint32_t)(n - 20 - 64), 0);
	assert_int_equal(ipip_in_two(f, k, 11, &p), PH_DECODE_FLOW);
	check_udp4(&p, 100);
	assert_int_equal(p.tunnel_depth, 1);
	assert_int_equal(ph_decoder_stats(dec)->frags_reassembled, 3);
}

/* Regression (fuzz): a whole inner packet inside a reassembled tunnel
 * lives in the reassembly buffer, so it is marked reassembled too. */
static void test_inner_of_reassembled_is_reassembled(void **state)
{
	(void)state;
	uint8_t inner[4096];
	struct ph_pkt p;
	size_t n = datagram(inner, 0, 17, 100, 1);
	assert_int_equal(ipip_in_two(inner, n, 12, &p), PH_DECODE_FLOW);
	check_udp4(&p, 100);
	assert_int_equal(p.tunnel_depth, 1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_v4_in_order),
		T(test_v4_out_of_order),
		T(test_v4_tcp),
		T(test_v4_overlap_first_wins),
		T(test_v4_duplicate),
		T(test_v4_proto_and_id_key),
		T(test_v4_too_big),
		T(test_v4_malformed),
		T(test_timeout_expire),
		T(test_lazy_timeout),
		T(test_stale_on_lookup),
		T(test_table_full_evicts_oldest),
		T(test_flood_memory_bounded),
		T(test_v6_reassembly),
		T(test_v6_with_extensions),
		T(test_fragments_inside_reassembled_tunnel),
		T(test_inner_of_reassembled_is_reassembled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
