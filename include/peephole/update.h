/* The indicator feed cache: `peephole update` downloads public feeds
 * (stalkerware-indicators, every STIX2 file the MVT indicator index lists)
 * with libcurl into a per-user directory, one file per feed, replacing each
 * atomically and recording URL, date and SHA-256 in manifest.json; `check`
 * loads that cache into the indicator store. A failed download never
 * destroys the previous copy. Nothing here prints; results go through a
 * callback. See docs/update.md. */
#ifndef PEEPHOLE_UPDATE_H
#define PEEPHOLE_UPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "peephole/intel.h"
#include "peephole/ph.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PH_UPDATE_MAX_BYTES (64u << 20)   /* per file, default cap */
#define PH_UPDATE_TIMEOUT_S 120u          /* per file, default */
#define PH_UPDATE_MANIFEST "manifest.json"
#define PH_UPDATE_MAX_FEEDS 64            /* --feed URLs per run */
#define PH_UPDATE_MAX_FILE 120            /* cache file name length */

/* The default MVT index (mvt-project/mvt-indicators). */
extern const char ph_update_default_index[];

/* Resolves the cache directory into out (n bytes): `override` when not
 * NULL, else $PEEPHOLE_CACHE_DIR, else $XDG_CACHE_HOME/peephole/feeds
 * (when absolute), else $HOME/.cache/peephole/feeds. Does not create it.
 * Returns 0, or PH_EINVAL when no directory can be named or it does not
 * fit. */
int ph_update_cache_dir(char *out, size_t n, const char *override,
			struct ph_err *err);

/* One file's outcome, for the callback. Borrowed during the call. */
struct ph_update_result {
	const char *url;
	const char *file;        /* name in the cache dir */
	bool index;              /* this was the MVT index itself */
	int code;                /* 0 updated, <0 failed */
	bool kept;               /* failed, and an older copy stays */
	long http_status;        /* 0 when not HTTP(S) or not reached */
	uint64_t bytes;
	char sha256[65];         /* of the new file, "" on failure */
	char reason[256];        /* failure: curl error text or HTTP status */
};

struct ph_update_opts {
	const char *cache_dir;         /* resolved directory (created with
					  mode 0700 when missing) */
	const char *const *feeds;      /* extra URLs (borrowed), file name =
					  sanitised last path segment */
	unsigned nfeeds;
	const char *index_url;         /* MVT index; NULL = default, or none
					  with no_defaults */
	bool no_defaults;              /* skip the built-in feeds and index */
	unsigned timeout_s;            /* per file; 0 = PH_UPDATE_TIMEOUT_S */
	uint64_t max_bytes;            /* per file; 0 = PH_UPDATE_MAX_BYTES */
	const char *ca_file;           /* CA bundle (CURLOPT_CAINFO) or NULL
					  for the system store; TLS
					  verification is never disabled */
	void (*on_file)(void *user, const struct ph_update_result *r);
	void *user;
};

struct ph_update_totals {
	unsigned updated;   /* files replaced (index included) */
	unsigned failed;    /* files whose previous copy was kept */
};

/* Downloads every feed. Returns 0 when the run happened (look at totals:
 * some or all files may have failed), PH_EIO when the cache directory or
 * the manifest cannot be written (err says which), PH_EINVAL for bad
 * options. The manifest keeps entries of files not fetched this time. */
int ph_update_run(const struct ph_update_opts *o, struct ph_update_totals *t,
		  struct ph_err *err);

/* ------------------------------------------------------------------ */
/* The MVT index (indicators.yaml), parsed by src/intel/update_index.c. */

#define PH_INDEX_MAX_ENTRIES 256
struct ph_index_entry {
	char url[1024];          /* where to download the STIX2 file */
	char file[PH_UPDATE_MAX_FILE + 1]; /* suggested cache file name */
	char name[256];          /* entry "name", "" if none */
	char description[512];   /* entry "description", else its
				    "sources" joined with ", ", else "" */
};

/* Parses an index: a mapping with "indicators", a sequence of mappings,
 * each either `type: github` with github.{owner,repo,branch,path}
 * (branch defaults to main; https://raw.githubusercontent.com/...) or
 * a `download_url`. Entries without a usable URL, or whose URL uses a
 * scheme other than https and `index_scheme` (the index's own scheme,
 * "http"/"file", may be NULL), are skipped and counted in *skipped.
 * Fills up to max entries; returns how many, or PH_EFORMAT when the
 * buffer is not YAML of that shape. */
int ph_update_index_parse(const uint8_t *buf, size_t len,
			  const char *index_scheme,
			  struct ph_index_entry *out, unsigned max,
			  unsigned *skipped, struct ph_err *err);

/* Cache file name from a URL: the last path segment (query and fragment
 * dropped), characters outside [A-Za-z0-9._-] as '_', no leading dot,
 * at most PH_UPDATE_MAX_FILE (keeps the end); "feed" when empty. */
void ph_update_file_name(const char *url, char *out, size_t n);

/* ------------------------------------------------------------------ */
/* Loading the cache into the store (src/intel/cache_load.c). */

/* Told about every manifest file not loaded (missing, unreadable, SHA-256
 * differing from the manifest, unknown format) or only partly loaded. */
typedef void (*ph_cache_skip_fn)(void *user, const char *file,
				 const char *reason);

/* Reads cache_dir/manifest.json and loads each listed file whose SHA-256
 * matches as source "cache/<file>" (url, date, sha256 from the
 * manifest). Returns the number of sources loaded (>= 0), PH_EIO when
 * there is no manifest ("run 'peephole update'"), PH_EFORMAT when it is
 * not a manifest. `skip` may be NULL. */
int ph_intel_load_cache_cb(struct ph_intel *in, const char *cache_dir,
			   ph_cache_skip_fn skip, void *user,
			   struct ph_err *err);

/* Same; files skipped are summed up in err->msg with err->code set
 * (PH_EFORMAT) while the return value stays >= 0: check err->code. */
int ph_intel_load_cache(struct ph_intel *in, const char *cache_dir,
			struct ph_err *err);

#ifdef __cplusplus
}
#endif
#endif
