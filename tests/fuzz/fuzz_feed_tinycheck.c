/* libFuzzer target for the TinyCheck iocs.json/whitelist.json loader (each
 * input goes through both): the input is a whole feed file for
 * ph_feed_load_buffer, then for ph_feed_detect. Every byte the sink is
 * handed is read, so ASan sees reads past a value, name or reason. */
#include <string.h>

#include "peephole/intel.h"

static uint64_t acc;

static void touch(const char *s)
{
	if (s)
		acc += strlen(s);
}

static int add(void *user, const struct ph_ioc_entry *e)
{
	(void)user;
	for (size_t i = 0; i < e->len; i++)
		acc += (unsigned char)e->value[i];
	touch(e->name);
	touch(e->campaign);
	touch(e->category);
	touch(e->ref);
	acc += e->line + (unsigned)e->type;
	return 0;
}

static void unsupported(void *user, const char *text, size_t len,
			unsigned line, const char *reason)
{
	(void)user;
	for (size_t i = 0; i < len; i++)
		acc += (unsigned char)text[i];
	touch(reason);
	acc += line;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ph_feed_sink sink = {add, unsupported, NULL};
	struct ph_err err;
	ph_feed_load_buffer(PH_FEED_TINYCHECK, "fuzz", data, size, &sink,
			    &err);
	ph_feed_load_buffer(PH_FEED_TINYCHECK_ALLOW, "fuzz", data, size, &sink,
			    &err);
	acc += ph_feed_detect("fuzz.json", data, size);
	return 0;
}
