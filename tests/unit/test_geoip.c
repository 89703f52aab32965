/* Tests of the GeoIP lookups (src/report/geoip.c) on a MaxMind DB the
 * test writes itself (html_fixture.h: 203.0.113.0/24 -> NL, AS 64500):
 * country, name, organisation and AS number; misses; numeric addresses
 * only (a host name is never resolved); errors naming unreadable and
 * malformed files; the system search never failing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "html_fixture.h"
#include "peephole/check.h"
#include "peephole/finding.h"
#include "peephole/geoip.h"

static void test_lookup(void **state)
{
	(void)state;
	char *db = hf_write_mmdb();
	struct ph_geoip *g = ph_geoip_new();
	struct ph_err err;
	memset(&err, 0, sizeof err);
	assert_int_equal(ph_geoip_add(g, db, &err), 0);
	assert_int_equal(ph_geoip_count(g), 1);
	assert_string_equal(ph_geoip_path(g, 0), db);
	struct ph_geo o;
	assert_true(ph_geoip_lookup(g, "203.0.113.9", &o));
	assert_string_equal(o.country_iso, "NL");
	assert_string_equal(o.country, "Netherlands");
	assert_string_equal(o.org, "Example Org <b>");
	assert_int_equal(o.asn, 64500);
	assert_true(ph_geoip_lookup(g, "203.0.113.255", &o));
	assert_false(ph_geoip_lookup(g, "203.0.114.1", &o));
	assert_string_equal(o.country_iso, "");
	assert_false(ph_geoip_lookup(g, "198.51.100.7", &o));
	assert_false(ph_geoip_lookup(g, "localhost", &o)); /* not resolved */
	assert_false(ph_geoip_lookup(g, "2001:db8::1", &o)); /* v4-only db */
	assert_false(ph_geoip_lookup(NULL, "203.0.113.9", &o));
	ph_geoip_free(g);
	unlink(db);
	free(db);
}

static void test_errors(void **state)
{
	(void)state;
	struct ph_geoip *g = ph_geoip_new();
	struct ph_err err;
	memset(&err, 0, sizeof err);
	assert_int_equal(ph_geoip_add(g, "/nonexistent/x.mmdb", &err), PH_EIO);
	assert_non_null(strstr(err.msg, "/nonexistent/x.mmdb"));
	char *bad = pb_tmpfile(".mmdb");
	FILE *f = fopen(bad, "wb");
	fputs("not a database at all", f);
	fclose(f);
	memset(&err, 0, sizeof err);
	assert_int_equal(ph_geoip_add(g, bad, &err), PH_EFORMAT);
	assert_non_null(strstr(err.msg, bad));
	assert_int_equal(ph_geoip_count(g), 0);
	/* whatever is installed here, this never fails */
	unsigned n = ph_geoip_add_system(g);
	assert_int_equal(ph_geoip_count(g), n);
	ph_geoip_free(g);
	unlink(bad);
	free(bad);
}

/* The text and JSON reports name the remote's country and organisation
 * when a database is given, and say nothing of it otherwise. */
static void test_reports_location(void **state)
{
	(void)state;
	char *db = hf_write_mmdb();
	struct ph_geoip *g = ph_geoip_new();
	assert_int_equal(ph_geoip_add(g, db, NULL), 0);
	struct ph_findings *fs = ph_findings_new(4);
	struct ph_finding f;
	memset(&f, 0, sizeof f);
	snprintf(f.id, sizeof f.id, "direct_ip.unresolved");
	snprintf(f.title, sizeof f.title, "Direct");
	snprintf(f.remote, sizeof f.remote, "203.0.113.9");
	f.severity = PH_SEV_LOW, f.first_ns = f.last_ns = 1, f.last_pkt = 3;
	assert_int_equal(ph_findings_add(fs, &f), 0);
	struct ph_check c;
	memset(&c, 0, sizeof c);
	c.findings = fs;
	ph_check_decide(&c);
	for (int with = 0; with < 2; with++) {
		c.geoip = with ? g : NULL;
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);
		assert_int_equal(ph_check_write_text(&c, m, false, NULL), 0);
		assert_int_equal(ph_check_write_json(&c, m, NULL), 0);
		fclose(m);
		const char *t = strstr(buf, "Location     Netherlands (NL), "
				       "AS64500 Example Org <b>");
		const char *j = strstr(buf, "\"remote_country\": \"NL\"");
		if (with) {
			assert_non_null(t);
			assert_non_null(j);
			assert_non_null(strstr(buf, "\"remote_asn\": 64500"));
		} else {
			assert_null(t);
			assert_null(j);
		}
		free(buf);
	}
	ph_findings_free(fs);
	ph_geoip_free(g);
	unlink(db);
	free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_reports_location),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
