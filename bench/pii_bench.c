/* Throughput of the pii detection's Hyperscan scanner alone
 * (src/detect/pii_scan.c), outside the capture pipeline: reads up to
 * MB megabytes of FILE (any bytes; the benchmark capture is a fair mix of
 * headers and payloads) into memory, compiles the database for the
 * identifiers of IDFILE (KEY=VALUE lines, may be "-" for none) with or
 * without the generic patterns, and scans the buffer in stream mode as
 * 1,460-byte segments (a new stream every 64 KiB, as flows would) and in
 * block mode per segment. Prints patterns, stream state size, GB/s and
 * matches. Usage: pii_bench FILE [MB] [IDFILE] [generic 0|1]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "detect/pii_scan.h"
#include "peephole/identifiers.h"

#define SEG 1460u
#define FLOW (64u * 1024u)

static int count(unsigned id, uint64_t to, void *user)
{
	(void)id;
	(void)to;
	(*(uint64_t *)user)++;
	return 0;
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint8_t *load(const char *path, size_t max, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = malloc(max);
	if (!f || !b) {
		if (f)
			fclose(f);
		free(b);
		return NULL;
	}
	*n = fread(b, 1, max, f);
	fclose(f);
	return b;
}

static void run(struct pii_scan *s, const uint8_t *b, size_t n)
{
	uint64_t hits = 0;
	double t0 = now();
	struct pii_stream *st = NULL;
	for (size_t off = 0; off < n; off += SEG) {
		if (off % FLOW == 0) {
			if (st)
				pii_stream_close(s, st, count, &hits);
			st = pii_stream_open(s);
		}
		size_t k = n - off < SEG ? n - off : SEG;
		pii_stream_scan(s, st, b + off, k, count, &hits);
	}
	pii_stream_close(s, st, count, &hits);
	double t1 = now();
	uint64_t bh = 0;
	for (size_t off = 0; off < n; off += SEG)
		pii_scan_block(s, b + off, n - off < SEG ? n - off : SEG, count,
			       &bh);
	double t2 = now();
	printf("patterns %u, stream state %zu bytes: stream %.2f GB/s "
	       "(%llu matches), block %.2f GB/s (%llu matches)\n",
	       pii_scan_patterns(s), pii_scan_stream_size(s),
	       (double)n / (t1 - t0) / 1e9, (unsigned long long)hits,
	       (double)n / (t2 - t1) / 1e9, (unsigned long long)bh);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: pii_bench FILE [MB] [IDFILE|-] "
			"[generic 0|1]\n");
		return 2;
	}
	size_t mb = argc > 2 ? strtoul(argv[2], NULL, 10) : 256, n = 0;
	uint8_t *buf = load(argv[1], mb << 20, &n);
	struct ph_identifiers *ids = ph_identifiers_new();
	struct ph_err err = {0};
	if (!buf || !ids ||
	    (argc > 3 && strcmp(argv[3], "-") != 0 &&
	     ph_identifiers_load(ids, argv[3], &err) < 0)) {
		fprintf(stderr, "pii_bench: cannot load input: %s\n", err.msg);
		return 1;
	}
	struct ph_ident_form *forms = NULL;
	size_t nf = 0;
	bool locs = false;
	for (unsigned i = 0; i < ph_identifiers_count(ids); i++)
		locs |= ph_identifiers_get(ids, i)->kind == PH_ID_LOCATION;
	struct pii_scan_cfg cfg = {NULL, 0, argc > 4 ? strtol(argv[4], NULL, 10) != 0 :
				   true, locs};
	struct pii_scan *s = NULL;
	if (ph_ident_forms(ids, &forms, &nf, &err) < 0 ||
	    (cfg.forms = forms, cfg.nforms = nf,
	     pii_scan_new(&cfg, &s, &err) < 0) || !s) {
		fprintf(stderr, "pii_bench: %s\n", s ? err.msg : "nothing to "
			"search for");
		return 1;
	}
	printf("%zu identifiers' forms, %.0f MB\n", nf, (double)n / 1e6);
	run(s, buf, n);
	pii_scan_free(s);
	free(forms);
	ph_identifiers_free(ids);
	free(buf);
	return 0;
}
