/* Beacon scoring (beacon_score.h): RITA v5's four sub-scores, learnt from
 * activecm/rita analysis/beacons.go and re-written here (defaults of its
 * config: mode sensitivity 0.05, bimodal outlier removal 1, bimodal
 * minimum 11 bars, duration minimum 6 bars, ideal run 12 bars), and our
 * period estimate robust to jitter and missed beats. Times are seconds
 * (double) relative to the first beat. No allocation: every scratch array
 * holds PH_BEACON_MAX_BEATS doubles on the stack (8 KiB each, at most
 * three live at once). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "detect/beacon_score.h"
#include "peephole/ph.h"

#define HIST_BINS 24
#define MODE_SENSITIVITY 0.05
#define BIMODAL_OUTLIERS 1u
#define BIMODAL_MIN_BARS 11u
#define DUR_MIN_BARS 6u
#define DUR_IDEAL_RUN 12.0

static double round3(double x)
{
	return round(x * 1000.0) / 1000.0;
}

static double clamp01(double x)
{
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void sort_d(double *v, unsigned n)
{
	qsort(v, n, sizeof *v, cmp_double);
}

double ph_beacon_median(const double *v, unsigned n)
{
	if (!n)
		return 0;
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

void ph_beacon_quartiles(const double *v, unsigned n, double q[3])
{
	unsigned c1 = n / 2, c2 = n - n / 2;
	q[0] = ph_beacon_median(v, c1);
	q[1] = ph_beacon_median(v, n);
	q[2] = ph_beacon_median(v + c2, n - c2);
}

double ph_beacon_bowley_score(const double *v, unsigned n, double *skew)
{
	double q[3], sk = 0;
	if (n >= 3) {
		ph_beacon_quartiles(v, n, q);
		double den = q[2] - q[0];
		if (den >= 10 && q[1] != q[0] && q[1] != q[2])
			sk = (q[0] + q[2] - 2 * q[1]) / den;
	}
	if (skew)
		*skew = sk;
	return 1.0 - fabs(sk);
}

double ph_beacon_mad_score(const double *v, unsigned n, double def,
			   double *mad)
{
	double dev[PH_BEACON_MAX_BEATS];
	if (n > PH_BEACON_MAX_BEATS)
		n = PH_BEACON_MAX_BEATS;
	double med = ph_beacon_median(v, n);
	for (unsigned i = 0; i < n; i++)
		dev[i] = fabs(v[i] - med);
	sort_d(dev, n);
	double m = ph_beacon_median(dev, n), score = def;
	if (mad)
		*mad = m;
	if (med >= 1)
		score = (med - m) / med;
	return (score < 0 || isnan(score)) ? 0 : score;
}

/* RITA's statistical score of sorted v: mean of skew and MAD scores. */
static double stat_score(const double *v, unsigned n, double def,
			 double *skew, double *mad)
{
	double s = ph_beacon_bowley_score(v, n, skew);
	double m = ph_beacon_mad_score(v, n, def, mad);
	return round3((s + m) / 2.0);
}

/* ---- histogram and duration ---- */

static void hist_fill(const double *t, unsigned n, double first, double last,
		      unsigned cnt[HIST_BINS])
{
	double step = (last - first) / HIST_BINS;
	memset(cnt, 0, HIST_BINS * sizeof cnt[0]);
	for (unsigned i = 0; i < n; i++) {
		double x = step > 0 ? (t[i] - first) / step : 0;
		unsigned b = x <= 0 ? 0 : x >= HIST_BINS ? HIST_BINS - 1 :
			     (unsigned)x;
		cnt[b]++;
	}
}

/* 1 - coefficient of variation of the bin counts (0 when CV > 1). */
static double hist_cv_score(const unsigned cnt[HIST_BINS])
{
	double total = 0, sd = 0;
	for (unsigned i = 0; i < HIST_BINS; i++)
		total += cnt[i];
	if (total <= 0)
		return 0;
	double mean = total / HIST_BINS;
	for (unsigned i = 0; i < HIST_BINS; i++)
		sd += (cnt[i] - mean) * (cnt[i] - mean);
	double cv = sqrt(sd / HIST_BINS) / mean;
	return cv > 1.0 ? 0.0 : round3(1.0 - cv);
}

