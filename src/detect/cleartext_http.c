/* Detection "cleartext_http": plain (unencrypted) HTTP that carries more
 * than static content. Request bodies (uploads), query parameters, cookies,
 * dynamic responses (JSON, HTML, forms, octet-stream...) and Authorization
 * headers sent in cleartext can be read and changed by anyone on the path.
 * Static files (images, CSS, JavaScript, fonts, media), OS connectivity
 * checks (/generate_204...) and certificate status checks (OCSP, CRL) are
 * ignored. Evidence names method, host, path, parameter names, content type
 * and size, never values, cookies or passwords. Findings fold per host, so
 * a chatty host is one finding with a count. Every decision is taken on
 * one HTTP request or response event; request bodies being scanned sit in
 * a small table (max_tracked), reached through the flow's slot
 * PH_SLOT_CLEARTEXT_HTTP. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "detect/detect.h"
#include "peephole/module.h"
#include "peephole/proto_http.h"

extern const struct ph_module ph_cleartext_http_module;

/* What a request exposes, by the names of its fields (never values). */
enum {
	CH_IMEI = 1u << 0, CH_SUBSCRIBER = 1u << 1, CH_PHONE = 1u << 2,
	CH_PASSWORD = 1u << 3, CH_LAT = 1u << 4, CH_LON = 1u << 5,
	CH_DEVICE_ID = 1u << 6, CH_AD_ID = 1u << 7, CH_EMAIL = 1u << 8,
	CH_STRONG = CH_IMEI | CH_SUBSCRIBER | CH_PHONE | CH_PASSWORD,
};

#define CH_CARRY 24u

/* A request body being scanned (from its headers to its end). */
struct ch_body {
	uint64_t key;             /* conn id + 1; 0 = free */
	char ctype[64];           /* Content-Type as sent */
	bool chunked;
	unsigned found;           /* CH_* field names seen */
	uint64_t scanned;
	uint8_t carry[CH_CARRY];  /* tail of the previous chunk */
	uint32_t ncarry;
};

struct ch_state {
	struct ph_detect_base base;
	bool query, cookie, response;   /* options */
	double min_body, scan_bytes;
	struct ch_body *bodies;
	unsigned nbodies;
	uint64_t requests, static_skipped, checks_skipped, untracked;
};

static const struct ph_module_option ch_options[] = {
	{"min_body_bytes", 1, 0, 1e12, "bytes",
	 "smallest request body (Content-Length) reported as an upload"},
	{"report_query", 1, 0, 1, "bool",
	 "report query parameters on non-static requests (low)"},
	{"report_cookie", 1, 0, 1, "bool",
	 "report cookies sent in cleartext (low)"},
	{"report_response", 1, 0, 1, "bool",
	 "report dynamic responses (JSON, HTML, octet-stream...) (low)"},
	{"scan_bytes", 65536, 0, 1048576, "bytes",
	 "request body bytes searched for identifier field names"},
	{"max_tracked", 64, 1, 65536, "count",
	 "request bodies scanned at the same time (more: counted, rated "
	 "without a scan)"},
	{NULL, 0, 0, 0, NULL, NULL},
};

/* A str as printable text in out (cut to fit, control bytes as '?'). */
static void ch_text(char *out, size_t n, struct ph_http_str s)
{
	size_t k = 0;
	for (uint32_t i = 0; s.p && i < s.len && k + 1 < n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		out[k++] = (c < 0x20 || c > 0x7e) ? '?' : (char)c;
	}
	out[k] = '\0';
}

static bool ch_prefix(struct ph_http_str s, const char *pre)
{
	size_t n = strlen(pre);
	return s.p && s.len >= n && strncasecmp(s.p, pre, n) == 0;
}

/* Length of the URI's path (up to '?' or '#'). */
static uint32_t ch_path_len(struct ph_http_str uri)
{
	if (!uri.p)
		return 0;
	const char *q = memchr(uri.p, '?', uri.len);
	uint32_t n = q ? (uint32_t)(q - uri.p) : uri.len;
	const char *h = memchr(uri.p, '#', n);
	return h ? (uint32_t)(h - uri.p) : n;
}

