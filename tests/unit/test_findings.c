/* Tests for src/detect/findings.c: severity/confidence names, folding of
 * repeats (key id + device + field + matched, remote when matched is
 * empty), widening of times and packets, report order and its cache,
 * the cap with counted drops, and 100k distinct adds staying fast. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "peephole/finding.h"

static struct ph_finding mk(const char *id, const char *device,
			    const char *matched, uint64_t t)
{
	struct ph_finding x;
	memset(&x, 0, sizeof x);
	snprintf(x.id, sizeof x.id, "%s", id);
	snprintf(x.title, sizeof x.title, "title of %s", id);
	snprintf(x.device, sizeof x.device, "%s", device);
	snprintf(x.matched, sizeof x.matched, "%s", matched);
	snprintf(x.field, sizeof x.field, "dns.query");
	snprintf(x.remote, sizeof x.remote, "203.0.113.5");
	x.severity = PH_SEV_HIGH;
	x.confidence = PH_CONF_HIGH;
	x.first_ns = x.last_ns = t;
	x.first_pkt = x.last_pkt = t / 1000;
	return x;
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(ph_severity_name(PH_SEV_INFO), "info");
	assert_string_equal(ph_severity_name(PH_SEV_LOW), "low");
	assert_string_equal(ph_severity_name(PH_SEV_MEDIUM), "medium");
	assert_string_equal(ph_severity_name(PH_SEV_HIGH), "high");
	assert_string_equal(ph_severity_name(PH_SEV_CRITICAL), "critical");
	assert_string_equal(ph_confidence_name(PH_CONF_LOW), "low");
	assert_string_equal(ph_confidence_name(PH_CONF_MEDIUM), "medium");
	assert_string_equal(ph_confidence_name(PH_CONF_HIGH), "high");
	assert_non_null(ph_severity_name((enum ph_severity)99));
}

static void test_fold(void **state)
{
	(void)state;
	struct ph_findings *f = ph_findings_new(100);
	assert_non_null(f);
	struct ph_finding a = mk("ioc.domain", "10.0.0.2", "evil.example", 5000);
	struct ph_finding b = a;
	b.first_ns = b.last_ns = 2000, b.first_pkt = b.last_pkt = 2;
	snprintf(b.uid, sizeof b.uid, "Cearly");
	struct ph_finding c = a;
	c.first_ns = c.last_ns = 9000, c.first_pkt = c.last_pkt = 9;
	c.count = 3;
	snprintf(c.remote, sizeof c.remote, "198.51.100.7"); /* not in key */
	assert_int_equal(ph_findings_add(f, &a), 0);
	assert_int_equal(ph_findings_add(f, &b), 0);
	assert_int_equal(ph_findings_add(f, &c), 0);
	assert_int_equal(ph_findings_count(f), 1);
	const struct ph_finding *x = ph_findings_get(f, 0);
	assert_int_equal(x->count, 5);
	assert_int_equal(x->first_ns, 2000);
	assert_int_equal(x->first_pkt, 2);
	assert_int_equal(x->last_ns, 9000);
	assert_int_equal(x->last_pkt, 9);
	assert_string_equal(x->uid, "Cearly");
	assert_string_equal(x->remote, "203.0.113.5");

	/* Another device, field or id: a new finding. */
	struct ph_finding d = a;
	snprintf(d.device, sizeof d.device, "10.0.0.3");
	assert_int_equal(ph_findings_add(f, &d), 0);
	d = a;
	snprintf(d.field, sizeof d.field, "tls.sni");
	assert_int_equal(ph_findings_add(f, &d), 0);
	d = a;
	snprintf(d.id, sizeof d.id, "ioc.ip");
	assert_int_equal(ph_findings_add(f, &d), 0);
	assert_int_equal(ph_findings_count(f), 4);
	assert_int_equal(ph_findings_dropped(f), 0);
	ph_findings_free(f);
}

static void test_fold_remote_when_unmatched(void **state)
{
	(void)state;
	struct ph_findings *f = ph_findings_new(10);
	struct ph_finding a = mk("beacon", "10.0.0.2", "", 1000);
	struct ph_finding b = a;
	snprintf(b.remote, sizeof b.remote, "198.51.100.7");
	assert_int_equal(ph_findings_add(f, &a), 0);
	assert_int_equal(ph_findings_add(f, &b), 0);
	assert_int_equal(ph_findings_add(f, &a), 0);
	assert_int_equal(ph_findings_count(f), 2);
	ph_findings_free(f);
}

static void test_fold_stronger_wins(void **state)
{
	(void)state;
	struct ph_findings *f = ph_findings_new(10);
	struct ph_finding a = mk("beacon", "10.0.0.2", "", 1000);
	a.severity = PH_SEV_MEDIUM, a.confidence = PH_CONF_LOW;
	struct ph_finding b = a;
	b.severity = PH_SEV_HIGH, b.confidence = PH_CONF_MEDIUM;
	snprintf(b.title, sizeof b.title, "stronger");
	ph_findings_add(f, &a);
	ph_findings_add(f, &b);
	ph_findings_add(f, &a);
	const struct ph_finding *x = ph_findings_get(f, 0);
	assert_int_equal(x->severity, PH_SEV_HIGH);
	assert_int_equal(x->confidence, PH_CONF_MEDIUM);
	assert_string_equal(x->title, "stronger");
	assert_int_equal(x->count, 3);
	ph_findings_free(f);
}

