/* Tests for src/proto/tls.c and tls_cert.c (ph_tls_module): a TLS 1.2
 * handshake built here (ClientHello; ServerHello + Certificate +
 * ServerHelloDone; ClientKeyExchange + CCS + Finished; CCS + Finished) is
 * fed as PH_EV_STREAM chunks — whole, and one byte at a time — and the
 * emitted events are checked: hellos, one certificate, and one DONE with
 * Zeek's ssl_history, established, SNI match and validation status. Also:
 * non-TLS flows cost nothing and emit nothing, a gap stops a direction,
 * TLS after an HTTP CONNECT exchange is found, flow end emits DONE. */
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "peephole/module.h"
#include "peephole/proto_tls.h"
#include "tls_test_build.h"

extern const struct ph_module ph_tls_module;

struct seen {
	int ch, sh, cert, done;
	struct ph_tls_session last;
	char leaf_cn[256];
	char ja4[PH_TLS_JA4_LEN];
};

static void capture(void *user, const struct ph_event *ev)
{
	struct seen *s = user;
	switch (ev->kind) {
	case PH_EV_TLS_CLIENT_HELLO: {
		const struct ph_tls_hello *h = ev->u.proto;
		s->ch++;
		memcpy(s->ja4, h->ja4, sizeof s->ja4);
		break;
	}
	case PH_EV_TLS_SERVER_HELLO: s->sh++; break;
	case PH_EV_TLS_CERT: {
		const struct ph_x509 *c = ev->u.proto;
		s->cert++;
		if (c->chain_pos == 0)
			memcpy(s->leaf_cn, c->subject_cn, sizeof s->leaf_cn);
		break;
	}
	case PH_EV_TLS_DONE:
		s->done++;
		memcpy(&s->last, ev->u.proto, sizeof s->last);
		break;
	default: break;
	}
}

struct rig {
	void *mod;
	struct seen seen;
	struct ph_conn conn;
	void *slots[PH_SLOT_COUNT];
	uint64_t off[2];
};

static void rig_open(struct rig *r)
{
	memset(r, 0, sizeof *r);
	struct ph_module_env env = {.emit = capture, .bus = &r->seen};
	struct ph_err err = {0};
	assert_int_equal(ph_tls_module.init(&env, &r->mod, &err), 0);
	r->conn.proto = 6;
	r->conn.ipver = 4;
}

static void feed(struct rig *r, enum ph_dir dir, const uint8_t *p, size_t n,
		 size_t chunk)
{
	for (size_t i = 0; i < n; i += chunk) {
		struct ph_event ev = {.kind = PH_EV_STREAM, .conn = &r->conn,
				      .dir = dir, .ts_ns = 1500000000ull * 1000000000ull,
				      .slots = r->slots};
		ev.u.stream.data = p + i;
		ev.u.stream.len = (uint32_t)(n - i < chunk ? n - i : chunk);
		ev.u.stream.offset = r->off[dir];
		r->off[dir] += ev.u.stream.len;
		ph_tls_module.on_event(r->mod, &ev);
	}
}

static void rig_close(struct rig *r)
{
	struct ph_event ev = {.kind = PH_EV_FLOW_END, .conn = &r->conn,
			      .slots = r->slots};
	ph_tls_module.on_event(r->mod, &ev);
	assert_null(r->slots[PH_SLOT_TLS]);
	ph_tls_module.destroy(r->mod);
}

/* A self-signed EC certificate for cn, valid 2010..2030, as DER. */
static int self_signed(const char *cn, unsigned char **der)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	ASN1_TIME_set(X509_getm_notBefore(x), 1262304000);
	ASN1_TIME_set(X509_getm_notAfter(x), 1893456000);
	X509_set_pubkey(x, k);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509_sign(x, k, EVP_sha256());
	*der = NULL;
	int len = i2d_X509(x, der);
	X509_free(x);
	EVP_PKEY_free(k);
	return len;
}

