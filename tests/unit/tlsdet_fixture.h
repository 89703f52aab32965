/* Crafted TLS sessions for the TLS detection tests (test_weak_tls.c,
 * test_bad_cert.c, test_interception.c): certificates made with OpenSSL
 * (any name, issuer, key, hash and validity) and a whole TLS 1.2
 * handshake over TCP written into a check_fixture capture: ClientHello,
 * ServerHello + Certificate + ServerHelloDone, then either the client's
 * key exchange, CCS and Finished both ways (established) or a fatal
 * alert from the client. Header-only, tests only. */
#ifndef PH_TESTS_TLSDET_FIXTURE_H
#define PH_TESTS_TLSDET_FIXTURE_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "check_fixture.h"
#include "tls_test_build.h"

#define TDF_T0 1704067200ull            /* 2024-01-01 00:00:00 UTC */
#define TDF_NS(s) ((uint64_t)(s) * 1000000000ull)

struct tdf_cert {
	const char *cn;          /* subject CN (also the only DNS SAN) */
	const char *issuer_cn;   /* NULL: self-signed */
	const char *issuer_o;    /* issuer O (may be NULL) */
	EVP_PKEY *key;           /* subject key */
	EVP_PKEY *signer;        /* NULL: key */
	const EVP_MD *md;        /* NULL: SHA-256 */
	int64_t nb, na;          /* validity, Unix seconds */
};

/* DER of the described certificate (free with OPENSSL_free). */
static inline int tdf_make_cert(const struct tdf_cert *c, unsigned char **der)
{
	X509 *x = X509_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 42);
	ASN1_TIME_set(X509_getm_notBefore(x), (time_t)c->nb);
	ASN1_TIME_set(X509_getm_notAfter(x), (time_t)c->na);
	X509_set_pubkey(x, c->key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
				   (const unsigned char *)c->cn, -1, -1, 0);
	if (c->issuer_cn) {
		X509_NAME *in = X509_NAME_new();
		if (c->issuer_o)
			X509_NAME_add_entry_by_txt(in, "O", MBSTRING_ASC,
				(const unsigned char *)c->issuer_o, -1, -1, 0);
		X509_NAME_add_entry_by_txt(in, "CN", MBSTRING_ASC,
			(const unsigned char *)c->issuer_cn, -1, -1, 0);
		X509_set_issuer_name(x, in);
		X509_NAME_free(in);
	} else {
		X509_set_issuer_name(x, X509_get_subject_name(x));
	}
	char san[300];
	snprintf(san, sizeof san, "DNS:%s", c->cn);
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx,
						NID_subject_alt_name, san);
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	X509_sign(x, c->signer ? c->signer : c->key,
		  c->md ? c->md : EVP_sha256());
	*der = NULL;
	int len = i2d_X509(x, der);
	X509_free(x);
	return len;
}

/* One TLS 1.2 session between the device and a server. */
struct tdf_sess {
	const char *dev, *srv;       /* addresses */
	uint16_t dport, sport;       /* device port, server port */
	uint64_t ts;                 /* ns */
	const char *sni;             /* NULL: no server_name extension */
	const uint16_t *ciphers;     /* NULL: ECDHE-GCM + AES-CBC */
	unsigned n_ciphers;
	uint16_t hello_version;      /* 0: 0x0303 */
	uint16_t version;            /* ServerHello version, 0: 0x0303 */
	uint16_t cipher;             /* 0: 0xc02f */
	const unsigned char *certs[4];
	int cert_len[4];
	unsigned n_certs;
	uint8_t alert;               /* client fatal alert, 0: none */
};

