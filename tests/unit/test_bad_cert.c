/* Tests for src/detect/bad_cert.c on crafted captures (whole pipeline):
 * a self-signed, an expired (at packet time), a mismatched, a weak-key,
 * a SHA-1-signed and a long-lived server certificate each fire their
 * finding; the nearest benign cases (a CA-issued certificate, the same
 * certificate inside its validity, a wildcard covering the SNI, a local
 * router's self-signed certificate rated low) do not, and options are
 * honoured. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tlsdet_fixture.h"

static EVP_PKEY *ec_key, *ca_key;

static int setup(void **st)
{
	(void)st;
	ec_key = EVP_EC_gen("P-256");
	ca_key = EVP_EC_gen("P-256");
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	EVP_PKEY_free(ec_key);
	EVP_PKEY_free(ca_key);
	return 0;
}

static const struct tdf_sess base = {
	.dev = "192.168.1.23", .srv = "203.0.113.80", .dport = 40000,
	.sport = 443, .ts = TDF_NS(TDF_T0), .sni = "sync.adsdk.example"};

static struct tdf_cert ca_cert(const char *cn)
{
	struct tdf_cert c = {.cn = cn, .issuer_cn = "Example Issuing CA",
			     .issuer_o = "Example Trust", .key = ec_key,
			     .signer = ca_key, .nb = TDF_T0 - 86400 * 30,
			     .na = TDF_T0 + 86400 * 300};
	return c;
}

/* Runs one session with certificate c; returns the findings. */
static struct ph_findings *run1(struct cfx *x, struct tdf_sess s,
				const struct tdf_cert *c,
				const char *const *set, unsigned nset)
{
	cfx_open(x);
	tdf_session_cert(x, s, c);
	return cfx_run(x, set, nset);
}

static void test_self_signed(void **st)
{
	(void)st;
	struct cfx x;
	struct tdf_cert c = ca_cert("sync.adsdk.example");
	c.issuer_cn = NULL;
	c.signer = NULL;
	c.na = TDF_T0 + 86400 * 3650;
	struct ph_findings *f = run1(&x, base, &c, NULL, 0);
	const struct ph_finding *g = cfx_find(f, "bad_cert.self_signed");
	assert_non_null(g);
	assert_int_equal(g->severity, PH_SEV_MEDIUM);
	assert_int_equal(g->confidence, PH_CONF_HIGH);
	assert_string_equal(g->name, "sync.adsdk.example");
	assert_string_equal(g->remote, "203.0.113.80");
	assert_string_equal(g->device, "192.168.1.23");
	/* self-signed leaves are not judged on validity length */
	assert_null(cfx_find(f, "bad_cert.long_validity"));
	cfx_close(&x, f);
}

static void test_self_signed_lan_is_low(void **st)
{
	(void)st;
	struct cfx x;
	struct tdf_cert c = ca_cert("router.lan");
	c.issuer_cn = NULL;
	c.signer = NULL;
	struct tdf_sess s = base;
	s.srv = "192.168.1.1";
	s.sni = "router.lan";
	struct ph_findings *f = run1(&x, s, &c, NULL, 0);
	const struct ph_finding *g = cfx_find(f, "bad_cert.self_signed");
	assert_non_null(g);
	assert_int_equal(g->severity, PH_SEV_LOW);
	cfx_close(&x, f);
}

/* A CA-issued leaf with its issuing CA in the chain: nothing. The same
 * leaf sent alone: only the incomplete-chain note (low on the web). */
static void test_ca_issued_is_quiet(void **st)
{
	(void)st;
	struct cfx x;
	struct tdf_cert c = ca_cert("sync.adsdk.example");
	struct tdf_cert ca = {.cn = "Example Issuing CA",
			      .issuer_cn = "Example Issuing CA",
			      .issuer_o = "Example Trust", .key = ca_key,
			      .nb = TDF_T0 - 86400 * 300,
			      .na = TDF_T0 + 86400 * 3000};
	unsigned char *leaf_der, *ca_der;
	struct tdf_sess s = base;
	s.cert_len[0] = tdf_make_cert(&c, &leaf_der);
	s.cert_len[1] = tdf_make_cert(&ca, &ca_der);
	s.certs[0] = leaf_der;
	s.certs[1] = ca_der;
	s.n_certs = 2;
	cfx_open(&x);
	tdf_session(&x, &s);
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	assert_int_equal(cfx_count(f, "bad_cert."), 0);
	cfx_close(&x, f);
	OPENSSL_free(leaf_der);
	OPENSSL_free(ca_der);

	f = run1(&x, base, &c, NULL, 0);
	assert_int_equal(cfx_count(f, "bad_cert."), 1);
	const struct ph_finding *ic = cfx_find(f, "bad_cert.incomplete_chain");
	assert_non_null(ic);
	assert_int_equal(ic->severity, PH_SEV_LOW);
	cfx_close(&x, f);
}

