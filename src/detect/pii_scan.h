/* Internals of the pii detection: the Hyperscan scanner (pii_scan.c), the
 * verification of generic candidates (pii_generic.c), the field a match
 * was found in (pii_context.c) and the wording of findings (pii_text.c).
 * The detection itself (events, per-flow state) is src/detect/pii.c. */
#ifndef PH_DETECT_PII_SCAN_H
#define PH_DETECT_PII_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect/detect.h"
#include "peephole/identifiers.h"

/* ---- scanner (pii_scan.c) ---- */

/* Generic patterns; a match id >= PII_GEN_BASE is PII_GEN_BASE + kind. */
enum pii_gen {
	PII_GEN_IMEI = 0,  /* 15 digits between non-digits (not a regex: a
			      stride-15 probe in pii_scan.c) */
	PII_GEN_MAC,       /* aa:bb:cc:dd:ee:ff, aa-bb-..., %3A-encoded */
	PII_GEN_EMAIL,     /* local@domain.tld, also with %40 */
	PII_GEN_COORD,     /* two decimal numbers close together */
	PII_GEN_COUNT
};
#define PII_GEN_BASE 0x40000000u

/* What the database searches for. */
struct pii_scan_cfg {
	const struct ph_ident_form *forms; /* borrowed during build */
	size_t nforms;
	bool generic;        /* IMEI, MAC, e-mail, coordinate patterns */
	bool coords_any;     /* coordinates at any precision (a location
				identifier was given), else >= 4 decimals */
};

struct pii_scan;      /* compiled databases (block + stream) and scratch */
struct pii_stream;    /* one open stream (Hyperscan's and the IMEI probe's
			 state) */

/* Called for each match: pattern id, end offset (stream or block
 * coordinates, exclusive), user. Return non-zero to stop the scan. */
typedef int (*pii_match_fn)(unsigned id, uint64_t to, void *user);

/* Builds the databases; *out stays NULL (and PH_OK) when there is
 * nothing to search for. PH_EINVAL with the compiler's message. */
int pii_scan_new(const struct pii_scan_cfg *cfg, struct pii_scan **out,
		 struct ph_err *err);
void pii_scan_free(struct pii_scan *s);
unsigned pii_scan_patterns(const struct pii_scan *s);
size_t pii_scan_stream_size(const struct pii_scan *s); /* bytes per stream */

/* Block mode: one buffer (UDP payload, DNS name, SNI). */
int pii_scan_block(struct pii_scan *s, const uint8_t *p, size_t n,
		   pii_match_fn fn, void *user);
/* Stream mode: open (NULL when out of memory), feed in order, reset
 * after a gap (end-anchored matches are reported, then state is
 * cleared), close (reports end-anchored matches; fn may be NULL). */
struct pii_stream *pii_stream_open(struct pii_scan *s);
int pii_stream_scan(struct pii_scan *s, struct pii_stream *st,
		    const uint8_t *p, size_t n, pii_match_fn fn, void *user);
void pii_stream_reset(struct pii_scan *s, struct pii_stream *st,
		      pii_match_fn fn, void *user);
void pii_stream_close(struct pii_scan *s, struct pii_stream *st,
		      pii_match_fn fn, void *user);

/* ---- generic candidates (pii_generic.c) ---- */

/* A verified generic value, printable and NUL-terminated. */
struct pii_gen_value {
	char text[128];         /* normalised ("aa:bb:..", "48.8566,2.3522") */
	size_t span;            /* bytes from the value's start to the end
				   of the window */
	unsigned dec[2];        /* coordinates: decimals of each number */
	double num[2];          /* coordinates, in the order printed */
};

/* w[0..n) ends where the pattern's match ended: with the trailing
 * context byte, or at the end of the data (a last byte that cannot be
 * part of the value is dropped). Returns true when the candidate is a
 * plausible value of its kind, filled into *v. */
bool pii_gen_imei(const uint8_t *w, size_t n, struct pii_gen_value *v);
bool pii_gen_mac(const uint8_t *w, size_t n, struct pii_gen_value *v,
		 uint8_t mac[6]);
bool pii_gen_email(const uint8_t *w, size_t n, struct pii_gen_value *v);
bool pii_gen_coord(const uint8_t *w, size_t n, struct pii_gen_value *v);
/* Luhn check of a digit string. */
bool pii_luhn_ok(const char *digits, size_t n);
/* Generic coordinate rules: in range either way round, not 0,0, both
 * with >= 4 decimals. */
bool pii_gen_coord_plausible(const struct pii_gen_value *v);
/* Is the printed pair (either order) the user's location: within its
 * radius, or equal to it rounded to the printed precision (>= 2
 * decimals)? */
bool pii_location_match(const struct ph_ident *id,
			const struct pii_gen_value *v);

/* ---- field of a match (pii_context.c) ---- */

/* Where bytes came from: TCP (HTTP when the flow's service says so: only
 * then are request lines and header names recognised), UDP, DNS query
 * names, TLS / QUIC SNI. */
enum pii_chan { PII_TCP = 0, PII_UDP, PII_DNS, PII_SNI, PII_QUIC_SNI,
		PII_HTTP, PII_HTTP_ZBODY /* an inflated request body */ };

/* The field a match was in, from the bytes before it: w[0..n) ends just
 * before the match (at most a few hundred bytes are looked at).
 * Writes "http.uri:imei", "http.header:X-Device-Id", "json:device_id",
 * "form:email", "http.uri", "tcp.payload"... into out (cut to fit). */
void pii_context_field(const uint8_t *w, size_t n, enum pii_chan ch,
		       char *out, size_t cap);

/* ---- compressed request bodies (pii_inflate.c) ---- */

#define PII_INFLATE_MAX (256u << 10) /* decompressed bytes searched */
#define PII_INFLATE_RATIO 200u       /* at most this times the input */

struct pii_inflate;
/* NULL when out of memory. */
struct pii_inflate *pii_inflate_new(void);
/* Feeds compressed bytes: 0 more wanted, 1 done (stream end or a cap),
 * -1 not valid zlib/gzip data (what was inflated before is kept). */
int pii_inflate_feed(struct pii_inflate *d, const uint8_t *p, size_t n);
const uint8_t *pii_inflate_data(const struct pii_inflate *d, size_t *n);
void pii_inflate_free(struct pii_inflate *d);

/* ---- wording (pii_text.c) ---- */

/* One sighting to report. */
struct pii_hit {
	const char *id;          /* "pii.identifier", "pii.generic_imei" ... */
	const char *what;        /* "IMEI", "e-mail address", ... */
	const char *how;         /* form ("MD5 of"), "" for generic */
	const char *masked;      /* masked (or shown) value */
	const char *field;       /* from pii_context_field */
	const char *host;        /* remote name, "" */
	enum ph_severity sev;
	enum ph_confidence conf;
	bool device_mac;         /* generic MAC equal to a device's MAC */
	bool hashed;             /* the form is a hash */
};

void pii_report(struct ph_detect_base *b, const struct ph_event *ev,
		int side, const struct pii_hit *h);

#endif
