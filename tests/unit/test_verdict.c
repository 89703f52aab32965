/* Tests for src/detect/verdict.c: each verdict level, which finding the
 * reason names, and every "not checked" note (file not read to its end,
 * no indicators, encrypted connections, dropped findings, no packets, a
 * device filter matching nothing, note overflow). Incomplete input must
 * never read as a clean bill of health. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>

#include "peephole/check.h"

struct fx {
	struct ph_findings *f;
	struct ph_intel *in;
	struct ph_check_file file;
	struct ph_device dev;
	struct ph_check c;
};

/* An indicator store with one feed of two domains. */
static struct ph_intel *intel_one_feed(void)
{
	struct ph_intel *in = ph_intel_new();
	struct ph_intel_source_info info = {
		.name = "test-feed", .date = "2024-05-01",
		.format = PH_FEED_PLAIN};
	int src = ph_intel_source_add(in, &info, NULL);
	assert_true(src >= 0);
	struct ph_ioc_entry e = {.type = PH_IOC_DOMAIN, .value = "evil.example",
				 .len = 12};
	assert_true(ph_intel_add(in, (unsigned)src, &e) >= 0);
	e.value = "bad.example", e.len = 11;
	assert_true(ph_intel_add(in, (unsigned)src, &e) >= 0);
	return in;
}

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof *x);
	x->f = ph_findings_new(100);
	x->in = intel_one_feed();
	snprintf(x->file.path, sizeof x->file.path, "/tmp/phone.pcapng");
	snprintf(x->file.format, sizeof x->file.format, "pcapng");
	x->file.packets = 10, x->file.complete = true;
	snprintf(x->dev.ip, sizeof x->dev.ip, "192.168.1.23");
	x->dev.flows = 3;
	x->c.files = &x->file, x->c.nfiles = 1;
	x->c.packets = 10, x->c.flows = 3;
	x->c.first_ns = 1700000000000000000ull;
	x->c.last_ns = x->c.first_ns + 60000000000ull;
	x->c.devices = &x->dev, x->c.ndevices = 1;
	x->c.intel = x->in;
	x->c.findings = x->f;
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;
	ph_findings_free(x->f);
	ph_intel_free(x->in);
	free(x);
	return 0;
}

static void add(struct fx *x, const char *title, enum ph_severity s,
		enum ph_confidence c, uint64_t t)
{
	struct ph_finding f;
	memset(&f, 0, sizeof f);
	snprintf(f.id, sizeof f.id, "t.%s", title);
	snprintf(f.title, sizeof f.title, "%s", title);
	snprintf(f.device, sizeof f.device, "192.168.1.23");
	snprintf(f.remote, sizeof f.remote, "203.0.113.5");
	snprintf(f.name, sizeof f.name, "%s.example", title);
	f.severity = s, f.confidence = c;
	f.first_ns = f.last_ns = t;
	assert_int_equal(ph_findings_add(x->f, &f), 0);
}

static bool has_note(const struct ph_check *c, const char *needle)
{
	for (unsigned i = 0; i < c->nnot_checked; i++)
		if (strstr(c->not_checked[i], needle))
			return true;
	return false;
}

/* Nothing in the verdict may say "clean". */
static void assert_never_clean(const struct ph_check *c)
{
	assert_null(strcasestr(c->reason, "clean"));
	assert_null(strcasestr(ph_verdict_name(c->verdict), "clean"));
	for (unsigned i = 0; i < c->nnot_checked; i++)
		assert_null(strcasestr(c->not_checked[i], "clean"));
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(ph_verdict_name(PH_VERDICT_NO_SIGN),
			    "NO SIGN OF COMPROMISE FOUND");
	assert_string_equal(ph_verdict_name(PH_VERDICT_SUSPICIOUS), "SUSPICIOUS");
	assert_string_equal(ph_verdict_name(PH_VERDICT_COMPROMISED),
			    "LIKELY COMPROMISED");
}

