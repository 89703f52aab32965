/* The feed loaders on the real indicator files of ../shared/corpus/ioc
 * (path from PH_SRCDIR): every file is detected and loaded, one line per
 * file is printed (format, entries per type, unsupported), and known
 * files must give at least the counts they held when this test was
 * written. Skips with a message when the corpus is absent. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>

#include "test_feed_helpers.h"

#define MAX_FILES 256

struct result {
	char rel[512];
	enum ph_feed_format fmt;
	int rc;
	unsigned count[PH_IOC_TYPE_COUNT];
	unsigned unsup;
};

struct run {
	char root[1024];
	struct result r[MAX_FILES];
	unsigned n;
	double seconds;
};

static const char *const type_names[PH_IOC_TYPE_COUNT] = {
	"domain", "ip", "url", "email", "cert_sha1", "cert_sha256", "ja3",
	"ja3s", "ja4", "app_id", "file_hash", "ns"};

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long sz = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc(sz > 0 ? (size_t)sz : 1);
	*len = b ? fread(b, 1, (size_t)sz, f) : 0;
	fclose(f);
	return b;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void load_one(struct run *run, const char *path, const char *rel)
{
	if (run->n == MAX_FILES)
		return;
	size_t len = 0;
	uint8_t *buf = read_all(path, &len);
	assert_non_null(buf);
	struct result *r = &run->r[run->n++];
	snprintf(r->rel, sizeof r->rel, "%s", rel);
	struct feed_got *g = feed_got_new();
	struct ph_feed_sink sink = {feed_got_add, feed_got_unsup, g};
	struct ph_err err = {0};
	double t0 = now();
	r->fmt = ph_feed_detect(path, buf, len);
	r->rc = r->fmt == PH_FEED_UNKNOWN
			? 0
			: ph_feed_load_buffer(r->fmt, path, buf, len, &sink,
					      &err);
	run->seconds += now() - t0;
	memcpy(r->count, g->count, sizeof r->count);
	r->unsup = g->nunsup;
	printf("%-60s %-16s", rel, ph_feed_format_name(r->fmt));
	for (int t = 0; t < PH_IOC_TYPE_COUNT; t++)
		if (r->count[t])
			printf(" %s=%u", type_names[t], r->count[t]);
	printf(" unsupported=%u", r->unsup);
	if (g->nunsup)
		printf(" (first: %s: '%s')", g->u[0].reason, g->u[0].text);
	if (r->rc < 0)
		printf(" ERROR %s", err.msg);
	printf("\n");
	free(g);
	free(buf);
}

static void walk(struct run *run, const char *dir, const char *rel)
{
	struct dirent **list;
	int n = scandir(dir, &list, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;
		char path[2048], sub[512];
		struct stat st;
		snprintf(path, sizeof path, "%s/%s", dir, name);
		snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "",
			 name);
		if (name[0] != '.' && stat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				walk(run, path, sub);
			else if (S_ISREG(st.st_mode))
				load_one(run, path, sub);
		}
		free(list[i]);
	}
	free(list);
}

static const struct result *find(const struct run *run, const char *rel)
{
	for (unsigned i = 0; i < run->n; i++)
		if (!strcmp(run->r[i].rel, rel))
			return &run->r[i];
	fail_msg("%s not in the corpus", rel);
	return NULL;
}

static int setup(void **state)
{
	struct run *run = calloc(1, sizeof *run);
	const char *src = getenv("PH_SRCDIR");
	snprintf(run->root, sizeof run->root, "%s/../shared/corpus/ioc",
		 src ? src : ".");
	*state = run;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static void test_corpus(void **state)
{
	struct run *run = *state;
	struct stat st;
	if (stat(run->root, &st) != 0 || !S_ISDIR(st.st_mode)) {
		printf("SKIP: no indicator corpus at %s\n", run->root);
		skip();
	}
	walk(run, run->root, "");
	printf("%u files loaded in %.3f s\n", run->n, run->seconds);
	for (unsigned i = 0; i < run->n; i++)
		assert_int_equal(run->r[i].rc, 0);

	const struct result *r =
		find(run, "amnesty-investigations/2021-07-18_nso/pegasus.stix2");
	assert_int_equal(r->fmt, PH_FEED_STIX);
	assert_true(r->count[PH_IOC_DOMAIN] >= 1438);
	assert_true(r->count[PH_IOC_EMAIL] >= 29);
	assert_true(r->unsup >= 81); /* process:name, file:name */
	r = find(run,
		 "amnesty-investigations/2023-03-29_android_campaign/malware.stix2");
	assert_true(r->count[PH_IOC_DOMAIN] >= 2183);
	r = find(run, "stalkerware-indicators/generated/stalkerware.stix2");
	assert_true(r->count[PH_IOC_DOMAIN] >= 1447);
	assert_true(r->count[PH_IOC_APP_ID] >= 590);
	assert_true(r->count[PH_IOC_CERT_SHA1] >= 99);
	assert_true(r->count[PH_IOC_FILE_HASH] >= 2910);
	r = find(run, "tinycheck/iocs.json");
	assert_int_equal(r->fmt, PH_FEED_TINYCHECK);
	assert_true(r->count[PH_IOC_DOMAIN] >= 2200);
	assert_true(r->count[PH_IOC_IP] >= 380);
	assert_true(r->count[PH_IOC_CERT_SHA1] >= 132);
	assert_true(r->count[PH_IOC_NS] >= 20);
	r = find(run, "tinycheck/whitelist.json");
	assert_int_equal(r->fmt, PH_FEED_TINYCHECK_ALLOW);
	assert_true(r->count[PH_IOC_DOMAIN] >= 842);
	assert_true(r->count[PH_IOC_IP] >= 689);
	r = find(run,
		 "stalkerware-indicators/generated/indicators-for-tinycheck.json");
	assert_true(r->count[PH_IOC_DOMAIN] >= 1593);
	assert_true(r->count[PH_IOC_IP] >= 65);
	r = find(run, "stalkerware-indicators/ioc.yaml");
	assert_int_equal(r->fmt, PH_FEED_STALKERWARE_YAML);
	assert_true(r->count[PH_IOC_DOMAIN] >= 1000);
	assert_true(r->count[PH_IOC_APP_ID] >= 500);
	assert_true(r->count[PH_IOC_CERT_SHA1] >= 300);
	r = find(run, "stalkerware-indicators/watchware.yaml");
	assert_int_equal(r->fmt, PH_FEED_STALKERWARE_YAML);
	assert_true(r->count[PH_IOC_APP_ID] >= 30);
	r = find(run, "stalkerware-indicators/generated/network.csv");
	assert_int_equal(r->fmt, PH_FEED_STALKERWARE_CSV);
	assert_true(r->count[PH_IOC_DOMAIN] >= 969);
	assert_true(r->count[PH_IOC_IP] >= 65);
	r = find(run, "stalkerware-indicators/generated/misp_event.json");
	assert_int_equal(r->fmt, PH_FEED_MISP);
	assert_true(r->count[PH_IOC_DOMAIN] >= 1000);
	assert_true(r->count[PH_IOC_APP_ID] >= 650);
	assert_true(r->count[PH_IOC_CERT_SHA1] >= 490);
	assert_true(r->count[PH_IOC_FILE_HASH] >= 3262);
	r = find(run, "stalkerware-indicators/generated/hosts");
	assert_int_equal(r->fmt, PH_FEED_PLAIN);
	assert_true(r->count[PH_IOC_DOMAIN] >= 900);
	r = find(run, "amnesty-investigations/2020-09-25_finfisher/ips.txt");
	assert_int_equal(r->fmt, PH_FEED_PLAIN);
	assert_true(r->count[PH_IOC_IP] >= 5);
	r = find(run, "amnesty-investigations/2018-08-01_nso/indicators.csv");
	assert_int_equal(r->fmt, PH_FEED_STALKERWARE_CSV);
	assert_true(r->count[PH_IOC_DOMAIN] >= 500);
	assert_true(r->count[PH_IOC_IP] >= 500);
	/* rule files are not indicator lists */
	assert_int_equal(find(run, "stalkerware-indicators/rules.yar")->fmt,
			 PH_FEED_UNKNOWN);
	assert_int_equal(
		find(run, "stalkerware-indicators/generated/suricata.rules")->fmt,
		PH_FEED_UNKNOWN);
	/* generous bound (sanitizer builds); release takes ~0.1 s */
	assert_true(run->seconds < 20.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_corpus, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
