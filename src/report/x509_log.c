/* x509.log (ph_x509_log_module): one line per certificate seen in a TLS
 * handshake (PH_EV_TLS_CERT, struct ph_x509), in the column order of
 * current Zeek's X509::Info (base/files/x509/main.zeek): SHA-256
 * fingerprint, the certificate record, SANs, basic constraints, host_cert
 * and client_cert. Like Zeek, a certificate is logged once per
 * (fingerprint, host_cert, client_cert) per run (Zeek: per day); the
 * de-duplication set is capped at X509_DEDUP_MAX entries, past which
 * every certificate is logged and the overflow counted. Certificates
 * OpenSSL cannot decode are not logged (Zeek raises no event for them).
 * The file is created on the first record. docs/logs/x509.md. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "peephole/module.h"
#include "peephole/proto_tls.h"
#include "report/log_file.h"
#include "report/zeek_writer.h"

#define X509_DEDUP_MAX 65536u /* slots; half-full at most */

static const struct ph_zeek_field x509_fields[] = {
	{"ts", PH_ZT_TIME, 0},
	{"fingerprint", PH_ZT_STRING, 0},
	{"certificate.version", PH_ZT_COUNT, 0},
	{"certificate.serial", PH_ZT_STRING, 0},
	{"certificate.subject", PH_ZT_STRING, 0},
	{"certificate.issuer", PH_ZT_STRING, 0},
	{"certificate.not_valid_before", PH_ZT_TIME, 0},
	{"certificate.not_valid_after", PH_ZT_TIME, 0},
	{"certificate.key_alg", PH_ZT_STRING, 0},
	{"certificate.sig_alg", PH_ZT_STRING, 0},
	{"certificate.key_type", PH_ZT_STRING, 0},
	{"certificate.key_length", PH_ZT_COUNT, 0},
	{"certificate.exponent", PH_ZT_STRING, 0},
	{"certificate.curve", PH_ZT_STRING, 0},
	{"san.dns", PH_ZT_VECTOR, PH_ZT_STRING},
	{"san.uri", PH_ZT_VECTOR, PH_ZT_STRING},
	{"san.email", PH_ZT_VECTOR, PH_ZT_STRING},
	{"san.ip", PH_ZT_VECTOR, PH_ZT_ADDR},
	{"basic_constraints.ca", PH_ZT_BOOL, 0},
	{"basic_constraints.path_len", PH_ZT_COUNT, 0},
	{"host_cert", PH_ZT_BOOL, 0},
	{"client_cert", PH_ZT_BOOL, 0},
	/* peephole extension: SHA-1 of the DER (blocklists such as abuse.ch
	 * SSLBL and nDPI use it; Zeek puts it in files.log) */
	{"fingerprint_sha1", PH_ZT_STRING, 0},
};

#define NFIELDS (sizeof x509_fields / sizeof x509_fields[0])

struct x509_log {
	struct ph_log_file f; /* first member (ph_log_module_*); x509.log */
	uint64_t *seen;           /* owned: dedup keys, 0 = empty slot */
	uint32_t n_seen;
	uint64_t records, dups, dedup_full;
};

static void put_text(struct ph_zeek_writer *w, const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);
	if (n)
		ph_zeek_str(w, s, n);
	else
		ph_zeek_unset(w);
}

static void put_list(struct ph_zeek_writer *w, const char (*v)[PH_X509_SAN_LEN],
		     unsigned n)
{
	if (!n) {
		ph_zeek_unset(w);
		return;
	}
	ph_zeek_list_begin(w);
	for (unsigned i = 0; i < n; i++)
		ph_zeek_str(w, v[i], strnlen(v[i], PH_X509_SAN_LEN));
	ph_zeek_list_end(w);
}

static void put_ips(struct ph_zeek_writer *w, const struct ph_x509 *c)
{
	if (!c->n_san_ip) {
		ph_zeek_unset(w);
		return;
	}
	ph_zeek_list_begin(w);
	for (unsigned i = 0; i < c->n_san_ip; i++) {
		uint8_t a[16];
		if (inet_pton(AF_INET, c->san_ip[i], a) == 1)
			ph_zeek_addr(w, a, 4);
		else if (inet_pton(AF_INET6, c->san_ip[i], a) == 1)
			ph_zeek_addr(w, a, 6);
	}
	ph_zeek_list_end(w);
}

static void put_time_s(struct ph_zeek_writer *w, int64_t secs)
{
	ph_zeek_time(w, secs > 0 ? (uint64_t)secs * 1000000000u : 0);
}

static const char *key_type(const struct ph_x509 *c)
{
	switch (c->key_type) {
	case PH_X509_KEY_RSA: return "rsa";
	case PH_X509_KEY_DSA: return "dsa";
	case PH_X509_KEY_EC: return "ecdsa";
	case PH_X509_KEY_ED25519: return "ED25519";
	case PH_X509_KEY_ED448: return "ED448";
	default: return "";
	}
}

