/* The field an identifier was found in, for the pii detection: from the
 * at most 256 bytes before the match, the URL query parameter
 * ("http.uri:imei"), HTTP header ("http.header:X-Device-Id"), JSON key
 * ("json:device_id"), form field ("form:email"), the request URI
 * ("http.uri"), or the raw channel ("tcp.payload", "udp.payload"); DNS
 * names and SNI are named by channel. A heuristic looking back over the
 * value to its delimiter; it never reads before w and allocates nothing. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "detect/pii_scan.h"

#define CTX_WINDOW 256u  /* bytes looked at before the match */
#define CTX_VALUE 160u   /* value bytes skipped back to the delimiter */
#define CTX_NAME 48u     /* bytes of a key name */

static bool delim(uint8_t c)
{
	return strchr("\"'=:&?;,{[\n\r \t<>", c) != NULL && c != '\0';
}

/* The line the match is on: start index, or -1 when the window holds no
 * line start (the line is longer than the window). */
static long line_start(const uint8_t *w, size_t n, size_t lim)
{
	for (size_t i = n; i > lim; i--)
		if (w[i - 1] == '\n')
			return (long)i;
	return lim == 0 ? 0 : -1;
}

/* "GET /..." / "POST http://...": an HTTP request line. */
static bool request_line(const uint8_t *l, size_t n)
{
	size_t i = 0;
	while (i < n && i < 12 && l[i] >= 'A' && l[i] <= 'Z')
		i++;
	return i >= 3 && i < n && l[i] == ' ' && i + 1 < n &&
	       (l[i + 1] == '/' || l[i + 1] == 'h' || l[i + 1] == '*');
}

/* "Name: ..." : length of the header name, else 0. */
static size_t header_name(const uint8_t *l, size_t n)
{
	size_t i = 0;
	while (i < n && i <= CTX_NAME && (isalnum(l[i]) || l[i] == '-' ||
					  l[i] == '_'))
		i++;
	return i > 0 && i < n && i <= CTX_NAME && l[i] == ':' ? i : 0;
}

/* Printable copy of a key name. */
static void put(char *out, size_t cap, const char *prefix,
		const uint8_t *k, size_t kn)
{
	char name[CTX_NAME + 1];
	size_t j = 0;
	for (size_t i = 0; i < kn && j < CTX_NAME; i++)
		name[j++] = (k[i] > 0x20 && k[i] < 0x7f) ? (char)k[i] : '?';
	name[j] = '\0';
	snprintf(out, cap, "%s%s%s", prefix, j ? ":" : "", name);
}

/* The token before w[e] (exclusive), back to a delimiter: start index. */
static size_t token_back(const uint8_t *w, size_t e, size_t lim)
{
	size_t s = e;
	while (s > lim && e - s < CTX_NAME && !delim(w[s - 1]))
		s--;
	return s;
}

/* "key": / "key" : before w[e] -> key span; false when absent. */
static bool json_key(const uint8_t *w, size_t e, size_t lim, size_t *ks,
		     size_t *ke)
{
	while (e > lim && (w[e - 1] == ' ' || w[e - 1] == '\t'))
		e--;
	if (e <= lim || w[e - 1] != ':')
		return false;
	e--;
	while (e > lim && (w[e - 1] == ' ' || w[e - 1] == '\t'))
		e--;
	if (e <= lim || w[e - 1] != '"')
		return false;
	size_t s = e - 1;
	while (s > lim && e - s < CTX_NAME && w[s - 1] != '"')
		s--;
	if (s <= lim || w[s - 1] != '"')
		return false;
	*ks = s;
	*ke = e - 1;
	return true;
}

void pii_context_field(const uint8_t *w, size_t n, enum pii_chan ch,
		       char *out, size_t cap)
{
	static const char *const chan[] = {"tcp.payload", "udp.payload",
					   "dns.query", "tls.sni", "quic.sni",
					   "tcp.payload", "http.body.gzip"};
	if (ch == PII_DNS || ch == PII_SNI || ch == PII_QUIC_SNI) {
		snprintf(out, cap, "%s", chan[ch]);
		return;
	}
	size_t lim = n > CTX_WINDOW ? n - CTX_WINDOW : 0;
	long ls = line_start(w, n, lim);
	const uint8_t *line = ls >= 0 ? w + ls : NULL;
	size_t ll = ls >= 0 ? n - (size_t)ls : 0;
	bool req = ch == PII_HTTP && line && request_line(line, ll);
	size_t hn = ch == PII_HTTP && line && !req ? header_name(line, ll) : 0;
	/* back over the value to its delimiter */
	size_t i = n;
	while (i > lim && n - i < CTX_VALUE && !delim(w[i - 1]))
		i--;
	size_t ks, ke;
	if (i > lim && w[i - 1] == '=') {
		size_t s = token_back(w, i - 1, lim);
		bool q = s > lim && w[s - 1] == '?';
		if (hn)
			put(out, cap, "http.header", line, hn);
		else
			put(out, cap, req || q ? "http.uri" :
				      ch == PII_HTTP_ZBODY ? "gzip.form" : "form",
			    w + s, i - 1 - s);
		return;
	}
	if (hn) {
		put(out, cap, "http.header", line, hn);
		return;
	}
	size_t e = i > lim && (w[i - 1] == '"' || w[i - 1] == '\'') ? i - 1 : i;
	if (json_key(w, e, lim, &ks, &ke)) {
		put(out, cap, ch == PII_HTTP_ZBODY ? "gzip.json" : "json",
		    w + ks, ke - ks);
		return;
	}
	snprintf(out, cap, "%s", req ? "http.uri" : chan[ch]);
}
