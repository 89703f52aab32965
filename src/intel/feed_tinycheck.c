/* TinyCheck indicator files (JSON): iocs.json {"iocs": [{"type", "tag",
 * "tlp", "value"}]} (also stalkerware-indicators'
 * indicators-for-tinycheck.json) and whitelist.json {"elements":
 * [{"type", "element"}]}, the allowlist (the caller marks the source).
 * Types: ip4addr/ip6addr/cidr -> IP, domain -> DOMAIN, freedns -> DOMAIN
 * (category "freedns"), tld -> DOMAIN (category "tld", leading dot
 * dropped), ns -> NS, sha1cert -> CERT_SHA1; others (snort rules...) go
 * to sink->unsupported. Category = the tag unless the type fixes one;
 * line = 1-based index in the list. */
#include <string.h>

#include "intel/feed_int.h"

static int load_item(struct json_object *it, bool allow, unsigned line,
		     const struct ph_feed_sink *sink)
{
	size_t n = 0, tn = 0;
	const char *type = ph_feed_json_str(it, "type", &tn);
	const char *v = ph_feed_json_str(it, allow ? "element" : "value", &n);
	const char *tag = ph_feed_json_str(it, "tag", NULL);
	if (!type || !v) {
		ph_feed_unsup(sink, v, n, line,
			      "TinyCheck entry without type or value");
		return 0;
	}
	const char *cat;
	int t = ph_feed_type_word(type, tn, &cat);
	if (t < 0 || t == PH_IOC_FILE_HASH || t == PH_IOC_APP_ID) {
		ph_feed_unsup(sink, v, n, line,
			      "TinyCheck type not supported");
		return 0;
	}
	if (t == PH_IOC_DOMAIN || t == PH_IOC_NS)
		while (n > 1 && v[0] == '.')
			v++, n--;
	if (n == 0) {
		ph_feed_unsup(sink, v, n, line, "empty TinyCheck value");
		return 0;
	}
	return ph_feed_emit(sink, (enum ph_ioc_type)t, v, n, NULL, NULL,
			    cat ? cat : (tag && tag[0] ? tag : NULL), NULL,
			    line);
}

int ph_feed_tinycheck_load(const char *path, const uint8_t *buf, size_t len,
			   bool allow, const struct ph_feed_sink *sink,
			   struct ph_err *err)
{
	struct json_object *root = ph_feed_json_parse(path, buf, len, err);
	if (!root)
		return err ? err->code : PH_EFORMAT;
	const char *key = allow ? "elements" : "iocs";
	struct json_object *arr;
	if (!json_object_object_get_ex(root, key, &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		json_object_put(root);
		return ph_feed_fail(err, PH_EFORMAT, path, NULL, 0,
				    "not a TinyCheck file (no \"%s\" list)",
				    key);
	}
	size_t n = json_object_array_length(arr);
	int rc = 0;
	for (size_t i = 0; i < n && rc >= 0; i++) {
		struct json_object *it = json_object_array_get_idx(arr, i);
		if (json_object_is_type(it, json_type_object))
			rc = load_item(it, allow, (unsigned)(i + 1), sink);
		else
			ph_feed_unsup(sink, "", 0, (unsigned)(i + 1),
				      "TinyCheck entry is not an object");
	}
	json_object_put(root);
	return rc;
}
