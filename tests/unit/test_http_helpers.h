/* Shared harness for the HTTP tests: drives ph_http_module (and optionally
 * ph_http_log_module) with hand-made PH_EV_STREAM/GAP/FLOW_END events of
 * one connection, and records what the parser emits. */
#ifndef TEST_HTTP_HELPERS_H
#define TEST_HTTP_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "peephole/module.h"
#include "peephole/proto_http.h"

extern const struct ph_module ph_http_module, ph_http_log_module;

#define H_MAX_TXN 64

struct h_txn { /* copy of a logged transaction */
	char method[32], uri[PH_HTTP_URI_MAX + 1], host[128], status_msg[64];
	char username[64], version[8], proxied[128];
	uint16_t status, info;
	uint32_t depth;
	uint64_t req_len, resp_len;
	const char *req_mime, *resp_mime;
	bool has_request, uri_truncated, interrupted;
};

struct h_msg { /* copy of the last request or response */
	char method[32], uri[256], host[128], reason[64], username[64];
	char user_agent[128], content_type[64];
	uint16_t status;
	uint32_t pipeline_depth, header_count, nheaders, depth;
	enum ph_http_auth auth;
	bool has_credentials, has_cookie, has_proxy_auth, is_connect;
	bool is_proxy_request, chunked, has_content_length, no_body;
	bool uri_truncated;
	uint64_t content_length;
};

struct harness {
	void *st, *log;
	struct ph_conn conn;
	void *slots[PH_SLOT_COUNT];
	uint64_t off[2], ts;
	int nreq, nresp, nends[2], nbody_events;
	struct h_msg req, resp;
	uint8_t *body[2];          /* bytes delivered, in order */
	size_t body_len[2];
	uint64_t next_off[2];      /* checks offsets only grow */
	uint64_t end_body_len[2], end_undelivered[2];
	bool end_interrupted[2];
	int ntxn;
	struct h_txn txn[H_MAX_TXN];
};

static inline void h_cpy(char *dst, size_t cap, struct ph_http_str s)
{
	size_t n = s.p ? s.len : 0;
	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(dst, s.p, n);
	dst[n] = '\0';
}

static inline void h_msg_copy(struct h_msg *d, const struct ph_http_msg *m)
{
	memset(d, 0, sizeof *d);
	h_cpy(d->method, sizeof d->method, m->method);
	h_cpy(d->uri, sizeof d->uri, m->uri);
	h_cpy(d->host, sizeof d->host, m->host);
	h_cpy(d->reason, sizeof d->reason, m->reason);
	h_cpy(d->username, sizeof d->username, m->username);
	h_cpy(d->user_agent, sizeof d->user_agent, m->user_agent);
	h_cpy(d->content_type, sizeof d->content_type, m->content_type);
	d->status = m->status_code;
	d->pipeline_depth = m->pipeline_depth;
	d->header_count = m->header_count;
	d->nheaders = m->nheaders;
	d->auth = m->auth;
	d->has_credentials = m->has_credentials;
	d->has_cookie = m->has_cookie;
	d->has_proxy_auth = m->has_proxy_auth;
	d->is_connect = m->is_connect;
	d->is_proxy_request = m->is_proxy_request;
	d->chunked = m->chunked;
	d->has_content_length = m->has_content_length;
	d->content_length = m->content_length;
	d->no_body = m->no_body;
	d->uri_truncated = m->uri_truncated;
	d->depth = m->txn ? m->txn->depth : 0;
	for (uint32_t i = 0; i < m->nheaders; i++)
		assert_true(m->headers[i].name.len > 0);
}

static inline void h_txn_copy(struct h_txn *d, const struct ph_http_txn *t, bool intr)
{
	memset(d, 0, sizeof *d);
	h_cpy(d->method, sizeof d->method, t->method);
	h_cpy(d->uri, sizeof d->uri, t->uri);
	h_cpy(d->host, sizeof d->host, t->host);
	h_cpy(d->status_msg, sizeof d->status_msg, t->status_msg);
	h_cpy(d->username, sizeof d->username, t->username);
	h_cpy(d->version, sizeof d->version, t->version);
	if (t->nproxied)
		h_cpy(d->proxied, sizeof d->proxied, t->proxied[0]);
	d->status = t->status_code;
	d->info = t->info_code;
	d->depth = t->depth;
	d->req_len = t->request_body_len;
	d->resp_len = t->response_body_len;
	d->req_mime = t->request_mime;
	d->resp_mime = t->response_mime;
	d->has_request = t->has_request;
	d->uri_truncated = t->uri_truncated;
	d->interrupted = intr;
}

