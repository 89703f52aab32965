/* phgen TLS: real-format handshake messages (RFC 8446 / 5246) and the
 * record flow of a whole session over a pg_tcp connection. The
 * ClientHello looks like Chrome on Android: GREASE (RFC 8701) in ciphers,
 * extensions, groups, key_share and versions; SNI, ALPN, x25519 key share,
 * signature algorithms, compress_certificate; QUIC variant with transport
 * parameters and no session id. TLS 1.3 servers answer ServerHello + CCS +
 * encrypted flight; TLS 1.2 servers send Certificate (embedded DER chain),
 * ECDHE ServerKeyExchange and ServerHelloDone. Encrypted records are
 * random bytes of realistic size; nothing here is real cryptography. */
#include "phgen.h"

#include <string.h>

#define REC_MAX 16384  /* plaintext bytes per record */

static unsigned grease(struct pg_rng *r)
{
	unsigned n = pg_range(r, 0, 15);
	return (n << 12) | 0x0a00 | (n << 4) | 0x0a;
}

static void put_quic_varint(struct pg_buf *b, uint64_t v)
{
	if (v < 64) {
		pg_u8(b, (unsigned)v);
	} else if (v < 16384) {
		pg_u16(b, (unsigned)(v | 0x4000));
	} else {
		pg_u32(b, (uint32_t)(v | 0x80000000u));
	}
}

static void quic_tp(struct pg_buf *b, const struct pg_hello *h)
{
	static const struct { uint8_t id; uint32_t v; } tp[] = {
		{0x01, 30000}, {0x03, 1472}, {0x04, 15728640},
		{0x05, 6291456}, {0x06, 6291456}, {0x07, 6291456},
		{0x08, 100}, {0x09, 103}, {0x0e, 4}, {0x20, 65536},
	};
	for (size_t i = 0; i < sizeof tp / sizeof tp[0]; i++) {
		struct pg_buf t;
		uint8_t v[8];
		pg_buf_init(&t, v, sizeof v);
		put_quic_varint(&t, tp[i].v);
		put_quic_varint(b, tp[i].id);
		put_quic_varint(b, t.len);
		pg_mem(b, v, t.len);
	}
	put_quic_varint(b, 0x0f); /* initial_source_connection_id */
	put_quic_varint(b, h->quic_scid_len);
	pg_mem(b, h->quic_scid, h->quic_scid_len);
}

static void ext_begin(struct pg_buf *b, unsigned type, size_t *off)
{
	pg_u16(b, type);
	*off = pg_len_open(b, 2);
}

static void ch_sni_alpn(struct pg_buf *b, const struct pg_hello *h)
{
	size_t e, l, m;
	ext_begin(b, 0x0000, &e);
	l = pg_len_open(b, 2);
	pg_u8(b, 0);
	m = pg_len_open(b, 2);
	pg_str(b, h->sni);
	pg_len_close(b, m, 2);
	pg_len_close(b, l, 2);
	pg_len_close(b, e, 2);
	if (!h->alpn[0])
		return;
	ext_begin(b, 0x0010, &e);
	l = pg_len_open(b, 2);
	for (int i = 0; i < 3 && h->alpn[i]; i++) {
		m = pg_len_open(b, 1);
		pg_str(b, h->alpn[i]);
		pg_len_close(b, m, 1);
	}
	pg_len_close(b, l, 2);
	pg_len_close(b, e, 2);
}

static void ch_groups_sigs(struct pg_buf *b, struct pg_rng *r, unsigned g)
{
	static const uint16_t sig[] = {0x0403, 0x0804, 0x0401, 0x0503,
				       0x0805, 0x0501, 0x0806, 0x0601};
	size_t e, l;
	ext_begin(b, 0x000a, &e);
	l = pg_len_open(b, 2);
	pg_u16(b, g), pg_u16(b, 0x001d), pg_u16(b, 0x0017), pg_u16(b, 0x0018);
	pg_len_close(b, l, 2);
	pg_len_close(b, e, 2);
	ext_begin(b, 0x000d, &e);
	l = pg_len_open(b, 2);
	for (size_t i = 0; i < sizeof sig / sizeof sig[0]; i++)
		pg_u16(b, sig[i]);
	pg_len_close(b, l, 2);
	pg_len_close(b, e, 2);
	uint8_t key[32];
	pg_fill(r, key, sizeof key);
	ext_begin(b, 0x0033, &e);
	l = pg_len_open(b, 2);
	pg_u16(b, g), pg_u16(b, 1), pg_u8(b, 0);
	pg_u16(b, 0x001d), pg_u16(b, 32), pg_mem(b, key, 32);
	pg_len_close(b, l, 2);
	pg_len_close(b, e, 2);
}

