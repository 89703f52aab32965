/* HTTP/1.x header blocks (RFC 9112 sections 3-5): the request line and the
 * status line parsed the way Zeek's HTTP analyzer does (HTTP.cc: URI ends
 * where whitespace + "HTTP/" begins, missing version = HTTP/0.9, status
 * code 0 when not three digits), then the header lines, indexed up to
 * PH_HTTP_MAX_HEADERS, with the fields later stages use picked out. Also
 * the protocol sniffers for the first bytes of a flow and the small
 * magic-byte MIME sniffer for bodies. The caller hands a complete block;
 * every read here stays inside [p, p + n). Stream framing is http.c's. */
#include <string.h>

#include "proto/http_int.h"

/* Methods accepted as the first bytes of an HTTP flow (Zeek's
 * HTTP::http_methods plus PATCH, NOTIFY and UNSUBSCRIBE). */
static const char *const methods[] = {
	"GET",	     "POST",	  "HEAD",      "PUT",	    "DELETE",
	"OPTIONS",   "CONNECT",	  "TRACE",     "PATCH",	    "PROPFIND",
	"PROPPATCH", "MKCOL",	  "COPY",      "MOVE",	    "LOCK",
	"UNLOCK",    "POLL",	  "REPORT",    "SUBSCRIBE", "UNSUBSCRIBE",
	"BMOVE",     "SEARCH",	  "NOTIFY",
};

static bool starts_with(const uint8_t *p, size_t n, const char *lit,
			size_t litlen, bool *maybe)
{
	size_t k = n < litlen ? n : litlen;
	if (memcmp(p, lit, k) != 0)
		return false;
	if (n < litlen) {
		*maybe = true;
		return false;
	}
	return true;
}

bool ph_http_is_request_start(const uint8_t *p, size_t n, bool *maybe)
{
	char word[16];
	*maybe = false;
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
		size_t m = strlen(methods[i]);
		memcpy(word, methods[i], m);
		word[m] = ' ';
		if (starts_with(p, n, word, m + 1, maybe))
			return true;
	}
	return false;
}

bool ph_http_is_response_start(const uint8_t *p, size_t n, bool *maybe)
{
	*maybe = false;
	return starts_with(p, n, "HTTP/1.", 7, maybe);
}

