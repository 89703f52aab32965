/* libFuzzer target for the TinyCheck iocs.json and whitelist.json loaders:
 * the input is a whole feed file (see fuzz_feed_common.h). */
#include "fuzz_feed_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_feed_one(PH_FEED_TINYCHECK_ALLOW, "whitelist.json", data, size);
	return fuzz_feed_one(PH_FEED_TINYCHECK, "iocs.json", data, size);
}
