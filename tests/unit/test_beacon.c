/* Tests for src/detect/beacon.c on crafted captures run through the whole
 * pipeline: a 60 s +-10 % beacon over 30 minutes, a 5 minute beacon over
 * 2 hours and one with 30 % of its beats dropped are found with their
 * period; a DNS name queried on a timer and bursts on a timer inside one
 * TCP connection are found; Poisson-random connections are not; a known
 * periodic service is low, a beacon to an address no DNS answer gave is
 * high; the beat times are attached to the finding. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "check_fixture.h"
#include "peephole/check.h"
#include "peephole/intel.h"
#include "peephole/ph.h"

#define S 1000000000ull
#define T0 (1700000000ull * S)
#define DEV "192.168.1.23"
#define GW "192.168.1.1"

/* Deterministic noise in [0, 1). */
static double uni(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return (double)(z >> 11) / 9007199254740992.0;
}

static void dns_answer(struct cfx *x, uint64_t ts, const char *name,
		       const char *addr)
{
	cfx_dns_lookup(x, ts, DEV, (uint16_t)(30000 + (ts / S) % 20000), GW,
		       name, 1, 0, addr);
}

/* One short TCP connection: a small request and reply. */
static void conn(struct cfx *x, uint64_t ts, const char *dst, uint16_t port)
{
	static const char req[] = "\x17\x03\x03\x00\x20" "0123456789abcdef"
				  "0123456789abcdef";
	struct cfx_tcp t;
	cfx_tcp_open(x, &t, DEV, (uint16_t)(20000 + (ts / S) % 40000), dst,
		     port, ts);
	cfx_tcp_send(x, &t, 0, ts + 3000000, req, sizeof req - 1);
	cfx_tcp_send(x, &t, 1, ts + 5000000, req, 21);
	cfx_tcp_close(x, &t, ts + 9000000);
}

/* Connections every period x (1 + jitter x U[-1, 1]) for span seconds,
 * each beat dropped with probability drop. */
static void beacon(struct cfx *x, const char *dst, uint16_t port,
		   double period, double jitter, double drop, double span,
		   uint64_t seed)
{
	for (double t = 10; t < span; t += period * (1 + jitter *
						      (2 * uni(&seed) - 1)))
		if (uni(&seed) >= drop)
			conn(x, T0 + (uint64_t)(t * 1e9), dst, port);
}

static double period_of(const struct ph_finding *f)
{
	if (!f) {
		fail();
		return 0;
	}
	const char *e = strstr(f->title, "every ");
	double p = 0;
	assert_non_null(e);
	assert_int_equal(sscanf(e, "every %lf", &p), 1);
	return p;
}

/* The finding with this id (and field, when not NULL). */
static const struct ph_finding *find(const struct ph_findings *f,
				     const char *id, const char *field,
				     unsigned *index)
{
	for (unsigned i = 0; i < ph_findings_count(f); i++) {
		const struct ph_finding *x = ph_findings_get(f, i);
		if (!strcmp(x->id, id) &&
		    (!field || !strcmp(x->field, field))) {
			if (index)
				*index = i;
			return x;
		}
	}
	return NULL;
}

static void test_jittered_60s_over_30min(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	dns_answer(&x, T0, "api.c2-updates.net", "203.0.113.80");
	beacon(&x, "203.0.113.80", 443, 60, 0.10, 0, 1800, 1);
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	unsigned i = 0;
	const struct ph_finding *d = find(f, "beacon.periodic", NULL, &i);
	assert_non_null(d);
	assert_true(fabs(period_of(d) - 60) <= 3);
	assert_string_equal(d->matched, "c2-updates.net");
	assert_string_equal(d->name, "api.c2-updates.net");
	assert_string_equal(d->field, "dns.answer");
	assert_string_equal(d->device, DEV);
	assert_int_equal(d->severity, PH_SEV_HIGH);
	assert_string_equal(d->attack, "T1071");
	assert_true(d->count >= 28 && d->count <= 33);
	assert_non_null(strstr(d->explain, "jitter"));
	/* the address series says the same: folded into the name's */
	assert_int_equal(cfx_count(f, "beacon.periodic"), 1);
	const uint64_t *ts;
	unsigned n = ph_findings_series(f, i, &ts);
	assert_int_equal(n, d->count);
	assert_true(ts[0] == d->first_ns && ts[n - 1] == d->last_ns);
	cfx_close(&x, f);
}

static void test_5min_over_2h(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	dns_answer(&x, T0, "cdn.slow-beacon.org", "198.51.100.90");
	beacon(&x, "198.51.100.90", 8443, 300, 0.05, 0, 7200, 2);
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	const struct ph_finding *d = find(f, "beacon.periodic", NULL, NULL);
	assert_non_null(d);
	assert_true(fabs(period_of(d) - 300) <= 15);
	assert_true(d->count >= 22);
	cfx_close(&x, f);
}

