/* The encoded forms of the user's identifiers (ph_ident_forms) that the
 * pii detection searches device traffic for, and the location radius test
 * (ph_ident_location_near, haversine). Per identifier: textual variants
 * of its kind (case, separators, phone formats, IMEI check digit), then
 * MD5/SHA-1/SHA-256 of the value and main variants (hex, base64), their
 * URL-encoded, hex and base64 forms (three alignments, standard and
 * URL-safe alphabets), and two layers of hashing (hex of hex). Forms
 * shorter than 4 bytes are dropped, longer ones cut to 160 bytes (a
 * prefix still finds every occurrence), duplicates removed, at most
 * FORMS_PER_IDENT per identifier (in that order of priority). The forms
 * and every "how" are listed in docs/identifiers.md. */
#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peephole/identifiers.h"

#define FORMS_PER_IDENT 80
#define FORM_MIN 4
#define FORM_MAX ((size_t)sizeof(((struct ph_ident_form *)0)->bytes))
#define VAR_MAX 24
#define VAR_LEN (PH_IDENT_VALUE_MAX + 16)
#define ENC_LEN (3 * VAR_LEN)

/* What is done with a variant: searched as is, encoded, hashed once,
 * hashed twice. */
enum { LIT = 1, ENC = 2, HASH = 4, HASH2 = 8 };

/* One textual variant of an identifier ("upper-case", "E.164"...). */
struct variant {
	char how[40];
	char s[VAR_LEN];
	size_t len;
	unsigned flags;
};

struct vset {
	struct variant v[VAR_MAX];
	unsigned n;
};

/* The forms being built and a hash set over them for duplicates. */
struct gen {
	struct ph_ident_form *f; /* owned; cap entries */
	size_t n, cap;
	uint32_t *slot;          /* owned; form index + 1, 0 when empty */
	size_t nslot;            /* power of two */
	unsigned ident, in_ident;
};

/* ---- byte helpers ----------------------------------------------------- */

static char lc(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static char uc(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
}

static bool same_nocase(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lc((char)a[i]) != lc((char)b[i]))
			return false;
	return true;
}

static uint32_t fnv_nocase(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)lc((char)p[i])) * 16777619u;
	return h;
}

static size_t hex_encode(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = 0;
	return 2 * n;
}

static const char b64_std[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The 6 bits at bit offset `bit` of p (n bytes, zero beyond). */
static unsigned sextet(const uint8_t *p, size_t n, size_t bit)
{
	unsigned v = 0;
	for (size_t b = bit; b < bit + 6; b++) {
		size_t i = b / 8;
		unsigned x = i < n ? (p[i] >> (7 - b % 8)) & 1u : 0;
		v = v << 1 | x;
	}
	return v;
}

/* Base64 of p as it appears when `skip` (0-2) bytes come before it in a
 * longer encoded text: only the characters that depend on p's bits
 * alone. With whole = true (skip 0), the last partial character too, as
 * in a standalone encoding without '=' padding. */
static size_t b64_aligned(const uint8_t *p, size_t n, unsigned skip,
			  const char *alpha, bool whole, char *out)
{
	size_t first = (8 * skip + 5) / 6, end = 8 * (skip + n) / 6, k = 0;
	if (whole && (8 * n) % 6)
		end++;
	for (size_t c = first; c < end; c++) {
		size_t bit = 6 * c - 8 * skip;
		out[k++] = alpha[sextet(p, n, bit)];
	}
	out[k] = 0;
	return k;
}

/* Percent-encoding (RFC 3986 unreserved bytes kept); a space as '+' in
 * form encoding. */
static size_t url_encode(const char *s, size_t n, bool form, char *out)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			out[k++] = (char)c;
		} else if (c == ' ' && form) {
			out[k++] = '+';
		} else {
			out[k++] = '%';
			out[k++] = digits[c >> 4];
			out[k++] = digits[c & 15];
		}
	}
	out[k] = 0;
	return k;
}

