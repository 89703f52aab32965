/* Detection "payload": executable code downloaded over plain HTTP. The
 * first bytes of every HTTP response body are checked for the magic of an
 * Android app (APK: a ZIP holding AndroidManifest.xml or classes.dex), DEX,
 * ELF, Windows PE, Mach-O, Java class files and scripts ("#!"); other ZIP
 * archives are reported lower. Matching bodies are hashed (SHA-256, OpenSSL)
 * chunk by chunk as they arrive; the finding says when the hash covers only
 * part of the body (gap, cap, cut connection). State: a fixed table of
 * bodies in progress (option max_tracked), released when each body has
 * been classified as not executable or has ended; misses are counted. The
 * flow's slot PH_SLOT_PAYLOAD points at its entry (checked against the
 * entry's connection id, so a released entry is never mistaken for it). */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"
#include "peephole/module.h"
#include "peephole/proto_http.h"

extern const struct ph_module ph_payload_module;

#define PL_HEAD 512u    /* bytes looked at for the magic */
#define PL_CARRY 24u    /* bytes kept across chunks for the ZIP name scan */

enum pl_kind {
	PL_NONE = 0, PL_APK, PL_DEX, PL_ELF, PL_PE, PL_MACHO, PL_CLASS,
	PL_SCRIPT, PL_ZIP, PL_KIND_COUNT
};

struct pl_body {
	uint64_t conn_id;       /* connection id + 1; 0: free entry */
	uint8_t head[PL_HEAD];
	uint32_t nhead;
	enum pl_kind kind;      /* PL_NONE until classified */
	bool classified;
	EVP_MD_CTX *md;         /* while hashing */
	uint64_t hashed;
	uint8_t carry[PL_CARRY];
	uint32_t ncarry;
	bool manifest, dex;     /* ZIP entry names seen */
	bool raw;               /* a non-HTTP TCP stream, not a body */
	uint64_t raw_len;
	uint64_t first_ns, first_pkt;
};

struct pl_state {
	struct ph_detect_base base;
	bool archives;
	struct pl_body *tab;
	unsigned ntab;
	unsigned nraw;          /* raw-stream entries in use */
	uint64_t bodies, untracked, raw_streams, found[PL_KIND_COUNT];
};

static const struct ph_module_option pl_options[] = {
	{"report_archives", 1, 0, 1, "bool",
	 "report ZIP archives that are not Android apps (low)"},
	{"max_tracked", 64, 1, 65536, "count",
	 "HTTP bodies examined at the same time (more are counted, skipped)"},
	{NULL, 0, 0, 0, NULL, NULL},
};

static struct pl_body *pl_find(struct pl_state *st, uint64_t id)
{
	for (unsigned i = 0; i < st->ntab; i++)
		if (st->tab[i].conn_id == id)
			return &st->tab[i];
	return NULL;
}

/* The flow's entry in progress, or NULL: O(1) through the flow's slot. */
static struct pl_body *pl_of(struct pl_state *st, const struct ph_event *ev)
{
	uint64_t id = ev->conn->id + 1;
	if (!ev->slots)
		return pl_find(st, id);
	struct pl_body *b = ev->slots[PH_SLOT_PAYLOAD];
	return b && b->conn_id == id ? b : NULL;
}

/* Gives the free entry b to the event's flow. */
static void pl_claim(struct pl_body *b, const struct ph_event *ev)
{
	b->conn_id = ev->conn->id + 1;
	if (ev->slots)
		ev->slots[PH_SLOT_PAYLOAD] = b;
}

static void pl_release(struct pl_body *b)
{
	if (b->md)
		EVP_MD_CTX_free(b->md);
	memset(b, 0, sizeof *b);
}

static uint32_t pl_le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint32_t pl_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static bool pl_pe(const uint8_t *h, uint32_t n)
{
	if (n < 0x40)
		return false;
	uint32_t off = pl_le32(h + 0x3c);
	return off + 4 <= n && memcmp(h + off, "PE\0\0", 4) == 0;
}

