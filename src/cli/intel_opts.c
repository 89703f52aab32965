/* Indicator options shared by `check` and `ioc list`: --ioc PATH and
 * --allow PATH (repeatable), --cache-dir DIR and --no-cache, turned into a
 * loaded indicator store. The update cache (filled by `peephole update`)
 * is loaded first when it exists; a missing cache is not an error. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "peephole/update.h"

int ph_cli_intel_opt(struct ph_cli_intel *o, int c, const char *arg)
{
	switch (c) {
	case PH_OPT_IOC:
	case PH_OPT_ALLOW:
		if (o->npaths >= PH_CLI_MAX_FEEDS) {
			ph_cli_errorf("too many --ioc/--allow paths (max %d)",
				      PH_CLI_MAX_FEEDS);
			return -1;
		}
		o->paths[o->npaths] = arg;
		o->allow[o->npaths++] = c == PH_OPT_ALLOW;
		return 0;
	case PH_OPT_CACHE_DIR:
		o->cache_dir = arg;
		return 0;
	case PH_OPT_NO_CACHE:
		o->no_cache = true;
		return 0;
	default:
		return -1;
	}
}

/* A cached feed that was not loaded: said on stderr, the check goes on
 * with the others (the report lists the sources that were loaded). */
static void cache_skip(void *user, const char *file, const char *reason)
{
	(void)user;
	ph_cli_errorf("indicator cache: %s not loaded: %s", file, reason);
}

/* Loads the update cache if there is one. */
static int load_cache(struct ph_intel *in, const struct ph_cli_intel *o)
{
	char dir[1024];
	struct ph_err err;
	memset(&err, 0, sizeof err);
	if (ph_update_cache_dir(dir, sizeof dir, o->cache_dir, &err) < 0) {
		if (o->cache_dir) {
			ph_cli_print_err(&err);
			return -1;
		}
		return 0; /* no HOME: no cache */
	}
	struct stat st;
	if (stat(dir, &st) != 0) {
		if (o->cache_dir) {
			ph_cli_errorf("%s: no indicator cache there (run "
				      "'peephole update --cache-dir %s')",
				      dir, dir);
			return -1;
		}
		return 0;
	}
	char manifest[1100];
	snprintf(manifest, sizeof manifest, "%s/manifest.json", dir);
	if (stat(manifest, &st) != 0) {
		if (o->cache_dir) {
			ph_cli_errorf("%s: not an indicator cache (no "
				      "manifest.json; run 'peephole update "
				      "--cache-dir %s')", dir, dir);
			return -1;
		}
		return 0; /* a cache directory never filled */
	}
	if (ph_intel_load_cache_cb(in, dir, cache_skip, NULL, &err) < 0) {
		ph_cli_print_err(&err);
		return -1;
	}
	return 0;
}

struct ph_intel *ph_cli_intel_load(const struct ph_cli_intel *o)
{
	struct ph_intel *in = ph_intel_new();
	if (!in) {
		ph_cli_errorf("out of memory");
		return NULL;
	}
	if (!o->no_cache && load_cache(in, o) < 0) {
		ph_intel_free(in);
		return NULL;
	}
	for (unsigned i = 0; i < o->npaths; i++) {
		struct ph_err err;
		memset(&err, 0, sizeof err);
		if (ph_intel_load_path(in, o->paths[i], o->allow[i], &err) < 0) {
			ph_cli_print_err(&err);
			ph_intel_free(in);
			return NULL;
		}
	}
	return in;
}
