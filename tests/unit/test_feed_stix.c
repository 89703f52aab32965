/* Unit tests for the STIX 2.x loader (src/intel/feed_stix.c): pattern
 * forms, campaign/category from relationships, unsupported patterns,
 * errors with positions, a sink that stops the load. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_feed_helpers.h"

/* A bundle around one indicator pattern (a C string already escaped for
 * JSON), linked to a malware object. */
static struct feed_got *one(const char *pattern, int *rc)
{
	char b[4096];
	snprintf(b, sizeof b,
		 "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":["
		 "{\"type\":\"indicator\",\"id\":\"indicator--1\","
		 "\"pattern_type\":\"stix\",\"pattern\":\"%s\"},"
		 "{\"type\":\"malware\",\"id\":\"malware--1\",\"name\":\"Pegasus\","
		 "\"is_family\":false},"
		 "{\"type\":\"relationship\",\"relationship_type\":\"indicates\","
		 "\"source_ref\":\"indicator--1\",\"target_ref\":\"malware--1\"}]}",
		 pattern);
	struct ph_err err = {0};
	return feed_load(PH_FEED_STIX, b, rc, &err);
}

static void test_domain_with_campaign(void **s)
{
	(void)s;
	int rc;
	struct feed_got *g = one("[domain-name:value='evil.example']", &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(g->n, 1);
	assert_int_equal(g->e[0].type, PH_IOC_DOMAIN);
	assert_string_equal(g->e[0].value, "evil.example");
	assert_string_equal(g->e[0].campaign, "Pegasus");
	assert_string_equal(g->e[0].category, "spyware");
	assert_string_equal(g->e[0].ref, "indicator--1");
	assert_string_equal(g->e[0].name, "");
	assert_int_equal(g->e[0].line, 1);
	assert_int_equal(g->nunsup, 0);
	free(g);
}

static void test_pattern_forms(void **s)
{
	(void)s;
	static const struct {
		const char *pattern, *value;
		int type;
	} cases[] = {
		{"[ domain-name:value = 'a.example' ]", "a.example", PH_IOC_DOMAIN},
		{"[ipv4-addr:value = '198.51.100.7']", "198.51.100.7", PH_IOC_IP},
		{"[ipv6-addr:value = '2001:db8::/32']", "2001:db8::/32", PH_IOC_IP},
		{"[url:value = 'https://x.example/a?b=1']",
		 "https://x.example/a?b=1", PH_IOC_URL},
		{"[x509-certificate:hashes.'SHA-1' = 'aa11']", "aa11",
		 PH_IOC_CERT_SHA1},
		{"[x509-certificate:hashes.SHA1 = 'bb22']", "bb22",
		 PH_IOC_CERT_SHA1},
		{"[x509-certificate:hashes.'sha-256' = 'cc33']", "cc33",
		 PH_IOC_CERT_SHA256},
		{"[x509-certificate:hashes.SHA256 = 'dd44']", "dd44",
		 PH_IOC_CERT_SHA256},
		{"[email-addr:value = 'x@y.example']", "x@y.example",
		 PH_IOC_EMAIL},
		{"[app:id = 'com.spy.app']", "com.spy.app", PH_IOC_APP_ID},
		{"[app:cert.sha1='05B2']", "05B2", PH_IOC_CERT_SHA1},
		{"[file:hashes.MD5 = 'ee55']", "ee55", PH_IOC_FILE_HASH},
		{"[file:hashes.'SHA-256' = 'ff66']", "ff66", PH_IOC_FILE_HASH},
		{"[file:hashes.sha256='ab12']", "ab12", PH_IOC_FILE_HASH},
		{"[url:value = 'http://x.example/it\\\\'s']",
		 "http://x.example/it's", PH_IOC_URL},
		{"[url:value = 'http://x.example/back\\\\\\\\slash']",
		 "http://x.example/back\\slash", PH_IOC_URL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc;
		struct feed_got *g = one(cases[i].pattern, &rc);
		assert_int_equal(rc, 0);
		if (g->n != 1)
			fail_msg("pattern %s gave %u", cases[i].pattern, g->n);
		assert_int_equal(g->e[0].type, cases[i].type);
		assert_string_equal(g->e[0].value, cases[i].value);
		free(g);
	}
}

static void test_or(void **s)
{
	(void)s;
	int rc;
	struct feed_got *g = one("[domain-name:value = 'a.example' OR "
				 "ipv4-addr:value = '192.0.2.1'] OR "
				 "[url:value = 'http://b.example/']",
				 &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(g->n, 3);
	assert_int_equal(g->e[1].type, PH_IOC_IP);
	assert_string_equal(g->e[2].value, "http://b.example/");
	free(g);
	/* one usable comparison of two: the other is reported */
	g = one("[process:name = 'bh' OR domain-name:value = 'c.example']",
		&rc);
	assert_int_equal(g->n, 1);
	assert_string_equal(g->e[0].value, "c.example");
	assert_int_equal(g->nunsup, 1);
	assert_string_equal(g->u[0].text, "process:name = 'bh'");
	free(g);
}

static void test_unsupported(void **s)
{
	(void)s;
	static const struct {
		const char *pattern, *reason;
	} cases[] = {
		{"[domain-name:value = 'a.example' AND ipv4-addr:value = "
		 "'1.2.3.4']",
		 "AND"},
		{"[domain-name:value MATCHES '^a']", "operator"},
		{"[domain-name:value LIKE 'a%']", "operator"},
		{"[process:name = 'bh']", "object path"},
		{"[file:path = '/data/x']", "object path"},
		{"[file:hashes.'SHA-512' = 'aa']", "object path"},
		{"[domain-name:value = 'a'] FOLLOWEDBY [url:value = 'b']",
		 "FOLLOWEDBY"},
		{"[domain-name:value = 'a'] WITHIN 5 SECONDS", "qualifier"},
		{"[domain-name:value = 'unterminated]", "syntax"},
		{"domain-name:value = 'a'", "syntax"},
		{"[ipv4-addr:value IN ('1.2.3.4', '5.6.7.8')]", "operator"},
		{"[domain-name:value NOT = 'a']", "NOT"},
		{"[ipv4-addr:value = h'ab']", "not a string"},
		{"", "syntax"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc;
		struct feed_got *g = one(cases[i].pattern, &rc);
		assert_int_equal(rc, 0);
		if (g->n != 0 || g->nunsup != 1)
			fail_msg("pattern %s: %u entries %u unsupported",
				 cases[i].pattern, g->n, g->nunsup);
		if (!strstr(g->u[0].reason, cases[i].reason))
			fail_msg("pattern %s: reason %s", cases[i].pattern,
				 g->u[0].reason);
		assert_int_equal(g->u[0].line, 1);
		free(g);
	}
}

static void test_bundle_metadata(void **s)
{
	(void)s;
	const char *b =
		"{\"type\":\"bundle\",\"objects\":["
		"{\"type\":\"intrusion-set\",\"id\":\"intrusion-set--9\","
		"\"name\":\"APT-X\"},"
		"{\"type\":\"malware\",\"id\":\"malware--2\",\"name\":\"Predator\","
		"\"malware_types\":[\"remote-access-trojan\"]},"
		"{\"type\":\"relationship\",\"relationship_type\":\"indicates\","
		"\"source_ref\":\"indicator--a\",\"target_ref\":\"malware--2\"},"
		"{\"type\":\"relationship\",\"relationship_type\":\"uses\","
		"\"source_ref\":\"indicator--b\",\"target_ref\":\"malware--2\"},"
		"{\"type\":\"relationship\",\"relationship_type\":\"indicates\","
		"\"source_ref\":\"indicator--c\",\"target_ref\":\"intrusion-set--9\"},"
		"{\"type\":\"indicator\",\"id\":\"indicator--a\",\"name\":\"C2\","
		"\"pattern\":\"[domain-name:value='a.example']\"},"
		"{\"type\":\"indicator\",\"id\":\"indicator--b\","
		"\"description\":\"desc\",\"pattern_type\":\"stix\","
		"\"pattern\":\"[domain-name:value='b.example']\"},"
		"{\"type\":\"indicator\",\"id\":\"indicator--c\","
		"\"pattern\":\"[domain-name:value='c.example']\"},"
		"{\"type\":\"indicator\",\"id\":\"indicator--d\","
		"\"pattern_type\":\"sigma\",\"pattern\":\"title: x\"},"
		"{\"type\":\"indicator\",\"id\":\"indicator--e\"},"
		"42, \"x\", {\"type\":17}]}";
	int rc;
	struct ph_err err = {0};
	struct feed_got *g = feed_load(PH_FEED_STIX, b, &rc, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(g->n, 3);
	assert_string_equal(g->e[0].name, "C2");
	assert_string_equal(g->e[0].campaign, "Predator");
	assert_string_equal(g->e[0].category, "remote-access-trojan");
	assert_int_equal(g->e[0].line, 6);
	assert_string_equal(g->e[1].name, "desc");
	assert_string_equal(g->e[1].campaign, ""); /* "uses" is not "indicates" */
	assert_string_equal(g->e[2].campaign, "APT-X");
	assert_string_equal(g->e[2].category, "");
	assert_int_equal(g->nunsup, 2);
	assert_true(strstr(g->u[0].reason, "pattern_type") != NULL);
	assert_int_equal(g->u[0].line, 9);
	free(g);
}

static void test_errors(void **s)
{
	(void)s;
	int rc;
	struct ph_err err = {0};
	struct feed_got *g =
		feed_load(PH_FEED_STIX, "{\"type\":\"bundle\",\n\"objects\":[}",
			  &rc, &err);
	assert_int_equal(rc, PH_EFORMAT);
	assert_string_equal(err.file, "t.in");
	assert_true(strstr(err.msg, "line 2") != NULL);
	assert_true(err.offset > 20);
	free(g);
	memset(&err, 0, sizeof err);
	g = feed_load(PH_FEED_STIX, "{\"type\":\"bundle\"}", &rc, &err);
	assert_int_equal(rc, PH_EFORMAT);
	assert_true(strstr(err.msg, "objects") != NULL);
	free(g);
	g = feed_load(PH_FEED_STIX, "{\"objects\":[]} trailing", &rc, &err);
	assert_int_equal(rc, PH_EFORMAT);
	free(g);
	g = feed_load(PH_FEED_STIX, "", &rc, &err);
	assert_int_equal(rc, PH_EFORMAT);
	free(g);
	/* a BOM is fine */
	g = feed_load(PH_FEED_STIX, "\xEF\xBB\xBF{\"objects\":[]}", &rc, &err);
	assert_int_equal(rc, 0);
	free(g);
}

static void test_sink_stops(void **s)
{
	(void)s;
	const char *b = "{\"type\":\"bundle\",\"objects\":["
			"{\"type\":\"indicator\",\"pattern\":"
			"\"[domain-name:value='a.example' OR "
			"domain-name:value='b.example']\"},"
			"{\"type\":\"indicator\",\"pattern\":"
			"\"[domain-name:value='c.example']\"}]}";
	struct feed_got *g = feed_got_new();
	g->stop_at = 2;
	struct ph_feed_sink sink = {feed_got_add, NULL, g};
	int rc = ph_feed_load_buffer(PH_FEED_STIX, NULL, (const uint8_t *)b,
				     strlen(b), &sink, NULL);
	assert_int_equal(rc, -99);
	assert_int_equal(g->n, 1);
	free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_domain_with_campaign),
		cmocka_unit_test(test_pattern_forms),
		cmocka_unit_test(test_or),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_bundle_metadata),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_sink_stops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
