/* Tests for src/proto/quic.c (module "quic"): datagrams in, PH_EV_QUIC and
 * PH_EV_TLS_* events out. Uses the RFC 9001 / RFC 9369 Appendix A client
 * Initials, and packets sealed here with the same Initial keys to cover
 * CRYPTO reassembly across packets and datagrams (out of order, coalesced),
 * Retry, CONNECTION_CLOSE, short-header counting, gQUIC CHLO SNI, unknown
 * versions, non-QUIC flows and truncation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/evp.h>

#include "peephole/module.h"
#include "peephole/proto_quic.h"
#include "peephole/proto_tls.h"
#include "proto/quic_crypto.h"
#include "quic_vectors.h"

extern const struct ph_module ph_quic_module;

/* ---- event collector ---- */

struct got {
	int quic_pkts, records, ch, sh, done, hellos;
	struct ph_quic_record rec[4];
	char sni[256], alpn[256], ja4[64], vname[32], dcid[64];
	bool decrypted, gquic;
	char ssl_hist[128];
};

static void collect(void *bus, const struct ph_event *ev)
{
	struct got *g = bus;
	if (ev->kind == PH_EV_TLS_CLIENT_HELLO)
		g->ch++;
	if (ev->kind == PH_EV_TLS_SERVER_HELLO)
		g->sh++;
	if (ev->kind == PH_EV_TLS_DONE) {
		const struct ph_tls_session *s = ev->u.proto;
		g->done++;
		snprintf(g->ssl_hist, sizeof g->ssl_hist, "%s", s->history);
	}
	if (ev->kind != PH_EV_QUIC)
		return;
	const struct ph_quic_initial *q = ev->u.proto;
	if (q->what == PH_QUIC_RECORD) {
		assert_non_null(q->rec);
		if (g->records < 4)
			g->rec[g->records] = *q->rec;
		g->records++;
		return;
	}
	g->quic_pkts++;
	g->decrypted = q->decrypted;
	g->gquic = q->gquic;
	snprintf(g->vname, sizeof g->vname, "%s", q->version_name);
	snprintf(g->dcid, sizeof g->dcid, "%s", q->dcid);
	if (q->hello || q->gquic) {
		g->hellos += q->hello != NULL;
		snprintf(g->sni, sizeof g->sni, "%s", q->sni);
		snprintf(g->alpn, sizeof g->alpn, "%s", q->alpn);
		snprintf(g->ja4, sizeof g->ja4, "%s", q->ja4);
	}
}

struct rig {
	void *mod;
	struct got got;
	struct ph_conn conn;
	void *slots[PH_SLOT_COUNT];
	uint64_t ts;
};

static void rig_open(struct rig *r, uint16_t dport)
{
	memset(r, 0, sizeof *r);
	struct ph_module_env env = {.emit = collect, .bus = &r->got};
	struct ph_err e;
	assert_int_equal(ph_quic_module.init(&env, &r->mod, &e), 0);
	r->conn.ipver = 4;
	r->conn.proto = 17;
	r->conn.orig_port = 50000;
	r->conn.resp_port = dport;
	memcpy(r->conn.uid, "CTEST", 6);
	r->ts = 1000000000;
}

static void rig_send(struct rig *r, int dir, const uint8_t *d, size_t n)
{
	struct ph_event ev = {.kind = PH_EV_DATAGRAM, .conn = &r->conn,
			      .dir = (enum ph_dir)dir, .ts_ns = r->ts += 1000,
			      .slots = r->slots};
	ev.u.datagram.data = d;
	ev.u.datagram.len = (uint32_t)n;
	ph_quic_module.on_event(r->mod, &ev);
}

static void rig_close(struct rig *r)
{
	struct ph_event ev = {.kind = PH_EV_FLOW_END, .conn = &r->conn,
			      .ts_ns = r->ts, .slots = r->slots};
	ph_quic_module.on_event(r->mod, &ev);
	assert_null(r->slots[PH_SLOT_QUIC]);
	ph_quic_module.destroy(r->mod);
}

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
	size_t n = strlen(h) / 2;
	assert_true(n <= cap);
	for (size_t i = 0; i < n; i++) {
		char b[3] = {h[2 * i], h[2 * i + 1], 0};
		out[i] = (uint8_t)strtoul(b, NULL, 16);
	}
	return n;
}

/* ---- sealing packets with the Initial keys ---- */

static const uint8_t DCID[8] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};

