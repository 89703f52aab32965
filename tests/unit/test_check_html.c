/* Tests of the HTML report (src/report/check_html.c and html_*.c): the
 * crafted capture of html_fixture.h run through the whole pipeline, the
 * report rendered into memory and its text checked: verdict banner, every
 * finding id, the destination table with its insecure and finding marks,
 * the charts, escaping of hostile names, no external resource, the GeoIP
 * columns only with a database, and a report with nothing in it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "html_fixture.h"
#include "peephole/check.h"
#include "peephole/geoip.h"
#include "report/html.h"

struct rendered {
	struct cfx x;
	struct ph_destinations *d;
	struct ph_findings *f;
	struct ph_check_file files[1];
	struct ph_device devs[8];
	struct ph_check c;
	char *html;
	size_t len;
};

static void render(struct rendered *r, const struct ph_geoip *geo)
{
	r->html = NULL;
	FILE *out = open_memstream(&r->html, &r->len);
	assert_non_null(out);
	r->c.geoip = geo;
	struct ph_err err;
	memset(&err, 0, sizeof err);
	assert_int_equal(ph_check_write_html(&r->c, out, &err), 0);
	fclose(out);
}

/* With PH_HTML_OUT=DIR set, keeps the page as DIR/<name>.html for a
 * look in a browser. */
static void dump(const struct rendered *r, const char *name)
{
	const char *dir = getenv("PH_HTML_OUT");
	char path[4200];
	if (!dir)
		return;
	snprintf(path, sizeof path, "%s/%s.html", dir, name);
	FILE *o = fopen(path, "w");
	if (o) {
		fwrite(r->html, 1, r->len, o);
		fclose(o);
	}
}

/* Runs the scene and fills the check as cmd_check.c does. */
static void build(struct rendered *r)
{
	memset(r, 0, sizeof *r);
	cfx_open(&r->x);
	hf_scene(&r->x);
	r->d = ph_destinations_new(0);
	r->f = hf_run(&r->x, r->d, NULL, 0);
	struct ph_run_totals t;
	ph_run_summary_totals(r->x.summary, &t);
	snprintf(r->files[0].path, sizeof r->files[0].path, "%s", r->x.path);
	snprintf(r->files[0].format, sizeof r->files[0].format, "pcap");
	snprintf(r->files[0].sha256, sizeof r->files[0].sha256, "%064d", 7);
	r->files[0].complete = true;
	r->c.files = r->files;
	r->c.nfiles = 1;
	r->c.first_ns = t.first_ns;
	r->c.last_ns = t.last_ns;
	r->c.packets = t.packets;
	r->c.flows = t.flows;
	r->c.ndevices = ph_devices_count(r->x.devices);
	for (unsigned i = 0; i < r->c.ndevices && i < 8; i++)
		ph_devices_get(r->x.devices, i, &r->devs[i]);
	r->c.devices = r->devs;
	r->c.findings = r->f;
	r->c.destinations = r->d;
	ph_check_decide(&r->c);
}

static void done(struct rendered *r)
{
	free(r->html);
	cfx_close(&r->x, r->f);
	ph_destinations_free(r->d);
}

static unsigned occurrences(const char *s, const char *what)
{
	unsigned n = 0;
	for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

static void test_report(void **state)
{
	(void)state;
	struct rendered r;
	build(&r);
	render(&r, NULL);
	const char *h = r.html;
	assert_true(strncmp(h, "<!DOCTYPE html>", 15) == 0);
	assert_non_null(strstr(h, "</html>"));
	char b[300];
	snprintf(b, sizeof b, "data-verdict=\"%s\"", ph_verdict_name(r.c.verdict));
	assert_non_null(strstr(h, b));
	/* every finding, by id, with an anchor */
	unsigned nf = ph_findings_count(r.f);
	assert_true(nf > 0);
	for (unsigned i = 0; i < nf; i++) {
		snprintf(b, sizeof b, "id=\"f-%u\" data-finding-id=\"%s\"", i + 1,
			 ph_findings_get(r.f, i)->id);
		assert_non_null(strstr(h, b));
	}
	/* the table: one row per destination, the HTTP one insecure */
	assert_int_equal(occurrences(h, "<tr id=\"d-"),
			 ph_destinations_count(r.d));
	const char *row = strstr(h, ">www.example.org");
	assert_non_null(row);
	const char *end = strstr(row, "</tr>");
	const char *ins = strstr(row, "badge insecure");
	assert_true(ins && ins < end);
	assert_non_null(strstr(h, "TLS 1.2"));
	/* the unresolved address has a finding (direct_ip) and links to it */
	row = strstr(h, ">203.0.113.99 <a class=\"badge");
	assert_non_null(row);
	/* charts */
	assert_non_null(strstr(h, "<svg id=\"timeline\""));
	assert_non_null(strstr(h, "<svg id=\"volume\""));
	assert_non_null(strstr(h, "(more than received)")); /* the upload */
	/* what was checked */
	assert_non_null(strstr(h, "SHA-256 <code>0000"));
	assert_non_null(strstr(h, "none loaded: known-bad"));
	/* no GeoIP database: no such columns */
	assert_null(strstr(h, ">Country</th>"));
	assert_null(strstr(h, ">Organisation</th>"));
	done(&r);
}

static void test_escaping_and_self_contained(void **state)
{
	(void)state;
	struct rendered r;
	build(&r);
	render(&r, NULL);
	const char *h = r.html;
	assert_null(strstr(h, "<script>alert"));
	assert_non_null(strstr(h, "&lt;script&gt;alert(1)&lt;/script&gt;.evil"));
	/* exactly one script element: ours */
	assert_int_equal(occurrences(h, "<script"), 1);
	/* nothing loaded from anywhere */
	assert_null(strstr(h, "src="));
	assert_null(strstr(h, "<link"));
	assert_null(strstr(h, "url("));
	assert_null(strstr(h, "@import"));
	assert_null(strstr(h, "href=\"http"));
	assert_null(strstr(h, "<iframe"));
	done(&r);
}

static void test_geoip_columns(void **state)
{
	(void)state;
	char *db = hf_write_mmdb();
	struct ph_geoip *g = ph_geoip_new();
	assert_int_equal(ph_geoip_add(g, db, NULL), 0);
	struct rendered r;
	build(&r);
	render(&r, g);
	const char *h = r.html;
	dump(&r, "geoip");
	assert_non_null(strstr(h, ">Country</th>"));
	assert_non_null(strstr(h, ">Organisation</th>"));
	/* 203.0.113.99 is in the database's /24, escaped organisation */
	const char *row = strstr(h, ">203.0.113.99 <a");
	assert_non_null(row);
	const char *end = strstr(row, "</tr>");
	const char *nl = strstr(row, "<td>Netherlands</td>");
	const char *org = strstr(row, "<td>Example Org &lt;b&gt;</td>");
	assert_true(nl && nl < end && org && org < end);
	/* 198.51.100.7 is not: its cells are dashes */
	row = strstr(h, ">api.example.com");
	end = strstr(row, "</tr>");
	nl = strstr(row, "Netherlands");
	assert_true(!nl || nl > end);
	done(&r);
	ph_geoip_free(g);
	unlink(db);
	free(db);
}

/* A check with no run behind it: still a whole page. */
static void test_empty(void **state)
{
	(void)state;
	struct ph_check c;
	memset(&c, 0, sizeof c);
	ph_check_decide(&c);
	char *html = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&html, &len);
	assert_int_equal(ph_check_write_html(&c, out, NULL), 0);
	fclose(out);
	assert_non_null(strstr(html, "Findings (0)"));
	assert_non_null(strstr(html, "No connection was recorded."));
	assert_non_null(strstr(html, "</html>"));
	assert_null(strstr(html, "<svg"));
	free(html);
	assert_int_equal(ph_check_write_html(NULL, stdout, NULL), PH_EINVAL);
}