static void test_no_sign_complete(void **state)
{
	struct fx *x = *state;
	add(x, "lowthing", PH_SEV_LOW, PH_CONF_HIGH, 5);
	ph_check_decide(&x->c);
	assert_int_equal(x->c.verdict, PH_VERDICT_NO_SIGN);
	assert_int_equal(x->c.nnot_checked, 0);
	assert_string_equal(x->c.reason, "No finding of medium or higher "
			    "severity in 10 packets from 1 device.");
	assert_never_clean(&x->c);
}

static void test_compromised(void **state)
{
	struct fx *x = *state;
	add(x, "weak", PH_SEV_MEDIUM, PH_CONF_LOW, 1);
	add(x, "loud", PH_SEV_CRITICAL, PH_CONF_LOW, 2);
	add(x, "pegasus", PH_SEV_HIGH, PH_CONF_HIGH, 3);
	ph_check_decide(&x->c);
	assert_int_equal(x->c.verdict, PH_VERDICT_COMPROMISED);
	/* The reason names the finding that made the verdict. */
	assert_non_null(strstr(x->c.reason, "pegasus: pegasus.example "
					    "(203.0.113.5)"));
	assert_non_null(strstr(x->c.reason, "rated high severity with high confidence"));
	assert_non_null(strstr(x->c.reason, "3 findings in all."));
}

static void test_suspicious_high_low_conf(void **state)
{
	struct fx *x = *state;
	add(x, "maybe", PH_SEV_CRITICAL, PH_CONF_MEDIUM, 1);
	ph_check_decide(&x->c);
	assert_int_equal(x->c.verdict, PH_VERDICT_SUSPICIOUS);
	assert_non_null(strstr(x->c.reason, "maybe"));
	assert_non_null(strstr(x->c.reason, "1 finding in all."));
}

static void test_suspicious_medium(void **state)
{
	struct fx *x = *state;
	add(x, "info", PH_SEV_INFO, PH_CONF_HIGH, 1);
	add(x, "mid", PH_SEV_MEDIUM, PH_CONF_LOW, 2);
	ph_check_decide(&x->c);
	assert_int_equal(x->c.verdict, PH_VERDICT_SUSPICIOUS);
	assert_non_null(strstr(x->c.reason, "mid"));
}

/* A personal identifier leaving in cleartext is high and sure, but an
 * exposure, not a compromise: SUSPICIOUS, naming it. */
static void test_pii_is_suspicious_not_compromised(void **state)
{
	struct fx *x = *state;
	struct ph_finding f;
	memset(&f, 0, sizeof f);
	snprintf(f.id, sizeof f.id, "pii.identifier");
	snprintf(f.title, sizeof f.title, "MD5 of IMEI sent in cleartext");
	snprintf(f.device, sizeof f.device, "192.168.1.23");
	snprintf(f.remote, sizeof f.remote, "203.0.113.5");
	f.severity = PH_SEV_HIGH, f.confidence = PH_CONF_HIGH;
	f.first_ns = f.last_ns = 1;
	assert_int_equal(ph_findings_add(x->f, &f), 0);
	ph_check_decide(&x->c);
	assert_int_equal(x->c.verdict, PH_VERDICT_SUSPICIOUS);
	assert_non_null(strstr(x->c.reason, "MD5 of IMEI sent in cleartext"));
	/* ... and a real sign of compromise still wins. */
	add(x, "pegasus", PH_SEV_HIGH, PH_CONF_HIGH, 3);
	ph_check_decide(&x->c);
	assert_int_equal(x->c.verdict, PH_VERDICT_COMPROMISED);
	assert_non_null(strstr(x->c.reason, "pegasus"));
}

