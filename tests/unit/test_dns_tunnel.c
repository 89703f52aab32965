/* dns_tunnel detection (src/detect/dns_tunnel.c) and the Public Suffix
 * List matcher (src/detect/psl.c): name scores, registered domains, and
 * crafted captures that must fire (TXT tunnel, exfiltration name, DGA,
 * NXDOMAIN burst) next to the nearest benign case that must not (many
 * ordinary subdomains, .arpa and .local lookups, real-word domains). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "check_fixture.h"
#include "detect/dns_tunnel.h"
#include "detect/psl.h"

#define DEV "192.168.1.23"
#define RES "192.168.1.1"
#define T0 1700000000000000000ull
#define MS 1000000ull

/* Deterministic base32-looking label of n characters. */
static void rand_label(char *out, size_t n, uint32_t *seed)
{
	static const char a[] = "abcdefghijklmnopqrstuvwxyz234567";
	for (size_t i = 0; i < n; i++) {
		*seed = *seed * 1103515245u + 12345u;
		out[i] = a[(*seed >> 16) & 31];
	}
	out[n] = '\0';
}

static void test_scores(void **state)
{
	(void)state;
	assert_true(ph_dns_entropy("aaaa", 4) < 0.01);
	assert_true(ph_dns_entropy("abcd", 4) > 1.99);
	assert_true(ph_dns_dga_score("sjbxqkwtrhpz", 12) >= 3);
	assert_true(ph_dns_dga_score("q4cyamnc6mtokjurvdclt", 21) >= 3);
	assert_true(ph_dns_dga_score("googleapis", 10) < 3);
	assert_true(ph_dns_dga_score("crashlytics", 11) < 3);
	assert_true(ph_dns_dga_score("igcdn-photos-h-a", 16) < 3);
	assert_int_equal(ph_dns_dga_score("xn--bcher-kva", 13), 0);
	assert_true(ph_dns_has_odd_bytes("a*b.c", 5));
	assert_false(ph_dns_has_odd_bytes("_sip._tcp.a-b.c", 15));
}

static int reg_of(struct ph_psl *p, const char *name, char *out)
{
	int r = ph_psl_registered(p, name, strlen(name), NULL);
	snprintf(out, 256, "%s", r < 0 ? "" : name + r);
	return r;
}

static void test_psl(void **state)
{
	(void)state;
	const char *rules = "// comment\ncom\nuk\nco.uk\n*.ck\n!www.ck\n"
			    "duckdns.org   trailing\n";
	struct ph_psl *p = ph_psl_from_text(rules, strlen(rules));
	char r[256];
	assert_non_null(p);
	assert_int_equal(ph_psl_rules(p), 6);
	reg_of(p, "a.b.example.co.uk", r);
	assert_string_equal(r, "example.co.uk");
	reg_of(p, "x.y.ck", r);
	assert_string_equal(r, "x.y.ck");
	reg_of(p, "a.www.ck", r);
	assert_string_equal(r, "www.ck");
	reg_of(p, "cam.duckdns.org", r);
	assert_string_equal(r, "cam.duckdns.org");
	reg_of(p, "a.b.unknowntld", r);
	assert_string_equal(r, "b.unknowntld");
	assert_int_equal(reg_of(p, "co.uk", r), -1);
	assert_int_equal(reg_of(p, "localhost", r), -1);
	ph_psl_free(p);
	p = ph_psl_new(NULL, NULL); /* fallback */
	reg_of(p, "www.shop.com.br", r);
	assert_string_equal(r, "shop.com.br");
	reg_of(p, "a.b.example.org", r);
	assert_string_equal(r, "example.org");
	ph_psl_free(p);
}

/* n lookups under domain: labels of len1 (+ a second of len2 when > 0)
 * of type qtype, one per 500 ms, answered NOERROR. */
static void burst(struct cfx *x, uint64_t ts, const char *domain, int n,
		  size_t len1, size_t len2, uint16_t qtype)
{
	uint32_t seed = 7;
	for (int i = 0; i < n; i++) {
		char a[64], b[64], name[256];
		rand_label(a, len1, &seed);
		rand_label(b, len2 ? len2 : 1, &seed);
		snprintf(name, sizeof name, len2 ? "%s.%s.%s" : "%s.%s", a,
			 len2 ? b : domain, domain);
		cfx_dns_lookup(x, ts + (uint64_t)i * 500 * MS, DEV,
			       (uint16_t)(30000 + i), RES, name, qtype, 0,
			       qtype == 1 ? "203.0.113.5" : NULL);
	}
}

static void test_txt_tunnel_fires(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	burst(&x, T0, "t.tunnel.example", 40, 60, 30, 16);
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	assert_int_equal(x.rc, 0);
	const struct ph_finding *t = cfx_find(f, "dns_tunnel.tunnel");
	assert_non_null(t);
	assert_int_equal(t->severity, PH_SEV_HIGH);
	assert_string_equal(t->name, "tunnel.example");
	assert_string_equal(t->device, DEV);
	assert_string_equal(t->remote, RES);
	assert_int_equal(t->count, 40);
	assert_string_equal(t->attack, "T1071.004");
	assert_true(t->last_ns > t->first_ns);
	assert_non_null(strstr(t->explain, "Examples:"));
	cfx_close(&x, f);
}

