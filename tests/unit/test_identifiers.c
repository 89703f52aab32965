/* Tests for src/intel/identifiers.c: kind names, validation and
 * normalisation of every kind (good and bad values), errors naming the
 * origin without repeating the value, duplicates and the list cap, the
 * KEY=VALUE file (comments, CRLF, BOM, quotes, PATH:LINE errors), and
 * masking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "peephole/identifiers.h"

static struct ph_err err;

/* Adds one value to a fresh list; its normalised form, or NULL when
 * refused (err holds why). */
static const char *norm(const char *key, const char *value)
{
	static char out[PH_IDENT_VALUE_MAX];
	struct ph_identifiers *ids = ph_identifiers_new();
	memset(&err, 0, sizeof err);
	int rc = ph_identifiers_add(ids, key, value, "--flag", &err);
	const struct ph_ident *id = ph_identifiers_get(ids, 0);
	if (rc == PH_OK) {
		assert_non_null(id);
		snprintf(out, sizeof out, "%s", id->norm);
	} else {
		assert_int_equal(rc, PH_EINVAL);
		assert_null(id);
		assert_non_null(strstr(err.msg, "--flag: "));
	}
	ph_identifiers_free(ids);
	return rc == PH_OK ? out : NULL;
}

static void test_kind_names(void **state)
{
	(void)state;
	for (int k = 0; k < PH_ID_KIND_COUNT; k++) {
		const char *key = ph_ident_kind_key((enum ph_ident_kind)k);
		assert_int_equal(ph_ident_kind_parse(key), k);
		assert_true(strlen(ph_ident_kind_words((enum ph_ident_kind)k)));
	}
	assert_int_equal(ph_ident_kind_parse("WIFI-MAC"), PH_ID_WIFI_MAC);
	assert_int_equal(ph_ident_kind_parse("Android_ID"), PH_ID_ANDROID_ID);
	assert_int_equal(ph_ident_kind_parse("mac"), -1);
	assert_int_equal(ph_ident_kind_parse("imei2"), -1);
	assert_int_equal(ph_ident_kind_parse(""), -1);
	assert_string_equal(ph_ident_kind_words(PH_ID_IMEI), "IMEI");
	assert_string_equal(ph_ident_kind_words(PH_ID_WIFI_MAC), "Wi-Fi MAC");
	assert_string_equal(ph_ident_kind_key(PH_ID_KIND_COUNT), "unknown");
}

static void test_digits(void **state)
{
	(void)state;
	assert_string_equal(norm("imei", "490154203237518"), "490154203237518");
	assert_string_equal(norm("imei", " 49-015420-323751-8 "),
			    "490154203237518");
	assert_string_equal(norm("imei", "49015420323751"), "49015420323751");
	assert_string_equal(norm("imei", "4901542032375101"),
			    "4901542032375101");
	/* fails Luhn: still searched (the user knows their device) */
	assert_string_equal(norm("imei", "490154203237519"), "490154203237519");
	assert_null(norm("imei", "4901542032375"));
	assert_null(norm("imei", "49015420323751011"));
	assert_null(norm("imei", "49015420323751x"));
	assert_null(strstr(err.msg, "49015420323751x")); /* not echoed */
	assert_string_equal(norm("imsi", "208 15 0123456789"), "208150123456789");
	assert_null(norm("imsi", "2081501234567"));
	assert_string_equal(norm("iccid", "8933 1501 2345 6789 012"),
			    "8933150123456789012");
	assert_null(norm("iccid", "89331501234567"));
	assert_null(norm("iccid", "8933150123456789012F"));
}

static void test_phone(void **state)
{
	(void)state;
	assert_string_equal(norm("phone", "+33 6 12 34 56 78"), "+33612345678");
	assert_null(norm("phone", "0033 (0)6..."));
	assert_string_equal(norm("phone", "0033 6-12-34-56-78"), "+33612345678");
	assert_string_equal(norm("phone", "+1 (612) 555-1234"), "+16125551234");
	assert_string_equal(norm("phone", "06.12.34.56.78"), "0612345678");
	assert_string_equal(norm("phone", "000612345678"), "000612345678");
	assert_null(norm("phone", "+0612345678"));
	assert_null(norm("phone", "12345"));
	assert_null(norm("phone", "+33 6 12 34 56 78 90 12 34"));
	assert_null(norm("phone", "tel:+33612345678"));
	assert_null(norm("phone", "+"));
}

