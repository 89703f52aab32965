/* Tests for src/detect/pii_context.c: the field named for a match from
 * the bytes before it: URL query parameter, request URI, HTTP header,
 * cookie, JSON key (string and number values), form field, raw TCP and
 * UDP payloads, DNS and SNI channels, a window without a line start, and
 * a long field name cut to fit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "detect/pii_scan.h"

static const char *field(const char *before, enum pii_chan ch)
{
	static char out[32];
	pii_context_field((const uint8_t *)before, strlen(before), ch, out,
			  sizeof out);
	return out;
}

static void test_http(void **state)
{
	(void)state;
	assert_string_equal(field("GET /v1/track?app=x&imei=", PII_HTTP),
			    "http.uri:imei");
	assert_string_equal(field("x\r\nGET /dev/", PII_HTTP), "http.uri");
	assert_string_equal(field("GET / HTTP/1.1\r\nHost: a\r\n"
				  "X-Device-Id: ", PII_HTTP),
			    "http.header:X-Device-Id");
	assert_string_equal(field("\r\nCookie: a=1; uid=", PII_HTTP),
			    "http.header:Cookie");
	assert_string_equal(field("\r\nX-Info: v1-", PII_HTTP),
			    "http.header:X-Info");
}

static void test_bodies(void **state)
{
	(void)state;
	assert_string_equal(field("\r\n\r\n{\"os\":\"a\",\"device_id\": \"",
				  PII_TCP), "json:device_id");
	assert_string_equal(field("\r\n\r\n{\"lat\":", PII_TCP), "json:lat");
	assert_string_equal(field("\r\n\r\nname=x&email=", PII_TCP),
			    "form:email");
	assert_string_equal(field("{\"k\":\"", PII_UDP), "json:k");
	assert_string_equal(field("\x01\x02\x03", PII_TCP), "tcp.payload");
	/* header-like lines count only on HTTP flows */
	assert_string_equal(field("\r\nid:", PII_TCP), "tcp.payload");
	assert_string_equal(field("", PII_UDP), "udp.payload");
	/* the value itself (base64 text) is skipped back to its key */
	assert_string_equal(field("\r\n\r\nd=eyJpbWVpIjo", PII_TCP), "form:d");
}

static void test_channels(void **state)
{
	(void)state;
	assert_string_equal(field("x.", PII_DNS), "dns.query");
	assert_string_equal(field("", PII_SNI), "tls.sni");
	assert_string_equal(field("", PII_QUIC_SNI), "quic.sni");
}

static void test_long_lines(void **state)
{
	(void)state;
	char b[600];
	memset(b, 'a', sizeof b);
	memcpy(b, "GET /", 5);
	memcpy(b + 590, "?imei=", 7);   /* line start out of the window */
	assert_string_equal(field(b, PII_HTTP), "http.uri:imei");
	memcpy(b + 590, "&imei=", 7);
	assert_string_equal(field(b, PII_HTTP), "form:imei");
	const char *k = "\r\n\r\n{\"a_very_long_json_key_name_for_the_id\":\"";
	const char *f = field(k, PII_TCP);
	assert_int_equal(strlen(f), 31);
	assert_memory_equal(f, "json:a_very_long", 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http),
		cmocka_unit_test(test_bodies),
		cmocka_unit_test(test_channels),
		cmocka_unit_test(test_long_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
