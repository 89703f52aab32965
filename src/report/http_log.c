/* http.log (ph_http_log_module): one line per HTTP request/response pair,
 * written when the parser marks the transaction finished (PH_EV_HTTP_BODY
 * with txn_end: the final reply's body ended, the pipeline cap pushed it
 * out, or the flow ended). Columns, order and formats follow Zeek's
 * HTTP::Info (scripts/base/protocols/http/main.zeek) plus the file columns
 * of base/protocols/http/files.zeek. The URI is logged unescaped, as
 * Zeek's unescape_URI does. The password column is never filled (Zeek
 * fills it only with HTTP::default_capture_password = T); file ids are
 * unset (no files.log). See docs/logs/http.md. */
#include <stdlib.h>
#include <string.h>

#include "peephole/module.h"
#include "peephole/proto_http.h"
#include "report/log_file.h"
#include "report/zeek_writer.h"

static const struct ph_zeek_field http_fields[] = {
	{"ts", PH_ZT_TIME, 0},
	{"uid", PH_ZT_STRING, 0},
	{"id.orig_h", PH_ZT_ADDR, 0},
	{"id.orig_p", PH_ZT_PORT, 0},
	{"id.resp_h", PH_ZT_ADDR, 0},
	{"id.resp_p", PH_ZT_PORT, 0},
	{"trans_depth", PH_ZT_COUNT, 0},
	{"method", PH_ZT_STRING, 0},
	{"host", PH_ZT_STRING, 0},
	{"uri", PH_ZT_STRING, 0},
	{"referrer", PH_ZT_STRING, 0},
	{"version", PH_ZT_STRING, 0},
	{"user_agent", PH_ZT_STRING, 0},
	{"origin", PH_ZT_STRING, 0},
	{"request_body_len", PH_ZT_COUNT, 0},
	{"response_body_len", PH_ZT_COUNT, 0},
	{"status_code", PH_ZT_COUNT, 0},
	{"status_msg", PH_ZT_STRING, 0},
	{"info_code", PH_ZT_COUNT, 0},
	{"info_msg", PH_ZT_STRING, 0},
	{"tags", PH_ZT_SET, PH_ZT_ENUM},
	{"username", PH_ZT_STRING, 0},
	{"password", PH_ZT_STRING, 0},
	{"proxied", PH_ZT_SET, PH_ZT_STRING},
	{"orig_fuids", PH_ZT_VECTOR, PH_ZT_STRING},
	{"orig_filenames", PH_ZT_VECTOR, PH_ZT_STRING},
	{"orig_mime_types", PH_ZT_VECTOR, PH_ZT_STRING},
	{"resp_fuids", PH_ZT_VECTOR, PH_ZT_STRING},
	{"resp_filenames", PH_ZT_VECTOR, PH_ZT_STRING},
	{"resp_mime_types", PH_ZT_VECTOR, PH_ZT_STRING},
};

#define NFIELDS (sizeof http_fields / sizeof http_fields[0])

