/* Tests for src/detect/beacon_score.c on hand-computed series: medians
 * and Tukey hinges, RITA's Bowley skew and MAD scores, histogram (CV and
 * bimodal fit) and duration scores, merging of close times, and the
 * period estimate on exact, jittered, gappy and random series. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "detect/beacon_score.h"
#include "peephole/ph.h"

#define S 1000000000ull
#define T0 (1700000000ull * S)
#define EPS 1e-9

static void test_median_quartiles(void **state)
{
	(void)state;
	const double a[] = {1, 2, 3, 4}, b[] = {1, 2, 3, 4, 5, 6, 7};
	const double c[] = {1, 2, 3, 4, 5, 6, 7, 8};
	double q[3];
	assert_true(fabs(ph_beacon_median(a, 4) - 2.5) < EPS);
	assert_true(fabs(ph_beacon_median(b, 3) - 2) < EPS);
	ph_beacon_quartiles(b, 7, q); /* odd: middle value left out */
	assert_true(fabs(q[0] - 2) < EPS && fabs(q[1] - 4) < EPS &&
		    fabs(q[2] - 6) < EPS);
	ph_beacon_quartiles(c, 8, q);
	assert_true(fabs(q[0] - 2.5) < EPS && fabs(q[1] - 4.5) < EPS &&
		    fabs(q[2] - 6.5) < EPS);
}

static void test_bowley(void **state)
{
	(void)state;
	/* Q1 15, Q2 30, Q3 150: skew (15 + 150 - 60) / 135 = 0.7778. */
	const double skewed[] = {10, 20, 30, 100, 200};
	double sk;
	double s = ph_beacon_bowley_score(skewed, 5, &sk);
	assert_true(fabs(sk - 105.0 / 135.0) < 1e-9);
	assert_true(fabs(s - (1 - 105.0 / 135.0)) < 1e-9);
	/* IQR 2.5 < 10: RITA calls it symmetric. */
	const double tight[] = {60, 60, 61, 62, 63};
	assert_true(fabs(ph_beacon_bowley_score(tight, 5, &sk) - 1) < EPS);
	assert_true(fabs(sk) < EPS);
	/* Median equal to Q1: symmetric too. */
	const double flat[] = {0, 100, 100, 100, 400, 500};
	assert_true(fabs(ph_beacon_bowley_score(flat, 6, &sk) - 1) < EPS);
}

static void test_mad(void **state)
{
	(void)state;
	/* median 60, deviations 2 0 0 1 2 -> MAD 1 -> (60 - 1) / 60. */
	const double v[] = {58, 60, 60, 61, 62};
	double mad;
	double s = ph_beacon_mad_score(v, 5, 0, &mad);
	assert_true(fabs(mad - 1) < EPS);
	assert_true(fabs(s - 59.0 / 60.0) < EPS);
	/* median 3, deviations 2 1 0 197 297 -> MAD 2 -> 1/3. */
	const double w[] = {1, 2, 3, 200, 300};
	assert_true(fabs(ph_beacon_mad_score(w, 5, 0, &mad) - 1.0 / 3) < EPS);
	assert_true(fabs(mad - 2) < EPS);
	/* median 151, deviations 150 150 149 149 149 149 -> 2 / 151. */
	const double x[] = {1, 1, 2, 300, 300, 300};
	assert_true(fabs(ph_beacon_mad_score(x, 6, 0, NULL) - 2.0 / 151) <
		    EPS);
	/* Median below 1: the default. */
	const double z[] = {0, 0, 0.5};
	assert_true(fabs(ph_beacon_mad_score(z, 3, 0.25, NULL) - 0.25) < EPS);
}

