/* Tests for src/detect/direct_ip.c on crafted captures: connections to an
 * address no DNS answer produced fire (medium when repeated or plain
 * HTTP, low when early in the capture), and the nearest benign cases do
 * not: an address a DNS answer gave before the connection, NTP, DNS to a
 * public resolver, multicast. Options grace_seconds and repeat_min. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "check_fixture.h"

#define S 1000000000ull
#define T0 (1700000000ull * S)
#define DEV "192.168.1.23"

static void dns_answer(struct cfx *x, uint64_t ts, const char *name,
		       const char *addr)
{
	uint8_t q[512], r[512];
	const char *addrs[] = {addr, NULL};
	size_t qn = cfx_path_dns(q, sizeof q, 7, 0, 0, name, NULL);
	size_t rn = cfx_path_dns(r, sizeof r, 7, 1, 0, name, addrs);
	cfx_udp(x, ts, DEV, 33333, "192.168.1.1", 53, q, qn);
	cfx_udp(x, ts + 1000000, "192.168.1.1", 53, DEV, 33333, r, rn);
}

/* The capture starts at T0 with an unrelated lookup (a capture without
 * any DNS answer only gets low-confidence findings). */
static void start(struct cfx *x)
{
	dns_answer(x, T0, "www.example.org", "192.0.2.200");
}

static void conn(struct cfx *x, uint64_t ts, const char *dst, uint16_t port,
		 const char *data)
{
	struct cfx_tcp t;
	cfx_tcp_open(x, &t, DEV, (uint16_t)(40000 + (ts / S) % 1000), dst,
		     port, ts);
	cfx_tcp_send(x, &t, 0, ts + 3000000, data, strlen(data));
	cfx_tcp_send(x, &t, 1, ts + 5000000, "ok", 2);
	cfx_tcp_close(x, &t, ts + 9000000);
}

static void test_repeated_unresolved_is_medium(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	start(&x);
	for (int i = 0; i < 3; i++)
		conn(&x, T0 + (100 + 60 * (uint64_t)i) * S, "203.0.113.50",
		     443, "\x17\x03\x03\x00\x05hello");
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	const struct ph_finding *d = cfx_find(f, "direct_ip.unresolved");
	assert_non_null(d);
	assert_string_equal(d->remote, "203.0.113.50");
	assert_string_equal(d->device, DEV);
	assert_int_equal(d->remote_port, 443);
	assert_int_equal(d->count, 3);
	assert_int_equal(d->severity, PH_SEV_MEDIUM);
	assert_int_equal(d->confidence, PH_CONF_MEDIUM);
	assert_string_equal(d->field, "conn.resp_h");
	cfx_close(&x, f);
}

static void test_single_unresolved_is_low_unless_option(void **state)
{
	(void)state;
	for (int k = 0; k < 2; k++) {
		struct cfx x;
		cfx_open(&x);
		start(&x);
		conn(&x, T0 + 100 * S, "203.0.113.51", 7000, "hello there");
		const char *set[] = {"direct_ip.repeat_min=1"};
		struct ph_findings *f = cfx_run(&x, set, k ? 1 : 0);
		const struct ph_finding *d = cfx_find(f, "direct_ip.unresolved");
		assert_non_null(d);
		assert_int_equal(d->severity, k ? PH_SEV_MEDIUM : PH_SEV_LOW);
		cfx_close(&x, f);
	}
}

static void test_http_to_bare_address_is_medium(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	start(&x);
	conn(&x, T0 + 200 * S, "198.51.100.77", 8080,
	     "POST /api/v1/collect HTTP/1.1\r\nHost: 198.51.100.77:8080\r\n"
	     "Content-Length: 2\r\n\r\n{}");
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	const struct ph_finding *d = cfx_find(f, "direct_ip.unresolved");
	assert_non_null(d);
	assert_int_equal(d->severity, PH_SEV_MEDIUM);
	assert_string_equal(d->attack, "T1071.001");
	cfx_close(&x, f);
}

