/* Verification of the pii detection's generic candidates, from the bytes
 * that end where the scanner's match ended (pii_scan.c reports ends only):
 * IMEI (15 digits, Luhn, a known reporting-body prefix, not one repeated
 * digit), MAC addresses (':' '-' or %3A separated; not all-zero,
 * broadcast or multicast), e-mail addresses (not image names such as
 * "icon@2x.png"), and coordinate pairs (two decimal numbers close
 * together; plausibility and the match against a user-given location
 * at the printed precision). Reads at most ~100 bytes back; no
 * allocation. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/pii_scan.h"

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static int hexv(uint8_t c);

static bool hex_char(uint8_t c)
{
	return hexv(c) >= 0;
}

static bool domain_char(uint8_t c)
{
	return isalnum(c) || c == '.' || c == '-';
}

/* The window without its trailing context byte (when it has one). */
static size_t body_len(const uint8_t *w, size_t n, bool (*tok)(uint8_t))
{
	return n && !tok(w[n - 1]) ? n - 1 : n;
}

bool pii_luhn_ok(const char *d, size_t n)
{
	unsigned sum = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned v = (unsigned)(d[n - 1 - i] - '0');
		if (v > 9)
			return false;
		if (i & 1) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
	}
	return n > 0 && sum % 10 == 0;
}

/* Reporting-body identifiers (first two TAC digits) seen on phones. */
static bool rbi_ok(const char *d)
{
	static const char *const rbi[] = {"01", "30", "33", "35", "44", "45",
					  "49", "50", "51", "52", "53", "54",
					  "86", "91", "98", "99"};
	for (size_t i = 0; i < sizeof rbi / sizeof rbi[0]; i++)
		if (d[0] == rbi[i][0] && d[1] == rbi[i][1])
			return true;
	return false;
}

bool pii_gen_imei(const uint8_t *w, size_t n, struct pii_gen_value *v)
{
	size_t m = body_len(w, n, is_digit);
	if (m < 15)
		return false;
	const char *d = (const char *)w + m - 15;
	bool same = true;
	for (size_t i = 0; i < 15; i++) {
		if (d[i] < '0' || d[i] > '9')
			return false;
		same &= d[i] == d[0];
	}
	if (same || !rbi_ok(d) || !pii_luhn_ok(d, 15))
		return false;
	memcpy(v->text, d, 15);
	v->text[15] = '\0';
	v->span = n - (m - 15);
	return true;
}