static enum pl_kind pl_magic(const uint8_t *h, uint32_t n, bool *strong)
{
	*strong = true;
	if (n >= 4 && memcmp(h, "\x7f" "ELF", 4) == 0)
		return PL_ELF;
	if (n >= 8 && memcmp(h, "dex\n0", 5) == 0 && h[7] == 0)
		return PL_DEX;
	if (n >= 4 && memcmp(h, "PK\x03\x04", 4) == 0)
		return PL_ZIP;
	if (n >= 2 && h[0] == 'M' && h[1] == 'Z') {
		*strong = pl_pe(h, n);
		return (*strong || n >= 0x40) ? PL_PE : PL_NONE;
	}
	if (n >= 8) {
		uint32_t m = pl_be32(h);
		if (m == 0xfeedface || m == 0xfeedfacf || m == 0xcefaedfe ||
		    m == 0xcffaedfe)
			return PL_MACHO;
		if (m == 0xcafebabe)
			return pl_be32(h + 4) < 20 ? PL_MACHO : PL_CLASS;
	}
	if (n >= 4 && h[0] == '#' && h[1] == '!' &&
	    (h[2] == '/' || (h[2] == ' ' && h[3] == '/'))) {
		*strong = false;
		return PL_SCRIPT;
	}
	return PL_NONE;
}

/* Looks for APK entry names in data, across chunk boundaries. */
static void pl_zip_scan(struct pl_body *b, const uint8_t *p, uint32_t n)
{
	static const char man[] = "AndroidManifest.xml", dex[] = "classes.dex";
	uint8_t join[2 * PL_CARRY];
	uint32_t k = n < PL_CARRY ? n : PL_CARRY;
	memcpy(join, b->carry, b->ncarry);
	memcpy(join + b->ncarry, p, k);
	const void *bufs[2] = {join, p};
	size_t lens[2] = {b->ncarry + k, n};
	for (int i = 0; i < 2; i++) {
		if (memmem(bufs[i], lens[i], man, sizeof man - 1))
			b->manifest = true;
		if (memmem(bufs[i], lens[i], dex, sizeof dex - 1))
			b->dex = true;
	}
	if (n >= PL_CARRY) {
		memcpy(b->carry, p + n - PL_CARRY, PL_CARRY);
		b->ncarry = PL_CARRY;
	} else {
		uint32_t keep = b->ncarry + n > PL_CARRY ? PL_CARRY - n : b->ncarry;
		memmove(b->carry, b->carry + b->ncarry - keep, keep);
		memcpy(b->carry + keep, p, n);
		b->ncarry = keep + n;
	}
}

static void pl_feed(struct pl_body *b, const uint8_t *p, uint32_t n)
{
	if (b->md && n) {
		EVP_DigestUpdate(b->md, p, n);
		b->hashed += n;
	}
	if (b->kind == PL_ZIP && n)
		pl_zip_scan(b, p, n);
}

/* Decides from the head; keeps hashing only executables and archives. */
static void pl_classify(struct pl_state *st, struct pl_body *b)
{
	bool strong;
	b->classified = true;
	b->kind = pl_magic(b->head, b->nhead, &strong);
	if (b->kind == PL_NONE) {
		pl_release(b);
		return;
	}
	b->md = EVP_MD_CTX_new();
	if (!b->md || EVP_DigestInit_ex(b->md, EVP_sha256(), NULL) != 1) {
		pl_release(b);
		st->untracked++;
		return;
	}
	pl_feed(b, b->head, b->nhead);
}

struct pl_kind_text {
	const char *id, *what;
	enum ph_severity sev;
	const char *why;
};

