/* libFuzzer target for the HTTP parser (src/proto/http.c, http_hdr.c): the
 * input is a list of segments separated by the two bytes 0xff 0xfe; each
 * segment's first byte says what it is (bit 0: direction, bit 1: a gap of
 * the remaining bytes' length instead of data, bit 2: end the flow here and
 * start a new one), the rest are the bytes. Every event the parser emits is
 * checked against proto_http.h's contract and every byte it points to is
 * read, so ASan sees any stray pointer; the flow ends at the end. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "peephole/module.h"
#include "peephole/proto_http.h"

extern const struct ph_module ph_http_module;

static volatile uint8_t sink;

static void touch(const void *p, size_t n)
{
	const uint8_t *q = p;
	uint8_t x = 0;
	for (size_t i = 0; i < n; i++)
		x ^= q[i];
	sink = x;
}

static void touch_str(struct ph_http_str s, uint32_t cap)
{
	if (s.p)
		touch(s.p, s.len);
	if (s.len > cap || (!s.p && s.len))
		__builtin_trap();
}

static void check_txn(const struct ph_http_txn *t)
{
	touch_str(t->method, 64);
	touch_str(t->uri, PH_HTTP_URI_MAX);
	touch_str(t->host, PH_HTTP_FIELD_MAX);
	touch_str(t->user_agent, PH_HTTP_FIELD_MAX);
	touch_str(t->referrer, PH_HTTP_FIELD_MAX);
	touch_str(t->origin, PH_HTTP_FIELD_MAX);
	touch_str(t->username, 256);
	touch_str(t->status_msg, 128);
	touch_str(t->info_msg, 128);
	touch_str(t->version, 8);
	touch_str(t->resp_filename, 256);
	if (t->nproxied > PH_HTTP_MAX_PROXIED)
		__builtin_trap();
	for (uint32_t i = 0; i < t->nproxied; i++)
		touch_str(t->proxied[i], PH_HTTP_FIELD_MAX);
}

static void check_msg(const struct ph_http_msg *m)
{
	if (!m->txn || m->nheaders > PH_HTTP_MAX_HEADERS ||
	    m->nheaders > m->header_count || m->uri.len > PH_HTTP_URI_MAX)
		__builtin_trap();
	check_txn(m->txn);
	touch_str(m->method, 64);
	touch_str(m->uri, PH_HTTP_URI_MAX);
	touch_str(m->reason, PH_HTTP_HDR_BLOCK_MAX);
	touch_str(m->username, 256);
	for (uint32_t i = 0; i < m->nheaders; i++) {
		touch_str(m->headers[i].name, PH_HTTP_HDR_BLOCK_MAX);
		touch_str(m->headers[i].value, PH_HTTP_HDR_BLOCK_MAX);
	}
}

static void check_body(const struct ph_http_body *b)
{
	if ((b->len && !b->data) || b->offset + b->len > PH_HTTP_BODY_CAP ||
	    (b->txn_end && !b->txn))
		__builtin_trap();
	if (b->len)
		touch(b->data, b->len);
	if (b->txn)
		check_txn(b->txn);
	if (b->end && b->undelivered > b->body_len)
		__builtin_trap();
}

static void on_emit(void *user, const struct ph_event *ev)
{
	(void)user;
	if (ev->kind == PH_EV_HTTP_REQUEST || ev->kind == PH_EV_HTTP_RESPONSE)
		check_msg(ev->u.proto);
	else if (ev->kind == PH_EV_HTTP_BODY)
		check_body(ev->u.proto);
	else
		__builtin_trap();
}

static const uint8_t *next_sep(const uint8_t *p, const uint8_t *end)
{
	while (end - p >= 2) {
		const uint8_t *q = memchr(p, 0xff, (size_t)(end - p - 1));
		if (!q)
			return end;
		if (q[1] == 0xfe)
			return q;
		p = q + 1;
	}
	return end;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ph_conn conn;
	memset(&conn, 0, sizeof conn);
	conn.ipver = 4;
	conn.proto = 6;
	void *slots[PH_SLOT_COUNT] = {0};
	uint64_t off[2] = {0, 0};
	struct ph_module_env env = {.emit = on_emit};
	void *st = NULL;
	struct ph_err err;
	if (ph_http_module.init(&env, &st, &err) < 0)
		return 0;
	struct ph_event ev = {.conn = &conn, .slots = slots, .ts_ns = 1};
	const uint8_t *p = data, *end = data + size;
	while (p < end) {
		const uint8_t *q = next_sep(p, end);
		uint8_t ctl = *p;
		const uint8_t *d = p + 1;
		size_t n = q > d ? (size_t)(q - d) : 0;
		ev.dir = (enum ph_dir)(ctl & 1);
		if (ctl & 4) {
			ev.kind = PH_EV_FLOW_END;
			ph_http_module.on_event(st, &ev);
			off[0] = off[1] = 0;
			conn.service[0] = '\0';
		}
		if (ctl & 2) {
			ev.kind = PH_EV_GAP;
			ev.u.gap.offset = off[ev.dir];
			ev.u.gap.len = n * 97;
			off[ev.dir] += n * 97;
		} else {
			ev.kind = PH_EV_STREAM;
			ev.u.stream.data = d;
			ev.u.stream.len = (uint32_t)n;
			ev.u.stream.offset = off[ev.dir];
			off[ev.dir] += n;
		}
		ph_http_module.on_event(st, &ev);
		ev.ts_ns += 1000;
		p = q == end ? end : q + 2;
	}
	ev.kind = PH_EV_FLOW_END;
	ph_http_module.on_event(st, &ev);
	if (slots[PH_SLOT_HTTP])
		__builtin_trap();
	ph_http_module.destroy(st);
	return 0;
}
