/* Unit tests for the TinyCheck loader (src/intel/feed_tinycheck.c):
 * iocs.json types and categories, whitelist.json, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_feed_helpers.h"

static void test_iocs(void **s)
{
	(void)s;
	const char *j =
		"{\"iocs\":["
		"{\"type\":\"domain\",\"tag\":\"pegasus\",\"tlp\":\"white\","
		"\"value\":\"a.example\"},"
		"{\"type\":\"ip4addr\",\"tag\":\"stalkerware\",\"value\":\"192.0.2.1\"},"
		"{\"type\":\"ip6addr\",\"tag\":\"x\",\"value\":\"2001:db8::1\"},"
		"{\"type\":\"cidr\",\"tag\":\"suspect\",\"value\":\"198.51.100.0/24\"},"
		"{\"type\":\"sha1cert\",\"tag\":\"stalkerware\",\"value\":\"be58\"},"
		"{\"type\":\"freedns\",\"tag\":\"suspect\",\"value\":\"hicam.net\"},"
		"{\"type\":\"tld\",\"tag\":\"suspect\",\"value\":\".xyz\"},"
		"{\"type\":\"ns\",\"tag\":\"suspect\",\"value\":\"njalla.no\"},"
		"{\"type\":\"snort\",\"tag\":\"suspect\",\"value\":\"alert tcp\"},"
		"{\"type\":\"domain\",\"value\":\"b.example\"},"
		"{\"type\":\"tld\",\"value\":\".\"},"
		"{\"type\":\"domain\"}, 5, {\"type\":\"sha256\",\"value\":\"ab\"}"
		"]}";
	int rc;
	struct ph_err err = {0};
	struct feed_got *g = feed_load(PH_FEED_TINYCHECK, j, &rc, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(g->n, 10);
	assert_int_equal(g->e[0].type, PH_IOC_DOMAIN);
	assert_string_equal(g->e[0].category, "pegasus");
	assert_int_equal(g->e[0].line, 1);
	assert_int_equal(g->e[1].type, PH_IOC_IP);
	assert_int_equal(g->e[2].type, PH_IOC_IP);
	assert_int_equal(g->e[3].type, PH_IOC_IP);
	assert_string_equal(g->e[3].value, "198.51.100.0/24");
	assert_int_equal(g->e[4].type, PH_IOC_CERT_SHA1);
	assert_int_equal(g->e[5].type, PH_IOC_DOMAIN);
	assert_string_equal(g->e[5].category, "freedns");
	assert_int_equal(g->e[6].type, PH_IOC_DOMAIN);
	assert_string_equal(g->e[6].value, "xyz");
	assert_string_equal(g->e[6].category, "tld");
	assert_int_equal(g->e[7].type, PH_IOC_NS);
	assert_string_equal(g->e[8].value, "b.example");
	assert_string_equal(g->e[8].category, "");
	assert_string_equal(g->e[9].value, "."); /* the store rejects it */
	/* snort, no value, not an object, sha256 */
	assert_int_equal(g->nunsup, 4);
	assert_string_equal(g->u[0].text, "alert tcp");
	assert_int_equal(g->u[0].line, 9);
	free(g);
}

static void test_whitelist(void **s)
{
	(void)s;
	const char *j = "{\"elements\":[{\"type\":\"domain\",\"element\":"
			"\"google.com\"},{\"type\":\"cidr\",\"element\":"
			"\"17.0.0.0/8\"},{\"type\":\"ip6addr\",\"element\":"
			"\"::1\"}],\"to_delete\":[{\"element\":\"x\"}]}";
	int rc;
	struct ph_err err = {0};
	struct feed_got *g = feed_load(PH_FEED_TINYCHECK_ALLOW, j, &rc, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(g->n, 3);
	assert_string_equal(g->e[1].value, "17.0.0.0/8");
	free(g);
	/* an allowlist is not an iocs file, and the reverse */
	g = feed_load(PH_FEED_TINYCHECK, j, &rc, &err);
	assert_int_equal(rc, PH_EFORMAT);
	assert_true(strstr(err.msg, "iocs") != NULL);
	free(g);
}

static void test_errors(void **s)
{
	(void)s;
	int rc;
	struct ph_err err = {0};
	struct feed_got *g =
		feed_load(PH_FEED_TINYCHECK, "{\"iocs\":[\n{\"type\":}]}", &rc,
			  &err);
	assert_int_equal(rc, PH_EFORMAT);
	assert_true(strstr(err.msg, "line 2") != NULL);
	assert_string_equal(err.file, "t.in");
	free(g);
	g = feed_load(PH_FEED_TINYCHECK, "[1,2]", &rc, &err);
	assert_int_equal(rc, PH_EFORMAT);
	free(g);
	g = feed_load(PH_FEED_TINYCHECK, "{\"iocs\":{}}", &rc, &err);
	assert_int_equal(rc, PH_EFORMAT);
	free(g);
	/* deeper than the JSON nesting limit */
	char deep[300];
	memset(deep, '[', sizeof deep - 1);
	deep[sizeof deep - 1] = 0;
	g = feed_load(PH_FEED_TINYCHECK, deep, &rc, &err);
	assert_int_equal(rc, PH_EFORMAT);
	free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iocs),
		cmocka_unit_test(test_whitelist),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
