/* Tests for src/proto/http_hdr.c: start lines as Zeek's HTTP analyser
 * reads them (HTTP.cc: URI up to the blank before "HTTP/", 0.9 without a
 * version, status code 0 when not digits), header picking, Basic user
 * names, the first-bytes sniffers and the body MIME sniffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "proto/http_int.h"

static struct ph_http_header scratch[PH_HTTP_MAX_HEADERS];
static struct ph_http_parsed out;

static int parse(const char *s, bool req)
{
	return ph_http_parse_block(s, strlen(s), req, scratch, &out);
}

static bool eq(struct ph_http_str s, const char *lit)
{
	return s.p && s.len == strlen(lit) && memcmp(s.p, lit, s.len) == 0;
}

static void test_request_lines(void **state)
{
	(void)state;
	assert_int_equal(parse("GET /a HTTP/1.1\r\n\r\n", true), 0);
	assert_true(eq(out.msg.uri, "/a"));
	assert_true(eq(out.msg.version, "1.1"));
	assert_int_equal(parse("GET  /a\"b  HTTP/1.0\r\n\r\n", true), 0);
	assert_true(eq(out.msg.uri, "/a\"b"));
	assert_int_equal(out.msg.ver_minor, 0);
	assert_int_equal(parse("GET /x y z\r\n\r\n", true), 0); /* 0.9 */
	assert_true(eq(out.msg.uri, "/x y z"));
	assert_null(out.msg.version.p);
	assert_int_equal(parse("GET HTTP/1.1\r\n\r\n", true), 0);
	assert_int_equal(out.msg.uri.len, 0);
	assert_int_equal(parse("G /x\r\n\r\n", true), -1); /* 0.9 needs 3 letters */
	assert_int_equal(parse("/x HTTP/1.1\r\n\r\n", true), -1);
	assert_int_equal(parse("GET\r\n\r\n", true), -1);
	assert_int_equal(parse("DESCRIBE rtsp://c/ RTSP/1.0\r\n\r\n", true), 0);
	assert_true(out.other_protocol);
	assert_int_equal(parse("CONNECT h:443 HTTP/1.1\r\n\r\n", true), 0);
	assert_true(out.msg.is_connect);
	assert_true(eq(out.msg.uri, "h:443"));
}

static void test_status_lines(void **state)
{
	(void)state;
	assert_int_equal(parse("HTTP/1.1 404 Not Found\r\n\r\n", false), 0);
	assert_int_equal(out.msg.status_code, 404);
	assert_true(eq(out.msg.reason, "Not Found"));
	assert_int_equal(parse("HTTP/1.0 200\r\n\r\n", false), 0);
	assert_null(out.msg.reason.p);
	assert_int_equal(parse("HTTP/1.1 2x0 Odd\r\n\r\n", false), 0);
	assert_int_equal(out.msg.status_code, 0);
	assert_int_equal(parse("HTTP/1.1\r\n\r\n", false), -1);
	assert_int_equal(parse("HTTP/1.1 20\r\n\r\n", false), -1);
	assert_int_equal(parse("HTTX/1.1 200 OK\r\n\r\n", false), -1);
}

static void test_headers(void **state)
{
	(void)state;
	assert_int_equal(parse("GET / HTTP/1.1\r\nHOST:  a.b  \r\nnoheader\r\n"
			       "Content-Length: 12x\r\nTransfer-Encoding: gzip, Chunked\r\n"
			       "Forwarded: for=1\r\nX-Forwarded-For: 2\r\n"
			       "Proxy-Authorization: Basic Ym9iOnNlY3JldA==\r\n\r\n",
			       true), 0);
	assert_true(eq(out.msg.host, "a.b"));
	assert_int_equal(out.msg.header_count, 6);
	assert_true(out.msg.has_content_length);
	assert_int_equal(out.msg.content_length, 0); /* Zeek: bad = 0 */
	assert_true(out.msg.chunked);
	assert_int_equal(out.nproxied, 2);
	assert_true(out.msg.has_proxy_auth);
	assert_int_equal(out.msg.auth, PH_HTTP_AUTH_NONE);
	assert_true(eq(out.msg.username, "bob"));
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Disposition: attachment; "
			       "filename=x.exe\r\nSet-Cookie: a\r\n\r\n", false), 0);
	assert_true(eq(out.disposition_name, "x.exe"));
	assert_true(out.msg.has_cookie);
}

static void test_first_bytes(void **state)
{
	(void)state;
	bool maybe;
	assert_true(ph_http_is_request_start((const uint8_t *)"GET /", 5, &maybe));
	assert_false(ph_http_is_request_start((const uint8_t *)"PROPF", 5, &maybe));
	assert_true(maybe);
	assert_false(ph_http_is_request_start((const uint8_t *)"GETS", 4, &maybe));
	assert_false(maybe);
	assert_true(ph_http_is_response_start((const uint8_t *)"HTTP/1.0 200", 12, &maybe));
	assert_false(ph_http_is_response_start((const uint8_t *)"HTTP/2", 6, &maybe));
	assert_false(maybe);
}

static void test_sniff(void **state)
{
	(void)state;
	uint8_t apk[64] = "PK\x03\x04";
	apk[26] = 19;
	memcpy(apk + 30, "AndroidManifest.xml", 19);
	assert_string_equal(ph_http_sniff_mime(apk, 49),
			    "application/vnd.android.package-archive");
	assert_string_equal(ph_http_sniff_mime(apk, 10), "application/zip");
	assert_string_equal(ph_http_sniff_mime((const uint8_t *)"\x7f" "ELF\x02", 5),
			    "application/x-executable");
	assert_string_equal(ph_http_sniff_mime((const uint8_t *)"#!/bin/sh", 9),
			    "text/x-shellscript");
	assert_string_equal(ph_http_sniff_mime((const uint8_t *)" \n{ \"a\":1}", 10),
			    "text/json");
	assert_string_equal(ph_http_sniff_mime((const uint8_t *)"<!DOCTYPE HTML>", 15),
			    "text/html");
	assert_null(ph_http_sniff_mime((const uint8_t *)"hello", 5));
	assert_null(ph_http_sniff_mime((const uint8_t *)"M", 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_lines),
		cmocka_unit_test(test_status_lines),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_first_bytes),
		cmocka_unit_test(test_sniff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