/* ---- the form list ---------------------------------------------------- */

static void gen_add(struct gen *g, const char *how, const void *bytes,
		    size_t len, bool nocase)
{
	const uint8_t *b = bytes;
	if (len < FORM_MIN || g->in_ident >= FORMS_PER_IDENT || g->n >= g->cap)
		return;
	if (len > FORM_MAX)
		len = FORM_MAX;
	size_t mask = g->nslot - 1, i = fnv_nocase(b, len) & mask;
	for (; g->slot[i]; i = (i + 1) & mask) {
		struct ph_ident_form *f = &g->f[g->slot[i] - 1];
		if (f->len != len)
			continue;
		if (f->nocase || nocase ? same_nocase(f->bytes, b, len) :
		    !memcmp(f->bytes, b, len)) {
			f->nocase = f->nocase || nocase;
			return;
		}
	}
	struct ph_ident_form *f = &g->f[g->n];
	memset(f, 0, sizeof *f);
	f->ident = g->ident;
	snprintf(f->how, sizeof f->how, "%s", how);
	memcpy(f->bytes, b, len);
	f->len = (uint16_t)len;
	f->nocase = nocase;
	g->slot[i] = (uint32_t)++g->n;
	g->in_ident++;
}

/* "<what> <base>", or "<what>" for the plain variant (how ""). */
static void compose(char *out, size_t n, const char *what, const char *base)
{
	snprintf(out, n, "%s%s%s", what, *base ? " " : "", base);
}

static const char *base_how(const struct variant *v)
{
	return strcmp(v->how, "plain") ? v->how : "";
}

/* ---- encodings and hashes of one variant ------------------------------ */

static void add_base64(struct gen *g, const struct variant *v)
{
	static const char *const names[2][3] = {
		{"base64 of", "base64 (offset 1) of", "base64 (offset 2) of"},
		{"URL-safe base64 of", "URL-safe base64 (offset 1) of",
		 "URL-safe base64 (offset 2) of"}};
	char out[ENC_LEN], how[64];
	for (unsigned a = 0; a < 2; a++)
		for (unsigned skip = 0; skip < 3; skip++) {
			size_t n = b64_aligned((const uint8_t *)v->s, v->len,
					       skip, a ? b64_url : b64_std,
					       false, out);
			compose(how, sizeof how, names[a][skip], base_how(v));
			gen_add(g, how, out, n, false);
		}
}

static void add_encodings(struct gen *g, const struct variant *v)
{
	char out[ENC_LEN], how[64];
	size_t n = url_encode(v->s, v->len, false, out);
	compose(how, sizeof how, "URL-encoded", base_how(v));
	if (n != v->len)
		gen_add(g, how, out, n, true);
	if (memchr(v->s, ' ', v->len)) {
		n = url_encode(v->s, v->len, true, out);
		compose(how, sizeof how, "form-encoded", base_how(v));
		gen_add(g, how, out, n, true);
	}
	n = hex_encode((const uint8_t *)v->s, v->len, out);
	compose(how, sizeof how, "hex of", base_how(v));
	gen_add(g, how, out, n, true);
	add_base64(g, v);
}

struct algo {
	const char *name; /* "MD5" */
	const EVP_MD *(*md)(void);
};

static const struct algo algos[3] = {
	{"MD5", EVP_md5}, {"SHA-1", EVP_sha1}, {"SHA-256", EVP_sha256}};

/* Lower-case hex digest of s into out (129 bytes); 0 on failure (e.g.
 * MD5 refused by a FIPS provider). */
static size_t digest_hex(const struct algo *a, const void *s, size_t n,
			 uint8_t md[EVP_MAX_MD_SIZE], unsigned *mdlen,
			 char *out)
{
	if (!EVP_Digest(s, n, md, mdlen, a->md(), NULL))
		return 0;
	return hex_encode(md, *mdlen, out);
}

