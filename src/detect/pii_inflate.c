/* Compressed HTTP request bodies for the pii detection (pii_scan.h): apps
 * often send their JSON with "Content-Encoding: gzip" (or deflate), which
 * hides every identifier from a byte search. The body is inflated with
 * zlib into a bounded buffer (PII_INFLATE_MAX bytes, and no more than
 * PII_INFLATE_RATIO times the compressed size: a decompression bomb stops
 * there) and searched once, in block mode, when the body ends or the
 * buffer is full. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "detect/pii_scan.h"

struct pii_inflate {
	z_stream z;
	uint64_t in;          /* compressed bytes fed */
	size_t n;             /* decompressed bytes held */
	bool done;            /* stream end, error or cap: feed no more */
	uint8_t out[PII_INFLATE_MAX];
};

struct pii_inflate *pii_inflate_new(void)
{
	struct pii_inflate *d = malloc(sizeof *d);
	if (!d)
		return NULL;
	memset(&d->z, 0, sizeof d->z);
	d->in = 0;
	d->n = 0;
	d->done = false;
	/* 15 + 32: zlib or gzip header, detected */
	if (inflateInit2(&d->z, 15 + 32) != Z_OK) {
		free(d);
		return NULL;
	}
	return d;
}

int pii_inflate_feed(struct pii_inflate *d, const uint8_t *p, size_t n)
{
	if (d->done)
		return 1;
	d->in += n;
	d->z.next_in = (Bytef *)(uintptr_t)p;
	d->z.avail_in = (uInt)n;
	while (d->z.avail_in && !d->done) {
		uint64_t limit = d->in * PII_INFLATE_RATIO;
		size_t cap = PII_INFLATE_MAX < limit ? PII_INFLATE_MAX
						     : (size_t)limit;
		if (d->n >= cap) {
			d->done = true;
			return 1;
		}
		d->z.next_out = d->out + d->n;
		d->z.avail_out = (uInt)(cap - d->n);
		int rc = inflate(&d->z, Z_NO_FLUSH);
		d->n = (size_t)(d->z.next_out - d->out);
		if (rc == Z_STREAM_END) {
			d->done = true;
			return 1;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			d->done = true;
			return -1;
		}
		if (rc == Z_BUF_ERROR && d->z.avail_out)
			break; /* needs more input */
	}
	return d->done ? 1 : 0;
}

const uint8_t *pii_inflate_data(const struct pii_inflate *d, size_t *n)
{
	*n = d->n;
	return d->out;
}

void pii_inflate_free(struct pii_inflate *d)
{
	if (!d)
		return;
	inflateEnd(&d->z);
	free(d);
}
