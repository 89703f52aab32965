/* The --html and --geoip options of `peephole check` (html_out.h). The
 * report goes to "<dir>/.<name>.XXXXXX" (mkstemp, then the mode a new
 * file would get under the umask) and is renamed onto the target only
 * once written and flushed, so a crash or a full disk never leaves half a
 * report under the real name. "-" is refused: standard output already
 * carries the text or JSON report. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/html_out.h"

int ph_cli_html_opt(struct ph_cli_html *o, bool html, const char *arg)
{
	if (html) {
		if (strcmp(arg, "-") == 0 || !arg[0])
			return ph_cli_errorf("--html needs a file name (standard "
					     "output carries the text or JSON "
					     "report)"), -1;
		o->path = arg;
		return 0;
	}
	if (o->ngeoip == PH_GEOIP_MAX_DBS)
		return ph_cli_errorf("too many --geoip (max %d)",
				     PH_GEOIP_MAX_DBS), -1;
	o->geoip[o->ngeoip++] = arg;
	return 0;
}

struct ph_geoip *ph_cli_geoip_open(const struct ph_cli_html *o)
{
	struct ph_geoip *g = ph_geoip_new();
	if (!g) {
		ph_cli_errorf("out of memory");
		return NULL;
	}
	for (unsigned i = 0; i < o->ngeoip; i++) {
		struct ph_err err;
		memset(&err, 0, sizeof err);
		if (ph_geoip_add(g, o->geoip[i], &err) < 0) {
			ph_cli_errorf("--geoip %s", err.msg);
			ph_geoip_free(g);
			return NULL;
		}
	}
	ph_geoip_add_system(g);
	return g;
}

/* "<dir>/.<base>.XXXXXX" for path. */
static int temp_name(const char *path, char *out, size_t n)
{
	const char *slash = strrchr(path, '/');
	int dl = slash ? (int)(slash - path + 1) : 0;
	int k = snprintf(out, n, "%.*s.%s.XXXXXX", dl, path,
			 slash ? slash + 1 : path);
	return k > 0 && (size_t)k < n ? 0 : -1;
}

int ph_cli_write_html(const char *path, const struct ph_check *c)
{
	char tmp[4200];
	if (temp_name(path, tmp, sizeof tmp) < 0)
		return ph_cli_errorf("--html %s: name too long", path), -1;
	int fd = mkstemp(tmp);
	if (fd < 0)
		return ph_cli_errorf("--html %s: %s", path, strerror(errno)), -1;
	mode_t um = umask(022);
	umask(um);
	FILE *f = fdopen(fd, "w");
	struct ph_err err;
	memset(&err, 0, sizeof err);
	int rc = f && fchmod(fd, 0666 & ~um) == 0 ? 0 : -1;
	if (rc == 0)
		rc = ph_check_write_html(c, f, &err);
	else
		ph_err_set(&err, PH_EIO, "%s", strerror(errno));
	if (f ? fclose(f) != 0 && rc == 0 : close(fd) != 0 && rc == 0)
		rc = ph_err_set(&err, PH_EIO, "%s", strerror(errno));
	if (rc == 0 && rename(tmp, path) != 0)
		rc = ph_err_set(&err, PH_EIO, "%s", strerror(errno));
	if (rc < 0) {
		unlink(tmp);
		ph_cli_errorf("--html %s: %s", path, err.msg);
		return -1;
	}
	return 0;
}
