/* risky_names detection (src/detect/risky_names.c) on crafted captures:
 * a dynamic-DNS name looked up is low, medium once the device connects
 * to the address it resolved to; a high-abuse TLD fires; the provider's
 * own domain and look-alikes do not; the lists are replaceable with the
 * risky_names.dyndns / risky_names.tlds options. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "check_fixture.h"

#define DEV "192.168.1.23"
#define RES "192.168.1.1"
#define T0 1700000000000000000ull
#define MS 1000000ull

static void test_dyndns_lookup_then_connect(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	cfx_dns_lookup(&x, T0, DEV, 30000, RES, "cam1.duckdns.org", 1, 0,
		       "198.51.100.7");
	cfx_dns_lookup(&x, T0 + MS, DEV, 30001, RES, "home.ddns.net", 1, 0,
		       "198.51.100.8");
	struct cfx_tcp t;
	cfx_tcp_open(&x, &t, DEV, 40000, "198.51.100.7", 8443, T0 + 10 * MS);
	cfx_tcp_close(&x, &t, T0 + 20 * MS);
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	assert_int_equal(x.rc, 0);
	assert_int_equal(cfx_count(f, "risky_names."), 2);
	for (unsigned i = 0; i < ph_findings_count(f); i++) {
		const struct ph_finding *g = ph_findings_get(f, i);
		if (strcmp(g->id, "risky_names.dyndns") != 0)
			continue;
		if (!strcmp(g->name, "cam1.duckdns.org")) {
			assert_int_equal(g->severity, PH_SEV_MEDIUM);
			assert_string_equal(g->matched, "duckdns.org");
			assert_string_equal(g->field, "conn.resp_h");
			assert_string_equal(g->remote, "198.51.100.7");
		} else {
			assert_string_equal(g->name, "home.ddns.net");
			assert_int_equal(g->severity, PH_SEV_LOW);
			assert_string_equal(g->field, "dns.query");
		}
	}
	cfx_close(&x, f);
}

static void test_tld_and_benign(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	cfx_dns_lookup(&x, T0, DEV, 30000, RES, "shop.example.top", 1, 0,
		       "198.51.100.9");
	cfx_dns_lookup(&x, T0 + MS, DEV, 30001, RES, "www.duckdns.org.example.com",
		       1, 0, "198.51.100.10");
	cfx_dns_lookup(&x, T0 + 2 * MS, DEV, 30002, RES, "notduckdns.org", 1, 0,
		       "198.51.100.11");
	cfx_dns_lookup(&x, T0 + 3 * MS, DEV, 30003, RES, "duckdns.org", 1, 0,
		       "198.51.100.12");
	cfx_dns_lookup(&x, T0 + 4 * MS, DEV, 30004, RES, "top", 1, 0, NULL);
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	assert_int_equal(cfx_count(f, "risky_names."), 1);
	const struct ph_finding *t = cfx_find(f, "risky_names.tld");
	assert_non_null(t);
	assert_string_equal(t->matched, "top");
	assert_string_equal(t->name, "shop.example.top");
	assert_int_equal(t->severity, PH_SEV_LOW);
	cfx_close(&x, f);
}

static void test_lists_replaceable(void **state)
{
	(void)state;
	char *dpath = pb_tmpfile(".txt"), *tpath = pb_tmpfile(".txt");
	FILE *w = fopen(dpath, "w");
	fputs("# mine\n*.example.net   # a comment\n", w);
	fclose(w);
	w = fopen(tpath, "w");
	fputs("test\n", w);
	fclose(w);
	char s1[600], s2[600];
	snprintf(s1, sizeof s1, "risky_names.dyndns=%s", dpath);
	snprintf(s2, sizeof s2, "risky_names.tlds=%s", tpath);
	const char *set[] = {s1, s2};
	struct cfx x;
	cfx_open(&x);
	cfx_dns_lookup(&x, T0, DEV, 30000, RES, "a.example.net", 1, 0, NULL);
	cfx_dns_lookup(&x, T0 + MS, DEV, 30001, RES, "cam1.duckdns.org", 1, 0,
		       NULL);
	cfx_dns_lookup(&x, T0 + 2 * MS, DEV, 30002, RES, "shop.example.top", 1,
		       0, NULL);
	cfx_dns_lookup(&x, T0 + 3 * MS, DEV, 30003, RES, "foo.test", 1, 0, NULL);
	struct ph_findings *f = cfx_run(&x, set, 2);
	assert_int_equal(x.rc, 0);
	assert_int_equal(cfx_count(f, "risky_names."), 2);
	assert_string_equal(cfx_find(f, "risky_names.dyndns")->name,
			    "a.example.net");
	assert_string_equal(cfx_find(f, "risky_names.tld")->name, "foo.test");
	cfx_close(&x, f);
	unlink(dpath);
	unlink(tpath);
	free(dpath);
	free(tpath);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dyndns_lookup_then_connect),
		cmocka_unit_test(test_tld_and_benign),
		cmocka_unit_test(test_lists_replaceable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