static void add_hashes(struct gen *g, const struct variant *v)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned mdlen;
	char hex[2 * EVP_MAX_MD_SIZE + 1], b64[2 * EVP_MAX_MD_SIZE];
	char how[64], what[48];
	for (unsigned a = 0; a < 3; a++) {
		size_t n = digest_hex(&algos[a], v->s, v->len, md, &mdlen, hex);
		if (!n)
			continue;
		snprintf(what, sizeof what, "%s of", algos[a].name);
		compose(how, sizeof how, what, base_how(v));
		gen_add(g, how, hex, n, true);
		n = b64_aligned(md, mdlen, 0, b64_std, true, b64);
		snprintf(what, sizeof what, "base64 of %s of", algos[a].name);
		compose(how, sizeof how, what, base_how(v));
		gen_add(g, how, b64, n, false);
	}
}

/* Hash of the lower-case hex of a hash, for every ordered pair. */
static void add_hashes2(struct gen *g, const struct variant *v)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned mdlen;
	char in[2 * EVP_MAX_MD_SIZE + 1], hex[2 * EVP_MAX_MD_SIZE + 1];
	char how[64], what[48];
	for (unsigned a = 0; a < 3; a++) {
		size_t n = digest_hex(&algos[a], v->s, v->len, md, &mdlen, in);
		for (unsigned b = 0; n && b < 3; b++) {
			size_t m = digest_hex(&algos[b], in, n, md, &mdlen, hex);
			if (!m)
				continue;
			snprintf(what, sizeof what, "%s of %s of",
				 algos[b].name, algos[a].name);
			compose(how, sizeof how, what, base_how(v));
			gen_add(g, how, hex, m, true);
		}
	}
}

/* ---- textual variants per kind ---------------------------------------- */

/* Adds a variant; one already there with the same bytes gains the flags
 * (and keeps its name). */
static void var_add(struct vset *vs, const char *how, const char *s,
		    size_t len, unsigned flags)
{
	if (len >= VAR_LEN)
		len = VAR_LEN - 1;
	for (unsigned i = 0; i < vs->n; i++)
		if (vs->v[i].len == len && !memcmp(vs->v[i].s, s, len)) {
			vs->v[i].flags |= flags;
			return;
		}
	if (vs->n >= VAR_MAX)
		return;
	struct variant *v = &vs->v[vs->n++];
	snprintf(v->how, sizeof v->how, "%s", how);
	memcpy(v->s, s, len);
	v->s[len] = 0;
	v->len = len;
	v->flags = flags;
}

static void var_addz(struct vset *vs, const char *how, const char *s,
		     unsigned flags)
{
	var_add(vs, how, s, strlen(s), flags);
}

static void var_case(struct vset *vs, const char *how, const char *s,
		     bool upper, unsigned flags)
{
	char t[VAR_LEN];
	size_t n = strlen(s);
	n = n < VAR_LEN ? n : VAR_LEN - 1;
	for (size_t i = 0; i < n; i++)
		t[i] = upper ? uc(s[i]) : lc(s[i]);
	var_add(vs, how, t, n, flags);
}

/* Luhn check digit of a digit string (the IMEI's 15th digit). */
static char luhn_digit(const char *d, size_t n)
{
	unsigned sum = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned x = (unsigned)(d[n - 1 - i] - '0');
		if (i % 2 == 0)
			x = x * 2 > 9 ? x * 2 - 9 : x * 2;
		sum += x;
	}
	return (char)('0' + (10 - sum % 10) % 10);
}

/* IMEI: digits, and the 14-digit (no check digit) and 15-digit (with
 * it) forms; a 16-digit IMEISV gives both. */
static void vars_imei(struct vset *vs, const struct ph_ident *id)
{
	const char *d = id->norm;
	size_t n = strlen(d);
	char t[20];
	var_addz(vs, "plain", id->value, LIT | HASH);
	var_addz(vs, "digits-only", d, LIT | ENC | HASH | HASH2);
	if (n == 14 || n == 16) {
		memcpy(t, d, 14);
		t[14] = luhn_digit(d, 14);
		var_add(vs, "15-digit", t, 15, LIT | ENC | HASH | HASH2);
	}
	if (n >= 15)
		var_add(vs, "14-digit", d, 14, LIT | ENC | HASH);
}

