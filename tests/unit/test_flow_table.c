/* Tests for src/flow/table.c and orient.c: UDP/ICMP records (Zeek's
 * conn_state, history, byte counts, originator flips), VLAN keys, the
 * outer flow of a UDP tunnel, app labels, uids (deterministic, independent
 * of the hash key), inactivity splits, eviction when full, bounded memory
 * under a SYN flood of random tuples, and no allocation per packet once
 * the slab has grown (checked with glibc's mallinfo2). */
#include <malloc.h>
#include <stdlib.h>

#include "test_flow_helpers.h"

#define A 0
#define B 1

struct fixture {
	struct sink s;
	struct ph_anomalies an;
	struct ph_flow_table *t;
};

static int setup(void **state)
{
	static struct fixture fx;
	fx.t = new_table(&fx.s, &fx.an, 0);
	*state = &fx;
	return fx.t ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	ph_flow_table_free(fx->t);
	return 0;
}

static void test_udp_both_ways(void **state)
{
	struct fixture *fx = *state;
	struct conv c;

	conv_init(&c, "192.168.1.5", 40000, "8.8.8.8", 53, 17);
	feed(fx->t, conv_pkt(&c, A, 0, "query-bytes"));       /* 11 */
	feed(fx->t, conv_pkt(&c, B, 5 * MS, "answer-bytes!!")); /* 14 */
	feed(fx->t, conv_pkt(&c, A, 6 * MS, "q2"));
	assert_int_equal(fx->s.datagrams[0], 2);
	assert_int_equal(fx->s.datagrams[1], 1);
	ph_flow_table_flush(fx->t);
	assert_int_equal(fx->s.nend, 1);
	const struct ph_conn *k = &fx->s.end[0];
	assert_string_equal(k->conn_state, "SF");
	assert_string_equal(k->history, "Dd");
	assert_int_equal(k->dir[0].bytes, 13);
	assert_int_equal(k->dir[1].bytes, 14);
	assert_int_equal(k->dir[0].pkts, 2);
	assert_int_equal(k->dir[0].ip_bytes, 28 + 11 + 28 + 2);
	assert_int_equal(k->dir[1].l2_bytes, 14 + 28 + 14);
	assert_int_equal(k->last_ns, 6 * MS);
	assert_int_equal(k->end, PH_END_EOF);
}

static void test_udp_one_way_and_flip(void **state)
{
	struct fixture *fx = *state;
	struct conv c, d;

	conv_init(&c, "10.0.0.1", 5000, "10.0.0.2", 6000, 17);
	feed(fx->t, conv_pkt(&c, A, 0, "x"));
	/* first packet is a DNS answer: Zeek flips ("^d", SHR) */
	conv_init(&d, "10.0.0.1", 40000, "10.0.0.53", 53, 17);
	feed(fx->t, conv_pkt(&d, B, 0, "answer"));
	ph_flow_table_flush(fx->t);
	assert_string_equal(ended(&fx->s, 1)->conn_state, "S0");
	assert_string_equal(ended(&fx->s, 1)->history, "D");
	const struct ph_conn *k = ended(&fx->s, 2);
	assert_string_equal(k->conn_state, "SHR");
	assert_string_equal(k->history, "^d");
	assert_int_equal(k->orig_port, 40000);
	assert_int_equal(k->resp_port, 53);
	assert_int_equal(k->dir[1].bytes, 6);
	assert_int_equal(k->dir[1].pkts, 1);
	assert_int_equal(k->dir[0].pkts, 0);
}

static void test_udp_timeout_splits(void **state)
{
	struct fixture *fx = *state;
	struct conv c;

	conv_init(&c, "10.0.0.1", 5000, "10.0.0.2", 6000, 17);
	feed(fx->t, conv_pkt(&c, A, 0, "a"));
	feed(fx->t, conv_pkt(&c, A, 59 * SEC, "b"));
	feed(fx->t, conv_pkt(&c, A, 119 * SEC, "c")); /* exactly 60 s idle */
	assert_int_equal(fx->s.nend, 1);
	assert_int_equal(fx->s.end[0].end, PH_END_TIMEOUT);
	assert_int_equal(fx->s.end[0].dir[0].pkts, 2);
	ph_flow_table_flush(fx->t);
	assert_int_equal(fx->s.nstart, 2);
}

