/* The inline SVG charts of the HTML report (html.h): the connection
 * timeline (one row per destination, a tick per connection start, rows
 * with findings in red with the findings' time spans shaded), bytes sent
 * and received per destination, and the two plots of a beacon (histogram
 * of intervals, intervals over time). Drawn in a fixed 1000-unit-wide
 * viewBox that the page scales to its width. Caps: TL_ROWS timeline rows,
 * VOL_ROWS bars; ticks closer than half a unit are drawn once, so a row
 * costs at most ~1600 ticks whatever the connection count. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report/html.h"

#define W 1000.0
#define LABEL_W 270.0
#define TL_ROWS 40
#define TL_ROW_H 20.0
#define VOL_ROWS 25
#define BUCKETS 1600
#define COL_RED "#c92a2a"
#define COL_BLUE "#1c7ed6"
#define COL_ORANGE "#e8590c"

/* ---- timeline ----------------------------------------------------------- */

struct tl_row {
	unsigned i;  /* index in hd */
	int worst;
	uint64_t conns;
};

static int cmp_row(const void *a, const void *b)
{
	const struct tl_row *x = a, *y = b;
	if (x->worst != y->worst)
		return x->worst > y->worst ? -1 : 1;
	if (x->conns != y->conns)
		return x->conns > y->conns ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static double xpos(uint64_t t, uint64_t t0, uint64_t t1)
{
	double f = t <= t0 ? 0 : (double)(t - t0) / (double)(t1 - t0);
	return LABEL_W + (f > 1 ? 1 : f) * (W - LABEL_W - 10);
}

/* Tick label: HH:MM:SS within a day, else "MM-DD HH:MM" within a week,
 * else the date. */
static void tick_label(uint64_t t, uint64_t span, char *b, size_t n)
{
	const uint64_t day = 86400ull * 1000000000u;
	char full[40];
	ph_html_time(t, full, sizeof full, false); /* "2024-05-01 12:00:03 UTC" */
	if (span <= day)
		snprintf(b, n, "%.8s", full + 11);
	else if (span <= 7 * day)
		snprintf(b, n, "%.11s", full + 5);
	else
		snprintf(b, n, "%.10s", full);
}

static void axis(FILE *out, uint64_t t0, uint64_t t1, double h)
{
	for (int k = 0; k <= 5; k++) {
		uint64_t t = t0 + (uint64_t)((double)(t1 - t0) * k / 5.0);
		double x = xpos(t, t0, t1);
		char b[40];
		tick_label(t, t1 - t0, b, sizeof b);
		fprintf(out, "<line x1=\"%.1f\" y1=\"18\" x2=\"%.1f\" y2=\"%.1f\" "
			"class=\"grid\"/><text x=\"%.1f\" y=\"13\" "
			"text-anchor=\"%s\" class=\"ax\">%s</text>\n", x, x, h, x,
			k == 0 ? "start" : k == 5 ? "end" : "middle", b);
	}
}

/* Shaded spans of the findings about destination k. */
static void bands(FILE *out, const struct ph_check *c,
		  const struct ph_html_dests *hd, unsigned k, double y,
		  uint64_t t0, uint64_t t1)
{
	unsigned nf = c->findings ? ph_findings_count(c->findings) : 0;
	for (unsigned i = 0, drawn = 0; i < nf && drawn < 8; i++) {
		if (ph_html_dest_of(hd, i) != (int)k)
			continue;
		const struct ph_finding *x = ph_findings_get(c->findings, i);
		double a = xpos(x->first_ns, t0, t1), b = xpos(x->last_ns, t0, t1);
		fprintf(out, "<rect class=\"band\" x=\"%.1f\" y=\"%.1f\" "
			"width=\"%.1f\" height=\"%.1f\"/>", a - 1, y + 1,
			b - a + 2, TL_ROW_H - 2);
		drawn++;
	}
}

static void ticks(FILE *out, const struct ph_destination *d, double y,
		  uint64_t t0, uint64_t t1, bool red)
{
	static const size_t nb = BUCKETS;
	unsigned char seen[BUCKETS];
	memset(seen, 0, sizeof seen);
	fprintf(out, "<path class=\"tick\" stroke=\"%s\" d=\"",
		red ? COL_RED : COL_BLUE);
	for (unsigned s = 0; s < d->nstarts; s++) {
		double x = xpos(d->starts[s], t0, t1);
		size_t b = (size_t)((x - LABEL_W) * 2);
		if (b >= nb || seen[b])
			continue;
		seen[b] = 1;
		fprintf(out, "M%.1f %.1fv%.0f", x, y + 3, TL_ROW_H - 6);
	}
	fputs("\"/>\n", out);
}

static void tl_label(FILE *out, const struct ph_html_dests *hd,
		     const struct ph_html_dest *e, double y)
{
	fprintf(out, "<text x=\"4\" y=\"%.1f\" class=\"lbl%s\"><title>",
		y + 14, ph_html_hot(e) ? " red" : "");
	ph_html_dest_label(out, hd, e, 0);
	fprintf(out, ": %" PRIu64 " connection%s</title>", e->d.conns,
		e->d.conns == 1 ? "" : "s");
	fputs(ph_html_hot(e) ? "\xe2\x9a\xa0 " : "", out);
	ph_html_dest_label(out, hd, e, 38);
	fputs("</text>\n", out);
}

void ph_html_svg_timeline(FILE *out, const struct ph_check *c,
			  const struct ph_html_dests *hd)
{
	uint64_t t0 = c->first_ns, t1 = c->last_ns;
	if (t1 <= t0)
		t1 = t0 + 1000000000u;
	struct tl_row *r = calloc(hd->n ? hd->n : 1, sizeof *r);
	if (!r)
		return;
	for (unsigned i = 0; i < hd->n; i++)
		r[i] = (struct tl_row){i, hd->v[i].worst, hd->v[i].d.conns};
	qsort(r, hd->n, sizeof *r, cmp_row);
	unsigned rows = hd->n < TL_ROWS ? hd->n : TL_ROWS;
	double h = 24 + rows * TL_ROW_H + 4;
	fprintf(out, "<svg id=\"timeline\" class=\"chart\" viewBox=\"0 0 %.0f "
		"%.0f\" role=\"img\" aria-label=\"Connections over time per "
		"destination\">\n", W, h);
	axis(out, t0, t1, h);
	for (unsigned k = 0; k < rows; k++) {
		const struct ph_html_dest *e = &hd->v[r[k].i];
		double y = 22 + k * TL_ROW_H;
		fprintf(out, "<rect class=\"row%s\" x=\"0\" y=\"%.1f\" "
			"width=\"%.0f\" height=\"%.0f\"/>", ph_html_hot(e) ? " hot"
			: k % 2 ? " odd" : "", y, W, TL_ROW_H);
		if (ph_html_hot(e))
			bands(out, c, hd, r[k].i, y, t0, t1);
		tl_label(out, hd, e, y);
		ticks(out, &e->d, y, t0, t1, ph_html_hot(e));
	}
	fputs("</svg>\n", out);
	if (hd->n > rows)
		fprintf(out, "<p class=\"note\">%u more destination%s not drawn "
			"(the table lists them).</p>\n", hd->n - rows,
			hd->n - rows == 1 ? "" : "s");
	free(r);
}

/* ---- data volume -------------------------------------------------------- */

static bool uploads(const struct ph_destination *d)
{
	return d->bytes_up > d->bytes_down && d->bytes_up >= 100000;
}

static void vol_row(FILE *out, const struct ph_html_dests *hd,
		    const struct ph_html_dest *e, unsigned k, double scale)
{
	const struct ph_destination *d = &e->d;
	double y = 8 + k * 30.0, pw = W - LABEL_W - 250; /* room for text */
	double wu = (double)d->bytes_up * scale * pw;
	double wd = (double)d->bytes_down * scale * pw;
	char bu[32], bd[32];
	ph_html_bytes(d->bytes_up, bu, sizeof bu);
	ph_html_bytes(d->bytes_down, bd, sizeof bd);
	fprintf(out, "<text x=\"4\" y=\"%.1f\" class=\"lbl%s\"><title>", y + 15,
		uploads(d) ? " red" : "");
	ph_html_dest_label(out, hd, e, 0);
	fputs("</title>", out);
	ph_html_dest_label(out, hd, e, 38);
	fprintf(out, "</text><rect x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" "
		"height=\"10\" fill=\"%s\" class=\"up\"/><text x=\"%.1f\" "
		"y=\"%.1f\" class=\"val\">\xe2\x86\x91 %s sent%s</text>",
		LABEL_W, y + 2, wu > 0.5 || !d->bytes_up ? wu : 0.5,
		uploads(d) ? COL_RED : COL_ORANGE, LABEL_W + wu + 4, y + 11, bu,
		uploads(d) ? " (more than received)" : "");
	fprintf(out, "<rect x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" height=\"10\" "
		"fill=\"%s\" class=\"down\"/><text x=\"%.1f\" y=\"%.1f\" "
		"class=\"val\">\xe2\x86\x93 %s received</text>\n", LABEL_W, y + 14,
		wd > 0.5 || !d->bytes_down ? wd : 0.5, COL_BLUE,
		LABEL_W + wd + 4, y + 23, bd);
}

void ph_html_svg_volume(FILE *out, const struct ph_html_dests *hd)
{
	unsigned rows = 0;
	uint64_t max = 1;
	for (unsigned i = 0; i < hd->n && rows < VOL_ROWS; i++, rows++) {
		const struct ph_destination *d = &hd->v[i].d;
		max = d->bytes_up > max ? d->bytes_up : max;
		max = d->bytes_down > max ? d->bytes_down : max;
	}
	fprintf(out, "<svg id=\"volume\" class=\"chart\" viewBox=\"0 0 %.0f "
		"%.0f\" role=\"img\" aria-label=\"Bytes sent and received per "
		"destination\">\n", W, 12 + rows * 30.0);
	for (unsigned k = 0; k < rows; k++)
		vol_row(out, hd, &hd->v[k], k, 1.0 / (double)max);
	fputs("</svg>\n", out);
}

/* ---- beacon plots ------------------------------------------------------- */

#define BINS 30
#define BW 480.0
#define BH 210.0
#define PX 14.0   /* plot left and right margin */
#define PTOP 40.0 /* plot top (the median's label above) */
#define PBOT 28.0 /* below the plot: axis labels */

/* "45 s", "2.5 s", "4 min", "1.5 h". */
static void fmt_secs(double s, char *b, size_t n)
{
	if (s >= 5400)
		snprintf(b, n, "%.1f h", s / 3600);
	else if (s >= 120)
		snprintf(b, n, "%.0f min", s / 60);
	else
		snprintf(b, n, s >= 10 || s == 0 ? "%.0f s" : "%.1f s", s);
}

/* Labels 0, top/2 and top under the x axis of a plot. */
static void x_labels(FILE *out, double top)
{
	char a[24], b[24];
	fmt_secs(top / 2, a, sizeof a);
	fmt_secs(top, b, sizeof b);
	fprintf(out, "<text x=\"%.0f\" y=\"%.0f\" class=\"ax\">0 s</text>"
		"<text x=\"%.0f\" y=\"%.0f\" class=\"ax\" text-anchor=\"middle\">"
		"%s</text><text x=\"%.0f\" y=\"%.0f\" class=\"ax\" "
		"text-anchor=\"end\">%s</text>", PX, BH - 8, BW / 2, BH - 8, a,
		BW - PX, BH - 8, b);
}

/* Histogram of the intervals on 0..top: a fixed timer is one tall bar. */
static void beacon_hist(FILE *out, const double *dt, unsigned n, double top,
			double median)
{
	unsigned bin[BINS] = {0}, most = 1;
	for (unsigned i = 0; i < n; i++) {
		int b = (int)(dt[i] / top * BINS);
		b = b >= BINS ? BINS - 1 : b < 0 ? 0 : b;
		if (++bin[b] > most)
			most = bin[b];
	}
	fprintf(out, "<svg class=\"chart beacon-hist\" viewBox=\"0 0 %.0f %.0f\" "
		"role=\"img\" aria-label=\"Histogram of intervals\">"
		"<text x=\"6\" y=\"16\" class=\"ax\">time between repeats "
		"(%u intervals): one tall bar = a fixed timer</text>"
		"<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" "
		"class=\"grid\"/>", BW, BH, n, PX, BH - PBOT, BW - PX, BH - PBOT);
	double pw = (BW - 2 * PX) / BINS, ph = BH - PBOT - PTOP;
	for (unsigned b = 0; b < BINS; b++) {
		double h = (double)bin[b] / most * ph;
		char lo[24], hi[24];
		fmt_secs(top * b / BINS, lo, sizeof lo);
		fmt_secs(top * (b + 1) / BINS, hi, sizeof hi);
		if (bin[b])
			fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				"height=\"%.1f\" fill=\"%s\"><title>%u interval%s of "
				"%s to %s</title></rect>", PX + b * pw,
				BH - PBOT - h, pw - 1, h, COL_RED, bin[b],
				bin[b] == 1 ? "" : "s", lo, hi);
	}
	char m[24];
	fmt_secs(median, m, sizeof m);
	double mx = PX + median / top * (BW - 2 * PX);
	fprintf(out, "<text x=\"%.1f\" y=\"%.0f\" class=\"ax\" "
		"text-anchor=\"%s\">median %s</text>", mx, PTOP - 2,
		mx > BW - 90 ? "end" : mx < 90 ? "start" : "middle", m);
	x_labels(out, top);
	fputs("</svg>\n", out);
}

