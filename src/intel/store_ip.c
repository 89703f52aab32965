/* Address and CIDR indicators with longest-prefix match. Each range is a
 * node keyed by (version, prefix length, masked address); a bitmap holds
 * the prefix lengths in use per version. A lookup walks that bitmap from
 * the longest length down, masks the address and probes once per length:
 * O(prefix lengths present), independent of the number of ranges. */
#include <string.h>

#include "intel/store_int.h"

static size_t ip_key(const struct ph_intel_ip *ip, unsigned plen,
		     uint8_t key[18])
{
	size_t n = ip->ver == 4 ? 4 : 16;
	uint8_t tmp[16];
	memcpy(tmp, ip->addr, sizeof tmp);
	ph_intel_ip_mask(tmp, ip->ver, plen);
	key[0] = ip->ver;
	key[1] = (uint8_t)plen;
	memcpy(key + 2, tmp, n);
	return n + 2;
}

/* Longest prefix length in use that is <= from, or -1. */
static int next_len(const struct ph_intel *in, int ver, int from)
{
	const uint64_t *w = ver == 4 ? &in->v4lens : in->v6lens;
	if (from < 0)
		return -1;
	for (int i = from / 64; i >= 0; i--) {
		uint64_t m = w[i];
		int top = i == from / 64 ? from % 64 : 63;
		if (top < 63)
			m &= (2ull << top) - 1;
		if (m)
			return i * 64 + 63 - __builtin_clzll(m);
	}
	return -1;
}

int ph_intel_ip_add(struct ph_intel *in, unsigned src,
		    const struct ph_ioc_entry *e)
{
	struct ph_intel_ip ip;
	char text[64];
	uint8_t key[18];
	if (ph_intel_ip_parse(e->value, e->len, &ip) < 0 ||
	    ph_intel_ip_format(&ip, text, sizeof text) < 0)
		return PH_EINVAL;
	size_t klen = ip_key(&ip, ip.plen, key);
	int rc = ph_intel_put(in, PH_IOC_IP, key, klen, text, ip.plen, src, e);
	if (rc < 0)
		return rc;
	if (ip.ver == 4)
		in->v4lens |= 1ull << ip.plen;
	else
		in->v6lens[ip.plen / 64] |= 1ull << (ip.plen % 64);
	return rc;
}

unsigned ph_intel_ip_match(const struct ph_intel *in,
			   const struct ph_intel_ip *ip, struct ph_ioc_hit *hits,
			   unsigned max)
{
	uint8_t key[18];
	unsigned found = 0;
	for (int plen = next_len(in, ip->ver, ip->plen); plen >= 0;
	     plen = next_len(in, ip->ver, plen - 1)) {
		size_t klen = ip_key(ip, (unsigned)plen, key);
		found = ph_intel_probe(in, PH_IOC_IP, key, klen, hits, max,
				       found);
	}
	return found;
}