static uint8_t cli[4096], srv[8192];
static size_t ncli, nsrv, ncli2, nsrv2;
static uint8_t cli2[256], srv2[256];

/* Builds the four flights once. */
static int build(void **st)
{
	(void)st;
	static const uint16_t c[] = {0xc02f, 0x009c};
	static const uint16_t e[] = {0x0000, 0x000a, 0x000b, 0x000d, 0x0010};
	static const uint16_t sig[] = {0x0403};
	uint8_t body[2048], hs[8192];
	struct tb_hello h = {.legacy_version = 0x0303, .ciphers = c,
			     .n_ciphers = 2, .exts = e, .n_exts = 5,
			     .sigalgs = sig, .n_sigalgs = 1,
			     .sni = "www.example.com", .alpn = "h2"};
	size_t n = tb_client_hello(body, sizeof body, &h);
	n = tb_handshake(hs, sizeof hs, 1, body, n);
	ncli = tb_record(cli, sizeof cli, 22, hs, n);
	/* server flight: SH + Certificate + SHD in one record */
	size_t m = tb_server_hello(body, sizeof body, 0x0303, 0xc02f, NULL, 0,
				   0, 0, "h2");
	size_t k = tb_handshake(hs, sizeof hs, 2, body, m);
	unsigned char *der;
	int dl = self_signed("www.example.com", &der);
	uint8_t cm[4096];
	struct tb b = {cm, sizeof cm, 0};
	tb_u8(&b, 0);
	tb_u16(&b, (unsigned)dl + 3);
	tb_u8(&b, 0);
	tb_u16(&b, (unsigned)dl);
	tb_bytes(&b, der, (size_t)dl);
	OPENSSL_free(der);
	k += tb_handshake(hs + k, sizeof hs - k, 11, cm, b.len);
	k += tb_handshake(hs + k, sizeof hs - k, 14, NULL, 0);
	nsrv = tb_record(srv, sizeof srv, 22, hs, k);
	/* client: CKE record, CCS, encrypted Finished */
	uint8_t cke[40] = {32};
	n = tb_handshake(hs, sizeof hs, 16, cke, sizeof cke);
	ncli2 = tb_record(cli2, sizeof cli2, 22, hs, n);
	uint8_t one = 1, fin[40] = {0x99};
	ncli2 += tb_record(cli2 + ncli2, sizeof cli2 - ncli2, 20, &one, 1);
	ncli2 += tb_record(cli2 + ncli2, sizeof cli2 - ncli2, 22, fin, 40);
	nsrv2 = tb_record(srv2, sizeof srv2, 20, &one, 1);
	nsrv2 += tb_record(srv2 + nsrv2, sizeof srv2 - nsrv2, 22, fin, 40);
	return 0;
}

