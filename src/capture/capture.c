/* Capture reader handle: opens the byte input (input.c), picks the backend
 * by magic (pcap_file.c or pcapng_file.c), runs it, and owns the error
 * record, counters and the PCAPdroid UID->app table (sorted array, at most
 * PH_CAPTURE_MAX_APPS entries, names <= 255 bytes each). After a failure
 * every later ph_capture_next repeats the same error. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture_internal.h"

int ph_capture_fail(struct ph_capture *c, struct ph_err *err, int code,
		    uint64_t packet, uint64_t offset, const char *fmt, ...)
{
	if (c)
		c->located = true;
	if (!err)
		return code;
	err->code = code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	err->packet = packet;
	err->offset = offset;
	if (c)
		snprintf(err->file, sizeof err->file, "%s", c->path);
	return code;
}

int ph_capture_eof(struct ph_capture *c, struct ph_err *err)
{
	if (c->in.gz_trunc)
		return ph_capture_fail(c, err, PH_ETRUNC, 0, ph_input_off(&c->in),
				       "gzip stream truncated after %llu "
				       "decompressed bytes",
				       (unsigned long long)ph_input_off(&c->in));
	return 0;
}

int ph_capture_linktype(uint32_t field)
{
	uint32_t lt = field & 0xFFFFu; /* upper bits: FCS length, reserved */
	if (lt == 12 || lt == 14)      /* DLT_RAW on most systems / OpenBSD */
		return PH_LINK_RAW;
	return (int)lt;
}