static void test_icmp_echo_pairs(void **state)
{
	struct fixture *fx = *state;
	struct conv c;
	struct ph_pkt p;

	conv_init(&c, "10.0.0.1", 8, "10.0.0.2", 0, 1);
	p = conv_pkt(&c, A, 0, "pingdata");   /* type 8 code 0 */
	feed(fx->t, p);
	p = conv_pkt(&c, B, 1 * MS, "pingdata");
	p.t.sport = 0; /* echo reply: type 0 code 0 */
	p.t.dport = 0;
	feed(fx->t, p);
	/* destination unreachable (3/1): one-way, its own record */
	p = conv_pkt(&c, B, 2 * MS, "ctx");
	p.t.sport = 3;
	p.t.dport = 1;
	feed(fx->t, p);
	ph_flow_table_flush(fx->t);
	assert_int_equal(fx->s.nend, 2);
	const struct ph_conn *k = ended(&fx->s, 1);
	assert_int_equal(k->orig_port, 8);
	assert_int_equal(k->resp_port, 0);
	assert_int_equal(k->dir[0].pkts, 1);
	assert_int_equal(k->dir[1].pkts, 1);
	assert_int_equal(k->dir[1].bytes, 8);
	assert_string_equal(k->conn_state, "OTH");
	assert_string_equal(k->history, "");
	k = ended(&fx->s, 2);
	assert_int_equal(k->orig_port, 3);
	assert_int_equal(k->resp_port, 1);
	assert_int_equal(k->orig_addr[3], 2);
}

static void test_vlan_and_ipv6_keys(void **state)
{
	struct fixture *fx = *state;
	struct conv c, v6;

	conv_init(&c, "10.0.0.1", 5000, "10.0.0.2", 6000, 17);
	feed(fx->t, conv_pkt(&c, A, 0, "a"));
	c.vlan = 10;
	feed(fx->t, conv_pkt(&c, B, 1 * MS, "b"));
	conv_init(&v6, "2001:db8::1", 5000, "2001:db8::2", 6000, 17);
	feed(fx->t, conv_pkt(&v6, A, 2 * MS, "c"));
	feed(fx->t, conv_pkt(&v6, B, 3 * MS, "d"));
	ph_flow_table_flush(fx->t);
	assert_int_equal(fx->s.nend, 3);
	assert_int_equal(ended(&fx->s, 2)->vlan, 10);
	assert_int_equal(ended(&fx->s, 2)->orig_port, 6000);
	assert_string_equal(ended(&fx->s, 3)->conn_state, "SF");
	assert_int_equal(ended(&fx->s, 3)->ipver, 6);
	assert_int_equal(ended(&fx->s, 3)->dir[0].ip_bytes, 40 + 8 + 1);
}

static void test_tunnel_outer_flow_and_app(void **state)
{
	struct fixture *fx = *state;
	struct conv in, out;
	struct ph_pkt p, op;

	conv_init(&in, "192.168.0.1", 40000, "192.168.0.2", 5555, 17);
	conv_init(&out, "10.1.1.1", 33333, "10.1.1.2", 4789, 17);
	op = conv_pkt(&out, A, 0, NULL);
	p = conv_pkt(&in, A, 0, "inner");
	p.has_outer_udp = true;
	p.outer = op.t;
	p.outer_ip_len = p.ip_len + 50;
	p.outer_payload_wire = p.ip_len + 22;
	p.tunnel_depth = 1;
	p.has_app = true;
	p.app_uid = 10123;
	snprintf(p.app_name, sizeof p.app_name, "com.example.app");
	feed(fx->t, p);
	p.app_uid = 999; /* first seen wins */
	feed(fx->t, p);
	ph_flow_table_flush(fx->t);
	assert_int_equal(fx->s.nend, 2);
	const struct ph_conn *o = ended(&fx->s, 1), *i = ended(&fx->s, 2);
	assert_int_equal(o->resp_port, 4789);
	assert_int_equal(o->dir[0].ip_bytes, 2 * (p.ip_len + 50));
	assert_int_equal(o->dir[0].bytes, 2 * (p.ip_len + 22));
	assert_int_equal(o->dir[0].l2_bytes, 2 * p.frame_len);
	assert_int_equal(o->tunnel_depth, 0);
	assert_int_equal(o->app_uid, -1);
	assert_int_equal(i->tunnel_depth, 1);
	assert_int_equal(i->app_uid, 10123);
	assert_string_equal(i->app, "com.example.app");
	assert_int_equal(i->dir[0].bytes, 10);
	assert_int_equal(fx->s.datagrams[0], 2); /* inner only */
}

