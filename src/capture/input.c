/* Byte input for the capture readers: a sliding window over a regular file,
 * stdin ("-", a pipe or a file), or caller memory, transparently inflating
 * gzip (detected by the 1f 8b magic, any number of concatenated members;
 * trailing non-gzip bytes after a member are ignored, as gzip -d does).
 * Reads with read(2) in window-sized chunks (4 MiB) and keeps records
 * contiguous by moving the unread tail to the front: readers get pointers
 * into the window, no per-record copy or syscall. Owns the window and the
 * 1 MiB compressed-side buffer; knows nothing of pcap formats. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/capture_internal.h"

/* Keep reads large: compact the window when less than this is free. */
#define INPUT_MIN_READ (256u * 1024u)
/* First read, before we know whether the input is gzip (fits in zbuf). */
#define INPUT_PROBE (64u * 1024u)

static int io_error(struct ph_err *err, const char *what, int e)
{
	char b[128];
	const char *s = strerror_r(e, b, sizeof b);
	return ph_err_set(err, PH_EIO, "%s: %s", what, s);
}

/* Reads up to n raw bytes from the source: >0 bytes, 0 at its end, <0. */
static ssize_t src_read(struct ph_input *in, uint8_t *dst, size_t n,
			struct ph_err *err)
{
	if (in->chunk && n > in->chunk)
		n = in->chunk;
	if (n > (size_t)SSIZE_MAX)
		n = (size_t)SSIZE_MAX;
	ssize_t r;
	if (in->mem) {
		size_t left = in->mem_len - in->mem_off;
		r = (ssize_t)(n < left ? n : left);
		memcpy(dst, in->mem + in->mem_off, (size_t)r);
		in->mem_off += (size_t)r;
	} else {
		do
			r = read(in->fd, dst, n);
		while (r < 0 && errno == EINTR);
		if (r < 0)
			return io_error(err, "read failed", errno);
	}
	if (r == 0)
		in->src_eof = true;
	in->raw_read += (uint64_t)r;
	return r;
}

/* Tops up the compressed buffer; false when nothing more can be read. */
static int gz_refill(struct ph_input *in, struct ph_err *err)
{
	z_stream *zs = &in->zs;
	if (in->src_eof)
		return 0;
	if (zs->avail_in && zs->next_in != in->zbuf)
		memmove(in->zbuf, zs->next_in, zs->avail_in);
	zs->next_in = in->zbuf;
	ssize_t r = src_read(in, in->zbuf + zs->avail_in,
			     PH_INPUT_ZBUFSIZE - zs->avail_in, err);
	if (r < 0)
		return (int)r;
	zs->avail_in += (uInt)r;
	return r > 0;
}

/* After a member ends: 1 when another gzip member follows (stream reset),
 * 0 at the end of the compressed data, <0 on error. */
static int gz_next_member(struct ph_input *in, struct ph_err *err)
{
	z_stream *zs = &in->zs;
	while (zs->avail_in < 2) {
		int r = gz_refill(in, err);
		if (r < 0)
			return r;
		if (r == 0)
			return 0;
	}
	if (zs->next_in[0] != 0x1f || zs->next_in[1] != 0x8b)
		return 0; /* trailing garbage: ignored like gzip -d */
	if (inflateReset(zs) != Z_OK)
		return ph_err_set(err, PH_EFORMAT, "gzip: cannot reset stream");
	return 1;
}

/* Inflates up to n bytes into dst: >0 bytes, 0 at the end, <0 on error. */
static ssize_t gz_produce(struct ph_input *in, uint8_t *dst, size_t n,
			  struct ph_err *err)
{
	z_stream *zs = &in->zs;
	uInt want = n > UINT_MAX ? UINT_MAX : (uInt)n;
	zs->next_out = dst;
	zs->avail_out = want;
	while (zs->avail_out == want && !in->gz_bad) {
		if (zs->avail_in == 0) {
			int r = gz_refill(in, err);
			if (r < 0)
				return r;
			if (r == 0) {
				in->gz_trunc = true; /* mid-member */
				break;
			}
		}
		uInt before = zs->avail_in;
		int z = inflate(zs, Z_NO_FLUSH);
		if (z == Z_BUF_ERROR && zs->avail_in == before)
			z = Z_DATA_ERROR; /* no progress: never spin */
		if (z == Z_STREAM_END) {
			int r = gz_next_member(in, err);
			if (r < 0)
				return r;
			if (r == 0) {
				in->gz_done = true;
				break;
			}
		} else if (z == Z_MEM_ERROR) {
			return ph_err_set(err, PH_ENOMEM, "gzip: out of memory");
		} else if (z != Z_OK && z != Z_BUF_ERROR) {
			in->gz_bad = true;
			break;
		}
	}
	if (in->gz_bad && zs->avail_out == want) /* after any good output */
		return ph_err_set(err, PH_EFORMAT, "gzip data corrupt: %s",
				  zs->msg ? zs->msg : "inflate failed");
	return (ssize_t)(want - zs->avail_out);
}

