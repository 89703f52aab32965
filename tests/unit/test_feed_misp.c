/* Unit tests for the MISP loader (src/intel/feed_misp.c): attribute type
 * mapping, objects, campaign from info/galaxy tags/object names, the
 * event wrappers, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_feed_helpers.h"

static const char event[] =
	"{\"Event\":{\"info\":\"Op Test\",\"Attribute\":["
	"{\"type\":\"ip-dst\",\"value\":\"192.0.2.1\",\"comment\":\"c2\","
	"\"uuid\":\"u-1\"},"
	"{\"type\":\"ip-src|port\",\"value\":\"192.0.2.2|443\"},"
	"{\"type\":\"domain|ip\",\"value\":\"a.example|192.0.2.3\"},"
	"{\"type\":\"hostname\",\"value\":\"h.example\",\"comment\":\"\"},"
	"{\"type\":\"url\",\"value\":\"http://u.example/x\"},"
	"{\"type\":\"x509-fingerprint-sha1\",\"value\":\"aa\"},"
	"{\"type\":\"x509-fingerprint-sha256\",\"value\":\"bb\"},"
	"{\"type\":\"ja3-fingerprint-md5\",\"value\":\"cc\"},"
	"{\"type\":\"email-src\",\"value\":\"x@y.example\"},"
	"{\"type\":\"md5\",\"value\":\"dd\"},"
	"{\"type\":\"filename|sha256\",\"value\":\"a.apk|ee\"},"
	"{\"type\":\"link\",\"value\":\"https://blog.example/\"},"
	"{\"type\":\"regkey\",\"value\":\"HKLM\\\\x\"},"
	"{\"type\":\"domain\",\"value\":\"\"},"
	"{\"type\":\"domain\"},"
	"{\"type\":\"ip-dst|port\",\"value\":\"192.0.2.9\"},"
	"7],"
	"\"Object\":[{\"name\":\"android-app\",\"Attribute\":["
	"{\"object_relation\":\"name\",\"type\":\"text\",\"value\":\"SpyApp\"},"
	"{\"object_relation\":\"appid\",\"type\":\"text\",\"value\":\"com.spy\"},"
	"{\"object_relation\":\"certificate\",\"type\":\"sha1\","
	"\"value\":\"ff\"},"
	"{\"object_relation\":\"domain\",\"type\":\"domain\","
	"\"value\":\"o.example\"}]},"
	"{\"name\":\"x\",\"Attribute\":[{\"type\":\"domain\","
	"\"value\":\"p.example\"}]}, 3]}}";

static void test_event(void **s)
{
	(void)s;
	int rc;
	struct ph_err err = {0};
	struct feed_got *g = feed_load(PH_FEED_MISP, event, &rc, &err);
	assert_int_equal(rc, 0);
	int i = feed_find(g, PH_IOC_IP, "192.0.2.1");
	assert_true(i >= 0);
	assert_string_equal(g->e[i].name, "c2");
	assert_string_equal(g->e[i].campaign, "Op Test");
	assert_string_equal(g->e[i].ref, "u-1");
	assert_int_equal(g->e[i].line, 1);
	assert_true(feed_find(g, PH_IOC_IP, "192.0.2.2") >= 0);
	assert_true(feed_find(g, PH_IOC_DOMAIN, "a.example") >= 0);
	assert_true(feed_find(g, PH_IOC_IP, "192.0.2.3") >= 0);
	i = feed_find(g, PH_IOC_DOMAIN, "h.example");
	assert_true(i >= 0);
	assert_string_equal(g->e[i].name, "");
	assert_true(feed_find(g, PH_IOC_URL, "http://u.example/x") >= 0);
	assert_true(feed_find(g, PH_IOC_CERT_SHA1, "aa") >= 0);
	assert_true(feed_find(g, PH_IOC_CERT_SHA256, "bb") >= 0);
	assert_true(feed_find(g, PH_IOC_JA3, "cc") >= 0);
	assert_true(feed_find(g, PH_IOC_EMAIL, "x@y.example") >= 0);
	assert_true(feed_find(g, PH_IOC_FILE_HASH, "dd") >= 0);
	assert_true(feed_find(g, PH_IOC_FILE_HASH, "ee") >= 0);
	assert_true(feed_find(g, PH_IOC_IP, "192.0.2.9") >= 0);
	i = feed_find(g, PH_IOC_APP_ID, "com.spy");
	assert_true(i >= 0);
	assert_string_equal(g->e[i].campaign, "SpyApp");
	i = feed_find(g, PH_IOC_CERT_SHA1, "ff");
	assert_true(i >= 0);
	assert_string_equal(g->e[i].campaign, "SpyApp");
	assert_true(feed_find(g, PH_IOC_DOMAIN, "o.example") >= 0);
	i = feed_find(g, PH_IOC_DOMAIN, "p.example");
	assert_string_equal(g->e[i].campaign, "Op Test");
	assert_int_equal(g->n, 17);
	/* regkey, empty domain, domain without value */
	assert_int_equal(g->nunsup, 3);
	assert_string_equal(g->u[0].reason,
			    "MISP attribute type not supported");
	free(g);
}