/* Runs a fixed little capture; returns the uids in end order. */
static void run_capture(uint64_t seed, char uids[8][20], size_t *n)
{
	struct sink *s = calloc(1, sizeof *s);
	struct ph_flow_config cfg;
	struct conv c;

	ph_flow_config_default(&cfg);
	cfg.hash_seed[0] = seed; /* 0 = random key */
	struct ph_flow_table *t = ph_flow_table_new(&cfg, sink_fn, s, NULL);
	assert_non_null(t);
	for (int i = 0; i < 5; i++) {
		conv_init(&c, "10.0.0.1", (uint16_t)(1000 + i), "10.0.0.2",
			  53, 17);
		feed(t, conv_pkt(&c, A, (uint64_t)i * MS, "q"));
	}
	ph_flow_table_free(t);
	*n = s->nend;
	for (size_t i = 0; i < s->nend && i < 8; i++)
		memcpy(uids[i], s->end[i].uid, 20);
	free(s);
}

static void test_uids_deterministic(void **state)
{
	char a[8][20], b[8][20];
	size_t na, nb;

	(void)state;
	run_capture(0, a, &na);
	run_capture(12345, b, &nb);
	assert_int_equal(na, 5);
	assert_int_equal(nb, 5);
	for (size_t i = 0; i < na; i++) {
		assert_string_equal(a[i], b[i]);
		assert_true(strlen(a[i]) >= 12 && a[i][0] == 'C');
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(a[i], a[j]);
	}
}