static bool ch_ends(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && strncasecmp(s + n - k, suf, k) == 0;
}

/* A path whose extension names a static file. */
static bool ch_static_path(struct ph_http_str uri)
{
	static const char *const ext[] = {
		".js", ".mjs", ".css", ".png", ".jpg", ".jpeg", ".gif",
		".webp", ".avif", ".svg", ".ico", ".bmp", ".woff", ".woff2",
		".ttf", ".otf", ".eot", ".mp4", ".webm", ".mp3", ".m4a",
		".m4s", ".aac", ".ogg", ".ts", ".map", NULL};
	uint32_t n = ch_path_len(uri), i = n;
	while (i > 0 && n - i < 6 && uri.p[i - 1] != '.')
		i--; /* every extension is a dot and at most 5 bytes */
	if (i == 0 || n - i >= 6)
		return false;
	for (unsigned k = 0; ext[k]; k++)
		if (ch_ends(uri.p, n, ext[k]))
			return true;
	return false;
}

/* OS and browser connectivity checks, and certificate status checks. */
static bool ch_check_path(struct ph_http_str uri)
{
	static const char *const paths[] = {
		"/generate_204", "/gen_204", "/hotspot-detect.html",
		"/library/test/success.html", "/success.txt",
		"/connecttest.txt", "/ncsi.txt", "/canonical.html",
		"/kindle-wifi/wifistub.html", "/check_network_status.txt",
		"/mobile/status.php", NULL};
	uint32_t n = ch_path_len(uri);
	for (unsigned i = 0; paths[i]; i++)
		if (n == strlen(paths[i]) &&
		    strncasecmp(uri.p, paths[i], n) == 0)
			return true;
	return false;
}

/* Content types that are static or certificate status: not reported. */
static bool ch_static_type(struct ph_http_str ct)
{
	static const char *const types[] = {
		"image/", "font/", "video/", "audio/", "text/css",
		"text/javascript", "application/javascript",
		"application/x-javascript", "application/ecmascript",
		"application/font", "application/x-font",
		"application/vnd.ms-fontobject", "application/ocsp-",
		"application/pkix-", "application/x-pkcs7-crl",
		"application/x-x509-ca-cert", "application/pkcs7-mime",
		"application/vnd.apple.mpegurl", "application/x-mpegurl",
		"application/dash+xml", NULL};
	if (!ct.p || !ct.len || !strchr("afitvAFITV", ct.p[0]))
		return false; /* no type starts with another letter */
	for (unsigned i = 0; types[i]; i++)
		if (ch_prefix(ct, types[i]))
			return true;
	return false;
}

/* The parameter names of the URI's query ("a, b, c"), never values. */
static void ch_query_names(struct ph_http_str uri, char *out, size_t n)
{
	size_t len = 0;
	out[0] = '\0';
	uint32_t i = ch_path_len(uri);
	unsigned names = 0;
	while (uri.p && i < uri.len && uri.p[i] != '#' && names < 8) {
		uint32_t s = ++i;
		while (i < uri.len && uri.p[i] != '=' && uri.p[i] != '&' &&
		       uri.p[i] != '#')
			i++;
		struct ph_http_str k = {uri.p + s, i - s > 32 ? 32 : i - s};
		char name[40];
		ch_text(name, sizeof name, k);
		if (name[0])
			ph_detect_catf(out, n, &len, "%s%s", names++ ? ", " : "",
				       name);
		while (i < uri.len && uri.p[i] != '&' && uri.p[i] != '#')
			i++;
	}
	if (names == 8)
		ph_detect_catf(out, n, &len, ", ...");
}

