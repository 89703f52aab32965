/* libFuzzer target for the STIX 2.x bundle loader (JSON, relationships,
 * pattern parser): the input is a whole feed file (see
 * fuzz_feed_common.h). */
#include "fuzz_feed_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_feed_one(PH_FEED_STIX, "fuzz.stix2", data, size);
}
