/* Link layers down to the first IP header: Ethernet II and 802.3 LLC/SNAP,
 * 802.1Q/802.1ad/QinQ (0x8100 0x88a8 0x9100 0x9200), MPLS (with the
 * Ethernet pseudowire control word), PPPoE session, Linux SLL and SLL2,
 * BSD null/loop, PPP (RFC 1661, with or without HDLC address/control and
 * protocol-field compression), Cisco HDLC, frame relay, NFLOG, 802.11 data
 * frames (plain or radiotap) and raw IP (101/228/229).
 * Caps: PH_DEC_MAX_TAGS VLAN+MPLS tags (VLAN_TOO_DEEP beyond); only the
 * outermost link layer's VLAN ids and MACs are recorded (tunnelled
 * Ethernet is walked but not recorded). Non-IP payloads are NOT_IP with
 * ETHERTYPE_OTHER; short headers LINK_TRUNCATED; other link types
 * LINK_UNSUPPORTED. Reference: tcpdump.org LINKTYPE_* descriptions. */
#include <string.h>

#include "decode/decode_int.h"

enum {
	ET_IPV4 = 0x0800,
	ET_IPV6 = 0x86dd,
	ET_VLAN = 0x8100,
	ET_QINQ = 0x88a8,
	ET_QINQ_OLD1 = 0x9100,
	ET_QINQ_OLD2 = 0x9200,
	ET_MPLS_UC = 0x8847,
	ET_MPLS_MC = 0x8848,
	ET_PPPOE_SESS = 0x8864,
};

/* What a tag helper tells the ethertype walk. */
enum walk { WALK_NEXT, WALK_DONE };

/* IPv6 values of the address family in BSD null/loop headers (NetBSD/
 * OpenBSD 24, FreeBSD 28, Darwin 30, Linux 10, Windows 23). */
static bool af_is_inet6(uint32_t fam)
{
	return fam == 24 || fam == 28 || fam == 30 || fam == 10 || fam == 23;
}

static ph_res ppp_proto(struct ph_dec *s, uint16_t proto, const uint8_t *b,
			uint32_t n)
{
	switch (proto) {
	case 0x0021:
		return ph_dec_ipv4(s, b, n);
	case 0x0057:
		return ph_dec_ipv6(s, b, n);
	case 0x0281:
		return ph_dec_ethertype(s, ET_MPLS_UC, b, n, false);
	default:
		return ph_dec_not_ip(s);
	}
}

ph_res ph_dec_ppp(struct ph_dec *s, const uint8_t *b, uint32_t n)
{
	uint32_t off = 0;
	if (n >= 2 && b[0] == 0xff && b[1] == 0x03)
		off = 2;
	if (n - off < 1)
		return ph_dec_bad(s, PH_ANOM_LINK_TRUNCATED);
	uint16_t proto;
	if (b[off] & 1) { /* protocol-field compression: one byte */
		proto = b[off];
		off += 1;
	} else {
		if (n - off < 2)
			return ph_dec_bad(s, PH_ANOM_LINK_TRUNCATED);
		proto = ph_be16(b + off);
		off += 2;
	}
	return ppp_proto(s, proto, b + off, n - off);
}

/* One 802.1Q/802.1ad tag at b+*off. */
static enum walk vlan_tag(struct ph_dec *s, const uint8_t *b, uint32_t n,
			  uint32_t *off, uint16_t *type, bool outer,
			  ph_res *res)
{
	if (n - *off < 4) {
		*res = ph_dec_bad(s, PH_ANOM_LINK_TRUNCATED);
		return WALK_DONE;
	}
	struct ph_pkt *p = s->p;
	if (outer && p->nvlan < PH_DECODE_MAX_VLANS)
		p->vlan[p->nvlan++] = ph_be16(b + *off) & 0x0fff;
	*type = ph_be16(b + *off + 2);
	*off += 4;
	return WALK_NEXT;
}

/* The label stack at b+*off; then IPv4/IPv6 by version nibble, or a
 * pseudowire control word (first nibble 0) followed by Ethernet. */