/* Field names that expose identifiers, with what they are. */
static const struct {
	const char *name;
	unsigned what;
} ch_fields[] = {
	{"imei", CH_IMEI}, {"meid", CH_IMEI}, {"imsi", CH_SUBSCRIBER},
	{"iccid", CH_SUBSCRIBER}, {"msisdn", CH_PHONE},
	{"phone_number", CH_PHONE}, {"phonenumber", CH_PHONE},
	{"password", CH_PASSWORD}, {"passwd", CH_PASSWORD},
	{"pwd", CH_PASSWORD}, {"lat", CH_LAT}, {"latitude", CH_LAT},
	{"lon", CH_LON}, {"lng", CH_LON}, {"longitude", CH_LON},
	{"android_id", CH_DEVICE_ID}, {"androidid", CH_DEVICE_ID},
	{"device_id", CH_DEVICE_ID}, {"deviceid", CH_DEVICE_ID},
	{"serial", CH_DEVICE_ID}, {"gaid", CH_AD_ID}, {"adid", CH_AD_ID},
	{"advertising_id", CH_AD_ID}, {"idfa", CH_AD_ID},
	{"email", CH_EMAIL},
};

static bool ch_alnum(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Does the value after a field name look like what the name says (an
 * IMEI has 14-16 digits, a location a number...)? Only its shape is
 * checked; it is never copied. */
static bool ch_value_ok(const uint8_t *p, size_t n, unsigned what)
{
	size_t i = 0, d = 0;
	while (i < n && i < 6 && (p[i] == '"' || p[i] == '\'' ||
				  p[i] == '=' || p[i] == ':' || p[i] == ' ' ||
				  p[i] == '>'))
		i++;
	if (i < n && (p[i] == '-' || p[i] == '+'))
		i++;
	size_t v = i;
	while (i < n && p[i] >= '0' && p[i] <= '9')
		i++, d++;
	switch (what) {
	case CH_IMEI: return d >= 14 && d <= 16;
	case CH_SUBSCRIBER: return d >= 15 && d <= 22;
	case CH_PHONE: return d >= 7;
	case CH_LAT: case CH_LON:
		return d >= 1 && i + 2 < n && p[i] == '.' &&
		       p[i + 1] >= '0' && p[i + 1] <= '9';
	default:
		return v < n && p[v] != '&' && p[v] != '"' && p[v] != ',' &&
		       p[v] != '}' && p[v] != '<' && p[v] != '\r';
	}
}

/* ASCII lower case (strncasecmp's folding in the C locale). */
static uint8_t ch_lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c | 0x20) : c;
}

/* Could a field name start with this (lower-case) byte? */
static bool ch_first(uint8_t c)
{
	switch (c) {
	case 'a': case 'd': case 'e': case 'g': case 'i': case 'l':
	case 'm': case 'p': case 's':
		return true;
	default:
		return false;
	}
}

/* The CH_* bits of the field names that start at p[i] (i < n), are
 * followed by a quote, '=', ':' or '>' inside p[0..n) and have a value of
 * the right shape. */
static unsigned ch_scan_at(const uint8_t *p, size_t n, size_t i, uint8_t c0)
{
	unsigned found = 0;
	for (unsigned f = 0; f < sizeof ch_fields / sizeof ch_fields[0]; f++) {
		const char *name = ch_fields[f].name;
		if ((uint8_t)name[0] != c0)
			continue;
		size_t k = 1;
		while (name[k] && i + k < n && ch_lower(p[i + k]) ==
		       (uint8_t)name[k])
			k++;
		if (name[k] || i + k >= n)
			continue;
		uint8_t a = p[i + k];
		if ((a == '"' || a == '\'' || a == '=' || a == ':' ||
		     a == '>') && ch_value_ok(p + i + k, n - i - k,
					      ch_fields[f].what))
			found |= ch_fields[f].what;
	}
	return found;
}

/* Field names in p[0..n): a name with no letter before it and a quote,
 * '=' or ':' right after it ("imei":, imei=, <imei>), with a value of
 * the right shape. One pass: only bytes that can start a name and follow
 * a non-name byte are looked at. */
static unsigned ch_scan(const uint8_t *p, size_t n)
{
	unsigned found = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = ch_lower(p[i]);
		if (!ch_first(c) || (i && ch_alnum(p[i - 1])))
			continue;
		found |= ch_scan_at(p, n, i, c);
	}
	return found;
}

