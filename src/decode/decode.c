/* Decode stage entry: the decoder handle (counters, fragment table owner),
 * per-frame initialisation of struct ph_pkt and the walk from link layer
 * to innermost transport. Each layer lives in its own file (link.c ipv4.c
 * ipv6.c frag.c l4.c tunnel.c pcapdroid.c); this file only starts the walk
 * and keeps the stats. No allocation per frame: the walk state is on the
 * stack and ph_pkt borrows frame memory (or the fragment buffer).
 * ph_pkt contract: every field is written on every call; fields below the
 * link layer are meaningful only for PH_DECODE_FLOW, outer* only when
 * has_outer_udp, src/dst_mac only when has_mac, app_* only when has_app. */
#include <stdlib.h>
#include <string.h>

#include "decode/decode_int.h"

struct ph_decoder *ph_decoder_new(struct ph_anomalies *anomalies)
{
	struct ph_decoder *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->an = anomalies;
	return d;
}

void ph_decoder_free(struct ph_decoder *d)
{
	if (!d)
		return;
	ph_frag_table_free(d->frag);
	free(d);
}

const struct ph_decode_stats *ph_decoder_stats(const struct ph_decoder *d)
{
	return &d->st;
}

void ph_decoder_expire(struct ph_decoder *d, uint64_t now_ns)
{
	ph_frag_expire(d, now_ns);
}

/* Writes every field of p: a handful of wide zero stores, no full memset
 * of the (padded) struct. */
static inline void pkt_init(struct ph_pkt *p, const struct ph_frame *f)
{
	static const struct ph_tuple zt;

	p->ts_ns = f->ts_ns;
	p->pkt_no = f->pkt_no;
	p->file_idx = f->file_idx;
	p->frame_len = f->wirelen;
	p->vlan[0] = p->vlan[1] = 0;
	p->nvlan = 0;
	memset(p->src_mac, 0, 6);
	memset(p->dst_mac, 0, 6);
	p->has_mac = false;
	p->t = zt;
	p->ip_len = 0;
	p->ttl = 0;
	p->ip_id = 0;
	p->reassembled = false;
	p->ip = NULL;
	p->ip_caplen = 0;
	p->l4 = NULL;
	p->l4_caplen = 0;
	p->payload = NULL;
	p->payload_len = 0;
	p->payload_wire = 0;
	p->tcp_flags = 0;
	p->seq = p->ack = 0;
	p->win = 0;
	p->icmp_type = p->icmp_code = 0;
	p->tunnel_depth = 0;
	p->has_outer_udp = false;
	p->outer = zt;
	p->outer_ip_len = 0;
	p->outer_payload_wire = 0;
	p->has_app = false;
	p->app_uid = 0;
	memset(p->app_name, 0, sizeof p->app_name);
}

ph_res ph_dec_ip(struct ph_dec *s, const uint8_t *b, uint32_t n)
{
	if (n == 0)
		return ph_dec_bad(s, PH_ANOM_IPV4_TRUNCATED);
	switch (b[0] >> 4) {
	case 4:
		return ph_dec_ipv4(s, b, n);
	case 6:
		return ph_dec_ipv6(s, b, n);
	default:
		return ph_dec_bad(s, PH_ANOM_IPV4_BAD_VERSION);
	}
}

static void count_result(struct ph_decoder *d, const struct ph_pkt *p,
			 ph_res r)
{
	switch (r) {
	case PH_DECODE_FLOW:
		d->st.ip_packets++;
		if (p->tunnel_depth)
			d->st.tunnelled++;
		break;
	case PH_DECODE_NOT_IP:
		d->st.not_ip++;
		break;
	case PH_DECODE_HELD: /* frags_held is counted by frag.c */
		break;
	case PH_DECODE_BAD:
		d->st.bad++;
		break;
	}
}

enum ph_decode_result ph_decode(struct ph_decoder *d, const struct ph_frame *f,
				struct ph_pkt *p)
{
	pkt_init(p, f);
	struct ph_dec s = {
		.d = d,
		.p = p,
		.an = d->an,
		.frame = f->data,
		.caplen = f->data ? f->caplen : 0,
		.wirelen = f->wirelen,
		.ts = f->ts_ns,
	};
	d->st.frames++;
	ph_res r = ph_dec_link(&s, f->linktype, s.frame, s.caplen);
	count_result(d, p, r);
	return r;
}
