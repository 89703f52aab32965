/* Indicator value normalisation, shared by the store's add and match paths
 * (src/intel/normalize.c): domains (case, trailing dot, IDN to punycode),
 * URLs (RFC 3986 section 6.2.2 syntax-based normalisation), hex hashes,
 * JA4, e-mail, app ids, and IP/CIDR text. Every function writes into a
 * caller buffer and returns the output length or PH_EINVAL; none keeps
 * state. Only non-ASCII domain names allocate (inside libidn2). */
#ifndef PH_INTEL_NORMALIZE_H
#define PH_INTEL_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>

#include "peephole/intel.h"

#define PH_INTEL_NAME_MAX 253    /* RFC 1035 name, without trailing dot */
#define PH_INTEL_LABEL_MAX 63
#define PH_INTEL_IN_MAX 1024     /* longest domain input considered */
#define PH_INTEL_URL_MAX 4096    /* longest normalised URL kept */
#define PH_INTEL_VALUE_MAX PH_INTEL_URL_MAX /* buffer for any string type */

/* A parsed address or range: addr has host bits cleared; ver 4 uses
 * addr[0..3]. IPv4-mapped IPv6 (::ffff:a.b.c.d, prefix >= 96) becomes v4. */
struct ph_intel_ip {
	uint8_t addr[16];
	uint8_t ver;   /* 4 or 6 */
	uint8_t plen;  /* 0..32 or 0..128 */
};

/* Domain: trims blanks, drops a leading "*." or "." and one trailing dot,
 * lowercases, converts IDN labels to punycode (UTS #46), checks labels
 * (1-63 bytes of [a-z0-9_-]) and length (<= 253). out: cap >= 254. */
int ph_intel_norm_domain(const char *in, size_t len, char *out, size_t cap);

/* URL: lowercase scheme and host (host normalised as a domain or an IPv6
 * literal), default port dropped, fragment dropped, empty path -> "/",
 * %xx hex uppercased, unreserved %xx decoded, bytes outside printable
 * ASCII percent-encoded. A value without "scheme://" is taken as http. */
int ph_intel_norm_url(const char *in, size_t len, char *out, size_t cap);

/* Hex digests: lowercased, length checked for the type (cert SHA-1 40,
 * SHA-256 64, JA3/JA3S 32, file hash 32/40/64); colons allowed in
 * certificate fingerprints ("AB:CD:..."). */
int ph_intel_norm_hex(enum ph_ioc_type t, const char *in, size_t len,
		      char *out, size_t cap);

/* Any string-valued type (all but PH_IOC_IP): dispatches to the above;
 * JA4 lowercased and checked (a_b_c, 10+12+12 chars), e-mail lowercased
 * (local@domain), app id kept as is (no blanks or controls). */
int ph_intel_norm_value(enum ph_ioc_type t, const char *in, size_t len,
			char *out, size_t cap);

/* "1.2.3.4", "10.0.0.0/8", "2001:db8::/32", "[::1]": 0 or PH_EINVAL. */
int ph_intel_ip_parse(const char *in, size_t len, struct ph_intel_ip *ip);
/* IPv4-mapped IPv6 (::ffff:0:0/96, prefix >= 96) to IPv4; else no-op. */
void ph_intel_ip_unmap(struct ph_intel_ip *ip);
/* Clears the bits below plen. */
void ph_intel_ip_mask(uint8_t addr[16], int ver, unsigned plen);
/* Canonical text: "1.2.3.4", "10.0.0.0/8", "2001:db8::/32". */
int ph_intel_ip_format(const struct ph_intel_ip *ip, char *out, size_t cap);

#endif
