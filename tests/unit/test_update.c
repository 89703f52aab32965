/* Tests for src/intel/update.c and src/intel/cache_load.c without a
 * network: ph_update_run over file:// URLs into a temp cache (results,
 * manifest, a failure keeping the old copy, name clashes), the cache
 * directory rules, then ph_intel_load_cache on that cache (sources, SHA-256
 * check, missing or hostile manifests). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "peephole/update.h"

static char root[256];

static void write_file(const char *name, const char *text)
{
	char p[1200];
	snprintf(p, sizeof p, "%s/%s", root, name);
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char stix_a[] =
	"{\"type\": \"bundle\", \"id\": \"bundle--1\", \"objects\": [{\"type\": "
	"\"indicator\", \"id\": \"indicator--1\", \"pattern_type\": \"stix\", "
	"\"pattern\": \"[domain-name:value = 'evil-a.example']\"}]}\n";
static const char ioc_yaml[] =
	"- name: Testware\n  type: stalkerware\n  packages:\n"
	"  - com.example.testware\n  c2:\n    domains:\n"
	"    - c2.testware.example\n";

struct seen {
	unsigned ok, failed;
	char last_reason[256];
	bool kept;
};

static void on_file(void *user, const struct ph_update_result *r)
{
	struct seen *s = user;
	if (r->code == 0) {
		s->ok++;
		assert_int_equal(strlen(r->sha256), 64);
	} else {
		s->failed++;
		s->kept = r->kept;
		snprintf(s->last_reason, sizeof s->last_reason, "%s", r->reason);
	}
}

static int update(const char *const *urls, unsigned n, struct seen *s,
		  struct ph_update_totals *t)
{
	char cache[512];
	snprintf(cache, sizeof cache, "%s/cache", root);
	struct ph_update_opts o = {
		.cache_dir = cache, .feeds = urls, .nfeeds = n,
		.no_defaults = true, .timeout_s = 5, .on_file = on_file,
		.user = s,
	};
	struct ph_err err;
	memset(&err, 0, sizeof err);
	memset(s, 0, sizeof *s);
	return ph_update_run(&o, t, &err);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof root, "/tmp/ph_test_update_XXXXXX");
	assert_non_null(mkdtemp(root));
	write_file("a.stix2", stix_a);
	write_file("ioc.yaml", ioc_yaml);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void url_of(char *out, size_t n, const char *name)
{
	snprintf(out, n, "file://%s/%s", root, name);
}

static void test_run_and_load(void **state)
{
	(void)state;
	char a[600], y[600], missing[600];
	url_of(a, sizeof a, "a.stix2");
	url_of(y, sizeof y, "ioc.yaml");
	url_of(missing, sizeof missing, "nope.stix2");
	const char *urls[] = {a, y, missing, a};
	struct seen s;
	struct ph_update_totals t;
	assert_int_equal(update(urls, 4, &s, &t), 0);
	assert_int_equal(t.updated, 2); /* the repeated URL is fetched once */
	assert_int_equal(t.failed, 1);
	assert_int_equal(s.ok, 2);
	assert_false(s.kept);

	char cache[512];
	snprintf(cache, sizeof cache, "%s/cache", root);
	struct ph_intel *in = ph_intel_new();
	struct ph_err err;
	memset(&err, 0, sizeof err);
	assert_int_equal(ph_intel_load_cache(in, cache, &err), 2);
	assert_int_equal(err.code, 0);
	assert_int_equal(ph_intel_nsources(in), 2);
	const struct ph_intel_source *src = ph_intel_source(in, 0);
	assert_string_equal(src->name, "cache/a.stix2");
	assert_string_equal(src->url, a);
	assert_int_equal(strlen(src->sha256), 64);
	assert_int_equal(src->format, PH_FEED_STIX);
	struct ph_ioc_hit hits[4];
	assert_int_equal(ph_intel_match(in, PH_IOC_DOMAIN, "x.evil-a.example",
					16, hits, 4), 1);
	assert_int_equal(ph_intel_match(in, PH_IOC_DOMAIN, "c2.testware.example",
					19, hits, 4), 1);
	ph_intel_free(in);
}

