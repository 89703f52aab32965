/* Plain indicator lists: one indicator per line, '#' comments (a whole
 * line, or after whitespace), blank lines, CRLF, a UTF-8 BOM, hosts-file
 * lines ("0.0.0.0 name..." / "127.0.0.1 name...", localhost names
 * skipped) and defanged values ("evil[.]com", "hxxp://"). The type of
 * each value is guessed (ph_feed_guess): IP/CIDR, URL, e-mail, 32/64 hex
 * (file hash), 40 hex (certificate SHA-1: a bare SHA-1 is ambiguous and
 * lists of them in spyware feeds are signing certificates), host name.
 * Lines longer than PH_FEED_MAX_LINE are reported unsupported. */
#include <string.h>
#include <strings.h>

#include "intel/feed_int.h"

#define MAX_TOKENS 16

static bool is_hex(const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdefABCDEF", v[i]) || !v[i])
			return false;
	return true;
}

static bool only_chars(const char *v, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++)
		if (!v[i] || !strchr(set, v[i]))
			return false;
	return true;
}

static size_t count_char(const char *v, size_t n, char c)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += v[i] == c;
	return k;
}

static bool is_hostname(const char *v, size_t n)
{
	if (n == 0 || n > 254 || !memchr(v, '.', n))
		return false;
	if (v[n - 1] == '.')
		n--;
	bool alpha = false;
	size_t label = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (++label > 63)
			return false;
		if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
			alpha = true;
		else if (c >= 0x80)
			alpha = true;
		else if (!(c >= '0' && c <= '9') && c != '-' && c != '_')
			return false;
	}
	return label > 0 && alpha;
}

static bool is_email(const char *v, size_t n)
{
	const char *at = memchr(v, '@', n);
	if (!at || at == v || count_char(v, n, '@') != 1)
		return false;
	size_t dn = n - (size_t)(at + 1 - v);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] <= ' ' || v[i] == '/' || v[i] == ':')
			return false;
	return is_hostname(at + 1, dn);
}

/* "t13d1516h2_8daaf6152771_b186095e22b6": a JA4 (or JA4 with 'q'/'d'
 * for QUIC/DTLS): 10 characters, '_', 12 hex, '_', 12 hex. */
static bool is_ja4(const char *v, size_t n)
{
	if (n != 36 || v[10] != '_' || v[23] != '_' || !memchr("tqd", v[0], 3))
		return false;
	return only_chars(v, 10, "0123456789abcdefghijklmnopqrstuvwxyz") &&
	       is_hex(v + 11, 12) && is_hex(v + 24, 12);
}

static bool is_url(const char *v, size_t n)
{
	size_t i = 0;
	while (i < n && ((v[i] | 0x20) >= 'a' && (v[i] | 0x20) <= 'z'))
		i++;
	return i > 0 && n - i > 3 && !memcmp(v + i, "://", 3);
}

int ph_feed_guess(const char **vp, size_t *np, const char **why)
{
	const char *v = *vp;
	size_t n = *np;
	if (n >= 2 && v[0] == '*' && v[1] == '.')
		v += 2, n -= 2;
	else if (n >= 2 && v[0] == '.' && v[1] != '.')
		v += 1, n -= 1;
	*vp = v;
	*np = n;
	*why = "not an indicator";
	if (n == 0) {
		*why = "empty value";
		return -1;
	}
	if (is_url(v, n))
		return PH_IOC_URL;
	if (memchr(v, '@', n)) {
		*why = "not an e-mail address";
		return is_email(v, n) ? PH_IOC_EMAIL : -1;
	}
	if (is_hex(v, n) && (n == 32 || n == 64))
		return PH_IOC_FILE_HASH;
	if (is_hex(v, n) && n == 40)
		return PH_IOC_CERT_SHA1;
	if (is_ja4(v, n))
		return PH_IOC_JA4;
	if (only_chars(v, n, "0123456789./") && count_char(v, n, '.') == 3)
		return PH_IOC_IP;
	if (count_char(v, n, ':') >= 2 &&
	    only_chars(v, n, "0123456789abcdefABCDEF:./"))
		return PH_IOC_IP;
	return is_hostname(v, n) ? PH_IOC_DOMAIN : -1;
}

/* "AB:CD:...": a SHA-1 (59 chars) or SHA-256 (95) fingerprint written
 * with colons, as openssl and browsers print them; compacted in place
 * to bare hex. Returns the new length (n when it is not one). */
static size_t compact_fingerprint(char *v, size_t n)
{
	if (n != 59 && n != 95)
		return n;
	for (size_t i = 2; i < n; i += 3)
		if (v[i] != ':')
			return n;
	size_t o = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i] != ':')
			v[o++] = v[i];
	return is_hex(v, o) ? o : n;
}

/* Copies (v, n) into out (cap PH_FEED_MAX_LINE) undoing the usual
 * defanging: [.] (.) {.} [dot] -> '.', [:] -> ':', [@] -> '@',
 * hxxp -> http. Returns the new length. */
