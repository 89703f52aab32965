/* The Zeek log writer (see zeek_writer.h): owns the output buffer, the
 * temporary file and its atomic rename, the TSV header/footer, and value
 * formatting per Zeek type. Output rules follow Zeek's logging code:
 * src/logging/writers/ascii/Ascii.cc (header, '#' escaping),
 * src/threading/formatters/Ascii.cc (TSV values), .../JSON.cc (JSON values;
 * numbers and strings via jsonw.c). Caps: 256 KiB buffer, grown only for a
 * single value larger than that, to at most 16 MiB (PH_ENOMEM beyond). */
#include "report/zeek_writer.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "report/jsonw.h"

#define ZW_BUF_SIZE (256u * 1024u)
#define ZW_BUF_MAX (16u * 1024u * 1024u)
#define ZW_NAME_MAX 64   /* field name length cap */
#define ZW_NUM_MAX 400   /* TSV "%.6f" of DBL_MAX is ~316 bytes */

struct ph_zeek_writer {
	enum ph_zeek_fmt fmt;
	const struct ph_zeek_field *fields; /* borrowed (schema) */
	size_t nfields;
	int fd;                  /* the temporary file, -1 once closed */
	char tmp_path[PATH_MAX];
	char final_path[PATH_MAX];
	char *buf;               /* owned: pending output */
	size_t len, cap;
	size_t field;            /* next schema field of the open record */
	size_t njson;            /* JSON: fields written in this record */
	bool in_list;
	bool line_empty;         /* TSV: nothing written on this line yet */
	size_t list_n;           /* elements written in the open list */
	uint64_t records;
	int status;              /* sticky first error, 0 if none */
	struct ph_err err;       /* its message */
	char *keys;              /* owned: "name": for every field */
	uint32_t key_off[PH_ZEEK_MAX_FIELDS + 1];
};

static const char *const type_names[] = {
	[PH_ZT_BOOL] = "bool",     [PH_ZT_COUNT] = "count",
	[PH_ZT_INT] = "int",       [PH_ZT_DOUBLE] = "double",
	[PH_ZT_TIME] = "time",     [PH_ZT_INTERVAL] = "interval",
	[PH_ZT_STRING] = "string", [PH_ZT_ENUM] = "enum",
	[PH_ZT_ADDR] = "addr",     [PH_ZT_PORT] = "port",
	[PH_ZT_SET] = "set",       [PH_ZT_VECTOR] = "vector",
};

/* ---- errors and raw output ---------------------------------------------- */

/* strerror, thread-safe (GNU strerror_r). */
static const char *errstr(int e, char *buf, size_t n)
{
	return strerror_r(e, buf, n);
}

/* Records the first error: "<what> <path>: <strerror(e)>". */
static void set_io_error(struct ph_zeek_writer *w, const char *what,
			 const char *path, int e)
{
	if (w->status)
		return;
	char sbuf[128];
	w->status = ph_err_set(&w->err, PH_EIO, "%s %s: %s", what, path,
			       errstr(e, sbuf, sizeof sbuf));
	size_t n = strnlen(path, sizeof w->err.file - 1); /* keep the head */
	memcpy(w->err.file, path, n);
	w->err.file[n] = '\0';
}

static void write_all(struct ph_zeek_writer *w, const char *p, size_t n)
{
	while (n > 0 && !w->status) {
		ssize_t k = write(w->fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			set_io_error(w, "write", w->tmp_path, k < 0 ? errno : EIO);
			return;
		}
		p += k;
		n -= (size_t)k;
	}
}

static void flush(struct ph_zeek_writer *w)
{
	write_all(w, w->buf, w->len);
	w->len = 0;
}

/* Makes room for `need` more bytes: flushes, or grows the buffer for one
 * oversized value. False (writer failed) when that is impossible. */
static bool ensure(struct ph_zeek_writer *w, size_t need)
{
	if (w->status)
		return false;
	if (w->cap - w->len >= need)
		return true;
	flush(w);
	if (w->status || w->cap >= need)
		return !w->status;
	if (need > ZW_BUF_MAX) {
		w->status = ph_err_set(&w->err, PH_ENOMEM,
				       "%s: value of %zu bytes exceeds %u",
				       w->tmp_path, need, ZW_BUF_MAX);
		return false;
	}
	char *nb = realloc(w->buf, need);
	if (!nb) {
		w->status = ph_err_set(&w->err, PH_ENOMEM, "out of memory");
		return false;
	}
	w->buf = nb;
	w->cap = need;
	return true;
}