static void test_resolved_address_does_not_fire(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	start(&x);
	dns_answer(&x, T0 + 99 * S, "api.example.com", "203.0.113.50");
	for (int i = 0; i < 3; i++)
		conn(&x, T0 + (100 + 60 * (uint64_t)i) * S, "203.0.113.50",
		     443, "hello");
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	assert_null(cfx_find(f, "direct_ip.unresolved"));
	cfx_close(&x, f);
}

static void test_lookup_after_connection_still_fires(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	start(&x);
	struct cfx_tcp t;
	cfx_tcp_open(&x, &t, DEV, 41000, "203.0.113.52", 443, T0 + 100 * S);
	cfx_tcp_send(&x, &t, 0, T0 + 101 * S, "hello", 5);
	dns_answer(&x, T0 + 110 * S, "late.example.com", "203.0.113.52");
	cfx_tcp_send(&x, &t, 1, T0 + 111 * S, "back", 4);
	cfx_tcp_close(&x, &t, T0 + 120 * S);
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	const struct ph_finding *d = cfx_find(f, "direct_ip.unresolved");
	assert_non_null(d);
	assert_non_null(strstr(d->explain, "only later"));
	cfx_close(&x, f);
}

static void test_early_connection_is_low_confidence(void **state)
{
	(void)state;
	for (int k = 0; k < 2; k++) {
		struct cfx x;
		cfx_open(&x);
		start(&x);
		for (int i = 0; i < 3; i++)
			conn(&x, T0 + (5 + 10 * (uint64_t)i) * S,
			     "203.0.113.53", 443, "hello");
		const char *set[] = {"direct_ip.grace_seconds=0"};
		struct ph_findings *f = cfx_run(&x, set, k ? 1 : 0);
		const struct ph_finding *d = cfx_find(f, "direct_ip.unresolved");
		assert_non_null(d);
		assert_int_equal(d->confidence, k ? PH_CONF_MEDIUM : PH_CONF_LOW);
		assert_int_equal(d->severity, k ? PH_SEV_MEDIUM : PH_SEV_LOW);
		cfx_close(&x, f);
	}
}

static void test_ntp_resolver_multicast_do_not_fire(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	start(&x);
	uint8_t ntp[48] = {0x23};
	cfx_udp(&x, T0 + 100 * S, DEV, 40123, "216.239.35.4", 123, ntp, 48);
	cfx_udp(&x, T0 + 100 * S + 20000000, "216.239.35.4", 123, DEV, 40123,
		ntp, 48);
	uint8_t q[512];
	size_t qn = cfx_path_dns(q, sizeof q, 9, 0, 0, "a.example", NULL);
	cfx_udp(&x, T0 + 101 * S, DEV, 40200, "8.8.8.8", 53, q, qn);
	conn(&x, T0 + 102 * S, "1.1.1.1", 853, "dot");
	cfx_udp(&x, T0 + 103 * S, DEV, 1900, "239.255.255.250", 1900, "M", 1);
	cfx_udp(&x, T0 + 104 * S, DEV, 40300, "203.0.113.60", 3478, "stun",
		4);
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	assert_int_equal(cfx_count(f, "direct_ip."), 0);
	cfx_close(&x, f);
}

static void test_capture_without_dns_is_low(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	cfx_udp(&x, T0, DEV, 5353, "224.0.0.251", 5353, "x", 1);
	for (int i = 0; i < 3; i++)
		conn(&x, T0 + (100 + 60 * (uint64_t)i) * S, "203.0.113.50",
		     443, "hello");
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	const struct ph_finding *d = cfx_find(f, "direct_ip.unresolved");
	assert_non_null(d);
	assert_int_equal(d->severity, PH_SEV_LOW);
	assert_int_equal(d->confidence, PH_CONF_LOW);
	cfx_close(&x, f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_repeated_unresolved_is_medium),
		cmocka_unit_test(test_single_unresolved_is_low_unless_option),
		cmocka_unit_test(test_http_to_bare_address_is_medium),
		cmocka_unit_test(test_resolved_address_does_not_fire),
		cmocka_unit_test(test_lookup_after_connection_still_fires),
		cmocka_unit_test(test_early_connection_is_low_confidence),
		cmocka_unit_test(test_ntp_resolver_multicast_do_not_fire),
		cmocka_unit_test(test_capture_without_dns_is_low),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
