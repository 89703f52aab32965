/* Detection "pii": personal identifiers leaving the device in cleartext
 * (issue #7). The user's identifiers (include/peephole/identifiers.h) in
 * all their encoded forms, plus generic IMEI / MAC / e-mail / coordinate
 * patterns (option generic), are searched with Hyperscan (pii_scan.c) in
 * every cleartext byte the device sends: TCP in stream mode per flow
 * (device direction; the stream opens on the first data and lives in the
 * flow's slot PH_SLOT_PII with a 192-byte tail for context, closed at
 * FLOW_END), UDP payloads, DNS query names and TLS/QUIC SNI in block mode.
 * TLS and QUIC connections are not searched past the ClientHello (their
 * bytes are counted as not inspected). The device's DHCP host name (up to
 * PII_HOSTS strings) is looked for with memmem, since a Hyperscan
 * database cannot grow during a run. Caps: bytes scanned per flow
 * (max_scan_bytes), live streams (max_streams), matches handled per scan
 * call (PII_HITS); overflow is counted. Wording in pii_text.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "detect/pii_scan.h"
#include "peephole/dns_map.h"
#include "peephole/identifiers.h"
#include "peephole/proto_dhcp.h"
#include "peephole/proto_dns.h"
#include "peephole/proto_http.h"
#include "peephole/proto_quic.h"
#include "peephole/proto_tls.h"

extern const struct ph_module ph_pii_module;

#define PII_TAIL 192u   /* bytes of a flow kept for context across chunks */
#define PII_HITS 64u    /* matches handled per scan call */
#define PII_HOSTS 4u    /* DHCP host names looked for */
#define PII_DEVMACS 8u  /* device MACs remembered */
#define PII_WIN 448u    /* window assembled around a match */

struct pii_flow {
	struct pii_stream *hs;  /* NULL until the first data */
	uint64_t base;          /* stream offset (Hyperscan's) of the next byte */
	uint64_t total;         /* device bytes scanned in this flow */
	uint8_t tail[PII_TAIL];
	uint32_t ntail;
	bool encrypted, capped, refused;
	bool zbody;             /* the request body coming is compressed */
	struct pii_inflate *zi; /* its inflater while it arrives, or NULL */
	char host[96];          /* HTTP Host, "" */
};

struct pii_host {
	char s[64];
	size_t len;
};

struct pii_state {
	struct ph_detect_base base;
	const struct ph_identifiers *ids;
	const struct ph_dns_map *map;
	bool show, generic;
	struct ph_ident_form *forms;
	size_t nforms;
	unsigned locs[PH_IDENT_MAX], nlocs;
	struct pii_scan *scan;
	uint64_t max_bytes;
	unsigned max_streams, live;
	struct pii_host hosts[PII_HOSTS];
	unsigned nhosts;
	uint8_t devmacs[PII_DEVMACS][6];
	unsigned ndevmacs;
	char encrypted_marker;  /* slot value of a TLS/QUIC/SSH flow */
	struct {
		unsigned id;
		uint64_t to;
	} hit[PII_HITS];        /* matches of the scan call in progress */
	unsigned max_inflaters, live_inflaters;
	uint64_t zbodies, zbytes, zrefused, zbad;
	uint64_t flows, bytes, datagrams, names, snis, over_cap, refused,
		refused_bytes, tls, quic, ssh, enc_bytes, matches, rejected,
		hits_dropped, name_hidden;
};

/* One scan call: where the bytes came from and the matches found. */
struct pii_scan_ctx {
	struct pii_state *st;
	const struct ph_event *ev;
	int side;
	enum pii_chan ch;
	const uint8_t *data;    /* the bytes scanned (may be NULL at close) */
	size_t len;
	uint64_t base;          /* scan offset of data[0] */
	const uint8_t *tail;    /* bytes just before data[0] */
	size_t ntail;
	const char *host;
	unsigned nhit;          /* matches in st->hit */
};

static const struct ph_module_option pii_options[] = {
	{"generic", 1, 0, 1, "bool", "also look for IMEI-like numbers, MAC "
	 "and e-mail addresses, coordinates and the device's host name "
	 "(lower confidence)"},
	{"max_scan_bytes", 16777216, 0, 1e12, "bytes",
	 "device bytes searched per TCP flow (the rest is counted)"},
	{"max_streams", 65536, 1, 1e7, "count",
	 "TCP flows searched at the same time (more are counted, skipped)"},
	{"max_inflaters", 64, 0, 65536, "count",
	 "gzip/deflate request bodies inflated at the same time (256 KiB "
	 "each; more are counted, searched compressed)"},
	{NULL, 0, 0, 0, NULL, NULL},
};