static void put(struct ph_zeek_writer *w, const char *s, size_t n)
{
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void put_c(struct ph_zeek_writer *w, char c)
{
	w->buf[w->len++] = c;
}

/* ---- opening: directories, schema, header -------------------------------- */

/* mkdir -p: creates every missing component of dir. */
static int mkdir_p(const char *dir, struct ph_err *err)
{
	char p[PATH_MAX];
	size_t n = strlen(dir);
	if (n == 0 || n >= sizeof p)
		return ph_err_set(err, PH_EINVAL, "bad log directory '%s'", dir);
	memcpy(p, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		char saved = p[i];
		p[i] = '\0';
		struct stat st;
		char eb[128];
		if (mkdir(p, 0777) != 0 && errno != EEXIST)
			return ph_err_set(err, PH_EIO, "cannot create directory %s: %s",
					  p, errstr(errno, eb, sizeof eb));
		if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode))
			return ph_err_set(err, PH_EIO, "cannot create directory %s: %s",
					  p, "not a directory");
		p[i] = saved;
	}
	return PH_OK;
}

static bool name_ok(const char *s, bool dots)
{
	size_t n = 0;
	for (; s[n]; n++) {
		char c = s[n];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || (dots && c == '.') ||
		      (!dots && c == '-')))
			return false;
	}
	return n > 0 && n < ZW_NAME_MAX;
}

static bool is_scalar(enum ph_zeek_type t)
{
	return t <= PH_ZT_PORT;
}

/* Checks the schema and builds the JSON keys. */
static int schema_init(struct ph_zeek_writer *w, struct ph_err *err)
{
	if (w->nfields == 0 || w->nfields > PH_ZEEK_MAX_FIELDS)
		return ph_err_set(err, PH_EINVAL, "bad field count %zu", w->nfields);
	w->keys = malloc(w->nfields * (ZW_NAME_MAX + 3));
	if (!w->keys)
		return ph_err_set(err, PH_ENOMEM, "out of memory");
	uint32_t off = 0;
	for (size_t i = 0; i < w->nfields; i++) {
		const struct ph_zeek_field *f = &w->fields[i];
		bool list = f->type == PH_ZT_SET || f->type == PH_ZT_VECTOR;
		if (!f->name || !name_ok(f->name, true) || f->type > PH_ZT_VECTOR ||
		    (list && !is_scalar(f->elem)))
			return ph_err_set(err, PH_EINVAL, "bad log field %zu", i);
		size_t n = strlen(f->name);
		w->key_off[i] = off;
		w->keys[off++] = '"';
		memcpy(w->keys + off, f->name, n);
		off += (uint32_t)n;
		memcpy(w->keys + off, "\":", 2);
		off += 2;
	}
	w->key_off[w->nfields] = off;
	return PH_OK;
}

/* Zeek's #open/#close stamp, %Y-%m-%d-%H-%M-%S, from packet time (UTC). */
static void put_stamp(struct ph_zeek_writer *w, uint64_t ns)
{
	time_t t = (time_t)(ns / 1000000000u);
	struct tm tm;
	char s[64];
	size_t n = 0;
	if (gmtime_r(&t, &tm))
		n = strftime(s, sizeof s, "%Y-%m-%d-%H-%M-%S", &tm);
	put(w, s, n);
}

static void put_type(struct ph_zeek_writer *w, const struct ph_zeek_field *f)
{
	const char *t = type_names[f->type];
	put(w, t, strlen(t));
	if (f->type == PH_ZT_SET || f->type == PH_ZT_VECTOR) {
		put_c(w, '[');
		put(w, type_names[f->elem], strlen(type_names[f->elem]));
		put_c(w, ']');
	}
}

