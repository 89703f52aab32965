/* The user's list of personal identifiers (include/peephole/identifiers.h):
 * kind names, validation and normalisation of one value per kind (IMEI
 * digits, E.164 phone, MAC as 12 lower-case hex digits, lower-cased
 * e-mail, UUID, lat/lon/radius...), the KEY=VALUE file loader with
 * "PATH:LINE: message" errors, and masking for reports. The encoded
 * forms are in ident_forms.c. Caps: PH_IDENT_MAX identifiers,
 * PH_IDENT_VALUE_MAX - 1 bytes per value, 1 MiB per file, 1024-byte
 * lines. Error messages never repeat a value (identifiers are secrets). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peephole/identifiers.h"

#define IDENT_FILE_MAX (1u << 20)
#define IDENT_LINE_MAX 1024
#define DEFAULT_RADIUS_M 500.0

struct ph_identifiers {
	unsigned n;
	struct ph_ident v[PH_IDENT_MAX];
};

struct kind_name {
	const char *key;
	const char *words;
};

static const struct kind_name kinds[PH_ID_KIND_COUNT] = {
	[PH_ID_IMEI] = {"imei", "IMEI"},
	[PH_ID_IMSI] = {"imsi", "IMSI"},
	[PH_ID_ICCID] = {"iccid", "ICCID (SIM number)"},
	[PH_ID_PHONE] = {"phone", "phone number"},
	[PH_ID_EMAIL] = {"email", "e-mail address"},
	[PH_ID_WIFI_MAC] = {"wifi_mac", "Wi-Fi MAC"},
	[PH_ID_BT_MAC] = {"bt_mac", "Bluetooth MAC"},
	[PH_ID_ANDROID_ID] = {"android_id", "Android ID"},
	[PH_ID_ADID] = {"adid", "advertising ID"},
	[PH_ID_SERIAL] = {"serial", "serial number"},
	[PH_ID_DEVICE_NAME] = {"device_name", "device name"},
	[PH_ID_USER] = {"user", "user name"},
	[PH_ID_LOCATION] = {"location", "GPS position"},
	[PH_ID_SSID] = {"ssid", "Wi-Fi SSID"},
	[PH_ID_CUSTOM] = {"custom", "custom string"},
};

const char *ph_ident_kind_key(enum ph_ident_kind k)
{
	return (unsigned)k < PH_ID_KIND_COUNT ? kinds[k].key : "unknown";
}

const char *ph_ident_kind_words(enum ph_ident_kind k)
{
	return (unsigned)k < PH_ID_KIND_COUNT ? kinds[k].words : "identifier";
}

/* Keys compare case-insensitively, '-' standing for '_' ("wifi-mac"). */
int ph_ident_kind_parse(const char *key)
{
	for (int k = 0; k < PH_ID_KIND_COUNT; k++) {
		const char *a = kinds[k].key, *b = key;
		while (*a && *b) {
			char c = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
			if (c == '-')
				c = '_';
			if (c != *a)
				break;
			a++;
			b++;
		}
		if (!*a && !*b)
			return k;
	}
	return -1;
}

struct ph_identifiers *ph_identifiers_new(void)
{
	return calloc(1, sizeof(struct ph_identifiers));
}

void ph_identifiers_free(struct ph_identifiers *ids)
{
	free(ids);
}

unsigned ph_identifiers_count(const struct ph_identifiers *ids)
{
	return ids ? ids->n : 0;
}

const struct ph_ident *ph_identifiers_get(const struct ph_identifiers *ids,
					  unsigned i)
{
	return ids && i < ids->n ? &ids->v[i] : NULL;
}

/* ---- validation, one function per kind; each fills id->norm --------- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static char to_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* Copies the digits of s into out (cap n), skipping the separators in
 * seps; -1 on any other byte or overflow, else the number of digits. */
static int digits_only(const char *s, const char *seps, char *out, size_t n)
{
	size_t k = 0;
	for (; *s; s++) {
		if (is_digit(*s)) {
			if (k + 1 >= n)
				return -1;
			out[k++] = *s;
		} else if (!strchr(seps, *s)) {
			return -1;
		}
	}
	out[k] = 0;
	return (int)k;
}