/* ---- matches ---- */

static int on_hit(unsigned id, uint64_t to, void *user)
{
	struct pii_scan_ctx *c = user;
	c->st->matches++;
	if (c->nhit >= PII_HITS) {
		c->st->hits_dropped++;
		return 0;
	}
	c->st->hit[c->nhit].id = id;
	c->st->hit[c->nhit++].to = to;
	return 0;
}

/* The up to `want` bytes ending at scan offset `end`, from the tail and
 * the data; *n gets the length. May copy into buf (PII_WIN bytes). */
static const uint8_t *window(const struct pii_scan_ctx *c, uint64_t end,
			     size_t want, uint8_t *buf, size_t *n)
{
	if (want > PII_WIN)
		want = PII_WIN;
	size_t in_data = end > c->base ? (size_t)(end - c->base) : 0;
	if (in_data > c->len)
		in_data = c->len;
	size_t behind = end < c->base ? (size_t)(c->base - end) : 0;
	if (in_data >= want) {
		*n = want;
		return c->data + in_data - want;
	}
	size_t from_tail = behind < c->ntail ? c->ntail - behind : 0;
	size_t k = want - in_data < from_tail ? want - in_data : from_tail;
	if (k)
		memcpy(buf, c->tail + from_tail - k, k);
	if (in_data)
		memcpy(buf + k, c->data, in_data);
	*n = k + in_data;
	return buf;
}

static void host_of(const struct pii_scan_ctx *c, char *out, size_t n);

static void field_at(const struct pii_scan_ctx *c, uint64_t start,
		     char *out, size_t cap)
{
	uint8_t buf[PII_WIN];
	size_t n;
	const uint8_t *w = window(c, start, 256, buf, &n);
	pii_context_field(w, n, c->ch, out, cap);
}

static bool is_hash(const char *how)
{
	return strstr(how, "MD5") || strstr(how, "SHA");
}

static void report_form(struct pii_scan_ctx *c, unsigned id, uint64_t to)
{
	const struct ph_ident_form *fm = &c->st->forms[id];
	const struct ph_ident *idn = ph_identifiers_get(c->st->ids, fm->ident);
	if (!idn)
		return;
	char field[32], masked[128], host[128];
	field_at(c, to >= fm->len ? to - fm->len : 0, field, sizeof field);
	ph_ident_mask(idn->value, c->st->show, masked, sizeof masked);
	host_of(c, host, sizeof host);
	struct pii_hit h = {"pii.identifier", ph_ident_kind_words(idn->kind),
			    fm->how, masked, field, host, PH_SEV_HIGH,
			    fm->len >= 8 ? PH_CONF_HIGH : PH_CONF_MEDIUM,
			    false, is_hash(fm->how)};
	pii_report(&c->st->base, c->ev, c->side, &h);
}

static bool devmac(const struct pii_state *st, const uint8_t mac[6])
{
	for (unsigned i = 0; i < st->ndevmacs; i++)
		if (memcmp(st->devmacs[i], mac, 6) == 0)
			return true;
	return false;
}

/* A generic finding of value v (already verified). */
static void report_generic(struct pii_scan_ctx *c, const char *id,
			   const char *what, const struct pii_gen_value *v,
			   uint64_t to, enum ph_severity sev,
			   enum ph_confidence conf, bool dm)
{
	char field[32], masked[160], host[128];
	field_at(c, to > v->span ? to - v->span : 0, field, sizeof field);
	const char *value = v->text;
	ph_ident_mask(value, c->st->show, masked, sizeof masked);
	host_of(c, host, sizeof host);
	struct pii_hit h = {id, what, "", masked, field, host, sev, conf, dm,
			    false};
	pii_report(&c->st->base, c->ev, c->side, &h);
}

static void coord_hit(struct pii_scan_ctx *c, const struct pii_gen_value *v,
		      uint64_t to)
{
	for (unsigned i = 0; i < c->st->nlocs; i++) {
		const struct ph_ident *l =
			ph_identifiers_get(c->st->ids, c->st->locs[i]);
		if (l && pii_location_match(l, v)) {
			report_generic(c, "pii.location", "location", v, to,
				       PH_SEV_HIGH,
				       v->dec[0] >= 3 && v->dec[1] >= 3 ?
				       PH_CONF_HIGH : PH_CONF_MEDIUM, false);
			return;
		}
	}
	if (c->st->generic && pii_gen_coord_plausible(v))
		report_generic(c, "pii.generic_location", "GPS coordinates",
			       v, to, PH_SEV_MEDIUM, PH_CONF_LOW, false);
	else
		c->st->rejected++;
}

