/* `peephole ioc list` prints what indicators are loaded (sources, dates,
 * counts per type, values that could not be used); `peephole ioc match
 * VALUE...` says which loaded indicators a name, address, URL or hash
 * matches. Both take the indicator options of `check`. */
#include <arpa/inet.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char ioc_usage[] =
	"usage: peephole ioc list [options]\n"
	"       peephole ioc match [options] VALUE...\n"
	"\n"
	"list:  prints every indicator source loaded (the update cache, --ioc and\n"
	"       --allow paths) with its date, checksum, counts per type and the\n"
	"       entries that could not be used.\n"
	"match: looks each VALUE (domain, IP address, URL, or a hash: 32 hex MD5 /\n"
	"       JA3, 40 hex SHA-1, 64 hex SHA-256, or a JA4) up and prints the\n"
	"       indicators it matches; exit status 1 when any matched.\n"
	"\n"
	"options:\n"
	"      --ioc PATH         indicator file or directory; repeatable\n"
	"      --allow PATH       allowlist file or directory; repeatable\n"
	"      --cache-dir DIR    indicator cache (default: see peephole check)\n"
	"      --no-cache         do not load the indicator cache\n"
	"      --json             JSON output\n"
	"  -h, --help             this help\n"
	"\n"
	"exit status: 0 ok (match: nothing matched), 1 match: a value matched,\n"
	"             2 an indicator file could not be read, 3 usage error\n";

enum { OPT_JSON = 2000 };

static const struct option ioc_long[] = {
	{"ioc", required_argument, NULL, PH_OPT_IOC},
	{"allow", required_argument, NULL, PH_OPT_ALLOW},
	{"cache-dir", required_argument, NULL, PH_OPT_CACHE_DIR},
	{"no-cache", no_argument, NULL, PH_OPT_NO_CACHE},
	{"json", no_argument, NULL, OPT_JSON},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static json_object *source_json(const struct ph_intel_source *s)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(s->name));
	json_object_object_add(o, "path", json_object_new_string(s->path));
	json_object_object_add(o, "url", json_object_new_string(s->url));
	json_object_object_add(o, "date", json_object_new_string(s->date));
	json_object_object_add(o, "sha256", json_object_new_string(s->sha256));
	json_object_object_add(o, "format",
			       json_object_new_string(ph_feed_format_name(s->format)));
	json_object_object_add(o, "allowlist", json_object_new_boolean(s->allowlist));
	json_object *counts = json_object_new_object();
	for (int t = 0; t < PH_IOC_TYPE_COUNT; t++)
		if (s->count[t])
			json_object_object_add(counts, ph_ioc_type_name(t),
				json_object_new_int64((int64_t)s->count[t]));
	json_object_object_add(o, "counts", counts);
	json_object_object_add(o, "duplicates", json_object_new_int64((int64_t)s->duplicates));
	json_object_object_add(o, "invalid", json_object_new_int64((int64_t)s->invalid));
	json_object_object_add(o, "unsupported", json_object_new_int64((int64_t)s->unsupported));
	json_object *ex = json_object_new_array();
	for (unsigned i = 0; i < s->nexamples; i++) {
		json_object *e = json_object_new_object();
		json_object_object_add(e, "text", json_object_new_string(s->examples[i].text));
		json_object_object_add(e, "reason", json_object_new_string(s->examples[i].reason));
		json_object_object_add(e, "line", json_object_new_int((int)s->examples[i].line));
		json_object_array_add(ex, e);
	}
	json_object_object_add(o, "unsupported_examples", ex);
	return o;
}

static void print_source_text(const struct ph_intel_source *s)
{
	printf("%s%s\n", s->name, s->allowlist ? "  [allowlist]" : "");
	printf("  format %s", ph_feed_format_name(s->format));
	if (s->date[0])
		printf(", date %s", s->date);
	printf("\n");
	if (s->url[0])
		printf("  url    %s\n", s->url);
	if (s->sha256[0])
		printf("  sha256 %s\n", s->sha256);
	printf("  loaded");
	uint64_t total = 0;
	for (int t = 0; t < PH_IOC_TYPE_COUNT; t++)
		if (s->count[t]) {
			printf(" %s %llu", ph_ioc_type_name(t),
			       (unsigned long long)s->count[t]);
			total += s->count[t];
		}
	printf("%s (total %llu)\n", total ? "" : " nothing",
	       (unsigned long long)total);
	if (s->duplicates || s->invalid || s->unsupported)
		printf("  skipped duplicates %llu, invalid %llu, unsupported "
		       "%llu\n", (unsigned long long)s->duplicates,
		       (unsigned long long)s->invalid,
		       (unsigned long long)s->unsupported);
	for (unsigned i = 0; i < s->nexamples; i++)
		printf("    line %u: %s (%s)\n", s->examples[i].line,
		       s->examples[i].text, s->examples[i].reason);
}