struct pk {
	uint32_t version;
	int server;            /* server keys / direction */
	int type;              /* long packet type bits as on the wire */
	const uint8_t *dcid;
	size_t dcid_len;
	const uint8_t *scid;
	size_t scid_len;
	uint8_t pn;
};

/* Seals pt into an Initial (or other long) packet; returns its length. */
static size_t seal(const struct pk *k, const uint8_t *pt, size_t plen,
		   uint8_t *out)
{
	struct ph_quic_crypto *c = ph_quic_crypto_new();
	struct ph_quic_keys keys[2];
	assert_int_equal(ph_quic_derive_initial(c, k->version, DCID, 8, keys),
			 0);
	const struct ph_quic_keys *key = &keys[k->server];
	size_t o = 0;
	out[o++] = (uint8_t)(0xc0 | (k->type << 4) | 1); /* pn length 2 */
	out[o++] = (uint8_t)(k->version >> 24);
	out[o++] = (uint8_t)(k->version >> 16);
	out[o++] = (uint8_t)(k->version >> 8);
	out[o++] = (uint8_t)k->version;
	out[o++] = (uint8_t)k->dcid_len;
	memcpy(out + o, k->dcid, k->dcid_len);
	o += k->dcid_len;
	out[o++] = (uint8_t)k->scid_len;
	if (k->scid_len)
		memcpy(out + o, k->scid, k->scid_len);
	o += k->scid_len;
	if (k->type == 0)
		out[o++] = 0; /* token length (Initial only) */
	size_t len = 2 + plen + 16;
	out[o++] = (uint8_t)(0x40 | (len >> 8));
	out[o++] = (uint8_t)len;
	size_t pn_off = o;
	out[o++] = 0;
	out[o++] = k->pn;
	uint8_t nonce[12];
	memcpy(nonce, key->iv, 12);
	nonce[11] ^= k->pn;
	EVP_CIPHER_CTX *g = EVP_CIPHER_CTX_new();
	int n;
	assert_true(EVP_EncryptInit_ex(g, EVP_aes_128_gcm(), NULL, key->key,
				       nonce));
	assert_true(EVP_EncryptUpdate(g, NULL, &n, out, (int)o));
	assert_true(EVP_EncryptUpdate(g, out + o, &n, pt, (int)plen));
	assert_true(EVP_EncryptFinal_ex(g, out + o + plen, &n));
	assert_true(EVP_CIPHER_CTX_ctrl(g, EVP_CTRL_GCM_GET_TAG, 16,
					out + o + plen));
	EVP_CIPHER_CTX_free(g);
	uint8_t mask[16];
	EVP_CIPHER_CTX *e = EVP_CIPHER_CTX_new();
	assert_true(EVP_EncryptInit_ex(e, EVP_aes_128_ecb(), NULL, key->hp,
				       NULL));
	assert_true(EVP_EncryptUpdate(e, mask, &n, out + pn_off + 4, 16));
	EVP_CIPHER_CTX_free(e);
	out[0] ^= mask[0] & 0x0f;
	out[pn_off] ^= mask[1];
	out[pn_off + 1] ^= mask[2];
	ph_quic_crypto_free(c);
	return o + plen + 16;
}

/* The RFC's ClientHello handshake message (241 bytes) */
static size_t client_hello(uint8_t *out)
{
	uint8_t f[300];
	size_t n = unhex(QV_CRYPTO_FRAME, f, sizeof f);
	memcpy(out, f + 4, n - 4); /* skip 06 00 40f1 */
	return n - 4;
}

/* A CRYPTO frame [off, off+len) of msg, padded to 40 bytes or more. */
static size_t crypto_frame(const uint8_t *msg, size_t off, size_t len,
			   uint8_t *out)
{
	size_t o = 0;
	out[o++] = 0x06;
	out[o++] = (uint8_t)(0x40 | (off >> 8));
	out[o++] = (uint8_t)off;
	out[o++] = (uint8_t)(0x40 | (len >> 8));
	out[o++] = (uint8_t)len;
	memcpy(out + o, msg + off, len);
	o += len;
	memset(out + o, 0, 40);
	return o + 40;
}

/* ---- tests ---- */

