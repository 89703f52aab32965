/* Tests for src/detect/http_injection.c on crafted captures: a forged
 * "403" racing the server's "200" at the same sequence number fires
 * double_response, a plain retransmission of the same bytes (or zero
 * padding at the same place) does not; a
 * response 2 ms after the request on a 100 ms path fires fast_response
 * (medium; 20 ms: low), one after a full round trip does not, nor with a
 * stricter fast_ratio. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "check_fixture.h"

#define DEV "192.168.1.23"
#define SRV "203.0.113.80"
#define MS 1000000ull
#define T0 1700000000000000000ull

static const char req[] = "GET / HTTP/1.1\r\nHost: blocked.example\r\n\r\n";
static const char forged[] = "HTTP/1.1 403 Forbidden\r\n"
			     "Content-Length: 0\r\n\r\n";
static const char real[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
			   "hello";

static void test_double_response(void **state)
{
	(void)state;
	struct cfx x;
	struct cfx_tcp t;
	cfx_open(&x);
	cfx_tcp_open(&x, &t, DEV, 40000, SRV, 80, T0);
	cfx_tcp_send(&x, &t, 0, T0 + 3 * MS, req, strlen(req));
	cfx_path_tcp_at(&x, &t, 1, T0 + 4 * MS, PB_ACK | PB_PSH, t.seq[1],
			forged, strlen(forged), 90, 999, 0);
	cfx_tcp_send(&x, &t, 1, T0 + 50 * MS, real, strlen(real));
	cfx_tcp_close(&x, &t, T0 + 60 * MS);
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	assert_int_equal(x.rc, 0);
	const struct ph_finding *h =
		cfx_find(f, "http_injection.double_response");
	assert_non_null(h);
	assert_int_equal(h->severity, PH_SEV_MEDIUM);
	assert_int_equal(h->confidence, PH_CONF_HIGH);
	assert_string_equal(h->remote, SRV);
	assert_int_equal(h->remote_port, 80);
	assert_string_equal(h->matched,
			    "\"HTTP/1.1 403 Forbidden\" / \"HTTP/1.1 200 OK\"");
	assert_int_equal(cfx_count(f, "http_injection."), 1);
	cfx_close(&x, f);
}

static void test_retransmission_quiet(void **state)
{
	(void)state;
	struct cfx x;
	struct cfx_tcp t;
	cfx_open(&x);
	cfx_tcp_open(&x, &t, DEV, 40001, SRV, 80, T0);
	cfx_tcp_send(&x, &t, 0, T0 + 3 * MS, req, strlen(req));
	/* An ACK whose Ethernet padding counts as 6 zero bytes of data. */
	static const uint8_t pad[6];
	cfx_path_tcp_at(&x, &t, 1, T0 + 10 * MS, PB_ACK, t.seq[1], pad,
			sizeof pad, 0, 0, 0);
	cfx_path_tcp_at(&x, &t, 1, T0 + 30 * MS, PB_ACK | PB_PSH, t.seq[1],
			real, strlen(real), 0, 0, 0);
	cfx_tcp_send(&x, &t, 1, T0 + 230 * MS, real, strlen(real));
	cfx_tcp_close(&x, &t, T0 + 300 * MS);
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	assert_int_equal(x.rc, 0);
	assert_int_equal(cfx_count(f, "http_injection."), 0);
	cfx_close(&x, f);
}

/* A 100 ms handshake, the request at +102 ms, the reply `after` ms
 * later. */
static struct ph_findings *run_timed(struct cfx *x, uint64_t after,
				     const char *const *set, unsigned nset)
{
	struct cfx_tcp t;
	cfx_open(x);
	memset(&t, 0, sizeof t);
	t.a = DEV, t.b = SRV, t.pa = 40002, t.pb = 80;
	t.seq[0] = 1000, t.seq[1] = 5000;
	cfx_tcp_seg(x, &t, 0, T0, PB_SYN, NULL, 0);
	cfx_tcp_seg(x, &t, 1, T0 + 100 * MS, PB_SYN | PB_ACK, NULL, 0);
	cfx_tcp_seg(x, &t, 0, T0 + 101 * MS, PB_ACK, NULL, 0);
	cfx_tcp_send(x, &t, 0, T0 + 102 * MS, req, strlen(req));
	cfx_tcp_send(x, &t, 1, T0 + (102 + after) * MS, forged,
		     strlen(forged));
	cfx_tcp_close(x, &t, T0 + 400 * MS);
	return cfx_run(x, set, nset);
}

static void test_fast_response(void **state)
{
	(void)state;
	struct cfx x;
	struct ph_findings *f = run_timed(&x, 2, NULL, 0);
	const struct ph_finding *h =
		cfx_find(f, "http_injection.fast_response");
	assert_non_null(h);
	assert_int_equal(h->severity, PH_SEV_MEDIUM);
	assert_int_equal(h->confidence, PH_CONF_MEDIUM);
	assert_string_equal(h->name, "blocked.example");
	assert_non_null(strstr(h->matched, "status 403"));
	cfx_close(&x, f);
	/* 20 ms on a 100 ms path: fast, but a slow first round trip could
	 * explain it: low. */
	f = run_timed(&x, 20, NULL, 0);
	h = cfx_find(f, "http_injection.fast_response");
	assert_non_null(h);
	assert_int_equal(h->severity, PH_SEV_LOW);
	assert_int_equal(h->confidence, PH_CONF_LOW);
	cfx_close(&x, f);
}

static void test_normal_timing_quiet(void **state)
{
	(void)state;
	struct cfx x;
	struct ph_findings *f = run_timed(&x, 110, NULL, 0);
	assert_int_equal(cfx_count(f, "http_injection."), 0);
	cfx_close(&x, f);
	const char *set[] = {"http_injection.fast_ratio=0.01"};
	f = run_timed(&x, 2, set, 1);
	assert_int_equal(cfx_count(f, "http_injection."), 0);
	cfx_close(&x, f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_double_response),
		cmocka_unit_test(test_retransmission_quiet),
		cmocka_unit_test(test_fast_response),
		cmocka_unit_test(test_normal_timing_quiet),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
