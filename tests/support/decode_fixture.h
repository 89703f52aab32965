/* The fixture the decode tests share: one decoder and its anomaly
 * counters per test (cmocka setup/teardown), the anomaly total, and
 * big-endian stores for hand-built headers. Test-only; each test file gets
 * its own copy (static). */
#ifndef PH_TESTS_DECODE_FIXTURE_H
#define PH_TESTS_DECODE_FIXTURE_H

#include <stdint.h>
#include <string.h>

#include "decode/decode.h"

static struct ph_anomalies an;  /* counters of the current test */
static struct ph_decoder *dec;  /* decoder of the current test */

static inline int setup(void **state)
{
	(void)state;
	memset(&an, 0, sizeof an);
	dec = ph_decoder_new(&an);
	return dec ? 0 : -1;
}

static inline int teardown(void **state)
{
	(void)state;
	ph_decoder_free(dec);
	return 0;
}

static inline uint64_t total_anoms(void)
{
	uint64_t t = 0;
	for (int i = 0; i < PH_ANOM_COUNT; i++)
		t += an.n[i];
	return t;
}

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

#endif
