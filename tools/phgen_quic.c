/* phgen QUIC v1 (RFC 9000/9001): the start of an HTTP/3 connection with
 * real Initial packets. Initial secrets come from HKDF (libcrypto EVP_KDF)
 * over the client's first Destination Connection ID, payloads are sealed
 * with AES-128-GCM and header protection is applied, so any dissector can
 * decrypt the client ClientHello (SNI, ALPN h3) and the server ServerHello.
 * Handshake and 1-RTT packets carry random bytes: their keys would need a
 * real key exchange. pg_quic_selftest checks RFC 9001 Appendix A. */
#include "phgen.h"

#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <string.h>

#define CID_LEN 8
#define DGRAM_MIN 1200  /* client datagrams carrying Initial packets */

struct qkeys {
	uint8_t key[16], iv[12], hp[16];
};

static int hkdf(int mode, const uint8_t *salt, size_t sl, const uint8_t *key,
		size_t kl, const uint8_t *info, size_t il, uint8_t *out,
		size_t ol)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM p[6], *q = p;
	char md[] = "SHA256";
	*q++ = OSSL_PARAM_construct_utf8_string("digest", md, 0);
	*q++ = OSSL_PARAM_construct_int("mode", &mode);
	*q++ = OSSL_PARAM_construct_octet_string("key", (void *)key, kl);
	if (salt)
		*q++ = OSSL_PARAM_construct_octet_string("salt", (void *)salt,
							 sl);
	if (info)
		*q++ = OSSL_PARAM_construct_octet_string("info", (void *)info,
							 il);
	*q = OSSL_PARAM_construct_end();
	int ok = ctx && EVP_KDF_derive(ctx, out, ol, p) > 0;
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return ok ? 0 : -1;
}

/* HKDF-Expand-Label (RFC 8446 7.1) with an empty context. */
static int expand_label(const uint8_t *secret, const char *label,
			uint8_t *out, size_t ol)
{
	uint8_t info[64];
	struct pg_buf b;
	pg_buf_init(&b, info, sizeof info);
	pg_u16(&b, (unsigned)ol);
	pg_u8(&b, (unsigned)(6 + strlen(label)));
	pg_str(&b, "tls13 ");
	pg_str(&b, label);
	pg_u8(&b, 0);
	return hkdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, NULL, 0, secret, 32, info,
		    b.len, out, ol);
}

static int initial_keys(const uint8_t *dcid, size_t dl, int server,
			struct qkeys *k)
{
	static const uint8_t salt[20] = {
		0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
		0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
	uint8_t init[32], sec[32];
	if (hkdf(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, salt, sizeof salt, dcid, dl,
		 NULL, 0, init, 32) ||
	    expand_label(init, server ? "server in" : "client in", sec, 32) ||
	    expand_label(sec, "quic key", k->key, 16) ||
	    expand_label(sec, "quic iv", k->iv, 12) ||
	    expand_label(sec, "quic hp", k->hp, 16))
		return -1;
	return 0;
}

int pg_quic_selftest(void)
{
	static const uint8_t dcid[8] = {0x83, 0x94, 0xc8, 0xf0,
					0x3e, 0x51, 0x57, 0x08};
	static const uint8_t want_key[16] = {
		0x1f, 0x36, 0x96, 0x13, 0xdd, 0x76, 0xd5, 0x46,
		0x77, 0x30, 0xef, 0xcb, 0xe3, 0xb1, 0xa2, 0x2d};
	static const uint8_t want_hp[16] = {
		0x9f, 0x50, 0x44, 0x9e, 0x04, 0xa0, 0xe8, 0x10,
		0x28, 0x3a, 0x1e, 0x99, 0x33, 0xad, 0xed, 0xd2};
	struct qkeys k;
	if (initial_keys(dcid, sizeof dcid, 0, &k))
		return -1;
	return memcmp(k.key, want_key, 16) || memcmp(k.hp, want_hp, 16) ? -1
									   : 0;
}

/* AES-128-GCM seal of pt (n bytes) into ct, tag appended. */
static int seal(const struct qkeys *k, uint64_t pn, const uint8_t *aad,
		size_t al, const uint8_t *pt, size_t n, uint8_t *ct)
{
	uint8_t nonce[12];
	int len, ok;
	memcpy(nonce, k->iv, 12);
	for (int i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(pn >> (8 * i));
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	ok = c && EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, NULL, NULL) &&
	     EVP_EncryptInit_ex(c, NULL, NULL, k->key, nonce) &&
	     EVP_EncryptUpdate(c, NULL, &len, aad, (int)al) &&
	     EVP_EncryptUpdate(c, ct, &len, pt, (int)n) &&
	     EVP_EncryptFinal_ex(c, ct + len, &len) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, ct + n);
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

/* Header protection (RFC 9001 5.4) for a long header, 1-byte pn. */
static int protect(const struct qkeys *k, uint8_t *pkt, size_t pn_off)
{
	uint8_t mask[32];
	int len, ok;
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	ok = c && EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, k->hp, NULL) &&
	     EVP_EncryptUpdate(c, mask, &len, pkt + pn_off + 4, 16);
	EVP_CIPHER_CTX_free(c);
	if (!ok)
		return -1;
	pkt[0] ^= mask[0] & 0x0f;
	pkt[pn_off] ^= mask[1];
	return 0;
}