struct http_log {
	struct ph_log_file f; /* first member (ph_log_module_*); http.log */
	struct ph_zeek_writer *w;  /* f's writer during one record */
	uint64_t written;
	char uri[PH_HTTP_URI_MAX]; /* unescaped URI scratch */
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool hex2(const char *s)
{
	return hexval(s[0]) >= 0 && hexval(s[1]) >= 0;
}

static char dehex(const char *s)
{
	return (char)((hexval(s[0]) << 4) | hexval(s[1]));
}

/* Zeek's unescape_URI (HTTP.cc): %XX decoded, %uXXXX decoded to one or
 * two bytes, "%%" read as one '%' escape start, a bad escape kept as is.
 * out holds n bytes (the result is never longer); returns its length. */
static size_t unescape_uri(const char *s, size_t n, char *out)
{
	size_t i = 0, w = 0;
	while (i < n) {
		if (s[i] != '%') {
			out[w++] = s[i++];
			continue;
		}
		size_t left = n - i - 1; /* bytes after '%' */
		if (left == 0) {
			out[w++] = '%';
			break;
		}
		if (left == 1) {
			out[w++] = '%';
			out[w++] = s[i + 1];
			break;
		}
		const char *q = s + i + 1;
		if (q[0] == '%') {
			i++; /* the first '%' is dropped */
		} else if (hex2(q)) {
			out[w++] = dehex(q);
			i += 3;
		} else if (left >= 5 && q[0] == 'u' && hex2(q + 1) && hex2(q + 3)) {
			if (!(q[1] == '0' && q[2] == '0'))
				out[w++] = dehex(q + 1);
			out[w++] = dehex(q + 3);
			i += 6;
		} else {
			out[w++] = '%';
			out[w++] = q[0];
			i += 2;
		}
	}
	return w;
}

static void put_str(struct ph_zeek_writer *w, struct ph_http_str s)
{
	if (s.p)
		ph_zeek_str(w, s.p, s.len);
	else
		ph_zeek_unset(w);
}

/* A one-element vector, or unset. */
static void put_one(struct ph_zeek_writer *w, const char *s, size_t n)
{
	if (!s) {
		ph_zeek_unset(w);
		return;
	}
	ph_zeek_list_begin(w);
	ph_zeek_str(w, s, n);
	ph_zeek_list_end(w);
}

static void put_cstr(struct ph_zeek_writer *w, const char *s)
{
	put_one(w, s, s ? strlen(s) : 0);
}

static void write_head(struct http_log *l, const struct ph_conn *c,
		       const struct ph_http_txn *t)
{
	struct ph_zeek_writer *w = l->w;
	ph_zeek_time(w, t->ts_ns);
	ph_zeek_str(w, c->uid, strnlen(c->uid, sizeof c->uid));
	ph_zeek_addr(w, c->orig_addr, c->ipver);
	ph_zeek_count(w, c->orig_port);
	ph_zeek_addr(w, c->resp_addr, c->ipver);
	ph_zeek_count(w, c->resp_port);
	ph_zeek_count(w, t->depth);
	put_str(w, t->method);
	put_str(w, t->host);
	if (t->uri.p)
		ph_zeek_str(w, l->uri, unescape_uri(t->uri.p, t->uri.len, l->uri));
	else
		ph_zeek_unset(w);
	put_str(w, t->referrer);
	if (t->version.p && t->version.len)
		ph_zeek_str(w, t->version.p, t->version.len);
	else
		ph_zeek_unset(w);
	put_str(w, t->user_agent);
	put_str(w, t->origin);
}

static void write_reply(struct ph_zeek_writer *w, const struct ph_http_txn *t)
{
	ph_zeek_count(w, t->request_body_len);
	ph_zeek_count(w, t->response_body_len);
	bool replied = t->version.p != NULL; /* a status line was parsed */
	if (replied) {
		ph_zeek_count(w, t->status_code);
		if (t->status_msg.p)
			put_str(w, t->status_msg);
		else
			ph_zeek_str(w, "<empty>", 7); /* Zeek's http_reply */
	} else {
		ph_zeek_unset(w);
		ph_zeek_unset(w);
	}
	if (t->info_code) {
		ph_zeek_count(w, t->info_code);
		if (t->info_msg.p)
			put_str(w, t->info_msg);
		else
			ph_zeek_str(w, "<empty>", 7);
	} else {
		ph_zeek_unset(w);
		ph_zeek_unset(w);
	}
}

static void write_tail(struct ph_zeek_writer *w, const struct ph_http_txn *t)
{
	ph_zeek_list_begin(w); /* tags: Zeek defines none by default */
	ph_zeek_list_end(w);
	put_str(w, t->username);
	ph_zeek_unset(w); /* password: never logged */
	if (t->nproxied) {
		ph_zeek_list_begin(w);
		for (uint32_t i = 0; i < t->nproxied; i++) {
			bool dup = false; /* a set: no repeats */
			for (uint32_t j = 0; j < i && !dup; j++)
				dup = t->proxied[j].len == t->proxied[i].len &&
				      memcmp(t->proxied[j].p, t->proxied[i].p,
					     t->proxied[i].len) == 0;
			if (!dup)
				ph_zeek_str(w, t->proxied[i].p, t->proxied[i].len);
		}
		ph_zeek_list_end(w);
	} else {
		ph_zeek_unset(w);
	}
	ph_zeek_unset(w); /* orig_fuids */
	ph_zeek_unset(w); /* orig_filenames */
	put_cstr(w, t->request_mime);
	ph_zeek_unset(w); /* resp_fuids */
	put_one(w, t->resp_filename.p, t->resp_filename.len);
	put_cstr(w, t->response_mime);
}

static void http_log_on_event(void *state, const struct ph_event *ev)
{
	struct http_log *l = state;
	const struct ph_http_body *b = ev->u.proto;
	if (ev->kind != PH_EV_HTTP_BODY || !b || !b->txn_end || !b->txn ||
	    !ev->conn)
		return;
	const struct ph_conn *c = ev->conn;
	if (c->ipver != 4 && c->ipver != 6) {
		l->f.skipped++;
		return;
	}
	if (!(l->w = ph_log_file_writer(&l->f)))
		return;
	ph_zeek_rec_begin(l->w);
	write_head(l, c, b->txn);
	write_reply(l->w, b->txn);
	write_tail(l->w, b->txn);
	struct ph_err e;
	int r = ph_zeek_rec_end(l->w, &e);
	ph_log_file_check(&l->f, r, &e);
	if (!r)
		l->written++;
}

static int http_log_init(const struct ph_module_env *env, void **state,
			 struct ph_err *err)
{
	struct http_log *l = calloc(1, sizeof *l);
	if (!l)
		return ph_err_set(err, PH_ENOMEM, "http_log: out of memory");
	ph_log_file_init(&l->f, env, "http", http_fields, NFIELDS);
	*state = l;
	return PH_OK;
}

static unsigned http_log_counters(const void *state,
				  struct ph_module_counter *out, unsigned max)
{
	const struct http_log *l = state;
	if (max < 1)
		return 0;
	out[0].name = "http_log_records";
	out[0].value = l->written;
	return 1;
}

const struct ph_module ph_http_log_module = {
	.name = "http_log",
	.summary = "writes http.log (Zeek HTTP::Info)",
	.mask = PH_EV_HTTP_BODY,
	.init = http_log_init,
	.on_event = http_log_on_event,
	.finish = ph_log_module_finish,
	.counters = http_log_counters,
	.destroy = ph_log_module_destroy,
};
