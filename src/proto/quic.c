/* QUIC parser (module "quic"): finds QUIC in UDP datagrams by content (long
 * header with a known version, on any port; unknown versions on port 443 as
 * Zeek does; gQUIC by its version tag), walks the coalesced packets of each
 * datagram, decrypts Initial packets (RFC 9001/9369 keys derived once per
 * connection and cached in the flow slot, quic_crypto.c), reassembles the
 * CRYPTO stream by offset (cap PH_QUIC_CRYPTO_CAP per direction, freed once
 * the first handshake message is complete) and hands the ClientHello to the
 * TLS hello parser (tls_hello.h) for SNI, ALPN and the 'q' JA4. Keeps Zeek's
 * quic.log record (QUIC::Info, history letters included) per session and
 * emits PH_EV_QUIC (proto_quic.h). Short-header packets only bump a counter.
 * Follows Zeek's analyzer (src/analyzer/protocol/quic/QUIC.spicy). */
#include <stdlib.h>
#include <string.h>

#include "peephole/module.h"
#include "peephole/proto_quic.h"
#include "peephole/proto_tls.h"
#include "proto/quic_crypto.h"
#include "proto/quic_gquic.h"
#include "proto/tls_hello.h"
#include "proto/tls_names.h"
#include "util/rd.h"

#define PH_QUIC_CRYPTO_CAP (16384 + 256 + 4) /* RFC 8446 max + header */
#define GQUIC_SCAN_DGRAMS 16   /* client datagrams searched for a CHLO */
#define MAX_DISCARDED_EVENTS 100 /* Zeek's QUIC::max_discarded_packet_events */
#define DGRAM_MAX 65536

static const char not_mine_tag;
#define NOT_MINE ((void *)&not_mine_tag)

enum { PT_INITIAL, PT_0RTT, PT_HANDSHAKE, PT_RETRY };

/* The CRYPTO stream of one direction, up to the end of its first
 * handshake message (all Zeek looks at, too). */
struct crypto_dir {
	uint8_t *buf;         /* owned: CAP bytes + CAP/8 bitmap, or NULL */
	uint32_t contig;      /* bytes present from offset 0 */
	uint32_t need;        /* 4 + message length once known */
	bool finished;        /* message complete, or given up */
	uint64_t largest_pn;  /* UINT64_MAX: none decrypted yet */
};

/* What ssl.log needs of the QUIC connection's TLS handshake (Zeek writes
 * an ssl.log record for QUIC connections, too). */
struct quic_tls {
	bool saw_ch, saw_sh, client_psk, resumed;
	uint16_t version, cipher, curve;
	uint64_t ts_ns;
	char hist[8];
	char sni[PH_TLS_SNI_LEN];
	char ja3[33], ja3s[33];
	char ja4[PH_TLS_JA4_LEN], ja4s[PH_TLS_JA4_LEN];
};

struct quic_flow {
	bool ietf;            /* IETF-style processing (quic.log) */
	bool gquic;           /* gQUIC label / CHLO scan */
	bool done;            /* unhandled version: no more parsing */
	bool gquic_done;
	uint8_t gquic_seen;   /* client datagrams scanned */
	bool have_odcid, have_keys;
	uint8_t odcid_len;
	uint8_t odcid[PH_QUIC_CID_MAX];
	uint32_t keys_version;
	struct ph_quic_keys keys[2];
	struct crypto_dir cd[2];
	uint64_t total_decrypted, total_discarded;
	uint64_t short_total[2], short_next[2];
	bool has_session;
	uint8_t hist_len;
	uint32_t version;     /* the record's wire version */
	struct ph_quic_record rec;
	struct quic_tls tls;
	char gquic_sni[PH_QUIC_NAME_LEN]; /* from a CHLO, "" none */
};

struct quic_mod {
	struct ph_module_env env;
	struct ph_quic_crypto *crypto;  /* owned */
	struct ph_tls_hello hello;      /* scratch for one ClientHello */
	struct ph_tls_session sess;     /* scratch for PH_EV_TLS_DONE */
	uint8_t hdr[DGRAM_MAX];         /* scratch: unprotected header */
	uint8_t plain[DGRAM_MAX];       /* scratch: decrypted payload */
	struct {
		uint64_t flows, gquic_flows, initials, decrypted,
			decrypt_failed, hellos, hello_errors, crypto_cap,
			cid_cut, records, alloc_failed;
	} n;
};