static void test_wrappers(void **s)
{
	(void)s;
	int rc;
	struct ph_err err = {0};
	const char *resp =
		"{\"response\":[{\"Event\":{\"info\":\"A\",\"Attribute\":["
		"{\"type\":\"domain\",\"value\":\"a.example\"}]}},"
		"{\"Event\":{\"info\":\"B\",\"Tag\":[{\"name\":\"tlp:white\"},"
		"{\"name\":\"misp-galaxy:malware=\\\"Pegasus\\\"\"}],"
		"\"Attribute\":[{\"type\":\"domain\",\"value\":\"b.example\"}]}}]}";
	struct feed_got *g = feed_load(PH_FEED_MISP, resp, &rc, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(g->n, 2);
	assert_string_equal(g->e[0].campaign, "A");
	assert_string_equal(g->e[1].campaign, "Pegasus");
	free(g);
	/* a list of events, and a bare event (stalkerware misp_event.json) */
	g = feed_load(PH_FEED_MISP,
		      "[{\"Event\":{\"Attribute\":[{\"type\":\"domain\","
		      "\"value\":\"c.example\"}]}}]",
		      &rc, &err);
	assert_int_equal(g->n, 1);
	free(g);
	g = feed_load(PH_FEED_MISP,
		      "{\"info\":\"x\",\"Object\":[{\"Attribute\":[{\"type\":"
		      "\"domain\",\"value\":\"d.example\"}]}]}",
		      &rc, &err);
	assert_int_equal(g->n, 1);
	assert_string_equal(g->e[0].campaign, "x");
	free(g);
	g = feed_load(PH_FEED_MISP, "{\"response\":{\"Attribute\":[{\"type\":"
		      "\"domain\",\"value\":\"e.example\"}]}}", &rc, &err);
	assert_int_equal(g->n, 1);
	free(g);
}

static void test_errors(void **s)
{
	(void)s;
	int rc;
	struct ph_err err = {0};
	struct feed_got *g = feed_load(PH_FEED_MISP, "{\"a\":1}", &rc, &err);
	assert_int_equal(rc, PH_EFORMAT);
	assert_true(strstr(err.msg, "not a MISP event") != NULL);
	free(g);
	g = feed_load(PH_FEED_MISP, "\"str\"", &rc, &err);
	assert_int_equal(rc, PH_EFORMAT);
	free(g);
	g = feed_load(PH_FEED_MISP, "{\"Event\":{\"Attribute\":[\n\n{]}}", &rc,
		      &err);
	assert_int_equal(rc, PH_EFORMAT);
	assert_true(strstr(err.msg, "line 3") != NULL);
	free(g);
	/* types that are not what they should be are skipped */
	g = feed_load(PH_FEED_MISP,
		      "{\"Event\":{\"info\":5,\"Attribute\":{},\"Object\":"
		      "[{\"Attribute\":5}],\"Tag\":[5,{\"name\":"
		      "\"misp-galaxy:x=\\\"\"}]}}",
		      &rc, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(g->n, 0);
	free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event),
		cmocka_unit_test(test_wrappers),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
