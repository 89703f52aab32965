/* Test helper (header-only): builds DNS messages byte by byte for the DNS
 * unit tests, and drives ph_dns_module with synthetic flow events. */
#ifndef TEST_DNS_BUILD_H
#define TEST_DNS_BUILD_H

#include <stdint.h>
#include <string.h>

#include "peephole/module.h"

struct tb {
	uint8_t b[16384];
	size_t n;
};

static inline void tb_u8(struct tb *t, unsigned v) { t->b[t->n++] = (uint8_t)v; }
static inline void tb_u16(struct tb *t, unsigned v) { tb_u8(t, v >> 8); tb_u8(t, v & 255); }
static inline void tb_u32(struct tb *t, uint32_t v) { tb_u16(t, v >> 16); tb_u16(t, v & 0xffff); }
static inline void tb_raw(struct tb *t, const void *p, size_t n) { memcpy(t->b + t->n, p, n); t->n += n; }

static inline void tb_hdr(struct tb *t, unsigned id, unsigned flags, unsigned qd,
			  unsigned an, unsigned ns, unsigned ar)
{
	t->n = 0;
	tb_u16(t, id); tb_u16(t, flags); tb_u16(t, qd);
	tb_u16(t, an); tb_u16(t, ns); tb_u16(t, ar);
}

/* "www.example.com" as labels + root. */
static inline void tb_name(struct tb *t, const char *s)
{
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t n = dot ? (size_t)(dot - s) : strlen(s);
		tb_u8(t, (unsigned)n);
		tb_raw(t, s, n);
		s += n + (dot ? 1 : 0);
	}
	tb_u8(t, 0);
}

static inline void tb_q(struct tb *t, const char *name, unsigned type)
{
	tb_name(t, name);
	tb_u16(t, type);
	tb_u16(t, 1);
}

/* Record header with the owner as a pointer (ptr != 0) or a name. */
static inline size_t tb_rr(struct tb *t, unsigned ptr, const char *owner,
			   unsigned type, uint32_t ttl)
{
	if (ptr) tb_u16(t, 0xc000 | ptr);
	else tb_name(t, owner);
	tb_u16(t, type); tb_u16(t, 1); tb_u32(t, ttl);
	size_t at = t->n;
	tb_u16(t, 0); /* rdlength, patched by tb_rr_end */
	return at;
}

static inline void tb_rr_end(struct tb *t, size_t at)
{
	size_t len = t->n - at - 2;
	t->b[at] = (uint8_t)(len >> 8);
	t->b[at + 1] = (uint8_t)len;
}

static inline void tb_a(struct tb *t, unsigned ptr, const char *owner,
			uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	size_t at = tb_rr(t, ptr, owner, 1, 60);
	tb_u8(t, a); tb_u8(t, b); tb_u8(t, c); tb_u8(t, d);
	tb_rr_end(t, at);
}

/* A fake flow for driving a module. */
struct tflow {
	struct ph_conn c;
	void *slots[PH_SLOT_COUNT];
};

static inline void tflow_init(struct tflow *f, uint8_t proto, uint16_t rport,
			      const char *resp4)
{
	memset(f, 0, sizeof *f);
	f->c.ipver = 4;
	f->c.proto = proto;
	f->c.orig_port = 40000;
	f->c.resp_port = rport;
	uint8_t o[4] = {10, 0, 0, 2};
	memcpy(f->c.orig_addr, o, 4);
	unsigned a, b, c, d;
	if (sscanf(resp4, "%u.%u.%u.%u", &a, &b, &c, &d) == 4) {
		f->c.resp_addr[0] = (uint8_t)a; f->c.resp_addr[1] = (uint8_t)b;
		f->c.resp_addr[2] = (uint8_t)c; f->c.resp_addr[3] = (uint8_t)d;
	}
	memcpy(f->c.uid, "CdnsTest1", 10);
}

static inline void tflow_send(const struct ph_module *mod, void *st,
			      struct tflow *f, enum ph_event_kind kind,
			      enum ph_dir dir, uint64_t ts, const uint8_t *d,
			      size_t n)
{
	struct ph_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = kind;
	ev.conn = &f->c;
	ev.dir = dir;
	ev.ts_ns = ts;
	ev.slots = f->slots;
	if (kind == PH_EV_DATAGRAM) {
		ev.u.datagram.data = d;
		ev.u.datagram.len = (uint32_t)n;
	} else if (kind == PH_EV_STREAM) {
		ev.u.stream.data = d;
		ev.u.stream.len = (uint32_t)n;
	} else if (kind == PH_EV_GAP) {
		ev.u.gap.len = n;
	}
	mod->on_event(st, &ev);
}

#endif
