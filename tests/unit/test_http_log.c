/* Tests for src/report/http_log.c: http.log lines built from parser events.
 * The expected lines follow Zeek's HTTP::Info column order and JSON/TSV
 * formats (Zeek testing baselines of scripts.base.protocols.http: "tags"
 * always present as an empty set, unset fields left out of JSON, "-" in
 * TSV, the URI unescaped, "<empty>" for a missing reason phrase). */
#include <ftw.h>
#include <unistd.h>

#include "test_http_helpers.h"

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	return remove(p);
}

static char *run_log(const char *req, const char *resp, int tsv)
{
	char dir[] = "/tmp/ph_httplog_XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct harness h;
	memset(&h, 0, sizeof h);
	struct ph_module_env env = {.emit = h_emit, .bus = &h, .log_dir = dir,
				    .log_tsv = tsv};
	h_init(&h, NULL);
	struct ph_err err;
	assert_int_equal(ph_http_log_module.init(&env, &h.log, &err), 0);
	h_feed(&h, PH_DIR_ORIG, req);
	if (resp)
		h_feed(&h, PH_DIR_RESP, resp);
	h_end(&h);
	assert_int_equal(ph_http_log_module.finish(h.log, h.ts, &err), 0);
	h_free(&h);
	char path[256];
	snprintf(path, sizeof path, "%s/http.log", dir);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *buf = calloc(1, 65536);
	size_t n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	return buf;
}

static void test_json_line(void **state)
{
	(void)state;
	char *out = run_log(
		"POST /api/v1/c%20x?a=%u0041%zz HTTP/1.1\r\nHost: h.example\r\n"
		"User-Agent: UA\r\nReferer: http://r/\r\nOrigin: http://o\r\n"
		"Authorization: Basic dXNlcjpwYXNz\r\nX-Forwarded-For: 1.2.3.4\r\n"
		"Content-Length: 2\r\n\r\n{}",
		"HTTP/1.1 100 Continue\r\n\r\n"
		"HTTP/1.1 200\r\nContent-Length: 4\r\n"
		"Content-Disposition: attachment; filename=\"a.apk\"\r\n\r\n"
		"PK\x03\x04",
		0);
	assert_string_equal(out,
		"{\"ts\":1700000000.0,\"uid\":\"CHttpTest1\",\"id.orig_h\":\"10.0.0.1\","
		"\"id.orig_p\":40000,\"id.resp_h\":\"192.0.2.80\",\"id.resp_p\":80,"
		"\"trans_depth\":1,\"method\":\"POST\",\"host\":\"h.example\","
		"\"uri\":\"/api/v1/c x?a=A%zz\",\"referrer\":\"http://r/\","
		"\"version\":\"1.1\",\"user_agent\":\"UA\",\"origin\":\"http://o\","
		"\"request_body_len\":2,\"response_body_len\":4,\"status_code\":200,"
		"\"status_msg\":\"<empty>\",\"info_code\":100,\"info_msg\":\"Continue\","
		"\"tags\":[],\"username\":\"user\","
		"\"proxied\":[\"X-FORWARDED-FOR -> 1.2.3.4\"],"
		"\"resp_filenames\":[\"a.apk\"],\"resp_mime_types\":[\"application/zip\"]}\n");
	assert_null(strstr(out, "pass"));
	free(out);
}

static void test_tsv_unanswered(void **state)
{
	(void)state;
	char *out = run_log("GET /x HTTP/1.1\r\n\r\n", NULL, 1);
	assert_non_null(strstr(out,
		"#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\t"
		"trans_depth\tmethod\thost\turi\treferrer\tversion\tuser_agent\t"
		"origin\trequest_body_len\tresponse_body_len\tstatus_code\t"
		"status_msg\tinfo_code\tinfo_msg\ttags\tusername\tpassword\t"
		"proxied\torig_fuids\torig_filenames\torig_mime_types\t"
		"resp_fuids\tresp_filenames\tresp_mime_types\n"));
	assert_non_null(strstr(out,
		"#types\ttime\tstring\taddr\tport\taddr\tport\tcount\tstring\t"
		"string\tstring\tstring\tstring\tstring\tstring\tcount\tcount\t"
		"count\tstring\tcount\tstring\tset[enum]\tstring\tstring\t"
		"set[string]\tvector[string]\tvector[string]\tvector[string]\t"
		"vector[string]\tvector[string]\tvector[string]\n"));
	assert_non_null(strstr(out,
		"\n1700000000.000000\tCHttpTest1\t10.0.0.1\t40000\t"
		"192.0.2.80\t80\t1\tGET\t-\t/x\t-\t-\t-\t-\t0\t0\t-\t-\t-\t-\t"
		"(empty)\t-\t-\t-\t-\t-\t-\t-\t-\t-\n"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_line),
		cmocka_unit_test(test_tsv_unanswered),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