static void test_expired_at_packet_time(void **st)
{
	(void)st;
	struct cfx x;
	struct tdf_cert c = ca_cert("sync.adsdk.example");
	c.nb = TDF_T0 - 86400 * 400;
	c.na = TDF_T0 - 86400 * 40;
	struct ph_findings *f = run1(&x, base, &c, NULL, 0);
	const struct ph_finding *g = cfx_find(f, "bad_cert.expired");
	assert_non_null(g);
	assert_int_equal(g->severity, PH_SEV_MEDIUM);
	cfx_close(&x, f);
	/* the same certificate, captured while it was valid */
	struct tdf_sess s = base;
	s.ts = TDF_NS(TDF_T0 - 86400 * 100);
	f = run1(&x, s, &c, NULL, 0);
	assert_null(cfx_find(f, "bad_cert.expired"));
	assert_null(cfx_find(f, "bad_cert.not_yet_valid"));
	cfx_close(&x, f);
	/* and before it was issued */
	s.ts = TDF_NS(TDF_T0 - 86400 * 500);
	f = run1(&x, s, &c, NULL, 0);
	assert_non_null(cfx_find(f, "bad_cert.not_yet_valid"));
	cfx_close(&x, f);
}

static void test_name_mismatch(void **st)
{
	(void)st;
	struct cfx x;
	struct tdf_cert c = ca_cert("other.example");
	struct tdf_sess s = base;
	s.sni = "www.bank.example";
	struct ph_findings *f = run1(&x, s, &c, NULL, 0);
	const struct ph_finding *g = cfx_find(f, "bad_cert.name_mismatch");
	assert_non_null(g);
	assert_string_equal(g->matched, "www.bank.example");
	assert_int_equal(g->severity, PH_SEV_MEDIUM);
	cfx_close(&x, f);
	/* a wildcard that covers the name */
	c = ca_cert("*.bank.example");
	f = run1(&x, s, &c, NULL, 0);
	assert_null(cfx_find(f, "bad_cert.name_mismatch"));
	cfx_close(&x, f);
}

static void test_weak_key_and_option(void **st)
{
	(void)st;
	struct cfx x;
	EVP_PKEY *rsa = EVP_RSA_gen(1024);
	struct tdf_cert c = ca_cert("sync.adsdk.example");
	c.key = rsa;
	struct ph_findings *f = run1(&x, base, &c, NULL, 0);
	const struct ph_finding *g = cfx_find(f, "bad_cert.weak_key");
	assert_non_null(g);
	assert_int_equal(g->severity, PH_SEV_LOW);
	cfx_close(&x, f);
	const char *set[] = {"bad_cert.min_rsa_bits=1024"};
	f = run1(&x, base, &c, set, 1);
	assert_null(cfx_find(f, "bad_cert.weak_key"));
	cfx_close(&x, f);
	EVP_PKEY_free(rsa);
}

static void test_sha1_signature(void **st)
{
	(void)st;
	struct cfx x;
	struct tdf_cert c = ca_cert("sync.adsdk.example");
	c.md = EVP_sha1();
	struct ph_findings *f = run1(&x, base, &c, NULL, 0);
	const struct ph_finding *g = cfx_find(f, "bad_cert.weak_signature");
	assert_non_null(g);
	assert_string_equal(g->matched, "ecdsa-with-SHA1");
	cfx_close(&x, f);
}

static void test_long_validity_and_option(void **st)
{
	(void)st;
	struct cfx x;
	struct tdf_cert c = ca_cert("sync.adsdk.example");
	c.nb = TDF_T0 - 86400 * 30;
	c.na = TDF_T0 + 86400 * 800;
	struct ph_findings *f = run1(&x, base, &c, NULL, 0);
	const struct ph_finding *g = cfx_find(f, "bad_cert.long_validity");
	assert_non_null(g);
	assert_int_equal(g->severity, PH_SEV_INFO);
	cfx_close(&x, f);
	const char *set[] = {"bad_cert.max_validity_days=0"};
	f = run1(&x, base, &c, set, 1);
	assert_null(cfx_find(f, "bad_cert.long_validity"));
	cfx_close(&x, f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_self_signed),
		cmocka_unit_test(test_self_signed_lan_is_low),
		cmocka_unit_test(test_ca_issued_is_quiet),
		cmocka_unit_test(test_expired_at_packet_time),
		cmocka_unit_test(test_name_mismatch),
		cmocka_unit_test(test_weak_key_and_option),
		cmocka_unit_test(test_sha1_signature),
		cmocka_unit_test(test_long_validity_and_option),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