/* Share of the bars whose heights fall in the two most common height
 * classes (classes 5 % of the tallest bar wide), one outlier forgiven. */
static double hist_bimodal(const unsigned cnt[HIST_BINS], unsigned bars)
{
	unsigned top = 0, cls[HIST_BINS], num[HIST_BINS], ncls = 0;
	if (bars < BIMODAL_MIN_BARS)
		return 0;
	for (unsigned i = 0; i < HIST_BINS; i++)
		top = cnt[i] > top ? cnt[i] : top;
	double size = ceil(top * MODE_SENSITIVITY);
	for (unsigned i = 0; i < HIST_BINS; i++) {
		if (!cnt[i])
			continue;
		unsigned c = (unsigned)(floor(cnt[i] / size) * size), j = 0;
		while (j < ncls && cls[j] != c)
			j++;
		if (j == ncls)
			cls[ncls] = c, num[ncls++] = 0;
		num[j]++;
	}
	unsigned a = 0, b = 0;
	for (unsigned j = 0; j < ncls; j++) {
		if (num[j] > a)
			b = a, a = num[j];
		else if (num[j] > b)
			b = num[j];
	}
	double den = bars > BIMODAL_OUTLIERS ? bars - BIMODAL_OUTLIERS : 1;
	double fit = round3((a + b) / den);
	return fit > 1 ? 1 : fit;
}

double ph_beacon_hist_score(const double *t, unsigned n, double first,
			    double last, unsigned *bars, unsigned *run)
{
	unsigned cnt[HIST_BINS], nb = 0, best = 0, cur = 0;
	hist_fill(t, n, first, last, cnt);
	for (unsigned i = 0; i < 2 * HIST_BINS; i++) {
		if (cnt[i % HIST_BINS]) {
			cur++;
			nb += i < HIST_BINS;
		} else {
			best = cur > best ? cur : best;
			cur = 0;
		}
	}
	best = cur > best ? cur : best;
	*bars = nb;
	*run = best > HIST_BINS ? HIST_BINS : best;
	double cv = hist_cv_score(cnt), bi = hist_bimodal(cnt, nb);
	return cv > bi ? cv : bi;
}

double ph_beacon_dur_score(double first, double last, double tmin,
			   double tmax, unsigned bars, unsigned run)
{
	if (bars < DUR_MIN_BARS || last <= first || tmax <= tmin)
		return 0;
	double cov = ceil((tmax - tmin) / (last - first) * 1000) / 1000;
	double con = ceil(run / DUR_IDEAL_RUN * 1000) / 1000;
	double s = cov > con ? cov : con;
	return s > 1 ? 1 : s;
}

/* ---- period estimate ---- */

/* Beats interval d spans at period p (0: shorter than half a period). */
static long span_beats(double d, double p)
{
	return lround(d / p);
}

/* Median of d[i] / k over intervals spanning 1..KMAX beats at p. */
static double period_refine(const double *d, unsigned m, double p)
{
	double u[PH_BEACON_MAX_BEATS];
	unsigned j = 0;
	for (unsigned i = 0; i < m; i++) {
		long k = span_beats(d[i], p);
		if (k >= 1 && k <= (long)PH_BEACON_KMAX)
			u[j++] = d[i] / (double)k;
	}
	if (!j)
		return p;
	sort_d(u, j);
	return ph_beacon_median(u, j);
}

/* Sum of the intervals over the beats they span at p (intervals of 1..
 * KMAX beats): the least-squares period when each beat sleeps the period
 * plus independent jitter (errors add along the series, so the whole
 * span, not the median interval, pins the period best). An interval
 * shorter than half a period ends at an extra beat: it is joined to the
 * next one, so the extra beat drops out. */