/* Mail, file transfer and directory protocols carry e-mail addresses by
 * design (their logins are the cleartext_creds detection's business). */
static bool mail_protocol(const struct ph_conn *k)
{
	static const uint16_t ports[] = {21, 25, 110, 143, 389, 587, 2525,
					 3268};
	for (size_t i = 0; k && i < sizeof ports / sizeof ports[0]; i++)
		if (k->resp_port == ports[i] || k->orig_port == ports[i])
			return true;
	return false;
}

static void generic_hit(struct pii_scan_ctx *c, unsigned kind, uint64_t to)
{
	if (kind == PII_GEN_EMAIL && mail_protocol(c->ev->conn)) {
		c->st->rejected++;
		return;
	}
	uint8_t buf[PII_WIN];
	size_t n;
	const uint8_t *w = window(c, to, 128, buf, &n);
	struct pii_gen_value v;
	uint8_t mac[6];
	memset(&v, 0, sizeof v);
	bool ok = false;
	if (kind == PII_GEN_COORD) {
		if (pii_gen_coord(w, n, &v))
			coord_hit(c, &v, to);
		else
			c->st->rejected++;
		return;
	}
	if (kind == PII_GEN_IMEI && (ok = pii_gen_imei(w, n, &v)))
		report_generic(c, "pii.generic_imei", "IMEI", &v, to,
			       PH_SEV_MEDIUM, PH_CONF_LOW, false);
	else if (kind == PII_GEN_MAC && (ok = pii_gen_mac(w, n, &v, mac))) {
		bool dm = devmac(c->st, mac);
		report_generic(c, "pii.generic_mac", "MAC address", &v, to,
			       dm ? PH_SEV_MEDIUM : PH_SEV_LOW,
			       dm ? PH_CONF_MEDIUM : PH_CONF_LOW, dm);
	} else if (kind == PII_GEN_EMAIL && (ok = pii_gen_email(w, n, &v)))
		report_generic(c, "pii.generic_email", "e-mail address", &v,
			       to, PH_SEV_MEDIUM, PH_CONF_LOW, false);
	if (!ok)
		c->st->rejected++;
}

/* Is hit i covered by a longer form of the same identifier, or (generic)
 * by any identifier form ending at the same place? */
static bool covered(const struct pii_scan_ctx *c, unsigned i)
{
	unsigned id = c->st->hit[i].id;
	uint64_t to = c->st->hit[i].to;
	for (unsigned j = 0; j < c->nhit; j++) {
		unsigned o = c->st->hit[j].id;
		if (j == i || o >= PII_GEN_BASE)
			continue;
		uint64_t oto = c->st->hit[j].to;
		if (id >= PII_GEN_BASE) {
			if (oto == to || oto + 1 == to)
				return true;
			continue;
		}
		const struct ph_ident_form *a = &c->st->forms[id],
					   *b = &c->st->forms[o];
		if (a->ident != b->ident || oto < to ||
		    (int64_t)oto - b->len > (int64_t)to - a->len)
			continue;
		if (b->len > a->len || (b->len == a->len && j < i))
			return true;
	}
	return false;
}

static void process(struct pii_scan_ctx *c)
{
	for (unsigned i = 0; i < c->nhit; i++) {
		if (covered(c, i))
			continue;
		if (c->st->hit[i].id >= PII_GEN_BASE)
			generic_hit(c, c->st->hit[i].id - PII_GEN_BASE,
				    c->st->hit[i].to);
		else if (c->st->hit[i].id < c->st->nforms)
			report_form(c, c->st->hit[i].id, c->st->hit[i].to);
	}
	c->nhit = 0;
}

/* ---- remote host name ---- */

static int any_form(unsigned id, uint64_t to, void *user)
{
	(void)to;
	struct pii_state *st = user;
	if (id < st->nforms) {
		st->name_hidden++;
		return 1; /* stop */
	}
	return 0;
}

/* The remote's name: the flow's HTTP Host, else a name DNS answers gave
 * for the address. A name that itself holds one of the identifiers
 * ("<imei>.t.example.com") is left out unless secrets may be shown. */
