/* The HTTP/1.x parser module (ph_http_module): turns PH_EV_STREAM bytes of
 * both directions into PH_EV_HTTP_REQUEST/RESPONSE/BODY (proto_http.h).
 * Detection is by content on any TCP port: the flow's first bytes must be
 * a known method and a space, or "HTTP/1." (a response-first capture);
 * anything else marks the flow "not mine" at once. Framing follows RFC
 * 9112 section 6: chunked (with trailers), Content-Length, or until close
 * for responses; HEAD, 1xx, 204 and 304 replies have no body. Pipelined
 * requests queue (at most PH_HTTP_MAX_PENDING) and replies pair with them
 * in order, as Zeek's HTTP scripts do. CONNECT with a 2xx reply, and 101
 * replies, end parsing (tunnel). Caps: header block PH_HTTP_HDR_BLOCK_MAX,
 * PH_HTTP_MAX_HEADERS indexed, chunk/trailer lines 1 KiB / 64 KiB, body
 * bytes delivered PH_HTTP_BODY_CAP per message; all counted. A gap outside
 * a body drops the message and resynchronises on the next segment that
 * starts a message. Header block parsing is http_hdr.c's. */
#include <stdlib.h>
#include <string.h>

#include "peephole/module.h"
#include "proto/http_int.h"

#define LINE_MAX_BYTES 1024u   /* chunk-size line */
#define TRAILER_MAX 65536u     /* trailer block */
#define BUF_KEEP 4096u         /* larger buffers are freed after use */
#define SOCKS_SEGMENTS 8u      /* handshake segments skipped before HTTP */

enum dstate {
	ST_HDR = 0,     /* start line + headers */
	ST_LEN,         /* Content-Length body */
	ST_CHUNK_SIZE,  /* chunk-size line */
	ST_CHUNK_DATA,
	ST_CHUNK_CRLF,  /* the line end after chunk data */
	ST_TRAILER,     /* trailer lines after the last chunk */
	ST_EOF,         /* body until the connection closes */
	ST_RESYNC,      /* lost: wait for a segment that starts a message */
	ST_TUNNEL,      /* CONNECT or upgrade: no more HTTP */
};

struct http_dir {
	uint8_t st;            /* enum dstate */
	bool in_msg;           /* a message has started (headers parsed) */
	bool check_start;      /* flow not confirmed: check the first bytes */
	bool capped;           /* this message hit the body cap */
	uint32_t nsniff;
	uint32_t blen, bcap;
	char *buf;             /* owned: partial header block or line */
	uint64_t msg_ts;       /* packet time of the message's first byte */
	uint64_t remain;       /* body or chunk bytes still expected */
	uint64_t body_len;     /* de-chunked bytes of this message */
	uint64_t undelivered;
	uint32_t trailer_bytes;
	struct ph_http_txn *txn; /* borrowed from the queue, or NULL */
	uint8_t sniff[PH_HTTP_SNIFF_LEN];
};

struct http_flow {
	struct http_dir d[2];
	struct ph_http_txn *q[PH_HTTP_MAX_PENDING]; /* owned, oldest first */
	uint32_t qhead, qn;
	uint32_t depth;        /* transactions created */
	bool confirmed;        /* a valid start line was seen */
	uint8_t socks_wait;    /* SOCKS handshake: segments left to skip */
};

/* A transaction with its string storage. */
struct txn_box {
	struct ph_http_txn t;  /* first: the box is freed through &t */
	char version[8];
	char status_msg[128];
	char info_msg[128];
	char filename[256];
	size_t pool_used, pool_cap;
	char pool[];
};

enum {
	C_FLOWS, C_NOT_HTTP, C_REQUESTS, C_RESPONSES, C_BAD, C_URI_TRUNC,
	C_FIELD_TRUNC, C_HDR_TRUNC, C_BLOCK_OVERFLOW, C_BODY_CAPPED,
	C_PENDING_OVERFLOW, C_GAPS, C_TUNNELS, C_NOMEM, C_COUNT
};

static const char *const counter_names[C_COUNT] = {
	"http_flows", "http_not_http_flows", "http_requests",
	"http_responses", "http_bad_messages", "http_uri_truncated",
	"http_fields_truncated", "http_headers_over_cap",
	"http_header_block_over_cap", "http_bodies_over_cap",
	"http_pending_over_cap", "http_gaps_resync", "http_tunnels",
	"http_out_of_memory",
};