static void ch_versions(struct pg_buf *b, struct pg_rng *r, int quic)
{
	size_t e, l;
	ext_begin(b, 0x002d, &e);
	pg_u8(b, 1), pg_u8(b, 1);
	pg_len_close(b, e, 2);
	ext_begin(b, 0x002b, &e);
	l = pg_len_open(b, 1);
	pg_u16(b, grease(r));
	pg_u16(b, 0x0304);
	if (!quic)
		pg_u16(b, 0x0303);
	pg_len_close(b, l, 1);
	pg_len_close(b, e, 2);
	ext_begin(b, 0x001b, &e);
	pg_u8(b, 2), pg_u16(b, 2);
	pg_len_close(b, e, 2);
}

static void ch_extensions(struct pg_buf *b, struct pg_rng *r,
			  const struct pg_hello *h, unsigned g)
{
	size_t e;
	pg_u16(b, grease(r)), pg_u16(b, 0);
	ch_sni_alpn(b, h);
	if (!h->quic) {
		pg_u16(b, 0x0017), pg_u16(b, 0);          /* ext. master secret */
		pg_u16(b, 0xff01), pg_u16(b, 1), pg_u8(b, 0); /* renegotiation */
		pg_u16(b, 0x000b), pg_u16(b, 2), pg_u8(b, 1), pg_u8(b, 0);
		pg_u16(b, 0x0023), pg_u16(b, 0);          /* session ticket */
		pg_u16(b, 0x0005), pg_u16(b, 5);          /* status_request */
		pg_u8(b, 1), pg_u32(b, 0);
		pg_u16(b, 0x0012), pg_u16(b, 0);          /* SCT */
	}
	ch_groups_sigs(b, r, g);
	ch_versions(b, r, h->quic);
	if (h->quic) {
		ext_begin(b, 0x0039, &e);
		quic_tp(b, h);
		pg_len_close(b, e, 2);
	}
	pg_u16(b, grease(r) ^ 0x1010), pg_u16(b, 1), pg_u8(b, 0);
}

