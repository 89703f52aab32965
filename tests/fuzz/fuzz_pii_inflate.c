/* libFuzzer target for the pii detection's inflater of compressed HTTP
 * request bodies (pii_inflate.c): attacker-made gzip/deflate bytes, fed
 * in chunks whose sizes the first byte picks. The inflater must stay
 * within its buffer, stop at its caps (size, and 200 times the input:
 * decompression bombs) and never crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/pii_scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t chunk = (size_t)(data[0] % 64) + 1;
	struct pii_inflate *d = pii_inflate_new();
	if (!d)
		return 0;
	uint64_t fed = 0;
	for (size_t i = 1; i < size; i += chunk) {
		size_t n = size - i < chunk ? size - i : chunk;
		fed += n;
		if (pii_inflate_feed(d, data + i, n) != 0)
			break;
	}
	size_t out;
	const uint8_t *p = pii_inflate_data(d, &out);
	if (out > PII_INFLATE_MAX || out > fed * PII_INFLATE_RATIO)
		__builtin_trap();
	volatile uint8_t sink = 0;
	for (size_t i = 0; i < out; i += 4096)
		sink ^= p[i];
	(void)sink;
	pii_inflate_free(d);
	return 0;
}