struct http_mod {
	ph_event_fn emit;
	void *bus;
	uint64_t c[C_COUNT];
	struct ph_http_header scratch[PH_HTTP_MAX_HEADERS];
	struct ph_http_parsed parsed;
};

/* The slot value of flows that are not HTTP (never freed). */
static const char not_mine;
#define NOT_MINE ((void *)&not_mine)

/* ---- events ------------------------------------------------------------- */

static void emit_proto(struct http_mod *m, const struct ph_event *src,
		       enum ph_event_kind k, enum ph_dir dir, const void *p)
{
	struct ph_event ev = *src;
	ev.kind = k;
	ev.dir = dir;
	ev.u.proto = p;
	m->emit(m->bus, &ev);
}

/* ---- transactions -------------------------------------------------------- */

static struct ph_http_str pool_put(struct txn_box *b, const char *s,
				   size_t n, size_t cap, uint64_t *trunc)
{
	struct ph_http_str r = {NULL, 0};
	if (!s)
		return r;
	if (n > cap) {
		n = cap;
		(*trunc)++;
	}
	if (n > b->pool_cap - b->pool_used)
		n = b->pool_cap - b->pool_used; /* sized beforehand: no-op */
	r.p = b->pool + b->pool_used;
	r.len = (uint32_t)n;
	memcpy(b->pool + b->pool_used, s, n);
	b->pool_used += n;
	return r;
}

static size_t capped(uint32_t n, size_t cap)
{
	return n < cap ? n : cap;
}

static size_t proxied_len(const struct ph_http_header *h)
{
	return capped(h->name.len + 4 + h->value.len, PH_HTTP_FIELD_MAX);
}

/* "NAME -> value" with the name upper-cased, as Zeek's proxied set. */
static struct ph_http_str put_proxied(struct txn_box *b,
				      const struct ph_http_header *h,
				      uint64_t *trunc)
{
	char tmp[PH_HTTP_FIELD_MAX];
	size_t n = 0;
	for (uint32_t i = 0; i < h->name.len && n < sizeof tmp; i++) {
		char c = h->name.p[i];
		tmp[n++] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
	}
	for (const char *a = " -> "; *a && n < sizeof tmp; a++)
		tmp[n++] = *a;
	size_t v = capped(h->value.len, sizeof tmp - n);
	if (v < h->value.len)
		(*trunc)++;
	memcpy(tmp + n, h->value.p, v);
	return pool_put(b, tmp, n + v, PH_HTTP_FIELD_MAX, trunc);
}

static size_t request_pool_size(const struct ph_http_parsed *p)
{
	const struct ph_http_msg *m = &p->msg;
	size_t n = m->method.len + m->uri.len + m->username.len;
	n += capped(m->host.len, PH_HTTP_FIELD_MAX);
	n += capped(m->user_agent.len, PH_HTTP_FIELD_MAX);
	n += capped(m->referer.len, PH_HTTP_FIELD_MAX);
	n += capped(m->origin.len, PH_HTTP_FIELD_MAX);
	for (uint32_t i = 0; i < p->nproxied; i++)
		n += proxied_len(&p->proxied[i]);
	return n;
}

static struct txn_box *txn_new(struct http_mod *m, size_t pool)
{
	struct txn_box *b = calloc(1, sizeof *b + pool);
	if (!b) {
		m->c[C_NOMEM]++;
		return NULL;
	}
	b->pool_cap = pool;
	return b;
}

static void txn_fill_request(struct http_mod *m, struct txn_box *b,
			     const struct ph_http_parsed *p)
{
	const struct ph_http_msg *g = &p->msg;
	struct ph_http_txn *t = &b->t;
	uint64_t *tr = &m->c[C_FIELD_TRUNC];
	t->has_request = true;
	t->method = pool_put(b, g->method.p, g->method.len, 64, tr);
	t->uri = pool_put(b, g->uri.p, g->uri.len, PH_HTTP_URI_MAX, tr);
	t->uri_truncated = g->uri_truncated;
	t->host = pool_put(b, g->host.p, g->host.len, PH_HTTP_FIELD_MAX, tr);
	t->user_agent = pool_put(b, g->user_agent.p, g->user_agent.len,
				 PH_HTTP_FIELD_MAX, tr);
	t->referrer = pool_put(b, g->referer.p, g->referer.len,
			       PH_HTTP_FIELD_MAX, tr);
	t->origin = pool_put(b, g->origin.p, g->origin.len, PH_HTTP_FIELD_MAX, tr);
	t->username = pool_put(b, g->username.p, g->username.len,
			       PH_HTTP_USER_MAX, tr);
	t->auth = g->auth;
	for (uint32_t i = 0; i < p->nproxied; i++)
		t->proxied[t->nproxied++] = put_proxied(b, &p->proxied[i], tr);
	t->is_connect = g->is_connect;
	t->is_proxy_request = g->is_proxy_request;
}

