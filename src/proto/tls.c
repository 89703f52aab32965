/* TLS over TCP (ph_tls_module): detects TLS by content on any port (the
 * first stream bytes of a flow are a handshake record header, 16 03
 * 00..04, or an SSLv2-compatible ClientHello; or one of the next
 * PH_TLS_PROBE_MAX chunks starts a ClientHello/ServerHello record, for
 * STARTTLS, CONNECT and SOCKS), then follows the record layer in both directions (RFC 8446 5.1,
 * RFC 5246 6.2) and reassembles cleartext handshake messages across
 * records and segments (cap PH_TLS_MSG_MAX per message; bigger ones are
 * skipped and counted). Emits ClientHello/ServerHello (with JA3/JA4),
 * one PH_EV_TLS_CERT per certificate (x509.c; at most PH_TLS_MAX_CHAIN
 * per message) and PH_EV_TLS_DONE once: when the handshake is established
 * or at flow end. Once established the flow's state is freed; after
 * that, or after a gap or a malformed record, a segment costs one pointer
 * test. Session facts follow Zeek's
 * base/protocols/ssl scripts (history letters, resumption, established). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peephole/module.h"
#include "peephole/proto_tls.h"
#include "proto/tls_hello.h"
#include "proto/tls_int.h"
#include "proto/tls_names.h"
#include "proto/x509.h"
#include "util/rd.h"

/* The slot value of flows that are not TLS (never freed). */
static const char not_tls_sentinel;
#define NOT_TLS ((void *)&not_tls_sentinel)

enum { CT_CCS = 20, CT_ALERT = 21, CT_HANDSHAKE = 22, CT_APPDATA = 23,
       CT_HEARTBEAT = 24 };

static const uint8_t hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c,
	0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb,
	0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

bool ph_tls_looks_like_record(const uint8_t *p, size_t n)
{
	return n >= 3 && p[0] == CT_HANDSHAKE && p[1] == 3 && p[2] <= 4;
}

/* Any record header (to find the peer's first record). */
static bool looks_record_any(const uint8_t *p, size_t n)
{
	/* a chunk shorter than 3 bytes passes on its prefix; record_start()
	 * checks the whole header */
	return n >= 1 && p[0] >= CT_CCS && p[0] <= CT_HEARTBEAT &&
	       (n < 2 || p[1] == 3) && (n < 3 || p[2] <= 4);
}

static void add_history(struct ph_tls_flow *f, enum ph_dir dir, char c)
{
	struct ph_tls_session *s = &f->s;
	size_t n = strnlen(s->history, sizeof s->history);
	if (n >= sizeof s->history - 1)
		return;
	bool client = (dir == PH_DIR_ORIG) == s->client_is_orig;
	s->history[n] = client ? (char)(c - 'a' + 'A') : c;
	s->history[n + 1] = '\0';
}

static void emit(struct ph_tls_mod *m, const struct ph_event *src,
		 enum ph_event_kind kind, const void *payload)
{
	struct ph_event ev = *src;
	ev.kind = kind;
	ev.u.proto = payload;
	m->env.emit(m->env.bus, &ev);
}

static void emit_done(struct ph_tls_mod *m, struct ph_tls_flow *f,
		      const struct ph_event *src)
{
	if (f->done_emitted || !f->s.ts_ns)
		return;
	f->done_emitted = true;
	m->c.sessions++;
	emit(m, src, PH_EV_TLS_DONE, &f->s);
}

static void on_client_hello(struct ph_tls_mod *m, struct ph_tls_flow *f,
			    const struct ph_event *ev, const uint8_t *b,
			    uint32_t n)
{
	struct ph_tls_hello *h = &m->hello;
	if (ph_tls_parse_client_hello(b, n, h) < 0) {
		m->c.hello_malformed++;
		return;
	}
	ph_tls_hello_fingerprint(h, false);
	m->c.client_hellos++;
	struct ph_tls_session *s = &f->s;
	if (!s->saw_client_hello) {
		s->saw_client_hello = true;
		memcpy(s->server_name, h->sni, sizeof s->server_name);
		memcpy(s->ja3, h->ja3_md5, sizeof s->ja3);
		memcpy(s->ja4, h->ja4, sizeof s->ja4);
	}
	f->sid_len = h->session_id_len;
	memcpy(f->sid, h->session_id, sizeof f->sid);
	bool zero_sid = true;
	for (unsigned i = 0; i < h->session_id_len; i++)
		zero_sid &= h->session_id[i] == 0;
	f->ticket_empty_sid = h->session_ticket_len > 0 &&
			      (h->session_id_len == 0 || zero_sid);
	f->client_psk = h->has_psk;
	ph_conn_add_service(ev->conn, "ssl");
	emit(m, ev, PH_EV_TLS_CLIENT_HELLO, h);
}

