/* MISP events (JSON): {"Event": {...}}, a bare event object (with
 * "Attribute"/"Object" and "info"), {"response": [{"Event": ...}, ...]}
 * or a list of {"Event": ...}. Attributes of the event and of its objects
 * map by type (ip-dst, domain|ip, url, x509-fingerprint-sha1, md5...; see
 * attr_map); "link", "text", "comment" and similar context types are not
 * indicators and are skipped; other types go to sink->unsupported. In an
 * android-app object, "appid" text becomes an APP_ID, "certificate" sha1
 * a CERT_SHA1, and the object's "name" the campaign. Otherwise campaign =
 * a misp-galaxy tag's value or the event info; name = attribute comment;
 * ref = attribute uuid; line = 1-based attribute count in the file. */
#include <stdio.h>
#include <string.h>

#include "intel/feed_int.h"

/* What an attribute type means: up to two types (one per '|' half). */
struct amap {
	const char *type;
	int t1, t2; /* type of the value, or of each half; -1 = none */
};

static const struct amap attr_map[] = {
	{"ip-dst", PH_IOC_IP, -1},          {"ip-src", PH_IOC_IP, -1},
	{"ip-dst|port", PH_IOC_IP, -1},     {"ip-src|port", PH_IOC_IP, -1},
	{"domain", PH_IOC_DOMAIN, -1},      {"hostname", PH_IOC_DOMAIN, -1},
	{"hostname|port", PH_IOC_DOMAIN, -1},
	{"domain|ip", PH_IOC_DOMAIN, PH_IOC_IP},
	{"url", PH_IOC_URL, -1},
	{"x509-fingerprint-sha1", PH_IOC_CERT_SHA1, -1},
	{"x509-fingerprint-sha256", PH_IOC_CERT_SHA256, -1},
	{"ja3-fingerprint-md5", PH_IOC_JA3, -1},
	{"ja3s-fingerprint-md5", PH_IOC_JA3S, -1},
	{"ja4-fingerprint", PH_IOC_JA4, -1},
	{"email", PH_IOC_EMAIL, -1},        {"email-src", PH_IOC_EMAIL, -1},
	{"email-dst", PH_IOC_EMAIL, -1},
	{"md5", PH_IOC_FILE_HASH, -1},      {"sha1", PH_IOC_FILE_HASH, -1},
	{"sha256", PH_IOC_FILE_HASH, -1},
	{"filename|md5", -1, PH_IOC_FILE_HASH},
	{"filename|sha1", -1, PH_IOC_FILE_HASH},
	{"filename|sha256", -1, PH_IOC_FILE_HASH},
	{"malware-sample", -1, PH_IOC_FILE_HASH},
};

/* Context types: not indicators, skipped without a report. */
static const char *const context_types[] = {
	"link", "text", "comment", "other", "datetime", "counter", "float",
	"boolean", "attachment", "size-in-bytes", "port", "filename",
};

struct misp_ctx {
	const struct ph_feed_sink *sink;
	const char *campaign;  /* event-level */
	unsigned line;
};

static int emit_half(struct misp_ctx *c, int t, const char *v, size_t n,
		     const char *name, const char *campaign, const char *ref)
{
	if (t < 0)
		return 0;
	if (n == 0) {
		ph_feed_unsup(c->sink, v, n, c->line, "empty MISP value");
		return 0;
	}
	return ph_feed_emit(c->sink, (enum ph_ioc_type)t, v, n, name,
			    campaign, NULL, ref, c->line);
}

/* Type for an attribute of an android-app object, by relation. */
static int relation_type(const char *type, const char *rel)
{
	if (!rel)
		return -1;
	if (!strcmp(type, "text") && (!strcmp(rel, "appid") ||
				      !strcmp(rel, "package-name")))
		return PH_IOC_APP_ID;
	if (!strcmp(type, "sha1") && !strcmp(rel, "certificate"))
		return PH_IOC_CERT_SHA1;
	if (!strcmp(type, "sha256") && !strcmp(rel, "certificate"))
		return PH_IOC_CERT_SHA256;
	return -1;
}

static int load_attr(struct misp_ctx *c, struct json_object *a,
		     const char *campaign)
{
	size_t n;
	const char *type = ph_feed_json_str(a, "type", NULL);
	const char *v = ph_feed_json_str(a, "value", &n);
	const char *rel = ph_feed_json_str(a, "object_relation", NULL);
	const char *name = ph_feed_json_str(a, "comment", NULL);
	const char *ref = ph_feed_json_str(a, "uuid", NULL);
	c->line++;
	if (!type || !v) {
		ph_feed_unsup(c->sink, v, v ? n : 0, c->line,
			      "MISP attribute without type or value");
		return 0;
	}
	if (name && !name[0])
		name = NULL;
	int rt = relation_type(type, rel);
	if (rt >= 0)
		return emit_half(c, rt, v, n, name, campaign, ref);
	for (size_t i = 0; i < sizeof attr_map / sizeof attr_map[0]; i++) {
		const struct amap *m = &attr_map[i];
		if (strcmp(type, m->type))
			continue;
		const char *bar = strchr(m->type, '|') ? memchr(v, '|', n) : NULL;
		size_t n1 = bar ? (size_t)(bar - v) : n;
		int rc = emit_half(c, m->t1, v, n1, name, campaign, ref);
		if (rc >= 0 && bar)
			rc = emit_half(c, m->t2, bar + 1, n - n1 - 1, name,
				       campaign, ref);
		else if (rc >= 0 && m->t1 < 0)
			ph_feed_unsup(c->sink, v, n, c->line,
				      "MISP value has no '|'");
		return rc;
	}
	for (size_t i = 0; i < sizeof context_types / sizeof *context_types; i++)
		if (!strcmp(type, context_types[i]))
			return 0;
	ph_feed_unsup(c->sink, v, n, c->line, "MISP attribute type not supported");
	return 0;
}

