/* Beacon detection sweep: generates sessions of one device contacting one
 * destination with a controlled period, jitter and share of missed beats
 * (some with other, random connections to the same destination mixed
 * in), and sessions of benign background traffic (Poisson, bursty,
 * on/off); scores each with the beacon detection's scoring library
 * (src/detect/beacon_score.c: the same merge, score and level the module
 * runs at the end of a capture, with the module's default options), and
 * prints the detection rate per beacon setting and the false-positive
 * rate per noise setting. With "e2e" each session is instead written as
 * a pcap (a DNS answer, then one small TCP conversation per connection:
 * tests/support/check_fixture.h) and run through the whole pipeline
 * (ph_run, every detection); a session counts as detected when a
 * beacon.* finding names its destination. Deterministic (fixed seed).
 * Not a unit test: run it by hand (bench/beacon-sweep.sh).
 *
 *   beacon_sweep [SESSIONS [SEED [e2e]]]   default 100 sessions, seed 1 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_fixture.h"
#include "detect/beacon_score.h"

#define S 1000000000ull
#define MAXC 4096u
#define RITA_FLAG 0.7 /* RITA's own score alone, for comparison */

struct rng { uint64_t s; };

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double uni(struct rng *r) /* [0, 1) */
{
	return (double)(rng_next(r) >> 11) / 9007199254740992.0;
}

static double expo(struct rng *r, double mean)
{
	return -mean * log(1.0 - uni(r));
}

/* One generated session: connection start times and bytes. */
struct sess {
	uint64_t ts[MAXC], bytes[MAXC];
	unsigned n;
	uint64_t first, last; /* capture span */
};

static void add(struct sess *s, double t, double bytes)
{
	if (s->n < MAXC && t >= 0) {
		s->ts[s->n] = (uint64_t)(t * 1e9) + 1700000000ull * S;
		s->bytes[s->n++] = (uint64_t)(bytes < 1 ? 1 : bytes);
	}
}

static double span_for(double period)
{
	return period * 24 > 1800 ? period * 24 : 1800;
}

/* A beacon: sleep period x (1 + jitter x U[-1, 1]) between beats (as
 * implants do), each beat dropped with probability miss; ~300 bytes
 * +- 5 % per beat; the capture starts up to one period before it. */
static void gen_beacon(struct rng *r, struct sess *s, double period,
		       double jitter, double miss, double noise)
{
	double span = span_for(period), t = uni(r) * period;
	s->n = 0;
	while (t < span) {
		if (uni(r) >= miss)
			add(s, t, 300 * (0.95 + 0.1 * uni(r)));
		t += period * (1 + jitter * (2 * uni(r) - 1));
	}
	/* background: other connections to the same destination, Poisson
	 * with mean gap `noise` (0: none), sizes as benign traffic */
	for (t = noise > 0 ? expo(r, noise) : span; t < span;
	     t += expo(r, noise))
		add(s, t, 2000 * exp(1.2 * (uni(r) + uni(r) + uni(r) - 1.5)));
}

/* Benign traffic: 0 Poisson (mean gap `mean`), 1 bursts of 2-8
 * connections 1-20 s apart at Poisson times, 2 on/off (Poisson while
 * "on", quiet for minutes). Sizes log-normal around 2 kB. */
static void gen_noise(struct rng *r, struct sess *s, int kind, double mean,
		      double span)
{
	double t = expo(r, mean);
	s->n = 0;
	while (t < span) {
		double sz = 2000 * exp(1.2 * (uni(r) + uni(r) + uni(r) - 1.5));
		if (kind == 1) {
			int k = 2 + (int)(uni(r) * 7);
			for (double u = t; k-- > 0; u += 1 + uni(r) * 19)
				add(s, u, sz);
		} else {
			add(s, t, sz);
		}
		t += expo(r, mean);
		if (kind == 2 && uni(r) < 0.2)
			t += 120 + uni(r) * 600;
	}
}

static const struct ph_beacon_params params = {
	.min_beats = 6, .min_period_s = 10, .min_span_s = 180,
	.min_score = 0.6, .strong_score = 0.8,
};

struct rec { uint64_t ts, bytes; };

static int rec_cmp(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	return (x->ts > y->ts) - (x->ts < y->ts);
}

static void sess_sort(struct sess *s)
{
	static struct rec v[MAXC];
	for (unsigned i = 0; i < s->n; i++)
		v[i].ts = s->ts[i], v[i].bytes = s->bytes[i];
	qsort(v, s->n, sizeof v[0], rec_cmp);
	for (unsigned i = 0; i < s->n; i++)
		s->ts[i] = v[i].ts, s->bytes[i] = v[i].bytes;
}

static int e2e_mode;

/* End to end: the session as a capture through ph_run; 2 when a high
 * beacon finding came out, 1 for any other beacon finding, else 0. */
static int judge_e2e(const struct sess *s, struct ph_beacon_result *res)
{
	struct cfx x;
	static const char req[] = "\x17\x03\x03\x00\x10" "0123456789abcdef";
	static const char buf[1400];
	cfx_open(&x);
	cfx_dns_lookup(&x, s->first, "192.168.1.23", 33000, "192.168.1.1",
		       "api.sweep-dest.net", 1, 0, "203.0.113.80");
	for (unsigned i = 0; i < s->n; i++) {
		struct cfx_tcp t;
		uint64_t ts = s->ts[i];
		size_t down = s->bytes[i] % 1400 + 1;
		cfx_tcp_open(&x, &t, "192.168.1.23",
			     (uint16_t)(20000 + i % 40000), "203.0.113.80",
			     443, ts);
		cfx_tcp_send(&x, &t, 0, ts + 3000000, req, sizeof req - 1);
		cfx_tcp_send(&x, &t, 1, ts + 5000000, buf, down);
		cfx_tcp_close(&x, &t, ts + 9000000);
	}
	struct ph_findings *f = cfx_run(&x, NULL, 0);
	int lv = 0;
	for (unsigned i = 0; i < ph_findings_count(f); i++) {
		const struct ph_finding *d = ph_findings_get(f, i);
		const char *e = strstr(d->title, "every ");
		if (strncmp(d->id, "beacon.", 7) != 0 ||
		    !strstr(d->remote, "203.0.113.80"))
			continue;
		int l = d->severity >= PH_SEV_HIGH ? 2 : 1;
		lv = l > lv ? l : lv;
		if (e && sscanf(e, "every %lf", &res->period_s) != 1)
			res->period_s = 0;
	}
	cfx_close(&x, f);
	return lv;
}

