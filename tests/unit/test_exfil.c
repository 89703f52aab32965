/* Tests for src/detect/exfil.c on crafted captures: a 3 MB upload to an
 * address no DNS answer produced is medium, to a looked-up name low; a
 * download or a small upload does not fire; a connection held two hours
 * is low, one to the push port 5228 info. Options upload_min_bytes,
 * upload_ratio and long_seconds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "check_fixture.h"

#define S 1000000000ull
#define T0 (1700000000ull * S)
#define DEV "192.168.1.23"

static uint8_t blob[3000000];

static void transfer(struct cfx *x, uint64_t ts, const char *dst,
		     size_t up, size_t down)
{
	struct cfx_tcp t;
	cfx_tcp_open(x, &t, DEV, 41000, dst, 443, ts);
	cfx_tcp_send(x, &t, 0, ts + 3000000, blob, up);
	cfx_tcp_send(x, &t, 1, ts + 2 * S, blob, down);
	cfx_tcp_close(x, &t, ts + 3 * S);
}

static void dns_answer(struct cfx *x, uint64_t ts, const char *name,
		       const char *addr)
{
	uint8_t r[512];
	const char *addrs[] = {addr, NULL};
	size_t rn = cfx_path_dns(r, sizeof r, 7, 1, 0, name, addrs);
	cfx_udp(x, ts, "192.168.1.1", 53, DEV, 33333, r, rn);
}

static void test_upload_unresolved_medium_resolved_low(void **state)
{
	(void)state;
	for (int k = 0; k < 2; k++) {
		struct cfx x;
		cfx_open(&x);
		if (k)
			dns_answer(&x, T0, "backup.example.com", "203.0.113.20");
		transfer(&x, T0 + S, "203.0.113.20", sizeof blob, 2000);
		struct ph_findings *f = cfx_run(&x, NULL, 0);
		const struct ph_finding *d = cfx_find(f, "exfil.upload");
		assert_non_null(d);
		assert_string_equal(d->remote, "203.0.113.20");
		assert_int_equal(d->severity, k ? PH_SEV_LOW : PH_SEV_MEDIUM);
		assert_string_equal(d->attack, "T1041");
		cfx_close(&x, f);
	}
}

static void test_download_and_small_upload_do_not_fire(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	transfer(&x, T0, "203.0.113.21", 2000, sizeof blob);
	transfer(&x, T0 + 10 * S, "203.0.113.22", 500000, 1000);
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	assert_int_equal(cfx_count(f, "exfil.upload"), 0);
	cfx_close(&x, f);
}

static void test_upload_options(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	transfer(&x, T0, "203.0.113.22", 500000, 100000);
	const char *set[] = {"exfil.upload_min_bytes=100000",
			     "exfil.upload_ratio=4"};
	struct ph_findings *f = cfx_run(&x, set, 2);
	assert_non_null(cfx_find(f, "exfil.upload"));
	cfx_close(&x, f);
}

static void hold(struct cfx *x, const char *dst, uint16_t port,
		 uint64_t secs)
{
	struct cfx_tcp t;
	cfx_tcp_open(x, &t, DEV, 42000, dst, port, T0);
	for (uint64_t s = 120; s < secs; s += 120)
		cfx_tcp_send(x, &t, (int)(s / 120) & 1, T0 + s * S, "hb", 2);
	cfx_tcp_close(x, &t, T0 + secs * S);
}

static void test_long_connection_low_push_info(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	hold(&x, "203.0.113.30", 7000, 7300);
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	const struct ph_finding *d = cfx_find(f, "exfil.long_connection");
	assert_non_null(d);
	assert_int_equal(d->severity, PH_SEV_LOW);
	assert_non_null(strstr(d->title, "1 hour"));
	cfx_close(&x, f);

	cfx_open(&x);
	hold(&x, "108.177.15.188", 5228, 7300);
	f = cfx_run(&x, NULL, 0);
	d = cfx_find(f, "exfil.long_connection");
	assert_non_null(d);
	assert_int_equal(d->severity, PH_SEV_INFO);
	assert_non_null(strstr(d->explain, "push"));
	cfx_close(&x, f);
}

static void test_short_connection_and_option(void **state)
{
	(void)state;
	for (int k = 0; k < 2; k++) {
		struct cfx x;
		cfx_open(&x);
		hold(&x, "203.0.113.31", 7000, 1900);
		const char *set[] = {"exfil.long_seconds=1800"};
		struct ph_findings *f = cfx_run(&x, set, k ? 1 : 0);
		assert_int_equal(cfx_count(f, "exfil.long_connection"), k);
		cfx_close(&x, f);
	}
}

int main(void)
{
	for (size_t i = 0; i < sizeof blob; i++)
		blob[i] = (uint8_t)(i * 131 + (i >> 9));
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_upload_unresolved_medium_resolved_low),
		cmocka_unit_test(test_download_and_small_upload_do_not_fire),
		cmocka_unit_test(test_upload_options),
		cmocka_unit_test(test_long_connection_low_push_info),
		cmocka_unit_test(test_short_connection_and_option),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
