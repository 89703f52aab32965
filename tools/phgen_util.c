/* phgen building blocks with no network knowledge: the bounded byte
 * builder used by every payload builder, the splitmix64 PRNG that makes
 * the sample deterministic, and the growable per-phone frame store that is
 * sorted by (time, generation order) before writing. */
#include "phgen.h"

#include <stdlib.h>
#include <string.h>

void pg_buf_init(struct pg_buf *b, uint8_t *p, size_t cap)
{
	b->p = p;
	b->len = 0;
	b->cap = cap;
	b->err = 0;
}

void pg_mem(struct pg_buf *b, const void *p, size_t n)
{
	if (b->err || n > b->cap - b->len) {
		b->err = 1;
		return;
	}
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

void pg_u8(struct pg_buf *b, unsigned v)
{
	uint8_t x = (uint8_t)v;
	pg_mem(b, &x, 1);
}

void pg_u16(struct pg_buf *b, unsigned v)
{
	uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	pg_mem(b, x, 2);
}

void pg_u24(struct pg_buf *b, uint32_t v)
{
	uint8_t x[3] = {(uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	pg_mem(b, x, 3);
}

void pg_u32(struct pg_buf *b, uint32_t v)
{
	uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16),
			(uint8_t)(v >> 8), (uint8_t)v};
	pg_mem(b, x, 4);
}

void pg_str(struct pg_buf *b, const char *s)
{
	pg_mem(b, s, strlen(s));
}

size_t pg_len_open(struct pg_buf *b, int width)
{
	size_t off = b->len;
	for (int i = 0; i < width; i++)
		pg_u8(b, 0);
	return off;
}

void pg_len_close(struct pg_buf *b, size_t off, int width)
{
	if (b->err)
		return;
	size_t n = b->len - off - (size_t)width;
	for (int i = width - 1; i >= 0; i--, n >>= 8)
		b->p[off + (size_t)i] = (uint8_t)n;
	if (n)
		b->err = 1; /* did not fit the prefix */
}

uint64_t pg_rand(struct pg_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint32_t pg_range(struct pg_rng *r, uint32_t lo, uint32_t hi)
{
	if (hi <= lo)
		return lo;
	return lo + (uint32_t)(pg_rand(r) % ((uint64_t)hi - lo + 1));
}

double pg_unif(struct pg_rng *r)
{
	return (double)(pg_rand(r) >> 11) / 9007199254740992.0;
}

void pg_fill(struct pg_rng *r, uint8_t *p, size_t n)
{
	while (n) {
		uint64_t v = pg_rand(r);
		for (int i = 0; i < 8 && n; i++, n--, v >>= 8)
			*p++ = (uint8_t)v;
	}
}

void pg_rand_text(struct pg_rng *r, char *s, size_t n, const char *alphabet)
{
	size_t k = strlen(alphabet);
	for (size_t i = 0; i < n; i++)
		s[i] = alphabet[pg_rand(r) % k];
	s[n] = '\0';
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 1024;
	while (n < need)
		n *= 2;
	void *q = realloc(*p, n * elem);
	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

int pg_store_add(struct pg_store *s, uint64_t ts, const uint8_t *frame,
		 size_t len)
{
	if (grow((void **)&s->v, &s->cap, s->n + 1, sizeof *s->v) ||
	    grow((void **)&s->data, &s->dcap, s->dlen + len, 1)) {
		s->err = 1;
		return -1;
	}
	struct pg_frame *f = &s->v[s->n];
	f->ts = ts;
	f->seq = s->n;
	f->off = s->dlen;
	f->len = (uint32_t)len;
	memcpy(s->data + s->dlen, frame, len);
	s->dlen += len;
	s->n++;
	return 0;
}

static int frame_cmp(const void *a, const void *b)
{
	const struct pg_frame *x = a, *y = b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

void pg_store_sort(struct pg_store *s)
{
	if (s->n)
		qsort(s->v, s->n, sizeof *s->v, frame_cmp);
}

void pg_store_free(struct pg_store *s)
{
	free(s->v);
	free(s->data);
	memset(s, 0, sizeof *s);
}