static struct ph_http_txn *q_head(struct http_flow *f)
{
	return f->qn ? f->q[f->qhead] : NULL;
}

static bool q_push(struct http_flow *f, struct ph_http_txn *t)
{
	if (f->qn == PH_HTTP_MAX_PENDING)
		return false;
	f->q[(f->qhead + f->qn++) % PH_HTTP_MAX_PENDING] = t;
	return true;
}

/* Removes and frees the oldest transaction, emitting txn_end for it
 * (merged into *end when given: the reply's end-of-message event). */
static void q_pop_log(struct http_mod *m, struct http_flow *f,
		      const struct ph_event *src, struct ph_http_body *end)
{
	struct ph_http_txn *t = q_head(f);
	if (!t)
		return;
	for (int i = 0; i < 2; i++)
		if (f->d[i].txn == t && (!end || (int)end->dir != i))
			f->d[i].txn = NULL;
	struct ph_http_body b = {.txn = t, .dir = PH_DIR_RESP, .txn_end = true};
	if (end) {
		end->txn_end = true;
		emit_proto(m, src, PH_EV_HTTP_BODY, end->dir, end);
		f->d[end->dir].txn = NULL;
	} else {
		b.interrupted = true;
		emit_proto(m, src, PH_EV_HTTP_BODY, PH_DIR_RESP, &b);
	}
	f->q[f->qhead] = NULL;
	f->qhead = (f->qhead + 1) % PH_HTTP_MAX_PENDING;
	f->qn--;
	free(t);
}

/* ---- flow state ------------------------------------------------------- */

static struct http_flow *flow_new(struct http_mod *m)
{
	struct http_flow *f = calloc(1, sizeof *f);
	if (!f) {
		m->c[C_NOMEM]++;
		return NULL;
	}
	f->d[0].check_start = f->d[1].check_start = true;
	m->c[C_FLOWS]++;
	return f;
}

static void flow_free(struct http_flow *f)
{
	for (int i = 0; i < 2; i++)
		free(f->d[i].buf);
	while (f->qn) {
		free(f->q[f->qhead]);
		f->qhead = (f->qhead + 1) % PH_HTTP_MAX_PENDING;
		f->qn--;
	}
	free(f);
}

/* Appends n bytes to the direction's buffer, growing it up to cap;
 * returns the bytes taken. */
static size_t buf_append(struct http_mod *m, struct http_dir *d,
			 const uint8_t *p, size_t n, uint32_t cap)
{
	if (n > cap - d->blen)
		n = cap - d->blen;
	if (d->blen + n > d->bcap) {
		uint32_t nc = d->bcap ? d->bcap : 1024;
		while (nc < d->blen + n)
			nc *= 2;
		if (nc > cap)
			nc = cap;
		char *nb = realloc(d->buf, nc);
		if (!nb) {
			m->c[C_NOMEM]++;
			return 0;
		}
		d->buf = nb;
		d->bcap = nc;
	}
	memcpy(d->buf + d->blen, p, n);
	d->blen += (uint32_t)n;
	return n;
}

static void buf_reset(struct http_dir *d)
{
	d->blen = 0;
	if (d->bcap > BUF_KEEP) {
		free(d->buf);
		d->buf = NULL;
		d->bcap = 0;
	}
}

/* ---- bodies ------------------------------------------------------------- */

