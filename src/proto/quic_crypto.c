/* QUIC Initial packet protection (see quic_crypto.h): the version table,
 * HKDF-SHA256 Initial key derivation (RFC 9001 5.2, RFC 9369 3.3.1-3.3.2),
 * header protection removal (RFC 9001 5.4) and AES-128-GCM opening (5.3).
 * The cipher objects are fetched once per context (HKDF is HMAC-SHA256 by
 * hand, below); keys are derived once per connection by the caller
 * (quic.c caches them). */
/* HMAC-SHA256 through OpenSSL's low-level SHA-256 calls (deprecated in
 * OpenSSL 3 but kept): an EVP_KDF HKDF call set up its context and
 * parameters each time, about 20 k instructions, nine per connection. */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "proto/quic_crypto.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ph_quic_crypto {
	EVP_CIPHER *ecb;      /* owned: AES-128-ECB */
	EVP_CIPHER *gcm;      /* owned: AES-128-GCM */
	EVP_CIPHER_CTX *ectx; /* owned, reused per packet */
	EVP_CIPHER_CTX *gctx; /* owned, reused per packet */
};

/* ---- versions -------------------------------------------------------- */

static const uint8_t salt_v1[20] = {
	0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
	0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
static const uint8_t salt_v2[20] = {
	0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
	0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9};
static const uint8_t salt_d22[20] = {
	0x7f, 0xbc, 0xdb, 0x0e, 0x7c, 0x66, 0xbb, 0xe9, 0x19, 0x3a,
	0x96, 0xcd, 0x21, 0x51, 0x9e, 0xbd, 0x7a, 0x02, 0x64, 0x4a};
static const uint8_t salt_d23[20] = {
	0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7,
	0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02};
static const uint8_t salt_d29[20] = {
	0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
	0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99};

/* Google QUIC with TLS-style Initial protection (Wireshark's
 * packet-quic.c): Q050 carries a CHLO, T050/T051 a TLS ClientHello. */
static const uint8_t salt_q050[20] = {
	0x50, 0x45, 0x74, 0xef, 0xd0, 0x66, 0xfe, 0x2f, 0x9d, 0x94,
	0x5c, 0xfc, 0xdb, 0xd3, 0xa7, 0xf0, 0xd3, 0xb5, 0x6b, 0x45};
static const uint8_t salt_t050[20] = {
	0x7f, 0xf5, 0x79, 0xe5, 0xac, 0xd0, 0x72, 0x91, 0x55, 0x80,
	0x30, 0x4c, 0x43, 0xa2, 0x36, 0x7c, 0x60, 0x48, 0x83, 0x10};
static const uint8_t salt_t051[20] = {
	0x7a, 0x4e, 0xde, 0xf4, 0xe7, 0xcc, 0xee, 0x5f, 0xa4, 0x50,
	0x6c, 0x19, 0x12, 0x4f, 0xc8, 0xcc, 0xda, 0x6e, 0x03, 0x3d};

/* Zeek's QUIC::version_strings (scripts/base/protocols/quic/consts.zeek),
 * including its "draft-30" for 0xff00001f; salts as Zeek's
 * decrypt_crypto.cc and Wireshark choose them. */
static const struct vrow {
	uint32_t v;
	const char *name;
	const uint8_t *salt;
} versions[] = {
	{0x00000001, "1", salt_v1},
	{0x6b3343cf, "quicv2", salt_v2},
	{0xff000016, "draft-22", salt_d22},
	{0xff000017, "draft-23", salt_d23},
	{0xff000018, "draft-24", salt_d23},
	{0xff000019, "draft-25", salt_d23},
	{0xff00001a, "draft-26", salt_d23},
	{0xff00001b, "draft-27", salt_d23},
	{0xff00001c, "draft-28", salt_d23},
	{0xff00001d, "draft-29", salt_d29},
	{0xff00001e, "draft-30", salt_d29},
	{0xff00001f, "draft-30", salt_d29},
	{0xff000020, "draft-32", salt_d29},
	{0xff000021, "draft-33", salt_v1},
	{0xff000022, "draft-34", salt_v1},
	{0xfaceb001, "mvfst (faceb001)", salt_d22},
	{0xfaceb002, "mvfst (faceb002)", salt_d23},
	{0xfaceb00e, "mvfst (faceb00e)", salt_d23},
	{0xfaceb011, "mvfst (faceb011)", salt_d23},
	{0xfaceb012, "mvfst (faceb012)", salt_d23},
	{0xfaceb013, "mvfst (faceb013)", salt_d23},
};

bool ph_quic_version_lookup(uint32_t version, struct ph_quic_version_info *vi)
{
	memset(vi, 0, sizeof *vi);
	for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
		if (versions[i].v != version)
			continue;
		vi->zeek_name = versions[i].name;
		vi->ietf = true;
		vi->v2 = version == PH_QUIC_V2;
		vi->salt = versions[i].salt;
		return true;
	}
	return false;
}