bool ph_http_ieq(const char *p, size_t n, const char *lit)
{
	size_t i = 0;
	for (; i < n && lit[i]; i++) {
		unsigned char a = (unsigned char)p[i], b = (unsigned char)lit[i];
		if (a >= 'A' && a <= 'Z')
			a = (unsigned char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (unsigned char)(b - 'A' + 'a');
		if (a != b)
			return false;
	}
	return i == n && lit[i] == '\0';
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t';
}

static const char *skip_ws(const char *s, const char *e)
{
	while (s < e && is_ws(*s))
		s++;
	return s;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Zeek's is_HTTP_token_char (RFC 2616 token). */
static bool is_token_char(unsigned char c)
{
	return c > 31 && c < 127 && !strchr(" \t()<>@,;:\\\"/[]?={}", c);
}

/* RFC 3986 reserved and unreserved characters, and '%'. */
static bool is_uri_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') ||
	       (c && strchr(":/?#[]@!$&'()*+,;=-_.~%", c));
}

static bool prefix(const char *s, const char *e, const char *lit)
{
	size_t n = strlen(lit);
	return (size_t)(e - s) >= n && memcmp(s, lit, n) == 0;
}

static struct ph_http_str mkstr(const char *s, const char *e)
{
	struct ph_http_str r = {s, (uint32_t)(e - s)};
	return r;
}

/* "1.1" at s: sets the version fields; false when not d.d. */
static bool parse_version(const char *s, const char *e, struct ph_http_msg *m)
{
	if (e - s < 3 || !is_digit(s[0]) || s[1] != '.' || !is_digit(s[2]))
		return false;
	m->version = mkstr(s, s + 3);
	m->ver_major = (uint8_t)(s[0] - '0');
	m->ver_minor = (uint8_t)(s[2] - '0');
	return true;
}

/* A trailing "PROTO/d" word other than HTTP (RTSP/1.0, SIP/2.0). */
static bool other_protocol(const char *s, const char *e)
{
	while (e > s && is_ws(e[-1]))
		e--;
	const char *w = e;
	while (w > s && !is_ws(w[-1]))
		w--;
	const char *slash = memchr(w, '/', (size_t)(e - w));
	if (!slash || slash == w || slash + 1 >= e || !is_digit(slash[1]))
		return false;
	for (const char *q = w; q < slash; q++)
		if (*q < 'A' || *q > 'Z')
			return false;
	return true;
}

/* Zeek's ParseRequest: the URI runs over URI characters, then up to the
 * first whitespace that is followed by "HTTP/". */
static void parse_target(const char *s, const char *e, struct ph_http_parsed *o)
{
	struct ph_http_msg *m = &o->msg;
	const char *u = s;
	while (u < e && is_uri_char((unsigned char)*u))
		u++;
	if (u >= e && prefix(s, e, "HTTP/"))
		u = s; /* missing URI */
	const char *v = u, *end_uri = e;
	bool found = false;
	while (v < e) {
		const char *w = skip_ws(v, e);
		if (prefix(w, e, "HTTP/")) {
			end_uri = v;
			v = w;
			found = true;
			break;
		}
		v = w > v ? w : v + 1;
	}
	if (!found) { /* HTTP/0.9 */
		o->other_protocol = other_protocol(s, e);
		while (end_uri > s && is_ws(end_uri[-1]))
			end_uri--;
	} else if (!parse_version(v + 5, e, m)) {
		m->version = mkstr(v + 5, e); /* kept as sent */
	}
	size_t ulen = (size_t)(end_uri - s);
	if (ulen > PH_HTTP_URI_MAX) {
		ulen = PH_HTTP_URI_MAX;
		m->uri_truncated = true;
	}
	m->uri = mkstr(s, s + ulen);
}

static int parse_request_line(const char *s, const char *e,
			      struct ph_http_parsed *o)
{
	struct ph_http_msg *m = &o->msg;
	const char *t = s;
	while (t < e && is_token_char((unsigned char)*t))
		t++;
	if (t == s || t - s > 32)
		return -1;
	const char *rest = skip_ws(t, e);
	if (rest == t)
		return -1;
	m->method = mkstr(s, t);
	parse_target(rest, e, o);
	if (!m->version.p && (t - s < 3 || m->uri.len == 0))
		return -1; /* Zeek: 0.9 needs a 3-letter method and a URI */
	m->is_connect = ph_http_ieq(s, (size_t)(t - s), "CONNECT");
	m->is_proxy_request = m->uri.len > 7 &&
			      (ph_http_ieq(m->uri.p, 7, "http://") ||
			       (m->uri.len > 8 && ph_http_ieq(m->uri.p, 8, "https://")));
	return 0;
}

/* Zeek's HTTP_ReplyLine: "HTTP/" version, blanks, code, blanks, reason. */
static int parse_status_line(const char *s, const char *e, struct ph_http_msg *m)
{
	if (!prefix(s, e, "HTTP/"))
		return -1;
	const char *r = s + 5;
	if (!parse_version(r, e, m))
		m->version = mkstr(r, r); /* Zeek logs "0.0"; keep empty */
	while (r < e && !is_ws(*r))
		r++;
	if (r >= e)
		return -1;
	r = skip_ws(r, e);
	if (e - r < 3)
		return -1;
	if (is_digit(r[0]) && is_digit(r[1]) && is_digit(r[2]))
		m->status_code = (uint16_t)((r[0] - '0') * 100 +
					    (r[1] - '0') * 10 + (r[2] - '0'));
	for (r += 3; r < e && !is_ws(*r); r++)
		;
	if (r < e)
		m->reason = mkstr(skip_ws(r, e), e);
	return 0;
}

/* Decimal Content-Length; false on anything else (or > 2^62). */
static bool parse_length(struct ph_http_str v, uint64_t *out)
{
	uint64_t n = 0;
	if (v.len == 0)
		return false;
	for (uint32_t i = 0; i < v.len; i++) {
		if (!is_digit(v.p[i]) || n > (1ull << 62) / 10)
			return false;
		n = n * 10 + (uint64_t)(v.p[i] - '0');
	}
	*out = n;
	return true;
}

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Decodes base64 up to the first non-alphabet byte into out (cap bytes);
 * returns the bytes written. */
static size_t b64_decode(const char *s, size_t n, char *out, size_t cap)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t w = 0;
	for (size_t i = 0; i < n && w < cap; i++) {
		int v = b64val((unsigned char)s[i]);
		if (v < 0)
			break;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[w++] = (char)((acc >> bits) & 0xff);
		}
	}
	return w;
}

