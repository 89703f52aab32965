/* Tests for src/detect/rst_injection.c on crafted captures: resets forged
 * right after the device's ClientHello (other TTL, IP ID, two sequence
 * numbers) fire a medium ttl_mismatch; one late in a connection fires low;
 * the server's own reset (same TTL), a refused connection (no baseline)
 * and a forged reset within the ttl_delta option stay quiet. */
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

static const uint8_t hello[] = {0x16, 0x03, 0x01, 0x00, 0x40, 0x01, 0x00,
				0x00, 0x3c, 0x03, 0x03, 'x', 'y', 'z'};

/* Handshake and ClientHello; the server's packets carry TTL 64, ID 0. */
static void open_and_hello(struct cfx *x, struct cfx_tcp *t, uint16_t port)
{
	cfx_tcp_open(x, t, DEV, port, SRV, 443, T0);
	cfx_tcp_send(x, t, 0, T0 + 3 * MS, hello, sizeof hello);
}

static struct ph_findings *run_forged(struct cfx *x, uint8_t rst_ttl,
				      const char *const *set, unsigned nset)
{
	struct cfx_tcp t;
	cfx_open(x);
	open_and_hello(x, &t, 40000);
	cfx_path_tcp_at(x, &t, 1, T0 + 5 * MS, PB_RST, t.seq[1], NULL, 0,
			rst_ttl, 12345, 2052);
	cfx_path_tcp_at(x, &t, 1, T0 + 6 * MS, PB_RST, t.seq[1] + 1460, NULL,
			0, rst_ttl, 23456, 2052);
	return cfx_run(x, set, nset);
}

static void test_forged_after_hello(void **state)
{
	(void)state;
	struct cfx x;
	struct ph_findings *f = run_forged(&x, 100, NULL, 0);
	assert_int_equal(x.rc, 0);
	const struct ph_finding *h = cfx_find(f, "rst_injection.ttl_mismatch");
	assert_non_null(h);
	assert_int_equal(h->severity, PH_SEV_MEDIUM);
	assert_int_equal(h->confidence, PH_CONF_HIGH);
	assert_string_equal(h->device, DEV);
	assert_string_equal(h->remote, SRV);
	assert_int_equal(h->remote_port, 443);
	assert_string_equal(h->field, "ip.ttl");
	assert_non_null(strstr(h->matched, "rst ttl 100 vs 64-64"));
	assert_non_null(strstr(h->explain, "2 resets"));
	assert_int_equal(cfx_count(f, "rst_injection."), 1);
	cfx_close(&x, f);
}

static void test_delta_option(void **state)
{
	(void)state;
	struct cfx x;
	const char *set[] = {"rst_injection.ttl_delta=50"};
	struct ph_findings *f = run_forged(&x, 100, set, 1);
	assert_int_equal(cfx_count(f, "rst_injection."), 0);
	cfx_close(&x, f);
	/* One hop off (a route change) is within the default. */
	f = run_forged(&x, 63, NULL, 0);
	assert_int_equal(cfx_count(f, "rst_injection."), 0);
	cfx_close(&x, f);
}

static void test_late_reset_low(void **state)
{
	(void)state;
	struct cfx x;
	struct cfx_tcp t;
	cfx_open(&x);
	open_and_hello(&x, &t, 40001);
	cfx_tcp_send(&x, &t, 1, T0 + 20 * MS, "server data", 11);
	cfx_tcp_send(&x, &t, 0, T0 + 60000 * MS, "more", 4);
	cfx_path_tcp_at(&x, &t, 1, T0 + 60010 * MS, PB_RST, t.seq[1], NULL, 0,
			250, 0, 0);
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	const struct ph_finding *h = cfx_find(f, "rst_injection.ttl_mismatch");
	assert_non_null(h);
	assert_int_equal(h->severity, PH_SEV_LOW);
	assert_int_equal(h->confidence, PH_CONF_LOW);
	cfx_close(&x, f);
}

static void test_own_reset_quiet(void **state)
{
	(void)state;
	struct cfx x;
	struct cfx_tcp t, u;
	cfx_open(&x);
	/* The server itself resets after the hello: same TTL. */
	open_and_hello(&x, &t, 40002);
	cfx_path_tcp_at(&x, &t, 1, T0 + 50 * MS, PB_RST | PB_ACK, t.seq[1],
			NULL, 0, 64, 0, 0);
	/* A closed port: SYN answered by RST only, nothing to compare. */
	memset(&u, 0, sizeof u);
	u.a = DEV, u.b = SRV, u.pa = 40003, u.pb = 8443;
	u.seq[0] = 1000, u.seq[1] = 0;
	cfx_tcp_seg(&x, &u, 0, T0 + 100 * MS, PB_SYN, NULL, 0);
	cfx_path_tcp_at(&x, &u, 1, T0 + 101 * MS, PB_RST | PB_ACK, 0, NULL, 0,
			200, 0, 0);
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	assert_int_equal(x.rc, 0);
	assert_int_equal(cfx_count(f, "rst_injection."), 0);
	cfx_close(&x, f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forged_after_hello),
		cmocka_unit_test(test_delta_option),
		cmocka_unit_test(test_late_reset_low),
		cmocka_unit_test(test_own_reset_quiet),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
