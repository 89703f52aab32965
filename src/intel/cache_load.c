/* Loads the feed cache `peephole update` wrote into the indicator store:
 * every manifest entry (except the MVT index itself) whose file is
 * present, no larger than PH_UPDATE_MAX_BYTES and whose SHA-256 matches
 * the manifest becomes one source "cache/<file>" carrying the manifest's
 * URL, date and hash. Files that cannot be used are skipped and reported
 * through a callback; a file that parses only partly keeps what it gave. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "intel/update_int.h"

static const char *str_of(struct json_object *e, const char *key)
{
	struct json_object *v;
	if (!json_object_object_get_ex(e, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

struct skipper {
	ph_cache_skip_fn fn;
	void *user;
	unsigned n;
};

static void skip(struct skipper *s, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void skip(struct skipper *s, const char *file, const char *fmt, ...)
{
	char reason[320];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	s->n++;
	if (s->fn)
		s->fn(s->user, file, reason);
}

/* Registers and parses one verified file; 0 when loaded (perhaps partly:
 * then reported), <0 when the store refused the source. */
static int load_one(struct ph_intel *in, struct json_object *e,
		    const char *file, const char *path, const uint8_t *buf,
		    size_t len, struct skipper *sk, struct ph_err *err)
{
	enum ph_feed_format fmt = ph_feed_detect(file, buf, len);
	if (fmt == PH_FEED_UNKNOWN) {
		skip(sk, file, "unknown format");
		return 1;
	}
	char name[160];
	snprintf(name, sizeof name, "cache/%s", file);
	struct ph_intel_source_info info = {
		.name = name, .path = path, .url = str_of(e, "url"),
		.date = str_of(e, "fetched"), .sha256 = str_of(e, "sha256"),
		.format = fmt,
	};
	int src = ph_intel_source_add(in, &info, err);
	if (src < 0)
		return src;
	struct ph_intel_sink_ctx ctx = {.in = in, .src = (unsigned)src};
	struct ph_feed_sink sink = ph_intel_sink(&ctx);
	struct ph_err perr;
	memset(&perr, 0, sizeof perr);
	if (ph_feed_load_buffer(fmt, path, buf, len, &sink, &perr) < 0)
		skip(sk, file, "partly loaded: %s", perr.msg);
	return 0;
}

/* Reads, verifies and loads one manifest entry; 1 when skipped. */
static int entry_load(struct ph_intel *in, const char *dir,
		      struct json_object *e, struct skipper *sk,
		      struct ph_err *err)
{
	const char *file = str_of(e, "file"), *want = str_of(e, "sha256");
	const char *role = str_of(e, "role");
	if (role && strcmp(role, "index") == 0)
		return 1;
	if (!file || !ph_update_name_ok(file)) {
		skip(sk, file ? file : "?", "bad file name in the manifest");
		return 1;
	}
	char path[4096], got[65];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	size_t len = 0;
	int eno = 0;
	char *buf = ph_update_slurp(path, PH_UPDATE_MAX_BYTES, &len, &eno);
	if (!buf) {
		skip(sk, file, "cannot read: %s", strerror(eno));
		return 1;
	}
	ph_sha256_hex((const uint8_t *)buf, len, got);
	int rc = 1;
	if (!want || strcasecmp(want, got) != 0)
		skip(sk, file, "SHA-256 differs from the manifest (file "
			       "changed since 'peephole update')");
	else
		rc = load_one(in, e, file, path, (const uint8_t *)buf, len, sk,
			      err);
	free(buf);
	return rc;
}

int ph_intel_load_cache_cb(struct ph_intel *in, const char *cache_dir,
			   ph_cache_skip_fn fn, void *user, struct ph_err *err)
{
	struct ph_err merr;
	memset(&merr, 0, sizeof merr);
	struct json_object *m = ph_manifest_read(cache_dir, false, &merr);
	if (!m) {
		if (merr.code == PH_EIO)
			return ph_err_set(err, PH_EIO,
					  "no indicator cache in %s (run 'peephole update'): %s",
					  cache_dir, merr.msg);
		return ph_err_set(err, merr.code, "%s", merr.msg);
	}
	struct skipper sk = {.fn = fn, .user = user};
	struct json_object *files = ph_manifest_files(m);
	int loaded = 0;
	for (size_t i = 0; i < json_object_array_length(files); i++) {
		int rc = entry_load(in, cache_dir,
				    json_object_array_get_idx(files, i), &sk, err);
		if (rc < 0) {
			json_object_put(m);
			return rc;
		}
		loaded += rc == 0;
	}
	json_object_put(m);
	return loaded;
}

struct summary {
	struct ph_err *err;
	unsigned n;
};

static void sum_skip(void *user, const char *file, const char *reason)
{
	struct summary *s = user;
	if (!s->err)
		return;
	size_t used = strlen(s->err->msg);
	if (s->n++ == 0) {
		s->err->code = PH_EFORMAT;
		used = 0;
		s->err->msg[0] = '\0';
	}
	snprintf(s->err->msg + used, sizeof s->err->msg - used, "%s%s: %s",
		 used ? "; " : "cache: ", file, reason);
}

int ph_intel_load_cache(struct ph_intel *in, const char *cache_dir,
			struct ph_err *err)
{
	struct summary s = {.err = err};
	return ph_intel_load_cache_cb(in, cache_dir, sum_skip, &s, err);
}
