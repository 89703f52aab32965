/* One Zeek log file of a log module (see log_file.h). */
#include "report/log_file.h"

#include <stdlib.h>
#include <string.h>

void ph_log_file_init(struct ph_log_file *f, const struct ph_module_env *env,
		      const char *path, const struct ph_zeek_field *fields,
		      size_t nfields)
{
	memset(f, 0, sizeof *f);
	f->dir = env->log_dir;
	f->path = path;
	f->fmt = env->log_tsv ? PH_ZEEK_TSV : PH_ZEEK_JSON;
	f->fields = fields;
	f->nfields = nfields;
	f->open_ts_ns = env->first_ts_ns;
}

struct ph_zeek_writer *ph_log_file_writer(struct ph_log_file *f)
{
	if (!f->dir || f->status)
		return NULL;
	if (!f->w) {
		f->w = ph_zeek_writer_open(f->dir, f->path, f->fmt, f->fields,
					   f->nfields, f->open_ts_ns, &f->err);
		if (!f->w)
			f->status = f->err.code ? f->err.code : PH_EIO;
	}
	return f->w;
}

void ph_log_file_check(struct ph_log_file *f, int rc, const struct ph_err *e)
{
	if (rc && !f->status) {
		f->status = rc;
		if (e)
			f->err = *e;
	}
}

int ph_log_file_finish(struct ph_log_file *f, uint64_t last_ts_ns,
		       struct ph_err *err)
{
	if (f->status) {
		ph_log_file_destroy(f);
		if (err)
			*err = f->err;
		return f->status;
	}
	if (!f->w)
		return PH_OK;
	int rc = ph_zeek_writer_close(f->w, last_ts_ns, err);
	f->w = NULL;
	return rc;
}

void ph_log_file_destroy(struct ph_log_file *f)
{
	if (f->w)
		ph_zeek_writer_discard(f->w);
	f->w = NULL;
}

int ph_log_module_finish(void *state, uint64_t last_ts_ns, struct ph_err *err)
{
	return ph_log_file_finish((struct ph_log_file *)state, last_ts_ns, err);
}

void ph_log_module_destroy(void *state)
{
	if (state)
		ph_log_file_destroy((struct ph_log_file *)state);
	free(state);
}
