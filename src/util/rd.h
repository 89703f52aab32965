/* Bounded reader over wire bytes: every read is checked against the end, a
 * failed read sets a sticky error and returns 0, so parsers can chain reads
 * and test `r->err` once. The only way parsers touch untrusted bytes.
 * Borrowed buffer: valid as long as the caller's memory is. */
#ifndef PH_UTIL_RD_H
#define PH_UTIL_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct ph_rd {
	const uint8_t *p;   /* borrowed: start of the buffer */
	size_t len;         /* total bytes */
	size_t off;         /* cursor */
	bool err;           /* sticky: set by any read past the end */
};

static inline void ph_rd_init(struct ph_rd *r, const void *p, size_t len)
{
	r->p = (const uint8_t *)p;
	r->len = len;
	r->off = 0;
	r->err = false;
}

static inline size_t ph_rd_left(const struct ph_rd *r)
{
	return r->err ? 0 : r->len - r->off;
}

static inline bool ph_rd_need(struct ph_rd *r, size_t n)
{
	if (r->err || r->len - r->off < n) {
		r->err = true;
		return false;
	}
	return true;
}

static inline const uint8_t *ph_rd_ptr(const struct ph_rd *r)
{
	return r->p + r->off;
}

static inline uint8_t ph_rd_u8(struct ph_rd *r)
{
	if (!ph_rd_need(r, 1))
		return 0;
	return r->p[r->off++];
}

static inline uint16_t ph_rd_be16(struct ph_rd *r)
{
	if (!ph_rd_need(r, 2))
		return 0;
	const uint8_t *q = r->p + r->off;
	r->off += 2;
	return (uint16_t)((q[0] << 8) | q[1]);
}

static inline uint32_t ph_rd_be24(struct ph_rd *r)
{
	if (!ph_rd_need(r, 3))
		return 0;
	const uint8_t *q = r->p + r->off;
	r->off += 3;
	return ((uint32_t)q[0] << 16) | ((uint32_t)q[1] << 8) | q[2];
}

static inline uint32_t ph_rd_be32(struct ph_rd *r)
{
	if (!ph_rd_need(r, 4))
		return 0;
	const uint8_t *q = r->p + r->off;
	r->off += 4;
	return ((uint32_t)q[0] << 24) | ((uint32_t)q[1] << 16) |
	       ((uint32_t)q[2] << 8) | q[3];
}

static inline uint16_t ph_rd_le16(struct ph_rd *r)
{
	if (!ph_rd_need(r, 2))
		return 0;
	const uint8_t *q = r->p + r->off;
	r->off += 2;
	return (uint16_t)(q[0] | (q[1] << 8));
}

static inline uint32_t ph_rd_le32(struct ph_rd *r)
{
	if (!ph_rd_need(r, 4))
		return 0;
	const uint8_t *q = r->p + r->off;
	r->off += 4;
	return (uint32_t)q[0] | ((uint32_t)q[1] << 8) | ((uint32_t)q[2] << 16) |
	       ((uint32_t)q[3] << 24);
}

/* Returns a borrowed pointer to the next n bytes and advances, or NULL. */
static inline const uint8_t *ph_rd_bytes(struct ph_rd *r, size_t n)
{
	if (!ph_rd_need(r, n))
		return NULL;
	const uint8_t *q = r->p + r->off;
	r->off += n;
	return q;
}

static inline bool ph_rd_skip(struct ph_rd *r, size_t n)
{
	return ph_rd_bytes(r, n) != NULL;
}

/* Copies n bytes into dst (which must hold n); false and dst untouched
 * when fewer are left. */
static inline bool ph_rd_copy(struct ph_rd *r, void *dst, size_t n)
{
	const uint8_t *q = ph_rd_bytes(r, n);
	if (!q)
		return false;
	memcpy(dst, q, n);
	return true;
}

/* Unchecked big-endian loads for code that has already checked bounds. */
static inline uint16_t ph_be16(const uint8_t *q)
{
	return (uint16_t)((q[0] << 8) | q[1]);
}

static inline uint32_t ph_be32(const uint8_t *q)
{
	return ((uint32_t)q[0] << 24) | ((uint32_t)q[1] << 16) |
	       ((uint32_t)q[2] << 8) | q[3];
}

#endif
