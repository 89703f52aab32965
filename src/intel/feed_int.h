/* Private interface of the feed loaders (src/intel/feed*.c): the
 * per-format entry points feed.c dispatches to, and the helpers they share
 * (JSON parsing with error positions, type guessing for untyped values,
 * sink calls, the plain-list line scanner that ph_feed_detect reuses).
 * Nothing here is public API; the store (store*.c) does not include it. */
#ifndef PH_INTEL_FEED_INT_H
#define PH_INTEL_FEED_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "peephole/intel.h"

#define PH_FEED_MAX_BYTES (512u << 20) /* larger buffers are refused */
#define PH_FEED_MAX_LINE 4096          /* plain/CSV lines past this are
					  reported unsupported */
#define PH_FEED_JSON_DEPTH 64          /* JSON nesting limit */

/* The loaders, one per format (fmt-specific checks inside). */
int ph_feed_stix_load(const char *path, const uint8_t *buf, size_t len,
		      const struct ph_feed_sink *sink, struct ph_err *err);
int ph_feed_misp_load(const char *path, const uint8_t *buf, size_t len,
		      const struct ph_feed_sink *sink, struct ph_err *err);
int ph_feed_tinycheck_load(const char *path, const uint8_t *buf, size_t len,
			   bool allow, const struct ph_feed_sink *sink,
			   struct ph_err *err);
int ph_feed_yaml_load(const char *path, const uint8_t *buf, size_t len,
		      const struct ph_feed_sink *sink, struct ph_err *err);
int ph_feed_csv_load(const char *path, const uint8_t *buf, size_t len,
		     const struct ph_feed_sink *sink, struct ph_err *err);
int ph_feed_plain_load(const char *path, const uint8_t *buf, size_t len,
		       const struct ph_feed_sink *sink, struct ph_err *err);

/* Runs the plain-list parser over at most max_lines lines of buf (all when
 * 0) and returns the sink's first negative code or 0. */
int ph_feed_plain_lines(const uint8_t *buf, size_t len, unsigned max_lines,
			const struct ph_feed_sink *sink);

/* True when the CSV header line (buf, len: the first line) names columns
 * the CSV loader understands. */
bool ph_feed_csv_header_known(const uint8_t *line, size_t len);

/* Sets err to code with the message "line N: <fmt>" (N counted up to
 * `off` in buf; just "<fmt>" when buf is NULL), the path and the byte
 * offset `off`; returns code. err may be NULL. */
int ph_feed_fail(struct ph_err *err, int code, const char *path,
		 const uint8_t *buf, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Parses buf (a UTF-8 BOM is skipped) as one JSON value. Returns the
 * value (owned by the caller: json_object_put) or NULL with err set. */
struct json_object *ph_feed_json_parse(const char *path, const uint8_t *buf,
				       size_t len, struct ph_err *err);

/* The string member `key` of object o, with its length; NULL if o is not
 * an object or the member is absent or not a string (borrowed from o). */
const char *ph_feed_json_str(struct json_object *o, const char *key,
			     size_t *len);

/* Fills e from the arguments and calls sink->add. */
int ph_feed_emit(const struct ph_feed_sink *sink, enum ph_ioc_type t,
		 const char *v, size_t n, const char *name,
		 const char *campaign, const char *category, const char *ref,
		 unsigned line);
/* Calls sink->unsupported when set. */
void ph_feed_unsup(const struct ph_feed_sink *sink, const char *text,
		   size_t len, unsigned line, const char *reason);

/* Guesses the type of an untyped value (trimmed): URL, e-mail, IP or
 * CIDR, 32/64-hex file hash, 40-hex certificate SHA-1, host name (a
 * leading "*." is dropped: *v and *n are adjusted). Returns the type or
 * -1 with *why set. */
int ph_feed_guess(const char **v, size_t *n, const char **why);

/* Maps a type word used by TinyCheck, network.csv and MISP-like feeds
 * ("domain", "ip4addr", "sha256"...) to a type, or -1. *category gets a
 * fixed category for words that imply one ("freedns", "tld"), else NULL. */
int ph_feed_type_word(const char *w, size_t n, const char **category);

/* ASCII case-insensitive comparison of (s, n) with the C string lit. */
bool ph_feed_eq(const char *s, size_t n, const char *lit);

#endif
