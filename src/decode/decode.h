/* Decode stage interface: turns one captured frame into a struct ph_pkt —
 * offsets/pointers into the frame (no payload copy) plus the 5-tuple of the
 * innermost IP flow — walking link layers (Ethernet + 802.1Q/QinQ/MPLS/
 * PPPoE, Linux SLL/SLL2, null/loop, PPP, raw IP), IPv4 (options, fragment
 * reassembly), IPv6 (extension chain, fragments), TCP/UDP/ICMP/ICMPv6 and
 * tunnels (GRE, VXLAN, IP-in-IP, 4in6/6in4, GTP-U). PCAPdroid's per-packet
 * app trailer is recognised and stripped. Malformed headers become counted
 * anomalies, never errors. The decoder owns the IP fragment table (bounded:
 * PH_FRAG_MAX_DATAGRAMS, PH_FRAG_MAX_BYTES, PH_FRAG_TIMEOUT_NS). */
#ifndef PH_DECODE_H
#define PH_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/capture.h"
#include "util/anomaly.h"

#define PH_FRAG_MAX_DATAGRAMS 1024          /* datagrams in reassembly */
#define PH_FRAG_MAX_BYTES (8u * 1024 * 1024) /* all fragment bytes held */
#define PH_FRAG_TIMEOUT_NS (30ull * 1000000000ull)
#define PH_DECODE_MAX_TUNNELS 4  /* nested tunnels followed */
#define PH_DECODE_MAX_VLANS 2    /* VLAN ids kept (more are walked) */

/* Endpoint addresses: IPv4 uses the first 4 bytes, the rest zero. */
struct ph_tuple {
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport; /* host order; ICMP: type */
	uint16_t dport; /* host order; ICMP: code */
	uint8_t proto;  /* IPPROTO_TCP/UDP/ICMP/ICMPV6/other */
	uint8_t ipver;  /* 4 or 6 */
};

enum ph_decode_result {
	PH_DECODE_FLOW = 0,   /* an IP packet: tuple valid, feed it to flows */
	PH_DECODE_NOT_IP = 1, /* valid frame but not IP (ARP, ...): skip */
	PH_DECODE_HELD = 2,   /* IP fragment held for reassembly: nothing yet */
	PH_DECODE_BAD = 3,    /* malformed: anomaly counted, skip */
};

/* One decoded packet. Pointers are borrowed: into the frame, or into the
 * decoder's reassembly buffer for a reassembled datagram; valid until the
 * next ph_decode call. */
struct ph_pkt {
	/* from the frame */
	uint64_t ts_ns;
	uint64_t pkt_no;
	uint32_t file_idx;
	uint32_t frame_len;    /* frame length on the wire (tshark's "bytes") */

	/* link layer */
	uint16_t vlan[PH_DECODE_MAX_VLANS]; /* outermost first; 0 = none */
	uint8_t nvlan;
	uint8_t src_mac[6], dst_mac[6];
	bool has_mac;

	/* innermost IP */
	struct ph_tuple t;
	uint32_t ip_len;       /* IP total length per header (v6: 40+payload) */
	uint8_t ttl;           /* IPv4 TTL / IPv6 hop limit */
	uint16_t ip_id;        /* IPv4 identification (0 for v6) */
	bool reassembled;      /* built from IP fragments */
	const uint8_t *ip;     /* innermost IP header (the reassembly buffer
				  for a reassembled datagram) */
	uint32_t ip_caplen;    /* captured bytes from ip, at most ip_len */

	/* transport */
	const uint8_t *l4;     /* start of TCP/UDP/ICMP header */
	uint32_t l4_caplen;    /* captured bytes from l4 to end */
	const uint8_t *payload;/* transport payload (captured part) */
	uint32_t payload_len;  /* captured payload bytes */
	uint32_t payload_wire; /* payload length per the headers */
	uint8_t tcp_flags;     /* FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10
				  URG 0x20 ECE 0x40 CWR 0x80 */
	uint32_t seq, ack;
	uint16_t win;          /* raw window field */
	uint8_t icmp_type, icmp_code;

	/* encapsulation */
	uint8_t tunnel_depth;  /* 0 = no tunnel */
	bool has_outer_udp;    /* UDP tunnel (VXLAN, GTP-U): outer flow too */
	struct ph_tuple outer; /* the outermost UDP tunnel's tuple */
	uint32_t outer_ip_len; /* outer IP total length */
	uint32_t outer_payload_wire; /* outer UDP payload length */

	/* PCAPdroid per-packet trailer (app that owned the socket) */
	bool has_app;
	int32_t app_uid;
	char app_name[24];     /* NUL-terminated, from the trailer */
};

struct ph_decode_stats {
	uint64_t frames;
	uint64_t ip_packets;   /* packets returned as PH_DECODE_FLOW */
	uint64_t not_ip;
	uint64_t bad;
	uint64_t frags_held;
	uint64_t frags_reassembled;
	uint64_t tunnelled;
	/* added: fragment table occupancy (memory stays bounded) */
	uint64_t frag_datagrams;  /* datagrams in reassembly now */
	uint64_t frag_bytes;      /* buffer bytes held now (1 KiB blocks) */
	uint64_t frag_peak_bytes; /* most buffer bytes ever held */
	uint64_t frag_mem;        /* bytes allocated for the table (fixed
				     once the first fragment arrives) */
};

struct ph_decoder; /* opaque: fragment table, counters */

/* anomalies: borrowed counter block the decoder adds to (may be NULL). */
struct ph_decoder *ph_decoder_new(struct ph_anomalies *anomalies);
void ph_decoder_free(struct ph_decoder *d);

/* Decodes `f` into `p` (which it fully initialises). */
enum ph_decode_result ph_decode(struct ph_decoder *d, const struct ph_frame *f,
				struct ph_pkt *p);

/* Drops fragment datagrams older than now - PH_FRAG_TIMEOUT_NS (counted). */
void ph_decoder_expire(struct ph_decoder *d, uint64_t now_ns);

const struct ph_decode_stats *ph_decoder_stats(const struct ph_decoder *d);

#endif