/* Each interval as a dot at the time it ended, height = its length. */
static void beacon_series_plot(FILE *out, const uint64_t *ts,
			       const double *dt, unsigned n, double top)
{
	char t[24];
	fmt_secs(top, t, sizeof t);
	fprintf(out, "<svg class=\"chart beacon-time\" viewBox=\"0 0 %.0f %.0f\" "
		"role=\"img\" aria-label=\"Intervals over time\">"
		"<text x=\"6\" y=\"16\" class=\"ax\">each repeat: time since "
		"the one before (0 to %s), over the capture</text>"
		"<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" "
		"class=\"grid\"/><path class=\"dots\" stroke=\"%s\" d=\"", BW,
		BH, t, PX, BH - PBOT, BW - PX, BH - PBOT, COL_RED);
	uint64_t t0 = ts[0], t1 = ts[n] > ts[0] ? ts[n] : ts[0] + 1;
	double ph = BH - PBOT - PTOP;
	for (unsigned i = 0; i < n; i++) {
		double x = PX + (double)(ts[i + 1] - t0) / (double)(t1 - t0) *
					(BW - 2 * PX);
		fprintf(out, "M%.1f %.1fh0.1", x, BH - PBOT - dt[i] / top * ph);
	}
	char a[40], z[40];
	ph_html_time(t0, a, sizeof a, true);
	ph_html_time(t1, z, sizeof z, true);
	fprintf(out, "\"/><text x=\"%.0f\" y=\"%.0f\" class=\"ax\">%s</text>"
		"<text x=\"%.0f\" y=\"%.0f\" class=\"ax\" text-anchor=\"end\">"
		"%s</text></svg>\n", PX, BH - 8, a, BW - PX, BH - 8, z);
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

void ph_html_svg_beacon(FILE *out, const uint64_t *ts, unsigned n)
{
	if (n < 3)
		return;
	double *dt = malloc(2 * (n - 1) * sizeof *dt), *sorted = dt + n - 1;
	if (!dt)
		return;
	double hi = 0;
	for (unsigned i = 0; i + 1 < n; i++) {
		uint64_t a = ts[i], b = ts[i + 1];
		dt[i] = b > a ? (double)(b - a) / 1e9 : 0;
		hi = dt[i] > hi ? dt[i] : hi;
	}
	double top = hi > 0 ? hi * 1.25 : 1; /* headroom: the longest is not
						  on the edge */
	memcpy(sorted, dt, (n - 1) * sizeof *dt);
	qsort(sorted, n - 1, sizeof *sorted, cmp_dbl);
	fputs("<div class=\"plots\">", out);
	beacon_hist(out, dt, n - 1, top, sorted[(n - 1) / 2]);
	beacon_series_plot(out, ts, dt, n - 1, top);
	fputs("</div>\n", out);
	free(dt);
}