static void test_histogram_and_duration(void **state)
{
	(void)state;
	double t[24];
	unsigned bars, run;
	for (int i = 0; i < 24; i++)
		t[i] = 30 + 60.0 * i; /* one per bin of [0, 1440] */
	assert_true(fabs(ph_beacon_hist_score(t, 24, 0, 1440, &bars, &run) -
			 1) < EPS);
	assert_int_equal(bars, 24);
	assert_int_equal(run, 24);
	/* First half only: CV 1 (score 0) but one height class covers
	 * 12 of 12 - 1 bars: bimodal fit capped at 1. */
	assert_true(fabs(ph_beacon_hist_score(t, 12, 0, 1440, &bars, &run) -
			 1) < EPS);
	assert_int_equal(bars, 12);
	assert_int_equal(run, 12);
	/* Coverage 660 / 1440 -> 0.459, consistency 12 / 12 = 1. */
	assert_true(fabs(ph_beacon_dur_score(0, 1440, 30, 690, 12, 12) - 1) <
		    EPS);
	assert_true(fabs(ph_beacon_dur_score(0, 1440, 30, 690, 8, 3) -
			 0.459) < EPS);
	assert_true(fabs(ph_beacon_dur_score(0, 1440, 30, 690, 5, 5)) < EPS);
	/* Ten bars of which 3 alone: bimodal analysis needs 11 bars. */
	double u[10];
	for (int i = 0; i < 10; i++)
		u[i] = 30 + 120.0 * i;
	double h = ph_beacon_hist_score(u, 10, 0, 1440, &bars, &run);
	assert_int_equal(bars, 10);
	assert_true(fabs(h) < EPS); /* CV of ten 1s, fourteen 0s: 1.18 */
}

static void test_merge(void **state)
{
	(void)state;
	uint64_t ts[] = {0, S / 2, 2 * S, 2 * S + S / 5, 10 * S};
	uint64_t by[] = {1, 2, 3, 4, 5};
	assert_int_equal(ph_beacon_merge(ts, by, 5, S), 3);
	assert_true(ts[0] == 0 && ts[1] == 2 * S && ts[2] == 10 * S);
	assert_true(by[0] == 3 && by[1] == 7 && by[2] == 5);
}

/* Deterministic noise in [-1, 1). */
static double noise(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return (double)(z >> 11) / 4503599627370496.0 - 1.0;
}

static int score_series(const uint64_t *ts, const uint64_t *by, unsigned n,
			uint64_t span_s, struct ph_beacon_result *r)
{
	struct ph_beacon_series s = {ts, by, n, T0, T0 + span_s * S};
	return ph_beacon_score(&s, r);
}

static const struct ph_beacon_params par = {6, 10, 180, 0.6, 0.8};

static void test_exact_beacon(void **state)
{
	(void)state;
	uint64_t ts[31], by[31];
	for (int i = 0; i < 31; i++)
		ts[i] = T0 + 60ull * S * (uint64_t)i, by[i] = 300;
	struct ph_beacon_result r;
	assert_int_equal(score_series(ts, by, 31, 1800, &r), 0);
	assert_true(fabs(r.period_s - 60) < 1e-6);
	assert_true(r.jitter_s < 1e-6);
	assert_true(fabs(r.coherence - 1) < EPS && r.missed < EPS);
	assert_true(fabs(r.fit - 1) < EPS);
	assert_int_equal(r.beats, 31);
	assert_int_equal(r.expected, 31);
	assert_true(fabs(r.ts_score - 1) < EPS && fabs(r.ds_score - 1) < EPS);
	assert_true(fabs(r.median_bytes - 300) < EPS);
	assert_true(r.score > 0.95);
	assert_int_equal(ph_beacon_level(&r, &par), 2);
	/* Too few beats for the options: not a beacon. */
	struct ph_beacon_params p6 = par;
	p6.min_beats = 32;
	assert_int_equal(ph_beacon_level(&r, &p6), 0);
	assert_int_equal(score_series(ts, by, 3, 1800, &r), PH_EINVAL);
}

