/* libFuzzer target for the decode stage (src/decode): input byte 0 picks
 * the link type, byte 1 the snaplen cut and time step, and the rest is one
 * or more frames separated by the 4 bytes "PHFR", decoded in order by one
 * decoder so fragments meet in its reassembly table; the table is then
 * expired. Each result is checked against ph_pkt's contract and every
 * byte it points to is read, so ASan sees any stray pointer. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "decode/decode.h"

static const int link_types[] = {
	PH_LINK_ETHERNET, PH_LINK_LINUX_SLL, PH_LINK_LINUX_SLL2, PH_LINK_RAW,
	PH_LINK_IPV4,     PH_LINK_IPV6,      PH_LINK_NULL,       PH_LINK_LOOP,
	PH_LINK_PPP,      PH_LINK_PPP_HDLC,  104,                105,
	107,              127,               239,                147,
};

static volatile uint8_t sink;

static void touch(const uint8_t *p, uint32_t n)
{
	uint8_t x = 0;
	for (uint32_t i = 0; i < n; i++)
		x ^= p[i];
	sink = x;
}

static void check(const struct ph_frame *f, const struct ph_pkt *p,
		  enum ph_decode_result r)
{
	if (p->nvlan > PH_DECODE_MAX_VLANS || p->tunnel_depth >
						     PH_DECODE_MAX_TUNNELS)
		__builtin_trap();
	if (memchr(p->app_name, 0, sizeof p->app_name) == NULL)
		__builtin_trap();
	if (r != PH_DECODE_FLOW)
		return;
	if (p->t.ipver != 4 && p->t.ipver != 6)
		__builtin_trap();
	if (p->t.ipver == 4)
		for (int i = 4; i < 16; i++)
			if (p->t.src[i] || p->t.dst[i])
				__builtin_trap();
	if (!p->l4 || !p->payload || p->payload_len > p->payload_wire ||
	    p->payload_len > p->l4_caplen)
		__builtin_trap();
	if (!p->reassembled &&
	    (p->l4 < f->data || p->l4 + p->l4_caplen > f->data + f->caplen))
		__builtin_trap();
	touch(p->l4, p->l4_caplen);
	touch(p->payload, p->payload_len);
}

static const uint8_t *next_sep(const uint8_t *p, const uint8_t *end)
{
	const uint8_t *q = p;
	while (end - q >= 4) {
		q = memchr(q, 'P', (size_t)(end - q - 3));
		if (!q)
			return end;
		if (memcmp(q, "PHFR", 4) == 0)
			return q;
		q++;
	}
	return end;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	struct ph_anomalies an;
	memset(&an, 0, sizeof an);
	struct ph_decoder *d = ph_decoder_new(&an);
	if (!d)
		return 0;
	int lt = link_types[data[0] % (sizeof link_types / sizeof *link_types)];
	uint8_t knob = data[1];
	const uint8_t *p = data + 2, *end = data + size;
	uint64_t ts = 1000;
	for (uint64_t no = 1; p <= end; no++) {
		const uint8_t *q = next_sep(p, end);
		struct ph_frame f = {
			.ts_ns = ts,
			.data = p,
			.caplen = (uint32_t)(q - p),
			.wirelen = (uint32_t)(q - p) + (knob & 0x0f) * 100u,
			.linktype = lt,
			.pkt_no = no,
		};
		struct ph_pkt pkt;
		check(&f, &pkt, ph_decode(d, &f, &pkt));
		ts += (knob & 0x10) ? 20000000000ull : 1000;
		if (q == end)
			break;
		p = q + 4;
	}
	ph_decoder_expire(d, ts + PH_FRAG_TIMEOUT_NS + 1);
	const struct ph_decode_stats *st = ph_decoder_stats(d);
	if (st->frag_datagrams != 0 || st->frag_bytes > PH_FRAG_MAX_BYTES)
		__builtin_trap();
	ph_decoder_free(d);
	return 0;
}
