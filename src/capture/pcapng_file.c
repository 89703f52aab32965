/* pcapng reader (draft-ietf-opsawg-pcapng): sections in either byte order
 * (each SHB resets the interfaces), IDBs with if_tsresol (decimal and
 * power-of-two) and if_tsoffset, EPB, SPB (snaplen of interface 0, time of
 * the previous packet since SPBs carry none), the obsolete Packet Block,
 * and PCAPdroid's UID->app Custom Block (PEN 62652, type 1). Other blocks
 * are skipped and counted. Each frame carries its own interface's link
 * type, so mixed-link-type files work (libpcap rejects them). Caps: blocks
 * held whole up to PH_CAPTURE_MAX_BLOCK, skippable ones streamed up to
 * PH_CAPTURE_MAX_SKIP, PH_CAPTURE_MAX_IFACES interfaces per section. */
#include <stdlib.h>

#include "capture/capture_internal.h"

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_PB 0x00000002u
#define BT_SPB 0x00000003u
#define BT_EPB 0x00000006u
#define BT_CB 0x00000BADu
#define BT_CB_NOCOPY 0x40000BADu
#define BOM 0x1A2B3C4Du
#define SHB_MIN_LEN 28u
#define PCAPDROID_PEN 62652u
#define PCAPDROID_UID_MAP 1u

/* Result of one block besides errors. */
enum { NG_OTHER = 0, NG_FRAME = 1, NG_END = 2 };

