/* Tests for src/intel/normalize.c: domains (case, trailing dot, wildcard,
 * IDN to punycode, label and name limits), URLs (scheme/host case,
 * default ports, fragment, empty path, percent-encoding), hex digests,
 * JA4, e-mail, app ids, and IP/CIDR parsing with host bits cleared. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "intel/normalize.h"

static char out[PH_INTEL_VALUE_MAX + 1];

static const char *dom(const char *s)
{
	int n = ph_intel_norm_domain(s, strlen(s), out, sizeof out);
	return n < 0 ? NULL : out;
}

static const char *url(const char *s)
{
	int n = ph_intel_norm_url(s, strlen(s), out, sizeof out);
	return n < 0 ? NULL : out;
}

static const char *val(enum ph_ioc_type t, const char *s)
{
	int n = ph_intel_norm_value(t, s, strlen(s), out, sizeof out);
	return n < 0 ? NULL : out;
}

static void test_domain_basic(void **state)
{
	(void)state;
	assert_string_equal(dom("Evil.COM"), "evil.com");
	assert_string_equal(dom("evil.com."), "evil.com");
	assert_string_equal(dom("  a.evil.com \r\n"), "a.evil.com");
	assert_string_equal(dom("*.evil.com"), "evil.com");
	assert_string_equal(dom(".evil.com"), "evil.com");
	assert_string_equal(dom("tk"), "tk");
	assert_string_equal(dom("_dmarc.x-y.org"), "_dmarc.x-y.org");
	assert_string_equal(dom("XN--BCHER-KVA.example"), "xn--bcher-kva.example");
	assert_null(dom(""));
	assert_null(dom("."));
	assert_null(dom("a..b"));
	assert_null(dom("evil.com.."));
	assert_null(dom("ev il.com"));
	assert_null(dom("evil.com/x"));
	assert_null(dom("http://evil.com"));
}

static void test_domain_limits(void **state)
{
	(void)state;
	char lab[70];
	memset(lab, 'a', 63);
	memcpy(lab + 63, ".com", 5);
	assert_non_null(dom(lab));
	memset(lab, 'a', 64);
	memcpy(lab + 64, ".com", 5);
	assert_null(dom(lab));
	char name[300];
	for (int i = 0; i < 127; i++)
		memcpy(name + 2 * i, "a.", 2);
	name[253] = 0; /* 127 labels "a" = 253 bytes */
	assert_non_null(dom(name));
	memcpy(name + 253, "b", 2);
	assert_null(dom(name));
	/* an embedded NUL byte is not a name */
	assert_true(ph_intel_norm_domain("a\0b.com", 7, out, sizeof out) < 0);
}

static void test_domain_idn(void **state)
{
	(void)state;
	assert_string_equal(dom("b\xc3\xbc" "cher.example"), "xn--bcher-kva.example");
	assert_string_equal(dom("B\xc3\x9c" "CHER.Example."), "xn--bcher-kva.example");
	assert_string_equal(dom("\xe4\xbe\x8b\xe5\xad\x90.\xe6\xb5\x8b\xe8\xaf\x95"),
			    "xn--fsqu00a.xn--0zwm56d");
	assert_null(dom("\xff\xfe.com")); /* not UTF-8 */
}

static void test_url(void **state)
{
	(void)state;
	assert_string_equal(url("HTTP://Evil.COM"), "http://evil.com/");
	assert_string_equal(url("http://evil.com:80/a"), "http://evil.com/a");
	assert_string_equal(url("https://evil.com:443/a"), "https://evil.com/a");
	assert_string_equal(url("https://evil.com:80/a"), "https://evil.com:80/a");
	assert_string_equal(url("http://evil.com:0080/a"), "http://evil.com/a");
	assert_string_equal(url("http://evil.com:/a"), "http://evil.com/a");
	assert_string_equal(url("http://evil.com/a#frag"), "http://evil.com/a");
	assert_string_equal(url("http://evil.com?q=1"), "http://evil.com/?q=1");
	assert_string_equal(url("http://evil.com/%7euser/%2f%41"),
			    "http://evil.com/~user/%2FA");
	assert_string_equal(url("http://evil.com/a b%"), "http://evil.com/a%20b%25");
	assert_string_equal(url("evil.com/Path"), "http://evil.com/Path");
	assert_string_equal(url("http://evil.com./x"), "http://evil.com/x");
	assert_string_equal(url("http://b\xc3\xbc" "cher.example/\xc3\xa9"),
			    "http://xn--bcher-kva.example/%C3%A9");
	assert_string_equal(url("http://User:Pw@Evil.com/"), "http://User:Pw@evil.com/");
	assert_string_equal(url("http://[2001:DB8::1]:8080/x"),
			    "http://[2001:db8::1]:8080/x");
	assert_string_equal(url("http://1.2.3.4/x"), "http://1.2.3.4/x");
	assert_null(url("http://"));
	assert_null(url("http://evil.com:99999/"));
	assert_null(url("http://evil.com:8a/"));
	assert_null(url("http://[zz]/"));
	assert_null(url("http://ev il.com/"));
}