static void test_failure_keeps_copy_and_hash_check(void **state)
{
	(void)state;
	char a[600], cache[512], p[700];
	url_of(a, sizeof a, "a.stix2");
	snprintf(cache, sizeof cache, "%s/cache", root);
	const char *urls[] = {a};
	struct seen s;
	struct ph_update_totals t;
	assert_int_equal(update(urls, 1, &s, &t), 0);
	/* the source disappears: the cached copy and its entry stay */
	snprintf(p, sizeof p, "%s/a.stix2", root);
	char moved[600];
	snprintf(moved, sizeof moved, "%s/a.moved", root);
	assert_int_equal(rename(p, moved), 0);
	assert_int_equal(update(urls, 1, &s, &t), 0);
	assert_int_equal(t.failed, 1);
	assert_true(s.kept);
	assert_non_null(strstr(s.last_reason, "a.stix2"));
	assert_int_equal(rename(moved, p), 0);

	struct ph_intel *in = ph_intel_new();
	struct ph_err err;
	memset(&err, 0, sizeof err);
	assert_true(ph_intel_load_cache(in, cache, &err) >= 1);
	ph_intel_free(in);

	/* a cached file edited by hand is skipped and named */
	snprintf(p, sizeof p, "%s/a.stix2", cache);
	FILE *f = fopen(p, "ab");
	assert_non_null(f);
	fputs(" ", f);
	fclose(f);
	in = ph_intel_new();
	memset(&err, 0, sizeof err);
	int n = ph_intel_load_cache(in, cache, &err);
	assert_true(n >= 0);
	assert_int_equal(err.code, PH_EFORMAT);
	assert_non_null(strstr(err.msg, "a.stix2"));
	assert_non_null(strstr(err.msg, "SHA-256"));
	for (unsigned i = 0; i < ph_intel_nsources(in); i++)
		assert_string_not_equal(ph_intel_source(in, i)->name,
					"cache/a.stix2");
	ph_intel_free(in);
}

static void test_bad_manifests(void **state)
{
	(void)state;
	char dir[512], p[600];
	struct ph_err err;
	struct ph_intel *in = ph_intel_new();
	snprintf(dir, sizeof dir, "%s/nocache", root);
	memset(&err, 0, sizeof err);
	assert_int_equal(ph_intel_load_cache(in, dir, &err), PH_EIO);
	assert_non_null(strstr(err.msg, "peephole update"));

	snprintf(dir, sizeof dir, "%s/badcache", root);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(p, sizeof p, "badcache/%s", PH_UPDATE_MANIFEST);
	write_file(p, "{\"files\": 3}");
	memset(&err, 0, sizeof err);
	assert_int_equal(ph_intel_load_cache(in, dir, &err), PH_EFORMAT);

	/* names that would leave the directory are refused */
	write_file(p, "{\"files\": [{\"file\": \"../a.stix2\", \"sha256\": \"x\"},"
		      " {\"file\": \"/etc/passwd\"}, {\"file\": 7}, 5]}");
	memset(&err, 0, sizeof err);
	assert_int_equal(ph_intel_load_cache(in, dir, &err), 0);
	assert_int_equal(err.code, PH_EFORMAT);
	assert_int_equal(ph_intel_nsources(in), 0);
	ph_intel_free(in);
}

static void test_cache_dir(void **state)
{
	(void)state;
	char out[256];
	struct ph_err err;
	memset(&err, 0, sizeof err);
	assert_int_equal(ph_update_cache_dir(out, sizeof out, "/x/y", &err), 0);
	assert_string_equal(out, "/x/y");
	setenv("PEEPHOLE_CACHE_DIR", "/env/c", 1);
	assert_int_equal(ph_update_cache_dir(out, sizeof out, NULL, &err), 0);
	assert_string_equal(out, "/env/c");
	unsetenv("PEEPHOLE_CACHE_DIR");
	setenv("XDG_CACHE_HOME", "/xdg", 1);
	assert_int_equal(ph_update_cache_dir(out, sizeof out, NULL, &err), 0);
	assert_string_equal(out, "/xdg/peephole/feeds");
	setenv("XDG_CACHE_HOME", "relative", 1); /* ignored, per XDG */
	setenv("HOME", "/home/u", 1);
	assert_int_equal(ph_update_cache_dir(out, sizeof out, NULL, &err), 0);
	assert_string_equal(out, "/home/u/.cache/peephole/feeds");
	unsetenv("XDG_CACHE_HOME");
	unsetenv("HOME");
	assert_int_equal(ph_update_cache_dir(out, sizeof out, NULL, &err),
			 PH_EINVAL);
	assert_int_equal(ph_update_cache_dir(out, 4, "/long/dir", &err),
			 PH_EINVAL);
}

static void test_unwritable(void **state)
{
	(void)state;
	write_file("plain", "x");
	char cache[512];
	snprintf(cache, sizeof cache, "%s/plain/sub", root);
	struct ph_update_opts o = {.cache_dir = cache, .no_defaults = true};
	struct ph_update_totals t;
	struct ph_err err;
	memset(&err, 0, sizeof err);
	assert_int_equal(ph_update_run(&o, &t, &err), PH_EIO);
	assert_non_null(strstr(err.msg, "plain"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_and_load),
		cmocka_unit_test(test_failure_keeps_copy_and_hash_check),
		cmocka_unit_test(test_bad_manifests),
		cmocka_unit_test(test_cache_dir),
		cmocka_unit_test(test_unwritable),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
