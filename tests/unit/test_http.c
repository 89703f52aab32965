/* Tests for src/proto/http.c: detection by content, framing (Content-Length,
 * chunked with trailers, until close, HEAD/1xx/204/304), pipelining and
 * pairing, CONNECT and SOCKS, gaps, caps and counters, and that Basic
 * credentials never leave the parser beyond the user name. */
#include "test_http_helpers.h"

static const char GET1[] =
	"GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\n"
	"User-Agent: test/1.0\r\nAccept: */*\r\n\r\n";

static void test_simple_get(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, NULL);
	h_feed(&h, PH_DIR_ORIG, GET1);
	assert_int_equal(h.nreq, 1);
	assert_string_equal(h.req.method, "GET");
	assert_string_equal(h.req.uri, "/index.html?q=1");
	assert_string_equal(h.req.host, "example.com");
	assert_string_equal(h.req.user_agent, "test/1.0");
	assert_int_equal(h.req.header_count, 3);
	assert_int_equal(h.req.pipeline_depth, 1);
	assert_string_equal(h.conn.service, "http");
	h_feed(&h, PH_DIR_RESP, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
				"Content-Length: 15\r\n\r\n<html>hi</html>");
	assert_int_equal(h.nresp, 1);
	assert_int_equal(h.resp.status, 200);
	assert_string_equal(h.resp.reason, "OK");
	assert_string_equal(h.resp.content_type, "text/html");
	assert_int_equal(h.ntxn, 1);
	assert_int_equal(h.body_len[1], 15);
	assert_memory_equal(h.body[1], "<html>hi</html>", 15);
	struct h_txn *t = &h.txn[0];
	assert_int_equal(t->depth, 1);
	assert_string_equal(t->method, "GET");
	assert_string_equal(t->version, "1.1");
	assert_int_equal(t->status, 200);
	assert_int_equal(t->resp_len, 15);
	assert_int_equal(t->req_len, 0);
	assert_string_equal(t->resp_mime, "text/html");
	assert_false(t->interrupted);
	h_end(&h);
	assert_int_equal(h.ntxn, 1);
	assert_int_equal(h_counter(&h, "http_requests"), 1);
	h_free(&h);
}

static const char PIPE_REQ[] =
	"HEAD /a HTTP/1.1\r\nHost: h\r\n\r\n"
	"GET /b HTTP/1.1\r\nHost: h\r\n\r\n"
	"POST /c HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nabcd";
static const char PIPE_RESP[] =
	"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" /* HEAD: no body */
	"HTTP/1.1 204 No Content\r\n\r\n"
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n";

static void check_pipeline(struct harness *h)
{
	assert_int_equal(h->nreq, 3);
	assert_int_equal(h->nresp, 3);
	assert_int_equal(h->ntxn, 3);
	static const char *const uris[] = {"/a", "/b", "/c"};
	static const uint16_t codes[] = {200, 204, 200};
	for (int i = 0; i < 3; i++) {
		assert_int_equal(h->txn[i].depth, i + 1);
		assert_string_equal(h->txn[i].uri, uris[i]);
		assert_int_equal(h->txn[i].status, codes[i]);
	}
	assert_int_equal(h->txn[0].resp_len, 0);
	assert_int_equal(h->txn[2].req_len, 4);
	assert_int_equal(h->txn[2].resp_len, 11);
	assert_int_equal(h->body_len[1], 11);
	assert_memory_equal(h->body[1], "hello world", 11);
	assert_memory_equal(h->body[0], "abcd", 4);
}

static void test_pipelining(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, NULL);
	h_feed(&h, PH_DIR_ORIG, PIPE_REQ);
	assert_int_equal(h.req.pipeline_depth, 3);
	h_feed(&h, PH_DIR_RESP, PIPE_RESP);
	check_pipeline(&h);
	h_free(&h);
}

/* The same exchange cut at every size from 1 byte up gives the same. */
static void test_pipelining_split(void **state)
{
	(void)state;
	for (size_t step = 1; step < 24; step++) {
		struct harness h;
		h_init(&h, NULL);
		h_feed_split(&h, PH_DIR_ORIG, PIPE_REQ, step);
		h_feed_split(&h, PH_DIR_RESP, PIPE_RESP, step);
		check_pipeline(&h);
		assert_int_equal(h_counter(&h, "http_bad_messages"), 0);
		h_free(&h);
	}
}

