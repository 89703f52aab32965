/* Tests for src/flow/tcp_state.c through the table: Zeek history letters
 * and conn_state for the classic TCP shapes, originator flips, byte counts
 * from sequence numbers, retransmission / zero-window letters (log-scaled),
 * connection reuse and Zeek's TCP timers. Expected values follow Zeek's
 * TCPSessionAdapter and conn/main.zeek. */
#include "test_flow_helpers.h"

#define A 0
#define B 1

struct fixture {
	struct sink s;
	struct ph_anomalies an;
	struct ph_flow_table *t;
	struct conv c;
};

static int setup(void **state)
{
	static struct fixture fx;
	fx.t = new_table(&fx.s, &fx.an, 0);
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

/* S, h, A from A:40000 to B:5555 with ISNs 1000 / 5000, t = 0..2 ms. */
static void handshake(struct fixture *fx)
{
	feed(fx->t, tcp(&fx->c, A, 0, T_SYN, 1000, 0, NULL));
	feed(fx->t, tcp(&fx->c, B, 1 * MS, T_SYN | T_ACK, 5000, 1001, NULL));
	feed(fx->t, tcp(&fx->c, A, 2 * MS, T_ACK, 1001, 5001, NULL));
}

static const struct ph_conn *finish(struct fixture *fx)
{
	ph_flow_table_flush(fx->t);
	assert_int_equal(fx->s.nend, 1);
	return &fx->s.end[0];
}

static void test_sf_full(void **state)
{
	struct fixture *fx = *state;
	struct conv *c = &fx->c;

	handshake(fx);
	feed(fx->t, tcp(c, A, 3 * MS, T_ACK | T_PSH, 1001, 5001, "hello"));
	feed(fx->t, tcp(c, B, 4 * MS, T_ACK, 5001, 1006, NULL));
	feed(fx->t, tcp(c, B, 5 * MS, T_ACK | T_PSH, 5001, 1006, "world!"));
	feed(fx->t, tcp(c, A, 6 * MS, T_ACK, 1006, 5007, NULL));
	feed(fx->t, tcp(c, A, 7 * MS, T_FIN | T_ACK, 1006, 5007, NULL));
	feed(fx->t, tcp(c, B, 8 * MS, T_FIN | T_ACK, 5007, 1007, NULL));
	feed(fx->t, tcp(c, A, 9 * MS, T_ACK, 1007, 5008, NULL));

	/* closed 5 s after the last productive packet */
	ph_flow_table_expire(fx->t, 8 * MS + 5 * SEC - 1);
	assert_int_equal(fx->s.nend, 0);
	ph_flow_table_expire(fx->t, 8 * MS + 5 * SEC);
	assert_int_equal(fx->s.nend, 1);
	const struct ph_conn *k = &fx->s.end[0];
	assert_string_equal(k->history, "ShADadFf");
	assert_string_equal(k->conn_state, "SF");
	assert_int_equal(k->end, PH_END_CLOSED);
	assert_int_equal(k->dir[0].bytes, 5);
	assert_int_equal(k->dir[1].bytes, 6);
	assert_int_equal(k->dir[0].pkts, 6);
	assert_int_equal(k->dir[1].pkts, 4);
	assert_int_equal(k->dir[0].ip_bytes, 5 * 40 + 45);
	assert_int_equal(k->dir[1].ip_bytes, 3 * 40 + 46);
	assert_int_equal(k->dir[0].l2_bytes, 5 * 54 + 59);
	assert_string_equal(fx->s.stream[0], "hello");
	assert_int_equal(memcmp(fx->s.stream[1], "world!", 6), 0);
	assert_int_equal(k->start_ns, 0);
	assert_int_equal(k->last_ns, 8 * MS); /* Zeek: final ACK excluded */
	assert_int_equal(k->dir[0].missed_bytes + k->dir[1].missed_bytes, 0);
	assert_int_equal(k->orig_port, 40000);
	assert_int_equal(k->resp_port, 5555);
	assert_true(k->has_mac);
	assert_int_equal(k->orig_mac[0], 0xa0);
	assert_int_equal(k->uid[0], 'C');
	assert_int_equal(k->app_uid, -1);
}

static void test_s0_attempt_timer(void **state)
{
	struct fixture *fx = *state;

	feed(fx->t, tcp(&fx->c, A, 0, T_SYN, 1000, 0, NULL));
	feed(fx->t, tcp(&fx->c, A, 1 * SEC, T_SYN, 1000, 0, NULL));
	feed(fx->t, tcp(&fx->c, A, 3 * SEC, T_SYN, 1000, 0, NULL));
	ph_flow_table_expire(fx->t, 5 * SEC - 1);
	assert_int_equal(fx->s.nend, 0);
	/* Zeek's AttemptTimer: 5 s after the first SYN, whatever followed */
	ph_flow_table_expire(fx->t, 5 * SEC);
	assert_int_equal(fx->s.nend, 1);
	assert_string_equal(fx->s.end[0].history, "S");
	assert_string_equal(fx->s.end[0].conn_state, "S0");
	assert_int_equal(fx->s.end[0].end, PH_END_TIMEOUT);
	assert_int_equal(fx->s.end[0].dir[0].pkts, 3);
	assert_int_equal(fx->s.end[0].dir[0].bytes, 0);
	/* the next retry is a new connection */
	feed(fx->t, tcp(&fx->c, A, 7 * SEC, T_SYN, 1000, 0, NULL));
	ph_flow_table_flush(fx->t);
	assert_int_equal(fx->s.nend, 2);
	assert_int_equal(fx->s.end[1].id, 2);
	assert_string_equal(fx->s.end[1].conn_state, "S0");
}

static void test_rej(void **state)
{
	struct fixture *fx = *state;

	feed(fx->t, tcp(&fx->c, A, 0, T_SYN, 1000, 0, NULL));
	feed(fx->t, tcp(&fx->c, B, 1 * MS, T_RST | T_ACK, 0, 1001, NULL));
	const struct ph_conn *k = finish(fx);
	assert_string_equal(k->history, "Sr");
	assert_string_equal(k->conn_state, "REJ");
}

static void test_rstos0_and_sh(void **state)
{
	struct fixture *fx = *state;
	struct conv c2 = fx->c;

	feed(fx->t, tcp(&fx->c, A, 0, T_SYN, 1000, 0, NULL));
	feed(fx->t, tcp(&fx->c, A, 1 * MS, T_RST, 1001, 0, NULL));
	c2.port[0] = 40001;
	feed(fx->t, tcp(&c2, A, 2 * MS, T_SYN, 7000, 0, NULL));
	feed(fx->t, tcp(&c2, A, 3 * MS, T_FIN, 7001, 0, NULL));
	ph_flow_table_flush(fx->t);
	assert_int_equal(fx->s.nend, 2);
	assert_string_equal(ended(&fx->s, 1)->history, "SR");
	assert_string_equal(ended(&fx->s, 1)->conn_state, "RSTOS0");
	assert_string_equal(ended(&fx->s, 2)->history, "SF");
	assert_string_equal(ended(&fx->s, 2)->conn_state, "SH");
}

static void test_rsto_rstr(void **state)
{
	struct fixture *fx = *state;
	struct conv c2 = fx->c;

	handshake(fx);
	feed(fx->t, tcp(&fx->c, A, 3 * MS, T_RST | T_ACK, 1001, 5001, NULL));
	c2.port[0] = 40001;
	feed(fx->t, tcp(&c2, A, 4 * MS, T_SYN, 1000, 0, NULL));
	feed(fx->t, tcp(&c2, B, 5 * MS, T_SYN | T_ACK, 5000, 1001, NULL));
	feed(fx->t, tcp(&c2, A, 6 * MS, T_ACK, 1001, 5001, NULL));
	feed(fx->t, tcp(&c2, B, 7 * MS, T_RST, 5001, 0, NULL));
	ph_flow_table_flush(fx->t);
	assert_string_equal(ended(&fx->s, 1)->history, "ShAR");
	assert_string_equal(ended(&fx->s, 1)->conn_state, "RSTO");
	assert_string_equal(ended(&fx->s, 2)->history, "ShAr");
	assert_string_equal(ended(&fx->s, 2)->conn_state, "RSTR");
}

static void test_s1_s2_s3(void **state)
{
	struct fixture *fx = *state;
	struct conv c2 = fx->c, c3 = fx->c;

	handshake(fx);
	c2.port[0] = 40001;
	c3.port[0] = 40002;
	{
		struct fixture f2 = { .c = c2 };
		f2.t = fx->t;
		handshake(&f2);
		feed(fx->t, tcp(&c2, A, 9 * MS, T_FIN | T_ACK, 1001, 5001,
				NULL));
		struct fixture f3 = { .c = c3 };
		f3.t = fx->t;
		handshake(&f3);
		feed(fx->t, tcp(&c3, B, 9 * MS, T_FIN | T_ACK, 5001, 1001,
				NULL));
	}
	ph_flow_table_flush(fx->t);
	assert_string_equal(ended(&fx->s, 1)->conn_state, "S1");
	assert_string_equal(ended(&fx->s, 2)->conn_state, "S2");
	assert_string_equal(ended(&fx->s, 2)->history, "ShAF");
	assert_string_equal(ended(&fx->s, 3)->conn_state, "S3");
	assert_string_equal(ended(&fx->s, 3)->history, "ShAf");
}

static void test_synack_first_server_port(void **state)
{
	struct fixture *fx = *state;
	struct conv c;

	conv_init(&c, "10.0.0.1", 40000, "10.0.0.2", 443, 6);
	feed(fx->t, tcp(&c, B, 0, T_SYN | T_ACK, 5000, 1001, NULL));
	feed(fx->t, tcp(&c, A, 1 * MS, T_ACK, 1001, 5001, NULL));
	feed(fx->t, tcp(&c, A, 2 * MS, T_ACK | T_PSH, 1001, 5001, "GET"));
	const struct ph_conn *k = finish(fx);
	assert_string_equal(k->history, "^hAD");
	assert_string_equal(k->conn_state, "S1");
	assert_int_equal(k->orig_port, 40000);
	assert_int_equal(k->resp_port, 443);
	assert_int_equal(k->orig_addr[3], 1);
	assert_int_equal(k->dir[0].pkts, 2);
	assert_int_equal(k->dir[1].pkts, 1);
	assert_int_equal(k->dir[0].bytes, 3);
	assert_int_equal(k->orig_mac[0], 0xa0); /* swapped with the roles */
}

static void test_synack_first_then_ack_flips(void **state)
{
	struct fixture *fx = *state;

	/* neither port is a likely server port: Zeek keeps the SYN-ACK
	 * sender as originator until the other side ACKs ("H" -> "^hA") */
	feed(fx->t, tcp(&fx->c, B, 0, T_SYN | T_ACK, 5000, 1001, NULL));
	feed(fx->t, tcp(&fx->c, A, 1 * MS, T_ACK, 1001, 5001, NULL));
	const struct ph_conn *k = finish(fx);
	assert_string_equal(k->history, "^hA");
	assert_int_equal(k->orig_port, 40000);
	assert_int_equal(k->dir[0].pkts, 1);
	assert_int_equal(k->dir[1].pkts, 1);
	assert_string_equal(k->conn_state, "OTH");
}

static void test_midstream_oth(void **state)
{
	struct fixture *fx = *state;

	feed(fx->t, tcp(&fx->c, A, 0, T_ACK | T_PSH, 100, 200, "abc"));
	feed(fx->t, tcp(&fx->c, B, 1 * MS, T_ACK, 200, 103, NULL));
	const struct ph_conn *k = finish(fx);
	assert_string_equal(k->history, "Da");
	assert_string_equal(k->conn_state, "OTH");
	assert_int_equal(k->dir[0].bytes, 3);
}

static void test_retransmission_scaled(void **state)
{
	struct fixture *fx = *state;

	handshake(fx);
	feed(fx->t, tcp(&fx->c, A, 3 * MS, T_ACK, 1001, 5001, "hello"));
	for (int i = 0; i < 10; i++)
		feed(fx->t, tcp(&fx->c, A, (4 + i) * MS, T_ACK, 1001, 5001,
				"hello"));
	const struct ph_conn *k = finish(fx);
	/* 'T' at the 1st and the 10th retransmission */
	assert_string_equal(k->history, "ShADTT");
	assert_int_equal(k->dir[0].bytes, 5);
	assert_int_equal(fx->s.next_off[0], 5); /* delivered once */
}

static void test_zero_window(void **state)
{
	struct fixture *fx = *state;

	handshake(fx);
	fx->c.win = 0;
	feed(fx->t, tcp(&fx->c, B, 3 * MS, T_ACK, 5001, 1001, NULL));
	const struct ph_conn *k = finish(fx);
	assert_string_equal(k->history, "ShAaw");
}

static void test_flag_combos(void **state)
{
	struct fixture *fx = *state;

	handshake(fx);
	/* (a bare SYN from B would start a new connection: Zeek's IsReuse) */
	feed(fx->t, tcp(&fx->c, B, 3 * MS, T_SYN | T_FIN | T_ACK, 5000, 1001,
			NULL));
	feed(fx->t, tcp(&fx->c, A, 4 * MS, T_FIN | T_RST, 1001, 0, NULL));
	const struct ph_conn *k = finish(fx);
	assert_string_equal(k->history, "ShAqI");
}

static void test_reuse_after_close(void **state)
{
	struct fixture *fx = *state;

	handshake(fx);
	feed(fx->t, tcp(&fx->c, A, 3 * MS, T_FIN | T_ACK, 1001, 5001, NULL));
	feed(fx->t, tcp(&fx->c, B, 4 * MS, T_FIN | T_ACK, 5001, 1002, NULL));
	/* within the 5 s close delay: a new SYN ends the old connection */
	feed(fx->t, tcp(&fx->c, A, 1 * SEC, T_SYN, 9000, 0, NULL));
	assert_int_equal(fx->s.nend, 1);
	assert_int_equal(fx->s.end[0].end, PH_END_REUSED);
	assert_string_equal(fx->s.end[0].conn_state, "SF");
	feed(fx->t, tcp(&fx->c, B, 1 * SEC + MS, T_SYN | T_ACK, 3000, 9001,
			NULL));
	ph_flow_table_flush(fx->t);
	assert_int_equal(fx->s.nend, 2);
	assert_string_equal(fx->s.end[1].history, "Sh");
	assert_int_equal(fx->s.end[1].start_ns, 1 * SEC);
	assert_int_equal(fx->s.end[1].end, PH_END_EOF);
	assert_string_not_equal(fx->s.end[0].uid, fx->s.end[1].uid);
}

static void test_syn_seq_jump_is_reuse(void **state)
{
	struct fixture *fx = *state;

	feed(fx->t, tcp(&fx->c, A, 0, T_SYN, 1000, 0, NULL));
	feed(fx->t, tcp(&fx->c, A, 1 * SEC, T_SYN, 2000, 0, NULL));
	ph_flow_table_flush(fx->t);
	assert_int_equal(fx->s.nend, 2);
	assert_int_equal(fx->s.end[0].end, PH_END_REUSED);
}

static void test_inactivity_splits(void **state)
{
	struct fixture *fx = *state;

	handshake(fx);
	/* 5 min of silence (established: tcp_timeout), then more data */
	feed(fx->t, tcp(&fx->c, A, 2 * MS + 300 * SEC, T_ACK, 1001, 5001,
			"late"));
	assert_int_equal(fx->s.nend, 1);
	assert_string_equal(fx->s.end[0].conn_state, "S1");
	assert_int_equal(fx->s.end[0].end, PH_END_TIMEOUT);
	const struct ph_conn *k;
	ph_flow_table_flush(fx->t);
	k = &fx->s.end[1];
	assert_string_equal(k->history, "D");
	assert_string_equal(k->conn_state, "OTH");
}

static void test_partial_uses_tcp_timeout(void **state)
{
	struct fixture *fx = *state;

	/* PARTIAL is past the handshake: the 5-minute class */
	feed(fx->t, tcp(&fx->c, A, 0, T_ACK, 1, 1, NULL));
	ph_flow_table_expire(fx->t, 300 * SEC - 1);
	assert_int_equal(fx->s.nend, 0);
	ph_flow_table_expire(fx->t, 300 * SEC);
	assert_int_equal(fx->s.nend, 1);
	assert_int_equal(fx->s.end[0].end, PH_END_TIMEOUT);
}

static void test_rst_after_own_fin_expire_tick(void **state)
{
	struct fixture *fx = *state;

	handshake(fx);
	feed(fx->t, tcp(&fx->c, A, 1 * SEC, T_FIN | T_ACK, 1001, 5001, NULL));
	feed(fx->t, tcp(&fx->c, A, 2 * SEC, T_RST, 1002, 0, NULL));
	/* ExpireTimer ticks at start+5, +11: first past 2 s + 5 s linger */
	ph_flow_table_expire(fx->t, 11 * SEC - 1);
	assert_int_equal(fx->s.nend, 0);
	ph_flow_table_expire(fx->t, 11 * SEC);
	assert_int_equal(fx->s.nend, 1);
	assert_string_equal(fx->s.end[0].conn_state, "RSTO");
	assert_string_equal(fx->s.end[0].history, "ShAFR");
}

static void test_bytes_wraparound(void **state)
{
	struct fixture *fx = *state;
	uint32_t isn = 0xfffffff0u;

	feed(fx->t, tcp(&fx->c, A, 0, T_SYN, isn, 0, NULL));
	feed(fx->t, tcp(&fx->c, B, 1 * MS, T_SYN | T_ACK, 5000, isn + 1, NULL));
	feed(fx->t, tcp(&fx->c, A, 2 * MS, T_ACK, isn + 1, 5001,
			"0123456789abcdefghijklmnopqrstuvwxyz"));
	feed(fx->t, tcp(&fx->c, A, 3 * MS, T_ACK, isn + 37, 5001, "tail"));
	feed(fx->t, tcp(&fx->c, B, 4 * MS, T_ACK, 5001, isn + 41, NULL));
	const struct ph_conn *k = finish(fx);
	assert_int_equal(k->dir[0].bytes, 40);
	assert_int_equal(fx->s.next_off[0], 40);
	assert_int_equal(memcmp(fx->s.stream[0] + 36, "tail", 4), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_sf_full),
		T(test_s0_attempt_timer),
		T(test_rej),
		T(test_rstos0_and_sh),
		T(test_rsto_rstr),
		T(test_s1_s2_s3),
		T(test_synack_first_server_port),
		T(test_synack_first_then_ack_flips),
		T(test_midstream_oth),
		T(test_retransmission_scaled),
		T(test_zero_window),
		T(test_flag_combos),
		T(test_reuse_after_close),
		T(test_syn_seq_jump_is_reuse),
		T(test_inactivity_splits),
		T(test_partial_uses_tcp_timeout),
		T(test_rst_after_own_fin_expire_tick),
		T(test_bytes_wraparound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
