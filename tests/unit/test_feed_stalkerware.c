/* Unit tests for the stalkerware-indicators loaders
 * (src/intel/feed_stalkerware.c): ioc.yaml keys, aliases, YAML errors,
 * network.csv and typed-column CSVs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_feed_helpers.h"

static const char yaml_apps[] =
	"- name: TheTruthSpy\n"
	"  names:\n"
	"  - Copy9\n"
	"  type: stalkerware\n"
	"  packages:\n"
	"  - com.apspy.app\n"
	"  - com.fone\n"
	"  certificates:\n"
	"  - 31A6ECECD97CF39BC4126B8745CD94A7C30BF81C\n"
	"  - 0000000000000000000000000000000000000000000000000000000000000000\n"
	"  websites:\n"
	"  - copy9.com\n"
	"  distribution:\n"
	"  - dl.example\n"
	"  - 192.0.2.5\n"
	"  - https://github.com/x/y\n"
	"  - not an indicator\n"
	"  c2:\n"
	"    ips:\n"
	"    - 192.0.2.1\n"
	"    domains:\n"
	"    - c2.example\n"
	"    ip: 192.0.2.2\n"
	"    other:\n"
	"    - x\n"
	"  certificate_organizations:\n"
	"  - Org\n"
	"  certificate_cname_re:\n"
	"  - '^x$'\n"
	"  future_key: [a, b]\n"
	"- name: Wise\n"
	"  type: watchware\n"
	"  ios_bundles: com.wise.ios\n"
	"  websites: [wise.example, {a: b}]\n"
	"- just a string\n";

static void test_yaml(void **s)
{
	(void)s;
	int rc;
	struct ph_err err = {0};
	struct feed_got *g =
		feed_load(PH_FEED_STALKERWARE_YAML, yaml_apps, &rc, &err);
	assert_int_equal(rc, 0);
	int i = feed_find(g, PH_IOC_APP_ID, "com.apspy.app");
	assert_true(i >= 0);
	assert_string_equal(g->e[i].campaign, "TheTruthSpy");
	assert_string_equal(g->e[i].category, "stalkerware");
	assert_int_equal(g->e[i].line, 6);
	assert_true(feed_find(g, PH_IOC_APP_ID, "com.fone") >= 0);
	assert_true(feed_find(g, PH_IOC_CERT_SHA1,
			      "31A6ECECD97CF39BC4126B8745CD94A7C30BF81C") >= 0);
	assert_true(feed_find(g, PH_IOC_CERT_SHA256,
			      "0000000000000000000000000000000000000000000000"
			      "000000000000000000") >= 0);
	i = feed_find(g, PH_IOC_DOMAIN, "copy9.com");
	assert_string_equal(g->e[i].category, "stalkerware-website");
	i = feed_find(g, PH_IOC_DOMAIN, "dl.example");
	assert_string_equal(g->e[i].category, "stalkerware-distribution");
	assert_true(feed_find(g, PH_IOC_IP, "192.0.2.5") >= 0);
	assert_true(feed_find(g, PH_IOC_URL, "https://github.com/x/y") >= 0);
	assert_true(feed_find(g, PH_IOC_IP, "192.0.2.1") >= 0);
	assert_true(feed_find(g, PH_IOC_IP, "192.0.2.2") >= 0);
	i = feed_find(g, PH_IOC_DOMAIN, "c2.example");
	assert_string_equal(g->e[i].category, "stalkerware");
	i = feed_find(g, PH_IOC_APP_ID, "com.wise.ios");
	assert_string_equal(g->e[i].campaign, "Wise");
	assert_string_equal(g->e[i].category, "watchware");
	i = feed_find(g, PH_IOC_DOMAIN, "wise.example");
	assert_string_equal(g->e[i].category, "watchware-website");
	assert_int_equal(g->n, 13);
	/* "not an indicator", c2 "other", certificate_organizations,
	 * certificate_cname_re, {a: b}, "just a string" */
	assert_int_equal(g->nunsup, 6);
	assert_string_equal(g->u[0].text, "not an indicator");
	free(g);
}