/* The TSV header, as Zeek's Ascii writer emits it with default settings. */
static void tsv_header(struct ph_zeek_writer *w, const char *path_name,
		       uint64_t open_ts_ns)
{
	static const char fixed[] = "#separator \\x09\n#set_separator\t,\n"
				    "#empty_field\t(empty)\n#unset_field\t-\n"
				    "#path\t";
	if (!ensure(w, sizeof fixed + 2 * w->nfields * (ZW_NAME_MAX + 24) +
			       ZW_NAME_MAX + 128))
		return;
	put(w, fixed, sizeof fixed - 1);
	put(w, path_name, strlen(path_name));
	put(w, "\n#open\t", 7);
	put_stamp(w, open_ts_ns);
	put(w, "\n#fields", 8);
	for (size_t i = 0; i < w->nfields; i++) {
		put_c(w, '\t');
		put(w, w->fields[i].name, strlen(w->fields[i].name));
	}
	put(w, "\n#types", 7);
	for (size_t i = 0; i < w->nfields; i++) {
		put_c(w, '\t');
		put_type(w, &w->fields[i]);
	}
	put_c(w, '\n');
}

static int open_file(struct ph_zeek_writer *w, const char *dir,
		     const char *path_name, struct ph_err *err)
{
	int r = mkdir_p(dir, err);
	if (r)
		return r;
	int a = snprintf(w->final_path, sizeof w->final_path, "%s/%s.log", dir,
			 path_name);
	int b = snprintf(w->tmp_path, sizeof w->tmp_path, "%s/.%s.log.tmp", dir,
			 path_name);
	if (a < 0 || b < 0 || (size_t)b >= sizeof w->tmp_path)
		return ph_err_set(err, PH_EINVAL, "log path too long in %s", dir);
	w->fd = open(w->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	char eb[128];
	if (w->fd < 0)
		return ph_err_set(err, PH_EIO, "cannot create %s: %s", w->tmp_path,
				  errstr(errno, eb, sizeof eb));
	return PH_OK;
}

struct ph_zeek_writer *ph_zeek_writer_open(const char *dir,
					   const char *path_name,
					   enum ph_zeek_fmt fmt,
					   const struct ph_zeek_field *fields,
					   size_t nfields, uint64_t open_ts_ns,
					   struct ph_err *err)
{
	if (!dir || !path_name || !name_ok(path_name, false) || !fields ||
	    (fmt != PH_ZEEK_JSON && fmt != PH_ZEEK_TSV)) {
		ph_err_set(err, PH_EINVAL, "bad log writer arguments");
		return NULL;
	}
	struct ph_zeek_writer *w = calloc(1, sizeof *w);
	if (w)
		w->buf = malloc(ZW_BUF_SIZE);
	if (!w || !w->buf) {
		free(w);
		ph_err_set(err, PH_ENOMEM, "out of memory");
		return NULL;
	}
	w->fd = -1;
	w->fmt = fmt;
	w->fields = fields;
	w->nfields = nfields;
	w->cap = ZW_BUF_SIZE;
	if (schema_init(w, err) || open_file(w, dir, path_name, err)) {
		ph_zeek_writer_discard(w);
		return NULL;
	}
	if (fmt == PH_ZEEK_TSV)
		tsv_header(w, path_name, open_ts_ns);
	return w;
}

/* ---- closing ------------------------------------------------------------- */

static int finish(struct ph_zeek_writer *w, uint64_t close_ts_ns)
{
	assert(w->status || (w->field == 0 && !w->in_list));
	if (w->fmt == PH_ZEEK_TSV && ensure(w, 80)) {
		put(w, "#close\t", 7);
		put_stamp(w, close_ts_ns);
		put_c(w, '\n');
	}
	flush(w);
	if (!w->status && fsync(w->fd) != 0)
		set_io_error(w, "fsync", w->tmp_path, errno);
	if (close(w->fd) != 0)
		set_io_error(w, "close", w->tmp_path, errno);
	w->fd = -1;
	if (!w->status && rename(w->tmp_path, w->final_path) != 0)
		set_io_error(w, "rename to", w->final_path, errno);
	return w->status;
}

static void release(struct ph_zeek_writer *w)
{
	if (w->fd >= 0)
		close(w->fd);
	free(w->keys);
	free(w->buf);
	free(w);
}

int ph_zeek_writer_close(struct ph_zeek_writer *w, uint64_t close_ts_ns,
			 struct ph_err *err)
{
	if (!w)
		return PH_OK;
	int rc = finish(w, close_ts_ns);
	if (rc) {
		unlink(w->tmp_path);
		if (err)
			*err = w->err;
	}
	release(w);
	return rc;
}

void ph_zeek_writer_discard(struct ph_zeek_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		unlink(w->tmp_path);
	release(w);
}

uint64_t ph_zeek_writer_records(const struct ph_zeek_writer *w)
{
	return w->records;
}

double ph_zeek_time_of_ns(uint64_t ns)
{
	return (double)(ns / 1000000000u) +
	       (double)(ns % 1000000000u / 1000u) / 1e6;
}

/* ---- records ------------------------------------------------------------- */

void ph_zeek_rec_begin(struct ph_zeek_writer *w)
{
	assert(w->status || (w->field == 0 && !w->in_list));
	w->field = 0;
	w->njson = 0;
	w->line_empty = true;
	if (w->fmt == PH_ZEEK_JSON && ensure(w, 1))
		put_c(w, '{');
}

int ph_zeek_rec_end(struct ph_zeek_writer *w, struct ph_err *err)
{
	if (!w->status) {
		assert(w->field == w->nfields && !w->in_list);
		if (ensure(w, 2)) {
			if (w->fmt == PH_ZEEK_JSON)
				put_c(w, '}');
			put_c(w, '\n');
			w->records++;
		}
	}
	w->field = 0;
	w->in_list = false;
	if (w->status && err)
		*err = w->err;
	return w->status;
}

/* Opens the next value, whose type must be in `types` (a bit mask): makes
 * room for `need` bytes plus separator and key, writes those, and moves
 * to the next field unless inside a list. False once the writer failed. */
static bool value_begin(struct ph_zeek_writer *w, unsigned types, size_t need)
{
	if (w->status)
		return false;
	assert(w->field < w->nfields);
	if (w->field >= w->nfields) { /* more values than fields (NDEBUG) */
		w->status = ph_err_set(&w->err, PH_EINVAL, "%s: too many values",
				       w->tmp_path);
		return false;
	}
	const struct ph_zeek_field *f = &w->fields[w->field];
	(void)f; /* only read by the assertions */
	if (w->in_list) {
		assert(types & 1u << f->elem);
		if (!ensure(w, need + 1))
			return false;
		if (w->list_n++)
			put_c(w, ',');
		return true;
	}
	assert(types & 1u << f->type);
	size_t klen = w->key_off[w->field + 1] - w->key_off[w->field];
	if (!ensure(w, need + klen + 1))
		return false;
	if (w->fmt == PH_ZEEK_JSON) {
		if (w->njson++)
			put_c(w, ',');
		put(w, w->keys + w->key_off[w->field], klen);
	} else if (w->field) {
		put_c(w, '\t');
	}
	w->field++;
	return true;
}

#define ZT_BIT(x) (1u << (x))

void ph_zeek_unset(struct ph_zeek_writer *w)
{
	if (w->status)
		return;
	assert(!w->in_list && w->field < w->nfields);
	if (w->fmt == PH_ZEEK_JSON) {
		w->field++;
		return;
	}
	if (value_begin(w, ~0u, 1)) {
		put_c(w, '-');
		w->line_empty = false;
	}
}

void ph_zeek_bool(struct ph_zeek_writer *w, bool v)
{
	if (!value_begin(w, ZT_BIT(PH_ZT_BOOL), 5))
		return;
	if (w->fmt == PH_ZEEK_JSON)
		put(w, v ? "true" : "false", v ? 4 : 5);
	else
		put_c(w, v ? 'T' : 'F');
	w->line_empty = false;
}

void ph_zeek_count(struct ph_zeek_writer *w, uint64_t v)
{
	if (!value_begin(w, ZT_BIT(PH_ZT_COUNT) | ZT_BIT(PH_ZT_PORT), PH_JSONW_U64_MAX))
		return;
	w->len += ph_jsonw_u64(w->buf + w->len, v);
	w->line_empty = false;
}

void ph_zeek_int(struct ph_zeek_writer *w, int64_t v)
{
	if (!value_begin(w, ZT_BIT(PH_ZT_INT), PH_JSONW_I64_MAX))
		return;
	w->len += ph_jsonw_i64(w->buf + w->len, v);
	w->line_empty = false;
}

/* Zeek's TSV double (util.cc double_to_str, no exponent, 6 digits): fixed
 * notation, trailing zeros dropped, ".0" kept for near-integers. */
static size_t tsv_double(char *out, double v)
{
	if (isnan(v)) {
		memcpy(out, "nan", 3);
		return 3;
	}
	if (v == 0.0)
		v = 0.0; /* -0.0 prints as 0.0 */
	int n = snprintf(out, ZW_NUM_MAX, "%.6f", v);
	if (n <= 0 || n >= ZW_NUM_MAX)
		return 0;
	if (!isfinite(v))
		return (size_t)n;
	while (n > 1 && out[n - 1] == '0')
		n--;
	if (out[n - 1] == '.')
		n--;
	if (fabs(v - nearbyint(v)) < 1e-9) {
		memcpy(out + n, ".0", 2);
		n += 2;
	}
	return (size_t)n;
}

void ph_zeek_double(struct ph_zeek_writer *w, double v)
{
	if (!value_begin(w, ZT_BIT(PH_ZT_DOUBLE), ZW_NUM_MAX))
		return;
	if (w->fmt == PH_ZEEK_JSON)
		w->len += ph_jsonw_double(w->buf + w->len, v);
	else
		w->len += tsv_double(w->buf + w->len, v);
	w->line_empty = false;
}

/* "<sec>.<usec, 6 digits>": what "%.6f" prints for Zeek's time double. */
static size_t fixed6(char *out, uint64_t whole, uint64_t micros)
{
	size_t n = ph_jsonw_u64(out, whole);
	out[n++] = '.';
	for (int i = 5; i >= 0; i--) {
		out[n + (size_t)i] = (char)('0' + micros % 10);
		micros /= 10;
	}
	return n + 6;
}

void ph_zeek_time(struct ph_zeek_writer *w, uint64_t ns)
{
	if (!value_begin(w, ZT_BIT(PH_ZT_TIME), PH_JSONW_DOUBLE_MAX))
		return;
	if (w->fmt == PH_ZEEK_JSON)
		w->len += ph_jsonw_time(w->buf + w->len, ns / 1000000000u,
					(uint32_t)(ns % 1000000000u / 1000u));
	else
		w->len += fixed6(w->buf + w->len, ns / 1000000000u,
				 ns % 1000000000u / 1000u);
	w->line_empty = false;
}

/* "%.6f" (Zeek: to_chars fixed, 6 digits). Integer path when rounding of
 * secs * 1e6 cannot differ from rounding the exact binary value. */
static size_t tsv_interval(char *out, double secs)
{
	double scaled = secs * 1e6;
	if (scaled >= 0 && scaled < 1e12) {
		double r = nearbyint(scaled);
		if (fabs(fabs(scaled - r) - 0.5) > 1e-3) {
			uint64_t us = (uint64_t)r;
			return fixed6(out, us / 1000000u, us % 1000000u);
		}
	}
	int n = snprintf(out, ZW_NUM_MAX, "%.6f", secs);
	return n > 0 && n < ZW_NUM_MAX ? (size_t)n : 0;
}

void ph_zeek_interval(struct ph_zeek_writer *w, double secs)
{
	if (!value_begin(w, ZT_BIT(PH_ZT_INTERVAL), ZW_NUM_MAX))
		return;
	if (w->fmt == PH_ZEEK_JSON)
		w->len += ph_jsonw_double(w->buf + w->len, secs);
	else
		w->len += tsv_interval(w->buf + w->len, secs);
	w->line_empty = false;
}

/* ---- strings -------------------------------------------------------------- */

static char *put_hex(char *p, uint8_t c)
{
	static const char hex[] = "0123456789abcdef";
	p[0] = '\\';
	p[1] = 'x';
	p[2] = hex[c >> 4];
	p[3] = hex[c & 15];
	return p + 4;
}

/* One run between escape characters, as Zeek's escape_utf8() with
 * ESCAPE_PRINTABLE_CONTROLS | ESCAPE_UNPRINTABLE_CONTROLS renders it. */
static char *tsv_run(char *p, const uint8_t *s, size_t n)
{
	bool clean = ph_jsonw_zeek_clean(s, n, false);
	for (size_t i = 0; i < n; i++) {
		if (clean || (s[i] >= 0x20 && s[i] < 0x7F))
			*p++ = (char)s[i];
		else
			p = put_hex(p, s[i]);
	}
	return p;
}

/* Zeek's ODesc escaping: '\' doubled, the separator (and inside a set or
 * vector the set separator) hex-escaped, the runs between them via
 * tsv_run(). Writes at most 4 * n bytes. */
static char *tsv_escape(char *p, const uint8_t *s, size_t n, bool in_list)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = s[i];
		if (c != '\\' && c != '\t' && !(in_list && c == ','))
			continue;
		p = tsv_run(p, s + start, i - start);
		if (c == '\\') {
			p[0] = p[1] = '\\';
			p += 2;
		} else {
			p = put_hex(p, c);
		}
		start = i + 1;
	}
	return tsv_run(p, s + start, n - start);
}