static void run_vector(const char *hex, const char *version)
{
	struct rig r;
	rig_open(&r, 443);
	uint8_t d[1200];
	assert_int_equal(unhex(hex, d, sizeof d), 1200);
	rig_send(&r, PH_DIR_ORIG, d, sizeof d);
	assert_int_equal(r.got.quic_pkts, 1);
	assert_true(r.got.decrypted);
	assert_int_equal(r.got.hellos, 1);
	assert_string_equal(r.got.sni, "example.com");
	assert_string_equal(r.got.alpn, "alpn");
	assert_int_equal(r.got.ja4[0], 'q');
	assert_string_equal(r.got.dcid, "8394c8f03e515708");
	assert_int_equal(r.got.ch, 1);
	assert_string_equal(r.conn.service, "quic,ssl");
	rig_close(&r);
	assert_int_equal(r.got.records, 1);
	const struct ph_quic_record *q = &r.got.rec[0];
	assert_string_equal(q->version, version);
	assert_true(q->has_client_initial_dcid);
	assert_string_equal(q->client_initial_dcid, "8394c8f03e515708");
	assert_true(q->has_client_scid);
	assert_string_equal(q->client_scid, "");
	assert_false(q->has_server_scid);
	assert_string_equal(q->server_name, "example.com");
	assert_string_equal(q->client_protocol, "alpn");
	assert_string_equal(q->history, "IS");
	assert_int_equal(r.got.done, 1);
	assert_string_equal(r.got.ssl_hist, "C");
}

static void test_rfc9001_client_initial(void **st)
{
	(void)st;
	run_vector(QV_V1_PROTECTED, "1");
}

static void test_rfc9369_client_initial(void **st)
{
	(void)st;
	run_vector(QV_V2_PROTECTED, "quicv2");
}

/* ClientHello in two CRYPTO frames, two datagrams, second half first. */
static void test_crypto_out_of_order(void **st)
{
	(void)st;
	struct rig r;
	rig_open(&r, 8443);
	uint8_t msg[300], pt[400], d[600];
	size_t ml = client_hello(msg);
	struct pk k = {PH_QUIC_V1, 0, 0, DCID, 8, (const uint8_t *)"\x01\x02", 2, 1};
	size_t pl = crypto_frame(msg, 100, ml - 100, pt);
	size_t n = seal(&k, pt, pl, d);
	rig_send(&r, PH_DIR_ORIG, d, n);
	assert_int_equal(r.got.hellos, 0);
	assert_true(r.got.decrypted);
	k.pn = 2;
	pl = crypto_frame(msg, 0, 100, pt);
	n = seal(&k, pt, pl, d);
	rig_send(&r, PH_DIR_ORIG, d, n);
	assert_int_equal(r.got.hellos, 1);
	assert_string_equal(r.got.sni, "example.com");
	rig_close(&r);
	assert_string_equal(r.got.rec[0].history, "IIS");
	assert_string_equal(r.got.rec[0].client_scid, "0102");
}

/* Two Initials coalesced in one datagram, then padding (Zeek's 'X'), a
 * server Initial with a ServerHello-typed message and Handshake packets. */
static void test_coalesced(void **st)
{
	(void)st;
	struct rig r;
	rig_open(&r, 443);
	uint8_t msg[300], pt[400], d[1400];
	size_t ml = client_hello(msg);
	struct pk k = {PH_QUIC_V1, 0, 0, DCID, 8, NULL, 0, 0};
	size_t pl = crypto_frame(msg, 0, 120, pt);
	size_t n = seal(&k, pt, pl, d);
	k.pn = 1;
	pl = crypto_frame(msg, 120, ml - 120, pt);
	n += seal(&k, pt, pl, d + n);
	memset(d + n, 0, 100); /* datagram padding */
	rig_send(&r, PH_DIR_ORIG, d, n + 100);
	assert_int_equal(r.got.hellos, 1);
	/* server: Initial with a 6-byte fake ServerHello (type 2) -> 's'
	 * (the TLS parser rejects its body: no TLS server-hello event) */
	static const uint8_t sh[] = {2, 0, 0, 2, 3, 3};
	uint8_t scid[4] = {0xaa, 0xbb, 0xcc, 0xdd};
	struct pk s = {PH_QUIC_V1, 1, 0, scid, 0, scid, 4, 0};
	pl = crypto_frame(sh, 0, sizeof sh, pt);
	n = seal(&s, pt, pl, d);
	s.type = 2; /* Handshake: header only, payload opaque */
	n += seal(&s, pt, pl, d + n);
	rig_send(&r, PH_DIR_RESP, d, n);
	rig_close(&r);
	assert_string_equal(r.got.rec[0].history, "IISXish");
	assert_string_equal(r.got.rec[0].server_scid, "aabbccdd");
	assert_string_equal(r.conn.service, "quic,ssl");
}