static void test_email(void **state)
{
	(void)state;
	assert_string_equal(norm("email", "Jane.Doe@Example.ORG"),
			    "jane.doe@example.org");
	assert_null(norm("email", "jane.doe"));
	assert_null(norm("email", "@example.org"));
	assert_null(norm("email", "jane@localhost"));
	assert_null(norm("email", "jane@@example.org"));
	assert_null(norm("email", "ja ne@example.org"));
	assert_null(norm("email", "jane@example.org."));
	assert_null(norm("email", "jane@.example.org"));
}

static void test_mac(void **state)
{
	(void)state;
	static const char *const good[] = {
		"AA:BB:CC:00:11:2f", "aa-bb-cc-00-11-2F", "AABBCC00112F",
		"aabb.cc00.112f", NULL};
	for (unsigned i = 0; good[i]; i++) {
		assert_string_equal(norm("wifi_mac", good[i]), "aabbcc00112f");
		assert_string_equal(norm("bt_mac", good[i]), "aabbcc00112f");
	}
	assert_null(norm("wifi_mac", "aa:bb:cc:00:11"));
	assert_null(norm("wifi_mac", "aa:bb-cc:00:11:22"));
	assert_null(norm("wifi_mac", "aa:bb:cc:00:11:2g"));
	assert_null(norm("wifi_mac", "aabbcc00112233"));
	assert_null(norm("bt_mac", "aa.bb.cc.00.11.22"));
}

static void test_hex_ids(void **state)
{
	(void)state;
	assert_string_equal(norm("android_id", "9774D56D682E549C"),
			    "9774d56d682e549c");
	assert_string_equal(norm("android_id", "774d56d682e549c"),
			    "774d56d682e549c");
	assert_null(norm("android_id", "9774d56d682e549"  "c0"));
	assert_null(norm("android_id", "9774d56d682e54xc"));
	assert_string_equal(norm("adid", "38400000-8CF0-11BD-B23E-10B96E40000D"),
			    "38400000-8cf0-11bd-b23e-10b96e40000d");
	assert_string_equal(norm("adid", "384000008cf011bdb23e10b96e40000d"),
			    "38400000-8cf0-11bd-b23e-10b96e40000d");
	assert_null(norm("adid", "38400000-8cf0-11bd-b23e-10b96e40000"));
	assert_null(norm("adid", "38400000_8cf0-11bd-b23e-10b96e40000d"));
	assert_null(norm("adid", "00000000-0000-0000-0000-000000000000"));
	assert_non_null(strstr(err.msg, "all-zero"));
}

static void test_text(void **state)
{
	(void)state;
	char big[300];
	assert_string_equal(norm("serial", " R58M123ABC "), "R58M123ABC");
	assert_null(norm("serial", "R58"));
	assert_string_equal(norm("ssid", "\" My Box \""), " My Box ");
	assert_string_equal(norm("user", "jdoe"), "jdoe");
	assert_string_equal(norm("device_name", "Jane's Galaxy"),
			    "Jane's Galaxy");
	assert_string_equal(norm("custom", "caf\xc3\xa9"), "caf\xc3\xa9");
	assert_null(norm("custom", "a\tb"));
	assert_null(norm("user", "   "));
	assert_null(norm("custom", "\"\""));
	memset(big, 'x', 255);
	big[255] = 0;
	assert_non_null(norm("custom", big));
	big[255] = 'x';
	big[256] = 0;
	assert_null(norm("custom", big));
	assert_non_null(strstr(err.msg, "longer than 255"));
	assert_null(norm("phone_number", "0612345678"));
	assert_non_null(strstr(err.msg, "unknown identifier"));
}

