/* Tests for src/intel/ident_forms.c: every form checked against a value
 * computed here independently (OpenSSL digests, EVP_EncodeBlock base64
 * of a longer text holding the identifier at offsets 0, 1 and 2, hex,
 * phone and MAC spellings), duplicates, lengths and the per-identifier
 * cap, and the location radius (haversine). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "peephole/identifiers.h"

#define MAX_PER_IDENT 80 /* documented cap (docs/identifiers.md) */

struct fx {
	struct ph_identifiers *ids;
	struct ph_ident_form *f;
	size_t n;
};

static void build(struct fx *x, const char *const *kv)
{
	struct ph_err err;
	memset(&err, 0, sizeof err);
	x->ids = ph_identifiers_new();
	assert_non_null(x->ids);
	for (; kv[0]; kv += 2)
		assert_int_equal(ph_identifiers_add(x->ids, kv[0], kv[1],
						    "test", &err), PH_OK);
	assert_int_equal(ph_ident_forms(x->ids, &x->f, &x->n, &err), PH_OK);
}

static void done(struct fx *x)
{
	free(x->f);
	ph_identifiers_free(x->ids);
}

/* The form with exactly these bytes (case-insensitively for nocase
 * forms), or NULL. */
static const struct ph_ident_form *find(const struct fx *x, const char *s)
{
	size_t len = strlen(s);
	for (size_t i = 0; i < x->n; i++) {
		const struct ph_ident_form *f = &x->f[i];
		if (f->len != len)
			continue;
		if (f->nocase ? !strncasecmp((const char *)f->bytes, s, len) :
		    !memcmp(f->bytes, s, len))
			return f;
	}
	return NULL;
}

static const struct ph_ident_form *find_how(const struct fx *x, unsigned id,
					    const char *how)
{
	for (size_t i = 0; i < x->n; i++)
		if (x->f[i].ident == id && !strcmp(x->f[i].how, how))
			return &x->f[i];
	return NULL;
}

