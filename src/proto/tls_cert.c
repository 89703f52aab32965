/* TLS Certificate messages (RFC 5246 7.4.2; cleartext only up to TLS 1.2):
 * splits the certificate_list, hands each DER (<= PH_X509_MAX_DER) to
 * x509.c, emits one PH_EV_TLS_CERT per certificate (at most
 * PH_TLS_MAX_CHAIN per message; the rest are counted), records the
 * SHA-256 fingerprints in the session, and for the server's chain checks
 * the SNI against the leaf and what OpenSSL's verifier would say without
 * a trust store (self-signed leaf, expired or not yet valid at packet
 * time). */
#include <openssl/x509_vfy.h>
#include <stdio.h>
#include <string.h>

#include "proto/tls_int.h"
#include "proto/x509.h"
#include "util/rd.h"

/* Counts the entries of a certificate_list (stops at a bad length). */
static unsigned count_certs(struct ph_rd r)
{
	unsigned n = 0;
	while (ph_rd_left(&r) >= 3) {
		uint32_t len = ph_rd_be24(&r);
		if (!ph_rd_skip(&r, len))
			break;
		n++;
	}
	return n;
}

static void add_fp(struct ph_tls_session *s, const struct ph_x509 *c,
		   bool client)
{
	char(*fps)[65] = client ? s->client_cert_fps : s->cert_fps;
	uint8_t *n = client ? &s->n_client_cert_fps : &s->n_cert_fps;
	if (*n >= PH_TLS_MAX_CHAIN)
		return;
	memcpy(fps[(*n)++], c->sha256_hex, 65);
}

/* What can be told of the server chain without trust anchors, in
 * OpenSSL's words; the first problem wins, as with Zeek's verify. */
struct chain_check {
	bool leaf_self_signed, expired, not_yet;
};

static void check_cert(struct chain_check *k, const struct ph_x509 *c,
		       uint64_t ts_ns)
{
	if (!c->parsed)
		return;
	int64_t now = (int64_t)(ts_ns / 1000000000u);
	if (c->chain_pos == 0 && c->self_signed)
		k->leaf_self_signed = true;
	if (c->not_after && now > c->not_after)
		k->expired = true;
	if (c->not_before && now < c->not_before)
		k->not_yet = true;
}

static void set_status(struct ph_tls_session *s, const struct chain_check *k)
{
	long code = 0;
	if (k->leaf_self_signed)
		code = X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT;
	else if (k->not_yet)
		code = X509_V_ERR_CERT_NOT_YET_VALID;
	else if (k->expired)
		code = X509_V_ERR_CERT_HAS_EXPIRED;
	if (code)
		snprintf(s->validation_status, sizeof s->validation_status,
			 "%s", X509_verify_cert_error_string(code));
}

static void one_cert(struct ph_tls_mod *m, struct ph_tls_flow *f,
		     const struct ph_event *ev, const uint8_t *der,
		     uint32_t len, unsigned pos, unsigned total, bool client,
		     struct chain_check *k)
{
	struct ph_x509 *c = &m->cert;
	int rc = ph_x509_cache_parse(&m->certs, der, len, c);
	if (rc == PH_ENOMEM) {
		m->c.cert_too_big++;
		return;
	}
	if (rc < 0)
		m->c.cert_unparsed++;
	c->chain_pos = (uint8_t)pos;
	c->chain_len = (uint8_t)total;
	c->client = client;
	m->c.certs++;
	add_fp(&f->s, c, client);
	if (!client) {
		check_cert(k, c, ev->ts_ns);
		if (pos == 0 && f->s.server_name[0])
			f->s.sni_matches_cert =
				ph_x509_matches_host(c, f->s.server_name);
	}
	struct ph_event out = *ev;
	out.kind = PH_EV_TLS_CERT;
	out.u.proto = c;
	m->env.emit(m->env.bus, &out);
}

void ph_tls_on_certificates(struct ph_tls_mod *m, struct ph_tls_flow *f,
			    const struct ph_event *ev, const uint8_t *b,
			    uint32_t n, bool client)
{
	struct ph_rd r, list;
	ph_rd_init(&r, b, n);
	uint32_t total = ph_rd_be24(&r);
	const uint8_t *p = ph_rd_bytes(&r, total);
	if (!p)
		return;
	ph_rd_init(&list, p, total);
	unsigned count = count_certs(list);
	if (count > PH_TLS_MAX_CHAIN) {
		m->c.chain_capped++;
		count = PH_TLS_MAX_CHAIN;
	}
	struct chain_check k = {0};
	f->s.saw_certs = true;
	for (unsigned i = 0; i < count; i++) {
		uint32_t len = ph_rd_be24(&list);
		const uint8_t *der = ph_rd_bytes(&list, len);
		if (!der)
			break;
		one_cert(m, f, ev, der, len, i, count, client, &k);
	}
	if (!client && count && !f->s.validation_status[0])
		set_status(&f->s, &k);
}
