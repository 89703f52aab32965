/* IPv6 header and extension chain (RFC 8200): hop-by-hop, routing,
 * destination options, fragment, AH (RFC 4302), mobility, HIP, shim6,
 * experimental 253/254; at most PH_DEC_MAX_EXT headers (IPV6_EXT_TOO_MANY),
 * each checked against the captured bytes (IPV6_EXT_TRUNCATED). ESP and
 * "no next header" end the chain as portless packets (l4.c).
 * Payload length 0 (jumbogram or TSO) uses the captured length and counts
 * IP_LEN_ZERO; a payload length beyond the capture is a snaplen cut
 * (SNAPLEN_CUT, or IPV6_BAD_PAYLEN when the frame was not cut).
 * Fragments go to frag.c (a cut first fragment is walked as it is, see
 * ipv4.c); atomic fragments (offset 0, M=0; RFC 6946) are
 * skipped like any extension header. A reassembled datagram is the fixed
 * header + fragmentable part: the unfragmentable extension headers are
 * dropped, so ip_len = 40 + fragmentable length. The tuple uses the
 * header's destination even when a routing header is present (as tshark). */
#include <string.h>

#include "decode/decode_int.h"

static ph_res chain_from(struct ph_dec *s, const uint8_t *b, uint8_t nh,
			 uint32_t off, uint32_t avail, uint32_t tot);

static ph_res ipv6_frag(struct ph_dec *s, const uint8_t *b, uint32_t off,
			uint32_t avail, uint32_t tot)
{
	const uint8_t *fh = b + off;
	uint16_t fo = ph_be16(fh + 2);
	if (avail < tot) { /* cut: cannot be reassembled (see ipv4.c) */
		if (fo & 0xfff8u)
			return PH_DECODE_BAD; /* cut counted */
		s->frag_head = true;
		return chain_from(s, b, fh[0], off + 8, avail, tot);
	}
	struct ph_frag_in in = {
		.src = b + 8,
		.dst = b + 24,
		.id = ph_be32(fh + 4),
		.ver = 6,
		.proto = fh[0],
		.more = (fo & 1) != 0,
		.off = fo & 0xfff8u,
		.hdr = b,
		.hdrlen = 40,
		.data = fh + 8,
		.len = tot - off - 8,
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
	return chain_from(s, rb, rb[6], 40, rlen, rlen);
}

static bool is_ext(uint8_t nh)
{
	switch (nh) {
	case 0:   /* hop-by-hop */
	case 43:  /* routing */
	case 44:  /* fragment */
	case 51:  /* AH */
	case 60:  /* destination options */
	case 135: /* mobility */
	case 139: /* HIP */
	case 140: /* shim6 */
	case 253:
	case 254:
		return true;
	default:
		return false;
	}
}

/* Walks the extension headers of the datagram b (avail captured bytes,
 * tot per its length field, off <= avail <= tot) from header nh at off to
 * the transport header. */
static ph_res chain_from(struct ph_dec *s, const uint8_t *b, uint8_t nh,
			 uint32_t off, uint32_t avail, uint32_t tot)
{
	for (unsigned i = 0; is_ext(nh); i++) {
		if (i >= PH_DEC_MAX_EXT)
			return ph_dec_bad(s, PH_ANOM_IPV6_EXT_TOO_MANY);
		if (avail - off < 8)
			return ph_dec_bad(s, PH_ANOM_IPV6_EXT_TRUNCATED);
		uint32_t el;
		if (nh == 44) {
			if (ph_be16(b + off + 2) & 0xfff9u)
				return ipv6_frag(s, b, off, avail, tot);
			el = 8; /* atomic fragment */
		} else if (nh == 51) {
			el = (b[off + 1] + 2u) * 4u;
		} else {
			el = (b[off + 1] + 1u) * 8u;
		}
		if (el > avail - off)
			return ph_dec_bad(s, PH_ANOM_IPV6_EXT_TRUNCATED);
		nh = b[off];
		off += el;
	}
	return ph_dec_l4(s, nh, b + off, avail - off, tot - off);
}

static inline void set_tuple6(struct ph_pkt *p, const uint8_t *b)
{
	memcpy(p->t.src, b + 8, 16);
	memcpy(p->t.dst, b + 24, 16);
	p->t.sport = p->t.dport = 0;
	p->t.proto = b[6];
	p->t.ipver = 6;
	p->ttl = b[7];
	p->ip_id = 0;
}

ph_res ph_dec_ipv6(struct ph_dec *s, const uint8_t *b, uint32_t n)
{
	if (n < 40)
		return ph_dec_bad(s, PH_ANOM_IPV6_TRUNCATED);
	if ((b[0] >> 4) != 6)
		return ph_dec_bad(s, PH_ANOM_IPV4_BAD_VERSION);
	uint32_t tot = 40u + ph_be16(b + 4);
	if (tot == 40 && b[6] != 59) {
		ph_anomaly_count(s->an, PH_ANOM_IP_LEN_ZERO);
		tot = n;
	}
	if (!s->ip_seen) {
		s->ip_seen = true;
		if (ph_dec_trailer_room(s, tot, n)) {
			n = ph_dec_trailer_fit(s, b, tot, n);
			if (n < 40)
				return ph_dec_bad(s, PH_ANOM_IPV6_TRUNCATED);
		}
	}
	uint32_t avail = tot;
	if (tot > n) {
		ph_dec_short(s, PH_ANOM_IPV6_BAD_PAYLEN);
		avail = n;
	}
	struct ph_pkt *p = s->p;
	set_tuple6(p, b);
	p->ip_len = tot;
	p->ip = b;
	p->ip_caplen = avail;
	return chain_from(s, b, b[6], 40, avail, tot);
}
