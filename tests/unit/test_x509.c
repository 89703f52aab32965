/* Tests for src/proto/x509.c: certificates made here with OpenSSL (a
 * self-signed EC CA with SANs and basic constraints, an RSA leaf signed by
 * it) are parsed back; Zeek's formatting (RFC 2253 names, uppercase hex
 * serial, "prime256v1", i2t algorithm names) and the host match rules are
 * checked; garbage and oversize input are refused safely. */
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "peephole/ph.h"
#include "proto/x509.h"

static void add_ext(X509 *x, X509 *issuer, int nid, const char *val)
{
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, val);
	assert_non_null(e);
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
}

/* A certificate for key k signed by (issuer, ik); DER into *der. */
static int make_cert(EVP_PKEY *k, const char *cn, X509 *issuer,
		     EVP_PKEY *ik, const char *san, const char *bc, long serial,
		     long nb, long na, unsigned char **der, X509 **out)
{
	X509 *x = X509_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	ASN1_TIME_set(X509_getm_notBefore(x), nb);
	ASN1_TIME_set(X509_getm_notAfter(x), na);
	X509_set_pubkey(x, k);
	X509_NAME *n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "C", MBSTRING_ASC,
				   (const unsigned char *)"US", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
				   (const unsigned char *)"Test, Inc.", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	if (san)
		add_ext(x, issuer ? issuer : x, NID_subject_alt_name, san);
	if (bc)
		add_ext(x, issuer ? issuer : x, NID_basic_constraints, bc);
	X509_sign(x, ik ? ik : k, EVP_sha256());
	*der = NULL;
	int len = i2d_X509(x, der);
	*out = x;
	return len;
}

static void test_self_signed_ec(void **st)
{
	(void)st;
	EVP_PKEY *k = EVP_EC_gen("P-256");
	unsigned char *der;
	X509 *x;
	int len = make_cert(k, "ca.example", NULL, NULL,
			    "DNS:ca.example,DNS:*.example.org,IP:192.0.2.1,"
			    "IP:2001:db8::1,email:a@example.org,URI:http://x/",
			    "critical,CA:TRUE,pathlen:2", 0x1A2B, 1000000000,
			    2000000000, &der, &x);
	struct ph_x509 c;
	assert_int_equal(ph_x509_parse(der, (size_t)len, &c), 0);
	assert_true(c.parsed);
	assert_int_equal(c.version, 3);
	assert_string_equal(c.serial, "1A2B");
	assert_string_equal(c.subject, "CN=ca.example,O=Test\\, Inc.,C=US");
	assert_string_equal(c.issuer, c.subject);
	assert_string_equal(c.subject_cn, "ca.example");
	assert_int_equal(c.not_before, 1000000000);
	assert_int_equal(c.not_after, 2000000000);
	assert_string_equal(c.key_alg, "id-ecPublicKey");
	assert_string_equal(c.sig_alg, "ecdsa-with-SHA256");
	assert_int_equal(c.key_type, PH_X509_KEY_EC);
	assert_int_equal(c.key_bits, 256);
	assert_string_equal(c.curve, "prime256v1");
	assert_int_equal(c.n_san_dns, 2);
	assert_string_equal(c.san_dns[1], "*.example.org");
	assert_int_equal(c.n_san_ip, 2);
	assert_string_equal(c.san_ip[0], "192.0.2.1");
	assert_string_equal(c.san_ip[1], "2001:db8::1");
	assert_string_equal(c.san_email[0], "a@example.org");
	assert_string_equal(c.san_uri[0], "http://x/");
	assert_true(c.has_basic_constraints && c.ca);
	assert_int_equal(c.path_len, 2);
	assert_true(c.self_issued && c.self_signed);
	assert_int_equal(strlen(c.sha1_hex), 40);
	assert_int_equal(strlen(c.sha256_hex), 64);
	/* host match: SANs only (the CN is ignored when SANs exist) */
	assert_true(ph_x509_matches_host(&c, "CA.Example"));
	assert_true(ph_x509_matches_host(&c, "www.example.org"));
	assert_false(ph_x509_matches_host(&c, "a.b.example.org"));
	assert_false(ph_x509_matches_host(&c, "example.org"));
	assert_false(ph_x509_matches_host(&c, ""));
	OPENSSL_free(der);
	X509_free(x);
	EVP_PKEY_free(k);
}

static void test_rsa_leaf(void **st)
{
	(void)st;
	EVP_PKEY *ck = EVP_EC_gen("P-256");
	EVP_PKEY *lk = EVP_RSA_gen(1024);
	unsigned char *cder, *lder;
	X509 *ca, *leaf;
	make_cert(ck, "ca", NULL, NULL, NULL, "CA:TRUE", 1, 0, 2000000000,
		  &cder, &ca);
	int len = make_cert(lk, "leaf.example", ca, ck, NULL, NULL, 2,
			    1000000000, 1100000000, &lder, &leaf);
	struct ph_x509 c;
	assert_int_equal(ph_x509_parse(lder, (size_t)len, &c), 0);
	assert_int_equal(c.key_type, PH_X509_KEY_RSA);
	assert_int_equal(c.key_bits, 1024);
	assert_string_equal(c.exponent, "65537");
	assert_string_equal(c.key_alg, "rsaEncryption");
	assert_false(c.self_issued || c.self_signed);
	assert_false(c.has_basic_constraints);
	assert_int_equal(c.path_len, -1);
	/* no SAN: the subject CN is matched */
	assert_true(ph_x509_matches_host(&c, "leaf.example"));
	assert_false(ph_x509_matches_host(&c, "other.example"));
	OPENSSL_free(cder);
	OPENSSL_free(lder);
	X509_free(ca);
	X509_free(leaf);
	EVP_PKEY_free(ck);
	EVP_PKEY_free(lk);
}

static void test_bad_input(void **st)
{
	(void)st;
	uint8_t junk[300];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (uint8_t)(i * 7);
	struct ph_x509 c;
	assert_int_equal(ph_x509_parse(junk, sizeof junk, &c), PH_EFORMAT);
	assert_false(c.parsed);
	assert_int_equal(strlen(c.sha256_hex), 64); /* still fingerprinted */
	assert_int_equal(ph_x509_parse(junk, 0, &c), PH_EFORMAT);
	static uint8_t big[PH_X509_MAX_DER + 1];
	assert_int_equal(ph_x509_parse(big, sizeof big, &c), PH_ENOMEM);
	/* every truncation of a real certificate is refused or parsed */
	EVP_PKEY *k = EVP_EC_gen("P-256");
	unsigned char *der;
	X509 *x;
	int len = make_cert(k, "t", NULL, NULL, "DNS:t", NULL, 5, 0, 10, &der,
			    &x);
	for (int cut = 0; cut < len; cut++)
		assert_int_equal(ph_x509_parse(der, (size_t)cut, &c), PH_EFORMAT);
	OPENSSL_free(der);
	X509_free(x);
	EVP_PKEY_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_self_signed_ec),
		cmocka_unit_test(test_rsa_leaf),
		cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