struct qconn {
	struct pg_phone *ph;
	uint8_t odcid[CID_LEN], ccid[CID_LEN], scid[CID_LEN];
	struct qkeys ck, sk;
	uint8_t pn[2][2];  /* next packet number [server][Initial, Handshake] */
	int client_sent;   /* the first client Initial used odcid */
};

/* A long-header packet (type 0 Initial, 2 Handshake) appended to b; the
 * payload is sealed with k, or random when k is NULL. */
static int long_pkt(struct pg_buf *b, struct qconn *q, int server, int type,
		    const uint8_t *pl, size_t n, const struct qkeys *k)
{
	const uint8_t *dcid = server ? q->ccid : q->scid;
	const uint8_t *scid = server ? q->scid : q->ccid;
	size_t start = b->len;
	uint8_t pn = q->pn[server][type != 0]++;
	if (!server && !q->client_sent++)
		dcid = q->odcid;
	pg_u8(b, 0xc0u | (unsigned)type << 4);
	pg_u32(b, 1);
	pg_u8(b, CID_LEN), pg_mem(b, dcid, CID_LEN);
	pg_u8(b, CID_LEN), pg_mem(b, scid, CID_LEN);
	if (type == 0)
		pg_u8(b, 0); /* token length */
	pg_u16(b, (unsigned)(0x4000 | (1 + n + 16)));
	size_t pn_off = b->len;
	pg_u8(b, pn);
	if (b->err || b->cap - b->len < n + 16)
		return -1;
	uint8_t *ct = b->p + b->len;
	b->len += n + 16;
	if (!k) {
		pg_fill(&q->ph->rng, ct, n + 16);
		return 0;
	}
	if (seal(k, pn, b->p + start, pn_off + 1 - start, pl, n, ct))
		return -1;
	return protect(k, b->p + start, pn_off - start);
}

/* Header bytes of a long packet before its payload. */
static size_t long_hdr_len(int type)
{
	return 1 + 4 + 1 + CID_LEN + 1 + CID_LEN + (type == 0) + 2 + 1;
}

static void frame_crypto(struct pg_buf *b, const uint8_t *d, size_t n)
{
	pg_u8(b, 0x06);
	pg_u8(b, 0);
	pg_u16(b, (unsigned)(0x4000 | n));
	pg_mem(b, d, n);
}

static void frame_ack0(struct pg_buf *b)
{
	pg_u8(b, 0x02), pg_u8(b, 0), pg_u8(b, 0), pg_u8(b, 0), pg_u8(b, 0);
}

/* Client datagram 1: Initial with the ClientHello, padded to 1200. */
static int client_initial(struct qconn *q, uint8_t *dg, size_t *len,
			  const char *sni)
{
	uint8_t ch[1024], pl[DGRAM_MIN];
	struct pg_hello h;
	struct pg_buf b, d;
	memset(&h, 0, sizeof h);
	h.sni = sni;
	h.alpn[0] = "h3";
	h.quic = 1;
	h.quic_scid = q->ccid;
	h.quic_scid_len = CID_LEN;
	size_t n = pg_tls_client_hello(ch, sizeof ch, &q->ph->rng, &h);
	size_t room = DGRAM_MIN - long_hdr_len(0) - 16;
	pg_buf_init(&b, pl, sizeof pl);
	frame_crypto(&b, ch, n);
	while (b.len < room)
		pg_u8(&b, 0); /* PADDING */
	pg_buf_init(&d, dg, PG_FRAME_MAX);
	if (b.err || long_pkt(&d, q, 0, 0, pl, b.len, &q->ck))
		return -1;
	*len = d.len;
	return 0;
}