static void hexs(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static void md_hex(const EVP_MD *md, const char *s, char *out)
{
	uint8_t d[EVP_MAX_MD_SIZE];
	unsigned n;
	assert_true(EVP_Digest(s, strlen(s), d, &n, md, NULL));
	hexs(d, n, out);
}

/* The form named `how` of identifier id equals `want`. */
static void expect(const struct fx *x, unsigned id, const char *how,
		   const char *want)
{
	const struct ph_ident_form *f = find_how(x, id, how);
	if (!f)
		fail_msg("no form '%s'", how);
	assert_int_equal(f->len, strlen(want));
	assert_memory_equal(f->bytes, want, f->len);
}

static void test_imei_hashes(void **state)
{
	(void)state;
	static const char *const kv[] = {"imei", "490154203237518", NULL};
	struct fx x;
	char want[200], inner[200];
	build(&x, kv);
	md_hex(EVP_md5(), "490154203237518", want);
	expect(&x, 0, "MD5 of", want);
	assert_true(find_how(&x, 0, "MD5 of")->nocase);
	md_hex(EVP_sha1(), "490154203237518", want);
	expect(&x, 0, "SHA-1 of", want);
	md_hex(EVP_sha256(), "490154203237518", want);
	expect(&x, 0, "SHA-256 of", want);
	md_hex(EVP_sha256(), "49015420323751", want);
	expect(&x, 0, "SHA-256 of 14-digit", want);
	/* two layers: SHA-256 of the hex MD5, every ordered pair */
	md_hex(EVP_md5(), "490154203237518", inner);
	md_hex(EVP_sha256(), inner, want);
	expect(&x, 0, "SHA-256 of MD5 of", want);
	md_hex(EVP_sha1(), "490154203237518", inner);
	md_hex(EVP_md5(), inner, want);
	expect(&x, 0, "MD5 of SHA-1 of", want);
	md_hex(EVP_sha1(), inner, want);
	expect(&x, 0, "SHA-1 of SHA-1 of", want);
	/* base64 of the MD5 digest, standalone, '=' padding left out */
	uint8_t d[16], b64[40];
	unsigned dn;
	EVP_Digest("490154203237518", 15, d, &dn, EVP_md5(), NULL);
	assert_int_equal(EVP_EncodeBlock(b64, d, 16), 24);
	b64[22] = 0;
	expect(&x, 0, "base64 of MD5 of", (char *)b64);
	expect(&x, 0, "hex of", "343930313534323033323337353138");
	expect(&x, 0, "14-digit", "49015420323751");
	done(&x);
}

/* 14 digits: the check digit is added (Luhn); 16 (IMEISV): the IMEI
 * with its check digit and the 14-digit body. */
static void test_imei_check_digit(void **state)
{
	(void)state;
	static const char *const kv[] = {"imei", "49-015420-323751",
					 "imei", "3569380356438091", NULL};
	struct fx x;
	build(&x, kv);
	expect(&x, 0, "digits-only", "49015420323751");
	expect(&x, 0, "15-digit", "490154203237518");
	expect(&x, 1, "plain", "3569380356438091");
	expect(&x, 1, "15-digit", "356938035643809");
	expect(&x, 1, "14-digit", "35693803564380");
	done(&x);
}

/* Base64 of a text holding the value at byte offset 0, 1 or 2 (with
 * varying bytes around it) contains the form of that alignment. */
static void check_b64(const struct fx *x, unsigned id, const char *value,
		      const char *base, bool url)
{
	for (unsigned k = 0; k < 3; k++) {
		char how[64];
		snprintf(how, sizeof how, "%sbase64%s of%s%s",
			 url ? "URL-safe " : "",
			 k ? (k == 1 ? " (offset 1)" : " (offset 2)") : "",
			 *base ? " " : "", base);
		const struct ph_ident_form *f = find_how(x, id, how);
		if (!f)
			fail_msg("no form '%s'", how);
		for (unsigned pre = 0; pre < 4; pre++) {
			uint8_t text[400], enc[600];
			size_t n = 0, vl = strlen(value);
			for (unsigned i = 0; i < 3 * pre + k; i++)
				text[n++] = (uint8_t)(0xf7 * (i + pre + 1));
			memcpy(text + n, value, vl);
			n += vl;
			for (unsigned i = 0; i < pre; i++)
				text[n++] = (uint8_t)(0x3d + 77 * i);
			int m = EVP_EncodeBlock(enc, text, (int)n);
			for (int i = 0; url && i < m; i++)
				enc[i] = enc[i] == '+' ? '-' :
					 enc[i] == '/' ? '_' : enc[i];
			assert_non_null(memmem(enc, (size_t)m, f->bytes, f->len));
		}
		assert_true(f->len >= 4);
	}
}

static void test_base64_alignments(void **state)
{
	(void)state;
	static const char *const kv[] = {"email", "Jane.Doe@Example.org",
					 "custom", "\xff\xfe~~?>?>tok",
					 "user", "Bob!", NULL};
	struct fx x;
	build(&x, kv);
	check_b64(&x, 0, "jane.doe@example.org", "lower-case", false);
	check_b64(&x, 1, "\xff\xfe~~?>?>tok", "", false);
	check_b64(&x, 1, "\xff\xfe~~?>?>tok", "", true);
	check_b64(&x, 2, "Bob!", "", false);
	done(&x);
}

static void test_email_forms(void **state)
{
	(void)state;
	static const char *const kv[] = {"email", "Jane.Doe@Example.org", NULL};
	struct fx x;
	char want[70];
	build(&x, kv);
	expect(&x, 0, "plain", "Jane.Doe@Example.org");
	expect(&x, 0, "lower-case", "jane.doe@example.org");
	expect(&x, 0, "URL-encoded lower-case", "jane.doe%40example.org");
	md_hex(EVP_sha256(), "jane.doe@example.org", want);
	expect(&x, 0, "SHA-256 of lower-case", want);
	assert_null(find(&x, "JANE.DOE@EXAMPLE.ORG"));
	done(&x);
}

static void test_phone_international(void **state)
{
	(void)state;
	static const char *const kv[] = {"phone", "+33 6 12 34 56 78", NULL};
	static const char *const want[] = {
		"+33612345678", "0033612345678", "33612345678", "0612345678",
		"612345678", "06 12 34 56 78", "06-12-34-56-78",
		"06.12.34.56.78", "+33 6 12 34 56 78", "+33-6-12-34-56-78",
		"+33 612345678", "%2B33612345678", NULL};
	struct fx x;
	build(&x, kv);
	for (unsigned i = 0; want[i]; i++)
		if (!find(&x, want[i]))
			fail_msg("no phone form %s", want[i]);
	expect(&x, 0, "E.164", "+33612345678");
	expect(&x, 0, "national-format", "0612345678");
	char h[70];
	md_hex(EVP_md5(), "+33612345678", h);
	expect(&x, 0, "MD5 of E.164", h);
	md_hex(EVP_sha1(), "0612345678", h);
	expect(&x, 0, "SHA-1 of national-format", h);
	md_hex(EVP_md5(), "+33 6 12 34 56 78", h); /* the raw value too */
	expect(&x, 0, "MD5 of", h);
	done(&x);
}

/* NANP has no trunk 0 and uses (area) exchange-line; Italy keeps the
 * number as is; a number without country code keeps its digits. */
static void test_phone_countries(void **state)
{
	(void)state;
	static const char *const kv[] = {"phone", "001 (612) 555-1234",
					 "phone", "+39 347 123 4567",
					 "phone", "06 12 34 56 78", NULL};
	struct fx x;
	build(&x, kv);
	expect(&x, 0, "E.164", "+16125551234");
	expect(&x, 0, "national-format", "6125551234");
	assert_non_null(find(&x, "(612) 555-1234"));
	assert_non_null(find(&x, "612-555-1234"));
	assert_non_null(find(&x, "+1 612 555 1234"));
	expect(&x, 1, "national-format", "3471234567");
	expect(&x, 2, "digits-only", "0612345678");
	assert_non_null(find(&x, "06.12.34.56.78"));
	for (size_t i = 0; i < x.n; i++) /* no country code invented */
		if (x.f[i].ident == 2)
			assert_int_not_equal(x.f[i].bytes[0], '+');
	done(&x);
}

static void test_mac_forms(void **state)
{
	(void)state;
	static const char *const kv[] = {"wifi_mac", "AA-BB-CC-DD-EE-0F",
					 NULL};
	static const char *const want[] = {
		"aa:bb:cc:dd:ee:0f", "AA:BB:CC:DD:EE:0F", "aa-bb-cc-dd-ee-0f",
		"AA-BB-CC-DD-EE-0F", "aabbccddee0f", "AABBCCDDEE0F",
		"aabb.ccdd.ee0f", NULL};
	struct fx x;
	build(&x, kv);
	for (unsigned i = 0; want[i]; i++)
		if (!find(&x, want[i]))
			fail_msg("no MAC form %s", want[i]);
	expect(&x, 0, "colon-separated", "aa:bb:cc:dd:ee:0f");
	expect(&x, 0, "URL-encoded colon-separated", "aa%3Abb%3Acc%3Add%3Aee%3A0f");
	char h[70];
	md_hex(EVP_md5(), "aa:bb:cc:dd:ee:0f", h);
	expect(&x, 0, "MD5 of colon-separated", h);
	md_hex(EVP_sha1(), "AABBCCDDEE0F", h);
	expect(&x, 0, "SHA-1 of upper-case unseparated", h);
	done(&x);
}

static void test_hex_ids(void **state)
{
	(void)state;
	static const char *const kv[] = {
		"android_id", "9774D56D682E549C",
		"adid", "38400000-8CF0-11BD-B23E-10B96E40000D", NULL};
	struct fx x;
	build(&x, kv);
	expect(&x, 0, "lower-case", "9774d56d682e549c");
	expect(&x, 0, "plain", "9774D56D682E549C");
	expect(&x, 1, "lower-case", "38400000-8cf0-11bd-b23e-10b96e40000d");
	expect(&x, 1, "undashed", "384000008cf011bdb23e10b96e40000d");
	expect(&x, 1, "upper-case undashed", "384000008CF011BDB23E10B96E40000D");
	done(&x);
}

static void test_text_forms(void **state)
{
	(void)state;
	static const char *const kv[] = {"user", "Jane Doe", "ssid", "Box",
					 NULL};
	struct fx x;
	char h[70];
	build(&x, kv);
	expect(&x, 0, "lower-case", "jane doe");
	expect(&x, 0, "upper-case", "JANE DOE");
	expect(&x, 0, "URL-encoded", "Jane%20Doe");
	expect(&x, 0, "form-encoded", "Jane+Doe");
	expect(&x, 0, "hex of", "4a616e6520446f65");
	assert_true(find_how(&x, 0, "hex of")->nocase);
	/* "Box" is too short to search as is, but its hashes are kept */
	assert_null(find_how(&x, 1, "plain"));
	md_hex(EVP_md5(), "Box", h);
	expect(&x, 1, "MD5 of", h);
	done(&x);
}

/* Invariants over a large mixed set: no duplicate, 4..160 bytes, valid
 * index, a bounded count per identifier, no location forms. */
static void test_invariants(void **state)
{
	(void)state;
	char longv[256];
	memset(longv, 'q', 255);
	longv[255] = 0;
	static const char *kv[] = {
		"imei", "356938035643809", "imsi", "208150123456789",
		"iccid", "8933150123456789012", "phone", "+44 7911 123456",
		"email", "a.b@c.example", "wifi_mac", "00:11:22:33:44:55",
		"bt_mac", "00:11:22:33:44:56", "serial", "R58M123ABC",
		"device_name", "Galaxy S10", "location", "48.8566,2.3522",
		"custom", NULL, "user", "same", "custom", "same", NULL};
	kv[21] = longv;
	struct fx x;
	build(&x, kv);
	unsigned per[16] = {0};
	unsigned nids = ph_identifiers_count(x.ids);
	assert_int_equal(nids, 13);
	for (size_t i = 0; i < x.n; i++) {
		const struct ph_ident_form *a = &x.f[i];
		assert_true(a->len >= 4 && a->len <= sizeof a->bytes);
		assert_true(a->ident < nids);
		assert_true(a->how[0]);
		assert_int_not_equal(ph_identifiers_get(x.ids, a->ident)->kind,
				     PH_ID_LOCATION);
		per[a->ident]++;
		for (size_t j = 0; j < i; j++) {
			const struct ph_ident_form *b = &x.f[j];
			if (b->len == a->len)
				assert_false(a->nocase || b->nocase ?
					     !strncasecmp((char *)a->bytes,
							  (char *)b->bytes, a->len) :
					     !memcmp(a->bytes, b->bytes, a->len));
		}
	}
	for (unsigned i = 0; i < nids; i++) {
		if (ph_identifiers_get(x.ids, i)->kind == PH_ID_LOCATION ||
		    i == 12) /* "same" again: every form a duplicate */
			assert_int_equal(per[i], 0);
		else
			assert_true(per[i] >= 8 && per[i] <= MAX_PER_IDENT);
	}
	/* the long custom value: its forms are cut to 160 bytes */
	const struct ph_ident_form *f = find_how(&x, 10, "plain");
	assert_non_null(f);
	assert_int_equal(f->len, 160);
	/* "same" as user and custom: searched once, for the first */
	f = find(&x, "same");
	assert_non_null(f);
	assert_int_equal(f->ident, 11);
	done(&x);
}

static void test_empty(void **state)
{
	(void)state;
	struct ph_identifiers *ids = ph_identifiers_new();
	struct ph_ident_form *f = NULL;
	size_t n = 99;
	assert_int_equal(ph_ident_forms(ids, &f, &n, NULL), PH_OK);
	assert_int_equal(n, 0);
	free(f);
	ph_identifiers_free(ids);
}

static void test_location_near(void **state)
{
	(void)state;
	struct ph_identifiers *ids = ph_identifiers_new();
	assert_int_equal(ph_identifiers_add(ids, "location", "48.8566,2.3522",
					    "t", NULL), PH_OK);
	assert_int_equal(ph_identifiers_add(ids, "location",
					    "-33.8688, 151.2093, 5000", "t",
					    NULL), PH_OK);
	const struct ph_ident *paris = ph_identifiers_get(ids, 0);
	const struct ph_ident *sydney = ph_identifiers_get(ids, 1);
	assert_true(paris->radius_m == 500);
	/* 0.004 degrees of latitude is about 445 m; 0.005 about 556 m */
	assert_true(ph_ident_location_near(paris, 48.8606, 2.3522));
	assert_false(ph_ident_location_near(paris, 48.8616, 2.3522));
	assert_true(ph_ident_location_near(paris, 48.86, 2.35));
	assert_true(ph_ident_location_near(paris, 48.8566, 2.3522));
	assert_false(ph_ident_location_near(paris, 48.9, 2.35));
	assert_false(ph_ident_location_near(paris, -48.8566, 2.3522));
	assert_true(ph_ident_location_near(sydney, -33.9, 151.2));
	assert_false(ph_ident_location_near(sydney, -33.95, 151.2093));
	assert_false(ph_ident_location_near(sydney, 1e300, 0));
	assert_false(ph_ident_location_near(NULL, 0, 0));
	ph_identifiers_free(ids);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_imei_hashes),
		cmocka_unit_test(test_imei_check_digit),
		cmocka_unit_test(test_base64_alignments),
		cmocka_unit_test(test_email_forms),
		cmocka_unit_test(test_phone_international),
		cmocka_unit_test(test_phone_countries),
		cmocka_unit_test(test_mac_forms),
		cmocka_unit_test(test_hex_ids),
		cmocka_unit_test(test_text_forms),
		cmocka_unit_test(test_invariants),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_location_near),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
