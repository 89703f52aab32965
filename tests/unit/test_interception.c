/* Tests for src/detect/interception.c on crafted captures (whole
 * pipeline): a leaf issued by an inspection product, a well-known name
 * certified by a private CA, a name whose issuer changes within the
 * capture and one private CA certifying many domains each fire; a
 * well-known name from its public CA, repeated certificates from the
 * same issuer and a private CA below the many_names threshold do not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tlsdet_fixture.h"

static EVP_PKEY *leaf_key, *ca_key;

static int setup(void **st)
{
	(void)st;
	leaf_key = EVP_EC_gen("P-256");
	ca_key = EVP_EC_gen("P-256");
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	EVP_PKEY_free(leaf_key);
	EVP_PKEY_free(ca_key);
	return 0;
}

/* One session to 203.0.113.(last) for sni, certified by (o, cn). */
static void sess(struct cfx *x, unsigned i, const char *sni, const char *o,
		 const char *cn)
{
	char srv[32];
	snprintf(srv, sizeof srv, "203.0.113.%u", 10 + i);
	struct tdf_sess s = {.dev = "192.168.1.23", .srv = srv,
			     .dport = (uint16_t)(40000 + i), .sport = 443,
			     .ts = TDF_NS(TDF_T0 + i), .sni = sni};
	struct tdf_cert c = {.cn = sni, .issuer_cn = cn, .issuer_o = o,
			     .key = leaf_key, .signer = ca_key,
			     .nb = TDF_T0 - 86400 * 30,
			     .na = TDF_T0 + 86400 * 60};
	tdf_session_cert(x, s, &c);
}

static void test_product(void **st)
{
	(void)st;
	struct cfx x;
	cfx_open(&x);
	sess(&x, 0, "www.google.com", "Fortinet", "FortiGate CA");
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	const struct ph_finding *g = cfx_find(f, "interception.product");
	assert_non_null(g);
	assert_int_equal(g->severity, PH_SEV_HIGH);
	assert_int_equal(g->confidence, PH_CONF_HIGH);
	assert_string_equal(g->name, "www.google.com");
	assert_string_equal(g->attack, "T1557");
	assert_null(cfx_find(f, "interception.private_ca"));
	cfx_close(&x, f);
}

static void test_private_ca_for_well_known(void **st)
{
	(void)st;
	struct cfx x;
	cfx_open(&x);
	sess(&x, 0, "graph.facebook.com", "Example Corp", "Example Root");
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	const struct ph_finding *g = cfx_find(f, "interception.private_ca");
	assert_non_null(g);
	assert_int_equal(g->severity, PH_SEV_HIGH);
	assert_int_equal(g->confidence, PH_CONF_MEDIUM);
	cfx_close(&x, f);
	/* the same name from a public CA, twice */
	cfx_open(&x);
	sess(&x, 0, "graph.facebook.com", "DigiCert Inc", "DigiCert CA");
	sess(&x, 1, "graph.facebook.com", "DigiCert Inc", "DigiCert CA 2");
	f = cfx_run(&x, NULL, 0);
	assert_int_equal(cfx_count(f, "interception."), 0);
	cfx_close(&x, f);
}

static void test_issuer_changed(void **st)
{
	(void)st;
	struct cfx x;
	cfx_open(&x);
	sess(&x, 0, "api.example.org", "DigiCert Inc", "DigiCert CA");
	sess(&x, 1, "api.example.org", "Home Gateway", "Gateway CA");
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	const struct ph_finding *g = cfx_find(f, "interception.issuer_changed");
	assert_non_null(g);
	assert_int_equal(g->severity, PH_SEV_HIGH);
	assert_string_equal(g->matched, "DigiCert Inc -> Home Gateway");
	cfx_close(&x, f);
	/* two public CAs: weak evidence, low */
	cfx_open(&x);
	sess(&x, 0, "api.example.org", "DigiCert Inc", "DigiCert CA");
	sess(&x, 1, "api.example.org", "Let's Encrypt", "R11");
	f = cfx_run(&x, NULL, 0);
	g = cfx_find(f, "interception.issuer_changed");
	assert_non_null(g);
	assert_int_equal(g->severity, PH_SEV_LOW);
	cfx_close(&x, f);
}

static void test_one_ca_many_names(void **st)
{
	(void)st;
	static const char *const names[] = {
		"a.one.example", "b.two.example", "c.three.example",
		"d.four.example", "e.five.example"};
	struct cfx x;
	cfx_open(&x);
	for (unsigned i = 0; i < 4; i++)
		sess(&x, i, names[i], "Acme", "Acme Private CA");
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	assert_null(cfx_find(f, "interception.one_ca_many_names"));
	cfx_close(&x, f);
	cfx_open(&x);
	for (unsigned i = 0; i < 5; i++)
		sess(&x, i, names[i], "Acme", "Acme Private CA");
	f = cfx_run(&x, NULL, 0);
	const struct ph_finding *g =
		cfx_find(f, "interception.one_ca_many_names");
	assert_non_null(g);
	assert_int_equal(g->severity, PH_SEV_HIGH);
	cfx_close(&x, f);
	/* the threshold is an option */
	cfx_open(&x);
	for (unsigned i = 0; i < 3; i++)
		sess(&x, i, names[i], "Acme", "Acme Private CA");
	const char *set[] = {"interception.many_names=3"};
	f = cfx_run(&x, set, 1);
	assert_non_null(cfx_find(f, "interception.one_ca_many_names"));
	cfx_close(&x, f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_product),
		cmocka_unit_test(test_private_ca_for_well_known),
		cmocka_unit_test(test_issuer_changed),
		cmocka_unit_test(test_one_ca_many_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
