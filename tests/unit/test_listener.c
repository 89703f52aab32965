/* Tests for src/detect/listener.c on crafted captures: a public host's
 * adb connection the device accepts is high, a LAN peer's is medium, an
 * unknown accepted TCP service from the internet is medium and UDP low;
 * the nearest benign cases do not fire: a connection the device refused
 * (RST), the device's own outbound connection to port 5555, mDNS, a LAN
 * service the device uses. Option grace_seconds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "check_fixture.h"

#define S 1000000000ull
#define T0 (1700000000ull * S)
#define DEV "192.168.1.23"

static void start(struct cfx *x)
{
	cfx_udp(x, T0, DEV, 5353, "224.0.0.251", 5353, "x", 1);
}

/* a connects to b:port, b accepts, both talk, close. */
static void session(struct cfx *x, uint64_t ts, const char *a,
		    const char *b, uint16_t port)
{
	struct cfx_tcp t;
	cfx_tcp_open(x, &t, a, 55400, b, port, ts);
	cfx_tcp_send(x, &t, 0, ts + 3000000, "CNXN\0\0\0\1host::", 15);
	cfx_tcp_send(x, &t, 1, ts + 5000000, "CNXN\0\0\0\1device::", 17);
	cfx_tcp_close(x, &t, ts + 9000000);
}

static void test_public_adb_is_high(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	start(&x);
	session(&x, T0 + 420 * S, "198.51.100.9", DEV, 5555);
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	const struct ph_finding *d = cfx_find(f, "listener.remote_access");
	assert_non_null(d);
	assert_int_equal(d->severity, PH_SEV_HIGH);
	assert_int_equal(d->confidence, PH_CONF_HIGH);
	assert_string_equal(d->device, DEV);
	assert_string_equal(d->remote, "198.51.100.9");
	assert_string_equal(d->matched, "5555/tcp");
	assert_string_equal(d->attack, "T1219");
	cfx_close(&x, f);
}

static void test_lan_adb_is_medium(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	start(&x);
	session(&x, T0 + 100 * S, "192.168.1.50", DEV, 5555);
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	const struct ph_finding *d = cfx_find(f, "listener.remote_access");
	assert_non_null(d);
	assert_int_equal(d->severity, PH_SEV_MEDIUM);
	assert_string_equal(d->device, DEV);
	cfx_close(&x, f);
}

static void test_refused_and_outbound_do_not_fire(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	start(&x);
	/* SYN answered by RST: nothing listens. */
	struct cfx_tcp t = {.a = "198.51.100.9", .b = DEV, .pa = 55401,
			    .pb = 5555, .seq = {1000, 0}};
	cfx_tcp_seg(&x, &t, 0, T0 + 100 * S, PB_SYN, NULL, 0);
	cfx_tcp_seg(&x, &t, 1, T0 + 100 * S + 1000000, PB_RST | PB_ACK,
		    NULL, 0);
	/* The device's own connection to a remote port 5555. */
	session(&x, T0 + 110 * S, DEV, "203.0.113.5", 5555);
	/* mDNS from a LAN peer, and a LAN web service the device uses. */
	cfx_udp(&x, T0 + 120 * S, "192.168.1.40", 5353, DEV, 5353, "q", 1);
	cfx_udp(&x, T0 + 120 * S + 1000, DEV, 5353, "192.168.1.40", 5353,
		"a", 1);
	session(&x, T0 + 130 * S, DEV, "192.168.1.240", 8009);
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	assert_int_equal(cfx_count(f, "listener."), 0);
	cfx_close(&x, f);
}

static void test_unknown_inbound_tcp_medium_udp_low(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	start(&x);
	session(&x, T0 + 100 * S, "203.0.113.77", DEV, 8888);
	cfx_udp(&x, T0 + 200 * S, "203.0.113.78", 9000, DEV, 9001, "ping", 4);
	cfx_udp(&x, T0 + 200 * S + 1000000, DEV, 9001, "203.0.113.78", 9000,
		"pong", 4);
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	assert_int_equal(cfx_count(f, "listener.inbound"), 2);
	for (unsigned i = 0; i < ph_findings_count(f); i++) {
		const struct ph_finding *d = ph_findings_get(f, i);
		if (strcmp(d->id, "listener.inbound") == 0)
			assert_int_equal(d->severity, d->proto == 6 ?
					 PH_SEV_MEDIUM : PH_SEV_LOW);
	}
	cfx_close(&x, f);
}

static void test_udp_early_not_judged(void **state)
{
	(void)state;
	for (int k = 0; k < 2; k++) {
		struct cfx x;
		cfx_open(&x);
		start(&x);
		cfx_udp(&x, T0 + 5 * S, "203.0.113.78", 9000, DEV, 9001, "p", 1);
		cfx_udp(&x, T0 + 5 * S + 1000000, DEV, 9001, "203.0.113.78",
			9000, "q", 1);
		const char *set[] = {"listener.grace_seconds=0"};
		struct ph_findings *f = cfx_run(&x, set, k ? 1 : 0);
		assert_int_equal(cfx_count(f, "listener."), k ? 1 : 0);
		cfx_close(&x, f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_public_adb_is_high),
		cmocka_unit_test(test_lan_adb_is_medium),
		cmocka_unit_test(test_refused_and_outbound_do_not_fire),
		cmocka_unit_test(test_unknown_inbound_tcp_medium_udp_low),
		cmocka_unit_test(test_udp_early_not_judged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
