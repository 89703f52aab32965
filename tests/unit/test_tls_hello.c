/* Tests for src/proto/tls_hello.c and tls_fp.c: ClientHello/ServerHello
 * parsing and the JA3/JA3S/JA4/JA4S fingerprints. The JA4 reference value
 * is the worked example of FoxIO's technical_details/JA4.md (ciphers,
 * extensions and signature algorithms listed there give
 * t13d1516h2_8daaf6152771_e5627efa2ab1). Hellos are built here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "peephole/ph.h"
#include "proto/tls_hello.h"
#include "tls_test_build.h"

static const uint16_t spec_ciphers[] = {0x1301, 0x1302, 0x1303, 0xc02b,
	0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c,
	0x009d, 0x002f, 0x0035};
static const uint16_t spec_exts[] = {0x001b, 0x0000, 0x0033, 0x0010, 0x4469,
	0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01,
	0x000b, 0x000a, 0x0015};
static const uint16_t spec_sigs[] = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805,
	0x0501, 0x0806, 0x0601};

static size_t spec_hello(uint8_t *b, size_t cap, bool grease)
{
	struct tb_hello h = {0};
	h.legacy_version = 0x0303;
	h.ciphers = spec_ciphers;
	h.n_ciphers = 15;
	h.exts = spec_exts;
	h.n_exts = 16;
	h.sigalgs = spec_sigs;
	h.n_sigalgs = 8;
	h.sni = "example.com";
	h.alpn = "h2";
	h.version13 = true;
	h.grease = grease;
	return tb_client_hello(b, cap, &h);
}

static void test_ja4_spec_example(void **st)
{
	(void)st;
	uint8_t b[2048];
	size_t n = spec_hello(b, sizeof b, false);
	struct ph_tls_hello h;
	assert_int_equal(ph_tls_parse_client_hello(b, n, &h), 0);
	assert_string_equal(h.sni, "example.com");
	assert_int_equal(h.version, 0x0304);
	assert_int_equal(h.n_ciphers, 15);
	assert_int_equal(h.n_exts, 16);
	assert_int_equal(h.n_alpn, 1);
	assert_string_equal(h.alpn[0], "h2");
	ph_tls_hello_fingerprint(&h, false);
	assert_string_equal(h.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
	ph_tls_hello_fingerprint(&h, true);
	assert_string_equal(h.ja4, "q13d1516h2_8daaf6152771_e5627efa2ab1");
}

static void test_grease_ignored(void **st)
{
	(void)st;
	uint8_t b[2048];
	size_t n = spec_hello(b, sizeof b, true);
	struct ph_tls_hello h;
	assert_int_equal(ph_tls_parse_client_hello(b, n, &h), 0);
	assert_true(h.n_ciphers == 16 && ph_tls_is_grease(h.ciphers[0]));
	ph_tls_hello_fingerprint(&h, false);
	assert_string_equal(h.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
	/* JA3 drops GREASE too: same as the hello without it */
	char ja3[PH_TLS_JA3_LEN];
	memcpy(ja3, h.ja3, sizeof ja3);
	n = spec_hello(b, sizeof b, false);
	assert_int_equal(ph_tls_parse_client_hello(b, n, &h), 0);
	ph_tls_hello_fingerprint(&h, false);
	assert_string_equal(h.ja3, ja3);
}

static void test_ja3_string(void **st)
{
	(void)st;
	static const uint16_t c[] = {0xc02b, 0x002f};
	static const uint16_t e[] = {0x0000, 0x000a, 0x000b};
	uint8_t b[512];
	struct tb_hello t = {.legacy_version = 0x0303, .ciphers = c,
			     .n_ciphers = 2, .exts = e, .n_exts = 3,
			     .sni = "a.b"};
	size_t n = tb_client_hello(b, sizeof b, &t);
	struct ph_tls_hello h;
	assert_int_equal(ph_tls_parse_client_hello(b, n, &h), 0);
	ph_tls_hello_fingerprint(&h, false);
	/* groups 29,23 and point format 0 come from the builder */
	assert_string_equal(h.ja3, "771,49195-47,0-10-11,29-23,0");
	assert_int_equal(strlen(h.ja3_md5), 32);
	/* no ALPN, no sigalgs: "00" and no '_' in the hashed string */
	assert_memory_equal(h.ja4, "t12d0203" "00_", 11);
}

static void test_alpn_nonalnum(void **st)
{
	(void)st;
	static const uint16_t c[] = {0x1301};
	static const uint16_t e[] = {0x0010};
	uint8_t b[512];
	struct tb_hello t = {.legacy_version = 0x0303, .ciphers = c,
			     .n_ciphers = 1, .exts = e, .n_exts = 1,
			     .alpn = "\xab\xcd"};
	size_t n = tb_client_hello(b, sizeof b, &t);
	struct ph_tls_hello h;
	assert_int_equal(ph_tls_parse_client_hello(b, n, &h), 0);
	ph_tls_hello_fingerprint(&h, false);
	assert_memory_equal(h.ja4, "t12i0101ad_", 11); /* spec: 0xAB 0xCD */
}

static void test_server_hello(void **st)
{
	(void)st;
	uint8_t b[512];
	static const uint16_t e[] = {0x002b, 0x0033};
	size_t n = tb_server_hello(b, sizeof b, 0x0303, 0x1301, e, 2, 0x0304,
				   0x001d, NULL);
	struct ph_tls_hello h;
	assert_int_equal(ph_tls_parse_server_hello(b, n, &h), 0);
	assert_int_equal(h.version, 0x0304);
	assert_int_equal(h.key_share_group, 0x001d);
	ph_tls_hello_fingerprint(&h, false);
	assert_string_equal(h.ja3, "771,4865,43-51");
	assert_memory_equal(h.ja4, "t130200_1301_", 13);
	n = tb_server_hello(b, sizeof b, 0x0303, 0xc02f, NULL, 0, 0, 0, "h2");
	assert_int_equal(ph_tls_parse_server_hello(b, n, &h), 0);
	ph_tls_hello_fingerprint(&h, false);
	assert_memory_equal(h.ja4, "t1201h2_c02f_", 13);
}

static void test_malformed(void **st)
{
	(void)st;
	uint8_t b[2048];
	size_t n = spec_hello(b, sizeof b, false);
	struct ph_tls_hello h;
	for (size_t cut = 0; cut < n; cut++) /* every truncation is safe */
		(void)ph_tls_parse_client_hello(b, cut, &h);
	assert_int_equal(ph_tls_parse_client_hello(b, 10, &h), PH_EFORMAT);
	b[34] = 40; /* session id longer than 32 */
	assert_int_equal(ph_tls_parse_client_hello(b, n, &h), PH_EFORMAT);
	assert_int_equal(ph_tls_parse_server_hello(b, 3, &h), PH_EFORMAT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ja4_spec_example),
		cmocka_unit_test(test_grease_ignored),
		cmocka_unit_test(test_ja3_string),
		cmocka_unit_test(test_alpn_nonalnum),
		cmocka_unit_test(test_server_hello),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
