/* ph_intel_load_path: a feed file, or every file of a directory tree in
 * sorted (byte-wise) order, each read whole, hashed (SHA-256), its format
 * detected (ph_feed_detect) and loaded as one source. Caps: 256 MiB per
 * file, 16 directory levels, 10,000 files; a cap hit is an error, never a
 * silent skip. Hidden entries (".git") and files of unknown format are
 * skipped in a walk; a single named file of unknown format is an error. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "intel/store_int.h"

#define LOAD_MAX_BYTES (256u << 20)
#define LOAD_MAX_DEPTH 16
#define LOAD_MAX_FILES 10000
#define LOAD_PATH_MAX 4096

struct walk {
	struct ph_intel *in;
	bool allowlist;
	unsigned files;
	int added;
	struct ph_err *err;
	char path[LOAD_PATH_MAX]; /* file system path being visited */
	char name[LOAD_PATH_MAX]; /* source name: root basename + relative */
};

static int fail(struct ph_err *err, int code, const char *path,
		const char *what)
{
	if (err)
		snprintf(err->file, sizeof err->file, "%.*s",
			 (int)sizeof err->file - 1, path);
	return ph_err_set(err, code, "%s", what);
}

/* Reads the whole file into *buf (owned by the caller). */
static int read_all(const char *path, uint8_t **buf, size_t *len,
		    struct ph_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return fail(err, PH_EIO, path, strerror(e));
	}
	if ((uint64_t)st.st_size > LOAD_MAX_BYTES) {
		close(fd);
		return fail(err, PH_ENOMEM, path, "larger than 256 MiB");
	}
	size_t cap = (size_t)st.st_size + 1, n = 0;
	uint8_t *b = malloc(cap);
	ssize_t r = 0;
	while (b && n < cap && (r = read(fd, b + n, cap - n)) > 0)
		n += (size_t)r;
	int e = errno;
	close(fd);
	if (!b || r < 0 || n >= cap) { /* n == cap: grew while reading */
		free(b);
		return fail(err, b && r < 0 ? PH_EIO : PH_ENOMEM, path,
			    b && r < 0 ? strerror(e) : "cannot read whole file");
	}
	*buf = b;
	*len = n;
	return PH_OK;
}

static void sha256_hex(const uint8_t *b, size_t n, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	out[0] = 0;
	if (!EVP_Digest(b, n, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
		return;
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void mtime_iso(const char *path, char out[32])
{
	struct stat st;
	struct tm tm;
	out[0] = 0;
	if (stat(path, &st) == 0 && gmtime_r(&st.st_mtime, &tm))
		strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Registers and loads one buffer as a source. */
static int load_buffer(struct walk *w, enum ph_feed_format fmt,
		       const uint8_t *buf, size_t len)
{
	char sha[65], date[32];
	sha256_hex(buf, len, sha);
	mtime_iso(w->path, date);
	struct ph_intel_source_info info = {
		.name = w->name, .path = w->path, .date = date,
		.sha256 = sha[0] ? sha : NULL, .format = fmt,
		.allowlist = w->allowlist || fmt == PH_FEED_TINYCHECK_ALLOW};
	int src = ph_intel_source_add(w->in, &info, w->err);
	if (src < 0)
		return src;
	struct ph_intel_sink_ctx ctx = {.in = w->in, .src = (unsigned)src};
	struct ph_feed_sink sink = ph_intel_sink(&ctx);
	int rc = ph_feed_load_buffer(fmt, w->path, buf, len, &sink, w->err);
	if (rc < 0)
		return rc;
	w->added++;
	return PH_OK;
}

static int load_file(struct walk *w, bool named)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	if (++w->files > LOAD_MAX_FILES)
		return fail(w->err, PH_ENOMEM, w->path,
			    "more than 10000 feed files");
	int rc = read_all(w->path, &buf, &len, w->err);
	if (rc < 0)
		return rc;
	enum ph_feed_format fmt = ph_feed_detect(w->path, buf, len);
	if (fmt == PH_FEED_UNKNOWN)
		rc = named ? fail(w->err, PH_EFORMAT, w->path,
				  "not an indicator feed (unknown format)")
			   : PH_OK;
	else
		rc = load_buffer(w, fmt, buf, len);
	free(buf);
	return rc;
}

static int skip_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int walk_dir(struct walk *w, unsigned depth);

/* Appends "/entry" to both w->path and w->name, visits, restores. */
static int visit(struct walk *w, const char *entry, unsigned depth)
{
	size_t pl = strlen(w->path), nl = strlen(w->name);
	int a = snprintf(w->path + pl, sizeof w->path - pl, "/%s", entry);
	int b = snprintf(w->name + nl, sizeof w->name - nl, "/%s", entry);
	int rc = PH_OK;
	struct stat st;
	if (a < 0 || (size_t)a >= sizeof w->path - pl || b < 0 ||
	    (size_t)b >= sizeof w->name - nl)
		rc = fail(w->err, PH_EINVAL, w->path, "path too long");
	else if (stat(w->path, &st) < 0)
		rc = fail(w->err, PH_EIO, w->path, strerror(errno));
	else if (S_ISDIR(st.st_mode))
		rc = walk_dir(w, depth + 1);
	else if (S_ISREG(st.st_mode))
		rc = load_file(w, false);
	w->path[pl] = 0;
	w->name[nl] = 0;
	return rc;
}

static int walk_dir(struct walk *w, unsigned depth)
{
	struct dirent **ents = NULL;
	if (depth > LOAD_MAX_DEPTH)
		return fail(w->err, PH_ENOMEM, w->path,
			    "directories nested deeper than 16 levels");
	int n = scandir(w->path, &ents, skip_hidden, by_name);
	if (n < 0)
		return fail(w->err, PH_EIO, w->path, strerror(errno));
	int rc = PH_OK;
	for (int i = 0; i < n; i++) {
		if (rc == PH_OK)
			rc = visit(w, ents[i]->d_name, depth);
		free(ents[i]);
	}
	free(ents);
	return rc;
}

/* Source name root: the last path component ("feeds/" -> "feeds"). */
static void root_name(const char *path, char *out, size_t cap)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	size_t b = n;
	while (b > 0 && path[b - 1] != '/')
		b--;
	snprintf(out, cap, "%.*s", (int)(n - b), path + b);
}

int ph_intel_load_path(struct ph_intel *in, const char *path, bool allowlist,
		       struct ph_err *err)
{
	struct stat st;
	if (!in || !path || !*path)
		return ph_err_set(err, PH_EINVAL, "no store or path");
	struct walk *w = calloc(1, sizeof *w);
	if (!w)
		return ph_err_set(err, PH_ENOMEM, "out of memory");
	w->in = in;
	w->allowlist = allowlist;
	w->err = err;
	int rc;
	if (strlen(path) >= sizeof w->path / 2)
		rc = fail(err, PH_EINVAL, path, "path too long");
	else if (stat(path, &st) < 0)
		rc = fail(err, PH_EIO, path, strerror(errno));
	else {
		snprintf(w->path, sizeof w->path, "%s", path);
		root_name(path, w->name, sizeof w->name);
		rc = S_ISDIR(st.st_mode) ? walk_dir(w, 0) : load_file(w, true);
	}
	if (rc == PH_OK)
		rc = w->added;
	free(w);
	return rc;
}
