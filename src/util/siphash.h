/* SipHash (Aumasson & Bernstein, "SipHash: a fast short-input PRF", 2012):
 * a keyed 64-bit PRF over a byte string, so that flow-table bucket choice
 * cannot be predicted (and flooded) by whoever crafted the capture.
 * SipHash-2-4 is the reference variant; SipHash-1-3 (fewer rounds, same
 * construction) is what the flow table uses per packet. Pure functions: no
 * state, no allocation. */
#ifndef PH_UTIL_SIPHASH_H
#define PH_UTIL_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* The 128-bit key: k[0] = key bytes 0-7 little-endian, k[1] = bytes 8-15. */
struct ph_sipkey {
	uint64_t k[2];
};

/* Builds a key from 16 raw bytes (the reference test vectors use 00..0f). */
struct ph_sipkey ph_sipkey_from_bytes(const uint8_t bytes[16]);

/* data: borrowed, len bytes (may be NULL when len is 0). */
uint64_t ph_siphash24(const struct ph_sipkey *key, const void *data,
		      size_t len);
uint64_t ph_siphash13(const struct ph_sipkey *key, const void *data,
		      size_t len);

#endif