static void host_of(const struct pii_scan_ctx *c, char *out, size_t n)
{
	out[0] = '\0';
	const struct ph_conn *k = c->ev->conn;
	if (c->host && *c->host)
		snprintf(out, n, "%s", c->host);
	else if (k && c->st->map)
		ph_dns_map_name_of(c->st->map,
				   c->side ? k->orig_addr : k->resp_addr,
				   k->ipver, out, n);
	uint64_t before = c->st->name_hidden;
	if (*out && !c->st->show && c->st->nforms)
		pii_scan_block(c->st->scan, (const uint8_t *)out, strlen(out),
			       any_form, c->st);
	if (c->st->name_hidden != before)
		out[0] = '\0';
}

/* ---- DHCP host names (memmem) ---- */

static void hostname_learn(struct pii_state *st, const struct ph_dhcp_msg *m)
{
	if (!m->from_client || !m->hostname.present || m->hostname.len < 4 ||
	    st->nhosts >= PII_HOSTS || m->hostname.len >= sizeof st->hosts[0].s)
		return;
	if (strcmp(m->hostname.s, "localhost") == 0 ||
	    memchr(m->hostname.s, '\0', m->hostname.len))
		return;
	for (unsigned i = 0; i < st->nhosts; i++)
		if (st->hosts[i].len == m->hostname.len &&
		    memcmp(st->hosts[i].s, m->hostname.s, m->hostname.len) == 0)
			return;
	memcpy(st->hosts[st->nhosts].s, m->hostname.s, m->hostname.len);
	st->hosts[st->nhosts].s[m->hostname.len] = '\0';
	st->hosts[st->nhosts++].len = m->hostname.len;
}

static void hostname_scan(struct pii_scan_ctx *c)
{
	for (unsigned i = 0; i < c->st->nhosts && c->data; i++) {
		const struct pii_host *h = &c->st->hosts[i];
		const uint8_t *p = memmem(c->data, c->len, h->s, h->len);
		if (!p)
			continue;
		uint64_t to = c->base + (uint64_t)(p - c->data) + h->len;
		char field[32], masked[96], host[128];
		field_at(c, to - h->len, field, sizeof field);
		ph_ident_mask(h->s, c->st->show, masked, sizeof masked);
		host_of(c, host, sizeof host);
		struct pii_hit hit = {"pii.hostname", "device host name", "",
				      masked, field, host, PH_SEV_LOW,
				      PH_CONF_MEDIUM, false, false};
		pii_report(&c->st->base, c->ev, c->side, &hit);
	}
}

/* ---- block mode: UDP payloads, DNS names, SNI ---- */

static void scan_block(struct pii_state *st, const struct ph_event *ev,
		       int side, enum pii_chan ch, const uint8_t *p, size_t n)
{
	struct pii_scan_ctx c = {.st = st, .ev = ev, .side = side, .ch = ch,
				 .data = p, .len = n};
	if (st->scan) {
		pii_scan_block(st->scan, p, n, on_hit, &c);
		process(&c);
	}
	if (ch == PII_UDP)
		hostname_scan(&c);
}

enum pii_enc { ENC_TLS, ENC_QUIC, ENC_SSH };
static void mark_encrypted(struct pii_state *st, const struct ph_event *ev,
			   int side, enum pii_enc kind);

/* UDP ports whose payload is read by a parser (DNS names) or is local
 * plumbing (DHCP, mDNS, LLMNR, NetBIOS). */
static bool udp_skipped(const struct ph_conn *k)
{
	static const uint16_t ports[] = {53, 67, 68, 137, 138, 5353, 5355};
	for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++)
		if (k->orig_port == ports[i] || k->resp_port == ports[i])
			return true;
	return false;
}

static bool service_encrypted(const struct ph_conn *k)
{
	return strstr(k->service, "ssl") || strstr(k->service, "quic") ||
	       strstr(k->service, "dtls");
}

static void on_datagram(struct pii_state *st, const struct ph_event *ev,
			int side)
{
	if (udp_skipped(ev->conn))
		return;
	if ((ev->slots && ev->slots[PH_SLOT_PII] == &st->encrypted_marker) ||
	    service_encrypted(ev->conn)) {
		mark_encrypted(st, ev, side, ENC_QUIC); /* counted once */
		st->enc_bytes += ev->u.datagram.len;
		return;
	}
	st->datagrams++;
	st->bytes += ev->u.datagram.len;
	scan_block(st, ev, side, PII_UDP, ev->u.datagram.data,
		   ev->u.datagram.len);
}