static void test_jittered_beacon(void **state)
{
	(void)state;
	uint64_t ts[40], by[40], seed = 7;
	double t = 0;
	unsigned n = 0;
	while (t < 1800 && n < 40) {
		ts[n] = T0 + (uint64_t)(t * 1e9);
		by[n++] = 300 + (uint64_t)(10 * (1 + noise(&seed)));
		t += 60 * (1 + 0.1 * noise(&seed));
	}
	struct ph_beacon_result r;
	assert_int_equal(score_series(ts, by, n, 1800, &r), 0);
	assert_true(fabs(r.period_s - 60) <= 3);
	assert_true(r.jitter_s > 1 && r.jitter_s < 10);
	assert_true(ph_beacon_level(&r, &par) >= 1);
}

static void test_missed_beats(void **state)
{
	(void)state;
	/* A 60 s grid with every other pair of beats kept: intervals
	 * 60 and 120 alternate, the median interval is 120 half the time,
	 * yet the period found is 60. */
	uint64_t ts[64], by[64];
	unsigned n = 0;
	for (unsigned i = 0; i < 60; i++)
		if (i % 3 != 1)
			ts[n] = T0 + 60ull * S * i, by[n++] = 500;
	struct ph_beacon_result r;
	assert_int_equal(score_series(ts, by, n, 3600, &r), 0);
	assert_true(fabs(r.period_s - 60) < 1e-6);
	assert_true(fabs(r.missed - (1.0 - (double)n / 60.0)) < 1e-6);
	assert_true(fabs(r.fit - 1) < EPS);
	assert_true(ph_beacon_level(&r, &par) >= 1);
}

/* One beat missing and one extra beat 20 s after another: the span says
 * nothing is missing, the intervals say one of 21 beats is; the 20 s and
 * 40 s intervals around the extra beat do not fit (18 of 20 do). */
static void test_extra_beat_does_not_hide_a_missing_one(void **state)
{
	(void)state;
	uint64_t ts[24];
	unsigned n = 0;
	for (unsigned i = 0; i <= 20; i++) {
		if (i == 7)
			continue; /* missed */
		ts[n++] = T0 + 60ull * S * i;
		if (i == 12)
			ts[n++] = T0 + 60ull * S * i + 20 * S; /* extra */
	}
	struct ph_beacon_result r;
	assert_int_equal(score_series(ts, NULL, n, 1200, &r), 0);
	assert_true(fabs(r.period_s - 60) < 1e-6);
	assert_int_equal(r.beats, 21);
	assert_int_equal(r.expected, 21);
	/* (k - 1) summed: 1, over k summed + 1: 20 + 1 */
	assert_true(fabs(r.missed - 1.0 / 21.0) < 1e-9);
	assert_true(fabs(r.fit - 18.0 / 20.0) < 1e-9);
	assert_true(fabs(r.ds_score) < EPS); /* no sizes given */
}

static void test_random_is_not_a_beacon(void **state)
{
	(void)state;
	uint64_t ts[200], by[200], seed = 11;
	double t = 0;
	unsigned n = 0;
	for (; n < 200; n++) {
		t += -60 * log(1 - (noise(&seed) + 1) / 2); /* Poisson */
		if (t > 3600)
			break;
		ts[n] = T0 + (uint64_t)(t * 1e9);
		by[n] = 200 + (uint64_t)(1500 * (1 + noise(&seed)));
	}
	struct ph_beacon_result r;
	assert_int_equal(score_series(ts, by, n, 3600, &r), 0);
	assert_true(r.coherence < 0.5);
	assert_int_equal(ph_beacon_level(&r, &par), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_median_quartiles),
		cmocka_unit_test(test_bowley),
		cmocka_unit_test(test_mad),
		cmocka_unit_test(test_histogram_and_duration),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_exact_beacon),
		cmocka_unit_test(test_jittered_beacon),
		cmocka_unit_test(test_missed_beats),
		cmocka_unit_test(test_extra_beat_does_not_hide_a_missing_one),
		cmocka_unit_test(test_random_is_not_a_beacon),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
