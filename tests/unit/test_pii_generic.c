/* Tests for src/detect/pii_generic.c (generic candidates of the pii
 * detection) and the scanner's generic patterns (pii_scan.c): IMEI with
 * Luhn and a known prefix, MAC addresses (separators, %3A, no broadcast
 * or multicast), e-mail addresses (not image names), coordinate pairs
 * (range, decimals) and the user-location match at the printed
 * precision; the patterns fire once per value, at its end, also when the
 * value ends the data or is split across stream chunks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "detect/pii_scan.h"

#define W(s) (const uint8_t *)(s), strlen(s)

static void test_luhn(void **state)
{
	(void)state;
	assert_true(pii_luhn_ok("490154203237518", 15));
	assert_false(pii_luhn_ok("490154203237517", 15));
	assert_true(pii_luhn_ok("79927398713", 11));
	assert_false(pii_luhn_ok("79927398a13", 11));
}

static void test_imei(void **state)
{
	(void)state;
	struct pii_gen_value v;
	assert_true(pii_gen_imei(W("imei=490154203237518&"), &v));
	assert_string_equal(v.text, "490154203237518");
	assert_int_equal(v.span, 16);
	assert_true(pii_gen_imei(W("x 490154203237518"), &v)); /* at end */
	assert_int_equal(v.span, 15);
	assert_false(pii_gen_imei(W("=490154203237517&"), &v)); /* Luhn */
	assert_false(pii_gen_imei(W("=000000000000000&"), &v)); /* same */
	/* Luhn-valid but no phone reporting body: 12... */
	assert_true(pii_luhn_ok("123456789012347", 15));
	assert_false(pii_gen_imei(W("=123456789012347&"), &v));
}

static void test_mac(void **state)
{
	(void)state;
	struct pii_gen_value v;
	uint8_t m[6];
	assert_true(pii_gen_mac(W("mac=A4:5E:60:C1:22:33&"), &v, m));
	assert_string_equal(v.text, "a4:5e:60:c1:22:33");
	assert_int_equal(m[0], 0xa4);
	assert_int_equal(v.span, 18);
	assert_true(pii_gen_mac(W("\"a4-5e-60-c1-22-33\""), &v, m));
	assert_string_equal(v.text, "a4:5e:60:c1:22:33");
	assert_true(pii_gen_mac(W("m=a4%3A5e%3A60%3Ac1%3A22%3A33"), &v, m));
	assert_string_equal(v.text, "a4:5e:60:c1:22:33");
	assert_false(pii_gen_mac(W(" 00:00:00:00:00:00 "), &v, m));
	assert_false(pii_gen_mac(W(" ff:ff:ff:ff:ff:ff "), &v, m));
	assert_false(pii_gen_mac(W(" 01:00:5e:00:00:fb "), &v, m));
}

static void test_email(void **state)
{
	(void)state;
	struct pii_gen_value v;
	assert_true(pii_gen_email(W("{\"e\":\"John.Doe@Example.org\""), &v));
	assert_string_equal(v.text, "john.doe@example.org");
	assert_int_equal(v.span, strlen("John.Doe@Example.org\""));
	assert_true(pii_gen_email(W("e=jane%40mail.example.com&"), &v));
	assert_string_equal(v.text, "jane@mail.example.com");
	assert_false(pii_gen_email(W("/img/icon@2x.png?"), &v));
	assert_false(pii_gen_email(W(" @example.org "), &v));
}

static void test_coord(void **state)
{
	(void)state;
	struct pii_gen_value v;
	assert_true(pii_gen_coord(W("?lat=48.85661&lon=2.35222&"), &v));
	assert_string_equal(v.text, "48.85661,2.35222");
	assert_int_equal(v.dec[0], 5);
	assert_true(pii_gen_coord_plausible(&v));
	assert_true(pii_gen_coord(W("{\"lat\": -33.8688, \"lng\": 151.2093}"),
				  &v));
	assert_true(v.num[0] < -33.8 && v.num[1] > 151.2);
	assert_true(pii_gen_coord_plausible(&v));
	assert_true(pii_gen_coord(W("p=48.8566%2C2.3522 "), &v));
	assert_string_equal(v.text, "48.8566,2.3522");
	assert_true(pii_gen_coord(W(" 0.0000,0.0000 "), &v));
	assert_false(pii_gen_coord_plausible(&v));
	assert_true(pii_gen_coord(W(" 123.4567,200.1234 "), &v));
	assert_false(pii_gen_coord_plausible(&v));
	assert_true(pii_gen_coord(W(" 48.86,2.35 "), &v));
	assert_false(pii_gen_coord_plausible(&v)); /* 2 decimals: generic no */
	assert_false(pii_gen_coord(W(" 48.8566 "), &v));
}

