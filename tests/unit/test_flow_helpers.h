/* Shared by the test_flow_*.c unit tests: builds struct ph_pkt values by
 * hand (the decoder is not involved) and records what the flow table
 * emits, checking on the way that every STREAM/GAP continues exactly where
 * the previous one of its direction stopped. Header-only (static). */
#ifndef PH_TEST_FLOW_HELPERS_H
#define PH_TEST_FLOW_HELPERS_H

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "flow/flow.h"

#define MS 1000000ull
#define SEC 1000000000ull
#define T_FIN 0x01
#define T_SYN 0x02
#define T_RST 0x04
#define T_PSH 0x08
#define T_ACK 0x10

#define SINK_MAX_EV 512
#define SINK_MAX_END 256
#define SINK_STREAM 16384

struct rec_ev {
	enum ph_event_kind kind;
	enum ph_dir dir;
	uint64_t conn_id;
	uint64_t off, len;
	const uint8_t *data;
};

struct sink {
	struct rec_ev ev[SINK_MAX_EV];
	size_t nev;
	struct ph_conn end[SINK_MAX_END]; /* FLOW_END records, in order */
	size_t nend;
	size_t nstart;
	uint8_t stream[2][SINK_STREAM];  /* delivered bytes, gaps as '?' */
	uint64_t next_off[2];            /* of the latest connection */
	uint64_t stream_id[2];
	uint64_t gap_bytes[2];
	uint64_t datagrams[2];
};

static inline void sink_fn(void *user, const struct ph_event *ev)
{
	struct sink *s = user;
	struct rec_ev *r = s->nev < SINK_MAX_EV ? &s->ev[s->nev++] : NULL;
	int d = ev->dir == PH_DIR_ORIG ? 0 : 1;

	if ((ev->kind == PH_EV_STREAM || ev->kind == PH_EV_GAP) &&
	    ev->conn->id != s->stream_id[d]) {
		s->stream_id[d] = ev->conn->id; /* a new connection's stream */
		s->next_off[d] = 0;
	}
	if (r) {
		r->kind = ev->kind;
		r->dir = ev->dir;
		r->conn_id = ev->conn->id;
	}
	switch (ev->kind) {
	case PH_EV_FLOW_START:
		s->nstart++;
		break;
	case PH_EV_FLOW_END:
		if (s->nend < SINK_MAX_END)
			s->end[s->nend++] = *ev->conn;
		break;
	case PH_EV_STREAM:
		assert_int_equal(ev->u.stream.offset, s->next_off[d]);
		if (r) {
			r->off = ev->u.stream.offset;
			r->len = ev->u.stream.len;
			r->data = ev->u.stream.data;
		}
		if (s->next_off[d] + ev->u.stream.len <= SINK_STREAM)
			memcpy(s->stream[d] + s->next_off[d],
			       ev->u.stream.data, ev->u.stream.len);
		s->next_off[d] += ev->u.stream.len;
		break;
	case PH_EV_GAP:
		assert_int_equal(ev->u.gap.offset, s->next_off[d]);
		if (r) {
			r->off = ev->u.gap.offset;
			r->len = ev->u.gap.len;
		}
		for (uint64_t i = 0; i < ev->u.gap.len; i++)
			if (s->next_off[d] + i < SINK_STREAM)
				s->stream[d][s->next_off[d] + i] = '?';
		s->next_off[d] += ev->u.gap.len;
		s->gap_bytes[d] += ev->u.gap.len;
		break;
	case PH_EV_DATAGRAM:
		s->datagrams[d]++;
		break;
	default: /* protocol events: not emitted by the flow table */
		break;
	}
}

static inline size_t sink_count(const struct sink *s, enum ph_event_kind k)
{
	size_t n = 0;
	for (size_t i = 0; i < s->nev; i++)
		n += s->ev[i].kind == k;
	return n;
}

/* One endpoint pair; a() builds packets from side A (0) or B (1). */
struct conv {
	uint8_t addr[2][16];
	uint16_t port[2];
	uint8_t proto;
	uint8_t ipver;
	uint64_t pkt_no;
	uint16_t win;
	uint16_t vlan;
};

static inline void conv_init(struct conv *c, const char *a, uint16_t pa,
			     const char *b, uint16_t pb, uint8_t proto)
{
	memset(c, 0, sizeof *c);
	c->ipver = strchr(a, ':') ? 6 : 4;
	inet_pton(c->ipver == 6 ? AF_INET6 : AF_INET, a, c->addr[0]);
	inet_pton(c->ipver == 6 ? AF_INET6 : AF_INET, b, c->addr[1]);
	c->port[0] = pa;
	c->port[1] = pb;
	c->proto = proto;
	c->win = 65535;
}

static inline struct ph_pkt conv_pkt(struct conv *c, int side, uint64_t ts_ns,
				     const char *payload)
{
	struct ph_pkt p;
	uint32_t plen = payload ? (uint32_t)strlen(payload) : 0;
	uint32_t l4 = c->proto == 6 ? 20 : 8;

	memset(&p, 0, sizeof p);
	p.ts_ns = ts_ns;
	p.pkt_no = ++c->pkt_no;
	memcpy(p.t.src, c->addr[side], 16);
	memcpy(p.t.dst, c->addr[side ^ 1], 16);
	p.t.sport = c->port[side];
	p.t.dport = c->port[side ^ 1];
	p.t.proto = c->proto;
	p.t.ipver = c->ipver;
	p.ip_len = (c->ipver == 6 ? 40 : 20) + l4 + plen;
	p.frame_len = 14 + p.ip_len;
	p.payload = (const uint8_t *)payload;
	p.payload_len = p.payload_wire = plen;
	p.win = c->win;
	if (c->vlan) {
		p.vlan[0] = c->vlan;
		p.nvlan = 1;
	}
	p.has_mac = true;
	memset(p.src_mac, 0xa0 + side, 6);
	memset(p.dst_mac, 0xa0 + (side ^ 1), 6);
	return p;
}

static inline struct ph_pkt tcp(struct conv *c, int side, uint64_t ts_ns,
				uint8_t flags, uint32_t seq, uint32_t ack,
				const char *payload)
{
	struct ph_pkt p = conv_pkt(c, side, ts_ns, payload);
	p.tcp_flags = flags;
	p.seq = seq;
	p.ack = ack;
	return p;
}

/* Sends one packet through the table. */
static inline void feed(struct ph_flow_table *t, struct ph_pkt p)
{
	ph_flow_table_packet(t, &p);
}

static inline struct ph_flow_table *new_table(struct sink *s,
					      struct ph_anomalies *an,
					      uint32_t max_flows)
{
	struct ph_flow_config cfg;
	ph_flow_config_default(&cfg);
	if (max_flows)
		cfg.max_flows = max_flows;
	cfg.hash_seed[0] = 1;
	cfg.hash_seed[1] = 2;
	memset(s, 0, sizeof *s);
	if (an)
		memset(an, 0, sizeof *an);
	return ph_flow_table_new(&cfg, sink_fn, s, an);
}

/* The one FLOW_END record for connection number id (1-based). */
static inline const struct ph_conn *ended(const struct sink *s, uint64_t id)
{
	for (size_t i = 0; i < s->nend; i++)
		if (s->end[i].id == id)
			return &s->end[i];
	fail_msg("connection %llu did not end", (unsigned long long)id);
	return NULL;
}

#endif
