/* GeoIP lookups (include/peephole/geoip.h) with libmaxminddb: up to
 * PH_GEOIP_MAX_DBS databases opened with MMDB_MODE_MMAP, searched in the
 * order added. Country from "country" (else "registered_country"), the
 * organisation from "autonomous_system_organization" (GeoLite2-ASN,
 * DB-IP ASN), else "isp", else "organization". Strings from a database
 * are copied cut to fit; the reports escape them. No caching: a report
 * looks up a few hundred addresses. */
#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "peephole/geoip.h"

struct ph_geoip {
	MMDB_s db[PH_GEOIP_MAX_DBS];
	char path[PH_GEOIP_MAX_DBS][512];
	unsigned n;
};

struct ph_geoip *ph_geoip_new(void)
{
	return calloc(1, sizeof(struct ph_geoip));
}

void ph_geoip_free(struct ph_geoip *g)
{
	if (!g)
		return;
	for (unsigned i = 0; i < g->n; i++)
		MMDB_close(&g->db[i]);
	free(g);
}

int ph_geoip_add(struct ph_geoip *g, const char *path, struct ph_err *err)
{
	if (!g || !path)
		return ph_err_set(err, PH_EINVAL, "no GeoIP database given");
	if (g->n == PH_GEOIP_MAX_DBS)
		return ph_err_set(err, PH_ENOMEM, "%.300s: at most %d GeoIP "
				  "databases", path, PH_GEOIP_MAX_DBS);
	int rc = MMDB_open(path, MMDB_MODE_MMAP, &g->db[g->n]);
	if (rc != MMDB_SUCCESS)
		return ph_err_set(err, rc == MMDB_FILE_OPEN_ERROR ||
				       rc == MMDB_IO_ERROR ? PH_EIO : PH_EFORMAT,
				  "%.300s: %s", path, MMDB_strerror(rc));
	snprintf(g->path[g->n], sizeof g->path[0], "%s", path);
	g->n++;
	return PH_OK;
}

unsigned ph_geoip_add_system(struct ph_geoip *g)
{
	static const char *const dirs[] = {"/usr/share/GeoIP", "/var/lib/GeoIP"};
	static const char *const names[] = {
		"GeoLite2-Country.mmdb", "GeoLite2-City.mmdb",
		"GeoIP2-Country.mmdb", "GeoIP2-City.mmdb",
		"dbip-country-lite.mmdb", "dbip-city-lite.mmdb",
		"GeoLite2-ASN.mmdb", "GeoIP2-ISP.mmdb", "dbip-asn-lite.mmdb",
	};
	unsigned opened = 0;
	char p[600];
	for (size_t d = 0; g && d < sizeof dirs / sizeof *dirs; d++)
		for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
			snprintf(p, sizeof p, "%s/%s", dirs[d], names[k]);
			if (access(p, R_OK) == 0 && ph_geoip_add(g, p, NULL) == 0)
				opened++;
		}
	return opened;
}

unsigned ph_geoip_count(const struct ph_geoip *g)
{
	return g ? g->n : 0;
}

const char *ph_geoip_path(const struct ph_geoip *g, unsigned i)
{
	return g && i < g->n ? g->path[i] : "";
}

/* Copies the UTF-8 string at the path into out; false when absent. */
static bool get_str(MMDB_entry_s *e, char *out, size_t n, const char *const *path)
{
	MMDB_entry_data_s v;
	if (MMDB_aget_value(e, &v, path) != MMDB_SUCCESS || !v.has_data ||
	    v.type != MMDB_DATA_TYPE_UTF8_STRING)
		return false;
	size_t k = v.data_size < n - 1 ? v.data_size : n - 1;
	memcpy(out, v.utf8_string, k);
	out[k] = '\0';
	return k > 0;
}

static void get_country(MMDB_entry_s *e, struct ph_geo *o)
{
	static const char *const top[] = {"country", "registered_country"};
	for (size_t t = 0; t < 2 && !o->country_iso[0]; t++) {
		const char *const iso[] = {top[t], "iso_code", NULL};
		const char *const name[] = {top[t], "names", "en", NULL};
		if (get_str(e, o->country_iso, sizeof o->country_iso, iso))
			get_str(e, o->country, sizeof o->country, name);
	}
}

static void get_org(MMDB_entry_s *e, struct ph_geo *o)
{
	static const char *const aso[] = {"autonomous_system_organization", NULL};
	static const char *const isp[] = {"isp", NULL};
	static const char *const org[] = {"organization", NULL};
	static const char *const asn[] = {"autonomous_system_number", NULL};
	if (!get_str(e, o->org, sizeof o->org, aso) &&
	    !get_str(e, o->org, sizeof o->org, isp))
		get_str(e, o->org, sizeof o->org, org);
	MMDB_entry_data_s v;
	if (!o->asn && MMDB_aget_value(e, &v, asn) == MMDB_SUCCESS &&
	    v.has_data && v.type == MMDB_DATA_TYPE_UINT32)
		o->asn = v.uint32;
}

static bool to_sockaddr(const char *ip, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, ip, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, ip, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		return true;
	}
	return false;
}

bool ph_geoip_lookup(const struct ph_geoip *g, const char *ip,
		     struct ph_geo *out)
{
	memset(out, 0, sizeof *out);
	struct sockaddr_storage ss;
	if (!g || !ip || !to_sockaddr(ip, &ss))
		return false; /* numeric only: never a name resolution */
	for (unsigned i = 0; i < g->n; i++) {
		int rc = 0;
		MMDB_lookup_result_s r = MMDB_lookup_sockaddr(
			(MMDB_s *)&g->db[i], (const struct sockaddr *)&ss, &rc);
		if (rc != MMDB_SUCCESS || !r.found_entry)
			continue;
		if (!out->country_iso[0])
			get_country(&r.entry, out);
		if (!out->org[0])
			get_org(&r.entry, out);
	}
	return out->country_iso[0] || out->org[0];
}