void ph_quic_version_string(uint32_t version, char *out, size_t cap)
{
	struct ph_quic_version_info vi;
	if (ph_quic_version_lookup(version, &vi))
		snprintf(out, cap, "%s", vi.zeek_name);
	else
		snprintf(out, cap, "unknown-%x", version);
}

static bool is_digit(uint32_t c)
{
	return c >= '0' && c <= '9';
}

bool ph_quic_is_gquic_version(uint32_t v)
{
	uint32_t a = v >> 24, b = (v >> 16) & 0xff, c = (v >> 8) & 0xff,
		 d = v & 0xff;
	return (a == 'Q' || a == 'T') && is_digit(b) && is_digit(c) &&
	       is_digit(d);
}

/* ---- OpenSSL objects ------------------------------------------------- */

struct ph_quic_crypto *ph_quic_crypto_new(void)
{
	struct ph_quic_crypto *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->ecb = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
	c->gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
	c->ectx = EVP_CIPHER_CTX_new();
	c->gctx = EVP_CIPHER_CTX_new();
	if (!c->ecb || !c->gcm || !c->ectx || !c->gctx ||
	    !EVP_EncryptInit_ex2(c->ectx, c->ecb, NULL, NULL, NULL) ||
	    !EVP_DecryptInit_ex2(c->gctx, c->gcm, NULL, NULL, NULL)) {
		ph_quic_crypto_free(c);
		return NULL;
	}
	EVP_CIPHER_CTX_set_padding(c->ectx, 0);
	return c;
}

void ph_quic_crypto_free(struct ph_quic_crypto *c)
{
	if (!c)
		return;
	EVP_CIPHER_CTX_free(c->ectx);
	EVP_CIPHER_CTX_free(c->gctx);
	EVP_CIPHER_free(c->ecb);
	EVP_CIPHER_free(c->gcm);
	free(c);
}

/* ---- key derivation -------------------------------------------------- */

/* HMAC-SHA256 (RFC 2104) of the concatenation m1 || m2 || m3 (any may be
 * empty) under key (at most 64 bytes here: a salt or a PRK). */
static void hmac_sha256(const uint8_t *key, size_t kl, const uint8_t *m1,
			size_t l1, const uint8_t *m2, size_t l2,
			const uint8_t *m3, size_t l3, uint8_t out[32])
{
	uint8_t pad[64], inner[32];
	SHA256_CTX h;
	memset(pad, 0x36, sizeof pad);
	for (size_t i = 0; i < kl && i < sizeof pad; i++)
		pad[i] ^= key[i];
	SHA256_Init(&h);
	SHA256_Update(&h, pad, sizeof pad);
	SHA256_Update(&h, m1, l1);
	SHA256_Update(&h, m2, l2);
	SHA256_Update(&h, m3, l3);
	SHA256_Final(inner, &h);
	for (size_t i = 0; i < sizeof pad; i++)
		pad[i] ^= 0x36 ^ 0x5c;
	SHA256_Init(&h);
	SHA256_Update(&h, pad, sizeof pad);
	SHA256_Update(&h, inner, sizeof inner);
	SHA256_Final(out, &h);
	memset(pad, 0, sizeof pad);
}

/* HKDF-Extract (RFC 5869 2.2): PRK = HMAC(salt, ikm). salt <= 64 bytes. */
static void hkdf_extract(const uint8_t *salt, size_t sl, const uint8_t *ikm,
			 size_t il, uint8_t prk[32])
{
	hmac_sha256(salt, sl, ikm, il, NULL, 0, NULL, 0, prk);
}

/* HKDF-Expand (RFC 5869 2.3): T(i) = HMAC(PRK, T(i-1) | info | i). */
static void hkdf_expand(const uint8_t prk[32], const uint8_t *info,
			size_t il, uint8_t *out, size_t ol)
{
	uint8_t t[32];
	size_t tl = 0, done = 0;
	for (uint8_t i = 1; done < ol; i++) {
		hmac_sha256(prk, 32, t, tl, info, il, &i, 1, t);
		tl = sizeof t;
		size_t n = ol - done < tl ? ol - done : tl;
		memcpy(out + done, t, n);
		done += n;
	}
	memset(t, 0, sizeof t);
}

/* HKDF-Expand-Label (RFC 8446 7.1) with an empty context. */
static int expand_label(struct ph_quic_crypto *c, const uint8_t secret[32],
			const char *label, uint8_t *out, size_t ol)
{
	uint8_t info[64];
	size_t ll = strlen(label);
	info[0] = (uint8_t)(ol >> 8);
	info[1] = (uint8_t)ol;
	info[2] = (uint8_t)(6 + ll);
	memcpy(info + 3, "tls13 ", 6);
	memcpy(info + 9, label, ll);
	info[9 + ll] = 0;
	(void)c;
	hkdf_expand(secret, info, 10 + ll, out, ol);
	return 0;
}