static void test_until_close_and_1xx(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, NULL);
	h_feed(&h, PH_DIR_ORIG, "POST /up HTTP/1.1\r\nHost: h\r\n"
				"Expect: 100-continue\r\nContent-Length: 3\r\n\r\n");
	h_feed(&h, PH_DIR_RESP, "HTTP/1.1 100 Continue\r\n\r\n");
	assert_int_equal(h.ntxn, 0);
	h_feed(&h, PH_DIR_ORIG, "xyz");
	h_feed(&h, PH_DIR_RESP, "HTTP/1.0 200 Fine\r\n\r\n\x89PNG\r\n\x1a\n....");
	assert_int_equal(h.ntxn, 0); /* until close */
	h_end(&h);
	assert_int_equal(h.ntxn, 1);
	struct h_txn *t = &h.txn[0];
	assert_int_equal(t->info, 100);
	assert_int_equal(t->status, 200);
	assert_string_equal(t->status_msg, "Fine");
	assert_string_equal(t->version, "1.0");
	assert_int_equal(t->req_len, 3);
	assert_int_equal(t->resp_len, 12);
	assert_string_equal(t->resp_mime, "image/png");
	assert_false(h.end_interrupted[1]);
	h_free(&h);
}

static void test_not_http(void **state)
{
	(void)state;
	static const char *const starts[] = {
		"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
		"SSH-2.0-OpenSSH_9.6\r\n",
		"OPTIONS rtsp://cam/ RTSP/1.0\r\nCSeq: 1\r\n\r\n",
		"GETX / HTTP/1.1\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++) {
		struct harness h;
		h_init(&h, NULL);
		h_feed(&h, PH_DIR_ORIG, starts[i]);
		h_feed(&h, PH_DIR_ORIG, GET1); /* too late: flow decided */
		h_feed(&h, PH_DIR_RESP, "HTTP/1.1 200 OK\r\n\r\n");
		assert_int_equal(h.nreq, 0);
		assert_int_equal(h.nbody_events, 0);
		assert_string_equal(h.conn.service, "");
		assert_int_equal(h_counter(&h, "http_flows"), 0);
		assert_int_equal(h_counter(&h, "http_not_http_flows"), 1);
		h_end(&h);
		h_free(&h);
	}
}

/* A method prefix cut short still waits for the rest. */
static void test_short_first_segment(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, NULL);
	h_feed(&h, PH_DIR_ORIG, "PO");
	h_feed(&h, PH_DIR_ORIG, "ST /x HTTP/1.1\r\nHost: a:4444\r\n\r\n");
	assert_int_equal(h.nreq, 1);
	assert_string_equal(h.req.method, "POST");
	assert_string_equal(h.req.host, "a:4444");
	h_free(&h);
}

static void test_response_first(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, NULL);
	h_feed(&h, PH_DIR_RESP, "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno");
	assert_int_equal(h.ntxn, 1);
	assert_false(h.txn[0].has_request);
	assert_int_equal(h.txn[0].status, 404);
	assert_int_equal(h.txn[0].resp_len, 2);
	h_feed(&h, PH_DIR_ORIG, GET1);
	assert_int_equal(h.req.depth, 2);
	h_free(&h);
}

static void test_basic_auth_user_only(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, NULL);
	/* alice:s3cret */
	h_feed(&h, PH_DIR_ORIG, "GET / HTTP/1.1\r\nHost: h\r\n"
				"Authorization: Basic YWxpY2U6czNjcmV0\r\n"
				"Cookie: a=b\r\n\r\n");
	assert_int_equal(h.req.auth, PH_HTTP_AUTH_BASIC);
	assert_true(h.req.has_credentials);
	assert_true(h.req.has_cookie);
	assert_string_equal(h.req.username, "alice");
	h_end(&h);
	assert_string_equal(h.txn[0].username, "alice");
	assert_null(strstr(h.txn[0].username, "s3cret"));
	h_free(&h);

	h_init(&h, NULL);
	h_feed(&h, PH_DIR_ORIG, "GET / HTTP/1.1\r\nAuthorization: Bearer abc.def\r\n"
				"Proxy-Authorization: Basic bm9jb2xvbg==\r\n\r\n");
	assert_int_equal(h.req.auth, PH_HTTP_AUTH_BEARER);
	assert_true(h.req.has_credentials);
	assert_true(h.req.has_proxy_auth);
	assert_string_equal(h.req.username, "<problem-decoding>");
	h_free(&h);
}