static void body_bytes(struct http_mod *m, struct http_dir *d,
		       const struct ph_event *src, enum ph_dir dir,
		       const uint8_t *p, uint64_t n)
{
	if (d->nsniff < PH_HTTP_SNIFF_LEN) {
		size_t k = capped((uint32_t)(n < PH_HTTP_SNIFF_LEN ? n : PH_HTTP_SNIFF_LEN),
				  PH_HTTP_SNIFF_LEN - d->nsniff);
		memcpy(d->sniff + d->nsniff, p, k);
		d->nsniff += (uint32_t)k;
	}
	uint64_t off = d->body_len;
	d->body_len += n;
	uint64_t room = off < PH_HTTP_BODY_CAP ? PH_HTTP_BODY_CAP - off : 0;
	uint64_t give = n < room ? n : room;
	if (give < n) {
		d->undelivered += n - give;
		if (!d->capped)
			m->c[C_BODY_CAPPED]++;
		d->capped = true;
	}
	if (give) {
		struct ph_http_body b = {.txn = d->txn, .dir = dir, .data = p,
					 .len = (uint32_t)give, .offset = off};
		emit_proto(m, src, PH_EV_HTTP_BODY, dir, &b);
	}
}

static bool is_1xx(const struct ph_http_txn *t)
{
	return t->status_code >= 100 && t->status_code < 200;
}

/* Ends the direction's current message: the end event, the body length
 * and MIME type into the transaction, and for a final reply the
 * transaction's end. The direction then expects a new message. */
static void msg_end(struct http_mod *m, struct http_flow *f,
		    const struct ph_event *src, enum ph_dir dir, bool intr)
{
	struct http_dir *d = &f->d[dir];
	struct ph_http_txn *t = d->txn;
	struct ph_http_body b = {.txn = t, .dir = dir, .end = true,
				 .interrupted = intr, .body_len = d->body_len,
				 .undelivered = d->undelivered};
	const char *mime = d->nsniff ? ph_http_sniff_mime(d->sniff, d->nsniff)
				     : NULL;
	d->in_msg = false;
	d->st = ST_HDR;
	d->body_len = d->undelivered = d->remain = 0;
	d->nsniff = d->trailer_bytes = 0;
	d->capped = false;
	buf_reset(d);
	if (t && dir == PH_DIR_ORIG) {
		t->request_body_len = b.body_len;
		t->request_mime = mime;
	} else if (t) {
		t->response_body_len = b.body_len;
		t->response_mime = mime;
	}
	if (t && dir == PH_DIR_RESP && !is_1xx(t) && t == q_head(f)) {
		q_pop_log(m, f, src, &b);
		return;
	}
	emit_proto(m, src, PH_EV_HTTP_BODY, dir, &b);
	d->txn = NULL;
}

/* Drops the current message (gap or bad framing) and waits for a segment
 * that starts a new one. */
static void lose(struct http_mod *m, struct http_flow *f,
		 const struct ph_event *src, enum ph_dir dir)
{
	struct http_dir *d = &f->d[dir];
	if (d->in_msg)
		msg_end(m, f, src, dir, true);
	buf_reset(d);
	d->st = ST_RESYNC;
}

/* ---- header blocks ------------------------------------------------------ */

static void set_body_mode(struct http_mod *m, struct http_flow *f,
			  const struct ph_event *src, enum ph_dir dir,
			  const struct ph_http_msg *g, bool until_close)
{
	struct http_dir *d = &f->d[dir];
	if (g->chunked) {
		d->st = ST_CHUNK_SIZE;
	} else if (g->has_content_length && g->content_length > 0) {
		d->st = ST_LEN;
		d->remain = g->content_length;
	} else if (until_close && !g->has_content_length) {
		d->st = ST_EOF;
	} else {
		msg_end(m, f, src, dir, false);
	}
}

static void on_request(struct http_mod *m, struct http_flow *f,
		       const struct ph_event *src)
{
	struct ph_http_parsed *p = &m->parsed;
	struct http_dir *d = &f->d[PH_DIR_ORIG];
	struct txn_box *b = txn_new(m, request_pool_size(p));
	if (!b) {
		d->st = ST_RESYNC;
		return;
	}
	txn_fill_request(m, b, p);
	b->t.depth = ++f->depth;
	b->t.ts_ns = d->msg_ts;
	if (!q_push(f, &b->t)) {
		m->c[C_PENDING_OVERFLOW]++;
		q_pop_log(m, f, src, NULL);
		q_push(f, &b->t);
	}
	if (p->msg.uri_truncated)
		m->c[C_URI_TRUNC]++;
	m->c[C_REQUESTS]++;
	d->txn = &b->t;
	d->in_msg = true;
	p->msg.txn = &b->t;
	p->msg.pipeline_depth = f->qn;
	emit_proto(m, src, PH_EV_HTTP_REQUEST, PH_DIR_ORIG, &p->msg);
	set_body_mode(m, f, src, PH_DIR_ORIG, &p->msg, false);
	if (p->msg.is_connect)
		d->st = ST_RESYNC; /* tunnelled bytes may follow at once; a
				      new request (after a 407) still parses */
}