/* Server datagram: Initial (ACK + ServerHello) + Handshake (flight). */
static int server_initial(struct qconn *q, uint8_t *dg, size_t *len)
{
	uint8_t sh[256], pl[512];
	struct pg_buf b, d;
	size_t n = pg_tls_server_hello(sh, sizeof sh, &q->ph->rng, 1, NULL, 0);
	pg_buf_init(&b, pl, sizeof pl);
	frame_ack0(&b);
	frame_crypto(&b, sh, n);
	pg_buf_init(&d, dg, PG_FRAME_MAX);
	if (b.err || long_pkt(&d, q, 1, 0, pl, b.len, &q->sk))
		return -1;
	size_t hs = 1200 - d.len - long_hdr_len(2) - 16;
	if (long_pkt(&d, q, 1, 2, NULL, hs, NULL))
		return -1;
	*len = d.len;
	return 0;
}

/* Client datagram 2: Initial ACK + Handshake Finished, padded. */
static int client_finish(struct qconn *q, uint8_t *dg, size_t *len)
{
	uint8_t pl[DGRAM_MIN];
	struct pg_buf b, d;
	size_t room = DGRAM_MIN - long_hdr_len(0) - 16 - long_hdr_len(2) - 16
		      - 52;
	pg_buf_init(&b, pl, sizeof pl);
	frame_ack0(&b);
	while (b.len < room)
		pg_u8(&b, 0);
	pg_buf_init(&d, dg, PG_FRAME_MAX);
	if (long_pkt(&d, q, 0, 0, pl, b.len, &q->ck) ||
	    long_pkt(&d, q, 0, 2, NULL, 52, NULL))
		return -1;
	*len = d.len;
	return 0;
}

/* A 1-RTT short-header packet of n bytes with random protected bits. */
static size_t short_pkt(struct qconn *q, int server, uint8_t *dg, size_t n)
{
	pg_fill(&q->ph->rng, dg, n);
	dg[0] = (uint8_t)(0x40 | (dg[0] & 0x3f));
	memcpy(dg + 1, server ? q->ccid : q->scid, CID_LEN);
	return n;
}

int pg_quic_session(struct pg_phone *ph, uint64_t t, const struct pg_ep *cli,
		    const struct pg_ep *srv, const char *sni, int nshort)
{
	struct qconn q;
	uint8_t dg[PG_FRAME_MAX];
	size_t n;
	uint64_t rtt = pg_range(&ph->rng, 12, 30) * PG_MS;
	memset(&q, 0, sizeof q);
	q.ph = ph;
	pg_fill(&ph->rng, q.odcid, CID_LEN);
	pg_fill(&ph->rng, q.ccid, CID_LEN);
	pg_fill(&ph->rng, q.scid, CID_LEN);
	if (initial_keys(q.odcid, CID_LEN, 0, &q.ck) ||
	    initial_keys(q.odcid, CID_LEN, 1, &q.sk) ||
	    client_initial(&q, dg, &n, sni))
		return -1;
	pg_udp(ph, t, cli, srv, dg, n);
	t += rtt;
	if (server_initial(&q, dg, &n))
		return -1;
	pg_udp(ph, t, srv, cli, dg, n);
	t += 400;
	struct pg_buf d;
	pg_buf_init(&d, dg, sizeof dg);
	if (long_pkt(&d, &q, 1, 2, NULL, 1100, NULL))
		return -1;
	pg_udp(ph, t, srv, cli, dg, d.len);
	t += pg_range(&ph->rng, 600, 2000);
	if (client_finish(&q, dg, &n))
		return -1;
	pg_udp(ph, t, cli, srv, dg, n);
	pg_udp(ph, t + 300, cli, srv, dg, short_pkt(&q, 0, dg, 320));
	t += rtt + 5 * PG_MS;
	for (int i = 0; i < nshort; i++) {
		t += pg_range(&ph->rng, 150, 400);
		pg_udp(ph, t, srv, cli, dg, short_pkt(&q, 1, dg, 1252));
		if (i % 2 || i == nshort - 1)
			pg_udp(ph, t + 90, cli, srv, dg,
			       short_pkt(&q, 0, dg, 36));
	}
	return 0;
}
