/* Tests for src/report/jsonw.c: integers, doubles as Zeek's JSON writer
 * prints them (vectors from Zeek's btest baseline
 * scripts.base.frameworks.logging.ascii-double/json.log and from the
 * conn.log in Zeek's manual), and Zeek's hex string escaping (vectors from
 * the baseline scripts.base.frameworks.logging.ascii-json-utf8/ssh.log.hex). */
#include <arpa/inet.h>
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

/* ph_jsonw_ip6 against glibc's inet_ntop: fixed cases, then addresses
 * whose groups are each zero, 0xffff or random (xorshift), so zero runs
 * of every length and position come up. */
static void expect_ip6_same(const uint8_t a[16])
{
	char want[INET6_ADDRSTRLEN], got[PH_JSONW_IP6_MAX + 1];
	assert_non_null(inet_ntop(AF_INET6, a, want, sizeof want));
	got[ph_jsonw_ip6(got, a)] = '\0';
	assert_string_equal(got, want);
}

static void test_ip6_matches_inet_ntop(void **state)
{
	(void)state;
	static const uint8_t fixed[][16] = {
		{0}, {[15] = 1}, {[10] = 0xff, [11] = 0xff, 192, 168, 1, 1},
		{[12] = 10, 0, 0, 1}, {[9] = 1, [12] = 10, 0, 0, 1},
		{0xfe, 0x80, [8] = 0x7c, 0xc4, 0x43, 0xd4, 0x8d, 0xcd, 0x0a, 0x89},
		{0xff, 0x02, [15] = 2}, {0x20, 0x01, 0x0d, 0xb8, [14] = 0, 1},
	};
	for (unsigned i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		expect_ip6_same(fixed[i]);
	uint64_t x = 88172645463325252ull;
	for (unsigned n = 0; n < 200000; n++) {
		uint8_t a[16];
		for (int g = 0; g < 8; g++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			unsigned kind = (unsigned)(x >> 60) & 3;
			uint16_t v = kind < 2 ? 0 : kind == 2 ? 0xffff
							 : (uint16_t)(x >> (8 * (g & 3)));
			a[2 * g] = (uint8_t)(v >> 8);
			a[2 * g + 1] = (uint8_t)v;
		}
		expect_ip6_same(a);
	}
}

/* ph_jsonw_zeek_str (whose plain-ASCII prefix is copied 8 bytes at a
 * time) against the escaping rules applied byte by byte, on strings of
 * boundary bytes at every offset and length. */
static size_t ref_zeek_str(char *out, const uint8_t *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	bool clean = ph_jsonw_zeek_clean(s, n, true);
	char *p = out;
	*p++ = '"';
	for (size_t i = 0; i < n; i++) {
		uint8_t c = s[i];
		const char *e = c == '"' ? "\\\"" : c == '\\' ? "\\\\"
			      : c == '\b' ? "\\b" : c == '\f' ? "\\f"
			      : c == '\n' ? "\\n" : c == '\r' ? "\\r"
			      : c == '\t' ? "\\t" : NULL;
		if (e) {
			memcpy(p, e, 2);
			p += 2;
		} else if ((c >= 0x20 && c < 0x7F) || (clean && c >= 0x80)) {
			*p++ = (char)c;
		} else {
			memcpy(p, "\\\\x", 3);
			p[3] = hex[c >> 4];
			p[4] = hex[c & 15];
			p += 5;
		}
	}
	*p++ = '"';
	return (size_t)(p - out);
}

static void test_str_fast_prefix(void **state)
{
	(void)state;
	static const uint8_t pick[] = {'a', 'Z', ' ', '~', 0x1f, 0x20, 0x21,
				       '"', '\\', 0x7f, 0x80, 0xc3, 0xa9,
				       0xff, '\n', 0, '#', '.'};
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (unsigned round = 0; round < 20000; round++) {
		uint8_t s[40];
		char a[PH_JSONW_STR_MAX(40)], b[PH_JSONW_STR_MAX(40)];
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		size_t n = x % 41;
		unsigned bad = (unsigned)(x >> 8) % 44; /* position, may be >= n */
		for (size_t i = 0; i < n; i++)
			s[i] = (uint8_t)('a' + (i * 7 + round) % 26);
		if (bad < n)
			s[bad] = pick[(x >> 20) % sizeof pick];
		size_t na = ph_jsonw_zeek_str(a, s, n);
		size_t nb = ref_zeek_str(b, s, n);
		assert_int_equal(na, nb);
		assert_memory_equal(a, b, na);
	}
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
		cmocka_unit_test(test_ip6_matches_inet_ntop),
		cmocka_unit_test(test_str_fast_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
