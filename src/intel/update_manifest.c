/* The cache manifest (manifest.json): {"version": 1, "updated": ISO date,
 * "files": [{file, url, fetched, sha256, bytes, [name, description,
 * index, role]}]}. Read with a 4 MiB cap through json-c's tokener; written
 * atomically (temp file in the same directory, fsync, rename, directory
 * fsync), so a reader sees the old or the new manifest, never a mix.
 * Also the small helpers both the updater and the cache loader need. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "intel/update_int.h"

bool ph_update_name_ok(const char *name)
{
	size_t len = name ? strlen(name) : 0;
	if (len == 0 || len > PH_UPDATE_MAX_FILE || name[0] == '.' ||
	    strcmp(name, PH_UPDATE_MANIFEST) == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

void ph_sha256_hex(const uint8_t *buf, size_t len, char out[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	if (!EVP_Digest(buf, len, md, &n, EVP_sha256(), NULL) || n != 32) {
		out[0] = '\0';
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[64] = '\0';
}

void ph_update_now_iso(char out[32])
{
	time_t now = time(NULL);
	struct tm tm;
	if (!gmtime_r(&now, &tm) ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "1970-01-01T00:00:00Z");
}

struct json_object *ph_manifest_new(void)
{
	struct json_object *m = json_object_new_object();
	json_object_object_add(m, "version", json_object_new_int(1));
	json_object_object_add(m, "files", json_object_new_array());
	return m;
}

char *ph_update_slurp(const char *path, uint64_t max, size_t *len, int *eno)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < 0 ||
	    (uint64_t)st.st_size > max) {
		*eno = fd < 0 ? errno : EFBIG;
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		*eno = EINVAL;
		close(fd);
		return NULL;
	}
	char *buf = malloc((size_t)st.st_size + 1);
	size_t n = 0;
	while (buf && n < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (!buf) {
		*eno = ENOMEM;
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

struct json_object *ph_manifest_read(const char *dir, bool missing_ok,
				     struct ph_err *err)
{
	char path[4096];
	int w = snprintf(path, sizeof path, "%s/%s", dir, PH_UPDATE_MANIFEST);
	if (w < 0 || (size_t)w >= sizeof path)
		return ph_err_set(err, PH_EINVAL, "cache path too long"), NULL;
	size_t len = 0;
	int eno = 0;
	char *buf = ph_update_slurp(path, PH_MANIFEST_MAX_BYTES, &len, &eno);
	if (!buf) {
		if (eno == ENOENT && missing_ok)
			return ph_manifest_new();
		ph_err_set(err, PH_EIO, "%s: %s", path, strerror(eno));
		return NULL;
	}
	struct json_tokener *tok = json_tokener_new();
	struct json_object *m =
		tok ? json_tokener_parse_ex(tok, buf, (int)len) : NULL;
	if (tok)
		json_tokener_free(tok);
	free(buf);
	struct json_object *files = NULL;
	if (!m || !json_object_is_type(m, json_type_object) ||
	    !json_object_object_get_ex(m, "files", &files) ||
	    !json_object_is_type(files, json_type_array)) {
		json_object_put(m);
		ph_err_set(err, PH_EFORMAT, "%s: not a peephole cache manifest",
			   path);
		return NULL;
	}
	return m;
}

struct json_object *ph_manifest_files(struct json_object *m)
{
	struct json_object *files = NULL;
	json_object_object_get_ex(m, "files", &files);
	return files;
}

void ph_manifest_put(struct json_object *m, struct json_object *entry)
{
	struct json_object *files = ph_manifest_files(m), *f, *old;
	json_object_object_get_ex(entry, "file", &f);
	const char *name = json_object_get_string(f);
	size_t n = json_object_array_length(files);
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(files, i);
		if (json_object_object_get_ex(e, "file", &old) &&
		    strcmp(json_object_get_string(old), name) == 0) {
			json_object_array_put_idx(files, i, entry);
			return;
		}
	}
	json_object_array_add(files, entry);
}

static int write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t w = write(fd, s, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		len -= (size_t)w;
	}
	return 0;
}

int ph_manifest_write(const char *dir, struct json_object *m,
		      struct ph_err *err)
{
	char tmp[4096], dst[4096];
	int w1 = snprintf(tmp, sizeof tmp, "%s/.tmp-manifest-XXXXXX", dir);
	int w2 = snprintf(dst, sizeof dst, "%s/%s", dir, PH_UPDATE_MANIFEST);
	if (w1 < 0 || w2 < 0 || (size_t)w1 >= sizeof tmp ||
	    (size_t)w2 >= sizeof dst)
		return ph_err_set(err, PH_EINVAL, "cache path too long");
	const char *text = json_object_to_json_string_ext(
		m, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			   JSON_C_TO_STRING_NOSLASHESCAPE);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return ph_err_set(err, PH_EIO, "%s: cannot create: %s", tmp,
				  strerror(errno));
	int e = 0;
	errno = 0;
	if (write_all(fd, text, strlen(text)) != 0 ||
	    write_all(fd, "\n", 1) != 0 || fsync(fd) != 0)
		e = errno ? errno : EIO;
	if (close(fd) != 0 && !e)
		e = errno;
	if (!e && rename(tmp, dst) != 0)
		e = errno;
	if (e) {
		unlink(tmp);
		return ph_err_set(err, PH_EIO, "%s: cannot write: %s", dst,
				  strerror(e));
	}
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}