/* Level of one session (merged into beats like the module does). */
static int judge(struct sess *s, double span, struct ph_beacon_result *res)
{
	sess_sort(s);
	if (e2e_mode) {
		s->first = 1700000000ull * S;
		memset(res, 0, sizeof *res);
		return judge_e2e(s, res);
	}
	s->first = 1700000000ull * S;
	s->last = s->first + (uint64_t)(span * 1e9);
	unsigned n = ph_beacon_merge(s->ts, s->bytes, s->n, S);
	if (n > PH_BEACON_MAX_BEATS)
		n = PH_BEACON_MAX_BEATS;
	struct ph_beacon_series se = {s->ts, s->bytes, n, s->first, s->last};
	if (ph_beacon_score(&se, res) < 0)
		return 0;
	return ph_beacon_level(res, &params);
}

static void beacon_row(struct rng *r, struct sess *s, unsigned sessions,
		       double period, double jitter, double miss, double noise)
{
	unsigned hit = 0, strong = 0, close = 0, rita = 0;
	double score = 0;
	for (unsigned i = 0; i < sessions; i++) {
		struct ph_beacon_result res;
		gen_beacon(r, s, period, jitter, miss, noise);
		int lv = judge(s, span_for(period), &res);
		hit += lv > 0;
		strong += lv > 1;
		close += lv > 0 && fabs(res.period_s - period) <= 0.05 * period;
		rita += res.rita_score >= RITA_FLAG;
		score += res.score;
	}
	char name[64];
	snprintf(name, sizeof name, "beacon %3.0f s%s", period,
		 noise > 0 ? " + noise" : "");
	printf("| %s | %2.0f %% | %2.0f %% | %5.0f | %3u %% "
	       "| %3u %% | %3u %% | %.2f | %3u %% |\n", name, jitter * 100,
	       miss * 100, span_for(period) / 60, hit * 100 / sessions,
	       strong * 100 / sessions, close * 100 / sessions,
	       score / sessions, rita * 100 / sessions);
}

static void noise_row(struct rng *r, struct sess *s, unsigned sessions,
		      int kind, double mean, double span)
{
	static const char *const names[] = {"Poisson", "bursty", "on/off"};
	unsigned hit = 0, strong = 0, rita = 0;
	double score = 0;
	for (unsigned i = 0; i < sessions; i++) {
		struct ph_beacon_result res;
		gen_noise(r, s, kind, mean, span);
		int lv = judge(s, span, &res);
		rita += res.rita_score >= RITA_FLAG;
		hit += lv > 0;
		strong += lv > 1;
		score += res.score;
	}
	printf("| noise %-7s mean %3.0f s | | | %5.0f | %3u %% | %3u %% | | "
	       "%.2f | %3u %% |\n", names[kind], mean, span / 60,
	       hit * 100 / sessions, strong * 100 / sessions, score / sessions,
	       rita * 100 / sessions);
}

int main(int argc, char **argv)
{
	unsigned sessions = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10)
				     : 100;
	struct rng r = {argc > 2 ? strtoull(argv[2], NULL, 10) : 1};
	static struct sess s;
	static const double periods[] = {30, 60, 300};
	static const double jit[] = {0, 0.1, 0.3, 0.5};
	static const double miss[] = {0, 0.2, 0.4};
	e2e_mode = argc > 3 && strcmp(argv[3], "e2e") == 0;
	if (!sessions)
		sessions = 1;
	printf("%u sessions per setting; %s, default options\n\n", sessions,
	       e2e_mode ? "end to end (pcap, ph_run, every detection; "
			  "\"strong\" = high finding; the score and RITA "
			  "columns are the library mode's only)" :
			  "scoring library (merge, score, level)");
	printf("| setting | jitter | missed | minutes | detected | strong "
	       "| period within 5 %% | mean score | RITA score >= 0.7 |\n");
	printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (unsigned p = 0; p < 3; p++)
		for (unsigned j = 0; j < 4; j++)
			for (unsigned m = 0; m < 3; m++)
				beacon_row(&r, &s, sessions, periods[p],
					   jit[j], miss[m], 0);
	/* beacons with other traffic to the same destination mixed in
	 * (one connection per 5 periods on average) */
	for (unsigned p = 1; p < 3; p++)
		for (unsigned m = 0; m < 3; m++)
			beacon_row(&r, &s, sessions, periods[p], 0.1, miss[m],
				   5 * periods[p]);
	/* benign traffic: mean gap and capture length (the sparse ones, 9
	 * to 15 connections in 30 minutes, are where chance looks periodic) */
	static const double nmean[] = {30, 60, 120, 200, 300};
	static const double nspan[] = {1800, 1800, 1800, 1800, 7200};
	for (int k = 0; k < 3; k++)
		for (unsigned p = 0; p < 5; p++)
			noise_row(&r, &s, sessions, k, nmean[p], nspan[p]);
	return 0;
}
