/* Tests for src/detect/dns_injection.c on crafted captures: a query
 * answered twice with different records (forged answer first, fast, with
 * another IP TTL) fires double_answer; a retransmitted query answered twice
 * (round-robin DNS), an exact duplicate answer, and a resolver whose TTL
 * changes for good (route change) do not; a lone odd-TTL answer from an
 * otherwise steady resolver gives ttl_mismatch; options are honoured. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "check_fixture.h"

#define DEV "192.168.1.23"
#define RES "8.8.8.8"
#define MS 1000000ull
#define T0 1700000000000000000ull

static void query(struct cfx *x, uint64_t ts, uint16_t port, uint16_t id,
		  const char *name)
{
	uint8_t b[512];
	size_t n = cfx_path_dns(b, sizeof b, id, 0, 0, name, NULL);
	cfx_path_udp(x, ts, DEV, port, RES, 53, b, n, 64, 1);
}

static void answer(struct cfx *x, uint64_t ts, uint16_t port, uint16_t id,
		   const char *name, const char *addr, uint8_t ttl)
{
	uint8_t b[512];
	const char *a[2] = {addr, NULL};
	size_t n = cfx_path_dns(b, sizeof b, id, 1, 0, name, a);
	cfx_path_udp(x, ts, RES, 53, DEV, port, b, n, ttl, 7);
}

/* Query; forged answer after 3 ms (TTL 110); real one after 40 ms. */
static struct ph_findings *run_injected(struct cfx *x, const char *const *set,
					unsigned nset, uint8_t forged_ttl)
{
	cfx_open(x);
	query(x, T0, 40000, 0x1234, "blocked.example");
	answer(x, T0 + 3 * MS, 40000, 0x1234, "blocked.example", "1.2.3.4",
	       forged_ttl);
	answer(x, T0 + 40 * MS, 40000, 0x1234, "blocked.example",
	       "93.184.216.34", 118);
	return cfx_run(x, set, nset);
}

static void test_double_answer_fires(void **state)
{
	(void)state;
	struct cfx x;
	struct ph_findings *f = run_injected(&x, NULL, 0, 110);
	assert_int_equal(x.rc, 0);
	const struct ph_finding *h = cfx_find(f, "dns_injection.double_answer");
	assert_non_null(h);
	assert_int_equal(h->severity, PH_SEV_MEDIUM);
	assert_int_equal(h->confidence, PH_CONF_HIGH);
	assert_string_equal(h->name, "blocked.example");
	assert_string_equal(h->device, DEV);
	assert_string_equal(h->remote, RES);
	assert_int_equal(h->remote_port, 53);
	assert_string_equal(h->matched, "1.2.3.4 / 93.184.216.34");
	assert_non_null(strstr(h->explain, "TTLs 110 and 118"));
	assert_int_equal(cfx_count(f, "dns_injection.ttl_mismatch"), 0);
	cfx_close(&x, f);
}

/* Neither fast nor on another path: still reported, medium confidence. */
static void test_double_answer_options(void **state)
{
	(void)state;
	struct cfx x;
	const char *set[] = {"dns_injection.fast_ratio=0"};
	struct ph_findings *f = run_injected(&x, set, 1, 118);
	const struct ph_finding *h = cfx_find(f, "dns_injection.double_answer");
	assert_non_null(h);
	assert_int_equal(h->confidence, PH_CONF_MEDIUM);
	cfx_close(&x, f);
}

/* The query was sent twice (same id): two answers, rotated records. */
static void test_retransmitted_query_quiet(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	query(&x, T0, 40001, 0x2222, "cdn.example");
	query(&x, T0 + 1000 * MS, 40001, 0x2222, "cdn.example");
	answer(&x, T0 + 1010 * MS, 40001, 0x2222, "cdn.example", "1.1.1.10",
	       118);
	answer(&x, T0 + 1020 * MS, 40001, 0x2222, "cdn.example", "1.1.1.20",
	       118);
	/* And an exact duplicate of an answer (the network doubled it). */
	query(&x, T0 + 2000 * MS, 40002, 0x3333, "dup.example");
	answer(&x, T0 + 2010 * MS, 40002, 0x3333, "dup.example", "1.1.1.30",
	       118);
	answer(&x, T0 + 2011 * MS, 40002, 0x3333, "dup.example", "1.1.1.30",
	       118);
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	assert_int_equal(x.rc, 0);
	assert_int_equal(cfx_count(f, "dns_injection."), 0);
	cfx_close(&x, f);
}

/* n lookups on their own ports, answer TTL from ttl_of(i). */
static struct ph_findings *run_many(struct cfx *x, unsigned n,
				    uint8_t (*ttl_of)(unsigned),
				    const char *const *set, unsigned nset)
{
	cfx_open(x);
	for (unsigned i = 0; i < n; i++) {
		uint64_t ts = T0 + i * 500 * MS;
		char name[32];
		snprintf(name, sizeof name, "n%u.example", i);
		query(x, ts, (uint16_t)(41000 + i), (uint16_t)(100 + i), name);
		answer(x, ts + 20 * MS, (uint16_t)(41000 + i),
		       (uint16_t)(100 + i), name, "198.51.100.7", ttl_of(i));
	}
	return cfx_run(x, set, nset);
}

static uint8_t lone_odd(unsigned i) { return i == 7 ? 100 : 118; }
static uint8_t route_change(unsigned i) { return i < 8 ? 118 : 110; }

static void test_ttl_mismatch(void **state)
{
	(void)state;
	struct cfx x;
	struct ph_findings *f = run_many(&x, 14, lone_odd, NULL, 0);
	const struct ph_finding *h = cfx_find(f, "dns_injection.ttl_mismatch");
	assert_non_null(h);
	assert_int_equal(h->severity, PH_SEV_LOW);
	assert_int_equal(h->confidence, PH_CONF_LOW);
	assert_string_equal(h->name, "n7.example");
	assert_string_equal(h->matched, "ttl 100 vs usual 118");
	assert_int_equal(cfx_count(f, "dns_injection."), 1);
	cfx_close(&x, f);
	/* Too few answers for the option's minimum: quiet. */
	const char *set[] = {"dns_injection.min_responses=20"};
	f = run_many(&x, 14, lone_odd, set, 1);
	assert_int_equal(cfx_count(f, "dns_injection."), 0);
	cfx_close(&x, f);
}

static void test_route_change_quiet(void **state)
{
	(void)state;
	struct cfx x;
	struct ph_findings *f = run_many(&x, 16, route_change, NULL, 0);
	assert_int_equal(cfx_count(f, "dns_injection."), 0);
	cfx_close(&x, f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_double_answer_fires),
		cmocka_unit_test(test_double_answer_options),
		cmocka_unit_test(test_retransmitted_query_quiet),
		cmocka_unit_test(test_ttl_mismatch),
		cmocka_unit_test(test_route_change_quiet),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
