/* Tests for src/report/jsonw.c: integers, doubles as Zeek's JSON writer
 * prints them (vectors from Zeek's btest baseline
 * scripts.base.frameworks.logging.ascii-double/json.log and from the
 * conn.log in Zeek's manual), and Zeek's hex string escaping (vectors from
 * the baseline scripts.base.frameworks.logging.ascii-json-utf8/ssh.log.hex). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "report/jsonw.h"

static void expect_double(double v, const char *want)
{
	char buf[PH_JSONW_DOUBLE_MAX + 1];
	size_t n = ph_jsonw_double(buf, v);
	assert_true(n <= PH_JSONW_DOUBLE_MAX);
	buf[n] = '\0';
	assert_string_equal(buf, want);
}

static void test_integers(void **state)
{
	(void)state;
	char b[PH_JSONW_I64_MAX + 1];
	b[ph_jsonw_u64(b, 0)] = '\0';
	assert_string_equal(b, "0");
	b[ph_jsonw_u64(b, UINT64_MAX)] = '\0';
	assert_string_equal(b, "18446744073709551615");
	b[ph_jsonw_i64(b, INT64_MIN)] = '\0';
	assert_string_equal(b, "-9223372036854775808");
	b[ph_jsonw_i64(b, -7)] = '\0';
	assert_string_equal(b, "-7");
}

/* Zeek's ascii-double JSON baseline, line by line. */
static void test_double_zeek_baseline(void **state)
{
	(void)state;
	expect_double(2153226000.0, "2153226000.0");
	expect_double(2153226000.1, "2153226000.1");
	expect_double(2153226000.123456789, "2153226000.123457");
	expect_double(1.0, "1.0");
	expect_double(1.1, "1.1");
	expect_double(1.123456789, "1.123456789");
	expect_double(-1.123456789, "-1.123456789");
	expect_double(1.1234, "1.1234");
	expect_double(.1234, "0.1234");
	expect_double(5e4, "50000.0");
	expect_double(-5e4, "-50000.0");
	expect_double(3.14e15, "3140000000000000.0");
	expect_double(-3.14e15, "-3140000000000000.0");
	expect_double(1.79e308, "1.79e308");
	expect_double(-1.79e308, "-1.79e308");
	expect_double(1.23456789e-5, "0.0000123456789");
	expect_double(2.23e-308, "2.23e-308");
	expect_double(-2.23e-308, "-2.23e-308");
	expect_double(INFINITY, "null");
	expect_double(-INFINITY, "null");
	expect_double(-0.0, "-0.0");
	expect_double(NAN, "null");
}

/* Zeek computes duration as a difference of doubles (sec + usec / 1e6)
 * and prints all its digits: values from the conn.log in Zeek's manual. */
static void test_double_durations(void **state)
{
	(void)state;
	expect_double((1591367999.0 + 372840 / 1e6) - (1591367999.0 + 305988 / 1e6),
		      "0.06685185432434082");
	expect_double((1591367999.0 + 684281 / 1e6) - (1591367999.0 + 430166 / 1e6),
		      "0.25411510467529297");
	expect_double(1591367999.0 + 305988 / 1e6, "1591367999.305988");
	/* Grisu2 is not always shortest: RapidJSON (so Zeek) prints 7 digits */
	expect_double(1652062949.0 + 721120 / 1e6, "1652062949.7211201");
	expect_double(1e21, "1e21");
	expect_double(1e-7, "1e-7");
	expect_double(0.000001, "0.000001");
	expect_double(5e-324, "5e-324");
}

struct str_case {
	const char *in;
	size_t n;
	const char *want; /* JSON text including quotes */
};

#define S(lit) lit, sizeof(lit) - 1