static const struct pl_kind_text pl_kinds[PL_KIND_COUNT] = {
	[PL_APK] = {"payload.apk", "an Android app (APK)", PH_SEV_HIGH,
		"Installing apps from outside an app store is how most "
		"stalkerware and banking trojans arrive, and a download over "
		"plain HTTP can also be swapped by anyone on the path. App "
		"stores and ordinary updates use HTTPS, so benign phones "
		"rarely do this."},
	[PL_DEX] = {"payload.dex", "Android code (DEX)", PH_SEV_HIGH,
		"Apps that fetch extra code after installation (\"dynamic "
		"code loading\") are a known way for malware to slip past app "
		"store review; benign apps almost never fetch code over plain "
		"HTTP."},
	[PL_ELF] = {"payload.elf", "a Linux/Android program (ELF)",
		PH_SEV_HIGH,
		"Native programs downloaded at run time are how rooting "
		"tools, exploit kits and botnets get onto a device; benign "
		"phones do not fetch them over plain HTTP."},
	[PL_SCRIPT] = {"payload.script", "a script (#!)", PH_SEV_MEDIUM,
		"Scripts fetched over plain HTTP are a classic second stage "
		"of an attack (download, then run); a few installers and "
		"developer tools do it too."},
	[PL_PE] = {"payload.pe", "a Windows program (PE)", PH_SEV_MEDIUM,
		"A Windows program cannot run on a phone, but on a computer "
		"sharing this capture it could be malware (many trojans are "
		"fetched exactly this way); software updates normally use "
		"HTTPS."},
	[PL_MACHO] = {"payload.macho", "an Apple program (Mach-O)",
		PH_SEV_MEDIUM,
		"Apple programs normally come from the App Store or signed "
		"updates over HTTPS; one fetched over plain HTTP deserves a "
		"look."},
	[PL_CLASS] = {"payload.java_class", "Java code (class file)",
		PH_SEV_MEDIUM,
		"Java classes fetched at run time over HTTP are how attacks "
		"such as Log4Shell load their code; benign phones do not "
		"do this."},
	[PL_ZIP] = {"payload.archive", "a ZIP archive", PH_SEV_LOW,
		"Archives are ordinary downloads; this one was not "
		"recognisably an Android app, but its content could not be "
		"checked either."},
};

static void pl_hex(const uint8_t *d, unsigned n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	for (unsigned i = 0; i < n; i++) {
		out[2 * i] = hx[d[i] >> 4];
		out[2 * i + 1] = hx[d[i] & 15];
	}
	out[2 * n] = '\0';
}

/* The body's SHA-256 in hex ("" if OpenSSL failed). */
static void pl_digest(struct pl_body *b, char hex[65])
{
	uint8_t md[32];
	unsigned mdn = 0;
	hex[0] = '\0';
	if (EVP_DigestFinal_ex(b->md, md, &mdn) == 1 && mdn == 32)
		pl_hex(md, 32, hex);
}

static void pl_str(char *out, size_t n, struct ph_http_str s)
{
	size_t k = 0;
	for (uint32_t i = 0; s.p && i < s.len && k + 1 < n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		if (c == '?' && k > 0)
			break; /* no query values */
		out[k++] = (c < 0x20 || c > 0x7e) ? '?' : (char)c;
	}
	out[k] = '\0';
}

/* URL without query, content type and file name of the download. */
static void pl_where(const struct ph_http_txn *t, struct ph_finding *f,
		     char *out, size_t n)
{
	char path[200] = "", fname[96] = "";
	size_t len = 0;
	out[0] = '\0';
	if (!t)
		return;
	pl_str(f->name, sizeof f->name, t->host);
	pl_str(path, sizeof path, t->uri);
	pl_str(fname, sizeof fname, t->resp_filename);
	ph_detect_catf(out, n, &len, " from http://%s%s",
		       f->name[0] ? f->name : f->remote, path);
	if (fname[0])
		ph_detect_catf(out, n, &len, " (file name \"%s\")", fname);
}

/* What was downloaded: an HTTP body (txn) or a raw TCP stream. */
struct pl_msg {
	const struct ph_http_txn *txn;  /* NULL: raw stream */
	uint64_t len;
	bool whole;
};

