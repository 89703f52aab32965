/* Internals of the DNS parser shared by its files (dns_name.c, dns_msg.c,
 * dns.c), the unit tests and the fuzz target: the name decoder, the
 * message decoder and the caps-hit counters. Not for other stages: they
 * see only include/peephole/proto_dns.h and include/peephole/dns_map.h. */
#ifndef PH_PROTO_DNS_INT_H
#define PH_PROTO_DNS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "peephole/proto_dns.h"
#include "util/rd.h"

#define PH_DNS_MAX_JUMPS 32    /* compression pointers followed per name */
#define PH_DNS_MAX_LABELS 127  /* labels per name */

/* Caps hit and malformed input, counted across messages. */
struct ph_dns_caps {
	uint64_t names_truncated;  /* name over PH_DNS_NAME_MAX bytes */
	uint64_t jumps_capped;     /* more than PH_DNS_MAX_JUMPS pointers */
	uint64_t labels_capped;    /* more than PH_DNS_MAX_LABELS labels */
	uint64_t rrs_capped;       /* records over PH_DNS_MAX_RRS dropped */
	uint64_t txt_truncated;    /* TXT bytes/strings over the caps */
	uint64_t bad_names;        /* forward/self pointer, bad label, short */
	uint64_t bad_rdata;        /* rdata that does not fit its type */
};

/* Decodes the name at r's cursor: labels, lower-cased, joined by '.',
 * following backward compression pointers only (each jump must land
 * before the pointer itself and shrinks the readable window, so loops
 * cannot happen; PH_DNS_MAX_JUMPS still bounds work). r (borrowed) must
 * span the whole message, since pointers are message offsets; it is
 * advanced past the name as it appears in place. Returns 0, or -1 with
 * r->err set when the name is malformed. out: filled even on error. */
int ph_dns_name_read(struct ph_rd *r, struct ph_dns_name *out,
		     struct ph_dns_caps *caps);

/* Decodes one DNS message (no TCP length prefix) into m. Returns 0 when
 * the header is sane (m filled; m->malformed when parsing stopped early),
 * or -1 when this is not a DNS message: shorter than the header, or more
 * than PH_DNS_MAX_QUESTIONS questions. m->what, transport, multicast,
 * pending, query and rtt_ns are left for the caller. rdata pointers in m
 * borrow msg. */
int ph_dns_msg_parse(const uint8_t *msg, size_t len, struct ph_dns_msg *m,
		     struct ph_dns_caps *caps);

/* Fills a query summary from a parsed query message. */
void ph_dns_query_info_of(const struct ph_dns_msg *m, uint64_t ts_ns,
			  uint64_t pkt_no, struct ph_dns_query_info *qi);

#endif
