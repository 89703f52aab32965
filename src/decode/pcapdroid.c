/* PCAPdroid per-packet trailer (PCAPdroid's pcap_dump.h, "pcapdroid
 * trailer"): when PCAPdroid dumps a classic pcap with extensions on, each
 * frame is [bogus Ethernet | IP (cut at its snaplen) | 0-3 zero bytes to
 * a 4-byte boundary | trailer], trailer = magic 0x01072021 (BE), uid
 * (BE int32), app name (20 bytes, NUL-padded), fcs (CRC-32 of the frame,
 * not checked here). The record's original length is the IP length plus
 * the whole overhead, so wirelen - caplen is the part of the IP packet
 * missing from the capture.
 * We accept the trailer only when, at the outermost IP header, the bytes
 * before it are exactly the captured IP packet plus 0-3 zero pad bytes;
 * a magic that falls inside the IP packet is payload, not a trailer.
 * Works for any link type (PCAPdroid uses Ethernet; raw IP accepted).
 * App names keep printable ASCII only (others become '?'). */
#include "decode/decode_int.h"

static void copy_name(char *dst, const uint8_t *src, uint32_t n)
{
	uint32_t i = 0;
	for (; i < n && src[i]; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '?';
	dst[i] = '\0';
}

uint32_t ph_dec_trailer_fit(struct ph_dec *s, const uint8_t *l3,
			    uint32_t totlen, uint32_t n)
{
	uint32_t l3off = (uint32_t)(l3 - s->frame);
	uint32_t tstart = s->caplen - PH_PCAPDROID_TRAILER_LEN;
	if (s->caplen < PH_PCAPDROID_TRAILER_LEN || l3off > tstart ||
	    s->caplen - l3off != n)
		return n; /* l3/n do not reach the frame end (e.g. NFLOG TLV) */
	if (ph_be32(s->frame + tstart) != PH_PCAPDROID_MAGIC)
		return n;
	uint32_t missing = s->wirelen > s->caplen ? s->wirelen - s->caplen : 0;
	if (missing > totlen)
		return n;
	uint32_t ipcap = totlen - missing;
	if (ipcap > tstart - l3off)
		return n;
	uint32_t pad = tstart - l3off - ipcap;
	if (pad > 3)
		return n;
	for (uint32_t i = 0; i < pad; i++)
		if (l3[ipcap + i] != 0)
			return n;
	const uint8_t *t = s->frame + tstart;
	struct ph_pkt *p = s->p;
	p->has_app = true;
	p->app_uid = (int32_t)ph_be32(t + 4);
	copy_name(p->app_name, t + 8, 20);
	return ipcap;
}