static void test_yaml_aliases(void **s)
{
	(void)s;
	/* each alias re-visiting a node is skipped: no blow-up */
	const char *y = "- &app\n"
			"  name: A\n"
			"  packages: &p [com.a, com.b]\n"
			"  websites: *p\n"
			"- *app\n"
			"- *app\n";
	int rc;
	struct ph_err err = {0};
	struct feed_got *g = feed_load(PH_FEED_STALKERWARE_YAML, y, &rc, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(g->n, 2);
	free(g);
	/* several documents */
	g = feed_load(PH_FEED_STALKERWARE_YAML,
		      "- packages: [a.b]\n---\n- packages: [c.d]\n", &rc, &err);
	assert_int_equal(g->n, 2);
	free(g);
	/* a document that is not a list */
	g = feed_load(PH_FEED_STALKERWARE_YAML, "a: b\n", &rc, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(g->nunsup, 1);
	free(g);
	g = feed_load(PH_FEED_STALKERWARE_YAML, "", &rc, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(g->n, 0);
	free(g);
}

static void test_yaml_errors(void **s)
{
	(void)s;
	int rc;
	struct ph_err err = {0};
	struct feed_got *g = feed_load(PH_FEED_STALKERWARE_YAML,
				       "- name: a\n  packages: [x\n- b: c\n",
				       &rc, &err);
	assert_int_equal(rc, PH_EFORMAT);
	assert_string_equal(err.file, "t.in");
	assert_true(strstr(err.msg, "line 3") != NULL);
	assert_true(strstr(err.msg, "not YAML") != NULL);
	free(g);
	g = feed_load(PH_FEED_STALKERWARE_YAML, "- a: *nope\n", &rc, &err);
	assert_int_equal(rc, PH_EFORMAT);
	free(g);
}

static void test_csv(void **s)
{
	(void)s;
	const char *c = "\xEF\xBB\xBFtype,indicator,app\r\n"
			"domain,a.example,TheTruthSpy\r\n"
			"ip,192.0.2.1,\"Spy, Inc\"\r\n"
			"\r\n"
			"sha256,abcd,X\n"
			"weird,foo,X\n"
			"domain,\"unterminated,X\n"
			"domain,,X\n";
	int rc;
	struct ph_err err = {0};
	struct feed_got *g = feed_load(PH_FEED_STALKERWARE_CSV, c, &rc, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(g->n, 3);
	assert_string_equal(g->e[0].value, "a.example");
	assert_string_equal(g->e[0].campaign, "TheTruthSpy");
	assert_int_equal(g->e[0].line, 2);
	assert_int_equal(g->e[1].type, PH_IOC_IP);
	assert_string_equal(g->e[1].campaign, "Spy, Inc");
	assert_int_equal(g->e[2].type, PH_IOC_FILE_HASH);
	assert_int_equal(g->nunsup, 2);
	assert_int_equal(g->u[0].line, 6);
	free(g);
}

static void test_csv_typed_columns(void **s)
{
	(void)s;
	const char *c = "domain_name,ip_address\n"
			"\"a.example\",\"192.0.2.1\"\n"
			"SHA256,Package Name,Certificate,Version,App\n";
	int rc;
	struct ph_err err = {0};
	struct feed_got *g = feed_load(PH_FEED_STALKERWARE_CSV, c, &rc, &err);
	assert_int_equal(rc, 0);
	assert_true(feed_find(g, PH_IOC_DOMAIN, "a.example") >= 0);
	assert_true(feed_find(g, PH_IOC_IP, "192.0.2.1") >= 0);
	free(g);
	c = "SHA256,Package Name,Certificate,Version,App\n"
	    "2f3b,com.topspy,7F5C,9,1TopSpy\n"
	    "\"a\"\"b\",,,,\n";
	g = feed_load(PH_FEED_STALKERWARE_CSV, c, &rc, &err);
	assert_int_equal(g->n, 4);
	assert_int_equal(g->e[0].type, PH_IOC_FILE_HASH);
	assert_int_equal(g->e[1].type, PH_IOC_APP_ID);
	assert_int_equal(g->e[2].type, PH_IOC_CERT_SHA1);
	assert_string_equal(g->e[2].campaign, "1TopSpy");
	assert_string_equal(g->e[3].value, "a\"b");
	free(g);
	/* an indicator column without a type column: guessed */
	g = feed_load(PH_FEED_STALKERWARE_CSV, "indicator\nx.example\n!!\n",
		      &rc, &err);
	assert_int_equal(g->n, 1);
	assert_int_equal(g->nunsup, 1);
	free(g);
}

static void test_csv_errors(void **s)
{
	(void)s;
	int rc;
	struct ph_err err = {0};
	struct feed_got *g =
		feed_load(PH_FEED_STALKERWARE_CSV, "\n\nfoo,bar\n", &rc, &err);
	assert_int_equal(rc, PH_EFORMAT);
	assert_true(strstr(err.msg, "line 3") != NULL);
	assert_int_equal(err.offset, 2);
	free(g);
	static const uint8_t nul[] = "type,indicator\n\0";
	struct feed_got *g2 = feed_got_new();
	struct ph_feed_sink sink = {feed_got_add, feed_got_unsup, g2};
	rc = ph_feed_load_buffer(PH_FEED_STALKERWARE_CSV, "x", nul,
				 sizeof nul, &sink, &err);
	assert_int_equal(rc, PH_EFORMAT);
	free(g2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yaml),
		cmocka_unit_test(test_yaml_aliases),
		cmocka_unit_test(test_yaml_errors),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_csv_typed_columns),
		cmocka_unit_test(test_csv_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