static inline void h_on_body(struct harness *h, const struct ph_http_body *b)
{
	int d = b->dir;
	h->nbody_events++;
	if (b->len) {
		assert_non_null(b->data);
		assert_true(b->offset >= h->next_off[d]); /* gaps skip ahead */
		h->next_off[d] = b->offset + b->len;
		h->body[d] = realloc(h->body[d], h->body_len[d] + b->len);
		assert_non_null(h->body[d]);
		memcpy(h->body[d] + h->body_len[d], b->data, b->len);
		h->body_len[d] += b->len;
	}
	if (b->end) {
		h->nends[d]++;
		h->next_off[d] = 0;
		h->end_body_len[d] = b->body_len;
		h->end_undelivered[d] = b->undelivered;
		h->end_interrupted[d] = b->interrupted;
	}
	if (b->txn_end) {
		assert_non_null(b->txn);
		assert_true(h->ntxn < H_MAX_TXN);
		h_txn_copy(&h->txn[h->ntxn++], b->txn, b->interrupted);
	}
}

static inline void h_emit(void *user, const struct ph_event *ev)
{
	struct harness *h = user;
	assert_ptr_equal(ev->conn, &h->conn);
	if (ev->kind == PH_EV_HTTP_REQUEST) {
		h->nreq++;
		h_msg_copy(&h->req, ev->u.proto);
	} else if (ev->kind == PH_EV_HTTP_RESPONSE) {
		h->nresp++;
		h_msg_copy(&h->resp, ev->u.proto);
	} else if (ev->kind == PH_EV_HTTP_BODY) {
		h_on_body(h, ev->u.proto);
	}
	if (h->log)
		ph_http_log_module.on_event(h->log, ev);
}

static inline void h_init(struct harness *h, const char *log_dir)
{
	memset(h, 0, sizeof *h);
	struct ph_module_env env = {.emit = h_emit, .bus = h, .log_dir = log_dir};
	struct ph_err err;
	assert_int_equal(ph_http_module.init(&env, &h->st, &err), 0);
	if (log_dir)
		assert_int_equal(ph_http_log_module.init(&env, &h->log, &err), 0);
	memcpy(h->conn.uid, "CHttpTest1", 11);
	h->conn.ipver = 4;
	h->conn.proto = 6;
	memcpy(h->conn.orig_addr, "\x0a\x00\x00\x01", 4);
	memcpy(h->conn.resp_addr, "\xc0\x00\x02\x50", 4);
	h->conn.orig_port = 40000;
	h->conn.resp_port = 80;
	h->ts = 1700000000000000000ull;
}

static inline void h_event(struct harness *h, struct ph_event *ev)
{
	ev->conn = &h->conn;
	ev->ts_ns = h->ts;
	ev->slots = h->slots;
	h->ts += 1000000;
	ph_http_module.on_event(h->st, ev);
}

static inline void h_feed_n(struct harness *h, enum ph_dir dir, const void *p, size_t n)
{
	struct ph_event ev = {.kind = PH_EV_STREAM, .dir = dir};
	ev.u.stream.data = p;
	ev.u.stream.len = (uint32_t)n;
	ev.u.stream.offset = h->off[dir];
	h->off[dir] += n;
	h_event(h, &ev);
}

static inline void h_feed(struct harness *h, enum ph_dir dir, const char *s)
{
	h_feed_n(h, dir, s, strlen(s));
}

/* Feeds s in pieces of `step` bytes. */
static inline void h_feed_split(struct harness *h, enum ph_dir dir, const char *s,
			 size_t step)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n; i += step)
		h_feed_n(h, dir, s + i, n - i < step ? n - i : step);
}

static inline void h_gap(struct harness *h, enum ph_dir dir, uint64_t len)
{
	struct ph_event ev = {.kind = PH_EV_GAP, .dir = dir};
	ev.u.gap.offset = h->off[dir];
	ev.u.gap.len = len;
	h->off[dir] += len;
	h_event(h, &ev);
}

static inline void h_end(struct harness *h)
{
	struct ph_event ev = {.kind = PH_EV_FLOW_END};
	h_event(h, &ev);
	assert_null(h->slots[PH_SLOT_HTTP]);
}

static inline uint64_t h_counter(struct harness *h, const char *name)
{
	struct ph_module_counter c[32];
	unsigned n = ph_http_module.counters(h->st, c, 32);
	for (unsigned i = 0; i < n; i++)
		if (strcmp(c[i].name, name) == 0)
			return c[i].value;
	fail_msg("no counter %s", name);
	return 0;
}

static inline void h_free(struct harness *h)
{
	if (h->slots[PH_SLOT_HTTP])
		h_end(h);
	ph_http_module.destroy(h->st);
	if (h->log)
		ph_http_log_module.destroy(h->log);
	free(h->body[0]);
	free(h->body[1]);
}

#endif