static void vars_digits(struct vset *vs, const struct ph_ident *id)
{
	var_addz(vs, "plain", id->value, LIT | HASH);
	var_addz(vs, "digits-only", id->norm, LIT | ENC | HASH | HASH2);
}

static void vars_mac(struct vset *vs, const struct ph_ident *id)
{
	const char *h = id->norm; /* 12 lower-case hex digits */
	char t[18];
	var_addz(vs, "plain", id->value, LIT | HASH);
	for (unsigned up = 0; up < 2; up++) {
		static const char seps[] = ":-";
		static const char *const names[2][2] = {
			{"colon-separated", "dash-separated"},
			{"upper-case colon-separated",
			 "upper-case dash-separated"}};
		for (unsigned s = 0; s < 2; s++) {
			for (unsigned i = 0; i < 6; i++) {
				t[3 * i] = up ? uc(h[2 * i]) : h[2 * i];
				t[3 * i + 1] = up ? uc(h[2 * i + 1]) : h[2 * i + 1];
				t[3 * i + 2] = seps[s];
			}
			t[17] = 0;
			unsigned fl = s ? LIT : up ? LIT | ENC | HASH :
				      LIT | ENC | HASH | HASH2;
			var_addz(vs, names[up][s], t, fl);
		}
	}
	var_addz(vs, "unseparated", h, LIT | HASH);
	var_case(vs, "upper-case unseparated", h, true, LIT | HASH);
	snprintf(t, sizeof t, "%.4s.%.4s.%.4s", h, h + 4, h + 8);
	var_addz(vs, "Cisco-dotted", t, LIT);
}

/* Android ID, advertising ID: hex, so case variants. */
static void vars_hexid(struct vset *vs, const struct ph_ident *id)
{
	var_addz(vs, "plain", id->value, LIT | HASH);
	var_addz(vs, "lower-case", id->norm, LIT | ENC | HASH | HASH2);
	var_case(vs, "upper-case", id->norm, true, LIT | ENC | HASH);
	if (id->kind != PH_ID_ADID)
		return;
	char t[40];
	size_t k = 0;
	for (const char *p = id->norm; *p && k + 1 < sizeof t; p++)
		if (*p != '-')
			t[k++] = *p;
	t[k] = 0;
	var_addz(vs, "undashed", t, LIT | HASH);
	var_case(vs, "upper-case undashed", t, true, LIT);
}

static void vars_email(struct vset *vs, const struct ph_ident *id)
{
	var_addz(vs, "plain", id->value, LIT | HASH);
	var_addz(vs, "lower-case", id->norm, LIT | ENC | HASH | HASH2);
}

/* Serial, names, SSID, custom strings. */
static void vars_text(struct vset *vs, const struct ph_ident *id)
{
	var_addz(vs, "plain", id->value, LIT | ENC | HASH | HASH2);
	var_case(vs, "lower-case", id->value, false, LIT | ENC | HASH);
	var_case(vs, "upper-case", id->value, true, LIT | HASH);
}

/* ---- phone numbers ---------------------------------------------------- */

/* Length of the E.164 country code at the start of d: 1 and 7 are one
 * digit, the ITU list below two, every other code three. */
static size_t cc_len(const char *d)
{
	static const char two[] = "20 27 30 31 32 33 34 36 39 40 41 43 44 45 "
				  "46 47 48 49 51 52 53 54 55 56 57 58 60 61 "
				  "62 63 64 65 66 81 82 84 86 90 91 92 93 94 "
				  "95 98 ";
	if (d[0] == '1' || d[0] == '7')
		return 1;
	for (const char *p = two; *p; p += 3)
		if (p[0] == d[0] && p[1] == d[1])
			return 2;
	return 3;
}

