/* Community ID v1 (see community_id.h). Follows the spec's reference
 * implementation (community-id.py, pycommunityid) and Zeek's
 * communityid.bif: ports for TCP, UDP, SCTP, ICMP and ICMPv6 only; ICMP
 * types with a request/reply counterpart are ordered like ports, other
 * ICMP types are one-way and never flipped; endpoints are ordered by
 * address bytes, then port, smaller first. 40..44 bytes hashed per call. */
/* SHA-1 through OpenSSL's low-level SHA1_Init/Update/Final: deprecated
 * in OpenSSL 3 but free of the provider look-up and locking that SHA1()
 * and EVP_Digest() pay on every call (2-3 % of a whole run at one hash per
 * connection). */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "report/community_id.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <string.h>

#include "peephole/ph.h"

#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_ICMP6 58
#define PROTO_SCTP 132

/* Zeek's ICMP4_counterpart (src/packet_analysis/protocol/icmp/ICMP.cc). */
static int icmp4_counterpart(uint8_t type)
{
	switch (type) {
	case 8: return 0;   /* echo -> echo reply */
	case 0: return 8;
	case 13: return 14; /* timestamp */
	case 14: return 13;
	case 15: return 16; /* information */
	case 16: return 15;
	case 10: return 9;  /* router solicitation -> advertisement */
	case 9: return 10;
	case 17: return 18; /* address mask */
	case 18: return 17;
	default: return -1;
	}
}

/* Zeek's ICMP6_counterpart. */
static int icmp6_counterpart(uint8_t type)
{
	switch (type) {
	case 128: return 129; /* echo request -> reply */
	case 129: return 128;
	case 133: return 134; /* router solicitation -> advertisement */
	case 134: return 133;
	case 135: return 136; /* neighbor solicitation -> advertisement */
	case 136: return 135;
	case 130: return 131; /* MLD query -> report */
	case 131: return 130;
	case 139: return 140; /* node information query -> response */
	case 140: return 139;
	case 144: return 145; /* home agent address discovery */
	case 145: return 144;
	default: return -1;
	}
}

uint16_t ph_cid_icmp_port(uint8_t proto, uint8_t type, uint8_t code,
			  bool *one_way)
{
	int c = proto == PROTO_ICMP6 ? icmp6_counterpart(type)
				     : icmp4_counterpart(type);
	if (one_way)
		*one_way = c < 0;
	return c < 0 ? code : (uint16_t)c;
}

static bool has_ports(uint8_t proto)
{
	return proto == PROTO_TCP || proto == PROTO_UDP || proto == PROTO_SCTP ||
	       proto == PROTO_ICMP || proto == PROTO_ICMP6;
}

int ph_community_id_digest(const struct ph_cid_flow *f, uint16_t seed,
			   uint8_t digest[20])
{
	if (!f->saddr || !f->daddr || (f->ipver != 4 && f->ipver != 6))
		return PH_EINVAL;
	size_t alen = f->ipver == 4 ? 4 : 16;
	const uint8_t *sa = f->saddr, *da = f->daddr;
	uint16_t sp = f->sport, dp = f->dport;
	bool one_way = false;
	if (f->proto == PROTO_ICMP || f->proto == PROTO_ICMP6)
		dp = ph_cid_icmp_port(f->proto, (uint8_t)sp, (uint8_t)dp, &one_way);
	int c = memcmp(sa, da, alen);
	if (!one_way && !(c < 0 || (c == 0 && sp < dp))) {
		const uint8_t *ta = sa;
		uint16_t tp = sp;
		sa = da, da = ta;
		sp = dp, dp = tp;
	}
	uint8_t in[2 + 16 + 16 + 2 + 4], *p = in;
	*p++ = (uint8_t)(seed >> 8);
	*p++ = (uint8_t)seed;
	memcpy(p, sa, alen);
	memcpy(p + alen, da, alen);
	p += 2 * alen;
	*p++ = f->proto;
	*p++ = 0;
	if (has_ports(f->proto)) {
		uint8_t ports[4] = {(uint8_t)(sp >> 8), (uint8_t)sp,
				    (uint8_t)(dp >> 8), (uint8_t)dp};
		memcpy(p, ports, 4);
		p += 4;
	}
	SHA_CTX sha;
	SHA1_Init(&sha);
	SHA1_Update(&sha, in, (size_t)(p - in));
	SHA1_Final(digest, &sha);
	return PH_OK;
}

int ph_community_id_v1(const struct ph_cid_flow *f, uint16_t seed,
		       char out[PH_COMMUNITY_ID_SIZE])
{
	uint8_t d[20];
	int r = ph_community_id_digest(f, seed, d);
	if (r)
		return r;
	out[0] = '1';
	out[1] = ':';
	int n = EVP_EncodeBlock((unsigned char *)out + 2, d, (int)sizeof d);
	return 2 + n; /* 28; EVP_EncodeBlock NUL-terminates */
}