static void copy_small(char *dst, size_t cap, struct ph_http_str s,
		       struct ph_http_str *out, uint64_t *trunc)
{
	size_t n = s.p ? s.len : 0;
	if (n > cap) {
		n = cap;
		(*trunc)++;
	}
	if (n)
		memcpy(dst, s.p, n);
	out->p = s.p ? dst : NULL;
	out->len = (uint32_t)n;
}

/* The reply's fields into its transaction (the oldest unanswered one, or
 * a new one when no request is pending). */
static struct ph_http_txn *reply_txn(struct http_mod *m, struct http_flow *f,
				     const struct ph_event *src,
				     const struct ph_http_msg *g)
{
	struct txn_box *b = (struct txn_box *)q_head(f);
	if (!b) {
		b = txn_new(m, 0);
		if (!b)
			return NULL;
		b->t.depth = ++f->depth;
		b->t.ts_ns = f->d[PH_DIR_RESP].msg_ts;
		q_push(f, &b->t);
	}
	struct ph_http_txn *t = &b->t;
	uint64_t *tr = &m->c[C_FIELD_TRUNC];
	t->status_code = g->status_code;
	copy_small(b->status_msg, sizeof b->status_msg, g->reason,
		   &t->status_msg, tr);
	copy_small(b->version, sizeof b->version, g->version, &t->version, tr);
	if (g->status_code >= 100 && g->status_code < 200) {
		t->info_code = g->status_code;
		copy_small(b->info_msg, sizeof b->info_msg, g->reason,
			   &t->info_msg, tr);
	} else {
		t->has_response = true;
	}
	if (m->parsed.disposition_name.p)
		copy_small(b->filename, sizeof b->filename,
			   m->parsed.disposition_name, &t->resp_filename, tr);
	(void)src;
	return t;
}

static void on_response(struct http_mod *m, struct http_flow *f,
			const struct ph_event *src)
{
	struct ph_http_msg *g = &m->parsed.msg;
	struct http_dir *d = &f->d[PH_DIR_RESP];
	struct ph_http_txn *t = reply_txn(m, f, src, g);
	if (!t) {
		d->st = ST_RESYNC;
		return;
	}
	m->c[C_RESPONSES]++;
	uint16_t code = g->status_code;
	bool head = t->has_request && ph_http_ieq(t->method.p, t->method.len, "HEAD");
	g->no_body = head || (code >= 100 && code < 200) || code == 204 ||
		     code == 304;
	g->txn = t;
	d->txn = t;
	d->in_msg = true;
	emit_proto(m, src, PH_EV_HTTP_RESPONSE, PH_DIR_RESP, g);
	bool tunnel = code == 101 || (t->is_connect && code >= 200 && code < 300);
	if (g->no_body || tunnel)
		msg_end(m, f, src, PH_DIR_RESP, false);
	else
		set_body_mode(m, f, src, PH_DIR_RESP, g, true);
	if (tunnel) {
		m->c[C_TUNNELS]++;
		f->d[0].st = f->d[1].st = ST_TUNNEL;
	}
}

/* A complete header block at [p, p + n) from direction dir. */
static void on_block(struct http_mod *m, struct http_flow *f,
		     const struct ph_event *src, enum ph_dir dir,
		     const char *p, size_t n)
{
	struct ph_http_parsed *ps = &m->parsed;
	bool req = dir == PH_DIR_ORIG;
	if (ph_http_parse_block(p, n, req, m->scratch, ps) < 0 ||
	    (req && ps->other_protocol && !f->confirmed)) {
		m->c[C_BAD]++;
		lose(m, f, src, dir);
		return;
	}
	if (ps->headers_truncated)
		m->c[C_HDR_TRUNC]++;
	if (!f->confirmed) {
		f->confirmed = true;
		ph_conn_add_service(src->conn, "http");
	}
	f->d[dir].check_start = false;
	if (req)
		on_request(m, f, src);
	else
		on_response(m, f, src);
}

