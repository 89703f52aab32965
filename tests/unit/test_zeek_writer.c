/* Tests for src/report/zeek_writer.c: exact JSON and TSV lines for every
 * field type, the TSV header/footer, Zeek's TSV escaping and number rules
 * (vectors from Zeek btest baselines: logging.ascii-double,
 * ascii-escape-notset-str, ascii-escape-set-separator,
 * ascii-utf8-enabled-control-characters, ascii-escape-odd-url), buffering
 * past 256 KiB, the atomic rename, mkdir -p, and I/O errors. */
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "report/zeek_writer.h"

/* ---- helpers ---- */

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	return remove(p);
}

static int setup_dir(void **state)
{
	char *d = strdup("/tmp/ph_zeekw_XXXXXX");
	if (!d || !mkdtemp(d))
		return -1;
	*state = d;
	return 0;
}

static int teardown_dir(void **state)
{
	nftw(*state, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(*state);
	return 0;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(f);
	fclose(m);
	return buf;
}

static char *path_in(const char *dir, const char *name)
{
	char *p = NULL;
	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

static bool exists(const char *dir, const char *name)
{
	char *p = path_in(dir, name);
	bool r = access(p, F_OK) == 0;
	free(p);
	return r;
}

static char *read_log(const char *dir, const char *name)
{
	char *p = path_in(dir, name);
	char *s = slurp(p);
	free(p);
	assert_non_null(s);
	return s;
}

#define NS(sec, usec) ((uint64_t)(sec) * 1000000000u + (uint64_t)(usec) * 1000u)

/* ---- a schema with every type ---- */

static const struct ph_zeek_field all_fields[] = {
	{"ts", PH_ZT_TIME, 0},         {"s", PH_ZT_STRING, 0},
	{"e", PH_ZT_ENUM, 0},          {"id.c", PH_ZT_COUNT, 0},
	{"i", PH_ZT_INT, 0},           {"p", PH_ZT_PORT, 0},
	{"b", PH_ZT_BOOL, 0},          {"d", PH_ZT_DOUBLE, 0},
	{"dur", PH_ZT_INTERVAL, 0},    {"a4", PH_ZT_ADDR, 0},
	{"a6", PH_ZT_ADDR, 0},         {"ss", PH_ZT_SET, PH_ZT_STRING},
	{"vc", PH_ZT_VECTOR, PH_ZT_COUNT}, {"es", PH_ZT_SET, PH_ZT_STRING},
	{"u", PH_ZT_STRING, 0},
};
#define NALL (sizeof all_fields / sizeof all_fields[0])

static void write_all_types(struct ph_zeek_writer *w)
{
	static const uint8_t a4[4] = {192, 168, 4, 76};
	static const uint8_t a6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				       0, 0, 0, 0, 0, 0, 0, 1};
	ph_zeek_rec_begin(w);
	ph_zeek_time(w, NS(1591367999, 305988));
	ph_zeek_str(w, "a\"b", 3);
	ph_zeek_str(w, "tcp", 3);
	ph_zeek_count(w, 18446744073709551615u);
	ph_zeek_int(w, -42);
	ph_zeek_count(w, 443);
	ph_zeek_bool(w, true);
	ph_zeek_double(w, 0.5);
	ph_zeek_interval(w, 0.06685185432434082);
	ph_zeek_addr(w, a4, 4);
	ph_zeek_addr(w, a6, 6);
	ph_zeek_list_begin(w);
	ph_zeek_str(w, "x", 1);
	ph_zeek_str(w, "y,z", 3);
	ph_zeek_list_end(w);
	ph_zeek_list_begin(w);
	ph_zeek_count(w, 1);
	ph_zeek_count(w, 2);
	ph_zeek_list_end(w);
	ph_zeek_list_begin(w);
	ph_zeek_list_end(w);
	ph_zeek_unset(w);
}

static void test_json_all_types(void **state)
{
	struct ph_err err = {0};
	struct ph_zeek_writer *w = ph_zeek_writer_open(*state, "t", PH_ZEEK_JSON,
						       all_fields, NALL, 0, &err);
	assert_non_null(w);
	write_all_types(w);
	assert_int_equal(ph_zeek_rec_end(w, &err), 0);
	assert_int_equal(ph_zeek_writer_records(w), 1);
	assert_int_equal(ph_zeek_writer_close(w, 0, &err), 0);
	char *s = read_log(*state, "t.log");
	assert_string_equal(s,
		"{\"ts\":1591367999.305988,\"s\":\"a\\\"b\",\"e\":\"tcp\","
		"\"id.c\":18446744073709551615,\"i\":-42,\"p\":443,\"b\":true,"
		"\"d\":0.5,\"dur\":0.06685185432434082,\"a4\":\"192.168.4.76\","
		"\"a6\":\"2001:db8::1\",\"ss\":[\"x\",\"y,z\"],\"vc\":[1,2],"
		"\"es\":[]}\n");
	free(s);
}

static void test_tsv_all_types(void **state)
{
	struct ph_err err = {0};
	struct ph_zeek_writer *w = ph_zeek_writer_open(
		*state, "t", PH_ZEEK_TSV, all_fields, NALL, NS(1591367999, 1), &err);
	assert_non_null(w);
	write_all_types(w);
	assert_int_equal(ph_zeek_rec_end(w, &err), 0);
	assert_int_equal(ph_zeek_writer_close(w, NS(1591368100, 0), &err), 0);
	char *s = read_log(*state, "t.log");
	assert_string_equal(s,
		"#separator \\x09\n"
		"#set_separator\t,\n"
		"#empty_field\t(empty)\n"
		"#unset_field\t-\n"
		"#path\tt\n"
		"#open\t2020-06-05-14-39-59\n"
		"#fields\tts\ts\te\tid.c\ti\tp\tb\td\tdur\ta4\ta6\tss\tvc\tes\tu\n"
		"#types\ttime\tstring\tenum\tcount\tint\tport\tbool\tdouble\t"
		"interval\taddr\taddr\tset[string]\tvector[count]\tset[string]\t"
		"string\n"
		"1591367999.305988\ta\"b\ttcp\t18446744073709551615\t-42\t443\tT\t"
		"0.5\t0.066852\t192.168.4.76\t2001:db8::1\tx,y\\x2cz\t1,2\t"
		"(empty)\t-\n"
		"#close\t2020-06-05-14-41-40\n");
	free(s);
}

/* ---- TSV strings, one per line ---- */

static const struct ph_zeek_field one_str[] = {{"s", PH_ZT_STRING, 0}};
static const struct ph_zeek_field two_str[] = {{"n", PH_ZT_COUNT, 0},
					       {"s", PH_ZT_STRING, 0}};

struct tsv_case {
	const char *in;
	size_t n;
	const char *want;
};

#define S(lit) lit, sizeof(lit) - 1

static const struct tsv_case tsv_cases[] = {
	{S(""), "(empty)"},
	{S("-"), "\\x2d"},
	{S("(empty)"), "\\x28empty)"},
	{S("--"), "--"},
	{S("foo \n\t\0 bar"), "foo \\x0a\\x09\\x00 bar"},
	{S("a\\b"), "a\\\\b"},
	{S("\xc3\xb1 ok"), "\xc3\xb1 ok"},
	{S("\xc3\xb1\n"), "\\xc3\\xb1\\x0a"},
	/* runs are judged separately between escape characters */
	{S("\xc3\xb1\t\n"), "\xc3\xb1\\x09\\x0a"},
	{S("uurimisr\xfchma seminarid"), "uurimisr\\xfchma seminarid"},
	{S("a,b"), "a,b"},
	{S("#x"), "\\x23x"}, /* a line may not start with '#' */
	{S("\x7f"), "\\x7f"},
};

static void test_tsv_string_escaping(void **state)
{
	struct ph_err err = {0};
	size_t nc = sizeof tsv_cases / sizeof tsv_cases[0];
	struct ph_zeek_writer *w =
		ph_zeek_writer_open(*state, "s", PH_ZEEK_TSV, one_str, 1, 0, &err);
	assert_non_null(w);
	for (size_t i = 0; i < nc; i++) {
		ph_zeek_rec_begin(w);
		ph_zeek_str(w, tsv_cases[i].in, tsv_cases[i].n);
		assert_int_equal(ph_zeek_rec_end(w, &err), 0);
	}
	assert_int_equal(ph_zeek_writer_close(w, 0, &err), 0);
	char *s = read_log(*state, "s.log");
	char *line = strstr(s, "#types\tstring\n");
	assert_non_null(line);
	line += strlen("#types\tstring\n");
	for (size_t i = 0; i < nc; i++) {
		char *nl = strchr(line, '\n');
		assert_non_null(nl);
		*nl = '\0';
		if (strcmp(line, tsv_cases[i].want) != 0)
			fail_msg("case %zu: got '%s' want '%s'", i, line, tsv_cases[i].want);
		line = nl + 1;
	}
	assert_string_equal(line, "#close\t1970-01-01-00-00-00\n");
	free(s);
}

/* '#' is escaped only at the start of a line; sets escape ','. */
static void test_tsv_hash_and_sets(void **state)
{
	struct ph_err err = {0};
	static const struct ph_zeek_field f[] = {{"n", PH_ZT_COUNT, 0},
						 {"s", PH_ZT_STRING, 0},
						 {"ss", PH_ZT_SET, PH_ZT_STRING}};
	struct ph_zeek_writer *w =
		ph_zeek_writer_open(*state, "h", PH_ZEEK_TSV, f, 3, 0, &err);
	assert_non_null(w);
	ph_zeek_rec_begin(w);
	ph_zeek_count(w, 1);
	ph_zeek_str(w, "#x", 2);
	ph_zeek_list_begin(w);
	static const char *const el[] = {"AA", ",", ",,", "CC", "-", ""};
	for (int i = 0; i < 6; i++)
		ph_zeek_str(w, el[i], strlen(el[i]));
	ph_zeek_list_end(w);
	assert_int_equal(ph_zeek_rec_end(w, &err), 0);
	assert_int_equal(ph_zeek_writer_close(w, 0, &err), 0);
	char *s = read_log(*state, "h.log");
	assert_non_null(strstr(s, "\n1\t#x\tAA,\\x2c,\\x2c\\x2c,CC,\\x2d,(empty)\n"));
	free(s);
}

/* ---- numbers ---- */

static void test_tsv_numbers(void **state)
{
	struct ph_err err = {0};
	static const struct ph_zeek_field f[] = {{"d", PH_ZT_DOUBLE, 0}};
	/* Zeek's ascii-double TSV baseline */
	static const struct {
		double v;
		const char *want;
	} dc[] = {
		{2153226000.0, "2153226000.0"}, {2153226000.1, "2153226000.1"},
		{2153226000.123456789, "2153226000.123457"}, {1.0, "1.0"},
		{1.1, "1.1"}, {1.123456789, "1.123457"}, {-1.123456789, "-1.123457"},
		{1.1234, "1.1234"}, {.1234, "0.1234"}, {5e4, "50000.0"},
		{-5e4, "-50000.0"}, {3.14e15, "3140000000000000.0"},
		{-3.14e15, "-3140000000000000.0"}, {1.23456789e-5, "0.000012"},
		{2.23e-308, "0.0"}, {-2.23e-308, "-0.0"}, {INFINITY, "inf"},
		{-INFINITY, "-inf"}, {-0.0, "0.0"}, {NAN, "nan"},
		{1.79e308, "1789999999999999963768995229726260470776376378192402199540"
			   "2759317737096166765929102732906163840610893143733352942093"
			   "5752785895444161234074984843178962619172326295244262722141"
			   "7663826222992236264384700881502189879979547478661981846866"
			   "2801396611976926115098855495297046201853378792672517656002"
			   "1258785656871583744.0"},
	};
	size_t nc = sizeof dc / sizeof dc[0];
	struct ph_zeek_writer *w =
		ph_zeek_writer_open(*state, "d", PH_ZEEK_TSV, f, 1, 0, &err);
	assert_non_null(w);
	for (size_t i = 0; i < nc; i++) {
		ph_zeek_rec_begin(w);
		ph_zeek_double(w, dc[i].v);
		assert_int_equal(ph_zeek_rec_end(w, &err), 0);
	}
	assert_int_equal(ph_zeek_writer_close(w, 0, &err), 0);
	char *s = read_log(*state, "d.log");
	char *line = strstr(s, "#types\tdouble\n") + strlen("#types\tdouble\n");
	for (size_t i = 0; i < nc; i++) {
		char *nl = strchr(line, '\n');
		*nl = '\0';
		if (strcmp(line, dc[i].want) != 0)
			fail_msg("case %zu: got '%s' want '%s'", i, line, dc[i].want);
		line = nl + 1;
	}
	free(s);
}

/* interval and time: "%.6f" in TSV (fast path and fallback agree with
 * snprintf), shortest digits in JSON. */
static void test_time_interval(void **state)
{
	struct ph_err err = {0};
	static const struct ph_zeek_field f[] = {{"t", PH_ZT_TIME, 0},
						 {"i", PH_ZT_INTERVAL, 0}};
	static const double iv[] = {0.0, 2.5, 1e-7, 5e-7, 0.0000015, -1.5,
				    1e7 + 0.25, 0.06685185432434082, 86399.9999995};
	for (int fmt = PH_ZEEK_JSON; fmt <= PH_ZEEK_TSV; fmt++) {
		struct ph_zeek_writer *w =
			ph_zeek_writer_open(*state, "ti", fmt, f, 2, 0, &err);
		assert_non_null(w);
		for (size_t i = 0; i < sizeof iv / sizeof iv[0]; i++) {
			ph_zeek_rec_begin(w);
			ph_zeek_time(w, NS(1652062949, 721120) + 999);
			ph_zeek_interval(w, iv[i]);
			assert_int_equal(ph_zeek_rec_end(w, &err), 0);
		}
		assert_int_equal(ph_zeek_writer_close(w, 0, &err), 0);
		char *s = read_log(*state, "ti.log");
		char *line = fmt == PH_ZEEK_TSV ? strstr(s, "interval\n") + 9 : s;
		for (size_t i = 0; i < sizeof iv / sizeof iv[0]; i++) {
			char want[512];
			if (fmt == PH_ZEEK_TSV)
				snprintf(want, sizeof want, "1652062949.721120\t%.6f", iv[i]);
			else
				snprintf(want, sizeof want, "{\"t\":1652062949.7211201,\"i\":");
			char *nl = strchr(line, '\n');
			*nl = '\0';
			if (strncmp(line, want, strlen(want)) != 0)
				fail_msg("fmt %d case %zu: got '%s' want '%s'", fmt, i, line, want);
			line = nl + 1;
		}
		free(s);
	}
}

/* ---- files ---- */

static void test_atomic_rename_and_mkdir(void **state)
{
	struct ph_err err = {0};
	char *dir = path_in(*state, "a/b/c");
	struct ph_zeek_writer *w =
		ph_zeek_writer_open(dir, "conn", PH_ZEEK_JSON, one_str, 1, 0, &err);
	assert_non_null(w);
	ph_zeek_rec_begin(w);
	ph_zeek_str(w, "x", 1);
	assert_int_equal(ph_zeek_rec_end(w, &err), 0);
	assert_true(exists(dir, ".conn.log.tmp"));
	assert_false(exists(dir, "conn.log"));
	assert_int_equal(ph_zeek_writer_close(w, 0, &err), 0);
	assert_false(exists(dir, ".conn.log.tmp"));
	char *s = read_log(dir, "conn.log");
	assert_string_equal(s, "{\"s\":\"x\"}\n");
	free(s);
	/* reopening an existing directory is fine; discard leaves nothing */
	w = ph_zeek_writer_open(dir, "dns", PH_ZEEK_TSV, one_str, 1, 0, &err);
	assert_non_null(w);
	ph_zeek_writer_discard(w);
	assert_false(exists(dir, ".dns.log.tmp"));
	assert_false(exists(dir, "dns.log"));
	free(dir);
}

/* Enough records to flush the 256 KiB buffer several times, and one value
 * larger than the buffer. */
static void test_large_output(void **state)
{
	struct ph_err err = {0};
	struct ph_zeek_writer *w =
		ph_zeek_writer_open(*state, "big", PH_ZEEK_TSV, two_str, 2, 0, &err);
	assert_non_null(w);
	for (uint64_t i = 0; i < 50000; i++) {
		ph_zeek_rec_begin(w);
		ph_zeek_count(w, i);
		ph_zeek_str(w, "0123456789", 10);
		assert_int_equal(ph_zeek_rec_end(w, &err), 0);
	}
	size_t big = 600 * 1024;
	char *v = malloc(big);
	memset(v, 'q', big);
	ph_zeek_rec_begin(w);
	ph_zeek_count(w, 50000);
	ph_zeek_str(w, v, big);
	assert_int_equal(ph_zeek_rec_end(w, &err), 0);
	assert_int_equal(ph_zeek_writer_close(w, 0, &err), 0);
	char *s = read_log(*state, "big.log");
	assert_non_null(strstr(s, "\n0\t0123456789\n1\t0123456789\n"));
	assert_non_null(strstr(s, "\n49999\t0123456789\n50000\tqqqq"));
	size_t lines = 0;
	for (char *p = s; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 8 + 50001 + 1);
	free(v);
	free(s);
}

static void test_error_dir_is_file(void **state)
{
	struct ph_err err = {0};
	char *file = path_in(*state, "plain");
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	char *dir = path_in(file, "sub");
	struct ph_zeek_writer *w =
		ph_zeek_writer_open(dir, "conn", PH_ZEEK_JSON, one_str, 1, 0, &err);
	assert_null(w);
	assert_int_equal(err.code, PH_EIO);
	assert_non_null(strstr(err.msg, file));
	free(dir);
	free(file);
}

/* A full disk: the temporary file is a symlink to /dev/full. */
static void test_error_disk_full(void **state)
{
	if (access("/dev/full", W_OK) != 0)
		skip();
	struct ph_err err = {0};
	char *tmp = path_in(*state, ".conn.log.tmp");
	assert_int_equal(symlink("/dev/full", tmp), 0);
	struct ph_zeek_writer *w =
		ph_zeek_writer_open(*state, "conn", PH_ZEEK_TSV, one_str, 1, 0, &err);
	assert_non_null(w);
	int rc = 0;
	for (int i = 0; i < 40000 && rc == 0; i++) {
		ph_zeek_rec_begin(w);
		ph_zeek_str(w, "payload payload", 15);
		rc = ph_zeek_rec_end(w, &err);
	}
	assert_int_equal(rc, PH_EIO); /* sticky once the buffer was flushed */
	memset(&err, 0, sizeof err);
	assert_int_equal(ph_zeek_writer_close(w, 0, &err), PH_EIO);
	assert_non_null(strstr(err.msg, tmp));
	assert_non_null(strstr(err.msg, strerror(ENOSPC)));
	assert_false(exists(*state, "conn.log"));
	assert_false(exists(*state, ".conn.log.tmp"));
	free(tmp);
}

static void test_bad_arguments(void **state)
{
	struct ph_err err = {0};
	static const struct ph_zeek_field bad_name[] = {{"a b", PH_ZT_COUNT, 0}};
	static const struct ph_zeek_field bad_elem[] = {
		{"l", PH_ZT_SET, PH_ZT_VECTOR}};
	assert_null(ph_zeek_writer_open(*state, "a/b", PH_ZEEK_JSON, one_str, 1, 0, &err));
	assert_int_equal(err.code, PH_EINVAL);
	assert_null(ph_zeek_writer_open(*state, "x", PH_ZEEK_JSON, one_str, 0, 0, &err));
	assert_null(ph_zeek_writer_open(*state, "x", PH_ZEEK_JSON, bad_name, 1, 0, &err));
	assert_null(ph_zeek_writer_open(*state, "x", PH_ZEEK_JSON, bad_elem, 1, 0, &err));
	assert_null(ph_zeek_writer_open(*state, "x", (enum ph_zeek_fmt)7, one_str, 1, 0, &err));
	assert_false(exists(*state, ".x.log.tmp"));
	assert_int_equal(ph_zeek_writer_close(NULL, 0, &err), 0);
}

static void test_time_of_ns(void **state)
{
	(void)state;
	/* nanoseconds are truncated to microseconds, like libpcap does */
	assert_true(ph_zeek_time_of_ns(NS(10, 5) + 999) == 10.000005);
	assert_true(ph_zeek_time_of_ns(0) == 0.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_json_all_types, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_tsv_all_types, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_tsv_string_escaping, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_tsv_hash_and_sets, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_tsv_numbers, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_time_interval, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_atomic_rename_and_mkdir, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_large_output, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_error_dir_is_file, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_error_disk_full, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup_dir, teardown_dir),
		cmocka_unit_test(test_time_of_ns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