static void pl_report(struct pl_state *st, const struct ph_event *ev,
		      const struct pl_msg *m, struct pl_body *b)
{
	if (b->kind == PL_ZIP && (b->manifest || b->dex))
		b->kind = PL_APK;
	if (b->kind == PL_ZIP && !st->archives)
		return;
	int side = ph_detect_side(&st->base, ev->conn);
	if (side < 0)
		return;
	const struct pl_kind_text *k = &pl_kinds[b->kind];
	st->found[b->kind]++;
	struct ph_finding f;
	memset(&f, 0, sizeof f);
	ph_detect_evidence(&f, ev, side);
	f.first_ns = b->first_ns;
	f.first_pkt = b->first_pkt;
	char hex[65];
	pl_digest(b, hex);
	snprintf(f.id, sizeof f.id, "%s", k->id);
	snprintf(f.matched, sizeof f.matched, "%s", hex);
	snprintf(f.field, sizeof f.field, "%s",
		 m->txn ? "http.body.sha256" : "tcp.payload.sha256");
	snprintf(f.attack, sizeof f.attack, "T1105");
	f.severity = k->sev;
	bool whole = m->whole;
	bool strong = b->kind != PL_SCRIPT &&
		      !(b->kind == PL_PE && !pl_pe(b->head, b->nhead));
	f.confidence = strong ? PH_CONF_HIGH : PH_CONF_MEDIUM;
	snprintf(f.title, sizeof f.title, "Download over plain HTTP: %s",
		 k->what);
	char where[400];
	pl_where(m->txn, &f, where, sizeof where);
	if (!m->txn)
		snprintf(where, sizeof where, " over a plain TCP connection "
			 "(port %u, not HTTP)", (unsigned)f.remote_port);
	size_t n = 0;
	ph_detect_catf(f.explain, sizeof f.explain, &n,
		       "The device received %s%s, %llu bytes, without "
		       "encryption. SHA-256 %s%s. %s", k->what, where,
		       (unsigned long long)m->len, hex,
		       whole ? "" : " covers only the part that was captured "
				    "(the body was incomplete)", k->why);
	snprintf(f.advice, sizeof f.advice,
		 "Look the SHA-256 up (e.g. on VirusTotal or with your "
		 "helpdesk); check which app on the device was installed or "
		 "updated at that time and remove what the owner did not "
		 "install. Keep this capture as evidence.");
	ph_detect_emit(&st->base, &f);
}

static void pl_body_event(struct pl_state *st, const struct ph_event *ev,
			  const struct ph_http_body *hb)
{
	struct pl_body *b = pl_of(st, ev);
	if (hb->data && hb->len && hb->offset == 0) {
		if (b)
			pl_release(b); /* a new message on the flow */
		st->bodies++;
		b = pl_find(st, 0);
		if (!b) {
			st->untracked++;
			return;
		}
		pl_claim(b, ev);
		b->first_ns = ev->ts_ns;
		b->first_pkt = ev->pkt_no;
	}
	if (!b)
		return;
	if (hb->data && hb->len) {
		if (!b->classified) {
			uint32_t k = PL_HEAD - b->nhead;
			k = hb->len < k ? hb->len : k;
			memcpy(b->head + b->nhead, hb->data, k);
			b->nhead += k;
			if (b->nhead == PL_HEAD) {
				pl_classify(st, b);
				if (b->md)
					pl_feed(b, hb->data + k, hb->len - k);
			}
		} else {
			pl_feed(b, hb->data, hb->len);
		}
	}
	if (!hb->end || !b->conn_id)
		return;
	if (!b->classified)
		pl_classify(st, b);
	struct pl_msg m = {hb->txn, hb->body_len,
			   !hb->interrupted && !hb->undelivered};
	if (b->conn_id)
		pl_report(st, ev, &m, b);
	pl_release(b);
}

/* Raw (non-HTTP) TCP streams towards the device: a program sent right
 * at the start (offset <= 8, after a length prefix), as droppers and
 * Metasploit stagers do; hashed up to PH_HTTP_BODY_CAP bytes until the
 * flow ends. Only strong magic (ELF, DEX, PE with its header, Mach-O). */
static void pl_raw_start(struct pl_state *st, const struct ph_event *ev)
{
	const uint8_t *p = ev->u.stream.data;
	uint32_t n = ev->u.stream.len;
	bool strong;
	enum pl_kind k = pl_magic(p, n, &strong);
	if (k == PL_NONE || k == PL_ZIP || k == PL_SCRIPT || k == PL_CLASS ||
	    !strong)
		return;
	struct pl_body *b = pl_find(st, 0);
	if (!b) {
		st->untracked++;
		return;
	}
	pl_claim(b, ev);
	b->raw = true;
	b->first_ns = ev->ts_ns;
	b->first_pkt = ev->pkt_no;
	b->nhead = n < PL_HEAD ? n : PL_HEAD;
	memcpy(b->head, p, b->nhead);
	pl_classify(st, b);
	if (!b->conn_id)
		return;
	st->nraw++;
	st->raw_streams++;
	b->raw_len = b->nhead;
	pl_feed(b, p + b->nhead, n - b->nhead);
	b->raw_len = n;
}