/* Index just past the empty line ending a header block in [p, p + n),
 * searching from `from`; 0 when not there yet. */
static size_t block_end(const char *p, size_t n, size_t from)
{
	const char *e = p + n;
	for (const char *q = p + from; q < e;) {
		const char *lf = memchr(q, '\n', (size_t)(e - q));
		if (!lf || lf + 1 >= e)
			return 0;
		if (lf[1] == '\n')
			return (size_t)(lf + 2 - p);
		if (lf[1] == '\r' && lf + 2 < e && lf[2] == '\n')
			return (size_t)(lf + 3 - p);
		q = lf + 1;
	}
	return 0;
}

/* Does this direction's message start look like HTTP? 1 yes, 0 need
 * more bytes, -1 no. */
static int start_ok(enum ph_dir dir, const uint8_t *p, size_t n)
{
	bool maybe;
	bool ok = dir == PH_DIR_ORIG ? ph_http_is_request_start(p, n, &maybe)
				     : ph_http_is_response_start(p, n, &maybe);
	return ok ? 1 : maybe ? 0 : -1;
}

static size_t on_header_bytes(struct http_mod *m, struct http_flow *f,
			      const struct ph_event *src, enum ph_dir dir,
			      const uint8_t *p, size_t n)
{
	struct http_dir *d = &f->d[dir];
	size_t skip = 0;
	if (d->blen == 0) {
		while (skip < n && (p[skip] == '\r' || p[skip] == '\n'))
			skip++; /* blank lines between messages */
		if (skip == n)
			return n;
		d->msg_ts = src->ts_ns;
		p += skip;
		n -= skip;
		size_t e = block_end((const char *)p, n, 0);
		if (e && (!d->check_start || start_ok(dir, p, e) == 1)) {
			on_block(m, f, src, dir, (const char *)p, e);
			return skip + e;
		}
	}
	uint32_t old = d->blen;
	size_t took = buf_append(m, d, p, n, PH_HTTP_HDR_BLOCK_MAX);
	int s = d->check_start ? start_ok(dir, (uint8_t *)d->buf, d->blen) : 1;
	size_t e = s < 0 ? 0 : block_end(d->buf, d->blen, old > 2 ? old - 2 : 0);
	if (s < 0 || (s == 0 && e)) {
		m->c[C_BAD]++;
		lose(m, f, src, dir);
		return skip + n;
	}
	if (e) {
		d->blen = 0;
		on_block(m, f, src, dir, d->buf, e);
		return skip + (e - old);
	}
	if (took < n || d->blen == PH_HTTP_HDR_BLOCK_MAX) {
		m->c[C_BLOCK_OVERFLOW]++;
		lose(m, f, src, dir);
		return skip + n;
	}
	return skip + n;
}

/* ---- chunked bodies ------------------------------------------------------ */

/* One line (without CR LF) in *line and *len, from the buffer or in place.
 * Returns the bytes of p consumed and sets *done when the line is whole;
 * *len > cap means the line was too long. */
static size_t take_line(struct http_mod *m, struct http_dir *d,
			const uint8_t *p, size_t n, uint32_t cap,
			const char **line, size_t *len, bool *done)
{
	const uint8_t *lf = memchr(p, '\n', n);
	size_t used = lf ? (size_t)(lf - p) + 1 : n;
	*done = false;
	if (d->blen == 0 && lf) {
		*line = (const char *)p;
		*len = (size_t)(lf - p);
	} else {
		if (buf_append(m, d, p, used, cap + 2) < used) {
			*len = (size_t)cap + 1;
			*done = true;
			return used;
		}
		if (!lf)
			return used;
		*line = d->buf;
		*len = d->blen - 1;
		d->blen = 0;
	}
	if (*len && (*line)[*len - 1] == '\r')
		(*len)--;
	*done = true;
	return used;
}

/* Hex chunk size before any ';' extension; false when malformed. */
static bool chunk_size(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	size_t start = i;
	for (; i < n; i++) {
		char c = s[i];
		int h = c >= '0' && c <= '9' ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (h < 0)
			break;
		if (v >> 56)
			return false;
		v = v * 16 + (uint64_t)h;
	}
	if (i == start)
		return false;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < n && s[i] != ';')
		return false;
	*out = v;
	return true;
}

