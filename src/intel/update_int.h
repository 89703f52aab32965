/* Internals shared by the feed updater (update.c, update_fetch.c,
 * update_manifest.c) and the cache loader (cache_load.c): the manifest as
 * a json-c object, one download into the cache, file-name checks. */
#ifndef PH_INTEL_UPDATE_INT_H
#define PH_INTEL_UPDATE_INT_H

#include <json-c/json.h>

#include "peephole/update.h"

#define PH_MANIFEST_MAX_BYTES (4u << 20)

/* Reads dir/manifest.json. Returns the object (owned by the caller,
 * json_object_put), an empty manifest when the file is missing and
 * `missing_ok`, or NULL with err (PH_EIO missing/unreadable, PH_EFORMAT
 * not a manifest). */
struct json_object *ph_manifest_read(const char *dir, bool missing_ok,
				     struct ph_err *err);

/* A new, empty manifest (owned by the caller). */
struct json_object *ph_manifest_new(void);

/* The "files" array of a manifest (borrowed), never NULL for an object
 * ph_manifest_read returned. */
struct json_object *ph_manifest_files(struct json_object *m);

/* Replaces (by "file") or appends one entry; the entry is transferred. */
void ph_manifest_put(struct json_object *m, struct json_object *entry);

/* Writes the manifest atomically (temp file, fsync, rename, dir fsync). */
int ph_manifest_write(const char *dir, struct json_object *m,
		      struct ph_err *err);

/* True for a name ph_update_file_name could produce (no '/', no leading
 * dot, not the manifest, within PH_UPDATE_MAX_FILE). */
bool ph_update_name_ok(const char *name);

/* Reads a whole file of at most max bytes (malloc'd, NUL added, caller
 * frees); NULL with *eno set (EFBIG when larger). */
char *ph_update_slurp(const char *path, uint64_t max, size_t *len, int *eno);

/* Writes a buffer's SHA-256 as 64 hex digits + NUL. */
void ph_sha256_hex(const uint8_t *buf, size_t len, char out[65]);

/* "2024-05-01T12:00:00Z" for now (UTC). */
void ph_update_now_iso(char out[32]);

/* One transfer into dir/file, replacing it only on success. */
struct ph_fetch_req {
	const char *url;
	const char *dir;
	const char *file;
	const char *protocols;   /* CURLOPT_PROTOCOLS_STR ("https", ...) */
	const char *redir_protocols; /* CURLOPT_REDIR_PROTOCOLS_STR */
	unsigned timeout_s;
	uint64_t max_bytes;
	const char *ca_file;     /* NULL: system store */
	/* Called on the complete body before it replaces the old copy;
	 * returns 0 to accept, or <0 with a reason (old copy kept). */
	int (*validate)(void *user, const uint8_t *buf, size_t len,
			char *reason, size_t rn);
	void *user;
};
/* Fills r (code, http_status, bytes, sha256, reason); returns r->code. */
int ph_fetch_to_cache(const struct ph_fetch_req *q,
		      struct ph_update_result *r);

#endif