static int check_digits(struct ph_ident *id, const char *o, int min,
			int max, const char *what, struct ph_err *err)
{
	int n = digits_only(id->value, " -./", id->norm, sizeof id->norm);
	if (n < min || n > max)
		return ph_err_set(err, PH_EINVAL, "%s: %s has %d to %d digits "
				  "(spaces, '-', '.' or '/' may separate them)",
				  o, what, min, max);
	return PH_OK;
}

/* "+CC..." or "00CC..." (international: normalised to E.164 "+CC...")
 * or national digits (kept as digits). Separators: space - . ( ) /. */
static int check_phone(struct ph_ident *id, const char *o,
		       struct ph_err *err)
{
	const char *s = id->value;
	char d[24]; /* more than 15 digits: refused below */
	bool intl = *s == '+';
	int n = digits_only(s + intl, " -.()/", d, sizeof d);
	if (!intl && n > 2 && d[0] == '0' && d[1] == '0' && d[2] != '0') {
		memmove(d, d + 2, (size_t)n - 1);
		n -= 2;
		intl = true;
	}
	if (n < 6 || n > 15 || (intl && d[0] == '0'))
		return ph_err_set(err, PH_EINVAL, "%s: a phone number has 6 to "
				  "15 digits, with '+' or '00' before the "
				  "country code (separators: space - . ( ) /)",
				  o);
	snprintf(id->norm, sizeof id->norm, "%s%s", intl ? "+" : "", d);
	return PH_OK;
}

static int check_email(struct ph_ident *id, const char *o,
		       struct ph_err *err)
{
	const char *s = id->value, *at = strchr(s, '@');
	size_t len = strlen(s);
	bool ok = at && at > s && !strchr(at + 1, '@') &&
		  strchr(at + 1, '.') && at[1] != '.' && s[len - 1] != '.';
	for (size_t i = 0; ok && i < len; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			ok = false;
	if (!ok)
		return ph_err_set(err, PH_EINVAL, "%s: not an e-mail address "
				  "(expected name@domain.tld)", o);
	for (size_t i = 0; i <= len; i++)
		id->norm[i] = to_lower(s[i]);
	return PH_OK;
}

/* aa:bb:cc:dd:ee:ff, aa-bb-.., aabbccddeeff or aabb.ccdd.eeff. */
static int check_mac(struct ph_ident *id, const char *o,
		     struct ph_err *err)
{
	const char *s = id->value;
	size_t len = strlen(s), k = 0;
	bool ok = len == 12 || len == 14 || len == 17;
	for (size_t i = 0; ok && i < len; i++) {
		bool sep = len == 17 ? i % 3 == 2 : len == 14 ? i % 5 == 4 : 0;
		if (sep) {
			ok = len == 14 ? s[i] == '.' :
			     (s[i] == ':' || s[i] == '-') && s[i] == s[2];
		} else {
			ok = is_hex(s[i]);
			id->norm[k++] = to_lower(s[i]);
		}
	}
	id->norm[k] = 0;
	if (!ok || k != 12)
		return ph_err_set(err, PH_EINVAL, "%s: not a MAC address "
				  "(expected aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, "
				  "aabbccddeeff or aabb.ccdd.eeff)", o);
	return PH_OK;
}

/* 64-bit hex (Settings.Secure.ANDROID_ID); leading zeros may be lost. */
static int check_android_id(struct ph_ident *id, const char *o,
			    struct ph_err *err)
{
	size_t len = strlen(id->value);
	bool ok = len >= 13 && len <= 16;
	for (size_t i = 0; ok && i <= len; i++) {
		ok = i == len || is_hex(id->value[i]);
		id->norm[i] = to_lower(id->value[i]);
	}
	if (!ok)
		return ph_err_set(err, PH_EINVAL, "%s: an Android ID is 13 to "
				  "16 hex digits", o);
	return PH_OK;
}

/* A UUID, with or without dashes; the all-zero one (what every device
 * sends when ad tracking is limited) is refused. */
static int check_adid(struct ph_ident *id, const char *o,
		      struct ph_err *err)
{
	const char *s = id->value;
	size_t len = strlen(s), k = 0;
	bool ok = len == 32 || len == 36, zero = true;
	for (size_t i = 0; ok && i < len; i++) {
		if (len == 36 && (i == 8 || i == 13 || i == 18 || i == 23)) {
			ok = s[i] == '-';
			continue;
		}
		ok = is_hex(s[i]);
		zero = zero && s[i] == '0';
		if (k == 8 || k == 13 || k == 18 || k == 23)
			id->norm[k++] = '-';
		id->norm[k++] = to_lower(s[i]);
	}
	id->norm[k] = 0;
	if (!ok)
		return ph_err_set(err, PH_EINVAL, "%s: an advertising ID is a "
				  "UUID (8-4-4-4-12 hex digits, dashes "
				  "optional)", o);
	if (zero)
		return ph_err_set(err, PH_EINVAL, "%s: the all-zero advertising "
				  "ID is sent by every device with ad tracking "
				  "limited; give the device's own", o);
	return PH_OK;
}

/* Free text (serial, names, SSID, custom): any byte but controls. */
static int check_text(struct ph_ident *id, const char *o, size_t min,
		      struct ph_err *err)
{
	size_t len = strlen(id->value);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)id->value[i] < ' ' || id->value[i] == 0x7f)
			return ph_err_set(err, PH_EINVAL, "%s: control "
					  "characters are not allowed",
					  o);
	if (len < min)
		return ph_err_set(err, PH_EINVAL, "%s: at least %zu characters "
				  "needed", o, min);
	memcpy(id->norm, id->value, len + 1);
	return PH_OK;
}