static enum walk mpls_stack(struct ph_dec *s, const uint8_t *b, uint32_t n,
			    uint32_t *off, uint16_t *type, unsigned *tags,
			    ph_res *res)
{
	for (;;) {
		if (n - *off < 4) {
			*res = ph_dec_bad(s, PH_ANOM_MPLS_TRUNCATED);
			return WALK_DONE;
		}
		if (++*tags > PH_DEC_MAX_TAGS) {
			*res = ph_dec_bad(s, PH_ANOM_VLAN_TOO_DEEP);
			return WALK_DONE;
		}
		bool bottom = b[*off + 2] & 1;
		*off += 4;
		if (bottom)
			break;
	}
	if (n - *off < 1) {
		*res = ph_dec_bad(s, PH_ANOM_MPLS_TRUNCATED);
		return WALK_DONE;
	}
	switch (b[*off] >> 4) {
	case 4:
		*type = ET_IPV4;
		return WALK_NEXT;
	case 6:
		*type = ET_IPV6;
		return WALK_NEXT;
	case 0: /* control word + Ethernet (RFC 4448) */
		if (n - *off < 4 + 14) {
			*res = ph_dec_bad(s, PH_ANOM_MPLS_TRUNCATED);
			return WALK_DONE;
		}
		*type = ph_be16(b + *off + 4 + 12);
		*off += 4 + 14;
		return WALK_NEXT;
	default:
		*res = ph_dec_not_ip(s);
		return WALK_DONE;
	}
}

/* PPPoE session header (RFC 2516) + PPP protocol at b+*off. */
static enum walk pppoe(struct ph_dec *s, const uint8_t *b, uint32_t n,
		       uint32_t *off, uint16_t *type, ph_res *res)
{
	if (n - *off < 8) {
		*res = ph_dec_bad(s, PH_ANOM_PPPOE_TRUNCATED);
		return WALK_DONE;
	}
	uint16_t proto = ph_be16(b + *off + 6);
	*off += 8;
	if (proto == 0x0021) {
		*type = ET_IPV4;
	} else if (proto == 0x0057) {
		*type = ET_IPV6;
	} else {
		*res = ph_dec_not_ip(s);
		return WALK_DONE;
	}
	return WALK_NEXT;
}

/* Walks tags from ethertype `type` whose payload is b/n. */
ph_res ph_dec_ethertype(struct ph_dec *s, uint16_t type, const uint8_t *b,
			uint32_t n, bool outer)
{
	uint32_t off = 0;
	unsigned tags = 0;
	ph_res res = PH_DECODE_BAD;
	for (;;) {
		enum walk w;
		switch (type) {
		case ET_IPV4:
			return ph_dec_ipv4(s, b + off, n - off);
		case ET_IPV6:
			return ph_dec_ipv6(s, b + off, n - off);
		case ET_VLAN:
		case ET_QINQ:
		case ET_QINQ_OLD1:
		case ET_QINQ_OLD2:
			if (++tags > PH_DEC_MAX_TAGS)
				return ph_dec_bad(s, PH_ANOM_VLAN_TOO_DEEP);
			w = vlan_tag(s, b, n, &off, &type, outer, &res);
			break;
		case ET_MPLS_UC:
		case ET_MPLS_MC:
			w = mpls_stack(s, b, n, &off, &type, &tags, &res);
			break;
		case ET_PPPOE_SESS:
			w = pppoe(s, b, n, &off, &type, &res);
			break;
		default:
			return ph_dec_not_ip(s);
		}
		if (w == WALK_DONE)
			return res;
	}
}

/* 802.2 LLC: only SNAP with a zero OUI carries an ethertype. */
static ph_res llc_snap(struct ph_dec *s, const uint8_t *b, uint32_t n,
		       bool outer)
{
	if (n < 8 || b[0] != 0xaa || b[1] != 0xaa || b[2] != 0x03 ||
	    b[3] != 0 || b[4] != 0 || b[5] != 0)
		return ph_dec_not_ip(s);
	return ph_dec_ethertype(s, ph_be16(b + 6), b + 8, n - 8, outer);
}

ph_res ph_dec_ether(struct ph_dec *s, const uint8_t *b, uint32_t n,
		    bool outer)
{
	if (n < 14)
		return ph_dec_bad(s, PH_ANOM_LINK_TRUNCATED);
	if (outer) {
		struct ph_pkt *p = s->p;
		memcpy(p->dst_mac, b, 6);
		memcpy(p->src_mac, b + 6, 6);
		p->has_mac = true;
	}
	uint16_t type = ph_be16(b + 12);
	if (type < 0x0600) /* 802.3 length field */
		return llc_snap(s, b + 14, n - 14, outer);
	return ph_dec_ethertype(s, type, b + 14, n - 14, outer);
}