static void test_dns_subject_without_resolver(void **state)
{
	struct fx *x = *state;
	struct ph_finding f;
	memset(&f, 0, sizeof f);
	snprintf(f.id, sizeof f.id, "ioc.domain");
	snprintf(f.title, sizeof f.title, "Looked up a listed domain");
	snprintf(f.field, sizeof f.field, "dns.query");
	snprintf(f.name, sizeof f.name, "a.evil.example");
	snprintf(f.matched, sizeof f.matched, "evil.example");
	snprintf(f.remote, sizeof f.remote, "192.168.1.1");
	f.severity = PH_SEV_HIGH, f.confidence = PH_CONF_HIGH;
	ph_findings_add(x->f, &f);
	ph_check_decide(&x->c);
	assert_non_null(strstr(x->c.reason, "Looked up a listed domain: "
					    "a.evil.example, rated"));
}

static void test_long_title_keeps_tail(void **state)
{
	struct fx *x = *state;
	char t[128];
	memset(t, 'x', sizeof t - 1);
	t[sizeof t - 1] = '\0';
	struct ph_finding f;
	memset(&f, 0, sizeof f);
	snprintf(f.id, sizeof f.id, "long");
	memcpy(f.title, t, sizeof f.title);
	memset(f.name, 'n', sizeof f.name - 1);
	snprintf(f.remote, sizeof f.remote, "2001:db8::1");
	f.severity = PH_SEV_HIGH, f.confidence = PH_CONF_HIGH;
	ph_findings_add(x->f, &f);
	ph_check_decide(&x->c);
	assert_true(strlen(x->c.reason) < sizeof x->c.reason);
	assert_non_null(strstr(x->c.reason, "..., rated high severity with "
					    "high confidence; 1 finding in all."));
}

static void test_incomplete_file(void **state)
{
	struct fx *x = *state;
	x->file.complete = false;
	snprintf(x->file.error, sizeof x->file.error,
		 "file ends inside a packet record at byte 4096");
	ph_check_decide(&x->c);
	assert_int_equal(x->c.verdict, PH_VERDICT_NO_SIGN);
	assert_true(has_note(&x->c, "/tmp/phone.pcapng was not read to its "
				    "end: file ends inside a packet record"));
	assert_non_null(strstr(x->c.reason, "incomplete"));
	assert_never_clean(&x->c);
}

static void test_no_indicators(void **state)
{
	struct fx *x = *state;
	x->c.intel = NULL;
	ph_check_decide(&x->c);
	assert_int_equal(x->c.verdict, PH_VERDICT_NO_SIGN);
	assert_true(has_note(&x->c, "no indicator feed was loaded: known-bad "
				    "infrastructure was not checked; run "
				    "peephole update or pass --ioc"));
	assert_non_null(strstr(x->c.reason, "incomplete"));
	assert_never_clean(&x->c);
}

static void test_only_allowlist_is_no_indicators(void **state)
{
	struct fx *x = *state;
	struct ph_intel *in = ph_intel_new();
	struct ph_intel_source_info info = {.name = "allow",
					    .format = PH_FEED_TINYCHECK_ALLOW,
					    .allowlist = true};
	int src = ph_intel_source_add(in, &info, NULL);
	struct ph_ioc_entry e = {.type = PH_IOC_DOMAIN, .value = "ok.example",
				 .len = 10};
	ph_intel_add(in, (unsigned)src, &e);
	x->c.intel = in;
	ph_check_decide(&x->c);
	assert_true(has_note(&x->c, "no indicator feed was loaded"));
	ph_intel_free(in);
}

static void test_encrypted_dropped_nopackets(void **state)
{
	struct fx *x = *state;
	struct ph_findings *small = ph_findings_new(1);
	struct ph_finding f;
	memset(&f, 0, sizeof f);
	snprintf(f.id, sizeof f.id, "a");
	ph_findings_add(small, &f);
	snprintf(f.id, sizeof f.id, "b");
	ph_findings_add(small, &f);
	x->c.findings = small;
	x->c.encrypted_flows = 7;
	x->c.packets = 0;
	x->c.ndevices = 0;
	ph_check_decide(&x->c);
	assert_true(has_note(&x->c, "7 encrypted connections: their content "
				    "could not be inspected, only their "
				    "metadata"));
	assert_true(has_note(&x->c, "1 finding was not kept"));
	assert_true(has_note(&x->c, "no packets were read"));
	assert_non_null(strstr(x->c.reason, "in 0 packets from 0 devices"));
	assert_non_null(strstr(x->c.reason, "incomplete"));
	assert_never_clean(&x->c);
	ph_findings_free(small);
}