static void on_dns(struct pii_state *st, const struct ph_event *ev, int side)
{
	const struct ph_dns_msg *m = ev->u.proto;
	if (m->what != PH_DNS_QUERY || m->qr || m->multicast)
		return;
	for (unsigned i = 0; i < m->nq && i < PH_DNS_MAX_QUESTIONS; i++) {
		st->names++;
		scan_block(st, ev, side, PII_DNS,
			   (const uint8_t *)m->q[i].name.s, m->q[i].name.len);
	}
}

/* ---- TCP streams ---- */

static struct pii_flow *flow_get(struct pii_state *st,
				 const struct ph_event *ev)
{
	if (!ev->slots)
		return NULL;
	void **slot = &ev->slots[PH_SLOT_PII];
	if (*slot == &st->encrypted_marker)
		return NULL;
	if (!*slot) {
		struct pii_flow *f = calloc(1, sizeof *f);
		if (!f) {
			st->refused++;
			return NULL;
		}
		*slot = f;
	}
	return *slot;
}

/* Marks the flow encrypted (counted once as a TLS, QUIC or SSH
 * connection): its stream (if any) is closed, later device bytes are
 * counted. */
/* Ends the flow's stream (matches anchored at its end are reported). */
static void stream_close(struct pii_state *st, const struct ph_event *ev,
			 int side, struct pii_flow *f)
{
	if (!f->hs)
		return;
	struct pii_scan_ctx c = {.st = st, .ev = ev, .side = side,
				 .ch = PII_TCP, .base = f->base,
				 .tail = f->tail, .ntail = f->ntail,
				 .host = f->host};
	pii_stream_close(st->scan, f->hs, on_hit, &c);
	process(&c);
	f->hs = NULL;
	st->live--;
}

static void mark_encrypted(struct pii_state *st, const struct ph_event *ev,
			   int side, enum pii_enc kind)
{
	if (!ev->slots)
		return;
	void **slot = &ev->slots[PH_SLOT_PII];
	struct pii_flow *f = *slot;
	if (f == (void *)&st->encrypted_marker || (f && f->encrypted))
		return;
	if (kind == ENC_QUIC)
		st->quic++;
	else if (kind == ENC_SSH)
		st->ssh++;
	else
		st->tls++;
	if (!f) {
		*slot = &st->encrypted_marker;
		return;
	}
	stream_close(st, ev, side, f);
	f->encrypted = true;
}

static void tail_keep(struct pii_flow *f, const uint8_t *p, size_t n)
{
	if (n >= PII_TAIL) {
		memcpy(f->tail, p + n - PII_TAIL, PII_TAIL);
		f->ntail = PII_TAIL;
		return;
	}
	size_t keep = f->ntail + n > PII_TAIL ? PII_TAIL - n : f->ntail;
	memmove(f->tail, f->tail + f->ntail - keep, keep);
	memcpy(f->tail + keep, p, n);
	f->ntail = (uint32_t)(keep + n);
}

static bool tls_record(const uint8_t *p, size_t n)
{
	return n >= 3 && p[0] == 0x16 && p[1] == 0x03 && p[2] <= 0x04;
}

/* Opens the flow's stream when allowed; false when refused (counted). */
static bool stream_ready(struct pii_state *st, struct pii_flow *f)
{
	if (f->hs || !st->scan)
		return true;
	if (f->refused)
		return false;
	if (st->live >= st->max_streams || !(f->hs = pii_stream_open(st->scan))) {
		f->refused = true;
		st->refused++;
		return false;
	}
	st->live++;
	st->flows++;
	return true;
}

static void scan_stream(struct pii_state *st, const struct ph_event *ev,
			int side, struct pii_flow *f, const uint8_t *p,
			size_t n)
{
	if (f->total + n > st->max_bytes) {
		size_t k = f->total < st->max_bytes ?
			   (size_t)(st->max_bytes - f->total) : 0;
		st->over_cap += n - k;
		n = k;
		f->capped = true;
	}
	if (!n || !stream_ready(st, f)) {
		if (f->refused)
			st->refused_bytes += n;
		return;
	}
	struct pii_scan_ctx c = {.st = st, .ev = ev, .side = side,
				 .ch = strstr(ev->conn->service, "http") ?
				       PII_HTTP : PII_TCP, .data = p, .len = n,
				 .base = f->base, .tail = f->tail,
				 .ntail = f->ntail, .host = f->host};
	if (f->hs)
		pii_stream_scan(st->scan, f->hs, p, n, on_hit, &c);
	process(&c);
	hostname_scan(&c);
	f->base += n;
	f->total += n;
	st->bytes += n;
	tail_keep(f, p, n);
}