static inline void tdf_session(struct cfx *x, const struct tdf_sess *s)
{
	static const uint16_t defc[] = {0xc02f, 0xc013, 0x009c};
	static const uint16_t ext_sni[] = {0x0000, 0x000a, 0x000b, 0x000d};
	static const uint16_t sig[] = {0x0401};
	static uint8_t body[16384], hs[32768], rec[33000], cm[16384];
	struct tb_hello h = {.legacy_version = s->hello_version ?
				     s->hello_version : 0x0303,
			     .ciphers = s->ciphers ? s->ciphers : defc,
			     .n_ciphers = s->ciphers ? s->n_ciphers : 3,
			     .exts = s->sni ? ext_sni : ext_sni + 1,
			     .n_exts = s->sni ? 4 : 3, .sigalgs = sig,
			     .n_sigalgs = 1, .sni = s->sni};
	struct cfx_tcp t;
	uint64_t ts = s->ts;
	cfx_tcp_open(x, &t, s->dev, s->dport, s->srv, s->sport, ts);
	size_t n = tb_client_hello(body, sizeof body, &h);
	n = tb_handshake(hs, sizeof hs, 1, body, n);
	n = tb_record(rec, sizeof rec, 22, hs, n);
	cfx_tcp_send(x, &t, 0, ts + 3000000, rec, n);
	uint16_t v = s->version ? s->version : 0x0303;
	size_t m = tb_server_hello(body, sizeof body, v,
				   s->cipher ? s->cipher : 0xc02f, NULL, 0, 0,
				   0, NULL);
	size_t k = tb_handshake(hs, sizeof hs, 2, body, m);
	if (s->n_certs) {
		struct tb b = {cm, sizeof cm, 0};
		size_t total = 0;
		for (unsigned i = 0; i < s->n_certs; i++)
			total += 3 + (size_t)s->cert_len[i];
		tb_u8(&b, (unsigned)(total >> 16));
		tb_u16(&b, (unsigned)(total & 0xffff));
		for (unsigned i = 0; i < s->n_certs; i++) {
			tb_u8(&b, 0);
			tb_u16(&b, (unsigned)s->cert_len[i]);
			tb_bytes(&b, s->certs[i], (size_t)s->cert_len[i]);
		}
		k += tb_handshake(hs + k, sizeof hs - k, 11, cm, b.len);
	}
	k += tb_handshake(hs + k, sizeof hs - k, 14, NULL, 0);
	n = tb_record(rec, sizeof rec, 22, hs, k);
	cfx_tcp_send(x, &t, 1, ts + 10000000, rec, n);
	if (s->alert) {
		uint8_t al[2] = {2, s->alert};
		n = tb_record(rec, sizeof rec, 21, al, 2);
		cfx_tcp_send(x, &t, 0, ts + 20000000, rec, n);
	} else {
		uint8_t cke[40] = {32}, one = 1, fin[40] = {0x99};
		n = tb_handshake(hs, sizeof hs, 16, cke, sizeof cke);
		n = tb_record(rec, sizeof rec, 22, hs, n);
		n += tb_record(rec + n, sizeof rec - n, 20, &one, 1);
		n += tb_record(rec + n, sizeof rec - n, 22, fin, 40);
		cfx_tcp_send(x, &t, 0, ts + 20000000, rec, n);
		n = tb_record(rec, sizeof rec, 20, &one, 1);
		n += tb_record(rec + n, sizeof rec - n, 22, fin, 40);
		cfx_tcp_send(x, &t, 1, ts + 30000000, rec, n);
	}
	cfx_tcp_close(x, &t, ts + 40000000);
}

/* A session with one certificate (DER), other fields from base. */
static inline void tdf_session_cert(struct cfx *x, struct tdf_sess s,
				    const struct tdf_cert *c)
{
	unsigned char *der;
	int len = tdf_make_cert(c, &der);
	s.certs[0] = der;
	s.cert_len[0] = len;
	s.n_certs = 1;
	tdf_session(x, &s);
	OPENSSL_free(der);
}

/* The first finding with this id and name (NULL if none). */
static inline const struct ph_finding *tdf_find(const struct ph_findings *f,
						const char *id,
						const char *name)
{
	for (unsigned i = 0; i < ph_findings_count(f); i++) {
		const struct ph_finding *g = ph_findings_get(f, i);
		if (!strcmp(g->id, id) && (!name || !strcmp(g->name, name)))
			return g;
	}
	return NULL;
}

#endif