static void test_connect_tunnel(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, NULL);
	h_feed(&h, PH_DIR_ORIG, "CONNECT example.com:443 HTTP/1.1\r\n"
				"Host: example.com:443\r\n\r\n");
	h_feed(&h, PH_DIR_RESP, "HTTP/1.1 407 Proxy Auth\r\nContent-Length: 0\r\n\r\n");
	h_feed(&h, PH_DIR_ORIG, "CONNECT example.com:443 HTTP/1.1\r\n"
				"Proxy-Authorization: Basic dTpw\r\n\r\n"
				"\x16\x03\x01\x00\x05hello");
	assert_int_equal(h.nreq, 2);
	assert_true(h.req.is_connect);
	h_feed(&h, PH_DIR_RESP, "HTTP/1.1 200 Connection established\r\n\r\n"
				"\x16\x03\x03\x00\x02hi");
	h_feed(&h, PH_DIR_ORIG, "\x17\x03\x03\x00\x01x");
	assert_int_equal(h.ntxn, 2);
	assert_int_equal(h.txn[1].status, 200);
	assert_string_equal(h.txn[1].username, "u");
	assert_int_equal(h_counter(&h, "http_tunnels"), 1);
	assert_int_equal(h_counter(&h, "http_bad_messages"), 0);
	assert_int_equal(h.nresp, 2);
	h_free(&h);
}

static void test_proxy_request_and_headers(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, NULL);
	h_feed(&h, PH_DIR_ORIG, "GET http://example.com/x HTTP/1.1\r\n"
				"Host: example.com\r\nVia: 1.1 squid\r\n\r\n");
	assert_true(h.req.is_proxy_request);
	h_end(&h);
	assert_string_equal(h.txn[0].proxied, "VIA -> 1.1 squid");
	h_free(&h);
}

static void test_header_caps(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, NULL);
	char *req = malloc(200000);
	size_t n = (size_t)snprintf(req, 200000, "GET / HTTP/1.1\r\n");
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(req + n, 200000 - n, "X-H%d: v\r\n", i);
	n += (size_t)snprintf(req + n, 200000 - n, "\r\n");
	h_feed(&h, PH_DIR_ORIG, req);
	assert_int_equal(h.req.header_count, 100);
	assert_int_equal(h.req.nheaders, PH_HTTP_MAX_HEADERS);
	assert_int_equal(h_counter(&h, "http_headers_over_cap"), 1);
	/* a header block over 64 KiB is dropped and counted */
	n = (size_t)snprintf(req, 200000, "GET / HTTP/1.1\r\nX: ");
	memset(req + n, 'a', 70000);
	memcpy(req + n + 70000, "\r\n\r\n", 5);
	h_feed_split(&h, PH_DIR_ORIG, req, 1460);
	assert_int_equal(h.nreq, 1);
	assert_int_equal(h_counter(&h, "http_header_block_over_cap"), 1);
	/* a 10 KiB URI is cut at PH_HTTP_URI_MAX */
	n = (size_t)snprintf(req, 200000, "GET /");
	memset(req + n, 'u', 10000);
	memcpy(req + n + 10000, " HTTP/1.1\r\n\r\n", 14);
	h_feed(&h, PH_DIR_ORIG, req);
	assert_int_equal(h.nreq, 2);
	assert_true(h.req.uri_truncated);
	h_end(&h);
	assert_int_equal(strlen(h.txn[1].uri), PH_HTTP_URI_MAX);
	assert_true(h.txn[1].uri_truncated);
	free(req);
	h_free(&h);
}

static void test_body_cap(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, NULL);
	h_feed(&h, PH_DIR_ORIG, GET1);
	size_t big = PH_HTTP_BODY_CAP + PH_HTTP_BODY_CAP / 2;
	char head[128];
	snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\nMZ", big);
	h_feed(&h, PH_DIR_RESP, head);
	uint8_t *chunk = calloc(1, 65536);
	size_t sent = 2;
	while (sent < big) {
		size_t k = big - sent < 65536 ? big - sent : 65536;
		h_feed_n(&h, PH_DIR_RESP, chunk, k);
		sent += k;
	}
	assert_int_equal(h.ntxn, 1);
	assert_int_equal(h.body_len[1], PH_HTTP_BODY_CAP);
	assert_int_equal(h.end_body_len[1], big);
	assert_int_equal(h.end_undelivered[1], big - PH_HTTP_BODY_CAP);
	assert_int_equal(h.txn[0].resp_len, big);
	assert_string_equal(h.txn[0].resp_mime, "application/x-dosexec");
	assert_int_equal(h_counter(&h, "http_bodies_over_cap"), 1);
	free(chunk);
	h_free(&h);
}