/* Encrypted connections alone are noted but do not make the check
 * "incomplete": nearly every capture has some. */
static void test_encrypted_alone_not_incomplete(void **state)
{
	struct fx *x = *state;
	struct ph_intel *in = ph_intel_new();
	struct ph_intel_source_info info = {.name = "feed",
					    .format = PH_FEED_PLAIN};
	int src = ph_intel_source_add(in, &info, NULL);
	struct ph_ioc_entry e = {.type = PH_IOC_DOMAIN, .value = "bad.example",
				 .len = 11};
	ph_intel_add(in, (unsigned)src, &e);
	x->c.intel = in;
	x->c.encrypted_flows = 3;
	ph_check_decide(&x->c);
	assert_int_equal(x->c.verdict, PH_VERDICT_NO_SIGN);
	assert_true(has_note(&x->c, "3 encrypted connections"));
	assert_null(strstr(x->c.reason, "incomplete"));
	assert_non_null(strstr(x->c.reason, "metadata only"));
	ph_intel_free(in);
}

static void test_coverage_gaps_make_it_incomplete(void **state)
{
	struct fx *x = *state;
	static const char *const gaps[] = {
		"12 packets of an unsupported link type were skipped"};
	x->c.coverage_gaps = gaps;
	x->c.ncoverage_gaps = 1;
	ph_check_decide(&x->c);
	assert_true(has_note(&x->c, "12 packets of an unsupported link type"));
	assert_non_null(strstr(x->c.reason, "incomplete"));
	assert_never_clean(&x->c);
}

static void test_device_filter(void **state)
{
	struct fx *x = *state;
	x->c.device_filter = "192.168.1.99";
	ph_check_decide(&x->c);
	assert_true(has_note(&x->c, "the device filter 192.168.1.99 matched "
				    "no traffic"));
	x->c.device_filter = "192.168.1.23";
	ph_check_decide(&x->c);
	assert_int_equal(x->c.nnot_checked, 0);
}

static void test_note_overflow(void **state)
{
	struct fx *x = *state;
	enum { NF = PH_CHECK_MAX_NOTES + 8 };
	static struct ph_check_file files[NF];
	for (unsigned i = 0; i < NF; i++) {
		snprintf(files[i].path, sizeof files[i].path, "f%u", i);
		files[i].complete = false;
	}
	x->c.files = files, x->c.nfiles = NF;
	ph_check_decide(&x->c);
	assert_int_equal(x->c.nnot_checked, PH_CHECK_MAX_NOTES);
	assert_non_null(strstr(x->c.not_checked[PH_CHECK_MAX_NOTES - 1],
			       "9 more items"));
	assert_non_null(strstr(x->c.reason, "incomplete"));
}

static void test_null_findings(void **state)
{
	struct fx *x = *state;
	x->c.findings = NULL;
	ph_check_decide(&x->c);
	assert_int_equal(x->c.verdict, PH_VERDICT_NO_SIGN);
	ph_check_decide(NULL);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		T(test_no_sign_complete),
		T(test_compromised),
		T(test_suspicious_high_low_conf),
		T(test_suspicious_medium),
		T(test_pii_is_suspicious_not_compromised),
		T(test_dns_subject_without_resolver),
		T(test_long_title_keeps_tail),
		T(test_incomplete_file),
		T(test_no_indicators),
		T(test_only_allowlist_is_no_indicators),
		T(test_encrypted_dropped_nopackets),
		T(test_encrypted_alone_not_incomplete),
		T(test_coverage_gaps_make_it_incomplete),
		T(test_device_filter),
		T(test_note_overflow),
		T(test_null_findings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