/* Index of the first entry with uid >= `uid`. */
static size_t app_find(const struct ph_capture *c, int32_t uid)
{
	size_t lo = 0, hi = c->n_apps;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->apps[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Copies a name: stops at NUL, replaces control bytes with '?'. */
static char *name_dup(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);
	if (!s)
		return NULL;
	size_t i = 0;
	for (; i < n && p[i]; i++)
		s[i] = (p[i] < 0x20 || p[i] == 0x7f) ? '?' : (char)p[i];
	s[i] = '\0';
	return s;
}

/* Makes room for one more entry at index i; false when out of memory. */
static bool app_insert_slot(struct ph_capture *c, size_t i)
{
	if (c->n_apps == c->cap_apps) {
		size_t nc = c->cap_apps ? c->cap_apps * 2 : 16;
		if (nc > PH_CAPTURE_MAX_APPS)
			nc = PH_CAPTURE_MAX_APPS;
		struct ph_app *na = realloc(c->apps, nc * sizeof *na);
		if (!na)
			return false;
		c->apps = na;
		c->cap_apps = nc;
	}
	memmove(c->apps + i + 1, c->apps + i,
		(c->n_apps - i) * sizeof *c->apps);
	c->n_apps++;
	return true;
}

int ph_capture_app_add(struct ph_capture *c, int32_t uid, const uint8_t *pkg,
		       size_t pkg_len, const uint8_t *label, size_t label_len)
{
	size_t i = app_find(c, uid);
	bool found = i < c->n_apps && c->apps[i].uid == uid;
	if (!found && c->n_apps >= PH_CAPTURE_MAX_APPS) {
		c->st.apps_dropped++;
		return 0;
	}
	char *p = name_dup(pkg, pkg_len), *l = name_dup(label, label_len);
	if (!p || !l || (!found && !app_insert_slot(c, i))) {
		free(p);
		free(l);
		return PH_ENOMEM;
	}
	if (found) {
		free(c->apps[i].package);
		free(c->apps[i].label);
	}
	c->apps[i] = (struct ph_app){.uid = uid, .package = p, .label = l};
	return 0;
}

static const struct ph_app *app_get(const struct ph_capture *c, int32_t uid)
{
	size_t i = app_find(c, uid);
	return i < c->n_apps && c->apps[i].uid == uid ? &c->apps[i] : NULL;
}

const char *ph_capture_app_for_uid(const struct ph_capture *c, int32_t uid)
{
	const struct ph_app *a = c ? app_get(c, uid) : NULL;
	return a ? a->package : NULL;
}

const char *ph_capture_app_label_for_uid(const struct ph_capture *c,
					 int32_t uid)
{
	const struct ph_app *a = c ? app_get(c, uid) : NULL;
	return a ? a->label : NULL;
}

/* Reads the magic and starts the matching backend. */
static int capture_start(struct ph_capture *c, struct ph_err *err)
{
	struct ph_input *in = &c->in;
	int r = ph_input_need(in, 4, err);
	if (r < 0)
		return r;
	if (r == 0)
		return ph_capture_fail(c, err, PH_ETRUNC, 0, 0,
				       "file too short for a capture header "
				       "(%zu bytes)", ph_input_avail(in));
	uint32_t m = ph_be32(ph_input_ptr(in));
	switch (m) {
	case 0xa1b2c3d4: case 0xd4c3b2a1: case 0xa1b23c4d: case 0x4d3cb2a1:
	case 0xa1b2cd34: case 0x34cdb2a1:
		c->format = in->gz ? "pcap.gz" : "pcap";
		return ph_pcap_start(c, err);
	case 0x0a0d0d0a:
		c->format = in->gz ? "pcapng.gz" : "pcapng";
		return ph_pcapng_start(c, err);
	default:
		return ph_capture_fail(c, err, PH_EFORMAT, 0, 0,
				       "not a pcap or pcapng file (magic 0x%08x)",
				       m);
	}
}

int ph_capture_open_opts(struct ph_capture **out, const char *path,
			 const void *mem, size_t mem_len, const char *name,
			 const struct ph_capture_opts *o, struct ph_err *err)
{
	*out = NULL;
	const char *label = path ? path : (name ? name : "<memory>");
	struct ph_capture *c = calloc(1, sizeof *c);
	if (!c) {
		ph_capture_fail(NULL, err, PH_ENOMEM, 0, 0, "out of memory");
		if (err)
			snprintf(err->file, sizeof err->file, "%s", label);
		return PH_ENOMEM;
	}
	snprintf(c->path, sizeof c->path, "%s", label);
	int r = ph_input_open(&c->in, path, mem, mem_len, o, err);
	if (r == 0)
		r = capture_start(c, err);
	if (r < 0) {
		if (err) {
			snprintf(err->file, sizeof err->file, "%s", c->path);
			err->code = r;
			if (!c->located)
				err->offset = err->packet = 0;
		}
		ph_capture_close(c);
		return r;
	}
	*out = c;
	return 0;
}

int ph_capture_open(struct ph_capture **out, const char *path,
		    struct ph_err *err)
{
	if (!out || !path) {
		if (out)
			*out = NULL;
		return ph_err_set(err, PH_EINVAL, "no capture path");
	}
	return ph_capture_open_opts(out, path, NULL, 0, NULL, NULL, err);
}

int ph_capture_open_mem(struct ph_capture **out, const void *data,
			size_t len, const char *name, struct ph_err *err)
{
	if (!out || (!data && len))
		return ph_err_set(err, PH_EINVAL, "no capture data");
	return ph_capture_open_opts(out, NULL, data, len, name, NULL, err);
}

int ph_capture_next(struct ph_capture *c, struct ph_frame *f,
		    struct ph_err *err)
{
	if (c->failed) {
		if (err)
			*err = c->last_err;
		return c->failed;
	}
	int r = c->next(c, f, err);
	c->st.bytes_read = ph_input_off(&c->in);
	if (r == 1) {
		c->st.frames++;
		return 1;
	}
	if (r < 0) {
		c->failed = r;
		if (err) {
			if (!c->located) { /* from the input layer */
				err->offset = ph_input_off(&c->in);
				err->packet = c->pkt_no + 1;
			}
			snprintf(err->file, sizeof err->file, "%s", c->path);
			err->code = r;
			c->last_err = *err;
		} else {
			c->last_err.code = r;
		}
	}
	return r;
}

void ph_capture_close(struct ph_capture *c)
{
	if (!c)
		return;
	ph_input_close(&c->in);
	for (size_t i = 0; i < c->n_apps; i++) {
		free(c->apps[i].package);
		free(c->apps[i].label);
	}
	free(c->apps);
	free(c->ifaces);
	free(c);
}

uint64_t ph_capture_size(const struct ph_capture *c)
{
	return c->in.file_size;
}

uint64_t ph_capture_pos(const struct ph_capture *c)
{
	return ph_input_pos(&c->in);
}

const struct ph_capture_stats *ph_capture_stats(const struct ph_capture *c)
{
	return &c->st;
}

const char *ph_capture_format(const struct ph_capture *c)
{
	return c->format ? c->format : "unknown";
}
