/* Tests for src/detect/unusual_port.c on crafted captures: HTTP on a
 * non-standard port, random-looking bytes of an unknown protocol on a
 * non-standard port, structured unknown payload, ICMP echo with random
 * and with large payloads; and the nearest benign cases: HTTP on 8080,
 * random bytes on 443, an ordinary ping. Options entropy_bits and
 * icmp_large. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "check_fixture.h"

#define S 1000000000ull
#define T0 (1700000000ull * S)
#define DEV "192.168.1.23"

static void fill_random(uint8_t *p, size_t n, uint64_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
		p[i] = (uint8_t)(seed >> 24);
	}
}

static void session(struct cfx *x, uint64_t ts, const char *dst,
		    uint16_t port, const void *out, size_t n)
{
	struct cfx_tcp t;
	cfx_tcp_open(x, &t, DEV, (uint16_t)(40000 + port % 1000), dst, port, ts);
	cfx_tcp_send(x, &t, 0, ts + 3000000, out, n);
	cfx_tcp_send(x, &t, 1, ts + 9000000, "ok", 2);
	cfx_tcp_close(x, &t, ts + 20000000);
}

static const char http_req[] = "GET /index.html HTTP/1.1\r\nHost: "
			       "www.example.com\r\nUser-Agent: t\r\n\r\n";

static void test_http_off_port_fires_on_8080_not(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	session(&x, T0, "203.0.113.5", 9999, http_req, strlen(http_req));
	session(&x, T0 + S, "203.0.113.6", 8080, http_req, strlen(http_req));
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	assert_int_equal(cfx_count(f, "unusual_port.known_protocol"), 1);
	const struct ph_finding *d = cfx_find(f, "unusual_port.known_protocol");
	assert_string_equal(d->matched, "9999/tcp");
	assert_int_equal(d->severity, PH_SEV_LOW);
	assert_string_equal(d->attack, "T1571");
	cfx_close(&x, f);
}

static void test_random_payload_off_port(void **state)
{
	(void)state;
	static uint8_t rnd[2000];
	fill_random(rnd, sizeof rnd, 42);
	for (int k = 0; k < 2; k++) {
		struct cfx x;
		cfx_open(&x);
		session(&x, T0, "203.0.113.7", 7777, rnd, sizeof rnd);
		session(&x, T0 + S, "203.0.113.8", 443, rnd, sizeof rnd);
		const char *set[] = {"unusual_port.entropy_bits=8"};
		struct ph_findings *f = cfx_run(&x, set, k ? 1 : 0);
		const char *want = k ? "unusual_port.unknown_protocol" :
				   "unusual_port.encrypted_unknown";
		const struct ph_finding *d = cfx_find(f, want);
		assert_non_null(d);
		assert_string_equal(d->matched, "7777/tcp");
		assert_int_equal(cfx_count(f, "unusual_port."), 1);
		cfx_close(&x, f);
	}
}

static void test_text_payload_is_unknown_info(void **state)
{
	(void)state;
	static char txt[1200];
	for (size_t i = 0; i + 1 < sizeof txt; i++)
		txt[i] = "hello world status=ok "[i % 22];
	struct cfx x;
	cfx_open(&x);
	session(&x, T0, "203.0.113.9", 6000, txt, strlen(txt));
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	const struct ph_finding *d = cfx_find(f, "unusual_port.unknown_protocol");
	assert_non_null(d);
	assert_int_equal(d->severity, PH_SEV_INFO);
	assert_null(cfx_find(f, "unusual_port.encrypted_unknown"));
	cfx_close(&x, f);
}

static void ping(struct cfx *x, uint64_t ts, const uint8_t *p, size_t n)
{
	struct pb_l4 rq = {.proto = 1, .icmp_type = 8};
	struct pb_l4 rp = {.proto = 1, .icmp_type = 0};
	cfx_packet(x, ts, DEV, "203.0.113.10", &rq, p, n);
	cfx_packet(x, ts + 20000000, "203.0.113.10", DEV, &rp, p, n);
}

static void test_icmp_tunnel_and_ordinary_ping(void **state)
{
	(void)state;
	static uint8_t rnd[4][120], pat[56];
	for (int i = 0; i < 4; i++)
		fill_random(rnd[i], sizeof rnd[i], 7 + (uint64_t)i);
	for (int i = 0; i < 56; i++)
		pat[i] = (uint8_t)(0x10 + i);
	struct cfx x;
	cfx_open(&x);
	for (int i = 0; i < 4; i++)
		ping(&x, T0 + (uint64_t)i * S, rnd[i], sizeof rnd[i]);
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	const struct ph_finding *d = cfx_find(f, "unusual_port.icmp_tunnel");
	assert_non_null(d);
	assert_int_equal(d->severity, PH_SEV_MEDIUM);
	cfx_close(&x, f);

	cfx_open(&x);
	for (int i = 0; i < 6; i++)
		ping(&x, T0 + (uint64_t)i * S, pat, sizeof pat);
	f = cfx_run(&x, NULL, 0);
	assert_int_equal(cfx_count(f, "unusual_port."), 0);
	cfx_close(&x, f);
}

static void test_large_ping_low_and_option(void **state)
{
	(void)state;
	static uint8_t big[1000];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (uint8_t)i;
	for (int k = 0; k < 2; k++) {
		struct cfx x;
		cfx_open(&x);
		ping(&x, T0, big, sizeof big);
		const char *set[] = {"unusual_port.icmp_large=2000"};
		struct ph_findings *f = cfx_run(&x, set, k ? 1 : 0);
		const struct ph_finding *d =
			cfx_find(f, "unusual_port.icmp_tunnel");
		if (k) {
			assert_null(d);
		} else {
			assert_non_null(d);
			assert_int_equal(d->severity, PH_SEV_LOW);
		}
		cfx_close(&x, f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_off_port_fires_on_8080_not),
		cmocka_unit_test(test_random_payload_off_port),
		cmocka_unit_test(test_text_payload_is_unknown_info),
		cmocka_unit_test(test_icmp_tunnel_and_ordinary_ping),
		cmocka_unit_test(test_large_ping_low_and_option),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