static void test_location(void **state)
{
	(void)state;
	struct ph_identifiers *ids = ph_identifiers_new();
	assert_int_equal(ph_identifiers_add(ids, "location", "48.8566, 2.3522",
					    "f", &err), PH_OK);
	assert_int_equal(ph_identifiers_add(ids, "location",
					    "-33.8688,151.2093,2000", "f",
					    &err), PH_OK);
	const struct ph_ident *a = ph_identifiers_get(ids, 0);
	const struct ph_ident *b = ph_identifiers_get(ids, 1);
	assert_true(a->lat == 48.8566 && a->lon == 2.3522);
	assert_true(a->radius_m == 500);
	assert_string_equal(a->norm, "48.856600,2.352200,500");
	assert_true(b->lat == -33.8688 && b->radius_m == 2000);
	ph_identifiers_free(ids);
	assert_null(norm("location", "91,0"));
	assert_null(norm("location", "0,181"));
	assert_null(norm("location", "48.85"));
	assert_null(norm("location", "48.85,2.35,0"));
	assert_null(norm("location", "48.85,2.35,-5"));
	assert_null(norm("location", "48.85,2.35,500,1"));
	assert_null(norm("location", "48.85N,2.35E"));
	assert_null(norm("location", "nan,0"));
	assert_null(norm("location", "48.85,inf"));
	assert_null(norm("location", "4.8e1,2.35"));
	assert_null(norm("location", "0x30,2.35"));
}

static void test_list(void **state)
{
	(void)state;
	struct ph_identifiers *ids = ph_identifiers_new();
	char v[32];
	assert_int_equal(ph_identifiers_count(ids), 0);
	assert_int_equal(ph_identifiers_add(ids, "imei", "490154203237518",
					    "--imei", &err), PH_OK);
	/* same IMEI, other spelling: kept once */
	assert_int_equal(ph_identifiers_add(ids, "imei", "49 015420 323751 8",
					    "--imei", &err), PH_OK);
	assert_int_equal(ph_identifiers_count(ids), 1);
	const struct ph_ident *id = ph_identifiers_get(ids, 0);
	assert_int_equal(id->kind, PH_ID_IMEI);
	assert_string_equal(id->origin, "--imei");
	assert_string_equal(id->value, "490154203237518");
	assert_null(ph_identifiers_get(ids, 1));
	for (unsigned i = 1; i < PH_IDENT_MAX; i++) {
		snprintf(v, sizeof v, "user%u", i);
		assert_int_equal(ph_identifiers_add(ids, "user", v, "x", &err),
				 PH_OK);
	}
	assert_int_equal(ph_identifiers_count(ids), PH_IDENT_MAX);
	assert_int_equal(ph_identifiers_add(ids, "user", "one more", "x", &err),
			 PH_ENOMEM);
	assert_non_null(strstr(err.msg, "more than 256"));
	ph_identifiers_free(ids);
	ph_identifiers_free(NULL);
	assert_int_equal(ph_identifiers_count(NULL), 0);
}

/* Writes text to a temporary file; its path in `path`. */
static void write_tmp(char *path, size_t n, const char *text, size_t len)
{
	snprintf(path, n, "/tmp/ph_test_ids_XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

/* Loads text as a file; rc, err filled. */
static int load_text(struct ph_identifiers *ids, const char *text,
		     char *path, size_t n)
{
	write_tmp(path, n, text, strlen(text));
	memset(&err, 0, sizeof err);
	int rc = ph_identifiers_load(ids, path, &err);
	unlink(path);
	return rc;
}

static void test_file(void **state)
{
	(void)state;
	char path[64], want[128];
	struct ph_identifiers *ids = ph_identifiers_new();
	assert_int_equal(load_text(ids,
				   "\xef\xbb\xbf# my phone\n"
				   "\n"
				   "imei = 490154203237518\r\n"
				   "  # indented comment\n"
				   "Wifi-MAC=AA:BB:CC:DD:EE:FF\n"
				   "ssid=\"Home #1 \"\n"
				   "location=48.8566,2.3522,300",
				   path, sizeof path), PH_OK);
	assert_int_equal(ph_identifiers_count(ids), 4);
	const struct ph_ident *id = ph_identifiers_get(ids, 0);
	assert_string_equal(id->norm, "490154203237518");
	snprintf(want, sizeof want, "%s:3", path);
	assert_string_equal(id->origin, want);
	assert_string_equal(ph_identifiers_get(ids, 1)->norm, "aabbccddeeff");
	assert_string_equal(ph_identifiers_get(ids, 2)->value, "Home #1 ");
	assert_true(ph_identifiers_get(ids, 3)->radius_m == 300);
	ph_identifiers_free(ids);
}

static void test_file_errors(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		unsigned line;
		const char *msg;
	} cases[] = {
		{"imei=490154203237518\n\nfoo=bar\n", 3, "unknown identifier"},
		{"# c\nimei=12345\n", 2, "14 to 16 digits"},
		{"email jane@example.org\n", 1, "expected KEY=VALUE"},
		{"user=\n", 1, "empty"},
		{"location=48.8,2.3\nlocation=100,0\n", 2, "latitude"},
	};
	char path[64], want[128];
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ph_identifiers *ids = ph_identifiers_new();
		assert_int_equal(load_text(ids, cases[i].text, path,
					   sizeof path), PH_EINVAL);
		snprintf(want, sizeof want, "%s:%u: ", path, cases[i].line);
		assert_memory_equal(err.msg, want, strlen(want));
		assert_non_null(strstr(err.msg, cases[i].msg));
		assert_string_equal(err.file, path);
		ph_identifiers_free(ids);
	}
}

