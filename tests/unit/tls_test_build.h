/* Builders for TLS test input (header-only, tests only): ClientHello and
 * ServerHello bodies, handshake headers and records. All writes are
 * bounds-checked against cap (the tests size their buffers generously;
 * overflow aborts the test). */
#ifndef PH_TESTS_TLS_TEST_BUILD_H
#define PH_TESTS_TLS_TEST_BUILD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct tb {
	uint8_t *p;
	size_t cap, len;
};

static inline void tb_u8(struct tb *b, unsigned v)
{
	if (b->len >= b->cap)
		abort();
	b->p[b->len++] = (uint8_t)v;
}

static inline void tb_u16(struct tb *b, unsigned v)
{
	tb_u8(b, v >> 8);
	tb_u8(b, v & 0xff);
}

static inline void tb_bytes(struct tb *b, const void *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		tb_u8(b, ((const uint8_t *)d)[i]);
}

/* Back-patches a big-endian length of `width` bytes at `at`. */
static inline void tb_patch(struct tb *b, size_t at, int width)
{
	size_t n = b->len - at - (size_t)width;
	for (int i = 0; i < width; i++)
		b->p[at + (size_t)i] = (uint8_t)(n >> (8 * (width - 1 - i)));
}

struct tb_hello {
	uint16_t legacy_version;
	const uint16_t *ciphers;
	unsigned n_ciphers;
	const uint16_t *exts; /* types, in order; bodies made up per type */
	unsigned n_exts;
	const uint16_t *sigalgs;
	unsigned n_sigalgs;
	const char *sni;      /* body of ext 0 */
	const char *alpn;     /* body of ext 16 (one name) */
	bool version13;       /* ext 43 lists 0x0304, 0x0303 */
	bool grease;          /* GREASE cipher, extensions, version, group */
	const uint8_t *sid;   /* session id (32 bytes) or NULL */
};

static inline void tb_ext_body(struct tb *b, const struct tb_hello *h,
			       uint16_t type)
{
	size_t at = b->len, l2;
	switch (type) {
	case 0:
		tb_u16(b, 0);
		tb_u8(b, 0);
		tb_u16(b, (unsigned)strlen(h->sni ? h->sni : ""));
		tb_bytes(b, h->sni ? h->sni : "", strlen(h->sni ? h->sni : ""));
		tb_patch(b, at, 2);
		break;
	case 16:
		tb_u16(b, 0);
		tb_u8(b, (unsigned)strlen(h->alpn ? h->alpn : ""));
		tb_bytes(b, h->alpn ? h->alpn : "", strlen(h->alpn ? h->alpn : ""));
		tb_patch(b, at, 2);
		break;
	case 13:
		tb_u16(b, 0);
		for (unsigned i = 0; i < h->n_sigalgs; i++)
			tb_u16(b, h->sigalgs[i]);
		tb_patch(b, at, 2);
		break;
	case 43:
		tb_u8(b, 0);
		if (h->grease)
			tb_u16(b, 0x7a7a);
		if (h->version13)
			tb_u16(b, 0x0304);
		tb_u16(b, 0x0303);
		tb_patch(b, at, 1);
		break;
	case 10:
		tb_u16(b, 0);
		if (h->grease)
			tb_u16(b, 0x3a3a);
		tb_u16(b, 29);
		tb_u16(b, 23);
		tb_patch(b, at, 2);
		break;
	case 11:
		tb_u8(b, 1);
		tb_u8(b, 0);
		break;
	default:
		break;
	}
	l2 = b->len;
	(void)l2;
}

static inline void tb_ext(struct tb *b, const struct tb_hello *h, uint16_t t)
{
	tb_u16(b, t);
	size_t at = b->len;
	tb_u16(b, 0);
	tb_ext_body(b, h, t);
	tb_patch(b, at, 2);
}

static inline size_t tb_client_hello(uint8_t *out, size_t cap,
				     const struct tb_hello *h)
{
	struct tb b = {out, cap, 0};
	tb_u16(&b, h->legacy_version);
	for (int i = 0; i < 32; i++)
		tb_u8(&b, (unsigned)i);
	tb_u8(&b, h->sid ? 32 : 0);
	if (h->sid)
		tb_bytes(&b, h->sid, 32);
	size_t at = b.len;
	tb_u16(&b, 0);
	if (h->grease)
		tb_u16(&b, 0x0a0a);
	for (unsigned i = 0; i < h->n_ciphers; i++)
		tb_u16(&b, h->ciphers[i]);
	tb_patch(&b, at, 2);
	tb_u8(&b, 1);
	tb_u8(&b, 0);
	at = b.len;
	tb_u16(&b, 0);
	if (h->grease)
		tb_ext(&b, h, 0x1a1a);
	for (unsigned i = 0; i < h->n_exts; i++)
		tb_ext(&b, h, h->exts[i]);
	if (h->grease)
		tb_ext(&b, h, 0xfafa);
	tb_patch(&b, at, 2);
	return b.len;
}

/* ServerHello body; sv (selected version) / group 0 = no such extension
 * body even if listed; alpn non-NULL adds ext 16 last. */
static inline size_t tb_server_hello(uint8_t *out, size_t cap,
				     uint16_t legacy, uint16_t cipher,
				     const uint16_t *exts, unsigned n_exts,
				     uint16_t sv, uint16_t group,
				     const char *alpn)
{
	struct tb b = {out, cap, 0};
	tb_u16(&b, legacy);
	for (int i = 0; i < 32; i++)
		tb_u8(&b, (unsigned)(100 + i));
	tb_u8(&b, 0);
	tb_u16(&b, cipher);
	tb_u8(&b, 0);
	size_t at = b.len;
	tb_u16(&b, 0);
	for (unsigned i = 0; i < n_exts; i++) {
		tb_u16(&b, exts[i]);
		size_t el = b.len;
		tb_u16(&b, 0);
		if (exts[i] == 43)
			tb_u16(&b, sv);
		if (exts[i] == 51) {
			tb_u16(&b, group);
			tb_u16(&b, 32);
			for (int k = 0; k < 32; k++)
				tb_u8(&b, 7);
		}
		tb_patch(&b, el, 2);
	}
	if (alpn) {
		tb_u16(&b, 16);
		size_t el = b.len;
		tb_u16(&b, 0);
		size_t ll = b.len;
		tb_u16(&b, 0);
		tb_u8(&b, (unsigned)strlen(alpn));
		tb_bytes(&b, alpn, strlen(alpn));
		tb_patch(&b, ll, 2);
		tb_patch(&b, el, 2);
	}
	tb_patch(&b, at, 2);
	return b.len;
}

/* Wraps body in a handshake header (type, 24-bit length). */
static inline size_t tb_handshake(uint8_t *out, size_t cap, uint8_t type,
				  const uint8_t *body, size_t n)
{
	struct tb b = {out, cap, 0};
	tb_u8(&b, type);
	tb_u8(&b, (unsigned)(n >> 16));
	tb_u16(&b, (unsigned)(n & 0xffff));
	tb_bytes(&b, body, n);
	return b.len;
}

/* Wraps body in one TLS record (version 0x0303). */
static inline size_t tb_record(uint8_t *out, size_t cap, uint8_t type,
			       const uint8_t *body, size_t n)
{
	struct tb b = {out, cap, 0};
	tb_u8(&b, type);
	tb_u16(&b, 0x0303);
	tb_u16(&b, (unsigned)n);
	tb_bytes(&b, body, n);
	return b.len;
}

#endif
