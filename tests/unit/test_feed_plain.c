/* Unit tests for plain indicator lists (src/intel/feed_plain.c): type
 * guessing, comments, hosts-file lines, CRLF/BOM, defanged values,
 * unsupported lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_feed_helpers.h"

static void test_types(void **s)
{
	(void)s;
	static const struct {
		const char *line, *value;
		int type;
	} cases[] = {
		{"evil.example", "evil.example", PH_IOC_DOMAIN},
		{"*.evil.example", "evil.example", PH_IOC_DOMAIN},
		{".evil.example", "evil.example", PH_IOC_DOMAIN},
		{"xn--80ak6aa92e.com.", "xn--80ak6aa92e.com.", PH_IOC_DOMAIN},
		{"b\xC3\xBC" "cher.example", "b\xC3\xBC" "cher.example", PH_IOC_DOMAIN},
		{"192.0.2.1", "192.0.2.1", PH_IOC_IP},
		{"198.51.100.0/24", "198.51.100.0/24", PH_IOC_IP},
		{"2001:db8::1", "2001:db8::1", PH_IOC_IP},
		{"2001:db8::/32", "2001:db8::/32", PH_IOC_IP},
		{"::ffff:192.0.2.1", "::ffff:192.0.2.1", PH_IOC_IP},
		{"https://a.example/x#frag", "https://a.example/x#frag",
		 PH_IOC_URL},
		{"hxxps://a[.]example/p", "https://a.example/p", PH_IOC_URL},
		{"evil[.]example", "evil.example", PH_IOC_DOMAIN},
		{"x@evil.example", "x@evil.example", PH_IOC_EMAIL},
		{"d41d8cd98f00b204e9800998ecf8427e",
		 "d41d8cd98f00b204e9800998ecf8427e", PH_IOC_FILE_HASH},
		{"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
		 "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
		 PH_IOC_FILE_HASH},
		{"31A6ECECD97CF39BC4126B8745CD94A7C30BF81C",
		 "31A6ECECD97CF39BC4126B8745CD94A7C30BF81C", PH_IOC_CERT_SHA1},
		{"  evil.example  # trailing", "evil.example", PH_IOC_DOMAIN},
		{"evil.example\t#x", "evil.example", PH_IOC_DOMAIN},
		{"t13d1516h2_8daaf6152771_b186095e22b6",
		 "t13d1516h2_8daaf6152771_b186095e22b6", PH_IOC_JA4},
		{"q13d0312h3_55b375c5d22e_06cda9e17597",
		 "q13d0312h3_55b375c5d22e_06cda9e17597", PH_IOC_JA4},
		{"0D:DB:34:F8:75:63:2C:7E:1E:C0:9D:75:82:7F:82:D2:33:6D:FE:B6",
		 "0DDB34F875632C7E1EC09D75827F82D2336DFEB6", PH_IOC_CERT_SHA1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc;
		struct ph_err err = {0};
		struct feed_got *g =
			feed_load(PH_FEED_PLAIN, cases[i].line, &rc, &err);
		assert_int_equal(rc, 0);
		if (g->n != 1)
			fail_msg("'%s' gave %u entries", cases[i].line, g->n);
		assert_int_equal(g->e[0].type, cases[i].type);
		assert_string_equal(g->e[0].value, cases[i].value);
		assert_int_equal(g->e[0].line, 1);
		free(g);
	}
}

static void test_unsupported(void **s)
{
	(void)s;
	static const char *const lines[] = {
		"localhost", "meta:", "x@", "a..b.example", "-", "1.2.3",
		"abc def", "x@y@z.example", "$s1 = \"a\"", "deadbeef",
		"a.b/c", "*.", "@evil.example",
	};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		int rc;
		struct ph_err err = {0};
		struct feed_got *g = feed_load(PH_FEED_PLAIN, lines[i], &rc,
					       &err);
		assert_int_equal(rc, 0);
		if (g->n != 0 || g->nunsup != 1)
			fail_msg("'%s': %u entries, %u unsupported", lines[i],
				 g->n, g->nunsup);
		free(g);
	}
}

static void test_file(void **s)
{
	(void)s;
	const char *f = "\xEF\xBB\xBF# a list\r\n"
			"\r\n"
			"a.example\r\n"
			"   # indented comment\n"
			"0.0.0.0 b.example c.example\n"
			"127.0.0.1 localhost\n"
			"::1 ip6-localhost ip6-loopback\n"
			"255.255.255.255 broadcasthost\n"
			"0.0.0.0\n"
			"bad line here\n"
			"d.example";
	int rc;
	struct ph_err err = {0};
	struct feed_got *g = feed_load(PH_FEED_PLAIN, f, &rc, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(g->n, 5);
	assert_string_equal(g->e[0].value, "a.example");
	assert_int_equal(g->e[0].line, 3);
	assert_string_equal(g->e[1].value, "b.example");
	assert_string_equal(g->e[2].value, "c.example");
	assert_int_equal(g->e[2].line, 5);
	assert_int_equal(g->e[3].type, PH_IOC_IP); /* a bare 0.0.0.0 */
	assert_string_equal(g->e[4].value, "d.example");
	assert_int_equal(g->e[4].line, 11);
	assert_int_equal(g->nunsup, 1);
	assert_int_equal(g->u[0].line, 10);
	assert_string_equal(g->u[0].reason, "several values on one line");
	free(g);
}

static void test_limits(void **s)
{
	(void)s;
	size_t n = 5000; /* > PH_FEED_MAX_LINE (4096) */
	char *big = malloc(n + 32);
	memset(big, 'a', n);
	memcpy(big + n, ".example\nb.example\n", 20);
	int rc;
	struct ph_err err = {0};
	struct feed_got *g = feed_load(PH_FEED_PLAIN, big, &rc, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(g->n, 1);
	assert_int_equal(g->nunsup, 1);
	assert_string_equal(g->u[0].reason, "line too long");
	free(g);
	free(big);
	/* binary content is an error with its offset */
	static const uint8_t bin[] = "a.example\nb\0c";
	g = feed_got_new();
	struct ph_feed_sink sink = {feed_got_add, feed_got_unsup, g};
	rc = ph_feed_load_buffer(PH_FEED_PLAIN, "bin", bin, sizeof bin - 1,
				 &sink, &err);
	assert_int_equal(rc, PH_EFORMAT);
	assert_int_equal(err.offset, 11);
	assert_true(strstr(err.msg, "line 2") != NULL);
	free(g);
	/* the sink can stop the load */
	g = feed_got_new();
	g->stop_at = 2;
	sink.user = g;
	const char *two = "a.example\nb.example\nc.example\n";
	rc = ph_feed_load_buffer(PH_FEED_PLAIN, NULL, (const uint8_t *)two,
				 strlen(two), &sink, NULL);
	assert_int_equal(rc, -99);
	assert_int_equal(g->n, 1);
	free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
