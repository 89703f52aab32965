/* Capture stage internals shared by input.c, pcap_file.c, pcapng_file.c and
 * capture.c: the byte input (a sliding window over a file, stdin, memory or
 * a gzip stream), the reader handle, and the backend entry points. Nothing
 * outside src/capture/ (except the capture tests and fuzz target) includes
 * this. Caps: window PH_INPUT_BUFSIZE, block PH_CAPTURE_MAX_BLOCK. */
#ifndef PH_CAPTURE_INTERNAL_H
#define PH_CAPTURE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "capture/capture.h"
#include "util/rd.h"

/* Default window: records are returned pointing into it (zero copy). */
#define PH_INPUT_BUFSIZE (4u * 1024u * 1024u)
/* Largest pcapng block we hold in the window: a maximal packet plus room
 * for headers and options. Larger skippable blocks are streamed past. */
#define PH_CAPTURE_MAX_BLOCK (PH_CAPTURE_MAX_RECORD + 65536u)
/* Smallest window we accept: one maximal block must fit. */
#define PH_INPUT_MINBUF (PH_CAPTURE_MAX_BLOCK + 4096u)
/* Compressed-side buffer for gzip input. */
#define PH_INPUT_ZBUFSIZE (1024u * 1024u)
/* Largest skippable pcapng block (NRB, DSB, unknown) we stream past;
 * anything longer is treated as a corrupt length. */
#define PH_CAPTURE_MAX_SKIP (64u * 1024u * 1024u)

/* Byte input: a window buf[pos, end) over the decompressed stream. `base`
 * is the stream offset of buf[0]. Owned by its ph_capture. */
struct ph_input {
	int fd;               /* -1 for memory input */
	bool own_fd;          /* false for stdin */
	const uint8_t *mem;   /* borrowed memory source (until close) */
	size_t mem_len, mem_off;
	size_t chunk;         /* most bytes per source read (tests/fuzz) */
	uint8_t *buf;         /* owned window */
	size_t cap, pos, end;
	uint64_t base;
	bool eof;             /* source (or gzip stream) exhausted */
	bool gz;              /* gzip detected by magic */
	bool gz_trunc;        /* compressed stream ended mid-member */
	bool gz_done;         /* last member ended cleanly */
	bool gz_bad;          /* inflate failed: sticky, after good output */
	bool gz_ready;        /* inflateInit2 done */
	z_stream zs;
	uint8_t *zbuf;        /* owned compressed-side buffer */
	bool src_eof;         /* raw source exhausted */
	uint64_t raw_read;    /* raw bytes read from the source */
	uint64_t file_size;   /* regular file size, else 0 */
};

/* Options for the internal constructor (tests, fuzzing). */
struct ph_capture_opts {
	size_t bufsize;   /* window size, >= PH_INPUT_MINBUF; 0 = default */
	size_t chunk;     /* most bytes per source read; 0 = unlimited */
};

struct ph_capture;
typedef int (*ph_capture_next_fn)(struct ph_capture *c, struct ph_frame *f,
				   struct ph_err *err);

/* One pcapng interface, with its time conversion precomputed. */
struct ph_ng_iface {
	int linktype;
	uint32_t snaplen;     /* as written (0 = unlimited) */
	uint8_t tsresol;      /* raw if_tsresol value (default 6) */
	uint64_t mul;         /* ns = units * mul (decimal, <= 1e9) ... */
	uint64_t div;         /* ... or units / div (decimal, > 1e9) */
	uint8_t shift;        /* binary: ns = units * 1e9 >> shift */
	bool binary;
	int64_t offset_s;     /* if_tsoffset, seconds */
};

/* One PCAPdroid UID mapping; both strings owned, NUL-terminated. */
struct ph_app {
	int32_t uid;
	char *package;
	char *label;
};