/* Basic credentials: the user name only (up to ':'); the secret after it
 * is never copied out of the decode buffer's first part. */
static void basic_user(struct ph_http_str cred, struct ph_http_parsed *o)
{
	char tmp[PH_HTTP_USER_MAX * 2];
	size_t n = b64_decode(cred.p, cred.len, tmp, sizeof tmp);
	const char *colon = memchr(tmp, ':', n);
	struct ph_http_msg *m = &o->msg;
	if (!colon) {
		static const char bad[] = "<problem-decoding>";
		memcpy(o->user_buf, bad, sizeof bad - 1);
		m->username.len = sizeof bad - 1;
	} else {
		size_t u = (size_t)(colon - tmp);
		if (u > PH_HTTP_USER_MAX)
			u = PH_HTTP_USER_MAX;
		memcpy(o->user_buf, tmp, u);
		m->username.len = (uint32_t)u;
	}
	m->username.p = o->user_buf;
	memset(tmp, 0, sizeof tmp); /* do not leave the secret on the stack */
}

static const struct {
	const char *name;
	enum ph_http_auth auth;
} schemes[] = {
	{"basic", PH_HTTP_AUTH_BASIC},	 {"bearer", PH_HTTP_AUTH_BEARER},
	{"digest", PH_HTTP_AUTH_DIGEST}, {"ntlm", PH_HTTP_AUTH_NTLM},
	{"negotiate", PH_HTTP_AUTH_NEGOTIATE},
};

/* Authorization / Proxy-Authorization: scheme, credential presence and
 * the Basic user name (Zeek reads it from either header). */
static void parse_auth(struct ph_http_str v, bool proxy, struct ph_http_parsed *o)
{
	struct ph_http_msg *m = &o->msg;
	const char *s = v.p, *e = v.p + v.len, *t = s;
	while (t < e && !is_ws(*t))
		t++;
	struct ph_http_str cred = mkstr(skip_ws(t, e), e);
	enum ph_http_auth a = PH_HTTP_AUTH_OTHER;
	for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
		if (ph_http_ieq(s, (size_t)(t - s), schemes[i].name))
			a = schemes[i].auth;
	if (a == PH_HTTP_AUTH_BASIC && t < e && !m->username.p)
		basic_user(cred, o);
	if (proxy) {
		m->has_proxy_auth = true;
		return;
	}
	m->auth = a;
	m->auth_scheme = mkstr(s, t);
	m->has_credentials = cred.len > 0;
}

