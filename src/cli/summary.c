/* The run summary printed on stderr after `peephole logs`: files and how
 * they ended, packets, bytes, flows, capture time span, and every kind of
 * malformed or skipped packet that occurred, with its count. */
#include <stdio.h>
#include <time.h>

#include "cli/cli.h"

static void fmt_time(char *buf, size_t cap, uint64_t ns)
{
	time_t s = (time_t)(ns / 1000000000ull);
	struct tm tm;
	if (!gmtime_r(&s, &tm) || !strftime(buf, cap, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, cap, "?");
}

static void print_files(const struct ph_run_summary *s)
{
	for (unsigned i = 0; i < ph_run_summary_nfiles(s); i++) {
		const struct ph_file_result *f = ph_run_summary_file(s, i);
		if (!f->opened) {
			fprintf(stderr, "  file %s: not read (see error above)\n",
				f->path);
			continue;
		}
		fprintf(stderr, "  file %s: %s, %llu packets%s\n", f->path,
			f->format, (unsigned long long)f->packets,
			f->err.code ? " (stopped early, see error above)" : "");
	}
}

void ph_cli_print_summary(const struct ph_run_summary *s, double seconds)
{
	struct ph_run_totals t;
	ph_run_summary_totals(s, &t);
	fprintf(stderr, "peephole summary:\n");
	print_files(s);
	fprintf(stderr, "  packets %llu (%llu IP, %llu non-IP, %llu malformed), "
		"%llu bytes\n",
		(unsigned long long)t.packets, (unsigned long long)t.ip_packets,
		(unsigned long long)t.not_ip, (unsigned long long)t.bad_packets,
		(unsigned long long)t.bytes);
	fprintf(stderr, "  connections %llu (peak %llu open at once)\n",
		(unsigned long long)t.flows, (unsigned long long)t.peak_flows);
	if (t.packets) {
		char a[40], b[40];
		fmt_time(a, sizeof a, t.first_ns);
		fmt_time(b, sizeof b, t.last_ns);
		fprintf(stderr, "  time span %s .. %s (%.3f s)\n", a, b,
			(double)(t.last_ns - t.first_ns) / 1e9);
	}
	for (unsigned i = 0; i < ph_run_summary_nanomalies(s); i++) {
		const char *name, *text;
		uint64_t n = ph_run_summary_anomaly(s, i, &name, &text);
		if (n)
			fprintf(stderr, "  %-24s %10llu  %s\n", name,
				(unsigned long long)n, text);
	}
	unsigned nc = ph_run_summary_ncounters(s), shown = 0;
	for (unsigned i = 0; i < nc; i++) {
		const char *name;
		uint64_t n = ph_run_summary_counter(s, i, &name);
		if (!n)
			continue;
		fprintf(stderr, "%s%s %llu", shown % 4 ? ", " :
			(shown ? "\n    " : "  protocols: "), name,
			(unsigned long long)n);
		shown++;
	}
	if (shown)
		fputc('\n', stderr);
	if (seconds > 0)
		fprintf(stderr, "  analysed in %.2f s (%.1f MB/s)\n", seconds,
			(double)t.bytes / seconds / 1e6);
}
