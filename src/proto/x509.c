/* X.509 hand-off: one DER certificate (capped at PH_X509_MAX_DER) goes to
 * OpenSSL's d2i_X509; out comes a fixed-size struct ph_x509 with the fields
 * Zeek's x509.log shows, formatted as Zeek formats them (X509.cc:
 * RFC 2253 names, i2a serial, i2t algorithm names, "rsa"/"dsa"/"ecdsa" key
 * types). Every string is cut to its field; SAN lists keep PH_X509_MAX_SAN
 * entries per kind. Also the RFC 6125 host match used for
 * sni_matches_cert. OpenSSL's error queue is cleared after each call. */
#include "proto/x509.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "peephole/ph.h"

static void to_hex(const uint8_t *d, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[d[i] >> 4];
		out[2 * i + 1] = hx[d[i] & 15];
	}
	out[2 * n] = '\0';
}

static void fingerprints(const uint8_t *der, size_t len, struct ph_x509 *o)
{
	unsigned n = 0;
	if (EVP_Digest(der, len, o->sha1, &n, EVP_sha1(), NULL))
		to_hex(o->sha1, 20, o->sha1_hex);
	if (EVP_Digest(der, len, o->sha256, &n, EVP_sha256(), NULL))
		to_hex(o->sha256, 32, o->sha256_hex);
}

/* Drains a memory BIO into dst (cap bytes incl. NUL), dropping a trailing
 * newline; resets the BIO. */
static void bio_take(BIO *b, char *dst, size_t cap)
{
	int n = BIO_read(b, dst, (int)cap - 1);
	if (n < 0)
		n = 0;
	while (n > 0 && (dst[n - 1] == '\n' || dst[n - 1] == '\r'))
		n--;
	dst[n] = '\0';
	(void)BIO_reset(b);
}

static void copy_cut(char *dst, size_t cap, const void *src, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int64_t asn1_time(const ASN1_TIME *t)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return 0;
	return (int64_t)timegm(&tm);
}

static void names(X509 *x, BIO *b, struct ph_x509 *o)
{
	const unsigned long fl = XN_FLAG_RFC2253;
	X509_NAME *subj = X509_get_subject_name(x);
	X509_NAME_print_ex(b, subj, 0, fl);
	bio_take(b, o->subject, sizeof o->subject);
	X509_NAME_print_ex(b, X509_get_issuer_name(x), 0, fl);
	bio_take(b, o->issuer, sizeof o->issuer);
	int pos = -1, j;
	while ((j = X509_NAME_get_index_by_NID(subj, NID_commonName, pos)) >= 0)
		pos = j;
	if (pos >= 0) {
		X509_NAME_ENTRY *e = X509_NAME_get_entry(subj, pos);
		ASN1_STRING_print(b, X509_NAME_ENTRY_get_data(e));
		bio_take(b, o->subject_cn, sizeof o->subject_cn);
	}
	i2a_ASN1_INTEGER(b, X509_get_serialNumber(x));
	bio_take(b, o->serial, sizeof o->serial);
	o->self_issued = X509_NAME_cmp(subj, X509_get_issuer_name(x)) == 0;
}

static void algorithms(X509 *x, struct ph_x509 *o)
{
	ASN1_OBJECT *alg = NULL;
	X509_PUBKEY_get0_param(&alg, NULL, NULL, NULL, X509_get_X509_PUBKEY(x));
	if (!alg || i2t_ASN1_OBJECT(o->key_alg, sizeof o->key_alg, alg) <= 0)
		o->key_alg[0] = '\0';
	int nid = X509_get_signature_nid(x);
	const ASN1_OBJECT *so = OBJ_nid2obj(nid);
	if (nid == NID_undef || !so ||
	    i2t_ASN1_OBJECT(o->sig_alg, sizeof o->sig_alg, so) <= 0)
		o->sig_alg[0] = '\0';
}

static void rsa_exponent(EVP_PKEY *k, struct ph_x509 *o)
{
	BIGNUM *e = NULL;
	if (!EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &e) || !e)
		return;
	char *s = BN_bn2dec(e);
	if (s) {
		copy_cut(o->exponent, sizeof o->exponent, s, strlen(s));
		OPENSSL_free(s);
	}
	BN_free(e);
}

static void public_key(X509 *x, struct ph_x509 *o)
{
	EVP_PKEY *k = X509_get0_pubkey(x); /* borrowed from x */
	if (!k)
		return;
	int bits = EVP_PKEY_get_bits(k);
	o->key_bits = bits > 0 ? (uint32_t)bits : 0;
	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_RSA:
		o->key_type = PH_X509_KEY_RSA;
		rsa_exponent(k, o);
		break;
	case EVP_PKEY_DSA: o->key_type = PH_X509_KEY_DSA; break;
	case EVP_PKEY_EC: {
		size_t n = 0;
		o->key_type = PH_X509_KEY_EC;
		if (!EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME,
						    o->curve, sizeof o->curve,
						    &n))
			o->curve[0] = '\0';
		break;
	}
	case EVP_PKEY_ED25519: o->key_type = PH_X509_KEY_ED25519; break;
	case EVP_PKEY_ED448: o->key_type = PH_X509_KEY_ED448; break;
	default: o->key_type = PH_X509_KEY_UNKNOWN; break;
	}
	if (o->self_issued)
		o->self_signed = X509_verify(x, k) == 1;
}

