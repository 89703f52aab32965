/* TLS fingerprints of a parsed hello (tls_hello.h): JA3 / JA3S (Salesforce:
 * decimal fields joined by ',' and '-', GREASE removed, MD5 via OpenSSL
 * low-level calls) and JA4 / JA4S (FoxIO JA4 spec, technical_details/JA4.md and
 * JA4S.md: version from supported_versions, GREASE ignored, sorted cipher
 * and extension lists hashed with SHA-256 cut to 12 hex digits, SNI and
 * ALPN left out of the client extension hash). No allocation: strings are
 * built in fixed buffers and cut (never overflowed) when a list is huge. */
/* MD5/SHA-256 through OpenSSL's low-level calls: deprecated in OpenSSL 3
 * but without the provider look-up and locking EVP_Digest() pays on every
 * call (three fingerprints per handshake). */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/evp.h>
#include <openssl/md5.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/tls_hello.h"

/* A bounded string builder: appends past cap are dropped. */
struct sb {
	char *s;
	size_t cap, len;
};

static void sb_init(struct sb *b, char *s, size_t cap)
{
	b->s = s;
	b->cap = cap;
	b->len = 0;
	s[0] = '\0';
}

static void sb_add(struct sb *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap)
		n = b->cap - b->len - 1;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* v in decimal (by hand: a ClientHello's JA3 has dozens of numbers). */
static void sb_dec(struct sb *b, unsigned v)
{
	char t[10];
	size_t i = sizeof t;
	do {
		t[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	sb_add(b, t + i, sizeof t - i);
}

static void sb_hex4(struct sb *b, uint16_t v)
{
	static const char hx[] = "0123456789abcdef";
	char t[4] = {hx[v >> 12], hx[(v >> 8) & 15], hx[(v >> 4) & 15],
		     hx[v & 15]};
	sb_add(b, t, 4);
}

static void hex_digest(const char *md_name, const char *s, size_t n,
		       char *out, size_t hexlen)
{
	static const char hx[] = "0123456789abcdef";
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned dl;
	if (strcmp(md_name, "md5") == 0) {
		MD5_CTX c;
		MD5_Init(&c);
		MD5_Update(&c, s, n);
		MD5_Final(d, &c);
		dl = MD5_DIGEST_LENGTH;
	} else {
		SHA256_CTX c;
		SHA256_Init(&c);
		SHA256_Update(&c, s, n);
		SHA256_Final(d, &c);
		dl = SHA256_DIGEST_LENGTH;
	}
	size_t i = 0;
	for (; i < hexlen && i / 2 < dl; i++)
		out[i] = hx[i & 1 ? d[i / 2] & 15 : d[i / 2] >> 4];
	out[i] = '\0';
}

/* Appends the non-GREASE values of a u16 list, decimal, '-'-joined. */
static void ja3_list(struct sb *b, const uint16_t *v, unsigned n)
{
	bool first = true;
	for (unsigned i = 0; i < n; i++) {
		if (ph_tls_is_grease(v[i]))
			continue;
		if (!first)
			sb_add(b, "-", 1);
		sb_dec(b, v[i]);
		first = false;
	}
}

static void ja3_client(struct ph_tls_hello *h)
{
	struct sb b;
	sb_init(&b, h->ja3, sizeof h->ja3);
	sb_dec(&b, h->legacy_version);
	sb_add(&b, ",", 1);
	ja3_list(&b, h->ciphers, h->n_ciphers);
	sb_add(&b, ",", 1);
	ja3_list(&b, h->exts, h->n_exts);
	sb_add(&b, ",", 1);
	ja3_list(&b, h->groups, h->n_groups);
	sb_add(&b, ",", 1);
	for (unsigned i = 0; i < h->n_point_formats; i++) {
		if (i)
			sb_add(&b, "-", 1);
		sb_dec(&b, h->point_formats[i]);
	}
	hex_digest("md5", b.s, b.len, h->ja3_md5, 32);
}

static void ja3_server(struct ph_tls_hello *h)
{
	struct sb b;
	sb_init(&b, h->ja3, sizeof h->ja3);
	sb_dec(&b, h->legacy_version);
	sb_add(&b, ",", 1);
	sb_dec(&b, h->ciphers[0]);
	sb_add(&b, ",", 1);
	ja3_list(&b, h->exts, h->n_exts);
	hex_digest("md5", b.s, b.len, h->ja3_md5, 32);
}

static const char *ja4_version(uint16_t v)
{
	switch (v) {
	case 0x0304: return "13";
	case 0x0303: return "12";
	case 0x0302: return "11";
	case 0x0301: return "10";
	case 0x0300: return "s3";
	case 0x0002: return "s2";
	case 0xfeff: return "d1";
	case 0xfefd: return "d2";
	case 0xfefc: return "d3";
	default: return "00";
	}
}

static bool is_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	       (c >= 'a' && c <= 'z');
}

/* First and last character of the first ALPN value (JA4 spec). */
static void ja4_alpn(const struct ph_tls_hello *h, char out[2])
{
	static const char hx[] = "0123456789abcdef";
	out[0] = out[1] = '0';
	if (!h->n_alpn || !h->alpn_len[0])
		return;
	const uint8_t *a = (const uint8_t *)h->alpn[0];
	uint8_t f = a[0], l = a[h->alpn_len[0] - 1];
	if (is_alnum(f) && is_alnum(l)) {
		out[0] = (char)f;
		out[1] = (char)l;
	} else {
		out[0] = hx[f >> 4];
		out[1] = hx[l & 15];
	}
}

static int cmp_u16(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
	return (x > y) - (x < y);
}

/* Copies the non-GREASE values of v (optionally also dropping SNI/ALPN). */
static unsigned filter(const uint16_t *v, unsigned n, uint16_t *dst,
		       bool drop_sni_alpn)
{
	unsigned k = 0;
	for (unsigned i = 0; i < n; i++) {
		if (ph_tls_is_grease(v[i]))
			continue;
		if (drop_sni_alpn && (v[i] == 0 || v[i] == 16))
			continue;
		dst[k++] = v[i];
	}
	return k;
}

/* SHA-256 of the ','-joined 4-hex list (+ "_" + tail), 12 hex digits;
 * "000000000000" for an empty list. */
static void hash12_list(const uint16_t *v, unsigned n, const uint16_t *tail,
			unsigned ntail, char out[13])
{
	char buf[PH_TLS_MAX_CIPHERS * 5 + PH_TLS_MAX_SIGALGS * 5 + 8];
	struct sb b;
	if (!n) {
		memcpy(out, "000000000000", 13);
		return;
	}
	sb_init(&b, buf, sizeof buf);
	for (unsigned i = 0; i < n; i++) {
		if (i)
			sb_add(&b, ",", 1);
		sb_hex4(&b, v[i]);
	}
	for (unsigned i = 0; i < ntail; i++) {
		sb_add(&b, i ? "," : "_", 1);
		sb_hex4(&b, tail[i]);
	}
	hex_digest("sha256", b.s, b.len, out, 12);
}

static void ja4_client(struct ph_tls_hello *h)
{
	uint16_t c[PH_TLS_MAX_CIPHERS], e[PH_TLS_MAX_EXTS];
	uint16_t s[PH_TLS_MAX_SIGALGS];
	unsigned nc = filter(h->ciphers, h->n_ciphers, c, false);
	unsigned ns = filter(h->sigalgs, h->n_sigalgs, s, false);
	unsigned ne_all = filter(h->exts, h->n_exts, e, false);
	unsigned ne = filter(h->exts, h->n_exts, e, true);
	char alpn[2], hc[13], he[13];
	ja4_alpn(h, alpn);
	qsort(c, nc, sizeof c[0], cmp_u16);
	qsort(e, ne, sizeof e[0], cmp_u16);
	hash12_list(c, nc, NULL, 0, hc);
	hash12_list(e, ne, s, ns, he);
	snprintf(h->ja4, sizeof h->ja4, "%c%s%c%02u%02u%c%c_%s_%s",
		 h->quic ? 'q' : 't', ja4_version(h->version),
		 h->has_sni_ext ? 'd' : 'i', nc > 99 ? 99 : nc,
		 ne_all > 99 ? 99 : ne_all, alpn[0], alpn[1], hc, he);
}

static void ja4_server(struct ph_tls_hello *h)
{
	char alpn[2], he[13];
	unsigned n = h->n_exts;
	ja4_alpn(h, alpn);
	hash12_list(h->exts, n, NULL, 0, he);
	snprintf(h->ja4, sizeof h->ja4, "%c%s%02u%c%c_%04x_%s",
		 h->quic ? 'q' : 't', ja4_version(h->version),
		 n > 99 ? 99 : n, alpn[0], alpn[1], h->ciphers[0], he);
}

void ph_tls_hello_fingerprint(struct ph_tls_hello *h, bool quic)
{
	h->quic = quic;
	if (h->is_server) {
		ja3_server(h);
		ja4_server(h);
	} else {
		ja3_client(h);
		ja4_client(h);
	}
}