/* "IMEI, location" for the explanation. */
static void ch_found_text(unsigned m, char *out, size_t n)
{
	static const struct { unsigned bit; const char *t; } names[] = {
		{CH_IMEI, "IMEI (device serial number)"},
		{CH_SUBSCRIBER, "SIM identity (IMSI/ICCID)"},
		{CH_PHONE, "phone number"}, {CH_PASSWORD, "password field"},
		{CH_LAT, "location"}, {CH_DEVICE_ID, "device id"},
		{CH_AD_ID, "advertising id"}, {CH_EMAIL, "e-mail address"},
	};
	size_t len = 0;
	out[0] = '\0';
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
		if (m & names[i].bit)
			ph_detect_catf(out, n, &len, "%s%s", len ? ", " : "",
				       names[i].t);
}

/* Rating of what a request exposes: medium for IMEI, SIM identity, phone
 * number, password or precise location; low otherwise. */
static enum ph_severity ch_exposure(unsigned m)
{
	bool place = (m & CH_LAT) && (m & CH_LON);
	return ((m & CH_STRONG) || place) ? PH_SEV_MEDIUM : PH_SEV_LOW;
}

/* A finding skeleton: evidence, host as matched value (fold per host). */
static void ch_begin(struct ph_finding *f, const struct ph_event *ev, int side,
		     struct ph_http_str host, const char *id)
{
	memset(f, 0, sizeof *f);
	ph_detect_evidence(f, ev, side);
	snprintf(f->id, sizeof f->id, "%s", id);
	snprintf(f->field, sizeof f->field, "http.host");
	ch_text(f->name, sizeof f->name, host);
	if (!f->name[0])
		snprintf(f->name, sizeof f->name, "%s", f->remote);
	snprintf(f->matched, sizeof f->matched, "%s", f->name);
	snprintf(f->attack, sizeof f->attack, "T1040");
}

/* "POST example.com/api/v1 (port 8080)" into out. */
static void ch_where(const struct ph_finding *f, struct ph_http_str method,
		     struct ph_http_str uri, char *out, size_t n)
{
	char m[16], path[160];
	ch_text(m, sizeof m, method);
	struct ph_http_str p = {uri.p, ch_path_len(uri)};
	ch_text(path, sizeof path, p);
	size_t len = 0;
	out[0] = '\0';
	ph_detect_catf(out, n, &len, "%s http://%s%s (port %u)",
		       m[0] ? m : "?", f->name, path,
		       (unsigned)f->remote_port);
}

static const char ch_benign_auth[] =
	" Phones rarely send passwords over plain HTTP; when they do it is "
	"usually an old router, camera or printer page, or a badly written app.";

static void ch_auth(struct ch_state *st, const struct ph_event *ev, int side,
		    const struct ph_http_msg *m)
{
	struct ph_finding f;
	bool basic = m->auth == PH_HTTP_AUTH_BASIC;
	bool weak = m->auth == PH_HTTP_AUTH_DIGEST ||
		    m->auth == PH_HTTP_AUTH_NTLM ||
		    m->auth == PH_HTTP_AUTH_NEGOTIATE;
	ch_begin(&f, ev, side, m->host, basic ? "cleartext_http.basic_auth" :
		 weak ? "cleartext_http.challenge_auth" :
		 "cleartext_http.token_auth");
	char where[256], scheme[24], user[96];
	ch_where(&f, m->method, m->uri, where, sizeof where);
	ch_text(scheme, sizeof scheme, m->auth_scheme);
	ch_text(user, sizeof user, m->username);
	f.severity = weak ? PH_SEV_LOW : PH_SEV_MEDIUM;
	f.confidence = PH_CONF_HIGH;
	snprintf(f.attack, sizeof f.attack, "T1552");
	size_t n = 0;
	snprintf(f.title, sizeof f.title, "%s login sent over unencrypted HTTP",
		 scheme[0] ? scheme : "HTTP");
	ph_detect_catf(f.explain, sizeof f.explain, &n,
		       "The device sent an HTTP %s Authorization header in "
		       "cleartext (%s)%s%s%s. ", scheme[0] ? scheme : "", where,
		       user[0] ? " for the user name \"" : "", user,
		       user[0] ? "\"" : "");
	ph_detect_catf(f.explain, sizeof f.explain, &n, "%s%s",
		       basic ? "Basic authentication carries the password "
			       "itself, readable by anyone on the network path "
			       "(the password is not shown here)." :
		       weak ? "A challenge-response login does not reveal the "
			      "password directly but can be attacked offline." :
			      "The token in it lets anyone who sees it act as "
			      "the user until it expires.", ch_benign_auth);
	snprintf(f.advice, sizeof f.advice,
		 "Change that password (and anywhere it is reused), and use the "
		 "service only over HTTPS or a trusted VPN. If no app on the "
		 "device should talk to this host, find which one does.");
	if (user[0] && basic) {
		size_t k = strlen(f.matched);
		ph_detect_catf(f.matched, sizeof f.matched, &k, " user %s", user);
	}
	ph_detect_emit(&st->base, &f);
}