/* Linux cooked v1/v2 common tail: hatype, address, protocol. */
static ph_res sll_common(struct ph_dec *s, uint16_t hatype, uint32_t halen,
			 const uint8_t *addr, uint16_t proto,
			 const uint8_t *b, uint32_t n)
{
	if (halen == 6) {
		memcpy(s->p->src_mac, addr, 6);
		s->p->has_mac = true;
	}
	if (hatype == 824) /* ARPHRD_NETLINK */
		return ph_dec_not_ip(s);
	if (proto == 0x0004) /* 802.2 LLC frame */
		return llc_snap(s, b, n, true);
	return ph_dec_ethertype(s, proto, b, n, true);
}

static ph_res sll(struct ph_dec *s, const uint8_t *b, uint32_t n)
{
	if (n < 16)
		return ph_dec_bad(s, PH_ANOM_LINK_TRUNCATED);
	return sll_common(s, ph_be16(b + 2), ph_be16(b + 4), b + 6,
			  ph_be16(b + 14), b + 16, n - 16);
}

static ph_res sll2(struct ph_dec *s, const uint8_t *b, uint32_t n)
{
	if (n < 20)
		return ph_dec_bad(s, PH_ANOM_LINK_TRUNCATED);
	return sll_common(s, ph_be16(b + 8), b[11], b + 12, ph_be16(b),
			  b + 20, n - 20);
}

