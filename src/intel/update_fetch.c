/* One feed download into the cache with libcurl: TLS verification on
 * (never disabled; an optional CA file replaces the system store), the
 * protocols and redirect protocols the caller names, at most 5 redirects,
 * a whole-transfer timeout, a byte cap, HTTP status 2xx required, empty
 * bodies refused. Bytes go to a temp file in the cache directory (hashed
 * with SHA-256 on the way), which is fsync'd and renamed over the old copy
 * only on success; on any failure it is removed and the old copy stays. */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#include "intel/update_int.h"

struct sink {
	int fd;
	uint64_t n, max;
	EVP_MD_CTX *md;
	int werr;        /* errno of a failed write */
	bool too_big;
};

static size_t write_cb(char *p, size_t sz, size_t nm, void *user)
{
	struct sink *s = user;
	size_t total = sz * nm;
	if (total > s->max - s->n) {
		s->too_big = true;
		return 0;
	}
	EVP_DigestUpdate(s->md, p, total);
	size_t off = 0;
	while (off < total) {
		ssize_t w = write(s->fd, p + off, total - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			s->werr = w < 0 ? errno : EIO;
			return 0;
		}
		off += (size_t)w;
	}
	s->n += total;
	return total;
}

static void setup(CURL *h, const struct ph_fetch_req *q, struct sink *s,
		  char *errbuf)
{
	curl_easy_setopt(h, CURLOPT_URL, q->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, q->protocols);
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR,
			 q->redir_protocols ? q->redir_protocols : "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (q->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, q->ca_file);
	long t = (long)q->timeout_s;
	curl_easy_setopt(h, CURLOPT_TIMEOUT, t);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, t < 30 ? t : 30L);
	curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)q->max_bytes);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "peephole/" PH_VERSION_STRING);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
}

static int fail(struct ph_update_result *r, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct ph_update_result *r, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof r->reason, fmt, ap);
	va_end(ap);
	r->code = code;
	return code;
}

/* Runs the transfer; 0 when the bytes in s->fd are a complete 2xx body. */
static int transfer(const struct ph_fetch_req *q, struct sink *s,
		    struct ph_update_result *r)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *h = curl_easy_init();
	if (!h)
		return fail(r, PH_ENOMEM, "%s", "curl_easy_init failed");
	setup(h, q, s, errbuf);
	CURLcode res = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->http_status);
	char *scheme = NULL;
	curl_easy_getinfo(h, CURLINFO_SCHEME, &scheme);
	bool http = scheme && strncasecmp(scheme, "http", 4) == 0;
	int rc = 0;
	if (s->too_big || res == CURLE_FILESIZE_EXCEEDED) {
		r->code = PH_ENOMEM;
		snprintf(r->reason, sizeof r->reason, "larger than %llu bytes",
			 (unsigned long long)s->max);
		rc = PH_ENOMEM;
	} else if (s->werr) {
		rc = fail(r, PH_EIO, "cannot write the cache: %s",
			  strerror(s->werr));
	} else if (res == CURLE_HTTP_RETURNED_ERROR ||
		   (res == CURLE_OK && http &&
		    (r->http_status < 200 || r->http_status > 299))) {
		r->code = rc = PH_EIO;
		snprintf(r->reason, sizeof r->reason, "HTTP status %ld",
			 r->http_status);
	} else if (res != CURLE_OK) {
		rc = fail(r, PH_EIO, "%s",
			  errbuf[0] ? errbuf : curl_easy_strerror(res));
	} else if (s->n == 0) {
		rc = fail(r, PH_EFORMAT, "%s", "empty response");
	}
	curl_easy_cleanup(h);
	return rc;
}

/* Hands the downloaded bytes (mapped from the temp file) to the caller's
 * check before they replace the old copy. */
static int validate(const struct ph_fetch_req *q, const struct sink *s,
		    struct ph_update_result *r)
{
	void *m = mmap(NULL, (size_t)s->n, PROT_READ, MAP_PRIVATE, s->fd, 0);
	if (m == MAP_FAILED)
		return fail(r, PH_EIO, "cannot read back the download: %s",
			    strerror(errno));
	int rc = q->validate(q->user, m, (size_t)s->n, r->reason,
			     sizeof r->reason);
	munmap(m, (size_t)s->n);
	if (rc < 0)
		r->code = rc;
	return rc < 0 ? rc : 0;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

/* fsync + close + rename into place; 0 or errno. */
static int commit(int fd, const char *tmp, const char *dir, const char *dst)
{
	int e = 0;
	if (fsync(fd) != 0)
		e = errno;
	if (close(fd) != 0 && !e)
		e = errno;
	if (!e && rename(tmp, dst) != 0)
		e = errno;
	if (!e)
		fsync_dir(dir); /* best effort: the data itself is synced */
	return e;
}

static void hex(const unsigned char *d, unsigned n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (unsigned i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Creates the temp file and the hash context; 0 or <0 with r filled. */
static int sink_open(struct sink *s, char *tmp, uint64_t max,
		     struct ph_update_result *r)
{
	memset(s, 0, sizeof *s);
	s->max = max;
	s->md = EVP_MD_CTX_new();
	s->fd = mkostemp(tmp, O_CLOEXEC);
	if (s->fd >= 0 && s->md && EVP_DigestInit_ex(s->md, EVP_sha256(), NULL))
		return 0;
	int e = errno;
	if (s->fd >= 0) {
		close(s->fd);
		unlink(tmp);
	}
	EVP_MD_CTX_free(s->md);
	return fail(r, PH_EIO, "cannot create a temp file: %s", strerror(e));
}

int ph_fetch_to_cache(const struct ph_fetch_req *q,
		      struct ph_update_result *r)
{
	char tmp[4096], dst[4096];
	int w1 = snprintf(tmp, sizeof tmp, "%s/.tmp-%s-XXXXXX", q->dir, q->file);
	int w2 = snprintf(dst, sizeof dst, "%s/%s", q->dir, q->file);
	if (w1 < 0 || w2 < 0 || (size_t)w1 >= sizeof tmp ||
	    (size_t)w2 >= sizeof dst)
		return fail(r, PH_EINVAL, "%s", "cache path too long");
	struct sink s;
	if (sink_open(&s, tmp, q->max_bytes, r) < 0)
		return r->code;
	int rc = transfer(q, &s, r);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	EVP_DigestFinal_ex(s.md, md, &mdlen);
	EVP_MD_CTX_free(s.md);
	if (rc == 0 && q->validate)
		rc = validate(q, &s, r);
	if (rc == 0) {
		int e = commit(s.fd, tmp, q->dir, dst);
		s.fd = -1;
		if (e)
			rc = fail(r, PH_EIO, "cannot write the cache: %s",
				  strerror(e));
	}
	if (rc != 0) {
		if (s.fd >= 0)
			close(s.fd);
		unlink(tmp);
		return rc;
	}
	r->bytes = s.n;
	hex(md, mdlen, r->sha256);
	return r->code = 0;
}