/* What one upload was: from the request headers and the body scan. */
struct ch_upload_info {
	struct ph_http_str method, uri, host;
	const char *ctype;
	uint64_t size;
	bool size_known, scanned;
	unsigned found;
};

static void ch_upload(struct ch_state *st, const struct ph_event *ev,
		      int side, const struct ch_upload_info *u)
{
	struct ph_finding f;
	ch_begin(&f, ev, side, u->host, "cleartext_http.upload");
	char where[256], size[48], found[160];
	ch_where(&f, u->method, u->uri, where, sizeof where);
	if (u->size_known)
		snprintf(size, sizeof size, "%llu bytes",
			 (unsigned long long)u->size);
	else
		snprintf(size, sizeof size, "size not declared");
	ch_found_text(u->found, found, sizeof found);
	f.severity = ch_exposure(u->found);
	f.confidence = u->found ? PH_CONF_HIGH : PH_CONF_MEDIUM;
	snprintf(f.title, sizeof f.title, "%s over unencrypted HTTP",
		 f.severity >= PH_SEV_MEDIUM ? "Personal data uploaded" :
		 "Data uploaded");
	size_t n = 0;
	ph_detect_catf(f.explain, sizeof f.explain, &n,
		       "The device sent a request body without encryption: %s, "
		       "content type %s, %s. ", where,
		       u->ctype && u->ctype[0] ? u->ctype : "not given", size);
	if (u->found)
		ph_detect_catf(f.explain, sizeof f.explain, &n,
			       "It has fields named like: %s (values not shown); "
			       "anyone on the network path can read them. ",
			       found);
	else
		ph_detect_catf(f.explain, sizeof f.explain, &n,
			       "%s anyone on the path can read and alter it. ",
			       u->scanned ? "No identifier field names were "
			       "found in it, but" : "It was not searched;");
	ph_detect_catf(f.explain, sizeof f.explain, &n,
		       "Ordinary apps still upload analytics and ad data over "
		       "plain HTTP; device or SIM identifiers, passwords or "
		       "precise location sent this way are rarer and typical "
		       "of careless SDKs, adware and spyware.");
	snprintf(f.advice, sizeof f.advice,
		 "Find the app that talks to this host (time and flow uid help) "
		 "and check what it sends; remove apps that upload personal "
		 "data unencrypted, or avoid untrusted Wi-Fi while they run.");
	ph_detect_emit(&st->base, &f);
}

/* ---- request bodies in progress ---- */

static struct ch_body *ch_body_get(struct ch_state *st, uint64_t id)
{
	for (unsigned i = 0; i < st->nbodies; i++)
		if (st->bodies[i].key == id + 1)
			return &st->bodies[i];
	return NULL;
}

/* The flow's body in progress: O(1) through the flow's slot, which points
 * at its entry (checked against the entry's key, as entries are reused). */