static void on_stream(struct pii_state *st, const struct ph_event *ev,
		      int side)
{
	const uint8_t *p = ev->u.stream.data;
	size_t n = ev->u.stream.len;
	void *slot = ev->slots ? ev->slots[PH_SLOT_PII] : NULL;
	struct pii_flow *f = slot == &st->encrypted_marker ? NULL : slot;
	if (slot == &st->encrypted_marker || (f && f->encrypted)) {
		st->enc_bytes += n;
		return;
	}
	if (ev->conn->resp_port == 53)
		return; /* DNS over TCP: names come with PH_EV_DNS */
	bool first = (!f || f->total == 0) && ev->u.stream.offset == 0;
	if (first && n >= 4 && memcmp(p, "SSH-", 4) == 0) {
		/* the key exchange lists algorithm names such as
		 * "zlib@openssh.com", then all is encrypted */
		mark_encrypted(st, ev, side, ENC_SSH);
		st->enc_bytes += n;
		return;
	}
	if (service_encrypted(ev->conn) || (first && tls_record(p, n))) {
		mark_encrypted(st, ev, side, ENC_TLS);
		st->enc_bytes += n;
		return;
	}
	if (!(f = flow_get(st, ev)))
		return;
	if (f->capped) {
		st->over_cap += n;
		return;
	}
	scan_stream(st, ev, side, f, p, n);
}

/* Bytes that never arrived: the stream restarts (no match across). */
static void on_gap(struct pii_state *st, const struct ph_event *ev, int side)
{
	void *slot = ev->slots ? ev->slots[PH_SLOT_PII] : NULL;
	struct pii_flow *f = slot == &st->encrypted_marker ? NULL : slot;
	if (!f || !f->hs)
		return;
	struct pii_scan_ctx c = {.st = st, .ev = ev, .side = side,
				 .ch = PII_TCP, .base = f->base,
				 .tail = f->tail, .ntail = f->ntail,
				 .host = f->host};
	pii_stream_reset(st->scan, f->hs, on_hit, &c);
	process(&c);
	f->base = 0;
	f->ntail = 0;
}

static void zbody_scan(struct pii_state *st, const struct ph_event *ev,
		       int side, struct pii_flow *f);

static void on_end(struct pii_state *st, const struct ph_event *ev, int side)
{
	void **slot = &ev->slots[PH_SLOT_PII];
	if (*slot == &st->encrypted_marker) {
		*slot = NULL;
		return;
	}
	struct pii_flow *f = *slot;
	if (!f)
		return;
	stream_close(st, ev, side, f);
	if (f->zi) /* a compressed body cut short: search what came */
		zbody_scan(st, ev, side, f);
	free(f);
	*slot = NULL;
}

/* ---- names: TLS / QUIC SNI, HTTP Host ---- */

static void on_sni(struct pii_state *st, const struct ph_event *ev, int side,
		   const char *sni, enum pii_chan ch)
{
	mark_encrypted(st, ev, side, ch == PII_QUIC_SNI ? ENC_QUIC : ENC_TLS);
	if (!sni || !*sni)
		return;
	st->snis++;
	scan_block(st, ev, side, ch, (const uint8_t *)sni, strlen(sni));
}

/* Content-Encoding gzip, x-gzip or deflate (what zlib inflates). */
static bool compressed(const struct ph_http_msg *m)
{
	for (uint32_t i = 0; i < m->nheaders; i++) {
		const struct ph_http_header *h = &m->headers[i];
		if (h->name.len != 16 ||
		    strncasecmp(h->name.p, "Content-Encoding", 16) != 0)
			continue;
		char v[32];
		size_t n = h->value.len < sizeof v - 1 ? h->value.len
						       : sizeof v - 1;
		memcpy(v, h->value.p, n);
		v[n] = '\0';
		return strcasestr(v, "gzip") || strcasestr(v, "deflate");
	}
	return false;
}