/* BSD null (host byte order family) and OpenBSD loop (big-endian). */
static ph_res null_loop(struct ph_dec *s, const uint8_t *b, uint32_t n,
			bool loop)
{
	if (n < 4)
		return ph_dec_bad(s, PH_ANOM_LINK_TRUNCATED);
	uint32_t fam = ph_be32(b);
	if (!loop) {
		uint32_t le = (uint32_t)b[0] | (uint32_t)b[1] << 8 |
			      (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
		fam = le <= 0xffff ? le : fam;
	}
	if (fam == 2)
		return ph_dec_ipv4(s, b + 4, n - 4);
	if (af_is_inet6(fam))
		return ph_dec_ipv6(s, b + 4, n - 4);
	return ph_dec_not_ip(s);
}

/* Cisco HDLC: address, control, ethertype. */
static ph_res chdlc(struct ph_dec *s, const uint8_t *b, uint32_t n)
{
	if (n < 4)
		return ph_dec_bad(s, PH_ANOM_LINK_TRUNCATED);
	return ph_dec_ethertype(s, ph_be16(b + 2), b + 4, n - 4, true);
}

/* Frame relay: Q.922 address, then NLPID (RFC 2427) or Cisco ethertype. */
static ph_res frelay(struct ph_dec *s, const uint8_t *b, uint32_t n)
{
	if (n < 4)
		return ph_dec_bad(s, PH_ANOM_LINK_TRUNCATED);
	if (b[2] != 0x03)
		return ph_dec_ethertype(s, ph_be16(b + 2), b + 4, n - 4, true);
	if (b[3] == 0xcc)
		return ph_dec_ipv4(s, b + 4, n - 4);
	if (b[3] == 0x8e)
		return ph_dec_ipv6(s, b + 4, n - 4);
	return ph_dec_not_ip(s);
}

/* NFLOG: family, version, resource id, then little-endian TLVs padded to
 * 4 bytes; NFULA_PAYLOAD (9) holds the IP packet. */
static ph_res nflog(struct ph_dec *s, const uint8_t *b, uint32_t n)
{
	if (n < 4)
		return ph_dec_bad(s, PH_ANOM_LINK_TRUNCATED);
	uint8_t fam = b[0];
	uint32_t off = 4;
	while (n - off >= 4) {
		uint32_t tlen = (uint32_t)b[off] | (uint32_t)b[off + 1] << 8;
		uint32_t type = ((uint32_t)b[off + 2] |
				 (uint32_t)b[off + 3] << 8) & 0x7fff;
		if (tlen < 4 || tlen > n - off)
			return ph_dec_bad(s, PH_ANOM_LINK_TRUNCATED);
		if (type == 9) {
			if (fam == 2)
				return ph_dec_ipv4(s, b + off + 4, tlen - 4);
			if (fam == 10)
				return ph_dec_ipv6(s, b + off + 4, tlen - 4);
			return ph_dec_not_ip(s);
		}
		uint32_t step = (tlen + 3) & ~3u;
		if (step > n - off)
			break;
		off += step;
	}
	return ph_dec_not_ip(s);
}

/* Source/destination MACs of an 802.11 data frame by ToDS/FromDS. */
static void wlan_macs(struct ph_pkt *p, const uint8_t *b, uint8_t ds)
{
	/* ds = ToDS | FromDS << 1: addresses 1..4 sit at 4, 10, 16, 24 */
	static const uint8_t da_at[4] = {4, 16, 4, 16};
	static const uint8_t sa_at[4] = {10, 10, 16, 24};
	memcpy(p->dst_mac, b + da_at[ds], 6);
	memcpy(p->src_mac, b + sa_at[ds], 6);
	p->has_mac = true;
}

/* IEEE 802.11 data frame with LLC/SNAP (RFC 1042 or 802.1H bridge). */
static ph_res wlan(struct ph_dec *s, const uint8_t *b, uint32_t n)
{
	if (n < 24)
		return ph_dec_bad(s, PH_ANOM_LINK_TRUNCATED);
	uint8_t fc0 = b[0], fc1 = b[1], subtype = fc0 >> 4;
	if (((fc0 >> 2) & 3) != 2 || (subtype & 4) || (fc1 & 0x40))
		return ph_dec_not_ip(s); /* not data, no body, or protected */
	uint8_t ds = fc1 & 3;
	uint32_t hl = ds == 3 ? 30 : 24;
	if (subtype & 8)
		hl += (fc1 & 0x80) ? 6 : 2; /* QoS control (+ HT control) */
	if (n < hl + 8)
		return ph_dec_bad(s, PH_ANOM_LINK_TRUNCATED);
	wlan_macs(s->p, b, ds);
	const uint8_t *l = b + hl;
	if (l[0] != 0xaa || l[1] != 0xaa || l[2] != 0x03 || l[3] != 0 ||
	    l[4] != 0 || (l[5] != 0 && l[5] != 0xf8))
		return ph_dec_not_ip(s);
	return ph_dec_ethertype(s, ph_be16(l + 6), l + 8, n - hl - 8, false);
}

static ph_res radiotap(struct ph_dec *s, const uint8_t *b, uint32_t n)
{
	if (n < 8)
		return ph_dec_bad(s, PH_ANOM_LINK_TRUNCATED);
	uint32_t rlen = (uint32_t)b[2] | (uint32_t)b[3] << 8;
	if (b[0] != 0 || rlen < 8 || rlen > n)
		return ph_dec_bad(s, PH_ANOM_LINK_TRUNCATED);
	return wlan(s, b + rlen, n - rlen);
}

ph_res ph_dec_link(struct ph_dec *s, int linktype, const uint8_t *b,
		   uint32_t n)
{
	switch (linktype) {
	case PH_LINK_ETHERNET:
		return ph_dec_ether(s, b, n, true);
	case PH_LINK_LINUX_SLL:
		return sll(s, b, n);
	case PH_LINK_LINUX_SLL2:
		return sll2(s, b, n);
	case PH_LINK_RAW:
		return ph_dec_ip(s, b, n);
	case PH_LINK_IPV4:
		return ph_dec_ipv4(s, b, n);
	case PH_LINK_IPV6:
		return ph_dec_ipv6(s, b, n);
	case PH_LINK_NULL:
		return null_loop(s, b, n, false);
	case PH_LINK_LOOP:
		return null_loop(s, b, n, true);
	case PH_LINK_PPP:
		return ph_dec_ppp(s, b, n);
	case PH_LINK_PPP_HDLC:
		if (n >= 1 && (b[0] == 0x0f || b[0] == 0x8f))
			return chdlc(s, b, n);
		return ph_dec_ppp(s, b, n);
	case 104: /* LINKTYPE_C_HDLC */
		return chdlc(s, b, n);
	case 105: /* LINKTYPE_IEEE802_11 */
		return wlan(s, b, n);
	case 107: /* LINKTYPE_FRELAY */
		return frelay(s, b, n);
	case 127: /* LINKTYPE_IEEE802_11_RADIOTAP */
		return radiotap(s, b, n);
	case 239: /* LINKTYPE_NFLOG */
		return nflog(s, b, n);
	default:
		return ph_dec_bad(s, PH_ANOM_LINK_UNSUPPORTED);
	}
}
