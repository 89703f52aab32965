/* Google QUIC version labels and cleartext CHLO SNI (see quic_gquic.h).
 * Public header (Q0xx <= Q043): flags byte (0x01 version present, 0x08
 * 8-byte connection ID, 0x80 reserved), CID, 4-byte version. Long header
 * (Q046+, T05x): first byte with 0x80|0x40 and the version right after.
 * CHLO (QUIC crypto handshake): "CHLO", u16le tag count, u16le padding,
 * then (tag, u32le end offset) pairs, then the values back to back. */
#include "proto/quic_gquic.h"

#include <string.h>

#include "proto/quic_crypto.h"
#include "util/rd.h"

uint32_t ph_gquic_version(const uint8_t *d, size_t n)
{
	if (n < 13)
		return 0;
	uint32_t v;
	if ((d[0] & 0xc0) == 0xc0) {
		v = ph_be32(d + 1); /* Q046+ long header */
	} else {
		/* public header: version flag, 8-byte CID, no reserved bit */
		if ((d[0] & 0x81) != 0x01 || (d[0] & 0x08) == 0)
			return 0;
		v = ph_be32(d + 9);
	}
	return ph_quic_is_gquic_version(v) ? v : 0;
}

/* Parses the tag table at p (just after "CHLO"). */
static int chlo_sni(const uint8_t *p, size_t n, char *sni, size_t cap)
{
	struct ph_rd r;
	ph_rd_init(&r, p, n);
	uint16_t ntags = ph_rd_le16(&r);
	ph_rd_skip(&r, 2);
	if (r.err || ntags == 0 || ntags > PH_GQUIC_MAX_TAGS)
		return -1;
	const uint8_t *tab = ph_rd_bytes(&r, (size_t)ntags * 8);
	if (!tab)
		return -1;
	size_t vals = r.off, left = ph_rd_left(&r);
	uint32_t prev = 0;
	for (unsigned i = 0; i < ntags; i++) {
		const uint8_t *t = tab + 8 * i;
		uint32_t end = (uint32_t)t[4] | (uint32_t)t[5] << 8 |
			       (uint32_t)t[6] << 16 | (uint32_t)t[7] << 24;
		if (end < prev)
			return -1;
		if (memcmp(t, "SNI\0", 4) == 0) {
			if (end > left)
				return -1; /* value in a later packet */
			size_t len = end - prev;
			if (len > cap - 1)
				len = cap - 1;
			memcpy(sni, p + vals + prev, len);
			sni[len] = 0;
			return len ? 1 : 0;
		}
		prev = end;
	}
	return 0;
}

int ph_gquic_chlo_sni(const uint8_t *d, size_t n, char *sni, size_t cap)
{
	if (cap == 0)
		return -1;
	sni[0] = 0;
	size_t win = n < PH_GQUIC_SCAN ? n : PH_GQUIC_SCAN;
	const uint8_t *c = memmem(d, win, "CHLO", 4);
	if (!c)
		return -1;
	size_t off = (size_t)(c - d) + 4;
	return chlo_sni(d + off, n - off, sni, cap);
}