static int hexv(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (uint8_t)tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

bool pii_gen_mac(const uint8_t *w, size_t n, struct pii_gen_value *v,
		 uint8_t mac[6])
{
	size_t m = body_len(w, n, hex_char);
	size_t step = m >= 27 && w[m - 5] == '%' ? 5 : 3; /* "%3a" or ':' */
	size_t len = 2 + 5 * step;
	if (m < len)
		return false;
	const uint8_t *p = w + m - len;
	bool zero = true, bcast = true;
	for (size_t i = 0; i < 6; i++) {
		int hi = hexv(p[i * step]), lo = hexv(p[i * step + 1]);
		if (hi < 0 || lo < 0)
			return false;
		mac[i] = (uint8_t)(hi << 4 | lo);
		zero &= mac[i] == 0;
		bcast &= mac[i] == 0xff;
	}
	if (zero || bcast || (mac[0] & 1))
		return false; /* unset, broadcast, multicast: not a device */
	snprintf(v->text, sizeof v->text, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	v->span = n - (m - len);
	return true;
}

static bool local_char(uint8_t c)
{
	return isalnum(c) || c == '.' || c == '_' || c == '+' || c == '-';
}

/* File names that look like addresses: "logo@2x.png". */
static bool file_tld(const char *dom)
{
	static const char *const ext[] = {"png", "jpg", "jpeg", "gif", "webp",
					  "svg", "js", "css", "html", "json",
					  "ico", "bmp", "mp4", "heic"};
	const char *t = strrchr(dom, '.');
	for (size_t i = 0; t && i < sizeof ext / sizeof ext[0]; i++)
		if (strcmp(t + 1, ext[i]) == 0)
			return true;
	return false;
}

bool pii_gen_email(const uint8_t *w, size_t n, struct pii_gen_value *v)
{
	size_t m = body_len(w, n, domain_char), d = m, at;
	while (d > 0 && m - d < 255 && domain_char(w[d - 1]))
		d--;
	if (d >= 1 && w[d - 1] == '@') {
		at = d - 1;
	} else if (d >= 1 && w[d - 1] == '%' && m - d > 2 && w[d] == '4' &&
		   w[d + 1] == '0') { /* "%40": the scan ran over "40" */
		at = d - 1;
		d += 2;
	} else {
		return false;
	}
	size_t l = at;
	while (l > 0 && at - l < 64 && local_char(w[l - 1]))
		l--;
	size_t ln = at - l, dn = m - d;
	if (ln == 0 || dn < 4 || ln + 1 + dn >= sizeof v->text)
		return false;
	for (size_t i = 0; i < ln; i++)
		v->text[i] = (char)tolower(w[l + i]);
	v->text[ln] = '@';
	for (size_t i = 0; i < dn; i++)
		v->text[ln + 1 + i] = (char)tolower(w[d + i]);
	v->text[ln + 1 + dn] = '\0';
	v->span = n - l;
	return !file_tld(v->text + ln + 1);
}

/* Parses -?D{1,3}.D+ at w[*i..m); advances *i. */
static bool number(const uint8_t *w, size_t m, size_t *i, double *val,
		   unsigned *dec)
{
	size_t j = *i, k;
	bool neg = j < m && w[j] == '-';
	j += neg;
	for (k = j; k < m && k - j < 4 && is_digit(w[k]); k++)
		;
	if (k == j || k - j > 3 || k >= m || w[k] != '.')
		return false;
	size_t f = k + 1, e = f;
	while (e < m && e - f < 13 && is_digit(w[e]))
		e++;
	if (e == f)
		return false;
	char tmp[24];
	size_t len = e - *i;
	memcpy(tmp, w + *i, len);
	tmp[len] = '\0';
	*val = strtod(tmp, NULL);
	*dec = (unsigned)(e - f);
	*i = e;
	return true;
}

/* Skips the separator between the numbers: 1..24 non-digit bytes or
 * %XX escapes, stopping before a '-' that starts the second number. */
static bool gap(const uint8_t *w, size_t m, size_t *i)
{
	size_t j = *i;
	unsigned units = 0;
	while (j < m && units < 25) {
		if (is_digit(w[j]) ||
		    (w[j] == '-' && j + 1 < m && is_digit(w[j + 1])))
			break;
		j += (w[j] == '%' && j + 2 < m && hexv(w[j + 1]) >= 0 &&
		      hexv(w[j + 2]) >= 0) ? 3 : 1;
		units++;
	}
	if (units == 0 || units > 24)
		return false;
	*i = j;
	return true;
}

bool pii_gen_coord(const uint8_t *w, size_t n, struct pii_gen_value *v)
{
	size_t m = body_len(w, n, is_digit);
	size_t from = m > 96 ? m - 96 : 0;
	for (size_t s = from; s < m; s++) {
		if (!is_digit(w[s]) && w[s] != '-')
			continue;
		if (s > 0 && (is_digit(w[s - 1]) || w[s - 1] == '.' ||
			      (w[s] != '-' && w[s - 1] == '-')))
			continue;
		size_t i = s;
		if (!number(w, m, &i, &v->num[0], &v->dec[0]) ||
		    !gap(w, m, &i) ||
		    !number(w, m, &i, &v->num[1], &v->dec[1]) || i != m)
			continue;
		snprintf(v->text, sizeof v->text, "%.*f,%.*f", (int)v->dec[0],
			 v->num[0], (int)v->dec[1], v->num[1]);
		v->span = n - s;
		return true;
	}
	return false;
}

static bool in_range(double lat, double lon)
{
	return fabs(lat) <= 90.0 && fabs(lon) <= 180.0;
}

bool pii_gen_coord_plausible(const struct pii_gen_value *v)
{
	if (v->dec[0] < 4 || v->dec[1] < 4)
		return false;
	if (fabs(v->num[0]) < 1e-9 && fabs(v->num[1]) < 1e-9)
		return false;
	return in_range(v->num[0], v->num[1]) ||
	       in_range(v->num[1], v->num[0]);
}

/* a printed with d decimals: the user's value x rounded or cut there? */
static bool same_at(double a, unsigned d, double x)
{
	return d >= 2 && fabs(a - x) < pow(10.0, -(double)d);
}

bool pii_location_match(const struct ph_ident *id,
			const struct pii_gen_value *v)
{
	for (int k = 0; k < 2; k++) {
		double lat = v->num[k], lon = v->num[!k];
		if (!in_range(lat, lon))
			continue;
		if (ph_ident_location_near(id, lat, lon))
			return true;
		if (same_at(lat, v->dec[k], id->lat) &&
		    same_at(lon, v->dec[!k], id->lon))
			return true;
	}
	return false;
}