/* What one long-header packet said, for events and the record. */
struct lhdr {
	uint8_t b0;
	uint32_t version;
	const uint8_t *dcid, *scid;
	uint8_t dcid_len, scid_len;
	int type;             /* PT_* */
	size_t pn_off;        /* Initial: offset of the packet number */
	uint64_t length;      /* Initial/0-RTT/Handshake: Length field */
};

/* ---- small helpers ---------------------------------------------------- */

static uint64_t rd_varint(struct ph_rd *r)
{
	uint8_t b = ph_rd_u8(r);
	unsigned n = 1u << (b >> 6);
	uint64_t v = b & 0x3f;
	for (unsigned i = 1; i < n; i++)
		v = (v << 8) | ph_rd_u8(r);
	return r->err ? 0 : v;
}

static void hex_cid(struct quic_mod *m, const uint8_t *p, size_t n,
		    char out[PH_QUIC_CID_HEX])
{
	static const char hx[] = "0123456789abcdef";
	if (n > PH_QUIC_CID_MAX) {
		n = PH_QUIC_CID_MAX;
		m->n.cid_cut++;
	}
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[p[i] >> 4];
		out[2 * i + 1] = hx[p[i] & 15];
	}
	out[2 * n] = 0;
}

static void copy_str(char *dst, size_t cap, const char *src, size_t n)
{
	if (n > cap - 1)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

static const char *version_name(uint32_t v, char buf[32])
{
	struct ph_quic_version_info vi;
	if (v == PH_QUIC_V2)
		return "2";
	if (ph_quic_version_lookup(v, &vi))
		return vi.zeek_name;
	if (ph_quic_is_gquic_version(v)) {
		buf[0] = (char)(v >> 24);
		buf[1] = (char)(v >> 16);
		buf[2] = (char)(v >> 8);
		buf[3] = (char)v;
		buf[4] = 0;
		return buf;
	}
	ph_quic_version_string(v, buf, 32);
	return buf;
}

static void emit(struct quic_mod *m, const struct ph_event *ev,
		 const struct ph_quic_initial *q)
{
	struct ph_event e = *ev;
	e.kind = PH_EV_QUIC;
	e.u.proto = q;
	m->env.emit(m->env.bus, &e);
}

/* ---- the Zeek record (QUIC::Info) ------------------------------------- */

static void add_history(struct quic_flow *f, bool orig, char letter)
{
	if (!f->has_session || f->hist_len >= PH_QUIC_HISTORY_LEN)
		return;
	char c = orig ? letter : (char)(letter - 'A' + 'a');
	f->rec.history[f->hist_len++] = c;
	f->rec.history[f->hist_len] = 0;
}

/* Zeek's set_session(). */
static void set_session(struct quic_mod *m, struct quic_flow *f,
			const struct ph_event *ev, const struct lhdr *h)
{
	bool orig = ev->dir == PH_DIR_ORIG;
	struct ph_quic_record *r = &f->rec;
	if (!f->has_session) {
		memset(r, 0, sizeof *r);
		r->ts_ns = ev->ts_ns;
		ph_quic_version_string(h->version, r->version,
				       sizeof r->version);
		f->version = h->version;
		f->has_session = true;
		f->hist_len = 0;
	}
	if (orig && h->dcid_len > 0 && !r->has_client_initial_dcid) {
		hex_cid(m, h->dcid, h->dcid_len, r->client_initial_dcid);
		r->has_client_initial_dcid = true;
	}
	if (orig) {
		hex_cid(m, h->scid, h->scid_len, r->client_scid);
		r->has_client_scid = true;
	} else {
		hex_cid(m, h->scid, h->scid_len, r->server_scid);
		r->has_server_scid = true;
	}
}

/* Zeek's log_record() followed by `delete c$quic`. */
static void log_record(struct quic_mod *m, struct quic_flow *f,
		       const struct ph_event *ev)
{
	if (!f->has_session)
		return;
	char vb[32];
	struct ph_quic_initial q = {
		.what = PH_QUIC_RECORD,
		.version = f->version,
		.version_name = version_name(f->version, vb),
		.gquic = ph_quic_is_gquic_version(f->version),
		.sni = f->rec.server_name,
		.alpn = f->rec.client_protocol,
		.ja4 = "",
		.rec = &f->rec,
	};
	m->n.records++;
	emit(m, ev, &q);
	f->has_session = false;
}

/* ---- the TLS view (PH_EV_TLS_* for ssl.log and detections) -------------- */

static void tls_hist(struct quic_tls *t, char c)
{
	size_t n = strnlen(t->hist, sizeof t->hist);
	if (n + 1 < sizeof t->hist) {
		t->hist[n] = c;
		t->hist[n + 1] = 0;
	}
}

static void tls_emit(struct quic_mod *m, const struct ph_event *ev,
		     enum ph_event_kind kind, const void *payload)
{
	struct ph_event e = *ev;
	e.kind = kind;
	e.u.proto = payload;
	m->env.emit(m->env.bus, &e);
}

static void tls_client(struct quic_mod *m, struct quic_flow *f,
		       const struct ph_event *ev, const struct ph_tls_hello *h)
{
	struct quic_tls *t = &f->tls;
	if (!t->saw_ch) {
		t->saw_ch = true;
		t->ts_ns = ev->ts_ns;
		t->client_psk = h->has_psk;
		memcpy(t->sni, h->sni, sizeof t->sni);
		memcpy(t->ja3, h->ja3_md5, sizeof t->ja3);
		memcpy(t->ja4, h->ja4, sizeof t->ja4);
	}
	tls_hist(t, ev->dir == PH_DIR_ORIG ? 'C' : 'c');
	tls_emit(m, ev, PH_EV_TLS_CLIENT_HELLO, h);
}

static void tls_server(struct quic_mod *m, struct quic_flow *f,
		       const struct ph_event *ev, const uint8_t *body,
		       uint32_t len)
{
	struct quic_tls *t = &f->tls;
	if (ph_tls_parse_server_hello(body, len, &m->hello) < 0) {
		m->n.hello_errors++;
		return;
	}
	ph_tls_hello_fingerprint(&m->hello, true);
	if (!t->saw_sh) {
		t->saw_sh = true;
		if (!t->ts_ns)
			t->ts_ns = ev->ts_ns;
		t->version = m->hello.version;
		t->cipher = m->hello.n_ciphers ? m->hello.ciphers[0] : 0;
		t->curve = m->hello.key_share_group;
		t->resumed = m->hello.has_psk && t->client_psk;
		memcpy(t->ja3s, m->hello.ja3_md5, sizeof t->ja3s);
		memcpy(t->ja4s, m->hello.ja4, sizeof t->ja4s);
	}
	tls_hist(t, ev->dir == PH_DIR_ORIG ? 'S' : 's');
	tls_emit(m, ev, PH_EV_TLS_SERVER_HELLO, &m->hello);
}

/* At the flow's end: the ssl.log summary, as Zeek logs QUIC's TLS. */
static void tls_done(struct quic_mod *m, const struct quic_flow *f,
		     const struct ph_event *ev)
{
	const struct quic_tls *t = &f->tls;
	if (!t->saw_ch && !t->saw_sh)
		return;
	struct ph_tls_session *s = &m->sess;
	char b[64];
	memset(s, 0, sizeof *s);
	s->saw_client_hello = t->saw_ch;
	s->saw_server_hello = t->saw_sh;
	s->version = t->version;
	s->cipher = t->cipher;
	s->curve = t->curve;
	if (t->saw_sh) {
		copy_str(s->version_name, sizeof s->version_name,
			 ph_tls_version_name(t->version, b, sizeof b),
			 strlen(ph_tls_version_name(t->version, b, sizeof b)));
		const char *c = ph_tls_cipher_name(t->cipher, b, sizeof b);
		copy_str(s->cipher_name, sizeof s->cipher_name, c, strlen(c));
		if (t->curve) {
			c = ph_tls_curve_name(t->curve, b, sizeof b);
			copy_str(s->curve_name, sizeof s->curve_name, c,
				 strlen(c));
		}
	}
	memcpy(s->server_name, t->sni, sizeof s->server_name);
	s->ts_ns = t->ts_ns;
	s->client_is_orig = true;
	s->resumed = t->resumed;
	s->last_alert = -1;
	s->sni_matches_cert = -1;
	memcpy(s->history, t->hist, sizeof t->hist);
	memcpy(s->ja3, t->ja3, sizeof s->ja3);
	memcpy(s->ja3s, t->ja3s, sizeof s->ja3s);
	memcpy(s->ja4, t->ja4, sizeof s->ja4);
	memcpy(s->ja4s, t->ja4s, sizeof s->ja4s);
	tls_emit(m, ev, PH_EV_TLS_DONE, s);
}

/* ---- CRYPTO stream ---------------------------------------------------- */

static void crypto_reset(struct crypto_dir *cd)
{
	free(cd->buf);
	memset(cd, 0, sizeof *cd);
	cd->largest_pn = UINT64_MAX;
}

/* Marks [off, off+n) present and advances contig. */
static void crypto_mark(struct crypto_dir *cd, uint32_t off, uint32_t n)
{
	uint8_t *bits = cd->buf + PH_QUIC_CRYPTO_CAP;
	for (uint32_t i = off; i < off + n; i++)
		bits[i >> 3] |= (uint8_t)(1u << (i & 7));
	while (cd->contig < PH_QUIC_CRYPTO_CAP &&
	       (bits[cd->contig >> 3] >> (cd->contig & 7)) & 1)
		cd->contig++;
}

static void client_hello_done(struct quic_mod *m, struct quic_flow *f,
			      const struct ph_event *ev,
			      struct ph_quic_initial *q)
{
	const uint8_t *b = f->cd[PH_DIR_ORIG].buf;
	uint32_t len = f->cd[PH_DIR_ORIG].need - 4;
	if (b[0] != 1) /* not a ClientHello: the SSL analyzer would balk */
		return;
	if (ph_tls_parse_client_hello(b + 4, len, &m->hello) < 0) {
		m->n.hello_errors++;
		return;
	}
	ph_tls_hello_fingerprint(&m->hello, true);
	m->n.hellos++;
	ph_conn_add_service(ev->conn, "ssl");
	add_history(f, true, 'S');
	struct ph_quic_record *r = &f->rec;
	if (f->has_session && m->hello.sni_len)
		copy_str(r->server_name, sizeof r->server_name, m->hello.sni,
			 m->hello.sni_len);
	if (f->has_session && m->hello.n_alpn)
		copy_str(r->client_protocol, sizeof r->client_protocol,
			 m->hello.alpn[0], m->hello.alpn_len[0]);
	q->hello = &m->hello;
	q->sni = m->hello.sni;
	q->alpn = m->hello.n_alpn ? m->hello.alpn[0] : "";
	q->ja4 = m->hello.ja4;
	tls_client(m, f, ev, &m->hello);
}

/* The direction's first handshake message is complete. */
static void crypto_complete(struct quic_mod *m, struct quic_flow *f,
			    const struct ph_event *ev, int dir,
			    struct ph_quic_initial *q)
{
	struct crypto_dir *cd = &f->cd[dir];
	if (dir == PH_DIR_ORIG) {
		client_hello_done(m, f, ev, q);
	} else if (cd->buf[0] == 2) { /* ServerHello: Zeek's ssl_server_hello */
		add_history(f, false, 'S');
		tls_server(m, f, ev, cd->buf + 4, cd->need - 4);
	}
	cd->finished = true;
	free(cd->buf);
	cd->buf = NULL;
}

static void crypto_in(struct quic_mod *m, struct quic_flow *f,
		      const struct ph_event *ev, uint64_t off,
		      const uint8_t *data, uint64_t n,
		      struct ph_quic_initial *q)
{
	struct crypto_dir *cd = &f->cd[ev->dir];
	if (cd->finished || n == 0)
		return;
	if (off >= PH_QUIC_CRYPTO_CAP || n > PH_QUIC_CRYPTO_CAP - off) {
		m->n.crypto_cap++;
		if (off >= PH_QUIC_CRYPTO_CAP)
			return;
		n = PH_QUIC_CRYPTO_CAP - off;
	}
	if (!cd->buf) {
		cd->buf = calloc(1, PH_QUIC_CRYPTO_CAP + PH_QUIC_CRYPTO_CAP / 8 + 1);
		if (!cd->buf) {
			m->n.alloc_failed++;
			cd->finished = true;
			return;
		}
	}
	memcpy(cd->buf + off, data, (size_t)n);
	crypto_mark(cd, (uint32_t)off, (uint32_t)n);
	if (!cd->need && cd->contig >= 4) {
		uint32_t l = (uint32_t)cd->buf[1] << 16 |
			     (uint32_t)cd->buf[2] << 8 | cd->buf[3];
		cd->need = l + 4;
		if (cd->need > PH_QUIC_CRYPTO_CAP) {
			m->n.crypto_cap++;
			crypto_reset(cd);
			cd->finished = true;
			return;
		}
	}
	if (cd->need && cd->contig >= cd->need)
		crypto_complete(m, f, ev, ev->dir, q);
}

/* ---- frames of a decrypted Initial ------------------------------------ */

static bool skip_ack(struct ph_rd *r, uint8_t type)
{
	rd_varint(r); /* largest acknowledged */
	rd_varint(r); /* delay */
	uint64_t ranges = rd_varint(r);
	rd_varint(r); /* first range */
	for (uint64_t i = 0; i < ranges && !r->err; i++) {
		rd_varint(r);
		rd_varint(r);
	}
	if (type == 0x03)
		for (int i = 0; i < 3; i++)
			rd_varint(r);
	return !r->err;
}

/* Parses the frames; false where Zeek's parser would throw. CONNECTION_CLOSE
 * ends the record (Zeek logs and starts a new one). */
static bool parse_frames(struct quic_mod *m, struct quic_flow *f,
			 const struct ph_event *ev, const uint8_t *p,
			 size_t n, struct ph_quic_initial *q)
{
	struct ph_rd r;
	ph_rd_init(&r, p, n);
	while (ph_rd_left(&r) > 0) {
		uint8_t t = ph_rd_u8(&r);
		if (t == 0x00) {
			while (ph_rd_left(&r) && *ph_rd_ptr(&r) == 0)
				r.off++;
		} else if (t == 0x01) {
			continue;
		} else if (t == 0x02 || t == 0x03) {
			if (!skip_ack(&r, t))
				return false;
		} else if (t == 0x06) {
			uint64_t off = rd_varint(&r), len = rd_varint(&r);
			const uint8_t *d = ph_rd_bytes(&r, (size_t)len);
			if (!d || len > n)
				return false;
			crypto_in(m, f, ev, off, d, len, q);
		} else if (t == 0x1c) {
			rd_varint(&r); /* error code */
			rd_varint(&r); /* frame type */
			uint64_t rl = rd_varint(&r);
			if (r.err || rl > n || !ph_rd_skip(&r, (size_t)rl))
				return false;
			add_history(f, ev->dir == PH_DIR_ORIG, 'C');
			log_record(m, f, ev);
		} else {
			return false;
		}
	}
	return !r.err;
}

/* ---- packets ----------------------------------------------------------- */

static void fill_packet_event(struct ph_quic_initial *q, struct quic_mod *m,
			      const struct ph_event *ev, const struct lhdr *h,
			      char vbuf[32])
{
	memset(q, 0, sizeof *q);
	q->what = PH_QUIC_PACKET;
	q->version = h->version;
	q->version_name = version_name(h->version, vbuf);
	q->from_client = ev->dir == PH_DIR_ORIG;
	q->dcid_len = h->dcid_len;
	q->scid_len = h->scid_len;
	hex_cid(m, h->dcid, h->dcid_len, q->dcid);
	hex_cid(m, h->scid, h->scid_len, q->scid);
	q->sni = q->alpn = q->ja4 = "";
}

/* Derives the Initial keys for the connection once (again after Retry). */
static bool ensure_keys(struct quic_mod *m, struct quic_flow *f,
			const struct lhdr *h, bool orig)
{
	if (!f->have_odcid) {
		if (!orig || h->dcid_len > PH_QUIC_CID_MAX)
			return false;
		memcpy(f->odcid, h->dcid, h->dcid_len);
		f->odcid_len = h->dcid_len;
		f->have_odcid = true;
	}
	if (f->have_keys && f->keys_version == h->version)
		return true;
	if (ph_quic_derive_initial(m->crypto, h->version, f->odcid,
				   f->odcid_len, f->keys) < 0)
		return false;
	f->have_keys = true;
	f->keys_version = h->version;
	return true;
}

/* A whole Initial packet at p (pn_off + length bytes). Returns false where
 * Zeek stops parsing the datagram (decryption or frame failure). */
static bool initial_packet(struct quic_mod *m, struct quic_flow *f,
			   const struct ph_event *ev, const uint8_t *p,
			   const struct lhdr *h)
{
	bool orig = ev->dir == PH_DIR_ORIG;
	struct crypto_dir *cd = &f->cd[ev->dir];
	m->n.initials++;
	set_session(m, f, ev, h);
	add_history(f, orig, 'I');
	char vbuf[32];
	struct ph_quic_initial q;
	fill_packet_event(&q, m, ev, h, vbuf);
	if (cd->finished || (!orig && !f->have_odcid)) {
		emit(m, ev, &q); /* Zeek's can_decrypt() is false */
		return true;
	}
	uint64_t pn;
	int n = -1;
	if (ensure_keys(m, f, h, orig))
		n = ph_quic_open(m->crypto, &f->keys[ev->dir], p, h->pn_off,
				 (size_t)h->length, cd->largest_pn, m->hdr,
				 sizeof m->hdr, m->plain, sizeof m->plain,
				 &pn);
	if (n < 0) {
		m->n.decrypt_failed++;
		emit(m, ev, &q);
		return false;
	}
	m->n.decrypted++;
	f->total_decrypted++;
	if (cd->largest_pn == UINT64_MAX || pn > cd->largest_pn)
		cd->largest_pn = pn;
	ph_conn_add_service(ev->conn, "quic");
	q.decrypted = true;
	bool ok = parse_frames(m, f, ev, m->plain, (size_t)n, &q);
	emit(m, ev, &q);
	return ok;
}

/* Zeek's reset_crypto() after a Retry. */
static void reset_crypto(struct quic_flow *f)
{
	crypto_reset(&f->cd[0]);
	crypto_reset(&f->cd[1]);
	f->have_odcid = false;
	f->have_keys = false;
}

/* Parses the long header at p; 0 and *h, or -1 when truncated. Unknown
 * versions get type -1 unless `as_v1` (gQUIC Q050/T05x: v1 layout). */
static int parse_lhdr(const uint8_t *p, size_t n, struct lhdr *h, bool as_v1)
{
	struct ph_rd r;
	ph_rd_init(&r, p, n);
	memset(h, 0, sizeof *h);
	h->b0 = ph_rd_u8(&r);
	h->version = ph_rd_be32(&r);
	h->dcid_len = ph_rd_u8(&r);
	h->dcid = ph_rd_bytes(&r, h->dcid_len);
	h->scid_len = ph_rd_u8(&r);
	h->scid = ph_rd_bytes(&r, h->scid_len);
	if (r.err)
		return -1;
	struct ph_quic_version_info vi;
	if (!ph_quic_version_lookup(h->version, &vi) && !as_v1) {
		h->type = -1; /* unhandled version */
		return 0;
	}
	int t = (h->b0 >> 4) & 3;
	if (vi.v2) /* RFC 9369 3.2: Retry 0, Initial 1, 0-RTT 2, Handshake 3 */
		t = t == 0 ? PT_RETRY : t - 1;
	h->type = t;
	if (t == PT_RETRY)
		return 0;
	if (t == PT_INITIAL) {
		uint64_t tl = rd_varint(&r);
		if (r.err || tl > n || !ph_rd_skip(&r, (size_t)tl))
			return -1;
	}
	h->length = rd_varint(&r);
	h->pn_off = r.off;
	if (r.err || h->length > ph_rd_left(&r))
		return -1;
	if (t == PT_INITIAL && h->length < 20)
		return -1; /* Zeek: &requires=length >= 20 */
	return 0;
}

/* One long-header packet at p: returns bytes consumed, or 0 to stop. */
static size_t long_packet(struct quic_mod *m, struct quic_flow *f,
			  const struct ph_event *ev, const uint8_t *p,
			  size_t n)
{
	struct lhdr h;
	bool orig = ev->dir == PH_DIR_ORIG;
	if (parse_lhdr(p, n, &h, false) < 0)
		return 0;
	if (h.type < 0) { /* Zeek's unhandled_version: one record, done */
		set_session(m, f, ev, &h);
		add_history(f, orig, 'U');
		/* peephole extension: gQUIC's cleartext CHLO SNI */
		memcpy(f->rec.server_name, f->gquic_sni, sizeof f->gquic_sni);
		log_record(m, f, ev);
		f->done = true;
		return 0;
	}
	if (h.type == PT_RETRY) {
		if (!f->has_session)
			set_session(m, f, ev, &h);
		add_history(f, orig, 'R');
		log_record(m, f, ev);
		reset_crypto(f);
		return 0;
	}
	size_t used = h.pn_off + (size_t)h.length;
	if (h.type == PT_INITIAL)
		return initial_packet(m, f, ev, p, &h) ? used : 0;
	set_session(m, f, ev, &h);
	add_history(f, orig, h.type == PT_HANDSHAKE ? 'H' : 'Z');
	return used;
}

static void short_packet(struct quic_flow *f, int dir)
{
	if (++f->short_total[dir] != f->short_next[dir])
		return;
	f->short_next[dir] *= 2;
	add_history(f, dir == PH_DIR_ORIG, 'O');
}

static void ietf_datagram(struct quic_mod *m, struct quic_flow *f,
			  const struct ph_event *ev)
{
	const uint8_t *p = ev->u.datagram.data;
	size_t n = ev->u.datagram.len, off = 0;
	while (off < n && !f->done) {
		uint8_t b0 = p[off];
		if (!(b0 & 0x40)) { /* fixed bit clear: Zeek discards */
			if (f->total_decrypted > 0 &&
			    ++f->total_discarded <= MAX_DISCARDED_EVENTS)
				add_history(f, ev->dir == PH_DIR_ORIG, 'X');
			return;
		}
		if (!(b0 & 0x80)) {
			short_packet(f, ev->dir);
			return;
		}
		size_t used = long_packet(m, f, ev, p + off, n - off);
		if (!used)
			return;
		off += used;
	}
}

/* ---- gQUIC -------------------------------------------------------------- */

/* A quic.log record for a gQUIC flow Zeek's analyzer would not see (old
 * public header, or not on port 443): version "unknown-<hex>" and history
 * "U" as Zeek writes for versions it does not know, the CID as
 * client_initial_dcid, the CHLO's SNI as server_name. */
static void gquic_record(struct quic_mod *m, struct quic_flow *f,
			 const struct ph_event *ev, const uint8_t *d,
			 size_t n, uint32_t v)
{
	struct lhdr h = {.version = v};
	if ((d[0] & 0xc0) != 0xc0 && n >= 9) {
		h.dcid = d + 1; /* public header: 8-byte connection ID */
		h.dcid_len = 8;
	}
	set_session(m, f, ev, &h);
	f->rec.has_client_scid = false;
	add_history(f, true, 'U');
	memcpy(f->rec.server_name, f->gquic_sni, sizeof f->gquic_sni);
	log_record(m, f, ev);
}

/* Q050/T05x client Initial: decrypts it with the version's salt and looks
 * for a CHLO in the plaintext (Q050; T05x carry TLS, not parsed here).
 * Returns what ph_gquic_chlo_sni returns, -1 when nothing was opened. */
static int gquic_protected_sni(struct quic_mod *m, struct quic_flow *f,
			       const uint8_t *d, size_t n)
{
	struct lhdr h;
	if (parse_lhdr(d, n, &h, true) < 0 || h.type != PT_INITIAL ||
	    h.dcid_len > PH_QUIC_CID_MAX)
		return -1;
	struct ph_quic_keys k[2];
	uint64_t pn;
	if (ph_quic_derive_initial(m->crypto, h.version, h.dcid, h.dcid_len,
				   k) < 0)
		return -1;
	int pl = ph_quic_open(m->crypto, &k[0], d, h.pn_off, (size_t)h.length,
			      UINT64_MAX, m->hdr, sizeof m->hdr, m->plain,
			      sizeof m->plain, &pn);
	if (pl < 0) {
		m->n.decrypt_failed++;
		return -1;
	}
	m->n.decrypted++;
	return ph_gquic_chlo_sni(m->plain, (size_t)pl, f->gquic_sni,
				 sizeof f->gquic_sni);
}

static void gquic_datagram(struct quic_mod *m, struct quic_flow *f,
			   const struct ph_event *ev)
{
	const uint8_t *d = ev->u.datagram.data;
	size_t n = ev->u.datagram.len;
	if (ev->dir != PH_DIR_ORIG)
		return;
	if (++f->gquic_seen >= GQUIC_SCAN_DGRAMS)
		f->gquic_done = true;
	uint32_t v = ph_gquic_version(d, n);
	char *sni = f->gquic_sni;
	if (!v)
		return;
	int r = (d[0] & 0xc0) == 0xc0 && ph_quic_gquic_protected(v)
			? gquic_protected_sni(m, f, d, n)
			: ph_gquic_chlo_sni(d, n, sni, sizeof f->gquic_sni);
	if (r < 0)
		return;
	char vbuf[32];
	struct ph_quic_initial q = {
		.what = PH_QUIC_PACKET,
		.version = v,
		.version_name = version_name(v, vbuf),
		.gquic = true,
		.from_client = true,
		.sni = sni,
		.alpn = "",
		.ja4 = "",
	};
	emit(m, ev, &q);
	f->gquic_done = true;
	if (!f->ietf)
		gquic_record(m, f, ev, d, n, v);
}

/* ---- flow life --------------------------------------------------------- */

/* Decides from the flow's first datagram whether it is QUIC. */
static struct quic_flow *classify(struct quic_mod *m,
				  const struct ph_event *ev)
{
	const uint8_t *d = ev->u.datagram.data;
	size_t n = ev->u.datagram.len;
	if (n < 7)
		return NULL;
	bool ietf = false, gquic = ph_gquic_version(d, n) != 0;
	if ((d[0] & 0xc0) == 0xc0) {
		struct ph_quic_version_info vi;
		uint32_t v = ph_be32(d + 1);
		/* unknown versions (gQUIC too) only where Zeek's analyzer
		 * runs by port: a quic.log record with history "U" */
		ietf = ph_quic_version_lookup(v, &vi) ||
		       ev->conn->resp_port == 443 || ev->conn->orig_port == 443;
	}
	if (!ietf && !gquic)
		return NULL;
	struct quic_flow *f = calloc(1, sizeof *f);
	if (!f) {
		m->n.alloc_failed++;
		return NULL;
	}
	f->ietf = ietf;
	f->gquic = gquic;
	f->short_next[0] = f->short_next[1] = 1;
	f->cd[0].largest_pn = f->cd[1].largest_pn = UINT64_MAX;
	m->n.flows++;
	if (gquic)
		m->n.gquic_flows++;
	return f;
}

static void flow_end(struct quic_mod *m, void **slot,
		     const struct ph_event *ev)
{
	struct quic_flow *f = *slot;
	if (f == NULL || *slot == NOT_MINE) {
		*slot = NULL;
		return;
	}
	log_record(m, f, ev); /* Zeek's finalize_quic hook */
	tls_done(m, f, ev);
	crypto_reset(&f->cd[0]);
	crypto_reset(&f->cd[1]);
	free(f);
	*slot = NULL;
}

static void quic_on_event(void *state, const struct ph_event *ev)
{
	struct quic_mod *m = state;
	if (!ev->slots)
		return;
	void **slot = &ev->slots[PH_SLOT_QUIC];
	if (ev->kind == PH_EV_FLOW_END) {
		flow_end(m, slot, ev);
		return;
	}
	if (ev->kind != PH_EV_DATAGRAM || *slot == NOT_MINE ||
	    ev->u.datagram.len == 0)
		return;
	struct quic_flow *f = *slot;
	if (!f) {
		f = classify(m, ev);
		*slot = f ? (void *)f : NOT_MINE;
		if (!f)
			return;
	}
	if (f->gquic && !f->gquic_done)
		gquic_datagram(m, f, ev);
	if (f->ietf && !f->done)
		ietf_datagram(m, f, ev);
}

/* ---- module ------------------------------------------------------------- */

static int quic_init(const struct ph_module_env *env, void **state,
		     struct ph_err *err)
{
	struct quic_mod *m = calloc(1, sizeof *m);
	if (!m)
		return ph_err_set(err, PH_ENOMEM, "quic: out of memory");
	m->env = *env;
	m->crypto = ph_quic_crypto_new();
	if (!m->crypto) {
		free(m);
		return ph_err_set(err, PH_ENOMEM,
				  "quic: OpenSSL HKDF/AES unavailable");
	}
	*state = m;
	return PH_OK;
}

static unsigned quic_counters(const void *state, struct ph_module_counter *o,
			      unsigned max)
{
	const struct quic_mod *m = state;
	const struct ph_module_counter c[] = {
		{"quic_flows", m->n.flows},
		{"quic_gquic_flows", m->n.gquic_flows},
		{"quic_initial_packets", m->n.initials},
		{"quic_initial_decrypted", m->n.decrypted},
		{"quic_decrypt_failed", m->n.decrypt_failed},
		{"quic_client_hellos", m->n.hellos},
		{"quic_client_hello_errors", m->n.hello_errors},
		{"quic_crypto_cap_hit", m->n.crypto_cap},
		{"quic_cid_truncated", m->n.cid_cut},
		{"quic_records", m->n.records},
		{"quic_alloc_failed", m->n.alloc_failed},
	};
	unsigned k = 0;
	for (; k < max && k < sizeof c / sizeof c[0]; k++)
		o[k] = c[k];
	return k;
}

static void quic_destroy(void *state)
{
	struct quic_mod *m = state;
	if (!m)
		return;
	ph_quic_crypto_free(m->crypto);
	free(m);
}

const struct ph_module ph_quic_module = {
	.name = "quic",
	.summary = "QUIC v1/v2 Initial decryption, ClientHello (SNI, ALPN, "
		   "JA4), gQUIC labels",
	.mask = PH_EV_DATAGRAM | PH_EV_FLOW_END,
	.init = quic_init,
	.on_event = quic_on_event,
	.finish = NULL,
	.counters = quic_counters,
	.destroy = quic_destroy,
};
