/* `peephole update`, library side: the default feed table, the cache
 * directory (XDG), the list of files one run fetches (built-in feeds,
 * caller's URLs, every entry of the MVT index) and the run itself: each
 * file is fetched by update_fetch.c and, once in place, recorded in the
 * manifest (update_manifest.c), which is rewritten after every file so a
 * crash leaves it matching the files. A failure keeps the old copy and
 * its entry. Caps: PH_UPDATE_MAX_FEEDS caller URLs, PH_INDEX_MAX_ENTRIES
 * index entries, max_bytes and timeout_s per file. Never prints. */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "intel/update_int.h"

#define RAW "https://raw.githubusercontent.com/"
const char ph_update_default_index[] =
	RAW "mvt-project/mvt-indicators/main/indicators.yaml";

/* Built-in feeds besides the MVT index (which already lists Amnesty's
 * investigations and stalkerware.stix2). */
static const char *const default_feeds[] = {
	RAW "AssoEchap/stalkerware-indicators/master/ioc.yaml",
	RAW "AssoEchap/stalkerware-indicators/master/watchware.yaml",
};

#define INDEX_FILE "mvt-index.yaml"
#define MAX_JOBS (2 + PH_UPDATE_MAX_FEEDS + PH_INDEX_MAX_ENTRIES)

int ph_update_cache_dir(char *out, size_t n, const char *override,
			struct ph_err *err)
{
	const char *env = getenv("PEEPHOLE_CACHE_DIR");
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	int w;
	if (override && *override)
		w = snprintf(out, n, "%s", override);
	else if (env && *env)
		w = snprintf(out, n, "%s", env);
	else if (xdg && xdg[0] == '/')
		w = snprintf(out, n, "%s/peephole/feeds", xdg);
	else if (home && *home)
		w = snprintf(out, n, "%s/.cache/peephole/feeds", home);
	else
		return ph_err_set(err, PH_EINVAL,
				  "no cache directory: set HOME, XDG_CACHE_HOME or PEEPHOLE_CACHE_DIR");
	if (w < 0 || (size_t)w >= n)
		return ph_err_set(err, PH_EINVAL, "cache directory name too long");
	return 0;
}

/* mkdir -p (new levels 0700), then proves the directory writable. */
static int prepare_dir(const char *dir, struct ph_err *err)
{
	char p[4096];
	int w = snprintf(p, sizeof p, "%s", dir);
	if (w <= 0 || (size_t)w >= sizeof p)
		return ph_err_set(err, PH_EINVAL, "bad cache directory name");
	for (char *c = p + 1;; c++) {
		if (*c != '/' && *c != '\0')
			continue;
		char keep = *c;
		*c = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			return ph_err_set(err, PH_EIO, "cache directory %s: %s", p,
					  strerror(errno));
		*c = keep;
		if (!keep)
			break;
	}
	w = snprintf(p, sizeof p, "%s/.tmp-probe-XXXXXX", dir);
	int fd = (w > 0 && (size_t)w < sizeof p) ? mkostemp(p, O_CLOEXEC) : -1;
	if (fd < 0)
		return ph_err_set(err, PH_EIO, "cache directory %s is not writable: %s",
				  dir, strerror(errno));
	close(fd);
	unlink(p);
	return 0;
}

struct job {
	char url[1024];
	char file[PH_UPDATE_MAX_FILE + 1];
	char name[256];
	char description[512];
	bool from_index;
	bool skip;          /* same URL listed twice */
};

struct run {
	const struct ph_update_opts *o;
	struct json_object *manifest;
	struct ph_update_totals *t;
	const char *index_url;
	struct job *jobs;
	unsigned njobs;
};

static void job_add(struct run *r, const char *url, const char *file)
{
	if (r->njobs >= MAX_JOBS)
		return;
	struct job *j = &r->jobs[r->njobs++];
	memset(j, 0, sizeof *j);
	snprintf(j->url, sizeof j->url, "%s", url);
	if (file)
		snprintf(j->file, sizeof j->file, "%s", file);
	else
		ph_update_file_name(url, j->file, sizeof j->file);
}

static bool name_taken(const struct run *r, unsigned upto, const char *f)
{
	if (strcmp(f, INDEX_FILE) == 0)
		return true;
	for (unsigned i = 0; i < upto; i++)
		if (!r->jobs[i].skip && strcmp(r->jobs[i].file, f) == 0)
			return true;
	return false;
}

/* Drops repeated URLs; gives clashing names a "2_", "3_"... prefix. */
static void dedupe(struct run *r)
{
	for (unsigned i = 0; i < r->njobs; i++) {
		struct job *j = &r->jobs[i];
		for (unsigned k = 0; k < i && !j->skip; k++)
			if (!r->jobs[k].skip && strcmp(r->jobs[k].url, j->url) == 0)
				j->skip = true;
		if (j->skip || !name_taken(r, i, j->file))
			continue;
		char base[sizeof j->file];
		memcpy(base, j->file, sizeof base);
		for (unsigned n = 2; name_taken(r, i, j->file) && n < 1000; n++) {
			char tmp[16 + sizeof base];
			snprintf(tmp, sizeof tmp, "%u_%s", n, base);
			size_t l = strlen(tmp);
			/* keep the end (the extension) when too long */
			size_t keep = l > PH_UPDATE_MAX_FILE ? PH_UPDATE_MAX_FILE : l;
			memcpy(j->file, tmp + l - keep, keep + 1);
		}
	}
}