static struct ch_body *ch_body_of(struct ch_state *st,
				  const struct ph_event *ev)
{
	if (!ev->slots)
		return ch_body_get(st, ev->conn->id);
	struct ch_body *b = ev->slots[PH_SLOT_CLEARTEXT_HTTP];
	return b && b->key == ev->conn->id + 1 ? b : NULL;
}

static void ch_body_scan(struct ch_state *st, struct ch_body *b,
			 const uint8_t *p, uint32_t n)
{
	if ((double)b->scanned >= st->scan_bytes)
		return;
	double room = st->scan_bytes - (double)b->scanned;
	if ((double)n > room)
		n = (uint32_t)room;
	uint8_t join[2 * CH_CARRY];
	uint32_t k = n < CH_CARRY ? n : CH_CARRY;
	memcpy(join, b->carry, b->ncarry);
	memcpy(join + b->ncarry, p, k);
	b->found |= ch_scan(join, b->ncarry + k) | ch_scan(p, n);
	b->scanned += n;
	if (n >= CH_CARRY) {
		memcpy(b->carry, p + n - CH_CARRY, CH_CARRY);
		b->ncarry = CH_CARRY;
	} else {
		uint32_t keep = b->ncarry + n > CH_CARRY ? CH_CARRY - n :
							   b->ncarry;
		memmove(b->carry, b->carry + b->ncarry - keep, keep);
		memcpy(b->carry + keep, p, n);
		b->ncarry = keep + n;
	}
}

static void ch_body_event(struct ch_state *st, const struct ph_event *ev,
			  int side, const struct ph_http_body *hb)
{
	struct ch_body *b = ch_body_of(st, ev);
	if (!b || hb->dir != PH_DIR_ORIG)
		return;
	if (hb->data && hb->len)
		ch_body_scan(st, b, hb->data, hb->len);
	if (!hb->end)
		return;
	const struct ph_http_txn *t = hb->txn;
	if (t && hb->body_len > 0) {
		struct ch_upload_info u = {t->method, t->uri, t->host, b->ctype,
					   hb->body_len, true, true, b->found};
		ch_upload(st, ev, side, &u);
	}
	memset(b, 0, sizeof *b);
}

/* A request with a body: scanned until its end, or rated now when the
 * table is full. */
static void ch_body_start(struct ch_state *st, const struct ph_event *ev,
			  int side, const struct ph_http_msg *m)
{
	struct ch_body *b = ch_body_of(st, ev);
	if (!b)
		b = ch_body_get(st, UINT64_MAX); /* key 0: a free entry */
	if (b) {
		memset(b, 0, sizeof *b);
		b->key = ev->conn->id + 1;
		if (ev->slots)
			ev->slots[PH_SLOT_CLEARTEXT_HTTP] = b;
		ch_text(b->ctype, sizeof b->ctype, m->content_type);
		return;
	}
	st->untracked++;
	char ct[64];
	ch_text(ct, sizeof ct, m->content_type);
	struct ch_upload_info u = {m->method, m->uri, m->host, ct,
				   m->content_length, !m->chunked, false, 0};
	ch_upload(st, ev, side, &u);
}