static void on_http(struct pii_state *st, const struct ph_event *ev,
		    int side)
{
	const struct ph_http_msg *m = ev->u.proto;
	if (!m->is_request || (int)ev->dir != side)
		return;
	bool z = compressed(m);
	if (!m->host.p && !z)
		return;
	struct pii_flow *f = flow_get(st, ev);
	if (!f)
		return;
	f->zbody = z;
	if (!m->host.p)
		return;
	size_t n = m->host.len < sizeof f->host - 1 ? m->host.len :
		   sizeof f->host - 1;
	memcpy(f->host, m->host.p, n);
	f->host[n] = '\0';
}

/* Searches what the flow's inflater holds, then drops it. */
static void zbody_scan(struct pii_state *st, const struct ph_event *ev,
		       int side, struct pii_flow *f)
{
	size_t n;
	const uint8_t *p = pii_inflate_data(f->zi, &n);
	struct pii_scan_ctx c = {.st = st, .ev = ev, .side = side,
				 .ch = PII_HTTP_ZBODY, .data = p, .len = n,
				 .host = f->host};
	st->zbodies++;
	st->zbytes += n;
	if (st->scan && n) {
		pii_scan_block(st->scan, p, n, on_hit, &c);
		process(&c);
	}
	hostname_scan(&c);
	pii_inflate_free(f->zi);
	f->zi = NULL;
	st->live_inflaters--;
}

/* A compressed request body, inflated as it arrives and searched when it
 * ends (or the inflater is full). */
static void on_body(struct pii_state *st, const struct ph_event *ev,
		    int side)
{
	const struct ph_http_body *b = ev->u.proto;
	void *slot = ev->slots ? ev->slots[PH_SLOT_PII] : NULL;
	struct pii_flow *f = slot == &st->encrypted_marker ? NULL : slot;
	if (!f || !f->zbody || b->dir != (enum ph_dir)side)
		return;
	if (!f->zi && b->len) {
		if (st->live_inflaters >= st->max_inflaters ||
		    !(f->zi = pii_inflate_new())) {
			st->zrefused++;
			f->zbody = false;
			return;
		}
		st->live_inflaters++;
	}
	int rc = f->zi && b->len ? pii_inflate_feed(f->zi, b->data, b->len)
				 : 0;
	st->zbad += rc < 0;
	if (f->zi && (rc != 0 || b->end))
		zbody_scan(st, ev, side, f);
	if (b->end || rc != 0)
		f->zbody = false;
}

static void note_mac(struct pii_state *st, const struct ph_conn *k)
{
	if (!k->has_mac || st->ndevmacs >= PII_DEVMACS ||
	    devmac(st, k->orig_mac))
		return;
	memcpy(st->devmacs[st->ndevmacs++], k->orig_mac, 6);
}

static void pii_on_event(void *state, const struct ph_event *ev)
{
	struct pii_state *st = state;
	if (ev->kind == PH_EV_DHCP) {
		hostname_learn(st, ev->u.proto);
		return;
	}
	if (!ev->conn)
		return;
	int side = ph_detect_side(&st->base, ev->conn);
	if (ev->kind == PH_EV_FLOW_END) {
		if (ev->slots)
			on_end(st, ev, side < 0 ? 0 : side);
		return;
	}
	if (side < 0)
		return;
	if (ev->kind == PH_EV_FLOW_START) {
		if (side == 0)
			note_mac(st, ev->conn);
		return;
	}
	if (ev->kind == PH_EV_TLS_CLIENT_HELLO) {
		const struct ph_tls_hello *h = ev->u.proto;
		/* QUIC's ClientHello: PH_EV_QUIC reports it */
		if ((int)ev->dir == side && !h->quic)
			on_sni(st, ev, side, h->sni_len ? h->sni : NULL, PII_SNI);
		return;
	}
	if (ev->kind == PH_EV_QUIC) {
		const struct ph_quic_initial *q = ev->u.proto;
		if (q->from_client == (side == 0) && q->sni)
			on_sni(st, ev, side, q->sni, PII_QUIC_SNI);
		return;
	}
	if (ev->kind == PH_EV_HTTP_REQUEST) {
		on_http(st, ev, side);
		return;
	}
	if (ev->kind == PH_EV_HTTP_BODY) {
		on_body(st, ev, side);
		return;
	}
	if ((int)ev->dir != side)
		return;
	if (ev->kind == PH_EV_STREAM)
		on_stream(st, ev, side);
	else if (ev->kind == PH_EV_GAP)
		on_gap(st, ev, side);
	else if (ev->kind == PH_EV_DATAGRAM)
		on_datagram(st, ev, side);
	else if (ev->kind == PH_EV_DNS)
		on_dns(st, ev, side);
}

/* ---- life cycle ---- */