static void test_location_precision(void **state)
{
	(void)state;
	struct ph_ident id;
	memset(&id, 0, sizeof id);
	id.kind = PH_ID_LOCATION;
	id.lat = 48.8566;
	id.lon = 2.3522;
	id.radius_m = 200;
	struct pii_gen_value v;
	assert_true(pii_gen_coord(W(" 48.85702,2.35190 "), &v));
	assert_true(pii_location_match(&id, &v));     /* ~50 m away */
	assert_true(pii_gen_coord(W(" 48.86,2.35 "), &v));
	assert_true(pii_location_match(&id, &v));     /* rounded */
	assert_true(pii_gen_coord(W(" 2.35222,48.85661 "), &v));
	assert_true(pii_location_match(&id, &v));     /* lon,lat */
	assert_true(pii_gen_coord(W(" 48.9,2.4 "), &v));
	assert_false(pii_location_match(&id, &v));    /* 1 decimal */
	assert_true(pii_gen_coord(W(" 48.8700,2.3522 "), &v));
	assert_false(pii_location_match(&id, &v));    /* 1.5 km north */
	assert_true(pii_gen_coord(W(" 51.5074,-0.1278 "), &v));
	assert_false(pii_location_match(&id, &v));    /* London */
}

/* ---- the scanner's generic patterns ---- */

struct hits {
	unsigned n, id[16];
	uint64_t to[16];
};

static int collect(unsigned id, uint64_t to, void *user)
{
	struct hits *h = user;
	if (h->n < 16) {
		h->id[h->n] = id;
		h->to[h->n++] = to;
	}
	return 0;
}

static struct pii_scan *generic_scan(bool any)
{
	struct pii_scan_cfg cfg = {NULL, 0, true, any};
	struct pii_scan *s = NULL;
	struct ph_err err;
	assert_int_equal(pii_scan_new(&cfg, &s, &err), PH_OK);
	assert_non_null(s);
	return s;
}

static void test_scan_generic_block(void **state)
{
	(void)state;
	struct pii_scan *s = generic_scan(false);
	const char *t = "GET /a?imei=490154203237518&mac=a4:5e:60:c1:22:33 "
			"x 12345678901234567 u@example.org";
	struct hits h = {0};
	assert_int_equal(pii_scan_block(s, W(t), collect, &h), PH_OK);
	unsigned imei = 0, mac = 0, mail = 0;
	for (unsigned i = 0; i < h.n; i++) {
		imei += h.id[i] == PII_GEN_BASE + PII_GEN_IMEI;
		mac += h.id[i] == PII_GEN_BASE + PII_GEN_MAC;
		mail += h.id[i] == PII_GEN_BASE + PII_GEN_EMAIL;
		if (h.id[i] == PII_GEN_BASE + PII_GEN_EMAIL)
			assert_int_equal(h.to[i], strlen(t)); /* at the end */
	}
	assert_int_equal(imei, 1); /* not the 17-digit number */
	assert_int_equal(mac, 1);
	assert_int_equal(mail, 1);
	pii_scan_free(s);
}

static void test_scan_generic_stream_split(void **state)
{
	(void)state;
	struct pii_scan *s = generic_scan(true);
	struct pii_stream *st = pii_stream_open(s);
	assert_non_null(st);
	struct hits h = {0};
	pii_stream_scan(s, st, W("lat=48.85"), collect, &h);
	pii_stream_scan(s, st, W("66&lon=2.35"), collect, &h);
	assert_int_equal(h.n, 0); /* not before the value ends */
	pii_stream_scan(s, st, W("22&x=4901542032"), collect, &h);
	assert_int_equal(h.n, 1);
	assert_int_equal(h.id[0], PII_GEN_BASE + PII_GEN_COORD);
	assert_int_equal(h.to[0], strlen("lat=48.8566&lon=2.3522&"));
	pii_stream_close(s, st, collect, &h); /* x=4901542032 ends at EOS */
	assert_int_equal(h.n, 1);          /* 10 digits: not an IMEI */
	st = pii_stream_open(s);
	h.n = 0;
	pii_stream_scan(s, st, W("id=49015420"), collect, &h);
	pii_stream_scan(s, st, W("3237518"), collect, &h);
	assert_int_equal(h.n, 0);
	pii_stream_close(s, st, collect, &h);
	assert_int_equal(h.n, 1);
	assert_int_equal(h.id[0], PII_GEN_BASE + PII_GEN_IMEI);
	assert_int_equal(h.to[0], 18);
	pii_scan_free(s);
}

