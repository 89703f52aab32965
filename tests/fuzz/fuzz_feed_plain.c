/* libFuzzer target for the plain-list loader (hosts files, defanged
 * values) and format detection: the input is a whole feed file (see
 * fuzz_feed_common.h). */
#include "fuzz_feed_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_feed_one(PH_FEED_PLAIN, "fuzz.txt", data, size);
}
