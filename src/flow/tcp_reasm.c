/* Bounded in-order TCP reassembly, one per endpoint, in Zeek's relative
 * sequence space (first data byte = 1; stream offset = seq - 1). The next
 * expected segment is handed on zero-copy as PH_EV_STREAM; out-of-order
 * segments are copied into a sorted list, capped per direction
 * (cfg.reasm_dir_max) and for the table (cfg.reasm_total_max). Overlaps:
 * first data wins (as Zeek's DataBlockList); bytes that differ from held
 * data count REASM_OVERLAP_CONFLICT (delivered bytes are not kept, so a
 * retransmission of them is dropped unchecked). Gaps follow Zeek: when the
 * peer acknowledges bytes never seen, they are skipped (PH_EV_GAP) and, for
 * established connections, added to missed_bytes with a 'G' history
 * letter. A full hold buffer skips ahead too (REASM_OVERFLOW; counted in
 * missed_bytes, no 'G'); holes left at flow end are reported as PH_EV_GAP
 * only (Zeek does not count those). Without cfg.reassemble only ranges are
 * kept, so missed_bytes stays right and no STREAM/GAP events are sent. */
#include <stdlib.h>
#include <string.h>

#include "flow/flow_int.h"

static enum ph_dir dir_of(const struct ph_flow *f, int e)
{
	return e == f->orig_ep ? PH_DIR_ORIG : PH_DIR_RESP;
}

static void deliver(struct ph_flow_table *t, struct ph_flow *f, int e,
		    uint64_t seq, const uint8_t *data, uint64_t len)
{
	struct ph_event ev;

	if (!t->cfg.reassemble || len == 0)
		return;
	ph_flow_event_init(t, f, PH_EV_STREAM, dir_of(f, e), &ev);
	ev.u.stream.data = data;
	ev.u.stream.len = (uint32_t)len;
	ev.u.stream.offset = seq - 1;
	t->emit(t->user, &ev);
}

/* Bytes [seq, seq+len) will never be delivered. */
static void gap(struct ph_flow_table *t, struct ph_flow *f, int e,
		uint64_t seq, uint64_t len, bool missed)
{
	struct ph_event ev;

	ph_anomaly_count(t->anom, PH_ANOM_REASM_GAP);
	if (missed)
		f->conn.dir[dir_of(f, e)].missed_bytes += len;
	if (!t->cfg.reassemble)
		return;
	ph_flow_event_init(t, f, PH_EV_GAP, dir_of(f, e), &ev);
	ev.u.gap.offset = seq - 1;
	ev.u.gap.len = len;
	t->emit(t->user, &ev);
}

static uint32_t seg_cost(const struct ph_flow_table *t, uint32_t len)
{
	return (uint32_t)sizeof(struct ph_seg) + (t->cfg.reassemble ? len : 0);
}

/* Held bytes from relative seq `at` on (none kept in ranges-only mode). */
static const uint8_t *seg_data(const struct ph_flow_table *t,
			       const struct ph_seg *s, uint64_t at)
{
	return t->cfg.reassemble ? s->data + (at - s->seq) : NULL;
}

static void pop_held(struct ph_flow_table *t, struct ph_tcp_ep *ep)
{
	struct ph_seg *s = ep->held;
	uint32_t cost = seg_cost(t, s->len);

	ep->held = s->next;
	ep->held_cost -= cost;
	t->reasm_held -= cost;
	t->st.reasm_bytes_held = t->reasm_held;
	free(s);
}

/* Delivers held segments that now start at or below ep->next. */
static void drain(struct ph_flow_table *t, struct ph_flow *f, int e)
{
	struct ph_tcp_ep *ep = &f->tcp[e];
	struct ph_seg *s;

	while ((s = ep->held) && s->seq <= ep->next) {
		uint64_t upper = s->seq + s->len;
		if (upper > ep->next) {
			deliver(t, f, e, ep->next, seg_data(t, s, ep->next),
				upper - ep->next);
			ep->next = upper;
		}
		pop_held(t, ep);
	}
}

static void check_overlap(struct ph_flow_table *t, const uint8_t *a,
			  const uint8_t *b, uint64_t n)
{
	if (t->cfg.reassemble && n && memcmp(a, b, n) != 0)
		ph_anomaly_count(t->anom, PH_ANOM_REASM_OVERLAP_CONFLICT);
}

/* The segment starts at ep->next: deliver it, letting held data win
 * where the two overlap. */
static void deliver_in_order(struct ph_flow_table *t, struct ph_flow *f,
			     int e, uint64_t seq, const uint8_t *data,
			     uint64_t len)
{
	struct ph_tcp_ep *ep = &f->tcp[e];
	uint64_t cur = seq, end = seq + len;

	while (cur < end) {
		struct ph_seg *h = ep->held;
		if (h && h->seq <= cur) {
			uint64_t hu = h->seq + h->len;
			if (hu > cur) {
				uint64_t n = (hu < end ? hu : end) - cur;
				const uint8_t *hd = seg_data(t, h, cur);
				check_overlap(t, data + (cur - seq), hd, n);
				deliver(t, f, e, cur, hd, hu - cur);
				cur = hu;
			}
			pop_held(t, ep);
			continue;
		}
		uint64_t stop = h && h->seq < end ? h->seq : end;
		deliver(t, f, e, cur, data + (cur - seq), stop - cur);
		cur = stop;
	}
	ep->next = cur;
	drain(t, f, e);
}

