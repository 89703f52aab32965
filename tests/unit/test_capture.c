/* Tests for src/capture/capture.c: format detection by magic, error
 * records (code, message, file), sticky failures, link-type mapping, the
 * PCAPdroid UID->app table (ordering, updates, name cleaning, cap) and the
 * accessors. Backends have their own test files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "capture/capture.h"
#include "capture/capture_internal.h"

static void test_bad_magic(void **state)
{
	(void)state;
	const char text[] = "GET / HTTP/1.1\r\n\r\n";
	struct ph_capture *c = NULL;
	struct ph_err err = {0};
	assert_int_equal(ph_capture_open_mem(&c, text, sizeof text - 1,
					     "notes.txt", &err), PH_EFORMAT);
	assert_null(c);
	assert_int_equal(err.code, PH_EFORMAT);
	assert_string_equal(err.msg,
			    "not a pcap or pcapng file (magic 0x47455420)");
	assert_string_equal(err.file, "notes.txt");
	assert_int_equal(err.offset, 0);
}

static void test_too_short(void **state)
{
	(void)state;
	struct ph_capture *c = NULL;
	struct ph_err err = {0};
	assert_int_equal(ph_capture_open_mem(&c, "\xd4\xc3\xb2", 3, NULL, &err),
			 PH_ETRUNC);
	assert_string_equal(err.file, "<memory>");
	assert_int_equal(ph_capture_open_mem(&c, NULL, 0, "e", &err), PH_ETRUNC);
	assert_int_equal(ph_capture_open_mem(&c, NULL, 5, "e", &err), PH_EINVAL);
	assert_int_equal(ph_capture_open(&c, NULL, &err), PH_EINVAL);
}

static void test_linktype_map(void **state)
{
	(void)state;
	assert_int_equal(ph_capture_linktype(1), 1);
	assert_int_equal(ph_capture_linktype(12), PH_LINK_RAW);
	assert_int_equal(ph_capture_linktype(14), PH_LINK_RAW);
	assert_int_equal(ph_capture_linktype(101), PH_LINK_RAW);
	assert_int_equal(ph_capture_linktype(0xF4000071u), PH_LINK_LINUX_SLL);
	assert_int_equal(ph_capture_linktype(0x0001FFFFu), 0xFFFF);
}

static void test_formats_and_sticky(void **state)
{
	(void)state;
	/* pcap header (BE) + a record header promising more than exists. */
	uint8_t f[24 + 16] = {0xa1, 0xb2, 0xc3, 0xd4, 0, 2, 0, 4};
	f[22] = 0;
	f[23] = 1;
	f[24 + 11] = 50; /* incl_len 50 */
	struct ph_capture *c;
	struct ph_err err = {0};
	struct ph_frame fr;
	assert_int_equal(ph_capture_open_mem(&c, f, sizeof f, "x", &err), 0);
	assert_string_equal(ph_capture_format(c), "pcap");
	assert_int_equal(ph_capture_size(c), sizeof f);
	assert_int_equal(ph_capture_next(c, &fr, &err), PH_ETRUNC);
	assert_int_equal(ph_capture_next(c, &fr, NULL), PH_ETRUNC);
	struct ph_err again = {0};
	assert_int_equal(ph_capture_next(c, &fr, &again), PH_ETRUNC);
	assert_string_equal(again.msg, err.msg);
	assert_int_equal(again.packet, 1);
	ph_capture_close(c);
	ph_capture_close(NULL);
}

static struct ph_capture *empty_pcapng(void)
{
	static const uint8_t shb[28] = {
		0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a,
		1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		28, 0, 0, 0};
	struct ph_capture *c;
	struct ph_err err = {0};
	assert_int_equal(ph_capture_open_mem(&c, shb, sizeof shb, "e", &err),
			 0);
	assert_string_equal(ph_capture_format(c), "pcapng");
	return c;
}

static void add(struct ph_capture *c, int32_t uid, const char *p,
		const char *l)
{
	assert_int_equal(ph_capture_app_add(c, uid, (const uint8_t *)p,
					    strlen(p), (const uint8_t *)l,
					    strlen(l)), 0);
}

static void test_app_table(void **state)
{
	(void)state;
	struct ph_capture *c = empty_pcapng();
	assert_null(ph_capture_app_for_uid(c, 0));
	assert_null(ph_capture_app_for_uid(NULL, 0));
	add(c, 10200, "b.app", "B");
	add(c, -5, "neg", "Neg");
	add(c, 10100, "a.app", "A");
	add(c, 10200, "b2.app", "B2");
	assert_string_equal(ph_capture_app_for_uid(c, 10100), "a.app");
	assert_string_equal(ph_capture_app_for_uid(c, 10200), "b2.app");
	assert_string_equal(ph_capture_app_label_for_uid(c, 10200), "B2");
	assert_string_equal(ph_capture_app_for_uid(c, -5), "neg");
	assert_null(ph_capture_app_for_uid(c, 10150));
	/* NUL ends a name; control bytes become '?'. */
	const uint8_t raw[] = {'x', '\n', 'y', 0, 'z'};
	assert_int_equal(ph_capture_app_add(c, 7, raw, sizeof raw, raw, 2), 0);
	assert_string_equal(ph_capture_app_for_uid(c, 7), "x?y");
	assert_string_equal(ph_capture_app_label_for_uid(c, 7), "x?");
	ph_capture_close(c);
}

static void test_app_table_cap(void **state)
{
	(void)state;
	struct ph_capture *c = empty_pcapng();
	char name[32];
	for (int i = 0; i < PH_CAPTURE_MAX_APPS + 10; i++) {
		snprintf(name, sizeof name, "app%d", i);
		add(c, PH_CAPTURE_MAX_APPS + 10 - i, name, name);
	}
	assert_int_equal(ph_capture_stats(c)->apps_dropped, 10);
	/* Updates of known UIDs still land when full. */
	add(c, PH_CAPTURE_MAX_APPS + 10, "again", "again");
	assert_string_equal(ph_capture_app_for_uid(c, PH_CAPTURE_MAX_APPS + 10),
			    "again");
	assert_null(ph_capture_app_for_uid(c, 5));
	assert_string_equal(ph_capture_app_for_uid(c, 11), "app4095");
	ph_capture_close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_too_short),
		cmocka_unit_test(test_linktype_map),
		cmocka_unit_test(test_formats_and_sticky),
		cmocka_unit_test(test_app_table),
		cmocka_unit_test(test_app_table_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
