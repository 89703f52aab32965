/* Zeek's TCP connection bookkeeping, re-implemented so that conn.log's
 * history, conn_state, orig_bytes/resp_bytes and close timing match Zeek
 * (packet_analysis/protocol/tcp/TCPSessionAdapter.cc, TCP_Endpoint.cc,
 * base/protocols/conn/main.zeek). Per endpoint: state, sequence space
 * (start/last/ack with wrap counts), history letters (S H A D F R once per
 * side, repeated when the SYN/FIN/RST sequence differs; T W G scaled 1, 10,
 * 100, ...; I Q; '^' on flips). Not modelled: bad checksums (C: we do not
 * verify checksums), window scaling (only zero windows matter), weirds,
 * close deferral while reassembly holds data. Timers: AttemptTimer,
 * ConnDeleteTimer and the ExpireTimer tick that ends "RST after own FIN". */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "flow/flow_int.h"

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10
#define TOO_LARGE_SEQ_DELTA 1048576

/* Everything one packet's processing needs (Zeek's Process() locals). */
struct tcp_pkt {
	struct ph_flow_table *t;
	struct ph_flow *f;
	const struct ph_pkt *p;
	int e;            /* tcp[] index of the sender */
	bool is_orig;     /* as classified on arrival: stale after a flip,
			     exactly like Zeek's local */
	uint8_t fl;
	uint32_t len;     /* payload length on the wire */
	bool flipped;
	bool do_close;
	bool gen_event;
};