static void test_missing_beats(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	dns_answer(&x, T0, "sync.gappy-c2.com", "203.0.113.81");
	beacon(&x, "203.0.113.81", 443, 60, 0.05, 0.30, 2400, 3);
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	const struct ph_finding *d = find(f, "beacon.periodic", NULL, NULL);
	assert_non_null(d);
	assert_true(fabs(period_of(d) - 60) <= 3);
	assert_non_null(strstr(d->explain, "missing"));
	cfx_close(&x, f);
}

static void test_dns_beacon(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	uint64_t seed = 4;
	for (double t = 5; t < 1800; t += 45 * (1 + 0.1 * (2 * uni(&seed) - 1)))
		cfx_dns_lookup(&x, T0 + (uint64_t)(t * 1e9), DEV,
			       (uint16_t)(40000 + t), GW, "ping.tunnel-x.net",
			       16, 3, NULL);
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	const struct ph_finding *d = find(f, "beacon.dns", NULL, NULL);
	assert_non_null(d);
	assert_string_equal(d->matched, "ping.tunnel-x.net");
	assert_string_equal(d->field, "dns.query");
	assert_true(fabs(period_of(d) - 45) <= 2.5);
	assert_int_equal(cfx_count(f, "beacon.periodic"), 0);
	cfx_close(&x, f);
}

/* A name re-asked each time its answer's TTL (60 s in the fixture's A
 * records) runs out is a cache kept fresh: reported low, saying why. */
static void test_dns_ttl_refresh_is_low(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	uint64_t seed = 11;
	for (double t = 5; t < 1800; t += 61 * (1 + 0.05 * (2 * uni(&seed) - 1)))
		cfx_dns_lookup(&x, T0 + (uint64_t)(t * 1e9), DEV,
			       (uint16_t)(40000 + t), GW, "api.weather.example",
			       1, 0, "198.51.100.20");
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	const struct ph_finding *d = find(f, "beacon.dns", NULL, NULL);
	assert_non_null(d);
	assert_int_equal(d->severity, PH_SEV_LOW);
	assert_non_null(strstr(d->explain, "TTL runs out"));
	cfx_close(&x, f);
}

static void test_keepalive_bursts(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	dns_answer(&x, T0, "gw.keepalive-c2.net", "203.0.113.82");
	struct cfx_tcp t;
	uint64_t ts = T0 + 2 * S, seed = 5;
	cfx_tcp_open(&x, &t, DEV, 45000, "203.0.113.82", 443, ts);
	for (int i = 0; i < 40; i++) {
		ts += (uint64_t)(30e9 * (1 + 0.05 * (2 * uni(&seed) - 1)));
		cfx_tcp_send(&x, &t, 0, ts, "ping-ping-ping", 14);
		cfx_tcp_send(&x, &t, 1, ts + 40000000, "pong", 4);
	}
	cfx_tcp_close(&x, &t, ts + S);
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	const struct ph_finding *d = find(f, "beacon.keepalive", NULL, NULL);
	assert_non_null(d);
	assert_true(fabs(period_of(d) - 30) <= 1.5);
	assert_string_equal(d->name, "gw.keepalive-c2.net");
	assert_true(d->count >= 38);
	assert_non_null(strstr(d->explain, "14/4 bytes"));
	cfx_close(&x, f);
}

/* A UDP implant that keeps one 5-tuple: one flow (the datagrams come
 * sooner than the UDP timeout), so only its bursts show the timer. */
static void test_udp_keepalive(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	uint64_t ts = T0 + 2 * S, seed = 9;
	uint8_t msg[24];
	for (int i = 0; i < 40; i++) {
		ts += (uint64_t)(30e9 * (1 + 0.05 * (2 * uni(&seed) - 1)));
		for (size_t k = 0; k < sizeof msg; k++)
			msg[k] = (uint8_t)(uni(&seed) * 256);
		cfx_udp(&x, ts, DEV, 41555, "203.0.113.83", 40444, msg,
			sizeof msg);
		cfx_udp(&x, ts + 30000000, "203.0.113.83", 40444, DEV, 41555,
			msg, 8);
	}
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	const struct ph_finding *d = find(f, "beacon.keepalive", NULL, NULL);
	assert_non_null(d);
	assert_int_equal(d->proto, 17);
	assert_true(fabs(period_of(d) - 30) <= 1.5);
	assert_true(d->count >= 38);
	assert_non_null(strstr(d->explain, "UDP flow"));
	/* the address came from no DNS answer: high */
	assert_int_equal(d->severity, PH_SEV_HIGH);
	cfx_close(&x, f);
}