static double period_mean(const double *d, unsigned m, double p)
{
	double sum = 0, carry = 0;
	long beats = 0;
	for (unsigned i = 0; i < m; i++) {
		double x = d[i] + carry;
		long k = span_beats(x, p);
		carry = k < 1 ? x : 0;
		if (k >= 1 && k <= (long)PH_BEACON_KMAX)
			sum += x, beats += k;
	}
	return beats ? sum / (double)beats : p;
}

/* Coherence, fit, jitter and missed beats of period p; returns the
 * selection value coherence x fit x (1 - missed). The fit (share of
 * intervals within a quarter period of a multiple) keeps a multiple of
 * the period from winning when a third of the intervals are single
 * beats; missed beats are counted both along the intervals (k - 1 each)
 * and against the span, so an extra beat cannot hide a missing one. */
static double period_eval(const double *d, unsigned m, double span,
			  double p, struct ph_beacon_result *r)
{
	double rel[PH_BEACON_MAX_BEATS], dev[PH_BEACON_MAX_BEATS];
	unsigned nd = 0, fit = 0;
	long spanned = 0, skipped = 0;
	for (unsigned i = 0; i < m; i++) {
		long k = span_beats(d[i], p);
		rel[i] = 0.5; /* extra beat or gap too long: unexplained */
		if (k < 1 || k > (long)PH_BEACON_KMAX)
			continue;
		dev[nd] = fabs(d[i] - (double)k * p);
		rel[i] = dev[nd++] / p;
		fit += rel[i] <= 0.25;
		spanned += k;
		skipped += k - 1;
	}
	sort_d(rel, m);
	sort_d(dev, nd);
	r->period_s = p;
	r->coherence = clamp01(1.0 - 4.0 * ph_beacon_median(rel, m));
	r->fit = (double)fit / m;
	r->jitter_s = 2.0 * ph_beacon_median(dev, nd);
	double exp = floor(span / p + 0.5) + 1;
	double along = (double)skipped / (double)(spanned + 1);
	r->expected = exp > 1e9 ? 1000000000u : (unsigned)exp;
	r->beats = m + 1;
	r->missed = exp > m + 1 ? 1.0 - (m + 1) / exp : 0;
	r->missed = along > r->missed ? along : r->missed;
	return r->coherence * r->fit * (1.0 - r->missed);
}

void ph_beacon_period(const double *t, unsigned n,
		      struct ph_beacon_result *r)
{
	double d[PH_BEACON_MAX_BEATS], c[5];
	unsigned m = n > PH_BEACON_MAX_BEATS ? PH_BEACON_MAX_BEATS - 1 : n - 1;
	for (unsigned i = 0; i < m; i++)
		d[i] = t[i + 1] - t[i];
	{
		double s[PH_BEACON_MAX_BEATS];
		memcpy(s, d, m * sizeof *d);
		sort_d(s, m);
		double med = ph_beacon_median(s, m);
		c[0] = med, c[1] = s[m / 4], c[2] = med / 2, c[3] = med / 3;
		c[4] = med / 4;
	}
	sort_d(c, 5);
	double span = t[m] - t[0], best = -1;
	struct ph_beacon_result tmp = *r, keep = *r;
	for (int i = 4; i >= 0; i--) { /* longest candidate first */
		if (c[i] < 1e-3)
			continue;
		double p = period_refine(d, m, period_refine(d, m, c[i]));
		p = period_mean(d, m, p);
		double v = period_eval(d, m, span, p, &tmp);
		if (v > best + 1e-9)
			best = v, keep = tmp;
	}
	*r = keep;
}

/* ---- the whole score ---- */

static void score_ts(const double *t, unsigned n, struct ph_beacon_result *r)
{
	double d[PH_BEACON_MAX_BEATS];
	unsigned m = 0;
	for (unsigned i = 0; i + 1 < n; i++)
		if (t[i + 1] - t[i] > 0)
			d[m++] = t[i + 1] - t[i];
	if (m < 3)
		return;
	sort_d(d, m);
	r->ts_score = stat_score(d, m, 1.0, &r->ts_skew, &r->ts_mad_s);
}