static int ioc_list(const struct ph_intel *in, bool json)
{
	unsigned n = ph_intel_nsources(in);
	if (json) {
		json_object *root = json_object_new_object();
		json_object *arr = json_object_new_array();
		for (unsigned i = 0; i < n; i++)
			json_object_array_add(arr, source_json(ph_intel_source(in, i)));
		json_object_object_add(root, "sources", arr);
		json_object_object_add(root, "indicators",
				       json_object_new_int64((int64_t)ph_intel_count(in)));
		puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
	} else {
		for (unsigned i = 0; i < n; i++)
			print_source_text(ph_intel_source(in, i));
		printf("%u source%s, %llu indicators\n", n, n == 1 ? "" : "s",
		       (unsigned long long)ph_intel_count(in));
		if (n == 0)
			printf("no indicators loaded: run 'peephole update' or "
			       "pass --ioc PATH\n");
	}
	return fflush(stdout) == 0 ? PH_EXIT_OK : PH_EXIT_OUTPUT;
}

/* The indicator types a bare value could be. */
static unsigned guess_types(const char *v, enum ph_ioc_type *t)
{
	size_t n = strlen(v);
	unsigned char a[16];
	char host[64];
	snprintf(host, sizeof host, "%.*s", (int)strcspn(v, "/"), v);
	if (inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1)
		return t[0] = PH_IOC_IP, 1;
	if (strstr(v, "://"))
		return t[0] = PH_IOC_URL, 1;
	if (strchr(v, '@'))
		return t[0] = PH_IOC_EMAIL, 1;
	if (n == 36 && v[10] == '_' && v[23] == '_')
		return t[0] = PH_IOC_JA4, 1;
	if (strspn(v, "0123456789abcdefABCDEF:") == n && n >= 32) {
		if (n == 32)
			return t[0] = PH_IOC_JA3, t[1] = PH_IOC_JA3S,
			       t[2] = PH_IOC_FILE_HASH, 3;
		return t[0] = n == 40 ? PH_IOC_CERT_SHA1 : PH_IOC_CERT_SHA256,
		       t[1] = PH_IOC_FILE_HASH, 2;
	}
	return t[0] = PH_IOC_DOMAIN, t[1] = PH_IOC_NS, t[2] = PH_IOC_APP_ID, 3;
}

static int ioc_match(const struct ph_intel *in, char **values, int n)
{
	bool any = false;
	for (int i = 0; i < n; i++) {
		enum ph_ioc_type types[4];
		unsigned nt = guess_types(values[i], types), found = 0;
		for (unsigned k = 0; k < nt; k++) {
			struct ph_ioc_hit hits[16];
			unsigned nh = ph_intel_match(in, types[k], values[i],
						     strlen(values[i]), hits, 16);
			for (unsigned j = 0; j < nh && j < 16; j++, found++) {
				const struct ph_intel_source *s =
					ph_intel_source(in, hits[j].source);
				printf("%s\t%s %s\t%s%s%s%s\n", values[i],
				       ph_ioc_type_name(hits[j].type),
				       hits[j].value, s ? s->name : "?",
				       hits[j].allow ? " (allowlist)" : "",
				       hits[j].campaign[0] ? "\t" : "",
				       hits[j].campaign);
				any |= !hits[j].allow;
			}
		}
		if (!found)
			printf("%s\tno match\n", values[i]);
	}
	if (fflush(stdout) != 0)
		return PH_EXIT_OUTPUT;
	return any ? PH_EXIT_FINDINGS : PH_EXIT_OK;
}

int ph_cmd_ioc(int argc, char **argv)
{
	struct ph_cli_intel o;
	memset(&o, 0, sizeof o);
	bool json = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", ioc_long, NULL)) != -1) {
		if (c == 'h') {
			fputs(ioc_usage, stdout);
			return PH_EXIT_OK;
		}
		if (c == OPT_JSON)
			json = true;
		else if (c == '?' || ph_cli_intel_opt(&o, c, optarg) < 0) {
			fputs("Try 'peephole ioc --help'.\n", stderr);
			return PH_EXIT_USAGE;
		}
	}
	const char *sub = optind < argc ? argv[optind] : "";
	bool list = strcmp(sub, "list") == 0, match = strcmp(sub, "match") == 0;
	if ((!list && !match) || (match && optind + 1 >= argc) ||
	    (list && optind + 1 < argc)) {
		ph_cli_errorf(sub[0] ? "ioc: bad use of '%s'" :
				       "ioc: say 'list' or 'match VALUE...'", sub);
		fputs("Try 'peephole ioc --help'.\n", stderr);
		return PH_EXIT_USAGE;
	}
	struct ph_intel *in = ph_cli_intel_load(&o);
	if (!in)
		return PH_EXIT_INPUT;
	int code = list ? ioc_list(in, json)
			: ioc_match(in, argv + optind + 1, argc - optind - 1);
	ph_intel_free(in);
	return code;
}