/* The national trunk prefix dialled before the subscriber number: "0"
 * in most countries, none in the ones below (NANP, Spain, Italy...),
 * "8" in Russia/Kazakhstan, Belarus and Lithuania, "06" in Hungary. */
static const char *trunk(const char *cc)
{
	static const char *const none[] = {
		"1", "30", "34", "39", "45", "47", "48", "52", "65", "299",
		"351", "352", "354", "356", "357", "371", "372", "376", "377",
		"378", "420", "852", "853", "965", "968", "973", "974"};
	for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
		if (!strcmp(cc, none[i]))
			return "";
	if (!strcmp(cc, "7") || !strcmp(cc, "375") || !strcmp(cc, "370"))
		return "8";
	return !strcmp(cc, "36") ? "06" : "0";
}

/* Digits in groups: pairs from the right ("06 12 34 56 78") when
 * pairs, else 3-3-rest ("612 555 1234"); "" when too short for it. */
static void group(const char *d, char sep, bool pairs, char *out, size_t n)
{
	size_t len = strlen(d), k = 0;
	out[0] = 0;
	if (len < 6 || len * 2 >= n)
		return;
	for (size_t i = 0; i < len; i++) {
		bool cut = pairs ? i && (len - i) % 2 == 0 : i == 3 || i == 6;
		if (cut)
			out[k++] = sep;
		out[k++] = d[i];
	}
	out[k] = 0;
}

/* Separator variants: national digits grouped, and "+CC" then the
 * subscriber number grouped (cc NULL: national only). */
static void phone_groups(struct vset *vs, const char *nat, const char *cc,
			 const char *sub)
{
	static const char seps[] = " -.";
	static const char *const names[3][2] = {
		{"space-separated national", "space-separated international"},
		{"dash-separated national", "dash-separated international"},
		{"dot-separated national", "dot-separated international"}};
	char g[64], t[80];
	for (unsigned s = 0; s < 3; s++)
		for (unsigned pairs = 0; pairs < 2; pairs++) {
			group(nat, seps[s], pairs, g, sizeof g);
			if (*g)
				var_addz(vs, names[s][0], g, LIT);
			if (!cc)
				continue;
			group(sub, seps[s], pairs, g, sizeof g);
			snprintf(t, sizeof t, "+%s%c%s", cc, seps[s], g);
			if (*g)
				var_addz(vs, names[s][1], t, LIT);
		}
}

static void vars_phone_intl(struct vset *vs, const char *e164)
{
	const char *d = e164 + 1;
	char cc[4], nat[24], t[40];
	size_t c = cc_len(d);
	snprintf(cc, sizeof cc, "%.*s", (int)c, d);
	const char *sub = d + c;
	if (strlen(sub) < 4 || strlen(sub) > 14)
		return;
	snprintf(nat, sizeof nat, "%s%s", trunk(cc), sub);
	var_addz(vs, "E.164", e164, LIT | ENC | HASH | HASH2);
	snprintf(t, sizeof t, "00%s", d);
	var_addz(vs, "00-prefixed", t, LIT);
	var_addz(vs, "digits-only", d, LIT | HASH);
	var_addz(vs, "national-format", nat, LIT | ENC | HASH);
	var_addz(vs, "prefix-less", sub, LIT);
	snprintf(t, sizeof t, "+%s %s", cc, sub);
	var_addz(vs, "space-separated international", t, LIT);
	if (!strcmp(cc, "1") && strlen(sub) == 10) {
		snprintf(t, sizeof t, "(%.3s) %.3s-%s", sub, sub + 3, sub + 6);
		var_addz(vs, "national-format", t, LIT);
	}
	phone_groups(vs, nat, cc, sub);
}

static void vars_phone(struct vset *vs, const struct ph_ident *id)
{
	var_addz(vs, "plain", id->value, LIT | HASH);
	if (id->norm[0] == '+') {
		vars_phone_intl(vs, id->norm);
		return;
	}
	var_addz(vs, "digits-only", id->norm, LIT | ENC | HASH | HASH2);
	phone_groups(vs, id->norm, NULL, NULL);
}