static void test_file_limits(void **state)
{
	(void)state;
	char path[64], want[128];
	static char text[1100];
	struct ph_identifiers *ids = ph_identifiers_new();
	memset(text, 'x', sizeof text - 2);
	memcpy(text, "# ", 2);
	text[sizeof text - 2] = '\n';
	assert_int_equal(load_text(ids, text, path, sizeof path), PH_EINVAL);
	snprintf(want, sizeof want, "%s:1: line longer", path);
	assert_memory_equal(err.msg, want, strlen(want));
	write_tmp(path, sizeof path, "user=a\0b\n", 9);
	assert_int_equal(ph_identifiers_load(ids, path, &err), PH_EFORMAT);
	unlink(path);
	char *big = malloc((1u << 20) + 1);
	assert_non_null(big);
	for (size_t i = 0; i < (1u << 20) + 1; i++)
		big[i] = i % 64 == 63 ? '\n' : '#';
	write_tmp(path, sizeof path, big, (1u << 20) + 1);
	free(big);
	assert_int_equal(ph_identifiers_load(ids, path, &err), PH_ENOMEM);
	assert_non_null(strstr(err.msg, "larger than 1 MiB"));
	unlink(path);
	assert_int_equal(ph_identifiers_load(ids, "/tmp", &err), PH_EIO);
	assert_non_null(strstr(err.msg, "/tmp: "));
	assert_int_equal(ph_identifiers_load(ids, "/nonexistent/ids.txt", &err),
			 PH_EIO);
	assert_non_null(strstr(err.msg, "/nonexistent/ids.txt: "));
	assert_int_equal(ph_identifiers_count(ids), 0);
	ph_identifiers_free(ids);
}

static const char *mask(const char *v, bool show)
{
	static char out[PH_IDENT_VALUE_MAX];
	ph_ident_mask(v, show, out, sizeof out);
	return out;
}

/* At most a quarter of the characters kept, at most 4 at each end. */
static void check_mask_share(const char *v)
{
	const char *m = mask(v, false);
	size_t len = strlen(v), kept = 0, head = 0, tail = 0;
	assert_int_equal(strlen(m), len);
	for (size_t i = 0; i < len; i++)
		kept += m[i] != '*';
	while (head < len && m[head] != '*')
		head++;
	while (tail < len && m[len - 1 - tail] != '*')
		tail++;
	assert_true(kept * 4 <= len);
	assert_true(head <= 4 && tail <= 4);
	assert_true(len < 4 || kept > 0);
}

static void test_mask(void **state)
{
	(void)state;
	assert_string_equal(mask("490154203237518", false), "49************8");
	assert_string_equal(mask("490154203237518", true), "490154203237518");
	assert_string_equal(mask("+33612345678", false), "+3*********8");
	assert_string_equal(mask("abc", false), "***");
	assert_string_equal(mask("jane.doe@example.org", false),
			    "j*******@example.org");
	assert_string_equal(mask("48.856613,2.352222,500", false),
			    "48.8*****,2.3*****,500");
	assert_string_equal(mask("-33.8688,151.2093", false),
			    "-33.8***,151.2***");
	assert_string_equal(mask("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", false),
			    "********");
	check_mask_share("490154203237518");
	check_mask_share("38400000-8cf0-11bd-b23e-10b96e40000d");
	check_mask_share("aa:bb:cc:dd:ee:ff");
	check_mask_share("R58M123ABC");
	check_mask_share("xy");
	char small[6];
	ph_ident_mask("490154203237518", false, small, sizeof small);
	assert_string_equal(small, "49***");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_digits),
		cmocka_unit_test(test_phone),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_mac),
		cmocka_unit_test(test_hex_ids),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_location),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_file_limits),
		cmocka_unit_test(test_mask),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