static void handshake(size_t chunk)
{
	struct rig r;
	rig_open(&r);
	feed(&r, PH_DIR_ORIG, cli, ncli, chunk);
	feed(&r, PH_DIR_RESP, srv, nsrv, chunk);
	feed(&r, PH_DIR_ORIG, cli2, ncli2, chunk);
	assert_int_equal(r.seen.done, 0);
	feed(&r, PH_DIR_RESP, srv2, nsrv2, chunk);
	assert_int_equal(r.seen.ch, 1);
	assert_int_equal(r.seen.sh, 1);
	assert_int_equal(r.seen.cert, 1);
	assert_string_equal(r.seen.leaf_cn, "www.example.com");
	assert_int_equal(r.seen.done, 1);
	const struct ph_tls_session *s = &r.seen.last;
	assert_true(s->established);
	assert_string_equal(s->history, "CsxnGIi");
	assert_string_equal(s->version_name, "TLSv12");
	assert_string_equal(s->cipher_name,
			    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
	assert_string_equal(s->server_name, "www.example.com");
	assert_string_equal(s->next_protocol, "h2");
	assert_int_equal(s->sni_matches_cert, 1);
	assert_string_equal(s->validation_status, "self-signed certificate");
	assert_int_equal(s->n_cert_fps, 1);
	assert_true(s->saw_certs);
	assert_memory_equal(s->ja4, "t12d0205h2_", 11);
	assert_string_equal(s->ja4, r.seen.ja4);
	assert_int_equal(strlen(s->ja3), 32);
	assert_int_equal(strlen(s->ja3s), 32);
	/* more application bytes after establishment: ignored */
	feed(&r, PH_DIR_RESP, srv2, nsrv2, chunk);
	rig_close(&r);
	assert_int_equal(r.seen.done, 1); /* not again at flow end */
}

static void test_handshake_whole(void **st)
{
	(void)st;
	handshake(100000);
}

static void test_handshake_bytewise(void **st)
{
	(void)st;
	handshake(1);
}

static void test_not_tls(void **st)
{
	(void)st;
	struct rig r;
	rig_open(&r);
	static const char get[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	for (int i = 0; i < 20; i++)
		feed(&r, PH_DIR_ORIG, (const uint8_t *)get, sizeof get - 1, 1000);
	feed(&r, PH_DIR_ORIG, cli, ncli, 100000); /* too late: not probed */
	assert_int_equal(r.seen.ch + r.seen.done, 0);
	rig_close(&r);
	/* UDP flows are never TLS here */
	rig_open(&r);
	r.conn.proto = 17;
	feed(&r, PH_DIR_ORIG, cli, ncli, 100000);
	assert_int_equal(r.seen.ch, 0);
	rig_close(&r);
}

static void test_connect_then_tls(void **st)
{
	(void)st;
	struct rig r;
	rig_open(&r);
	static const char req[] = "CONNECT www.example.com:443 HTTP/1.1\r\n\r\n";
	static const char rsp[] = "HTTP/1.1 200 Connection established\r\n\r\n";
	feed(&r, PH_DIR_ORIG, (const uint8_t *)req, sizeof req - 1, 1000);
	feed(&r, PH_DIR_RESP, (const uint8_t *)rsp, sizeof rsp - 1, 1000);
	feed(&r, PH_DIR_ORIG, cli, ncli, 100000);
	feed(&r, PH_DIR_RESP, srv, nsrv, 100000);
	assert_int_equal(r.seen.ch, 1);
	assert_int_equal(r.seen.sh, 1);
	assert_int_equal(r.seen.cert, 1);
	rig_close(&r);
	assert_int_equal(r.seen.done, 1); /* at flow end, not established */
	assert_false(r.seen.last.established);
	assert_string_equal(r.seen.last.history, "Csxn");
}

static void test_gap_stops_direction(void **st)
{
	(void)st;
	struct rig r;
	rig_open(&r);
	feed(&r, PH_DIR_ORIG, cli, ncli, 100000);
	struct ph_event g = {.kind = PH_EV_GAP, .conn = &r.conn,
			     .dir = PH_DIR_RESP, .slots = r.slots};
	ph_tls_module.on_event(r.mod, &g);
	feed(&r, PH_DIR_RESP, srv, nsrv, 100000);
	assert_int_equal(r.seen.sh, 0);
	rig_close(&r);
	assert_int_equal(r.seen.done, 1);
}

static void test_garbage_after_detection(void **st)
{
	(void)st;
	struct rig r;
	rig_open(&r);
	uint8_t junk[3000];
	memcpy(junk, cli, 5);
	for (size_t i = 5; i < sizeof junk; i++)
		junk[i] = (uint8_t)(i * 31 + 7);
	feed(&r, PH_DIR_ORIG, junk, sizeof junk, 7);
	feed(&r, PH_DIR_RESP, junk, sizeof junk, 13);
	rig_close(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake_whole),
		cmocka_unit_test(test_handshake_bytewise),
		cmocka_unit_test(test_not_tls),
		cmocka_unit_test(test_connect_then_tls),
		cmocka_unit_test(test_gap_stops_direction),
		cmocka_unit_test(test_garbage_after_detection),
	};
	return cmocka_run_group_tests(tests, build, NULL);
}