static void test_scan_literal_nocase(void **state)
{
	(void)state;
	struct ph_ident_form f[2];
	memset(f, 0, sizeof f);
	memcpy(f[0].bytes, "5d41402abc4b2a76", 16);
	f[0].len = 16;
	f[0].nocase = true;
	memcpy(f[1].bytes, "a.b*c", 5); /* regex characters stay literal */
	f[1].len = 5;
	struct pii_scan_cfg cfg = {f, 2, false, false};
	struct pii_scan *s = NULL;
	struct ph_err err;
	assert_int_equal(pii_scan_new(&cfg, &s, &err), PH_OK);
	assert_int_equal(pii_scan_patterns(s), 2);
	struct hits h = {0};
	pii_scan_block(s, W("h=5D41402ABC4B2A76 aXb*c a.bbc a.b*c"), collect,
		       &h);
	assert_int_equal(h.n, 2);
	assert_int_equal(h.id[0], 0);
	assert_int_equal(h.id[1], 1);
	pii_scan_free(s);
	/* nothing to search for: no database */
	struct pii_scan_cfg none = {NULL, 0, false, false};
	assert_int_equal(pii_scan_new(&none, &s, &err), PH_OK);
	assert_null(s);
}

/* The IMEI probe against a naive reference: random digit-heavy data cut
 * into random chunks (stream mode) and whole (block mode) gives exactly
 * the 15-digit runs, reported past their delimiter or at the end. */
static unsigned naive_runs(const uint8_t *p, size_t n, uint64_t *to)
{
	unsigned k = 0;
	for (size_t i = 0; i < n;) {
		if (p[i] < '0' || p[i] > '9') {
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && p[j] >= '0' && p[j] <= '9')
			j++;
		if (j - i == 15)
			to[k++] = j == n ? n : j + 1;
		i = j;
	}
	return k;
}

struct imei_hits {
	unsigned n;
	uint64_t to[256];
};

static int imei_only(unsigned id, uint64_t to, void *user)
{
	struct imei_hits *h = user;
	if (id == PII_GEN_BASE + PII_GEN_IMEI && h->n < 256)
		h->to[h->n++] = to;
	return 0;
}

static void test_imei_probe_differential(void **state)
{
	(void)state;
	struct pii_scan *s = generic_scan(false);
	uint32_t seed = 12345;
	uint8_t buf[3000];
	unsigned total = 0;
	for (int round = 0; round < 300; round++) {
		size_t n = 1 + (seed = seed * 1103515245u + 12345u) % sizeof buf;
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (seed >> 16) % 23 ? (uint8_t)('0' + (seed >> 8) % 10)
						   : (uint8_t)' ';
		}
		uint64_t want[256];
		unsigned nw = naive_runs(buf, n, want);
		total += nw;
		struct imei_hits h = {0};
		struct pii_stream *st = pii_stream_open(s);
		for (size_t off = 0; off < n;) {
			seed = seed * 1103515245u + 12345u;
			size_t k = 1 + (seed >> 16) % 40;
			k = k > n - off ? n - off : k;
			pii_stream_scan(s, st, buf + off, k, imei_only, &h);
			off += k;
		}
		pii_stream_close(s, st, imei_only, &h);
		assert_int_equal(h.n, nw);
		for (unsigned i = 0; i < nw; i++)
			assert_int_equal(h.to[i], want[i]);
		h.n = 0;
		pii_scan_block(s, buf, n, imei_only, &h);
		assert_int_equal(h.n, nw);
		for (unsigned i = 0; i < nw; i++)
			assert_int_equal(h.to[i], want[i]);
	}
	assert_true(total > 100); /* the data does hold such runs */
	pii_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_luhn),
		cmocka_unit_test(test_imei),
		cmocka_unit_test(test_mac),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_coord),
		cmocka_unit_test(test_location_precision),
		cmocka_unit_test(test_scan_generic_block),
		cmocka_unit_test(test_scan_generic_stream_split),
		cmocka_unit_test(test_scan_literal_nocase),
		cmocka_unit_test(test_imei_probe_differential),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
