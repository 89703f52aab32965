/* Community ID v1 flow hashing (https://github.com/corelight/community-id-spec):
 * "1:" + base64(SHA1(seed . saddr . daddr . proto . 0 . sport . dport)) over
 * the endpoint-ordered tuple, with Zeek's ICMP/ICMPv6 type/code to port
 * mapping. Pure functions; SHA-1 from OpenSSL's libcrypto. */
#ifndef PH_REPORT_COMMUNITY_ID_H
#define PH_REPORT_COMMUNITY_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "1:" + 28 base64 characters + NUL. */
#define PH_COMMUNITY_ID_SIZE 31

/* One flow as a monitor saw it. For ICMP (proto 1) and ICMPv6 (58) sport
 * is the message type and dport the code (or Zeek's counterpart type,
 * which gives the same hash). Addresses are network byte order: 4 bytes
 * when ipver is 4, else 16. Ports are host order. */
struct ph_cid_flow {
	const uint8_t *saddr; /* borrowed */
	const uint8_t *daddr; /* borrowed */
	uint8_t ipver;        /* 4 or 6 */
	uint8_t proto;        /* IPPROTO_* */
	uint16_t sport, dport;
};

/* Zeek's ICMP4_counterpart/ICMP6_counterpart: the "responder port" of an
 * ICMP message. Request/reply types map to their counterpart type (echo
 * 8 -> 0, ICMPv6 echo 128 -> 129, ND 135 -> 136, ...); other types are
 * one-way and map to the code. *one_way (may be NULL) tells which. */
uint16_t ph_cid_icmp_port(uint8_t proto, uint8_t type, uint8_t code,
			  bool *one_way);

/* The 20-byte SHA-1 digest before encoding. Returns 0, or PH_EINVAL for an
 * ipver other than 4/6 or missing addresses. */
int ph_community_id_digest(const struct ph_cid_flow *f, uint16_t seed,
			   uint8_t digest[20]);

/* Writes the NUL-terminated ID into out (PH_COMMUNITY_ID_SIZE bytes).
 * Returns its length (30), or PH_EINVAL like ph_community_id_digest(). */
int ph_community_id_v1(const struct ph_cid_flow *f, uint16_t seed,
		       char out[PH_COMMUNITY_ID_SIZE]);

#endif