size_t pg_tls_client_hello(uint8_t *out, size_t cap, struct pg_rng *r,
			   const struct pg_hello *h)
{
	static const uint16_t cs[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f,
				      0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013,
				      0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
	struct pg_buf b;
	uint8_t rnd[64];
	unsigned g = grease(r);
	pg_buf_init(&b, out, cap);
	pg_u8(&b, 1);
	size_t hl = pg_len_open(&b, 3);
	pg_u16(&b, 0x0303);
	pg_fill(r, rnd, sizeof rnd);
	pg_mem(&b, rnd, 32);
	pg_u8(&b, h->quic ? 0 : 32);
	if (!h->quic)
		pg_mem(&b, rnd + 32, 32);
	size_t cl = pg_len_open(&b, 2);
	if (!h->quic)
		pg_u16(&b, grease(r));
	for (size_t i = 0; i < (h->quic ? 3 : sizeof cs / sizeof cs[0]); i++)
		pg_u16(&b, cs[i]);
	pg_len_close(&b, cl, 2);
	pg_u8(&b, 1), pg_u8(&b, 0);
	size_t el = pg_len_open(&b, 2);
	ch_extensions(&b, r, h, g);
	pg_len_close(&b, el, 2);
	pg_len_close(&b, hl, 3);
	return b.err ? 0 : b.len;
}

size_t pg_tls_server_hello(uint8_t *out, size_t cap, struct pg_rng *r,
			   int tls13, const uint8_t *sid, size_t sidlen)
{
	struct pg_buf b;
	uint8_t rnd[32], key[32];
	pg_buf_init(&b, out, cap);
	pg_u8(&b, 2);
	size_t hl = pg_len_open(&b, 3);
	pg_u16(&b, 0x0303);
	pg_fill(r, rnd, sizeof rnd);
	pg_mem(&b, rnd, 32);
	pg_u8(&b, (unsigned)sidlen);
	pg_mem(&b, sid, sidlen);
	pg_u16(&b, tls13 ? 0x1301 : 0xc02b);
	pg_u8(&b, 0);
	size_t el = pg_len_open(&b, 2);
	if (tls13) {
		pg_fill(r, key, sizeof key);
		pg_u16(&b, 0x002b), pg_u16(&b, 2), pg_u16(&b, 0x0304);
		pg_u16(&b, 0x0033), pg_u16(&b, 36), pg_u16(&b, 0x001d);
		pg_u16(&b, 32), pg_mem(&b, key, 32);
	} else {
		pg_u16(&b, 0xff01), pg_u16(&b, 1), pg_u8(&b, 0);
		pg_u16(&b, 0x000b), pg_u16(&b, 2), pg_u8(&b, 1), pg_u8(&b, 0);
		pg_u16(&b, 0x0017), pg_u16(&b, 0);
		pg_u16(&b, 0x0010), pg_u16(&b, 11), pg_u16(&b, 9);
		pg_u8(&b, 8), pg_str(&b, "http/1.1");
	}
	pg_len_close(&b, el, 2);
	pg_len_close(&b, hl, 3);
	return b.err ? 0 : b.len;
}

/* One record of the given type around body. */
static void put_record(struct pg_buf *b, unsigned type, unsigned ver,
		       const uint8_t *body, size_t n)
{
	pg_u8(b, type);
	pg_u16(b, ver);
	pg_u16(b, (unsigned)n);
	pg_mem(b, body, n);
}

static void put_random_record(struct pg_buf *b, struct pg_rng *r,
			      unsigned type, size_t n)
{
	uint8_t body[REC_MAX + 256];
	pg_fill(r, body, n);
	put_record(b, type, 0x0303, body, n);
}

size_t pg_tls_appdata(uint8_t *out, size_t cap, struct pg_rng *r,
		      size_t len)
{
	struct pg_buf b;
	pg_buf_init(&b, out, cap);
	do {
		size_t n = len > REC_MAX ? REC_MAX : len;
		put_random_record(&b, r, 23, n + 17); /* type byte + GCM tag */
		len -= n;
	} while (len);
	return b.err ? 0 : b.len;
}

static void send_buf(struct pg_tcp *c, int from_cli, struct pg_buf *b,
		     uint64_t think)
{
	pg_tcp_send(c, from_cli, b->p, b->len, think);
}

/* Application data of len bytes, in messages of at most ~48 kB. */
static void send_appdata(struct pg_tcp *c, int from_cli, size_t len,
			 uint64_t think)
{
	uint8_t buf[PG_MSG_MAX];
	do {
		size_t n = len > 48000 ? 48000 : len;
		size_t w = pg_tls_appdata(buf, sizeof buf, &c->ph->rng, n);
		pg_tcp_send(c, from_cli, buf, w, think);
		think = 0;
		len -= n;
	} while (len);
}

static void server_flight12(struct pg_buf *b, struct pg_rng *r,
			    const struct pg_tls_plan *p)
{
	uint8_t m[4096], pub[64], sig[64];
	struct pg_buf h;
	pg_buf_init(&h, m, sizeof m);
	pg_u8(&h, 11);
	size_t hl = pg_len_open(&h, 3);
	size_t cl = pg_len_open(&h, 3);
	for (int i = 0; i < p->ncerts; i++) {
		pg_u24(&h, (uint32_t)p->cert_lens[i]);
		pg_mem(&h, p->certs[i], p->cert_lens[i]);
	}
	pg_len_close(&h, cl, 3);
	pg_len_close(&h, hl, 3);
	put_record(b, 22, 0x0303, m, h.len);
	pg_buf_init(&h, m, sizeof m);
	pg_fill(r, pub, sizeof pub);
	pg_fill(r, sig, sizeof sig);
	sig[0] &= 0x7f, sig[32] &= 0x7f; /* positive INTEGERs */
	pg_u8(&h, 12);
	hl = pg_len_open(&h, 3);
	pg_u8(&h, 3), pg_u16(&h, 0x0017), pg_u8(&h, 65), pg_u8(&h, 4);
	pg_mem(&h, pub, 64);
	pg_u16(&h, 0x0403), pg_u16(&h, 70);
	pg_u8(&h, 0x30), pg_u8(&h, 68);
	pg_u8(&h, 2), pg_u8(&h, 32), pg_mem(&h, sig, 32);
	pg_u8(&h, 2), pg_u8(&h, 32), pg_mem(&h, sig + 32, 32);
	pg_len_close(&h, hl, 3);
	pg_u8(&h, 14), pg_u24(&h, 0); /* ServerHelloDone */
	put_record(b, 22, 0x0303, m, h.len);
}

/* TLS 1.2 after the ClientHello: server flight, client key exchange +
 * CCS + Finished, server CCS + Finished. */
static void handshake12(struct pg_tcp *c, const struct pg_tls_plan *p,
			uint8_t *buf, const uint8_t *sid)
{
	struct pg_rng *r = &c->ph->rng;
	uint8_t m[512], pub[64];
	struct pg_buf b;
	size_t n = pg_tls_server_hello(m, sizeof m, r, 0, sid, 32);
	pg_buf_init(&b, buf, PG_MSG_MAX);
	put_record(&b, 22, 0x0303, m, n);
	server_flight12(&b, r, p);
	send_buf(c, 0, &b, pg_range(r, 3, 25) * PG_MS);
	pg_buf_init(&b, buf, PG_MSG_MAX);
	pg_fill(r, pub, sizeof pub);
	m[0] = 16, m[1] = 0, m[2] = 0, m[3] = 66, m[4] = 65, m[5] = 4;
	memcpy(m + 6, pub, 64);
	put_record(&b, 22, 0x0303, m, 70);
	m[0] = 1;
	put_record(&b, 20, 0x0303, m, 1);
	put_random_record(&b, r, 22, 40);
	send_buf(c, 1, &b, pg_range(r, 1, 4) * PG_MS);
	pg_buf_init(&b, buf, PG_MSG_MAX);
	put_record(&b, 20, 0x0303, m, 1);
	put_random_record(&b, r, 22, 40);
	send_buf(c, 0, &b, pg_range(r, 1, 5) * PG_MS);
}

/* TLS 1.3 after the ClientHello: ServerHello + CCS + encrypted flight,
 * then client CCS + Finished. */
static void handshake13(struct pg_tcp *c, uint8_t *buf, const uint8_t *sid)
{
	struct pg_rng *r = &c->ph->rng;
	uint8_t m[512];
	struct pg_buf b;
	size_t n = pg_tls_server_hello(m, sizeof m, r, 1, sid, 32);
	pg_buf_init(&b, buf, PG_MSG_MAX);
	put_record(&b, 22, 0x0303, m, n);
	m[0] = 1;
	put_record(&b, 20, 0x0303, m, 1);
	put_random_record(&b, r, 23, pg_range(r, 2400, 4600));
	send_buf(c, 0, &b, pg_range(r, 3, 25) * PG_MS);
	pg_buf_init(&b, buf, PG_MSG_MAX);
	put_record(&b, 20, 0x0303, m, 1);
	put_random_record(&b, r, 23, 53);
	send_buf(c, 1, &b, pg_range(r, 1, 4) * PG_MS);
}

void pg_tls_session(struct pg_tcp *c, const struct pg_tls_plan *p)
{
	uint8_t buf[PG_MSG_MAX];
	struct pg_rng *r = &c->ph->rng;
	struct pg_hello h;
	struct pg_buf b;
	uint8_t ch[1024];
	memset(&h, 0, sizeof h);
	h.sni = p->sni;
	h.alpn[0] = "h2";
	h.alpn[1] = "http/1.1";
	size_t n = pg_tls_client_hello(ch, sizeof ch, r, &h);
	pg_buf_init(&b, buf, sizeof buf);
	put_record(&b, 22, 0x0301, ch, n);
	send_buf(c, 1, &b, pg_range(r, 100, 900));
	const uint8_t *sid = ch + 4 + 2 + 32 + 1;
	if (p->tls13)
		handshake13(c, buf, sid);
	else
		handshake12(c, p, buf, sid);
	for (int i = 0; i < p->exchanges; i++) {
		send_appdata(c, 1, p->req_len, pg_range(r, 1, 30) * PG_MS);
		if (i == 0 && p->tls13) /* two NewSessionTickets */
			send_appdata(c, 0, 2 * 250, pg_range(r, 1, 5) * PG_MS);
		if (i == 0 && p->faults) {
			c->swap_at = 2;
			c->dup_at = 5;
		}
		send_appdata(c, 0, p->resp_len, p->think);
	}
}