/* Query parameters or cookies on a non-static request. */
static void ch_params(struct ch_state *st, const struct ph_event *ev,
		      int side, const struct ph_http_msg *m, bool cookie)
{
	struct ph_finding f;
	ch_begin(&f, ev, side, m->host, cookie ? "cleartext_http.cookie" :
		 "cleartext_http.query");
	char where[256], names[200];
	ch_where(&f, m->method, m->uri, where, sizeof where);
	ch_query_names(m->uri, names, sizeof names);
	f.severity = PH_SEV_LOW;
	f.confidence = PH_CONF_HIGH;
	size_t n = 0;
	if (cookie) {
		snprintf(f.title, sizeof f.title,
			 "Cookie sent over unencrypted HTTP");
		ph_detect_catf(f.explain, sizeof f.explain, &n,
			       "The device sent a Cookie header in cleartext "
			       "(%s). Cookies often hold a login session: "
			       "someone on the path could copy it and act as "
			       "the user on that site (the cookie is not shown "
			       "here). ", where);
	} else {
		uint32_t q = ch_path_len(m->uri);
		unsigned found = ch_scan((const uint8_t *)m->uri.p + q,
					 m->uri.len - q);
		char what[160];
		ch_found_text(found, what, sizeof what);
		f.severity = ch_exposure(found);
		snprintf(f.title, sizeof f.title, "%s in an unencrypted HTTP "
			 "address", f.severity >= PH_SEV_MEDIUM ?
			 "Personal data" : "Parameters");
		ph_detect_catf(f.explain, sizeof f.explain, &n,
			       "The device requested %s with query parameters "
			       "(%s) in cleartext; their values (not shown "
			       "here) are readable on the path. ", where, names);
		if (found)
			ph_detect_catf(f.explain, sizeof f.explain, &n,
				       "Their names suggest: %s. ", what);
	}
	ph_detect_catf(f.explain, sizeof f.explain, &n,
		       "Ordinary phones still do this with some ad, analytics "
		       "and old web sites, so alone it is a privacy weakness, "
		       "not a sign of compromise.");
	snprintf(f.advice, sizeof f.advice,
		 "Prefer the HTTPS version of the site or app; if an app sends "
		 "identifiers this way, consider removing it.");
	ph_detect_emit(&st->base, &f);
}

static bool ch_has_query(struct ph_http_str uri)
{
	uint32_t i = ch_path_len(uri);
	return i + 1 < uri.len && uri.p[i] == '?';
}

static void ch_request(struct ch_state *st, const struct ph_event *ev,
		       int side, const struct ph_http_msg *m)
{
	st->requests++;
	if (m->is_connect)
		return;
	if (m->has_credentials && m->auth != PH_HTTP_AUTH_NONE)
		ch_auth(st, ev, side, m);
	if (ch_check_path(m->uri)) {
		st->checks_skipped++;
		return;
	}
	bool body = m->chunked || (m->has_content_length &&
		    (double)m->content_length >= st->min_body &&
		    m->content_length > 0);
	if (body && !ch_static_type(m->content_type))
		ch_body_start(st, ev, side, m);
	if (st->cookie && m->has_cookie)
		ch_params(st, ev, side, m, true);
	if (ch_static_path(m->uri)) {
		st->static_skipped++;
		return;
	}
	if (st->query && ch_has_query(m->uri))
		ch_params(st, ev, side, m, false);
}

/* A response whose content type is dynamic. */
static void ch_response(struct ch_state *st, const struct ph_event *ev,
			int side, const struct ph_http_msg *m)
{
	const struct ph_http_txn *t = m->txn;
	if (!st->response || m->no_body || m->status_code < 200 ||
	    m->status_code >= 300 || !m->content_type.p ||
	    (m->has_content_length && m->content_length == 0))
		return;
	if (ch_static_type(m->content_type) || ch_check_path(t->uri) ||
	    (ch_static_path(t->uri) && !ch_prefix(m->content_type, "text/html")))
		return;
	struct ph_finding f;
	ch_begin(&f, ev, side, t->host, "cleartext_http.response");
	char where[256], ct[96];
	ch_where(&f, t->method, t->uri, where, sizeof where);
	ch_text(ct, sizeof ct, m->content_type);
	f.severity = PH_SEV_LOW;
	f.confidence = PH_CONF_HIGH;
	snprintf(f.title, sizeof f.title,
		 "Dynamic content received over unencrypted HTTP");
	size_t n = 0;
	ph_detect_catf(f.explain, sizeof f.explain, &n,
		       "The reply to %s was %s (status %u) without encryption: "
		       "anyone on the path can read it or replace it (for "
		       "example inject a page, a configuration or a download). "
		       "Many ordinary apps and web sites still fetch some data "
		       "this way, so it is a weakness rather than a sign of "
		       "compromise.", where, ct, (unsigned)m->status_code);
	snprintf(f.advice, sizeof f.advice,
		 "Prefer HTTPS versions of the sites and apps involved; be "
		 "careful with what such pages ask for on untrusted Wi-Fi.");
	ph_detect_emit(&st->base, &f);
}

