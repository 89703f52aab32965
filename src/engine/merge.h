/* Several capture files read as one session: yields frames from all open
 * captures in timestamp order (a k-way merge keeping one pending frame per
 * file). A file that fails keeps its frames read so far and drops out; its
 * error is kept for the summary. */
#ifndef PH_ENGINE_MERGE_H
#define PH_ENGINE_MERGE_H

#include <stdbool.h>

#include "capture/capture.h"
#include "peephole/run.h"

struct ph_merge_src {
	struct ph_capture *cap;      /* owned */
	struct ph_frame pending;     /* borrowed from cap until its next read */
	bool has_pending;
	bool done;
	struct ph_file_result *res;  /* borrowed: where outcome is recorded */
};

struct ph_merge {
	struct ph_merge_src *src;    /* owned array of n */
	unsigned n;
	unsigned last;               /* source of the frame last returned */
	bool primed;
	bool peeked;                 /* primed by ph_merge_first_ts */
};

/* Opens every file; files that cannot be opened are recorded in res[i]
 * and skipped. Returns the number opened, or PH_ENOMEM. */
int ph_merge_open(struct ph_merge *m, const char *const *files, unsigned n,
		  struct ph_file_result *res);
/* Next frame in time order: 1 with *f set (borrowed until the next call),
 * 0 when every source is exhausted. */
int ph_merge_next(struct ph_merge *m, struct ph_frame *f);
/* Time of the first frame, without consuming it (0 when there is none):
 * lets logs carry the capture's start time in their headers. */
uint64_t ph_merge_first_ts(struct ph_merge *m);
/* Bytes consumed / total across all files (for progress). */
void ph_merge_progress(const struct ph_merge *m, uint64_t *pos,
		       uint64_t *total);
/* Looks up a PCAPdroid UID in the file the frame came from. */
const char *ph_merge_app_for_uid(const struct ph_merge *m, uint32_t file_idx,
				 int32_t uid);
void ph_merge_close(struct ph_merge *m);

#endif
