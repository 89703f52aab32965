/* DNS name decoding (RFC 1035 3.1 and 4.1.4): labels and compression
 * pointers, with Zeek's rules (a pointer must point before itself; labels
 * over 63 bytes and the extended label types 0x40/0x80 are malformed) and
 * our caps: PH_DNS_NAME_MAX decoded bytes (the rest is skipped, counted),
 * PH_DNS_MAX_LABELS labels and PH_DNS_MAX_JUMPS pointers per name. */
#include "proto/dns_int.h"

static void name_append(struct ph_dns_name *out, const uint8_t *lab,
			size_t n)
{
	size_t room = PH_DNS_NAME_MAX - out->len;
	size_t need = n + (out->len ? 1 : 0);
	if (need > room) {
		out->truncated = true;
		return;
	}
	if (out->len)
		out->s[out->len++] = '.';
	for (size_t i = 0; i < n; i++) {
		uint8_t c = lab[i];
		out->s[out->len++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
}

/* Follows the pointer whose first byte b was just read at offset `at`:
 * cur is narrowed to the bytes before `at` and moved to the target. */
static int follow(struct ph_rd *cur, uint8_t b, size_t at, unsigned *jumps,
		  struct ph_dns_caps *caps)
{
	uint8_t lo = ph_rd_u8(cur);
	if (cur->err)
		return -1;
	size_t target = ((size_t)(b & 0x3f) << 8) | lo;
	if (target >= at) { /* forward or self pointer */
		caps->bad_names++;
		return -1;
	}
	if (++*jumps > PH_DNS_MAX_JUMPS) {
		caps->jumps_capped++;
		return -1;
	}
	cur->len = at;
	cur->off = target;
	return 0;
}

int ph_dns_name_read(struct ph_rd *r, struct ph_dns_name *out,
		     struct ph_dns_caps *caps)
{
	struct ph_rd cur = *r;
	unsigned jumps = 0, labels = 0;
	bool jumped = false;
	out->len = 0;
	out->truncated = false;
	out->s[0] = '\0';
	for (;;) {
		size_t at = cur.off;
		uint8_t b = ph_rd_u8(&cur);
		if (cur.err)
			goto bad;
		if (b == 0)
			break;
		if ((b & 0xc0) == 0xc0) {
			if (follow(&cur, b, at, &jumps, caps) < 0) {
				if (!jumped) /* the pointer itself was in place */
					r->off = cur.err ? r->len : at + 2;
				goto fail;
			}
			if (!jumped)
				r->off = at + 2;
			jumped = true;
			continue;
		}
		if (b & 0xc0) { /* 0x40/0x80: extended/reserved label types */
			caps->bad_names++;
			goto bad;
		}
		const uint8_t *lab = ph_rd_bytes(&cur, b);
		if (!lab)
			goto bad;
		if (++labels > PH_DNS_MAX_LABELS) {
			caps->labels_capped++;
			goto bad;
		}
		name_append(out, lab, b);
	}
	if (!jumped)
		r->off = cur.off;
	if (out->truncated)
		caps->names_truncated++;
	out->s[out->len] = '\0';
	return 0;
bad:
	if (!jumped)
		r->off = r->len;
fail:
	r->err = true;
	out->s[out->len] = '\0';
	return -1;
}