/* A TSV string value: "(empty)" when empty; a value equal to "-" or
 * "(empty)" has its first byte hex-escaped so it cannot read as unset or
 * empty; a line may not start with '#' (Zeek's meta prefix). */
static void tsv_str(struct ph_zeek_writer *w, const uint8_t *s, size_t n)
{
	char *start = w->buf + w->len, *p = start;
	if (n == 0) {
		memcpy(p, "(empty)", 7);
		p += 7;
	} else if ((n == 1 && s[0] == '-') ||
		   (n == 7 && memcmp(s, "(empty)", 7) == 0)) {
		p = put_hex(p, s[0]);
		memcpy(p, s + 1, n - 1);
		p += n - 1;
	} else {
		p = tsv_escape(p, s, n, w->in_list);
		if (w->line_empty && start[0] == '#') {
			memmove(start + 4, start + 1, (size_t)(p - start - 1));
			put_hex(start, '#');
			p += 3;
		}
	}
	w->len += (size_t)(p - start);
}

void ph_zeek_str(struct ph_zeek_writer *w, const char *s, size_t n)
{
	size_t need = w->fmt == PH_ZEEK_JSON ? PH_JSONW_STR_MAX(n) : 4 * n + 8;
	if (!value_begin(w, ZT_BIT(PH_ZT_STRING) | ZT_BIT(PH_ZT_ENUM), need))
		return;
	if (w->fmt == PH_ZEEK_JSON)
		w->len += ph_jsonw_zeek_str(w->buf + w->len, (const uint8_t *)s, n);
	else
		tsv_str(w, (const uint8_t *)s, n);
	w->line_empty = false;
}