static size_t on_chunk_line(struct http_mod *m, struct http_flow *f,
			    const struct ph_event *src, enum ph_dir dir,
			    const uint8_t *p, size_t n)
{
	struct http_dir *d = &f->d[dir];
	uint32_t cap = d->st == ST_TRAILER ? TRAILER_MAX : LINE_MAX_BYTES;
	const char *line = NULL;
	size_t len = 0;
	bool done;
	size_t used = take_line(m, d, p, n, cap, &line, &len, &done);
	if (!done)
		return used;
	if (len > cap) {
		m->c[C_BAD]++;
		lose(m, f, src, dir);
		return used;
	}
	if (d->st == ST_CHUNK_CRLF) { /* data before the CRLF: tolerated */
		d->st = ST_CHUNK_SIZE;
	} else if (d->st == ST_TRAILER) {
		d->trailer_bytes += (uint32_t)used;
		if (len == 0)
			msg_end(m, f, src, dir, false);
		else if (d->trailer_bytes > TRAILER_MAX) {
			m->c[C_BLOCK_OVERFLOW]++;
			lose(m, f, src, dir);
		}
	} else if (!chunk_size(line, len, &d->remain)) {
		m->c[C_BAD]++;
		lose(m, f, src, dir);
	} else {
		d->st = d->remain ? ST_CHUNK_DATA : ST_TRAILER;
	}
	return used;
}

/* Body bytes of a known length (Content-Length or one chunk). */
static size_t on_counted(struct http_mod *m, struct http_flow *f,
			 const struct ph_event *src, enum ph_dir dir,
			 const uint8_t *p, size_t n)
{
	struct http_dir *d = &f->d[dir];
	size_t k = n < d->remain ? n : (size_t)d->remain;
	body_bytes(m, d, src, dir, p, k);
	d->remain -= k;
	if (d->remain == 0) {
		if (d->st == ST_CHUNK_DATA)
			d->st = ST_CHUNK_CRLF;
		else
			msg_end(m, f, src, dir, false);
	}
	return k;
}

/* ---- stream and gap dispatch ---------------------------------------------- */

static void feed(struct http_mod *m, struct http_flow *f,
		 const struct ph_event *ev, enum ph_dir dir,
		 const uint8_t *p, size_t n)
{
	struct http_dir *d = &f->d[dir];
	if (d->st == ST_RESYNC) {
		if (start_ok(dir, p, n) != 1)
			return;
		d->st = ST_HDR;
	}
	while (n) {
		size_t used;
		switch (d->st) {
		case ST_HDR:
			used = on_header_bytes(m, f, ev, dir, p, n);
			break;
		case ST_LEN:
		case ST_CHUNK_DATA:
			used = on_counted(m, f, ev, dir, p, n);
			break;
		case ST_CHUNK_SIZE:
		case ST_CHUNK_CRLF:
		case ST_TRAILER:
			used = on_chunk_line(m, f, ev, dir, p, n);
			break;
		case ST_EOF:
			body_bytes(m, d, ev, dir, p, n);
			used = n;
			break;
		default: /* RESYNC, TUNNEL: rest of this segment ignored */
			return;
		}
		p += used;
		n -= used;
	}
}

/* A gap: absorbed inside a body of known length or one read until close;
 * anywhere else the message is lost. */
static void on_gap(struct http_mod *m, struct http_flow *f,
		   const struct ph_event *ev)
{
	struct http_dir *d = &f->d[ev->dir];
	uint64_t len = ev->u.gap.len;
	if (d->st == ST_TUNNEL || d->st == ST_RESYNC)
		return;
	if (d->st == ST_EOF ||
	    ((d->st == ST_LEN || d->st == ST_CHUNK_DATA) && len <= d->remain)) {
		d->body_len += len;
		d->undelivered += len;
		if (d->st != ST_EOF) {
			d->remain -= len;
			if (d->remain == 0 && d->st == ST_LEN)
				msg_end(m, f, ev, ev->dir, false);
			else if (d->remain == 0)
				d->st = ST_CHUNK_CRLF;
		}
		return;
	}
	if (d->st == ST_HDR && d->blen == 0 && !d->in_msg && f->confirmed) {
		d->st = ST_RESYNC; /* between messages */
		m->c[C_GAPS]++;
		return;
	}
	m->c[C_GAPS]++;
	lose(m, f, ev, ev->dir);
}

/* Flow end: open messages end (a reply read until close ends normally),
 * then every transaction still pending is logged. */
