/* Transport headers: TCP (RFC 9293), UDP (RFC 768), ICMP/ICMPv6 (RFC 792,
 * RFC 4443), IPv4 AH (RFC 4302), ports of SCTP/DCCP/UDP-Lite, and the
 * hand-off of GRE, IP-in-IP and UDP tunnel ports to tunnel.c.
 * Policy: the tuple needs the whole fixed header, so a TCP header shorter
 * than 20 captured bytes (or a data offset < 5 or past the IP payload) is
 * BAD. TCP options are not parsed. A UDP length that disagrees with the IP
 * payload counts UDP_BAD_LEN but the packet stays a flow: payload_wire is
 * the UDP length when it is smaller (rest is IP padding), else the IP
 * payload. ICMP: sport = type, dport = code (Zeek), 8-byte header; error
 * messages are flows of their own (the quoted header is payload).
 * Other protocols are portless flows and count L4_OTHER. */
#include "decode/decode_int.h"

void ph_dec_l4_other(struct ph_dec *s, uint8_t proto, const uint8_t *b,
		     uint32_t cap, uint32_t wire)
{
	struct ph_pkt *p = s->p;
	p->t.proto = proto;
	p->t.sport = p->t.dport = 0;
	p->l4 = b;
	p->l4_caplen = cap;
	p->payload = b;
	p->payload_len = cap;
	p->payload_wire = wire;
}

static ph_res tcp(struct ph_dec *s, const uint8_t *b, uint32_t cap,
		  uint32_t wire)
{
	if (cap < 20 || wire < 20)
		return ph_dec_bad(s, PH_ANOM_TCP_TRUNCATED);
	uint32_t doff = (uint32_t)(b[12] >> 4) * 4u;
	if (doff < 20 || doff > wire)
		return ph_dec_bad(s, PH_ANOM_TCP_BAD_OFFSET);
	struct ph_pkt *p = s->p;
	p->t.sport = ph_be16(b);
	p->t.dport = ph_be16(b + 2);
	p->seq = ph_be32(b + 4);
	p->ack = ph_be32(b + 8);
	p->tcp_flags = b[13];
	p->win = ph_be16(b + 14);
	p->l4 = b;
	p->l4_caplen = cap;
	uint32_t h = doff < cap ? doff : cap;
	p->payload = b + h;
	p->payload_len = cap - h;
	p->payload_wire = wire - doff;
	return PH_DECODE_FLOW;
}

static ph_res udp(struct ph_dec *s, const uint8_t *b, uint32_t cap,
		  uint32_t wire)
{
	if (cap < 8 || wire < 8)
		return ph_dec_bad(s, PH_ANOM_UDP_TRUNCATED);
	uint32_t ulen = ph_be16(b + 4), pw = wire - 8;
	if (ulen != wire) {
		if (s->frag_head && ulen > wire) /* datagram's true length */
			pw = ulen - 8;
		else
			ph_anomaly_count(s->an, PH_ANOM_UDP_BAD_LEN);
		if (ulen >= 8 && ulen < wire)
			pw = ulen - 8;
	}
	struct ph_pkt *p = s->p;
	uint16_t sport = ph_be16(b), dport = ph_be16(b + 2);
	p->t.sport = sport;
	p->t.dport = dport;
	p->l4 = b;
	p->l4_caplen = cap;
	p->payload = b + 8;
	p->payload_len = cap - 8 < pw ? cap - 8 : pw;
	p->payload_wire = pw;
	if (ph_dec_udp_tunnel_port(sport, dport))
		return ph_dec_udp_tunnel(s, p->payload, p->payload_len);
	return PH_DECODE_FLOW;
}

static ph_res icmp(struct ph_dec *s, const uint8_t *b, uint32_t cap,
		   uint32_t wire)
{
	if (cap < 4 || wire < 4)
		return ph_dec_bad(s, PH_ANOM_ICMP_TRUNCATED);
	struct ph_pkt *p = s->p;
	p->icmp_type = b[0];
	p->icmp_code = b[1];
	p->t.sport = b[0];
	p->t.dport = b[1];
	uint32_t h = wire < 8 ? wire : 8;
	uint32_t hc = cap < h ? cap : h;
	p->l4 = b;
	p->l4_caplen = cap;
	p->payload = b + hc;
	p->payload_len = cap - hc;
	p->payload_wire = wire - h;
	return PH_DECODE_FLOW;
}

/* AH over IPv4 (over IPv6 it is part of the extension chain). */
static ph_res ah(struct ph_dec *s, const uint8_t *b, uint32_t cap,
		 uint32_t wire)
{
	uint32_t off = 0;
	uint8_t nh = 51;
	for (unsigned i = 0; nh == 51; i++) {
		if (i >= PH_DEC_MAX_EXT)
			return ph_dec_bad(s, PH_ANOM_IPV6_EXT_TOO_MANY);
		if (cap - off < 8)
			return ph_dec_bad(s, PH_ANOM_AH_TRUNCATED);
		uint32_t el = (b[off + 1] + 2u) * 4u;
		if (el > cap - off)
			return ph_dec_bad(s, PH_ANOM_AH_TRUNCATED);
		nh = b[off];
		off += el;
	}
	return ph_dec_l4(s, nh, b + off, cap - off, wire - off);
}

/* SCTP, DCCP, UDP-Lite: ports in the first 4 bytes, header not parsed. */
static ph_res ports_only(struct ph_dec *s, uint8_t proto, const uint8_t *b,
			 uint32_t cap, uint32_t wire)
{
	ph_dec_l4_other(s, proto, b, cap, wire);
	if (cap >= 4) {
		s->p->t.sport = ph_be16(b);
		s->p->t.dport = ph_be16(b + 2);
	}
	return PH_DECODE_FLOW;
}

ph_res ph_dec_l4(struct ph_dec *s, uint8_t proto, const uint8_t *b,
		 uint32_t cap, uint32_t wire)
{
	s->p->t.proto = proto;
	switch (proto) {
	case 6:
		return tcp(s, b, cap, wire);
	case 17:
		return udp(s, b, cap, wire);
	case 1:
	case 58:
		return icmp(s, b, cap, wire);
	case 4:
	case 41:
		ph_dec_l4_other(s, proto, b, cap, wire);
		return ph_dec_ipip(s, proto, b, cap);
	case 47:
		ph_dec_l4_other(s, proto, b, cap, wire);
		return ph_dec_gre(s, b, cap);
	case 51:
		return ah(s, b, cap, wire);
	case 33:
	case 132:
	case 136:
		return ports_only(s, proto, b, cap, wire);
	default:
		ph_anomaly_count(s->an, PH_ANOM_L4_OTHER);
		ph_dec_l4_other(s, proto, b, cap, wire);
		return PH_DECODE_FLOW;
	}
}