static void test_url_long(void **state)
{
	(void)state;
	static char big[PH_INTEL_URL_MAX + 64];
	memcpy(big, "http://a.com/", 13);
	memset(big + 13, 'x', sizeof big - 14);
	big[sizeof big - 1] = 0;
	assert_null(url(big));
	char small[16];
	assert_true(ph_intel_norm_url("http://evil.com/abc", 19, small,
				      sizeof small) < 0);
}

static void test_hex(void **state)
{
	(void)state;
	const char *md5 = "D41D8CD98F00B204E9800998ECF8427E";
	assert_string_equal(val(PH_IOC_JA3, md5), "d41d8cd98f00b204e9800998ecf8427e");
	assert_string_equal(val(PH_IOC_FILE_HASH, md5),
			    "d41d8cd98f00b204e9800998ecf8427e");
	assert_null(val(PH_IOC_CERT_SHA1, md5));
	assert_null(val(PH_IOC_JA3, "d41d8cd98f00b204e9800998ecf8427g"));
	assert_string_equal(
		val(PH_IOC_CERT_SHA1, "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01"),
		"abcdef0123456789abcdef0123456789abcdef01");
	assert_null(val(PH_IOC_FILE_HASH, "ab:cd"));
	char s256[65];
	memset(s256, 'A', 64);
	s256[64] = 0;
	assert_non_null(val(PH_IOC_CERT_SHA256, s256));
	assert_non_null(val(PH_IOC_FILE_HASH, s256));
	s256[63] = 0;
	assert_null(val(PH_IOC_FILE_HASH, s256));
}

static void test_other_types(void **state)
{
	(void)state;
	assert_string_equal(val(PH_IOC_JA4, "T13D1516H2_8DAAF6152771_B186095E22B6"),
			    "t13d1516h2_8daaf6152771_b186095e22b6");
	assert_null(val(PH_IOC_JA4, "t13d1516h2_8daaf6152771_b186095e22bz"));
	assert_null(val(PH_IOC_JA4, "t13d1516h2-8daaf6152771_b186095e22b6"));
	assert_string_equal(val(PH_IOC_EMAIL, " Spy@Evil.COM "), "spy@evil.com");
	assert_null(val(PH_IOC_EMAIL, "spy.evil.com"));
	assert_null(val(PH_IOC_EMAIL, "@evil.com"));
	assert_null(val(PH_IOC_EMAIL, "a@b@c"));
	assert_string_equal(val(PH_IOC_APP_ID, "com.Spy.App"), "com.Spy.App");
	assert_null(val(PH_IOC_APP_ID, "com spy"));
	assert_null(val(PH_IOC_APP_ID, ""));
	assert_null(val(PH_IOC_IP, "1.2.3.4"));
	assert_string_equal(val(PH_IOC_NS, "NS1.Evil.com."), "ns1.evil.com");
}

static const char *ip(const char *s)
{
	struct ph_intel_ip a;
	if (ph_intel_ip_parse(s, strlen(s), &a) < 0)
		return NULL;
	return ph_intel_ip_format(&a, out, sizeof out) < 0 ? NULL : out;
}

static void test_ip(void **state)
{
	(void)state;
	assert_string_equal(ip("1.2.3.4"), "1.2.3.4");
	assert_string_equal(ip("1.2.3.4/32"), "1.2.3.4");
	assert_string_equal(ip("10.1.2.3/8"), "10.0.0.0/8");
	assert_string_equal(ip("10.1.2.3/0"), "0.0.0.0/0");
	assert_string_equal(ip("192.168.1.255/23"), "192.168.0.0/23");
	assert_string_equal(ip("2001:DB8:ffff::1/32"), "2001:db8::/32");
	assert_string_equal(ip("2001:db8::1/127"), "2001:db8::/127");
	assert_string_equal(ip("[2001:db8::1]"), "2001:db8::1");
	assert_string_equal(ip("::ffff:1.2.3.4"), "1.2.3.4");
	assert_string_equal(ip("::ffff:10.0.0.0/104"), "10.0.0.0/8");
	assert_string_equal(ip(" 8.8.8.8\n"), "8.8.8.8");
	assert_null(ip("1.2.3.4/33"));
	assert_null(ip("2001:db8::/129"));
	assert_null(ip("1.2.3.4/"));
	assert_null(ip("1.2.3.4/a"));
	assert_null(ip("1.2.3"));
	assert_null(ip("01.2.3.4"));
	assert_null(ip("evil.com"));
	assert_null(ip("fe80::1%eth0"));
	assert_null(ip(""));
}

static void test_ip_mask(void **state)
{
	(void)state;
	uint8_t a[16];
	memset(a, 0xff, sizeof a);
	ph_intel_ip_mask(a, 6, 65);
	assert_int_equal(a[7], 0xff);
	assert_int_equal(a[8], 0x80);
	assert_int_equal(a[9], 0);
	memset(a, 0xff, sizeof a);
	ph_intel_ip_mask(a, 4, 12);
	assert_int_equal(a[0], 0xff);
	assert_int_equal(a[1], 0xf0);
	assert_int_equal(a[2], 0);
	assert_int_equal(a[4], 0); /* v4 clears the unused tail */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_domain_basic),
		cmocka_unit_test(test_domain_limits),
		cmocka_unit_test(test_domain_idn),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_url_long),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_other_types),
		cmocka_unit_test(test_ip),
		cmocka_unit_test(test_ip_mask),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
