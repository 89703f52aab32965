/* SipHash-c-d (c compression rounds per 8-byte word, d finalisation rounds)
 * for c/d = 2/4 and 1/3, following the paper's definition: four 64-bit
 * lanes initialised from the key XOR "somepseudorandomlygeneratedbytes",
 * message words read little-endian, the last word carrying the length in
 * its top byte. Checked against the reference vectors in test_siphash.c. */
#include "util/siphash.h"

#include <string.h>

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

struct sip_state {
	uint64_t v0, v1, v2, v3;
};

static inline void sip_round(struct sip_state *s)
{
	s->v0 += s->v1;
	s->v1 = ROTL(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = ROTL(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = ROTL(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = ROTL(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = ROTL(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = ROTL(s->v2, 32);
}

static inline uint64_t load_le64(const uint8_t *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	       (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 |
	       (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
	       (uint64_t)p[7] << 56;
}

static inline void sip_word(struct sip_state *s, uint64_t m, int c)
{
	s->v3 ^= m;
	for (int i = 0; i < c; i++)
		sip_round(s);
	s->v0 ^= m;
}

static inline uint64_t siphash_cd(const struct ph_sipkey *key,
				  const void *data, size_t len, int c, int d)
{
	struct sip_state s = {
		key->k[0] ^ 0x736f6d6570736575ull,
		key->k[1] ^ 0x646f72616e646f6dull,
		key->k[0] ^ 0x6c7967656e657261ull,
		key->k[1] ^ 0x7465646279746573ull,
	};
	const uint8_t *p = data;
	size_t words = len / 8, left = len & 7;
	uint8_t tail[8] = { 0 };

	for (size_t i = 0; i < words; i++)
		sip_word(&s, load_le64(p + 8 * i), c);
	if (left)
		memcpy(tail, p + 8 * words, left);
	tail[7] = (uint8_t)len;
	sip_word(&s, load_le64(tail), c);
	s.v2 ^= 0xff;
	for (int i = 0; i < d; i++)
		sip_round(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

struct ph_sipkey ph_sipkey_from_bytes(const uint8_t bytes[16])
{
	struct ph_sipkey k = { { load_le64(bytes), load_le64(bytes + 8) } };
	return k;
}

uint64_t ph_siphash24(const struct ph_sipkey *key, const void *data,
		      size_t len)
{
	return siphash_cd(key, data, len, 2, 4);
}

uint64_t ph_siphash13(const struct ph_sipkey *key, const void *data,
		      size_t len)
{
	return siphash_cd(key, data, len, 1, 3);
}