/* Protocols a URL may use and be redirected to: https stays https,
 * http may go to https, file stays local. NULL for other schemes. */
static const char *protocols_for(const char *url, const char **redir)
{
	*redir = "https";
	if (strncasecmp(url, "https://", 8) == 0)
		return "https";
	if (strncasecmp(url, "http://", 7) == 0) {
		*redir = "http,https";
		return "http,https";
	}
	if (strncasecmp(url, "file://", 7) == 0)
		return "file";
	return NULL;
}

static void entry_str(struct json_object *e, const char *k, const char *v)
{
	if (v && *v)
		json_object_object_add(e, k, json_object_new_string(v));
}

/* Records a fetched file in the manifest and writes it. */
static int record(struct run *r, const struct job *j, bool index,
		  const struct ph_update_result *res, struct ph_err *err)
{
	char now[32];
	ph_update_now_iso(now);
	struct json_object *e = json_object_new_object();
	entry_str(e, "file", j->file);
	entry_str(e, "url", j->url);
	entry_str(e, "fetched", now);
	entry_str(e, "sha256", res->sha256);
	json_object_object_add(e, "bytes", json_object_new_int64((int64_t)res->bytes));
	entry_str(e, "name", j->name);
	entry_str(e, "description", j->description);
	if (j->from_index)
		entry_str(e, "index", r->index_url);
	if (index)
		entry_str(e, "role", "index");
	ph_manifest_put(r->manifest, e);
	json_object_object_add(r->manifest, "updated", json_object_new_string(now));
	return ph_manifest_write(r->o->cache_dir, r->manifest, err);
}

/* Fetches one file, records and reports it. <0 only when the manifest
 * cannot be written (the run stops). */
static int run_job(struct run *r, const struct job *j, bool index,
		   int (*validate)(void *, const uint8_t *, size_t, char *,
				   size_t),
		   void *vuser, struct ph_err *err)
{
	const struct ph_update_opts *o = r->o;
	struct ph_update_result res;
	memset(&res, 0, sizeof res);
	res.url = j->url;
	res.file = j->file;
	res.index = index;
	struct ph_fetch_req q = {
		.url = j->url, .dir = o->cache_dir, .file = j->file,
		.timeout_s = o->timeout_s ? o->timeout_s : PH_UPDATE_TIMEOUT_S,
		.max_bytes = o->max_bytes ? o->max_bytes : PH_UPDATE_MAX_BYTES,
		.ca_file = o->ca_file, .validate = validate, .user = vuser,
	};
	q.protocols = protocols_for(j->url, &q.redir_protocols);
	int rc = 0;
	if (!q.protocols) {
		res.code = PH_EUNSUPPORTED;
		snprintf(res.reason, sizeof res.reason,
			 "unsupported URL scheme (https, http or file)");
	} else if (ph_fetch_to_cache(&q, &res) == 0) {
		rc = record(r, j, index, &res, err);
	}
	if (res.code == 0) {
		r->t->updated++;
	} else {
		char dst[4096];
		snprintf(dst, sizeof dst, "%s/%s", o->cache_dir, j->file);
		res.kept = access(dst, F_OK) == 0;
		r->t->failed++;
	}
	if (o->on_file)
		o->on_file(o->user, &res);
	return rc;
}

/* A download must be something the loaders recognise before it replaces
 * the old copy (a captive portal's HTML page must not). */
static int check_feed(void *user, const uint8_t *buf, size_t len,
		      char *reason, size_t rn)
{
	const struct job *j = user;
	if (ph_feed_detect(j->file, buf, len) != PH_FEED_UNKNOWN)
		return 0;
	snprintf(reason, rn, "not a recognised indicator feed format");
	return PH_EFORMAT;
}

struct index_ctx {
	char scheme[8];          /* of the index URL, lowercase */
	struct ph_index_entry *e;
	int n;
	unsigned skipped;
};

static int check_index(void *user, const uint8_t *buf, size_t len,
		       char *reason, size_t rn)
{
	struct index_ctx *x = user;
	struct ph_err perr;
	memset(&perr, 0, sizeof perr);
	x->n = ph_update_index_parse(buf, len, x->scheme, x->e,
				     PH_INDEX_MAX_ENTRIES, &x->skipped, &perr);
	if (x->n >= 0)
		return 0;
	snprintf(reason, rn, "%s", perr.msg);
	return PH_EFORMAT;
}

/* The cached index, when the download failed and it came from the same
 * URL. */