static void score_ds(const uint64_t *bytes, unsigned n,
		     struct ph_beacon_result *r)
{
	double v[PH_BEACON_MAX_BEATS];
	if (!bytes)
		return;
	for (unsigned i = 0; i < n; i++)
		v[i] = (double)bytes[i];
	sort_d(v, n);
	r->median_bytes = ph_beacon_median(v, n);
	r->ds_score = stat_score(v, n, 0.0, &r->ds_skew, &r->ds_mad);
}

/* The combined score: regularity (period coherence, or RITA's timestamp
 * score above 0.6 for wide bounded jitter, trusted in full from 21 beats:
 * on fewer, random times often score 0.8) weighted by the beats present,
 * plus RITA's data-size, histogram and duration scores. */
static double combine(const struct ph_beacon_result *r)
{
	double g = clamp01((r->ts_score - 0.6) / 0.4);
	g *= r->beats >= 21 ? 1.0 : (r->beats - 1) / 20.0;
	double reg = r->coherence > g ? r->coherence : g;
	return round3(0.55 * reg * (1.0 - 0.5 * r->missed) +
		      0.15 * (r->ds_score + r->hist_score + r->dur_score));
}

static double rel_s(uint64_t x, uint64_t base)
{
	return (double)(int64_t)(x - base) / 1e9;
}

int ph_beacon_score(const struct ph_beacon_series *s,
		    struct ph_beacon_result *r)
{
	double t[PH_BEACON_MAX_BEATS];
	unsigned n = s->n > PH_BEACON_MAX_BEATS ? PH_BEACON_MAX_BEATS : s->n;
	memset(r, 0, sizeof *r);
	if (n < PH_BEACON_MIN_BEATS || s->span_last_ns <= s->span_first_ns)
		return PH_EINVAL;
	for (unsigned i = 0; i < n; i++)
		t[i] = rel_s(s->ts_ns[i], s->ts_ns[0]);
	sort_d(t, n);
	if (t[n - 1] <= t[0])
		return PH_EINVAL;
	double first = rel_s(s->span_first_ns, s->ts_ns[0]);
	double last = rel_s(s->span_last_ns, s->ts_ns[0]);
	unsigned bars = 0, run = 0;
	score_ts(t, n, r);
	score_ds(s->bytes, n, r);
	r->hist_score = ph_beacon_hist_score(t, n, first, last, &bars, &run);
	r->dur_score = ph_beacon_dur_score(first, last, t[0], t[n - 1], bars,
					   run);
	r->rita_score = round3(0.25 * (r->ts_score + r->ds_score +
				       r->hist_score + r->dur_score));
	ph_beacon_period(t, n, r);
	r->score = combine(r);
	return PH_OK;
}

unsigned ph_beacon_merge(uint64_t *ts_ns, uint64_t *bytes, unsigned n,
			 uint64_t window_ns)
{
	unsigned out = 0;
	for (unsigned i = 0; i < n; i++) {
		if (out && ts_ns[i] - ts_ns[out - 1] < window_ns) {
			if (bytes)
				bytes[out - 1] += bytes[i];
			continue;
		}
		ts_ns[out] = ts_ns[i];
		if (bytes)
			bytes[out] = bytes[i];
		out++;
	}
	return out;
}

/* A period that says most beats are missing needs a coherent series:
 * with few beats, random times often fit some short period loosely. */
int ph_beacon_level(const struct ph_beacon_result *r,
		    const struct ph_beacon_params *p)
{
	double span = r->period_s * (r->expected ? r->expected - 1 : 0);
	if (r->beats < p->min_beats || r->period_s < p->min_period_s ||
	    span < p->min_span_s || r->score < p->min_score ||
	    (r->missed > 0.5 && r->coherence < 0.8))
		return 0;
	return r->score >= p->strong_score ? 2 : 1;
}