static void test_short_headers(void **st)
{
	(void)st;
	struct rig r;
	rig_open(&r, 443);
	uint8_t d[1200];
	unhex(QV_V1_PROTECTED, d, sizeof d);
	rig_send(&r, PH_DIR_ORIG, d, sizeof d);
	uint8_t sh[30] = {0x40};
	for (int i = 0; i < 9; i++)
		rig_send(&r, PH_DIR_ORIG, sh, sizeof sh);
	for (int i = 0; i < 2; i++)
		rig_send(&r, PH_DIR_RESP, sh, sizeof sh);
	rig_close(&r);
	/* thresholds 1, 2, 4, 8 (orig) and 1, 2 (resp) */
	assert_string_equal(r.got.rec[0].history, "ISOOOOoo");
}

/* Retry logs the record and restarts with the client's new DCID. */
static void test_retry(void **st)
{
	(void)st;
	struct rig r;
	rig_open(&r, 443);
	uint8_t d[1200];
	unhex(QV_V1_PROTECTED, d, sizeof d);
	rig_send(&r, PH_DIR_ORIG, d, sizeof d);
	uint8_t retry[40] = {0xf0, 0, 0, 0, 1, 0, 4, 9, 9, 9, 9};
	rig_send(&r, PH_DIR_RESP, retry, sizeof retry);
	assert_int_equal(r.got.records, 1);
	assert_string_equal(r.got.rec[0].history, "ISr");
	assert_false(r.got.rec[0].has_server_scid); /* as Zeek: "-" */
	/* the same Initial again: keys re-derived from its DCID */
	rig_send(&r, PH_DIR_ORIG, d, sizeof d);
	assert_int_equal(r.got.hellos, 2);
	rig_close(&r);
	assert_int_equal(r.got.records, 2);
	assert_string_equal(r.got.rec[1].history, "IS");
}

static void test_connection_close(void **st)
{
	(void)st;
	struct rig r;
	rig_open(&r, 443);
	uint8_t pt[64] = {0x1c, 0x01, 0x00, 0x03, 'b', 'y', 'e'}, d[200];
	struct pk k = {PH_QUIC_V1, 0, 0, DCID, 8, NULL, 0, 0};
	size_t n = seal(&k, pt, 40, d);
	rig_send(&r, PH_DIR_ORIG, d, n);
	assert_int_equal(r.got.records, 1);
	assert_string_equal(r.got.rec[0].history, "IC");
	rig_close(&r);
	assert_int_equal(r.got.records, 1);
}

/* Decryption failure stops the datagram; bad frames too. */
static void test_bad_payloads(void **st)
{
	(void)st;
	struct rig r;
	rig_open(&r, 443);
	uint8_t d[1200];
	unhex(QV_V1_PROTECTED, d, sizeof d);
	d[700] ^= 0x55;
	rig_send(&r, PH_DIR_ORIG, d, sizeof d);
	assert_int_equal(r.got.quic_pkts, 1);
	assert_false(r.got.decrypted);
	/* an unknown frame type in a decrypted Initial */
	uint8_t pt[64] = {0x01, 0x30}, p2[200];
	struct pk k = {PH_QUIC_V1, 0, 0, DCID, 8, NULL, 0, 3};
	size_t n = seal(&k, pt, 40, p2);
	rig_send(&r, PH_DIR_ORIG, p2, n);
	assert_true(r.got.decrypted);
	rig_close(&r);
	assert_string_equal(r.got.rec[0].history, "II");
	assert_string_equal(r.conn.service, "quic");
}

static void test_gquic_chlo(void **st)
{
	(void)st;
	struct rig r;
	rig_open(&r, 443);
	uint8_t d[200] = {0x09, 1, 2, 3, 4, 5, 6, 7, 8, 'Q', '0', '4', '3', 1};
	size_t o = 14 + 12; /* packet number, message hash */
	d[o++] = 0xa0;      /* STREAM frame, stream 1 */
	d[o++] = 1;
	memcpy(d + o, "CHLO\x02\x00\x00\x00", 8);
	o += 8;
	memcpy(d + o, "SNI\0\x0b\x00\x00\x00VER\0\x0f\x00\x00\x00", 16);
	o += 16;
	memcpy(d + o, "example.orgQ043", 15);
	o += 15;
	rig_send(&r, PH_DIR_ORIG, d, o);
	assert_int_equal(r.got.quic_pkts, 1);
	assert_true(r.got.gquic);
	assert_string_equal(r.got.sni, "example.org");
	assert_string_equal(r.got.vname, "Q043");
	/* Zeek would not log it (fixed bit clear); peephole writes a "U"
	 * record with the CHLO's SNI */
	assert_int_equal(r.got.records, 1);
	assert_string_equal(r.got.rec[0].version, "unknown-51303433");
	assert_string_equal(r.got.rec[0].server_name, "example.org");
	assert_string_equal(r.got.rec[0].client_initial_dcid,
			    "0102030405060708");
	assert_false(r.got.rec[0].has_client_scid);
	assert_string_equal(r.got.rec[0].history, "U");
	rig_close(&r);
	assert_int_equal(r.got.records, 1);
}

