/* Tests for src/detect/cleartext_http.c on crafted captures run through
 * the whole pipeline: an upload with an IMEI fires at medium, an upload
 * without identifiers at low, Basic auth names the user but never the
 * password, query parameters and dynamic replies are low; static files,
 * connectivity checks and OCSP stay silent; options are honoured. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check_fixture.h"

#define TS0 (1700000000ull * 1000000000ull)

/* One HTTP exchange on its own connection from the device. */
static void exchange(struct cfx *c, uint16_t sport, const char *server,
		     uint16_t port, const char *req, const char *resp,
		     uint64_t ts)
{
	struct cfx_tcp t;
	cfx_tcp_open(c, &t, "192.168.1.23", sport, server, port, ts);
	cfx_tcp_send(c, &t, 0, ts + 3000000, req, strlen(req));
	cfx_tcp_send(c, &t, 1, ts + 4000000, resp, strlen(resp));
	cfx_tcp_close(c, &t, ts + 5000000);
}

static const char ok_json[] =
	"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
	"Content-Length: 2\r\n\r\n{}";

static struct ph_findings *run_one(struct cfx *c, const char *req,
				   const char *resp, const char *const *set,
				   unsigned nset)
{
	cfx_open(c);
	exchange(c, 40000, "198.51.100.77", 8080, req, resp, TS0);
	struct ph_findings *f = cfx_run(c, set, nset);
	assert_int_equal(c->rc, 0);
	return f;
}

static void test_upload_with_imei_is_medium(void **state)
{
	(void)state;
	static const char req[] =
		"POST /api/v1/collect HTTP/1.1\r\nHost: 198.51.100.77:8080\r\n"
		"Content-Type: application/json\r\nContent-Length: 56\r\n\r\n"
		"{\"imei\":\"356938035643809\",\"lat\":48.858370,\"x\":\"abc\"}    ";
	struct cfx c;
	struct ph_findings *f = run_one(&c, req, ok_json, NULL, 0);
	const struct ph_finding *u = cfx_find(f, "cleartext_http.upload");
	assert_non_null(u);
	assert_int_equal(u->severity, PH_SEV_MEDIUM);
	assert_int_equal(u->confidence, PH_CONF_HIGH);
	assert_string_equal(u->device, "192.168.1.23");
	assert_int_equal(u->remote_port, 8080);
	assert_non_null(strstr(u->explain, "IMEI"));
	assert_non_null(strstr(u->explain, "/api/v1/collect"));
	assert_null(strstr(u->explain, "356938035643809"));
	/* the JSON reply is dynamic content: low */
	const struct ph_finding *r = cfx_find(f, "cleartext_http.response");
	assert_non_null(r);
	assert_int_equal(r->severity, PH_SEV_LOW);
	cfx_close(&c, f);
}

static void test_upload_without_identifiers_is_low(void **state)
{
	(void)state;
	static const char req[] =
		"POST /stats HTTP/1.1\r\nHost: stats.example\r\n"
		"Content-Type: application/x-www-form-urlencoded\r\n"
		"Content-Length: 17\r\n\r\nevent=open&imei=1";
	struct cfx c;
	struct ph_findings *f = run_one(&c, req, ok_json, NULL, 0);
	const struct ph_finding *u = cfx_find(f, "cleartext_http.upload");
	assert_non_null(u);
	assert_int_equal(u->severity, PH_SEV_LOW);
	assert_string_equal(u->matched, "stats.example");
	cfx_close(&c, f);
}

static void test_static_and_checks_are_silent(void **state)
{
	(void)state;
	struct cfx c;
	cfx_open(&c);
	exchange(&c, 40000, "192.0.2.80", 80,
		 "GET /assets/js/app.min.js?v=3 HTTP/1.1\r\nHost: static.news.example\r\n\r\n",
		 "HTTP/1.1 200 OK\r\nContent-Type: application/javascript\r\n"
		 "Content-Length: 9\r\n\r\nvar a=1;\n", TS0);
	exchange(&c, 40001, "142.250.178.131", 80,
		 "GET /generate_204 HTTP/1.1\r\nHost: connectivitycheck.gstatic.com\r\n\r\n",
		 "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n",
		 TS0 + 10000000);
	exchange(&c, 40002, "192.0.2.81", 80,
		 "POST / HTTP/1.1\r\nHost: ocsp.example\r\nContent-Type: "
		 "application/ocsp-request\r\nContent-Length: 4\r\n\r\n0\x01\x02\x03",
		 "HTTP/1.1 200 OK\r\nContent-Type: application/ocsp-response\r\n"
		 "Content-Length: 2\r\n\r\n0\x00", TS0 + 20000000);
	exchange(&c, 40003, "192.0.2.82", 80,
		 "GET /img/logo.png HTTP/1.1\r\nHost: cdn.example\r\n\r\n",
		 "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n"
		 "Content-Length: 4\r\n\r\n\x89PNG", TS0 + 30000000);
	struct ph_findings *f = cfx_run(&c, NULL, 0);
	assert_int_equal(c.rc, 0);
	assert_int_equal(cfx_count(f, "cleartext_http."), 0);
	cfx_close(&c, f);
}

