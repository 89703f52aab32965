/* Feed formats: names, detection by content (the path suffix is only a
 * hint), dispatch to the per-format loaders (feed_<format>.c), and the
 * helpers they share (error positions, JSON parsing, sink calls, type
 * words). Detection reads the buffer once, allocates nothing and looks at
 * no more than the top-level keys of a JSON document, the first 64 KiB of
 * a YAML one, or the first 256 lines of a text list. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "intel/feed_int.h"

#define DETECT_TEXT_LINES 256
#define DETECT_YAML_BYTES 65536

const char *ph_feed_format_name(enum ph_feed_format f)
{
	switch (f) {
	case PH_FEED_STIX: return "stix";
	case PH_FEED_MISP: return "misp";
	case PH_FEED_TINYCHECK: return "tinycheck";
	case PH_FEED_TINYCHECK_ALLOW: return "tinycheck-allow";
	case PH_FEED_STALKERWARE_YAML: return "stalkerware-yaml";
	case PH_FEED_STALKERWARE_CSV: return "stalkerware-csv";
	case PH_FEED_PLAIN: return "plain";
	case PH_FEED_UNKNOWN: break;
	}
	return "unknown";
}

/* ---- shared helpers ------------------------------------------------- */

bool ph_feed_eq(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);
	return n == l && strncasecmp(s, lit, l) == 0;
}

int ph_feed_fail(struct ph_err *err, int code, const char *path,
		 const uint8_t *buf, size_t off, const char *fmt, ...)
{
	if (!err)
		return code;
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (buf) {
		unsigned line = 1;
		for (size_t i = 0; i < off; i++)
			line += buf[i] == '\n';
		ph_err_set(err, code, "line %u: %s", line, msg);
	} else {
		ph_err_set(err, code, "%s", msg);
	}
	snprintf(err->file, sizeof err->file, "%s", path ? path : "");
	err->offset = off;
	err->packet = 0;
	return code;
}

static size_t skip_ws(const uint8_t *b, size_t n, size_t i);

static size_t bom_len(const uint8_t *b, size_t n)
{
	return n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF ? 3 : 0;
}

struct json_object *ph_feed_json_parse(const char *path, const uint8_t *buf,
				       size_t len, struct ph_err *err)
{
	size_t skip = bom_len(buf, len);
	if (len > PH_FEED_MAX_BYTES) {
		ph_feed_fail(err, PH_ENOMEM, path, NULL, 0,
			     "file too large (%zu bytes)", len);
		return NULL;
	}
	struct json_tokener *tok = json_tokener_new_ex(PH_FEED_JSON_DEPTH);
	if (!tok) {
		ph_feed_fail(err, PH_ENOMEM, path, NULL, 0, "out of memory");
		return NULL;
	}
	const char *s = (const char *)buf + skip;
	int n = (int)(len - skip);
	struct json_object *o = json_tokener_parse_ex(tok, s, n);
	size_t end = skip + json_tokener_get_parse_end(tok);
	enum json_tokener_error je = json_tokener_get_error(tok);
	json_tokener_free(tok);
	if (!o) {
		const char *why = je == json_tokener_continue
					  ? "unexpected end of JSON"
					  : json_tokener_error_desc(je);
		ph_feed_fail(err, PH_EFORMAT, path, buf, end, "not JSON: %s",
			     why);
		return NULL;
	}
	end = skip_ws(buf, len, end);
	if (end < len) {
		json_object_put(o);
		ph_feed_fail(err, PH_EFORMAT, path, buf, end,
			     "not JSON: data after the document");
		return NULL;
	}
	return o;
}

const char *ph_feed_json_str(struct json_object *o, const char *key,
			     size_t *len)
{
	struct json_object *v;
	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	if (len)
		*len = (size_t)json_object_get_string_len(v);
	return json_object_get_string(v);
}

int ph_feed_emit(const struct ph_feed_sink *sink, enum ph_ioc_type t,
		 const char *v, size_t n, const char *name,
		 const char *campaign, const char *category, const char *ref,
		 unsigned line)
{
	struct ph_ioc_entry e = {
		.type = t, .value = v, .len = n, .name = name,
		.campaign = campaign, .category = category, .ref = ref,
		.line = line,
	};
	return sink->add(sink->user, &e);
}

