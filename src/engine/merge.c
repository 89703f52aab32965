/* k-way merge of capture files by timestamp (see merge.h). Sources are few
 * (usually one), so the minimum is found by a linear scan; with one source
 * frames pass straight through. Ties keep file order (stable). */
#include "engine/merge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void copy_path(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src);
}

int ph_merge_open(struct ph_merge *m, const char *const *files, unsigned n,
		  struct ph_file_result *res)
{
	memset(m, 0, sizeof *m);
	m->src = calloc(n ? n : 1, sizeof *m->src);
	if (!m->src)
		return PH_ENOMEM;
	m->n = n;
	int opened = 0;
	for (unsigned i = 0; i < n; i++) {
		struct ph_merge_src *s = &m->src[i];
		s->res = &res[i];
		copy_path(res[i].path, sizeof res[i].path, files[i]);
		if (ph_capture_open(&s->cap, files[i], &res[i].err) < 0) {
			copy_path(res[i].err.file, sizeof res[i].err.file,
				  files[i]);
			s->done = true;
			continue;
		}
		res[i].opened = true;
		copy_path(res[i].format, sizeof res[i].format,
			  ph_capture_format(s->cap));
		opened++;
	}
	return opened;
}

/* Pulls the next frame of source i into its pending slot. */
static void refill(struct ph_merge *m, unsigned i)
{
	struct ph_merge_src *s = &m->src[i];
	s->has_pending = false;
	if (s->done)
		return;
	int r = ph_capture_next(s->cap, &s->pending, &s->res->err);
	if (r == 1) {
		s->pending.file_idx = i;
		s->has_pending = true;
		s->res->packets++;
		return;
	}
	s->done = true;
	s->res->bytes = ph_capture_stats(s->cap)->bytes_read;
	if (r < 0 && s->res->err.file[0] == '\0')
		copy_path(s->res->err.file, sizeof s->res->err.file,
			  s->res->path);
}

static void prime(struct ph_merge *m)
{
	for (unsigned i = 0; i < m->n; i++)
		refill(m, i);
	m->primed = true;
}

static int earliest(const struct ph_merge *m)
{
	int best = -1;
	for (unsigned i = 0; i < m->n; i++) {
		if (!m->src[i].has_pending)
			continue;
		if (best < 0 ||
		    m->src[i].pending.ts_ns < m->src[best].pending.ts_ns)
			best = (int)i;
	}
	return best;
}

uint64_t ph_merge_first_ts(struct ph_merge *m)
{
	if (!m->primed) {
		prime(m);
		m->peeked = true;
	}
	int best = earliest(m);
	return best < 0 ? 0 : m->src[best].pending.ts_ns;
}

int ph_merge_next(struct ph_merge *m, struct ph_frame *f)
{
	if (!m->primed)
		prime(m);
	else if (m->peeked)
		m->peeked = false; /* pending frames not handed out yet */
	else
		refill(m, m->last);
	int best = -1;
	for (unsigned i = 0; i < m->n; i++) {
		if (!m->src[i].has_pending)
			continue;
		if (best < 0 ||
		    m->src[i].pending.ts_ns < m->src[best].pending.ts_ns)
			best = (int)i;
	}
	if (best < 0)
		return 0;
	m->last = (unsigned)best;
	*f = m->src[best].pending;
	return 1;
}

void ph_merge_progress(const struct ph_merge *m, uint64_t *pos,
		       uint64_t *total)
{
	*pos = *total = 0;
	for (unsigned i = 0; i < m->n; i++) {
		if (!m->src[i].cap)
			continue;
		*pos += ph_capture_pos(m->src[i].cap);
		*total += ph_capture_size(m->src[i].cap);
	}
}

const char *ph_merge_app_for_uid(const struct ph_merge *m, uint32_t file_idx,
				 int32_t uid)
{
	if (file_idx >= m->n || !m->src[file_idx].cap)
		return NULL;
	return ph_capture_app_for_uid(m->src[file_idx].cap, uid);
}

void ph_merge_close(struct ph_merge *m)
{
	for (unsigned i = 0; i < m->n; i++) {
		struct ph_merge_src *s = &m->src[i];
		if (!s->cap)
			continue;
		if (s->res && !s->res->bytes)
			s->res->bytes = ph_capture_stats(s->cap)->bytes_read;
		ph_capture_close(s->cap);
	}
	free(m->src);
	memset(m, 0, sizeof *m);
}
