/* ClientHello / ServerHello body parser (RFC 8446 4.1.2-4.1.3, RFC 5246
 * 7.4.1): legacy version, random, session id, cipher suites, compression,
 * and the extensions that matter for fingerprints and reports (SNI, ALPN,
 * supported_versions, groups, point formats, signature algorithms,
 * key_share, session ticket, PSK, ECH/ESNI). Shared by tls.c and quic.c.
 * Reads only through util/rd.h; every list is capped (proto_tls.h) and a
 * cap hit sets `truncated`. Fingerprints live in tls_fp.c. */
#include "proto/tls_hello.h"

#include <string.h>

#include "peephole/ph.h"
#include "util/rd.h"

enum {
	EXT_SNI = 0,
	EXT_GROUPS = 10,
	EXT_POINT_FORMATS = 11,
	EXT_SIGALGS = 13,
	EXT_ALPN = 16,
	EXT_SESSION_TICKET = 35,
	EXT_PSK = 41,
	EXT_EARLY_DATA = 42,
	EXT_SUPPORTED_VERSIONS = 43,
	EXT_KEY_SHARE = 51,
	EXT_ECH = 0xfe0d,
	EXT_ESNI = 0xffce,
	EXT_RENEG = 0xff01,
};

/* Reads a list of big-endian u16 of `bytes` bytes into dst (cap max). */
static void read_u16_list(struct ph_rd *r, size_t bytes, uint16_t *dst,
			  unsigned max, unsigned *n, uint16_t *total,
			  bool *truncated)
{
	struct ph_rd l;
	const uint8_t *p = ph_rd_bytes(r, bytes);
	if (!p)
		return;
	ph_rd_init(&l, p, bytes & ~(size_t)1);
	*n = 0;
	unsigned cnt = 0;
	while (ph_rd_left(&l) >= 2) {
		uint16_t v = ph_rd_be16(&l);
		cnt++;
		if (*n < max)
			dst[(*n)++] = v;
		else
			*truncated = true;
	}
	if (total)
		*total = (uint16_t)(cnt > 0xffff ? 0xffff : cnt);
}

static void ext_sni(struct ph_rd *e, struct ph_tls_hello *h)
{
	uint16_t list = ph_rd_be16(e);
	struct ph_rd l;
	const uint8_t *p = ph_rd_bytes(e, list);
	if (!p)
		return;
	ph_rd_init(&l, p, list);
	while (ph_rd_left(&l) >= 3) {
		uint8_t type = ph_rd_u8(&l);
		uint16_t n = ph_rd_be16(&l);
		const uint8_t *name = ph_rd_bytes(&l, n);
		if (!name)
			return;
		if (type != 0 || h->sni_len)
			continue;
		size_t k = n < PH_TLS_SNI_LEN - 1 ? n : PH_TLS_SNI_LEN - 1;
		if (k < n)
			h->truncated = true;
		memcpy(h->sni, name, k);
		h->sni[k] = '\0';
		h->sni_len = (uint16_t)k;
	}
}

static void ext_alpn(struct ph_rd *e, struct ph_tls_hello *h)
{
	uint16_t list = ph_rd_be16(e);
	struct ph_rd l;
	const uint8_t *p = ph_rd_bytes(e, list);
	if (!p)
		return;
	ph_rd_init(&l, p, list);
	while (ph_rd_left(&l) >= 1) {
		uint8_t n = ph_rd_u8(&l);
		const uint8_t *name = ph_rd_bytes(&l, n);
		if (!name)
			return;
		if (h->n_alpn >= PH_TLS_MAX_ALPN) {
			h->truncated = true;
			continue;
		}
		memcpy(h->alpn[h->n_alpn], name, n);
		h->alpn[h->n_alpn][n] = '\0';
		h->alpn_len[h->n_alpn++] = n;
	}
}

static void ext_versions(struct ph_rd *e, struct ph_tls_hello *h)
{
	unsigned n = 0;
	if (h->is_server) { /* selected_version: one u16 */
		h->versions[0] = ph_rd_be16(e);
		h->n_versions = e->err ? 0 : 1;
		return;
	}
	uint8_t len = ph_rd_u8(e);
	read_u16_list(e, len, h->versions, PH_TLS_MAX_VERSIONS, &n, NULL,
		      &h->truncated);
	h->n_versions = (uint8_t)n;
}

static void ext_u16_list16(struct ph_rd *e, uint16_t *dst, unsigned max,
			   uint8_t *count, bool *truncated)
{
	unsigned n = 0;
	uint16_t len = ph_rd_be16(e);
	read_u16_list(e, len, dst, max, &n, NULL, truncated);
	*count = (uint8_t)n;
}

static void ext_point_formats(struct ph_rd *e, struct ph_tls_hello *h)
{
	uint8_t len = ph_rd_u8(e);
	const uint8_t *p = ph_rd_bytes(e, len);
	if (!p)
		return;
	for (unsigned i = 0; i < len; i++) {
		if (h->n_point_formats >= PH_TLS_MAX_POINTFMTS) {
			h->truncated = true;
			break;
		}
		h->point_formats[h->n_point_formats++] = p[i];
	}
}

