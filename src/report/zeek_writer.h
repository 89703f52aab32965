/* A generic Zeek log writer (conn.log now; dns/ssl/http later): one file
 * DIR/<path>.log in Zeek's JSON-lines or TSV format, fields in a fixed
 * schema order. Values are appended into one 256 KiB buffer written with
 * write(2) when full, numbers formatted by hand. The file is built
 * as DIR/.<path>.log.tmp and renamed into place on close, so readers never
 * see half a log. Formats follow Zeek's Ascii writer and JSON formatter
 * (docs/logs/conn.md). One writer per thread. */
#ifndef PH_REPORT_ZEEK_WRITER_H
#define PH_REPORT_ZEEK_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "peephole/ph.h"

/* Usage, per record: ph_zeek_rec_begin(), then exactly one value call per
 * schema field in schema order (ph_zeek_unset() for absent ones; a set or
 * vector is ph_zeek_list_begin(), element calls, ph_zeek_list_end()), then
 * ph_zeek_rec_end(). A value call that does not match the field's type is
 * a caller bug (assert). Errors are sticky: after the first one the writer
 * ignores values, and every later rec_end/close returns it. */

enum ph_zeek_fmt {
	PH_ZEEK_JSON = 0, /* one JSON object per line, unset fields omitted */
	PH_ZEEK_TSV = 1,  /* Zeek's tab-separated format with # headers */
};

/* Zeek types a log field can have. SET and VECTOR hold elements of the
 * field's `elem` type (scalars only). */
enum ph_zeek_type {
	PH_ZT_BOOL,
	PH_ZT_COUNT,
	PH_ZT_INT,
	PH_ZT_DOUBLE,
	PH_ZT_TIME,
	PH_ZT_INTERVAL,
	PH_ZT_STRING,
	PH_ZT_ENUM,
	PH_ZT_ADDR,
	PH_ZT_PORT,
	PH_ZT_SET,
	PH_ZT_VECTOR,
};

struct ph_zeek_field {
	const char *name;       /* "id.orig_h": [A-Za-z0-9_.], borrowed */
	enum ph_zeek_type type;
	enum ph_zeek_type elem; /* element type of SET/VECTOR, else unused */
};

#define PH_ZEEK_MAX_FIELDS 64

struct ph_zeek_writer; /* opaque */

/* Creates dir (mkdir -p) and DIR/.<path_name>.log.tmp. fields: the schema,
 * borrowed for the writer's lifetime (normally a static const table).
 * open_ts_ns: packet time written as TSV "#open" (UTC). NULL + err
 * (PH_EIO with the path, PH_EINVAL, PH_ENOMEM) on failure. */
struct ph_zeek_writer *ph_zeek_writer_open(const char *dir,
					   const char *path_name,
					   enum ph_zeek_fmt fmt,
					   const struct ph_zeek_field *fields,
					   size_t nfields, uint64_t open_ts_ns,
					   struct ph_err *err);

/* Flushes, writes TSV "#close" (close_ts_ns, UTC), fsyncs and renames the
 * temporary file to DIR/<path>.log. On any earlier or current error the
 * temporary file is removed instead and the error returned. Always frees
 * w (NULL is a no-op returning 0). */
int ph_zeek_writer_close(struct ph_zeek_writer *w, uint64_t close_ts_ns,
			 struct ph_err *err);

/* Frees w and removes its temporary file, leaving no log behind. */
void ph_zeek_writer_discard(struct ph_zeek_writer *w);

/* Records completed so far. */
uint64_t ph_zeek_writer_records(const struct ph_zeek_writer *w);

/* Zeek's time value for a packet timestamp: seconds + microseconds / 1e6
 * as a double (libpcap microsecond precision: nanoseconds truncated).
 * Subtract two of these to get the interval Zeek would compute. */
double ph_zeek_time_of_ns(uint64_t ns);

/* ---- one record ---- */
void ph_zeek_rec_begin(struct ph_zeek_writer *w);
/* Ends the line; 0, or the writer's sticky error (copied to err). */
int ph_zeek_rec_end(struct ph_zeek_writer *w, struct ph_err *err);

void ph_zeek_unset(struct ph_zeek_writer *w);                 /* any type */
void ph_zeek_bool(struct ph_zeek_writer *w, bool v);          /* bool */
void ph_zeek_count(struct ph_zeek_writer *w, uint64_t v);     /* count, port */
void ph_zeek_int(struct ph_zeek_writer *w, int64_t v);        /* int */
void ph_zeek_double(struct ph_zeek_writer *w, double v);      /* double */
void ph_zeek_time(struct ph_zeek_writer *w, uint64_t ns);     /* time */
void ph_zeek_interval(struct ph_zeek_writer *w, double secs); /* interval */
/* string and enum; s: n bytes, any content (escaped as Zeek does). */
void ph_zeek_str(struct ph_zeek_writer *w, const char *s, size_t n);
/* addr; a: 4 bytes (ipver 4) or 16 bytes (ipver 6). */
void ph_zeek_addr(struct ph_zeek_writer *w, const uint8_t *a, int ipver);
/* set/vector: elements follow as the value calls of the element type. */
void ph_zeek_list_begin(struct ph_zeek_writer *w);
void ph_zeek_list_end(struct ph_zeek_writer *w);

#endif