void ph_feed_unsup(const struct ph_feed_sink *sink, const char *text,
		   size_t len, unsigned line, const char *reason)
{
	if (sink->unsupported)
		sink->unsupported(sink->user, text ? text : "", text ? len : 0,
				  line, reason);
}

/* Type words of TinyCheck, network.csv and similar typed lists. */
static const struct {
	const char *word;
	int type;
	const char *category;
} type_words[] = {
	{"domain", PH_IOC_DOMAIN, NULL},   {"hostname", PH_IOC_DOMAIN, NULL},
	{"host", PH_IOC_DOMAIN, NULL},     {"domain_name", PH_IOC_DOMAIN, NULL},
	{"freedns", PH_IOC_DOMAIN, "freedns"},
	{"tld", PH_IOC_DOMAIN, "tld"},     {"ns", PH_IOC_NS, NULL},
	{"ip", PH_IOC_IP, NULL},           {"ip4addr", PH_IOC_IP, NULL},
	{"ip6addr", PH_IOC_IP, NULL},      {"ipv4", PH_IOC_IP, NULL},
	{"ipv6", PH_IOC_IP, NULL},         {"ip_address", PH_IOC_IP, NULL},
	{"cidr", PH_IOC_IP, NULL},         {"url", PH_IOC_URL, NULL},
	{"email", PH_IOC_EMAIL, NULL},     {"sha1cert", PH_IOC_CERT_SHA1, NULL},
	{"certificate", PH_IOC_CERT_SHA1, NULL},
	{"sha256cert", PH_IOC_CERT_SHA256, NULL},
	{"ja3", PH_IOC_JA3, NULL},         {"ja3s", PH_IOC_JA3S, NULL},
	{"ja4", PH_IOC_JA4, NULL},         {"md5", PH_IOC_FILE_HASH, NULL},
	{"sha1", PH_IOC_FILE_HASH, NULL},  {"sha256", PH_IOC_FILE_HASH, NULL},
	{"package", PH_IOC_APP_ID, NULL},  {"package name", PH_IOC_APP_ID, NULL},
	{"package_name", PH_IOC_APP_ID, NULL},
	{"app_id", PH_IOC_APP_ID, NULL},   {"appid", PH_IOC_APP_ID, NULL},
};

int ph_feed_type_word(const char *w, size_t n, const char **category)
{
	if (category)
		*category = NULL;
	for (size_t i = 0; i < sizeof type_words / sizeof type_words[0]; i++)
		if (ph_feed_eq(w, n, type_words[i].word)) {
			if (category)
				*category = type_words[i].category;
			return type_words[i].type;
		}
	return -1;
}

/* ---- detection: JSON top-level keys --------------------------------- */

static size_t skip_ws(const uint8_t *b, size_t n, size_t i)
{
	while (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' ||
			 b[i] == '\n'))
		i++;
	return i;
}

/* Index after the JSON string starting at b[i] == '"', or n. */
static size_t skip_string(const uint8_t *b, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (b[i] == '\\')
			i++;
		else if (b[i] == '"')
			return i + 1;
	}
	return n;
}

/* Index after the JSON value starting at b[i] (not validated), or n. */
static size_t skip_value(const uint8_t *b, size_t n, size_t i)
{
	if (i >= n)
		return n;
	if (b[i] == '"')
		return skip_string(b, n, i);
	if (b[i] != '{' && b[i] != '[') {
		while (i < n && !strchr(",}] \t\r\n", b[i]))
			i++;
		return i;
	}
	size_t depth = 0;
	while (i < n) {
		if (b[i] == '"') {
			i = skip_string(b, n, i);
			continue;
		}
		if (b[i] == '{' || b[i] == '[')
			depth++;
		else if ((b[i] == '}' || b[i] == ']') && --depth == 0)
			return i + 1;
		i++;
	}
	return n;
}

enum {
	K_BUNDLE = 1, K_OBJECTS = 2, K_EVENT = 4, K_RESPONSE = 8,
	K_IOCS = 16, K_ELEMENTS = 32, K_ATTRIBUTE = 64, K_OBJECT = 128,
	K_INFO = 256,
};

