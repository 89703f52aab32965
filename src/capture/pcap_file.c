/* Classic pcap reader (draft-ietf-opsawg-pcap; libpcap's savefile format):
 * both byte orders, microsecond (a1b2c3d4) and nanosecond (a1b23c4d)
 * magics, and Kuznetsov's patched format (a1b2cd34, 24-byte records).
 * Link type is the low 16 bits of the header field (the upper bits carry
 * the FCS length). Records are returned in place in the input window.
 * Caps: a record over PH_CAPTURE_MAX_RECORD is a format error; a header
 * snaplen of 0 or over the cap is accepted and counted (odd_snaplen). */
#include "capture/capture_internal.h"

#define PCAP_HDR_LEN 24u

static inline uint32_t rd32(struct ph_rd *r, bool be)
{
	return be ? ph_rd_be32(r) : ph_rd_le32(r);
}

static inline uint16_t rd16(struct ph_rd *r, bool be)
{
	return be ? ph_rd_be16(r) : ph_rd_le16(r);
}

/* The input ended inside the record at the window position (hl = header
 * length, body = record length once known). */
static int pcap_short(struct ph_capture *c, struct ph_err *err, uint32_t hl,
		      int64_t body)
{
	size_t left = ph_input_avail(&c->in);
	uint64_t pkt = c->pkt_no + 1, off = ph_input_off(&c->in);
	if (left == 0)
		return ph_capture_eof(c, err);
	if (body < 0)
		return ph_capture_fail(c, err, PH_ETRUNC, pkt, off,
				       "packet %llu truncated: record header "
				       "needs %u bytes, %zu left",
				       (unsigned long long)pkt, hl, left);
	return ph_capture_fail(c, err, PH_ETRUNC, pkt, off,
			       "packet %llu truncated: record needs %lld "
			       "bytes, %zu left", (unsigned long long)pkt,
			       (long long)body, left - hl);
}

static int pcap_next(struct ph_capture *c, struct ph_frame *f,
		     struct ph_err *err)
{
	struct ph_input *in = &c->in;
	uint32_t hl = c->rec_hdr;
	int r = ph_input_need(in, hl, err);
	if (r <= 0)
		return r < 0 ? r : pcap_short(c, err, hl, -1);
	struct ph_rd rd;
	ph_rd_init(&rd, ph_input_ptr(in), hl);
	uint32_t sec = rd32(&rd, c->be), frac = rd32(&rd, c->be);
	uint32_t incl = rd32(&rd, c->be), orig = rd32(&rd, c->be);
	if (incl > PH_CAPTURE_MAX_RECORD)
		return ph_capture_fail(c, err, PH_EFORMAT, c->pkt_no + 1,
				       ph_input_off(in),
				       "packet %llu: record length %u exceeds "
				       "the %u-byte cap",
				       (unsigned long long)(c->pkt_no + 1), incl,
				       PH_CAPTURE_MAX_RECORD);
	r = ph_input_need(in, (size_t)hl + incl, err);
	if (r <= 0)
		return r < 0 ? r : pcap_short(c, err, hl, incl);
	if (incl > c->snaplen)
		c->st.clamped_caplen++;
	if (orig < incl) {
		orig = incl;
		c->st.short_wirelen++;
	}
	f->ts_ns = (uint64_t)sec * 1000000000u +
		   (c->nsec ? frac : (uint64_t)frac * 1000u);
	f->data = ph_input_ptr(in) + hl;
	f->caplen = incl;
	f->wirelen = orig;
	f->linktype = c->linktype;
	f->iface = 0;
	f->pkt_no = ++c->pkt_no;
	in->pos += (size_t)hl + incl;
	return 1;
}

int ph_pcap_start(struct ph_capture *c, struct ph_err *err)
{
	struct ph_input *in = &c->in;
	int r = ph_input_need(in, PCAP_HDR_LEN, err);
	if (r < 0)
		return r;
	if (r == 0)
		return ph_capture_fail(c, err, PH_ETRUNC, 0, 0,
				       "truncated pcap file header: %zu of %u "
				       "bytes", ph_input_avail(in), PCAP_HDR_LEN);
	struct ph_rd rd;
	ph_rd_init(&rd, ph_input_ptr(in), PCAP_HDR_LEN);
	uint32_t m = ph_be32(ph_input_ptr(in));
	c->be = m == 0xa1b2c3d4 || m == 0xa1b23c4d || m == 0xa1b2cd34;
	m = rd32(&rd, c->be);
	c->nsec = m == 0xa1b23c4d;
	c->rec_hdr = m == 0xa1b2cd34 ? 24 : 16;
	(void)rd16(&rd, c->be); /* version: not checked, as libpcap */
	(void)rd16(&rd, c->be);
	(void)rd32(&rd, c->be); /* thiszone, sigfigs: unused */
	(void)rd32(&rd, c->be);
	uint32_t snaplen = rd32(&rd, c->be);
	c->linktype = ph_capture_linktype(rd32(&rd, c->be));
	if (snaplen == 0 || snaplen > PH_CAPTURE_MAX_RECORD) {
		c->st.odd_snaplen++;
		snaplen = PH_CAPTURE_MAX_RECORD;
	}
	c->snaplen = snaplen;
	in->pos += PCAP_HDR_LEN;
	c->next = pcap_next;
	return 0;
}