static int load_forms(struct pii_state *st, struct ph_err *err)
{
	if (!st->ids)
		return PH_OK;
	for (unsigned i = 0; i < ph_identifiers_count(st->ids); i++) {
		const struct ph_ident *d = ph_identifiers_get(st->ids, i);
		if (d && d->kind == PH_ID_LOCATION && st->nlocs < PH_IDENT_MAX)
			st->locs[st->nlocs++] = i;
	}
	return ph_ident_forms(st->ids, &st->forms, &st->nforms, err);
}

static void pii_destroy(void *state)
{
	struct pii_state *st = state;
	pii_scan_free(st->scan);
	free(st->forms);
	free(st);
}

static int pii_init(const struct ph_module_env *env, void **state,
		    struct ph_err *err)
{
	struct ph_detect_base base;
	const struct ph_module *m = &ph_pii_module;
	bool generic = ph_module_option(env, m, "generic") != 0;
	if (ph_detect_base_init(&base, env) == PH_MODULE_SKIP ||
	    (!generic && (!env->identifiers ||
			  !ph_identifiers_count(env->identifiers))))
		return PH_MODULE_SKIP;
	struct pii_state *st = calloc(1, sizeof *st);
	if (!st)
		return ph_err_set(err, PH_ENOMEM, "out of memory");
	st->base = base;
	st->ids = env->identifiers;
	st->map = env->shared ? env->shared->dns_map : NULL;
	st->show = env->show_secrets;
	st->generic = generic;
	st->max_bytes = (uint64_t)ph_module_option(env, m, "max_scan_bytes");
	st->max_streams = (unsigned)ph_module_option(env, m, "max_streams");
	st->max_inflaters = (unsigned)ph_module_option(env, m, "max_inflaters");
	struct pii_scan_cfg cfg = {NULL, 0, generic, false};
	int rc = load_forms(st, err);
	if (rc == PH_OK) {
		cfg.forms = st->forms;
		cfg.nforms = st->nforms;
		cfg.coords_any = st->nlocs > 0;
		rc = pii_scan_new(&cfg, &st->scan, err);
	}
	if (rc < 0) {
		pii_destroy(st);
		return rc;
	}
	*state = st;
	return PH_OK;
}

static unsigned pii_counters(const void *state, struct ph_module_counter *out,
			     unsigned max)
{
	const struct pii_state *st = state;
	const struct ph_module_counter c[] = {
		{"patterns", pii_scan_patterns(st->scan)},
		{"stream_state_bytes", pii_scan_stream_size(st->scan)},
		{"tcp_flows_searched", st->flows},
		{"cleartext_bytes_searched", st->bytes},
		{"udp_datagrams_searched", st->datagrams},
		{"dns_names_searched", st->names},
		{"sni_searched", st->snis},
		{"compressed_bodies_searched", st->zbodies},
		{"inflated_bytes_searched", st->zbytes},
		{"compressed_bodies_refused", st->zrefused},
		{"compressed_bodies_malformed", st->zbad},
		{"tls_connections_not_inspected", st->tls},
		{"quic_connections_not_inspected", st->quic},
		{"ssh_connections_not_inspected", st->ssh},
		{"encrypted_bytes_not_inspected", st->enc_bytes},
		{"bytes_over_cap", st->over_cap},
		{"streams_refused", st->refused},
		{"bytes_in_refused_streams", st->refused_bytes},
		{"matches", st->matches},
		{"candidates_rejected", st->rejected},
		{"matches_dropped", st->hits_dropped},
		{"names_hidden", st->name_hidden},
		{"findings_dropped", st->base.dropped},
	};
	return ph_module_counters_copy(out, max, c, sizeof c / sizeof c[0]);
}

const struct ph_module ph_pii_module = {
	.name = "pii",
	.summary = "personal identifiers (yours, or IMEI/MAC/e-mail/location "
		   "shaped) sent in cleartext",
	.mask = PH_EV_FLOW_START | PH_EV_FLOW_END | PH_EV_STREAM | PH_EV_GAP |
		PH_EV_DATAGRAM | PH_EV_DNS | PH_EV_TLS_CLIENT_HELLO |
		PH_EV_QUIC | PH_EV_HTTP_REQUEST | PH_EV_HTTP_BODY | PH_EV_DHCP,
	.init = pii_init,
	.on_event = pii_on_event,
	.counters = pii_counters,
	.destroy = pii_destroy,
	.options = pii_options,
	.detection = true,
};