/* Zeek's Undelivered: skip to up_to, delivering held data on the way. */
static void advance_to(struct ph_flow_table *t, struct ph_flow *f, int e,
		       uint64_t up_to, bool missed, bool hist)
{
	struct ph_tcp_ep *ep = &f->tcp[e];
	struct ph_seg *s;

	while ((s = ep->held) && s->seq < up_to) {
		if (s->seq > ep->next) {
			if (hist)
				ph_flow_gap_history(f, e);
			gap(t, f, e, ep->next, s->seq - ep->next, missed);
			ep->next = s->seq;
		}
		drain(t, f, e);
	}
	if (up_to > ep->next) {
		if (hist)
			ph_flow_gap_history(f, e);
		gap(t, f, e, ep->next, up_to - ep->next, missed);
		ep->next = up_to;
	}
	drain(t, f, e);
}

static struct ph_seg *new_seg(struct ph_flow_table *t, struct ph_tcp_ep *ep,
			      uint64_t seq, const uint8_t *data, uint32_t len)
{
	uint32_t cost = seg_cost(t, len);
	struct ph_seg *s = malloc(cost);

	if (!s)
		return NULL;
	s->next = NULL;
	s->seq = seq;
	s->len = len;
	if (t->cfg.reassemble)
		memcpy(s->data, data, len);
	ep->held_cost += cost;
	t->reasm_held += cost;
	t->st.reasm_bytes_held = t->reasm_held;
	if (t->reasm_held > t->st.reasm_peak_bytes_held)
		t->st.reasm_peak_bytes_held = t->reasm_held;
	return s;
}

/* Inserts the parts of [seq, seq+len) no held segment covers. Returns
 * false when memory ran out (the caller then skips ahead). */
static bool hold(struct ph_flow_table *t, struct ph_tcp_ep *ep,
		 uint64_t seq, const uint8_t *data, uint64_t len)
{
	struct ph_seg **link = &ep->held;
	uint64_t cur = seq, end = seq + len;

	while (cur < end) {
		struct ph_seg *h = *link;
		if (h && h->seq + h->len <= cur) {
			link = &h->next;
			continue;
		}
		if (h && h->seq <= cur) {
			uint64_t ce = h->seq + h->len < end ? h->seq + h->len
							    : end;
			check_overlap(t, data + (cur - seq),
				      seg_data(t, h, cur), ce - cur);
			cur = ce;
			continue;
		}
		uint64_t stop = h && h->seq < end ? h->seq : end;
		struct ph_seg *s = new_seg(t, ep, cur, data + (cur - seq),
					   (uint32_t)(stop - cur));
		if (!s)
			return false;
		s->next = h;
		*link = s;
		link = &s->next;
		cur = stop;
	}
	return true;
}

static bool fits(const struct ph_flow_table *t, const struct ph_tcp_ep *ep,
		 uint64_t len)
{
	uint64_t cost = seg_cost(t, (uint32_t)len);
	return ep->held_cost + cost <= t->cfg.reasm_dir_max &&
	       t->reasm_held + cost <= t->cfg.reasm_total_max;
}

void ph_reasm_data(struct ph_flow_table *t, struct ph_flow *f, int e,
		   uint64_t seq, const uint8_t *data, uint32_t len32)
{
	struct ph_tcp_ep *ep = &f->tcp[e];
	uint64_t len = len32, low = ep->next > ep->trim ? ep->next : ep->trim;

	if (seq + len <= low)
		return; /* all old: a retransmission */
	if (seq < low) {
		data += low - seq;
		len -= low - seq;
		seq = low;
	}
	if (seq > ep->next) {
		if (fits(t, ep, len) && hold(t, ep, seq, data, len))
			return;
		ph_anomaly_count(t->anom, PH_ANOM_REASM_OVERFLOW);
		advance_to(t, f, e, seq, true, false);
		if (seq + len <= ep->next)
			return;
		if (seq < ep->next) {
			data += ep->next - seq;
			len -= ep->next - seq;
			seq = ep->next;
		}
	}
	if (seq == ep->next && !ep->held) {
		deliver(t, f, e, seq, data, len); /* the common case */
		ep->next = seq + len;
		return;
	}
	deliver_in_order(t, f, e, seq, data, len);
}

static bool is_clean(const struct ph_tcp_ep *ep)
{
	return ep->state == PH_TCP_ESTABLISHED ||
	       (ep->state == PH_TCP_CLOSED &&
		ep->prev_state == PH_TCP_ESTABLISHED);
}

void ph_reasm_ack(struct ph_flow_table *t, struct ph_flow *f, int e,
		  uint64_t ack)
{
	struct ph_tcp_ep *ep = &f->tcp[e];

	if (ep->fin_seen && ack >= ep->fin_seq)
		ack = ep->fin_seq - 1;
	if (ack <= ep->trim)
		return;
	if (ack > ep->next && !(ack <= 2 && f->is_partial)) {
		bool clean = is_clean(ep) && is_clean(&f->tcp[e ^ 1]);
		advance_to(t, f, e, ack, clean, clean);
	}
	ep->trim = ack;
}

void ph_reasm_finish(struct ph_flow_table *t, struct ph_flow *f)
{
	for (int i = 0; i < 2; i++) {
		int e = i == 0 ? f->orig_ep : f->orig_ep ^ 1;
		struct ph_tcp_ep *ep = &f->tcp[e];
		struct ph_seg *s = ep->held;
		if (!s)
			continue;
		while (s->next)
			s = s->next;
		advance_to(t, f, e, s->seq + s->len, false, false);
	}
}