/* Reads one decimal number and the blanks after it; NULL on junk. */
static const char *read_num(const char *s, double *v)
{
	char *end;
	while (*s == ' ')
		s++;
	if (!is_digit(*s) && *s != '-' && *s != '+' && *s != '.')
		return NULL;
	errno = 0;
	*v = strtod(s, &end);
	if (end == s || errno || !isfinite(*v))
		return NULL;
	for (const char *p = s; p < end; p++) /* no "1e3", "0x1p4" */
		if (!is_digit(*p) && *p != '.' && *p != '-' && *p != '+')
			return NULL;
	while (*end == ' ')
		end++;
	return end;
}

/* "lat,lon[,radius_m]" in decimal degrees and metres. */
static int check_location(struct ph_ident *id, const char *o,
			  struct ph_err *err)
{
	const char *s = read_num(id->value, &id->lat);
	if (s && *s == ',')
		s = read_num(s + 1, &id->lon);
	else
		s = NULL;
	id->radius_m = DEFAULT_RADIUS_M;
	if (s && *s == ',')
		s = read_num(s + 1, &id->radius_m);
	if (!s || *s || fabs(id->lat) > 90 || fabs(id->lon) > 180 ||
	    !(id->radius_m >= 1) || id->radius_m > 20037509)
		return ph_err_set(err, PH_EINVAL, "%s: a location is LAT,LON"
				  "[,RADIUS_M] in decimal degrees (latitude "
				  "-90..90, longitude -180..180, radius 1 m to "
				  "20,000 km, default 500)", o);
	snprintf(id->norm, sizeof id->norm, "%.6f,%.6f,%.0f", id->lat,
		 id->lon, id->radius_m);
	return PH_OK;
}

static int validate(struct ph_ident *id, const char *o,
		    struct ph_err *err)
{
	switch (id->kind) {
	case PH_ID_IMEI:
		return check_digits(id, o, 14, 16, "an IMEI", err);
	case PH_ID_IMSI:
		return check_digits(id, o, 14, 15, "an IMSI", err);
	case PH_ID_ICCID:
		return check_digits(id, o, 18, 22, "an ICCID", err);
	case PH_ID_PHONE:
		return check_phone(id, o, err);
	case PH_ID_EMAIL:
		return check_email(id, o, err);
	case PH_ID_WIFI_MAC:
	case PH_ID_BT_MAC:
		return check_mac(id, o, err);
	case PH_ID_ANDROID_ID:
		return check_android_id(id, o, err);
	case PH_ID_ADID:
		return check_adid(id, o, err);
	case PH_ID_SERIAL:
		return check_text(id, o, 4, err);
	case PH_ID_LOCATION:
		return check_location(id, o, err);
	default:
		return check_text(id, o, 1, err);
	}
}

/* Leading and trailing blanks off; one pair of enclosing double quotes
 * off (to keep blanks that belong to an SSID or a name). */
