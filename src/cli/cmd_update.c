/* `peephole update`: downloads the indicator feeds into the per-user cache
 * (see docs/update.md). Parses the options into struct ph_update_opts,
 * prints one progress line per file on stderr (unless -q) and one line per
 * failure (always), and maps the outcome to the exit codes: 0 all updated,
 * 4 some failed, 2 none fetched, 3 usage, 5 cache not writable. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "peephole/update.h"

static const char update_usage[] =
	"usage: peephole update [options]\n"
	"\n"
	"Downloads the public indicator feeds (stalkerware-indicators ioc.yaml and\n"
	"watchware.yaml, and every STIX2 file of the MVT indicator index, which\n"
	"covers Amnesty's investigations) over HTTPS into the cache directory;\n"
	"'peephole check' uses them. A feed that fails keeps its previous copy.\n"
	"\n"
	"options:\n"
	"      --cache-dir DIR    cache directory (default $PEEPHOLE_CACHE_DIR, else\n"
	"                         $XDG_CACHE_HOME/peephole/feeds, else\n"
	"                         ~/.cache/peephole/feeds)\n"
	"      --feed URL         also download URL (https, http or file; any\n"
	"                         format peephole reads); repeatable\n"
	"      --index URL        use this MVT-style indicators.yaml instead of\n"
	"                         the default index\n"
	"      --no-defaults      download only the --feed and --index URLs\n"
	"      --timeout SEC      per-file time limit (default 120)\n"
	"  -q, --quiet            no progress lines (failures are still printed)\n"
	"  -h, --help             this help\n"
	"\n"
	"environment: PEEPHOLE_CA_FILE names a CA bundle to trust instead of the\n"
	"system store (TLS verification is always on).\n"
	"\n"
	"exit status: 0 all feeds updated, 2 nothing could be fetched, 3 usage\n"
	"             error, 4 some feeds failed (others updated), 5 cache not\n"
	"             writable\n";

struct update_cli {
	struct ph_update_opts u;
	const char *cache_dir;
	const char *feeds[PH_UPDATE_MAX_FEEDS];
	bool quiet;
};

static int parse_opt(int c, const char *arg, struct update_cli *o)
{
	uint64_t v;
	switch (c) {
	case 'C':
		o->cache_dir = arg;
		return 0;
	case 'F':
		if (o->u.nfeeds >= PH_UPDATE_MAX_FEEDS)
			return ph_cli_errorf("update: at most %d --feed URLs",
					     PH_UPDATE_MAX_FEEDS), -1;
		o->feeds[o->u.nfeeds++] = arg;
		return 0;
	case 'I':
		o->u.index_url = arg;
		return 0;
	case 'N':
		o->u.no_defaults = true;
		return 0;
	case 'T':
		if (!ph_cli_parse_u64(arg, 1, 3600, &v))
			return ph_cli_errorf("update: --timeout: '%s' is not a number of seconds from 1 to 3600", arg), -1;
		o->u.timeout_s = (unsigned)v;
		return 0;
	case 'q':
		o->quiet = true;
		return 0;
	default:
		return -1;
	}
}

static const struct option update_long[] = {
	{"cache-dir", required_argument, NULL, 'C'},
	{"feed", required_argument, NULL, 'F'},
	{"index", required_argument, NULL, 'I'},
	{"no-defaults", no_argument, NULL, 'N'},
	{"timeout", required_argument, NULL, 'T'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static void on_file(void *user, const struct ph_update_result *r)
{
	const struct update_cli *o = user;
	if (r->code < 0) {
		ph_cli_errorf("update: %s: %s (%s)", r->url,
			      r->reason[0] ? r->reason : ph_status_str(r->code),
			      r->kept ? "previous copy kept" : "not cached");
		return;
	}
	if (!o->quiet)
		fprintf(stderr, "%s: updated %s (%llu bytes) from %s\n",
			ph_cli_prog, r->file, (unsigned long long)r->bytes,
			r->url);
}

static int usage_error(const char *msg)
{
	if (msg)
		ph_cli_errorf("update: %s", msg);
	fputs("Try 'peephole update --help'.\n", stderr);
	return PH_EXIT_USAGE;
}

static int parse_args(int argc, char **argv, struct update_cli *o)
{
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", update_long, NULL)) != -1) {
		if (c == 'h') {
			fputs(update_usage, stdout);
			return PH_EXIT_OK;
		}
		if (c == '?' || parse_opt(c, optarg, o) < 0)
			return usage_error(NULL);
	}
	if (optind < argc)
		return usage_error("unexpected argument (URLs go after --feed)");
	if (o->u.no_defaults && !o->u.nfeeds && !o->u.index_url)
		return usage_error("--no-defaults without --feed or --index: nothing to download");
	return -1;
}

int ph_cmd_update(int argc, char **argv)
{
	struct update_cli o;
	memset(&o, 0, sizeof o);
	int code = parse_args(argc, argv, &o);
	if (code >= 0)
		return code;
	char dir[4096];
	struct ph_err err;
	memset(&err, 0, sizeof err);
	if (ph_update_cache_dir(dir, sizeof dir, o.cache_dir, &err) < 0) {
		ph_cli_print_err(&err);
		return PH_EXIT_OUTPUT;
	}
	const char *ca = getenv("PEEPHOLE_CA_FILE");
	o.u.cache_dir = dir;
	o.u.feeds = o.feeds;
	o.u.ca_file = ca && *ca ? ca : NULL;
	o.u.on_file = on_file;
	o.u.user = &o;
	struct ph_update_totals t;
	int rc = ph_update_run(&o.u, &t, &err);
	if (rc < 0) {
		ph_cli_print_err(&err);
		return rc == PH_EINVAL ? PH_EXIT_USAGE : PH_EXIT_OUTPUT;
	}
	if (!o.quiet)
		fprintf(stderr, "%s: %u file%s updated, %u failed, cache %s\n",
			ph_cli_prog, t.updated, t.updated == 1 ? "" : "s",
			t.failed, dir);
	if (t.failed == 0)
		return PH_EXIT_OK;
	return t.updated ? PH_EXIT_PARTIAL : PH_EXIT_INPUT;
}
