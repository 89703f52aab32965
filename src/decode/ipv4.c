/* IPv4 header (RFC 791): version, IHL, total length, options and
 * fragments, then the transport layer (l4.c).
 * Length policy: bytes after the total length (Ethernet padding, trailers)
 * are ignored; a total length beyond the captured bytes is a snaplen cut
 * (SNAPLEN_CUT; IPV4_BAD_TOTLEN when the frame was not cut, i.e. the
 * header lies), decoded with what we have; total length < IHL*4 is BAD;
 * total length 0 (TSO offload on the capturing host) uses the captured
 * length and counts IP_LEN_ZERO.
 * Options are walked only to count IPV4_BAD_OPTIONS: the addresses and
 * protocol are intact, so the packet still decodes as a flow.
 * Fragments go to frag.c. A fragment cut by the snaplen cannot be
 * reassembled: a first fragment is returned as it is (a flow packet,
 * reassembled = false, the UDP length trusted for payload_wire), a later
 * one is BAD (cut counted). Checksums are not verified. */
#include <string.h>

#include "decode/decode_int.h"

/* RFC 791 option list: EOL, NOP, or type-length-value. */
static bool options_ok(const uint8_t *o, uint32_t n)
{
	uint32_t i = 0;
	while (i < n) {
		if (o[i] == 0) /* end of option list */
			return true;
		if (o[i] == 1) { /* no-operation */
			i++;
			continue;
		}
		if (n - i < 2 || o[i + 1] < 2 || o[i + 1] > n - i)
			return false;
		i += o[i + 1];
	}
	return true;
}

static ph_res ipv4_frag(struct ph_dec *s, const uint8_t *b, uint32_t hl,
			uint32_t tot, uint32_t avail)
{
	uint16_t fo = ph_be16(b + 6);
	if (avail < tot) { /* cut: cannot be reassembled */
		if (fo & 0x1fff)
			return PH_DECODE_BAD; /* cut counted */
		s->frag_head = true;
		return ph_dec_l4(s, b[9], b + hl, avail - hl, tot - hl);
	}
	struct ph_frag_in in = {
		.src = b + 12,
		.dst = b + 16,
		.id = ph_be16(b + 4),
		.ver = 4,
		.proto = b[9],
		.more = (fo & 0x2000) != 0,
		.off = (uint32_t)(fo & 0x1fff) * 8,
		.hdr = b,
		.hdrlen = hl,
		.data = b + hl,
		.len = tot - hl,
	};
	const uint8_t *rb = NULL;
	uint32_t rlen = 0;
	ph_res r = ph_frag_add(s, &in, &rb, &rlen);
	if (r != PH_DECODE_FLOW)
		return r;
	s->p->reassembled = true;
	s->p->ip_len = rlen;
	s->p->ip = rb;
	s->p->ip_caplen = rlen;
	return ph_dec_l4(s, b[9], rb + hl, rlen - hl, rlen - hl);
}

static inline void set_tuple4(struct ph_pkt *p, const uint8_t *b)
{
	memcpy(p->t.src, b + 12, 4);
	memset(p->t.src + 4, 0, 12);
	memcpy(p->t.dst, b + 16, 4);
	memset(p->t.dst + 4, 0, 12);
	p->t.sport = p->t.dport = 0;
	p->t.proto = b[9];
	p->t.ipver = 4;
	p->ttl = b[8];
	p->ip_id = ph_be16(b + 4);
}

ph_res ph_dec_ipv4(struct ph_dec *s, const uint8_t *b, uint32_t n)
{
	if (n < 20)
		return ph_dec_bad(s, PH_ANOM_IPV4_TRUNCATED);
	if ((b[0] >> 4) != 4)
		return ph_dec_bad(s, PH_ANOM_IPV4_BAD_VERSION);
	uint32_t hl = (b[0] & 0x0fu) * 4u;
	if (hl < 20)
		return ph_dec_bad(s, PH_ANOM_IPV4_BAD_IHL);
	if (hl > n)
		return ph_dec_bad(s, PH_ANOM_IPV4_TRUNCATED);
	uint32_t tot = ph_be16(b + 2);
	if (tot == 0) {
		ph_anomaly_count(s->an, PH_ANOM_IP_LEN_ZERO);
		tot = n > 65535 ? 65535 : n;
	} else if (tot < hl) {
		return ph_dec_bad(s, PH_ANOM_IPV4_BAD_TOTLEN);
	}
	if (!s->ip_seen) {
		s->ip_seen = true;
		if (ph_dec_trailer_room(s, tot, n)) {
			n = ph_dec_trailer_fit(s, b, tot, n);
			if (hl > n)
				return ph_dec_bad(s, PH_ANOM_IPV4_TRUNCATED);
		}
	}
	uint32_t avail = tot;
	if (tot > n) {
		ph_dec_short(s, PH_ANOM_IPV4_BAD_TOTLEN);
		avail = n;
	}
	if (hl > 20 && !options_ok(b + 20, hl - 20))
		ph_anomaly_count(s->an, PH_ANOM_IPV4_BAD_OPTIONS);
	struct ph_pkt *p = s->p;
	set_tuple4(p, b);
	p->ip_len = tot;
	p->ip = b;
	p->ip_caplen = avail;
	if (ph_be16(b + 6) & 0x3fff) /* MF or offset */
		return ipv4_frag(s, b, hl, tot, avail);
	return ph_dec_l4(s, b[9], b + hl, avail - hl, tot - hl);
}
