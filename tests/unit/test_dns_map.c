/* Unit tests for the resolved-address map (src/proto/dns_map.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "peephole/dns_map.h"

static int count(void *user, const struct ph_dns_map_entry *e)
{
	(void)e;
	(*(int *)user)++;
	return 0;
}

static int first_name(void *user, const struct ph_dns_map_entry *e)
{
	snprintf(user, 64, "%.*s", (int)e->name_len, e->name);
	return 1;
}

static void test_add_lookup_update(void **s)
{
	(void)s;
	struct ph_dns_map *m = ph_dns_map_new(0, 0);
	const uint8_t a[4] = {1, 2, 3, 4}, b[4] = {1, 2, 3, 5};
	uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8};
	assert_int_equal(ph_dns_map_add(m, a, 4, "x.test", 6, 100), 1);
	assert_int_equal(ph_dns_map_add(m, a, 4, "y.test", 6, 200), 1);
	assert_int_equal(ph_dns_map_add(m, a, 4, "x.test", 6, 300), 0);
	assert_int_equal(ph_dns_map_add(m, v6, 6, "x.test", 6, 400), 1);
	assert_int_equal(ph_dns_map_add(m, a, 4, "", 0, 400), 0);
	uint64_t f, l;
	assert_true(ph_dns_map_ip_seen(m, a, 4, &f, &l));
	assert_int_equal(f, 100);
	assert_int_equal(l, 300);
	assert_false(ph_dns_map_ip_seen(m, b, 4, NULL, NULL));
	/* the same 4 bytes as the start of an IPv6 address are another key */
	uint8_t a16[16] = {1, 2, 3, 4};
	assert_false(ph_dns_map_ip_seen(m, a16, 6, NULL, NULL));
	int k = 0;
	assert_int_equal(ph_dns_map_names_of(m, a, 4, count, &k), 2);
	char name[64];
	ph_dns_map_names_of(m, a, 4, first_name, name);
	assert_string_equal(name, "y.test"); /* newest first */
	/* the newest name, copied and cut to fit */
	assert_int_equal(ph_dns_map_name_of(m, a, 4, name, sizeof name), 6);
	assert_string_equal(name, "y.test");
	char small[4];
	assert_int_equal(ph_dns_map_name_of(m, a, 4, small, sizeof small), 3);
	assert_string_equal(small, "y.t");
	assert_int_equal(ph_dns_map_name_of(m, b, 4, name, sizeof name), 0);
	assert_string_equal(name, "");
	k = 0;
	assert_int_equal(ph_dns_map_addrs_of(m, "x.test", 6, count, &k), 2);
	assert_int_equal(ph_dns_map_addrs_of(m, "z.test", 6, count, &k), 0);
	struct ph_dns_map_stats st;
	ph_dns_map_stats(m, &st);
	assert_int_equal(st.pairs, 3);
	assert_int_equal(st.names, 2);
	ph_dns_map_free(m);
}

static void test_growth_and_caps(void **s)
{
	(void)s;
	struct ph_dns_map *m = ph_dns_map_new(5000, 0);
	char name[32];
	for (uint32_t i = 0; i < 6000; i++) {
		uint8_t a[4] = {10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
		int n = snprintf(name, sizeof name, "h%u.test", i % 1000);
		int r = ph_dns_map_add(m, a, 4, name, (size_t)n, i);
		assert_int_equal(r, i < 5000 ? 1 : -1);
	}
	struct ph_dns_map_stats st;
	ph_dns_map_stats(m, &st);
	assert_int_equal(st.pairs, 5000);
	assert_int_equal(st.names, 1000);
	assert_int_equal(st.dropped, 1000);
	for (uint32_t i = 0; i < 5000; i += 97) {
		uint8_t a[4] = {10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
		assert_true(ph_dns_map_ip_seen(m, a, 4, NULL, NULL));
	}
	int k = 0;
	assert_int_equal(ph_dns_map_addrs_of(m, "h7.test", 7, count, &k), 5);
	ph_dns_map_free(m);
	/* name-byte cap */
	m = ph_dns_map_new(0, 10);
	const uint8_t a[4] = {1, 1, 1, 1};
	assert_int_equal(ph_dns_map_add(m, a, 4, "abcdefgh", 8, 1), 1);
	assert_int_equal(ph_dns_map_add(m, a, 4, "ijklmnop", 8, 1), -1);
	ph_dns_map_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_lookup_update),
		cmocka_unit_test(test_growth_and_caps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