/* A body still open when its flow ends is dropped unrated (only on flows
 * of the devices looked at, where bodies are started). */
static void ch_flow_end(struct ch_state *st, const struct ph_event *ev)
{
	struct ch_body *b = ch_body_of(st, ev);
	if (ev->slots)
		ev->slots[PH_SLOT_CLEARTEXT_HTTP] = NULL;
	if (b && ph_detect_side(&st->base, ev->conn) >= 0)
		memset(b, 0, sizeof *b);
}

static void ch_on_event(void *state, const struct ph_event *ev)
{
	struct ch_state *st = state;
	const struct ph_http_msg *m = ev->u.proto;
	if (!ev->conn || (!m && ev->kind != PH_EV_FLOW_END))
		return;
	if (ev->kind == PH_EV_FLOW_END) {
		ch_flow_end(st, ev);
		return;
	}
	int side = ph_detect_side(&st->base, ev->conn);
	if (side < 0)
		return;
	if (ev->kind == PH_EV_HTTP_BODY)
		ch_body_event(st, ev, side, ev->u.proto);
	else if (ev->kind == PH_EV_HTTP_REQUEST && m->is_request)
		ch_request(st, ev, side, m);
	else if (ev->kind == PH_EV_HTTP_RESPONSE && !m->is_request && m->txn &&
		 m->txn->has_request)
		ch_response(st, ev, side, m);
}

static int ch_init(const struct ph_module_env *env, void **state,
		   struct ph_err *err)
{
	struct ph_detect_base base;
	if (ph_detect_base_init(&base, env) == PH_MODULE_SKIP)
		return PH_MODULE_SKIP;
	const struct ph_module *me = &ph_cleartext_http_module;
	unsigned nb = (unsigned)ph_module_option(env, me, "max_tracked");
	struct ch_state *st = calloc(1, sizeof *st);
	if (st)
		st->bodies = calloc(nb, sizeof *st->bodies);
	if (!st || !st->bodies) {
		free(st);
		return ph_err_set(err, PH_ENOMEM, "out of memory");
	}
	st->nbodies = nb;
	st->scan_bytes = ph_module_option(env, me, "scan_bytes");
	st->base = base;
	st->min_body = ph_module_option(env, me, "min_body_bytes");
	st->query = ph_module_option(env, me, "report_query") != 0;
	st->cookie = ph_module_option(env, me, "report_cookie") != 0;
	st->response = ph_module_option(env, me, "report_response") != 0;
	*state = st;
	return PH_OK;
}

static unsigned ch_counters(const void *state, struct ph_module_counter *out,
			    unsigned max)
{
	const struct ch_state *st = state;
	const struct ph_module_counter c[] = {
		{"http_requests_seen", st->requests},
		{"static_requests_skipped", st->static_skipped},
		{"connectivity_checks_skipped", st->checks_skipped},
		{"uploads_not_scanned", st->untracked},
		{"findings_dropped", st->base.dropped},
	};
	return ph_module_counters_copy(out, max, c, sizeof c / sizeof c[0]);
}

static void ch_destroy(void *state)
{
	struct ch_state *st = state;
	if (st)
		free(st->bodies);
	free(st);
}

const struct ph_module ph_cleartext_http_module = {
	.name = "cleartext_http",
	.summary = "plain HTTP carrying more than static content: uploads, "
		   "parameters, cookies, dynamic replies, passwords",
	.mask = PH_EV_HTTP_REQUEST | PH_EV_HTTP_RESPONSE | PH_EV_HTTP_BODY |
		PH_EV_FLOW_END,
	.init = ch_init,
	.on_event = ch_on_event,
	.counters = ch_counters,
	.destroy = ch_destroy,
	.options = ch_options,
	.detection = true,
};
