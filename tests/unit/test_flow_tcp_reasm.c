/* Tests for src/flow/tcp_reasm.c: zero-copy in-order delivery, held
 * out-of-order segments, overlaps (first data wins, conflicts counted),
 * the per-direction cap (skip ahead with a gap), Zeek's acked-hole gaps
 * (missed_bytes and 'G'), holes left at flow end, range-only mode, and
 * that the hold budget returns to zero. */
#include "test_flow_helpers.h"

#define A 0
#define B 1

struct fixture {
	struct sink s;
	struct ph_anomalies an;
	struct ph_flow_table *t;
	struct conv c;
};

static struct ph_flow_table *table_with(struct fixture *fx, bool reasm,
					uint32_t dir_max)
{
	struct ph_flow_config cfg;
	ph_flow_config_default(&cfg);
	cfg.reassemble = reasm;
	if (dir_max)
		cfg.reasm_dir_max = dir_max;
	cfg.hash_seed[0] = 7;
	memset(&fx->s, 0, sizeof fx->s);
	memset(&fx->an, 0, sizeof fx->an);
	return ph_flow_table_new(&cfg, sink_fn, &fx->s, &fx->an);
}

static int setup(void **state)
{
	static struct fixture fx;
	fx.t = table_with(&fx, true, 0);
	conv_init(&fx.c, "10.0.0.1", 40000, "10.0.0.2", 5555, 6);
	*state = &fx;
	return fx.t ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	ph_flow_table_free(fx->t);
	return 0;
}

static void handshake(struct fixture *fx)
{
	feed(fx->t, tcp(&fx->c, A, 0, T_SYN, 1000, 0, NULL));
	feed(fx->t, tcp(&fx->c, B, 1 * MS, T_SYN | T_ACK, 5000, 1001, NULL));
	feed(fx->t, tcp(&fx->c, A, 2 * MS, T_ACK, 1001, 5001, NULL));
}

static void data(struct fixture *fx, int side, uint32_t seq, const char *s)
{
	feed(fx->t, tcp(&fx->c, side, 3 * MS, T_ACK, seq,
			side == A ? 5001 : 1001, s));
}

static const struct ph_conn *finish(struct fixture *fx)
{
	ph_flow_table_flush(fx->t);
	assert_int_equal(fx->s.nend, 1);
	assert_int_equal(ph_flow_table_stats(fx->t)->reasm_bytes_held, 0);
	return &fx->s.end[0];
}

static void test_in_order_zero_copy(void **state)
{
	struct fixture *fx = *state;
	static const char msg[] = "GET / HTTP/1.1\r\n";
	struct ph_pkt p;

	handshake(fx);
	p = tcp(&fx->c, A, 3 * MS, T_ACK | T_PSH, 1001, 5001, msg);
	ph_flow_table_packet(fx->t, &p);
	const struct rec_ev *r = &fx->s.ev[fx->s.nev - 1];
	assert_int_equal(r->kind, PH_EV_STREAM);
	assert_ptr_equal(r->data, p.payload); /* no copy */
	assert_int_equal(r->off, 0);
	data(fx, A, 1001 + 16, "Host: x\r\n");
	data(fx, B, 5001, "HTTP/1.1 200 OK\r\n");
	finish(fx);
	assert_string_equal(fx->s.stream[0], "GET / HTTP/1.1\r\nHost: x\r\n");
	assert_string_equal(fx->s.stream[1], "HTTP/1.1 200 OK\r\n");
	assert_int_equal(ph_flow_table_stats(fx->t)->reasm_peak_bytes_held, 0);
}

static void test_out_of_order(void **state)
{
	struct fixture *fx = *state;

	handshake(fx);
	data(fx, A, 1011, "KLMNO");
	data(fx, A, 1006, "FGHIJ");
	assert_int_equal(fx->s.next_off[0], 0);
	data(fx, A, 1001, "ABCDE");
	assert_int_equal(fx->s.next_off[0], 15);
	assert_true(ph_flow_table_stats(fx->t)->reasm_peak_bytes_held > 0);
	const struct ph_conn *k = finish(fx);
	assert_string_equal(fx->s.stream[0], "ABCDEFGHIJKLMNO");
	/* data after later data counts as a retransmission in Zeek */
	assert_string_equal(k->history, "ShADT");
	assert_int_equal(fx->an.n[PH_ANOM_REASM_GAP], 0);
}

static void test_overlap_first_wins(void **state)
{
	struct fixture *fx = *state;

	handshake(fx);
	data(fx, A, 1011, "klmno");          /* held: [11,16) */
	data(fx, A, 1006, "FGHIJKLM");       /* [6,14) differs on 11..13 */
	assert_int_equal(fx->an.n[PH_ANOM_REASM_OVERLAP_CONFLICT], 1);
	data(fx, A, 1001, "ABCDEFG");        /* [1,8) overlaps held [6,8) */
	finish(fx);
	assert_string_equal(fx->s.stream[0], "ABCDEFGHIJklmno");
}