static const struct str_case zeek_hex_cases[] = {
	{S("a"), "\"a\""},
	{S("\b\f\n\r\t\x00\x15"), "\"\\b\\f\\n\\r\\t\\\\x00\\\\x15\""},
	{S("\xc3\xb1"), "\"\xc3\xb1\""},
	{S("\xc3\x28"), "\"\\\\xc3(\""},
	{S("\xc0\x81"), "\"\\\\xc0\\\\x81\""},
	{S("\xc1\x81"), "\"\\\\xc1\\\\x81\""},
	{S("\xc2\xcf"), "\"\\\\xc2\\\\xcf\""},
	{S("\xa0\xa1"), "\"\\\\xa0\\\\xa1\""},
	{S("\xe2\x82\xa1"), "\"\xe2\x82\xa1\""},
	{S("\xe0\xa3\xa1"), "\"\xe0\xa3\xa1\""},
	{S("\xe0\x80\xa1"), "\"\\\\xe0\\\\x80\\\\xa1\""},
	{S("\xe2\x28\xa1"), "\"\\\\xe2(\\\\xa1\""},
	{S("\xed\xa0\xa1"), "\"\\\\xed\\\\xa0\\\\xa1\""},
	{S("\xe2\x82\x28"), "\"\\\\xe2\\\\x82(\""},
	{S("\xf0\x90\x8c\xbc"), "\"\xf0\x90\x8c\xbc\""},
	{S("\xf1\x80\x8c\xbc"), "\"\xf1\x80\x8c\xbc\""},
	{S("\xf4\x80\x8c\xbc"), "\"\xf4\x80\x8c\xbc\""},
	{S("\xf0\x80\x8c\xbc"), "\"\\\\xf0\\\\x80\\\\x8c\\\\xbc\""},
	{S("\xf2\x28\x8c\xbc"), "\"\\\\xf2(\\\\x8c\\\\xbc\""},
	{S("\xf4\x90\x8c\xbc"), "\"\\\\xf4\\\\x90\\\\x8c\\\\xbc\""},
	{S("\xf0\x90\x28\xbc"), "\"\\\\xf0\\\\x90(\\\\xbc\""},
	{S("\xf0\x28\x8c\x28"), "\"\\\\xf0(\\\\x8c(\""},
	{S("\xf4\x80\x8c"), "\"\\\\xf4\\\\x80\\\\x8c\""},
	{S("\xf0"), "\"\\\\xf0\""},
	{S("\\\\"), "\"\\\\\\\\\""},
	{S("\t\\t\t"), "\"\\t\\\\t\\t\""},
	{S("\v\\v\v"), "\"\\\\x0b\\\\v\\\\x0b\""},
	{S("\n\\n\n"), "\"\\n\\\\n\\n\""},
	{S("\\x"), "\"\\\\x\""},
	{S("\x00"), "\"\\\\x00\""},
	{S("\x80"), "\"\\\\x80\""},
	{S("\xff"), "\"\\\\xff\""},
	{S("\\\\x\\abc\\x.exe"), "\"\\\\\\\\x\\\\abc\\\\x.exe\""},
	{S("byte 9f vs literal backslash x9f: \xf9 vs \\xf9"),
	 "\"byte 9f vs literal backslash x9f: \\\\xf9 vs \\\\xf9\""},
	{S("a rocket \xf0\x9f\x9a\x80!"), "\"a rocket \xf0\x9f\x9a\x80!\""},
	/* one bad byte anywhere escapes every non-ASCII byte of the string */
	{S("a rocket \xf0\x9f\x9a\x80!\x00 NUL\x00"),
	 "\"a rocket \\\\xf0\\\\x9f\\\\x9a\\\\x80!\\\\x00 NUL\\\\x00\""},
	{S("half-a-rocket rocket \xf0\x9f and a rocket\xf0\x9f\x9a\x80!"),
	 "\"half-a-rocket rocket \\\\xf0\\\\x9f and a "
	 "rocket\\\\xf0\\\\x9f\\\\x9a\\\\x80!\""},
	{S("\a\b"), "\"\\\\x07\\b\""},
	{S("\\a=\a \\b=\b \\t=\t \\n=\n"),
	 "\"\\\\a=\\\\x07 \\\\b=\\b \\\\t=\\t \\\\n=\\n\""},
	{S("say \"hi\" \x7f"), "\"say \\\"hi\\\" \\\\x7f\""},
	{S(""), "\"\""},
};

