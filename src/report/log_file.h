/* One Zeek log file owned by a log module: opened on its first record (so
 * a run without such records leaves no empty file), closed and renamed into
 * place at the end of the run, removed on error. Keeps the first error
 * (sticky; later records are dropped) and a count of skipped records. */
#ifndef PH_REPORT_LOG_FILE_H
#define PH_REPORT_LOG_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "peephole/module.h"
#include "report/zeek_writer.h"

struct ph_log_file {
	const char *dir;                    /* borrowed; NULL: logging off */
	const char *path;                   /* "quic" (static) */
	enum ph_zeek_fmt fmt;
	const struct ph_zeek_field *fields; /* static schema */
	size_t nfields;
	uint64_t open_ts_ns;                /* TSV #open */
	struct ph_zeek_writer *w;           /* owned, NULL until first record */
	int status;                         /* first error, 0 if none */
	struct ph_err err;                  /* its message */
	uint64_t skipped;                   /* records the module skipped */
};

void ph_log_file_init(struct ph_log_file *f, const struct ph_module_env *env,
		      const char *path, const struct ph_zeek_field *fields,
		      size_t nfields);

/* The writer for the next record, opened now if needed; NULL when logging
 * is off or after an error. */
struct ph_zeek_writer *ph_log_file_writer(struct ph_log_file *f);

/* Records the result of ph_zeek_rec_end (rc, e): keeps the first error. */
void ph_log_file_check(struct ph_log_file *f, int rc, const struct ph_err *e);

/* End of run: 0, or the first error (then no file is left behind). */
int ph_log_file_finish(struct ph_log_file *f, uint64_t last_ts_ns,
		       struct ph_err *err);

/* Frees the writer if still open, removing its temporary file. */
void ph_log_file_destroy(struct ph_log_file *f);

/* Module callbacks (module.h) for a log module whose state is a malloc'd
 * struct beginning with its struct ph_log_file: finish closes the log,
 * destroy discards it and frees the state. */
int ph_log_module_finish(void *state, uint64_t last_ts_ns, struct ph_err *err);
void ph_log_module_destroy(void *state);

#endif