static void trim_value(const char *v, char *out, size_t n, size_t *len)
{
	size_t a = 0, b = strlen(v);
	while (a < b && (v[a] == ' ' || v[a] == '\t'))
		a++;
	while (b > a && (v[b - 1] == ' ' || v[b - 1] == '\t' ||
			 v[b - 1] == '\r' || v[b - 1] == '\n'))
		b--;
	if (b - a >= 2 && v[a] == '"' && v[b - 1] == '"') {
		a++;
		b--;
	}
	*len = b - a;
	if (*len < n)
		memcpy(out, v + a, *len);
	out[*len < n ? *len : 0] = 0;
}

/* Keeps the end of a long origin ("...tail/ids.txt:12"). */
static void set_origin(struct ph_ident *id, const char *origin)
{
	size_t n = strlen(origin), cap = sizeof id->origin;
	if (n < cap)
		memcpy(id->origin, origin, n + 1);
	else
		snprintf(id->origin, cap, "...%s", origin + n - (cap - 4));
}

static bool same(const struct ph_ident *a, const struct ph_ident *b)
{
	return a->kind == b->kind && !strcmp(a->norm, b->norm);
}

int ph_identifiers_add(struct ph_identifiers *ids, const char *key,
		       const char *value, const char *origin,
		       struct ph_err *err)
{
	const char *o = origin ? origin : "identifier";
	int k = ph_ident_kind_parse(key);
	if (k < 0)
		return ph_err_set(err, PH_EINVAL, "%s: unknown identifier '%s' "
				  "(imei imsi iccid phone email wifi_mac bt_mac "
				  "android_id adid serial device_name user "
				  "location ssid custom)", o, key);
	struct ph_ident id;
	memset(&id, 0, sizeof id);
	id.kind = (enum ph_ident_kind)k;
	set_origin(&id, o);
	size_t len;
	trim_value(value, id.value, sizeof id.value, &len);
	if (len == 0)
		return ph_err_set(err, PH_EINVAL, "%s: empty %s", o, key);
	if (len >= sizeof id.value)
		return ph_err_set(err, PH_EINVAL, "%s: %s longer than %zu "
				  "bytes", o, key, sizeof id.value - 1);
	int rc = validate(&id, o, err);
	if (rc < 0)
		return rc;
	for (unsigned i = 0; i < ids->n; i++)
		if (same(&ids->v[i], &id))
			return PH_OK; /* given twice: searched once */
	if (ids->n >= PH_IDENT_MAX)
		return ph_err_set(err, PH_ENOMEM, "%s: more than %d identifiers",
				  o, PH_IDENT_MAX);
	ids->v[ids->n++] = id;
	return PH_OK;
}

/* ---- the KEY=VALUE file ---------------------------------------------- */

static int file_err(struct ph_err *err, int code, const char *path,
		    unsigned line, const char *what)
{
	if (err)
		snprintf(err->file, sizeof err->file, "%.*s",
			 (int)sizeof err->file - 1, path);
	if (!line) /* the whole file */
		return ph_err_set(err, code, "%s: %s", path, what);
	return ph_err_set(err, code, "%s:%u: %s", path, line, what);
}

/* One line without its newline: blank, "# comment" or KEY=VALUE. */
static int load_line(struct ph_identifiers *ids, char *s, const char *path,
		     unsigned line, struct ph_err *err)
{
	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s || *s == '#' || !strcmp(s, "\r"))
		return PH_OK;
	char *eq = strchr(s, '=');
	if (!eq)
		return file_err(err, PH_EINVAL, path, line,
				"expected KEY=VALUE (e.g. imei=490154203237518)");
	char *k = eq;
	while (k > s && (k[-1] == ' ' || k[-1] == '\t'))
		k--;
	*k = 0;
	char origin[1100];
	snprintf(origin, sizeof origin, "%s:%u", path, line);
	struct ph_err e;
	memset(&e, 0, sizeof e);
	int rc = ph_identifiers_add(ids, s, eq + 1, origin, &e);
	if (rc < 0 && err) {
		*err = e; /* the message starts with "PATH:LINE: " */
		snprintf(err->file, sizeof err->file, "%.*s",
			 (int)sizeof err->file - 1, path);
	}
	return rc;
}