static inline int32_t seq_delta(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

static inline bool has(const struct tcp_pkt *c, uint8_t bit)
{
	return (c->fl & bit) != 0;
}

static inline struct ph_tcp_ep *ep_of(struct tcp_pkt *c)
{
	return &c->f->tcp[c->e];
}

static inline struct ph_tcp_ep *peer_of(struct tcp_pkt *c)
{
	return &c->f->tcp[c->e ^ 1];
}

static inline bool ep_is_orig(const struct ph_flow *f, int e)
{
	return e == f->orig_ep;
}

static inline bool is_handshake(uint8_t st)
{
	return st == PH_TCP_INACTIVE || st == PH_TCP_SYN_SENT ||
	       st == PH_TCP_SYN_ACK_SENT;
}

void ph_tcp_init(struct ph_flow *f)
{
	for (int i = 0; i < 2; i++) {
		struct ph_tcp_ep *ep = &f->tcp[i];
		ep->rxmt.thresh = ep->win0.thresh = ep->gap.thresh = 1;
		ep->next = ep->trim = 1;
	}
}

/* TCP_Endpoint::SetState; leaving the handshake switches the flow from
 * the UDP inactivity timeout to the TCP one, as Zeek does. */
static void set_state(struct tcp_pkt *c, int e, uint8_t st)
{
	struct ph_tcp_ep *ep = &c->f->tcp[e], *peer = &c->f->tcp[e ^ 1];

	if (st == ep->state)
		return;
	if (!is_handshake(st) && is_handshake(ep->state) &&
	    is_handshake(peer->state) && c->f->lru == PH_LRU_TCP_HS)
		ph_flow_lru_move(c->t, c->f, PH_LRU_TCP);
	ep->prev_state = ep->state;
	ep->state = st;
}

/* Session::ScaledHistoryEntry with base 10 (uint32 arithmetic as Zeek). */
static void scaled(struct ph_flow *f, struct ph_scaled *s, char code)
{
	if (++s->cnt != s->thresh)
		return;
	ph_flow_add_history(f, code);
	uint32_t nt = s->thresh * 10u;
	if (nt <= s->thresh)
		s->cnt = 0;
	else
		s->thresh = nt;
}

static char side_code(const struct ph_flow *f, int e, char code)
{
	return ep_is_orig(f, e) ? code : (char)tolower((unsigned char)code);
}

void ph_flow_gap_history(struct ph_flow *f, int e)
{
	scaled(f, &f->tcp[e].gap, side_code(f, e, 'G'));
}

static uint64_t rel_seq(const struct ph_tcp_ep *ep, uint32_t cur,
			uint32_t last, uint32_t wraps, bool *underflow)
{
	int32_t delta = seq_delta(cur, last);

	if (delta < 0) {
		if (wraps && cur > last)
			--wraps;
	} else if (delta > 0) {
		if (cur < last)
			++wraps;
	}
	if (wraps == 0) {
		delta = seq_delta(cur, ep->start_seq);
		if (delta < 0)
			*underflow = true;
		return (uint64_t)(int64_t)delta;
	}
	return ((uint64_t)wraps << 32) + cur - ep->start_seq;
}

static void init_seq(struct ph_tcp_ep *ep, uint32_t start, uint32_t last)
{
	ep->start_seq = ep->ack_seq = start;
	ep->last_seq = last;
}

/* Zeek's init_endpoint: set up (or restart) the sequence space. */
static void init_endpoint(struct tcp_pkt *c, uint32_t base, uint32_t past)
{
	struct ph_tcp_ep *ep = ep_of(c);
	bool syn = has(c, TH_SYN);

	switch (ep->state) {
	case PH_TCP_INACTIVE:
		if (syn)
			init_seq(ep, base, past);
		else
			init_seq(ep, base - 1, base);
		break;
	case PH_TCP_SYN_SENT:
	case PH_TCP_SYN_ACK_SENT:
		if (syn && base != ep->start_seq)
			init_seq(ep, base, past);
		break;
	case PH_TCP_ESTABLISHED:
	case PH_TCP_PARTIAL:
		if (syn)
			init_seq(ep, base, past);
		break;
	case PH_TCP_RESET:
		if (syn && ep->prev_state == PH_TCP_INACTIVE)
			init_seq(ep, base, past);
		break;
	default:
		break;
	}
}

/* TCP_Endpoint::CheckHistory, including the "H then A/D" flip. */
static bool check_history(struct tcp_pkt *c, uint32_t mask, char code)
{
	struct ph_flow *f = c->f;

	if ((code == 'A' || code == 'D') && f->hlen == 1 &&
	    f->conn.history[0] == 'H') {
		ph_flow_flip(f);
		f->hlen = 0;
		ph_flow_add_history(f, '^');
		ph_flow_add_history(f, 'h');
		f->first_seen |= 1;
		c->flipped = !c->flipped;
	}
	if (!ep_is_orig(f, c->e))
		mask <<= 16;
	code = side_code(f, c->e, code);
	if (f->hist_seen & mask)
		return true;
	f->hist_seen |= mask;
	ph_flow_add_history(f, code);
	return false;
}

/* A SYN/FIN/RST letter repeats when its sequence number changed. */
static void repeat_letter(struct tcp_pkt *c, uint32_t mask, char code,
			  uint32_t *last, uint64_t seq)
{
	if (check_history(c, mask, code) && (uint32_t)seq != *last)
		ph_flow_add_history(c->f, side_code(c->f, c->e, code));
	*last = (uint32_t)seq;
}

static void update_history(struct tcp_pkt *c, uint64_t rel)
{
	struct ph_tcp_ep *ep = ep_of(c);
	int bits = has(c, TH_SYN) + has(c, TH_FIN) + has(c, TH_RST);

	if (bits > 1) {
		if (has(c, TH_FIN) && has(c, TH_RST))
			check_history(c, PH_HIST_FIN_RST, 'I');
		else
			check_history(c, PH_HIST_MULTI, 'Q');
	} else if (bits == 1) {
		if (has(c, TH_SYN))
			repeat_letter(c, PH_HIST_SYN,
				      has(c, TH_ACK) ? 'H' : 'S',
				      &ep->hist_last_syn, rel);
		if (has(c, TH_FIN))
			repeat_letter(c, PH_HIST_FIN, 'F', &ep->hist_last_fin,
				      rel + c->len);
		if (has(c, TH_RST))
			repeat_letter(c, PH_HIST_RST, 'R', &ep->hist_last_rst,
				      rel);
	} else if (c->len) {
		check_history(c, PH_HIST_DATA, 'D');
	} else if (has(c, TH_ACK)) {
		check_history(c, PH_HIST_ACK, 'A');
	}
}

static void update_last(struct ph_tcp_ep *ep, uint32_t seq)
{
	if (seq < ep->last_seq)
		++ep->seq_wraps;
	ep->last_seq = seq;
}

static void update_ack(struct ph_tcp_ep *ep, uint32_t ack)
{
	int32_t delta = seq_delta(ack, ep->ack_seq);

	if (ack == 0 && delta > TOO_LARGE_SEQ_DELTA)
		return;
	if (delta > 0) {
		if (ack < ep->ack_seq)
			++ep->ack_wraps;
		ep->ack_seq = ack;
	}
}

/* Zeek's update_last_seq: advances last_seq or marks a retransmission. */
static int32_t update_last_seq(struct tcp_pkt *c, uint32_t past)
{
	struct ph_tcp_ep *ep = ep_of(c);
	int32_t delta = seq_delta(past, ep->last_seq);

	if ((has(c, TH_SYN) || has(c, TH_RST)) &&
	    (delta > TOO_LARGE_SEQ_DELTA || delta < -TOO_LARGE_SEQ_DELTA))
		;
	else if (has(c, TH_FIN) && ep->last_seq == ep->start_seq + 1)
		update_last(ep, past);
	else if (ep->state == PH_TCP_RESET)
		;
	else if (delta > 0)
		update_last(ep, past);
	else if (c->len > 0)
		scaled(c->f, &ep->rxmt, side_code(c->f, c->e, 'T'));
	return delta;
}

/* The acknowledgement side of Process(): returns the relative ack. */
static uint64_t process_ack(struct tcp_pkt *c)
{
	struct ph_tcp_ep *peer = peer_of(c);
	uint32_t ack = c->p->ack;
	bool underflow = false;
	uint64_t rel;

	if (peer->state == PH_TCP_INACTIVE) {
		init_seq(peer, ack - 1, ack - 1);
		return 1;
	}
	rel = rel_seq(peer, ack, peer->ack_seq, peer->ack_wraps, &underflow);
	if (underflow)
		return 0;
	if (!has(c, TH_RST))
		update_ack(peer, ack);
	return rel;
}

/* UpdateInactiveState, the SYN part. */
static void inactive_syn(struct tcp_pkt *c)
{
	struct ph_flow *f = c->f;
	struct ph_tcp_ep *ep = ep_of(c), *peer = peer_of(c);

	if (c->is_orig) {
		set_state(c, c->e, has(c, TH_ACK) ? PH_TCP_SYN_ACK_SENT
						  : PH_TCP_SYN_SENT);
		if (f->tmr_kind == PH_TMR_NONE)
			ph_flow_timer_set(c->t, f, PH_TMR_ATTEMPT,
					  c->p->ts_ns + PH_TCP_ATTEMPT_NS);
		return;
	}
	if (!has(c, TH_ACK) && peer->state == PH_TCP_SYN_ACK_SENT &&
	    c->p->seq == ep->start_seq) {
		/* SYN/SYN-ACK reversal: the SYN-ACK came first. */
		ph_flow_flip(f);
		c->flipped = !c->flipped;
		set_state(c, c->e ^ 1, PH_TCP_ESTABLISHED);
		f->first_seen |= 1;
	}
	if (peer->state == PH_TCP_SYN_SENT)
		set_state(c, c->e ^ 1, PH_TCP_ESTABLISHED);
	set_state(c, c->e, PH_TCP_ESTABLISHED);
}

static void update_inactive(struct tcp_pkt *c)
{
	struct ph_tcp_ep *ep = ep_of(c), *peer = peer_of(c);

	if (has(c, TH_SYN))
		inactive_syn(c);
	if (has(c, TH_FIN)) {
		set_state(c, c->e, PH_TCP_CLOSED);
		c->do_close = c->gen_event = true;
	}
	if (has(c, TH_RST)) {
		bool reject = c->is_orig
			? peer->state == PH_TCP_ESTABLISHED
			: (peer->state == PH_TCP_SYN_SENT ||
			   peer->state == PH_TCP_SYN_ACK_SENT);
		set_state(c, c->e, PH_TCP_RESET);
		c->do_close = true;
		c->gen_event = !reject;
	}
	if (ep->state != PH_TCP_INACTIVE)
		return;
	if (!c->is_orig && c->len == 0 &&
	    ph_tcp_orig(c->f)->state == PH_TCP_SYN_SENT)
		return; /* an ACK of the SYN before the SYN-ACK */
	if (has(c, TH_ACK) && peer->state == PH_TCP_ESTABLISHED) {
		set_state(c, c->e, PH_TCP_ESTABLISHED);
		c->f->is_partial = false;
		c->f->first_seen |= c->is_orig ? 1 : 2;
	} else {
		set_state(c, c->e, PH_TCP_PARTIAL);
	}
}

static void update_established(struct tcp_pkt *c)
{
	struct ph_tcp_ep *ep = ep_of(c), *peer = peer_of(c);

	if (has(c, TH_SYN) && ep->state == PH_TCP_PARTIAL &&
	    peer->state == PH_TCP_INACTIVE && !has(c, TH_ACK))
		set_state(c, c->e, PH_TCP_SYN_SENT);
	if (has(c, TH_FIN) && !has(c, TH_RST)) {
		set_state(c, c->e, PH_TCP_CLOSED);
		if (peer->state == PH_TCP_RESET &&
		    peer->prev_state == PH_TCP_CLOSED)
			set_state(c, c->e ^ 1, PH_TCP_CLOSED);
		c->do_close = c->gen_event = true;
	}
	if (has(c, TH_RST)) {
		set_state(c, c->e, PH_TCP_RESET);
		c->do_close = true;
	}
}

static void update_state_machine(struct tcp_pkt *c)
{
	struct ph_tcp_ep *ep = ep_of(c);

	switch (ep->state) {
	case PH_TCP_INACTIVE:
		update_inactive(c);
		break;
	case PH_TCP_SYN_SENT:
	case PH_TCP_SYN_ACK_SENT:
		if (has(c, TH_FIN)) {
			set_state(c, c->e, PH_TCP_CLOSED);
			c->do_close = c->gen_event = true;
		}
		if (has(c, TH_RST)) {
			set_state(c, c->e, PH_TCP_RESET);
			c->do_close = true;
		}
		break;
	case PH_TCP_ESTABLISHED:
	case PH_TCP_PARTIAL:
		update_established(c);
		break;
	case PH_TCP_CLOSED:
		if (has(c, TH_RST) && peer_of(c)->state != PH_TCP_CLOSED) {
			set_state(c, c->e, PH_TCP_RESET);
			if (!ep->did_close)
				c->do_close = true;
		}
		break;
	default:
		break;
	}
}

/* TCPSessionAdapter::ConnectionClosed (without deferral). */
static void connection_closed(struct tcp_pkt *c)
{
	struct ph_tcp_ep *ep = ep_of(c), *peer = peer_of(c);

	if (ep->did_close)
		return;
	ep->did_close = true;
	if (ep->state == PH_TCP_RESET || peer->did_close ||
	    peer->state == PH_TCP_INACTIVE) {
		c->f->close_tick_ns = 0;
		ph_flow_timer_set(c->t, c->f, PH_TMR_CLOSE,
				  c->f->conn.last_ns + c->t->cfg.tcp_close_ns);
	} else if (ep->prev_state != PH_TCP_INACTIVE) {
		c->f->close_tick_ns = c->f->conn.last_ns +
				      PH_TCP_SESSION_TIMER_NS;
	}
}

/* Zeek's ExpireTimer removes a connection one side closed and some side
 * then reset, at the first tick of its timer chains (start + 5 s + k*6 s,
 * or the close's own chain) past last activity + linger. */
static void arm_expire(struct ph_flow *f, struct ph_flow_table *t)
{
	struct ph_tcp_ep *o = ph_tcp_orig(f), *r = ph_tcp_resp(f);
	uint64_t due, tick, best = UINT64_MAX;
	uint64_t chains[2] = { f->conn.start_ns + PH_TCP_SYN_TIMEOUT_NS,
			       f->close_tick_ns };

	if (f->tmr_kind == PH_TMR_CLOSE || !(o->did_close || r->did_close) ||
	    (o->state != PH_TCP_RESET && r->state != PH_TCP_RESET))
		return;
	due = f->conn.last_ns + PH_TCP_LINGER_NS;
	for (int i = 0; i < 2; i++) {
		if (chains[i] == 0)
			continue;
		tick = chains[i];
		if (tick <= due)
			tick += ((due - tick) / PH_TCP_SESSION_TIMER_NS + 1) *
				PH_TCP_SESSION_TIMER_NS;
		if (tick < best)
			best = tick;
	}
	ph_flow_timer_set(t, f, PH_TMR_EXPIRE, best);
}

/* Zeek's SetPartialStatus. */
static void set_partial(struct tcp_pkt *c)
{
	struct ph_flow *f = c->f;

	if (c->is_orig) {
		if (!(f->first_seen & 1))
			f->is_partial = !has(c, TH_SYN) || has(c, TH_ACK);
	} else if (!(f->first_seen & 2) && !f->is_partial) {
		f->is_partial = !has(c, TH_SYN);
	}
}

static void window_and_time(struct tcp_pkt *c)
{
	struct ph_flow *f = c->f;
	struct ph_tcp_ep *ep = ep_of(c), *peer = peer_of(c);

	if (c->p->win == 0 && !has(c, TH_RST) &&
	    peer->state != PH_TCP_CLOSED && ep->state != PH_TCP_RESET)
		scaled(f, &ep->win0, side_code(f, c->e, 'W'));
	if (!(f->tcp[0].did_close && f->tcp[1].did_close) &&
	    c->p->ts_ns > f->conn.last_ns) {
		f->conn.last_ns = c->p->ts_ns;
		ph_flow_touch(c->t, f);
	}
}

static void deliver_payload(struct tcp_pkt *c, uint64_t rel, bool underflow)
{
	const struct ph_pkt *p = c->p;

	if (c->len == 0 || has(c, TH_RST) || underflow ||
	    p->payload_len < c->len)
		return;
	ph_reasm_data(c->t, c->f, c->e, has(c, TH_SYN) ? rel + 1 : rel,
		      p->payload, c->len);
}

bool ph_tcp_packet(struct ph_flow_table *t, struct ph_flow *f,
		   const struct ph_pkt *p, bool is_orig)
{
	struct tcp_pkt c = { .t = t, .f = f, .p = p, .is_orig = is_orig,
			     .fl = p->tcp_flags, .len = p->payload_wire };
	bool underflow = false;
	uint32_t seg_len = c.len + has(&c, TH_SYN) + has(&c, TH_FIN);
	uint64_t rel, rel_ack = 0;

	c.e = is_orig ? f->orig_ep : f->orig_ep ^ 1;
	set_partial(&c);
	if (has(&c, TH_RST))
		seg_len -= c.len;
	init_endpoint(&c, p->seq, p->seq + seg_len);
	rel = rel_seq(ep_of(&c), p->seq, ep_of(&c)->last_seq,
		      ep_of(&c)->seq_wraps, &underflow);
	update_history(&c, rel);
	window_and_time(&c);
	if (has(&c, TH_FIN)) {
		ep_of(&c)->fin_seen = true;
		ep_of(&c)->fin_seq = rel + seg_len;
	}
	if (has(&c, TH_ACK))
		rel_ack = process_ack(&c);
	update_last_seq(&c, p->seq + seg_len);
	update_state_machine(&c);
	if (has(&c, TH_ACK))
		ph_reasm_ack(t, f, c.e ^ 1, rel_ack);
	f->first_seen |= c.is_orig ? 1 : 2;
	deliver_payload(&c, rel, underflow);
	if (c.do_close)
		connection_closed(&c);
	arm_expire(f, t);
	return c.flipped;
}

bool ph_tcp_is_reuse(const struct ph_flow *f, const struct ph_pkt *p)
{
	const struct ph_tcp_ep *o = &f->tcp[f->orig_ep];
	const struct ph_tcp_ep *r = &f->tcp[f->orig_ep ^ 1];
	const struct ph_tcp_ep *conn_orig = o;

	if (!(p->tcp_flags & TH_SYN))
		return false;
	if (p->tcp_flags & TH_ACK) {
		if (o->state != PH_TCP_INACTIVE)
			return false;
		conn_orig = r;
	}
	if (o->did_close || r->did_close)
		return true;
	if (p->seq == conn_orig->start_seq)
		return false;
	if (!(p->tcp_flags & TH_ACK) &&
	    conn_orig->state == PH_TCP_SYN_ACK_SENT &&
	    r->state == PH_TCP_INACTIVE && p->seq == r->start_seq)
		return false;
	return true;
}

bool ph_tcp_timer_fires(const struct ph_flow *f, enum ph_tmr kind)
{
	const struct ph_tcp_ep *o = &f->tcp[f->orig_ep];
	const struct ph_tcp_ep *r = &f->tcp[f->orig_ep ^ 1];

	if (kind == PH_TMR_ATTEMPT)
		return (o->state == PH_TCP_SYN_SENT ||
			o->state == PH_TCP_SYN_ACK_SENT) &&
		       r->state == PH_TCP_INACTIVE;
	return kind != PH_TMR_NONE;
}

/* TCP_Endpoint::Size: payload bytes from the sequence space. */
static uint64_t ep_size(const struct ph_tcp_ep *ep, const struct ph_tcp_ep *peer)
{
	uint64_t last = ((uint64_t)ep->seq_wraps << 32) + ep->last_seq;
	uint64_t ack = ((uint64_t)ep->ack_wraps << 32) + ep->ack_seq;
	uint64_t size;

	if (ep->prev_state == PH_TCP_SYN_SENT && ep->state == PH_TCP_RESET &&
	    peer->state == PH_TCP_INACTIVE && ack != ep->start_seq &&
	    ack != (uint64_t)ep->start_seq + 1)
		return 0;
	size = (last > ack ? last : ack) - ep->start_seq;
	if (size != 0)
		--size;
	if (ep->fin_seen && size != 0)
		--size;
	return size;
}

/* The RSTOS0 test of conn/main.zeek: history =~ /^\^?S[^HAFGIQ]*R.*$/. */
static bool history_rstos0(const char *h)
{
	if (*h == '^')
		h++;
	if (*h++ != 'S')
		return false;
	for (; *h; h++) {
		if (*h == 'R')
			return true;
		if (strchr("HAFGIQ", *h))
			return false;
	}
	return false;
}

static const char *tcp_conn_state(struct ph_flow *f, uint64_t osz,
				  uint64_t rsz)
{
	uint8_t os = ph_tcp_orig(f)->state, rs = ph_tcp_resp(f)->state;
	bool o_in = os == PH_TCP_INACTIVE || os == PH_TCP_PARTIAL;
	bool r_in = rs == PH_TCP_INACTIVE || rs == PH_TCP_PARTIAL;

	if (rs == PH_TCP_RESET) {
		if (os == PH_TCP_SYN_SENT || os == PH_TCP_SYN_ACK_SENT ||
		    (os == PH_TCP_RESET && osz == 0 && rsz == 0))
			return "REJ";
		return o_in ? "RSTRH" : "RSTR";
	}
	if (os == PH_TCP_RESET) {
		if (r_in)
			return history_rstos0(f->conn.history) ? "RSTOS0"
							       : "OTH";
		return "RSTO";
	}
	if (rs == PH_TCP_CLOSED && os == PH_TCP_CLOSED)
		return "SF";
	if (os == PH_TCP_CLOSED)
		return r_in ? "SH" : "S2";
	if (rs == PH_TCP_CLOSED)
		return o_in ? "SHR" : "S3";
	if (os == PH_TCP_SYN_SENT && rs == PH_TCP_INACTIVE)
		return "S0";
	if (os == PH_TCP_ESTABLISHED && rs == PH_TCP_ESTABLISHED)
		return "S1";
	return "OTH";
}

void ph_flow_finish_conn(struct ph_flow *f)
{
	struct ph_conn *c = &f->conn;
	const char *st = "OTH";

	if (c->proto == 6) {
		struct ph_tcp_ep *o = ph_tcp_orig(f), *r = ph_tcp_resp(f);
		c->dir[0].bytes = ep_size(o, r);
		c->dir[1].bytes = ep_size(r, o);
		st = tcp_conn_state(f, c->dir[0].bytes, c->dir[1].bytes);
	} else if (c->proto == 17) {
		if (f->active[0])
			st = f->active[1] ? "SF" : "S0";
		else
			st = f->active[1] ? "SHR" : "OTH";
	}
	size_t n = strnlen(st, sizeof c->conn_state - 1);
	memcpy(c->conn_state, st, n); /* not snprintf: once per flow */
	c->conn_state[n] = '\0';
}
