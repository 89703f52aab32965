/* Indicators of compromise: what the feed loaders (src/intel/feed_*.c)
 * produce and the indicator store (src/intel/store.c) answers. Loaders
 * parse a buffer and hand each indicator to a sink; the store normalises
 * and indexes them; detections ask it about every name, address, URL and
 * hash seen in the traffic. Lookups cost O(labels) (domains), O(prefix
 * lengths) (addresses) or O(1) (hashes), independent of the store's size. */
#ifndef PEEPHOLE_INTEL_H
#define PEEPHOLE_INTEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "peephole/ph.h"

#ifdef __cplusplus
extern "C" {
#endif

enum ph_ioc_type {
	PH_IOC_DOMAIN = 0,  /* a name; matches it and every subdomain on a
			       label boundary ("evil.com" matches
			       "a.evil.com", never "notevil.com"); a bare
			       TLD ("tk") matches every name under it */
	PH_IOC_IP,          /* IPv4/IPv6 address or CIDR range */
	PH_IOC_URL,         /* a URL, compared normalised */
	PH_IOC_EMAIL,
	PH_IOC_CERT_SHA1,   /* X.509 certificate fingerprint, hex */
	PH_IOC_CERT_SHA256,
	PH_IOC_JA3,         /* TLS client fingerprint (MD5 hex) */
	PH_IOC_JA3S,        /* TLS server fingerprint (MD5 hex) */
	PH_IOC_JA4,         /* "t13d1516h2_8daaf6152771_b186095e22b6" */
	PH_IOC_APP_ID,      /* Android package name / app identifier */
	PH_IOC_FILE_HASH,   /* MD5, SHA-1 or SHA-256 of a file, hex */
	PH_IOC_NS,          /* a name server: matches NS record targets
			       (TinyCheck "ns"), same rules as DOMAIN */
	PH_IOC_TYPE_COUNT
};

/* "domain", "ip", "url", ... (stable names used in JSON and docs). */
const char *ph_ioc_type_name(enum ph_ioc_type t);

/* One indicator as a loader hands it over. Everything is borrowed for the
 * duration of the sink call; the store copies what it keeps. */
struct ph_ioc_entry {
	enum ph_ioc_type type;
	const char *value;     /* as written in the feed (not NUL-terminated
				  necessarily: use len) */
	size_t len;
	const char *name;      /* indicator name/description, NULL if none */
	const char *campaign;  /* malware, campaign or app family it
				  indicates ("Pegasus", "TheTruthSpy"),
				  NULL if none */
	const char *category;  /* "spyware", "stalkerware", "watchware",
				  "tracker", "freedns", "tld", ... or NULL */
	const char *ref;       /* reference URL or id, NULL if none */
	unsigned line;         /* line (or object index) in the file, 0 if
				  unknown: for messages */
};

/* Where a loader sends what it reads. add() returns 0 or <0 to stop the
 * load (the loader returns that code). unsupported() is told about every
 * entry the loader understood as an indicator but cannot use (a STIX
 * pattern with AND, an unknown MISP attribute type...): never dropped in
 * silence. */
struct ph_feed_sink {
	int (*add)(void *user, const struct ph_ioc_entry *e);
	void (*unsupported)(void *user, const char *text, size_t len,
			    unsigned line, const char *reason);
	void *user;
};

enum ph_feed_format {
	PH_FEED_UNKNOWN = 0,
	PH_FEED_STIX,         /* STIX 2.x bundle (JSON) */
	PH_FEED_MISP,         /* MISP event JSON */
	PH_FEED_TINYCHECK,    /* TinyCheck iocs.json ({"iocs": [...]}) */
	PH_FEED_TINYCHECK_ALLOW, /* TinyCheck whitelist.json ({"elements":..}) */
	PH_FEED_STALKERWARE_YAML, /* stalkerware-indicators ioc.yaml */
	PH_FEED_STALKERWARE_CSV,  /* stalkerware-indicators network.csv */
	PH_FEED_PLAIN,        /* one indicator per line, hosts-file lines */
};
const char *ph_feed_format_name(enum ph_feed_format f);

/* Guesses a buffer's format from its content (and the file name as a
 * hint: path may be NULL). */
enum ph_feed_format ph_feed_detect(const char *path, const uint8_t *buf,
				   size_t len);

/* Parses one buffer of the given format into the sink. Returns 0, or <0
 * with err naming the path and line/offset when the file cannot be read
 * as that format at all (entries already passed to the sink stay). Never
 * crashes on hostile input (fuzzed). */
int ph_feed_load_buffer(enum ph_feed_format fmt, const char *path,
			const uint8_t *buf, size_t len,
			const struct ph_feed_sink *sink, struct ph_err *err);

/* ------------------------------------------------------------------ */
/* The store. */

struct ph_intel; /* opaque */

struct ph_intel_source_info {
	const char *name;     /* short name shown in reports
				 ("amnesty-investigations/pegasus.stix2") */
	const char *path;     /* file it came from, NULL if none */
	const char *url;      /* where it was downloaded from, NULL if local */
	const char *date;     /* ISO 8601 date of download or file mtime */
	const char *sha256;   /* of the file, hex, NULL if not computed */
	enum ph_feed_format format;
	bool allowlist;       /* entries mark destinations as allowed */
};

/* A loaded source and what it gave (all owned by the store). */
#define PH_INTEL_UNSUPPORTED_KEEP 20
struct ph_intel_source {
	char name[128];
	char path[512];
	char url[512];
	char date[32];
	char sha256[65];
	enum ph_feed_format format;
	bool allowlist;
	uint64_t count[PH_IOC_TYPE_COUNT]; /* indicators added, per type */
	uint64_t duplicates;              /* same type+value already there */
	uint64_t invalid;                 /* values that did not parse */
	uint64_t unsupported;             /* entries we cannot use */
	unsigned nexamples;               /* <= PH_INTEL_UNSUPPORTED_KEEP */
	struct {
		char text[160];
		char reason[96];
		unsigned line;
	} examples[PH_INTEL_UNSUPPORTED_KEEP];
};

struct ph_intel *ph_intel_new(void);
void ph_intel_free(struct ph_intel *in);

/* Registers a source; returns its index (>= 0) or <0 with err. */
int ph_intel_source_add(struct ph_intel *in,
			const struct ph_intel_source_info *info,
			struct ph_err *err);
unsigned ph_intel_nsources(const struct ph_intel *in);
const struct ph_intel_source *ph_intel_source(const struct ph_intel *in,
					      unsigned i);

/* Adds one indicator from source `src`: normalises the value (domains
 * lowercased, trailing dot dropped, IDN to punycode; URLs normalised;
 * hashes lowercased; addresses parsed, CIDR host bits cleared).
 * Returns 0, 1 when it was a duplicate (same type, value and source), or
 * PH_EINVAL when the value does not parse (counted as invalid). */
int ph_intel_add(struct ph_intel *in, unsigned src,
		 const struct ph_ioc_entry *e);
/* Records an entry the loader could not use (counted, first ones kept). */
void ph_intel_unsupported(struct ph_intel *in, unsigned src,
			  const char *text, size_t len, unsigned line,
			  const char *reason);
/* A sink adding to source `src` of `in` (for ph_feed_load_buffer). The
 * returned struct holds pointers into *ctx, which the caller keeps alive
 * during the load. */
struct ph_intel_sink_ctx { struct ph_intel *in; unsigned src; };
struct ph_feed_sink ph_intel_sink(struct ph_intel_sink_ctx *ctx);

/* Loads a file or every file of a directory tree (formats detected per
 * file; files of unknown format are skipped and reported through err only
 * when a single file was named). Each file becomes one source. Returns
 * the number of sources added, or <0 with err. */
int ph_intel_load_path(struct ph_intel *in, const char *path, bool allowlist,
		       struct ph_err *err);

/* Total indicators (all sources, all types). */
uint64_t ph_intel_count(const struct ph_intel *in);

/* A match: borrowed from the store, valid until ph_intel_free. */
struct ph_ioc_hit {
	enum ph_ioc_type type;
	const char *value;     /* the indicator as stored (normalised) */
	const char *name;      /* "" when absent, never NULL */
	const char *campaign;  /* "" when absent */
	const char *category;  /* "" when absent */
	const char *ref;       /* "" when absent */
	unsigned source;       /* index for ph_intel_source() */
	bool allow;            /* from an allowlist source */
	uint8_t prefix_len;    /* PH_IOC_IP: the matched prefix length */
};

/* Every indicator matching `value` of type `t` (all sources, allowlists
 * included), most specific first (longest domain suffix / longest
 * prefix); fills up to max hits and returns the number of hits found
 * (which may exceed max). DOMAIN and NS values are normalised like
 * indicators (case, trailing dot, IDN); URL values are normalised; hash
 * values are compared case-insensitively; IP values are text addresses. */
unsigned ph_intel_match(const struct ph_intel *in, enum ph_ioc_type t,
			const char *value, size_t len,
			struct ph_ioc_hit *hits, unsigned max);
/* Same for a binary address (ipver 4: first 4 bytes of addr). */
unsigned ph_intel_match_ip(const struct ph_intel *in, const uint8_t addr[16],
			   int ipver, struct ph_ioc_hit *hits, unsigned max);

#ifdef __cplusplus
}
#endif
#endif
