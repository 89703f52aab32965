/* Personal identifiers of the device under check (IMEI, phone number,
 * e-mail, MACs, GPS position...), given by the user with
 * `peephole check --identifiers FILE` or flags, and the encoded forms in
 * which apps really send them (case, separators, URL encoding, base64 at
 * the three alignments, hex, MD5/SHA-1/SHA-256 up to two layers). The pii
 * detection searches device traffic for those forms. Identifiers are
 * secrets: never print one unmasked unless the user asked
 * (--show-secrets); use ph_ident_mask(). Implemented in
 * src/intel/identifiers.c (the list) and src/intel/ident_forms.c (forms). */
#ifndef PEEPHOLE_IDENTIFIERS_H
#define PEEPHOLE_IDENTIFIERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "peephole/ph.h"

#ifdef __cplusplus
extern "C" {
#endif

enum ph_ident_kind {
	PH_ID_IMEI = 0, PH_ID_IMSI, PH_ID_ICCID, PH_ID_PHONE, PH_ID_EMAIL,
	PH_ID_WIFI_MAC, PH_ID_BT_MAC, PH_ID_ANDROID_ID, PH_ID_ADID,
	PH_ID_SERIAL, PH_ID_DEVICE_NAME, PH_ID_USER, PH_ID_LOCATION,
	PH_ID_SSID, PH_ID_CUSTOM, PH_ID_KIND_COUNT
};

#define PH_IDENT_MAX 256       /* identifiers per run */
#define PH_IDENT_VALUE_MAX 256 /* bytes of one value */

/* One identifier, validated and normalised (IMEI digits only, MAC as
 * 12 lower-case hex digits, e-mail lower-cased, phone in E.164 when it
 * had a country code...). */
struct ph_ident {
	enum ph_ident_kind kind;
	char value[PH_IDENT_VALUE_MAX]; /* as given, trimmed */
	char norm[PH_IDENT_VALUE_MAX];  /* normalised form */
	double lat, lon, radius_m;      /* PH_ID_LOCATION only */
	char origin[64];                /* "FILE:LINE" or "--imei" */
};

struct ph_identifiers;

struct ph_identifiers *ph_identifiers_new(void);
void ph_identifiers_free(struct ph_identifiers *ids);

/* Adds KEY=VALUE (key as in the file: "imei", "wifi_mac", "location"...).
 * Validates the value (IMEI 14-16 digits, MAC, lat/lon ranges ...):
 * PH_EINVAL with a message naming origin on a bad key or value. */
int ph_identifiers_add(struct ph_identifiers *ids, const char *key,
		       const char *value, const char *origin,
		       struct ph_err *err);

/* Reads a KEY=VALUE file ('#' comments, blank lines ignored). Errors
 * name "PATH:LINE". */
int ph_identifiers_load(struct ph_identifiers *ids, const char *path,
			struct ph_err *err);

unsigned ph_identifiers_count(const struct ph_identifiers *ids);
const struct ph_ident *ph_identifiers_get(const struct ph_identifiers *ids,
					  unsigned i);

/* "imei", "wifi_mac" ... (the file key); "IMEI", "Wi-Fi MAC" (words). */
const char *ph_ident_kind_key(enum ph_ident_kind k);
const char *ph_ident_kind_words(enum ph_ident_kind k);
/* Parses a file key; -1 when unknown. */
int ph_ident_kind_parse(const char *key);

/* Masked text of a value for reports: keeps at most a quarter of the
 * characters, never more than 4 at each end ("49**********518"); an
 * e-mail keeps its first letter and domain ("j***@example.org"), a
 * location one decimal ("48.8*,2.3*"); the whole value when show is
 * true. See docs/identifiers.md. */
void ph_ident_mask(const char *value, bool show, char *out, size_t n);

/* One byte string to look for, and what it is: "MD5 of IMEI" is
 * { ident i, how "MD5 of", ... }. */
struct ph_ident_form {
	unsigned ident;      /* index in the identifiers */
	char how[64];        /* "plain", "upper case", "URL-encoded", "hex",
				"base64 (offset 1) of", "MD5 of", "SHA-256
				of MD5 of" ... (words for reports; see
				docs/identifiers.md) */
	uint8_t bytes[160];  /* the literal to search for */
	uint16_t len;
	bool nocase;         /* match case-insensitively (hex digests) */
};

/* All literal forms of every identifier except PH_ID_LOCATION (located by
 * the pii detection's coordinate matcher and ph_ident_location_near).
 * Duplicates are removed; forms shorter than 4 bytes are left out.
 * *out is malloc'ed (free it); PH_ENOMEM on failure. */
int ph_ident_forms(const struct ph_identifiers *ids,
		   struct ph_ident_form **out, size_t *n, struct ph_err *err);

/* Is (lat, lon) within the location identifier's radius? */
bool ph_ident_location_near(const struct ph_ident *id, double lat, double lon);

#ifdef __cplusplus
}
#endif
#endif