static void test_sort(void **state)
{
	(void)state;
	struct ph_findings *f = ph_findings_new(10);
	struct ph_finding v[5];
	v[0] = mk("a", "d", "1", 500);
	v[0].severity = PH_SEV_LOW;
	v[1] = mk("b", "d", "2", 400);
	v[1].severity = PH_SEV_HIGH, v[1].confidence = PH_CONF_MEDIUM;
	v[2] = mk("c", "d", "3", 300); /* high, high */
	v[3] = mk("d", "d", "4", 100); /* high, high, earlier */
	v[4] = mk("e", "d", "5", 900);
	v[4].severity = PH_SEV_CRITICAL, v[4].confidence = PH_CONF_LOW;
	for (int i = 0; i < 5; i++)
		assert_int_equal(ph_findings_add(f, &v[i]), 0);
	const char *want[] = {"e", "d", "c", "b", "a"};
	for (unsigned i = 0; i < 5; i++)
		assert_string_equal(ph_findings_get(f, i)->id, want[i]);
	assert_null(ph_findings_get(f, 5));

	/* The cached order is rebuilt after an add. */
	struct ph_finding g = mk("g", "d", "6", 50);
	g.severity = PH_SEV_CRITICAL;
	assert_int_equal(ph_findings_add(f, &g), 0);
	assert_string_equal(ph_findings_get(f, 0)->id, "g");
	assert_string_equal(ph_findings_get(f, 1)->id, "e");
	assert_string_equal(ph_findings_get(f, 5)->id, "a");
	ph_findings_free(f);
}

static void test_cap(void **state)
{
	(void)state;
	struct ph_findings *f = ph_findings_new(3);
	char m[16];
	for (int i = 0; i < 5; i++) {
		snprintf(m, sizeof m, "v%d", i);
		struct ph_finding x = mk("ioc.domain", "d", m, 100 + i);
		assert_int_equal(ph_findings_add(f, &x), i < 3 ? 0 : PH_ENOMEM);
	}
	assert_int_equal(ph_findings_count(f), 3);
	assert_int_equal(ph_findings_dropped(f), 2);
	/* A repeat of a kept finding still folds at the cap. */
	struct ph_finding again = mk("ioc.domain", "d", "v1", 999);
	assert_int_equal(ph_findings_add(f, &again), 0);
	assert_int_equal(ph_findings_dropped(f), 2);
	ph_findings_free(f);

	/* A flood of info findings fills at most half (+1), so a serious
	 * one found later is still kept. */
	struct ph_findings *fl = ph_findings_new(10);
	for (int i = 0; i < 20; i++) {
		snprintf(m, sizeof m, "i%d", i);
		struct ph_finding x = mk("allow.listed", "d", m, 100 + i);
		x.severity = PH_SEV_INFO;
		ph_findings_add(fl, &x);
	}
	assert_int_equal(ph_findings_count(fl), 6);
	struct ph_finding hi = mk("ioc.domain", "d", "evil", 500);
	assert_int_equal(ph_findings_add(fl, &hi), 0);
	assert_string_equal(ph_findings_get(fl, 0)->id, "ioc.domain");
	ph_findings_free(fl);

	struct ph_findings *z = ph_findings_new(0);
	struct ph_finding x = mk("a", "b", "c", 1);
	assert_int_equal(ph_findings_add(z, &x), PH_ENOMEM);
	assert_int_equal(ph_findings_count(z), 0);
	assert_null(ph_findings_get(z, 0));
	ph_findings_free(z);
	ph_findings_free(NULL);
}

static void test_unterminated_fields(void **state)
{
	(void)state;
	struct ph_findings *f = ph_findings_new(4);
	struct ph_finding x = mk("a", "b", "c", 1);
	memset(x.title, 'T', sizeof x.title);
	memset(x.name, 'N', sizeof x.name);
	assert_int_equal(ph_findings_add(f, &x), 0);
	const struct ph_finding *g = ph_findings_get(f, 0);
	assert_int_equal(strlen(g->title), sizeof g->title - 1);
	assert_int_equal(strlen(g->name), sizeof g->name - 1);
	assert_int_equal(g->count, 1);
	ph_findings_free(f);
}

static void test_many_distinct(void **state)
{
	(void)state;
	enum { N = 100000 };
	struct ph_findings *f = ph_findings_new(N);
	clock_t t0 = clock();
	char m[32];
	for (unsigned round = 0; round < 2; round++) {
		for (unsigned i = 0; i < N; i++) {
			snprintf(m, sizeof m, "host%u.example", i);
			struct ph_finding x = mk("ioc.domain", "10.0.0.2", m,
						 1000 + i);
			assert_int_equal(ph_findings_add(f, &x), 0);
		}
	}
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	assert_int_equal(ph_findings_count(f), N);
	assert_int_equal(ph_findings_get(f, 0)->count, 2);
	assert_int_equal(ph_findings_get(f, 0)->first_ns, 1000);
	assert_int_equal(ph_findings_get(f, N - 1)->first_ns, 1000 + N - 1);
	/* Linear would be 10^10 comparisons; hashed is well under this. */
	assert_true(secs < 20.0);
	ph_findings_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_fold_remote_when_unmatched),
		cmocka_unit_test(test_fold_stronger_wins),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_unterminated_fields),
		cmocka_unit_test(test_many_distinct),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
