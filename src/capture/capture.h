/* Capture stage interface: opens an offline capture (classic pcap in either
 * byte order and micro/nanosecond resolution, pcapng with many interfaces
 * and link types, gzip-compressed either, or "-" for stdin) and yields one
 * frame at a time. The frame's bytes are borrowed until the next call.
 * Backends: pcap_file.c, pcapng_file.c; byte input (plain/gzip/stdin) in
 * input.c. Caps: snaplen/record size PH_CAPTURE_MAX_RECORD. */
#ifndef PH_CAPTURE_H
#define PH_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "peephole/ph.h"

/* Largest record body we accept (a pcapng block or pcap packet). Bigger
 * lengths are treated as corruption, not allocated. */
#define PH_CAPTURE_MAX_RECORD (256u * 1024u)
/* Most pcapng interfaces per section we track. */
#define PH_CAPTURE_MAX_IFACES 256
/* Most PCAPdroid UID->app entries kept. */
#define PH_CAPTURE_MAX_APPS 4096

/* DLT / LINKTYPE values we know (tcpdump.org link-layer header types). */
enum ph_linktype {
	PH_LINK_NULL = 0,
	PH_LINK_ETHERNET = 1,
	PH_LINK_PPP = 9,
	PH_LINK_RAW = 101,          /* LINKTYPE_RAW (DLT 12/14 map here too) */
	PH_LINK_PPP_HDLC = 50,
	PH_LINK_LOOP = 108,         /* OpenBSD loop: null with BE family */
	PH_LINK_LINUX_SLL = 113,
	PH_LINK_IPV4 = 228,
	PH_LINK_IPV6 = 229,
	PH_LINK_LINUX_SLL2 = 276,
};

/* One captured frame. All pointers borrowed until the next ph_capture_next
 * (or close). */
struct ph_frame {
	uint64_t ts_ns;      /* capture time, ns since the Unix epoch */
	const uint8_t *data; /* captured bytes */
	uint32_t caplen;     /* bytes in data */
	uint32_t wirelen;    /* original length on the wire (>= caplen) */
	int linktype;        /* LINKTYPE_* of this frame's interface */
	uint32_t iface;      /* interface index (pcapng), 0 for pcap */
	uint64_t pkt_no;     /* 1-based packet number within its file */
	uint32_t file_idx;   /* index of the file in the run (set by caller) */
};

/* Counters a reader keeps; reported in the run summary. */
struct ph_capture_stats {
	uint64_t frames;          /* frames returned */
	uint64_t bytes_read;      /* bytes consumed from the (decompressed) input */
	uint64_t skipped_blocks;  /* pcapng blocks we do not use (counted) */
	uint64_t clamped_caplen;  /* caplen > snaplen: clamped, counted */
	uint64_t bad_records;     /* corrupt records skipped in a recoverable way */
	uint64_t odd_snaplen;     /* headers/IDBs with snaplen 0 or > cap: accepted */
	uint64_t short_wirelen;   /* wirelen < caplen: raised to caplen, counted */
	uint64_t apps_dropped;    /* PCAPdroid UID mappings past the cap */
};

struct ph_capture; /* opaque */

/* Opens `path` ("-" = stdin). Detects gzip by magic (1f 8b), then pcap or
 * pcapng by magic. On error returns <0 and fills err (file name, offset).
 * *out is owned by the caller: free with ph_capture_close. */
int ph_capture_open(struct ph_capture **out, const char *path,
		    struct ph_err *err);

/* Same, over `len` bytes at `data` (gzip or not): `data` is borrowed until
 * ph_capture_close; `name` (may be NULL) goes into err->file. For tests,
 * fuzzing and embedding. */
int ph_capture_open_mem(struct ph_capture **out, const void *data,
			size_t len, const char *name, struct ph_err *err);

/* Reads the next frame. Returns 1 with *f filled, 0 at a clean end of file,
 * <0 on an unrecoverable error (truncated record, corrupt block): err names
 * the file, the packet number and the byte offset; frames already returned
 * stay valid results. Corrupt records that can be stepped over are skipped
 * and counted instead of failing. */
int ph_capture_next(struct ph_capture *c, struct ph_frame *f,
		    struct ph_err *err);

void ph_capture_close(struct ph_capture *c);

/* Size of the input file in bytes if known (regular file, compressed size
 * for gzip), else 0; and compressed bytes consumed so far (for progress). */
uint64_t ph_capture_size(const struct ph_capture *c);
uint64_t ph_capture_pos(const struct ph_capture *c);

const struct ph_capture_stats *ph_capture_stats(const struct ph_capture *c);

/* "pcap", "pcapng", "pcap.gz", "pcapng.gz". */
const char *ph_capture_format(const struct ph_capture *c);

/* PCAPdroid's pcapng UID-map custom block: app name (package) for a UID,
 * or NULL when unknown. Borrowed until close. */
const char *ph_capture_app_for_uid(const struct ph_capture *c, int32_t uid);

/* The same mapping's human label ("WhatsApp"), or NULL. Borrowed until
 * close. */
const char *ph_capture_app_label_for_uid(const struct ph_capture *c,
					 int32_t uid);

#endif