static int load_attrs(struct misp_ctx *c, struct json_object *holder,
		      const char *campaign)
{
	struct json_object *arr;
	if (!json_object_object_get_ex(holder, "Attribute", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return 0;
	size_t n = json_object_array_length(arr);
	for (size_t i = 0; i < n; i++) {
		struct json_object *a = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(a, json_type_object))
			continue;
		int rc = load_attr(c, a, campaign);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* An object's own "name" attribute (android-app: the app's name). */
static const char *object_name(struct json_object *obj)
{
	struct json_object *arr;
	if (!json_object_object_get_ex(obj, "Attribute", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return NULL;
	size_t n = json_object_array_length(arr);
	for (size_t i = 0; i < n; i++) {
		struct json_object *a = json_object_array_get_idx(arr, i);
		const char *rel = ph_feed_json_str(a, "object_relation", NULL);
		const char *v = ph_feed_json_str(a, "value", NULL);
		if (rel && v && v[0] && !strcmp(rel, "name"))
			return v;
	}
	return NULL;
}

/* The value of the first tag misp-galaxy:<kind>="Value", into buf. */
static const char *galaxy_tag(struct json_object *ev, char *buf, size_t cap)
{
	struct json_object *tags;
	if (!json_object_object_get_ex(ev, "Tag", &tags) ||
	    !json_object_is_type(tags, json_type_array))
		return NULL;
	size_t n = json_object_array_length(tags);
	for (size_t i = 0; i < n; i++) {
		const char *t = ph_feed_json_str(
			json_object_array_get_idx(tags, i), "name", NULL);
		const char *q = t ? strstr(t, "=\"") : NULL;
		if (!t || strncmp(t, "misp-galaxy:", 12) || !q)
			continue;
		size_t l = strlen(q + 2);
		if (l && q[2 + l - 1] == '"')
			l--;
		snprintf(buf, cap, "%.*s", (int)(l < cap ? l : cap - 1), q + 2);
		return buf;
	}
	return NULL;
}

static int load_event(struct misp_ctx *c, struct json_object *ev)
{
	char tagbuf[128];
	if (!json_object_is_type(ev, json_type_object))
		return 0;
	c->campaign = galaxy_tag(ev, tagbuf, sizeof tagbuf);
	if (!c->campaign)
		c->campaign = ph_feed_json_str(ev, "info", NULL);
	int rc = load_attrs(c, ev, c->campaign);
	struct json_object *objs;
	if (rc < 0 || !json_object_object_get_ex(ev, "Object", &objs) ||
	    !json_object_is_type(objs, json_type_array))
		return rc;
	size_t n = json_object_array_length(objs);
	for (size_t i = 0; i < n && rc >= 0; i++) {
		struct json_object *o = json_object_array_get_idx(objs, i);
		if (!json_object_is_type(o, json_type_object))
			continue;
		const char *on = object_name(o);
		rc = load_attrs(c, o, on ? on : c->campaign);
	}
	return rc;
}

/* An element of a list: {"Event": {...}} or an event itself. */
static int load_wrapped(struct misp_ctx *c, struct json_object *o)
{
	struct json_object *ev;
	if (json_object_object_get_ex(o, "Event", &ev))
		return load_event(c, ev);
	return load_event(c, o);
}

static int load_list(struct misp_ctx *c, struct json_object *arr)
{
	size_t n = json_object_array_length(arr);
	for (size_t i = 0; i < n; i++) {
		int rc = load_wrapped(c, json_object_array_get_idx(arr, i));
		if (rc < 0)
			return rc;
	}
	return 0;
}

int ph_feed_misp_load(const char *path, const uint8_t *buf, size_t len,
		      const struct ph_feed_sink *sink, struct ph_err *err)
{
	struct json_object *root = ph_feed_json_parse(path, buf, len, err);
	if (!root)
		return err ? err->code : PH_EFORMAT;
	struct misp_ctx c = {sink, NULL, 0};
	struct json_object *r;
	int rc;
	if (json_object_is_type(root, json_type_array))
		rc = load_list(&c, root);
	else if (!json_object_is_type(root, json_type_object))
		rc = ph_feed_fail(err, PH_EFORMAT, path, NULL, 0,
				  "not a MISP event (not a JSON object)");
	else if (json_object_object_get_ex(root, "response", &r) &&
		 json_object_is_type(r, json_type_array))
		rc = load_list(&c, r);
	else if (json_object_object_get_ex(root, "response", &r))
		rc = load_wrapped(&c, r);
	else if (json_object_object_get_ex(root, "Event", NULL) ||
		 json_object_object_get_ex(root, "Attribute", NULL) ||
		 json_object_object_get_ex(root, "Object", NULL))
		rc = load_wrapped(&c, root);
	else
		rc = ph_feed_fail(err, PH_EFORMAT, path, NULL, 0,
				  "not a MISP event (no Event, Attribute, "
				  "Object or response member)");
	json_object_put(root);
	return rc;
}