/* Zeek's HTTP::proxy_headers. */
static bool is_proxy_header(struct ph_http_str n)
{
	static const char *const names[] = {
		"forwarded", "x-forwarded-for", "x-forwarded-from", "client-ip",
		"via", "xroxy-connection", "proxy-connection",
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (ph_http_ieq(n.p, n.len, names[i]))
			return true;
	return false;
}

/* filename="x" or filename=x in a Content-Disposition value. */
static struct ph_http_str disposition_filename(struct ph_http_str v)
{
	struct ph_http_str r = {NULL, 0};
	const char *s = v.p, *e = v.p + v.len;
	for (const char *q = s; q + 9 <= e; q++) {
		if (!ph_http_ieq(q, 9, "filename="))
			continue;
		q += 9;
		if (q < e && *q == '"') {
			const char *c = memchr(q + 1, '"', (size_t)(e - q - 1));
			return mkstr(q + 1, c ? c : e);
		}
		const char *c = q;
		while (c < e && *c != ';' && !is_ws(*c))
			c++;
		return mkstr(q, c);
	}
	return r;
}

static bool has_token(struct ph_http_str v, const char *tok)
{
	size_t n = strlen(tok);
	for (uint32_t i = 0; i + n <= v.len; i++)
		if (ph_http_ieq(v.p + i, n, tok))
			return true;
	return false;
}

/* Request-only headers that Zeek logs. */
static bool request_header(struct ph_http_str n, struct ph_http_str v,
			   struct ph_http_parsed *o)
{
	struct ph_http_msg *m = &o->msg;
	if (ph_http_ieq(n.p, n.len, "host"))
		m->host = v;
	else if (ph_http_ieq(n.p, n.len, "user-agent"))
		m->user_agent = v;
	else if (ph_http_ieq(n.p, n.len, "referer"))
		m->referer = v;
	else if (ph_http_ieq(n.p, n.len, "origin"))
		m->origin = v;
	else if (ph_http_ieq(n.p, n.len, "cookie"))
		m->has_cookie = true;
	else if (ph_http_ieq(n.p, n.len, "authorization"))
		parse_auth(v, false, o);
	else if (ph_http_ieq(n.p, n.len, "proxy-authorization"))
		parse_auth(v, true, o);
	else if (is_proxy_header(n)) {
		if (o->nproxied < PH_HTTP_MAX_PROXIED) {
			o->proxied[o->nproxied].name = n;
			o->proxied[o->nproxied++].value = v;
		}
	} else
		return false;
	return true;
}

static void one_header(struct ph_http_str n, struct ph_http_str v,
		       struct ph_http_parsed *o)
{
	struct ph_http_msg *m = &o->msg;
	if (m->is_request && request_header(n, v, o))
		return;
	if (ph_http_ieq(n.p, n.len, "content-type"))
		m->content_type = v;
	else if (ph_http_ieq(n.p, n.len, "content-length")) {
		uint64_t len = 0;
		/* Zeek: an unparsable length counts as 0 */
		m->has_content_length = true;
		m->content_length = parse_length(v, &len) ? len : 0;
	} else if (ph_http_ieq(n.p, n.len, "transfer-encoding"))
		m->chunked = has_token(v, "chunked");
	else if (ph_http_ieq(n.p, n.len, "set-cookie"))
		m->has_cookie = true;
	else if (ph_http_ieq(n.p, n.len, "connection"))
		o->upgrade = o->upgrade || has_token(v, "upgrade");
	else if (ph_http_ieq(n.p, n.len, "content-disposition"))
		o->disposition_name = disposition_filename(v);
}

static void add_header(const char *s, const char *e, struct ph_http_header *idx,
		       struct ph_http_parsed *o)
{
	struct ph_http_msg *m = &o->msg;
	if (is_ws(*s)) { /* obsolete line folding: extend the last value */
		if (m->nheaders && m->header_count == m->nheaders) {
			struct ph_http_str *v = &idx[m->nheaders - 1].value;
			while (e > s && is_ws(e[-1]))
				e--;
			if (e > v->p + v->len)
				v->len = (uint32_t)(e - v->p);
		}
		return;
	}
	const char *c = memchr(s, ':', (size_t)(e - s));
	if (!c)
		return; /* not a header line: ignored, as Zeek's MIME parser */
	const char *ne = c;
	while (ne > s && is_ws(ne[-1]))
		ne--;
	const char *vs = skip_ws(c + 1, e), *ve = e;
	while (ve > vs && is_ws(ve[-1]))
		ve--;
	struct ph_http_str n = mkstr(s, ne), v = mkstr(vs, ve);
	m->header_count++;
	if (m->nheaders < PH_HTTP_MAX_HEADERS) {
		idx[m->nheaders].name = n;
		idx[m->nheaders++].value = v;
	} else {
		o->headers_truncated = true;
	}
	one_header(n, v, o);
}

/* The end of the line starting at s (before CR LF / LF) and the start of
 * the next one. */
static const char *line_end(const char *s, const char *e, const char **next)
{
	const char *lf = memchr(s, '\n', (size_t)(e - s));
	if (!lf) {
		*next = e;
		return e;
	}
	*next = lf + 1;
	return lf > s && lf[-1] == '\r' ? lf - 1 : lf;
}

int ph_http_parse_block(const char *p, size_t n, bool request,
			struct ph_http_header *scratch,
			struct ph_http_parsed *out)
{
	memset(out, 0, offsetof(struct ph_http_parsed, user_buf));
	struct ph_http_msg *m = &out->msg;
	m->is_request = request;
	m->headers = scratch;
	const char *e = p + n, *next;
	const char *le = line_end(p, e, &next);
	int rc = request ? parse_request_line(p, le, out)
			 : parse_status_line(p, le, m);
	if (rc < 0)
		return -1;
	for (const char *s = next; s < e; s = next) {
		le = line_end(s, e, &next);
		if (le == s)
			break; /* the empty line */
		add_header(s, le, scratch, out);
	}
	return 0;
}

/* ---- body MIME sniffing ------------------------------------------------ */

static bool ci_prefix(const uint8_t *p, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	return n >= k && ph_http_ieq((const char *)p, k, lit);
}

/* A zip whose first entry is an Android package member. */
static bool is_apk(const uint8_t *p, size_t n)
{
	static const char *const members[] = {
		"AndroidManifest.xml", "classes.dex", "resources.arsc",
		"META-INF/com/android/",
	};
	if (n < 30)
		return false;
	size_t nl = (size_t)p[26] | ((size_t)p[27] << 8);
	if (nl > n - 30)
		nl = n - 30;
	for (size_t i = 0; i < sizeof members / sizeof members[0]; i++) {
		size_t k = strlen(members[i]);
		if (nl >= k && memcmp(p + 30, members[i], k) == 0)
			return true;
	}
	return false;
}

static const char *sniff_text(const uint8_t *p, size_t n)
{
	size_t i = 0;
	if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		i = 3; /* UTF-8 byte order mark */
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' ||
			 p[i] == '\n'))
		i++;
	p += i;
	n -= i;
	if (n >= 2 && p[0] == '{') { /* Zeek's file-json: '{' blanks '"' */
		size_t j = 1;
		while (j < n && (p[j] == ' ' || p[j] == '\t' || p[j] == '\r' ||
				 p[j] == '\n'))
			j++;
		if (j < n && p[j] == '"')
			return "text/json";
	}
	if (ci_prefix(p, n, "<!doctype html") || ci_prefix(p, n, "<html") ||
	    ci_prefix(p, n, "<head") || ci_prefix(p, n, "<body"))
		return "text/html";
	if (ci_prefix(p, n, "<?xml"))
		return "application/xml";
	return NULL;
}

const char *ph_http_sniff_mime(const uint8_t *p, size_t n)
{
	static const struct {
		const char *magic;
		size_t len;
		const char *mime;
	} tab[] = {
		{"MZ", 2, "application/x-dosexec"},
		{"\x7f" "ELF", 4, "application/x-executable"},
		{"\x89PNG\r\n\x1a\n", 8, "image/png"},
		{"\xff\xd8\xff", 3, "image/jpeg"},
		{"GIF87a", 6, "image/gif"},
		{"GIF89a", 6, "image/gif"},
		{"%PDF-", 5, "application/pdf"},
		{"\x1f\x8b", 2, "application/x-gzip"},
		{"dex\n", 4, "application/vnd.android.dex"},
		{"#!", 2, "text/x-shellscript"},
		{"RIFF", 4, "application/x-riff"},
	};
	if (n >= 4 && memcmp(p, "PK\x03\x04", 4) == 0)
		return is_apk(p, n) ? "application/vnd.android.package-archive"
				    : "application/zip";
	for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
		if (n >= tab[i].len && memcmp(p, tab[i].magic, tab[i].len) == 0)
			return tab[i].mime;
	return sniff_text(p, n);
}
