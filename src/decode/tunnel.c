/* Tunnels: GRE (RFC 2784/2890: checksum, key, sequence; PPTP's enhanced
 * GRE v1, RFC 2637) carrying IPv4, IPv6, Ethernet (0x6558), PPP, MPLS or
 * ERSPAN I/II/III; IP-in-IP (4in4, 6in4, 4in6, 6in6); VXLAN (RFC 7348,
 * UDP 4789); GTP-U (3GPP TS 29.281, UDP 2152, extension headers) and
 * Teredo (RFC 4380, UDP 3544, matched only when the IPv6 length fits).
 * At most PH_DECODE_MAX_TUNNELS are entered (TUNNEL_TOO_DEEP: the packet
 * at that depth is the flow). UDP tunnels record the outermost tunnel's
 * UDP tuple in p->outer (has_outer_udp) so both flows are accounted.
 * When the inner packet is not a decodable IP packet (bad, not IP), the
 * tunnel packet itself is returned as the flow, unchanged; an inner
 * fragment held for reassembly makes a UDP tunnel packet a flow of its
 * own (the outer UDP flow), and a GRE/IP-in-IP packet HELD. */
#include "decode/decode_int.h"

enum inner { IN_NONE, IN_ETH, IN_IP };

static bool tunnel_enter(struct ph_dec *s)
{
	if (s->depth >= PH_DECODE_MAX_TUNNELS) {
		ph_anomaly_count(s->an, PH_ANOM_TUNNEL_TOO_DEEP);
		return false;
	}
	s->depth++;
	s->p->tunnel_depth = s->depth;
	return true;
}

/* saved: the tunnel packet as it was before descending. */
static ph_res tunnel_leave(struct ph_dec *s, const struct ph_pkt *saved,
			   ph_res r, bool udp)
{
	if (r == PH_DECODE_FLOW || (r == PH_DECODE_HELD && !udp))
		return r;
	*s->p = *saved;
	return PH_DECODE_FLOW;
}

ph_res ph_dec_ipip(struct ph_dec *s, uint8_t proto, const uint8_t *b,
		   uint32_t cap)
{
	struct ph_pkt saved = *s->p;
	if (!tunnel_enter(s))
		return PH_DECODE_FLOW;
	ph_res r = proto == 4 ? ph_dec_ipv4(s, b, cap) : ph_dec_ipv6(s, b, cap);
	return tunnel_leave(s, &saved, r, false);
}

/* GRE header: false (anomaly counted) when it cannot be walked. */
static bool gre_header(struct ph_dec *s, const uint8_t *b, uint32_t cap,
		       uint32_t *off, uint16_t *flags)
{
	if (cap < 4) {
		ph_anomaly_count(s->an, PH_ANOM_TUNNEL_TRUNCATED);
		return false;
	}
	uint16_t fl = ph_be16(b);
	uint32_t o = 4;
	if ((fl & 7) == 0 && !(fl & 0x4000)) { /* v0 without routing */
		o += (fl & 0x8000) ? 4 : 0;
		o += (fl & 0x2000) ? 4 : 0;
		o += (fl & 0x1000) ? 4 : 0;
	} else if ((fl & 7) == 1 && (fl & 0x2000) &&
		   ph_be16(b + 2) == 0x880b) { /* PPTP enhanced GRE */
		o += 4;
		o += (fl & 0x1000) ? 4 : 0;
		o += (fl & 0x0080) ? 4 : 0;
	} else {
		ph_anomaly_count(s->an, PH_ANOM_TUNNEL_BAD);
		return false;
	}
	if (o > cap) {
		ph_anomaly_count(s->an, PH_ANOM_TUNNEL_TRUNCATED);
		return false;
	}
	*off = o;
	*flags = fl;
	return true;
}

/* ERSPAN type I (no header), II (8 bytes), III (12, +8 platform). */
static ph_res erspan(struct ph_dec *s, uint16_t ptype, uint16_t grefl,
		     const uint8_t *b, uint32_t n)
{
	uint32_t hl = 0;
	if (ptype == 0x22eb) {
		hl = 12;
		if (n >= 12 && (b[11] & 1))
			hl += 8;
	} else if (grefl & 0x1000) {
		hl = 8;
	}
	if (n < hl)
		return ph_dec_bad(s, PH_ANOM_TUNNEL_TRUNCATED);
	return ph_dec_ether(s, b + hl, n - hl, false);
}

static ph_res gre_payload(struct ph_dec *s, uint16_t ptype, uint16_t fl,
			  const uint8_t *b, uint32_t n)
{
	switch (ptype) {
	case 0x0800:
		return ph_dec_ipv4(s, b, n);
	case 0x86dd:
		return ph_dec_ipv6(s, b, n);
	case 0x6558:
		return ph_dec_ether(s, b, n, false);
	case 0x880b:
		return ph_dec_ppp(s, b, n);
	case 0x8847:
	case 0x8848:
		return ph_dec_ethertype(s, ptype, b, n, false);
	case 0x88be:
	case 0x22eb:
		return erspan(s, ptype, fl, b, n);
	default:
		return ph_dec_not_ip(s);
	}
}