static size_t refang(const char *v, size_t n, char *out)
{
	static const struct { const char *from, *to; } subs[] = {
		{"[.]", "."}, {"(.)", "."}, {"{.}", "."}, {"[dot]", "."},
		{"[:]", ":"}, {"[@]", "@"}, {"[at]", "@"},
	};
	size_t o = 0, i = 0;
	if (n >= 4 && strncasecmp(v, "hxxp", 4) == 0) {
		memcpy(out, "http", 4);
		o = i = 4;
	}
	while (i < n && o < PH_FEED_MAX_LINE) {
		size_t k = 0;
		for (; k < sizeof subs / sizeof subs[0]; k++) {
			size_t fl = strlen(subs[k].from);
			if (n - i >= fl && !strncasecmp(v + i, subs[k].from, fl))
				break;
		}
		if (k < sizeof subs / sizeof subs[0]) {
			out[o++] = subs[k].to[0];
			i += strlen(subs[k].from);
		} else {
			out[o++] = v[i++];
		}
	}
	return o;
}

static int emit_token(const char *t, size_t n, unsigned line,
		      const struct ph_feed_sink *sink)
{
	char buf[PH_FEED_MAX_LINE];
	const char *v = buf;
	size_t vn = compact_fingerprint(buf, refang(t, n, buf));
	const char *why;
	int type = ph_feed_guess(&v, &vn, &why);
	if (type < 0) {
		ph_feed_unsup(sink, t, n, line, why);
		return 0;
	}
	return ph_feed_emit(sink, (enum ph_ioc_type)type, v, vn, NULL, NULL,
			    NULL, NULL, line);
}

static bool is_sink_addr(const char *t, size_t n)
{
	static const char *const a[] = {"0.0.0.0", "127.0.0.1", "::", "::1",
					"0::0", "::0", "127.0.1.1",
					"255.255.255.255", "fe80::1%lo0",
					"ff02::1", "ff02::2"};
	for (size_t i = 0; i < sizeof a / sizeof a[0]; i++)
		if (ph_feed_eq(t, n, a[i]))
			return true;
	return false;
}

static bool is_local_name(const char *t, size_t n)
{
	static const char *const a[] = {
		"localhost", "localhost.localdomain", "local", "broadcasthost",
		"ip6-localhost", "ip6-loopback", "ip6-localnet",
		"ip6-mcastprefix", "ip6-allnodes", "ip6-allrouters",
		"ip6-allhosts", "0.0.0.0"};
	for (size_t i = 0; i < sizeof a / sizeof a[0]; i++)
		if (ph_feed_eq(t, n, a[i]))
			return true;
	return false;
}

/* Splits s into whitespace-separated tokens; returns their number (may
 * exceed max, then only max are stored). */
static size_t split(const char *s, size_t n, const char **tok, size_t *tl,
		    size_t max)
{
	size_t k = 0, i = 0;
	while (i < n) {
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		size_t b = i;
		while (i < n && s[i] != ' ' && s[i] != '\t')
			i++;
		if (i > b) {
			if (k < max) {
				tok[k] = s + b;
				tl[k] = i - b;
			}
			k++;
		}
	}
	return k;
}

/* Cuts a '#' comment (at the start or after whitespace). */
static size_t cut_comment(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '#' && (i == 0 || s[i - 1] == ' ' ||
				    s[i - 1] == '\t'))
			return i;
	return n;
}

/* One line: <0 to stop, 0 when blank or a comment, 1 otherwise. */
static int plain_line(const char *s, size_t n, unsigned line,
		      const struct ph_feed_sink *sink)
{
	if (n > PH_FEED_MAX_LINE) {
		ph_feed_unsup(sink, s, 160, line, "line too long");
		return 1;
	}
	const char *tok[MAX_TOKENS];
	size_t tl[MAX_TOKENS];
	size_t k = split(s, cut_comment(s, n), tok, tl, MAX_TOKENS);
	if (k == 0)
		return 0;
	if (k > 1 && k <= MAX_TOKENS && is_sink_addr(tok[0], tl[0])) {
		for (size_t i = 1; i < k; i++) {
			if (is_local_name(tok[i], tl[i]))
				continue;
			int rc = emit_token(tok[i], tl[i], line, sink);
			if (rc < 0)
				return rc;
		}
		return 1;
	}
	if (k > 1) {
		ph_feed_unsup(sink, s, n, line, "several values on one line");
		return 1;
	}
	int rc = emit_token(tok[0], tl[0], line, sink);
	return rc < 0 ? rc : 1;
}

int ph_feed_plain_lines(const uint8_t *buf, size_t len, unsigned max_lines,
			const struct ph_feed_sink *sink)
{
	size_t i = len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3) ? 3 : 0;
	unsigned line = 0, content = 0;
	while (i < len && (max_lines == 0 || content < max_lines)) {
		const uint8_t *nl = memchr(buf + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - buf) : len;
		size_t n = e - i;
		if (n && buf[e - 1] == '\r')
			n--;
		int rc = plain_line((const char *)buf + i, n, ++line, sink);
		if (rc < 0)
			return rc;
		content += (unsigned)rc;
		i = e + 1;
	}
	return 0;
}

int ph_feed_plain_load(const char *path, const uint8_t *buf, size_t len,
		       const struct ph_feed_sink *sink, struct ph_err *err)
{
	const uint8_t *nul = memchr(buf, 0, len);
	if (nul)
		return ph_feed_fail(err, PH_EFORMAT, path, buf,
				    (size_t)(nul - buf),
				    "binary data in a text list");
	return ph_feed_plain_lines(buf, len, 0, sink);
}
