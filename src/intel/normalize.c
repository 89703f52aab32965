/* Indicator normalisation (see normalize.h): one canonical spelling per
 * value, so that the store compares bytes. Domains follow RFC 1035 sizes
 * and UTS #46 (libidn2) for IDNs; URLs follow RFC 3986 section 6.2.2;
 * addresses go through inet_pton/inet_ntop. Inputs are length-delimited
 * and may hold any byte; outputs are NUL-terminated in caller buffers. */
#include "intel/normalize.h"

#include <arpa/inet.h>
#include <idn2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void trim(const char **s, size_t *len)
{
	while (*len && is_blank((unsigned char)(*s)[0])) {
		(*s)++;
		(*len)--;
	}
	while (*len && is_blank((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (unsigned char)lower((char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Checks an ASCII, lowercased name in place: labels of [a-z0-9_-]. */
static int check_name(const char *s, size_t len)
{
	size_t lab = 0;
	if (len == 0 || len > PH_INTEL_NAME_MAX)
		return PH_EINVAL;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '.') {
			if (lab == 0)
				return PH_EINVAL;
			lab = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return PH_EINVAL;
		if (++lab > PH_INTEL_LABEL_MAX)
			return PH_EINVAL;
	}
	return lab ? PH_OK : PH_EINVAL;
}

/* Non-ASCII name to punycode through libidn2 (which allocates). */
static int idn_to_ascii(const char *s, size_t len, char *out, size_t cap)
{
	char tmp[PH_INTEL_IN_MAX + 1];
	uint8_t *res = NULL;
	if (len > PH_INTEL_IN_MAX || memchr(s, 0, len))
		return PH_EINVAL;
	memcpy(tmp, s, len);
	tmp[len] = 0;
	int rc = idn2_lookup_u8((const uint8_t *)tmp, &res,
				IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
	if (rc != IDN2_OK)
		rc = idn2_lookup_u8((const uint8_t *)tmp, &res,
				    IDN2_NFC_INPUT | IDN2_TRANSITIONAL);
	if (rc != IDN2_OK)
		return PH_EINVAL;
	size_t n = strlen((const char *)res);
	if (n >= cap) {
		idn2_free(res);
		return PH_EINVAL;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = lower((char)res[i]);
	out[n] = 0;
	idn2_free(res);
	return (int)n;
}

static bool has_high_byte(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return true;
	return false;
}

int ph_intel_norm_domain(const char *in, size_t len, char *out, size_t cap)
{
	trim(&in, &len);
	if (len >= 2 && in[0] == '*' && in[1] == '.') {
		in += 2;
		len -= 2;
	} else if (len && in[0] == '.') {
		in++;
		len--;
	}
	if (len && in[len - 1] == '.')
		len--;
	if (len == 0 || cap <= PH_INTEL_NAME_MAX)
		return PH_EINVAL;
	int n;
	if (has_high_byte(in, len)) {
		n = idn_to_ascii(in, len, out, cap);
		if (n < 0)
			return n;
		if (n && out[n - 1] == '.')
			out[--n] = 0;
	} else {
		if (len > PH_INTEL_NAME_MAX)
			return PH_EINVAL;
		for (size_t i = 0; i < len; i++)
			out[i] = lower(in[i]);
		n = (int)len;
		out[n] = 0;
	}
	return check_name(out, (size_t)n) < 0 ? PH_EINVAL : n;
}

int ph_intel_norm_hex(enum ph_ioc_type t, const char *in, size_t len,
		      char *out, size_t cap)
{
	bool cert = t == PH_IOC_CERT_SHA1 || t == PH_IOC_CERT_SHA256;
	size_t n = 0;
	trim(&in, &len);
	for (size_t i = 0; i < len; i++) {
		if (cert && in[i] == ':')
			continue;
		if (hexval((unsigned char)in[i]) < 0 || n + 1 >= cap)
			return PH_EINVAL;
		out[n++] = lower(in[i]);
	}
	out[n < cap ? n : 0] = 0;
	switch (t) {
	case PH_IOC_CERT_SHA1: return n == 40 ? (int)n : PH_EINVAL;
	case PH_IOC_CERT_SHA256: return n == 64 ? (int)n : PH_EINVAL;
	case PH_IOC_JA3:
	case PH_IOC_JA3S: return n == 32 ? (int)n : PH_EINVAL;
	case PH_IOC_FILE_HASH:
		return n == 32 || n == 40 || n == 64 ? (int)n : PH_EINVAL;
	default: return PH_EINVAL;
	}
}

/* JA4 "t13d1516h2_8daaf6152771_b186095e22b6": a-part 10 alnum, two hex
 * parts of 12 (FoxIO JA4 spec). */
static int norm_ja4(const char *in, size_t len, char *out, size_t cap)
{
	if (len != 36 || cap <= 36 || in[10] != '_' || in[23] != '_')
		return PH_EINVAL;
	for (size_t i = 0; i < len; i++) {
		char c = lower(in[i]);
		bool ok = i == 10 || i == 23 ||
			  (i < 10 ? (c >= 'a' && c <= 'z') ||
					    (c >= '0' && c <= '9')
				  : hexval((unsigned char)c) >= 0);
		if (!ok)
			return PH_EINVAL;
		out[i] = c;
	}
	out[len] = 0;
	return (int)len;
}

/* E-mail (lowercased) and app id (exact): printable, no blanks. */
static int norm_token(const char *in, size_t len, char *out, size_t cap,
		      bool email)
{
	if (len == 0 || len >= cap || len > 320)
		return PH_EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c <= 0x20 || c == 0x7f)
			return PH_EINVAL;
		out[i] = email ? lower((char)c) : (char)c;
	}
	out[len] = 0;
	if (email) {
		const char *at = memchr(out, '@', len);
		if (!at || at == out || at == out + len - 1 ||
		    memchr(at + 1, '@', len - (size_t)(at + 1 - out)))
			return PH_EINVAL;
	}
	return (int)len;
}

int ph_intel_norm_value(enum ph_ioc_type t, const char *in, size_t len,
			char *out, size_t cap)
{
	if (!in || !out || cap == 0)
		return PH_EINVAL;
	switch (t) {
	case PH_IOC_DOMAIN:
	case PH_IOC_NS: return ph_intel_norm_domain(in, len, out, cap);
	case PH_IOC_URL: return ph_intel_norm_url(in, len, out, cap);
	case PH_IOC_CERT_SHA1:
	case PH_IOC_CERT_SHA256:
	case PH_IOC_JA3:
	case PH_IOC_JA3S:
	case PH_IOC_FILE_HASH: return ph_intel_norm_hex(t, in, len, out, cap);
	default: break;
	}
	trim(&in, &len);
	switch (t) {
	case PH_IOC_JA4: return norm_ja4(in, len, out, cap);
	case PH_IOC_EMAIL: return norm_token(in, len, out, cap, true);
	case PH_IOC_APP_ID: return norm_token(in, len, out, cap, false);
	default: return PH_EINVAL;
	}
}

/* ---- addresses ---------------------------------------------------- */

void ph_intel_ip_mask(uint8_t addr[16], int ver, unsigned plen)
{
	unsigned bytes = ver == 4 ? 4 : 16;
	for (unsigned i = 0; i < bytes; i++) {
		unsigned lo = i * 8;
		if (plen >= lo + 8)
			continue;
		addr[i] = plen <= lo ? 0
				     : (uint8_t)(addr[i] & (0xff00u >> (plen - lo)));
	}
	for (unsigned i = bytes; i < 16; i++)
		addr[i] = 0;
}

static int parse_plen(const char *s, size_t len, unsigned max)
{
	unsigned v = 0;
	if (len == 0 || len > 3)
		return PH_EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return PH_EINVAL;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	return v <= max ? (int)v : PH_EINVAL;
}

void ph_intel_ip_unmap(struct ph_intel_ip *ip)
{
	static const uint8_t pre[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (ip->ver != 6 || ip->plen < 96 || memcmp(ip->addr, pre, 12))
		return;
	memmove(ip->addr, ip->addr + 12, 4);
	memset(ip->addr + 4, 0, 12);
	ip->ver = 4;
	ip->plen = (uint8_t)(ip->plen - 96);
}

int ph_intel_ip_parse(const char *in, size_t len, struct ph_intel_ip *ip)
{
	char buf[64];
	trim(&in, &len);
	const char *end = in + len, *a = in;
	const char *slash = memchr(in, '/', len);
	size_t alen = slash ? (size_t)(slash - in) : len;
	if (alen >= 2 && a[0] == '[' && a[alen - 1] == ']') {
		a++;
		alen -= 2;
	}
	if (alen == 0 || alen >= sizeof buf)
		return PH_EINVAL;
	memcpy(buf, a, alen);
	buf[alen] = 0;
	memset(ip, 0, sizeof *ip);
	ip->ver = memchr(buf, ':', alen) ? 6 : 4;
	if (inet_pton(ip->ver == 4 ? AF_INET : AF_INET6, buf, ip->addr) != 1)
		return PH_EINVAL;
	unsigned max = ip->ver == 4 ? 32 : 128;
	int plen = (int)max;
	if (slash)
		plen = parse_plen(slash + 1, (size_t)(end - slash - 1), max);
	if (plen < 0)
		return PH_EINVAL;
	ip->plen = (uint8_t)plen;
	ph_intel_ip_unmap(ip);
	ph_intel_ip_mask(ip->addr, ip->ver, ip->plen);
	return PH_OK;
}

int ph_intel_ip_format(const struct ph_intel_ip *ip, char *out, size_t cap)
{
	char a[INET6_ADDRSTRLEN];
	if (!inet_ntop(ip->ver == 4 ? AF_INET : AF_INET6, ip->addr, a, sizeof a))
		return PH_EINVAL;
	unsigned max = ip->ver == 4 ? 32 : 128;
	int n = ip->plen == max ? snprintf(out, cap, "%s", a)
				: snprintf(out, cap, "%s/%u", a, ip->plen);
	return n < 0 || (size_t)n >= cap ? PH_EINVAL : n;
}

/* ---- URLs (RFC 3986 section 6.2.2) ---------------------------------- */

struct wbuf {
	char *p;
	size_t n, cap;
	bool over;
};

static void put(struct wbuf *w, const char *s, size_t n)
{
	if (w->over || w->n + n >= w->cap) {
		w->over = true;
		return;
	}
	memcpy(w->p + w->n, s, n);
	w->n += n;
}

static void put_ch(struct wbuf *w, char c)
{
	put(w, &c, 1);
}

static bool unreserved(unsigned c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

static void put_esc(struct wbuf *w, unsigned v)
{
	static const char hx[] = "0123456789ABCDEF";
	char e[3] = {'%', hx[(v >> 4) & 15], hx[v & 15]};
	put(w, e, 3);
}

/* Path and query: %xx uppercased, unreserved decoded, a stray '%' and
 * bytes outside printable ASCII encoded. */
static void put_pct(struct wbuf *w, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned c = (unsigned char)s[i];
		if (c == '%' && i + 2 < len &&
		    hexval((unsigned char)s[i + 1]) >= 0 &&
		    hexval((unsigned char)s[i + 2]) >= 0) {
			unsigned v = (unsigned)(hexval((unsigned char)s[i + 1]) * 16 +
						hexval((unsigned char)s[i + 2]));
			if (unreserved(v))
				put_ch(w, (char)v);
			else
				put_esc(w, v);
			i += 2;
		} else if (c == '%' || c <= 0x20 || c >= 0x7f) {
			put_esc(w, c);
		} else {
			put_ch(w, (char)c);
		}
	}
}

/* Length of "scheme" when the value starts with "scheme://", else 0. */
static size_t scheme_len(const char *s, size_t len)
{
	size_t i = 1;
	if (!len || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	while (i < len && i < 32 &&
	       (unreserved((unsigned char)s[i]) || s[i] == '+') && s[i] != '_' &&
	       s[i] != '~')
		i++;
	return i + 3 <= len && !memcmp(s + i, "://", 3) ? i : 0;
}

static int put_host(struct wbuf *w, const char *h, size_t len)
{
	char buf[PH_INTEL_NAME_MAX + 1];
	if (len && h[0] == '[') {
		uint8_t a[16];
		char t[INET6_ADDRSTRLEN];
		if (len < 3 || h[len - 1] != ']' || len - 2 >= sizeof buf)
			return PH_EINVAL;
		memcpy(buf, h + 1, len - 2);
		buf[len - 2] = 0;
		if (inet_pton(AF_INET6, buf, a) != 1 ||
		    !inet_ntop(AF_INET6, a, t, sizeof t))
			return PH_EINVAL;
		put_ch(w, '[');
		put(w, t, strlen(t));
		put_ch(w, ']');
		return PH_OK;
	}
	if (len == 0 || is_blank((unsigned char)h[0]))
		return PH_EINVAL;
	int n = ph_intel_norm_domain(h, len, buf, sizeof buf);
	if (n < 0)
		return n;
	put(w, buf, (size_t)n);
	return PH_OK;
}

/* ":port" unless empty or the scheme's default. */
static int put_port(struct wbuf *w, const char *scheme, const char *p,
		    size_t len)
{
	unsigned v = 0;
	if (len > 5)
		return PH_EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return PH_EINVAL;
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	if (len == 0)
		return PH_OK;
	if (v > 65535)
		return PH_EINVAL;
	bool web = !strcmp(scheme, "http") || !strcmp(scheme, "ws");
	bool tls = !strcmp(scheme, "https") || !strcmp(scheme, "wss");
	if ((web && v == 80) || (tls && v == 443))
		return PH_OK;
	char t[8];
	int n = snprintf(t, sizeof t, ":%u", v);
	put(w, t, (size_t)n);
	return PH_OK;
}

/* [userinfo@]host[:port] */
static int put_authority(struct wbuf *w, const char *scheme, const char *a,
			 size_t len)
{
	const char *at = NULL;
	for (size_t i = 0; i < len; i++)
		if (a[i] == '@')
			at = a + i;
	if (at) {
		put_pct(w, a, (size_t)(at - a) + 1);
		len -= (size_t)(at + 1 - a);
		a = at + 1;
	}
	size_t hlen = len;
	if (len && a[0] == '[') {
		const char *rb = memchr(a, ']', len);
		hlen = rb ? (size_t)(rb - a) + 1 : len;
	} else {
		const char *colon = memchr(a, ':', len);
		hlen = colon ? (size_t)(colon - a) : len;
	}
	if (hlen < len && a[hlen] != ':')
		return PH_EINVAL;
	int rc = put_host(w, a, hlen);
	if (rc < 0)
		return rc;
	return hlen < len ? put_port(w, scheme, a + hlen + 1, len - hlen - 1)
			  : PH_OK;
}

int ph_intel_norm_url(const char *in, size_t len, char *out, size_t cap)
{
	char scheme[33] = "http";
	struct wbuf w = {.p = out, .cap = cap};
	if (!cap)
		return PH_EINVAL;
	trim(&in, &len);
	size_t sl = scheme_len(in, len);
	if (sl) {
		for (size_t i = 0; i < sl; i++)
			scheme[i] = lower(in[i]);
		scheme[sl] = 0;
		in += sl + 3;
		len -= sl + 3;
	}
	const char *hash = memchr(in, '#', len);
	if (hash)
		len = (size_t)(hash - in);
	size_t alen = 0;
	while (alen < len && in[alen] != '/' && in[alen] != '?')
		alen++;
	put(&w, scheme, strlen(scheme));
	put(&w, "://", 3);
	int rc = put_authority(&w, scheme, in, alen);
	if (rc < 0)
		return rc;
	if (alen == len || in[alen] == '?')
		put_ch(&w, '/');
	put_pct(&w, in + alen, len - alen);
	if (w.over)
		return PH_EINVAL;
	out[w.n] = 0;
	return (int)w.n;
}