/* The beacon plots: 12 beats 60 s (+-0.2 s) apart, one 150 s gap. */
static void test_beacon_plots(void **state)
{
	(void)state;
	uint64_t ts[12];
	for (unsigned i = 0; i < 12; i++)
		ts[i] = HF_S(60 * i + (i >= 6 ? 90 : 0)) +
			(i % 2) * 200000000ull;
	char *svg = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&svg, &len);
	ph_html_svg_beacon(out, ts, 12);
	ph_html_svg_beacon(out, ts, 2); /* too few: nothing */
	fclose(out);
	assert_int_equal(occurrences(svg, "<svg"), 2);
	assert_non_null(strstr(svg, "beacon-hist"));
	assert_non_null(strstr(svg, "beacon-time"));
	/* 11 intervals: 59.8 or 60.2 s (10, one bar) and 149.8 s (one
	 * more) on an axis to 149.8 * 1.25 s, 30 bins of ~6.24 s */
	assert_int_equal(occurrences(svg, "<rect"), 2);
	assert_non_null(strstr(svg, "<title>10 intervals of "));
	assert_non_null(strstr(svg, "<title>1 interval of "));
	assert_non_null(strstr(svg, "(11 intervals)"));
	assert_non_null(strstr(svg, ">3 min<")); /* 187.25 s */
	assert_non_null(strstr(svg, ">median 60 s<"));
	assert_int_equal(occurrences(svg, "h0.1"), 11); /* one dot each */
	free(svg);
}

/* A device calling home every 60 s: the beacon finding carries its beat
 * times and its article gets both plots. */
static void test_beacon_in_report(void **state)
{
	(void)state;
	struct rendered r;
	memset(&r, 0, sizeof r);
	cfx_open(&r.x);
	for (unsigned i = 0; i < 15; i++)
		hf_raw(&r.x, HF_S(60 * i), "203.0.113.77", 443,
		       (uint16_t)(45000 + i), 300);
	r.d = ph_destinations_new(0);
	r.f = hf_run(&r.x, r.d, NULL, 0);
	r.c.findings = r.f;
	r.c.destinations = r.d;
	r.c.first_ns = HF_S(0);
	r.c.last_ns = HF_S(900);
	ph_check_decide(&r.c);
	int b = -1;
	for (unsigned i = 0; i < ph_findings_count(r.f) && b < 0; i++)
		if (strncmp(ph_findings_get(r.f, i)->id, "beacon.", 7) == 0)
			b = (int)i;
	assert_true(b >= 0);
	const uint64_t *ts;
	assert_true(ph_findings_series(r.f, (unsigned)b, &ts) >= 6);
	render(&r, NULL);
	dump(&r, "beacon");
	char anchor[32];
	snprintf(anchor, sizeof anchor, "id=\"f-%d\"", b + 1);
	const char *art = strstr(r.html, anchor);
	assert_non_null(art);
	const char *end = strstr(art, "</article>");
	const char *hist = strstr(art, "beacon-hist");
	const char *time = strstr(art, "beacon-time");
	assert_true(hist && hist < end && time && time < end);
	done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report),
		cmocka_unit_test(test_escaping_and_self_contained),
		cmocka_unit_test(test_geoip_columns),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_beacon_plots),
		cmocka_unit_test(test_beacon_in_report),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
