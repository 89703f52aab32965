/* libFuzzer target for the MVT index parser (src/intel/update_index.c):
 * the input is an indicators.yaml, parsed as if served over https, http
 * and file (the first byte chooses), then every entry's URL goes through
 * the cache file namer. Checks the returned names are ones the cache
 * accepts. */
#include <stdlib.h>
#include <string.h>

#include "peephole/update.h"

static struct ph_index_entry ents[PH_INDEX_MAX_ENTRIES];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const schemes[] = {"https", "http", "file", NULL};
	const char *scheme = schemes[size ? data[0] % 4 : 0];
	unsigned skipped = 0;
	struct ph_err err;
	int n = ph_update_index_parse(data, size, scheme, ents,
				      PH_INDEX_MAX_ENTRIES, &skipped, &err);
	for (int i = 0; i < n; i++) {
		char name[PH_UPDATE_MAX_FILE + 1];
		ph_update_file_name(ents[i].url, name, sizeof name);
		if (!name[0] || name[0] == '.' || strchr(name, '/') ||
		    !ents[i].file[0] || ents[i].file[0] == '.' ||
		    strchr(ents[i].file, '/'))
			abort();
	}
	return 0;
}