struct ph_capture {
	struct ph_input in;
	char path[256];
	const char *format;      /* static string */
	ph_capture_next_fn next;
	struct ph_capture_stats st;
	uint64_t pkt_no;          /* packets numbered so far */
	int failed;               /* sticky error code, 0 = none */
	bool located;             /* err offset/packet set by the backend */
	struct ph_err last_err;   /* repeated on later calls after failure */
	/* classic pcap */
	bool be;                  /* file is big-endian */
	bool nsec;
	uint32_t rec_hdr;         /* 16, or 24 for Kuznetsov's format */
	uint32_t snaplen;         /* effective, clamped */
	int linktype;
	/* pcapng */
	struct ph_ng_iface *ifaces; /* owned, PH_CAPTURE_MAX_IFACES */
	uint32_t n_ifaces;
	uint64_t last_ts;          /* for SPBs, which carry no time */
	/* PCAPdroid UID map, sorted by uid */
	struct ph_app *apps;       /* owned */
	size_t n_apps, cap_apps;
};

/* input.c ---------------------------------------------------------------- */

/* Opens the source (path, "-" = stdin, or mem when path is NULL) and
 * detects gzip. Returns 0 or <0 with err filled (not err->file). */
int ph_input_open(struct ph_input *in, const char *path, const void *mem,
		  size_t mem_len, const struct ph_capture_opts *o,
		  struct ph_err *err);
void ph_input_close(struct ph_input *in);

/* Slow path of ph_input_need: refills the window until n bytes are
 * available or the input ends. Returns 1 (available), 0 (input ended
 * first; see ph_input_avail) or <0 with err filled. n <= in->cap. */
int ph_input_fill(struct ph_input *in, size_t n, struct ph_err *err);

/* Discards n bytes (may exceed the window). 1 done, 0 input ended first,
 * <0 error. */
int ph_input_skip(struct ph_input *in, uint64_t n, struct ph_err *err);

/* Compressed (or raw) bytes consumed so far, for progress. */
uint64_t ph_input_pos(const struct ph_input *in);

static inline size_t ph_input_avail(const struct ph_input *in)
{
	return in->end - in->pos;
}

static inline const uint8_t *ph_input_ptr(const struct ph_input *in)
{
	return in->buf + in->pos;
}

/* Stream offset of the next unread byte. */
static inline uint64_t ph_input_off(const struct ph_input *in)
{
	return in->base + in->pos;
}

static inline int ph_input_need(struct ph_input *in, size_t n,
				struct ph_err *err)
{
	if (in->end - in->pos >= n)
		return 1;
	return ph_input_fill(in, n, err);
}

/* capture.c -------------------------------------------------------------- */

/* Fills err (code, message, packet, offset) for a failure; returns code. */
int ph_capture_fail(struct ph_capture *c, struct ph_err *err, int code,
		    uint64_t packet, uint64_t offset, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Clean end of input: 0, or PH_ETRUNC when a gzip stream was cut short. */
int ph_capture_eof(struct ph_capture *c, struct ph_err *err);

/* Maps pcap/pcapng link-type fields to LINKTYPE_* (DLT_RAW 12/14 -> 101). */
int ph_capture_linktype(uint32_t field);

/* Records a PCAPdroid UID mapping (later mappings for a UID win). Names are
 * copied, cut at NUL, control bytes replaced. Returns 0 or PH_ENOMEM;
 * mappings past PH_CAPTURE_MAX_APPS are dropped and counted. */
int ph_capture_app_add(struct ph_capture *c, int32_t uid, const uint8_t *pkg,
		       size_t pkg_len, const uint8_t *label, size_t label_len);

/* Internal constructor: path or memory, with window/read-size options. */
int ph_capture_open_opts(struct ph_capture **out, const char *path,
			 const void *mem, size_t mem_len, const char *name,
			 const struct ph_capture_opts *o, struct ph_err *err);

/* pcap_file.c / pcapng_file.c -------------------------------------------- */

/* Parse the file header at the start of the window and set c->next. */
int ph_pcap_start(struct ph_capture *c, struct ph_err *err);
int ph_pcapng_start(struct ph_capture *c, struct ph_err *err);

#endif