/* ---- driver ------------------------------------------------------------ */

static void variants(struct vset *vs, const struct ph_ident *id)
{
	vs->n = 0;
	switch (id->kind) {
	case PH_ID_IMEI:
		vars_imei(vs, id);
		break;
	case PH_ID_IMSI:
	case PH_ID_ICCID:
		vars_digits(vs, id);
		break;
	case PH_ID_PHONE:
		vars_phone(vs, id);
		break;
	case PH_ID_EMAIL:
		vars_email(vs, id);
		break;
	case PH_ID_WIFI_MAC:
	case PH_ID_BT_MAC:
		vars_mac(vs, id);
		break;
	case PH_ID_ANDROID_ID:
	case PH_ID_ADID:
		vars_hexid(vs, id);
		break;
	case PH_ID_LOCATION:
		break; /* no literal forms */
	default:
		vars_text(vs, id);
		break;
	}
}

/* The forms of one identifier, most likely first (the cap cuts the
 * tail): variants, single hashes, encodings, double hashes. */
static void ident_forms(struct gen *g, const struct vset *vs)
{
	for (unsigned pass = 0; pass < 4; pass++)
		for (unsigned i = 0; i < vs->n; i++) {
			const struct variant *v = &vs->v[i];
			if (pass == 0 && (v->flags & LIT))
				gen_add(g, v->how, v->s, v->len, false);
			if (pass == 1 && (v->flags & HASH))
				add_hashes(g, v);
			if (pass == 2 && (v->flags & ENC))
				add_encodings(g, v);
			if (pass == 3 && (v->flags & HASH2))
				add_hashes2(g, v);
		}
}

int ph_ident_forms(const struct ph_identifiers *ids,
		   struct ph_ident_form **out, size_t *n, struct ph_err *err)
{
	unsigned count = ph_identifiers_count(ids);
	struct gen g = {0};
	*out = NULL;
	*n = 0;
	g.cap = (size_t)count * FORMS_PER_IDENT;
	for (g.nslot = 64; g.nslot < 2 * g.cap; g.nslot *= 2)
		;
	g.f = malloc((g.cap ? g.cap : 1) * sizeof *g.f);
	g.slot = calloc(g.nslot, sizeof *g.slot);
	struct vset *vs = malloc(sizeof *vs);
	if (!g.f || !g.slot || !vs) {
		free(g.f);
		free(g.slot);
		free(vs);
		return ph_err_set(err, PH_ENOMEM, "identifier forms: out of "
				  "memory");
	}
	for (unsigned i = 0; i < count; i++) {
		g.ident = i;
		g.in_ident = 0;
		variants(vs, ph_identifiers_get(ids, i));
		ident_forms(&g, vs);
	}
	free(vs);
	free(g.slot);
	struct ph_ident_form *shrunk = realloc(g.f, (g.n ? g.n : 1) *
						    sizeof *g.f);
	*out = shrunk ? shrunk : g.f;
	*n = g.n;
	return PH_OK;
}

/* ---- location ------------------------------------------------------- */

/* Great-circle distance (haversine, mean Earth radius), metres. */
static double distance_m(double lat1, double lon1, double lat2, double lon2)
{
	const double r = 6371008.8, rad = M_PI / 180;
	double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
	double a = sin(dlat / 2) * sin(dlat / 2) +
		   cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) *
		   sin(dlon / 2);
	if (a > 1)
		a = 1;
	return 2 * r * asin(sqrt(a));
}

bool ph_ident_location_near(const struct ph_ident *id, double lat, double lon)
{
	if (!id || id->kind != PH_ID_LOCATION || !isfinite(lat) ||
	    !isfinite(lon) || fabs(lat) > 90 || fabs(lon) > 180)
		return false;
	return distance_m(id->lat, id->lon, lat, lon) <= id->radius_m;
}