static void write_cert(struct ph_zeek_writer *w, uint64_t ts,
		       const struct ph_x509 *c)
{
	ph_zeek_time(w, ts);
	ph_zeek_str(w, c->sha256_hex, 64);
	ph_zeek_count(w, (uint64_t)c->version);
	put_text(w, c->serial, sizeof c->serial);
	put_text(w, c->subject, sizeof c->subject);
	put_text(w, c->issuer, sizeof c->issuer);
	put_time_s(w, c->not_before);
	put_time_s(w, c->not_after);
	put_text(w, c->key_alg, sizeof c->key_alg);
	put_text(w, c->sig_alg, sizeof c->sig_alg);
	put_text(w, key_type(c), 16);
	if (c->key_bits)
		ph_zeek_count(w, c->key_bits);
	else
		ph_zeek_unset(w);
	put_text(w, c->exponent, sizeof c->exponent);
	put_text(w, c->curve, sizeof c->curve);
	put_list(w, c->san_dns, c->n_san_dns);
	put_list(w, c->san_uri, c->n_san_uri);
	put_list(w, c->san_email, c->n_san_email);
	put_ips(w, c);
	if (c->has_basic_constraints)
		ph_zeek_bool(w, c->ca);
	else
		ph_zeek_unset(w);
	if (c->has_basic_constraints && c->path_len >= 0)
		ph_zeek_count(w, (uint64_t)c->path_len);
	else
		ph_zeek_unset(w);
	ph_zeek_bool(w, c->chain_pos == 0);
	ph_zeek_bool(w, c->client);
	ph_zeek_str(w, c->sha1_hex, 40);
}

/* True when (fingerprint, host, client) was logged before; else adds it. */
static bool seen_before(struct x509_log *l, const struct ph_x509 *c)
{
	uint64_t k = 0;
	memcpy(&k, c->sha256, sizeof k);
	k = (k & ~(uint64_t)3) | (c->chain_pos == 0) | ((uint64_t)c->client << 1);
	if (!k)
		k = 4;
	if (!l->seen && !(l->seen = calloc(X509_DEDUP_MAX, sizeof *l->seen)))
		return false;
	uint32_t i = (uint32_t)(k >> 32) & (X509_DEDUP_MAX - 1);
	for (;; i = (i + 1) & (X509_DEDUP_MAX - 1)) {
		if (l->seen[i] == k)
			return true;
		if (!l->seen[i])
			break;
	}
	if (l->n_seen >= X509_DEDUP_MAX / 2) {
		l->dedup_full++;
		return false;
	}
	l->seen[i] = k;
	l->n_seen++;
	return false;
}

static void on_event(void *state, const struct ph_event *ev)
{
	struct x509_log *l = state;
	const struct ph_x509 *c = ev->u.proto;
	if (!l->f.dir || l->f.status || ev->kind != PH_EV_TLS_CERT ||
	    !c->parsed)
		return;
	if (seen_before(l, c)) {
		l->dups++;
		return;
	}
	struct ph_zeek_writer *w = ph_log_file_writer(&l->f);
	if (!w)
		return;
	struct ph_err e;
	ph_zeek_rec_begin(w);
	write_cert(w, ev->ts_ns, c);
	int rc = ph_zeek_rec_end(w, &e);
	ph_log_file_check(&l->f, rc, &e);
	if (!rc)
		l->records++;
}

static int x509_init(const struct ph_module_env *env, void **state,
		     struct ph_err *err)
{
	struct x509_log *l = calloc(1, sizeof *l);
	if (!l)
		return ph_err_set(err, PH_ENOMEM, "x509_log: out of memory");
	ph_log_file_init(&l->f, env, "x509", x509_fields, NFIELDS);
	*state = l;
	return PH_OK;
}

static unsigned x509_counters(const void *state, struct ph_module_counter *out,
			      unsigned max)
{
	const struct x509_log *l = state;
	const struct ph_module_counter all[] = {
		{"x509_log_records", l->records},
		{"x509_log_duplicates", l->dups},
		{"x509_log_dedup_full", l->dedup_full},
	};
	unsigned n = 0;
	for (unsigned i = 0; i < 3 && n < max; i++)
		out[n++] = all[i];
	return n;
}

static void x509_destroy(void *state)
{
	struct x509_log *l = state;
	if (!l)
		return;
	ph_log_file_destroy(&l->f);
	free(l->seen);
	free(l);
}

const struct ph_module ph_x509_log_module = {
	.name = "x509_log",
	.summary = "x509.log (Zeek): one line per distinct certificate",
	.mask = PH_EV_TLS_CERT,
	.init = x509_init,
	.on_event = on_event,
	.finish = ph_log_module_finish,
	.counters = x509_counters,
	.destroy = x509_destroy,
};