/* Reads the whole file (at most IDENT_FILE_MAX bytes) into *buf. */
static int read_file(const char *path, char **buf, size_t *len,
		     struct ph_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		int e = errno;
		if (err)
			snprintf(err->file, sizeof err->file, "%.*s",
				 (int)sizeof err->file - 1, path);
		return ph_err_set(err, PH_EIO, "%s: %s", path, strerror(e));
	}
	*buf = malloc(IDENT_FILE_MAX + 1);
	errno = 0;
	*len = *buf ? fread(*buf, 1, IDENT_FILE_MAX + 1, f) : 0;
	int bad = ferror(f) ? (errno ? errno : EIO) : 0;
	fclose(f);
	if (!*buf)
		return ph_err_set(err, PH_ENOMEM, "%s: out of memory", path);
	if (bad || *len > IDENT_FILE_MAX) {
		free(*buf);
		*buf = NULL;
		return file_err(err, bad ? PH_EIO : PH_ENOMEM, path, 0,
				bad ? strerror(bad) : "file larger than 1 MiB");
	}
	return PH_OK;
}

/* One line (NUL-terminated copy): length and NUL checks, then parsed. */
static int load_one(struct ph_identifiers *ids, const char *p, size_t n,
		    const char *path, unsigned line, struct ph_err *err)
{
	char tmp[IDENT_LINE_MAX + 1];
	if (n > IDENT_LINE_MAX)
		return file_err(err, PH_EINVAL, path, line,
				"line longer than 1024 bytes");
	if (memchr(p, 0, n))
		return file_err(err, PH_EFORMAT, path, line,
				"NUL byte in a text file");
	memcpy(tmp, p, n);
	tmp[n] = 0;
	char *s = tmp;
	if (line == 1 && n >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
		s += 3; /* UTF-8 byte order mark */
	return load_line(ids, s, path, line, err);
}

int ph_identifiers_load(struct ph_identifiers *ids, const char *path,
			struct ph_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	int rc = read_file(path, &buf, &len, err);
	if (rc < 0)
		return rc;
	unsigned line = 0;
	for (size_t at = 0; rc == PH_OK && at < len;) {
		const char *nl = memchr(buf + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (buf + at)) : len - at;
		rc = load_one(ids, buf + at, n, path, ++line, err);
		at += n + 1;
	}
	free(buf);
	return rc;
}

/* ---- masking ---------------------------------------------------------- */

/* "j***@example.org": first character and the domain. */
static void mask_email(const char *v, const char *at, char *out, size_t n)
{
	size_t local = (size_t)(at - v), k = 0;
	for (size_t i = 0; i < local && k + 1 < n; i++)
		out[k++] = i == 0 && (unsigned char)v[0] < 0x80 ? v[0] : '*';
	snprintf(out + k, n - k, "%s", at);
}

/* "48.85661,2.35222[,500]" (a location): numbers kept to 1 decimal. */
static bool mask_location(const char *v, char *out, size_t n)
{
	double a, b;
	const char *s = read_num(v, &a);
	if (!s || *s != ',' || !(s = read_num(s + 1, &b)) ||
	    (*s && *s != ','))
		return false;
	size_t k = 0;
	int decimals = -1, field = 0;
	for (const char *p = v; *p && k + 1 < n; p++) {
		if (*p == ',') {
			field++;
			decimals = -1;
		} else if (*p == '.') {
			decimals = 0;
		} else if (decimals >= 0 && is_digit(*p) && field < 2 &&
			   ++decimals > 1) {
			out[k++] = '*';
			continue;
		}
		out[k++] = *p;
	}
	out[k] = 0;
	return true;
}

void ph_ident_mask(const char *value, bool show, char *out, size_t n)
{
	if (!n)
		return;
	const char *at = strrchr(value, '@');
	if (show) {
		snprintf(out, n, "%s", value);
		return;
	}
	if (at && at > value && at[1]) {
		mask_email(value, at, out, n);
		return;
	}
	if (mask_location(value, out, n))
		return;
	size_t len = strlen(value), keep = len / 4;
	size_t head = (keep + 1) / 2, tail = keep / 2, k = 0;
	head = head > 4 ? 4 : head;
	tail = tail > 4 ? 4 : tail;
	for (size_t i = 0; i < len && k + 1 < n; i++) {
		bool keep_it = (i < head || i >= len - tail) &&
			       (unsigned char)value[i] < 0x80;
		out[k++] = keep_it ? value[i] : '*'; /* never half a UTF-8 char */
	}
	out[k] = 0;
}