ph_res ph_dec_gre(struct ph_dec *s, const uint8_t *b, uint32_t cap)
{
	uint32_t off;
	uint16_t fl;
	if (!gre_header(s, b, cap, &off, &fl) || off == cap)
		return PH_DECODE_FLOW; /* the GRE packet itself */
	struct ph_pkt saved = *s->p;
	if (!tunnel_enter(s))
		return PH_DECODE_FLOW;
	ph_res r = gre_payload(s, ph_be16(b + 2), fl, b + off, cap - off);
	return tunnel_leave(s, &saved, r, false);
}

static enum inner vxlan(struct ph_dec *s, const uint8_t *b, uint32_t *off,
			uint32_t *end)
{
	if (*end < 8) {
		ph_anomaly_count(s->an, PH_ANOM_TUNNEL_TRUNCATED);
		return IN_NONE;
	}
	if (!(b[0] & 0x08)) { /* VNI-valid flag */
		ph_anomaly_count(s->an, PH_ANOM_TUNNEL_BAD);
		return IN_NONE;
	}
	*off = 8;
	return IN_ETH;
}

/* GTP-U extension header chain from b+*off; next = first type. */
static bool gtp_ext(struct ph_dec *s, const uint8_t *b, uint32_t end,
		    uint32_t *off, uint8_t next)
{
	for (unsigned i = 0; next != 0; i++) {
		if (i >= PH_DEC_GTP_MAX_EXT || (*off < end && b[*off] == 0)) {
			ph_anomaly_count(s->an, PH_ANOM_TUNNEL_BAD);
			return false;
		}
		if (*off >= end || b[*off] * 4u > end - *off) {
			ph_anomaly_count(s->an, PH_ANOM_TUNNEL_TRUNCATED);
			return false;
		}
		uint32_t el = b[*off] * 4u;
		next = b[*off + el - 1];
		*off += el;
	}
	return true;
}

static enum inner gtpu(struct ph_dec *s, const uint8_t *b, uint32_t *off,
		       uint32_t *end)
{
	if (*end < 8) {
		ph_anomaly_count(s->an, PH_ANOM_TUNNEL_TRUNCATED);
		return IN_NONE;
	}
	if ((b[0] >> 5) != 1 || !(b[0] & 0x10)) { /* version 1, PT = GTP */
		ph_anomaly_count(s->an, PH_ANOM_TUNNEL_BAD);
		return IN_NONE;
	}
	if (b[1] != 0xff) /* not a G-PDU: signalling (echo, ...) */
		return IN_NONE;
	uint32_t e = 8u + ph_be16(b + 2);
	if (e < *end)
		*end = e;
	*off = 8;
	if (b[0] & 0x07) { /* E, S or PN: 4 more bytes */
		if (*end < 12) {
			ph_anomaly_count(s->an, PH_ANOM_TUNNEL_TRUNCATED);
			return IN_NONE;
		}
		*off = 12;
		if ((b[0] & 0x04) && !gtp_ext(s, b, *end, off, b[11]))
			return IN_NONE;
	}
	if (*off >= *end)
		return IN_NONE;
	uint8_t v = b[*off] >> 4;
	return (v == 4 || v == 6) ? IN_IP : IN_NONE;
}

/* Teredo: optional authentication and origin indication, then IPv6 whose
 * length must fill the UDP payload exactly (else it is not Teredo). */
static enum inner teredo(struct ph_dec *s, const uint8_t *b, uint32_t *off,
			 uint32_t *end)
{
	uint32_t n = *end, o = 0;
	if (n >= 4 && b[0] == 0 && b[1] == 1)
		o = 4u + b[2] + b[3] + 9u;
	if (o <= n && n - o >= 8 && b[o] == 0 && b[o + 1] == 0)
		o += 8;
	if (o > n || n - o < 40 || (b[o] >> 4) != 6)
		return IN_NONE;
	if (40u + ph_be16(b + o + 4) != s->p->payload_wire - o)
		return IN_NONE;
	*off = o;
	return IN_IP;
}

ph_res ph_dec_udp_tunnel(struct ph_dec *s, const uint8_t *b, uint32_t cap)
{
	struct ph_pkt *p = s->p;
	uint32_t off = 0, end = cap;
	enum inner k;
	if (p->t.dport == 4789)
		k = vxlan(s, b, &off, &end);
	else if (p->t.dport == 2152 || p->t.sport == 2152)
		k = gtpu(s, b, &off, &end);
	else
		k = teredo(s, b, &off, &end);
	if (k == IN_NONE)
		return PH_DECODE_FLOW;
	struct ph_pkt saved = *p;
	if (!tunnel_enter(s))
		return PH_DECODE_FLOW;
	if (!p->has_outer_udp) {
		p->has_outer_udp = true;
		p->outer = p->t;
		p->outer_ip_len = p->ip_len;
		p->outer_payload_wire = p->payload_wire;
	}
	ph_res r = k == IN_ETH ? ph_dec_ether(s, b + off, end - off, false)
			       : ph_dec_ip(s, b + off, end - off);
	return tunnel_leave(s, &saved, r, true);
}
