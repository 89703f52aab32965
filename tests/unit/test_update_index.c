/* Tests for src/intel/update_index.c: the MVT index shape (github and
 * download_url entries), URL checks (schemes, path traversal, control
 * characters), caps, malformed YAML, and cache file naming. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "peephole/update.h"

static struct ph_index_entry ents[PH_INDEX_MAX_ENTRIES];

static int parse(const char *yaml, const char *scheme, unsigned max,
		 unsigned *skipped)
{
	struct ph_err err;
	memset(&err, 0, sizeof err);
	memset(ents, 0x55, sizeof ents);
	int n = ph_update_index_parse((const uint8_t *)yaml, strlen(yaml),
				      scheme, ents, max, skipped, &err);
	if (n < 0)
		assert_true(err.msg[0] != '\0');
	return n;
}

/* The shape of mvt-project/mvt-indicators indicators.yaml. */
static const char mvt_index[] =
	"indicators:\n"
	"  -\n"
	"    type: github\n"
	"    name: NSO Group Pegasus Indicators of Compromise\n"
	"    sources:\n"
	"      - Amnesty International\n"
	"    references:\n"
	"      - https://www.amnesty.org/en/latest/research/2021/07/x/\n"
	"    github:\n"
	"      owner: AmnestyTech\n"
	"      repo: investigations\n"
	"      branch: master\n"
	"      path: 2021-07-18_nso/pegasus.stix2\n"
	"\n"
	"  -\n"
	"    type: github\n"
	"    name: Cytrox Predator\n"
	"    sources: [Meta, Amnesty International, Citizen Lab]\n"
	"    github:\n"
	"      owner: AmnestyTech\n"
	"      repo: investigations\n"
	"      path: 2021-12-16_cytrox/cytrox.stix2\n";

static void test_github_entries(void **state)
{
	(void)state;
	unsigned skipped = 9;
	assert_int_equal(parse(mvt_index, "https", 16, &skipped), 2);
	assert_int_equal(skipped, 0);
	assert_string_equal(ents[0].url,
			    "https://raw.githubusercontent.com/AmnestyTech/"
			    "investigations/master/2021-07-18_nso/pegasus.stix2");
	assert_string_equal(ents[0].file,
			    "investigations_2021-07-18_nso_pegasus.stix2");
	assert_string_equal(ents[0].name,
			    "NSO Group Pegasus Indicators of Compromise");
	assert_string_equal(ents[0].description, "Amnesty International");
	/* branch defaults to main; flow sequences work too */
	assert_string_equal(ents[1].url,
			    "https://raw.githubusercontent.com/AmnestyTech/"
			    "investigations/main/2021-12-16_cytrox/cytrox.stix2");
	assert_string_equal(ents[1].description,
			    "Meta, Amnesty International, Citizen Lab");
}

static void test_download_url_schemes(void **state)
{
	(void)state;
	static const char y[] =
		"indicators:\n"
		"- {type: download, name: a, download_url: 'https://x.example/a/b.stix2',\n"
		"   description: Own words}\n"
		"- {name: b, download_url: 'http://127.0.0.1:8000/feeds/c.stix2'}\n"
		"- {name: c, download_url: 'file:///etc/passwd'}\n"
		"- {name: d, download_url: 'ftp://x.example/d.stix2'}\n"
		"- {name: e, download_url: \"https://x.example/e\\t.stix2\"}\n"
		"- {name: f, download_url: 'https://x.example/has space'}\n"
		"- {name: g}\n";
	unsigned skipped = 0;
	assert_int_equal(parse(y, "http", 16, &skipped), 2);
	assert_int_equal(skipped, 5);
	assert_string_equal(ents[0].url, "https://x.example/a/b.stix2");
	assert_string_equal(ents[0].file, "a_b.stix2");
	assert_string_equal(ents[0].description, "Own words");
	assert_string_equal(ents[1].file, "feeds_c.stix2");
	/* an https index lists https only */
	assert_int_equal(parse(y, "https", 16, &skipped), 1);
	assert_int_equal(skipped, 6);
	/* a local index may list local files */
	assert_int_equal(parse(y, "file", 16, &skipped), 2);
	assert_string_equal(ents[1].url, "file:///etc/passwd");
	assert_int_equal(parse(y, NULL, 16, &skipped), 1);
}