static void test_gaps(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, NULL);
	h_feed(&h, PH_DIR_ORIG, GET1);
	h_feed(&h, PH_DIR_RESP, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab");
	h_gap(&h, PH_DIR_RESP, 5); /* inside the body: absorbed */
	h_feed(&h, PH_DIR_RESP, "cde");
	assert_int_equal(h.ntxn, 1);
	assert_int_equal(h.txn[0].resp_len, 10);
	assert_int_equal(h.end_undelivered[1], 5);
	/* a gap inside a header block: resynchronise on the next request */
	h_feed(&h, PH_DIR_ORIG, "GET /lost HTTP/1.1\r\nHo");
	h_gap(&h, PH_DIR_ORIG, 100);
	h_feed(&h, PH_DIR_ORIG, "st: x\r\n\r\n"); /* rest of the lost one */
	h_feed(&h, PH_DIR_ORIG, "GET /next HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_int_equal(h.nreq, 2);
	assert_string_equal(h.req.uri, "/next");
	assert_int_equal(h_counter(&h, "http_gaps_resync"), 1);
	h_free(&h);
}

static void test_pending_cap(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, NULL);
	for (int i = 0; i < 40; i++)
		h_feed(&h, PH_DIR_ORIG, "GET /p HTTP/1.1\r\nHost: h\r\n\r\n");
	assert_int_equal(h.ntxn, 40 - PH_HTTP_MAX_PENDING);
	assert_true(h.txn[0].interrupted);
	assert_int_equal(h_counter(&h, "http_pending_over_cap"), 8);
	h_end(&h);
	assert_int_equal(h.ntxn, 40);
	for (int i = 0; i < 40; i++)
		assert_int_equal(h.txn[i].depth, i + 1);
	h_free(&h);
}

static void test_socks_then_http(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, NULL);
	h_feed_n(&h, PH_DIR_ORIG, "\x05\x01\x00", 3);
	h_feed_n(&h, PH_DIR_RESP, "\x05\x00", 2);
	h_feed_n(&h, PH_DIR_ORIG, "\x05\x01\x00\x01\x5d\xb8\xd8\x22\x00\x50", 10);
	h_feed_n(&h, PH_DIR_RESP, "\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00", 10);
	h_feed(&h, PH_DIR_ORIG, GET1);
	h_feed(&h, PH_DIR_RESP, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
	assert_int_equal(h.ntxn, 1);
	assert_string_equal(h.txn[0].uri, "/index.html?q=1");
	h_free(&h);
}

static void test_bad_chunk_resync(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, NULL);
	h_feed(&h, PH_DIR_ORIG, GET1);
	h_feed(&h, PH_DIR_RESP, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				"zz\r\n");
	assert_int_equal(h.ntxn, 1);
	assert_true(h.end_interrupted[1]);
	assert_int_equal(h_counter(&h, "http_bad_messages"), 1);
	h_feed(&h, PH_DIR_ORIG, GET1);
	h_feed(&h, PH_DIR_RESP, "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n");
	assert_int_equal(h.ntxn, 2);
	assert_int_equal(h.txn[1].status, 304);
	h_free(&h);
}

/* Lines ending in bare LF, folded headers, blank lines between messages,
 * and an HTTP/0.9-style request line. */
static void test_tolerance(void **state)
{
	(void)state;
	struct harness h;
	h_init(&h, NULL);
	h_feed(&h, PH_DIR_ORIG, "GET /a b HTTP/1.0\nHost: x\nUser-Agent: a\n b\n\n\r\n");
	assert_string_equal(h.req.uri, "/a b");
	assert_string_equal(h.req.host, "x");
	assert_int_equal(strncmp(h.req.user_agent, "a", 1), 0);
	assert_int_equal(h.req.header_count, 2);
	h_feed(&h, PH_DIR_ORIG, "GET /nine\r\n\r\n");
	assert_int_equal(h.nreq, 2);
	assert_string_equal(h.req.uri, "/nine");
	h_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_get),
		cmocka_unit_test(test_pipelining),
		cmocka_unit_test(test_pipelining_split),
		cmocka_unit_test(test_until_close_and_1xx),
		cmocka_unit_test(test_not_http),
		cmocka_unit_test(test_short_first_segment),
		cmocka_unit_test(test_response_first),
		cmocka_unit_test(test_basic_auth_user_only),
		cmocka_unit_test(test_connect_tunnel),
		cmocka_unit_test(test_proxy_request_and_headers),
		cmocka_unit_test(test_header_caps),
		cmocka_unit_test(test_body_cap),
		cmocka_unit_test(test_gaps),
		cmocka_unit_test(test_pending_cap),
		cmocka_unit_test(test_socks_then_http),
		cmocka_unit_test(test_bad_chunk_resync),
		cmocka_unit_test(test_tolerance),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