static void test_zeek_hex_strings(void **state)
{
	(void)state;
	char out[256];
	for (size_t i = 0; i < sizeof zeek_hex_cases / sizeof zeek_hex_cases[0]; i++) {
		const struct str_case *c = &zeek_hex_cases[i];
		assert_true(PH_JSONW_STR_MAX(c->n) < sizeof out);
		size_t n = ph_jsonw_zeek_str(out, (const uint8_t *)c->in, c->n);
		assert_true(n <= PH_JSONW_STR_MAX(c->n));
		out[n] = '\0';
		if (strcmp(out, c->want) != 0)
			fail_msg("case %zu: got %s want %s", i, out, c->want);
	}
}

static void test_clean_rules(void **state)
{
	(void)state;
	const uint8_t nl[] = "a\nb";
	assert_true(ph_jsonw_zeek_clean(nl, 3, true));
	assert_false(ph_jsonw_zeek_clean(nl, 3, false));
	const uint8_t c1[] = "\xc2\x85";        /* U+0085, a C1 control */
	assert_false(ph_jsonw_zeek_clean(c1, 2, true));
	const uint8_t pua[] = "\xee\x80\x80";   /* U+E000, private use */
	assert_false(ph_jsonw_zeek_clean(pua, 3, true));
	const uint8_t fff0[] = "\xef\xbf\xb0";  /* U+FFF0 */
	assert_false(ph_jsonw_zeek_clean(fff0, 3, true));
	const uint8_t ok[] = "\xef\xbf\xaf";    /* U+FFEF */
	assert_true(ph_jsonw_zeek_clean(ok, 3, true));
	const uint8_t five[] = "\xf8\x88\x80\x80\x80";
	assert_false(ph_jsonw_zeek_clean(five, 5, true));
	assert_true(ph_jsonw_zeek_clean(NULL, 0, true));
}

/* ph_jsonw_time must print what ph_jsonw_double prints for the same time
 * double: every microsecond of a few seconds in each binade it handles
 * directly (1 M values each), a stride through others, and the edges. */
static void expect_time_same(uint64_t sec, uint32_t usec)
{
	char a[PH_JSONW_DOUBLE_MAX + 1], b[PH_JSONW_DOUBLE_MAX + 1];
	size_t na = ph_jsonw_time(a, sec, usec);
	size_t nb = ph_jsonw_double(b, (double)sec + (double)usec / 1e6);
	a[na] = '\0';
	b[nb] = '\0';
	if (strcmp(a, b) != 0)
		fail_msg("time %llu.%06u: %s, double path %s",
			 (unsigned long long)sec, usec, a, b);
}

static void test_time_matches_double(void **state)
{
	(void)state;
	static const uint64_t full[] = {1773478800u, 1073741824u, 4294967295u};
	static const uint64_t strided[] = {
		1048575u, 1048576u, 1234567u, 536870911u, 1000000000u,
		2147483647u, 2147483648u, 8589934591u, 8589934592u, 0u, 1u,
	};
	for (unsigned i = 0; i < sizeof full / sizeof full[0]; i++)
		for (uint32_t us = 0; us < 1000000u; us++)
			expect_time_same(full[i], us);
	for (unsigned i = 0; i < sizeof strided / sizeof strided[0]; i++)
		for (uint32_t us = 0; us < 1000000u; us += 7)
			expect_time_same(strided[i], us);
	char b[PH_JSONW_DOUBLE_MAX + 1];
	b[ph_jsonw_time(b, 1773478800u, 0)] = '\0';
	assert_string_equal(b, "1773478800.0");
	b[ph_jsonw_time(b, 1773478800u, 2000)] = '\0';
	assert_string_equal(b, "1773478800.002");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_double_zeek_baseline),
		cmocka_unit_test(test_double_durations),
		cmocka_unit_test(test_zeek_hex_strings),
		cmocka_unit_test(test_clean_rules),
		cmocka_unit_test(test_time_matches_double),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
