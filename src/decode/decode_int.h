/* Decode stage internals shared by the files of src/decode only: the
 * per-frame walk state, each layer's entry point, the fragment table's
 * private API and the PCAPdroid trailer check. Nothing outside src/decode
 * includes this; the stage interface is decode.h.
 * Layers call each other downwards (link -> ip -> l4 -> tunnel -> link/ip)
 * with (pointer, captured length) pairs; recursion is bounded by
 * PH_DECODE_MAX_TUNNELS. */
#ifndef PH_DECODE_INT_H
#define PH_DECODE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/decode.h"
#include "util/rd.h"

#define PH_DEC_MAX_TAGS 8   /* VLAN + MPLS tags walked before VLAN_TOO_DEEP */
#define PH_DEC_MAX_EXT 8    /* IPv6 extension headers / AH walked */
#define PH_DEC_GTP_MAX_EXT 8 /* GTP-U extension headers walked */

#define PH_PCAPDROID_MAGIC 0x01072021u
#define PH_PCAPDROID_TRAILER_LEN 32u

struct ph_frag_table;

/* The decoder handle behind decode.h's opaque struct. */
struct ph_decoder {
	struct ph_anomalies *an;    /* borrowed, may be NULL */
	struct ph_decode_stats st;
	struct ph_frag_table *frag; /* owned; created at the first fragment */
};

/* Walk state for one ph_decode call (on the caller's stack). */
struct ph_dec {
	struct ph_decoder *d;
	struct ph_pkt *p;           /* borrowed: the packet being filled */
	struct ph_anomalies *an;    /* borrowed, may be NULL */
	const uint8_t *frame;       /* borrowed: frame bytes */
	uint32_t caplen, wirelen;
	uint64_t ts;
	bool ip_seen;  /* the outermost IP header has been walked */
	bool cut;      /* a short IP packet was counted for this frame */
	uint8_t in_reasm; /* reassembled datagrams being walked (nesting) */
	bool frag_head; /* a cut first fragment: trust the UDP length */
	uint8_t depth; /* tunnels entered */
};

typedef enum ph_decode_result ph_res;

static inline ph_res ph_dec_bad(struct ph_dec *s, enum ph_anomaly a)
{
	ph_anomaly_count(s->an, a);
	return PH_DECODE_BAD;
}

static inline ph_res ph_dec_not_ip(struct ph_dec *s)
{
	ph_anomaly_count(s->an, PH_ANOM_ETHERTYPE_OTHER);
	return PH_DECODE_NOT_IP;
}

/* An IP length reaches past the captured bytes: SNAPLEN_CUT when the
 * frame was cut by the snaplen (wirelen > caplen), else the header lies
 * and `lie` is counted. At most once per frame; either way the packet is
 * decoded as truncated (lengths per the headers, payload as captured). */
static inline void ph_dec_short(struct ph_dec *s, enum ph_anomaly lie)
{
	if (!s->cut) {
		s->cut = true;
		ph_anomaly_count(s->an, s->wirelen > s->caplen
						? PH_ANOM_SNAPLEN_CUT
						: lie);
	}
}

/* link.c: b/n is the frame (or a tunnel's inner frame). outer: record
 * VLAN ids and MAC addresses (only for the outermost link layer). */
ph_res ph_dec_link(struct ph_dec *s, int linktype, const uint8_t *b,
		   uint32_t n);
ph_res ph_dec_ether(struct ph_dec *s, const uint8_t *b, uint32_t n,
		    bool outer);
ph_res ph_dec_ethertype(struct ph_dec *s, uint16_t type, const uint8_t *b,
			uint32_t n, bool outer);
ph_res ph_dec_ppp(struct ph_dec *s, const uint8_t *b, uint32_t n);

/* decode.c: IP by version nibble. */
ph_res ph_dec_ip(struct ph_dec *s, const uint8_t *b, uint32_t n);
/* ipv4.c / ipv6.c: b/n = captured bytes from the IP header on. */
ph_res ph_dec_ipv4(struct ph_dec *s, const uint8_t *b, uint32_t n);
ph_res ph_dec_ipv6(struct ph_dec *s, const uint8_t *b, uint32_t n);

/* l4.c: b = transport header, cap = captured bytes of the IP payload
 * (already bounded by the IP length), wire = IP payload length. */
ph_res ph_dec_l4(struct ph_dec *s, uint8_t proto, const uint8_t *b,
		 uint32_t cap, uint32_t wire);
/* l4.c: marks p as a portless packet of `proto` (ESP, OSPF, tunnels). */
void ph_dec_l4_other(struct ph_dec *s, uint8_t proto, const uint8_t *b,
		     uint32_t cap, uint32_t wire);

/* tunnel.c */
ph_res ph_dec_gre(struct ph_dec *s, const uint8_t *b, uint32_t cap);
ph_res ph_dec_ipip(struct ph_dec *s, uint8_t proto, const uint8_t *b,
		   uint32_t cap);
/* UDP payload b/cap on a tunnel port: returns the inner result, or
 * PH_DECODE_FLOW leaving p untouched when it is not a tunnel after all. */
ph_res ph_dec_udp_tunnel(struct ph_dec *s, const uint8_t *b, uint32_t cap);

static inline bool ph_dec_udp_tunnel_port(uint16_t sport, uint16_t dport)
{
	return dport == 4789 || dport == 2152 || sport == 2152 ||
	       dport == 3544 || sport == 3544;
}

/* frag.c: one fragment. hdr/hdrlen: the IP header to rebuild the
 * datagram with (IPv4 header with options; IPv6 fixed 40 bytes). */
struct ph_frag_in {
	const uint8_t *src, *dst; /* 4 or 16 bytes */
	uint32_t id;
	uint8_t ver;
	uint8_t proto;            /* IPv4 protocol; IPv6 next header */
	bool more;                /* MF / M flag */
	uint32_t off;             /* data offset in bytes */
	const uint8_t *hdr;
	uint32_t hdrlen;
	const uint8_t *data;
	uint32_t len;
};

/* Adds a fragment. Returns PH_DECODE_HELD while the datagram is
 * incomplete, PH_DECODE_BAD when the fragment is dropped (anomaly
 * counted), or PH_DECODE_FLOW with the reassembled datagram (header +
 * data) in out and outlen: the decoder's buffer, valid until the next
 * ph_decode call. */
ph_res ph_frag_add(struct ph_dec *s, const struct ph_frag_in *in,
		   const uint8_t **out, uint32_t *outlen);
void ph_frag_expire(struct ph_decoder *d, uint64_t now_ns);
void ph_frag_table_free(struct ph_frag_table *t);

/* pcapdroid.c: at the outermost IP header l3 (total length totlen, n
 * bytes from l3 to the frame end): when the frame ends with a PCAPdroid
 * trailer (magic at caplen - 32) that fits, fills p's app fields and
 * returns the IP bytes before it; else returns n. */
uint32_t ph_dec_trailer_fit(struct ph_dec *s, const uint8_t *l3,
			    uint32_t totlen, uint32_t n);

/* Cheap test before ph_dec_trailer_fit, so the frame's last cache line is
 * read only when 32 bytes follow the IP packet or the frame was cut. */
static inline bool ph_dec_trailer_room(const struct ph_dec *s,
				       uint32_t totlen, uint32_t n)
{
	return n >= PH_PCAPDROID_TRAILER_LEN + 20 &&
	       (n - PH_PCAPDROID_TRAILER_LEN >= totlen ||
		s->wirelen > s->caplen);
}

#endif