static void index_fallback(struct run *r, struct index_ctx *x)
{
	struct json_object *files = ph_manifest_files(r->manifest), *u;
	bool same = false;
	for (size_t i = 0; i < json_object_array_length(files); i++) {
		struct json_object *e = json_object_array_get_idx(files, i), *f;
		if (json_object_object_get_ex(e, "file", &f) &&
		    strcmp(json_object_get_string(f), INDEX_FILE) == 0 &&
		    json_object_object_get_ex(e, "url", &u) &&
		    strcmp(json_object_get_string(u), r->index_url) == 0)
			same = true;
	}
	char path[4096], reason[256];
	size_t len = 0;
	int eno = 0;
	snprintf(path, sizeof path, "%s/%s", r->o->cache_dir, INDEX_FILE);
	char *buf = same ? ph_update_slurp(path, 4u << 20, &len, &eno) : NULL;
	if (buf && check_index(x, (const uint8_t *)buf, len, reason,
			       sizeof reason) < 0)
		x->n = 0;
	free(buf);
}

/* Fetches the index, then queues every entry it (or its cached copy)
 * lists. <0 only when the manifest cannot be written. */
static int do_index(struct run *r, struct ph_err *err)
{
	struct index_ctx x = {.n = 0};
	x.e = calloc(PH_INDEX_MAX_ENTRIES, sizeof *x.e);
	if (!x.e)
		return ph_err_set(err, PH_ENOMEM, "out of memory");
	size_t sl = strcspn(r->index_url, ":");
	for (size_t i = 0; i < sl && i + 1 < sizeof x.scheme; i++)
		x.scheme[i] = (char)(r->index_url[i] | 0x20);
	struct job ij;
	memset(&ij, 0, sizeof ij);
	snprintf(ij.url, sizeof ij.url, "%s", r->index_url);
	snprintf(ij.file, sizeof ij.file, "%s", INDEX_FILE);
	snprintf(ij.name, sizeof ij.name, "MVT indicator index");
	unsigned failed = r->t->failed;
	int rc = run_job(r, &ij, true, check_index, &x, err);
	if (rc == 0 && r->t->failed > failed)
		index_fallback(r, &x);
	for (int i = 0; rc == 0 && i < x.n; i++) {
		job_add(r, x.e[i].url, x.e[i].file);
		struct job *j = &r->jobs[r->njobs - 1];
		j->from_index = true;
		snprintf(j->name, sizeof j->name, "%s", x.e[i].name);
		snprintf(j->description, sizeof j->description, "%s",
			 x.e[i].description);
	}
	free(x.e);
	return rc;
}

static int check_opts(const struct ph_update_opts *o, struct ph_err *err)
{
	if (!o || !o->cache_dir || !*o->cache_dir)
		return ph_err_set(err, PH_EINVAL, "no cache directory");
	if (o->nfeeds > PH_UPDATE_MAX_FEEDS)
		return ph_err_set(err, PH_EINVAL, "more than %d feed URLs",
				  PH_UPDATE_MAX_FEEDS);
	for (unsigned i = 0; i < o->nfeeds; i++)
		if (!o->feeds[i] || strlen(o->feeds[i]) >= 1024)
			return ph_err_set(err, PH_EINVAL, "feed URL %u too long", i + 1);
	if (o->index_url && strlen(o->index_url) >= 1024)
		return ph_err_set(err, PH_EINVAL, "index URL too long");
	return 0;
}

static int run_all(struct run *r, struct ph_err *err)
{
	const struct ph_update_opts *o = r->o;
	int rc = r->index_url ? do_index(r, err) : 0;
	/* index entries were queued first; the built-in feeds and the
	 * caller's URLs follow (dedupe keeps the first name) */
	for (size_t i = 0; !o->no_defaults && i < sizeof default_feeds /
			   sizeof default_feeds[0]; i++)
		job_add(r, default_feeds[i], NULL);
	for (unsigned i = 0; i < o->nfeeds; i++)
		job_add(r, o->feeds[i], NULL);
	dedupe(r);
	for (unsigned i = 0; rc == 0 && i < r->njobs; i++)
		if (!r->jobs[i].skip)
			rc = run_job(r, &r->jobs[i], false, check_feed,
				     &r->jobs[i], err);
	return rc;
}

int ph_update_run(const struct ph_update_opts *o, struct ph_update_totals *t,
		  struct ph_err *err)
{
	memset(t, 0, sizeof *t);
	int rc = check_opts(o, err);
	if (rc == 0)
		rc = prepare_dir(o->cache_dir, err);
	if (rc < 0)
		return rc;
	struct run r = {.o = o, .t = t};
	r.index_url = o->index_url ? o->index_url
		      : o->no_defaults ? NULL : ph_update_default_index;
	r.manifest = ph_manifest_read(o->cache_dir, true, NULL);
	if (!r.manifest) /* unreadable or corrupt: start a new one */
		r.manifest = ph_manifest_new();
	r.jobs = calloc(MAX_JOBS, sizeof *r.jobs);
	if (!r.jobs || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		free(r.jobs);
		json_object_put(r.manifest);
		return ph_err_set(err, PH_ENOMEM, "cannot initialise libcurl");
	}
	rc = run_all(&r, err);
	curl_global_cleanup();
	free(r.jobs);
	json_object_put(r.manifest);
	return rc;
}
