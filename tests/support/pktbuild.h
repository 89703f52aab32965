/* Packet crafting for tests and the sample generator: builds Ethernet /
 * IPv4 / IPv6 / TCP / UDP / ICMP frames with correct lengths and checksums
 * into a caller buffer, and writes classic pcap files (in memory or to a
 * FILE*). Not part of libpeephole; never parses anything. */
#ifndef PH_TESTS_PKTBUILD_H
#define PH_TESTS_PKTBUILD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* An address: IPv4 when v6 == 0 (a[0..3]), else IPv6 (a[0..15]). */
struct pb_addr {
	uint8_t a[16];
	int v6;
};

struct pb_addr pb_ip4(const char *dotted);  /* "10.0.0.1" */
struct pb_addr pb_ip6(const char *text);    /* "2001:db8::1" */

#define PB_FIN 0x01
#define PB_SYN 0x02
#define PB_RST 0x04
#define PB_PSH 0x08
#define PB_ACK 0x10

struct pb_l4 {
	uint8_t proto;       /* 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6 */
	uint16_t sport, dport;
	uint32_t seq, ack;   /* TCP */
	uint8_t flags;       /* TCP */
	uint16_t win;        /* TCP (0 -> 65535) */
	uint8_t icmp_type, icmp_code;
	uint8_t ttl;         /* 0 -> 64 */
	uint16_t ip_id;
};

/* Builds an IP packet (no link layer) into out; returns its length, or 0
 * when cap is too small. */
size_t pb_ip(uint8_t *out, size_t cap, struct pb_addr src, struct pb_addr dst,
	     const struct pb_l4 *l4, const void *payload, size_t plen);

/* Builds an Ethernet frame around an IP packet (ethertype from the version;
 * vlan != 0 adds one 802.1Q tag). Returns length or 0. */
size_t pb_eth(uint8_t *out, size_t cap, const uint8_t src_mac[6],
	      const uint8_t dst_mac[6], uint16_t vlan, const uint8_t *ip,
	      size_t iplen);

/* Classic pcap writer (little-endian, microseconds unless nsec). */
struct pb_pcap {
	FILE *f;
	int nsec;
};
int pb_pcap_open(struct pb_pcap *w, FILE *f, uint32_t linktype, int nsec);
int pb_pcap_write(struct pb_pcap *w, uint64_t ts_ns, const uint8_t *frame,
		  size_t len);

/* Writes a whole pcap of the given frames to a new temp file; returns a
 * malloc'd path the caller unlinks and frees. */
char *pb_tmpfile(const char *suffix);

#endif
