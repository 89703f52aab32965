/* Progress line on stderr for long inputs: bytes read / total, rate and
 * ETA, redrawn at most 4 times a second, only when stderr is a terminal
 * and --quiet is not given. Wall-clock time is used here only for display;
 * analysis time comes from packets. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void ph_progress_init(struct ph_progress *p, bool quiet)
{
	p->enabled = !quiet && isatty(STDERR_FILENO);
	p->start = now_s();
	p->last_draw = 0;
	p->drawn = false;
}

static void human_bytes(char *buf, size_t cap, double b)
{
	const char *u[] = {"B", "KB", "MB", "GB", "TB"};
	int i = 0;
	while (b >= 1000 && i < 4) {
		b /= 1000;
		i++;
	}
	snprintf(buf, cap, "%.1f %s", b, u[i]);
}

void ph_progress_cb(void *user, uint64_t pos, uint64_t total,
		    uint64_t packets)
{
	struct ph_progress *p = user;
	if (!p->enabled)
		return;
	double t = now_s();
	if (t - p->last_draw < 0.25)
		return;
	p->last_draw = t;
	double el = t - p->start;
	double rate = el > 0 ? (double)pos / el : 0;
	char a[32], b[32], r[32];
	human_bytes(a, sizeof a, (double)pos);
	human_bytes(r, sizeof r, rate);
	if (total > 0 && pos <= total) {
		human_bytes(b, sizeof b, (double)total);
		double eta = rate > 0 ? (double)(total - pos) / rate : 0;
		fprintf(stderr, "\r%s / %s (%3.0f%%)  %s/s  %llu pkts  ETA %.0fs   ",
			a, b, 100.0 * (double)pos / (double)total, r,
			(unsigned long long)packets, eta);
	} else {
		fprintf(stderr, "\r%s  %s/s  %llu pkts   ", a, r,
			(unsigned long long)packets);
	}
	p->drawn = true;
}

void ph_progress_done(struct ph_progress *p)
{
	if (p->drawn)
		fprintf(stderr, "\r\033[K");
}
