/* The kinds of malformed, truncated, hostile or skipped input we count, one
 * X-macro list so the enum and the names printed in the run summary cannot
 * drift apart. Counting is per run (struct ph_anomalies), never global. */
#ifndef PH_UTIL_ANOMALY_H
#define PH_UTIL_ANOMALY_H

#include <stdint.h>

#define PH_ANOMALY_LIST(X)                                                   \
	X(LINK_TRUNCATED, "link header truncated")                           \
	X(LINK_UNSUPPORTED, "unsupported link type")                         \
	X(ETHERTYPE_OTHER, "non-IP frame (ARP, LLDP, ...) skipped")          \
	X(VLAN_TOO_DEEP, "too many VLAN/MPLS tags")                           \
	X(MPLS_TRUNCATED, "MPLS label stack truncated")                     \
	X(PPPOE_TRUNCATED, "PPPoE header truncated")                         \
	X(IPV4_TRUNCATED, "IPv4 header truncated")                           \
	X(IPV4_BAD_VERSION, "IP version field wrong")                        \
	X(IPV4_BAD_IHL, "IPv4 header length invalid")                        \
	X(IPV4_BAD_TOTLEN, "IPv4 total length invalid")                      \
	X(IPV4_BAD_OPTIONS, "IPv4 options malformed")                        \
	X(IPV6_TRUNCATED, "IPv6 header truncated")                           \
	X(IPV6_BAD_PAYLEN, "IPv6 payload length invalid")                    \
	X(IPV6_EXT_TRUNCATED, "IPv6 extension header truncated")             \
	X(IPV6_EXT_TOO_MANY, "IPv6 extension header chain too long")         \
	X(FRAG_OVERLAP, "IP fragments overlap")                              \
	X(FRAG_TOO_BIG, "reassembled IP datagram over 65535 bytes")          \
	X(FRAG_TIMEOUT, "IP fragments never completed")                      \
	X(FRAG_TABLE_FULL, "IP fragment table full (dropped)")               \
	X(FRAG_HELD, "IP fragment held for reassembly")                      \
	X(TCP_TRUNCATED, "TCP header truncated")                             \
	X(TCP_BAD_OFFSET, "TCP data offset invalid")                         \
	X(UDP_TRUNCATED, "UDP header truncated")                             \
	X(UDP_BAD_LEN, "UDP length invalid")                                 \
	X(ICMP_TRUNCATED, "ICMP header truncated")                           \
	X(L4_OTHER, "other IP protocol (no ports)")                          \
	X(TUNNEL_TRUNCATED, "tunnel header truncated")                       \
	X(TUNNEL_TOO_DEEP, "tunnels nested too deep")                        \
	X(SNAPLEN_CUT, "packet cut by snaplen (payload incomplete)")         \
	X(FLOW_TABLE_FULL, "flow table full: oldest idle flow evicted")      \
	X(REASM_GAP, "TCP stream gap (bytes never seen)")                    \
	X(REASM_OVERFLOW, "TCP reassembly buffer full (data skipped)")       \
	X(REASM_OVERLAP_CONFLICT, "TCP overlap with different data")         \
	X(TIME_BACKWARDS, "packet timestamp went backwards")                  \
	X(IP_LEN_ZERO, "IP length field 0 (TSO/jumbo): captured length used") \
	X(FRAG_BAD, "IP fragment malformed or inconsistent (dropped)")        \
	X(AH_TRUNCATED, "IPsec AH header truncated")                          \
	X(TUNNEL_BAD, "tunnel header malformed or unsupported")

enum ph_anomaly {
#define PH_ANOMALY_ENUM(name, text) PH_ANOM_##name,
	PH_ANOMALY_LIST(PH_ANOMALY_ENUM)
#undef PH_ANOMALY_ENUM
	PH_ANOM_COUNT
};

struct ph_anomalies {
	uint64_t n[PH_ANOM_COUNT];
};

/* Short machine name ("ipv4_truncated") and human text for a kind. */
const char *ph_anomaly_name(enum ph_anomaly a);
const char *ph_anomaly_text(enum ph_anomaly a);

static inline void ph_anomaly_count(struct ph_anomalies *s, enum ph_anomaly a)
{
	if (s)
		s->n[a]++;
}

#endif