static void test_poisson_is_not_flagged(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	dns_answer(&x, T0, "www.news-site.example", "198.51.100.91");
	uint64_t seed = 6;
	for (double t = 10; t < 3600; t += -60 * log(1 - uni(&seed)))
		conn(&x, T0 + (uint64_t)(t * 1e9), "198.51.100.91", 443);
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	assert_int_equal(cfx_count(f, "beacon."), 0);
	cfx_close(&x, f);
}

static void test_known_service_is_low(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	dns_answer(&x, T0, "mtalk.google.com", "203.0.113.83");
	beacon(&x, "203.0.113.83", 5228, 60, 0.02, 0, 1800, 7);
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	const struct ph_finding *d = find(f, "beacon.periodic", NULL, NULL);
	assert_non_null(d);
	assert_int_equal(d->severity, PH_SEV_LOW);
	assert_non_null(strstr(d->explain, "known periodic service"));
	cfx_close(&x, f);
	/* The same with the service list replaced by an empty file. */
	char *empty = pb_tmpfile(".txt");
	char set[600];
	snprintf(set, sizeof set, "beacon.services=%s", empty);
	const char *sets[] = {set};
	cfx_open(&x);
	dns_answer(&x, T0, "mtalk.google.com", "203.0.113.83");
	beacon(&x, "203.0.113.83", 5228, 60, 0.02, 0, 1800, 7);
	f = cfx_run(&x, sets, 1);
	d = find(f, "beacon.periodic", NULL, NULL);
	assert_non_null(d);
	assert_true(d->severity >= PH_SEV_MEDIUM);
	cfx_close(&x, f);
	unlink(empty);
	free(empty);
}

/* Direct to an address: high; the same with beats over bulky_bytes
 * (here 10 bytes, as media segments would be): medium. */
static void test_direct_ip_is_high(void **state)
{
	(void)state;
	for (int k = 0; k < 2; k++) {
		struct cfx x;
		cfx_open(&x);
		dns_answer(&x, T0, "www.example.org", "192.0.2.200");
		beacon(&x, "203.0.113.84", 8080, 120, 0.2, 0.1, 3600, 8);
		const char *set[] = {"beacon.bulky_bytes=10"};
		struct ph_findings *f = cfx_run(&x, set, k ? 1 : 0);
		const struct ph_finding *d = find(f, "beacon.periodic",
						  "conn.resp_h", NULL);
		assert_non_null(d);
		assert_int_equal(d->severity, k ? PH_SEV_MEDIUM : PH_SEV_HIGH);
		assert_string_equal(d->matched, "203.0.113.84:8080/tcp");
		assert_int_equal(d->remote_port, 8080);
		assert_non_null(strstr(d->explain, k ? "lot of data" :
				       "no DNS answer"));
		/* beats of 37 bytes up, 21 down: bulky ones are an upload */
		assert_string_equal(d->attack, k ? "T1029" : "T1071");
		cfx_close(&x, f);
	}
}

/* A listed destination is high even when it is a known service. */
static void test_listed_destination_is_high(void **state)
{
	(void)state;
	struct ph_intel *in = ph_intel_new();
	struct ph_intel_source_info info = {.name = "c2.list",
					    .format = PH_FEED_PLAIN};
	int src = ph_intel_source_add(in, &info, NULL);
	assert_true(src >= 0);
	struct ph_ioc_entry e = {.type = PH_IOC_DOMAIN,
				 .value = "mtalk4.google.com", .len = 17,
				 .campaign = "TestRAT"};
	assert_true(ph_intel_add(in, (unsigned)src, &e) >= 0);
	struct cfx x;
	cfx_open(&x);
	dns_answer(&x, T0, "mtalk4.google.com", "203.0.113.86");
	beacon(&x, "203.0.113.86", 443, 60, 0.3, 0.2, 1800, 10);
	struct ph_findings *f = cfx_run_intel(&x, in, NULL, 0);
	const struct ph_finding *d = find(f, "beacon.periodic", NULL, NULL);
	assert_non_null(d);
	assert_int_equal(d->severity, PH_SEV_HIGH);
	assert_int_equal(d->confidence, PH_CONF_HIGH);
	assert_non_null(strstr(d->explain, "c2.list: TestRAT"));
	cfx_close(&x, f);
	ph_intel_free(in);
}

/* The series API of the findings collection (src/detect/findings.c):
 * attached under the fold key, capped, replaced, absent elsewhere. */