static int keys_from_secret(struct ph_quic_crypto *c, bool v2,
			    const uint8_t secret[32], struct ph_quic_keys *k)
{
	if (expand_label(c, secret, v2 ? "quicv2 key" : "quic key", k->key,
			 sizeof k->key) ||
	    expand_label(c, secret, v2 ? "quicv2 iv" : "quic iv", k->iv,
			 sizeof k->iv) ||
	    expand_label(c, secret, v2 ? "quicv2 hp" : "quic hp", k->hp,
			 sizeof k->hp))
		return -1;
	return 0;
}

static const uint8_t *gquic_salt(uint32_t version)
{
	switch (version) {
	case 0x51303530: return salt_q050; /* Q050 */
	case 0x54303530: return salt_t050; /* T050 */
	case 0x54303531: return salt_t051; /* T051 */
	default: return NULL;
	}
}

bool ph_quic_gquic_protected(uint32_t version)
{
	return gquic_salt(version) != NULL;
}

int ph_quic_derive_initial(struct ph_quic_crypto *c, uint32_t version,
			   const uint8_t *dcid, size_t dcid_len,
			   struct ph_quic_keys out[2])
{
	struct ph_quic_version_info vi;
	if (!ph_quic_version_lookup(version, &vi)) {
		vi.salt = gquic_salt(version);
		if (!vi.salt)
			return -1;
	}
	uint8_t init[32], cs[32], ss[32];
	int r = -1;
	hkdf_extract(vi.salt, 20, dcid, dcid_len, init);
	if (expand_label(c, init, "client in", cs, sizeof cs) == 0 &&
	    expand_label(c, init, "server in", ss, sizeof ss) == 0 &&
	    keys_from_secret(c, vi.v2, cs, &out[0]) == 0 &&
	    keys_from_secret(c, vi.v2, ss, &out[1]) == 0)
		r = 0;
	memset(init, 0, sizeof init);
	return r;
}

/* ---- packet opening -------------------------------------------------- */

/* RFC 9000 A.3: the full packet number nearest the expected one. */
static uint64_t decode_pn(uint64_t largest, uint64_t truncated, unsigned bits)
{
	if (largest == UINT64_MAX)
		return truncated;
	uint64_t expected = largest + 1, win = 1ull << bits, hwin = win / 2,
		 mask = win - 1;
	uint64_t cand = (expected & ~mask) | truncated;
	if (cand + hwin <= expected && cand < (1ull << 62) - win)
		return cand + win;
	if (cand > expected + hwin && cand >= win)
		return cand - win;
	return cand;
}

int ph_quic_open(struct ph_quic_crypto *c, const struct ph_quic_keys *k,
		 const uint8_t *pkt, size_t pn_off, size_t len,
		 uint64_t largest_pn, uint8_t *hdr, size_t hdr_cap,
		 uint8_t *out, size_t out_cap, uint64_t *pn)
{
	/* 4 packet-number bytes assumed for the 16-byte sample (5.4.2) */
	if (len < 20 || hdr_cap < pn_off + 4 || out_cap < len)
		return -1;
	uint8_t mask[16];
	int n;
	if (!EVP_EncryptInit_ex2(c->ectx, NULL, k->hp, NULL, NULL) ||
	    !EVP_EncryptUpdate(c->ectx, mask, &n, pkt + pn_off + 4, 16) ||
	    n != 16)
		return -1;
	memcpy(hdr, pkt, pn_off);
	hdr[0] ^= mask[0] & 0x0f;
	size_t pnl = (size_t)(hdr[0] & 3) + 1;
	if (len < pnl + 16)
		return -1;
	uint64_t tpn = 0;
	for (size_t i = 0; i < pnl; i++) {
		hdr[pn_off + i] = pkt[pn_off + i] ^ mask[1 + i];
		tpn = (tpn << 8) | hdr[pn_off + i];
	}
	uint64_t full = decode_pn(largest_pn, tpn, (unsigned)(8 * pnl));
	uint8_t nonce[12];
	memcpy(nonce, k->iv, 12);
	for (int i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(full >> (8 * i));
	const uint8_t *ct = pkt + pn_off + pnl;
	size_t ctl = len - pnl - 16;
	int m = 0, f = 0;
	if (!EVP_DecryptInit_ex2(c->gctx, NULL, k->key, nonce, NULL) ||
	    !EVP_DecryptUpdate(c->gctx, NULL, &m, hdr, (int)(pn_off + pnl)) ||
	    !EVP_DecryptUpdate(c->gctx, out, &m, ct, (int)ctl) ||
	    !EVP_CIPHER_CTX_ctrl(c->gctx, EVP_CTRL_GCM_SET_TAG, 16,
				 (void *)(ct + ctl)) ||
	    EVP_DecryptFinal_ex(c->gctx, out + m, &f) <= 0)
		return -1;
	*pn = full;
	return m + f;
}