/* ---- addresses and lists -------------------------------------------------- */

static size_t fmt_ip4(char *out, const uint8_t *a)
{
	size_t n = 0;
	for (int i = 0; i < 4; i++) {
		if (i)
			out[n++] = '.';
		n += ph_jsonw_u64(out + n, a[i]);
	}
	return n;
}

/* Zeek keeps every address in 16 bytes, so an IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d) prints as a.b.c.d; otherwise ph_jsonw_ip6 writes what
 * inet_ntop would. */
static size_t fmt_addr(char *out, const uint8_t *a, int ipver)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (ipver == 4)
		return fmt_ip4(out, a);
	if (memcmp(a, mapped, sizeof mapped) == 0)
		return fmt_ip4(out, a + 12);
	return ph_jsonw_ip6(out, a);
}

void ph_zeek_addr(struct ph_zeek_writer *w, const uint8_t *a, int ipver)
{
	assert(ipver == 4 || ipver == 6);
	if (!value_begin(w, ZT_BIT(PH_ZT_ADDR), INET6_ADDRSTRLEN + 2))
		return;
	bool json = w->fmt == PH_ZEEK_JSON;
	if (json)
		put_c(w, '"');
	w->len += fmt_addr(w->buf + w->len, a, ipver);
	if (json)
		put_c(w, '"');
	w->line_empty = false;
}

void ph_zeek_list_begin(struct ph_zeek_writer *w)
{
	if (!value_begin(w, ZT_BIT(PH_ZT_SET) | ZT_BIT(PH_ZT_VECTOR), 1))
		return;
	w->field--; /* stays on the list field until list_end */
	w->in_list = true;
	w->list_n = 0;
	if (w->fmt == PH_ZEEK_JSON)
		put_c(w, '[');
}

void ph_zeek_list_end(struct ph_zeek_writer *w)
{
	if (w->status || !ensure(w, 8))
		return;
	assert(w->in_list);
	w->in_list = false;
	w->field++;
	if (w->fmt == PH_ZEEK_JSON)
		put_c(w, ']');
	else if (w->list_n == 0)
		put(w, "(empty)", 7);
	w->line_empty = false;
}
