/* The DNS event payload (PH_EV_DNS, u.proto): one decoded DNS message
 * (query or response, UDP or TCP, unicast DNS, mDNS, LLMNR) with its header
 * flags, questions and resource records, plus the query a response was
 * matched to. Also emitted, with what == PH_DNS_UNANSWERED, for a query
 * whose response never came (flow end or pending table full). Names are
 * decoded (RFC 1035 4.1.4 compression), ASCII-lower-cased as Zeek does,
 * joined with '.', without the trailing dot; the root name is "".
 * Everything here is borrowed: valid only during the event callback. */
#ifndef PEEPHOLE_PROTO_DNS_H
#define PEEPHOLE_PROTO_DNS_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PH_DNS_NAME_MAX 255      /* decoded name bytes kept */
#define PH_DNS_MAX_QUESTIONS 25  /* more: not DNS (Zeek's dns_max_queries) */
#define PH_DNS_MAX_RRS 256       /* records kept per message, all sections */
#define PH_DNS_TXT_MAX 512       /* TXT/SPF string bytes kept per record */
#define PH_DNS_TXT_STRINGS 16    /* TXT strings kept per record */
#define PH_DNS_SVCB_HINTS 8      /* ipv4hint / ipv6hint addresses kept */
#define PH_DNS_ALPN_MAX 64       /* SVCB alpn bytes kept ("h3,h2") */

/* Record types with decoded rdata (RFC 1035, 2782, 3596, 4034, 9460). */
enum ph_dns_type {
	PH_DNS_A = 1, PH_DNS_NS = 2, PH_DNS_CNAME = 5, PH_DNS_SOA = 6,
	PH_DNS_NULL = 10, PH_DNS_WKS = 11, PH_DNS_PTR = 12, PH_DNS_HINFO = 13,
	PH_DNS_MX = 15, PH_DNS_TXT = 16, PH_DNS_AAAA = 28, PH_DNS_LOC = 29,
	PH_DNS_SRV = 33, PH_DNS_NAPTR = 35, PH_DNS_A6 = 38, PH_DNS_DNAME = 39,
	PH_DNS_OPT = 41, PH_DNS_DS = 43, PH_DNS_SSHFP = 44, PH_DNS_RRSIG = 46,
	PH_DNS_NSEC = 47, PH_DNS_DNSKEY = 48, PH_DNS_NSEC3 = 50,
	PH_DNS_NSEC3PARAM = 51, PH_DNS_SVCB = 64, PH_DNS_HTTPS = 65,
	PH_DNS_SPF = 99, PH_DNS_TKEY = 249, PH_DNS_TSIG = 250,
	PH_DNS_CAA = 257, PH_DNS_BINDS = 65534,
};

enum ph_dns_section { PH_DNS_ANSWER = 0, PH_DNS_AUTHORITY = 1,
		      PH_DNS_ADDITIONAL = 2 };

/* Why the event was emitted. */
enum ph_dns_what {
	PH_DNS_QUERY = 0,      /* a query message (QR = 0) */
	PH_DNS_RESPONSE = 1,   /* a response message (QR = 1) */
	PH_DNS_UNANSWERED = 2, /* no message: `query` was never answered */
};

struct ph_dns_name {
	uint16_t len;                   /* bytes in s, <= PH_DNS_NAME_MAX */
	bool truncated;                 /* longer on the wire: cut at the cap */
	char s[PH_DNS_NAME_MAX + 1];    /* NUL-terminated; may hold any byte */
};

struct ph_dns_question {
	struct ph_dns_name name;
	uint16_t qtype;
	uint16_t qclass;                /* raw: mDNS keeps its QU bit (0x8000) */
};

struct ph_dns_txt {                     /* TXT and SPF */
	uint16_t nstr;                  /* strings in the record (all) */
	uint16_t kept;                  /* strings described in str[] */
	bool truncated;                 /* bytes or strings over the caps */
	struct {
		uint16_t off;           /* into data */
		uint8_t len;            /* bytes kept in data */
		uint8_t full;           /* length on the wire */
	} str[PH_DNS_TXT_STRINGS];
	uint8_t data[PH_DNS_TXT_MAX];
};