static unsigned key_flag(const uint8_t *k, size_t kn)
{
	static const struct { const char *k; unsigned f; } keys[] = {
		{"objects", K_OBJECTS},   {"Event", K_EVENT},
		{"response", K_RESPONSE}, {"iocs", K_IOCS},
		{"elements", K_ELEMENTS}, {"Attribute", K_ATTRIBUTE},
		{"Object", K_OBJECT},     {"info", K_INFO},
	};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (kn == strlen(keys[i].k) && !memcmp(k, keys[i].k, kn))
			return keys[i].f;
	return 0;
}

/* Flags of the keys of the object at b[i] == '{'; 0 if malformed. */
static unsigned json_keys(const uint8_t *b, size_t n, size_t i)
{
	unsigned f = 0;
	i = skip_ws(b, n, i + 1);
	while (i < n && b[i] == '"') {
		size_t ke = skip_string(b, n, i);
		if (ke >= n)
			return 0;
		const uint8_t *k = b + i + 1;
		size_t kn = ke - i - 2;
		i = skip_ws(b, n, ke);
		if (i >= n || b[i] != ':')
			return 0;
		i = skip_ws(b, n, i + 1);
		size_t ve = skip_value(b, n, i);
		if (kn == 4 && !memcmp(k, "type", 4) && ve - i == 8 &&
		    !memcmp(b + i, "\"bundle\"", 8))
			f |= K_BUNDLE;
		f |= key_flag(k, kn);
		i = skip_ws(b, n, ve);
		if (i < n && b[i] == ',')
			i = skip_ws(b, n, i + 1);
		else
			break;
	}
	return f;
}

static bool has_suffix(const char *path, const char *suf)
{
	if (!path)
		return false;
	size_t pl = strlen(path), sl = strlen(suf);
	return pl >= sl && strcasecmp(path + pl - sl, suf) == 0;
}

static enum ph_feed_format detect_json(const char *path, const uint8_t *b,
				       size_t n, size_t i)
{
	unsigned f;
	if (b[i] == '[') {
		i = skip_ws(b, n, i + 1);
		if (i >= n || b[i] != '{')
			return PH_FEED_UNKNOWN;
		f = json_keys(b, n, i);
		return f & K_EVENT ? PH_FEED_MISP : PH_FEED_UNKNOWN;
	}
	f = json_keys(b, n, i);
	if ((f & K_BUNDLE) ||
	    ((f & K_OBJECTS) && (has_suffix(path, ".stix2") ||
				 has_suffix(path, ".stix"))))
		return PH_FEED_STIX;
	if ((f & (K_EVENT | K_RESPONSE)) ||
	    ((f & (K_ATTRIBUTE | K_OBJECT)) && (f & K_INFO)))
		return PH_FEED_MISP;
	if (f & K_IOCS)
		return PH_FEED_TINYCHECK;
	if (f & K_ELEMENTS)
		return PH_FEED_TINYCHECK_ALLOW;
	return PH_FEED_UNKNOWN;
}

/* ---- detection: YAML, CSV, text --------------------------------------- */

/* True when some line of the first bytes is "[- ]key:" for a key of an
 * ioc.yaml app entry. */
static bool yaml_app_keys(const uint8_t *b, size_t n)
{
	static const char *const keys[] = {"packages:", "certificates:",
					   "websites:", "names:",
					   "ios_bundles:"};
	if (n > DETECT_YAML_BYTES)
		n = DETECT_YAML_BYTES;
	for (size_t i = 0; i < n;) {
		while (i < n && (b[i] == ' ' || b[i] == '-' || b[i] == '\t'))
			i++;
		for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
			size_t kl = strlen(keys[k]);
			if (n - i >= kl && !memcmp(b + i, keys[k], kl))
				return true;
		}
		const uint8_t *nl = memchr(b + i, '\n', n - i);
		i = nl ? (size_t)(nl - b) + 1 : n;
	}
	return false;
}

static bool looks_binary(const uint8_t *b, size_t n)
{
	if (memchr(b, 0, n) || (n >= 2 && b[0] == 0x1f && b[1] == 0x8b))
		return true;
	unsigned ctl = 0;
	for (size_t i = 0; i < n && i < 4096; i++)
		if (b[i] < 0x20 && !strchr("\t\r\n\f\v", b[i]))
			ctl++;
	return ctl > 8;
}

