/* Country and organisation of an address from MaxMind-format databases
 * (.mmdb: GeoLite2/GeoIP2 Country, City, ASN, ISP; DB-IP lite country and
 * ASN), read with libmaxminddb (src/report/geoip.c). Several databases may
 * be open; a lookup takes the first country and the first organisation
 * any of them gives. None is bundled: the caller names files (--geoip),
 * and ph_geoip_add_system() opens the ones a distribution package or
 * geoipupdate put in the usual places, silently skipping absent ones. */
#ifndef PEEPHOLE_GEOIP_H
#define PEEPHOLE_GEOIP_H

#include <stdbool.h>
#include <stdint.h>

#include "peephole/ph.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PH_GEOIP_MAX_DBS 8

struct ph_geoip; /* opaque; owned by the caller */

struct ph_geo {
	char country_iso[4];    /* "DE", "" unknown */
	char country[64];       /* English name, "" unknown */
	char org[128];          /* AS organisation, else ISP/organisation */
	uint32_t asn;           /* 0 unknown */
};

/* An empty set (no database); NULL when out of memory. */
struct ph_geoip *ph_geoip_new(void);
void ph_geoip_free(struct ph_geoip *g);

/* Opens one database. 0, or PH_EIO (cannot read) / PH_EFORMAT (not a
 * MaxMind DB) / PH_ENOMEM (more than PH_GEOIP_MAX_DBS) with a message
 * naming the file. */
int ph_geoip_add(struct ph_geoip *g, const char *path, struct ph_err *err);

/* Opens the databases found in the usual system places
 * (/usr/share/GeoIP, /var/lib/GeoIP: GeoLite2-{Country,City,ASN}.mmdb,
 * dbip-{country,city,asn}-lite.mmdb, ...); never fails. Returns how many
 * were opened. */
unsigned ph_geoip_add_system(struct ph_geoip *g);

/* Databases open (0: no lookup can succeed). */
unsigned ph_geoip_count(const struct ph_geoip *g);
/* Path of database i (< count), borrowed. */
const char *ph_geoip_path(const struct ph_geoip *g, unsigned i);

/* Looks up an address given as text ("203.0.113.9", "2001:db8::1").
 * Fills *out (empty strings for what no database knows); true when
 * anything was found. g may be NULL. */
bool ph_geoip_lookup(const struct ph_geoip *g, const char *ip,
		     struct ph_geo *out);

#ifdef __cplusplus
}
#endif
#endif