static ssize_t produce(struct ph_input *in, uint8_t *dst, size_t n,
		       struct ph_err *err)
{
	if (in->gz)
		return in->gz_done ? 0 : gz_produce(in, dst, n, err);
	return src_read(in, dst, n, err);
}

/* Moves the unread bytes to the front of the window. */
static void compact(struct ph_input *in)
{
	size_t a = in->end - in->pos;
	if (in->pos == 0)
		return;
	if (a)
		memmove(in->buf, in->buf + in->pos, a);
	in->base += in->pos;
	in->pos = 0;
	in->end = a;
}

int ph_input_fill(struct ph_input *in, size_t n, struct ph_err *err)
{
	while (in->end - in->pos < n) {
		if (in->eof)
			return 0;
		size_t missing = n - (in->end - in->pos);
		if (in->cap - in->end < missing ||
		    in->cap - in->end < INPUT_MIN_READ)
			compact(in);
		if (in->end == in->cap)
			return ph_err_set(err, PH_EINVAL,
					  "record of %zu bytes exceeds the "
					  "%zu-byte window", n, in->cap);
		ssize_t r = produce(in, in->buf + in->end, in->cap - in->end,
				    err);
		if (r < 0)
			return (int)r;
		if (r == 0)
			in->eof = true;
		in->end += (size_t)r;
	}
	return 1;
}

int ph_input_skip(struct ph_input *in, uint64_t n, struct ph_err *err)
{
	while (n > 0) {
		if (in->pos == in->end) {
			int r = ph_input_fill(in, 1, err);
			if (r <= 0)
				return r;
		}
		size_t a = in->end - in->pos;
		size_t k = n < a ? (size_t)n : a;
		in->pos += k;
		n -= k;
	}
	return 1;
}

uint64_t ph_input_pos(const struct ph_input *in)
{
	if (in->gz)
		return in->raw_read - in->zs.avail_in;
	return in->base + in->pos;
}

/* Opens the file or stdin; records its size when it is a regular file. */
static int open_fd(struct ph_input *in, const char *path, struct ph_err *err)
{
	if (strcmp(path, "-") == 0) {
		in->fd = STDIN_FILENO;
		in->own_fd = false;
	} else {
		in->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (in->fd < 0)
			return io_error(err, "cannot open", errno);
		in->own_fd = true;
	}
	struct stat st;
	if (fstat(in->fd, &st) == 0 && S_ISREG(st.st_mode)) {
		in->file_size = (uint64_t)st.st_size;
		(void)posix_fadvise(in->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	}
	return 0;
}

/* Reads the first bytes and switches to gzip when they carry its magic. */
static int detect_gzip(struct ph_input *in, struct ph_err *err)
{
	while (in->end < 2 && !in->src_eof) {
		ssize_t r = src_read(in, in->buf + in->end,
				     INPUT_PROBE - in->end, err);
		if (r < 0)
			return (int)r;
		in->end += (size_t)r;
	}
	in->eof = in->src_eof;
	if (in->end < 2 || in->buf[0] != 0x1f || in->buf[1] != 0x8b)
		return 0;
	in->zbuf = malloc(PH_INPUT_ZBUFSIZE);
	if (!in->zbuf)
		return ph_err_set(err, PH_ENOMEM, "out of memory (gzip buffer)");
	memcpy(in->zbuf, in->buf, in->end);
	memset(&in->zs, 0, sizeof in->zs);
	in->zs.next_in = in->zbuf;
	in->zs.avail_in = (uInt)in->end;
	if (inflateInit2(&in->zs, 15 + 16) != Z_OK)
		return ph_err_set(err, PH_ENOMEM, "gzip: inflateInit failed");
	in->gz_ready = true;
	in->gz = true;
	in->end = 0;
	in->eof = false;
	return 0;
}

int ph_input_open(struct ph_input *in, const char *path, const void *mem,
		  size_t mem_len, const struct ph_capture_opts *o,
		  struct ph_err *err)
{
	memset(in, 0, sizeof *in);
	in->fd = -1;
	in->cap = PH_INPUT_BUFSIZE;
	if (o && o->bufsize)
		in->cap = o->bufsize < PH_INPUT_MINBUF ? PH_INPUT_MINBUF
						       : o->bufsize;
	in->chunk = o ? o->chunk : 0;
	if (path) {
		int r = open_fd(in, path, err);
		if (r < 0)
			return r;
	} else {
		in->mem = mem ? (const uint8_t *)mem : (const uint8_t *)"";
		in->mem_len = mem_len;
		in->file_size = mem_len;
	}
	in->buf = malloc(in->cap);
	if (!in->buf)
		return ph_err_set(err, PH_ENOMEM, "out of memory (%zu-byte window)",
				  in->cap);
	return detect_gzip(in, err);
}

void ph_input_close(struct ph_input *in)
{
	if (in->gz_ready)
		inflateEnd(&in->zs);
	if (in->own_fd && in->fd >= 0)
		close(in->fd);
	free(in->zbuf);
	free(in->buf);
	memset(in, 0, sizeof *in);
	in->fd = -1;
}