static void on_flow_end(struct http_mod *m, struct http_flow *f,
			const struct ph_event *ev)
{
	for (int i = 0; i < 2; i++) {
		struct http_dir *d = &f->d[i];
		if (d->in_msg && d->st != ST_TUNNEL)
			msg_end(m, f, ev, (enum ph_dir)i, d->st != ST_EOF);
	}
	while (f->qn)
		q_pop_log(m, f, ev, NULL);
	flow_free(f);
}

/* A SOCKS 4/4a CONNECT or SOCKS 5 greeting as a flow's first segment:
 * HTTP may follow once the handshake is done (Zeek's SOCKS analyser hands
 * the tunnelled bytes on the same way). */
static bool is_socks_start(const uint8_t *p, size_t n)
{
	if (n >= 3 && p[0] == 5 && p[1] >= 1 && n == 2u + p[1])
		return true;
	return n >= 9 && p[0] == 4 && (p[1] == 1 || p[1] == 2) && p[n - 1] == 0;
}

/* First data of a flow: HTTP or not? */
static struct http_flow *detect(struct http_mod *m, const struct ph_event *ev)
{
	const uint8_t *p = ev->u.stream.data;
	size_t n = ev->u.stream.len;
	bool socks = ev->dir == PH_DIR_ORIG && is_socks_start(p, n);
	if (!socks && start_ok(ev->dir, p, n) < 0) {
		m->c[C_NOT_HTTP]++;
		return NULL;
	}
	struct http_flow *f = flow_new(m);
	if (f && socks) {
		f->d[0].st = f->d[1].st = ST_RESYNC;
		f->socks_wait = SOCKS_SEGMENTS;
	}
	return f;
}

static void http_on_event(void *state, const struct ph_event *ev)
{
	struct http_mod *m = state;
	void **slot = ev->slots ? &ev->slots[PH_SLOT_HTTP] : NULL;
	if (!slot)
		return;
	if (*slot == NOT_MINE) {
		if (ev->kind == PH_EV_FLOW_END)
			*slot = NULL;
		return;
	}
	struct http_flow *f = *slot;
	if (ev->kind == PH_EV_FLOW_END) {
		*slot = NULL;
		if (f)
			on_flow_end(m, f, ev);
		return;
	}
	if (!f) {
		if (ev->kind != PH_EV_STREAM || ev->u.stream.len == 0)
			return;
		f = detect(m, ev);
		*slot = f ? (void *)f : NOT_MINE;
		if (!f)
			return;
	}
	if (ev->kind == PH_EV_GAP) {
		on_gap(m, f, ev);
		return;
	}
	if (ev->kind != PH_EV_STREAM)
		return;
	feed(m, f, ev, ev->dir, ev->u.stream.data, ev->u.stream.len);
	if (!f->confirmed && f->d[ev->dir].st == ST_RESYNC &&
	    (f->socks_wait == 0 || --f->socks_wait == 0)) {
		/* the first message failed to parse: not HTTP after all */
		m->c[C_FLOWS]--;
		m->c[C_NOT_HTTP]++;
		flow_free(f);
		*slot = NOT_MINE;
	}
}

/* ---- module ---------------------------------------------------------------- */

static int http_init(const struct ph_module_env *env, void **state,
		     struct ph_err *err)
{
	struct http_mod *m = calloc(1, sizeof *m);
	if (!m)
		return ph_err_set(err, PH_ENOMEM, "http: out of memory");
	m->emit = env->emit;
	m->bus = env->bus;
	*state = m;
	return PH_OK;
}

static unsigned http_counters(const void *state, struct ph_module_counter *out,
			      unsigned max)
{
	const struct http_mod *m = state;
	unsigned n = 0;
	for (unsigned i = 0; i < C_COUNT && n < max; i++) {
		out[n].name = counter_names[i];
		out[n++].value = m->c[i];
	}
	return n;
}

static void http_destroy(void *state)
{
	free(state);
}

const struct ph_module ph_http_module = {
	.name = "http",
	.summary = "HTTP/1.x requests, responses and bodies (any TCP port)",
	.mask = PH_EV_STREAM | PH_EV_GAP | PH_EV_FLOW_END,
	.init = http_init,
	.on_event = http_on_event,
	.finish = NULL,
	.counters = http_counters,
	.destroy = http_destroy,
};