static void test_basic_auth_names_user_not_password(void **state)
{
	(void)state;
	/* alice:s3cret */
	static const char req[] =
		"GET /admin HTTP/1.1\r\nHost: router.lan\r\n"
		"Authorization: Basic YWxpY2U6czNjcmV0\r\n\r\n";
	struct cfx c;
	struct ph_findings *f = run_one(&c, req,
		"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
		"Content-Length: 5\r\n\r\nhello", NULL, 0);
	const struct ph_finding *a = cfx_find(f, "cleartext_http.basic_auth");
	assert_non_null(a);
	assert_int_equal(a->severity, PH_SEV_MEDIUM);
	assert_string_equal(a->matched, "router.lan user alice");
	for (unsigned i = 0; i < ph_findings_count(f); i++) {
		const struct ph_finding *x = ph_findings_get(f, i);
		assert_null(strstr(x->explain, "s3cret"));
		assert_null(strstr(x->matched, "s3cret"));
		assert_null(strstr(x->explain, "YWxpY2U6czNjcmV0"));
	}
	cfx_close(&c, f);
}

static void test_digest_auth_is_low(void **state)
{
	(void)state;
	static const char req[] =
		"GET /cam HTTP/1.1\r\nHost: cam.lan\r\nAuthorization: Digest "
		"username=\"bob\", realm=\"x\", nonce=\"1\", uri=\"/cam\", "
		"response=\"0123456789abcdef0123456789abcdef\"\r\n\r\n";
	struct cfx c;
	struct ph_findings *f = run_one(&c, req, ok_json, NULL, 0);
	const struct ph_finding *a = cfx_find(f,
					      "cleartext_http.challenge_auth");
	assert_non_null(a);
	assert_int_equal(a->severity, PH_SEV_LOW);
	assert_null(cfx_find(f, "cleartext_http.basic_auth"));
	cfx_close(&c, f);
}

static void test_query_names_only_and_option(void **state)
{
	(void)state;
	static const char req[] =
		"GET /ads?app_id=77&secretvalue=zzz HTTP/1.1\r\nHost: ads.example\r\n"
		"Cookie: sid=topsecret\r\n\r\n";
	struct cfx c;
	struct ph_findings *f = run_one(&c, req, ok_json, NULL, 0);
	const struct ph_finding *q = cfx_find(f, "cleartext_http.query");
	assert_non_null(q);
	assert_int_equal(q->severity, PH_SEV_LOW);
	assert_non_null(strstr(q->explain, "app_id, secretvalue"));
	assert_null(strstr(q->explain, "zzz"));
	const struct ph_finding *k = cfx_find(f, "cleartext_http.cookie");
	assert_non_null(k);
	assert_null(strstr(k->explain, "topsecret"));
	cfx_close(&c, f);

	const char *set[] = {"cleartext_http.report_query=0",
			     "cleartext_http.report_cookie=0",
			     "cleartext_http.report_response=0"};
	f = run_one(&c, req, ok_json, set, 3);
	assert_int_equal(cfx_count(f, "cleartext_http."), 0);
	cfx_close(&c, f);
}

static void test_min_body_option(void **state)
{
	(void)state;
	static const char req[] =
		"PUT /x HTTP/1.1\r\nHost: up.example\r\nContent-Type: text/plain\r\n"
		"Content-Length: 5\r\n\r\nhello";
	const char *set[] = {"cleartext_http.min_body_bytes=100",
			     "cleartext_http.report_response=0"};
	struct cfx c;
	struct ph_findings *f = run_one(&c, req, ok_json, set, 2);
	assert_null(cfx_find(f, "cleartext_http.upload"));
	cfx_close(&c, f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_upload_with_imei_is_medium),
		cmocka_unit_test(test_upload_without_identifiers_is_low),
		cmocka_unit_test(test_static_and_checks_are_silent),
		cmocka_unit_test(test_basic_auth_names_user_not_password),
		cmocka_unit_test(test_digest_auth_is_low),
		cmocka_unit_test(test_query_names_only_and_option),
		cmocka_unit_test(test_min_body_option),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
