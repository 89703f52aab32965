/* Beacon scoring for the beacon detection (src/detect/beacon.c): pure
 * functions of a series of beat times (and bytes per beat), no I/O, no
 * allocation (scratch arrays of PH_BEACON_MAX_BEATS on the stack).
 * Two parts. (1) The scores RITA v5 computes (activecm/rita,
 * analysis/beacons.go), re-implemented: timestamp and data-size scores
 * from Bowley skewness and median absolute deviation, a 24-bin histogram
 * score (coefficient of variation or bimodal fit), a duration score
 * (coverage or consistency), weighted 0.25 each. (2) A period estimate
 * robust to jitter and missed beats: candidate periods from the median
 * interval and its sub-multiples, each refined as the median of
 * interval / k (k = beats the interval spans), scored by how well the
 * intervals fold onto multiples of it (coherence) and how many beats it
 * says are missing. The combined score mixes both (beacon.md). */
#ifndef PH_DETECT_BEACON_SCORE_H
#define PH_DETECT_BEACON_SCORE_H

#include <stdint.h>

#define PH_BEACON_MAX_BEATS 1024u /* beats scored at most (callers cap) */
#define PH_BEACON_MIN_BEATS 4u    /* fewer: nothing is scored */
#define PH_BEACON_KMAX 8u         /* longest run of missed beats bridged */

/* A series to score; everything borrowed for the call. */
struct ph_beacon_series {
	const uint64_t *ts_ns;   /* beat times, ascending */
	const uint64_t *bytes;   /* bytes per beat, or NULL (ds score 0) */
	unsigned n;              /* <= PH_BEACON_MAX_BEATS (more ignored) */
	uint64_t span_first_ns;  /* the capture's first and last packet: */
	uint64_t span_last_ns;   /* the "dataset" of RITA's hist/duration */
};

struct ph_beacon_result {
	/* RITA-style sub-scores, 0..1, rounded to 3 decimals as RITA does */
	double ts_score, ds_score, hist_score, dur_score, rita_score;
	double ts_skew, ts_mad_s, ds_skew, ds_mad;
	/* period estimate */
	double period_s;     /* 0 when none */
	double jitter_s;     /* twice the median deviation of an interval
				from its multiple of the period (the
				half-width of uniform jitter) */
	double coherence;    /* 0..1: 1 - 4 x median relative deviation */
	double fit;          /* 0..1: intervals within a quarter period of a
				multiple of it */
	double missed;       /* 0..1: beats missing (along the intervals, or
				against span / period, the larger) */
	unsigned beats, expected;
	double median_bytes; /* per beat */
	/* combined 0..1: what the detection thresholds */
	double score;
};

/* Scores s into r (zeroed first). PH_OK, or PH_EINVAL when s has fewer
 * than PH_BEACON_MIN_BEATS beats or a span of 0 (r stays zero). */
int ph_beacon_score(const struct ph_beacon_series *s,
		    struct ph_beacon_result *r);

/* Merges ascending times ts[0..n) closer than window_ns to the first
 * time of the current beat into that beat (bytes summed; bytes may be
 * NULL), in place; returns the number of beats. A beat that opens two
 * connections at once counts once. */
unsigned ph_beacon_merge(uint64_t *ts_ns, uint64_t *bytes, unsigned n,
			 uint64_t window_ns);

/* What makes a series a beacon (the detection's options). */
struct ph_beacon_params {
	unsigned min_beats;   /* beats present */
	double min_period_s;  /* shorter periods are ignored (polling) */
	double min_span_s;    /* first to last beat */
	double min_score;     /* combined score for a finding */
	double strong_score;  /* combined score for a strong one */
};

/* 0: not a beacon (also when more than half the beats the period
 * predicts are missing and the coherence is under 0.8); 1: periodic;
 * 2: strongly periodic. */
int ph_beacon_level(const struct ph_beacon_result *r,
		    const struct ph_beacon_params *p);

/* ---- the pieces, exposed for the unit tests ---- */

/* Median of sorted v[0..n) (mean of the middle two when n is even). */
double ph_beacon_median(const double *v, unsigned n);
/* Tukey hinges of sorted v: q[0] median of the lower half, q[1] median,
 * q[2] median of the upper half (the middle value excluded when n is odd,
 * as the Go stats package RITA uses). */
void ph_beacon_quartiles(const double *v, unsigned n, double q[3]);
/* Bowley skewness score 1 - |skew| of sorted v (n >= 3); skew is 0 when
 * Q3 - Q1 < 10 or the median equals a quartile (RITA). *skew may be NULL. */
double ph_beacon_bowley_score(const double *v, unsigned n, double *skew);
/* MAD score (median - MAD) / median of sorted v, floored at 0; def when
 * the median is below 1. *mad may be NULL. */
double ph_beacon_mad_score(const double *v, unsigned n, double def,
			   double *mad);
/* Histogram score of ascending times t[0..n) (seconds) over 24 equal bins
 * of [first, last]: max(1 - CV of the bin counts, bimodal fit); *bars =
 * bins with a beat, *run = longest run of such bins (wrapping). */
double ph_beacon_hist_score(const double *t, unsigned n, double first,
			    double last, unsigned *bars, unsigned *run);
/* Duration score: 0 below 6 bars, else max(coverage of [first, last] by
 * [tmin, tmax], run / 12), capped at 1. */
double ph_beacon_dur_score(double first, double last, double tmin,
			   double tmax, unsigned bars, unsigned run);

/* Period estimate of ascending times t[0..n) (seconds, n >= 3): fills
 * period_s, jitter_s, coherence, fit, missed, beats, expected of r. */
void ph_beacon_period(const double *t, unsigned n,
		      struct ph_beacon_result *r);

#endif