/* Appends an IA5 string SAN to one of the lists. */
static void san_add(char (*list)[PH_X509_SAN_LEN], uint8_t *n,
		    const ASN1_IA5STRING *s, bool *trunc)
{
	if (ASN1_STRING_type(s) != V_ASN1_IA5STRING)
		return;
	if (*n >= PH_X509_MAX_SAN) {
		*trunc = true;
		return;
	}
	copy_cut(list[*n], PH_X509_SAN_LEN, ASN1_STRING_get0_data(s),
		 (size_t)ASN1_STRING_length(s));
	(*n)++;
}

static void san_ip(const ASN1_OCTET_STRING *s, struct ph_x509 *o)
{
	int len = ASN1_STRING_length(s);
	const unsigned char *d = ASN1_STRING_get0_data(s);
	if (len != 4 && len != 16)
		return;
	if (o->n_san_ip >= PH_X509_MAX_SAN) {
		o->san_truncated = true;
		return;
	}
	char *t = o->san_ip[o->n_san_ip++];
	if (len == 4) {
		snprintf(t, 48, "%u.%u.%u.%u", d[0], d[1], d[2], d[3]);
		return;
	}
	if (!inet_ntop(AF_INET6, d, t, 48))
		t[0] = '\0';
}

static void sans(X509 *x, struct ph_x509 *o)
{
	GENERAL_NAMES *g = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	if (!g)
		return;
	for (int i = 0; i < sk_GENERAL_NAME_num(g); i++) {
		const GENERAL_NAME *n = sk_GENERAL_NAME_value(g, i);
		switch (n->type) {
		case GEN_DNS:
			san_add(o->san_dns, &o->n_san_dns, n->d.ia5,
				&o->san_truncated);
			break;
		case GEN_URI:
			san_add(o->san_uri, &o->n_san_uri, n->d.ia5,
				&o->san_truncated);
			break;
		case GEN_EMAIL:
			san_add(o->san_email, &o->n_san_email, n->d.ia5,
				&o->san_truncated);
			break;
		case GEN_IPADD: san_ip(n->d.ip, o); break;
		default: break;
		}
	}
	GENERAL_NAMES_free(g);
}

static void basic_constraints(X509 *x, struct ph_x509 *o)
{
	o->path_len = -1;
	BASIC_CONSTRAINTS *bc =
		X509_get_ext_d2i(x, NID_basic_constraints, NULL, NULL);
	if (!bc)
		return;
	o->has_basic_constraints = true;
	o->ca = bc->ca != 0;
	if (bc->pathlen) {
		long v = ASN1_INTEGER_get(bc->pathlen);
		o->path_len = v >= 0 && v < 1000000 ? (int)v : -1;
	}
	BASIC_CONSTRAINTS_free(bc);
}

int ph_x509_parse(const uint8_t *der, size_t len, struct ph_x509 *out)
{
	memset(out, 0, sizeof *out);
	out->path_len = -1;
	if (len > PH_X509_MAX_DER)
		return PH_ENOMEM;
	out->der_len = (uint32_t)len;
	fingerprints(der, len, out);
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	BIO *b = x ? BIO_new(BIO_s_mem()) : NULL;
	if (!x || !b) {
		X509_free(x);
		ERR_clear_error();
		return PH_EFORMAT;
	}
	out->parsed = true;
	out->version = (int)X509_get_version(x) + 1;
	names(x, b, out);
	out->not_before = asn1_time(X509_get0_notBefore(x));
	out->not_after = asn1_time(X509_get0_notAfter(x));
	algorithms(x, out);
	public_key(x, out);
	sans(x, out);
	basic_constraints(x, out);
	BIO_free(b);
	X509_free(x);
	ERR_clear_error();
	return PH_OK;
}

/* One pattern (maybe "*.example.com") against a host name. */
static bool host_match(const char *pat, const char *host)
{
	size_t pl = strlen(pat), hl = strlen(host);
	if (pl && pat[pl - 1] == '.')
		pl--;
	if (hl && host[hl - 1] == '.')
		hl--;
	if (pl >= 2 && pat[0] == '*' && pat[1] == '.') {
		const char *dot = memchr(host, '.', hl);
		if (!dot || dot == host)
			return false;
		size_t rest = hl - (size_t)(dot - host);
		return rest == pl - 1 && strncasecmp(dot, pat + 1, rest) == 0;
	}
	return pl == hl && pl && strncasecmp(pat, host, pl) == 0;
}

bool ph_x509_matches_host(const struct ph_x509 *c, const char *name)
{
	if (!name || !*name)
		return false;
	for (unsigned i = 0; i < c->n_san_dns; i++)
		if (host_match(c->san_dns[i], name))
			return true;
	if (c->n_san_dns)
		return false;
	return c->subject_cn[0] && host_match(c->subject_cn, name);
}