/* NUL-terminated copy of src into dst[cap], cut to fit (what
 * snprintf("%s") did, without its cost on every handshake). */
static void copy_name(char *dst, size_t cap, const char *src)
{
	size_t n = strnlen(src, cap - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void set_names(struct ph_tls_session *s)
{
	char b[24];
	const char *v = ph_tls_version_name(s->version, b, sizeof b);
	copy_name(s->version_name, sizeof s->version_name, v);
	v = ph_tls_cipher_name(s->cipher, b, sizeof b);
	copy_name(s->cipher_name, sizeof s->cipher_name, v);
}

static void set_curve(struct ph_tls_session *s, uint16_t g)
{
	char b[24];
	s->curve = g;
	copy_name(s->curve_name, sizeof s->curve_name,
		  ph_tls_curve_name(g, b, sizeof b));
}

static void on_server_hello(struct ph_tls_mod *m, struct ph_tls_flow *f,
			    const struct ph_event *ev, const uint8_t *b,
			    uint32_t n, enum ph_dir dir)
{
	struct ph_tls_hello *h = &m->hello;
	if (ph_tls_parse_server_hello(b, n, h) < 0) {
		m->c.hello_malformed++;
		add_history(f, dir, 's');
		return;
	}
	ph_tls_hello_fingerprint(h, false);
	m->c.server_hellos++;
	struct ph_tls_session *s = &f->s;
	bool hrr = memcmp(h->random, hrr_random, 32) == 0;
	add_history(f, dir, hrr ? 'j' : 's');
	s->saw_server_hello = true;
	s->version = h->version;
	s->cipher = h->ciphers[0];
	set_names(s);
	memcpy(s->ja3s, h->ja3_md5, sizeof s->ja3s);
	memcpy(s->ja4s, h->ja4, sizeof s->ja4s);
	if (h->n_alpn)
		memcpy(s->next_protocol, h->alpn[0], sizeof s->next_protocol);
	if (h->key_share_group)
		set_curve(s, h->key_share_group);
	if (f->sid_len && f->sid_len == h->session_id_len &&
	    !memcmp(f->sid, h->session_id, f->sid_len) &&
	    s->version != 0x0304 && s->version / 0xff != 0x7f)
		s->resumed = true;
	if (h->has_psk && f->client_psk)
		s->resumed = true;
	f->tls13 = s->version == 0x0304 || s->version / 0xff == 0x7f;
	ph_conn_add_service(ev->conn, "ssl");
	emit(m, ev, PH_EV_TLS_SERVER_HELLO, h);
}

/* ServerKeyExchange of an ECDHE suite: curve_type 3 (named) + group. */
static void on_server_kex(struct ph_tls_flow *f, const uint8_t *b, uint32_t n)
{
	if (!f->s.saw_server_hello || !ph_tls_cipher_is_ecdhe(f->s.cipher))
		return;
	if (n >= 3 && b[0] == 3)
		set_curve(&f->s, ph_be16(b + 1));
}

/* One complete handshake message (body b, n bytes; b NULL if skipped). */
static void on_message(struct ph_tls_mod *m, struct ph_tls_flow *f,
		       const struct ph_event *ev, enum ph_dir dir,
		       uint8_t type, const uint8_t *b, uint32_t n)
{
	static const char letters[256] = {
		[0] = 'h', [3] = 'v', [4] = 't', [5] = 'e', [6] = 'j',
		[8] = 'o', [11] = 'x', [12] = 'k', [13] = 'r', [14] = 'n',
		[15] = 'y', [16] = 'g', [20] = 'f', [21] = 'w', [22] = 'u',
		[23] = 'a', [24] = 'p', [254] = 'm'};
	if (!f->s.ts_ns)
		f->s.ts_ns = ev->ts_ns;
	if (type == 1 && !f->s.saw_client_hello && !f->s.history[0])
		f->s.client_is_orig = dir == PH_DIR_ORIG;
	if (type == 2) {
		if (b)
			on_server_hello(m, f, ev, b, n, dir);
		else
			add_history(f, dir, 's');
		return;
	}
	add_history(f, dir, type == 1 ? 'c' : letters[type] ? letters[type] : 'z');
	if (!b)
		return;
	bool client = (dir == PH_DIR_ORIG) == f->s.client_is_orig;
	switch (type) {
	case 1: on_client_hello(m, f, ev, b, n); break;
	case 11:
		if (!f->tls13)
			ph_tls_on_certificates(m, f, ev, b, n, client);
		break;
	case 12: on_server_kex(f, b, n); break;
	case 16:
		if (client)
			f->client_kex = true;
		break;
	default: break;
	}
}

/* Makes room for a message of len bytes (<= PH_TLS_MSG_MAX). */
static bool msg_reserve(struct ph_tls_dir *d, uint32_t len)
{
	if (len <= d->msg_cap)
		return true;
	uint32_t cap = d->msg_cap ? d->msg_cap : 1024;
	while (cap < len)
		cap *= 2;
	if (cap > PH_TLS_MSG_MAX)
		cap = PH_TLS_MSG_MAX;
	uint8_t *p = realloc(d->msg, cap);
	if (!p)
		return false;
	d->msg = p;
	d->msg_cap = cap;
	return true;
}

/* Cleartext handshake record bytes: split into messages. */
static void handshake_bytes(struct ph_tls_mod *m, struct ph_tls_flow *f,
			    const struct ph_event *ev, enum ph_dir dir,
			    const uint8_t *p, uint32_t n)
{
	struct ph_tls_dir *d = &f->d[dir];
	while (n) {
		if (d->hs_have < 4) {
			d->hs_hdr[d->hs_have++] = *p++;
			n--;
			if (d->hs_have < 4)
				continue;
			d->hs_len = ((uint32_t)d->hs_hdr[1] << 16) |
				    ((uint32_t)d->hs_hdr[2] << 8) | d->hs_hdr[3];
			d->hs_got = 0;
			d->hs_skip = d->hs_len > PH_TLS_MSG_MAX ||
				     !msg_reserve(d, d->hs_len);
			if (d->hs_skip)
				m->c.msg_too_big++;
		} else {
			uint32_t take = d->hs_len - d->hs_got;
			if (take > n)
				take = n;
			if (!d->hs_skip)
				memcpy(d->msg + d->hs_got, p, take);
			d->hs_got += take;
			p += take;
			n -= take;
		}
		if (d->hs_have == 4 && d->hs_got == d->hs_len) {
			d->hs_have = 0;
			on_message(m, f, ev, dir, d->hs_hdr[0],
				   d->hs_skip ? NULL : d->msg, d->hs_len);
		}
	}
}

static void alert_bytes(struct ph_tls_flow *f, enum ph_dir dir,
			const uint8_t *p, uint32_t n)
{
	struct ph_tls_dir *d = &f->d[dir];
	for (uint32_t i = 0; i < n; i++) {
		d->alert[d->alert_have++] = p[i];
		if (d->alert_have < 2)
			continue;
		d->alert_have = 0;
		char b[24];
		f->s.last_alert_level = d->alert[0];
		f->s.last_alert = d->alert[1];
		snprintf(f->s.last_alert_name, sizeof f->s.last_alert_name,
			 "%s", ph_tls_alert_name(d->alert[1], b, sizeof b));
		add_history(f, dir, 'l');
	}
}

/* A heartbeat record header in cleartext: counted per direction. */
static void heartbeat_start(struct ph_tls_flow *f, struct ph_tls_dir *d,
			    enum ph_dir dir)
{
	if (f->s.heartbeats[dir] < UINT16_MAX)
		f->s.heartbeats[dir]++;
	if (d->rec_left > f->s.heartbeat_max_len[dir])
		f->s.heartbeat_max_len[dir] = (uint16_t)d->rec_left;
	d->hb_have = 0;
	d->hb_rec_len = d->rec_left;
}

/* Heartbeat body: a request (type 1) whose payload_length does not fit
 * its record with the 16 bytes of padding RFC 6520 requires asks the
 * peer to send back memory it never received (Heartbleed). */
static void heartbeat_bytes(struct ph_tls_flow *f, struct ph_tls_dir *d,
			    enum ph_dir dir, const uint8_t *p, uint32_t n)
{
	while (n && d->hb_have < 3)
		d->hb[d->hb_have++] = *p++, n--;
	if (d->hb_have != 3)
		return;
	d->hb_have = 4; /* judged once per record */
	uint32_t claimed = ph_be16(d->hb + 1);
	if (d->hb[0] == 1 && claimed + 3u + 16u > d->hb_rec_len &&
	    !f->s.heartbeat_overclaim) {
		f->s.heartbeat_overclaim = true;
		f->s.heartbeat_overclaim_dir = (uint8_t)dir;
	}
}

/* A record header completed: validate, update states and letters. */
static bool record_start(struct ph_tls_mod *m, struct ph_tls_flow *f,
			 const struct ph_event *ev, enum ph_dir dir)
{
	struct ph_tls_dir *d = &f->d[dir], *o = &f->d[!dir];
	d->rec_type = d->hdr[0];
	d->rec_left = ph_be16(d->hdr + 3);
	if (d->rec_type < CT_CCS || d->rec_type > 26 || d->hdr[1] != 3 ||
	    d->rec_left > PH_TLS_RECORD_MAX) {
		m->c.records_malformed++;
		return false;
	}
	if (!f->s.ts_ns)
		f->s.ts_ns = ev->ts_ns;
	if (d->rec_type == CT_APPDATA)
		d->encrypted = true;
	if (d->encrypted && o->encrypted && d->rec_type != CT_CCS &&
	    !f->s.established) {
		f->s.established = true;
		emit_done(m, f, ev);
		return false; /* stop: nothing cleartext comes after this */
	}
	if (d->rec_type == CT_CCS) {
		add_history(f, dir, 'i');
		bool client = (dir == PH_DIR_ORIG) == f->s.client_is_orig;
		if (client && f->ticket_empty_sid && !f->client_kex)
			f->s.resumed = true;
	} else if (d->rec_type == CT_HEARTBEAT) {
		add_history(f, dir, 'b');
		heartbeat_start(f, d, dir);
	}
	d->alert_have = 0;
	return true;
}

/* Record body bytes of the current record. */
static void record_body(struct ph_tls_mod *m, struct ph_tls_flow *f,
			const struct ph_event *ev, enum ph_dir dir,
			const uint8_t *p, uint32_t n)
{
	struct ph_tls_dir *d = &f->d[dir];
	if (d->rec_type == 0 || (d->encrypted && d->rec_type != CT_CCS))
		return;
	if (d->rec_type == CT_HANDSHAKE)
		handshake_bytes(m, f, ev, dir, p, n);
	else if (d->rec_type == CT_ALERT)
		alert_bytes(f, dir, p, n);
	else if (d->rec_type == CT_HEARTBEAT && d->hb_have < 4)
		heartbeat_bytes(f, d, dir, p, n);
}

/* Runs the record layer over one in-order chunk of one direction.
 * Returns false when the direction can no longer be followed. */
static bool records(struct ph_tls_mod *m, struct ph_tls_flow *f,
		    const struct ph_event *ev, const uint8_t *p, uint32_t n)
{
	enum ph_dir dir = ev->dir;
	struct ph_tls_dir *d = &f->d[dir];
	while (n) {
		if (d->rec_left == 0 && d->hdr_have < 5) {
			uint32_t take = 5 - d->hdr_have;
			if (take > n)
				take = n;
			memcpy(d->hdr + d->hdr_have, p, take);
			d->hdr_have = (uint8_t)(d->hdr_have + take);
			p += take;
			n -= take;
			if (d->hdr_have < 5)
				break;
			d->hdr_have = 0;
			if (!record_start(m, f, ev, dir))
				return false;
			if (d->rec_type == CT_CCS)
				d->ccs_pending = true;
			continue;
		}
		uint32_t take = d->rec_left < n ? d->rec_left : n;
		record_body(m, f, ev, dir, p, take);
		d->rec_left -= take;
		p += take;
		n -= take;
		if (d->rec_left == 0 && d->ccs_pending) {
			d->ccs_pending = false;
			d->encrypted = true;
		}
	}
	return true;
}

static void flow_free(struct ph_tls_flow *f)
{
	free(f->d[0].msg);
	free(f->d[1].msg);
	free(f);
}

static struct ph_tls_flow *flow_new(struct ph_tls_mod *m,
				    const struct ph_event *ev)
{
	struct ph_tls_flow *f = calloc(1, sizeof *f);
	if (!f) {
		m->c.alloc_failed++;
		return NULL;
	}
	f->s.client_is_orig = ev->dir == PH_DIR_ORIG;
	f->s.last_alert = -1;
	f->s.sni_matches_cert = -1;
	m->c.flows++;
	return f;
}

/* Slot values of flows still being probed: &probe[i] after i+1 stream
 * chunks that did not start a TLS handshake (no allocation). */
static const char probe[PH_TLS_PROBE_MAX];

static bool is_probe(const void *slot)
{
	return (const char *)slot >= probe &&
	       (const char *)slot < probe + PH_TLS_PROBE_MAX;
}

/* SSLv2-compatible ClientHello (RFC 5246 E.2): 2-byte header with the top
 * bit set, msg_type 1, version 0x0002 or 0x03xx. Returns its length. */
static uint32_t sslv2_hello_len(const uint8_t *p, size_t n)
{
	if (n < 5 || !(p[0] & 0x80) || p[2] != 1 ||
	    !((p[3] == 0 && p[4] == 2) || (p[3] == 3 && p[4] <= 4)))
		return 0;
	return 2u + (((uint32_t)p[0] & 0x7f) << 8 | p[1]);
}

/* Where a stream may turn into TLS: the very first chunk may start any
 * handshake record; later chunks (STARTTLS, HTTP CONNECT, SOCKS, RDP)
 * must start a ClientHello or ServerHello record. */
static bool starts_tls(const uint8_t *p, size_t n, bool first)
{
	if (first && n < 3) /* tiny first segment: the record check decides */
		return n >= 1 && p[0] == CT_HANDSHAKE && (n < 2 || p[1] == 3);
	if (!ph_tls_looks_like_record(p, n))
		return first && sslv2_hello_len(p, n) != 0;
	return first || (n >= 6 && (p[5] == 1 || p[5] == 2));
}

/* Decides whether a flow's chunk starts TLS; sets up the flow or the
 * probe count. Returns the flow, or NULL (not TLS, or not yet). */
static struct ph_tls_flow *detect(struct ph_tls_mod *m,
				  const struct ph_event *ev, void **slot)
{
	const uint8_t *p = ev->u.stream.data;
	uint32_t n = ev->u.stream.len;
	bool first = *slot == NULL;
	if (ev->conn->proto != 6) {
		*slot = NOT_TLS;
		return NULL;
	}
	if (!starts_tls(p, n, first)) {
		const char *next = first ? probe : (const char *)*slot + 1;
		*slot = next < probe + PH_TLS_PROBE_MAX ? (void *)next : NOT_TLS;
		return NULL;
	}
	struct ph_tls_flow *f = flow_new(m, ev);
	*slot = f ? (void *)f : NOT_TLS;
	if (!f)
		return NULL;
	f->d[!ev->dir].await_sync = true;
	uint32_t v2 = first ? sslv2_hello_len(p, n) : 0;
	if (v2) { /* skip the v2 record; the answer comes as TLS records */
		f->d[ev->dir].rec_left = v2;
		f->d[ev->dir].rec_type = 0;
		f->s.ts_ns = ev->ts_ns;
		add_history(f, ev->dir, 'c');
	}
	if (!first)
		m->c.midstream++;
	return f;
}

static void on_stream(struct ph_tls_mod *m, const struct ph_event *ev)
{
	void **slot = &ev->slots[PH_SLOT_TLS];
	if (*slot == NOT_TLS)
		return;
	struct ph_tls_flow *f = *slot;
	if (!f || is_probe(f)) {
		if (!(f = detect(m, ev, slot)))
			return;
	}
	struct ph_tls_dir *d = &f->d[ev->dir];
	if (d->broken)
		return;
	if (d->await_sync) {
		if (!looks_record_any(ev->u.stream.data,
					     ev->u.stream.len))
			return;
		d->await_sync = false;
	}
	if (!records(m, f, ev, ev->u.stream.data, ev->u.stream.len)) {
		if (!f->s.established) {
			d->broken = true;
			return;
		}
		/* DONE is out and nothing cleartext follows: free the state
		 * now, so long connections hold no TLS memory */
		flow_free(f);
		*slot = NOT_TLS;
	}
}

static void on_event(void *state, const struct ph_event *ev)
{
	struct ph_tls_mod *m = state;
	if (!ev->slots)
		return;
	void **slot = &ev->slots[PH_SLOT_TLS];
	switch (ev->kind) {
	case PH_EV_STREAM:
		on_stream(m, ev);
		break;
	case PH_EV_GAP:
		if (*slot && *slot != NOT_TLS && !is_probe(*slot)) {
			((struct ph_tls_flow *)*slot)->d[ev->dir].broken = true;
			m->c.gaps++;
		}
		break;
	case PH_EV_FLOW_END:
		if (*slot && *slot != NOT_TLS && !is_probe(*slot)) {
			emit_done(m, *slot, ev);
			flow_free(*slot);
		}
		*slot = NULL;
		break;
	default:
		break;
	}
}

static int tls_init(const struct ph_module_env *env, void **state,
		    struct ph_err *err)
{
	struct ph_tls_mod *m = calloc(1, sizeof *m);
	if (!m)
		return ph_err_set(err, PH_ENOMEM, "tls: out of memory");
	m->env = *env;
	/* A fixed key: the cache compares the DER bytes, so a crafted
	 * collision only costs a re-parse. */
	static const uint8_t key[16] = "peephole-x509-c";
	ph_x509_cache_init(&m->certs, key);
	*state = m;
	return PH_OK;
}

static unsigned tls_counters(const void *state, struct ph_module_counter *out,
			     unsigned max)
{
	const struct ph_tls_mod *m = state;
	const struct ph_module_counter all[] = {
		{"tls_flows", m->c.flows},
		{"tls_sessions", m->c.sessions},
		{"tls_client_hellos", m->c.client_hellos},
		{"tls_server_hellos", m->c.server_hellos},
		{"tls_certs", m->c.certs},
		{"tls_hello_malformed", m->c.hello_malformed},
		{"tls_records_malformed", m->c.records_malformed},
		{"tls_msg_too_big", m->c.msg_too_big},
		{"tls_chain_capped", m->c.chain_capped},
		{"tls_cert_too_big", m->c.cert_too_big},
		{"tls_cert_unparsed", m->c.cert_unparsed},
		{"tls_gaps", m->c.gaps},
		{"tls_midstream", m->c.midstream},
		{"tls_alloc_failed", m->c.alloc_failed},
		{"x509_cache_hits", m->certs.hits},
		{"x509_cache_misses", m->certs.misses},
	};
	unsigned n = 0;
	for (unsigned i = 0; i < sizeof all / sizeof all[0] && n < max; i++)
		out[n++] = all[i];
	return n;
}

static void tls_destroy(void *state)
{
	struct ph_tls_mod *m = state;
	if (m)
		ph_x509_cache_free(&m->certs);
	free(m);
}

const struct ph_module ph_tls_module = {
	.name = "tls",
	.summary = "TLS record layer, hellos (JA3/JA4), certificates",
	.mask = PH_EV_STREAM | PH_EV_GAP | PH_EV_FLOW_END,
	.init = tls_init,
	.on_event = on_event,
	.finish = NULL,
	.counters = tls_counters,
	.destroy = tls_destroy,
};