/* One extension's body (e covers exactly the body). */
static void parse_ext(uint16_t type, struct ph_rd *e, struct ph_tls_hello *h)
{
	switch (type) {
	case EXT_SNI:
		h->has_sni_ext = true;
		if (!h->is_server)
			ext_sni(e, h);
		break;
	case EXT_ALPN: ext_alpn(e, h); break;
	case EXT_SUPPORTED_VERSIONS: ext_versions(e, h); break;
	case EXT_GROUPS:
		ext_u16_list16(e, h->groups, PH_TLS_MAX_GROUPS, &h->n_groups,
			       &h->truncated);
		break;
	case EXT_SIGALGS:
		ext_u16_list16(e, h->sigalgs, PH_TLS_MAX_SIGALGS,
			       &h->n_sigalgs, &h->truncated);
		break;
	case EXT_POINT_FORMATS: ext_point_formats(e, h); break;
	case EXT_KEY_SHARE:
		if (h->is_server && ph_rd_left(e) >= 2)
			h->key_share_group = ph_rd_be16(e);
		break;
	case EXT_SESSION_TICKET:
		h->has_session_ticket = true;
		h->session_ticket_len = (uint16_t)ph_rd_left(e);
		break;
	case EXT_PSK: h->has_psk = true; break;
	case EXT_EARLY_DATA: h->has_early_data = true; break;
	case EXT_ECH: h->has_ech = true; break;
	case EXT_ESNI: h->has_esni = true; break;
	case EXT_RENEG: h->has_reneg_info = true; break;
	default: break;
	}
}

/* The extensions block (optional: absent when the body ends). */
static int parse_exts(struct ph_rd *r, struct ph_tls_hello *h)
{
	if (ph_rd_left(r) == 0)
		return PH_OK;
	uint16_t total = ph_rd_be16(r);
	const uint8_t *p = ph_rd_bytes(r, total);
	if (!p)
		return PH_EFORMAT;
	struct ph_rd l;
	ph_rd_init(&l, p, total);
	unsigned cnt = 0;
	while (ph_rd_left(&l) >= 4) {
		uint16_t type = ph_rd_be16(&l);
		uint16_t len = ph_rd_be16(&l);
		const uint8_t *body = ph_rd_bytes(&l, len);
		if (!body)
			return PH_EFORMAT;
		cnt++;
		if (h->n_exts < PH_TLS_MAX_EXTS)
			h->exts[h->n_exts++] = type;
		else
			h->truncated = true;
		struct ph_rd e;
		ph_rd_init(&e, body, len);
		parse_ext(type, &e, h);
	}
	h->n_exts_total = (uint16_t)cnt;
	return ph_rd_left(&l) ? PH_EFORMAT : PH_OK;
}

/* Highest non-GREASE supported version (client) or the selected one. */
static void set_version(struct ph_tls_hello *h)
{
	h->version = h->legacy_version;
	uint16_t best = 0;
	for (unsigned i = 0; i < h->n_versions; i++) {
		uint16_t v = h->versions[i];
		if (!ph_tls_is_grease(v) && v > best)
			best = v;
	}
	if (best)
		h->version = best;
}

/* legacy_version, random, session id: common to both hellos. */
static void parse_head(struct ph_rd *r, struct ph_tls_hello *h)
{
	h->legacy_version = ph_rd_be16(r);
	ph_rd_copy(r, h->random, 32);
	uint8_t sl = ph_rd_u8(r);
	if (sl > 32) {
		r->err = true;
		return;
	}
	if (ph_rd_copy(r, h->session_id, sl))
		h->session_id_len = sl;
}

int ph_tls_parse_client_hello(const uint8_t *body, size_t len,
			      struct ph_tls_hello *out)
{
	struct ph_rd r;
	memset(out, 0, sizeof *out);
	ph_rd_init(&r, body, len);
	parse_head(&r, out);
	uint16_t cl = ph_rd_be16(&r);
	unsigned n = 0;
	read_u16_list(&r, cl, out->ciphers, PH_TLS_MAX_CIPHERS, &n,
		      &out->n_ciphers_total, &out->truncated);
	out->n_ciphers = (uint16_t)n;
	uint8_t comp = ph_rd_u8(&r);
	ph_rd_skip(&r, comp);
	if (r.err || (cl & 1))
		return PH_EFORMAT;
	int rc = parse_exts(&r, out);
	set_version(out);
	return rc;
}

int ph_tls_parse_server_hello(const uint8_t *body, size_t len,
			      struct ph_tls_hello *out)
{
	struct ph_rd r;
	memset(out, 0, sizeof *out);
	out->is_server = true;
	ph_rd_init(&r, body, len);
	parse_head(&r, out);
	out->ciphers[0] = ph_rd_be16(&r);
	out->compression = ph_rd_u8(&r);
	if (r.err)
		return PH_EFORMAT;
	out->n_ciphers = out->n_ciphers_total = 1;
	int rc = parse_exts(&r, out);
	set_version(out);
	return rc;
}