static inline uint32_t ld32(const uint8_t *p, bool be)
{
	return be ? ph_be32(p)
		  : (uint32_t)p[0] | (uint32_t)p[1] << 8 |
			    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint32_t rd32(struct ph_rd *r, bool be)
{
	return be ? ph_rd_be32(r) : ph_rd_le32(r);
}

static inline uint16_t rd16(struct ph_rd *r, bool be)
{
	return be ? ph_rd_be16(r) : ph_rd_le16(r);
}

static uint64_t rd64(struct ph_rd *r, bool be)
{
	uint64_t a = rd32(r, be), b = rd32(r, be);
	return be ? a << 32 | b : b << 32 | a;
}

/* Sets the interface's unit conversion from an if_tsresol value. */
static void iface_set_resol(struct ph_ng_iface *ifc, uint8_t v)
{
	ifc->tsresol = v;
	ifc->binary = (v & 0x80) != 0;
	ifc->shift = v & 0x7f;
	ifc->mul = 1;
	ifc->div = 1;
	if (ifc->binary)
		return;
	for (unsigned e = v; e < 9; e++)
		ifc->mul *= 10;
	/* 10^(v-9); beyond 10^19 every u64 count is below one ns. */
	for (unsigned e = 9; e < v && ifc->div; e++)
		ifc->div = e - 9 < 19 ? ifc->div * 10 : 0;
}

/* Packet time in ns since the epoch, clamped to [0, UINT64_MAX]. */
static uint64_t iface_ts(const struct ph_ng_iface *ifc, uint64_t units)
{
	uint64_t ns;
	if (ifc->binary) {
		unsigned __int128 x = (unsigned __int128)units * 1000000000u;
		x >>= ifc->shift;
		ns = x > UINT64_MAX ? UINT64_MAX : (uint64_t)x;
	} else if (ifc->mul > 1) {
		ns = units > UINT64_MAX / ifc->mul ? UINT64_MAX
						   : units * ifc->mul;
	} else {
		ns = ifc->div ? units / ifc->div : 0;
	}
	int64_t off = ifc->offset_s;
	if (off == 0)
		return ns;
	if (off > 0) {
		uint64_t add = (uint64_t)off > UINT64_MAX / 1000000000u
				       ? UINT64_MAX
				       : (uint64_t)off * 1000000000u;
		return ns > UINT64_MAX - add ? UINT64_MAX : ns + add;
	}
	uint64_t neg = (uint64_t)(-(off + 1)) + 1; /* |off| without overflow */
	uint64_t sub = neg > UINT64_MAX / 1000000000u ? UINT64_MAX
						      : neg * 1000000000u;
	return ns < sub ? 0 : ns - sub;
}

/* Section Header Block body: byte order was set by the caller. */
static int ng_shb(struct ph_capture *c, struct ph_rd *b, uint64_t off,
		  struct ph_err *err)
{
	(void)rd32(b, c->be); /* byte-order magic */
	uint16_t major = rd16(b, c->be), minor = rd16(b, c->be);
	if (major != 1)
		return ph_capture_fail(c, err, PH_EUNSUPPORTED, 0, off,
				       "pcapng section at offset %llu has "
				       "version %u.%u",
				       (unsigned long long)off, major, minor);
	c->n_ifaces = 0;
	return NG_OTHER;
}

/* Reads IDB options we use: if_tsresol (9), if_tsoffset (14). A malformed
 * option list ends the scan; the interface stays usable. */
static void idb_options(struct ph_capture *c, struct ph_rd *b,
			struct ph_ng_iface *ifc)
{
	while (ph_rd_left(b) >= 4) {
		uint16_t code = rd16(b, c->be), len = rd16(b, c->be);
		struct ph_rd v;
		const uint8_t *p = ph_rd_bytes(b, len);
		if (code == 0 || !p)
			return;
		ph_rd_init(&v, p, len);
		(void)ph_rd_skip(b, (4u - (len & 3u)) & 3u);
		if (code == 9 && len >= 1)
			iface_set_resol(ifc, p[0]);
		else if (code == 14 && len >= 8)
			ifc->offset_s = (int64_t)rd64(&v, c->be);
	}
}

static int ng_idb(struct ph_capture *c, struct ph_rd *b, uint64_t off,
		  struct ph_err *err)
{
	if (c->n_ifaces >= PH_CAPTURE_MAX_IFACES)
		return ph_capture_fail(c, err, PH_EUNSUPPORTED, 0, off,
				       "more than %d interfaces in one pcapng "
				       "section (block at offset %llu)",
				       PH_CAPTURE_MAX_IFACES,
				       (unsigned long long)off);
	struct ph_ng_iface *ifc = &c->ifaces[c->n_ifaces];
	*ifc = (struct ph_ng_iface){0};
	ifc->linktype = ph_capture_linktype(rd16(b, c->be));
	(void)rd16(b, c->be);
	ifc->snaplen = rd32(b, c->be);
	if (b->err) {
		c->st.bad_records++; /* too short to describe anything */
		return NG_OTHER;
	}
	if (ifc->snaplen == 0 || ifc->snaplen > PH_CAPTURE_MAX_RECORD)
		c->st.odd_snaplen++;
	iface_set_resol(ifc, 6);
	idb_options(c, b, ifc);
	c->n_ifaces++;
	return NG_OTHER;
}

/* Fills the frame shared by EPB/PB/SPB once the fields are validated.
 * Returns NG_FRAME, NG_OTHER (skipped, counted) or an error. */
static int ng_frame(struct ph_capture *c, struct ph_rd *b, uint32_t ifid,
		    uint32_t caplen, uint32_t wirelen, struct ph_frame *f,
		    uint64_t off, struct ph_err *err)
{
	if (caplen > PH_CAPTURE_MAX_RECORD)
		return ph_capture_fail(c, err, PH_EFORMAT, c->pkt_no + 1, off,
				       "packet %llu: captured length %u exceeds "
				       "the %u-byte cap",
				       (unsigned long long)(c->pkt_no + 1),
				       caplen, PH_CAPTURE_MAX_RECORD);
	const uint8_t *data = ph_rd_bytes(b, caplen);
	if (b->err || ifid >= c->n_ifaces || !data) {
		c->st.bad_records++; /* unknown interface or short block */
		return NG_OTHER;
	}
	const struct ph_ng_iface *ifc = &c->ifaces[ifid];
	if (ifc->snaplen && caplen > ifc->snaplen)
		c->st.clamped_caplen++;
	if (wirelen < caplen) {
		wirelen = caplen;
		c->st.short_wirelen++;
	}
	f->data = data;
	f->caplen = caplen;
	f->wirelen = wirelen;
	f->linktype = ifc->linktype;
	f->iface = ifid;
	f->pkt_no = ++c->pkt_no;
	return NG_FRAME;
}

/* Enhanced (6) and obsolete (2) Packet Blocks. */
static int ng_epb(struct ph_capture *c, struct ph_rd *b, uint32_t type,
		  struct ph_frame *f, uint64_t off, struct ph_err *err)
{
	uint32_t ifid;
	if (type == BT_EPB) {
		ifid = rd32(b, c->be);
	} else {
		ifid = rd16(b, c->be);
		(void)rd16(b, c->be); /* drops count */
	}
	uint64_t hi = rd32(b, c->be), lo = rd32(b, c->be);
	uint32_t caplen = rd32(b, c->be), wirelen = rd32(b, c->be);
	int r = ng_frame(c, b, ifid, caplen, wirelen, f, off, err);
	if (r == NG_FRAME) {
		f->ts_ns = iface_ts(&c->ifaces[ifid], hi << 32 | lo);
		c->last_ts = f->ts_ns;
	}
	return r;
}

/* Simple Packet Block: length from interface 0's snaplen and the block. */
static int ng_spb(struct ph_capture *c, struct ph_rd *b, struct ph_frame *f,
		  uint64_t off, struct ph_err *err)
{
	uint32_t wirelen = rd32(b, c->be);
	uint32_t caplen = wirelen;
	if (c->n_ifaces && c->ifaces[0].snaplen &&
	    caplen > c->ifaces[0].snaplen)
		caplen = c->ifaces[0].snaplen;
	if (caplen > ph_rd_left(b))
		caplen = (uint32_t)ph_rd_left(b);
	int r = ng_frame(c, b, 0, caplen, wirelen, f, off, err);
	if (r == NG_FRAME)
		f->ts_ns = c->last_ts;
	return r;
}

/* Custom Block: PCAPdroid's UID map (pcap_dump.h, pcapng_pd_uid_map_block:
 * PEN, u16 version 1, u8 type 1, u8 pad, i32 uid, u8 package length, u8
 * label length, package, label), in the section's byte order. */
static int ng_custom(struct ph_capture *c, struct ph_rd *b, uint64_t off,
		     struct ph_err *err)
{
	uint32_t pen = rd32(b, c->be);
	uint16_t version = rd16(b, c->be);
	uint8_t type = ph_rd_u8(b);
	(void)ph_rd_u8(b);
	if (b->err || pen != PCAPDROID_PEN || version != 1 ||
	    type != PCAPDROID_UID_MAP) {
		c->st.skipped_blocks++;
		return NG_OTHER;
	}
	int32_t uid = (int32_t)rd32(b, c->be);
	uint8_t plen = ph_rd_u8(b), llen = ph_rd_u8(b);
	const uint8_t *pkg = ph_rd_bytes(b, plen);
	const uint8_t *label = ph_rd_bytes(b, llen);
	if (b->err) {
		c->st.bad_records++;
		return NG_OTHER;
	}
	if (ph_capture_app_add(c, uid, pkg, plen, label, llen) < 0)
		return ph_capture_fail(c, err, PH_ENOMEM, 0, off,
				       "out of memory (PCAPdroid app table)");
	return NG_OTHER;
}

static int ng_dispatch(struct ph_capture *c, uint32_t type, struct ph_rd *b,
		       struct ph_frame *f, uint64_t off, struct ph_err *err)
{
	switch (type) {
	case BT_EPB:
	case BT_PB:
		return ng_epb(c, b, type, f, off, err);
	case BT_SPB:
		return ng_spb(c, b, f, off, err);
	case BT_IDB:
		return ng_idb(c, b, off, err);
	case BT_SHB:
		return ng_shb(c, b, off, err);
	case BT_CB:
	case BT_CB_NOCOPY:
		return ng_custom(c, b, off, err);
	default:
		c->st.skipped_blocks++;
		return NG_OTHER;
	}
}

static bool is_held(uint32_t type)
{
	return type == BT_SHB || type == BT_IDB || type == BT_EPB ||
	       type == BT_SPB || type == BT_PB;
}

static bool is_packet(uint32_t type)
{
	return type == BT_EPB || type == BT_SPB || type == BT_PB;
}

/* The input ended inside a block of `need` bytes starting at `off`. */
static int ng_short(struct ph_capture *c, uint32_t type, uint64_t need,
		    uint64_t off, struct ph_err *err)
{
	size_t left = ph_input_avail(&c->in);
	if (is_packet(type)) {
		uint64_t pkt = c->pkt_no + 1;
		return ph_capture_fail(c, err, PH_ETRUNC, pkt, off,
				       "packet %llu truncated: block needs "
				       "%llu bytes, %zu left",
				       (unsigned long long)pkt,
				       (unsigned long long)need, left);
	}
	return ph_capture_fail(c, err, PH_ETRUNC, 0, off,
			       "block at offset %llu (type 0x%08x) truncated: "
			       "needs %llu bytes, %zu left",
			       (unsigned long long)off, type,
			       (unsigned long long)need, left);
}

/* Streams past a skippable block too large to hold; checks its trailer. */
static int ng_skip_big(struct ph_capture *c, uint32_t type, uint32_t len,
		       uint64_t off, struct ph_err *err)
{
	struct ph_input *in = &c->in;
	int r = ph_input_skip(in, len - 4u, err);
	if (r == 1)
		r = ph_input_need(in, 4, err);
	if (r < 0)
		return r;
	if (r == 0)
		return ng_short(c, type, len, off, err);
	uint32_t t = ld32(ph_input_ptr(in), c->be);
	in->pos += 4;
	if (t != len)
		return ph_capture_fail(c, err, PH_EFORMAT, 0, off,
				       "block at offset %llu: trailing length "
				       "%u differs from %u",
				       (unsigned long long)off, t, len);
	c->st.skipped_blocks++;
	return NG_OTHER;
}

/* Reads the block header; sets the section byte order at an SHB. Returns
 * 1 with type/len set, NG_END at a clean end, or an error. */
static int ng_header(struct ph_capture *c, uint32_t *type, uint32_t *len,
		     uint64_t off, struct ph_err *err)
{
	struct ph_input *in = &c->in;
	int r = ph_input_need(in, 12, err);
	if (r < 0)
		return r;
	size_t left = ph_input_avail(in);
	if (r == 0 && left == 0)
		return NG_END;
	if (r == 0) /* every block has at least 12 bytes */
		return ng_short(c, left >= 4 ? ld32(ph_input_ptr(in), c->be)
					     : 0, 12, off, err);
	const uint8_t *p = ph_input_ptr(in);
	*type = ld32(p, c->be);
	if (*type == BT_SHB) {
		if (ld32(p + 8, false) == BOM)
			c->be = false;
		else if (ld32(p + 8, true) == BOM)
			c->be = true;
		else
			return ph_capture_fail(c, err, PH_EFORMAT, 0, off,
					       "pcapng section at offset %llu: "
					       "bad byte-order magic 0x%08x",
					       (unsigned long long)off,
					       ph_be32(p + 8));
	}
	*len = ld32(p + 4, c->be);
	if (*len < 12 || (*len & 3u) || (*type == BT_SHB && *len < SHB_MIN_LEN))
		return ph_capture_fail(c, err, PH_EFORMAT, 0, off,
				       "block at offset %llu (type 0x%08x): bad "
				       "total length %u",
				       (unsigned long long)off, *type, *len);
	return 1;
}

/* Reads one block: NG_FRAME with *f filled, NG_OTHER, NG_END, or <0. */
static int ng_block(struct ph_capture *c, struct ph_frame *f,
		    struct ph_err *err)
{
	struct ph_input *in = &c->in;
	uint64_t off = ph_input_off(in);
	uint32_t type = 0, len = 0;
	int r = ng_header(c, &type, &len, off, err);
	if (r != 1)
		return r;
	if (len > PH_CAPTURE_MAX_BLOCK) {
		if (!is_held(type) && len <= PH_CAPTURE_MAX_SKIP)
			return ng_skip_big(c, type, len, off, err);
		return ph_capture_fail(c, err, PH_EFORMAT,
				       is_packet(type) ? c->pkt_no + 1 : 0, off,
				       "block at offset %llu (type 0x%08x): "
				       "total length %u exceeds the %u-byte cap",
				       (unsigned long long)off, type, len,
				       (unsigned)(is_held(type)
							  ? PH_CAPTURE_MAX_BLOCK
							  : PH_CAPTURE_MAX_SKIP));
	}
	r = ph_input_need(in, len, err);
	if (r <= 0)
		return r < 0 ? r : ng_short(c, type, len, off, err);
	const uint8_t *p = ph_input_ptr(in);
	if (ld32(p + len - 4, c->be) != len)
		return ph_capture_fail(c, err, PH_EFORMAT, 0, off,
				       "block at offset %llu: trailing length "
				       "%u differs from %u",
				       (unsigned long long)off,
				       ld32(p + len - 4, c->be), len);
	struct ph_rd body;
	ph_rd_init(&body, p + 8, len - 12);
	r = ng_dispatch(c, type, &body, f, off, err);
	if (r >= 0)
		in->pos += len;
	return r;
}

static int ng_next(struct ph_capture *c, struct ph_frame *f,
		   struct ph_err *err)
{
	for (;;) {
		int r = ng_block(c, f, err);
		if (r == NG_FRAME)
			return 1;
		if (r == NG_END)
			return ph_capture_eof(c, err);
		if (r < 0)
			return r;
	}
}

int ph_pcapng_start(struct ph_capture *c, struct ph_err *err)
{
	struct ph_input *in = &c->in;
	int r = ph_input_need(in, SHB_MIN_LEN, err);
	if (r < 0)
		return r;
	if (r == 0)
		return ph_capture_fail(c, err, PH_ETRUNC, 0, 0,
				       "truncated pcapng section header: %zu of "
				       "%u bytes", ph_input_avail(in),
				       SHB_MIN_LEN);
	c->ifaces = calloc(PH_CAPTURE_MAX_IFACES, sizeof *c->ifaces);
	if (!c->ifaces)
		return ph_capture_fail(c, err, PH_ENOMEM, 0, 0,
				       "out of memory (interface table)");
	r = ng_block(c, NULL, err); /* the first SHB: never a frame */
	if (r < 0)
		return r;
	c->next = ng_next;
	return 0;
}