static void pl_raw_stream(struct pl_state *st, const struct ph_event *ev)
{
	if (ev->u.stream.len == 0 || (!st->nraw && ev->u.stream.offset > 8))
		return; /* nothing to feed or start */
	int side = ph_detect_side(&st->base, ev->conn);
	if (side < 0 || (int)ev->dir == side)
		return; /* only what the device receives */
	struct pl_body *b = st->nraw ? pl_of(st, ev) : NULL;
	if (b && b->raw) {
		uint32_t n = ev->u.stream.len;
		uint64_t room = b->raw_len < PH_HTTP_BODY_CAP ?
				PH_HTTP_BODY_CAP - b->raw_len : 0;
		pl_feed(b, ev->u.stream.data, n < room ? n : (uint32_t)room);
		b->raw_len += n;
	} else if (!b && ev->u.stream.offset <= 8) {
		pl_raw_start(st, ev);
	}
}

static void pl_raw_end(struct pl_state *st, const struct ph_event *ev,
		       struct pl_body *b)
{
	const struct ph_conn *c = ev->conn;
	bool whole = b->raw_len <= PH_HTTP_BODY_CAP &&
		     !c->dir[0].missed_bytes && !c->dir[1].missed_bytes;
	struct pl_msg m = {NULL, b->raw_len, whole};
	pl_report(st, ev, &m, b);
	st->nraw--;
}

static void pl_on_event(void *state, const struct ph_event *ev)
{
	struct pl_state *st = state;
	if (!ev->conn)
		return;
	if (ev->kind == PH_EV_FLOW_END) {
		struct pl_body *b = pl_of(st, ev);
		if (b && b->raw)
			pl_raw_end(st, ev, b);
		if (b)
			pl_release(b);
		if (ev->slots)
			ev->slots[PH_SLOT_PAYLOAD] = NULL;
		return;
	}
	if (ev->kind == PH_EV_STREAM) {
		pl_raw_stream(st, ev);
		return;
	}
	const struct ph_http_body *hb = ev->u.proto;
	if (ev->kind != PH_EV_HTTP_BODY || !hb || hb->dir != PH_DIR_RESP)
		return;
	pl_body_event(st, ev, hb);
}

static int pl_init(const struct ph_module_env *env, void **state,
		   struct ph_err *err)
{
	struct ph_detect_base base;
	if (ph_detect_base_init(&base, env) == PH_MODULE_SKIP)
		return PH_MODULE_SKIP;
	struct pl_state *st = calloc(1, sizeof *st);
	const struct ph_module *me = &ph_payload_module;
	unsigned n = (unsigned)ph_module_option(env, me, "max_tracked");
	if (st)
		st->tab = calloc(n ? n : 1, sizeof *st->tab);
	if (!st || !st->tab) {
		free(st);
		return ph_err_set(err, PH_ENOMEM, "out of memory");
	}
	st->ntab = n ? n : 1;
	st->base = base;
	st->archives = ph_module_option(env, me, "report_archives") != 0;
	*state = st;
	return PH_OK;
}

static unsigned pl_counters(const void *state, struct ph_module_counter *out,
			    unsigned max)
{
	const struct pl_state *st = state;
	const struct ph_module_counter c[] = {
		{"response_bodies_seen", st->bodies},
		{"bodies_not_examined", st->untracked},
		{"raw_tcp_programs", st->raw_streams},
		{"executables_found", st->found[PL_APK] + st->found[PL_DEX] +
			st->found[PL_ELF] + st->found[PL_PE] +
			st->found[PL_MACHO] + st->found[PL_CLASS] +
			st->found[PL_SCRIPT]},
		{"archives_found", st->found[PL_ZIP]},
		{"findings_dropped", st->base.dropped},
	};
	return ph_module_counters_copy(out, max, c, sizeof c / sizeof c[0]);
}

static void pl_destroy(void *state)
{
	struct pl_state *st = state;
	if (!st)
		return;
	for (unsigned i = 0; i < st->ntab; i++)
		pl_release(&st->tab[i]);
	free(st->tab);
	free(st);
}

const struct ph_module ph_payload_module = {
	.name = "payload",
	.summary = "executable files (APK, DEX, ELF, PE, Mach-O, scripts) "
		   "downloaded over plain HTTP, with their SHA-256",
	.mask = PH_EV_HTTP_BODY | PH_EV_STREAM | PH_EV_FLOW_END,
	.init = pl_init,
	.on_event = pl_on_event,
	.counters = pl_counters,
	.destroy = pl_destroy,
	.options = pl_options,
	.detection = true,
};