static void test_ordinary_subdomains_do_not_fire(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	/* 40 unique short A lookups (img-host style) under one domain. */
	for (int i = 0; i < 40; i++) {
		char name[64];
		snprintf(name, sizeof name, "img%d.cdn.example.com", i);
		cfx_dns_lookup(&x, T0 + (uint64_t)i * 500 * MS, DEV,
			       (uint16_t)(30000 + i), RES, name, 1, 0,
			       "203.0.113.5");
	}
	/* Reverse and mDNS-style names with long random labels. */
	burst(&x, T0 + 30000 * MS, "in-addr.arpa", 40, 60, 0, 12);
	burst(&x, T0 + 60000 * MS, "local", 40, 60, 0, 16);
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	assert_int_equal(cfx_count(f, "dns_tunnel."), 0);
	cfx_close(&x, f);
}

static void test_options_honoured(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	burst(&x, T0, "t.tunnel.example", 40, 60, 30, 16);
	const char *set[] = {"dns_tunnel.min_queries=100",
			     "dns_tunnel.exfil_label=63"};
	struct ph_findings *f = cfx_run(&x, set, 2);
	assert_int_equal(x.rc, 0);
	assert_int_equal(cfx_count(f, "dns_tunnel."), 0);
	cfx_close(&x, f);
	/* A PSL file that is missing is an error when asked for. */
	cfx_open(&x);
	burst(&x, T0, "example.com", 2, 10, 0, 1);
	const char *bad[] = {"dns_tunnel.psl=/nonexistent/psl.dat"};
	f = cfx_run(&x, bad, 1);
	assert_true(x.rc < 0);
	cfx_close(&x, f);
}

static void test_exfil_name(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	cfx_dns_lookup(&x, T0, DEV, 40000, RES,
		       "h4sicn03*2qaa3rlc3qudhh0aavjycxwakjehelu5klueow0zjxulg"
		       "age-.4s2fgaaaa==-.test.txt", 1, 0, "203.0.113.5");
	cfx_dns_lookup(&x, T0 + MS * 10, DEV, 40001, RES,
		       "connectivitycheck.gstatic.com", 1, 0, "203.0.113.6");
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	const struct ph_finding *e = cfx_find(f, "dns_tunnel.encoded_name");
	assert_non_null(e);
	assert_int_equal(e->severity, PH_SEV_MEDIUM);
	assert_int_equal(e->confidence, PH_CONF_LOW);
	assert_int_equal(cfx_count(f, "dns_tunnel."), 1);
	cfx_close(&x, f);
}

static void test_dga_and_nxdomain(void **state)
{
	(void)state;
	static const char *const dga[] = {"sjbxqkwtrhpz", "vcxzmkqwrtpl",
		"q4cyamnc6mtokjurvdclt", "gfu7hbxpfpqz", "zrtkwpnvbxcm",
		"xkcdjhgfvbnm", "plmkoqnjwrtx", "tr8vb2nx9kqw", "hjkqwxzvbnpl",
		"mnbvcxzlkjhgf"};
	static const char *const words[] = {"weatherapp", "shoppingmall",
		"newspaperonline", "travelguide", "bookshelves", "musicstream",
		"photogallery", "recipesite", "footballclub", "gardenhouse"};
	struct cfx x;
	cfx_open(&x);
	for (int i = 0; i < 10; i++) {
		char n1[64], n2[64];
		snprintf(n1, sizeof n1, "%s.com", dga[i]);
		snprintf(n2, sizeof n2, "www.%s.net", words[i]);
		cfx_dns_lookup(&x, T0 + (uint64_t)i * MS * 100, DEV,
			       (uint16_t)(31000 + i), RES, n1, 1, 3, NULL);
		cfx_dns_lookup(&x, T0 + (uint64_t)i * MS * 100 + MS * 50, DEV,
			       (uint16_t)(32000 + i), RES, n2, 1, 3, NULL);
	}
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	const struct ph_finding *d = cfx_find(f, "dns_tunnel.dga");
	assert_non_null(d);
	assert_int_equal(d->count, 10); /* the real words are not counted */
	assert_int_equal(d->severity, PH_SEV_MEDIUM);
	assert_null(cfx_find(f, "dns_tunnel.nxdomain")); /* 20 < 25 */
	cfx_close(&x, f);

	cfx_open(&x);
	for (int i = 0; i < 10; i++) {
		char n1[64];
		snprintf(n1, sizeof n1, "%s.com", dga[i]);
		cfx_dns_lookup(&x, T0 + (uint64_t)i * MS * 100, DEV,
			       (uint16_t)(31000 + i), RES, n1, 1, 3, NULL);
	}
	const char *set[] = {"dns_tunnel.dga_min=11", "dns_tunnel.nx_burst=10"};
	f = cfx_run(&x, set, 2);
	assert_null(cfx_find(f, "dns_tunnel.dga"));
	const struct ph_finding *nx = cfx_find(f, "dns_tunnel.nxdomain");
	assert_non_null(nx);
	assert_int_equal(nx->severity, PH_SEV_LOW);
	assert_int_equal(nx->count, 10);
	cfx_close(&x, f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scores),
		cmocka_unit_test(test_psl),
		cmocka_unit_test(test_txt_tunnel_fires),
		cmocka_unit_test(test_ordinary_subdomains_do_not_fire),
		cmocka_unit_test(test_options_honoured),
		cmocka_unit_test(test_exfil_name),
		cmocka_unit_test(test_dga_and_nxdomain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
