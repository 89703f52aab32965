/* libFuzzer target for the stalkerware-indicators loaders (ioc.yaml via
 * libyaml, network.csv): the input is a whole feed file (see
 * fuzz_feed_common.h). */
#include "fuzz_feed_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_feed_one(PH_FEED_STALKERWARE_CSV, "network.csv", data, size);
	return fuzz_feed_one(PH_FEED_STALKERWARE_YAML, "ioc.yaml", data, size);
}
