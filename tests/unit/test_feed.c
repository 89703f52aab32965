/* Unit tests for feed detection, names and dispatch (src/intel/feed.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_feed_helpers.h"

static enum ph_feed_format det(const char *path, const char *s)
{
	return ph_feed_detect(path, (const uint8_t *)s, strlen(s));
}

static void test_detect_json(void **s)
{
	(void)s;
	assert_int_equal(det(NULL, "{\"type\": \"bundle\", \"objects\": []}"),
			 PH_FEED_STIX);
	assert_int_equal(det(NULL, "{\"objects\":[{\"type\":\"x\"}],"
				   "\"id\":\"b\",\"type\":\"bundle\"}"),
			 PH_FEED_STIX);
	assert_int_equal(det("a.stix2", "{\"objects\": []}"), PH_FEED_STIX);
	assert_int_equal(det(NULL, "{\"objects\": []}"), PH_FEED_UNKNOWN);
	assert_int_equal(det(NULL, "\xEF\xBB\xBF {\"Event\": {}}"),
			 PH_FEED_MISP);
	assert_int_equal(det(NULL, "{\"response\": []}"), PH_FEED_MISP);
	assert_int_equal(det(NULL, "[{\"Event\": {}}]"), PH_FEED_MISP);
	assert_int_equal(det(NULL, "{\"uuid\":\"x\",\"Attribute\":[],"
				   "\"info\":\"y\"}"),
			 PH_FEED_MISP);
	assert_int_equal(det(NULL, "{\"iocs\": []}"), PH_FEED_TINYCHECK);
	assert_int_equal(det(NULL, "{\"elements\": [], \"to_delete\": []}"),
			 PH_FEED_TINYCHECK_ALLOW);
	/* a nested key does not count; the type must be "bundle" */
	assert_int_equal(det(NULL, "{\"a\": {\"iocs\": []}}"),
			 PH_FEED_UNKNOWN);
	assert_int_equal(det(NULL, "{\"type\": \"bundlex\"}"),
			 PH_FEED_UNKNOWN);
	assert_int_equal(det(NULL, "{\"a\\\"\": 1, \"iocs\": []}"),
			 PH_FEED_TINYCHECK);
	assert_int_equal(det(NULL, "[1, 2]"), PH_FEED_UNKNOWN);
	assert_int_equal(det(NULL, "{\"iocs"), PH_FEED_UNKNOWN);
	assert_int_equal(det(NULL, "{"), PH_FEED_UNKNOWN);
}

static void test_detect_other(void **s)
{
	(void)s;
	assert_int_equal(det("ioc.yaml", "- name: X\n  packages:\n  - a.b\n"),
			 PH_FEED_STALKERWARE_YAML);
	assert_int_equal(det(NULL, "---\n- name: X\n  websites: [a.b]\n"),
			 PH_FEED_STALKERWARE_YAML);
	assert_int_equal(det("x.yaml", "a: b\n"), PH_FEED_UNKNOWN);
	assert_int_equal(det(NULL, "type,indicator,app\ndomain,a.b,X\n"),
			 PH_FEED_STALKERWARE_CSV);
	assert_int_equal(det(NULL, "domain_name,ip_address\n"),
			 PH_FEED_STALKERWARE_CSV);
	assert_int_equal(det(NULL, "a.example\n# c\n192.0.2.1\n"),
			 PH_FEED_PLAIN);
	assert_int_equal(det(NULL, "0.0.0.0 a.example\n"), PH_FEED_PLAIN);
	/* a .json that is a text list, a .txt that is a bundle */
	assert_int_equal(det("list.json", "a.example\nb.example\n"),
			 PH_FEED_PLAIN);
	assert_int_equal(det("x.txt", "{\"type\":\"bundle\",\"objects\":[]}"),
			 PH_FEED_STIX);
	/* rule files and prose are not lists */
	assert_int_equal(det(NULL, "rule x : y {\n  meta:\n  strings:\n"
				   "  condition:\n}\n"),
			 PH_FEED_UNKNOWN);
	assert_int_equal(det(NULL, "alert dns any any -> any any (msg:\"x\";)\n"),
			 PH_FEED_UNKNOWN);
	assert_int_equal(det(NULL, "# only comments\n\n"), PH_FEED_PLAIN);
	assert_int_equal(det("a.txt", ""), PH_FEED_PLAIN);
	assert_int_equal(det(NULL, ""), PH_FEED_UNKNOWN);
	assert_int_equal(ph_feed_detect(NULL, NULL, 0), PH_FEED_UNKNOWN);
	static const uint8_t bin[] = {'a', '.', 'b', 0, 'c'};
	assert_int_equal(ph_feed_detect("a.txt", bin, sizeof bin),
			 PH_FEED_UNKNOWN);
	static const uint8_t gz[] = {0x1f, 0x8b, 8, 1, 2, 3};
	assert_int_equal(ph_feed_detect("a.json", gz, sizeof gz),
			 PH_FEED_UNKNOWN);
}

static void test_names_and_dispatch(void **s)
{
	(void)s;
	assert_string_equal(ph_feed_format_name(PH_FEED_STIX), "stix");
	assert_string_equal(ph_feed_format_name(PH_FEED_TINYCHECK_ALLOW),
			    "tinycheck-allow");
	assert_string_equal(ph_feed_format_name(PH_FEED_PLAIN), "plain");
	assert_string_equal(ph_feed_format_name((enum ph_feed_format)99),
			    "unknown");
	struct ph_err err = {0};
	int rc;
	struct feed_got *g = feed_load(PH_FEED_UNKNOWN, "x", &rc, &err);
	assert_int_equal(rc, PH_EUNSUPPORTED);
	assert_string_equal(err.file, "t.in");
	free(g);
	struct ph_feed_sink none = {NULL, NULL, NULL};
	assert_int_equal(ph_feed_load_buffer(PH_FEED_PLAIN, "x",
					     (const uint8_t *)"a", 1, &none,
					     &err),
			 PH_EINVAL);
	struct feed_got *g2 = feed_got_new();
	struct ph_feed_sink sink = {feed_got_add, NULL, g2};
	assert_int_equal(ph_feed_load_buffer(PH_FEED_PLAIN, "x", NULL, 0,
					     &sink, &err),
			 0);
	assert_int_equal(ph_feed_load_buffer(PH_FEED_PLAIN, "x", NULL, 3,
					     &sink, &err),
			 PH_EINVAL);
	/* no unsupported() callback: reports are dropped, not a crash */
	assert_int_equal(ph_feed_load_buffer(PH_FEED_PLAIN, "x",
					     (const uint8_t *)"!!", 2, &sink,
					     &err),
			 0);
	free(g2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect_json),
		cmocka_unit_test(test_detect_other),
		cmocka_unit_test(test_names_and_dispatch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