static void test_github_traversal_rejected(void **state)
{
	(void)state;
	static const char y[] =
		"indicators:\n"
		"- {type: github, github: {owner: a, repo: b, path: ../../x.stix2}}\n"
		"- {type: github, github: {owner: a/b, repo: c, path: x.stix2}}\n"
		"- {type: github, github: {owner: a, repo: c, branch: 'x?y', path: x}}\n"
		"- {type: github, github: {owner: a, repo: c, path: 'd//x'}}\n"
		"- {type: github, github: {owner: a, repo: c, path: 'd/./x'}}\n"
		"- {type: github, github: {owner: a, repo: c}}\n"
		"- {type: github, github: [a, b]}\n"
		"- {type: github}\n"
		"- just a scalar\n"
		"- {type: github, github: {owner: a, repo: c, path: d/x.stix2}}\n";
	unsigned skipped = 0;
	assert_int_equal(parse(y, "https", 16, &skipped), 1);
	assert_int_equal(skipped, 9);
	assert_string_equal(ents[0].url,
			    "https://raw.githubusercontent.com/a/c/main/d/x.stix2");
}

static void test_caps_and_aliases(void **state)
{
	(void)state;
	static const char y[] =
		"indicators:\n"
		"- &e {name: &n same, download_url: 'https://h/x/1.stix2'}\n"
		"- *e\n"
		"- {name: *n, download_url: 'https://h/x/2.stix2'}\n";
	unsigned skipped = 0;
	assert_int_equal(parse(y, "https", 16, &skipped), 3);
	assert_string_equal(ents[1].url, "https://h/x/1.stix2");
	assert_string_equal(ents[2].name, "same");
	assert_int_equal(parse(y, "https", 1, &skipped), 1);
	assert_int_equal(skipped, 2);
}

static void test_malformed(void **state)
{
	(void)state;
	unsigned skipped = 0;
	assert_int_equal(parse("", "https", 16, &skipped), PH_EFORMAT);
	assert_int_equal(parse("indicators: [\n", "https", 16, &skipped),
			 PH_EFORMAT);
	assert_int_equal(parse("- a\n- b\n", "https", 16, &skipped), PH_EFORMAT);
	assert_int_equal(parse("indicators: 3\n", "https", 16, &skipped),
			 PH_EFORMAT);
	assert_int_equal(parse("{\"indicators\": []}", "https", 16, &skipped), 0);
	assert_int_equal(parse("<html><body>404</body></html>", "https", 16,
			       &skipped), PH_EFORMAT);
	/* NUL inside a scalar: the URL is refused, parsing goes on */
	static const char nul[] = "indicators:\n- {download_url: \"https://h/a\\0b\"}\n";
	assert_int_equal(parse(nul, "https", 16, &skipped), 0);
	assert_int_equal(skipped, 1);
}

static void name_is(const char *url, const char *want)
{
	char out[PH_UPDATE_MAX_FILE + 1];
	ph_update_file_name(url, out, sizeof out);
	assert_string_equal(out, want);
}

static void test_file_names(void **state)
{
	(void)state;
	name_is("https://raw.githubusercontent.com/o/r/master/ioc.yaml", "ioc.yaml");
	name_is("https://h/feeds/list.txt?token=1#frag", "list.txt");
	name_is("https://h/feeds/dir/", "dir");
	name_is("https://h", "feed");
	name_is("https://h/", "feed");
	name_is("file:///tmp/x/.hidden", "_hidden");
	name_is("https://h/manifest.json", "feed_manifest.json");
	name_is("https://h/a%20b c$.json", "a_20b_c_.json");
	name_is("https://h/..", "_.");
	char longurl[400] = "https://h/";
	memset(longurl + 10, 'a', 300);
	memcpy(longurl + 310, ".stix2", 7);
	char out[PH_UPDATE_MAX_FILE + 1];
	ph_update_file_name(longurl, out, sizeof out);
	assert_int_equal(strlen(out), PH_UPDATE_MAX_FILE);
	assert_string_equal(out + PH_UPDATE_MAX_FILE - 6, ".stix2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_github_entries),
		cmocka_unit_test(test_download_url_schemes),
		cmocka_unit_test(test_github_traversal_rejected),
		cmocka_unit_test(test_caps_and_aliases),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_file_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