struct ph_dns_svcb {                    /* SVCB and HTTPS (RFC 9460) */
	uint16_t priority;              /* 0 = alias mode */
	uint16_t port;                  /* port key, 0 = absent */
	bool ech;                       /* ech key present */
	uint8_t alpn_len;
	char alpn[PH_DNS_ALPN_MAX];     /* alpn ids joined by ',' (cut) */
	uint8_t n4, n6;                 /* hints kept */
	uint8_t v4[PH_DNS_SVCB_HINTS][4];
	uint8_t v6[PH_DNS_SVCB_HINTS][16];
};

/* One resource record. `target` holds the rdata's main name: CNAME/NS/
 * PTR/DNAME target, MX exchange, SRV target, SOA mname, SVCB target,
 * RRSIG signer, NSEC next name. */
struct ph_dns_rr {
	enum ph_dns_section section;
	uint16_t type;
	uint16_t rclass;                /* raw: mDNS cache-flush bit kept */
	uint32_t ttl;
	uint16_t rdlen;
	bool rdata_ok;                  /* type-specific fields below valid */
	const uint8_t *rdata;           /* borrowed: rdlen wire bytes */
	struct ph_dns_name name;        /* owner name */
	struct ph_dns_name target;
	union {
		uint8_t addr[16];       /* A: 4 bytes, AAAA: 16 */
		struct { uint16_t pref; } mx;
		struct { uint16_t prio, weight, port; } srv;
		struct {
			struct ph_dns_name rname;
			uint32_t serial, refresh, retry, expire, minimum;
		} soa;
		struct ph_dns_txt txt;
		struct ph_dns_svcb svcb;
		struct { uint16_t type_covered; uint8_t alg, labels; } rrsig;
		struct { uint16_t flags; uint8_t proto, alg; } dnskey;
		struct { uint16_t keytag; uint8_t alg, digest_type; } ds;
		struct { uint8_t alg, fptype; } sshfp; /* fp: rdata + 2 */
		struct { uint8_t version, size, horiz, vert; } loc;
	} u;
};

/* A query as remembered until its response: what dns.log needs from it. */
struct ph_dns_query_info {
	uint64_t ts_ns;                 /* packet time of the query */
	uint64_t pkt_no;
	uint16_t id;
	uint8_t opcode;
	bool rd, tc;
	uint8_t z3;                     /* Zeek's Z: the 3 bits Z|AD|CD */
	uint16_t qdcount;               /* questions in the header */
	bool has_question;              /* a question was decoded: */
	uint16_t qtype, qclass;         /* of the last question (Zeek's) */
	struct ph_dns_name qname;
};

struct ph_dns_msg {
	enum ph_dns_what what;
	uint8_t transport;              /* 17 UDP, 6 TCP */
	bool multicast;                 /* responder address is multicast:
					   queries are never paired (Zeek) */
	bool pending;                   /* QUERY: kept to pair with its
					   response (an UNANSWERED or a matched
					   RESPONSE event will follow) */
	uint32_t wire_len;              /* message bytes */
	/* header (RFC 1035 4.1.1, RFC 2535 AD/CD) */
	uint16_t id;
	bool qr, aa, tc, rd, ra, z, ad, cd;
	uint8_t opcode;
	uint8_t rcode;
	uint16_t qdcount, ancount, nscount, arcount;
	/* parse outcome */
	bool malformed;                 /* parsing stopped early: what is
					   below is what parsed before that */
	bool capped;                    /* a cap dropped records/questions */
	uint16_t nq;
	struct ph_dns_question q[PH_DNS_MAX_QUESTIONS];
	uint16_t nrr;                   /* records in rr[], in wire order */
	struct ph_dns_rr rr[PH_DNS_MAX_RRS];
	/* RESPONSE: the matched query (NULL when none); QUERY: this query;
	 * UNANSWERED: the query that got no response. */
	const struct ph_dns_query_info *query;
	uint64_t rtt_ns;                /* RESPONSE with query: ts - query ts */
};

#ifdef __cplusplus
}
#endif
#endif