static void test_retransmitted_delivered_data_dropped(void **state)
{
	struct fixture *fx = *state;

	handshake(fx);
	data(fx, A, 1001, "hello");
	data(fx, A, 1001, "HELLO world");
	finish(fx);
	assert_string_equal(fx->s.stream[0], "hello world");
}

static void test_acked_hole_is_gap(void **state)
{
	struct fixture *fx = *state;

	handshake(fx);
	data(fx, A, 1001, "aaaaa");
	data(fx, A, 1011, "ccccc");  /* 1006..1010 never captured */
	feed(fx->t, tcp(&fx->c, B, 4 * MS, T_ACK, 5001, 1016, NULL));
	assert_int_equal(fx->s.next_off[0], 15);
	const struct ph_conn *k = finish(fx);
	assert_string_equal(fx->s.stream[0], "aaaaa?????ccccc");
	assert_int_equal(k->dir[0].missed_bytes, 5);
	assert_int_equal(k->dir[0].bytes, 15);
	assert_string_equal(k->history, "ShADaG");
	assert_int_equal(fx->an.n[PH_ANOM_REASM_GAP], 1);
}

static void test_hole_at_end_not_missed(void **state)
{
	struct fixture *fx = *state;

	handshake(fx);
	data(fx, A, 1001, "aaaaa");
	data(fx, A, 1011, "ccccc");
	const struct ph_conn *k = finish(fx);
	/* the held bytes still reach the parsers, after a gap event */
	assert_string_equal(fx->s.stream[0], "aaaaa?????ccccc");
	assert_int_equal(fx->s.gap_bytes[0], 5);
	assert_int_equal(k->dir[0].missed_bytes, 0); /* as Zeek */
	assert_string_equal(k->history, "ShAD");
}

static void test_overflow_skips_ahead(void **state)
{
	struct fixture *fx = *state;
	char big[201];

	ph_flow_table_free(fx->t);
	fx->t = table_with(fx, true, 128);
	memset(big, 'x', 200);
	big[200] = '\0';
	handshake(fx);
	data(fx, A, 1001, "aaaaa");
	data(fx, A, 1011, "ccccc");  /* held (small) */
	data(fx, A, 1021, big);      /* too big to hold: skip the holes */
	assert_int_equal(fx->an.n[PH_ANOM_REASM_OVERFLOW], 1);
	assert_int_equal(fx->s.next_off[0], 220);
	const struct ph_conn *k = finish(fx);
	assert_int_equal(fx->s.gap_bytes[0], 10);
	assert_int_equal(k->dir[0].missed_bytes, 10);
	assert_int_equal(memcmp(fx->s.stream[0], "aaaaa?????ccccc?????x", 21),
			 0);
}

static void test_ranges_only_mode(void **state)
{
	struct fixture *fx = *state;

	ph_flow_table_free(fx->t);
	fx->t = table_with(fx, false, 0);
	handshake(fx);
	data(fx, A, 1001, "aaaaa");
	data(fx, A, 1016, "ddddd");
	data(fx, A, 1011, "ccccc");
	feed(fx->t, tcp(&fx->c, B, 4 * MS, T_ACK, 5001, 1021, NULL));
	const struct ph_conn *k = finish(fx);
	assert_int_equal(sink_count(&fx->s, PH_EV_STREAM), 0);
	assert_int_equal(sink_count(&fx->s, PH_EV_GAP), 0);
	assert_int_equal(k->dir[0].missed_bytes, 5);
	assert_int_equal(k->dir[0].bytes, 20);
}

static void test_fin_caps_ack(void **state)
{
	struct fixture *fx = *state;

	handshake(fx);
	data(fx, A, 1001, "abc");
	feed(fx->t, tcp(&fx->c, A, 4 * MS, T_FIN | T_ACK, 1004, 5001, NULL));
	feed(fx->t, tcp(&fx->c, B, 5 * MS, T_ACK, 5001, 1005, NULL));
	const struct ph_conn *k = finish(fx);
	/* the FIN's sequence byte is not a hole */
	assert_int_equal(k->dir[0].missed_bytes, 0);
	assert_int_equal(k->dir[0].bytes, 3);
	assert_string_equal(fx->s.stream[0], "abc");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_in_order_zero_copy),
		T(test_out_of_order),
		T(test_overlap_first_wins),
		T(test_retransmitted_delivered_data_dropped),
		T(test_acked_hole_is_gap),
		T(test_hole_at_end_not_missed),
		T(test_overflow_skips_ahead),
		T(test_ranges_only_mode),
		T(test_fin_caps_ack),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