static void test_eviction_when_full(void **state)
{
	struct fixture *fx = *state;
	struct conv c;

	ph_flow_table_free(fx->t);
	fx->t = new_table(&fx->s, &fx->an, 3);
	for (int i = 0; i < 5; i++) {
		conv_init(&c, "10.0.0.1", (uint16_t)(1000 + i), "10.0.0.2",
			  6000, 17);
		feed(fx->t, conv_pkt(&c, A, (uint64_t)i * SEC, "x"));
		if (i == 1) { /* refresh flow 1000 so that 1001 is older */
			conv_init(&c, "10.0.0.1", 1000, "10.0.0.2", 6000, 17);
			feed(fx->t, conv_pkt(&c, B, 2500 * MS, "y"));
		}
	}
	assert_int_equal(fx->s.nend, 2);
	assert_int_equal(fx->s.end[0].orig_port, 1001);
	assert_int_equal(fx->s.end[0].end, PH_END_EVICTED);
	assert_int_equal(fx->s.end[1].orig_port, 1000);
	assert_int_equal(fx->an.n[PH_ANOM_FLOW_TABLE_FULL], 2);
	const struct ph_flow_stats *st = ph_flow_table_stats(fx->t);
	assert_int_equal(st->evicted, 2);
	assert_int_equal(st->active, 3);
	assert_int_equal(st->peak_active, 3);
	ph_flow_table_flush(fx->t);
	assert_int_equal(fx->s.nend, 5);
	assert_int_equal(st->ended, 5);
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void random_syn(struct ph_pkt *p, uint64_t *rng, uint64_t ts)
{
	uint64_t r = xorshift(rng);

	memset(p, 0, sizeof *p);
	p->ts_ns = ts;
	p->t.proto = 6;
	p->t.ipver = 4;
	memcpy(p->t.src, &r, 4);
	p->t.dst[0] = 10;
	p->t.dst[3] = 1;
	p->t.sport = (uint16_t)(r >> 32);
	p->t.dport = 80;
	p->tcp_flags = T_SYN;
	p->seq = (uint32_t)(r >> 40);
	p->ip_len = 40;
	p->frame_len = 54;
	p->win = 1024;
}

static void test_syn_flood_bounded(void **state)
{
	struct fixture *fx = *state;
	struct ph_flow_config cfg;
	uint64_t rng = 88172645463325252ull;
	struct ph_pkt p;
	struct mallinfo2 mid, end;

	ph_flow_table_free(fx->t);
	ph_flow_config_default(&cfg);
	cfg.max_flows = 2000;
	fx->t = ph_flow_table_new(&cfg, sink_fn, &fx->s, &fx->an);
	assert_non_null(fx->t);
	for (int i = 0; i < 50000; i++) {
		random_syn(&p, &rng, (uint64_t)i * 1000); /* 1 us apart */
		ph_flow_table_packet(fx->t, &p);
		if (i == 4000)
			mid = mallinfo2();
	}
	end = mallinfo2();
	const struct ph_flow_stats *st = ph_flow_table_stats(fx->t);
	assert_true(st->active <= 2000);
	assert_true(st->peak_active <= 2000);
	assert_int_equal(st->created, 50000);
	assert_int_equal(st->created - st->ended, st->active);
	assert_int_equal(st->evicted, 48000);
	/* memory stopped growing once the table was full */
	assert_int_equal(mid.uordblks, end.uordblks);
	assert_int_equal(mid.hblkhd, end.hblkhd);
}

static void test_no_alloc_per_packet(void **state)
{
	struct fixture *fx = *state;
	struct conv c;
	struct mallinfo2 before, after;

	ph_flow_table_free(fx->t);
	fx->t = new_table(&fx->s, &fx->an, 64);
	/* warm up: fill the slab once */
	for (int i = 0; i < 64; i++) {
		conv_init(&c, "10.0.0.1", (uint16_t)(1000 + i), "10.0.0.2",
			  6000, 17);
		feed(fx->t, conv_pkt(&c, A, (uint64_t)i, "x"));
	}
	ph_flow_table_flush(fx->t);
	before = mallinfo2();
	for (int round = 0; round < 20; round++) {
		for (int i = 0; i < 100; i++) {
			conv_init(&c, "10.0.0.1", (uint16_t)(2000 + i),
				  "10.0.0.2", 6000, 17);
			feed(fx->t, conv_pkt(&c, i & 1, SEC + (uint64_t)round,
					     "payload"));
		}
		conv_init(&c, "10.0.0.3", 1, "10.0.0.4", 2, 6);
		feed(fx->t, tcp(&c, A, SEC + (uint64_t)round, T_ACK, 1, 1,
				"in-order"));
	}
	after = mallinfo2();
	assert_int_equal(before.uordblks, after.uordblks);
	assert_int_equal(before.hblkhd, after.hblkhd);
}

static void test_flush_ends_everything_once(void **state)
{
	struct fixture *fx = *state;
	struct conv c;

	for (int i = 0; i < 10; i++) {
		conv_init(&c, "10.0.0.1", (uint16_t)(1000 + i), "10.0.0.2",
			  6000, (uint8_t)(i & 1 ? 17 : 6));
		feed(fx->t, i & 1 ? conv_pkt(&c, A, (uint64_t)i, "x")
				  : tcp(&c, A, (uint64_t)i, T_SYN, 1, 0, NULL));
	}
	ph_flow_table_flush(fx->t);
	ph_flow_table_flush(fx->t);
	assert_int_equal(fx->s.nstart, 10);
	assert_int_equal(fx->s.nend, 10);
	for (size_t i = 0; i < fx->s.nend; i++)
		assert_int_equal(fx->s.end[i].end, PH_END_EOF);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_udp_both_ways),
		T(test_udp_one_way_and_flip),
		T(test_udp_timeout_splits),
		T(test_icmp_echo_pairs),
		T(test_vlan_and_ipv6_keys),
		T(test_tunnel_outer_flow_and_app),
		T(test_uids_deterministic),
		T(test_eviction_when_full),
		T(test_syn_flood_bounded),
		T(test_no_alloc_per_packet),
		T(test_flush_ends_everything_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