static void test_unknown_version(void **st)
{
	(void)st;
	uint8_t d[60] = {0xc3, 0xab, 0xcd, 0x12, 0x34, 2, 1, 2, 0};
	struct rig r;
	rig_open(&r, 443);
	rig_send(&r, PH_DIR_ORIG, d, sizeof d);
	rig_send(&r, PH_DIR_ORIG, d, sizeof d);
	rig_close(&r);
	assert_int_equal(r.got.records, 1);
	assert_string_equal(r.got.rec[0].version, "unknown-abcd1234");
	assert_string_equal(r.got.rec[0].history, "U");
	/* elsewhere than 443: not QUIC */
	rig_open(&r, 5000);
	rig_send(&r, PH_DIR_ORIG, d, sizeof d);
	assert_true(r.slots[PH_SLOT_QUIC] != NULL);
	rig_close(&r);
	assert_int_equal(r.got.records, 0);
	assert_int_equal(r.got.quic_pkts, 0);
}

static void test_not_quic(void **st)
{
	(void)st;
	struct rig r;
	rig_open(&r, 53);
	uint8_t dns[30] = {0x12, 0x34, 0x01, 0x00, 0, 1};
	rig_send(&r, PH_DIR_ORIG, dns, sizeof dns);
	void *mark = r.slots[PH_SLOT_QUIC];
	uint8_t d[1200];
	unhex(QV_V1_PROTECTED, d, sizeof d);
	rig_send(&r, PH_DIR_ORIG, d, sizeof d); /* decided already */
	assert_ptr_equal(r.slots[PH_SLOT_QUIC], mark);
	rig_close(&r);
	assert_int_equal(r.got.quic_pkts + r.got.records, 0);
}

/* Every prefix and a few corruptions of a real Initial: no crash, and the
 * flow still ends cleanly (ASan/UBSan builds check the reads). */
static void test_truncations(void **st)
{
	(void)st;
	uint8_t d[1200];
	unhex(QV_V1_PROTECTED, d, sizeof d);
	for (size_t n = 0; n <= sizeof d; n += (n < 64 ? 1 : 97)) {
		struct rig r;
		rig_open(&r, 443);
		uint8_t *c = malloc(n ? n : 1);
		memcpy(c, d, n);
		rig_send(&r, PH_DIR_ORIG, c, n);
		rig_send(&r, PH_DIR_RESP, c, n);
		free(c);
		rig_close(&r);
	}
}

/* A CRYPTO frame far beyond the cap is counted, not buffered. */
static void test_crypto_cap(void **st)
{
	(void)st;
	struct rig r;
	rig_open(&r, 443);
	uint8_t pt[64] = {0x06, 0x80, 0x01, 0x00, 0x00, 0x04, 1, 2, 3, 4};
	uint8_t d[200];
	struct pk k = {PH_QUIC_V1, 0, 0, DCID, 8, NULL, 0, 0};
	size_t n = seal(&k, pt, 40, d);
	rig_send(&r, PH_DIR_ORIG, d, n);
	struct ph_module_counter c[16];
	unsigned nc = ph_quic_module.counters(r.mod, c, 16);
	bool found = false;
	for (unsigned i = 0; i < nc; i++)
		if (strcmp(c[i].name, "quic_crypto_cap_hit") == 0) {
			assert_int_equal(c[i].value, 1);
			found = true;
		}
	assert_true(found);
	rig_close(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc9001_client_initial),
		cmocka_unit_test(test_rfc9369_client_initial),
		cmocka_unit_test(test_crypto_out_of_order),
		cmocka_unit_test(test_coalesced),
		cmocka_unit_test(test_short_headers),
		cmocka_unit_test(test_retry),
		cmocka_unit_test(test_connection_close),
		cmocka_unit_test(test_bad_payloads),
		cmocka_unit_test(test_gquic_chlo),
		cmocka_unit_test(test_unknown_version),
		cmocka_unit_test(test_not_quic),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_crypto_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
