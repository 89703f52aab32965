/* Tests for src/detect/weak_tls.c on crafted captures (whole pipeline):
 * TLS 1.0 and SSL 3.0 sessions and offers, RC4/NULL/static-RSA suites, a CBC-only
 * offer, a hello without SNI, a certificate refused with a fatal alert
 * and TLS on an odd port each fire their finding at the documented
 * severity; a modern TLS 1.2 ECDHE-GCM session with SNI on 443 fires
 * nothing, and the switches turn their findings off. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tlsdet_fixture.h"

static const struct tdf_sess base = {
	.dev = "192.168.1.23", .srv = "203.0.113.9", .dport = 40000,
	.sport = 443, .ts = TDF_NS(TDF_T0), .sni = "api.example.org"};

static struct ph_findings *run1(struct cfx *x, const struct tdf_sess *s,
				const char *const *set, unsigned nset)
{
	cfx_open(x);
	tdf_session(x, s);
	return cfx_run(x, set, nset);
}

static void test_modern_is_quiet(void **st)
{
	(void)st;
	struct cfx x;
	struct ph_findings *f = run1(&x, &base, NULL, 0);
	assert_int_equal(x.rc, 0);
	assert_int_equal(cfx_count(f, "weak_tls."), 0);
	cfx_close(&x, f);
}

static void test_tls10(void **st)
{
	(void)st;
	struct cfx x;
	struct tdf_sess s = base;
	s.hello_version = 0x0301;
	s.version = 0x0301;
	s.cipher = 0xc013;
	struct ph_findings *f = run1(&x, &s, NULL, 0);
	const struct ph_finding *g = cfx_find(f, "weak_tls.old_version");
	assert_non_null(g);
	assert_int_equal(g->severity, PH_SEV_LOW);
	assert_string_equal(g->matched, "TLSv10");
	assert_string_equal(g->name, "api.example.org");
	g = cfx_find(f, "weak_tls.old_hello");
	assert_non_null(g);
	assert_int_equal(g->severity, PH_SEV_LOW);
	cfx_close(&x, f);
}

static void test_ssl3(void **st)
{
	(void)st;
	struct cfx x;
	struct tdf_sess s = base;
	s.hello_version = 0x0300;
	s.version = 0x0300;
	s.cipher = 0x002f;
	struct ph_findings *f = run1(&x, &s, NULL, 0);
	const struct ph_finding *g = cfx_find(f, "weak_tls.old_version");
	assert_non_null(g);
	assert_int_equal(g->severity, PH_SEV_MEDIUM);
	assert_non_null(cfx_find(f, "weak_tls.old_hello"));
	cfx_close(&x, f);
}

static void test_ciphers(void **st)
{
	(void)st;
	struct cfx x;
	struct tdf_sess s = base;
	s.cipher = 0x0005; /* TLS_RSA_WITH_RC4_128_SHA */
	struct ph_findings *f = run1(&x, &s, NULL, 0);
	const struct ph_finding *g = cfx_find(f, "weak_tls.weak_cipher");
	assert_non_null(g);
	assert_int_equal(g->severity, PH_SEV_LOW); /* old phones did it */
	assert_string_equal(g->matched, "TLS_RSA_WITH_RC4_128_SHA");
	cfx_close(&x, f);
	s.cipher = 0x0002; /* TLS_RSA_WITH_NULL_SHA */
	f = run1(&x, &s, NULL, 0);
	g = cfx_find(f, "weak_tls.weak_cipher");
	assert_non_null(g);
	assert_int_equal(g->severity, PH_SEV_HIGH);
	cfx_close(&x, f);
	s.cipher = 0x002f; /* TLS_RSA_WITH_AES_128_CBC_SHA */
	f = run1(&x, &s, NULL, 0);
	assert_null(cfx_find(f, "weak_tls.weak_cipher"));
	g = cfx_find(f, "weak_tls.no_forward_secrecy");
	assert_non_null(g);
	assert_int_equal(g->severity, PH_SEV_INFO);
	cfx_close(&x, f);
	const char *set[] = {"weak_tls.no_forward_secrecy=0"};
	f = run1(&x, &s, set, 1);
	assert_null(cfx_find(f, "weak_tls.no_forward_secrecy"));
	cfx_close(&x, f);
}

static void test_cbc_only(void **st)
{
	(void)st;
	struct cfx x;
	static const uint16_t cbc[] = {0xc013, 0x002f, 0x00ff};
	struct tdf_sess s = base;
	s.ciphers = cbc;
	s.n_ciphers = 3;
	s.cipher = 0xc013;
	struct ph_findings *f = run1(&x, &s, NULL, 0);
	const struct ph_finding *g = cfx_find(f, "weak_tls.cbc_only");
	assert_non_null(g);
	assert_int_equal(g->severity, PH_SEV_LOW);
	cfx_close(&x, f);
	const char *set[] = {"weak_tls.cbc_only=0"};
	f = run1(&x, &s, set, 1);
	assert_null(cfx_find(f, "weak_tls.cbc_only"));
	cfx_close(&x, f);
}

static void test_no_sni(void **st)
{
	(void)st;
	struct cfx x;
	struct tdf_sess s = base;
	s.sni = NULL;
	struct ph_findings *f = run1(&x, &s, NULL, 0);
	const struct ph_finding *g = cfx_find(f, "weak_tls.no_sni");
	assert_non_null(g);
	/* nobody looked the address up: context only */
	assert_int_equal(g->severity, PH_SEV_INFO);
	assert_string_equal(g->matched, "203.0.113.9");
	cfx_close(&x, f);
	const char *set[] = {"weak_tls.no_sni=0"};
	f = run1(&x, &s, set, 1);
	assert_null(cfx_find(f, "weak_tls.no_sni"));
	cfx_close(&x, f);
}

static void test_alert(void **st)
{
	(void)st;
	struct cfx x;
	struct tdf_sess s = base;
	s.alert = 48; /* unknown_ca, from the client */
	struct ph_findings *f = run1(&x, &s, NULL, 0);
	const struct ph_finding *g = cfx_find(f, "weak_tls.alert");
	assert_non_null(g);
	assert_int_equal(g->severity, PH_SEV_MEDIUM);
	assert_string_equal(g->matched, "unknown_ca");
	cfx_close(&x, f);
	s.alert = 40; /* handshake_failure: no common suite */
	f = run1(&x, &s, NULL, 0);
	g = cfx_find(f, "weak_tls.alert");
	assert_non_null(g);
	assert_int_equal(g->severity, PH_SEV_LOW);
	cfx_close(&x, f);
}

static void test_unusual_port(void **st)
{
	(void)st;
	struct cfx x;
	struct tdf_sess s = base;
	s.sport = 4444;
	struct ph_findings *f = run1(&x, &s, NULL, 0);
	const struct ph_finding *g = cfx_find(f, "weak_tls.unusual_port");
	assert_non_null(g);
	assert_int_equal(g->severity, PH_SEV_INFO);
	assert_string_equal(g->matched, "4444");
	cfx_close(&x, f);
	const char *set[] = {"weak_tls.unusual_port=0"};
	f = run1(&x, &s, set, 1);
	assert_null(cfx_find(f, "weak_tls.unusual_port"));
	cfx_close(&x, f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modern_is_quiet),
		cmocka_unit_test(test_tls10),
		cmocka_unit_test(test_ssl3),
		cmocka_unit_test(test_ciphers),
		cmocka_unit_test(test_cbc_only),
		cmocka_unit_test(test_no_sni),
		cmocka_unit_test(test_alert),
		cmocka_unit_test(test_unusual_port),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