struct count_sink { unsigned added, unsup; };

static int count_add(void *u, const struct ph_ioc_entry *e)
{
	(void)e;
	((struct count_sink *)u)->added++;
	return 0;
}

static void count_unsup(void *u, const char *t, size_t l, unsigned line,
			const char *why)
{
	((struct count_sink *)u)->unsup++;
}

/* A text list when at least half of its first lines are indicators (or
 * the suffix says it is a list). */
static enum ph_feed_format detect_text(const char *path, const uint8_t *b,
				       size_t n)
{
	struct count_sink c = {0, 0};
	struct ph_feed_sink s = {count_add, count_unsup, &c};
	ph_feed_plain_lines(b, n, DETECT_TEXT_LINES, &s);
	if (c.added == 0 && c.unsup == 0)
		return PH_FEED_PLAIN;
	if (has_suffix(path, ".txt") && c.added > 0)
		return PH_FEED_PLAIN;
	return c.added >= c.unsup ? PH_FEED_PLAIN : PH_FEED_UNKNOWN;
}

enum ph_feed_format ph_feed_detect(const char *path, const uint8_t *buf,
				   size_t len)
{
	if (!buf || len == 0)
		return has_suffix(path, ".txt") ? PH_FEED_PLAIN
						 : PH_FEED_UNKNOWN;
	if (looks_binary(buf, len))
		return PH_FEED_UNKNOWN;
	size_t i = skip_ws(buf, len, bom_len(buf, len));
	if (i < len && (buf[i] == '{' || buf[i] == '['))
		return detect_json(path, buf, len, i);
	bool yamlish = (len - i >= 3 && !memcmp(buf + i, "---", 3)) ||
		       (len - i >= 5 && !memcmp(buf + i, "%YAML", 5)) ||
		       (len - i >= 2 && !memcmp(buf + i, "- ", 2)) ||
		       has_suffix(path, ".yaml") || has_suffix(path, ".yml");
	if (yamlish)
		return yaml_app_keys(buf + i, len - i)
			       ? PH_FEED_STALKERWARE_YAML
			       : PH_FEED_UNKNOWN;
	const uint8_t *nl = memchr(buf + i, '\n', len - i);
	size_t l1 = nl ? (size_t)(nl - buf) - i : len - i;
	if (memchr(buf + i, ',', l1) && ph_feed_csv_header_known(buf + i, l1))
		return PH_FEED_STALKERWARE_CSV;
	return detect_text(path, buf, len);
}

/* ---- dispatch --------------------------------------------------------- */

int ph_feed_load_buffer(enum ph_feed_format fmt, const char *path,
			const uint8_t *buf, size_t len,
			const struct ph_feed_sink *sink, struct ph_err *err)
{
	if (!sink || !sink->add || (!buf && len))
		return ph_feed_fail(err, PH_EINVAL, path, NULL, 0,
				    "no sink or no buffer");
	if (len > PH_FEED_MAX_BYTES)
		return ph_feed_fail(err, PH_ENOMEM, path, NULL, 0,
				    "file too large (%zu bytes)", len);
	if (!buf)
		buf = (const uint8_t *)"";
	switch (fmt) {
	case PH_FEED_STIX:
		return ph_feed_stix_load(path, buf, len, sink, err);
	case PH_FEED_MISP:
		return ph_feed_misp_load(path, buf, len, sink, err);
	case PH_FEED_TINYCHECK:
	case PH_FEED_TINYCHECK_ALLOW:
		return ph_feed_tinycheck_load(
			path, buf, len, fmt == PH_FEED_TINYCHECK_ALLOW, sink,
			err);
	case PH_FEED_STALKERWARE_YAML:
		return ph_feed_yaml_load(path, buf, len, sink, err);
	case PH_FEED_STALKERWARE_CSV:
		return ph_feed_csv_load(path, buf, len, sink, err);
	case PH_FEED_PLAIN:
		return ph_feed_plain_load(path, buf, len, sink, err);
	case PH_FEED_UNKNOWN:
		break;
	}
	return ph_feed_fail(err, PH_EUNSUPPORTED, path, NULL, 0,
			    "unknown indicator feed format");
}