static void test_findings_series(void **state)
{
	(void)state;
	struct ph_findings *f = ph_findings_new(10);
	struct ph_finding a, b;
	memset(&a, 0, sizeof a);
	snprintf(a.id, sizeof a.id, "beacon.periodic");
	snprintf(a.device, sizeof a.device, DEV);
	snprintf(a.matched, sizeof a.matched, "x.example");
	a.severity = PH_SEV_HIGH;
	b = a;
	snprintf(b.matched, sizeof b.matched, "y.example");
	b.severity = PH_SEV_LOW;
	uint64_t ts[600];
	for (unsigned i = 0; i < 600; i++)
		ts[i] = T0 + i * 60 * S;
	assert_int_equal(ph_findings_set_series(f, &a, ts, 3), PH_EINVAL);
	assert_int_equal(ph_findings_add(f, &b), 0);
	assert_int_equal(ph_findings_add(f, &a), 0);
	assert_int_equal(ph_findings_add(f, &a), 0); /* folds */
	assert_int_equal(ph_findings_set_series(f, &a, ts, 600), 0);
	const uint64_t *got;
	/* a sorts first (high), b has none */
	assert_string_equal(ph_findings_get(f, 0)->matched, "x.example");
	assert_int_equal(ph_findings_series(f, 0, &got),
			 PH_FINDINGS_SERIES_MAX);
	assert_true(got[0] == ts[0] && got[511] == ts[511]);
	assert_int_equal(ph_findings_series(f, 1, &got), 0);
	assert_null(got);
	assert_int_equal(ph_findings_set_series(f, &a, ts + 5, 2), 0);
	assert_int_equal(ph_findings_series(f, 0, &got), 2);
	assert_true(got[0] == ts[5]);
	assert_int_equal(ph_findings_get(f, 0)->count, 2);
	/* JSON: "beats_s" relative to the first beat, on a only */
	struct ph_check c;
	memset(&c, 0, sizeof c);
	c.findings = f;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	struct ph_err err;
	assert_int_equal(ph_check_write_json(&c, out, &err), 0);
	fclose(out);
	const char *b1 = strstr(buf, "\"beats_s\": [");
	assert_non_null(b1);
	assert_non_null(strstr(b1, "0.000,"));
	assert_non_null(strstr(b1, "60.000"));
	assert_null(strstr(b1 + 1, "\"beats_s\""));
	free(buf);
	ph_findings_free(f);
}

static uint64_t counter(const struct cfx *x, const char *name)
{
	for (unsigned i = 0; i < ph_run_summary_ncounters(x->summary); i++) {
		const char *n = NULL;
		uint64_t v = ph_run_summary_counter(x->summary, i, &n);
		if (n && strstr(n, name))
			return v;
	}
	return UINT64_MAX;
}

/* Series keep their first max_beats beats; the rest are counted. */
static void test_beats_cap(void **state)
{
	(void)state;
	struct cfx x;
	cfx_open(&x);
	dns_answer(&x, T0, "api.capped.example", "203.0.113.87");
	beacon(&x, "203.0.113.87", 443, 60, 0, 0, 1860, 11); /* 31 beats */
	const char *set[] = {"beacon.max_beats=16"};
	struct ph_findings *f = cfx_run(&x, set, 1);
	const struct ph_finding *d = find(f, "beacon.periodic", NULL, NULL);
	assert_non_null(d);
	assert_int_equal(d->count, 16);
	/* 15 beats over the cap in the name and in the address series */
	assert_int_equal(counter(&x, "beats_dropped"), 30);
	cfx_close(&x, f);
}

static void test_min_beats_option(void **state)
{
	(void)state;
	for (int k = 0; k < 2; k++) {
		struct cfx x;
		cfx_open(&x);
		beacon(&x, "203.0.113.85", 443, 60, 0, 0, 600, 9);
		const char *set[] = {"beacon.min_beats=20"};
		struct ph_findings *f = cfx_run(&x, set, k ? 1 : 0);
		assert_int_equal(cfx_count(f, "beacon.periodic") > 0, !k);
		cfx_close(&x, f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jittered_60s_over_30min),
		cmocka_unit_test(test_5min_over_2h),
		cmocka_unit_test(test_missing_beats),
		cmocka_unit_test(test_dns_beacon),
		cmocka_unit_test(test_dns_ttl_refresh_is_low),
		cmocka_unit_test(test_keepalive_bursts),
		cmocka_unit_test(test_udp_keepalive),
		cmocka_unit_test(test_poisson_is_not_flagged),
		cmocka_unit_test(test_known_service_is_low),
		cmocka_unit_test(test_direct_ip_is_high),
		cmocka_unit_test(test_listed_destination_is_high),
		cmocka_unit_test(test_findings_series),
		cmocka_unit_test(test_beats_cap),
		cmocka_unit_test(test_min_beats_option),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
